"""One detector of Danish CPR numbers for everything evalkit writes or shows.

A CPR number is ``DDMMYY-XXXX``: the birth date and a four-digit serial. Evalkit never
needs one, so nothing it exports may hold one. Every check here rests on one definition
of "CPR-shaped", written once (:data:`CPR_PATTERN` and :func:`find_cpr`):

- six digits that are a date ``DDMMYY`` (day 01-31, month 01-12 and the day exists in
  the month: ``310290`` is not a date; ``29`` February is accepted in every year, since
  the century is coded in the serial, not the date), then
- a separator or none: a hyphen, a slash, one of the Unicode dashes U+2010-U+2015, the
  small and full-width hyphen-minus U+FE63 and U+FF0D, the soft hyphen U+00AD (invisible:
  the reader sees ten digits) or the minus sign U+2212 (each with at most one space on
  either side), or one space
  (also a no-break, figure, thin or narrow no-break space), then
- four digits,
- and not inside a longer run of digits (``12301019012345`` is not a CPR number,
  ``id:0101901234,`` is);
- or nine digits ``DMMYYXXXX``: a CPR number whose leading zero was lost when the id
  was read as a number (``0101901234`` -> ``101901234``), in text as well as in numbers.

**No check digit.** The modulus-11 check is not applied, and never used to *exclude* a
value: since 1 October 2007 the CPR office has issued numbers that fail it (the serials
of some birth dates ran out), so a test for it would let real CPR numbers through.

**Conservative by design.** A number of 9 or 10 whole digits whose leading digits are a
plausible date counts as a CPR number even when it is an amount (``3112991234`` kroner):
about 3% of random 10-digit numbers and 12% of 9-digit ones do. Such numbers are rare in
evaluation output, and a false alarm costs a re-export while a leak cannot be undone.

**Not counted**, to keep false alarms rare:

- digits after a decimal point (``0.0101901234``) and a 9-10 digit number with a
  non-zero fraction (``101901234.5``); ``101901234.0`` *is* counted;
- a run of digits glued, without a separator, to hexadecimal letters in a token that is
  hexadecimal throughout, optionally after ``P`` (evalkit's pseudonyms ``P3f2a...``,
  SHA-256 digests, UUIDs): about 3 in 1,000 pseudonyms of 16 hex digits hold a
  date-like 9-10 digit run by chance, so without this every large pseudonymised table
  would be refused. ``P0101901234`` (digits only) and ``id0101901234`` (``i`` is not
  hexadecimal) are counted;
- dates, times and week labels (``2019-01-01``, ``2019-W05``), phone numbers of 8 digits,
  numbers of 11 or more digits, p-values and ``1e-10``;
- separators other than the ones above (an underscore, a full stop, two spaces, a tab),
  digits other than ASCII 0-9 (full-width digits) and numbers written in scientific
  notation as text (``1.0190123e+08``).

:func:`find_cpr` counts CPR-shaped substrings in a text, :func:`redact` removes them,
:func:`contains_cpr` tests values element-wise (text, numbers, bytes, anything),
:func:`is_cpr_like` tests whether a whole value is a CPR number, and the guards
:func:`check_no_cpr` (tables) and :func:`check_text` (texts) raise
:class:`PrivacyError` naming where and how many, never a value.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import ArgumentError, EvalkitError

__all__ = [
    "CPR_PATTERN",
    "PrivacyError",
    "check_no_cpr",
    "check_text",
    "contains_cpr",
    "find_cpr",
    "is_cpr_like",
    "redact",
]


class PrivacyError(EvalkitError):
    """Output about to leave holds CPR-shaped values (the values are never shown)."""


# ------------------------------------------------------------------------ the patterns
# Day and month, with the day existing in the month (29 February always allowed).
_DDMM = (
    "(?:(?:0[1-9]|[12][0-9])(?:0[1-9]|1[0-2])"  # 01-29 of every month
    "|30(?:0[13-9]|1[0-2])"  # 30 of every month but February
    "|31(?:0[13578]|1[02]))"  # 31 of the long months
)
_SPACE = "[ \u00a0\u2007\u2009\u202f]"
_DASH = "[-/\u00ad\u2010-\u2015\u2212\ufe63\uff0d]"
_SEP = f"(?:{_SPACE}?{_DASH}{_SPACE}?|{_SPACE})"
_TEN = f"{_DDMM}[0-9]{{2}}{_SEP}?[0-9]{{4}}"  # DDMMYY, a separator or none, XXXX
_NINE = "[1-9](?:0[1-9]|1[0-2])[0-9]{6}"  # DMMYYXXXX: the leading zero lost

#: A whole value that is a CPR number: DDMMYY, one of the separators or none, XXXX.
CPR_PATTERN = _TEN

# The exact pattern (Python ``re``): not next to other digits, not after a decimal point,
# and a separator-free number not followed by a non-zero fraction.
_NUMBER_END = r"(?![0-9])(?!\.[0-9]*[1-9])"
_FIND = re.compile(
    r"(?<![0-9])(?<![0-9]\.)"
    f"(?:{_DDMM}[0-9]{{2}}{_SEP}[0-9]{{4}}(?![0-9])"
    f"|{_DDMM}[0-9]{{6}}{_NUMBER_END}"
    f"|{_NINE}{_NUMBER_END})"
)
# A superset of _FIND without look-arounds, so that pandas can run it with RE2 (pyarrow)
# over a whole column; the few values it finds are then read with _FIND.
_PREFILTER = f"(?:^|[^0-9])(?:{_TEN}|{_NINE})(?:[^0-9]|$)"
_WHOLE = f"{_TEN}"
_HEX_TOKEN = re.compile(r"[Pp]?(?=[0-9]*[A-Fa-f])[0-9A-Fa-f]+")
_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_REMOVED = "[CPR removed]"

# Days in each month (index 1-12); February 29 in every year.
_MONTH_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _in_hex_token(text: str, start: int, end: int) -> bool:
    """Whether the separator-free digits ``text[start:end]`` sit in a hexadecimal token
    (a pseudonym, a digest) together with hexadecimal letters."""
    if not text[start:end].isdigit():
        return False  # separated forms are never exempt
    left, right = start, end
    while left > 0 and text[left - 1] in _ALNUM:
        left -= 1
    while right < len(text) and text[right] in _ALNUM:
        right += 1
    if left == start and right == end:
        return False
    return _HEX_TOKEN.fullmatch(text, left, right) is not None


def _spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _FIND.finditer(text) if not _in_hex_token(text, m.start(), m.end())]


def find_cpr(text: str) -> int:
    """Count the CPR-shaped substrings of a text.

    A CPR-shaped substring is ``DDMMYY`` (a date that exists; 29 February in any year),
    a separator or none (hyphen, slash, Unicode dash U+2010-U+2015, U+FE63, U+FF0D, soft
    hyphen U+00AD or minus U+2212 with at most one space either side, or one space), and
    four digits, not inside a longer run of digits; or nine digits ``DMMYYXXXX`` (a CPR
    number that lost its leading zero). The modulus-11 check digit is not required,
    because since 2007 the CPR office issues numbers that fail it; it is used nowhere, so
    it cannot exclude a real number.
    The module docstring lists what is deliberately not counted (decimals, digits inside
    hexadecimal pseudonyms and digests, 11+ digit numbers, dates, week labels).

    Parameters
    ----------
    text : str
        Any text; bytes are decoded as UTF-8 and other objects read by their ``str()``.

    Returns
    -------
    int
        The number of CPR-shaped substrings.

    Examples
    --------
    >>> find_cpr("phoned 010190-1234 today, and 020290 4321 yesterday")
    2
    >>> find_cpr("id:0101901234,"), find_cpr("12301019012345"), find_cpr("310290-1234")
    (1, 0, 0)
    >>> find_cpr("week 2019-W05, 2019-01-01, p = 0.0101901234, 25000.5, 1e-10")
    0
    """
    return len(_spans(_as_text(text)))


def redact(text: str) -> str:
    """Replace every CPR-shaped substring by ``"[CPR removed]"``; never raises.

    Meant for text shown where raising is not an option (notebook reprs). The result
    holds no CPR-shaped substring (``find_cpr(redact(text)) == 0``); other text is kept
    as it was. Bytes are decoded as UTF-8 and other objects read by their ``str()``.

    Examples
    --------
    >>> redact("person 010190-1234 (weeks: 12)")
    'person [CPR removed] (weeks: 12)'
    >>> redact("no id here: 2019-W05")
    'no id here: 2019-W05'
    """
    try:
        text = _as_text(text)
    except Exception:  # a str() that raises: show nothing of it
        return _REMOVED
    for _ in range(len(text) + 1):  # removing one can expose another ("0.0101901234")
        spans = _spans(text)
        if not spans:
            return text
        pieces, last = [], 0
        for start, end in spans:
            pieces += [text[last:start], _REMOVED]
            last = end
        pieces.append(text[last:])
        text = "".join(pieces)
    return text  # not reached: each pass removes digits


def _as_text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


# --------------------------------------------------------------------- element-wise
def contains_cpr(values) -> np.ndarray:
    """Which values are, or contain, a CPR-shaped number.

    Element-wise:

    - text: holds a CPR-shaped substring (:func:`find_cpr`), so ``"010190-1234"``,
      ``"phoned 010190–1234 today"``, ``"101901234"`` and ``"101901234.0"`` all count;
    - bytes: decoded as UTF-8 (invalid bytes replaced), then as text;
    - numbers (int, float, Decimal, numpy, nullable ``Int64``/``Float64``, numbers kept
      as objects): a whole number of 9 or 10 digits (sign ignored) whose leading digits
      are a plausible date, such as ``101901234`` and ``101901234.0`` (``0101901234`` with
      its leading zero lost). Amounts of that size count too: a deliberate, conservative
      choice (see the module docstring);
    - booleans, dates, times and periods: ``False``; missing values: ``False``;
    - anything else (lists, dicts, intervals...): its ``str()``, as text.

    Each distinct value is read once; text columns are first screened by one regular
    expression over the column (RE2 through pyarrow when pandas stores the text there).

    Parameters
    ----------
    values : Series, Index, array, list or a single value

    Returns
    -------
    numpy.ndarray of bool
        Same shape as ``values`` (1-D for a single value).

    Examples
    --------
    >>> contains_cpr(["phoned 010190-1234 today", 101901234.0, b"0101901234", "2019-W05"])
    array([ True,  True,  True, False])
    >>> contains_cpr(pd.Series([25000.5, None, 12345678])).tolist()
    [False, False, False]
    """
    return _mask(values, whole=False, caller="contains_cpr")


def is_cpr_like(values) -> np.ndarray:
    """Which values are, as a whole, shaped like Danish CPR numbers.

    Strings ``DDMMYY-XXXX`` or ``DDMMYYXXXX`` (a date that exists, one of the separators
    of :func:`find_cpr` or none; surrounding whitespace allowed) and whole numbers of
    9 or 10 digits that are such a number, the 9-digit ones with the leading zero dropped
    (``0101901234`` read as a number is ``101901234``). Bytes are decoded. A 9-digit
    *string* is not a whole CPR number here (:func:`pseudonymize_ids
    <evalkit.panel.pseudonymize_ids>` pads it only if ``"0" + text`` is one), and text
    that merely *contains* a CPR number is ``False``: use :func:`contains_cpr` to guard
    output. No check digit is tested. Missing values and other types are ``False``.

    Parameters
    ----------
    values : Series, Index, array, list or a single value

    Returns
    -------
    numpy.ndarray of bool
        Same shape as ``values`` (1-D for a single value).

    Examples
    --------
    >>> is_cpr_like(["010190-1234", "0101901234", "320190-1234", "SYN000001", None]).tolist()
    [True, True, False, False, False]
    >>> is_cpr_like([101901234, 25000.5, 1234]).tolist()
    [True, False, False]
    """
    return _mask(values, whole=True, caller="is_cpr_like")


def _mask(values, whole: bool, caller: str) -> np.ndarray:
    if isinstance(values, pd.DataFrame):
        raise ArgumentError(f"{caller} takes one column (a Series or array); use check_no_cpr.")
    if isinstance(values, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        return _series_mask(pd.Series(values, copy=False), whole)
    if isinstance(values, np.ndarray) and values.ndim > 0:
        flat = values.ravel()
        if flat.dtype.kind in "SU":  # fixed-width text: read as objects
            flat = flat.astype(object)
        return _series_mask(pd.Series(flat, copy=False), whole).reshape(values.shape)
    if isinstance(values, list | tuple):  # as objects: numpy would turn numbers into text
        array = np.empty(len(values), dtype=object)
        array[:] = list(values)  # one value per item (bytes, dicts, tuples are values)...
        if len(values) and all(isinstance(v, list | tuple) for v in values):
            try:  # ... unless the items are rows of a grid
                array = np.array(values, dtype=object)
            except ValueError:  # ragged rows: one value per item
                pass
        return _series_mask(pd.Series(array.ravel(), dtype=object), whole).reshape(array.shape)
    array = np.empty(1, dtype=object)
    array[0] = values
    return _series_mask(pd.Series(array, dtype=object), whole)


def _series_mask(series: pd.Series, whole: bool) -> np.ndarray:
    """Boolean array, by position, of CPR values in a Series of any dtype."""
    n = len(series)
    dtype = series.dtype
    if n == 0:
        return np.zeros(0, dtype=bool)
    if isinstance(dtype, pd.CategoricalDtype):
        categories = _series_mask(pd.Series(dtype.categories), whole)
        codes = series.cat.codes.to_numpy()
        return np.where(codes >= 0, categories[np.maximum(codes, 0)], False)
    if pd.api.types.is_bool_dtype(dtype):
        return np.zeros(n, dtype=bool)
    if (
        pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
        or isinstance(dtype, pd.PeriodDtype)
    ):
        return np.zeros(n, dtype=bool)  # dates are not ids
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return _numeric_hits(series)
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        # RE2 over every row is cheaper than hashing the column to find distinct values;
        # the few rows it flags are read once per distinct value.
        return _text_hits(series.array, whole)
    arrow = _as_arrow_text(series)
    if arrow is not None:
        return _text_hits(arrow, whole)
    try:  # test each distinct value once (ids repeat)
        codes, uniques = pd.factorize(series)
    except TypeError:  # unhashable objects (lists, dicts): every value once
        return _object_hits(series.to_numpy(dtype=object), whole)
    if len(uniques) == 0:  # all missing
        return np.zeros(n, dtype=bool)
    hits = _object_hits(np.asarray(uniques, dtype=object), whole)
    return np.where(codes >= 0, hits[np.maximum(codes, 0)], False)


def _as_arrow_text(series: pd.Series):
    """A column of Python strings (and missing values) as pyarrow-backed strings, or
    None when it holds other objects or pandas has no pyarrow."""
    dtype = series.dtype
    if not (pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)):
        return None
    values = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) != "string":
        return None
    try:
        arrow = pd.array(values, dtype="str")
    except Exception:  # lone surrogates and the like
        return None
    return arrow if getattr(arrow.dtype, "storage", None) == "pyarrow" else None


def _object_hits(values: np.ndarray, whole: bool) -> np.ndarray:
    """CPR values in an object array: text, bytes, numbers and other objects."""
    n = len(values)
    result = np.zeros(n, dtype=bool)
    if n == 0:
        return result
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "string":
        present = pd.notna(values)
        result[present] = _text_hits(values[present], whole)
        return result
    if kind in ("integer", "floating", "mixed-integer-float"):
        try:
            return _number_hits(values.astype(float))
        except (TypeError, ValueError, OverflowError):
            pass  # huge Python ints, missing values of odd kinds: one by one
    texts, text_at = [], []
    numbers_, number_at = [], []
    for i, value in enumerate(values):
        if isinstance(value, str):
            texts.append(value)
            text_at.append(i)
        elif isinstance(value, bytes | bytearray | memoryview):
            texts.append(bytes(value).decode("utf-8", errors="replace"))
            text_at.append(i)
        elif value is None or isinstance(value, bool | np.bool_):
            continue
        elif isinstance(value, numbers.Number):
            try:
                numbers_.append(float(value))
                number_at.append(i)
                continue
            except (TypeError, ValueError, OverflowError):
                if not whole:  # complex numbers and the like: their text
                    texts.append(str(value))
                    text_at.append(i)
        elif not whole and not _is_missing(value):
            try:
                texts.append(str(value))
            except Exception:  # a str() that raises holds nothing we can read
                continue
            text_at.append(i)
    if texts:
        result[np.asarray(text_at, dtype=np.intp)] = _text_hits(
            np.asarray(texts, dtype=object), whole
        )
    if numbers_:
        result[np.asarray(number_at, dtype=np.intp)] = _number_hits(
            np.asarray(numbers_, dtype=float)
        )
    return result


def _is_missing(value) -> bool:
    try:
        return bool(pd.isna(value)) if np.ndim(value) == 0 else False
    except (TypeError, ValueError):
        return False


def _text_hits(texts, whole: bool) -> np.ndarray:
    """CPR values in an array of strings (no missing values), by position."""
    n = len(texts)
    if n == 0:
        return np.zeros(0, dtype=bool)
    if isinstance(texts, pd.api.extensions.ExtensionArray):
        strings = pd.Series(texts, copy=False)
    else:
        try:  # to pyarrow-backed strings when available: RE2 screens them fast
            strings = pd.Series(pd.array(texts, dtype="str"))
        except Exception:  # lone surrogates and the like: Python's re
            strings = pd.Series(texts, dtype=object)
    if whole:
        hits = strings.str.strip().str.fullmatch(_WHOLE)
        return hits.to_numpy(dtype=bool, na_value=False)
    screened = strings.str.contains(_PREFILTER, regex=True)
    candidates = np.flatnonzero(screened.to_numpy(dtype=bool, na_value=False))
    result = np.zeros(n, dtype=bool)
    if len(candidates):
        seen: dict[str, bool] = {}
        for i, text in zip(candidates, strings.iloc[candidates].tolist(), strict=True):
            found = seen.get(text)
            if found is None:
                found = seen[text] = bool(_spans(text))
            result[i] = found
    return result


def _numeric_hits(series: pd.Series) -> np.ndarray:
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "c":
        values = series.to_numpy()
        return _number_hits(values.real) | _number_hits(values.imag)
    try:
        numbers_ = series.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        numbers_ = pd.to_numeric(series.astype(object), errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
    return _number_hits(numbers_)


def _number_hits(numbers_: np.ndarray) -> np.ndarray:
    """Whole numbers of 9 or 10 digits (sign ignored) that are DDMMYYXXXX or DMMYYXXXX."""
    with np.errstate(invalid="ignore"):
        size = np.abs(numbers_)
        candidate = (size >= 1e8) & (size < 1e10) & (size == np.floor(size))
    value = np.where(candidate, size, 0).astype(np.int64)
    day = value // 100_000_000
    month = value // 1_000_000 % 100
    valid_month = (month >= 1) & (month <= 12)
    last_day = _MONTH_DAYS[np.where(valid_month, month, 0)]
    return candidate & valid_month & (day >= 1) & (day <= last_day)


# --------------------------------------------------------------------------- guards
def check_no_cpr(frame: pd.DataFrame | pd.Series, where: str = "table") -> None:
    """Raise :class:`PrivacyError` if a table holds CPR-shaped values.

    Every column is read with :func:`contains_cpr` whatever its dtype (text, objects of
    mixed types, bytes, categorical, integers, floats, nullable types), and so are every
    level of the index (a ``RangeIndex`` only if it reaches 9 digits), every level of the
    column names and the names of the index and column levels. ``frame.attrs`` is not
    read. The message names the columns and counts and never a value; a column whose
    name holds a CPR number is named by its position, and a CPR number in ``where`` is
    redacted.

    Parameters
    ----------
    frame : DataFrame or Series
    where : str
        What is being exported (a file name, a figure), for the message.

    Raises
    ------
    PrivacyError
        If any value, index label or name holds a CPR-shaped number.

    Examples
    --------
    >>> check_no_cpr(pd.DataFrame({"id": ["SYN000001"], "weeks": [12]}))
    >>> check_no_cpr(pd.DataFrame({"id": ["010190-1234"]}), where="results.csv")
    Traceback (most recent call last):
    ...
    evalkit.output.cpr.PrivacyError: results.csv holds CPR-shaped values: column 'id' \
(1 value). Replace person ids with pseudonyms (evalkit.panel.pseudonymize_ids) or drop \
them before exporting.
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise ArgumentError(f"check_no_cpr takes a DataFrame; got {type(frame).__name__}.")
    findings = []
    name_hits = _labels_hits(frame.columns)
    for position in range(frame.shape[1]):
        count = int(contains_cpr(frame.iloc[:, position]).sum())
        if count:
            label = (
                f"column number {position}"
                if name_hits[position]
                else f"column {frame.columns[position]!r}"
            )
            findings.append(f"{label} ({_values(count)})")
    index_count = int(_labels_hits(frame.index).sum())
    if index_count:
        findings.append(f"the index ({_values(index_count)})")
    if name_hits.any():
        n = int(name_hits.sum())
        findings.append(f"{n} column name{'s' if n > 1 else ''}")
    level_names = int(contains_cpr(list(frame.index.names) + list(frame.columns.names)).sum())
    if level_names:
        findings.append(f"{level_names} level name{'s' if level_names > 1 else ''}")
    if findings:
        raise PrivacyError(
            f"{redact(where)} holds CPR-shaped values: {'; '.join(findings)}. Replace person "
            "ids with pseudonyms (evalkit.panel.pseudonymize_ids) or drop them before "
            "exporting."
        )


def _labels_hits(labels: pd.Index) -> np.ndarray:
    """Which labels of an index (any level) hold a CPR number."""
    if isinstance(labels, pd.RangeIndex):
        if len(labels) == 0 or max(abs(labels.start), abs(labels[-1])) < 100_000_000:
            return np.zeros(len(labels), dtype=bool)  # row numbers
        return contains_cpr(labels)
    if isinstance(labels, pd.MultiIndex):
        hits = np.zeros(len(labels), dtype=bool)
        for level in range(labels.nlevels):
            hits |= contains_cpr(labels.get_level_values(level))
        return hits
    return contains_cpr(labels)


def _values(count: int) -> str:
    return f"{count} value{'s' if count > 1 else ''}"


def check_text(texts: str | Iterable[str], where: str, what: str = "text") -> None:
    """Raise :class:`PrivacyError` if any of ``texts`` holds a CPR-shaped number.

    For the texts of a figure (titles, labels, tick labels, legends) and for file names.
    The message names ``where`` and ``what`` and how many texts hold one, never the
    text (a CPR number in ``where`` itself is redacted).

    Parameters
    ----------
    texts : str or iterable of str
        One text or many; bytes are decoded, other objects read by their ``str()``,
        missing values skipped.
    where : str
        What is being exported (``"figure.png"``, ``"a file name"``).
    what : str
        What the texts are, in the singular (``"label"``, ``"file name"``).

    Raises
    ------
    PrivacyError
        If any text holds a CPR-shaped number.

    Examples
    --------
    >>> check_text(["Weeks since randomisation", "Share employed (%)"], "figure.png", "label")
    >>> check_text(["Weeks", "person 010190-1234"], "figure.png", "label")
    Traceback (most recent call last):
    ...
    evalkit.output.cpr.PrivacyError: figure.png holds CPR-shaped values: 1 of 2 labels \
(the text is not shown). Replace person ids with pseudonyms \
(evalkit.panel.pseudonymize_ids) or remove them before exporting.
    """
    if isinstance(texts, str | bytes | bytearray):
        texts = [texts]
    items = list(texts) if isinstance(texts, Iterable) else [texts]
    array = np.empty(len(items), dtype=object)
    array[:] = items
    count = int(contains_cpr(array).sum())
    if not count:
        return
    total = len(items)
    what = redact(what)
    found = f"the {what}" if total == 1 else f"{count} of {total} {what}s"
    raise PrivacyError(
        f"{redact(where)} holds CPR-shaped values: {found} (the text is not shown). Replace "
        "person ids with pseudonyms (evalkit.panel.pseudonymize_ids) or remove them before "
        "exporting."
    )
