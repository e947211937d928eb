"""Designing a trial: random assignment with an audit trail, power, and design diagnosis.

- :func:`assign`, :func:`reproduce`: complete, blocked and cluster randomization with an
  audit record that redraws the assignment exactly;
- :func:`power_proportions`, :func:`power_means`, :func:`minimum_detectable_effect`,
  :func:`n_for_power`, :func:`mde_table`: analytic power with unequal arms and design
  effects (covariate R², clustering, attrition);
- :func:`diagnose_design`, :func:`normal_design`, :func:`jobfirst_design`: power, bias,
  RMSE and coverage of any estimator by simulation.
"""

from .assign import Assignment, AssignmentAudit, ReproducibilityWarning, assign, reproduce
from .diagnose import (
    DesignDiagnosis,
    SimulatedDesign,
    diagnose_design,
    jobfirst_design,
    normal_design,
)
from .power import (
    MinimumDetectableEffect,
    PowerResult,
    SampleSize,
    mde_table,
    minimum_detectable_effect,
    n_for_power,
    power_means,
    power_proportions,
)

__all__ = [
    "Assignment",
    "AssignmentAudit",
    "DesignDiagnosis",
    "MinimumDetectableEffect",
    "PowerResult",
    "ReproducibilityWarning",
    "SampleSize",
    "SimulatedDesign",
    "assign",
    "diagnose_design",
    "jobfirst_design",
    "mde_table",
    "minimum_detectable_effect",
    "n_for_power",
    "normal_design",
    "power_means",
    "power_proportions",
    "reproduce",
]
