"""The weekly status panel: persons x weeks of named states.

A :class:`StatusPanel` holds one small integer per person and week: the position of
the week's state in :attr:`StatusPanel.states`, or -1 where the person is not
observed (before their history starts, after it ends, or after an absorbing state
such as death or emigration). Everything downstream (outcomes, spells, survival,
figures) reads this array, so it is kept compact: int8, 1 byte per person-week.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from .._validation import (
    check_id_types,
    check_unique_column,
    row_positions,
    select_columns,
    select_rows,
)
from ..errors import ArgumentError, ColumnError, DesignError, EvalkitWarning
from ._fill import WideWriter, pandas_column
from ._runs import in_set, observed_weeks, row_blocks
from .states import StateClassification
from .weeks import ordinal_to_label, parse_weeks

UNOBSERVED = -1
_BLOCK_CELLS = 1 << 23  # person-weeks classified at a time by from_wide


class PanelWarning(EvalkitWarning):
    """Persons or weeks were left out under a policy the user chose; the counts are given."""


@dataclass(frozen=True, eq=False)
class StatusPanel:
    """Weekly states of persons.

    Attributes
    ----------
    ids : person identifiers, one per row.
    codes : ``(persons, weeks)`` int8 array of state positions in ``states``; -1 = not observed.
    states : state names.
    first_week : the week number of column 0. Calendar panels number weeks as ordinals
        (see :mod:`evalkit.panel.weeks`); aligned panels count weeks from the reference
        week (week 0 = the week of randomization or referral).
    calendar : whether week numbers are calendar weeks.
    aligned : whether the panel is aligned to a per-person reference week.
    absorbing : states that end follow-up.
    reference_week : per person, the calendar (or index) week that is week 0 (aligned panels).
    hours : optional ``(persons, weeks)`` float array of ordinary paid hours.

    Build one with :meth:`from_long` or :meth:`from_wide`; align it with :meth:`align`.
    """

    ids: np.ndarray
    codes: np.ndarray
    states: tuple[str, ...]
    first_week: int = 0
    calendar: bool = False
    aligned: bool = False
    absorbing: tuple[str, ...] = ()
    reference_week: np.ndarray | None = field(default=None, repr=False)
    hours: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        codes = np.asarray(self.codes)
        if codes.ndim != 2 or codes.shape[0] != len(self.ids):
            raise ArgumentError("codes must be a (persons, weeks) array with one row per id.")
        if codes.dtype != np.int8:
            codes = codes.astype(np.int8)
        if codes.size and (codes.max() >= len(self.states) or codes.min() < UNOBSERVED):
            raise ArgumentError("codes must be -1 (not observed) or positions in states.")
        object.__setattr__(self, "codes", codes)
        object.__setattr__(self, "ids", np.asarray(self.ids))
        object.__setattr__(self, "states", tuple(self.states))

    # ------------------------------------------------------------------ shape
    @property
    def n_persons(self) -> int:
        return self.codes.shape[0]

    @property
    def n_weeks(self) -> int:
        return self.codes.shape[1]

    @property
    def weeks(self) -> np.ndarray:
        """Week numbers of the columns."""
        return np.arange(self.first_week, self.first_week + self.n_weeks)

    @property
    def week_labels(self) -> list:
        """ISO labels of calendar panels; week numbers otherwise."""
        return ordinal_to_label(self.weeks) if self.calendar else list(self.weeks)

    @property
    def observed(self) -> np.ndarray:
        """Boolean ``(persons, weeks)``: whether the person is observed that week."""
        return self.codes >= 0

    @cached_property
    def id_index(self) -> pd.Index:
        """The ids as a :class:`pandas.Index`, built once per panel.

        Frames of per-person results take their ``id`` column from it: pandas converts
        an array of strings to its string type once, not in every result.
        """
        return pd.Index(self.ids, name="id")

    def id_column(self, rows: np.ndarray | None = None):
        """The ids of ``rows`` (default: every person) as a column for a result frame."""
        index = self.id_index if rows is None else self.id_index.take(rows)
        return index.array

    @property
    def person_weeks(self) -> int:
        """Observed person-weeks."""
        return observed_weeks(self.codes)  # by blocks: no mask the size of the panel

    def __len__(self) -> int:
        return self.n_persons

    def __repr__(self) -> str:
        kind = "aligned" if self.aligned else ("calendar" if self.calendar else "indexed")
        span = f"weeks {self.weeks[0]}..{self.weeks[-1]}" if self.n_weeks else "no weeks"
        if self.calendar and not self.aligned and self.n_weeks:
            labels = ordinal_to_label([self.weeks[0], self.weeks[-1]])
            span = f"weeks {labels[0]}..{labels[1]}"
        return (
            f"StatusPanel({self.n_persons} persons x {self.n_weeks} weeks, {kind}, {span}, "
            f"{self.person_weeks} observed person-weeks, states: {', '.join(self.states)})"
        )

    # ------------------------------------------------------------------ states
    def state_codes(self, states: str | Iterable[str]) -> np.ndarray:
        """Positions of one or more state names (an error names unknown states)."""
        names = [states] if isinstance(states, str) else list(states)
        if not names:
            raise ArgumentError("give at least one state.")
        unknown = [s for s in names if s not in self.states]
        if unknown:
            raise ArgumentError(
                f"unknown states {unknown}; this panel's states are {', '.join(self.states)}."
            )
        return np.array([self.states.index(s) for s in names], dtype=np.int8)

    def in_states(self, states: str | Iterable[str]) -> np.ndarray:
        """Boolean ``(persons, weeks)``: in one of ``states`` (False where not observed)."""
        # Comparisons on the int8 array keep the work at 1 byte per person-week (an index
        # lookup would first widen the codes to 8 bytes).
        return in_set(self.codes, self.state_codes(states), len(self.states))

    def column(self, week: int) -> int:
        """Column index of week number ``week`` (an error when outside the panel)."""
        j = int(week) - self.first_week
        if not 0 <= j < self.n_weeks:
            raise ArgumentError(
                f"week {week} is outside this panel (weeks {self.first_week}.."
                f"{self.first_week + self.n_weeks - 1})."
            )
        return j

    # ------------------------------------------------------------------ build
    @classmethod
    def from_long(
        cls,
        data: pd.DataFrame,
        id: str,
        week: str,
        status: str,
        states: StateClassification | Mapping[str, object],
        blank: str | None = None,
        hours: str | None = None,
        last_week=None,
    ) -> StatusPanel:
        """Build a panel from long data: one row per person and week.

        ``week`` holds ISO labels, dates or integers. Weeks without a row are not observed,
        unless ``blank`` names a state: then weeks without a row (and rows with a missing
        status) up to the end of the data (``last_week``, by default the last week in the
        data) are in that state, as in DREAM, where a week without a benefit code is a
        self-sufficient week. Duplicate (person, week) rows are an error. ``hours`` names
        a column of ordinary paid hours in the week. ``states`` is a dict ``{state name:
        codes}`` (as ``StateClassification``'s first argument) or a ``StateClassification``.

        Example
        -------
        >>> from evalkit.panel import StateClassification
        >>> long = pd.DataFrame({"id": [1, 1, 2], "week": ["2016-W10", "2016-W11", "2016-W10"],
        ...                      "code": [130, None, 130]})
        >>> c = StateClassification({"cash_benefit": [130], "self_sufficient": []})
        >>> StatusPanel.from_long(long, "id", "week", "code", c, blank="self_sufficient").codes
        array([[0, 1],
               [0, 1]], dtype=int8)
        """
        states = _check_classification(states, blank)
        columns = {"id": [id], "week": [week]}
        frame = select_columns(data, columns)
        check_id_types(frame[id], id)
        if status not in data.columns:
            raise ColumnError(f"status column {status!r} is not in the data.")
        check_unique_column(data, status, "status")
        for role, name in (("status", status), ("hours", hours)):
            if name is not None and name in (id, week):
                raise ColumnError(
                    f"{role} column {name!r} is also the {'id' if name == id else 'week'} "
                    "column; give each role its own column."
                )
        status_values = _codes_array(data[[status]])[:, 0]
        hours_values = None if hours is None else _column(data, hours, "hours")
        week_numbers, calendar = parse_weeks(frame[week], "week")
        ids, rows = np.unique(frame[id].to_numpy(), return_inverse=True)
        first = int(week_numbers.min())
        last = int(week_numbers.max())
        if last_week is not None:
            end, end_calendar = parse_weeks([last_week], "last_week")
            if end_calendar != calendar or end[0] < last:
                raise ArgumentError(
                    f"last_week {last_week!r} must be of the same kind as the data's weeks and "
                    "not before the last week in the data."
                )
            last = int(end[0])
        cols = week_numbers - first
        flat = rows.astype(np.int64) * (last - first + 1) + cols
        if np.unique(flat).size != flat.size:
            repeated = pd.Series(flat).duplicated().to_numpy()
            persons = np.unique(rows[repeated]).size
            raise DesignError(
                f"{int(repeated.sum())} duplicate (person, week) rows in the long data (columns "
                f"{id!r} and {week!r}; {persons} persons; repeats at {row_positions(repeated)}). "
                "Keep one row per person and week (a register's "
                "priority rule decides between codes)."
            )
        classified = states.classify(status_values, column=status, ids=frame[id])
        n_weeks = last - first + 1
        fill = UNOBSERVED if blank is None else states.state_index(blank)
        codes = np.full((len(ids), n_weeks), UNOBSERVED, dtype=np.int8)
        if blank is not None:
            # Blank weeks between the person's first row and the end of the data.
            start = np.full(len(ids), n_weeks, dtype=np.int64)
            np.minimum.at(start, rows, cols)
            weeks = np.arange(n_weeks)
            for block in row_blocks(len(ids), n_weeks):  # no full-size mask
                codes[block][weeks[None, :] >= start[block, None]] = fill
            classified = np.where(classified < 0, fill, classified).astype(np.int8)
        codes[rows, cols] = classified
        hours_matrix = None
        if hours_values is not None:
            hours_matrix = np.full((len(ids), n_weeks), np.nan)
            hours_matrix[rows, cols] = _hours_numbers(hours_values, hours)
        panel = cls(
            ids, codes, states.names, first, calendar, False, states.absorbing, hours=hours_matrix
        )
        return panel.cut_at_absorbing()

    @classmethod
    def from_wide(
        cls,
        data: pd.DataFrame,
        id: str,
        week_columns: Sequence[str] | str,
        states: StateClassification | Mapping[str, object],
        blank: str | None = None,
    ) -> StatusPanel:
        """Build a panel from wide data: one row per person, one column per week.

        ``week_columns`` lists the week columns, or is a prefix (``"y_"`` takes every
        DREAM column ``y_YYWW``). Column names are ISO labels, DREAM names or integers;
        they must be increasing, without repeats. Missing cells are not observed unless
        ``blank`` names a state: then a missing cell from the person's first coded week to
        the last column is in that state (DREAM's convention for self-sufficient weeks).
        ``states`` is a dict ``{state name: codes}`` or a ``StateClassification``.

        Example
        -------
        >>> wide = pd.DataFrame({"id": [1, 2], "y_1610": [130, 130], "y_1611": [None, 651]})
        >>> states = {"cash_benefit": [130], "education": [651]}  # or a StateClassification
        >>> StatusPanel.from_wide(wide, "id", "y_", states).codes
        array([[ 0, -1],
               [ 0,  1]], dtype=int8)
        """
        states = _check_classification(states, blank)
        if isinstance(week_columns, str):
            prefix = week_columns
            week_columns = [c for c in data.columns if str(c).startswith(prefix)]
            if not week_columns:
                raise ArgumentError(f"no columns start with {prefix!r}.")
        week_columns = list(week_columns)
        select_columns(data, {"id": [id]})
        missing = [c for c in week_columns if c not in data.columns]
        if missing:
            raise ArgumentError(f"week columns not in the data: {missing[:5]}.")
        for column in week_columns:
            check_unique_column(data, column, "week")
        numbers, calendar = week_column_numbers(week_columns)
        ids = wide_ids(data[id], id)
        if id in week_columns:
            raise ColumnError(f"the id column {id!r} is also among the week columns.")
        first, n_weeks = int(numbers[0]), int(numbers[-1] - numbers[0] + 1)
        codes = np.empty((len(ids), n_weeks), dtype=np.int8)
        # Each column in its own type (nullable integers without a float copy), a block of
        # persons at a time: lookup table, blank rule and absorbing cut in one pass.
        writer = WideWriter(
            states,
            numbers - first,
            n_weeks,
            None if blank is None else states.state_index(blank),
            week_columns,
        )
        sources = [pandas_column(data[column]) for column in week_columns]
        step = max(1, _BLOCK_CELLS // max(n_weeks, 1))
        for r0 in range(0, len(ids), step):
            r1 = min(r0 + step, len(ids))
            writer.write(codes[r0:r1], [source(r0, r1) for source in sources], ids=ids)
        return cls(ids, codes, states.names, first, calendar, False, states.absorbing)

    # ------------------------------------------------------------------ transform
    def cut_at_absorbing(self) -> StatusPanel:
        """Weeks after a person's first absorbing week become not observed.

        Works a block of persons at a time: the only full-size array is the new codes
        (and hours), made only when some week changes.
        """
        if not self.absorbing:
            return self
        absorbing = self.state_codes(self.absorbing)
        codes = hours = None
        for block in row_blocks(self.n_persons, self.n_weeks):
            absorbed = in_set(self.codes[block], absorbing, len(self.states))
            after = np.zeros_like(absorbed)
            np.logical_or.accumulate(absorbed[:, :-1], axis=1, out=after[:, 1:])
            if not after.any():
                continue
            if codes is None:
                codes = self.codes.copy()
                hours = None if self.hours is None else np.array(self.hours, dtype=float)
            codes[block][after] = UNOBSERVED
            if hours is not None:
                hours[block][after] = np.nan
        if codes is None:
            return self
        return replace(self, codes=codes, hours=hours)

    def group_states(
        self, groups: Mapping[str, Iterable[str]], other: str | None = "other"
    ) -> StatusPanel:
        """The panel with its states merged into fewer: ``groups`` maps each new state to
        the old states it takes in (in the order wanted); old states in no group go to
        ``other`` (None: every state must be in a group). Weeks not observed stay so;
        a group is absorbing when all its old states are.

        Example
        -------
        >>> p = StatusPanel(["a", "b"], [[0, 1, 2], [2, -1, 1]], ("job", "benefit", "educ"))
        >>> g = p.group_states({"benefit": ["benefit"], "work or study": ["job", "educ"]},
        ...                    other=None)
        >>> g.states, g.codes.tolist()
        (('benefit', 'work or study'), [[1, 0, 1], [1, -1, 0]])
        """
        if not isinstance(groups, Mapping) or not groups:
            raise ArgumentError("groups must map each new state to a list of old states.")
        position = {}
        for index, (name, members) in enumerate(groups.items()):
            members = [members] if isinstance(members, str) else list(members)
            unknown = [m for m in members if m not in self.states]
            if unknown:
                raise ArgumentError(
                    f"group {name!r} lists states that are not in the panel: {unknown}; the "
                    f"panel's states are {list(self.states)}."
                )
            for member in members:
                if member in position:
                    raise ArgumentError(f"state {member!r} is in two groups.")
                position[member] = index
        names = [str(n) for n in groups]
        rest = [s for s in self.states if s not in position]
        if rest:
            if other is None:
                raise ArgumentError(
                    f"states {rest} are in no group; list them or pass other='...'."
                )
            if other in names:
                raise ArgumentError(f"other={other!r} is also the name of a group.")
            names.append(str(other))
            position.update({s: len(names) - 1 for s in rest})
        lookup = np.array([position[s] for s in self.states] + [UNOBSERVED], dtype=np.int8)
        absorbing = tuple(
            n for i, n in enumerate(names)
            if all(s in self.absorbing for s, j in position.items() if j == i)
        )  # fmt: skip
        return replace(self, codes=lookup[self.codes], states=tuple(names), absorbing=absorbing)

    def select(self, ids) -> StatusPanel:
        """The panel of the given persons, in the given order (an error for unknown ids)."""
        wanted = np.asarray(ids)
        index = self.id_index.get_indexer(wanted)
        if (index < 0).any():
            raise ArgumentError(
                f"{int((index < 0).sum())} of the {len(wanted)} ids asked for are not in the "
                f"panel ({row_positions(index < 0, noun='position')} of the ids given)."
            )
        return replace(
            self,
            ids=self.ids[index],
            codes=self.codes[index],
            reference_week=None if self.reference_week is None else self.reference_week[index],
            hours=None if self.hours is None else self.hours[index],
        )

    def align(
        self,
        trial: pd.DataFrame,
        id: str,
        reference: str,
        before: int = 0,
        after: int | None = None,
        unmatched: str = "error",
    ) -> StatusPanel:
        """Align each person's history to their reference week (randomization, referral).

        Returns a panel whose week 0 is each person's reference week, with weeks
        ``-before .. after`` (``after`` defaults to the longest follow-up in the data),
        in the order of the trial list. Weeks outside a person's data are not observed.

        ``unmatched="error"`` (default) stops when a trial person is not in the register,
        a register person is not in the trial list, or a reference week lies outside the
        data; ``"drop"`` leaves them out with a :class:`PanelWarning` giving the counts.
        """
        if self.aligned:
            raise ArgumentError("this panel is already aligned.")
        if unmatched not in ("error", "drop"):
            raise ArgumentError(f"unmatched must be 'error' or 'drop'; got {unmatched!r}.")
        frame, trial_rows = select_rows(trial, {"id": [id], "reference": [reference]})
        check_id_types(frame[id], id, "trial list id")
        repeated = frame[id].duplicated().to_numpy()
        if repeated.any():
            raise DesignError(
                f"the trial list has {int(repeated.sum())} rows whose id in {id!r} repeats an "
                f"earlier row ({row_positions(repeated, trial_rows)}); keep one row per person."
            )
        ref_weeks, calendar = parse_weeks(frame[reference], "reference week")
        if calendar != self.calendar:
            kind = "calendar weeks" if self.calendar else "integer week numbers"
            raise ArgumentError(f"reference weeks must be {kind}, as the panel's weeks are.")
        trial_ids = frame[id].to_numpy()
        index = self.id_index.get_indexer(trial_ids)
        outside = (ref_weeks < self.first_week) | (ref_weeks >= self.first_week + self.n_weeks)
        problems = {
            "trial persons not in the register": int((index < 0).sum()),
            # Both id lists are unique, so the matched persons are counted once.
            "register persons not in the trial list": self.n_persons - int((index >= 0).sum()),
            "reference weeks outside the data": int(((index >= 0) & outside).sum()),
        }
        found = {k: v for k, v in problems.items() if v}
        if found:
            text = "; ".join(f"{v} {k}" for k, v in found.items())
            if (index < 0).any():
                text += f" (trial list {row_positions(index < 0, trial_rows)})"
                text += _id_kind_hint(self.ids, trial_ids)
            if unmatched == "error":
                raise DesignError(
                    f"trial list and register do not match: {text}. Check the ids and weeks, "
                    "or pass unmatched='drop' to leave them out (with a warning)."
                )
            warnings.warn(f"align(unmatched='drop'): left out {text}.", PanelWarning, stacklevel=2)
        keep = (index >= 0) & ~outside
        index, ref_weeks, trial_ids = index[keep], ref_weeks[keep], trial_ids[keep]
        if after is None:
            after = (
                int(self.first_week + self.n_weeks - 1 - ref_weeks.min()) if len(ref_weeks) else 0
            )
        if before < 0 or after < 0:
            raise ArgumentError("before and after must be non-negative.")
        offsets = np.arange(-before, after + 1)
        source = (ref_weeks - self.first_week)[:, None] + offsets[None, :]
        valid = (source >= 0) & (source < self.n_weeks)
        clipped = np.clip(source, 0, max(self.n_weeks - 1, 0))
        codes = np.where(valid, self.codes[index[:, None], clipped], UNOBSERVED)
        hours = None
        if self.hours is not None:
            hours = np.where(valid, self.hours[index[:, None], clipped], np.nan)
        return StatusPanel(
            trial_ids,
            codes.astype(np.int8),
            self.states,
            -before,
            self.calendar,
            True,
            self.absorbing,
            reference_week=ref_weeks,
            hours=hours,
        )

    def to_long(self, observed_only: bool = True) -> pd.DataFrame:
        """Long frame: ``id``, ``week`` (number; ``calendar_week`` label too), ``state``."""
        persons, cols = (
            np.nonzero(self.codes >= 0)
            if observed_only
            else np.indices(self.codes.shape).reshape(2, -1)
        )
        codes = self.codes[persons, cols]
        frame = pd.DataFrame(
            {
                "id": self.id_column(persons),
                "week": self.weeks[cols],
                "state": pd.Categorical.from_codes(codes, categories=list(self.states))
                if observed_only
                else pd.Categorical.from_codes(
                    np.where(codes < 0, -1, codes), categories=list(self.states)
                ),
            }
        )
        if self.calendar and not self.aligned:
            frame["calendar_week"] = ordinal_to_label(frame["week"].to_numpy())
        if self.hours is not None:
            frame["hours"] = self.hours[persons, cols]
        return frame


def week_column_numbers(week_columns: Sequence) -> tuple[np.ndarray, bool]:
    """Week numbers of wide week columns (increasing, without repeats) and whether they
    are calendar weeks."""
    numbers, calendar = parse_weeks(
        [str(c) if not isinstance(c, int) else c for c in week_columns], "week column"
    )
    steps = np.diff(numbers)
    if (steps <= 0).any():
        bad = int(np.flatnonzero(steps <= 0)[0])
        raise DesignError(
            f"week columns must increase without repeats; {week_columns[bad]!r} is followed "
            f"by {week_columns[bad + 1]!r}. Reorder the columns or drop the repeat."
        )
    return numbers, calendar


def wide_ids(series: pd.Series, id: str) -> np.ndarray:
    """The ids of wide data (one row per person) as an array; an error for ids mixing
    numbers and text or a person on more than one row (counts and rows, never ids)."""
    check_id_types(series, id)
    ids = series.to_numpy()
    repeated = pd.Series(ids).duplicated().to_numpy()
    if repeated.any():
        persons = pd.Series(ids[repeated]).nunique()
        raise DesignError(
            f"{persons} persons appear on more than one row of the wide data (column "
            f"{id!r}; {int(repeated.sum())} repeated rows, {row_positions(repeated)}); "
            "keep one row per person."
        )
    return ids


def _id_kind_hint(panel_ids: np.ndarray, trial_ids: np.ndarray) -> str:
    """A hint when one list's ids are numbers and the other's text (1 is not '1')."""
    kinds = []
    for ids in (panel_ids, trial_ids):
        inferred = pd.api.types.infer_dtype(ids, skipna=True)
        kinds.append(
            "numbers"
            if inferred in ("integer", "floating", "mixed-integer-float", "decimal")
            else "text"
            if inferred == "string"
            else None
        )
    if None in kinds or kinds[0] == kinds[1]:
        return ""
    return (
        f"; the register's ids are {kinds[0]} and the trial list's {kinds[1]}, which never "
        "match (1 is not '1'): convert one to the other's type"
    )


def _check_classification(states, blank) -> StateClassification:
    """The classification: a StateClassification as given, or one built from a plain dict
    ``{state name: codes}`` (the same dict as ``StateClassification``'s first argument)."""
    if isinstance(states, Mapping):
        states = StateClassification(states)
    if not isinstance(states, StateClassification):
        raise ArgumentError(
            "states must be a dict {state name: codes} (e.g. {'cash_benefit': [130], "
            "'self_sufficient': []}), a StateClassification (for other= or absorbing=) or "
            "evalkit.panel.synthetic_classification()."
        )
    if blank is not None:
        states.state_index(blank)
    return states


def _codes_array(frame: pd.DataFrame) -> np.ndarray:
    """Raw codes as an array: numeric columns (nullable ones too) as floats with NaN for
    missing, so that classification takes its lookup-table path; others as they are."""
    numeric = all(
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        for dtype in frame.dtypes
    )
    if numeric:
        return frame.to_numpy(dtype=np.float64, na_value=np.nan)
    return frame.to_numpy()


def _hours_numbers(values: np.ndarray, name: str) -> np.ndarray:
    """Hours as floats; an error names the column and rows, never the values."""
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(numbers) & pd.notna(values)
    if bad.any():
        raise ArgumentError(
            f"hours column {name!r} must be numeric; {int(bad.sum())} rows are not numbers "
            f"({row_positions(bad)}). Convert it with pd.to_numeric."
        )
    return numbers


def _column(data: pd.DataFrame, name: str, role: str) -> np.ndarray:
    if name not in data.columns:
        raise ColumnError(f"{role} column {name!r} is not in the data.")
    check_unique_column(data, name, role)
    return data[name].to_numpy()
