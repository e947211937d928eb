"""The questions an evaluator of JobFirst is asked at once, on the SYNTHETIC trial.

Reporting only the intention-to-treat difference invites four questions (issue 15):

- **What did the course do for those who took it?** 144 of the 178 offered JobFirst
  started a company-based course (published); no control could. The complier average
  causal effect (:func:`evalkit.cace`) divides the ITT by the difference in take-up.
- **Does attrition drive the result?** Persons who moved to another municipality
  leave the municipality's records (published: 5 of the treated; assumed: 5 controls).
  :func:`evalkit.attrition` judges overall and differential attrition against the What
  Works Clearinghouse boundaries; :func:`evalkit.lee_bounds` bounds the effect without
  assuming that the losses are random.
- **Who benefits?** The national evaluation found effects for cash-benefit recipients,
  not for persons on a resource course; Aalborg's treated were 156 and 22 (published).
  :func:`evalkit.subgroup_effects` estimates the effect by benefit type with the
  interaction test.
- **How does Aalborg compare with the other sites?** Aalborg was one of 16
  municipalities of the national trial. The other 15 sites' effects here are SYNTHETIC
  (:func:`synthetic_other_sites`): no site-level estimates of the national trial are
  published in the documents this project uses. :func:`evalkit.pool_sites` pools them.

Every number computed here rests on the synthetic persons of
:func:`evalkit.datasets.simulate_jobfirst` (outcomes, and the assumed control arm), except
the counts quoted as published above.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..effects import attrition, cace, lee_bounds, pool_sites, subgroup_effects
from ..effects.attrition import AttritionResult, BoundsResult
from ..effects.iv import CACEResult
from ..effects.sites import SitePooling
from ..effects.subgroups import SubgroupEffects
from .jobfirst import JobFirstEvaluation

#: The outcome the questions are asked of: weeks self-sufficient in weeks 1-104.
OUTCOME = "weeks_in_work_1_104"
#: Number of municipalities in the national JobFirst trial (Aalborg among them).
N_SITES = 16


@dataclass(frozen=True, eq=False)
class TrialQuestions:
    """Answers to the four questions (see the module docstring)."""

    data: pd.DataFrame
    cace: CACEResult
    attrition: AttritionResult
    lee: BoundsResult
    subgroups: SubgroupEffects
    sites: SitePooling


def synthetic_other_sites(seed: int = 15, k: int = N_SITES - 1) -> pd.DataFrame:
    """SYNTHETIC effects of the other sites of a multi-site trial, for teaching.

    ``k`` made-up sites ("Synthetic site 1" ...), each with an effect on weeks
    self-sufficient in weeks 1-104 drawn around 2.5 weeks with a between-site standard
    deviation of 1.5 weeks, and a standard error from a made-up trial of 60 to 400
    persons (SD of the outcome 12 weeks). None of it is a published figure.

    >>> synthetic_other_sites().shape
    (15, 3)
    """
    rng = np.random.default_rng(seed)
    n = rng.integers(60, 401, k)
    se = 12.0 * np.sqrt(4.0 / n)
    estimate = rng.normal(2.5, 1.5, k) + rng.normal(0.0, se)
    return pd.DataFrame(
        {"site": [f"Synthetic site {i + 1}" for i in range(k)], "estimate": estimate,
         "std_error": se}
    )  # fmt: skip


def trial_data(ev: JobFirstEvaluation) -> pd.DataFrame:
    """The person-level frame of the questions: the outcomes of ``ev`` with ``took_up``
    (started a company-based course; controls could not), ``observed`` (did not move
    away, so the outcome is in the municipality's records) and the outcome set missing
    for the persons who moved."""
    data = ev.outcomes.copy()
    starters = set(ev.data.activities["id"])
    data["took_up"] = data["id"].isin(starters).astype(int)
    moved = set(ev.data.end_status.loc[ev.data.end_status["status"] == "moved_away", "id"])
    data["observed"] = (~data["id"].isin(moved)).astype(int)
    data[f"{OUTCOME}_recorded"] = data[OUTCOME].where(data["observed"] == 1)
    return data


def answer_trial_questions(ev: JobFirstEvaluation) -> TrialQuestions:
    """Non-compliance, attrition, subgroups and sites for the JobFirst evaluation ``ev``.

    >>> from evalkit.projects.jobfirst import evaluate_jobfirst
    >>> q = answer_trial_questions(evaluate_jobfirst())
    >>> int(q.data["took_up"].sum()), q.attrition.n_treated - q.attrition.observed_treated
    (144, 5)
    """
    data = trial_data(ev)
    recorded = f"{OUTCOME}_recorded"
    other = synthetic_other_sites()
    itt = ev.effects[OUTCOME]
    sites = pool_sites(
        [itt.estimate, *other["estimate"]],
        [itt.std_error, *other["std_error"]],
        sites=["Aalborg", *other["site"]],
    )
    return TrialQuestions(
        data=data,
        cace=cace(data, OUTCOME, "treated", "took_up", one_sided=True),
        attrition=attrition(
            data, "treated", "observed", covariates=["age", "female", "years_on_support"]
        ),
        lee=lee_bounds(data, recorded, "treated", "observed"),
        subgroups=subgroup_effects(data, OUTCOME, "treated", by="benefit"),
        sites=sites,
    )
