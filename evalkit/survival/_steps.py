"""Shared pieces of the cumulative-hazard and multi-state estimators.

- :func:`interval_rows` validates counting-process rows ``(start, stop]`` per person (or
  right-censored durations) without touching the caller's frame;
- :func:`pool_blocks` pools the time steps of a curve into blocks that each rest on at
  least ``threshold`` events (for the disclosure-controlled tables and figures);
- :func:`log_interval` / :func:`survival_interval` are R's ``survfit_confint``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._validation import (
    _looks_like_identifier,
    _show,
    check_id_types,
    numeric_column,
    row_positions,
    select_rows,
)
from ..errors import ArgumentError, DesignError, OutcomeError
from ._input import group_codes


@dataclass(frozen=True)
class IntervalRows:
    """Validated rows: ``start`` (None for durations from 0), ``stop``, ``person`` codes
    0..P-1 (None without ids), ``group`` codes and labels (None when ungrouped), the
    selected ``frame`` and the positions of its rows in the caller's data."""

    start: np.ndarray | None
    stop: np.ndarray
    person: np.ndarray | None
    n_persons: int
    group: np.ndarray | None
    group_labels: np.ndarray | None
    frame: pd.DataFrame
    rows: np.ndarray | None


def person_order(person, time) -> np.ndarray:
    """Row order by person, then time: the identity when the rows already come so (the
    usual register file; checked in O(rows)), else a lexsort."""
    p, t = person, time
    if p.size < 2 or bool(np.all((p[1:] > p[:-1]) | ((p[1:] == p[:-1]) & (t[1:] >= t[:-1])))):
        return np.arange(p.size)
    return np.lexsort((t, p))


def interval_rows(
    data: pd.DataFrame,
    stop: str,
    start: str | None,
    id: str | None,
    group: str | None,
    extra: list[str],
    missing: str,
) -> IntervalRows:
    """Validate ``(start, stop]`` rows: numeric finite times, ``start < stop``, and with
    ``id`` no two rows of one person overlapping. Messages name columns and row positions,
    never an identifier value."""
    for role, value in (("stop", stop), ("start", start), ("id", id), ("group", group)):
        if value is not None and not isinstance(value, str):
            raise ArgumentError(f"{role} must be a column name; got {value!r}.")
    roles = {
        "time": [stop],
        "start": [start] if start else [],
        "id": [id] if id else [],
        "group": [group] if group else [],
        "status": list(extra),
    }
    frame, rows = select_rows(data, roles, missing=missing)
    stop_values = numeric_column(frame[stop], stop, role="time", rows=rows)
    start_values = None
    if start is not None:
        start_values = numeric_column(frame[start], start, role="start", rows=rows)
        bad = start_values >= stop_values
        if bad.any():
            raise OutcomeError(
                f"start column {start!r} must be below the stop column {stop!r} on every row; "
                f"{int(bad.sum())} rows are not ({row_positions(bad, rows)}). A row is the "
                "interval (start, stop] a person is observed in."
            )
    elif (stop_values < 0).any():
        bad = stop_values < 0
        raise OutcomeError(
            f"time column {stop!r} must be >= 0; {int(bad.sum())} rows are not "
            f"({row_positions(bad, rows)})."
        )
    person, n_persons = None, len(frame)
    if id is not None:
        check_id_types(frame[id], id)
        person, uniques = pd.factorize(frame[id], sort=False)
        n_persons = len(uniques)
        begin = start_values if start_values is not None else np.zeros_like(stop_values)
        order = person_order(person, begin)
        same = person[order][1:] == person[order][:-1]
        overlap = same & (begin[order][1:] < stop_values[order][:-1])
        if overlap.any():
            where = np.sort(order[1:][overlap])
            raise DesignError(
                f"{int(overlap.sum())} rows overlap an earlier row of the same person in "
                f"{id!r} ({row_positions(where, rows)}): a person is in one interval "
                f"({start!r}, {stop!r}] at a time. Values of {id!r} are not shown."
            )
    codes = labels = None
    if group is not None:
        if _looks_like_identifier(frame[group]):
            raise DesignError(
                f"group column {group!r} has {frame[group].nunique()} distinct values in "
                f"{len(frame)} rows and looks like a person identifier (values not shown); "
                "groups are arms or categories that several persons share."
            )
        codes, labels = group_codes(frame[group])
        if id is not None:
            first = np.full(n_persons, -1)
            first[person] = codes
            if (first[person] != codes).any():
                bad = first[person] != codes
                raise DesignError(
                    f"group column {group!r} changes within a person of {id!r} on "
                    f"{int(bad.sum())} rows ({row_positions(bad, rows)}); a person belongs "
                    "to one group (arm)."
                )
    return IntervalRows(start_values, stop_values, person, n_persons, codes, labels, frame, rows)


def at_times(times, group, groups) -> np.ndarray:
    """The times of a curve's ``at(times, group)`` as a 1-d float array, after checking
    them and that ``group`` is one of the fit's ``groups`` (None: all)."""
    points = np.atleast_1d(np.asarray(times, dtype=float))
    if points.ndim != 1 or not np.isfinite(points).all():
        raise ArgumentError(f"times must be finite numbers; got {times!r}.")
    if group is not None and (groups is None or group not in groups):
        raise ArgumentError(
            "group is not among the groups: "
            f"{_show(groups) if groups is not None else 'none (ungrouped fit)'}."
        )
    return points


def z_value(alpha: float) -> float:
    return float(stats.norm.isf(alpha / 2.0))


def log_interval(p: np.ndarray, se: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """R's ``conf.type = "log"`` for a probability: ``p exp(-+ z se / p)``, the upper end
    capped at 1, NaN where p = 0 (no interval defined)."""
    z = z_value(alpha)
    p = np.asarray(p, float)
    se = np.asarray(se, float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rel = np.where(se == 0, 0.0, se / p)
        low = p * np.exp(-z * rel)
        high = np.minimum(p * np.exp(z * rel), 1.0)
    zero = ~(p > 0)
    low[zero] = np.nan
    high[zero] = np.nan
    return low, high


def survival_interval(surv, sigma, conf_type: str, alpha: float):
    """R's ``survfit_confint`` with ``logse = TRUE`` (``sigma`` the SE of log S)."""
    z = z_value(alpha)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        s = np.where(surv > 0, surv, np.nan)
        if conf_type == "log-log":
            log_s = np.log(s)
            low = np.exp(-np.exp(np.log(-log_s) - z * sigma / log_s))
            high = np.exp(-np.exp(np.log(-log_s) + z * sigma / log_s))
        elif conf_type == "log":
            low = s * np.exp(-z * sigma)
            high = np.minimum(s * np.exp(z * sigma), 1.0)
        else:
            low = np.maximum(s - z * s * sigma, 0.0)
            high = np.minimum(s + z * s * sigma, 1.0)
    at_one = surv >= 1.0
    return np.where(at_one, 1.0, low), np.where(at_one, 1.0, high)


def pool_blocks(
    events: np.ndarray, at_risk: np.ndarray, threshold: int, ok: np.ndarray | None = None
) -> np.ndarray:
    """Indices of the rows that close the published blocks of one curve.

    ``events`` is (times,) or (times, kinds) counts; a block closes at the first row where
    every kind's events since the previous closing row are 0 or at least ``threshold``
    and at least one event happened, where ``at_risk >= threshold`` and where ``ok`` (a
    further per-row condition) holds. Rows after the last time with ``at_risk >=
    threshold`` are never published; when no block closes after the last closing row
    a final row without events (at the last time with enough at risk) keeps the flat tail.
    """
    events = np.asarray(events, float)
    if events.ndim == 1:
        events = events[:, None]
    at_risk = np.asarray(at_risk, float)
    enough = at_risk >= threshold
    last = int(np.flatnonzero(enough)[-1]) if enough.any() else -1
    closing: list[int] = []
    block = np.zeros(events.shape[1])
    for i in range(last + 1):  # a loop over distinct times (weeks), not persons
        block += events[i]
        if not block.any():
            continue
        safe = bool(np.all((block == 0) | (block >= threshold)))
        if safe and enough[i] and (ok is None or ok[i]):
            closing.append(i)
            block[:] = 0
    if last >= 0 and (not closing or closing[-1] < last) and not block.any():
        closing.append(last)
    return np.asarray(closing, dtype=np.int64)


def round_down(counts: np.ndarray, threshold: int) -> np.ndarray:
    """Counts rounded down to a multiple of ``threshold`` (as :func:`safe_at_risk`)."""
    counts = np.asarray(counts, dtype=np.int64)
    return counts // threshold * threshold
