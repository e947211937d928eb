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

Every other result gets the same control from the display mixins
(:class:`SummaryDisplay`, :class:`LinesDisplay`, :class:`TableDisplay`): it names the
counts of persons its numbers rest on in ``_view_counts()`` (by default the counts its
``to_frame()`` declares, :func:`counts_of`); when one is small, ``summary()``, ``str()``,
``repr()``, ``_repr_pretty_`` and the notebook view show the small counts as ``"<5"``
and every other number as ``"x"`` (whole counts at or above the threshold and confidence
levels stay), with one line saying why (label ``result_suppressed``), and the notebook
table passes :func:`evalkit.output.gate_table` (declared counts and what rests on them
masked by row, curves pooled and truncated).

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

import functools
import html
import math
import numbers
import re
import threading
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


def _text_failed(obj, error: Exception) -> str:
    """The text shown when a text view cannot be built: names no value, never raises."""
    return (
        f"{type(obj).__name__}: the view could not be shown ({type(error).__name__}); "
        "read the result's attributes."
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


# --------------------------------------------------------------------------- view control
#: A number as the text views write it: signed, with thousands separators, decimals, an
#: exponent or a percent sign; not a digit inside a name (``x1``, ``cohort_2019``).
_NUMBER = re.compile(
    r"(?<![\w.])[-+\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?%?(?!\w)"
)
#: What follows a confidence level ("95% CI", "95%-KI"): the level rests on no count.
_LEVEL_AFTER = re.compile(
    r"[\s-]*(?:CI|KI|conf|simultaneous|interval|band|low|high|lower|upper)", re.IGNORECASE
)
_BUILDING = threading.local()


@dataclass(frozen=True)
class ViewControl:
    """The disclosure control of one result's views under the rules in force.

    ``counts``: the counts of persons the result declared (name -> number);
    ``suppressed``: one of them is small (:func:`small_count`), or the counts could not
    be read; ``shown`` / ``small``: the whole counts at or above / below the threshold.
    """

    counts: dict
    suppressed: bool
    shown: frozenset
    small: frozenset
    threshold: int

    @classmethod
    def of(cls, result) -> ViewControl:
        """The control of ``result``'s views (never raises: counts that cannot be read
        suppress every number)."""
        threshold = current_rules().threshold
        try:
            counts = {str(k): v for k, v in dict(result._view_counts()).items() if v is not None}
        except Exception:  # noqa: BLE001 - unknown counts: show no number
            return cls({}, True, frozenset(), frozenset(), threshold)
        shown, small, suppressed = set(), set(), False
        for value in counts.values():
            hidden = small_count(value)
            suppressed = suppressed or hidden
            try:
                number = float(value)
            except (TypeError, ValueError):
                continue
            if math.isfinite(number) and number == int(number):
                (small if hidden else shown).add(int(number))
        return cls(counts, suppressed, frozenset(shown), frozenset(small), threshold)

    def count_text(self, value) -> str:
        """A count as the views show it: ``"<5"`` when small, else the number."""
        if small_count(value):
            return f"<{self.threshold}"
        try:
            number = float(value)
        except (TypeError, ValueError):
            return SUPPRESSED
        return str(int(number)) if number == int(number) else f"{number:g}"

    def _notes(self) -> set[str]:
        from .report.labels import label

        return {
            label(key, lang, threshold=self.threshold, counts="")[:40]
            for key in ("effect_suppressed", "result_suppressed")
            for lang in ("en", "da")
        }

    def mask(self, text) -> str:
        """``text`` (CPR-redacted) with, when the result is suppressed, every number shown
        as ``"x"`` but its whole counts at or above the threshold (shown) and below it
        (shown as ``"<5"``), confidence levels and suppression notes."""
        text = _redact(text)
        if not self.suppressed:
            return text
        notes = self._notes()
        return "\n".join(
            line if line.strip()[:40] in notes else _NUMBER.sub(self._replace, line)
            for line in text.split("\n")
        )

    def _replace(self, match: re.Match) -> str:
        token, text = match.group(0), match.string
        if token.endswith("%") and _LEVEL_AFTER.match(text, match.end()):
            return token
        body = token.replace(",", "")
        if body.isdigit():
            value = int(body)
            if value == self.threshold and match.start() > 0 and text[match.start() - 1] == "<":
                return token
            if value in self.shown:
                return token
            if value in self.small:
                return f"<{self.threshold}"
        return SUPPRESSED

    def note(self, lang: str = "en") -> list[str]:
        """One line saying why numbers are suppressed (none when nothing is)."""
        if not self.suppressed:
            return []
        from .report.labels import label

        if self.counts and len(self.counts) <= 8:
            counts = ", ".join(f"{k} {self.count_text(v)}" for k, v in self.counts.items())
        elif self.counts:
            hidden = [k for k, v in self.counts.items() if small_count(v)]
            counts = ", ".join(f"{k} {self.count_text(self.counts[k])}" for k in hidden[:8])
            counts += f" and {len(hidden) - 8} more" if len(hidden) > 8 else ""
        else:
            counts = "counts not known"
        return [_redact(label("result_suppressed", lang, threshold=self.threshold, counts=counts))]

    def mask_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with every number cell and every number in a text cell masked as
        :meth:`mask` does (for tables whose counts the gate cannot control)."""
        out = frame.astype(object).copy()
        out.attrs = {}

        def cell(value):
            if isinstance(value, str):
                return self.mask(value)
            if isinstance(value, bool | np.bool_) or value is None:
                return value
            if isinstance(value, numbers.Number):
                if isinstance(value, float) and math.isnan(value):
                    return value
                return self.mask(fmt_value(value) if isinstance(value, float) else str(value))
            return value

        for j in range(out.shape[1]):
            out.iloc[:, j] = [cell(v) for v in out.iloc[:, j]]
        return out


def counts_of(frame: pd.DataFrame) -> dict:
    """The counts of persons a declared frame holds, by name (``column (row label)``):
    every non-missing cell of its count columns, and the complement ``whole - part`` of
    every declared complement pair (persons without the property are counted too)."""
    from .output.declare import declaration

    info = declaration(frame) or {}
    if info.get("source", "register") != "register":
        return {}

    first = frame.columns[0] if frame.shape[1] else None

    def name(column, i) -> str:
        if len(frame) == 1:
            return str(column)
        if first in info.get("counts", []) or first is None:
            return f"{column} [{i}]"
        row = frame.iloc[i, 0]
        return f"{column} ({row})" if isinstance(row, str) else f"{column} ({first} {row})"

    def present(value) -> bool:
        try:
            return not bool(pd.isna(value))
        except (TypeError, ValueError):
            return True

    counts = {}
    for column in info.get("counts") or []:
        for i, value in enumerate(frame[column].tolist()):
            if present(value):
                counts[name(column, i)] = value
    for part, whole in (info.get("complements") or {}).items():
        for i, (p, w) in enumerate(zip(frame[part].tolist(), frame[whole].tolist(), strict=True)):
            if present(p) and present(w):
                counts[name(f"{whole} - {part}", i)] = w - p
    return counts


def _redacted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (declaration kept) with CPR numbers removed from its text cells and
    labels, so that the gate controls its counts instead of refusing it."""
    from .output.cpr import contains_cpr

    out = frame.copy()
    for j in range(out.shape[1]):
        column = out.iloc[:, j]
        if column.dtype.kind in "biuf":
            continue
        values = column.astype(object).to_numpy()
        hits = contains_cpr(values)
        if np.any(hits):
            values = [_redact(v) if hit else v for v, hit in zip(values, hits, strict=True)]
            out[out.columns[j]] = pd.Series(values, index=out.index, dtype=object)
    out.columns = [_redact(c) if isinstance(c, str) else c for c in out.columns]
    if out.index.dtype == object:
        out.index = [_redact(i) if isinstance(i, str) else i for i in out.index]
    return out


def _controlled(method):
    """``method`` (a text view: ``summary``, ``__repr__``) under the result's view control."""

    @functools.wraps(method)
    def controlled(self, *args, **kwargs):
        building = getattr(_BUILDING, "ids", None)
        if building is None:
            building = _BUILDING.ids = set()
        if id(self) in building:  # a super() call inside the view: controlled outside
            return method(self, *args, **kwargs)
        building.add(id(self))
        try:
            text = method(self, *args, **kwargs)
            control = ViewControl.of(self)
            note = control.note()
            if method.__name__ == "__repr__":
                return " ".join([control.mask(text), *note])
            return "\n".join([control.mask(text), *note])
        except Exception as error:  # noqa: BLE001 - a view never raises
            return _text_failed(self, error)
        finally:
            building.discard(id(self))

    controlled._view_controlled = True
    return controlled


class SummaryDisplay:
    """Mixin for results with ``summary()``: ``str()`` and the notebook views show it.

    Every view passes :func:`evalkit.output.cpr.redact` (no CPR number is shown), and
    views never raise. Disclosure control is shared: a result declares the counts of
    persons its numbers rest on in :meth:`_view_counts` (by default the count columns
    its ``to_frame()`` declares, :func:`evalkit.output.declaration`), and when one of
    them is 1 to ``threshold - 1`` (0 too when the rules call zeros disclosive) every
    text view (``summary()``, ``str()``, ``repr()``, ``_repr_pretty_``, the notebook
    view) shows the small counts as ``"<5"`` and every other number as ``"x"`` (whole
    counts at or above the threshold and the confidence level stay), with one line
    saying why (label ``result_suppressed``); table views render the gated table
    (:func:`evalkit.output.gate_table`). Subclasses get this without code: the mixin
    wraps the ``summary`` and ``__repr__`` they define, and gives results that describe
    persons (with ``to_frame`` or ``_view_counts``) a controlled ``repr``. A class whose
    views apply their own control (:class:`EffectResult`) sets ``_view_control_own``.
    The attributes keep the exact numbers.
    """

    #: True for classes whose views apply disclosure control themselves.
    _view_control_own = False

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__
        if not getattr(cls, "_view_control_own", False):
            for name in ("summary", "__repr__"):
                method = own.get(name)
                if callable(method) and not getattr(method, "_view_controlled", False):
                    setattr(cls, name, _controlled(method))
        describes_persons = hasattr(cls, "to_frame") or (
            cls._view_counts is not SummaryDisplay._view_counts
        )
        if "__repr__" not in cls.__dict__ and describes_persons:
            # placed on the class itself so that @dataclass keeps it (no field values)
            cls.__repr__ = _view_repr

    def summary(self) -> str:  # pragma: no cover - every user defines it
        raise NotImplementedError

    def _view_counts(self) -> dict:
        """The counts of persons (or events) the result's numbers rest on, by name.

        Default: every cell of the count columns declared by ``to_frame()`` (none when it
        declares none, or data not from registers). Results override it with their
        arms, persons and events.
        """
        to_frame = getattr(self, "to_frame", None)
        if to_frame is None:
            return {}
        from .output.declare import declaration

        frame = to_frame()
        info = declaration(frame) or {}
        if info.get("source", "register") != "register":
            return {}
        return counts_of(frame)

    def _view_control(self) -> ViewControl:
        """The disclosure control of the views under the rules in force."""
        if getattr(self, "_view_control_own", False):
            return ViewControl({}, False, frozenset(), frozenset(), current_rules().threshold)
        return ViewControl.of(self)

    def __str__(self) -> str:
        try:
            return _redact(self.summary())
        except Exception as error:  # noqa: BLE001 - a view never raises
            return _text_failed(self, error)

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        """IPython's plain-text view (stored in exported notebooks next to the HTML)."""
        try:
            text = str(self)
        except Exception as error:  # noqa: BLE001 - a view never raises
            text = _text_failed(self, error)
        printer.text(text)

    def _html(self) -> str:
        return "<p>" + html.escape(str(self)).replace("\n", "<br>") + "</p>"

    def _repr_html_(self) -> str:
        try:
            return _redact(self._html())
        except Exception as error:  # noqa: BLE001 - a view never raises
            return _view_failed(self, error)


def _view_repr(self) -> str:
    """``<Class: first line of the summary>``: no field values (they may be small counts)."""
    try:
        first = str(self).split("\n", 1)[0]
        control = self._view_control()
        return _redact(" ".join([f"<{type(self).__name__}: {first}>", *control.note()]))
    except Exception as error:  # noqa: BLE001 - a repr never raises
        return f"<{type(self).__name__}: not shown ({type(error).__name__})>"


_view_repr._view_controlled = True


class LinesDisplay(SummaryDisplay):
    """Mixin for results that describe themselves in ``_lines()``."""

    def _lines(self) -> list[str]:  # pragma: no cover - every user defines it
        raise NotImplementedError

    def summary(self) -> str:
        """The result in a few lines of text."""
        return "\n".join(self._lines())

    def _html(self) -> str:
        control = self._view_control()
        lines = [control.mask(x) for x in self._lines()] + control.note()
        return "<div><p>" + "<br>".join(html.escape(x) for x in lines) + "</p></div>"


class TableDisplay(SummaryDisplay):
    """Mixin for results shown as header lines above a table (``to_frame()`` by default).

    The notebook view shows the table through the output gate (counts of 1..4 persons
    as ``"<5"``, the numbers resting on them as ``"x"``, curves pooled and truncated:
    :func:`evalkit.output.gate_table`); a table the gate cannot control has its numbers
    masked whole when the result is suppressed.
    """

    #: At most this many rows in the notebook view (None: all).
    _view_max_rows: int | None = None

    def _header(self) -> list[str]:  # pragma: no cover - every user defines it
        raise NotImplementedError

    def _display_frame(self) -> pd.DataFrame:
        return self.to_frame()

    def _after_lines(self) -> list[str]:
        """Text lines shown below the table (footers, notes)."""
        return []

    def _html_after(self) -> str:
        """HTML shown below the table (footers, notes)."""
        control = self._view_control()
        lines = [control.mask(x) for x in self._after_lines()]
        if not lines:
            return ""
        return "<p>" + "<br>".join(html.escape(x) for x in lines) + "</p>"

    def _view_table(self, control: ViewControl | None = None) -> pd.DataFrame:
        """The table as the notebook shows it: gated when declared, masked when the
        result is suppressed and the gate cannot control it."""
        from .output.declare import declaration
        from .output.gate import gate_table

        control = self._view_control() if control is None else control
        frame = _redacted_frame(self._display_frame())
        if getattr(self, "_view_control_own", False):
            return frame
        info = declaration(frame)
        controls = (
            bool(info)
            and info.get("source", "register") == "register"
            and (bool(info.get("counts")) or info.get("kind") == "curve")
        )
        if controls:
            try:
                gated = gate_table(frame, "notebook view")[0]
            except Exception:  # noqa: BLE001 - a view never raises: mask instead
                return control.mask_frame(frame) if control.suppressed else _failed_table()
            gated.attrs = {}
            return gated
        if control.suppressed:
            return control.mask_frame(frame)
        frame.attrs = {}
        return frame

    def _html(self) -> str:
        control = self._view_control()
        header = "<br>".join(html.escape(control.mask(line)) for line in self._header())
        table = self._view_table(control).to_html(
            index=False, float_format=fmt_value, max_rows=self._view_max_rows
        )
        note = "".join(f"<p>{html.escape(line)}</p>" for line in control.note())
        return f"<div><p>{header}</p>{table}{self._html_after()}{note}</div>"


def _failed_table() -> pd.DataFrame:
    return pd.DataFrame({"table": ["not shown (the output gate could not control it)"]})


#: The columns every inferential result's ``to_frame()`` starts with, in this order.
CORE_COLUMNS = ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
#: The attributes every inferential result has (None where not defined: an exact test
#: has no standard error, a test without an effect measure no estimate or interval).
SURFACE = ("estimate", "std_error", "conf_int", "p_value")


def _number(value) -> float:
    return np.nan if value is None else value


class InferentialResult(TableDisplay):
    """The one surface of evalkit's inferential results.

    A result is a frozen dataclass that has :data:`SURFACE`: ``estimate``,
    ``std_error``, ``conf_int`` (a ``(low, high)`` pair) and ``p_value`` — as fields, or
    as properties naming which of its numbers they are — with its own attributes beside
    them. The base derives the rest from them:

    - ``conf_low``, ``conf_high``;
    - ``to_frame()``: a tidy frame, one row per term, whose first columns are
      :data:`CORE_COLUMNS` (``term``, ``estimate``, ``std_error``, ``statistic``,
      ``p_value``, ``conf_low``, ``conf_high``; NaN where not defined) and then the
      result's own columns. By default one row: the surface, ``statistic`` from
      :meth:`_statistic`, the term from :meth:`_term` and the columns of
      :meth:`_row_extra`; results with several terms give :meth:`_rows`. The frame is
      declared to the output gate by :meth:`_declare` (what its counts of persons are);
    - ``summary()`` (``_header()``, one line with the estimate, standard error,
      interval and p-value, :meth:`_details`, the notes) and the HTML view (the header
      above the gated ``to_frame()``), both disclosure-controlled.

    Example
    -------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True, repr=False)
    ... class Mean(InferentialResult):
    ...     estimate: float
    ...     std_error: float
    ...     conf_int: tuple
    ...     p_value: float
    ...     def _header(self):
    ...         return ["A mean"]
    ...     def _declare(self, frame):
    ...         from evalkit.output import declare_table
    ...         return declare_table(frame, counts=[])
    >>> m = Mean(2.0, 0.5, (1.0, 3.0), 0.01)
    >>> m.to_frame().columns.tolist()[:7] == CORE_COLUMNS, m.conf_high
    (True, 3.0)
    >>> print(m.summary())
    A mean
    estimate 2, SE 0.5, 95% CI [1, 3], p = 0.01
    """

    @property
    def conf_low(self) -> float:
        """Lower end of ``conf_int`` (NaN when there is no interval)."""
        return np.nan if self.conf_int is None else self.conf_int[0]

    @property
    def conf_high(self) -> float:
        """Upper end of ``conf_int`` (NaN when there is no interval)."""
        return np.nan if self.conf_int is None else self.conf_int[1]

    # -- hooks ------------------------------------------------------------------------
    def _term(self) -> str:
        """The name of the estimate's row (default: the result's ``label``, else
        ``"estimate"``)."""
        return str(getattr(self, "label", None) or "estimate")

    def _statistic(self) -> float | None:
        """The test statistic behind ``p_value`` (default: a ``statistic`` attribute)."""
        return getattr(self, "statistic", None)

    def _row_extra(self) -> dict:
        """The result's own columns on the estimate's row (counts, method...)."""
        return {}

    def _rows(self) -> list[dict]:
        """The rows of ``to_frame()`` (default: one, from the surface)."""
        return [
            {
                "term": self._term(),
                "estimate": _number(self.estimate),
                "std_error": _number(self.std_error),
                "statistic": _number(self._statistic()),
                "p_value": _number(self.p_value),
                "conf_low": self.conf_low,
                "conf_high": self.conf_high,
                **self._row_extra(),
            }
        ]

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:  # pragma: no cover
        """``frame`` declared to the output gate (:func:`evalkit.output.declare_table`):
        which columns are counts of persons and what rests on them. Every result says."""
        raise NotImplementedError(f"{type(self).__name__} must declare its to_frame()")

    def _details(self) -> list[str]:
        """Lines of ``summary()`` after the estimate's line."""
        return []

    def _notes(self) -> list[str]:
        """Notes printed last (caveats)."""
        return []

    # -- derived ----------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """A tidy frame, one row per term: :data:`CORE_COLUMNS` first, then the result's
        own columns; declared to the output gate."""
        frame = pd.DataFrame(self._rows())
        for column in CORE_COLUMNS:
            if column not in frame.columns:
                frame[column] = np.nan
        rest = [c for c in frame.columns if c not in CORE_COLUMNS]
        return self._declare(frame.loc[:, [*CORE_COLUMNS, *rest]])

    def _estimate_line(self) -> str:
        parts = [f"estimate {fmt_value(_plain(self.estimate))}"]
        if self.std_error is not None and not _isnan(self.std_error):
            parts.append(f"SE {fmt_value(_plain(self.std_error))}")
        if self.conf_int is not None:
            level = f"{100 * (1 - getattr(self, 'alpha', 0.05)):g}%"
            parts.append(
                f"{level} CI [{fmt_value(_plain(self.conf_low))}, "
                f"{fmt_value(_plain(self.conf_high))}]"
            )
        if self.p_value is not None and not _isnan(self.p_value):
            parts.append(f"p = {fmt_p_value(_plain(self.p_value))}")
        return ", ".join(parts)

    def summary(self) -> str:
        """The result in a few lines: header, the estimate's line, details, notes."""
        lines = list(self._header())
        if self.estimate is not None:
            lines.append(self._estimate_line())
        lines += self._details()
        lines += list(self._notes())
        return "\n".join(lines)

    def _after_lines(self) -> list[str]:
        return list(self._notes())


class HypothesisTest(InferentialResult):
    """An inferential result that is a test: ``std_error`` and ``conf_int`` are None,
    and ``estimate`` too unless the test has an effect-like statistic (a subclass then
    defines it); ``p_value`` is the test's."""

    @property
    def estimate(self) -> float | None:
        """None: the test has no effect measure."""
        return None

    @property
    def std_error(self) -> None:
        """None: a test has no standard error."""
        return None

    @property
    def conf_int(self) -> None:
        """None: a test has no interval (invert it for one, where that is defined)."""
        return None


class IntervalEstimate(InferentialResult):
    """An inferential result with an estimate and an interval but no standard error and
    no test (an exact or percentile interval, a predictive distribution): ``std_error``
    and ``p_value`` are None."""

    @property
    def std_error(self) -> None:
        """None: the interval is exact or a percentile interval, not estimate +/- z SE."""
        return None

    @property
    def p_value(self) -> None:
        """None: nothing is tested."""
        return None


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _isnan(value) -> bool:
    try:
        return bool(np.isnan(value))
    except TypeError:
        return False


@dataclass(frozen=True, eq=False, repr=False)
class EffectResult(InferentialResult):
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
    conditions : for a contrast of two arms of a multi-arm trial, their labels
        ``(condition1, condition2)`` as text (the effect is condition2 minus condition1;
        ``n_treated`` counts condition2, ``n_control`` condition1); else None.

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
    conditions: tuple[str, str] | None = None

    #: The views control themselves (arms as "<5", the effect as "x"; see the module).
    _view_control_own = True

    def _view_counts(self) -> dict:
        return {"treated": self.n_treated, "control": self.n_control}

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

    def _rows(self) -> list[dict]:
        """The treatment term, or every term of a regression, with df, outcome, method
        and the arm sizes."""
        if self.terms is not None:
            rows = self.terms.loc[:, TIDY_COLUMNS].to_dict("records")
        else:
            rows = [
                {
                    "term": self._effect_term(),
                    "estimate": self.estimate,
                    "std_error": _number(self.std_error),
                    "statistic": _number(self.statistic),
                    "p_value": self.p_value,
                    "conf_low": self.conf_int[0],
                    "conf_high": self.conf_int[1],
                    "df": _number(self.df),
                }
            ]
        extra = {"outcome": self.outcome, "method": self.method,
                 "n_treated": self.n_treated, "n_control": self.n_control}  # fmt: skip
        return [{**row, **extra} for row in rows]

    def _effect_term(self) -> str:
        """The effect's term: the treatment column, or ``column[condition2]`` for a
        contrast of two arms."""
        if self.conditions is None:
            return self.treatment
        return f"{self.treatment}[{self.conditions[1]}]"

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A tidy frame, one row per term (the treatment term only, unless a regression):
        term, estimate, std_error, statistic, p_value, conf_low, conf_high, df, outcome,
        method, n_treated, n_control. The numbers are exact; ``n_treated`` and
        ``n_control`` are declared as counts of persons and every number (estimate to df)
        as resting on them, so that an export suppresses the row of an effect estimated
        on an arm of fewer than 5 persons."""
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
        if self.conditions is None:
            arms = (
                f"{self.treatment} (treated {self._arm_text(self.n_treated)}, "
                f"control {self._arm_text(self.n_control)})"
            )
        else:
            first, second = self.conditions
            arms = (
                f"{self.treatment}, {second} vs {first} ({second} "
                f"{self._arm_text(self.n_treated)}, {first} {self._arm_text(self.n_control)})"
            )
        lines = [self.method, f"Outcome: {self.outcome}    Treatment: {arms}"]
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
