"""Report tables: a table whose columns have kinds, formatted by kind and language.

A :class:`ReportTable` keeps its numbers as numbers (:attr:`ReportTable.data`, declared to
the output gate) and knows what each column is: an estimate, a confidence interval (two
numeric columns shown as one), a p-value, a count of persons, an amount in kroner, a
share, yes/no, text. Every rendering formats the cells by kind in the table's language
with the number formatter of :mod:`evalkit.report.labels` and a plain minus sign, as text
pasted into documents (Danish: ``"1.802.000 kr."``,
``"0,003"``, ``"<0,001"``, ``"[0,54; 2,73]"``, ``"26,4 %"``) and text cells through the
label catalogue (:func:`~evalkit.report.labels.term`: evalkit's own words, such as
``"Course starts"``, in the table's language; other text as it is; booleans yes/no
words), after the output gate
(:func:`evalkit.output.gate_table`) has suppressed what must be suppressed:

- views: HTML (the notebook view shows every cell in full), Markdown, LaTeX (booktabs);
- files (:meth:`ReportTable.export`, by suffix): CSV and Excel (``.xlsx``) keep the
  numbers as numbers, an interval as two columns, with full precision (Excel shows them
  with number formats by kind); Word (``.docx``) holds a real Word table; HTML, Markdown
  and TeX the rendering. Excel needs the ``xlsx`` extra (openpyxl) and Word the ``docx``
  extra (python-docx): ``pip install "evalkit[xlsx,docx]"``.

Kinds (:data:`KINDS`): ``text``, ``estimate`` (fixed decimals, default 2), ``interval``,
``p_value`` (three decimals, ``<0.001`` below), ``count`` (persons; grouped digits),
``integer`` (a year, a week number: no grouping), ``number`` (as many decimals as the
size of each value calls for, never scientific notation), ``kroner``, ``share`` (a
proportion shown as a percentage), ``yes_no`` and ``value`` (a column of mixed units,
each row formatted by the unit in another column: ``DKK...`` as kroner, ``share`` as a
percentage, anything else as a number).

Example
-------
>>> import pandas as pd
>>> from evalkit.output import declare_table
>>> frame = declare_table(
...     pd.DataFrame({"item": ["Course starts", "Completions"], "persons": [144, 108],
...                   "amount": [864000.0, 1080000.0]}),
...     counts=["persons"], dependent=["amount"], source="published")
>>> t = report_table(frame, {"amount": "kroner"}, lang="da")
>>> print(t.to_markdown())
| Post | Personer | Beløb |
| :--- | ---: | ---: |
| Forløbsstarter | 144 | 864.000 kr. |
| Completions | 108 | 1.080.000 kr. |
>>> t.to_frame()["amount"].tolist()  # the numbers stay numbers
[864000.0, 1080000.0]
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ArgumentError, EvalkitError
from ..output.declare import declaration, declare_source
from . import labels as _labels
from .disclosure import disclosure_note

KINDS = (
    "text", "estimate", "interval", "p_value", "count", "integer", "number", "kroner",
    "share", "yes_no", "value",
)  # fmt: skip
#: Suffix -> format written by :meth:`ReportTable.export`.
EXPORT_SUFFIXES = {
    ".csv": "csv", ".xlsx": "xlsx", ".docx": "docx", ".html": "html", ".htm": "html",
    ".md": "markdown", ".tex": "latex",
}  # fmt: skip
#: Kinds of the columns of evalkit's tidy result frames (``to_frame()``), by name.
TIDY_KINDS = {
    "estimate": "estimate", "std_error": "estimate", "statistic": "estimate",
    "p_value": "p_value", "p_adjusted": "p_value", "score_p_value": "p_value",
    "heterogeneity_p_value": "p_value",
}  # fmt: skip
#: Pairs of columns shown as one interval when both are present.
TIDY_INTERVALS = (("conf_low", "conf_high"), ("ci_low", "ci_high"))
#: Extras (pip install "evalkit[<extra>]") and the modules they bring.
EXTRAS = {"docx": ("docx", "python-docx"), "xlsx": ("openpyxl", "openpyxl")}
_MARKER = re.compile(r"^\s*(<\s*\d+|x)\s*$")


def require(extra: str):
    """Import the optional package of ``extra`` (``"docx"``, ``"xlsx"``), or raise an
    :class:`~evalkit.errors.EvalkitError` saying how to install it."""
    module, package = EXTRAS[extra]
    try:
        return __import__(module)
    except ImportError:
        raise EvalkitError(
            f"writing .{extra} files needs the optional package {package!r}; install it with: "
            f'pip install "evalkit[{extra}]"'
        ) from None


@dataclass(frozen=True)
class Column:
    """One shown column of a :class:`ReportTable`.

    Attributes
    ----------
    name : the header shown.
    kind : one of :data:`KINDS`.
    data : the column(s) of :attr:`ReportTable.data` shown: one, or (low, high) for an
        interval.
    decimals : fixed decimals (None: the kind's default).
    unit : for kind ``"value"``, the column of :attr:`ReportTable.data` naming each row's
        unit; for an interval, ``"%"`` (of shares) or ``"kr"`` (of kroner), else None.
    prefix, suffix : per-row text shown before and after the formatted number (the
        confidence level of mixed intervals, significance stars), or None.
    """

    name: str
    kind: str
    data: tuple[str, ...]
    decimals: int | None = None
    unit: str | None = None
    prefix: tuple[str, ...] | None = None
    suffix: tuple[str, ...] | None = None

    @property
    def numeric(self) -> bool:
        """Whether the column holds numbers (right-aligned)."""
        return self.kind not in ("text", "yes_no")


class ReportTable:
    """A report table: numbers with kinds, rendered and exported by kind and language.

    Make one with :func:`report_table` (any declared frame) or get one from
    :func:`~evalkit.report.effect_table`. See the module docstring for the kinds.

    Attributes
    ----------
    data : the numbers (a copy of the frame the table was made from, with its column
        names), an interval as two columns; declared to the output gate (its counts and
        what rests on them). What CSV and Excel files hold, after the gate.
    columns : the shown :class:`Column` objects, in order.
    title : shown above the table in HTML, Word and Excel (None: no title).
    notes : sentences shown under the table (the disclosure note is added after them when
        the gate suppressed cells).
    lang : ``"en"`` or ``"da"``.
    """

    def __init__(self, data, columns, *, title=None, notes=(), lang="en") -> None:
        if not isinstance(data, pd.DataFrame) or declaration(data) is None:
            raise ArgumentError("ReportTable takes a declared DataFrame; use report_table().")
        columns = tuple(columns)
        for column in columns:
            if not isinstance(column, Column) or column.kind not in KINDS:
                raise ArgumentError(f"columns must be Column objects with a kind in {KINDS}.")
            unit = (column.unit,) if column.kind == "value" else ()
            missing = [c for c in column.data + unit if c not in data.columns]
            if missing:
                raise ArgumentError(f"column {column.name!r} shows {missing}, not in the data.")
        self._data = data
        self.columns = columns
        self.title = None if title is None else str(title)
        self.notes = tuple(str(n) for n in notes)
        self.lang = _labels.check_lang(lang)

    # -- numbers ------------------------------------------------------------------------
    @property
    def data(self) -> pd.DataFrame:
        """The numbers (a copy, declared); see the class docstring."""
        out = self._data.copy()
        out.attrs = dict(self._data.attrs)
        return out

    def to_frame(self) -> pd.DataFrame:
        """:attr:`data`: the numbers with their declaration (what ``export`` writes to CSV
        and Excel after the gate)."""
        return self.data

    @property
    def headers(self) -> list[str]:
        """The shown headers."""
        return [c.name for c in self.columns]

    def __len__(self) -> int:
        return len(self._data)

    # -- the gate and the cells ---------------------------------------------------------
    def _gate(self, where: str, rules=None, source: str | None = None):
        from ..output.gate import gate_table

        return gate_table(self._data, where, rules=rules, source=source)

    def _notes(self, safe: pd.DataFrame) -> list[str]:
        notes = list(self.notes)
        info = safe.attrs.get("disclosure")
        if info and info is not self._data.attrs.get("disclosure"):
            secondary = bool(info.get("secondary", 0) or info.get("dependent", 0))
            notes.append(disclosure_note(self.lang, info.get("threshold", 5), secondary))
        return notes

    def _cells(self, safe: pd.DataFrame, minus: str = "-") -> list[list[str]]:
        columns = []
        for column in self.columns:
            values = [safe[name].to_numpy(dtype=object) for name in column.data]
            if column.kind == "value":
                units = safe[column.unit].to_numpy(dtype=object)
            else:
                units = [column.unit] * len(safe)
            decimals = _column_decimals(column, values)
            cells = []
            for i in range(len(safe)):
                text = _format(
                    column.kind, [v[i] for v in values], decimals, self.lang, minus, units[i]
                )
                if text and not _MARKER.match(text) and column.kind != "text":
                    text = (column.prefix[i] if column.prefix else "") + text
                    text += column.suffix[i] if column.suffix else ""
                cells.append(text)
            columns.append(cells)
        return [list(row) for row in zip(*columns, strict=True)] if columns else []

    def formatted(self, *, rules=None, source: str | None = None) -> pd.DataFrame:
        """The table as text cells under the shown headers, after the output gate (what
        the renderings show); ``attrs["notes"]`` holds the notes."""
        safe, _ = self._gate("rendered table", rules, source)
        out = pd.DataFrame(self._cells(safe), columns=self.headers)
        out.attrs = {"notes": self._notes(safe), "lang": self.lang}
        return out

    # -- renderings ---------------------------------------------------------------------
    def render(self, fmt: str = "html", *, rules=None, source: str | None = None) -> str:
        """The table as ``"html"``, ``"markdown"`` or ``"latex"`` (booktabs), through the
        output gate, with its notes; HTML has the title as caption."""
        from .tables import _html, _latex, _markdown

        if fmt not in ("html", "markdown", "latex"):
            raise ArgumentError(f"fmt must be 'html', 'markdown' or 'latex'; got {fmt!r}.")
        safe, _ = self._gate("rendered table", rules, source)
        body = self._cells(safe)
        align = ["right" if c.numeric and j > 0 else "left" for j, c in enumerate(self.columns)]
        notes = self._notes(safe)
        if fmt == "markdown":
            return _markdown(self.headers, body, align, notes)
        if fmt == "latex":
            return _latex(self.headers, body, align, notes)
        text = _html(self.headers, body, align, notes)
        if self.title:
            text = text.replace(
                "<table>", f"<table>\n<caption>{html.escape(self.title)}</caption>", 1
            )
        return text

    def to_html(self, **options) -> str:
        """:meth:`render` as HTML.

        >>> import pandas as pd
        >>> t = report_table(pd.DataFrame({"p": [4.6e-21]}), {"p": "p_value"}, source="public")
        >>> "&lt;0.001" in t.to_html()
        True
        """
        return self.render("html", **options)

    def to_markdown(self, **options) -> str:
        """:meth:`render` as a Markdown pipe table."""
        return self.render("markdown", **options)

    def to_latex(self, **options) -> str:
        """:meth:`render` as a booktabs ``tabular``."""
        return self.render("latex", **options)

    def _repr_html_(self) -> str:
        # the notebook view: every cell in full (no column width cut), never raising
        try:
            return self.to_html().replace(
                '<div class="evalkit-table">',
                '<div class="evalkit-table" style="white-space: normal;">',
                1,
            )
        except EvalkitError as error:
            return f"<p>{html.escape(type(error).__name__)}: {html.escape(str(error))}</p>"

    def __repr__(self) -> str:
        try:
            return self.to_markdown()
        except EvalkitError as error:
            return f"ReportTable ({len(self)} rows): {type(error).__name__}: {error}"

    # -- files --------------------------------------------------------------------------
    def file_headers(self) -> dict:
        """``{data column: header}`` of Excel files: the shown header, an interval's ends as
        ``"<header>, lower"`` and ``"<header>, upper"``; CSV files too."""
        out = {}
        for column in self.columns:
            if column.kind == "interval":
                for key, name in zip(("col_interval_low", "col_interval_high"), column.data,
                                     strict=True):  # fmt: skip
                    out[name] = _labels.label(key, self.lang, name=column.name)
            else:
                out[column.data[0]] = column.name
        return out

    def export_frame(self, safe: pd.DataFrame) -> pd.DataFrame:
        """``safe`` (the gated :attr:`data`) as written to CSV and Excel: numbers stay
        numbers (an interval as its two columns, full precision); yes/no and text columns
        are words of the table's language (text cells as :meth:`render` shows them:
        evalkit's own words through :func:`~evalkit.report.labels.term`). Keeps the data's
        column names (the gate's declaration names them); CSV and Excel files head them
        with :meth:`file_headers`."""
        out = safe.copy()
        for column in self.columns:
            if column.kind in ("yes_no", "text"):
                name = column.data[0]
                out[name] = [
                    _format(column.kind, [v], None, self.lang, "-")
                    for v in safe[name].to_numpy(dtype=object)
                ]
        return out

    def export(
        self,
        path,
        *,
        source: str | None = None,
        log=None,
        threshold: int | None = None,
        title: str | None = None,
        headers: str = "shown",
        **unused,
    ):
        """Write the table to ``path`` by its suffix (:data:`EXPORT_SUFFIXES`) through the
        output gate, atomically; ``log`` (an :class:`evalkit.output.OutputLog`) records it.

        CSV and Excel hold the numbers (an interval as two columns, full precision);
        Word a formatted Word table with the title and notes; HTML, Markdown and TeX the
        rendering. ``threshold`` may make the rules stricter, never laxer. Returns the path.

        ``headers``: the header row of a CSV file, ``"shown"`` (default: the shown
        headers in the table's language, :meth:`file_headers`) or ``"names"`` (the data's
        column names, e.g. ``conf_low``: the same header row in every language, for
        scripts that read the file). Other formats always show the shown headers.

        >>> import pandas as pd, tempfile, pathlib
        >>> t = report_table(pd.DataFrame({"low": [0.24], "high": [2.59]}),
        ...                  intervals={"95% CI": ("low", "high")}, source="synthetic")
        >>> path = t.export(pathlib.Path(tempfile.mkdtemp()) / "ci.csv")
        >>> print(path.read_text().strip())
        "95% CI, lower","95% CI, upper"
        0.24,2.59
        """
        from ..output.files import atomic_path
        from ..output.gate import gate_path
        from .tables import _export_path, _rules_at_least

        unexpected = set(unused) - {"lang", "digits", "count_columns"}
        if unexpected:
            raise ArgumentError(f"export got unexpected options {sorted(unexpected)}.")
        gate_path(path)
        path, _ = _export_path(path)
        fmt = EXPORT_SUFFIXES[path.suffix.lower()]
        check_headers(headers, fmt)
        if fmt in EXTRAS:
            require(fmt)
        rules = _rules_at_least(threshold)
        safe, record = self._gate(path.name, rules, source)
        with atomic_path(path) as temporary:
            if fmt == "csv":
                frame = self.export_frame(safe)
                if headers == "shown":
                    frame.columns = [self.file_headers().get(c, c) for c in frame.columns]
                frame.to_csv(temporary, index=False)
            elif fmt == "xlsx":
                self._write_xlsx(safe, temporary, title)
            elif fmt == "docx":
                document = require("docx").Document()
                self.add_to_docx(document, safe=safe, title=title or self.title)
                document.save(str(temporary))
            else:
                text = self.render(fmt, rules=rules, source=source)
                temporary.write_text(text, encoding="utf-8")
        if log is not None:
            log.add(record, [path], title=title or self.title)
        return path

    def add_to_docx(self, document, *, safe=None, title: str | None = None, rules=None):
        """Add the table to a python-docx ``Document``: the title (style ``Caption``), a
        Word table (style ``Table Grid``, header row bold and repeated on each page,
        numbers right-aligned) and the notes. ``safe`` is the gated data when the caller
        has gated them; otherwise the table passes the gate here. Returns the Word table."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        if safe is None:
            safe, _ = self._gate("Word table", rules)
        title = self.title if title is None else title
        if title:
            _paragraph(document, title, "Caption")
        body = self._cells(safe)
        table = document.add_table(rows=1 + len(body), cols=len(self.columns))
        try:
            table.style = "Table Grid"
        except (KeyError, ValueError):  # a template without it keeps its default
            pass
        for i, row in enumerate([self.headers] + body):
            for j, text in enumerate(row):
                cell = table.cell(i, j)
                cell.text = text
                paragraph = cell.paragraphs[0]
                if self.columns[j].numeric and j > 0:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                for run in paragraph.runs:
                    run.font.size = Pt(9)
                    run.bold = i == 0
        _repeat_header(table)
        for note in self._notes(safe):
            paragraph = _paragraph(document, note, None)
            for run in paragraph.runs:
                run.font.size = Pt(8)
        return table

    def add_to_xlsx(self, sheet, *, safe=None, title: str | None = None, rules=None) -> None:
        """Fill an empty openpyxl worksheet with the table: the title (bold), the header
        row (:meth:`file_headers`, frozen), the numbers as numbers with an Excel number
        format by kind (:func:`_excel_format`), the notes. ``safe`` is the gated data when
        the caller has gated them; otherwise the table passes the gate here. The sheet's
        name is the caller's (one table per sheet: :meth:`export` to ``.xlsx``, or one
        workbook of many, ``evalkit reproduce --format xlsx``).

        >>> import openpyxl, pandas as pd
        >>> t = report_table(pd.DataFrame({"share": [0.25]}), {"share": "share"},
        ...                  source="synthetic")
        >>> book = openpyxl.Workbook()
        >>> t.add_to_xlsx(book.active)
        >>> cell = book.active["A2"]
        >>> book.active["A1"].value, cell.value, cell.number_format
        ('Share', 0.25, '0.0%')
        """
        openpyxl = require("xlsx")
        from openpyxl.styles import Alignment, Font
        from openpyxl.worksheet.worksheet import Worksheet

        if not isinstance(sheet, Worksheet):
            raise ArgumentError(
                "add_to_xlsx takes an openpyxl worksheet (e.g. book.create_sheet(name)); "
                f"got {type(sheet).__name__}."
            )
        if safe is None:
            safe, _ = self._gate("Excel sheet", rules)
        title = self.title if title is None else title
        out = self.export_frame(safe)
        formats = {}
        for column in self.columns:
            decimals = _column_decimals(
                column, [safe[n].to_numpy(dtype=object) for n in column.data]
            )
            kind = {"%": "share", "kr": "kroner"}.get(column.unit, column.kind)
            if column.kind != "interval":
                kind = column.kind
            for name in column.data:
                formats[name] = (column, _excel_format(kind, decimals, self.lang))
        row = 1
        if title:
            sheet.cell(row, 1, title).font = Font(bold=True, size=12)
            row += 2
        shown = self.file_headers()
        for j, name in enumerate(out.columns, start=1):
            cell = sheet.cell(row, j, str(shown.get(name, name)))
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = sheet.cell(row + 1, 1)
        units = {c.data[0]: c.unit for c in self.columns if c.kind == "value" and c.unit}
        for i in range(len(out)):
            row += 1
            for j, name in enumerate(out.columns, start=1):
                value = _excel_value(out[name].iat[i])
                cell = sheet.cell(row, j, value)
                column, number_format = formats.get(name, (None, None))
                if name in units and isinstance(value, int | float):
                    unit = out[units[name]].iat[i]
                    number_format = _excel_format(_unit_kind(unit), None, self.lang, value)
                if number_format and isinstance(value, int | float):
                    cell.number_format = number_format
                if isinstance(value, str) and column is not None and column.numeric:
                    cell.alignment = Alignment(horizontal="right")
        notes = self._notes(safe)
        if notes:
            row += 1
        for note in notes:
            row += 1
            sheet.cell(row, 1, note).font = Font(italic=True, size=9)
        for j, name in enumerate(out.columns, start=1):
            header = str(shown.get(name, name))
            longest = max([len(header)] + [len(str(v)) for v in out[name].head(200)])
            letter = openpyxl.utils.get_column_letter(j)
            sheet.column_dimensions[letter].width = min(max(10, longest + 2), 60)

    def _write_xlsx(self, safe: pd.DataFrame, path: Path, title: str | None) -> None:
        book = require("xlsx").Workbook()
        sheet = book.active
        sheet.title = _sheet_name(title or self.title or "table")
        self.add_to_xlsx(sheet, safe=safe, title=title or self.title)
        book.save(str(path))


# ----------------------------------------------------------------------------- builder
def report_table(
    frame: pd.DataFrame,
    kinds: Mapping[str, str] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    intervals: Mapping[str, Sequence[str]] | None = None,
    decimals: Mapping[str, int] | None = None,
    units: Mapping[str, str] | None = None,
    level: float | None = None,
    title: str | None = None,
    notes: Sequence[str] | None = None,
    lang: str = "en",
    source: str | None = None,
    count_columns: str | Sequence[str] | None = None,
    dependent_columns: Sequence[str] | None = None,
) -> ReportTable:
    """A :class:`ReportTable` of ``frame`` (never modified).

    Parameters
    ----------
    frame : the numbers, declared to the output gate
        (:func:`evalkit.output.declare_table`; evalkit's result frames are), or declared
        here by ``count_columns`` (``[]``: no counts of persons) and ``dependent_columns``,
        or by ``source`` (``"synthetic"``, ``"public"``, ``"published"``). A named index is
        shown as the first column(s).
    kinds : ``{column: kind}`` (:data:`KINDS`). Columns not named get their kind from
        what the frame declares and holds: declared counts ``count``; evalkit's tidy
        names (:data:`TIDY_KINDS`) theirs; a numeric ``value`` next to a ``unit`` column
        (evalkit's tables of published figures and assumptions) ``value``; booleans
        ``yes_no``; integers ``integer``; other numbers ``number``; the rest ``text``.
    headers : ``{column: header}``. Default: the label catalogue's ``col_<column>`` in
        ``lang`` when it has one (``p_value`` -> "p-value" / "p-værdi"; other characters
        than letters and digits as ``_``: :func:`header_key`), else the name. Headers are
        shown and written to files (CSV, Excel, Word); :attr:`ReportTable.data` and the
        gate's declaration keep the column names.
    intervals : ``{header: (low column, high column)}``, each shown as one interval
        column where its low column stood and written to files as two columns
        (headed ``"<header>, lower"`` and ``"<header>, upper"`` in CSV and Excel).
        ``conf_low``/``conf_high`` and
        ``ci_low``/``ci_high`` pairs are intervals without being named, headed by
        ``level`` (a confidence level such as 0.95) when given.
    decimals : ``{column or interval header: decimals}``.
    units : ``{column: unit column}`` for columns of kind ``value``.
    title, notes : shown above and under the table.
    lang : ``"en"`` or ``"da"``.
    source, count_columns, dependent_columns : the declaration, when ``frame`` has none
        (they replace it when given).

    Returns
    -------
    ReportTable

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"period": ["2019-05", "2019-06"], "share": [0.48, 0.504],
    ...                       "ci_low": [0.394, 0.417], "ci_high": [0.567, 0.591],
    ...                       "met": [True, True]})
    >>> t = report_table(frame, {"share": "share", "ci_low": "share"}, level=0.95,
    ...                  lang="da", source="synthetic")
    >>> t.headers
    ['Periode', 'Andel', '95 %-KI', 'Mål nået']
    >>> t.formatted().iloc[1].tolist()
    ['2019-06', '50,4 %', '[41,7 %; 59,1 %]', 'Ja']
    """
    from ..output.declare import declare_table
    from .disclosure import DisclosureError

    if not isinstance(frame, pd.DataFrame):
        raise ArgumentError(f"report_table takes a pandas DataFrame; got {type(frame).__name__}.")
    lang = _labels.check_lang(lang)
    kinds, headers = dict(kinds or {}), dict(headers or {})
    decimals, units = dict(decimals or {}), dict(units or {})
    for name, kind in kinds.items():
        if kind not in KINDS:
            raise ArgumentError(
                f"kind of {name!r} must be one of {', '.join(KINDS)}; got {kind!r}."
            )
    if count_columns is not None:
        frame = declare_table(
            frame, counts=count_columns, dependent=dependent_columns, source=source
        )
    elif source is not None:
        frame = declare_source(frame, source)
    info = declaration(frame)
    if info is None:
        raise DisclosureError(
            "the table does not declare which of its columns hold counts of persons, and "
            "evalkit does not guess from column names. Pass count_columns=[...] "
            "(count_columns=[] when it holds none), source='synthetic' (or 'public', "
            "'published'), or declare it with evalkit.output.declare_table."
        )
    if not isinstance(frame.index, pd.RangeIndex):
        names = [n for n in frame.index.names if n is not None]
        if names and not set(names) & set(frame.columns):
            kept = frame.attrs
            frame = frame.reset_index()
            frame.attrs = kept
    named = {}
    for header, pair in (intervals or {}).items():
        pair = tuple(pair)
        if len(pair) != 2 or any(c not in frame.columns for c in pair):
            raise ArgumentError(
                f"intervals[{header!r}] must name two columns of the frame (low, high)."
            )
        named[pair[0]] = (str(header), pair)
    for low, high in TIDY_INTERVALS:
        if low in frame.columns and high in frame.columns and low not in named:
            header = (
                _labels.label("col_interval", lang, level=_labels.format_level(1 - level, lang))
                if level is not None
                else _labels.label("col_interval_plain", lang)
            )
            named[low] = (header, (low, high))
    in_interval = {c for _, pair in named.values() for c in pair}
    unknown = [c for c in list(kinds) + list(headers) + list(units) if c not in frame.columns]
    unknown += [c for c in decimals if c not in frame.columns and c not in (
        h for h, _ in named.values())]  # fmt: skip
    if unknown:
        raise ArgumentError(f"columns {unknown} are not in the table.")
    counts = set(info.get("counts", []))
    columns: list[Column] = []
    for name in frame.columns:
        if name in named:
            header, (low, high) = named[name]
            kind = kinds.get(low, _infer(frame, low, counts))
            unit = {"share": "%", "kroner": "kr"}.get(kind)
            places = decimals.get(header, decimals.get(low))
            columns.append(Column(header, "interval", (low, high), places, unit=unit))
        elif name not in in_interval:
            kind = kinds.get(name, _infer(frame, name, counts))
            header = headers.get(name) or _default_header(name, lang)
            unit = units.get(name, "unit" if kind == "value" and name == "value" else None)
            columns.append(Column(header, kind, (name,), decimals.get(name), unit))
    shown = [c.name for c in columns]
    if len(set(shown)) != len(shown):
        raise ArgumentError(f"two columns get the same header: {shown}; pass headers=.")
    for column in columns:
        if column.kind == "value" and column.unit not in frame.columns:
            raise ArgumentError(
                f"column {column.name!r} of kind 'value' needs units={{column: unit column}}."
            )
    data = frame.copy()
    data.attrs = dict(frame.attrs)
    return ReportTable(data, columns, title=title, notes=notes or (), lang=lang)


def _infer(frame: pd.DataFrame, name: str, counts: set) -> str:
    dtype = frame[name].dtype
    if name in counts:
        return "count"
    if name == "value" and "unit" in frame.columns and pd.api.types.is_numeric_dtype(dtype):
        return "value"  # evalkit's tables of published figures and assumptions
    if name in TIDY_KINDS:
        return TIDY_KINDS[name]
    if pd.api.types.is_bool_dtype(dtype):
        return "yes_no"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    return "text"


def header_key(name) -> str:
    """The catalogue key of the default header of a column: ``col_`` and the column's
    name in lower case with every run of other characters than letters and digits made
    one underscore (``"P(at least 60)"`` -> ``"col_p_at_least_60"``)."""
    return "col_" + re.sub(r"[^0-9a-z]+", "_", str(name).lower()).strip("_")


def _default_header(name, lang: str) -> str:
    key = header_key(name)
    return _labels.label(key, lang) if key in _labels.LABELS else str(name)


# ----------------------------------------------------------------------------- formatting
def _finite(value) -> bool:
    return (
        value is not None
        and not isinstance(value, str | bool | np.bool_)
        and isinstance(value, int | float | np.integer | np.floating)
        and math.isfinite(float(value))
    )


def _column_decimals(column: Column, values) -> int | None:
    if column.decimals is not None:
        return column.decimals
    if column.kind in ("estimate", "interval"):
        if column.unit == "%":
            return 1
        if column.unit == "kr":
            return 0
        finite = [abs(float(v)) for vs in values for v in vs if _finite(v)]
        if finite and max(finite) >= 1000:
            return 0
        return 2
    if column.kind == "share":
        return 1
    if column.kind == "count":
        finite = [float(v) for vs in values for v in vs if _finite(v)]
        return 0 if all(v.is_integer() for v in finite) else 1
    return None


def _auto(value: float, lang: str, minus: str) -> str:
    """A number with as many decimals as its size calls for (never scientific)."""
    size = abs(value)
    cap = 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 1 else 3
    if 0 < size < 0.001:
        cap = min(6, 1 - math.floor(math.log10(size)) + 1)
    decimals = _labels._decimals_needed([round(value, cap)], most=cap)
    return _labels.format_number(value, decimals, lang, minus=minus)


def _unit_kind(unit) -> str:
    text = str(unit).strip().lower() if isinstance(unit, str) else ""
    if text.startswith("dkk") or text in ("kr", "kr.", "kroner"):
        return "kroner"
    if text in ("share", "andel", "proportion"):
        return "share"
    return "number"


def _format(kind, values, decimals, lang, minus, unit=None) -> str:
    """One cell: ``values`` (one, or low and high) of ``kind``, in ``lang``."""
    for v in values:
        if isinstance(v, str) and kind != "text":
            return v  # a marker of the gate ("<5", "x") or text the maker put there
    value = values[0]
    if kind == "text" and isinstance(value, bool | np.bool_):
        kind = "yes_no"
    if kind == "text":
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        return _labels.term(value, lang)  # evalkit's own words in the table's language
    if kind == "yes_no":
        if value is None or (not isinstance(value, bool | np.bool_) and pd.isna(value)):
            return ""
        return _labels.label("yes" if bool(value) else "no", lang)
    if kind == "interval":
        if not all(_finite(v) for v in values):
            return ""
        unit = unit if unit in ("%", "kr") else None
        return _labels.format_interval(*values, decimals, lang, minus=minus, unit=unit)
    if not _finite(value):
        return ""
    value = float(value)
    if kind == "value":
        kind, decimals = _unit_kind(unit), None
        if kind == "share":
            decimals = min(_labels._decimals_needed([100 * value], most=1), 1)
    if kind == "p_value":
        return _labels.format_p(value, lang)
    if kind == "kroner":
        return _labels.format_kroner(value, lang, decimals or 0, minus=minus)
    if kind == "share":
        return _labels.format_percent(value, 1 if decimals is None else decimals, lang, minus)
    if kind == "count":
        return _labels.format_number(value, decimals or 0, lang, minus=minus, group_from=4)
    if kind == "integer":
        return _labels.format_number(value, 0, lang, thousands=False, minus=minus)
    if kind == "estimate":
        return _labels.format_number(value, 2 if decimals is None else decimals, lang, minus=minus)
    if decimals is not None:
        return _labels.format_number(value, decimals, lang, minus=minus)
    return _auto(value, lang, minus)


# ----------------------------------------------------------------------------- Excel, Word
def _excel_value(value):
    if isinstance(value, np.bool_ | bool):
        return str(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return float(value) if math.isfinite(value) else None
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, int | str):
        return value
    return str(value)


def _excel_format(kind: str, decimals, lang: str, value=None) -> str | None:
    """An Excel number format for ``kind`` (the codes are the same in every locale;
    Excel shows them with the reader's decimal mark)."""
    fixed = "0" if not decimals else "0." + "0" * decimals
    if kind == "count":
        return "#,##0" if not decimals else "#,##0." + "0" * decimals
    if kind in ("estimate", "interval"):
        return "#,##" + fixed
    if kind == "p_value":
        small = "<0,001" if lang == "da" else "<0.001"
        return f'[<0.001]"{small}";0.000'
    if kind == "kroner":
        return '#,##0" kr."' if lang == "da" else '"DKK "#,##0'
    if kind == "share":
        return "0.0%"
    if kind == "integer":
        return "0"
    return "General"


def _sheet_name(title: str) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip() or "table"
    return name[:31]


def _paragraph(document, text: str, style: str | None):
    try:
        return document.add_paragraph(text, style=style)
    except KeyError:  # a template without the style
        return document.add_paragraph(text)


def _repeat_header(table) -> None:
    """Mark the first row of a Word table as a header row (repeated on each page)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def check_headers(headers: str, fmt: str) -> None:
    """The header row asked of an export: ``"shown"`` (the table's language) for every
    format, ``"names"`` (the data's column names) for CSV only."""
    if headers not in ("shown", "names") or (headers == "names" and fmt != "csv"):
        raise ArgumentError(
            f"headers must be 'shown' or, for a .csv file, 'names' (the data's column "
            f"names); got {headers!r} for a .{fmt} file."
        )
