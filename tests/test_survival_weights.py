"""Case weights and clustered spells in Kaplan-Meier, log-rank and RMST against R
(survival_weights.json, written by tests/reference/survival_weights.R)."""

import numpy as np
import pandas as pd
import pytest
from json_cases import close, load_cases
from survival_weights_data import weights_frames

from evalkit.errors import ArgumentError
from evalkit.survival import cumulative_incidence, kaplan_meier, logrank_test, rmst_difference

REFERENCE, CASES = load_cases("survival_weights.json")


@pytest.fixture(scope="module")
def frames():
    return weights_frames()


@pytest.mark.parametrize("case", CASES["kaplan_meier"], ids=lambda c: c["name"])
def test_kaplan_meier(case, frames):
    data = frames[case["data"]]
    before = data.copy()
    curve = kaplan_meier(data, **case["args"])
    pd.testing.assert_frame_equal(data, before)  # the caller's frame is untouched
    assert curve.robust == case["robust"]
    want = pd.DataFrame(case["table"])
    got = curve.table
    assert len(got) == len(want)
    for column in ["time", "survival", "std_error", "ci_low", "ci_high"]:
        close(got[column], want[column])
    if "weights" not in case["args"]:  # R's n.risk is a weighted sum with weights
        close(got["n_risk"], want["r_n_risk"])
    median = curve.median()
    for column in ["median", "ci_low", "ci_high"]:
        close(median[column], pd.DataFrame(case["median"])[column])
    if "rmst" in case:
        rmst = curve.rmst(case["rmst"]["tau"])
        close(rmst["rmst"], case["rmst"]["rmst"])
        close(rmst["std_error"], case["rmst"]["std_error"])


@pytest.mark.parametrize("case", CASES["logrank_test"], ids=lambda c: c["name"])
def test_logrank(case, frames):
    result = logrank_test(frames[case["data"]], **case["args"])
    close(result.statistic, case["statistic"])
    assert result.df == case["df"]
    close(result.p_value, case["p_value"])


@pytest.mark.parametrize("case", CASES["rmst_difference"], ids=lambda c: c["name"])
def test_rmst_difference(case, frames):
    result = rmst_difference(frames[case["data"]], **case["args"])
    close(result.estimate, case["estimate"])
    close(result.std_error, case["std_error"])
    close(result.conf_int, [case["conf_low"], case["conf_high"]])
    close(result.p_value, case["p_value"])


def test_counts_stay_counts_of_rows(frames):
    """With weights the published counts are rows, never weighted sums, and the table
    is not declared as a plain curve (safe_curve would recompute an unweighted one)."""
    weekly = frames["weekly"]
    curve = kaplan_meier(weekly, "weeks", "exit", treatment="arm", weights="w", id="id")
    plain = kaplan_meier(weekly, "weeks", "exit", treatment="arm")
    for column in ["n_risk", "n_event", "n_censored"]:
        assert curve.table[column].tolist() == plain.table[column].tolist()
    assert not np.allclose(curve.table["survival"], plain.table["survival"])
    assert curve.table.attrs.get("disclosure_kind") != "curve"
    counts = curve._view_counts()
    persons = weekly.groupby("arm")["id"].nunique()
    assert counts["arm = 0: persons"] == persons[0]
    lr = logrank_test(weekly, "weeks", "exit", treatment="arm", weights="w", id="id")
    frame = lr.to_frame()
    assert frame["events"].tolist() == weekly.groupby("arm")["exit"].sum().tolist()
    assert frame["n"].tolist() == persons.tolist()


def test_unit_weights_reproduce_the_unweighted_results(frames):
    veteran = frames["veteran"].assign(one=1.0)
    w = kaplan_meier(veteran, "time", "status", treatment="treated", weights="one")
    u = kaplan_meier(veteran, "time", "status", treatment="treated")
    for column in ["survival", "std_error", "ci_low", "ci_high"]:
        close(w.table[column], u.table[column].to_numpy(), rel=1e-12)
    a = rmst_difference(veteran, "time", "status", "treated", tau=365, weights="one")
    b = rmst_difference(veteran, "time", "status", "treated", tau=365)
    close(a.std_error, b.std_error, rel=1e-12)
    # untied times: the weighted Cox score test is the log-rank test
    untied = veteran.drop_duplicates("time")
    c = logrank_test(untied, "time", "status", treatment="treated", weights="one")
    d = logrank_test(untied, "time", "status", treatment="treated")
    close(c.statistic, d.statistic, rel=1e-10)


def test_input_errors_name_the_column(frames):
    weekly = frames["weekly"]
    bad = weekly.assign(w=np.where(np.arange(len(weekly)) == 3, -1.0, weekly["w"]))
    with pytest.raises(ArgumentError, match="'w'"):
        kaplan_meier(bad, "weeks", "exit", weights="w")
    with pytest.raises(ArgumentError, match="rho"):
        logrank_test(weekly, "weeks", "exit", treatment="arm", id="id", rho=1)
    mixed = weekly.assign(id=weekly["id"].astype(object))
    mixed.loc[0, "id"] = "x"
    with pytest.raises(ArgumentError) as info:
        kaplan_meier(mixed, "weeks", "exit", id="id")
    assert "'id'" in str(info.value) and "1007" not in str(info.value)


@pytest.mark.parametrize("case", CASES["cumulative_incidence"], ids=lambda c: c["name"])
def test_cumulative_incidence(case, frames):
    """Aalen-Johansen with case weights / spells clustered on the person, against R's
    survfit(Surv(time, factor(event)) ~ group, weights = ) (pstate, std.err; clustered:
    survfit's influence = TRUE summed per person). Cause 0 in R's table is the survival."""
    data = frames[case["data"]]
    before = data.copy()
    fit = cumulative_incidence(data, **case["args"])
    pd.testing.assert_frame_equal(data, before)
    want = pd.DataFrame(case["table"])
    group = case["args"].get("group")
    keys = (["group"] if group else []) + ["cause", "time"]
    got = fit.table.sort_values(keys).reset_index(drop=True)
    causes = want[want["cause"] > 0].sort_values(keys).reset_index(drop=True)
    assert len(got) == len(causes)
    close(got["time"], causes["time"])
    close(got["cumulative_incidence"], causes["cumulative_incidence"])
    close(got["std_error"], causes["std_error"])
    surv = fit.survival.sort_values([k for k in keys if k != "cause"]).reset_index(drop=True)
    states = want[want["cause"] == 0].sort_values(keys).reset_index(drop=True)
    close(surv["survival"], states["cumulative_incidence"])
    close(surv["std_error"], states["std_error"])


def test_cumulative_incidence_options(frames):
    weekly = frames["weekly"]
    plain = cumulative_incidence(weekly, "weeks", "dest", treatment="arm")
    ones = cumulative_incidence(
        weekly.assign(one=1.0), "weeks", "dest", treatment="arm", weights="one"
    )
    for column in ["cumulative_incidence", "std_error", "n_risk", "n_event"]:
        close(ones.table[column], plain.table[column], rel=1e-10)
    assert plain.table.attrs != ones.table.attrs  # not declared as a plain curve
    with pytest.raises(ArgumentError, match="robust"):
        cumulative_incidence(weekly, "weeks", "dest", id="id", robust=False)
    with pytest.raises(ArgumentError, match="id must be"):
        cumulative_incidence(weekly, "weeks", "dest", id=["id"])
