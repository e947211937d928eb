"""``evalkit reproduce``: rebuild every project's figures and tables from the packaged data.

For each project a runner writes its figures (PNG and PDF) and tables (CSV and HTML)
into ``<out>/<project>/`` and returns what it wrote with captions; :func:`reproduce`
then writes ``<out>/output_log.json`` (the output log: every file, its SHA-256, the
disclosure rules applied and every suppressed cell, for the person who checks outputs
before they leave a register environment) and, last, ``<out>/index.html`` showing them
all. Every file passes the output gate (:mod:`evalkit.output`) and is written to a
temporary name and renamed into place, so an interrupted run leaves no half-written
file and no index pointing at missing ones. Published figures and results on
synthetic data are kept apart in the captions. A progress bar per project goes to
standard error.
"""

from __future__ import annotations

import html
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from .errors import ArgumentError  # noqa: E402

LANGS = ("en", "da")
LOG_TEXT = {
    "en": "Every file below passed evalkit's output gate; the output log lists each "
    "with the rules applied and the cells suppressed:",
    "da": "Alle filer herunder er gået gennem evalkits outputkontrol; outputloggen viser "
    "hver fil med de anvendte regler og de undertrykte celler:",
}


@dataclass(frozen=True)
class Artifact:
    """One figure or table written by a project runner."""

    project: str
    kind: str  # "figure" or "table"
    name: str
    title: str
    caption: str
    files: tuple[Path, ...]


class Progress:
    """A one-line text progress bar on standard error."""

    def __init__(self, label: str, total: int, enabled: bool = True) -> None:
        self.label, self.total, self.done, self.enabled = label, total, 0, enabled

    def step(self, what: str) -> None:
        self.done += 1
        if self.enabled:
            width = 24
            filled = round(width * self.done / self.total)
            bar = "#" * filled + "-" * (width - filled)
            end = "\n" if self.done >= self.total else ""
            print(
                f"\r{self.label:<24} [{bar}] {self.done}/{self.total} {what[:40]:<40}",
                end=end,
                file=sys.stderr,
                flush=True,
            )


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
    "impact60_aalborg": (_impact60, 5),
    "adult_business_case": (_adult_business_case, 9),
}


def reproduce(
    out: str | Path = "evalkit-output",
    projects: list[str] | None = None,
    lang: str = "en",
    progress: bool = True,
) -> list[Artifact]:
    """Run every (or the named) project's evaluation and write the report folder.

    Returns the artifacts written; ``<out>/index.html`` shows them all and
    ``<out>/output_log.json`` records them for the output checker. An ``out`` that is a
    file, cannot be created or is not writable is an :class:`~evalkit.errors.ArgumentError`.
    """
    if lang not in LANGS:
        raise ArgumentError(f"lang must be one of {LANGS}; got {lang!r}.")
    names = list(RUNNERS) if not projects else list(projects)
    unknown = [p for p in names if p not in RUNNERS]
    if unknown:
        raise ArgumentError(
            f"unknown projects {unknown}; reproducible projects: {', '.join(RUNNERS)}."
        )
    from .output.files import check_folder, write_atomic
    from .output.gate import gate_text
    from .output.log import LOG_NAME, OutputLog

    out = check_folder(out)
    log = OutputLog(out, append=False)
    artifacts: list[Artifact] = []
    for name in names:
        runner, steps = RUNNERS[name]
        folder = check_folder(out / name)
        artifacts += runner(folder, lang, Progress(name, steps, progress), log)
    gate_text([text for a in artifacts for text in (a.title, a.caption)], "index.html", "caption")
    log.write()
    write_atomic(out / "index.html", _index(artifacts, out, lang, out / LOG_NAME))
    return artifacts


def _index(artifacts: list[Artifact], out: Path, lang: str, log: Path) -> str:
    title = "evalkit: evaluation report" if lang == "en" else "evalkit: evalueringsrapport"
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{title}</title>",
        "<style>body{font-family:sans-serif;max-width:980px;margin:2em auto;padding:0 1em}"
        "figure{margin:2em 0}img{max-width:100%;border:1px solid #ddd}"
        "figcaption,.caption{color:#333;font-size:.95em}"
        "table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ccc;"
        "padding:2px 6px}</style></head><body>",
        f"<h1>{title}</h1>",
        f"<p>{html.escape(LOG_TEXT[lang])} <a href='{log.relative_to(out).as_posix()}'>"
        f"{log.name}</a></p>",
    ]
    current = None
    for a in artifacts:
        if a.project != current:
            current = a.project
            parts.append(f"<h2 id='{a.project}'>{html.escape(a.project)}</h2>")
        links = " · ".join(
            f"<a href='{f.relative_to(out).as_posix()}'>{f.suffix[1:].upper()}</a>" for f in a.files
        )
        caption = f"<b>{html.escape(a.title)}.</b> {html.escape(a.caption)} ({links})"
        if a.kind == "figure":
            png = next(f for f in a.files if f.suffix == ".png")
            source = png.relative_to(out).as_posix()
            parts.append(
                f"<figure><img src='{source}' alt='{html.escape(a.title)}'>"
                f"<figcaption>{caption}</figcaption></figure>"
            )
        else:
            page = next((f for f in a.files if f.suffix == ".html"), None)
            body = page.read_text(encoding="utf-8") if page else ""
            parts.append(f"<section><p class='caption'>{caption}</p>{body}</section>")
    parts.append("</body></html>")
    return "\n".join(parts)
