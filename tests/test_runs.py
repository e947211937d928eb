"""The dense run scan behind spells and first entries (evalkit.panel._runs)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.panel._runs import (
    _set_bit_positions,
    codes_at,
    count_true,
    first_long_run,
    observed_weeks,
    scan_runs,
)


def plain_runs(codes, in_set):
    """A plain loop over persons and weeks, for comparison."""
    person, first, last = [], [], []
    for p, row in enumerate(codes):
        j = 0
        while j < len(row):
            if row[j] >= 0 and in_set[row[j]]:
                k = j
                while k + 1 < len(row) and row[k + 1] >= 0 and in_set[row[k + 1]]:
                    k += 1
                person.append(p)
                first.append(j)
                last.append(k)
                j = k + 1
            else:
                j += 1
    return person, first, last


@st.composite
def cases(draw):
    n_states = draw(st.integers(1, 4))
    n_persons = draw(st.integers(0, 7))
    n_weeks = draw(st.integers(0, 200))  # several 64-bit words a row
    style = draw(st.sampled_from(["noise", "runs"]))
    if style == "noise":  # many changes per word: the bit-by-bit path
        raw = draw(st.binary(min_size=n_persons * n_weeks, max_size=n_persons * n_weeks))
        codes = np.frombuffer(raw, dtype=np.uint8) % (n_states + 1)
    else:  # long runs that cross word boundaries
        lengths = draw(st.lists(st.integers(1, 90), min_size=1, max_size=12))
        values = draw(
            st.lists(st.integers(0, n_states), min_size=len(lengths), max_size=len(lengths))
        )
        row = np.repeat(values, lengths)
        codes = np.resize(row, n_persons * n_weeks)
    codes = (codes.astype(np.int8) - 1).reshape(n_persons, n_weeks)
    chosen = draw(
        st.lists(st.integers(0, n_states - 1), min_size=1, max_size=n_states, unique=True)
    )
    c0 = draw(st.integers(0, n_weeks))
    c1 = draw(st.integers(c0, n_weeks))
    if draw(st.booleans()):  # column-major (e.g. from Fortran or R): no flat row gathers
        codes = np.asfortranarray(codes)
    return codes, np.array(chosen, dtype=np.int8), n_states, c0, c1


@settings(max_examples=300, deadline=None)
@given(cases(), st.integers(1, 5000))
def test_scan_runs_matches_a_plain_loop(case, block_cells):
    codes, chosen, n_states, c0, c1 = case
    sub = codes[:, c0:c1]  # a column window: not contiguous
    in_set = np.zeros(n_states, dtype=bool)
    in_set[chosen] = True
    runs = scan_runs(
        codes,
        chosen,
        n_states,
        (c0, c1),
        neighbours=True,
        edges=True,
        block_cells=block_cells,
    )
    person, first, last = plain_runs(sub, in_set)
    assert runs.person.tolist() == person
    assert runs.first.tolist() == first
    assert runs.last.tolist() == last
    assert runs.person_weeks == int((sub >= 0).sum()) == observed_weeks(sub)
    n_cols = sub.shape[1]
    assert runs.before.tolist() == [
        sub[p, j - 1] if j > 0 else -1 for p, j in zip(person, first, strict=True)
    ]
    assert runs.after.tolist() == [
        sub[p, j + 1] if j + 1 < n_cols else -1 for p, j in zip(person, last, strict=True)
    ]
    if sub.shape[1]:
        assert runs.observed_first.tolist() == (sub[:, 0] >= 0).tolist()
    default = scan_runs(sub, chosen, n_states, count_observed=False)  # a view: all of it
    assert default.first.tolist() == first
    assert default.person_weeks == -1
    assert default.before is None


def test_codes_at_reads_windows_and_other_layouts():
    codes = np.arange(60, dtype=np.int8).reshape(6, 10)
    rows, cols = np.array([0, 5, 2, 2]), np.array([0, 3, 1, 2])
    for array in (codes, codes[:, 3:8], codes[1:5, ::2], np.asfortranarray(codes), codes[::-1]):
        r, c = rows % array.shape[0], cols % array.shape[1]
        np.testing.assert_array_equal(codes_at(array, r, c), array[r, c])


@settings(max_examples=300, deadline=None)
@given(cases(), st.integers(1, 150), st.integers(1, 5000))
def test_first_long_run_matches_the_runs(case, min_length, block_cells):
    codes, chosen, n_states, c0, c1 = case
    found = first_long_run(codes, chosen, n_states, (c0, c1), min_length, block_cells=block_cells)
    sub = codes[:, c0:c1]
    in_set = np.zeros(n_states, dtype=bool)
    in_set[chosen] = True
    expected = np.full(len(codes), -1)
    for p, j, k in reversed(list(zip(*plain_runs(sub, in_set), strict=True))):
        if k - j + 1 >= min_length:
            expected[p] = j
    assert found.first.tolist() == expected.tolist()
    observed = sub >= 0
    assert found.person_weeks == int(observed.sum())
    if not sub.shape[1]:
        return
    assert found.observed_first.tolist() == observed[:, 0].tolist()
    # Censored rows (no such run, first week observed): last observed week and its code.
    censored = (expected < 0) & observed[:, 0]
    last = [
        max(np.flatnonzero(row)) if c else -1 for row, c in zip(observed, censored, strict=True)
    ]
    assert found.last_seen.tolist() == last
    code = [sub[p, j] if j >= 0 else -1 for p, j in enumerate(last)]
    assert found.last_code.tolist() == code


def test_runs_filling_whole_words():
    codes = np.zeros((3, 128), dtype=np.int8)  # every week in the set: rows of two full words
    codes[1, 64] = -1  # split at a word boundary
    codes[2, 63] = 1
    runs = scan_runs(codes, np.array([0], dtype=np.int8), 2, neighbours=True, block_cells=1)
    assert runs.person.tolist() == [0, 1, 1, 2, 2]
    assert runs.first.tolist() == [0, 0, 65, 0, 64]
    assert runs.last.tolist() == [127, 63, 127, 62, 127]
    assert runs.person_weeks == 3 * 128 - 1
    assert runs.before.tolist() == [-1, -1, -1, -1, 1]
    assert runs.after.tolist() == [-1, -1, -1, 1, -1]


@pytest.mark.parametrize("size", [0, 1, 7, 8, 2040, 2043, 4089, 100_000])
def test_count_true(size):
    mask = np.random.default_rng(size).random(size) < 0.3
    assert count_true(mask) == np.count_nonzero(mask)
    assert count_true(np.ones(size, dtype=bool)) == size  # full lanes do not overflow


def test_set_bit_positions():
    rng = np.random.default_rng(7)
    words = rng.integers(1, 2**63, size=500, dtype=np.uint64)
    words[:3] = [np.uint64(2**64 - 1), np.uint64(1), np.uint64(2**63)]  # all bits, lowest, top
    words[3:50] &= rng.integers(0, 2**63, size=47, dtype=np.uint64) | np.uint64(1)
    index = np.sort(rng.choice(10_000, size=500, replace=False))
    bits = np.unpackbits(words.astype("<u8").view(np.uint8), bitorder="little").reshape(-1, 64)
    expected = (index[:, None] * 64 + np.arange(64))[bits.astype(bool)]
    np.testing.assert_array_equal(_set_bit_positions(index, words), expected)
    assert _set_bit_positions(index[:0], words[:0]).size == 0
