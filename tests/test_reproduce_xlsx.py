"""`evalkit reproduce --format xlsx`: one Excel workbook per project, read back with
openpyxl (contents sheet, one sheet per table, numbers as numbers with formats by kind),
and every table through the output gate when the workbook is written."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from evalkit.cli import main
from evalkit.errors import ArgumentError, EvalkitError
from evalkit.output import OutputLog, declare_table, gate_table
from evalkit.output.cpr import PrivacyError
from evalkit.report import report_table
from evalkit.report.labels import label
from evalkit.reproduce import DATA_STATUS, Artifact, reproduce, sheet_names, write_xlsx

openpyxl = pytest.importorskip("openpyxl")


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def same(a, b) -> bool:
    """A cell of the sheet equals a cell of the CSV (empty = NaN; numbers as numbers)."""
    if a is None or (isinstance(a, float) and np.isnan(a)):
        return b is None or (isinstance(b, float) and np.isnan(b))
    if isinstance(b, int | float | np.number) and not isinstance(b, bool):
        return isinstance(a, int | float) and np.isclose(a, b, rtol=1e-12, atol=0)
    return str(a) == str(b)


@pytest.mark.parametrize(("project", "lang"), [("fredericia_2021", "en"),
                                               ("flere_skal_med_herning", "da")])  # fmt: skip
def test_reproduce_writes_one_workbook_per_project(tmp_path, capsys, project, lang):
    argv = ["reproduce", "--project", project, "--out", str(tmp_path), "--lang", lang,
            "--format", "xlsx", "--quiet"]  # fmt: skip
    assert main(argv) == 0
    assert "Excel workbooks" in capsys.readouterr().out
    assert not (tmp_path / "index.html").exists()  # html not asked for
    log = json.loads((tmp_path / "output_log.json").read_text())
    by_file = {f["path"]: e for e in log["artifacts"] for f in e["files"]}
    (entry,) = [e for e in log["artifacts"] if e["kind"] == "workbook"]
    assert entry["files"][0]["path"] == f"{project}/{project}.xlsx"
    tables = [e for e in log["artifacts"] if e["kind"] == "table" and
              e["files"][0]["path"].endswith(".csv")]  # fmt: skip
    assert tables

    book = openpyxl.load_workbook(tmp_path / project / f"{project}.xlsx")
    names = book.sheetnames
    assert names[0] == label("report_contents", lang)
    assert len(names) == 1 + len(tables)
    assert all(len(n) <= 31 for n in names)
    assert len({n.lower() for n in names}) == len(names)
    word = label("report_table", lang, number=1).split()[0]  # "Table" / "Tabel"
    assert all(n.startswith(f"{word} {i}.") for i, n in enumerate(names[1:], start=1))

    contents = rows(book.worksheets[0])
    headers = [label(f"xlsx_{k}", lang) for k in ("sheet", "table", "title", "caption",
                                                  "data", "disclosure")]  # fmt: skip
    assert list(contents[3]) == headers
    listed = contents[4 : 4 + len(tables)]
    for i, (row, table, sheet) in enumerate(zip(listed, tables, book.worksheets[1:],
                                                strict=True), start=1):  # fmt: skip
        assert row[0] == sheet.title and row[1] == label("report_table", lang, number=i)
        assert row[2] == table["title"] and row[3]
        assert row[4] == label(DATA_STATUS[table["source"]], lang)
        assert row[5] == label("xlsx_not_controlled", lang)  # synthetic and published data
        link = book.worksheets[0].cell(5 + i - 1, 1).hyperlink
        assert link.location == f"'{sheet.title}'!A1" or link.target == f"#'{sheet.title}'!A1"

        # the sheet holds what the table's CSV holds: same headers, numbers as numbers
        csv = pd.read_csv(tmp_path / table["files"][0]["path"])
        cells = rows(sheet)
        assert cells[0][0] == f"{row[1]}. {table['title']}"
        assert list(cells[2][: csv.shape[1]]) == csv.columns.tolist()
        body = cells[3 : 3 + len(csv)]
        for values, (_, expected) in zip(body, csv.iterrows(), strict=True):
            assert all(same(a, b) for a, b in zip(values, expected.tolist(), strict=False))
        numeric = [c for c in sheet.iter_rows(min_row=4, max_row=3 + len(csv))
                   for c in c if isinstance(c.value, int | float)]  # fmt: skip
        assert numeric and all(c.data_type == "n" for c in numeric)
    assert by_file[f"{project}/{project}.xlsx"]["status"].startswith("pass")


def test_number_formats_by_kind_and_index_links(tmp_path):
    artifacts = reproduce(tmp_path, ["adult_business_case"], lang="da", progress=False,
                          formats="html,xlsx")  # fmt: skip
    book = openpyxl.load_workbook(tmp_path / "adult_business_case" / "adult_business_case.xlsx")
    tables = [a for a in artifacts if a.kind == "table"]
    titles = [rows(s)[0][0] for s in book.worksheets[1:]]
    assert titles == [f"Tabel {i}. {a.title}" for i, a in enumerate(tables, start=1)]
    stairs = book.worksheets[1 + [a.name for a in tables].index("refusion_staircase")]
    header = rows(stairs)[2]
    share = stairs.cell(4, header.index("Statens andel") + 1)
    assert isinstance(share.value, float) and share.number_format == "0.0%"
    case = book.worksheets[1 + [a.name for a in tables].index("business_case")]
    header = rows(case)[2]
    saving = case.cell(4, header.index("Besparelse") + 1)
    csv = pd.read_csv(tmp_path / "adult_business_case" / "business_case.csv")
    assert saving.value == csv["Besparelse"].iloc[0] and saving.number_format == '#,##0" kr."'
    index = (tmp_path / "index.html").read_text()
    assert "adult_business_case/adult_business_case.xlsx" in index and "Excel (XLSX)" in index


def register_table(persons: int):
    frame = declare_table(
        pd.DataFrame({"item": ["Course starts", "Completions", "Dropped out"],
                      "persons": [144, 108, persons], "share": [0.5, 0.375, persons / 288]}),
        counts=["persons"], dependent=["share"], totals={"column": "persons"},
    )  # fmt: skip
    return report_table(frame, {"share": "share"}, lang="en")


def artifact(table, caption="Register data of the trial.") -> Artifact:
    return Artifact("jobfirst_aalborg", "table", "courses", "Courses", caption, (), table)


def test_register_tables_pass_the_gate_in_the_workbook(tmp_path):
    log = OutputLog(tmp_path)
    table = register_table(3)
    safe, record = gate_table(table.data, "jobfirst_aalborg.xlsx")
    assert record.suppressed  # the gate suppresses the 3 (and what recovers it)
    path = write_xlsx("jobfirst_aalborg", [artifact(table)], tmp_path, "en", log)
    book = openpyxl.load_workbook(path)
    contents = rows(book.worksheets[0])
    assert contents[4][4:] == (
        "Treated as register data",
        f"Controlled (counts under 5): {len(record.suppressed)} cells suppressed",
    )
    body = rows(book.worksheets[1])[3:6]
    assert [r[0] for r in body] == ["Course starts", "Completions", "Dropped out"]
    assert 3 not in [r[1] for r in body]  # the small count is not written
    assert body[2][2] != 3 / 288  # nor the share that rests on it
    for (_, expected), values in zip(safe.iterrows(), body, strict=True):
        for a, b in zip(values, expected.tolist(), strict=True):
            assert same(a, b) or (a is None and isinstance(b, str))  # markers as text or empty
    (entry,) = log.entries
    assert entry["kind"] == "workbook" and entry["status"] == "pass: suppressed"
    assert entry["source"] == "register"
    assert entry["suppressed_cells"] == len(record.suppressed)
    assert {c["sheet"] for c in entry["suppressed"]} == {"Table 1. Courses"}
    # nothing small: controlled, nothing suppressed
    path = write_xlsx("jobfirst_aalborg", [artifact(register_table(30))], tmp_path, "en", None)
    assert rows(openpyxl.load_workbook(path).worksheets[0])[4][5] == (
        "Controlled (counts under 5): nothing suppressed"
    )


def test_a_cpr_number_in_a_caption_refuses_the_workbook(tmp_path):
    with pytest.raises(PrivacyError):
        write_xlsx("jobfirst_aalborg", [artifact(register_table(30), "Case 010190-1234.")],
                   tmp_path, "en", None)  # fmt: skip
    assert not list(tmp_path.iterdir())


def test_sheet_names_are_excel_names():
    names = sheet_names(["Table 1. Effects on weeks self-sufficient after randomization",
                         "Contents", "CONTENTS", "a/b: [c]?", "x" * 40, "x" * 40])  # fmt: skip
    assert names == ["Table 1. Effects on weeks", "Contents", "CONTENTS (2)", "a b c",
                     "x" * 31, "x" * 27 + " (2)"]  # fmt: skip
    with pytest.raises(ArgumentError, match="list of titles"):
        sheet_names("Contents")


def test_a_missing_openpyxl_is_said_before_anything_runs(monkeypatch, tmp_path):
    import builtins

    real = builtins.__import__

    def no_openpyxl(name, *args, **kwargs):
        if name == "openpyxl":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_openpyxl)
    with pytest.raises(EvalkitError, match=r'pip install "evalkit\[xlsx\]"'):
        reproduce(tmp_path, ["fredericia_2021"], progress=False, formats="xlsx")
    assert not list(tmp_path.iterdir())


def test_add_to_xlsx_takes_a_worksheet():
    with pytest.raises(ArgumentError, match="openpyxl worksheet"):
        register_table(30).add_to_xlsx("Sheet1")
    book = openpyxl.Workbook()
    register_table(3).add_to_xlsx(book.active)  # gated here: the 3 is not written
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert 144 in cells and 3 not in cells and "<5" in cells
