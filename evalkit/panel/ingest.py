"""Register extracts straight to status panels, near the speed of reading the file.

:func:`read_status_panel` reads a wide extract (one row per person, one column per week)
or a long one (one row per person-week) into a :class:`StatusPanel`;
:func:`iter_panel_chunks` yields the same panel in chunks of whole persons, each covering
every week of the file, so that per-chunk results merge. Results equal
:func:`~evalkit.panel.read_panel` followed by :meth:`StatusPanel.from_wide` /
:meth:`StatusPanel.from_long` (ids, codes, weeks and states; tested on every format), but
no frame of the whole file is made: parquet columns are read by pyarrow in their own
integer type, a block of persons at a time, classified through the classification's
integer lookup table and written into the preallocated int8 panel (see
:mod:`evalkit.panel._fill`). Long parquet files are read in two passes with the ids
dictionary-encoded by pyarrow: the distinct ids and weeks, then each block's codes
scattered into the preallocated panel at ``row * weeks + week`` (only a block's distinct
ids are looked up). CSV, Stata and SAS files are read by pandas in chunks of rows.

Measured (``benchmarks/bench_ingest.py``: synthetic DREAM-like wide and long parquet
extracts, int16 codes, 52 % blank, 520 weeks, 2-core machine): see that file's docstring
and ``docs/national-scale.md`` ("Ingest").
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import check_id_types, row_positions
from ..errors import ArgumentError, ColumnError, DesignError, EvalkitError, MissingValueError
from ._fill import WideWriter, arrow_cells, numpy_cells, pandas_column
from .ids import pseudonymize_ids
from .io import _check_columns, _existing, _format, _pyarrow_parquet, _scrub
from .panel import StatusPanel, _check_classification, week_column_numbers, wide_ids
from .states import StateClassification
from .weeks import parse_weeks

UNOBSERVED = -1
_UNWRITTEN = -128  # a long panel's cell that no row of the file has reached yet
BLOCK_PERSONS = 16_384  # persons read, classified and written at a time (wide files)
BLOCK_ROWS = 1 << 18  # rows read at a time (long files, and CSV/Stata/SAS chunks)
# Weeks of a wide parquet file read in one pass (read_status_panel). Measured at 200k x 520,
# three fresh processes each: peak RSS above base 16 weeks 160-163 MB, 32: 168-179, 64:
# 189-211 (pyarrow's buffers for the group's columns); CPU 2.2-2.4, 1.9-2.3, 1.9-2.7 s.
WEEK_GROUP = 32


def read_status_panel(
    path,
    id: str,
    week_columns: Sequence[str] | str | None,
    states: StateClassification | Mapping[str, object],
    blank: str | None = None,
    format: str | None = None,
    block_persons: int = BLOCK_PERSONS,
    pseudonymize: str | None = None,
    key: str | bytes | None = None,
    *,
    week: str | None = None,
    status: str | None = None,
    last_week=None,
    row_groups: Sequence[int] | None = None,
    **pandas_kwargs,
) -> StatusPanel:
    """Read a register extract into a weekly status panel, without a frame of the file.

    Wide files (one row per person): ``week_columns`` is a prefix (``"y_"`` takes every
    DREAM column ``y_YYWW``) or a list of week columns, exactly as in
    :meth:`StatusPanel.from_wide`. Long files (one row per person and week): pass
    ``week_columns=None`` with ``week=`` (the week column: ISO labels, dates or integers)
    and ``status=`` (the code column), as in :meth:`StatusPanel.from_long`; ``last_week``
    extends the blank weeks to that week. ``blank`` names the state of a missing cell
    from the person's first coded week on (DREAM: self-sufficient).

    The result is identical to ``read_panel`` followed by ``from_wide`` / ``from_long``
    on the same file. Parquet files (needs pyarrow: ``pip install "evalkit[parquet]"``)
    are read ``block_persons`` persons at a time with each column in its own integer type;
    memory holds the panel (1 byte a person-week) and one block. CSV, Stata and SAS files
    are read by pandas in chunks of rows (``pandas_kwargs`` go to the pandas reader);
    their panel is assembled from the chunks' panels. ``pseudonymize="<id column>"`` with
    ``key=...`` replaces the ids by keyed pseudonyms (:func:`pseudonymize_ids`) as
    :func:`read_panel` does. Unknown codes raise
    :class:`~evalkit.panel.UnknownCodeError` naming the week column and the number of
    cells (never an id).

    Parameters
    ----------
    path : the file (format from the extension unless ``format`` is given: ``"parquet"``,
        ``"csv"``, ``"stata"`` or ``"sas"``).
    id : the person id column.
    week_columns : wide files: a prefix or a list of week columns; None for long files.
    states : a dict ``{state name: codes}`` or a :class:`StateClassification`.
    blank : the state of missing cells after a person's first coded week, or None.
    format : the file format when the extension does not tell.
    block_persons : persons per block of a wide parquet file (memory: one block).
    pseudonymize, key : pseudonymize the id column on read (see :func:`read_panel`).
    week, status, last_week : long files: the week and code columns, and the last week.
    row_groups : parquet files: read only these row groups (numbers from 0, in file
        order), e.g. one partition of the file per task on Dask; the checks of the ids
        then cover those rows only.

    Returns
    -------
    StatusPanel
        Persons in file order (wide) or sorted by id (long, as ``from_long``).

    Example
    -------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "extract.csv")
    >>> pd.DataFrame({"id": [1, 2], "y_1610": [130, None], "y_1611": [None, 651]}).to_csv(
    ...     path, index=False)
    >>> states = {"cash_benefit": [130], "education": [651], "self_sufficient": []}
    >>> read_status_panel(path, "id", "y_", states, blank="self_sufficient").codes
    array([[ 0,  2],
           [-1,  1]], dtype=int8)
    """
    return _reader(locals()).whole()


def iter_panel_chunks(
    path,
    id: str,
    week_columns: Sequence[str] | str | None,
    states: StateClassification | Mapping[str, object],
    blank: str | None = None,
    chunk_persons: int = 100_000,
    format: str | None = None,
    pseudonymize: str | None = None,
    key: str | bytes | None = None,
    *,
    week: str | None = None,
    status: str | None = None,
    last_week=None,
    block_persons: int = BLOCK_PERSONS,
    **pandas_kwargs,
) -> Iterator[StatusPanel]:
    """Read a register extract as status panels of at most ``chunk_persons`` persons each.

    Every chunk holds whole persons and covers the same weeks as the whole file (the
    same ``first_week`` and number of weeks), so per-chunk results merge; stacked, the
    chunks' codes and ids equal :func:`read_status_panel`'s. Arguments as in
    :func:`read_status_panel`. Wide files are chunked in file order. Long files must
    hold each person's rows together (sorted by ``id``, as :func:`iter_person_chunks`
    requires); within a chunk persons are sorted by id, as ``from_long`` sorts them.
    The checks that need the whole file (missing or repeated ids, rows of a person in
    two places, the weeks of a long file) are made before the first chunk for parquet
    files; CSV, Stata and SAS files are read once more for them.

    Parameters
    ----------
    path, id, week_columns, states, blank, format, pseudonymize, key, week, status,
    last_week, block_persons : as in :func:`read_status_panel`.
    chunk_persons : persons per chunk (the last chunk may hold fewer).

    Returns
    -------
    Iterator[StatusPanel]
        The chunks, in file order.

    Example
    -------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "extract.csv")
    >>> pd.DataFrame({"id": [1, 2, 3], "y_1610": [130, None, 130],
    ...               "y_1611": [None, 651, 130]}).to_csv(path, index=False)
    >>> states = {"cash_benefit": [130], "education": [651], "self_sufficient": []}
    >>> chunks = list(iter_panel_chunks(path, "id", "y_", states, "self_sufficient",
    ...                                 chunk_persons=2))
    >>> [len(chunk) for chunk in chunks], chunks[1].n_weeks
    ([2, 1], 2)
    """
    _check_count(chunk_persons, "chunk_persons")
    return _reader(locals()).chunks(int(chunk_persons))


def _reader(arguments: dict) -> _WideReader | _LongReader:
    """The reader of a file, from the arguments of :func:`read_status_panel` or
    :func:`iter_panel_chunks` (their ``locals()``, taken first thing), checked in one place."""
    arguments = {name: value for name, value in arguments.items() if name != "chunk_persons"}
    plan = _Plan.make(**arguments)
    return _LongReader(plan) if plan.long else _WideReader(plan)


# ---------------------------------------------------------------- the plan
class _Plan:
    """Checked arguments and what the file holds (format, columns)."""

    @classmethod
    def make(
        cls,
        path,
        id,
        week_columns,
        states,
        blank,
        format,
        block_persons,
        pseudonymize,
        key,
        week,
        status,
        last_week,
        pandas_kwargs,
        row_groups=None,
    ):
        plan = cls()
        if not isinstance(id, str):
            raise ArgumentError(f"id must be a column name (a string); got {id!r}.")
        _check_count(block_persons, "block_persons")
        plan.path = _existing(path)
        plan.kind = _format(plan.path, format)
        plan.id = id
        plan.states = _check_classification(states, blank)
        plan.blank = None if blank is None else plan.states.state_index(blank)
        plan.block_persons = int(block_persons)
        plan.pseudonymize, plan.key = _check_pseudonymize(pseudonymize, key, id)
        plan.kwargs = dict(pandas_kwargs)
        if plan.kwargs and plan.kind == "parquet":
            raise ArgumentError(
                f"options {sorted(plan.kwargs)} are for the pandas readers of CSV, Stata "
                "and SAS files; a parquet file takes none."
            )
        plan.long = week_columns is None
        if plan.long:
            if week is None or status is None:
                raise ArgumentError(
                    "a long file needs week= and status= (its week and code columns); a "
                    "wide file needs week_columns= (a prefix such as 'y_' or a list)."
                )
            if len({id, week, status}) < 3:
                raise ColumnError(
                    f"the id, week and status columns must differ; got {id!r}, {week!r} "
                    f"and {status!r}."
                )
        elif week is not None or status is not None or last_week is not None:
            raise ArgumentError(
                "week=, status= and last_week= are for long files: pass week_columns=None."
            )
        plan.week, plan.status, plan.last_week = week, status, last_week
        plan.row_groups = _check_row_groups(plan, row_groups)
        plan.names = _column_names(plan)
        if plan.long:
            _check_columns([id, week, status], plan.names, plan.path)
        else:
            plan.week_columns = _week_columns(week_columns, plan.names, id, plan.path)
            plan.numbers, plan.calendar = week_column_numbers(plan.week_columns)
            plan.first = int(plan.numbers[0])
            plan.n_weeks = int(plan.numbers[-1] - plan.numbers[0] + 1)
        return plan

    def writer(self) -> WideWriter:
        return WideWriter(
            self.states,
            self.numbers - self.first,
            self.n_weeks,
            self.blank,
            self.week_columns,
        )

    def panel(self, ids, codes, first, calendar) -> StatusPanel:
        states = self.states
        return StatusPanel(ids, codes, states.names, first, calendar, False, states.absorbing)


def _check_row_groups(plan, row_groups) -> list[int] | None:
    if row_groups is None:
        return None
    if plan.kind != "parquet":
        raise ArgumentError(
            f"row_groups= is for parquet files; {plan.path.name} is read as {plan.kind}."
        )
    try:
        chosen = [int(g) for g in row_groups]
        whole = all(isinstance(g, int | np.integer) and not isinstance(g, bool) for g in row_groups)
    except (TypeError, ValueError):
        chosen, whole = [], False
    n = _metadata(plan).num_row_groups
    if not whole or any(g < 0 or g >= n for g in chosen):
        raise ArgumentError(
            f"row_groups must be row group numbers of {plan.path.name} (0 to {n - 1}); got "
            f"{row_groups!r}."
        )
    return chosen


def _check_count(value, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ArgumentError(f"{name} must be a whole number >= 1; got {value!r}.")


def _check_pseudonymize(pseudonymize, key, id):
    if pseudonymize is None:
        if key is not None:
            raise ArgumentError("key is used only with pseudonymize='<id column>'.")
        return None, None
    if not isinstance(pseudonymize, str):
        raise ArgumentError(
            f"pseudonymize must name the id column (a string); got {pseudonymize!r}."
        )
    if pseudonymize != id:
        raise ArgumentError(
            f"pseudonymize={pseudonymize!r} must be the id column {id!r}: the panel's ids "
            "are the ones pseudonymized."
        )
    if key is None:
        raise ArgumentError(
            f"pseudonymize={pseudonymize!r} needs key=... (the secret key of the pseudonyms, "
            "at least 16 characters)."
        )
    return pseudonymize, key


def _week_columns(week_columns, names: list[str], id: str, path: Path) -> list[str]:
    if isinstance(week_columns, str):
        chosen = [c for c in names if str(c).startswith(week_columns)]
        if not chosen:
            raise ArgumentError(f"no columns of {path.name} start with {week_columns!r}.")
    else:
        chosen = list(week_columns)
        missing = [c for c in chosen if c not in names]
        if missing:
            raise ArgumentError(f"week columns not in {path.name}: {missing[:5]}.")
        if len(set(chosen)) != len(chosen):
            raise ColumnError(f"week_columns lists a column twice: {chosen[:10]}.")
    if id not in names:
        raise ColumnError(f"id column {id!r} is not in {path.name}.")
    if id in chosen:
        raise ColumnError(f"the id column {id!r} is also among the week columns.")
    return chosen


def _metadata(plan):
    """The parquet file's footer (schema, row groups), parsed once per plan and handed to
    every reader: parsing it costs 27 ms for a 5M x 520 file of 50 row groups (measured),
    and a read opens the file once per group of weeks (a Dask task reading its row
    groups opened it ~20 times, 0.5 CPU s a task, growing with the file's row groups)."""
    if getattr(plan, "metadata", None) is None:
        try:
            plan.metadata = _pyarrow_parquet().read_metadata(plan.path)
        except (ValueError, OSError) as error:
            raise _unreadable(plan, error) from None
    return plan.metadata


def _column_names(plan) -> list[str]:
    if plan.kind == "parquet":
        return list(_metadata(plan).schema.to_arrow_schema().names)
    for frame in _pandas_chunks(plan, None, 1):
        return [str(c) if not isinstance(c, str) else c for c in frame.columns]
    return []


def _unreadable(plan, error: Exception) -> EvalkitError:
    # Not chained, and CPR-shaped text masked: readers quote values of the file.
    return EvalkitError(
        f"could not read {plan.path.name} as {plan.kind}: {_scrub(error)}. Check the file "
        "and the format (pass format=... if the extension is misleading)."
    )


# ---------------------------------------------------------------- readers of blocks
def _parquet_batches(
    plan, columns: list[str], rows: int, dictionary: Sequence[str] = (), lean: bool = False
):
    """Record batches of ``rows`` rows (pyarrow), only ``columns``, read one batch ahead
    on a second thread (pyarrow decodes without the GIL while numpy classifies). Text
    columns named in ``dictionary`` come dictionary-encoded, as the file stores them (no
    string per row is made; other types are read as they are).

    ``lean`` (long files, whose few columns decode quickly): no pre-buffering of a whole
    row group and no decoding on pyarrow's thread pool. Measured at 200k persons x 520
    weeks (a long file of 52 M rows in row groups of 1 M): one pass over the id and week
    columns left 109 MB resident with pyarrow's defaults (73 MB after releasing its pool's
    unused memory), 60 MB (8 MB) this way.
    """
    pq = _pyarrow_parquet()
    try:
        parquet = pq.ParquetFile(
            plan.path,
            metadata=_metadata(plan),
            read_dictionary=list(dictionary),
            pre_buffer=not lean,
        )
        batches = parquet.iter_batches(rows, plan.row_groups, columns, use_threads=not lean)
        yield from _read_ahead(batches)
    except (ValueError, OSError) as error:
        raise _unreadable(plan, error) from None


def _read_ahead(iterator, depth: int = 1):
    """The items of ``iterator``, produced by a background thread at most ``depth`` items
    ahead (memory: that many more batches). Its errors are raised here; closing this
    generator stops the thread."""
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for item in iterator:
                while not stop.is_set():
                    try:
                        items.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            items.put((done, None))
        except BaseException as error:  # handed to the consumer, raised there
            items.put((done, error))

    thread = threading.Thread(target=produce, name="evalkit-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item, error = items.get()
            if item is done:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # let a blocked producer see the stop
            try:
                items.get_nowait()
            except queue.Empty:
                thread.join(0.05)


def _pandas_chunks(plan, columns: list[str] | None, rows: int) -> Iterator[pd.DataFrame]:
    """DataFrames of ``rows`` rows from pandas' CSV, Stata or SAS reader."""
    kwargs = dict(plan.kwargs)
    try:
        if plan.kind == "csv":
            if plan.pseudonymize is not None:  # ids as text: keep leading zeros
                dtype = kwargs.get("dtype")
                if dtype is None:
                    kwargs["dtype"] = {plan.id: str}
                elif isinstance(dtype, dict) and plan.id not in dtype:
                    kwargs["dtype"] = {**dtype, plan.id: str}
            if columns is not None:
                kwargs["usecols"] = columns
            reader = pd.read_csv(plan.path, chunksize=rows, **kwargs)
        elif plan.kind == "stata":
            if columns is not None:
                kwargs["columns"] = columns
            reader = pd.read_stata(plan.path, chunksize=rows, **kwargs)
        else:
            if "format" not in kwargs:
                suffix = plan.path.suffix.lower()
                kwargs["format"] = "xport" if suffix == ".xpt" else "sas7bdat"
            reader = pd.read_sas(plan.path, chunksize=rows, **kwargs)
        with reader:
            for frame in reader:
                if columns is not None:
                    frame = frame.loc[:, columns]
                yield frame
    except EvalkitError:
        raise
    except (ValueError, OSError, UnicodeDecodeError, TypeError, KeyError) as error:
        raise _unreadable(plan, error) from None


# ---------------------------------------------------------------- wide files
class _WideReader:
    def __init__(self, plan) -> None:
        self.plan = plan
        self._pending = None  # the rest of a batch split between two chunks

    def whole(self) -> StatusPanel:
        plan = self.plan
        if plan.kind != "parquet":
            chunks = list(self._pandas_panels(plan.block_persons * 8))
            ids = self._ids(_concat_ids([c[0] for c in chunks], plan.id).to_numpy())
            if chunks:
                codes = np.concatenate([c[1] for c in chunks])
            else:
                codes = np.empty((0, plan.n_weeks), dtype=np.int8)
            return plan.panel(ids, codes, plan.first, plan.calendar)
        ids = self._ids(_parquet_ids(plan))
        _release_arrow(plan)
        codes = np.empty((len(ids), plan.n_weeks), dtype=np.int8)
        self._fill_by_week_groups(codes, ids)
        return plan.panel(ids, codes, plan.first, plan.calendar)

    def _fill_by_week_groups(self, codes, ids) -> None:
        """The whole panel, ``WEEK_GROUP`` weeks at a time in week order (each group one
        pass over those columns of the file): pyarrow's reader then holds a group's
        columns, not the whole width of the file."""
        plan = self.plan
        writer = plan.writer()
        carry = writer.carry(len(ids))
        for p0 in range(0, plan.n_weeks, WEEK_GROUP):
            p1 = min(p0 + WEEK_GROUP, plan.n_weeks)
            numbers = [int(j) for j in writer.column_at[p0:p1] if j >= 0]
            names = [plan.week_columns[j] for j in numbers]
            batches = _parquet_batches(plan, names, plan.block_persons) if names else None
            r0 = 0
            while r0 < len(ids):
                if batches is None:
                    r1, columns = len(ids), {}
                else:
                    batch = next(batches, None)
                    if batch is None:
                        raise EvalkitError(
                            f"{plan.path.name} changed while it was read (fewer rows than "
                            "its id column)."
                        )
                    r1 = r0 + batch.num_rows
                    columns = dict(zip(numbers, map(arrow_cells, batch.columns), strict=True))
                writer.write(codes[r0:r1, p0:p1], columns, ids, (p0, p1), carry.rows(r0, r1))
                r0 = r1

    def chunks(self, chunk_persons: int) -> Iterator[StatusPanel]:
        plan = self.plan
        if plan.kind == "parquet":
            ids = self._ids(_parquet_ids(plan))
            return self._parquet_chunks(ids, chunk_persons)
        # The whole-file checks of the ids first (one pass over the id column).
        all_ids = [frame[plan.id] for frame in _pandas_chunks(plan, [plan.id], BLOCK_ROWS)]
        self._ids(_concat_ids(all_ids, plan.id).to_numpy())
        return self._pandas_chunk_panels(chunk_persons)

    def _ids(self, values: np.ndarray) -> np.ndarray:
        """The ids of the file's rows, checked (none missing, one type, none repeated)
        and pseudonymized if asked; as :func:`wide_ids`, with its messages.

        The repeated-id check sorts 64-bit hashes of the ids (8 bytes an id) rather than
        building pandas' hash table of the ids; only when two hashes meet are the ids
        compared themselves (``wide_ids``), which tells a repeated id from a collision."""
        plan = self.plan
        missing = pd.isna(values)
        if missing.any():
            raise MissingValueError(
                f"{int(missing.sum())} rows have a missing value in the id column "
                f"{plan.id!r} ({row_positions(missing)}); every row must name its person."
            )
        del missing
        if plan.pseudonymize is not None:
            values = pseudonymize_ids(_series(values, plan.id), key=plan.key).to_numpy()
        if values.dtype.kind in "iu" or (
            values.dtype == object and pd.api.types.infer_dtype(values, skipna=False) == "string"
        ):
            hashed = pd.util.hash_array(values, categorize=False)
            hashed.sort()
            if not np.any(hashed[1:] == hashed[:-1]):
                return values
        return wide_ids(_series(values, plan.id), plan.id)

    def _parquet_chunks(self, ids, chunk_persons) -> Iterator[StatusPanel]:
        plan = self.plan
        writer = plan.writer()
        batches = _parquet_batches(plan, plan.week_columns, plan.block_persons)
        for r0 in range(0, len(ids), chunk_persons):
            r1 = min(r0 + chunk_persons, len(ids))
            codes = np.empty((r1 - r0, plan.n_weeks), dtype=np.int8)
            self._write_batches(codes, batches, writer, ids)
            yield plan.panel(ids[r0:r1], codes, plan.first, plan.calendar)

    def _write_batches(self, codes, batches, writer, ids) -> None:
        """Fill ``codes`` from the next batches, taking as many as it needs (a batch
        straddling the end is split, its rest kept for the next call)."""
        done = 0
        while done < len(codes):
            batch, self._pending = self._pending, None
            if batch is None:
                batch = next(batches, None)
                if batch is None:
                    raise EvalkitError(
                        f"{self.plan.path.name} changed while it was read (fewer rows than "
                        "its id column)."
                    )
            take = min(batch.num_rows, len(codes) - done)
            if take < batch.num_rows:
                self._pending = batch.slice(take)
                batch = batch.slice(0, take)
            cells = [arrow_cells(column) for column in batch.columns]
            writer.write(codes[done : done + take], cells, ids=ids)
            done += take

    def _pandas_panels(self, rows: int):
        """(ids, codes) of each chunk of a CSV, Stata or SAS file."""
        plan = self.plan
        writer = plan.writer()
        columns = [plan.id, *plan.week_columns]
        for frame in _pandas_chunks(plan, columns, rows):
            frame = _string_columns(frame)
            codes = np.empty((len(frame), plan.n_weeks), dtype=np.int8)
            step = plan.block_persons
            sources = [pandas_column(frame[c]) for c in plan.week_columns]
            ids = frame[plan.id].to_numpy()
            for r0 in range(0, len(frame), step):
                r1 = min(r0 + step, len(frame))
                writer.write(codes[r0:r1], [s(r0, r1) for s in sources], ids=ids)
            yield frame[plan.id], codes

    def _pandas_chunk_panels(self, chunk_persons: int) -> Iterator[StatusPanel]:
        plan = self.plan
        for ids, codes in self._pandas_panels(chunk_persons):
            ids = ids.reset_index(drop=True)
            if plan.pseudonymize is not None:
                ids = pseudonymize_ids(ids, key=plan.key)
            yield plan.panel(ids.to_numpy(), codes, plan.first, plan.calendar)


def _parquet_ids(plan) -> np.ndarray:
    """The id column, converted as pandas reads it (``read_panel``'s ids), a batch at a
    time: no Arrow table or pandas column of the whole file besides the result."""
    batches = _parquet_batches(plan, [plan.id], plan.block_persons)
    pieces = [_values(batch, plan.id) for batch in batches]
    if not pieces:  # no rows: an empty array of the column's type
        empty = _metadata(plan).schema.to_arrow_schema().empty_table().column(plan.id)
        return empty.to_pandas().to_numpy()
    return np.concatenate(pieces) if len(pieces) > 1 else pieces[0]


def _release_arrow(plan) -> None:
    """After a pass over a parquet file, hand back to the system the memory that
    pyarrow's allocator keeps for reuse (tens of MB), before the panel is allocated."""
    if plan.kind == "parquet":
        _pyarrow_parquet()  # pyarrow is there
        import pyarrow as pa

        pa.default_memory_pool().release_unused()


def _series(values: np.ndarray, name: str) -> pd.Series:
    """``values`` as a Series without a copy (pandas would turn text into its string type)."""
    return pd.Series(values, dtype=values.dtype, name=name, copy=False)


def _concat_ids(pieces: list[pd.Series], id: str) -> pd.Series:
    if not pieces:
        return pd.Series([], dtype=object, name=id)
    return pd.concat(pieces, ignore_index=True)


def _string_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Column names as text (Stata and SAS readers may give bytes-like names)."""
    if all(isinstance(c, str) for c in frame.columns):
        return frame
    return frame.set_axis([str(c) for c in frame.columns], axis=1)


# ---------------------------------------------------------------- long files
class _LongReader:
    """Long files in two passes: the persons and weeks, then the codes into the panel."""

    def __init__(self, plan) -> None:
        self.plan = plan

    def whole(self) -> StatusPanel:
        index = self._index()
        codes = np.full((len(index.ids), index.n_weeks), _UNWRITTEN, dtype=np.int8)
        blocks = self._blocks([self.plan.id, self.plan.week, self.plan.status])
        self._write(codes, index, blocks, self._finders(index))
        self._finish(codes)
        return self.plan.panel(index.ids, codes, index.first, index.calendar)

    def chunks(self, chunk_persons: int) -> Iterator[StatusPanel]:
        index = self._index(contiguous=True)
        return self._chunk_panels(index, chunk_persons)

    # -- pass 1: persons and weeks
    def _index(self, contiguous: bool = False) -> _LongIndex:
        plan = self.plan
        raw_ids, week_values, order = [], [], []
        last = None
        for block in self._checked_blocks():
            raw_ids.append(_unique(block, plan.id))
            week_values.append(_unique(block, plan.week, ends=True))
            if contiguous:
                ids = _runs(block, plan.id)
                starts = np.ones(len(ids), dtype=bool)
                starts[1:] = ids[1:] != ids[:-1]
                if len(ids) and last is not None and ids[0] == last:
                    starts[0] = False
                order.append(ids[starts])
                if len(ids):
                    last = ids[-1]
        raw = _unique_values(raw_ids)
        week_values = _unique_values(week_values)
        # pyarrow's pool keeps what the pass and the distinct values used (at 200k x 520
        # about 40 MB); it goes back before anything else is allocated
        _release_arrow(plan)
        check_id_types(pd.Series(raw, name=plan.id), plan.id)
        if contiguous:
            runs = pd.Series(np.concatenate(order) if order else np.array([], dtype=object))
            again = runs.duplicated().to_numpy()
            if again.any():
                raise DesignError(
                    f"the rows of {pd.Series(runs[again]).nunique()} persons are not "
                    f"contiguous in column {plan.id!r} of the file (a person's rows appear in "
                    f"more than one place). Sort the file by {plan.id!r} so that each "
                    "person's rows are together."
                )
        if plan.pseudonymize is not None:
            names = pseudonymize_ids(pd.Series(raw), key=plan.key).to_numpy()
        else:
            names = raw
        ids, row_of_raw = np.unique(names, return_inverse=True)
        weeks = week_values
        numbers, calendar = parse_weeks(pd.Series(weeks), "week")
        first = int(numbers.min()) if len(numbers) else 0
        last_week = int(numbers.max()) if len(numbers) else -1
        if plan.last_week is not None:
            end, end_calendar = parse_weeks([plan.last_week], "last_week")
            if end_calendar != calendar or end[0] < last_week:
                raise ArgumentError(
                    f"last_week {plan.last_week!r} must be of the same kind as the data's weeks "
                    "and not before the last week in the data."
                )
            last_week = int(end[0])
        return _LongIndex(
            raw, row_of_raw, ids, weeks, numbers - first, first, last_week - first + 1, calendar
        )

    def _finders(self, index: _LongIndex):
        """Functions giving a block's panel rows (a new int64 array) and adding its panel
        columns to an array in place (no array of columns is made for integer weeks).

        Rows: the block's ids looked up among the file's distinct ids (one pandas hash
        table of them; a parquet block's ids come dictionary-encoded, so only its distinct
        ids are looked up and mapped to rows). Columns: integer weeks by arithmetic
        (``week - first``, as :func:`parse_weeks` takes integers as week numbers); other
        weeks (labels, dates) looked up among the distinct weeks like the ids.
        """
        plan = self.plan
        find_id, find_week = _Finder(index.raw), _Finder(index.weeks)

        def rows(block) -> np.ndarray:
            return find_id(block, plan.id, index.row_of_raw)

        def add_columns(block, out: np.ndarray) -> None:
            weeks = _integers(block, plan.week)
            if weeks is not None and not index.calendar:
                np.add(out, weeks, out=out, casting="unsafe")  # any integer type
                out -= index.first
            else:
                out += find_week(block, plan.week, index.columns)

        return rows, add_columns

    def _checked_blocks(self):
        """The blocks of the id and week columns; an error for missing values."""
        plan = self.plan
        offset = 0
        for block in self._blocks([plan.id, plan.week]):
            for name, role in ((plan.id, "id"), (plan.week, "week")):
                missing = _missing(block, name)
                if missing is not None and missing.any():
                    raise MissingValueError(
                        f"{int(missing.sum())} rows have a missing value in the {role} column "
                        f"{name!r} ({row_positions(offset + np.flatnonzero(missing))}); every "
                        "row must name its person and week."
                    )
            offset += len(block)
            yield block

    def _blocks(self, columns):
        plan = self.plan
        if plan.kind == "parquet":
            yield from _parquet_batches(plan, columns, BLOCK_ROWS, (plan.id, plan.week), lean=True)
        else:
            yield from _pandas_chunks(plan, columns, BLOCK_ROWS)

    # -- pass 2: codes into the panel
    def _write(self, codes, index, blocks, finders) -> None:
        """Scatter the classified codes of ``blocks`` into ``codes`` (rows and columns
        from ``finders``, see :meth:`_finders`), checking for repeated (person, week)
        cells."""
        plan = self.plan
        table = plan.states.code_table()
        n_weeks = index.n_weeks
        flat = codes.reshape(-1)
        find_rows, add_columns = finders
        for block in blocks:
            where = find_rows(block)  # the flat cells: row * n_weeks + column, in place
            where *= n_weeks
            add_columns(block, where)
            cells = _cells(block, plan.status)
            ids = index.ids  # for messages: codes that are ids are not shown
            if cells.general:
                classified = plan.states.classify(cells.values, column=plan.status, ids=ids)
            else:
                classified = table.classify(cells.values, cells.valid, column=plan.status, ids=ids)
            repeated = int(np.count_nonzero(flat[where] != _UNWRITTEN))
            if where.size > 1 and not (where[1:] > where[:-1]).all():  # rows not in order
                repeated += where.size - np.unique(where).size
            if repeated:
                raise DesignError(
                    f"{repeated} duplicate (person, week) rows (or more) in the long data "
                    f"(columns {plan.id!r} and {plan.week!r}). Keep one row per person and "
                    "week (a register's priority rule decides between codes)."
                )
            flat[where] = classified
            # the pool would otherwise keep ~40 MB of blocks read on the other thread
            # (200k x 520: peak 211 -> 171 MB above the start, the panel being 99 MB)
            _release_arrow(plan)

    def _finish(self, codes) -> None:
        """Blank weeks from each person's first row on; then the cut at absorbing states
        (as ``from_long``), a block of persons at a time."""
        plan = self.plan
        n, n_weeks = codes.shape
        fill = UNOBSERVED if plan.blank is None else plan.blank
        absorbing = np.array(
            [plan.states.state_index(s) for s in plan.states.absorbing], dtype=np.int8
        )
        step = max(1, (1 << 22) // max(n_weeks, 1))
        weeks = np.arange(n_weeks)
        for r0 in range(0, n, step):
            part = codes[r0 : r0 + step]
            start = _first(part != _UNWRITTEN)
            empty = part < 0
            np.copyto(part, UNOBSERVED, where=empty)
            if fill != UNOBSERVED:
                np.copyto(part, fill, where=empty & (weeks[None, :] >= start[:, None]))
            if absorbing.size:
                hit = part == absorbing[0] if absorbing.size == 1 else np.isin(part, absorbing)
                # the weeks after a person's first absorbing week
                np.copyto(part, UNOBSERVED, where=weeks[None, :] > _first(hit)[:, None])

    def _chunk_panels(self, index, chunk_persons: int) -> Iterator[StatusPanel]:
        """Chunks of whole persons in file order (the file holds each person's rows
        together); each chunk's persons sorted by id."""
        plan = self.plan
        columns = [plan.id, plan.week, plan.status]
        pending: list = []
        persons: list = []  # rows (in the whole panel) of the persons pending
        finders = self._finders(index)
        for block in self._blocks(columns):
            rows = finders[0](block)
            starts = np.ones(len(rows), dtype=bool)
            starts[1:] = rows[1:] != rows[:-1]
            if persons and len(rows) and rows[0] == persons[-1]:
                starts[0] = False
            new = rows[starts]
            begin = np.flatnonzero(starts)
            at = 0
            while len(persons) + len(new) > chunk_persons:
                room = chunk_persons - len(persons)
                cut = int(begin[room])
                pending.append(_slice(block, at, cut))
                persons.extend(new[:room].tolist())
                yield self._chunk_panel(index, pending, persons, finders)
                pending, persons = [], []
                new, begin = new[room:], begin[room:]
                at = cut
            pending.append(_slice(block, at, None))
            persons.extend(new.tolist())
        if persons:
            yield self._chunk_panel(index, pending, persons, finders)

    def _chunk_panel(self, index, blocks, persons, finders) -> StatusPanel:
        order = np.sort(np.asarray(persons, dtype=np.int64))
        low = int(order[0])
        # persons of a chunk are contiguous in the sorted ids only when the file is sorted
        # by id; map the chunk's persons to rows 0..k-1 in id order.
        position = np.full(int(order[-1]) - low + 1, -1, dtype=np.int64)
        position[order - low] = np.arange(len(order))
        find_rows, add_columns = finders

        def rows(block) -> np.ndarray:
            return position[find_rows(block) - low]

        codes = np.full((len(order), index.n_weeks), _UNWRITTEN, dtype=np.int8)
        self._write(codes, index, blocks, (rows, add_columns))
        self._finish(codes)
        return self.plan.panel(index.ids[order], codes, index.first, index.calendar)


def _first(mask: np.ndarray) -> np.ndarray:
    """Per row of a boolean ``(rows, weeks)`` mask, the first week where it is true (the
    number of weeks where it never is)."""
    first = mask.argmax(axis=1)
    never = ~mask[np.arange(len(mask)), first]
    first[never] = mask.shape[1]
    return first


class _LongIndex:
    """Pass 1 of a long file: raw ids -> panel rows, week values -> panel columns."""

    def __init__(self, raw, row_of_raw, ids, weeks, columns, first, n_weeks, calendar):
        self.raw, self.row_of_raw, self.ids = raw, np.asarray(row_of_raw, np.int64), ids
        self.weeks, self.columns = weeks, np.asarray(columns, dtype=np.int64)
        self.first, self.n_weeks, self.calendar = first, int(n_weeks), calendar


def _values(block, column: str) -> np.ndarray:
    """A column of a block (pyarrow batch or DataFrame) as pandas would hold it."""
    if isinstance(block, pd.DataFrame):
        return block[column].to_numpy()
    return _values_of(block.column(column))


def _values_of(array) -> np.ndarray:
    """An Arrow array as pandas would hold it (text: an object array of str, made by
    pyarrow directly rather than through pandas' string type)."""
    import pyarrow as pa

    kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return array.to_numpy(zero_copy_only=False)
    return array.to_pandas().to_numpy()


def _plain_arrow(array):
    import pyarrow as pa

    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.dictionary_decode() if pa.types.is_dictionary(array.type) else array


def _unique(block, column: str, ends: bool = False):
    """The distinct values of a block's column: numpy for a DataFrame, Arrow for a
    pyarrow batch (a dictionary-encoded column: the entries its rows use). ``ends``: of
    an Arrow integer column only the least and the greatest value (all that integer
    weeks need: they are week numbers as they are)."""
    if isinstance(block, pd.DataFrame):
        return pd.unique(block[column].to_numpy())
    array = block.column(column)
    if _is_dictionary(array):
        used = np.zeros(len(array.dictionary), dtype=bool)
        used[array.indices.to_numpy(zero_copy_only=False)] = True
        return array.dictionary.filter(used)
    if ends and _integers(block, column) is not None and len(array):
        import pyarrow as pa
        import pyarrow.compute as pc

        least, greatest = pc.min_max(array).values()
        return pa.array([least.as_py(), greatest.as_py()], type=array.type)
    return array.unique()


def _is_dictionary(array) -> bool:
    import pyarrow as pa

    return pa.types.is_dictionary(array.type)


def _runs(block, column: str) -> np.ndarray:
    """A block's column with consecutive repeats dropped (one value per run), as pandas
    would hold the values; a dictionary-encoded column is compared by its indices first."""
    if isinstance(block, pd.DataFrame):
        values = block[column].to_numpy()
    else:
        array = block.column(column)
        if _is_dictionary(array):
            codes = array.indices.to_numpy(zero_copy_only=False)
            starts = np.ones(len(codes), dtype=bool)
            starts[1:] = codes[1:] != codes[:-1]
            values = array.dictionary.take(codes[starts]).to_pandas().to_numpy()
        else:
            values = array.to_pandas().to_numpy()
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def _integers(block, column: str) -> np.ndarray | None:
    """A block's column as a numpy integer array, or None when it is not of an integer
    type (no missing values: checked in the first pass)."""
    if isinstance(block, pd.DataFrame):
        values = block[column].to_numpy()
        return values if values.dtype.kind in "iu" else None
    import pyarrow as pa

    array = block.column(column)
    if not pa.types.is_integer(array.type) or array.null_count:
        return None
    return array.to_numpy()


def _missing(block, column: str) -> np.ndarray | None:
    """Rows of a block where ``column`` is missing; None when none are (Arrow's count)."""
    if isinstance(block, pd.DataFrame):
        return pd.isna(block[column].to_numpy())
    array = block.column(column)
    if not array.null_count:
        return None
    return array.is_null().to_numpy(zero_copy_only=False)


class _Finder:
    """Positions of a block's values among known distinct values: one pandas hash table
    of the known values; a parquet block is dictionary-encoded (as read, or by pyarrow
    here), so only its distinct values are looked up."""

    def __init__(self, values: np.ndarray) -> None:
        # object dtype: pandas' string type would convert each block's values to it
        self.index = pd.Index(values, dtype=object if values.dtype == object else None)

    def __call__(self, block, column: str, through: np.ndarray) -> np.ndarray:
        """``through`` at the positions of the block's values (a new array)."""
        if isinstance(block, pd.DataFrame):
            return through[self.index.get_indexer(block[column].to_numpy())]
        import pyarrow.compute as pc

        encoded = block.column(column)
        if not _is_dictionary(encoded) or len(encoded.dictionary) > len(encoded):
            encoded = pc.dictionary_encode(_plain_arrow(encoded))
        found = through[self.index.get_indexer(_values_of(encoded.dictionary))]
        return found[encoded.indices.to_numpy(zero_copy_only=False)]


def _cells(block, column: str):
    if isinstance(block, pd.DataFrame):
        return pandas_column(block[column])(0, len(block))
    array = block.column(column)
    cells = arrow_cells(array)
    if cells.general:
        return numpy_cells(np.asarray(array.to_pandas().to_numpy()))
    return cells


def _slice(block, start: int, stop: int | None):
    if isinstance(block, pd.DataFrame):
        return block.iloc[start:stop]
    length = (block.num_rows if stop is None else stop) - start
    return block.slice(start, length)


def _unique_values(pieces: list) -> np.ndarray:
    """The distinct values of the blocks' distinct values (:func:`_unique`), as pandas
    would hold them."""
    if not pieces:
        return np.array([], dtype=object)
    if isinstance(pieces[0], np.ndarray):
        return pd.unique(np.concatenate(pieces)) if len(pieces) > 1 else pieces[0]
    import pyarrow as pa

    return pa.chunked_array(pieces).unique().to_pandas().to_numpy()
