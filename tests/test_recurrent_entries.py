"""recurrent_entries: counting-process rows of entries into states, against a plain loop."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.errors import ArgumentError
from evalkit.output import declaration
from evalkit.panel import StatusPanel, recurrent_entries


def _loop(codes, first_week, inside_codes, start):
    rows = []
    weeks = np.arange(first_week, first_week + codes.shape[1])
    for i, row in enumerate(codes):
        seen = [j for j in range(len(row)) if row[j] >= 0 and weeks[j] >= start]
        if not seen or weeks[seen[-1]] <= start:
            continue
        end = weeks[seen[-1]]
        entries = [
            weeks[j]
            for j in range(1, len(row))
            if weeks[j] > start and weeks[j] <= end and row[j] in inside_codes
            and row[j - 1] >= 0 and row[j - 1] not in inside_codes
        ]  # fmt: skip
        previous = start
        for t in entries:
            rows.append((i, previous, t, 1))
            previous = t
        if previous != end or not entries:
            rows.append((i, previous, end, 0))
    return rows


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda n: st.integers(1, 9).flatmap(
            lambda w: st.lists(
                st.lists(st.integers(-1, 2), min_size=w, max_size=w), min_size=n, max_size=n
            )
        )
    ),
    st.integers(-3, 3),
    st.integers(-2, 4),
)
def test_matches_a_plain_loop(codes, first_week, start):
    codes = np.array(codes, dtype=np.int8)
    panel = StatusPanel(
        [f"p{i}" for i in range(len(codes))], codes, ("job", "benefit", "educ"), first_week
    )
    before = panel.codes.copy()
    out = recurrent_entries(panel, ["job", "educ"], start=start)
    got = [
        (int(i[1:]), int(a), int(b), int(e))
        for i, a, b, e in out[["id", "start", "stop", "event"]].itertuples(index=False)
    ]
    assert got == _loop(codes, first_week, {0, 2}, start)
    assert np.array_equal(panel.codes, before)
    assert (out["stop"] > out["start"]).all()


def test_declared_person_level_and_errors():
    panel = StatusPanel(["a"], [[1, 0, 1]], ("job", "benefit"))
    assert declaration(recurrent_entries(panel, "job"))["person_level"]
    with pytest.raises(ArgumentError, match="StatusPanel"):
        recurrent_entries(panel.codes, "job")
    with pytest.raises(ArgumentError, match="whole week"):
        recurrent_entries(panel, "job", start=0.5)
