"""The packaged published figures: every project file is tidy and consistent."""

import pandas as pd
import pytest

from evalkit.datasets import load_published, published_value
from evalkit.datasets.published import COLUMNS, PROJECTS, SHOWN, shown_published
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


@pytest.mark.parametrize("project", available())
def test_every_figure_has_a_danish_description(project):
    frame = load_published(project)
    assert frame["description_da"].notna().all()
    assert frame["description_da"].str.strip().str.len().gt(3).all()
    # Danish, not a copy of the English: most rows differ (names such as "Grundtilskud"
    # may not)
    assert (frame["description_da"] != frame["description"]).mean() > 0.9


def test_shown_published_in_either_language():
    frame = load_published("jobfirst_aalborg")
    before = frame.copy()
    en, da = shown_published(frame, "en"), shown_published(frame, "da")
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is not changed
    assert list(en.columns) == list(SHOWN)
    assert "figure" not in da.columns  # evalkit's English keys: not in a Danish table
    assert da["description"].tolist() == frame["description_da"].tolist()
    assert en["description"].tolist() == frame["description"].tolist()
    assert (da["value"] == frame["value"]).all()
    with_source = shown_published(frame, "da", (*SHOWN, "source"))
    assert with_source.columns[-1] == "source"
    with pytest.raises(ArgumentError, match="lang must be"):
        shown_published(frame, "de")
    with pytest.raises(ArgumentError, match="lack the columns"):
        shown_published(frame.drop(columns="description_da"), "en")
    with pytest.raises(ArgumentError, match="takes the frame"):
        shown_published(frame.to_dict(), "en")
