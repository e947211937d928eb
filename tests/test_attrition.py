"""Attrition (issue 15): rates and WWC boundaries, baseline equivalence, Lee and Manski bounds."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evalkit
from evalkit.effects.attrition import (
    attrition,
    boundary_limit,
    equivalence_verdict,
    imbens_manski_interval,
    lee_bounds,
    manski_bounds,
    standardized_difference,
    trimmed_mean,
)
from evalkit.errors import ArgumentError, EvalkitWarning
from evalkit.output.declare import declaration


def _frame(y1, y0, n1, n0):
    """Arms of n1 and n0 persons; the first len(y) of each observed with outcomes y."""
    t = [1] * n1 + [0] * n0
    seen = [1] * len(y1) + [0] * (n1 - len(y1)) + [1] * len(y0) + [0] * (n0 - len(y0))
    y = list(y1) + [np.nan] * (n1 - len(y1)) + list(y0) + [np.nan] * (n0 - len(y0))
    return pd.DataFrame({"t": t, "seen": seen, "y": np.asarray(y, dtype=float)})


def test_exported():
    assert evalkit.lee_bounds is lee_bounds and evalkit.effects.attrition is not None
    assert evalkit.manski_bounds is manski_bounds and evalkit.attrition is attrition


# ----------------------------------------------------------------------------- attrition
def test_rates_and_verdicts():
    # treated 20, 18 observed (10% lost); control 20, 15 observed (25% lost)
    df = _frame(range(18), range(15), 20, 20)
    # overall = 7/40 = 0.175; differential = 0.25 - 0.10 = 0.15
    strict = [(0.0, 0.05), (0.1, 0.06), (0.2, 0.04)]
    loose = [(0.0, 0.15), (0.5, 0.20)]
    a = attrition(df, "t", "seen", boundaries={"cautious": strict, "optimistic": loose})
    assert a.attrition_treated == pytest.approx(0.10)
    assert a.attrition_control == pytest.approx(0.25)
    assert a.overall == pytest.approx(0.175)
    assert a.differential == pytest.approx(0.15)
    # between 0.1 and 0.2 the smaller limit, 0.04, applies; between 0 and 0.5: 0.15
    assert a.max_differential == {"cautious": 0.04, "optimistic": 0.15}
    assert a.verdicts["cautious"] == "high attrition under the cautious boundary"
    assert a.verdicts["optimistic"] == "low attrition under the optimistic boundary"
    frame = a.to_frame()
    assert frame["randomized"].tolist() == [20, 20, 40]
    assert frame["observed"].tolist() == [18, 15, 33]
    info = declaration(frame)
    assert info["counts"] == ["randomized", "observed"]
    assert "low attrition under the optimistic boundary" in a.summary()


def test_boundary_lookup_and_validation():
    rows = [(0.0, 0.057), (0.1, 0.063), (0.2, 0.05)]
    assert boundary_limit(rows, 0.1) == 0.063  # a tabulated rate: its value
    assert boundary_limit(rows, 0.05) == 0.057  # between: the smaller
    assert math.isnan(boundary_limit(rows, 0.25))  # beyond the table: high attrition
    table = pd.DataFrame({"overall": [0.0, 0.6], "differential": [0.1, 0.1]})
    assert boundary_limit(table, 0.3) == 0.1
    with pytest.raises(ArgumentError, match="proportions"):
        boundary_limit([(0, 5.7), (10, 6.3)], 0.05)
    with pytest.raises(ArgumentError):
        attrition(_frame([1, 2], [1, 2], 3, 3), "t", "seen", boundaries={"c": [1, 2, 3]})


def test_no_boundary_says_so():
    a = attrition(_frame(range(9), range(8), 10, 10), "t", "seen", boundaries=None)
    assert a.verdicts == {} and "No attrition boundary" in a.summary()


def _lost(a, b, n=1000):
    """Arms of n persons, a treated and b controls lost."""
    return _frame(np.zeros(n - a), np.zeros(n - b), n, n)


def test_wwc_boundaries_by_default():
    # 10 % overall: the cautious boundary allows 6.3 points, the optimistic 10.9
    low = attrition(_lost(131, 69), "t", "seen")  # 6.2 points
    assert low.overall == pytest.approx(0.10) and low.differential == pytest.approx(0.062)
    assert low.verdicts == {
        "cautious": "low attrition under the cautious boundary",
        "optimistic": "low attrition under the optimistic boundary",
    }
    assert low.max_differential == {"cautious": 0.063, "optimistic": 0.109}
    high = attrition(_lost(132, 68), "t", "seen")  # 6.4 points
    assert high.verdicts["cautious"].startswith("high")
    assert high.verdicts["optimistic"].startswith("low")
    # 58 % overall is beyond the cautious table: high whatever the differential
    beyond = attrition(_lost(580, 580), "t", "seen")
    assert beyond.verdicts["cautious"].startswith("high")
    assert beyond.verdicts["optimistic"].startswith("low")  # 1.9 points allowed at 58 %
    with pytest.raises(ArgumentError, match="wwc"):
        attrition(_lost(1, 1), "t", "seen", boundaries="WWC 5.0")


def test_wwc_table_shape():
    from evalkit.effects.wwc import WWC_ATTRITION_BOUNDARIES as wwc

    cautious, optimistic = wwc["cautious"], wwc["optimistic"]
    assert cautious["overall"].tolist() == [i / 100 for i in range(58)]
    assert optimistic["overall"].tolist() == [i / 100 for i in range(66)]
    # the optimistic boundary is the more lenient at every rate; both end near zero
    assert (optimistic["differential"][:58] > cautious["differential"]).all()
    assert cautious["differential"].iloc[-1] == 0.0 and optimistic["differential"].iloc[-1] == 0.003


def test_outcome_of_an_unobserved_person_is_an_error():
    d = _frame(range(9), range(8), 10, 10)
    d.loc[9, "y"] = 5.0  # a treated person marked not observed has an outcome
    for bounds in (lee_bounds, lambda *a: manski_bounds(*a, 0, 10)):
        with pytest.raises(ArgumentError, match="1 persons marked as not observed"):
            bounds(d, "y", "t", "seen")


def test_baseline_equivalence():
    # Hedges g: treated [1,2,3,4], control [0,1,2,3]: difference 1, pooled SD sqrt(5/3),
    # N = 8, omega = 1 - 3/(4*8 - 9) = 20/23
    d, kind = standardized_difference(np.array([1.0, 2, 3, 4]), np.array([0.0, 1, 2, 3]))
    assert kind == "Hedges g"
    assert d == pytest.approx(1 / math.sqrt(5 / 3) * 20 / 23)
    # Cox index: p1 = 0.5, p0 = 0.25: (log 1 - log(1/3)) / 1.65 * omega, N = 8
    d, kind = standardized_difference(np.array([1.0, 0, 1, 0]), np.array([1.0, 0, 0, 0]))
    assert kind == "Cox index"
    assert d == pytest.approx(math.log(3) / 1.65 * 20 / 23)
    assert equivalence_verdict(0.05) == "satisfied"
    assert equivalence_verdict(-0.1) == "requires statistical adjustment"
    assert equivalence_verdict(0.3) == "not satisfied"
    assert equivalence_verdict(float("nan")) == "not computable"
    # only the analysed (observed) persons enter: the lost person's x = 100 is ignored
    df = pd.DataFrame({"t": [1, 1, 1, 1, 1, 0, 0, 0, 0], "seen": [1, 1, 1, 1, 0, 1, 1, 1, 1],
                       "x": [1.0, 2, 3, 4, 100, 0, 1, 2, 3]})  # fmt: skip
    a = attrition(df, "t", "seen", covariates="x")
    row = a.equivalence.iloc[0]
    assert row["std_difference"] == pytest.approx(1 / math.sqrt(5 / 3) * 20 / 23)
    assert row["verdict"] == "not satisfied" and row["mean_treated"] == 2.5


# ----------------------------------------------------------------------------- Lee
def test_lee_hand_example():
    # treated: 5 randomized, 4 observed, y = 1, 2, 3, 4   -> q1 = 0.8
    # control: 5 randomized, 2 observed, y = 1, 3         -> q0 = 0.4, mean 2
    # p = (0.8 - 0.4) / 0.8 = 0.5: keep 2 of the 4 treated outcomes
    # lower = mean(1, 2) - 2 = -0.5; upper = mean(3, 4) - 2 = 1.5
    b = lee_bounds(_frame([1, 2, 3, 4], [1, 3], 5, 5), "y", "t", "seen")
    assert b.trimmed_arm == "treatment" and b.trimming == 0.5
    assert (b.lower, b.upper) == (-0.5, 1.5)
    # SE of the lower bound (Lee 2009, Prop. 3): kept values 1, 2: mean 1.5, variance 0.25,
    # cut 2; own = (0.25 + 0.5 * 0.5^2) / (0.5 * 4) = 0.1875;
    # Var(p) = 0.5^2 * (0.6 / (0.4 * 5) + 0.2 / (0.8 * 5)) = 0.0875;
    # the p term = (0.5 / 0.5)^2 * 0.0875 = 0.0875; control: variance 1 over 2 = 0.5
    assert b.se_lower == pytest.approx(math.sqrt(0.1875 + 0.0875 + 0.5))
    # the upper bound by symmetry: kept 3, 4, cut 3: the same terms
    assert b.se_upper == pytest.approx(b.se_lower)
    low, high = b.conf_int
    assert low < b.lower and high > b.upper


def test_lee_trims_control_when_it_is_observed_more():
    # control observed 4 of 5 (y = 1..4), treated 2 of 5 (y = 2, 2): trim control by 0.5
    # lower = 2 - mean(3, 4) = -1.5; upper = 2 - mean(1, 2) = 0.5
    b = lee_bounds(_frame([2, 2], [1, 2, 3, 4], 5, 5), "y", "t", "seen")
    assert b.trimmed_arm == "control"
    assert (b.lower, b.upper) == (-1.5, 0.5)


def test_trimmed_mean_fractional_weight():
    # keep 1 - 0.3 = 0.7 of 4 values = 2.8 observations: 1 + 2 + 0.8 * 3 over 2.8
    mean, _, cut = trimmed_mean(np.array([4.0, 1, 3, 2]), 0.3, "low")
    assert mean == pytest.approx((1 + 2 + 0.8 * 3) / 2.8) and cut == 3.0


def _quantile_integral(values, share, keep, grid=200_000):
    """Brute force: the mean of the empirical quantile function over the kept share."""
    y = np.sort(values)
    u = (np.arange(grid) + 0.5) / grid * (1 - share)
    if keep == "high":
        u = 1 - u
    index = np.minimum(np.floor(u * len(y)).astype(int), len(y) - 1)
    return y[index].mean()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(6, 40),
    lost1=st.integers(0, 4),
    extra=st.integers(1, 5),
    seed=st.integers(0, 10_000),
)
def test_lee_equals_brute_force_trimming(n, lost1, extra, seed):
    rng = np.random.default_rng(seed)
    m1 = n - lost1
    m0 = max(2, m1 - extra)
    y1 = rng.normal(size=m1).round(1)  # ties too
    y0 = rng.normal(size=m0).round(1)
    b = lee_bounds(_frame(y1, y0, n, n), "y", "t", "seen")
    # equal arms: p m1 = m1 - m0 persons trimmed exactly
    k = m1 - m0
    s = np.sort(y1)
    assert b.lower == pytest.approx(s[: m1 - k].mean() - y0.mean())
    assert b.upper == pytest.approx(s[k:].mean() - y0.mean())
    # unequal arms (fractional trimming): the quantile integral
    n0 = n + 3
    b = lee_bounds(_frame(y1, y0, n, n0), "y", "t", "seen")
    share = (m1 / n - m0 / n0) / (m1 / n)
    assert b.lower == pytest.approx(_quantile_integral(y1, share, "low") - y0.mean(), abs=1e-3)
    assert b.upper == pytest.approx(_quantile_integral(y1, share, "high") - y0.mean(), abs=1e-3)


def _simulated(n, q1, q0, effect=0.5, seed=0):
    rng = np.random.default_rng(seed)
    t = np.r_[np.ones(n, int), np.zeros(n, int)]
    y = rng.normal(size=2 * n) + effect * t
    seen = (rng.random(2 * n) < np.where(t == 1, q1, q0)).astype(int)
    x = rng.integers(0, 3, size=2 * n)
    return pd.DataFrame({"t": t, "seen": seen, "y": np.where(seen == 1, y, np.nan), "x": x})


def test_equal_attrition_bounds_contain_the_itt_among_observed():
    for seed in range(5):
        df = _simulated(400, 0.8, 0.8, seed=seed)
        b = lee_bounds(df, "y", "t", "seen")
        itt = evalkit.difference_in_means(df[df["seen"] == 1], "y", "t").estimate
        assert b.lower <= itt + 1e-12 <= b.upper + 2e-12
        assert b.upper - b.lower < 0.3  # little trimming: observation rates differ by chance


def test_width_grows_with_differential_attrition():
    widths = []
    for q0 in (0.9, 0.75, 0.6, 0.45):
        b = lee_bounds(_simulated(3000, 0.9, q0, seed=1), "y", "t", "seen")
        widths.append(b.upper - b.lower)
    assert np.all(np.diff(widths) > 0)


def test_tightened_bounds():
    df = _simulated(1500, 0.9, 0.7, seed=2)
    plain = lee_bounds(df, "y", "t", "seen")
    tight = lee_bounds(df, "y", "t", "seen", tighten="x", n_boot=60, seed=1)
    assert plain.lower - 0.05 <= tight.lower <= tight.upper <= plain.upper + 0.05
    assert len(tight.cells) == 3 and tight.cells["weight"].sum() == pytest.approx(1)
    assert tight.se_lower > 0 and tight.conf_int[0] < tight.lower
    # with one cell the tightened bounds are the plain ones
    one = lee_bounds(df.assign(x=1), "y", "t", "seen", tighten="x", n_boot=30)
    assert (one.lower, one.upper) == pytest.approx((plain.lower, plain.upper))


def test_tightened_warns_when_a_cell_reverses():
    # cell 0: control observed more; cell 1: treated much more
    df = pd.concat([_simulated(200, 0.6, 0.8, seed=3).assign(x=0),
                    _simulated(200, 0.95, 0.4, seed=4).assign(x=1)], ignore_index=True)  # fmt: skip
    with pytest.warns(EvalkitWarning, match="monotonicity"):
        lee_bounds(df, "y", "t", "seen", tighten="x", n_boot=30)


def test_lee_surface_and_frame():
    b = lee_bounds(_simulated(200, 0.9, 0.7), "y", "t", "seen")
    assert b.estimate is None and b.p_value is None
    frame = b.to_frame()
    assert frame["term"].tolist() == ["lower", "upper", "effect (Imbens-Manski)"]
    assert frame.loc[2, "conf_low"] == b.conf_low
    assert "n_treated" in declaration(frame)["counts"]


def test_outcome_missing_where_observed_is_refused():
    df = _frame([1, 2, 3], [1, 2], 4, 4)
    df.loc[0, "y"] = np.nan
    with pytest.raises(ArgumentError, match="missing"):
        lee_bounds(df, "y", "t", "seen")


# ----------------------------------------------------------------------------- Imbens-Manski
def test_imbens_manski_interval():
    # a point: two-sided; a wide set: one-sided z on each side
    low, high = imbens_manski_interval(1.0, 1.0, 0.5, 0.5)
    assert (low, high) == pytest.approx((1 - 1.959964 * 0.5, 1 + 1.959964 * 0.5), abs=1e-6)
    low, high = imbens_manski_interval(0.0, 100.0, 1.0, 1.0)
    assert (low, high) == pytest.approx((-1.644854, 101.644854), abs=1e-5)


# ----------------------------------------------------------------------------- Manski
def test_manski_hand_example():
    # treated: 4 randomized, observed y = 1, 0, 1 (one lost); control: 4, all observed
    # y = 0, 1, 0, 0 (mean 0.25). lower: treated (1+0+1+0)/4 - 0.25 = 0.25;
    # upper: (1+0+1+1)/4 - 0.25 = 0.5; width (hi - lo) * (a1 + a0) = 1 * (0.25 + 0) = 0.25
    df = pd.DataFrame({"t": [1, 1, 1, 1, 0, 0, 0, 0], "seen": [1, 1, 1, 0, 1, 1, 1, 1],
                       "y": [1, 0, 1, None, 0, 1, 0, 0]})  # fmt: skip
    b = manski_bounds(df, "y", "t", "seen", 0, 1)
    assert (b.lower, b.upper) == (0.25, 0.5)
    # SE of the lower bound: Neyman on imputed outcomes [1,0,1,0] and [0,1,0,0]
    se = math.sqrt(np.var([1, 0, 1, 0], ddof=1) / 4 + np.var([0, 1, 0, 0], ddof=1) / 4)
    assert b.se_lower == pytest.approx(se)
    with pytest.raises(ArgumentError, match="outside"):
        manski_bounds(df, "y", "t", "seen", 0, 0.5)
    with pytest.raises(ArgumentError):
        manski_bounds(df, "y", "t", "seen", 1, 0)


def test_manski_contains_lee():
    df = _simulated(500, 0.9, 0.7).assign(y=lambda d: d["y"].clip(-3, 3))
    lee = lee_bounds(df, "y", "t", "seen")
    manski = manski_bounds(df, "y", "t", "seen", -3, 3)
    assert manski.lower <= lee.lower <= lee.upper <= manski.upper


def test_observed_flag_that_is_not_binary_is_named_as_such():
    d = _frame(range(9), range(8), 10, 10).assign(seen=["yes"] * 20)
    with pytest.raises(evalkit.errors.OutcomeError, match="binary observed flag column 'seen'"):
        attrition(d, "t", "seen")
