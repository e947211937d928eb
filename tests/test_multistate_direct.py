"""The fast paths of state_occupation, nelson_aalen and mean_cumulative_function against
direct computations, on data R cannot check: gaps in a person's rows (evalkit lets a
person leave observation and re-enter; R refuses them), censored rows touching the next
row, non-integer times and rows in no particular order.

The direct influence below updates every person at every move time, as the module
docstring of evalkit.survival.multistate writes it (O(persons x times)); the estimator
gets the same numbers from per-row updates and a recursion over the move times.
"""

import numpy as np
import pandas as pd
import pytest

from evalkit.survival import mean_cumulative_function, multistate, nelson_aalen, state_occupation

STATES = ["a", "b", "c"]


def _synthetic(seed: int, persons: int = 150) -> pd.DataFrame:
    """SYNTHETIC rows: 1-5 per person, moves in every direction, censored rows followed by
    a gap or a touching row in the same state, some half-week times; shuffled."""
    rng = np.random.default_rng(seed)
    rows = []
    for person in range(persons):
        t, state = float(rng.integers(-2, 3)), int(rng.integers(0, 3))
        for _ in range(int(rng.integers(1, 6))):
            length = float(rng.integers(1, 6)) + (0.5 if rng.random() < 0.1 else 0.0)
            to = STATES[(state + int(rng.integers(1, 3))) % 3] if rng.random() < 0.6 else None
            rows.append((person, t, t + length, STATES[state], to, person % 2))
            t += length
            if to is None:
                if rng.random() < 0.5:
                    break
                t += float(rng.integers(0, 4))  # touching (0) or after a gap
            else:
                state = STATES.index(to)
    frame = pd.DataFrame(rows, columns=["id", "start", "stop", "from", "to", "g"])
    return frame.sample(frac=1, random_state=seed).reset_index(drop=True)


def _direct(rows: pd.DataFrame, p0_variance: bool):
    """P and its IJ standard error at the distinct stop times, every person updated at
    every move time (R's survfit multi-state recursion)."""
    k = len(STATES)
    start, stop = rows["start"].to_numpy(), rows["stop"].to_numpy()
    src = rows["from"].map(STATES.index).to_numpy()
    dst = rows["to"].map(lambda s: STATES.index(s) if isinstance(s, str) else -1).to_numpy()
    person = pd.factorize(rows["id"])[0]
    # a censored row between two touching rows of the person is no time point (as R)
    key = pd.DataFrame({"p": person, "s": start, "e": stop, "d": dst})
    key = key.sort_values(["p", "s"])
    nxt = (key["p"].shift(-1) == key["p"]) & (key["s"].shift(-1) == key["e"])
    prv = (key["p"].shift(1) == key["p"]) & (key["e"].shift(1) == key["s"])
    middle = (nxt & prv & (key["d"] < 0)).reindex(rows.index).to_numpy()
    times = np.unique(stop[~middle])
    move_times = np.unique(stop[dst >= 0])
    t0 = move_times[0]
    zero = (start < t0) & (stop >= t0)
    p = np.bincount(src[zero], minlength=k) / zero.sum()
    u = np.zeros((person.max() + 1, k))
    if p0_variance:
        u[person[zero]] = (np.eye(k)[src[zero]] - p) / zero.sum()
    prob, se = [], []
    for t in times:
        if t in move_times:
            risk = (start < t) & (stop >= t)
            n = np.bincount(src[risk], minlength=k).astype(float)
            h = np.eye(k)
            moving = risk & (stop == t) & (dst >= 0)
            for a, b in zip(src[moving], dst[moving], strict=True):
                h[a, b] += 1.0 / n[a]
                h[a, a] -= 1.0 / n[a]
            c = np.where(n > 0, p / np.where(n > 0, n, 1.0), 0.0)
            new = u @ h
            for r in np.flatnonzero(risk):
                to = dst[r] if moving[r] else src[r]
                new[person[r]] += c[src[r]] * (np.eye(k)[to] - h[src[r]])
            u, p = new, p @ h
        prob.append(p)
        se.append(np.sqrt((u**2).sum(axis=0)))
    return times, np.array(prob), np.array(se)


@pytest.mark.parametrize("products", ["table", "tree"])
@pytest.mark.parametrize("p0_variance", [False, True])
@pytest.mark.parametrize("seed", [1, 2])
def test_state_occupation_equals_the_direct_influence(seed, p0_variance, products, monkeypatch):
    if products == "tree":  # the segment tree used for many move times
        monkeypatch.setattr(multistate, "_TABLE_MAX", 0)
    rows = _synthetic(seed)
    before = rows.copy()
    fit = state_occupation(rows, group="g", states=STATES, p0_variance=p0_variance)
    pd.testing.assert_frame_equal(rows, before)
    for g in (0, 1):
        times, prob, se = _direct(rows[rows["g"] == g].reset_index(drop=True), p0_variance)
        part = fit.table[fit.table["group"] == g]
        np.testing.assert_array_equal(part["time"].to_numpy()[:: len(STATES)], times)
        got_p = part["probability"].to_numpy().reshape(-1, len(STATES))
        got_se = part["std_error"].to_numpy().reshape(-1, len(STATES))
        np.testing.assert_allclose(got_p, prob, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(got_se, se, rtol=1e-8, atol=1e-12)


def test_row_order_does_not_change_the_hazards():
    rows = _synthetic(3).assign(event=lambda d: d["to"].notna().astype(int))
    ordered = rows.sort_values(["id", "start"]).reset_index(drop=True)
    for fit in (
        lambda d: mean_cumulative_function(d, "stop", "event", "id", start="start", group="g"),
        lambda d: nelson_aalen(d, "stop", "event", start="start", id="id", robust=True),
    ):
        shuffled, sorted_ = fit(rows).table, fit(ordered).table
        pd.testing.assert_frame_equal(shuffled, sorted_, check_exact=False, rtol=1e-12)
