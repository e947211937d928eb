"""state_occupation, nelson_aalen and mean_cumulative_function: input checks, no mutation,
the published (safe) tables and the figure. The numbers are checked against R in
test_multistate_reference.py."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "reference"))
from multistate_data import frames, weekly_panel  # noqa: E402

import evalkit  # noqa: E402
from evalkit.errors import ArgumentError, DesignError, OutcomeError  # noqa: E402
from evalkit.output.declare import declaration  # noqa: E402
from evalkit.report import state_occupation_plot  # noqa: E402
from evalkit.survival import (  # noqa: E402
    mean_cumulative_function,
    nelson_aalen,
    panel_transitions,
    state_occupation,
)

ROWS = pd.DataFrame(
    {
        "id": [1, 1, 2, 3, 3, 4, 5],
        "start": [-1, 2, -1, -1, 1, -1, -1],
        "stop": [2, 5, 3, 1, 4, 6, 2],
        "from": ["benefit", "job", "benefit", "benefit", "job", "job", "benefit"],
        "to": ["job", "benefit", None, "job", "educ", None, "job"],
    }
)


@pytest.fixture(scope="module")
def weekly():
    panel, trial = weekly_panel()
    return panel, trial, state_occupation(panel, trial=trial, treatment="treated")


def test_probabilities_add_up_and_data_untouched(weekly):
    before = ROWS.copy()
    fit = state_occupation(ROWS)
    pd.testing.assert_frame_equal(ROWS, before)
    sums = fit.table.groupby("time")["probability"].sum()
    np.testing.assert_allclose(sums, 1.0)
    sums = weekly[2].table.groupby(["group", "time"])["probability"].sum()
    np.testing.assert_allclose(sums, 1.0)


def test_without_censoring_the_probability_is_the_weekly_share():
    codes = np.array([[0, 0, 1, 2, 2], [0, 1, 1, 0, 0], [2, 2, 0, 1, 1], [1, 0, 0, 0, 2]])
    panel = evalkit.StatusPanel(np.arange(4), codes, ("benefit", "job", "education"))
    fit = state_occupation(panel)
    for week in range(1, 5):
        got = fit.at([week]).set_index("state")["probability"]
        for k, state in enumerate(panel.states):
            assert got[state] == pytest.approx(np.mean(codes[:, week] == k))


def test_panel_rows_and_gaps():
    codes = np.array([[0, 0, -1, 1, 1]])
    rows = panel_transitions(evalkit.StatusPanel(np.array([9]), codes, ("benefit", "job")))
    assert rows[["start", "stop"]].values.tolist() == [[-1, 1], [2, 4]]
    assert rows["to"].isna().all() and rows["from"].tolist() == ["benefit", "job"]


def test_derived_from_states_equal_given_ones():
    rows = ROWS[ROWS["id"] != 4]  # everyone else starts on benefit
    given = state_occupation(rows)
    derived = state_occupation(rows.drop(columns="from"), from_state=None, initial="benefit")
    pd.testing.assert_frame_equal(derived.table, given.table)


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        (lambda d: d.assign(stop=d["start"]), OutcomeError, "start column 'start'"),
        (lambda d: d.assign(start=[-1, 1, -1, -1, 1, -1, -1]), DesignError, "overlap"),
        (lambda d: d.assign(to=d["from"]), DesignError, "move into the state"),
        (
            lambda d: d.assign(**{"from": ["benefit", "educ"] + list(d["from"][2:])}),
            DesignError,
            "another state",
        ),  # fmt: skip
        (lambda d: d.drop(columns="to"), Exception, "to"),
    ],
)
def test_input_errors_name_the_column_not_the_id(change, error, words):
    data = change(ROWS.copy())
    with pytest.raises(error, match=words) as info:
        state_occupation(data)
    assert "12345" not in str(info.value)


def test_from_state_or_initial_needed():
    with pytest.raises(ArgumentError, match="initial"):
        state_occupation(ROWS.drop(columns="from"), from_state=None)


def test_safe_table_rests_on_enough_persons(weekly):
    safe = weekly[2].safe_table(5)
    assert declaration(safe)["controlled_at"] == 5
    assert (safe["n_observed"] % 5 == 0).all() and (safe["n_observed"] >= 5).all()
    exact = weekly[2].at(safe["time"].unique())
    for row in safe.itertuples():  # the exact probabilities (merged states: their sum)
        match = exact[(exact["group"] == row.group) & (exact["time"] == row.time)
                      & (exact["state"] == row.state)]  # fmt: skip
        if len(match):
            assert match["probability"].iloc[0] == pytest.approx(row.probability)
    assert 0 < len(safe) < len(weekly[2].table)


def test_exact_table_export_suppresses_the_estimates(weekly):
    from evalkit.output.gate import gate_table

    out, _ = gate_table(weekly[2].to_frame(), "occupation.csv")
    assert (out["probability"].astype(str) == "x").all()


def test_figure_is_declared_and_drawn_in_danish(weekly):
    fig = state_occupation_plot(weekly[2], lang="da")
    assert fig._evalkit_output["threshold"] == 5
    assert fig.axes[0].get_title() == "Indsats"
    fig = state_occupation_plot(weekly[2], kind="line", disclosure=None)
    assert any(c.get_gid() == "band" for c in fig.axes[0].collections)
    with pytest.raises(ArgumentError, match="kind"):
        state_occupation_plot(weekly[2], kind="pie")


def test_nelson_aalen_and_mcf_checks():
    cgd = frames()["cgd"]
    before = cgd.copy()
    mcf = mean_cumulative_function(cgd, "tstop", "status", "id", start="tstart",
                                   treatment="treated")  # fmt: skip
    pd.testing.assert_frame_equal(cgd, before)
    assert mcf.robust and mcf.difference is not None
    assert (mcf.table["std_error"] > 0).any() and mcf.table[
        "mean_events"
    ].is_monotonic_increasing is False
    safe = mcf.safe_table(5)
    assert ((safe["n_event"] == 0) | (safe["n_event"] >= 5)).all()
    with pytest.raises(ArgumentError, match="ctype"):
        nelson_aalen(cgd, "tstop", "status", ctype=3)
    with pytest.raises(ArgumentError, match="id="):
        nelson_aalen(cgd, "tstop", "status", robust=True)
    with pytest.raises(DesignError, match="overlap"):
        nelson_aalen(cgd.assign(tstart=0), "tstop", "status", start="tstart", id="id")
    with pytest.raises(DesignError, match="no events"):
        nelson_aalen(cgd.assign(status=0), "tstop", "status")
    at = mcf.at([100, 1e6])
    assert at["mean_events"].iloc[1] != at["mean_events"].iloc[1]  # NaN beyond follow-up
