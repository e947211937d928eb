"""The one CPR detector (evalkit.output.cpr): every shape, no false alarms, safe messages.

Every CPR-shaped value here is made up (dates with 1234-style serials)."""

import datetime
import doctest
import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evalkit.output.cpr as cpr_module
import evalkit.panel.ids as ids_module
from evalkit.errors import ArgumentError, EvalkitError
from evalkit.output.cpr import (
    PrivacyError,
    check_no_cpr,
    check_text,
    contains_cpr,
    find_cpr,
    is_cpr_like,
    redact,
)
from evalkit.panel import pseudonymize_ids

DASHES = ["-", "/", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212"]
SPACES = [" ", "\u00a0", "\u2007", "\u2009", "\u202f"]
KEY = "test key, not a secret: 0123456789"


def test_doctests():
    for module in (cpr_module, ids_module):
        failures, tried = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert failures == 0
    assert doctest.testmod(cpr_module).attempted >= 10


def test_old_imports_keep_working():
    import evalkit.panel as panel
    from evalkit.panel.ids import PrivacyError as OldError
    from evalkit.panel.ids import check_no_cpr as old_check
    from evalkit.panel.ids import is_cpr_like as old_like

    assert OldError is PrivacyError is panel.PrivacyError
    assert old_check is check_no_cpr is panel.check_no_cpr
    assert old_like is is_cpr_like is panel.is_cpr_like
    assert issubclass(PrivacyError, EvalkitError)


# ---------------------------------------------------------------- find_cpr
@pytest.mark.parametrize(
    "text, count",
    [
        ("010190-1234", 1),
        ("0101901234", 1),
        ("phoned 010190-1234 today", 1),
        ("id:0101901234,", 1),
        ("010190 1234", 1),
        ("010190 - 1234", 1),
        ("010190 -1234", 1),
        ("010190/1234", 1),
        ("(010190-1234)", 1),
        ("a 010190-1234\nb 020290-4321", 2),
        ("010190-1234,020290-4321;0303031234", 3),
        ("101901234", 1),  # the leading zero lost
        ("101901234.0", 1),  # ... and written from a float
        ("person 101901234.", 1),
        ("P0101901234", 1),  # digits only after P: not a pseudonym
        ("id0101901234", 1),  # "i" is not hexadecimal
        ("DK0101901234", 1),
        ("æ0101901234ø", 1),
        ("-0101901234", 1),
        ("12301019012345", 0),  # inside a longer run of digits
        ("00101901234", 0),
        ("01019012345", 0),
        ("010190  1234", 0),  # two spaces
        ("010190\t1234", 0),  # a tab
        ("010190_1234", 0),  # underscore: not a separator
        ("010190.1234", 0),  # full stop: a decimal number
        ("010190--1234", 0),
        ("010190-12345", 0),
        ("0101901-234", 0),
    ],
)
def test_find_cpr_shapes(text, count):
    assert find_cpr(text) == count
    assert contains_cpr([text]).tolist() == [count > 0]


@pytest.mark.parametrize("dash", DASHES)
def test_every_dash_is_a_separator(dash):
    text = f"010190{dash}1234"
    assert find_cpr(text) == 1
    assert find_cpr(f"call {text} now") == 1
    assert contains_cpr(pd.Series([text, "x"])).tolist() == [True, False]
    assert is_cpr_like(text).tolist() == [True]
    assert find_cpr(f"010190 {dash} 1234") == 1


@pytest.mark.parametrize("space", SPACES)
def test_one_space_of_any_kind_is_a_separator(space):
    assert find_cpr(f"010190{space}1234") == 1
    assert contains_cpr([f"note 010190{space}1234."]).tolist() == [True]


@pytest.mark.parametrize(
    "date, valid",
    [
        ("310290", False),  # 31 February
        ("300290", False),  # 30 February
        ("290200", True),  # 29 February, every year
        ("290290", True),  # ... even 1990: the century is in the serial, not the date
        ("280290", True),
        ("310490", False),  # 31 April
        ("300490", True),
        ("310190", True),
        ("311290", True),
        ("310690", False),
        ("310790", True),
        ("310890", True),
        ("310990", False),
        ("311190", False),
        ("320190", False),
        ("000190", False),
        ("010090", False),
        ("011390", False),
    ],
)
def test_the_date_must_exist(date, valid):
    assert find_cpr(f"{date}-1234") == int(valid)
    assert find_cpr(f"{date}1234") == int(valid)
    assert is_cpr_like(f"{date}-1234").tolist() == [valid]
    assert contains_cpr([int(f"{date}1234")]).tolist() == [valid]


def test_no_check_digit_is_required():
    # 010190-1234 fails modulus 11 (weights 4 3 2 7 6 5 4 3 2 1); since 2007 such numbers
    # are issued, so the detector must not use the check to exclude anything.
    weights = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1]
    assert sum(int(d) * w for d, w in zip("0101901234", weights, strict=True)) % 11 != 0
    assert find_cpr("010190-1234") == 1


@pytest.mark.parametrize(
    "text",
    [
        "25000.5",
        "2019-W05",
        "2019-01-01",
        "2019-01-01T10:00:00+01:00",
        "2019-01-01 10:00:00.123456",
        "20190101",
        "20190101 1234",  # a date and a number: the date is 8 digits
        "12345678",  # a phone number
        "+45 12 34 56 78",
        "12345678901",  # 11 digits
        "123456789012",
        "1e-10",
        "p = 0.0101901234",
        "3.0101901234",
        "0.101901234",
        "101901234.5",  # an amount with a fraction
        "0101901234.25",
        "2.5e+09",
        "1,234,567,890",
        "1.234.567.890",
        "week 201905",
        "N = 1,234 (12.3%)",
        "010190",
        "1234",
        "uuid 550e8400-e29b-41d4-a716-446655440000",
        "sha f3a0101901234bc9e",  # hexadecimal: a digest, not an id
        "Pab0101901234cd",  # evalkit's pseudonym shape
        "",
    ],
)
def test_no_false_alarms_in_text(text):
    assert find_cpr(text) == 0
    assert contains_cpr([text]).tolist() == [False]
    assert redact(text) == text


@pytest.mark.parametrize(
    "value",
    [
        25000.5,
        0.0101901234,
        1e-10,
        0.04,
        12345678,  # 8 digits
        99_999_999,
        10_000_000_000,  # 11 digits
        12_345_678_901,
        1234567890.5,
        3212991234,  # day 32
        3102901234,  # 31 February
        1000901234,  # month 00
        np.inf,
        -np.inf,
        np.nan,
        None,
        pd.NA,
        pd.NaT,
        True,
        datetime.date(1990, 1, 1),
        pd.Timestamp("1990-01-01"),
    ],
)
def test_no_false_alarms_in_numbers_and_others(value):
    assert contains_cpr([value]).tolist() == [False]
    assert contains_cpr(value).tolist() == [False]


def test_pseudonymised_tables_pass():
    # About 3 in 1,000 pseudonyms hold a date-like 9-10 digit run of hex digits.
    ids = pd.Series([f"SYN{i:06d}" for i in range(20_000)])
    table = pd.DataFrame({"id": pseudonymize_ids(ids, key=KEY), "weeks": 1})
    check_no_cpr(table)
    check_no_cpr(table.astype({"id": "string[pyarrow]"}))
    check_no_cpr(table.astype({"id": object}))


# ---------------------------------------------------------------- contains_cpr
def test_the_shapes_the_review_found():
    cases = [
        "phoned 010190-1234 today",  # free text
        101901234.0,  # a float id
        "101901234",  # nine digits as text
        101901234,  # ... and as a number
        "010190 1234",  # a space
        "010190\u20131234",  # an en dash
        b"010190-1234",  # bytes
        bytearray(b"0101901234"),
        Decimal("0101901234"),
        Decimal("101901234.00"),
        np.float32(101901234),  # not exact in float32, still a whole 9-digit number
        np.int64(3112991234),
        -101901234,
        [101901234],  # a list, by its text
        {"id": "010190-1234"},
        ("010190-1234",),
        1.01901234e8,
    ]
    for value in cases:
        assert contains_cpr([value]).ravel().tolist() == [True], value
        assert contains_cpr(value).any(), value
        assert contains_cpr(pd.Series([value, "x"], dtype=object)).tolist() == [True, False]


def test_columns_of_every_dtype():
    def check(series, expected):
        assert contains_cpr(series).tolist() == expected, series.dtype

    text = ["a 010190-1234 b", "SYN000001", None]
    for dtype in (object, "string[python]", "string[pyarrow]", "str"):
        check(pd.Series(text, dtype=dtype), [True, False, False])
    check(pd.Series([101901234.0, np.nan, 25000.5]), [True, False, False])
    check(pd.Series([101901234.0, None, 25000.5], dtype="Float64"), [True, False, False])
    check(pd.Series([101901234, None, 7], dtype="Int64"), [True, False, False])
    check(pd.Series([101901234, 7], dtype="uint64"), [True, False])
    check(pd.Series([101901234, 7], dtype="int64[pyarrow]"), [True, False])
    check(pd.Series([101901234.0, None], dtype="float64[pyarrow]"), [True, False])
    check(pd.Series(pd.Categorical(["010190-1234", "x", None])), [True, False, False])
    check(pd.Series(pd.Categorical([101901234.0, 5.0])), [True, False])
    check(pd.Series([b"010190-1234", b"\xff\xfe", None, b"x"]), [True, False, False, False])
    check(pd.Series([b"0101901234"], dtype=pd.ArrowDtype(__import__("pyarrow").binary())), [True])
    check(pd.Series(np.array([b"0101901234", b"x"])), [True, False])
    check(
        pd.Series(["x", 101901234, 2.5, Decimal("101901234"), b"0202901234", None, [1], True]),
        [False, True, False, True, True, False, False, False],
    )
    check(pd.Series([[101901234], {"a": 1}], dtype=object), [True, False])  # unhashable
    check(pd.Series([101901234 + 0j, 1j]), [True, False])
    check(pd.Series(pd.to_datetime(["1990-01-01", None])), [False, False])
    check(pd.Series(pd.to_timedelta([101901234], unit="s")), [False])
    check(pd.Series(pd.period_range("1990-01", periods=2, freq="M")), [False, False])
    check(pd.Series([True, False]), [False, False])
    check(pd.Series([], dtype=object), [])
    check(pd.Series([None, np.nan], dtype=object), [False, False])
    check(pd.Series([10**400, 101901234], dtype=object), [False, True])
    assert contains_cpr(np.array([["010190-1234", "a"], ["b", "x 0202021234"]])).tolist() == [
        [True, False],
        [False, True],
    ]
    assert contains_cpr(pd.Index(["x", "0101901234"])).tolist() == [False, True]
    assert contains_cpr(pd.array([101901234, None], dtype="Int64")).tolist() == [True, False]
    with pytest.raises(ArgumentError, match="check_no_cpr"):
        contains_cpr(pd.DataFrame({"a": [1]}))


def test_lone_surrogates_and_odd_objects_do_not_crash():
    class Bad:
        def __str__(self):
            raise RuntimeError("no text")

    values = pd.Series(["\ud800 010190-1234", Bad(), "\ud800"], dtype=object)
    assert contains_cpr(values).tolist() == [True, False, False]
    assert redact(Bad()) == "[CPR removed]"
    assert redact(b"id 010190-1234") == "id [CPR removed]"


def test_distinct_values_are_read_once(monkeypatch):
    calls = []
    real = cpr_module._spans

    def counting(text):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(cpr_module, "_spans", counting)
    ids = pd.Series(["010190-1234", "x", "010190-1234", "020290-4321"] * 1000)
    for dtype in (object, "string[pyarrow]", "string[python]"):
        calls.clear()
        assert contains_cpr(ids.astype(dtype)).sum() == 3000
        assert sorted(calls) == ["010190-1234", "020290-4321"]


def test_is_cpr_like_keeps_its_meaning():
    assert is_cpr_like(["x 010190-1234", "101901234", "010190\u20131234"]).tolist() == [
        False,
        False,
        True,
    ]
    assert is_cpr_like([b" 0101901234 ", Decimal("101901234"), [101901234]]).tolist() == [
        True,
        True,
        False,
    ]
    assert is_cpr_like(["310290-1234", "290200-1234"]).tolist() == [False, True]


def test_large_columns_are_fast_enough():
    n = 200_000
    text = pd.Series([f"SYN{i:07d}" for i in range(n)])
    numbers = pd.Series(np.arange(101_000_000, 101_000_000 + n))
    assert contains_cpr(text).sum() == 0
    assert contains_cpr(numbers).sum() == n
    assert contains_cpr(numbers.astype(str)).sum() == n
    assert contains_cpr(numbers.astype(float).astype(str)).sum() == n  # "101000000.0"


# ---------------------------------------------------------------- check_no_cpr
def test_check_no_cpr_reads_every_column_index_and_name():
    cases = {
        "free text": pd.DataFrame({"note": ["phoned 010190-1234 today"]}),
        "float": pd.DataFrame({"id": [101901234.0, np.nan]}),
        "nine digits text": pd.DataFrame({"id": ["101901234"]}),
        "space": pd.DataFrame({"id": ["010190 1234"]}),
        "en dash": pd.DataFrame({"id": ["010190\u20131234"]}),
        "bytes": pd.DataFrame({"id": [b"010190-1234", b"x"]}),
        "decimal": pd.DataFrame({"id": [Decimal("101901234")]}),
        "Float64": pd.DataFrame({"id": pd.array([101901234.0, None], dtype="Float64")}),
        "categorical": pd.DataFrame({"id": pd.Categorical(["x", "0101901234"])}),
        "mixed": pd.DataFrame({"id": ["x", 101901234, 2.5, None]}),
        "index": pd.DataFrame({"v": [1]}, index=["010190-1234"]),
        "float index": pd.DataFrame({"v": [1]}, index=[101901234.0]),
        "multiindex": pd.DataFrame(
            {"v": [1, 2]}, index=pd.MultiIndex.from_tuples([("a", 1), ("b", 101901234)])
        ),
        "range index": pd.DataFrame({"v": [1]}, index=pd.RangeIndex(101901234, 101901235)),
        "index name": pd.DataFrame({"v": [1]}, index=pd.Index(["a"], name="0101901234")),
        "column name": pd.DataFrame({"x 010190-1234": [1]}),
        "number as name": pd.DataFrame({101901234: [1]}),
        "multiindex columns": pd.DataFrame(
            [[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "x"), ("b", "010190-1234")])
        ),
    }
    for name, table in cases.items():
        with pytest.raises(PrivacyError, match="holds CPR-shaped values") as caught:
            check_no_cpr(table, where="out.csv")
        message = str(caught.value)
        assert find_cpr(message) == 0, name
        assert "out.csv" in message
    big_rows = pd.DataFrame({"v": np.zeros(3)})
    check_no_cpr(big_rows)  # row numbers are not ids


def test_check_no_cpr_messages_name_columns_by_name_or_position():
    table = pd.DataFrame(
        {
            "note": ["called 010190-1234", "ok", "and 020290 4321"],
            "amount": [101901234.0, 25000.5, np.nan],
            "x 0303031234": ["0404041234", "a", "b"],
            "fine": [1.5, 2.5, 3.5],
        }
    )
    with pytest.raises(PrivacyError) as caught:
        check_no_cpr(table, where="results 050505-1234.csv")
    message = str(caught.value)
    assert "column 'note' (2 values)" in message
    assert "column 'amount' (1 value)" in message
    assert "column number 2 (1 value)" in message and "1 column name" in message
    assert "'fine'" not in message and "0303031234" not in message
    assert "results [CPR removed].csv" in message
    assert find_cpr(message) == 0


def test_check_text():
    check_text("Weeks since randomisation", "figure.png", "title")
    check_text(["2019-W05", "25000.5", None], "figure.png", "tick label")
    check_text((t for t in ["a", "b"]), "figure.png")
    with pytest.raises(PrivacyError, match="figure.png holds .*: the title") as caught:
        check_text("Person 010190-1234", "figure.png", "title")
    assert "010190" not in str(caught.value)
    with pytest.raises(PrivacyError, match="2 of 3 tick labels"):
        check_text(["a", "101901234", "x 020290\u20134321"], "figure.png", "tick label")
    with pytest.raises(PrivacyError, match="a file name holds .*: the file name"):
        check_text("km_0101901234.png", "a file name", "file name")
    with pytest.raises(PrivacyError) as caught:
        check_text(["010190-1234"], where="fig 020290-4321.png")
    assert find_cpr(str(caught.value)) == 0 and "text" in str(caught.value)


def test_redact():
    assert redact("a 010190-1234, b 0202904321; c 101901234.") == (
        "a [CPR removed], b [CPR removed]; c [CPR removed]."
    )
    assert redact("010190-1234.0101901234") == "[CPR removed].[CPR removed]"
    assert redact("12301019012345 and 2019-W05") == "12301019012345 and 2019-W05"
    assert redact(101901234) == "[CPR removed]"


# ---------------------------------------------------------------- properties
SEPARATORS = ["", " ", *DASHES, *SPACES[1:], " - ", "- ", " \u2013 "]


@st.composite
def cprs(draw):
    date = draw(st.dates(datetime.date(1900, 1, 1), datetime.date(2099, 12, 31)))
    serial = draw(st.integers(0, 9999))
    separator = draw(st.sampled_from(SEPARATORS))
    return f"{date:%d%m%y}{separator}{serial:04d}"


def _safe_left(text):  # adds no digit, decimal point or hexadecimal token next to the CPR
    return not text or not (text[-1].isascii() and (text[-1].isalnum() or text[-1] == "."))


def _safe_right(text):
    return not text or not (text[0].isascii() and (text[0].isalnum() or text[0] == "."))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    cprs(),
    st.text(max_size=30).filter(_safe_left),
    st.text(max_size=30).filter(_safe_right),
)
def test_any_embedded_cpr_is_found(cpr, before, after):
    text = before + cpr + after
    assert find_cpr(text) >= 1
    assert is_cpr_like(cpr).tolist() == [True]
    series = pd.Series([text, "x"])
    for dtype in (object, "string[python]", "string[pyarrow]"):
        assert contains_cpr(series.astype(dtype)).tolist() == [True, False]
    assert contains_cpr([text.encode()]).tolist() == [True]
    digits = "".join(c for c in cpr if c.isdigit())
    assert contains_cpr([int(digits), float(digits), Decimal(digits)]).all()
    assert find_cpr(digits.lstrip("0") if digits[0] == "0" else digits) == 1
    assert find_cpr(redact(text)) == 0


PIECES = st.one_of(
    cprs(),
    st.text(max_size=8),
    st.text(alphabet="0123456789 -./\u2013Pabx", max_size=14),
    st.sampled_from(["0.", ".", "1", "ab", "P", "0", "\n", "12.0", "101901234"]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=8).map("".join))
def test_redact_leaves_no_cpr_and_every_path_agrees(text):
    cleaned = redact(text)
    assert find_cpr(cleaned) == 0
    assert redact(cleaned) == cleaned
    expected = find_cpr(text) > 0
    if expected:  # the screen (RE2 or Python's re) lets every CPR through
        assert re.search(cpr_module._PREFILTER, text) is not None
    series = pd.Series([text])
    for dtype in (object, "string[python]", "string[pyarrow]"):
        assert contains_cpr(series.astype(dtype)).tolist() == [expected]
    assert contains_cpr(pd.Series([cleaned], dtype="string[pyarrow]")).tolist() == [False]


@settings(max_examples=150, deadline=None)
@given(cprs(), st.sampled_from(["value", "name", "index", "where", "text"]))
def test_messages_never_hold_the_value(cpr, place):
    digits = "".join(c for c in cpr if c.isdigit())
    table = pd.DataFrame({"id": [cpr, "x"], "n": [1, 2]})
    where = "export.csv"
    if place == "name":
        table = table.rename(columns={"n": cpr})
    elif place == "index":
        table.index = [f"row {cpr}", "r2"]
    elif place == "where":
        where = f"export {cpr}.csv"
    with pytest.raises(PrivacyError) as caught:
        if place == "text":
            check_text([cpr], where=where, what=cpr)
        else:
            check_no_cpr(table, where=where)
    message = str(caught.value)
    assert cpr.strip() not in message and digits not in message and digits[1:] not in message
    assert find_cpr(message) == 0
