"""Scale of the blocked designs and of balance tables: time and peak memory per size.

    python benchmarks/bench_blocks.py [--case all|rt|assign|dim|balance] [--sizes 1000,10000]

Cases (synthetic, seeded data; one run per size, wall-clock seconds and the peak of
traced allocations, numpy's included, through ``tracemalloc``):

- ``rt``: ``randomization_test(blocks=...)``, blocks of 2-5 persons, 2,000 draws;
- ``assign``: ``assign(blocks=...)``, blocks of 2-5 persons, prob 0.5;
- ``dim``: ``difference_in_means(blocks=..., weights=...)``, blocks of 4-7 persons (two
  per arm at least: weights need the blocked, not the matched-pair, variance);
- ``balance``: ``balance_table`` with a text covariate that has a level per person
  (``--sizes`` are then persons); the new code refuses it at once.

Sizes are numbers of blocks. Timings are for information only: the test suite makes no
timing assertions (tests/test_seeds_and_scale.py checks that 10,000 blocks complete).

Measured (issue 13; one run each, a 2-core machine shared with other work and with the
other cases running at the same time, so the "before" times are inflated by up to ~1.5x;
"before" is the tree at 9683f3a):

| case | size | before | after |
|---|---|---|---|
| rt | 3,000 blocks | 1.45 s, 311 MB | 0.17 s, 34 MB |
| rt | 10,000 blocks | 27.6 s, 3.4 GB | 0.48 s, 107 MB |
| rt | 100,000 blocks | not run (a persons x blocks matrix: 280 GB) | 13.9 s, 178 MB |
| assign | 1,000 / 10,000 blocks | 2.5 s / 66 s | 0.24 s / 0.58 s |
| assign | 100,000 blocks | not run (O(blocks x n): ~100x 66 s) | 5.4 s |
| dim (weights) | 1,000 / 10,000 blocks | 13.8 s / 41 s | 0.01 s / 0.03 s |
| dim (weights) | 100,000 blocks | - | 0.14 s |
| balance | 1,000 / 2,000 / 4,000 persons | 8.5 / 54 / 113 s, 735 MB, then refused | < 0.01 s |
| balance | 100,000 persons | not run (80 GB of dummies) | 0.04 s, 2.6 MB |

``rt`` grows as persons x draws (the keys must be drawn): 100,000 blocks are 350,000
persons times 2,000 draws.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import pandas as pd


def blocked_frame(n_blocks: int, seed: int = 1, smallest: int = 2) -> pd.DataFrame:
    """Blocks of ``smallest`` to ``smallest + 3`` persons, half of them (rounded down)
    treated."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(smallest, smallest + 4, n_blocks)
    block = np.repeat(np.arange(n_blocks), sizes)
    start = np.repeat(np.cumsum(sizes) - sizes, sizes)
    within = np.arange(block.size) - start
    treated = (within < np.repeat(np.maximum(sizes // 2, 1), sizes)).astype(int)
    y = rng.normal(size=block.size) + 0.2 * treated
    return pd.DataFrame(
        {
            "id": [f"p{i}" for i in range(block.size)],
            "block": block,
            "t": treated,
            "y": y,
            "w": rng.uniform(0.5, 2.0, block.size),
        }
    )


def run(case: str, size: int) -> tuple[float, float, str]:
    from evalkit import difference_in_means
    from evalkit.design import assign
    from evalkit.inference import randomization_test
    from evalkit.report import balance_table

    if case == "balance":
        rng = np.random.default_rng(1)
        data = pd.DataFrame(
            {"t": np.arange(size) % 2, "code": [f"c{i}" for i in range(size)],
             "age": rng.normal(40, 10, size)}
        )  # fmt: skip
    else:
        data = blocked_frame(size, smallest=4 if case == "dim" else 2)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        if case == "rt":
            result = randomization_test(data, "y", "t", blocks="block", n_draws=2000, seed=1)
            out = f"p = {result.p_value:.4f}"
        elif case == "assign":
            out = f"{int(assign(data, blocks='block', ids='id', seed=1).treatment.sum())} treated"
        elif case == "dim":
            out = f"{difference_in_means(data, 'y', 't', blocks='block', weights='w').estimate:.4f}"
        else:
            out = str(balance_table(data, "t", ["age", "code"]).omnibus)
    except Exception as error:  # noqa: BLE001 - reported, not raised
        out = f"{type(error).__name__}: {str(error)[:70]}"
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="all")
    parser.add_argument("--sizes", default="1000,3000,10000")
    args = parser.parse_args()
    cases = ["rt", "assign", "dim", "balance"] if args.case == "all" else [args.case]
    for case in cases:
        for size in map(int, args.sizes.split(",")):
            seconds, peak, out = run(case, size)
            print(
                f"{case:8s} {size:>8,d}  {seconds:8.2f} s  peak {peak:9.1f} MB  {out}", flush=True
            )


if __name__ == "__main__":
    main()
