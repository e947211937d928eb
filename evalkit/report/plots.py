r"""Report figures: survival and cumulative-incidence curves, weekly shares, forest plots,
benchmark series and funnel plots.

Every function

- draws with matplotlib in the evalkit style (:mod:`evalkit.report.style`) inside a
  :func:`matplotlib.rc_context`, without pyplot (safe under the Agg backend, in servers
  and in tests; global rcParams are untouched);
- draws into ``ax`` when one is given, or into a new :class:`~matplotlib.figure.Figure`,
  and returns the Figure (the axes are ``fig.axes``; extra panels such as the
  number-at-risk table are labelled, e.g. ``ax.get_label() == "risk_table"``);
- takes ``lang="en"`` or ``lang="da"`` for every label and for the number format
  (decimal comma and ``"40 %"`` in Danish), see :mod:`evalkit.report.labels`;
- gives its artists a ``gid`` (``"curve"``, ``"band"``, ``"censor"``, ``"at_risk"``,
  ``"ci"``...) so tests and post-editing can find them.

Save figures with :func:`evalkit.report.style.save_figure` (png, svg and pdf at once).

Disclosure control
------------------
Register data may only leave the research environment with small cells suppressed.
``survival_plot``, ``cumulative_incidence_plot`` and ``share_plot`` apply it by default
(``disclosure=5``; ``None`` turns it off) and print a note on the figure ("Cells < 5
suppressed"; the curve figures say how their steps and numbers at risk were
controlled): the number-at-risk table goes through
:func:`evalkit.report.disclosure.safe_at_risk` (1–4 shown as ``"<5"``, larger numbers
rounded down to multiples of 5), each curve through
:func:`evalkit.report.disclosure.safe_curve` (steps resting on fewer than 5
persons pooled or cut, the values recomputed from the pooled, rounded counts),
and a weekly share is left out where the persons in the state,
or those observed but not in it, are 1–4 (either count could be recovered from the
share and the denominator).

Simultaneous bands of the weekly shares
---------------------------------------
:func:`share_by_week` gives, per arm, the share :math:`\hat p_w = y_w / n_w` of the
persons observed in week :math:`w` who are in the states, a pointwise interval (Wilson
by default, or Wald) and a *simultaneous* band that covers the arm's whole curve over the
chosen weeks with probability :math:`1 - \alpha`. The weekly shares are correlated (the
same persons are followed week after week); their covariance is estimated from the
persons' influence functions, :math:`\widehat{\mathrm{Cov}}(\hat p_w, \hat p_v) = \sum_i
\psi_{iw} \psi_{iv}` with :math:`\psi_{iw} = o_{iw} (y_{iw} - \hat p_w) / n_w`
(:math:`o_{iw}` = observed), whose diagonal is the binomial variance
:math:`\hat p_w (1 - \hat p_w) / n_w`. The **sup-t** critical value :math:`c` is the
:math:`1 - \alpha` quantile of :math:`\max_w |Z_w|`, :math:`Z \sim N(0, \hat R)` with
:math:`\hat R` the estimated correlation matrix (weeks with zero variance left out),
simulated with a fixed seed (20,000 draws by default; Montiel Olea & Plagborg-Møller
2019). The simultaneous band is the pointwise interval with :math:`c` in place of
:math:`z_{1-\alpha/2}`. ``simultaneous="bonferroni"`` uses
:math:`c = z_{1 - \alpha / (2W)}` over the :math:`W` weeks instead (wider).
"""

from __future__ import annotations

import functools
import inspect
import textwrap
from collections.abc import Iterable, Mapping, Sequence

import matplotlib.colors as mcolors
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, MaxNLocator, NullFormatter
from mpl_toolkits.axes_grid1 import make_axes_locatable
from scipy import stats

from .._arm import trial_values
from .._validation import check_alpha, check_choice
from ..errors import ArgumentError, ColumnError, TreatmentError
from ..results import EffectResult
from .labels import (
    MonthFormatter,
    NumberFormatter,
    arm_name,
    check_lang,
    format_count,
    format_interval,
    format_level,
    format_number,
    format_p,
    format_percent,
    label,
    terms,
)
from .style import (
    BAND_ALPHA,
    COLOURS,
    FIGSIZE,
    FONT_SIZE,
    LINE_WIDTH,
    LINESTYLES,
    SMALL_FONT_SIZE,
    evalkit_style,
    new_figure,
    palette,
)

__all__ = [
    "cumulative_incidence_plot",
    "forest_plot",
    "funnel_plot",
    "series_plot",
    "share_by_week",
    "share_plot",
    "survival_plot",
]

SHARE_COLUMNS = [
    "week",
    "arm",
    "n_observed",
    "n_in_state",
    "share",
    "ci_low",
    "ci_high",
    "simultaneous_low",
    "simultaneous_high",
    "n_not_in_state",
]
INTERVALS = ("wilson", "wald")
SIMULTANEOUS = ("sup-t", "bonferroni")
BANDS = ("both", "pointwise", "simultaneous", "none")


# ---------------------------------------------------------------------- shared helpers
def _styled(func):
    """Run a figure function inside the evalkit style (rcParams restored afterwards), and
    record on the figure the ``lang`` it was drawn in (the language of the source stamp
    :func:`~evalkit.report.style.save_figure` draws)."""
    signature = inspect.signature(func)
    takes_lang = "lang" in signature.parameters

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with evalkit_style():
            fig = func(*args, **kwargs)
            if isinstance(fig, Figure) and getattr(fig, _OWN_LAYOUT, False):
                _fit_layout(fig)
        if takes_lang and isinstance(fig, Figure):
            from ..output.gate import record_lang

            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            record_lang(fig, bound.arguments["lang"])
        return fig

    return wrapper


def _curve_canvas(ax, figsize, n_rows: int, risk_table: bool, threshold, name: str):
    """Figure and axes of a curve plot (taller by a risk table of ``n_rows`` rows and by
    the two-line disclosure note), and the disclosure-safe curve function when a
    ``threshold`` is set (else None)."""
    if figsize is None:
        extra = (0.24 * n_rows + 0.8 if risk_table else 0.0) + (
            0.3 if threshold is not None else 0.0
        )
        figsize = (FIGSIZE[0], FIGSIZE[1] + extra)
    fig, ax = _canvas(ax, figsize)
    ax.set_label(name)
    return fig, ax, (_disclosure_api().safe_curve if threshold is not None else None)


#: Attribute set on a figure a plot function made itself (not on a caller's axes): its
#: layout is evalkit's to fit (:func:`_fit_layout`).
_OWN_LAYOUT = "_evalkit_own_layout"


def _canvas(ax, figsize) -> tuple[Figure, Axes]:
    if ax is None:
        fig = new_figure(figsize)
        ax = fig.add_subplot()
        setattr(fig, _OWN_LAYOUT, True)
        return fig, ax
    if not isinstance(ax, Axes):
        raise ArgumentError(
            f"ax must be a matplotlib Axes (e.g. from fig.add_subplot()); got {type(ax).__name__}."
        )
    _style_axes(ax)
    return ax.figure, ax


def _fit_layout(fig: Figure, pad: float = 0.06) -> None:
    """Move the edges of the axes of a figure a plot function made so that everything
    drawn (tick labels, the risk table's group names, legends above the axes, notes under
    them) lies inside the figure with ``pad`` inches to spare, and no space is wasted: a
    plain ``fig.savefig(path)`` (without ``bbox_inches="tight"``) then keeps every label.

    Only a figure with one host axes is fitted (panels appended to it by
    ``make_axes_locatable``, such as the risk table, are placed from the host's
    position); the figure size is kept. The figure is marked done (a second call does nothing).
    """
    setattr(fig, _OWN_LAYOUT, False)
    if not fig.axes or any(a.get_axes_locator() is None for a in fig.axes[1:]):
        return
    host = fig.axes[0]  # the axes _canvas made; the others are appended to it
    width, height = fig.get_size_inches()
    for _ in range(4):  # tick labels may change with the axes' size: settle in a few steps
        box = fig.get_tightbbox()  # inches from the lower left corner
        if box is None:
            return
        moves = (pad - box.x0, (width - pad) - box.x1, pad - box.y0, (height - pad) - box.y1)
        if max(abs(m) for m in moves) < 0.005:
            return
        pos = host.get_position(original=True)
        x0, x1 = pos.x0 + moves[0] / width, pos.x1 + moves[1] / width
        y0, y1 = pos.y0 + moves[2] / height, pos.y1 + moves[3] / height
        if x1 - x0 < 0.25 or y1 - y0 < 0.15:  # too little room left: leave it
            return
        host.set_position([x0, y0, x1 - x0, y1 - y0])


def _style_axes(ax: Axes, grid_axis: str = "y") -> None:
    """The evalkit look on an axes made outside the style (spines, tick sizes, grid)."""
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=FONT_SIZE - 1)
    ax.set_axisbelow(True)
    ax.grid(False)
    if grid_axis:
        ax.grid(True, axis=grid_axis, color="#DDDDDD", linewidth=0.6)


def _check_disclosure(disclosure) -> int | None:
    if disclosure is None:
        return None
    if isinstance(disclosure, bool) or not isinstance(disclosure, int | np.integer):
        raise ArgumentError(
            f"disclosure must be a whole-number threshold (5: cells of 1-4 persons are "
            f"suppressed) or None (no disclosure control); got {disclosure!r}."
        )
    if disclosure < 2:
        raise ArgumentError(f"disclosure must be at least 2 (or None); got {disclosure}.")
    return int(disclosure)


def _disclosure_api():
    try:
        from . import disclosure as module
    except ImportError as error:  # pragma: no cover - the module ships with evalkit
        raise ImportError(
            "evalkit.report.disclosure is needed for disclosure control; pass "
            "disclosure=None to draw without it."
        ) from error
    return module


def _disclosure_note(
    ax: Axes, threshold: int, lang: str, below: float, text: str | None = None
) -> None:
    """The disclosure note under a figure (gid ``"disclosure_note"``): the standard
    sentence, right-aligned, or ``text`` wrapped and left-aligned."""
    left = text is not None
    if left:  # wrapped to the axes' width, so that it never runs past the figure's edge
        inches = ax.get_position().width * ax.figure.get_figwidth()
        chars = max(40, int(inches * 72.0 / (0.55 * (SMALL_FONT_SIZE - 0.5))))
    ax.annotate(
        textwrap.fill(text, width=chars)
        if left
        else label("disclosure_note", lang, threshold=threshold),
        xy=(0.0 if left else 1.0, 0.0),
        xycoords="axes fraction",
        xytext=(0.0, -below),
        textcoords="offset points",
        ha="left" if left else "right",
        va="top",
        fontsize=SMALL_FONT_SIZE - 0.5,
        color=COLOURS["note"],
        fontstyle="italic",
        gid="disclosure_note",
        annotation_clip=False,
    )


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ArgumentError(f"{what} must be a pandas DataFrame; got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ColumnError(
            f"{what} lacks the columns {missing}; it has {list(frame.columns)}. "
            f"Needed: {list(columns)}."
        )


def _is_arm_set(values: Iterable) -> bool:
    values = list(values)
    try:
        return len(values) > 0 and all(
            isinstance(v, bool | np.bool_ | int | np.integer) and int(v) in (0, 1) for v in values
        )
    except (TypeError, ValueError):
        return False


def _order_groups(groups: Sequence) -> list:
    """Groups in display order: treatment (1) before control (0); otherwise as given."""
    groups = list(groups)
    if _is_arm_set(groups):
        return sorted(groups, key=lambda v: -int(v))
    return groups


def _group_names(groups: Sequence, labels, lang: str) -> dict:
    if labels is None:
        return {g: arm_name(g, lang) for g in groups}
    if isinstance(labels, Mapping):
        unknown = [k for k in labels if k not in groups]
        if unknown:
            raise ArgumentError(
                f"labels names groups {unknown} that are not in the data; groups: {list(groups)}."
            )
        return {g: str(labels.get(g, arm_name(g, lang))) for g in groups}
    labels = list(labels)
    if len(labels) != len(groups):
        raise ArgumentError(
            f"labels has {len(labels)} entries for {len(groups)} groups {list(groups)}; give "
            "one label per group or a dict {group: label}."
        )
    return dict(zip(groups, map(str, labels), strict=True))


def _group_colours(groups: Sequence, names: Mapping) -> dict:
    """Arm colours for treatment/control groups, the palette otherwise."""
    treat = {label("treatment", lang) for lang in ("en", "da")}
    ctrl = {label("control", lang) for lang in ("en", "da")}
    if _is_arm_set(groups) or all(names[g] in treat | ctrl for g in groups):
        if _is_arm_set(groups):
            return {g: COLOURS["treatment" if int(g) == 1 else "control"] for g in groups}
        return {g: COLOURS["treatment" if names[g] in treat else "control"] for g in groups}
    return dict(zip(groups, palette(len(groups)), strict=True))


def _round_locator(nbins: int = 7) -> MaxNLocator:
    """Ticks at 1, 2 or 5 times a power of ten (no 2.5 steps: fewer decimals)."""
    return MaxNLocator(nbins=nbins, steps=[1, 2, 5, 10])


def _nice_ticks(low: float, high: float, n: int = 7, integer: bool = True) -> np.ndarray:
    locator = MaxNLocator(nbins=n, integer=integer, min_n_ticks=3, steps=[1, 2, 5, 10])
    ticks = np.asarray(locator.tick_values(low, high), dtype=float)
    eps = 1e-9 * max(abs(high - low), 1.0)
    return ticks[(ticks >= low - eps) & (ticks <= high + eps)]


# ---------------------------------------------------------------------- step curves
def _risk_table_axes(ax: Axes, n_rows: int, pad: float) -> Axes:
    divider = make_axes_locatable(ax)
    tax = divider.append_axes("bottom", size=0.24 * n_rows + 0.12, pad=pad, sharex=ax)
    tax.set_label("risk_table")
    for spine in tax.spines.values():
        spine.set_visible(False)
    tax.grid(False)
    tax.tick_params(axis="x", which="both", bottom=False, labelbottom=False)
    tax.tick_params(axis="y", which="both", left=False, labelsize=FONT_SIZE - 1)
    tax.set_ylim(n_rows - 0.5, -0.5)
    tax.set_facecolor("none")
    return tax


def _draw_risk_table(
    ax: Axes,
    rows: list[tuple[str, str, Sequence]],
    times: np.ndarray,
    lang: str,
    threshold: int | None,
) -> Axes:
    """rows: (name, colour, counts at ``times``). With a ``threshold`` the counts are
    written by :func:`evalkit.report.disclosure.safe_at_risk` (rounded down to multiples
    of the threshold, 1..threshold-1 as ``"<5"``), the rounding of ``safe_curve``'s
    ``n_risk``."""
    tax = _risk_table_axes(ax, len(rows), pad=0.62 if ax.get_xlabel() else 0.4)
    mask = _disclosure_api().safe_at_risk if threshold is not None else None
    for i, (_, colour, counts) in enumerate(rows):
        counts = [int(c) for c in counts]
        if mask is not None:
            texts = mask(counts, threshold=threshold)
        else:
            texts = [format_count(c, lang) for c in counts]
        for t, text in zip(times, texts, strict=True):
            if mask and str(text).lstrip("-").isdigit():
                text = format_count(int(text), lang)
            tax.text(
                t, i, str(text), ha="center", va="center", color=colour,
                fontsize=FONT_SIZE - 1, gid="at_risk", clip_on=False,
            )  # fmt: skip
    tax.set_yticks(range(len(rows)))
    tax.set_yticklabels([name for name, _, _ in rows])
    # Names clear of the first column of numbers, which is centred on the axis's left end.
    first = [len(str(t.get_text())) for t in tax.texts if t.get_position()[0] == times[0]]
    tax.tick_params(axis="y", pad=3.0 + 0.31 * (FONT_SIZE - 1) * max(first, default=0))
    for tick, (_, colour, _) in zip(tax.get_yticklabels(), rows, strict=True):
        tick.set_color(colour)
    tax.set_title(
        label("number_at_risk", lang), loc="left", fontsize=FONT_SIZE, pad=4, color="#111111"
    )
    return tax


def _freeze_time_ticks(ax: Axes, x_low: float, x_high: float, risk_times) -> np.ndarray:
    ax.set_xlim(x_low, x_high)
    if risk_times is None:
        times = _nice_ticks(x_low, x_high, integer=True)
    else:
        times = np.atleast_1d(np.asarray(risk_times, dtype=float))
        if times.ndim != 1 or not np.isfinite(times).all() or times.size == 0:
            raise ArgumentError(f"risk_times must be finite numbers; got {risk_times!r}.")
        times = np.sort(times)
        if times[-1] > x_high:
            ax.set_xlim(x_low, times[-1])
        if times[0] < x_low:
            ax.set_xlim(times[0], ax.get_xlim()[1])
    ax.xaxis.set_major_locator(FixedLocator(times))
    return times


def _curve_note(ax: Axes, threshold: int, lang: str, below: float, truncated: bool) -> None:
    """The one disclosure note of a curve figure (gid ``"disclosure_note"``): steps pooled
    to >= threshold events, numbers at risk rounded, and, when a curve was cut, where."""
    text = label("curve_truncated" if truncated else "curve_pooled", lang, t=threshold)
    _disclosure_note(ax, threshold, lang, below, text)


def _cut_short(part: pd.DataFrame, safe: pd.DataFrame) -> bool:
    """Whether ``safe_curve`` ended a curve before its last time."""
    if part.empty:
        return False
    last = pd.to_numeric(part["time"], errors="coerce").max()
    return safe.empty or bool(safe["time"].max() < last)


def _at_risk_from_table(times_table: np.ndarray, n_risk: np.ndarray, times: np.ndarray):
    """Number at risk at ``times`` from a table's rows: n_risk at the first row time >= t."""
    order = np.argsort(times_table, kind="stable")
    tt, nr = np.asarray(times_table, float)[order], np.asarray(n_risk, float)[order]
    j = np.searchsorted(tt, times, side="left")
    return np.where(j < tt.size, np.concatenate((nr, [0.0]))[np.minimum(j, tt.size)], 0.0)


def _curve_frame(curve) -> tuple[pd.DataFrame, str | None, list, object]:
    """(table, group column or None, groups, the fitted object or None)."""
    if isinstance(curve, pd.DataFrame):
        table = curve
        fitted = None
    elif hasattr(curve, "table"):
        table = curve.table
        fitted = curve
    else:
        raise ArgumentError(
            "curve must be a SurvivalCurve (from evalkit.survival.kaplan_meier) or its "
            f"table (a DataFrame); got {type(curve).__name__}."
        )
    group = "group" if "group" in table.columns else None
    if group is None:
        groups = [None]
    else:
        groups = list(pd.unique(table["group"]))
        fitted_groups = getattr(fitted, "groups", None)
        if fitted_groups:
            groups = [g for g in fitted_groups if g in set(groups)] or groups
    return table, group, groups, fitted


def _part(table: pd.DataFrame, group_column: str | None, group) -> pd.DataFrame:
    if group_column is None:
        return table
    return table[table[group_column] == group]


def _stepped(x0: float, y0: float, times, values) -> tuple[np.ndarray, np.ndarray]:
    times = np.asarray(times, dtype=float)
    values = np.asarray(values, dtype=float)
    if times.size and times[0] <= x0:
        return times, values
    return np.concatenate(([x0], times)), np.concatenate(([y0], values))


#: Events a survival curve can be named by (``survival_plot(event=...)``) -> label key.
SURVIVAL_EVENTS = {
    "self_sufficient": "survival_no_self_sufficient",
    "job": "survival_no_job",
    "education": "survival_no_education",
}


def _survival_label_key(event) -> str:
    if event is None:
        return "survival"
    if not isinstance(event, str) or event not in SURVIVAL_EVENTS:
        raise ArgumentError(
            f"event must be None (spell durations) or one of {', '.join(SURVIVAL_EVENTS)} "
            "(what the curve waits for; it names the y axis); give ylabel= for any other "
            "text."
        )
    return SURVIVAL_EVENTS[event]


@_styled
def survival_plot(
    curve,
    ax: Axes | None = None,
    lang: str = "en",
    risk_table: bool = True,
    risk_times=None,
    conf_int: bool = True,
    censor_marks: bool = True,
    disclosure: int | None = 5,
    labels=None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    figsize: tuple[float, float] | None = None,
    event: str | None = None,
) -> Figure:
    """Kaplan–Meier curves by group with confidence bands, censoring marks and a
    number-at-risk table under the time axis (as R's survminer draws them).

    Parameters
    ----------
    curve : a :class:`~evalkit.survival.SurvivalCurve` (from ``kaplan_meier``) or its
        ``table`` (columns ``time``, ``survival``; ``ci_low``/``ci_high`` for bands,
        ``n_censored`` for marks, ``n_risk`` for the risk table, ``group`` when grouped).
    ax : axes to draw into; a new figure when None.
    lang : ``"en"`` or ``"da"``.
    risk_table : draw the number at risk at ``risk_times`` under the plot, one row per
        group in the group's colour.
    risk_times : times of the risk table, which also become the x ticks (default: about
        seven round numbers over the follow-up).
    conf_int, censor_marks : draw the shaded confidence bands and the ``+`` marks at
        censoring times.
    disclosure : threshold of disclosure control (default 5). The curves drawn are
        :func:`evalkit.report.disclosure.safe_curve` tables (each drop rests on at least
        5 events; a curve ends where fewer than 5 are at risk or fewer than 5 events
        follow; curve and band are the Kaplan–Meier estimate and Greenwood interval of
        the pooled life table with its rounded numbers at risk, so the drawn
        coordinates, in a PNG or an SVG/PDF, carry nothing beyond the safe counts; the
        interval type and level are the fitted curve's; no censoring marks, which show
        single persons), and the numbers at risk are written by
        :func:`evalkit.report.disclosure.safe_at_risk` (1–4 as ``"<5"``, others rounded
        down to multiples of 5, as in the exported table), so that no two numbers differ
        by 1–4. One note under the figure says so (and why a curve ends early). None:
        off (exact numbers, censoring marks).
    labels : display names of the groups: a dict ``{group value: name}`` or a list in
        group order. By default groups 1/0 (or True/False) are Treatment/Control.
    xlabel, ylabel : axis labels (defaults: "Weeks", and the y label ``event`` names).
    figsize : size of a new figure in inches.
    event : what the curve waits for, so that the y label says what the curve is: None
        (default) for the duration of spells ("Share still in spell"), or
        ``"self_sufficient"`` (time to the first self-sufficient week: "Share not yet
        self-sufficient"), ``"job"`` or ``"education"``; the label comes from the
        catalogue in ``lang``. ``ylabel`` overrides it.

    Returns
    -------
    The Figure. Its artists have gids ``"curve"``, ``"band"``, ``"censor"``,
    ``"at_risk"`` (the risk table's texts, on the axes labelled ``"risk_table"``) and
    ``"disclosure_note"``.

    Example
    -------
    >>> import pandas as pd
    >>> from evalkit.survival import kaplan_meier
    >>> d = pd.DataFrame({"weeks": [2, 3, 3, 5, 8, 1, 4, 6, 9, 9],
    ...                   "exit": [1, 1, 0, 1, 0, 1, 1, 0, 1, 0],
    ...                   "treated": [1] * 5 + [0] * 5})
    >>> fig = survival_plot(kaplan_meier(d, "weeks", "exit", group="treated"),
    ...                     lang="da", disclosure=None)
    >>> fig.axes[0].get_xlabel()
    'Uger'
    >>> fig = survival_plot(kaplan_meier(d, "weeks", "exit", group="treated"),
    ...                     event="self_sufficient", disclosure=None)
    >>> fig.axes[0].get_ylabel()
    'Share not yet self-sufficient'
    """
    check_lang(lang)
    threshold = _check_disclosure(disclosure)
    y_key = _survival_label_key(event)
    table, group_column, groups, fitted = _curve_frame(curve)
    _require(table, ["time", "survival"], "the survival table")
    groups = _order_groups(groups)
    if group_column is None:
        names = {None: label("all", lang)} if labels is None else _group_names([None], labels, lang)
        colours = {None: COLOURS["neutral"]}
    else:
        names = _group_names(groups, labels, lang)
        colours = _group_colours(groups, names)
    n_rows = len(groups)
    fig, ax, safe = _curve_canvas(ax, figsize, n_rows, risk_table, threshold, "survival")

    times_all = pd.to_numeric(table["time"], errors="coerce").to_numpy(dtype=float)
    if times_all.size == 0 or not np.isfinite(times_all).any():
        raise ArgumentError("the survival table has no rows; nothing to plot.")
    start = min(0.0, float(np.nanmin(times_all)))
    end = float(np.nanmax(times_all))
    truncated = False
    # the fitted curve's interval type and level, for the bands recomputed by safe_curve
    interval = {k: getattr(fitted, k) for k in ("conf_type", "alpha") if hasattr(fitted, k)}
    for g in groups:
        part = _part(table, group_column, g).sort_values("time", kind="stable")
        if safe is not None:
            shown = safe(part, threshold=threshold, **interval)
            truncated |= _cut_short(part, shown)
            part = shown  # no n_censored: censoring marks (single persons) are not drawn
        colour = colours[g]
        x, y = _stepped(start, 1.0, part["time"], part["survival"])
        (line,) = ax.step(x, y, where="post", color=colour, label=names[g], lw=LINE_WIDTH)
        line.set_gid("curve")
        if conf_int and {"ci_low", "ci_high"} <= set(part.columns):
            _, low = _stepped(start, 1.0, part["time"], part["ci_low"])
            _, high = _stepped(start, 1.0, part["time"], part["ci_high"])
            band = ax.fill_between(
                x, low, high, step="post", color=colour, alpha=BAND_ALPHA, linewidth=0
            )
            band.set_gid("band")
        if censor_marks and "n_censored" in part.columns:
            marked = part[pd.to_numeric(part["n_censored"], errors="coerce").fillna(0) > 0]
            (marks,) = ax.plot(
                marked["time"], marked["survival"], linestyle="none", marker="+",
                markersize=7, markeredgewidth=1.2, color=colour, label="_censored",
            )  # fmt: skip
            marks.set_gid("censor")

    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_locator(FixedLocator(np.linspace(0.0, 1.0, 6)))
    ax.yaxis.set_major_formatter(NumberFormatter(lang))
    ax.set_xlabel(label("weeks", lang) if xlabel is None else xlabel)
    ax.set_ylabel(label(y_key, lang) if ylabel is None else ylabel)
    times = _freeze_time_ticks(ax, start, end, risk_times)
    ax.xaxis.set_major_formatter(NumberFormatter(lang))
    if group_column is not None:
        ax.legend(loc="best")

    note_axes, below = ax, 30.0
    if risk_table:
        rows = []
        for g in groups:
            if fitted is not None and hasattr(fitted, "at_risk"):
                at = fitted.at_risk(times)
                counts = (at[at["group"] == g] if group_column else at)["n_risk"].to_numpy()
            else:
                _require(table, ["n_risk"], "the survival table (for the risk table)")
                part = _part(table, group_column, g)
                counts = _at_risk_from_table(part["time"], part["n_risk"], times)
            rows.append((names[g], colours[g], counts))
        note_axes, below = _draw_risk_table(ax, rows, times, lang, threshold), 4.0
    if threshold is not None:
        _curve_note(note_axes, threshold, lang, below, truncated)
    return _declare(fig, threshold)


@_styled
def cumulative_incidence_plot(
    cif,
    ax: Axes | None = None,
    lang: str = "en",
    risk_table: bool = True,
    risk_times=None,
    conf_int: bool = True,
    disclosure: int | None = 5,
    labels=None,
    cause_labels: Mapping | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Cumulative incidence (Aalen–Johansen) curves, one line per cause and group, with
    confidence bands and a number-at-risk table.

    Parameters
    ----------
    cif : the result of :func:`evalkit.survival.competing.cumulative_incidence` or its
        ``table``: columns ``time``, ``cause``, ``cumulative_incidence``, ``ci_low``,
        ``ci_high``, ``n_risk`` (at risk just before the time) and ``group`` when grouped.
    labels : display names of the groups (dict or list; 1/0 are Treatment/Control).
    cause_labels : display names of the causes, e.g. ``{1: "Job", 2: "Education"}``
        (default "Cause 1", "Årsag 1"...).
    risk_table, risk_times, conf_int, disclosure, xlabel, ylabel, figsize, lang, ax :
        as :func:`survival_plot`. The table has rows only at exit times, so the number at
        risk at a tick time *t* is read at the first exit time at or after *t* (persons
        censored in between are not counted), and censoring marks cannot be drawn.
        Under disclosure control the curves of all causes of a group are recomputed
        together from their pooled counts by
        :func:`evalkit.report.disclosure.safe_curve`, which drops the standard errors
        and intervals (they cannot be recomputed from published counts): no bands.

    Notes
    -----
    Lines are coloured by group and dashed by cause (coloured by cause when ungrouped).
    Artists have gids ``"curve"``, ``"band"``, ``"at_risk"``, ``"disclosure_note"``.

    Example
    -------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"time": [1.0, 2.0, 1.0, 2.0], "cause": [1, 1, 2, 2],
    ...     "cumulative_incidence": [0.1, 0.2, 0.05, 0.1], "std_error": 0.02,
    ...     "ci_low": [0.05, 0.1, 0.01, 0.05], "ci_high": [0.2, 0.3, 0.1, 0.2],
    ...     "n_risk": [20, 16, 20, 16]})
    >>> fig = cumulative_incidence_plot(table, disclosure=None, cause_labels={1: "Job"})
    >>> print(", ".join(t.get_text() for t in fig.axes[0].get_legend().get_texts()))
    Job, Cause 2
    """
    check_lang(lang)
    threshold = _check_disclosure(disclosure)
    table = getattr(cif, "table", cif)
    _require(table, ["time", "cause", "cumulative_incidence"], "the cumulative-incidence table")
    group_column = "group" if "group" in table.columns else None
    if group_column is None:
        groups = [None]
    else:
        groups = list(pd.unique(table["group"]))
        fitted_groups = getattr(cif, "groups", None)
        if fitted_groups:
            groups = [g for g in fitted_groups if g in set(groups)] or groups
    groups = _order_groups(groups)
    causes = list(getattr(cif, "causes", None) or sorted(pd.unique(table["cause"])))
    cause_names = {c: label("cause", lang, cause=c) for c in causes}
    if cause_labels is not None:
        if not isinstance(cause_labels, Mapping):
            raise ArgumentError("cause_labels must be a dict {cause code: name}.")
        cause_names.update({c: str(n) for c, n in cause_labels.items() if c in cause_names})
    if group_column is None:
        names = {None: label("all", lang)}
        group_colours = {None: COLOURS["neutral"]}
        cause_colours = dict(zip(causes, palette(len(causes)), strict=True))
    else:
        names = _group_names(groups, labels, lang)
        group_colours = _group_colours(groups, names)
    n_rows = len(groups)
    fig, ax, safe = _curve_canvas(
        ax, figsize, n_rows, risk_table, threshold, "cumulative_incidence"
    )

    times_all = pd.to_numeric(table["time"], errors="coerce").to_numpy(dtype=float)
    if times_all.size == 0:
        raise ArgumentError("the cumulative-incidence table has no rows; nothing to plot.")
    start = min(0.0, float(np.nanmin(times_all)))
    end = float(np.nanmax(times_all))
    top = 0.0
    truncated = False
    for g in groups:
        part_g = _part(table, group_column, g)
        # all causes of a group at once: each published curve uses the others' (safe_curve)
        safe_g = safe(part_g, threshold=threshold) if safe is not None else None
        for k, c in enumerate(causes):
            part = part_g[part_g["cause"] == c].sort_values("time", kind="stable")
            if part.empty:
                continue
            if safe_g is not None:
                shown = safe_g[safe_g["cause"] == c]
                truncated |= _cut_short(part, shown)
                part = shown
            if group_column is None:
                colour, style = cause_colours[c], "-"
                name = cause_names[c]
            else:
                colour, style = group_colours[g], LINESTYLES[k % len(LINESTYLES)]
                name = names[g] if len(causes) == 1 else f"{names[g]}: {cause_names[c]}"
            x, y = _stepped(start, 0.0, part["time"], part["cumulative_incidence"])
            (line,) = ax.step(
                x, y, where="post", color=colour, linestyle=style, label=name, lw=LINE_WIDTH
            )
            line.set_gid("curve")
            top = max(top, float(np.nanmax(y)) if y.size else 0.0)
            if conf_int and {"ci_low", "ci_high"} <= set(part.columns):
                _, low = _stepped(start, 0.0, part["time"], part["ci_low"])
                _, high = _stepped(start, 0.0, part["time"], part["ci_high"])
                band = ax.fill_between(
                    x, low, high, step="post", color=colour, alpha=BAND_ALPHA * 0.8, linewidth=0
                )
                band.set_gid("band")
                if np.isfinite(high).any():
                    top = max(top, float(np.nanmax(high)))
    ax.set_ylim(0.0, min(1.0, max(top * 1.05, 0.05)))
    ax.yaxis.set_major_locator(_round_locator())
    ax.yaxis.set_major_formatter(NumberFormatter(lang))
    ax.set_xlabel(label("weeks", lang) if xlabel is None else xlabel)
    ax.set_ylabel(label("cumulative_incidence", lang) if ylabel is None else ylabel)
    times = _freeze_time_ticks(ax, start, end, risk_times)
    ax.xaxis.set_major_formatter(NumberFormatter(lang))
    ax.legend(loc="upper left")

    note_axes, below = ax, 30.0
    if risk_table:
        _require(table, ["n_risk"], "the cumulative-incidence table (for the risk table)")
        rows = []
        for g in groups:
            part = _part(table, group_column, g)
            part = part[part["cause"] == part["cause"].iloc[0]] if len(part) else part
            counts = _at_risk_from_table(part["time"], part["n_risk"], times)
            rows.append((names[g], group_colours[g], counts))
        note_axes, below = _draw_risk_table(ax, rows, times, lang, threshold), 4.0
    if threshold is not None:
        _curve_note(note_axes, threshold, lang, below, truncated)
    return _declare(fig, threshold)


# ---------------------------------------------------------------------- weekly shares
def _treatment_vector(treatment, n: int) -> np.ndarray:
    values = treatment.to_numpy() if isinstance(treatment, pd.Series | pd.Index) else treatment
    values = np.asarray(values)
    if values.ndim != 1 or values.shape[0] != n:
        raise TreatmentError(
            f"treatment must have one 0/1 value per panel row ({n} rows, in panel order); "
            f"got shape {values.shape}."
        )
    if values.dtype == bool:
        return values.astype(np.int8)
    numeric = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isin(numeric, (0.0, 1.0))
    if bad.any():
        shown = pd.unique(pd.Series(values)[bad])[:5].tolist()
        raise TreatmentError(
            f"treatment must be 0/1 or boolean; {int(bad.sum())} values are not, e.g. {shown}. "
            "Code the programme arm as 1 and the control arm as 0."
        )
    arms = numeric.astype(np.int8)
    if arms.min() == arms.max():
        raise TreatmentError(
            f"treatment has only arm {int(arms[0])}; share_by_week compares two arms."
        )
    return arms


def _interval(p, n, z, method):
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "wald":
            half = z * np.sqrt(p * (1 - p) / n)
            return np.clip(p - half, 0.0, 1.0), np.clip(p + half, 0.0, 1.0)
        denominator = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
        return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def _influence_covariance(observed, inside, share, n_obs, chunk: int = 20_000) -> np.ndarray:
    """sum_i psi_iw psi_iv, psi_iw = o_iw (y_iw - p_w) / n_w, in chunks of persons."""
    centre = np.nan_to_num(share)
    scale = 1.0 / np.maximum(n_obs, 1)
    covariance = np.zeros((share.size, share.size))
    for start in range(0, observed.shape[0], chunk):
        o = observed[start : start + chunk]
        psi = np.where(o, inside[start : start + chunk] - centre, 0.0) * scale
        covariance += psi.T @ psi
    return covariance


def _sup_t_critical(covariance: np.ndarray, alpha: float, n_draws: int, seed: int) -> float:
    """1 - alpha quantile of max |Z|, Z ~ N(0, R), R the correlation matrix of ``covariance``."""
    z = stats.norm.isf(alpha / 2.0)
    sd = np.sqrt(np.diag(covariance))
    keep = sd > 1e-12
    k = int(keep.sum())
    if k <= 1:
        return float(z)
    correlation = covariance[np.ix_(keep, keep)] / np.outer(sd[keep], sd[keep])
    eigenvalues, vectors = np.linalg.eigh(correlation)
    factor = vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))
    rng = np.random.default_rng(seed)
    maxima = np.empty(n_draws)
    chunk = max(1, min(n_draws, 2_000_000 // k))
    for start in range(0, n_draws, chunk):
        draws = rng.standard_normal((min(chunk, n_draws - start), k)) @ factor.T
        maxima[start : start + draws.shape[0]] = np.abs(draws).max(axis=1)
    return float(max(np.quantile(maxima, 1.0 - alpha), z))


def share_by_week(
    panel,
    states,
    treatment,
    alpha: float = 0.05,
    weeks=None,
    interval: str = "wilson",
    simultaneous: str = "sup-t",
    n_draws: int = 20_000,
    seed: int = 20_240_601,
    data: pd.DataFrame | None = None,
    id: str = "id",
) -> pd.DataFrame:
    """The share of persons in ``states`` week by week after randomization, per arm.

    Parameters
    ----------
    panel : an aligned :class:`~evalkit.panel.StatusPanel` (week 0 = randomization).
    states : a state name or a list of names (e.g. ``"self_sufficient"``).
    treatment : the arm, 0/1 (or boolean): the name of a column of ``data`` (the trial
        list, one row per person), or one value per panel row in panel order (array or
        Series).
    alpha : 1 - confidence level.
    weeks : the weeks to compute (week numbers of the panel); default every week from
        0 to the panel's last. The simultaneous band covers exactly these weeks.
    interval : pointwise interval, ``"wilson"`` (default; sensible near 0 % and 100 %) or
        ``"wald"`` (clipped to [0, 1]).
    simultaneous : ``"sup-t"`` (default; from the correlation of the weekly shares, by a
        seeded simulation of ``n_draws`` draws) or ``"bonferroni"``. See the module
        docstring.
    n_draws, seed : draws and seed of the sup-t simulation.
    data : the trial list holding the ``treatment`` column, one row per person with the
        panel's ids in column ``id`` (the frame the panel was aligned with); needed when
        ``treatment`` is a column name.
    id : the id column of ``data`` (default ``"id"``).

    Returns
    -------
    DataFrame with one row per arm (1 = treatment first, then 0) and week: ``week``,
    ``arm``, ``n_observed`` (persons observed that week: the denominator), ``n_in_state``,
    ``share``, ``ci_low``, ``ci_high`` (pointwise), ``simultaneous_low``,
    ``simultaneous_high``, ``n_not_in_state`` (observed but not in the states).
    ``frame.attrs`` records the ``critical_value`` of each arm's simultaneous band,
    ``interval``, ``simultaneous`` and ``alpha``. The numbers are exact; the frame declares
    to the output gate (:func:`evalkit.output.declare_table`) its counts (``n_observed``
    as the total of ``n_in_state`` and ``n_not_in_state``) and the shares and intervals
    as resting on them, so that an export suppresses a week where the persons in the
    states, or those out of them, are 1 to 4 (either follows from the share and the
    denominator), with the secondary suppression that keeps it from being recovered.

    Example
    -------
    >>> import numpy as np
    >>> from evalkit.panel import StatusPanel
    >>> codes = np.array([[1, 0, 0], [1, 1, 0], [1, 1, -1], [1, 0, 0]])
    >>> panel = StatusPanel(np.arange(4), codes, ("job", "benefit"), aligned=True)
    >>> trial = pd.DataFrame({"id": [0, 1, 2, 3], "treated": [1, 1, 0, 0]})
    >>> out = share_by_week(panel, "job", treatment="treated", data=trial)
    >>> out[["week", "arm", "n_observed", "n_in_state", "share"]]
       week  arm  n_observed  n_in_state  share
    0     0    1           2           0    0.0
    1     1    1           2           1    0.5
    2     2    1           2           2    1.0
    3     0    0           2           0    0.0
    4     1    0           2           1    0.5
    5     2    0           1           1    1.0
    """
    alpha = check_alpha(alpha)
    check_choice(interval, "interval", INTERVALS)
    check_choice(simultaneous, "simultaneous", SIMULTANEOUS)
    if not hasattr(panel, "codes") or not hasattr(panel, "in_states"):
        raise ArgumentError(f"panel must be a StatusPanel; got {type(panel).__name__}.")
    if not getattr(panel, "aligned", False):
        raise ArgumentError(
            "share_by_week needs an aligned panel (week 0 = randomization): call "
            "panel.align(trial, id=..., reference=...) first."
        )
    if isinstance(n_draws, bool) or not isinstance(n_draws, int | np.integer) or n_draws < 100:
        raise ArgumentError(f"n_draws must be a whole number of at least 100; got {n_draws!r}.")
    if isinstance(treatment, str):
        if data is None:
            raise ArgumentError(
                f"treatment={treatment!r} names a column: give the trial list as data= "
                "(one row per person, the panel's ids in column id=), or pass the arm as "
                "one 0/1 value per panel row."
            )
        treatment = trial_values(panel, data, id, [treatment], "data")[treatment]
    elif data is not None:
        raise ArgumentError("data= is used only when treatment names a column of it.")
    arms = _treatment_vector(treatment, panel.n_persons)
    if weeks is None:
        week_numbers = panel.weeks[panel.weeks >= 0]
    else:
        week_numbers = np.atleast_1d(np.asarray(list(weeks) if not np.isscalar(weeks) else weeks))
    if week_numbers.size == 0:
        raise ArgumentError("no weeks to compute: the panel has no weeks from 0 on.")
    columns = np.array([panel.column(w) for w in week_numbers], dtype=np.intp)
    inside = panel.in_states(states)[:, columns]
    observed = panel.codes[:, columns] >= 0
    z = stats.norm.isf(alpha / 2.0)
    frames, critical = [], {}
    for arm in (1, 0):
        rows = arms == arm
        o, y = observed[rows], inside[rows]
        n_obs = o.sum(axis=0)
        n_in = y.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(n_obs > 0, n_in / n_obs, np.nan)
        low, high = _interval(share, n_obs, z, interval)
        if simultaneous == "sup-t":
            covariance = _influence_covariance(o, y, share, n_obs)
            c = _sup_t_critical(covariance, alpha, int(n_draws), int(seed) + arm)
        else:
            c = float(stats.norm.isf(alpha / (2.0 * max(int((n_obs > 0).sum()), 1))))
        critical[arm] = c
        s_low, s_high = _interval(share, n_obs, c, interval)
        frames.append(
            pd.DataFrame(
                {
                    "week": week_numbers.astype(np.int64),
                    "arm": np.full(week_numbers.size, arm, dtype=np.int64),
                    "n_observed": n_obs.astype(np.int64),
                    "n_in_state": n_in.astype(np.int64),
                    "share": share,
                    "ci_low": low,
                    "ci_high": high,
                    "simultaneous_low": s_low,
                    "simultaneous_high": s_high,
                    "n_not_in_state": (n_obs - n_in).astype(np.int64),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out.attrs.update(
        {"critical_value": critical, "interval": interval, "simultaneous": simultaneous,
         "alpha": alpha, "n_draws": int(n_draws), "seed": int(seed)}
    )  # fmt: skip
    from ..output.declare import declare_table

    return declare_table(
        out,
        counts=["n_observed", "n_in_state", "n_not_in_state"],
        dependent=["share", "ci_low", "ci_high", "simultaneous_low", "simultaneous_high"],
        totals={"column": "n_observed"},
    )


def _suppress_small_shares(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Shares whose persons in or out of the state are small counts under the output
    rules (1..threshold-1, and 0 when the rules call zeros disclosive), or whose week has
    fewer than ``threshold`` persons observed, become NaN. Columns ``range_low`` and
    ``range_high`` give, for a week left out because one of the two counts is small (and
    the other and the denominator are not), the shares that "fewer than ``threshold``"
    allows, as a table would show ``<5``; NaN elsewhere."""
    n_obs = frame["n_observed"].to_numpy(dtype=float)
    n_in = frame["n_in_state"].to_numpy(dtype=float)
    n_out = n_obs - n_in
    small_in = np.array([_small(v, threshold) for v in n_in], dtype=bool)
    small_out = np.array([_small(v, threshold) for v in n_out], dtype=bool)
    too_few = n_obs < threshold
    small = small_in | small_out | too_few
    out = frame.copy()
    value_columns = ["share", "ci_low", "ci_high", "simultaneous_low", "simultaneous_high"]
    out.loc[small, value_columns] = np.nan
    zero = 0.0 if _small(0, threshold) else 1.0  # can the hidden count be 0?
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(small_in, zero / n_obs, (n_obs - threshold + 1) / n_obs)
        high = np.where(small_in, (threshold - 1) / n_obs, (n_obs - zero) / n_obs)
    ranged = (small_in ^ small_out) & ~too_few
    out["range_low"] = np.where(ranged, low, np.nan)
    out["range_high"] = np.where(ranged, high, np.nan)
    return out


def _isolated(values: np.ndarray) -> np.ndarray:
    """Finite values whose neighbours are both missing (a line through them draws nothing)."""
    shown = np.isfinite(values)
    before = np.concatenate(([False], shown[:-1]))
    after = np.concatenate((shown[1:], [False]))
    return shown & ~before & ~after


#: Hatches of the weeks suppressed for small counts, by arm: crossing directions, so the
#: ranges of the two arms stay apart where they overlap.
RANGE_HATCH = {1: "////", 0: "\\\\\\\\"}
SUP_COLUMNS = ("simultaneous_low", "simultaneous_high")


def _tint(colour) -> tuple:
    """``colour`` at :data:`BAND_ALPHA` over white, as an opaque colour: a band drawn in
    it looks as before, but two bands cannot blend into a third colour."""
    rgb = np.asarray(mcolors.to_rgb(colour))
    return tuple(BAND_ALPHA * rgb + (1.0 - BAND_ALPHA))


def _band_edges(part: pd.DataFrame, columns, min_weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """The band's low and high edges of one arm, NaN outside runs of at least
    ``min_weeks`` consecutive weeks where both are defined (a shorter run is no band,
    only a fragment; its shares stay drawn)."""
    low, high = (part[c].to_numpy(dtype=float) for c in columns)
    shown = np.isfinite(low) & np.isfinite(high)
    keep = np.zeros_like(shown)
    edges = np.flatnonzero(np.diff(np.r_[0, shown.astype(np.int8), 0]))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        keep[start:stop] = stop - start >= min_weeks
    return np.where(keep, low, np.nan), np.where(keep, high, np.nan)


def _outline(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One closed outline per run of defined weeks (low edge out, high edge back), the
    runs separated by NaN: the band of an arm as one line artist."""
    xs, ys = [], []
    edges = np.flatnonzero(np.diff(np.r_[0, np.isfinite(low).astype(np.int8), 0]))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        run = slice(start, stop)
        xs += [x[run], x[run][::-1], x[start : start + 1], [np.nan]]
        ys += [low[run], high[run][::-1], low[start : start + 1], [np.nan]]
    if not xs:
        return np.array([]), np.array([])
    return np.concatenate(xs), np.concatenate(ys)


def _shade_bands(ax, x, edges, colours, gid: str) -> bool:
    """Each arm's band in its own opaque tint (gid ``gid``) and, where the two bands
    overlap, that part striped in both tints (gid ``"band_overlap"``): no overlap turns
    into a third colour that a legend swatch could be taken for. True when the bands
    overlap somewhere."""
    for arm in (1, 0):
        fill = ax.fill_between(x[arm], *edges[arm], facecolor=_tint(colours[arm]),
                               linewidth=0, zorder=1.2)  # fmt: skip
        fill.set_gid(gid)
    low = np.maximum(edges[1][0], edges[0][0])  # NaN where either band is missing
    high = np.minimum(edges[1][1], edges[0][1])
    with np.errstate(invalid="ignore"):
        both = np.isfinite(low) & np.isfinite(high) & (low < high)
    if both.any():
        overlap = ax.fill_between(x[1], low, high, where=both, interpolate=True,
                                  **_overlap_style(colours), linewidth=0, zorder=1.4)  # fmt: skip
        overlap.set_gid("band_overlap")
    return bool(both.any())


def _overlap_style(colours) -> dict:
    """Stripes of the two tints, about equally wide (the overlap of two bands)."""
    return {"facecolor": _tint(colours[1]), "hatch": "//", "hatchcolor": _tint(colours[0]),
            "hatch_linewidth": 5.0}  # fmt: skip


def _share_legend(colours, names, band, ranges, simultaneous, level, lang, threshold, overlap):
    """Legend handles and texts of :func:`share_plot`. Each arm's entry is its line on its
    own band tint; a band's entry shows both arms' tints and, when the bands overlap,
    their striped overlap, as drawn: no swatch that an overlap could be taken for."""
    from matplotlib.legend_handler import HandlerTuple

    def swatch(colour):
        return Patch(facecolor=_tint(colour), linewidth=0)

    shaded = band in ("both", "pointwise", "simultaneous")
    handles, texts, split = [], [], {}
    for arm in (1, 0):
        line = Line2D([], [], color=colours[arm], linewidth=LINE_WIDTH)
        handles.append((swatch(colours[arm]), line) if shaded else line)
        texts.append(names[arm])
    method = "sup-t" if simultaneous == "sup-t" else "Bonferroni"
    tints = (swatch(colours[1]), swatch(colours[0]))
    if overlap:
        tints += (Patch(**_overlap_style(colours), linewidth=0),)
    entries = []
    if band in ("both", "pointwise"):
        entries.append((tints, label("pointwise_band", lang, level=level)))
    if band == "both":
        dotted = tuple(Line2D([], [], color=colours[a], linestyle=":", linewidth=1.2)
                       for a in (1, 0))  # fmt: skip
        entries.append((dotted, label("simultaneous_band", lang, level=level, method=method)))
    if band == "simultaneous":
        entries.append((tints, label("simultaneous_band", lang, level=level, method=method)))
    if ranges:
        hatched = tuple(
            Patch(facecolor="none", hatch=RANGE_HATCH[a], hatchcolor=colours[a], linewidth=0)
            for a in (1, 0) if a in ranges
        )  # fmt: skip
        entries.append((hatched, label("share_range_small", lang, threshold=threshold)))
    for handle, text in entries:
        handles.append(handle)
        texts.append(text)
        split[handle] = HandlerTuple(ndivide=None, pad=0.0)
    return handles, texts, split


def _states_label(states, lang: str) -> str:
    names = [states] if isinstance(states, str) else list(states)
    if names == ["self_sufficient"]:
        return label("share_self_sufficient", lang)
    return label("share_in_states", lang, states=terms(names, lang))


@_styled
def share_plot(
    panel,
    states,
    treatment,
    ax: Axes | None = None,
    lang: str = "en",
    band: str = "both",
    alpha: float = 0.05,
    weeks=None,
    disclosure: int | None = 5,
    interval: str = "wilson",
    simultaneous: str = "sup-t",
    labels=None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    figsize: tuple[float, float] | None = None,
    data: pd.DataFrame | None = None,
    id: str = "id",
    min_band_weeks: int = 4,
) -> Figure:
    """The share in ``states`` week by week after randomization, treatment vs control:
    the standard figure of Danish trial reports.

    The numbers are :func:`share_by_week`'s (call it for the table behind the figure);
    the denominator of each week is the persons observed that week.

    Parameters
    ----------
    panel, states, treatment, alpha, weeks, interval, simultaneous, data, id : as
        `share_by_week` (``treatment="treated", data=trial``: the arm from the trial
        list; or one 0/1 value per panel row).
    band : ``"both"`` (default: pointwise interval shaded, simultaneous band as a dotted
        outline), ``"pointwise"``, ``"simultaneous"`` (shaded) or ``"none"``. Each arm's
        band is shaded in an opaque tint of its colour and the part where the two bands
        overlap is striped in both tints, so an overlap never shows as a third colour;
        the simultaneous band of ``"both"`` is one closed dotted outline per stretch of
        weeks where it is defined.
    disclosure : threshold (default 5): a week's share is left out where the persons in
        the state or out of it number 1 to 4 (or fewer than 5 are observed); a note says
        so, and the shares "fewer than 5" allows are drawn as a hatched range (the arms
        hatched in crossing directions). None: off.
    min_band_weeks : bands are drawn only over runs of at least this many consecutive
        shown weeks (default 4); shorter runs between left-out weeks would be fragments.
        Their shares are still drawn (a lone week as a dot) and are in
        :func:`share_by_week`'s table.
    labels : arm names, a dict ``{1: ..., 0: ...}`` (default Treatment/Control in ``lang``).
    xlabel, ylabel : defaults "Weeks since randomization" and "Share self-sufficient"
        (for ``states="self_sufficient"``; "Share in ..." otherwise).

    Notes
    -----
    Artists have gids ``"share"``, ``"share_point"``, ``"pointwise_band"``,
    ``"simultaneous_band"``, ``"band_overlap"``, ``"small_range"``, ``"disclosure_note"``.

    Example
    -------
    >>> import numpy as np
    >>> from evalkit.panel import StatusPanel
    >>> rng = np.random.default_rng(1)
    >>> codes = (rng.random((60, 10)) < np.linspace(0.1, 0.5, 10)).astype(int)
    >>> panel = StatusPanel(np.arange(60), codes, ("benefit", "self_sufficient"), aligned=True)
    >>> trial = pd.DataFrame({"id": np.arange(60), "treated": np.repeat([1, 0], 30)})
    >>> fig = share_plot(panel, "self_sufficient", treatment="treated", data=trial,
    ...                  lang="da", disclosure=None)
    >>> fig.axes[0].get_ylabel()
    'Andel selvforsørgende'
    """
    check_lang(lang)
    check_choice(band, "band", BANDS)
    threshold = _check_disclosure(disclosure)
    if (isinstance(min_band_weeks, bool) or not isinstance(min_band_weeks, int | np.integer)
            or min_band_weeks < 1):  # fmt: skip
        raise ArgumentError(
            f"min_band_weeks must be a whole number of weeks, at least 1; got {min_band_weeks!r}."
        )
    numbers = share_by_week(
        panel, states, treatment, alpha=alpha, weeks=weeks, interval=interval,
        simultaneous=simultaneous, data=data, id=id,
    )  # fmt: skip
    if threshold is not None:
        numbers = _suppress_small_shares(numbers, threshold)
    names = _group_names([1, 0], labels, lang)
    colours = _group_colours([1, 0], names)
    fig, ax = _canvas(ax, figsize or FIGSIZE)
    ax.set_label("share")
    level = format_level(alpha, lang)
    parts = {arm: numbers[numbers["arm"] == arm] for arm in (1, 0)}
    x = {arm: parts[arm]["week"].to_numpy(dtype=float) for arm in (1, 0)}
    ranges = {}
    for arm in (1, 0):
        part = parts[arm]
        if "range_low" in part.columns and part["range_low"].notna().any():
            # weeks left out for a count of fewer than `threshold` persons: the shares that
            # "<5" allows, hatched (no fill: the two arms' hatches cross, never blend)
            ranges[arm] = ax.fill_between(
                x[arm], part["range_low"], part["range_high"], step="mid", facecolor="none",
                hatch=RANGE_HATCH[arm], hatchcolor=colours[arm], linewidth=0, zorder=1.6,
            )  # fmt: skip
            ranges[arm].set_gid("small_range")
    overlap = False
    shaded = {"both": "ci", "pointwise": "ci", "simultaneous": "simultaneous"}.get(band)
    if shaded:
        columns = ("ci_low", "ci_high") if shaded == "ci" else SUP_COLUMNS
        gid = "pointwise_band" if shaded == "ci" else "simultaneous_band"
        edges = {arm: _band_edges(parts[arm], columns, min_band_weeks) for arm in (1, 0)}
        overlap = _shade_bands(ax, x, edges, colours, gid)
    for arm in (1, 0):
        part, colour = parts[arm], colours[arm]
        if band == "both":
            low, high = _band_edges(part, SUP_COLUMNS, min_band_weeks)
            (edge,) = ax.plot(*_outline(x[arm], low, high), color=colour, linestyle=":",
                              linewidth=1.0, label="_simultaneous", zorder=1.8)  # fmt: skip
            edge.set_gid("simultaneous_band")
        share = part["share"].to_numpy(dtype=float)
        (line,) = ax.plot(x[arm], share, color=colour, label=names[arm], lw=LINE_WIDTH)
        line.set_gid("share")
        lone = _isolated(share)
        if lone.any():  # a week shown between left-out weeks: a dot, not an invisible line
            (dots,) = ax.plot(x[arm][lone], share[lone], linestyle="none", marker="o",
                              markersize=3.5, color=colour, label="_isolated")  # fmt: skip
            dots.set_gid("share_point")
    handles, texts, handler_map = _share_legend(
        colours, names, band, ranges, simultaneous, level, lang, threshold, overlap
    )
    # above the axes (the layout makes room): the legend never covers a curve
    ax.legend(handles, texts, handler_map=handler_map, loc="lower left", ncol=2,
              bbox_to_anchor=(0.0, 1.01), borderaxespad=0.0, handlelength=2.4,
              fontsize=SMALL_FONT_SIZE, columnspacing=1.2)  # fmt: skip
    weeks_shown = numbers["week"].to_numpy()
    ax.set_xlim(weeks_shown.min(), weeks_shown.max())
    if weeks_shown.min() < 0 <= weeks_shown.max():
        ax.axvline(0, color="#888888", linewidth=0.8, linestyle="--", gid="randomization")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=9, integer=True))
    ax.xaxis.set_major_formatter(NumberFormatter(lang, decimals=0))
    ax.set_ylim(bottom=0.0)
    ax.yaxis.set_major_locator(_round_locator())
    ax.yaxis.set_major_formatter(NumberFormatter(lang, percent=True))
    ax.set_xlabel(label("weeks_since_randomization", lang) if xlabel is None else xlabel)
    ax.set_ylabel(_states_label(states, lang) if ylabel is None else ylabel)
    if threshold is not None:
        _disclosure_note(ax, threshold, lang, 30.0)
    return _declare(fig, threshold)


# ---------------------------------------------------------------------- forest plot
def _declare(
    fig: Figure, threshold: int | None, counts: bool = True, lang: str | None = None
) -> Figure:
    """Record on ``fig`` the threshold of disclosure control it was drawn with
    (:func:`evalkit.output.gate.declare_figure`) and, when given, its language (the
    functions decorated with ``_styled`` record theirs after drawing). The provenance of
    the data is declared where the figure leaves: ``save_figure(..., source=...)`` /
    ``export(..., source=...)`` (``"synthetic"``, ``"public"``, ``"published"``, stamped
    on the saved figure); until then it is register data."""
    from ..output.gate import declare_figure

    return declare_figure(fig, threshold, source="register", counts=counts, lang=lang)


def _small(count, threshold: int) -> bool:
    """A count of persons that may not be shown at ``threshold`` (zeros too when the
    output rules in force call them disclosive)."""
    from ..results import small_count

    return small_count(count, threshold)


_RATIO_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0,
                10.0, 20.0, 50.0, 100.0)  # fmt: skip


@_styled
def forest_plot(
    results,
    labels: Sequence[str] | None = None,
    ax: Axes | None = None,
    lang: str = "en",
    ref: float | None = None,
    table: bool = True,
    digits: int = 2,
    xlabel: str | None = None,
    figsize: tuple[float, float] | None = None,
    disclosure: int | None = 5,
    pooled: Sequence[tuple] | None = None,
    note: str | None = None,
) -> Figure:
    """Estimates and confidence intervals of several effects (outcomes or subgroups),
    with the numbers as a table to the right.

    Parameters
    ----------
    results : a list of :class:`~evalkit.results.EffectResult`, or a dict
        ``{label: EffectResult}``.
    labels : one row label per result (default: the dict keys, else each result's
        ``outcome``).
    ref : the reference line (default 0 for differences, 1 for ratios). When every
        result has ``scale == "ratio"`` the x axis is logarithmic; mixing ratios and
        differences is an error.
    table : show "estimate [CI]" and the p-value of each row to the right.
    digits : decimals of the numbers in the table.
    xlabel : default "Difference (treatment − control)" or "Ratio (treatment / control)".
    disclosure : threshold of disclosure control (default 5). A row whose result rests on
        an arm of 1 to 4 units (0 too when the output rules call zeros disclosive) is
        drawn without its point and interval: the row shows ``"x (suppressed)"`` at the
        reference line, ``"x"`` in the table, and the axis limits are set by the other
        rows only; a note under the figure says why. None: off (every row drawn exactly;
        :func:`~evalkit.report.save_figure` then refuses the figure unless ``source``
        declares the data synthetic, public or published).
    pooled : pooled effects drawn as diamonds below the rows, each
        ``(label, estimate, low, high)`` or ``(label, estimate, low, high, pi_low,
        pi_high)`` with a prediction interval drawn as a thin line through the diamond
        (a meta-analysis of the rows, e.g. :func:`evalkit.effects.pool_sites`). They
        rest on every row, so when a row is suppressed they are too (drawn as
        ``"x (suppressed)"``).
    note : a line of text under the figure (e.g. the heterogeneity of pooled sites); it
        passes the output gate's text checks like every other text of the figure, and is
        left out when a row is suppressed (it may rest on the hidden row).

    Disclosure control
    ------------------
    Every row is an :class:`~evalkit.results.EffectResult`, which carries its arm sizes,
    so every row is checked: the plot takes no bare numbers whose counts it cannot see,
    and the figure is declared to the output gate as showing counts-based numbers
    controlled at ``disclosure`` (:func:`evalkit.output.gate.declare_figure`). No arm
    sizes are drawn. The estimates of overlapping subgroups (all / men / women) are not
    sums of counts, so no suppressed row follows exactly from the shown ones; with the
    arm sizes known from elsewhere a suppressed subgroup's effect may still be
    approximated from the overall and the complementary subgroup's, which the output
    checker should keep in mind.

    Artists have gids ``"ci"`` (one line per shown result), ``"estimate"`` (the
    points), ``"reference"``, ``"suppressed"`` (the texts of suppressed rows),
    ``"disclosure_note"``, ``"pooled"`` (the diamonds) and ``"table"`` (texts, on the axes labelled
    ``"forest_table"``).

    Example
    -------
    >>> import pandas as pd
    >>> from evalkit.effects import difference_in_means
    >>> d = pd.DataFrame({"y": [1.0, 2, 3, 4, 2, 3, 5, 6], "z": [2.0, 1, 2, 3, 4, 3, 5, 4],
    ...                   "t": [0, 0, 0, 0, 1, 1, 1, 1]})
    >>> res = [difference_in_means(d, o, "t") for o in ("y", "z")]
    >>> fig = forest_plot(res, lang="da")  # arms of 4 persons: suppressed
    >>> print(*(t.get_text() for t in fig.axes[0].texts if t.get_gid() == "suppressed"))
    x (undertrykt) x (undertrykt)
    >>> fig = forest_plot(res, lang="da", disclosure=None)  # save with source="synthetic"
    >>> len([l for l in fig.axes[0].lines if l.get_gid() == "ci"])
    2
    """
    check_lang(lang)
    threshold = _check_disclosure(disclosure)
    if isinstance(results, EffectResult):
        results = [results]
    if isinstance(results, Mapping):
        if labels is None:
            labels = [str(k) for k in results]
        results = list(results.values())
    results = list(results) if results is not None else []
    if not results:
        raise ArgumentError(
            "forest_plot needs at least one EffectResult; got an empty list. Pass the "
            "results of the estimators, e.g. [difference_in_means(...), ...]."
        )
    wrong = [i for i, r in enumerate(results) if not isinstance(r, EffectResult)]
    if wrong:
        raise ArgumentError(
            f"forest_plot takes EffectResult objects; items {wrong[:5]} are "
            f"{type(results[wrong[0]]).__name__}."
        )
    scales = {r.scale for r in results}
    if len(scales) > 1:
        raise ArgumentError(
            "forest_plot cannot draw ratios and differences on one axis; the results have "
            f"scales {sorted(scales)}. Plot them in two figures."
        )
    ratio = scales == {"ratio"}
    if labels is None:
        labels = [r.outcome for r in results]
    labels = [str(v) for v in labels]
    if len(labels) != len(results):
        raise ArgumentError(f"labels has {len(labels)} entries for {len(results)} results.")
    if ref is None:
        ref = 1.0 if ratio else 0.0
    ref = float(ref)
    if ratio and ref <= 0:
        raise ArgumentError(f"ref must be positive on the ratio scale; got {ref}.")
    pooled = [_pooled_row(p) for p in (pooled or [])]
    n_rows = len(results)
    n = n_rows + len(pooled)
    if figsize is None:
        figsize = (FIGSIZE[0] + (0.6 if table else 0.0), 1.1 + 0.42 * n)
    fig, ax = _canvas(ax, figsize)
    ax.set_label("forest")
    ax.grid(False)
    ax.grid(True, axis="x", color="#DDDDDD", linewidth=0.6)
    ys = np.arange(n)[::-1].astype(float)
    pooled_ys, ys = ys[n_rows:], ys[:n_rows]
    hidden = np.array(
        [threshold is not None and r.suppressed(threshold) for r in results], dtype=bool
    )
    pooled_hidden = bool(hidden.any())
    pooled_values = np.array([p[1:4] for p in pooled], dtype=float).reshape(-1, 3)
    prediction = np.array([p[4:] or (np.nan, np.nan) for p in pooled], dtype=float)
    prediction = prediction.reshape(-1, 2)
    if pooled_hidden:
        pooled_values[:] = np.nan
        prediction[:] = np.nan
    estimates = np.array([r.estimate for r in results], dtype=float)
    lows = np.array([r.conf_int[0] for r in results], dtype=float)
    highs = np.array([r.conf_int[1] for r in results], dtype=float)
    estimates[hidden] = lows[hidden] = highs[hidden] = np.nan  # not drawn, not in the limits
    for y, lo, hi, h in zip(ys, lows, highs, hidden, strict=True):
        if h:
            continue
        (line,) = ax.plot([lo, hi], [y, y], color=COLOURS["neutral"], linewidth=1.6,
                          solid_capstyle="butt")  # fmt: skip
        line.set_gid("ci")
    (points,) = ax.plot(
        estimates[~hidden], ys[~hidden], linestyle="none", marker="s", markersize=7,
        color=COLOURS["control"],
    )  # fmt: skip
    points.set_gid("estimate")
    ax.axvline(ref, color="#777777", linestyle="--", linewidth=1.0, gid="reference")
    for y, (mid, lo, hi) in zip(pooled_ys, pooled_values, strict=True):
        if pooled_hidden:
            continue
        ax.fill([lo, mid, hi, mid], [y, y + 0.28, y, y - 0.28], color=COLOURS["treatment"],
                gid="pooled")  # fmt: skip
    for y, (lo, hi) in zip(pooled_ys, prediction, strict=True):
        if np.isfinite(lo) and np.isfinite(hi):
            (line,) = ax.plot([lo, hi], [y, y], color=COLOURS["treatment"], linewidth=1.0,
                              zorder=1)  # fmt: skip
            line.set_gid("prediction")
    for y in [*ys[hidden], *(pooled_ys if pooled_hidden else [])]:  # whatever the limits
        ax.text(0.5, y, label("row_suppressed", lang), transform=ax.get_yaxis_transform(),
                ha="center", va="center", fontsize=FONT_SIZE - 1, color=COLOURS["note"],
                gid="suppressed", bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0},
                )  # fmt: skip
    ax.set_yticks([*ys, *pooled_ys])
    ax.set_yticklabels([*labels, *(p[0] for p in pooled)])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.set_ylim(-0.7, n - 0.3)
    values = np.concatenate(
        [estimates, lows, highs, pooled_values.ravel(), prediction.ravel(), [ref]]
    )
    values = values[np.isfinite(values)]
    if ratio:
        values = values[values > 0]
        ax.set_xscale("log")
        low, high = values.min(), values.max()
        if high <= low:  # only the reference line (every row suppressed)
            low, high = low / 2.0, high * 2.0
        span = (high / low) ** 0.06
        ax.set_xlim(low / span, high * span)
        ticks = [t for t in _RATIO_TICKS if low / span <= t <= high * span]
        if len(ticks) < 3:
            ticks = sorted({*ticks, *np.round(np.geomspace(low, high, 3), 2)})
        while len(ticks) > 7:
            thinned = ticks[::2]
            ticks = sorted({*thinned, ref}) if ref in ticks else thinned
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_minor_formatter(NullFormatter())
    else:
        low, high = values.min(), values.max()
        pad = 0.06 * (high - low if high > low else max(abs(high), 1.0))
        ax.set_xlim(low - pad, high + pad)
        ax.xaxis.set_major_locator(_round_locator(6))
    ax.xaxis.set_major_formatter(NumberFormatter(lang))
    ax.set_xlabel(xlabel if xlabel is not None else label("ratio" if ratio else "difference", lang))
    if table:
        divider = make_axes_locatable(ax)
        tax = divider.append_axes("right", size=2.4, pad=0.15, sharey=ax)
        tax.set_label("forest_table")
        tax.set_axis_off()
        tax.set_xlim(0, 1)
        alphas = {r.alpha for r in results}
        level = format_level(alphas.pop(), lang) if len(alphas) == 1 else ""
        header = label("estimate_ci", lang, level=level).replace(" [ CI]", " [CI]")
        if not level:
            header = header.replace("[-KI]", "[KI]")
        tax.text(0.0, 1.0, header, transform=tax.transAxes, ha="left", va="bottom",
                 fontweight="bold", fontsize=FONT_SIZE - 1, gid="table")  # fmt: skip
        tax.text(0.86, 1.0, label("p_value", lang), transform=tax.transAxes, ha="left",
                 va="bottom", fontweight="bold", fontsize=FONT_SIZE - 1, gid="table")  # fmt: skip
        for y, r, lo, hi, h in zip(ys, results, lows, highs, hidden, strict=True):
            if h:
                text, p_text = "x", "x"
            else:
                estimate = format_number(r.estimate, digits, lang)
                text = f"{estimate} {format_interval(lo, hi, digits, lang)}"
                p_text = format_p(r.p_value, lang)
            tax.text(0.0, y, text, ha="left", va="center", fontsize=FONT_SIZE - 1, gid="table")
            tax.text(0.86, y, p_text, ha="left", va="center",
                     fontsize=FONT_SIZE - 1, gid="table")  # fmt: skip
        for y, (mid, lo, hi) in zip(pooled_ys, pooled_values, strict=True):
            text = (
                "x"
                if pooled_hidden
                else (f"{format_number(mid, digits, lang)} {format_interval(lo, hi, digits, lang)}")
            )
            tax.text(0.0, y, text, ha="left", va="center", fontsize=FONT_SIZE - 1,
                     fontweight="bold", gid="table")  # fmt: skip
    if note is not None and not hidden.any():
        ax.annotate(
            str(note), xy=(0.0, 0.0), xycoords="axes fraction", xytext=(0.0, -36.0),
            textcoords="offset points", ha="left", va="top", fontsize=SMALL_FONT_SIZE - 0.5,
            color=COLOURS["note"], gid="note", annotation_clip=False,
        )  # fmt: skip
    if hidden.any():
        ax.annotate(
            label("forest_note", lang, threshold=threshold), xy=(0.0, 0.0),
            xycoords="axes fraction", xytext=(0.0, -36.0), textcoords="offset points",
            ha="left", va="top", fontsize=SMALL_FONT_SIZE - 0.5, color=COLOURS["note"],
            fontstyle="italic", gid="disclosure_note", annotation_clip=False,
        )  # fmt: skip
    return _declare(fig, threshold)


def _pooled_row(row) -> tuple:
    """``(label, estimate, low, high[, pi_low, pi_high])`` with numbers as floats."""
    row = tuple(row)
    if len(row) not in (4, 6):
        raise ArgumentError(
            "each pooled row is (label, estimate, low, high) or (label, estimate, low, high, "
            f"pi_low, pi_high); got {len(row)} values."
        )
    return (str(row[0]), *(float(v) for v in row[1:]))


# ---------------------------------------------------------------------- benchmarks
def _period_values(values: pd.Series, what: str):
    """Plot positions of periods: dates for Periods, dates, ISO weeks and date strings."""
    series = pd.Series(values).reset_index(drop=True)
    if series.isna().any():
        raise ArgumentError(f"{what} has missing periods.")
    if isinstance(series.dtype, pd.PeriodDtype):
        return pd.DatetimeIndex(series.dt.to_timestamp()), True
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return pd.DatetimeIndex(series), True
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.to_numpy(dtype=float), False
    text = series.astype(str).str.strip()
    if text.str.match(r"^\d{4}-?W\d{1,2}$", case=False).all():
        from ..panel.weeks import ordinal_to_monday, parse_weeks

        ordinals, _ = parse_weeks(text, what)
        return ordinal_to_monday(ordinals), True
    try:
        return pd.DatetimeIndex(pd.to_datetime(text, format="mixed")), True
    except (ValueError, TypeError):
        raise ArgumentError(
            f"cannot read the periods of {what} (e.g. {text.iloc[0]!r}): use dates, pandas "
            "Periods, 'YYYY-MM' months, ISO weeks ('2024-W05') or numbers."
        ) from None


def _date_axis(ax: Axes, lang: str, first, last) -> None:
    months = max(1, (last.year - first.year) * 12 + last.month - first.month)
    step = next((s for s in (1, 2, 3, 4, 6, 12, 24, 60) if months / s <= 7), 120)
    if step >= 12:
        ax.xaxis.set_major_locator(mdates.YearLocator(step // 12))
    else:
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=range(1, 13, step)))
    ax.xaxis.set_major_formatter(MonthFormatter(lang))


def _check_share_value(value, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ArgumentError(f"{what} must be a proportion in [0, 1]; got {value!r}.") from None
    if not 0.0 <= number <= 1.0:
        raise ArgumentError(
            f"{what} must be a proportion in [0, 1] (0.40 for 40 %); got {value!r}."
        )
    return number


@_styled
def series_plot(
    local: pd.DataFrame,
    national: pd.DataFrame | None,
    target: float | None = None,
    ax: Axes | None = None,
    lang: str = "en",
    local_label: str | None = None,
    national_label: str | None = None,
    higher_is_better: bool = True,
    xlabel: str | None = None,
    ylabel: str | None = None,
    figsize: tuple[float, float] | None = None,
    disclosure: int | None = 5,
) -> Figure:
    """A local share over time against the national average, with the target line and
    the periods where the target is met marked.

    Parameters
    ----------
    local : DataFrame with ``period`` and ``share`` (a proportion), optionally ``ci_low``
        and ``ci_high`` (drawn as a band) and ``denominator`` (the persons the share is
        of). Periods are dates, pandas Periods, ``"YYYY-MM"`` strings, ISO weeks
        (``"2024-W05"``) or numbers.
    national : DataFrame with ``period`` and ``share`` (or None).
    target : the target share (e.g. 0.40), drawn as a line; periods where the local share
        is at or above it (below it with ``higher_is_better=False``) get a marker.
    local_label, national_label : legend names (default "Local", "National average").
    xlabel, ylabel : default "Period" and "Share".
    disclosure : threshold of disclosure control (default 5), applied when ``local`` has
        a ``denominator`` column: a period's local share (and band) is left out where
        fewer than 5 persons are behind it, or where the persons in the outcome
        (``share * denominator``) or out of it number 1 to 4 (either follows from the
        share and the denominator); a note says so. Without ``denominator`` the plot
        cannot check the shares, and the figure is declared to the output gate as drawn
        without control: :func:`~evalkit.report.save_figure` refuses it unless
        ``source`` declares the numbers published, public or synthetic (the national
        series and published local shares are). None: off.

    Notes
    -----
    Artists have gids ``"local"``, ``"local_band"``, ``"national"``, ``"target"``,
    ``"target_met"``, ``"disclosure_note"``.

    Example
    -------
    >>> import pandas as pd
    >>> local = pd.DataFrame({"period": ["2024-01", "2024-02", "2024-03"],
    ...                       "share": [0.36, 0.41, 0.43]})
    >>> national = pd.DataFrame({"period": ["2024-01", "2024-02", "2024-03"],
    ...                          "share": [0.38, 0.38, 0.39]})
    >>> fig = series_plot(local, national, target=0.40, lang="da", local_label="Aalborg")
    >>> print(", ".join(t.get_text() for t in fig.axes[0].get_legend().get_texts()))
    Aalborg, Landsgennemsnit, Mål (40 %), Mål nået
    """
    check_lang(lang)
    _require(local, ["period", "share"], "local")
    if national is not None:
        _require(national, ["period", "share"], "national")
    if target is not None:
        target = _check_share_value(target, "target")
    threshold = _check_disclosure(disclosure)
    fig, ax = _canvas(ax, figsize or FIGSIZE)
    ax.set_label("series")
    x_local, dated = _period_values(local["period"], "local")
    share = pd.to_numeric(local["share"], errors="coerce").to_numpy(dtype=float)
    controlled = threshold is not None and "denominator" in local.columns
    hidden = np.zeros(share.size, dtype=bool)
    if controlled:
        hidden = _small_shares(local["denominator"], share, threshold, "local")
        share = np.where(hidden, np.nan, share)
    colour = COLOURS["control"]
    if {"ci_low", "ci_high"} <= set(local.columns):
        band = ax.fill_between(
            x_local, np.where(hidden, np.nan, local["ci_low"].to_numpy(float)),
            np.where(hidden, np.nan, local["ci_high"].to_numpy(float)),
            color=colour, alpha=BAND_ALPHA, linewidth=0,
        )  # fmt: skip
        band.set_gid("local_band")
    (line,) = ax.plot(
        x_local, share, color=colour, marker="o", markersize=3.5,
        label=local_label or label("local", lang),
    )  # fmt: skip
    line.set_gid("local")
    firsts, lasts = [x_local.min()], [x_local.max()]
    if national is not None:
        x_nat, dated_nat = _period_values(national["period"], "national")
        if dated_nat != dated:
            raise ArgumentError(
                "local and national periods must be of the same kind (both dates or both numbers)."
            )
        (nat,) = ax.plot(
            x_nat, pd.to_numeric(national["share"], errors="coerce").to_numpy(float),
            color=COLOURS["national"], linestyle="--", linewidth=1.6,
            label=national_label or label("national_average", lang),
        )  # fmt: skip
        nat.set_gid("national")
        firsts.append(x_nat.min())
        lasts.append(x_nat.max())
    if target is not None:
        ax.axhline(
            target, color=COLOURS["target"], linestyle="-.", linewidth=1.4, gid="target",
            label=label("target_value", lang, value=format_percent(target, _pct_decimals(target),
                                                                    lang)),
        )  # fmt: skip
        met = share >= target if higher_is_better else share <= target
        met &= np.isfinite(share)
        x_met = x_local[met] if dated else np.asarray(x_local)[met]
        (marks,) = ax.plot(
            x_met, share[met], linestyle="none", marker="o", markersize=8,
            markerfacecolor="none", markeredgewidth=1.6, color=COLOURS["target"],
            label=label("target_met", lang),
        )  # fmt: skip
        marks.set_gid("target_met")
    ax.yaxis.set_major_locator(_round_locator())
    ax.yaxis.set_major_formatter(NumberFormatter(lang, percent=True))
    if dated:
        _date_axis(ax, lang, min(firsts), max(lasts))
    else:
        ax.xaxis.set_major_formatter(NumberFormatter(lang))
    ax.set_xlabel(label("period", lang) if xlabel is None else xlabel)
    ax.set_ylabel(label("share", lang) if ylabel is None else ylabel)
    ax.legend(loc="best")
    if controlled:
        _disclosure_note(ax, threshold, lang, 30.0)
    return _declare(fig, threshold if controlled else None)


def _small_shares(denominator, share: np.ndarray, threshold: int, what: str) -> np.ndarray:
    """Which shares rest on too few persons: a denominator below ``threshold``, or persons
    in (``share * denominator``, rounded) or out of the outcome that are small counts."""
    n = pd.to_numeric(pd.Series(denominator), errors="coerce").to_numpy(dtype=float)
    if n.shape != share.shape or not np.isfinite(n).all() or (n < 0).any():
        raise ArgumentError(f"{what} has missing, negative or non-numeric denominators.")
    inside = np.rint(np.where(np.isfinite(share), share, 0.0) * n)
    outside = n - inside
    return np.array(
        [
            n_i < threshold or _small(a, threshold) or _small(b, threshold)
            for n_i, a, b in zip(n, inside, outside, strict=True)
        ],
        dtype=bool,
    )


def _pct_decimals(value: float) -> int:
    scaled = 100.0 * value
    return 0 if abs(scaled - round(scaled)) < 1e-9 else 1


def _limits_long(limits: pd.DataFrame) -> pd.DataFrame:
    _require(limits, ["denominator"], "limits")
    if "level" in limits.columns:
        _require(limits, ["denominator", "level", "lower", "upper"], "limits")
        frame = limits[["denominator", "level", "lower", "upper"]].reset_index(drop=True)
    else:
        pieces = []
        for column in limits.columns:
            if str(column).startswith("lower_"):
                tag = str(column)[len("lower_") :]
                upper = f"upper_{tag}"
                if upper not in limits.columns:
                    raise ColumnError(f"limits has {column!r} but no {upper!r}.")
                try:
                    level = float(tag.replace(",", "."))
                except ValueError:
                    raise ColumnError(
                        f"cannot read the level of limits column {column!r}; name the columns "
                        "lower_95 / upper_95 or give a long frame with a 'level' column."
                    ) from None
                pieces.append(
                    pd.DataFrame({"denominator": limits["denominator"], "level": level,
                                  "lower": limits[column], "upper": limits[upper]})
                )  # fmt: skip
        if not pieces:
            raise ColumnError(
                "limits must have columns denominator, level, lower, upper (long) or "
                f"denominator, lower_95, upper_95, ... (wide); it has {list(limits.columns)}."
            )
        frame = pd.concat(pieces, ignore_index=True)
    frame = frame.assign(level=pd.to_numeric(frame["level"], errors="coerce"))
    frame["level"] = frame["level"].where(frame["level"] <= 1, frame["level"] / 100.0)
    if frame.isna().any().any() or not frame["level"].between(0, 1, inclusive="neither").all():
        raise ArgumentError("limits has missing values or levels outside (0, 1) / (0, 100).")
    return frame.sort_values(["level", "denominator"], ignore_index=True)


#: Names of the funnel's centre line (``funnel_plot(centre=...)``) -> label key.
FUNNEL_CENTRES = {
    "national": "centre_national",
    "pooled": "centre_pooled",
    "reference": "centre_reference",
    "target": "target_value",
}


@_styled
def funnel_plot(
    units: pd.DataFrame,
    target: float,
    limits: pd.DataFrame,
    ax: Axes | None = None,
    lang: str = "en",
    label_units="outer",
    xlabel: str | None = None,
    ylabel: str | None = None,
    figsize: tuple[float, float] | None = None,
    disclosure: int | None = 5,
    centre: str = "reference",
    goal: float | None = None,
    highlight=None,
) -> Figure:
    """Units (denominator on x, proportion on y) against given control limits.

    The plot draws what it is given; the limits come from the benchmark statistics.

    Parameters
    ----------
    units : DataFrame with ``denominator`` and ``proportion``, optionally ``unit`` (names).
    target : the centre line the limits are drawn around (a national or pooled
        proportion, or a target), in [0, 1].
    limits : control limits by denominator, long (``denominator``, ``level``, ``lower``,
        ``upper``; levels as 0.95 or 95) or wide (``denominator``, ``lower_95``,
        ``upper_95``, ``lower_99.8``...). Limits are interpolated linearly at each unit's
        denominator.
    label_units : which units to name (column ``unit``): ``"outer"`` (default: those
        outside the widest limits), ``"outside"`` (outside any limits), True (all) or
        False (none). Names never overlap: each is put at the nearest free place around
        its point (with a thin leader line when it had to move away), the most extreme
        units first; a name with no free place inside the axes is left out (with
        ``label_units=True`` and many units, most are).
    centre : what the centre line is, for its legend name: ``"reference"`` (default,
        "Reference level (42.8%)"), ``"national"`` ("National average (42.8%)"),
        ``"pooled"`` (the units' pooled proportion) or ``"target"`` ("Target (40%)").
    goal : a target share to draw as its own line ("Target (40%)"), apart from the
        centre line, e.g. a municipality's success criterion of 40 % against the
        national 42.8 %. None: no such line.
    highlight : the unit (a name in ``unit``) or units (a list) the report is about:
        drawn larger, ringed in black and always named in bold, with a legend entry, so
        a reader finds it among all the others. A highlighted unit left out by
        disclosure control is not drawn.
    disclosure : threshold of disclosure control (default 5). A point shows a unit's
        number of persons and its exact proportion, so the persons in the outcome and out
        of it; a unit with fewer than 5 persons, or with 1 to 4 persons in or out of the
        outcome (``proportion * denominator``, rounded), is not drawn (nor named), and a
        note under the figure says how many units were left out. None: off.

    Notes
    -----
    Units within every band are grey; units outside the narrowest band are orange, those
    outside the widest (of two or more) vermillion. Artists have gids ``"limit"``,
    ``"target"`` (the centre line), ``"goal"``, ``"units"`` (one scatter per flag class),
    ``"highlight"`` and ``"unit_label"`` (the names; a highlighted one also has the gid
    ``"highlight_label"``).

    Example
    -------
    >>> import pandas as pd
    >>> units = pd.DataFrame({"unit": ["A", "B", "C"], "denominator": [100, 400, 900],
    ...                       "proportion": [0.52, 0.40, 0.30]})
    >>> n = pd.Series(range(20, 1001, 10))
    >>> limits = pd.DataFrame({"denominator": n, "lower_95": 0.4 - 1.96 * (0.24 / n) ** 0.5,
    ...                        "upper_95": 0.4 + 1.96 * (0.24 / n) ** 0.5})
    >>> fig = funnel_plot(units, 0.40, limits)
    >>> sorted(t.get_text() for t in fig.axes[0].texts)
    ['A', 'C']
    >>> fig = funnel_plot(units, 0.40, limits, centre="national", goal=0.45, highlight="B")
    >>> legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    >>> print(", ".join(legend[1:4]))
    National average (40%), Target (45%), Within limits
    """
    check_lang(lang)
    _require(units, ["denominator", "proportion"], "units")
    target = _check_share_value(target, "target")
    if goal is not None:
        goal = _check_share_value(goal, "goal")
    if label_units not in (True, False, "outside", "outer"):
        raise ArgumentError(
            f"label_units must be True, False, 'outside' or 'outer'; got {label_units!r}."
        )
    if not isinstance(centre, str) or centre not in FUNNEL_CENTRES:
        raise ArgumentError(
            f"centre must be one of {', '.join(FUNNEL_CENTRES)} (what the centre line is); "
            f"got {centre!r}."
        )
    long = _limits_long(limits)
    levels = sorted(long["level"].unique())
    x = pd.to_numeric(units["denominator"], errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(units["proportion"], errors="coerce").to_numpy(dtype=float)
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ArgumentError("units has missing or non-numeric denominators or proportions.")
    names = units["unit"].astype(str).to_numpy() if "unit" in units.columns else None
    chosen_units = _highlighted(highlight, names)
    threshold = _check_disclosure(disclosure)
    n_hidden = 0
    if threshold is not None:
        keep = ~_small_shares(x, y, threshold, "units")
        n_hidden = int((~keep).sum())
        x, y = x[keep], y[keep]
        names = names[keep] if names is not None else None
    fig, ax = _canvas(ax, figsize or FIGSIZE)
    ax.set_label("funnel")
    outside_level = np.full(x.size, -1)
    styles = ["--", ":", "-."]
    for i, level in enumerate(levels):
        part = long[long["level"] == level].sort_values("denominator")
        d = part["denominator"].to_numpy(float)
        lower, upper = part["lower"].to_numpy(float), part["upper"].to_numpy(float)
        shade = "#555555" if i == len(levels) - 1 else "#888888"
        text = label("control_limits", lang, level=format_level(1 - level, lang))
        for values, name in ((lower, text), (upper, "_upper")):
            (line,) = ax.plot(d, values, color=shade, linestyle=styles[i % 3], linewidth=1.2,
                              label=name)  # fmt: skip
            line.set_gid("limit")
        low_at, high_at = np.interp(x, d, lower), np.interp(x, d, upper)
        outside_level[(y < low_at) | (y > high_at)] = i
    value = format_percent(target, _pct_decimals(target), lang)
    centre_colour = COLOURS["target"] if centre == "target" else COLOURS["national"]
    ax.axhline(target, color=centre_colour, linewidth=1.4, gid="target",
               label=label(FUNNEL_CENTRES[centre], lang, value=value))  # fmt: skip
    if goal is not None:
        ax.axhline(goal, color=COLOURS["target"], linewidth=1.6, linestyle="-.", gid="goal",
                   label=label("target_value", lang,
                               value=format_percent(goal, _pct_decimals(goal), lang)))  # fmt: skip
    classes = [(-1, "#777777", label("inside_limits", lang))]
    for i, level in enumerate(levels):
        colour = COLOURS["flag_outer"] if i == len(levels) - 1 and i > 0 else COLOURS["flag_inner"]
        classes.append(
            (i, colour, label("outside_limits", lang, level=format_level(1 - level, lang)))
        )
    class_colour = {i: colour for i, colour, _ in classes}
    for i, colour, text in classes:
        chosen = outside_level == i
        if not chosen.any():
            continue
        points = ax.scatter(x[chosen], y[chosen], s=28, color=colour, edgecolor="white",
                            linewidth=0.5, zorder=3, label=text)  # fmt: skip
        points.set_gid("units")
    own = np.zeros(x.size, bool)
    if chosen_units and names is not None:
        own = np.isin(names, chosen_units)
        for k in np.flatnonzero(own):  # one legend entry per highlighted unit, its name
            ring = ax.scatter([x[k]], [y[k]], s=95, color=class_colour[outside_level[k]],
                              edgecolor="#000000", linewidth=1.8, zorder=5,
                              label=names[k])  # fmt: skip
            ring.set_gid("highlight")
    ax.set_xlim(left=0)
    ax.xaxis.set_major_locator(_round_locator())
    ax.xaxis.set_major_formatter(NumberFormatter(lang, decimals=0))
    ax.yaxis.set_major_locator(_round_locator())
    ax.yaxis.set_major_formatter(NumberFormatter(lang, percent=True))
    ax.set_xlabel(label("denominator", lang) if xlabel is None else xlabel)
    ax.set_ylabel(label("proportion", lang) if ylabel is None else ylabel)
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=3, fontsize=SMALL_FONT_SIZE,
              borderaxespad=0.0, handlelength=1.8, columnspacing=1.2)  # fmt: skip
    if n_hidden:
        ax.annotate(
            label("funnel_note", lang, k=n_hidden, threshold=threshold), xy=(1.0, 0.0),
            xycoords="axes fraction", xytext=(0.0, -30.0), textcoords="offset points",
            ha="right", va="top", fontsize=SMALL_FONT_SIZE - 0.5, color=COLOURS["note"],
            fontstyle="italic", gid="disclosure_note", annotation_clip=False,
        )  # fmt: skip
    if names is not None:
        if label_units is True:
            named = np.ones(x.size, bool)
        elif label_units == "outer":
            named = outside_level == len(levels) - 1
        elif label_units == "outside":
            named = outside_level >= 0
        else:
            named = np.zeros(x.size, bool)
        # the highlighted units first, then the most extreme (farthest from the centre
        # in standard errors at the centre)
        z = np.abs(y - target) * np.sqrt(x)
        order = sorted(np.flatnonzero(named | own), key=lambda k: (not own[k], -z[k]))
        if getattr(fig, _OWN_LAYOUT, False):
            _fit_layout(fig)  # final axes first: names are placed in display space
        _place_unit_labels(ax, x, y, names, order, own)
    return _declare(fig, threshold)


def _highlighted(highlight, names) -> list[str]:
    """The names of the units to highlight (checked against the units' names)."""
    if highlight is None:
        return []
    chosen = [highlight] if isinstance(highlight, str) else highlight
    try:
        chosen = [str(v) for v in chosen]
    except TypeError:
        raise ArgumentError(
            "highlight must be a unit's name (from the column unit) or a list of names."
        ) from None
    if names is None:
        raise ArgumentError("highlight needs unit names: give units a column 'unit'.")
    missing = sum(v not in set(names) for v in chosen)
    if missing:
        raise ArgumentError(
            f"highlight names {missing} unit(s) that are not in units['unit']; give the "
            "names exactly as in that column."
        )
    return chosen


def _place_unit_labels(ax: Axes, x, y, names, order, own, gap: float = 2.0) -> None:
    """Name the units ``order`` (indices) so that no two names overlap: each name goes to
    the first free place in rings of candidate positions around its point (nearest
    first, preferring places that cover no other point), inside the axes; a name with
    no free place is left out. ``own`` marks highlighted units (bold, always tried
    first). Positions are found in display space, so the figure's layout must be final;
    a name's box is measured once and moved arithmetically to each candidate place."""
    if not len(order):
        return
    from matplotlib.transforms import Bbox

    frame = ax.get_window_extent()
    points = ax.transData.transform(np.column_stack([x, y]))
    scale = ax.figure.dpi / 72.0  # pixels per point
    radius = 3.5 * scale  # about a marker
    pad = gap * scale
    taken: list = []
    directions = [(1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1)]
    places = [(dx, dy, distance) for distance in (5.0, 10.0, 16.0, 24.0, 34.0, 46.0)
              for dx, dy in directions]  # fmt: skip
    for k in order:
        bold = bool(own[k])
        style = {
            "fontsize": SMALL_FONT_SIZE + (0.5 if bold else 0.0),
            "fontweight": "bold" if bold else "normal",
            "color": "#000000" if bold else "#222222",
            "gid": "highlight_label" if bold else "unit_label",
            "zorder": 6,
        }
        probe = ax.annotate(str(names[k]), (x[k], y[k]), xytext=(0, 0),
                            textcoords="offset points", ha="left", va="bottom",
                            **style)  # fmt: skip
        size = probe.get_window_extent()
        probe.remove()
        width, height = size.width, size.height
        base_x, base_y = size.x0, size.y0  # the box of the name with its corner at the point
        best = None
        for dx, dy, distance in places:
            if best is not None and best[0][1] < distance and best[0][0] == 0:
                break  # a free place that covers no point: the nearest one wins
            offset = (dx * distance, dy * distance * 0.7)
            x0 = base_x + offset[0] * scale - {1: 0.0, -1: width, 0: width / 2}[dx]
            y0 = base_y + offset[1] * scale - {1: 0.0, -1: height, 0: height / 2}[dy]
            box = Bbox.from_bounds(x0 - pad, y0 - pad, width + 2 * pad, height + 2 * pad)
            inside = (box.x0 >= frame.x0 and box.x1 <= frame.x1
                      and box.y0 >= frame.y0 and box.y1 <= frame.y1)  # fmt: skip
            if not inside or any(box.overlaps(other) for other in taken):
                continue
            near = (
                (points[:, 0] >= box.x0 - radius) & (points[:, 0] <= box.x1 + radius)
                & (points[:, 1] >= box.y0 - radius) & (points[:, 1] <= box.y1 + radius)
            )  # fmt: skip
            near[k] = False  # its own point
            score = (int(near.sum()), distance)
            if best is None or score < best[0]:
                best = (score, offset, dx, dy, box)
        if best is None:
            continue
        _, offset, dx, dy, box = best
        leader = None
        if max(abs(offset[0]), abs(offset[1])) > 10.0:  # moved away: a thin leader line
            corner = {1: 0.0, -1: 1.0, 0: 0.5}  # from the name's corner nearest the point
            leader = {"arrowstyle": "-", "color": "#777777", "linewidth": 0.6, "shrinkA": 1.0,
                      "shrinkB": 3.5, "relpos": (corner[dx], corner[dy])}  # fmt: skip
        ax.annotate(
            str(names[k]), (x[k], y[k]), xytext=offset, textcoords="offset points",
            ha={1: "left", -1: "right", 0: "center"}[dx],
            va={1: "bottom", -1: "top", 0: "center"}[dy], arrowprops=leader, **style,
        )  # fmt: skip
        taken.append(box)
