"""Projected outcome payments with uncertainty, and the investor's cash flow.

The model
---------
The weekly histories are a first-order Markov chain over the panel's states:
``P(s_{t+1} = b | s_t = a, band(t))``, estimated by the observed transitions,
``p_ab = n_ab / sum_b n_ab``, where ``n_ab`` counts the person-weeks ``t`` with state
``a`` at ``t`` and ``b`` at ``t + 1`` (both observed), optionally separately by band of
weeks since referral (``bands=(0, 26, 52)``: weeks before 26, 26-51, 52 on). A row without
observed transitions in a band takes the row pooled over the bands; a state never left
in the data (an absorbing state, whose later weeks are not observed) stays where it is.
Recurrent spells arise naturally: a person leaves and re-enters self-sufficiency with
the estimated probabilities. The chain ignores duration dependence within a state and
differences between persons beyond their current state and band (say so in a report).

:func:`project_payments` simulates every person forward from their last observed week
(a person with no observed week, e.g. referred after ``as_of``, starts at week 0 in a
state drawn from the states observed at week 0) to the end of the contract period,
``n_sims`` times with one seeded generator, vectorised over simulations and persons
(one numpy step per week of the horizon), applies the contract
(:func:`evalkit.economics.contracts.contract_payments`' rules, caps and trigger per
simulation) to the observed-and-simulated histories, and reports the expected total
payment with a percentile interval, the distribution of the number of persons reaching
the goal outcome and the probability of reaching the goal.

Closed form (tested): with two states, a constant weekly exit probability ``h`` out of
benefit and a paid state that is never left, a person on benefit at week 0 has
``P(exit by week T) = 1 - (1 - h)^T`` and an expected
``sum_{t=1}^{T} (1 - (1 - h)^t) = T - (1 - h)(1 - (1 - h)^T) / h`` paid weeks in weeks
1..T.

:func:`investor_cash_flow` turns the payments into the investor's monthly cash flow
(capital out, outcome payments in, a deficit guarantee at the end) with the internal rate
of return per simulation, solved with :func:`scipy.optimize.brentq` on the net present
value ``NPV(r) = sum_m c_m / (1 + r)^m`` (monthly ``r``, annualised ``(1 + r)^12 - 1``),
and the probability of a loss with and without the guarantee.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from .._validation import _show, check_alpha, check_amount
from ..errors import ArgumentError
from ..inference.randomization import check_seed
from ..output.declare import declare_table
from ..panel.panel import StatusPanel
from ..panel.weeks import parse_weeks
from ..results import IntervalEstimate, fmt_value
from .contracts import (
    Contract,
    ContractPayments,
    _cell_months,
    _check_contract,
    _check_panel,
    _cohorts,
    _layout,
    _settle,
    _trigger_set,
    contract_payments,  # noqa: F401 - used by the doctests
)

__all__ = [
    "InvestorCashFlow",
    "MarkovChain",
    "PaymentProjection",
    "fit_markov_chain",
    "investor_cash_flow",
    "project_payments",
]

#: Cells (simulations x persons x weeks) simulated at a time.
_CHUNK_CELLS = 1 << 24


# --------------------------------------------------------------------------- the chain
@dataclass(frozen=True, eq=False)
class MarkovChain:
    """A first-order Markov chain over named states, by band of weeks since referral.

    Attributes
    ----------
    states : the state names (the panel's).
    bands : lower edges of the bands of weeks since referral (the first band also takes
        earlier weeks).
    probabilities : ``(bands, states, states)`` transition probabilities, rows sum to 1.
    transitions : ``(bands, states, states)`` observed transition counts (person-weeks).

    Example
    -------
    >>> chain = MarkovChain.from_probabilities(("benefit", "work"), [[0.9, 0.1], [0, 1]])
    >>> chain.probabilities[0, 0].tolist()
    [0.9, 0.1]
    """

    states: tuple[str, ...]
    bands: tuple[int, ...]
    probabilities: np.ndarray = field(repr=False)
    transitions: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        p = np.asarray(self.probabilities, dtype=float)
        if p.ndim == 2:
            p = p[None]
        s = len(self.states)
        if p.shape != (len(self.bands), s, s):
            raise ArgumentError(
                f"probabilities must be ({len(self.bands)} bands, {s} states, {s} states); "
                f"got shape {p.shape}."
            )
        if (p < 0).any() or not np.allclose(p.sum(axis=2), 1.0):
            raise ArgumentError("probabilities: every row must be >= 0 and sum to 1.")
        object.__setattr__(self, "probabilities", p)
        object.__setattr__(self, "states", tuple(self.states))
        object.__setattr__(self, "bands", tuple(int(b) for b in self.bands))

    @classmethod
    def from_probabilities(cls, states, probabilities, bands=(0,)) -> MarkovChain:
        """A chain from a given matrix (one band) or ``(bands, S, S)`` array."""
        return cls(tuple(states), tuple(bands), probabilities)

    def band_of(self, weeks) -> np.ndarray:
        """The band index of weeks since referral."""
        edges = np.asarray(self.bands)
        return np.maximum(np.searchsorted(edges, np.asarray(weeks), side="right") - 1, 0)

    def to_frame(self) -> pd.DataFrame:
        """One row per band and observed or possible transition: band, from, to,
        transitions (declared counts: person-weeks) and probability."""
        b, a, c = np.nonzero(self.probabilities > 0)
        counts = (
            self.transitions[b, a, c] if self.transitions is not None else np.zeros(len(b), int)
        )
        frame = pd.DataFrame(
            {
                "band": np.asarray(self.bands)[b],
                "from_state": np.asarray(self.states, dtype=object)[a],
                "to_state": np.asarray(self.states, dtype=object)[c],
                "transitions": counts,
                "probability": self.probabilities[b, a, c],
            }
        )
        return declare_table(frame, counts=["transitions"], dependent=["probability"])


def _check_bands(bands) -> tuple[int, ...]:
    if bands is None:
        return (0,)
    if isinstance(bands, numbers.Integral):
        bands = (bands,)
    try:
        edges = tuple(bands)
    except TypeError:
        raise ArgumentError(
            f"bands must be week edges such as (0, 26, 52); got {bands!r}."
        ) from None
    if (
        not edges
        or not all(isinstance(b, numbers.Integral) and not isinstance(b, bool) for b in edges)
        or any(b >= c for b, c in zip(edges, edges[1:], strict=False))
    ):
        raise ArgumentError(
            f"bands must be increasing whole weeks since referral, e.g. (0, 26, 52); got {bands!r}."
        )
    return tuple(int(b) for b in edges)


def _cut_codes(panel: StatusPanel, as_of) -> tuple[np.ndarray, int | None]:
    """The panel's codes with weeks after ``as_of`` (a calendar week) not observed."""
    if as_of is None:
        return panel.codes, None
    if not panel.calendar:
        raise ArgumentError("as_of: a calendar week needs a panel with calendar weeks.")
    try:
        numbers_, calendar = parse_weeks([as_of], "as_of")
    except ArgumentError as error:
        raise ArgumentError(f"as_of: {error}") from None
    if not calendar:
        raise ArgumentError(f"as_of must be a calendar week such as '2019-W38'; got {as_of!r}.")
    cut = int(numbers_[0])
    if panel.aligned:
        calendar_week = panel.reference_week[:, None] + panel.weeks[None, :]
    else:
        calendar_week = np.broadcast_to(panel.weeks, panel.codes.shape)
    if not (calendar_week <= cut).any():
        raise ArgumentError(f"as_of ({as_of!r}) is before every week of the panel.")
    return np.where(calendar_week <= cut, panel.codes, -1).astype(np.int8), cut


def fit_markov_chain(
    panel: StatusPanel, bands: Iterable[int] | None = None, as_of=None
) -> MarkovChain:
    """Estimate a first-order Markov chain from a panel's observed transitions.

    ``p_ab = n_ab / sum_b n_ab`` by band of weeks since referral (see the module
    docstring for rows without transitions). On an aligned panel only transitions from
    referral on (week 0 and later) count: the weeks before describe another process.

    Parameters
    ----------
    panel : the :class:`~evalkit.panel.StatusPanel` (aligned, for bands).
    bands : lower edges of bands of weeks since referral, e.g. ``(0, 26, 52)``; None: one.
    as_of : a calendar week; later weeks are not used (what was known then).

    Example
    -------
    Two persons; 2 of the 3 transitions out of state 0 go to state 1:

    >>> panel = StatusPanel(np.array(["a", "b"]), np.array([[0, 0, 1, 1], [0, 1, -1, -1]]),
    ...                     ("benefit", "work"), aligned=True)
    >>> fit_markov_chain(panel).probabilities[0].round(3).tolist()
    [[0.333, 0.667], [0.0, 1.0]]
    """
    _check_panel(panel)
    edges = _check_bands(bands)
    if len(edges) > 1 and not panel.aligned:
        raise ArgumentError("bands of weeks since referral need an aligned panel.")
    codes, _ = _cut_codes(panel, as_of)
    s = len(panel.states)
    b = len(edges)
    band_of = np.maximum(np.searchsorted(edges, panel.weeks[:-1], side="right") - 1, 0)
    # weeks before referral (an aligned panel's negative weeks) describe another process:
    # the chain is what happens from referral on
    after_referral = (panel.weeks[:-1] >= 0) if panel.aligned else np.ones(band_of.size, bool)
    counts = np.zeros(b * s * s, dtype=np.int64)
    step = max(1, _CHUNK_CELLS // max(panel.n_weeks, 1))
    for r0 in range(0, panel.n_persons, step):  # blocks of persons: flat memory
        block = codes[r0 : r0 + step]
        a, c = block[:, :-1].astype(np.int64), block[:, 1:].astype(np.int64)
        valid = (a >= 0) & (c >= 0) & after_referral
        key = (np.broadcast_to(band_of, a.shape) * s + a) * s + c
        counts += np.bincount(key[valid], minlength=b * s * s)
    counts = counts.reshape(b, s, s)
    pooled = counts.sum(axis=0)
    probabilities = np.empty((b, s, s))
    eye = np.eye(s)
    pooled_rows = np.where(
        pooled.sum(axis=1, keepdims=True) > 0,
        pooled / np.maximum(pooled.sum(axis=1, keepdims=True), 1),
        eye,
    )
    totals = counts.sum(axis=2, keepdims=True)
    probabilities = np.where(totals > 0, counts / np.maximum(totals, 1), pooled_rows[None])
    return MarkovChain(panel.states, edges, probabilities, counts)


# --------------------------------------------------------------------------- projection
@dataclass(frozen=True, eq=False, repr=False)
class PaymentProjection(IntervalEstimate):
    """Projected payments of a contract: a predictive distribution over simulations.

    Attributes
    ----------
    estimate : the expected total payment (mean over simulations).
    conf_int : the ``(alpha/2, 1 - alpha/2)`` percentile interval of the total.
    std_error, p_value : None (a predictive distribution, not an estimate with a test).
    totals : the total payment of every simulation.
    reached : the number of persons reaching the goal outcome in every simulation.
    goal, goal_probability : the goal (persons) and ``P(reached >= goal)``.
    monthly : ``(simulations, months)`` payments; ``months`` their labels: the months
        the contract period touches, from its first week (or the first referral, if
        later) to its last week, and no further.
    seed : the seed used (pass it back to repeat the projection exactly).
    chain : the fitted :class:`MarkovChain`.
    """

    estimate: float
    conf_int: tuple[float, float]
    totals: np.ndarray = field(repr=False)
    reached: np.ndarray = field(repr=False)
    goal: int | None
    goal_probability: float | None
    monthly: np.ndarray = field(repr=False)
    months: list = field(repr=False)
    n_persons: int
    n_sims: int
    seed: int
    chain: MarkovChain = field(repr=False)
    contract: Contract = field(repr=False)
    alpha: float = 0.05
    as_of: object = None

    def _interval(self, values) -> tuple[float, float]:
        low, high = np.quantile(values, [self.alpha / 2, 1 - self.alpha / 2])
        return float(low), float(high)

    def _rows(self) -> list[dict]:
        reached_low, reached_high = self._interval(self.reached)
        rows = [
            {"term": "total_payments", "estimate": self.estimate, "conf_low": self.conf_int[0],
             "conf_high": self.conf_int[1]},
            {"term": "persons_reaching_goal", "estimate": float(np.mean(self.reached)),
             "conf_low": reached_low, "conf_high": reached_high},
        ]  # fmt: skip
        if self.goal is not None:
            rows.append({"term": f"probability_at_least_{self.goal}",
                         "estimate": self.goal_probability})  # fmt: skip
        return [{**r, "n_persons": self.n_persons, "n_sims": self.n_sims} for r in rows]

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        numbers_ = ["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
        return declare_table(frame, counts=["n_persons"], dependent=numbers_)

    def distribution(self) -> pd.DataFrame:
        """The distribution of the number of persons reaching the goal outcome:
        persons_reaching, probability, probability_at_least (declared: the number of
        persons rests on the panel's persons)."""
        values, counts = np.unique(self.reached, return_counts=True)
        probability = counts / self.n_sims
        at_least = probability[::-1].cumsum()[::-1]
        frame = pd.DataFrame(
            {"persons_reaching": values, "probability": probability,
             "probability_at_least": at_least, "n_persons": self.n_persons}
        )  # fmt: skip
        return declare_table(
            frame,
            counts=["n_persons"],
            dependent=["persons_reaching", "probability", "probability_at_least"],
        )

    def by_month(self) -> pd.DataFrame:
        """Expected payment by month with the percentile interval (declared)."""
        low, high = np.quantile(self.monthly, [self.alpha / 2, 1 - self.alpha / 2], axis=0)
        frame = pd.DataFrame(
            {"month": self.months, "expected": self.monthly.mean(axis=0), "low": low,
             "high": high, "n_persons": self.n_persons}
        )  # fmt: skip
        return declare_table(frame, counts=["n_persons"], dependent=["expected", "low", "high"])

    def _header(self) -> list[str]:
        level = f"{100 * (1 - self.alpha):g}%"
        lines = [
            "Projected outcome payments (first-order Markov chain, "
            f"{len(self.chain.bands)} band(s) of weeks since referral)",
            self.contract.describe(),
            f"{self.n_persons} persons; {self.n_sims} simulations; seed {self.seed}"
            + (f"; as of {self.as_of}" if self.as_of is not None else ""),
            f"Expected total payment, {level} percentile interval",
        ]
        return lines

    def _details(self) -> list[str]:
        lines = [
            f"persons reaching the goal outcome: mean {fmt_value(float(np.mean(self.reached)))}"
        ]
        if self.goal is not None:
            lines.append(
                f"P(at least {self.goal} reach the goal outcome) = "
                f"{fmt_value(self.goal_probability)}"
            )
        return lines


def _states_set(states, panel_states, rates, role: str) -> np.ndarray:
    if states is None:
        return rates > 0
    names = (states,) if isinstance(states, str) else tuple(states)
    unknown = [s for s in names if s not in panel_states]
    if unknown or not names:
        raise ArgumentError(
            f"{role} names states the panel does not have: {_show(unknown)}; the panel's "
            f"states are {', '.join(panel_states)}."
        )
    return np.isin(np.array(panel_states), names)


def project_payments(
    panel: StatusPanel,
    contract: Contract,
    cohort: pd.DataFrame | None = None,
    by: str | None = None,
    id: str = "id",
    *,
    as_of=None,
    bands: Iterable[int] | None = None,
    chain: MarkovChain | None = None,
    goal: int | None = None,
    goal_states: str | Iterable[str] | None = None,
    n_sims: int = 1000,
    seed: int | np.random.Generator | None = None,
    alpha: float = 0.05,
) -> PaymentProjection:
    """Project a contract's payments by simulating the weekly histories forward.

    See the module docstring for the model. Each simulation's payments follow the
    contract's rules on the observed weeks (up to ``as_of``) and the simulated weeks.
    A person *reaches the goal outcome* with a counted week (after ``min_run``) in
    ``goal_states`` (default: the rate card's paying states) within the period.

    Parameters
    ----------
    panel : an aligned :class:`~evalkit.panel.StatusPanel`.
    contract : the :class:`~evalkit.economics.Contract`; its period may reach beyond the
        panel (the weeks there are simulated).
    cohort, by, id : cohorts for the trigger, as in :func:`contract_payments`.
    as_of : a calendar week: weeks after it are treated as not yet observed.
    bands : bands of weeks since referral for the chain (see :func:`fit_markov_chain`).
    chain : a fitted or given :class:`MarkovChain` (default: fitted on the panel).
    goal : the number of persons to reach (Impact60: 60 of 120); None: no goal.
    goal_states : the states of the goal outcome.
    n_sims : simulations; seed : the seed (recorded on the result); alpha : 1 - level.

    Example
    -------
    Ten persons on benefit at week 0, weekly exit probability 0.1 to work that lasts;
    P(exit by week 4) = 1 - 0.9^4 = 0.3439, so 3.439 persons are expected to exit.

    >>> panel = StatusPanel(np.array([f"p{i}" for i in range(10)]),
    ...     np.c_[np.zeros((10, 1)), -np.ones((10, 4))], ("benefit", "work"), aligned=True)
    >>> chain = MarkovChain.from_probabilities(panel.states, [[0.9, 0.1], [0.0, 1.0]])
    >>> p = project_payments(panel, Contract({"work": 100}, period=(0, 4)), chain=chain,
    ...                      goal=3, n_sims=20_000, seed=1)
    >>> round(float(p.reached.mean()), 1), p.seed
    (3.4, 1)
    """
    _check_panel(panel)
    contract = _check_contract(contract)
    if not panel.aligned:
        raise ArgumentError("project_payments needs an aligned panel (week 0 = referral).")
    alpha = check_alpha(alpha)
    if isinstance(n_sims, bool) or not isinstance(n_sims, numbers.Integral) or n_sims < 1:
        raise ArgumentError(f"n_sims must be a whole number >= 1 (e.g. 1000); got {n_sims!r}.")
    n_sims = int(n_sims)
    seed = check_seed(seed)
    rates = contract.rate_card.by_code(panel.states)
    trigger_set = _trigger_set(contract, panel.states, rates)
    goal_set = _states_set(goal_states, panel.states, rates, "goal_states")
    n = panel.n_persons
    if goal is not None and (
        isinstance(goal, bool) or not isinstance(goal, numbers.Integral) or not 1 <= goal <= n
    ):
        raise ArgumentError(f"goal must be a number of persons in 1..{n}; got {goal!r}.")
    cohort_index, labels = _cohorts(panel, cohort, by, id)
    codes, _ = _cut_codes(panel, as_of)
    if chain is None:
        chain = fit_markov_chain(panel, bands, as_of)
    elif not isinstance(chain, MarkovChain) or chain.states != panel.states:
        raise ArgumentError("chain must be a MarkovChain over the panel's states.")
    layout = _layout(panel, contract, extend=True)
    n_cols = len(layout.weeks)
    w0 = int(layout.weeks[0])
    # the observed part of the period
    observed = np.full((n, n_cols), -1, dtype=np.int8)
    inside = layout.columns >= 0
    observed[:, inside] = codes[:, layout.columns[inside]]
    if layout.window is not None:
        end = w0 + layout.window[:, 1]
        lo = layout.window[:, 0]
    else:
        end = np.full(n, int(layout.weeks[-1]))
        lo = np.zeros(n, dtype=np.int64)
    j = np.arange(n_cols)
    in_window = (j[None, :] >= lo[:, None]) & (j[None, :] <= (end - w0)[:, None])
    observed[~in_window] = -1
    # starting points: the last observed week (any week of the panel) and its state
    seen = codes >= 0
    has = seen.any(axis=1)
    last_col = panel.n_weeks - 1 - np.argmax(seen[:, ::-1], axis=1)
    last_week = np.where(has, panel.weeks[last_col], 0)
    start_state = np.where(has, codes[np.arange(n), last_col], -1).astype(np.int64)
    at0 = codes[:, panel.column(0)] if 0 in panel.weeks else np.array([], dtype=np.int8)
    initial = np.bincount(at0[at0 >= 0], minlength=len(panel.states)).astype(float)
    if (~has).any() and initial.sum() == 0:
        raise ArgumentError(
            "some persons have no observed week and no person is observed at week 0 to draw "
            "their first state from."
        )
    initial = initial / max(initial.sum(), 1)
    horizon = int(max((end - last_week).max(), 0))
    cum = np.cumsum(chain.probabilities, axis=2)
    cum[..., -1] = 1.0 + 1e-12  # guard rounding: the last state takes the rest
    s = len(panel.states)
    rng = np.random.default_rng(seed)
    per_sim = max(n * n_cols, 1)
    chunk = int(max(1, min(n_sims, _CHUNK_CELLS // per_sim)))
    totals = np.empty(n_sims)
    reached = np.empty(n_sims, dtype=np.int64)
    n_months = len(layout.month_labels)
    monthly = np.zeros((n_sims, n_months))
    month_of = _cell_months(layout, layout.time)
    # the month axis: the months the contract period touches (on a calendar panel the
    # layout's rows run on past the contract's last week for persons referred later)
    used = month_of[in_window]
    keep = slice(int(used.min()), int(used.max()) + 1) if used.size else slice(None)
    for s0 in range(0, n_sims, chunk):  # chunks of simulations (memory), not persons/weeks
        k = min(chunk, n_sims - s0)
        paths = np.broadcast_to(observed, (k, n, n_cols)).copy()
        state = np.broadcast_to(start_state, (k, n)).copy()
        fresh = ~has
        if fresh.any():
            draw = rng.random((k, int(fresh.sum())))
            state[:, fresh] = np.searchsorted(np.cumsum(initial), draw, side="right").clip(0, s - 1)
            col = 0 - w0
            if 0 <= col < n_cols:
                ok = fresh & in_window[:, col]
                paths[:, ok, col] = state[:, ok]
        for step in range(1, horizon + 1):  # one vectorised step per week of the horizon
            week = last_week + step
            band = chain.band_of(week)
            u = rng.random((k, n))
            base = (band[None, :] * s + state) * s
            nxt = np.zeros((k, n), dtype=np.int64)
            flat = cum.ravel()
            for target in range(s - 1):
                nxt += u >= flat[base + target]
            state = np.where(state >= 0, nxt, state)
            col = week - w0
            ok = (col >= 0) & (col < n_cols) & (week <= end)
            if ok.any():
                cols = col[ok]
                rows_ok = np.flatnonzero(ok)
                win = in_window[rows_ok, cols]
                paths[:, rows_ok[win], cols[win]] = state[:, rows_ok[win]]
        flat_paths = paths.reshape(k * n, n_cols)
        group = np.repeat(np.arange(k), n)
        settled = _settle(
            flat_paths,
            np.tile(layout.time, k),
            layout.n_time,
            group,
            k,
            np.tile(cohort_index, k),
            len(labels),
            rates,
            trigger_set,
            contract,
        )
        paid = settled.paid
        totals[s0 : s0 + k] = paid.sum(axis=1).reshape(k, n).sum(axis=1)
        goal_hit = (settled.counted & np.r_[goal_set, False][flat_paths]).any(axis=1)
        reached[s0 : s0 + k] = goal_hit.reshape(k, n).sum(axis=1)
        key = group[:, None] * n_months + np.tile(month_of, (k, 1))
        monthly[s0 : s0 + k] = np.bincount(
            key.ravel(), weights=paid.ravel(), minlength=k * n_months
        ).reshape(k, n_months)
    low, high = np.quantile(totals, [alpha / 2, 1 - alpha / 2])
    return PaymentProjection(
        estimate=float(totals.mean()),
        conf_int=(float(low), float(high)),
        totals=totals,
        reached=reached,
        goal=None if goal is None else int(goal),
        goal_probability=None if goal is None else float(np.mean(reached >= goal)),
        monthly=monthly[:, keep],
        months=list(layout.month_labels[keep]),
        n_persons=n,
        n_sims=n_sims,
        seed=seed,
        chain=chain,
        contract=contract,
        alpha=alpha,
        as_of=as_of,
    )


# --------------------------------------------------------------------------- investor
def _irr(flows: np.ndarray) -> float:
    """Monthly internal rate of return of one cash flow: the root of ``NPV(r)`` by
    :func:`scipy.optimize.brentq` on ``(-0.99, 10)``; -1 when nothing comes back; NaN
    when NPV does not change sign there."""
    if flows[flows > 0].sum() == 0:
        return -1.0
    t = np.arange(len(flows))

    def npv(r: float) -> float:
        return float(np.sum(flows / (1.0 + r) ** t))

    lo, hi = -0.99, 10.0
    f_lo, f_hi = npv(lo), npv(hi)
    if not np.isfinite(f_lo) or np.sign(f_lo) == np.sign(f_hi):
        return math.nan
    return float(brentq(npv, lo, hi, xtol=1e-12, maxiter=200))


@dataclass(frozen=True, eq=False, repr=False)
class InvestorCashFlow(IntervalEstimate):
    """The social investor's cash flow, return and risk of a loss.

    Attributes
    ----------
    estimate : the median annual internal rate of return with the guarantee.
    conf_int : its ``(alpha/2, 1 - alpha/2)`` percentile interval over the simulations
        (None for one scenario).
    irr, irr_without_guarantee : annual IRR per simulation (-1: nothing came back;
        NaN: no rate in (-99 %, 1000 %) a month).
    loss_probability, loss_probability_without_guarantee : share of simulations in which
        the investor gets back less than the capital.
    flows : expected cash flow by month (capital, payments in, guarantee, net).
    """

    estimate: float
    conf_int: tuple[float, float] | None
    irr: np.ndarray = field(repr=False)
    irr_without_guarantee: np.ndarray = field(repr=False)
    loss_probability: float
    loss_probability_without_guarantee: float
    expected_net: float
    expected_guarantee_paid: float
    capital: float
    guarantee: float
    flows: pd.DataFrame = field(repr=False)
    n_persons: int
    n_sims: int
    seed: int | None = None
    alpha: float = 0.05

    def _rows(self) -> list[dict]:
        med = _median(self.irr_without_guarantee)
        rows = [
            {"term": "irr_annual", "estimate": self.estimate, "conf_low": self.conf_low,
             "conf_high": self.conf_high},
            {"term": "irr_annual_without_guarantee", "estimate": med},
            {"term": "loss_probability", "estimate": self.loss_probability},
            {"term": "loss_probability_without_guarantee",
             "estimate": self.loss_probability_without_guarantee},
            {"term": "expected_net_return", "estimate": self.expected_net},
            {"term": "expected_guarantee_paid", "estimate": self.expected_guarantee_paid},
        ]  # fmt: skip
        return [{**r, "n_persons": self.n_persons, "n_sims": self.n_sims} for r in rows]

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        numbers_ = ["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
        return declare_table(frame, counts=["n_persons"], dependent=numbers_)

    def _header(self) -> list[str]:
        return [
            "Investor cash flow: capital out, outcome payments in, deficit guarantee",
            f"capital {self.capital:,.0f}; guarantee up to {self.guarantee:,.0f}; "
            f"{self.n_sims} simulation(s); {self.n_persons} persons",
            "Annual internal rate of return with the guarantee (median)",
        ]

    def _details(self) -> list[str]:
        return [
            f"P(loss) with the guarantee {fmt_value(self.loss_probability)}, without "
            f"{fmt_value(self.loss_probability_without_guarantee)}",
            f"expected net return {fmt_value(self.expected_net)}",
        ]


def investor_cash_flow(
    payments: PaymentProjection | ContractPayments,
    capital: float | Mapping[int, float],
    guarantee: float = 0.0,
    share: float = 1.0,
    alpha: float = 0.05,
) -> InvestorCashFlow:
    """The investor's monthly cash flow, internal rate of return and risk of a loss.

    Month 0 is the first month of the contract. Cash flow of month ``m`` in a simulation:
    ``c_m = share * payments_m - capital_m``; at the last month the guarantor pays
    ``min(max(-sum_m c_m, 0), guarantee)`` (the investor's nominal loss, up to the
    guarantee). The IRR solves ``sum_m c_m / (1 + r)^m = 0`` (brentq; monthly ``r``,
    reported annual ``(1 + r)^12 - 1``). A loss is ``sum_m c_m < 0``.

    Parameters
    ----------
    payments : a :class:`PaymentProjection` (one cash flow per simulation) or a
        :class:`~evalkit.economics.ContractPayments` (one scenario).
    capital : the amount invested at month 0, or ``{month: amount}`` by month since the
        start.
    guarantee : the most the guarantor (e.g. Den Sociale Kapitalfond) covers of a loss.
    share : the share of the outcome payments that goes to the investor.
    alpha : 1 - the level of the percentile interval.

    Example
    -------
    >>> panel = StatusPanel(np.array(["a"]), np.array([[0] * 60]), ("work",), aligned=True)
    >>> paid = contract_payments(panel, Contract({"work": 1000}, period=(0, 51)))
    >>> cf = investor_cash_flow(paid, capital=40_000, guarantee=0)
    >>> round(cf.expected_net), cf.loss_probability
    (12000, 0.0)
    """
    alpha = check_alpha(alpha)
    if isinstance(payments, PaymentProjection):
        monthly, n_persons, seed = payments.monthly, payments.n_persons, payments.seed
    elif isinstance(payments, ContractPayments):
        months = payments.by_month
        monthly, n_persons, seed = months["amount"].to_numpy()[None, :], payments.n_persons, None
    else:
        raise ArgumentError(
            "payments must be a PaymentProjection (project_payments) or ContractPayments "
            f"(contract_payments); got {type(payments).__name__}."
        )
    n_months = monthly.shape[1]
    out = np.zeros(n_months)
    if isinstance(capital, Mapping):
        if not capital:
            raise ArgumentError("capital: give an amount or {month: amount}.")
        for month, amount in capital.items():
            if (
                isinstance(month, bool)
                or not isinstance(month, numbers.Integral)
                or not 0 <= month < n_months
            ):
                raise ArgumentError(
                    f"capital: months are whole months since the start, 0..{n_months - 1}; "
                    f"got {month!r}."
                )
            out[int(month)] += check_amount(amount, f"capital[{month!r}]")
    else:
        out[0] = check_amount(capital, "capital")
    if out.sum() <= 0:
        raise ArgumentError("capital must be above 0 in all.")
    guarantee = check_amount(guarantee, "guarantee")
    share = check_amount(share, "share")
    if share > 1:
        raise ArgumentError(f"share must be in [0, 1]; got {share!r}.")
    inflow = share * monthly
    flows = inflow - out[None, :]
    net = flows.sum(axis=1)
    cover = np.minimum(np.maximum(-net, 0.0), guarantee)
    guaranteed = flows.copy()
    guaranteed[:, -1] += cover
    irr_with = _annual_irrs(guaranteed)
    irr_without = _annual_irrs(flows)
    n_sims = monthly.shape[0]
    conf_int = None
    if n_sims > 1:
        finite = irr_with[np.isfinite(irr_with)]
        if len(finite):
            low, high = np.quantile(finite, [alpha / 2, 1 - alpha / 2])
            conf_int = (float(low), float(high))
    frame = pd.DataFrame(
        {
            "month": np.arange(n_months),
            "capital": -out,
            "payments": inflow.mean(axis=0),
            "guarantee": np.r_[np.zeros(n_months - 1), cover.mean()],
        }
    )
    frame["net"] = frame["capital"] + frame["payments"] + frame["guarantee"]
    frame["n_persons"] = n_persons
    frame = declare_table(
        frame, counts=["n_persons"], dependent=["capital", "payments", "guarantee", "net"]
    )
    return InvestorCashFlow(
        estimate=_median(irr_with),
        conf_int=conf_int,
        irr=irr_with,
        irr_without_guarantee=irr_without,
        loss_probability=float(np.mean(net + cover < -1e-9)),
        loss_probability_without_guarantee=float(np.mean(net < -1e-9)),
        expected_net=float(np.mean(net + cover)),
        expected_guarantee_paid=float(cover.mean()),
        capital=float(out.sum()),
        guarantee=guarantee,
        flows=frame,
        n_persons=n_persons,
        n_sims=n_sims,
        seed=seed,
        alpha=alpha,
    )


def _annual_irrs(flows: np.ndarray) -> np.ndarray:
    """Annual IRR of every row, solved once per distinct cash flow."""
    unique, inverse = np.unique(flows, axis=0, return_inverse=True)
    monthly = np.array([_irr(row) for row in unique])  # one root per distinct flow
    annual = np.where(monthly > -1, (1.0 + monthly) ** 12 - 1.0, monthly)
    return annual[inverse.ravel()]


def _median(values: np.ndarray) -> float:
    """The median of the finite values (NaN when there are none)."""
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if len(finite) else math.nan
