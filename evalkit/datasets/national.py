"""A SYNTHETIC national weekly register, written chunk by chunk to parquet at constant memory.

:func:`write_synthetic_register` writes a DREAM-like wide extract of millions of made-up
persons (no real person, no real code history) for tests, benchmarks and teaching of the
register-scale engines (:mod:`evalkit.scale`). Memory holds one chunk of persons at a
time, whatever the number of persons.

Every random number is a hash of (seed, person, week) (SplitMix64), not a draw from a
stream, so a person's history does not depend on how the persons are chunked: the same
seed gives the same values with any ``chunk_persons`` (the row groups differ, the data do
not).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._progress import Progress
from ..errors import ArgumentError, EvalkitError
from ..panel.states import StateClassification, synthetic_classification
from .synthetic import _calendar, _count, _dream_name

__all__ = ["SyntheticExtract", "write_synthetic_register"]

# Generator states. S is blank (self-sufficient: no code); X is one absorbing week
# (death / emigration), after which the cells are blank (follow-up ends there).
S, K, P, E, Y, R, F, D, X, GONE = range(10)
_N = 10
#: Weekly transition intensities (from -> {to: intensity}); a week with total intensity L
#: is left with probability 1 - exp(-L), to each state in proportion to its intensity.
NATIONAL_HAZARDS: dict[int, dict[int, float]] = {
    S: {K: 0.0030, P: 0.0015, E: 0.0015, Y: 0.0030, X: 0.00015},
    K: {S: 0.0100, P: 0.0120, E: 0.0020, Y: 0.0040, R: 0.0005, D: 0.0003, X: 0.0002},
    P: {S: 0.0300, K: 0.1200, X: 0.0001},
    E: {S: 0.0080, K: 0.0040, X: 0.00005},
    Y: {S: 0.0500, K: 0.0300, R: 0.0020, D: 0.0010, X: 0.0004},
    R: {K: 0.0100, F: 0.0050, D: 0.0050, X: 0.0002},
    F: {K: 0.0020, D: 0.0010, X: 0.0001},
    D: {X: 0.0006},
}  # fmt: skip
#: The state of each person in the first week.
START_SHARES = {S: 0.62, K: 0.14, P: 0.03, E: 0.08, Y: 0.04, R: 0.02, F: 0.03, D: 0.04}
#: Moves from cash benefit or partly self-sufficient weeks into work (S) are multiplied by
#: this in arm 1 (an assumed effect, for the survival examples).
ARM_HAZARD_RATIO = 1.2
N_MUNICIPALITIES = 98
_CODES = np.zeros((_N, 4), dtype=np.int16)  # state x variant (bit 1: 131/652, bit 2: 998)
_v = np.arange(4)
_CODES[K] = np.where(_v & 1, 131, 130)
_CODES[P] = 135
_CODES[E] = np.where(_v & 1, 652, 651)
_CODES[Y] = 890
_CODES[R] = 771
_CODES[F] = 741
_CODES[D] = 783
_CODES[X] = np.where(_v & 2, 998, 997)
_CODE_LOOKUP = _CODES.ravel()  # index: state * 4 + variant

_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_GOLDEN = 0x9E3779B97F4A7C15
# "week" numbers of the person attributes' hashes (weeks themselves are 0, 1, ...)
_ARM, _MUNICIPALITY, _VARIANT, _START = (1 << 40) + np.arange(4)


@dataclass(frozen=True)
class SyntheticExtract:
    """What :func:`write_synthetic_register` wrote (SYNTHETIC data).

    Attributes
    ----------
    path : the parquet file.
    n_persons, n_weeks : its size.
    seed : the seed (same seed, same values, whatever ``chunk_persons``).
    id : the id column (``"id"``, whole numbers 1..n_persons).
    week_columns : the DREAM week columns (``y_YYWW``), in order.
    person_columns : ``("arm", "municipality")``: arm 0/1 (half each) and a synthetic
        municipality number 1..98.
    blank : ``"self_sufficient"``: a blank cell from the first coded week on.
    """

    path: Path
    n_persons: int
    n_weeks: int
    seed: int
    id: str
    week_columns: tuple[str, ...]
    person_columns: tuple[str, ...]
    blank: str = "self_sufficient"

    @property
    def classification(self) -> StateClassification:
        """The code list of the file (:func:`evalkit.panel.synthetic_classification`)."""
        return synthetic_classification()


def write_synthetic_register(
    path: str | os.PathLike,
    n_persons: int,
    n_weeks: int = 520,
    seed: int = 2016,
    chunk_persons: int = 100_000,
    start: str = "2010-W01",
    progress: bool | None = None,
) -> SyntheticExtract:
    """Write a SYNTHETIC DREAM-like national register to parquet, one chunk at a time.

    One row per person: ``id`` (1..n_persons, int64), ``arm`` (0/1, int8, half each),
    ``municipality`` (1..98, int16, sizes falling like a national list) and one int16
    column per week (``y_YYWW`` from ``start``) holding a benefit code of
    :func:`evalkit.panel.synthetic_classification` or blank (null): no public transfer,
    a self-sufficient week once the person has had a code (read with
    ``blank="self_sufficient"``). About half the cells are blank; persons who are never
    coded have no observed week. Weeks follow a Markov chain (:data:`NATIONAL_HAZARDS`,
    weekly intensities; moves from benefit into work are 1.2 times as likely in arm 1);
    absorbing codes 997/998 end a history.

    The file's metadata (key ``b"evalkit"``) says ``"synthetic": true`` with the seed and
    size. Memory holds one chunk of ``chunk_persons`` persons (about ``chunk_persons x
    n_weeks x 4`` bytes); each chunk is one row group.

    Parameters
    ----------
    path : the parquet file to write (replaced if it exists; written to a temporary name
        first, so a stopped run leaves no half-written file under ``path``).
    n_persons : persons (>= 1).
    n_weeks : weeks (>= 1; DREAM names cover 1991-2090).
    seed : a whole number; the same seed gives the same values whatever ``chunk_persons``.
    chunk_persons : persons per chunk and row group.
    start : the first week (ISO label, DREAM name or date).
    progress : progress line on standard error: True, False, or None (on a terminal).

    Returns
    -------
    SyntheticExtract
        The path, size, seed and column names, and the classification to read it with.

    Example
    -------
    >>> import os, tempfile
    >>> from evalkit.panel import StatusPanel, read_panel
    >>> path = os.path.join(tempfile.mkdtemp(), "national.parquet")
    >>> extract = write_synthetic_register(path, n_persons=1000, n_weeks=52, seed=1)
    >>> frame = read_panel(extract.path)
    >>> frame.columns[:5].tolist(), len(frame)
    (['id', 'arm', 'municipality', 'y_1001', 'y_1002'], 1000)
    >>> panel = StatusPanel.from_wide(frame, "id", list(extract.week_columns),
    ...                               extract.classification, blank=extract.blank)
    >>> panel.n_persons, panel.n_weeks
    (1000, 52)
    """
    n_persons = _count(n_persons, "n_persons")
    n_weeks = _count(n_weeks, "n_weeks")
    chunk_persons = _count(chunk_persons, "chunk_persons")
    for name, value in (("n_persons", n_persons), ("n_weeks", n_weeks), ("chunk", chunk_persons)):
        if value < 1:
            raise ArgumentError(f"{name} must be at least 1; got {value}.")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ArgumentError(f"seed must be a whole number >= 0; got {seed!r}.")
    labels = _calendar(start, n_weeks)
    week_columns = tuple(_dream_name(label) for label in labels)
    target = Path(path)
    if not target.parent.exists():
        raise ArgumentError(
            f"the folder of {target.name!r} does not exist; create it first ({target.parent})."
        )
    pa, pq = _pyarrow()
    fields = [pa.field("id", pa.int64()), pa.field("arm", pa.int8())]
    fields += [pa.field("municipality", pa.int16())]
    fields += [pa.field(name, pa.int16()) for name in week_columns]
    meta = {
        "synthetic": True,
        "note": "SYNTHETIC register written by evalkit.datasets.write_synthetic_register: "
        "no real persons",
        "seed": int(seed),
        "n_persons": n_persons,
        "n_weeks": n_weeks,
        "start": labels[0],
    }
    schema = pa.schema(fields, metadata={b"evalkit": json.dumps(meta).encode()})
    partial = target.with_name(target.name + ".partial")
    tables = _Tables()
    try:
        with (
            pq.ParquetWriter(partial, schema, compression="snappy") as writer,
            Progress("synthetic register", n_persons, "persons", progress) as bar,
        ):
            for first in range(0, n_persons, chunk_persons):
                persons = np.arange(first + 1, min(first + chunk_persons, n_persons) + 1)
                arm, municipality, codes = _simulate_chunk(persons, int(seed), n_weeks, tables)
                columns = [pa.array(persons), pa.array(arm), pa.array(municipality)]
                for t in range(n_weeks):
                    week = codes[t]
                    columns.append(pa.array(week, mask=week == 0))
                writer.write_table(pa.Table.from_arrays(columns, schema=schema))
                bar.update(len(persons))
                del columns, codes
        os.replace(partial, target)
    finally:
        if partial.exists():
            partial.unlink()
    return SyntheticExtract(
        target, n_persons, n_weeks, int(seed), "id", week_columns, ("arm", "municipality")
    )


# ---------------------------------------------------------------- generation
class _Tables:
    """Stay probabilities and cumulative move distributions per arm and state."""

    def __init__(self) -> None:
        stay = np.ones((2, _N))
        cum = np.ones((2, _N, _N))
        for arm in (0, 1):
            for s in range(_N):
                rates = np.zeros(_N)
                for t, rate in NATIONAL_HAZARDS.get(s, {}).items():
                    rates[t] = rate * (ARM_HAZARD_RATIO if arm and t == S and s in (K, P) else 1)
                if s == X:
                    rates[GONE] = 1.0
                    stay[arm, s] = 0.0
                elif rates.sum() == 0:
                    continue
                else:
                    stay[arm, s] = math.exp(-rates.sum())
                row = np.cumsum(rates / rates.sum())
                row[np.flatnonzero(rates > 0)[-1] :] = 1.0
                cum[arm, s] = row
        self.stay = stay.ravel().astype(np.float32)  # index: arm * _N + state
        self.cum = cum.reshape(2 * _N, _N)
        weights = 1.0 / np.arange(1, N_MUNICIPALITIES + 1) ** 0.9
        self.municipality_cum = np.cumsum(weights / weights.sum())
        shares = np.array([START_SHARES.get(s, 0.0) for s in range(_N)])
        self.start_cum = np.cumsum(shares / shares.sum())


def _mix(work: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser on ``work``, in place (uint64)."""
    with np.errstate(over="ignore"):
        np.bitwise_xor(work, work >> np.uint64(30), out=work)
        np.multiply(work, _M1, out=work)
        np.bitwise_xor(work, work >> np.uint64(27), out=work)
        np.multiply(work, _M2, out=work)
        np.bitwise_xor(work, work >> np.uint64(31), out=work)
    return work


def _hash_uniform(keys: np.ndarray, week: int, out: np.ndarray, work: np.ndarray) -> np.ndarray:
    """Uniforms in [0, 1) from the person's key and the week (SplitMix64), into ``out``."""
    np.add(keys, np.uint64((int(week) * _GOLDEN) % (1 << 64)), out=work)
    _mix(work)
    np.right_shift(work, np.uint64(11), out=work)
    np.multiply(work, 2.0**-53, out=out)
    return out


def _person_keys(persons: np.ndarray, seed: int) -> np.ndarray:
    """One well-mixed 64-bit key per person number and seed."""
    with np.errstate(over="ignore"):
        keys = persons.astype(np.uint64) * np.uint64(_GOLDEN)
        keys += np.uint64((int(seed) * 0xD1B54A32D192ED03 + 1) % (1 << 64))
    return _mix(keys)


def _simulate_chunk(persons: np.ndarray, seed: int, n_weeks: int, tables: _Tables):
    """(arm, municipality, codes[week, person]) of the persons (numbers 1..n)."""
    n = len(persons)
    keys = _person_keys(persons, seed)
    u = np.empty(n)
    work = np.empty(n, dtype=np.uint64)
    arm = (_hash_uniform(keys, _ARM, u, work) < 0.5).astype(np.int8)
    where = _hash_uniform(keys, _MUNICIPALITY, u, work)
    municipality = np.searchsorted(tables.municipality_cum, where, side="right")
    municipality = (np.minimum(municipality, N_MUNICIPALITIES - 1) + 1).astype(np.int16)
    variant = (_hash_uniform(keys, _VARIANT, u, work) * 4).astype(np.intp)
    state = np.searchsorted(tables.start_cum, _hash_uniform(keys, _START, u, work), side="right")
    key = arm.astype(np.intp) * _N + np.minimum(state, _N - 1)
    arm_base = arm.astype(np.intp) * _N
    codes = np.empty((n_weeks, n), dtype=np.int16)
    row = _CODE_LOOKUP[(key - arm_base) * 4 + variant]  # this week's codes
    stay_now = np.empty(n, dtype=np.float32)
    for t in range(n_weeks):
        if t:
            _hash_uniform(keys, t, u, work)
            tables.stay.take(key, out=stay_now)
            moved = np.flatnonzero(u >= stay_now)
            if moved.size:
                s = stay_now[moved].astype(np.float64)
                # the same uniform, rescaled above the stay probability, picks the move
                draw = (u[moved] - s) / np.maximum(1.0 - s, 1e-300)
                new = np.minimum((tables.cum[key[moved]] <= draw[:, None]).sum(axis=1), _N - 1)
                key[moved] = arm_base[moved] + new
                row[moved] = _CODE_LOOKUP[new * 4 + variant[moved]]  # S and GONE: 0 (blank)
        codes[t] = row
    return arm, municipality, codes


def _pyarrow():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - depends on the environment
        raise EvalkitError(
            "write_synthetic_register writes parquet and needs the optional package "
            "'pyarrow'; install it with: pip install \"evalkit[parquet]\""
        ) from None
    return pa, pq
