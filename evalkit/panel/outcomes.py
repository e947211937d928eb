"""Per-person outcomes of a weekly status panel: one tidy row per person.

Every function here reads a :class:`~evalkit.panel.StatusPanel` and returns a
DataFrame with one row per person, column ``id`` first and persons in the panel's
row order (except :func:`full_year_persons`, which counts per period and state,
and :func:`add_hours`, which returns a new panel). The per-person frames are declared
person-level for the output gate (:mod:`evalkit.output`: they never leave a register
environment; export aggregates of them); :func:`full_year_persons` declares its
full-year persons a count of persons. The returned frame's ``attrs`` say what was used:

* ``attrs["n_persons"]``: persons in the panel (= rows);
* ``attrs["person_weeks"]``: observed person-weeks inside the window used;
* ``attrs["window"]``: the ``(first, last)`` weeks used, both included, after clipping
  to the panel (``attrs["window_requested"]`` keeps what was asked for, and calendar
  panels add ``attrs["window_labels"]`` with ISO labels).

Conventions shared by all functions:

* ``states`` is one state name or a list of names; a person-week is *in the set* when
  its state is one of them. An unknown name is an :class:`~evalkit.errors.ArgumentError`
  that lists the panel's states.
* Weeks are numbered as in the panel: relative weeks for aligned panels (week 0 = the
  reference week), week ordinals for calendar panels (see :mod:`evalkit.panel.weeks`;
  calendar, non-aligned panels also accept ISO labels such as ``"2016-W10"`` and dates).
* A window ``(first, last)`` includes both weeks. A window that only partly overlaps the
  panel is clipped to the panel's weeks (weeks beyond the panel are simply not
  observed; ``attrs["window"]`` shows the weeks used); one that does not overlap the
  panel at all is an :class:`~evalkit.errors.ArgumentError`.
* A week in which a person is not observed (-1 in ``codes``) is never in the set.

The functions are vectorised over the ``(persons, weeks)`` array. To keep memory flat
on registers with a million persons, they work through blocks of persons (about a
million person-weeks at a time); within a block every operation is one numpy pass
over the block, and the intermediate arrays are boolean (1 byte per person-week).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import pandas as pd

from .._arm import insert_after_id, kept_columns
from .._validation import _withheld, check_choice, row_positions, select_columns
from ..errors import ArgumentError, DesignError
from ..output.declare import declare_table
from ._runs import first_long_run, in_set, member_mask, member_passes, row_blocks
from .panel import PanelWarning, StatusPanel
from .weeks import EPOCH_MONDAY, ordinal_to_label, ordinal_to_monday, parse_weeks

__all__ = [
    "add_hours",
    "first_durable_entry",
    "full_year_persons",
    "hours_in_window",
    "in_state_at",
    "time_to_first",
    "weeks_in_states",
]

#: The censoring reasons of :func:`time_to_first` and :func:`first_durable_entry`.
CENSORING = ("end_of_follow_up", "absorbing", "not_observed")

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


# ---------------------------------------------------------------------- outcomes
def weeks_in_states(
    panel: StatusPanel,
    states: str | Iterable[str],
    window: tuple,
    keep: pd.DataFrame | None = None,
    id: str = "id",
) -> pd.DataFrame:
    """Weeks each person spends in a set of states within a window.

    Columns
    -------
    id : the person.
    weeks_in_state : weeks in the window in which the person is in one of ``states``.
    weeks_observed : weeks in the window in which the person is observed (in any state).
    share_observed : ``weeks_in_state / weeks_observed``, the share of the *observed*
        weeks spent in the set. It is NaN only for a person with no observed week in the
        window: that person is not observed, which is not an error.

    Parameters
    ----------
    panel : the status panel.
    states : a state name or a list of names.
    window : ``(first, last)`` week numbers, both included (clipped to the panel).
    keep : optional DataFrame of the trial list (one row per person, the panel's ids in
        column ``id``): its other columns (e.g. the arm) are placed after ``id``, so the
        result is ready for an estimator (``keep=trial[["id", "treated"]]``).
    id : the id column of ``keep`` (default ``"id"``).

    Example
    -------
    >>> import numpy as np
    >>> from evalkit.panel import StatusPanel
    >>> panel = StatusPanel(np.array(["a", "b", "c"]),
    ...                     np.array([[0, 1, 1, -1], [0, 0, 1, 1], [1, -1, -1, -1]]),
    ...                     ("self_sufficient", "cash_benefit"), first_week=0, aligned=True)
    >>> out = weeks_in_states(panel, "cash_benefit", (1, 3))
    >>> out
      id  weeks_in_state  weeks_observed  share_observed
    0  a               2               2        1.000000
    1  b               2               3        0.666667
    2  c               0               0             NaN
    >>> out.attrs["window"], out.attrs["person_weeks"]
    ((1, 3), 5)
    >>> trial = pd.DataFrame({"id": ["c", "b", "a"], "treated": [0, 1, 1]})
    >>> weeks_in_states(panel, "cash_benefit", (1, 3), keep=trial)[["id", "treated"]]
      id  treated
    0  a        1
    1  b        1
    2  c        0
    """
    _check_panel(panel)
    kept = kept_columns(panel, keep, id)
    codes = panel.state_codes(states)
    first, last = _window(panel, window)
    j0, j1 = first - panel.first_week, last - panel.first_week + 1
    n = panel.n_persons
    in_state = np.zeros(n, dtype=np.int64)
    observed = np.zeros(n, dtype=np.int64)
    passes = member_passes(codes, len(panel.states))
    blocks = row_blocks(n, panel.n_weeks)  # by the rows read, not the window
    size = blocks[0].stop if blocks else 0
    mask, scratch = (np.empty((size, j1 - j0), dtype=bool) for _ in range(2))
    for rows in blocks:
        block = panel.codes[rows, j0:j1]
        k = block.shape[0]
        member_mask(block, passes, mask[:k], scratch[:k])
        in_state[rows] = _count(mask[:k])
        np.greater_equal(block, 0, out=scratch[:k])
        observed[rows] = _count(scratch[:k])
    share = np.full(n, np.nan)
    np.divide(in_state, observed, out=share, where=observed > 0)
    frame = pd.DataFrame(
        {
            "id": panel.id_column(),
            "weeks_in_state": in_state,
            "weeks_observed": observed,
            "share_observed": share,
        }
    )
    return _finish(frame, panel, (first, last), window, int(observed.sum()), kept=kept)


def in_state_at(
    panel: StatusPanel,
    states: str | Iterable[str],
    weeks: int | Iterable,
    keep: pd.DataFrame | None = None,
    id: str = "id",
) -> pd.DataFrame:
    """Whether each person is in a set of states in given weeks.

    One nullable boolean column (pandas ``"boolean"`` dtype) per requested week, in the
    order requested: True / False when the person is observed that week, ``<NA>`` when
    not (``keep`` and ``id`` add the trial list's columns after ``id``, as in
    `weeks_in_states`). Columns are named ``in_state_w{week}``, with ``m`` for a minus sign
    (``in_state_wm4`` is week -4); calendar, non-aligned panels name them by ISO week
    (``in_state_2016_W10``). A week outside the panel, or a week asked for twice, is an
    :class:`~evalkit.errors.ArgumentError`. ``attrs["weeks"]`` lists the week numbers of
    the columns and ``attrs["window"]`` the first and last of them.

    Example
    -------
    >>> import numpy as np
    >>> from evalkit.panel import StatusPanel
    >>> panel = StatusPanel(np.array(["a", "b"]), np.array([[0, 1, 1, -1], [0, 0, 1, 1]]),
    ...                     ("self_sufficient", "cash_benefit"), first_week=-1, aligned=True)
    >>> in_state_at(panel, "cash_benefit", [-1, 2])
      id  in_state_wm1  in_state_w2
    0  a         False         <NA>
    1  b         False         True
    """
    _check_panel(panel)
    kept = kept_columns(panel, keep, id)
    codes = panel.state_codes(states)
    requested = (
        [weeks]
        if isinstance(weeks, int | np.integer | str | dt.date | np.datetime64)
        else list(weeks)
    )
    if not requested:
        raise ArgumentError("give at least one week, e.g. weeks=[13, 26, 52].")
    numbers = [_week_number(panel, w, "week") for w in requested]
    seen = pd.Series(numbers)
    if seen.duplicated().any():
        raise ArgumentError(
            f"weeks {sorted(set(seen[seen.duplicated()]))} are asked for more than once; "
            "give each week once."
        )
    columns = np.array([panel.column(w) for w in numbers], dtype=np.intp)
    block = panel.codes[:, columns]  # (persons, requested weeks): small
    values = in_set(block, codes, len(panel.states))
    missing = block < 0
    calendar_names = panel.calendar and not panel.aligned
    labels = ordinal_to_label(np.array(numbers)) if calendar_names else []
    frame = pd.DataFrame({"id": panel.id_column()})
    for k, week in enumerate(numbers):
        if calendar_names:
            name = "in_state_" + labels[k].replace("-", "_")
        else:
            name = f"in_state_w{week}" if week >= 0 else f"in_state_wm{-week}"
        frame[name] = pd.arrays.BooleanArray(values[:, k].copy(), missing[:, k].copy())
    frame = _finish(
        frame,
        panel,
        (min(numbers), max(numbers)),
        None,
        int(np.count_nonzero(~missing)),
        kept=kept,
    )
    frame.attrs["weeks"] = numbers
    return frame


def time_to_first(
    panel: StatusPanel,
    states: str | Iterable[str],
    start=1,
    end=None,
    keep: pd.DataFrame | None = None,
    id: str = "id",
) -> pd.DataFrame:
    """Weeks until a person is first in a set of states: a survival outcome.

    Follow-up runs from week ``start`` (default 1, the week after the reference week of
    an aligned panel) to week ``end`` (default: the panel's last week; an ``end`` beyond
    the panel is clipped to it). ``start`` must be a week of the panel.

    Columns
    -------
    id : the person.
    duration : weeks counted from ``start``: ``entry_week - start + 1`` for an event, so
        being in the set in the start week itself gives 1. For a person who never enters,
        ``last observed week in start..end - start + 1``.
    event : 1 if the person enters the set in ``start..end``, else 0.
    entry_week : the first week ``>= start`` (and ``<= end``) in the set; ``<NA>``
        (nullable ``Int64``) without an event.
    censoring : why follow-up ended without an event (categorical, ``<NA>`` for events):

        * ``"end_of_follow_up"``: observed until the last observed week, never in the set;
        * ``"absorbing"``: the last observed week is in an absorbing state
          (``panel.absorbing``: death, emigration);
        * ``"not_observed"``: the person is not observed in the ``start`` week, so is
          not at risk from ``start``; ``event`` and ``duration`` are 0. Such persons are
          kept, not dropped: filter them out (``censoring != "not_observed"``) before
          fitting survival models.

    A week in which the person is not observed between observed weeks is not in the set;
    entry after such a gap still counts, with the duration counted from ``start``.
    ``keep`` and ``id`` add the trial list's columns after ``id``, as in
    `weeks_in_states`: ``time_to_first(panel, "employed", keep=trial[["id", "treated"]])``
    goes straight into ``kaplan_meier(..., treatment="treated")``.

    Example
    -------
    >>> import numpy as np
    >>> from evalkit.panel import StatusPanel
    >>> states = ("cash_benefit", "self_sufficient", "absorbing")
    >>> panel = StatusPanel(np.array(["a", "b", "c", "d"]),
    ...                     np.array([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0],
    ...                               [0, 0, 2, -1, -1], [0, -1, 1, 1, 1]]),
    ...                     states, first_week=0, aligned=True, absorbing=("absorbing",))
    >>> time_to_first(panel, "self_sufficient")
      id  duration  event  entry_week         censoring
    0  a         3      1           3               NaN
    1  b         4      0        <NA>  end_of_follow_up
    2  c         2      0        <NA>         absorbing
    3  d         0      0        <NA>      not_observed
    """
    return _first_entry(panel, states, 1, start, end, keep, id)


def first_durable_entry(
    panel: StatusPanel,
    states: str | Iterable[str],
    min_weeks: int,
    start=1,
    end=None,
    keep: pd.DataFrame | None = None,
    id: str = "id",
) -> pd.DataFrame:
    """Weeks until a person's first *durable* entry: ``min_weeks`` consecutive weeks in a set.

    The event is the first run of at least ``min_weeks`` consecutive weeks in the set
    that starts at or after ``start`` and lies entirely within ``start..end``. The
    columns are those of :func:`time_to_first`: ``entry_week`` is the run's first week
    and ``duration = entry_week - start + 1`` (the event is dated at the start of the
    run, although it is known only ``min_weeks - 1`` weeks later).

    * Weeks before ``start`` are not looked at: a run in progress at ``start`` counts as
      starting at ``start``.
    * A week in which the person is not observed breaks a run.
    * A run still in progress when follow-up ends (at ``end`` or at the last observed
      week) before it reaches ``min_weeks`` does not count: the person is censored at the
      last observed week (``"end_of_follow_up"``, or ``"absorbing"`` when that week is in
      an absorbing state), with ``duration = last observed week - start + 1``.
    * ``min_weeks=1`` gives :func:`time_to_first`. A ``min_weeks`` longer than the
      follow-up ``start..end`` is an :class:`~evalkit.errors.ArgumentError`.

    ``keep`` and ``id`` add the trial list's columns after ``id``, as in
    `weeks_in_states`.

    Example
    -------
    >>> import numpy as np
    >>> from evalkit.panel import StatusPanel
    >>> panel = StatusPanel(np.array(["a", "b", "c"]),
    ...                     np.array([[0, 1, 0, 1, 1, 1, 0], [0, 1, 1, 1, -1, -1, -1],
    ...                               [0, 0, 0, 0, 0, 1, 1]]),
    ...                     ("cash_benefit", "employed"), first_week=0, aligned=True)
    >>> first_durable_entry(panel, "employed", min_weeks=3)
      id  duration  event  entry_week         censoring
    0  a         3      1           3               NaN
    1  b         1      1           1               NaN
    2  c         6      0        <NA>  end_of_follow_up
    """
    if isinstance(min_weeks, bool) or not isinstance(min_weeks, int | np.integer):
        raise ArgumentError(f"min_weeks must be a whole number of weeks >= 1; got {min_weeks!r}.")
    if min_weeks < 1:
        raise ArgumentError(f"min_weeks must be at least 1; got {min_weeks}.")
    return _first_entry(panel, states, int(min_weeks), start, end, keep, id)


def hours_in_window(
    panel: StatusPanel, window: tuple, keep: pd.DataFrame | None = None, id: str = "id"
) -> pd.DataFrame:
    """Ordinary paid hours each person works within a window.

    Columns
    -------
    id : the person.
    hours : the sum of the panel's ``hours`` over the window's weeks; weeks without a
        record (NaN) count as 0 hours.
    weeks_with_hours : weeks in the window with an hours record (not NaN; a recorded 0
        counts).
    weeks_observed : weeks in the window in which the person's state is observed.

    Hours are summed whether or not the week's state is observed. ``keep`` and ``id`` add
    the trial list's columns after ``id``, as in `weeks_in_states`. A panel without hours
    is an :class:`~evalkit.errors.ArgumentError` (add them with :func:`add_hours`, or
    ``hours=`` in :meth:`StatusPanel.from_long`).

    Example
    -------
    >>> import numpy as np
    >>> from evalkit.panel import StatusPanel
    >>> panel = StatusPanel(np.array(["a", "b"]), np.array([[0, 1, 1], [1, 1, -1]]),
    ...                     ("cash_benefit", "employed"), first_week=0, aligned=True,
    ...                     hours=np.array([[np.nan, 37.0, 20.0], [10.0, np.nan, np.nan]]))
    >>> hours_in_window(panel, (1, 2))
      id  hours  weeks_with_hours  weeks_observed
    0  a   57.0                 2               2
    1  b    0.0                 0               1
    """
    _check_panel(panel)
    kept = kept_columns(panel, keep, id)
    if panel.hours is None:
        raise ArgumentError(
            "this panel has no hours; add them with evalkit.panel.add_hours(panel, data, ...) "
            "or build the panel with StatusPanel.from_long(..., hours='<column>')."
        )
    first, last = _window(panel, window)
    j0, j1 = first - panel.first_week, last - panel.first_week + 1
    n = panel.n_persons
    total = np.zeros(n)
    with_hours = np.zeros(n, dtype=np.int64)
    observed = np.zeros(n, dtype=np.int64)
    for rows in row_blocks(n, panel.n_weeks):
        block = panel.hours[rows, j0:j1]
        total[rows] = np.nansum(block, axis=1)
        with_hours[rows] = _count(~np.isnan(block))
        observed[rows] = _count(panel.codes[rows, j0:j1] >= 0)
    frame = pd.DataFrame(
        {
            "id": panel.id_column(),
            "hours": total,
            "weeks_with_hours": with_hours,
            "weeks_observed": observed,
        }
    )
    return _finish(frame, panel, (first, last), window, int(observed.sum()), kept=kept)


def add_hours(
    panel: StatusPanel,
    data: pd.DataFrame,
    id: str,
    period: str,
    hours: str,
    period_type: str = "week",
    unmatched: str = "error",
) -> StatusPanel:
    """A new panel with ordinary paid hours from long data (the input panel is unchanged).

    For a calendar, non-aligned panel (add hours before :meth:`StatusPanel.align`, which
    carries them along). ``data`` has one row per person and period:

    * ``period_type="week"``: ``period`` holds ISO week labels (``"2016-W10"``), DREAM
      names, dates (the week containing them) or week ordinals, as
      :func:`~evalkit.panel.parse_weeks` reads them. The week's hours are stored as given.
    * ``period_type="month"``: ``period`` holds ``"YYYY-MM"`` strings, dates or pandas
      Periods (their month), as in the income register's monthly pay records. A month's
      hours are spread over the weeks that contain its days, in proportion to the number
      of the month's days in each week: a week with 3 of the 31 days of March gets 3/31
      of March's hours. A week straddling two months gets its share of each; the month
      total is preserved over the weeks the panel covers.

    Person-weeks without any record get NaN (no hours recorded). Hours in weeks after a
    person's first absorbing week are dropped, as :meth:`StatusPanel.from_long` does
    (follow-up has ended). A month only partly inside the panel's weeks keeps the share
    of the weeks inside it.

    Errors: duplicate (person, period) rows are a :class:`~evalkit.errors.DesignError`;
    negative, non-numeric or infinite hours an :class:`~evalkit.errors.ArgumentError`;
    missing values in the three columns a
    :class:`~evalkit.errors.MissingValueError`. Rows for persons not in the panel, or
    for periods entirely outside the panel's weeks, are a
    :class:`~evalkit.errors.DesignError` giving the counts by default
    (``unmatched="error"``); ``unmatched="drop"`` leaves them out with a
    :class:`~evalkit.panel.PanelWarning` giving the counts. A panel that already has
    hours is an :class:`~evalkit.errors.ArgumentError`.

    Example
    -------
    >>> import numpy as np
    >>> from evalkit.panel import StatusPanel, iso_week_ordinal
    >>> panel = StatusPanel(np.array([1, 2]), np.zeros((2, 5), dtype=np.int8), ("employed",),
    ...                     first_week=iso_week_ordinal(2016, 9), calendar=True)
    >>> pay = pd.DataFrame({"id": [1], "month": ["2016-03"], "hours": [155.0]})
    >>> with_hours = add_hours(panel, pay, "id", "month", "hours", period_type="month")
    >>> with_hours.hours.round(1)  # 2016-W09 holds 1-6 March: 6 of March's 31 days
    array([[30., 35., 35., 35., 20.],
           [nan, nan, nan, nan, nan]])
    """
    _check_panel(panel)
    if not panel.calendar or panel.aligned:
        raise ArgumentError(
            "add_hours needs a calendar panel that is not aligned (hours are dated by "
            "calendar week or month); add them before panel.align(...)."
        )
    check_choice(period_type, "period_type", ("week", "month"))
    check_choice(unmatched, "unmatched", ("error", "drop"))
    if panel.hours is not None:
        raise ArgumentError(
            "this panel already has hours; to replace them, start from "
            "dataclasses.replace(panel, hours=None)."
        )
    for role, name in (("id", id), ("period", period), ("hours", hours)):
        if not isinstance(name, str):
            raise ArgumentError(f"{role} must be a column name (a string); got {name!r}.")
    frame = select_columns(data, {"id": [id], "period": [period], "hours": [hours]})
    values = _hours_values(frame[hours], hours)
    ids = panel.id_index
    if not ids.is_unique:
        raise DesignError("the panel's ids are not unique; add_hours needs one row per person.")
    if period_type == "week":
        numbers, _ = parse_weeks(frame[period], "period")
        key_start = numbers
        outside = (numbers < panel.first_week) | (numbers >= panel.first_week + panel.n_weeks)
    else:
        months = _month_numbers(frame[period], period)
        key_start = months
        day0, day1 = _month_days(months)
        outside = (day1 < panel.first_week * 7) | (day0 >= (panel.first_week + panel.n_weeks) * 7)
    person, _ = pd.factorize(frame[id])
    dup = pd.DataFrame({"p": person, "k": key_start}).duplicated(keep=False).to_numpy()
    if dup.any():
        raise DesignError(
            f"{int(dup.sum())} rows share a (person, {period_type}) with another row (columns "
            f"{id!r} and {period!r}; {row_positions(dup)}). Keep one row per person and "
            f"{period_type} (sum them first if they are parts of the same period's hours)."
        )
    rows = ids.get_indexer(frame[id])
    problems = {
        "rows for persons not in the panel": int((rows < 0).sum()),
        f"rows for {period_type}s outside the panel's weeks": int(((rows >= 0) & outside).sum()),
    }
    found = {k: v for k, v in problems.items() if v}
    if found:
        text = "; ".join(f"{v} {k}" for k, v in found.items())
        if unmatched == "error":
            hint = ""
            if (rows < 0).all():
                hint = (
                    f" No id matches: the data's ids ({frame[id].dtype}) and the panel's "
                    f"({panel.ids.dtype}) may be of different types."
                )
            if (rows < 0).any():
                hint += f" Rows of persons not in the panel: {row_positions(rows < 0)}."
            raise DesignError(
                f"hours data and panel do not match: {text} (of {len(frame)} rows; the panel "
                f"covers weeks {_span_text(panel)}).{hint} Check the ids and periods, or pass "
                "unmatched='drop' to leave those rows out (with a warning)."
            )
        warnings.warn(f"add_hours(unmatched='drop'): left out {text}.", PanelWarning, stacklevel=2)
    keep = (rows >= 0) & ~outside
    matrix = np.full(panel.codes.shape, np.nan)
    if period_type == "week":
        matrix[rows[keep], numbers[keep] - panel.first_week] = values[keep]
    else:
        _spread_months(matrix, panel.first_week, rows[keep], day0[keep], day1[keep], values[keep])
    if panel.absorbing:
        _blank_after_absorbing(matrix, panel)
    return replace(panel, hours=matrix)


def full_year_persons(
    panel: StatusPanel, states: str | Iterable[str], by: str = "year"
) -> pd.DataFrame:
    """Full-year persons (helårspersoner) per calendar year or month and state.

    A full-year person is 52 weeks in a state within a year: the count is the person-weeks
    in the state during the period divided by the number of weeks in the period, so 26
    of 52 weeks is 0.5 and a 53-week ISO year divides by 53. This is the definition of
    jobindsats.dk ("fuldtidspersoner": weeks on benefit divided by the weeks in the
    period; 52 benefit weeks make one full-year person).

    A week belongs to the year or month that contains its Thursday (the ISO rule), so a
    year has the 52 or 53 weeks of its ISO year and a month 4 or 5 weeks. For a calendar,
    non-aligned panel.

    Columns (one row per period and state, periods in time order, states in the order
    given; each state counted separately)
    -------
    period : ``"2016"`` (``by="year"``) or ``"2016-03"`` (``by="month"``).
    state : the state.
    weeks : person-weeks in the state during the period, within the panel's weeks.
    period_weeks : the number of weeks in the period (52/53, or 4/5): the divisor.
    weeks_covered : how many of the period's weeks the panel covers.
    full_year_persons : ``weeks / period_weeks``.

    Periods only partly covered by the panel (at its edges) are included, but their
    divisor is still the full period's weeks, so they count only the covered weeks'
    share of the period: check ``weeks_covered < period_weeks``.

    The ``weeks`` column adds up across panels of different persons (chunks of a
    register): sum ``weeks`` by period and state and divide by ``period_weeks``.

    Example
    -------
    >>> import numpy as np
    >>> from evalkit.panel import StatusPanel, iso_week_ordinal
    >>> codes = np.zeros((2, 53), dtype=np.int8)
    >>> codes[1, 26:] = 1  # b: employed in the last 27 of the 53 weeks of 2015
    >>> panel = StatusPanel(np.array(["a", "b"]), codes, ("benefit", "employed"),
    ...                     first_week=iso_week_ordinal(2015, 1), calendar=True)
    >>> full_year_persons(panel, ["benefit", "employed"])
      period     state  weeks  period_weeks  weeks_covered  full_year_persons
    0   2015   benefit     79            53             53           1.490566
    1   2015  employed     27            53             53           0.509434
    """
    _check_panel(panel)
    if not panel.calendar or panel.aligned:
        raise ArgumentError(
            "full_year_persons needs a calendar panel that is not aligned (periods are "
            "calendar years or months); use the panel before panel.align(...)."
        )
    check_choice(by, "by", ("year", "month"))
    names = [states] if isinstance(states, str) else list(states)
    codes = panel.state_codes(names)
    if len(set(names)) != len(names):
        raise ArgumentError(f"states {names} name a state twice; give each state once.")
    if panel.n_weeks == 0:
        raise ArgumentError("this panel has no weeks.")
    weekly = np.zeros((len(codes), panel.n_weeks), dtype=np.int64)
    observed = 0
    for rows in row_blocks(panel.n_persons, panel.n_weeks):
        block = panel.codes[rows]
        for k, code in enumerate(codes):
            weekly[k] += _count_columns(block == code)
        observed += int(np.count_nonzero(block >= 0))
    thursdays = ordinal_to_monday(panel.weeks) + pd.Timedelta(days=3)
    years = thursdays.year.to_numpy()
    if by == "year":
        keys = years
    else:
        keys = years * 12 + thursdays.month.to_numpy() - 1
    uniques, starts, covered = np.unique(keys, return_index=True, return_counts=True)
    sums = np.add.reduceat(weekly, starts, axis=1)  # (states, periods)
    if by == "year":
        labels = [str(y) for y in uniques]
        divisor = np.array([dt.date(int(y), 12, 28).isocalendar()[1] for y in uniques])
    else:
        labels = [f"{k // 12}-{k % 12 + 1:02d}" for k in uniques]
        divisor = np.array([_thursdays_in_month(k // 12, k % 12 + 1) for k in uniques])
    n_states, n_periods = len(codes), len(uniques)
    weeks = sums.T.ravel()
    frame = pd.DataFrame(
        {
            "period": np.repeat(labels, n_states),
            "state": np.tile(np.array(names, dtype=object), n_periods),
            "weeks": weeks,
            "period_weeks": np.repeat(divisor, n_states),
            "weeks_covered": np.repeat(covered, n_states),
            "full_year_persons": weeks / np.repeat(divisor, n_states),
        }
    )
    frame = _finish(
        frame,
        panel,
        (panel.first_week, panel.first_week + panel.n_weeks - 1),
        None,
        observed,
        per_person=False,
    )
    frame.attrs["by"] = by
    return declare_full_year_persons(frame)


# ---------------------------------------------------------------------- shared
def _check_panel(panel) -> None:
    if not isinstance(panel, StatusPanel):
        raise ArgumentError(
            f"panel must be an evalkit.panel.StatusPanel; got {type(panel).__name__}. Build "
            "one with StatusPanel.from_long(...) or StatusPanel.from_wide(...)."
        )


def _count(mask: np.ndarray) -> np.ndarray:
    """True values per row of a boolean block (summing its bytes: faster than count_nonzero)."""
    dtype = np.int16 if mask.shape[1] < np.iinfo(np.int16).max else np.int64
    return mask.view(np.uint8).sum(axis=1, dtype=dtype)


def _count_columns(mask: np.ndarray) -> np.ndarray:
    """True values per column of a boolean block (narrow sums are faster; no overflow)."""
    dtype = np.uint16 if mask.shape[0] <= np.iinfo(np.uint16).max else np.int64
    return mask.view(np.uint8).sum(axis=0, dtype=dtype)


def _week_number(panel: StatusPanel, value, what: str) -> int:
    """A week number of the panel from an integer (or, for calendar panels, a label/date)."""
    if isinstance(value, bool | np.bool_):
        raise ArgumentError(f"{what} must be a week number; got {value!r}.")
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    if panel.calendar and not panel.aligned and isinstance(value, str | dt.date | np.datetime64):
        numbers, _ = parse_weeks([value], what)
        return int(numbers[0])
    kind = (
        "a week ordinal, an ISO label such as '2016-W10' or a date"
        if panel.calendar and not panel.aligned
        else "a whole week number (weeks relative to the reference week)"
        if panel.aligned
        else "a whole week number"
    )
    raise ArgumentError(f"{what} must be {kind}; got {value!r}.")


def _span_text(panel: StatusPanel) -> str:
    if panel.n_weeks == 0:
        return "none"
    last = panel.first_week + panel.n_weeks - 1
    if panel.calendar and not panel.aligned:
        a, b = ordinal_to_label([panel.first_week, last])
        return f"{a}..{b}"
    return f"{panel.first_week}..{last}"


def _window(panel: StatusPanel, window) -> tuple[int, int]:
    """The window's weeks, clipped to the panel; an error when it does not overlap it."""
    if isinstance(window, str) or not isinstance(window, tuple | list) or len(window) != 2:
        raise ArgumentError(
            f"window must be a (first, last) pair of weeks, both included, e.g. (1, 52); "
            f"got {window!r}."
        )
    first = _week_number(panel, window[0], "window start")
    last = _week_number(panel, window[1], "window end")
    if first > last:
        raise ArgumentError(f"window ({first}, {last}) ends before it starts; give (first, last).")
    if panel.n_weeks == 0:
        raise ArgumentError("this panel has no weeks.")
    panel_last = panel.first_week + panel.n_weeks - 1
    if last < panel.first_week or first > panel_last:
        labels = f" ({_span_text(panel)})" if panel.calendar and not panel.aligned else ""
        raise ArgumentError(
            f"window ({first}, {last}) does not overlap this panel's weeks "
            f"{panel.first_week}..{panel_last}{labels}; choose weeks inside it."
        )
    return max(first, panel.first_week), min(last, panel_last)


def _finish(
    frame, panel, used, requested, person_weeks, per_person=True, kept=None
) -> pd.DataFrame:
    """Record what was used in ``frame.attrs``; a frame of one row per person is declared
    person-level for the output gate (microdata: never exported from register data).
    ``kept``: trial-list columns placed after ``id`` (see ``evalkit._arm.kept_columns``)."""
    frame = insert_after_id(frame, kept)
    frame.attrs["n_persons"] = panel.n_persons
    frame.attrs["person_weeks"] = person_weeks
    frame.attrs["window"] = (int(used[0]), int(used[1]))
    if requested is not None:
        frame.attrs["window_requested"] = tuple(requested)
    if panel.calendar and not panel.aligned:
        frame.attrs["window_labels"] = tuple(ordinal_to_label(list(used)))
    return declare_table(frame, person_level=True) if per_person else frame


def declare_full_year_persons(frame: pd.DataFrame) -> pd.DataFrame:
    """A :func:`full_year_persons` frame declared for the output gate: full-year persons
    are a (fractional) count of persons, and the person-weeks, which give them away
    (``weeks / period_weeks``), rest on them. A person adds at most one full-year person,
    so a count of at least the threshold rests on at least as many persons."""
    return declare_table(
        frame, counts=["full_year_persons"], dependent={"weeks": ["full_year_persons"]}
    )


def _first_entry(panel, states, min_weeks: int, start, end, keep=None, id="id") -> pd.DataFrame:
    """Shared body of time_to_first (min_weeks=1) and first_durable_entry."""
    _check_panel(panel)
    kept = kept_columns(panel, keep, id)
    codes = panel.state_codes(states)
    absorbing = panel.state_codes(panel.absorbing) if panel.absorbing else None
    start = _week_number(panel, start, "start")
    if not panel.first_week <= start < panel.first_week + panel.n_weeks:
        hint = " (week numbers of a calendar panel are ordinals: pass e.g. start='2016-W10')"
        raise ArgumentError(
            f"start week {start} is outside this panel (weeks {_span_text(panel)}); follow-up "
            f"must start in a week of the panel"
            + (hint if panel.calendar and not panel.aligned else "")
            + "."
        )
    panel_last = panel.first_week + panel.n_weeks - 1
    stop = panel_last if end is None else _week_number(panel, end, "end")
    if stop < start:
        raise ArgumentError(
            f"end ({stop}) is before start ({start}); follow-up needs end >= start."
        )
    stop = min(stop, panel_last)
    j0, j1 = start - panel.first_week, stop - panel.first_week + 1
    width = j1 - j0
    if min_weeks > width:
        raise ArgumentError(
            f"min_weeks={min_weeks} is longer than the follow-up (weeks {start}..{stop}, "
            f"{width} weeks): no run could qualify. Lower min_weeks or widen start..end."
        )
    n = panel.n_persons
    # One scan: where the first long enough run begins, the observed weeks, whether the
    # start week is observed, and for the censored their last observed week.
    found = first_long_run(panel.codes, codes, len(panel.states), (j0, j1), min_weeks)
    person_weeks, at_start, entry = found.person_weeks, found.observed_first, found.first
    event = (entry >= 0) & at_start
    last_seen = found.last_seen
    reason = np.zeros(n, dtype=np.int8)  # 0 = end of follow-up
    if absorbing is not None:
        reason[np.isin(found.last_code, absorbing)] = 1
    reason[~at_start] = 2
    reason[event] = -1
    duration = np.where(event, entry, last_seen) + 1
    duration[~at_start] = 0
    frame = pd.DataFrame(
        {
            "id": panel.id_column(),
            "duration": duration,
            "event": event.astype(np.int64),
            "entry_week": pd.arrays.IntegerArray(entry + start, ~event),
            "censoring": pd.Categorical.from_codes(
                reason, dtype=pd.CategoricalDtype(CENSORING), validate=False
            ),
        },
        copy=False,
    )
    frame = _finish(frame, panel, (start, stop), None, person_weeks, kept=kept)
    frame.attrs["start"] = start
    frame.attrs["min_weeks"] = min_weeks
    return frame


def _hours_values(series: pd.Series, name: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(series.dtype) or not pd.api.types.is_numeric_dtype(series.dtype):
        raise ArgumentError(
            f"hours column {name!r} must be numeric; it has dtype {series.dtype}. Convert it "
            "with pd.to_numeric."
        )
    values = series.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise ArgumentError(f"hours column {name!r} holds infinite values; remove or recode them.")
    negative = values < 0
    if negative.any():
        raise ArgumentError(
            f"hours column {name!r} holds {int(negative.sum())} negative values (e.g. "
            f"{values[negative][:3].tolist()}); hours must be >= 0."
        )
    return values


def _month_numbers(series: pd.Series, name: str) -> np.ndarray:
    """Months as ``year * 12 + month - 1`` from 'YYYY-MM' strings, dates or Periods."""
    if isinstance(series.dtype, pd.PeriodDtype) or pd.api.types.is_datetime64_any_dtype(
        series.dtype
    ):
        return (series.dt.year * 12 + series.dt.month - 1).to_numpy(dtype=np.int64)
    values = series.to_numpy(dtype=object)
    if all(isinstance(v, dt.date | pd.Period) for v in values):
        return np.array([v.year * 12 + v.month - 1 for v in values], dtype=np.int64)
    if pd.api.types.is_numeric_dtype(series.dtype):
        raise ArgumentError(
            f"monthly period column {name!r} holds numbers; give months as 'YYYY-MM' strings, "
            "dates or pandas Periods."
        )
    inverse, uniques = pd.factorize(series.astype(str).str.strip())
    numbers = np.empty(len(uniques), dtype=np.int64)
    for i, label in enumerate(uniques):
        match = _MONTH.match(label)
        if not match or not 1 <= int(match.group(2)) <= 12:
            unread = inverse == i
            reason = _withheld([label], name)
            where = f"{int(unread.sum())} rows, {row_positions(unread)}"
            shown = (
                f"months in column {name!r} ({where}; {reason})"
                if reason
                else (f"month {label!r} in column {name!r} ({where})")
            )
            raise ArgumentError(
                f"cannot read {shown}: use 'YYYY-MM' strings "
                "(e.g. '2016-03'), dates or pandas Periods."
            )
        numbers[i] = int(match.group(1)) * 12 + int(match.group(2)) - 1
    return numbers[inverse]


def _month_days(months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last day of each month, as days since the epoch Monday of week 0."""
    since_1970 = (months - 1970 * 12).astype("datetime64[M]")
    first = since_1970.astype("datetime64[D]")
    last = (since_1970 + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    epoch = np.datetime64(EPOCH_MONDAY, "D")
    return (first - epoch).astype(np.int64), (last - epoch).astype(np.int64)


def _spread_months(matrix, first_week, rows, day0, day1, values) -> None:
    """Add each month's hours to its weeks, in proportion to the month's days in each week."""
    n_days = day1 - day0 + 1
    weeks = (day0 // 7)[:, None] + np.arange(6)[None, :]  # a month touches at most 6 weeks
    overlap = np.minimum(day1[:, None], weeks * 7 + 6) - np.maximum(day0[:, None], weeks * 7) + 1
    cols = weeks - first_week
    keep = (overlap > 0) & (cols >= 0) & (cols < matrix.shape[1])
    flat = (rows[:, None].astype(np.int64) * matrix.shape[1] + cols)[keep]
    share = (values[:, None] * overlap / n_days[:, None])[keep]
    cells, inverse = np.unique(flat, return_inverse=True)
    matrix.ravel()[cells] = np.bincount(inverse, weights=share, minlength=len(cells))


def _blank_after_absorbing(matrix: np.ndarray, panel: StatusPanel) -> None:
    """Hours after a person's first absorbing week become NaN (follow-up has ended)."""
    codes = panel.state_codes(panel.absorbing)
    columns = np.arange(panel.n_weeks)
    for rows in row_blocks(panel.n_persons, panel.n_weeks):
        absorbed = in_set(panel.codes[rows], codes, len(panel.states))
        first = np.where(absorbed.any(axis=1), absorbed.argmax(axis=1), panel.n_weeks)
        matrix[rows][columns[None, :] > first[:, None]] = np.nan


def _thursdays_in_month(year: int, month: int) -> int:
    """Weeks of a month under the ISO rule: the number of Thursdays in it."""
    first = dt.date(year, month, 1)
    days = (dt.date(year + month // 12, month % 12 + 1, 1) - first).days
    first_thursday = (3 - first.weekday()) % 7
    return (days - 1 - first_thursday) // 7 + 1
