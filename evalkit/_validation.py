"""Input validation shared by every public function.

Only the columns a call uses are checked (a frame may carry missing values in
others), the caller's frame is never modified, and every error names the
column, the offending values and what to do about them.
"""

from __future__ import annotations

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


def _show(values, limit: int = 5) -> str:
    values = list(values)
    shown = ", ".join(repr(v.item() if isinstance(v, np.generic) else v) for v in values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


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

    ``roles`` maps a role (``"outcome"``, ``"covariates"``...) to its column
    names; names are checked to exist and not to play two roles. With
    ``missing="error"`` any missing value in a used column raises
    :class:`MissingValueError`; with ``missing="drop"`` incomplete rows are
    dropped (listwise) and a :class:`MissingValueWarning` gives the count.
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
        return data
    frame = data.loc[:, used]
    incomplete = np.logical_or.reduce(list(gaps.values()))
    if incomplete.any():
        where = ", ".join(f"{col!r}: {int(gap.sum())}" for col, gap in gaps.items())
        if missing == "error":
            raise MissingValueError(
                f"missing values in the columns used ({where}; {int(incomplete.sum())} of "
                f"{len(frame)} rows). Remove or impute them, or pass missing='drop' to drop "
                "incomplete rows."
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
    return frame


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


def treatment_indicator(series: pd.Series, name: str) -> np.ndarray:
    """Return the treatment as a boolean array; it must be 0/1 or boolean with both arms present."""
    values = series.to_numpy()
    if series.dtype == bool:
        treated = values.astype(bool)
    else:
        numeric = pd.to_numeric(series, errors="coerce")
        bad = ~np.isin(numeric.to_numpy(), (0, 1)) | numeric.isna().to_numpy()
        if bad.any():
            offending = pd.unique(series[bad])
            raise TreatmentError(
                f"treatment column {name!r} must be 0/1 or boolean; found {bad.sum()} rows with "
                f"other values: {_show(offending)}. Recode it, e.g. data[{name!r}] == 'treated'."
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


def numeric_column(series: pd.Series, name: str, role: str = "outcome") -> np.ndarray:
    """Return a numeric (or boolean) column as a float array, or raise :class:`OutcomeError`."""
    if series.dtype == bool or pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=float)
    if not pd.api.types.is_numeric_dtype(series.dtype):
        raise OutcomeError(
            f"{role} column {name!r} must be numeric; it has dtype {series.dtype} "
            f"(values such as {_show(pd.unique(series))}). Convert it with pd.to_numeric."
        )
    values = series.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise OutcomeError(f"{role} column {name!r} holds infinite values; remove or recode them.")
    return values


def binary_column(series: pd.Series, name: str) -> np.ndarray:
    """Return a 0/1 or boolean outcome as a boolean array, or raise :class:`OutcomeError`."""
    if series.dtype == bool:
        return series.to_numpy(dtype=bool)
    numeric = pd.to_numeric(series, errors="coerce")
    bad = ~np.isin(numeric.to_numpy(), (0, 1)) | numeric.isna().to_numpy()
    if bad.any():
        raise OutcomeError(
            f"binary outcome column {name!r} must be 0/1 or boolean; found {int(bad.sum())} rows "
            f"with other values: {_show(pd.unique(series[bad]))}."
        )
    return numeric.to_numpy() == 1


def weights_column(series: pd.Series, name: str) -> np.ndarray:
    """Return a weights column as a float array; weights must be finite and positive."""
    values = numeric_column(series, name, role="weights")
    bad = values <= 0
    if bad.any():
        raise ArgumentError(
            f"weights column {name!r} must be positive; {int(bad.sum())} rows have weights <= 0 "
            f"(e.g. {_show(pd.unique(values[bad]))}). Drop units with weight 0 from the data."
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
    """
    blocks: list[np.ndarray] = []
    names: list[str] = []
    for name in covariates:
        series = frame[name]
        if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
            blocks.append(numeric_column(series, name, role="covariate")[:, None])
            names.append(name)
            continue
        levels = sorted(pd.unique(series), key=str)
        if len(levels) < 2:
            raise DesignError(
                f"covariate {name!r} takes a single value ({_show(levels)}); "
                "drop it from covariates."
            )
        for level in levels[1:]:
            blocks.append((series.to_numpy() == level).astype(float)[:, None])
            names.append(f"{name}[{level}]")
    if not blocks:
        return np.empty((len(frame), 0)), []
    return np.hstack(blocks), names


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
) -> TrialData:
    """Validate the columns of a trial and return them as arrays (the frame is not modified)."""
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
    frame = select_columns(data, roles, missing=missing)
    treated = treatment_indicator(frame[treatment], treatment)
    if binary:
        y = binary_column(frame[outcome], outcome).astype(float)
    else:
        y = numeric_column(frame[outcome], outcome)
    x, x_names = covariate_matrix(frame, covariate_names)
    return TrialData(
        y=y,
        treated=treated,
        covariates=x,
        covariate_names=x_names,
        blocks=group_codes(frame[blocks]) if blocks else None,
        clusters=group_codes(frame[clusters]) if clusters else None,
        fixed_effects=group_codes(frame[fixed_effects]) if fixed_effects else None,
        weights=weights_column(frame[weights], weights) if weights else None,
    )
