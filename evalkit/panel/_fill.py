"""Wide week columns into the rows of an int8 status panel, a block of persons at a time.

One week column of one block of persons arrives as :class:`Cells`: integer codes in their
own type with a validity mask (a parquet column, a pandas nullable-integer column), or
any other values (text, fractional numbers), which go through the classification's
general path. :class:`WideWriter` classifies each column through the classification's
integer lookup table (:class:`~evalkit.panel.states.IntegerCodeTable`) into a
column-major block, applies the blank rule (a missing cell from the person's first coded
week on is the ``blank`` state) and the cut at absorbing states week by week, and
transposes the block into the panel's rows. Results equal :meth:`StatusPanel.from_wide`'s
earlier float64 path cell for cell (tested); no array of the whole panel's size is made
besides the panel itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from .states import StateClassification, UnknownCodeError, blend

UNOBSERVED = -1
_TILE_ROWS, _TILE_WEEKS = 2048, 16  # transposition tiles (measured fastest in numpy)


class Cells(NamedTuple):
    """One week column of a block of persons.

    ``values`` are integer codes (``valid`` marks the cells that hold one; None: all do)
    or, when ``general`` is true, any values with missing ones as NaN/None, classified by
    :meth:`StateClassification.classify`.
    """

    values: np.ndarray
    valid: np.ndarray | None = None
    general: bool = False


def numpy_cells(values: np.ndarray, valid: np.ndarray | None = None) -> Cells:
    """:class:`Cells` of a 1-d numpy array (``valid``: cells that hold a value)."""
    kind = values.dtype.kind
    if kind in "iu":
        return Cells(values, valid)
    if kind == "f":
        missing = np.isnan(values)
        if valid is not None:
            missing |= ~valid
        present = ~missing
        finite = np.isfinite(values) | missing
        whole = finite & ((values == np.floor(values)) | missing)
        if whole.all():
            filled = np.where(missing, 0.0, values)
            if not filled.size or (filled.min() >= -(2**62) and filled.max() <= 2**62):
                return Cells(filled.astype(np.int64), None if present.all() else present)
        values = values.astype(object)
        if valid is not None:
            values[~valid] = None
        return Cells(values, general=True)
    values = values.astype(object) if kind != "O" else values
    if valid is not None:
        values = values.copy()
        values[~valid] = None
    return Cells(values, general=True)


def arrow_cells(array) -> Cells:
    """:class:`Cells` of a pyarrow array: integer columns read from their buffers in their
    own type (no copy of the values), the validity bitmap unpacked to bytes."""
    import pyarrow as pa

    kind = array.type
    if pa.types.is_dictionary(kind):
        array = array.dictionary_decode()
        kind = array.type
    n = len(array)
    if pa.types.is_null(kind):
        return Cells(np.zeros(n, dtype=np.int16), np.zeros(n, dtype=bool))
    if pa.types.is_integer(kind):
        buffers = array.buffers()
        offset = array.offset
        values = np.frombuffer(buffers[1], dtype=kind.to_pandas_dtype(), count=offset + n)
        values = values[offset:]
        valid = None
        if array.null_count:
            bits = np.frombuffer(buffers[0], dtype=np.uint8)
            valid = np.unpackbits(bits, count=offset + n, bitorder="little")[offset:]
            valid = valid.view(bool)
        return Cells(values, valid)
    if pa.types.is_floating(kind):
        return numpy_cells(array.to_numpy(zero_copy_only=False).astype(np.float64, copy=False))
    return Cells(np.asarray(array.to_pandas(), dtype=object), general=True)


def pandas_column(series: pd.Series) -> Callable[[int, int], Cells]:
    """A function giving the :class:`Cells` of rows ``r0:r1`` of a pandas column; numeric
    columns (numpy or nullable integers) are read without a float copy."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iuf":
        values = series.to_numpy()
        return lambda r0, r1: numpy_cells(values[r0:r1])
    if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_float_dtype(dtype):
        array = series.array
        data, mask = getattr(array, "_data", None), getattr(array, "_mask", None)
        if not (isinstance(data, np.ndarray) and isinstance(mask, np.ndarray)):
            mask = series.isna().to_numpy()
            base = np.float64 if pd.api.types.is_float_dtype(dtype) else np.int64
            data = series.to_numpy(dtype=base, na_value=0)
        if data.dtype.kind == "f":  # NaN inside a nullable float is missing too
            return lambda r0, r1: numpy_cells(data[r0:r1], ~mask[r0:r1])
        return lambda r0, r1: Cells(data[r0:r1], ~mask[r0:r1] if mask[r0:r1].any() else None)
    return lambda r0, r1: numpy_cells(series.iloc[r0:r1].to_numpy())


class Carry(NamedTuple):
    """Per person, what the weeks written so far leave for the next ones."""

    fill: np.ndarray  # int8: a missing cell's value, -1 or the blank state
    after: np.ndarray  # uint8: 0xFF once past an absorbing week, else 0

    def rows(self, r0: int, r1: int) -> Carry:
        return Carry(self.fill[r0:r1], self.after[r0:r1])


class WideWriter:
    """Classify a block of persons' week columns into panel rows.

    ``positions[j]`` is the panel column of week column ``j`` (weeks missing from the
    data are all-missing columns); ``blank`` is the position of the blank state or None;
    ``names`` are the week columns' names (for messages).
    """

    def __init__(
        self,
        states: StateClassification,
        positions: np.ndarray,
        n_weeks: int,
        blank: int | None,
        names: Sequence,
    ) -> None:
        self.states = states
        self.table = states.code_table()
        self.n_weeks = int(n_weeks)
        self.blank = blank
        self.names = [str(name) for name in names]
        self.column_at = np.full(self.n_weeks, -1, dtype=np.int64)
        self.column_at[np.asarray(positions, dtype=np.int64)] = np.arange(len(positions))
        self.absorbing = np.array(
            [states.state_index(name) for name in states.absorbing], dtype=np.int8
        )
        self._block: np.ndarray | None = None

    def write(
        self,
        rows: np.ndarray,
        columns: Sequence[Cells] | Mapping[int, Cells],
        ids=None,
        weeks: tuple[int, int] | None = None,
        carry: Carry | None = None,
    ) -> None:
        """Fill ``rows`` (a ``(persons, weeks)`` int8 view of the panel) from the week
        columns of those persons (:class:`Cells` by week column number).

        ``weeks=(p0, p1)`` fills only panel columns ``p0 .. p1 - 1`` (``rows`` is then
        that slice of the panel and ``columns`` needs only those weeks' columns);
        ``carry`` holds what the earlier weeks left for these persons (a missing cell's
        value; whether they are past an absorbing week), updated in place, so that the
        panel can be filled a group of weeks at a time, in week order.
        """
        n = rows.shape[0]
        if n == 0:
            return
        p0, p1 = (0, self.n_weeks) if weeks is None else weeks
        block = self._buffer(n, p1 - p0)
        if carry is None:
            carry = self.carry(n)
        fill, after = carry.fill, carry.after
        hit = np.empty(n, dtype=bool)
        for p in range(p0, p1):
            target = block[p - p0]
            j = int(self.column_at[p])
            if j < 0:  # a week without a column: missing for everyone
                target[:] = fill
            else:
                self._classify(columns[j], target, fill, ids, self.names[j])
            if self.absorbing.size:
                # -1 is 0xFF: OR-ing ``after`` in makes the weeks after absorption unobserved
                np.bitwise_or(target.view(np.uint8), after, out=target.view(np.uint8))
                for code in self.absorbing:
                    np.equal(target, code, out=hit)
                    np.bitwise_or(after, _ones(hit), out=after)
        _transpose_into(rows, block)

    def carry(self, n: int) -> Carry:
        """The state of ``n`` persons before their first week."""
        return Carry(np.full(n, UNOBSERVED, dtype=np.int8), np.zeros(n, dtype=np.uint8))

    def _classify(self, cells: Cells, target, fill, ids, name) -> None:
        try:
            if cells.general:
                target[...] = self.states.classify(cells.values, ids=ids)
                valid = target >= 0
                if self.blank is not None:
                    blend(target, _ones(valid), fill)
            else:
                valid = cells.valid
                self.table.classify(cells.values, valid, ids=ids, missing=fill, out=target)
        except UnknownCodeError as error:  # name the week column (the count is the error's)
            raise UnknownCodeError(f"week column {name!r}: {error}") from None
        if self.blank is not None:
            if valid is None:
                fill[:] = self.blank
            else:  # fill = valid ? blank : fill
                blend(fill, np.invert(_ones(valid)), self.blank)

    def _buffer(self, n: int, weeks: int) -> np.ndarray:
        if self._block is None or self._block.size < n * weeks:
            self._block = np.empty(n * weeks, dtype=np.int8)
        return self._block[: n * weeks].reshape(weeks, n)


def _ones(mask: np.ndarray) -> np.ndarray:
    """0xFF where a boolean mask is true, 0 elsewhere (uint8)."""
    return np.subtract(0, mask.view(np.uint8), dtype=np.uint8)


def _transpose_into(rows: np.ndarray, block: np.ndarray) -> None:
    """``rows[:] = block.T`` in tiles that stay in the CPU cache."""
    n, weeks = rows.shape
    for r0 in range(0, n, _TILE_ROWS):
        r1 = min(r0 + _TILE_ROWS, n)
        for w0 in range(0, weeks, _TILE_WEEKS):
            w1 = min(w0 + _TILE_WEEKS, weeks)
            rows[r0:r1, w0:w1] = block[w0:w1, r0:r1].T
