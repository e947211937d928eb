"""Runs of weeks in a set of states: the one dense scan behind spells and first entries.

:func:`scan_runs` finds, for every person of a ``(persons, weeks)`` int8 code array, every
maximal run of consecutive weeks whose state is in a set. It is the only place where the
outcome functions touch every person-week, so it is written for memory bandwidth:

1. Rows are taken in blocks of about ``_BLOCK_CELLS`` cells (they stay in the CPU cache).
2. One comparison pass gives the block's membership mask (one byte a week), and
   ``np.packbits`` packs it to one *bit* a week, each person's row padded to whole 64-bit
   words with at least one zero bit, so a run can never reach into the next row.
3. On the 64-bit words, ``w ^ (w << 1 | carry)`` sets a bit exactly where membership
   changes: at the first week of a run and at the week after its last. From here on the
   work is on 1/64 of the cells: only words with a change are kept.
4. After the scan, the set bits of the kept words are turned into positions without a
   loop over words: words are ordered by their number of set bits, and the ``k``-th
   lowest set bit of every word with more than ``k`` of them is found at once (index of
   the lowest set bit of ``x`` = popcount(``x ^ (x - 1)``) - 1; then ``x &= x - 1``).
   The loop runs over ``k``, at most 64 times, each time over fewer words.

Changes alternate between run starts and run ends (rows begin and end outside the set),
so the positions split into first and last weeks of the runs, in row order.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

_BLOCK_CELLS = 1 << 21  # person-weeks a block: its masks stay in the CPU cache
_BATCH_WORDS = 1 << 14  # words with a change turned into positions at a time
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
    batch_words: int | None = None,
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
      observed (see :func:`last_observed` for the other end).
    - ``block_cells``, ``batch_words``: the sizes of the work pieces (tests make them
      tiny); default ``_BLOCK_CELLS`` and ``_BATCH_WORDS``.

    A window that is most of the row is scanned as whole rows with the columns outside it
    cleared in the masks: one long contiguous loop per block is about twice as fast as a
    short loop per row.

    Example
    -------
    >>> codes = np.array([[1, 1, 0, 1], [0, -1, 1, 1]], dtype=np.int8)
    >>> runs = scan_runs(codes, np.array([1], dtype=np.int8), 2)
    >>> runs.person, runs.first, runs.last, runs.person_weeks
    (array([0, 0, 1]), array([0, 3, 2], dtype=int32), array([1, 3, 3], dtype=int32), 7)
    """
    n_rows, n_all = codes.shape
    c0, c1 = (0, n_all) if columns is None else columns
    width = c1 - c0
    whole = 2 * width >= n_all and codes.strides[1] == 1
    lo, hi = (0, n_all) if whole else (c0, c1)
    sub = codes[:, lo:hi]  # what is scanned
    window = codes[:, c0:c1]  # what counts
    n_cols, shift = hi - lo, c0 - lo
    outside = [slice(0, shift), slice(shift + width, n_cols)] if whole else []
    outside = [cut for cut in outside if cut.stop > cut.start]

    words_per_row = (n_cols + 64) // 64  # at least one zero bit after the row's weeks
    row_bits = words_per_row * 64
    rows = max(1, min(n_rows, (block_cells or _BLOCK_CELLS) // row_bits))
    batch_words = batch_words or _BATCH_WORDS
    mask = np.zeros((rows, row_bits), dtype=bool)  # pad columns stay False
    scratch = np.empty((rows, n_cols), dtype=bool)
    shifted = np.empty(rows * words_per_row, dtype=np.uint64)
    change = np.empty(rows * words_per_row, dtype=np.uint64)
    nonzero = np.empty(rows * words_per_row, dtype=bool)
    kept_index: list[np.ndarray] = []
    kept_words: list[np.ndarray] = []
    kept = 0
    parts: dict[str, list[np.ndarray]] = {
        name: [] for name in ("person", "first", "last", "before", "after")
    }
    passes = member_passes(set_codes, n_states)
    count_observed = count_observed or edges
    if edges:
        observed_first = np.zeros(n_rows, dtype=bool)
    person_weeks = 0
    for r0 in range(0, n_rows, rows):
        block = sub[r0 : r0 + rows]
        k = block.shape[0]
        member_mask(block, passes, mask[:k, :n_cols], scratch[:k])
        for cut in outside:
            mask[:k, cut] = False
        if count_observed:
            np.greater_equal(block, 0, out=scratch[:k])
            for cut in outside:
                scratch[:k, cut] = False
            person_weeks += count_true(scratch[:k])
        if edges and width:
            observed_first[r0 : r0 + k] = scratch[:k, shift]
        words = np.packbits(mask[:k], axis=None, bitorder="little").view("<u8")
        n = len(words)
        bits, carry, hit = shifted[:n], change[:n], nonzero[:n]
        np.left_shift(words, _ONE, out=bits)
        np.right_shift(words[:-1], _TOP, out=carry[1:])
        carry[0] = 0
        np.bitwise_or(bits, carry, out=bits)
        np.bitwise_xor(words, bits, out=carry)
        np.not_equal(carry, 0, out=hit)
        index = np.flatnonzero(hit)
        kept_words.append(carry.take(index))
        kept_index.append(index + r0 * words_per_row)
        kept += len(index)
        if kept >= batch_words or r0 + rows >= n_rows:
            # Positions a batch of blocks at a time: arrays that stay in the cache, and
            # few enough numpy calls.
            index = np.concatenate(kept_index)
            positions = _set_bit_positions(index, np.concatenate(kept_words))
            row, first = np.divmod(positions[0::2], row_bits)
            first -= shift
            last = positions[1::2] - row * row_bits - (shift + 1)
            parts["person"].append(row)
            parts["first"].append(first.astype(np.int32))
            parts["last"].append(last.astype(np.int32))
            if neighbours:
                parts["before"].append(_code_or_off(window, row, first - 1, first == 0))
                parts["after"].append(_code_or_off(window, row, last + 1, last == width - 1))
            kept_index, kept_words, kept = [], [], 0

    def joined(name, dtype):
        return np.concatenate(parts[name]) if parts[name] else np.empty(0, dtype=dtype)

    return Runs(
        joined("person", np.int64),
        joined("first", np.int32),
        joined("last", np.int32),
        person_weeks if count_observed else -1,
        joined("before", np.int8) if neighbours else None,
        joined("after", np.int8) if neighbours else None,
        observed_first if edges else None,
    )


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
    extent = (codes.shape[0] - 1) * row_stride + codes.shape[1]
    flat = np.lib.stride_tricks.as_strided(codes, (extent,), (1,), writeable=False)
    return flat.take(rows * row_stride + cols)


def _code_or_off(sub: np.ndarray, rows: np.ndarray, cols: np.ndarray, off) -> np.ndarray:
    """``sub[rows, cols]``, and -1 where ``off`` (``cols`` is outside ``sub``)."""
    cols[off] = 0
    values = codes_at(sub, rows, cols)
    values[off] = -1
    return values


def last_observed(codes: np.ndarray, rows: np.ndarray, c0: int, c1: int) -> np.ndarray:
    """Last observed column of ``codes[rows, c0:c1]`` (counted from ``c0``; -1 if none).

    Only rows whose last column is unobserved are searched, a bounded number of rows at a
    time.

    >>> codes = np.array([[0, 1, -1], [1, 0, 1], [-1, -1, -1]], dtype=np.int8)
    >>> last_observed(codes, np.array([0, 1, 2]), 0, 3)
    array([ 1,  2, -1])
    """
    width = c1 - c0
    last = np.full(len(rows), width - 1, dtype=np.int64)
    if width == 0 or len(rows) == 0:
        return np.full(len(rows), -1, dtype=np.int64)
    early = np.flatnonzero(codes_at(codes, rows, np.full(len(rows), c1 - 1)) < 0)
    step = max(1, _BLOCK_CELLS // width)
    for i in range(0, len(early), step):
        chunk = early[i : i + step]
        backwards = codes[rows[chunk], c0:c1][:, ::-1] >= 0
        back = backwards.argmax(axis=1)
        seen = backwards[np.arange(len(chunk)), back]
        last[chunk] = np.where(seen, width - 1 - back, -1)
    return last


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
