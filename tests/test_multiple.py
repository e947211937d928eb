"""Multiple testing: adjusted p-values against statsmodels and R, step-down randomization
tests against a literal enumeration, sharpened q-values against Anderson's algorithm,
and summary indices."""

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

import evalkit
from evalkit.errors import ArgumentError, DesignError
from evalkit.inference import (
    adjust_pvalues,
    index_outcome,
    randomization_test,
    romano_wolf,
    sharpened_qvalues,
    westfall_young,
)

REFERENCE = json.loads((Path(__file__).parent / "reference" / "inference.json").read_text())
STATSMODELS = {
    "bonferroni": "bonferroni",
    "holm": "holm",
    "hochberg": "simes-hochberg",
    "bh": "fdr_bh",
    "by": "fdr_by",
    "hommel": "hommel",
    "sidak": "sidak",
    "holm_sidak": "holm-sidak",
}
R_METHODS = ["bonferroni", "holm", "hochberg", "bh", "by"]


# --------------------------------------------------------------------------- adjust_pvalues
@pytest.mark.parametrize("method", R_METHODS)
def test_adjusted_p_values_match_r_p_adjust(method):
    p = REFERENCE["p_adjust"]["p"]
    want = REFERENCE["p_adjust"]["adjusted"][method]
    np.testing.assert_allclose(adjust_pvalues(p, method), want, rtol=1e-12, atol=0)


@pytest.mark.parametrize("method", list(STATSMODELS))
@pytest.mark.parametrize("seed", range(5))
def test_adjusted_p_values_match_statsmodels_exactly(method, seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(size=23) ** 3
    p[[3, 7, 11]] = p[5]  # ties
    p[0], p[1] = 0.0, 1.0
    with np.errstate(divide="ignore"):  # Sidak's log1p(-1)
        want = multipletests(p, method=STATSMODELS[method])[1]
    np.testing.assert_array_equal(adjust_pvalues(p, method), want)


EXTRA = json.loads((Path(__file__).parent / "reference" / "p_adjust_extra.json").read_text())[
    "sets"
]


@pytest.mark.parametrize("name", list(EXTRA))
def test_hommel_matches_r_p_adjust(name):
    # p_adjust_extra.R: p.adjust(p, "hommel")
    np.testing.assert_allclose(
        adjust_pvalues(EXTRA[name]["p"], "hommel"), EXTRA[name]["hommel"], rtol=1e-12, atol=0
    )


def test_sidak_by_hand():
    p = np.array([0.01, 0.04, 0.03])
    np.testing.assert_allclose(adjust_pvalues(p, "sidak"), 1 - (1 - p) ** 3, rtol=1e-12)
    # step-down on 0.01, 0.03, 0.04: 1 - 0.99^3, 1 - 0.97^2, max(that, 1 - 0.96^1)
    want = [1 - 0.99**3, 1 - 0.97**2, 1 - 0.97**2]
    np.testing.assert_allclose(adjust_pvalues(p, "holm_sidak"), want, rtol=1e-12)


def test_series_keep_their_index_and_inputs_are_not_modified():
    p = pd.Series([0.04, 0.01, 0.2], index=["jobs", "hours", "earnings"], name="p")
    before = p.copy()
    out = adjust_pvalues(p, "holm")
    assert isinstance(out, pd.Series) and list(out.index) == list(p.index)
    assert out["hours"] == pytest.approx(0.03)
    pd.testing.assert_series_equal(p, before)


@pytest.mark.parametrize(
    ("p", "match"),
    [
        ([0.1, np.nan], r"lie in \[0, 1\] and not be NaN; 1 do not \(nan\)"),
        ([0.1, -0.01], r"1 do not \(-0.01\)"),
        ([1.2, 0.5], r"1 do not \(1.2\)"),
        ([], "no p-values"),
        ([[0.1, 0.2]], "one-dimensional"),
    ],
)
def test_bad_p_values_are_errors(p, match):
    with pytest.raises(ArgumentError, match=match):
        adjust_pvalues(p, "bh")
    with pytest.raises(ArgumentError, match=match):
        sharpened_qvalues(p)


def test_unknown_method_is_an_error():
    with pytest.raises(ArgumentError, match="method must be one of"):
        adjust_pvalues([0.1], "fdr")


# --------------------------------------------------------------------------- q-values
def anderson_stata(p, step=0.001):
    """A line-by-line transliteration of Anderson's (2008) fdr_sharpened_qvalues.do."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    rank = np.empty(m, dtype=int)
    rank[order] = np.arange(1, m + 1)
    qval_out = np.ones(m)
    for k in range(round(1 / step), 0, -1):
        qval = k * step
        qval_adj = qval / (1 + qval)
        fdr_temp1 = qval_adj * rank / m
        reject_rank1 = (fdr_temp1 >= p) * rank
        total_rejected1 = reject_rank1.max()
        if total_rejected1 == m:  # Stata: division by zero gives missing, >= everything
            reject_temp2 = np.ones(m, dtype=bool)
        else:
            qval_2st = qval_adj * (m / (m - total_rejected1))
            reject_temp2 = qval_2st * rank / m >= p
        total_rejected2 = (reject_temp2 * rank).max()
        qval_out[rank <= total_rejected2] = qval
    return np.round(qval_out, 12)


def test_sharpened_q_values_hand_example():
    # Hand computation for p = (0.001, 0.01, 0.02, 0.04, 0.3), M = 5:
    # q = 0.064: q' = 0.06015; stage 1 rejects ranks 1-4 (0.04 <= 0.0481), not 0.3 > 0.0602;
    #   q2 = q' * 5 / 1 = 0.3008 >= 0.3, so all five are rejected. At q = 0.063, q2 = 0.2963.
    # q = 0.031: q' = 0.03007; stage 1 rejects ranks 1-2 (0.02 > 0.0180); q2 = q' * 5/3 =
    #   0.05011 and 0.04 <= 0.05011 * 4/5 = 0.04009: rank 4 rejected. At 0.030: 0.03883.
    # q = 0.006: q' = 0.005964: rank 1 (0.001 <= 0.001193); q2 = 0.007455; rank 2 needs
    #   0.01 <= 0.00298: no. At q = 0.005, 0.001 > 0.000995: nothing is rejected.
    p = [0.001, 0.01, 0.02, 0.04, 0.3]
    assert sharpened_qvalues(p).tolist() == [0.006, 0.021, 0.026, 0.031, 0.064]


@pytest.mark.parametrize("seed", range(4))
def test_sharpened_q_values_follow_andersons_stata_loop(seed):
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.uniform(0, 0.05, 6), rng.uniform(size=10)])
    p[2] = p[4]
    q = sharpened_qvalues(p)
    np.testing.assert_array_equal(q, anderson_stata(p))
    assert pd.Series(q[np.argsort(p)]).is_monotonic_increasing


def test_all_rejected_in_the_first_stage():
    np.testing.assert_array_equal(sharpened_qvalues([0.001, 0.002]), anderson_stata([0.001, 0.002]))


# --------------------------------------------------------------------------- step-down
@pytest.fixture(scope="module")
def outcomes():
    rng = np.random.default_rng(7)
    n = 12
    t = np.array([1, 0] * 6)
    a = rng.normal(size=n) + 1.2 * t
    return pd.DataFrame(
        {
            "t": t,
            "a": a,
            "b": 0.6 * a + rng.normal(size=n),
            "c": rng.normal(size=n),
            "d": rng.normal(size=n) + 0.4 * t,
        }
    )


def literal_minp(data, names, treatment):
    """Westfall & Young's Algorithm 2.8 by full enumeration, written out plainly."""
    y = data[names].to_numpy()
    n, n1 = len(data), int(data[treatment].sum())
    stats_ = []
    for combo in itertools.combinations(range(n), n1):
        t = np.zeros(n, dtype=bool)
        t[list(combo)] = True
        stats_.append(np.abs(y[t].mean(axis=0) - y[~t].mean(axis=0)))
    stats_ = np.array(stats_)  # (D, K)
    t = data[treatment].to_numpy() == 1
    observed = np.abs(y[t].mean(axis=0) - y[~t].mean(axis=0))
    tol = 1e-9
    raw = np.array([(stats_[:, k] >= observed[k] - tol).mean() for k in range(len(names))])
    null_p = np.array(
        [[(stats_[:, k] >= s - tol).mean() for s in stats_[:, k]] for k in range(len(names))]
    ).T  # (D, K)
    order = np.argsort(raw, kind="stable")
    adjusted = np.empty(len(names))
    running = np.ones(len(stats_)) * np.inf
    for j in range(len(names) - 1, -1, -1):
        running = np.minimum(running, null_p[:, order[j]])
        adjusted[j] = np.mean(running <= raw[order[j]])
    adjusted = np.maximum.accumulate(adjusted)
    out = np.empty(len(names))
    out[order] = adjusted
    return raw, out


def test_minp_step_down_matches_a_literal_enumeration(outcomes):
    names = ["a", "b", "c", "d"]
    result = westfall_young(outcomes, names, "t", n_draws=1000)
    assert result.exact and result.n_draws == 924
    raw, adjusted = literal_minp(outcomes, names, "t")
    np.testing.assert_allclose(result.table["p_value"], raw, rtol=1e-12)
    np.testing.assert_allclose(result.table["p_adjusted"], adjusted, rtol=1e-12)
    for name, p in zip(names, raw, strict=True):
        assert randomization_test(outcomes, name, "t").p_value == pytest.approx(p)


def test_identical_outcomes_need_no_adjustment_and_adjustment_is_monotone(outcomes):
    data = outcomes.assign(a2=2 * outcomes["a"] + 1)
    result = westfall_young(data, ["a", "a2"], "t", n_draws=1000)
    np.testing.assert_allclose(result.table["p_adjusted"], result.table["p_value"])
    for method in ("minp", "maxt"):
        table = westfall_young(outcomes, ["a", "b", "c", "d"], "t", method=method).table
        assert (table["p_adjusted"] >= table["p_value"] - 1e-12).all()
        ordered = table.sort_values("p_value")
        assert ordered["p_adjusted"].is_monotonic_increasing
        holm = adjust_pvalues(table["p_value"].to_numpy(), "holm")
        assert (table["p_adjusted"].to_numpy() <= holm + 0.02).all()


def test_romano_wolf_is_max_t_on_studentized_statistics(outcomes):
    names = ["a", "b", "c", "d"]
    rw = romano_wolf(outcomes, names, "t", n_draws=1000)
    wy = westfall_young(outcomes, names, "t", statistic="studentized", method="maxt")
    pd.testing.assert_frame_equal(rw.table, wy.table)
    assert rw.method == "Romano-Wolf" and rw.statistic_name == "studentized"
    welch = evalkit.difference_in_means(outcomes, "a", "t").statistic
    assert rw.table.loc[0, "statistic"] == pytest.approx(welch)


def test_monte_carlo_joint_draws_with_blocks_and_clusters():
    rng = np.random.default_rng(2)
    n = 400
    cluster = np.arange(n) // 4
    block = cluster % 5
    t = ((cluster // 5) % 2).astype(int)
    data = pd.DataFrame(
        {
            "t": t,
            "cluster": cluster,
            "block": block,
            "y1": rng.normal(size=n) + 0.3 * t,
            "y2": rng.normal(size=n),
        }
    )
    result = westfall_young(
        data, ["y1", "y2"], "t", blocks="block", clusters="cluster", n_draws=2000, seed=4
    )
    assert not result.exact and result.seed == 4 and result.design == "blocked and clustered"
    single = randomization_test(
        data, "y1", "t", blocks="block", clusters="cluster", n_draws=2000, seed=4
    )
    assert result.table.loc[0, "p_value"] == single.p_value  # the same joint draws
    assert "Westfall-Young min-p" in result.summary()
    assert result.p_adjusted.index.tolist() == ["y1", "y2"]
    assert "<table" in result._repr_html_()
    assert set(result.to_frame().columns) >= {"method", "n_draws", "seed"}


def test_step_down_bad_input(outcomes):
    with pytest.raises(ArgumentError, match="at least two outcomes"):
        westfall_young(outcomes, ["a"], "t")
    with pytest.raises(ArgumentError, match="named twice"):
        westfall_young(outcomes, ["a", "a"], "t")
    with pytest.raises(ArgumentError, match="method must be one of"):
        westfall_young(outcomes, ["a", "b"], "t", method="bonferroni")
    with pytest.raises(ArgumentError, match="n_draws must be"):
        romano_wolf(outcomes, ["a", "b"], "t", n_draws=0)


# --------------------------------------------------------------------------- indices
@pytest.fixture(scope="module")
def family():
    rng = np.random.default_rng(12)
    n = 300
    t = np.repeat([1, 0], n // 2)
    common = rng.normal(size=n)
    return pd.DataFrame(
        {
            "t": t,
            "weeks": 2 + common + 0.3 * t + rng.normal(size=n),
            "hours": 10 + 3 * common + 0.5 * t + 2 * rng.normal(size=n),
            "benefit_weeks": 30 - 2 * common - 0.4 * t + 3 * rng.normal(size=n),
            "block": rng.integers(0, 3, n),
        }
    )


def test_kling_index_is_the_mean_of_control_standardized_z_scores(family):
    names = ["weeks", "hours", "benefit_weeks"]
    result = index_outcome(family, names, "t", method="kling", reverse="benefit_weeks")
    control = family[family["t"] == 0]
    z = (family[names] - control[names].mean()) / control[names].std(ddof=1)
    z["benefit_weeks"] *= -1
    np.testing.assert_allclose(result.index, z.mean(axis=1), rtol=1e-12)
    assert result.weights.tolist() == pytest.approx([1 / 3] * 3)
    want = evalkit.difference_in_means(family.assign(i=z.mean(axis=1)), "i", "t")
    assert result.effect.estimate == pytest.approx(want.estimate)
    assert result.effect.std_error == pytest.approx(want.std_error)
    assert result.effect.estimate > 0


def test_anderson_index_weights_by_the_inverse_covariance(family):
    names = ["weeks", "hours", "benefit_weeks"]
    result = index_outcome(family, names, "t", reverse=["benefit_weeks"], blocks="block")
    control = family[family["t"] == 0]
    standardized = (family[names] - control[names].mean()) / control[names].std(ddof=1)
    z = standardized.to_numpy(copy=True)  # pandas 3 hands out read-only views
    z[:, 2] *= -1
    w = np.linalg.solve(np.cov(z, rowvar=False), np.ones(3))
    np.testing.assert_allclose(result.weights, w / w.sum(), rtol=1e-10)
    np.testing.assert_allclose(result.index, z @ (w / w.sum()), rtol=1e-10)
    blocked = evalkit.difference_in_means(
        family.assign(i=z @ (w / w.sum())), "i", "t", blocks="block"
    )
    assert result.effect.estimate == pytest.approx(blocked.estimate)
    assert "Anderson (2008)" in result.summary() and "<div>" in result._repr_html_()
    assert result.to_frame()["outcome"].iloc[0] == "summary_index"


def test_a_duplicated_outcome_shares_its_weight(family):
    data = family.assign(weeks2=family["weeks"] + 0.01 * np.sin(np.arange(len(family))))
    result = index_outcome(data, ["weeks", "weeks2", "hours"], "t")
    assert result.weights["hours"] > result.weights["weeks"]


def test_index_bad_input(family):
    with pytest.raises(ArgumentError, match="at least two outcomes"):
        index_outcome(family, ["weeks"], "t")
    with pytest.raises(ArgumentError, match="not outcomes"):
        index_outcome(family, ["weeks", "hours"], "t", reverse="block")
    with pytest.raises(DesignError, match="do not vary in the control group"):
        index_outcome(family.assign(flat=family["t"] * 2.0), ["weeks", "flat"], "t")
    with pytest.raises(DesignError, match="collinear"):
        index_outcome(family.assign(w2=2 * family["weeks"]), ["weeks", "w2"], "t")
