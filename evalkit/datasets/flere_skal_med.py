"""SYNTHETIC monthly statuses of the 255 persons of Flere skal med, Herning.

Herning's gross target group was 255 activity-ready citizens with 5+ years in the system,
split after assessment into group 1 (indsatsgruppen, a personal job broker), group 2
(prepared for the rehabilitation team: flexjob, resource course, disability pension) and
group 3 (unable to take part) (Herning Kommune, Beskæftigelsesudvalget 29 January 2020,
"Afrapportering fra projekt Flere skal med"). :func:`simulate_flere_skal_med_persons`
generates 255 made-up persons (ids ``FSMSYN001``...) with a monthly status from August
2017 to August 2019 such that:

- **reproduced exactly**: 255 persons; the group sizes 140 / 87 / 28, the national
  visitation shares 55 / 34 / 11 % (STAR monitoring report, July 2019) applied to 255 with
  largest remainders (the Herning document does not publish its split); and, month by
  month from January 2018, the indsatsgruppe's size and number in company-based activity
  of evalkit's synthetic Herning series (``load_reference("flere_skal_med_herning")``),
  which is below 40 % before September 2018 and at or above it from September 2018 to
  August 2019 as published;
- **assumed**: who is active when (persistent individual propensities, so the same
  persons tend to stay in activity), the split of activity into internships of more than
  3 months and ordinary paid hours (60 / 40), the months August-December 2017, and the
  statuses of groups 2 and 3.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..benchmark.reference import load_reference
from .synthetic import _seed

GROUP_SIZES = {"group 1": 140, "group 2": 87, "group 3": 28}
MONTHS = pd.period_range("2017-08", "2019-08", freq="M").strftime("%Y-%m").tolist()
ACTIVITY = ("internship_3_months", "ordinary_hours")


def simulate_flere_skal_med_persons(
    seed: int | None = 2017,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The SYNTHETIC persons and their monthly statuses (see the module docstring).

    Returns ``(persons, statuses)``: ``persons`` has ``id`` and ``group``; ``statuses`` is
    long, one row per person and month while the person is in the project, with
    ``status`` and ``in_company_activity`` (internship of more than 3 months or ordinary
    paid hours: the success criterion's numerator). The seed used (``None`` or a numpy
    Generator draw one) is in ``attrs["seed"]`` of both frames.

    >>> persons, statuses = simulate_flere_skal_med_persons()
    >>> persons["group"].value_counts().sort_index().tolist()
    [140, 87, 28]
    """
    seed = _seed(seed)
    rng = np.random.default_rng(seed)
    groups = np.repeat(list(GROUP_SIZES), list(GROUP_SIZES.values()))
    ids = np.array([f"FSMSYN{i:03d}" for i in range(1, len(groups) + 1)])
    persons = pd.DataFrame({"id": ids, "group": groups})
    reference = load_reference("flere_skal_med_herning").set_index("period")
    n_months = len(MONTHS)
    first_ref = MONTHS.index(reference.index[0])
    size = np.full(n_months, GROUP_SIZES["group 1"])
    size[first_ref:] = reference["n"].to_numpy()
    successes = np.zeros(n_months, dtype=int)
    early = np.arange(first_ref)
    successes[early] = np.round(size[early] * (0.12 + 0.03 * early)).astype(int)  # assumed
    successes[first_ref:] = reference["successes"].to_numpy()

    g1 = GROUP_SIZES["group 1"]
    # Leaving order: the persons who leave the indsatsgruppe, in the month the size drops.
    order = rng.permutation(g1)
    last_month = np.full(g1, n_months - 1)
    leavers = g1 - size  # cumulative leavers by month
    for month in range(1, n_months):
        leaving = order[leavers[month - 1] : leavers[month]]
        last_month[leaving] = month - 1
    propensity = rng.normal(size=g1)
    noise = np.zeros(g1)
    kind = np.where(rng.random(g1) < 0.6, ACTIVITY[0], ACTIVITY[1])
    rows = []
    for month in range(n_months):
        present = np.flatnonzero(last_month >= month)
        noise = 0.8 * noise + rng.normal(scale=0.6, size=g1)
        score = propensity[present] + noise[present]
        active = present[np.argsort(-score)[: successes[month]]]
        status = np.full(g1, "other_activity", dtype=object)
        status[active] = kind[active]
        rows.append(
            pd.DataFrame({"id": ids[present], "month": MONTHS[month], "status": status[present]})
        )
    group2 = _rehabilitation_paths(rng, ids[groups == "group 2"])
    group3 = pd.DataFrame(
        {
            "id": np.repeat(ids[groups == "group 3"], n_months),
            "month": np.tile(MONTHS, GROUP_SIZES["group 3"]),
            "status": "not_taking_part",
        }
    )
    statuses = pd.concat([*rows, group2, group3], ignore_index=True)
    statuses["in_company_activity"] = statuses["status"].isin(ACTIVITY)
    statuses = statuses.merge(persons, on="id").sort_values(["id", "month"], ignore_index=True)
    persons.attrs["seed"] = statuses.attrs["seed"] = seed
    return persons, statuses


def _rehabilitation_paths(rng, ids: np.ndarray) -> pd.DataFrame:
    """Group 2: preparation, then (for most) a resource course, flexjob or pension."""
    n, n_months = len(ids), len(MONTHS)
    start = rng.integers(2, n_months, n)
    outcome = rng.choice(["resource_course", "flexjob", "disability_pension"], n, p=[0.5, 0.3, 0.2])
    month = np.arange(n_months)[None, :]
    status = np.where(month >= start[:, None], outcome[:, None], "preparing_rehabilitation")
    return pd.DataFrame(
        {"id": np.repeat(ids, n_months), "month": np.tile(MONTHS, n), "status": status.ravel()}
    )
