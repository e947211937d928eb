"""The arm argument, named the same way everywhere: ``treatment=`` a 0/1 or boolean column.

Estimators, survival functions and figures call the trial arm ``treatment``: a column of
0/1 (or False/True), 1 = the programme (labelled Treatment), 0 = control (Control).
Functions that genuinely take any grouping (Kaplan–Meier curves by a several-level
group, the K-sample log-rank test) keep ``group=`` for that and take ``treatment=`` as
the arm; the two are mutually exclusive.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._validation import treatment_indicator
from .errors import ArgumentError, ColumnError, DesignError


def resolve_arm(data, group: str | None, treatment: str | None, function: str) -> str | None:
    """The grouping column of ``function``: ``group`` as given, or the checked arm ``treatment``.

    ``treatment`` must name a 0/1 or boolean column with both arms among its non-missing
    values (a :class:`~evalkit.errors.TreatmentError` otherwise); giving both ``group``
    and ``treatment`` is an :class:`~evalkit.errors.ArgumentError`.
    """
    if treatment is None:
        return group
    if group is not None:
        raise ArgumentError(
            f"{function}: give group= (any grouping) or treatment= (the 0/1 arm), not both; "
            f"got group={group!r} and treatment={treatment!r}."
        )
    if not isinstance(treatment, str):
        raise ArgumentError(
            f"treatment must be a column name (a 0/1 or boolean column); got {treatment!r}."
        )
    if isinstance(data, pd.DataFrame) and treatment in data.columns:
        column = data[treatment]
        treatment_indicator(column[column.notna()], treatment)  # raises unless 0/1, both arms
    return treatment


def trial_values(panel, data: pd.DataFrame, id: str, columns: list[str], what: str) -> pd.DataFrame:
    """The columns ``columns`` of the trial frame ``data`` in the panel's row order.

    ``data`` has one row per person, identified by its column ``id`` (the ids the panel
    was built or aligned with). Every person of the panel must be in it; persons of
    ``data`` that are not in the panel (left out by ``align(unmatched="drop")``) are
    ignored. Ids are never shown in messages.
    """
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(f"{what} must be a pandas DataFrame; got {type(data).__name__}.")
    if not isinstance(id, str):
        raise ArgumentError(f"id must be the name of the id column of {what}; got {id!r}.")
    missing = [c for c in [id, *columns] if c not in data.columns]
    if missing:
        raise ColumnError(
            f"{what} lacks the columns {missing}; it has {list(map(str, data.columns))}."
        )
    ids = data[id]
    repeated = ids.duplicated().to_numpy()
    if repeated.any():
        raise DesignError(
            f"{what} has {int(repeated.sum())} rows whose id in {id!r} repeats an earlier row; "
            "keep one row per person."
        )
    position = pd.Index(ids.to_numpy()).get_indexer(panel.ids)
    absent = position < 0
    if absent.any():
        raise DesignError(
            f"{int(absent.sum())} of the panel's {panel.n_persons} persons are not in {what} "
            f"(column {id!r}); give the trial list the panel was aligned with."
        )
    return data[columns].iloc[np.asarray(position)].reset_index(drop=True)


def arm_first(data, treatment: str | None, covariates: list[str], function: str) -> list[str]:
    """The model's columns: the checked arm ``treatment`` first, then ``covariates``."""
    if treatment is None:
        return covariates
    resolve_arm(data, None, treatment, function)
    if treatment in covariates:
        raise ArgumentError(
            f"{function}: {treatment!r} is given as treatment= and among the covariates; "
            "give it once (treatment= puts the arm first)."
        )
    return [treatment, *covariates]


def kept_columns(panel, keep, id: str) -> pd.DataFrame | None:
    """The columns of ``keep`` (the trial list) other than ``id``, in the panel's row order.

    ``keep`` is None (nothing kept) or a DataFrame with one row per person and the
    panel's ids in column ``id`` (see :func:`trial_values`).
    """
    if keep is None:
        return None
    if not isinstance(keep, pd.DataFrame):
        raise ArgumentError(
            "keep must be a DataFrame of the trial list (one row per person, the panel's ids "
            f"in column id={id!r}), e.g. keep=trial[['id', 'treated']]; got "
            f"{type(keep).__name__}."
        )
    columns = [c for c in keep.columns if c != id]
    return trial_values(panel, keep, id, columns, "keep")


def insert_after_id(frame: pd.DataFrame, kept: pd.DataFrame | None, rows=None) -> pd.DataFrame:
    """``frame`` with the ``kept`` columns placed after its ``id`` column.

    ``rows``: the panel row of each row of ``frame`` (None: one row per panel person, in
    panel order). A kept column named like one of the frame's columns is an error.
    """
    if kept is None or kept.shape[1] == 0:
        return frame
    clash = [c for c in kept.columns if c in frame.columns]
    if clash:
        raise ColumnError(
            f"keep columns {clash} have the names of result columns; rename them in keep."
        )
    values = kept if rows is None else kept.iloc[np.asarray(rows)]
    for k, column in enumerate(kept.columns):
        frame.insert(1 + k, column, values[column].array)
    return frame
