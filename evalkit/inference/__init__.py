"""Inference for small trials: randomization tests and intervals, multiple testing, indices.

- :func:`randomization_test`, :func:`randomization_ci`: Fisher's randomization test of the
  sharp null and the interval for a constant effect by test inversion;
- :func:`adjust_pvalues`, :func:`westfall_young`, :func:`romano_wolf`,
  :func:`sharpened_qvalues`: many outcomes;
- :func:`index_outcome`: one summary index of a family of outcomes.
"""

from .index import IndexResult, index_outcome
from .multiple import (
    MultipleTestResult,
    adjust_pvalues,
    romano_wolf,
    sharpened_qvalues,
    westfall_young,
)
from .randomization import (
    RandomizationInterval,
    RandomizationResult,
    randomization_ci,
    randomization_test,
)

__all__ = [
    "IndexResult",
    "MultipleTestResult",
    "RandomizationInterval",
    "RandomizationResult",
    "adjust_pvalues",
    "index_outcome",
    "randomization_ci",
    "randomization_test",
    "romano_wolf",
    "sharpened_qvalues",
    "westfall_young",
]
