"""The one progress line (evalkit._progress.Progress) of every long job, in either language."""

from __future__ import annotations

import io

import pytest

import evalkit
from evalkit._progress import Progress
from evalkit.design import diagnose_design, normal_design
from evalkit.errors import ArgumentError
from evalkit.report.labels import TERMS, label
from evalkit.reproduce import reproduce


def test_titles_and_units_come_from_the_catalogue_in_both_languages():
    out = io.StringIO()
    with Progress("randomization test", 40_000, "assignments", True, out, lang="da") as bar:
        bar.update(40_000)
    text = out.getvalue()
    assert "randomiseringstest: 40.000 af 40.000 tildelinger (100 %)" in text
    assert "tildelinger/s" in text and text.endswith("\n")
    bar = Progress("design diagnosis", 100, "simulations", False, lang="da")
    bar.update(25)
    assert "designdiagnose: 25 af 100 simuleringer (25 %)" in bar.line()
    assert "tilbage" in bar.line()
    # every title and unit evalkit's own jobs show has an English and a Danish text
    for name in (
        "spells",
        "survival counts",
        "unit-period counts",
        "collect",
        "synthetic register",
        "randomization test",
        "assignments",
        "design diagnosis",
        "simulations",
        "figures and tables",
    ):
        assert TERMS[name]["en"] == name and TERMS[name]["da"] != name
    # a name the catalogue does not know (an outcome function's) is shown as it is
    unknown = Progress("weeks_in_work", progress=False, lang="da")
    assert unknown.line().startswith("weeks_in_work: 0")


def test_steps_show_what_is_being_made():
    out = io.StringIO()
    with Progress("JobFirst", 2, "figures and tables", True, out, interval=3600) as bar:
        bar.step("Balance at randomization")
        bar.step("Effects")
    lines = out.getvalue().split("\r")
    assert "1 of 2 figures and tables (50%)" in lines[1] and "Balance at randomization" in lines[1]
    assert "2 of 2 figures and tables (100%)" in lines[2] and "- Effects" in lines[2]


def test_bad_arguments():
    with pytest.raises(ArgumentError, match="lang"):
        Progress("spells", 10, lang="de")
    with pytest.raises(ArgumentError, match="total"):
        Progress("spells", -1)
    with pytest.raises(ArgumentError, match="text"):
        Progress(3, 10)


def test_diagnose_design_shows_the_simulations(capsys):
    design = normal_design(20, 20, effect=0.5)
    diagnose_design(
        design, lambda d: evalkit.difference_in_means(d, "y", "treated"), 10, 1, progress=True
    )
    assert "design diagnosis: 10 of 10 simulations (100%)" in capsys.readouterr().err
    diagnose_design(design, lambda d: evalkit.difference_in_means(d, "y", "treated"), 10, 1)
    assert capsys.readouterr().err == ""


def test_reproduce_shows_each_project(tmp_path, capsys):
    reproduce(tmp_path, ["flere_skal_med_herning"], progress=True)
    err = capsys.readouterr().err
    assert "4 of 4 figures and tables (100%)" in err and err.endswith("\n")
    assert label("project_flere_skal_med_herning") in err
