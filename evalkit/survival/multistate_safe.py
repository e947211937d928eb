r"""State occupation curves as they may be published: a week grid on which no share rests
on 1-4 persons and no difference of consecutive values reveals 1-4 persons moving.

The rule (Statistics Denmark's transfer rules)
----------------------------------------------
Statistics Denmark lets an analysis result leave its research machines only when no
person can be identified from it directly or indirectly; numbers resting on fewer than 5
units per cell are not transferred, and differencing between numbers (a total minus the
other cells, two published tables subtracted) counts as indirect identification (Rules
on transfer of analysis results,
https://explorer.dst.dk/en/TilSalg/Forskningsservice/hjemtagelse-af-analyseresultater;
Aarhus University's summary for its researchers,
https://ph.medarbejdere.au.dk/en/it-security-web-and-telephony/statistics-denmark-dst-research-service).
The threshold is the output rules' (:func:`evalkit.output.current_rules`, 5 by default).

A state occupation curve publishes, per arm and published time :math:`t`, the shares
:math:`P_s(t)` of the states (Aalen-Johansen; without censoring exactly the share of the
persons observed at :math:`t` who are in :math:`s`). A reader who knows the size of the
arm reads them back into counts, subtracts them from the total and subtracts consecutive
values. So, with :math:`n_s(t)` the persons observed in state :math:`s` at :math:`t`
(at risk in it just before :math:`t`, plus those moving in at :math:`t`, minus those
moving out) and :math:`d_s(a, t)` the net number of moves into :math:`s` after the
previous published time :math:`a` up to :math:`t` (moves in minus moves out; the
starting distribution counts as published at the first move time), a time :math:`t` is
published only when for every state

1. :math:`n_s(t)` is 0 or at least the threshold (zeros count as small when the rules
   call zeros disclosive), and so is the rest :math:`\sum_r n_r(t) - n_s(t)`;
2. :math:`|d_s(a, t)|` is 0 or at least the threshold.

Times that fail are pooled into the next published time (the curve stays at its last
published value, as a step); the curves end at the last time that passes. Condition 2
protects consecutive values; for a state whose count only rises (or only falls) between
two published times it carries over to every pair of published times, and where it both
rises and falls a net difference mixes persons moving in with persons moving out and is
not the count of any group of persons. The transition counts themselves are not
published (the figure shows only the shares), so they are not required to rest on 5.

Among the chains of candidate times that satisfy the rule, the one reaching the latest
time, and among those the one with the most points, is published (dynamic programming:
:math:`O(C^2 K)` for :math:`C` candidate times and :math:`K` states; 0.02 CPU seconds at
JobFirst's 104 weeks, 0.4 at 7,700 distinct continuous times, less than the fit itself).

Candidate times are every distinct time of the fit (``grid=None``: the finest pooling
the rule allows), every ``grid`` time units (an integer: 4 = every fourth week from time
0), or given times (a list). A state whose persons are too few to publish at most times
would blank the whole figure; instead, per group (arm), the states holding 1-4 persons at
a quarter or more of the candidate times (``merge=0.25``) are merged into ``other`` (a
state of that name, or a new one; at least two states are kept); merged shares are sums
of the states' probabilities (without an interval: the states' covariance is not kept).

Censoring: the counts above are of the persons observed; the shares weight them by the
Aalen-Johansen estimator. Differences of the published values then move with weighted
moves, which the rule bounds by the unweighted moves they come from.

Example
-------
>>> import pandas as pd
>>> from evalkit.survival import state_occupation
>>> rows = pd.DataFrame({"id": range(40), "start": -1, "stop": [2] * 20 + [4] * 20,
...                      "from": "benefit", "to": "job"})
>>> safe = safe_occupation(state_occupation(rows), threshold=5)
>>> print(safe.table[["time", "state", "probability"]].to_string(index=False))
 time   state  probability
  2.0 benefit          0.5
  2.0     job          0.5
  4.0 benefit          0.0
  4.0     job          1.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ArgumentError
from ..output.declare import declare_table
from ..output.rules import current_rules
from ._steps import round_down

__all__ = ["SafeOccupation", "safe_occupation"]

#: The name of the state the small states are merged into (when the fit has none).
OTHER = "other"


@dataclass(frozen=True)
class SafeOccupation:
    """The published curves: ``table`` (one row per group, published time and state:
    ``probability``, ``std_error``, ``ci_low``, ``ci_high``, and ``n_observed``, the
    persons observed at the time rounded down to a multiple of the threshold), ``start``
    (the published starting distribution per group: group, state, probability; a group
    whose start would rest on 1-4 persons has none), ``states`` (the published states,
    merged ones under ``other``), ``merged`` (keyed by group, None when ungrouped: the
    fit's states merged into ``other`` there), ``threshold`` and ``grid`` (the candidate
    spacing used; None = every time)."""

    table: pd.DataFrame
    start: pd.DataFrame
    states: tuple[str, ...]
    merged: dict
    threshold: int
    grid: object


def _small(counts: np.ndarray, threshold: int, zeros: bool) -> np.ndarray:
    counts = np.rint(np.asarray(counts, float))
    return ((counts > 0) & (counts < threshold)) | ((counts == 0) & zeros)


def _candidates(times: np.ndarray, grid) -> tuple[np.ndarray, np.ndarray]:
    """Candidate times and the index of the fit's step in force at each."""
    if grid is None:
        return times, np.arange(times.size)
    if isinstance(grid, bool):
        raise ArgumentError(
            f"grid must be None, a positive number or a list of times; got {grid!r}."
        )
    if isinstance(grid, int | float | np.integer | np.floating):
        if not np.isfinite(grid) or grid <= 0:
            raise ArgumentError(f"grid must be a positive spacing (e.g. 4 weeks); got {grid!r}.")
        points = np.arange(np.ceil(times[0] / grid) * grid, times[-1] + grid / 2, grid)
    else:
        points = np.unique(np.asarray(grid, dtype=float))
        if points.ndim != 1 or not np.isfinite(points).all() or points.size == 0:
            raise ArgumentError("grid must be None, a positive spacing or a list of finite times.")
    index = np.searchsorted(times, points, side="right") - 1
    keep = (index >= 0) & (points <= times[-1])
    return points[keep], index[keep]


def _publish(in_state, cum_net, start_ok, index, threshold, zeros) -> np.ndarray:
    """Positions in ``index`` (candidates) that are published: the chain of candidates
    that satisfy the rule pairwise with their predecessor (the start first, when it is
    published), reaching the latest candidate possible and, among those, the one with
    the most points (dynamic programming over the candidates)."""
    total = in_state.sum(axis=1, keepdims=True)
    ok_level = ~(
        _small(in_state, threshold, zeros) | _small(total - in_state, threshold, False)
    ).any(axis=1)
    ok_level &= total[:, 0] >= threshold
    ok = ok_level[index]
    net = cum_net[index]
    c = index.size
    best = np.full(c, -1, dtype=np.int64)  # points of the best chain ending here (-1: none)
    back = np.full(c, -1, dtype=np.int64)
    for i in np.flatnonzero(ok):  # a loop over candidate times (weeks), not persons
        if start_ok:
            diff = np.abs(np.rint(net[i]))
            if not np.any((diff > 0) & (diff < threshold)):
                best[i] = 1
        else:  # nothing published before it: any candidate may open the chain
            best[i] = 1
        if i:
            diff = np.abs(np.rint(net[i] - net[:i]))
            fine = ~np.any((diff > 0) & (diff < threshold), axis=1) & (best[:i] > 0)
            if fine.any():
                a = int(np.argmax(np.where(fine, best[:i], -1)))
                if best[a] + 1 > best[i]:
                    best[i], back[i] = best[a] + 1, a
    if not (best > 0).any():
        return np.zeros(0, dtype=np.int64)
    chain = [int(np.flatnonzero(best > 0)[-1])]
    while back[chain[-1]] >= 0:
        chain.append(int(back[chain[-1]]))
    return np.asarray(chain[::-1], dtype=np.int64)


def _lump(values: np.ndarray, columns: np.ndarray, n: int) -> np.ndarray:
    """Sum the last axis of ``values`` into ``n`` columns (``columns`` maps each)."""
    out = np.zeros(values.shape[:-1] + (n,))
    for source, target in enumerate(columns):
        out[..., target] += values[..., source]
    return out


def _arrays(fit):
    """Per group: times, in-state counts, cumulative net moves, probabilities, std
    errors, starting counts and starting probabilities (over the fit's states)."""
    k = len(fit.states)
    for i, key, part in fit._parts():
        times = part["time"].to_numpy(float)[::k]
        m = times.size
        risk = part["n_risk"].to_numpy(float).reshape(m, k)
        into = part["n_event"].to_numpy(float).reshape(m, k)
        out = part["n_exit"].to_numpy(float).reshape(m, k)
        prob = part["probability"].to_numpy(float).reshape(m, k)
        se = np.stack(
            [part[c].to_numpy(float).reshape(m, k) for c in ("std_error", "ci_low", "ci_high")]
        )
        moves = np.flatnonzero(fit._flows[i].reshape(m, -1).any(axis=1))
        start = risk[moves[0]] if moves.size else risk[-1]
        p0 = fit.p0 if key is None else fit.p0[fit.p0["group"] == key]
        p_start = p0.set_index("state").loc[list(fit.states), "probability"].to_numpy(float)
        yield key, times, risk + into - out, np.cumsum(into - out, axis=0), prob, se, start, p_start


def safe_occupation(
    fit,
    threshold: int | None = None,
    grid=None,
    merge: float | None = 0.25,
    other: str = OTHER,
) -> SafeOccupation:
    """The curves of a :class:`~evalkit.survival.StateOccupation` as they may be
    published (the rule in the module docstring).

    Parameters
    ----------
    fit : a StateOccupation (not modified).
    threshold : the smallest number of persons a share or a difference may rest on
        (default: the output rules').
    grid : None (every time of the fit is a candidate), a spacing (4: every fourth time
        unit from 0) or a list of times.
    merge : per group, the states holding 1 to ``threshold - 1`` persons at this share
        of the candidate times or more are merged into ``other`` (None: never merge; at
        least two states are kept).
    other : the name of the merged state.

    Returns
    -------
    SafeOccupation
        ``table`` declared to the output gate as controlled at ``threshold``
        (``n_observed`` a count, the estimates dependent on it).

    Example
    -------
    >>> import pandas as pd
    >>> from evalkit.survival import state_occupation
    >>> rows = pd.DataFrame({"id": range(12), "start": -1, "stop": [1, 2, 3] * 4,
    ...     "from": "benefit", "to": ["job", "job", None] * 4})
    >>> len(safe_occupation(state_occupation(rows)).table)  # 4 moves a week: nothing
    0
    """
    if not hasattr(fit, "_flows") or not hasattr(fit, "states"):
        raise ArgumentError(
            f"fit must be a StateOccupation (evalkit.survival.state_occupation); got "
            f"{type(fit).__name__}."
        )
    rules = current_rules()
    threshold = rules.threshold if threshold is None else threshold
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer) or threshold < 2:
        raise ArgumentError(f"threshold must be a whole number of at least 2; got {threshold!r}.")
    threshold = int(threshold)
    if merge is not None and (
        isinstance(merge, bool) or not isinstance(merge, int | float) or not 0 < merge <= 1
    ):
        raise ArgumentError(f"merge must be a share in (0, 1] or None; got {merge!r}.")
    if not isinstance(other, str) or not other:
        raise ArgumentError(f"other must be the name of the merged state; got {other!r}.")
    zeros = rules.zeros_disclosive
    states = list(fit.states)
    pieces, starts, merged_all = [], [], {}
    for key, times, in_state, cum_net, prob, se, start, p_start in _arrays(fit):
        points, index = _candidates(times, grid)

        # states holding 1 to threshold - 1 persons at a share >= merge of the candidates
        small = _small(in_state[index], threshold, zeros).mean(axis=0) if index.size else 0
        merged = [
            states[c]
            for c in np.argsort(-small, kind="stable")
            if merge is not None and small[c] >= merge and states[c] != other
        ][: max(len(states) - 2, 0)]
        names = [s for s in states if s not in merged]
        if merged and other not in names:
            names.append(other)
        columns = np.array([names.index(other if s in merged else s) for s in states])
        n = len(names)
        n0 = _lump(start, columns, n)
        start_ok = not (
            _small(n0, threshold, zeros).any() or _small(n0.sum() - n0, threshold, False).any()
        )
        n_in = _lump(in_state, columns, n)
        shown = _publish(n_in, _lump(cum_net, columns, n), start_ok, index, threshold, zeros)
        merged_all[key] = tuple(merged)
        where = index[shown]
        p = _lump(prob[where], columns, n)
        sd, low, high = np.full((3,) + p.shape, np.nan)
        for c in range(n):  # a merged state has no interval (no covariances kept)
            if (columns == c).sum() == 1:
                sd[:, c], low[:, c], high[:, c] = se[:, where, int(np.flatnonzero(columns == c)[0])]
        observed = round_down(n_in[where].sum(axis=1), threshold)
        piece = pd.DataFrame(
            {
                "time": np.repeat(points[shown], n),
                "state": np.tile(np.asarray(names, dtype=object), shown.size),
                "probability": p.ravel(),
                "std_error": sd.ravel(),
                "ci_low": low.ravel(),
                "ci_high": high.ravel(),
                "n_observed": np.repeat(observed, n).astype(np.int64),
            }
        )
        first = pd.DataFrame({"state": names, "probability": _lump(p_start, columns, n)})
        if key is not None:
            piece.insert(0, "group", key)
            first.insert(0, "group", key)
        pieces.append(piece)
        if start_ok and shown.size:
            starts.append(first)
    table = pd.concat(pieces, ignore_index=True)
    table["n_observed"] = table["n_observed"].astype(np.int64)
    table = declare_table(
        table,
        counts=["n_observed"],
        dependent=["probability", "std_error", "ci_low", "ci_high"],
        controlled_at=threshold,
    )
    columns = ["state", "probability"] if fit.groups is None else ["group", "state", "probability"]
    start = pd.concat(starts, ignore_index=True) if starts else pd.DataFrame(columns=columns)
    shown_states = [s for s in states if s in set(table["state"])]
    if other in set(table["state"]) and other not in shown_states:
        shown_states.append(other)
    return SafeOccupation(table, start, tuple(shown_states), merged_all, threshold, grid)
