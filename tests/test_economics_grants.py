"""Milestone grants, full-year persons and the reimbursement staircase (issue 14).

Every expected number is derived by hand in a comment next to it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit import difference_in_means
from evalkit.economics import (
    JOBFIRST_ACTIVITY_GRANT,
    REFUSION_2016,
    MilestoneRule,
    Staircase,
    benefit_week_count,
    full_year_by_period,
    full_year_change,
    full_year_contributions,
    full_year_effect,
    grant_reconciliation,
    grants_from_counts,
    milestone_grants,
    reimbursement,
)
from evalkit.errors import ArgumentError, DesignError
from evalkit.output import declaration
from evalkit.panel import StatusPanel

CPR = "010190-1234"


# ------------------------------------------------------------------ milestone grants
def _log():
    return pd.DataFrame(
        {
            "id": ["a", "a", "b", "c", "c", "d"],
            "employer": ["x", "y", "x", "z", "z", "x"],
            "start": [1, 20, 3, 5, 10, 40],
            "end": [13, 40, 8, 9, 30, 52],
        }
    )


def test_milestone_grants_by_hand():
    log = _log()
    before = log.copy()
    g = milestone_grants(log, JOBFIRST_ACTIVITY_GRANT)
    pd.testing.assert_frame_equal(log, before)  # input not modified
    p = g.persons.set_index("id")
    # a: start w1 6,000 + completion w13 10,000 = 16,000 = the cap; the start at y (w20)
    # and its completion (w32, 21 weeks) are cut: 6,000 + 10,000 = 16,000 cut
    assert p.loc["a"].tolist() == [2, 2, 6000, 10000, 16000, 16000]
    # b: 6 weeks (3..8): the start only
    assert p.loc["b", "total"] == 6000 and p.loc["b", "completions"] == 0
    # c: rows 5..9 and 10..30 at z follow on: one course of 26 weeks: 6,000 + 10,000
    assert p.loc["c", "starts"] == 1 and p.loc["c", "total"] == 16000
    # d: 40..52 = 13 weeks exactly: completed
    assert p.loc["d", "completions"] == 1 and p.loc["d", "total"] == 16000
    t = g.totals.set_index("milestone")
    # starts: a 2, b 1, c 1, d 1 = 5 events by 4 persons; paid 4 x 6,000 (a's 2nd cut)
    assert t.loc["start", ["persons", "events", "amount"]].tolist() == [4, 5, 24000]
    # completions: a 2, c 1, d 1 = 4 events by 3 persons; paid 3 x 10,000
    assert t.loc["completion", ["persons", "events", "amount"]].tolist() == [3, 4, 30000]
    # total 54,000 = 16,000 + 6,000 + 16,000 + 16,000; cut 16,000
    assert g.total == 54000 and t.loc["total", "cut_by_cap"] == 16000
    assert declaration(g.persons)["person_level"]
    assert declaration(g.totals)["counts"] == ["persons", "events"]


def test_milestone_grants_weeks_column_and_no_cap():
    log = pd.DataFrame({"id": [1, 1], "employer": ["x", "x"], "start": [1, 20], "w": [13, 5]})
    rule = MilestoneRule(100, 1000, 13)  # no cap
    g = milestone_grants(log, rule, end=None, weeks="w")
    # two courses (gap 14..19): 2 starts x 100 + 1 completion (13 weeks) x 1,000 = 1,200
    assert g.total == 1200


def test_milestone_grants_bad_inputs_name_rows_not_ids():
    log = pd.DataFrame(
        {"id": [CPR, CPR, "b"], "employer": ["x", "y", "x"], "start": [1, 5, 1], "end": [10, 20, 3]}
    )
    with pytest.raises(DesignError, match="rows 0, 1") as error:
        milestone_grants(log, JOBFIRST_ACTIVITY_GRANT)
    assert CPR not in str(error.value)
    bad = _log().assign(end=lambda d: d["start"] - 1)
    with pytest.raises(DesignError, match="ends before it starts"):
        milestone_grants(bad, JOBFIRST_ACTIVITY_GRANT)
    with pytest.raises(ArgumentError, match="exactly one"):
        milestone_grants(_log(), JOBFIRST_ACTIVITY_GRANT, weeks="end")
    with pytest.raises(ArgumentError, match="whole week"):
        milestone_grants(_log().assign(start=1.5), JOBFIRST_ACTIVITY_GRANT)
    with pytest.raises(ArgumentError, match="MilestoneRule"):
        milestone_grants(_log(), {"start": 6000})
    with pytest.raises(ArgumentError, match="start_amount"):
        MilestoneRule(-1, 10, 13)
    with pytest.raises(ArgumentError, match="weeks"):
        MilestoneRule(1, 10, 0)


def test_jobfirst_reconciliation_numbers():
    g = grants_from_counts(JOBFIRST_ACTIVITY_GRANT, starts=144, completions=108)
    t = grant_reconciliation(g, 1_802_000, expected_more=200_000, ceiling=2_520_000)
    amounts = t.set_index("item")["amount_dkk"]
    assert amounts["Course starts"] == 864_000  # 144 x 6,000
    assert amounts["Course completions"] == 1_080_000  # 108 x 10,000
    assert amounts["Computed grant"] == 1_944_000  # 864,000 + 1,080,000
    assert amounts["Computed - received"] == 142_000  # 1,944,000 - 1,802,000
    assert amounts["Computed - received - expected"] == -58_000  # 142,000 - 200,000
    assert amounts["Frame (maximum)"] == 2_520_000
    with pytest.raises(ArgumentError, match="exceed starts"):
        grants_from_counts(JOBFIRST_ACTIVITY_GRANT, 10, 11)
    with pytest.raises(ArgumentError, match="activity log"):
        grants_from_counts(MilestoneRule(6000, 10000, 13, cap=8000), 10, 5)
    with pytest.raises(ArgumentError, match="scenario"):
        grant_reconciliation(g, 1_802_000, scenarios=[("x", 1)])


def test_jobfirst_project_table_is_the_published_reconciliation():
    from evalkit.projects.jobfirst import grant_reconciliation as project_table

    t = project_table()
    amounts = t.set_index("item")["amount_dkk"]
    assert amounts["Computed grant"] == 1_944_000
    assert amounts["Received by early Feb. 2018"] == 1_802_000
    # the 7 ordinary jobs as starts: 1,944,000 + 7 x 6,000 = 1,986,000
    assert amounts["If ordinary-job starts also earned a start grant"] == 1_986_000
    assert declaration(t)["source"] == "published"


# ------------------------------------------------------------------ full-year persons
def _panel_fy():
    # a on benefit (0) all 52 weeks; b 26 weeks then employed; c employed all year
    codes = np.array([[0] * 52, [0] * 26 + [1] * 26, [1] * 52])
    return StatusPanel(np.array(["a", "b", "c"]), codes, ("benefit", "employed"),
                       first_week=1, aligned=True)  # fmt: skip


def test_full_year_contributions_weeks_and_hours():
    panel = _panel_fy()
    c = full_year_contributions(panel, "benefit", (1, 52))
    assert c["full_year"].tolist() == [1.0, 0.5, 0.0]  # 52/52, 26/52, 0/52
    assert declaration(c)["person_level"]
    hours = np.full((3, 52), np.nan)
    hours[2] = 37.0  # c works 37 hours every week
    hours[1, 26:] = 18.5  # b works 18.5 hours in its 26 employed weeks
    with_hours = StatusPanel(panel.ids, panel.codes, panel.states, first_week=1,
                             aligned=True, hours=hours)  # fmt: skip
    h = full_year_contributions(with_hours, "employed", (1, 52), measure="hours")
    # b: 26 x 18.5 = 481 hours / (37 x 52 = 1,924) = 0.25; c: 1,924 / 1,924 = 1
    assert h["full_year"].tolist() == [0.0, 0.25, 1.0]
    with pytest.raises(ArgumentError, match="hours"):
        full_year_contributions(panel, "employed", (1, 52), measure="hours")
    with pytest.raises(ArgumentError, match="hours_per_week"):
        full_year_contributions(with_hours, None, (1, 52), measure="hours", hours_per_week=0)


def test_full_year_by_period_and_arm():
    codes = np.array([[0] * 104, [0] * 26 + [1] * 78, [1] * 104, [0] * 104])
    panel = StatusPanel(np.array(list("abcd")), codes, ("benefit", "employed"),
                        first_week=1, aligned=True)  # fmt: skip
    trial = pd.DataFrame({"id": list("abcd"), "t": [1, 1, 0, 0]})
    t = full_year_by_period(panel, "benefit", [(1, 52), (53, 104)], trial=trial, treatment="t")
    fyp = t.set_index(["period", "arm"])["full_year_persons"]
    # weeks 1-52: treated a 1 + b 0.5 = 1.5; control c 0 + d 1 = 1
    assert fyp[("1-52", 1)] == 1.5 and fyp[("1-52", 0)] == 1.0
    # weeks 53-104: treated a 1 + b 0 = 1
    assert fyp[("53-104", 1)] == 1.0
    assert declaration(t)["counts"] == ["persons", "full_year_persons"]


def test_full_year_effect_is_difference_in_means_times_arm():
    rng = np.random.default_rng(1)
    codes = (rng.random((60, 52)) < 0.5).astype(np.int8)
    ids = np.array([f"p{i}" for i in range(60)])
    panel = StatusPanel(ids, codes, ("benefit", "employed"), first_week=1, aligned=True)
    trial = pd.DataFrame({"id": ids, "t": np.r_[np.ones(25, int), np.zeros(35, int)]})
    before = trial.copy()
    r = full_year_effect(panel, "benefit", trial, "t", (1, 52))
    pd.testing.assert_frame_equal(trial, before)
    c = full_year_contributions(panel, "benefit", (1, 52), keep=trial)
    d = difference_in_means(c, "full_year", "t")
    # delta = n_1 x (mean_1 - mean_0), SE and interval scaled by n_1 = 25
    assert r.estimate == pytest.approx(25 * d.estimate)
    assert r.std_error == pytest.approx(25 * d.std_error)
    assert r.conf_int == pytest.approx((25 * d.conf_int[0], 25 * d.conf_int[1]))
    assert r.p_value == pytest.approx(d.p_value)
    # observed full-year persons: sums of weeks/52 by arm
    treated = c["t"] == 1
    assert r.full_year_persons[0] == pytest.approx(c["full_year"][treated].sum())
    frame = r.to_frame()
    assert declaration(frame)["counts"][:2] == ["n_treated", "n_control"]
    scaled = full_year_effect(panel, "benefit", trial, "t", (1, 52), scale=100)
    assert scaled.estimate == pytest.approx(100 * d.estimate)
    with pytest.raises(ArgumentError, match="scale"):
        full_year_effect(panel, "benefit", trial, "t", (1, 52), scale=-1)


def test_full_year_change_against_baseline():
    codes = np.array([[0] * 104, [0] * 52 + [1] * 52, [0] * 78 + [1] * 26])
    panel = StatusPanel(np.array(list("abc")), codes, ("benefit", "employed"),
                        first_week=1, aligned=True)  # fmt: skip
    r = full_year_change(panel, "benefit", (53, 104), baseline=(1, 52))
    # d = (1 - 1, 0 - 1, 0.5 - 1) = (0, -1, -0.5): sum -1.5; s_d = 0.5, SE = sqrt(3) x 0.5
    assert r.estimate == -1.5
    assert r.std_error == pytest.approx(np.sqrt(3) * 0.5)
    assert r.df == 2


# ------------------------------------------------------------------ the staircase
def test_refusion_2016_default_is_the_law():
    s = REFUSION_2016
    assert s.steps == ((1, 4), (5, 26), (27, 52), (53, None))
    assert s.shares == (0.8, 0.4, 0.3, 0.2)
    assert (s.reset_after, s.reset_within) == (52, 156)
    assert "§ 5" in s.source and "§ 6" in s.source
    shares = s.share(np.array([1, 4, 5, 26, 27, 52, 53, 500]))
    assert shares.tolist() == [0.8, 0.8, 0.4, 0.4, 0.3, 0.3, 0.2, 0.2]


def test_staircase_errors_name_the_field():
    with pytest.raises(ArgumentError, match="Staircase.shares"):
        Staircase(((1, 4), (5, None)), (0.8, 1.2))
    with pytest.raises(ArgumentError, match="Staircase.shares"):
        Staircase(((1, 4), (5, None)), (0.8,))
    with pytest.raises(ArgumentError, match="Staircase.steps.*without gaps or overlaps"):
        Staircase(((1, 4), (3, None)), (0.8, 0.4))  # overlap
    with pytest.raises(ArgumentError, match="Staircase.steps.*without gaps or overlaps"):
        Staircase(((5, 26), (1, 4), (27, None)), (0.4, 0.8, 0.3))  # out of order
    with pytest.raises(ArgumentError, match="Staircase.steps.*without gaps or overlaps"):
        Staircase(((1, 4), (6, None)), (0.8, 0.4))  # gap
    with pytest.raises(ArgumentError, match="open-ended"):
        Staircase(((1, 4), (5, 26)), (0.8, 0.4))
    with pytest.raises(ArgumentError, match="Staircase.reset_after"):
        Staircase(((1, None),), (0.5,), reset_after=0)


def test_benefit_week_count_accumulates_across_spells_and_resets():
    # 0 benefit, 1 self-sufficient, 2 subsidised job (neither)
    row = [0] * 10 + [1] * 30 + [2] * 5 + [0] * 5 + [1] * 22 + [0] * 3
    panel = StatusPanel(np.array(["a"]), np.array([row]), ("benefit", "self", "subsidised"),
                        first_week=1, aligned=True)  # fmt: skip
    counts = benefit_week_count(panel, "benefit", "self")[0]
    # weeks 1-10: 1..10; 30 self-sufficient weeks (< 52): no reset; 5 subsidised weeks
    # change nothing; weeks 46-50 continue at 11..15
    assert counts[:10].tolist() == list(range(1, 11))
    assert counts[45:50].tolist() == [11, 12, 13, 14, 15]
    # 22 more self-sufficient weeks: 30 + 22 = 52 within 156 weeks: the count starts over
    assert counts[72:75].tolist() == [1, 2, 3]
    no_reset = Staircase(REFUSION_2016.steps, REFUSION_2016.shares, reset_after=None)
    assert benefit_week_count(panel, "benefit", "self", no_reset)[0, 72:75].tolist() == [
        16, 17, 18,
    ]  # fmt: skip
    # within 60 weeks: before week 73 the weeks 13-72 hold 28 + 22 = 50 self-sufficient
    # weeks (< 52): no reset, the count goes on at 16
    short = Staircase(REFUSION_2016.steps, REFUSION_2016.shares, reset_within=60)
    assert benefit_week_count(panel, "benefit", "self", short)[0, 72] == 16


def test_reimbursement_by_hand():
    row = [0] * 60
    panel = StatusPanel(np.array(["a", "b"]), np.array([row, [1] * 60]),
                        ("benefit", "self"), first_week=1, aligned=True)  # fmt: skip
    r = reimbursement(panel, "benefit", "self", weekly_benefit=2000)
    a = r.persons.set_index("id").loc["a"]
    # state weeks: 4 x 0.8 + 22 x 0.4 + 26 x 0.3 + 8 x 0.2 = 3.2 + 8.8 + 7.8 + 1.6 = 21.4
    assert a["gross"] == 120_000  # 60 x 2,000
    assert a["state"] == pytest.approx(42_800)  # 21.4 x 2,000
    assert a["municipal"] == pytest.approx(77_200)
    tot = r.totals.iloc[0]
    # per full-year person: 77,200 / (60 / 52)
    assert tot["municipal_per_full_year_person"] == pytest.approx(77_200 / (60 / 52))
    assert tot["persons"] == 1 and tot["full_year_persons"] == pytest.approx(60 / 52)
    # costing weeks 53-60 only: all at 20 %: 8 x 2,000 x 0.8 = 12,800 municipal
    late = reimbursement(panel, "benefit", "self", 2000, window=(53, 60))
    assert late.persons.loc[0, "municipal"] == pytest.approx(12_800)
    assert np.nanmax(late.state_share) == 0.2
    assert declaration(r.persons)["person_level"]
    assert declaration(r.totals)["counts"] == ["persons", "full_year_persons"]


def test_reimbursement_bad_inputs():
    panel = StatusPanel(np.array(["a"]), np.array([[0, 1]]), ("benefit", "self"),
                        first_week=1, aligned=True)  # fmt: skip
    with pytest.raises(ArgumentError, match="weekly_benefit"):
        reimbursement(panel, "benefit", "self", weekly_benefit=-5)
    with pytest.raises(ArgumentError, match="weekly_benefit"):
        reimbursement(panel, "benefit", "self", weekly_benefit={"self": 5})
    with pytest.raises(ArgumentError, match="both benefit and self-sufficient"):
        reimbursement(panel, "benefit", ["self", "benefit"], weekly_benefit=5)
    with pytest.raises(ArgumentError, match="Staircase"):
        reimbursement(panel, "benefit", "self", 5, staircase={"steps": 1})
    with pytest.raises(ArgumentError):
        reimbursement(panel, "nonexistent", "self", 5)
