"""Contract tests run over every effect estimator: one result surface, inputs never
mutated, a clear evalkit error (naming the column) for each bad input."""

import math

import numpy as np
import pandas as pd
import pytest

import evalkit
from evalkit.errors import (
    ArgumentError,
    ColumnError,
    MissingValueError,
    MissingValueWarning,
    OutcomeError,
    TreatmentError,
)


def trial_frame(n: int = 40, seed: int = 1) -> pd.DataFrame:
    """A small synthetic two-arm trial (not real data)."""
    rng = np.random.default_rng(seed)
    t = np.repeat([1, 0], n // 2)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "t": t,
            "x": x,
            "group": np.where(rng.random(n) < 0.5, "a", "b"),
            "y": 1.0 + 0.5 * t + x + rng.normal(size=n),
            "job": (rng.random(n) < 0.3 + 0.3 * t).astype(int),
            "block": np.tile([1, 2, 3, 4], n // 4),
            "notes": [None] * n,  # an unused column full of missing values
        }
    )


# (function, keyword arguments, name of the outcome column)
ESTIMATORS = [
    (evalkit.difference_in_means, {"outcome": "y"}),
    (evalkit.difference_in_means, {"outcome": "y", "blocks": "block"}),
    (evalkit.lin_estimator, {"outcome": "y", "covariates": ["x", "group"]}),
    (evalkit.ancova, {"outcome": "y", "covariates": ["x"]}),
    (evalkit.ancova, {"outcome": "y", "covariates": ["x"], "fixed_effects": "block"}),
    (evalkit.risk_difference, {"outcome": "job"}),
    (evalkit.risk_difference, {"outcome": "job", "method": "wald"}),
    (evalkit.risk_ratio, {"outcome": "job"}),
    (evalkit.odds_ratio, {"outcome": "job"}),
    (evalkit.odds_ratio, {"outcome": "job", "method": "conditional"}),
    (evalkit.fisher_exact, {"outcome": "job"}),
]
IDS = [
    f"{f.__name__}-{'-'.join(f'{k}={v}' for k, v in kw.items() if k != 'outcome')}"
    for f, kw in ESTIMATORS
]


def call(estimator, kwargs, data, **overrides):
    arguments = {"treatment": "t", **kwargs, **overrides}
    return estimator(data, **arguments)


@pytest.mark.parametrize(("estimator", "kwargs"), ESTIMATORS, ids=IDS)
class TestContract:
    def test_result_surface(self, estimator, kwargs):
        result = call(estimator, kwargs, trial_frame())
        assert isinstance(result, evalkit.EffectResult)
        assert math.isfinite(result.estimate)
        low, high = result.conf_int
        assert low <= result.estimate <= high
        assert 0.0 <= result.p_value <= 1.0
        assert (result.n_treated, result.n_control) == (20, 20)
        assert result.n == 40
        assert result.outcome == kwargs["outcome"]
        frame = result.to_frame()
        assert list(frame.columns[:8]) == [
            "term",
            "estimate",
            "std_error",
            "statistic",
            "p_value",
            "conf_low",
            "conf_high",
            "df",
        ]
        assert frame.loc[frame["term"] == "t", "estimate"].item() == result.estimate
        text = result.summary()
        assert kwargs["outcome"] in text and "treated 20" in text
        assert "<table" in result._repr_html_()
        with pytest.raises(AttributeError):
            result.estimate = 0.0  # frozen

    def test_input_not_mutated(self, estimator, kwargs):
        data = trial_frame()
        before = data.copy(deep=True)
        call(estimator, kwargs, data)
        pd.testing.assert_frame_equal(data, before)

    def test_missing_column_named(self, estimator, kwargs):
        with pytest.raises(ColumnError, match="'nope'"):
            call(estimator, kwargs, trial_frame(), treatment="nope")

    def test_treatment_not_binary(self, estimator, kwargs):
        data = trial_frame().assign(t=lambda d: d["t"] + 1)
        with pytest.raises(TreatmentError, match=r"'t'.*0/1.*2"):
            call(estimator, kwargs, data)

    def test_treatment_text(self, estimator, kwargs):
        data = trial_frame().assign(t=lambda d: np.where(d["t"] == 1, "JobFirst", "usual"))
        with pytest.raises(TreatmentError, match="'JobFirst'"):
            call(estimator, kwargs, data)

    def test_boolean_treatment_same_as_01(self, estimator, kwargs):
        data = trial_frame()
        as_bool = call(estimator, kwargs, data.assign(t=data["t"] == 1))
        assert as_bool.estimate == pytest.approx(call(estimator, kwargs, data).estimate)

    def test_single_arm(self, estimator, kwargs):
        data = trial_frame().assign(t=1)
        with pytest.raises(TreatmentError, match="no control"):
            call(estimator, kwargs, data)

    def test_outcome_not_numeric(self, estimator, kwargs):
        data = trial_frame()
        data[kwargs["outcome"]] = data[kwargs["outcome"]].astype(str) + "x"
        with pytest.raises(OutcomeError, match=repr(kwargs["outcome"])):
            call(estimator, kwargs, data)

    def test_missing_values(self, estimator, kwargs):
        data = trial_frame()
        data.loc[[0, 21], kwargs["outcome"]] = np.nan
        with pytest.raises(MissingValueError, match=rf"'{kwargs['outcome']}': 2"):
            call(estimator, kwargs, data)
        with pytest.warns(MissingValueWarning, match="dropped 2 of 40 rows"):
            result = call(estimator, kwargs, data, missing="drop")
        assert (result.n_treated, result.n_control) == (19, 19)
        with pytest.raises(ArgumentError, match="missing"):
            call(estimator, kwargs, data, missing="ignore")

    def test_bad_alpha(self, estimator, kwargs):
        for alpha in (0, 1, 1.5, "a"):
            with pytest.raises(ArgumentError, match="alpha"):
                call(estimator, kwargs, trial_frame(), alpha=alpha)

    def test_alpha_widens_interval(self, estimator, kwargs):
        data = trial_frame()
        narrow = call(estimator, kwargs, data, alpha=0.2).conf_int
        wide = call(estimator, kwargs, data, alpha=0.01).conf_int
        assert wide[0] < narrow[0] and narrow[1] < wide[1]

    def test_not_a_frame(self, estimator, kwargs):
        with pytest.raises(ArgumentError, match="DataFrame"):
            call(estimator, kwargs, trial_frame().to_dict())

    def test_errors_are_value_errors(self, estimator, kwargs):
        with pytest.raises(ValueError):
            call(estimator, kwargs, trial_frame(), treatment="nope")


def test_unused_column_with_missing_values_is_ignored():
    data = trial_frame()
    assert data["notes"].isna().all()
    assert math.isfinite(evalkit.difference_in_means(data, "y", "t").estimate)
