r"""Difference-in-differences against the national trend.

When a project has a *before* period (the local share observed before the project
started, and the national share over the same months), the gap between local and
national before the start is a baseline: the project's contribution is read as the
change in the gap,

.. math:: \hat\delta = (\bar p^{\,L}_{post} - \bar p^{\,N}_{post})
                     - (\bar p^{\,L}_{pre} - \bar p^{\,N}_{pre})
                   = \bar g_{post} - \bar g_{pre},

with :math:`g_t = p^L_t - p^N_t` the gap in period :math:`t` and bars averages over the
periods before and from ``start``.

**This rests on parallel trends**: without the project, the local share would have moved
in step with the national one (a constant gap). Nothing in the data can prove it; the
pre-period can only fail to refute it. :func:`did_national` therefore reports the
pre-period trend of the gap (a slope by least squares, with its t test): a clear
pre-trend means the design is broken; a flat one is necessary, not sufficient. Other
changes at the start (a reorganised jobcentre, a new target group, a local plant
closing) are absorbed into :math:`\hat\delta` too.

Inference
---------
The standard error is computed from the period gaps themselves,
:math:`\sqrt{s^2_{pre}/T_{pre} + s^2_{post}/T_{post}}` with Welch–Satterthwaite degrees
of freedom (Welch 1947), which carries both the binomial noise and real month-to-month
variation of the gap; it treats the periods as independent, which serially correlated
gaps are not, so with few periods read it as indicative. ``sampling_se`` gives the purely
binomial standard error for comparison.

The event-time table has, for every period :math:`k` relative to the start
(:math:`k = 0` the first project period), :math:`g_k - \bar g_{pre}` with the period's
Newcombe interval shifted by :math:`\bar g_{pre}`; :func:`event_time_plot` draws it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ArgumentError, DesignError
from ..output.declare import declaration, declare_resting_on, declare_table
from ..results import InferentialResult, counts_of
from ._common import ResultMixin, check_alpha, fmt, fmt_p
from .compare import _declare_comparison, compare_series

__all__ = ["PARALLEL_TRENDS_CAUTION", "DidResult", "did_national", "event_time_plot"]

PARALLEL_TRENDS_CAUTION = (
    "Caution: this difference-in-differences rests on parallel trends, the untestable "
    "assumption that without the project the local share would have followed the national "
    "trend (a constant gap). The pre-period can refute it, never confirm it; anything else "
    "that changed locally at the start is attributed to the project too."
)

_LABELS = {
    "event_time": {"en": "Periods since start", "da": "Perioder efter start"},
    "gap_change": {
        "en": "Change in gap to national (points)",
        "da": "Ændring i forskel til landet (procentpoint)",
    },
    "start": {"en": "Start", "da": "Start"},
    "pre": {"en": "Before", "da": "Før"},
    "post": {"en": "During", "da": "Under"},
}


@dataclass(frozen=True, eq=False)
class DidResult(ResultMixin, InferentialResult):
    """Difference-in-differences of a local share against the national share.

    Attributes
    ----------
    estimate : :math:`\\bar g_{post} - \\bar g_{pre}` (a difference of proportions).
    std_error, df, conf_int, p_value : Welch inference on the period gaps.
    sampling_se : binomial standard error (independent periods) for comparison.
    pre_gap, post_gap : mean gaps before and from the start.
    pre_trend, pre_trend_p : slope of the gap per period before the start and its
        p-value (None with fewer than three pre periods).
    event_time : per period: period, event_time, gap, effect (gap minus the mean pre
        gap), effect_low, effect_high, post, and the counts they rest on (successes, n,
        ref_successes, ref_n), declared for the output gate.
    """

    estimate: float
    std_error: float
    df: float
    conf_int: tuple[float, float]
    p_value: float
    sampling_se: float
    pre_gap: float
    post_gap: float
    n_pre: int
    n_post: int
    pre_trend: float | None
    pre_trend_p: float | None
    start: object
    alpha: float
    event_time: pd.DataFrame = field(repr=False)
    caution: str = PARALLEL_TRENDS_CAUTION
    _counts: dict = field(default_factory=dict, repr=False)

    def _term(self) -> str:
        return "did"

    def _statistic(self) -> float:
        return self.estimate / self.std_error if self.std_error else math.nan

    def _row_extra(self) -> dict:
        return {
            "df": self.df,
            "pre_gap": self.pre_gap,
            "post_gap": self.post_gap,
            "pre_trend": self.pre_trend,
            "pre_trend_p": self.pre_trend_p,
        }

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Rests on the smallest count of its periods (the counts of each period are in
        ``event_time``)."""
        return declare_resting_on(frame, self._counts)

    def _header(self) -> list[str]:
        return [
            "Difference-in-differences against the national trend",
            f"{self.n_pre} periods before and {self.n_post} from the start ({self.start})",
        ]

    def _notes(self) -> list[str]:
        return [self.caution]

    def summary(self) -> str:
        level = f"{100 * (1 - self.alpha):g}%"
        lines = self._header() + [
            f"  mean gap before {100 * self.pre_gap:+.1f} points, from the start "
            f"{100 * self.post_gap:+.1f} points",
            f"  change in gap {100 * self.estimate:+.1f} points, {level} CI "
            f"[{100 * self.conf_int[0]:+.1f}, {100 * self.conf_int[1]:+.1f}], "
            f"p = {fmt_p(self.p_value)} (Welch, df {fmt(self.df, 3)}); binomial SE "
            f"{100 * self.sampling_se:.1f} points",
        ]
        if self.pre_trend is not None:
            lines.append(
                f"  pre-period trend of the gap {100 * self.pre_trend:+.2f} points per period, "
                f"p = {fmt_p(self.pre_trend_p)}"
                + (
                    "  <- the gap was already moving: parallel trends doubtful"
                    if self.pre_trend_p < 0.05
                    else ""
                )
            )
        lines.append(self.caution)
        return "\n".join(lines)

    def plot(self, ax=None, lang: str = "en", **kwargs):
        """:func:`event_time_plot` of this result."""
        return event_time_plot(self, ax=ax, lang=lang, **kwargs)


def did_national(
    local: pd.DataFrame,
    national: pd.DataFrame,
    start,
    period: str = "period",
    successes: str = "successes",
    n: str = "n",
    alpha: float = 0.05,
    exclude_local: bool = False,
) -> DidResult:
    """Difference-in-differences of a local share against the national share.

    Parameters
    ----------
    local, national : series with ``period``, ``successes`` and ``n`` (the national one
        may have a ``share`` only). Periods must sort in time order.
    start : the first period of the project; periods before it are the baseline.
    exclude_local : subtract the local counts from the national counts.

    Needs at least two periods before and two from the start. See the module docstring
    for the estimator, the inference and the parallel-trends caution (printed by
    ``summary()``).

    Example
    -------
    >>> loc = pd.DataFrame({"period": [1, 2, 3, 4], "successes": [30, 31, 45, 47],
    ...                     "n": [100] * 4})
    >>> nat = pd.DataFrame({"period": [1, 2, 3, 4], "successes": [3500, 3600, 3700, 3800],
    ...                     "n": [10000] * 4})
    >>> round(did_national(loc, nat, start=3).estimate, 3)
    0.135
    """
    alpha = check_alpha(alpha)
    cmp = compare_series(
        local, national, period, successes, n, alpha=alpha, exclude_local=exclude_local
    )
    t = cmp.table
    try:
        post = (t["period"] >= start).to_numpy()
    except TypeError:
        raise ArgumentError(
            f"start {start!r} cannot be compared with the periods (e.g. {t['period'].iloc[0]!r})."
        ) from None
    n_pre, n_post = int((~post).sum()), int(post.sum())
    if n_pre < 2 or n_post < 2:
        raise DesignError(
            f"difference-in-differences needs at least two periods before and two from the "
            f"start; got {n_pre} before and {n_post} from {start!r}."
        )
    gap = t["difference"].to_numpy(float)
    se_t = t["diff_se"].to_numpy(float)
    g_pre, g_post = gap[~post], gap[post]
    estimate = float(g_post.mean() - g_pre.mean())
    v_pre, v_post = g_pre.var(ddof=1) / n_pre, g_post.var(ddof=1) / n_post
    se = math.sqrt(v_pre + v_post)
    if se > 0:
        df = (v_pre + v_post) ** 2 / (v_pre**2 / (n_pre - 1) + v_post**2 / (n_post - 1))
        p_value = float(2 * stats.t.sf(abs(estimate / se), df))
        crit = stats.t.isf(alpha / 2, df)
    else:
        df, p_value, crit = math.nan, math.nan, 0.0
    sampling_se = math.sqrt(
        np.sum(se_t[~post] ** 2) / n_pre**2 + np.sum(se_t[post] ** 2) / n_post**2
    )
    trend = trend_p = None
    if n_pre >= 3:
        x = np.arange(n_pre, dtype=float)
        fit = stats.linregress(x, g_pre)
        trend, trend_p = float(fit.slope), float(fit.pvalue)
    k = np.arange(len(t)) - n_pre
    base = g_pre.mean()
    event = pd.DataFrame(
        {
            "period": t["period"],
            "event_time": k,
            "gap": gap,
            "effect": gap - base,
            "effect_low": t["diff_low"].to_numpy(float) - base,
            "effect_high": t["diff_high"].to_numpy(float) - base,
            "post": post,
            "successes": t["successes"],
            "n": t["n"],
            "ref_successes": t["ref_successes"],
            "ref_n": t["ref_n"],
        }
    )
    event = _declare_comparison(
        event, cmp.exclude_local, contrasts=["gap", "effect", "effect_low", "effect_high"]
    )
    # effect = gap minus the mean pre-period gap: every row's effect rests on every
    # pre-period's counts (with the shown gaps, one effect gives a hidden gap back)
    info = declaration(event)
    event = declare_table(
        event,
        counts=info["counts"],
        dependent=info["dependent"],
        complements=info["complements"],
        across_rows={c: info["counts"] for c in ("effect", "effect_low", "effect_high")},
    )
    return DidResult(
        estimate=estimate,
        std_error=se,
        df=float(df),
        conf_int=(estimate - crit * se, estimate + crit * se),
        p_value=p_value,
        sampling_se=float(sampling_se),
        pre_gap=float(base),
        post_gap=float(g_post.mean()),
        n_pre=n_pre,
        n_post=n_post,
        pre_trend=trend,
        pre_trend_p=trend_p,
        start=start,
        alpha=alpha,
        event_time=event,
        _counts=counts_of(event),
    )


def event_time_plot(result: DidResult, ax=None, lang: str = "en", figsize=None):
    """Event-time plot: change in the local–national gap by period relative to the start.

    Points are :math:`g_k - \\bar g_{pre}` (percentage points) with the per-period
    Newcombe intervals; a dashed line marks the start; the mean change after the start
    is drawn as a horizontal segment. Drawn in the evalkit style; returns the Figure.

    Example
    -------
    >>> loc = pd.DataFrame({"period": [1, 2, 3, 4], "successes": [30, 31, 45, 47],
    ...                     "n": [100] * 4})
    >>> nat = pd.DataFrame({"period": [1, 2, 3, 4], "successes": [3500, 3600, 3700, 3800],
    ...                     "n": [10000] * 4})
    >>> fig = event_time_plot(did_national(loc, nat, start=3))
    >>> fig.axes[0].get_label()
    'event_time'
    """
    from ..report.labels import check_lang
    from ..report.style import COLOURS, FIGSIZE, evalkit_style, new_figure

    if not isinstance(result, DidResult):
        raise ArgumentError(f"event_time_plot needs a DidResult; got {type(result).__name__}.")
    check_lang(lang)
    e = result.event_time
    with evalkit_style():
        if ax is None:
            fig = new_figure(figsize or FIGSIZE)
            ax = fig.add_subplot()
        else:
            fig = ax.figure
        ax.set_label("event_time")
        k = e["event_time"].to_numpy()
        y = 100 * e["effect"].to_numpy()
        low = 100 * e["effect_low"].to_numpy()
        high = 100 * e["effect_high"].to_numpy()
        for post, colour, key in (
            (False, COLOURS["national"], "pre"),
            (True, COLOURS["treatment"], "post"),
        ):
            sel = e["post"].to_numpy() == post
            bars = ax.errorbar(
                k[sel],
                y[sel],
                yerr=[y[sel] - low[sel], high[sel] - y[sel]],
                fmt="o",
                color=colour,
                markersize=4,
                capsize=2,
                linewidth=1.2,
                label=_LABELS[key][lang],
            )
            bars[0].set_gid(f"effect_{key}")
        ax.axhline(0, color="#333333", linewidth=0.8, gid="zero")
        ax.axvline(
            -0.5,
            color=COLOURS["target"],
            linestyle="--",
            linewidth=1.2,
            gid="start",
            label=_LABELS["start"][lang],
        )
        ax.hlines(
            100 * result.estimate,
            -0.5,
            k.max() + 0.3,
            color=COLOURS["treatment"],
            linestyle=":",
            linewidth=1.4,
            gid="did",
        )
        ax.set_xlabel(_LABELS["event_time"][lang])
        ax.set_ylabel(_LABELS["gap_change"][lang])
        ax.spines["top"].set_visible(False)
        ax.spines["right"].set_visible(False)
        ax.legend(loc="best")
    return fig
