"""Recurrent entries into a set of states, as counting-process rows for survival methods.

A person on a weekly register may enter self-sufficiency several times (Impact60's
participants moved through several short jobs). :func:`recurrent_entries` turns a
:class:`~evalkit.panel.StatusPanel` into the rows that recurrent-event methods take —
one interval ``(start, stop]`` per person between successive entries, ``event`` 1 where
the interval ends in an entry — for :func:`evalkit.survival.mean_cumulative_function`
(R: ``survfit(Surv(start, stop, event) ~ arm, id = id)``).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import ArgumentError
from ..output.declare import declare_table
from .panel import StatusPanel


def recurrent_entries(
    panel: StatusPanel, states: str | Iterable[str], start: int = 0
) -> pd.DataFrame:
    """Entries into ``states`` after week ``start``, as counting-process rows.

    An *entry* in week ``t`` is a week in ``states`` whose previous week is observed and
    not in ``states``; entries in weeks ``start + 1`` to the person's last observed week
    count (an entry in the panel's first column, or right after a week not observed, is
    not seen as one and does not count). Follow-up of a person runs from ``start`` to the
    last week observed at or after ``start``; weeks not observed in between count as
    follow-up. Persons with no observed week after ``start`` have no rows.

    Returns
    -------
    DataFrame
        ``id``, ``start``, ``stop``, ``event`` (0/1): a person's rows are
        ``(start, t1], (t1, t2], ..., (tk, T]``, the ``t`` their entries (event 1) and
        ``T`` the end of follow-up (event 0; left out when the last entry is in week
        ``T``). One row per interval of a person: declared person-level for the output
        gate.

    Example
    -------
    >>> p = StatusPanel(["a", "b"], [[1, 0, 1, 0, 0], [1, 1, -1, -1, -1]], ("job", "benefit"))
    >>> recurrent_entries(p, "job").to_dict("list")
    {'id': ['a', 'a', 'a', 'b'], 'start': [0, 1, 3, 0], 'stop': [1, 3, 4, 1], 'event': [1, 1, 0, 0]}
    """
    if not isinstance(panel, StatusPanel):
        raise ArgumentError(f"panel must be a StatusPanel; got {type(panel).__name__}.")
    if isinstance(start, bool) or not isinstance(start, int | np.integer):
        raise ArgumentError(f"start must be a whole week number; got {start!r}.")
    inside = panel.in_states(states)
    observed = panel.observed
    weeks = panel.weeks
    entry = np.zeros_like(inside)
    entry[:, 1:] = inside[:, 1:] & observed[:, :-1] & ~inside[:, :-1]
    entry[:, weeks <= start] = False
    after = observed & (weeks >= start)[None, :]
    n_weeks = len(weeks)
    last_col = n_weeks - 1 - np.argmax(after[:, ::-1], axis=1)
    end = weeks[last_col]
    followed = after.any(axis=1) & (end > start)
    person, column = np.nonzero(entry)  # row-major: by person, then week
    keep = followed[person]
    person, times = person[keep], weeks[column[keep]]
    persons = np.flatnonzero(followed)
    # every person followed gets a closing row at the end of follow-up unless the last
    # entry is in that week
    stops = np.concatenate([times, end[persons]])
    owner = np.concatenate([person, persons])
    events = np.concatenate([np.ones(len(times), np.int8), np.zeros(len(persons), np.int8)])
    order = np.lexsort((1 - events, stops, owner))  # by person, time; entry before closing
    owner, stops, events = owner[order], stops[order], events[order]
    duplicate = np.zeros(len(owner), bool)
    duplicate[1:] = (owner[1:] == owner[:-1]) & (stops[1:] == stops[:-1]) & (events[1:] == 0)
    owner, stops, events = owner[~duplicate], stops[~duplicate], events[~duplicate]
    starts = np.full(len(owner), start, dtype=weeks.dtype)
    same = np.zeros(len(owner), bool)
    same[1:] = owner[1:] == owner[:-1]
    starts[same] = stops[:-1][same[1:]]
    frame = pd.DataFrame(
        {"id": panel.ids[owner], "start": starts, "stop": stops, "event": events.astype(int)}
    )
    return declare_table(frame, person_level=True)
