"""Time evalkit's effect estimators next to statsmodels and R's estimatr on the same data.

    python benchmarks/bench_effects.py [--sizes 10000 100000 1000000] [--repeat 5]

The data are synthetic (a seeded two-arm trial with five covariates, blocks and
clusters). Each timing is the median of ``--repeat`` runs inside one process; R is
timed inside R (``system.time``), so its start-up is not counted. R is used when
``Rscript`` with estimatr is installed. Prints seconds and the ratio peer / evalkit.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm

import evalkit

COVARIATES = ["x1", "x2", "x3", "x4", "x5"]


def synthetic_trial(n: int, n_clusters: int, seed: int = 1) -> pd.DataFrame:
    """A synthetic cluster-randomized trial (not real data)."""
    rng = np.random.default_rng(seed)
    cluster = rng.integers(0, n_clusters, n)
    treated_cluster = rng.random(n_clusters) < 0.5
    t = treated_cluster[cluster].astype(int)
    x = rng.normal(size=(n, 5))
    y = 1.0 + 0.3 * t + x @ np.array([0.5, -0.2, 0.1, 0.0, 0.3]) + rng.normal(size=n)
    frame = pd.DataFrame(x, columns=COVARIATES)
    frame["t"], frame["y"], frame["cluster"] = t, y, cluster
    frame["block"] = cluster % 20
    return frame


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def python_timings(data: pd.DataFrame, repeat: int, with_cr2: bool) -> dict[str, dict]:
    x_dim = sm.add_constant(data[["t"]].to_numpy(float))
    x_anc = sm.add_constant(data[["t", *COVARIATES]].to_numpy(float))
    y = data["y"].to_numpy()
    jobs = {
        "difference in means (Neyman)": {
            "evalkit": lambda: evalkit.difference_in_means(data, "y", "t"),
            "statsmodels": lambda: sm.OLS(y, x_dim).fit(cov_type="HC2"),
        },
        "difference in means, blocked": {
            "evalkit": lambda: evalkit.difference_in_means(data, "y", "t", blocks="block"),
        },
        "ANCOVA, HC2": {
            "evalkit": lambda: evalkit.ancova(data, "y", "t", COVARIATES),
            "statsmodels": lambda: sm.OLS(y, x_anc).fit(cov_type="HC2"),
        },
        "Lin estimator, HC2": {
            "evalkit": lambda: evalkit.lin_estimator(data, "y", "t", COVARIATES),
        },
        "ANCOVA, CR1 (stata)": {
            "evalkit": lambda: evalkit.ancova(
                data, "y", "t", COVARIATES, clusters="cluster", se_type="CR1"
            ),
            "statsmodels": lambda: sm.OLS(y, x_anc).fit(
                cov_type="cluster", cov_kwds={"groups": data["cluster"].to_numpy()}
            ),
        },
    }
    if with_cr2:
        jobs["ANCOVA, CR2"] = {
            "evalkit": lambda: evalkit.ancova(data, "y", "t", COVARIATES, clusters="cluster"),
        }
    out: dict[str, dict] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, tools in jobs.items():
            out[name] = {tool: median_time(fn, repeat) for tool, fn in tools.items()}
    return out


R_SCRIPT = r"""
suppressPackageStartupMessages(library(estimatr))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); repeat_n <- as.integer(args[2]); with_cr2 <- args[3] == "1"
med <- function(expr) {
  f <- function() eval(expr)
  median(replicate(repeat_n, system.time(f())[["elapsed"]]))
}
out <- list(
  "difference in means (Neyman)" = med(quote(difference_in_means(y ~ t, data = d))),
  "difference in means, blocked" = med(quote(difference_in_means(y ~ t, blocks = block, data = d))),
  "ANCOVA, HC2" = med(quote(lm_robust(y ~ t + x1 + x2 + x3 + x4 + x5, data = d))),
  "Lin estimator, HC2" = med(quote(lm_lin(y ~ t, ~ x1 + x2 + x3 + x4 + x5, data = d))),
  "ANCOVA, CR1 (stata)" = med(quote(lm_robust(y ~ t + x1 + x2 + x3 + x4 + x5, data = d,
                                   clusters = cluster, se_type = "stata")))
)
if (with_cr2) out[["ANCOVA, CR2"]] <- med(quote(lm_robust(y ~ t + x1 + x2 + x3 + x4 + x5,
                                                data = d, clusters = cluster)))
cat(jsonlite::toJSON(out, auto_unbox = TRUE))
"""


def r_timings(data: pd.DataFrame, repeat: int, with_cr2: bool) -> dict[str, float]:
    if shutil.which("Rscript") is None:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        csv, script = Path(tmp) / "trial.csv", Path(tmp) / "bench.R"
        data.to_csv(csv, index=False)
        script.write_text(R_SCRIPT)
        done = subprocess.run(
            ["Rscript", str(script), str(csv), str(repeat), "1" if with_cr2 else "0"],
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        print("R failed:", done.stderr.strip().splitlines()[-1:])
        return {}
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cr2-max", type=int, default=100_000, help="largest n timed for CR2")
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        data = synthetic_trial(n, n_clusters=max(50, n // 50))
        with_cr2 = n <= args.cr2_max
        timings = python_timings(data, args.repeat, with_cr2)
        for name, seconds in r_timings(data, args.repeat, with_cr2).items():
            timings[name]["R estimatr"] = seconds
        for name, tools in timings.items():
            ours = tools["evalkit"]
            for tool, seconds in tools.items():
                rows.append(
                    {
                        "n": n,
                        "estimator": name,
                        "tool": tool,
                        "seconds": seconds,
                        "ratio (tool / evalkit)": seconds / ours,
                    }
                )
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 140, "display.max_rows", 500):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))


if __name__ == "__main__":
    main()
