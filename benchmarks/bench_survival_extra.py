"""Time issue 18's survival estimators next to lifelines and R survival, in one run.

    python benchmarks/bench_survival_extra.py [--sizes 100000 1000000] [--repeat 3]

Synthetic two-arm data (seeded, not real), each with ``n`` weekly rows:

- single spells: one row per person, integer weeks 1..520, exit or censoring, arm ``g``
  and a covariate ``x`` (Kaplan-Meier, Nelson-Aalen, Cox predictions);
- recurrent spells: 4 consecutive ``(start, stop]`` rows per person, an entry event at
  the end of most (the mean cumulative function);
- multi-state: 4 consecutive rows per person moving between benefit, job, education and
  other, censored in the last row half of the time (state occupation, Aalen-Johansen).

Timed: evalkit's ``kaplan_meier`` (the existing estimator, for the ratios it keeps),
``nelson_aalen`` (single spells; on the recurrent rows without ``id``, as lifelines sees
them, and with ``id`` but ``robust=False``), ``mean_cumulative_function`` (always the
robust variance), ``state_occupation`` (by arm) and, on a
Cox fit of ``g + x`` made before the clock starts, ``predict_survival`` (2 profiles) on
its first call (the baseline hazard computed from the rows and kept with the fit; timed
by dropping the kept baseline before each run) and with the baseline kept, and
``adjusted_survival`` (direct standardisation over every row, with its delta-method
SEs). Peers where they have the method: lifelines ``KaplanMeierFitter`` /
``NelsonAalenFitter`` (per arm on arrays split before the clock; with ``entry=`` for the
recurrent rows, which gives the MCF point estimate with model-based variances: beside
the two ``nelson_aalen`` rows of the recurrent data, not beside the MCF) and
``CoxPHFitter.predict_survival_function`` (fit outside the clock; it rescales a stored
baseline without standard errors: beside the kept-baseline row); R ``survfit`` (KM and
Nelson-Aalen are one call; for the recurrent rows without ``id``, with ``id`` and
``robust = FALSE``, and with ``id`` and ``robust = TRUE`` for the MCF; ``id=`` for the
multi-state curves; ``survfit(coxph, newdata=)``, which recomputes the baseline and the
standard errors on every call: beside the first-call row), timed inside R with ``system.time``
so R's start-up and CSV reading are not counted. R has no g-computation curve in
``survival`` and lifelines no MCF or multi-state estimator: those rows have no peer.
``--only REGEX`` times only the rows whose name matches (in R too).
Each timing is the median of ``--repeat`` runs (a run longer than ``--budget`` seconds
is timed once), as process CPU seconds (Python ``time.process_time``; R ``user.self +
sys.self``) and wall seconds. Prints both with peer / evalkit and the load average.

First measured (commit 428e347, wall seconds, load average about 3 on the 2 cores): at
1e6 rows ``nelson_aalen`` 0.995 s (lifelines 0.084, R 1.98), ``mean_cumulative_function``
1.71 s (lifelines 0.124, R 5.96), ``state_occupation`` 20.7 s (R 14.4): 12x and 14x
slower than lifelines and 1.4x slower than R, against Kaplan-Meier's 13x faster than
lifelines and 220x faster than R.

Measured after the issue 18 speed work (this machine, 2 cores shared with up to 7 other
jobs; load average 8.2 / 8.4 / 8.0 before the 1e5 run, 9.0 / 8.6 / 8.1 before the 1e6
run, 8.5 / 8.5 / 8.2 after it: wall seconds are 3-4x the CPU seconds and ratios move by
tens of percent between runs; median of 3). Process CPU seconds (peer / evalkit)::

    n = 1e5 rows               evalkit   lifelines          R survival
    Kaplan-Meier by arm        0.0014    0.052  (37x)       0.129  (93x)
    Nelson-Aalen by arm        0.028     0.049  (1.8x)      0.142  (5.1x)
    MCF by arm (recurrent)     0.065     0.031  (0.47x)     0.355  (5.4x)
    state occupation by arm    0.135     -                  0.825  (6.1x)

    n = 1e6 rows               evalkit   lifelines          R survival
    Kaplan-Meier by arm        0.0047    0.057  (12x)       1.00   (210x)
    Nelson-Aalen by arm        0.099     0.059  (0.59x)     1.06   (11x)
    MCF by arm (recurrent)     0.578     0.056  (0.097x)    3.54   (6.1x)
    state occupation by arm    0.812     -                  11.2   (14x)

Wall seconds at 1e6 in the same run: Nelson-Aalen 0.335 (lifelines 0.189, R 4.11),
MCF 2.01 (0.194, 14.6), state occupation 2.90 (R 45.3). A run just before (same code
but for the sort skipped in the MCF variance; load 9.9 / 8.6 / 7.4) gave CPU seconds
0.125 / 0.432 / 0.915 for the three at 1e6 (lifelines 0.081 / 0.056, R 1.24 / 3.82 /
10.1): the spread between runs under this load is about 30 %.

Read against the existing estimator: all three are now 6-14x faster than R at 1e6
(were 0.7-3.5x). ``state_occupation`` went from 20.7 s wall to 0.8 s CPU / 2.9 s wall:
per-row influence updates and a recursion over the move times instead of every person at
every time (see ``evalkit.survival.multistate``). ``nelson_aalen`` is within 1.7x of
lifelines' ``NelsonAalenFitter`` (faster at 1e5). ``mean_cumulative_function`` stays
about 8-10x slower than ``NelsonAalenFitter`` at 1e6, which computes no robust variance
for the recurrent rows; about 0.2 s CPU of evalkit's time there is the row checks of
``_steps.interval_rows`` (a lexsort for the overlap check), not part of this work. So
issue 18's "within the ratios of the existing estimators" (KM's 13x faster than
lifelines) is met against R, not against lifelines.

Like for like (issue 18 follow-up, commit dafafa7; one run at 1e6 rows, load average
4.0 / 4.7 / 4.6 before and 4.0 / 4.5 / 4.5 after; median of 3). The rows above set the
MCF with its robust variance beside lifelines' ``NelsonAalenFitter``, which has none.
Process CPU seconds, wall in brackets (peer / evalkit)::

    n = 1e6 rows                 evalkit         lifelines             R survival
    Nelson-Aalen by arm          0.061 [0.092]   0.099 (1.6x) [1.7x]   1.01 (17x) [30x]
    NA recurrent, no id          0.069 [0.124]   0.093 (1.3x) [2.1x]   1.07 (15x) [25x]
    NA recurrent, id, model SE   0.124 [0.285]   0.084 (0.68x) [0.45x] 4.05 (33x) [18x]
    MCF by arm, robust SE        0.307 [0.344]   -                     4.41 (14x) [21x]

(R's ``robust = FALSE`` with ``id`` took 4 s: survfit's id path.) At 1e5 rows (load 3.9 -
4.6; an earlier version of these rows): Nelson-Aalen 0.012 (lifelines 2.4x, R 12x),
recurrent with id, ``robust=False`` 0.020 (lifelines 0.029, 1.5x; R without id 0.116),
MCF 0.057 (R 0.374, 6.6x); at 1e6 in that run 0.123 (lifelines 0.079). Like for like,
evalkit is faster than lifelines where lifelines sees the same thing (no persons), and
14x faster than R with the robust variance.

After commit fc34890 (a person's last rows found without gathers when the rows come in
order), the same rows at 1e6, load 5.5 / 4.6 / 4.5 before and 3.4 / 4.3 / 4.4 after, CPU s
(wall within 10 % of CPU in this run): Nelson-Aalen 0.055 (lifelines 0.086, 1.5x; R 1.35,
24x); recurrent no id 0.063 (0.077, 1.2x; 1.13, 18x); id, model SE 0.088 (0.070, 0.79x;
4.06, 46x); MCF robust 0.281 (R 4.18, 15x). With ``id`` evalkit is 0.68x lifelines: the
id costs about 0.06 s of ``_steps.interval_rows`` (``pd.factorize`` of the integer ids
and the overlap check of a person's rows, which lifelines does not make) and the
person-last-row positions of ``n_censored``.

Before / after of that commit, both versions in one process, alternating (CPU s at 1e6,
median of 3 and of 7, load 3.8-4.5): ``nelson_aalen`` single spells 0.151 / 0.163 ->
0.070 / 0.070; recurrent without id 0.156 / 0.129 -> 0.094 / 0.100; recurrent with id,
``robust=False`` 0.207 / 0.201 -> 0.173 / 0.173; ``mean_cumulative_function`` 0.462 /
0.574 -> 0.504 / 0.535 (three earlier pairs at load 3.9-7: 0.42-0.46 -> 0.36-0.40; the
change in the MCF is within the spread between runs). What was cut: each row's place
among the times is found once and passed to the robust variance (it was searched twice,
for the numbers at risk and for the variance); one ``flatnonzero`` and ``take`` per group
instead of a boolean mask per array (and two more for the row count and the follow-up);
no ``arange`` of persons without ``id``; persons per group from one bincount; the MCF
difference's numbers at risk from one grouped bincount instead of a masked pass per arm;
no weight arrays without weights. Results equal (``assert_frame_equal`` at rtol 1e-12 of
old against new on these data; the tests).

Cox curves (issue 18), measured in one run after ``adjusted_survival`` was made to sum
over persons in blocks and ``predict_survival`` to keep the baseline (load average 4.1 /
5.3 / 6.7 before the 1e5 run, 5.3 / 5.4 / 6.7 before and 4.4 / 5.0 / 6.2 after the 1e6
run; median of 3; the rows above were a different run). Process CPU seconds, wall in
brackets (peer / evalkit)::

    n = 1e5 rows                 evalkit          lifelines              R survival
    Cox predict (first call)     0.022 [0.060]    -                      0.091 (4.1x) [7.5x]
    Cox predict (baseline kept)  0.0017 [0.0017]  0.0041 (2.4x) [4.8x]   -
    Cox adjusted_survival        0.62 [1.46]      -                      -

    n = 1e6 rows                 evalkit          lifelines              R survival
    Cox predict (first call)     0.201 [0.56]     -                      0.765 (3.8x) [2.1x]
    Cox predict (baseline kept)  0.0024 [0.0090]  0.0058 (2.4x) [1.9x]   -
    Cox adjusted_survival        6.29 [15.4]      -                      -

Before (first measured at commit 428e347, wall, load about 3): ``predict_survival``
0.055 s at 1e5 and 0.645 s at 1e6 on every call (lifelines 0.0023 / 0.0030, R 0.105 /
0.879); ``adjusted_survival`` 6.09 s at 1e5 and killed out of memory at 1e6 (it held
persons x times arrays). In a same-session CPU comparison with the code of commit
12a2c6b, before this work (load about 7; ``predict_survival`` 2 profiles, median of 3,
``adjusted_survival`` one run): at 1e5 ``adjusted_survival`` 13.0 s and 3.46 GB peak
process memory before, 0.76 s and 0.23 GB after; at 1e6 ``predict_survival`` 0.43 s on
every call before, 0.19 s first and 0.0019 s kept after; ``adjusted_survival`` at 1e6 6.6
s with 0.44 GB peak for the whole process (fit and data included). ``adjusted_survival``
is linear in the rows (10x from 1e5 to 1e6) and has no peer (R's ``survival`` has no
g-computation curve). ``predict_survival`` is now 2-7x faster than R's ``survfit`` on a
first call and 2-5x faster than lifelines with the baseline kept (with standard errors,
which lifelines does not compute).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.survival import (
    cox,
    kaplan_meier,
    mean_cumulative_function,
    nelson_aalen,
    state_occupation,
)

STATES = np.array(["benefit", "job", "education", "other"], dtype=object)


def single_spells(n: int, seed: int = 1) -> pd.DataFrame:
    """One spell per person (synthetic): exponential exits by arm and x, censoring."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 2, n)
    x = rng.normal(0.0, 1.0, n)
    exit_time = rng.exponential(100.0 * np.exp(-0.2 * g - 0.3 * x))
    censor = rng.uniform(0, 520, n)
    t = np.clip(np.ceil(np.minimum(exit_time, censor)), 1, 520).astype(np.int64)
    return pd.DataFrame({"t": t, "e": (exit_time <= censor).astype(np.int64), "g": g, "x": x})


def recurrent_spells(n: int, seed: int = 2) -> pd.DataFrame:
    """4 consecutive ``(start, stop]`` rows per person (synthetic), an event at most stops."""
    rng = np.random.default_rng(seed)
    persons = n // 4
    g = np.repeat(rng.integers(0, 2, persons), 4)
    length = rng.integers(1, 40, 4 * persons)
    stop = length.reshape(persons, 4).cumsum(axis=1).ravel()
    e = (rng.uniform(size=4 * persons) < np.where(g == 1, 0.7, 0.6)).astype(np.int64)
    return pd.DataFrame(
        {
            "id": np.repeat(np.arange(persons), 4),
            "start": stop - length,
            "stop": stop,
            "e": e,
            "g": g,
        }
    )


def multistate_rows(n: int, seed: int = 3) -> pd.DataFrame:
    """4 consecutive rows per person between 4 states (synthetic); the last row censored
    half of the time."""
    rng = np.random.default_rng(seed)
    persons = n // 4
    step = rng.integers(1, 4, (persons, 4))  # a move to another state: +1..3 mod 4
    seq = np.concatenate([np.zeros((persons, 1), dtype=np.int64), step.cumsum(axis=1) % 4], 1)
    length = rng.integers(1, 30, (persons, 4))
    stop = length.cumsum(axis=1)
    to = STATES[seq[:, 1:]].copy()
    to[rng.uniform(size=persons) < 0.5, 3] = None
    return pd.DataFrame(
        {
            "id": np.repeat(np.arange(persons), 4),
            "start": (stop - length).ravel(),
            "stop": stop.ravel(),
            "from": STATES[seq[:, :4]].ravel(),
            "to": to.ravel(),
            "g": np.repeat(rng.integers(0, 2, persons), 4),
        }
    )


def timed(fn, repeat: int, budget: float) -> tuple[float, float]:
    """Median process CPU seconds and median wall seconds of ``repeat`` runs (one run when
    the first takes longer than ``budget`` wall seconds)."""
    runs = []
    while True:
        cpu, wall = time.process_time(), time.perf_counter()
        fn()
        runs.append((time.process_time() - cpu, time.perf_counter() - wall))
        if len(runs) >= repeat or runs[0][1] > budget:
            break
    return float(np.median([r[0] for r in runs])), float(np.median([r[1] for r in runs]))


def predict_afresh(fit, profiles):
    """``predict_survival`` as on a new fit: the baseline kept with the fit's rows after a
    first call is dropped first (R's ``survfit(fit, newdata)`` recomputes it every time)."""
    getattr(fit._data, "cache", {}).clear()
    return fit.predict_survival(profiles)


def python_jobs(single, recurrent, multi) -> dict[str, dict]:
    fit = cox(single, "t", "e", covariates=["g", "x"])
    profiles = pd.DataFrame({"g": [0, 1], "x": [0.0, 0.0]})
    jobs: dict[str, dict] = {
        "Kaplan-Meier by arm": {"evalkit": lambda: kaplan_meier(single, "t", "e", group="g")},
        "Nelson-Aalen by arm": {"evalkit": lambda: nelson_aalen(single, "t", "e", group="g")},
        "NA recurrent, no id": {
            "evalkit": lambda: nelson_aalen(recurrent, "stop", "e", start="start", group="g")
        },
        "NA recurrent, id, model SE": {
            "evalkit": lambda: nelson_aalen(
                recurrent, "stop", "e", start="start", id="id", robust=False, group="g"
            )
        },
        "MCF by arm, robust SE": {
            "evalkit": lambda: mean_cumulative_function(
                recurrent, "stop", "e", id="id", start="start", group="g"
            )
        },
        "state occupation by arm": {"evalkit": lambda: state_occupation(multi, group="g")},
        "Cox predict (first call)": {"evalkit": lambda: predict_afresh(fit, profiles)},
        "Cox predict (baseline kept)": {"evalkit": lambda: fit.predict_survival(profiles)},
        "Cox adjusted_survival": {"evalkit": lambda: fit.adjusted_survival("g")},
    }
    try:
        from lifelines import CoxPHFitter, KaplanMeierFitter, NelsonAalenFitter
    except ImportError:
        return jobs
    t, e, g = (single[c].to_numpy() for c in ("t", "e", "g"))
    split = [(t[g == k], e[g == k]) for k in (0, 1)]
    rg = recurrent["g"].to_numpy()
    rsplit = [(recurrent[c].to_numpy()[rg == k] for c in ("stop", "e", "start")) for k in (0, 1)]
    rsplit = [tuple(parts) for parts in rsplit]
    jobs["Kaplan-Meier by arm"]["lifelines"] = lambda: [
        KaplanMeierFitter().fit(tk, ek) for tk, ek in split
    ]
    jobs["Nelson-Aalen by arm"]["lifelines"] = lambda: [
        NelsonAalenFitter().fit(tk, ek) for tk, ek in split
    ]
    jobs["NA recurrent, no id"]["lifelines"] = lambda: [
        NelsonAalenFitter().fit(sk, ek, entry=bk) for sk, ek, bk in rsplit
    ]
    jobs["NA recurrent, id, model SE"]["lifelines"] = jobs["NA recurrent, no id"]["lifelines"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ll = CoxPHFitter().fit(single[["t", "e", "g", "x"]], "t", "e")
    jobs["Cox predict (baseline kept)"]["lifelines"] = lambda: ll.predict_survival_function(
        profiles
    )
    return jobs


R_SCRIPT = r"""
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
repeat_n <- as.integer(args[4])
d <- read.csv(args[1]); r <- read.csv(args[2])
m <- read.csv(args[3], na.strings = c("", "NA"))
m$state <- factor(ifelse(is.na(m$to), "censor", m$to),
                  levels = c("censor", "benefit", "job", "education", "other"))
m$from <- factor(m$from, levels = c("benefit", "job", "education", "other"))
med <- function(expr) {  # median CPU (user + system) and median elapsed seconds
  f <- function() eval(expr)
  tryCatch({
    t <- replicate(repeat_n, system.time(f())[c("user.self", "sys.self", "elapsed")])
    c(median(t[1, ] + t[2, ]), median(t[3, ]))
  }, error = function(e) NA)
}
fit <- coxph(Surv(t, e) ~ g + x, data = d)
prof <- data.frame(g = c(0, 1), x = c(0, 0))
jobs <- list(
  "Kaplan-Meier by arm" = quote(survfit(Surv(t, e) ~ g, data = d)),
  "Nelson-Aalen by arm" = quote(survfit(Surv(t, e) ~ g, data = d, ctype = 1)),
  "NA recurrent, no id" = quote(survfit(Surv(start, stop, e) ~ g, data = r)),
  "NA recurrent, id, model SE" = quote(survfit(Surv(start, stop, e) ~ g, data = r, id = id,
                                               robust = FALSE)),
  "MCF by arm, robust SE" = quote(survfit(Surv(start, stop, e) ~ g, data = r, id = id,
                                          robust = TRUE)),
  "state occupation by arm" = quote(survfit(Surv(start, stop, state) ~ g, data = m,
                                            id = id, istate = from)),
  "Cox predict (first call)" = quote(survfit(fit, newdata = prof))
)
keep <- if (length(args) > 4) names(jobs)[grepl(args[5], names(jobs))] else names(jobs)
out <- lapply(jobs[keep], med)
cat(jsonlite::toJSON(out, auto_unbox = TRUE, na = "null"))
"""


def r_timings(
    single, recurrent, multi, repeat: int, only: str = ""
) -> dict[str, tuple[float, float]]:
    if shutil.which("Rscript") is None:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / f"{name}.csv" for name in ("single", "recurrent", "multi")]
        for frame, path in zip((single, recurrent, multi), paths, strict=True):
            frame.to_csv(path, index=False)
        script = Path(tmp) / "bench.R"
        script.write_text(R_SCRIPT)
        done = subprocess.run(
            ["Rscript", str(script), *map(str, paths), str(repeat), only],
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        print("R failed:", done.stderr.strip()[-400:])
        return {}
    out = json.loads(done.stdout).items()
    return {k: (float(v[0]), float(v[1])) for k, v in out if isinstance(v, list)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--budget", type=float, default=20.0)
    parser.add_argument("--no-r", action="store_true")
    parser.add_argument(
        "--only", default="", help="time only the rows whose name matches this regex"
    )
    args = parser.parse_args()
    peers = ("lifelines", "R survival")
    for n in args.sizes:
        single, recurrent, multi = single_spells(n), recurrent_spells(n), multistate_rows(n)
        load = os.getloadavg()
        rows: dict[str, dict] = {}
        for name, fns in python_jobs(single, recurrent, multi).items():
            if not re.search(args.only, name):
                continue
            rows[name] = {who: timed(fn, args.repeat, args.budget) for who, fn in fns.items()}
        if not args.no_r:
            found = r_timings(single, recurrent, multi, args.repeat, args.only)
            for name, seconds in found.items():
                rows.setdefault(name, {})["R survival"] = seconds
        after = os.getloadavg()
        print(
            f"\nn = {n:,} rows; load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
            f"before, {after[0]:.1f} / {after[1]:.1f} / {after[2]:.1f} after"
        )
        for which, label in ((0, "process CPU"), (1, "wall")):
            print(f"{label} seconds, median of {args.repeat} (peer / evalkit)")
            print(f"{'':26s}{'evalkit':>10s}" + "".join(f"{p:>22s}" for p in peers))
            for name, timing in rows.items():
                base = timing["evalkit"][which] if "evalkit" in timing else None
                cells = []
                for p in peers:
                    if p not in timing or base is None:
                        cells.append(f"{'-':>22s}")
                    else:
                        ratio = f"({timing[p][which] / base:.2g}x)" if base else ""
                        cells.append(f"{timing[p][which]:>13.3g} {ratio:>8s}")
                shown = f"{base:>10.3g}" if base is not None else f"{'-':>10s}"
                print(f"{name:26s}{shown}" + "".join(cells))


if __name__ == "__main__":
    main()
