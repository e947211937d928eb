"""Kaplan-Meier, G-rho tests, RMST and discrete-time hazards against R (survival_km.json).

The values come from tests/reference/survival_km.R (run by make_survival_reference.sh).
"""

import pandas as pd
import pytest
from json_cases import close, load_cases
from survival_data import survival_frames

from evalkit.survival import (
    discrete_time_hazard,
    kaplan_meier,
    logrank_test,
    rmst_difference,
)

REFERENCE, CASES = load_cases("survival_km.json")


@pytest.fixture(scope="module")
def frames():
    data = survival_frames()
    data["cgd"] = data["cgd"].assign(gap=lambda d: d.tstop - d.tstart)
    return data


@pytest.mark.parametrize("case", CASES["kaplan_meier"], ids=lambda c: c["name"])
def test_kaplan_meier(case, frames):
    curve = kaplan_meier(frames[case["data"]], **case["args"])
    want = pd.DataFrame(case["table"])
    got = curve.table
    assert len(got) == len(want)
    if "group" in case["args"]:
        close(got["group"], want["group"])
    for column in [
        "time",
        "n_risk",
        "n_event",
        "n_censored",
        "survival",
        "std_error",
        "ci_low",
        "ci_high",
    ]:
        close(got[column], want[column])
    median = curve.median()
    for column in ["median", "ci_low", "ci_high"]:
        close(median[column], pd.DataFrame(case["median"])[column])
    if "rmst" in case:
        rmst = curve.rmst(case["rmst"]["tau"])
        close(rmst["rmst"], case["rmst"]["rmst"])
        close(rmst["std_error"], case["rmst"]["std_error"])
    if "at_risk" in case:
        at_risk = curve.at_risk(case["at_risk"]["times"])
        close(at_risk["n_risk"], case["at_risk"]["n_risk"])


@pytest.mark.parametrize("case", CASES["logrank_test"], ids=lambda c: c["name"])
def test_logrank(case, frames):
    result = logrank_test(frames[case["data"]], **case["args"])
    close(result.statistic, case["statistic"])
    assert result.df == case["df"]
    close(result.p_value, case["p_value"])
    close(result.observed, case["observed"])
    close(result.expected, case["expected"])
    close(result.variance, case["variance"])


@pytest.mark.parametrize("case", CASES["rmst_difference"], ids=lambda c: c["name"])
def test_rmst_difference(case, frames):
    result = rmst_difference(frames[case["data"]], **case["args"])
    close(result.estimate, case["estimate"])
    close(result.std_error, case["std_error"])
    close(result.conf_int, [case["conf_low"], case["conf_high"]])
    close(result.p_value, case["p_value"])


@pytest.mark.parametrize("case", CASES["discrete_time_hazard"], ids=lambda c: c["name"])
def test_discrete_time_hazard(case, frames):
    result = discrete_time_hazard(frames[case["data"]], **case["args"])
    got = result.to_frame().set_index("term")
    want = pd.DataFrame(case["terms"]).set_index("term")
    assert list(got.index) == list(want.index)
    close(got["estimate"], want["estimate"])
    close(got["std_error"], want["std_error"])
    close(result.loglik, case["loglik"])
