"""Data behind survival_weights.R: public survival sets with case weights, and a small
synthetic weekly register of several spells per person.

``python survival_weights_data.py <dir>`` writes the CSVs R reads; the tests build the
same frames in memory (:func:`weights_frames`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from survival_data import survival_frames


def weekly_spells(seed: int = 18) -> pd.DataFrame:
    """Synthetic weekly spells: 160 persons in two arms and three sites, 1-4 spells each
    (weeks on benefit, 1..26, heavy ties), an exit to work (1) or censoring (0), and a
    non-integer case weight per person (an inverse probability of staying observed)."""
    rng = np.random.default_rng(seed)
    persons = 160
    arm = rng.integers(0, 2, persons)
    site = rng.integers(0, 3, persons)
    weight = np.round(rng.uniform(0.6, 2.4, persons), 3)
    spells = rng.integers(1, 5, persons)
    pid = np.repeat(np.arange(1, persons + 1) * 7 + 1000, spells)
    owner = np.repeat(np.arange(persons), spells)
    rate = np.where(arm[owner] == 1, 0.11, 0.08)
    weeks = np.minimum(rng.geometric(rate), 26)
    event = ((weeks < 26) & (rng.uniform(size=weeks.size) < 0.85)).astype(int)
    return pd.DataFrame(
        {
            "id": pid,
            "weeks": weeks.astype(int),
            "exit": event,
            "arm": arm[owner],
            "site": site[owner],
            "w": weight[owner],
        }
    )


def weights_frames() -> dict[str, pd.DataFrame]:
    """Name -> frame of the data sets survival_weights.R uses."""
    base = survival_frames()
    veteran = base["veteran"].copy()
    # deterministic case weights: fractional (IPW-like) and whole numbers (frequencies)
    veteran["wfrac"] = 0.5 + (veteran["karno"] % 7) / 4 + veteran["prior"] * 0.3
    veteran["wint"] = 1 + (veteran["age"] % 3)
    cgd = base["cgd"].copy()
    cgd["gap"] = cgd["tstop"] - cgd["tstart"]  # gap times: several spells per person
    cgd["wfrac"] = 0.7 + (cgd["age"] % 5) / 5
    # competing destinations (0 censored, 1/2 two exits), deterministic from the columns
    veteran["dest"] = veteran["status"] * (1 + veteran["karno"] % 2)
    weekly = weekly_spells()
    weekly["dest"] = weekly["exit"] * (1 + (weekly["id"] // 7 + weekly["weeks"]) % 2)
    # delayed entry (left truncation): observed from week 0..4, always before the exit
    weekly["entry"] = np.minimum((weekly["id"] // 7 + 2 * weekly["weeks"]) % 5, weekly["weeks"] - 1)
    return {"veteran": veteran, "cgd": cgd, "weekly": weekly}


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in weights_frames().items():
        frame.to_csv(out / f"{name}.csv", index=False)
