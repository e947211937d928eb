"""The synthetic JobFirst data reproduce the published figures exactly, for any seed."""

import numpy as np
import pandas as pd
import pytest

from evalkit.datasets import load_published
from evalkit.datasets.jobfirst import simulate_jobfirst
from evalkit.errors import ArgumentError
from evalkit.panel import StatusPanel, iso_week_ordinal

PUBLISHED = load_published("jobfirst_aalborg").set_index("figure")["value"]


def status_at_project_end(jf) -> pd.DataFrame:
    calendar = StatusPanel.from_wide(jf.register, "id", "y_", jf.classification, blank=jf.blank)
    column = calendar.column(iso_week_ordinal(2018, 6))
    names = np.array((*calendar.states, "not observed"))
    state = pd.Series(names[calendar.codes[:, column]], index=calendar.ids, name="state")
    return jf.trial.set_index("id").join(state)


@pytest.mark.parametrize("seed", [1, 2016, 77])
def test_published_treatment_figures_hold(seed):
    jf = simulate_jobfirst(seed=seed)
    trial = jf.trial
    assert (trial["treated"] == 1).sum() == PUBLISHED["randomized_treatment"]
    assert (trial["treated"] == 0).sum() == PUBLISHED["randomized_control"]
    treated = trial[trial["treated"] == 1]
    assert (treated["benefit"] == "resource course").sum() == PUBLISHED["treatment_resource_course"]
    acts = jf.activities
    assert len(acts) == PUBLISHED["started_company_course"]
    assert (acts["activity"] == "internship").sum() == PUBLISHED["started_internship"]
    assert acts["completed_13_weeks"].sum() == PUBLISHED["completed_13_weeks"]
    assert (
        acts.loc[acts["activity"] == "wage_subsidy", "completed_13_weeks"].sum()
        == PUBLISHED["completed_wage_subsidy"]
    )
    assert set(acts["id"]) <= set(treated["id"])

    end = status_at_project_end(jf)
    counts = end[end["treated"] == 1]["state"].value_counts()
    assert counts["partly_self_sufficient"] == PUBLISHED["exit_small_job"]
    assert counts["self_sufficient"] == (
        PUBLISHED["exit_ordinary_job"] + PUBLISHED["exit_wealth"] + PUBLISHED["exit_sanction"]
    )
    assert counts["education"] == PUBLISHED["exit_education"]
    assert counts["flexjob"] == PUBLISHED["exit_flexjob"]
    assert counts["disability_pension"] == PUBLISHED["exit_disability_pension"]
    assert counts["rehabilitation"] == PUBLISHED["exit_rehabilitation"]
    assert counts["not observed"] == PUBLISHED["exit_moved_away"]
    statuses = jf.end_status.query("treated == 1")["status"].value_counts()
    assert statuses["flexjob_in_job"] == PUBLISHED["exit_flexjob_in_job"]


def test_everyone_on_benefit_a_year_before_randomization():
    jf = simulate_jobfirst()
    panel = jf.panel()
    benefit = panel.in_states(["cash_benefit", "resource_course"])
    assert benefit[:, : panel.column(0) + 1].all()


def test_reproducible_and_seed_dependent():
    a, b, c = simulate_jobfirst(seed=5), simulate_jobfirst(seed=5), simulate_jobfirst(seed=6)
    pd.testing.assert_frame_equal(a.register, b.register)
    assert not a.register.equals(c.register)


def test_ids_say_synthetic():
    assert simulate_jobfirst().trial["id"].str.startswith("JFSYN").all()


def test_bad_arguments():
    with pytest.raises(ArgumentError, match="weeks_after must be at least 100"):
        simulate_jobfirst(weeks_after=52)
    with pytest.raises(ArgumentError, match="weeks_before"):
        simulate_jobfirst(weeks_before=-1)
