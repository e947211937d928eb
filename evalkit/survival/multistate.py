r"""Multi-state models: where are the persons, week by week?

:func:`state_occupation` estimates the probability :math:`P_s(t)` of being in state
:math:`s` at time :math:`t` for any number of states with transitions in every
direction (benefit -> job -> benefit -> education ...), by the Aalen–Johansen (1978)
estimator, with the infinitesimal-jackknife standard error of R's ``survfit`` with a
multi-state (factor) status, ``survfit(Surv(start, stop, to) ~ arm, id = id, istate =
from)`` (survival 3.x, ``survfitCI``/``Csurvfitci``).

Input
-----
Counting-process rows, one per stretch of time a person spends in one state: ``(start,
stop]``, the state ``from`` occupied during it and the state ``to`` entered at ``stop``
(missing when the row ends censored). :func:`panel_transitions` makes them from a weekly
:class:`~evalkit.panel.StatusPanel`: a run of weeks ``a..b`` in one state is the row
``(a - 1, b]`` when the person enters observation at week ``a`` (``(a, b]`` when the run
starts with a move at week ``a``), ending with a move at ``b + 1`` into the next week's
state or censored at ``b`` before an unobserved week or the panel's end (a run entered by
a move and censored in the same week is no row: it adds no time at risk). So :math:`P_s(w)`
is estimated for the weeks ``w`` themselves and, without censoring, equals the share of
the persons in state ``s`` in week ``w``.

Estimator
---------
At the distinct stop times :math:`t_1 < t_2 < \dots` let :math:`n_j(h)` be the persons at
risk in state :math:`h` (start < t <= stop) and :math:`d_j(h, k)` the moves from
:math:`h` to :math:`k` at :math:`t_j`. With :math:`H_j = I + \Delta A_j`,
:math:`\Delta A_j(h, k) = d_j(h, k) / n_j(h)` (:math:`k \ne h`) and rows summing to one,

.. math::

    P(t) = p_0 \prod_{t_j \le t} H_j ,

:math:`p_0` being the distribution of the states occupied at the first move time by the
persons at risk then (R's default ``p0``).

Variance (infinitesimal jackknife, R's default): each person :math:`i` carries an
influence row vector :math:`U_i`, updated at every move time by

.. math::

    U_i \leftarrow U_i H_j + Y_i(t_j) \frac{P_{h_i}(t_{j-1})}{n_j(h_i)}
        \big(e_{k_i} - H_j(h_i, \cdot)\big),

where :math:`h_i` is the state person :math:`i` is at risk in and :math:`k_i` the state
they move to (:math:`k_i = h_i` without a move); ``std_error`` is
:math:`\sqrt{\sum_i U_{is}(t)^2}`. As in R's default, :math:`U_i` starts at zero (the
variability of :math:`p_0` is not included); ``p0_variance=True`` starts it at
:math:`(e_{h_i} - p_0)/n_0` for the persons at risk at the first move time, as
``survfit(..., influence = TRUE)``. Every move time costs :math:`O(\text{persons} \cdot
K^2)` for the :math:`K` states, vectorised over persons; the loop is over the distinct
times (weeks). Intervals are R's default ``conf.type = "log"``: :math:`P \exp(\pm z
\,\mathrm{se}/P)`, capped at 1, none where :math:`P = 0`.

Transition counts and rates
---------------------------
:attr:`StateOccupation.transitions` has per (group,) from-state and to-state the number
of moves, the persons and the person-time at risk in the from-state and the rate
(moves per unit of person-time: the occurrence/exposure estimate of a constant
transition intensity).

Differences from R
------------------
R refuses gaps in a person's rows (``survcheck`` flags them); evalkit lets a person leave
observation and re-enter (a gap in the register), at risk again from the new row's start
in its ``from`` state. A row whose ``to`` equals its ``from`` is refused (R ignores such a
"move"). Rows of a person that touch must agree: the next row's ``from`` is the state the
previous one ended in.

References
----------
Aalen, O. O. & Johansen, S. (1978). An empirical transition matrix for non-homogeneous
Markov chains based on censored observations. *Scand. J. Statist.* 5, 141-150.
Therneau, T., Crowson, C. & Atkinson, E. *Multi-state models and competing risks*,
vignette of the R package survival. Andersen, P. K., Borgan, Ø., Gill, R. D. & Keiding,
N. (1993). *Statistical Models Based on Counting Processes*, ch. IV.4. Springer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._arm import resolve_arm, trial_values
from .._validation import _show, check_alpha, row_positions
from ..errors import ArgumentError, ColumnError, DesignError
from ..output.declare import declare_table
from ..results import TableDisplay
from ..results import fmt_value as _fmt
from ._steps import at_times, interval_rows, log_interval

__all__ = ["StateOccupation", "panel_transitions", "state_occupation"]


# --------------------------------------------------------------------------- panel
def panel_transitions(panel) -> pd.DataFrame:
    """The counting-process rows of a weekly :class:`~evalkit.panel.StatusPanel`.

    One row per run of weeks a person spends in one state (see the module docstring):
    ``id``, ``start``, ``stop`` (week numbers), ``from`` and ``to`` (state names; ``to``
    missing where the row ends censored). Vectorised over the persons x weeks array.

    Examples
    --------
    >>> import numpy as np
    >>> from evalkit.panel import StatusPanel
    >>> codes = np.array([[0, 0, 1, 1], [1, 1, -1, 0]])
    >>> panel = StatusPanel(np.array([7, 8]), codes, ("benefit", "job"), aligned=True)
    >>> panel_transitions(panel)
       id  start  stop     from  to
    0   7     -1     2  benefit job
    1   7      2     3      job NaN
    2   8     -1     1      job NaN
    3   8      2     3  benefit NaN
    """
    if not hasattr(panel, "codes") or not hasattr(panel, "states"):
        raise ArgumentError(f"panel must be a StatusPanel; got {type(panel).__name__}.")
    codes = np.asarray(panel.codes)
    n, w = codes.shape
    obs = codes >= 0
    prev = np.full_like(codes, -1)
    prev[:, 1:] = codes[:, :-1]
    nxt = np.full_like(codes, -1)
    nxt[:, :-1] = codes[:, 1:]
    begins = obs & (prev != codes)
    ends = obs & (nxt != codes)
    person, first = np.nonzero(begins)
    person_end, last = np.nonzero(ends)  # same order: runs in row-major order
    state = codes[person, first]
    entered = prev[person, first] < 0  # entry (first week or after a gap)
    next_state = nxt[person_end, last]
    moved = next_state >= 0
    week0 = int(panel.first_week)
    start = first + week0 - entered.astype(np.int64)
    stop = last + week0 + moved.astype(np.int64)
    names = np.asarray(panel.states, dtype=object)
    to = np.where(moved, names[np.maximum(next_state, 0)], None)
    frame = pd.DataFrame(
        {
            "id": np.asarray(panel.ids)[person],
            "start": start.astype(np.int64),
            "stop": stop.astype(np.int64),
            "from": names[state],
            "to": pd.array(to, dtype=object),
        }
    )
    frame.loc[~moved, "to"] = np.nan
    # a run entered by a move and censored in the same week adds no time at risk
    empty = frame["start"].to_numpy() >= frame["stop"].to_numpy()
    return frame.loc[~empty].reset_index(drop=True) if empty.any() else frame


# --------------------------------------------------------------------------- estimator
def _aalen_johansen(start, stop, src, dst, person, n_persons, n_states, p0_variance):
    """Arrays of one group on its distinct stop times (see the module docstring).

    ``src`` from-state codes, ``dst`` to-state codes (-1 censored), ``person`` codes.
    Returns times, prob (T x K), se (T x K), n_risk, n_event, n_exit, n_censored (T x K),
    flows (T x K x K) and whether each censored row counted as censoring.
    """
    k = n_states
    # R drops a censored row inside a run of touching rows (its stop is no time point)
    order = np.lexsort((start, person))
    ps, st, sp = person[order], start[order], stop[order]
    touch_next = np.zeros(order.size, dtype=bool)
    touch_next[:-1] = (ps[1:] == ps[:-1]) & (st[1:] == sp[:-1])
    touch_prev = np.zeros(order.size, dtype=bool)
    touch_prev[1:] = touch_next[:-1]
    middle = np.empty(order.size, dtype=bool)
    middle[order] = touch_next & touch_prev & (dst[order] < 0)
    censored = (dst < 0) & ~middle
    times = np.unique(stop[~middle])
    m = times.size
    slot = np.searchsorted(times, stop)
    flows = np.zeros((m, k, k))
    moves = dst >= 0
    np.add.at(flows, (slot[moves], src[moves], dst[moves]), 1.0)
    n_event = flows.sum(axis=1)
    n_exit = flows.sum(axis=2)
    n_cens = np.zeros((m, k))
    np.add.at(n_cens, (slot[censored], src[censored]), 1.0)
    n_risk = np.zeros((m, k))
    for s in range(k):
        rows = src == s
        e = np.sort(stop[rows])
        b = np.sort(start[rows])
        n_risk[:, s] = (e.size - np.searchsorted(e, times, side="left")) - (
            b.size - np.searchsorted(b, times, side="left")
        )
    # p0: the states of those at risk at the first move time
    t0 = stop[moves].min() if moves.any() else times[-1]
    at_zero = (start < t0) & (stop >= t0)
    n0 = int(at_zero.sum())
    p = np.bincount(src[at_zero], minlength=k).astype(float) / max(n0, 1)
    u = np.zeros((n_persons, k))
    if p0_variance and np.all(p < 1):
        who = person[at_zero]
        u[who] = (np.eye(k)[src[at_zero]] - p) / n0
    p_start = p.copy()
    move_rows = np.flatnonzero(moves)
    move_rows = move_rows[np.argsort(slot[move_rows], kind="stable")]
    move_bounds = np.searchsorted(slot[move_rows], np.arange(m + 1))
    prob = np.empty((m, k))
    se = np.empty((m, k))
    cur = np.full(n_persons, -1)  # the state each person is at risk in, -1 none
    by_start = np.argsort(start, kind="stable")
    by_stop = np.argsort(stop, kind="stable")
    i_start = i_stop = 0
    ident = np.eye(k)
    var = np.sqrt((u * u).sum(axis=0))
    for j in range(m):
        t = times[j]
        while i_stop < stop.size and stop[by_stop[i_stop]] < t:  # left before t
            r = by_stop[i_stop]
            if cur[person[r]] == src[r]:
                cur[person[r]] = -1
            i_stop += 1
        while i_start < start.size and start[by_start[i_start]] < t:  # entered before t
            r = by_start[i_start]
            if stop[r] >= t:
                cur[person[r]] = src[r]
            i_start += 1
        if flows[j].any():
            ws = n_risk[j]
            h = ident.copy()
            live = ws > 0
            h[live] = flows[j][live] / ws[live, None]
            h[live, np.flatnonzero(live)] = 0.0
            h[live, np.flatnonzero(live)] = 1.0 - h[live].sum(axis=1)
            c = np.where(live, p / np.where(live, ws, 1.0), 0.0)
            u = u @ h
            risk = np.flatnonzero(cur >= 0)
            hs = cur[risk]
            u[risk] -= h[hs] * c[hs, None]
            np.add.at(u, (risk, hs), c[hs])
            here = move_rows[move_bounds[j] : move_bounds[j + 1]]  # the moves at t
            hp = src[here]
            np.add.at(u, (person[here], dst[here]), c[hp])
            np.add.at(u, (person[here], hp), -c[hp])
            p = p @ h
            var = np.sqrt((u * u).sum(axis=0))
        prob[j] = p
        se[j] = var
    return times, prob, se, n_risk, n_event, n_exit, n_cens, flows, p_start


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class StateOccupation(TableDisplay):
    """Aalen–Johansen state occupation probabilities, one set of curves per group.

    Curves over time, not one inferential result: a table result.

    Attributes
    ----------
    table : one row per (group,) distinct stop time and state: ``group`` (when
        grouped), ``time``, ``state``, ``probability`` (:math:`P_s(t)`), ``std_error``
        (infinitesimal jackknife, R's ``std.err``), ``ci_low``, ``ci_high`` (log
        interval), ``n_risk`` (persons at risk in the state just before the time),
        ``n_event`` (moves into the state at the time), ``n_exit`` (moves out of it),
        ``n_censored`` (rows ending censored in the state).
    transitions : per (group,) ``from``, ``to``: ``n_transitions``, ``n_persons``
        (persons with time at risk in the from-state), ``person_time`` and ``rate``
        (moves per unit of person-time in the from-state).
    p0 : the initial distribution per group (a frame: group, state, probability).
    states : the state names, in the order of the table.

    The exact table is :meth:`to_frame` (declared: an export suppresses the
    probabilities whenever a step rests on fewer persons than the threshold);
    :meth:`safe_table` pools the time steps for publication (see
    :mod:`evalkit.survival.multistate_safe`) and the notebook view shows it.
    """

    table: pd.DataFrame
    transitions: pd.DataFrame
    p0: pd.DataFrame
    states: tuple[str, ...]
    groups: tuple | None
    group: str | None
    n_persons: tuple[int, ...]
    n_rows: tuple[int, ...]
    alpha: float
    p0_variance: bool = False
    _flows: dict = field(repr=False, default_factory=dict)
    _view_max_rows = 40

    method = (
        "Aalen-Johansen state occupation probabilities; infinitesimal-jackknife standard "
        "errors; log-transformed confidence intervals"
    )

    def _parts(self):
        keys = [None] if self.groups is None else list(self.groups)
        for i, key in enumerate(keys):
            part = self.table if key is None else self.table[self.table["group"] == key]
            yield i, key, part

    def at(self, times, group=None) -> pd.DataFrame:
        """The probabilities at ``times`` (steps; ``p0`` before the first time, NaN after
        the last): ``time``, ``state``, ``probability``, ``std_error``, ``ci_low``,
        ``ci_high``."""
        points = at_times(times, group, self.groups)
        pieces = []
        for _, key, part in self._parts():
            if group is not None and key != group:
                continue
            for state in self.states:
                curve = part[part["state"] == state]
                grid = curve["time"].to_numpy()
                idx = np.searchsorted(grid, points, side="right") - 1
                first = max(idx.min(initial=0), 0)
                values = {}
                for column in ("probability", "std_error", "ci_low", "ci_high"):
                    source = curve[column].to_numpy()
                    out = source[np.maximum(idx, first)].astype(float)
                    values[column] = np.where(points > grid[-1], np.nan, out)
                piece = pd.DataFrame({"time": points, "state": state, **values})
                if key is not None:
                    piece.insert(0, "group", key)
                pieces.append(piece)
        return pd.concat(pieces, ignore_index=True)

    def to_frame(self) -> pd.DataFrame:
        """The exact table (a copy), declared to the output gate."""
        return self.table.copy()

    def safe_table(self, threshold: int | None = None, grid=None) -> pd.DataFrame:
        """The table as it may be published (default threshold: the output rules'):
        :func:`evalkit.survival.multistate_safe.safe_occupation` (its module docstring
        has the rule): published times where every state share and its rest rest on 0
        or at least ``threshold`` persons and no state changes by 1 to ``threshold - 1``
        persons between consecutive published times; small states merged into
        ``other``. ``grid``: None (every time), a spacing or a list of times.
        Declared as controlled at ``threshold``."""
        from .multistate_safe import safe_occupation

        return safe_occupation(self, threshold, grid=grid).table

    def _display_frame(self) -> pd.DataFrame:
        return self.safe_table()

    def _view_counts(self) -> dict:
        counts = {}
        for i, key, part in self._parts():
            name = "" if key is None else f"{self.group} = {key}: "
            counts[f"{name}persons"] = self.n_persons[i]
            counts[f"{name}moves"] = int(part["n_event"].sum())
        return counts

    def _header(self) -> list[str]:
        level = f"{100 * (1 - self.alpha):g}%"
        lines = [self.method, f"States: {', '.join(self.states)}"]
        for i, key, part in self._parts():
            name = "all" if key is None else f"{self.group} = {key}"
            last_time = part["time"].max()
            last = part[part["time"] == last_time]
            probs = ", ".join(
                f"{s} {_fmt(v)}" for s, v in zip(last["state"], last["probability"], strict=True)
            )
            lines.append(
                f"  {name}: persons = {self.n_persons[i]}, moves = {int(part['n_event'].sum())}, "
                f"at {_fmt(last_time)}: {probs}"
            )
        lines.append(f"Standard errors and {level} CIs in the table")
        return lines

    def summary(self) -> str:
        """Persons, moves and the final probabilities per group."""
        return "\n".join(self._header())


# --------------------------------------------------------------------------- function
def state_occupation(
    data,
    id: str = "id",
    start: str = "start",
    stop: str = "stop",
    to: str = "to",
    from_state: str | None = "from",
    group: str | None = None,
    treatment: str | None = None,
    trial: pd.DataFrame | None = None,
    initial: str | None = None,
    states=None,
    alpha: float = 0.05,
    p0_variance: bool = False,
    missing: str = "error",
) -> StateOccupation:
    r"""Probabilities of being in each state at each time (Aalen–Johansen), by arm.

    Parameters
    ----------
    data : a transitions table (one row per interval a person spends in one state; not
        modified) or a :class:`~evalkit.panel.StatusPanel` (turned into one by
        :func:`panel_transitions`).
    id, start, stop : the person, and the interval ``(start, stop]`` of the row.
    to : the state entered at ``stop``; missing (NaN/None) where the row ends censored.
    from_state : the state occupied during the row; None = derived: a person's first
        row starts in ``initial`` and each later row where the previous ended.
    group, treatment : curves per group, or per 0/1 arm (not both). With a panel, the
        column is read from ``trial`` (one row per person, the panel's ids in ``id``).
    initial : the starting state of everyone when ``from_state`` is None.
    states : the states in the order wanted (default: sorted names); every state in
        the data must be listed.
    alpha : 1 - confidence level.
    p0_variance : include the variability of the initial distribution in the standard
        errors (R's ``influence = TRUE``); default False, as R's default.
    missing : ``"error"`` or ``"drop"`` for missing values in the used columns other
        than ``to``.

    Returns
    -------
    StateOccupation
        ``table`` (probabilities, R's ``pstate`` and ``std.err``, with counts),
        ``transitions`` (counts, person-time and rates), ``p0``.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"id": [1, 1, 2, 3, 3, 4, 5],
    ...     "start": [-1, 2, -1, -1, 1, -1, -1], "stop": [2, 5, 3, 1, 4, 6, 2],
    ...     "from": ["benefit", "job", "benefit", "benefit", "job", "job", "benefit"],
    ...     "to": ["job", "benefit", None, "job", "educ", None, "job"]})
    >>> fit = state_occupation(rows, states=["benefit", "job", "educ"])
    >>> fit.at([1, 4, 5])[["time", "state", "probability"]].round(4)
       time    state  probability
    0   1.0  benefit       0.6000
    1   4.0  benefit       0.2000
    2   5.0  benefit       0.4667
    3   1.0      job       0.4000
    4   4.0      job       0.5333
    5   5.0      job       0.2667
    6   1.0     educ       0.0000
    7   4.0     educ       0.2667
    8   5.0     educ       0.2667
    """
    alpha = check_alpha(alpha)
    if not isinstance(p0_variance, bool):
        raise ArgumentError(f"p0_variance must be True or False; got {p0_variance!r}.")
    if hasattr(data, "codes") and hasattr(data, "states"):
        frame = panel_transitions(data)
        column = group if group is not None else treatment
        if column is not None:
            if trial is None:
                raise ArgumentError(
                    "with a StatusPanel, give trial= (one row per person with the panel's "
                    f"ids in column {id!r}) holding the column {column!r}."
                )
            values = trial_values(data, trial, id, [column], "trial")[column]
            resolve_arm(trial, group, treatment, "state_occupation")
            lookup = pd.Series(values.to_numpy(), index=pd.Index(np.asarray(data.ids)))
            frame[column] = lookup.reindex(frame["id"].to_numpy()).to_numpy()
        data_frame, id_col, start, stop, to, from_state = frame, "id", "start", "stop", "to", "from"
        if states is None:
            states = list(data.states)
    else:
        if trial is not None:
            raise ArgumentError("trial= is for a StatusPanel; a transitions table holds its arms.")
        data_frame, id_col = data, id
    group_col = resolve_arm(data_frame, group, treatment, "state_occupation")
    if not isinstance(to, str):
        raise ArgumentError(f"to must be a column name; got {to!r}.")
    if to not in getattr(data_frame, "columns", []):
        raise ColumnError(f"to column {to!r} is not in the data.")
    extra = [from_state] if from_state is not None else []
    rows = interval_rows(data_frame, stop, start, id_col, group_col, extra, missing)
    if rows.start is None:  # pragma: no cover - start is required here
        raise ArgumentError("start is required.")
    to_values = data_frame[to] if rows.rows is None else data_frame[to].iloc[rows.rows]
    to_values = to_values.to_numpy(dtype=object)
    to_missing = pd.isna(to_values)
    if from_state is None:
        if initial is None:
            raise ArgumentError(
                "give from_state= (the column of the state occupied in each row) or "
                "initial= (the state every person starts in)."
            )
        from_values = _derive_from(rows, to_values, to_missing, initial)
    else:
        from_values = rows.frame[from_state].to_numpy(dtype=object)
    present = sorted({*map(str, from_values), *map(str, to_values[~to_missing])})
    if states is None:
        states = present
    states = [str(s) for s in states]
    unknown = [s for s in present if s not in states]
    if unknown or len(set(states)) != len(states):
        raise ArgumentError(
            f"states must list every state of the data once; not listed: {_show(unknown)}."
        )
    code = {s: i for i, s in enumerate(states)}
    src = np.array([code[str(v)] for v in from_values], dtype=np.int64)
    dst = np.full(src.size, -1, dtype=np.int64)
    dst[~to_missing] = [code[str(v)] for v in to_values[~to_missing]]
    same = dst == src
    if same.any():
        raise DesignError(
            f"{int(same.sum())} rows move into the state they are in ({to!r} equals the "
            f"from-state; {row_positions(same, rows.rows)}); end such a row censored (missing "
            f"{to!r}) or merge it with the next."
        )
    _check_touching(rows, src, dst, id_col, from_state or "from")
    if not (dst >= 0).any():
        raise DesignError(f"no moves between states in {to!r}: nothing to estimate.")
    labels = (None,) if rows.group is None else tuple(rows.group_labels)
    k = len(states)
    tables, trans, p0s, flows, n_persons, n_rows = [], [], [], {}, [], []
    for g, label in enumerate(labels):
        mask = np.ones(src.size, bool) if rows.group is None else rows.group == g
        person, uniq = pd.factorize(rows.person[mask])
        times, prob, se, n_risk, n_event, n_exit, n_cens, flow, p_start = _aalen_johansen(
            rows.start[mask], rows.stop[mask], src[mask], dst[mask], person, len(uniq), k,
            p0_variance,
        )  # fmt: skip
        m = times.size
        low, high = log_interval(prob.ravel(), se.ravel(), alpha)
        frame = pd.DataFrame(
            {
                "time": np.repeat(times, k),
                "state": np.tile(np.asarray(states, dtype=object), m),
                "probability": prob.ravel(),
                "std_error": se.ravel(),
                "ci_low": low,
                "ci_high": high,
                "n_risk": n_risk.ravel().astype(np.int64),
                "n_event": n_event.ravel().astype(np.int64),
                "n_exit": n_exit.ravel().astype(np.int64),
                "n_censored": n_cens.ravel().astype(np.int64),
            }
        )
        p0 = pd.DataFrame({"state": states, "probability": p_start})
        t = _transition_table(
            rows.start[mask], rows.stop[mask], src[mask], dst[mask], person, states
        )
        if label is not None:
            for f in (frame, p0, t):
                f.insert(0, "group", _py(label))
        tables.append(frame)
        p0s.append(p0)
        trans.append(t)
        flows[g] = flow
        n_persons.append(len(uniq))
        n_rows.append(int(mask.sum()))
    table = pd.concat(tables, ignore_index=True)
    counts = ["n_risk", "n_event", "n_exit", "n_censored"]
    dependent = ["probability", "std_error", "ci_low", "ci_high"]
    table = declare_table(
        table, counts=counts, dependent=dependent, across_rows={c: counts for c in dependent}
    )
    transitions = declare_table(
        pd.concat(trans, ignore_index=True),
        counts=["n_transitions", "n_persons"],
        dependent={"rate": ["n_transitions", "n_persons"], "person_time": ["n_persons"]},
    )
    return StateOccupation(
        table=table,
        transitions=transitions,
        p0=pd.concat(p0s, ignore_index=True),
        states=tuple(states),
        groups=None if rows.group is None else tuple(_py(v) for v in labels),
        group=group_col,
        n_persons=tuple(n_persons),
        n_rows=tuple(n_rows),
        alpha=alpha,
        p0_variance=p0_variance,
        _flows=flows,
    )


def _derive_from(rows, to_values, to_missing, initial) -> np.ndarray:
    """From-states: ``initial`` on a person's first row, then where the previous row ended."""
    order = np.lexsort((rows.start, rows.person))
    out = np.empty(order.size, dtype=object)
    current = None
    previous = -1
    for r in order:  # one pass over the rows in person order
        if rows.person[r] != previous:
            current, previous = initial, rows.person[r]
        out[r] = current
        if not to_missing[r]:
            current = to_values[r]
    return out


def _check_touching(rows, src, dst, id_col, from_col) -> None:
    """A row that starts where the person's previous row stopped must start in the state
    that row ended in."""
    order = np.lexsort((rows.start, rows.person))
    p = rows.person[order]
    touch = (p[1:] == p[:-1]) & (rows.start[order][1:] == rows.stop[order][:-1])
    ended = np.where(dst[order][:-1] >= 0, dst[order][:-1], src[order][:-1])
    bad = touch & (src[order][1:] != ended)
    if bad.any():
        where = np.sort(order[1:][bad])
        raise DesignError(
            f"{int(bad.sum())} rows start in another state than the person's previous row "
            f"ended in ({from_col!r} against the previous row; {row_positions(where, rows.rows)}); "
            f"check the rows of those persons in {id_col!r} (values not shown)."
        )


def _transition_table(start, stop, src, dst, person, states) -> pd.DataFrame:
    k = len(states)
    moves = dst >= 0
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (src[moves], dst[moves]), 1)
    time = np.bincount(src, weights=stop - start, minlength=k)
    persons = np.array([np.unique(person[src == s]).size for s in range(k)])
    rows = []
    for h in range(k):
        for j in range(k):
            if h == j or persons[h] == 0:
                continue
            rate = counts[h, j] / time[h] if time[h] > 0 else np.nan
            rows.append(
                {
                    "from": states[h],
                    "to": states[j],
                    "n_transitions": int(counts[h, j]),
                    "n_persons": int(persons[h]),
                    "person_time": float(time[h]),
                    "rate": rate,
                }
            )
    return pd.DataFrame(rows)


def _py(value):
    return value.item() if isinstance(value, np.generic) else value
