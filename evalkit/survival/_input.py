"""Validated survival data: durations, event indicators or causes, groups, entry times."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validation import numeric_column, select_columns
from ..errors import ArgumentError, DesignError, OutcomeError


@dataclass(frozen=True)
class SurvivalData:
    """Arrays of a survival data set after validation (the caller's frame is untouched).

    ``time`` are durations (or stop times with ``entry``); ``event`` are integers:
    0 = censored, 1 = event, or 1..K = cause of a competing exit; ``entry`` are
    delayed-entry (start) times or None; ``group`` are integer codes 0..G-1 into
    ``group_labels`` (the group column's own values, sorted) or None.
    """

    time: np.ndarray
    event: np.ndarray
    entry: np.ndarray | None
    group: np.ndarray | None
    group_labels: np.ndarray | None
    weights: np.ndarray | None
    frame: pd.DataFrame

    @property
    def n(self) -> int:
        return len(self.time)


def survival_data(
    data: pd.DataFrame,
    duration: str,
    event: str,
    group: str | None = None,
    entry: str | None = None,
    weights: str | None = None,
    extra: list[str] | None = None,
    missing: str = "error",
    causes: bool = False,
    allow_zero: bool = True,
) -> SurvivalData:
    """Validate survival columns.

    - ``duration``: numeric, finite, >= 0 (> 0 when ``allow_zero`` is False);
    - ``event``: 0/1 or boolean; with ``causes=True`` integers 0..K (0 = censored);
    - ``entry``: numeric, >= 0 and strictly less than the duration (left truncation or the
      start of a counting-process interval);
    - ``group``: any values (kept as labels);
    - ``weights``: positive;
    - ``extra``: further columns (covariates, strata, clusters) validated for presence and
      missing values and returned in ``frame``.
    """
    for role, value in (("duration", duration), ("event", event)):
        if not isinstance(value, str):
            raise ArgumentError(f"{role} must be a column name; got {value!r}.")
    roles = {
        "duration": [duration],
        "event": [event],
        "group": [group] if group else [],
        "entry": [entry] if entry else [],
        "weights": [weights] if weights else [],
        "extra": list(extra or []),
    }
    frame = select_columns(data, roles, missing=missing)
    time = numeric_column(frame[duration], duration, role="duration")
    if allow_zero:
        bad = time < 0
        rule = ">= 0"
    else:
        bad = time <= 0
        rule = "> 0"
    if bad.any():
        raise OutcomeError(
            f"duration column {duration!r} must be {rule}; {int(bad.sum())} rows are not "
            f"(e.g. {time[bad][:3].tolist()})."
        )
    status = _event_codes(frame[event], event, causes)
    if not (status > 0).any():
        raise DesignError(
            f"no events in {event!r} among the {len(status)} rows: every time is censored, so "
            "there is nothing to estimate."
        )
    start = None
    if entry:
        start = numeric_column(frame[entry], entry, role="entry")
        bad = (start < 0) | (start >= time)
        if bad.any():
            raise OutcomeError(
                f"entry column {entry!r} must be >= 0 and below the duration {duration!r}; "
                f"{int(bad.sum())} rows are not. A person enters observation before leaving it."
            )
    codes = labels = None
    if group:
        codes, labels = group_codes(frame[group])
    w = None
    if weights:
        w = numeric_column(frame[weights], weights, role="weights")
        if (w <= 0).any():
            raise ArgumentError(f"weights column {weights!r} must be positive.")
    return SurvivalData(time, status, start, codes, labels, w, frame)


def group_codes(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0..G-1 and the sorted distinct values of a grouping column."""
    values = series.to_numpy()
    if values.dtype.kind in "iu":
        found = _whole_number_codes(values)
        if found is not None:
            shifted, low = found
            present = np.bincount(shifted) > 0
            return (np.cumsum(present) - 1)[shifted], np.flatnonzero(present) + low
    codes, labels = pd.factorize(series, sort=True)
    return codes, np.asarray(labels)


def _event_codes(series: pd.Series, name: str, causes: bool) -> np.ndarray:
    if series.dtype == bool:
        return series.to_numpy(dtype=np.int64)
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iu":
        values = series.to_numpy()
        if values.min() >= 0 and (causes or values.max() <= 1):
            return values.astype(np.int64, copy=False)
    numeric = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    if causes:
        bad = ~np.isfinite(numeric) | (numeric < 0) | (numeric != np.round(numeric))
        rule = "integers 0 (censored), 1..K (cause of exit)"
    else:
        bad = ~np.isin(numeric, (0, 1))
        rule = "0 (censored) / 1 (event) or boolean"
    if bad.any():
        shown = pd.unique(series[bad])[:5].tolist()
        raise OutcomeError(
            f"event column {name!r} must be {rule}; {int(bad.sum())} rows are not "
            f"(values such as {shown})."
        )
    return numeric.astype(np.int64)


def _whole_number_codes(values: np.ndarray) -> tuple[np.ndarray, float] | None:
    """``values - min`` as int64 when all are whole numbers in a range a bincount can cover."""
    if not values.size:
        return None
    low, high = values.min(), values.max()
    if not (np.isfinite(low) and np.isfinite(high)) or high - low > max(4 * values.size, 1 << 16):
        return None
    codes = (values - low).astype(np.int64)
    if values.dtype.kind == "f" and not np.array_equal(codes, values - low):
        return None
    return codes, low


def distinct_times(time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct times and each row's position among them.

    Whole-number times within a moderate range (weeks, days) are counted with one
    ``bincount`` pass instead of a sort, which is what makes weekly register data fast.
    """
    found = _whole_number_codes(time)
    if found is None:
        return np.unique(time, return_inverse=True)
    codes, low = found
    present = np.bincount(codes) > 0
    return np.flatnonzero(present) + low, (np.cumsum(present) - 1)[codes]


def time_counts(
    time: np.ndarray, event: np.ndarray, group: np.ndarray | None = None, n_groups: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct times and, per group, how many leave (``n_total``) and how many have the event.

    Returns ``times`` (T,), ``n_total`` (G, T) and ``n_event`` (G, T). Whole-number times
    (weeks, days) take one bincount pass over the data; other times one sort.
    """
    found = _whole_number_codes(time)
    if found is not None:
        codes, low = found
        width = int(codes.max()) + 1
        grid = np.arange(width) + low
    else:
        order = np.argsort(time)
        sorted_time = time[order]
        new = np.empty(len(time), dtype=bool)
        new[:1] = True
        np.not_equal(sorted_time[1:], sorted_time[:-1], out=new[1:])
        grid = sorted_time[new]
        width = len(grid)
        codes = np.empty(len(time), dtype=np.int64)
        codes[order] = np.cumsum(new) - 1
    cell = codes if group is None else group.astype(np.int64) * width + codes
    size = n_groups * width
    n_total = np.bincount(cell, minlength=size).reshape(n_groups, width)
    n_event = np.bincount(cell, weights=event, minlength=size).reshape(n_groups, width)
    present = n_total.sum(axis=0) > 0
    return grid[present], n_total[:, present], n_event[:, present]
