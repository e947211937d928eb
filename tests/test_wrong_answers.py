"""Issue 13, "no silent wrong answers": each input that gave a wrong number, a NaN or a
foreign exception now gives the right number or a clear evalkit error."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evalkit
from evalkit.errors import (
    ArgumentError,
    ColumnError,
    DesignError,
    EvalkitError,
    OutcomeError,
)
from evalkit.panel import StateClassification, StatusPanel, UnknownCodeError
from evalkit.survival import (
    cox,
    cumulative_incidence,
    fine_gray,
    gray_test,
    kaplan_meier,
    logrank_test,
)


# ------------------------------------------------------------------ 1. cause codes
def _uncensored(codes=(1, 2), n=40, seed=1):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "weeks": rng.integers(1, 20, n),
            "exit": rng.choice(codes, n),
            "arm": np.tile([0, 1], n // 2),
            "x": rng.normal(size=n),
        }
    )


@pytest.mark.parametrize("codes", [(1, 2), (100, 200), (3, 7)])
def test_no_censoring_every_code_is_a_cause(codes):
    """Without a censored row the smallest code was taken for censoring (its exits dropped,
    the other cause's CIF inflated). With nothing censored the Aalen-Johansen CIF is the
    empirical share leaving by each cause up to t."""
    data = _uncensored(codes)
    ci = cumulative_incidence(data, "weeks", "exit")
    assert ci.causes == codes
    for cause in codes:
        curve = ci.table[ci.table["cause"] == cause]
        expected = [np.mean((data["weeks"] <= t) & (data["exit"] == cause)) for t in curve["time"]]
        np.testing.assert_allclose(curve["cumulative_incidence"], expected, rtol=1e-12)
    final = ci.table.groupby("cause")["cumulative_incidence"].max()
    assert final.sum() == pytest.approx(1.0)


def test_no_censoring_gray_and_fine_gray_use_the_first_cause():
    small, large = _uncensored((1, 2)), _uncensored((100, 200))
    a = gray_test(small, "weeks", "exit", "arm", cause=1)
    b = gray_test(large, "weeks", "exit", "arm", cause=100)
    assert a.statistic == pytest.approx(b.statistic, rel=1e-12) and np.isfinite(a.p_value)
    fit = fine_gray(small, "weeks", "exit", ["x"], cause=1)
    assert fit.to_frame()["estimate"].iloc[0] == pytest.approx(
        fine_gray(large, "weeks", "exit", ["x"], cause=100).to_frame()["estimate"].iloc[0]
    )
    assert fit.n_censored == 0 and fit.n_events == int((small["exit"] == 1).sum())


def test_fine_gray_without_censoring_is_cox_with_competing_exits_kept_at_risk():
    """With no censoring the censoring weights are 1: Fine-Gray is Cox (Breslow ties) with
    persons who left by the other cause kept at risk to the end."""
    rng = np.random.default_rng(7)
    n = 60
    data = pd.DataFrame(
        {"weeks": rng.exponential(10, n), "exit": rng.choice([1, 2], n), "x": rng.normal(size=n)}
    )
    fg = fine_gray(data, "weeks", "exit", ["x"], cause=1).to_frame()
    kept = data.assign(
        weeks=np.where(data["exit"] == 1, data["weeks"], data["weeks"].max() + 1),
        event=(data["exit"] == 1).astype(int),
    )
    reference = cox(kept, "weeks", "event", ["x"], ties="breslow").to_frame()
    # equal up to the fits' convergence tolerances
    assert fg["estimate"].iloc[0] == pytest.approx(reference["estimate"].iloc[0], rel=1e-5)


# ------------------------------------------------------------------ 2. log-rank variance
def test_logrank_zero_variance_is_a_design_error():
    """All exits in the same week: V = 0 and O - E = 0 (numpy's LinAlgError before). R's
    survdiff stops on the singular matrix too; evalkit says why."""
    same_week = pd.DataFrame({"weeks": [3] * 6, "exit": [1] * 6, "arm": [0, 0, 0, 1, 1, 1]})
    with pytest.raises(DesignError, match="variance .* is zero") as caught:
        logrank_test(same_week, "weeks", "exit", "arm")
    assert "finer time scale" in str(caught.value)
    one_per_stratum = pd.DataFrame(
        {"weeks": [1, 2, 3, 4, 5, 6], "exit": 1, "arm": [0, 1] * 3, "s": range(6)}
    )
    with pytest.raises(DesignError, match="within every stratum") as caught:
        logrank_test(one_per_stratum, "weeks", "exit", "arm", strata="s")
    assert "fewer, larger strata" in str(caught.value)


def test_logrank_with_variance_still_computes():
    data = pd.DataFrame({"weeks": [3, 3, 4, 2, 3, 5], "exit": 1, "arm": [0, 0, 0, 1, 1, 1]})
    result = logrank_test(data, "weeks", "exit", "arm")
    assert np.isfinite(result.statistic) and 0 < result.p_value <= 1


# ------------------------------------------------------------------ 3. Wilson interval
@pytest.mark.parametrize(
    "args, text",
    [
        ((5, 3), "at most n"),
        ((0, 0), "n must be at least 1"),
        ((3, 5, 2), "alpha"),
        ((3, 5, 0.0), "alpha"),
        ((2.5, 5), "whole number"),
        ((2, 5.5), "whole number"),
        ((-1, 5), "at least 0"),
        ((np.nan, 5), "whole number"),
        (("3", 5), "whole number"),
        ((True, 5), "whole number"),
    ],
)
def test_wilson_interval_validates(args, text):
    with pytest.raises(ArgumentError, match=text):
        evalkit.wilson_interval(*args)


def test_wilson_interval_values_and_type_unchanged():
    low, high = evalkit.wilson_interval(81, 263).conf_int  # R: prop.test(81, 263, correct = FALSE)
    assert (low, high) == pytest.approx((0.2553, 0.3662), abs=5e-5)
    assert evalkit.wilson_interval(np.int64(81), 263.0).conf_int == (low, high)
    assert evalkit.wilson_interval(0, 1).conf_low == 0.0
    assert evalkit.wilson_interval(1, 1).conf_high == 1.0


# ------------------------------------------------------------------ 4. scale
def _trial(n=40, seed=0):
    rng = np.random.default_rng(seed)
    t = np.tile([0, 1], n // 2)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {"y": 3 + 0.5 * t + x + rng.normal(size=n), "t": t, "x": x, "b": np.arange(n) // 2 % 4}
    )


ESTIMATORS = {
    "difference_in_means": lambda d: evalkit.difference_in_means(d, "y", "t"),
    "blocked": lambda d: evalkit.difference_in_means(d, "y", "t", blocks="b"),
    "lin_estimator": lambda d: evalkit.lin_estimator(d, "y", "t", "x"),
    "ancova": lambda d: evalkit.ancova(d, "y", "t", "x"),
}
BASE = _trial()
BASELINE = {name: f(BASE) for name, f in ESTIMATORS.items()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(k=st.integers(-100, 150), name=st.sampled_from(sorted(ESTIMATORS)))
def test_estimates_and_standard_errors_scale_with_the_outcome(k, name):
    """Outcomes of 1e155 gave SE = inf, of 1e-110 p = NaN (squares out of range)."""
    factor = 10.0**k
    result = ESTIMATORS[name](BASE.assign(y=BASE["y"] * factor))
    base = BASELINE[name]
    assert result.estimate == pytest.approx(base.estimate * factor, rel=1e-9)
    assert result.std_error == pytest.approx(base.std_error * factor, rel=1e-9)
    assert result.p_value == pytest.approx(base.p_value, rel=1e-9)
    assert result.df == pytest.approx(base.df, rel=1e-9)


@pytest.mark.parametrize("k", [155, -110])
def test_extreme_outcomes_give_finite_results(k):
    for name, f in ESTIMATORS.items():
        result = f(BASE.assign(y=BASE["y"] * 10.0**k))
        assert np.isfinite([result.std_error, result.p_value]).all(), name


@pytest.mark.parametrize("factor", [1e300, 1e-300, 1e307])
def test_huge_or_tiny_covariates_do_not_change_the_effect(factor):
    """A covariate of 1e300 gave "the model fits the outcome exactly" (X'X overflowed)."""
    scaled = BASE.assign(x=BASE["x"] * factor)
    for name in ("lin_estimator", "ancova"):
        result, base = ESTIMATORS[name](scaled), BASELINE[name]
        assert result.estimate == pytest.approx(base.estimate, rel=1e-9)
        assert result.std_error == pytest.approx(base.std_error, rel=1e-9)
        slope = result.terms.set_index("term")["estimate"]
        base_slope = base.terms.set_index("term")["estimate"]
        assert slope["x_c" if name == "lin_estimator" else "x"] * factor == pytest.approx(
            base_slope["x_c" if name == "lin_estimator" else "x"], rel=1e-9
        )


def test_effect_beyond_the_float_range_is_an_error():
    d = BASE.assign(y=np.where(BASE["t"] == 1, 1.7e308, -1.7e308) + BASE["x"] * 1e300)
    with pytest.raises(DesignError, match="floating-point range"):
        evalkit.difference_in_means(d, "y", "t")


# ------------------------------------------------------------------ 5. frames, ids, codes
def _survival_frame():
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "weeks": rng.integers(1, 20, 40),
            "exit": rng.integers(0, 2, 40),
            "arm": np.tile([0, 1], 20),
            "y": rng.normal(size=40),
            "x": rng.normal(size=40),
        }
    )


CALLS = {
    "difference_in_means": (lambda d: evalkit.difference_in_means(d, "y", "arm"), "y"),
    "lin_estimator": (lambda d: evalkit.lin_estimator(d, "y", "arm", "x"), "x"),
    "ancova": (lambda d: evalkit.ancova(d, "y", "arm", "x"), "arm"),
    "risk_difference": (lambda d: evalkit.risk_difference(d, "exit", "arm"), "exit"),
    "kaplan_meier": (lambda d: kaplan_meier(d, "weeks", "exit", "arm"), "weeks"),
    "logrank_test": (lambda d: logrank_test(d, "weeks", "exit", "arm"), "arm"),
    "cox": (lambda d: cox(d, "weeks", "exit", ["x"]), "x"),
    "cumulative_incidence": (lambda d: cumulative_incidence(d, "weeks", "exit", "arm"), "arm"),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_duplicated_used_column_is_a_column_error(name):
    call, column = CALLS[name]
    data = _survival_frame()
    doubled = pd.concat([data, data[[column]]], axis=1)
    with pytest.raises(ColumnError, match=f"2 columns named '{column}'"):
        call(doubled)
    extra = data[["y"]].rename(columns={"y": "extra"})
    unused = pd.concat([data, extra, extra], axis=1)  # an unused duplicate is fine
    call(unused)


STATES = StateClassification({"a": [0], "b": [1]})


def test_duplicated_status_column_in_a_long_register():
    long = pd.DataFrame({"id": [1, 1, 2], "week": [1, 2, 1], "code": [0, 1, 0]})
    doubled = pd.concat([long, long[["code"]]], axis=1)
    with pytest.raises(ColumnError, match="2 columns named 'code'"):
        StatusPanel.from_long(doubled, "id", "week", "code", STATES)


SECRET = "SECRET-ID"


def test_mixed_number_and_text_ids_are_refused_without_echoing_them():
    long = pd.DataFrame({"id": [4711, 4711, SECRET], "week": [1, 2, 1], "code": [0, 1, 0]})
    wide = pd.DataFrame({"id": [4711, SECRET], "1": [0, 1]})
    panel = StatusPanel.from_long(long.assign(id=[1, 1, 2]), "id", "week", "code", STATES)
    trial = pd.DataFrame({"id": [1, SECRET], "ref": [1, 1]})
    for call in (
        lambda: StatusPanel.from_long(long, "id", "week", "code", STATES),
        lambda: StatusPanel.from_wide(wide, "id", ["1"], STATES),
        lambda: panel.align(trial, "id", "ref"),
    ):
        with pytest.raises(ArgumentError, match="mixes numbers .* and text") as caught:
            call()
        assert SECRET not in str(caught.value) and "4711" not in str(caught.value)


def test_number_ids_against_text_ids_say_so():
    panel = StatusPanel.from_long(
        pd.DataFrame({"id": [1, 2], "week": [1, 1], "code": [0, 1]}), "id", "week", "code", STATES
    )
    with pytest.raises(DesignError, match="ids are numbers and the trial list's text"):
        panel.align(pd.DataFrame({"id": ["1", "2"], "ref": [1, 1]}), "id", "ref")


@pytest.mark.parametrize("codes", [[0.7], [0.7, 1.7], [0.7, 1.0, np.nan]])
def test_fractional_state_codes_are_refused(codes):
    """0.7 was read as code 0 (the lookup table truncated a fractional smallest code)."""
    with_other = StateClassification({"a": [0], "b": [1]}, other="b")
    for classification in (STATES, with_other):
        with pytest.raises(UnknownCodeError, match="not whole numbers"):
            classification.classify(np.array(codes))
    long = pd.DataFrame({"id": [1, 1, 2], "week": [1, 2, 1], "code": [0.7, 1.7, 0.7]})
    with pytest.raises(UnknownCodeError, match=r"3 cells in column 'code' hold"):
        StatusPanel.from_long(long, "id", "week", "code", with_other)
    wide = pd.DataFrame({"id": [1, 2], "y_1610": [0.7, 1.0], "y_1611": [0.0, 1.0]})
    with pytest.raises(UnknownCodeError, match="week column 'y_1610'"):
        StatusPanel.from_wide(wide, "id", "y_", with_other)


def test_whole_float_codes_still_classify():
    assert STATES.classify(np.array([0.0, 1.0, np.nan])).tolist() == [0, 1, -1]


@pytest.mark.parametrize(
    "column",
    [
        pd.date_range("2020-01-01", periods=40),
        pd.date_range("2020-01-01", periods=40, tz="UTC"),
        pd.to_timedelta(np.arange(40), unit="D"),
        list(pd.date_range("2020-01-01", periods=40).date),
    ],
    ids=["datetime", "datetime-tz", "timedelta", "date-objects"],
)
def test_date_covariates_are_refused(column):
    data = BASE.assign(when=column)
    for call in (
        lambda: evalkit.lin_estimator(data, "y", "t", "when"),
        lambda: evalkit.ancova(data, "y", "t", ["x", "when"]),
    ):
        with pytest.raises(OutcomeError, match="covariate 'when' holds .*days"):
            call()


def test_errors_are_evalkit_errors():
    for error in (ColumnError, OutcomeError, DesignError, ArgumentError, UnknownCodeError):
        assert issubclass(error, EvalkitError)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        evalkit.difference_in_means(BASE, "y", "t")  # ordinary data: no warning
