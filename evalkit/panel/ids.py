"""Person identifiers: recognise CPR-shaped values, pseudonymize ids, guard exports.

Danish register data identify persons by CPR number (``DDMMYY-XXXX``). Evalkit never
needs them: :func:`pseudonymize_ids` replaces ids by keyed hashes (HMAC-SHA256 with a
key only the user holds), and :func:`check_no_cpr`, which evalkit's exporters call
before writing a table or figure, stops when a CPR-shaped value is about to leave.
Messages name columns and counts, never values.
"""

from __future__ import annotations

import hashlib
import hmac
import numbers

import numpy as np
import pandas as pd

from ..errors import ArgumentError, ColumnError, DesignError, EvalkitError


class PrivacyError(EvalkitError):
    """A table about to be exported holds CPR-shaped values (the values are never shown)."""


#: DDMMYY, an optional hyphen, then four digits.
CPR_PATTERN = r"(?:0[1-9]|[12][0-9]|3[01])(?:0[1-9]|1[0-2])[0-9]{2}-?[0-9]{4}"
MIN_KEY_LENGTH = 16


def is_cpr_like(values) -> np.ndarray:
    """Which values are shaped like Danish CPR numbers.

    Strings ``DDMMYY-XXXX`` or ``DDMMYYXXXX`` (day 01-31, month 01-12, hyphen optional,
    surrounding whitespace allowed) and whole numbers of 9 or 10 digits that are such a
    number, the 9-digit ones with the leading zero dropped (``0101901234`` read as a
    number is ``101901234``). Only the shape is checked, not the date or a check digit.
    Missing values and other types are ``False``.

    ``values``: a Series, Index, array, list or a single value. Returns a boolean array
    of the same shape (1-D for a single value).

    Example
    -------
    >>> is_cpr_like(["010190-1234", "0101901234", "320190-1234", "SYN000001", None]).tolist()
    [True, True, False, False, False]
    >>> is_cpr_like([101901234, 25000.5, 1234]).tolist()
    [True, False, False]
    """
    if isinstance(values, pd.DataFrame):
        raise ArgumentError("is_cpr_like takes one column (a Series or array); use check_no_cpr.")
    if isinstance(values, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        series = pd.Series(values, copy=False).reset_index(drop=True)
        return _cpr_mask(series)
    if isinstance(values, np.ndarray) and values.ndim > 0:
        return _cpr_mask(pd.Series(values.ravel())).reshape(values.shape)
    if isinstance(values, list | tuple):  # as objects: numpy would turn numbers into text
        array = np.array(values, dtype=object)
        return _cpr_mask(pd.Series(array.ravel())).reshape(array.shape)
    return _cpr_mask(pd.Series([values], dtype=object))


def _cpr_mask(series: pd.Series) -> np.ndarray:
    """Boolean array, by position, of CPR-shaped values in a Series."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = _cpr_mask(pd.Series(dtype.categories))
        codes = series.cat.codes.to_numpy()
        return np.where(codes >= 0, categories[np.maximum(codes, 0)], False)
    if pd.api.types.is_bool_dtype(dtype):
        return np.zeros(len(series), dtype=bool)
    if pd.api.types.is_numeric_dtype(dtype):
        return _numeric_cpr(series)
    if not (pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)):
        return np.zeros(len(series), dtype=bool)  # dates, intervals...
    try:  # test each distinct value once (ids and week labels repeat)
        codes, uniques = pd.factorize(series)
    except TypeError:  # unhashable objects
        return _mixed_cpr(series)
    if len(uniques) == 0:
        return np.zeros(len(series), dtype=bool)
    hits = _mixed_cpr(pd.Series(uniques))
    return np.where(codes >= 0, hits[np.maximum(codes, 0)], False)


def _mixed_cpr(series: pd.Series) -> np.ndarray:
    """CPR shapes in a text or object column: strings, and numbers kept as objects."""
    series = series.reset_index(drop=True)
    text = _text_cpr(series)
    is_text = text.notna().to_numpy()
    result = np.zeros(len(series), dtype=bool)
    result[is_text] = text[is_text].astype(bool).to_numpy()
    others = ~is_text & series.notna().to_numpy()  # numbers kept as objects
    if others.any():
        result[others] = _numeric_cpr(series[others])
    return result


def _text_cpr(series: pd.Series) -> pd.Series:
    """True/False for strings, missing for everything else."""
    try:
        accessor = series.str
    except AttributeError:  # no strings at all
        return pd.Series(np.nan, index=series.index, dtype=object)
    return accessor.strip().str.fullmatch(CPR_PATTERN)


def _numeric_cpr(series: pd.Series) -> np.ndarray:
    try:
        values = pd.to_numeric(series, errors="coerce")
    except TypeError:  # objects pandas cannot read as numbers (lists...): read their text
        values = pd.to_numeric(series.astype(str), errors="coerce")
    numbers_ = values.to_numpy(dtype=float, na_value=np.nan)
    whole = np.isfinite(numbers_) & (numbers_ == np.floor(numbers_))
    in_range = (numbers_ >= 1e8) & (numbers_ < 1e10)
    candidate = whole & in_range
    value = np.where(candidate, numbers_, 0).astype(np.int64)
    day = value // 100_000_000
    month = value // 1_000_000 % 100
    return candidate & (day >= 1) & (day <= 31) & (month >= 1) & (month <= 12)


# ---------------------------------------------------------------- pseudonyms
def pseudonymize_ids(
    data: pd.DataFrame | pd.Series,
    column: str | None = None,
    key: str | bytes | None = None,
    length: int = 16,
) -> pd.DataFrame | pd.Series:
    """Replace person ids by keyed pseudonyms (HMAC-SHA256).

    Each id is normalised (whitespace and hyphens removed; whole numbers
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


def _normalise_ids(ids: pd.Series) -> np.ndarray:
    """Distinct, non-missing ids as text: whole numbers without decimals, whitespace and
    hyphens removed, a CPR number's dropped leading zero restored (object array)."""
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
        text[spaced] = text[spaced].str.replace(r"\s+", "", regex=True)
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


# ---------------------------------------------------------------- export guard
def check_no_cpr(frame: pd.DataFrame | pd.Series, where: str = "table") -> None:
    """Raise :class:`PrivacyError` if a table holds CPR-shaped values.

    Checks every text, object, categorical and integer column (float columns, which hold
    amounts, are not checked), the index (unless a plain row number ``RangeIndex``) and
    the column names. The message names the columns and counts and never a value;
    a column whose name itself is CPR-shaped is named by its position. ``where`` says
    what was being exported (a file name, a figure) in the message.

    Example
    -------
    >>> check_no_cpr(pd.DataFrame({"id": ["SYN000001"], "weeks": [12]}))
    >>> check_no_cpr(pd.DataFrame({"id": ["010190-1234"]}), where="results.csv")
    Traceback (most recent call last):
    ...
    evalkit.panel.ids.PrivacyError: results.csv holds CPR-shaped values: column 'id' (1 value). \
Replace person ids with pseudonyms (evalkit.panel.pseudonymize_ids) or drop them before exporting.
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise ArgumentError(f"check_no_cpr takes a DataFrame; got {type(frame).__name__}.")
    findings = []
    name_hits = _names_cpr(frame.columns)
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if not _checked_dtype(column.dtype):
            continue
        count = int(_cpr_mask(column.reset_index(drop=True)).sum())
        if count:
            label = (
                f"column number {position}"
                if name_hits[position]
                else f"column {frame.columns[position]!r}"
            )
            findings.append(f"{label} ({_values(count)})")
    index_count = _index_hits(frame.index)
    if index_count:
        findings.append(f"the index ({_values(index_count)})")
    if name_hits.any():
        n = int(name_hits.sum())
        findings.append(f"{n} column name{'s' if n > 1 else ''}")
    if findings:
        raise PrivacyError(
            f"{where} holds CPR-shaped values: {'; '.join(findings)}. Replace person ids with "
            "pseudonyms (evalkit.panel.pseudonymize_ids) or drop them before exporting."
        )


def _checked_dtype(dtype) -> bool:
    return (
        pd.api.types.is_object_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_string_dtype(dtype)
        or (pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype))
    )


def _names_cpr(columns: pd.Index) -> np.ndarray:
    if isinstance(columns, pd.MultiIndex):
        hits = np.zeros(len(columns), dtype=bool)
        for level in range(columns.nlevels):
            hits |= is_cpr_like(columns.get_level_values(level))
        return hits
    return is_cpr_like(pd.Index(columns, dtype=object))


def _index_hits(index: pd.Index) -> int:
    if isinstance(index, pd.RangeIndex):
        return 0
    levels = (
        [index.get_level_values(i) for i in range(index.nlevels)]
        if isinstance(index, pd.MultiIndex)
        else [index]
    )
    count = 0
    for level in levels:
        if _checked_dtype(level.dtype):
            count += int(is_cpr_like(level).sum())
    return count


def _values(count: int) -> str:
    return f"{count} value{'s' if count > 1 else ''}"
