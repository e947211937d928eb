r"""Target attainment: is a share at, above or below a target such as 40 %?

Municipal projects are judged against targets: "at least 40 % of the indsatsgruppe in
company-based activity on average" (Flere skal med, Herning), "80 % to a job interview
within three months, 70 % in work within six" (Powerjobsøgerne, Fredericia), "30 of 50
referred citizens self-sufficient" (Vi gør en forskel). This module answers the questions
an evaluator asks of such targets:

- :func:`target_test`: is the share compatible with the target? The exact binomial test
  and the Clopper–Pearson interval (as R's ``binom.test``), with the Wilson interval and
  the score test (as R's ``prop.test``) alongside.
- :func:`target_attainment`: in a monthly series, when was the target first reached, and
  was it held to the end?
- :func:`average_target_test`: is the *average* monthly share above the target, allowing
  for the same persons being counted month after month?
- :func:`goal_probability`: given ``s`` of ``n`` so far, how likely is the goal of ``g``
  of ``N`` by the end, under a stated model?
- :func:`cost_per_outcome`: the cost per person reaching the outcome, with an interval.

Formulas
--------
With ``x`` successes of ``n`` and target share :math:`\pi_0`:

- exact test: :math:`X \sim \mathrm{Bin}(n, \pi_0)`; one-sided p-values
  :math:`P(X \le x)` (``less``) and :math:`P(X \ge x)` (``greater``); the two-sided p-value
  sums the probabilities of every outcome no more likely than the one observed (relative
  tolerance :math:`10^{-7}`, as R);
- Clopper–Pearson interval (Clopper & Pearson 1934, *Biometrika* 26:404–413):
  :math:`[B(\alpha/2; x, n-x+1),\ B(1-\alpha/2; x+1, n-x)]` with :math:`B` the beta
  quantile (0 when :math:`x = 0`, 1 when :math:`x = n`);
- Wilson score interval (Wilson 1927, *JASA* 22:209–212), from
  :func:`evalkit.effects.wilson_interval`; with ``correct=True`` the continuity
  correction of R's ``prop.test`` (Newcombe 1998a, *Stat Med* 17:857–872, method 4);
- score test: :math:`X^2 = \sum (|O - E| - c)^2 / E` over successes and failures, with
  :math:`E = (n\pi_0, n(1-\pi_0))` and :math:`c = \min(0.5, |x - n\pi_0|)` when corrected
  (else 0); one-sided tests use :math:`z = \mathrm{sign}(\hat p - \pi_0)\sqrt{X^2}`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..effects.binary import _wilson
from ..errors import ArgumentError, DesignError
from ..output.declare import declare_resting_on, declare_table
from ..results import InferentialResult, IntervalEstimate
from ._common import (
    DEPENDENCE,
    ResultMixin,
    check_alpha,
    check_alternative,
    check_choice,
    check_count,
    check_positive,
    check_share,
    check_successes,
    count_dict,
    fmt,
    fmt_p,
    pct,
    period_frame,
    select_window,
)

__all__ = [
    "AverageTargetTest",
    "CostPerOutcome",
    "GoalProbability",
    "TargetAttainment",
    "TargetTest",
    "average_target_test",
    "binomial_p_value",
    "clopper_pearson",
    "cost_per_outcome",
    "goal_probability",
    "target_attainment",
    "target_test",
]

_REL_ERR = 1 + 1e-7


# ----------------------------------------------------------------------------- exact test
def binomial_p_value(successes: int, n: int, target: float, alternative: str = "two-sided"):
    """P-value of the exact binomial test of ``P(success) = target``, as R's ``binom.test``.

    Two-sided: the sum of :math:`P(X = k)` over every ``k`` with
    :math:`P(X = k) \\le P(X = x)(1 + 10^{-7})`, :math:`X \\sim \\mathrm{Bin}(n, \\pi_0)`.

    >>> round(binomial_p_value(7, 20, 0.5), 6)
    0.263176
    """
    x, n = check_successes(successes, n)
    p = check_share(target)
    check_alternative(alternative)
    dist = stats.binom(n, p)
    if alternative == "less":
        return float(min(1.0, dist.cdf(x)))
    if alternative == "greater":
        return float(min(1.0, dist.sf(x - 1)))
    d = dist.pmf(x)
    m = n * p
    if x == m:
        return 1.0
    if x < m:
        k = np.arange(math.ceil(m), n + 1)
        y = int(np.sum(dist.pmf(k) <= d * _REL_ERR))
        value = dist.cdf(x) + dist.sf(n - y)
    else:
        k = np.arange(0, math.floor(m) + 1)
        y = int(np.sum(dist.pmf(k) <= d * _REL_ERR))
        value = dist.cdf(y - 1) + dist.sf(x - 1)
    return float(min(1.0, value))


def clopper_pearson(
    successes: int, n: int, alpha: float = 0.05, alternative: str = "two-sided"
) -> tuple[float, float]:
    """Clopper–Pearson (exact) interval for a proportion, as R's ``binom.test``.

    Two-sided: :math:`[B(\\alpha/2; x, n-x+1), B(1-\\alpha/2; x+1, n-x)]`; one-sided
    intervals put all of :math:`\\alpha` on one side (Clopper & Pearson 1934).

    >>> [round(v, 6) for v in clopper_pearson(7, 20)]
    [0.153909, 0.592189]
    """
    x, n = check_successes(successes, n)
    alpha = check_alpha(alpha)
    check_alternative(alternative)

    def lower(a):
        return 0.0 if x == 0 else float(stats.beta.ppf(a, x, n - x + 1))

    def upper(a):
        return 1.0 if x == n else float(stats.beta.ppf(1 - a, x + 1, n - x))

    if alternative == "less":
        return 0.0, upper(alpha)
    if alternative == "greater":
        return lower(alpha), 1.0
    return lower(alpha / 2), upper(alpha / 2)


def _score_test(x: int, n: int, p: float, alternative: str, alpha: float, correct: bool):
    """One-sample ``prop.test``: X-squared, its p-value and the Wilson interval."""
    yates = min(0.5, abs(x - n * p)) if correct else 0.0
    observed = np.array([x, n - x], dtype=float)
    expected = np.array([n * p, n * (1 - p)])
    statistic = float(np.sum((np.abs(observed - expected) - yates) ** 2 / expected))
    est = x / n
    if alternative == "two-sided":
        p_value = float(stats.chi2.sf(statistic, 1))
    else:
        z = math.copysign(math.sqrt(statistic), est - p) if est != p else 0.0
        p_value = float(stats.norm.cdf(z) if alternative == "less" else stats.norm.sf(z))
    if not correct:
        # Wilson (1927) without correction: the project's own implementation.
        if alternative == "two-sided":
            low, high = _wilson(x, n, alpha)
        else:
            low, high = _wilson(x, n, 2 * alpha)
            low, high = (0.0, high) if alternative == "less" else (low, 1.0)
        return statistic, p_value, (float(max(low, 0.0)), float(min(high, 1.0)))
    # Continuity-corrected Wilson interval, as R's prop.test(correct = TRUE).
    z = stats.norm.isf(alpha / 2 if alternative == "two-sided" else alpha)
    z22n = z**2 / (2 * n)
    pc = est + yates / n
    up = (
        1.0
        if pc >= 1
        else (pc + z22n + z * math.sqrt(pc * (1 - pc) / n + z22n / (2 * n))) / (1 + 2 * z22n)
    )
    pc = est - yates / n
    lo = (
        0.0
        if pc <= 0
        else (pc + z22n - z * math.sqrt(pc * (1 - pc) / n + z22n / (2 * n))) / (1 + 2 * z22n)
    )
    if alternative == "less":
        return statistic, p_value, (0.0, min(up, 1.0))
    if alternative == "greater":
        return statistic, p_value, (max(lo, 0.0), 1.0)
    return statistic, p_value, (max(lo, 0.0), min(up, 1.0))


@dataclass(frozen=True, eq=False)
class TargetTest(ResultMixin, InferentialResult):
    """A share tested against a target: exact binomial test, Clopper–Pearson and Wilson.

    Attributes
    ----------
    estimate : ``successes / n``.
    p_value, conf_int : the exact binomial test and Clopper–Pearson interval (``binom.test``).
    std_error : None (exact inference; the Wilson interval's is implicit).
    wilson_conf_int, score_statistic, score_p_value : the Wilson interval and score
        (chi-square) test (``prop.test(x, n, p = target, correct = correct)``).
    """

    successes: int
    n: int
    target: float
    alternative: str
    alpha: float
    estimate: float
    p_value: float
    conf_int: tuple[float, float]
    wilson_conf_int: tuple[float, float]
    score_statistic: float
    score_p_value: float
    correct: bool
    label: str = "share"

    @property
    def std_error(self) -> None:
        """None: the test and interval are exact."""
        return None

    @property
    def difference(self) -> float:
        """Estimate minus target (percentage points / 100)."""
        return self.estimate - self.target

    def verdict(self) -> str:
        """One line in words: what the exact interval says about the target."""
        low, high = self.conf_int
        level = f"{100 * (1 - self.alpha):g}%"
        if low > self.target:
            where = "above"
        elif high < self.target:
            where = "below"
        else:
            return (
                f"The {level} Clopper-Pearson interval [{pct(low)}, {pct(high)}] includes the "
                f"target {pct(self.target)}: the data cannot tell the share from the target."
            )
        return (
            f"The {level} Clopper-Pearson interval [{pct(low)}, {pct(high)}] lies {where} the "
            f"target {pct(self.target)} (exact p = {fmt_p(self.p_value)}, {self.alternative})."
        )

    def _statistic(self) -> float:
        return self.score_statistic

    def _row_extra(self) -> dict:
        return {
            "successes": self.successes,
            "n": self.n,
            "target": self.target,
            "wilson_low": self.wilson_conf_int[0],
            "wilson_high": self.wilson_conf_int[1],
            "score_p_value": self.score_p_value,
            "alternative": self.alternative,
        }

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``successes`` and ``n`` are counts of persons (n - successes too); the
        estimate, intervals, statistic and p-values rest on them. ``statistic`` is the
        score test's."""
        return declare_table(
            frame, counts=_COUNTS, dependent=_TARGET_DEPENDENT, complements=_COMPLEMENT
        )

    def _header(self) -> list[str]:
        return [
            "Share against a target: exact binomial test (Clopper-Pearson interval), "
            "Wilson interval and score test alongside",
            f"{self.label}: {self.successes} of {self.n} = {pct(self.estimate)}; target "
            f"{pct(self.target)}; alternative: {self.alternative}",
        ]

    def summary(self) -> str:
        level = f"{100 * (1 - self.alpha):g}%"
        cc = " with continuity correction" if self.correct else ""
        lines = self._header() + [
            f"  exact binomial test        p = {fmt_p(self.p_value)}",
            f"  Clopper-Pearson {level} CI  [{fmt(self.conf_int[0])}, {fmt(self.conf_int[1])}]",
            f"  Wilson {level} CI{cc}  [{fmt(self.wilson_conf_int[0])}, "
            f"{fmt(self.wilson_conf_int[1])}]",
            f"  score test{cc}: X-squared = {fmt(self.score_statistic)}, "
            f"p = {fmt_p(self.score_p_value)}",
            self.verdict(),
        ]
        return "\n".join(lines)


def target_test(
    successes: int,
    n: int,
    target: float,
    alternative: str = "two-sided",
    alpha: float = 0.05,
    correct: bool = False,
    label: str = "share",
) -> TargetTest:
    """Exact binomial test of a share against a target, with Clopper–Pearson and Wilson.

    Parameters
    ----------
    successes, n : persons reaching the outcome, and persons counted.
    target : the target share in (0, 1), e.g. 0.70 for "70 % in work".
    alternative : ``"two-sided"``, ``"less"`` (the share is below the target) or
        ``"greater"``. One-sided intervals are one-sided, as in R.
    correct : continuity correction of the Wilson interval and score test (R's
        ``prop.test`` default is TRUE; evalkit's default is False, matching
        :func:`evalkit.effects.wilson_interval`).

    The p-value and ``conf_int`` are those of ``binom.test(successes, n, p = target,
    alternative, conf.level = 1 - alpha)``; ``wilson_conf_int``, ``score_statistic`` and
    ``score_p_value`` those of ``prop.test(successes, n, p = target, alternative,
    conf.level = 1 - alpha, correct = correct)``. See the module docstring for formulas.

    Example
    -------
    Powerjobsøgerne: 95 of 192 got a job interview against the target of 80 %.

    >>> res = target_test(95, 192, 0.80, alternative="less")
    >>> round(res.estimate, 4), res.p_value < 1e-16, round(res.conf_int[1], 4)
    (0.4948, True, 0.5565)
    """
    x, n = check_successes(successes, n)
    p = check_share(target)
    check_alternative(alternative)
    alpha = check_alpha(alpha)
    if not isinstance(correct, bool | np.bool_):
        raise ArgumentError(f"correct must be True or False; got {correct!r}.")
    statistic, score_p, wilson = _score_test(x, n, p, alternative, alpha, bool(correct))
    return TargetTest(
        successes=x,
        n=n,
        target=p,
        alternative=alternative,
        alpha=alpha,
        estimate=x / n,
        p_value=binomial_p_value(x, n, p, alternative),
        conf_int=clopper_pearson(x, n, alpha, alternative),
        wilson_conf_int=(float(wilson[0]), float(wilson[1])),
        score_statistic=statistic,
        score_p_value=score_p,
        correct=bool(correct),
        label=str(label),
    )


_COUNTS = ["successes", "n"]
#: n - successes (the persons without the outcome) is a count too.
_COMPLEMENT = {"successes": "n"}
_TARGET_DEPENDENT = [
    "estimate",
    "conf_low",
    "conf_high",
    "wilson_low",
    "wilson_high",
    "p_value",
    "statistic",
    "score_p_value",
]
_SERIES_DEPENDENT = ["share", "ci_low", "ci_high", "met", "met_significantly"]


def declare_series(frame: pd.DataFrame, dependent=None) -> pd.DataFrame:
    """``frame`` (period, successes, n, share, ...) declared for the output gate: the
    successes and persons of each period are counts, the share and what is computed from
    it rest on them."""
    dependent = _SERIES_DEPENDENT if dependent is None else dependent
    return declare_table(
        frame,
        counts=_COUNTS,
        dependent=[c for c in dependent if c in frame.columns],
        complements=_COMPLEMENT,
    )


# -------------------------------------------------------------------- series against target
@dataclass(frozen=True, eq=False)
class TargetAttainment(ResultMixin):
    """When a monthly (or weekly) share reached a target, and whether it was held.

    Attributes
    ----------
    table : one row per period: period, successes, n, share, ci_low, ci_high (Wilson,
        NaN without counts), met (share >= target), met_significantly (the Wilson
        interval lies wholly above the target).
    first_reached : the first period with share >= target (None if never).
    held_from : the start of the last run of periods at or above the target that lasts to
        the final period (None if the final period is below the target).
    reached_and_held : first reached and never below the target afterwards.
    first_significant : the first period whose Wilson interval lies above the target.
    longest_run : (first, last, number of periods) of the longest run at or above target.
    """

    table: pd.DataFrame = field(repr=False)
    target: float
    alpha: float
    first_reached: object
    held_from: object
    first_significant: object
    longest_run: tuple | None

    @property
    def periods_met(self) -> int:
        return int(self.table["met"].sum())

    @property
    def n_periods(self) -> int:
        return len(self.table)

    @property
    def held_to_end(self) -> bool:
        return self.held_from is not None

    @property
    def reached_and_held(self) -> bool:
        return self.first_reached is not None and self.first_reached == self.held_from

    def to_frame(self) -> pd.DataFrame:
        """The per-period table (a copy), declared for the output gate: successes and n
        are counts, share, ci_low, ci_high, met and met_significantly rest on them."""
        return declare_series(self.table.copy())

    def _header(self) -> list[str]:
        first = self.table["period"].iloc[0]
        last = self.table["period"].iloc[-1]
        return [
            f"Target attainment: target {pct(self.target)}, periods {first} to {last}",
            f"Met in {self.periods_met} of {self.n_periods} periods; first reached: "
            f"{self.first_reached}; held from {self.held_from} to the end: "
            f"{'yes' if self.held_to_end else 'no'}; reached and held: "
            f"{'yes' if self.reached_and_held else 'no'}",
        ]

    def summary(self) -> str:
        lines = self._header()
        if self.longest_run is not None:
            a, b, k = self.longest_run
            lines.append(f"Longest run at or above target: {a} to {b} ({k} periods)")
        if self.table["ci_low"].notna().any():
            level = f"{100 * (1 - self.alpha):g}%"
            lines.append(
                f"First period whose {level} Wilson interval lies above the target: "
                f"{self.first_significant}"
            )
        return "\n".join(lines)

    def average_test(
        self, start=None, end=None, dependence: str = "same_persons", alternative: str = "greater"
    ) -> AverageTargetTest:
        """:func:`average_target_test` on this series (same target and alpha)."""
        return _average_test(
            self.table, self.target, start, end, dependence, alternative, self.alpha
        )


def target_attainment(
    series: pd.DataFrame,
    target: float,
    period: str = "period",
    successes: str = "successes",
    n: str = "n",
    share: str | None = "share",
    alpha: float = 0.05,
) -> TargetAttainment:
    """Whether and when a share series reached a target, and whether it held to the end.

    Parameters
    ----------
    series : one row per period with ``period`` and either counts (``successes`` of
        ``n``; Wilson intervals are added) or only a published ``share``.
    target : the target share in (0, 1).

    "Met" compares the point estimate with the target (as municipal monitoring does);
    ``met_significantly`` asks that the whole two-sided Wilson interval lie above it.

    Example
    -------
    >>> s = pd.DataFrame({"period": ["2018-07", "2018-08", "2018-09", "2018-10"],
    ...                   "successes": [50, 54, 57, 60], "n": [142, 141, 140, 139]})
    >>> res = target_attainment(s, 0.40)
    >>> res.first_reached, res.held_from, res.reached_and_held
    ('2018-09', '2018-09', True)
    """
    p = check_share(target)
    alpha = check_alpha(alpha)
    frame = period_frame(series, "series", period, successes, n, share)
    low = np.full(len(frame), np.nan)
    high = np.full(len(frame), np.nan)
    has_counts = frame["n"].notna().all()
    if has_counts:
        for i, (s, total) in enumerate(zip(frame["successes"], frame["n"], strict=True)):
            low[i], high[i] = _wilson(int(s), int(total), alpha)
    frame["ci_low"], frame["ci_high"] = low, high
    met = (frame["share"] >= p).to_numpy()
    frame["met"] = met
    frame["met_significantly"] = (frame["ci_low"] > p).to_numpy()
    periods = frame["period"].tolist()
    first = periods[int(np.argmax(met))] if met.any() else None
    held = None
    if met[-1]:
        below = np.flatnonzero(~met)
        held = periods[below[-1] + 1] if below.size else periods[0]
    sig = frame["met_significantly"].to_numpy()
    first_sig = periods[int(np.argmax(sig))] if sig.any() else None
    run = None
    best, start_i = 0, None
    for i, ok in enumerate(met):
        if ok and (i == 0 or not met[i - 1]):
            start_i = i
        if ok and i - start_i + 1 > best:
            best = i - start_i + 1
            run = (periods[start_i], periods[i], best)
    return TargetAttainment(
        table=declare_series(frame),
        target=p,
        alpha=alpha,
        first_reached=first,
        held_from=held,
        first_significant=first_sig,
        longest_run=run,
    )


@dataclass(frozen=True, eq=False)
class AverageTargetTest(ResultMixin, InferentialResult):
    """The average of per-period shares tested against a target.

    ``estimate`` is the unweighted mean of the period shares; ``std_error`` its standard
    error under ``dependence``; ``statistic`` the z statistic under the null (the target's
    binomial variance); ``conf_int`` the Wald interval with ``std_error``.
    """

    estimate: float
    std_error: float
    conf_int: tuple[float, float]
    statistic: float
    p_value: float
    target: float
    alternative: str
    dependence: str
    alpha: float
    n_periods: int
    first: object
    last: object
    _counts: dict = field(default_factory=dict, repr=False)

    def _term(self) -> str:
        return "average_share"

    def _row_extra(self) -> dict:
        return {
            "target": self.target,
            "n_periods": self.n_periods,
            "dependence": self.dependence,
            "alternative": self.alternative,
        }

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Rests on the smallest count of its periods (``n_periods`` counts periods)."""
        return declare_resting_on(frame, self._counts)

    def _header(self) -> list[str]:
        return [
            f"Average share over {self.n_periods} periods ({self.first} to {self.last}) "
            f"against the target {pct(self.target)}",
            f"Standard error assuming {_DEPENDENCE_TEXT[self.dependence]}",
        ]

    def summary(self) -> str:
        level = f"{100 * (1 - self.alpha):g}%"
        return "\n".join(
            self._header()
            + [
                f"  average {pct(self.estimate)} (SE {fmt(self.std_error, 3)}), {level} CI "
                f"[{pct(self.conf_int[0])}, {pct(self.conf_int[1])}]",
                f"  z = {fmt(self.statistic, 4)}, p = {fmt_p(self.p_value)} ({self.alternative})",
            ]
        )


_DEPENDENCE_TEXT = {
    "same_persons": "the same persons every period (correlation 1 between periods: conservative)",
    "independent": "independent samples every period (too small if the same persons recur)",
}


def mean_standard_error(se: np.ndarray, dependence: str) -> float:
    """Standard error of an unweighted mean of ``T`` period estimates with SEs ``se``.

    ``"independent"``: :math:`\\sqrt{\\sum_t se_t^2}/T`. ``"same_persons"``:
    :math:`\\sum_t se_t / T`, the variance when every pair of periods is perfectly
    correlated, an upper bound for any correlation (the same persons counted month
    after month are strongly, not perfectly, correlated).
    """
    check_choice(dependence, "dependence", DEPENDENCE)
    se = np.asarray(se, dtype=float)
    if dependence == "independent":
        return float(np.sqrt(np.sum(se**2)) / se.size)
    return float(np.sum(se) / se.size)


def _average_test(frame, target, start, end, dependence, alternative, alpha):
    check_choice(dependence, "dependence", DEPENDENCE)
    check_alternative(alternative)
    window = select_window(frame, start, end)
    if window["n"].isna().any():
        raise DesignError(
            "the average can only be tested with counts (successes and n) in every period."
        )
    share = window["share"].to_numpy(float)
    n = window["n"].to_numpy(float)
    mean = float(share.mean())
    se = mean_standard_error(np.sqrt(share * (1 - share) / n), dependence)
    se0 = mean_standard_error(np.sqrt(target * (1 - target) / n), dependence)
    z = (mean - target) / se0
    if alternative == "two-sided":
        p_value = 2 * stats.norm.sf(abs(z))
        crit = stats.norm.isf(alpha / 2)
        ci = (mean - crit * se, mean + crit * se)
    else:
        p_value = stats.norm.sf(z) if alternative == "greater" else stats.norm.cdf(z)
        crit = stats.norm.isf(alpha)
        ci = (mean - crit * se, 1.0) if alternative == "greater" else (0.0, mean + crit * se)
    return AverageTargetTest(
        estimate=mean,
        std_error=se,
        conf_int=(float(max(ci[0], 0.0)), float(min(ci[1], 1.0))),
        statistic=float(z),
        p_value=float(p_value),
        target=target,
        alternative=alternative,
        dependence=dependence,
        alpha=alpha,
        n_periods=len(window),
        first=window["period"].iloc[0],
        last=window["period"].iloc[-1],
        _counts=count_dict(
            [f"period {p}" for p in window["period"]],
            window["successes"] if "successes" in window else [np.nan] * len(window),
            window["n"],
        ),
    )


def average_target_test(
    series: pd.DataFrame,
    target: float,
    start=None,
    end=None,
    dependence: str = "same_persons",
    alternative: str = "greater",
    alpha: float = 0.05,
    period: str = "period",
    successes: str = "successes",
    n: str = "n",
) -> AverageTargetTest:
    """Test whether the average of the period shares is above (or below) a target.

    The average is :math:`\\bar p = T^{-1} \\sum_t \\hat p_t` over the periods from
    ``start`` to ``end`` (inclusive). The test statistic is
    :math:`z = (\\bar p - \\pi_0) / SE_0` with :math:`SE_0` built from the null variances
    :math:`\\pi_0 (1 - \\pi_0) / n_t`; the interval is :math:`\\bar p \\pm z_{1-\\alpha} SE`
    with :math:`SE` from :math:`\\hat p_t (1 - \\hat p_t) / n_t`. How the period variances
    combine depends on ``dependence``:

    - ``"same_persons"`` (default): the same persons are counted every period (an
      indsatsgruppe followed month by month); the periods are treated as perfectly
      correlated, which gives the largest (conservative) standard error;
    - ``"independent"``: new, independent samples every period.

    The truth for a panel of persons lies in between; the default protects against
    claiming a target met on the strength of twelve looks at the same hundred people.

    Example
    -------
    >>> s = pd.DataFrame({"period": [1, 2, 3], "successes": [60, 62, 65], "n": [140] * 3})
    >>> res = average_target_test(s, 0.40)
    >>> round(res.estimate, 4), round(res.p_value, 4)
    (0.4452, 0.1373)
    """
    p = check_share(target)
    alpha = check_alpha(alpha)
    frame = period_frame(series, "series", period, successes, n)
    return _average_test(frame, p, start, end, dependence, alternative, alpha)


# ------------------------------------------------------------------------ goal probability
@dataclass(frozen=True, eq=False)
class GoalProbability(ResultMixin):
    """The probability of reaching ``goal`` successes among ``total`` persons by the end.

    ``probability`` is :math:`P(s + X \\ge g)` with :math:`X` the successes among the
    ``remaining`` persons under ``model``; ``expected_final`` and ``predictive_interval``
    describe :math:`s + X`.
    """

    successes: int
    n: int
    goal: int
    total: int
    model: str
    probability: float
    needed: int
    remaining: int
    expected_final: float
    predictive_interval: tuple[int, int]
    rate: float | None
    prior: tuple[float, float] | None
    alpha: float
    assumptions: str = field(repr=False, default="")

    @property
    def required_rate(self) -> float:
        """The share of the remaining persons who must succeed (NaN if none remain)."""
        return self.needed / self.remaining if self.remaining else math.nan

    def _dist(self):
        if self.model == "binomial":
            return stats.binom(self.remaining, self.rate)
        a, b = self.prior
        return stats.betabinom(self.remaining, a + self.successes, b + self.n - self.successes)

    def distribution(self) -> pd.DataFrame:
        """Predictive distribution of the final count: final_successes, probability,
        probability_at_least."""
        k = np.arange(self.remaining + 1)
        if self.remaining:
            dist = self._dist()
            pmf, sf = dist.pmf(k), dist.sf(k - 1)
        else:
            pmf, sf = np.ones(1), np.ones(1)
        frame = pd.DataFrame(
            {"final_successes": self.successes + k, "probability": pmf, "probability_at_least": sf}
        )
        # final_successes starts at the successes so far: declared a count of persons
        return declare_table(
            frame, counts=["final_successes"], dependent=["probability", "probability_at_least"]
        )

    def to_frame(self) -> pd.DataFrame:
        """One row, declared for the output gate: successes and n are counts; needed
        (goal minus successes), remaining (total minus n) and the probabilities rest on
        them."""
        frame = pd.DataFrame(
            [
                {
                    "term": "goal_probability",
                    "successes": self.successes,
                    "n": self.n,
                    "goal": self.goal,
                    "total": self.total,
                    "needed": self.needed,
                    "remaining": self.remaining,
                    "required_rate": self.required_rate,
                    "probability": self.probability,
                    "expected_final": self.expected_final,
                    "predictive_low": self.predictive_interval[0],
                    "predictive_high": self.predictive_interval[1],
                    "model": self.model,
                }
            ]
        )
        dependent = [
            "needed",
            "remaining",
            "required_rate",
            "probability",
            "expected_final",
            "predictive_low",
            "predictive_high",
        ]
        return declare_table(frame, counts=_COUNTS, dependent=dependent, complements=_COMPLEMENT)

    def _header(self) -> list[str]:
        return [
            f"Probability of reaching {self.goal} of {self.total} "
            f"(now {self.successes} of {self.n}; {self.needed} more needed among "
            f"{self.remaining} remaining)",
            f"Model: {self.model}",
        ]

    def _notes(self) -> list[str]:
        return [self.assumptions]

    def summary(self) -> str:
        level = f"{100 * (1 - self.alpha):g}%"
        return "\n".join(
            self._header()
            + [
                f"  P(goal reached) = {fmt(self.probability, 4)}",
                f"  expected final count {fmt(self.expected_final, 4)}; {level} predictive "
                f"interval [{self.predictive_interval[0]}, {self.predictive_interval[1]}]",
                f"  required share among the remaining: {pct(self.required_rate)}",
                "Assumptions: " + self.assumptions,
            ]
        )


def goal_probability(
    successes: int,
    n: int,
    goal: int,
    total: int,
    model: str = "beta-binomial",
    prior: tuple[float, float] = (1.0, 1.0),
    rate: float | None = None,
    alpha: float = 0.05,
) -> GoalProbability:
    """Probability of reaching a goal of ``goal`` successes among ``total`` persons.

    So far ``successes`` of ``n`` persons have succeeded; ``total - n`` persons remain.
    The successes so far are taken as final, and the remaining persons are assumed to be
    exchangeable with those seen so far and independent of one another.

    - ``model="beta-binomial"`` (default): the success probability is uncertain, with a
      :math:`\\mathrm{Beta}(a, b)` prior (``prior``; uniform by default) updated to
      :math:`\\mathrm{Beta}(a + s, b + n - s)`; the remaining successes follow the
      posterior predictive beta-binomial distribution
      :math:`\\mathrm{BetaBin}(N - n, a + s, b + n - s)`.
    - ``model="binomial"``: the rate is known, ``rate`` or the current rate ``s / n``
      (a plug-in, which ignores the uncertainty in the rate and so overstates certainty);
      :math:`X \\sim \\mathrm{Bin}(N - n, p)`.

    For a snapshot count (persons self-sufficient *now*) the model answers "will at
    least ``goal`` be counted at the end", not "will ``goal`` ever have succeeded".

    Example
    -------
    Impact60 at midway: 16 of 65 self-sufficient, goal 60 of 120.

    >>> res = goal_probability(16, 65, 60, 120)
    >>> res.needed, res.remaining, res.probability < 1e-6
    (44, 55, True)
    >>> round(goal_probability(16, 65, 40, 120).probability, 3)
    0.019
    """
    check_choice(model, "model", ("beta-binomial", "binomial"))
    s = check_count(successes, "successes")
    n_seen = check_count(n, "n")
    if s > n_seen:
        raise ArgumentError(f"successes ({s}) cannot exceed n ({n_seen}).")
    total = check_count(total, "total")
    goal = check_count(goal, "goal")
    if n_seen > total:
        raise ArgumentError(f"n ({n_seen}) cannot exceed total ({total}).")
    if not 0 < goal <= total:
        raise ArgumentError(f"goal must be between 1 and total ({total}); got {goal}.")
    alpha = check_alpha(alpha)
    remaining = total - n_seen
    needed = max(goal - s, 0)
    p = None
    a_b = None
    if model == "binomial":
        if rate is None:
            if n_seen == 0:
                raise ArgumentError("model='binomial' with n = 0 needs a rate.")
            p = s / n_seen
        else:
            p = float(rate)
            if not 0.0 <= p <= 1.0:
                raise ArgumentError(f"rate must be in [0, 1]; got {rate!r}.")
        assumptions = (
            f"the remaining {remaining} persons each succeed independently with probability "
            f"{fmt(p, 4)} ({'given' if rate is not None else 'the current rate'}; its "
            "uncertainty is ignored); the successes so far are final."
        )
    else:
        if rate is not None:
            raise ArgumentError("rate is used only with model='binomial'.")
        try:
            a_b = (check_positive(prior[0], "prior[0]"), check_positive(prior[1], "prior[1]"))
        except (TypeError, IndexError):
            raise ArgumentError(f"prior must be a pair (a, b) > 0; got {prior!r}.") from None
        if len(prior) != 2:
            raise ArgumentError(f"prior must be a pair (a, b) > 0; got {prior!r}.")
        assumptions = (
            f"the success probability is unknown with a Beta({fmt(a_b[0])}, {fmt(a_b[1])}) "
            f"prior, updated by {s} of {n_seen}; the remaining {remaining} persons are "
            "exchangeable with those seen and independent given the probability; the "
            "successes so far are final."
        )
    result = GoalProbability(
        successes=s,
        n=n_seen,
        goal=goal,
        total=total,
        model=model,
        probability=math.nan,
        needed=needed,
        remaining=remaining,
        expected_final=math.nan,
        predictive_interval=(s, s),
        rate=p,
        prior=a_b,
        alpha=alpha,
        assumptions=assumptions,
    )
    if remaining == 0:
        probability, expected, interval = float(s >= goal), float(s), (s, s)
    else:
        dist = result._dist()
        probability = 1.0 if needed == 0 else float(dist.sf(needed - 1))
        expected = s + float(dist.mean())
        interval = (s + int(dist.ppf(alpha / 2)), s + int(dist.ppf(1 - alpha / 2)))
    return dataclasses.replace(
        result, probability=probability, expected_final=expected, predictive_interval=interval
    )


# ------------------------------------------------------------------------- cost per outcome
@dataclass(frozen=True, eq=False)
class CostPerOutcome(ResultMixin, IntervalEstimate):
    """Cost per person reaching the outcome (and per participant).

    ``conf_int`` is the interval of ``cost / (participants * p)`` from the
    Clopper–Pearson interval of the success rate ``p``: the cost per outcome a programme
    of the same size and cost could expect, given the sampling uncertainty in its rate.
    ``std_error`` and ``p_value`` are None (no test, an exact interval).
    """

    cost: float
    outcomes: int
    participants: int | None
    estimate: float
    per_participant: float | None
    conf_int: tuple[float, float] | None
    alpha: float
    label: str

    def _row_extra(self) -> dict:
        return {
            "cost": self.cost,
            "outcomes": self.outcomes,
            "participants": self.participants,
            "cost_per_participant": self.per_participant,
        }

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Outcomes and participants are counts; the cost per outcome (``estimate``) and
        its interval rest on both, the cost per participant on the participants."""
        both = ["outcomes", "participants"]
        return declare_table(
            frame,
            counts=both,
            complements={"outcomes": "participants"},
            dependent={
                "estimate": both,
                "conf_low": both,
                "conf_high": both,
                "cost_per_participant": ["participants"],
            },
        )

    def _header(self) -> list[str]:
        return [f"Cost per outcome ({self.label}): {fmt(self.cost)} / {self.outcomes}"]

    def summary(self) -> str:
        lines = self._header() + [f"  cost per outcome: {self.estimate:,.0f}"]
        if self.conf_int is not None:
            level = f"{100 * (1 - self.alpha):g}%"
            lines.append(
                f"  {level} interval (Clopper-Pearson on the rate {self.outcomes}/"
                f"{self.participants}): [{self.conf_int[0]:,.0f}, {self.conf_int[1]:,.0f}]"
            )
            lines.append(f"  cost per participant: {self.per_participant:,.0f}")
        lines.append(
            "An average cost, not an incremental one: without a comparison group it says "
            "nothing about the cost of an outcome the programme caused."
        )
        return "\n".join(lines)


def cost_per_outcome(
    cost: float,
    outcomes: int,
    participants: int | None = None,
    alpha: float = 0.05,
    label: str = "outcome",
) -> CostPerOutcome:
    """Cost per person reaching an outcome: ``cost / outcomes``.

    With ``participants``, also the cost per participant and an interval
    :math:`[C / (N \\hat p_U),\\ C / (N \\hat p_L)]` from the Clopper–Pearson interval
    :math:`(\\hat p_L, \\hat p_U)` of the rate ``outcomes / participants``.

    Example
    -------
    Powerjobsøgerne: DKK 250,000 for a year; 96 of 192 into job or education.

    >>> res = cost_per_outcome(250_000, 96, 192)
    >>> round(res.estimate), round(res.per_participant)
    (2604, 1302)
    """
    c = check_positive(cost, "cost")
    k = check_count(outcomes, "outcomes")
    if k == 0:
        raise DesignError("no outcomes were reached: the cost per outcome is unbounded.")
    alpha = check_alpha(alpha)
    ci = per = None
    if participants is not None:
        k, total = check_successes(k, participants, "outcomes", "participants")
        low, high = clopper_pearson(k, total, alpha)
        ci = (c / (total * high), c / (total * low) if low > 0 else math.inf)
        per = c / total
    return CostPerOutcome(
        cost=c,
        outcomes=k,
        participants=None if participants is None else int(participants),
        estimate=c / k,
        per_participant=per,
        conf_int=ci,
        alpha=alpha,
        label=str(label),
    )
