"""Randomization inference: Fisher's test of the sharp null by re-drawing the assignment.

Under the sharp null hypothesis of no effect for anybody (Fisher 1935, *The Design of
Experiments*, ch. II), every unit's outcome is the same whichever arm it is in, so the
distribution of any statistic over the assignments the design could have produced is
known exactly. :func:`randomization_test` re-draws the design's own assignment procedure
and compares the observed statistic with the statistic under the re-drawn assignments:

- **complete** randomization: ``n1`` of ``n`` units treated, with the observed ``n1``;
- **blocked**: within every block, the block's observed number of treated units;
- **clustered**: whole clusters, with the observed number of treated clusters (within
  every block when blocked too).

Treatment values are never resampled unit by unit (that is a different design, and a
wrong test). When the number of possible assignments is small the test enumerates all
of them (an *exact* test); otherwise it draws ``n_draws`` of them at random (Monte Carlo).

**The draw algorithm.** A draw of ``k`` treated among ``s`` units (per block, or the whole
sample) is selection sampling (Knuth, *TAOCP* vol. 2, 3.4.2, Algorithm S): unit ``j``
(in a fixed order) is treated with probability ``r / (s - j)``, where ``r`` is the number
of treated places not yet filled, realised exactly as ``key < r`` with ``key`` a uniform
small integer on ``0 .. s - j - 1`` (NumPy's unbiased bounded integers, 16-bit keys when
``s < 32768``). Every ``k``-subset is equally likely. The work is vectorised over a batch
of draws and over all blocks of the same size at once (one NumPy call per position
within a block), so drawing the random keys is most of the cost and many small blocks
cost no more than one large one. Statistics that are sums over the treated units (the
difference in means, ranks, log-rank scores) are read from the packed assignment bits
through 256-entry lookup tables (one table lookup per 8 units and draw) rather than a
matrix product. Batch ``b`` uses its own generator
``PCG64(SeedSequence(seed).spawn(...)[b])``, so the draws depend only on the seed, the
design and ``n_draws``. When those calls would be small (on average fewer than 512 keys
each: designs of more than about 130,000 units, or few draws) each assignment is instead
drawn as uniform keys (``Generator.random``) ranked within blocks, the ``k`` smallest
treated.

**The unit order** is canonical (:data:`DRAW_ORDER`), not the row order of the data:
blocks and clusters by their labels, persons within a block by the values the test uses
(treatment, outcome, covariates, event). So the same data in any row order give the same
draws and the same p-value for the same seed. Everything is linear in the number of
units (or ``n log n`` for the sorts), whatever the number of blocks.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import gammaln

from .._progress import Progress
from .._validation import (
    _show_values,
    arm_indicator,
    as_column_list,
    binary_column,
    check_choice,
    check_conditions,
    contrast_rows,
    covariate_matrix,
    group_codes,
    numeric_column,
    select_columns,
)
from ..errors import ArgumentError, DesignError
from ..output.declare import declare_table
from ..results import HypothesisTest, InferentialResult, LinesDisplay

__all__ = ["RandomizationInterval", "RandomizationResult", "randomization_ci", "randomization_test"]

STATISTICS = ("difference_in_means", "lin", "studentized", "rank", "ks", "logrank")
ALTERNATIVES = ("two-sided", "greater", "less")
SQRT_EPS = math.sqrt(np.finfo(float).eps)

#: Assignment cells (units x draws) per batch: 4 MB of booleans...
_BATCH_CELLS = 1 << 22
#: ...but at least this many draws per batch (per-call overhead), memory permitting...
_MIN_BATCH = 1 << 12
#: ...and at most this many draws, or this many cells (64 MB).
_MAX_BATCH = 1 << 15
_MAX_CELLS = 1 << 26
#: Batches of fewer draws than this permute each draw instead (see ``_draw``).
_PER_DRAW_BELOW = 512
#: Most assignments enumerated by an exact test.
EXACT_MAX = 2_000_000
#: Feature sums read through lookup tables up to this many features and units (tables
#: of 2 KB per 8 units and feature); a BLAS product beyond.
_TABLE_FEATURES = 4
_TABLE_UNITS = 1 << 16
#: The canonical order in which the assignment units are drawn (on every result).
DRAW_ORDER = (
    "units drawn in a canonical order, independent of the row order: blocks by label; "
    "clusters by label; persons within a block by (treatment, outcome, covariates, event) "
    "values, rows with equal values being interchangeable"
)
#: Bits of every byte value, in np.packbits order (the first unit is the high bit).
_BITS = ((np.arange(256)[:, None] >> np.arange(7, -1, -1)) & 1).astype(np.float64)


# --------------------------------------------------------------------------- arguments
def check_seed(seed) -> int:
    """The seed to use and record, as a whole number >= 0 (evalkit's one seed rule).

    - a whole number >= 0 is used as it is;
    - ``None`` draws a fresh seed from the operating system
      (``np.random.SeedSequence().entropy``, 128 bits);
    - a ``numpy.random.Generator`` gives one draw, ``integers(0, 2**63)``, which is used
      as the seed (the Generator advances by that one draw).

    Every caller records the returned number on its result, so that passing it back as
    ``seed=`` repeats the draw exactly.
    """
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**63 - 1, dtype=np.int64, endpoint=True))
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ArgumentError(
            f"seed must be a whole number >= 0, a numpy Generator or None; got {seed!r}."
        )
    return int(seed)


def check_draws(n_draws) -> int:
    """``n_draws`` as an int >= 1, or an :class:`ArgumentError`."""
    if isinstance(n_draws, bool) or not isinstance(n_draws, numbers.Integral):
        raise ArgumentError(f"n_draws must be a whole number >= 1 (e.g. 10_000); got {n_draws!r}.")
    if n_draws < 1:
        raise ArgumentError(f"n_draws must be at least 1 (e.g. 10_000); got {n_draws!r}.")
    return int(n_draws)


def _check_exact(exact) -> str | bool:
    if exact == "auto" or exact is True or exact is False:
        return exact
    raise ArgumentError(f"exact must be 'auto', True or False; got {exact!r}.")


# --------------------------------------------------------------------------- the design
@dataclass(frozen=True, eq=False)
class Design:
    """The assignment procedure of a trial, as re-drawn by randomization inference.

    Assignment units are persons, or clusters in a cluster-randomized trial. They are
    held in block order: block ``b`` owns positions ``starts[b] .. starts[b] + sizes[b]``.
    """

    kind: str
    n_rows: int
    row_unit: np.ndarray  # position of every row's assignment unit
    unit_block: np.ndarray  # block of every assignment unit (in position order)
    starts: np.ndarray
    sizes: np.ndarray
    n_treated_units: np.ndarray  # treated assignment units per block
    observed: np.ndarray  # (J,) observed assignment of the units
    unit_size: np.ndarray  # rows per assignment unit
    block_labels: np.ndarray | None
    blocks_name: str | None
    clusters_name: str | None

    @property
    def n_units(self) -> int:
        return len(self.unit_block)

    @property
    def n_blocks(self) -> int:
        return len(self.sizes)

    @property
    def clustered(self) -> bool:
        return self.clusters_name is not None

    @property
    def blocked(self) -> bool:
        return self.blocks_name is not None

    @cached_property
    def log10_assignments(self) -> float:
        """log10 of the number of distinct assignments (cheap for any design size)."""
        s, k = self.sizes.astype(float), self.n_treated_units.astype(float)
        total = gammaln(s + 1) - gammaln(k + 1) - gammaln(s - k + 1)
        return float(math.fsum(total.tolist())) / math.log(10)

    @cached_property
    def n_assignments(self) -> int | float:
        """Number of distinct assignments the design can produce: an exact int, or
        ``math.inf`` beyond 10^300 (see :attr:`log10_assignments`)."""
        if self.log10_assignments > 300:
            return math.inf
        return math.prod(
            math.comb(int(s), int(k)) for s, k in zip(self.sizes, self.n_treated_units, strict=True)
        )

    def describe(self) -> str:
        unit = "clusters" if self.clustered else "units"
        treated, total = int(self.n_treated_units.sum()), self.n_units
        if not self.blocked:
            return f"{self.kind} randomization: {treated} of {total} {unit} treated"
        return (
            f"{self.kind} randomization: {treated} of {total} {unit} treated, within "
            f"{self.n_blocks} blocks of {self.blocks_name!r} (each block keeps its arm sizes)"
        )

    def unit_sums(self, values: np.ndarray) -> np.ndarray:
        """Row values (n, q) summed within assignment units: (J, q) in position order."""
        values = np.asarray(values, dtype=float)
        if not self.clustered:
            out = np.empty_like(values)
            out[self.row_unit] = values
            return out
        out = np.zeros((self.n_units, values.shape[1]))
        np.add.at(out, self.row_unit, values)
        return out


def make_design(
    treated: np.ndarray,
    blocks: np.ndarray | None,
    clusters: np.ndarray | None,
    blocks_name: str | None,
    clusters_name: str | None,
    block_values: pd.Series | None = None,
    unit_key: np.ndarray | None = None,
) -> Design:
    """Check a trial's design and describe it for re-drawing (see :class:`Design`).

    Assignment units are put in the canonical order of :data:`DRAW_ORDER`: by block,
    then clusters by their code (the sorted cluster labels), persons by ``unit_key``
    (``(n, k)`` values per row, compared column by column; the row order breaks ties,
    between rows that carry the same values), so that the draws for a seed do not
    depend on the row order of the data.
    """
    n = len(treated)
    if clusters is not None:
        n_clusters = int(clusters.max()) + 1
        share = np.bincount(clusters, weights=treated, minlength=n_clusters) / np.bincount(
            clusters, minlength=n_clusters
        )
        split = np.flatnonzero((share > 0) & (share < 1))
        if split.size:
            raise DesignError(
                f"{split.size} clusters of {clusters_name!r} have both treated and control "
                "units; clusters split across arms cannot come from cluster randomization. "
                "Check the cluster column, or leave clusters=None if persons were randomized."
            )
        unit_of_row = clusters
        unit_treated = share > 0.5
        unit_size = np.bincount(clusters, minlength=n_clusters)
        if blocks is not None:
            first = np.unique(clusters, return_index=True)[1]
            unit_block = blocks[first]
            if not np.array_equal(unit_block[clusters], blocks):
                raise DesignError(
                    f"clusters of {clusters_name!r} span several blocks of {blocks_name!r}; "
                    "clusters must be nested within blocks."
                )
        else:
            unit_block = np.zeros(n_clusters, dtype=np.int64)
    else:
        unit_of_row = np.arange(n)
        unit_treated = treated
        unit_size = np.ones(n, dtype=np.int64)
        unit_block = blocks if blocks is not None else np.zeros(n, dtype=np.int64)

    n_blocks = int(unit_block.max()) + 1
    sizes = np.bincount(unit_block, minlength=n_blocks)
    n1 = np.bincount(unit_block, weights=unit_treated, minlength=n_blocks).astype(np.int64)
    labels = None
    if blocks is not None:
        labels = (
            np.asarray(pd.unique(block_values.sort_values()))
            if block_values is not None
            else np.arange(n_blocks)
        )
        unit = "cluster" if clusters is not None else "unit"
        single = np.flatnonzero(sizes == 1)
        if single.size:
            shown = _show_values(
                [_plain(labels[b]) for b in single], blocks_name, data=block_values, noun="block"
            )
            raise DesignError(
                f"{single.size} blocks of {blocks_name!r} have a single {unit} ({shown}); a "
                "block of one cannot be randomized. Merge each into a neighbouring block."
            )
        one_arm = np.flatnonzero((n1 == 0) | (n1 == sizes))
        if one_arm.size:
            shown = _show_values(
                [_plain(labels[b]) for b in one_arm], blocks_name, data=block_values, noun="block"
            )
            raise DesignError(
                f"{one_arm.size} blocks of {blocks_name!r} have all their {unit}s in one arm "
                f"({shown}); every block needs treated and control {unit}s. Merge or drop them."
            )
    if clusters is None and unit_key is not None and n:
        key = np.asarray(unit_key, dtype=float).reshape(n, -1)
        order = np.lexsort((*key.T[::-1], unit_block))
    else:
        order = np.argsort(unit_block, kind="stable")
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    if clusters is None and blocks is None:
        kind = "complete"
    elif clusters is None:
        kind = "blocked"
    elif blocks is None:
        kind = "clustered"
    else:
        kind = "blocked and clustered"
    return Design(
        kind=kind,
        n_rows=n,
        row_unit=position[unit_of_row],
        unit_block=unit_block[order],
        starts=np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64),
        sizes=sizes.astype(np.int64),
        n_treated_units=n1,
        observed=np.asarray(unit_treated, dtype=bool)[order],
        unit_size=unit_size[order],
        block_labels=labels,
        blocks_name=blocks_name,
        clusters_name=clusters_name,
    )


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


# --------------------------------------------------------------------------- drawing
def _draw(design: Design, rng: np.random.Generator, m: int) -> np.ndarray:
    """``m`` assignments of the design: a (J, m) boolean matrix.

    Selection sampling vectorised over the ``m`` draws and over the blocks of equal size
    (one NumPy call per position within a block, for all blocks of that size at once:
    a design of 10,000 blocks of 2-5 units takes 10 calls). When those calls would be
    small on average (fewer than ``_PER_DRAW_BELOW`` keys each, as for a large complete
    design with few draws) the draws are instead uniform keys sorted within blocks.
    """
    sizes, ks = design.sizes, design.n_treated_units
    mixed = (ks > 0) & (ks < sizes)
    calls = int(np.unique(sizes[mixed]).sum() - np.unique(sizes[mixed]).size)
    if design.n_units * m < _PER_DRAW_BELOW * max(calls, 1):
        return _draw_by_keys(design, rng, m)
    out = np.empty((design.n_units, m), dtype=bool)
    for b in np.flatnonzero(~mixed):  # blocks with one arm only: nothing to draw
        out[design.starts[b] : design.starts[b] + sizes[b]] = ks[b] == sizes[b]
    by_size = np.argsort(sizes, kind="stable")
    by_size = by_size[mixed[by_size]]
    edges = np.flatnonzero(np.diff(sizes[by_size])) + 1
    for group in np.split(by_size, edges) if by_size.size else []:
        size = int(sizes[group[0]])
        first = design.starts[group]
        dtype = np.int16 if size < 32768 else np.int64
        remaining = np.repeat(ks[group].astype(dtype)[:, None], m, axis=1)
        chosen = np.empty((len(group), m), dtype=bool)
        for offset in range(size - 1):
            keys = rng.integers(0, size - offset, size=(len(group), m), dtype=dtype)
            np.less(keys, remaining, out=chosen)
            np.subtract(remaining, chosen, out=remaining)
            out[first + offset] = chosen
        # The last unit takes the place left, if any.
        out[first + size - 1] = remaining > 0
    return out


def _draw_by_keys(design: Design, rng: np.random.Generator, m: int) -> np.ndarray:
    """``m`` assignments as uniform keys ranked within blocks: the ``k`` smallest keys
    of a block are treated (chunks of draws of bounded memory)."""
    J = design.n_units
    out = np.empty((J, m), dtype=bool)
    block = design.unit_block
    # place p of the sorted order belongs to block[p]; it is treated when its rank in
    # the block is below the block's number treated
    treated_place = (np.arange(J) - design.starts[block]) < design.n_treated_units[block]
    step = max(1, _BATCH_CELLS // max(J, 1))
    for c0 in range(0, m, step):
        c1 = min(m, c0 + step)
        keys = rng.random((J, c1 - c0))
        order = np.argsort(keys, axis=0)
        if design.n_blocks > 1:
            by_block = np.argsort(block[order], axis=0, kind="stable")
            order = np.take_along_axis(order, by_block, axis=0)
        part = np.empty((J, c1 - c0), dtype=bool)
        np.put_along_axis(part, order, treated_place[:, None], axis=0)
        out[:, c0:c1] = part
    return out


def _combinations(size: int, k: int) -> np.ndarray:
    """All k-subsets of ``size`` units as a (C(size, k), size) boolean matrix."""
    count = math.comb(size, k)
    chosen = np.fromiter(
        itertools.chain.from_iterable(itertools.combinations(range(size), k)),
        dtype=np.int16 if size < 32768 else np.int64,
        count=count * k,
    ).reshape(count, k)
    out = np.zeros((count, size), dtype=bool)
    np.put_along_axis(out, chosen, True, axis=1)
    return out


def _batch_size(design: Design, n_draws: int) -> int:
    units = max(design.n_units, 1)
    m = min(_MAX_BATCH, max(_MIN_BATCH, _BATCH_CELLS // units), _MAX_CELLS // units)
    return max(1, min(n_draws, m))


def iter_assignments(
    design: Design, n_draws: int, seed: int | None, exact: bool, progress: bool = False
) -> Iterator[np.ndarray]:
    """Batches of assignments, (J, m) booleans: all of them (exact) or ``n_draws`` draws.
    ``progress``: a progress line on standard error (:class:`evalkit._progress.Progress`)."""
    total = design.n_assignments if exact else n_draws
    m = _batch_size(design, total)
    n_batches = -(-total // m)
    with Progress("randomization test", total, "assignments", bool(progress)) as reporter:
        if exact:
            tables = [
                _combinations(int(s), int(k))
                for s, k in zip(design.sizes, design.n_treated_units, strict=True)
            ]
            radices = [len(t) for t in tables]
            for b in range(n_batches):
                index = np.arange(b * m, min(total, (b + 1) * m), dtype=np.int64)
                out = np.empty((design.n_units, len(index)), dtype=bool)
                for start, size, table, radix in zip(
                    design.starts, design.sizes, tables, radices, strict=True
                ):
                    digit = index % radix
                    index = index // radix
                    out[start : start + size] = table[digit].T
                reporter.update(out.shape[1])
                yield out
        else:
            children = np.random.SeedSequence(seed).spawn(n_batches)
            for b, child in enumerate(children):
                size = min(m, total - b * m)
                out = _draw(design, np.random.Generator(np.random.PCG64(child)), size)
                reporter.update(size)
                yield out


# --------------------------------------------------------------------------- batches
class Batch:
    """A batch of assignments with cached views used by the statistics."""

    __slots__ = ("T", "design", "_packed", "_rows")

    def __init__(self, T: np.ndarray, design: Design):
        self.T, self.design = T, design
        self._packed = self._rows = None

    @property
    def m(self) -> int:
        return self.T.shape[1]

    def packed(self) -> np.ndarray:
        """The assignment bits packed 8 units to a byte, as ``np.packbits(T, axis=0)``."""
        if self._packed is None:
            units, m = self.T.shape
            out = np.zeros((-(-units // 8), m), dtype=np.uint8)
            shifted = np.empty_like(out)
            bits = self.T.view(np.uint8)
            for bit in range(8):  # row-wise shifts beat np.packbits along axis 0
                rows = bits[bit::8]
                k = len(rows)
                np.left_shift(rows, 7 - bit, out=shifted[:k])
                np.bitwise_or(out[:k], shifted[:k], out=out[:k])
            self._packed = out
        return self._packed

    def float_chunks(self) -> Iterator[tuple[slice, np.ndarray]]:
        """The assignments as 0.0/1.0 in chunks of draws (bounded memory)."""
        step = max(1, _BATCH_CELLS // max(self.T.shape[0], 1))
        for start in range(0, self.m, step):
            columns = slice(start, min(self.m, start + step))
            yield columns, self.T[:, columns].astype(np.float64)

    def rows(self) -> np.ndarray:
        """The assignment of every row of the data: (n, m) booleans."""
        if self._rows is None:
            self._rows = self.T[self.design.row_unit]
        return self._rows


class _Sums:
    """Sums over the treated units of every draw of unit features F (J, p): (p, m).

    Up to ``_TABLE_FEATURES`` features the sums are read from lookup tables:
    ``tables[k, g, byte]`` is the sum of feature ``k`` over the units of group ``g`` (8
    units) whose bits are set in ``byte``, so a draw's sum is one lookup per 8 units.
    """

    _GROUP_CHUNK = 256  # groups per vectorised lookup (fixed: the sums' order is too)

    def __init__(self, F: np.ndarray):
        F = np.asarray(F, dtype=float)
        self.p = F.shape[1]
        if self.p <= _TABLE_FEATURES and F.shape[0] <= _TABLE_UNITS:
            groups = -(-F.shape[0] // 8)
            padded = np.zeros((groups * 8, self.p))
            padded[: len(F)] = F
            self.tables = np.stack(
                [padded[:, k].reshape(groups, 8) @ _BITS.T for k in range(self.p)]
            )  # (p, G, 256)
            self.flat = self.tables.reshape(self.p, -1)
            self.dense = None
        else:
            self.tables = None
            self.dense = np.ascontiguousarray(F.T)

    def __call__(self, batch: Batch) -> np.ndarray:
        if self.tables is None:
            out = np.empty((self.p, batch.m))
            for columns, T in batch.float_chunks():
                out[:, columns] = self.dense @ T
            return out
        packed = batch.packed()
        n_groups = packed.shape[0]
        out = np.zeros((self.p, batch.m))
        if n_groups <= 64:  # small designs: one lookup per group
            looked_up = np.empty(batch.m)
            for g in range(n_groups):
                for k in range(self.p):
                    np.take(self.tables[k, g], packed[g], out=looked_up)
                    out[k] += looked_up
            return out
        for g0 in range(0, n_groups, self._GROUP_CHUNK):  # large designs: chunked lookups
            g1 = min(n_groups, g0 + self._GROUP_CHUNK)
            index = packed[g0:g1].astype(np.intp)
            index += (np.arange(g0, g1, dtype=np.intp) * 256)[:, None]
            for k in range(self.p):
                out[k] += np.take(self.flat[k], index).sum(axis=0)
        return out


class _BlockSums:
    """Per-block sums over treated units of unit features F (J, p): (p, B, m)."""

    def __init__(self, F: np.ndarray, design: Design):
        F = np.asarray(F, dtype=float)
        self.p, self.B = F.shape[1], design.n_blocks
        self.starts = design.starts
        if self.B == 1 or self.p * self.B <= _TABLE_FEATURES:
            onehot = np.eye(self.B)[design.unit_block]  # (J, B)
            self.sums = _Sums((F[:, :, None] * onehot[:, None, :]).reshape(len(F), -1))
            self.F = None
        else:
            self.sums, self.F = None, F

    def __call__(self, batch: Batch) -> np.ndarray:
        if self.sums is not None:
            return self.sums(batch).reshape(self.p, self.B, batch.m)
        out = np.empty((self.p, self.B, batch.m))
        for columns, T in batch.float_chunks():
            for k in range(self.p):
                out[k, :, columns] = np.add.reduceat(T * self.F[:, k : k + 1], self.starts, axis=0)
        return out


# --------------------------------------------------------------------------- statistics
def _block_totals(values: np.ndarray, design: Design) -> np.ndarray:
    """Unit values (J,) or (J, q) summed within blocks: (B,) or (B, q), in O(J)."""
    values = np.asarray(values, dtype=float)
    B = design.n_blocks
    if values.ndim == 1:
        return np.bincount(design.unit_block, weights=values, minlength=B)
    return np.column_stack(
        [np.bincount(design.unit_block, weights=c, minlength=B) for c in values.T]
    ).reshape(B, values.shape[1])


class Statistic:
    """A test statistic prepared for a trial: ``stat(batch)`` gives (q, m) values."""

    name = "statistic"
    linear_in_y = False  # stat(y - tau t_obs) = stat(y) - tau stat(t_obs) for every draw

    def __call__(self, batch: Batch) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError


class _Linear(Statistic):
    """``sum_i T_i c_i + const``: a statistic linear in the assignment."""

    def __init__(self, C: np.ndarray, const: np.ndarray, name: str, linear_in_y: bool):
        self.sums, self.const = _Sums(C), np.asarray(const, dtype=float)
        self.name, self.linear_in_y = name, linear_in_y

    def __call__(self, batch):
        return self.sums(batch) + self.const[:, None]


class _ClusterMeans(Statistic):
    """Difference in unit means when arm sizes in units vary (cluster designs)."""

    linear_in_y = True

    def __init__(self, Y: np.ndarray, design: Design, name: str):
        Yu = design.unit_sums(Y)
        Nu = design.unit_size.astype(float)
        self.q = Yu.shape[1]
        self.block_sums = _BlockSums(np.column_stack([Yu, Nu]), design)
        self.S_b = _block_totals(Yu, design).T  # (q, B)
        self.N_b = _block_totals(Nu, design)  # (B,)
        self.w = self.N_b / self.N_b.sum()
        self.name = name

    def __call__(self, batch):
        s = self.block_sums(batch)
        sy, nt = s[: self.q], s[self.q]
        with np.errstate(divide="ignore", invalid="ignore"):
            d = sy / nt - (self.S_b[:, :, None] - sy) / (self.N_b[:, None] - nt)
        return np.einsum("b,qbm->qm", self.w, d)


def _dim_statistic(Y: np.ndarray, design: Design, name: str, linear_in_y: bool) -> Statistic:
    """The design's difference in means (as :func:`evalkit.difference_in_means`) of Y (n, q)."""
    if design.clustered:
        statistic = _ClusterMeans(Y, design, name)
        statistic.linear_in_y = linear_in_y
        return statistic
    Yu = design.unit_sums(Y)
    n_b = design.sizes.astype(float)
    n1 = design.n_treated_units.astype(float)
    n0 = n_b - n1
    w = n_b / n_b.sum()
    scale = (w * (1.0 / n1 + 1.0 / n0))[design.unit_block]
    S_b = _block_totals(Yu, design)  # (B, q)
    const = -(w / n0) @ S_b
    return _Linear(Yu * scale[:, None], const, name, linear_in_y)


class _Studentized(Statistic):
    """Welch t (complete), or the blocked difference in means over its blocked or
    matched-pair standard error, computed from per-block sums of y and y^2."""

    name = "studentized"

    def __init__(self, Y: np.ndarray, design: Design):
        if design.clustered:
            raise ArgumentError(
                "statistic='studentized' needs persons randomized (no clusters); with "
                "clusters use 'difference_in_means' (the randomization test needs no SE)."
            )
        n1 = design.n_treated_units.astype(float)
        n0 = design.sizes - n1
        self.pairs = bool((np.minimum(n1, n0) < 2).any())
        if self.pairs and design.n_blocks < 2:
            raise DesignError(
                "the studentized statistic needs at least two treated and two control units "
                f"(treated {int(n1[0])}, control {int(n0[0])})."
            )
        Yu = design.unit_sums(Y)
        # Centre within blocks (the differences are unchanged; the sums of squares lose less).
        Yc = Yu - (_block_totals(Yu, design) / design.sizes[:, None])[design.unit_block]
        self.q = Yu.shape[1]
        self.block_sums = _BlockSums(np.column_stack([Yc, Yc**2]), design)
        self.S_b = _block_totals(Yc, design).T[:, :, None]  # (q, B, 1)
        self.Q_b = _block_totals(Yc**2, design).T[:, :, None]
        self.n1, self.n0 = n1[:, None], n0[:, None]
        self.w = (design.sizes / design.sizes.sum())[:, None]

    def __call__(self, batch):
        s = self.block_sums(batch)
        s1, q1 = s[: self.q], s[self.q :]
        s0, q0 = self.S_b - s1, self.Q_b - q1
        n1, n0 = self.n1, self.n0
        d_b = s1 / n1 - s0 / n0  # (q, B, m)
        d = (self.w * d_b).sum(axis=1)
        if self.pairs:
            B = d_b.shape[1]
            var = ((d_b - d[:, None, :]) ** 2).sum(axis=1) / (B * (B - 1))
        else:
            v1 = np.maximum(q1 - s1**2 / n1, 0.0) / (n1 - 1) / n1
            v0 = np.maximum(q0 - s0**2 / n0, 0.0) / (n0 - 1) / n0
            var = ((self.w**2) * (v1 + v0)).sum(axis=1)
        return _ratio(d, np.sqrt(var))


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den with 0/0 = 0 and x/0 = +-inf."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / den
    out[(den == 0) & (num == 0)] = 0.0
    return out


class _Lin(Statistic):
    """Lin (2013) regression-adjusted estimate from per-arm sums of z z' and z y,
    z = [1, x - mean(x)]: the difference of the arms' intercepts."""

    name = "lin"
    linear_in_y = True

    def __init__(self, Y: np.ndarray, X: np.ndarray, design: Design):
        n, k = X.shape
        z = np.column_stack([np.ones(n), X - X.mean(axis=0)])
        self.k1 = k + 1
        self.iu = np.triu_indices(self.k1)
        zz = (z[:, :, None] * z[:, None, :])[:, self.iu[0], self.iu[1]]
        zy = (z[:, :, None] * Y[:, None, :]).reshape(n, -1)  # (n, k1 * q)
        F = design.unit_sums(np.column_stack([zz, zy]))
        self.q = Y.shape[1]
        self.sums = _Sums(F)
        self.total = F.sum(axis=0)
        self.n_zz = zz.shape[1]

    def _intercepts(self, flat: np.ndarray) -> np.ndarray:
        # flat: (p, m) -> (q, m) intercepts
        m = flat.shape[1]
        G = np.zeros((m, self.k1, self.k1))
        G[:, self.iu[0], self.iu[1]] = flat[: self.n_zz].T
        G[:, self.iu[1], self.iu[0]] = flat[: self.n_zz].T
        H = flat[self.n_zz :].T.reshape(m, self.k1, self.q)
        try:
            coef = np.linalg.solve(G, H)
        except np.linalg.LinAlgError:
            coef = np.linalg.pinv(G) @ H
        return coef[:, 0, :].T

    def __call__(self, batch):
        treated = self.sums(batch)
        control = self.total[:, None] - treated
        return self._intercepts(treated) - self._intercepts(control)


class _KS(Statistic):
    """Two-sample Kolmogorov–Smirnov distance sup_x |F1(x) - F0(x)| over all rows."""

    name = "ks"

    def __init__(self, Y: np.ndarray):
        self.orders, self.ends = [], []
        for column in Y.T:
            order = np.argsort(column, kind="stable")
            sorted_y = column[order]
            last = np.flatnonzero(np.append(sorted_y[1:] != sorted_y[:-1], True))
            self.orders.append(order)
            self.ends.append(last)

    def __call__(self, batch):
        rows = batch.rows()
        n = rows.shape[0]
        out = np.empty((len(self.orders), batch.m))
        step = max(1, _BATCH_CELLS // max(n, 1))  # draws per chunk: bounded memory
        for k, (order, last) in enumerate(zip(self.orders, self.ends, strict=True)):
            for s in range(0, batch.m, step):
                chunk = rows[order, s : s + step]
                cum1 = np.cumsum(chunk, axis=0, dtype=np.int32)[last]
                n1 = cum1[-1]
                cum0 = (last + 1)[:, None] - cum1
                out[k, s : s + step] = np.abs(cum1 / n1 - cum0 / (n - n1)).max(axis=0)
        return out


class _UserStatistic(Statistic):
    """A user function f(y, t): y (n,), t (draws, n) booleans -> (draws,)."""

    def __init__(self, function: Callable, Y: np.ndarray, vectorized: bool):
        self.function, self.Y, self.vectorized = function, Y, vectorized
        self.name = getattr(function, "__name__", "user statistic")

    def __call__(self, batch):
        t = np.ascontiguousarray(batch.rows().T)
        out = np.empty((self.Y.shape[1], batch.m))
        for k, y in enumerate(self.Y.T):
            if self.vectorized:
                values = np.asarray(self.function(y, t), dtype=float)
            else:
                values = np.array([self.function(y, row) for row in t], dtype=float)
            if values.shape != (batch.m,):
                raise ArgumentError(
                    f"the statistic {self.name!r} must return one number per assignment: "
                    f"called with t of shape {t.shape} it returned shape {values.shape}. "
                    "Vectorise it over the rows of t, or pass vectorized=False."
                )
            out[k] = values
        return out


def _mid_ranks(Y: np.ndarray) -> np.ndarray:
    """Mid-ranks of every column over the whole sample (also with blocks, as R's coin)."""
    return stats.rankdata(Y, axis=0)


def _logrank_scores(time_: np.ndarray, event: np.ndarray, design: Design) -> np.ndarray:
    """Log-rank scores ``delta_i - Lambda(t_i)`` (Nelson–Aalen of the pooled sample, within
    blocks): their sum over the treated is observed minus expected events, O - E."""
    row_block = design.unit_block[design.row_unit]
    d = event.astype(float)
    # distinct (block, time) pairs in order; the hazard accumulates within each block
    order = np.lexsort((time_, row_block))
    b_sorted, t_sorted = row_block[order], time_[order]
    new = np.r_[True, (b_sorted[1:] != b_sorted[:-1]) | (t_sorted[1:] != t_sorted[:-1])]
    pair = np.cumsum(new) - 1
    codes = np.empty(len(time_), dtype=np.int64)
    codes[order] = pair
    pair_block = b_sorted[new]
    leaving = np.bincount(codes, minlength=len(pair_block))
    deaths = np.bincount(codes, weights=d, minlength=len(pair_block))
    # at risk: persons of the block with this time or later (a reversed cumulative sum)
    at_risk = pd.Series(leaving[::-1]).groupby(pair_block[::-1]).cumsum().to_numpy()[::-1]
    hazard = pd.Series(deaths / at_risk).groupby(pair_block).cumsum().to_numpy()
    return d - hazard[codes]


def build_statistic(
    statistic: str | Callable,
    Y: np.ndarray,
    design: Design,
    X: np.ndarray | None = None,
    event: np.ndarray | None = None,
    vectorized: bool = True,
) -> Statistic:
    """Prepare a named (or user) statistic for outcomes Y (n, q) of a design."""
    if callable(statistic):
        return _UserStatistic(statistic, Y, vectorized)
    if statistic == "difference_in_means":
        return _dim_statistic(Y, design, "difference in means", linear_in_y=True)
    if statistic == "rank":
        return _dim_statistic(_mid_ranks(Y), design, "difference in mean ranks", False)
    if statistic == "studentized":
        return _Studentized(Y, design)
    if statistic == "lin":
        n1 = int((design.observed * design.unit_size).sum())
        n0 = design.n_rows - n1
        if X is None or X.shape[1] == 0:
            raise ArgumentError("statistic='lin' needs covariates=[...] to adjust for.")
        if min(n1, n0) <= X.shape[1] + 1:
            raise DesignError(
                f"statistic='lin' needs more units in each arm (treated {n1}, control {n0}) "
                f"than covariate columns plus one ({X.shape[1] + 1})."
            )
        return _Lin(Y, X, design)
    if statistic == "ks":
        return _KS(Y)
    if statistic == "logrank":
        scores = _logrank_scores(Y[:, 0], event, design)
        return _Linear(design.unit_sums(scores[:, None]), np.zeros(1), "log-rank O - E", False)
    raise ArgumentError(  # pragma: no cover - checked by the callers
        f"statistic must be one of {', '.join(map(repr, STATISTICS))} or a function."
    )


def _check_statistic(statistic, alternative, event, covariates) -> None:
    if not callable(statistic):
        check_choice(statistic, "statistic", STATISTICS)
    check_choice(alternative, "alternative", ALTERNATIVES)
    if statistic == "ks" and alternative != "two-sided":
        raise ArgumentError(
            "the KS statistic is a distance (>= 0); only alternative='two-sided' applies."
        )
    if statistic == "logrank" and event is None:
        raise ArgumentError(
            "statistic='logrank' needs event= (the 0/1 event column); outcome is the duration."
        )
    if event is not None and statistic != "logrank":
        raise ArgumentError("event= is only used with statistic='logrank'.")
    if covariates is not None and statistic != "lin":
        raise ArgumentError("covariates= is only used with statistic='lin'.")


# --------------------------------------------------------------------------- trial data
@dataclass(frozen=True)
class Trial:
    """Validated columns of a trial for randomization inference."""

    Y: np.ndarray
    treated: np.ndarray
    X: np.ndarray | None
    event: np.ndarray | None
    design: Design


def prepare(
    data: pd.DataFrame,
    outcomes: str | Sequence[str],
    treatment: str,
    blocks: str | None = None,
    clusters: str | None = None,
    covariates: str | Sequence[str] | None = None,
    event: str | None = None,
    missing: str = "error",
    condition1=None,
    condition2=None,
) -> Trial:
    """Validate the columns a randomization test uses (the frame is not modified).

    With ``condition1`` and ``condition2`` only the rows of those two arms are used and
    ``condition2`` is the treated arm."""
    contrast = check_conditions(condition1, condition2)
    names = as_column_list(outcomes, "outcomes")
    if not names:
        raise ArgumentError("name at least one outcome column.")
    if not isinstance(treatment, str):
        raise ArgumentError(f"treatment must be a column name (a string); got {treatment!r}.")
    for role, value in (("blocks", blocks), ("clusters", clusters), ("event", event)):
        if value is not None and not isinstance(value, str):
            raise ArgumentError(f"{role} must be a column name (a string) or None; got {value!r}.")
    covariate_names = as_column_list(covariates, "covariates")
    roles = {
        "outcome": names,
        "treatment": [treatment],
        "covariates": covariate_names,
        "event": [event] if event else [],
        "blocks": [blocks] if blocks else [],
        "clusters": [clusters] if clusters else [],
    }
    frame = select_columns(data, roles, missing=missing)
    if contrast:
        frame, _, treated = contrast_rows(frame, None, treatment, condition1, condition2)
    else:
        treated = arm_indicator(frame[treatment], treatment, hint=_ARMS_HINT)
    Y = np.column_stack([numeric_column(frame[name], name) for name in names])
    X = covariate_matrix(frame, covariate_names)[0] if covariate_names else None
    status = binary_column(frame[event], event, role="event") if event else None
    if event is not None:
        if (Y[:, 0] < 0).any():
            raise DesignError(f"durations in {names[0]!r} must be >= 0.")
        if not status.any():
            raise DesignError(f"no events in {event!r}: every duration is censored.")
    # The canonical order of the persons within blocks (DRAW_ORDER): every value the
    # test uses, so that rows in another order give the same draws for the same seed.
    key = [treated[:, None], Y]
    key += [X] if X is not None else []
    key += [status[:, None]] if status is not None else []
    design = make_design(
        treated,
        group_codes(frame[blocks]) if blocks else None,
        group_codes(frame[clusters]) if clusters else None,
        blocks,
        clusters,
        frame[blocks] if blocks else None,
        unit_key=np.column_stack(key),
    )
    return Trial(Y=Y, treated=treated, X=X, event=status, design=design)


# --------------------------------------------------------------------------- null draws
def resolve_exact(design: Design, n_draws: int, exact) -> bool:
    """Whether to enumerate: ``"auto"`` when the design has at most ``n_draws`` assignments."""
    count = design.n_assignments
    if exact == "auto":
        return count <= n_draws
    if exact and count > EXACT_MAX:
        raise ArgumentError(
            f"the design has {_count_text(count, design.log10_assignments)} possible "
            "assignments, too many to enumerate "
            f"(at most {EXACT_MAX:,}); use exact='auto' or exact=False (Monte Carlo)."
        )
    return bool(exact)


def null_draws(
    statistic: Statistic,
    design: Design,
    n_draws: int,
    seed: int | None,
    exact: bool,
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The observed statistic (q,) and its draws (q, D) under the design."""
    observed = statistic(Batch(design.observed[:, None], design))[:, 0]
    parts = [
        statistic(Batch(T, design))
        for T in iter_assignments(design, n_draws, seed, exact, progress)
    ]
    return observed, np.concatenate(parts, axis=1)


def tail_count(draws: np.ndarray, observed: float, alternative: str) -> int:
    """Draws at least as extreme as the observed value, with coin's tolerance for ties.

    Two-sided counts ``|draw| >= |observed| - tol``, "greater" ``draw >= observed - tol``,
    "less" ``draw <= observed + tol``; ``tol = sqrt(eps)`` times the standard deviation of
    the draws (coin compares standardized statistics with an absolute ``sqrt(eps)``).
    """
    finite = draws[np.isfinite(draws)]
    spread = float(finite.std()) if finite.size > 1 else 0.0
    scale = spread if spread > 0 else max(abs(observed) if np.isfinite(observed) else 0.0, 1.0)
    tol = SQRT_EPS * scale
    if alternative == "two-sided":
        return int(np.count_nonzero(np.abs(draws) >= abs(observed) - tol))
    if alternative == "greater":
        return int(np.count_nonzero(draws >= observed - tol))
    return int(np.count_nonzero(draws <= observed + tol))


def _count_text(count: int | float, log10: float | None = None) -> str:
    if count < 10**12:
        return f"{int(count):,}"
    return f"about 10^{math.log10(count) if log10 is None else log10:.1f}"


# --------------------------------------------------------------------------- results
def _draws_text(result) -> str:
    """How a result's null distribution was drawn, for its method line."""
    if result.exact:
        return f"exact, all {result.n_draws:,} assignments"
    return f"Monte Carlo, {result.n_draws:,} draws, seed {result.seed}"


_ARMS = ["n_treated", "n_control"]
_ARMS_HINT = (
    "For a trial of more than two arms pass condition1= and condition2= (the test of the "
    "contrast, re-drawing the units of those two arms) or statistic='omnibus' (no effect of "
    "any arm, re-drawing the whole assignment)."
)


@dataclass(frozen=True, eq=False)
class RandomizationResult(LinesDisplay, HypothesisTest):
    """A randomization test of the sharp null of no effect for anybody.

    Attributes
    ----------
    statistic : the observed value of the test statistic (also ``estimate``: for the
        difference in means it is the estimated effect).
    p_value : share of assignments whose statistic is at least as extreme as the observed
        one (see :func:`randomization_test` for the convention).
    std_error, conf_int : None (a test; :func:`randomization_ci` gives the interval).
    null_draws : the statistic under every enumerated (exact) or drawn assignment.
    n_draws : number of assignments used (all of them when ``exact``).
    exact : True when every possible assignment was enumerated.
    n_assignments : number of distinct assignments the design can produce (an int;
        ``math.inf`` beyond 10^300). ``log10_assignments`` : its log10.
    design : ``"complete"``, ``"blocked"``, ``"clustered"`` or ``"blocked and clustered"``.
    design_detail : the design in words (arm sizes, blocks, clusters).
    mc_std_error : Monte Carlo standard error of the p-value, ``sqrt(p (1 - p) / n_draws)``
        (0 for an exact test).
    alternative : ``"two-sided"``, ``"greater"`` (treated larger) or ``"less"``.
    statistic_name : the statistic used.
    seed : the seed of the draws (None for an exact test, which draws nothing): the
        seed given, or the one drawn for ``seed=None`` or from a Generator (see
        :func:`check_seed`); passing it back repeats the draws exactly.
    outcome, treatment, n_treated, n_control : the columns and the arm sizes in units.
    draw_order : the canonical order of the units the draws follow (:data:`DRAW_ORDER`):
        the same data in another row order give the same draws and p-value for a seed.
    arm_counts : for the omnibus test of several arms, the units per arm (label as text ->
        count; ``n_control`` is then the first arm's, ``n_treated`` the others'); else None.
    conditions : for the test of a contrast of two arms, ``(condition1, condition2)`` as
        text (``n_treated`` counts condition2, ``n_control`` condition1); else None.
    """

    statistic: float
    p_value: float
    null_draws: np.ndarray = field(repr=False)
    n_draws: int
    exact: bool
    n_assignments: int | float
    log10_assignments: float
    design: str
    design_detail: str
    mc_std_error: float
    alternative: str
    statistic_name: str
    seed: int | None
    outcome: str
    treatment: str
    n_treated: int
    n_control: int
    draw_order: str = DRAW_ORDER
    arm_counts: dict | None = None
    conditions: tuple[str, str] | None = None

    @property
    def p_value_conservative(self) -> float:
        """``(1 + b) / (1 + n_draws)`` for Monte Carlo draws (Phipson & Smyth 2010), which
        counts the observed assignment as one of the draws and is never below ``1/(1 +
        n_draws)``; the exact p-value for an exact test."""
        if self.exact:
            return self.p_value
        return (1 + round(self.p_value * self.n_draws)) / (1 + self.n_draws)

    @property
    def method(self) -> str:
        return f"Randomization test ({self.statistic_name}; {_draws_text(self)})"

    @property
    def estimate(self) -> float:
        """The observed statistic."""
        return self.statistic

    def _term(self) -> str:
        if self.conditions is not None:
            return f"{self.treatment}[{self.conditions[1]}]"
        return self.treatment

    def _arm_columns(self) -> dict:
        """``n[arm]`` per arm of an omnibus test (none otherwise)."""
        if self.arm_counts is None:
            return {}
        return {f"n[{arm}]": n for arm, n in self.arm_counts.items()}

    def _row_extra(self) -> dict:
        return {
            "outcome": self.outcome,
            "statistic_name": self.statistic_name,
            "mc_std_error": self.mc_std_error,
            "n_draws": self.n_draws,
            "exact": self.exact,
            "n_assignments": float(self.n_assignments),
            "alternative": self.alternative,
            "design": self.design,
            "seed": self.seed,
            "n_treated": self.n_treated,
            "n_control": self.n_control,
            **self._arm_columns(),
        }

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The arm sizes are counts; the statistic, p-value and its MC error rest on
        them, and so do the number of possible assignments (a binomial coefficient of
        the arm sizes, which gives them back) and the draws (all of them when exact)."""
        return declare_table(
            frame,
            counts=[*_ARMS, *self._arm_columns()],
            dependent=[
                "estimate", "statistic", "p_value", "mc_std_error", "n_assignments", "n_draws",
            ],
        )  # fmt: skip

    def _view_counts(self) -> dict:
        """The arm sizes (assignment units), for the disclosure control of the views."""
        if self.arm_counts is not None:
            return dict(self.arm_counts)
        return {"treated": self.n_treated, "control": self.n_control}

    def _arms_line(self) -> str:
        if self.arm_counts is not None:
            arms = ", ".join(f"{arm} {n}" for arm, n in self.arm_counts.items())
            return f"Outcome: {self.outcome}    Treatment: {self.treatment} (arms: {arms})"
        if self.conditions is not None:
            first, second = self.conditions
            return (
                f"Outcome: {self.outcome}    Treatment: {self.treatment}, {second} vs {first} "
                f"({second} {self.n_treated}, {first} {self.n_control})"
            )
        return (
            f"Outcome: {self.outcome}    Treatment: {self.treatment} "
            f"(treated {self.n_treated}, control {self.n_control})"
        )

    def _lines(self) -> list[str]:
        p = f"p = {self.p_value:.4g}"
        if not self.exact:
            p += f" (Monte Carlo s.e. {self.mc_std_error:.2g})"
        return [
            self.method,
            self._arms_line(),
            f"Design: {self.design_detail}; "
            f"{_count_text(self.n_assignments, self.log10_assignments)} possible assignments",
            f"Observed statistic {self.statistic:.6g}, {self.alternative}: {p}",
        ]


def randomization_test(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    blocks: str | None = None,
    clusters: str | None = None,
    statistic: str | Callable = "difference_in_means",
    n_draws: int = 10_000,
    seed: int | None = None,
    alternative: str = "two-sided",
    exact: str | bool = "auto",
    covariates: str | Sequence[str] | None = None,
    event: str | None = None,
    vectorized: bool = True,
    progress: bool = False,
    missing: str = "error",
    condition1=None,
    condition2=None,
) -> RandomizationResult:
    """Randomization (permutation) test of the sharp null of no effect (Fisher 1935).

    The assignment is re-drawn as the design drew it (the algorithm is in the module
    docstring of :mod:`evalkit.inference.randomization`): complete randomization keeps
    the observed number treated; ``blocks`` keeps every block's number treated;
    ``clusters`` assigns whole clusters and keeps the number of treated clusters (per
    block when blocked too). A block with a single unit,
    a block with one arm only, or a cluster with units in both arms is an error.

    Statistics (treated minus control throughout):

    - ``"difference_in_means"``: the design's estimate as :func:`evalkit.difference_in_means`
      (``sum_b (N_b/N)(mean_T,b - mean_C,b)`` with blocks; unit means with clusters);
    - ``"lin"``: Lin's (2013) regression-adjusted estimate as :func:`evalkit.lin_estimator`
      (needs ``covariates``; blocks are not used by the statistic, only by the draws);
    - ``"studentized"``: Welch's t; with blocks the blocked estimate over its blocked
      standard error (matched-pair standard error when a block has one unit in an arm);
    - ``"rank"``: the difference in means (as above) of the mid-ranks of the outcome over
      the whole sample: the Wilcoxon rank-sum statistic (with blocks the ranks are still
      pooled over all blocks, as R's ``coin::wilcox_test(y ~ t | block)``);
    - ``"ks"``: the two-sample Kolmogorov–Smirnov distance ``sup |F_T - F_C|``;
    - ``"logrank"``: observed minus expected events in the treated arm, ``sum_T (delta_i -
      Lambda(t_i))`` with the pooled Nelson–Aalen ``Lambda`` (within blocks: stratified);
      ``outcome`` is the duration and ``event`` the 0/1 event column;
    - a function ``f(y, t)``: called with ``y`` the outcome, shape ``(n,)``, in the row
      order of the data, and ``t`` a ``(draws, n)`` boolean matrix of assignments (one row
      per assignment, True = treated; whole clusters are expanded to their rows); it
      returns ``(draws,)`` values. With ``vectorized=False`` it is called once per
      assignment with ``t`` of shape ``(n,)`` and returns a number.

    **More than two arms.** ``condition1`` and ``condition2`` (two arm labels) test the
    contrast condition2 minus condition1: the rows of the other arms are set aside and the
    assignment is re-drawn among the units of those two arms as the design drew it (their
    numbers per block, or of clusters, kept), which is the design's own distribution of
    the two arms given which units are in them. ``statistic="omnibus"`` tests the sharp
    null of no effect of any arm by re-drawing the whole multi-arm assignment (every arm's
    number of units kept, within blocks): the statistic is the quadratic form ``c = (T -
    mu)' Sigma^+ (T - mu)`` of the arm totals ``T_k = sum_{i in k} y_i`` with their
    permutation mean and covariance within blocks (Strasser & Weber 1999; R's
    ``coin::oneway_test(y ~ arm | block)``, whose statistic it equals; for complete
    randomization ``c = (N - 1) SSB / SST``, a monotone function of the one-way ANOVA F);
    large values are extreme. It takes no clusters, covariates or event, and only
    ``alternative="two-sided"``; exact enumeration of the distinct assignments applies as
    above (their number is the product over blocks of multinomial coefficients).

    **p-value.** Monte Carlo: ``p = b / n_draws`` with ``b`` the draws at least as
    extreme as the observed statistic (two-sided: ``|draw| >= |observed|``; "greater":
    ``draw >= observed``; "less": ``draw <= observed``), up to a tolerance of
    ``sqrt(eps)`` null standard deviations for floating-point ties. The observed
    assignment is *not* added to the draws, as in R's ``coin`` (``distribution =
    approximate()``) and ``ri2``; ``result.p_value_conservative`` gives ``(1 + b) / (1 +
    n_draws)``. The Monte Carlo standard error is ``sqrt(p (1 - p) / n_draws)``. Exact:
    ``p`` is the share of all possible assignments (the observed one among them), as
    coin's ``distribution = "exact"``.

    **Row order.** The draws follow a canonical order of the units, not the row order of
    the data (``result.draw_order``): blocks and clusters by their labels, persons within
    a block by the values the test uses (treatment, outcome, covariates, event). Rows that
    carry the same values are interchangeable, so any reordering of the rows gives the
    same draws, hence the same p-value, for the same seed.

    Parameters
    ----------
    data : one row per person (not modified).
    outcome, treatment : columns; treatment is 0/1 or boolean.
    blocks, clusters : columns of the randomization blocks and clusters, or None.
    statistic : a name above or a function.
    n_draws : Monte Carlo draws (at least 1).
    seed : seed of the draws: a whole number, a ``numpy.random.Generator`` (one integer
        is drawn from it and used as the seed) or ``None`` (a fresh seed from the
        operating system); the seed used is recorded in ``result.seed``.
    alternative : ``"two-sided"``, ``"greater"`` (treated larger) or ``"less"``.
    exact : ``"auto"`` enumerates all assignments when there are at most ``n_draws`` of
        them; ``True`` always enumerates (at most 2,000,000); ``False`` never.
    covariates : covariates of ``statistic="lin"``.
    event : event column of ``statistic="logrank"``.
    vectorized : whether a user statistic takes a matrix of assignments.
    progress : print a progress line on stderr.
    missing : ``"error"`` or ``"drop"`` rows with missing values in the used columns.

    Example
    -------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"y": [3, 5, 4, 6, 2, 3, 1, 2], "t": [1, 1, 1, 1, 0, 0, 0, 0]})
    >>> r = randomization_test(d, "y", "t")
    >>> r.exact, r.n_draws, r.statistic, round(r.p_value, 4)
    (True, 70, 2.5, 0.0571)
    >>> d["arm"] = ["A", "A", "B", "B", "C", "C", "C", "A"]
    >>> o = randomization_test(d, "y", "arm", statistic="omnibus")
    >>> o.exact, o.n_draws, round(o.statistic, 4), round(o.p_value, 4)
    (True, 560, 3.8889, 0.1429)
    """
    if isinstance(statistic, str) and statistic == "omnibus":
        return _omnibus_test(
            data, outcome, treatment, blocks, clusters, n_draws, seed, alternative, exact,
            covariates, event, missing, condition1, condition2,
        )  # fmt: skip
    _check_statistic(statistic, alternative, event, covariates)
    n_draws = check_draws(n_draws)
    exact = _check_exact(exact)
    trial = prepare(
        data, outcome, treatment, blocks, clusters, covariates, event, missing,
        condition1, condition2,
    )  # fmt: skip
    design = trial.design
    stat = build_statistic(statistic, trial.Y, design, trial.X, trial.event, vectorized)
    use_exact = resolve_exact(design, n_draws, exact)
    used_seed = None if use_exact else check_seed(seed)
    observed, draws = null_draws(stat, design, n_draws, used_seed, use_exact, progress)
    observed, draws = float(observed[0]), draws[0]
    if not np.isfinite(observed):
        raise DesignError(
            f"the {stat.name} statistic is undefined for the observed assignment "
            f"({observed}); choose another statistic."
        )
    count = tail_count(draws, observed, alternative)
    total = len(draws)
    p = count / total
    return RandomizationResult(
        statistic=observed,
        p_value=p,
        null_draws=draws,
        n_draws=total,
        exact=use_exact,
        n_assignments=design.n_assignments,
        log10_assignments=design.log10_assignments,
        design=design.kind,
        design_detail=design.describe(),
        mc_std_error=0.0 if use_exact else math.sqrt(p * (1 - p) / total),
        alternative=alternative,
        statistic_name=stat.name,
        seed=used_seed,
        outcome=outcome,
        treatment=treatment,
        n_treated=int(trial.treated.sum()),
        n_control=int((~trial.treated).sum()),
        conditions=None if condition1 is None else (str(condition1), str(condition2)),
    )


# --------------------------------------------------------------------------- several arms
def _omnibus_test(
    data, outcome, treatment, blocks, clusters, n_draws, seed, alternative, exact,
    covariates, event, missing, condition1, condition2,
) -> RandomizationResult:  # fmt: skip
    """The omnibus randomization test of no effect of any arm (see randomization_test)."""
    for name, value in (
        ("clusters", clusters), ("covariates", covariates), ("event", event),
        ("condition1", condition1), ("condition2", condition2),
    ):  # fmt: skip
        if value is not None:
            raise ArgumentError(
                f"statistic='omnibus' takes no {name}= (it tests every arm at once on unit-"
                "randomized designs); test a contrast of two arms with condition1= and "
                "condition2= and another statistic."
            )
    check_choice(alternative, "alternative", ALTERNATIVES)
    if alternative != "two-sided":
        raise ArgumentError(
            "the omnibus statistic is a quadratic form (>= 0); only alternative='two-sided' "
            "applies."
        )
    n_draws = check_draws(n_draws)
    exact = _check_exact(exact)
    if not isinstance(outcome, str) or not isinstance(treatment, str):
        raise ArgumentError("outcome and treatment must be column names (strings).")
    if blocks is not None and not isinstance(blocks, str):
        raise ArgumentError(f"blocks must be a column name (a string) or None; got {blocks!r}.")
    roles = {"outcome": [outcome], "treatment": [treatment], "blocks": [blocks] if blocks else []}
    frame = select_columns(data, roles, missing=missing)
    y = numeric_column(frame[outcome], outcome)
    arm_codes, arm_labels = pd.factorize(frame[treatment], sort=True)
    n_arms = len(arm_labels)
    if n_arms < 2:
        raise DesignError(
            f"treatment column {treatment!r} has a single arm among the {len(y)} rows used; "
            "a test of the arms needs at least two."
        )
    block_codes = group_codes(frame[blocks]) if blocks else np.zeros(len(y), dtype=np.int64)
    n_blocks = int(block_codes.max()) + 1
    # canonical order: blocks by label, then arm, then outcome (row order does not matter)
    order = np.lexsort((y, arm_codes, block_codes))
    y, g, b = y[order], arm_codes[order].astype(np.int64), block_codes[order]
    sizes = np.bincount(b, minlength=n_blocks)
    if (sizes < 2).any():
        raise DesignError(
            f"{int((sizes < 2).sum())} of {n_blocks} blocks in {blocks!r} have a single unit; "
            "nothing can be re-drawn there. Merge them with neighbouring blocks."
        )
    per_block = np.zeros((n_blocks, n_arms), dtype=np.int64)
    np.add.at(per_block, (b, g), 1)
    mean_b = np.bincount(b, weights=y, minlength=n_blocks) / sizes
    var_b = np.bincount(b, weights=(y - mean_b[b]) ** 2, minlength=n_blocks) / sizes
    if not (var_b > 0).any():
        raise DesignError(f"outcome {outcome!r} does not vary within blocks: nothing to test.")
    mu = per_block.T @ mean_b
    sigma = np.zeros((n_arms, n_arms))
    for block in range(n_blocks):
        w = per_block[block].astype(float)
        n_b = sizes[block]
        sigma += n_b * var_b[block] / (n_b - 1) * (np.diag(w) - np.outer(w, w) / n_b)
    inverse = np.linalg.pinv(sigma, rcond=SQRT_EPS, hermitian=True)

    def quadratic(arms: np.ndarray) -> np.ndarray:
        m = arms.shape[0]
        index = arms + n_arms * np.arange(m)[:, None]
        totals = np.bincount(index.ravel(), weights=np.tile(y, m), minlength=m * n_arms)
        centred = totals.reshape(m, n_arms) - mu
        return np.einsum("dk,kl,dl->d", centred, inverse, centred)

    log10_count = float(
        sum(gammaln(n + 1) - gammaln(per_block[i] + 1).sum() for i, n in enumerate(sizes))
        / math.log(10)
    )
    count = _multinomial_count(sizes, per_block) if log10_count < 300 else math.inf
    use_exact = count <= n_draws if exact == "auto" else bool(exact)
    if use_exact and count > EXACT_MAX:
        raise ArgumentError(
            f"the design has {_count_text(count, log10_count)} possible assignments, too many "
            f"to enumerate (at most {EXACT_MAX:,}); use exact='auto' or exact=False."
        )
    used_seed = None if use_exact else check_seed(seed)
    observed = float(quadratic(g[None, :])[0])
    if use_exact:
        draws = np.concatenate([quadratic(chunk) for chunk in _all_arrangements(g, b, sizes)])
    else:
        rng = np.random.Generator(np.random.PCG64(used_seed))
        batch = max(1, min(n_draws, _BATCH_CELLS // max(len(y), 1)))
        parts, done = [], 0
        while done < n_draws:
            m = min(batch, n_draws - done)
            keys = rng.random((m, len(y))) + b  # a permutation within every block
            parts.append(quadratic(g[np.argsort(keys, axis=1, kind="stable")]))
            done += m
        draws = np.concatenate(parts)
    total = len(draws)
    p = tail_count(draws, observed, "greater") / total
    counts = per_block.sum(axis=0)
    names = [str(_plain(label)) for label in arm_labels]
    kind = "blocked" if blocks else "complete"
    detail = ", ".join(f"{name} {int(n)}" for name, n in zip(names, counts, strict=True))
    return RandomizationResult(
        statistic=observed,
        p_value=p,
        null_draws=draws,
        n_draws=total,
        exact=use_exact,
        n_assignments=count,
        log10_assignments=log10_count,
        design=kind,
        design_detail=f"{kind}, {n_arms} arms ({detail})"
        + (f", {n_blocks} blocks" if blocks else ""),
        mc_std_error=0.0 if use_exact else math.sqrt(p * (1 - p) / total),
        alternative=alternative,
        statistic_name=f"omnibus quadratic form of {n_arms} arm totals",
        seed=used_seed,
        outcome=outcome,
        treatment=treatment,
        n_treated=int(counts[1:].sum()),
        n_control=int(counts[0]),
        arm_counts=dict(zip(names, counts.tolist(), strict=True)),
    )


def _multinomial_count(sizes: np.ndarray, per_block: np.ndarray) -> int:
    """The number of distinct multi-arm assignments: prod_b n_b! / prod_k n_bk!."""
    count = 1
    for n_b, arms in zip(sizes.tolist(), per_block.tolist(), strict=True):
        term = math.factorial(n_b)
        for n_k in arms:
            term //= math.factorial(n_k)
        count *= term
    return count


def _block_arrangements(arms: np.ndarray) -> np.ndarray:
    """Every distinct arrangement of a block's arm labels (a multiset permutation), one
    per row: the positions of the first arm (combinations), then of the next among the
    positions left, and so on."""
    size = len(arms)
    labels, counts = np.unique(arms, return_counts=True)
    rows = [(np.full(size, -1, dtype=np.int64), tuple(range(size)))]
    for label, k in zip(labels.tolist(), counts.tolist(), strict=True):
        grown = []
        for row, free in rows:
            for chosen in itertools.combinations(free, k):
                new = row.copy()
                new[list(chosen)] = label
                grown.append((new, tuple(i for i in free if i not in chosen)))
        rows = grown
    return np.array([row for row, _ in rows], dtype=np.int64)


def _all_arrangements(g: np.ndarray, b: np.ndarray, sizes: np.ndarray) -> Iterator[np.ndarray]:
    """Every distinct multi-arm assignment within blocks (units sorted by block), in
    chunks of rows."""
    starts = np.concatenate([[0], np.cumsum(sizes)])
    per_block = [_block_arrangements(g[starts[i] : starts[i + 1]]) for i in range(len(sizes))]
    combos = itertools.product(*[range(len(a)) for a in per_block])
    while True:
        chunk = list(itertools.islice(combos, 4096))
        if not chunk:
            return
        index = np.array(chunk, dtype=np.int64)
        yield np.hstack([per_block[i][index[:, i]] for i in range(len(per_block))])


# --------------------------------------------------------------------------- intervals
@dataclass(frozen=True, eq=False)
class RandomizationInterval(LinesDisplay, InferentialResult):
    """A confidence interval for a constant additive effect by inverting randomization tests.

    Attributes
    ----------
    estimate : the point estimate the search starts from (the design's difference in
        means; Lin's estimate for ``statistic="lin"``).
    conf_int : ``(low, high)``: the effects ``tau`` whose test of ``Y(1) = Y(0) + tau``
        is not rejected at ``1 - level`` (infinite ends when the design cannot reject).
    level : confidence level.
    p_value : the randomization p-value of ``tau = 0`` (no effect).
    std_error : None (the interval comes from test inversion).
    statistic_name, n_draws, exact, seed, design, design_detail, outcome, treatment,
    n_treated, n_control, draw_order : as in :class:`RandomizationResult`.
    """

    estimate: float
    conf_int: tuple[float, float]
    level: float
    p_value: float
    statistic_name: str
    n_draws: int
    exact: bool
    seed: int | None
    design: str
    design_detail: str
    outcome: str
    treatment: str
    n_treated: int
    n_control: int
    draw_order: str = DRAW_ORDER

    @property
    def method(self) -> str:
        return (
            f"Randomization interval by test inversion ({self.statistic_name}; {_draws_text(self)})"
        )

    @property
    def std_error(self) -> None:
        """None: the interval comes from test inversion, not a standard error."""
        return None

    @property
    def alpha(self) -> float:
        """``1 - level``."""
        return 1 - self.level

    def _term(self) -> str:
        return self.treatment

    def _statistic(self) -> None:
        return None

    def _row_extra(self) -> dict:
        return {
            "level": self.level,
            "outcome": self.outcome,
            "method": self.method,
            "n_treated": self.n_treated,
            "n_control": self.n_control,
        }

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The arm sizes are counts; the estimate, interval and p-value rest on them."""
        return declare_table(
            frame, counts=_ARMS, dependent=["estimate", "p_value", "conf_low", "conf_high"]
        )

    def _view_counts(self) -> dict:
        """The arm sizes (assignment units), for the disclosure control of the views."""
        return {"treated": self.n_treated, "control": self.n_control}

    def _lines(self) -> list[str]:
        low, high = self.conf_int
        return [
            self.method,
            f"Outcome: {self.outcome}    Treatment: {self.treatment} "
            f"(treated {self.n_treated}, control {self.n_control})",
            f"Design: {self.design_detail}",
            f"Estimate {self.estimate:.6g}, {100 * self.level:g}% CI [{low:.6g}, {high:.6g}], "
            f"p (no effect) = {self.p_value:.4g}",
        ]


class _PValueCurve:
    """p(tau) of the shifted outcome y - tau * t_obs over fixed draws (common random numbers)."""

    def __init__(self, trial, statistic, n_draws, seed, exact, vectorized, progress):
        design = trial.design
        self.alternative = "two-sided"
        t_obs = trial.treated.astype(float)[:, None]
        probe = build_statistic(statistic, trial.Y, design, trial.X, None, vectorized)
        self.name = probe.name
        if probe.linear_in_y:
            # stat(y - tau t) = stat(y) - tau stat(t) for every assignment: two columns.
            both = build_statistic(
                statistic,
                np.column_stack([trial.Y[:, 0], t_obs[:, 0]]),
                design,
                trial.X,
                None,
                vectorized,
            )
            observed, draws = null_draws(both, design, n_draws, seed, exact, progress)
            self.linear = (observed, draws)
        else:
            self.linear = None
            self.batches = list(iter_assignments(design, n_draws, seed, exact, progress))
            self.factory = lambda y: build_statistic(
                statistic, y[:, None], design, trial.X, None, vectorized
            )
            self.y, self.t, self.design = trial.Y[:, 0], t_obs[:, 0], design
        self.n = n_draws

    def __call__(self, tau: float) -> float:
        if self.linear is not None:
            (a0, b0), (a, b) = self.linear
            observed, draws = a0 - tau * b0, a - tau * b
        else:
            stat = self.factory(self.y - tau * self.t)
            observed = float(stat(Batch(self.design.observed[:, None], self.design))[0, 0])
            draws = np.concatenate([stat(Batch(T, self.design))[0] for T in self.batches])
        return tail_count(draws, float(observed), "two-sided") / len(draws)


def randomization_ci(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    blocks: str | None = None,
    clusters: str | None = None,
    statistic: str | Callable = "difference_in_means",
    level: float = 0.95,
    n_draws: int = 10_000,
    seed: int | None = None,
    exact: str | bool = "auto",
    covariates: str | Sequence[str] | None = None,
    vectorized: bool = True,
    progress: bool = False,
    missing: str = "error",
    tol: float | None = None,
) -> RandomizationInterval:
    """Confidence interval for a constant additive effect by inverting randomization tests.

    Under the hypothesis ``Y_i(1) = Y_i(0) + tau`` for every unit, the adjusted outcomes
    ``Y_i - tau T_i`` are the control outcomes whatever the assignment, so the
    randomization test of the sharp null applies to them. The interval is the set of
    ``tau`` whose two-sided test is not rejected, ``{tau : p(tau) > 1 - level}``
    (Rosenbaum 2002, *Observational Studies*, 2nd ed., sec. 2.6; Imbens & Rubin 2015,
    sec. 5.7). Every ``p(tau)`` uses the same assignments (common random numbers), so
    ``p(tau)`` is a step function of ``tau`` and the interval does not jitter with
    Monte Carlo noise between values of ``tau``.

    The ends are found by bisection from the estimate outwards (doubling the step from
    one standard error until a rejected ``tau`` is found), to ``tol`` (default ``1e-6``
    standard errors); an end is infinite when no ``tau`` is rejected, as happens when
    the design has too few assignments to reach ``1 - level``. The set is assumed to be
    an interval, as it is for the difference in means. For the difference in means and
    Lin's estimate the statistic is linear in ``tau`` for every assignment, so each
    ``p(tau)`` costs a pass over stored draws; other statistics are recomputed over the
    same stored assignments. The log-rank and KS statistics have no additive shift model
    here and are not accepted.

    Parameters are as :func:`randomization_test`; ``level`` is the confidence level.

    Example
    -------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"y": [3, 5, 4, 6, 2, 3, 1, 2, 4, 3],
    ...                   "t": [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]})
    >>> ci = randomization_ci(d, "y", "t")
    >>> ci.exact, round(ci.estimate, 4), [round(x, 3) for x in ci.conf_int]
    (True, 1.4, [-1.0, 3.5])
    """
    if statistic in ("logrank", "ks"):
        raise ArgumentError(
            f"statistic={statistic!r} has no constant additive effect to invert; use "
            "'difference_in_means', 'lin', 'studentized', 'rank' or a function."
        )
    _check_statistic(statistic, "two-sided", None, covariates)
    try:
        level = float(level)
    except (TypeError, ValueError):
        raise ArgumentError(f"level must be a number in (0, 1); got {level!r}.") from None
    if not 0.0 < level < 1.0:
        raise ArgumentError(f"level must be strictly between 0 and 1 (e.g. 0.95); got {level}.")
    n_draws = check_draws(n_draws)
    exact = _check_exact(exact)
    trial = prepare(data, outcome, treatment, blocks, clusters, covariates, None, missing)
    design = trial.design
    use_exact = resolve_exact(design, n_draws, exact)
    used_seed = None if use_exact else check_seed(seed)
    alpha = 1.0 - level

    # Point estimate and scale from the design's difference in means (Lin: its estimate).
    centre_stat = "lin" if statistic == "lin" else "difference_in_means"
    probe = build_statistic(
        centre_stat, np.column_stack([trial.Y[:, 0], trial.treated]), design, trial.X
    )
    a0, b0 = probe(Batch(design.observed[:, None], design))[:, 0]
    estimate = float(a0 / b0)
    y1, y0 = trial.Y[trial.treated, 0], trial.Y[~trial.treated, 0]
    scale = math.sqrt(
        (y1.var(ddof=1) if len(y1) > 1 else 0.0) / len(y1)
        + (y0.var(ddof=1) if len(y0) > 1 else 0.0) / len(y0)
    )
    if not scale > 0:
        scale = max(abs(estimate), 1.0)
    step_tol = (1e-6 * scale) if tol is None else float(tol)

    curve = _PValueCurve(trial, statistic, n_draws, used_seed, use_exact, vectorized, progress)
    p_zero = curve(0.0)
    centre = estimate
    if not curve(centre) > alpha:
        grid = estimate + scale * np.linspace(-4, 4, 81)
        accepted = [tau for tau in grid if curve(tau) > alpha]
        if not accepted:
            raise DesignError(
                f"no constant effect is accepted at level {level:g} near the estimate "
                f"{estimate:.6g}; the acceptance set of the {curve.name} statistic is empty."
            )
        centre = accepted[len(accepted) // 2]
    low = _end(curve, centre, -scale, alpha, step_tol)
    high = _end(curve, centre, scale, alpha, step_tol)
    return RandomizationInterval(
        estimate=estimate,
        conf_int=(low, high),
        level=level,
        p_value=p_zero,
        statistic_name=curve.name,
        n_draws=design.n_assignments if use_exact else n_draws,
        exact=use_exact,
        seed=used_seed,
        design=design.kind,
        design_detail=design.describe(),
        outcome=outcome,
        treatment=treatment,
        n_treated=int(trial.treated.sum()),
        n_control=int((~trial.treated).sum()),
    )


def _end(curve, accepted: float, step: float, alpha: float, tol: float) -> float:
    """The end of the acceptance set in the direction of ``step`` (bisection)."""
    rejected = None
    for _ in range(60):
        candidate = accepted + step
        if curve(candidate) > alpha:
            accepted, step = candidate, 2 * step
        else:
            rejected = candidate
            break
    if rejected is None:
        return math.copysign(math.inf, step)
    for _ in range(200):
        if abs(rejected - accepted) <= tol:
            break
        middle = 0.5 * (accepted + rejected)
        if curve(middle) > alpha:
            accepted = middle
        else:
            rejected = middle
    return float(accepted)
