"""Design-based treatment effects: differences in means, regression adjustment, binary outcomes,
multi-site pooling, subgroups."""

from .attrition import attrition, lee_bounds, manski_bounds
from .binary import fisher_exact, odds_ratio, risk_difference, risk_ratio, wilson_interval
from .compliers import complier_profile
from .ipw import ipw_attrition
from .iv import cace, first_stage
from .means import difference_in_means
from .regression import ancova, lin_estimator
from .sites import pool_sites, pool_sites_from_data
from .subgroups import subgroup_effects

__all__ = [
    "ancova",
    "cace",
    "attrition",
    "complier_profile",
    "difference_in_means",
    "first_stage",
    "fisher_exact",
    "ipw_attrition",
    "lee_bounds",
    "lin_estimator",
    "manski_bounds",
    "odds_ratio",
    "pool_sites",
    "pool_sites_from_data",
    "risk_difference",
    "risk_ratio",
    "subgroup_effects",
    "wilson_interval",
]
