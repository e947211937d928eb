"""Cox curves, residuals, offsets, exact ties and split data against R's survival.

Reference numbers: tests/reference/cox_curves.R (run by make_cox_curves_reference.sh):
survfit.coxph predictions, basehaz, residuals.coxph of every type, adjusted curves as the
average of survfit(fit, newdata) with the arm set and their RMST, coxph with offset() and
ties = "exact", and a tt() model against survSplit data. R is not needed to run them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from survival_data import survival_frames

import evalkit
from evalkit.errors import ArgumentError, MissingValueError
from evalkit.output.declare import declaration
from evalkit.survival import (
    AdjustedSurvival,
    adjusted_survival,
    baseline_hazard,
    cox,
    cox_residuals,
    predict_survival,
    split_at,
)

REFERENCE = json.loads((Path(__file__).parent / "reference" / "cox_curves.json").read_text())
REL = 1e-6


@pytest.fixture(scope="module")
def frames():
    out = survival_frames()
    out["veteran"] = out["veteran"].assign(off=0.01 * out["veteran"]["age"])
    return out


def close(got, want, what, rel=REL):
    got = np.asarray(got, dtype=float)
    want = np.asarray(want, dtype=float)
    if want.ndim == 0 and got.shape == (1,):
        want = want.reshape(1)  # jsonlite writes a length-one vector as a number
    assert got.shape == want.shape, f"{what}: shape {got.shape} vs {want.shape}"
    # relative, with an absolute floor for values that are zero in R (1e-9 of the scale)
    atol = 1e-9 * max(float(np.max(np.abs(want), initial=0.0)), 1e-300)
    np.testing.assert_allclose(got, want, rtol=rel, atol=atol, err_msg=what)


def fit_case(frames, case, **extra):
    kwargs = {"ties": case["ties"]} if "ties" in case else {}
    for key in ("entry", "strata", "offset"):
        if case.get(key):
            kwargs[key] = case[key]
    kwargs.update(extra)
    return cox(frames[case["data"]], case["duration"], case["event"], case["covariates"], **kwargs)


CASES = REFERENCE["cases"]


def shaped(column, want, n_profiles, k):
    """R's summary(survfit) is (times, profiles); with strata in newdata one curve per
    profile, stacked (profile-major)."""
    values = column.to_numpy()
    if np.shape(want)[1] == 1 and n_profiles > 1:
        return values[:, None]
    return values.reshape(n_profiles, k).T


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_predictions_match_survfit(case, frames):
    fit = fit_case(frames, case)
    close(fit.coefficients, case["coef"], "coef")
    close([fit.loglik_null, fit.loglik], case["loglik"], "loglik")
    profiles = pd.DataFrame(case["profiles"])
    pred = fit.predict_survival(profiles, times=case["times"])
    k = len(case["times"])
    for column, key in (
        ("survival", "surv"),
        ("cumulative_hazard", "cumhaz"),
        ("conf_low", "lower"),
        ("conf_high", "upper"),
    ):
        got = shaped(pred[column], case[key], len(profiles), k)
        close(got, case[key], f"{case['name']} {column}")
    # summary.survfit's std.err is that of the survival: S * se(H)
    se = shaped(pred["std_error"] * pred["survival"], case["std_err"], len(profiles), k)
    close(se, case["std_err"], f"{case['name']} std.err")
    assert declaration(pred)["kind"] == "curve"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_baseline_hazard_matches_basehaz(case, frames):
    fit = fit_case(frames, case)
    bh = case["basehaz"]
    if bh["strata"] is None:
        got = fit.baseline_hazard(times=bh["time"])["cumulative_hazard"]
        if case.get("offset"):
            # R's basehaz is at the mean offset, evalkit's at offset 0
            got = got * np.exp(frames[case["data"]][case["offset"]].mean())
        close(got, bh["hazard"], "basehaz")
    else:
        times = np.asarray(bh["time"])
        labels = np.asarray(bh["strata"])
        full = baseline_hazard(fit, times=np.unique(times))
        for level in np.unique(labels):
            value = int(level.split("=")[1])
            part = full[full["stratum"] == value].set_index("time")["cumulative_hazard"]
            want = np.asarray(bh["hazard"])[labels == level]
            close(part.loc[times[labels == level]].to_numpy(), want, f"basehaz {level}")


RESIDUALS = ["martingale", "deviance", "score", "schoenfeld", "scaledsch", "dfbeta", "dfbetas"]


@pytest.mark.parametrize("kind", RESIDUALS)
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_residuals_match_r(case, kind, frames):
    fit = fit_case(frames, case)
    res = fit.residuals(kind)
    want = np.asarray(case["residuals"][kind], dtype=float)
    got = res[fit.terms].to_numpy() if kind not in ("martingale", "deviance") else res["residual"]
    got = np.asarray(got, dtype=float)
    if want.ndim == 1 and got.ndim == 2:
        got = got[:, 0]
    close(got, want, f"{case['name']} {kind}")
    assert declaration(res)["person_level"]


def test_martingale_residuals_sum_to_zero_and_index(frames):
    data = frames["lung"].copy()
    data.index = data.index + 1000
    fit = cox(data, "weeks", "event", ["age"])
    res = cox_residuals(fit, "martingale")
    assert list(res.index) == list(data.index)
    assert abs(res["residual"].sum()) < 1e-10


ADJUSTED = [c for c in CASES if c.get("adjusted")]


@pytest.mark.parametrize("case", ADJUSTED, ids=[c["name"] for c in ADJUSTED])
def test_adjusted_curves_match_averaged_survfit(case, frames):
    fit = fit_case(frames, case)
    adj = adjusted_survival(fit, case["arm"], times=case["times"], tau=case["tau"])
    assert isinstance(adj, AdjustedSurvival)
    for arm in case["adjusted"]:
        part = adj.table[adj.table["arm"] == arm["arm"]]
        close(part["survival"], arm["survival"], f"adjusted curve arm {arm['arm']}")
        rmst = adj.rmst.set_index("arm").loc[arm["arm"], "rmst"]
        close(rmst, arm["rmst"], f"adjusted rmst arm {arm['arm']}")
    diff = adj.rmst.set_index("arm").loc["difference", "rmst"]
    close(diff, case["adjusted"][1]["rmst"] - case["adjusted"][0]["rmst"], "rmst difference")
    assert (adj.rmst["std_error"] > 0).all()


def test_adjusted_curve_of_one_profile_is_the_survfit_interval(frames):
    """With every row the same profile the standardised curve is that profile's survfit
    curve, and its delta-method variance is survfit's (the covariate term is zero)."""
    case = CASES[0]
    fit = fit_case(frames, case)
    one = pd.DataFrame({"treated": [0], "karno": [60], "age": [60]})
    data = frames["veteran"].assign(karno=60, age=60)
    same = cox(data, "time", "status", ["treated"])
    adj = same.adjusted_survival(times=[30, 100])
    pred = same.predict_survival(pd.DataFrame({"treated": [0]}), times=[30, 100])
    part = adj.table[adj.table["arm"] == 0]
    close(part["survival"], pred["survival"], "curve")
    close(part["std_error"], pred["std_error"] * pred["survival"], "delta-method se")
    assert fit.predict_survival(one, times=[30])["survival"].iloc[0] < 1


def test_adjusted_rmst_variance_against_bootstrap(frames):
    """The delta-method RMST difference SE is within 25% of a seeded bootstrap's."""
    data = frames["veteran"]
    covs = ["karno", "age"]
    adj = cox(data, "time", "status", covs, treatment="treated").adjusted_survival(tau=365)
    rng = np.random.default_rng(20240518)
    draws = []
    for _ in range(150):
        boot = data.iloc[rng.integers(0, len(data), len(data))].reset_index(drop=True)
        fit = cox(boot, "time", "status", covs, treatment="treated")
        draws.append(fit.adjusted_survival(tau=365).rmst["rmst"].iloc[2])
    se = adj.rmst["std_error"].iloc[2]
    assert 0.75 < se / np.std(draws, ddof=1) < 1.25


EXACT = REFERENCE["exact"]


@pytest.mark.parametrize("case", EXACT, ids=[c["name"] for c in EXACT])
def test_exact_ties_match_r(case, frames):
    fit = fit_case(frames, case, ties="exact")
    close(fit.coefficients, case["coef"], "coef")
    close(fit.naive_std_error, case["std_error"], "se")
    close([fit.loglik_null, fit.loglik], case["loglik"], "loglik")
    close(fit.score_test.statistic, case["score_test"], "score test")
    close(fit.residuals("martingale")["residual"], case["martingale"], "martingale")


def test_exact_ties_limits_and_refusals(frames):
    d = pd.DataFrame({"t": [1] * 120 + [2] * 10, "e": [1] * 130, "x": np.arange(130) % 7})
    with pytest.raises(ArgumentError, match="largest group of tied events"):
        cox(d, "t", "e", ["x"], ties="exact")
    with pytest.raises(ArgumentError, match="exact"):
        cox(frames["veteran"], "time", "status", ["karno"], ties="exact", robust=True)
    fit = cox(frames["veteran"], "quarters", "status", ["karno"], ties="exact")
    with pytest.raises(ArgumentError, match="not available"):
        fit.residuals("score")


def test_tt_model_equals_split_fit(frames):
    tt = REFERENCE["tt"]
    vet = frames["veteran"]
    cuts = tt["cuts"]
    split = split_at(vet, cuts, stop="time", event="status")
    assert len(split) == tt["split_rows"]
    split["karno_logt"] = split["karno"] * np.log(split["time"])
    fit = cox(split, "time", "status", ["treated", "karno", "karno_logt"], entry="tstart")
    close(fit.coefficients, tt["coef"], "tt() coefficients")
    close(fit.coefficients, tt["split_coef"], "split coefficients")
    close(fit.naive_std_error, tt["std_error"], "tt() se")


def test_split_at_pieces_and_input_discipline(frames):
    d = pd.DataFrame({"start": [0, 5], "stop": [10, 8], "e": [1, 1], "x": [1.0, 2.0]})
    before = d.copy()
    out = split_at(d, [3, 5, 8, 12], stop="stop", event="e", start="start", episode="ep", id="row")
    pd.testing.assert_frame_equal(d, before)
    assert out[["start", "stop", "e", "ep", "row"]].values.tolist() == [
        [0, 3, 0, 1, 1],
        [3, 5, 0, 2, 1],
        [5, 8, 0, 3, 1],
        [8, 10, 1, 4, 1],
        [5, 8, 1, 3, 2],
    ]
    # the split fit equals the unsplit one
    vet = frames["veteran"]
    a = cox(vet, "time", "status", ["treated", "karno"])
    b = cox(
        split_at(vet, [50, 100, 200], stop="time", event="status"),
        "time",
        "status",
        ["treated", "karno"],
        entry="tstart",
    )
    close(b.coefficients, a.coefficients, "split = unsplit", rel=1e-10)
    with pytest.raises(ArgumentError, match="'nope'"):
        split_at(d, [1], stop="nope", event="e")
    with pytest.raises(ArgumentError, match="new column"):
        split_at(d, [1], stop="stop", event="e", start="start", id="x")
    with pytest.raises(MissingValueError, match="'stop'"):
        split_at(d.assign(stop=[np.nan, 8]), [1], stop="stop", event="e", start="start")


def test_profiles_validation(frames):
    fit = cox(frames["veteran"], "time", "status", ["treated", "karno"])
    with pytest.raises(ArgumentError, match="'karno'"):
        fit.predict_survival(pd.DataFrame({"treated": [1]}))
    with pytest.raises(MissingValueError, match="'karno'"):
        fit.predict_survival(pd.DataFrame({"treated": [1], "karno": [np.nan]}))
    strat = cox(frames["lung"], "weeks", "event", ["age"], strata="female")
    with pytest.raises(ArgumentError, match="'female'"):
        strat.predict_survival(pd.DataFrame({"age": [60]}))
    with pytest.raises(ArgumentError, match="kind"):
        fit.residuals("pearson")


def test_text_covariate_profiles(frames):
    vet = frames["veteran"]
    fit = cox(vet, "time", "status", ["treated", "celltype"])
    p = fit.predict_survival(
        pd.DataFrame({"treated": [0, 0], "celltype": ["adeno", "large"]}), times=[50]
    )
    by_dummy = cox(
        vet.assign(large=(vet["celltype"] == "large").astype(int)),
        "time",
        "status",
        ["treated", "celltype"],
    )
    assert p["survival"].iloc[0] != p["survival"].iloc[1]
    assert by_dummy.terms == fit.terms
    with pytest.raises(ArgumentError, match="not levels"):
        fit.predict_survival(pd.DataFrame({"treated": [0], "celltype": ["unknown"]}))


def test_exports():
    for name in (
        "predict_survival",
        "adjusted_survival",
        "baseline_hazard",
        "cox_residuals",
        "split_at",
        "AdjustedSurvival",
    ):
        assert hasattr(evalkit, name)
    assert predict_survival is evalkit.predict_survival


def test_adjusted_curves_do_not_depend_on_the_block_size(frames, monkeypatch):
    """The sums over persons are accumulated in blocks; blocks of a few persons (many
    pairwise updates, strata split across blocks) give the one-block result."""
    from evalkit.survival import cox_curves

    fit = cox(frames["lung"], "weeks", "event", ["female", "age"], strata="ecog")
    whole = fit.adjusted_survival("female", tau=50)
    monkeypatch.setattr(cox_curves, "_BLOCK_CELLS", 7)
    blocks = fit.adjusted_survival("female", tau=50)
    for a, b in ((whole.table, blocks.table), (whole.difference, blocks.difference)):
        cols = [c for c in a.columns if c not in ("arm", "n_risk")]
        np.testing.assert_allclose(b[cols].to_numpy(float), a[cols].to_numpy(float), rtol=1e-11)
    np.testing.assert_allclose(
        blocks.rmst[["rmst", "std_error"]].to_numpy(float),
        whole.rmst[["rmst", "std_error"]].to_numpy(float),
        rtol=1e-12,
    )


def test_profiles_at_once_equal_profiles_one_by_one(frames, monkeypatch):
    """Profiles are predicted together (grouped by stratum, in blocks) from a baseline kept
    with the fit: each equals its own call, in the order and with the labels given."""
    from evalkit.survival import cox_curves

    fit = cox(frames["lung"], "weeks", "event", ["female", "age"], strata="ecog")
    profiles = pd.DataFrame(
        {"female": [1, 0, 1, 0], "age": [50, 70, 61, 45], "ecog": [2, 0, 1, 0]}, index=[7, 3, 5, 1]
    )
    monkeypatch.setattr(cox_curves, "_BLOCK_CELLS", 5)
    together = fit.predict_survival(profiles, times=[5, 20, 40])
    assert together["profile"].tolist() == [7] * 3 + [3] * 3 + [5] * 3 + [1] * 3
    for i in range(len(profiles)):
        alone = fit.predict_survival(profiles.iloc[[i]], times=[5, 20, 40])
        part = together.iloc[3 * i : 3 * i + 3].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, alone, check_exact=False, rtol=1e-13)
    with pytest.raises(ArgumentError, match="no rows"):
        fit.predict_survival(profiles.iloc[:0])


def test_rows_at_risk_are_those_of_the_next_event_time(frames):
    """n_risk at a time is the rows at risk at the first event time at or after it (R's
    summary.survfit): at an event time, the rows still there at it."""
    data = frames["veteran"]
    fit = cox(data, "time", "status", ["karno"])
    times = np.array([1.0, 3.0, 7.0, 8.0, 9.5, 1000.0])
    pred = fit.predict_survival(pd.DataFrame({"karno": [60]}), times=times)
    event_times = np.unique(data.loc[data["status"] == 1, "time"])
    want = []
    for t in times:
        later = event_times[event_times >= t]
        want.append(int((data["time"] >= later[0]).sum()) if len(later) else 0)
    assert pred["n_risk"].tolist() == want
    adj = fit.adjusted_survival("karno", arms=(50, 70), times=times)
    assert adj.difference["n_risk"].tolist() == want
