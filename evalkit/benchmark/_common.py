"""Validation and result helpers shared by the benchmark modules (private)."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._validation import check_alpha, check_choice
from ..errors import ArgumentError, ColumnError, DesignError
from ..results import TableDisplay
from ..results import fmt_p_value as fmt_p

ALTERNATIVES = ("two-sided", "less", "greater")
DEPENDENCE = ("same_persons", "independent")

__all__ = [
    "ALTERNATIVES",
    "DEPENDENCE",
    "ResultMixin",
    "check_alpha",
    "check_alternative",
    "check_choice",
    "check_count",
    "check_positive",
    "check_share",
    "check_successes",
    "count_array",
    "fmt",
    "fmt_p",
    "period_frame",
]


def _is_integral(value) -> bool:
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, int | np.integer):
        return True
    if isinstance(value, float | np.floating):
        return math.isfinite(value) and float(value).is_integer()
    return False


def check_count(value, name: str) -> int:
    """``value`` as a Python int; it must be a whole number >= 0 (a count of persons)."""
    if not _is_integral(value):
        raise ArgumentError(f"{name} must be a whole number of persons (>= 0); got {value!r}.")
    count = int(value)
    if count < 0:
        raise ArgumentError(f"{name} must be >= 0 (a count); got {count}.")
    return count


def check_successes(successes, n, s_name: str = "successes", n_name: str = "n") -> tuple[int, int]:
    """Validate a count of successes out of ``n`` (``0 <= successes <= n``, ``n > 0``)."""
    s = check_count(successes, s_name)
    total = check_count(n, n_name)
    if total == 0:
        raise ArgumentError(f"{n_name} must be positive (the persons counted); got 0.")
    if s > total:
        raise ArgumentError(f"{s_name} ({s}) cannot exceed {n_name} ({total}).")
    return s, total


def check_share(value, name: str = "target") -> float:
    """A share strictly between 0 and 1 (a target such as 0.40, not 40)."""
    try:
        share = float(value)
    except (TypeError, ValueError):
        raise ArgumentError(f"{name} must be a number in (0, 1); got {value!r}.") from None
    if isinstance(value, bool) or not 0.0 < share < 1.0:
        hint = " (give 40 % as 0.40)" if 1.0 < share <= 100.0 else ""
        raise ArgumentError(f"{name} must be strictly between 0 and 1{hint}; got {value!r}.")
    return share


def check_positive(value, name: str) -> float:
    """A finite number > 0 (an expected count, a cost)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ArgumentError(f"{name} must be a positive number; got {value!r}.") from None
    if isinstance(value, bool) or not (math.isfinite(number) and number > 0):
        raise ArgumentError(f"{name} must be a finite number > 0; got {value!r}.")
    return number


def check_alternative(alternative: str) -> str:
    """One of ``"two-sided"``, ``"less"``, ``"greater"``."""
    return check_choice(alternative, "alternative", ALTERNATIVES)


def count_array(values, name: str, positive: bool = False) -> np.ndarray:
    """A one-dimensional array of whole-number counts (int64)."""
    if isinstance(values, str) or np.ndim(values) > 1:
        raise ArgumentError(f"{name} must be a list or array of counts; got {values!r}.")
    array = np.atleast_1d(np.asarray(values))
    if array.size == 0:
        raise ArgumentError(f"{name} is empty.")
    if array.dtype == bool or array.dtype.kind not in "iuf":
        raise ArgumentError(f"{name} must hold whole-number counts; it has dtype {array.dtype}.")
    as_float = array.astype(float)
    bad = ~np.isfinite(as_float) | (as_float != np.round(as_float)) | (as_float < 0)
    if bad.any():
        raise ArgumentError(
            f"{name} must hold whole numbers >= 0; {int(bad.sum())} values do not "
            f"(e.g. {as_float[bad][:3].tolist()})."
        )
    counts = as_float.astype(np.int64)
    if positive and (counts == 0).any():
        raise ArgumentError(
            f"{name} must be positive; {int((counts == 0).sum())} units have a denominator of 0 "
            "(drop them: a unit with no persons has no proportion)."
        )
    return counts


def period_frame(
    data: pd.DataFrame,
    what: str,
    period: str,
    successes: str | None,
    n: str | None,
    share: str | None = None,
) -> pd.DataFrame:
    """Validate a series frame and return ``period``, ``successes``, ``n``, ``share`` columns.

    With ``successes`` and ``n`` present, counts are validated (whole, ``0 <= s <= n``,
    ``n > 0``); with only ``share`` (a published value with no counts), ``successes`` and
    ``n`` are NaN. Periods must be unique; rows are sorted by period.
    """
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(f"{what} must be a pandas DataFrame; got {type(data).__name__}.")
    if len(data) == 0:
        raise DesignError(f"{what} has no rows.")
    if period not in data.columns:
        raise ColumnError(
            f"{what} has no period column {period!r}; its columns are {list(data.columns)}."
        )
    has_counts = successes is not None and n is not None and {successes, n} <= set(data.columns)
    if has_counts:
        s = count_array(data[successes].to_numpy(), f"{what}[{successes!r}]")
        total = count_array(data[n].to_numpy(), f"{what}[{n!r}]", positive=True)
        over = s > total
        if over.any():
            where = data[period].to_numpy()[over][:3].tolist()
            raise ArgumentError(
                f"{what}: {successes!r} exceeds {n!r} in {int(over.sum())} periods (e.g. {where})."
            )
        frame = pd.DataFrame(
            {"period": data[period].to_numpy(), "successes": s, "n": total, "share": s / total}
        )
    elif share is not None and share in data.columns:
        values = pd.to_numeric(data[share], errors="coerce").to_numpy(dtype=float)
        if not (np.isfinite(values) & (values >= 0) & (values <= 1)).all():
            raise ArgumentError(f"{what}[{share!r}] must hold shares in [0, 1] (0.43, not 43).")
        frame = pd.DataFrame(
            {"period": data[period].to_numpy(), "successes": np.nan, "n": np.nan, "share": values}
        )
    else:
        wanted = f"{successes!r} and {n!r}" + (f" (or {share!r})" if share else "")
        raise ColumnError(f"{what} needs the columns {wanted}; it has {list(data.columns)}.")
    if frame["period"].isna().any():
        raise ArgumentError(f"{what} has missing periods.")
    if frame["period"].duplicated().any():
        dup = frame.loc[frame["period"].duplicated(), "period"].tolist()[:3]
        raise ArgumentError(f"{what} has repeated periods (e.g. {dup}); give one row per period.")
    try:
        frame = frame.sort_values("period", kind="stable", ignore_index=True)
    except TypeError:
        raise ArgumentError(
            f"{what}'s periods cannot be ordered (mixed types?); use ISO strings such as "
            "'2019-06', numbers, dates or pandas Periods."
        ) from None
    return frame


def select_window(frame: pd.DataFrame, start, end, what: str = "series") -> pd.DataFrame:
    """Rows of ``frame`` with ``start <= period <= end`` (either bound may be None)."""
    keep = np.ones(len(frame), dtype=bool)
    try:
        if start is not None:
            keep &= (frame["period"] >= start).to_numpy()
        if end is not None:
            keep &= (frame["period"] <= end).to_numpy()
    except TypeError:
        raise ArgumentError(
            f"start/end ({start!r}, {end!r}) cannot be compared with the periods of {what} "
            f"(e.g. {frame['period'].iloc[0]!r}); give them in the same form."
        ) from None
    window = frame.loc[keep].reset_index(drop=True)
    if len(window) == 0:
        raise DesignError(f"no periods of {what} fall between {start!r} and {end!r}.")
    return window


def as_names(values, size: int, name: str) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        raise ArgumentError(f"{name} must be a list of names, one per unit; got a string.")
    names = [str(v) for v in values]
    if len(names) != size:
        raise ArgumentError(f"{name} has {len(names)} names for {size} units.")
    return names


def fmt(value, digits: int = 6) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, int | np.integer):
        return str(int(value))
    return f"{value:.{digits}g}"


def pct(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{100 * value:.{digits}f}%"


def count_dict(labels, successes, n) -> dict:
    """The counts of persons of rows (periods, units) for the views' disclosure control:
    successes, n and n - successes per row, by ``"successes (label)"`` (missing ones
    left out)."""
    out = {}
    for label, r, m in zip(labels, successes, n, strict=True):
        has_r, has_m = not pd.isna(r), not pd.isna(m)
        if has_r:
            out[f"successes ({label})"] = r
        if has_m:
            out[f"n ({label})"] = m
        if has_r and has_m:
            out[f"n - successes ({label})"] = m - r
    return out


class ResultMixin(TableDisplay):
    """``__str__`` is ``summary()``; notebooks show the header lines, ``to_frame()`` and
    the notes.

    Disclosure control of every view is the display mixins' (:class:`TableDisplay`): the
    counts are those ``to_frame()`` declares; when one is small the text views show it as
    ``"<5"`` and every other number as ``"x"``, and the notebook table passes the output
    gate (small counts and what rests on them masked by row)."""

    def _header(self) -> Sequence[str]:  # pragma: no cover - every result overrides it
        return [type(self).__name__]

    def _notes(self) -> Sequence[str]:
        return []

    def _view_counts(self) -> dict:
        """The counts the views are controlled on: those the result was built from
        (``_counts``, for averages over periods or units whose ``to_frame()`` holds
        none), else those ``to_frame()`` declares."""
        counts = getattr(self, "_counts", None)
        return dict(counts) if counts else super()._view_counts()

    def _html_after(self) -> str:
        control = self._view_control()
        return "".join(f"<p><em>{html.escape(control.mask(n))}</em></p>" for n in self._notes())
