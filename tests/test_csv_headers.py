"""The header row of a report table's CSV file: the shown headers in the table's language
(default) or, with ``headers="names"``, the data's own column names in every language."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import ArgumentError
from evalkit.output import declare_table, export
from evalkit.report import report_table


def table(lang: str, persons: int = 144):
    frame = declare_table(
        pd.DataFrame({"item": ["Course starts", "Completions"], "persons": [persons, 108],
                      "amount": [864000.0, 1080000.0], "conf_low": [0.24, 0.41],
                      "conf_high": [2.59, 0.6]}),
        counts=["persons"], dependent=["amount", "conf_low", "conf_high"],
    )  # fmt: skip
    return report_table(frame, {"amount": "kroner"}, lang=lang)


def test_csv_headers_shown_in_the_language_or_the_data_names(tmp_path):
    en = pd.read_csv(table("en").export(tmp_path / "en.csv"))
    da = pd.read_csv(table("da").export(tmp_path / "da.csv"))
    assert "Amount" in en.columns and "Beløb" in da.columns  # the catalogue's headers
    assert en.columns.tolist() != da.columns.tolist()
    names = ["item", "persons", "amount", "conf_low", "conf_high"]
    for lang in ("en", "da"):
        plain = pd.read_csv(table(lang).export(tmp_path / f"{lang}_names.csv", headers="names"))
        assert plain.columns.tolist() == names  # the same in every language
        shown = pd.read_csv(tmp_path / f"{lang}.csv")
        assert plain.to_numpy().tolist() == shown.to_numpy().tolist()
    # through evalkit.output.export too, and still through the gate: 3 persons are "<5"
    path = export(table("da", persons=3), tmp_path / "small.csv", headers="names", log=False)
    small = pd.read_csv(path)
    assert small.columns.tolist() == names and small["persons"].tolist() == ["<5", "108"]


@pytest.mark.parametrize(("suffix", "headers"), [(".xlsx", "names"), (".csv", "snake"),
                                                 (".html", "names")])  # fmt: skip
def test_csv_headers_option_is_checked(tmp_path, suffix, headers):
    with pytest.raises(ArgumentError, match="headers must be 'shown' or, for a .csv file"):
        table("en").export(tmp_path / f"t{suffix}", headers=headers)
    assert not list(tmp_path.iterdir())


def test_balance_table_csv_with_the_data_names(tmp_path):
    """A balance table's CSV headed by its data's names (and values) in every language,
    the same numbers as the shown header row, still through the gate."""
    from evalkit.report import balance_table

    rng = np.random.default_rng(3)
    data = pd.DataFrame({"t": np.repeat([1, 0], [40, 38]), "age": rng.normal(40, 9, 78).round(),
                         "edu": rng.choice(["basic", "higher"], 78)})  # fmt: skip
    balance = balance_table(data, "t", ["age", "edu"])
    names = balance.to_frame().columns.tolist()
    for lang in ("en", "da"):
        plain = pd.read_csv(balance.export(tmp_path / f"{lang}.csv", lang=lang, headers="names"))
        shown = pd.read_csv(balance.export(tmp_path / f"{lang}_shown.csv", lang=lang))
        assert plain.columns.tolist() == [c for c in names if c in plain.columns]
        assert set(plain["variable"]) == {"age", "edu"}  # the data's own values
        assert plain.shape == shown.shape
    assert shown.columns.tolist() != plain.columns.tolist()  # Danish headers when shown
    with pytest.raises(ArgumentError, match="headers must be 'shown' or, for a .csv file"):
        balance.export(tmp_path / "t.html", headers="names")


def test_balance_table_excel_sheet_holds_numbers(tmp_path):
    """The Excel sheet of a balance table has a number per mean, SD and count (Word keeps
    the "mean (SD)" text), the suppressed cells as markers, the same numbers as the CSV."""
    openpyxl = pytest.importorskip("openpyxl")
    from evalkit.report import balance_table

    rng = np.random.default_rng(3)
    edu = rng.choice(["basic", "higher", "other"], 78, p=[0.5, 0.46, 0.04])
    data = pd.DataFrame({"t": np.repeat([1, 0], [40, 38]), "age": rng.normal(40, 9, 78).round(),
                         "edu": edu})  # fmt: skip
    balance = balance_table(data, "t", ["age", "edu"])
    csv = pd.read_csv(balance.export(tmp_path / "b.csv", headers="names"))
    sheet = openpyxl.load_workbook(balance.export(tmp_path / "b.xlsx", lang="da")).active
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[0][3:] == ("n, indsats", "Gennemsnit, indsats", "Std.afv., indsats",
                            "n, kontrol", "Gennemsnit, kontrol", "Std.afv., kontrol",
                            "Standardiseret forskel")  # fmt: skip
    body = cells[1 : 1 + len(csv)]
    age = body[0]
    assert isinstance(age[4], float) and age[4] == pytest.approx(float(csv["treated_mean"][0]))
    assert isinstance(age[3], int) and age[3] == 40
    shown = [v for row in body for v in row[3:]]
    assert "<5" in shown and "x" in shown  # the small 'other' level stays suppressed
    assert not any(isinstance(v, str) and "(" in v for v in shown)  # no "mean (SD)" text
