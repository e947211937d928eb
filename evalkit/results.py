"""Result objects shared by the estimators.

Every estimator returns an :class:`EffectResult`: the numbers as attributes,
``summary()`` for reading, ``to_frame()`` for a tidy table (one row per term,
like broom's ``tidy``) and an HTML view in notebooks.

The views are output too
------------------------
Notebooks are exported with their outputs, so ``summary()``, ``str()``, the notebook
views (``_repr_html_``, ``_repr_pretty_``) and ``repr()`` of an :class:`EffectResult`
apply disclosure control under the output rules in force
(:func:`evalkit.output.current_rules`): when an arm has 1 to ``threshold - 1`` units
(0 too when the rules call zeros disclosive), the arm sizes below the threshold are
shown as ``"<5"`` and the estimate, standard error, statistic, degrees of freedom,
p-value and interval as ``"x"``, with one line saying why. The attributes keep the exact
numbers (the analyst inside the research environment needs them), and ``to_frame()``
keeps them too but declares its arm sizes as counts and the numbers as resting on them
(:func:`evalkit.output.declare_table`), so that every export suppresses them. Every text
of every view of the display mixins passes :func:`evalkit.output.cpr.redact`, and a view
never raises.

>>> r = EffectResult(estimate=0.12345, std_error=0.05, conf_int=(0.02, 0.22), p_value=0.016,
...                  statistic=2.47, df=None, n_treated=178, n_control=3, method="Test",
...                  outcome="employed", treatment="treated")
>>> print(r.summary())  # doctest: +NORMALIZE_WHITESPACE
Test
Outcome: employed    Treatment: treated (treated 178, control <5)
design: complete
Effect (difference), 95% CI
        estimate std.error statistic df p.value CI low CI high
treated        x         x         x  x       x      x       x
Effect suppressed (x): an arm has fewer than 5 persons (disclosure control).
>>> r.n_control, r.estimate
(3, 0.12345)
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .output.declare import declare_table
from .output.rules import current_rules

TIDY_COLUMNS = [
    "term",
    "estimate",
    "std_error",
    "statistic",
    "p_value",
    "conf_low",
    "conf_high",
    "df",
]
#: The columns of the tidy frame that rest on the arm sizes (suppressed with them).
NUMBER_COLUMNS = TIDY_COLUMNS[1:]
#: The marker of a number suppressed because it rests on a small arm.
SUPPRESSED = "x"


def t_or_z_inference(
    estimate: np.ndarray | float,
    std_error: np.ndarray | float,
    df: np.ndarray | float | None,
    alpha: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Statistic, two-sided p-value and (1 - alpha) interval; t with ``df``, normal without."""
    estimate = np.asarray(estimate, dtype=float)
    std_error = np.asarray(std_error, dtype=float)
    statistic = estimate / std_error
    if df is None:
        p_value = 2.0 * stats.norm.sf(np.abs(statistic))
        critical = stats.norm.isf(alpha / 2.0)
    else:
        p_value = 2.0 * stats.t.sf(np.abs(statistic), df)
        critical = stats.t.isf(alpha / 2.0, df)
    return statistic, p_value, estimate - critical * std_error, estimate + critical * std_error


def _redact(text) -> str:
    """``text`` with every CPR-shaped number removed (never raises)."""
    from .output.cpr import redact

    return redact(text)


def _view_failed(obj, error: Exception) -> str:
    """The HTML shown when a view cannot be built: names no value, never raises."""
    name = html.escape(type(obj).__name__)
    return (
        f"<div><p>{name}: the view could not be shown ({html.escape(type(error).__name__)}); "
        "print the result or read its attributes.</p></div>"
    )


def small_count(value, threshold: int | None = None, zeros: bool | None = None) -> bool:
    """Whether a count of persons must not be shown under the output rules: 1 to
    ``threshold - 1`` (0 too when ``zeros``); a value that is not a finite number counts
    as small (it cannot be checked). ``threshold`` and ``zeros`` default to
    :func:`evalkit.output.current_rules`.

    >>> small_count(3), small_count(5), small_count(0), small_count(0, zeros=True)
    (True, False, False, True)
    """
    rules = current_rules()
    threshold = rules.threshold if threshold is None else threshold
    zeros = rules.zeros_disclosive if zeros is None else zeros
    try:
        number = float(value)
    except (TypeError, ValueError):
        return True
    if not math.isfinite(number):
        return True
    return 0 < number < threshold or (number == 0 and bool(zeros))


class SummaryDisplay:
    """Mixin for results with ``summary()``: ``str()`` and the notebook views show it.

    Every view passes :func:`evalkit.output.cpr.redact` (no CPR number is shown) and the
    notebook views never raise. Disclosure control of the numbers is the result's own
    (``summary()`` of :class:`EffectResult` suppresses estimates on small arms).
    """

    def summary(self) -> str:  # pragma: no cover - every user defines it
        raise NotImplementedError

    def __str__(self) -> str:
        return _redact(self.summary())

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        """IPython's plain-text view (stored in exported notebooks next to the HTML)."""
        try:
            text = str(self)
        except Exception as error:  # noqa: BLE001 - a view never raises
            text = f"{type(self).__name__}: the view could not be shown ({type(error).__name__})"
        printer.text(text)

    def _html(self) -> str:
        return "<p>" + html.escape(_redact(self.summary())).replace("\n", "<br>") + "</p>"

    def _repr_html_(self) -> str:
        try:
            return _redact(self._html())
        except Exception as error:  # noqa: BLE001 - a view never raises
            return _view_failed(self, error)


class LinesDisplay(SummaryDisplay):
    """Mixin for results that describe themselves in ``_lines()``."""

    def _lines(self) -> list[str]:  # pragma: no cover - every user defines it
        raise NotImplementedError

    def summary(self) -> str:
        """The result in a few lines of text."""
        return "\n".join(self._lines())

    def _html(self) -> str:
        lines = "<br>".join(html.escape(_redact(x)) for x in self._lines())
        return "<div><p>" + lines + "</p></div>"


class TableDisplay(SummaryDisplay):
    """Mixin for results shown as header lines above a table (``to_frame()`` by default)."""

    def _header(self) -> list[str]:  # pragma: no cover - every user defines it
        raise NotImplementedError

    def _display_frame(self) -> pd.DataFrame:
        return self.to_frame()

    def _html_after(self) -> str:
        """HTML shown below the table (footers, notes)."""
        return ""

    def _html(self) -> str:
        header = "<br>".join(html.escape(_redact(line)) for line in self._header())
        table = self._display_frame().to_html(index=False, float_format=fmt_value)
        return f"<div><p>{header}</p>{table}{self._html_after()}</div>"


@dataclass(frozen=True, eq=False, repr=False)
class EffectResult(TableDisplay):
    """The estimated effect of treatment (arm 1 against arm 0) on one outcome.

    Attributes
    ----------
    estimate : the effect: a difference (arm 1 minus arm 0) or, when
        ``scale == "ratio"``, a ratio (arm 1 over arm 0).
    std_error : its standard error; for ratios, that of the log ratio; None for exact methods.
    conf_int : ``(low, high)`` at level ``1 - alpha`` (on the ratio scale for ratios).
    p_value : two-sided p-value of no effect.
    statistic : t (when ``df`` is set) or z statistic; None for exact tests.
    df : degrees of freedom of the t reference distribution, or None (normal or exact).
    n_treated, n_control : units in arm 1 and arm 0.
    method : what was estimated and how (variance estimator, interval).
    terms : for regression estimators, every coefficient (tidy frame); else None.

    The attributes are exact. The views (``summary()``, ``str()``, ``repr()``, the
    notebook views) suppress the numbers of an effect resting on an arm of 1 to
    ``threshold - 1`` units under the output rules in force (see the module docstring),
    and ``to_frame()`` declares its counts to the output gate.
    """

    estimate: float
    std_error: float | None
    conf_int: tuple[float, float]
    p_value: float
    statistic: float | None
    df: float | None
    n_treated: int
    n_control: int
    method: str
    outcome: str
    treatment: str
    alpha: float = 0.05
    scale: str = "difference"
    design: str = "complete"
    n_blocks: int | None = None
    n_clusters: int | None = None
    terms: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        """Units used (both arms)."""
        return self.n_treated + self.n_control

    def suppressed(self, threshold: int | None = None, zeros: bool | None = None) -> bool:
        """Whether the effect rests on an arm too small to publish: an arm of 1 to
        ``threshold - 1`` units (0 too with ``zeros``); both default to the output rules
        in force (:func:`evalkit.output.current_rules`)."""
        return small_count(self.n_treated, threshold, zeros) or small_count(
            self.n_control, threshold, zeros
        )

    def _arm_text(self, n) -> str:
        return f"<{current_rules().threshold}" if small_count(n) else str(n)

    def _effect_row(self) -> dict:
        return {
            "term": self.treatment,
            "estimate": self.estimate,
            "std_error": np.nan if self.std_error is None else self.std_error,
            "statistic": np.nan if self.statistic is None else self.statistic,
            "p_value": self.p_value,
            "conf_low": self.conf_int[0],
            "conf_high": self.conf_int[1],
            "df": np.nan if self.df is None else self.df,
        }

    def to_frame(self) -> pd.DataFrame:
        """A tidy frame, one row per term (the treatment term only, unless a regression).

        Columns: term, estimate, std_error, statistic, p_value, conf_low, conf_high, df,
        outcome, method, n_treated, n_control. The numbers are exact; the frame declares
        ``n_treated`` and ``n_control`` as counts of persons and every number (estimate
        to df) as resting on them (:func:`evalkit.output.declare_table`), so that an
        export (:func:`evalkit.output.export`, :func:`evalkit.report.export_table`)
        suppresses the row of an effect estimated on an arm of fewer than 5 persons.
        """
        if self.terms is not None:
            frame = self.terms.loc[:, TIDY_COLUMNS].copy()
        else:
            frame = pd.DataFrame([self._effect_row()], columns=TIDY_COLUMNS)
        frame["outcome"] = self.outcome
        frame["method"] = self.method
        frame["n_treated"] = self.n_treated
        frame["n_control"] = self.n_control
        return declare_table(
            frame, counts=["n_treated", "n_control"], dependent=list(NUMBER_COLUMNS)
        )

    def _display_frame(self) -> pd.DataFrame:
        """``to_frame()`` as the notebook shows it: small arm sizes as ``"<5"`` and, when
        an arm is small, every number as ``"x"``."""
        frame = self.to_frame()
        frame.attrs = {}
        if not self.suppressed():
            return frame
        frame = frame.astype({c: object for c in (*NUMBER_COLUMNS, "n_treated", "n_control")})
        frame.loc[:, list(NUMBER_COLUMNS)] = SUPPRESSED
        frame["n_treated"] = self._arm_text(self.n_treated)
        frame["n_control"] = self._arm_text(self.n_control)
        return frame

    def _note(self) -> list[str]:
        if not self.suppressed():
            return []
        from .report.labels import label

        return [label("effect_suppressed", "en", threshold=current_rules().threshold)]

    def _html_after(self) -> str:
        return "".join(f"<p>{html.escape(line)}</p>" for line in self._note())

    def _header(self) -> list[str]:
        level = f"{100 * (1 - self.alpha):g}%"
        lines = [
            self.method,
            f"Outcome: {self.outcome}    Treatment: {self.treatment} "
            f"(treated {self._arm_text(self.n_treated)}, "
            f"control {self._arm_text(self.n_control)})",
        ]
        design = [f"design: {self.design}"]
        if self.n_blocks is not None:
            design.append(f"blocks: {self.n_blocks}")
        if self.n_clusters is not None:
            design.append(f"clusters: {self.n_clusters}")
        lines.append("    ".join(design))
        lines.append(f"Effect ({'ratio' if self.scale == 'ratio' else 'difference'}), {level} CI")
        return lines

    def summary(self) -> str:
        """A readable text block: the design, the counts and the effect with its interval
        (disclosure-controlled: see the class docstring)."""
        frame = self.to_frame()
        hidden = self.suppressed()

        def shown(column: str, fmt) -> pd.Series:
            if hidden:
                return pd.Series(SUPPRESSED, index=frame.index)
            return frame[column].map(fmt)

        table = pd.DataFrame(
            {
                "estimate": shown("estimate", fmt_value),
                "std.error": shown("std_error", fmt_value),
                "statistic": shown("statistic", fmt_value),
                "df": shown("df", fmt_value),
                "p.value": shown("p_value", fmt_p_value),
                "CI low": shown("conf_low", fmt_value),
                "CI high": shown("conf_high", fmt_value),
            }
        )
        table.index = frame["term"].to_list()
        notes = []
        if self.scale == "ratio" and self.std_error is not None and not hidden:
            notes.append("std.error is that of the log ratio.")
        text = "\n".join(self._header() + [table.to_string()] + notes + self._note())
        return _redact(text)

    def __repr__(self) -> str:
        try:
            if self.suppressed():
                numbers = f"estimate={SUPPRESSED}"
            else:
                numbers = f"estimate={self.estimate!r}, conf_int={self.conf_int!r}"
            text = (
                f"EffectResult(outcome={self.outcome!r}, treatment={self.treatment!r}, "
                f"{numbers}, n_treated={self._arm_text(self.n_treated)}, "
                f"n_control={self._arm_text(self.n_control)}, method={self.method!r})"
            )
            return _redact(text)
        except Exception as error:  # noqa: BLE001 - a repr never raises
            return f"<EffectResult: not shown ({type(error).__name__})>"


def fmt_value(value) -> str:
    """A number for a text table: 6 significant digits, blank for None/NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:.6g}"


def fmt_p_value(value) -> str:
    """A p-value for a text table: 4 significant digits, '<1e-16' below that."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return "<1e-16" if value < 1e-16 else f"{value:.4g}"
