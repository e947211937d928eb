"""Simulation-based design diagnosis: coverage, bias and power on a normal design, the
JobFirst design on the synthetic register, and bad input."""

import math

import numpy as np
import pandas as pd
import pytest

import evalkit
from evalkit.design import diagnose_design, jobfirst_design, normal_design, power_means
from evalkit.errors import ArgumentError


def dim(data):
    return evalkit.difference_in_means(data, "y", "treated")


def test_normal_design_coverage_bias_and_power():
    design = normal_design(40, 40, effect=0.5, sd=1.0)
    result = diagnose_design(design, dim, n_sims=1000, seed=2024)
    d = result.diagnosands
    assert result.n_sims == 1000 and result.n_failed == 0 and result.alpha == 0.05
    # Coverage of the 95% interval within 3 Monte Carlo SEs of 0.95.
    assert abs(result.coverage - 0.95) < 3 * math.sqrt(0.95 * 0.05 / 1000)
    assert d.loc["coverage", "mc_std_error"] == pytest.approx(
        math.sqrt(result.coverage * (1 - result.coverage) / 1000)
    )
    assert abs(result.bias) < 3 * d.loc["bias", "mc_std_error"]
    analytic = power_means(0.5, 1.0, 40, 40).power
    assert abs(result.power - analytic) < 3 * d.loc["power", "mc_std_error"]
    assert result.rmse == pytest.approx(math.sqrt(2 / 40), rel=0.1)
    assert d.loc["mean_se", "value"] == pytest.approx(d.loc["sd_estimate", "value"], rel=0.1)
    assert len(result.simulations) == 1000
    assert set(result.simulations.columns) >= {"estimate", "covers", "rejects", "estimand"}


def test_a_function_of_a_seed_with_an_estimand_function():
    def simulate(seed):
        rng = np.random.default_rng(seed)
        t = np.repeat([1, 0], 25)
        y1 = rng.normal(size=50) + 0.3
        y0 = y1 - 0.3 + 0.1 * rng.normal(size=50)
        return pd.DataFrame({"treated": t, "y": np.where(t == 1, y1, y0), "y1": y1, "y0": y0})

    result = diagnose_design(
        simulate, dim, n_sims=60, seed=1, estimand=lambda d: (d["y1"] - d["y0"]).mean()
    )
    assert result.simulations["seed"].notna().all()
    again = diagnose_design(
        simulate, dim, n_sims=60, seed=1, estimand=lambda d: (d["y1"] - d["y0"]).mean()
    )
    pd.testing.assert_frame_equal(result.simulations, again.simulations)
    assert "Design diagnosis" in result.summary() and "<div>" in result._repr_html_()
    assert list(result.to_frame().columns) == ["diagnosand", "value", "mc_std_error"]


def test_without_an_estimand_only_power_is_diagnosed():
    result = diagnose_design(lambda s: normal_design(10, 10).simulate(s), dim, n_sims=20, seed=3)
    assert math.isnan(result.bias) and math.isnan(result.coverage)
    assert 0 <= result.power <= 1


def test_failed_simulations_are_counted_not_fatal():
    def simulate(seed):
        data = normal_design(4, 4).simulate(seed)
        if seed % 2:
            data["y"] = 1.0  # no variance: difference_in_means raises DesignError
        return data

    result = diagnose_design(simulate, dim, n_sims=30, seed=5, estimand=0.0)
    assert 0 < result.n_failed < 30
    assert len(result.simulations) == 30 - result.n_failed


def test_jobfirst_design_on_the_synthetic_register():
    design = jobfirst_design(hazard_ratio=1.5, estimand_persons=20_000)
    trials = design.simulate_many(8, seed=4)
    sizes = trials.groupby(["sim", "treated"]).size().unstack()
    assert (sizes[1] == 178).all() and (sizes[0] == 172).all()
    assert trials["weeks_self_sufficient"].between(0, 52).all()
    assert trials["id"].is_unique
    assert design.estimand > 3 * design.estimand_se > 0
    result = diagnose_design(
        design,
        lambda d: evalkit.difference_in_means(d, "weeks_self_sufficient", "treated"),
        n_sims=40,
        seed=6,
    )
    assert result.simulations["estimand"].eq(design.estimand).all()
    assert abs(result.bias) < 4 * result.diagnosands.loc["bias", "mc_std_error"]
    assert "JobFirst-size trial (178/172)" in result.description
    null = jobfirst_design(hazard_ratio=1.0, estimand_persons=20_000, outcome="any_self_sufficient")
    assert abs(null.estimand) < 4 * null.estimand_se + 1e-12


def test_bad_input():
    design = normal_design(5, 5)
    with pytest.raises(ArgumentError, match="n_draws must be"):
        diagnose_design(design, dim, n_sims=0)
    with pytest.raises(ArgumentError, match="must return an EffectResult"):
        diagnose_design(design, lambda d: 1.0, n_sims=2, seed=1)
    with pytest.raises(ArgumentError, match="must return a DataFrame"):
        diagnose_design(lambda s: None, dim, n_sims=2, seed=1)
    with pytest.raises(ArgumentError, match="simulate must be"):
        diagnose_design(42, dim, n_sims=2, seed=1)
    with pytest.raises(ArgumentError, match="n_treated must be"):
        normal_design(0, 5)
    with pytest.raises(ArgumentError, match="outcome must be"):
        jobfirst_design(outcome="earnings")
