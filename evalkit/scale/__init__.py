"""Register scale: the same pipeline in memory, streamed over chunks of persons, or on Dask.

:class:`Register` runs spells, per-person outcomes, survival (Kaplan–Meier, log-rank,
cumulative incidence, discrete-time hazard data) and counts by unit and period on a
panel, a frame, a parquet file or a dask frame, with ``engine="memory" | "stream" |
"dask"``. The summaries merge across chunks of persons (:class:`SurvivalCounts`,
:func:`merge_unit_period`), so every engine gives the same numbers. See the how-to page
"National scale".
"""

from .engine import ENGINES, Outcome, Register, Spells, Survival, UnitPeriod
from .survival_counts import SurvivalCounts, survival_counts
from .unit_period import PERIODS, merge_unit_period, unit_period_counts

__all__ = [
    "ENGINES",
    "PERIODS",
    "Outcome",
    "Register",
    "Spells",
    "Survival",
    "SurvivalCounts",
    "UnitPeriod",
    "merge_unit_period",
    "survival_counts",
    "unit_period_counts",
]
