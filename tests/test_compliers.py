"""evalkit.complier_profile: kappa-weighted covariate means of compliers, never-takers and
always-takers against plain R arithmetic (tests/reference/noncompliance_extra.R), the
subgroup formula of Marbach & Hangartner (2020), known types in simulated data, the
bootstrap, disclosure declarations and bad input."""

import warnings

import numpy as np
import pandas as pd
import pytest
from _fixtures import reference

import evalkit
from evalkit.effects.compliers import CELLS, SHARE_ROW, ComplierProfile, complier_profile
from evalkit.errors import (
    ArgumentError,
    DesignError,
    FragileDesignWarning,
    MissingValueError,
    OutcomeError,
)
from evalkit.output import declaration, gate_table

REFERENCE = reference("noncompliance_extra.json")
DATA = pd.DataFrame(REFERENCE["complier_data"])
CASES = REFERENCE["complier_cases"]
COVARIATES = ["age", "female", "x1"]


def _rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_r(case):
    ours = complier_profile(DATA, **case["args"])
    assert ours.cells == case["cells"]
    assert ours.groups == list(case["groups"])
    for group, expected in case["groups"].items():
        assert _rel(ours.shares[group], expected["share"]) < 1e-10, group
        if expected["share_se"] == 0:
            assert ours.share_std_errors[group] == pytest.approx(0, abs=1e-14)
        else:
            assert _rel(ours.share_std_errors[group], expected["share_se"]) < 1e-10, group
        for name, row in expected["covariates"].items():
            assert _rel(ours.means.loc[name, group], row["mean"]) < 1e-10, (group, name)
            assert _rel(ours.std_errors.loc[name, group], row["std_error"]) < 1e-10, (group, name)


def _subgroup_formula(frame, z, d, x):
    """Marbach & Hangartner (2020): (mean - pi_a mean_a - pi_n mean_n) / pi_c."""
    zz, dd = frame[z] == 1, frame[d] == 1
    pi_n = (zz & ~dd).sum() / zz.sum()
    pi_a = (~zz & dd).sum() / (~zz).sum()
    mean_n = frame.loc[zz & ~dd, x].mean()
    mean_a = frame.loc[~zz & dd, x].mean() if pi_a > 0 else 0.0
    pi_c = 1 - pi_a - pi_n
    return (frame[x].mean() - pi_a * mean_a - pi_n * mean_n) / pi_c, pi_c, mean_n, mean_a


@pytest.mark.parametrize("takeup", ["takeup", "takeup1"])
def test_kappa_mean_equals_the_subgroup_formula(takeup):
    prof = complier_profile(DATA, "treat", takeup, COVARIATES)
    for x in COVARIATES:
        complier, pi_c, mean_n, mean_a = _subgroup_formula(DATA, "treat", takeup, x)
        assert prof.means.loc[x, "compliers"] == pytest.approx(complier, rel=1e-12)
        assert prof.means.loc[x, "never_takers"] == pytest.approx(mean_n, rel=1e-12)
        if takeup == "takeup":
            assert prof.means.loc[x, "always_takers"] == pytest.approx(mean_a, rel=1e-12)
        assert prof.means.loc[x, "sample"] == pytest.approx(DATA[x].mean(), rel=1e-12)
    assert prof.complier_share == pytest.approx(pi_c, rel=1e-12)
    with warnings.catch_warnings():  # one-sided: take-up does not vary among controls
        warnings.simplefilter("ignore", FragileDesignWarning)
        first = evalkit.first_stage(DATA, takeup, "treat").estimate
    assert prof.complier_share == pytest.approx(first, rel=1e-12)  # the first stage
    total = sum(prof.shares[g] for g in prof.groups if g != "sample")
    assert total == pytest.approx(1.0, abs=1e-12)


def test_blocks_weight_the_block_formulas_by_block_size():
    prof = complier_profile(DATA, "treat", "takeup", COVARIATES, blocks="block")
    numerator, denominator = 0.0, 0.0
    for _, part in DATA.groupby("block"):
        complier, pi_c, _, _ = _subgroup_formula(part, "treat", "takeup", "age")
        numerator += len(part) * pi_c * complier
        denominator += len(part) * pi_c
    assert prof.means.loc["age", "compliers"] == pytest.approx(numerator / denominator, rel=1e-12)
    assert prof.complier_share == pytest.approx(denominator / len(DATA), rel=1e-12)


def _simulated(n, seed, two_sided=True):
    rng = np.random.default_rng(seed)
    age = rng.uniform(20, 60, n)
    u = rng.random(n)
    p_complier = 1 / (1 + np.exp(-(age - 40) / 8))  # older persons comply more
    p_always = 0.15 if two_sided else 0.0
    kind = np.where(u < p_always, "always", np.where(u < p_always + (1 - p_always) * p_complier,
                                                     "complier", "never"))  # fmt: skip
    z = (rng.random(n) < 0.5).astype(int)
    d = ((kind == "always") | ((kind == "complier") & (z == 1))).astype(int)
    return pd.DataFrame({"z": z, "d": d, "age": age, "kind": kind})


def test_recovers_the_true_complier_mean():
    data = _simulated(20_000, 1)
    prof = complier_profile(data, "z", "d", "age")
    for group, kind in (("compliers", "complier"), ("never_takers", "never"),
                        ("always_takers", "always")):  # fmt: skip
        truth = data.loc[data["kind"] == kind, "age"].mean()
        estimate, se = prof.means.loc["age", group], prof.std_errors.loc["age", group]
        assert abs(estimate - truth) < 4 * se, group
    truth_share = (data["kind"] == "complier").mean()
    assert abs(prof.complier_share - truth_share) < 4 * prof.share_std_errors["compliers"]
    # the compliers are older than the sample (they were made so)
    assert prof.means.loc["age", "compliers"] > prof.means.loc["age", "sample"] + 1
    # the Wald (IV) version of the complier mean agrees in large samples
    z, d = data["z"] == 1, data["d"] == 1
    wald = ((data["age"] * d)[z].mean() - (data["age"] * d)[~z].mean()) / (
        d[z].mean() - d[~z].mean()
    )
    assert wald == pytest.approx(
        prof.means.loc["age", "compliers"], abs=3 * prof.std_errors.loc["age", "compliers"]
    )


def test_analytic_standard_errors_are_calibrated():
    estimates, ses = [], []
    for seed in range(200):
        prof = complier_profile(_simulated(600, 100 + seed), "z", "d", "age")
        estimates.append(prof.means.loc["age", "compliers"])
        ses.append(prof.std_errors.loc["age", "compliers"])
    assert np.mean(ses) == pytest.approx(np.std(estimates, ddof=1), rel=0.15)


def test_bootstrap_standard_errors():
    data = _simulated(3000, 5)
    analytic = complier_profile(data, "z", "d", "age")
    boot = complier_profile(data, "z", "d", "age", n_boot=200, seed=3)
    again = complier_profile(data, "z", "d", "age", n_boot=200, seed=3)
    other = complier_profile(data, "z", "d", "age", n_boot=200, seed=4)
    pd.testing.assert_frame_equal(boot.means, analytic.means)
    pd.testing.assert_frame_equal(boot.std_errors, again.std_errors)
    assert not boot.std_errors.equals(other.std_errors)
    ratio = boot.std_errors / analytic.std_errors
    assert ((ratio > 0.8) & (ratio < 1.25)).all().all()
    assert boot.share_std_errors["compliers"] == pytest.approx(
        analytic.share_std_errors["compliers"], rel=0.2
    )
    assert "bootstrap" in boot.method and boot.seed == 3 and analytic.seed is None


def test_one_sided_has_no_always_takers():
    prof = complier_profile(DATA, "treat", "takeup1", COVARIATES)
    assert prof.one_sided and prof.groups == ["sample", "compliers", "never_takers"]
    assert "no always-takers" in prof.summary()


def test_frame_declares_the_four_cells():
    prof = complier_profile(DATA, "treat", "takeup", COVARIATES)
    frame = prof.to_frame()
    assert frame["covariate"].tolist() == [SHARE_ROW, *COVARIATES]
    info = declaration(frame)
    assert info["counts"] == list(CELLS)
    assert info["dependent"]["compliers"] == list(CELLS)
    assert info["dependent"]["never_takers"] == ["n_treated_takeup", "n_treated_no_takeup"]
    assert info["dependent"]["always_takers_se"] == ["n_control_takeup", "n_control_no_takeup"]
    assert frame.loc[1, "compliers"] == prof.means.loc["age", "compliers"]
    assert frame.loc[0, "never_takers"] == prof.shares["never_takers"]
    assert isinstance(prof, ComplierProfile) and prof._repr_html_().startswith("<")


def test_a_small_cell_suppresses_what_rests_on_it():
    data = DATA.copy()
    control_takers = np.flatnonzero((data["treat"] == 0) & (data["takeup"] == 1))
    data.loc[control_takers[3:], "takeup"] = 0  # 3 always-takers remain
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FragileDesignWarning)
        prof = complier_profile(data, "treat", "takeup", COVARIATES)
    assert prof.cells["n_control_takeup"] == 3
    gated, _ = gate_table(prof.to_frame(), "compliers.csv")
    for column in ("compliers", "always_takers", "sample", "compliers_se"):
        assert not pd.to_numeric(gated[column], errors="coerce").notna().any(), column
    assert pd.to_numeric(gated["never_takers"], errors="coerce").notna().all()
    text = prof.summary()
    assert f"{prof.means.loc['age', 'compliers']:.6g}" not in text and "<5" in text


def test_weak_first_stage_warns():
    rng = np.random.default_rng(2)
    n = 200
    z = np.repeat([1, 0], n // 2)
    d = (rng.random(n) < np.where(z == 1, 0.3, 0.25)).astype(int)
    data = pd.DataFrame({"z": z, "d": d, "x": rng.normal(size=n)})
    with pytest.warns(FragileDesignWarning, match="weak first stage"):
        complier_profile(data, "z", "d", "x")


def test_bad_input():
    with pytest.raises(OutcomeError, match="'takeup'"):
        complier_profile(DATA.assign(takeup=DATA["takeup"] * 2), "treat", "takeup", "age")
    ids = DATA.assign(takeup=["010190-1234"] * len(DATA))
    with pytest.raises(OutcomeError) as error:
        complier_profile(ids, "treat", "takeup", "age")
    assert "010190" not in str(error.value) and "'takeup'" in str(error.value)
    with pytest.raises(MissingValueError, match="'age'"):
        complier_profile(DATA.assign(age=DATA["age"].where(DATA.index > 0)), "treat", "takeup",
                         "age")  # fmt: skip
    with pytest.raises(ArgumentError):
        complier_profile(DATA, "treat", "takeup", [])
    with pytest.raises(ArgumentError, match="n_boot"):
        complier_profile(DATA, "treat", "takeup", "age", n_boot=10)
    everyone = DATA.assign(takeup=np.where(DATA["treat"] == 1, 1, DATA["takeup"]))
    with pytest.raises(DesignError, match="no never-takers"):
        complier_profile(everyone, "treat", "takeup", "age")
    flat = DATA.assign(takeup=np.where(DATA["treat"] == 1, 0, 1))
    flat.loc[flat.index[flat["treat"] == 1][0], "takeup"] = 1
    with pytest.raises(DesignError, match="no compliers"):
        complier_profile(flat, "treat", "takeup", "age")
    one_arm = DATA.assign(block=np.where(DATA["treat"] == 1, 9, DATA["block"]))
    with pytest.raises(DesignError, match="one arm only"):
        complier_profile(one_arm, "treat", "takeup", "age", blocks="block")


def test_does_not_mutate_and_is_exported():
    before = DATA.copy()
    complier_profile(DATA, "treat", "takeup", COVARIATES, blocks="block", n_boot=50)
    pd.testing.assert_frame_equal(DATA, before)
    assert evalkit.complier_profile is complier_profile
    assert evalkit.effects.complier_profile is complier_profile
