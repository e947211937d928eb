"""Benchmarking against national averages, targets and other units.

For projects without a control group: compare a local share with a reference group or a
national series (:mod:`~evalkit.benchmark.compare`), test it against a target
(:mod:`~evalkit.benchmark.targets`), place it among other units on a funnel plot
(:mod:`~evalkit.benchmark.funnel`), adjust for case mix
(:mod:`~evalkit.benchmark.standardise`) and, with a before period, read the change in
the gap to the national trend (:mod:`~evalkit.benchmark.did`). None of these comparisons
is causal on its own; every result says so where it matters.
"""

from .compare import (
    SELECTION_CAVEAT,
    GapResult,
    SeriesComparison,
    TwoGroupComparison,
    average_gap,
    compare_proportions,
    compare_series,
    prop_test_two_sample,
    proportion_difference,
    proportion_ratio,
)
from .did import PARALLEL_TRENDS_CAUTION, DidResult, did_national, event_time_plot
from .funnel import (
    FunnelResult,
    Overdispersion,
    estimate_overdispersion,
    funnel_compare,
    funnel_limits,
    funnel_plot,
)
from .reference import REFERENCE_SERIES, load_reference, simulate_flere_skal_med
from .standardise import (
    ObservedExpected,
    Standardisation,
    direct_standardise,
    expected_counts,
    indirect_standardise,
    observed_expected,
)
from .targets import (
    AverageTargetTest,
    CostPerOutcome,
    GoalProbability,
    TargetAttainment,
    TargetTest,
    average_target_test,
    clopper_pearson,
    cost_per_outcome,
    goal_probability,
    target_attainment,
    target_test,
)

__all__ = [
    "PARALLEL_TRENDS_CAUTION",
    "REFERENCE_SERIES",
    "SELECTION_CAVEAT",
    "AverageTargetTest",
    "CostPerOutcome",
    "DidResult",
    "FunnelResult",
    "GapResult",
    "GoalProbability",
    "ObservedExpected",
    "Overdispersion",
    "SeriesComparison",
    "Standardisation",
    "TargetAttainment",
    "TargetTest",
    "TwoGroupComparison",
    "average_gap",
    "average_target_test",
    "clopper_pearson",
    "compare_proportions",
    "compare_series",
    "cost_per_outcome",
    "did_national",
    "direct_standardise",
    "estimate_overdispersion",
    "event_time_plot",
    "expected_counts",
    "funnel_compare",
    "funnel_limits",
    "funnel_plot",
    "goal_probability",
    "indirect_standardise",
    "load_reference",
    "observed_expected",
    "prop_test_two_sample",
    "proportion_difference",
    "proportion_ratio",
    "simulate_flere_skal_med",
    "target_attainment",
    "target_test",
]
