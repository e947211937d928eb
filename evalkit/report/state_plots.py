"""Figures of multi-state occupation: where the persons are, week by week, per arm.

:func:`state_occupation_plot` draws the Aalen–Johansen probabilities of
:func:`evalkit.survival.state_occupation` as stacked areas (the natural picture of a
weekly register: the states add up to 1 at every week) or as lines with their confidence
bands, one panel per arm or group, in English or Danish (:mod:`evalkit.report.labels`).

Disclosure control (``disclosure=5`` by default, ``None`` turns it off) draws
:meth:`evalkit.survival.StateOccupation.safe_table`: steps pooled until every kind of
move rests on 0 or at least 5 persons and every state holds 0 or at least 5 persons
(and so do the others), cut where fewer than 5 are at risk; a note under the figure says
so. The figure declares its threshold to the output gate.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from .._validation import check_choice
from ..errors import ArgumentError
from .labels import NumberFormatter, check_lang, label
from .plots import _check_disclosure, _declare, _group_names, _order_groups, _styled
from .style import BAND_ALPHA, FIGSIZE, LINE_WIDTH, SMALL_FONT_SIZE, new_figure, palette

__all__ = ["state_occupation_plot"]

KINDS = ("area", "line")


@_styled
def state_occupation_plot(
    fit,
    kind: str = "area",
    lang: str = "en",
    disclosure: int | None = 5,
    conf_int: bool = True,
    labels=None,
    state_labels: Mapping | None = None,
    xlabel: str | None = None,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """State occupation probabilities per arm: stacked areas or lines.

    Parameters
    ----------
    fit : a :class:`~evalkit.survival.StateOccupation`.
    kind : ``"area"`` (stacked, default) or ``"line"`` (a line per state with its
        confidence band when ``conf_int``).
    lang : ``"en"`` or ``"da"``.
    disclosure : threshold of the disclosure control (None: the exact curves).
    labels : display names of the groups (dict or list; 1/0 are Treatment/Control).
    state_labels : display names of the states, e.g. ``{"job": "Job"}``.
    xlabel, figsize : axis label (default "Weeks") and figure size.

    Returns
    -------
    Figure with one axes per group (gid ``"state_area"`` or ``"state_line"`` on the
    artists, ``"band"`` on the intervals, ``"disclosure_note"`` on the note).

    Example
    -------
    >>> import pandas as pd
    >>> from evalkit.survival import state_occupation
    >>> rows = pd.DataFrame({"id": range(12), "start": -1, "stop": [1, 2, 3] * 4,
    ...     "from": "benefit", "to": ["job", "job", None] * 4})
    >>> fig = state_occupation_plot(state_occupation(rows), disclosure=None)
    >>> print(", ".join(t.get_text() for t in fig.axes[-1].get_legend().get_texts()))
    benefit, job
    """
    check_lang(lang)
    check_choice(kind, "kind", KINDS)
    threshold = _check_disclosure(disclosure)
    if not hasattr(fit, "safe_table") or not hasattr(fit, "states"):
        raise ArgumentError(
            f"fit must be a StateOccupation (evalkit.survival.state_occupation); got "
            f"{type(fit).__name__}."
        )
    table = fit.safe_table(threshold) if threshold is not None else fit.table
    groups = [None] if fit.groups is None else _order_groups(list(fit.groups))
    names = {None: label("all", lang)} if fit.groups is None else _group_names(groups, labels, lang)
    shown = {s: s for s in fit.states}
    if state_labels is not None:
        if not isinstance(state_labels, Mapping):
            raise ArgumentError("state_labels must be a dict {state: name}.")
        shown.update({s: str(n) for s, n in state_labels.items() if s in shown})
    colours = dict(zip(fit.states, palette(len(fit.states)), strict=True))
    n = len(groups)
    size = figsize or (FIGSIZE[0] * (1 if n == 1 else 0.62 * n), FIGSIZE[1] + 0.3)
    fig = new_figure(size)
    axes = fig.subplots(1, n, sharey=True, squeeze=False)[0]
    end = float(fit.table["time"].max())
    for ax, g in zip(axes, groups, strict=True):
        part = table if g is None else table[table["group"] == g]
        ax.set_title(names[g])
        if part.empty:
            ax.text(0.5, 0.5, label("state_none_shown", lang), ha="center", va="center",
                    transform=ax.transAxes, fontsize=SMALL_FONT_SIZE)  # fmt: skip
            continue
        p0 = fit.p0 if g is None else fit.p0[fit.p0["group"] == g]
        start = min(0.0, float(part["time"].min()))
        x = np.r_[start, np.sort(part["time"].unique())]
        values = []
        for s in fit.states:
            curve = part[part["state"] == s].sort_values("time")
            first = float(p0.loc[p0["state"] == s, "probability"].iloc[0])
            values.append(np.r_[first, curve["probability"].to_numpy(float)])
        if kind == "area":
            stack = ax.stackplot(x, *values, step="post", colors=[colours[s] for s in fit.states],
                                 labels=[shown[s] for s in fit.states], alpha=0.85)  # fmt: skip
            for artist in stack:
                artist.set_gid("state_area")
        else:
            for s, y in zip(fit.states, values, strict=True):
                (line,) = ax.step(x, y, where="post", color=colours[s], lw=LINE_WIDTH,
                                  label=shown[s])  # fmt: skip
                line.set_gid("state_line")
                curve = part[part["state"] == s].sort_values("time")
                if conf_int:
                    low = np.r_[np.nan, curve["ci_low"].to_numpy(float)]
                    high = np.r_[np.nan, curve["ci_high"].to_numpy(float)]
                    band = ax.fill_between(x, low, high, step="post", color=colours[s],
                                           alpha=BAND_ALPHA, linewidth=0)  # fmt: skip
                    band.set_gid("band")
        ax.set_xlim(start, end)
        ax.set_ylim(0.0, 1.0)
        ax.yaxis.set_major_formatter(NumberFormatter(lang))
        ax.xaxis.set_major_formatter(NumberFormatter(lang))
        ax.set_xlabel(label("weeks", lang) if xlabel is None else xlabel)
    axes[0].set_ylabel(label("state_probability", lang))
    axes[-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=SMALL_FONT_SIZE,
                    frameon=False)  # fmt: skip
    fig.subplots_adjust(right=0.8, bottom=0.2 if threshold is not None else 0.14)
    if threshold is not None:
        note = fig.text(0.01, 0.005, label("state_disclosure_note", lang, t=threshold),
                        fontsize=SMALL_FONT_SIZE, ha="left", va="bottom")  # fmt: skip
        note.set_gid("disclosure_note")
    return _declare(fig, threshold)
