"""Per-person outcomes of status panels: hand-checked small panels and brute-force checks."""

import datetime as dt
import importlib
import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import ArgumentError, DesignError, MissingValueError
from evalkit.output import declaration
from evalkit.panel import PanelWarning, StatusPanel, iso_week_ordinal
from evalkit.panel.outcomes import (
    add_hours,
    first_durable_entry,
    full_year_persons,
    hours_in_window,
    in_state_at,
    time_to_first,
    weeks_in_states,
)

STATES = ("self_sufficient", "cash_benefit", "absorbing")
SS, CB, AB, NA = 0, 1, 2, -1
W2016 = iso_week_ordinal(2016, 1)


def aligned(rows, first_week=-2, ids=None, **kwargs):
    codes = np.array(rows, dtype=np.int8)
    ids = np.array(ids if ids is not None else [chr(97 + i) for i in range(len(codes))])
    return StatusPanel(
        ids, codes, STATES, first_week=first_week, aligned=True, absorbing=("absorbing",), **kwargs
    )


def calendar(codes, first_week=W2016, ids=None, **kwargs):
    codes = np.asarray(codes, dtype=np.int8)
    ids = np.arange(len(codes)) if ids is None else np.asarray(ids)
    return StatusPanel(
        ids, codes, STATES, first_week=first_week, calendar=True, absorbing=("absorbing",), **kwargs
    )


def random_panel(seed, persons=60, weeks=30, first_week=-3):
    rng = np.random.default_rng(seed)
    change = rng.random((persons, weeks)) < 0.3
    codes = np.maximum.accumulate(np.where(change, np.arange(weeks), 0), axis=1)
    codes = np.take_along_axis(rng.integers(0, 2, (persons, weeks)), codes, axis=1)
    codes[rng.random((persons, weeks)) < 0.05] = NA  # scattered gaps
    end = rng.integers(weeks // 2, weeks + 1, persons)
    dead = rng.random(persons) < 0.2
    for i in range(persons):  # tails: end of follow-up, some by an absorbing week
        codes[i, end[i] :] = NA
        if dead[i] and end[i] < weeks:
            codes[i, end[i]] = AB
    codes[rng.random(persons) < 0.1, -first_week + 1] = NA  # some not observed at week 1
    return aligned(codes, first_week=first_week)


# ---------------------------------------------------------------------- weeks_in_states
class TestWeeksInStates:
    panel = aligned(
        [
            [SS, CB, CB, CB, SS, SS, NA, NA],
            [CB, CB, NA, SS, CB, AB, NA, NA],
            [NA, NA, NA, NA, NA, NA, NA, CB],
        ]
    )  # weeks -2..5

    def test_counts_and_share(self):
        out = weeks_in_states(self.panel, "cash_benefit", (0, 3))  # columns 2..5
        assert list(out.columns) == ["id", "weeks_in_state", "weeks_observed", "share_observed"]
        assert out["id"].tolist() == ["a", "b", "c"]
        assert out["weeks_in_state"].tolist() == [2, 1, 0]
        assert out["weeks_observed"].tolist() == [4, 3, 0]
        assert out["share_observed"].iloc[0] == 0.5
        assert out["share_observed"].iloc[1] == pytest.approx(1 / 3)
        assert np.isnan(out["share_observed"].iloc[2])  # c is not observed in the window
        assert declaration(out)["person_level"]  # one row per person: never exported
        assert {k: v for k, v in out.attrs.items() if k != "evalkit_output"} == {
            "n_persons": 3,
            "person_weeks": 7,
            "window": (0, 3),
            "window_requested": (0, 3),
        }

    def test_several_states(self):
        out = weeks_in_states(self.panel, ["cash_benefit", "absorbing"], (-2, 5))
        assert out["weeks_in_state"].tolist() == [3, 4, 1]

    def test_windows_at_the_edges_are_clipped(self):
        left = weeks_in_states(self.panel, "cash_benefit", (-10, -2))
        assert left.attrs["window"] == (-2, -2) and left.attrs["window_requested"] == (-10, -2)
        assert left["weeks_in_state"].tolist() == [0, 1, 0]
        right = weeks_in_states(self.panel, "cash_benefit", (5, 99))
        assert right.attrs["window"] == (5, 5)
        assert right["weeks_in_state"].tolist() == [0, 0, 1]
        assert right["weeks_observed"].tolist() == [0, 0, 1]
        single = weeks_in_states(self.panel, "self_sufficient", (1, 1))
        assert single["weeks_in_state"].tolist() == [0, 1, 0]

    def test_matches_brute_force(self):
        panel = random_panel(1)
        out = weeks_in_states(panel, ["cash_benefit"], (0, 20))
        cols = slice(3, 24)
        assert out["weeks_in_state"].tolist() == (panel.codes[:, cols] == CB).sum(1).tolist()
        assert out["weeks_observed"].tolist() == (panel.codes[:, cols] >= 0).sum(1).tolist()
        assert out.attrs["person_weeks"] == int((panel.codes[:, cols] >= 0).sum())

    def test_calendar_window_by_labels(self):
        panel = calendar([[CB, CB, SS, CB]])
        out = weeks_in_states(panel, "cash_benefit", ("2016-W02", "2016-W04"))
        assert out["weeks_in_state"].tolist() == [2]
        assert out.attrs["window_labels"] == ("2016-W02", "2016-W04")
        with pytest.raises(ArgumentError, match=r"weeks \d+..\d+ \(2016-W01..2016-W04\)"):
            weeks_in_states(panel, "cash_benefit", ("2017-W01", "2017-W02"))
        by_date = weeks_in_states(panel, "cash_benefit", (dt.date(2016, 1, 4), W2016 + 1))
        assert by_date["weeks_in_state"].tolist() == [2]

    @pytest.mark.parametrize(
        ("window", "message"),
        [
            ((6, 9), r"window \(6, 9\) does not overlap this panel's weeks -2..5"),
            ((-9, -3), "does not overlap"),
            ((3, 1), r"window \(3, 1\) ends before it starts"),
            (3, r"window must be a \(first, last\) pair"),
            ((1, 2, 3), "window must be a"),
            ((1.5, 3), "window start must be a whole week number"),
            (("2016-W01", 3), "window start must be a whole week number"),
        ],
    )
    def test_bad_windows(self, window, message):
        with pytest.raises(ArgumentError, match=message):
            weeks_in_states(self.panel, "cash_benefit", window)

    def test_unknown_state_and_not_a_panel(self):
        with pytest.raises(ArgumentError, match=r"unknown states \['employed'\].*self_sufficient"):
            weeks_in_states(self.panel, ["employed"], (0, 1))
        with pytest.raises(ArgumentError, match="give at least one state"):
            weeks_in_states(self.panel, [], (0, 1))
        with pytest.raises(ArgumentError, match="panel must be an evalkit.panel.StatusPanel"):
            weeks_in_states(self.panel.codes, "cash_benefit", (0, 1))

    def test_no_persons(self):
        empty = aligned(np.zeros((0, 4)))
        out = weeks_in_states(empty, "cash_benefit", (0, 1))
        assert len(out) == 0 and out.attrs["person_weeks"] == 0


# ---------------------------------------------------------------------- in_state_at
class TestInStateAt:
    panel = aligned([[SS, CB, CB, NA, NA, NA], [CB, SS, CB, CB, AB, NA]], first_week=-4)

    def test_nullable_columns(self):
        out = in_state_at(self.panel, "cash_benefit", [-4, -2, 0])
        assert list(out.columns) == ["id", "in_state_wm4", "in_state_wm2", "in_state_w0"]
        assert all(out[c].dtype == "boolean" for c in out.columns[1:])
        assert out["in_state_wm4"].tolist() == [False, True]
        assert out["in_state_wm2"].tolist() == [True, True]
        assert out["in_state_w0"].isna().tolist() == [True, False]
        assert not out["in_state_w0"].iloc[1]
        assert out.attrs["weeks"] == [-4, -2, 0] and out.attrs["window"] == (-4, 0)
        assert out.attrs["person_weeks"] == 5

    def test_single_week_and_order(self):
        out = in_state_at(self.panel, ["cash_benefit", "absorbing"], 0)
        assert list(out.columns) == ["id", "in_state_w0"]
        assert pd.isna(out["in_state_w0"].iloc[0]) and out["in_state_w0"].iloc[1]
        reordered = in_state_at(self.panel, "cash_benefit", [1, -3])
        assert list(reordered.columns) == ["id", "in_state_w1", "in_state_wm3"]

    def test_calendar_names(self):
        panel = calendar([[CB, SS], [SS, CB]])
        out = in_state_at(panel, "cash_benefit", ["2016-W02", W2016])
        assert list(out.columns) == ["id", "in_state_2016_W02", "in_state_2016_W01"]
        assert out["in_state_2016_W02"].tolist() == [False, True]

    def test_errors(self):
        with pytest.raises(ArgumentError, match=r"week 2 is outside this panel \(weeks -4..1\)"):
            in_state_at(self.panel, "cash_benefit", [0, 2])
        with pytest.raises(ArgumentError, match=r"weeks \[0\] are asked for more than once"):
            in_state_at(self.panel, "cash_benefit", [0, 1, 0])
        with pytest.raises(ArgumentError, match="give at least one week"):
            in_state_at(self.panel, "cash_benefit", [])


# ---------------------------------------------------------------------- time_to_first
def brute_first(panel, state_codes, min_weeks, start, end):
    """Loop reference for time_to_first / first_durable_entry."""
    j0 = start - panel.first_week
    j1 = (panel.first_week + panel.n_weeks - 1 if end is None else end) - panel.first_week
    j1 = min(j1, panel.n_weeks - 1)
    rows = []
    for codes in panel.codes:
        window = codes[j0 : j1 + 1]
        if window[0] < 0:
            rows.append((0, 0, None, "not_observed"))
            continue
        hit = None
        for j in range(len(window) - min_weeks + 1):
            if all(c in state_codes for c in window[j : j + min_weeks]):
                hit = j
                break
        if hit is not None:
            rows.append((hit + 1, 1, start + hit, None))
            continue
        last = max(j for j in range(len(window)) if window[j] >= 0)
        reason = "absorbing" if window[last] == AB else "end_of_follow_up"
        rows.append((last + 1, 0, None, reason))
    return rows


def as_rows(out):
    return [
        (
            int(r.duration),
            int(r.event),
            None if pd.isna(r.entry_week) else int(r.entry_week),
            None if pd.isna(r.censoring) else r.censoring,
        )
        for r in out.itertuples()
    ]


class TestTimeToFirst:
    panel = aligned(
        [
            [CB, CB, SS, CB, CB, CB, CB],  # a: self-sufficient at week 1 = start: duration 1
            [CB, CB, CB, CB, SS, SS, CB],  # b: enters at week 3
            [CB, CB, CB, CB, CB, CB, CB],  # c: never, observed to the end
            [CB, CB, CB, CB, AB, NA, NA],  # d: dies in week 3
            [CB, CB, CB, CB, CB, CB, NA],  # e: follow-up ends in week 4
            [CB, NA, NA, CB, SS, CB, CB],  # f: not observed at week 1
            [SS, CB, CB, NA, SS, CB, CB],  # g: a gap, then entry at week 3
        ],
        first_week=-1,
    )  # weeks -1..5

    def test_definitions(self):
        out = time_to_first(self.panel, "self_sufficient")
        assert list(out.columns) == ["id", "duration", "event", "entry_week", "censoring"]
        assert out["duration"].tolist() == [1, 3, 5, 3, 4, 0, 3]
        assert out["event"].tolist() == [1, 1, 0, 0, 0, 0, 1]
        assert out["entry_week"].dtype == "Int64"
        assert out["entry_week"].tolist()[:2] == [1, 3] and out["entry_week"].isna().sum() == 4
        assert out["censoring"].tolist()[2:6] == [
            "end_of_follow_up",
            "absorbing",
            "end_of_follow_up",
            "not_observed",
        ]
        assert out["censoring"].isna().tolist() == [True, True, False, False, False, False, True]
        assert out.attrs["window"] == (1, 5) and out.attrs["start"] == 1

    def test_end_limits_follow_up(self):
        out = time_to_first(self.panel, "self_sufficient", start=1, end=2)
        assert out["event"].tolist() == [1, 0, 0, 0, 0, 0, 0]
        assert out["duration"].tolist() == [1, 2, 2, 2, 2, 0, 1]  # g: not observed in week 2
        assert out["censoring"].tolist()[1] == "end_of_follow_up"
        assert out.attrs["window"] == (1, 2)
        beyond = time_to_first(self.panel, "self_sufficient", end=40)  # clipped to week 5
        assert beyond.attrs["window"] == (1, 5)
        assert beyond["duration"].tolist() == [1, 3, 5, 3, 4, 0, 3]

    def test_start_in_state_and_other_start(self):
        out = time_to_first(self.panel, "cash_benefit", start=-1)
        assert out["duration"].tolist() == [1, 1, 1, 1, 1, 1, 2]
        late = time_to_first(self.panel, "self_sufficient", start=4)
        assert late["entry_week"].tolist()[1] == 4 and late["duration"].tolist()[1] == 1

    def test_matches_brute_force(self):
        for seed in range(3):
            panel = random_panel(seed)
            for start, end in ((1, None), (-3, 10), (5, 26)):
                out = time_to_first(panel, "self_sufficient", start, end)
                assert as_rows(out) == brute_first(panel, {SS}, 1, start, end)

    def test_errors(self):
        with pytest.raises(ArgumentError, match=r"start week 9 is outside this panel \(weeks -1"):
            time_to_first(self.panel, "self_sufficient", start=9)
        with pytest.raises(ArgumentError, match=r"end \(0\) is before start \(1\)"):
            time_to_first(self.panel, "self_sufficient", start=1, end=0)
        with pytest.raises(ArgumentError, match="unknown states"):
            time_to_first(self.panel, "employed")
        cal = calendar([[CB, SS]])
        with pytest.raises(ArgumentError, match="start='2016-W10'"):
            time_to_first(cal, "self_sufficient")
        out = time_to_first(cal, "self_sufficient", start="2016-W01")
        assert out["entry_week"].tolist() == [W2016 + 1] and out["duration"].tolist() == [2]


# ---------------------------------------------------------------------- first_durable_entry
class TestFirstDurableEntry:
    panel = aligned(
        [
            [CB, SS, SS, SS, CB, CB, CB, CB],  # a: exactly 3 weeks from week 1
            [CB, SS, SS, CB, SS, SS, SS, CB],  # b: 2 weeks (too short), then 3 from week 4
            [CB, SS, SS, CB, CB, SS, SS, CB],  # c: runs of 2 only
            [CB, CB, CB, CB, CB, SS, SS, NA],  # d: run cut by the end of follow-up
            [CB, SS, SS, NA, SS, SS, CB, CB],  # e: a gap breaks the run
            [CB, CB, SS, SS, AB, NA, NA, NA],  # f: run cut by death
            [SS, SS, SS, SS, SS, SS, SS, SS],  # g: in a run at start
        ],
        first_week=0,
    )  # weeks 0..7

    def test_exactly_min_weeks_and_one_short(self):
        three = first_durable_entry(self.panel, "self_sufficient", 3)
        assert three["event"].tolist() == [1, 1, 0, 0, 0, 0, 1]
        assert three["entry_week"].tolist()[:2] == [1, 4]
        assert three["duration"].tolist() == [1, 4, 7, 6, 7, 4, 1]
        assert three["censoring"].tolist()[2:6] == [
            "end_of_follow_up",
            "end_of_follow_up",
            "end_of_follow_up",
            "absorbing",
        ]
        two = first_durable_entry(self.panel, "self_sufficient", 2)
        assert two["event"].tolist() == [1, 1, 1, 1, 1, 1, 1]
        assert two["entry_week"].tolist() == [1, 1, 1, 5, 1, 2, 1]
        four = first_durable_entry(self.panel, "self_sufficient", 4)
        assert four["event"].tolist() == [0, 0, 0, 0, 0, 0, 1]

    def test_run_cut_by_end(self):
        out = first_durable_entry(self.panel, "self_sufficient", 3, start=1, end=5)
        assert out["event"].tolist() == [1, 0, 0, 0, 0, 0, 1]  # b's run 4..6 passes end=5
        assert out["duration"].tolist()[1] == 5
        assert out["censoring"].tolist()[1] == "end_of_follow_up"

    def test_one_week_is_time_to_first(self):
        panel = random_panel(7)
        one = first_durable_entry(panel, "self_sufficient", 1)
        pd.testing.assert_frame_equal(one, time_to_first(panel, "self_sufficient"))

    def test_matches_brute_force(self):
        for seed in range(3):
            panel = random_panel(seed, weeks=40)
            for min_weeks in (2, 3, 5, 8, 13):
                for start, end in ((1, None), (0, 20)):
                    out = first_durable_entry(panel, ["self_sufficient"], min_weeks, start, end)
                    expected = brute_first(panel, {SS}, min_weeks, start, end)
                    assert as_rows(out) == expected, (seed, min_weeks, start, end)

    def test_long_panels_scanned_in_small_blocks(self, monkeypatch):
        # Rows of several 64-bit words and blocks of a few rows: the run
        # scan's block and word edges must not change anything.
        runs_module = importlib.import_module("evalkit.panel._runs")
        monkeypatch.setattr(runs_module, "_BLOCK_CELLS", 700)
        for seed in range(2):
            panel = random_panel(seed, persons=40, weeks=150)
            for min_weeks in (1, 4, 70):
                for start, end in ((1, None), (-2, 130)):
                    out = first_durable_entry(panel, "self_sufficient", min_weeks, start, end)
                    expected = brute_first(panel, {SS}, min_weeks, start, end)
                    assert as_rows(out) == expected, (seed, min_weeks, start, end)
                    j0 = start - panel.first_week
                    j1 = panel.n_weeks if end is None else end - panel.first_week + 1
                    assert out.attrs["person_weeks"] == (panel.codes[:, j0:j1] >= 0).sum()

    @pytest.mark.parametrize(
        ("min_weeks", "error", "message"),
        [
            (0, ArgumentError, "min_weeks must be at least 1; got 0"),
            (2.5, ArgumentError, "min_weeks must be a whole number"),
            (True, ArgumentError, "min_weeks must be a whole number"),
            (8, ArgumentError, r"min_weeks=8 is longer than the follow-up \(weeks 1..7, 7 weeks"),
        ],
    )
    def test_bad_min_weeks(self, min_weeks, error, message):
        with pytest.raises(error, match=message):
            first_durable_entry(self.panel, "self_sufficient", min_weeks)


# ---------------------------------------------------------------------- hours
class TestHoursInWindow:
    def test_sums(self):
        hours = np.array([[37.0, np.nan, 0.0, 10.0], [np.nan, np.nan, np.nan, 5.5]])
        panel = aligned([[CB, CB, SS, SS], [CB, NA, NA, CB]], first_week=0, hours=hours)
        out = hours_in_window(panel, (1, 5))
        assert list(out.columns) == ["id", "hours", "weeks_with_hours", "weeks_observed"]
        assert out["hours"].tolist() == [10.0, 5.5]
        assert out["weeks_with_hours"].tolist() == [2, 1]
        assert out["weeks_observed"].tolist() == [3, 1]
        assert out.attrs["window"] == (1, 3) and out.attrs["person_weeks"] == 4

    def test_no_hours(self):
        with pytest.raises(ArgumentError, match="this panel has no hours; add them with"):
            hours_in_window(aligned([[CB]]), (0, 0))


class TestAddHours:
    # 2016-W08 .. 2016-W14: Monday 22 February to Sunday 10 April 2016.
    panel = calendar(
        [[SS] * 7, [CB] * 7, [SS, SS, AB, NA, NA, NA, NA]],
        first_week=iso_week_ordinal(2016, 8),
        ids=["a", "b", "c"],
    )

    def test_weekly_labels_dates_and_ordinals(self):
        data = pd.DataFrame(
            {
                "pid": ["a", "a", "b"],
                "week": ["2016-W08", "2016-W10", "2016-W14"],
                "h": [37.0, 20.0, 0.0],
            }
        )
        out = add_hours(self.panel, data, "pid", "week", "h")
        assert out is not self.panel and self.panel.hours is None
        np.testing.assert_array_equal(out.codes, self.panel.codes)
        expected = np.full((3, 7), np.nan)
        expected[0, 0], expected[0, 2], expected[1, 6] = 37.0, 20.0, 0.0
        np.testing.assert_array_equal(out.hours, expected)
        dates = data.assign(week=pd.to_datetime(["2016-02-28", "2016-03-07", "2016-04-10"]))
        np.testing.assert_array_equal(
            add_hours(self.panel, dates, "pid", "week", "h").hours, expected
        )
        ordinals = data.assign(week=[self.panel.first_week + k for k in (0, 2, 6)])
        np.testing.assert_array_equal(
            add_hours(self.panel, ordinals, "pid", "week", "h").hours, expected
        )

    def test_monthly_spread(self):
        data = pd.DataFrame({"pid": ["a", "a", "b"], "m": ["2016-02", "2016-03", "2016-03"]})
        data["h"] = [29.0, 310.0, 155.0]
        out = add_hours(self.panel, data, "pid", "m", "h", period_type="month")
        # March 2016: Tue 1 .. Thu 31. W09 holds 29 Feb (Feb) + 1-6 March; W13 holds 28-31 March.
        march_days = np.array([0, 6, 7, 7, 7, 4, 0])
        np.testing.assert_allclose(out.hours[1], np.where(march_days > 0, 5.0 * march_days, np.nan))
        assert np.nansum(out.hours[1]) == pytest.approx(155.0)  # the month total is preserved
        # a: W08 holds 22-28 Feb (7 of 29 days); W09 straddles: 1/29 of Feb + 6/31 of March.
        assert out.hours[0, 0] == pytest.approx(7.0)
        assert out.hours[0, 1] == pytest.approx(1.0 + 60.0)
        assert np.isnan(out.hours[0, 6]) and np.isnan(out.hours[2]).all()
        # February's part before the panel (1-21 Feb) is not in it: only 8 of 29 days are.
        assert np.nansum(out.hours[0]) == pytest.approx(8.0 + 310.0)

    def test_monthly_dates_and_periods(self):
        strings = pd.DataFrame({"pid": ["b"], "m": ["2016-03"], "h": [155.0]})
        expected = add_hours(self.panel, strings, "pid", "m", "h", period_type="month").hours
        for value in (
            pd.Period("2016-03", freq="M"),
            pd.Timestamp("2016-03-17"),
            dt.date(2016, 3, 1),
        ):
            other = strings.assign(m=[value])
            got = add_hours(self.panel, other, "pid", "m", "h", period_type="month").hours
            np.testing.assert_array_equal(got, expected)
        periods = strings.assign(m=pd.PeriodIndex(["2016-03"], freq="M"))
        got = add_hours(self.panel, periods, "pid", "m", "h", period_type="month").hours
        np.testing.assert_array_equal(got, expected)

    def test_hours_after_absorbing_are_dropped(self):
        data = pd.DataFrame({"pid": ["c", "c"], "w": ["2016-W09", "2016-W12"], "h": [8.0, 9.0]})
        out = add_hours(self.panel, data, "pid", "w", "h")
        assert out.hours[2, 1] == 8.0 and np.isnan(out.hours[2, 4])  # c died in 2016-W10

    def test_input_not_mutated(self):
        data = pd.DataFrame({"pid": ["a"], "w": ["2016-W09"], "h": [8.0]})
        before = data.copy()
        codes = self.panel.codes.copy()
        add_hours(self.panel, data, "pid", "w", "h")
        pd.testing.assert_frame_equal(data, before)
        np.testing.assert_array_equal(self.panel.codes, codes)
        assert self.panel.hours is None

    def test_unmatched(self):
        data = pd.DataFrame(
            {
                "pid": ["a", "zz", "b", "b"],
                "w": ["2016-W09", "2016-W09", "2015-W40", "2016-W10"],
                "h": [1.0, 2.0, 3.0, 4.0],
            }
        )
        with pytest.raises(
            DesignError,
            match=r"1 rows for persons not in the panel; 1 rows for weeks outside the panel's "
            r"weeks \(of 4 rows; the panel covers weeks 2016-W08..2016-W14\)",
        ):
            add_hours(self.panel, data, "pid", "w", "h")
        with pytest.warns(PanelWarning, match="left out 1 rows for persons not in the panel"):
            out = add_hours(self.panel, data, "pid", "w", "h", unmatched="drop")
        assert np.nansum(out.hours) == 5.0
        months = pd.DataFrame({"pid": ["a", "a"], "m": ["2016-01", "2016-04"], "h": [1.0, 30.0]})
        with pytest.raises(DesignError, match="1 rows for months outside the panel's weeks"):
            add_hours(self.panel, months, "pid", "m", "h", period_type="month")
        numbers = pd.DataFrame({"pid": [1], "w": ["2016-W09"], "h": [1.0]})
        with pytest.raises(DesignError, match="may be of different types"):
            add_hours(self.panel, numbers, "pid", "w", "h")

    @pytest.mark.parametrize(
        ("data", "kwargs", "error", "message"),
        [
            (
                {"pid": ["a", "a"], "w": ["2016-W09", "y_1609"], "h": [1.0, 2.0]},
                {},
                DesignError,
                r"2 rows share a \(person, week\) with another row",
            ),
            (
                {"pid": ["a", "a"], "w": ["2016-03", "2016-3"], "h": [1.0, 2.0]},
                {"period_type": "month"},
                DesignError,
                r"2 rows share a \(person, month\)",
            ),
            (
                {"pid": ["a"], "w": ["2016-W09"], "h": [-1.0]},
                {},
                ArgumentError,
                r"hours column 'h' holds 1 negative values",
            ),
            (
                {"pid": ["a"], "w": ["2016-W09"], "h": ["7"]},
                {},
                ArgumentError,
                "hours column 'h' must be numeric",
            ),
            (
                {"pid": ["a"], "w": ["2016-W09"], "h": [np.inf]},
                {},
                ArgumentError,
                "infinite",
            ),
            (
                {"pid": ["a"], "w": ["March"], "h": [1.0]},
                {"period_type": "month"},
                ArgumentError,
                r"cannot read month 'March' in column 'w'",
            ),
            (
                {"pid": ["a"], "w": ["2016-13"], "h": [1.0]},
                {"period_type": "month"},
                ArgumentError,
                "cannot read month '2016-13'",
            ),
            (
                {"pid": ["a"], "w": [201603], "h": [1.0]},
                {"period_type": "month"},
                ArgumentError,
                "holds numbers; give months as 'YYYY-MM'",
            ),
            (
                {"pid": ["a"], "w": ["2016-W09"], "h": [1.0]},
                {"period_type": "quarter"},
                ArgumentError,
                "period_type must be one of 'week', 'month'",
            ),
            (
                {"pid": ["a"], "w": ["2016-W09"], "h": [np.nan]},
                {},
                MissingValueError,
                "missing values in the columns used",
            ),
        ],
    )
    def test_bad_data(self, data, kwargs, error, message):
        with pytest.raises(error, match=message):
            add_hours(self.panel, pd.DataFrame(data), "pid", "w", "h", **kwargs)

    def test_bad_panels(self):
        data = pd.DataFrame({"pid": ["a"], "w": ["2016-W09"], "h": [1.0]})
        with pytest.raises(ArgumentError, match="needs a calendar panel that is not aligned"):
            add_hours(aligned([[CB]], ids=["a"]), data, "pid", "w", "h")
        with_hours = replace(self.panel, hours=np.zeros((3, 7)))
        with pytest.raises(ArgumentError, match="this panel already has hours"):
            add_hours(with_hours, data, "pid", "w", "h")


# ---------------------------------------------------------------------- full_year_persons
class TestFullYearPersons:
    # 2015-W01 .. 2016-W52: 2015 has 53 ISO weeks, 2016 has 52.
    start = iso_week_ordinal(2015, 1)
    codes = np.zeros((3, 105), dtype=np.int8)
    codes[0, :] = CB  # a: cash benefit throughout
    codes[1, :26] = CB  # b: cash benefit the first 26 weeks of 2015
    codes[2, 53 + 13 :] = NA  # c: not observed after 2016-W13
    codes[2, 53:66] = CB  # c: cash benefit 2016-W01..W13
    panel = calendar(codes, first_week=start)

    def test_years_53_and_52_weeks(self):
        out = full_year_persons(self.panel, "cash_benefit")
        assert list(out.columns) == [
            "period",
            "state",
            "weeks",
            "period_weeks",
            "weeks_covered",
            "full_year_persons",
        ]
        assert out["period"].tolist() == ["2015", "2016"]
        assert out["weeks"].tolist() == [53 + 26, 52 + 13]
        assert out["period_weeks"].tolist() == [53, 52]
        assert out["weeks_covered"].tolist() == [53, 52]
        assert out["full_year_persons"].tolist() == pytest.approx([79 / 53, 65 / 52])
        assert out.attrs["person_weeks"] == 3 * 105 - 39 and out.attrs["by"] == "year"

    def test_half_a_year_is_half_a_person(self):
        half = calendar(np.r_[[CB] * 26, [SS] * 26][None, :], first_week=iso_week_ordinal(2016, 1))
        out = full_year_persons(half, ["cash_benefit", "self_sufficient"])
        assert out["state"].tolist() == ["cash_benefit", "self_sufficient"]
        assert out["full_year_persons"].tolist() == [0.5, 0.5]

    def test_months_by_thursday(self):
        out = full_year_persons(self.panel, ["cash_benefit", "self_sufficient"], by="month")
        assert len(out) == 2 * 24 and out["period"].iloc[0] == "2015-01"
        row = out.set_index(["period", "state"])
        # 2015-W01 (29 Dec - 4 Jan) has its Thursday on 1 January: January 2015 has 5 weeks.
        assert row.loc[("2015-01", "cash_benefit"), "period_weeks"] == 5
        assert row.loc[("2016-01", "cash_benefit"), "period_weeks"] == 4  # Thursdays 7..28
        assert row.loc[("2016-03", "cash_benefit"), "period_weeks"] == 5  # 3, 10, 17, 24, 31
        assert row.loc[("2016-03", "cash_benefit"), "weeks"] == 5 + 5  # a, and c: W09..W13
        assert row.loc[("2016-03", "self_sufficient"), "weeks"] == 5  # b
        # 2016-W52 (26 Dec - 1 Jan 2017) is a December week; the year's weeks add up.
        assert row.loc[("2016-12", "cash_benefit"), "period_weeks"] == 5
        by_year = out.assign(year=out["period"].str[:4]).groupby("year")["period_weeks"].sum()
        assert by_year.tolist() == [2 * 53, 2 * 52]
        assert out["full_year_persons"].iloc[0] == pytest.approx(out["weeks"].iloc[0] / 5)

    def test_brute_force_months(self):
        rng = np.random.default_rng(3)
        codes = rng.integers(-1, 3, (20, 70))
        panel = calendar(codes, first_week=iso_week_ordinal(2015, 40))
        out = full_year_persons(panel, "cash_benefit", by="month").set_index("period")
        thursdays = [
            dt.date.fromisocalendar(1970, 2, 4) + dt.timedelta(weeks=int(w)) for w in panel.weeks
        ]
        labels = [f"{d.year}-{d.month:02d}" for d in thursdays]
        for label in sorted(set(labels)):
            cols = [j for j, lab in enumerate(labels) if lab == label]
            assert out.loc[label, "weeks"] == (panel.codes[:, cols] == CB).sum()
            assert out.loc[label, "weeks_covered"] == len(cols)

    def test_partial_periods_keep_the_full_divisor(self):
        panel = calendar(np.full((2, 10), CB), first_week=iso_week_ordinal(2016, 48))
        out = full_year_persons(panel, "cash_benefit")  # 2016-W48 .. 2017-W05
        assert out["period"].tolist() == ["2016", "2017"]
        assert out["weeks_covered"].tolist() == [5, 5]
        assert out["period_weeks"].tolist() == [52, 52]
        assert out["full_year_persons"].tolist() == pytest.approx([10 / 52, 10 / 52])

    def test_chunks_add_up(self):
        whole = full_year_persons(self.panel, ["cash_benefit", "self_sufficient"], by="month")
        first = StatusPanel(
            self.panel.ids[:2], self.panel.codes[:2], STATES, self.start, calendar=True
        )
        second = StatusPanel(
            self.panel.ids[2:], self.panel.codes[2:], STATES, self.start, calendar=True
        )
        parts = [
            full_year_persons(p, ["cash_benefit", "self_sufficient"], by="month")
            for p in (first, second)
        ]
        merged = (
            pd.concat(parts)
            .groupby(["period", "state"], sort=False)
            .agg(weeks=("weeks", "sum"), period_weeks=("period_weeks", "first"))
            .reset_index()
        )
        assert merged["weeks"].tolist() == whole["weeks"].tolist()
        np.testing.assert_allclose(
            merged["weeks"] / merged["period_weeks"], whole["full_year_persons"]
        )

    def test_errors(self):
        with pytest.raises(ArgumentError, match="needs a calendar panel that is not aligned"):
            full_year_persons(aligned([[CB]]), "cash_benefit")
        with pytest.raises(ArgumentError, match="by must be one of 'year', 'month'"):
            full_year_persons(self.panel, "cash_benefit", by="quarter")
        with pytest.raises(ArgumentError, match="name a state twice"):
            full_year_persons(self.panel, ["cash_benefit", "cash_benefit"])
        with pytest.raises(ArgumentError, match="unknown states"):
            full_year_persons(self.panel, "employed")


# ---------------------------------------------------------------------- shared contract
def test_inputs_are_never_mutated():
    hours = np.where(np.random.default_rng(0).random((60, 30)) < 0.5, 10.0, np.nan)
    panel = replace(random_panel(5), hours=hours)
    codes, hours_before = panel.codes.copy(), panel.hours.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        weeks_in_states(panel, "cash_benefit", (0, 10))
        in_state_at(panel, "cash_benefit", [0, 5])
        time_to_first(panel, "self_sufficient")
        first_durable_entry(panel, "self_sufficient", 3)
        hours_in_window(panel, (0, 10))
    np.testing.assert_array_equal(panel.codes, codes)
    np.testing.assert_array_equal(panel.hours, hours_before)
    cal = calendar(np.zeros((2, 60)))
    cal_codes = cal.codes.copy()
    full_year_persons(cal, "self_sufficient", by="month")
    np.testing.assert_array_equal(cal.codes, cal_codes)


def test_rows_follow_the_panel_order():
    panel = aligned([[CB, SS], [SS, SS], [CB, CB]], first_week=0, ids=[30, 10, 20])
    for out in (
        weeks_in_states(panel, "self_sufficient", (0, 1)),
        in_state_at(panel, "self_sufficient", [1]),
        time_to_first(panel, "self_sufficient", start=0),
        first_durable_entry(panel, "self_sufficient", 2, start=0),
    ):
        assert out.columns[0] == "id" and out["id"].tolist() == [30, 10, 20]
        assert out.attrs["n_persons"] == 3
