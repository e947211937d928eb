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
``survfit(..., influence = TRUE)``. Intervals are R's default ``conf.type = "log"``:
:math:`P \exp(\pm z \,\mathrm{se}/P)`, capped at 1, none where :math:`P = 0`.

Computation. Only move times change :math:`P` and :math:`U`; between them the work is
per row, not per person and time. Within a row at risk in :math:`h` from move time
:math:`a` on, :math:`U_i(t) = (U_i(a) - G_h(a))\,Q(a, t) + G_h(t)`, with
:math:`Q(a, t) = H_{a+1} \cdots H_t` and :math:`G_h` the influence a person at risk in
:math:`h` throughout would collect (:math:`G_h \leftarrow G_h H_j + c_h (e_h -
H_j(h, \cdot))`); so each row needs its person's :math:`U` at its start and end only,
through products of the :math:`H_j`: a table of all :math:`Q(a, t)` for few move times
(weeks; one product per row), else a segment tree (:math:`O(\log T)` products of
:math:`K \times K` matrices per row); persons' rows are taken by rank (first rows, second
rows, ...). The variance is :math:`\operatorname{diag} M` with :math:`M = \sum_i U_i'
U_i`, carried over the move times by :math:`M \leftarrow H' M H + H' C + C' H + E`, where
:math:`C = \sum_i U_i' D_i` needs only the sums of :math:`U` over each risk set and over
the movers of each kind and :math:`E = \sum_i D_i' D_i` only the counts (:math:`D_i` the
increment above). In all :math:`O(\text{rows} \cdot K^2 \log T + T K^4)` after the
counting, against :math:`O(\text{persons} \cdot T K^2)` for updating every person at
every time. The recursion's rounding error is absolute (about machine precision times
:math:`M`); because :math:`\sum_s U_{is} = 0`, the variance of state :math:`s` is also
:math:`1' M_{-s} 1` and the smaller of the two is used, which is exactly 0 when everyone
has ended in one absorbing state (the stayers' share of a state everyone leaves is
computed as :math:`(n - d)/n`, exactly 0).

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
from ._input import distinct_times
from ._steps import at_times, interval_rows, log_interval, person_order
from .hazard import _slots

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
    >>> rows = panel_transitions(panel)
    >>> for row in rows.itertuples(index=False):
    ...     print(*row)
    7 -1 2 benefit job
    7 2 3 job nan
    8 -1 1 job nan
    8 2 3 benefit nan
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
    flows (T x K x K) and the initial distribution.
    """
    k = n_states
    # R drops a censored row inside a run of touching rows (its stop is no time point)
    order = person_order(person, start)
    ps, st, sp = person[order], start[order], stop[order]
    touch_next = np.zeros(order.size, dtype=bool)
    touch_next[:-1] = (ps[1:] == ps[:-1]) & (st[1:] == sp[:-1])
    touch_prev = np.zeros(order.size, dtype=bool)
    touch_prev[1:] = touch_next[:-1]
    middle = np.empty(order.size, dtype=bool)
    middle[order] = touch_next & touch_prev & (dst[order] < 0)
    censored = (dst < 0) & ~middle
    times = distinct_times(stop[~middle])[0]
    m = times.size
    lo = _slots(times, start)  # the row is at risk at the times lo..hi
    hi = _slots(times, stop) - 1
    moves = dst >= 0
    flows = np.bincount((hi[moves] * k + src[moves]) * k + dst[moves], minlength=m * k * k).reshape(
        m, k, k
    )
    n_cens = np.bincount(hi[censored] * k + src[censored], minlength=m * k).reshape(m, k)
    change = np.bincount(lo * k + src, minlength=(m + 1) * k) - np.bincount(
        (hi + 1) * k + src, minlength=(m + 1) * k
    )
    n_risk = np.cumsum(change.reshape(m + 1, k), axis=0)[:m]
    # p0: the states of those at risk at the first move time
    j0 = int(np.flatnonzero(flows.any(axis=(1, 2)))[0]) if moves.any() else m - 1
    at_zero = (lo <= j0) & (hi >= j0)
    n0 = int(at_zero.sum())
    p_start = np.bincount(src[at_zero], minlength=k).astype(float) / max(n0, 1)
    u0 = None
    if p0_variance and np.all(p_start < 1):
        u0 = np.zeros((n_persons, k))
        u0[person[at_zero]] = (np.eye(k)[src[at_zero]] - p_start) / n0
    # only the move times change P and the influences: work on those (index f)
    is_move = flows.reshape(m, -1).any(axis=1)
    move_at = np.flatnonzero(is_move)
    before = np.r_[0, np.cumsum(is_move)]  # move times before each time index
    steps = _steps(flows[move_at].astype(float), n_risk[move_at].astype(float), p_start)
    prob_f, var_f = _influence(
        steps, lo=before[lo], hi=before[hi + 1] - 1, src=src, dst=dst, person=person,
        order=order, n_persons=n_persons, u0=u0,
    )  # fmt: skip
    last = before[1:] - 1  # the last move time at or before each time (-1: none)
    prob = prob_f[last + 1]
    se = np.sqrt(np.maximum(var_f[last + 1], 0.0))
    n_event = flows.sum(axis=1)
    n_exit = flows.sum(axis=2)
    return times, prob, se, n_risk, n_event, n_exit, n_cens, flows, p_start


def _steps(flows, n_risk, p_start) -> dict:
    """The Aalen-Johansen steps at the move times: ``h`` (F x K x K) the transition
    matrices, ``p`` (F + 1 x K) P before the first and after each move time, ``c``
    (F x K) = P_h(before) / n(h), ``g`` (F + 1 x K x K) the stayers' influence G (row h:
    a person at risk in h throughout), ``n`` and ``d`` the risk sets and moves."""
    f, k = n_risk.shape
    live = n_risk > 0
    h = np.where(live[:, :, None], flows / np.where(live, n_risk, 1.0)[:, :, None], 0.0)
    diag = np.arange(k)
    # the stayers' share as (n - d) / n: exactly 0 when everyone at risk in h leaves
    h[:, diag, diag] = np.where(
        live, (n_risk - flows.sum(axis=2)) / np.where(live, n_risk, 1.0), 1.0
    )
    p = np.empty((f + 1, k))
    p[0] = p_start
    g = np.zeros((f + 1, k, k))
    c = np.empty((f, k))
    ident = np.eye(k)
    for j in range(f):  # a loop over the move times (weeks), K x K work each
        c[j] = np.where(live[j], p[j] / np.where(live[j], n_risk[j], 1.0), 0.0)
        p[j + 1] = p[j] @ h[j]
        g[j + 1] = g[j] @ h[j] + c[j][:, None] * (ident - h[j])
    return {"h": h, "p": p, "c": c, "g": g, "n": n_risk, "d": flows}


_TABLE_MAX = 1 << 23  # floats (64 MB) for the table of all products Q(a, b)


def _products(h: np.ndarray):
    """The products ``Q(a, b) = H[a + 1] ... H[b]`` of the transition matrices ``h``: for
    few move times (weeks) a table of all of them, else a segment tree of products of
    consecutive ones (O(F K^2) memory)."""
    f, k = h.shape[0], h.shape[1]
    if (f + 1) ** 2 * k * k <= _TABLE_MAX:
        table = np.zeros((f + 1, f + 1, k, k))
        diag = np.arange(f + 1)
        table[diag, diag] = np.eye(k)
        for b in range(f):  # column b + 1 from column b: Q(a, b) = Q(a, b - 1) H[b]
            table[: b + 1, b + 1] = table[: b + 1, b] @ h[b]
        return table, 0
    size = 1 << max(f - 1, 0).bit_length()
    tree = np.empty((2 * size, k, k))
    tree[size : size + f] = h
    tree[size + f :] = np.eye(k)
    width = size // 2
    while width >= 1:
        nodes = np.arange(width, 2 * width)
        tree[nodes] = tree[2 * nodes] @ tree[2 * nodes + 1]
        width //= 2
    return tree, size


def _propagate(products, x, a, b) -> np.ndarray:
    """Rows ``x[q] Q(a_q, b_q)`` (``x[q]`` where ``a_q = b_q``): one product from the table,
    or O(log F) from the tree, its nodes left to right."""
    nodes, size = products
    if not size:
        return np.einsum("qi,qij->qj", x, nodes[a + 1, b + 1])
    x = x.copy()
    left, right = a + 1 + size, b + 1 + size
    pending = []
    while True:
        live = left < right
        if not live.any():
            break
        take = live & (left & 1 == 1)
        if take.any():
            x[take] = np.einsum("qi,qij->qj", x[take], nodes[left[take]])
        left = left + take
        take = live & (right & 1 == 1)
        right = right - take
        if take.any():
            pending.append((take, right.copy()))
        left, right = left >> 1, right >> 1
    for take, node in reversed(pending):
        x[take] = np.einsum("qi,qij->qj", x[take], nodes[node[take]])
    return x


def _influence(steps, lo, hi, src, dst, person, order, n_persons, u0):
    """P and the infinitesimal-jackknife variance at the move times (module docstring).

    Row ``r`` is at risk at the move times ``lo..hi``. A person's influence ``U`` only
    changes while at risk, and through ``U <- U H`` otherwise, so per row (in person
    order, one pass per row rank) ``Y = V - G(lo - 1)`` (``V`` = U before the row) and
    ``X = Y Q(lo - 1, hi - 1)`` (``Q`` products of the ``H`` by the segment tree) give
    ``U(t) = Y Q(lo - 1, t) + G(t)`` within the row. Then ``M = sum_i U_i' U_i`` is run
    over the move times: ``M <- H' M H + H' C + C' H + E`` with ``C = sum_i U_i' D_i``
    (from the sums of ``U`` over each risk set, carried as ``(F - X_out) H + Y_in``, and
    over the movers) and ``E = sum_i D_i' D_i`` (from the counts). Returns P (F + 1 x
    K) and diag(M) (F + 1 x K), the first rows before the first move time."""
    h, p, c, g, n, d = (steps[key] for key in ("h", "p", "c", "g", "n", "d"))
    f, k = c.shape
    ident = np.eye(k)
    products = _products(h) if f else None
    u = np.zeros((n_persons, k)) if u0 is None else u0.copy()
    known = np.full(n_persons, -1)  # the move time each person's u is for
    y_in = np.zeros((f + 1, k, k))
    x_out = np.zeros((f + 1, k, k))
    x_move = np.zeros((f + 1, k, k, k))
    ps = person[order]
    first = np.r_[True, ps[1:] != ps[:-1]] if ps.size else np.zeros(0, bool)
    rank = np.arange(ps.size) - np.maximum.accumulate(np.where(first, np.arange(ps.size), 0))
    by_rank = order[np.argsort(rank, kind="stable")]
    bounds = np.r_[0, np.cumsum(np.bincount(rank))] if rank.size else np.r_[0]
    for q in range(bounds.size - 1):  # the persons' first rows, second rows, ...
        r = by_rank[bounds[q] : bounds[q + 1]]
        who, a, b = person[r], lo[r] - 1, hi[r]
        v = u[who]
        gap = a > known[who]
        if f and gap.any():
            v[gap] = _propagate(products, v[gap], known[who][gap], a[gap])
        act = a < b  # at risk at some move time
        u[who[~act]], known[who[~act]] = v[~act], a[~act]
        r, who, a, b, v = r[act], who[act], a[act], b[act], v[act]
        if not r.size:
            continue
        s = src[r]
        y = v - g[a + 1, s]
        x = _propagate(products, y, a, b - 1)
        moved = dst[r] >= 0
        to = np.where(moved, dst[r], s)
        c_end = c[b, s]
        u_end = (x + g[b, s])[:, None, :] @ h[b]
        u[who] = u_end[:, 0, :] + c_end[:, None] * (ident[to] - h[b, s])
        known[who] = b
        for col in range(k):
            y_in[:, :, col] += _sum_by(a + 1, s, y[:, col], f + 1, k)
            x_out[:, :, col] += _sum_by(b, s, x[:, col], f + 1, k)
            x_move[:, :, :, col] += _sum_by(
                b[moved] * k + s[moved], to[moved], x[moved, col], (f + 1) * k, k
            ).reshape(f + 1, k, k)
    var = np.empty((f + 1, k))
    m_mat = np.zeros((k, k)) if u0 is None else u0.T @ u0
    var[0] = np.diag(m_mat)
    acc = y_in[0].copy()  # sum over the rows at risk of Y Q(lo - 1, t - 1)
    diag = np.arange(k)
    for j in range(f):  # a loop over the move times, K^4 work each
        hj, cj, gj = h[j], c[j], g[j]
        risk = acc + n[j][:, None] * gj  # sum of U before t over each risk set
        moving = x_move[j] + d[j][:, :, None] * gj[:, None, :]
        moving[diag, diag] = risk - moving.sum(axis=1) + moving[diag, diag]
        cross = np.einsum("h,hkv->vk", cj, moving) - (risk * cj[:, None]).T @ hj
        count = d[j].copy()
        count[diag, diag] = n[j] - d[j].sum(axis=1)
        inc = cj[:, None, None] * (ident[None, :, :] - hj[:, None, :])
        own = np.einsum("hk,hki,hkj->ij", count, inc, inc)
        m_mat = hj.T @ m_mat @ hj + hj.T @ cross + cross.T @ hj + own
        # sum_s U_is = 0, so var_s is also 1' M_(-s) 1: exactly 0 when all other states
        # are empty for good (everyone absorbed in s), where M_ss keeps rounding noise
        total = m_mat.sum()
        rest = total - 2.0 * m_mat.sum(axis=0) + np.diag(m_mat)
        var[j + 1] = np.minimum(np.diag(m_mat), np.maximum(rest, 0.0))
        acc = (acc - x_out[j]) @ hj + y_in[j + 1]
    return p, var


def _sum_by(row, col, values, n_rows, n_cols) -> np.ndarray:
    """``values`` summed into an (n_rows, n_cols) array at (row, col)."""
    return np.bincount(row * n_cols + col, weights=values, minlength=n_rows * n_cols).reshape(
        n_rows, n_cols
    )


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
    to_codes, to_names = pd.factorize(to_values)  # missing (NaN/None): -1
    to_names = list(to_names)
    if from_state is None:
        if initial is None:
            raise ArgumentError(
                "give from_state= (the column of the state occupied in each row) or "
                "initial= (the state every person starts in)."
            )
        from_codes, from_names = _derive_from(rows, to_codes, len(to_names)), [*to_names, initial]
    else:
        from_codes, from_names = pd.factorize(rows.frame[from_state])
        from_names = list(from_names)
    present = sorted({*map(str, from_names), *map(str, to_names)})
    if states is None:
        states = present
    states = [str(s) for s in states]
    unknown = [s for s in present if s not in states]
    if unknown or len(set(states)) != len(states):
        raise ArgumentError(
            f"states must list every state of the data once; not listed: {_show(unknown)}."
        )
    code = {s: i for i, s in enumerate(states)}
    src = np.array([code[str(v)] for v in from_names], dtype=np.int64)[from_codes]
    dst = np.array([code[str(v)] for v in to_names] + [-1], dtype=np.int64)[to_codes]
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


def _derive_from(rows, to_codes, initial) -> np.ndarray:
    """From-state codes: ``initial`` on a person's first row, then the ``to`` code of the
    person's last earlier row that ended in a move (one pass in person order)."""
    order = person_order(rows.person, rows.start)
    person, to = rows.person[order], to_codes[order]
    at = np.arange(order.size)
    first = np.r_[True, person[1:] != person[:-1]] if order.size else np.zeros(0, bool)
    block = np.maximum.accumulate(np.where(first, at, 0))
    moved = np.maximum.accumulate(np.where(to >= 0, at, -1))  # the last move at or before
    previous = np.r_[-1, moved[:-1]]
    out = np.empty(order.size, dtype=np.int64)
    out[order] = np.where(previous >= block, to[np.maximum(previous, 0)], initial)
    return out


def _check_touching(rows, src, dst, id_col, from_col) -> None:
    """A row that starts where the person's previous row stopped must start in the state
    that row ended in."""
    order = person_order(rows.person, rows.start)
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
    counts = np.bincount(src[moves] * k + dst[moves], minlength=k * k).reshape(k, k)
    time = np.bincount(src, weights=stop - start, minlength=k)
    seen = np.zeros((int(person.max(initial=-1)) + 1, k), dtype=bool)
    seen[person, src] = True
    persons = seen.sum(axis=0)
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
