"""State classification: from raw register codes to named states.

A register such as DREAM records one benefit code per person and week. Evaluations
reason in states (self-sufficient, cash benefit, education...). A
:class:`StateClassification` maps codes, or ranges of numeric codes, to states and
reports every code it cannot place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import _withheld
from ..errors import ArgumentError, EvalkitError


class UnknownCodeError(EvalkitError):
    """Raw codes in the data that the state classification does not map."""


#: Code ranges are written as ``range(a, b)`` or a ``(low, high)`` tuple (inclusive).
CodeSpec = Iterable | tuple[float, float] | range


@dataclass(frozen=True)
class StateClassification:
    """Maps raw codes to named states.

    Parameters
    ----------
    states : dict of state name -> codes. Codes are a list of values (numbers or
        strings), a ``range`` or an inclusive ``(low, high)`` tuple of numbers, or a
        list mixing them.
    other : state for every code not listed; by default unknown codes are an error
        that lists them with their counts.
    absorbing : states that end follow-up (death, emigration): weeks after the first
        absorbing week are not observed.

    Example
    -------
    >>> c = StateClassification({"cash_benefit": (130, 139), "education": [651, 652]})
    >>> c.classify([130, 651, 135]).tolist()
    [0, 1, 0]
    >>> c.names
    ('cash_benefit', 'education')
    """

    states: Mapping[str, object]
    other: str | None = None
    absorbing: tuple[str, ...] = ()
    names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.states, Mapping) or not self.states:
            raise ArgumentError("states must be a non-empty dict of state name -> codes.")
        names = list(self.states)
        if self.other is not None and self.other not in names:
            names.append(self.other)
        absorbing = tuple(self.absorbing)
        unknown = [s for s in absorbing if s not in names]
        if unknown:
            raise ArgumentError(f"absorbing states {unknown} are not among the states {names}.")
        if len(names) > 127:
            raise ArgumentError("at most 127 states are supported.")
        object.__setattr__(self, "names", tuple(names))
        object.__setattr__(self, "absorbing", absorbing)

    def state_index(self, name: str) -> int:
        """Position of a state name (its code in a panel)."""
        try:
            return self.names.index(name)
        except ValueError:
            raise ArgumentError(
                f"unknown state {name!r}; the states are {', '.join(self.names)}."
            ) from None

    def indices(self, names: str | Iterable[str]) -> np.ndarray:
        """Codes of one state name or of a set of names."""
        if isinstance(names, str):
            names = [names]
        return np.array([self.state_index(n) for n in names], dtype=np.int8)

    def classify(self, codes, *, column: str | None = None, ids=None) -> np.ndarray:
        """State codes (int8, positions in :attr:`names`) of raw codes; -1 for missing values.

        Raises :class:`UnknownCodeError` listing unmapped codes and their counts, unless
        ``other`` is set. The codes are listed only when they cannot be person identifiers
        (the rule of :func:`evalkit._validation._show_values`): ``column`` names the code
        column (for the message and the rule) and ``ids`` are the persons' ids in the same
        data, so that an id column passed as the code column is never echoed.
        Whole-number codes in a numeric array (a register's benefit
        codes, NaN for blank weeks) go through a lookup table over their range: a few
        vectorised passes instead of hashing every value.
        """
        shape = np.shape(codes)
        numeric = _whole_number_codes(np.asarray(codes))
        if numeric is not None:
            offsets, missing, low = numeric
            counts = np.bincount(offsets)
            if missing is not None:
                counts[0] -= int(np.count_nonzero(missing))  # missing cells sat at offset 0
            present = np.flatnonzero(counts)
            table = np.full(len(counts), -1, dtype=np.int8)
            table[present] = self._map(pd.Index(present + low), counts[present], column, ids)
            out = table[offsets]
            if missing is not None:
                out[missing] = -1
            return out.reshape(shape)
        values = pd.Series(np.asarray(codes, dtype=object).ravel())
        missing = values.isna().to_numpy()
        inverse, uniques = pd.factorize(values, use_na_sentinel=True)
        counts = np.bincount(inverse[inverse >= 0], minlength=len(uniques))
        if not len(uniques):  # nothing but missing values
            return np.full(shape, -1, dtype=np.int8)
        _refuse_fractional(uniques, counts, column, ids)
        mapped = self._map(uniques, counts, column, ids)
        out = np.where(inverse >= 0, mapped[np.maximum(inverse, 0)], -1).astype(np.int8)
        out[missing] = -1
        return out.reshape(shape)

    def code_table(self) -> IntegerCodeTable:
        """A lookup table from integer codes to state positions, for reading an extract
        block by block (see :class:`IntegerCodeTable`).

        Example
        -------
        >>> c = StateClassification({"cash_benefit": [130], "education": [651]})
        >>> c.code_table().classify(np.array([651, 130], dtype=np.int16)).tolist()
        [1, 0]
        """
        return IntegerCodeTable(self)

    def _map(self, uniques: pd.Index, counts: np.ndarray, column=None, ids=None) -> np.ndarray:
        """The state of each distinct raw code (an error lists the unmapped ones, unless they
        may be identifiers)."""
        mapped = np.full(len(uniques), -1, dtype=np.int8)
        for position, name in enumerate(self.states):
            mapped[_matches(uniques, self.states[name]) & (mapped < 0)] = position
        unmapped = np.flatnonzero(mapped < 0)
        if unmapped.size:
            if self.other is None:
                order = np.argsort(-counts[unmapped], kind="stable")
                values = [_plain(uniques[unmapped[i]]) for i in order[:20]]
                where = f" in column {column!r}" if column is not None else ""
                rows = int(counts[unmapped].sum())
                reason = _withheld(values, column, ids=ids) or (
                    # every code once, and many of them: an id column, not codes
                    "the codes look like identifiers; values not shown"
                    if unmapped.size > 5 and unmapped.size == rows
                    else None
                )
                if reason:
                    listing = f"({reason})"
                else:
                    listing = "(code: count) " + ", ".join(
                        f"{v!r}: {counts[unmapped[i]]}" for v, i in zip(values, order, strict=False)
                    )
                    if unmapped.size > 20:
                        listing += f" and {unmapped.size - 20} more"
                raise UnknownCodeError(
                    f"{unmapped.size} raw codes{where} ({rows} cells) are not in the state "
                    f"classification {listing}. Add them to a state, or pass "
                    "other='<state name>' to map every remaining code to one state"
                    + (f"; check that {column!r} is the code column." if reason else ".")
                )
            mapped[unmapped] = self.state_index(self.other)
        return mapped


_UNDECIDED = -2  # an IntegerCodeTable entry for a code not met yet


class IntegerCodeTable:
    """Integer codes to state positions through a table over the 16-bit range.

    Built by :meth:`StateClassification.code_table`. The table starts empty and learns
    each code the first time a block holds it (through the classification's own rules,
    so ranges, ``other`` and :class:`UnknownCodeError` behave exactly as in
    :meth:`StateClassification.classify`); after that a block of codes is classified by
    one indexing pass on the codes in their own integer type (no float copy, no hashing).
    Codes outside the 16-bit range go through the classification's general path.

    Example
    -------
    >>> table = StateClassification({"cash_benefit": (130, 139)}).code_table()
    >>> table.classify(np.array([130, 135, 0], dtype=np.int32),
    ...                valid=np.array([True, True, False])).tolist()
    [0, 0, -1]
    """

    def __init__(self, classification: StateClassification) -> None:
        if not isinstance(classification, StateClassification):
            raise ArgumentError("code_table needs a StateClassification.")
        self.classification = classification
        # entry u is the state of code u (u < 2**15) or u - 2**16 (above): int16 codes
        # index it through their uint16 view without a widening copy.
        self._table = np.full(1 << 16, _UNDECIDED, dtype=np.int8)

    def classify(
        self,
        values: np.ndarray,
        valid: np.ndarray | None = None,
        *,
        column: str | None = None,
        ids=None,
        missing: int | np.ndarray = -1,
        out: np.ndarray | None = None,
    ) -> np.ndarray:
        """State positions (int8) of a 1-d array of integer codes; ``missing`` (-1, or an
        int8 array of the values to put there) where not ``valid``.

        ``valid`` (boolean, or 0/1 uint8) marks the cells that hold a code; the values of
        the others are ignored (Arrow leaves them undefined). An unknown code raises
        :class:`UnknownCodeError` naming ``column`` and the number of cells, and listing
        the codes only when they cannot be identifiers (``ids``: the persons' ids).
        """
        values = np.asarray(values)
        if values.dtype.kind not in "iu":
            raise ArgumentError("IntegerCodeTable.classify needs integer codes.")
        keep = None  # 0xFF where valid, 0 where not: blends without masked copies
        if valid is not None:
            valid = np.asarray(valid)
            keep = np.subtract(0, valid.view(np.uint8), dtype=np.uint8)
            valid = valid.view(bool)
        narrow = _as_int16(values, valid)
        if out is None:
            out = np.empty(values.shape, dtype=np.int8)
        if narrow is None:  # codes beyond 16 bits: the general path
            out[...] = self._classify_wide(values, valid, column, ids)
        else:
            np.take(self._table, narrow.view(np.uint16), out=out)
            if keep is not None:
                blend(out, keep, missing)
            if out.size and out.min() <= _UNDECIDED:  # only codes met for the first time
                self._learn(narrow[out == _UNDECIDED], column, ids)
                np.take(self._table, narrow.view(np.uint16), out=out)
            else:
                return out
        if keep is not None:
            blend(out, keep, missing)
        return out

    def _learn(self, new: np.ndarray, column, ids) -> None:
        """Add the codes met for the first time (an error for unknown ones)."""
        codes, counts = np.unique(new, return_counts=True)
        mapped = self.classification._map(pd.Index(codes.astype(np.int64)), counts, column, ids)
        self._table[codes.astype(np.int16).view(np.uint16)] = mapped

    def _classify_wide(self, values, valid, column, ids) -> np.ndarray:
        present = values if valid is None else values[valid]
        codes, inverse, counts = np.unique(present, return_inverse=True, return_counts=True)
        out = np.full(values.shape, -1, dtype=np.int8)
        if codes.size:
            mapped = self.classification._map(pd.Index(codes), counts, column, ids)
            if valid is None:
                out[...] = mapped[inverse].reshape(values.shape)
            else:
                out[valid] = mapped[inverse]
        return out


def blend(out: np.ndarray, keep: np.ndarray, other: int | np.ndarray) -> None:
    """``out = keep ? out : other`` on int8 cells, ``keep`` 0xFF or 0 (uint8): bitwise
    passes, several times faster than a masked copy."""
    view = out.view(np.uint8)
    np.bitwise_and(view, keep, out=view)
    if isinstance(other, np.ndarray):
        rest = np.bitwise_and(np.invert(keep), other.view(np.uint8))
    else:
        rest = np.bitwise_and(np.invert(keep), np.uint8(np.int8(other).view(np.uint8)))
    np.bitwise_or(view, rest, out=view)


def _as_int16(values: np.ndarray, valid) -> np.ndarray | None:
    """The codes as int16 (a view when they are int16 already), or None when some valid
    code lies outside the 16-bit range."""
    if values.dtype == np.int16:
        return values
    if values.dtype.itemsize == 1 or values.dtype == np.uint16:
        if values.dtype == np.uint16 and values.size and values.max() > 32767:
            return None if _outside(values, valid) else _clip16(values, valid)
        return values.astype(np.int16)
    if values.size == 0:
        return values.astype(np.int16)
    if _outside(values, valid):
        return None
    return _clip16(values, valid)


def _outside(values, valid) -> bool:
    """Whether some valid code lies outside the int16 range."""
    if valid is None:
        low, high = values.min(), values.max()
    else:
        if not valid.any():
            return False
        low = values.min(initial=np.iinfo(values.dtype).max, where=valid)
        high = values.max(initial=np.iinfo(values.dtype).min, where=valid)
    return bool(low < -32768 or high > 32767)


def _clip16(values, valid) -> np.ndarray:
    """int16 codes; invalid cells (whatever they hold) clipped into range."""
    if valid is None:
        return values.astype(np.int16)
    return np.clip(values, -32768, 32767).astype(np.int16)


def _refuse_fractional(uniques: pd.Index, counts: np.ndarray, column=None, ids=None) -> None:
    """Raise :class:`UnknownCodeError` when numeric codes are not whole numbers.

    Register codes are whole numbers; 0.7 in a code column is a share, an amount or a
    misread file, never a code to be rounded, truncated or sent to ``other``.
    """
    fractional = np.array(
        [
            isinstance(v, float | np.floating) and bool(np.isfinite(v)) and v != np.floor(v)
            for v in uniques
        ],
        dtype=bool,
    )
    if not fractional.any():
        return
    where = f" in column {column!r}" if column is not None else ""
    cells = int(counts[fractional].sum())
    order = np.flatnonzero(fractional)[np.argsort(-counts[fractional], kind="stable")]
    values = [_plain(uniques[i]) for i in order[:5]]
    reason = _withheld(values, column, ids=ids)
    listing = (
        f"({reason})"
        if reason
        else "(code: count) "
        + ", ".join(f"{v!r}: {counts[i]}" for v, i in zip(values, order, strict=False))
        + (f" and {order.size - 5} more" if order.size > 5 else "")
    )
    raise UnknownCodeError(
        f"{cells} cell{'s' if cells != 1 else ''}{where} hold{'s' if cells == 1 else ''} codes "
        f"that are not whole numbers ({order.size} distinct {listing}); register codes are "
        "whole numbers, and "
        "evalkit does not round, truncate or classify fractional ones. Check that "
        + (f"{column!r} is the code column" if column is not None else "these are codes")
        + " (not a share or an amount), or recode the fractional codes."
    )


def _plain(value):
    """A numpy scalar as the Python value it holds (for messages)."""
    return value.item() if isinstance(value, np.generic) else value


_MAX_CODE_RANGE = 1 << 20  # widest range of whole-number codes read through a lookup table


def _whole_number_codes(array: np.ndarray):
    """``(offsets, missing, low)`` when ``array`` holds whole numbers (NaN allowed) in a
    range of at most ``_MAX_CODE_RANGE``: offsets from the smallest code (0 where
    missing), the missing cells (or None) and that smallest code; else None."""
    if array.dtype.kind not in "iuf" or array.size == 0:
        return None
    flat = array.ravel()
    missing = None
    if flat.dtype.kind == "f":
        missing = np.isnan(flat)
        if missing.all():
            return None
        if not missing.any():
            missing = None
    seen = None if missing is None else ~missing
    low = flat.min(initial=np.inf, where=seen) if seen is not None else flat.min()
    high = flat.max(initial=-np.inf, where=seen) if seen is not None else flat.max()
    if not (np.isfinite(low) and np.isfinite(high)) or high - low >= _MAX_CODE_RANGE:
        return None
    if low != np.floor(low):
        return None  # a fractional smallest code (0.7 would be read as int(0.7) = 0)
    shifted = flat - low if missing is None else np.where(missing, 0, flat - low)
    offsets = shifted.astype(np.int32)
    if flat.dtype.kind == "f" and not np.array_equal(offsets, shifted):
        return None  # fractional codes: the general path
    return offsets, missing, int(low)


def _matches(uniques: pd.Index, spec) -> np.ndarray:
    """Which of the unique raw codes a state's code specification covers."""
    hit = np.zeros(len(uniques), dtype=bool)
    numeric = pd.to_numeric(pd.Series(uniques), errors="coerce").to_numpy(dtype=float)
    parts = [spec] if _is_range(spec) or isinstance(spec, str) else list(_as_iterable(spec))
    singles = []
    for part in parts:
        if _is_range(part):
            low, high = (part.start, part.stop - 1) if isinstance(part, range) else part
            hit |= (numeric >= low) & (numeric <= high)
        else:
            singles.append(part)
    if singles:
        as_text = pd.Index(uniques).astype(str)
        hit |= pd.Index(uniques).isin(singles) | as_text.isin([str(s) for s in singles])
    return hit


def _is_range(part) -> bool:
    return isinstance(part, range) or (
        isinstance(part, tuple)
        and len(part) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in part)
    )


def _as_iterable(spec):
    if isinstance(spec, str | bytes) or not isinstance(spec, Iterable):
        return [spec]
    return spec


#: The state classification of evalkit's synthetic registers (see
#: :func:`evalkit.datasets.simulate_register`). The codes are evalkit's own
#: DREAM-like code list, made up for synthetic data; only 651/652 (SU, the
#: student grant) follow the real DREAM code list. A blank week is self-sufficient.
SYNTHETIC_CODES: dict[str, list[int]] = {
    "cash_benefit": [130, 131],
    "partly_self_sufficient": [135],
    "education": [651, 652],
    "resource_course": [771],
    "flexjob": [741, 745],
    "disability_pension": [783],
    "sickness": [890],
    "rehabilitation": [761],
    "absorbing": [997, 998, 999],
}


def synthetic_classification() -> StateClassification:
    """The documented default classification of evalkit's synthetic registers.

    States and codes (synthetic, DREAM-like; blank = no public transfer):
    ``self_sufficient`` (blank), ``cash_benefit`` 130 (kontanthjælp) and 131
    (integrationsydelse), ``partly_self_sufficient`` 135 (benefit with ordinary hours),
    ``education`` 651/652 (SU), ``resource_course`` 771, ``flexjob`` 741 (in a flexjob)
    and 745 (awaiting one), ``disability_pension`` 783, ``sickness`` 890,
    ``rehabilitation`` 761 (revalidering), ``absorbing`` 997 (death), 998 (emigration)
    and 999 (moved to another municipality: leaves a municipal extract), which end
    follow-up.
    """
    return StateClassification({"self_sufficient": [], **SYNTHETIC_CODES}, absorbing=("absorbing",))
