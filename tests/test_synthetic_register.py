"""The SYNTHETIC DREAM-like register generator (evalkit.datasets.synthetic)."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.datasets.synthetic import SyntheticRegister, simulate_register
from evalkit.errors import ArgumentError, EvalkitError
from evalkit.panel import StatusPanel, synthetic_classification
from evalkit.panel.states import SYNTHETIC_CODES

SMALL = {"n_treated": 60, "n_control": 40, "weeks_before": 10, "weeks_after": 30}


def small(**kwargs) -> SyntheticRegister:
    return simulate_register(**{**SMALL, "enrolment_weeks": 8, "seed": 7, **kwargs})


def self_sufficient_weeks(reg: SyntheticRegister, last: int) -> np.ndarray:
    panel = reg.panel(before=0, after=last)
    return panel.in_states("self_sufficient")[:, panel.weeks >= 1].sum(axis=1)


def test_same_seed_same_register_and_different_seeds_differ():
    a, b = small(), small()
    pd.testing.assert_frame_equal(a.register, b.register)
    pd.testing.assert_frame_equal(a.trial, b.trial)
    other = small(seed=8)
    assert not a.register.equals(other.register)
    assert not a.trial["treated"].equals(other.trial["treated"])


def test_no_seed_draws_one_that_reproduces_the_register():
    reg = simulate_register(**SMALL)
    assert isinstance(reg.seed, int)
    again = simulate_register(**SMALL, seed=reg.seed)
    pd.testing.assert_frame_equal(reg.register, again.register)


def test_result_fields_and_synthetic_ids():
    reg = small()
    assert dataclasses.is_dataclass(reg)
    with pytest.raises(dataclasses.FrozenInstanceError):
        reg.seed = 1
    assert reg.blank == "self_sufficient" and reg.hazard_ratio == 1.3 and reg.seed == 7
    assert reg.classification == synthetic_classification()
    assert reg.trial.columns.tolist() == ["id", "treated", "randomization_week", "benefit"]
    ids = reg.trial["id"]
    assert ids.str.fullmatch(r"SYN\d{6}").all() and ids.is_unique
    assert reg.register["id"].tolist() == ids.tolist()
    assert set(reg.trial["benefit"]) <= {"kontanthjælp", "integrationsydelse"}
    columns = reg.register.columns[1:]
    assert len(columns) == reg.n_weeks == 10 + 8 + 30
    assert columns[0] == "y_1510" and all(c.startswith("y_") for c in columns)
    assert list(columns) == reg.week_columns


def test_ids_widen_beyond_a_million():
    from evalkit.datasets.synthetic import _synthetic_ids

    ids = _synthetic_ids(1_000_001)
    assert ids[0] == "SYN0000001" and ids[-1] == "SYN1000001"


def test_arm_sizes_and_randomization_in_the_enrolment_period():
    reg = simulate_register(n_treated=30, n_control=70, enrolment_weeks=5, seed=3)
    assert (reg.trial["treated"] == 1).sum() == 30
    assert (reg.trial["treated"] == 0).sum() == 70
    labels = reg.week_labels
    weeks = reg.trial["randomization_week"].map(labels.index)
    assert weeks.between(52, 52 + 4).all()
    assert weeks.nunique() > 1  # staggered


def test_everybody_on_benefit_before_and_on_cash_benefit_at_randomization():
    reg = small(n_treated=300, n_control=300)
    panel = reg.panel()
    assert panel.weeks[0] == -10 and panel.weeks[-1] == 30
    assert panel.in_states("cash_benefit")[:, panel.column(0)].all()
    benefit = panel.in_states(["cash_benefit", "partly_self_sufficient"])
    assert benefit[:, panel.weeks <= 0].all()
    # Everybody is observed in every week until an absorbing week.
    absorbed = np.cumsum(panel.in_states("absorbing"), axis=1) > 0
    assert (panel.observed | absorbed).all()
    # Some persons do leave benefit after randomization.
    assert not benefit[:, panel.weeks > 0].all()


def test_codes_are_all_in_the_classification():
    reg = simulate_register(n_treated=2000, n_control=2000, seed=11)
    codes = reg.register.iloc[:, 1:].stack().dropna().unique()
    known = {c for values in SYNTHETIC_CODES.values() for c in values}
    assert set(codes.astype(int)) <= known
    panel = StatusPanel.from_wide(reg.register, "id", "y_", reg.classification, blank=reg.blank)
    assert panel.n_persons == 4000
    # The model reaches every state in a trial of this size.
    # Every state of the classification occurs, but rehabilitation (used by the JobFirst
    # generator, not by simulate_register's model).
    expected = {i for i, name in enumerate(panel.states) if name != "rehabilitation"}
    assert set(np.unique(panel.codes[panel.codes >= 0])) == expected


def test_absorbing_week_is_followed_only_by_blank_weeks():
    reg = simulate_register(n_treated=3000, n_control=3000, seed=5, layout="array")
    codes = reg.register
    absorbing = np.isin(codes, [997, 998])
    assert absorbing.any()
    assert (absorbing.sum(axis=1) <= 1).all()
    after = np.cumsum(absorbing, axis=1) - absorbing > 0
    assert (codes[after] == 0).all()


def test_wide_long_and_array_layouts_give_the_same_panel():
    wide, long, array = (small(layout=layout) for layout in ("wide", "long", "array"))
    assert long.register.columns.tolist() == ["id", "week", "code"]
    assert long.register["week"].str.fullmatch(r"\d{4}-W\d{2}").all()
    assert long.register["code"].notna().all()  # blank weeks are left out
    assert isinstance(array.register, np.ndarray) and array.register.dtype == np.int16
    assert array.register.shape == (100, wide.n_weeks)
    reference = wide.panel()
    for other in (long.panel(), array.panel()):
        np.testing.assert_array_equal(other.ids, reference.ids)
        np.testing.assert_array_equal(other.codes, reference.codes)
        assert other.states == reference.states and other.weeks.tolist() == reference.weeks.tolist()
    wide_codes = wide.register.iloc[:, 1:].fillna(0).to_numpy(dtype=np.int16)
    np.testing.assert_array_equal(wide_codes, array.register)


def test_baseline_is_calibrated_for_activity_ready_recipients():
    reg = simulate_register(n_treated=1, n_control=8000, seed=21, layout="array")
    panel = reg.panel(before=0, after=52)
    control = reg.trial["treated"].to_numpy() == 0
    any_job = panel.in_states("self_sufficient")[control][:, 1:].any(axis=1)
    assert 0.10 <= any_job.mean() <= 0.20


def test_treated_arm_has_more_self_sufficient_weeks_when_the_hazard_doubles():
    reg = simulate_register(
        n_treated=4000, n_control=4000, hazard_ratio=2.0, seed=2024, layout="array"
    )
    weeks = self_sufficient_weeks(reg, 104)
    treated = reg.trial["treated"].to_numpy() == 1
    assert weeks[treated].mean() > 1.3 * weeks[~treated].mean()
    test = stats.mannwhitneyu(weeks[treated], weeks[~treated], alternative="greater")
    assert test.pvalue < 1e-6


def test_no_systematic_difference_without_an_effect():
    differences = []
    for seed in range(5):
        reg = simulate_register(
            n_treated=2000, n_control=2000, hazard_ratio=1.0, seed=seed, layout="array"
        )
        weeks = self_sufficient_weeks(reg, 52)
        treated = reg.trial["treated"].to_numpy() == 1
        differences.append(weeks[treated].mean() - weeks[~treated].mean())
    # Mean self-sufficient weeks are about 1.3; the average difference is about 0.
    assert abs(np.mean(differences)) < 0.25
    assert max(abs(d) for d in differences) < 0.6


def test_hazard_ratio_below_one_is_a_harmful_programme():
    reg = simulate_register(
        n_treated=4000, n_control=4000, hazard_ratio=0.3, seed=9, layout="array"
    )
    weeks = self_sufficient_weeks(reg, 104)
    treated = reg.trial["treated"].to_numpy() == 1
    assert weeks[treated].mean() < weeks[~treated].mean()


@pytest.mark.parametrize(
    "kwargs, text",
    [
        ({"n_treated": -1}, "n_treated"),
        ({"n_control": -5}, "n_control"),
        ({"n_treated": 2.5}, "n_treated"),
        ({"n_treated": 0, "n_control": 0}, "at least 1"),
        ({"weeks_before": -1}, "weeks_before"),
        ({"weeks_after": -1}, "weeks_after"),
        ({"enrolment_weeks": 0}, "enrolment_weeks"),
        ({"hazard_ratio": 0}, "hazard_ratio"),
        ({"hazard_ratio": -1.3}, "hazard_ratio"),
        ({"hazard_ratio": float("inf")}, "hazard_ratio"),
        ({"hazard_ratio": "big"}, "hazard_ratio"),
        ({"layout": "tall"}, "layout"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"start": "not a week"}, "start"),
        ({"start": 3}, "calendar week"),
        ({"start": "2089-W01"}, "1991-2090"),
    ],
)
def test_bad_arguments_are_clear_errors(kwargs, text):
    with pytest.raises(ArgumentError, match=text) as caught:
        simulate_register(**kwargs)
    assert isinstance(caught.value, EvalkitError)


def test_one_arm_trials_are_refused_and_dates_as_start():
    for arms in ({"n_treated": 0, "n_control": 5}, {"n_treated": 5, "n_control": 0}):
        with pytest.raises(ArgumentError, match="two-arm trial"):
            simulate_register(**arms, seed=1)
    reg = simulate_register(n_treated=1, n_control=5, seed=1, start=pd.Timestamp("2016-03-09"))
    assert reg.start == "2016-W10" and int(reg.trial["treated"].sum()) == 1
    assert reg.panel().n_persons == 6
