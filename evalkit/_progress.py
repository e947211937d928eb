"""One progress line for every long job: what is done, the rate and the time left.

:class:`Progress` writes a single line to standard error, rewritten in place at most
twice a second: ``spells: 1,200,000 of 5,000,000 persons (24%), 410,000 persons/s,
9 s left``. By default it writes only when standard error is a terminal, so logs, CI and
notebooks run quietly; ``progress=True`` forces it on and ``progress=False`` off
(:func:`progress_enabled`). Nothing but counts and times is ever printed (no ids, no
values).
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .errors import ArgumentError


def progress_enabled(progress: bool | None, stream: TextIO | None = None) -> bool:
    """Whether to show progress: ``True`` / ``False`` as given, ``None`` when ``stream``
    (default standard error) is a terminal.

    Example
    -------
    >>> import io
    >>> progress_enabled(None, io.StringIO()), progress_enabled(True, io.StringIO())
    (False, True)
    """
    if progress is not None and not isinstance(progress, bool):
        raise ArgumentError(
            f"progress must be True, False or None (on a terminal only); got {progress!r}."
        )
    if progress is not None:
        return progress
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or unusual streams
        return False


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class Progress:
    """A progress line on standard error: items done (of a total), rate and time left.

    Parameters
    ----------
    label : what is running (``"spells"``, ``"synthetic register"``).
    total : the number of items expected, or None when unknown (no share, no time left).
    unit : what the items are (``"persons"``).
    progress : ``True`` / ``False``, or ``None`` to show it only on a terminal.
    stream : where to write (default standard error).
    interval : least seconds between two redraws.

    Use it as a context manager (the line is finished on exit) and call
    :meth:`update` with the items just done.

    Example
    -------
    >>> import io
    >>> out = io.StringIO()
    >>> with Progress("spells", total=10, unit="persons", progress=True, stream=out) as p:
    ...     p.update(4)
    ...     p.update(6)
    >>> "10 of 10 persons (100%)" in out.getvalue()
    True
    """

    def __init__(
        self,
        label: str,
        total: int | None = None,
        unit: str = "persons",
        progress: bool | None = None,
        stream: TextIO | None = None,
        interval: float = 0.5,
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.enabled = progress_enabled(progress, self.stream)
        if total is not None and (isinstance(total, bool) or int(total) < 0):
            raise ArgumentError(f"total must be a whole number >= 0 or None; got {total!r}.")
        self.label, self.unit, self.interval = label, unit, float(interval)
        self.total = None if total is None else int(total)
        self.done = 0
        self.start = time.perf_counter()
        self._last = -float("inf")
        self._written = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def line(self, now: float | None = None) -> str:
        """The text of the progress line as it stands."""
        now = time.perf_counter() if now is None else now
        elapsed = max(now - self.start, 1e-9)
        rate = self.done / elapsed
        text = f"{self.label}: {self.done:,}"
        if self.total:
            text += f" of {self.total:,} {self.unit} ({100 * self.done / self.total:.0f}%)"
        else:
            text += f" {self.unit}"
        text += f", {rate:,.0f} {self.unit}/s"
        if self.total and self.done and self.done < self.total:
            text += f", {_duration((self.total - self.done) / rate)} left"
        else:
            text += f", {_duration(elapsed)}"
        return text

    def update(self, n: int) -> None:
        """Record ``n`` more items done; redraw when ``interval`` has passed."""
        self.done += int(n)
        if not self.enabled:
            return
        now = time.perf_counter()
        finished = self.total is not None and self.done >= self.total
        if now - self._last >= self.interval or finished:
            self._last = now
            self.stream.write("\r" + self.line(now) + " " * 4)
            self.stream.flush()
            self._written = True

    def close(self) -> None:
        """Finish the line (once)."""
        if self.enabled and self._written:
            self.stream.write("\r" + self.line() + " " * 4 + "\n")
            self.stream.flush()
            self._written = False
