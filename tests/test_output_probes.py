"""Probes, as an output checker would run them: try to get a CPR number or a small count out
of every exporter, renderer and figure evalkit has (issue 12).

Every table format is parsed back (CSV, Markdown, HTML, LaTeX) and checked cell by cell
against the declaration of the table that was written; every figure format is refused
before a byte is written when a text holds a CPR number. Hypothesis draws the CPR shapes,
the small counts and the tables with totals.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evalkit
from evalkit.benchmark import compare_proportions, target_test
from evalkit.output import amount_table, declaration, declare_table, export, output_rules
from evalkit.panel.ids import PrivacyError
from evalkit.report import (
    ConsortArm,
    ConsortCounts,
    balance_table,
    consort_diagram,
    effect_table,
    export_table,
    forest_plot,
    render_table,
    save_figure,
    survival_plot,
)
from evalkit.report.disclosure import DisclosureError
from evalkit.report.labels import LABELS, label
from evalkit.report.report_table import header_key
from evalkit.survival import kaplan_meier

FORMATS = (".csv", ".md", ".html", ".tex")
SLOW = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# ------------------------------------------------------------------------- CPR shapes
def _valid_dates():
    return st.dates(min_value=pd.Timestamp("1900-01-01").date(),
                    max_value=pd.Timestamp("2030-12-31").date())  # fmt: skip


@st.composite
def cpr_texts(draw):
    """A CPR number in one of the shapes the review found, alone or inside free text."""
    day = draw(_valid_dates())
    digits = draw(st.integers(0, 9999))
    ddmmyy = f"{day.day:02d}{day.month:02d}{day.year % 100:02d}"
    separator = draw(st.sampled_from(["-", "", " ", "\u2013", "\u2212"]))
    shape = draw(st.sampled_from(["plain", "text", "lost_zero"]))
    if shape == "lost_zero" and ddmmyy.startswith("0"):
        return f"{ddmmyy[1:]}{digits:04d}"
    cpr = f"{ddmmyy}{separator}{digits:04d}"
    if shape == "text":
        return f"phoned {cpr} today"
    return cpr


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _assert_not_echoed(message: str, cpr: str) -> None:
    digits = _digits(cpr)
    assert digits not in _digits(message) or len(digits) < 9
    assert cpr not in message


# ------------------------------------------------------------------------- parsing back
def _rows(path) -> list[list[str]]:
    """The cells of a written table, header first, whatever its format."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        return [list(frame.columns), *frame.to_numpy().tolist()]
    if path.suffix == ".md":
        lines = [line for line in text.splitlines() if line.startswith("| ")]
        rows = [[c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
        return [rows[0], *rows[2:]]
    if path.suffix == ".html":
        return [
            [html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", text, re.S)
        ]
    body = text.split("\\midrule")[0].split("\\toprule")[1] + text.split("\\midrule")[1]
    body = body.split("\\bottomrule")[0]
    rows = [r for r in body.split("\\\\") if r.strip()]
    unescape = {"\\textless{}": "<", "\\_": "_", "\\%": "%", "\\&": "&", "\\#": "#"}
    out = []
    for row in rows:
        cells = [c.strip() for c in row.split(" & ")]
        for a, b in unescape.items():
            cells = [c.replace(a, b) for c in cells]
        out.append(cells)
    return out


def _number(text: str) -> float | None:
    plain = text.replace(",", "").replace("\u2212", "-").strip()
    try:
        return float(plain)
    except ValueError:
        return None


def _check_written(path, frame: pd.DataFrame, threshold: int = 5) -> None:
    """No declared count of 1..threshold-1 in the file, and every number declared as
    resting on a hidden count is hidden on its row."""
    info = declaration(frame)
    rows = _rows(path)
    header, body = rows[0], rows[1:]
    assert len(body) == len(frame)
    position = {}
    for name in frame.columns:  # a file may head a column with its catalogue header
        shown = label(header_key(name), "en") if header_key(name) in LABELS else None
        for candidate in (name, shown):
            if candidate in header:
                position[name] = header.index(candidate)
                break
    missing = [name for name in info["counts"] if name not in position]
    assert not missing, (path.name, missing, header)  # every count column is checked
    for r, cells in enumerate(body):
        hidden = set()
        for name in info["counts"]:
            value = _number(cells[position[name]])
            assert value is None or value == 0 or value >= threshold, (path.name, name, r)
            if value is None and cells[position[name]]:
                hidden.add(name)
        for name, sources in info["dependent"].items():
            if name in position and hidden & set(sources):
                assert cells[position[name]] in ("x", "", "<5"), (path.name, name, r)


def _write_everywhere(frame, tmp_path, stem):
    return [export_table(frame, tmp_path / f"{stem}{suffix}") for suffix in FORMATS]


# ------------------------------------------------------------------------- small counts
def _trial(n_treated: int, n_control: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_treated + n_control
    return pd.DataFrame(
        {
            "t": np.repeat([1, 0], [n_treated, n_control]),
            "y": rng.normal(10, 2, n),
            "employed": rng.integers(0, 2, n),
            "edu": rng.choice(["basic", "higher"], n),
        }
    )


@SLOW
@given(n_control=st.integers(2, 12), seed=st.integers(0, 10_000))
def test_effect_tables_in_every_format(tmp_path, n_control, seed):
    data = _trial(30, n_control, seed)
    results = [evalkit.difference_in_means(data, "y", "t")]
    table = effect_table(results, labels=["Weeks"])
    for path in _write_everywhere(table, tmp_path, "effects"):
        _check_written(path, table.data)
        if n_control < 5:
            text = path.read_text()
            assert f"{results[0].estimate:.2f}" not in text  # the estimate is hidden too


@SLOW
@given(small=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_balance_tables_in_every_format(tmp_path, small, seed):
    data = _trial(40, 40, seed)
    data.loc[: small - 1, "edu"] = "unknown"  # a level with 1..4 treated persons
    table = balance_table(data, "t", ["y", "edu"], test=None)
    for suffix in FORMATS:
        path = table.export(tmp_path / f"balance{suffix}")
        text = path.read_text()
        if suffix == ".csv":
            _check_written(path, table.frame)
        else:
            row = next(r for r in _rows(path) if r[0].endswith("unknown"))
            assert row[2] in ("<5", "x") and row[4] == "x"
        assert "fewer than 5" in text or suffix == ".csv"


@SLOW
@given(successes=st.integers(0, 12), n=st.integers(1, 60), reference=st.integers(10, 200))
def test_benchmark_tables_in_every_format(tmp_path, successes, n, reference):
    successes = min(successes, n)
    for frame in (
        target_test(successes, n, 0.5).to_frame(),
        compare_proportions(successes, n, reference // 2, reference).to_frame(),
    ):
        for path in _write_everywhere(frame, tmp_path, "bench"):
            _check_written(path, frame)
            rows = _rows(path)
            position = rows[0].index("successes")
            for cells in rows[1:]:
                shown = _number(cells[position])
                if shown is not None and shown > 0:
                    whole = _number(cells[rows[0].index("n")])
                    assert whole is None or whole - shown == 0 or whole - shown >= 5


def test_amounts_and_curves_in_every_format(tmp_path):
    rng = np.random.default_rng(1)
    data = pd.DataFrame({"unit": rng.choice(list("abc"), 60), "kroner": rng.gamma(2, 1e4, 60)})
    data.loc[0, "kroner"] = 5e7  # one person dominates unit of row 0
    data.loc[data.unit == "c", "unit"] = ["c"] * 3 + ["b"] * int((data.unit == "c").sum() - 3)
    amounts = amount_table(data, "kroner", by="unit")
    for path in _write_everywhere(amounts, tmp_path, "amounts"):
        _check_written(path, amounts)
        assert "50000000" not in path.read_text().replace(",", "").replace(".0", "")
    spells = pd.DataFrame({"weeks": rng.integers(1, 30, 80), "exit": rng.integers(0, 2, 80),
                           "arm": np.repeat([1, 0], 40)})  # fmt: skip
    table = kaplan_meier(spells, "weeks", "exit", group="arm").table
    for path in _write_everywhere(table, tmp_path, "km"):
        rows = _rows(path)
        header = rows[0]
        for cells in rows[1:]:
            events = _number(cells[header.index("n_event")])
            assert events == 0 or events >= 5
            assert _number(cells[header.index("n_risk")]) % 5 == 0
        assert "n_censored" not in header


@SLOW
@given(
    cells=st.lists(st.lists(st.integers(0, 30), min_size=3, max_size=3), min_size=2, max_size=4),
    threshold=st.sampled_from([5, 10]),
)
def test_totals_never_give_a_hidden_cell_back(tmp_path, cells, threshold):
    values = np.array(cells)
    inner = pd.DataFrame(
        values, columns=["a", "b", "c"], index=[f"r{i}" for i in range(len(values))]
    )
    inner["total"] = inner.sum(axis=1)
    table = pd.concat([inner, inner.sum().to_frame("Total").T])
    table = declare_table(table, counts=list(table.columns),
                          totals={"row": "Total", "column": "total"})  # fmt: skip
    with output_rules(threshold=threshold):
        path = export_table(table, tmp_path / "totals.csv")
    written = pd.read_csv(path, index_col=0, dtype=str)
    hidden = written.map(lambda v: _number(v) is None).to_numpy()
    original = table.to_numpy(dtype=float)
    lines = [(r, slice(0, 3), (r, 3)) for r in range(len(written))]
    lines += [(slice(0, len(written) - 1), c, (len(written) - 1, c)) for c in range(4)]
    for rows, cols, total in lines:
        if hidden[total]:
            continue
        line_hidden = hidden[rows, cols]
        if line_hidden.any():
            assert line_hidden.sum() >= 2
            assert not 0 < original[rows, cols][line_hidden].sum() < threshold


# ------------------------------------------------------------------------- CPR numbers
def _cpr_writers(cpr: str):
    """(name, callable writing into a folder) for every door a CPR could go through."""
    data = _trial(30, 30)
    km_data = pd.DataFrame({"weeks": np.arange(1, 61) % 17 + 1, "exit": np.arange(60) % 2,
                            "arm": np.repeat([1, 0], 30)})  # fmt: skip
    result = evalkit.difference_in_means(data, "y", "t")
    cell = pd.DataFrame({"who": [cpr, "x"], "n": [10, 20]})
    return [
        ("cell csv", lambda d: export_table(cell, d / "t.csv", count_columns=["n"])),
        ("cell md", lambda d: export_table(cell, d / "t.md", count_columns=["n"])),
        (
            "column name",
            lambda d: export_table(
                cell.rename(columns={"who": cpr}), d / "t.html", count_columns=["n"]
            ),
        ),  # fmt: skip
        (
            "index",
            lambda d: export_table(cell.set_index("who"), d / "t.tex", count_columns=["n"]),
        ),  # fmt: skip
        (
            "file name",
            lambda d: export_table(cell.iloc[1:], d / f"{cpr}.csv", count_columns=["n"]),
        ),  # fmt: skip
        ("render", lambda d: render_table(cell, "html", count_columns=["n"])),
        (
            "effect label",
            lambda d: export_table(effect_table([result], labels=[cpr]), d / "e.md"),
        ),  # fmt: skip
        (
            "balance level",
            lambda d: balance_table(
                data.assign(edu=np.where(np.arange(60) < 10, cpr, "basic")), "t", ["edu"], test=None
            ).export(d / "b.html"),
        ),  # fmt: skip
        (
            "forest label",
            lambda d: save_figure(forest_plot([result], labels=[cpr]), d / "f", formats=("svg",)),
        ),  # fmt: skip
        (
            "survival group name",
            lambda d: save_figure(
                survival_plot(
                    kaplan_meier(km_data, "weeks", "exit", group="arm"),
                    labels={1: cpr, 0: "Control"},
                ),
                d / "s",
                formats=("pdf",),
            ),
        ),  # fmt: skip
        (
            "consort label",
            lambda d: save_figure(
                consort_diagram(
                    ConsortCounts(
                        randomized=60,
                        arms={cpr: ConsortArm(allocated=30), "Control": ConsortArm(allocated=30)},
                    )
                ),
                d / "c",
                formats=("png",),
            ),
        ),  # fmt: skip
        ("export", lambda d: export(cell, d / "x.csv", count_columns=["n"])),
    ]


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cpr=cpr_texts())
def test_no_cpr_gets_through_any_door(tmp_path_factory, cpr):
    for name, write in _cpr_writers(cpr):
        folder = tmp_path_factory.mktemp("probe")
        with pytest.raises(PrivacyError) as caught:
            write(folder)
        _assert_not_echoed(str(caught.value), cpr)
        assert list(folder.iterdir()) == [], name


def test_small_counts_through_the_reproduce_folder(tmp_path):
    """The default `evalkit reproduce` output: no count column of a controlled table holds
    a small count (the JobFirst survival figure is tested in test_safe_survival)."""
    import json

    from evalkit.reproduce import reproduce

    reproduce(tmp_path, ["jobfirst_aalborg"], progress=False)
    log = json.loads((tmp_path / "output_log.json").read_text())
    for entry in log["artifacts"]:
        if entry["source"] != "register" or not entry["files"][0]["path"].endswith(".csv"):
            continue
        written = pd.read_csv(tmp_path / entry["files"][0]["path"], dtype=str)
        for column in written.columns:
            if column.endswith(("_count", "n treated", "n control")):
                for value in written[column]:
                    number = _number(value)
                    assert number is None or number == 0 or number >= 5


def test_undeclared_and_person_level_tables_never_leave(tmp_path):
    persons = pd.DataFrame({"municipality": ["A", "B"], "persons": [40, 3]})
    for suffix in FORMATS:
        with pytest.raises(DisclosureError):
            export_table(persons, tmp_path / f"p{suffix}")
    with pytest.raises(DisclosureError):
        render_table(persons)
    assert list(tmp_path.iterdir()) == []
