"""State occupation, mean cumulative function and Nelson-Aalen against R (multistate.json).

The values come from tests/reference/multistate.R (run by make_multistate_reference.sh):
multi-state ``survfit`` (pstate, std.err, n.risk, n.event, transitions) on survival's mgus2
as a multi-state model and on a synthetic weekly panel whose rows R builds itself;
``survfit(..., id = id, robust = TRUE)`` cumhaz/std.chaz on cgd and bladder2; and
``ctype``/``stype = 2`` cumulative hazards and survival on veteran.
"""

import pandas as pd
import pytest
from json_cases import close, load_cases
from multistate_data import frames, weekly_panel

from evalkit.survival import mean_cumulative_function, nelson_aalen, state_occupation

REFERENCE, CASES = load_cases("multistate.json")


@pytest.fixture(scope="module")
def data():
    return frames()


def _fit_state_occupation(case, data):
    extra = case["python"]
    if extra.get("panel"):
        panel, trial = weekly_panel()
        return state_occupation(
            panel,
            trial=trial,
            treatment=extra.get("treatment"),
            p0_variance=bool(extra.get("p0_variance", False)),
        )
    rows = data[case["data"]].replace({"to": {"": None}})
    if extra.get("subset"):
        rows = rows[rows["sex"] == extra["subset"]]
    return state_occupation(
        rows,
        group=extra.get("group"),
        states=["entry", "pcm", "death"],
        p0_variance=bool(extra.get("p0_variance", False)),
    )


@pytest.mark.parametrize("case", CASES["state_occupation"], ids=lambda c: c["name"])
def test_state_occupation(case, data):
    fit = _fit_state_occupation(case, data)
    want = pd.DataFrame(case["table"])
    got = fit.table.copy()
    if "group" not in got:
        got["group"] = None
    key = ["group", "state", "time"]
    got["group"] = got["group"].astype(str)
    want["group"] = want["group"].astype(str)
    if case["group"] is None:
        got["group"] = want["group"] = "all"
    got = got.sort_values(key).reset_index(drop=True)
    want = want.sort_values(key).reset_index(drop=True)
    assert len(got) == len(want)
    assert (got["state"] == want["state"]).all() and (got["group"] == want["group"]).all()
    for column in ["time", "probability", "std_error", "ci_low", "ci_high", "n_risk", "n_event"]:
        close(got[column], want[column])
    # R's n.censor is per time (all states); ours per state
    censored = got.groupby(["group", "time"])["n_censored"].sum().to_numpy()
    close(censored, want.groupby(["group", "time"])["n_censored_total"].first().to_numpy())
    # transition counts (all groups together) and occurrence/exposure rates
    trans = pd.DataFrame(case["transitions"])
    moves = trans[(trans["to"] != "(censored)") & (trans["n"] > 0)]
    ours = fit.transitions.groupby(["from", "to"])["n_transitions"].sum()
    for row in moves.itertuples():
        assert ours[(row[1], row[2])] == row.n
    assert ours.sum() == moves["n"].sum()
    rates = pd.DataFrame(case["rates"])
    rates = rates[rates["Freq"] > 0]
    time = fit.transitions.groupby(["from", "to"])["person_time"].sum()
    counts = fit.transitions.groupby(["from", "to"])["n_transitions"].sum()
    for row in rates.itertuples():
        # R's rate is over all groups: moves and person-time summed over the groups
        close(counts[(row[1], row[2])] / time[(row[1], row[2])], row.rate)
    close(fit.p0["probability"], case["p0"])


@pytest.mark.parametrize("case", CASES["mcf"], ids=lambda c: c["name"])
def test_mean_cumulative_function(case, data):
    fit = mean_cumulative_function(data[case["data"]], **case["args"])
    want = pd.DataFrame(case["table"])
    got = fit.table
    assert len(got) == len(want)
    for column in ["group", "time", "n_risk", "n_event", "n_censored", "mean_events", "std_error"]:
        close(got[column], want[column])
    diff = pd.DataFrame(case["difference"])
    assert len(fit.difference) == len(diff)
    for column in ["time", "difference", "std_error", "ci_low", "ci_high", "p_value"]:
        close(fit.difference[column], diff[column])


@pytest.mark.parametrize("case", CASES["nelson_aalen"], ids=lambda c: c["name"])
def test_nelson_aalen(case, data):
    fit = nelson_aalen(data[case["data"]], **case["args"])
    want = pd.DataFrame(case["table"])
    got = fit.table
    assert len(got) == len(want)
    assert fit.robust == ("id" in case["args"])
    for column in want.columns:
        close(got[column], want[column])
