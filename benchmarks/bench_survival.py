"""Time evalkit's Kaplan-Meier and log-rank next to lifelines, statsmodels and R survival.

    python benchmarks/bench_survival.py [--sizes 10000 100000 1000000 10000000] [--repeat 5]

Synthetic data (seeded, not real): two groups, integer weeks 1..520 with heavy ties
(as in weekly registers) and continuous times. Each timing is the median of ``--repeat``
runs on the same data in one process (R inside R with ``system.time``, when ``Rscript``
is installed). A peer whose single run takes more than ``--budget`` seconds is timed once.
Prints seconds and the ratio peer / evalkit.
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

from evalkit.survival import kaplan_meier, logrank_test


def synthetic_spells(n: int, integer_weeks: bool, seed: int = 1) -> pd.DataFrame:
    """Synthetic durations (not real data): exponential exits, uniform censoring."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, n)
    exit_time = rng.exponential(np.where(group == 1, 80.0, 100.0))
    censor = rng.uniform(0, 520, n)
    duration = np.minimum(exit_time, censor)
    if integer_weeks:
        duration = np.clip(np.ceil(duration), 1, 520).astype(np.int64)
    return pd.DataFrame({"t": duration, "e": (exit_time <= censor).astype(np.int64), "g": group})


def timed(fn, repeat: int, budget: float) -> float:
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    if first > budget or repeat <= 1:
        return first
    times = [first]
    for _ in range(repeat - 1):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def python_jobs(data: pd.DataFrame) -> dict[str, dict]:
    jobs: dict[str, dict] = {
        "Kaplan-Meier": {"evalkit": lambda: kaplan_meier(data, "t", "e")},
        "Kaplan-Meier by group": {"evalkit": lambda: kaplan_meier(data, "t", "e", group="g")},
        "log-rank": {"evalkit": lambda: logrank_test(data, "t", "e", "g")},
    }
    t, e, g = data["t"].to_numpy(), data["e"].to_numpy(), data["g"].to_numpy()
    try:
        from lifelines import KaplanMeierFitter
        from lifelines.statistics import logrank_test as ll_logrank

        jobs["Kaplan-Meier"]["lifelines"] = lambda: KaplanMeierFitter().fit(t, e)
        jobs["log-rank"]["lifelines"] = lambda: ll_logrank(
            t[g == 1], t[g == 0], e[g == 1], e[g == 0]
        )
    except ImportError:
        pass
    try:
        from statsmodels.duration.survfunc import SurvfuncRight, survdiff

        jobs["Kaplan-Meier"]["statsmodels"] = lambda: SurvfuncRight(t, e)
        jobs["log-rank"]["statsmodels"] = lambda: survdiff(t, e, g)
    except ImportError:
        pass
    return jobs


R_SCRIPT = r"""
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); repeat_n <- as.integer(args[2])
med <- function(expr) {
  f <- function() eval(expr)
  median(replicate(repeat_n, system.time(f())[["elapsed"]]))
}
out <- list(
  "Kaplan-Meier" = med(quote(survfit(Surv(t, e) ~ 1, data = d))),
  "Kaplan-Meier by group" = med(quote(survfit(Surv(t, e) ~ g, data = d))),
  "log-rank" = med(quote(survdiff(Surv(t, e) ~ g, data = d)))
)
cat(jsonlite::toJSON(out, auto_unbox = TRUE))
"""


def r_timings(data: pd.DataFrame, repeat: int) -> dict[str, float]:
    if shutil.which("Rscript") is None:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        csv, script = Path(tmp) / "spells.csv", Path(tmp) / "bench.R"
        data.to_csv(csv, index=False)
        script.write_text(R_SCRIPT)
        done = subprocess.run(
            ["Rscript", str(script), str(csv), str(repeat)], capture_output=True, text=True
        )
    return json.loads(done.stdout) if done.returncode == 0 else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--budget", type=float, default=20.0)
    parser.add_argument("--no-r", action="store_true")
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        for integer_weeks in (True, False):
            data = synthetic_spells(n, integer_weeks)
            timings = {}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for name, tools in python_jobs(data).items():
                    timings[name] = {
                        tool: timed(fn, args.repeat, args.budget) for tool, fn in tools.items()
                    }
            if not args.no_r:
                for name, seconds in r_timings(data, args.repeat).items():
                    timings[name]["R survival"] = seconds
            for name, tools in timings.items():
                for tool, seconds in tools.items():
                    rows.append(
                        {
                            "n": n,
                            "times": "integer weeks" if integer_weeks else "continuous",
                            "estimator": name,
                            "tool": tool,
                            "seconds": seconds,
                            "ratio (tool / evalkit)": seconds / tools["evalkit"],
                        }
                    )
    with pd.option_context("display.width", 160, "display.max_rows", 500):
        print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.4g}"))


if __name__ == "__main__":
    main()
