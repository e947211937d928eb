"""evalkit: evaluate employment programmes.

Design-based treatment effects for randomized trials, weekly status panels from
register extracts, survival of self-sufficiency spells, randomization inference and
power, benchmarking against national averages, and report figures and tables with
disclosure control. The sub-packages: :mod:`evalkit.effects`, :mod:`evalkit.panel`,
:mod:`evalkit.survival`, :mod:`evalkit.inference`, :mod:`evalkit.design`,
:mod:`evalkit.benchmark`, :mod:`evalkit.report`, :mod:`evalkit.datasets`.

>>> import evalkit
>>> evalkit.__version__
'0.1.0'
"""

from .benchmark import (
    compare_proportions,
    compare_series,
    funnel_limits,
    observed_expected,
    target_test,
)
from .design import (
    assign,
    minimum_detectable_effect,
    power_means,
    power_proportions,
)
from .effects import (
    ancova,
    difference_in_means,
    fisher_exact,
    lin_estimator,
    odds_ratio,
    risk_difference,
    risk_ratio,
    wilson_interval,
)
from .errors import EvalkitError, EvalkitWarning
from .inference import adjust_pvalues, randomization_ci, randomization_test
from .results import EffectResult

__version__ = "0.1.0"

__all__ = [
    "EffectResult",
    "EvalkitError",
    "EvalkitWarning",
    "__version__",
    "adjust_pvalues",
    "ancova",
    "assign",
    "compare_proportions",
    "compare_series",
    "difference_in_means",
    "fisher_exact",
    "funnel_limits",
    "lin_estimator",
    "minimum_detectable_effect",
    "observed_expected",
    "odds_ratio",
    "power_means",
    "power_proportions",
    "randomization_ci",
    "randomization_test",
    "risk_difference",
    "risk_ratio",
    "target_test",
    "wilson_interval",
]
