"""The packaged published figures: every project file is tidy and consistent."""

import pandas as pd
import pytest

from evalkit.datasets import load_published, published_value
from evalkit.datasets.published import COLUMNS, PROJECTS
from evalkit.errors import ArgumentError


def available():
    out = []
    for project in PROJECTS:
        try:
            load_published(project)
        except ArgumentError:
            continue
        out.append(project)
    return out


@pytest.mark.parametrize("project", available())
def test_every_file_is_tidy(project):
    frame = load_published(project)
    assert list(frame.columns[: len(COLUMNS)]) == COLUMNS
    assert (frame["project"] == project).all()
    assert frame["figure"].is_unique
    assert pd.to_numeric(frame["value"]).notna().all()
    assert frame["source"].str.len().gt(10).all()


def test_jobfirst_figures_add_up():
    v = lambda f: published_value("jobfirst_aalborg", f)  # noqa: E731
    assert v("randomized_treatment") + v("randomized_control") == v("randomized")
    assert v("started_internship") + v("started_wage_subsidy") == v("started_company_course")
    assert v("completed_internship") + v("completed_wage_subsidy") == v("completed_13_weeks")
    assert v("treatment_cash_benefit") + v("treatment_resource_course") == v("randomized_treatment")
    assert v("grant_base") + v("grant_activity_frame") == v("grant_frame")


def test_unknown_project_and_figure():
    with pytest.raises(ArgumentError, match="unknown project"):
        load_published("odense")
    with pytest.raises(ArgumentError, match="no published figure"):
        published_value("jobfirst_aalborg", "nope")
