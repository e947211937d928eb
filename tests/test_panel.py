"""StatusPanel construction, classification, week labels and alignment."""

import importlib

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import ArgumentError, ColumnError, DesignError
from evalkit.panel import (
    PanelWarning,
    StateClassification,
    StatusPanel,
    UnknownCodeError,
    iso_week_ordinal,
    ordinal_to_label,
    parse_weeks,
    synthetic_classification,
)

runs_module = importlib.import_module("evalkit.panel._runs")

STATES = StateClassification(
    {
        "self_sufficient": [],
        "cash_benefit": (130, 139),
        "education": [651, 652],
        "absorbing": [997, 998],
    },
    absorbing=("absorbing",),
)
SS, CB, ED, AB = 0, 1, 2, 3


class TestWeeks:
    def test_iso_labels_across_a_53_week_year(self):
        numbers, calendar = parse_weeks(["2015-W52", "2015-W53", "2016-W01", "2016W02"])
        assert calendar and np.diff(numbers).tolist() == [1, 1, 1]
        assert ordinal_to_label(numbers) == ["2015-W52", "2015-W53", "2016-W01", "2016-W02"]

    def test_dream_columns(self):
        numbers, _ = parse_weeks(["y_9901", "y_1610"])
        assert numbers[1] == iso_week_ordinal(2016, 10)
        assert ordinal_to_label(numbers[:1]) == ["1999-W01"]

    def test_dates_fall_in_their_week(self):
        numbers, calendar = parse_weeks(pd.to_datetime(["2016-03-07", "2016-03-13", "2016-03-14"]))
        assert calendar and numbers.tolist() == [numbers[0], numbers[0], numbers[0] + 1]
        assert ordinal_to_label(numbers[:1]) == ["2016-W10"]

    def test_integers_are_not_calendar(self):
        numbers, calendar = parse_weeks([3, 4, 5])
        assert not calendar and numbers.tolist() == [3, 4, 5]

    def test_bad_labels(self):
        with pytest.raises(ArgumentError, match="cannot read week label 'March'"):
            parse_weeks(["March"])
        with pytest.raises(ArgumentError, match="2015-W54 is not an ISO week"):
            parse_weeks(["2015-W54"])


class TestClassification:
    def test_codes_and_ranges(self):
        assert STATES.classify([130, 139, "651", 998, None]).tolist() == [CB, CB, ED, AB, -1]

    def test_numeric_arrays_take_the_lookup_table(self):
        rng = np.random.default_rng(5)
        values = rng.choice([130.0, 135.0, 651.0, 998.0, np.nan], size=(50, 20))
        fast = STATES.classify(values)
        general = STATES.classify(values.astype(object))  # hashed, value by value
        np.testing.assert_array_equal(fast, general)
        assert fast.shape == (50, 20) and fast.dtype == np.int8
        ints = np.array([[130, 651], [998, 139]], dtype=np.uint16)
        assert STATES.classify(ints).tolist() == [[CB, ED], [AB, CB]]
        assert STATES.classify(np.full(3, np.nan)).tolist() == [-1, -1, -1]
        # Fractional codes, or codes too far apart for a table: the general path.
        with pytest.raises(UnknownCodeError, match=r"651\.5: 1"):
            STATES.classify(np.array([651.5, 130.0]))
        with pytest.raises(UnknownCodeError, match=r"10000000: 1"):
            STATES.classify(np.array([130, 10_000_000]))
        with pytest.raises(UnknownCodeError, match=r"777: 2, 555: 1"):
            STATES.classify(np.array([[777.0, np.nan], [555.0, 777.0]]))

    def test_unknown_codes_listed_with_counts(self):
        with pytest.raises(UnknownCodeError, match=r"2 raw codes .* 777: 3, 555: 1"):
            STATES.classify([777, 777, 777, 555, 130])

    def test_other_state(self):
        c = StateClassification({"cash_benefit": [130]}, other="other_benefit")
        assert c.names == ("cash_benefit", "other_benefit")
        assert c.classify([130, 777]).tolist() == [0, 1]

    def test_bad_specification(self):
        with pytest.raises(ArgumentError, match="non-empty dict"):
            StateClassification({})
        with pytest.raises(ArgumentError, match="absorbing states"):
            StateClassification({"a": [1]}, absorbing=("dead",))

    def test_synthetic_default_is_documented(self):
        c = synthetic_classification()
        assert "self_sufficient" in c.names and c.absorbing == ("absorbing",)
        assert c.classify([651, 652]).tolist() == [c.state_index("education")] * 2


class TestFromLong:
    def frame(self):
        return pd.DataFrame(
            {
                "id": ["a", "a", "a", "b", "b"],
                "week": ["2016-W10", "2016-W11", "2016-W13", "2016-W11", "2016-W12"],
                "code": [130, 651, 130, 130, 997],
            }
        )

    def test_missing_weeks_are_unobserved(self):
        panel = StatusPanel.from_long(self.frame(), "id", "week", "code", STATES)
        assert panel.codes.tolist() == [[CB, ED, -1, CB], [-1, CB, AB, -1]]
        assert panel.calendar and panel.week_labels[0] == "2016-W10"
        assert panel.person_weeks == 5

    def test_blank_state_fills_to_the_end_and_absorbing_cuts(self):
        panel = StatusPanel.from_long(
            self.frame(),
            "id",
            "week",
            "code",
            STATES,
            blank="self_sufficient",
            last_week="2016-W14",
        )
        assert panel.codes.tolist() == [[CB, ED, SS, CB, SS], [-1, CB, AB, -1, -1]]

    def test_cut_at_absorbing_in_blocks(self, monkeypatch):
        rng = np.random.default_rng(4)
        codes = rng.integers(-1, 3, size=(30, 12)).astype(np.int8)  # 2 = absorbing
        hours = rng.random((30, 12)) * 37
        panel = StatusPanel(
            np.arange(30), codes, ("a", "b", "dead"), absorbing=("dead",), hours=hours
        )
        whole = panel.cut_at_absorbing()
        monkeypatch.setattr(runs_module, "_BLOCK_CELLS", 1)  # one person a block
        blocks = panel.cut_at_absorbing()
        np.testing.assert_array_equal(blocks.codes, whole.codes)
        np.testing.assert_array_equal(blocks.hours, whole.hours)
        for row, cut in zip(codes, whole.codes, strict=True):  # a plain loop
            dead = np.flatnonzero(row == 2)
            expected = row.copy()
            if len(dead):
                expected[dead[0] + 1 :] = -1
            np.testing.assert_array_equal(cut, expected)
        assert np.isnan(whole.hours[whole.codes < codes]).all()
        np.testing.assert_array_equal(panel.codes, codes)  # the input is untouched
        quiet = StatusPanel(
            np.arange(2), np.zeros((2, 3), np.int8), ("a", "dead"), absorbing=("dead",)
        )
        assert quiet.cut_at_absorbing() is quiet  # nothing to cut: the same panel

    def test_input_not_mutated(self):
        data = self.frame()
        before = data.copy()
        StatusPanel.from_long(data, "id", "week", "code", STATES)
        pd.testing.assert_frame_equal(data, before)

    def test_duplicate_rows(self):
        data = pd.concat([self.frame(), self.frame().iloc[[0]]])
        with pytest.raises(DesignError, match="1 duplicate \\(person, week\\) rows"):
            StatusPanel.from_long(data, "id", "week", "code", STATES)

    def test_missing_column(self):
        with pytest.raises(ColumnError, match="'status'"):
            StatusPanel.from_long(self.frame(), "id", "week", "status", STATES)

    def test_needs_a_classification(self):
        with pytest.raises(ArgumentError, match="StateClassification"):
            StatusPanel.from_long(self.frame(), "id", "week", "code", [("cash", [130])])

    def test_a_plain_dict_is_a_classification(self):
        # the dict is StateClassification's first argument; its checks apply as they are
        with pytest.raises(UnknownCodeError):
            StatusPanel.from_long(self.frame(), "id", "week", "code", {"cash": [130]})


class TestFromWide:
    def test_dream_layout(self):
        wide = pd.DataFrame(
            {
                "id": [1, 2],
                "y_1610": [130, np.nan],
                "y_1611": [np.nan, 651],
                "y_1612": [130, 997],
                "y_1613": [np.nan, np.nan],
            }
        )
        panel = StatusPanel.from_wide(wide, "id", "y_", STATES, blank="self_sufficient")
        assert panel.codes.tolist() == [[CB, SS, CB, SS], [-1, ED, AB, -1]]

    def test_blank_weeks_filled_a_block_at_a_time(self, monkeypatch):
        rng = np.random.default_rng(2)
        values = rng.choice([130.0, 651.0, 997.0, np.nan], size=(40, 9), p=[0.3, 0.2, 0.05, 0.45])
        wide = pd.DataFrame(values, columns=[f"y_16{w:02d}" for w in range(10, 19)])
        wide.insert(0, "id", np.arange(40))
        long = wide.melt("id", var_name="week", value_name="code").dropna()
        long["week"] = long["week"].str.replace("y_16", "2016-W")
        kwargs = {"blank": "self_sufficient"}
        expected_wide = StatusPanel.from_wide(wide, "id", "y_", STATES, **kwargs).codes
        expected_long = StatusPanel.from_long(
            long, "id", "week", "code", STATES, last_week="2016-W18", **kwargs
        ).codes
        monkeypatch.setattr(runs_module, "_BLOCK_CELLS", 1)  # one person a block
        got = StatusPanel.from_wide(wide, "id", "y_", STATES, **kwargs).codes
        np.testing.assert_array_equal(got, expected_wide)
        got = StatusPanel.from_long(
            long, "id", "week", "code", STATES, last_week="2016-W18", **kwargs
        ).codes
        np.testing.assert_array_equal(got, expected_long)
        # Blank weeks from a person's first coded week on are self-sufficient, until death.
        for row, codes in zip(values, expected_wide, strict=True):
            coded = np.flatnonzero(~np.isnan(row))
            if not len(coded):
                assert (codes == -1).all()
                continue
            assert (codes[: coded[0]] == -1).all() and codes[coded[0]] >= 0

    def test_a_chunk_of_blank_weeks(self):
        # Weeks nobody has a code in (e.g. after the data's end) used to fail to classify.
        wide = pd.DataFrame({"id": [1, 2], "y_1610": [130, np.nan], "y_1611": [np.nan] * 2})
        panel = StatusPanel.from_wide(wide, "id", "y_", STATES)
        assert panel.codes.tolist() == [[CB, -1], [-1, -1]]
        assert STATES.classify([None, None]).tolist() == [-1, -1]

    def test_columns_out_of_order(self):
        wide = pd.DataFrame({"id": [1], "y_1611": [130], "y_1610": [130]})
        with pytest.raises(DesignError, match="'y_1611' is followed by 'y_1610'"):
            StatusPanel.from_wide(wide, "id", "y_", STATES)

    def test_repeated_persons(self):
        wide = pd.DataFrame({"id": [1, 1], "y_1610": [130, 130]})
        with pytest.raises(DesignError, match="1 persons appear on more than one row"):
            StatusPanel.from_wide(wide, "id", "y_", STATES)

    def test_gaps_between_columns_are_unobserved(self):
        wide = pd.DataFrame({"id": [1], "y_1610": [130], "y_1612": [130]})
        assert StatusPanel.from_wide(wide, "id", "y_", STATES).codes.tolist() == [[CB, -1, CB]]


class TestAlign:
    def panel(self):
        codes = np.array([[CB, CB, SS, SS, CB], [CB, ED, ED, SS, SS]], dtype=np.int8)
        first = iso_week_ordinal(2016, 10)
        return StatusPanel(np.array(["a", "b"]), codes, STATES.names, first, calendar=True)

    def test_week_zero_is_the_reference_week(self):
        trial = pd.DataFrame({"id": ["b", "a"], "rand": ["2016-W11", "2016-W12"]})
        aligned = self.panel().align(trial, "id", "rand", before=1, after=2)
        assert aligned.ids.tolist() == ["b", "a"]
        assert aligned.weeks.tolist() == [-1, 0, 1, 2]
        assert aligned.codes.tolist() == [[CB, ED, ED, SS], [CB, SS, SS, CB]]
        assert aligned.aligned and aligned.reference_week.tolist() == [
            iso_week_ordinal(2016, 11),
            iso_week_ordinal(2016, 12),
        ]

    def test_weeks_beyond_the_data_are_unobserved(self):
        trial = pd.DataFrame({"id": ["a", "b"], "rand": ["2016-W14", "2016-W10"]})
        aligned = self.panel().align(trial, "id", "rand", before=0, after=2)
        assert aligned.codes.tolist() == [[CB, -1, -1], [CB, ED, ED]]

    def test_unmatched_persons_error_or_warn(self):
        trial = pd.DataFrame({"id": ["a", "c"], "rand": ["2016-W11", "2016-W11"]})
        with pytest.raises(
            DesignError,
            match="1 trial persons not in the register; 1 register persons not in the trial list",
        ):
            self.panel().align(trial, "id", "rand")
        with pytest.warns(PanelWarning, match="left out 1 trial persons"):
            aligned = self.panel().align(trial, "id", "rand", unmatched="drop")
        assert aligned.ids.tolist() == ["a"]

    def test_reference_outside_the_data(self):
        trial = pd.DataFrame({"id": ["a", "b"], "rand": ["2016-W11", "2017-W01"]})
        with pytest.raises(DesignError, match="1 reference weeks outside the data"):
            self.panel().align(trial, "id", "rand")

    def test_reference_kind_must_match(self):
        trial = pd.DataFrame({"id": ["a", "b"], "rand": [1, 2]})
        with pytest.raises(ArgumentError, match="calendar weeks"):
            self.panel().align(trial, "id", "rand")


def test_in_states_and_unknown_state():
    panel = TestAlign().panel()
    assert panel.in_states(["self_sufficient"]).sum() == 4
    with pytest.raises(ArgumentError, match="unknown states \\['job'\\]"):
        panel.in_states("job")


def test_to_long_round_trip():
    panel = TestAlign().panel()
    long = panel.to_long()
    again = StatusPanel.from_long(
        long.assign(
            code=long["state"].map({"cash_benefit": 130, "education": 651, "self_sufficient": 0})
        ),
        "id",
        "calendar_week",
        "code",
        StateClassification(
            {"self_sufficient": [0], "cash_benefit": [130], "education": [651], "absorbing": [997]}
        ),
    )
    assert np.array_equal(again.codes, panel.codes)


def test_group_states_merges_and_validates():
    p = StatusPanel(
        ["a", "b"], [[0, 1, 2, 3], [3, -1, 1, 0]], ("job", "benefit", "educ", "dead"),
        absorbing=("dead",),
    )  # fmt: skip
    g = p.group_states({"benefit": "benefit", "work": ["job", "educ"]})
    assert g.states == ("benefit", "work", "other")
    assert g.codes.tolist() == [[1, 0, 1, 2], [2, -1, 0, 1]]
    assert g.absorbing == ("other",) and p.codes[0, 0] == 0  # the original is untouched
    with pytest.raises(ArgumentError, match="not in the panel"):
        p.group_states({"x": ["nope"]})
    with pytest.raises(ArgumentError, match="two groups"):
        p.group_states({"x": ["job"], "y": ["job"]})
    with pytest.raises(ArgumentError, match="in no group"):
        p.group_states({"x": ["job"]}, other=None)
