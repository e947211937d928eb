"""The result contract (issue 13): one surface for every public result type.

Every inferential result subclasses :class:`evalkit.results.InferentialResult` and has
``estimate``, ``std_error``, ``conf_int`` and ``p_value`` (None where not defined), a
``to_frame()`` whose first columns are the core tidy columns and which is declared to the
output gate, ``summary()`` and an HTML view. Every other result with ``summary()`` is one
of the table or curve results listed below, with a declared ``to_frame()`` (or a
documented reason). The functions that make results never modify their input, and the
random ones give the same result for the same seed and record the seed they used.

The factories are those of tests/test_gate_views.py (one per public result type).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_gate_views import CASES, EXCLUDED, _public_result_classes, trial

import evalkit
from evalkit.output import declaration
from evalkit.results import CORE_COLUMNS, SURFACE, InferentialResult

#: Results that are tables or curves, not one inferential result, and why.
TABLE_RESULTS = {
    "SurvivalCurve": "a curve: a table of estimates over time (kaplan_meier)",
    "CumulativeIncidence": "curves by cause: a table over time",
    "SeriesComparison": "a table of periods",
    "TargetAttainment": "a table of periods",
    "Standardisation": "a table of units",
    "FunnelResult": "a table of units and control limits",
    "GoalProbability": "a predictive probability, not an estimate with a test",
    "MultipleTestResult": "a family of tests: one row per hypothesis",
    "Assignment": "a random assignment, not an estimate",
    "DesignDiagnosis": "a simulation study of a design",
    "BalanceTable": "a descriptive table (its omnibus test is a BalanceTest)",
    "ContractPayments": "an account of payments by cohort, not an estimate",
    "AttritionResult": "attrition rates by arm and baseline equivalence, not an estimate",
    "ComplierProfile": "covariate means by complier type, a descriptive table",
    "SubgroupEffects": "one effect per subgroup level and a heterogeneity test per variable",
    "CumulativeHazard": "curves: cumulative hazard or mean cumulative function over time",
    "StateOccupation": "curves: a probability per state over time",
    "AdjustedSurvival": "curves: Cox-adjusted survival per arm over time, and RMSTs",
}


def _name(case) -> str:
    return case.cls.__name__


INFERENTIAL = [k for k, c in CASES.items() if _name(c) not in TABLE_RESULTS]


def test_every_result_class_is_inferential_or_a_listed_table():
    for qualified in _public_result_classes() - set(EXCLUDED):
        module, _, name = qualified.rpartition(".")
        cls = getattr(__import__(module, fromlist=[name]), name)
        assert issubclass(cls, InferentialResult) or name in TABLE_RESULTS, (
            f"{qualified} has summary() but is neither an InferentialResult nor listed in "
            "TABLE_RESULTS; build it on evalkit.results.InferentialResult"
        )


@pytest.mark.parametrize("key", INFERENTIAL)
def test_inferential_surface(key):
    result = CASES[key].build(False)
    assert isinstance(result, InferentialResult)
    for attribute in SURFACE:
        assert hasattr(result, attribute), f"{key} has no {attribute}"
    if result.conf_int is not None:
        low, high = result.conf_int
        assert result.conf_low == low and result.conf_high == high
    frame = result.to_frame()
    assert frame.columns.tolist()[: len(CORE_COLUMNS)] == CORE_COLUMNS
    assert declaration(frame) is not None, f"{key}.to_frame() is not declared to the gate"
    first = frame.iloc[0]
    if result.estimate is not None and np.isfinite(result.estimate):
        assert np.isclose(first["estimate"], result.estimate) or len(frame) > 1
    assert isinstance(result.summary(), str) and result.summary()
    assert result._repr_html_().startswith("<")


@pytest.mark.parametrize("key", [k for k in CASES if k not in INFERENTIAL])
def test_table_results_have_a_declared_frame_and_views(key):
    result = CASES[key].build(False)
    assert isinstance(result.summary(), str) and result._repr_html_().startswith("<")
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame) and declaration(frame) is not None


# ------------------------------------------------------------------------- no mutation
def _spells():
    rng = np.random.default_rng(5)
    n = 120
    return pd.DataFrame(
        {
            "weeks": rng.integers(1, 30, n).astype(float),
            "exit": (rng.random(n) < 0.7).astype(int),
            "cause": rng.integers(0, 3, n),
            "treated": np.repeat([1, 0], n // 2),
            "age": rng.normal(40, 10, n).round(),
            "block": np.tile(["a", "b", "c"], n // 3),
        }
    )


CALLS = {
    "difference_in_means": (trial, lambda d: evalkit.difference_in_means(d, "y", "t")),
    "lin_estimator": (trial, lambda d: evalkit.lin_estimator(d, "y", "t", ["z"])),
    "ancova": (trial, lambda d: evalkit.ancova(d, "y", "t", ["z", "w"])),
    "randomization_test": (
        trial, lambda d: evalkit.randomization_test(d, "y", "t", n_draws=200, seed=3)
    ),
    "randomization_ci": (
        trial, lambda d: evalkit.randomization_ci(d, "y", "t", n_draws=200, seed=3)
    ),
    "kaplan_meier": (_spells, lambda d: evalkit.kaplan_meier(d, "weeks", "exit",
                                                             treatment="treated")),
    "logrank_test": (_spells, lambda d: evalkit.logrank_test(d, "weeks", "exit",
                                                             treatment="treated")),
    "cox": (_spells, lambda d: evalkit.cox(d, "weeks", "exit", treatment="treated")),
    "cumulative_incidence": (
        _spells, lambda d: evalkit.cumulative_incidence(d, "weeks", "cause", treatment="treated")
    ),
    "balance_table": (
        trial, lambda d: evalkit.balance_table(d, "t", ["z", "w"], test="randomization",
                                               n_draws=100, seed=3)
    ),
    "assign": (_spells, lambda d: evalkit.assign(d, blocks="block", seed=3)),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CALLS))
def test_inputs_are_never_modified(name):
    make, call = CALLS[name]
    data = make(False) if make is trial else make()
    before = data.copy(deep=True)
    attrs = dict(data.attrs)
    call(data)
    pd.testing.assert_frame_equal(data, before)
    assert data.attrs == attrs


# ------------------------------------------------------------------------- seeds
SEEDED = {
    "randomization_test": lambda seed: evalkit.randomization_test(
        trial(False), "y", "t", n_draws=300, seed=seed
    ),
    "randomization_ci": lambda seed: evalkit.randomization_ci(
        trial(False), "y", "t", n_draws=300, seed=seed
    ),
    "assign": lambda seed: evalkit.assign(_spells(), blocks="block", seed=seed),
    "balance_table": lambda seed: evalkit.balance_table(
        trial(False), "t", ["z", "w"], test="randomization", n_draws=200, seed=seed
    ),
}


def _seed_of(result):
    if hasattr(result, "omnibus"):
        return result.omnibus.seed
    if hasattr(result, "audit"):
        return result.audit.seed
    return result.seed


def _fingerprint(result):
    if hasattr(result, "omnibus"):
        return result.omnibus.p_value
    if hasattr(result, "treatment") and isinstance(result.treatment, pd.Series):
        return tuple(result.treatment.tolist())
    return tuple(result.to_frame().iloc[0].astype(str))


@pytest.mark.parametrize("name", list(SEEDED))
def test_same_seed_same_result_and_the_seed_is_recorded(name):
    run = SEEDED[name]
    first, again = run(11), run(11)
    assert _fingerprint(first) == _fingerprint(again)
    assert _seed_of(first) == 11
    drawn = run(None)
    recorded = _seed_of(drawn)
    assert isinstance(recorded, int)
    assert _fingerprint(run(recorded)) == _fingerprint(drawn)
    generator = run(np.random.default_rng(4))
    assert isinstance(_seed_of(generator), int)
