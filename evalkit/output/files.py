"""Writes that cannot leave half a file: write to a temporary name, then rename.

A crash, a full disk or an interrupt while writing leaves the old file (or none) in
place, never a truncated one: :func:`atomic_path` yields a temporary path in the same
folder and renames it over the target (``os.replace``, atomic on POSIX and Windows)
only when the block finishes without error.

Example
-------
>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "table.csv"
>>> write_atomic(target, "a,b\\n1,2\\n").read_text()
'a,b\\n1,2\\n'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import ArgumentError


def check_folder(folder, create: bool = True) -> Path:
    """``folder`` as a Path that exists (created when ``create``) and can be written to;
    an evalkit error, not a traceback, when it cannot."""
    if not isinstance(folder, str | os.PathLike) or str(folder) == "":
        raise ArgumentError(f"the output folder must be a path (str or Path); got {folder!r}.")
    from .gate import gate_path

    gate_path(folder)
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise ArgumentError(f"the output folder {str(path)!r} is a file, not a folder.")
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ArgumentError(
                f"cannot create the output folder {str(path)!r}: {error.strerror}. Choose a "
                "folder you can write to."
            ) from None
    elif not path.is_dir():
        raise ArgumentError(f"the folder {str(path)!r} does not exist; create it first.")
    if not os.access(path, os.W_OK | os.X_OK):
        raise ArgumentError(
            f"the output folder {str(path)!r} is not writable; choose a folder you can write to."
        )
    return path


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it to ``target`` on success.

    The temporary file keeps ``target``'s suffix (writers that look at it keep working)
    and is removed when the block raises.
    """
    target = Path(target)
    handle, name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".part{target.suffix}", dir=target.parent
    )
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def write_atomic(target: str | os.PathLike, content: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``content`` (text or bytes) to ``target`` atomically; returns the path."""
    target = Path(target)
    with atomic_path(target) as temporary:
        if isinstance(content, bytes):
            temporary.write_bytes(content)
        else:
            temporary.write_text(content, encoding=encoding)
    return target
