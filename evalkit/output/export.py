"""``export``: one call that writes a table, a result or a figure through the gate and
records it in the output log next to it (for notebook users; ``evalkit reproduce`` does
the same for its whole folder).

Example
-------
>>> import pandas as pd, tempfile, pathlib
>>> from evalkit.output import declare_table, OutputLog
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> t = declare_table(pd.DataFrame({"arm": ["treated", "control"], "persons": [178, 3]}),
...                   counts=["persons"])
>>> export(t, folder / "arms.csv").name
'arms.csv'
>>> entry = OutputLog.read(folder / "output_log.json").get("artifacts").pop()
>>> entry["status"], entry["suppressed"]
('pass: suppressed', [{'column': 'persons', 'row': 1, 'reason': 'primary'}])
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import ArgumentError
from .log import OutputLog

FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def export(obj, path, *, source: str | None = None, log: OutputLog | bool = True, **options):
    """Write ``obj`` to ``path`` through the output gate and log it.

    ``obj`` is a DataFrame (written by :func:`evalkit.report.export_table`; options such
    as ``count_columns``, ``lang`` pass through), a result with ``export`` (a balance
    table) or ``to_frame()`` (its tidy frame, which declares its counts), or a matplotlib
    Figure (``path`` ending in .png, .svg or .pdf; :func:`evalkit.report.save_figure`).
    ``source`` declares data that are not register data (``"synthetic"``, ``"public"``,
    ``"published"``). ``log=True`` (default) adds the file to ``output_log.json`` in
    the file's folder; pass an :class:`OutputLog` to collect several folders in one, or
    False for none. Returns the path written.
    """
    from matplotlib.figure import Figure

    from ..report import export_table, save_figure

    if not isinstance(path, str | Path):
        raise ArgumentError(f"path must be a file name (str or Path); got {path!r}.")
    path = Path(path)
    record_log = OutputLog(path.parent) if log is True else (log or None)
    if record_log is not None and not isinstance(record_log, OutputLog):
        raise ArgumentError("log must be True, False or an evalkit.output.OutputLog.")
    if isinstance(obj, Figure):
        suffix = path.suffix.lower()
        if suffix not in FIGURE_SUFFIXES:
            raise ArgumentError(
                f"a figure is written as {', '.join(FIGURE_SUFFIXES)}; got {path.name!r}."
            )
        (written,) = save_figure(
            obj,
            path.with_suffix(""),
            formats=(suffix[1:],),
            source=source,
            log=record_log,
            **options,
        )
    elif isinstance(obj, pd.DataFrame):
        written = export_table(obj, path, source=source, log=record_log, **options)
    elif hasattr(obj, "export"):
        written = obj.export(path, source=source, log=record_log, **options)
    elif hasattr(obj, "to_frame"):
        written = export_table(obj.to_frame(), path, source=source, log=record_log, **options)
    else:
        raise ArgumentError(
            f"export writes DataFrames, evalkit results and matplotlib Figures; got "
            f"{type(obj).__name__}."
        )
    if record_log is not None and log is True:
        record_log.write()
    return written
