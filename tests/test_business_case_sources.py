"""The business case's public amounts carry their sources; the rest say they are assumed."""

import pytest

from evalkit.projects import business_case_report as case
from evalkit.report.labels import label


def test_the_public_rates_are_the_sourced_values():
    weekly, unit, basis = case.ASSUMPTIONS["weekly_benefit"]
    # bm.dk, Satser for 2016, kontanthjælp, fyldt 30 år, andre: DKK 10,968 a month
    assert weekly == pytest.approx(10_968 * 12 / 52) and unit == "DKK a week"
    assert basis.startswith("source:") and "bm.dk" in basis and "10,968" in basis
    assert "assumed for every case" in basis  # one rate for a caseload of unknown mix
    rate, _, basis = case.ASSUMPTIONS["rate"]
    assert rate == 0.04 and basis.startswith("source:") and "fm.dk" in basis
    for name in ("cost_once", "cost_per_year", "effect"):  # no source: said to be assumed
        assert case.ASSUMPTIONS[name][2].startswith("assumed")
    # the saving of a full-year person in a long case: 12 months x 10,968 x 80 % municipal
    assert case.saving_per_full_year_person(weekly) == pytest.approx(105_292.8)


def test_the_caption_states_which_amounts_are_assumed_and_which_are_rates():
    for lang, words in (("en", ("assumed amounts", "2,531", "4 %")),
                        ("da", ("antagne beløb", "2.531", "4 %"))):  # fmt: skip
        text = label("c_case_assumed", lang)
        assert all(w in text for w in words)
