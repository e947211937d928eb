"""One progress line for every long job: what is done, the rate and the time left.

:class:`Progress` writes a single line to standard error, rewritten in place at most
twice a second: ``spells: 1,200,000 of 5,000,000 persons (24%), 410,000 persons/s,
9 s left``. By default it writes only when standard error is a terminal, so logs, CI and
notebooks run quietly; ``progress=True`` forces it on and ``progress=False`` off
(:func:`progress_enabled`). Nothing but counts and times is ever printed (no ids, no
values).

Every long job of evalkit shows this one line: the register engine and the synthetic
register (persons), the randomization test (assignments), the design diagnosis
(simulations) and ``evalkit reproduce`` (figures and tables, with the one being made).
The title and the unit are shown through the label catalogue
(:func:`evalkit.report.labels.term`), in English or Danish (``lang=``); a title the
catalogue does not know (an outcome function's name) is shown as it is.
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


def _duration(seconds: float, lang: str) -> str:
    from .report.labels import format_number

    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{format_number(seconds, 0, lang)} s"
    if seconds < 5400:
        return f"{format_number(seconds / 60, 0, lang)} min"
    return f"{format_number(seconds / 3600, 1, lang)} h"


class Progress:
    """A progress line on standard error: items done (of a total), rate and time left.

    Parameters
    ----------
    label : what is running (``"spells"``, ``"synthetic register"``), shown through the
        label catalogue's terms in ``lang``.
    total : the number of items expected, or None when unknown (no share, no time left).
    unit : what the items are (``"persons"``), shown through the catalogue as ``label``.
    progress : ``True`` / ``False``, or ``None`` to show it only on a terminal.
    stream : where to write (default standard error).
    interval : least seconds between two redraws.
    lang : ``"en"`` or ``"da"``.

    Use it as a context manager (the line is finished on exit) and call
    :meth:`update` with the items just done, or :meth:`step` with the name of the one
    item just made.

    Example
    -------
    >>> import io
    >>> out = io.StringIO()
    >>> with Progress("spells", total=10, unit="persons", progress=True, stream=out) as p:
    ...     p.update(4)
    ...     p.update(6)
    >>> "10 of 10 persons (100%)" in out.getvalue()
    True
    >>> Progress("randomization test", 40_000, "assignments", False, lang="da").line()[:49]
    'randomiseringstest: 0 af 40.000 tildelinger (0 %)'
    """

    def __init__(
        self,
        label: str,
        total: int | None = None,
        unit: str = "persons",
        progress: bool | None = None,
        stream: TextIO | None = None,
        interval: float = 0.5,
        lang: str = "en",
    ) -> None:
        from .report.labels import check_lang

        self.stream = sys.stderr if stream is None else stream
        self.enabled = progress_enabled(progress, self.stream)
        if total is not None and (isinstance(total, bool) or int(total) < 0):
            raise ArgumentError(f"total must be a whole number >= 0 or None; got {total!r}.")
        if not isinstance(label, str) or not isinstance(unit, str):
            raise ArgumentError("the progress label and unit must be text.")
        self.lang = check_lang(lang)
        self.label, self.unit, self.interval = label, unit, float(interval)
        self.total = None if total is None else int(total)
        self.done = 0
        self.current: str | None = None
        self.start = time.perf_counter()
        self._last = -float("inf")
        self._written = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def line(self, now: float | None = None) -> str:
        """The text of the progress line as it stands."""
        from .report.labels import format_number, format_percent, label, term

        lang = self.lang
        now = time.perf_counter() if now is None else now
        elapsed = max(now - self.start, 1e-9)
        rate = self.done / elapsed
        unit = term(self.unit, lang)
        done = format_number(self.done, 0, lang)
        if self.total:
            total = format_number(self.total, 0, lang)
            share = format_percent(self.done / self.total, 0, lang)
            count = label("progress_of", lang, done=done, total=total, unit=unit, share=share)
        else:
            count = f"{done} {unit}"
        speed = format_number(rate, 0 if rate >= 10 else 1, lang)
        text = f"{term(self.label, lang)}: {count}, {speed} {unit}/s, "
        if self.total and self.done and self.done < self.total:
            text += label(
                "progress_left", lang, time=_duration((self.total - self.done) / rate, lang)
            )
        else:
            text += _duration(elapsed, lang)
        if self.current:
            text += f" - {self.current[:40]}"
        return text

    def update(self, n: int, force: bool = False) -> None:
        """Record ``n`` more items done; redraw when ``interval`` has passed (or ``force``)."""
        self.done += int(n)
        if not self.enabled:
            return
        now = time.perf_counter()
        finished = self.total is not None and self.done >= self.total
        if force or finished or now - self._last >= self.interval:
            self._last = now
            self.stream.write("\r" + self.line(now) + " " * 4)
            self.stream.flush()
            self._written = True

    def step(self, what: str) -> None:
        """One more item done, ``what`` (a title in the reader's language) shown at the end."""
        self.current = str(what)
        self.update(1, force=True)

    def close(self) -> None:
        """Finish the line (once)."""
        if self.enabled and self._written:
            self.stream.write("\r" + self.line() + " " * 4 + "\n")
            self.stream.flush()
            self._written = False
