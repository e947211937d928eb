"""CPR-shaped values, keyed pseudonyms and the export guard (evalkit.panel.ids).

The detector itself is tested in tests/test_cpr.py; here the re-exports keep working.

Every CPR-shaped value here is made up (dates with 1234-style serials)."""

import numpy as np
import pandas as pd
import pytest
from _fixtures import ConstantHash

import evalkit.panel.ids as ids_module
from evalkit.errors import ArgumentError, ColumnError, DesignError, EvalkitError
from evalkit.panel.ids import PrivacyError, check_no_cpr, is_cpr_like, pseudonymize_ids

KEY = "test key, not a secret: 0123456789"
OTHER_KEY = b"another test key of enough bytes"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("010190-1234", True),
        ("0101901234", True),
        ("  010190-1234 ", True),
        ("311299-9999", True),
        ("101901234", False),  # 9 characters: not the string shape
        ("320190-1234", False),  # day 32
        ("000190-1234", False),  # day 00
        ("011390-1234", False),  # month 13
        ("010090-1234", False),  # month 00
        ("010190--1234", False),
        ("010190-12345", False),
        ("x010190-1234", False),
        ("SYN000001", False),
        ("P3f2a9c", False),
        ("", False),
        (101901234, True),  # 0101901234 with the leading zero dropped
        (3112991234, True),
        (3212991234, False),  # day 32
        (101901234.0, True),
        (np.int64(101901234), True),
        (25000.5, False),  # earnings
        (25000, False),
        (1234, False),
        (99999999, False),  # 8 digits
        (10_000_000_000, False),  # 11 digits
        (None, False),
        (np.nan, False),
        (True, False),
    ],
)
def test_cpr_shapes(value, expected):
    assert is_cpr_like([value]).tolist() == [expected]
    assert is_cpr_like(value).tolist() == [expected]


def test_cpr_like_on_columns_of_every_kind():
    strings = ["010190-1234", "SYN000001", None]
    assert is_cpr_like(pd.Series(strings)).tolist() == [True, False, False]
    assert is_cpr_like(pd.Series(strings, dtype="string")).tolist() == [True, False, False]
    assert is_cpr_like(pd.Categorical(strings)).tolist() == [True, False, False]
    assert is_cpr_like(pd.Index(strings)).tolist() == [True, False, False]
    numbers = pd.Series([101901234, 5, None], dtype="Int64")
    assert is_cpr_like(numbers).tolist() == [True, False, False]
    assert is_cpr_like(np.array([101901234, 5])).tolist() == [True, False]
    assert is_cpr_like(np.array([101901234.0, np.nan, 25000.5])).tolist() == [True, False, False]
    mixed = pd.Series(["010190-1234", 101901234, 3.5, None, [1, 2]], dtype=object)
    assert is_cpr_like(mixed).tolist() == [True, True, False, False, False]
    grid = np.array([["010190-1234", "a"], ["b", "0202021234"]])
    assert is_cpr_like(grid).tolist() == [[True, False], [False, True]]
    dates = pd.Series(pd.to_datetime(["2016-01-01"]))
    assert is_cpr_like(dates).tolist() == [False]
    series = pd.Series(["010190-1234"], index=[7])
    assert is_cpr_like(series).tolist() == [True]


def test_cpr_like_handles_large_columns():
    values = pd.Series(np.arange(101_000_000, 101_200_000))  # 0101000000 .. 0101199999
    assert is_cpr_like(values).sum() == 200_000
    assert is_cpr_like(values.astype(str).str.zfill(10)).sum() == 200_000


# ---------------------------------------------------------------- pseudonyms
def frame():
    return pd.DataFrame(
        {"id": ["010190-1234", "020290-4321", "010190-1234", None], "y": [1, 2, 3, 4]}
    )


def test_pseudonyms_are_stable_keyed_and_do_not_show_the_id():
    data = frame()
    before = data.copy()
    a = pseudonymize_ids(data, "id", key=KEY)
    b = pseudonymize_ids(data, "id", key=KEY)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(data, before)  # input not modified
    assert a is not data and a["y"].tolist() == [1, 2, 3, 4]
    p = a["id"]
    assert p[0] == p[2] != p[1]
    assert p[:3].str.fullmatch(r"P[0-9a-f]{16}").all()
    assert pd.isna(p[3])  # missing stays missing
    other = pseudonymize_ids(data, "id", key=OTHER_KEY)["id"]
    assert (other[:3] != p[:3]).all()
    for original in ["010190-1234", "0101901234", "020290-4321", "0202904321"]:
        assert not p[:3].str.contains(original).any()
    assert not is_cpr_like(p).any()


def test_pseudonyms_are_hmac_sha256_of_the_normalised_id():
    import hashlib
    import hmac

    expected = "P" + hmac.new(KEY.encode(), b"0101901234", hashlib.sha256).hexdigest()[:20]
    assert pseudonymize_ids(pd.Series(["010190-1234"]), key=KEY, length=20)[0] == expected


def test_normalisation_links_the_forms_of_one_id():
    forms = pd.Series(
        ["010190-1234", "0101901234", " 010190 - 1234 ", 101901234, 101901234.0, "101901234"],
        dtype=object,
    )
    assert pseudonymize_ids(forms, key=KEY).nunique() == 1
    as_numbers = pd.Series([101901234, 202901234])
    as_text = pd.Series(["010190-1234", "0202901234"])
    assert (
        pseudonymize_ids(as_numbers, key=KEY).tolist()
        == pseudonymize_ids(as_text, key=KEY).tolist()
    )
    # Ordinary ids are not padded.
    small = pseudonymize_ids(pd.Series([12, "12", "012"], dtype=object), key=KEY)
    assert small[0] == small[1] != small[2]


def test_missing_ids_stay_missing():
    for ids in (pd.Series([None, None]), pd.Series([np.nan]), pd.Series([], dtype=object)):
        out = pseudonymize_ids(ids, key=KEY)
        assert len(out) == len(ids) and out.isna().all()
    with pytest.raises(ArgumentError, match="booleans"):
        pseudonymize_ids(pd.Series([True, False]), key=KEY)


def test_series_in_series_out_with_index_and_name_kept():
    ids = pd.Series(["a", "b"], index=[10, 20], name="person")
    out = pseudonymize_ids(ids, key=KEY, length=8)
    assert isinstance(out, pd.Series)
    assert out.index.tolist() == [10, 20] and out.name == "person"
    assert out.str.len().tolist() == [9, 9]
    assert ids.tolist() == ["a", "b"]


def test_length_and_key_are_checked_without_showing_the_key():
    with pytest.raises(ArgumentError, match="at least 16") as caught:
        pseudonymize_ids(frame(), "id", key="short-secret")
    assert "short-secret" not in str(caught.value)
    with pytest.raises(ArgumentError, match="at least 16"):
        pseudonymize_ids(frame(), "id", key=b"15 bytes secret")
    with pytest.raises(ArgumentError, match="key is required"):
        pseudonymize_ids(frame(), "id")
    with pytest.raises(ArgumentError, match="string or bytes"):
        pseudonymize_ids(frame(), "id", key=1234567890123456789)
    for length in (7, 65, 16.0, True):
        with pytest.raises(ArgumentError, match="length"):
            pseudonymize_ids(frame(), "id", key=KEY, length=length)
    assert pseudonymize_ids(frame(), "id", key=KEY, length=64)["id"].str.len()[0] == 65
    with pytest.raises(ColumnError, match="'person'"):
        pseudonymize_ids(frame(), "person", key=KEY)
    with pytest.raises(ArgumentError, match="name the id column"):
        pseudonymize_ids(frame(), key=KEY)
    with pytest.raises(ArgumentError, match="Series"):
        pseudonymize_ids(frame()["id"], "id", key=KEY)
    with pytest.raises(ArgumentError, match="whole numbers"):
        pseudonymize_ids(pd.Series([1.5]), key=KEY)
    # The key is not kept anywhere in the result.
    out = pseudonymize_ids(frame(), "id", key=KEY)
    assert KEY not in repr(out) and KEY not in repr(out.attrs)


def test_collisions_are_a_design_error_asking_for_a_longer_length(monkeypatch):
    monkeypatch.setattr(ids_module.hmac, "new", lambda *args, **kwargs: ConstantHash())
    with pytest.raises(DesignError, match="longer length") as caught:
        pseudonymize_ids(frame(), "id", key=KEY, length=8)
    assert "010190" not in str(caught.value)


def test_unique_ids_are_hashed_once(monkeypatch):
    calls = []
    real_new = ids_module.hmac.new

    def counting_new(*args, **kwargs):
        base = real_new(*args, **kwargs)

        class Counting:
            def copy(self):
                calls.append(1)
                return base.copy()

        return Counting()

    monkeypatch.setattr(ids_module.hmac, "new", counting_new)
    pseudonymize_ids(pd.Series(["a", "b", "a", "a", "b"]), key=KEY)
    assert len(calls) == 2


# ---------------------------------------------------------------- export guard
def test_check_no_cpr_passes_clean_tables():
    table = pd.DataFrame(
        {
            "id": ["SYN000001", "P3f2a9c0d"],
            "earnings": [25000.5, 1234567.0],
            "weeks": [12, 40],
            "arm": pd.Categorical(["treated", "control"]),
        }
    )
    assert check_no_cpr(table) is None
    assert check_no_cpr(table.set_index("id")) is None
    assert check_no_cpr(pd.Series([1, 2])) is None
    # Float columns are read too: an id column with a missing value becomes floats.
    with pytest.raises(PrivacyError, match="'earnings' \\(1 value\\)"):
        check_no_cpr(table.assign(earnings=[25000.5, 101901234.0]))


def test_check_no_cpr_names_columns_and_counts_but_never_values():
    secret = "010190-1234"
    table = pd.DataFrame(
        {
            "person": [secret, "0202901234", "SYN000003"],
            "number": [101901234, 7, 8],
            "fine": ["a", "b", "c"],
        },
        index=pd.Index(["0303031234", "x", "y"], name="row"),
    )
    with pytest.raises(PrivacyError) as caught:
        check_no_cpr(table, where="results.csv")
    message = str(caught.value)
    assert isinstance(caught.value, EvalkitError)
    assert "results.csv" in message
    assert "'person' (2 values)" in message and "'number' (1 value)" in message
    assert "the index (1 value)" in message and "'fine'" not in message
    for value in (secret, "0101901234", "0202901234", "101901234", "0303031234"):
        assert value not in message


def test_check_no_cpr_finds_cpr_shaped_column_names_without_printing_them():
    table = pd.DataFrame({"010190-1234": ["010190-1234"], "ok": [1]})
    with pytest.raises(PrivacyError, match="1 column name") as caught:
        check_no_cpr(table)
    message = str(caught.value)
    assert "010190" not in message and "column number 0 (1 value)" in message


def test_check_no_cpr_reads_integer_nullable_categorical_and_multiindex():
    cases = [
        pd.DataFrame({"id": pd.array([101901234, None], dtype="Int64")}),
        pd.DataFrame({"id": pd.Categorical(["010190-1234", "x"])}),
        pd.DataFrame({"id": pd.Series(["010190-1234"], dtype="string")}),
        pd.DataFrame({"v": [1]}, index=pd.MultiIndex.from_tuples([("010190-1234", 1)])),
    ]
    for table in cases:
        with pytest.raises(PrivacyError):
            check_no_cpr(table)
    with pytest.raises(ArgumentError):
        check_no_cpr([["010190-1234"]])
