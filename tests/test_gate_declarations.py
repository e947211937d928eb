"""Evalkit's own tables declare their counts: exported through the gate with no
count_columns, small counts, what is computed from them and what would give them back
never reach the file; tables of one row per person are refused (issue 12)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.benchmark import (
    compare_proportions,
    compare_series,
    did_national,
    funnel_compare,
    target_attainment,
    target_test,
)
from evalkit.design import assign
from evalkit.output import declaration
from evalkit.panel import StatusPanel, iso_week_ordinal
from evalkit.panel.outcomes import full_year_persons, weeks_in_states
from evalkit.panel.spells import spells
from evalkit.report import export_table
from evalkit.report.disclosure import DisclosureError

MARKERS = {"<5", "x"}


def written(frame: pd.DataFrame, folder, name: str = "x.csv") -> pd.DataFrame:
    path = export_table(frame, folder / name)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def cells(frame: pd.DataFrame) -> set[str]:
    return set(frame.to_numpy().ravel().tolist())


def panel(codes, ids=None, states=("benefit", "employed"), **kwargs) -> StatusPanel:
    codes = np.asarray(codes, dtype=np.int8)
    ids = np.array(ids if ids is not None else [f"p{i}" for i in range(len(codes))])
    return StatusPanel(ids, codes, states, **kwargs)


# ------------------------------------------------------------------------ benchmark tables
def test_target_test_three_of_forty(tmp_path):
    out = written(target_test(3, 40, 0.5).to_frame(), tmp_path)
    row = out.iloc[0]
    assert row["successes"] == "<5"
    for column in ["estimate", "conf_low", "conf_high", "wilson_low", "wilson_high", "p_value"]:
        assert row[column] == "x", column
    assert "3" not in cells(out) and "0.075" not in cells(out)


def test_target_test_large_counts_pass(tmp_path):
    out = written(target_test(95, 192, 0.8).to_frame(), tmp_path)
    assert out.loc[0, "successes"] == "95" and out.loc[0, "n"] == "192"
    assert float(out.loc[0, "estimate"]) == pytest.approx(95 / 192)


def test_compare_proportions_three_of_fifty(tmp_path):
    res = compare_proportions(3, 50, 1659, 3128)
    frame = res.to_frame()
    assert not frame["method"].str.contains("3 of 50").any()  # texts quote no counts
    out = written(frame, tmp_path)
    assert "3" not in cells(out) and "3 of 50" not in out.to_csv()
    share = out.set_index("term").loc["share[project]"]
    assert share["successes"] == "<5" and share["estimate"] == "x"
    # every contrast rests on the small count
    contrasts = out[~out["term"].str.startswith("share[")]
    assert set(contrasts["estimate"]) == {"x"} and set(contrasts["p_value"]) == {"x"}
    # the reference's own share does not rest on the project's count
    reference = out.set_index("term").loc["share[reference]"]
    assert reference["reference_successes"] == "1659"
    assert float(reference["estimate"]) == pytest.approx(1659 / 3128)


def test_compare_proportions_excluding_the_project_hides_the_rest(tmp_path):
    # reference minus project: 1659 - 3 = 1656, and 1659 is published: 1656 gives 3 away
    out = written(compare_proportions(3, 50, 1659, 3128, exclude_overlap=True).to_frame(), tmp_path)
    assert "1656" not in cells(out) and "3" not in cells(out)
    assert set(out["reference_successes"]) == {"x"}


def test_compare_series_small_month_and_national_total(tmp_path):
    local = pd.DataFrame({"period": ["2019-05", "2019-06"], "successes": [58, 3], "n": [130, 40]})
    national = pd.DataFrame(
        {"period": ["2019-05", "2019-06"], "successes": [5400, 5487], "n": [12800, 12821]}
    )
    out = written(compare_series(local, national).to_frame(), tmp_path)
    june = out.set_index("period").loc["2019-06"]
    assert june["successes"] == "<5"
    for column in ["share", "ci_low", "ci_high", "difference", "diff_low", "ratio", "p_value"]:
        assert june[column] == "x", column
    assert june["ref_successes"] == "5487"  # the published national figure stays
    may = out.set_index("period").loc["2019-05"]
    assert may["successes"] == "58" and may["difference"] != "x"
    # without the local persons, the national figure minus the rest gives 3 away
    rest = compare_series(local, national, exclude_local=True).to_frame()
    out = written(rest, tmp_path, "rest.csv")
    june = out.set_index("period").loc["2019-06"]
    assert june["ref_successes"] == "x" and june["ref_n"] == "x"
    assert "5484" not in cells(out) and "12781" not in cells(out)


def test_compare_series_local_series(tmp_path):
    local = pd.DataFrame({"period": [1, 2], "successes": [58, 2], "n": [130, 128]})
    national = pd.DataFrame({"period": [1, 2], "successes": [5400, 5487], "n": [12800, 12821]})
    out = written(compare_series(local, national).local(), tmp_path)
    assert out["successes"].tolist() == ["58", "<5"]
    assert out.loc[1, "share"] == "x" and out.loc[1, "ci_low"] == "x"


def test_target_attainment_table(tmp_path):
    series = pd.DataFrame(
        {"period": ["2018-07", "2018-08", "2018-09"], "successes": [50, 4, 57], "n": [142, 9, 140]}
    )
    res = target_attainment(series, 0.40)
    for frame in (res.to_frame(), res.table):
        out = written(frame, tmp_path)
        row = out.set_index("period").loc["2018-08"]
        assert row["successes"] == "<5"
        for column in ["share", "ci_low", "ci_high", "met", "met_significantly"]:
            assert row[column] == "x", column
        assert "4" not in cells(out)


def test_event_time_table_carries_its_counts(tmp_path):
    local = pd.DataFrame(
        {"period": [1, 2, 3, 4], "successes": [30, 3, 45, 47], "n": [100, 100, 100, 100]}
    )
    national = pd.DataFrame(
        {"period": [1, 2, 3, 4], "successes": [3500, 3600, 3700, 3800], "n": [10000] * 4}
    )
    res = did_national(local, national, start=3)
    out = written(res.event_time, tmp_path)
    row = out.set_index("event_time").loc["-1"]  # period 2
    assert row["successes"] == "<5"
    for column in ["gap", "effect", "effect_low", "effect_high"]:
        assert row[column] == "x", column


def test_funnel_units(tmp_path):
    res = funnel_compare([41, 2, 24], [143, 187, 323], target=0.12, units=["A", "B", "C"])
    out = written(res.to_frame(), tmp_path)
    b = out.set_index("unit").loc["B"]
    assert b["successes"] == "<5"
    assert b["proportion"] == "x" and b["z"] == "x" and b["direction"] == "x"


# ---------------------------------------------------------------------------- panel tables
def test_full_year_persons_of_one_person(tmp_path):
    codes = np.zeros((2, 53), dtype=np.int8)
    codes[1, 26:] = 1  # one person employed 27 weeks: 0.51 full-year persons
    p = panel(codes, ids=["a", "b"], first_week=iso_week_ordinal(2015, 1), calendar=True)
    out = written(full_year_persons(p, ["benefit", "employed"]), tmp_path)
    employed = out.set_index("state").loc["employed"]
    assert employed["full_year_persons"] == "<5"
    assert employed["weeks"] == "x"  # 27 person-weeks / 53 would give it back
    assert "27" not in cells(out)


def test_spells_are_refused(tmp_path):
    p = panel([[0, 0, 1], [1, 0, 0]])
    frame = spells(p, "benefit")
    assert declaration(frame)["person_level"]
    with pytest.raises(DisclosureError, match="one row per person"):
        export_table(frame, tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


def test_per_person_outcomes_are_refused(tmp_path):
    p = panel([[0, 0, 1], [1, 0, 0]])
    frame = weeks_in_states(p, "benefit", (0, 2))
    with pytest.raises(DisclosureError, match="one row per person"):
        export_table(frame, tmp_path / "x.csv")


def test_synthetic_person_level_tables_pass(tmp_path):
    p = panel([[0, 0, 1], [1, 0, 0]])
    frame = weeks_in_states(p, "benefit", (0, 2))
    path = export_table(frame, tmp_path / "x.csv", source="synthetic")
    assert pd.read_csv(path)["weeks_in_state"].tolist() == [2, 2]


# --------------------------------------------------------------------------- assignment
def test_assignment_blocks_of_two(tmp_path):
    people = pd.DataFrame({"block": ["a", "a"] + ["b"] * 20})
    a = assign(people, blocks="block", seed=3)
    out = written(a.to_frame(), tmp_path)
    row = out.set_index("block").loc["a"]
    assert set(row) == MARKERS
    assert out.set_index("block").loc["b", "treated_persons"] == "10"
    # the assigned persons are microdata
    with pytest.raises(DisclosureError, match="one row per person"):
        export_table(a.apply(people), tmp_path / "persons.csv")
    with pytest.raises(DisclosureError, match="one row per person"):
        export_table(a.treatment.to_frame(), tmp_path / "treatment.csv")


# ------------------------------------------------------------------------------ property
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    n=st.integers(1, 60),
    k=st.integers(0, 12),
    m=st.integers(1, 60),
    j=st.integers(0, 12),
    target=st.sampled_from([0.2, 0.5, 0.7]),
)
def test_small_counts_never_written(tmp_path, n, k, m, j, target):
    k, j = min(k, n), min(j, m)
    frames = [target_test(k, n, target).to_frame()]
    if 0 < k + j < n + m:  # compare_proportions needs both outcomes somewhere
        frames.append(compare_proportions(k, n, j, m).to_frame())
    for frame in frames:
        info = declaration(frame)
        out = written(frame, tmp_path)
        for count in info["counts"]:
            values = pd.to_numeric(out[count].where(~out[count].isin(MARKERS)), errors="coerce")
            assert not ((values > 0) & (values < 5)).any(), count
        small = np.zeros(len(frame), dtype=bool)
        for count in info["counts"]:
            v = pd.to_numeric(frame[count], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            small |= (v > 0) & (v < 5)
        for column, sources in info["dependent"].items():
            v = np.column_stack(
                [
                    pd.to_numeric(frame[s], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                    for s in sources
                ]
            )
            rows = ((v > 0) & (v < 5)).any(axis=1)
            assert set(out.loc[rows, column]) <= MARKERS, column


def test_complements_of_successes_are_counts_too(tmp_path):
    # 37 of 40 reached the target: the 3 who did not follow by subtraction.
    from evalkit.benchmark import target_test

    frame = target_test(37, 40, 0.5).to_frame()
    written = pd.read_csv(export_table(frame, tmp_path / "t.csv"), dtype=str)
    assert written["successes"].tolist() == ["x"] and written["n"].tolist() == ["40"]
    assert written["estimate"].tolist() == ["x"]


def test_did_effects_rest_on_every_pre_period(tmp_path):
    # effect = gap - mean(pre gaps): one shown effect and the shown gaps give a hidden
    # period's gap back, so a suppressed period hides the whole effect column.
    from evalkit.benchmark import did_national

    local = pd.DataFrame({"period": range(1, 7), "successes": [20, 3, 22, 30, 31, 33],
                          "n": [50, 50, 50, 50, 50, 50]})  # fmt: skip
    national = pd.DataFrame({"period": range(1, 7), "successes": [400] * 6, "n": [1000] * 6})
    result = did_national(local, national, start=4)
    written = pd.read_csv(export_table(result.event_time, tmp_path / "e.csv"), dtype=str)
    assert written["successes"].tolist()[1] == "<5"
    assert set(written["effect"]) == {"x"} and set(written["effect_low"]) == {"x"}
    clean = did_national(local.assign(successes=[20, 21, 22, 30, 31, 33]), national, start=4)
    shown = pd.read_csv(export_table(clean.event_time, tmp_path / "c.csv"), dtype=str)
    assert "x" not in set(shown["effect"])


def test_randomization_assignment_counts_rest_on_the_arms(tmp_path):
    # C(n, 3) = the number of assignments would give an arm of 3 back
    from evalkit.inference import randomization_test

    data = pd.DataFrame({"t": [1, 1, 1] + [0] * 12, "y": np.arange(15.0)})
    result = randomization_test(data, "y", "t", seed=1)
    written = pd.read_csv(export_table(result.to_frame(), tmp_path / "r.csv"), dtype=str)
    assert written["n_treated"].tolist() == ["<5"]
    assert written["n_assignments"].tolist() == ["x"] and written["n_draws"].tolist() == ["x"]


def test_summaries_over_periods_rest_on_their_smallest_period(tmp_path):
    # pre_gap * n_pre minus the shown pre-period gaps would give a hidden period's gap
    from evalkit.benchmark import did_national

    local = pd.DataFrame({"period": range(1, 7), "successes": [20, 3, 22, 30, 31, 33],
                          "n": [50, 50, 50, 50, 50, 50]})  # fmt: skip
    national = pd.DataFrame({"period": range(1, 7), "successes": [400] * 6, "n": [1000] * 6})
    written = pd.read_csv(
        export_table(did_national(local, national, start=4).to_frame(), tmp_path / "d.csv"),
        dtype=str,
    )
    assert written["smallest_count"].tolist() == ["<5"]
    assert written[["estimate", "pre_gap", "post_gap"]].iloc[0].tolist() == ["x", "x", "x"]
    clean = did_national(local.assign(successes=[20, 21, 22, 30, 31, 33]), national, start=4)
    shown = pd.read_csv(export_table(clean.to_frame(), tmp_path / "c.csv"), dtype=str)
    assert shown["estimate"].tolist() != ["x"] and int(shown["smallest_count"].iloc[0]) >= 5
