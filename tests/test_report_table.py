"""Report tables (evalkit.report.ReportTable): kinds formatted by language, numbers kept as
numbers in CSV and Excel, Word tables, the output gate on every rendering and file, and
`evalkit reproduce --format docx` read back with python-docx."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import evalkit
from evalkit.errors import ArgumentError
from evalkit.output import OutputLog, declare_table
from evalkit.report import ReportTable, effect_table, export_table, report_table
from evalkit.report.disclosure import DisclosureError

docx = pytest.importorskip("docx")
openpyxl = pytest.importorskip("openpyxl")


def amounts(n_small: int = 144) -> pd.DataFrame:
    return declare_table(
        pd.DataFrame(
            {
                "item": ["Course starts", "Completions"],
                "persons": [n_small, 108],
                "amount": [3.37e6, 2615014.75],
                "share": [0.264285, 0.5],
                "low": [0.24, 0.41],
                "high": [2.59, 0.6],
                "p": [4.63533e-21, 0.0431],
                "met": [True, False],
            }
        ),
        counts=["persons"],
        dependent=["amount", "share", "low", "high", "p"],
    )


def table(lang="en", n_small=144) -> ReportTable:
    return report_table(
        amounts(n_small),
        {"amount": "kroner", "share": "share", "p": "p_value"},
        intervals={"CI": ("low", "high")},
        title="Grant",
        lang=lang,
    )


def test_kinds_are_formatted_by_language():
    en, da = table("en").formatted(), table("da").formatted()
    assert en.iloc[0].tolist() == [
        "Course starts", "144", "DKK 3,370,000", "26.4%", "[0.24, 2.59]", "<0.001", "Yes",
    ]  # fmt: skip
    assert da.iloc[0].tolist() == [  # the catalogue's own words in the table's language
        "Forløbsstarter", "144", "3.370.000 kr.", "26,4 %", "[0,24; 2,59]", "<0,001", "Ja",
    ]  # fmt: skip
    assert da.iloc[1, 2] == "2.615.015 kr." and da.iloc[1, 5] == "0,043" and da.iloc[1, 6] == "Nej"
    for text in (table().to_html(), table().to_markdown(), table("da").to_latex()):
        assert "e+06" not in text and "e-21" not in text and "True" not in text


def test_numbers_stay_numbers_in_csv_and_excel(tmp_path):
    t = table("da")
    csv = pd.read_csv(t.export(tmp_path / "t.csv"))
    # the header row is the catalogue's Danish headers; the data keep the column names
    assert csv.columns.tolist() == [
        "Post", "Personer", "Beløb", "Andel", "CI, nedre", "CI, øvre", "p", "Mål nået",
    ]  # fmt: skip
    assert t.to_frame().columns.tolist()[:3] == ["item", "persons", "amount"]
    assert csv["Beløb"].tolist() == [3.37e6, 2615014.75]  # full precision, numbers
    assert csv["CI, nedre"].tolist() == [0.24, 0.41] and csv["p"].iloc[0] == 4.63533e-21
    assert csv["Mål nået"].tolist() == ["Ja", "Nej"]
    assert not csv.astype(str).apply(lambda c: c.str.startswith("(")).any().any()
    sheet = openpyxl.load_workbook(t.export(tmp_path / "t.xlsx")).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Grant"
    header = rows[2]
    assert header[:6] == ("Post", "Personer", "Beløb", "Andel", "CI, nedre", "CI, øvre")
    first = dict(zip(header, rows[3], strict=True))
    assert first["Beløb"] == 3.37e6 and first["CI, nedre"] == 0.24 and first["p"] == 4.63533e-21
    cells = {c.column_letter: c for c in sheet[4]}
    assert cells["C"].number_format == '#,##0" kr."' and cells["D"].number_format == "0.0%"


def test_word_table_reads_back(tmp_path):
    path = table("da").export(tmp_path / "t.docx")
    document = docx.Document(str(path))
    (word,) = document.tables
    assert [c.text for c in word.rows[0].cells][:3] == ["Post", "Personer", "Beløb"]
    assert [c.text for c in word.rows[1].cells][2:5] == ["3.370.000 kr.", "26,4 %", "[0,24; 2,59]"]
    assert document.paragraphs[0].text == "Grant"


def test_every_rendering_and_file_passes_the_gate(tmp_path):
    small = table("en", n_small=3)
    shown = small.formatted()
    assert shown.iloc[0].tolist()[1:6] == ["<5", "x", "x", "x", "x"]
    assert "Cells based on fewer than 5 persons are suppressed." in small.to_markdown()
    log = OutputLog(tmp_path)
    for suffix in (".csv", ".xlsx", ".docx", ".html", ".md", ".tex"):
        small.export(tmp_path / f"t{suffix}", log=log)
    entries = {e["files"][0]["path"]: e for e in log.entries}
    assert all(e["status"] == "pass: suppressed" for e in entries.values())
    assert pd.read_csv(tmp_path / "t.csv", dtype=str)["Amount"].iloc[0] == "x"
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert list(sheet.iter_rows(values_only=True))[3][1:3] == ("<5", "x")
    word = docx.Document(str(tmp_path / "t.docx")).tables[0]
    assert [c.text for c in word.rows[1].cells][1:3] == ["<5", "x"]
    assert "3370000" not in (tmp_path / "t.md").read_text()
    with pytest.raises(DisclosureError, match="does not declare"):
        report_table(pd.DataFrame({"n": [3]}))


def test_effect_table_is_a_report_table(tmp_path):
    rng = np.random.default_rng(3)
    data = pd.DataFrame({"t": [1, 0] * 40, "y": rng.normal(size=80)})
    name = "A long outcome name that a notebook must not cut: weeks self-sufficient, 1-104"
    t = effect_table([evalkit.difference_in_means(data, "y", "t")], labels=[name])
    assert isinstance(t, ReportTable) and name in t._repr_html_()
    assert "white-space: normal" in t._repr_html_()
    csv = pd.read_csv(export_table(t, tmp_path / "e.csv"))
    assert {"95% CI, lower", "95% CI, upper"} <= set(csv.columns)
    assert csv["95% CI, lower"].dtype.kind == "f"


def test_method_sentences_of_common_estimators_in_danish():
    # the method column of an effect table is in the table's language for the common
    # estimators (their sentences and patterns are in the label catalogue's TERMS)
    from evalkit.report.labels import TERMS

    rng = np.random.default_rng(5)
    n = 400
    data = pd.DataFrame({"t": np.repeat([1, 0], n // 2), "x": rng.normal(size=n)})
    data["y"] = rng.binomial(1, 0.3 + 0.1 * data["t"])
    data["seen"] = rng.random(n) < 0.9
    data["w"] = rng.uniform(0.5, 2.0, n)
    unseen = data.assign(y=data["y"].where(data["seen"]))
    results = [
        evalkit.risk_difference(data, "y", "t"),
        evalkit.risk_difference(data, "y", "t", method="wald"),
        evalkit.risk_ratio(data, "y", "t"),
        evalkit.odds_ratio(data, "y", "t"),
        evalkit.odds_ratio(data, "y", "t", method="conditional"),
        evalkit.lin_estimator(data, "y", "t", ["x"]),
        evalkit.ancova(data, "y", "t", ["x"]),
        evalkit.ancova(data, "y", "t", ["x"], weights="w"),
    ]
    labels = [f"outcome {i}" for i in range(len(results))]
    da = effect_table(results, labels=labels, lang="da").formatted()["Metode"].tolist()
    en = effect_table(results, labels=labels, lang="en").formatted()["Method"].tolist()
    assert en == [r.method for r in results]  # English: the estimators' own sentences
    english = {w for e in TERMS.values() for w in e["en"].lower().split()} - {
        w for e in TERMS.values() for w in e["da"].lower().split()
    }
    for sentence in da:
        assert not set(sentence.lower().split()) & english, sentence
    assert da[1] == "Forskel i andele, Wald-interval"
    assert da[7].startswith("ANCOVA (additiv justering for kovariater), vægtet, ")
    bounds = evalkit.manski_bounds(unseen, "y", "t", "seen", 0, 1).to_frame()
    shown = report_table(bounds, lang="da").formatted()["Metode"]
    assert set(shown) == {"Manski (1990) grænser i værste fald, udfald i [0; 1]"}


def test_inputs_are_not_mutated_and_errors_are_clear(tmp_path):
    frame = amounts()
    before = frame.copy()
    t = report_table(frame, {"amount": "kroner"})
    t.export(tmp_path / "t.xlsx")
    changed = t.data
    changed.loc[0, "amount"] = 0.0  # a copy: the table keeps its numbers
    pd.testing.assert_frame_equal(frame, before)
    assert t.data["amount"].iloc[0] == 3.37e6
    with pytest.raises(ArgumentError, match="kind of 'amount' must be one of"):
        report_table(frame, {"amount": "money"})
    with pytest.raises(ArgumentError, match="not in the table"):
        report_table(frame, {"nope": "text"})
    with pytest.raises(ArgumentError, match="must name two columns"):
        report_table(frame, intervals={"CI": ("low", "nope")})
    with pytest.raises(ArgumentError, match="lang must be"):
        report_table(frame, lang="sv")
    with pytest.raises(ArgumentError, match="cannot tell the format"):
        t.export(tmp_path / "t.odt")


def test_text_cells_and_booleans_in_the_tables_language(tmp_path):
    # evalkit's own words (the catalogue's TERMS, patterns with fields too) and booleans
    # in a column of text are shown and written to CSV in the table's language; other
    # text (names) as it is; numbers stay numbers
    frame = pd.DataFrame(
        {
            "unit": ["persons", "full_year_persons", "Aalborg", "Synthetic site 3"],
            "method": [
                "Share, Wilson interval",
                "projection from 2019-W38, one band",
                "144 x 6,000 + 108 x 10,000",
                "Lin (2013) regression adjustment, HC2 SE",
            ],
            "flag": [True, False, "x", None],
            "n": [12, 13, 14, 15],
        }
    )
    before = frame.copy()
    da = report_table(frame, lang="da", count_columns=["n"])
    assert da.headers == ["Enhed", "Metode", "flag", "n"]
    cells = da.formatted()
    assert cells["Enhed"].tolist() == ["personer", "helårspersoner", "Aalborg", "Syntetisk sted 3"]
    assert cells["Metode"].tolist() == [
        "Andel, Wilson-interval",
        "fremskrivning fra uge 38 2019, ét bånd",
        "144 x 6.000 + 108 x 10.000",
        "Lin (2013) regressionsjustering, HC2 std.fejl",
    ]
    assert cells["flag"].tolist() == ["Ja", "Nej", "x", ""]
    written = pd.read_csv(da.export(tmp_path / "da.csv"), keep_default_na=False)
    assert written["Enhed"].tolist() == cells["Enhed"].tolist()
    assert written["flag"].tolist() == ["Ja", "Nej", "x", ""]
    assert written["n"].tolist() == [12, 13, 14, 15]  # numbers stay numbers
    en = report_table(frame, lang="en", count_columns=["n"]).formatted()
    assert en["Unit"].tolist() == ["persons", "full-year persons", "Aalborg", "Synthetic site 3"]
    assert en["flag"].tolist()[:2] == ["Yes", "No"]
    assert en["Method"].iloc[1] == "projection from week 38 of 2019, one band"
    pd.testing.assert_frame_equal(frame, before)


def test_a_missing_extra_names_it(monkeypatch, tmp_path):
    import builtins

    real = builtins.__import__

    def no_docx(name, *args, **kwargs):
        if name == "docx":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_docx)
    with pytest.raises(evalkit.EvalkitError, match=r'pip install "evalkit\[docx\]"'):
        table().export(tmp_path / "t.docx")
    assert not (tmp_path / "t.docx").exists()


@pytest.mark.parametrize("lang", ["en", "da"])
def test_reproduce_writes_a_word_document_per_project(tmp_path, lang):
    from evalkit.reproduce import project_name, reproduce

    project = "flere_skal_med_herning"
    artifacts = reproduce(tmp_path, [project], lang=lang, progress=False, formats="docx")
    assert not (tmp_path / "index.html").exists()  # html not asked for
    path = tmp_path / project / f"{project}.docx"
    document = docx.Document(str(path))
    figures = [a for a in artifacts if a.kind == "figure"]
    tables = [a for a in artifacts if a.kind == "table"]
    assert figures and tables
    assert len(document.inline_shapes) == len(figures)
    assert len(document.tables) == len(tables)
    title = document.paragraphs[0]
    assert title.style.name == "Title" and title.text == project_name(project, lang)
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    word = "Figur" if lang == "da" else "Figure"
    other = "Figure" if lang == "da" else "Figur "
    assert sum(c.startswith(word) for c in captions) == len(figures)
    assert not any(c.startswith(other) for c in captions)
    for a in artifacts:
        assert any(a.title in c for c in captions)
    log = json.loads((tmp_path / "output_log.json").read_text())
    (entry,) = [e for e in log["artifacts"] if e["kind"] == "document"]
    assert entry["files"][0]["path"] == f"{project}/{project}.docx"
    assert entry["source"] == "synthetic" and entry["status"] == "pass"


def test_index_has_project_names_contents_and_captions(tmp_path):
    from evalkit.reproduce import reproduce

    artifacts = reproduce(
        tmp_path, ["fredericia_2021"], lang="da", progress=False, formats="html,docx"
    )
    index = (tmp_path / "index.html").read_text()
    assert "<h2 id='fredericia_2021'>Fredericia 2021: Powerjobsøgerne og" in index
    assert "<h2>Indhold</h2>" in index and "fredericia_2021.docx" in index
    for number in range(1, sum(a.kind == "table" for a in artifacts) + 1):
        assert f"Tabel {number}. " in index
    assert ">fredericia_2021<" not in index  # no slug as a heading
    published = next(a for a in artifacts if a.name == "published_figures")
    assert f"{published.title}.</b> {published.title}." not in index  # no repeated title
    rows = pd.read_csv(tmp_path / "fredericia_2021" / "powerjob_vs_jobcentre.csv")
    assert len(rows) == 3  # the two shares and their difference, not eight variants
    with pytest.raises(ArgumentError, match="formats must be one or more of"):
        reproduce(tmp_path, ["fredericia_2021"], formats="pdf")
