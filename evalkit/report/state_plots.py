"""Figures of multi-state occupation: where the persons are, week by week, per arm.

:func:`state_occupation_plot` draws the Aalen–Johansen probabilities of
:func:`evalkit.survival.state_occupation` as stacked areas (the natural picture of a
weekly register: the states add up to 1 at every week) or as lines with their confidence
bands, one panel per arm or group, in English or Danish (:mod:`evalkit.report.labels`).

Disclosure control (``disclosure=5`` by default, ``None`` turns it off) draws
:func:`evalkit.survival.multistate_safe.safe_occupation` (the rule, with its source, is
in that module's docstring): published times at which every state share, and its rest,
rests on 0 or at least 5 persons and no state changes by 1-4 persons between consecutive
published times (``grid=``: every time, every ``grid`` weeks or given weeks); in an arm,
states holding 1-4 persons at a quarter or more of the times are merged into ``other``.
A note under the figure says what was done (and which states were merged where). The
figure declares its threshold to the output gate.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from .._validation import check_choice
from ..errors import ArgumentError
from ..survival.multistate_safe import OTHER, safe_occupation
from .labels import NumberFormatter, check_lang, label, term
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
    grid=None,
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
    state_labels : display names of the states, e.g. ``{"job": "Job"}`` (default: the
        catalogue's :func:`~evalkit.report.labels.term` of the state's name).
    xlabel, figsize : axis label (default "Weeks") and figure size.
    grid : the candidate times of the disclosure control: None (every time), a spacing
        (4: every fourth week) or a list of times.

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
    Benefit, job
    """
    check_lang(lang)
    check_choice(kind, "kind", KINDS)
    threshold = _check_disclosure(disclosure)
    if not hasattr(fit, "safe_table") or not hasattr(fit, "states"):
        raise ArgumentError(
            f"fit must be a StateOccupation (evalkit.survival.state_occupation); got "
            f"{type(fit).__name__}."
        )
    safe = None
    if threshold is not None:
        safe = safe_occupation(fit, threshold, grid=grid)
    table = fit.table if safe is None else safe.table
    states = list(fit.states) if safe is None else list(safe.states)
    groups = [None] if fit.groups is None else _order_groups(list(fit.groups))
    names = {None: label("all", lang)} if fit.groups is None else _group_names(groups, labels, lang)
    everything = list(dict.fromkeys([*fit.states, *states]))
    shown = {s: label("state_other", lang) if s == OTHER else term(s, lang) for s in everything}
    if state_labels is not None:
        if not isinstance(state_labels, Mapping):
            raise ArgumentError("state_labels must be a dict {state: name}.")
        shown.update({s: str(n) for s, n in state_labels.items() if s in shown})
    colours = dict(zip(everything, palette(len(everything)), strict=True))
    n = len(groups)
    size = figsize or (FIGSIZE[0] * (1 if n == 1 else 0.62 * n), FIGSIZE[1] + 0.3)
    fig = new_figure(size)
    axes = fig.subplots(1, n, sharey=True, squeeze=False)[0]
    end = float(fit.table["time"].max())
    handles = {}
    for ax, g in zip(axes, groups, strict=True):
        part = table if g is None else table[table["group"] == g]
        ax.set_title(names[g])
        if part.empty:
            ax.text(0.5, 0.5, label("state_none_shown", lang), ha="center", va="center",
                    transform=ax.transAxes, fontsize=SMALL_FONT_SIZE)  # fmt: skip
            continue
        here = [s for s in states if s in set(part["state"])]
        p0 = fit.p0 if safe is None else safe.start
        p0 = p0 if g is None or p0.empty else p0[p0["group"] == g]
        times = np.sort(part["time"].unique())
        start = min(0.0, float(fit.table["time"].min()))
        if p0.empty:  # the start is not published: the curves begin at the first time shown
            start = float(times[0])
            x = times
        else:
            x = np.r_[start, times]
        values = []
        for s in here:
            curve = part[part["state"] == s].sort_values("time")
            y = curve["probability"].to_numpy(float)
            if not p0.empty:
                y = np.r_[float(p0.loc[p0["state"] == s, "probability"].iloc[0]), y]
            values.append(y)
        if kind == "area":
            stack = ax.stackplot(x, *values, step="post", colors=[colours[s] for s in here],
                                 labels=[shown[s] for s in here], alpha=0.85)  # fmt: skip
            for artist, s in zip(stack, here, strict=True):
                artist.set_gid("state_area")
                handles.setdefault(s, artist)
        else:
            for s, y in zip(here, values, strict=True):
                (line,) = ax.step(x, y, where="post", color=colours[s], lw=LINE_WIDTH,
                                  label=shown[s])  # fmt: skip
                line.set_gid("state_line")
                handles.setdefault(s, line)
                curve = part[part["state"] == s].sort_values("time")
                if conf_int:
                    pad = [np.nan] * (len(x) - len(curve))
                    low = np.r_[pad, curve["ci_low"].to_numpy(float)]
                    high = np.r_[pad, curve["ci_high"].to_numpy(float)]
                    band = ax.fill_between(x, low, high, step="post", color=colours[s],
                                           alpha=BAND_ALPHA, linewidth=0)  # fmt: skip
                    band.set_gid("band")
        ax.set_xlim(min(start, 0.0), end)
        ax.set_ylim(0.0, 1.0)
        ax.yaxis.set_major_formatter(NumberFormatter(lang))
        ax.xaxis.set_major_formatter(NumberFormatter(lang))
        ax.set_xlabel(label("weeks", lang) if xlabel is None else xlabel)
    axes[0].set_ylabel(label("state_probability", lang))
    order = [s for s in everything if s in handles]
    if order:
        axes[-1].legend([handles[s] for s in order], [shown[s] for s in order],
                        loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=SMALL_FONT_SIZE,
                        frameon=False)  # fmt: skip
    fig.subplots_adjust(right=0.8, bottom=0.27 if threshold is not None else 0.14)
    if safe is not None:
        text = label("state_disclosure_note", lang, t=threshold, t1=threshold - 1)
        merged = [(g, m) for g, m in safe.merged.items() if m]
        if merged:
            where = "; ".join(
                ", ".join(shown.get(s, term(s, lang)) for s in m)
                + ("" if g is None else f" ({names[g]})")
                for g, m in merged
            )
            text += " " + label("state_merged_note", lang, t1=threshold - 1, other=shown.get(
                OTHER, label("state_other", lang)), states=where)  # fmt: skip
        note = fig.text(0.01, 0.005, textwrap.fill(text, 150 if n > 1 else 110),
                        fontsize=SMALL_FONT_SIZE, ha="left", va="bottom")  # fmt: skip
        note.set_gid("disclosure_note")
    return _declare(fig, threshold)
