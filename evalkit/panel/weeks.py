"""Week labels: ISO year-weeks, DREAM column names, dates and integer indices.

Calendar weeks are numbered as *week ordinals*: the number of weeks since Monday
5 January 1970, so consecutive ISO weeks have consecutive ordinals across year ends.
Integer week indices are kept as they are (no calendar).
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from .._validation import _withheld, row_positions
from ..errors import ArgumentError

EPOCH_MONDAY = dt.date(1970, 1, 5)
_ISO = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_DREAM = re.compile(r"^y_(\d{2})(\d{2})$", re.IGNORECASE)


def iso_week_ordinal(year: int, week: int) -> int:
    """Week ordinal of ISO week ``week`` of ``year``.

    >>> iso_week_ordinal(2016, 10) - iso_week_ordinal(2015, 53)
    10
    """
    try:
        monday = dt.date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise ArgumentError(f"{year}-W{week:02d} is not an ISO week.") from None
    return (monday - EPOCH_MONDAY).days // 7


def ordinal_to_monday(ordinal: int | np.ndarray) -> pd.DatetimeIndex:
    """The Monday that starts each week ordinal."""
    days = np.asarray(ordinal, dtype=np.int64) * 7
    return pd.DatetimeIndex(np.datetime64(EPOCH_MONDAY, "D") + days.astype("timedelta64[D]"))


def ordinal_to_label(ordinal: int | np.ndarray) -> list[str]:
    """ISO labels (``"2016-W10"``) of week ordinals.

    The ISO year of a week is the year of its Thursday, and its number counts the weeks
    from that year's first Thursday (ISO 8601): computed on numpy dates, without a
    calendar object per week.

    >>> ordinal_to_label([iso_week_ordinal(2015, 53), iso_week_ordinal(2016, 1)])
    ['2015-W53', '2016-W01']
    """
    days = np.atleast_1d(np.asarray(ordinal, dtype=np.int64)) * 7 + 3
    thursday = np.datetime64(EPOCH_MONDAY, "D") + days.astype("timedelta64[D]")
    year_start = thursday.astype("datetime64[Y]")
    week = (thursday - year_start.astype("datetime64[D]")).astype(np.int64) // 7 + 1
    year = year_start.astype(np.int64) + 1970
    return [f"{y}-W{w:02d}" for y, w in zip(year.tolist(), week.tolist(), strict=True)]


def _label_ordinal(label: str) -> int | None:
    match = _ISO.match(label)
    if match:
        return iso_week_ordinal(int(match.group(1)), int(match.group(2)))
    match = _DREAM.match(label)
    if match:
        yy, ww = int(match.group(1)), int(match.group(2))
        # DREAM starts in 1991: two-digit years 91-99 are 1991-1999, the rest 2000-2090.
        return iso_week_ordinal(1900 + yy if yy >= 91 else 2000 + yy, ww)
    return None


def parse_weeks(values, what: str = "week") -> tuple[np.ndarray, bool]:
    """Week numbers of labels, dates or integers, and whether they are calendar weeks.

    Accepted: integers (week indices, not calendar), dates or timestamps (the week that
    contains them), ISO labels ``"2016-W10"`` / ``"2016W10"``, and DREAM column names
    ``"y_1610"`` (year 2016, week 10).
    """
    series = pd.Series(values)
    if series.isna().any():
        raise ArgumentError(f"{what} labels contain missing values.")
    if pd.api.types.is_integer_dtype(series.dtype):
        return series.to_numpy(dtype=np.int64), False
    if pd.api.types.is_float_dtype(series.dtype):
        numbers = series.to_numpy()
        if np.all(numbers == np.round(numbers)):
            return numbers.astype(np.int64), False
        fractional = numbers % 1 != 0
        raise ArgumentError(
            f"{what} numbers must be whole; {int(fractional.sum())} are not "
            f"({row_positions(fractional)})."
        )
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        days = series.dt.normalize().to_numpy(dtype="datetime64[D]")
        offset = (days - np.datetime64(EPOCH_MONDAY, "D")).astype(np.int64)
        return offset // 7, True
    # Labels and dates repeat (a few hundred distinct weeks for a million persons): read
    # each distinct value once.
    inverse, uniques = pd.factorize(series)
    if all(isinstance(v, dt.date) for v in uniques):
        return parse_weeks(pd.to_datetime(pd.Series(uniques)), what)[0][inverse], True
    ordinals = np.empty(len(uniques), dtype=np.int64)
    for i, raw in enumerate(uniques):
        label = str(raw).strip()
        value = _label_ordinal(label)
        if value is None:
            if label.lstrip("-").isdigit():
                return parse_weeks(series.astype(np.int64), what)
            unread = inverse == i
            reason = _withheld([raw])  # an id column passed as the weeks: not shown
            where = f"{int(unread.sum())} rows ({row_positions(unread)}"
            shown = f"labels in {where}; {reason})" if reason else f"label {label!r} in {where})"
            raise ArgumentError(
                f"cannot read {what} {shown}: use ISO year-weeks ('2016-W10'), DREAM "
                "columns ('y_1610'), dates, or integer week numbers."
            )
        ordinals[i] = value
    return ordinals[inverse], True
