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
        codes, labels = pd.factorize(frame[group], sort=True)
        labels = np.asarray(labels)
    w = None
    if weights:
        w = numeric_column(frame[weights], weights, role="weights")
        if (w <= 0).any():
            raise ArgumentError(f"weights column {weights!r} must be positive.")
    return SurvivalData(time, status, start, codes, labels, w, frame)


def _event_codes(series: pd.Series, name: str, causes: bool) -> np.ndarray:
    if series.dtype == bool:
        return series.to_numpy(dtype=np.int64)
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
