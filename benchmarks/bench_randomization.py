"""Time evalkit's randomization test next to a per-draw NumPy loop and R's coin, in one run.

    python benchmarks/bench_randomization.py [--repeat 3] [--draws 100000]

Two cases, complete randomization with the observed arm sizes and the difference in
means (two-sided p = share of draws with |draw| >= |observed|):

- n = 350 (178 treated, 172 controls; JobFirst's size) with ``--draws`` draws (100,000);
- n = 10,000 (5,000 / 5,000) with ``--big-draws`` draws (10,000).

Contenders: ``evalkit.inference.randomization_test``; a per-draw loop (``rng.permutation``
each draw, then the two means); R's ``coin::oneway_test(y ~ g, distribution =
approximate(nresample = ...))``, timed inside R (``system.time``, so R's start-up and the
package load are not counted). Each timing is the median of ``--repeat`` runs; the
synthetic outcomes are seeded. Prints seconds, p-values and ratios (tool / evalkit).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.inference import randomization_test

R_SCRIPT = r"""
suppressPackageStartupMessages(library(coin))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
d$g <- factor(d$t, levels = c(1, 0))
nresample <- as.numeric(args[2])
repeat_n <- as.integer(args[3])
set.seed(1)
times <- numeric(repeat_n)
for (i in seq_len(repeat_n)) {
  times[i] <- system.time(
    p <- pvalue(oneway_test(y ~ g, data = d, distribution = approximate(nresample = nresample)))
  )[["elapsed"]]
}
cat(median(times), as.numeric(p), "\n")
"""


def trial(n_treated: int, n_control: int, seed: int = 1) -> pd.DataFrame:
    """A synthetic two-arm trial: weeks-like skewed outcomes and a small effect."""
    rng = np.random.default_rng(seed)
    t = np.repeat([1, 0], [n_treated, n_control])
    y = rng.gamma(0.6, 4.0, size=t.size) + 0.4 * t
    return pd.DataFrame({"y": y, "t": t})


def per_draw_loop(data: pd.DataFrame, n_draws: int, seed: int = 1) -> float:
    """The textbook loop: one permutation and two means per draw."""
    y = data["y"].to_numpy()
    n1 = int(data["t"].sum())
    observed = y[data["t"].to_numpy() == 1].mean() - y[data["t"].to_numpy() == 0].mean()
    rng = np.random.default_rng(seed)
    draws = np.empty(n_draws)
    for k in range(n_draws):
        order = rng.permutation(y.size)
        draws[k] = y[order[:n1]].mean() - y[order[n1:]].mean()
    return float(np.mean(np.abs(draws) >= abs(observed) - 1e-12))


def median_time(fn, repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), value


def coin_time(data: pd.DataFrame, n_draws: int, repeat: int) -> tuple[float, float] | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv, script = Path(tmp) / "trial.csv", Path(tmp) / "coin.R"
        data.to_csv(csv, index=False)
        script.write_text(R_SCRIPT)
        done = subprocess.run(
            ["Rscript", str(script), str(csv), str(n_draws), str(repeat)],
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        print(f"R coin not timed: {done.stderr.strip()[:200]}")
        return None
    seconds, p = done.stdout.split()
    return float(seconds), float(p)


def case(label: str, data: pd.DataFrame, n_draws: int, repeat: int, loop: bool) -> list[dict]:
    rows = []
    ours, result = median_time(
        lambda: randomization_test(data, "y", "t", n_draws=n_draws, seed=1, exact=False), repeat
    )
    rows.append({"case": label, "tool": "evalkit", "seconds": ours, "p_value": result.p_value})
    if loop:
        seconds, p = median_time(lambda: per_draw_loop(data, n_draws), max(1, repeat // 2))
        rows.append(
            {"case": label, "tool": "numpy per-draw loop", "seconds": seconds, "p_value": p}
        )
    coin = coin_time(data, n_draws, repeat)
    if coin is not None:
        rows.append({"case": label, "tool": "R coin (approximate)", "seconds": coin[0],
                     "p_value": coin[1]})  # fmt: skip
    for row in rows:
        row["ratio (tool / evalkit)"] = row["seconds"] / ours
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--big-draws", type=int, default=10_000)
    parser.add_argument("--no-big", action="store_true", help="skip the n = 10,000 case")
    args = parser.parse_args()
    rows = case(
        f"n = 350 (178/172), {args.draws:,} draws", trial(178, 172), args.draws, args.repeat, True
    )
    if not args.no_big:
        rows += case(
            f"n = 10,000 (5,000/5,000), {args.big_draws:,} draws",
            trial(5000, 5000),
            args.big_draws,
            args.repeat,
            True,
        )
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 140):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))


if __name__ == "__main__":
    main()
