"""Split survival rows at given times (episodes), as R's ``survSplit``.

A row ``(start, stop]`` with cut points ``c_1 < c_2 < ...`` strictly inside it becomes the
rows ``(start, c_1], (c_1, c_2], ..., (c_k, stop]``; the event stays on the last piece
(the others are censored at their end), every other column is copied. A cut at or
before ``start`` or at or after ``stop`` leaves the row alone, as ``survSplit``. The
partial likelihood of a Cox model is unchanged by splitting (each piece is at risk over
its own interval), so covariates that change at the cut points (time-varying covariates)
and effects that change with time (``tt()`` terms of R, e.g. ``treated * log(t)`` with
``t`` the piece's stop time when the data are split at every event time) become
ordinary columns of the split rows, fitted by ``cox(..., entry=start)``
(Therneau, Crowson & Atkinson, "Using time dependent covariates and time dependent
coefficients in the Cox model", survival package vignette).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import numeric_column
from ..errors import ArgumentError, MissingValueError

__all__ = ["split_at"]


def split_at(
    data: pd.DataFrame,
    cut,
    stop: str,
    event: str,
    start: str | None = None,
    id: str | None = None,
    episode: str | None = None,
    start_name: str = "tstart",
) -> pd.DataFrame:
    """Split each row's time at the cut points, as R's ``survSplit``.

    Parameters
    ----------
    data : the frame (not modified), one row per spell ``(start, stop]``.
    cut : the cut times (numbers; duplicates and unsorted are fine).
    stop : column of the end time (duration from 0 without ``start``).
    event : column of the event indicator (0/1 or boolean; any numeric status is kept
        on the last piece and 0 put on the others).
    start : column of the start time (default: each row starts at 0 and a new column
        ``start_name`` is added).
    id : name of a new column numbering the original rows 1, 2, ... (as ``survSplit``'s
        ``id=``); an existing column of that name raises.
    episode : name of a new column with the episode number of each piece: 1 plus the
        number of cut points at or before the piece's start (as ``survSplit``'s
        ``episode=``).
    start_name : name of the start column added when ``start`` is None.

    Returns
    -------
    DataFrame of the pieces, in the order of the original rows then time, with a fresh
    index.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"weeks": [3, 10], "exit": [1, 0], "treated": [1, 0]})
    >>> split_at(d, [5], stop="weeks", event="exit")
       weeks  exit  treated  tstart
    0      3     1        1       0
    1      5     0        0       0
    2     10     0        0       5
    """
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(f"data must be a pandas DataFrame; got {type(data).__name__}.")
    for role, name in (("stop", stop), ("event", event)):
        if not isinstance(name, str) or name not in data.columns:
            raise ArgumentError(f"{role} must name a column of data; got {name!r}.")
    if start is not None and (not isinstance(start, str) or start not in data.columns):
        raise ArgumentError(f"start must name a column of data; got {start!r}.")
    for role, name in (("id", id), ("episode", episode)):
        if name is not None and (not isinstance(name, str) or name in data.columns):
            raise ArgumentError(
                f"{role} must be the name of a new column (not one of data's); got {name!r}."
            )
    if start is None and start_name in data.columns:
        raise ArgumentError(
            f"data already has a column {start_name!r}; give start= or another start_name."
        )
    cuts = np.unique(np.asarray(cut, dtype=float).ravel()) if np.size(cut) else np.zeros(0)
    if not np.isfinite(cuts).all():
        raise ArgumentError("cut must be finite numbers.")
    for name in (stop, event) + ((start,) if start else ()):
        if data[name].isna().any():
            raise MissingValueError(f"column {name!r} has missing values; drop those rows first.")
    t1 = numeric_column(data[stop], stop, role="duration")
    t0 = numeric_column(data[start], start, role="entry") if start else np.zeros(len(data))
    if (t0 >= t1).any():
        raise ArgumentError(
            f"{int((t0 >= t1).sum())} row(s) start at or after their {stop!r}; every "
            "interval must have start < stop."
        )
    # cut points strictly inside each interval
    lo = np.searchsorted(cuts, t0, side="right")
    hi = np.searchsorted(cuts, t1, side="left")
    pieces = np.maximum(hi - lo, 0) + 1
    row = np.repeat(np.arange(len(data)), pieces)
    k = np.arange(len(row)) - np.repeat(np.cumsum(pieces) - pieces, pieces)  # piece number
    first = k == 0
    last = k == pieces[row] - 1
    ci = lo[row] + k  # index of the cut that ends the piece (if not last)
    new_stop = np.where(
        last, t1[row], cuts[np.minimum(ci, max(len(cuts) - 1, 0))] if len(cuts) else t1[row]
    )
    new_start = np.where(first, t0[row], cuts[np.maximum(ci - 1, 0)] if len(cuts) else t0[row])
    out = data.iloc[row].reset_index(drop=True)
    status = data[event].to_numpy()[row]
    zero = np.zeros(1, dtype=status.dtype)[0] if status.dtype != bool else False
    out[event] = np.where(last, status, zero)
    out[stop] = _like(new_stop, data[stop])
    start_col = start if start else start_name
    out[start_col] = _like(new_start, data[start] if start else data[stop])
    if id is not None:
        out[id] = row + 1
    if episode is not None:
        out[episode] = lo[row] + k + 1
    return out


def _like(values: np.ndarray, template: pd.Series):
    """Keep integer columns integer when the values are whole."""
    if pd.api.types.is_integer_dtype(template.dtype) and np.all(values == np.round(values)):
        return values.astype(template.dtype)
    return values
