"""evalkit: evaluate employment programmes.

Design-based treatment effects for randomized trials (difference in means, Lin
regression adjustment, ANCOVA, effects on binary outcomes), with results that
print, tidy into frames and render in notebooks.

>>> import evalkit
>>> evalkit.__version__
'0.1.0'
"""

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
from .results import EffectResult

__version__ = "0.1.0"

__all__ = [
    "EffectResult",
    "EvalkitError",
    "EvalkitWarning",
    "__version__",
    "ancova",
    "difference_in_means",
    "fisher_exact",
    "lin_estimator",
    "odds_ratio",
    "risk_difference",
    "risk_ratio",
    "wilson_interval",
]
