"""Result objects shared by the estimators.

Every estimator returns an :class:`EffectResult`: the numbers as attributes,
``summary()`` for reading, ``to_frame()`` for a tidy table (one row per term,
like broom's ``tidy``) and an HTML view in notebooks.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

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


class SummaryDisplay:
    """Mixin for results with ``summary()``: ``str()`` and the notebook view show it."""

    def summary(self) -> str:  # pragma: no cover - every user defines it
        raise NotImplementedError

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<p>" + html.escape(self.summary()).replace("\n", "<br>") + "</p>"


class LinesDisplay(SummaryDisplay):
    """Mixin for results that describe themselves in ``_lines()``."""

    def _lines(self) -> list[str]:  # pragma: no cover - every user defines it
        raise NotImplementedError

    def summary(self) -> str:
        """The result in a few lines of text."""
        return "\n".join(self._lines())

    def _repr_html_(self) -> str:
        return "<div><p>" + "<br>".join(html.escape(x) for x in self._lines()) + "</p></div>"


class TableDisplay(SummaryDisplay):
    """Mixin for results shown as header lines above a table (``to_frame()`` by default)."""

    def _header(self) -> list[str]:  # pragma: no cover - every user defines it
        raise NotImplementedError

    def _display_frame(self) -> pd.DataFrame:
        return self.to_frame()

    def _html_after(self) -> str:
        """HTML shown below the table (footers, notes)."""
        return ""

    def _repr_html_(self) -> str:
        header = "<br>".join(html.escape(line) for line in self._header())
        table = self._display_frame().to_html(index=False, float_format=fmt_value)
        return f"<div><p>{header}</p>{table}{self._html_after()}</div>"


@dataclass(frozen=True, eq=False)
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

        Columns: term, estimate, std_error, statistic, p_value, conf_low,
        conf_high, df, outcome, method.
        """
        if self.terms is not None:
            frame = self.terms.loc[:, TIDY_COLUMNS].copy()
        else:
            frame = pd.DataFrame([self._effect_row()], columns=TIDY_COLUMNS)
        frame["outcome"] = self.outcome
        frame["method"] = self.method
        return frame

    def _header(self) -> list[str]:
        level = f"{100 * (1 - self.alpha):g}%"
        lines = [
            self.method,
            f"Outcome: {self.outcome}    Treatment: {self.treatment} "
            f"(treated {self.n_treated}, control {self.n_control})",
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
        """A readable text block: the design, the counts and the effect with its interval."""
        frame = self.to_frame()
        table = pd.DataFrame(
            {
                "estimate": frame["estimate"].map(fmt_value),
                "std.error": frame["std_error"].map(fmt_value),
                "statistic": frame["statistic"].map(fmt_value),
                "df": frame["df"].map(fmt_value),
                "p.value": frame["p_value"].map(fmt_p_value),
                "CI low": frame["conf_low"].map(fmt_value),
                "CI high": frame["conf_high"].map(fmt_value),
            }
        )
        table.index = frame["term"].to_list()
        notes = []
        if self.scale == "ratio" and self.std_error is not None:
            notes.append("std.error is that of the log ratio.")
        return "\n".join(self._header() + [table.to_string()] + notes)


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
