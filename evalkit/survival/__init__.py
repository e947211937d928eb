"""Survival of self-sufficiency spells: Kaplan-Meier, log-rank, Cox, competing risks, RMST,
Nelson-Aalen and mean cumulative functions, multi-state occupation probabilities."""

from .competing import (
    CumulativeIncidence,
    FineGrayResult,
    GrayTestResult,
    cumulative_incidence,
    fine_gray,
    gray_test,
)
from .cox import ChiSquareTest, CoxResult, cox
from .cox_chunked import cox_chunked
from .cox_curves import AdjustedSurvival, adjusted_survival, baseline_hazard, predict_survival
from .cox_residuals import cox_residuals
from .discrete import DiscreteHazardResult, discrete_time_hazard
from .hazard import CumulativeHazard, mean_cumulative_function, nelson_aalen
from .km import SurvivalCurve, kaplan_meier
from .logrank import LogRankResult, logrank_test
from .multistate import StateOccupation, panel_transitions, state_occupation
from .rmst import rmst_difference
from .split import split_at

__all__ = [
    "ChiSquareTest",
    "CoxResult",
    "cox",
    "cox_chunked",
    "AdjustedSurvival",
    "adjusted_survival",
    "baseline_hazard",
    "cox_residuals",
    "predict_survival",
    "split_at",
    "CumulativeIncidence",
    "FineGrayResult",
    "GrayTestResult",
    "cumulative_incidence",
    "fine_gray",
    "gray_test",
    "DiscreteHazardResult",
    "discrete_time_hazard",
    "LogRankResult",
    "SurvivalCurve",
    "kaplan_meier",
    "logrank_test",
    "rmst_difference",
    "CumulativeHazard",
    "mean_cumulative_function",
    "nelson_aalen",
    "StateOccupation",
    "panel_transitions",
    "state_occupation",
]
