"""SYNTHETIC weekly histories of Impact60, Aalborg (pay for success, no control group).

Aalborg referred activity-ready, psychologically vulnerable unemployed citizens to
Impact60 (Fokus Folkeoplysning, with Den Sociale Kapitalfond) from 1 September 2018 to
31 December 2019; the municipality pays for every week a referred person is fully or
partly self-sufficient (Aalborg Kommune, Beskæftigelsesudvalget, "Orientering om status
for Impact60", case 2018-066012). :func:`simulate_impact60` generates 120 made-up persons
(ids ``I60SYN001``...) such that:

- **reproduced exactly** (published): 120 referrals, half from Uddannelseshuset and half
  from Job- og Aktivhuset; at the midway evaluation (ISO week 2019-W38, September 2019)
  65 citizens active in the project, 16 of them fully or partly self-sufficient, and 18
  on their way in (referred in the four weeks before); 46 % (55 of 120) reached
  self-sufficiency by 2021-W26 (the final result reported by co-pi.dk in June 2021);
- **assumed**: referral weeks; 12 drop-outs before the midway evaluation (the document
  mentions a larger drop-out in the start-up period, without a number); that persons
  pass through several short jobs before a stable situation (the document's learning):
  spells of (partial) self-sufficiency of 2-16 weeks alternating with benefit spells,
  with a growing chance that a spell lasts; partial self-sufficiency more common than
  full; the weekly histories after 2021-W26.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..panel.panel import StatusPanel
from ..panel.states import StateClassification, synthetic_classification
from ..panel.weeks import iso_week_ordinal, ordinal_to_label
from .synthetic import _seed

N_REFERRED = 120
MIDWAY = (2019, 38)
ACTIVE_AT_MIDWAY, IN_WORK_AT_MIDWAY, STARTING_AT_MIDWAY = 65, 16, 18
DROPPED_BEFORE_MIDWAY = 12  # assumed
REACHED_BY_FINAL, FINAL = 55, (2021, 26)
FIRST_REFERRAL, LAST_REFERRAL, END = (2018, 36), (2019, 52), (2022, 52)


@dataclass(frozen=True, eq=False)
class SyntheticProject:
    """A SYNTHETIC project without control group: register and the list of persons."""

    register: pd.DataFrame
    persons: pd.DataFrame
    classification: StateClassification
    blank: str
    seed: int

    def panel(self, before: int = 52, after: int = 156) -> StatusPanel:
        """Weekly states aligned on the referral week (week 0)."""
        panel = StatusPanel.from_wide(
            self.register, "id", "y_", self.classification, blank=self.blank
        )
        return panel.align(self.persons, "id", "referral_week", before=before, after=after)


def simulate_impact60(seed: int | None = 2018) -> SyntheticProject:
    """Generate the SYNTHETIC Impact60 histories (see the module docstring).

    >>> p = simulate_impact60()
    >>> len(p.persons), int((p.persons["house"] == "Uddannelseshuset").sum())
    (120, 60)
    """
    seed = _seed(seed)  # None or a Generator: the seed drawn, recorded on the result
    rng = np.random.default_rng(seed)
    week = lambda y, w: iso_week_ordinal(y, w)  # noqa: E731
    first, last, midway = week(*FIRST_REFERRAL), week(*LAST_REFERRAL), week(*MIDWAY)
    final, end = week(*FINAL), week(*END)
    # Referral weeks: 18 in the 4 weeks up to midway, 77 before (65 active + 12 drop-outs),
    # 25 after.
    n_before = ACTIVE_AT_MIDWAY + DROPPED_BEFORE_MIDWAY
    n_after = N_REFERRED - n_before - STARTING_AT_MIDWAY
    referral = np.r_[
        rng.integers(first, midway - 3, n_before),
        rng.integers(midway - 3, midway + 1, STARTING_AT_MIDWAY),
        rng.integers(midway + 1, last + 1, n_after),
    ]
    dropout = np.full(N_REFERRED, np.iinfo(np.int64).max)
    dropped = rng.choice(n_before, DROPPED_BEFORE_MIDWAY, replace=False)
    dropout[dropped] = np.minimum(referral[dropped] + rng.integers(2, 12, len(dropped)), midway - 1)
    active = np.setdiff1d(np.arange(n_before), dropped)
    in_work_midway = rng.choice(active, IN_WORK_AT_MIDWAY, replace=False)
    # Who reaches self-sufficiency by the final count, and when first.
    others = np.setdiff1d(np.arange(N_REFERRED), np.r_[dropped, in_work_midway])
    later = rng.choice(others, REACHED_BY_FINAL - IN_WORK_AT_MIDWAY, replace=False)
    first_work = np.full(N_REFERRED, np.iinfo(np.int64).max)
    first_work[in_work_midway] = rng.integers(
        np.maximum(referral[in_work_midway] + 2, midway - 30), midway + 1
    )
    low = np.maximum(referral[later] + 4, midway + 1)
    first_work[later] = rng.integers(low, np.maximum(low + 1, final + 1))

    start = first - 52
    n_weeks = end - start + 1
    codes = np.full((N_REFERRED, n_weeks), 130, dtype=np.int16)
    for person in np.flatnonzero(first_work < np.iinfo(np.int64).max):
        _work_history(
            rng,
            codes[person],
            first_work[person] - start,
            midway - start if person in in_work_midway else None,
        )
    # Sickness spells on benefit for some of those who never work in the period.
    sick = rng.random(N_REFERRED) < 0.2
    for person in np.flatnonzero(sick & (first_work == np.iinfo(np.int64).max)):
        at = rng.integers(referral[person] - start, n_weeks - 10)
        codes[person, at : at + rng.integers(4, 20)] = 890
    ids = np.array([f"I60SYN{i:03d}" for i in range(1, N_REFERRED + 1)])
    labels = ordinal_to_label(np.arange(start, end + 1))
    register = pd.DataFrame(
        np.where(codes == 0, np.nan, codes), columns=[f"y_{lab[2:4]}{lab[-2:]}" for lab in labels]
    ).astype("Int16")
    register.insert(0, "id", ids)
    persons = pd.DataFrame(
        {
            "id": ids,
            "referral_week": ordinal_to_label(referral),
            "house": np.where(
                np.arange(N_REFERRED) % 2 == 0, "Uddannelseshuset", "Job- og Aktivhuset"
            ),
            "dropout_week": [ordinal_to_label([d])[0] if d < 10**9 else None for d in dropout],
        }
    )
    order = rng.permutation(N_REFERRED)
    persons["house"] = persons["house"].to_numpy()[order]
    return SyntheticProject(register, persons, synthetic_classification(), "self_sufficient", seed)


def _work_history(rng, row, begin, must_cover) -> None:
    """Alternating short work spells (blank or 135) and benefit spells from ``begin``.

    The first spell covers ``must_cover`` when given; it starts at ``begin`` in any case,
    and no work week falls before ``begin``.
    """
    t, stable = begin, 0.15
    first = True
    while t < len(row):
        length = int(rng.integers(2, 17))
        if first and must_cover is not None:
            length = max(length, must_cover - t + 1)
        if rng.random() < stable:
            length = len(row) - t  # a job that lasts
        code = 0 if rng.random() < 0.4 else 135
        row[t : t + length] = code
        t += length + int(rng.integers(3, 20))
        stable = min(stable + 0.1, 0.6)
        first = False
