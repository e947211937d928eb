"""Time evalkit's Aalen-Johansen cumulative incidence next to lifelines and R's survfit.

    python benchmarks/bench_competing.py [--sizes 10000 100000 1000000 10000000]
        [--kinds weeks continuous] [--repeat 3] [--limit 60] [--no-r] [--no-lifelines]

The data are synthetic and the same for every peer (written once to binary files):
durations in integer weeks 1..520 (geometric, mean ~150 weeks, capped at 520: almost all
ties) or continuous (exponential, mean 150: no ties), exit codes 0 = censored (35%) and
causes 1, 2, 3 (35%, 20%, 10%).

- evalkit: ``cumulative_incidence(frame, duration, event)`` — every cause, IJ standard
  errors and intervals, input validation included;
- lifelines: ``AalenJohansenFitter().fit(durations, events, event_of_interest=1)`` — one
  cause only (so it does less work), Greenwood-type variance; it jitters tied exit times
  of different causes when it detects them;
- R: ``survfit(Surv(time, factor(event)) ~ 1)`` (survival's multi-state Aalen-Johansen with
  IJ standard errors, every cause), timed inside R with ``system.time`` (R start-up and
  reading the data are not counted); used when ``Rscript`` exists.

Each timing is the median of ``--repeat`` runs; peers run in their own processes. A peer
whose run takes longer than ``--limit`` seconds (default 60) is stopped, reported as
skipped, and not tried at larger sizes. Prints seconds and the ratios peer / evalkit.

Issue 16 (Aalen-Johansen 0.038 / 1.57 / 26 s at 1e5 / 1e6 / 1e7 continuous times): the
step that grew faster than n was memory, not arithmetic. The IJ variance loop made about
30 new arrays of the length of the distinct exit times per cause (and the log interval
a few more); at 1e7 rows (6.5 million exit times, 52 MB each) every one is a fresh block
of memory to fault in, out of cache. The loop now writes into six reused buffers and the
output rows (results bitwise identical). Process CPU seconds of ``cumulative_incidence``
(minimum of 2 runs; the machine was shared, load average 6-7, wall times 5x these):

    n        before   after
    1e5      0.046    0.041
    1e6      0.650    0.429
    1e7      8.63     6.66     (minor page faults of the first run 70,605 -> 35,352)

From 1e5 to 1e6 the cost is now linear; from 1e6 to 1e7 it still grows 15x, because the
arrays leave the cache (and the counting is a sort): blocking the variance loop over the
exit times (cumulative sums carried from block to block) is the next step.

Issue 16, second pass: the variance now takes the exit times in blocks of 16,384
(``competing._AJ_BLOCK``): its ~20 working arrays are block-sized and stay in cache, only
the outputs have the length of the exit times, and every cumulative sum or product starts
from the previous block's last value in the same order, so the results are bit for bit
the same (tested over block sizes 1, 3, 64). Exits per time are summed column by column
and censorings per exit slot by ``reduceat`` (no row-length int64 slot array).
``cumulative_incidence`` on continuous times (as above), process CPU seconds split into
user and system time (``getrusage``), minimum of 5 runs in a fresh process (2-3 at 1e7),
the range over 2-3 such processes, old and new alternated, load average 6.8-8.5 on 2 cores:

    n      before: user  user+sys        after: user  user+sys
    1e5    0.017-0.023   0.039-0.047     0.012-0.024  0.038-0.045   (clock resolution)
    1e6    0.275-0.303   0.30-0.36       0.221-0.226  0.27-0.52
    1e7    2.96-3.03     6.15-6.42       2.57-2.63    4.7-7.1

Again when the machine was quieter (load average 1.4-2.1), same method, one process each:

    n      before: user  user+sys        after: user  user+sys
    1e5    0.022         0.042           0.022        0.041
    1e6    0.294         0.339           0.248        0.310
    1e7    3.15          7.15            2.42         5.83

so from 1e6 to 1e7 user time grows 9.8x (before 10.7x) and user + system 18.8x (before
21x).

The Aalen-Johansen step alone at 1e7: user 1.6 -> 1.1-1.2 s, minor page faults 21,000 ->
11,000-12,000; whole call 35,000-39,000 -> 26,000-30,000 faults. Under load (first
table) user time grew 11.6x from 1e6 to 1e7 (before: 10.5x; the sort of 1e7 keys alone
grows 13x, n log n). User + system time still grows 17-21x: the system part (3.4-3.9 s
at 1e7 even at load 2) is the kernel faulting in fresh pages (transparent huge pages are
on "madvise" here) for the row-length arrays (the sorted keys, the dense time x code
counts of ``_input.sorted_code_counts``, the output table), and it varied 2x between
identical runs under load; it is not the variance loop any more. Reading the counts
without a dense time x code array is what is left.

Issue 16, third pass (fewer and smaller row-length temporaries, results bit for bit the
same): ``_input.sorted_code_counts`` makes its key in place from one copy of the times,
splits it in place into the code and the time bits, turns the slot array into the flat
cell index and forms runs only when a (time, code) pair repeats (row-length int64 or
float arrays besides the key: nine before, two now, with two boolean masks); the
Aalen-Johansen number at risk is a reversed cumulative sum in place; exits per cause stay
int64 (the table's ``n_event`` needs no copy); standard errors are square roots taken in
place of the variances.
``cumulative_incidence`` on continuous times, getrusage of the call, minimum of 3 calls in
a fresh process, old and new code alternated, two rounds, load average 3.9-4.5:

    n      before: user   user+sys    faults     after: user   user+sys    faults
    1e6    0.257-0.259    0.306-0.321 11-12,000  0.220-0.264   0.273-0.312  6,577
    1e7    2.595-2.596    5.67-5.89   26,192     2.73-2.89     4.67-5.58    19,717-20,228

Minor page faults fall by a quarter at 1e7 and 43 % at 1e6; system time falls with them
but varies 2x between calls (one call at 1e7 had 1.9 s of it, another 5.2 s), and user
time did not fall (the int64 exit counts cost 0.02-0.05 s in the variance loop at 1e7,
measured in one process). Not done: the dense time x code count array (320 MB at 1e7
continuous times, four codes) is still made, since ``_aalen_johansen`` and the grouped
``time_counts`` read it; the sort of 1e7 keys is unchanged (continuous times: no packed
integer key to shorten).
"""

from __future__ import annotations

import argparse
import json
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.survival.competing import cumulative_incidence

STARTUP_ALLOWANCE = 60.0  # seconds for a peer process to import and load the data


def synthetic_spells(n: int, kind: str, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic spells (not real data): durations and exit codes 0..3."""
    rng = np.random.default_rng(seed)
    if kind == "weeks":
        time_ = np.minimum(rng.geometric(1 / 150, n), 520).astype(np.int32)
    else:
        time_ = rng.exponential(150.0, n)
    event = rng.choice(np.array([0, 1, 2, 3], dtype=np.int32), n, p=[0.35, 0.35, 0.2, 0.1])
    return time_, event


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


LIFELINES_CHILD = r"""
import sys, time, warnings
import numpy as np
from lifelines import AalenJohansenFitter
t = np.load(sys.argv[1]).astype(float)
e = np.load(sys.argv[2])
print("ready", flush=True)
for _ in range(int(sys.argv[3])):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        AalenJohansenFitter(seed=1).fit(t, e, event_of_interest=1)
        print(time.perf_counter() - start, flush=True)
"""

R_CHILD = r"""
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
n <- as.integer(args[3])
time <- if (args[4] == "weeks") readBin(args[1], "integer", n, size = 4) else
  readBin(args[1], "double", n)
event <- readBin(args[2], "integer", n, size = 4)
cat("ready\n"); flush(stdout())
for (i in seq_len(as.integer(args[5]))) {
  st <- system.time(fit <- survfit(Surv(time, factor(event)) ~ 1))
  cat(st[["elapsed"]], "\n"); flush(stdout())
}
"""


def run_peer(command: list[str], repeat: int, limit: float) -> tuple[float | None, str]:
    """Median of the timings a child prints one per line; None when a run exceeds ``limit``."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()

    def reader():
        for line in proc.stdout:
            lines.put(line.strip())
        lines.put(None)

    threading.Thread(target=reader, daemon=True).start()
    times: list[float] = []
    note = ""
    wait = limit + STARTUP_ALLOWANCE
    try:
        while len(times) < repeat:
            try:
                line = lines.get(timeout=wait)
            except queue.Empty:
                note = f"skipped: a run took > {limit:g} s"
                break
            if line is None:
                proc.wait()
                err = proc.stderr.read().strip().splitlines()
                note = "failed: " + (err[-1] if err else f"exit code {proc.returncode}")
                break
            if line == "ready":
                wait = limit
                continue
            value = float(line)
            if value > limit:
                note = f"skipped: a run took {value:.0f} s > {limit:g} s"
                break
            times.append(value)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    if note or not times:
        return None, note or "failed"
    return float(np.median(times)), ""


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000, 10_000_000]
    )
    parser.add_argument(
        "--kinds", nargs="+", default=["weeks", "continuous"], choices=["weeks", "continuous"]
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--limit",
        type=float,
        default=60.0,
        help="stop (and skip at larger sizes) a peer whose run takes longer",
    )
    parser.add_argument("--no-r", action="store_true")
    parser.add_argument("--no-lifelines", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    peers = {}
    if not args.no_lifelines:
        try:
            import lifelines  # noqa: F401

            peers["lifelines"] = True
        except ImportError:
            print("lifelines is not installed: skipped")
    if not args.no_r:
        if shutil.which("Rscript"):
            peers["R"] = True
        else:
            print("Rscript not found: R skipped")

    print("\n\n".join(__doc__.split("\n\n")[2:4]))
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "lifelines_child.py").write_text(LIFELINES_CHILD)
        (tmp / "r_child.R").write_text(R_CHILD)
        for kind in args.kinds:
            given_up: dict[str, str] = {}
            print(f"\n== {kind} ==")
            header = (
                f"{'n':>10} {'evalkit':>9} {'lifelines':>10} {'R':>9} {'life/ek':>8} {'R/ek':>8}"
            )
            print(header)
            for n in sorted(args.sizes):
                t, e = synthetic_spells(n, kind)
                frame = pd.DataFrame({"duration": t, "event": e})
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ours = median_time(
                        lambda frame=frame: cumulative_incidence(frame, "duration", "event"),
                        args.repeat,
                    )
                row = {"kind": kind, "n": n, "evalkit": ours}
                np.save(tmp / "t.npy", t)
                np.save(tmp / "e.npy", e)
                t.tofile(tmp / "t.bin")
                e.tofile(tmp / "e.bin")
                for peer in peers:
                    if peer in given_up:
                        row[peer] = None
                        row[f"{peer}_note"] = given_up[peer]
                        continue
                    if peer == "lifelines":
                        command = [
                            sys.executable,
                            str(tmp / "lifelines_child.py"),
                            str(tmp / "t.npy"),
                            str(tmp / "e.npy"),
                            str(args.repeat),
                        ]
                    else:
                        command = [
                            "Rscript",
                            str(tmp / "r_child.R"),
                            str(tmp / "t.bin"),
                            str(tmp / "e.bin"),
                            str(n),
                            kind,
                            str(args.repeat),
                        ]
                    seconds, note = run_peer(command, args.repeat, args.limit)
                    row[peer] = seconds
                    if note:
                        row[f"{peer}_note"] = note
                        given_up[peer] = f"not run: a run took > {args.limit:g} s at n={n}"
                results.append(row)
                print(_line(row))
    notes = [
        (r["kind"], r["n"], peer, r[f"{peer}_note"])
        for r in results
        for peer in ("lifelines", "R")
        if r.get(f"{peer}_note")
    ]
    for kind, n, peer, note in notes:
        print(f"note: {kind} n={n} {peer}: {note}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return {"results": results}


def _line(row: dict) -> str:
    def sec(v):
        return f"{v:9.3f}" if v is not None else f"{'skip':>9}"

    def ratio(v):
        return f"{v / row['evalkit']:8.1f}" if v is not None else f"{'-':>8}"

    life, r = row.get("lifelines"), row.get("R")
    return f"{row['n']:>10} {sec(row['evalkit'])} {sec(life):>10} {sec(r)} {ratio(life)} {ratio(r)}"


if __name__ == "__main__":
    main()
