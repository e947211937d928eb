"""Input validation shared by every public function.

Only the columns a call uses are checked (a frame may carry missing values in
others), the caller's frame is never modified, and every error names the
column, the offending values and what to do about them.
"""

from __future__ import annotations

import math
import numbers
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import (
    ArgumentError,
    ColumnError,
    DesignError,
    MissingValueError,
    MissingValueWarning,
    OutcomeError,
    TreatmentError,
)

MISSING_POLICIES = ("error", "drop")

CONTRAST_HINT = (
    "For a trial of more than two arms pass condition1= and condition2= (two arm labels): "
    "the estimate is condition2 minus condition1 on the rows of those two arms, as "
    "estimatr's difference_in_means(condition1=, condition2=)."
)


# ------------------------------------------------------------------ showing data values
#: evalkit's own pseudonyms (:func:`evalkit.panel.pseudonymize_ids`): "P" and 8-64 hex digits.
_PSEUDONYM = re.compile(r"(?<![0-9A-Za-z])P[0-9a-f]{8,64}(?![0-9A-Za-z])")
#: A CPR number anywhere in a text: DDMMYY, an optional hyphen, four digits.
_CPR_INSIDE = re.compile(
    r"(?<!\d)(?:0[1-9]|[12][0-9]|3[01])(?:0[1-9]|1[0-2])[0-9]{2}-?[0-9]{4}(?!\d)"
)
#: Words that make a column name an identifier's name ("id", "person_id", "cpr", "pnr"...).
_ID_WORDS = {"id", "ids", "cpr", "pnr", "pid", "person", "persons", "pseudonym", "personnummer"}
_ID_SUFFIX = re.compile(r"(?:person|pers|user|borger|client|klient)_?(?:id|nr|no)$")
#: Values longer than this are free text and not shown.
_MAX_SHOWN_CHARS = 40
#: A column with more distinct values than this, one per row, is an identifier.
_MAX_UNIQUE_SHOWN = 5


def _plain_value(value):
    return value.item() if isinstance(value, np.generic) else value


def _id_shaped(values) -> bool:
    """Whether any value is shaped like a person identifier: a CPR number (alone, as a
    9- or 10-digit number, or inside a text) or one of evalkit's pseudonyms (alone or
    inside a text)."""
    series = pd.Series([_plain_value(v) for v in values], dtype=object)
    if series.empty:
        return False
    if _cpr_like(series).any():
        return True
    text = series[series.map(lambda v: isinstance(v, str))].astype(str)
    if text.empty:
        return False
    return bool(text.str.contains(_CPR_INSIDE).any() or text.str.contains(_PSEUDONYM).any())


def _cpr_like(values: pd.Series) -> np.ndarray:
    try:  # the detector the export gate uses, when present
        from .output.cpr import contains_cpr
    except ImportError:
        from .panel.ids import is_cpr_like

        return np.asarray(is_cpr_like(values), dtype=bool)
    return np.asarray(contains_cpr(values), dtype=bool)


def _id_name(column) -> bool:
    """Whether a column's name says it holds person identifiers ("id", "cpr", "person_id")."""
    if column is None:
        return False
    text = str(column).lower()
    words = set(re.split(r"[^a-z0-9]+", text)) | set(re.split(r"[^a-z]+", text))
    return bool(words & _ID_WORDS) or "cpr" in text or bool(_ID_SUFFIX.search(text))


def _looks_like_identifier(data) -> bool:
    """Whether a whole column looks like an identifier: every non-missing value distinct
    (one per row) and more than ``_MAX_UNIQUE_SHOWN`` of them, or any value id-shaped."""
    series = pd.Series(data, copy=False) if not isinstance(data, pd.Series) else data
    series = series.dropna()
    if len(series) == 0:
        return False
    try:
        distinct = series.nunique()
        uniques = pd.unique(series)
    except TypeError:  # unhashable objects
        return False
    if pd.api.types.is_bool_dtype(series.dtype):
        return False
    if pd.api.types.is_float_dtype(series.dtype):
        numbers = series.to_numpy(dtype=float)
        if not np.all(numbers == np.floor(numbers)):  # fractions: amounts, not ids
            return False
    if distinct > _MAX_UNIQUE_SHOWN and distinct == len(series):
        return True
    return _id_shaped(uniques)


def _show_values(
    values, column=None, *, data=None, ids=None, limit: int = 5, noun: str = "distinct value"
) -> str:
    """Offending data values for a message, unless they may be person identifiers.

    evalkit's rule: *no error, warning or repr ever echoes an identifier value*. A message
    about a column's values (a treatment, outcome, event, strata, block or code column)
    lists the first ``limit`` distinct values only when none of these holds:

    1. a value is shaped like an identifier: a CPR number (``DDMMYY-XXXX``, ``DDMMYYXXXX``
       or the 9/10-digit number, also inside a longer text) or an evalkit pseudonym
       (``"P"`` and 8-64 hex digits);
    2. the column's name says it holds ids (the words id, cpr, pnr, pid, person, pseudonym,
       or a name ending in "id");
    3. ``data`` (the whole column the values come from) looks like an identifier: more
       than 5 distinct values and every one on a single row, or any value id-shaped;
    4. a value is one of ``ids``, the person ids of the same data (the id column of a
       panel, a trial list).

    Then the text is ``"N distinct values (the column looks like an identifier; values
    not shown)"``. Values longer than 40 characters (free text, which may name persons)
    are not shown either. The caller's message names the column and the row count (and
    row positions); it never shows the values itself.
    """
    values = [_plain_value(v) for v in values]
    count = len(values)
    noun = noun if count == 1 else f"{noun}s"
    reason = _withheld(values[:limit], column, data=data, ids=ids)
    if reason:
        return f"{count} {noun} ({reason})"
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f", ... ({count} in all)" if count > limit else "")


def _withheld(values, column=None, *, data=None, ids=None) -> str | None:
    """Why ``values`` may not be shown (see :func:`_show_values`), or None when they may."""
    values = [_plain_value(v) for v in values]
    if (
        _id_shaped(values)
        or _id_name(column)
        or (data is not None and _looks_like_identifier(data))
        or (ids is not None and _among_ids(values, ids))
    ):
        return "the column looks like an identifier; values not shown"
    if any(len(str(v)) > _MAX_SHOWN_CHARS for v in values):
        return "long text; values not shown"
    return None


def _among_ids(values, ids) -> bool:
    known = pd.Index(pd.unique(pd.Series(ids, copy=False).dropna()))
    as_text = pd.Index(known.astype(str).str.strip())
    for value in values:
        if value in known or str(value).strip() in as_text:
            return True
    return False


def _show(values, limit: int = 5) -> str:
    """Values (column names, levels, causes) for a message; none when any is id-shaped
    (a CPR number or a pseudonym): see :func:`_show_values` for data values."""
    values = [_plain_value(v) for v in values]
    if _id_shaped(values):
        return f"{len(values)} values (identifier-shaped; not shown)"
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


def row_positions(mask, rows: np.ndarray | None = None, limit: int = 5, noun: str = "row") -> str:
    """The first 0-based row positions where ``mask`` is true (or of the given positions),
    as ``"rows 0, 3, 7 and 12 more"``; ``rows`` maps positions in a subset of the data
    (after missing rows were dropped) back to the data's own positions."""
    positions = np.asarray(mask)
    if positions.dtype == bool:
        positions = np.flatnonzero(positions)
    if rows is not None:
        positions = np.asarray(rows)[positions]
    shown = ", ".join(str(int(p)) for p in positions[:limit])
    more = f" and {len(positions) - limit} more" if len(positions) > limit else ""
    return f"{noun}{'s' if len(positions) != 1 else ''} {shown}{more}"


def check_alpha(alpha: float) -> float:
    """Return ``alpha`` as a float, or raise if it is not strictly between 0 and 1."""
    try:
        value = float(alpha)
    except (TypeError, ValueError):
        raise ArgumentError(f"alpha must be a number in (0, 1); got {alpha!r}.") from None
    if not 0.0 < value < 1.0:
        raise ArgumentError(f"alpha must be strictly between 0 and 1 (e.g. 0.05); got {alpha!r}.")
    return value


def check_choice(value: str, name: str, choices: Sequence[str]) -> str:
    """Raise :class:`ArgumentError` unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise ArgumentError(
            f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}."
        )
    return value


def as_column_list(columns: str | Sequence[str] | None, role: str) -> list[str]:
    """Normalise a column argument that may be one name or a list of names."""
    if columns is None:
        return []
    if isinstance(columns, str):
        return [columns]
    names = list(columns)
    if not all(isinstance(c, str) for c in names):
        raise ArgumentError(
            f"{role} must be a column name or a list of column names; got {columns!r}."
        )
    return names


def select_columns(
    data: pd.DataFrame, roles: dict[str, list[str]], missing: str = "error"
) -> pd.DataFrame:
    """Return the used columns of ``data`` after the missing-value policy (a frame to read).

    See :func:`select_rows`, which also returns the positions of the rows kept.
    """
    return select_rows(data, roles, missing)[0]


def select_rows(
    data: pd.DataFrame, roles: dict[str, list[str]], missing: str = "error"
) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Return the used columns of ``data`` after the missing-value policy (a frame to read).

    ``roles`` maps a role (``"outcome"``, ``"covariates"``...) to its column
    names; names are checked to exist and not to play two roles. With
    ``missing="error"`` any missing value in a used column raises
    :class:`MissingValueError`; with ``missing="drop"`` incomplete rows are
    dropped (listwise) and a :class:`MissingValueWarning` gives the count.

    Returns the frame and the 0-based positions in ``data`` of its rows (None when it
    has every row of ``data``), so that messages can point at the caller's rows.
    """
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(
            f"data must be a pandas DataFrame; got {type(data).__name__}. "
            "Wrap arrays with pd.DataFrame({...})."
        )
    check_choice(missing, "missing", MISSING_POLICIES)
    used: list[str] = []
    for role, names in roles.items():
        for name in names:
            if name not in data.columns:
                available = _show(map(str, data.columns), limit=10)
                raise ColumnError(
                    f"{role} column {name!r} is not in the data. Available columns: {available}."
                )
            check_unique_column(data, name, role)
            if name in used:
                raise ColumnError(
                    f"column {name!r} is used in two roles; give each role its own column."
                )
            used.append(name)
    if len(data) == 0:
        raise DesignError("the data has no rows.")
    gaps = {name: gap for name in used if (gap := _missing_mask(data[name])) is not None}
    if not gaps:
        # Nothing to drop: hand back the caller's frame itself (read-only by convention:
        # evalkit never writes into it), which saves a copy of register-sized columns.
        return data, None
    frame = data.loc[:, used]
    incomplete = np.logical_or.reduce(list(gaps.values()))
    if incomplete.any():
        where = ", ".join(f"{col!r}: {int(gap.sum())}" for col, gap in gaps.items())
        if missing == "error":
            raise MissingValueError(
                f"missing values in the columns used ({where}; {int(incomplete.sum())} of "
                f"{len(frame)} rows, {row_positions(incomplete)}). Remove or impute them, or "
                "pass missing='drop' to drop incomplete rows."
            )
        warnings.warn(
            f"missing='drop': dropped {int(incomplete.sum())} of {len(frame)} rows with missing "
            f"values ({where}).",
            MissingValueWarning,
            stacklevel=3,
        )
        frame = frame.loc[~incomplete]
        if len(frame) == 0:
            raise MissingValueError("no complete rows remain after dropping missing values.")
        return frame, np.flatnonzero(~incomplete)
    return frame, None


def check_unique_column(data: pd.DataFrame, name, role: str) -> None:
    """Raise :class:`ColumnError` when the frame has two or more columns named ``name``.

    ``data[name]`` is then a frame, not a column: pandas' AttributeErrors, or the first of
    the columns taken silently. Only the columns a call uses are checked; other duplicated
    names are left alone.
    """
    columns = data.columns
    if columns.is_unique:
        return
    count = int((columns == name).sum()) if not isinstance(name, tuple) else 0
    if count > 1:
        raise ColumnError(
            f"the data has {count} columns named {name!r} (used as the {role} column), so "
            f"evalkit cannot tell which one is meant. Rename or drop the duplicates, e.g. "
            "data.loc[:, ~data.columns.duplicated()] keeps the first of each name."
        )


def check_id_types(series: pd.Series, column, role: str = "id") -> None:
    """Raise :class:`ArgumentError` when an id column mixes numbers and text.

    evalkit refuses such ids rather than turning them into text: ``1`` and ``"1"`` (or
    ``101`` and ``"0101"``) would then be one person or two depending on the conversion,
    and which one was meant is the analyst's call. Only row counts and positions are
    shown, never the ids.
    """
    if not (series.dtype == object or isinstance(series.dtype, pd.CategoricalDtype)):
        return
    values = series.astype(object) if isinstance(series.dtype, pd.CategoricalDtype) else series
    if pd.api.types.infer_dtype(values, skipna=True) not in ("mixed-integer", "mixed"):
        return
    kinds = values.map(
        lambda v: (
            "text"
            if isinstance(v, str)
            else "number"
            if isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_)
            else "other"
        )
    ).to_numpy()
    numbers, text = kinds == "number", kinds == "text"
    if numbers.any() and text.any():
        fewer = numbers if numbers.sum() <= text.sum() else text
        n_numbers, n_text = int(numbers.sum()), int(text.sum())
        raise ArgumentError(
            f"{role} column {column!r} mixes numbers ({n_numbers} row"
            f"{'s' if n_numbers != 1 else ''}) and text ({n_text} row{'s' if n_text != 1 else ''}"
            f"; the {'numbers' if fewer is numbers else 'text'} at "
            f"{row_positions(fewer)}). Ids must be all numbers or all text, or 1 and '1' "
            f"would be two persons. Convert the column to one type, e.g. "
            f"data[{column!r}].astype(str) (check leading zeros: 101 and '0101')."
        )


def _missing_mask(series: pd.Series) -> np.ndarray | None:
    """Rows where a column is missing, or None when it has none (cheap for numeric columns)."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return None
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        mask = np.isnan(series.to_numpy())
    else:
        mask = series.isna().to_numpy()
    return mask if mask.any() else None


def treatment_indicator(series: pd.Series, name: str, rows: np.ndarray | None = None) -> np.ndarray:
    """Return the treatment as a boolean array; it must be 0/1 or boolean with both arms present.

    ``rows``: the positions of the series' rows in the caller's data (see
    :func:`select_rows`), for the row positions in messages. Offending values are shown
    only as :func:`_show_values` allows (never an identifier).
    """
    values = series.to_numpy()
    if series.dtype == bool:
        treated = values.astype(bool)
    else:
        numeric = pd.to_numeric(series, errors="coerce")
        bad = ~np.isin(numeric.to_numpy(), (0, 1)) | numeric.isna().to_numpy()
        if bad.any():
            shown = _show_values(pd.unique(series[bad]), name, data=series)
            raise TreatmentError(
                f"treatment column {name!r} must be 0/1 or boolean; {int(bad.sum())} of "
                f"{len(series)} rows hold other values ({row_positions(bad, rows)}): {shown}. "
                f"Recode it, e.g. data[{name!r}] == 'treated', or check that {name!r} is the "
                "treatment column."
            )
        treated = numeric.to_numpy() == 1
    n_treated = int(treated.sum())
    if n_treated == 0 or n_treated == len(treated):
        arm = "control (0)" if n_treated else "treated (1)"
        raise TreatmentError(
            f"treatment column {name!r} has no {arm} units among the {len(treated)} rows used; "
            "both arms are needed."
        )
    return treated


def check_conditions(condition1, condition2) -> bool:
    """Whether a contrast of two arms is asked for: both ``condition1`` and ``condition2``
    given (and different), or neither. One without the other is an
    :class:`ArgumentError`."""
    if condition1 is None and condition2 is None:
        return False
    if condition1 is None or condition2 is None:
        given = "condition1" if condition2 is None else "condition2"
        raise ArgumentError(
            f"{given} is given without the other; a contrast of two arms needs both "
            "condition1= (the comparison arm, e.g. control) and condition2= (the estimate is "
            "condition2 minus condition1)."
        )
    for name, value in (("condition1", condition1), ("condition2", condition2)):
        if not isinstance(value, str | numbers.Number | np.generic) or (
            isinstance(value, float) and math.isnan(value)
        ):
            raise ArgumentError(
                f"{name} must be an arm label (a text, number or boolean value of the treatment "
                f"column); got a {type(value).__name__}."
            )
    if bool(condition1 == condition2):
        raise ArgumentError("condition1 and condition2 name the same arm; give two different arms.")
    return True


def arm_label(value) -> str:
    """An arm label as text for terms and methods (``"B"``, ``"2"``)."""
    return str(_plain_value(value))


def contrast_rows(
    frame: pd.DataFrame, rows: np.ndarray | None, treatment: str, condition1, condition2
) -> tuple[pd.DataFrame, np.ndarray | None, np.ndarray]:
    """The rows of ``frame`` in arm ``condition1`` or ``condition2``, their positions in the
    caller's data, and the indicator of ``condition2`` (estimatr's ``condition1`` /
    ``condition2``: the contrast is condition2 minus condition1, on those rows only).

    ``rows``: the positions of ``frame``'s rows in the caller's data (None: all rows). Arm
    labels are shown in messages only as :func:`_show_values` allows.
    """
    column = frame[treatment]
    found = []
    for name, value in (("condition1", condition1), ("condition2", condition2)):
        try:
            present = np.asarray(column == value, dtype=bool)
        except (TypeError, ValueError):
            present = np.zeros(len(column), dtype=bool)
        if not present.any():
            arms = pd.unique(column)
            shown = _show_values([value], treatment, data=column)
            raise TreatmentError(
                f"{name} {shown} is not an arm of treatment column {treatment!r} among the "
                f"{len(column)} rows used; it has {len(arms)} arms: "
                f"{_show_values(arms, treatment, data=column)}. Give arm labels as they are "
                "in the column (the same type: 1 and '1' differ)."
            )
        found.append(present)
    keep = found[0] | found[1]
    positions = np.flatnonzero(keep)
    kept = frame.iloc[positions] if not keep.all() else frame
    kept_rows = positions if rows is None else rows[positions]
    if keep.all() and rows is None:
        kept_rows = None
    return kept, kept_rows, found[1][positions]


def arm_indicator(
    series: pd.Series, name: str, rows: np.ndarray | None = None, *, hint: str = ""
) -> np.ndarray:
    """:func:`treatment_indicator`, but a column with more than two arms raises a
    :class:`TreatmentError` saying how many and what to do (``hint``: the way out, e.g.
    pass condition1= and condition2=)."""
    try:
        return treatment_indicator(series, name, rows)
    except TreatmentError as error:
        n_arms = series.nunique(dropna=True)
        if n_arms <= 2:
            raise
        raise TreatmentError(
            f"{error} The column has {n_arms} arms (distinct values). {hint}"
        ) from None


def numeric_column(
    series: pd.Series, name: str, role: str = "outcome", rows: np.ndarray | None = None
) -> np.ndarray:
    """Return a numeric (or boolean) column as a float array, or raise :class:`OutcomeError`.

    Values that are not numbers are shown only as :func:`_show_values` allows.
    """
    if series.dtype == bool or pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=float)
    if not pd.api.types.is_numeric_dtype(series.dtype):
        bad = pd.to_numeric(series, errors="coerce").isna().to_numpy() & series.notna().to_numpy()
        shown = _show_values(pd.unique(series[bad] if bad.any() else series), name, data=series)
        raise OutcomeError(
            f"{role} column {name!r} must be numeric; it has dtype {series.dtype}, and "
            f"{int(bad.sum())} of {len(series)} rows are not numbers ({row_positions(bad, rows)}): "
            f"{shown}. Convert it with pd.to_numeric, or check that {name!r} is the {role} "
            "column."
        )
    values = series.to_numpy(dtype=float)
    infinite = ~np.isfinite(values)
    if infinite.any():
        raise OutcomeError(
            f"{role} column {name!r} holds infinite values in {int(infinite.sum())} rows "
            f"({row_positions(infinite, rows)}); remove or recode them."
        )
    return values


def binary_column(
    series: pd.Series, name: str, rows: np.ndarray | None = None, role: str = "outcome"
) -> np.ndarray:
    """Return a 0/1 or boolean column as a boolean array, or raise :class:`OutcomeError`
    naming the column by its ``role`` ("outcome", "observed flag", "take-up"...)."""
    if series.dtype == bool:
        return series.to_numpy(dtype=bool)
    numeric = pd.to_numeric(series, errors="coerce")
    bad = ~np.isin(numeric.to_numpy(), (0, 1)) | numeric.isna().to_numpy()
    if bad.any():
        shown = _show_values(pd.unique(series[bad]), name, data=series)
        raise OutcomeError(
            f"binary {role} column {name!r} must be 0/1 or boolean; {int(bad.sum())} of "
            f"{len(series)} rows hold other values ({row_positions(bad, rows)}): {shown}."
        )
    return numeric.to_numpy() == 1


def weights_column(series: pd.Series, name: str, rows: np.ndarray | None = None) -> np.ndarray:
    """Return a weights column as a float array; weights must be finite and positive."""
    values = numeric_column(series, name, role="weights", rows=rows)
    bad = values <= 0
    if bad.any():
        raise ArgumentError(
            f"weights column {name!r} must be positive; {int(bad.sum())} rows have weights <= 0 "
            f"({row_positions(bad, rows)}). Drop units with weight 0 from the data."
        )
    return values


def group_codes(series: pd.Series) -> np.ndarray:
    """Integer codes 0..G-1 of a grouping column (blocks, clusters, fixed effects)."""
    codes, _ = pd.factorize(series, sort=True)
    return codes


def covariate_matrix(frame: pd.DataFrame, covariates: list[str]) -> tuple[np.ndarray, list[str]]:
    """Numeric design columns for covariates.

    Numeric and boolean columns enter as they are; text and categorical columns
    are dummy-coded against their first (sorted) level, named ``column[level]``.
    Dates, times and periods are refused (not dummy-coded: one dummy per date): convert
    them to a number such as days since a reference date.
    """
    blocks: list[np.ndarray] = []
    names: list[str] = []
    for name in covariates:
        series = frame[name]
        _refuse_dates(series, name)
        if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
            blocks.append(numeric_column(series, name, role="covariate")[:, None])
            names.append(name)
            continue
        levels = sorted(pd.unique(series.dropna()), key=str)
        if _looks_like_identifier(series):
            raise DesignError(
                f"covariate {name!r} is text with {len(levels)} distinct values in "
                f"{len(series)} rows and looks like a person identifier (values not shown); "
                "an id is not a covariate. Drop it from covariates, or recode it into a few "
                "categories."
            )
        if len(levels) < 2:
            raise DesignError(
                f"covariate {name!r} takes a single value ({_show_values(levels, name)}); "
                "drop it from covariates."
            )
        for level in levels[1:]:
            blocks.append((series.to_numpy() == level).astype(float)[:, None])
            names.append(f"{name}[{level}]")
    if not blocks:
        return np.empty((len(frame), 0)), []
    return np.hstack(blocks), names


def _refuse_dates(series: pd.Series, name) -> None:
    """Raise :class:`OutcomeError` for a date, time-span or period covariate."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        dtype = dtype.categories.dtype
    kind = (
        "dates"
        if pd.api.types.is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.PeriodDtype)
        else "time spans"
        if pd.api.types.is_timedelta64_dtype(dtype)
        else None
    )
    if kind is None and isinstance(dtype, np.dtype) and dtype.kind == "O":
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        kind = {"datetime": "dates", "date": "dates", "period": "dates"}.get(inferred)
        kind = kind or ("time spans" if inferred == "timedelta" else None)
    if kind is None:
        return
    example = (
        f"days since the earliest date: d = pd.to_datetime(data[{name!r}]); (d - d.min()).dt.days"
        if kind == "dates"
        else f"days: pd.to_timedelta(data[{name!r}]).dt.days"
    )
    raise OutcomeError(
        f"covariate {name!r} holds {kind} (dtype {series.dtype}); evalkit does not turn "
        f"{kind} into covariates (as categories each would be a dummy of its own). Convert "
        f"it to a number, e.g. {example}."
    )


@dataclass(frozen=True)
class TrialData:
    """Validated arrays of a two-arm trial, ready for an estimator."""

    y: np.ndarray
    treated: np.ndarray
    covariates: np.ndarray
    covariate_names: list[str]
    blocks: np.ndarray | None
    clusters: np.ndarray | None
    fixed_effects: np.ndarray | None = None
    weights: np.ndarray | None = None

    @property
    def n_treated(self) -> int:
        return int(self.treated.sum())

    @property
    def n_control(self) -> int:
        return int((~self.treated).sum())


def prepare_trial(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    *,
    covariates: str | Sequence[str] | None = None,
    blocks: str | None = None,
    clusters: str | None = None,
    fixed_effects: str | None = None,
    weights: str | None = None,
    missing: str = "error",
    binary: bool = False,
    condition1=None,
    condition2=None,
) -> TrialData:
    """Validate the columns of a trial and return them as arrays (the frame is not modified).

    With ``condition1`` and ``condition2`` (two labels of the treatment column) only the
    rows of those two arms are used and ``treated`` marks ``condition2`` (estimatr's
    subsetting); without them the treatment must be 0/1 or boolean.
    """
    contrast = check_conditions(condition1, condition2)
    for role, value in (("outcome", outcome), ("treatment", treatment)):
        if not isinstance(value, str):
            raise ArgumentError(f"{role} must be a column name (a string); got {value!r}.")
    for role, value in (
        ("blocks", blocks),
        ("clusters", clusters),
        ("fixed_effects", fixed_effects),
        ("weights", weights),
    ):
        if value is not None and not isinstance(value, str):
            raise ArgumentError(f"{role} must be a column name (a string) or None; got {value!r}.")
    covariate_names = as_column_list(covariates, "covariates")
    roles = {
        "outcome": [outcome],
        "treatment": [treatment],
        "covariates": covariate_names,
        "blocks": [blocks] if blocks else [],
        "clusters": [clusters] if clusters else [],
        "fixed_effects": [fixed_effects] if fixed_effects else [],
        "weights": [weights] if weights else [],
    }
    frame, rows = select_rows(data, roles, missing=missing)
    if contrast:
        frame, rows, treated = contrast_rows(frame, rows, treatment, condition1, condition2)
    else:
        treated = arm_indicator(frame[treatment], treatment, rows, hint=CONTRAST_HINT)
    if binary:
        y = binary_column(frame[outcome], outcome, rows).astype(float)
    else:
        y = numeric_column(frame[outcome], outcome, rows=rows)
    x, x_names = covariate_matrix(frame, covariate_names)
    return TrialData(
        y=y,
        treated=treated,
        covariates=x,
        covariate_names=x_names,
        blocks=group_codes(frame[blocks]) if blocks else None,
        clusters=group_codes(frame[clusters]) if clusters else None,
        fixed_effects=group_codes(frame[fixed_effects]) if fixed_effects else None,
        weights=weights_column(frame[weights], weights, rows) if weights else None,
    )


def check_amount(value, name: str, *, allow_none: bool = False, positive: bool = False):
    """``value`` as a float amount (kroner): a finite real number, 0 or more (above 0 with
    ``positive``); None passes through with ``allow_none``. Else an ArgumentError naming
    ``name``."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentError(f"{name} must be a number (kroner); got {value!r}.")
    number = float(value)
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        sign = "above 0" if positive else "0 or more"
        raise ArgumentError(f"{name} must be a finite amount {sign}; got {value!r}.")
    return number
