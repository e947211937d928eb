"""Person identifiers: pseudonymize ids; the CPR detector re-exported.

Danish register data identify persons by CPR number (``DDMMYY-XXXX``). Evalkit never
needs them: :func:`pseudonymize_ids` replaces ids by keyed hashes (HMAC-SHA256 with a
key only the user holds). The detector of CPR-shaped values and the export guard live in
:mod:`evalkit.output.cpr` (one definition for tables, figures and file names) and are
re-exported here: :func:`is_cpr_like`, :func:`contains_cpr`, :func:`check_no_cpr`
(which evalkit's exporters call before writing a table) and :class:`PrivacyError`.
Messages name columns and counts, never values.
"""

from __future__ import annotations

import hashlib
import hmac
import numbers
import unicodedata

import numpy as np
import pandas as pd

from ..errors import ArgumentError, ColumnError, DesignError
from ..output.cpr import (
    CPR_PATTERN,
    PrivacyError,
    check_no_cpr,
    check_text,
    contains_cpr,
    find_cpr,
    is_cpr_like,
    redact,
)

__all__ = [
    "CPR_PATTERN",
    "MIN_KEY_LENGTH",
    "PrivacyError",
    "check_no_cpr",
    "check_text",
    "contains_cpr",
    "find_cpr",
    "is_cpr_like",
    "pseudonymize_ids",
    "redact",
]


MIN_KEY_LENGTH = 16


# ---------------------------------------------------------------- pseudonyms
def pseudonymize_ids(
    data: pd.DataFrame | pd.Series,
    column: str | None = None,
    key: str | bytes | None = None,
    length: int = 16,
) -> pd.DataFrame | pd.Series:
    """Replace person ids by keyed pseudonyms (HMAC-SHA256).

    Each id is normalised (whitespace and hyphens removed, also the Unicode dashes
    U+2010-U+2015, U+FE63 and U+FF0D, the minus sign U+2212, no-break and other Unicode
    spaces, control and format characters such as a soft hyphen; Unicode compatibility
    forms folded by NFKC, e.g. full-width digits; whole numbers
    written without decimals; a 9-digit number or digit string that is a CPR number
    with its leading zero dropped gets the zero back, so ``"010190-1234"``,
    ``"0101901234"`` and ``101901234`` get the same pseudonym), hashed with HMAC-SHA256
    under ``key``, and written as ``"P"`` followed by the first ``length`` hex digits.
    The same key gives the same pseudonyms in every file, so files pseudonymized
    separately still link; without the key the ids cannot be recovered or recomputed.
    Keep the key secret and out of code and notebooks: evalkit never stores or prints it.

    Parameters
    ----------
    data : a DataFrame (then ``column`` names the id column) or a Series of ids.
    column : the id column of a DataFrame.
    key : the secret key, a string or bytes of at least 16 characters/bytes.
    length : hex digits kept, 8-64. Two different ids with the same pseudonym are an
        error asking for a longer ``length``.

    Returns a copy (the input is never modified); missing ids stay missing.

    Example
    -------
    >>> ids = pd.Series(["010190-1234", "0101901234", "020290-4321"])
    >>> p = pseudonymize_ids(ids, key="a secret key of 16+ characters", length=12)
    >>> p[0] == p[1] != p[2], len(p[0]), p[0][0]
    (True, 13, 'P')
    """
    secret = _check_key(key)
    length = _check_length(length)
    if isinstance(data, pd.Series):
        if column is not None:
            raise ArgumentError("pass column only with a DataFrame; data is a Series.")
        return _pseudonymize_series(data, secret, length, "ids")
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(
            f"data must be a pandas DataFrame or Series; got {type(data).__name__}."
        )
    if column is None:
        raise ArgumentError("name the id column: pseudonymize_ids(data, 'id', key=...).")
    if column not in data.columns:
        raise ColumnError(f"id column {column!r} is not in the data.")
    out = data.copy()
    out[column] = _pseudonymize_series(data[column], secret, length, f"column {column!r}")
    return out


def _pseudonymize_series(ids: pd.Series, secret: bytes, length: int, where: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(ids.dtype):
        raise ArgumentError("ids must be text or whole numbers, not booleans.")
    rows, raw = pd.factorize(ids)  # distinct raw ids; -1 = missing
    normal, groups = pd.factorize(_normalise_ids(pd.Series(raw)))  # distinct normalised ids
    base = hmac.new(secret, digestmod=hashlib.sha256)
    pseudonyms = np.empty(len(groups), dtype=object)
    for i, value in enumerate(groups):  # each distinct id is hashed once
        h = base.copy()
        h.update(value.encode("utf-8"))
        pseudonyms[i] = "P" + h.hexdigest()[:length]
    clashes = int(pd.Series(pseudonyms, dtype=object).duplicated().sum())
    if clashes:
        raise DesignError(
            f"{clashes} different ids in {where} got the pseudonym of another id at "
            f"length={length}; pass a longer length (up to 64) so that every person keeps a "
            "distinct id."
        )
    values = np.full(len(ids), None, dtype=object)
    present = rows >= 0
    values[present] = pseudonyms[normal][rows[present]]
    return pd.Series(values, index=ids.index, name=ids.name, dtype=object)


#: Unicode categories removed from an id: dashes (Pd: U+2010-U+2015, U+FE63, U+FF0D,
#: ...), spaces and separators (Zs, Zl, Zp: no-break, figure, thin, narrow no-break...),
#: control characters (Cc: tabs, line breaks) and format characters (Cf: soft hyphen,
#: zero-width space, byte order mark).
_DROPPED_CATEGORIES = frozenset({"Pd", "Zs", "Zl", "Zp", "Cc", "Cf"})
#: Minus signs (category Sm, not Pd) written between the date and the serial number.
_MINUS_SIGNS = frozenset({"\u2212", "\u02d7", "\u2796"})


def _normalise_text(value: str) -> str:
    """One id with Unicode compatibility forms folded (NFKC: full-width digits and
    hyphens to ASCII) and every dash, minus sign, space, control and format character
    removed (:data:`_DROPPED_CATEGORIES`), repeated until nothing changes (folding can
    uncover a space, e.g. U+00A8 is a space and a combining diaeresis, and removing one
    can let a letter and a combining mark compose), so that the result is its own
    normal form."""
    for _ in range(8):  # a fixed point within two rounds in practice
        folded = unicodedata.normalize("NFKC", value)
        stripped = "".join(
            ch
            for ch in folded
            if ch not in _MINUS_SIGNS and unicodedata.category(ch) not in _DROPPED_CATEGORIES
        )
        if stripped == value:
            break
        value = stripped
    return value


def _normalise_ids(ids: pd.Series) -> np.ndarray:
    """Distinct, non-missing ids as text: whole numbers without decimals; hyphens,
    Unicode dashes and minus signs, whitespace (also no-break and other Unicode spaces),
    control and format characters removed and compatibility forms folded (NFKC, e.g.
    full-width digits), see :func:`_normalise_text`; a CPR number's dropped leading zero
    restored (object array)."""
    if pd.api.types.is_numeric_dtype(ids.dtype):
        if not pd.api.types.is_integer_dtype(ids.dtype):
            numbers_ = ids.to_numpy(dtype=float)
            if not np.all(np.isfinite(numbers_) & (numbers_ == np.floor(numbers_))):
                raise ArgumentError(
                    "numeric ids must be whole numbers; read the id column as text instead."
                )
            ids = ids.astype(np.int64)
        text = ids.astype(str).astype(object)
    else:
        text = ids.astype(str).astype(object)
        decimal = text.str.contains(".", regex=False).to_numpy(dtype=bool)
        if decimal.any():  # 101901234.0 -> 101901234
            text[decimal] = text[decimal].str.replace(r"^\s*(-?\d+)\.0*\s*$", r"\1", regex=True)
    text = text.str.replace("-", "", regex=False)
    spaced = ~text.str.isalnum().to_numpy(dtype=bool)
    if spaced.any():
        text[spaced] = text[spaced].str.replace(r"[\s\x00-\x1f\x7f]+", "", regex=True)
    wide = ~text.str.isascii().to_numpy(dtype=bool)
    if wide.any():  # Unicode dashes, odd spaces, full-width digits (few ids: a loop)
        text[wide] = [_normalise_text(value) for value in text[wide]]
    nine = ((text.str.len() == 9) & text.str.isdigit()).to_numpy(dtype=bool)
    if nine.any():
        padded = "0" + text[nine]
        text[nine] = padded.where(is_cpr_like(padded), text[nine])
    return text.to_numpy(dtype=object)


def _check_key(key) -> bytes:
    if key is None:
        raise ArgumentError(
            "a key is required: pass key=... (a secret string or bytes of at least "
            f"{MIN_KEY_LENGTH} characters; read it from a file or an environment variable, "
            "not from code)."
        )
    if isinstance(key, str):
        secret = key.encode("utf-8")
        size = len(key)
    elif isinstance(key, bytes | bytearray):
        secret = bytes(key)
        size = len(secret)
    else:
        raise ArgumentError(f"key must be a string or bytes; got a {type(key).__name__}.")
    if size < MIN_KEY_LENGTH:
        raise ArgumentError(
            f"the key is too short ({size} characters/bytes); use at least {MIN_KEY_LENGTH}, "
            "e.g. secrets.token_hex(16), kept outside code and outputs."
        )
    return secret


def _check_length(length) -> int:
    if isinstance(length, bool) or not isinstance(length, numbers.Integral):
        raise ArgumentError(f"length must be a whole number from 8 to 64; got {length!r}.")
    if not 8 <= length <= 64:
        raise ArgumentError(f"length must be from 8 to 64 hex digits; got {length}.")
    return int(length)
