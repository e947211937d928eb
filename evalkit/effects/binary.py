"""Effects on a binary outcome (employed or not, self-sufficient or not).

Counts: ``a`` of ``n1`` treated and ``c`` of ``n0`` controls have the outcome;
``b = n1 - a``, ``d = n0 - c``; ``p1 = a/n1``, ``p0 = c/n0``. Every contrast is
treated minus (or over) control.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats.contingency import odds_ratio as _scipy_odds_ratio

from .._validation import check_alpha, check_choice, prepare_trial
from ..errors import ArgumentError, DesignError
from ..results import EffectResult, InferentialResult
from .means import conditions_of, contrast_text


def _counts(data, outcome, treatment, missing, condition1=None, condition2=None):
    trial = prepare_trial(
        data, outcome, treatment, missing=missing, binary=True,
        condition1=condition1, condition2=condition2,
    )  # fmt: skip
    y, t = trial.y.astype(bool), trial.treated
    a, c = int(y[t].sum()), int(y[~t].sum())
    return a, trial.n_treated, c, trial.n_control


def _result(
    estimate, se, ci, p, statistic, n1, n0, method, outcome, treatment, alpha, scale,
    conditions=None,
):  # fmt: skip
    return EffectResult(
        estimate=float(estimate),
        std_error=None if se is None else float(se),
        conf_int=(float(ci[0]), float(ci[1])),
        p_value=float(p),
        statistic=None if statistic is None else float(statistic),
        df=None,
        n_treated=n1,
        n_control=n0,
        method=method,
        outcome=outcome,
        treatment=treatment,
        alpha=alpha,
        scale=scale,
        conditions=conditions,
    )


def _whole_count(value, name: str, low: int) -> int:
    """``value`` as an int when it is a whole number >= ``low``, else ArgumentError."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise ArgumentError(
            f"{name} must be a whole number (a count); got a {type(value).__name__}."
        )
    number = float(value)
    if not np.isfinite(number) or number != np.floor(number):
        raise ArgumentError(f"{name} must be a whole number (a count); got {value!r}.")
    if number < low:
        raise ArgumentError(f"{name} must be at least {low}; got {value!r}.")
    return int(value)


@dataclass(frozen=True, eq=False, repr=False)
class ProportionResult(InferentialResult):
    """A proportion with its Wilson score interval (:func:`wilson_interval`).

    Attributes
    ----------
    estimate : ``successes / n``.
    std_error : ``sqrt(p (1 - p) / n)`` (the Wald standard error).
    conf_int : the Wilson interval at level ``1 - alpha``.
    p_value : None (nothing is tested; :func:`evalkit.benchmark.target_test` tests a
        share against a target).
    successes, n, alpha : as given.
    """

    successes: int
    n: int
    alpha: float
    estimate: float
    std_error: float
    conf_int: tuple[float, float]

    @property
    def p_value(self) -> None:
        """None: nothing is tested."""
        return None

    def _term(self) -> str:
        return "proportion"

    def _row_extra(self) -> dict:
        return {"successes": self.successes, "n": self.n}

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``successes`` and ``n`` are counts of persons (n - successes too); the
        proportion and its interval rest on them."""
        from ..output.declare import declare_table

        return declare_table(
            frame,
            counts=["successes", "n"],
            dependent=["estimate", "std_error", "conf_low", "conf_high"],
            complements={"successes": "n"},
        )

    def _header(self) -> list[str]:
        return [
            "Proportion with a Wilson score interval",
            f"{self.successes} of {self.n}",
        ]


def wilson_interval(successes: int, n: int, alpha: float = 0.05) -> ProportionResult:
    """A proportion with its Wilson score interval (Wilson 1927), without continuity
    correction.

    ``(p + z^2/2n -/+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)``, as R's
    ``prop.test(x, n, correct = FALSE)$conf.int``.

    ``successes`` and ``n`` are whole numbers (ints, or floats such as 3.0) with
    ``0 <= successes <= n`` and ``n >= 1``; ``alpha`` is in (0, 1). Anything else raises
    :class:`~evalkit.errors.ArgumentError` (never a NaN interval).

    Returns
    -------
    ProportionResult
        ``estimate``, ``std_error``, ``conf_int`` (the interval), ``p_value`` (None),
        ``to_frame()``, ``summary()``.

    Example
    -------
    >>> r = wilson_interval(81, 263)
    >>> round(r.estimate, 4), [round(v, 4) for v in r.conf_int]
    (0.308, [0.2553, 0.3662])
    """
    low, high = _wilson(successes, n, alpha)
    successes, n = int(successes), int(n)
    p = successes / n
    return ProportionResult(
        successes=successes,
        n=n,
        alpha=float(alpha),
        estimate=p,
        std_error=float(np.sqrt(p * (1 - p) / n)),
        conf_int=(low, high),
    )


def _wilson(successes: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """The Wilson interval ``(low, high)`` of :func:`wilson_interval`, validated."""
    alpha = check_alpha(alpha)
    n = _whole_count(n, "n", low=1)
    successes = _whole_count(successes, "successes", low=0)
    if successes > n:
        raise ArgumentError(
            f"successes must be at most n (a count out of n); got successes = {successes} "
            f"and n = {n}. Check that the arguments are (successes, n) in that order."
        )
    z = stats.norm.isf(alpha / 2.0)
    p = successes / n
    centre = p + z**2 / (2 * n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return float((centre - half) / (1 + z**2 / n)), float((centre + half) / (1 + z**2 / n))


def risk_difference(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    method: str = "newcombe",
    alpha: float = 0.05,
    missing: str = "error",
    condition1=None,
    condition2=None,
) -> EffectResult:
    """Difference in proportions ``p1 - p0`` with a Newcombe (default) or Wald interval.

    - ``method="newcombe"``: the hybrid score interval (Newcombe 1998, Stat. Med.
      17:873-890, method 10) built from the Wilson intervals ``(l1, u1)`` and ``(l0, u0)``:
      ``(d - sqrt((p1-l1)^2 + (u0-p0)^2), d + sqrt((u1-p1)^2 + (p0-l0)^2))``. Its p-value
      is the score test with pooled variance (Pearson's chi-square without continuity
      correction, R's ``prop.test(correct = FALSE)``).
    - ``method="wald"``: ``d -/+ z SE`` with ``SE = sqrt(p1(1-p1)/n1 + p0(1-p0)/n0)`` and
      the p-value of ``z = d / SE``.

    ``std_error`` is the unpooled (Wald) standard error in both cases.

    With ``condition1`` and ``condition2`` (two labels of a treatment column with more
    arms) ``p1`` is the proportion in ``condition2`` and ``p0`` in ``condition1``, on the
    rows of those two arms only (as :func:`evalkit.difference_in_means`).

    Example
    -------
    >>> import pandas as pd, evalkit
    >>> df = pd.DataFrame({"job": [1, 1, 0, 1, 0, 0, 1, 0], "t": [1, 1, 1, 1, 0, 0, 0, 0]})
    >>> evalkit.risk_difference(df, "job", "t").estimate
    0.5
    """
    alpha = check_alpha(alpha)
    check_choice(method, "method", ("newcombe", "wald"))
    a, n1, c, n0 = _counts(data, outcome, treatment, missing, condition1, condition2)
    p1, p0 = a / n1, c / n0
    d = p1 - p0
    se = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    z_crit = stats.norm.isf(alpha / 2.0)
    if method == "wald":
        if se == 0:
            raise DesignError(
                f"the Wald standard error of the risk difference on {outcome!r} is zero (every "
                "proportion is 0 or 1); use method='newcombe'."
            )
        z = d / se
        ci = (d - z_crit * se, d + z_crit * se)
        label = "Risk difference, Wald interval"
    else:
        pooled = (a + c) / (n1 + n0)
        if pooled in (0.0, 1.0):
            raise DesignError(
                f"outcome {outcome!r} takes one value in both arms ({a + c} of {n1 + n0} have "
                "it); there is no difference to test."
            )
        z = d / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
        l1, u1 = _wilson(a, n1, alpha)
        l0, u0 = _wilson(c, n0, alpha)
        ci = (d - np.hypot(p1 - l1, u0 - p0), d + np.hypot(u1 - p1, p0 - l0))
        label = "Risk difference, Newcombe hybrid score interval, score test"
    return _result(
        d,
        se,
        ci,
        2 * stats.norm.sf(abs(z)),
        z,
        n1,
        n0,
        label + contrast_text(condition1, condition2).replace(" (", "; ").rstrip(")"),
        outcome,
        treatment,
        alpha,
        "difference",
        conditions_of(condition1, condition2),
    )


def risk_ratio(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    alpha: float = 0.05,
    missing: str = "error",
) -> EffectResult:
    """Ratio of proportions ``p1 / p0`` with the log-scale Wald interval.

    ``SE(log RR) = sqrt(1/a - 1/n1 + 1/c - 1/n0)`` (Katz et al. 1978); interval
    ``exp(log RR -/+ z SE)``; p-value of ``z = log RR / SE``. ``std_error`` is that of
    ``log RR``. Needs at least one event in each arm.

    Example
    -------
    >>> import pandas as pd, evalkit
    >>> df = pd.DataFrame({"job": [1, 1, 0, 1, 0, 0, 1, 0], "t": [1, 1, 1, 1, 0, 0, 0, 0]})
    >>> evalkit.risk_ratio(df, "job", "t").estimate
    3.0
    """
    alpha = check_alpha(alpha)
    a, n1, c, n0 = _counts(data, outcome, treatment, missing)
    if a == 0 or c == 0:
        raise DesignError(
            f"the risk ratio on {outcome!r} needs an event in each arm (treated {a} of {n1}, "
            f"control {c} of {n0}); use risk_difference or fisher_exact."
        )
    rr = (a / n1) / (c / n0)
    se = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    if se == 0:
        raise DesignError(
            f"every unit in both arms has outcome {outcome!r}; the risk ratio is 1 with no "
            "uncertainty to estimate."
        )
    return _log_wald(
        rr, se, n1, n0, "Risk ratio, log-scale Wald interval", outcome, treatment, alpha
    )


def _log_wald(ratio, se, n1, n0, method, outcome, treatment, alpha):
    z_crit = stats.norm.isf(alpha / 2.0)
    z = np.log(ratio) / se
    ci = (ratio * np.exp(-z_crit * se), ratio * np.exp(z_crit * se))
    return _result(
        ratio,
        se,
        ci,
        2 * stats.norm.sf(abs(z)),
        z,
        n1,
        n0,
        method,
        outcome,
        treatment,
        alpha,
        "ratio",
    )


def odds_ratio(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    method: str = "woolf",
    alpha: float = 0.05,
    missing: str = "error",
) -> EffectResult:
    """Odds ratio ``(a d) / (b c)`` with Woolf's interval (default) or the conditional MLE.

    - ``method="woolf"``: ``SE(log OR) = sqrt(1/a + 1/b + 1/c + 1/d)`` (Woolf 1955),
      interval ``exp(log OR -/+ z SE)``, p-value of ``z = log OR / SE``; needs no empty cell.
    - ``method="conditional"``: the conditional maximum-likelihood estimate with its exact
      interval and Fisher's two-sided p-value, as R's ``fisher.test`` (no standard error).

    Example
    -------
    >>> import pandas as pd, evalkit
    >>> df = pd.DataFrame({"job": [1, 1, 0, 1, 0, 0, 1, 0], "t": [1, 1, 1, 1, 0, 0, 0, 0]})
    >>> evalkit.odds_ratio(df, "job", "t").estimate
    9.0
    """
    alpha = check_alpha(alpha)
    check_choice(method, "method", ("woolf", "conditional"))
    a, n1, c, n0 = _counts(data, outcome, treatment, missing)
    if method == "conditional":
        return _conditional(
            a,
            n1,
            c,
            n0,
            outcome,
            treatment,
            alpha,
            "Odds ratio, conditional MLE, exact interval, Fisher's exact test",
        )
    b, d = n1 - a, n0 - c
    if min(a, b, c, d) == 0:
        raise DesignError(
            f"Woolf's odds ratio on {outcome!r} needs four non-empty cells (treated {a} with, "
            f"{b} without; control {c} with, {d} without); use method='conditional'."
        )
    se = np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return _log_wald(
        a * d / (b * c),
        se,
        n1,
        n0,
        "Odds ratio, Woolf (log-scale Wald) interval",
        outcome,
        treatment,
        alpha,
    )


def fisher_exact(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    alpha: float = 0.05,
    missing: str = "error",
) -> EffectResult:
    """Fisher's exact test of no effect on a binary outcome, as R's ``fisher.test``.

    The two-sided p-value sums the hypergeometric probabilities of all tables (with the
    observed margins) no more likely than the observed one (relative tolerance 1e-7, as R).
    The estimate is the conditional MLE of the odds ratio with its exact (Cornfield)
    interval; there is no standard error.

    Example
    -------
    >>> import pandas as pd, evalkit
    >>> df = pd.DataFrame({"job": [1, 1, 0, 1, 0, 0, 1, 0], "t": [1, 1, 1, 1, 0, 0, 0, 0]})
    >>> round(evalkit.fisher_exact(df, "job", "t").p_value, 4)
    0.4857
    """
    alpha = check_alpha(alpha)
    a, n1, c, n0 = _counts(data, outcome, treatment, missing)
    return _conditional(
        a, n1, c, n0, outcome, treatment, alpha, "Fisher's exact test, conditional MLE odds ratio"
    )


def _conditional(a, n1, c, n0, outcome, treatment, alpha, method):
    table = np.array([[a, n1 - a], [c, n0 - c]])
    if table.sum(axis=0).min() == 0:
        raise DesignError(
            f"outcome {outcome!r} takes one value in both arms; there is no difference to test."
        )
    result = _scipy_odds_ratio(table, kind="conditional")
    ci = result.confidence_interval(confidence_level=1 - alpha)
    p_value = stats.fisher_exact(table, alternative="two-sided").pvalue
    return _result(
        result.statistic,
        None,
        (ci.low, ci.high),
        p_value,
        None,
        n1,
        n0,
        method,
        outcome,
        treatment,
        alpha,
        "ratio",
    )
