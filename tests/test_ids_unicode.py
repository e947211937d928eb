"""pseudonymize_ids normalises Unicode dashes, minus signs and odd spaces (property tests)."""

import numpy as np
import pandas as pd
import pytest
from _fixtures import ConstantHash
from hypothesis import given, settings
from hypothesis import strategies as st

import evalkit.panel.ids as ids_module
from evalkit.errors import DesignError
from evalkit.panel.ids import pseudonymize_ids

KEY = "a test key of at least 16 characters"
DASHES = ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212",
          "\ufe63", "\uff0d", "\u00ad"]  # fmt: skip
SPACES = [" ", "\u00a0", "\u2007", "\u2009", "\u202f", "\u3000", "\u200b", "\ufeff", "\t"]

cpr = st.tuples(
    st.integers(1, 28), st.integers(1, 12), st.integers(0, 99), st.integers(0, 9999)
).map(lambda t: f"{t[0]:02d}{t[1]:02d}{t[2]:02d}{t[3]:04d}")
spaces = st.lists(st.sampled_from(SPACES), max_size=2).map("".join)


@st.composite
def formatted(draw):
    """A CPR number as it arrives: odd spaces, any dash, full-width digits."""
    digits = draw(cpr)
    separator = draw(spaces) + draw(st.sampled_from([*DASHES, ""])) + draw(spaces)
    text = draw(spaces) + digits[:6] + separator + digits[6:] + draw(spaces)
    if draw(st.booleans()):  # full-width digits (U+FF10-U+FF19)
        text = "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in text)
    return digits, text


def one(value) -> str:
    return pseudonymize_ids(pd.Series([value], dtype=object), key=KEY)[0]


@settings(max_examples=300, deadline=None)
@given(formatted())
def test_a_formatted_cpr_number_has_the_pseudonym_of_its_digits(case):
    digits, text = case
    assert one(text) == one(digits)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=14))
def test_the_pseudonym_of_any_id_is_that_of_its_normalised_form(text):
    normal = ids_module._normalise_ids(pd.Series([text], dtype=object))[0]
    assert one(text) == one(normal)
    # normalising is idempotent: nothing is left to strip
    assert ids_module._normalise_ids(pd.Series([normal], dtype=object))[0] == normal


def test_each_listed_dash_and_space_is_removed():
    plain = one("0101901234")
    for dash in DASHES:
        for space in SPACES:
            assert one(f"{space}010190{space}{dash}{space}1234{space}") == plain
    # a dropped leading zero is restored after the dashes are removed
    assert one("10190\u20131234") == plain


def test_errors_do_not_show_ids_with_unicode_dashes(monkeypatch):
    monkeypatch.setattr(ids_module.hmac, "new", lambda *args, **kwargs: ConstantHash())
    data = pd.DataFrame({"id": ["010190\u20131234", "020290\u22124321"], "y": [1, 2]})
    with pytest.raises(DesignError, match="longer length") as caught:
        pseudonymize_ids(data, "id", key=KEY, length=8)
    message = str(caught.value)
    for part in ("010190", "1234", "020290", "4321"):
        assert part not in message
    assert data["id"].tolist() == ["010190\u20131234", "020290\u22124321"]  # not mutated


def test_ascii_ids_keep_their_fast_path_results():
    # the ASCII path and the Unicode path agree on what they both remove
    ids = pd.Series(["010190-1234", "010190\t1234", "010190\x1f1234", "0101901234"])
    assert pseudonymize_ids(ids, key=KEY).nunique() == 1
    assert np.all(pseudonymize_ids(pd.Series(["a-b", "a\u2013b"]), key=KEY).duplicated()[1:])


def test_the_export_guard_finds_cpr_numbers_with_every_listed_dash():
    from evalkit.panel.ids import PrivacyError, check_no_cpr, is_cpr_like

    formatted = pd.Series([f"010190{dash}1234" for dash in DASHES])
    assert is_cpr_like(formatted).all()  # U+FE63, U+FF0D, U+00AD were let through before
    with pytest.raises(PrivacyError) as caught:
        check_no_cpr(pd.DataFrame({"id": formatted}), where="out.csv")
    assert "1234" not in str(caught.value) and "010190" not in str(caught.value)
