"""Design-based treatment effects: differences in means, regression adjustment, binary outcomes."""

from .binary import fisher_exact, odds_ratio, risk_difference, risk_ratio, wilson_interval
from .means import difference_in_means
from .regression import ancova, lin_estimator

__all__ = [
    "ancova",
    "difference_in_means",
    "fisher_exact",
    "lin_estimator",
    "odds_ratio",
    "risk_difference",
    "risk_ratio",
    "wilson_interval",
]
