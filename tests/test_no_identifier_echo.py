"""No error, warning or repr ever echoes an identifier value (issue 12).

Every site below is triggered with person ids shaped like CPR numbers (with and without
the hyphen, and as 10-digit strings) and like evalkit's pseudonyms; the message must name
the column and a count and must not contain any id in any of its forms.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evalkit
from evalkit._validation import _show, _show_values, row_positions
from evalkit.design import assign
from evalkit.errors import EvalkitError
from evalkit.panel import (
    StateClassification,
    StatusPanel,
    iter_person_chunks,
    pseudonymize_ids,
    stream_parquet,
)
from evalkit.panel.weeks import parse_weeks
from evalkit.survival import cox, kaplan_meier, logrank_test

CPR = ["010190-1234", "020290-4321", "0303851234", "150275-9876", "3112991111", "280466-2468"]
PSEUDO = ["P3fa9c0d1e2b4", "P00aa11bb22cc", "Pdeadbeef0001", "P0123456789ab", "Pabcdef987654"]
ID_SETS = {"cpr": CPR, "pseudonym": PSEUDO, "mixed": CPR[:3] + PSEUDO[:3]}
KEY = "a-secret-key-of-16+chars"


def forms(value) -> set[str]:
    """Every way an id may show up in a text: as given, without hyphen, with one, as a number."""
    text = str(value).strip()
    out = {text}
    digits = text.replace("-", "")
    if re.fullmatch(r"\d{10}", digits):
        out |= {digits, f"{digits[:6]}-{digits[6:]}", str(int(digits))}
    return out


def assert_no_ids(text: str, ids) -> None:
    for value in ids:
        for form in forms(value):
            assert form not in text, f"id {form!r} echoed in: {text}"


def raised(call, ids, *names) -> str:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(EvalkitError) as info:
            call()
    text = str(info.value)
    assert_no_ids(text, ids)
    for message in caught:
        assert_no_ids(str(message.message), ids)
    for name in names:
        assert name in text, f"{name!r} not named in: {text}"
    return text


def warned(call, ids, category=Warning) -> str:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    texts = [str(m.message) for m in caught if issubclass(m.category, category)]
    assert texts, "no warning"
    for text in texts:
        assert_no_ids(text, ids)
    assert_no_ids(repr(result), ids)
    return " ".join(texts)


CLASSES = StateClassification({"cash_benefit": [130], "education": [651]})


def long_frame(ids) -> pd.DataFrame:
    rows = [(i, f"2016-W{w:02d}", 130 if w % 2 else 651) for i in ids for w in (10, 11, 12)]
    return pd.DataFrame(rows, columns=["cpr", "week", "code"])


# ------------------------------------------------------------------ the helper
class TestHelper:
    def test_codes_are_shown(self):
        assert _show_values(["a", "b"], "arm") == "'a', 'b'"
        assert _show_values(["a"], "arm", data=pd.Series(list("aabbc"))) == "'a'"

    @pytest.mark.parametrize("ids", ID_SETS.values(), ids=ID_SETS.keys())
    def test_id_shaped_values_are_withheld(self, ids):
        text = _show_values(ids, "arm")
        assert_no_ids(text, ids)
        assert f"{len(ids)} distinct values" in text and "identifier" in text

    def test_identifier_names_and_columns(self):
        assert "not shown" in _show_values(["SYN1"], "person_id")
        assert "not shown" in _show_values(
            ["x"], "arm", data=pd.Series([f"S{i}" for i in range(9)])
        )
        assert "not shown" in _show_values(["S1"], "pnr")
        assert "not shown" in _show_values(["S1"], "code", ids=pd.Series(["S1", "S2"]))
        assert "not shown" in _show_values([101901234], "arm")  # a CPR read as a number
        assert "not shown" in _show_values(["call 010190-1234 back"], "note")  # inside text
        assert "long text" in _show_values(["x" * 60], "note")

    def test_fractional_amounts_are_not_ids(self):
        column = pd.Series(np.linspace(0.5, 9.5, 10))
        assert _show_values([0.5], "earnings", data=column) == "0.5"

    def test_show_withholds_id_shaped(self):
        assert_no_ids(_show(CPR), CPR)
        assert _show(["a", "b"]) == "'a', 'b'"

    def test_row_positions(self):
        assert row_positions([False, True, True]) == "rows 1, 2"
        assert row_positions(np.arange(8)) == "rows 0, 1, 2, 3, 4 and 3 more"
        assert row_positions([0], rows=np.array([7, 9])) == "row 7"

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.sampled_from(CPR + PSEUDO), min_size=1, max_size=8, unique=True))
    def test_any_id_set(self, ids):
        assert_no_ids(_show_values(ids, "treatment", data=pd.Series(ids)), ids)


# ------------------------------------------------------------------ panels
@pytest.mark.parametrize("ids", ID_SETS.values(), ids=ID_SETS.keys())
class TestPanel:
    def test_from_long_duplicates(self, ids):
        data = long_frame(ids)
        data = pd.concat([data, data.iloc[[0, 4]]], ignore_index=True)
        text = raised(lambda: StatusPanel.from_long(data, "cpr", "week", "code", CLASSES), ids)
        assert "2 duplicate (person, week) rows" in text and "'cpr'" in text
        assert f"rows {len(data) - 2}, {len(data) - 1}" in text

    def test_from_long_id_as_code_column(self, ids):
        data = long_frame(ids).assign(pnr=lambda d: d["cpr"])
        text = raised(lambda: StatusPanel.from_long(data, "cpr", "week", "pnr", CLASSES), ids)
        assert "'pnr'" in text and f"{len(ids)} raw codes" in text
        raised(lambda: StatusPanel.from_long(data, "cpr", "week", "cpr", CLASSES), ids, "'cpr'")

    def test_from_long_unknown_codes_from_free_text(self, ids):
        data = long_frame(ids).astype({"code": object})
        data.loc[0, "code"] = f"ring {ids[0]} tilbage"
        text = raised(lambda: StatusPanel.from_long(data, "cpr", "week", "code", CLASSES), ids)
        assert "1 raw codes in column 'code' (1 cells)" in text

    def test_from_long_id_as_week(self, ids):
        data = long_frame(ids).assign(other=lambda d: d["cpr"])
        raised(lambda: StatusPanel.from_long(data, "cpr", "other", "code", CLASSES), ids, "rows")

    def test_from_long_id_as_hours(self, ids):
        data = long_frame(ids).assign(h=lambda d: d["cpr"])
        raised(
            lambda: StatusPanel.from_long(data, "cpr", "week", "code", CLASSES, hours="h"),
            ids,
            "'h'",
            "rows",
        )

    def test_from_wide_duplicates_and_codes(self, ids):
        wide = pd.DataFrame({"cpr": ids, "y_1610": 130, "y_1611": 651})
        doubled = pd.concat([wide, wide.iloc[[1]]], ignore_index=True)
        text = raised(lambda: StatusPanel.from_wide(doubled, "cpr", "y_", CLASSES), ids, "'cpr'")
        assert "1 persons appear on more than one row" in text and f"row {len(ids)}" in text
        coded = wide.assign(y_1611=wide["cpr"])
        raised(lambda: StatusPanel.from_wide(coded, "cpr", "y_", CLASSES), ids, "raw codes")

    def test_align_unmatched_and_duplicates(self, ids):
        panel = StatusPanel.from_long(long_frame(ids[1:]), "cpr", "week", "code", CLASSES)
        trial = pd.DataFrame({"cpr": ids, "ref": "2016-W10"})
        text = raised(lambda: panel.align(trial, "cpr", "ref"), ids)
        assert "1 trial persons not in the register" in text and "row 0" in text
        text = warned(lambda: panel.align(trial, "cpr", "ref", unmatched="drop"), ids)
        assert "1 trial persons not in the register" in text
        doubled = pd.concat([trial, trial.iloc[[2]]], ignore_index=True)
        text = raised(lambda: panel.align(doubled, "cpr", "ref"), ids, "'cpr'")
        assert "1 rows" in text and f"row {len(ids)}" in text
        raised(lambda: panel.select([ids[0]]), ids, "position 0")

    def test_panel_repr(self, ids):
        panel = StatusPanel.from_long(long_frame(ids), "cpr", "week", "code", CLASSES)
        assert_no_ids(repr(panel), ids)
        assert_no_ids(str(panel), ids)

    def test_add_hours(self, ids):
        from evalkit.panel import add_hours

        panel = StatusPanel.from_long(long_frame(ids[1:]), "cpr", "week", "code", CLASSES)
        hours = pd.DataFrame({"cpr": ids, "w": "2016-W10", "h": 5.0})
        raised(lambda: add_hours(panel, hours, "cpr", "w", "h"), ids, "row 0")
        doubled = pd.concat([hours, hours], ignore_index=True)
        raised(lambda: add_hours(panel, doubled, "cpr", "w", "h"), ids, "'cpr'")
        raised(lambda: add_hours(panel, hours, "cpr", "cpr", "h", period_type="month"), ids)

    def test_parse_weeks(self, ids):
        raised(lambda: parse_weeks(pd.Series(ids), "week"), ids, "rows")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ids=st.lists(
        st.one_of(
            st.from_regex(r"\A(0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])[0-9]{2}-?[0-9]{4}\Z"),
            st.from_regex(r"\AP[0-9a-f]{12}\Z"),
        ),
        min_size=2,
        max_size=12,
        unique_by=lambda v: v.replace("-", ""),
    ),
    repeat=st.integers(0, 11),
)
def test_from_long_duplicates_any_ids(ids, repeat):
    data = long_frame(ids)
    data = pd.concat([data, data.iloc[[repeat % len(data)]]], ignore_index=True)
    text = raised(lambda: StatusPanel.from_long(data, "cpr", "week", "code", CLASSES), ids)
    assert "1 duplicate (person, week) rows" in text and f"row {len(data) - 1}" in text


# ------------------------------------------------------------------ design
@pytest.mark.parametrize("ids", ID_SETS.values(), ids=ID_SETS.keys())
class TestAssign:
    def test_duplicate_ids(self, ids):
        people = pd.DataFrame({"cpr": ids + ids[:2]})
        text = raised(lambda: assign(people, ids="cpr", seed=1), ids, "'cpr'")
        assert "2 ids appear on more than one row" in text
        indexed = people.set_index("cpr")
        raised(lambda: assign(indexed, seed=1), ids, "the index")

    def test_bad_strata(self, ids):
        people = pd.DataFrame({"cpr": ids, "pnr": ids})
        raised(lambda: assign(people, ids="cpr", blocks="pnr", seed=1), ids, "'pnr'")
        counts = {v: 1 for v in ids}
        raised(lambda: assign(people, ids="cpr", blocks="pnr", n_treated=counts, seed=1), ids)
        blocks = pd.DataFrame({"cpr": ids, "centre": ["A"] * len(ids)})
        raised(lambda: assign(blocks, ids="cpr", blocks="centre", n_treated={ids[0]: 1}), ids)

    def test_repr(self, ids):
        a = assign(pd.DataFrame(index=pd.Index(ids, name="cpr")), seed=3)
        for text in (repr(a), str(a), a._repr_html_(), repr(a.audit)):
            assert_no_ids(text, ids)


def test_block_labels_still_shown():
    people = pd.DataFrame({"centre": ["A", "A", "B"]})
    with pytest.raises(EvalkitError, match="block 'B' of 'centre' has a single unit"):
        assign(people, blocks="centre", seed=1)


# ------------------------------------------------------------------ estimators
def trial(ids) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "cpr": ids,
            "y": np.arange(n, dtype=float),
            "emp": [0, 1] * (n // 2) + [1] * (n % 2),
            "t": [1, 0] * (n // 2) + [1] * (n % 2),
        }
    )


ESTIMATORS = {
    "difference_in_means": lambda d, y, t: evalkit.difference_in_means(d, y, t),
    "lin_estimator": lambda d, y, t: evalkit.lin_estimator(d, y, t, ["cov"]),
    "risk_difference": lambda d, y, t: evalkit.risk_difference(d, y, t),
}


@pytest.mark.parametrize("ids", ID_SETS.values(), ids=ID_SETS.keys())
@pytest.mark.parametrize("name", ESTIMATORS)
class TestEstimators:
    def test_id_as_treatment(self, ids, name):
        data = trial(ids).assign(cov=1.0 * np.arange(len(ids)) ** 2)
        outcome = "emp" if name == "risk_difference" else "y"
        text = raised(lambda: ESTIMATORS[name](data, outcome, "cpr"), ids, "'cpr'", "rows 0")
        assert f"{len(ids)} of {len(ids)} rows" in text

    def test_id_as_outcome(self, ids, name):
        data = trial(ids).assign(cov=1.0 * np.arange(len(ids)) ** 2)
        raised(lambda: ESTIMATORS[name](data, "cpr", "t"), ids, "'cpr'", "rows")


@pytest.mark.parametrize("ids", ID_SETS.values(), ids=ID_SETS.keys())
def test_id_as_covariate(ids):
    data = trial(ids)
    text = raised(lambda: evalkit.lin_estimator(data, "y", "t", ["cpr"]), ids, "'cpr'")
    assert "identifier" in text


def test_row_positions_after_dropping_missing():
    data = trial(CPR).assign(y=[np.nan, 1.0, 2.0, 3.0, 4.0, 5.0], t=[1, 0, 1, 0, 1, "x"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = raised(lambda: evalkit.difference_in_means(data, "y", "t", missing="drop"), CPR)
    assert "row 5" in text  # the caller's row, not the position among the rows kept


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ids=st.lists(
        st.one_of(
            st.from_regex(r"\A(0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])[0-9]{2}-?[0-9]{4}\Z"),
            st.from_regex(r"\AP[0-9a-f]{8,16}\Z"),
        ),
        min_size=2,
        max_size=10,
        unique_by=lambda v: v.replace("-", ""),
    ),
    role=st.sampled_from(["treatment", "outcome", "event", "duration"]),
)
def test_id_column_in_any_role(ids, role):
    data = trial(ids).assign(time=np.arange(1, len(ids) + 1), ev=1)
    calls = {
        "treatment": lambda: evalkit.difference_in_means(data, "y", "cpr"),
        "outcome": lambda: evalkit.difference_in_means(data, "cpr", "t"),
        "event": lambda: kaplan_meier(data, "time", "cpr"),
        "duration": lambda: kaplan_meier(data, "cpr", "ev"),
    }
    raised(calls[role], ids, "'cpr'")


# ------------------------------------------------------------------ survival
@pytest.mark.parametrize("ids", ID_SETS.values(), ids=ID_SETS.keys())
class TestSurvival:
    def data(self, ids):
        n = len(ids)
        return pd.DataFrame(
            {
                "cpr": ids,
                "time": np.arange(1, n + 1),
                "ev": [1, 0] * (n // 2) + [1] * (n % 2),
                "g": [0, 1] * (n // 2) + [0] * (n % 2),
                "x": np.arange(n, dtype=float),
            }
        )

    def test_id_as_event(self, ids):
        d = self.data(ids)
        for call in (
            lambda: kaplan_meier(d, "time", "cpr"),
            lambda: logrank_test(d, "time", "cpr", "g"),
            lambda: cox(d, "time", "cpr", ["x"]),
        ):
            raised(call, ids, "event column 'cpr'", "rows 0")

    def test_id_as_duration(self, ids):
        d = self.data(ids)
        for call in (
            lambda: kaplan_meier(d, "cpr", "ev"),
            lambda: logrank_test(d, "cpr", "ev", "g"),
            lambda: cox(d, "cpr", "ev", ["x"]),
        ):
            raised(call, ids, "duration column 'cpr'", "rows")

    def test_id_as_group(self, ids):
        d = self.data(ids)
        for call in (
            lambda: kaplan_meier(d, "time", "ev", group="cpr"),
            lambda: logrank_test(d, "time", "ev", "cpr"),
        ):
            raised(call, ids, "group column 'cpr'")

    def test_id_as_strata_or_covariate(self, ids):
        d = self.data(ids)
        for call in (
            lambda: cox(d, "time", "ev", ["x"], strata="cpr"),
            lambda: cox(d, "time", "ev", ["cpr"]),
        ):
            raised(call, ids, "'cpr'")

    def test_id_as_logrank_strata(self, ids):
        d = self.data(ids)
        try:
            result = logrank_test(d, "time", "ev", "g", strata="cpr")
        except EvalkitError as error:
            assert_no_ids(str(error), ids)
        else:
            assert_no_ids(repr(result), ids)


# ------------------------------------------------------------------ ids and files
@pytest.mark.parametrize("ids", ID_SETS.values(), ids=ID_SETS.keys())
def test_pseudonymize_errors(ids):
    frame = pd.DataFrame({"cpr": ids})
    raised(lambda: pseudonymize_ids(frame, "cpr", key="short"), ids)
    raised(lambda: pseudonymize_ids(frame, "pnr", key=KEY), ids, "'pnr'")
    raised(lambda: pseudonymize_ids(frame, key=KEY), ids)
    raised(lambda: pseudonymize_ids(frame["cpr"], "cpr", key=KEY), ids)
    raised(lambda: pseudonymize_ids(pd.Series([1.5, 2.5]), key=KEY), ids)


@pytest.mark.parametrize("ids", ID_SETS.values(), ids=ID_SETS.keys())
def test_person_chunks_not_contiguous(ids, tmp_path):
    pytest.importorskip("pyarrow")
    data = pd.DataFrame({"cpr": [ids[0], ids[1], ids[0], ids[2]], "code": 130})
    path = tmp_path / "long.parquet"
    data.to_parquet(path)
    text = raised(lambda: iter_person_chunks(path, "cpr", chunk_persons=1), ids, "'cpr'")
    assert "1 persons are not contiguous" in text and "row 2" in text
    raised(
        lambda: stream_parquet(path, "cpr", lambda c: None, lambda p: None, chunk_persons=1),
        ids,
        "row 2",
    )
    missing = tmp_path / "missing.parquet"
    pd.DataFrame({"cpr": [ids[0], None, ids[1]], "code": 130}).to_parquet(missing)
    raised(lambda: iter_person_chunks(missing, "cpr"), ids, "'cpr'", "row 1")
