"""Power, minimum detectable effects and sample sizes against R (power.prop.test,
power.t.test, pwr) on committed references, their round trips, and impossible targets."""

import json
import math
from pathlib import Path

import pytest
from scipy import stats

import evalkit.design as design
from evalkit.design import (
    mde_table,
    minimum_detectable_effect,
    n_for_power,
    power_means,
    power_proportions,
)
from evalkit.errors import ArgumentError, DesignError

REFERENCE = json.loads((Path(__file__).parent / "reference" / "inference.json").read_text())
# power_extra.json (power_extra.R): far out in the noncentral t, small unequal arms and
# sample sizes at every power, with and without strict and clusters (issue 13)
EXTRA = json.loads((Path(__file__).parent / "reference" / "power_extra.json").read_text())
CASES = REFERENCE["power"] + EXTRA["power"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_r(case):
    result = getattr(design, case["function"])(**case["args"])
    got = getattr(result, case["attribute"])
    assert got == pytest.approx(case["value"], rel=case["tolerance"]), case["r_call"]


def test_issue_13_regressions():
    # NaN: scipy's nct.cdf(-1.99, 88, 19.3) is NaN; the wrong-direction tail is 0 here
    assert power_means(4, 1, 35, 55, strict=True).power == 1.0
    # a raw scipy ValueError from brentq hitting that NaN
    assert minimum_detectable_effect(35, 55, outcome="mean", strict=True).effect_size == (
        pytest.approx(0.61248358527402, rel=1e-9)  # pwr.t2n.test, power_extra.json
    )
    # n = 1 per arm: the search started near df = 0, where the "power" climbs back to 1
    assert n_for_power(0.5, outcome="mean", power=0.6).n_control_exact == pytest.approx(
        40.1709007523898, rel=1e-9
    )
    for strict in (False, True):
        for power in (0.3, 0.6, 0.8, 0.95):
            for clusters in ({}, {"icc": 0.05, "cluster_size": 10}):
                n = n_for_power(0.5, outcome="mean", power=power, strict=strict, **clusters)
                assert n.n_control_exact > 15
                again = power_means(
                    0.5, 1, n.n_control_exact, n.n_control_exact, strict=strict, **clusters
                )
                assert again.power == pytest.approx(power, abs=1e-9)


def _tail_by_integration(q, df, ncp):
    """P(T'(df, ncp) > q) = E[Phi(ncp - q sqrt(V / df))], V ~ chi-square(df), by quadrature."""
    from scipy import integrate

    low, high = stats.chi2.ppf([1e-14, 1 - 1e-14], df)
    value, _ = integrate.quad(
        lambda v: stats.norm.sf(q * math.sqrt(v / df) - ncp) * stats.chi2.pdf(v, df),
        low,
        high,
        epsabs=0,
        epsrel=1e-11,
        limit=500,
        points=[df],
    )
    return value


@pytest.mark.parametrize("df", [2, 5, 30, 88, 1000])
@pytest.mark.parametrize("ncp", [0.1, 1.0, 3.0, 6.0, 10.0, 19.3, 40.0])
def test_wrong_direction_tail_is_accurate_or_negligible(df, ncp):
    from evalkit.design.power import _t_tail

    q = stats.t.isf(0.025, df)
    got, want = _t_tail(q, df, -ncp), _tail_by_integration(q, df, -ncp)
    assert math.isfinite(got) and 0 <= got <= stats.norm.cdf(-ncp)
    # accurate where it can move a power; below 1e-12 absolute where scipy is not
    assert got == pytest.approx(want, rel=1e-5, abs=1e-12)


def test_reference_covers_every_function():
    assert {c["function"] for c in CASES} == {
        "power_proportions",
        "power_means",
        "minimum_detectable_effect",
        "n_for_power",
    }


def test_pooled_power_with_unequal_arms_follows_the_documented_formula():
    p0, p1, n1, n0 = 0.14, 0.24, 178, 172
    pbar = (n1 * p1 + n0 * p0) / (n1 + n0)
    se0 = math.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n0))
    se1 = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    want = stats.norm.cdf((p1 - p0 - stats.norm.isf(0.025) * se0) / se1)
    assert power_proportions(p0, p1, n1, n0).power == pytest.approx(want, rel=1e-12)
    # Direction does not matter two-sided; one-sided it does.
    assert power_proportions(p1, p0, n1, n0).power == pytest.approx(
        power_proportions(p0, p1, n0, n1).power
    )
    assert power_proportions(p0, p1, n1, n0, alternative="less").power < 0.01


def test_strict_adds_the_wrong_tail():
    loose = power_proportions(0.3, 0.32, 50, 50, method="cohen_h", strict=False).power
    strict = power_proportions(0.3, 0.32, 50, 50, method="cohen_h").power
    h = 2 * math.asin(math.sqrt(0.32)) - 2 * math.asin(math.sqrt(0.3))
    assert strict - loose == pytest.approx(stats.norm.cdf(-h * 5 - stats.norm.isf(0.025)))
    assert power_means(0.0, 1, 30, 30).power == pytest.approx(0.025)
    assert power_means(0.0, 1, 30, 30, strict=True).power == pytest.approx(0.05)


@pytest.mark.parametrize("outcome", ["proportion", "mean"])
def test_minimum_detectable_effect_reaches_the_target_power(outcome):
    kwargs = {"baseline": 0.14} if outcome == "proportion" else {"sd": 5.1}
    mde = minimum_detectable_effect(178, 172, outcome=outcome, power=0.9, **kwargs)
    if outcome == "proportion":
        power = power_proportions(0.14, mde.treated_value, 178, 172, method="cohen_h").power
        assert mde.treated_value == pytest.approx(0.14 + mde.effect)
    else:
        power = power_means(mde.effect, 5.1, 178, 172).power
        assert mde.effect == pytest.approx(5.1 * mde.effect_size)
    assert power == pytest.approx(0.9, abs=1e-9)
    assert float(mde) == mde.effect
    assert "Minimum detectable effect" in mde.summary() and "<p>" in mde._repr_html_()


def test_pooled_minimum_detectable_effect():
    mde = minimum_detectable_effect(178, 172, baseline=0.14, method="pooled")
    assert power_proportions(0.14, 0.14 + mde.effect, 178, 172).power == pytest.approx(0.8)
    assert mde.effect == pytest.approx(0.1184, abs=0.003)  # close to Cohen's h answer


def test_design_effects_scale_the_effective_sample():
    base = minimum_detectable_effect(178, 172, baseline=0.14)
    deff = (1 - 0.3) * (1 + (10 - 1) * 0.05)
    designed = minimum_detectable_effect(
        178, 172, baseline=0.14, r2=0.3, icc=0.05, cluster_size=10, attrition=0.1
    )
    assert designed.effect_size == pytest.approx(base.effect_size * math.sqrt(deff / 0.9), rel=1e-9)
    same = power_proportions(0.14, 0.24, 178 * 0.9 / deff, 172 * 0.9 / deff, method="cohen_h")
    assert power_proportions(
        0.14, 0.24, 178, 172, method="cohen_h", r2=0.3, icc=0.05, cluster_size=10, attrition=0.1
    ).power == pytest.approx(same.power)
    clustered = power_means(0.3, 1, 178, 172, icc=0.05, cluster_size=10)
    assert "clusters of 10" in clustered.design_effects
    assert clustered.power < power_means(0.3, 1, 178, 172).power


@pytest.mark.parametrize(
    ("kwargs", "ratio"),
    [
        ({"effect": 0.10, "baseline": 0.14}, 1.0),
        ({"effect": 0.10, "baseline": 0.14, "method": "cohen_h"}, 178 / 172),
        ({"effect": 0.3, "outcome": "mean"}, 1.0),
        ({"effect": 1.5, "outcome": "mean", "sd": 5.1, "icc": 0.02, "cluster_size": 8}, 2.0),
    ],
)
def test_sample_size_round_trip(kwargs, ratio):
    n = n_for_power(ratio=ratio, **kwargs)
    assert n.n_treated_exact == pytest.approx(ratio * n.n_control_exact)
    assert n.n_treated >= n.n_treated_exact and n.n_control >= n.n_control_exact
    assert n.power >= 0.8
    assert n.n_total == n.n_treated + n.n_control and "Sample size" in n.summary()


def test_what_178_vs_172_can_detect():
    table = mde_table(178, 172, baselines=(0.14, 0.5), powers=(0.8, 0.9))
    assert table.loc[0.14, "power 0.8"] == pytest.approx(11.84, abs=0.01)
    assert (table["power 0.9"] > table["power 0.8"]).all()
    assert power_proportions(0.14, 0.14 + 0.1184, 178, 172, method="cohen_h").power == (
        pytest.approx(0.8, abs=1e-3)
    )


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: minimum_detectable_effect(178, 172, baseline=0.14, power=1.0), ArgumentError,
         "power must lie strictly between alpha"),
        (lambda: minimum_detectable_effect(178, 172, baseline=0.14, power=0.05), ArgumentError,
         r"alpha \(0.05\) and 1"),
        (lambda: n_for_power(0.1, baseline=0.14, power=1.2), ArgumentError, "power must lie"),
        (lambda: power_proportions(0.0, 0.2, 100, 100), ArgumentError,
         "p_control must be a proportion strictly between 0 and 1"),
        (lambda: power_proportions(0.1, 1.2, 100, 100), ArgumentError, "p_treated must be"),
        (lambda: n_for_power(0.2, baseline=0.9), ArgumentError, "baseline \\+ effect"),
        (lambda: minimum_detectable_effect(12, 10, baseline=0.97, power=0.95), DesignError,
         "no proportion above it is detectable"),
        (lambda: n_for_power(0.0, baseline=0.2), DesignError, "cannot be detected at any"),
        (lambda: n_for_power(-0.05, baseline=0.2, alternative="greater"), DesignError,
         "one-sided"),
        (lambda: minimum_detectable_effect(178, 172), ArgumentError, "needs baseline="),
        (lambda: minimum_detectable_effect(178, 172, outcome="mean", baseline=0.1), ArgumentError,
         "baseline= is for proportions"),
        (lambda: power_means(0.3, 0, 50, 50), ArgumentError, "sd must be positive"),
        (lambda: power_means(0.3, 1, 1, 50), ArgumentError, "n_treated must be at least 2"),
        (lambda: power_means(0.3, 1, 50, 50, r2=1.0), ArgumentError, "r2"),
        (lambda: power_means(0.3, 1, 50, 50, attrition=1.0), ArgumentError, "attrition"),
        (lambda: power_means(0.3, 1, 50, 50, icc=1.5), ArgumentError, "icc"),
        (lambda: power_means(0.3, 1, 50, 50, alpha=0), ArgumentError, "alpha"),
        (lambda: power_proportions(0.1, 0.2, 50, 50, method="exact"), ArgumentError, "method"),
    ],
)  # fmt: skip
def test_impossible_targets_and_bad_input_are_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_results_print():
    result = power_proportions(0.14, 0.24, 178, 172)
    assert float(result) == result.power
    assert "Power 0." in result.summary() and str(result) == result.summary()
    assert "<p>" in result._repr_html_()
