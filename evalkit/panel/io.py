"""Reading register extracts: CSV, parquet, Stata and SAS files, whole or by persons.

:func:`read_panel` reads a file into a DataFrame (optionally pseudonymizing the id
column on the way in); :func:`iter_person_chunks` reads a large parquet file in chunks
of whole persons, so that a panel can be built chunk by chunk.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import as_column_list, row_positions
from ..errors import ArgumentError, ColumnError, DesignError, EvalkitError
from .ids import pseudonymize_ids


class PanelFileError(EvalkitError, FileNotFoundError):
    """The file to read does not exist (also a :class:`FileNotFoundError`)."""


FORMATS = ("csv", "parquet", "stata", "sas")
_COMPRESSIONS = (".gz", ".bz2", ".zip", ".xz", ".zst")
_MIN_BATCH_ROWS = 65_536  # rows read at a time by iter_person_chunks (at least)
_EXTENSIONS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".dta": "stata",
    ".sas7bdat": "sas",
    ".xpt": "sas",
}


def read_panel(
    path,
    format: str | None = None,
    columns: Sequence[str] | None = None,
    pseudonymize: str | None = None,
    key: str | bytes | None = None,
    **pandas_kwargs,
) -> pd.DataFrame:
    """Read a register extract (long or wide) into a DataFrame.

    The format follows the extension unless ``format`` is given: ``"csv"`` (``.csv``,
    also compressed: ``.csv.gz``, ``.csv.bz2``, ``.csv.zip``, ``.csv.xz``, ``.csv.zst``),
    ``"parquet"`` (``.parquet``, ``.pq``; needs pyarrow: ``pip install
    "evalkit[parquet]"``), ``"stata"`` (``.dta``) or ``"sas"`` (``.sas7bdat``, ``.xpt``).
    Reading goes through pandas; ``pandas_kwargs`` are passed to the pandas reader
    (``sep=";"``, ``encoding="latin-1"``...).

    ``columns`` reads only these columns (an error names any that are missing).
    ``pseudonymize="<id column>"`` with ``key=...`` replaces that column by keyed
    pseudonyms (:func:`evalkit.panel.pseudonymize_ids`) before the frame is returned,
    so the raw ids never leave this function; the id column is then read as text (a
    CSV keeps leading zeros) and is read even if ``columns`` leaves it out.

    Example
    -------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "extract.csv")
    >>> pd.DataFrame({"id": ["010190-1234"], "y_1510": [130]}).to_csv(path, index=False)
    >>> frame = read_panel(path, pseudonymize="id", key="a secret key of 16+ characters")
    >>> frame["id"].str.startswith("P").tolist(), frame["y_1510"].tolist()
    ([True], [130])
    """
    path = _existing(path)
    kind = _format(path, format)
    wanted = as_column_list(columns, "columns") if columns is not None else None
    if pseudonymize is not None:
        if not isinstance(pseudonymize, str):
            raise ArgumentError(
                f"pseudonymize must name the id column (a string); got {pseudonymize!r}."
            )
        if key is None:
            raise ArgumentError(
                f"pseudonymize={pseudonymize!r} needs key=... (the secret key of the "
                "pseudonyms, at least 16 characters)."
            )
        if wanted is not None and pseudonymize not in wanted:
            wanted = [pseudonymize, *wanted]
    elif key is not None:
        raise ArgumentError("key is used only with pseudonymize='<id column>'.")

    if kind == "csv":
        frame = _read_csv(path, wanted, pseudonymize, pandas_kwargs)
    elif kind == "parquet":
        frame = _read_parquet(path, wanted, pandas_kwargs)
    elif kind == "stata":
        frame = _read_stata(path, wanted, pandas_kwargs)
    else:
        frame = _select(_read_sas(path, pandas_kwargs), wanted, path)
    if pseudonymize is not None:
        if pseudonymize not in frame.columns:
            raise ColumnError(f"id column {pseudonymize!r} is not in {path.name}.")
        frame = pseudonymize_ids(frame, pseudonymize, key=key)
    return frame


def iter_person_chunks(
    path,
    id: str,
    chunk_persons: int = 100_000,
    columns: Sequence[str] | None = None,
) -> Iterator[pd.DataFrame]:
    """Read a parquet file in chunks of whole persons.

    Each chunk holds all rows of at most ``chunk_persons`` persons (exactly that many,
    except the last chunk), in file order. A wide file (one row per person) is chunked
    by rows; in a long file (several rows per person) each person's rows must be
    contiguous, as they are when the file is sorted by ``id``. The id column is scanned
    first (it alone is read), and a :class:`~evalkit.errors.DesignError` is raised before
    any chunk is produced if some person's rows are not contiguous or an id is missing.
    ``columns`` reads only these columns (the id column is always read).

    Build a panel per chunk (:meth:`StatusPanel.from_long` / ``from_wide``) to handle
    files larger than memory.

    Example
    -------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "long.parquet")
    >>> long = pd.DataFrame({"id": ["a", "a", "b", "c", "c"], "code": [130] * 5})
    >>> long.to_parquet(path, row_group_size=2)
    >>> [chunk["id"].tolist() for chunk in iter_person_chunks(path, "id", chunk_persons=2)]
    [['a', 'a', 'b'], ['c', 'c']]
    """
    if isinstance(chunk_persons, bool) or not isinstance(chunk_persons, int | np.integer):
        raise ArgumentError(f"chunk_persons must be a whole number >= 1; got {chunk_persons!r}.")
    if chunk_persons < 1:
        raise ArgumentError(f"chunk_persons must be >= 1; got {chunk_persons}.")
    if not isinstance(id, str):
        raise ArgumentError(f"id must be a column name (a string); got {id!r}.")
    path = _existing(path)
    pq = _pyarrow_parquet()
    try:
        parquet = pq.ParquetFile(path)
    except (ValueError, OSError) as error:  # pyarrow's errors are ValueErrors or OSErrors
        raise EvalkitError(f"could not read {path.name} as parquet: {_scrub(error)}") from None
    names = parquet.schema_arrow.names
    wanted = names if columns is None else as_column_list(columns, "columns")
    if id not in wanted:
        wanted = [id, *wanted]
    _check_columns(wanted, names, path)
    _check_contiguous(parquet, id)
    return _chunks(parquet, id, int(chunk_persons), wanted)


def _chunks(parquet, id: str, chunk_persons: int, columns: list[str]) -> Iterator[pd.DataFrame]:
    import pyarrow as pa

    pending: list = []  # record batches not yet emitted
    starts = np.zeros(0, dtype=np.int64)  # rows (in pending) where a person's rows begin
    rows = 0
    last = None
    batch_rows = max(chunk_persons, _MIN_BATCH_ROWS)
    for batch in parquet.iter_batches(batch_size=batch_rows, columns=columns):
        if batch.num_rows == 0:
            continue
        ids = _plain(batch.column(id))
        new = _run_starts(ids, last)
        starts = np.concatenate([starts, rows + np.flatnonzero(new)])
        pending.append(batch)
        rows += batch.num_rows
        last = ids[-1].as_py()
        while len(starts) > chunk_persons:  # the rows before the next person's start
            cut = int(starts[chunk_persons])
            table = pa.Table.from_batches(pending)
            yield table.slice(0, cut).to_pandas()
            pending = table.slice(cut).to_batches()
            starts = starts[chunk_persons:] - cut
            rows -= cut
    if rows:
        yield pa.Table.from_batches(pending).to_pandas()


def _check_contiguous(parquet, id: str) -> None:
    """Every person's rows must be contiguous: the ids starting runs of rows are distinct."""
    import pyarrow as pa
    import pyarrow.compute as pc

    firsts = []  # the id of each run of rows (one per person when the file is fine)
    starts = []  # the row where each run begins
    last = None
    offset = 0
    for batch in parquet.iter_batches(batch_size=1 << 20, columns=[id]):
        ids = _plain(batch.column(0))
        if ids.null_count:
            missing = offset + np.flatnonzero(ids.is_null().to_numpy(zero_copy_only=False))
            raise DesignError(
                f"{ids.null_count} rows have a missing id in column {id!r} (first "
                f"{row_positions(missing)}); every row must belong to a person."
            )
        if len(ids) == 0:
            continue
        new = _run_starts(ids, last)
        firsts.append(ids.filter(pa.array(new)))
        starts.append(offset + np.flatnonzero(new))
        last = ids[-1].as_py()
        offset += len(ids)
    if not firsts:
        return
    runs = pa.chunked_array(firsts)
    if pc.count_distinct(runs).as_py() < len(runs):
        counts = pc.value_counts(runs).field("counts")
        persons = int(pc.sum(pc.greater(counts, 1)).as_py())
        again = pd.Series(runs.to_numpy()).duplicated().to_numpy()  # a person's rows resume
        resumed = np.concatenate(starts)[again]
        raise DesignError(
            f"the rows of {persons} persons are not contiguous in column {id!r} of the file "
            f"(a person's rows appear in more than one place; they resume at "
            f"{row_positions(resumed)}). Sort the file by {id!r} (e.g. "
            f"frame.sort_values({id!r}, kind='stable').to_parquet(...)) so that each "
            "person's rows are together."
        )


def _plain(column):
    """A pyarrow array with dictionary encoding (pandas categoricals) undone."""
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        return column.cast(column.type.value_type)
    return column


def _run_starts(ids, last) -> np.ndarray:
    """Where a new person's rows begin in a batch (``last``: previous batch's last id)."""
    import pyarrow.compute as pc

    n = len(ids)
    new = np.ones(n, dtype=bool)
    if n > 1:
        changed = pc.not_equal(ids.slice(1), ids.slice(0, n - 1))
        new[1:] = changed.to_numpy(zero_copy_only=False)
    if last is not None and ids[0].as_py() == last:
        new[0] = False  # the last person of the previous batch goes on
    return new


# ---------------------------------------------------------------- readers
def _read_csv(path: Path, wanted, id_column, kwargs) -> pd.DataFrame:
    kwargs = dict(kwargs)
    if wanted is not None:
        header = _read_with(pd.read_csv, path, "csv", {**kwargs, "nrows": 0})
        _check_columns(wanted, list(header.columns), path)
        kwargs["usecols"] = wanted
    if id_column is not None:  # ids as text: keep leading zeros
        dtype = kwargs.get("dtype")
        if dtype is None:
            kwargs["dtype"] = {id_column: str}
        elif isinstance(dtype, dict) and id_column not in dtype:
            kwargs["dtype"] = {**dtype, id_column: str}
    frame = _read_with(pd.read_csv, path, "csv", kwargs)
    return frame if wanted is None else frame.loc[:, wanted]


def _read_parquet(path: Path, wanted, kwargs) -> pd.DataFrame:
    pq = _pyarrow_parquet()
    if wanted is not None and path.is_file():
        schema = _read_with(pq.read_schema, path, "parquet", {})
        _check_columns(wanted, schema.names, path)
    kwargs = {"engine": "pyarrow", **kwargs}
    return _read_with(pd.read_parquet, path, "parquet", {**kwargs, "columns": wanted})


def _read_stata(path: Path, wanted, kwargs) -> pd.DataFrame:
    if wanted is not None:
        try:
            with pd.read_stata(path, iterator=True) as reader:
                names = list(reader.variable_labels())
        except (ValueError, OSError) as error:
            raise EvalkitError(f"could not read {path.name} as stata: {_scrub(error)}") from None
        _check_columns(wanted, names, path)
        kwargs = {**kwargs, "columns": wanted}
    return _read_with(pd.read_stata, path, "stata", kwargs)


def _read_sas(path: Path, kwargs) -> pd.DataFrame:
    kwargs = dict(kwargs)
    if "format" not in kwargs:
        suffix = path.suffix.lower()
        if suffix in (".xpt", ".sas7bdat"):
            kwargs["format"] = "xport" if suffix == ".xpt" else "sas7bdat"
    return _read_with(pd.read_sas, path, "sas", kwargs)


def _read_with(reader, path: Path, kind: str, kwargs) -> pd.DataFrame:
    try:
        return reader(path, **kwargs)
    except EvalkitError:
        raise
    except (ValueError, OSError, UnicodeDecodeError, TypeError) as error:
        # Not chained, and CPR-shaped text masked: pandas quotes values of the file.
        raise EvalkitError(
            f"could not read {path.name} as {kind}: {_scrub(error)}. Check the file and "
            "the format (pass format=... if the extension is misleading)."
        ) from None


def _scrub(error: Exception) -> str:
    """The error's text with CPR-shaped numbers masked."""
    text = f"{type(error).__name__}: {error}"
    text = re.sub(r"(?<!\d)\d{6}-?\d{3,4}(?!\d)", "<masked number>", text)
    return re.sub(r"(?<![0-9A-Za-z])P[0-9a-f]{8,64}(?![0-9A-Za-z])", "<masked id>", text)


def _select(frame: pd.DataFrame, wanted, path: Path) -> pd.DataFrame:
    if wanted is None:
        return frame
    _check_columns(wanted, list(frame.columns), path)
    return frame.loc[:, wanted]


def _check_columns(wanted: list[str], available: list[str], path: Path) -> None:
    missing = [c for c in wanted if c not in available]
    if missing:
        shown = ", ".join(map(repr, available[:10])) + (" ..." if len(available) > 10 else "")
        raise ColumnError(f"columns {missing} are not in {path.name}. Its columns: {shown}.")
    if len(set(wanted)) != len(wanted):
        raise ColumnError(f"columns lists a column twice: {wanted}.")


def _existing(path) -> Path:
    try:
        path = Path(path)
    except TypeError:
        raise ArgumentError(f"path must be a file path; got {path!r}.") from None
    if not path.exists():
        raise PanelFileError(f"no such file: {path}. Check the path and the working folder.")
    return path


def _format(path: Path, format: str | None) -> str:
    if format is not None:
        aliases = {"dta": "stata", "pq": "parquet", "xpt": "sas", "sas7bdat": "sas"}
        kind = aliases.get(str(format).lower(), str(format).lower())
        if kind not in FORMATS:
            raise ArgumentError(
                f"format must be one of {', '.join(map(repr, FORMATS))}; got {format!r}."
            )
        return kind
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in _COMPRESSIONS:
        suffixes = suffixes[:-1]
        if suffixes and suffixes[-1] == ".csv":
            return "csv"
    elif suffixes and suffixes[-1] in _EXTENSIONS:
        return _EXTENSIONS[suffixes[-1]]
    known = ", ".join([*_EXTENSIONS, ".csv.gz"])
    raise ArgumentError(
        f"cannot tell the format of {path.name} from its extension; known extensions: "
        f"{known}. Pass format= one of {', '.join(map(repr, FORMATS))}."
    )


def _pyarrow_parquet():
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise EvalkitError(
            "reading parquet files needs the optional package 'pyarrow'; install it with: "
            'pip install "evalkit[parquet]"'
        ) from None
    return pq
