"""Publication tables: the balance table ("Table 1") of a trial and tables of effects.

- :func:`balance_table` describes the covariates by arm (mean and SD, or count and
  share), gives the standardized difference of every row (Austin 2009) and an omnibus
  test of balance (a joint F test or a randomization test).
- :func:`effect_table` puts several :class:`~evalkit.results.EffectResult` objects in one
  table (estimate, interval, SE, p-value, arm sizes, method).
- :func:`render_table` renders any of these frames as HTML, LaTeX (booktabs) or
  Markdown, written here (no tabulate or jinja2 needed), with the notes under the table.
- :func:`export_table` and :meth:`BalanceTable.export` write CSV, HTML, TeX or Markdown by
  the file's suffix, after :func:`evalkit.panel.ids.check_no_cpr` and with disclosure
  control (no count of fewer than 5 persons; see :mod:`evalkit.report.disclosure`).

Text is English (``lang="en"``) or Danish (``lang="da"``: Danish headers, decimal comma,
``.`` as thousands separator, ``;`` between the ends of an interval).

Example
-------
>>> import pandas as pd
>>> d = pd.DataFrame({"jobfirst": [1, 1, 1, 0, 0, 0] * 5, "age": list(range(30)),
...                   "female": [1, 0, 1, 0, 0, 1] * 5})
>>> table = balance_table(d, "jobfirst", ["age", "female"])
>>> print(table.to_markdown())
| Variable | Statistic | Treatment (n = 15) | Control (n = 15) | Standardized difference |
| :--- | :--- | ---: | ---: | ---: |
| age | Mean (SD) | 13.0 (8.8) | 16.0 (8.8) | -0.34 |
| female | n (%) | 10 (66.7) | 5 (33.3) | 0.71 |
<BLANKLINE>
Standardized difference: difference in means (shares) over sqrt((s1^2 + s0^2)/2), \
with s^2 = p(1 - p) for shares (Austin 2009).
<BLANKLINE>
Joint test of balance: F(2, 27) = 2.18, p = 0.133 (linear probability model of the \
treatment on the covariates; classical F test of all slopes).
<BLANKLINE>
Cells based on fewer than 5 persons are suppressed.
"""

from __future__ import annotations

import functools
import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from .._validation import (
    as_column_list,
    check_choice,
    numeric_column,
    select_columns,
    treatment_indicator,
)
from ..errors import ArgumentError, DesignError
from ..inference.randomization import check_seed
from ..output.declare import declare_table
from ..output.rules import current_rules
from ..results import (
    EffectResult,
    SummaryDisplay,
    _redact,
    _redacted_frame,
    _text_failed,
)
from . import labels as catalogue
from .disclosure import (
    DEFAULT_THRESHOLD,
    SECONDARY_MARKER,
    _protect,
    check_threshold,
    disclosure_note,
    mask_counts,
)

LANGS = ("en", "da")
FORMATS = ("html", "latex", "markdown")
TESTS = ("F", "randomization")
#: File suffix -> format written by the exporters.
SUFFIXES = {
    ".csv": "csv", ".html": "html", ".htm": "html", ".tex": "latex", ".md": "markdown",
    ".xlsx": "xlsx", ".docx": "docx",
}  # fmt: skip

TEXT = {
    "en": {
        "variable": "Variable",
        "statistic": "Statistic",
        "treatment": "Treatment",
        "control": "Control",
        "smd": "Standardized difference",
        "mean_sd": "Mean (SD)",
        "n_pct": "n (%)",
        "outcome": "Outcome",
        "estimate": "Estimate",
        "ci": "{level} CI",
        "se": "SE",
        "p": "p-value",
        "n_treated": "n treated",
        "n_control": "n control",
        "method": "Method",
        "smd_note": "Standardized difference: difference in means (shares) over "
        "sqrt((s1^2 + s0^2)/2), with s^2 = p(1 - p) for shares (Austin 2009).",
        "f_note": "Joint test of balance: F({df1}, {df2}) = {stat}, p = {p} (linear "
        "probability model of the treatment on the covariates; classical F test of all "
        "slopes).",
        "rand_note": "Joint test of balance: Mahalanobis distance between the arm means = "
        "{stat}, randomization p = {p} ({draws} re-randomizations with the observed arm "
        "sizes, seed {seed}).",
        "stars": "* p < 0.05, ** p < 0.01, *** p < 0.001.",
        "ratio_se": "For ratios the SE is that of the log ratio.",
    },
    "da": {
        "variable": "Variabel",
        "statistic": "Mål",
        "treatment": "Indsats",
        "control": "Kontrol",
        "smd": "Standardiseret forskel",
        "mean_sd": "Gns. (SD)",
        "n_pct": "Antal (%)",
        "outcome": "Udfald",
        "estimate": "Estimat",
        "ci": "{level}-KI",
        "se": "Std.fejl",
        "p": "p-værdi",
        "n_treated": "n indsats",
        "n_control": "n kontrol",
        "method": "Metode",
        "smd_note": "Standardiseret forskel: forskel i gennemsnit (andele) divideret med "
        "sqrt((s1^2 + s0^2)/2), med s^2 = p(1 - p) for andele (Austin 2009).",
        "f_note": "Samlet balancetest: F({df1}, {df2}) = {stat}, p = {p} (lineær "
        "sandsynlighedsmodel for indsatsen på kovariaterne; klassisk F-test af alle "
        "hældninger).",
        "rand_note": "Samlet balancetest: Mahalanobis-afstand mellem gruppernes gennemsnit = "
        "{stat}, randomiserings-p = {p} ({draws} gen-randomiseringer med de observerede "
        "gruppestørrelser, seed {seed}).",
        "stars": "* p < 0,05, ** p < 0,01, *** p < 0,001.",
        "ratio_se": "For forholdstal er Std.fejl den for log-forholdet.",
    },
}


def _check_lang(lang) -> str:
    if lang not in LANGS:
        raise ArgumentError(
            f"lang must be 'en' (English) or 'da' (Danish); got {lang!r}. "
            "Pass lang='en' or lang='da'."
        )
    return lang


def _check_digits(digits, name: str = "digits") -> int:
    if isinstance(digits, bool) or not isinstance(digits, int | np.integer) or digits < 0:
        raise ArgumentError(f"{name} must be a whole number >= 0; got {digits!r}.")
    return int(digits)


# ---------------------------------------------------------------------------- formatting
# One formatter for figures and tables (evalkit.report.labels); table cells use a plain
# minus sign, as text exported to CSV and pasted into documents.

format_number = functools.partial(catalogue.format_number, minus="-")
format_p = catalogue.format_p


def _interval(low, high, digits: int, lang: str) -> str:
    return catalogue.format_interval(low, high, digits, lang, minus="-")


# ---------------------------------------------------------------------------- balance table


@dataclass(frozen=True)
class BalanceTest:
    """An omnibus test of covariate balance between the arms.

    ``method`` is ``"F"`` (``statistic`` is F with ``df = (df1, df2)``) or
    ``"randomization"`` (``statistic`` is the Mahalanobis distance between the arm means,
    ``df = (rank,)`` its chi-square degrees of freedom in large samples, ``p_value`` the
    Monte Carlo randomization p-value from ``n_draws`` re-randomizations, drawn with
    ``seed``: the seed given, or the one drawn for ``seed=None`` or from a Generator (see
    :func:`evalkit.inference.randomization.check_seed`), shown in the note so that the
    draw can be repeated; None for the F test).
    """

    statistic: float
    df: tuple
    p_value: float
    method: str
    n_draws: int | None = None
    seed: int | None = None

    def text(self, lang: str = "en") -> str:
        """The sentence printed under the table."""
        words = TEXT[_check_lang(lang)]
        stat, p = format_number(self.statistic, 2, lang), format_p(self.p_value, lang)
        if self.method == "F":
            return words["f_note"].format(df1=self.df[0], df2=self.df[1], stat=stat, p=p)
        return words["rand_note"].format(stat=stat, p=p, draws=self.n_draws, seed=self.seed)


def _kind(series: pd.Series, name: str) -> str:
    if pd.api.types.is_bool_dtype(series.dtype):
        return "binary"
    if isinstance(series.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(
        series.dtype
    ):
        return "categorical"
    values = numeric_column(series, name, role="covariate")
    return "binary" if np.isin(values, (0.0, 1.0)).all() else "numeric"


def _mean_sd(x: np.ndarray) -> tuple[float, float]:
    mean = float(x.mean()) if x.size else math.nan
    sd = float(np.sqrt(((x - mean) ** 2).sum() / (x.size - 1))) if x.size > 1 else math.nan
    return mean, sd


def _smd(difference: float, var1: float, var0: float) -> float:
    pooled = math.sqrt((var1 + var0) / 2.0) if math.isfinite(var1 + var0) else math.nan
    return difference / pooled if pooled > 0 else math.nan


#: Most levels of a text or categorical balance covariate (one table row per level).
MAX_LEVELS = 200


def _check_levels(series: pd.Series, name: str) -> None:
    """Refuse an id-like covariate before any per-level work (a row and a dummy column per
    level would need O(n^2) memory and an O(n^3) decomposition for a level per person)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        n_levels = len(series.cat.categories)
    else:
        n_levels = int(series.nunique(dropna=False))
    id_like = n_levels > 20 and n_levels == len(series)  # a level per person
    if n_levels > MAX_LEVELS or id_like:
        raise DesignError(
            f"covariate {name!r} has {n_levels} distinct values in {len(series)} rows "
            f"(values not shown): a balance table shows one row per level, at most "
            f"{MAX_LEVELS}, and an id-like column is never a balance covariate. Drop it "
            "from covariates, or recode it into a few categories."
        )


def _share_row(name, level, kind, x: np.ndarray, treated: np.ndarray) -> dict:
    c1, c0 = int(x[treated].sum()), int(x[~treated].sum())
    n1, n0 = int(treated.sum()), int((~treated).sum())
    return _share_counts(name, level, kind, c1, c0, n1, n0)


def _share_counts(name, level, kind, c1, c0, n1, n0) -> dict:
    c1, c0 = int(c1), int(c0)
    p1, p0 = c1 / n1, c0 / n0
    return {
        "variable": name, "level": level, "type": kind,
        "treated_count": c1, "treated_mean": p1, "treated_sd": math.nan,
        "control_count": c0, "control_mean": p0, "control_sd": math.nan,
        "smd": _smd(p1 - p0, p1 * (1 - p1), p0 * (1 - p0)),
    }  # fmt: skip


#: What each number of a balance table's frame rests on (its declaration to the gate).
BALANCE_DEPENDENTS = {
    "treated_mean": ["treated_count"], "treated_sd": ["treated_count"],
    "control_mean": ["control_count"], "control_sd": ["control_count"],
    "smd": ["treated_count", "control_count"],
}  # fmt: skip
FRAME_COLUMNS = [
    "variable", "level", "type", "treated_count", "treated_mean", "treated_sd",
    "control_count", "control_mean", "control_sd", "smd",
]  # fmt: skip


def _basis(design: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the centred, scaled covariate columns (rank-revealing SVD)."""
    centred = design - design.mean(axis=0)
    scale = np.sqrt((centred**2).sum(axis=0))
    centred = centred[:, scale > 0] / scale[scale > 0]
    if centred.shape[1] == 0:
        return centred
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    tol = s[0] * max(centred.shape) * np.finfo(float).eps
    return u[:, s > tol]


def _f_test(basis: np.ndarray, treated: np.ndarray) -> BalanceTest:
    n, rank = basis.shape
    df2 = n - rank - 1
    if df2 < 1:
        raise DesignError(
            f"the balance F test needs more persons ({n}) than covariate columns plus one "
            f"({rank + 1}); use fewer covariates or test='randomization'."
        )
    t = treated.astype(float)
    t = t - t.mean()
    explained = float(((basis.T @ t) ** 2).sum())
    residual = float(t @ t) - explained
    with np.errstate(divide="ignore"):
        f_value = (explained / rank) / (residual / df2) if residual > 0 else math.inf
    return BalanceTest(float(f_value), (rank, df2), float(stats.f.sf(f_value, rank, df2)), "F")


def _randomization_test(basis, treated, n_draws, seed) -> BalanceTest:
    n, rank = basis.shape
    z = basis * math.sqrt(n - 1)  # whitened covariates: mean 0, covariance I
    n1, n0 = int(treated.sum()), int((~treated).sum())
    factor = 1.0 / n1 + 1.0 / n0

    def distance(sums: np.ndarray) -> np.ndarray:
        # mean_T z - mean_C z = sum_T z (1/n1 + 1/n0), as sum_all z = 0
        return (sums**2).sum(axis=-1) * factor

    observed = float(distance(z[treated].sum(axis=0)))
    seed = check_seed(seed)  # the seed used, recorded on the result (None: drawn)
    rng = np.random.default_rng(seed)
    chunk = max(1, min(n_draws, 4_000_000 // max(n, 1)))
    base = np.tile(treated.astype(np.float64), (chunk, 1))
    at_least = 0
    tolerance = 1e-9 * max(1.0, observed)
    done = 0
    while done < n_draws:
        m = min(chunk, n_draws - done)
        assignments = rng.permuted(base[:m], axis=1)
        at_least += int((distance(assignments @ z) >= observed - tolerance).sum())
        done += m
    p_value = (1 + at_least) / (1 + n_draws)
    return BalanceTest(observed, (rank,), p_value, "randomization", n_draws, seed)


@dataclass(frozen=True, eq=False)
class BalanceTable(SummaryDisplay):
    """Covariates by arm ("Table 1"), standardized differences and an omnibus test.

    Attributes
    ----------
    frame : the numbers, one row per numeric or binary covariate and per level of a
        categorical one: ``variable``, ``level`` (``""`` for numeric covariates),
        ``type`` (numeric, binary, categorical), ``treated_count`` (persons in the arm for
        numeric rows, persons at the level otherwise), ``treated_mean`` (mean, or share
        0..1), ``treated_sd`` (numeric rows), the same for ``control_*`` and ``smd``.
        Its ``attrs`` name the count and dependent columns, so that
        :func:`export_table` suppresses it too; :meth:`export` also protects the small
        cells from recovery through the arm sizes (secondary suppression).
    omnibus : :class:`BalanceTest` or None (``test=None``).
    treatment, n_treated, n_control, lang, digits : as given and counted.

    Renderings (``to_markdown``, ``to_html``, ``to_latex``, ``summary``, the notebook view)
    and :meth:`export` apply disclosure control by default (``disclosure=5``: counts of
    1..4 persons and what is computed from them are suppressed; the output rules'
    threshold, :func:`evalkit.output.current_rules`, when it is stricter); pass
    ``disclosure=None`` for the raw numbers (never for tables leaving the register
    environment). ``str()``, ``repr()`` and the notebook views use the same threshold, pass CPR
    redaction (:func:`evalkit.output.cpr.redact`) and never raise.
    """

    #: The renderings apply their own disclosure control (:meth:`formatted`).
    _view_control_own = True

    frame: pd.DataFrame
    omnibus: BalanceTest | None
    treatment: str
    n_treated: int
    n_control: int
    lang: str = "en"
    digits: int = 1
    _cache: dict = field(default_factory=dict, repr=False)

    # -- disclosure ---------------------------------------------------------------------
    def _masks(self, threshold: int) -> tuple[np.ndarray, np.ndarray]:
        """Primary and secondary suppression of the count cells, shape (rows, 2 arms)."""
        key = ("masks", threshold)
        if key in self._cache:
            return self._cache[key]
        frame = self.frame
        rows = len(frame)
        counts = frame[["treated_count", "control_count"]].to_numpy(dtype=float)
        arm_sizes = np.array([self.n_treated, self.n_control], dtype=float)
        primary = (counts > 0) & (counts < threshold)
        # cells: 2 * rows table cells (row-major, arm minor), then one hidden complement
        # per binary row and arm (the persons without the property, never shown).
        values = [counts.ravel()]
        hidden = [primary.ravel()]
        lines = []
        binary = np.flatnonzero(frame["type"].to_numpy() == "binary")
        complements = (arm_sizes[None, :] - counts[binary]).ravel()
        values.append(complements)
        hidden.append(np.ones(complements.size, dtype=bool))
        for k, r in enumerate(binary):
            for arm in (0, 1):
                lines.append((np.array([2 * r + arm, 2 * rows + 2 * k + arm]), None))
        categorical = frame["type"].to_numpy() == "categorical"
        for _, idx in frame[categorical].groupby("variable", sort=False).indices.items():
            positions = np.flatnonzero(categorical)[idx]
            for arm in (0, 1):
                lines.append((2 * positions + arm, None))
        values = np.concatenate(values)
        hidden = np.concatenate(hidden)
        table_cells = np.zeros(values.size, dtype=bool)
        table_cells[: 2 * rows] = True
        secondary = _protect(
            values, hidden, lines, threshold, candidates=table_cells, free=~table_cells
        )[: 2 * rows].reshape(rows, 2)
        self._cache[key] = (primary, secondary)
        return primary, secondary

    def to_frame(self) -> pd.DataFrame:
        """The table's numbers, one row per covariate (level): :attr:`frame`, declared to
        the output gate (the arm counts are counts of persons; means, SDs, shares and
        standardized differences rest on them)."""
        return self.frame.copy()

    def disclosed_frame(self, disclosure: int | None = DEFAULT_THRESHOLD) -> pd.DataFrame:
        """:attr:`frame` with disclosure control (what ``export`` writes to CSV).

        Counts of 1..threshold-1 become ``"<5"``, counts suppressed so that those cannot be
        recovered from the arm sizes become ``"x"``, and so do the means, SDs and shares
        computed from a suppressed count and the standardized difference of its row.
        ``disclosure=None`` returns a copy of :attr:`frame`.
        """
        if disclosure is None:
            return self.frame.copy()
        threshold = _rules_at_least(disclosure).threshold
        primary, secondary = self._masks(threshold)
        out = self.frame.copy()
        hidden = primary | secondary
        for arm, prefix in enumerate(("treated", "control")):
            count = out[f"{prefix}_count"].astype(object)
            count[primary[:, arm]] = f"<{threshold}"
            count[secondary[:, arm]] = SECONDARY_MARKER
            out[f"{prefix}_count"] = count
            for stat in ("mean", "sd"):
                column = out[f"{prefix}_{stat}"].astype(object)
                column[hidden[:, arm]] = SECONDARY_MARKER
                out[f"{prefix}_{stat}"] = column
        smd = out["smd"].astype(object)
        smd[hidden.any(axis=1)] = SECONDARY_MARKER
        out["smd"] = smd
        n_dependent = int(3 * hidden.sum() + hidden.any(axis=1).sum())
        out.attrs = {
            "disclosure": {
                "threshold": threshold,
                "suppressed_cells": int(hidden.sum()) + n_dependent,
                "primary": int(primary.sum()),
                "secondary": int(secondary.sum()),
                "dependent": n_dependent,
                "marker": f"<{threshold}",
                "secondary_marker": SECONDARY_MARKER,
                "count_columns": ["treated_count", "control_count"],
                "dependent_columns": [
                    "treated_mean", "treated_sd", "control_mean", "control_sd", "smd",
                ],
                "zeros": "shown",
            }
        }  # fmt: skip
        return out

    # -- display ------------------------------------------------------------------------
    def formatted(
        self, lang: str | None = None, disclosure: int | None = DEFAULT_THRESHOLD
    ) -> pd.DataFrame:
        """The table as text cells with headers in ``lang`` (what the renderings show).

        ``attrs["notes"]`` holds the sentences printed under the table (standardized
        difference, omnibus test) and ``attrs["disclosure"]`` the disclosure settings.
        """
        lang = _check_lang(self.lang if lang is None else lang)
        words = TEXT[lang]
        threshold = None if disclosure is None else _rules_at_least(disclosure).threshold
        rows = len(self.frame)
        if threshold is None:
            primary = secondary = np.zeros((rows, 2), dtype=bool)
        else:
            primary, secondary = self._masks(threshold)
        hidden = primary | secondary
        marker = f"<{threshold}"
        f = self.frame
        labels, statistics, cells = [], [], {0: [], 1: []}
        for i in range(rows):
            kind, name, level = f["type"].iat[i], f["variable"].iat[i], f["level"].iat[i]
            # the data's (English) names, in Danish through the catalogue
            shown, lv = (
                (name, level)
                if lang == "en"
                else (catalogue.term(name, lang), catalogue.term(level, lang))
            )
            labels.append(f"{shown}: {lv}" if kind == "categorical" else shown)
            statistics.append(words["mean_sd" if kind == "numeric" else "n_pct"])
            for arm, prefix in enumerate(("treated", "control")):
                if primary[i, arm]:
                    text = marker
                elif secondary[i, arm]:
                    text = SECONDARY_MARKER
                elif kind == "numeric":
                    mean = format_number(f[f"{prefix}_mean"].iat[i], self.digits, lang)
                    sd = format_number(f[f"{prefix}_sd"].iat[i], self.digits, lang)
                    text = f"{mean} ({sd})" if sd else mean
                else:
                    count = format_number(f[f"{prefix}_count"].iat[i], 0, lang)
                    share = format_number(100 * f[f"{prefix}_mean"].iat[i], 1, lang)
                    text = f"{count} ({share})"
                cells[arm].append(text)
        smd = [
            SECONDARY_MARKER if hidden[i].any() else format_number(f["smd"].iat[i], 2, lang)
            for i in range(rows)
        ]
        n1, n0 = (
            (str(self.n_treated), str(self.n_control))
            if threshold is None
            else mask_counts([self.n_treated, self.n_control], threshold)
        )
        out = pd.DataFrame(
            {
                words["variable"]: labels,
                words["statistic"]: statistics,
                f"{words['treatment']} (n = {n1})": cells[0],
                f"{words['control']} (n = {n0})": cells[1],
                words["smd"]: smd,
            }
        )
        notes = [words["smd_note"]]
        if self.omnibus is not None:
            notes.append(self.omnibus.text(lang))
        out.attrs = {"notes": notes, "lang": lang}
        if threshold is not None:
            out = declare_table(out, controlled_at=threshold)
            out.attrs["disclosure"] = {
                "threshold": threshold,
                "secondary": int(secondary.sum()),
                "dependent": int(hidden.any(axis=1).sum()),
            }
        return out

    def to_markdown(
        self,
        lang: str | None = None,
        disclosure: int | None = DEFAULT_THRESHOLD,
        source: str | None = None,
    ) -> str:
        """The table as a Markdown pipe table with its notes (see :meth:`formatted`).

        Renderings pass the output gate: ``disclosure=None`` (raw counts) is refused
        unless ``source`` declares the data ``"synthetic"``, ``"public"`` or
        ``"published"``.
        """
        _check_raw(disclosure, source, "the balance table")
        return render_table(self.formatted(lang, disclosure), "markdown", source=source)

    def to_html(
        self,
        lang: str | None = None,
        disclosure: int | None = DEFAULT_THRESHOLD,
        source: str | None = None,
    ) -> str:
        """The table as an HTML ``<table>`` with its notes (see :meth:`to_markdown`)."""
        _check_raw(disclosure, source, "the balance table")
        return render_table(self.formatted(lang, disclosure), "html", source=source)

    def to_latex(
        self,
        lang: str | None = None,
        disclosure: int | None = DEFAULT_THRESHOLD,
        source: str | None = None,
    ) -> str:
        """The table as a LaTeX ``tabular`` (needs ``\\usepackage{booktabs}``) with its notes
        (see :meth:`to_markdown`)."""
        _check_raw(disclosure, source, "the balance table")
        return render_table(self.formatted(lang, disclosure), "latex", source=source)

    def summary(self, lang: str | None = None, disclosure: int | None = DEFAULT_THRESHOLD) -> str:
        """The table as plain text with its notes (CPR numbers redacted)."""
        table = self.formatted(lang, disclosure)
        return _redact("\n".join([table.to_string(index=False), "", *_notes(table)]))

    def _view_threshold(self) -> int:
        return max(DEFAULT_THRESHOLD, current_rules().threshold)

    def __str__(self) -> str:
        try:
            return _redact(self.summary(disclosure=self._view_threshold()))
        except Exception as error:  # noqa: BLE001 - a view never raises
            return _text_failed(self, error)

    def __repr__(self) -> str:
        try:
            n1, n0 = mask_counts([self.n_treated, self.n_control], self._view_threshold())
            text = (
                f"<BalanceTable: {self.frame['variable'].nunique()} covariates by "
                f"{self.treatment!r} (treated {n1}, control {n0})>"
            )
            return _redact(text)
        except Exception as error:  # noqa: BLE001 - a repr never raises
            return f"<BalanceTable: not shown ({type(error).__name__})>"

    def _html(self) -> str:
        table = _redacted_frame(self.formatted(None, self._view_threshold()))
        return render_table(table, "html")

    def sheet_table(
        self,
        lang: str | None = None,
        disclosure: int | None = DEFAULT_THRESHOLD,
        *,
        source: str | None = None,
    ):
        """The disclosure-controlled numbers (:meth:`disclosed_frame`, counts declared as
        in the CSV) as a typed :class:`~evalkit.report.ReportTable`: an Excel sheet of
        numbers, a column per mean and SD, with the notes of :meth:`formatted`
        (:meth:`report_table` holds the text cells "mean (SD)" of a document).

        >>> import pandas as pd
        >>> d = pd.DataFrame({"t": [1, 0] * 10, "age": range(20)})
        >>> t = balance_table(d, "t", ["age"], test=None).sheet_table()
        >>> t.data["treated_mean"].tolist(), t.data["treated_count"].tolist()
        ([9.0], [10])
        """
        from .report_table import report_table

        lang = self.lang if lang is None else lang
        threshold = None if disclosure is None else _rules_at_least(disclosure).threshold
        written = self.disclosed_frame(threshold)
        if threshold is not None:
            written = declare_table(
                written, counts=["treated_count", "control_count"], dependent=BALANCE_DEPENDENTS
            )
        kinds = {c: "count" if c.endswith("_count") else "number" for c in written.columns}
        kinds.update(dict.fromkeys(("variable", "level", "type"), "text"))
        shown = self.formatted(lang, threshold)
        return report_table(
            written,
            kinds,
            notes=shown.attrs.get("notes"),
            lang=shown.attrs.get("lang", "en"),
            source=source if threshold is None else None,
        )

    def report_table(
        self,
        lang: str | None = None,
        disclosure: int | None = DEFAULT_THRESHOLD,
        *,
        source: str | None = None,
    ):
        """The table as shown (:meth:`formatted`: text cells, disclosure-controlled, with
        its notes) as a :class:`~evalkit.report.ReportTable`, for Word and Excel.

        >>> import pandas as pd
        >>> d = pd.DataFrame({"t": [1, 0] * 10, "age": range(20)})
        >>> balance_table(d, "t", ["age"], test=None).report_table("da").headers[:2]
        ['Variabel', 'Mål']
        """
        from .report_table import report_table

        shown = self.formatted(lang, disclosure)
        return report_table(
            shown,
            dict.fromkeys(shown.columns, "text"),
            notes=shown.attrs.get("notes"),
            lang=shown.attrs.get("lang", "en"),
            source=source if disclosure is None else None,
        )

    def export(
        self,
        path,
        disclosure: int | None = DEFAULT_THRESHOLD,
        lang: str | None = None,
        *,
        source: str | None = None,
        log=None,
        headers: str = "shown",
    ) -> Path:
        """Write the table to ``path``: CSV, HTML, TeX, Markdown, Excel or Word by its
        suffix, through the output gate (Excel and Word hold :meth:`report_table`).

        With ``disclosure`` (default 5; never below the output rules' threshold) counts of
        1..4 persons and what is computed from them are suppressed and the disclosure note
        is printed under the table. CSV gets :meth:`disclosed_frame` (numbers, no notes;
        its columns headed in ``lang`` by the label catalogue); the other formats get
        :meth:`formatted` with its notes. The gate refuses CPR-shaped values (in level
        names too) and ``disclosure=None`` unless ``source`` declares the data synthetic, public or
        published. ``log`` (an :class:`evalkit.output.OutputLog`) records the file.
        ``headers="names"`` heads a CSV file with the data's own column names and keeps
        the variable, level and type values as they are (for scripts that read the file);
        the default ``"shown"`` heads it in the table's language. Returns the path.
        """
        from ..output.files import atomic_path
        from ..output.gate import gate_path, gate_table
        from ..panel.ids import check_no_cpr

        gate_path(path)
        path, fmt = _export_path(path)
        from .report_table import check_headers

        check_headers(headers, fmt)
        _check_raw(disclosure, source, path.name)
        rules = _rules_at_least(disclosure)
        threshold = None if disclosure is None else rules.threshold
        if fmt in ("xlsx", "docx"):
            check_no_cpr(self.frame, where=path.name)
            if fmt == "xlsx":  # a sheet of numbers (Word shows the table as formatted)
                table = self.sheet_table(lang, threshold, source=source)
            else:
                table = self.report_table(lang, threshold, source=source)
            return table.export(path, source=source, log=log, threshold=threshold)
        if fmt == "csv":
            written = self.disclosed_frame(threshold)
            if threshold is not None:
                written = declare_table(
                    written,
                    counts=["treated_count", "control_count"],
                    dependent=BALANCE_DEPENDENTS,
                )
        else:
            written = self.formatted(lang, threshold)
        check_no_cpr(self.frame, where=path.name)  # level names as they are
        written, record = gate_table(written, path.name, rules=rules, source=source)
        if threshold is not None:
            record.checks.append(
                f"balance table: counts below {threshold} suppressed, with the cells that "
                "would give them away through the arm sizes and the means computed from them"
            )
        with atomic_path(path) as temporary:
            if fmt == "csv" and headers == "names":
                written.to_csv(temporary, index=False)
            elif fmt == "csv":  # headed in ``lang`` from the label catalogue (after the gate)
                from .report_table import _default_header

                shown = _check_lang(self.lang if lang is None else lang)
                if shown != "en":  # the data's (English) names as formatted() shows them
                    for name in ("variable", "level", "type"):
                        written[name] = [catalogue.term(v, shown) for v in written[name]]
                written = written.rename(columns=lambda c: _default_header(c, shown))
                written.to_csv(temporary, index=False)
            else:
                temporary.write_text(render_table(_gated(written), fmt), encoding="utf-8")
        if log is not None:
            log.add(record, [path])
        return path


def _check_raw(disclosure, source, where: str) -> None:
    """Raw counts (``disclosure=None``) leave only when the data are declared not to be
    register data."""
    if disclosure is None and source in (None, "register"):
        from .disclosure import DisclosureError

        raise DisclosureError(
            f"{where}: disclosure=None shows the raw counts, which may not leave a register "
            "environment. Keep disclosure control on, or pass source='synthetic' (or "
            "'public', 'published') when the data are not register data."
        )


def balance_table(
    data: pd.DataFrame,
    treatment: str,
    covariates: str | Sequence[str],
    lang: str = "en",
    test: str | None = "F",
    n_draws: int = 2000,
    seed: int | np.random.Generator | None = None,
    missing: str = "error",
    digits: int = 1,
) -> BalanceTable:
    """The balance table ("Table 1") of a two-arm trial.

    Parameters
    ----------
    data : one row per person (not modified).
    treatment : the 0/1 or boolean treatment column.
    covariates : the baseline covariates. Numeric columns get mean and SD per arm; 0/1
        and boolean columns the count and share of 1/True; text and categorical columns
        the count and share of every level.
    lang : ``"en"`` or ``"da"`` (headers, decimal comma).
    test : omnibus test of balance. ``"F"``: regress the treatment on all covariates
        (linear probability model, categorical covariates dummy-coded) and F-test all
        slopes with the classical (homoskedastic) variance. Under random assignment the
        treatment is independent of the covariates, so its variance given them is
        constant and the classical F test is the right one (no HC correction needed).
        ``"randomization"``: the Mahalanobis distance between the arm means (covariance
        of the whole sample), compared with its distribution over ``n_draws``
        re-randomizations with the observed arm sizes; p = (1 + #{draws >= observed}) /
        (1 + n_draws) (Phipson & Smyth 2010). The draws permute the rows sorted by
        their covariate values and arm (not by any identifier), so the same data in
        another row order give the same p with the same seed. Vectorised over chunks of
        draws; the work grows as n_draws times the number of persons. ``None``: no test.
    n_draws, seed : draws of the randomization test and the seed of its generator: a
        whole number, ``None`` (a fresh seed from the operating system) or a
        ``numpy.random.Generator`` (one integer is drawn from it and used as the seed).
        The seed used is recorded in ``omnibus.seed`` and shown in the table's note, so
        passing it back repeats the test exactly.
    missing : ``"error"`` (default) or ``"drop"`` rows with missing values (listwise).
    digits : decimals of means and SDs (shares are shown in percent with one decimal,
        standardized differences with two).

    Notes
    -----
    The standardized difference of a row is (treated minus control) over
    ``sqrt((s1^2 + s0^2) / 2)`` with the SDs of the two arms, and for shares
    ``s^2 = p (1 - p)`` (Austin 2009, Stat Med 28:3083); NaN when both arms are constant.

    Example
    -------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"t": [1, 0] * 10, "age": range(20), "edu": list("abcba") * 4})
    >>> bt = balance_table(d, "t", ["age", "edu"])
    >>> bt.frame[["variable", "level", "treated_count", "treated_mean", "smd"]].round(3)
      variable level  treated_count  treated_mean    smd
    0      age                   10           9.0 -0.165
    1      edu     a              4           0.4  0.000
    2      edu     b              4           0.4  0.000
    3      edu     c              2           0.2  0.000
    >>> bt.omnibus.method, bt.omnibus.df
    ('F', (3, 16))
    """
    _check_lang(lang)
    if test is not None:
        check_choice(test, "test", TESTS)
    if not isinstance(treatment, str):
        raise ArgumentError(f"treatment must be a column name (a string); got {treatment!r}.")
    names = as_column_list(covariates, "covariates")
    if not names:
        raise ArgumentError("covariates is empty; name at least one baseline covariate.")
    digits = _check_digits(digits)
    if test == "randomization":
        n_draws = _check_digits(n_draws, "n_draws")
        if n_draws < 1:
            raise ArgumentError(f"n_draws must be at least 1 (e.g. 2000); got {n_draws!r}.")
    frame = select_columns(data, {"treatment": [treatment], "covariates": names}, missing)
    treated = treatment_indicator(frame[treatment], treatment)
    n1, n0 = int(treated.sum()), int((~treated).sum())

    for name in names:  # size first: no per-level work on an id-like covariate
        if _kind(frame[name], name) == "categorical":
            _check_levels(frame[name], name)
    rows, blocks = [], []
    for name in names:
        series = frame[name]
        kind = _kind(series, name)
        if kind == "numeric":
            x = numeric_column(series, name, role="covariate")
            (m1, s1), (m0, s0) = _mean_sd(x[treated]), _mean_sd(x[~treated])
            rows.append({
                "variable": name, "level": "", "type": kind,
                "treated_count": n1, "treated_mean": m1, "treated_sd": s1,
                "control_count": n0, "control_mean": m0, "control_sd": s0,
                "smd": _smd(m1 - m0, s1**2, s0**2),
            })  # fmt: skip
            blocks.append(x[:, None])
        elif kind == "binary":
            x = series.to_numpy(dtype=float)
            level = "True" if pd.api.types.is_bool_dtype(series.dtype) else "1"
            rows.append(_share_row(name, level, kind, x, treated))
            blocks.append(x[:, None])
        else:
            if isinstance(series.dtype, pd.CategoricalDtype):
                levels = list(series.cat.categories)
            else:
                levels = sorted(pd.unique(series), key=str)
            # level codes once (O(n)), not one comparison of every row per level
            code = pd.Index(levels).get_indexer(series)
            c1 = np.bincount(code[treated], minlength=len(levels))
            c0 = np.bincount(code[~treated], minlength=len(levels))
            for position, level in enumerate(levels):
                rows.append(
                    _share_counts(name, str(level), kind, c1[position], c0[position], n1, n0)
                )
            if len(levels) > 1:  # dummies of every level but the first
                dummies = np.zeros((len(code), len(levels) - 1))
                inside = code > 0
                dummies[np.flatnonzero(inside), code[inside] - 1] = 1.0
                blocks.append(dummies)
    table = declare_table(
        pd.DataFrame(rows, columns=FRAME_COLUMNS),
        counts=["treated_count", "control_count"],
        dependent=BALANCE_DEPENDENTS,
    )
    omnibus = None
    if test is not None:
        design = np.hstack(blocks)
        if test == "randomization":  # the rows in a canonical order: their covariate
            # values, then the arm (identical rows are interchangeable), so that the
            # draws, and so p, do not depend on the order of the data's rows
            order = np.lexsort(np.column_stack([design, treated]).T[::-1])
            design, treated = design[order], treated[order]
        basis = _basis(design)
        if basis.shape[1] == 0:
            raise DesignError(
                "every covariate is constant, so no balance test is possible; "
                "pass test=None or other covariates."
            )
        if test == "F":
            omnibus = _f_test(basis, treated)
        else:
            omnibus = _randomization_test(basis, treated, n_draws, seed)
    return BalanceTable(table, omnibus, treatment, n1, n0, lang, digits)


# ---------------------------------------------------------------------------- effects


def _stars(p: float) -> str:
    if not math.isfinite(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def effect_table(
    results: EffectResult | Sequence[EffectResult],
    labels: Sequence[str] | Mapping[str, str] | None = None,
    lang: str = "en",
    digits: int = 2,
    ci: bool = True,
    stars: bool = False,
):
    """Several effects in one publication table, one row per result.

    Returns a :class:`~evalkit.report.ReportTable`: columns (English; Danish with
    ``lang="da"``) Outcome, Estimate, the confidence interval (e.g. ``95% CI``; left out
    with ``ci=False``), SE, p-value, n treated, n control, Method. Its numbers stay
    numbers (:attr:`~evalkit.report.ReportTable.data`: the interval as two columns, what
    CSV and Excel files hold); its views show them with ``digits`` decimals (p-values
    three, ``<0.001`` below) and the notebook view shows every outcome name in full.
    ``labels`` replaces the outcome names: a list (one per result) or a dict keyed by
    outcome name. ``stars`` marks estimates with * (p < 0.05), ** (0.01), *** (0.001).
    The table declares its counts (the arm sizes) and what rests on them (estimate,
    interval, SE, p-value) to the output gate (:func:`evalkit.output.declare_table`), so
    that every rendering and export suppresses an effect estimated on an arm of fewer
    than 5 persons; its notes are printed under the table.

    Example
    -------
    >>> import pandas as pd
    >>> from evalkit import difference_in_means
    >>> d = pd.DataFrame({"t": [1, 0] * 6, "weeks": [3, 5, 4, 6, 2, 9, 5, 7, 4, 8, 3, 6]})
    >>> t = effect_table([difference_in_means(d, "weeks", "t")], labels=["Weeks on benefit"],
    ...                  lang="da")
    >>> t.formatted().iloc[0, :5].tolist()
    ['Weeks on benefit', '-3,33', '[-5,00; -1,67]', '0,74', '0,001']
    >>> t.data.columns[2:4].tolist()
    ['95 %-KI, nedre', '95 %-KI, øvre']
    """
    from dataclasses import replace

    from .labels import format_level
    from .labels import label as catalogue_label
    from .report_table import ReportTable, report_table

    _check_lang(lang)
    digits = _check_digits(digits)
    if isinstance(results, EffectResult):
        results = [results]
    if isinstance(results, str | bytes) or not isinstance(results, Sequence):
        raise ArgumentError(
            f"results must be an EffectResult or a list of them; got {type(results).__name__}."
        )
    results = list(results)
    if not results:
        raise ArgumentError("results is empty; pass at least one EffectResult.")
    bad = [i for i, r in enumerate(results) if not isinstance(r, EffectResult)]
    if bad:
        raise ArgumentError(
            f"results must all be EffectResult objects (from evalkit's estimators); item "
            f"{bad[0]} is a {type(results[bad[0]]).__name__}."
        )
    if labels is None:
        names = [r.outcome for r in results]
    elif isinstance(labels, Mapping):
        names = [str(labels.get(r.outcome, r.outcome)) for r in results]
    elif isinstance(labels, str) or len(labels) != len(results):
        raise ArgumentError(
            f"labels must be a list with one label per result ({len(results)}) or a dict "
            f"keyed by outcome name; got {labels!r}."
        )
    else:
        names = [str(label) for label in labels]
    words = TEXT[lang]
    alphas = {r.alpha for r in results}
    ci_header = (
        words["ci"].format(level=format_level(results[0].alpha, lang))
        if len(alphas) == 1
        else words["ci"].format(level="").strip("- ")
    )
    low, high = (
        catalogue_label(k, lang, name=ci_header) for k in ("col_interval_low", "col_interval_high")
    )
    frame = pd.DataFrame(
        {
            words["outcome"]: names,
            words["estimate"]: [float(r.estimate) for r in results],
            low: [float(r.conf_int[0]) for r in results],
            high: [float(r.conf_int[1]) for r in results],
            words["se"]: [math.nan if r.std_error is None else float(r.std_error)
                          for r in results],
            words["p"]: [float(r.p_value) for r in results],
            words["n_treated"]: [int(r.n_treated) for r in results],
            words["n_control"]: [int(r.n_control) for r in results],
            # the estimators' method sentences, in the reader's language where the
            # catalogue knows them (evalkit.report.labels.TERMS)
            words["method"]: [catalogue.term(r.method, lang) for r in results],
        }
    )  # fmt: skip
    numbers = [words["estimate"], low, high, words["se"], words["p"]]
    if not ci:
        frame = frame.drop(columns=[low, high])
        numbers = [c for c in numbers if c in frame]
    notes = []
    if stars:
        notes.append(words["stars"])
    if any(r.scale == "ratio" and r.std_error is not None for r in results):
        notes.append(words["ratio_se"])
    places = {words["estimate"]: digits, words["se"]: digits, ci_header: digits}
    table = report_table(
        frame,
        {words["estimate"]: "estimate", words["se"]: "estimate", words["p"]: "p_value",
         words["outcome"]: "text", words["method"]: "text"},
        intervals={ci_header: (low, high)} if ci else None,
        decimals=places if ci else {k: v for k, v in places.items() if k != ci_header},
        notes=notes,
        lang=lang,
        count_columns=[words["n_treated"], words["n_control"]],
        dependent_columns=numbers,
    )  # fmt: skip
    columns = list(table.columns)
    for i, column in enumerate(columns):
        if stars and column.name == words["estimate"]:
            columns[i] = replace(column, suffix=tuple(_stars(r.p_value) for r in results))
        if column.kind == "interval" and len(alphas) > 1:
            prefix = tuple(f"{format_level(r.alpha, lang)}: " for r in results)
            columns[i] = replace(column, prefix=prefix)
    return ReportTable(table.data, columns, notes=table.notes, lang=lang)


# ---------------------------------------------------------------------------- rendering

_NUMERIC_TEXT = re.compile(r"^\s*[-+<>(\[\u2212]*\s*\d")


def _cell(value, digits: int | None, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return catalogue.label("yes" if value else "no", lang)
    if isinstance(value, int | np.integer):
        return format_number(value, 0, lang)
    if isinstance(value, float | np.floating):
        if not math.isfinite(value):
            return ""
        if digits is None:
            # up to 6 significant digits, never in scientific notation (3.37e+06 is not
            # for a report): large numbers whole, small ones to at most 6 decimals
            size = math.floor(math.log10(abs(value))) + 1 if value else 1
            decimals = min(max(6 - size, 0), 6)
            text = f"{abs(float(value)):.{decimals}f}"
            if "." in text:
                decimals = len(text.rstrip("0").partition(".")[2])
            if value and float(text) == 0:  # below the sixth decimal
                return "<" + format_number(1e-6, 6, lang) if value > 0 else "0"
            return format_number(value, decimals, lang)
        return format_number(value, digits, lang)
    if pd.isna(value) if np.ndim(value) == 0 else False:
        return ""
    return str(value)


def _is_marker(text: str) -> bool:
    return text == SECONDARY_MARKER or bool(re.fullmatch(r"\s*<\s*\d+\s*", text))


def _notes(frame: pd.DataFrame, lang: str | None = None) -> list[str]:
    notes = list(frame.attrs.get("notes", []))
    info = frame.attrs.get("disclosure")
    if info:
        lang = frame.attrs.get("lang", "en") if lang is None else lang
        lang = lang if lang in LANGS else "en"
        secondary = bool(info.get("secondary", 0) or info.get("dependent", 0))
        notes.append(disclosure_note(lang, info.get("threshold", DEFAULT_THRESHOLD), secondary))
    return notes


def _latex_escape(text: str) -> str:
    replace = {
        "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
        "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
    }  # fmt: skip
    return "".join(replace.get(ch, ch) for ch in text)


def render_table(
    frame: pd.DataFrame,
    fmt: str = "markdown",
    lang: str | None = None,
    digits: int | None = None,
    index: bool | None = None,
    notes: Sequence[str] | None = None,
    *,
    count_columns: str | Sequence[str] | None = None,
    source: str | None = None,
) -> str:
    """Render a table frame as ``"html"``, ``"latex"`` (booktabs) or ``"markdown"``.

    The frame passes the output gate first (:func:`evalkit.output.gate.gate_table`), as
    in :func:`export_table`: evalkit's tables declare their counts; for another frame
    pass ``count_columns`` (``[]`` when it holds no counts of persons) or ``source``
    (``"synthetic"``, ``"public"``, ``"published"``).

    Works for any frame: text cells are shown as they are, integers with a thousands
    separator, floats with ``digits`` decimals (default: up to 6 significant digits), in
    the style of ``lang`` (default ``frame.attrs["lang"]``, else English). The index is
    shown unless it is a plain row number (``index=None``). Under the table come
    ``frame.attrs["notes"]``, then ``notes``, then the disclosure note when the frame was
    disclosure-controlled (``attrs["disclosure"]``, as set by
    :func:`~evalkit.report.disclosure.suppress_small`). The first column is left-aligned,
    and so is every column of text; numbers are right-aligned.

    >>> import pandas as pd
    >>> print(render_table(pd.DataFrame({"arm": ["a|b", "c"], "share": [0.25, 0.5]}),
    ...                    lang="da", count_columns=[]))
    | arm | share |
    | :--- | ---: |
    | a\\|b | 0,25 |
    | c | 0,5 |
    """
    from .report_table import ReportTable

    if isinstance(frame, ReportTable):
        check_choice(fmt, "fmt", FORMATS)
        return frame.render(fmt, source=source)
    if not isinstance(frame, pd.DataFrame):
        raise ArgumentError(f"render_table takes a pandas DataFrame; got {type(frame).__name__}.")
    check_choice(fmt, "fmt", FORMATS)
    lang = _check_lang(frame.attrs.get("lang", "en") if lang is None else lang)
    if not frame.attrs.get(_GATED):
        from ..output.gate import gate_table

        frame, _ = gate_table(frame, "rendered table", source=source, count_columns=count_columns)
    if digits is not None:
        digits = _check_digits(digits)
    if index is None:
        index = not isinstance(frame.index, pd.RangeIndex)
    shown = frame.reset_index() if index else frame
    headers = [str(c) for c in shown.columns]
    body = [[_cell(v, digits, lang) for v in row] for row in shown.itertuples(index=False)]
    align = []
    for j, column in enumerate(shown.columns):
        texts = [row[j] for row in body if row[j] and not _is_marker(row[j])]
        numeric = pd.api.types.is_numeric_dtype(
            shown[column].dtype
        ) and not pd.api.types.is_bool_dtype(shown[column].dtype)
        if not numeric and texts:
            numeric = sum(bool(_NUMERIC_TEXT.match(t)) for t in texts) >= len(texts) / 2
        align.append("right" if numeric and j > 0 else "left")
    all_notes = _notes(frame, lang) + list(notes or [])
    if fmt == "markdown":
        return _markdown(headers, body, align, all_notes)
    if fmt == "html":
        return _html(headers, body, align, all_notes)
    return _latex(headers, body, align, all_notes)


def to_markdown(frame: pd.DataFrame, lang: str | None = None, **options) -> str:
    """``render_table(frame, "markdown", ...)``: a Markdown pipe table with its notes.

    >>> import pandas as pd
    >>> print(to_markdown(pd.DataFrame({"arm": ["treated"], "n": [178]}), count_columns=["n"]))
    | arm | n |
    | :--- | ---: |
    | treated | 178 |
    <BLANKLINE>
    Cells based on fewer than 5 persons are suppressed.
    """
    return render_table(frame, "markdown", lang=lang, **options)


def to_html(frame: pd.DataFrame, lang: str | None = None, **options) -> str:
    """``render_table(frame, "html", ...)``: an HTML table with its notes.

    >>> import pandas as pd
    >>> to_html(pd.DataFrame({"arm": ["treated"]}), count_columns=[]).splitlines()[3]
    '<tr><th style="text-align: left;">arm</th></tr>'
    """
    return render_table(frame, "html", lang=lang, **options)


def to_latex(frame: pd.DataFrame, lang: str | None = None, **options) -> str:
    """``render_table(frame, "latex", ...)``: a booktabs ``tabular`` with its notes.

    >>> import pandas as pd
    >>> print(to_latex(pd.DataFrame({"arm": ["treated"], "n": [178]}), count_columns=["n"]))
    \\begin{tabular}{lr}
    \\toprule
    arm & n \\\\
    \\midrule
    treated & 178 \\\\
    \\bottomrule
    \\end{tabular}
    \\par\\smallskip
    {\\footnotesize Cells based on fewer than 5 persons are suppressed.\\par}
    """
    return render_table(frame, "latex", lang=lang, **options)


def _markdown(headers, body, align, notes) -> str:
    def line(cells):
        escaped = (c.replace("|", "\\|").replace("\n", " ") for c in cells)
        return "| " + " | ".join(escaped) + " |"

    rule = "| " + " | ".join("---:" if a == "right" else ":---" for a in align) + " |"
    lines = [line(headers), rule] + [line(row) for row in body]
    for note in notes:
        lines += ["", note]
    return "\n".join(lines)


def _html(headers, body, align, notes) -> str:
    def row(cells, tag):
        return (
            "<tr>"
            + "".join(
                f'<{tag} style="text-align: {a};">{html.escape(c)}</{tag}>'
                for c, a in zip(cells, align, strict=True)
            )
            + "</tr>"
        )

    parts = [
        '<div class="evalkit-table">',
        "<table>",
        "<thead>",
        row(headers, "th"),
        "</thead>",
        "<tbody>",
    ]
    parts += [row(cells, "td") for cells in body]
    parts += ["</tbody>", "</table>"]
    parts += [f'<p class="evalkit-note">{html.escape(note)}</p>' for note in notes]
    parts.append("</div>")
    return "\n".join(parts)


def _latex(headers, body, align, notes) -> str:
    spec = "".join("r" if a == "right" else "l" for a in align)
    lines = [
        f"\\begin{{tabular}}{{{spec}}}",
        "\\toprule",
        " & ".join(_latex_escape(h) for h in headers) + r" \\",
        "\\midrule",
    ]
    lines += [" & ".join(_latex_escape(c) for c in row) + r" \\" for row in body]
    lines += ["\\bottomrule", "\\end{tabular}"]
    if notes:
        lines.append("\\par\\smallskip")
        lines.append(
            "{\\footnotesize " + "\\par\n".join(_latex_escape(n) for n in notes) + "\\par}"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------- export


def _export_path(path) -> tuple[Path, str]:
    if not isinstance(path, str | Path):
        raise ArgumentError(f"path must be a file name (str or Path); got {path!r}.")
    path = Path(path)
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ArgumentError(
            f"cannot tell the format of {path.name!r} from its suffix; use one of "
            f"{', '.join(SUFFIXES)}."
        )
    if not path.parent.exists():
        raise ArgumentError(f"the folder {str(path.parent)!r} does not exist; create it first.")
    return path, fmt


def export_table(
    frame: pd.DataFrame,
    path,
    threshold: int | None = None,
    count_columns: str | Sequence[str] | None = None,
    dependent_columns: Sequence[str] | None = None,
    lang: str | None = None,
    digits: int | None = None,
    *,
    source: str | None = None,
    totals: Mapping | None = None,
    log=None,
) -> Path:
    """Write a table to ``path`` (CSV, HTML, TeX, Markdown, Excel or Word by its suffix)
    through the output gate (:func:`evalkit.output.gate.gate_table`).

    A :class:`~evalkit.report.ReportTable` writes itself (:meth:`ReportTable.export`);
    a frame is written to ``.xlsx`` and ``.docx`` as a report table of it
    (:func:`~evalkit.report.report_table`: kinds from its declaration and dtypes).

    1. The gate refuses CPR-shaped values anywhere in the table or its file name.
    2. Counts of 1..threshold-1 persons in the count columns are suppressed, together
       with what is computed from them on their row and, with ``totals``, the cells from
       which they could be recovered by subtraction. The count columns are those the
       table's maker declared (:func:`evalkit.output.declare_table`; evalkit's tables
       declare theirs) or ``count_columns`` (``[]`` when the table holds no counts of
       persons); an undeclared table from register data is refused, never guessed from
       column names. ``dependent_columns`` (default: the declared ones) are the columns
       computed from the counts.
    3. Tables with one row per person (spells, outcomes, assignments) are refused.

    ``threshold`` (default: the output rules', :func:`evalkit.output.current_rules`, 5
    under Statistics Denmark's) may be stricter than the rules, never laxer: the stricter
    of the two is applied. ``source="synthetic"``, ``"public"`` or ``"published"``
    declares tables not made from register data: they are CPR-checked but not
    suppressed. The file is written to a temporary name and
    renamed into place; ``log`` (an :class:`evalkit.output.OutputLog`) records it. The
    disclosure note goes under the table (not into CSV files). Returns the path.

    >>> import pandas as pd, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> t = pd.DataFrame({"arm": ["treated", "control"], "n": [178, 3], "share": [0.4, 0.3]})
    >>> path = export_table(t, folder / "arms.md", count_columns=["n"],
    ...                     dependent_columns=["share"])
    >>> print(path.read_text())
    | arm | n | share |
    | :--- | ---: | ---: |
    | treated | 178 | 0.4 |
    | control | <5 | x |
    <BLANKLINE>
    Cells based on fewer than 5 persons are suppressed. x: suppressed so that a \
suppressed cell cannot be recovered, or computed from a suppressed count.
    """
    from ..output.files import atomic_path
    from ..output.gate import gate_path, gate_table
    from .report_table import ReportTable, report_table

    if isinstance(frame, ReportTable):
        return frame.export(path, source=source, log=log, threshold=threshold)
    if not isinstance(frame, pd.DataFrame):
        raise ArgumentError(f"export_table takes a pandas DataFrame; got {type(frame).__name__}.")
    gate_path(path)
    path, fmt = _export_path(path)
    if fmt in ("xlsx", "docx"):
        table = report_table(
            frame,
            lang=_check_lang(frame.attrs.get("lang", "en") if lang is None else lang),
            notes=frame.attrs.get("notes"),
            source=source,
            count_columns=count_columns,
            dependent_columns=dependent_columns,
        )
        if totals is not None:
            raise ArgumentError("totals= is not supported for .xlsx and .docx; declare them.")
        return table.export(path, source=source, log=log, threshold=threshold)
    rules = _rules_at_least(threshold)
    out, record = gate_table(
        frame,
        path.name,
        rules=rules,
        source=source,
        count_columns=count_columns,
        dependent_columns=dependent_columns,
        totals=totals,
    )
    with atomic_path(path) as temporary:
        if fmt == "csv":
            out.to_csv(temporary, index=not isinstance(out.index, pd.RangeIndex))
        else:
            temporary.write_text(
                render_table(_gated(out), fmt, lang=lang, digits=digits), encoding="utf-8"
            )
    if log is not None:
        log.add(record, [path])
    return path


def _rules_at_least(threshold):
    """The current output rules, with ``threshold`` when it is stricter."""
    from ..output.rules import current_rules, resolve_rules

    rules = current_rules()
    if threshold is not None and check_threshold(threshold) > rules.threshold:
        rules = resolve_rules(rules, threshold=check_threshold(threshold))
    return rules


_GATED = "evalkit_gated"


def _gated(frame: pd.DataFrame) -> pd.DataFrame:
    """Mark a frame that has passed the gate (so that rendering it does not gate twice)."""
    out = frame.copy(deep=False)
    out.attrs = {**frame.attrs, _GATED: True}
    return out
