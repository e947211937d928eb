"""Milestone grants: amounts paid when a course starts and when it reaches N weeks.

Employment projects are often co-funded by activity grants paid per milestone. JobFirst's
activity grant (Aalborg Kommune, Beskæftigelsesudvalget, "Orientering om JobFirst", case
2018-010106) paid DKK 6,000 when a coherent 13-week course started at a company and
DKK 10,000 when 13 weeks at the same company were completed, at most DKK 16,000 per
citizen: :data:`JOBFIRST_ACTIVITY_GRANT`. :func:`milestone_grants` computes such grants
from an activity log (one row per person and course); :func:`grants_from_counts` from
published counts of starts and completions; :func:`grant_reconciliation` sets the
computed amount against what was received.

The rule, for one person (courses in time order, amounts paid in the week they fall due):

* a **start** payment ``A`` for every course (the week it starts);
* a **completion** payment ``B`` for every course that reaches ``N`` weeks at the same
  employer (the course's ``N``-th week); rows of the same person and employer that follow
  on without a gap (the next starts the week after the last ends) are one course;
* at most ``C`` per person in all: payments are added in time order and a payment that
  would take the person past ``C`` is cut to what is left (then nothing more is paid).

The total is ``sum_i min(C, A * starts_i + B * completions_i)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validation import (
    check_amount,
    check_id_types,
    numeric_column,
    row_positions,
    select_columns,
)
from ..errors import ArgumentError, DesignError
from ..output.declare import check_source, declare_table

__all__ = [
    "JOBFIRST_ACTIVITY_GRANT",
    "MilestoneGrants",
    "MilestoneRule",
    "grant_reconciliation",
    "grants_from_counts",
    "milestone_grants",
]

_JOBFIRST_SOURCE = (
    "Aalborg Kommune, Beskæftigelsesudvalget, 'Orientering om JobFirst' (case 2018-010106)"
)


@dataclass(frozen=True)
class MilestoneRule:
    """A milestone grant: ``start_amount`` when a course starts, ``completion_amount`` when
    ``weeks`` weeks at the same employer are completed, at most ``cap`` per person (None:
    no cap). ``name`` and ``source`` say where the rule comes from.

    >>> MilestoneRule(6000, 10000, 13, cap=16000).completion_amount
    10000
    >>> MilestoneRule(6000, 10000, 0)
    Traceback (most recent call last):
    ...
    evalkit.errors.ArgumentError: MilestoneRule.weeks must be a whole number of weeks >= 1; got 0.
    """

    start_amount: float
    completion_amount: float
    weeks: int
    cap: float | None = None
    name: str = "milestone grant"
    source: str = ""

    def __post_init__(self) -> None:
        for field_name in ("start_amount", "completion_amount", "cap"):
            check_amount(
                getattr(self, field_name),
                f"MilestoneRule.{field_name}",
                allow_none=field_name == "cap",
            )
        weeks = self.weeks
        if isinstance(weeks, bool) or not isinstance(weeks, int | np.integer) or weeks < 1:
            raise ArgumentError(
                f"MilestoneRule.weeks must be a whole number of weeks >= 1; got {weeks!r}."
            )


#: JobFirst's activity grant: DKK 6,000 when a coherent 13-week course starts, DKK 10,000
#: when 13 weeks at the same company are completed, at most DKK 16,000 per citizen.
JOBFIRST_ACTIVITY_GRANT = MilestoneRule(
    start_amount=6000,
    completion_amount=10000,
    weeks=13,
    cap=16000,
    name="JobFirst activity grant",
    source=_JOBFIRST_SOURCE,
)


@dataclass(frozen=True, eq=False)
class MilestoneGrants:
    """Milestone grants computed by :func:`milestone_grants` or :func:`grants_from_counts`.

    Attributes
    ----------
    rule : the :class:`MilestoneRule`.
    persons : one row per person (``id``, ``starts``, ``completions``, ``start_amount``,
        ``completion_amount``, ``cut_by_cap``, ``total``), declared person-level (it never
        leaves a register environment); None when computed from counts.
    totals : one row per milestone (``start``, ``completion``) and ``total``: ``persons``
        (persons with at least one such milestone), ``events`` (milestones), ``rate``,
        ``amount`` (after the cap) and ``cut_by_cap``; ``persons`` and ``events`` are
        declared counts and the amounts rest on them.
    """

    rule: MilestoneRule
    persons: pd.DataFrame | None
    totals: pd.DataFrame

    @property
    def total(self) -> float:
        """The grant in all (after the cap)."""
        return float(self.totals["amount"].iloc[-1])


def milestone_grants(
    log: pd.DataFrame,
    rule: MilestoneRule,
    id: str = "id",
    employer: str = "employer",
    start: str = "start",
    end: str | None = "end",
    weeks: str | None = None,
) -> MilestoneGrants:
    """Milestone grants per person and by milestone from an activity log.

    ``log`` has one row per person and course: the person (``id``), the employer, the
    week the course starts (``start``, a week number) and either the week it ends
    (``end``, included) or the weeks completed (``weeks``; give ``end=None``). A course
    lasts ``end - start + 1`` weeks. The rule is in the module docstring: ``A`` per start,
    ``B`` per course reaching ``rule.weeks`` weeks at one employer (consecutive rows at the
    same employer without a gap are one course), at most ``rule.cap`` per person, paid in
    time order. Overlapping courses of one person are a :class:`~evalkit.errors.DesignError`
    naming their row positions (never the ids). The log is not modified.

    Example
    -------
    >>> log = pd.DataFrame({"id": ["a", "a", "b", "c", "c"],
    ...                     "employer": ["x", "y", "x", "z", "z"],
    ...                     "start": [1, 20, 3, 5, 10], "end": [13, 40, 8, 9, 30]})
    >>> g = milestone_grants(log, JOBFIRST_ACTIVITY_GRANT)
    >>> g.persons  # c's two rows at z follow on: one course of 26 weeks
      id  starts  completions  start_amount  completion_amount  cut_by_cap    total
    0  a       2            2        6000.0            10000.0     16000.0  16000.0
    1  b       1            0        6000.0                0.0         0.0   6000.0
    2  c       1            1        6000.0            10000.0         0.0  16000.0
    >>> g.totals[["milestone", "persons", "events", "amount"]]
        milestone  persons  events   amount
    0       start        3       4  18000.0
    1  completion        2       3  20000.0
    2       total        3       7  38000.0

    a is paid 6,000 in week 1 and 10,000 in week 13 (13 weeks at x): the cap of 16,000
    is reached, so the start at y (week 20) and the completion there (week 32) are cut
    (16,000). b's 6 weeks earn the start only; c's rows at z (weeks 5-9 and 10-30) are
    one course of 26 weeks: 6,000 + 10,000.
    """
    if not isinstance(rule, MilestoneRule):
        raise ArgumentError(
            f"rule must be an evalkit.economics.MilestoneRule; got {type(rule).__name__}."
        )
    if (end is None) == (weeks is None):
        raise ArgumentError(
            "give exactly one of end= (the column of the last week of each course) and "
            "weeks= (the column of weeks completed); pass end=None with weeks=."
        )
    length_col = end if end is not None else weeks
    roles = {"id": [id], "employer": [employer], "start": [start], "end/weeks": [length_col]}
    frame = select_columns(log, roles)
    if len(frame) == 0:
        raise DesignError("the activity log has no rows.")
    check_id_types(frame[id], id)
    first = _whole_weeks(frame[start], start)
    other = _whole_weeks(frame[length_col], length_col)
    last = other if end is not None else first + other - 1
    too_short = last < first
    if too_short.any():
        what = "ends before it starts" if end is not None else "has fewer than 1 week"
        raise DesignError(
            f"{int(too_short.sum())} courses {what} (column {length_col!r}; "
            f"{row_positions(too_short)}); a course lasts at least one week."
        )
    person, persons = pd.factorize(frame[id], sort=False)
    employer_code, _ = pd.factorize(frame[employer], use_na_sentinel=False)
    order = np.lexsort((first, person))
    p, f, la, e = person[order], first[order], last[order], employer_code[order]
    same = np.r_[False, p[1:] == p[:-1]]
    overlap = same & (f <= np.r_[0, la[:-1]])
    if overlap.any():
        rows = np.unique(np.r_[order[np.flatnonzero(overlap) - 1], order[overlap]])
        raise DesignError(
            f"{int(overlap.sum())} courses overlap an earlier course of the same person "
            f"({row_positions(rows)} of the log); one person can follow one course at a "
            "time. Correct the start or end weeks."
        )
    # consecutive rows at the same employer without a gap are one course
    follows = same & (e == np.r_[-1, e[:-1]]) & (f == np.r_[0, la[:-1]] + 1)
    course_first = f[~follows]
    course_last = np.maximum.reduceat(la, np.flatnonzero(~follows))
    course_person = p[~follows]
    completed = course_last - course_first + 1 >= rule.weeks
    # payments in time order: (person, week, amount, kind) with kind 0 start, 1 completion
    pay_person = np.r_[course_person, course_person[completed]]
    pay_week = np.r_[course_first, course_first[completed] + rule.weeks - 1]
    pay_kind = np.r_[np.zeros(len(course_first), int), np.ones(int(completed.sum()), int)]
    pay_amount = np.where(pay_kind == 0, rule.start_amount, rule.completion_amount).astype(float)
    pay_order = np.lexsort((pay_kind, pay_week, pay_person))
    pay_person, pay_kind, pay_amount = (
        pay_person[pay_order],
        pay_kind[pay_order],
        pay_amount[pay_order],
    )
    due = pd.Series(pay_amount).groupby(pay_person).cumsum().to_numpy()
    if rule.cap is None:
        paid = pay_amount
    else:
        cap = float(rule.cap)
        paid = np.minimum(due, cap) - np.minimum(due - pay_amount, cap)
    n = len(persons)
    starts = np.bincount(pay_person[pay_kind == 0], minlength=n)
    completions = np.bincount(pay_person[pay_kind == 1], minlength=n)
    start_paid = np.bincount(pay_person, weights=paid * (pay_kind == 0), minlength=n)
    completion_paid = np.bincount(pay_person, weights=paid * (pay_kind == 1), minlength=n)
    cut = np.bincount(pay_person, weights=pay_amount - paid, minlength=n)
    persons_frame = pd.DataFrame(
        {
            "id": persons,
            "starts": starts,
            "completions": completions,
            "start_amount": start_paid,
            "completion_amount": completion_paid,
            "cut_by_cap": cut,
            "total": start_paid + completion_paid,
        }
    )
    persons_frame = declare_table(persons_frame, person_level=True)
    cut_kind = [
        float((pay_amount - paid)[pay_kind == k].sum()) for k in (0, 1)
    ]  # cut from each milestone
    totals = _totals(
        rule,
        persons=[int((starts > 0).sum()), int((completions > 0).sum()), n],
        events=[int(starts.sum()), int(completions.sum())],
        amounts=[float(start_paid.sum()), float(completion_paid.sum())],
        cuts=cut_kind,
    )
    return MilestoneGrants(rule=rule, persons=persons_frame, totals=totals)


def grants_from_counts(rule: MilestoneRule, starts: int, completions: int) -> MilestoneGrants:
    """Milestone grants from counts of starts and completions (published figures).

    ``amount = rule.start_amount * starts + rule.completion_amount * completions``. The
    counts are taken as persons with one start (and at most one completion) each, so the
    cap does not apply when ``start_amount + completion_amount <= cap`` (JobFirst: 6,000 +
    10,000 = 16,000); otherwise it is an :class:`~evalkit.errors.ArgumentError` (the cap
    needs the activity log: use :func:`milestone_grants`). More completions than starts
    is an error.

    >>> g = grants_from_counts(JOBFIRST_ACTIVITY_GRANT, starts=144, completions=108)
    >>> g.total  # 144 x 6,000 + 108 x 10,000 = 864,000 + 1,080,000
    1944000.0
    """
    if not isinstance(rule, MilestoneRule):
        raise ArgumentError(
            f"rule must be an evalkit.economics.MilestoneRule; got {type(rule).__name__}."
        )
    for name, value in (("starts", starts), ("completions", completions)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise ArgumentError(f"{name} must be a whole number >= 0; got {value!r}.")
    if completions > starts:
        raise ArgumentError(
            f"completions ({completions}) exceed starts ({starts}); every completed course "
            "was started."
        )
    if rule.cap is not None and rule.start_amount + rule.completion_amount > rule.cap:
        raise ArgumentError(
            f"the cap ({rule.cap:g}) is below one start and one completion "
            f"({rule.start_amount + rule.completion_amount:g}), so it depends on who had "
            "which milestone: compute the grant from the activity log (milestone_grants)."
        )
    totals = _totals(
        rule,
        persons=[int(starts), int(completions), int(starts)],
        events=[int(starts), int(completions)],
        amounts=[float(starts * rule.start_amount), float(completions * rule.completion_amount)],
        cuts=[0.0, 0.0],
    )
    return MilestoneGrants(rule=rule, persons=None, totals=totals)


def grant_reconciliation(
    computed: MilestoneGrants,
    received: float,
    expected_more: float | None = None,
    scenarios: Sequence[tuple] = (),
    ceiling: float | None = None,
    received_label: str = "Received",
    expected_label: str = "Expected further payment",
    source: str = "register",
) -> pd.DataFrame:
    """Computed milestone grants set against the amount received.

    Rows (columns ``item``, ``count``, ``rate_dkk``, ``amount_dkk``, ``basis``):

    1. one per milestone: its count, the rate and ``count x rate`` (after the cap);
    2. ``Computed grant``: their sum;
    3. ``received_label``: ``received``;
    4. ``Computed - received``: what the computation says is still owed;
    5. with ``expected_more``, ``expected_label``: the further payment expected, and
       ``Computed - received - expected``: the part the computation does not explain;
    6. one per scenario ``(label, count, rate, basis)``: the computed grant plus
       ``count x rate`` (an assumption, stated in ``basis``);
    7. with ``ceiling``, ``Frame (maximum)``: the most that could be paid.

    The frame is declared to the output gate: ``count`` holds counts of persons, and the
    amounts of rows 1 and 6 rest on them; ``source`` says where the counts come from
    (``"published"`` for published figures, not controlled again).

    >>> g = grants_from_counts(JOBFIRST_ACTIVITY_GRANT, 144, 108)
    >>> t = grant_reconciliation(g, received=1_802_000, expected_more=200_000)
    >>> t[["item", "amount_dkk"]]
                                 item  amount_dkk
    0                   Course starts    864000.0
    1             Course completions    1080000.0
    2                  Computed grant   1944000.0
    3                        Received   1802000.0
    4              Computed - received   142000.0
    5        Expected further payment    200000.0
    6  Computed - received - expected    -58000.0
    """
    if not isinstance(computed, MilestoneGrants):
        raise ArgumentError(
            "computed must be the result of milestone_grants(...) or grants_from_counts(...); "
            f"got {type(computed).__name__}."
        )
    check_source(source)
    for name, value in (("received", received), ("expected_more", expected_more),
                        ("ceiling", ceiling)):  # fmt: skip
        if value is None and name != "received":
            continue
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise ArgumentError(f"{name} must be an amount; got {value!r}.")
        if not np.isfinite(value):
            raise ArgumentError(f"{name} must be a finite amount; got {value!r}.")
    totals = computed.totals.set_index("milestone")
    rule = computed.rule
    given = "published" if source == "published" else "given"
    total = float(totals.loc["total", "amount"])
    capped = " after the cap" if float(totals.loc["total", "cut_by_cap"]) > 0 else ""
    rows = [
        ("Course starts", totals.loc["start", "events"], rule.start_amount,
         totals.loc["start", "amount"], "count x rate" + capped),
        ("Course completions", totals.loc["completion", "events"], rule.completion_amount,
         totals.loc["completion", "amount"],
         f"count x rate ({rule.weeks} weeks at one employer){capped}"),
        ("Computed grant", None, None, total,
         f"{_n(totals.loc['start', 'events'])} x {_n(rule.start_amount)} + "
         f"{_n(totals.loc['completion', 'events'])} x {_n(rule.completion_amount)}"
         if not capped else "sum of the milestones after the cap"),
        (received_label, None, None, float(received), given),
        ("Computed - received", None, None, total - float(received), "computed"),
    ]  # fmt: skip
    if expected_more is not None:
        rows += [
            (expected_label, None, None, float(expected_more), given),
            ("Computed - received - expected", None, None,
             total - float(received) - float(expected_more), "computed"),
        ]  # fmt: skip
    for scenario in scenarios:
        if not isinstance(scenario, tuple | list) or len(scenario) != 4:
            raise ArgumentError(
                f"each scenario is a (label, count, rate, basis) tuple; got {scenario!r}."
            )
        label, count, rate, basis = scenario
        rows.append((str(label), count, rate, total + count * rate, str(basis)))
    if ceiling is not None:
        rows.append(("Frame (maximum)", None, None, float(ceiling), given))
    frame = pd.DataFrame(rows, columns=["item", "count", "rate_dkk", "amount_dkk", "basis"])
    frame["count"] = frame["count"].astype("Float64").astype(float)
    frame["rate_dkk"] = frame["rate_dkk"].astype(float)
    frame["amount_dkk"] = frame["amount_dkk"].astype(float)
    return declare_table(
        frame, counts=["count"], dependent={"amount_dkk": ["count"]}, source=source
    )


# ---------------------------------------------------------------------- helpers
def _n(value) -> str:
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"


def _totals(rule, persons, events, amounts, cuts) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "milestone": ["start", "completion", "total"],
            "persons": persons,
            "events": [*events, sum(events)],
            "rate": [float(rule.start_amount), float(rule.completion_amount), np.nan],
            "amount": [*amounts, sum(amounts)],
            "cut_by_cap": [*cuts, sum(cuts)],
        }
    )
    return declare_table(
        frame,
        counts=["persons", "events"],
        dependent={"amount": ["persons", "events"], "cut_by_cap": ["persons", "events"]},
    )


def _whole_weeks(series: pd.Series, name: str) -> np.ndarray:
    values = numeric_column(series, name, role="week")
    fractional = values != np.floor(values)
    if fractional.any():
        raise ArgumentError(
            f"week column {name!r} must hold whole week numbers; {int(fractional.sum())} rows "
            f"do not ({row_positions(fractional)})."
        )
    return values.astype(np.int64)
