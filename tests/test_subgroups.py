"""evalkit.subgroup_effects: level effects and the heterogeneity test against estimatr,
the multiplicity adjustment, input errors, the small-subgroup warning, disclosure control
of the views and the forest plot.

The reference values come from tests/reference/subgroups.R (make_subgroups_reference.sh),
on synthetic data generated there with a fixed seed and stored in subgroups.json.
"""

import html
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import evalkit
from evalkit.errors import (
    ArgumentError,
    ColumnError,
    DesignError,
    MissingValueError,
    MissingValueWarning,
    SmallSubgroupWarning,
    TreatmentError,
)
from evalkit.output import declaration, gate_table

REFERENCE = json.loads((Path(__file__).parent / "reference" / "subgroups.json").read_text())
DATA = pd.DataFrame(REFERENCE["data"])
CASES = REFERENCE["cases"]
LEVEL_COLUMNS = ["estimate", "std_error", "p_value", "conf_low", "conf_high", "df"]
HET_COLUMNS = ["statistic", "df1", "df2", "p_value", "chi2", "chi2_p_value"]


def _fit(data=DATA, **args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", evalkit.EvalkitWarning)
        return evalkit.subgroup_effects(data, **args)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_level_effects_match_estimatr(case):
    ours = _fit(**case["args"]).to_frame().set_index("level")
    assert sorted(ours.index) == sorted(row["level"] for row in case["levels"])
    for expected in case["levels"]:
        row = ours.loc[expected["level"]]
        for column in LEVEL_COLUMNS:
            if expected[column] is None:  # the risk difference has no df
                assert np.isnan(row[column])
                continue
            assert row[column] == pytest.approx(expected[column], rel=1e-6, abs=1e-12), (
                f"{case['name']} {expected['level']} {column}: evalkit {row[column]!r}, "
                f"R {expected[column]!r}"
            )


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_heterogeneity_matches_the_wald_test_of_lm_robust(case):
    het = _fit(**case["args"]).heterogeneity.iloc[0]
    for column in HET_COLUMNS:
        expected = case["heterogeneity"][column]
        assert het[column] == pytest.approx(expected, rel=1e-6), (
            f"{case['name']} {column}: evalkit {het[column]!r}, R {expected!r}"
        )


def test_reference_covers_every_estimator_and_design():
    args = [c["args"] for c in CASES]
    assert {a.get("estimator", "difference_in_means") for a in args} == set(
        evalkit.effects.subgroups.ESTIMATORS
    )
    for option in ("blocks", "clusters", "weights"):
        assert any(option in a for a in args), option
    assert any(len({r["level"] for r in c["levels"]}) > 3 for c in CASES)


def test_the_heterogeneity_test_does_not_depend_on_the_base_level():
    recoded = DATA.assign(benefit=pd.Categorical(DATA["benefit"], categories=[
        "sickness benefit", "integration benefit", "cash benefit"]))  # fmt: skip
    a = _fit(outcome="y", treatment="treat", by="benefit").heterogeneity.iloc[0]
    b = _fit(recoded, outcome="y", treatment="treat", by="benefit")
    assert b.table["level"].tolist()[0] == "sickness benefit"  # the categories' order
    assert b.heterogeneity.iloc[0]["chi2"] == pytest.approx(a["chi2"], rel=1e-10)


@pytest.mark.parametrize("adjust", ["holm", "bonferroni", "hochberg", "bh", "by", "hommel"])
def test_adjusted_p_values_are_adjust_pvalues_over_every_level(adjust):
    result = _fit(outcome="y", treatment="treat", by=["benefit", "age"], adjust=adjust)
    table = result.table
    assert len(table) == 3 + 4
    expected = evalkit.adjust_pvalues(table["p_value"].to_numpy(), adjust)
    np.testing.assert_allclose(table["p_adjusted"].to_numpy(), expected, rtol=1e-15)
    assert (table["p_adjusted"] >= table["p_value"] - 1e-15).all()
    assert result.heterogeneity["variable"].tolist() == ["benefit", "age"]


def test_levels_equal_the_estimator_on_the_level_rows():
    result = _fit(outcome="y", treatment="treat", by="age", estimator="lin_estimator",
                  covariates=["x1"], weights="wt")  # fmt: skip
    for (_, row), effect in zip(result.table.iterrows(), result.results, strict=True):
        part = DATA[DATA["age"] == row["level"]]
        direct = evalkit.lin_estimator(part, "y", "treat", "x1", weights="wt")
        assert effect.estimate == row["estimate"] == pytest.approx(direct.estimate, rel=1e-12)
        assert row["std_error"] == pytest.approx(direct.std_error, rel=1e-12)


# ----------------------------------------------------------------------------- errors
def test_one_level_is_an_error_naming_the_column():
    data = DATA.assign(region="Nordjylland")
    with pytest.raises(DesignError, match=r"'region' has a single level in the 360 rows"):
        evalkit.subgroup_effects(data, "y", "treat", ["benefit", "region"])


def test_missing_column_and_bad_treatment():
    with pytest.raises(ColumnError, match="'house'"):
        evalkit.subgroup_effects(DATA, "y", "treat", "house")
    with pytest.raises(TreatmentError, match="'x2'"):
        evalkit.subgroup_effects(DATA, "y", "x2", "benefit")
    with pytest.raises(ArgumentError, match="estimator"):
        evalkit.subgroup_effects(DATA, "y", "treat", "benefit", estimator="ols")
    with pytest.raises(ArgumentError, match="covariates"):
        evalkit.subgroup_effects(DATA, "y", "treat", "benefit", estimator="lin_estimator")
    with pytest.raises(ArgumentError, match="adjust"):
        evalkit.subgroup_effects(DATA, "y", "treat", "benefit", adjust="westfall_young")
    with pytest.raises(ArgumentError, match="min_size"):
        evalkit.subgroup_effects(DATA, "y", "treat", "benefit", min_size=0)


def test_a_level_with_one_arm_names_the_column_and_level_count():
    data = DATA.assign(group=np.where(DATA.index < 200, "A", "B"))
    data.loc[(data["group"] == "A") & (data["treat"] == 1), "group"] = "C"  # treated only
    with pytest.raises(DesignError) as error:
        evalkit.subgroup_effects(data, "y", "treat", "group")
    message = str(error.value)
    assert "'group'" in message and "2 of its 3 levels" in message and "one arm" in message
    # a level that is an identifier (a CPR number) is never echoed
    cpr = "0101901234"
    data.loc[data["group"] == "C", "group"] = cpr
    with pytest.raises(DesignError, match="'group'") as error:
        evalkit.subgroup_effects(data, "y", "treat", "group")
    assert cpr not in str(error.value)


def test_an_identifier_is_not_a_subgroup_variable():
    data = DATA.assign(person_id=[f"P{i:010x}" for i in range(len(DATA))])
    with pytest.raises(DesignError, match="'person_id'.*identifier") as error:
        evalkit.subgroup_effects(data, "y", "treat", "person_id")
    assert "P0000000000" not in str(error.value)


def test_missing_values_in_by_error_or_drop_with_a_warning():
    data = DATA.copy()
    data.loc[[3, 10, 50], "age"] = None
    with pytest.raises(MissingValueError, match="'age': 3"):
        evalkit.subgroup_effects(data, "y", "treat", ["benefit", "age"])
    with pytest.warns(MissingValueWarning, match="dropped 3 of 360"):
        result = evalkit.subgroup_effects(data, "y", "treat", ["benefit", "age"],
                                          missing="drop")  # fmt: skip
    het = result.heterogeneity.set_index("variable")
    assert het.loc["benefit", "n"] == 360 and het.loc["age", "n"] == 357


def test_caller_data_are_not_mutated():
    data = DATA.copy()
    data.loc[5, "age"] = None
    before = data.copy(deep=True)
    _fit(data, outcome="y", treatment="treat", by=["benefit", "age"], estimator="ancova",
         covariates=["x1"], missing="drop")  # fmt: skip
    pd.testing.assert_frame_equal(data, before)


# ----------------------------------------------------------------------- small subgroups
def _small(n_treated=3):
    """DATA with ``n_treated`` treated persons left in the integration-benefit level."""
    inside = (DATA["benefit"] == "integration benefit") & (DATA["treat"] == 1)
    drop = DATA.index[inside][n_treated:]
    return DATA.drop(index=drop).reset_index(drop=True)


def test_small_subgroup_warning_never_prints_a_count_under_the_threshold():
    with pytest.warns(SmallSubgroupWarning) as record:
        evalkit.subgroup_effects(_small(3), "y", "treat", "benefit")
    text = str(record[0].message)
    assert "'benefit' level 'integration benefit' (treated fewer than 5)" in text
    assert " 3" not in text and "(treated 3" not in text
    with pytest.warns(SmallSubgroupWarning, match=r"\(treated 12\)"):
        evalkit.subgroup_effects(_small(12), "y", "treat", "benefit")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SmallSubgroupWarning)
        evalkit.subgroup_effects(_small(12), "y", "treat", "benefit", min_size=10)


def test_a_level_of_three_treated_is_suppressed_in_every_view():
    result = _fit(_small(3), outcome="y", treatment="treat", by=["benefit", "age"])
    row = result.table.set_index("level").loc["integration benefit"]
    assert row["n_treated"] == 3  # the attributes stay exact
    secrets = [f"{row['estimate']:.6g}", f"{row['conf_low']:.6g}", f"{row['p_value']:.4g}",
               f"{result.heterogeneity.iloc[0]['statistic']:.6g}"]  # fmt: skip
    views = [result.summary(), str(result), repr(result), html.unescape(result._repr_html_())]
    for text in views:
        for secret in secrets:
            assert secret not in text
        assert "<5" in text
    gated = gate_table(result.to_frame(), "test")[0].set_index("level")
    assert gated.loc["integration benefit", "n_treated"] == "<5"
    assert gated.loc["integration benefit", "estimate"] == "x"
    assert (gated["p_adjusted"] == "x").all()  # adjusted p-values rest on every level
    assert gated.loc["cash benefit", "heterogeneity_p_value"] == "x"  # rests on min_arm
    assert gated.loc["18-29", "heterogeneity_p_value"] != "x"  # another variable: shown
    info = declaration(result.to_frame())
    assert set(info["counts"]) == {"n_treated", "n_control", "min_arm"}
    assert declaration(result.heterogeneity)["counts"] == ["n", "min_arm"]


def test_large_subgroups_show_their_numbers():
    result = _fit(outcome="y", treatment="treat", by="benefit")
    text = result.summary()
    first = result.table.iloc[0]
    assert f"{first['estimate']:.6g}" in text and "suppressed" not in text
    assert f"F = {result.heterogeneity.iloc[0]['statistic']:.6g}" in text


# ----------------------------------------------------------------------------- plot
@pytest.mark.parametrize("lang", ["en", "da"])
def test_plot_renders_one_row_per_level_with_the_heterogeneity_note(lang):
    import matplotlib.pyplot as plt

    result = _fit(outcome="y", treatment="treat", by=["benefit", "age"])
    fig = result.plot(lang=lang)
    ax = fig.axes[0]
    assert len([line for line in ax.lines if line.get_gid() == "ci"]) == 7
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # the data's names in Danish through the label catalogue (evalkit.report.labels.TERMS)
    row = {"en": "benefit: cash benefit", "da": "Ydelse: kontanthjælp"}[lang]
    assert row in labels and {"en": "age: 50+", "da": "Alder: 50+"}[lang] in labels
    notes = [t.get_text() for t in ax.texts if t.get_gid() == "note"]
    word = {"en": "equal effects", "da": "ens effekt"}[lang]
    test = {"en": "benefit p = ", "da": "Ydelse p = "}[lang]
    assert len(notes) == 1 and word in notes[0] and test in notes[0]
    plt.close(fig)


def test_plot_suppresses_a_small_level():
    import matplotlib.pyplot as plt

    result = _fit(_small(3), outcome="y", treatment="treat", by="benefit")
    fig = result.plot()
    texts = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "suppressed"]
    assert texts == ["x (suppressed)"]
    plt.close(fig)
