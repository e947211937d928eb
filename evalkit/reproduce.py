"""``evalkit reproduce``: rebuild every project's figures and tables from the packaged data.

For each project a runner writes its figures (PNG and PDF) and tables (CSV and HTML,
report tables formatted by kind: :class:`evalkit.report.ReportTable`) into
``<out>/<project>/`` and returns what it wrote with captions; :func:`reproduce` then
writes, by ``formats``, one Word document per project (``"docx"``:
``<out>/<project>/<project>.docx`` with the figures, the tables as Word tables and the
captions in order), one Excel workbook per project (``"xlsx"``:
``<out>/<project>/<project>.xlsx``, a contents sheet and one sheet per table, numbers as
numbers), ``<out>/output_log.json`` (the output log: every file, its SHA-256,
the disclosure rules applied and every suppressed cell, for the person who checks
outputs before they leave a register environment) and, last, ``<out>/index.html``
(``"html"``, the default: every figure and table with its caption, under the project's
name, with a table of contents). Every file passes the output gate
(:mod:`evalkit.output`) and is written to a temporary name and renamed into place, so
an interrupted run leaves no half-written file and no index pointing at missing ones.
Published figures and results on synthetic data are kept apart in the captions. A
progress line per project (:class:`evalkit._progress.Progress`: figures and tables made,
the one being made) goes to standard error.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import pandas as pd

matplotlib.use("Agg")

from ._progress import Progress  # noqa: E402  (the projects' runners take one)
from .errors import ArgumentError  # noqa: E402

LANGS = ("en", "da")
LOG_TEXT = {
    "en": "Every file below passed evalkit's output gate; the output log lists each "
    "with the rules applied and the cells suppressed:",
    "da": "Alle filer herunder er gået gennem evalkits outputkontrol; outputloggen viser "
    "hver fil med de anvendte regler og de undertrykte celler:",
}


FORMATS = ("html", "docx", "xlsx")
#: How the index links a project's Word document and Excel workbook.
OFFICE = {".docx": "Word (DOCX)", ".xlsx": "Excel (XLSX)"}


def _main_comparison(frame):
    """The shares of the two groups and their difference (Newcombe interval, score
    test): the comparison's main rows, not its seven variants of the same test."""
    keep = frame["term"].astype(str).str.startswith("share[") | (frame["term"] == "risk_difference")
    out = frame[keep.to_numpy()].reset_index(drop=True)
    out.attrs = dict(frame.attrs)
    return out


_KRONER = "kroner"
#: How the tables of the projects are shown: kinds of columns that their frames do not
#: tell (amounts in kroner, shares) and rows kept, by (project, table name). Columns a
#: frame does not have are left out (a table whose columns were renamed keeps working).
TABLE_OPTIONS = {
    ("jobfirst_aalborg", "grant_reconciliation"): {
        "kinds": {"rate_dkk": _KRONER, "amount_dkk": _KRONER},
    },
    ("flere_skal_med_herning", "target_attainment"): {
        "kinds": {"share": "share", "ci_low": "share"},
    },
    ("fredericia_2021", "powerjob_vs_jobcentre"): {"rows": _main_comparison},
    ("fredericia_2021", "targets"): {
        "kinds": {"estimate": "share", "conf_low": "share", "target": "share",
                  "wilson_low": "share", "wilson_high": "share"},
    },
    ("fredericia_2021", "goal_probability"): {
        "kinds": {"true success rate": "share", "P(at least 30 of 50)": "share"},
    },
    ("fredericia_2021", "cost_per_outcome"): {
        "kinds": {"estimate": _KRONER, "conf_low": _KRONER, "cost": _KRONER,
                  "cost_per_participant": _KRONER},
    },
    ("impact60_aalborg", "payments_by_month"): {"kinds": {"amount": _KRONER}},
    ("impact60_aalborg", "investor"): {
        "kinds": {"IRR a year, without guarantee (median)": "share",
                  "IRR a year, with guarantee (median)": "share",
                  "P(loss) without guarantee": "share", "P(loss) with guarantee": "share"},
    },
    ("impact60_aalborg", "goal_probability"): {"kinds": {"P(at least 60)": "share"}},
    ("adult_business_case", "net_cost_by_week"): {
        "kinds": {"state_share": "share", "weekly_benefit": _KRONER, "state": _KRONER,
                  "municipal": _KRONER},
    },
    ("adult_business_case", "refusion_staircase"): {
        "kinds": {"state_share": "share", "municipal_share": "share"},
    },
    ("adult_business_case", "sensitivity"): {
        "kinds": {"npv_low": _KRONER, "npv_high": _KRONER, "npv_base": _KRONER,
                  "swing": _KRONER},
    },
    ("adult_business_case", "business_case"): {
        "kinds": {"estimate": _KRONER, "conf_low": _KRONER, "saving": _KRONER,
                  "cost_once": _KRONER, "cost_per_year": _KRONER, "rate": "share",
                  "pv_costs": _KRONER, "pv_savings": _KRONER,
                  "cost_per_full_year_person": _KRONER,
                  "cost_per_full_year_person_conf_low": _KRONER,
                  "cost_per_full_year_person_conf_high": _KRONER},
    },
}  # fmt: skip


@dataclass(frozen=True)
class Artifact:
    """One figure or table written by a project runner (``table``: the
    :class:`~evalkit.report.ReportTable` of a table, for the Word document; ``sheet``:
    the table as numbers for the Excel workbook when that differs, as a balance table's
    "mean (SD)" cells do)."""

    project: str
    kind: str  # "figure" or "table"
    name: str
    title: str
    caption: str
    files: tuple[Path, ...]
    table: object = None
    sheet: object = None

    @property
    def sheet_table(self):
        """The report table of the Excel sheet."""
        return self.table if self.sheet is None else self.sheet


def table_artifact(
    project: str,
    obj,
    folder: Path,
    name: str,
    title: str,
    caption: str,
    lang: str,
    log=None,
    *,
    source: str | None = None,
    **options,
) -> Artifact:
    """Write a table of a project as CSV and HTML through the output gate and return its
    artifact.

    ``obj`` is a :class:`~evalkit.report.ReportTable`, a
    :class:`~evalkit.report.BalanceTable` or a declared DataFrame, made a report table
    by :func:`~evalkit.report.report_table` with ``options`` (``kinds``, ``headers``,
    ``intervals``, ``units``, ``level``...) and ``source``: numbers formatted by kind in
    ``lang`` (no scientific notation, p-values as ``<0.001``, yes/no words), CSV files
    keeping them as numbers.
    """
    from .report.report_table import ReportTable, report_table
    from .report.tables import BalanceTable

    preset = TABLE_OPTIONS.get((project, name), {})
    if isinstance(obj, pd.DataFrame) and preset:
        if "rows" in preset:
            obj = preset["rows"](obj)
        for key in ("kinds", "intervals"):
            given = {
                k: v
                for k, v in preset.get(key, {}).items()
                if (k if key == "kinds" else v[0]) in obj.columns
            }
            options[key] = {**given, **options.get(key, {})}
    files = []
    if isinstance(obj, BalanceTable):
        for suffix in (".csv", ".html"):
            files.append(obj.export(folder / f"{name}{suffix}", lang=lang, log=log))
        table = obj.report_table(lang)
        sheet = obj.sheet_table(lang)
    else:
        sheet = None
        if isinstance(obj, ReportTable):
            table = obj
        else:
            table = report_table(obj, lang=lang, source=source, **options)
        for suffix in (".csv", ".html"):
            files.append(table.export(folder / f"{name}{suffix}", log=log, title=title))
    return Artifact(project, "table", name, title, caption, tuple(files), table, sheet)


def _jobfirst(out: Path, lang: str, progress: Progress, log) -> list[Artifact]:
    from .projects import jobfirst_report

    return jobfirst_report.write(out, lang, progress, log)


def _herning(out: Path, lang: str, progress: Progress, log) -> list[Artifact]:
    from .projects import benchmark_reports

    return benchmark_reports.write_herning(out, lang, progress, log)


def _fredericia(out: Path, lang: str, progress: Progress, log) -> list[Artifact]:
    from .projects import benchmark_reports

    return benchmark_reports.write_fredericia(out, lang, progress, log)


def _adult_business_case(out: Path, lang: str, progress: Progress, log) -> list[Artifact]:
    from .projects import business_case_report

    return business_case_report.write(out, lang, progress, log)


def _impact60(out: Path, lang: str, progress: Progress, log) -> list[Artifact]:
    from .projects import impact60_report

    return impact60_report.write(out, lang, progress, log)


RUNNERS: dict[str, tuple[Callable, int]] = {
    "jobfirst_aalborg": (_jobfirst, 14),
    "flere_skal_med_herning": (_herning, 4),
    "fredericia_2021": (_fredericia, 6),
    "impact60_aalborg": (_impact60, 6),
    "adult_business_case": (_adult_business_case, 9),
}


def reproduce(
    out: str | Path = "evalkit-output",
    projects: list[str] | None = None,
    lang: str = "en",
    progress: bool = True,
    formats: str | tuple[str, ...] = ("html",),
) -> list[Artifact]:
    """Run every (or the named) project's evaluation and write the report folder.

    Returns the artifacts written; ``<out>/output_log.json`` records them for the output
    checker. ``formats`` (one or more of :data:`FORMATS`, or a comma-separated string):
    ``"html"`` writes ``<out>/index.html`` showing them all, ``"docx"`` one Word document
    per project, ``<out>/<project>/<project>.docx`` (needs the ``docx`` extra), ``"xlsx"``
    one Excel workbook per project, ``<out>/<project>/<project>.xlsx`` (:func:`write_xlsx`;
    needs the ``xlsx`` extra). An
    ``out`` that is a file, cannot be created or is not writable is an
    :class:`~evalkit.errors.ArgumentError`.
    """
    if lang not in LANGS:
        raise ArgumentError(f"lang must be one of {LANGS}; got {lang!r}.")
    formats = check_formats(formats)
    from .report.report_table import require

    for extra in ("docx", "xlsx"):
        if extra in formats:
            require(extra)
    names = list(RUNNERS) if not projects else list(projects)
    unknown = [p for p in names if p not in RUNNERS]
    if unknown:
        raise ArgumentError(
            f"unknown projects {unknown}; reproducible projects: {', '.join(RUNNERS)}."
        )
    from .output.files import check_folder, write_atomic
    from .output.gate import gate_text
    from .output.log import LOG_NAME, OutputLog
    from .report.labels import label

    out = check_folder(out)
    log = OutputLog(out, append=False)
    artifacts: list[Artifact] = []
    for name in names:
        runner, steps = RUNNERS[name]
        folder = check_folder(out / name)
        title = label(f"project_{name}", lang)
        with Progress(title, steps, "figures and tables", bool(progress), lang=lang) as bar:
            artifacts += runner(folder, lang, bar, log)
    gate_text([text for a in artifacts for text in (a.title, a.caption)], "index.html", "caption")
    documents = {}
    for fmt, write in (("docx", write_docx), ("xlsx", write_xlsx)):
        if fmt in formats:
            for name in names:
                mine = [a for a in artifacts if a.project == name]
                documents.setdefault(name, []).append(write(name, mine, out / name, lang, log))
    log.write()
    if "html" in formats:
        write_atomic(out / "index.html", _index(artifacts, out, lang, out / LOG_NAME, documents))
    return artifacts


def check_formats(formats) -> tuple[str, ...]:
    """``formats`` as a tuple of :data:`FORMATS` (a comma-separated string is split)."""
    if isinstance(formats, str):
        formats = [f.strip() for f in formats.split(",") if f.strip()]
    formats = tuple(dict.fromkeys(formats))
    wrong = [f for f in formats if f not in FORMATS]
    if not formats or wrong:
        raise ArgumentError(
            f"formats must be one or more of {', '.join(FORMATS)} (e.g. 'html,xlsx'); got "
            f"{wrong or 'none'}."
        )
    return formats


def project_name(project: str, lang: str) -> str:
    """The name of a project in ``lang``, from the label catalogue
    (``project_<project>``).

    >>> project_name("jobfirst_aalborg", "da")
    'JobFirst, Aalborg'
    """
    from .report.labels import label

    return label(f"project_{project}", lang)


def _caption_text(a: Artifact) -> str:
    """The caption without a first sentence that repeats the title (a table titled
    "Published figures" whose caption starts "Published figures. Source: ...")."""
    caption, title = a.caption.strip(), a.title.strip().rstrip(".")
    if caption.lower().startswith(title.lower() + "."):
        caption = caption[len(title) + 1 :].lstrip()
    return caption


def _numbered(artifacts: list[Artifact], lang: str) -> list[tuple[Artifact, str]]:
    """Each artifact with its label, "Figure 2" / "Tabel 3", numbered per project."""
    from .report.labels import label

    out, counters = [], {}
    for a in artifacts:
        key = (a.project, a.kind)
        counters[key] = counters.get(key, 0) + 1
        kind = "report_figure" if a.kind == "figure" else "report_table"
        out.append((a, label(kind, lang, number=counters[key])))
    return out


def write_docx(project: str, artifacts: list[Artifact], folder: Path, lang: str, log) -> Path:
    """One Word document of a project: its name as the title, then every figure (PNG)
    and table (a Word table) in order, each with its number, title and caption, ready to
    paste into a committee note. Every figure and table in it passed the output gate
    when it was written (its own entry in the log); the document is written atomically
    and logged with the entries it was assembled from. Returns its path."""
    import docx
    from docx.shared import Cm

    from .output.files import atomic_path
    from .output.gate import GateRecord, gate_text
    from .output.rules import current_rules

    name = project_name(project, lang)
    path = folder / f"{project}.docx"
    gate_text([name], path.name, "heading")
    document = docx.Document()
    document.core_properties.title = name
    document.core_properties.language = "da-DK" if lang == "da" else "en-GB"
    document.add_heading(name, level=0)
    for a, number in _numbered(artifacts, lang):
        caption = f"{number}. {a.title}. {_caption_text(a)}".strip()
        if a.kind == "figure":
            png = next(f for f in a.files if f.suffix == ".png")
            document.add_picture(str(png), width=Cm(16))
            _caption(document, caption)
        else:
            _caption(document, caption)
            a.table.add_to_docx(document, title="")
            document.add_paragraph()
    with atomic_path(path) as temporary:
        document.save(str(temporary))
    parts = _entries(log, [f for a in artifacts for f in a.files])
    sources = sorted({e["source"] for e in parts}) or ["register"]
    record = GateRecord(
        path.name,
        "document",
        _strictest(sources),
        current_rules(),
        status="review" if any(e["status"] == "review" for e in parts) else "pass",
        checks=[
            f"Word document of {len(artifacts)} figures and tables, each passed the gate "
            f"when written (log entries {[e['id'] for e in parts]}); sources {sources}",
            "CPR scan of the heading and captions",
        ],
    )
    if log is not None:
        log.add(record, [path], title=name)
    return path


def _strictest(sources) -> str:
    """The source a file assembled from parts of ``sources`` is declared as: register
    data if any part is, else synthetic, public, published in that order."""
    return next(s for s in ("register", "synthetic", "public", "published") if s in sources)


#: The data status shown for a table's source (the stamp of figures, and register data).
DATA_STATUS = {"register": "data_register", "synthetic": "stamp_synthetic",
               "public": "stamp_public", "published": "stamp_published"}  # fmt: skip


def _disclosure_status(record, lang: str) -> str:
    """What the output gate did to a table, in words of ``lang`` (the contents sheet)."""
    from .report.labels import label

    if record.source != "register":
        return label("xlsx_not_controlled", lang)
    key = "xlsx_suppressed" if record.suppressed else "xlsx_controlled"
    return label(key, lang, threshold=record.rules.threshold, cells=len(record.suppressed))


def sheet_names(titles) -> list[str]:
    """Excel sheet names for ``titles``: the characters Excel refuses (``[]:*?/\\``)
    replaced by spaces, runs of spaces made one, at most 31 characters (a longer title
    cut at the last space that keeps 16 of them), unique (case-insensitively, as Excel
    compares them; a repeated name gets `` (2)``, `` (3)``... within the 31).

    >>> sheet_names(["Table 1. Effects on weeks self-sufficient", "Contents", "contents"])
    ['Table 1. Effects on weeks', 'Contents', 'contents (2)']
    """
    from .report.report_table import _sheet_name

    if isinstance(titles, str):
        raise ArgumentError("sheet_names takes a list of titles, not one string.")
    out, seen = [], set()
    for title in titles:
        name, n = " ".join(_sheet_name(" ".join(str(title).split())).split()).strip("'"), 1
        if len(str(title).strip()) > 31 and " " in name[16:]:
            name = name[: name.rindex(" ")].rstrip(" ,.;-'")
        candidate = name
        while candidate.lower() in seen:
            n += 1
            candidate = name[: 31 - len(f" ({n})")].rstrip() + f" ({n})"
        seen.add(candidate.lower())
        out.append(candidate)
    return out


def write_xlsx(project: str, artifacts: list[Artifact], folder: Path, lang: str, log) -> Path:
    """One Excel workbook of a project, ``<folder>/<project>.xlsx``: a first sheet
    (``"Contents"`` / ``"Indhold"``) listing its tables, each with its sheet (linked),
    number, title, caption, data status (register, synthetic, public or published, from
    the table's declaration) and disclosure status (what the output gate did); then one
    sheet per table, named ``"Table 3. <title>"`` in ``lang`` (cut to Excel's 31
    characters, unique), filled by :meth:`~evalkit.report.ReportTable.add_to_xlsx`:
    numbers as numbers with number formats by kind. Figures are not in the workbook.

    Every table passes the output gate (:func:`~evalkit.output.gate_table`) here, for
    this file; every text (sheet names, titles, captions) passes the CPR scan. The
    workbook is written atomically and logged as one artifact with each table's
    suppressed cells. Returns its path.
    """
    from .output.files import atomic_path
    from .output.gate import GateRecord, gate_path, gate_table, gate_text
    from .output.rules import current_rules
    from .report.labels import label
    from .report.report_table import require

    openpyxl = require("xlsx")
    from openpyxl.styles import Alignment, Font

    name = project_name(project, lang)
    path = folder / f"{project}.xlsx"
    gate_path(path)
    tables = [(a, number) for a, number in _numbered(artifacts, lang) if a.kind == "table"]
    names = sheet_names(
        [label("report_contents", lang)] + [f"{number}. {a.title}" for a, number in tables]
    )
    gated = [gate_table(a.sheet_table.data, path.name) for a, _ in tables]
    rows = [
        [sheet, number, a.title, _caption_text(a), label(DATA_STATUS[record.source], lang),
         _disclosure_status(record, lang)]
        for sheet, (a, number), (_, record) in zip(names[1:], tables, gated, strict=True)
    ]  # fmt: skip
    headers = [label(f"xlsx_{k}", lang) for k in ("sheet", "table", "title", "caption",
                                                  "data", "disclosure")]  # fmt: skip
    note = label("xlsx_note", lang)
    gate_text([name, note, *names, *headers, *(t for r in rows for t in r)], path.name, "text")

    book = openpyxl.Workbook()
    contents = book.active
    contents.title = names[0]
    contents.cell(1, 1, name).font = Font(bold=True, size=14)
    contents.cell(2, 1, note).font = Font(italic=True, size=9)
    for j, header in enumerate(headers, start=1):
        contents.cell(4, j, header).font = Font(bold=True)
    for i, row in enumerate(rows, start=5):
        for j, text in enumerate(row, start=1):
            cell = contents.cell(i, j, text)
            cell.alignment = Alignment(wrap_text=j in (3, 4), vertical="top")
        link = contents.cell(i, 1)
        link.hyperlink = f"#'{row[0]}'!A1"
        link.font = Font(color="0563C1", underline="single")
    contents.freeze_panes = "A5"
    for letter, width in zip("ABCDEF", (30, 10, 40, 70, 18, 34), strict=True):
        contents.column_dimensions[letter].width = width
    for sheet, (a, number), (safe, _) in zip(names[1:], tables, gated, strict=True):
        a.sheet_table.add_to_xlsx(book.create_sheet(sheet), safe=safe, title=f"{number}. {a.title}")
    with atomic_path(path) as temporary:
        book.save(str(temporary))

    records = [record for _, record in gated]
    suppressed = [{"sheet": sheet, **cell} for sheet, record in zip(names[1:], records,
                  strict=True) for cell in record.suppressed]  # fmt: skip
    source = _strictest({r.source for r in records} or {"register"})
    status = "pass: suppressed" if suppressed else "pass"
    record = GateRecord(
        path.name,
        "workbook",
        source,
        current_rules(),
        status=status if source == "register" else f"pass: not controlled ({source} data)",
        checks=[
            f"Excel workbook of {len(tables)} tables, each through the output gate for this "
            "file (gate_table); sources "
            f"{sorted({r.source for r in records})}",
            "CPR scan of the sheet names, titles, captions and statuses",
        ],
        suppressed=suppressed,
    )
    if log is not None:
        log.add(record, [path], title=name)
    return path


def _caption(document, text: str):
    try:
        return document.add_paragraph(text, style="Caption")
    except KeyError:  # a template without the style
        return document.add_paragraph(text)


def _entries(log, files) -> list[dict]:
    """The log entries of ``files`` (the artifacts a document is assembled from)."""
    if log is None:
        return []
    wanted = set()
    for file in files:
        try:
            wanted.add(Path(file).resolve().relative_to(log.folder.resolve()).as_posix())
        except ValueError:
            wanted.add(str(file))
    return [e for e in log.entries if {f["path"] for f in e["files"]} & wanted]


def _index(
    artifacts: list[Artifact], out: Path, lang: str, log: Path, documents: dict | None = None
) -> str:
    from .report.labels import label

    documents = documents or {}
    title = f"evalkit: {label('report_title', lang).lower()}"
    esc = html.escape
    parts = [
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>",
        f"<title>{esc(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:980px;margin:2em auto;padding:0 1em}"
        "figure{margin:2em 0}img{max-width:100%;border:1px solid #ddd}"
        "figcaption,.caption{color:#333;font-size:.95em}"
        "nav ol{line-height:1.5}section.table{margin:2em 0;overflow-x:auto}"
        "table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ccc;"
        "padding:2px 6px;vertical-align:top}.evalkit-note{font-size:.85em;color:#444}"
        "</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f"<p>{esc(LOG_TEXT[lang])} <a href='{log.relative_to(out).as_posix()}'>{log.name}</a></p>",
    ]
    numbered = _numbered(artifacts, lang)
    projects = list(dict.fromkeys(a.project for a in artifacts))
    parts.append(f"<nav><h2>{esc(label('report_contents', lang))}</h2><ol>")
    for project in projects:
        items = "".join(
            f"<li><a href='#{a.project}-{a.name}'>{esc(number)}. {esc(a.title)}</a></li>"
            for a, number in numbered
            if a.project == project
        )
        parts.append(
            f"<li><a href='#{project}'>{esc(project_name(project, lang))}</a><ol>{items}</ol></li>"
        )
    parts.append("</ol></nav>")
    current = None
    for a, number in numbered:
        if a.project != current:
            current = a.project
            heading = f"<h2 id='{a.project}'>{esc(project_name(a.project, lang))}</h2>"
            files = [
                f"<a href='{d.relative_to(out).as_posix()}'>{OFFICE[d.suffix]}</a>"
                for d in documents.get(a.project, [])
            ]
            if files:
                heading += f"<p>{' · '.join(files)}</p>"
            parts.append(heading)
        links = " · ".join(
            f"<a href='{f.relative_to(out).as_posix()}'>{f.suffix[1:].upper()}</a>" for f in a.files
        )
        caption = (
            f"<b>{esc(number)}. {esc(a.title)}.</b> {esc(_caption_text(a))} "
            f"({esc(label('report_files', lang))}: {links})"
        )
        anchor = f"{a.project}-{a.name}"
        if a.kind == "figure":
            png = next(f for f in a.files if f.suffix == ".png")
            source = png.relative_to(out).as_posix()
            parts.append(
                f"<figure id='{anchor}'><img src='{source}' alt='{esc(a.title)}'>"
                f"<figcaption>{caption}</figcaption></figure>"
            )
        else:
            page = next((f for f in a.files if f.suffix == ".html"), None)
            body = page.read_text(encoding="utf-8") if page else ""
            parts.append(
                f"<section class='table' id='{anchor}'><p class='caption'>{caption}</p>"
                f"{body}</section>"
            )
    parts.append("</body></html>")
    return "\n".join(parts)
