"""Figure of the mean cumulative function: spells started per person by week, by arm.

:func:`mean_cumulative_function_plot` draws the curves of
:func:`evalkit.survival.mean_cumulative_function` (the expected number of events, e.g.
entries into work, per person by time :math:`t`, with the robust Lawless-Nadeau
interval) as steps with their bands, one per arm or group, and, for two groups, a second
panel with their difference (second minus first, treatment minus control for arms) and
its Wald interval, in English or Danish (:mod:`evalkit.report.labels`).

Disclosure control (``disclosure=5`` by default, ``None`` turns it off) draws
:meth:`evalkit.survival.CumulativeHazard.safe_table`: per group, steps pooled into blocks
of at least 5 events, each with at least 5 persons at risk, and the curve cut where
fewer than 5 are at risk, so every published jump rests on at least 5 events. The
difference is then computed from the published curves alone (the step values and
standard errors at the union of their times, as the exact difference is from the exact
curves), so it reveals nothing they do not. A note under the figure says what was done;
the figure declares its threshold to the output gate. Whether the data are synthetic or
published is declared where the figure leaves (``save_figure(fig, path,
source="synthetic")``), which stamps it on the figure's face.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from ..errors import ArgumentError
from .labels import NumberFormatter, check_lang, label
from .plots import (
    _check_disclosure,
    _declare,
    _group_colours,
    _group_names,
    _order_groups,
    _styled,
)
from .style import BAND_ALPHA, COLOURS, FIGSIZE, LINE_WIDTH, SMALL_FONT_SIZE, new_figure

__all__ = ["mean_cumulative_function_plot"]


def _steps_at(part: pd.DataFrame, value: str, times: np.ndarray) -> tuple[np.ndarray, ...]:
    """A published step curve (and its standard error) at ``times``: 0 before its first
    time."""
    grid = part["time"].to_numpy(float)
    idx = np.searchsorted(grid, times, side="right") - 1
    est = np.where(idx >= 0, part[value].to_numpy(float)[np.maximum(idx, 0)], 0.0)
    se = np.where(idx >= 0, part["std_error"].to_numpy(float)[np.maximum(idx, 0)], 0.0)
    return est, se


def _curve_difference(table: pd.DataFrame, groups, value: str, alpha: float) -> pd.DataFrame:
    """Second group's curve minus the first's, with the Wald interval
    :math:`\\hat\\mu_1 - \\hat\\mu_0 \\pm z \\sqrt{se_1^2 + se_0^2}` (the two groups are
    independent samples of persons), at the union of the curves' times up to the
    earlier of their last times. Computed from ``table`` only (for the published curves:
    from published values only)."""
    parts = [table[table["group"] == g] for g in groups]
    if any(p.empty for p in parts):
        return pd.DataFrame(columns=["time", "difference", "ci_low", "ci_high"])
    end = min(float(p["time"].max()) for p in parts)
    times = np.unique(np.concatenate([p["time"].to_numpy(float) for p in parts]))
    times = times[times <= end]
    (e0, s0), (e1, s1) = (_steps_at(p, value, times) for p in parts)
    sd = np.sqrt(s0**2 + s1**2)
    z = float(stats.norm.isf(alpha / 2))
    diff = e1 - e0
    return pd.DataFrame({"time": times, "difference": diff, "ci_low": diff - z * sd,
                         "ci_high": diff + z * sd})  # fmt: skip


@_styled
def mean_cumulative_function_plot(
    fit,
    lang: str = "en",
    disclosure: int | None = 5,
    conf_int: bool = True,
    difference: bool = True,
    labels=None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Expected number of events (spells started) per person by time, per arm, with the
    difference of two arms.

    Parameters
    ----------
    fit : a :class:`~evalkit.survival.CumulativeHazard` from
        :func:`~evalkit.survival.mean_cumulative_function`.
    lang : ``"en"`` or ``"da"``.
    disclosure : threshold of the disclosure control (None: the exact curves).
    conf_int : draw the pointwise confidence bands.
    difference : with two groups, a second panel with their difference and its band.
    labels : display names of the groups (dict or list; 1/0 are Treatment/Control).
    xlabel, ylabel : axis labels (default "Weeks" and "Spells started per person").
    figsize : figure size.

    Returns
    -------
    Figure: the curves (gid ``"mcf"``, bands ``"band"``), the difference (gid
    ``"mcf_difference"``, band ``"difference_band"``) and the note (``"disclosure_note"``).

    Example
    -------
    >>> import pandas as pd
    >>> from evalkit.survival import mean_cumulative_function
    >>> d = pd.DataFrame({"id": [1, 1, 2, 3, 3, 3], "start": [0, 2, 0, 0, 1, 3],
    ...                   "stop": [2, 6, 5, 1, 3, 4], "spell": [1, 0, 0, 1, 1, 0]})
    >>> fit = mean_cumulative_function(d, "stop", "spell", "id", start="start")
    >>> fig = mean_cumulative_function_plot(fit, disclosure=None, lang="da")
    >>> fig.axes[0].get_ylabel()
    'Påbegyndte forløb pr. person'
    """
    check_lang(lang)
    threshold = _check_disclosure(disclosure)
    if getattr(fit, "kind", None) != "mcf" or not hasattr(fit, "safe_table"):
        raise ArgumentError(
            "fit must be a mean cumulative function (evalkit.survival."
            f"mean_cumulative_function); got {type(fit).__name__}."
        )
    for name, flag in (("conf_int", conf_int), ("difference", difference)):
        if not isinstance(flag, bool):
            raise ArgumentError(f"{name} must be True or False; got {flag!r}.")
    value = fit.value
    table = fit.safe_table(threshold) if threshold is not None else fit.table
    groups = [None] if fit.groups is None else list(fit.groups)
    shown_groups = groups if fit.groups is None else _order_groups(groups)
    names = {None: label("all", lang)} if fit.groups is None else _group_names(groups, labels, lang)
    colours = {None: COLOURS["neutral"]} if fit.groups is None else _group_colours(groups, names)
    two = difference and fit.groups is not None and len(groups) == 2
    n = 2 if two else 1
    size = figsize or (FIGSIZE[0] * (1.0 if n == 1 else 1.55), FIGSIZE[1] + 0.3)
    fig = new_figure(size)
    axes = fig.subplots(1, n, squeeze=False)[0]
    ax = axes[0]
    top = 0.0
    for g in shown_groups:
        part = table if g is None else table[table["group"] == g]
        part = part.sort_values("time")
        if part.empty:
            continue
        x = np.r_[0.0, part["time"].to_numpy(float)]
        y = np.r_[0.0, part[value].to_numpy(float)]
        (line,) = ax.step(x, y, where="post", color=colours[g], lw=LINE_WIDTH, label=names[g])
        line.set_gid("mcf")
        top = max(top, float(np.nanmax(y)))
        if conf_int:
            low = np.r_[np.nan, part["ci_low"].to_numpy(float)]
            high = np.r_[np.nan, part["ci_high"].to_numpy(float)]
            band = ax.fill_between(x, low, high, step="post", color=colours[g],
                                   alpha=BAND_ALPHA, linewidth=0)  # fmt: skip
            band.set_gid("band")
            top = max(top, float(np.nanmax(high, initial=0.0)))
    if not ax.lines:
        ax.text(0.5, 0.5, label("mcf_none_shown", lang), ha="center", va="center",
                transform=ax.transAxes, fontsize=SMALL_FONT_SIZE)  # fmt: skip
    ax.set_ylim(0.0, top * 1.05 if top > 0 else 1.0)
    ax.set_ylabel(label("mcf_mean_events", lang) if ylabel is None else ylabel)
    if fit.groups is not None and ax.lines:
        ax.legend(loc="upper left", fontsize=SMALL_FONT_SIZE, frameon=False)
    if two:
        dx = axes[1]
        diff = _curve_difference(table, groups, value, fit.alpha)
        if len(diff):
            x = np.r_[0.0, diff["time"].to_numpy(float)]
            (line,) = dx.step(x, np.r_[0.0, diff["difference"].to_numpy(float)], where="post",
                              color=COLOURS["neutral"], lw=LINE_WIDTH)  # fmt: skip
            line.set_gid("mcf_difference")
            if conf_int:
                band = dx.fill_between(x, np.r_[np.nan, diff["ci_low"].to_numpy(float)],
                                       np.r_[np.nan, diff["ci_high"].to_numpy(float)],
                                       step="post", color=COLOURS["neutral"],
                                       alpha=BAND_ALPHA, linewidth=0)  # fmt: skip
                band.set_gid("difference_band")
        else:
            dx.text(0.5, 0.5, label("mcf_none_shown", lang), ha="center", va="center",
                    transform=dx.transAxes, fontsize=SMALL_FONT_SIZE)  # fmt: skip
        dx.axhline(0.0, color=COLOURS["note"], lw=0.8, gid="zero")
        arms = fit.group is not None and set(groups) <= {0, 1}
        dx.set_ylabel(
            label("difference", lang)
            if arms
            else label("mcf_difference", lang, a=names[groups[1]], b=names[groups[0]])
        )
    end = max(float(fit.table["time"].max()), 0.0)
    for a in axes:
        a.set_xlim(0.0, end)
        a.set_xlabel(label("weeks", lang) if xlabel is None else xlabel)
        a.xaxis.set_major_formatter(NumberFormatter(lang))
        a.yaxis.set_major_formatter(NumberFormatter(lang))
    fig.subplots_adjust(bottom=0.24 if threshold is not None else 0.14, wspace=0.35)
    if threshold is not None:
        text = label("mcf_disclosure_note", lang, t=threshold)
        if two:
            text += " " + label("mcf_difference_note", lang)
        text = textwrap.fill(text, 140 if two else 95)
        note = fig.text(0.01, 0.005, text, fontsize=SMALL_FONT_SIZE, ha="left", va="bottom")
        note.set_gid("disclosure_note")
    return _declare(fig, threshold)
