"""The output gate (evalkit.output): rules, declarations, tables, figures, the log, writes.

Each test tries to get a CPR number or a small count out through one door, as an output
checker would; the regression cases of issue 12 are named after it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from evalkit.errors import ArgumentError
from evalkit.output import (
    OutputLog,
    amount_table,
    current_rules,
    declaration,
    declare_figure,
    declare_table,
    dominated,
    export,
    gate_figure,
    gate_table,
    output_rules,
    person_level,
    set_output_rules,
    write_atomic,
)
from evalkit.output.files import atomic_path, check_folder
from evalkit.panel.ids import PrivacyError
from evalkit.report import export_table, render_table, save_figure
from evalkit.report.disclosure import DisclosureError

CPR = "010190-1234"


def _frame():
    return declare_table(
        pd.DataFrame({"arm": ["treated", "control"], "persons": [178, 3], "share": [0.4, 0.3]}),
        counts=["persons"],
        dependent=["share"],
    )


# ------------------------------------------------------------------------- rules
def test_rules_presets_and_scopes():
    assert current_rules().threshold == 5 and not current_rules().zeros_disclosive
    with output_rules("acro") as rules:
        assert rules.threshold == 10 and rules.zeros_disclosive
        with output_rules(threshold=20):
            assert current_rules().threshold == 20
        assert current_rules().threshold == 10
    assert current_rules().threshold == 5
    previous = current_rules()
    try:
        assert set_output_rules(threshold=7).threshold == 7
        assert current_rules().name.endswith("(changed: threshold=7)")
    finally:
        set_output_rules(previous)
    assert current_rules() == previous


@pytest.mark.parametrize(
    "changes",
    [{"threshold": 0}, {"threshold": 2.5}, {"threshold": True}, {"nk_k": 1.5}, {"p_ratio": 0},
     {"zeros_disclosive": "yes"}, {"colour": 1}],
)  # fmt: skip
def test_bad_rules_are_evalkit_errors(changes):
    with pytest.raises(ArgumentError):
        with output_rules(**changes):
            pass


def test_unknown_preset():
    with pytest.raises(ArgumentError, match="dst"):
        set_output_rules("uk")


# ------------------------------------------------------------------------- declarations
def test_declaration_round_trip_and_errors():
    t = _frame()
    info = declaration(t)
    assert info["counts"] == ["persons"] and info["dependent"] == {"share": ["persons"]}
    assert info["source"] == "register" and not info["person_level"]
    assert declaration(pd.DataFrame({"a": [1]})) is None
    with pytest.raises(ArgumentError, match="not declared as counts"):
        declare_table(t, counts=["persons"], dependent={"share": ["arm"]})
    with pytest.raises(Exception, match="both as counts and as dependent"):
        declare_table(t, counts=["persons"], dependent=["persons"])
    with pytest.raises(ArgumentError, match="source must be one of"):
        declare_table(t, source="made up")
    with pytest.raises(ArgumentError, match="one True/False per row"):
        declare_table(t, amounts={"share": [True]})


def test_declaring_does_not_modify_the_input():
    raw = pd.DataFrame({"persons": [3]})
    declare_table(raw, counts=["persons"])
    assert raw.attrs == {}


# ------------------------------------------------------------------------- tables
def test_declared_counts_and_dependents_are_suppressed_and_recorded():
    out, record = gate_table(_frame(), "arms.csv")
    assert out["persons"].tolist() == [178, "<5"] and out["share"].tolist() == [0.4, "x"]
    assert record.status == "pass: suppressed"
    assert [(s["column"], s["row"], s["reason"]) for s in record.suppressed] == [
        ("persons", 1, "primary"),
        ("share", 1, "dependent"),
    ]


def test_issue12_undeclared_counts_are_refused_not_guessed(tmp_path):
    # "persons holding 3" and a groupby().size() column: nothing is guessed from names.
    persons = pd.DataFrame({"municipality": ["A", "B"], "persons": [40, 3]})
    sizes = pd.DataFrame({"g": [1, 1, 1, 2]}).groupby("g").size().rename("x").reset_index()
    for frame in (persons, sizes):
        with pytest.raises(DisclosureError, match="does not declare which"):
            export_table(frame, tmp_path / "t.csv")
        assert not (tmp_path / "t.csv").exists()
    export_table(persons, tmp_path / "t.csv", count_columns=["persons"])
    assert "3" not in (tmp_path / "t.csv").read_text().split("\n")[2]


def test_count_columns_empty_means_no_counts(tmp_path):
    path = export_table(pd.DataFrame({"a": [0.3]}), tmp_path / "t.md", count_columns=[])
    assert "0.3" in path.read_text()


def test_issue12_person_level_tables_are_refused(tmp_path):
    spells = person_level(pd.DataFrame({"id": ["P1", "P2"], "weeks": [3, 40]}))
    with pytest.raises(DisclosureError, match="one row per person"):
        export_table(spells, tmp_path / "spells.csv")
    with pytest.raises(DisclosureError, match="one row per person"):
        render_table(spells)
    assert export_table(spells, tmp_path / "spells.csv", source="synthetic").exists()


def test_issue12_total_recovering_a_suppressed_cell(tmp_path):
    t = pd.DataFrame(
        {"employed": [40, 3, 43], "unemployed": [60, 12, 72], "total": [100, 15, 115]},
        index=["Aalborg", "Aarhus", "Total"],
    )
    t = declare_table(t, counts=["employed", "unemployed", "total"],
                      totals={"row": "Total", "column": "total"})  # fmt: skip
    out, record = gate_table(t, "t.csv")
    hidden = out.map(lambda v: isinstance(v, str)).to_numpy()
    # every row and column with a hidden cell hides at least two (no subtraction works)
    for line in (*hidden, *hidden.T):
        assert line.sum() != 1
    assert record.status == "pass: suppressed"


def test_zeros_under_acro_rules():
    t = declare_table(pd.DataFrame({"n": [0, 30, 12]}), counts=["n"])
    with output_rules("acro"):
        out, _ = gate_table(t, "t.csv")
    assert out["n"].tolist() == ["<10", 30, 12]
    assert gate_table(t, "t.csv")[0]["n"].tolist() == [0, 30, 12]


def test_stricter_threshold_argument_wins_but_never_a_laxer_one(tmp_path):
    t = declare_table(pd.DataFrame({"n": [7, 30]}), counts=["n"])
    path = export_table(t, tmp_path / "t.csv", threshold=10)
    assert pd.read_csv(path)["n"].tolist() == ["<10", "30"]
    path = export_table(t, tmp_path / "t.csv", threshold=3)  # rules' 5 still apply
    assert pd.read_csv(path)["n"].tolist() == [7, 30]
    with output_rules(threshold=10):
        path = export_table(t, tmp_path / "t.csv", threshold=5)
    assert pd.read_csv(path)["n"].tolist() == ["<10", "30"]


def test_published_and_synthetic_sources_are_not_suppressed_but_cpr_checked(tmp_path):
    t = pd.DataFrame({"figure": ["moved"], "value": [2]})
    out, record = gate_table(t, "p.csv", source="published")
    assert out["value"].tolist() == [2] and record.status.startswith("pass: not controlled")
    with pytest.raises(PrivacyError):
        gate_table(t.assign(note=f"phoned {CPR}"), "p.csv", source="published")


@pytest.mark.parametrize(
    "value",
    [CPR, f"phoned {CPR} today", 101901234.0, "101901234", "010190 1234", "010190\u20131234",
     b"010190-1234"],
)  # fmt: skip
def test_issue12_cpr_shapes_are_refused_and_never_echoed(tmp_path, value):
    t = pd.DataFrame({"who": [value, None], "n": [10, 20]})
    for call in (
        lambda: export_table(t, tmp_path / "t.csv", count_columns=["n"]),
        lambda: render_table(t, count_columns=["n"]),
        lambda: gate_table(t, "t.csv", source="synthetic"),
    ):
        with pytest.raises(PrivacyError) as caught:
            call()
        message = str(caught.value)
        assert "'who'" in message
        for shown in ("010190", "1234", "101901234"):
            assert shown not in message
    assert not (tmp_path / "t.csv").exists()


def test_cpr_in_a_file_name_is_refused(tmp_path):
    with pytest.raises(PrivacyError) as caught:
        export_table(_frame(), tmp_path / f"{CPR}.csv")
    assert "010190" not in str(caught.value)


def test_curve_tables_go_through_safe_curve():
    km = pd.DataFrame({"time": [1, 2, 3, 4, 5, 6], "n_risk": [20, 17, 15, 12, 9, 4],
                       "n_event": [3, 2, 3, 3, 2, 1],
                       "survival": [0.85, 0.75, 0.6, 0.45, 0.35, 0.2625]})  # fmt: skip
    km = declare_table(km, kind="curve", counts=["n_risk", "n_event"], dependent=["survival"])
    out, record = gate_table(km, "km.csv")
    assert (out["n_event"] >= 5).all() and (out["n_risk"] >= 5).all()
    assert len(out) < len(km) and record.status == "pass: suppressed"


# ------------------------------------------------------------------------- amounts
def test_dominance_rules():
    assert dominated([5000, 10, 10, 10, 10, 10])  # N-K: the top two hold > 90 %
    assert dominated([1000, 500, 20, 20, 20])  # p-ratio: the rest < 10 % of the largest
    assert not dominated([100, 110, 90, 105, 95])
    with output_rules(nk_k=0.99, p_ratio=0.01):
        assert not dominated([1000, 500, 20, 20, 20])
    with pytest.raises(ArgumentError):
        dominated([])


def test_amount_table_suppresses_small_and_dominated_cells():
    d = pd.DataFrame(
        {"unit": ["a"] * 6 + ["b"] * 6 + ["c"] * 2,
         "kroner": [100, 110, 90, 105, 95, 100, 5000, 10, 10, 10, 10, 10, 50, 60]}
    )  # fmt: skip
    t = amount_table(d, "kroner", by="unit")
    assert t["total"].tolist() == [600.0, 5050.0, 110.0]
    out, record = gate_table(t, "amounts.csv")
    assert out["total"].tolist()[0] == 600.0
    assert out["total"].tolist()[1:] == ["x", "x"] and out["persons"].tolist()[2] == "<5"
    reasons = {(s["column"], s["row"]): s["reason"] for s in record.suppressed}
    assert reasons[("total", 1)] == "dominance" and reasons[("persons", 2)] == "primary"
    assert d.shape == (14, 2)  # not modified


# ------------------------------------------------------------------------- figures
def _figure(title="Weeks", legend="Treatment", tick=None):
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], label=legend)
    ax.set_title(title)
    ax.legend()
    if tick is not None:
        ax.set_xticks([0, 1], ["a", tick])
    return fig


@pytest.mark.parametrize("where", ["title", "legend", "tick", "annotation"])
def test_issue12_cpr_in_any_figure_text_is_refused(tmp_path, where):
    fig = {"title": lambda: _figure(title=f"Person {CPR}"),
           "legend": lambda: _figure(legend=CPR),
           "tick": lambda: _figure(tick="0101901234")}.get(where, _figure)()  # fmt: skip
    if where == "annotation":
        fig.axes[0].annotate(f"see {CPR}", (0.5, 0.5))
    for fmt in ("png", "svg", "pdf"):
        with pytest.raises(PrivacyError) as caught:
            save_figure(fig, tmp_path / "fig", formats=(fmt,))
        assert "010190" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_figures_drawn_without_control_from_register_data_are_refused(tmp_path):
    fig = declare_figure(_figure(), threshold=None)
    with pytest.raises(DisclosureError, match="disclosure control off"):
        save_figure(fig, tmp_path / "fig", formats=("png",))
    assert save_figure(fig, tmp_path / "fig", formats=("png",), source="synthetic")
    low = declare_figure(_figure(), threshold=5)
    with output_rules(threshold=10):
        with pytest.raises(DisclosureError, match="below the rules' 10"):
            save_figure(low, tmp_path / "fig", formats=("png",))


def test_figures_from_outside_evalkit_are_logged_for_review(tmp_path):
    log = OutputLog(tmp_path)
    save_figure(_figure(), tmp_path / "fig", formats=("png", "svg"), log=log)
    entry = log.entries[0]
    assert entry["status"] == "review" and len(entry["files"]) == 2
    assert log.as_dict()["summary"]["to_review"] == [1]
    assert gate_figure(declare_figure(_figure(), 5), "f.png").status == "pass"


# ------------------------------------------------------------------------- writes and the log
def test_atomic_writes_leave_the_old_file_when_writing_fails(tmp_path):
    target = write_atomic(tmp_path / "t.csv", "old\n")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as temporary:
            temporary.write_text("half a fi")
            raise RuntimeError("disk full")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_a_failing_figure_write_leaves_no_file(tmp_path, monkeypatch):
    fig = _figure()

    def broken(*args, **kwargs):
        Path(args[0]).write_bytes(b"\x89PNG half")
        raise OSError("disk full")

    monkeypatch.setattr(fig, "savefig", broken)
    with pytest.raises(OSError):
        save_figure(fig, tmp_path / "fig", formats=("png",))
    assert list(tmp_path.iterdir()) == []


def test_check_folder_errors(tmp_path):
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(ArgumentError, match="is a file"):
        check_folder(file)
    with pytest.raises(ArgumentError, match="cannot create"):
        check_folder(file / "sub")
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(ArgumentError, match="not writable"):
            check_folder(locked)


def test_export_logs_every_file_with_hash_rules_and_cells(tmp_path):
    export(_frame(), tmp_path / "arms.csv")
    export(_figure(), tmp_path / "fig.svg", source="synthetic")
    export(_frame(), tmp_path / "arms.csv")  # written again: one entry, not two
    log = json.loads((tmp_path / "output_log.json").read_text())
    assert log["format"] == "evalkit-output-log/1"
    entries = log["artifacts"]
    assert [e["files"][0]["path"] for e in entries] == ["fig.svg", "arms.csv"]
    import hashlib

    digest = hashlib.sha256((tmp_path / "arms.csv").read_bytes()).hexdigest()
    assert entries[1]["files"][0]["sha256"] == digest
    assert entries[1]["rules"]["threshold"] == 5
    assert entries[1]["suppressed"] == [
        {"column": "persons", "row": 1, "reason": "primary"},
        {"column": "share", "row": 1, "reason": "dependent"},
    ]
    assert entries[0]["source"] == "synthetic"
    assert log["summary"]["suppressed_cells"] == 2


def test_export_refuses_what_it_cannot_write(tmp_path):
    with pytest.raises(ArgumentError):
        export(object(), tmp_path / "x.csv")
    with pytest.raises(ArgumentError, match="figure is written as"):
        export(_figure(), tmp_path / "x.csv")


# ------------------------------------------------------------------------- property
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    counts=st.lists(st.integers(0, 40), min_size=1, max_size=8),
    threshold=st.integers(2, 12),
)
def test_no_small_count_or_its_share_is_ever_written(tmp_path, counts, threshold):
    n = np.array(counts)
    total = max(int(n.sum()), 1)
    frame = declare_table(
        pd.DataFrame({"group": [f"g{i}" for i in range(len(n))], "persons": n,
                      "share": n / total}),
        counts=["persons"], dependent=["share"],
    )  # fmt: skip
    with output_rules(threshold=threshold):
        path = export_table(frame, tmp_path / "t.csv")
    written = pd.read_csv(path, dtype=str)
    for value, count, share in zip(written["persons"], n, written["share"], strict=True):
        if 0 < count < threshold:
            assert value == f"<{threshold}" and share == "x"
        else:
            assert value == str(count)


def test_a_small_complement_suppresses_the_part_and_its_share(tmp_path):
    # 37 of 40 employed: the 3 not employed follow by subtraction.
    t = declare_table(
        pd.DataFrame({"unit": ["a", "b"], "employed": [37, 20], "n": [40, 40],
                      "share": [37 / 40, 0.5]}),
        counts=["employed", "n"], dependent=["share"], complements={"employed": "n"},
    )  # fmt: skip
    out, record = gate_table(t, "t.csv")
    assert out["employed"].tolist() == ["x", 20] and out["share"].tolist() == ["x", 0.5]
    assert out["n"].tolist() == [40, 40]
    assert ("employed", 0, "complement") in {
        (s["column"], s["row"], s["reason"]) for s in record.suppressed
    }
    with pytest.raises(ArgumentError, match="complements pairs declared counts"):
        declare_table(t, counts=["n"], complements={"employed": "n"})


def test_column_subsets_of_declared_tables():
    t = _frame()
    out, _ = gate_table(t[["arm", "persons"]], "t.csv")  # the declaration follows the subset
    assert out["persons"].tolist() == [178, "<5"]
    assert gate_table(t[["arm"]], "t.csv")[0]["arm"].tolist() == ["treated", "control"]
    with pytest.raises(DisclosureError, match="rest on counts of persons that were dropped"):
        gate_table(t[["arm", "share"]], "t.csv")


def test_cpr_in_a_folder_name_or_an_artist_id_is_refused(tmp_path):
    folder = tmp_path / f"case {CPR}"
    with pytest.raises(PrivacyError) as caught:
        export_table(_frame(), folder / "t.csv")
    assert "010190" not in str(caught.value)
    with pytest.raises(PrivacyError):
        save_figure(_figure(), folder / "fig", formats=("svg",))
    assert not folder.exists()
    fig = _figure()
    fig.axes[0].lines[0].set_gid(f"line {CPR}")  # SVG files keep ids
    with pytest.raises(PrivacyError):
        save_figure(fig, tmp_path / "fig", formats=("svg",))
