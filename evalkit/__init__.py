"""evalkit: evaluate employment programmes.

Design-based treatment effects for randomized trials, weekly status panels from
register extracts, survival of self-sufficiency spells, randomization inference and
power, benchmarking against national averages, and report figures and tables with
disclosure control.

``import evalkit`` gives every sub-package (``evalkit.effects``, ``evalkit.panel``,
``evalkit.survival``, ``evalkit.inference``, ``evalkit.design``, ``evalkit.benchmark``,
``evalkit.report``, ``evalkit.output``, ``evalkit.datasets``, ``evalkit.projects``) and
the functions an evaluation calls first, under their own names: the effect estimators
(``evalkit.difference_in_means``...), the status panel (``evalkit.StatusPanel``,
``evalkit.StateClassification``, ``evalkit.spells``), survival (``evalkit.kaplan_meier``,
``evalkit.logrank_test``, ``evalkit.cox``...), the figures (``evalkit.survival_plot``,
``evalkit.share_plot``, ``evalkit.forest_plot``, ``evalkit.consort_diagram``...), the
tables (``evalkit.balance_table``, ``evalkit.effect_table``, ``evalkit.export_table``) and
the output gate's ``evalkit.export``. Sub-packages are imported on first use, so that
``import evalkit`` stays quick (matplotlib is loaded with the first figure or table).

The arm is named the same way everywhere: ``treatment=`` a 0/1 (or boolean) column,
1 = the programme (labelled Treatment), 0 = control.

Example
-------
>>> import evalkit
>>> evalkit.__version__
'0.1.0'
>>> evalkit.kaplan_meier is evalkit.survival.kaplan_meier
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .effects import (
    ancova,
    attrition,
    cace,
    complier_profile,
    difference_in_means,
    first_stage,
    fisher_exact,
    ipw_attrition,
    lee_bounds,
    lin_estimator,
    manski_bounds,
    odds_ratio,
    pool_sites,
    pool_sites_from_data,
    risk_difference,
    risk_ratio,
    subgroup_effects,
    wilson_interval,
)
from .errors import EvalkitError, EvalkitWarning
from .results import EffectResult

__version__ = "0.1.0"

#: Sub-packages, imported on first attribute access (``evalkit.survival``...).
_SUBPACKAGES = (
    "benchmark",
    "datasets",
    "design",
    "effects",
    "inference",
    "output",
    "panel",
    "projects",
    "report",
    "scale",
    "survival",
)

#: Re-exported names, by the sub-package that defines them (imported on first use).
_EXPORTS = {
    "benchmark": (
        "compare_proportions",
        "compare_series",
        "funnel_limits",
        "observed_expected",
        "target_test",
    ),
    "design": ("assign", "minimum_detectable_effect", "power_means", "power_proportions"),
    "inference": ("adjust_pvalues", "randomization_ci", "randomization_test"),
    "output": ("export",),
    "panel": (
        "StateClassification",
        "StatusPanel",
        "first_durable_entry",
        "in_state_at",
        "read_panel",
        "spells",
        "time_to_first",
        "weeks_in_states",
    ),
    "report": (
        "balance_table",
        "consort_diagram",
        "cumulative_incidence_plot",
        "effect_table",
        "export_table",
        "forest_plot",
        "funnel_plot",
        "series_plot",
        "share_by_week",
        "share_plot",
        "survival_plot",
    ),
    "survival": (
        "AdjustedSurvival",
        "adjusted_survival",
        "baseline_hazard",
        "cox_residuals",
        "predict_survival",
        "split_at",
        "cox",
        "cumulative_incidence",
        "fine_gray",
        "gray_test",
        "kaplan_meier",
        "logrank_test",
        "mean_cumulative_function",
        "nelson_aalen",
        "rmst_difference",
        "state_occupation",
    ),
}
_LAZY = {name: package for package, names in _EXPORTS.items() for name in names}

if TYPE_CHECKING:  # static tools see the names; at run time __getattr__ imports them
    from . import (
        benchmark,
        datasets,
        design,
        effects,
        inference,
        output,
        panel,
        projects,
        report,
        scale,
        survival,
    )
    from .benchmark import (
        compare_proportions,
        compare_series,
        funnel_limits,
        observed_expected,
        target_test,
    )
    from .design import assign, minimum_detectable_effect, power_means, power_proportions
    from .inference import adjust_pvalues, randomization_ci, randomization_test
    from .output import export
    from .panel import (
        StateClassification,
        StatusPanel,
        first_durable_entry,
        in_state_at,
        read_panel,
        spells,
        time_to_first,
        weeks_in_states,
    )
    from .report import (
        balance_table,
        consort_diagram,
        cumulative_incidence_plot,
        effect_table,
        export_table,
        forest_plot,
        funnel_plot,
        series_plot,
        share_by_week,
        share_plot,
        survival_plot,
    )
    from .survival import (
        AdjustedSurvival,
        adjusted_survival,
        baseline_hazard,
        cox,
        cox_residuals,
        cumulative_incidence,
        fine_gray,
        gray_test,
        kaplan_meier,
        logrank_test,
        mean_cumulative_function,
        nelson_aalen,
        predict_survival,
        rmst_difference,
        split_at,
        state_occupation,
    )


def __getattr__(name: str):
    """Import a sub-package or a re-exported function on first use (PEP 562)."""
    if name in _SUBPACKAGES:
        module = importlib.import_module(f".{name}", __name__)
    elif name in _LAZY:
        module = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    else:
        raise AttributeError(f"module 'evalkit' has no attribute {name!r}")
    globals()[name] = module  # later look-ups skip __getattr__
    return module


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBPACKAGES) | set(_LAZY))


__all__ = [
    "predict_survival",
    "cox_residuals",
    "baseline_hazard",
    "adjusted_survival",
    "AdjustedSurvival",
    "EffectResult",
    "EvalkitError",
    "EvalkitWarning",
    "StateClassification",
    "StatusPanel",
    "__version__",
    "adjust_pvalues",
    "ancova",
    "cace",
    "assign",
    "attrition",
    "balance_table",
    "benchmark",
    "compare_proportions",
    "compare_series",
    "complier_profile",
    "consort_diagram",
    "cox",
    "cumulative_incidence",
    "cumulative_incidence_plot",
    "datasets",
    "design",
    "difference_in_means",
    "effect_table",
    "effects",
    "export",
    "export_table",
    "fine_gray",
    "first_durable_entry",
    "first_stage",
    "fisher_exact",
    "forest_plot",
    "funnel_limits",
    "funnel_plot",
    "gray_test",
    "in_state_at",
    "inference",
    "ipw_attrition",
    "kaplan_meier",
    "lee_bounds",
    "lin_estimator",
    "logrank_test",
    "mean_cumulative_function",
    "nelson_aalen",
    "manski_bounds",
    "minimum_detectable_effect",
    "observed_expected",
    "odds_ratio",
    "output",
    "panel",
    "pool_sites",
    "pool_sites_from_data",
    "power_means",
    "power_proportions",
    "projects",
    "randomization_ci",
    "randomization_test",
    "read_panel",
    "report",
    "risk_difference",
    "risk_ratio",
    "rmst_difference",
    "scale",
    "series_plot",
    "share_by_week",
    "share_plot",
    "spells",
    "state_occupation",
    "split_at",
    "subgroup_effects",
    "survival",
    "survival_plot",
    "target_test",
    "time_to_first",
    "weeks_in_states",
    "wilson_interval",
]
