"""Spells of weeks in a set of states: hand-checked panels, properties, bad inputs."""

import importlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.errors import ArgumentError, EvalkitError
from evalkit.output import declaration
from evalkit.panel import StatusPanel
from evalkit.panel.spells import COLUMNS, spells
from evalkit.panel.weeks import iso_week_ordinal

# The package exports the function `spells`, which hides the module of the same name.
runs_module = importlib.import_module("evalkit.panel._runs")

STATES = ("self_sufficient", "cash_benefit", "absorbing")
S, C, A, U = 0, 1, 2, -1  # self-sufficient, cash benefit, absorbing, not observed
PLAIN = [c for c in COLUMNS if not c.endswith("_calendar")]


def make(rows, first_week=0, ids=None, **kwargs):
    codes = np.array(rows, dtype=np.int8)
    ids = np.arange(1, len(codes) + 1) if ids is None else np.asarray(ids)
    return StatusPanel(ids=ids, codes=codes, states=STATES, first_week=first_week, **kwargs)


def table(frame, *columns):
    """Rows of the chosen columns as tuples (missing states as None)."""
    columns = columns or ("id", "start", "end")
    out = frame[list(columns)].astype(object)
    return [tuple(None if pd.isna(v) else v for v in row) for row in out.itertuples(False)]


# ------------------------------------------------------------------ hand-checked panels
def test_spell_at_start_is_left_censored_and_at_end_right_censored():
    frame = spells(make([[C, C, S, C, C, C]]), "cash_benefit")
    assert list(frame.columns) == PLAIN
    cols = ("start", "end", "left_censored", "right_censored", "state_before", "state_after")
    assert table(frame, *cols) == [
        (0, 1, True, False, None, "self_sufficient"),
        (3, 5, False, True, "self_sufficient", None),
    ]
    assert table(frame, "length", "weeks_in_state", "duration", "event") == [
        (2, 2, 2, 1),
        (3, 3, 3, 0),
    ]


def test_unobserved_week_ends_a_spell_and_censors_both_sides():
    frame = spells(make([[S, C, C, U, C, S]]), "cash_benefit")
    cols = ("start", "end", "left_censored", "right_censored", "state_before", "state_after")
    assert table(frame, *cols) == [
        (1, 2, False, True, "self_sufficient", None),
        (4, 4, True, False, None, "self_sufficient"),
    ]
    assert frame["event"].tolist() == [0, 1]


def test_gap_of_max_gap_is_merged_and_of_max_gap_plus_one_is_not():
    panel = make([[C, S, S, C, S, S, S, C, C]])
    frame = spells(panel, "cash_benefit", max_gap=2)
    assert table(frame, "start", "end", "length", "weeks_in_state") == [(0, 3, 4, 2), (7, 8, 2, 2)]
    assert table(spells(panel, "cash_benefit", max_gap=3), "start", "end", "weeks_in_state") == [
        (0, 8, 4)
    ]
    assert table(spells(panel, "cash_benefit"), "start", "end") == [(0, 0), (3, 3), (7, 8)]


def test_gap_with_an_unobserved_week_is_never_bridged():
    panel = make([[C, S, U, C, C], [C, U, C, S, C], [S, C, U, U, C]])
    frame = spells(panel, "cash_benefit", max_gap=10)
    assert table(frame, "id", "start", "end", "right_censored") == [
        (1, 0, 0, False),
        (1, 3, 4, True),
        (2, 0, 0, True),
        (2, 2, 4, True),  # the S week between two runs is bridged, the U week is not
        (3, 1, 1, True),
        (3, 4, 4, True),
    ]
    assert frame["weeks_in_state"].tolist() == [1, 2, 1, 2, 1, 1]


def test_runs_of_two_persons_are_never_merged():
    panel = make([[S, S, C], [C, S, S]])
    assert table(spells(panel, "cash_benefit", max_gap=5)) == [(1, 2, 2), (2, 0, 0)]


def test_absorbing_exit_is_an_event():
    panel = make([[S, C, C, A, U, U], [C, C, C, C, C, C]])
    frame = spells(panel, "cash_benefit")
    assert table(frame, "id", "start", "end", "state_after", "event", "right_censored") == [
        (1, 1, 2, "absorbing", 1, False),
        (2, 0, 5, None, 0, True),
    ]


def test_absorbing_inside_the_set_ends_follow_up():
    frame = spells(make([[S, C, A, U]]), ["cash_benefit", "absorbing"])
    assert table(frame, "start", "end", "right_censored", "state_before") == [
        (1, 2, True, "self_sufficient")
    ]


def test_min_length_drops_short_spells_after_merging():
    panel = make([[C, S, C, C, C, S, S, S, C, C]])
    frame = spells(panel, "cash_benefit", min_length=3)
    assert table(frame, "start", "end") == [(2, 4)]
    frame = spells(panel, "cash_benefit", max_gap=1, min_length=3)
    assert table(frame, "start", "end", "length", "weeks_in_state") == [(0, 4, 5, 4)]
    assert spells(panel, "cash_benefit", min_length=6).empty


def test_window_cuts_a_spell_on_both_sides():
    panel = make([[C, C, C, C, C, C], [S, C, C, C, C, S], [C, S, U, S, C, C]])
    frame = spells(panel, "cash_benefit", window=(2, 3))
    cols = ("id", "start", "end", "left_censored", "right_censored", "state_before", "state_after")
    assert table(frame, *cols) == [
        (1, 2, 3, True, True, None, None),
        (2, 2, 3, True, True, None, None),
    ]
    assert frame["event"].tolist() == [0, 0]
    assert frame.attrs["person_weeks"] == 5  # person 3: weeks 2 (not observed) and 3
    assert frame.attrs["window"] == (2, 3)
    frame = spells(panel, "cash_benefit", window=(1, 4))
    assert table(frame, "id", "start", "end", "left_censored", "right_censored") == [
        (1, 1, 4, True, True),
        (2, 1, 4, True, True),  # week 0 is outside the window
        (3, 4, 4, False, True),
    ]


def test_window_reaching_beyond_the_panel_is_clipped():
    panel = make([[C, S, C], [U, C, C]], first_week=10)
    wide = spells(panel, "cash_benefit", window=(-100, 100))
    pd.testing.assert_frame_equal(wide, spells(panel, "cash_benefit"))
    assert wide.attrs["window"] == (10, 12)


def test_person_without_spells_has_no_rows_but_counts():
    panel = make([[S, S, U], [U, U, U], [S, C, S]], ids=["a", "b", "c"])
    frame = spells(panel, "cash_benefit")
    assert table(frame) == [("c", 1, 1)]
    assert declaration(frame)["person_level"]  # one row per spell: never exported
    assert {k: v for k, v in frame.attrs.items() if k != "evalkit_output"} == {
        "n_persons": 3,
        "person_weeks": 5,
        "states": ["cash_benefit"],
        "max_gap": 0,
        "min_length": 1,
        "window": (0, 2),
    }


def test_empty_result_keeps_the_columns_and_dtypes():
    frame = spells(make([[S, S], [U, S]]), "cash_benefit")
    full = spells(make([[C, S], [U, C]]), "cash_benefit")
    assert frame.empty and list(frame.columns) == PLAIN
    pd.testing.assert_series_equal(frame.dtypes, full.dtypes)


def test_columns_and_types():
    frame = spells(make([[S, C, C, S], [C, S, A, U]], first_week=5), ["cash_benefit"])
    assert list(frame.columns) == PLAIN
    for name in ("state_before", "state_after"):
        assert isinstance(frame[name].dtype, pd.CategoricalDtype)
        assert list(frame[name].cat.categories) == list(STATES)
    assert frame["left_censored"].dtype == bool and frame["right_censored"].dtype == bool
    assert (frame["duration"] == frame["length"]).all()
    assert (frame["event"] == (~frame["right_censored"]).astype(int)).all()
    assert table(frame) == [(1, 6, 7), (2, 5, 5)]


def test_several_states_form_one_set():
    panel = make([[C, S, C, A, U]])
    frame = spells(panel, ["self_sufficient", "cash_benefit"])
    assert table(frame, "start", "end", "state_after", "event") == [(0, 2, "absorbing", 1)]
    frame = spells(panel, ["cash_benefit", "self_sufficient", "cash_benefit"])
    assert frame.attrs["states"] == ["cash_benefit", "self_sufficient"]


def test_calendar_panel_labels_its_weeks():
    first = iso_week_ordinal(2015, 52)
    panel = make([[S, C, C, C, S]], first_week=first, calendar=True)
    frame = spells(panel, "cash_benefit")
    assert list(frame.columns) == list(COLUMNS)
    assert table(frame, "start", "end", "start_calendar", "end_calendar") == [
        (first + 1, first + 3, "2015-W53", "2016-W02")
    ]
    assert frame["start_calendar"].cat.ordered
    by_label = spells(panel, "cash_benefit", window=("2016-W01", "2016-W20"))
    assert table(by_label, "start_calendar", "end_calendar", "left_censored") == [
        ("2016-W01", "2016-W02", True)
    ]


def test_aligned_panel_with_negative_weeks_and_calendar_labels():
    reference = np.array([iso_week_ordinal(2016, 10), iso_week_ordinal(2015, 52)])
    codes = [[C, C, C, S, U], [S, S, C, C, C]]
    panel = make(codes, first_week=-2, calendar=True, aligned=True, reference_week=reference)
    frame = spells(panel, "cash_benefit")
    cols = ("id", "start", "end", "start_calendar", "end_calendar", "left_censored")
    assert table(frame, *cols) == [
        (1, -2, 0, "2016-W08", "2016-W10", True),
        (2, 0, 2, "2015-W52", "2016-W01", False),
    ]
    assert frame["right_censored"].tolist() == [False, True]
    window = spells(panel, "cash_benefit", window=(-1, 1))
    assert table(window, "id", "start", "end", "start_calendar") == [
        (1, -1, 0, "2016-W09"),
        (2, 0, 1, "2015-W52"),
    ]
    plain = make(codes, first_week=-2, aligned=True, reference_week=np.array([3, 40]))
    assert list(spells(plain, "cash_benefit").columns) == PLAIN


def test_non_contiguous_codes_and_small_blocks_give_the_same_spells(monkeypatch):
    codes = np.array([[C, C, S, U, C, S, C], [S, C, U, C, C, C, A]], dtype=np.int8)
    expected = spells(make(codes), "cash_benefit", max_gap=1)
    fortran = StatusPanel(ids=np.arange(1, 3), codes=np.asfortranarray(codes), states=STATES)
    assert not fortran.codes.flags.c_contiguous
    pd.testing.assert_frame_equal(spells(fortran, "cash_benefit", max_gap=1), expected)
    monkeypatch.setattr(runs_module, "_BLOCK_CELLS", 1)
    pd.testing.assert_frame_equal(spells(make(codes), "cash_benefit", max_gap=1), expected)


# ------------------------------------------------------------------ properties
def reference_spells(codes, in_set, first_week, max_gap, min_length, window):
    """A plain loop over persons and weeks, for comparison."""
    n_weeks = codes.shape[1]
    lo, hi = 0, n_weeks - 1
    if window is not None:
        lo, hi = max(window[0] - first_week, 0), min(window[1] - first_week, n_weeks - 1)

    def code(p, j):
        return int(codes[p, j]) if lo <= j <= hi else -1

    rows = []
    for p in range(codes.shape[0]):
        runs, j = [], lo
        while j <= hi:
            if code(p, j) >= 0 and in_set[code(p, j)]:
                k = j
                while k + 1 <= hi and code(p, k + 1) >= 0 and in_set[code(p, k + 1)]:
                    k += 1
                runs.append([j, k, k - j + 1])
                j = k + 1
            else:
                j += 1
        merged = []
        for run in runs:
            if merged:
                last = merged[-1]
                gap = range(last[1] + 1, run[0])
                if len(gap) <= max_gap and all(code(p, g) >= 0 for g in gap):
                    last[1], last[2] = run[1], last[2] + run[2]
                    continue
            merged.append(run)
        for s, e, weeks in merged:
            if e - s + 1 < min_length:
                continue
            before, after = code(p, s - 1), code(p, e + 1)
            rows.append(
                (p + 1, s + first_week, e + first_week, weeks, before < 0, after < 0, before, after)
            )
    return rows


@st.composite
def panels(draw):
    n_states = draw(st.integers(2, 4))
    n_persons = draw(st.integers(0, 6))
    n_weeks = draw(st.integers(1, 14))
    # One draw of bytes is much faster than nested lists; byte 0 (the shrink target) is -1.
    raw = draw(st.binary(min_size=n_persons * n_weeks, max_size=n_persons * n_weeks))
    codes = np.frombuffer(raw, dtype=np.uint8) % (n_states + 1)
    codes = (codes.astype(np.int8) - 1).reshape(n_persons, n_weeks)
    names = tuple(f"s{k}" for k in range(n_states))
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=n_states, unique=True))
    first_week = draw(st.integers(-5, 5))
    panel = StatusPanel(np.arange(1, n_persons + 1), codes, names, first_week=first_week)
    return panel, chosen


def columns_of(frame, panel):
    """Row positions, start and end columns, and weeks in state, as numpy arrays."""
    rows = pd.Index(panel.ids).get_indexer(frame["id"])
    start = frame["start"].to_numpy() - panel.first_week
    end = frame["end"].to_numpy() - panel.first_week
    return rows, start, end, frame["weeks_in_state"].to_numpy()


def painted(panel, frame):
    """How many spells cover each cell of the panel."""
    counts = np.zeros(panel.codes.shape, dtype=int)
    for row, start, end, _ in zip(*columns_of(frame, panel), strict=True):
        counts[row, start : end + 1] += 1
    return counts


def window_mask(panel, window):
    weeks = panel.weeks
    inside = np.ones(panel.n_weeks, dtype=bool)
    if window is not None:
        inside = (weeks >= window[0]) & (weeks <= window[1])
    return np.broadcast_to(inside, panel.codes.shape)


@settings(max_examples=200, deadline=None)
@given(panels())
def test_spells_reconstruct_the_in_set_weeks(case):
    panel, chosen = case
    frame = spells(panel, chosen)
    in_set = panel.in_states(chosen)
    counts = painted(panel, frame)
    assert counts.max(initial=0) <= 1  # spells never overlap
    np.testing.assert_array_equal(counts == 1, in_set)  # painting gives the in-set weeks
    rows, start, end, weeks = columns_of(frame, panel)
    np.testing.assert_array_equal(weeks, end - start + 1)
    # Every spell is maximal: the weeks just before and after are not in the set.
    padded = np.pad(in_set, ((0, 0), (1, 1)))
    assert not padded[rows, start].any()  # column start - 1 of in_set
    assert not padded[rows, end + 2].any()  # column end + 1 of in_set
    # Sorted by person, then start.
    order = list(zip(rows, start, strict=True))
    assert order == sorted(order)
    assert frame.attrs["person_weeks"] == panel.person_weeks


@settings(max_examples=200, deadline=None)
@given(panels(), st.integers(0, 4), st.integers(1, 3), st.data())
def test_merged_and_windowed_spells_match_a_plain_loop(case, max_gap, min_length, data):
    panel, chosen = case
    window = None
    if data.draw(st.booleans()):
        lo = data.draw(st.integers(panel.first_week - 2, panel.first_week + panel.n_weeks - 1))
        hi = data.draw(st.integers(max(lo, panel.first_week), lo + panel.n_weeks + 2))
        window = (lo, hi)
    frame = spells(panel, chosen, max_gap=max_gap, min_length=min_length, window=window)
    in_set = np.zeros(len(panel.states), dtype=bool)
    in_set[panel.state_codes(chosen)] = True
    expected = reference_spells(panel.codes, in_set, panel.first_week, max_gap, min_length, window)
    got = zip(
        frame["id"].tolist(),
        frame["start"].tolist(),
        frame["end"].tolist(),
        frame["weeks_in_state"].tolist(),
        frame["left_censored"].tolist(),
        frame["right_censored"].tolist(),
        frame["state_before"].cat.codes.tolist(),
        frame["state_after"].cat.codes.tolist(),
        strict=True,
    )
    assert list(got) == expected
    inside = window_mask(panel, window)
    observed = (panel.codes >= 0) & inside
    assert frame.attrs["person_weeks"] == observed.sum()
    if min_length > 1:
        return
    # Every in-set week inside the window lies in exactly one spell, none outside it.
    counts = painted(panel, frame)
    wanted = panel.in_states(chosen) & inside
    assert counts.max(initial=0) <= 1
    assert (counts[wanted] == 1).all()
    assert (counts[~inside] == 0).all()
    assert frame["weeks_in_state"].sum() == wanted.sum()
    # Bridged gap weeks are observed and out of the set.
    bridged = (counts == 1) & ~wanted
    assert (panel.codes[bridged] >= 0).all()
    assert (frame["length"] - frame["weeks_in_state"]).sum() == bridged.sum()


# ------------------------------------------------------------------ bad inputs
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"states": "employed"}, "unknown states ['employed']"),
        ({"states": []}, "give at least one state"),
        ({"states": 5}, "states must be a state name or a list of state names; got 5"),
        ({"states": ["cash_benefit", 1]}, "states must be state names (strings); got [1]"),
        ({"max_gap": -1}, "max_gap must be >= 0"),
        ({"max_gap": 1.5}, "max_gap must be a whole number of weeks >= 0; got 1.5"),
        ({"max_gap": True}, "max_gap must be a whole number"),
        ({"min_length": 0}, "min_length must be >= 1"),
        ({"min_length": "2"}, "min_length must be a whole number of weeks >= 1; got '2'"),
        ({"window": (5, 2)}, "is empty: its first week is after its last"),
        ({"window": (10, 20)}, "does not overlap this panel (weeks 0..3)"),
        ({"window": (-9, -1)}, "does not overlap this panel"),
        ({"window": 3}, "window must be a pair (first, last) of week numbers; got 3"),
        ({"window": (1, 2, 3)}, "window must be a pair"),
        ({"window": "2016-W10"}, "window must be a pair"),
        ({"window": (0.5, 2)}, "cannot read window (0.5, 2)"),
        ({"window": ("2016-W10", "2016-W12")}, "gives calendar weeks, but this panel's weeks"),
    ],
)
def test_bad_arguments_are_explained(kwargs, message):
    panel = make([[S, C, C, S]])
    arguments = {"states": "cash_benefit", **kwargs}
    with pytest.raises(ArgumentError) as error:
        spells(panel, **arguments)
    assert message in str(error.value)


def test_panel_must_be_a_status_panel():
    with pytest.raises(ArgumentError, match="panel must be a StatusPanel; got ndarray"):
        spells(np.zeros((2, 3), dtype=np.int8), "cash_benefit")


def test_calendar_window_on_an_aligned_panel_is_refused():
    panel = make([[C, C]], first_week=-1, calendar=True, aligned=True, reference_week=[2000])
    with pytest.raises(EvalkitError, match="relative to each person's reference week"):
        spells(panel, "cash_benefit", window=("2016-W10", "2016-W12"))
