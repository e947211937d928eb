"""The rows a Cox fit was made from, kept on :class:`~evalkit.survival.cox.CoxResult` for
predictions, adjusted curves and residuals (``cox_curves``, ``cox_residuals``).

Kept as arrays in the order of the validated rows (the caller's rows after ``missing=``),
with the coding of every covariate so that new profiles are coded as the fit's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import numeric_column
from ..errors import ArgumentError, MissingValueError


@dataclass(frozen=True, eq=False)
class CoxFitData:
    """Validated rows of a Cox fit.

    ``x`` is the uncentred ``(n, p)`` design; ``coding`` per covariate ``(name, levels)``
    with ``levels`` None for a numeric column, else the non-reference levels (as text) of
    its dummies; ``strata`` the stratum code of each row (None without strata) and
    ``strata_levels`` the stratum values in code order. ``cache`` keeps what
    :mod:`~evalkit.survival.cox_curves` derives from the rows once per fit.
    """

    time: np.ndarray
    status: np.ndarray
    entry: np.ndarray | None
    weights: np.ndarray | None
    offset: np.ndarray | None
    strata: np.ndarray | None
    strata_levels: list | None
    x: np.ndarray
    coding: list[tuple[str, list[str] | None]]
    index: pd.Index

    @property
    def n(self) -> int:
        return len(self.time)

    def design(self, profiles: pd.DataFrame, role: str = "profiles") -> np.ndarray:
        """The ``(m, p)`` design of ``profiles`` coded as the fit's rows."""
        if not isinstance(profiles, pd.DataFrame):
            raise ArgumentError(
                f"{role} must be a pandas DataFrame with the covariate columns; got "
                f"{type(profiles).__name__}."
            )
        blocks = []
        for name, levels in self.coding:
            if name not in profiles.columns:
                raise ArgumentError(f"{role} has no column {name!r} (a covariate of the fit).")
            series = profiles[name]
            if series.isna().any():
                raise MissingValueError(
                    f"column {name!r} of {role} has missing values; every profile needs a "
                    "value of every covariate."
                )
            if levels is None:
                blocks.append(numeric_column(series, name, role="covariate")[:, None])
                continue
            text = series.astype(str).to_numpy()
            known = set(levels) | {self._reference(name)}
            unknown = ~np.isin(text, list(known))
            if unknown.any():
                raise ArgumentError(
                    f"column {name!r} of {role} has {int(unknown.sum())} value(s) that are not "
                    "levels of the fitted covariate (values not shown)."
                )
            blocks.append(
                (text[:, None] == np.asarray(levels, dtype=object)[None, :]).astype(float)
            )
        return np.hstack(blocks) if blocks else np.zeros((len(profiles), 0))

    def _reference(self, name: str) -> str:
        return self.references[name]

    references: dict = None  # type: ignore[assignment]
    # what the curves compute once per fit (the baseline hazard; cox_curves._baseline)
    cache: dict = field(default_factory=dict, repr=False)

    def strata_of(self, profiles: pd.DataFrame, column: str | None, role: str) -> np.ndarray:
        """Stratum code of each profile (zeros without strata)."""
        if self.strata is None:
            return np.zeros(len(profiles), dtype=np.int64)
        if column not in profiles.columns:
            raise ArgumentError(
                f"{role} has no column {column!r}: the fit is stratified by it, and each "
                "profile needs its stratum (its baseline hazard)."
            )
        values = profiles[column].to_numpy()
        lookup = {v: i for i, v in enumerate(self.strata_levels)}
        codes = np.array([lookup.get(v, -1) for v in values], dtype=np.int64)
        if (codes < 0).any():
            raise ArgumentError(
                f"column {column!r} of {role} has {int((codes < 0).sum())} value(s) that are "
                "not strata of the fit (values not shown)."
            )
        return codes


def fit_data(sd, frame, names, x_rows, strata_codes, strata_levels, offset) -> CoxFitData:
    """Build :class:`CoxFitData` from what :func:`~evalkit.survival.cox.cox` validated
    (``x_rows``: the uncentred ``(p, n)`` design)."""
    coding: list[tuple[str, list[str] | None]] = []
    references: dict[str, str] = {}
    for name in names:
        series = frame[name]
        if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
            coding.append((name, None))
        else:
            levels = sorted(pd.unique(series.astype(str)))
            references[name] = levels[0]
            coding.append((name, levels[1:]))
    return CoxFitData(
        time=np.asarray(sd.time, dtype=float),
        status=np.asarray(sd.event == 1),
        entry=None if sd.entry is None else np.asarray(sd.entry, dtype=float),
        weights=None if sd.weights is None else np.asarray(sd.weights, dtype=float),
        offset=offset,
        strata=strata_codes,
        strata_levels=None if strata_levels is None else list(strata_levels),
        x=np.ascontiguousarray(x_rows.T),
        coding=coding,
        index=frame.index,
        references=references,
    )
