"""Outcome-payment contracts as data, and the payments they give on a status panel.

A pay-for-success contract (Impact60 in Aalborg, the Peterborough social impact bond)
pays an amount for every week a referred person is in a paying state, within a contract
period, subject to rules. Here the contract is data (:class:`RateCard`, :class:`Contract`,
:class:`CohortTrigger`) and :func:`contract_payments` applies it to a
:class:`~evalkit.panel.StatusPanel`.

The rules, applied in this order (documented and tested)
--------------------------------------------------------
1. **Paying weeks**: a person-week pays when it lies in the contract period and the
   person is observed in a state of the rate card with an amount above 0.
2. **Minimum run** (``min_run = k``): a paying week counts only inside a run of at least
   ``k`` consecutive paying weeks; runs are counted inside the contract period (an
   unobserved week or a week in a state without amount ends a run; a run may mix paying
   states, e.g. self-sufficient then partly self-sufficient).
3. **Amount**: a counted week earns the rate of its state.
4. **Cohort trigger**: a person *reaches the outcome* when they have at least one
   counted week in the trigger's states (default: every paying state) within the period;
   a cohort whose share (or number) of persons reaching the outcome is below the
   threshold is paid nothing (as in the Peterborough bond, whose cohorts paid only when
   reconvictions fell by at least 10 %).
5. **Per-person cap**: a person's payments are summed over their weeks in time order;
   the week that crosses the cap is paid the remainder and later weeks nothing,
   ``paid_t = min(C_t, cap) - min(C_{t-1}, cap)`` with ``C_t`` the cumulative amount.
6. **Contract cap**: the payments of all persons are summed by week in time (the
   panel's week: reference week plus week since referral); the week that crosses the
   cap pays its persons pro rata, ``factor_t = clip((cap - B_t) / W_t, 0, 1)`` with
   ``W_t`` that week's payments and ``B_t`` those of every earlier week, and later
   weeks nothing.

Months (the table by month) are calendar months of the week's Thursday (the ISO rule)
for calendar panels, and months since referral, ``floor(12 w / 52)`` for week ``w``,
otherwise.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import _show, check_amount, select_columns
from ..errors import ArgumentError, DesignError
from ..output.declare import declare_table
from ..panel.panel import StatusPanel
from ..panel.weeks import ordinal_to_monday, parse_weeks
from ..results import TableDisplay, fmt_value

__all__ = [
    "CohortTrigger",
    "Contract",
    "ContractPayments",
    "RateCard",
    "contract_payments",
]


# --------------------------------------------------------------------------- contract data
@dataclass(frozen=True)
class RateCard:
    """The amount paid per week by state.

    Parameters
    ----------
    rates : dict ``{state: amount per week}``; a key is a state name or a tuple of state
        names paid the same amount. Amounts are finite and 0 or more; at least one is
        above 0. A state named under two keys is an error (overlapping states).

    Example
    -------
    >>> card = RateCard({"self_sufficient": 1000, "partly_self_sufficient": 500})
    >>> card.paying_states, card.rate("partly_self_sufficient")
    (('self_sufficient', 'partly_self_sufficient'), 500.0)
    >>> RateCard({("education", "flexjob"): 300}).rates
    {'education': 300.0, 'flexjob': 300.0}
    """

    rates: Mapping

    def __post_init__(self) -> None:
        if not isinstance(self.rates, Mapping) or not self.rates:
            raise ArgumentError(
                "rate_card must be a non-empty dict {state name: amount per week}, e.g. "
                "{'self_sufficient': 1000, 'partly_self_sufficient': 500}."
            )
        flat: dict[str, float] = {}
        for key, value in self.rates.items():
            names = (key,) if isinstance(key, str) else key
            if (
                not isinstance(names, tuple)
                or not names
                or not all(isinstance(n, str) for n in names)
            ):
                raise ArgumentError(
                    f"rate_card keys are state names or tuples of state names; got {key!r}."
                )
            amount = check_amount(value, f"rate_card[{key!r}]")
            for name in names:
                if name in flat:
                    raise ArgumentError(
                        f"rate_card: state {name!r} is named under two keys (overlapping "
                        "states); give every state one amount."
                    )
                flat[name] = amount
        if not any(v > 0 for v in flat.values()):
            raise ArgumentError("rate_card: every amount is 0; give at least one amount above 0.")
        object.__setattr__(self, "rates", flat)

    @property
    def paying_states(self) -> tuple[str, ...]:
        """The states with an amount above 0, in the card's order."""
        return tuple(k for k, v in self.rates.items() if v > 0)

    @property
    def max_rate(self) -> float:
        """The largest weekly amount (one payment)."""
        return max(self.rates.values())

    def rate(self, state: str) -> float:
        """The amount of one week in ``state`` (0 for a state not on the card)."""
        return self.rates.get(state, 0.0)

    def by_code(self, states: tuple[str, ...]) -> np.ndarray:
        """Amounts by state position of a panel with ``states`` (an error names unknown
        states)."""
        unknown = [s for s in self.rates if s not in states]
        if unknown:
            raise ArgumentError(
                f"rate_card names states the panel does not have: {_show(unknown)}; the "
                f"panel's states are {', '.join(states)}."
            )
        return np.array([self.rates.get(s, 0.0) for s in states], dtype=float)


@dataclass(frozen=True)
class CohortTrigger:
    """Pay a cohort only when enough of its persons reach the outcome.

    A person reaches the outcome with at least one counted week (after ``min_run``) in
    ``states`` within the contract period. Give ``share`` (a share of the cohort's
    persons, in (0, 1]) or ``persons`` (a number), not both.

    Example
    -------
    >>> half, sixty = CohortTrigger(share=0.5), CohortTrigger(persons=60)
    >>> bool(half.passes(60, 120)), bool(sixty.passes(59, 120))
    (True, False)
    """

    share: float | None = None
    persons: int | None = None
    states: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if (self.share is None) == (self.persons is None):
            raise ArgumentError("trigger: give share= or persons= (one of them).")
        if self.share is not None:
            if (
                isinstance(self.share, bool)
                or not isinstance(self.share, numbers.Real)
                or not (0 < float(self.share) <= 1)
            ):
                raise ArgumentError(f"trigger.share must be in (0, 1]; got {self.share!r}.")
        if self.persons is not None and (
            isinstance(self.persons, bool)
            or not isinstance(self.persons, numbers.Integral)
            or self.persons < 1
        ):
            raise ArgumentError(
                f"trigger.persons must be a whole number >= 1; got {self.persons!r}."
            )
        if self.states is not None:
            states = (self.states,) if isinstance(self.states, str) else tuple(self.states)
            if not states or not all(isinstance(s, str) for s in states):
                raise ArgumentError("trigger.states must be state names.")
            object.__setattr__(self, "states", states)

    def passes(self, reached, persons):
        """Whether ``reached`` of ``persons`` passes (arrays work elementwise)."""
        reached = np.asarray(reached)
        if self.persons is not None:
            return reached >= self.persons
        persons = np.asarray(persons)
        return reached >= self.share * persons - 1e-9


@dataclass(frozen=True)
class Contract:
    """An outcome-payment contract.

    Parameters
    ----------
    rate_card : a :class:`RateCard` (or the dict of one).
    period : ``(first, last)`` weeks, both included: weeks since referral (week 0 = the
        referral week of an aligned panel) or, with ``calendar=True``, calendar weeks
        (ISO labels such as ``"2018-W36"``, DREAM names or dates).
    calendar : whether ``period`` is in calendar weeks.
    person_cap : at most this much per person (None: no cap).
    contract_cap : at most this much in all (None: no cap).
    min_run : a week counts only inside a run of at least this many paying weeks.
    trigger : a :class:`CohortTrigger` (None: every cohort is paid).

    Example
    -------
    >>> c = Contract({"self_sufficient": 1000}, period=(0, 155), person_cap=60_000)
    >>> c.rate_card.rates, c.period
    ({'self_sufficient': 1000.0}, (0, 155))
    """

    rate_card: RateCard | Mapping
    period: tuple
    calendar: bool = False
    person_cap: float | None = None
    contract_cap: float | None = None
    min_run: int = 1
    trigger: CohortTrigger | None = None
    period_weeks: tuple[int, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        card = self.rate_card
        if not isinstance(card, RateCard):
            card = RateCard(card)
        object.__setattr__(self, "rate_card", card)
        if not isinstance(self.calendar, bool):
            raise ArgumentError(f"calendar must be True or False; got {self.calendar!r}.")
        try:
            first, last = self.period
        except (TypeError, ValueError):
            raise ArgumentError(
                f"period must be a pair (first, last) of weeks; got {self.period!r}."
            ) from None
        if self.calendar:
            try:
                numbers_, calendar = parse_weeks([first, last], "period")
            except ArgumentError as error:
                raise ArgumentError(f"period: {error}") from None
            if not calendar:
                raise ArgumentError(
                    "period: with calendar=True give calendar weeks (e.g. '2018-W36'); "
                    f"got {self.period!r}."
                )
            weeks = (int(numbers_[0]), int(numbers_[1]))
        else:
            if not all(
                isinstance(w, numbers.Integral) and not isinstance(w, bool) for w in (first, last)
            ):
                raise ArgumentError(
                    "period: give whole weeks since referral, e.g. (0, 155), or calendar "
                    f"weeks with calendar=True; got {self.period!r}."
                )
            weeks = (int(first), int(last))
        if weeks[1] < weeks[0]:
            raise ArgumentError(f"period: the last week is before the first; got {self.period!r}.")
        object.__setattr__(self, "period_weeks", weeks)
        cap = check_amount(self.person_cap, "person_cap", allow_none=True, positive=True)
        total = check_amount(self.contract_cap, "contract_cap", allow_none=True, positive=True)
        for name, value in (("person_cap", cap), ("contract_cap", total)):
            if value is not None and value < card.max_rate:
                raise ArgumentError(
                    f"{name} ({value:g}) is below one week's payment ({card.max_rate:g}); "
                    "caps are totals in kroner, not weekly amounts."
                )
        if cap is not None and total is not None and total < cap:
            raise ArgumentError(
                f"contract_cap ({total:g}) is below person_cap ({cap:g}); check the caps."
            )
        object.__setattr__(self, "person_cap", cap)
        object.__setattr__(self, "contract_cap", total)
        if (
            isinstance(self.min_run, bool)
            or not isinstance(self.min_run, numbers.Integral)
            or self.min_run < 1
        ):
            raise ArgumentError(f"min_run must be a whole number >= 1; got {self.min_run!r}.")
        if self.trigger is not None and not isinstance(self.trigger, CohortTrigger):
            raise ArgumentError("trigger must be a CohortTrigger (or None).")

    def describe(self) -> str:
        """The contract in one line."""
        card = ", ".join(f"{k} {v:g}" for k, v in self.rate_card.rates.items())
        parts = [f"rates per week: {card}", f"period {self.period[0]}..{self.period[1]}"]
        if self.min_run > 1:
            parts.append(f"runs of at least {self.min_run} weeks")
        if self.person_cap is not None:
            parts.append(f"person cap {self.person_cap:,.0f}")
        if self.contract_cap is not None:
            parts.append(f"contract cap {self.contract_cap:,.0f}")
        if self.trigger is not None:
            t = self.trigger
            need = f"{t.persons} persons" if t.persons is not None else f"{100 * t.share:g}%"
            parts.append(f"cohort trigger {need}")
        return "; ".join(parts)


# --------------------------------------------------------------------------- the engine
@dataclass(frozen=True)
class _Layout:
    """Where the contract period sits in a panel: columns, per-row mask, time axis."""

    columns: np.ndarray  # panel columns of the period's weeks (may be -1: beyond the panel)
    weeks: np.ndarray  # week numbers of those columns (since referral, or calendar)
    time: np.ndarray  # per row: time index of column 0 (calendar order), int64
    n_time: int
    months: np.ndarray  # month index of every time index (calendar) or column (not)
    month_labels: list
    calendar_base: int | None  # calendar ordinal of time index 0 (calendar panels)
    window: np.ndarray | None  # per row (first, last) column inside the period (calendar)


def _layout(panel: StatusPanel, contract: Contract, extend: bool = False) -> _Layout:
    """The contract period on the panel; ``extend`` allows weeks beyond the panel (they
    are filled by a projection)."""
    first, last = contract.period_weeks
    p0, p1 = panel.first_week, panel.first_week + panel.n_weeks - 1
    window = None
    if contract.calendar:
        if not panel.calendar:
            raise ArgumentError(
                "period: calendar weeks need a panel with calendar weeks (built from ISO "
                "labels, DREAM names or dates)."
            )
        if panel.aligned:
            # per person: the calendar period in weeks since referral, from referral on
            ref = np.asarray(panel.reference_week, dtype=np.int64)
            lo, hi = np.maximum(first - ref, 0), last - ref
            w0, w1 = int(lo.min()), int(hi.max())
            window = np.stack([lo - w0, hi - w0], axis=1)
        else:
            w0, w1 = first, last
    else:
        if not panel.aligned:
            raise ArgumentError(
                "period: weeks since referral need an aligned panel (panel.align(trial, id, "
                "'referral_week')); or give calendar weeks with calendar=True."
            )
        w0, w1 = first, last
    if panel.aligned and panel.reference_week is not None:
        time_of_col0 = np.asarray(panel.reference_week, dtype=np.int64) + w0
    else:
        time_of_col0 = np.full(panel.n_persons, w0, dtype=np.int64)
    if not extend and (w0 < p0 or w1 > p1):
        kind = "calendar " if contract.calendar and not panel.aligned else ""
        raise ArgumentError(
            f"period: the contract's {kind}weeks {w0}..{w1} (in the panel's week numbers) "
            f"are not all inside the panel (weeks {p0}..{p1}); shorten the period or build "
            "the panel over the whole period (align(..., before=, after=))."
        )
    if w1 < p0 or (w0 > p1 and not extend):
        raise ArgumentError(f"period: the contract's weeks {w0}..{w1} do not meet the panel.")
    weeks = np.arange(w0, w1 + 1)
    columns = np.where(weeks <= p1, weeks - p0, -1)
    columns = np.where(weeks < p0, -1, columns)
    base = int(time_of_col0.min())
    time = time_of_col0 - base
    n_time = int(time.max()) + len(weeks)
    if panel.calendar:
        calendar_base = base
        ordinals = base + np.arange(n_time)
        thursday = ordinal_to_monday(ordinals) + pd.Timedelta(days=3)
        month_number = thursday.year.to_numpy() * 12 + thursday.month.to_numpy() - 1
        m0 = int(month_number.min())
        months = (month_number - m0).astype(np.int64)
        month_labels = [
            f"{(m0 + k) // 12}-{(m0 + k) % 12 + 1:02d}" for k in range(int(months.max()) + 1)
        ]
    else:  # months since referral, by column
        calendar_base = None
        since = (12 * weeks) // 52
        m0 = int(since.min())
        months = (since - m0).astype(np.int64)
        month_labels = [int(m0 + k) for k in range(int(months.max()) + 1)]
    return _Layout(columns, weeks, time, n_time, months, month_labels, calendar_base, window)


def _cell_months(layout: _Layout, time: np.ndarray) -> np.ndarray:
    """The month index of every (row, column) cell of the period."""
    j = np.arange(len(layout.weeks))
    if layout.calendar_base is None:
        return np.broadcast_to(layout.months[None, :], (len(time), len(j)))
    return layout.months[time[:, None] + j[None, :]]


def _period_codes(panel: StatusPanel, layout: _Layout, rows=slice(None)) -> np.ndarray:
    """The panel's codes over the contract period (-1 beyond the panel or outside a
    person's calendar window)."""
    codes = panel.codes[rows]
    out = np.full((codes.shape[0], len(layout.columns)), -1, dtype=np.int8)
    inside = layout.columns >= 0
    out[:, inside] = codes[:, layout.columns[inside]]
    if layout.window is not None:
        window = layout.window[rows]
        j = np.arange(out.shape[1])
        outside = (j[None, :] < window[:, :1]) | (j[None, :] > window[:, 1:])
        out[outside] = -1
    return out


def _long_runs(mask: np.ndarray, k: int) -> np.ndarray:
    """``mask`` kept only in runs of at least ``k`` consecutive True cells of a row.

    One pass: the row-padded flat mask, a run id per cell (cumulative count of run
    starts), each run's length from ``np.bincount``.

    >>> _long_runs(np.array([[1, 1, 0, 1, 1, 1], [1, 1, 1, 1, 0, 1]], dtype=bool), 3) * 1
    array([[0, 0, 0, 1, 1, 1],
           [1, 1, 1, 1, 0, 0]])
    """
    if k <= 1:
        return mask
    rows, cols = mask.shape
    padded = np.zeros((rows, cols + 1), dtype=bool)
    padded[:, :cols] = mask
    flat = padded.ravel()
    starts = flat.copy()
    starts[1:] &= ~flat[:-1]
    run = np.cumsum(starts, dtype=np.int64)
    run[~flat] = 0
    lengths = np.bincount(run)
    lengths[0] = 0
    return (lengths[run] >= k).reshape(rows, cols + 1)[:, :cols]


@dataclass
class _Settled:
    paid: np.ndarray  # (rows, weeks) amounts paid after every rule
    counted: np.ndarray  # (rows, weeks) counted weeks (after min_run)
    earned: np.ndarray  # (rows,) amounts before the trigger and caps
    reached: np.ndarray  # (rows,) reached the trigger outcome
    triggered: np.ndarray  # (groups, cohorts) the cohort passes the trigger
    persons: np.ndarray  # (groups, cohorts) persons
    reached_count: np.ndarray  # (groups, cohorts)


def _settle(
    codes: np.ndarray,
    time: np.ndarray,
    n_time: int,
    group: np.ndarray,
    n_groups: int,
    cohort: np.ndarray,
    n_cohorts: int,
    rates: np.ndarray,
    trigger_set: np.ndarray,
    contract: Contract,
) -> _Settled:
    """Apply the contract's rules (module docstring, steps 1-6) to period codes whose
    rows belong to contract instances ``group`` (one per simulation) and cohorts."""
    rows, cols = codes.shape
    lookup = np.r_[rates, 0.0]  # code -1 -> the last entry, 0
    amount = lookup[codes]
    counted = _long_runs(amount > 0, contract.min_run)
    amount = np.where(counted, amount, 0.0)
    earned = amount.sum(axis=1)
    in_trigger = np.r_[trigger_set, False][codes]
    reached = (counted & in_trigger).any(axis=1)
    cell = group * n_cohorts + cohort
    persons = np.bincount(cell, minlength=n_groups * n_cohorts).reshape(n_groups, n_cohorts)
    reached_count = np.bincount(cell, weights=reached, minlength=n_groups * n_cohorts)
    reached_count = reached_count.reshape(n_groups, n_cohorts).astype(np.int64)
    if contract.trigger is not None:
        triggered = contract.trigger.passes(reached_count, persons) & (persons > 0)
        amount *= triggered.ravel()[cell][:, None]
    else:
        triggered = persons > 0
    if contract.person_cap is not None:
        capped = np.minimum(np.cumsum(amount, axis=1), contract.person_cap)
        amount = np.diff(capped, axis=1, prepend=0.0)
    if contract.contract_cap is not None:
        t_index = time[:, None] + np.arange(cols)[None, :]
        key = (group[:, None] * n_time + t_index).ravel()
        weekly = np.bincount(key, weights=amount.ravel(), minlength=n_groups * n_time)
        weekly = weekly.reshape(n_groups, n_time)
        before = np.cumsum(weekly, axis=1) - weekly
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(
                weekly > 0, np.clip((contract.contract_cap - before) / weekly, 0.0, 1.0), 1.0
            )
        amount = amount * factor.ravel()[key].reshape(rows, cols)
    return _Settled(amount, counted, earned, reached, triggered, persons, reached_count)


def _cohorts(panel: StatusPanel, cohort, by, id) -> tuple[np.ndarray, list]:
    """Per row the cohort index, and the cohort labels."""
    if cohort is None:
        return np.zeros(panel.n_persons, dtype=np.int64), ["all"]
    if not isinstance(cohort, pd.DataFrame):
        raise ArgumentError(
            "cohort must be a DataFrame with the panel's ids and a cohort column "
            "(cohort=persons[['id', 'house']], by='house'), or None."
        )
    if by is None:
        raise ArgumentError("cohort: name the cohort column with by=.")
    frame = select_columns(cohort, {"id": [id], "by": [by]})
    ids = frame[id].to_numpy()
    index = pd.Index(ids).get_indexer(panel.ids)
    if pd.Index(ids).has_duplicates:
        raise DesignError(f"cohort: the id column {id!r} repeats persons; one row per person.")
    if (index < 0).any():
        raise DesignError(
            f"cohort: {int((index < 0).sum())} of the panel's {panel.n_persons} persons are not "
            f"in the cohort frame (column {id!r}); give every person a cohort."
        )
    values = frame[by].to_numpy()[index]
    if pd.isna(values).any():
        raise DesignError(
            f"cohort: column {by!r} is missing for {int(pd.isna(values).sum())} persons."
        )
    codes, labels = pd.factorize(values, sort=True)
    return codes.astype(np.int64), list(labels)


def _trigger_set(contract: Contract, states: tuple[str, ...], rates: np.ndarray) -> np.ndarray:
    names = None if contract.trigger is None else contract.trigger.states
    if names is None:
        return rates > 0
    unknown = [s for s in names if s not in states]
    if unknown:
        raise ArgumentError(
            f"trigger.states names states the panel does not have: {_show(unknown)}; the "
            f"panel's states are {', '.join(states)}."
        )
    return np.isin(np.array(states), names)


def _check_panel(panel) -> None:
    if not isinstance(panel, StatusPanel):
        raise ArgumentError(
            f"panel must be a StatusPanel (StatusPanel.from_long / from_wide, then align); "
            f"got {type(panel).__name__}."
        )
    if panel.n_persons == 0:
        raise ArgumentError("panel has no persons.")


def _check_contract(contract) -> Contract:
    if not isinstance(contract, Contract):
        raise ArgumentError(f"contract must be a Contract; got {type(contract).__name__}.")
    return contract


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False, repr=False)
class ContractPayments(TableDisplay):
    """What a contract pays on a panel.

    Attributes
    ----------
    contract : the :class:`Contract`.
    total : the amount paid in all.
    by_person : one row per person (``id``, ``cohort``, ``weeks_counted``, ``earned``
        before the trigger and caps, ``reached``, ``paid``); declared person-level (it
        never leaves a register environment).
    by_month : ``month``, ``persons_paid`` (a count of persons), ``weeks_paid``,
        ``amount``.
    by_cohort : ``cohort``, ``persons``, ``persons_reaching``, ``triggered``,
        ``persons_paid``, ``weeks_paid``, ``amount`` (``to_frame()``).
    """

    contract: Contract
    total: float
    by_person: pd.DataFrame = field(repr=False)
    by_month: pd.DataFrame = field(repr=False)
    by_cohort: pd.DataFrame = field(repr=False)
    n_persons: int = 0

    def to_frame(self) -> pd.DataFrame:
        """Payments by cohort, declared: persons, persons reaching the outcome and persons
        paid are counts; weeks and amounts rest on them."""
        return self.by_cohort.copy()

    def persons(self) -> pd.DataFrame:
        """Payments by person (declared person-level)."""
        return self.by_person.copy()

    def months(self) -> pd.DataFrame:
        """Payments by month (declared: persons paid is a count)."""
        return self.by_month.copy()

    def _header(self) -> list[str]:
        return [
            "Outcome payments under the contract",
            self.contract.describe(),
            f"{self.n_persons} persons; total paid {fmt_value(self.total)}",
        ]

    def summary(self) -> str:
        table = self.to_frame()
        table.attrs = {}
        return "\n".join(self._header() + [table.to_string(index=False)])


def contract_payments(
    panel: StatusPanel,
    contract: Contract,
    cohort: pd.DataFrame | None = None,
    by: str | None = None,
    id: str = "id",
) -> ContractPayments:
    """The payments a contract gives on a status panel.

    The rules and their order are in the module docstring: paying weeks in the period,
    the minimum run, the rate card, the cohort trigger, the per-person cap, then the
    contract cap by payment order in time. Person ``i`` is paid
    ``sum_t r(s_it) 1[t counted]`` before the trigger and the caps.

    Parameters
    ----------
    panel : an aligned :class:`~evalkit.panel.StatusPanel` (week 0 = referral); a
        calendar panel also takes calendar periods.
    contract : the :class:`Contract`.
    cohort : optional DataFrame with the panel's ids in ``id`` and the cohort in ``by``;
        the trigger applies to each cohort separately (None: one cohort, ``"all"``).
    by, id : the cohort and id columns of ``cohort``.

    Example
    -------
    Two persons, weeks 0-3 since referral; codes 0 = self-sufficient, 1 = partly, 2 =
    cash benefit. Person a: 1000 + 1000 + 500 = 2500; person b: 500 (week 3).

    >>> panel = StatusPanel(np.array(["a", "b"]), np.array([[0, 0, 1, 2], [2, 2, 2, 1]]),
    ...     ("self_sufficient", "partly_self_sufficient", "cash_benefit"), aligned=True)
    >>> card = {"self_sufficient": 1000, "partly_self_sufficient": 500}
    >>> contract_payments(panel, Contract(card, period=(0, 3))).total
    3000.0
    >>> contract_payments(panel, Contract(card, period=(0, 3), person_cap=2000)).total
    2500.0
    """
    _check_panel(panel)
    contract = _check_contract(contract)
    rates = contract.rate_card.by_code(panel.states)
    trigger_set = _trigger_set(contract, panel.states, rates)
    cohort_index, labels = _cohorts(panel, cohort, by, id)
    layout = _layout(panel, contract)
    codes = _period_codes(panel, layout)
    n = panel.n_persons
    settled = _settle(
        codes,
        layout.time,
        layout.n_time,
        np.zeros(n, dtype=np.int64),
        1,
        cohort_index,
        len(labels),
        rates,
        trigger_set,
        contract,
    )
    paid = settled.paid
    paid_person = paid.sum(axis=1)
    weeks_counted = settled.counted.sum(axis=1)
    weeks_paid = (paid > 0).sum(axis=1)
    by_person = pd.DataFrame(
        {
            "id": panel.id_column(),
            "cohort": np.asarray(labels, dtype=object)[cohort_index],
            "weeks_counted": weeks_counted,
            "earned": settled.earned,
            "reached": settled.reached,
            "paid": paid_person,
        }
    )
    by_person = declare_table(by_person, person_level=True)
    # by month: amount, person-weeks paid, persons paid (distinct persons per month)
    month = _cell_months(layout, layout.time)
    n_months = len(layout.month_labels)
    positive = paid > 0
    amount_month = np.bincount(month.ravel(), weights=paid.ravel(), minlength=n_months)
    weeks_month = np.bincount(month[positive], minlength=n_months)
    pairs = np.unique(np.nonzero(positive)[0] * n_months + month[positive])
    persons_month = np.bincount(pairs % n_months, minlength=n_months)
    used = np.unique(month[codes >= 0]) if (codes >= 0).any() else np.arange(n_months)
    keep = slice(int(used.min()), int(used.max()) + 1)  # months the period touches
    by_month = declare_table(
        pd.DataFrame(
            {
                "month": layout.month_labels[keep],
                "persons_paid": persons_month[keep],
                "weeks_paid": weeks_month[keep],
                "amount": amount_month[keep],
            }
        ),
        counts=["persons_paid"],
        dependent=["weeks_paid", "amount"],
    )
    k = len(labels)
    by_cohort = pd.DataFrame(
        {
            "cohort": labels,
            "persons": settled.persons[0],
            "persons_reaching": settled.reached_count[0],
            "triggered": settled.triggered[0],
            "persons_paid": np.bincount(cohort_index, weights=paid_person > 0, minlength=k).astype(
                np.int64
            ),
            "weeks_paid": np.bincount(cohort_index, weights=weeks_paid, minlength=k).astype(
                np.int64
            ),
            "amount": np.bincount(cohort_index, weights=paid_person, minlength=k),
        }
    )
    by_cohort = declare_table(
        by_cohort,
        counts=["persons", "persons_reaching", "persons_paid"],
        dependent=["triggered", "weeks_paid", "amount"],
        complements={"persons_reaching": "persons", "persons_paid": "persons"},
    )
    return ContractPayments(
        contract, float(paid_person.sum()), by_person, by_month, by_cohort, n_persons=n
    )
