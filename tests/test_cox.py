"""evalkit.survival.cox against R's survival::coxph, cox.zph and concordance.

The reference numbers come from tests/reference/cox.R (run by make_cox_reference.sh);
each case names the arguments of the evalkit call that must reproduce R to 1e-6
relative. R is not needed to run these tests.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from survival_data import survival_frames

from evalkit.errors import (
    ArgumentError,
    DesignError,
    MissingValueError,
    MissingValueWarning,
    OutcomeError,
)
from evalkit.survival.cox import CoxResult, cox

# The package exports the function `cox`, which hides the module of the same name.
cox_module = importlib.import_module("evalkit.survival.cox")

REFERENCE = json.loads((Path(__file__).parent / "reference" / "cox.json").read_text())
CASES = REFERENCE["cases"]
REL = 1e-6


@pytest.fixture(scope="module")
def frames():
    return survival_frames()


def case_frame(frames, case):
    data = frames[case["data"]]
    derived = case.get("derive") or {}
    if derived:
        data = data.assign(**{col: data.eval(expr) for col, expr in derived.items()})
    return data


def close(got, want, what):
    got = np.atleast_1d(np.asarray(got, dtype=float))
    want = np.atleast_1d(np.asarray(want, dtype=float))
    assert got.shape == want.shape, what
    np.testing.assert_allclose(got, want, rtol=REL, atol=1e-300, err_msg=what)


# -- every case against R ------------------------------------------------------------------


@pytest.fixture(params=["default", "grouped", "rowwise"])
def aggregation(request, monkeypatch):
    """Run the R comparison with both ways of forming risk-set sums."""
    share = {"default": cox_module._GROUPED_SHARE, "grouped": 2.0, "rowwise": 0.0}
    monkeypatch.setattr(cox_module, "_GROUPED_SHARE", share[request.param])
    return request.param


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_r(case, frames, aggregation):
    fit = cox(case_frame(frames, case), **case["args"])
    name = case["name"]
    assert fit.terms == case["terms"]
    assert fit.n == case["n"] and fit.n_events == case["n_events"]
    close(fit.coefficients, case["coef"], f"{name} coefficients")
    close(fit.naive_std_error, case["std_error"], f"{name} std_error")
    if case["robust_std_error"] is None:
        assert fit.robust_std_error is None
    else:
        close(fit.robust_std_error, case["robust_std_error"], f"{name} robust_std_error")
    close(fit.loglik, case["loglik"], f"{name} loglik")
    close(fit.loglik_null, case["loglik_null"], f"{name} loglik_null")
    for test in ("lr_test", "wald_test", "score_test", "robust_score_test"):
        want = case[test]
        got = getattr(fit, test)
        if want is None:
            assert got is None, test
            continue
        close(got.statistic, want["statistic"], f"{name} {test} statistic")
        close(got.p_value, want["p_value"], f"{name} {test} p")
        assert got.df == want["df"]
    close(fit.concordance, case["concordance"], f"{name} concordance")
    close(fit.concordance_se, case["concordance_se"], f"{name} concordance se")
    for transform, table in (case["zph"] or {}).items():
        ours = fit.ph_test(transform)
        assert ours["term"].tolist() == table["term"]
        assert ours["df"].tolist() == table["df"]
        close(ours["chisq"], table["chisq"], f"{name} zph {transform} chisq")
        close(ours["p"], table["p"], f"{name} zph {transform} p")


def test_reference_covers_the_brief():
    names = {c["name"] for c in CASES}
    args = [c["args"] for c in CASES]
    assert {a["ties"] for a in args} == {"efron", "breslow"}
    assert any("strata" in a for a in args)
    assert any("cluster" in a and "entry" in a for a in args)  # Andersen-Gill
    assert any(a.get("robust") and "cluster" not in a for a in args)
    assert any("weights" in a for a in args)
    assert {"km", "identity", "rank", "log"} <= {t for c in CASES for t in (c["zph"] or {})}
    assert {"veteran_efron", "colon_weeks_efron", "cgd_andersen_gill"} <= names


# -- concordance against a direct pair count ----------------------------------------------


def brute_concordance(lp, time, status, entry=None, strata=None, w=None, cluster=None):
    """R's concordancefit (timewt "n", reverse) by looping over events; O(n^2)."""
    n = len(lp)
    w = np.ones(n) if w is None else w
    s = np.zeros(n, dtype=int) if strata is None else strata
    imat = np.zeros((n, 3))
    counts = np.zeros(3)
    for j in np.flatnonzero(status == 1):
        t = time[j]
        at_risk = (s == s[j]) & ((time > t) | ((time == t) & (status == 0)))
        if entry is not None:
            at_risk &= entry < t
        k = np.flatnonzero(at_risk)
        sets = (lp[k] > lp[j], lp[k] < lp[j], lp[k] == lp[j])
        for col, mask in enumerate(sets):
            counts[col] += w[j] * w[k][mask].sum()
            imat[j, col] += w[k][mask].sum()
        imat[k[sets[0]], 0] += w[j]
        imat[k[sets[1]], 1] += w[j]
        imat[k[sets[2]], 2] += w[j]
    npair = counts.sum()
    somer = (counts[0] - counts[1]) / npair
    dfbeta = w * ((imat[:, 0] - imat[:, 1]) / npair - somer / npair * imat.sum(axis=1))
    if cluster is not None:
        dfbeta = np.bincount(cluster, weights=dfbeta)
    return (1 - somer) / 2, math.sqrt((dfbeta**2).sum()) / 2


def test_concordance_matches_pair_count():
    rng = np.random.default_rng(3)
    for _ in range(40):
        n = int(rng.integers(20, 120))
        categorical = rng.random() < 0.5
        x1 = rng.integers(0, 3, n).astype(float) if categorical else rng.normal(size=n)
        x2 = rng.integers(0, 2, n).astype(float)
        if rng.random() < 0.5:
            time = rng.integers(1, 12, n).astype(float)
        else:
            time = np.round(rng.exponential(5, n), 2) + 0.01
        status = (rng.random(n) < 0.7).astype(int)
        status[0] = 1
        entry = None
        if rng.random() < 0.4:
            entry = np.maximum(np.minimum(np.floor(time * rng.random(n) * 0.9), time - 0.005), 0)
        strata = rng.integers(0, 3, n) if rng.random() < 0.4 else None
        w = None
        if rng.random() < 0.4:
            w = rng.integers(1, 3, n).astype(float) if rng.random() < 0.5 else rng.random(n) + 0.5
        cluster = rng.integers(0, 10, n) if rng.random() < 0.3 else None
        x = np.vstack([x1, x2])
        x -= x.mean(axis=1, keepdims=True)
        rs = cox_module._RiskSets(time, status, entry, w, strata, x, True)
        lp = cox_module._linear_predictor(np.array([0.4, -0.3]), x)
        got = cox_module._concordance(
            lp[rs.rows], rs, cluster[rs.rows] if cluster is not None else None
        )
        want = brute_concordance(lp, time, status, entry, strata, w, cluster)
        np.testing.assert_allclose(got, want, rtol=1e-10)


# -- invariances ---------------------------------------------------------------------------


def test_integer_weights_equal_duplicated_rows(frames):
    # Breslow: a row of weight 2 is two rows. (Efron is not: d counts rows, so a weighted
    # tied event is one pseudo event, as in R.)
    lung = frames["lung"]
    args = dict(duration="weeks", event="event", covariates=["age", "ecog"], ties="breslow")
    weighted = cox(lung.assign(w=1 + lung["female"]), weights="w", **args)
    doubled = pd.concat([lung, lung.loc[lung["female"] == 1]], ignore_index=True)
    plain = cox(doubled, **args)
    np.testing.assert_allclose(weighted.coefficients, plain.coefficients, rtol=1e-10)
    np.testing.assert_allclose(weighted.naive_std_error, plain.naive_std_error, rtol=1e-10)
    assert weighted.loglik == pytest.approx(plain.loglik, rel=1e-12)


def test_breslow_equals_efron_without_ties():
    rng = np.random.default_rng(5)
    data = pd.DataFrame({"t": rng.exponential(size=80), "x": rng.normal(size=80)})
    data["d"] = (rng.random(80) < 0.8).astype(int)
    efron = cox(data, "t", "d", "x")
    breslow = cox(data, "t", "d", "x", ties="breslow")
    np.testing.assert_allclose(efron.coefficients, breslow.coefficients, rtol=1e-12)
    np.testing.assert_allclose(efron.naive_std_error, breslow.naive_std_error, rtol=1e-12)


def test_counting_process_split_equals_single_interval(frames):
    """Splitting a spell at a time with no event leaves the fit unchanged."""
    vet = frames["veteran"]
    split = []
    for _, row in vet.iterrows():
        cut = 25.5
        if row["time"] > cut:
            split.append({**row, "start": 0.0, "time": cut, "status": 0})
            split.append({**row, "start": cut})
        else:
            split.append({**row, "start": 0.0})
    split = pd.DataFrame(split)
    a = cox(vet, "time", "status", ["treated", "karno"])
    b = cox(split, "time", "status", ["treated", "karno"], entry="start")
    np.testing.assert_allclose(a.coefficients, b.coefficients, rtol=1e-10)
    np.testing.assert_allclose(a.naive_std_error, b.naive_std_error, rtol=1e-10)
    assert a.concordance == pytest.approx(b.concordance, rel=1e-12)


# -- peers on data without ties ------------------------------------------------------------


def untied_data(n=400, seed=11):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    group = rng.integers(0, 2, n)
    hazard = np.exp(0.5 * group + x @ np.array([0.3, -0.2]))
    t = rng.exponential(1 / hazard)
    c = rng.exponential(2.0, n)
    return pd.DataFrame(
        {"t": np.minimum(t, c), "d": (t <= c).astype(int), "g": group, "x1": x[:, 0], "x2": x[:, 1]}
    )


def test_coefficients_agree_with_lifelines_and_statsmodels():
    lifelines = pytest.importorskip("lifelines")
    from statsmodels.duration.hazard_regression import PHReg

    data = untied_data()
    assert data["t"].is_unique
    cols = ["g", "x1", "x2"]
    ours = cox(data, "t", "d", cols)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ll = lifelines.CoxPHFitter().fit(data[["t", "d", *cols]], "t", "d")
        sm = PHReg(data["t"], data[cols], status=data["d"], ties="efron").fit()
    np.testing.assert_allclose(ours.coefficients, ll.params_[cols].to_numpy(), rtol=1e-4)
    np.testing.assert_allclose(ours.coefficients, np.asarray(sm.params), rtol=1e-4)
    np.testing.assert_allclose(ours.naive_std_error, np.asarray(sm.bse), rtol=1e-4)
    assert ours.loglik == pytest.approx(sm.llf, rel=1e-8)


def reference(name):
    return next(c for c in CASES if c["name"] == name)


def max_rel(got, want):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return float(np.max(np.abs(got / want - 1)))


ROBUST_CASES = [
    "veteran_robust",
    "lung_cluster_inst",
    "colon_weeks_robust",
    "lung_weeks_cluster_inst",
]


def test_peers_robust_errors_differ_from_r(frames):
    """The documented differences (module docstring, "Where the Python peers differ")."""
    lifelines = pytest.importorskip("lifelines")
    from statsmodels.duration.hazard_regression import PHReg

    for name in ROBUST_CASES:
        case = reference(name)
        a = case["args"]
        data = case_frame(frames, case)
        cols = a["covariates"]
        groups = data[a["cluster"]].to_numpy() if "cluster" in a else np.arange(len(data))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kw = {"cluster_col": a["cluster"]} if "cluster" in a else {}
            used = data[[a["duration"], a["event"], *cols, *kw.values()]]
            ll = lifelines.CoxPHFitter().fit(used, a["duration"], a["event"], robust=True, **kw)
            sm = PHReg(data[a["duration"]], data[cols], status=data[a["event"]], ties="efron").fit(
                groups=groups
            )
        ours = cox(data, **a)
        close(ours.robust_std_error, case["robust_std_error"], name)
        # lifelines: 0.01-0.6 %, statsmodels: 0.02-2.5 % off R's robust standard errors
        assert 1e-5 < max_rel(ll.standard_errors_[cols], case["robust_std_error"]) < 0.01
        assert 1e-4 < max_rel(sm.bse, case["robust_std_error"]) < 0.03


@pytest.mark.parametrize("name", ["cgd_andersen_gill", "bladder2_andersen_gill"])
def test_statsmodels_entry_is_closed_on_the_left(frames, name):
    """statsmodels keeps a row at risk at its entry time; R and evalkit do not."""
    from statsmodels.duration.hazard_regression import PHReg

    case = reference(name)
    a = case["args"]
    data = case_frame(frames, case)
    cols = a["covariates"]

    def fit(shift):
        entry = data[a["entry"]].to_numpy(float) + shift
        return PHReg(
            data[a["duration"]], data[cols], status=data[a["event"]], entry=entry, ties="efron"
        ).fit()

    assert max_rel(fit(0.0).params, case["coef"]) > 0.01  # 1.7 % (cgd), 5.1 % (bladder2)
    assert max_rel(fit(1e-7).params, case["coef"]) < 1e-8  # open on the left: R's numbers
    close(cox(data, **a).coefficients, case["coef"], name)


# -- result object -------------------------------------------------------------------------


def test_result_contract(frames):
    fit = cox(frames["lung"], "time", "event", ["age", "female", "ecog"], cluster="inst")
    assert isinstance(fit, CoxResult)
    frame = fit.to_frame()
    assert frame.columns.tolist() == [
        "term",
        "estimate",
        "std_error",
        "statistic",
        "p_value",
        "conf_low",
        "conf_high",
        "naive_std_error",
        "hazard_ratio",
        "hr_conf_low",
        "hr_conf_high",
        "n",
        "n_events",
    ]
    # log scale in the core columns, as broom's tidy(coxph); the robust standard error
    # is the one behind the test and the interval
    np.testing.assert_allclose(frame["estimate"], fit.coefficients)
    np.testing.assert_allclose(frame["std_error"], fit.robust_std_error)
    np.testing.assert_allclose(frame["naive_std_error"], fit.naive_std_error)
    np.testing.assert_allclose(frame["hazard_ratio"], np.exp(fit.coefficients))
    z = 1.959963984540054
    np.testing.assert_allclose(
        frame["hr_conf_low"], np.exp(fit.coefficients - z * fit.robust_std_error), rtol=1e-12
    )
    np.testing.assert_allclose(
        frame["conf_low"], fit.coefficients - z * fit.robust_std_error, rtol=1e-12
    )
    np.testing.assert_allclose(fit.statistics, fit.coefficients / fit.robust_std_error)
    np.testing.assert_allclose(frame["statistic"], fit.statistics)
    # the surface is the first term's
    assert fit.terms[0] == "age"
    assert fit.estimate == fit.coefficients[0]
    assert fit.std_error == fit.robust_std_error[0]
    assert fit.conf_int == (frame["conf_low"].iloc[0], frame["conf_high"].iloc[0])
    assert fit.conf_low < fit.estimate < fit.conf_high
    assert fit.p_value == fit.p_values[0] and fit.statistic == fit.statistics[0]
    text = fit.summary()
    assert "robust se" in text and "Concordance" in text and "clusters: inst" in text
    assert "<table" in fit._repr_html_()
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.loglik = 0.0
    plain = cox(frames["lung"], "time", "event", ["age", "female"], alpha=0.1)
    assert "naive_std_error" not in plain.to_frame().columns
    assert plain.std_error == plain.naive_std_error[0]
    assert "90%" in plain.summary()
    zph = plain.ph_test("rank")
    assert zph.columns.tolist() == ["term", "chisq", "df", "p"]
    assert zph["term"].tolist() == ["age", "female", "GLOBAL"]


def test_input_frame_not_mutated(frames):
    data = frames["cgd"].copy()
    before = data.copy()
    cox(data, "tstop", "status", ["treated", "age"], entry="tstart", cluster="id")
    cox(data, "tstop", "status", ["treated", "age"], strata="steroids", ties="breslow")
    pd.testing.assert_frame_equal(data, before)


def test_missing_drop_warns(frames):
    lung = frames["lung"].copy()
    lung.loc[lung.index[:3], "age"] = np.nan
    with pytest.raises(MissingValueError, match="age"):
        cox(lung, "time", "event", ["age", "female"])
    with pytest.warns(MissingValueWarning, match="dropped 3"):
        fit = cox(lung, "time", "event", ["age", "female"], missing="drop")
    assert fit.n == len(lung) - 3


# -- bad inputs ----------------------------------------------------------------------------


@pytest.fixture()
def vet(frames):
    return frames["veteran"]


def test_negative_duration(vet):
    bad = vet.assign(time=vet["time"].where(vet.index != 4, -3))
    with pytest.raises(OutcomeError, match=r"duration column 'time' must be >= 0; 1 rows"):
        cox(bad, "time", "status", ["treated"])


def test_entry_not_below_duration(frames):
    cgd = frames["cgd"]
    bad = cgd.assign(tstart=cgd["tstart"].where(cgd.index != 0, cgd["tstop"].iloc[0]))
    with pytest.raises(OutcomeError, match="entry column 'tstart' must be >= 0 and below"):
        cox(bad, "tstop", "status", ["treated"], entry="tstart")


def test_event_not_binary(vet):
    bad = vet.assign(status=vet["status"].replace({1: 2}))
    with pytest.raises(OutcomeError, match=r"event column 'status' must be 0 \(censored\) / 1"):
        cox(bad, "time", "status", ["treated"])


def test_constant_covariate(vet):
    with pytest.raises(DesignError, match=r"covariate 'one' is constant \(the same value in all"):
        cox(vet.assign(one=1.0), "time", "status", ["treated", "one"])


def test_constant_within_strata(frames):
    colon = frames["colon"]
    with pytest.raises(DesignError, match="'sex2' is constant within every stratum of 'sex'"):
        cox(colon.assign(sex2=colon["sex"] * 2), "weeks", "status", ["age", "sex2"], strata="sex")


def test_collinear_covariates(vet):
    data = vet.assign(karno2=2 * vet["karno"] + 1)
    with pytest.raises(DesignError, match="'karno2' is collinear with 'karno'"):
        cox(data, "time", "status", ["treated", "karno", "karno2"])
    data = vet.assign(total=vet["age"] + vet["karno"])
    with pytest.raises(DesignError, match="'total' is collinear with 'karno', 'age'"):
        cox(data, "time", "status", ["karno", "age", "total"])


def test_monotone_likelihood(vet):
    # every row with early = 1 leaves before any row with early = 0: the partial
    # likelihood keeps rising as the coefficient of early goes to +infinity
    data = vet.assign(early=(vet["time"] <= vet["time"].median()).astype(int))
    with pytest.raises(DesignError, match=r"monotone likelihood: the coefficient of 'early'"):
        cox(data, "time", "status", ["karno", "early"])


def test_unknown_ties(vet):
    with pytest.raises(
        ArgumentError, match="ties must be one of 'efron', 'breslow', 'exact'; got 'discrete'"
    ):
        cox(vet, "time", "status", ["treated"], ties="discrete")


def test_other_argument_errors(vet):
    with pytest.raises(ArgumentError, match="at least one column"):
        cox(vet, "time", "status", [])
    with pytest.raises(ArgumentError, match="robust must be True or False"):
        cox(vet, "time", "status", ["treated"], robust="yes")
    with pytest.raises(ArgumentError, match="cluster must be a column name"):
        cox(vet, "time", "status", ["treated"], cluster=["trt"])
    with pytest.raises(ArgumentError, match="alpha"):
        cox(vet, "time", "status", ["treated"], alpha=2)
    with pytest.raises(DesignError, match="no events"):
        cox(vet.assign(status=0), "time", "status", ["treated"])
    with pytest.raises(ArgumentError, match="transform must be one of"):
        cox(vet, "time", "status", ["treated"]).ph_test("sqrt")
