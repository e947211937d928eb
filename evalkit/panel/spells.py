"""Spells: maximal runs of weeks in a set of states, per person.

A *spell* is what survival analysis of benefit dependence or self-sufficiency works
on: when a person entered a set of states, when they left it, where they went, and
whether we saw the end. :func:`spells` finds every spell of every person of a
:class:`~evalkit.panel.StatusPanel` with one dense scan of the panel's ``(persons,
weeks)`` int8 array (:func:`evalkit.panel._runs.scan_runs`: a comparison pass, bit
packing and change detection on 64-bit words, block by block); everything after the scan
works on arrays with one entry per run of weeks. No Python loop runs over persons, weeks
or spells.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .._arm import insert_after_id, kept_columns
from ..errors import ArgumentError
from ..output.declare import declare_table
from ._runs import codes_at, scan_runs
from .panel import StatusPanel
from .weeks import ordinal_to_label, parse_weeks

#: The columns of a spells frame, in order (the calendar ones only for calendar panels).
COLUMNS = (
    "id",
    "start",
    "end",
    "start_calendar",
    "end_calendar",
    "length",
    "weeks_in_state",
    "left_censored",
    "right_censored",
    "state_before",
    "state_after",
    "duration",
    "event",
)


def spells(
    panel: StatusPanel,
    states: str | Iterable[str],
    max_gap: int = 0,
    min_length: int = 1,
    window: tuple | None = None,
    keep: pd.DataFrame | None = None,
    id: str = "id",
) -> pd.DataFrame:
    """Every spell in the state set ``states``, for every person of ``panel``.

    Parameters
    ----------
    panel : the :class:`~evalkit.panel.StatusPanel`.
    states : a state name or a list of names: the *set*. A week is in the set when it is
        observed and its state is one of ``states``.
    max_gap : two consecutive runs of a person separated by at most ``max_gap`` weeks that
        are all *observed* (but out of the set) form one spell, e.g. ``max_gap=1`` bridges
        a one-week break in benefit receipt. A gap with an unobserved week is never
        bridged. ``0`` (default) merges nothing.
    min_length : spells shorter than this many weeks (``length``, after merging, bridged
        gap weeks included) are dropped.
    window : ``(first, last)``, inclusive week numbers in the panel's numbering (relative
        weeks for an aligned panel; week ordinals, or ISO labels such as ``"2016-W10"``,
        for a calendar panel). Only weeks inside the window count: weeks outside it are
        treated as not observed. It may reach beyond the panel (it is clipped to it) but
        must overlap it.
    keep : optional DataFrame of the trial list (one row per person, the panel's ids in
        column ``id``): its other columns (e.g. the arm) are placed after ``id`` on every
        spell of the person (``keep=trial[["id", "treated"]]``).
    id : the id column of ``keep`` (default ``"id"``).

    Returns
    -------
    pandas.DataFrame
        One row per spell, sorted by person (panel row order), then start:

        - ``id``: the person; ``start``, ``end``: first and last week number of the spell.
        - ``start_calendar``, ``end_calendar``: ISO labels (``"2016-W10"``) of those weeks, as
          an ordered categorical, for calendar panels (for an aligned calendar panel from each
          person's reference week plus the relative week); absent otherwise.
        - ``length``: ``end - start + 1``, merged gap weeks included; ``weeks_in_state``: the
          weeks of the spell that are in the set (``length`` minus the bridged gap weeks).
        - ``left_censored``: the week before ``start`` is not observed or lies before the
          window or the panel, so the spell may have begun earlier.
        - ``right_censored``: the week after ``end`` is not observed or lies after the window
          or the panel: the spell was still running when follow-up ended (a spell that ends
          on the person's last observed week is right-censored; so is a spell in a set that
          holds an absorbing state, since follow-up stops there).
        - ``state_before``: the state of the week before ``start`` (missing when
          left-censored); ``state_after``: the state of the week after ``end``, i.e. the exit
          destination, e.g. ``"self_sufficient"`` or an absorbing state such as death
          (missing when right-censored). Both are categoricals over the panel's states and
          are never states of the set.
        - ``duration`` (``= length``) and ``event`` (1 when the exit was seen, i.e. not
          right-censored; else 0), ready for survival estimators.

        ``frame.attrs`` records what was used: ``n_persons`` (persons in the panel, with or
        without spells), ``person_weeks`` (observed person-weeks inside the window),
        ``states`` (the set), ``max_gap``, ``min_length`` and ``window`` (the first and last
        week counted, after clipping to the panel).

    Example
    -------
    >>> codes = np.array([[1, 1, 0, 1, 1, 1],
    ...                   [0, 1, 0, 1, 2, -1]], dtype=np.int8)
    >>> panel = StatusPanel(ids=np.array([7, 8]), codes=codes,
    ...                     states=("self_sufficient", "cash_benefit", "absorbing"))
    >>> s = spells(panel, "cash_benefit")
    >>> s[["id", "start", "end", "left_censored", "right_censored", "state_after", "event"]]
       id  start  end  left_censored  right_censored      state_after  event
    0   7      0    1           True           False  self_sufficient      1
    1   7      3    5          False            True              NaN      0
    2   8      1    1          False           False  self_sufficient      1
    3   8      3    3          False           False        absorbing      1
    >>> spells(panel, "cash_benefit", max_gap=1)[["id", "start", "end", "weeks_in_state"]]
       id  start  end  weeks_in_state
    0   7      0    5               5
    1   8      1    3               2
    """
    if not isinstance(panel, StatusPanel):
        raise ArgumentError(
            f"panel must be a StatusPanel; got {type(panel).__name__}. Build one with "
            "StatusPanel.from_long or StatusPanel.from_wide."
        )
    trial_columns = kept_columns(panel, keep, id)  # before `keep` names the runs kept
    names = _state_names(states)
    set_codes = panel.state_codes(names)
    max_gap = _whole(max_gap, "max_gap", 0, "0 merges nothing, 1 bridges one-week breaks")
    min_length = _whole(min_length, "min_length", 1, "1 keeps every spell")
    c0, c1 = _window_columns(panel, window)
    sub = panel.codes[:, c0:c1]  # a view: the weeks counted
    n_cols = sub.shape[1]

    # ---- the one dense pass: runs of in-set weeks, per person (see _runs).
    runs = scan_runs(panel.codes, set_codes, len(panel.states), (c0, c1), neighbours=True)
    person, first_col, last_col, before, after = (
        runs.person,
        runs.first,
        runs.last,
        runs.before,
        runs.after,
    )
    # ---- merge runs of one person across short gaps of observed weeks. Bridges are
    # few: each chain of bridged runs is folded into its first run in place (the arrays
    # are this call's own), and the runs folded away are dropped with the short ones.
    drop = None  # runs folded into an earlier one
    gaps_in = gap_weeks = None  # the spells with bridged gaps, and those gaps' weeks
    if max_gap > 0 and len(first_col) > 1:
        gap = first_col[1:] - last_col[:-1] - 1  # weeks between runs (< 1 across persons)
        # 1 <= gap <= max_gap in one comparison: gap - 1 as unsigned wraps negatives high.
        candidate = np.flatnonzero((gap - 1).view(np.uint32) < max_gap)
        candidate = candidate[person[candidate] == person[candidate + 1]]
        unseen = _gap_unobserved(sub, person[candidate], last_col[candidate] + 1, gap[candidate])
        bridges = candidate[~unseen]  # run i and run i + 1 are one spell
        if len(bridges):
            chain_start = np.ones(len(bridges), dtype=bool)
            np.not_equal(bridges[1:], bridges[:-1] + 1, out=chain_start[1:])
            head = bridges[np.maximum.accumulate(np.where(chain_start, np.arange(len(bridges)), 0))]
            chain_end = np.append(np.flatnonzero(chain_start)[1:] - 1, len(bridges) - 1)
            tail = bridges[chain_end] + 1  # the last run of each chain
            heads = bridges[chain_start]
            last_col[heads], after[heads] = last_col[tail], after[tail]
            gaps_in, gap_weeks = head, gap[bridges]
            drop = bridges + 1
        del gap, candidate, unseen, bridges

    length = last_col - first_col + 1  # int32, like the columns
    if drop is not None or min_length > 1:
        keep = length >= min_length
        if drop is not None:
            keep[drop] = False
        keep = np.flatnonzero(keep)
        person, first_col, last_col, length, before, after = (
            a.take(keep) for a in (person, first_col, last_col, length, before, after)
        )
        if gaps_in is not None:  # renumber the spells with bridged gaps among those kept
            at = np.minimum(np.searchsorted(keep, gaps_in), max(len(keep) - 1, 0))
            kept = np.flatnonzero(keep[at] == gaps_in) if len(keep) else at[:0]
            gaps_in, gap_weeks = at[kept], gap_weeks[kept]
        del keep
    weeks_in_state = length.copy()
    if gaps_in is not None:
        np.subtract.at(weeks_in_state, gaps_in, gap_weeks)

    # ---- per-spell columns.
    right_censored = after < 0
    first_week = panel.first_week + c0
    start = np.add(first_col, first_week, out=first_col)  # in place: the scan's own arrays
    end = np.add(last_col, first_week, out=last_col)
    columns: dict[str, object] = {"id": panel.id_column(person), "start": start, "end": end}
    labels = _calendar_labels(panel, person, start, end)
    if labels is not None:
        columns["start_calendar"], columns["end_calendar"] = labels
    state_dtype = pd.CategoricalDtype(list(panel.states))
    columns.update(
        {
            "length": length,
            "weeks_in_state": weeks_in_state,
            "left_censored": before < 0,
            "right_censored": right_censored,
            "state_before": pd.Categorical.from_codes(before, dtype=state_dtype, validate=False),
            "state_after": pd.Categorical.from_codes(after, dtype=state_dtype, validate=False),
            "duration": length.copy(),  # its own array: frames may be changed in place
            "event": (~right_censored).view(np.int8),
        }
    )
    frame = insert_after_id(pd.DataFrame(columns, copy=False), trial_columns, rows=person)
    frame.attrs.update(
        {
            "n_persons": int(panel.n_persons),
            "person_weeks": runs.person_weeks,
            "states": names,
            "max_gap": max_gap,
            "min_length": min_length,
            "window": (first_week, first_week + n_cols - 1),
        }
    )
    # one row per spell of a person: microdata for the output gate (never exported from
    # register data; export aggregates of the spells instead)
    return declare_table(frame, person_level=True)


# ---------------------------------------------------------------------- helpers
def _state_names(states) -> list[str]:
    names = [states] if isinstance(states, str) else states
    try:
        names = list(names)
    except TypeError:
        raise ArgumentError(
            f"states must be a state name or a list of state names; got {states!r}."
        ) from None
    bad = [s for s in names if not isinstance(s, str)]
    if bad:
        raise ArgumentError(
            f"states must be state names (strings); got {bad[:5]!r}. Pass e.g. "
            "states='cash_benefit' or states=['cash_benefit', 'education']."
        )
    return list(dict.fromkeys(names))  # drop repeats, keep the order


def _whole(value, name: str, least: int, hint: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ArgumentError(f"{name} must be a whole number of weeks >= {least}; got {value!r}.")
    if value < least:
        raise ArgumentError(f"{name} must be >= {least} ({hint}); got {value}.")
    return int(value)


def _window_columns(panel: StatusPanel, window) -> tuple[int, int]:
    """Column range ``[c0, c1)`` of the panel inside ``window``."""
    if window is None:
        return 0, panel.n_weeks
    if isinstance(window, str | bytes) or not hasattr(window, "__len__") or len(window) != 2:
        raise ArgumentError(f"window must be a pair (first, last) of week numbers; got {window!r}.")
    try:
        numbers, calendar = parse_weeks(list(window), "window")
    except ArgumentError as error:
        raise ArgumentError(f"cannot read window {window!r}: {error}") from None
    if calendar and not (panel.calendar and not panel.aligned):
        raise ArgumentError(
            f"window {window!r} gives calendar weeks, but this panel's weeks are "
            + ("relative to each person's reference week" if panel.aligned else "indices")
            + "; give integer week numbers."
        )
    first, last = int(numbers[0]), int(numbers[1])
    if first > last:
        raise ArgumentError(f"window {window!r} is empty: its first week is after its last.")
    panel_last = panel.first_week + panel.n_weeks - 1
    if last < panel.first_week or first > panel_last:
        raise ArgumentError(
            f"window {window!r} (weeks {first}..{last}) does not overlap this panel (weeks "
            f"{panel.first_week}..{panel_last}); give weeks in the panel's numbering."
        )
    c0 = max(first, panel.first_week) - panel.first_week
    c1 = min(last, panel_last) - panel.first_week + 1
    return c0, c1


def _gap_unobserved(codes: np.ndarray, person, col, gap) -> np.ndarray:
    """Whether each gap of ``gap`` weeks from column ``col`` of ``person`` has an unobserved week.

    Reads only the gaps' cells (``gap.sum()`` of them), grouped by ``np.logical_or.reduceat``.
    """
    if len(gap) == 0:
        return np.zeros(0, dtype=bool)
    ends = np.cumsum(gap)
    offsets = ends - gap
    step = np.arange(int(ends[-1])) - np.repeat(offsets, gap)
    values = codes_at(codes, np.repeat(person, gap), np.repeat(col, gap) + step)
    return np.logical_or.reduceat(values < 0, offsets)


def _calendar_labels(panel: StatusPanel, person, start, end):
    """Ordered categorical ISO labels of the start and end weeks, or None (no calendar).

    The categories are every week the window can reach (from the smallest reference week
    plus the window's first week to the largest plus its last), so the codes are
    computed without a pass over the spells to find the weeks used.
    """
    if not panel.calendar:
        return None
    window_first, window_last = panel.first_week, panel.first_week + panel.n_weeks - 1
    if panel.aligned:
        if panel.reference_week is None:
            return None
        reference = np.asarray(panel.reference_week).astype(np.int32, copy=False)
        if not len(reference):
            reference = np.zeros(1, dtype=np.int32)
        low = int(reference.min()) + window_first
        high = int(reference.max()) + window_last
        offset = reference.take(person) - np.int32(low)
    else:
        low, high, offset = window_first, window_last, np.int32(-window_first)
    dtype = pd.CategoricalDtype(ordinal_to_label(np.arange(low, high + 1)), ordered=True)
    # Codes in the narrow integer type pandas keeps them in, so that it does not convert.
    code_type = np.int8 if high - low < 127 else np.int16 if high - low < 32767 else np.int32
    return tuple(
        pd.Categorical.from_codes((weeks + offset).astype(code_type), dtype=dtype, validate=False)
        for weeks in (start, end)
    )
