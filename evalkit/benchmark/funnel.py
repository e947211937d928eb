r"""Funnel plots: proportions of many units against a target, with control limits.

A funnel plot (Spiegelhalter 2005, *Stat Med* 24:1185–1202) draws each unit's proportion
:math:`y_i = r_i / n_i` (a municipality's share of its indsatsgruppe in company-based
activity) against its denominator :math:`n_i`, with control limits around the target
:math:`\theta_0` (the national proportion) that narrow as :math:`n` grows. A unit outside
the 95 % limits is a "warning", outside the 99.8 % limits an "alarm"; inside, its
difference from the target is compatible with chance. The plot avoids league tables.

Control limits
--------------
For a limit at probability :math:`p` (:math:`p = 0.025` and :math:`0.975` for the 95 %
limits; :math:`0.001` and :math:`0.999` for 99.8 %):

- ``method="exact"`` (default): binomial limits with Spiegelhalter's interpolation
  (2005, appendix). With :math:`R \sim \mathrm{Bin}(n, \theta_0)` and
  :math:`r_p` the smallest :math:`r` with :math:`P(R \le r) \ge p`,

  .. math:: \alpha = \frac{P(R \le r_p) - p}{P(R \le r_p) - P(R \le r_p - 1)}, \qquad
            y_p = \frac{r_p - \alpha}{n},

  which joins the steps of the discrete quantile into a smooth curve. Limits are clipped
  to [0, 1] (the interpolation can dip below 0 for tiny :math:`n`).
- ``method="normal"``: :math:`\theta_0 \pm z_p \sqrt{\theta_0 (1 - \theta_0) / n}`.

Over-dispersion
---------------
With many large units, true differences between units (case mix, labour markets) make
far more of them fall outside the limits than chance allows. Spiegelhalter (2005;
also *Qual Saf Health Care* 2005, 14:347–351) estimates a multiplicative over-dispersion
factor from the standardised residuals :math:`z_i = (y_i - \theta_0) /
\sqrt{\theta_0 (1 - \theta_0) / n_i}`: the 10 % most extreme :math:`z_i` at each end are
Winsorised (set to the 10th and 90th percentiles) and

.. math:: \hat\phi = \frac{1}{I} \sum_i z_i^{2},

compared with :math:`\chi^2_I / I` (:math:`I - 1` degrees of freedom when the target is
estimated from the same units). When :math:`\hat\phi > 1` the limits become
:math:`\theta_0 \pm z_p \sqrt{\hat\phi\, \theta_0 (1 - \theta_0) / n}` (normal form; the
exact limits are used only without over-dispersion). :math:`\hat\phi \le 1` leaves the
limits unchanged. Over-dispersion is a finding in itself: it says the units differ by
more than chance, and adjusting for it changes the question from "is this unit
different?" to "is this unit unusual among units that all differ?".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ArgumentError, DesignError
from ..output.declare import declare_resting_on, declare_table
from ..results import HypothesisTest
from ._common import (
    ResultMixin,
    as_names,
    check_choice,
    check_share,
    count_array,
    count_dict,
    fmt,
    fmt_p,
    pct,
)

__all__ = [
    "FunnelResult",
    "Overdispersion",
    "estimate_overdispersion",
    "funnel_compare",
    "funnel_limits",
    "funnel_plot",
]

METHODS = ("exact", "normal")


def _check_levels(levels) -> tuple[float, ...]:
    if isinstance(levels, int | float):
        levels = (levels,)
    try:
        values = tuple(float(v) for v in levels)
    except (TypeError, ValueError):
        raise ArgumentError(f"levels must be numbers in (0, 1); got {levels!r}.") from None
    if not values or not all(0.5 < v < 1 for v in values):
        raise ArgumentError(
            f"levels must be coverage probabilities in (0.5, 1) such as 0.95 and 0.998; "
            f"got {levels!r}."
        )
    if len(set(values)) != len(values):
        raise ArgumentError(f"levels are repeated: {levels!r}.")
    return tuple(sorted(values))


def level_tag(level: float) -> str:
    """``0.95 -> "95"``, ``0.998 -> "99.8"`` (column suffixes)."""
    return f"{100 * level:.10g}"


def _exact_limit(n: np.ndarray, theta: float, p: float) -> np.ndarray:
    """Spiegelhalter's interpolated binomial quantile :math:`(r_p - \\alpha) / n`."""
    dist = stats.binom(n, theta)
    r = dist.ppf(p)
    cdf = dist.cdf(r)
    below = dist.cdf(r - 1)
    alpha = (cdf - p) / (cdf - below)
    return (r - alpha) / n


def _phi_value(overdispersion) -> float:
    if overdispersion is None:
        return 1.0
    if isinstance(overdispersion, Overdispersion):
        return overdispersion.phi_used
    if isinstance(overdispersion, bool):
        raise ArgumentError(
            "overdispersion must be None, a factor phi > 0 or an Overdispersion result "
            "(use funnel_compare(..., overdispersion='estimate') to estimate it)."
        )
    try:
        phi = float(overdispersion)
    except (TypeError, ValueError):
        raise ArgumentError(
            f"overdispersion must be None, a factor phi > 0 or an Overdispersion result; got "
            f"{overdispersion!r}."
        ) from None
    if not (math.isfinite(phi) and phi > 0):
        raise ArgumentError(f"the over-dispersion factor phi must be > 0; got {overdispersion!r}.")
    return max(phi, 1.0)


def funnel_limits(
    denominators,
    target: float,
    levels=(0.95, 0.998),
    overdispersion=None,
    method: str = "exact",
) -> pd.DataFrame:
    """Control limits of a funnel plot for proportions at the given denominators.

    Parameters
    ----------
    denominators : positive whole numbers (a grid for drawing, or the units' own ``n``).
    target : the centre line :math:`\\theta_0` in (0, 1) (national or target proportion).
    levels : coverage of the limits; 0.95 and 0.998 as Spiegelhalter (2005) recommends.
    overdispersion : None (no adjustment), a multiplicative factor :math:`\\phi`, or an
        :class:`Overdispersion` result. Factors :math:`\\le 1` leave the limits unchanged;
        with :math:`\\phi > 1` the normal-form limits are widened by :math:`\\sqrt\\phi`.
    method : ``"exact"`` (binomial with Spiegelhalter's interpolation) or ``"normal"``.

    Returns a long frame (``denominator``, ``level``, ``lower``, ``upper``, ``method``,
    ``phi``), the form :func:`evalkit.report.plots.funnel_plot` takes. See the module
    docstring for the formulas.

    Example
    -------
    >>> lim = funnel_limits([100, 400], 0.43, levels=(0.95,))
    >>> lim[["denominator", "lower", "upper"]].round(4).values.tolist()
    [[100.0, 0.3287, 0.5228], [400.0, 0.3804, 0.4774]]
    """
    n = count_array(denominators, "denominators", positive=True)
    theta = check_share(target)
    lv = _check_levels(levels)
    check_choice(method, "method", METHODS)
    phi = _phi_value(overdispersion)
    used = "normal" if (method == "normal" or phi > 1.0) else "exact"
    pieces = []
    for level in lv:
        tail = (1 - level) / 2
        if used == "exact":
            lower = _exact_limit(n, theta, tail)
            upper = _exact_limit(n, theta, 1 - tail)
        else:
            half = stats.norm.isf(tail) * np.sqrt(phi * theta * (1 - theta) / n)
            lower, upper = theta - half, theta + half
        pieces.append(
            pd.DataFrame(
                {
                    "denominator": n,
                    "level": level,
                    "lower": np.clip(lower, 0.0, 1.0),
                    "upper": np.clip(upper, 0.0, 1.0),
                    "method": used if phi == 1.0 else f"normal, phi = {phi:.4g}",
                    "phi": phi,
                }
            )
        )
    return _declare_limits(pd.concat(pieces, ignore_index=True))


def _declare_limits(limits: pd.DataFrame) -> pd.DataFrame:
    """Limits declared for the output gate: the denominators may be the units' own counts
    of persons (and the limits at a denominator give it away), so they are declared
    counts and the limits rest on them."""
    return declare_table(
        limits,
        counts=["denominator"],
        dependent={"lower": ["denominator"], "upper": ["denominator"]},
    )


@dataclass(frozen=True, eq=False)
class Overdispersion(ResultMixin, HypothesisTest):
    """Multiplicative over-dispersion of unit proportions around a target.

    ``phi`` is the Winsorised mean squared z-score (also ``estimate``); ``statistic =
    n_units * phi`` is compared with :math:`\\chi^2_{df}`; ``phi_used`` is ``max(phi, 1)``;
    ``std_error`` and ``conf_int`` are None.
    """

    phi: float
    statistic: float
    df: int
    p_value: float
    n_units: int
    winsorize: float
    z: np.ndarray = field(repr=False)
    z_winsorized: np.ndarray = field(repr=False)
    _counts: dict = field(default_factory=dict, repr=False)

    @property
    def phi_used(self) -> float:
        return max(self.phi, 1.0)

    @property
    def overdispersed(self) -> bool:
        """Whether the chi-square test rejects "no over-dispersion" at the 5 % level."""
        return self.p_value < 0.05

    @property
    def estimate(self) -> float:
        """``phi``."""
        return self.phi

    def _term(self) -> str:
        return "phi"

    def _row_extra(self) -> dict:
        return {"df": self.df, "n_units": self.n_units, "winsorize": self.winsorize}

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Rests on the smallest count of its units (``n_units`` counts units)."""
        return declare_resting_on(frame, self._counts)

    def _header(self) -> list[str]:
        return [
            f"Over-dispersion (Spiegelhalter 2005): phi = {fmt(self.phi, 4)} from {self.n_units} "
            f"units ({100 * self.winsorize:g}% Winsorised z-scores)",
            f"chi-square {fmt(self.statistic, 4)} on {self.df} df, p = {fmt_p(self.p_value)}",
        ]

    def summary(self) -> str:
        verdict = (
            "The units vary more than chance allows: consider widening the limits by "
            f"sqrt(phi) = {math.sqrt(self.phi_used):.3g}."
            if self.overdispersed
            else "No evidence of over-dispersion."
        )
        return "\n".join(self._header() + [verdict])


def _z_scores(r: np.ndarray, n: np.ndarray, theta: float) -> np.ndarray:
    return (r / n - theta) / np.sqrt(theta * (1 - theta) / n)


def estimate_overdispersion(
    successes,
    denominators,
    target: float,
    winsorize: float = 0.10,
    target_from_data: bool = False,
) -> Overdispersion:
    """Spiegelhalter's (2005) multiplicative over-dispersion factor :math:`\\hat\\phi`.

    :math:`z_i = (y_i - \\theta_0)/\\sqrt{\\theta_0(1-\\theta_0)/n_i}`; the lowest and
    highest ``winsorize`` fractions are set to the ``winsorize`` and ``1 - winsorize``
    quantiles (linear interpolation, R's type 7); :math:`\\hat\\phi = I^{-1}\\sum z_i^2`;
    :math:`I\\hat\\phi \\sim \\chi^2_I` without over-dispersion (:math:`I - 1` df when
    ``target_from_data``).

    Example
    -------
    >>> od = estimate_overdispersion([20, 50, 80, 45], [100, 100, 100, 100], 0.5)
    >>> round(od.phi, 3), od.overdispersed
    (9.723, True)
    """
    r = count_array(successes, "successes")
    n = count_array(denominators, "denominators", positive=True)
    if r.size != n.size:
        raise ArgumentError(f"successes has {r.size} values but denominators {n.size}.")
    if (r > n).any():
        raise ArgumentError("successes cannot exceed denominators.")
    theta = check_share(target)
    try:
        w = float(winsorize)
    except (TypeError, ValueError):
        raise ArgumentError(
            f"winsorize must be a fraction in [0, 0.5); got {winsorize!r}."
        ) from None
    if not 0.0 <= w < 0.5:
        raise ArgumentError(f"winsorize must be a fraction in [0, 0.5); got {winsorize!r}.")
    df = r.size - (1 if target_from_data else 0)
    if df < 1:
        raise DesignError("over-dispersion needs at least two units.")
    z = _z_scores(r, n, theta)
    if w > 0:
        low, high = np.quantile(z, [w, 1 - w])
        zw = np.clip(z, low, high)
    else:
        zw = z.copy()
    phi = float(np.mean(zw**2))
    statistic = r.size * phi
    return Overdispersion(
        phi=phi,
        statistic=float(statistic),
        df=int(df),
        p_value=float(stats.chi2.sf(statistic, df)),
        n_units=int(r.size),
        winsorize=w,
        z=z,
        z_winsorized=zw,
        _counts=count_dict([f"unit {i + 1}" for i in range(r.size)], r, n),
    )


@dataclass(frozen=True, eq=False)
class FunnelResult(ResultMixin):
    """Units against funnel limits: which are outside, and the limits to draw.

    ``units`` has one row per unit: unit, successes, denominator, proportion, z (with the
    binomial variance at the target), and for each level ``lower_<L>``, ``upper_<L>``
    (limits at the unit's own denominator) and ``outside_<L>``; ``direction`` is
    "above" or "below" for a unit outside the narrowest limits (on that side of the
    target), else "within". ``limits`` is the long grid for drawing.
    """

    units: pd.DataFrame = field(repr=False)
    limits: pd.DataFrame = field(repr=False)
    target: float
    levels: tuple[float, ...]
    method: str
    phi: float
    overdispersion: Overdispersion | None = field(repr=False, default=None)
    target_from_data: bool = False

    def outside(self, level: float | None = None) -> pd.DataFrame:
        """Units outside the limits at ``level`` (default: the widest)."""
        level = max(self.levels) if level is None else level
        column = f"outside_{level_tag(level)}"
        if column not in self.units.columns:
            raise ArgumentError(f"no limits at level {level}; the levels are {self.levels}.")
        return _declare_units(self.units[self.units[column]].reset_index(drop=True))

    def to_frame(self) -> pd.DataFrame:
        """The per-unit table (a copy), declared for the output gate: successes and
        denominator are counts of persons; the proportion, z, the limits at the unit's
        denominator, the flags and the direction rest on them."""
        return _declare_units(self.units.copy())

    def _header(self) -> list[str]:
        source = "pooled over the units" if self.target_from_data else "given"
        counts = ", ".join(
            f"{int(self.units[f'outside_{level_tag(v)}'].sum())} outside {level_tag(v)}%"
            for v in self.levels
        )
        limits = (
            "exact binomial (Spiegelhalter's interpolation)"
            if self.method == "exact"
            else f"normal approximation, phi = {self.phi:.4g}"
        )
        return [
            f"Funnel: {len(self.units)} units around {pct(self.target)} ({source}); {limits}",
            counts,
        ]

    def summary(self) -> str:
        lines = self._header()
        if self.overdispersion is not None:
            lines.append(self.overdispersion.summary())
        narrow, wide = level_tag(min(self.levels)), level_tag(max(self.levels))
        out = self.outside(min(self.levels))
        if len(out):
            lines.append("Units outside the limits:")
            for _, row in out.iterrows():
                level = wide if row[f"outside_{wide}"] else narrow
                lines.append(
                    f"  {row['unit']}: {row['successes']} of {row['denominator']} = "
                    f"{pct(row['proportion'])}, {row['direction']} the {level}% limits"
                )
        return "\n".join(lines)

    def plot(
        self,
        ax=None,
        lang: str = "en",
        label_units="outer",
        centre: str | None = None,
        goal: float | None = None,
        highlight=None,
        **kwargs,
    ):
        """Draw the units and limits with :func:`evalkit.report.plots.funnel_plot`.

        ``centre`` names the centre line (default ``"pooled"`` when the target was pooled
        from the units, else ``"reference"``; ``"national"`` for a national average,
        ``"target"`` for a target); ``goal`` draws a target share as its own line;
        ``highlight`` names the unit (or units) the report is about, drawn so a reader
        finds it at once.

        Example
        -------
        >>> res = funnel_compare([41, 25, 24], [143, 187, 323], target=0.12,
        ...                      units=["A", "B", "C"])
        >>> fig = res.plot(centre="national", goal=0.10, highlight="B")
        >>> sorted(t.get_text() for t in fig.axes[0].texts)
        ['A', 'B']
        """
        from ..report.plots import funnel_plot as draw

        if centre is None:
            centre = "pooled" if self.target_from_data else "reference"
        units = self.units[["unit", "denominator", "proportion"]]
        limits = self.limits[["denominator", "level", "lower", "upper"]]
        return draw(
            units, self.target, limits, ax=ax, lang=lang, label_units=label_units,
            centre=centre, goal=goal, highlight=highlight, **kwargs,
        )  # fmt: skip


def _declare_units(units: pd.DataFrame) -> pd.DataFrame:
    counts = ["successes", "denominator"]
    dependent = [c for c in units.columns if c not in counts and c != "unit"]
    return declare_table(
        units, counts=counts, dependent=dependent, complements={"successes": "denominator"}
    )


def _grid(n: np.ndarray, points: int = 200) -> np.ndarray:
    low = max(1, int(math.floor(0.5 * n.min())))
    high = int(math.ceil(1.1 * n.max()))
    grid = np.unique(np.round(np.geomspace(low, high, points)).astype(np.int64))
    return np.union1d(grid, n)


def funnel_compare(
    successes,
    denominators,
    target: float | None = None,
    units=None,
    levels=(0.95, 0.998),
    overdispersion=None,
    method: str = "exact",
    winsorize: float = 0.10,
) -> FunnelResult:
    """Place units on a funnel plot: their proportions against the control limits.

    Parameters
    ----------
    successes, denominators : per unit, persons with the outcome and persons counted.
    target : the centre line; None uses the pooled proportion of the units
        (:math:`\\sum r_i / \\sum n_i`).
    units : unit names (default "1", "2", ...).
    overdispersion : None (no adjustment), ``"estimate"`` (estimate :math:`\\hat\\phi` by
        :func:`estimate_overdispersion` and widen the limits when it exceeds 1), a
        factor :math:`\\phi`, or an :class:`Overdispersion` result.

    Flags use the limits at each unit's own denominator (not interpolated). See the
    module docstring for formulas.

    Example
    -------
    >>> res = funnel_compare([41, 25, 24], [143, 187, 323], target=0.12, units=["A", "B", "C"])
    >>> res.outside()["unit"].tolist()
    ['A']
    """
    r = count_array(successes, "successes")
    n = count_array(denominators, "denominators", positive=True)
    if r.size != n.size:
        raise ArgumentError(f"successes has {r.size} values but denominators {n.size}.")
    if (r > n).any():
        bad = np.flatnonzero(r > n)[:3].tolist()
        raise ArgumentError(f"successes exceed denominators for units at positions {bad}.")
    names = as_names(units, r.size, "units") or [str(i + 1) for i in range(r.size)]
    from_data = target is None
    theta = r.sum() / n.sum() if from_data else check_share(target)
    if from_data and not 0 < theta < 1:
        raise DesignError("the pooled proportion is 0 or 1: there is no funnel to draw.")
    lv = _check_levels(levels)
    check_choice(method, "method", METHODS)
    od = None
    if isinstance(overdispersion, str):
        if overdispersion != "estimate":
            raise ArgumentError(
                f"overdispersion must be None, 'estimate', a factor or an Overdispersion "
                f"result; got {overdispersion!r}."
            )
        od = estimate_overdispersion(r, n, theta, winsorize, target_from_data=from_data)
        phi = od.phi_used
    else:
        phi = _phi_value(overdispersion)
        if isinstance(overdispersion, Overdispersion):
            od = overdispersion
    own = funnel_limits(n, theta, lv, phi, method)
    table = pd.DataFrame(
        {
            "unit": names,
            "successes": r,
            "denominator": n,
            "proportion": r / n,
            "z": _z_scores(r, n, theta),
        }
    )
    for level in lv:
        part = own[own["level"] == level]
        tag = level_tag(level)
        table[f"lower_{tag}"] = part["lower"].to_numpy()
        table[f"upper_{tag}"] = part["upper"].to_numpy()
        table[f"outside_{tag}"] = (table["proportion"] < table[f"lower_{tag}"]) | (
            table["proportion"] > table[f"upper_{tag}"]
        )
    narrowest = level_tag(min(lv))
    table["direction"] = np.where(
        ~table[f"outside_{narrowest}"],
        "within",
        np.where(table["proportion"] > theta, "above", "below"),
    )
    return FunnelResult(
        units=_declare_units(table),
        limits=funnel_limits(_grid(n), theta, lv, phi, method),
        target=float(theta),
        levels=lv,
        method="exact" if (method == "exact" and phi == 1.0) else "normal",
        phi=phi,
        overdispersion=od,
        target_from_data=from_data,
    )


def funnel_plot(
    successes,
    denominators=None,
    target: float | None = None,
    units=None,
    levels=(0.95, 0.998),
    overdispersion=None,
    method: str = "exact",
    ax=None,
    lang: str = "en",
    label_units="outer",
    **kwargs,
):
    """Draw units against funnel limits: :func:`funnel_compare` then
    :func:`evalkit.report.plots.funnel_plot` (the drawing code lives there).

    ``successes`` may also be a :class:`FunnelResult` (then the other data arguments are
    ignored). Returns the matplotlib Figure.

    Example
    -------
    >>> fig = funnel_plot([41, 25, 24], [143, 187, 323], target=0.12, units=["A", "B", "C"])
    >>> sorted(t.get_text() for t in fig.axes[0].texts)
    ['A']
    """
    if isinstance(successes, FunnelResult):
        result = successes
    else:
        if denominators is None:
            raise ArgumentError("funnel_plot needs denominators (or a FunnelResult).")
        result = funnel_compare(
            successes, denominators, target, units, levels, overdispersion, method
        )
    return result.plot(ax=ax, lang=lang, label_units=label_units, **kwargs)
