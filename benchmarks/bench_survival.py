"""Time evalkit's Kaplan-Meier and log-rank next to lifelines, statsmodels and R survival.

    python benchmarks/bench_survival.py [--sizes 10000 100000 1000000 10000000] [--repeat 5]

Synthetic data (seeded, not real): two groups, integer weeks 1..520 with heavy ties
(as in weekly registers) and continuous times. Each timing is the median of ``--repeat``
runs on the same data in one process, in process CPU seconds (R inside R: user + system
of ``system.time``, when ``Rscript`` is installed): steadier than wall seconds on a
shared machine. A peer whose single run takes more than ``--budget`` seconds is timed once.
Prints seconds and the ratio peer / evalkit. "Kaplan-Meier by group" gives lifelines and
statsmodels their fastest mode: numpy arrays split by group before the clock starts.

Measured for issue 16 (2 cores shared with other jobs, load average 5-7: wall seconds are
several times a quiet machine's; the ratios are from one run). At n = 1e6, seconds and
peer / evalkit::

                              evalkit  lifelines      statsmodels    R survival
    weeks  Kaplan-Meier       0.054    0.61 (11x)     1.50 (28x)     11.5 (214x)
    weeks  KM by group        0.042    0.83 (20x)     0.71 (17x)      9.9 (235x)
    weeks  log-rank           0.033    1.13 (34x)     1.34 (40x)      4.4 (133x)
    cont.  Kaplan-Meier       0.46     2.63 (5.7x)    0.44 (0.95x)    9.3 (20x)
    cont.  KM by group        0.76     3.03 (4.0x)    0.45 (0.60x)   14.1 (19x)
    cont.  log-rank           0.48     2.82 (5.8x)    0.46 (0.96x)   12.5 (26x)

Before and after issue 16, process CPU seconds at n = 1e6 (median of 7; CPU time is
steadier than wall time on a shared machine): grouped Kaplan-Meier on weeks 0.033 ->
0.0057 (one blocked pass that checks, keys and counts (group, week, event) in cache,
instead of about six passes and two hash passes over the group column), log-rank on weeks
0.037 -> 0.0065, grouped Kaplan-Meier on continuous times 0.31 -> 0.23 (one sort of a
packed (time, group, event) key instead of a sort per group and a merge), log-rank on
continuous times 0.35 -> 0.19. statsmodels on pre-split arrays took 0.13-0.18 CPU seconds
for the grouped continuous curves in the same session: evalkit (which also validates,
splits and returns one table with intervals) is still about 1.5x slower there.

Issue 16, second pass: the grouped curves on continuous times cost a sort of the times
and then, per group, the work on a grid of every group's distinct times (dense group x
time tables, a mask and three gathers per group). Now one sort of an int64 key packing
(group, the time's IEEE bits less the smallest positive time's, event) brings each
group's rows out together in time order, so the runs of the key are that group's own
distinct times (the shared grid stays as the fallback when the key does not fit 63 bits),
and the at-risk counts stay integers. Tables are bit for bit those of before. Median
process CPU seconds at n = 1e6 (``--sizes 1000000 --repeat 5 --no-r``, this script, one
run, load average 5.5-5.8)::

                              evalkit  lifelines      statsmodels
    weeks  Kaplan-Meier       0.0043   0.089 (21x)    0.079 (18x)
    weeks  KM by group        0.0045   0.072 (16x)    0.073 (16x)
    weeks  log-rank           0.0046   0.158 (34x)    0.165 (36x)
    cont.  Kaplan-Meier       0.137    1.01 (7.4x)    0.195 (1.4x)
    cont.  KM by group        0.140    0.95 (6.8x)    0.160 (1.15x)
    cont.  log-rank           0.191    0.98 (5.1x)    0.268 (1.4x)

Grouped Kaplan-Meier on continuous times before -> after, CPU seconds at 1e6, minimum of 5
in one process beside statsmodels (pre-split arrays) in the same process, 4 processes,
load average 8-9.8: evalkit 0.24-0.33 -> 0.14-0.17, statsmodels 0.14-0.18; statsmodels /
evalkit 0.53-0.76 -> 0.93-1.3.
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
    """Median process CPU seconds of ``repeat`` runs (one run when it exceeds ``budget``)."""
    start = time.process_time()
    fn()
    first = time.process_time() - start
    if first > budget or repeat <= 1:
        return first
    times = [first]
    for _ in range(repeat - 1):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return float(np.median(times))


def python_jobs(data: pd.DataFrame) -> dict[str, dict]:
    jobs: dict[str, dict] = {
        "Kaplan-Meier": {"evalkit": lambda: kaplan_meier(data, "t", "e")},
        "Kaplan-Meier by group": {"evalkit": lambda: kaplan_meier(data, "t", "e", group="g")},
        "log-rank": {"evalkit": lambda: logrank_test(data, "t", "e", "g")},
    }
    t, e, g = data["t"].to_numpy(), data["e"].to_numpy(), data["g"].to_numpy()
    # the peers' fastest mode: numpy arrays, split by group before the clock starts
    split = [(t[g == k], e[g == k]) for k in (0, 1)]
    try:
        from lifelines import KaplanMeierFitter
        from lifelines.statistics import logrank_test as ll_logrank

        jobs["Kaplan-Meier"]["lifelines"] = lambda: KaplanMeierFitter().fit(t, e)
        jobs["Kaplan-Meier by group"]["lifelines"] = lambda: [
            KaplanMeierFitter().fit(tk, ek) for tk, ek in split
        ]
        jobs["log-rank"]["lifelines"] = lambda: ll_logrank(
            split[1][0], split[0][0], split[1][1], split[0][1]
        )
    except ImportError:
        pass
    try:
        from statsmodels.duration.survfunc import SurvfuncRight, survdiff

        jobs["Kaplan-Meier"]["statsmodels"] = lambda: SurvfuncRight(t, e)
        jobs["Kaplan-Meier by group"]["statsmodels"] = lambda: [
            SurvfuncRight(tk, ek) for tk, ek in split
        ]
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
  cpu <- function() { st <- system.time(f()); st[["user.self"]] + st[["sys.self"]] }
  median(replicate(repeat_n, cpu()))
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
