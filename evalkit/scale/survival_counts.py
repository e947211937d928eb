"""Survival from counts: Kaplan–Meier, log-rank and cumulative incidence of merged chunks.

Weekly durations are whole numbers, so everything :func:`evalkit.survival.kaplan_meier`,
:func:`evalkit.survival.logrank_test` and :func:`evalkit.survival.cumulative_incidence`
compute rests on one table: per group, week and exit code, how many spells ended there
(code 0 = censored, 1..K = the cause of exit). :class:`SurvivalCounts` is that table. It
adds up over chunks of persons (``a + b``), so a register is counted chunk by chunk,
streamed or on Dask, and the estimates are computed once from the sum: the same numbers
as the person-level functions give on all the spells at once (tested to 1e-10), with
memory the size of the table (groups x weeks x codes), not of the spells.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validation import check_alpha, check_choice
from ..errors import ArgumentError, ColumnError, DesignError, OutcomeError
from ..output.declare import declare_table
from ..survival.competing import CumulativeIncidence, _aalen_johansen, curve_tables
from ..survival.km import CONF_TYPES, SurvivalCurve, _Counts, count_table
from ..survival.logrank import LogRankResult, _from_tables, chi_square_result

__all__ = ["SurvivalCounts", "survival_counts"]


@dataclass(frozen=True, eq=False)
class SurvivalCounts:
    """Spells ending per group, week and exit code: the summary that survival needs.

    Attributes
    ----------
    counts : int64 array ``(groups, weeks, codes)``: ``counts[g, t, c]`` spells of group
        ``g`` with duration ``t`` (weeks 0..T-1) and exit code ``c`` (0 = censored,
        1..K = cause of exit).
    groups : the group values, sorted (``(None,)`` when not grouped).
    group : the group column's name, or None.
    duration, event : the names the estimates report.

    Add two of them (``a + b``) to merge chunks: groups and weeks are united. Build one
    with :func:`survival_counts`.

    Example
    -------
    >>> d = pd.DataFrame({"weeks": [2, 3, 3, 5, 8], "exit": [1, 1, 0, 1, 0]})
    >>> both = survival_counts(d.iloc[:2], "weeks", "exit") + survival_counts(
    ...     d.iloc[2:], "weeks", "exit")
    >>> both.kaplan_meier().table[["time", "n_risk", "survival"]]
       time  n_risk  survival
    0     2       5       0.8
    1     3       4       0.6
    2     5       2       0.3
    3     8       1       0.3
    """

    counts: np.ndarray
    groups: tuple
    group: str | None = None
    duration: str = "duration"
    event: str = "event"

    def __post_init__(self) -> None:
        counts = np.asarray(self.counts)
        if counts.ndim != 3 or counts.shape[0] != len(self.groups) or counts.shape[2] < 1:
            raise ArgumentError("counts must be a (groups, weeks, codes) array, a group a row.")
        if counts.dtype.kind not in "iu" or (counts.size and counts.min() < 0):
            raise ArgumentError("counts must be whole numbers >= 0.")
        object.__setattr__(self, "counts", counts.astype(np.int64, copy=False))
        object.__setattr__(self, "groups", tuple(self.groups))

    # ------------------------------------------------------------------ merging
    def __add__(self, other: SurvivalCounts) -> SurvivalCounts:
        if not isinstance(other, SurvivalCounts):
            return NotImplemented
        if (self.group, self.duration, self.event) != (other.group, other.duration, other.event):
            raise ArgumentError(
                "only counts of the same columns add up (group, duration and event must match)."
            )
        groups = sorted(set(self.groups) | set(other.groups), key=_order)
        weeks = max(self.counts.shape[1], other.counts.shape[1])
        codes = max(self.counts.shape[2], other.counts.shape[2])
        out = np.zeros((len(groups), weeks, codes), dtype=np.int64)
        for part in (self, other):
            rows = [groups.index(g) for g in part.groups]
            c = part.counts
            out[rows, : c.shape[1], : c.shape[2]] += c
        return SurvivalCounts(out, tuple(groups), self.group, self.duration, self.event)

    @staticmethod
    def merge(parts: Iterable[SurvivalCounts]) -> SurvivalCounts:
        """The sum of several counts (chunks of persons)."""
        total = None
        for part in parts:
            total = part if total is None else total + part
        if total is None:
            raise ArgumentError("there are no counts to merge.")
        return total

    # ------------------------------------------------------------------ views
    @property
    def n(self) -> int:
        """The number of spells counted."""
        return int(self.counts.sum())

    def to_frame(self) -> pd.DataFrame:
        """The non-zero counts: (``group``,) ``duration``, ``code``, ``spells``; declared for
        the output gate (``spells`` a count of persons' spells)."""
        g, t, c = np.nonzero(self.counts)
        frame = pd.DataFrame({"duration": t, "code": c, "spells": self.counts[g, t, c]})
        if self.group is not None:
            frame.insert(0, "group", np.asarray(self.groups, dtype=object)[g])
        return declare_table(frame, counts=["spells"])

    def hazard_table(self) -> pd.DataFrame:
        """Discrete-time hazard data, aggregated: per (group and) week ``t`` >= 1 the spells
        at risk (duration >= t), the exits in week t (duration = t, not censored) and
        their ratio, the weekly hazard.

        These are the person-period rows of :func:`evalkit.survival.discrete_time_hazard`
        (:func:`evalkit.survival.discrete.person_period`) summed by week and group: a
        binomial model with week dummies and the group fits the same from them.
        """
        total = self.counts.sum(axis=2)[:, 1:]  # durations >= 1
        exits = self.counts[:, 1:, 1:].sum(axis=2)
        at_risk = np.cumsum(total[:, ::-1], axis=1)[:, ::-1]
        g, t = np.nonzero(at_risk)
        frame = pd.DataFrame(
            {"week": t + 1, "at_risk": at_risk[g, t], "events": exits[g, t]},
        )
        frame["hazard"] = frame["events"] / frame["at_risk"]
        if self.group is not None:
            frame.insert(0, "group", np.asarray(self.groups, dtype=object)[g])
        return declare_table(
            frame, counts=["at_risk", "events"], dependent={"hazard": ["at_risk", "events"]}
        )

    # ------------------------------------------------------------------ estimates
    def _check_events(self) -> None:
        if not self.counts[:, :, 1:].any():
            raise DesignError(
                f"no events in {self.event!r} among the {self.n} spells: every time is "
                "censored, so there is nothing to estimate."
            )

    def _grid(self):
        """Like evalkit.survival's time_counts on whole weeks: the weeks with a spell, and
        per group the spells leaving and the events there."""
        self._check_events()
        n_total = self.counts.sum(axis=2)
        present = n_total.sum(axis=0) > 0
        times = np.flatnonzero(present)
        n_event = self.counts[:, :, 1:].sum(axis=2)[:, present].astype(float)
        return times, n_total[:, present], n_event

    def kaplan_meier(self, conf_type: str = "log-log", alpha: float = 0.05) -> SurvivalCurve:
        """Kaplan–Meier curves per group: :func:`evalkit.survival.kaplan_meier` of the
        spells counted (any exit code is an event)."""
        alpha = check_alpha(alpha)
        check_choice(conf_type, "conf_type", CONF_TYPES)
        times, n_total, n_event = self._grid()
        grouped = self.group is not None
        parts, counts = {}, {}
        leaving_from = np.cumsum(n_total[:, ::-1], axis=1)[:, ::-1]
        for code, label in enumerate(self.groups):
            present = n_total[code] > 0
            parts[label] = count_table(
                times[present], n_total[code, present], n_event[code, present]
            )
            counts[label] = _Counts(times, leaving_from[code], None)
        return SurvivalCurve(
            parts,
            conf_type,
            alpha,
            self.group,
            tuple(self.groups) if grouped else (),
            self.duration,
            self.event,
            counts,
        )

    def logrank_test(self, rho: float = 0.0) -> LogRankResult:
        """The G-rho test across the groups: :func:`evalkit.survival.logrank_test`."""
        if self.group is None or len(self.groups) < 2:
            raise DesignError("a log-rank test needs counts of two or more groups.")
        try:
            rho = float(rho)
        except (TypeError, ValueError):
            raise ArgumentError(f"rho must be a number >= 0; got {rho!r}.") from None
        if not np.isfinite(rho) or rho < 0:
            raise ArgumentError(f"rho must be a number >= 0; got {rho!r}.")
        _, leaving, deaths = self._grid()
        observed, expected, variance = _from_tables(leaving, deaths, rho)
        labels = pd.Index(np.asarray(self.groups), name=self.group)
        n = self.counts.sum(axis=(1, 2))
        return chi_square_result(observed, expected, variance, labels, n, rho, self.group, False)

    def cumulative_incidence(self, alpha: float = 0.05) -> CumulativeIncidence:
        """Aalen–Johansen cumulative incidence of each cause per group:
        :func:`evalkit.survival.cumulative_incidence` of the spells counted."""
        alpha = check_alpha(alpha)
        self._check_events()
        total = self.counts.sum(axis=(0, 1))
        causes = np.flatnonzero(total[1:]) + 1
        keep = np.concatenate(([0], causes))
        follow = []

        def fits():
            for counts in self.counts:
                used = counts.any(axis=1)
                grid = np.flatnonzero(used).astype(float)
                follow.append(float(grid[-1]) if grid.size else -np.inf)
                fit = _aalen_johansen(counts[used][:, keep].astype(float))
                yield fit, grid[fit["exit"]], fit["n_exit"]

        labels = None if self.group is None else self.groups
        table, survival = curve_tables(fits(), causes, alpha, labels)
        return CumulativeIncidence(
            table=table,
            survival=survival,
            causes=tuple(int(c) for c in causes),
            groups=None if self.group is None else tuple(self.groups),
            follow_up=tuple(follow),
            n=self.n,
            duration=self.duration,
            event=self.event,
            group=self.group,
            alpha=alpha,
        )


def _order(value):
    """Sort key of group values: numbers by value, then everything else as text."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, str(value))


def _py(value):
    return value.item() if isinstance(value, np.generic) else value


def survival_counts(
    data: pd.DataFrame,
    duration: str,
    event: str,
    group: str | None = None,
) -> SurvivalCounts:
    """Count spells per (group,) week of duration and exit code: a mergeable summary.

    Parameters
    ----------
    data : one row per spell (not modified), e.g. from :func:`evalkit.panel.spells`.
    duration : column of whole weeks >= 0.
    event : column of exit codes: 0 = censored, 1 = event, or 1..K = cause of exit
        (boolean is 0/1).
    group : optional column of groups (the arm, a cohort); its values are kept as labels.

    Returns
    -------
    SurvivalCounts
        Add the counts of chunks of persons together, then call ``.kaplan_meier()``,
        ``.logrank_test()``, ``.cumulative_incidence()`` or ``.hazard_table()``.

    Example
    -------
    >>> d = pd.DataFrame({"weeks": [1, 2, 2, 4], "exit": [1, 0, 2, 1], "arm": [0, 0, 1, 1]})
    >>> survival_counts(d, "weeks", "exit", group="arm").to_frame()
      group  duration  code  spells
    0     0         1     1       1
    1     0         2     0       1
    2     1         2     2       1
    3     1         4     1       1
    """
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(f"data must be a pandas DataFrame; got {type(data).__name__}.")
    for role, name in (("duration", duration), ("event", event), ("group", group)):
        if name is None and role == "group":
            continue
        if not isinstance(name, str):
            raise ArgumentError(f"{role} must be a column name; got {name!r}.")
        if name not in data.columns:
            raise ColumnError(f"{role} column {name!r} is not in the data.")
    time = _whole(data[duration], duration, "duration")
    code = _whole(data[event], event, "event")
    if group is None:
        labels, inverse = [None], np.zeros(len(data), dtype=np.int64)
    else:
        values = data[group]
        if values.isna().any():
            raise ArgumentError(
                f"group column {group!r} has {int(values.isna().sum())} missing values; give "
                "every spell a group or drop those rows."
            )
        inverse, uniques = pd.factorize(values, sort=True)
        labels = [_py(v) for v in np.asarray(uniques)]
    weeks = int(time.max()) + 1 if time.size else 1
    codes = int(code.max()) + 1 if code.size else 1
    codes = max(codes, 2)
    key = (inverse.astype(np.int64) * weeks + time) * codes + code
    counts = np.bincount(key, minlength=len(labels) * weeks * codes)
    return SurvivalCounts(
        counts.reshape(len(labels), weeks, codes), tuple(labels), group, duration, event
    )


def _whole(series: pd.Series, name: str, role: str) -> np.ndarray:
    values = series.to_numpy()
    if values.dtype == bool:
        return values.astype(np.int64)
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(numbers) | (numbers < 0) | (numbers != np.round(numbers))
    if bad.any():
        raise OutcomeError(
            f"{role} column {name!r} must hold whole numbers >= 0 (weeks; exit codes 0 = "
            f"censored, 1..K); {int(bad.sum())} of {len(values)} rows do not."
        )
    return numbers.astype(np.int64)
