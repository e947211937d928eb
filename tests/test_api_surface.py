"""One surface (issue 13): `import evalkit` gives everything, and the arm is `treatment=`."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import evalkit
from evalkit.errors import ArgumentError, ColumnError, DesignError, TreatmentError
from evalkit.panel import StateClassification, StatusPanel

SUBPACKAGES = [
    "benchmark",
    "datasets",
    "design",
    "effects",
    "inference",
    "output",
    "panel",
    "projects",
    "report",
    "survival",
]


# ---------------------------------------------------------------- the surface
def test_every_name_in_all_resolves():
    for name in evalkit.__all__:
        assert getattr(evalkit, name) is not None, name
    assert set(SUBPACKAGES) <= set(evalkit.__all__)
    assert set(evalkit.__all__) <= set(dir(evalkit))


@pytest.mark.parametrize(
    "name, module",
    [
        ("StatusPanel", "evalkit.panel"),
        ("StateClassification", "evalkit.panel"),
        ("spells", "evalkit.panel"),
        ("read_panel", "evalkit.panel"),
        ("kaplan_meier", "evalkit.survival"),
        ("logrank_test", "evalkit.survival"),
        ("cox", "evalkit.survival"),
        ("survival_plot", "evalkit.report"),
        ("share_plot", "evalkit.report"),
        ("forest_plot", "evalkit.report"),
        ("consort_diagram", "evalkit.report"),
        ("balance_table", "evalkit.report"),
        ("effect_table", "evalkit.report"),
        ("export_table", "evalkit.report"),
        ("export", "evalkit.output"),
    ],
)
def test_reexports_are_the_subpackage_objects(name, module):
    assert getattr(evalkit, name) is getattr(
        sys.modules[module] if module in sys.modules else __import__(module, fromlist=[name]), name
    )


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        evalkit.nonexistent  # noqa: B018


def test_import_evalkit_gives_subpackages_lazily_in_a_fresh_interpreter():
    code = (
        "import sys, evalkit\n"
        "assert 'matplotlib' not in sys.modules, 'import evalkit loaded matplotlib'\n"
        "assert 'evalkit.report' not in sys.modules\n"
        f"for name in {SUBPACKAGES!r}:\n"
        "    assert getattr(evalkit, name).__name__ == 'evalkit.' + name\n"
        "assert evalkit.export is sys.modules['evalkit.output.export'].export\n"
        "from evalkit import kaplan_meier, share_plot\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------- treatment=
@pytest.fixture
def spells_data():
    return pd.DataFrame(
        {
            "weeks": [2, 3, 3, 5, 8, 1, 2, 4, 4, 6, 3, 7],
            "exit": [1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 1],
            "cause": [1, 2, 0, 1, 0, 2, 1, 1, 2, 0, 1, 2],
            "arm": [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0],
            "site": list("abcabcabcabc"),
        }
    )


def test_survival_functions_take_treatment_as_the_arm(spells_data):
    d = spells_data
    km_t = evalkit.kaplan_meier(d, "weeks", "exit", treatment="arm")
    km_g = evalkit.kaplan_meier(d, "weeks", "exit", group="arm")
    pd.testing.assert_frame_equal(km_t.table, km_g.table)
    assert evalkit.logrank_test(d, "weeks", "exit", treatment="arm").p_value == pytest.approx(
        evalkit.logrank_test(d, "weeks", "exit", "arm").p_value, rel=1e-12
    )
    ci_t = evalkit.cumulative_incidence(d, "weeks", "cause", treatment="arm")
    ci_g = evalkit.cumulative_incidence(d, "weeks", "cause", group="arm")
    pd.testing.assert_frame_equal(ci_t.table, ci_g.table)
    gray_t = evalkit.gray_test(d, "weeks", "cause", treatment="arm")
    assert gray_t.statistic == pytest.approx(
        evalkit.gray_test(d, "weeks", "cause", "arm").statistic
    )
    cox_t = evalkit.cox(d, "weeks", "exit", treatment="arm")
    assert cox_t.to_frame()["term"].tolist() == ["arm"]
    assert cox_t.to_frame()["estimate"].iloc[0] == pytest.approx(
        evalkit.cox(d, "weeks", "exit", "arm").to_frame()["estimate"].iloc[0], rel=1e-12
    )
    fg = evalkit.fine_gray(d, "weeks", "cause", treatment="arm", covariates=None)
    assert fg.to_frame()["term"].tolist() == ["arm"]
    both = evalkit.cox(d.assign(x=np.arange(12.0)), "weeks", "exit", "x", treatment="arm")
    assert both.to_frame()["term"].tolist() == ["arm", "x"]


def test_group_still_takes_any_grouping(spells_data):
    curve = evalkit.kaplan_meier(spells_data, "weeks", "exit", group="site")
    assert sorted(curve.table["group"].unique()) == ["a", "b", "c"]
    assert evalkit.logrank_test(spells_data, "weeks", "exit", group="site").df == 2


@pytest.mark.parametrize(
    "call",
    [
        lambda d: evalkit.kaplan_meier(d, "weeks", "exit", group="site", treatment="arm"),
        lambda d: evalkit.logrank_test(d, "weeks", "exit", "site", treatment="arm"),
        lambda d: evalkit.cumulative_incidence(d, "weeks", "cause", group="a", treatment="arm"),
        lambda d: evalkit.gray_test(d, "weeks", "cause", "site", treatment="arm"),
    ],
)
def test_group_and_treatment_together_is_an_error(spells_data, call):
    with pytest.raises(ArgumentError, match="not both"):
        call(spells_data)


def test_treatment_must_be_an_arm(spells_data):
    with pytest.raises(TreatmentError, match="0/1 or boolean"):
        evalkit.kaplan_meier(spells_data, "weeks", "exit", treatment="site")
    with pytest.raises(TreatmentError, match="both arms"):
        evalkit.logrank_test(spells_data.assign(arm=1), "weeks", "exit", treatment="arm")
    with pytest.raises(ArgumentError, match="group= .* or treatment="):
        evalkit.logrank_test(spells_data, "weeks", "exit")
    with pytest.raises(ArgumentError, match="give it once"):
        evalkit.cox(spells_data, "weeks", "exit", "arm", treatment="arm")
    with pytest.raises(ArgumentError, match="treatment="):
        evalkit.cox(spells_data, "weeks", "exit")


def test_boolean_treatment_is_labelled_treatment_and_control(spells_data):
    curve = evalkit.kaplan_meier(
        spells_data.assign(arm=spells_data["arm"] == 1), "weeks", "exit", treatment="arm"
    )
    fig = evalkit.survival_plot(curve, disclosure=None, risk_table=False)
    texts = fig.axes[0].get_legend_handles_labels()[1]
    assert texts[:2] == ["Treatment", "Control"]


# ---------------------------------------------------------------- panels
@pytest.fixture
def panel_and_trial():
    rng = np.random.default_rng(3)
    codes = (rng.random((40, 12)) < np.linspace(0.1, 0.6, 12)).astype(np.int8)
    ids = np.array([f"p{i:02d}" for i in range(40)])
    panel = StatusPanel(ids, codes, ("benefit", "self_sufficient"), aligned=True)
    trial = pd.DataFrame(
        {"pid": ids[::-1], "treated": np.tile([1, 0], 20), "block": np.repeat([1, 2], 20)}
    )
    return panel, trial


def test_share_plot_takes_the_arm_column_of_the_trial_list(panel_and_trial):
    panel, trial = panel_and_trial
    by_column = evalkit.share_by_week(
        panel, "self_sufficient", treatment="treated", data=trial, id="pid"
    )
    in_order = trial.set_index("pid").loc[panel.ids, "treated"].to_numpy()
    by_array = evalkit.share_by_week(panel, "self_sufficient", in_order)
    pd.testing.assert_frame_equal(by_column, by_array)
    fig = evalkit.share_plot(
        panel, "self_sufficient", treatment="treated", data=trial, id="pid", disclosure=None
    )
    assert fig.axes[0].get_ylabel() == "Share self-sufficient"
    with pytest.raises(ArgumentError, match="data="):
        evalkit.share_by_week(panel, "self_sufficient", "treated")
    with pytest.raises(DesignError, match="not in data"):
        evalkit.share_by_week(
            panel, "self_sufficient", treatment="treated", data=trial.iloc[1:], id="pid"
        )


def test_outcomes_keep_the_trial_columns_beside_id(panel_and_trial):
    panel, trial = panel_and_trial
    keep = trial[["pid", "treated", "block"]]
    expected = trial.set_index("pid").loc[panel.ids, ["treated", "block"]].to_numpy()
    frames = [
        evalkit.weeks_in_states(panel, "self_sufficient", (1, 10), keep=keep, id="pid"),
        evalkit.in_state_at(panel, "self_sufficient", [3, 6], keep=keep, id="pid"),
        evalkit.time_to_first(panel, "self_sufficient", keep=keep, id="pid"),
        evalkit.first_durable_entry(panel, "self_sufficient", 2, keep=keep, id="pid"),
    ]
    for frame in frames:
        assert list(frame.columns[:3]) == ["id", "treated", "block"]
        np.testing.assert_array_equal(frame[["treated", "block"]].to_numpy(), expected)
    plain = evalkit.time_to_first(panel, "self_sufficient")
    pd.testing.assert_frame_equal(frames[2].drop(columns=["treated", "block"]), plain)
    # straight into the arm-aware functions
    evalkit.kaplan_meier(frames[2], "duration", "event", treatment="treated")
    evalkit.difference_in_means(frames[0], "weeks_in_state", "treated")


def test_spells_and_hours_keep_the_trial_columns(panel_and_trial):
    panel, trial = panel_and_trial
    s = evalkit.spells(panel, "self_sufficient", keep=trial[["pid", "treated"]], id="pid")
    lookup = trial.set_index("pid")["treated"]
    np.testing.assert_array_equal(s["treated"].to_numpy(), lookup.loc[s["id"]].to_numpy())
    hours = np.where(panel.codes == 1, 37.0, np.nan)
    with_hours = StatusPanel(panel.ids, panel.codes, panel.states, aligned=True, hours=hours)
    out = evalkit.panel.hours_in_window(
        with_hours, (0, 5), keep=trial[["pid", "treated"]], id="pid"
    )
    assert list(out.columns[:2]) == ["id", "treated"]


def test_keep_errors(panel_and_trial):
    panel, trial = panel_and_trial
    with pytest.raises(ArgumentError, match="DataFrame"):
        evalkit.weeks_in_states(panel, "self_sufficient", (1, 3), keep=["treated"])
    with pytest.raises(ColumnError, match="lacks"):
        evalkit.weeks_in_states(panel, "self_sufficient", (1, 3), keep=trial)  # id="id"
    with pytest.raises(DesignError, match="repeats"):
        evalkit.weeks_in_states(
            panel, "self_sufficient", (1, 3), keep=pd.concat([trial, trial]), id="pid"
        )
    with pytest.raises(ColumnError, match="names of result columns"):
        evalkit.time_to_first(
            panel, "self_sufficient", keep=trial.assign(event=1)[["pid", "event"]], id="pid"
        )


def test_states_may_be_a_plain_dict():
    long = pd.DataFrame(
        {"id": [1, 1, 2], "week": ["2016-W10", "2016-W11", "2016-W10"], "code": [130, None, 130]}
    )
    spec = {"cash_benefit": [130], "self_sufficient": []}
    from_dict = StatusPanel.from_long(long, "id", "week", "code", spec, blank="self_sufficient")
    from_class = StatusPanel.from_long(
        long, "id", "week", "code", StateClassification(spec), blank="self_sufficient"
    )
    np.testing.assert_array_equal(from_dict.codes, from_class.codes)
    assert from_dict.states == from_class.states
    wide = pd.DataFrame({"id": [1, 2], "y_1610": [130, 130], "y_1611": [None, 651]})
    panel = StatusPanel.from_wide(wide, "id", "y_", {"cash_benefit": [130], "education": [651]})
    assert panel.states == ("cash_benefit", "education")
    with pytest.raises(ArgumentError, match="dict"):
        StatusPanel.from_wide(wide, "id", "y_", [("cash_benefit", [130])])


# ---------------------------------------------------------------- fixed effect = cluster
def test_fixed_effect_and_cluster_on_one_column_matches_ols_with_cluster_covariance():
    rng = np.random.default_rng(11)
    n_groups, size = 24, 10  # 20 or more clusters: no few-clusters warning
    v = np.repeat(np.arange(n_groups), size)
    n = v.size
    t = rng.integers(0, 2, n)
    x = rng.normal(size=n)
    y = 0.4 * t + 0.3 * x + rng.normal(size=n) + rng.normal(size=n_groups)[v]
    d = pd.DataFrame({"y": y, "t": t, "x": x, "v": v})
    fit = evalkit.ancova(d, "y", "t", "x", fixed_effects="v", clusters="v", se_type="stata")
    design = np.column_stack([t, x, np.eye(n_groups)[v]])
    ols = sm.OLS(y, design).fit(cov_type="cluster", cov_kwds={"groups": v})
    assert fit.estimate == pytest.approx(ols.params[0], rel=1e-10)
    assert fit.std_error == pytest.approx(ols.bse[0], rel=1e-8)  # CR1 = Stata's small-sample
    assert fit.df == n_groups - 1
    cr2 = evalkit.ancova(d, "y", "t", "x", fixed_effects="v", clusters="v")
    assert np.isfinite(cr2.std_error) and cr2.std_error > 0
    # the same numbers as a fixed-effect column that is a copy of the cluster column
    copy = evalkit.ancova(d.assign(w=d["v"]), "y", "t", "x", fixed_effects="w", clusters="v")
    assert cr2.std_error == pytest.approx(copy.std_error, rel=1e-12)
    assert cr2.df == pytest.approx(copy.df, rel=1e-12)
