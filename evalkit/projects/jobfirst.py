"""The evaluation of JobFirst, Aalborg: published figures, and effects on SYNTHETIC data.

Source: Aalborg Kommune, Beskæftigelsesudvalget, "Orientering om JobFirst" (case
2018-010106). The document publishes the trial's design (350 randomized: 178 / 172),
the participant group's take-up and exits, and the activity grant; it publishes no
outcomes of the control group. The effect estimates here are computed on the synthetic
trial of :func:`evalkit.datasets.simulate_jobfirst`: they recover the *assumed* control
arm and show what a 178/172 trial can detect; they are not JobFirst's effects.

:func:`evaluate_jobfirst` runs every step; the notebook ``notebooks/jobfirst_aalborg.ipynb``
and ``evalkit reproduce`` both use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .. import difference_in_means, lin_estimator, risk_difference
from ..datasets import load_published, published_value, simulate_jobfirst
from ..datasets.jobfirst import SyntheticTrial
from ..economics.grants import (
    JOBFIRST_ACTIVITY_GRANT,
    MilestoneRule,
    grants_from_counts,
)
from ..economics.grants import (
    grant_reconciliation as reconcile_grants,
)
from ..panel import first_durable_entry, in_state_at, time_to_first, weeks_in_states
from ..results import EffectResult
from ..survival import kaplan_meier, logrank_test, rmst_difference
from ..survival.km import SurvivalCurve
from ..survival.logrank import LogRankResult

PROJECT = "jobfirst_aalborg"
#: Self-sufficient fully or partly (ordinary hours with a supplementary benefit).
WORK = ("self_sufficient", "partly_self_sufficient")
COVARIATES = ["age", "female", "years_on_support", "benefit"]


@dataclass(frozen=True, eq=False)
class JobFirstEvaluation:
    """Everything the JobFirst notebook and report show."""

    published: pd.DataFrame
    data: SyntheticTrial
    outcomes: pd.DataFrame
    effects: dict[str, EffectResult]
    time_to_work: SurvivalCurve
    logrank: LogRankResult
    rmst: EffectResult
    grant: pd.DataFrame
    notes: dict = field(default_factory=dict)

    @property
    def panel(self):
        return self.data.panel()


def grant_reconciliation() -> pd.DataFrame:
    """The activity grant implied by the published take-up against what was received.

    Published: DKK 6,000 when a coherent 13-week course starts and DKK 10,000 when 13 weeks
    at the same company are completed (:data:`evalkit.economics.JOBFIRST_ACTIVITY_GRANT`);
    144 starts and 108 completions; DKK 1,802,000 received by early February 2018 and just
    under DKK 200,000 more expected. Built by :func:`evalkit.economics.grant_reconciliation`
    from :func:`evalkit.economics.grants_from_counts`, declared ``source="published"``.
    """
    v = lambda figure: published_value(PROJECT, figure)  # noqa: E731
    rule = MilestoneRule(
        start_amount=v("grant_per_start"),
        completion_amount=v("grant_per_completion"),
        weeks=JOBFIRST_ACTIVITY_GRANT.weeks,
        cap=v("grant_per_citizen_max"),
        name=JOBFIRST_ACTIVITY_GRANT.name,
        source=JOBFIRST_ACTIVITY_GRANT.source,
    )
    computed = grants_from_counts(
        rule, int(v("started_company_course")), int(v("completed_13_weeks"))
    )
    ordinary_jobs = int(v("exit_ordinary_job"))
    return reconcile_grants(
        computed,
        received=v("grant_received"),
        expected_more=v("grant_expected_more"),
        scenarios=[
            (
                "If ordinary-job starts also earned a start grant",
                ordinary_jobs,
                rule.start_amount,
                f"assumption: the {ordinary_jobs} ordinary jobs counted as course starts",
            )
        ],
        ceiling=v("grant_activity_frame"),
        received_label="Received by early Feb. 2018",
        expected_label="Expected further payment (just under)",
        source="published",
    )


def evaluate_jobfirst(seed: int = 2016) -> JobFirstEvaluation:
    """Run the JobFirst evaluation on the synthetic trial (see the module docstring).

    >>> ev = evaluate_jobfirst()
    >>> ev.effects["weeks_in_work_1_52"].n_treated, ev.effects["weeks_in_work_1_52"].n_control
    (178, 172)
    """
    data = simulate_jobfirst(seed=seed)
    panel = data.panel()
    trial = data.trial
    outcomes = (
        trial.merge(
            weeks_in_states(panel, WORK, (1, 52)).rename(
                columns={
                    "weeks_in_state": "weeks_in_work_1_52",
                    "share_observed": "share_in_work_1_52",
                }
            )[["id", "weeks_in_work_1_52", "share_in_work_1_52"]],
            on="id",
        )
        .merge(
            weeks_in_states(panel, WORK, (1, 104)).rename(
                columns={"weeks_in_state": "weeks_in_work_1_104"}
            )[["id", "weeks_in_work_1_104"]],
            on="id",
        )
        .merge(in_state_at(panel, WORK, [52, 104]), on="id")
        .merge(
            time_to_first(panel, WORK, start=1).rename(
                columns={"duration": "weeks_to_work", "event": "entered_work"}
            )[["id", "weeks_to_work", "entered_work"]],
            on="id",
        )
        .merge(
            first_durable_entry(panel, WORK, 13, start=1).rename(
                columns={"duration": "weeks_to_durable_work", "event": "durable_work"}
            )[["id", "weeks_to_durable_work", "durable_work"]],
            on="id",
        )
    )
    at_52 = outcomes.dropna(subset=["in_state_w52"]).astype({"in_state_w52": int})
    effects = {
        "weeks_in_work_1_52": difference_in_means(outcomes, "weeks_in_work_1_52", "treated"),
        "weeks_in_work_1_52_lin": lin_estimator(
            outcomes, "weeks_in_work_1_52", "treated", COVARIATES
        ),
        "weeks_in_work_1_104": difference_in_means(outcomes, "weeks_in_work_1_104", "treated"),
        "in_work_week_52": risk_difference(at_52, "in_state_w52", "treated"),
        "durable_work_104": risk_difference(outcomes, "durable_work", "treated"),
    }
    curve = kaplan_meier(outcomes, "weeks_to_work", "entered_work", treatment="treated")
    return JobFirstEvaluation(
        published=load_published(PROJECT),
        data=data,
        outcomes=outcomes,
        effects=effects,
        time_to_work=curve,
        logrank=logrank_test(outcomes, "weeks_to_work", "entered_work", treatment="treated"),
        rmst=rmst_difference(outcomes, "weeks_to_work", "entered_work", "treated", tau=104),
        grant=grant_reconciliation(),
        notes={"seed": seed},
    )


#: Outcome -> its label key in the catalogue (:data:`evalkit.report.labels.LABELS`):
#: ``label(EFFECT_LABELS[k], lang)``.
EFFECT_LABELS = {
    "weeks_in_work_1_52": "jf_weeks_1_52",
    "weeks_in_work_1_52_lin": "jf_weeks_1_52_lin",
    "weeks_in_work_1_104": "jf_weeks_1_104",
    "in_work_week_52": "jf_in_work_52",
    "durable_work_104": "jf_durable_104",
}
