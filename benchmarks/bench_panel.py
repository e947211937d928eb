"""Spells and per-person outcomes at register scale, against a pandas groupby and a read pass.

    python benchmarks/bench_panel.py [--persons 1000000] [--weeks 520] [--groupby-persons 20000]

The panel is a synthetic register (evalkit.datasets.simulate_register: seeded, not real
data) held as int8 state codes, persons x weeks. For each evalkit function the script
prints the best and the median seconds of ``--repeat`` runs, person-weeks per second, the
ratio to one plain read pass over the same array (``np.count_nonzero``: the
memory-bandwidth floor; timed after each run, best over best) and the peak memory during
the call (tracemalloc, on top of the panel) relative to the panel's size. The straightforward
pandas implementation (long frame, groupby per person) is timed on ``--groupby-persons``
persons, because at full scale its long frame alone would not fit in memory; rates in
person-weeks per second are compared.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import pandas as pd

from evalkit.datasets import simulate_register
from evalkit.panel import first_durable_entry, in_state_at, spells, time_to_first, weeks_in_states

STATE = "self_sufficient"


def seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(fn, repeat: int = 5, floor=None) -> dict:
    """Best and median seconds over ``repeat`` runs, and the peak traced memory of one run.

    With ``floor`` (the read pass), it is timed right after each run of ``fn`` and the
    ratio is best / best: both see the same state of a shared machine (timeit's advice:
    the best of several runs is the least disturbed measurement).
    """
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    times, floors = [], []
    for _ in range(repeat):
        times.append(seconds(fn))
        if floor is not None:
            floors.append(seconds(floor))
    result = {"best": min(times), "median": float(np.median(times)), "peak": peak}
    if floor is not None:
        result["ratio"] = min(times) / min(floors)
    return result


def groupby_spells(long: pd.DataFrame) -> pd.DataFrame:
    """Spells the straightforward pandas way: run ids by shift/cumsum, then groupby."""
    long = long.sort_values(["id", "week"])
    change = (long["in_state"] != long.groupby("id")["in_state"].shift()) | (
        long["id"] != long["id"].shift()
    )
    long = long.assign(run=change.cumsum())
    runs = long.loc[long["in_state"]].groupby(["id", "run"])["week"].agg(["min", "max"])
    return runs.rename(columns={"min": "start", "max": "end"}).reset_index()


def groupby_weeks_in_state(long: pd.DataFrame) -> pd.Series:
    window = long.loc[(long["week"] >= 1) & (long["week"] <= 52)]
    return window.groupby("id")["in_state"].sum()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=520)
    parser.add_argument("--groupby-persons", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    start = time.perf_counter()
    register = simulate_register(
        n_treated=args.persons // 2,
        n_control=args.persons - args.persons // 2,
        weeks_before=0,
        enrolment_weeks=1,
        weeks_after=args.weeks - 1,
        layout="array",
        seed=1,
    )
    panel = register.panel()
    del register
    print(
        f"synthetic panel: {panel.n_persons:,} persons x {panel.n_weeks} weeks, "
        f"{panel.codes.nbytes / 2**20:,.0f} MiB as int8 "
        f"(built in {time.perf_counter() - start:.1f} s)"
    )
    person_weeks = panel.codes.size

    def read_pass():
        return np.count_nonzero(panel.codes)

    jobs = {
        "read pass (np.count_nonzero)": read_pass,
        "spells(self_sufficient)": lambda: spells(panel, STATE),
        "spells(max_gap=2, min_length=2)": lambda: spells(panel, STATE, max_gap=2, min_length=2),
        "weeks_in_states(1..52)": lambda: weeks_in_states(panel, STATE, (1, 52)),
        "weeks_in_states(0..519)": lambda: weeks_in_states(panel, STATE, (0, args.weeks - 1)),
        "in_state_at(26, 52, 104)": lambda: in_state_at(panel, STATE, [26, 52, 104]),
        "time_to_first": lambda: time_to_first(panel, STATE),
        "first_durable_entry(13)": lambda: first_durable_entry(panel, STATE, 13),
    }
    rows = []
    for name, fn in jobs.items():
        result = measure(fn, args.repeat, floor=read_pass)
        rows.append(
            {
                "task": name,
                "best s": result["best"],
                "median s": result["median"],
                "person-weeks/s": person_weeks / result["best"],
                "x read pass": result["ratio"],
                "peak extra / panel": result["peak"] / panel.codes.nbytes,
            }
        )

    # The pandas groupby way, on a subset of persons (its long frame does not fit at scale).
    sub = panel.select(panel.ids[: args.groupby_persons])
    rows_idx, cols = np.nonzero(sub.codes >= 0)
    long = pd.DataFrame(
        {
            "id": sub.ids[rows_idx],
            "week": sub.weeks[cols],
            "in_state": sub.codes[rows_idx, cols] == sub.states.index(STATE),
        }
    )
    sub_weeks = sub.codes.size
    for name, fn, ours in (
        ("pandas groupby spells", lambda: groupby_spells(long), lambda: spells(sub, STATE)),
        (
            "pandas groupby weeks_in_states(1..52)",
            lambda: groupby_weeks_in_state(long),
            lambda: weeks_in_states(sub, STATE, (1, 52)),
        ),
    ):
        theirs = measure(fn, 1)["best"]
        our = measure(ours, args.repeat)["best"]
        rows.append(
            {
                "task": f"{name} ({args.groupby_persons:,} persons)",
                "best s": theirs,
                "median s": np.nan,
                "person-weeks/s": sub_weeks / theirs,
                "x read pass": np.nan,
                "peak extra / panel": np.nan,
                "evalkit speed-up": theirs / our,
            }
        )
    with pd.option_context("display.width", 160):
        print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:,.3g}"))


if __name__ == "__main__":
    main()
