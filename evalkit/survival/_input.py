"""Validated survival data: durations, event indicators or causes, groups, entry times."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from .._validation import (
    _MAX_UNIQUE_SHOWN,
    _looks_like_identifier,
    _show_values,
    numeric_column,
    row_positions,
    select_rows,
)
from ..errors import ArgumentError, DesignError, OutcomeError


@dataclass(frozen=True)
class SurvivalData:
    """Arrays of a survival data set after validation (the caller's frame is untouched).

    ``time`` are durations (or stop times with ``entry``); ``event`` are integers:
    0 = censored, 1 = event, or 1..K = cause of a competing exit; ``entry`` are
    delayed-entry (start) times or None; ``group`` are integer codes 0..G-1 into
    ``group_labels`` (the group column's own values, sorted) or None.

    ``tables`` (from ``survival_data(..., tables=True)`` on whole-number columns) are the
    counts ``[group, time, event]`` of every (group, time, 0/1) combination, group codes
    along the first axis and the times themselves along the second; then ``group`` is
    formed only when asked for.
    """

    raw_time: np.ndarray
    event: np.ndarray
    entry: np.ndarray | None
    group_codes: np.ndarray | None
    group_labels: np.ndarray | None
    weights: np.ndarray | None
    frame: pd.DataFrame
    tables: np.ndarray | None = None
    group_lookup: tuple[np.ndarray, np.ndarray] | None = None

    @cached_property
    def group(self) -> np.ndarray | None:
        """Group codes 0..G-1 per row (None without a group)."""
        if self.group_lookup is not None:
            values, lookup = self.group_lookup
            return lookup[values]
        return self.group_codes

    @cached_property
    def time(self) -> np.ndarray:
        """Durations as floats (``raw_time`` keeps an integer column's own integers)."""
        return self.raw_time.astype(float, copy=False)

    @property
    def n(self) -> int:
        return len(self.raw_time)


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
    require_events: bool = True,
    tables: bool = False,
) -> SurvivalData:
    """Validate survival columns.

    - ``duration``: numeric, finite, >= 0 (> 0 when ``allow_zero`` is False);
    - ``event``: 0/1 or boolean; with ``causes=True`` integers 0..K (0 = censored);
    - ``entry``: numeric, >= 0 and strictly less than the duration (left truncation or the
      start of a counting-process interval);
    - ``group``: any values (kept as labels);
    - ``weights``: positive;
    - ``extra``: further columns (covariates, strata, clusters) validated for presence and
      missing values and returned in ``frame``;
    - ``require_events``: at least one event (False for one chunk of a larger data set);
    - ``tables``: with a group and no entry or weights, count (group, time, event) at once
      when the three columns hold small whole numbers (weeks, 0/1, arm codes): one pass
      over the rows in cache-sized blocks checks, keys and counts them (after one read of
      the largest time and group); the remaining checks are read off the table (see
      :func:`_integer_tables`).
      Anything else (negative or fractional values, other codes, missing values) goes
      the general way, which says what is wrong.
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
    frame, rows = select_rows(data, roles, missing=missing)
    if tables and group and not (entry or weights or causes) and allow_zero:
        fast = _integer_tables(frame, duration, event, group)
        if fast is not None:
            return fast
    series = frame[duration]
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iu":
        time = series.to_numpy()  # whole numbers (weeks): no copy, no float conversion
    else:
        time = numeric_column(series, duration, role="duration", rows=rows)
    low = time.min() if time.size else 0
    if low < 0 or (not allow_zero and low <= 0):
        rule = ">= 0" if allow_zero else "> 0"
        bad = time < 0 if allow_zero else time <= 0
        shown = _show_values(pd.unique(time[bad]), duration, data=series)
        raise OutcomeError(
            f"duration column {duration!r} must be {rule}; {int(bad.sum())} rows are not "
            f"({row_positions(bad, rows)} of {len(time)}): {shown}."
        )
    status = _event_codes(frame[event], event, causes, rows)
    if require_events and (not status.size or status.max() <= 0):
        raise DesignError(
            f"no events in {event!r} among the {len(status)} rows: every time is censored, so "
            "there is nothing to estimate."
        )
    start = None
    if entry:
        start = numeric_column(frame[entry], entry, role="entry", rows=rows)
        bad = (start < 0) | (start >= time)
        if bad.any():
            raise OutcomeError(
                f"entry column {entry!r} must be >= 0 and below the duration {duration!r}; "
                f"{int(bad.sum())} rows are not ({row_positions(bad, rows)}). A person enters "
                "observation before leaving it."
            )
    codes = labels = None
    if group:
        if _looks_like_identifier(frame[group]):
            raise DesignError(
                f"group column {group!r} has {frame[group].nunique()} distinct values in "
                f"{len(frame)} rows and looks like a person identifier (values not shown); "
                "groups are arms or categories that several persons share. Check that "
                f"{group!r} is the group column."
            )
        codes, labels = group_codes(frame[group])
    w = None
    if weights:
        w = numeric_column(frame[weights], weights, role="weights", rows=rows)
        if (w <= 0).any():
            raise ArgumentError(
                f"weights column {weights!r} must be positive; {int((w <= 0).sum())} rows are "
                f"not ({row_positions(w <= 0, rows)})."
            )
    return SurvivalData(time, status, start, codes, labels, w, frame)


_TABLE_CELLS = 1 << 16  # largest (group x time x 2) table counted block by block
_BLOCK = 1 << 16  # rows keyed and counted at a time (the block stays in cache)


def _integer_tables(frame: pd.DataFrame, duration: str, event: str, group: str):
    """SurvivalData with ``tables`` when duration and group are whole numbers >= 0 in a
    moderate range and the event is 0/1, else None (the general path then validates).

    One read of the largest duration and group (to size the table), then one pass over the
    rows in blocks of 65,536: each block is checked (no negative value, events 0/1), keyed
    ``(group x width + time) x 2 + event`` and counted by ``np.bincount`` while it is in
    cache. The group labels, the identifier check and the check for at least one event
    are done on the table.
    """
    columns = [frame[name] for name in (group, duration, event)]
    kinds = ("iu", "iu", "iub")
    if not all(
        isinstance(col.dtype, np.dtype) and col.dtype.kind in kind
        for col, kind in zip(columns, kinds, strict=True)
    ):
        return None
    g, t, e = (col.to_numpy() for col in columns)
    n = len(t)
    t_max, g_max = int(t.max()), int(g.max())
    width = t_max + 1
    cells = (g_max + 1) * width * 2
    if cells > _TABLE_CELLS:
        return None
    counts = np.zeros(cells, dtype=np.int64)
    key = np.empty(min(n, _BLOCK), dtype=np.int64)
    for lo in range(0, n, _BLOCK):
        gb, tb, eb = g[lo : lo + _BLOCK], t[lo : lo + _BLOCK], e[lo : lo + _BLOCK]
        kb = key[: len(tb)]
        if gb.min() < 0 or tb.min() < 0 or (eb.dtype != bool and (eb.min() < 0 or eb.max() > 1)):
            return None  # the general path says what is wrong
        np.multiply(gb, width, out=kb)
        kb += tb
        kb *= 2
        kb += eb
        counts += np.bincount(kb, minlength=cells)
    counts = counts.reshape(g_max + 1, width, 2)
    if not counts[:, :, 1].any():
        return None  # no events: the general path says so
    per_group = counts.sum(axis=(1, 2))
    present = per_group > 0
    labels = np.flatnonzero(present)
    distinct = len(labels)
    # labels are small numbers: never shaped like a CPR number (9-10 digits) or a pseudonym
    if distinct > _MAX_UNIQUE_SHOWN and distinct == n:
        raise DesignError(
            f"group column {group!r} has {distinct} distinct values in {n} rows and looks "
            "like a person identifier (values not shown); groups are arms or categories that "
            f"several persons share. Check that {group!r} is the group column."
        )
    status = e.astype(np.int64, copy=False)
    lookup = np.cumsum(present) - 1
    return SurvivalData(
        t,
        status,
        None,
        None,
        labels,
        None,
        frame,
        tables=counts[present],
        group_lookup=(g, lookup),
    )


def table_counts(sd: SurvivalData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What :func:`time_counts` gives (distinct times, ``n_total`` and ``n_event`` per
    group), read off ``sd.tables``."""
    counts = sd.tables
    n_total = counts.sum(axis=2)
    present = n_total.any(axis=0)
    return np.flatnonzero(present), n_total[:, present], counts[:, present, 1].astype(float)


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


def _event_codes(
    series: pd.Series, name: str, causes: bool, rows: np.ndarray | None = None
) -> np.ndarray:
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
        shown = _show_values(pd.unique(series[bad]), name, data=series)
        raise OutcomeError(
            f"event column {name!r} must be {rule}; {int(bad.sum())} rows are not "
            f"({row_positions(bad, rows)} of {len(series)}): {shown}. Check that {name!r} is the "
            "event column."
        )
    return numeric.astype(np.int64)


def _whole_number_codes(values: np.ndarray) -> tuple[np.ndarray, float] | None:
    """``values - min`` as integers when all are whole numbers in a range a bincount can cover.

    Non-negative integers that start near zero (weeks 1..520) are used as they are.
    """
    if not values.size:
        return None
    low, high = values.min(), values.max()
    if not (np.isfinite(low) and np.isfinite(high)) or high - low > max(4 * values.size, 1 << 16):
        return None
    if values.dtype.kind in "iu":
        if 0 <= low <= max(values.size, 1 << 16):
            return values, 0  # bins 0..low-1 stay empty and are dropped by the caller
        return values - low, low
    codes = (values - low).astype(np.int64)
    if not np.array_equal(codes, values - low):
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

    ``event`` is 0/1 (or boolean). Returns ``times`` (T,), ``n_total`` (G, T) and
    ``n_event`` (G, T). Whole-number times (weeks, days) take one bincount pass: each row's
    bin is ``2 x (group x width + time) + event``. Other times take one sort: of a packed
    key (the time's bits and the event bit) without groups, of the times with groups.
    """
    event = event.astype(np.int64, copy=False)
    found = _whole_number_codes(time)
    if found is not None:
        codes, low = found
        width = int(codes.max()) + 1
        grid = np.arange(width) + low
    elif group is None:
        return _sorted_counts(time, event)
    else:
        # one sort of a packed key: the time's bits above the code 2 x group + event
        code = np.multiply(group, 2, dtype=np.int64)
        code += event
        grid, counts = sorted_code_counts(time, code, 2 * n_groups)
        counts = counts.T.reshape(n_groups, 2, len(grid))
        n_total = np.ascontiguousarray(counts[:, 0] + counts[:, 1], dtype=np.int64)
        return grid, n_total, np.ascontiguousarray(counts[:, 1])
    key = np.left_shift(codes, 1, dtype=np.int64)
    key += event
    if group is not None:
        key += group.astype(np.int64) * (2 * width)
    counts = np.bincount(key, minlength=2 * width * n_groups).reshape(n_groups, width, 2)
    n_total = counts.sum(axis=2)
    present = n_total.sum(axis=0) > 0
    return grid[present], n_total[:, present], counts[:, present, 1].astype(float)


def _sorted_counts(time: np.ndarray, event: np.ndarray):
    """Counts per distinct time by sorting one packed uint64 key per row.

    For non-negative floats the IEEE bit pattern orders like the value, so ``bits << 1 |
    event`` sorts by time and keeps each row's event bit, with no index array to gather.
    """
    bits = (np.asarray(time, dtype=np.float64) + 0.0).view(np.uint64)  # + 0.0: no -0.0
    key = np.left_shift(bits, np.uint64(1))
    key |= event.astype(np.uint64)
    key.sort()
    value = key >> np.uint64(1)
    starts = np.flatnonzero(np.r_[True, value[1:] != value[:-1]])
    n_total = np.diff(np.r_[starts, len(key)])
    n_event = np.add.reduceat((key & np.uint64(1)).astype(np.int64), starts)
    times = value[starts].view(np.float64)
    return times, n_total[None, :], n_event[None, :].astype(float)


def sorted_code_counts(time: np.ndarray, code: np.ndarray, n_codes: int):
    """Distinct times (>= 0) and ``counts[time, code]`` by one sort of an int64 key packing
    the time's IEEE bits (relative to the smallest positive time) above the code.

    Row-length temporaries are few (issue 16: at 1e7 rows their page faults cost more
    system than user time): the key is made in place from one copy of the times, then
    split in place into the code (kept) and the time bits (the key itself); the flat cell
    ``slot x n_codes + code`` reuses the slot array; runs of equal cells are formed only
    when a (time, code) pair repeats.
    """
    if time.size == 0:
        return time.copy(), np.zeros((0, n_codes))
    shift = max(1, (n_codes - 1).bit_length())
    key = (time + 0.0).view(np.int64)  # + 0.0: -0.0 -> 0.0; a new array, changed in place
    t = key.view(np.float64)
    t_max = float(t.max())
    if t_max == 0.0:
        return np.zeros(1), np.bincount(code, minlength=n_codes)[None, :].astype(float)
    positive_min = float(np.min(t, where=t > 0, initial=np.inf))
    has_zero = float(t.min()) == 0.0
    base = int(np.float64(positive_min).view(np.int64)) - (1 if has_zero else 0)
    span = int(np.float64(t_max).view(np.int64)) - base
    if span >= 1 << (62 - shift):
        return _argsort_counts(t, code, n_codes)
    key -= base
    if has_zero:
        np.maximum(key, 0, out=key)  # 0.0 -> 0, the smallest positive time -> 1
    key <<= shift
    key |= code
    key.sort()
    cell = key & ((1 << shift) - 1)  # the code; below, the flat cell
    key >>= shift  # the time bits
    new_time = np.empty(key.size, dtype=bool)
    new_time[0] = True
    np.not_equal(key[1:], key[:-1], out=new_time[1:])
    grid = key[new_time]
    del key
    grid += base
    grid = grid.view(np.float64)
    if has_zero:
        grid[0] = 0.0
    slot = np.cumsum(new_time, dtype=np.int64)
    del new_time
    slot -= 1
    slot *= n_codes
    slot += cell
    del cell
    counts = np.zeros((grid.size, n_codes))
    flat = counts.reshape(-1)
    repeat = np.equal(slot[1:], slot[:-1])  # a (time, code) pair seen on the row before
    if not repeat.any():
        flat[slot] = 1.0
        return grid, counts
    starts = np.flatnonzero(~repeat)
    del repeat
    starts += 1
    lengths = np.diff(starts, prepend=0, append=slot.size)
    flat[slot[np.r_[0, starts]]] = lengths
    return grid, counts


def _argsort_counts(time: np.ndarray, code: np.ndarray, n_codes: int):
    """Fallback for times spanning hundreds of binades: a stable argsort."""
    order = np.argsort(time, kind="stable")
    t = time[order]
    new = np.empty(t.size, dtype=bool)
    new[0] = True
    np.not_equal(t[1:], t[:-1], out=new[1:])
    slot = np.cumsum(new) - 1
    grid = t[new]
    counts = np.bincount(slot * n_codes + code[order], minlength=grid.size * n_codes)
    return grid, counts.reshape(grid.size, n_codes).astype(float)
