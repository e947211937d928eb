"""Full-year persons of a trial: per person, by period, and the change against control.

A full-year person (helårsperson) is one person a whole year in a set of states: each
person contributes ``weeks in the states / weeks in the period`` (52 weeks: ``weeks /
52``), as jobindsats.dk counts them and as :func:`evalkit.panel.full_year_persons` does
for calendar years and months. Here the period is a window of weeks (weeks since
randomization on an aligned panel, or any window of a calendar panel).

With ordinary hours in the panel (:func:`evalkit.panel.add_hours`), ``measure="hours"``
counts full-time equivalents instead: ``hours in the states' weeks / (hours_per_week x
weeks in the period)``, with ``hours_per_week=37`` by default. Statistics Denmark
converts to full-time persons (fuldtidspersoner, fuldtidsmodtagere) by dividing by a
full-time norm; the 37-hour week is the norm of the Danish collective agreements and is
a **documented assumption** here, not a figure read from Statistics Denmark: pass the
norm that applies.

The change against the control arm (:func:`full_year_effect`) is a difference in mean
per-person contributions, estimated by :func:`evalkit.difference_in_means` (Neyman
standard error, Welch degrees of freedom), scaled to full-year persons by the treated
arm's size: ``delta = n_1 (mean_1 - mean_0)``, with standard error and interval times
``n_1`` — the full-year persons the treated group has more (or fewer) than it would have
had under control. The change against a baseline period (:func:`full_year_change`) is
the sum of the persons' paired differences ``sum_i (c_i(period) - c_i(baseline))``, with
standard error ``sqrt(n) s_d`` and a t interval on ``n - 1`` degrees of freedom
(persons as a sample; descriptive, not causal).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._arm import insert_after_id, kept_columns
from .._validation import check_alpha, check_choice
from ..effects.means import difference_in_means
from ..errors import ArgumentError, DesignError
from ..output.declare import declare_table
from ..panel import StatusPanel
from ..panel._runs import in_set
from ..panel.outcomes import _window
from ..results import InferentialResult, fmt_value

__all__ = [
    "FULL_TIME_HOURS",
    "FullYearDifference",
    "full_year_by_period",
    "full_year_change",
    "full_year_contributions",
    "full_year_effect",
]

#: Hours a week of a full-time person (documented assumption: the 37-hour week of the
#: Danish collective agreements).
FULL_TIME_HOURS = 37.0


def full_year_contributions(
    panel: StatusPanel,
    states: str | Iterable[str] | None,
    window: tuple,
    measure: str = "weeks",
    hours_per_week: float = FULL_TIME_HOURS,
    keep: pd.DataFrame | None = None,
    id: str = "id",
) -> pd.DataFrame:
    """Each person's contribution to the full-year persons of a window.

    Columns: ``id`` (then the ``keep`` columns), ``weeks_in_state`` (or ``hours`` with
    ``measure="hours"``: the panel's hours in the weeks in ``states``; ``states=None``:
    every week), ``period_weeks`` (the window's length, the divisor, also when the panel
    covers only part of it) and ``full_year``: ``weeks_in_state / period_weeks``, or
    ``hours / (hours_per_week x period_weeks)``. Declared person-level.

    >>> panel = StatusPanel(np.array(["a", "b"]), np.array([[0] * 52, [0] * 26 + [1] * 26]),
    ...                     ("benefit", "employed"), first_week=1, aligned=True)
    >>> full_year_contributions(panel, "benefit", (1, 52))  # b: 26 / 52 = 0.5
      id  weeks_in_state  period_weeks  full_year
    0  a              52            52        1.0
    1  b              26            52        0.5
    """
    check_choice(measure, "measure", ("weeks", "hours"))
    if not isinstance(panel, StatusPanel):
        raise ArgumentError(
            f"panel must be an evalkit.panel.StatusPanel; got {type(panel).__name__}."
        )
    if isinstance(window, tuple | list) and len(window) == 2:
        first_req, last_req = window
    kept = kept_columns(panel, keep, id)
    first, last = _window(panel, window)
    period_weeks = int(last_req) - int(first_req) + 1
    j0, j1 = first - panel.first_week, last - panel.first_week + 1
    block = panel.codes[:, j0:j1]
    if states is None:
        mask = block >= 0
    else:
        mask = in_set(block, panel.state_codes(states), len(panel.states))
    if measure == "weeks":
        value = mask.sum(axis=1)
        column, divisor = "weeks_in_state", period_weeks
    else:
        if panel.hours is None:
            raise ArgumentError(
                "measure='hours' needs a panel with hours; add them with "
                "evalkit.panel.add_hours(...)."
            )
        if (
            isinstance(hours_per_week, bool)
            or not isinstance(hours_per_week, int | float | np.integer | np.floating)
            or not np.isfinite(hours_per_week)
            or hours_per_week <= 0
        ):
            raise ArgumentError(
                f"hours_per_week must be a positive number; got {hours_per_week!r}."
            )
        hours = panel.hours[:, j0:j1]
        value = np.where(mask & ~np.isnan(hours), hours, 0.0).sum(axis=1)
        column, divisor = "hours", hours_per_week * period_weeks
    frame = pd.DataFrame(
        {
            "id": panel.id_column(),
            column: value,
            "period_weeks": period_weeks,
            "full_year": value / divisor,
        }
    )
    frame = insert_after_id(frame, kept)
    frame.attrs["window"] = (first, last)
    frame.attrs["measure"] = measure
    return declare_table(frame, person_level=True)


def full_year_by_period(
    panel: StatusPanel,
    states: str | Iterable[str],
    periods: Iterable[tuple],
    trial: pd.DataFrame | None = None,
    treatment: str | None = None,
    id: str = "id",
    measure: str = "weeks",
    hours_per_week: float = FULL_TIME_HOURS,
) -> pd.DataFrame:
    """Full-year persons by period (windows of weeks), state and, with ``treatment``, arm.

    One row per period, state (each of ``states`` separately) and arm: ``period``
    (``"1-52"``), ``state``, ``arm`` (with ``treatment``), ``persons`` and
    ``full_year_persons`` (the sum of the contributions of
    :func:`full_year_contributions`). ``persons`` and ``full_year_persons`` are declared
    counts of persons. For calendar years and months use
    :func:`evalkit.panel.full_year_persons`.

    >>> panel = StatusPanel(np.array(["a", "b"]), np.array([[0] * 104, [0] * 26 + [1] * 78]),
    ...                     ("benefit", "employed"), first_week=1, aligned=True)
    >>> full_year_by_period(panel, "benefit", [(1, 52), (53, 104)])  # 1 + 26/52
      period    state  persons  full_year_persons
    0   1-52  benefit        2                1.5
    1 53-104  benefit        2                1.0
    """
    names = [states] if isinstance(states, str) else list(states)
    if not names:
        raise ArgumentError("give at least one state.")
    periods = list(periods)
    if not periods:
        raise ArgumentError("give at least one period, e.g. periods=[(1, 52), (53, 104)].")
    if (trial is None) != (treatment is None):
        raise ArgumentError("give trial= and treatment= together (the arm of each person).")
    keep = None if trial is None else trial.loc[:, [id, treatment]]
    rows = []
    for window in periods:
        for state in names:
            c = full_year_contributions(panel, state, window, measure, hours_per_week, keep, id)
            label = f"{window[0]}-{window[1]}"
            if treatment is None:
                rows.append((label, state, len(c), float(c["full_year"].sum())))
            else:
                for arm, part in c.groupby(treatment, sort=True):
                    rows.append((label, state, arm, len(part), float(part["full_year"].sum())))
    columns = ["period", "state", "persons", "full_year_persons"]
    if treatment is not None:
        columns.insert(2, "arm")
    frame = pd.DataFrame(rows, columns=columns)
    frame.attrs["measure"] = measure
    return declare_table(frame, counts=["persons", "full_year_persons"])


@dataclass(frozen=True, eq=False, repr=False)
class FullYearDifference(InferentialResult):
    """A difference in full-year persons, with its interval.

    Attributes
    ----------
    estimate : the difference in full-year persons (treated minus control scaled to the
        treated arm, or period minus baseline).
    std_error, conf_int, p_value, statistic, df : its inference (t reference).
    per_person : the difference in mean contributions (full-year persons per person).
    groups : the two groups compared, e.g. ``("treated", "control")``.
    n : persons in each group; full_year_persons : the observed full-year persons of each.
    scale : the multiplier from per person to full-year persons (``n_1`` or ``n``).
    comparison, states, window, measure, alpha : what was compared.
    """

    estimate: float
    std_error: float
    conf_int: tuple[float, float]
    p_value: float
    statistic: float
    df: float
    per_person: float
    groups: tuple[str, str]
    n: tuple[int, int]
    full_year_persons: tuple[float, float]
    scale: float
    comparison: str
    states: tuple
    window: str
    measure: str = "weeks"
    alpha: float = 0.05

    def _term(self) -> str:
        return f"full-year persons, {self.groups[0]} - {self.groups[1]}"

    def _row_extra(self) -> dict:
        a, b = self.groups
        return {
            "df": self.df,
            "per_person": self.per_person,
            f"n_{a}": self.n[0],
            f"n_{b}": self.n[1],
            f"full_year_persons_{a}": self.full_year_persons[0],
            f"full_year_persons_{b}": self.full_year_persons[1],
            "comparison": self.comparison,
            "window": self.window,
            "measure": self.measure,
        }

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        a, b = self.groups
        counts = [f"n_{a}", f"n_{b}", f"full_year_persons_{a}", f"full_year_persons_{b}"]
        numbers = ["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high",
                   "df", "per_person"]  # fmt: skip
        return declare_table(frame, counts=counts, dependent=numbers)

    def _header(self) -> list[str]:
        a, b = self.groups
        return [
            f"Full-year persons in {', '.join(map(str, self.states))} ({self.measure}), "
            f"{self.window}: {self.comparison}",
            f"{a}: {self.n[0]} persons, {fmt_value(self.full_year_persons[0])} full-year "
            f"persons; {b}: {self.n[1]} persons, {fmt_value(self.full_year_persons[1])}",
        ]

    def _details(self) -> list[str]:
        return [f"per person {fmt_value(self.per_person)}, scaled by {fmt_value(self.scale)}"]


def full_year_effect(
    panel: StatusPanel,
    states: str | Iterable[str] | None,
    trial: pd.DataFrame,
    treatment: str,
    window: tuple,
    id: str = "id",
    measure: str = "weeks",
    hours_per_week: float = FULL_TIME_HOURS,
    scale: float | None = None,
    alpha: float = 0.05,
) -> FullYearDifference:
    """The change in full-year persons against the control arm, with a confidence interval.

    ``delta = scale x (mean_1 - mean_0)`` of the per-person contributions of
    :func:`full_year_contributions`, the difference in means and its Neyman standard error
    and Welch t interval from :func:`evalkit.difference_in_means`, all times ``scale``
    (default: the treated arm's size ``n_1``; give another size, e.g. a caseload, to
    scale to it). ``trial`` lists every person of the panel with the 0/1 ``treatment``.

    >>> codes = np.zeros((8, 52), dtype=int)
    >>> codes[:4, :13] = 1  # the 4 treated persons are employed 13 of 52 weeks
    >>> codes[[0, 4], :26] = 1  # treated a and control e are employed 26 weeks
    >>> panel = StatusPanel(np.array(list("abcdefgh")), codes, ("benefit", "employed"),
    ...                     first_week=1, aligned=True)
    >>> trial = pd.DataFrame({"id": list("abcdefgh"), "treated": [1] * 4 + [0] * 4})
    >>> r = full_year_effect(panel, "benefit", trial, "treated", (1, 52))
    >>> r.full_year_persons, r.per_person, r.estimate  # 4 x (0.6875 - 0.875) = -0.75
    ((2.75, 3.5), -0.1875, -0.75)
    """
    alpha = check_alpha(alpha)
    if not isinstance(trial, pd.DataFrame):
        raise ArgumentError(f"trial must be a DataFrame; got {type(trial).__name__}.")
    for name, value in (("treatment", treatment), ("id", id)):
        if not isinstance(value, str) or value not in trial.columns:
            raise ArgumentError(f"{name} column {value!r} is not in trial.")
    c = full_year_contributions(
        panel, states, window, measure, hours_per_week, trial.loc[:, [id, treatment]], id
    )
    effect = difference_in_means(c, "full_year", treatment, alpha=alpha)
    n1, n0 = effect.n_treated, effect.n_control
    if scale is None:
        scale = float(n1)
    elif isinstance(scale, bool) or not isinstance(scale, int | float) or scale <= 0:
        raise ArgumentError(f"scale must be a positive number of persons; got {scale!r}.")
    treated = c[treatment].astype(float).to_numpy() == 1
    sums = (float(c["full_year"][treated].sum()), float(c["full_year"][~treated].sum()))
    return FullYearDifference(
        estimate=scale * effect.estimate,
        std_error=scale * effect.std_error,
        conf_int=(scale * effect.conf_int[0], scale * effect.conf_int[1]),
        p_value=effect.p_value,
        statistic=effect.statistic,
        df=effect.df,
        per_person=effect.estimate,
        groups=("treated", "control"),
        n=(n1, n0),
        full_year_persons=sums,
        scale=float(scale),
        comparison="treated against control, difference in means x the treated arm",
        states=_names(states),
        window=f"weeks {window[0]}-{window[1]}",
        measure=measure,
        alpha=alpha,
    )


def full_year_change(
    panel: StatusPanel,
    states: str | Iterable[str] | None,
    window: tuple,
    baseline: tuple,
    measure: str = "weeks",
    hours_per_week: float = FULL_TIME_HOURS,
    alpha: float = 0.05,
) -> FullYearDifference:
    """The change in full-year persons from a baseline window to a later one (same persons).

    ``delta = sum_i d_i`` with ``d_i = c_i(window) - c_i(baseline)`` (contributions of
    :func:`full_year_contributions`), ``SE = sqrt(n) s_d`` (``s_d`` the standard deviation
    of the ``d_i``), a t interval on ``n - 1`` degrees of freedom. Windows of different
    lengths compare averages (each contribution is divided by its window's weeks).

    >>> panel = StatusPanel(np.array(["a", "b", "c"]),
    ...                     np.array([[0] * 104, [0] * 52 + [1] * 52, [0] * 78 + [1] * 26]),
    ...                     ("benefit", "employed"), first_week=1, aligned=True)
    >>> r = full_year_change(panel, "benefit", (53, 104), baseline=(1, 52))
    >>> r.full_year_persons, r.estimate  # 1 + 0 + 0.5 = 1.5 against 3: -1.5
    ((1.5, 3.0), -1.5)
    """
    alpha = check_alpha(alpha)
    now = full_year_contributions(panel, states, window, measure, hours_per_week)
    before = full_year_contributions(panel, states, baseline, measure, hours_per_week)
    d = now["full_year"].to_numpy() - before["full_year"].to_numpy()
    n = len(d)
    if n < 2:
        raise DesignError("full_year_change needs at least 2 persons for a standard error.")
    se = float(np.sqrt(n) * d.std(ddof=1))
    total = float(d.sum())
    df = float(n - 1)
    if se > 0:
        t = total / se
        p = float(2 * stats.t.sf(abs(t), df))
    else:
        t, p = np.nan, np.nan
    q = float(stats.t.ppf(1 - alpha / 2, df))
    return FullYearDifference(
        estimate=total,
        std_error=se,
        conf_int=(total - q * se, total + q * se),
        p_value=p,
        statistic=t,
        df=df,
        per_person=total / n,
        groups=("period", "baseline"),
        n=(n, n),
        full_year_persons=(float(now["full_year"].sum()), float(before["full_year"].sum())),
        scale=float(n),
        comparison="against the baseline period, paired sum over persons",
        states=_names(states),
        window=f"weeks {window[0]}-{window[1]} against {baseline[0]}-{baseline[1]}",
        measure=measure,
        alpha=alpha,
    )


def _names(states) -> tuple:
    if states is None:
        return ("all observed weeks",)
    return (states,) if isinstance(states, str) else tuple(states)
