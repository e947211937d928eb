"""The reimbursement staircase of the 2016 refusion reform: who pays for a benefit week.

Since 4 January 2016 the state reimburses a municipality's benefit costs (cash benefit,
integration benefit, sickness benefit, resource course benefit, ... the benefits of § 3,
stk. 1, nr. 4-10 and 12-14) at a share that falls with the person's accumulated weeks
with benefits. The rule is the law's, not a convention, and is the default
:data:`REFUSION_2016`:

* lov nr. 994 af 30. august 2015, "Lov om kommunernes finansiering af visse offentlige
  ydelser udbetalt af kommunerne, Udbetaling Danmark og arbejdsløshedskasserne" (in force
  4 January 2016, § 29; consolidated as lovbekendtgørelse nr. 221 af 12. februar 2021),
  **§ 5, stk. 2**: reimbursement of 80 % in the first 4 weeks with benefits, 40 % from
  the 5th to the 26th week, 30 % from the 27th to the 52nd week and 20 % from the 53rd
  week; STAR's "Nøgletal for refusionsreformen" publishes the same staircase;
* **§ 6**: the count *starts over* when the person, after the first week with benefits,
  has again had **52 whole calendar weeks of self-sufficiency in all within the last 3
  years**; self-sufficiency (stk. 2) is a week neither on public support nor in
  subsidised employment.

So the count is **not** a rolling 52-week look-back: it accumulates every week with
benefits (across spells) and resets only after 52 self-sufficient weeks (not necessarily
consecutive) within 156 weeks, counted after the first week of the current count. Weeks
that are neither (subsidised employment, weeks not observed) neither add to the count nor
to the self-sufficient weeks. :class:`Staircase` holds the steps, the shares and this
reset rule (``reset_after=52`` self-sufficient weeks ``reset_within=156`` weeks); replace
any of them for another rule (``reset_after=None``: the count never resets).

What is not modelled: the law counts weeks from 1 July 2014 (§ 30), and a panel starts
later, so the count starts at 0 in the panel's first week (left-censored): start the panel
early enough, or read the first weeks' shares as upper bounds. Partial weeks and the
benefit-specific rules of the executive order (which benefits count, how months become
weeks) are left to the states the caller names as benefit states.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._arm import insert_after_id, kept_columns
from .._validation import check_amount
from ..errors import ArgumentError
from ..output.declare import declare_table
from ..panel import StatusPanel
from ..panel._runs import in_set

__all__ = [
    "REFUSION_2016",
    "Reimbursement",
    "Staircase",
    "benefit_week_count",
    "reimbursement",
]

_LAW = (
    "Lov nr. 994 af 30. august 2015 om kommunernes finansiering af visse offentlige ydelser "
    "(refusionsreformen, in force 4 January 2016), § 5, stk. 2 (the steps) and § 6 (the "
    "count starts over after 52 self-sufficient weeks within the last 3 years); STAR, "
    "'Nøgletal for refusionsreformen'"
)


def _whole(value) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


@dataclass(frozen=True)
class Staircase:
    """A reimbursement staircase: the state's share of a benefit week by the person's
    accumulated weeks with benefits.

    Parameters
    ----------
    steps : ``((first, last), ...)`` week counts, both included, from week 1 without gaps
        or overlaps, in order; the last step's ``last`` is None (open-ended).
    shares : the state's share in each step, in [0, 1].
    reset_after : the count starts over after this many self-sufficient weeks (None: never).
    reset_within : ... counted within this many weeks back (None: without a limit).
    name, source : what the rule is and where it is from.

    Notes
    -----
    The share of a week with count ``k`` is ``shares[j]`` for the step ``j`` with
    ``first_j <= k <= last_j``.

    Examples
    --------
    >>> s = Staircase(((1, 4), (5, None)), (0.8, 0.4))
    >>> s.share(np.array([1, 4, 5, 100]))
    array([0.8, 0.8, 0.4, 0.4])
    >>> Staircase(((1, 4), (4, None)), (0.8, 0.4))
    Traceback (most recent call last):
    ...
    evalkit.errors.ArgumentError: Staircase.steps: step 2 (4, None) starts at week 4; ... overlaps.
    """

    steps: tuple
    shares: tuple
    reset_after: int | None = 52
    reset_within: int | None = 156
    name: str = "staircase"
    source: str = ""

    def __post_init__(self) -> None:
        steps, shares = self.steps, self.shares
        if not isinstance(steps, tuple | list) or not steps:
            raise ArgumentError(
                "Staircase.steps must be a non-empty sequence of (first, last) week pairs, "
                f"e.g. ((1, 4), (5, None)); got {steps!r}."
            )
        if not isinstance(shares, tuple | list) or len(shares) != len(steps):
            raise ArgumentError(
                f"Staircase.shares must give one share per step ({len(steps)}); got {shares!r}."
            )
        expected = 1
        for j, step in enumerate(steps):
            if not isinstance(step, tuple | list) or len(step) != 2:
                raise ArgumentError(
                    f"Staircase.steps: step {j + 1} must be a (first, last) pair; got {step!r}."
                )
            first, last = step
            if not _whole(first) or (last is not None and not _whole(last)):
                raise ArgumentError(
                    f"Staircase.steps: step {j + 1} {tuple(step)!r} must hold whole week "
                    "numbers (last may be None for the open-ended last step)."
                )
            if first != expected:
                where = (
                    "week 1" if j == 0 else f"the week after the previous step ends ({expected})"
                )
                raise ArgumentError(
                    f"Staircase.steps: step {j + 1} {tuple(step)!r} starts at week {first}; it "
                    f"must start {where}: steps in order, without gaps or overlaps."
                )
            if last is None and j != len(steps) - 1:
                raise ArgumentError(
                    f"Staircase.steps: step {j + 1} is open-ended (last None) but is not the "
                    "last step."
                )
            if last is not None and last < first:
                raise ArgumentError(
                    f"Staircase.steps: step {j + 1} {tuple(step)!r} ends before it starts."
                )
            expected = None if last is None else last + 1
        if steps[-1][1] is not None:
            raise ArgumentError(
                f"Staircase.steps: the last step {tuple(steps[-1])!r} must be open-ended "
                "(last None), so that every week count has a share."
            )
        for j, share in enumerate(shares):
            if (
                isinstance(share, bool)
                or not isinstance(share, int | float | np.integer | np.floating)
                or not 0 <= share <= 1
            ):
                raise ArgumentError(
                    f"Staircase.shares: the share of step {j + 1} must be a number in [0, 1] "
                    f"(0.8 for 80 %); got {share!r}."
                )
        for field_name in ("reset_after", "reset_within"):
            value = getattr(self, field_name)
            if value is not None and (not _whole(value) or value < 1):
                raise ArgumentError(
                    f"Staircase.{field_name} must be a whole number of weeks >= 1 or None; "
                    f"got {value!r}."
                )
        if (
            self.reset_after is not None
            and self.reset_within is not None
            and self.reset_within < self.reset_after
        ):
            raise ArgumentError(
                f"Staircase.reset_within ({self.reset_within}) is shorter than reset_after "
                f"({self.reset_after}): the count could never start over."
            )

    def share(self, count) -> np.ndarray:
        """The state's share for week counts ``count`` (>= 1; NaN for 0: no benefit)."""
        count = np.asarray(count)
        starts = np.array([first for first, _ in self.steps])
        step = np.searchsorted(starts, count, side="right") - 1
        shares = np.asarray(self.shares, dtype=float)
        return np.where(count >= 1, shares[np.clip(step, 0, None)], np.nan)


#: The 2016 refusion reform (see the module docstring for the law and the reset rule).
REFUSION_2016 = Staircase(
    steps=((1, 4), (5, 26), (27, 52), (53, None)),
    shares=(0.8, 0.4, 0.3, 0.2),
    reset_after=52,
    reset_within=156,
    name="refusion reform 2016",
    source=_LAW,
)


def benefit_week_count(
    panel: StatusPanel,
    benefit_states: str | Iterable[str],
    self_sufficient_states: str | Iterable[str],
    staircase: Staircase = REFUSION_2016,
) -> np.ndarray:
    """Each person's accumulated weeks with benefits in each week: the staircase's count.

    Returns an ``int32`` array (persons x weeks): in a week in ``benefit_states`` the
    count including that week (1 in the first week with benefits), 0 in other weeks. The
    count starts at 0 in the panel's first week and starts over once the person has had
    ``staircase.reset_after`` weeks in ``self_sufficient_states`` within the last
    ``staircase.reset_within`` weeks, counted from the week after the first week of the
    current count (§ 6 of the law; module docstring). Weeks in neither set (subsidised
    jobs, unobserved weeks) change nothing.

    The loop runs over weeks, vectorised over persons; the self-sufficient weeks in a
    window are differences of their running sums.

    >>> panel = StatusPanel(np.array(["a"]), np.array([[0, 0, 1, 1, 0, 0]]),
    ...                     ("benefit", "self_sufficient"), first_week=1, aligned=True)
    >>> rule = Staircase(((1, 2), (3, None)), (0.8, 0.2), reset_after=2, reset_within=3)
    >>> benefit_week_count(panel, "benefit", "self_sufficient", rule).tolist()
    [[1, 2, 0, 0, 1, 2]]
    """
    benefit, selfsuff = _masks(panel, benefit_states, self_sufficient_states, staircase)
    n, w = benefit.shape
    counts = np.zeros((n, w), dtype=np.int32)
    running = np.zeros((n, w + 1), dtype=np.int32)
    np.cumsum(selfsuff, axis=1, out=running[:, 1:])
    count = np.zeros(n, dtype=np.int32)
    begun = np.full(n, -1, dtype=np.int64)  # week index of the current count's first week
    after, within = staircase.reset_after, staircase.reset_within
    rows = np.arange(n)
    for t in range(w):
        if after is not None:
            # self-sufficient weeks in max(begun + 1, t - within) .. t - 1
            low = begun + 1
            if within is not None:
                low = np.maximum(low, t - within)
            low = np.clip(low, 0, t)
            enough = (count > 0) & (running[rows, t] - running[rows, low] >= after)
            count[enough] = 0
            begun[enough] = -1
        on = benefit[:, t]
        begun[on & (count == 0)] = t
        count[on] += 1
        counts[on, t] = count[on]
    return counts


@dataclass(frozen=True, eq=False)
class Reimbursement:
    """The benefit costs of a panel split between the state and the municipality.

    Attributes
    ----------
    persons : one row per person (``id``, the ``keep`` columns, ``benefit_weeks``,
        ``gross``, ``state``, ``municipal``, ``full_year_persons``), declared
        person-level.
    totals : one row: ``persons`` (with a benefit week), ``benefit_weeks``,
        ``full_year_persons`` (``benefit_weeks / 52``), ``gross``, ``state``,
        ``municipal``, ``state_share`` (``state / gross``), ``municipal_per_person``
        (per person with a benefit week) and ``municipal_per_full_year_person``; declared
        counts (``persons``, ``full_year_persons``) with the rest resting on them.
    count : the week counts of :func:`benefit_week_count` (persons x weeks of the window).
    state_share : the state's share per person-week (NaN outside benefit weeks).
    staircase : the rule used; ``window``: the weeks costed.
    """

    persons: pd.DataFrame
    totals: pd.DataFrame
    count: np.ndarray
    state_share: np.ndarray
    staircase: Staircase
    window: tuple[int, int]


def reimbursement(
    panel: StatusPanel,
    benefit_states: str | Iterable[str],
    self_sufficient_states: str | Iterable[str],
    weekly_benefit: float | Mapping[str, float],
    staircase: Staircase = REFUSION_2016,
    window: tuple | None = None,
    keep: pd.DataFrame | None = None,
    id: str = "id",
) -> Reimbursement:
    """The state's reimbursement and the municipality's net cost of benefit weeks.

    Per person-week in a benefit state: ``gross = weekly_benefit`` (one amount, or one per
    benefit state as ``{state: amount}``; the caller's parameter, no built-in rates),
    ``state = gross x share(count)`` with the staircase's share of the person's week count
    (:func:`benefit_week_count`, counted over all the panel's weeks) and ``municipal =
    gross - state``. ``window`` (``(first, last)`` weeks, both included; default the whole
    panel) picks the weeks that are costed; weeks before it still count on the staircase.
    A full-year person is 52 benefit weeks, so ``municipal_per_full_year_person = municipal
    / (benefit_weeks / 52)``: the municipality's net cost of one person on benefit for a
    year at the window's mix of steps.

    Example
    -------
    One person on benefit for 30 weeks at DKK 3,000 a week: weeks 1-4 at 80 %, 5-26 at
    40 %, 27-30 at 30 %; the state pays 3,000 x (4 x 0.8 + 22 x 0.4 + 4 x 0.3) = 3,000 x
    13.2 = 39,600 of 90,000, the municipality 50,400.

    >>> panel = StatusPanel(np.array(["a", "b"]), np.r_[[[0] * 30], [[1] * 30]],
    ...                     ("cash_benefit", "self_sufficient"), first_week=1, aligned=True)
    >>> r = reimbursement(panel, "cash_benefit", "self_sufficient", weekly_benefit=3000)
    >>> r.persons[["id", "benefit_weeks", "gross", "state", "municipal"]]
      id  benefit_weeks    gross    state  municipal
    0  a             30  90000.0  39600.0    50400.0
    1  b              0      0.0      0.0        0.0
    >>> round(float(r.totals["municipal_per_full_year_person"].iloc[0]), 2)  # 50,400 / (30/52)
    87360.0
    """
    if not isinstance(staircase, Staircase):
        raise ArgumentError(
            f"staircase must be an evalkit.economics.Staircase; got {type(staircase).__name__}."
        )
    kept = kept_columns(panel, keep, id)
    counts = benefit_week_count(panel, benefit_states, self_sufficient_states, staircase)
    first, last = _window(panel, window)
    j0, j1 = first - panel.first_week, last - panel.first_week + 1
    count = counts[:, j0:j1]
    amount = _weekly_amounts(panel, benefit_states, weekly_benefit)[panel.codes[:, j0:j1]]
    on = count > 0
    share = staircase.share(count)
    gross = np.where(on, amount, 0.0)
    state = np.where(on, amount * np.nan_to_num(share), 0.0)
    weeks = on.sum(axis=1)
    persons = pd.DataFrame(
        {
            "id": panel.id_column(),
            "benefit_weeks": weeks,
            "gross": gross.sum(axis=1),
            "state": state.sum(axis=1),
            "municipal": (gross - state).sum(axis=1),
            "full_year_persons": weeks / 52,
        }
    )
    persons = declare_table(insert_after_id(persons, kept), person_level=True)
    total_weeks = int(weeks.sum())
    fyp = total_weeks / 52
    g, s = float(gross.sum()), float(state.sum())
    n_on = int((weeks > 0).sum())
    totals = pd.DataFrame(
        {
            "persons": [n_on],
            "benefit_weeks": [total_weeks],
            "full_year_persons": [fyp],
            "gross": [g],
            "state": [s],
            "municipal": [g - s],
            "state_share": [s / g if g else np.nan],
            "municipal_per_person": [(g - s) / n_on if n_on else np.nan],
            "municipal_per_full_year_person": [(g - s) / fyp if fyp else np.nan],
        }
    )
    rest = [c for c in totals.columns if c not in ("persons", "full_year_persons")]
    totals = declare_table(totals, counts=["persons", "full_year_persons"], dependent=rest)
    totals.attrs["window"] = (first, last)
    return Reimbursement(
        persons=persons,
        totals=totals,
        count=count,
        state_share=np.where(on, share, np.nan),
        staircase=staircase,
        window=(first, last),
    )


# ---------------------------------------------------------------------- helpers
def _masks(panel, benefit_states, self_sufficient_states, staircase):
    if not isinstance(panel, StatusPanel):
        raise ArgumentError(
            f"panel must be an evalkit.panel.StatusPanel; got {type(panel).__name__}."
        )
    if not isinstance(staircase, Staircase):
        raise ArgumentError(
            f"staircase must be an evalkit.economics.Staircase; got {type(staircase).__name__}."
        )
    b = panel.state_codes(benefit_states)
    s = panel.state_codes(self_sufficient_states)
    both = sorted(set(b.tolist()) & set(s.tolist()))
    if both:
        names = [panel.states[c] for c in both]
        raise ArgumentError(
            f"states {names} are both benefit and self-sufficient states; a week is one or "
            "the other."
        )
    k = len(panel.states)
    return in_set(panel.codes, b, k), in_set(panel.codes, s, k)


def _weekly_amounts(panel, benefit_states, weekly_benefit) -> np.ndarray:
    """The amount per state code (index -1, not observed, is the last entry: 0)."""
    names = [benefit_states] if isinstance(benefit_states, str) else list(benefit_states)
    table = np.zeros(len(panel.states) + 1)
    if isinstance(weekly_benefit, Mapping):
        missing = [s for s in names if s not in weekly_benefit]
        extra = [s for s in weekly_benefit if s not in names]
        if missing or extra:
            raise ArgumentError(
                "weekly_benefit must give one amount per benefit state "
                f"({names}); missing {missing}, not benefit states {extra}."
            )
        items = {s: weekly_benefit[s] for s in names}
    else:
        items = dict.fromkeys(names, weekly_benefit)
    for state, value in items.items():
        amount = check_amount(value, f"weekly_benefit[{state!r}] (kroner a week)")
        table[panel.state_codes(state)[0]] = amount
    return table


def _window(panel: StatusPanel, window) -> tuple[int, int]:
    from ..panel.outcomes import _window as clip

    if window is None:
        if panel.n_weeks == 0:
            raise ArgumentError("this panel has no weeks.")
        return panel.first_week, panel.first_week + panel.n_weeks - 1
    return clip(panel, window)
