"""SYNTHETIC person-level data for Aalborg's JobFirst trial, calibrated to its published figures.

Aalborg randomized 350 citizens, 178 to JobFirst and 172 to usual support (Aalborg
Kommune, Beskæftigelsesudvalget, "Orientering om JobFirst", case 2018-010106). The
document publishes aggregates of the participant group only; no person-level data and
no control-group outcomes. :func:`simulate_jobfirst` generates a weekly DREAM-like
register and an activity table for 350 made-up persons (ids ``JFSYN001``...) such that:

- **reproduced exactly** (published, treatment arm): 178 / 172 randomized; 156 on cash
  benefit and 22 on a resource course among the treated; 144 started a company-based
  course (140 internships, 4 wage-subsidy jobs) and 108 completed 13 weeks (105, 3); the
  status at the end of the project (ISO week 2018-W06, "primo februar 2018") of the 62
  treated who left the group's starting situation: small job with supplementary benefit
  10, ordinary job / self-sufficient 7, education on SU 5, flexjob 18 (12 in a job),
  disability pension 9, vocational rehabilitation 2, moved to a resource course 3,
  moved to another municipality 5, left for wealth 2, benefit stopped by sanction 1;
- **assumed** (not published; see :data:`CONTROL_STATUS`): the control arm's statuses,
  chosen so that the share in a small or ordinary job at project end is about 6
  percentage points below the treated arm's, in line with the national JobFirst
  evaluation (about +8 percentage points in reaching ordinary hours for cash-benefit
  recipients; Rambøll 2018, re-analysed by Arendt & Bolvig, IZA DP 18618); the control
  arm's composition (151 cash benefit, 21 resource course, proportional to the treated);
  randomization weeks spread over 2016-W10..2016-W47; when and how persons moved
  (uniformly between 8 weeks after randomization and the end of the project); recurrent
  short jobs before the final status; persistence after the project end.

Effect estimates from these data recover the *assumed* control-arm difference: they
show what a 178/172 trial can and cannot detect, not what JobFirst did.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ArgumentError
from ..panel.panel import StatusPanel
from ..panel.states import StateClassification, synthetic_classification
from ..panel.weeks import iso_week_ordinal, ordinal_to_label
from .synthetic import _seed

#: End-of-project status (2018-W06) -> (synthetic DREAM code, treated count as published).
TREATED_STATUS: dict[str, tuple[int, int]] = {
    "small_job": (135, 10),
    "ordinary_job": (0, 7),
    "education": (651, 5),
    "flexjob_in_job": (741, 12),
    "flexjob_awaiting": (745, 6),
    "disability_pension": (783, 9),
    "rehabilitation": (761, 2),
    "to_resource_course": (771, 3),
    "moved_away": (999, 5),
    "wealth": (0, 2),
    "sanction": (0, 1),
}
#: ASSUMED control-arm statuses at project end (not published; see the module docstring).
CONTROL_STATUS: dict[str, int] = {
    "small_job": 3,
    "ordinary_job": 3,
    "education": 4,
    "flexjob_in_job": 9,
    "flexjob_awaiting": 6,
    "disability_pension": 9,
    "rehabilitation": 2,
    "to_resource_course": 3,
    "moved_away": 5,
    "wealth": 1,
    "sanction": 1,
}
N_TREATED, N_CONTROL = 178, 172
TREATED_RESOURCE_COURSE, CONTROL_RESOURCE_COURSE = 22, 21
STARTED = {"internship": 140, "wage_subsidy": 4}  # 144 started a company-based course
COMPLETED = {"internship": 105, "wage_subsidy": 3}  # 108 completed 13 weeks
PROJECT_END = "2018-W06"
RANDOMIZATION_WEEKS = ("2016-W10", "2016-W47")
# Weekly probability of going back to cash benefit after the project end, by status code.
_RETURN_HAZARD = {135: 0.03, 0: 0.02, 651: 0.01, 761: 0.01}


@dataclass(frozen=True, eq=False)
class SyntheticTrial:
    """A SYNTHETIC trial: register (wide, ``y_YYWW``), trial list, activities, end status."""

    register: pd.DataFrame
    trial: pd.DataFrame
    activities: pd.DataFrame
    end_status: pd.DataFrame
    classification: StateClassification
    blank: str
    seed: int
    weeks_before: int
    weeks_after: int

    def panel(self, before: int | None = None, after: int | None = None) -> StatusPanel:
        """The panel aligned on randomization (week 0), weeks ``-before .. after``."""
        panel = StatusPanel.from_wide(
            self.register, "id", "y_", self.classification, blank=self.blank
        )
        return panel.align(
            self.trial,
            "id",
            "randomization_week",
            before=self.weeks_before if before is None else before,
            after=self.weeks_after if after is None else after,
        )


def simulate_jobfirst(
    seed: int | None = 2016, weeks_before: int = 52, weeks_after: int = 104
) -> SyntheticTrial:
    """Generate the SYNTHETIC JobFirst Aalborg trial (see the module docstring).

    ``seed`` makes it reproducible; the published counts hold for every seed. ``None``
    (or a numpy Generator) draws a seed, recorded in the result's ``seed``.

    >>> jf = simulate_jobfirst()
    >>> jf.trial["treated"].value_counts().sort_index().tolist()
    [172, 178]
    >>> int(jf.activities["completed_13_weeks"].sum())
    108
    """
    for name, value in (("weeks_before", weeks_before), ("weeks_after", weeks_after)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ArgumentError(f"{name} must be a whole number >= 0; got {value!r}.")
    if weeks_after < 100:
        raise ArgumentError("weeks_after must be at least 100 to reach the project end.")
    seed = _seed(seed)
    rng = np.random.default_rng(seed)
    n = N_TREATED + N_CONTROL
    treated = np.r_[np.ones(N_TREATED, bool), np.zeros(N_CONTROL, bool)]
    resource = np.zeros(n, bool)
    resource[rng.choice(N_TREATED, TREATED_RESOURCE_COURSE, replace=False)] = True
    resource[N_TREATED + rng.choice(N_CONTROL, CONTROL_RESOURCE_COURSE, replace=False)] = True
    first_rand, last_rand = (
        iso_week_ordinal(*map(int, w.split("-W"))) for w in RANDOMIZATION_WEEKS
    )
    rand = rng.integers(first_rand, last_rand + 1, n)
    start = first_rand - weeks_before
    n_weeks = last_rand + weeks_after + 1 - start
    end_week = iso_week_ordinal(2018, 6)
    status = np.full(n, "on_benefit", dtype=object)
    status[:N_TREATED] = _assign_statuses(
        rng, {k: v[1] for k, v in TREATED_STATUS.items()}, resource[:N_TREATED]
    )
    status[N_TREATED:] = _assign_statuses(rng, CONTROL_STATUS, resource[N_TREATED:])

    base = np.where(resource, 771, 130)
    codes = np.repeat(base[:, None], n_weeks, axis=1).astype(np.int16)
    week = np.arange(n_weeks) + start  # calendar ordinal of each column
    moved = status != "on_benefit"
    # When the person reached the final status: uniform from 8 weeks after randomization
    # to the week before the project end.
    change = np.where(moved, rng.integers(rand + 8, end_week), end_week + 10**6)
    final = np.array([TREATED_STATUS[s][0] if s in TREATED_STATUS else -1 for s in status])
    after_change = week[None, :] >= change[:, None]
    codes[after_change] = np.broadcast_to(final[:, None], codes.shape)[after_change]
    _short_jobs(rng, codes, week, rand, change, treated, end_week)
    _after_project(rng, codes, week, end_week, final, moved)
    codes[:, week < rand.min() - weeks_before] = base[:, None]  # at least a year on benefit

    ids = np.array([f"JFSYN{i:03d}" for i in range(1, n + 1)])
    labels = ordinal_to_label(week)
    register = pd.DataFrame(
        np.where(codes == 0, np.nan, codes),  # blank week: no public transfer
        columns=[f"y_{lab[2:4]}{lab[-2:]}" for lab in labels],
    ).astype("Int16")
    register.insert(0, "id", ids)
    trial = pd.DataFrame(
        {
            "id": ids,
            "treated": treated.astype(int),
            "randomization_week": ordinal_to_label(rand),
            "benefit": np.where(resource, "resource course", "cash benefit"),
            # Baseline covariates: synthetic, drawn independently of the arm.
            "age": rng.integers(30, 65, n),
            "female": (rng.random(n) < 0.45).astype(int),
            "years_on_support": np.round(1 + rng.gamma(2.0, 2.0, n), 1),
        }
    )
    end_status = pd.DataFrame({"id": ids, "treated": treated.astype(int), "status": status})
    return SyntheticTrial(
        register,
        trial,
        _activities(rng, ids[:N_TREATED], rand),
        end_status,
        synthetic_classification(),
        "self_sufficient",
        seed,
        weeks_before,
        weeks_after,
    )


def _assign_statuses(rng, counts: dict[str, int], resource: np.ndarray) -> np.ndarray:
    """Give each status its count; a resource-course person cannot 'move to' one."""
    out = np.full(len(resource), "on_benefit", dtype=object)
    order = rng.permutation(len(resource))
    cash_first = np.r_[order[~resource[order]], order[resource[order]]]
    taken = 0
    to_resource = counts.get("to_resource_course", 0)
    out[cash_first[:to_resource]] = "to_resource_course"
    taken = to_resource
    rest = rng.permutation(cash_first[taken:])
    position = 0
    for name, count in counts.items():
        if name == "to_resource_course":
            continue
        out[rest[position : position + count]] = name
        position += count
    return out


def _short_jobs(rng, codes, week, rand, change, treated, end_week) -> None:
    """Recurrent short jobs (2-6 blank or small-job weeks) before the final status.

    They never cover the project-end week, so the published end statuses hold exactly.
    """
    n = len(rand)
    for _ in range(2):  # at most two short jobs per person
        has = rng.random(n) < np.where(treated, 0.18, 0.10)  # assumed: more for the treated
        begin = rand + rng.integers(4, 60, n)
        length = rng.integers(2, 7, n)
        covers_end = (begin <= end_week) & (begin + length > end_week)
        ok = has & (begin + length < change - 2) & ~covers_end
        code = np.where(rng.random(n) < 0.5, 0, 135)
        inside = (week[None, :] >= begin[:, None]) & (week[None, :] < (begin + length)[:, None])
        inside &= ok[:, None]
        codes[inside] = np.broadcast_to(code[:, None], codes.shape)[inside]


def _after_project(rng, codes, week, end_week, final, moved) -> None:
    """After the project end, job and education statuses may end back on cash benefit."""
    n = len(final)
    hazard = np.array([_RETURN_HAZARD.get(int(c), 0.0) for c in final])
    back = end_week + rng.geometric(np.maximum(hazard, 1e-9), n)
    back = np.where(moved & (hazard > 0), back, np.iinfo(np.int64).max)
    returned = week[None, :] >= back[:, None]
    codes[returned] = 130


def _activities(rng, ids: np.ndarray, rand: np.ndarray) -> pd.DataFrame:
    """Company-based courses of the treated: 144 starts, 108 completions of 13 weeks."""
    starters = rng.choice(len(ids), sum(STARTED.values()), replace=False)
    kind = np.repeat(list(STARTED), list(STARTED.values()))
    completed = np.zeros(len(starters), bool)
    for name, count in COMPLETED.items():
        members = np.flatnonzero(kind == name)
        completed[rng.choice(members, count, replace=False)] = True
    weeks = np.where(
        completed, rng.integers(13, 27, len(starters)), rng.integers(1, 13, len(starters))
    )
    start = rng.integers(1, 13, len(starters))
    return pd.DataFrame(
        {
            "id": ids[starters],
            "activity": kind,
            "start_week": start,
            "start_calendar": ordinal_to_label(rand[starters] + start),
            "weeks": weeks,
            "completed_13_weeks": completed,
        }
    ).sort_values("id", ignore_index=True)
