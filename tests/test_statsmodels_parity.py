"""Where evalkit now computes with statsmodels, and where it keeps its own code: the numbers
that decided it (issue 13; the table is docs/peers.md)."""

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.stats.power import TTestIndPower
from survival_data import survival_frames

from evalkit.design import power_means, power_proportions
from evalkit.design.power import cohen_h
from evalkit.inference import adjust_pvalues
from evalkit.survival import discrete_time_hazard
from evalkit.survival.discrete import _baseline, person_period


# --------------------------------------------------------------------------- p-values
def hand_written(p, method):
    """evalkit's adjust_pvalues before issue 13 (its own step-up / step-down code)."""
    p = np.asarray(p, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    ranked, i = p[order], np.arange(1, m + 1)
    if method == "bonferroni":
        return np.minimum(p * m, 1.0)
    if method == "holm":
        out = np.minimum(np.maximum.accumulate((m - i + 1) * ranked), 1.0)
    elif method == "hochberg":
        out = np.minimum(np.minimum.accumulate(((m - i + 1) * ranked)[::-1])[::-1], 1.0)
    else:
        ecdf = i / float(m)
        if method == "by":
            ecdf = ecdf / np.sum(1.0 / i)
        out = np.minimum(np.minimum.accumulate((ranked / ecdf)[::-1])[::-1], 1.0)
    adjusted = np.empty(m)
    adjusted[order] = out
    return adjusted


@pytest.mark.parametrize("method", ["bonferroni", "holm", "hochberg", "bh", "by"])
@pytest.mark.parametrize("seed", range(3))
def test_multipletests_equals_the_hand_written_adjustment_bit_for_bit(method, seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(size=200) ** 4
    p[[5, 9, 40]] = p[3]
    np.testing.assert_array_equal(adjust_pvalues(p, method), hand_written(p, method))


# --------------------------------------------------------------------------- power
@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
@pytest.mark.parametrize(("n1", "n0"), [(178, 172), (35, 55), (60, 60)])
def test_statsmodels_normal_powers_equal_the_closed_forms(strict, alternative, n1, n0):
    p0, p1 = 0.14, 0.24
    h = cohen_h(p1, p0)
    z = stats.norm.isf(0.05 / 2 if alternative == "two-sided" else 0.05)
    root = h * math.sqrt(n1 * n0 / (n1 + n0))
    pbar = (n1 * p1 + n0 * p0) / (n1 + n0)
    se0 = math.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n0))
    se1 = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    d = p1 - p0
    if alternative == "two-sided":
        want_h = stats.norm.cdf(root - z) + strict * stats.norm.cdf(-root - z)
        want_p = stats.norm.cdf((d - z * se0) / se1) + strict * stats.norm.cdf((-d - z * se0) / se1)
    else:
        sign = 1 if alternative == "greater" else -1
        want_h = stats.norm.cdf(sign * root - z)
        want_p = stats.norm.cdf((sign * d - z * se0) / se1)
    got_h = power_proportions(p0, p1, n1, n0, alternative=alternative, method="cohen_h",
                              strict=strict).power  # fmt: skip
    got_p = power_proportions(p0, p1, n1, n0, alternative=alternative, strict=strict).power
    assert got_h == pytest.approx(want_h, rel=1e-12, abs=1e-300)
    assert got_p == pytest.approx(want_p, rel=1e-12, abs=1e-300)


def test_t_power_stays_evalkits_statsmodels_is_nan_far_out():
    # same formula where statsmodels is defined (its two-sided power is strict = TRUE)
    for d, n1, n0 in [(0.3, 178, 172), (0.5, 40, 40), (0.8, 12, 30)]:
        sm = TTestIndPower().power(d, n1, 0.05, ratio=n0 / n1)
        assert power_means(d, 1, n1, n0, strict=True).power == pytest.approx(sm, rel=1e-9)
    # the gap: statsmodels 0.15's nctdtr lower tail is NaN here; R's pwr.t2n.test gives 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert math.isnan(TTestIndPower().power(4.0, 35, 0.05, ratio=55 / 35))
    assert power_means(4, 1, 35, 55, strict=True).power == 1.0


# --------------------------------------------------------------------------- discrete time
@pytest.fixture(scope="module")
def lung_design():
    lung = survival_frames()["lung"]
    origin, week, y = person_period(lung["quarters"].to_numpy(), lung["event_q10"].to_numpy())
    x, _ = _baseline(week, "dummies")
    x = np.column_stack([x, lung[["age", "female"]].to_numpy(float)[origin]])
    return lung, x, y, origin


def test_statsmodels_glm_gives_evalkits_estimates_but_not_rs_cluster_se(lung_design):
    lung, x, y, origin = lung_design
    ours = discrete_time_hazard(lung, "quarters", "event_q10", ["age", "female"])
    model = GLM(y, x, family=families.Binomial(link=families.links.CLogLog()))
    fit = model.fit(method="IRLS", tol=1e-13, cov_type="cluster",
                    cov_kwds={"groups": origin, "use_correction": False})  # fmt: skip
    np.testing.assert_allclose(fit.params, ours.terms["estimate"], rtol=1e-7)
    assert fit.llf == pytest.approx(ours.loglik, rel=1e-12)
    n_clusters = len(lung)
    sm_se = np.sqrt(np.diag(fit.cov_params()) * n_clusters / (n_clusters - 1))
    gap = np.max(np.abs(sm_se / ours.terms["std_error"].to_numpy() - 1))
    # statsmodels' bread is the observed Hessian; R's vcovCL (and evalkit) the expected
    # information: 1.35% apart with the cloglog link (docs/peers.md)
    assert 0.01 < gap < 0.02


def test_cluster_sandwich_factor_is_rs_not_statsmodels_default():
    reference = json.loads((Path(__file__).parent / "reference" / "survival_km.json").read_text())
    case = next(c for c in reference["cases"] if c["name"] == "dt_colon_weeks_quadratic")
    frame = survival_frames()[case["data"]]
    ours = discrete_time_hazard(frame, **case["args"]).terms
    want = pd.DataFrame(case["terms"])
    np.testing.assert_allclose(ours["std_error"], want["std_error"], rtol=1e-6)
    # statsmodels' default use_correction=True adds (N - 1) / (N - K): 1.35e-5 away
    origin, week, y = person_period(frame["weeks"].to_numpy(), frame["status"].to_numpy())
    x, _ = _baseline(week, "quadratic")
    x = np.column_stack([x, frame[["treated", "age"]].to_numpy(float)[origin]])
    fit = GLM(y, x, family=families.Binomial()).fit(
        method="IRLS", tol=1e-13, cov_type="cluster", cov_kwds={"groups": origin}
    )
    gap = np.max(np.abs(np.sqrt(np.diag(fit.cov_params())) / want["std_error"] - 1))
    assert 1e-6 < gap < 1e-4
