r"""Nelson–Aalen cumulative hazards and the mean cumulative function of recurrent spells.

Both are the same estimator on counting-process rows ``(start, stop]`` (or durations
from 0): at the distinct stop times :math:`t_j` with :math:`n_j` rows at risk
(:math:`\text{start} < t_j \le \text{stop}`) and :math:`d_j` events,

.. math::

    \hat\Lambda(t) = \sum_{t_j \le t} \Delta_j, \qquad
    \Delta_j = \frac{d_j}{n_j} \;(\texttt{ctype = 1, Nelson–Aalen}), \qquad
    \Delta_j = \sum_{k=0}^{d_j - 1} \frac{1}{n_j - k} \;(\texttt{ctype = 2, Fleming–Harrington}),

the second being the tie correction of Fleming & Harrington (1984). The survival
:math:`\exp(-\hat\Lambda)` is the Fleming–Harrington (Breslow) estimate with ``ctype = 1``
and the Fleming–Harrington–Efron estimate with ``ctype = 2`` (R's ``stype = 2``).

Variances
---------
*Model-based* (no ``id``, or ids without repeated events): :math:`\sum_j d_j / n_j^2`
(``ctype = 1``) or :math:`\sum_j \sum_{k<d_j} (n_j - k)^{-2}` (``ctype = 2``), R's
``std.chaz``.

*Robust* (``id`` with repeated events, always for :func:`mean_cumulative_function`): the
infinitesimal jackknife over persons, as ``survfit(..., id = id)`` (survival 3.x,
``Csurvfitkm``): person :math:`i`'s influence on :math:`\hat\Lambda(t)` is

.. math::

    I_i(t) = \sum_{t_j \le t} \big( dN_i(t_j)\, a_j - Y_i(t_j)\, b_j \big),

with :math:`a_j = 1/n_j`, :math:`b_j = d_j / n_j^2` for ``ctype = 1`` (then
:math:`\operatorname{Var} = \sum_i I_i(t)^2` is the Lawless & Nadeau 1995 robust variance of
the mean cumulative function) and, for ``ctype = 2``, with :math:`u_k = 1/(n_j - d_j + k)`,
:math:`b_j = \sum_{k=1}^{d_j} u_k^2` and :math:`a_j = \frac{1}{d_j}\sum_k u_k + b_j -
\sum_k \frac{k}{d_j} u_k^2`. The variance :math:`\sum_i I_i(t)^2` is computed at every
time in :math:`O(\text{rows} + \text{times})`: within a row :math:`(s, e]` the influence is
:math:`C - B(t)` (:math:`B` the running sum of :math:`b_j`), so sums of :math:`1, C, C^2`
over the rows open at each time (difference arrays) give
:math:`\sum (C - B)^2`, and a person between rows keeps a constant influence.

Intervals
---------
For the cumulative hazard (and the mean cumulative function) ``conf_type = "log"``
(default; Lawless & Nadeau 1995) gives :math:`\hat\Lambda \exp(\pm z\, \mathrm{se} /
\hat\Lambda)` and ``"plain"`` :math:`\hat\Lambda \pm z\, \mathrm{se}`; R's ``survfit``
returns no interval for the cumulative hazard. The survival :math:`\exp(-\hat\Lambda)` gets
R's interval with the standard error of :math:`\log S` taken as that of
:math:`\hat\Lambda` (``survfit(..., stype = 2)``, ``conf.type = "log"``).

The difference of two arms' mean cumulative functions at time :math:`t` has the standard
error :math:`\sqrt{\mathrm{se}_1^2 + \mathrm{se}_0^2}` (independent persons in the two
arms) and a normal (Wald) interval and test (Cook & Lawless 2007, sec. 3.7).

References
----------
Nelson, W. (1972). Theory and applications of hazard plotting for censored failure data.
*Technometrics* 14, 945-966. Aalen, O. (1978). Nonparametric inference for a family of
counting processes. *Ann. Statist.* 6, 701-726. Fleming, T. R. & Harrington, D. P. (1984).
Nonparametric estimation of the survival distribution in censored data. *Comm. Statist.*
13, 2469-2486. Lawless, J. F. & Nadeau, C. (1995). Some simple robust methods for the
analysis of recurrent events. *Technometrics* 37, 158-168. Cook, R. J. & Lawless, J. F.
(2007). *The Statistical Analysis of Recurrent Events*. Springer. Therneau, T. M.
*survival* package, ``survfit.formula`` (``ctype``, ``stype``, ``id``, ``robust``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._arm import resolve_arm
from .._validation import check_alpha, check_choice
from ..errors import ArgumentError, DesignError
from ..output.declare import declare_table
from ..output.rules import current_rules
from ..results import TableDisplay
from ..results import fmt_value as _fmt
from ._input import _event_codes, _whole_number_codes, distinct_times
from ._steps import (
    at_times,
    interval_rows,
    person_order,
    pool_blocks,
    round_down,
    survival_interval,
    z_value,
)

__all__ = ["CumulativeHazard", "mean_cumulative_function", "nelson_aalen"]

HAZARD_CONF_TYPES = ("log", "plain")
SURVIVAL_CONF_TYPES = ("log", "log-log", "plain")


# --------------------------------------------------------------------------- estimator
def _steps(n: np.ndarray, d: np.ndarray, ctype: int):
    """Per time: hazard increment, model variance increment, robust a_j and b_j."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if ctype == 1:
            inc = np.where(d > 0, d / n, 0.0)
            var = np.where(d > 0, d / n**2, 0.0)
            return inc, var, np.where(d > 0, 1.0 / n, 0.0), var
    # ctype 2: one term per event, k = 1..d with denominators n - d + k
    di = d.astype(np.int64)
    total = int(di.sum())
    inc = np.zeros(n.size)
    var = np.zeros(n.size)
    a = np.zeros(n.size)
    if total:
        which = np.repeat(np.arange(n.size), di)
        first = np.cumsum(di) - di
        k = np.arange(total) - np.repeat(first, di) + 1.0  # 1..d within each time
        u = 1.0 / (n[which] - d[which] + k)
        has = di > 0
        starts = first[has]
        s1 = np.add.reduceat(u, starts)
        s2 = np.add.reduceat(u * u, starts)
        s3 = np.add.reduceat(k * u * u, starts)
        inc[has] = s1
        var[has] = s2
        a[has] = s1 / d[has] + s2 - s3 / d[has]
    return inc, var, a, var  # b_j = sum u^2 = the model variance increment


def _robust_variance(
    start, stop, status, person, times, a, b, weight=None, slots=None
) -> np.ndarray:
    """sum_i I_i(t)^2 at every time (see the module docstring), O(rows + times).

    A person's influence is ``I(t) = K(t) - Y(t) B(t)`` with ``B`` the running sum of
    ``b_j``, ``Y(t)`` the (weighted) number of the person's rows open at ``t`` and ``K(t)``
    a step function: a row ``(s, e]`` of weight ``w`` adds ``w`` to ``Y`` and ``w B(s)`` to
    ``K`` from the first time after ``s``, and at ``e`` leaves ``Y`` and adds ``w (dN a_e -
    B(e))`` to ``K``. Between a person's row boundaries ``K`` and ``Y`` are constant, so
    ``sum_i I_i^2 = sum K^2 - 2 B sum K Y + B^2 sum Y^2`` from difference arrays of the
    three sums. Rows of a person may follow each other (counting process) or overlap
    (several spells from time 0, clustered); with case weights ``weight`` this is R's
    ``survfit(..., weights = , id = )`` (``Csurvfitkm``). The row boundaries are ordered
    by one stable sort of the integer key (person, time index), skipped when the rows come
    in person and time order (a register file). ``slots`` = (first time index after
    each start, index of each stop) when the caller has them."""
    m = times.size
    big_b = np.cumsum(b)
    if slots is None:
        idx_lo, idx_stop = _slots(times, start), _slots(times, stop) - 1  # stops are times
    else:
        idx_lo, idx_stop = slots
    b_start = np.r_[0.0, big_b][idx_lo]  # B just before the row opens
    # a row's two boundaries side by side: (lo, stop) per row
    at = _pairs(idx_lo, idx_stop)
    who = np.repeat(np.asarray(person, dtype=np.int64), 2)
    change_k = _pairs(b_start, status * a[idx_stop] - big_b[idx_stop])
    if weight is None:
        change_y = np.tile(np.array([1.0, -1.0]), stop.size)
    else:
        w2 = np.repeat(np.asarray(weight, float), 2)
        change_k *= w2
        change_y = _pairs(w2[0::2], -w2[0::2])
    key = who * (m + 1) + at
    if not np.all(key[1:] >= key[:-1]):  # rows not in person and time order
        order = np.argsort(key, kind="stable")
        at, who, change_k, change_y = at[order], who[order], change_k[order], change_y[order]
    first = np.r_[True, who[1:] != who[:-1]]
    start_of = np.maximum.accumulate(np.where(first, np.arange(at.size), 0))
    states = []
    for change in (change_k, change_y):
        total = np.cumsum(change)
        states.append(total - (total - change)[start_of])  # sums within the person
    k, y = states
    until = np.r_[np.where(first[1:], m, at[1:]), m]  # the person's next change
    s_kk, s_ky, s_yy = (
        np.cumsum(
            np.bincount(at, weights=term, minlength=m + 1)
            - np.bincount(until, weights=term, minlength=m + 1)
        )[:m]
        for term in (k * k, k * y, y * y)
    )
    v = s_kk - 2.0 * big_b * s_ky + big_b**2 * s_yy
    return np.maximum(v, 0.0)


def _slots(times, values) -> np.ndarray:
    """``np.searchsorted(times, values, side="right")`` (how many of the sorted ``times``
    are <= each value); for whole-number values in a moderate range (weeks, days) by one
    lookup table over the range instead of a binary search per row."""
    found = _whole_number_codes(values)
    if found is None:
        return np.searchsorted(times, values, side="right")
    codes, low = found
    table = np.searchsorted(times, low + np.arange(int(codes.max()) + 1), side="right")
    return table[codes]


def _pairs(first, second) -> np.ndarray:
    """``first[0], second[0], first[1], second[1], ...``"""
    out = np.empty(2 * first.size, dtype=np.result_type(first, second))
    out[0::2], out[1::2] = first, second
    return out


def _at_risk(start, stop, times, group=None, n_groups=1) -> np.ndarray:
    """Rows with ``start < t <= stop`` at each of the sorted ``times`` (``start`` None: from
    -inf), by counts of the rows' positions among the times: no sort of the rows. With
    ``group`` codes 0..n_groups-1: one row of counts per group, (n_groups, times)."""
    m = times.size

    def from_t(values):  # rows with value >= t_j
        slot = _slots(times, values)
        key = slot if group is None else group * (m + 1) + slot
        counts = np.bincount(key, minlength=n_groups * (m + 1)).reshape(n_groups, m + 1)
        out = counts.sum(axis=1, keepdims=True) - np.cumsum(counts, axis=1)[:, :m]
        return out[0] if group is None else out

    at = from_t(stop)
    return at if start is None else at - from_t(start)


def _curve(start, stop, status, person, ctype: int, robust: bool, position_last):
    """Arrays of one group's curve on its distinct stop times (``position_last`` None:
    every row is its person's last). Each row's place among the times is found once:
    the stop's from the distinct times, the start's by :func:`_slots`."""
    times, inverse = distinct_times(stop)
    m = times.size
    leaving = np.bincount(inverse, minlength=m)
    n_event = np.bincount(inverse, weights=status, minlength=m)
    censored = status == 0
    if position_last is not None:
        censored &= position_last
    n_censored = np.bincount(inverse, weights=censored, minlength=m)
    n_risk = np.cumsum(leaving[::-1])[::-1]  # rows with stop >= t
    lo = None
    if start is not None:  # less the rows with start >= t
        lo = _slots(times, start)
        n_risk = n_risk - (start.size - np.cumsum(np.bincount(lo, minlength=m + 1))[:m])
    n_risk = n_risk.astype(float)
    inc, var, a, b = _steps(n_risk, n_event, ctype)
    cumhaz = np.cumsum(inc)
    if robust:
        lo = np.zeros(stop.size, dtype=np.int64) if lo is None else lo
        variance = _robust_variance(None, stop, status, person, times, a, b, slots=(lo, inverse))
    else:
        variance = np.cumsum(var)
    return {
        "time": times,
        "n_risk": n_risk.astype(np.int64),
        "n_event": n_event.astype(np.int64),
        "n_censored": n_censored.astype(np.int64),
        "cumulative_hazard": cumhaz,
        "std_error": np.sqrt(variance),
    }


def _hazard_interval(h, se, conf_type: str, alpha: float):
    z = z_value(alpha)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "log":
            rel = np.where(se == 0, 0.0, se / h)
            low, high = h * np.exp(-z * rel), h * np.exp(z * rel)
            none = ~(h > 0)
            low[none], high[none] = np.nan, np.nan
        else:
            low, high = np.maximum(h - z * se, 0.0), h + z * se
    return low, high


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class CumulativeHazard(TableDisplay):
    """Nelson–Aalen cumulative hazards or mean cumulative functions, one curve per group.

    Curves over time, not one inferential result: a table result.

    Attributes
    ----------
    table : one row per (group and) distinct stop time: ``group`` (when grouped),
        ``time``, ``n_risk`` (rows at risk: start < time <= stop), ``n_event``,
        ``n_censored`` (last rows of persons ending censored), the estimate column
        (``cumulative_hazard``, or ``mean_events`` for the mean cumulative function),
        ``std_error``, ``ci_low``, ``ci_high``, and for :func:`nelson_aalen` ``survival``
        (exp(-H)), ``survival_low``, ``survival_high``.
    difference : for :func:`mean_cumulative_function` with two groups, the difference
        (second group minus the first; treatment minus control with ``treatment=``) at
        the event times of either group while both are followed: ``time``,
        ``difference``, ``std_error``, ``ci_low``, ``ci_high``, ``statistic``,
        ``p_value``, ``n_risk``, ``n_risk_reference``; else None.
    robust : whether the standard errors are the robust (infinitesimal-jackknife) ones.

    The exact table is :meth:`to_frame`; it declares its counts to the output gate and
    every estimate column as resting on the counts of every row, so an export of it
    suppresses the estimates whenever a step rests on fewer persons than the threshold.
    :meth:`safe_table` is the published version (steps pooled, truncated), which the
    notebook view shows.
    """

    table: pd.DataFrame
    difference: pd.DataFrame | None
    kind: str
    value: str
    ctype: int
    robust: bool
    groups: tuple | None
    group: str | None
    n_rows: tuple[int, ...]
    n_persons: tuple[int, ...]
    follow_up: tuple[float, ...]
    duration: str
    event: str
    alpha: float
    conf_type: str
    _view_max_rows = 40

    @property
    def method(self) -> str:
        what = (
            "Mean cumulative function (Nelson-Aalen for recurrent events)"
            if self.kind == "mcf"
            else "Nelson-Aalen cumulative hazard"
            if self.ctype == 1
            else "Fleming-Harrington cumulative hazard (tie-corrected)"
        )
        se = "robust (infinitesimal jackknife over persons)" if self.robust else "model-based"
        return f"{what}; {se} standard errors; {self.conf_type} {100 * (1 - self.alpha):g}% CI"

    def _curves(self):
        keys = [None] if self.groups is None else list(self.groups)
        for i, key in enumerate(keys):
            part = self.table if key is None else self.table[self.table["group"] == key]
            yield i, key, part

    def at(self, times, group=None) -> pd.DataFrame:
        """The step functions at ``times``: ``time``, the estimate, ``std_error``,
        ``ci_low``, ``ci_high`` (0 and no interval before the first event; NaN after
        the group's follow-up)."""
        points = at_times(times, group, self.groups)
        pieces = []
        for i, key, part in self._curves():
            if group is not None and key != group:
                continue
            idx = np.searchsorted(part["time"].to_numpy(), points, side="right") - 1
            values = {}
            for column, before in (
                (self.value, 0.0),
                ("std_error", 0.0),
                ("ci_low", np.nan),
                ("ci_high", np.nan),
            ):
                source = part[column].to_numpy()
                out = np.where(idx >= 0, source[np.maximum(idx, 0)], before)
                values[column] = np.where(points > self.follow_up[i], np.nan, out)
            piece = pd.DataFrame({"time": points, **values})
            if key is not None:
                piece.insert(0, "group", key)
            pieces.append(piece)
        return pd.concat(pieces, ignore_index=True)

    def to_frame(self) -> pd.DataFrame:
        """The exact table (a copy), declared to the output gate."""
        return self.table.copy()

    def safe_table(self, threshold: int | None = None) -> pd.DataFrame:
        """The table as it may be published: per group, time steps pooled into blocks of
        at least ``threshold`` events (default: the output rules in force) with at least
        ``threshold`` rows at risk, ``n_risk`` rounded down to a multiple of
        ``threshold``, ``n_censored`` dropped, the curve cut where fewer than
        ``threshold`` are at risk; the estimates are the exact ones at the blocks'
        closing times. Declared as controlled at ``threshold``."""
        threshold = current_rules().threshold if threshold is None else int(threshold)
        pieces = []
        for _, _, part in self._curves():
            part = part.reset_index(drop=True)
            keep = pool_blocks(part["n_event"].to_numpy(), part["n_risk"].to_numpy(), threshold)
            if not keep.size:
                continue
            total = np.cumsum(part["n_event"].to_numpy())
            events = np.diff(np.r_[0, total[keep]])  # the events of each block
            shown = part.iloc[keep].drop(columns="n_censored").copy()
            shown["n_event"] = events
            # the risk set at the start of the block (its first row), rounded
            first = np.r_[0, keep[:-1] + 1]
            shown["n_risk"] = round_down(part["n_risk"].to_numpy()[first], threshold)
            pieces.append(shown)
        columns = [c for c in self.table.columns if c != "n_censored"]
        out = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(columns=columns)
        out["n_risk"] = out["n_risk"].astype(np.int64)
        out["n_event"] = out["n_event"].astype(np.int64)
        values = [c for c in columns if c not in ("group", "time", "n_risk", "n_event")]
        return declare_table(
            out, counts=["n_risk", "n_event"], dependent=values, controlled_at=threshold
        )

    def _display_frame(self) -> pd.DataFrame:
        return self.safe_table()

    def _view_counts(self) -> dict:
        counts = {}
        for i, key, part in self._curves():
            name = "" if key is None else f"{self.group} = {key}: "
            counts[f"{name}persons"] = self.n_persons[i]
            counts[f"{name}events"] = int(part["n_event"].sum())
        return counts

    def _header(self) -> list[str]:
        lines = [self.method, f"Time: {self.duration}    Event: {self.event}"]
        for i, key, part in self._curves():
            name = "all" if key is None else f"{self.group} = {key}"
            last = part.iloc[-1] if len(part) else None
            est = _fmt(last[self.value]) if last is not None else "0"
            se = _fmt(last["std_error"]) if last is not None else "0"
            lines.append(
                f"  {name}: persons = {self.n_persons[i]}, rows = {self.n_rows[i]}, "
                f"events = {int(part['n_event'].sum())}, at {_fmt(self.follow_up[i])}: "
                f"{est} (SE {se})"
            )
        return lines

    def summary(self) -> str:
        """Persons, events and the final estimate per group."""
        return "\n".join(self._header())


# --------------------------------------------------------------------------- functions
def _fit(
    data,
    duration,
    event,
    start,
    id,
    group,
    treatment,
    ctype,
    robust,
    alpha,
    conf_type,
    missing,
    kind,
    function,
):
    alpha = check_alpha(alpha)
    if ctype not in (1, 2):
        raise ArgumentError(
            f"ctype must be 1 (Nelson-Aalen) or 2 (Fleming-Harrington); got {ctype!r}."
        )
    check_choice(conf_type, "conf_type", HAZARD_CONF_TYPES)
    if not isinstance(event, str):
        raise ArgumentError(f"event must be a column name; got {event!r}.")
    group = resolve_arm(data, group, treatment, function)
    rows = interval_rows(data, duration, start, id, group, [event], missing)
    status = _event_codes(rows.frame[event], event, False, rows.rows).astype(float)
    if status.max() <= 0:
        raise DesignError(
            f"no events in {event!r} among the {status.size} rows: nothing to estimate."
        )
    person = rows.person  # None without id (then robust is False: checked by the caller)
    if robust is None:  # R: robust when some person has two or more events
        robust = person is not None and bool(
            np.any(np.bincount(person[status > 0], minlength=rows.n_persons) > 1)
        )
    # a censored row is counted as censoring only when it is a person's last row of a
    # run (a following row that starts at its stop continues the person): R's position
    last = None  # None: every row is the last of its run
    if person is not None and rows.start is not None:
        order = person_order(person, rows.stop)
        if bool(np.all(np.diff(order) == 1)):  # in order already (a register file)
            cont = (person[1:] == person[:-1]) & (rows.start[1:] <= rows.stop[:-1])
            last = np.r_[~cont, True]
        else:
            p, begin, end = person[order], rows.start[order], rows.stop[order]
            cont = (p[1:] == p[:-1]) & (begin[1:] <= end[:-1])
            last = np.ones(status.size, dtype=bool)
            last[order[:-1][cont]] = False
    labels = (None,) if rows.group is None else tuple(rows.group_labels)
    if person is None:
        persons_per_group = np.bincount(rows.group) if rows.group is not None else [status.size]
    else:  # a person is in one group (checked by interval_rows)
        group_of = np.full(rows.n_persons, -1 if rows.group is not None else 0)
        if rows.group is not None:
            group_of[person] = rows.group
        persons_per_group = np.bincount(group_of[group_of >= 0], minlength=len(labels))
    frames, n_rows, n_persons, follow = [], [], [], []
    for code, label in enumerate(labels):
        where = None if rows.group is None else np.flatnonzero(rows.group == code)

        def take(values, where=where):
            return values if values is None or where is None else values.take(where)

        stop = take(rows.stop)
        part = _curve(take(rows.start), stop, take(status), take(person), ctype, robust, take(last))
        frame = pd.DataFrame(part)
        low, high = _hazard_interval(part["cumulative_hazard"], part["std_error"], conf_type, alpha)
        frame["ci_low"], frame["ci_high"] = low, high
        if kind == "nelson_aalen":
            surv = np.exp(-part["cumulative_hazard"])
            s_low, s_high = survival_interval(surv, part["std_error"], "log", alpha)
            frame["survival"], frame["survival_low"], frame["survival_high"] = surv, s_low, s_high
        if kind == "mcf":
            frame = frame.rename(columns={"cumulative_hazard": "mean_events"})
        if label is not None:
            frame.insert(0, "group", _py(label))
        frames.append(frame)
        n_rows.append(int(stop.size))
        n_persons.append(int(persons_per_group[code]))
        follow.append(float(stop.max()))
    table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    value = "mean_events" if kind == "mcf" else "cumulative_hazard"
    dependent = [
        c for c in table.columns if c not in ("group", "time", "n_risk", "n_event", "n_censored")
    ]
    counts = ["n_risk", "n_event", "n_censored"]
    table = declare_table(
        table,
        counts=counts,
        dependent=dependent,
        across_rows={c: counts for c in dependent},
    )
    return rows, labels, table, value, robust, n_rows, n_persons, follow, alpha


def nelson_aalen(
    data: pd.DataFrame,
    duration: str,
    event: str,
    group: str | None = None,
    start: str | None = None,
    id: str | None = None,
    ctype: int = 1,
    robust: bool | None = None,
    alpha: float = 0.05,
    conf_type: str = "log",
    missing: str = "error",
    treatment: str | None = None,
) -> CumulativeHazard:
    r"""Nelson–Aalen (or Fleming–Harrington) cumulative hazard with its standard error.

    Parameters
    ----------
    data : one row per spell, or per interval ``(start, duration]`` of a person (not
        modified).
    duration : column of durations (or stop times with ``start``).
    event : column of 0/1 (or boolean) event indicators.
    group : optional column; a curve per distinct value. Not with ``treatment``.
    start : optional column of start times (counting-process rows, delayed entry).
    id : optional person column: a person's rows must not overlap; with repeated events
        the variance is the robust one (see ``robust``).
    ctype : 1 = Nelson–Aalen :math:`\sum d/n` (default), 2 = Fleming–Harrington tie
        correction :math:`\sum_{k<d} 1/(n-k)`, as ``survfit(..., ctype = )``.
    robust : None (default) = R's rule: robust (infinitesimal jackknife over the ``id``
        persons) when some person has two or more events, else model-based; True/False
        forces it (True needs ``id``).
    alpha : 1 - confidence level.
    conf_type : interval of the cumulative hazard, ``"log"`` (default) or ``"plain"``.
    missing : ``"error"`` (default) or ``"drop"`` rows with missing values.
    treatment : optional 0/1 arm column: a curve per arm. Not with ``group``.

    Returns
    -------
    CumulativeHazard
        ``table`` has per (group and) distinct time the counts, ``cumulative_hazard``,
        ``std_error`` (R's ``std.chaz``), its interval and the survival
        :math:`\exp(-\hat\Lambda)` (R's ``stype = 2``) with R's log interval. The
        formulas are in the module docstring.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"weeks": [2, 3, 3, 5, 8], "exit": [1, 1, 1, 1, 0]})
    >>> na = nelson_aalen(d, "weeks", "exit")
    >>> na.table[["time", "n_risk", "n_event", "cumulative_hazard"]].round(4)
       time  n_risk  n_event  cumulative_hazard
    0   2.0       5        1                0.2
    1   3.0       4        2                0.7
    2   5.0       2        1                1.2
    3   8.0       1        0                1.2
    >>> float(nelson_aalen(d, "weeks", "exit", ctype=2).table["cumulative_hazard"][1].round(4))
    0.7833
    """
    if robust and id is None:
        raise ArgumentError("robust=True needs id= (the person column the jackknife leaves out).")
    rows, labels, table, value, robust, n_rows, n_persons, follow, alpha = _fit(
        data, duration, event, start, id, group, treatment, ctype, robust, alpha,
        conf_type, missing, "nelson_aalen", "nelson_aalen",
    )  # fmt: skip
    return CumulativeHazard(
        table=table,
        difference=None,
        kind="nelson_aalen",
        value=value,
        ctype=ctype,
        robust=robust,
        groups=None if rows.group is None else tuple(_py(v) for v in labels),
        group=None if rows.group is None else (group or treatment),
        n_rows=tuple(n_rows),
        n_persons=tuple(n_persons),
        follow_up=tuple(follow),
        duration=duration,
        event=event,
        alpha=alpha,
        conf_type=conf_type,
    )


def mean_cumulative_function(
    data: pd.DataFrame,
    stop: str,
    event: str,
    id: str,
    start: str | None = None,
    group: str | None = None,
    alpha: float = 0.05,
    conf_type: str = "log",
    missing: str = "error",
    treatment: str | None = None,
) -> CumulativeHazard:
    r"""Expected number of events (spells started) per person by time t, with its CI.

    The Nelson–Aalen estimator on recurrent-event rows: a person contributes intervals
    ``(start, stop]`` (gap times or calendar time since randomization; a row ends at an
    event or at censoring, the next row of the person starting where it ended), and
    :math:`\hat\mu(t) = \sum_{t_j \le t} d_j / n_j` with the robust (Lawless & Nadeau
    1995) standard error, as ``survfit(Surv(start, stop, event) ~ arm, id = id,
    robust = TRUE)``'s ``cumhaz`` and ``std.chaz``. With two groups (or ``treatment=``)
    the :attr:`~CumulativeHazard.difference` table has their difference with its Wald CI.
    The same curve with model-based standard errors (``survfit(..., robust = FALSE)``,
    or lifelines' ``NelsonAalenFitter(entry=)``) is ``nelson_aalen(data, stop, event,
    start=start, id=id, robust=False)``; the mean cumulative function always has the
    robust ones (the model-based ones treat a person's repeated events as independent).

    Parameters
    ----------
    data : one row per interval of a person (not modified).
    stop : column of stop times (end of the interval: an event or censoring).
    event : 0/1 column: 1 = an event (a spell started) at ``stop``.
    id : person column (the unit the robust variance leaves out).
    start : column of start times; None = every person's single row starts at 0.
    group, treatment : curves per group, or per arm (0/1; the difference is treatment
        minus control). Give at most one.
    alpha, conf_type, missing : as :func:`nelson_aalen` (``conf_type`` ``"log"``: the
        Lawless–Nadeau log-transformed interval).

    Returns
    -------
    CumulativeHazard with the estimate column ``mean_events``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"id": [1, 1, 2, 3, 3, 3], "start": [0, 2, 0, 0, 1, 3],
    ...                   "stop": [2, 6, 5, 1, 3, 4], "spell": [1, 0, 0, 1, 1, 0]})
    >>> mcf = mean_cumulative_function(d, "stop", "spell", "id", start="start")
    >>> mcf.table[["time", "n_risk", "n_event", "mean_events"]].round(4)
       time  n_risk  n_event  mean_events
    0   1.0       3        1       0.3333
    1   2.0       3        1       0.6667
    2   3.0       3        1       1.0000
    3   4.0       3        0       1.0000
    4   5.0       2        0       1.0000
    5   6.0       1        0       1.0000
    """
    if not isinstance(id, str):
        raise ArgumentError(f"id must be the person column; got {id!r}.")
    rows, labels, table, value, robust, n_rows, n_persons, follow, alpha = _fit(
        data, stop, event, start, id, group, treatment, 1, True, alpha, conf_type,
        missing, "mcf", "mean_cumulative_function",
    )  # fmt: skip
    groups = None if rows.group is None else tuple(_py(v) for v in labels)
    difference = None
    if groups is not None and len(groups) == 2:
        difference = _difference(table, rows, groups, follow, alpha)
    return CumulativeHazard(
        table=table,
        difference=difference,
        kind="mcf",
        value=value,
        ctype=1,
        robust=True,
        groups=groups,
        group=None if rows.group is None else (group or treatment),
        n_rows=tuple(n_rows),
        n_persons=tuple(n_persons),
        follow_up=tuple(follow),
        duration=stop,
        event=event,
        alpha=alpha,
        conf_type=conf_type,
    )


def _difference(table, rows, groups, follow, alpha) -> pd.DataFrame:
    """Second group minus the first at the event times of either while both are followed."""
    end = min(follow)
    parts = [table[table["group"] == g] for g in groups]
    times = np.unique(
        np.concatenate([p["time"].to_numpy()[p["n_event"].to_numpy() > 0] for p in parts])
    )
    times = times[times <= end]
    est, se = [], []
    for p in parts:
        idx = np.searchsorted(p["time"].to_numpy(), times, side="right") - 1
        est.append(np.where(idx >= 0, p["mean_events"].to_numpy()[np.maximum(idx, 0)], 0.0))
        se.append(np.where(idx >= 0, p["std_error"].to_numpy()[np.maximum(idx, 0)], 0.0))
    risk = _at_risk(rows.start, rows.stop, times, rows.group, 2).astype(np.int64)
    diff = est[1] - est[0]
    sd = np.sqrt(se[0] ** 2 + se[1] ** 2)
    z = z_value(alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.where(sd > 0, diff / sd, np.nan)
    frame = pd.DataFrame(
        {
            "time": times,
            "difference": diff,
            "std_error": sd,
            "ci_low": diff - z * sd,
            "ci_high": diff + z * sd,
            "statistic": stat,
            "p_value": 2.0 * stats.norm.sf(np.abs(stat)),
            "n_risk": risk[1],
            "n_risk_reference": risk[0],
        }
    )
    frame.attrs["contrast"] = f"{groups[1]} - {groups[0]}"
    counts = ["n_risk", "n_risk_reference"]
    dependent = ["difference", "std_error", "ci_low", "ci_high", "statistic", "p_value"]
    return declare_table(
        frame, counts=counts, dependent=dependent, across_rows={c: counts for c in dependent}
    )


def _py(value):
    return value.item() if isinstance(value, np.generic) else value
