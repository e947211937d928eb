"""Programme economics: outcome payments, projections, milestone grants, full-year
persons, the reimbursement staircase and business cases.

Employment projects in Denmark are paid for by their outcomes or justified by their
savings; these functions compute those figures from the same weekly panels as the effects,
with honest uncertainty.
"""

from .fullyear import (  # noqa: E402
    FULL_TIME_HOURS,
    FullYearDifference,
    full_year_by_period,
    full_year_change,
    full_year_contributions,
    full_year_effect,
)
from .grants import (  # noqa: E402
    JOBFIRST_ACTIVITY_GRANT,
    MilestoneGrants,
    MilestoneRule,
    grant_reconciliation,
    grants_from_counts,
    milestone_grants,
)
from .reimbursement import (  # noqa: E402
    REFUSION_2016,
    Reimbursement,
    Staircase,
    benefit_week_count,
    reimbursement,
)

__all__ = [*globals().get("__all__", [])]
__all__ += [
    "FULL_TIME_HOURS",
    "FullYearDifference",
    "full_year_by_period",
    "full_year_change",
    "full_year_contributions",
    "full_year_effect",
    "JOBFIRST_ACTIVITY_GRANT",
    "MilestoneGrants",
    "MilestoneRule",
    "grant_reconciliation",
    "grants_from_counts",
    "milestone_grants",
    "REFUSION_2016",
    "Reimbursement",
    "Staircase",
    "benefit_week_count",
    "reimbursement",
]

from .business import (  # noqa: E402
    BusinessCase,
    annuity_factor,
    business_case,
    cost_per_outcome,
    required_outcomes,
    sensitivity_table,
    tornado_plot,
)

__all__ = [*globals().get("__all__", [])]
__all__ += [
    "BusinessCase",
    "annuity_factor",
    "business_case",
    "cost_per_outcome",
    "required_outcomes",
    "sensitivity_table",
    "tornado_plot",
]

from .contracts import (  # noqa: E402
    CohortTrigger,
    Contract,
    ContractPayments,
    RateCard,
    contract_payments,
)
from .projection import (  # noqa: E402
    InvestorCashFlow,
    MarkovChain,
    PaymentProjection,
    fit_markov_chain,
    investor_cash_flow,
    project_payments,
)

__all__ = [*globals().get("__all__", [])]
__all__ += [
    "CohortTrigger",
    "Contract",
    "ContractPayments",
    "RateCard",
    "contract_payments",
    "InvestorCashFlow",
    "MarkovChain",
    "PaymentProjection",
    "fit_markov_chain",
    "investor_cash_flow",
    "project_payments",
]
