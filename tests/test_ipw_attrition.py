"""evalkit.ipw_attrition: the observation model against R's glm(binomial), the weighted
and complete-case effects against estimatr's difference_in_means and lm_lin with weights
(tests/reference/noncompliance_extra.R), post-stratification identity, a simulation under
missingness at random, the bootstrap, declarations and bad input."""

import warnings

import numpy as np
import pandas as pd
import pytest
from _fixtures import COLUMNS, reference

import evalkit
from evalkit import errors
from evalkit.effects.ipw import IPWAttritionResult, ipw_attrition
from evalkit.output import declaration

REFERENCE = reference("noncompliance_extra.json")
DATA = pd.DataFrame(REFERENCE["attrition_data"])
CASES = REFERENCE["ipw_cases"]


def _row(effect):
    values = [effect.estimate, effect.std_error, effect.p_value, *effect.conf_int, effect.df]
    return dict(zip(COLUMNS, values, strict=True))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_glm_and_estimatr(case):
    result = ipw_attrition(DATA, **case["args"])
    np.testing.assert_allclose(result.probabilities, case["probabilities"], rtol=1e-9)
    for model, coefficients in case["coefficients"].items():
        for term, value in coefficients.items():
            assert result.coefficients.loc[term, model] == pytest.approx(value, rel=1e-8), term
    for which in ("weighted", "unweighted"):
        ours = _row(getattr(result, which))
        for column in COLUMNS:
            assert ours[column] == pytest.approx(case[which][column], rel=1e-6), (which, column)
    assert result.estimate == result.weighted.estimate
    assert result.std_error == result.weighted.std_error and result.df == result.weighted.df
    assert result.max_weight == pytest.approx(case["max_weight"], rel=1e-9)
    assert result.ess_treated == pytest.approx(case["ess_treated"], rel=1e-9)
    assert result.ess_control == pytest.approx(case["ess_control"], rel=1e-9)


def test_by_arm_with_a_discrete_covariate_is_post_stratification():
    # a saturated model: p_hat is the observed share of each arm x cell, so the weighted
    # arm mean is the mean of the cell means weighted by the cells' randomized sizes
    rng = np.random.default_rng(4)
    n = 600
    t = np.repeat([1, 0], n // 2)
    cell = rng.integers(0, 3, n)
    seen = rng.random(n) < np.where(t == 1, 0.5 + 0.2 * cell, 0.9 - 0.2 * cell)
    y = np.where(seen, rng.normal(cell + t, 1), np.nan)
    data = pd.DataFrame({"y": y, "t": t, "seen": seen, "c1": cell == 1, "c2": cell == 2})
    result = ipw_attrition(data, "y", "t", "seen", ["c1", "c2"])
    frame = data.assign(cell=cell)

    def post_stratified(arm):
        part = frame[frame["t"] == arm]
        sizes = part.groupby("cell").size() / len(part)
        means = part[part["seen"]].groupby("cell")["y"].mean()
        return float((sizes * means).sum())

    assert result.estimate == pytest.approx(post_stratified(1) - post_stratified(0), rel=1e-9)
    complete = evalkit.difference_in_means(data[data["seen"]], "y", "t")
    assert result.unweighted.estimate == pytest.approx(complete.estimate, rel=1e-12)
    assert result.unweighted.std_error == pytest.approx(complete.std_error, rel=1e-12)


def test_removes_the_bias_of_missingness_at_random():
    rng = np.random.default_rng(11)
    n = 20_000
    t = rng.integers(0, 2, n)
    x = rng.normal(size=n)
    y = 1.0 * t + 2.0 * x + rng.normal(size=n)
    # treated persons with high x are lost more often: complete case is biased downwards
    seen = rng.random(n) < 1 / (1 + np.exp(-(1.0 - 1.2 * x * t)))
    data = pd.DataFrame({"y": np.where(seen, y, np.nan), "t": t, "seen": seen, "x": x})
    result = ipw_attrition(data, "y", "t", "seen", "x")
    assert abs(result.unweighted.estimate - 1.0) > 8 * result.unweighted.std_error
    assert abs(result.estimate - 1.0) < 4 * result.std_error
    assert result.ess_treated < result.observed_treated


def test_no_attrition_gives_weights_one():
    data = DATA.assign(seen=1, y=DATA["y"].fillna(0.0))
    result = ipw_attrition(data, "y", "t", "seen", ["a1", "a2"])
    assert result.max_weight == 1.0 and result.coefficients.empty
    assert result.estimate == pytest.approx(result.unweighted.estimate, rel=1e-12)
    assert result.ess_treated == result.observed_treated == result.n_treated


def test_bootstrap_re_estimates_the_weights():
    first = ipw_attrition(DATA, "y", "t", "seen", ["a1", "a2"], n_boot=100, seed=7)
    again = ipw_attrition(DATA, "y", "t", "seen", ["a1", "a2"], n_boot=100, seed=7)
    other = ipw_attrition(DATA, "y", "t", "seen", ["a1", "a2"], n_boot=100, seed=8)
    assert first.std_error == again.std_error != other.std_error
    assert first.df is None and first.seed == 7 and "bootstrap" in first.method
    assert 0.7 < first.std_error / first.weighted.std_error < 1.4
    low, high = first.conf_int
    assert low < first.estimate < high
    lin = ipw_attrition(DATA, "y", "t", "seen", ["a1", "a2"], estimator="lin_estimator",
                        n_boot=50, seed=7)  # fmt: skip
    assert 0.6 < lin.std_error / lin.weighted.std_error < 1.6


def test_frame_summary_and_declaration():
    result = ipw_attrition(DATA, "y", "t", "seen", ["a1", "a2"])
    assert isinstance(result, IPWAttritionResult)
    frame = result.to_frame()
    assert frame["term"].tolist() == ["weighted (IPW)", "complete case"]
    assert frame.loc[1, "estimate"] == result.unweighted.estimate
    info = declaration(frame)
    assert info["counts"] == ["n_treated", "n_control", "observed_treated", "observed_control"]
    assert info["complements"] == {"observed_treated": "n_treated",
                                   "observed_control": "n_control"}  # fmt: skip
    text = result.summary()
    assert "complete case" in text and "weights treated as fixed" in text
    assert "effective sample size" in text


def test_extreme_weights_warn():
    with pytest.warns(errors.FragileDesignWarning, match="extreme weights"):
        ipw_attrition(DATA, "y", "t", "seen", ["a1", "a2"], max_weight=2.0)


def test_bad_input():
    with pytest.raises(errors.OutcomeError, match="'seen'"):
        ipw_attrition(DATA.assign(seen=DATA["seen"] * 2), "y", "t", "seen", "a1")
    leaked = DATA.assign(y=DATA["y"].fillna(7.5))
    with pytest.raises(errors.ArgumentError, match="147 persons marked as not observed") as error:
        ipw_attrition(leaked, "y", "t", "seen", "a1")
    assert "7.5" not in str(error.value) and "'y'" in str(error.value)
    with pytest.raises(errors.ArgumentError, match="missing for 1 persons marked as observed"):
        observed_row = DATA.index[DATA["seen"] == 1][0]
        ipw_attrition(DATA.assign(y=DATA["y"].where(DATA.index != observed_row)), "y", "t",
                      "seen", "a1")  # fmt: skip
    with pytest.raises(errors.MissingValueError, match="'a1'"):
        ipw_attrition(DATA.assign(a1=DATA["a1"].where(DATA.index > 0)), "y", "t", "seen", "a1")
    with pytest.raises(errors.ArgumentError, match="estimator"):
        ipw_attrition(DATA, "y", "t", "seen", "a1", estimator="ancova")
    with pytest.raises(errors.ArgumentError, match="model"):
        ipw_attrition(DATA, "y", "t", "seen", "a1", model="interacted")
    with pytest.raises(errors.ArgumentError):
        ipw_attrition(DATA, "y", "t", "seen", [])
    with pytest.raises(errors.ArgumentError, match="n_boot"):
        ipw_attrition(DATA, "y", "t", "seen", "a1", n_boot=5)
    with pytest.raises(errors.DesignError, match="collinear"):
        ipw_attrition(DATA.assign(a3=2 * DATA["a1"]), "y", "t", "seen", ["a1", "a3"])


def test_perfect_separation_is_a_clear_error():
    # in the control arm, every person with a2 = 1 is observed and every one with 0 lost
    seen = np.where(DATA["t"] == 0, DATA["a2"], DATA["seen"])
    data = DATA.assign(seen=seen, y=np.where(seen == 1, DATA["y"].fillna(1.0), np.nan))
    with pytest.raises(errors.DesignError, match="perfect separation"):
        ipw_attrition(data, "y", "t", "seen", ["a1", "a2"])


def test_does_not_mutate_and_is_exported():
    before = DATA.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.FragileDesignWarning)
        ipw_attrition(DATA, "y", "t", "seen", ["a1", "a2"], estimator="lin_estimator",
                      model="additive", n_boot=50)  # fmt: skip
    pd.testing.assert_frame_equal(DATA, before)
    assert evalkit.ipw_attrition is ipw_attrition
    assert evalkit.effects.ipw_attrition is ipw_attrition
