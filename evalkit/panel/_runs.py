"""Runs of weeks in a set of states: the one dense scan behind spells and first entries.

These are the only places where the outcome functions touch every person-week, so they
are written for memory bandwidth (:class:`PackedScan`):

1. Rows are taken in blocks of about ``_BLOCK_CELLS`` cells (they stay in the CPU cache).
2. One comparison pass gives the block's membership mask (one byte a week), and
   ``np.packbits`` packs it to one *bit* a week, each person's row padded to whole 64-bit
   words with at least one zero bit, so a run can never reach into the next row. A
   second comparison counts the observed weeks.

:func:`scan_runs` lists every maximal run (for spells):

3. On the 64-bit words, ``w ^ (w << 1 | carry)`` sets a bit exactly where membership
   changes: at the first week of a run and at the week after its last. From here on the
   work is on the few words with a change.
4. Their set bits become positions without a loop over words: the lowest set bit of
   ``x`` has index popcount(``x ^ (x - 1)``) - 1 and ``x &= x - 1`` clears it, so the
   first and second change of every word are found at once, and the few words with more
   are peeled a bit at a time. Changes alternate between run starts and run ends (rows
   begin and end outside the set), so the positions split into first and last weeks.
5. The codes just before and after each run are read while the block is still cached.

:func:`first_long_run` finds each row's first run of at least ``n`` weeks (first entry,
first durable entry) without listing runs, by shift-and doubling on the nonzero words.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

_BLOCK_CELLS = 1 << 21  # person-weeks a block: its masks stay in the CPU cache
_ONE = np.uint64(1)
_TOP = np.uint64(63)


class Runs(NamedTuple):
    """Runs of in-set weeks, sorted by person (row) and first week."""

    person: np.ndarray  # row of the person, int64
    first: np.ndarray  # first week of the run, column of the scanned array, int32
    last: np.ndarray  # last week of the run (inclusive), int32
    person_weeks: int  # observed cells (code >= 0) of the scanned array; -1 if not counted
    before: np.ndarray | None = None  # code of the week before the run; -1 off the array
    after: np.ndarray | None = None  # code of the week after the run; -1 off the array
    observed_first: np.ndarray | None = None  # per row: the first column is observed


def member_passes(set_codes: np.ndarray, n_states: int) -> tuple[bool, np.ndarray]:
    """How :func:`member_mask` tests membership: ``(by_exclusion, codes)``.

    One comparison pass per code of the set or, when the set holds most states, "observed
    and none of the other states", whichever takes fewer passes.
    """
    codes = np.unique(set_codes)
    others = np.setdiff1d(np.arange(n_states, dtype=np.int8), codes)
    return (True, others) if len(others) < len(codes) else (False, codes)


def member_mask(block: np.ndarray, passes, out: np.ndarray, scratch: np.ndarray) -> None:
    """Write ``block in set`` (never true for -1, not observed) into ``out``.

    ``passes`` comes from :func:`member_passes`; ``scratch`` is a boolean array of the
    block's shape.
    """
    by_exclusion, codes = passes
    if by_exclusion:
        np.greater_equal(block, 0, out=out)
        for code in codes:
            np.not_equal(block, code, out=scratch)
            np.logical_and(out, scratch, out=out)
    else:
        np.equal(block, codes[0], out=out)
        for code in codes[1:]:
            np.equal(block, code, out=scratch)
            np.logical_or(out, scratch, out=out)


def in_set(block: np.ndarray, set_codes: np.ndarray, n_states: int) -> np.ndarray:
    """A new boolean array: ``block`` is one of ``set_codes`` (never for -1, not observed).

    >>> in_set(np.array([[0, 1, -1, 2]], dtype=np.int8), np.array([1, 2]), 3)
    array([[False,  True, False,  True]])
    """
    out = np.empty(block.shape, dtype=bool)
    member_mask(block, member_passes(set_codes, n_states), out, np.empty_like(out))
    return out


class PackedScan:
    """The blocks of a window of a code array as bit-packed membership words.

    Iterating yields ``(r0, k, words, observed)``: rows ``r0 .. r0 + k`` of the window,
    their observed mask (a view valid until the next block; None unless counting) and
    their membership mask as ``k * words_per_row`` 64-bit words, bit ``j`` of a row's bits
    being week ``j - shift`` of the window (``shift`` > 0 only when whole rows are
    scanned; bits outside the window and the pad bits after each row are 0). On the way
    it counts the observed cells of the window (``person_weeks``) and, with ``edges``,
    records whether each row's first window week is observed (``observed_first``).

    A window that is most of the row is scanned as whole rows with the columns outside it
    cleared in the masks: one long contiguous loop per block is about twice as fast as a
    short loop per row.
    """

    def __init__(
        self,
        codes: np.ndarray,
        set_codes: np.ndarray,
        n_states: int,
        columns: tuple[int, int] | None = None,
        *,
        count_observed: bool = True,
        edges: bool = False,
        block_cells: int | None = None,
    ) -> None:
        self.n_rows, n_all = codes.shape
        c0, c1 = (0, n_all) if columns is None else columns
        self.width = c1 - c0
        whole = 2 * self.width >= n_all and codes.strides[1] == 1
        lo, hi = (0, n_all) if whole else (c0, c1)
        self.sub = codes[:, lo:hi]  # what is scanned
        self.window = codes[:, c0:c1]  # what counts
        self.n_cols, self.shift = hi - lo, c0 - lo
        cuts = [slice(0, self.shift), slice(self.shift + self.width, self.n_cols)]
        self.outside = [cut for cut in cuts if whole and cut.stop > cut.start]
        self.words_per_row = (self.n_cols + 64) // 64  # >= 1 zero bit after each row
        self.row_bits = self.words_per_row * 64
        self.rows = max(1, min(self.n_rows, (block_cells or _BLOCK_CELLS) // self.row_bits))
        self.passes = member_passes(set_codes, n_states)
        self.count_observed = count_observed or edges
        self.person_weeks = 0 if self.count_observed else -1
        self.observed_first = np.zeros(self.n_rows, dtype=bool) if edges else None

    def __iter__(self):
        rows, n_cols = self.rows, self.n_cols
        mask = np.zeros((rows, self.row_bits), dtype=bool)  # pad columns stay False
        scratch = np.empty((rows, n_cols), dtype=bool)
        for r0 in range(0, self.n_rows, rows):
            block = self.sub[r0 : r0 + rows]
            k = block.shape[0]
            member_mask(block, self.passes, mask[:k, :n_cols], scratch[:k])
            for cut in self.outside:
                mask[:k, cut] = False
            if self.count_observed:
                np.greater_equal(block, 0, out=scratch[:k])
                for cut in self.outside:
                    scratch[:k, cut] = False
                self.person_weeks += count_true(scratch[:k])
            if self.observed_first is not None and self.width:
                self.observed_first[r0 : r0 + k] = scratch[:k, self.shift]
            words = np.packbits(mask[:k], axis=None, bitorder="little").view("<u8")
            observed = scratch[:k, self.shift : self.shift + self.width]
            yield r0, k, words, observed if self.count_observed else None


def scan_runs(
    codes: np.ndarray,
    set_codes: np.ndarray,
    n_states: int,
    columns: tuple[int, int] | None = None,
    *,
    count_observed: bool = True,
    neighbours: bool = False,
    edges: bool = False,
    block_cells: int | None = None,
) -> Runs:
    """Every maximal run of weeks in ``set_codes`` in each row of ``codes[:, c0:c1]``.

    ``codes`` is a ``(persons, weeks)`` int8 array (a panel's codes); ``columns = (c0,
    c1)`` is the window of columns to look at (default: all), and the runs' columns are
    counted from ``c0``. ``-1`` (not observed) is never in the set, so an unobserved week
    ends a run, and so does the window's edge.

    - ``count_observed``: count the observed cells of the window on the way (one more
      comparison pass).
    - ``neighbours``: read the codes of the weeks just before and just after each run
      while those rows are still in the cache (``-1`` where that week is outside the
      window).
    - ``edges`` (implies ``count_observed``): per row, whether the window's first week is
      observed.
    - ``block_cells``: the size of the work pieces (tests make it tiny); default
      ``_BLOCK_CELLS``.

    Example
    -------
    >>> codes = np.array([[1, 1, 0, 1], [0, -1, 1, 1]], dtype=np.int8)
    >>> runs = scan_runs(codes, np.array([1], dtype=np.int8), 2)
    >>> runs.person, runs.first, runs.last, runs.person_weeks
    (array([0, 0, 1]), array([0, 3, 2], dtype=int32), array([1, 3, 3], dtype=int32), 7)
    """
    scan = PackedScan(
        codes,
        set_codes,
        n_states,
        columns,
        count_observed=count_observed,
        edges=edges,
        block_cells=block_cells,
    )
    words_per_row, row_bits, shift, width = (
        scan.words_per_row,
        scan.row_bits,
        scan.shift,
        scan.width,
    )
    size = scan.rows * words_per_row
    shifted, change = np.empty(size, dtype=np.uint64), np.empty(size, dtype=np.uint64)
    nonzero = np.empty(size, dtype=bool)
    parts: dict[str, list[np.ndarray]] = {
        name: [] for name in ("person", "first", "last", "before", "after")
    }
    for r0, k, words, _ in scan:
        n = len(words)
        bits, carry, hit = shifted[:n], change[:n], nonzero[:n]
        np.left_shift(words, _ONE, out=bits)
        np.right_shift(words[:-1], _TOP, out=carry[1:])
        carry[0] = 0
        np.bitwise_or(bits, carry, out=bits)
        np.bitwise_xor(words, bits, out=carry)
        np.not_equal(carry, 0, out=hit)
        index = np.flatnonzero(hit)
        if not len(index):
            continue
        positions = _set_bit_positions(index, carry.take(index))
        row, start = np.divmod(positions[0::2], row_bits)  # start: column in the scan
        stop = positions[1::2] - row * row_bits  # the column after the run
        first, last = start - shift, stop - (shift + 1)  # columns in the window
        parts["person"].append(row + r0)
        parts["first"].append(first.astype(np.int32))
        parts["last"].append(last.astype(np.int32))
        if neighbours:  # read now, while the block's codes are in the cache
            block = scan.sub[r0 : r0 + k]
            parts["before"].append(_neighbour(block, row, start - 1, first == 0))
            parts["after"].append(_neighbour(block, row, stop, last == width - 1))

    def joined(name, dtype):
        return np.concatenate(parts[name]) if parts[name] else np.empty(0, dtype=dtype)

    return Runs(
        joined("person", np.int64),
        joined("first", np.int32),
        joined("last", np.int32),
        scan.person_weeks,
        joined("before", np.int8) if neighbours else None,
        joined("after", np.int8) if neighbours else None,
        scan.observed_first,
    )


class FirstRuns(NamedTuple):
    """Per row: where the first long enough run begins, and where follow-up ends without one."""

    first: np.ndarray  # first column of the first run of min_length weeks; -1 if none
    person_weeks: int  # observed cells of the window
    observed_first: np.ndarray  # the window's first week is observed
    last_seen: np.ndarray  # without a run but observed first: last observed column, else -1
    last_code: np.ndarray  # the code in that last observed week, else -1


def first_long_run(
    codes: np.ndarray,
    set_codes: np.ndarray,
    n_states: int,
    columns: tuple[int, int] | None,
    min_length: int,
    *,
    block_cells: int | None = None,
) -> FirstRuns:
    """Per row, the first column where ``min_length`` consecutive in-set weeks begin.

    Columns are counted from ``c0``. Works on the nonzero packed words of
    :class:`PackedScan` (most words of a state set are empty) without listing runs:
    with ``p_s`` bit ``j`` = "weeks ``j .. j + s - 1`` all in the set", ``p_2s = p_s &
    (p_s shifted by s)``, and for ``s <= n < 2s``, ``p_n = p_s & (p_s shifted by n -
    s)``: about ``log2(min_length)`` shift-and steps on 64 weeks a word. A row's zero
    pad bits stop a run from reaching into the next row. For rows without such a run
    whose first week is observed (censored, for a survival outcome), the last observed
    week and its code are read while the block is in the cache.

    >>> codes = np.array([[1, 0, 1, 1, 1], [1, 1, 0, 1, -1], [1, 0, 1, 0, 1]], dtype=np.int8)
    >>> first_long_run(codes, np.array([1], dtype=np.int8), 2, None, 2).first
    array([ 2,  0, -1])
    """
    scan = PackedScan(codes, set_codes, n_states, columns, edges=True, block_cells=block_cells)
    n_rows, words_per_row, width = scan.n_rows, scan.words_per_row, scan.width
    first = np.full(n_rows, -1, dtype=np.int64)
    last_seen = np.full(n_rows, -1, dtype=np.int64)
    last_code = np.full(n_rows, -1, dtype=np.int8)
    nonzero = np.empty(scan.rows * words_per_row, dtype=bool)
    for r0, k, words, observed in scan:
        # Only words with an in-set week can hold a start: work on those (most are empty).
        hit = nonzero[: len(words)]
        np.not_equal(words, 0, out=hit)
        index = np.flatnonzero(hit)
        starts = _long_run_starts(index, words.take(index), min_length)
        keep = np.flatnonzero(starts)
        index, starts = index.take(keep), starts.take(keep)
        row = index // words_per_row
        lead = np.ones(len(row), dtype=bool)  # each row's first word with a start
        np.not_equal(row[1:], row[:-1], out=lead[1:])
        lead = np.flatnonzero(lead)
        row, x = row.take(lead), starts.take(lead)
        bit = np.bitwise_count(x ^ (x - _ONE)).astype(np.int64) - 1  # its lowest set bit
        word = index.take(lead) - row * words_per_row
        block_first = first[r0 : r0 + k]
        block_first[row] = word * 64 + bit - scan.shift
        if not width:
            continue
        censored = np.flatnonzero(observed[:, 0] & (block_first < 0))
        last = np.full(len(censored), width - 1)
        early = np.flatnonzero(~observed[censored, -1])  # search from the end
        if len(early):
            last[early] -= observed[censored[early], ::-1].argmax(axis=1)
        last_seen[r0 + censored] = last
        last_code[r0 + censored] = codes_at(scan.window, r0 + censored, last)
    return FirstRuns(first, scan.person_weeks, scan.observed_first, last_seen, last_code)


def _long_run_starts(index: np.ndarray, words: np.ndarray, length: int) -> np.ndarray:
    """Bit ``j`` set where bits ``j .. j + length - 1`` of the word stream are all set.

    The stream is given sparsely: ``words`` are its nonzero words, at ``index`` (sorted);
    absent words are 0. ``words`` is overwritten.
    """
    span = 1
    while 2 * span <= length:
        words &= _shifted_down(index, words, span)
        span *= 2
    if span < length:  # two overlapping windows of span weeks cover length weeks
        words &= _shifted_down(index, words, length - span)
    return words


def _shifted_down(index: np.ndarray, words: np.ndarray, bits: int) -> np.ndarray:
    """Per word of a sparse word stream, its bits ``bits`` positions further on."""
    whole, part = divmod(bits, 64)
    high = _word_after(index, words, whole)
    if part == 0:
        return high
    out = high >> np.uint64(part)
    out |= _word_after(index, words, whole + 1) << np.uint64(64 - part)
    return out


def _word_after(index: np.ndarray, words: np.ndarray, offset: int) -> np.ndarray:
    """The word ``offset`` places after each word of a sparse word stream (0 if absent)."""
    if offset == 0:
        return words
    out = np.zeros_like(words)
    if offset == 1:  # the next nonzero word, if it is the next word
        np.multiply(words[1:], index[1:] == index[:-1] + 1, out=out[:-1])
        return out
    at = np.searchsorted(index, index + offset)
    found = np.flatnonzero(at < len(index))
    found = found[index.take(at.take(found)) == index.take(found) + offset]
    out[found] = words.take(at.take(found))
    return out


def row_blocks(n_rows: int, n_cols: int) -> list[slice]:
    """Slices of whole rows of about ``_BLOCK_CELLS`` cells each (at least one row)."""
    step = max(1, _BLOCK_CELLS // max(n_cols, 1))
    return [slice(r0, min(r0 + step, n_rows)) for r0 in range(0, n_rows, step)]


def observed_weeks(codes: np.ndarray) -> int:
    """Cells ``>= 0`` (observed person-weeks), a block at a time: no full-size mask.

    >>> observed_weeks(np.array([[0, -1], [2, 1]], dtype=np.int8))
    3
    """
    blocks = row_blocks(*codes.shape)
    scratch = np.empty((blocks[0].stop if blocks else 0, codes.shape[1]), dtype=bool)
    total = 0
    for rows in blocks:
        block = codes[rows]
        out = scratch[: block.shape[0]]
        np.greater_equal(block, 0, out=out)
        total += count_true(out)
    return total


def count_true(mask: np.ndarray) -> int:
    """True values of a contiguous boolean array, faster than ``np.count_nonzero``.

    The bytes (0 or 1) are added as 8 lanes of 64-bit words, 255 words at a time so that
    no lane overflows into the next; the lanes are then added up.

    >>> count_true(np.array([True, False, True]))
    2
    """
    flat = mask.reshape(-1)
    rows = len(flat) // (8 * 255)
    total = 0
    if rows:
        words = flat[: rows * 8 * 255].view(np.uint64).reshape(255, rows)
        total = int(np.add.reduce(words, axis=0).view(np.uint8).sum(dtype=np.int64))
    return total + int(np.count_nonzero(flat[rows * 8 * 255 :]))


def codes_at(codes: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``codes[rows, cols]`` of a 2-d int8 array, as a flat gather where the layout allows.

    A window of columns of a row-major array is not contiguous, but its cells are still
    reachable from its first cell by ``row * row_stride + col``: one ``take`` on a flat
    read-only view of that stretch of memory, much faster than 2-d fancy indexing.
    """
    row_stride, col_stride = codes.strides
    if col_stride != 1 or row_stride < 0 or codes.size == 0:
        return codes[rows, cols]
    if codes.flags.c_contiguous:
        flat = codes.reshape(-1)
    else:
        extent = (codes.shape[0] - 1) * row_stride + codes.shape[1]
        flat = np.lib.stride_tricks.as_strided(codes, (extent,), (1,), writeable=False)
    return flat.take(rows * row_stride + cols)


def _neighbour(block: np.ndarray, rows: np.ndarray, cols: np.ndarray, off) -> np.ndarray:
    """``block[rows, cols]``, and -1 where ``off`` (the week is outside the window)."""
    values = codes_at(block, rows, np.clip(cols, 0, block.shape[1] - 1))
    values[off] = -1
    return values


def _set_bit_positions(index: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Ascending positions ``64 * index + bit`` of the set bits of nonzero ``words``.

    The lowest and the second-lowest set bit of every word are found at once (most
    words hold one or two changes); the few words with more are then peeled one bit at
    a time, over ever fewer words.
    """
    counts = np.bitwise_count(words)
    slot = np.cumsum(counts, dtype=np.int64)
    total = int(slot[-1]) if len(slot) else 0
    slot -= counts
    base = index * 64 - 1
    out = np.empty(total + 1, dtype=np.int64)  # + 1: the second bit of the last word
    x = words.copy()
    lower = x - _ONE
    bit = np.bitwise_count(x ^ lower)  # 1 + index of the lowest set bit
    x &= lower
    lower = x - _ONE
    second = np.bitwise_count(x ^ lower)
    x &= lower
    # Written first, so that where a word has one set bit the next word's first bit
    # (written next, at the same slot) replaces the meaningless value.
    out[slot + 1] = base + second
    out[slot] = base + bit
    rest = np.flatnonzero(counts > 2)
    x, base, slot = x.take(rest), base.take(rest), slot.take(rest) + 2
    while len(x):
        lower = x - _ONE
        out[slot] = base + np.bitwise_count(x ^ lower)
        x &= lower
        keep = np.flatnonzero(x)
        x, base, slot = x.take(keep), base.take(keep), slot.take(keep) + 1
    return out[:total]
