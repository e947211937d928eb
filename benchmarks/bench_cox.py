"""Time evalkit's Cox model next to lifelines, statsmodels and R's survival::coxph.

    python benchmarks/bench_cox.py [--sizes 10000 100000 1000000] [--repeat 3]
                                   [--times weeks continuous] [--timeout 60]
                                   [--peers lifelines statsmodels R] [--json FILE]

The data are SYNTHETIC (not real registers): a seeded two-group trial (``treated``)
with four further covariates (two normal, one uniform, one binary), exponential spell
lengths censored uniformly; ``weeks`` is the duration rounded up to integer weeks and
capped at 520 (heavy ties: at most 520 distinct times), ``time`` the continuous
duration. Every tool fits the same model: Efron ties, five covariates, model-based
variance (the ``treated``, ``x1`` ... ``x4`` coefficients are compared to evalkit's).

Each timing is the median of ``--repeat`` runs of the whole call (evalkit: validation,
fit, tests and concordance; R: ``coxph()``, which also computes the concordance, timed
inside R by ``system.time`` so R's start-up and CSV reading are not counted). Python
peers run in a forked child process: a peer whose first run takes longer than
``--timeout`` seconds is stopped and reported as skipped. R is used when ``Rscript`` is
on the path. Prints wall seconds and the ratio peer / evalkit, and for evalkit's own
variants (run in this process) also the median process CPU seconds (all threads), which
a loaded machine inflates less.

evalkit is timed six ways on the same data: ``cox`` (the concordance is computed on
first access since issue 16, so a fit alone does not pay for it), ``cox`` plus reading
``fit.concordance`` (what every fit cost before, and what R's ``coxph`` always computes),
``cox_chunked`` on the rows cut into 10 frames, ``cox_chunked`` on a 4-partition dask
DataFrame (persisted, threads scheduler), and the robust variance clustered by person
(``person``: synthetic persons of three consecutive rows) in memory (``cox(cluster=)``)
and from the 10 frames (``cox_chunked(cluster=)``, one more pass over the chunks and
the evaluation at the estimate; its row compares its robust standard errors with the
in-memory clustered fit's). lifelines computes its concordance lazily and statsmodels
has none, so ``evalkit`` is like with like for them, ``evalkit + C`` for R.
``--variants`` picks the evalkit variants (the 'before' runs below used an older evalkit
on ``PYTHONPATH``; a variant it lacks is reported as not available).

Measured (issue 16, 2 cores shared with other jobs: load average 6-11, so every number
is several times its value on a quiet machine; ratios are from the same run), seconds::

    n = 1e5, weeks   evalkit 0.23  + C 0.53  10 chunks 0.60  dask 0.45  lifelines 1.44
                     statsmodels 5.06  R coxph 2.09
    n = 1e5, cont.   evalkit 0.65  + C 0.87  10 chunks 3.72  dask 2.43  lifelines 20.3
                     statsmodels > 60  R coxph 1.95
    n = 1e6, weeks   evalkit 3.00  + C 5.78  10 chunks 8.10  dask 14.3  lifelines > 60
                     statsmodels > 60  R coxph 20.5
    n = 1e6, cont.   evalkit 10.5  + C 16.4  10 chunks 169   dask 76.1  lifelines > 60
                     statsmodels > 60  R coxph 26.2

The concordance was 48 % of fit + C at 1e6 weeks (the issue measured 43 %); before
issue 16 (same script, old evalkit, same load) ``cox`` took 4.97 s at 1e6 weeks, 10.7 s on
continuous times, concordance included. With continuous times every chunk then returned
a table as long as the distinct event times (630,000 here), which cost more than the fit.

Measured again after the chunks return only the event times their rows fall in (sparse
tables, issue 16/18 follow-up), with the clustered variants. Wall seconds; 1e5: median of
3, load average 8.2 / 7.9 / 7.0 before, 9.0 / 8.9 / 7.7 after (before the in-place adding
and sorted search of commit 529af82); 1e6: one run after 529af82, load 7.7 / 8.0 / 8.0
before, 5.5 / 6.9 / 7.6 after, process CPU seconds of evalkit's variants in brackets::

    n = 1e5, weeks   evalkit 0.26  + C 0.41  10 chunks 0.73  dask 0.94  cluster 0.54
                     10 chunks cluster 1.36  lifelines 2.70  statsmodels 6.24  R 2.27
    n = 1e5, cont.   evalkit 0.70  + C 1.07  10 chunks 3.12  dask 3.13  cluster 1.02
                     10 chunks cluster 3.60  lifelines 32.4  statsmodels > 60  R 2.32
    n = 1e6, weeks   evalkit 1.86 [0.48]  + C 3.40 [1.04]  10 chunks 4.67 [1.51]
                     dask 9.22 [3.15]  cluster 1.95 [0.84]  10 chunks cluster 4.25 [2.07]
                     R coxph 27.3
    n = 1e6, cont.   evalkit 3.90 [1.93]  + C 3.92 [1.98]  10 chunks 20.7 [10.2]
                     dask 24.9 [9.86]  cluster 4.60 [1.62]  10 chunks cluster 34.0 [14.4]
                     R coxph 31.0

Before and after in CPU seconds, same session (load about 8; 10 chunks, one run): the
evalkit of commit 12a2c6b (before this work, on ``PYTHONPATH``) took 38.3 s for the
chunked fit at 1e6 continuous (in memory 1.17 s, wall 148 s against 4.95 s); after the
sparse tables 14.3 s (in memory 2.12 s), after 529af82 12.1 s (in memory 3.16 s) and
10.2 s (in memory 1.93 s) in the run above; on weeks 1.15 s before (in memory 0.57 s)
and 1.51-1.72 s after (in memory 0.48-0.57 s). On weeks every chunk has more rows than
event times and does the same dense bincounts as before, so this difference is likely
the spread between runs under this load (30-100 % for CPU seconds as well, see the
in-memory fit); it was not re-measured interleaved.
On continuous times the chunked fit is thus about 5x the in-memory fit (was 16-33x),
and faster than R's ``coxph`` in the same run. It stays slower than in memory because
every pass builds the full (q x event times) tables of first and second moments (q = 21
for five covariates; 630,000 event times), where the in-memory fit forms the second
moments as one cross-product of the rows. The clustered robust variance from chunks
costs two more passes (1.4x the plain chunked fit). Coefficients of the chunked and dask
fits equal the in-memory fit to 4e-14 (relative), the clustered robust standard errors
the in-memory ones to 4e-14.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.survival.cox import cox

COVARIATES = ["treated", "x1", "x2", "x3", "x4"]


def synthetic_spells(n: int, seed: int = 1) -> pd.DataFrame:
    """Synthetic spells (not real data): two groups, five covariates, weeks and times."""
    rng = np.random.default_rng(seed)
    treated = rng.integers(0, 2, n)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    x3 = rng.uniform(18, 60, n)
    x4 = (rng.random(n) < 0.3).astype(int)
    eta = 0.3 * treated + 0.4 * x1 - 0.2 * x2 + 0.01 * (x3 - 40) - 0.3 * x4
    duration = rng.exponential(120.0 * np.exp(-eta))
    censor = rng.uniform(0, 700, n)
    time_ = np.minimum(duration, censor) + 1e-6
    frame = pd.DataFrame(
        {
            "time": time_,
            "weeks": np.clip(np.ceil(time_), 1, 520).astype(int),
            "event": (duration <= censor).astype(int),
            "treated": treated,
            "x1": x1,
            "x2": x2,
            "x3": x3,
            "x4": x4,
            "person": np.arange(n) // 3,  # synthetic persons of three spells (clusters)
        }
    )
    return frame


# -- the tools ----------------------------------------------------------------------------


def fit_evalkit(data, duration):
    return cox(data, duration, "event", COVARIATES).coefficients


def fit_evalkit_concordance(data, duration):
    fit = cox(data, duration, "event", COVARIATES)
    _ = fit.concordance  # computed on first access (evalkit >= issue 16; before, in every fit)
    return fit.coefficients


def fit_evalkit_chunked(data, duration, chunks=10):
    from evalkit.survival import cox_chunked

    size = -(-len(data) // chunks)
    parts = [data.iloc[i : i + size] for i in range(0, len(data), size)]
    return cox_chunked(parts, duration, "event", COVARIATES).coefficients


def fit_evalkit_dask(data, duration, partitions=4):
    import dask.dataframe as dd

    from evalkit.survival import cox_chunked

    ddf = dd.from_pandas(data, npartitions=partitions).persist()
    return cox_chunked(ddf, duration, "event", COVARIATES, scheduler="threads").coefficients


def fit_evalkit_cluster(data, duration):
    return cox(data, duration, "event", COVARIATES, cluster="person").robust_std_error


def fit_evalkit_chunked_cluster(data, duration, chunks=10):
    from evalkit.survival import cox_chunked

    size = -(-len(data) // chunks)
    parts = [data.iloc[i : i + size] for i in range(0, len(data), size)]
    return cox_chunked(parts, duration, "event", COVARIATES, cluster="person").robust_std_error


def fit_lifelines(data, duration):
    from lifelines import CoxPHFitter

    cph = CoxPHFitter().fit(data[[duration, "event", *COVARIATES]], duration, "event")
    return cph.params_[COVARIATES].to_numpy()


def fit_statsmodels(data, duration):
    from statsmodels.duration.hazard_regression import PHReg

    exog = data[COVARIATES].to_numpy(float)
    model = PHReg(
        data[duration].to_numpy(float), exog, status=data["event"].to_numpy(), ties="efron"
    )
    return np.asarray(model.fit().params)


PYTHON_TOOLS = {
    "evalkit": fit_evalkit,
    "evalkit + C": fit_evalkit_concordance,
    "evalkit 10 chunks": fit_evalkit_chunked,
    "evalkit dask 4": fit_evalkit_dask,
    "evalkit cluster": fit_evalkit_cluster,
    "evalkit 10 chunks cluster": fit_evalkit_chunked_cluster,
    "lifelines": fit_lifelines,
    "statsmodels": fit_statsmodels,
}
OURS = (
    "evalkit",
    "evalkit + C",
    "evalkit 10 chunks",
    "evalkit dask 4",
    "evalkit cluster",
    "evalkit 10 chunks cluster",
)
# the clustered variants return robust standard errors: compared with each other only
CLUSTERED = ("evalkit cluster", "evalkit 10 chunks cluster")


def _child(conn, name, data, duration):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        coef = PYTHON_TOOLS[name](data, duration)
        conn.send((time.perf_counter() - start, coef))
    conn.close()


def timed_in_child(name, data, duration, timeout):
    """Seconds and coefficients of one run in a forked process, or None after ``timeout``."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, name, data, duration))
    proc.start()
    child.close()
    if parent.poll(timeout):
        seconds, coef = parent.recv()
        proc.join()
        return seconds, coef
    proc.terminate()
    proc.join()
    return None


CPU_SECONDS: dict[str, float] = {}  # process CPU seconds of the last evalkit timing


def python_timing(name, data, duration, repeat, timeout):
    if name in OURS:  # in-process, like a user would call it
        times, cpu = [], []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            try:
                coef = PYTHON_TOOLS[name](data, duration)
            except (ImportError, TypeError):  # an evalkit without it (the 'before' numbers)
                return None, None
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        CPU_SECONDS[name] = float(np.median(cpu))
        return float(np.median(times)), coef
    times = []
    coef = None
    for _ in range(repeat):
        out = timed_in_child(name, data, duration, timeout)
        if out is None:
            return None, None
        times.append(out[0])
        coef = out[1]
    return float(np.median(times)), coef


R_SCRIPT = r"""
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); repeat_n <- as.integer(args[2])
out <- list()
for (duration in strsplit(args[3], ",")[[1]]) {
  f <- as.formula(paste0("Surv(", duration, ", event) ~ treated + x1 + x2 + x3 + x4"))
  times <- replicate(repeat_n, system.time(fit <<- coxph(f, data = d))[["elapsed"]])
  out[[duration]] <- list(seconds = median(times), coef = unname(coef(fit)))
}
cat(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA))
"""


def r_timings(data, durations, repeat, timeout):
    if shutil.which("Rscript") is None:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        csv, script = Path(tmp) / "spells.csv", Path(tmp) / "bench.R"
        data.to_csv(csv, index=False)
        script.write_text(R_SCRIPT)
        try:
            done = subprocess.run(
                ["Rscript", str(script), str(csv), str(repeat), ",".join(durations)],
                capture_output=True,
                text=True,
                timeout=timeout * repeat * len(durations) + 120,
            )
        except subprocess.TimeoutExpired:
            print("R timed out")
            return {}
    if done.returncode != 0:
        print("R failed:", done.stderr.strip().splitlines()[-1:])
        return {}
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--times", nargs="+", default=["weeks", "continuous"], choices=["weeks", "continuous"]
    )
    parser.add_argument(
        "--peers",
        nargs="*",
        default=["lifelines", "statsmodels", "R"],
        choices=["lifelines", "statsmodels", "R"],
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="skip a Python peer whose first run takes longer (seconds)",
    )
    parser.add_argument(
        "--variants",
        nargs="*",
        default=list(OURS[1:]),
        choices=list(OURS[1:]),
        help="evalkit variants timed besides plain cox",
    )
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    args = parser.parse_args()
    durations = ["weeks" if t == "weeks" else "time" for t in args.times]
    rows = []
    for n in args.sizes:
        data = synthetic_spells(n)
        r_out = r_timings(data, durations, args.repeat, args.timeout) if "R" in args.peers else {}
        for duration in durations:
            label = "weeks 1..520" if duration == "weeks" else "continuous"
            ours, ours_coef = python_timing("evalkit", data, duration, args.repeat, args.timeout)
            results = {"evalkit": (ours, ours_coef)}
            for variant in args.variants:
                results[variant] = python_timing(variant, data, duration, args.repeat, 1e9)
            for peer in [p for p in args.peers if p != "R"]:
                results[peer] = python_timing(peer, data, duration, args.repeat, args.timeout)
            if duration in r_out:
                results["R coxph"] = (r_out[duration]["seconds"], np.array(r_out[duration]["coef"]))
            for tool, (seconds, coef) in results.items():
                row = {"n": n, "times": label, "tool": tool}
                if seconds is None:
                    row.update(
                        seconds=np.nan,
                        ratio=np.nan,
                        coef_rel_diff=np.nan,
                        note=(
                            "not available" if tool in OURS else f"skipped: over {args.timeout:g} s"
                        ),
                    )
                else:
                    ref = ours_coef
                    if tool in CLUSTERED:  # robust SEs: against the in-memory clustered fit
                        ref = results.get("evalkit cluster", (None, None))[1]
                        ref = coef if ref is None else ref
                    diff = np.max(np.abs(coef - ref) / np.abs(ref))
                    row.update(seconds=seconds, ratio=seconds / ours, coef_rel_diff=diff, note="")
                row["cpu_seconds"] = CPU_SECONDS.pop(tool, np.nan) if seconds else np.nan
                rows.append(row)
                print(
                    f"n={n:>8} {label:<12} {tool:<12} "
                    + (
                        row["note"]
                        or f"{row['seconds']:8.3f} s  x{row['ratio']:6.2f}"
                        + (f"  cpu {row['cpu_seconds']:8.3f} s" if tool in OURS else "")
                    ),
                    flush=True,
                )
    table = pd.DataFrame(rows).rename(columns={"ratio": "ratio (tool / evalkit)"})
    with pd.option_context("display.width", 160, "display.max_rows", 500):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    if args.json:
        args.json.write_text(table.to_json(orient="records", indent=1))


if __name__ == "__main__":
    main()
