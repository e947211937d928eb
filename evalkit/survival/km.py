"""Kaplan–Meier survival curves, computed from counts per distinct time.

For distinct times ``t_j`` with ``n_j`` at risk and ``d_j`` events:

- survival ``S(t) = prod_{t_j <= t} (1 - d_j / n_j)`` (Kaplan & Meier 1958);
- Greenwood's variance of ``log S``: ``sigma^2(t) = sum_{t_j <= t} d_j / (n_j (n_j - d_j))``
  (Greenwood 1926); ``std_error`` is that of ``S`` itself, ``S(t) sigma(t)``;
- intervals as R's ``survfit`` (``conf.type``): ``"log-log"`` (default)
  ``S^exp(-/+ z sigma / log S)``, ``"log"`` ``S exp(-/+ z sigma)`` (upper end capped at 1),
  ``"plain"`` ``S -/+ z S sigma`` (clipped to [0, 1]); where ``S = 1`` the interval is
  (1, 1) and where ``S = 0`` none is defined (NaN, as in R);
- with delayed entry (``entry``, left truncation) a person is at risk at ``t`` when
  ``entry < t <= duration``.

Case weights and several spells per person (``weights=``, ``id=``), as R's ``survfit``:

- with weights ``w_i`` the counts above are weighted sums (``n_j = sum w_i Y_i(t_j)``,
  ``d_j = sum w_i dN_i(t_j)``) in the estimate and in Greenwood's sum;
- the robust (infinitesimal-jackknife) variance, used when ``id`` is given and some person
  has two or more events or when a weight is not a whole number (R's default rule;
  ``robust=`` forces it): person ``i``'s influence on ``S(t)`` is ``-S(t) I_i(t)`` with
  ``I_i(t) = sum_{t_j <= t} sum_{rows r of i} w_r (dN_r(t_j) - Y_r(t_j) d_j / n_j) /
  (n_j - d_j)`` (the derivative of the product-limit estimator in the case weight), and
  ``Var S(t) = S(t)^2 sum_i I_i(t)^2`` (Efron 1982, ch. 6; Therneau, survival's
  ``survfitKM`` / ``Csurvfitkm``), computed in O(rows + times) by the machinery of
  :mod:`evalkit.survival.hazard`;
- the table's ``n_risk``, ``n_event`` and ``n_censored`` stay counts of rows (spells), never
  weighted sums (R reports weighted sums there): the output gate sees counts of persons.

Weekly registers have few distinct times and many ties, so the work is a sort and a
few cumulative sums over the distinct times, not a pass per person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._arm import resolve_arm
from .._validation import check_alpha, check_choice, check_id_types
from ..errors import ArgumentError
from ..output.declare import declare_table
from ..results import TableDisplay
from ._input import (
    SurvivalData,
    _whole_number_codes,
    distinct_times,
    survival_data,
    table_counts,
    time_counts,
)
from ._steps import survival_interval

CONF_TYPES = ("log-log", "log", "plain")


@dataclass(frozen=True)
class _Counts:
    """Counts of one group on the distinct times, for at-risk numbers at any time."""

    times: np.ndarray  # distinct times of the whole data
    leaving_from: np.ndarray  # number with duration >= times[j]
    entry: np.ndarray | None  # sorted entry times of the group

    def at_risk(self, times: np.ndarray) -> np.ndarray:
        """Number with ``entry < t <= duration`` at each ``t``."""
        j = np.searchsorted(self.times, times, side="left")
        n = np.concatenate((self.leaving_from, [0]))[j]
        if self.entry is not None:
            n = n - (len(self.entry) - np.searchsorted(self.entry, times, side="left"))
        return n


def count_table(times, n_total, n_event, entered_later=None) -> dict[str, np.ndarray]:
    """Kaplan–Meier arrays from counts at the distinct times of one group.

    Keys: ``time``, ``n_risk``, ``n_event``, ``n_censored``, ``survival`` and ``sigma``
    (Greenwood's standard error of log S); intervals are added by :func:`with_intervals`.
    """
    leaving = np.cumsum(n_total[::-1])[::-1]
    n_risk = leaving.astype(float)
    if entered_later is not None:
        n_risk = n_risk - entered_later
        leaving = n_risk
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(n_risk > 0, n_event / n_risk, 0.0)
        survival = np.cumprod(1.0 - hazard)
        increment = np.where(n_risk > n_event, n_event / (n_risk * (n_risk - n_event)), np.inf)
        increment = np.where(n_event > 0, increment, 0.0)
    return {
        "time": times,
        "n_risk": leaving.astype(np.int64, copy=False),
        "n_event": n_event.astype(np.int64, copy=False),
        "n_censored": (n_total - n_event).astype(np.int64, copy=False),
        "survival": survival,
        "sigma": np.sqrt(np.cumsum(increment)),
    }


def with_intervals(part: dict, conf_type: str, alpha: float) -> pd.DataFrame:
    """The table of one group: counts, survival, Greenwood SE of S and the interval."""
    survival, sigma = part["survival"], part["sigma"]
    low, high = survival_interval(survival, sigma, conf_type, alpha)
    if part.get("robust") and conf_type == "log-log":
        # R (survfit_confint on a robust fit): log(-log 1) is undefined, no interval at S = 1
        low, high = (np.where(survival >= 1.0, np.nan, x) for x in (low, high))
    with np.errstate(invalid="ignore"):
        # the IJ variance of S is 0 once S is 0 (R: std.err 0); Greenwood's is undefined
        std_error = np.where(survival > 0, survival * sigma, 0.0 if part.get("robust") else np.nan)
    columns = {k: part[k] for k in ("time", "n_risk", "n_event", "n_censored", "survival")}
    return pd.DataFrame({**columns, "std_error": std_error, "ci_low": low, "ci_high": high})


def km_table(time, event, entry=None) -> dict[str, np.ndarray]:
    """Kaplan–Meier arrays of one group (every distinct time, events and censorings)."""
    times, inverse = distinct_times(time)
    n_event = np.bincount(inverse, weights=event > 0, minlength=len(times))
    n_total = np.bincount(inverse, minlength=len(times))
    later = None
    if entry is not None:
        later = len(entry) - np.searchsorted(np.sort(entry), times, side="left")
    return count_table(times, n_total, n_event, later)


def weighted_table(time, event, weight=None, entry=None, person=None, robust=False) -> dict:
    """Kaplan–Meier arrays of one group with case weights and/or the robust variance.

    ``n_risk``, ``n_event`` and ``n_censored`` are counts of rows; ``survival`` and
    ``sigma`` (the standard error of log S: Greenwood's on weighted counts, or with
    ``robust`` the infinitesimal jackknife over ``person``) use the weights, and
    ``w_risk`` / ``w_event`` keep the weighted counts (for the RMST variance, as R's
    ``survmean``). See the module docstring.
    """
    from .hazard import _robust_variance  # the influence machinery of the hazards

    times, inverse = distinct_times(time)
    m = len(times)
    died = event > 0
    w = np.ones(time.size) if weight is None else np.asarray(weight, float)
    later = w_later = None
    if entry is not None:
        order = np.argsort(entry, kind="stable")
        position = np.searchsorted(entry[order], times, side="left")
        later = len(entry) - position
        cumulative = np.concatenate(([0.0], np.cumsum(w[order])))
        w_later = cumulative[-1] - cumulative[position]
    part = count_table(
        times,
        np.bincount(inverse, minlength=m),
        np.bincount(inverse, weights=died, minlength=m),
        later,
    )
    w_total = np.bincount(inverse, weights=w, minlength=m)
    w_event = np.bincount(inverse, weights=w * died, minlength=m)
    w_risk = np.cumsum(w_total[::-1])[::-1] - (0.0 if w_later is None else w_later)
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(w_risk > 0, w_event / w_risk, 0.0)
        part["survival"] = np.cumprod(1.0 - hazard)
        alive = (w_risk - w_event) > 0
        if robust:
            a = np.where(alive, 1.0 / (w_risk - w_event), 0.0)
            b = np.where(alive & (w_event > 0), w_event / (w_risk * (w_risk - w_event)), 0.0)
            begin = np.full(time.size, -np.inf) if entry is None else entry
            who = np.arange(time.size) if person is None else person
            variance = _robust_variance(begin, time, died.astype(float), who, times, a, b, w)
        else:
            increment = np.where(alive, w_event / (w_risk * (w_risk - w_event)), np.inf)
            variance = np.cumsum(np.where(w_event > 0, increment, 0.0))
    part["sigma"] = np.sqrt(variance)
    part["w_risk"], part["w_event"], part["robust"] = w_risk, w_event, bool(robust)
    if person is not None:
        part["n_persons"] = int(np.unique(person).size)
    return part


QUANTILE_TOLERANCE = float(np.sqrt(np.finfo(float).eps))  # R: sqrt(.Machine$double.eps)


def _find_quantile(x, y, p, tol=QUANTILE_TOLERANCE):
    """R survival's ``findq``: the time where the distribution ``y = 1 - S`` reaches ``p``.

    Where ``1 - S`` equals ``p`` on a flat stretch, the quantile is the midpoint of the
    stretch (to the last time when the curve ends there).
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    if not np.any(np.isfinite(y)) or np.nanmax(y) < p:
        return np.nan
    xmax = x[-1]
    keep = ~pd.Series(y).duplicated().to_numpy()
    x, y = x[keep], y[keep]
    valid = ~np.isnan(y)
    index = np.flatnonzero(valid)

    def first_at_least(shift):
        hits = index[y[valid] + shift >= p]
        return hits[0] if hits.size else None

    i1, i2 = first_at_least(tol), first_at_least(-tol)
    last_y = y[-1]
    if not np.isnan(last_y) and abs(p - last_y) < tol and i1 is not None:
        return (x[i1] + xmax) / 2.0
    if i1 is None or i2 is None:
        return np.nan
    return (x[i1] + x[i2]) / 2.0


@dataclass(frozen=True, eq=False)
class SurvivalCurve(TableDisplay):
    """Kaplan–Meier curves, one per group.

    Curves over time, not one inferential result: a table result, not an InferentialResult.

    ``table`` has the columns ``time``, ``n_risk``, ``n_event``, ``n_censored``,
    ``survival``, ``std_error`` (Greenwood SE of S), ``ci_low``, ``ci_high``, and a
    ``group`` column (the group variable's own values) when grouped.

    The views (``summary()``, ``str()``, ``repr()``, the notebook views) are
    disclosure-controlled (:class:`evalkit.results.SummaryDisplay`): a group of fewer
    than 5 persons or with fewer than 5 events shows its counts as ``"<5"`` and every
    other number as ``"x"``; the notebook table is the curve table through the output
    gate (pooled and truncated by :func:`evalkit.report.disclosure.safe_curve`). The
    attributes and :attr:`table` are exact.
    """

    #: The notebook shows the first rows of the gated curve table.
    _view_max_rows = 40

    parts: dict = field(repr=False)
    conf_type: str
    alpha: float
    group: str | None
    groups: tuple
    duration: str
    event: str
    _counts: dict = field(repr=False, default_factory=dict)
    _cache: dict = field(repr=False, default_factory=dict)
    weighted: bool = False
    robust: bool = False

    @property
    def table(self) -> pd.DataFrame:
        """The Kaplan–Meier table (built on first use, with the intervals)."""
        if "table" not in self._cache:
            frames = []
            for label, part in self.parts.items():
                frame = with_intervals(part, self.conf_type, self.alpha)
                if self.group is not None:
                    frame.insert(0, "group", label)
                frames.append(frame)
            table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
            counts = ["n_risk", "n_event", "n_censored"]
            values = ["survival", "std_error", "ci_low", "ci_high"]
            if self.weighted or self.robust:
                # safe_curve recomputes an unweighted curve with Greenwood's SE from the
                # pooled counts: not this estimate. Every value rests on every row's counts.
                table = declare_table(
                    table, counts=counts, dependent=values, across_rows={c: counts for c in values}
                )
            else:
                # Declared as a curve: the output gate exports it through safe_curve.
                table = declare_table(table, kind="curve", counts=counts, dependent=values)
            self._cache["table"] = table
        return self._cache["table"]

    def _each(self):
        yield from self.parts.items()

    def _frame(self, rows: list[dict]) -> pd.DataFrame:
        frame = pd.DataFrame(rows)
        if self.group is None:
            frame = frame.drop(columns="group")
        return frame

    def survival_at(self, times) -> pd.DataFrame:
        """S(t) at the given times (a step function: 1 before the first time)."""
        times = _times(times)
        rows = []
        for label, part in self._each():
            position = np.searchsorted(part["time"], times, side="right") - 1
            values = np.where(position >= 0, part["survival"][position], 1.0)
            rows += [
                {"group": label, "time": t, "survival": s}
                for t, s in zip(times, values, strict=True)
            ]
        return self._frame(rows)

    def median(self) -> pd.DataFrame:
        """Median survival with its confidence interval, by R's method (``quantile.survfit``).

        The median is where ``1 - S`` first reaches 0.5 (the midpoint of a flat stretch at
        exactly 0.5); its interval is where the interval bands reach 0.5. NaN where a curve
        or band never reaches 0.5 (not estimable from the follow-up).
        """
        rows = []
        for label, part in self._each():
            first = min(0.0, float(part["time"].min()))
            x = np.concatenate(([first], np.asarray(part["time"], float)))
            low, high = survival_interval(
                part["survival"], part["sigma"], self.conf_type, self.alpha
            )
            quantile = [
                _find_quantile(x, np.concatenate(([0.0], 1.0 - curve)), 0.5)
                for curve in (part["survival"], low, high)
            ]
            rows.append(
                {
                    "group": label,
                    "median": quantile[0],
                    "ci_low": quantile[1],
                    "ci_high": quantile[2],
                }
            )
        return self._frame(rows)

    def rmst(self, tau: float) -> pd.DataFrame:
        """Restricted mean survival time up to ``tau``, with its standard error.

        ``RMST = integral_0^tau S(t) dt``; its variance is ``sum_j A_j^2 d_j / (n_j (n_j -
        d_j))`` over times ``t_j <= tau``, with ``A_j`` the area under S from ``t_j`` to tau
        (as R's ``print(survfit, rmean = tau)``; Klein & Moeschberger 2003, sec. 4.5).
        """
        tau = float(tau)
        if not np.isfinite(tau) or tau <= 0:
            raise ArgumentError(f"tau must be a positive number; got {tau!r}.")
        rows = []
        for label, part in self._each():
            value, se = _rmst(part, tau)
            rows.append({"group": label, "tau": tau, "rmst": value, "std_error": se})
        return self._frame(rows)

    def at_risk(self, times) -> pd.DataFrame:
        """Number at risk at the given times (as a risk table under a plot shows)."""
        times = _times(times)
        rows = []
        for label, _ in self._each():
            counts = self._counts[label].at_risk(times)
            rows += [
                {"group": label, "time": t, "n_risk": int(n)}
                for t, n in zip(times, counts, strict=True)
            ]
        return self._frame(rows)

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def _view_counts(self) -> dict:
        """Persons and events per group, for the disclosure control of the views."""
        counts = {}
        for label, part in self._each():
            name = f"{self.group} = {label}: " if self.group else ""
            first = int(part["n_risk"][0]) if len(part["n_risk"]) else 0
            counts[f"{name}persons"] = part.get("n_persons", first)
            counts[f"{name}events"] = int(part["n_event"].sum())
        return counts

    def _header(self) -> list[str]:
        level = f"{100 * (1 - self.alpha):g}%"
        medians = self.median().set_index("group") if self.group else self.median()
        what = "case-weighted " if self.weighted else ""
        se = ", robust (infinitesimal-jackknife) SE" if self.robust else ""
        lines = [
            f"{what}Kaplan-Meier estimate of {self.duration} (event: {self.event}), "
            f"{self.conf_type} {level} CI{se}"
        ]
        for label, part in self._each():
            med = medians.loc[label] if self.group else medians.iloc[0]
            name = f"{self.group} = {label}" if self.group else "all"
            lines.append(
                f"  {name}: n = {int(part['n_risk'][0]) if len(part['n_risk']) else 0}, "
                f"events = {int(part['n_event'].sum())}, median = {med['median']:.4g} "
                f"({med['ci_low']:.4g}, {med['ci_high']:.4g})"
            )
        return lines

    def _display_frame(self) -> pd.DataFrame:
        return self.table

    def summary(self) -> str:
        """Events, median and its interval per group."""
        return "\n".join(self._header())


def _rmst(part: dict, tau: float) -> tuple[float, float]:
    time = np.asarray(part["time"], float)
    surv = part["survival"]
    keep = time <= tau
    start = min(0.0, float(time.min())) if len(time) else 0.0
    grid = np.concatenate((time[keep], [tau]))
    steps = np.concatenate(([1.0], surv[keep]))
    rectangles = np.diff(np.concatenate(([start], grid))) * steps
    n = part.get("w_risk", part["n_risk"])[keep].astype(float)
    d = part.get("w_event", part["n_event"])[keep].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        hh = np.where(n - d == 0, 0.0, d / (n * (n - d)))
    area_after = np.cumsum(rectangles[::-1])[::-1][1:]  # area from t_j to tau
    return float(rectangles.sum() + start), float(np.sqrt(np.sum(area_after**2 * hh)))


def _times(times) -> np.ndarray:
    values = np.atleast_1d(np.asarray(times, dtype=float))
    if not np.isfinite(values).all():
        raise ArgumentError("times must be finite numbers.")
    return values


def kaplan_meier(
    data: pd.DataFrame,
    duration: str,
    event: str,
    group: str | None = None,
    conf_type: str = "log-log",
    alpha: float = 0.05,
    entry: str | None = None,
    missing: str = "error",
    treatment: str | None = None,
    weights: str | None = None,
    id: str | None = None,
    robust: bool | None = None,
) -> SurvivalCurve:
    """Kaplan–Meier estimate of survival, overall, by arm or by group (see the module docstring).

    Parameters
    ----------
    data : one row per spell (not modified).
    duration : column of durations (>= 0), e.g. weeks on benefit.
    event : column of 0/1 (or boolean) event indicators; 0 = censored.
    group : optional column; a curve per distinct value (any grouping, e.g. a
        several-level cohort). Not with ``treatment``.
    conf_type : ``"log-log"`` (default, as R's ``survfit``), ``"log"`` or ``"plain"``.
    alpha : 1 - confidence level of the pointwise intervals.
    entry : optional column of delayed-entry times (left truncation).
    missing : ``"error"`` (default) or ``"drop"`` rows with missing values.
    treatment : optional 0/1 (or boolean) column: a curve per arm, labelled Treatment (1)
        and Control (0) in figures. Not with ``group``.
    weights : optional column of positive case weights (e.g. inverse probabilities of
        staying observed), as ``survfit(..., weights = )``: weighted counts in the estimate
        and its variance; ``n_risk``, ``n_event`` and ``n_censored`` stay row counts.
    id : optional person column when a person has several spells (rows): the robust
        variance clusters on it, as ``survfit(..., id = id, robust = TRUE)``.
    robust : None (default) = R's rule: the robust (infinitesimal-jackknife) variance when
        some ``id`` has two or more events or some weight is not a whole number, else
        Greenwood's; True/False forces it (without ``id`` every row is its own cluster).

    Returns
    -------
    SurvivalCurve
        The curve(s); ``.table`` holds one row per distinct time (and group). With weights
        or the robust variance its values are declared as resting on the counts of every
        row (the output gate's ``safe_curve`` would recompute an unweighted, Greenwood
        curve from the pooled counts, which is not this estimate).

    Example
    -------
    >>> import pandas as pd
    >>> from evalkit.survival import kaplan_meier
    >>> d = pd.DataFrame({"weeks": [2, 3, 3, 5, 8], "exit": [1, 1, 0, 1, 0]})
    >>> kaplan_meier(d, "weeks", "exit").table[["time", "n_risk", "survival"]]
       time  n_risk  survival
    0     2       5       0.8
    1     3       4       0.6
    2     5       2       0.3
    3     8       1       0.3
    """
    alpha = check_alpha(alpha)
    check_choice(conf_type, "conf_type", CONF_TYPES)
    group = resolve_arm(data, group, treatment, "kaplan_meier")
    if robust not in (None, True, False):
        raise ArgumentError(f"robust must be None, True or False; got {robust!r}.")
    if id is not None and not isinstance(id, str):
        raise ArgumentError(f"id must be the person column; got {id!r}.")
    if weights is not None or id is not None or robust:
        return _weighted_km(
            data, duration, event, group, conf_type, alpha, entry, missing, weights, id, robust
        )
    surv = survival_data(
        data, duration, event, group=group, entry=entry, missing=missing, tables=True
    )
    labels = (None,) if group is None else tuple(surv.group_labels)
    parts, counts = {}, {}
    for code, (times, n_total, n_event) in enumerate(_group_counts(surv, len(labels))):
        later = entries = None
        if entry is not None:
            entries = np.sort(surv.entry if group is None else surv.entry[surv.group == code])
            later = len(entries) - np.searchsorted(entries, times, side="left")
        part = count_table(times, n_total, n_event, later)
        leaving = part["n_risk"] if later is None else np.cumsum(n_total[::-1])[::-1]
        parts[labels[code]] = part
        counts[labels[code]] = _Counts(times, leaving, entries)
    return SurvivalCurve(
        parts, conf_type, alpha, group, tuple(labels) if group else (), duration, event, counts
    )


def _group_counts(surv: SurvivalData, n_groups: int) -> list[tuple]:
    """Per group: its distinct times and the spells leaving and the events at each.

    Whole-number times (weeks) are counted on one grid (:func:`time_counts`,
    :func:`table_counts`). Other times of several groups take one sort of an int64 key
    packing ``(group, time, event)`` (the time as its IEEE bits less the smallest, which
    orders like the value for times >= 0): each group's rows come out together, in time
    order, so the runs of equal ``(group, time)`` are its distinct times, with no grid of
    every group's times shared by all.
    """
    if surv.tables is not None:  # weeks by arm: counted in two passes over the rows
        times, n_total, n_event = table_counts(surv)
    else:
        t = surv.raw_time
        if surv.group is not None and _whole_number_codes(t) is None:
            time = np.add(t, 0.0, dtype=float)  # + 0.0: no -0.0
            found = _packed_group_counts(time, surv.event, surv.group, n_groups)
            if found is not None:
                return found
        times, n_total, n_event = time_counts(t, surv.event, surv.group, n_groups)
    out = []
    for code in range(n_groups):
        present = n_total[code] > 0
        out.append((times[present], n_total[code, present], n_event[code, present]))
    return out


def _packed_group_counts(time, event, group, n_groups):
    """:func:`_group_counts` by one sort; None when the key does not fit in 63 bits."""
    bits = time.view(np.int64)
    # the bits less those of the smallest positive time (zeros: 0, the smallest: 1)
    smallest = float(np.min(time, where=time > 0, initial=np.inf))
    zero = bool(time.min() == 0.0)
    low = int(np.float64(smallest).view(np.int64)) - zero if smallest < np.inf else 0
    time_bits = (int(bits.max()) - low).bit_length() + 1  # the time and the event bit
    if time_bits + max(1, (n_groups - 1).bit_length()) > 63:
        return None
    key = bits - low
    if zero:
        np.maximum(key, 0, out=key)
    key <<= 1
    key |= event
    key |= np.left_shift(group, time_bits, dtype=np.int64)
    key.sort()
    value = key >> 1
    new = np.empty(key.size, dtype=bool)
    new[:1] = True
    np.not_equal(value[1:], value[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    n_total = np.diff(starts, append=key.size)
    n_event = np.add.reduceat(key & 1, starts) if starts.size else starts
    value = value[starts]
    ends = np.searchsorted(value, np.arange(1, n_groups + 1, dtype=np.int64) << (time_bits - 1))
    value &= (1 << (time_bits - 1)) - 1
    at_zero = value == 0 if zero else None
    value += low
    times = value.view(np.float64)
    if zero:
        times[at_zero] = 0.0
    return [
        (times[a:b], n_total[a:b], n_event[a:b])
        for a, b in zip(np.r_[0, ends[:-1]], ends, strict=True)
    ]


def person_codes(frame: pd.DataFrame, id: str | None) -> np.ndarray | None:
    """Codes 0..P-1 of the person column (None without one); mixed number/text ids are
    refused (:func:`evalkit._validation.check_id_types`)."""
    if id is None:
        return None
    check_id_types(frame[id], id)
    return pd.factorize(frame[id], sort=False)[0]


def uses_robust(robust, person, event, weight) -> bool:
    """R's default (``survfitKM``): robust when some person has two or more events or a
    case weight is not a whole number, unless ``robust`` says otherwise."""
    if robust is not None:
        return bool(robust)
    repeated = person is not None and bool(np.any(np.bincount(person[event > 0]) > 1))
    fractional = weight is not None and bool(np.any(weight != np.floor(weight)))
    return repeated or fractional


def _weighted_km(
    data, duration, event, group, conf_type, alpha, entry, missing, weights, id, robust
):
    """kaplan_meier with case weights and/or several spells per person (row by row)."""
    surv = survival_data(
        data,
        duration,
        event,
        group=group,
        entry=entry,
        weights=weights,
        extra=[id] if id else None,
        missing=missing,
    )
    person = person_codes(surv.frame, id)
    robust = uses_robust(robust, person, surv.event, surv.weights)
    labels = (None,) if group is None else tuple(surv.group_labels)
    times_all = np.unique(surv.time)
    parts, counts = {}, {}
    for code, label in enumerate(labels):
        rows = slice(None) if group is None else surv.group == code
        time = surv.time[rows]
        entries = None if surv.entry is None else surv.entry[rows]
        parts[label] = weighted_table(
            time,
            surv.event[rows],
            None if surv.weights is None else surv.weights[rows],
            entries,
            None if person is None else person[rows],
            robust,
        )
        leaving = np.cumsum(
            np.bincount(np.searchsorted(times_all, time), minlength=times_all.size)[::-1]
        )[::-1]
        counts[label] = _Counts(times_all, leaving, None if entries is None else np.sort(entries))
    return SurvivalCurve(
        parts,
        conf_type,
        alpha,
        group,
        tuple(labels) if group else (),
        duration,
        event,
        counts,
        weighted=weights is not None,
        robust=robust,
    )
