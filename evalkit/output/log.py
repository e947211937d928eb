"""The output log: a machine-readable record of every artifact, for the output checker.

Before results leave a register environment a person checks them (Statistics Denmark's
transfer rules; the SACRO project's ACRO tool records every output for that person in a
``results.json``). evalkit keeps the same kind of record: each file written through the
gate gets an entry with its SHA-256, what it is, where its numbers come from, the rules
applied, the checks made and every suppressed cell with the reason. ``evalkit
reproduce`` writes ``output_log.json`` in its folder; :func:`evalkit.output.export`
adds to the log next to the file it writes.

Example
-------
>>> import tempfile, pathlib
>>> from evalkit.output.gate import GateRecord
>>> from evalkit.output.rules import current_rules
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> (folder / "t.csv").write_text("a\\n1\\n")
4
>>> log = OutputLog(folder)
>>> _ = log.add(GateRecord("t.csv", "table", "register", current_rules()), [folder / "t.csv"])
>>> entry = OutputLog.read(log.write()).get("artifacts").pop()
>>> entry.get("files").pop().get("path"), entry.get("status")
('t.csv', 'pass')
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from ..errors import ArgumentError
from .files import write_atomic

LOG_NAME = "output_log.json"
FORMAT = "evalkit-output-log/1"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class OutputLog:
    """The log of one output folder (``<folder>/output_log.json``).

    ``append=True`` keeps the entries of an existing log (notebook exports add up);
    ``False`` starts a new one (``evalkit reproduce`` rewrites its folder).
    """

    def __init__(self, folder, append: bool = True, name: str = LOG_NAME) -> None:
        self.folder = Path(folder)
        self.path = self.folder / name
        self.entries: list[dict] = []
        if append and self.path.exists():
            self.entries = list(self.read(self.path)["artifacts"])

    def add(self, record, files: Sequence[Path], title: str | None = None) -> dict:
        """Add one artifact: its gate record and the files written for it."""
        listed = []
        for file in files:
            file = Path(file)
            try:
                relative = file.resolve().relative_to(self.folder.resolve()).as_posix()
            except ValueError:
                relative = str(file)
            listed.append({"path": relative, "bytes": file.stat().st_size,
                           "sha256": _sha256(file)})  # fmt: skip
        entry = {
            "id": len(self.entries) + 1,
            "title": title or record.artifact,
            "files": listed,
            "written": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            **record.as_dict(),
        }
        kept = {f["path"] for f in listed}
        self.entries = [e for e in self.entries if not kept & {f["path"] for f in e["files"]}]
        for i, e in enumerate(self.entries, start=1):
            e["id"] = i
        entry["id"] = len(self.entries) + 1
        self.entries.append(entry)
        return entry

    def as_dict(self) -> dict:
        from .. import __version__

        review = [e["id"] for e in self.entries if e["status"] == "review"]
        return {
            "format": FORMAT,
            "evalkit": __version__,
            "artifacts": self.entries,
            "summary": {
                "artifacts": len(self.entries),
                "suppressed_cells": sum(e["suppressed_cells"] for e in self.entries),
                "to_review": review,
            },
        }

    def write(self) -> Path:
        """Write the log (atomically); returns its path."""
        text = json.dumps(self.as_dict(), indent=2, ensure_ascii=False, default=str)
        return write_atomic(self.path, text + "\n")

    @staticmethod
    def read(path) -> dict:
        """A log written by :meth:`write`."""
        try:
            content = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ArgumentError(f"cannot read the output log {str(path)!r}: {error}") from None
        if not isinstance(content, dict) or content.get("format") != FORMAT:
            raise ArgumentError(f"{str(path)!r} is not an evalkit output log ({FORMAT}).")
        return content
