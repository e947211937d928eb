"""Analytic power, minimum detectable effects and sample sizes for two-arm trials.

Arms may differ in size (JobFirst: 178 treated, 172 controls). Designs enter through
**design effects** applied to the number of persons in each arm:

    n_eff = n (1 - attrition) / DEFF,   DEFF = (1 - R^2) (1 + (m - 1) ICC),

where ``R^2`` is the share of the outcome variance explained by baseline covariates
(regression adjustment shrinks the variance by ``1 - R^2``), ``m`` the persons per
cluster with intra-cluster correlation ``ICC`` (Kish 1965; Donner & Klar 2000), and
``attrition`` the share of persons without an outcome. Blocking on a prognostic
variable enters as its ``R^2``.

Proportions (Cohen 1988, *Statistical Power Analysis*, ch. 6; Fleiss, Levin & Paik 2003,
sec. 4.2) and means (Cohen 1988, ch. 2) are treated in :func:`power_proportions` and
:func:`power_means`; :func:`minimum_detectable_effect` and :func:`n_for_power` solve the
same equations for the effect or the sample size. Every function matches its R
counterpart (``power.prop.test``, ``power.t.test``, ``pwr::pwr.2p2n.test``,
``pwr::pwr.t2n.test``) on the committed references in ``tests/reference/inference.json``.
"""

from __future__ import annotations

import html
import math
import numbers
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import power_proportions_2indep

from .._validation import check_alpha, check_choice
from ..errors import ArgumentError, DesignError
from ..results import SummaryDisplay

__all__ = [
    "MinimumDetectableEffect",
    "PowerResult",
    "SampleSize",
    "minimum_detectable_effect",
    "n_for_power",
    "power_means",
    "power_proportions",
]

ALTERNATIVES = ("two-sided", "greater", "less")
PROPORTION_METHODS = ("pooled", "cohen_h")


# --------------------------------------------------------------------------- checks
def _number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentError(f"{name} must be a number; got {value!r}.")
    value = float(value)
    if not math.isfinite(value):
        raise ArgumentError(f"{name} must be finite; got {value!r}.")
    return value


def _proportion(value, name: str) -> float:
    value = _number(value, name)
    if not 0.0 < value < 1.0:
        raise ArgumentError(f"{name} must be a proportion strictly between 0 and 1; got {value}.")
    return value


def _size(value, name: str, minimum: float = 1.0) -> float:
    value = _number(value, name)
    if value < minimum:
        raise ArgumentError(f"{name} must be at least {minimum:g}; got {value:g}.")
    return value


def _target_power(power, alpha: float) -> float:
    power = _number(power, "power")
    if not alpha < power < 1.0:
        raise ArgumentError(
            f"power must lie strictly between alpha ({alpha:g}) and 1; got {power:g}. A "
            "power of 1 needs an infinite trial, and a power at or below alpha is what a "
            "test has with no effect at all."
        )
    return power


@dataclass(frozen=True)
class _DesignEffects:
    r2: float = 0.0
    icc: float = 0.0
    cluster_size: float = 1.0
    attrition: float = 0.0

    @property
    def deff(self) -> float:
        return (1.0 - self.r2) * (1.0 + (self.cluster_size - 1.0) * self.icc)

    def effective(self, n: float) -> float:
        return n * (1.0 - self.attrition) / self.deff

    def df(self, n_treated: float, n_control: float) -> float:
        """Degrees of freedom of the t test: persons - 2, or clusters - 2 with clusters."""
        kept = (n_treated + n_control) * (1.0 - self.attrition)
        if self.cluster_size > 1:
            return (n_treated + n_control) / self.cluster_size - 2.0
        return kept - 2.0

    def text(self) -> str:
        parts = []
        if self.r2:
            parts.append(f"R^2 {self.r2:g}")
        if self.cluster_size > 1:
            parts.append(f"clusters of {self.cluster_size:g}, ICC {self.icc:g}")
        if self.attrition:
            parts.append(f"attrition {self.attrition:g}")
        return ", ".join(parts) if parts else "none"


def _effects(r2, icc, cluster_size, attrition) -> _DesignEffects:
    r2 = _number(r2, "r2")
    if not 0.0 <= r2 < 1.0:
        raise ArgumentError(f"r2 (covariate R^2) must be in [0, 1); got {r2:g}.")
    icc = _number(icc, "icc")
    if not 0.0 <= icc <= 1.0:
        raise ArgumentError(f"icc must be in [0, 1]; got {icc:g}.")
    cluster_size = _size(cluster_size, "cluster_size")
    attrition = _number(attrition, "attrition")
    if not 0.0 <= attrition < 1.0:
        raise ArgumentError(f"attrition must be a share in [0, 1); got {attrition:g}.")
    return _DesignEffects(r2, icc, cluster_size, attrition)


def _strict(strict, default: bool) -> bool:
    if strict is None:
        return default
    if not isinstance(strict, bool):
        raise ArgumentError(f"strict must be True, False or None; got {strict!r}.")
    return strict


# --------------------------------------------------------------------------- formulas
def _pooled_power(p0, p1, n1, n0, alpha, alternative, strict):
    """Normal approximation with pooled null variance (power.prop.test, unequal arms).

    statsmodels' ``power_proportions_2indep`` computes this power (pooled null variance
    ``pbar = (p1 + r p0) / (1 + r)``, ``r = n0 / n1``; both tails two-sided); the one-tail
    two-sided power (R's default ``strict = FALSE``) is its one-sided power at ``alpha / 2``
    towards the effect.
    """
    d = p1 - p0
    if alternative == "two-sided" and not strict:
        alpha, alternative = alpha / 2.0, ("greater" if d >= 0 else "less")
    side = {"two-sided": "two-sided", "greater": "larger", "less": "smaller"}[alternative]
    power = power_proportions_2indep(
        d, p0, n1, ratio=n0 / n1, alpha=alpha, alternative=side, return_results=False
    )
    return _checked(power)


def _h_power(h, n1, n0, alpha, alternative, strict):
    """Arcsine (Cohen's h) power, as pwr::pwr.2p2n.test: statsmodels' NormalIndPower."""
    if alternative == "two-sided" and not strict:
        alpha, alternative, h = alpha / 2.0, "greater", abs(h)
    side = {"two-sided": "two-sided", "greater": "larger", "less": "smaller"}[alternative]
    return _checked(_NORMAL.power(h, n1, alpha, ratio=n0 / n1, alternative=side))


_NORMAL = NormalIndPower()


def _checked(power) -> float:
    power = float(power)
    if not 0.0 <= power <= 1.0:  # also NaN
        raise DesignError(f"the power could not be computed for this design (got {power!r}).")
    return power


def _t_tail(q: float, df: float, ncp: float) -> float:
    """P(T' > q) for q > 0 and the noncentral t T'(df, ncp).

    scipy's noncentral t is NaN or wrong far in the lower tail (ncp < 0 here: the wrong
    direction): ``stats.nct.cdf(-1.99, 88, 19.3)`` is NaN and ``stats.nct.sf(2.23, 10,
    -19)`` 0 where the true value is 3e-89. Both are at most ``min(P(T > q), Phi(ncp))``
    (T' needs ``Z + ncp > 0`` to exceed q > 0, and a negative ncp only shifts it down),
    so they are bounded by that and a NaN is 0: the error is then below 1e-12 absolute,
    where the tail adds nothing to a power (checked against numerical integration over
    the chi-square, tests/test_power.py).
    """
    tail = float(stats.nct.sf(q, df, ncp))
    if ncp >= 0:
        return tail
    if not np.isfinite(tail):
        tail = 0.0
    return min(max(tail, 0.0), float(stats.t.sf(q, df)), float(stats.norm.cdf(ncp)))


def _t_power(d, n1, n0, df, alpha, alternative, strict):
    """Noncentral t power of the pooled two-sample t test (power.t.test, pwr.t2n.test)."""
    if df <= 0:
        raise DesignError(f"too few persons (or clusters) for a t test: df = {df:g}.")
    ncp = d * math.sqrt(n1 * n0 / (n1 + n0))
    if alternative == "two-sided":
        q = stats.t.isf(alpha / 2.0, df)
        power = _t_tail(q, df, abs(ncp))
        if strict:
            power += _t_tail(q, df, -abs(ncp))
        return _checked(min(power, 1.0))
    q = stats.t.isf(alpha, df)
    sign = 1.0 if alternative == "greater" else -1.0
    return _checked(_t_tail(q, df, sign * ncp))


def cohen_h(p_treated: float, p_control: float) -> float:
    """Cohen's (1988) effect size for proportions, ``h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p0))``."""
    return 2.0 * math.asin(math.sqrt(p_treated)) - 2.0 * math.asin(math.sqrt(p_control))


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class PowerResult(SummaryDisplay):
    """The power of a two-arm comparison.

    Attributes
    ----------
    power : probability of rejecting no effect at level ``alpha`` when the effect is true.
    effect : the assumed effect (difference treated minus control).
    effect_size : Cohen's h (proportions, ``method="cohen_h"``), the standardized
        difference ``delta / sd`` (means) or the difference (proportions, pooled).
    n_treated, n_control : planned persons per arm; ``n_eff_treated``, ``n_eff_control``
        after the design effects.
    alpha, alternative, method, strict : the test; ``design_effects`` in words.
    """

    power: float
    effect: float
    effect_size: float
    n_treated: float
    n_control: float
    n_eff_treated: float
    n_eff_control: float
    alpha: float
    alternative: str
    method: str
    strict: bool
    design_effects: str

    def __float__(self) -> float:
        return self.power

    def summary(self) -> str:
        return (
            f"Power {self.power:.4f} ({self.method}, {self.alternative}, alpha {self.alpha:g})\n"
            f"Effect {self.effect:.6g} (effect size {self.effect_size:.4g}); treated "
            f"{self.n_treated:g}, control {self.n_control:g} (effective {self.n_eff_treated:.4g}"
            f" / {self.n_eff_control:.4g}; design effects: {self.design_effects})"
        )


@dataclass(frozen=True)
class MinimumDetectableEffect(SummaryDisplay):
    """The smallest effect a design detects with the given power.

    Attributes
    ----------
    effect : the minimum detectable effect as a difference: ``p1 - p0`` above the
        baseline (proportions) or in outcome units (means; in SD units without ``sd``).
    effect_size : Cohen's h (proportions by ``"cohen_h"``) or ``effect / sd`` (means).
    baseline, treated_value : ``p0`` and ``p1 = p0 + effect`` (proportions), else None.
    power, alpha, alternative, method, n_treated, n_control, design_effects : the design.
    """

    effect: float
    effect_size: float
    baseline: float | None
    treated_value: float | None
    power: float
    alpha: float
    alternative: str
    method: str
    n_treated: float
    n_control: float
    design_effects: str

    def __float__(self) -> float:
        return self.effect

    def summary(self) -> str:
        if self.baseline is not None:
            what = (
                f"{self.effect:.4g} ({100 * self.baseline:.3g}% -> {100 * self.treated_value:.3g}%)"
            )
        else:
            what = f"{self.effect:.4g}"
        return (
            f"Minimum detectable effect {what}; effect size {self.effect_size:.4g} ({self.method})"
            f"\nPower {self.power:g}, alpha {self.alpha:g} {self.alternative}; treated "
            f"{self.n_treated:g}, control {self.n_control:g}; design effects: "
            f"{self.design_effects}"
        )


@dataclass(frozen=True)
class SampleSize:
    """Persons needed per arm for the target power.

    Attributes
    ----------
    n_treated, n_control : whole persons (rounded up).
    n_treated_exact, n_control_exact : the continuous solution (as R's ``power.*.test``).
    power : the power reached with the rounded sizes.
    effect, ratio, alpha, alternative, method, design_effects : the design.
    """

    n_treated: int
    n_control: int
    n_treated_exact: float
    n_control_exact: float
    power: float
    effect: float
    ratio: float
    alpha: float
    alternative: str
    method: str
    design_effects: str

    @property
    def n_total(self) -> int:
        return self.n_treated + self.n_control

    def summary(self) -> str:
        return (
            f"Sample size: {self.n_treated} treated + {self.n_control} controls = "
            f"{self.n_total} (exact {self.n_treated_exact:.2f} + {self.n_control_exact:.2f}); "
            f"power {self.power:.4f} for effect {self.effect:.4g} ({self.method}, "
            f"{self.alternative}, alpha {self.alpha:g}; design effects: {self.design_effects})"
        )

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<p>" + html.escape(self.summary()) + "</p>"


# --------------------------------------------------------------------------- power
def power_proportions(
    p_control: float,
    p_treated: float,
    n_treated: float,
    n_control: float,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    method: str = "pooled",
    strict: bool | None = None,
    r2: float = 0.0,
    icc: float = 0.0,
    cluster_size: float = 1.0,
    attrition: float = 0.0,
) -> PowerResult:
    """Power to detect a difference between two proportions, arms of any size.

    ``method="pooled"`` (default; R's ``power.prop.test`` generalised to unequal arms):
    the z test of ``d = p1 - p0`` with the pooled variance under the null and the
    unpooled one under the alternative (Fleiss, Levin & Paik 2003, eq. 4.14):

        power = Phi((|d| - z_{1-alpha/2} SE0) / SE1),
        SE0^2 = pbar (1 - pbar) (1/n1 + 1/n0),  pbar = (n1 p1 + n0 p0) / (n1 + n0),
        SE1^2 = p1 (1 - p1) / n1 + p0 (1 - p0) / n0.

    With ``n1 = n0`` this is exactly ``power.prop.test``. ``strict=True`` adds the
    (tiny) probability of rejecting in the wrong direction, as ``strict = TRUE`` in R.

    ``method="cohen_h"`` (``pwr::pwr.2p2n.test``): the arcsine transformation with
    Cohen's ``h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p0))`` (Cohen 1988, ch. 6):

        power = Phi(|h| sqrt(n1 n0 / (n1 + n0)) - z_{1-alpha/2})  (+ the other tail),

    counting both tails by default, as pwr does (``strict=False`` drops the other tail).

    One-sided: ``"greater"`` (treated higher) and ``"less"`` use ``z_{1-alpha}`` and the
    signed difference. ``n1``, ``n0`` are persons before the design effects ``r2``,
    ``icc`` with ``cluster_size``, and ``attrition`` (see :mod:`evalkit.design.power`).

    Example
    -------
    >>> round(power_proportions(0.14, 0.24, 175, 175).power, 4)
    0.6657
    >>> round(power_proportions(0.14, 0.24, 178, 172, method="cohen_h").power, 4)
    0.6712
    """
    alpha = check_alpha(alpha)
    check_choice(alternative, "alternative", ALTERNATIVES)
    check_choice(method, "method", PROPORTION_METHODS)
    p0 = _proportion(p_control, "p_control")
    p1 = _proportion(p_treated, "p_treated")
    n1, n0 = _size(n_treated, "n_treated"), _size(n_control, "n_control")
    effects = _effects(r2, icc, cluster_size, attrition)
    e1, e0 = effects.effective(n1), effects.effective(n0)
    strict = _strict(strict, default=method == "cohen_h")
    if method == "pooled":
        power = _pooled_power(p0, p1, e1, e0, alpha, alternative, strict)
        size, label = p1 - p0, "z test, pooled null variance (power.prop.test)"
    else:
        size = cohen_h(p1, p0)
        power = _h_power(size, e1, e0, alpha, alternative, strict)
        label = "arcsine, Cohen's h (pwr.2p2n.test)"
    return PowerResult(
        power, p1 - p0, size, n1, n0, e1, e0, alpha, alternative, label, strict, effects.text()
    )


def power_means(
    delta: float,
    sd: float,
    n_treated: float,
    n_control: float,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    strict: bool = False,
    r2: float = 0.0,
    icc: float = 0.0,
    cluster_size: float = 1.0,
    attrition: float = 0.0,
) -> PowerResult:
    """Power of the two-sample t test for a difference in means ``delta``, arms of any size.

    With ``d = delta / sd`` (Cohen's d), ``df = n1 + n0 - 2`` and noncentrality
    ``ncp = d sqrt(n1 n0 / (n1 + n0))`` (Cohen 1988, ch. 2):

        power = P(T'(df, ncp) > t_{1-alpha/2, df})  (+ P(T' < -t_{1-alpha/2, df}) if strict),

    with ``T'`` noncentral t. With ``n1 = n0 = n`` this is R's ``power.t.test(n, delta,
    sd)`` (``df = 2 (n - 1)``, ``ncp = sqrt(n/2) delta/sd``); with ``strict=True`` it is
    ``pwr::pwr.t2n.test(n1, n2, d)`` for any arms. One-sided alternatives use
    ``t_{1-alpha}`` and the signed ``delta``. Design effects (``r2``, ``icc``,
    ``cluster_size``, ``attrition``) scale the arm sizes as in :mod:`evalkit.design.power`;
    with clusters the degrees of freedom are clusters - 2.

    Example
    -------
    >>> round(power_means(0.3, 1, 175, 175).power, 4)
    0.7991
    """
    alpha = check_alpha(alpha)
    check_choice(alternative, "alternative", ALTERNATIVES)
    delta = _number(delta, "delta")
    sd = _number(sd, "sd")
    if not sd > 0:
        raise ArgumentError(f"sd must be positive; got {sd:g}.")
    n1, n0 = _size(n_treated, "n_treated", 2), _size(n_control, "n_control", 2)
    effects = _effects(r2, icc, cluster_size, attrition)
    e1, e0 = effects.effective(n1), effects.effective(n0)
    strict = _strict(strict, default=False)
    d = delta / sd
    power = _t_power(d, e1, e0, effects.df(n1, n0), alpha, alternative, strict)
    return PowerResult(
        power,
        delta,
        d,
        n1,
        n0,
        e1,
        e0,
        alpha,
        alternative,
        "two-sample t test, noncentral t",
        strict,
        effects.text(),
    )


# --------------------------------------------------------------------------- solving
def _solve_increasing(f, target: float, low: float, high: float, what: str) -> float:
    """Root of an increasing f(x) = target on [low, high] (brentq, tolerance 1e-12)."""
    f_low, f_high = f(low) - target, f(high) - target
    if f_low > 0:
        return low
    if f_high < 0:
        raise DesignError(what)
    return float(optimize.brentq(lambda x: f(x) - target, low, high, xtol=1e-13, rtol=1e-13))


def minimum_detectable_effect(
    n_treated: float,
    n_control: float,
    baseline: float | None = None,
    outcome: str = "proportion",
    sd: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    alternative: str = "two-sided",
    method: str = "cohen_h",
    strict: bool | None = None,
    r2: float = 0.0,
    icc: float = 0.0,
    cluster_size: float = 1.0,
    attrition: float = 0.0,
) -> MinimumDetectableEffect:
    """The smallest true effect detected with probability ``power`` at level ``alpha``.

    - ``outcome="proportion"`` (needs ``baseline``, the control proportion ``p0``): by
      default Cohen's ``h`` solving the power equation of ``pwr::pwr.2p2n.test`` (both
      tails), turned into a difference above the baseline:
      ``p1 = sin(asin(sqrt(p0)) + h/2)^2``, ``effect = p1 - p0``. ``method="pooled"``
      solves :func:`power_proportions`' pooled equation for ``p1 > p0`` instead.
    - ``outcome="mean"``: the ``d`` solving :func:`power_means` (noncentral t;
      ``strict=False`` as ``power.t.test`` by default, ``strict=True`` as
      ``pwr.t2n.test``); ``effect = d sd`` (in SD units without ``sd``).

    Design effects (``r2``, ``icc`` with ``cluster_size``, ``attrition``) shrink the
    effective sample as in :mod:`evalkit.design.power`, which raises the MDE by about
    ``sqrt(DEFF / (1 - attrition))``. A baseline so close to 1 that no proportion above it
    reaches the power is an error.

    Example
    -------
    >>> mde = minimum_detectable_effect(178, 172, baseline=0.14)
    >>> round(mde.effect_size, 4), round(mde.effect, 4)
    (0.2995, 0.1184)
    """
    alpha = check_alpha(alpha)
    power = _target_power(power, alpha)
    check_choice(outcome, "outcome", ("proportion", "mean"))
    check_choice(alternative, "alternative", ALTERNATIVES)
    n1, n0 = _size(n_treated, "n_treated", 2), _size(n_control, "n_control", 2)
    effects = _effects(r2, icc, cluster_size, attrition)
    e1, e0 = effects.effective(n1), effects.effective(n0)
    sign = -1.0 if alternative == "less" else 1.0
    if outcome == "mean":
        if baseline is not None:
            raise ArgumentError("baseline= is for proportions; a mean needs sd= (or none).")
        sd_value = 1.0 if sd is None else _number(sd, "sd")
        if not sd_value > 0:
            raise ArgumentError(f"sd must be positive; got {sd_value:g}.")
        strict_value = _strict(strict, default=False)
        df = effects.df(n1, n0)
        d = _solve_increasing(
            lambda x: _t_power(sign * x, e1, e0, df, alpha, alternative, strict_value),
            power,
            1e-12,
            1e3,
            "no effect is detectable with this design (too few persons for a t test).",
        )
        return MinimumDetectableEffect(
            d * sd_value,
            d,
            None,
            None,
            power,
            alpha,
            alternative,
            "two-sample t test, noncentral t",
            n1,
            n0,
            effects.text(),
        )
    if baseline is None:
        raise ArgumentError("a proportion's minimum detectable effect needs baseline= (p0).")
    if sd is not None:
        raise ArgumentError("sd= is for means; a proportion's variance follows from baseline.")
    check_choice(method, "method", PROPORTION_METHODS)
    p0 = _proportion(baseline, "baseline")
    strict_value = _strict(strict, default=method == "cohen_h")
    if alternative == "less":
        raise ArgumentError(
            "the minimum detectable effect of a proportion is reported above the baseline; "
            "use alternative='two-sided' or 'greater' (for a fall, pass 1 - baseline)."
        )
    if method == "cohen_h":
        h_max = math.pi - 2.0 * math.asin(math.sqrt(p0))  # p1 -> 1
        h = _solve_increasing(
            lambda x: _h_power(x, e1, e0, alpha, alternative, strict_value),
            power,
            1e-12,
            2.0 * math.pi,
            "no effect is detectable with this design at this power.",
        )
        if h >= h_max:
            raise DesignError(
                f"with baseline {p0:g} no proportion above it is detectable with power "
                f"{power:g}: the effect would need Cohen's h = {h:.3g}, beyond p1 = 1 "
                f"(h = {h_max:.3g}). Use more persons or a lower power."
            )
        p1 = math.sin(math.asin(math.sqrt(p0)) + h / 2.0) ** 2
        label, size = "arcsine, Cohen's h (pwr.2p2n.test)", h
    else:
        top = 1.0 - 1e-12
        d = _solve_increasing(
            lambda x: _pooled_power(p0, p0 + x, e1, e0, alpha, alternative, strict_value),
            power,
            1e-12,
            top - p0,
            f"with baseline {p0:g} no proportion above it is detectable with power {power:g}.",
        )
        p1 = p0 + d
        label, size = "z test, pooled null variance (power.prop.test)", d
    return MinimumDetectableEffect(
        p1 - p0, size, p0, p1, power, alpha, alternative, label, n1, n0, effects.text()
    )


def n_for_power(
    effect: float,
    baseline: float | None = None,
    outcome: str = "proportion",
    sd: float | None = None,
    ratio: float = 1.0,
    alpha: float = 0.05,
    power: float = 0.8,
    alternative: str = "two-sided",
    method: str = "pooled",
    strict: bool | None = None,
    r2: float = 0.0,
    icc: float = 0.0,
    cluster_size: float = 1.0,
    attrition: float = 0.0,
) -> SampleSize:
    """Persons per arm needed to detect ``effect`` with probability ``power``.

    Solves :func:`power_proportions` (``outcome="proportion"``: ``p0 = baseline``,
    ``p1 = baseline + effect``; ``method`` as there, pooled by default as
    ``power.prop.test``) or :func:`power_means` (``outcome="mean"``: ``delta = effect``,
    ``sd`` default 1) for ``n_control`` with ``n_treated = ratio * n_control``. The
    continuous solution (``n_control_exact``) equals R's ``power.prop.test(p1, p2, power)$n``
    and ``power.t.test(delta, sd, power)$n`` when ``ratio = 1``; the whole-person sizes
    are rounded up. Design effects inflate the sizes as in :mod:`evalkit.design.power`.

    Example
    -------
    >>> n = n_for_power(0.10, baseline=0.14)
    >>> n.n_treated, n.n_control, round(n.n_control_exact, 2)
    (241, 241, 240.41)
    """
    alpha = check_alpha(alpha)
    power = _target_power(power, alpha)
    check_choice(outcome, "outcome", ("proportion", "mean"))
    check_choice(alternative, "alternative", ALTERNATIVES)
    effect = _number(effect, "effect")
    if effect == 0:
        raise DesignError("an effect of 0 cannot be detected at any sample size.")
    ratio = _number(ratio, "ratio")
    if not ratio > 0:
        raise ArgumentError(f"ratio (n_treated / n_control) must be positive; got {ratio:g}.")
    effects = _effects(r2, icc, cluster_size, attrition)
    wrong_way = (alternative == "greater" and effect < 0) or (alternative == "less" and effect > 0)
    if wrong_way:
        raise DesignError(
            f"an effect of {effect:g} cannot be detected by a one-sided test of "
            f"alternative={alternative!r} at any sample size."
        )
    if outcome == "proportion":
        if baseline is None:
            raise ArgumentError("a proportion's sample size needs baseline= (p0).")
        check_choice(method, "method", PROPORTION_METHODS)
        p0 = _proportion(baseline, "baseline")
        p1 = _proportion(p0 + effect, "baseline + effect")
        strict_value = _strict(strict, default=method == "cohen_h")
        if method == "pooled":

            def power_at(n1, n0):
                return _pooled_power(
                    p0,
                    p1,
                    effects.effective(n1),
                    effects.effective(n0),
                    alpha,
                    alternative,
                    strict_value,
                )

            label = "z test, pooled null variance (power.prop.test)"
        else:
            h = cohen_h(p1, p0)

            def power_at(n1, n0):
                return _h_power(
                    h,
                    effects.effective(n1),
                    effects.effective(n0),
                    alpha,
                    alternative,
                    strict_value,
                )

            label = "arcsine, Cohen's h (pwr.2p2n.test)"
        low = 1.0
    else:
        if baseline is not None:
            raise ArgumentError("baseline= is for proportions; a mean needs sd= (or none).")
        sd_value = 1.0 if sd is None else _number(sd, "sd")
        if not sd_value > 0:
            raise ArgumentError(f"sd must be positive; got {sd_value:g}.")
        strict_value = _strict(strict, default=False)
        d = effect / sd_value

        def power_at(n1, n0):
            return _t_power(
                d,
                effects.effective(n1),
                effects.effective(n0),
                effects.df(n1, n0),
                alpha,
                alternative,
                strict_value,
            )

        label = "two-sample t test, noncentral t"
        # The search starts where R's does (power.t.test: n >= 2 per arm): at df = 2 and
        # 2 persons in each arm. Below df = 2 the power is not monotone: as df -> 0 the
        # critical value explodes with the noncentral t and the "power" climbs back to 1
        # (n_for_power(0.5, outcome="mean", power=0.6) found n = 1 instead of R's 40.17).
        if effects.cluster_size > 1:
            df2 = 4.0 * effects.cluster_size / (1.0 + ratio)  # 4 clusters: df = 2
        else:
            df2 = 4.0 / ((1.0 + ratio) * (1.0 - effects.attrition))
        low = max(2.0, 2.0 / ratio, df2)
    n0 = _solve_increasing(
        lambda n: power_at(ratio * n, n),
        power,
        low,
        1e9,
        "the effect cannot be detected with any sample size up to 1e9.",
    )
    n1 = ratio * n0
    whole1, whole0 = math.ceil(n1 - 1e-9), math.ceil(n0 - 1e-9)
    return SampleSize(
        whole1,
        whole0,
        n1,
        n0,
        power_at(whole1, whole0),
        effect,
        ratio,
        alpha,
        alternative,
        label,
        effects.text(),
    )


def mde_table(
    n_treated: float,
    n_control: float,
    baselines=(0.05, 0.1, 0.14, 0.2, 0.3, 0.5),
    powers=(0.8, 0.9),
    alpha: float = 0.05,
    **design,
):
    """Minimum detectable differences of a proportion for several baselines and powers.

    A frame with one row per baseline and a column per power, in percentage points
    (``minimum_detectable_effect(..., outcome="proportion")`` with ``design`` passed on).

    Example
    -------
    >>> mde_table(178, 172, baselines=(0.14, 0.3), powers=(0.8,)).round(1)["power 0.8"].tolist()
    [11.8, 14.4]
    """
    import pandas as pd

    rows = {
        b: [
            100
            * minimum_detectable_effect(
                n_treated, n_control, baseline=b, power=p, alpha=alpha, **design
            ).effect
            for p in powers
        ]
        for b in baselines
    }
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=[f"power {p:g}" for p in powers])
    frame.index.name = "baseline"
    # a planning table: computed from assumed sizes and baselines, it counts no persons
    from ..output.declare import declare_table

    return declare_table(frame, counts=[])
