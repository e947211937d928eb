"""The JobFirst trial questions (issue 15): non-compliance, attrition, subgroups, sites."""

from __future__ import annotations

import pytest

from evalkit import cace, difference_in_means
from evalkit.projects.jobfirst import evaluate_jobfirst
from evalkit.projects.jobfirst_questions import (
    N_SITES,
    OUTCOME,
    answer_trial_questions,
    synthetic_other_sites,
    trial_data,
)


@pytest.fixture(scope="module")
def ev():
    return evaluate_jobfirst()


@pytest.fixture(scope="module")
def questions(ev):
    return answer_trial_questions(ev)


def test_published_counts_hold(questions):
    d = questions.data
    # 144 of the 178 offered started a company-based course; no control could
    assert d.loc[d["treated"] == 1, "took_up"].sum() == 144
    assert d.loc[d["treated"] == 0, "took_up"].sum() == 0
    # 5 treated moved away (published); 5 controls (assumed)
    a = questions.attrition
    assert (a.n_treated - a.observed_treated, a.n_control - a.observed_control) == (5, 5)
    sub = questions.subgroups.to_frame().set_index("level")
    assert sub.loc["cash benefit", ["n_treated", "n_control"]].tolist() == [156, 151]
    assert sub.loc["resource course", ["n_treated", "n_control"]].tolist() == [22, 21]


def test_cace_is_itt_over_takeup(questions, ev):
    c = questions.cace
    assert c.one_sided
    itt = difference_in_means(questions.data, OUTCOME, "treated").estimate
    assert c.estimate == pytest.approx(itt / (144 / 178), rel=1e-10)
    assert c.itt.estimate == pytest.approx(ev.effects[OUTCOME].estimate, rel=1e-10)


def test_lee_bounds_and_their_interval(questions):
    bounds = questions.lee.to_frame().set_index("term")
    low, high = bounds.loc["lower", "estimate"], bounds.loc["upper", "estimate"]
    ci = questions.lee.conf_int
    assert low <= high and ci[0] < low and high < ci[1]
    # 173 of 178 and 167 of 172 observed: the treated arm is trimmed by a small share
    assert bounds.loc["lower", "observed_treated"] == 173


def test_sites_pool_aalborg_with_synthetic_sites(questions, ev):
    s = questions.sites
    assert s.k == N_SITES and s.sites[0] == "Aalborg"
    assert all(name.startswith("Synthetic site") for name in s.sites[1:])
    assert s.site_estimates[0] == ev.effects[OUTCOME].estimate
    assert s.tau2_int[0] <= s.tau2 <= s.tau2_int[1]


def test_synthetic_sites_are_seeded():
    a, b = synthetic_other_sites(seed=3), synthetic_other_sites(seed=3)
    assert a.equals(b) and not a.equals(synthetic_other_sites(seed=4))
    assert (a["std_error"] > 0).all()


def test_trial_data_does_not_mutate(ev):
    before = ev.outcomes.copy()
    d = trial_data(ev)
    assert ev.outcomes.equals(before)
    assert d[f"{OUTCOME}_recorded"].isna().sum() == 10
    # a control who took up would contradict one-sided non-compliance: a clear error
    wrong = d.copy()
    wrong.loc[wrong.index[wrong["treated"] == 0][0], "took_up"] = 1
    with pytest.raises(Exception, match="took_up"):
        cace(wrong, OUTCOME, "treated", "took_up", one_sided=True)
