"""Randomization tests and intervals: R's coin on committed references, brute-force
enumeration of small designs, the draw algorithm's uniformity, and bad input."""

import itertools
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import evalkit
from evalkit.errors import ArgumentError, DesignError, EvalkitWarning
from evalkit.inference import randomization_ci, randomization_test
from evalkit.inference.randomization import make_design

REFERENCE = json.loads((Path(__file__).parent / "reference" / "inference.json").read_text())
CASES = REFERENCE["randomization"]


def frame(name: str) -> pd.DataFrame:
    return pd.DataFrame(REFERENCE["data"][name])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_exact_p_values_match_coin(case):
    result = randomization_test(frame(case["data"]), **case["args"])
    assert result.exact
    assert result.n_draws == result.n_assignments == case["n_assignments"]
    assert result.p_value == pytest.approx(case["p_value"], rel=1e-6)
    assert result.mc_std_error == 0.0 and result.seed is None


def test_reference_covers_the_statistics_and_designs():
    used = {(c["args"]["statistic"], "blocks" in c["args"]) for c in CASES}
    assert used == {
        ("difference_in_means", False),
        ("difference_in_means", True),
        ("rank", False),
        ("rank", True),
        ("logrank", False),
    }


# --------------------------------------------------------------------------- brute force
def brute_force_p(data, outcome, treatment, blocks=None, clusters=None, alternative="two-sided"):
    """Enumerate the design's assignments; statistic = evalkit.difference_in_means."""
    units = data[clusters] if clusters else pd.Series(np.arange(len(data)), index=data.index)
    unit_block = (
        data.groupby(units)[blocks].first()
        if blocks
        else pd.Series(0, index=pd.unique(units.sort_values()))
    )
    unit_arm = data.groupby(units)[treatment].first()
    choices = []
    for _, members in unit_block.groupby(unit_block):
        ids = list(members.index)
        k = int(unit_arm.loc[ids].sum())
        choices.append([set(c) for c in itertools.combinations(ids, k)])
    values = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvalkitWarning)
        for combo in itertools.product(*choices):
            chosen = set().union(*combo)
            trial = data.assign(**{treatment: units.isin(chosen).astype(int).to_numpy()})
            est = evalkit.difference_in_means(trial, outcome, treatment, blocks, clusters)
            values.append(est.estimate)
        observed = evalkit.difference_in_means(data, outcome, treatment, blocks, clusters).estimate
    values = np.array(values)
    tol = 1e-9 * max(1.0, np.std(values))
    if alternative == "two-sided":
        count = np.sum(np.abs(values) >= abs(observed) - tol)
    elif alternative == "greater":
        count = np.sum(values >= observed - tol)
    else:
        count = np.sum(values <= observed + tol)
    return count / len(values), len(values), observed


@pytest.fixture(scope="module")
def small_trial():
    rng = np.random.default_rng(11)
    # Blocks of 4, 5 and 3 persons with unequal shares treated; clusters of 1-3 persons.
    blocks = np.repeat([0, 1, 2], [4, 5, 3])
    treated = np.array([1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 0])
    y = rng.normal(size=12).round(2) + 0.8 * treated
    return pd.DataFrame({"y": y, "t": treated, "b": blocks})


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_blocked_design_with_unequal_shares_enumerates_like_brute_force(small_trial, alternative):
    want, count, observed = brute_force_p(
        small_trial, "y", "t", blocks="b", alternative=alternative
    )
    got = randomization_test(small_trial, "y", "t", blocks="b", alternative=alternative)
    assert got.exact and got.n_draws == count == 6 * 10 * 3
    assert got.statistic == pytest.approx(observed, rel=1e-12)
    assert got.p_value == pytest.approx(want, rel=1e-12)


def cluster_trial(blocked: bool) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    sizes = [1, 3, 2, 2, 1, 3, 2, 1]
    cluster = np.repeat(np.arange(8), sizes)
    arm = np.array([1, 0, 1, 0, 0, 1, 1, 0])[cluster]
    block = np.array([0, 0, 0, 0, 1, 1, 1, 1])[cluster]
    y = rng.normal(size=len(cluster)).round(2) + 0.5 * arm
    data = pd.DataFrame({"y": y, "t": arm, "cluster": cluster * 10, "block": block})
    return data if blocked else data.drop(columns="block")


@pytest.mark.parametrize("blocked", [False, True])
def test_cluster_designs_enumerate_like_brute_force(blocked):
    data = cluster_trial(blocked)
    blocks = "block" if blocked else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvalkitWarning)
        want, count, observed = brute_force_p(data, "y", "t", blocks, "cluster")
    got = randomization_test(data, "y", "t", blocks=blocks, clusters="cluster")
    assert got.exact and got.n_draws == count == (36 if blocked else 70)
    assert got.design == ("blocked and clustered" if blocked else "clustered")
    assert got.statistic == pytest.approx(observed, rel=1e-12)
    assert got.p_value == pytest.approx(want, rel=1e-12)


# --------------------------------------------------------------------------- statistics
@pytest.fixture(scope="module")
def trial():
    rng = np.random.default_rng(3)
    n = 60
    t = (rng.permutation(n) < 31).astype(int)
    x = rng.normal(size=n)
    y = 1 + 0.4 * t + 0.8 * x + rng.normal(size=n)
    weeks = rng.integers(1, 30, n)
    return pd.DataFrame(
        {
            "y": y,
            "t": t,
            "x": x,
            "z": rng.normal(size=n),
            "block": rng.integers(0, 3, n),
            "weeks": weeks,
            "exit": (rng.random(n) < 0.7).astype(int),
        }
    )


def test_observed_statistics_equal_evalkit_and_scipy(trial):
    t, y = trial["t"] == 1, trial["y"]

    def observed(**kw):
        return randomization_test(trial, "y", "t", n_draws=10, seed=1, **kw).statistic

    dim = evalkit.difference_in_means(trial, "y", "t")
    assert observed() == pytest.approx(dim.estimate, rel=1e-12)
    assert observed(statistic="studentized") == pytest.approx(dim.statistic, rel=1e-10)
    lin = evalkit.lin_estimator(trial, "y", "t", ["x", "z"])
    assert observed(statistic="lin", covariates=["x", "z"]) == pytest.approx(lin.estimate, 1e-10)
    ranks = stats.rankdata(y)
    assert observed(statistic="rank") == pytest.approx(ranks[t].mean() - ranks[~t].mean())
    assert observed(statistic="ks") == pytest.approx(stats.ks_2samp(y[t], y[~t]).statistic)
    blocked = evalkit.difference_in_means(trial, "y", "t", blocks="block")
    assert observed(blocks="block") == pytest.approx(blocked.estimate, rel=1e-12)
    assert observed(blocks="block", statistic="studentized") == pytest.approx(
        blocked.statistic, rel=1e-10
    )


def test_logrank_statistic_is_observed_minus_expected(trial):
    from evalkit.survival import logrank_test

    result = randomization_test(
        trial, "weeks", "t", statistic="logrank", event="exit", n_draws=200, seed=2
    )
    lr = logrank_test(trial, "weeks", "exit", "t")
    assert result.statistic == pytest.approx(lr.observed[1] - lr.expected[1], rel=1e-10)
    stratified = randomization_test(
        trial, "weeks", "t", blocks="block", statistic="logrank", event="exit", n_draws=20, seed=2
    )
    lr = logrank_test(trial, "weeks", "exit", "t", strata="block")
    assert stratified.statistic == pytest.approx(lr.observed[1] - lr.expected[1], rel=1e-10)


def test_user_statistic_vectorised_or_not_sees_the_same_draws(trial):
    def gap(y, t):
        return (t @ y) / t.sum(axis=1) - ((~t) @ y) / (~t).sum(axis=1)

    def gap_one(y, t):
        return y[t].mean() - y[~t].mean()

    a = randomization_test(trial, "y", "t", statistic=gap, n_draws=300, seed=9)
    b = randomization_test(
        trial, "y", "t", statistic=gap_one, vectorized=False, n_draws=300, seed=9
    )
    c = randomization_test(trial, "y", "t", n_draws=300, seed=9)
    np.testing.assert_allclose(a.null_draws, b.null_draws, rtol=1e-12)
    np.testing.assert_allclose(a.null_draws, c.null_draws, rtol=1e-10, atol=1e-12)
    assert a.p_value == b.p_value == c.p_value
    assert a.statistic_name == "gap"


def test_user_statistic_of_the_wrong_shape_is_an_error(trial):
    with pytest.raises(ArgumentError, match="one number per assignment"):
        randomization_test(trial, "y", "t", statistic=lambda y, t: t.sum(), n_draws=10, seed=1)


# --------------------------------------------------------------------------- the draws
def assignment_codes(design_frame, n_draws, seed, **kw):
    """Every draw's treated set encoded as an integer (by a user statistic)."""

    def code(y, t):
        return t @ (2.0 ** np.arange(t.shape[1]))

    return randomization_test(
        design_frame, "y", "t", statistic=code, n_draws=n_draws, seed=seed, exact=False, **kw
    ).null_draws


def test_complete_draws_are_uniform_over_assignments_with_the_observed_arm_sizes():
    data = pd.DataFrame({"y": np.arange(7.0), "t": [1, 1, 1, 0, 0, 0, 0]})
    codes = assignment_codes(data, 35_000, seed=4)
    counts = pd.Series(codes).value_counts()
    assert len(counts) == math.comb(7, 3)
    assert all(bin(int(c)).count("1") == 3 for c in counts.index)
    p = stats.chisquare(counts.to_numpy()).pvalue
    assert p > 0.001


@pytest.mark.parametrize(("n_draws", "calls"), [(24_000, 1), (400, 60)])
def test_blocked_and_cluster_draws_keep_the_design(n_draws, calls):
    # 24,000 draws in one call: the vectorised selection sampling; 400 draws per call:
    # batches under 512 draws permute each draw instead. Both must be uniform.
    data = pd.DataFrame(
        {
            "y": np.arange(8.0),
            "t": [1, 0, 0, 1, 1, 1, 0, 0],
            "b": [0, 0, 0, 0, 1, 1, 1, 1],
            "c": [0, 1, 2, 3, 4, 4, 5, 5],
        }
    )
    codes = np.concatenate(
        [
            assignment_codes(data, n_draws, seed=5 + k, blocks="b", clusters="c")
            for k in range(calls)
        ]
    )
    counts = pd.Series(codes).value_counts()
    # Block 0: 2 of 4 persons (6 ways); block 1: clusters {4, 4} and {5, 5}, 1 of 2 treated.
    assert len(counts) == 6 * 2
    for code in counts.index:
        bits = [(int(code) >> i) & 1 for i in range(8)]
        assert sum(bits[:4]) == 2 and bits[4] == bits[5] and bits[6] == bits[7]
        assert bits[4] + bits[6] == 1
    assert stats.chisquare(counts.to_numpy()).pvalue > 0.001


def test_monte_carlo_p_value_is_close_to_exact_and_reproducible():
    sleep = frame("sleep")
    exact = randomization_test(sleep, "extra", "drug2", exact=True).p_value
    mc = randomization_test(sleep, "extra", "drug2", exact=False, n_draws=40_000, seed=8)
    assert not mc.exact and mc.n_draws == 40_000 and mc.seed == 8
    assert abs(mc.p_value - exact) < 4 * mc.mc_std_error
    assert mc.mc_std_error == pytest.approx(math.sqrt(mc.p_value * (1 - mc.p_value) / 40_000))
    # p = b / n_draws (observed assignment not added), as coin's approximate().
    b = mc.p_value * mc.n_draws
    assert b == pytest.approx(round(b))
    assert mc.p_value_conservative == pytest.approx((b + 1) / (mc.n_draws + 1))
    again = randomization_test(sleep, "extra", "drug2", exact=False, n_draws=40_000, seed=8)
    np.testing.assert_array_equal(mc.null_draws, again.null_draws)


def test_seed_none_draws_and_records_a_seed():
    sleep = frame("sleep")
    first = randomization_test(sleep, "extra", "drug2", exact=False, n_draws=500)
    assert isinstance(first.seed, int)
    again = randomization_test(sleep, "extra", "drug2", exact=False, n_draws=500, seed=first.seed)
    np.testing.assert_array_equal(first.null_draws, again.null_draws)


def test_auto_enumerates_only_when_the_design_has_at_most_n_draws_assignments():
    sleep = frame("sleep")
    paired = randomization_test(sleep, "extra", "drug2", blocks="ID", n_draws=1024, seed=1)
    assert paired.exact and paired.n_draws == 1024
    sampled = randomization_test(sleep, "extra", "drug2", blocks="ID", n_draws=1023, seed=1)
    assert not sampled.exact and sampled.n_assignments == 1024


def test_ties_count_as_at_least_as_extreme():
    data = pd.DataFrame({"y": [1.0] * 6, "t": [1, 1, 1, 0, 0, 0]})
    assert randomization_test(data, "y", "t").p_value == 1.0
    # 0.1 + 0.2 style rounding must not break ties between equal sums.
    data = pd.DataFrame({"y": [0.1, 0.2, 0.3, 0.1, 0.2, 0.3], "t": [1, 1, 0, 0, 0, 1]})
    result = randomization_test(data, "y", "t")
    values = result.null_draws
    assert result.p_value == pytest.approx(np.mean(np.abs(values) >= abs(result.statistic) - 1e-12))


def test_one_sided_p_values_add_to_at_least_one():
    sleep = frame("sleep")
    greater = randomization_test(sleep, "extra", "drug2", blocks="ID", alternative="greater")
    less = randomization_test(sleep, "extra", "drug2", blocks="ID", alternative="less")
    tie = np.mean(np.isclose(greater.null_draws, greater.statistic))
    assert greater.p_value + less.p_value == pytest.approx(1 + tie)


def test_the_data_are_not_modified(trial):
    before = trial.copy()
    randomization_test(trial, "y", "t", blocks="block", n_draws=50, seed=1)
    randomization_ci(trial, "y", "t", n_draws=200, seed=1)
    pd.testing.assert_frame_equal(trial, before)


def test_large_trial_runs_fast_and_agrees_with_the_t_test():
    rng = np.random.default_rng(21)
    n1, n0 = 178, 172
    data = pd.DataFrame({"y": rng.exponential(size=n1 + n0), "t": np.repeat([1, 0], [n1, n0])})
    data.loc[data["t"] == 1, "y"] += 0.2
    result = randomization_test(data, "y", "t", n_draws=50_000, seed=3)
    welch = evalkit.difference_in_means(data, "y", "t")
    assert abs(result.p_value - welch.p_value) < 0.01
    assert result.design_detail == "complete randomization: 178 of 350 units treated"


# --------------------------------------------------------------------------- intervals
def test_exact_interval_ends_are_where_the_test_switches():
    data = pd.DataFrame({"y": [3, 5, 4, 6, 2, 3, 1, 2, 4, 3], "t": [1] * 5 + [0] * 5})
    ci = randomization_ci(data, "y", "t", level=0.9)
    low, high = ci.conf_int
    assert ci.exact and ci.estimate == pytest.approx(1.4)

    def p(tau):
        shifted = data.assign(y=data["y"] - tau * data["t"])
        return randomization_test(shifted, "y", "t").p_value

    eps = 1e-4
    assert p(low + eps) > 0.1 >= p(low - eps)
    assert p(high - eps) > 0.1 >= p(high + eps)
    assert ci.p_value == pytest.approx(p(0.0))


def test_interval_for_a_large_trial_is_close_to_neyman_and_statistics_agree(trial):
    ci = randomization_ci(trial, "y", "t", n_draws=4000, seed=2)
    dim = evalkit.difference_in_means(trial, "y", "t")
    assert ci.estimate == pytest.approx(dim.estimate)
    width, neyman = np.diff(ci.conf_int)[0], np.diff(dim.conf_int)[0]
    assert 0.85 < width / neyman < 1.15
    lin = randomization_ci(trial, "y", "t", statistic="lin", covariates="x", n_draws=2000, seed=2)
    assert lin.estimate == pytest.approx(evalkit.lin_estimator(trial, "y", "t", "x").estimate)
    assert np.diff(lin.conf_int)[0] < width  # adjusting for a strong covariate narrows it
    rank = randomization_ci(trial, "y", "t", statistic="rank", n_draws=500, seed=2)
    assert rank.conf_int[0] < dim.estimate < rank.conf_int[1]
    student = randomization_ci(trial, "y", "t", statistic="studentized", n_draws=500, seed=2)
    assert student.conf_int[0] < dim.estimate < student.conf_int[1]


def test_interval_is_unbounded_when_the_design_cannot_reject():
    data = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "t": [1, 1, 0, 0]})
    ci = randomization_ci(data, "y", "t")  # 6 assignments: the smallest p is 1/3
    assert ci.conf_int == (-math.inf, math.inf)


# --------------------------------------------------------------------------- output
def test_result_prints_tidies_and_renders(trial):
    result = randomization_test(trial, "y", "t", n_draws=200, seed=1)
    text = result.summary()
    assert "Monte Carlo, 200 draws, seed 1" in text and "p = " in text
    assert str(result) == text
    row = result.to_frame().iloc[0]
    assert row["p_value"] == result.p_value and row["n_draws"] == 200 and not row["exact"]
    assert result._repr_html_().startswith("<div>")
    ci = randomization_ci(trial, "y", "t", n_draws=200, seed=1)
    assert "95% CI" in ci.summary() and ci.to_frame()["conf_low"].iloc[0] == ci.conf_int[0]
    assert "<div>" in ci._repr_html_()


def test_progress_line_goes_to_stderr(trial, capsys):
    randomization_test(trial, "y", "t", n_draws=100, seed=1, progress=True)
    assert "100 of 100 assignments" in capsys.readouterr().err


# --------------------------------------------------------------------------- bad input
def test_a_block_with_a_single_unit_is_an_error():
    data = pd.DataFrame(
        {"y": [1.0, 2, 3, 4, 5], "t": [1, 0, 1, 0, 1], "b": ["a", "a", "b", "b", "c"]}
    )
    with pytest.raises(DesignError, match=r"1 blocks of 'b' have a single unit \('c'\)"):
        randomization_test(data, "y", "t", blocks="b")


def test_a_block_with_one_arm_only_is_an_error():
    data = pd.DataFrame(
        {"y": [1.0, 2, 3, 4, 5, 6], "t": [1, 0, 1, 0, 1, 1], "b": [1, 1, 2, 2, 3, 3]}
    )
    with pytest.raises(DesignError, match=r"have all their units in one arm \(3\)"):
        randomization_test(data, "y", "t", blocks="b")


def test_clusters_split_across_arms_are_an_error():
    data = pd.DataFrame({"y": [1.0, 2, 3, 4], "t": [1, 0, 1, 0], "c": [1, 1, 2, 2]})
    with pytest.raises(DesignError, match="2 clusters of 'c' have both treated and control"):
        randomization_test(data, "y", "t", clusters="c")


def test_clusters_spanning_blocks_are_an_error():
    data = pd.DataFrame(
        {"y": [1.0, 2, 3, 4], "t": [1, 1, 0, 0], "c": [1, 1, 2, 2], "b": [1, 2, 1, 2]}
    )
    with pytest.raises(DesignError, match="span several blocks"):
        randomization_test(data, "y", "t", clusters="c", blocks="b")


@pytest.mark.parametrize("n_draws", [0, -5, 2.5, True, "100"])
def test_n_draws_must_be_a_whole_number_of_at_least_one(n_draws, trial):
    with pytest.raises(ArgumentError, match="n_draws must be"):
        randomization_test(trial, "y", "t", n_draws=n_draws)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"statistic": "median"}, "statistic must be one of"),
        ({"alternative": "two.sided"}, "alternative must be one of"),
        ({"statistic": "ks", "alternative": "greater"}, "only alternative='two-sided'"),
        ({"statistic": "logrank"}, "needs event="),
        ({"statistic": "lin"}, "needs covariates="),
        ({"covariates": "x"}, "only used with statistic='lin'"),
        ({"exact": "yes"}, "exact must be"),
        ({"seed": -1}, "seed must be"),
        ({"clusters": "block", "statistic": "studentized"}, "studentized"),
    ],
)
def test_bad_arguments_are_named(kwargs, match, trial):
    data = trial.assign(t=trial["block"].isin([0]).astype(int)) if "clusters" in kwargs else trial
    with pytest.raises(ArgumentError, match=match):
        randomization_test(data, "y", "t", n_draws=10, **kwargs)


def test_too_many_assignments_to_enumerate(trial):
    with pytest.raises(ArgumentError, match="too many to enumerate"):
        randomization_test(trial, "y", "t", exact=True)


def test_interval_refuses_statistics_without_a_shift_model(trial):
    with pytest.raises(ArgumentError, match="no constant additive effect"):
        randomization_ci(trial, "weeks", "t", statistic="logrank")
    with pytest.raises(ArgumentError, match="level must be"):
        randomization_ci(trial, "y", "t", level=95)


def test_design_keeps_block_labels_for_messages():
    design = make_design(
        np.array([True, False, True, False]),
        np.array([0, 0, 1, 1]),
        None,
        "centre",
        None,
        pd.Series(["north", "north", "south", "south"]),
    )
    assert list(design.block_labels) == ["north", "south"]
    assert design.n_assignments == 4 and design.kind == "blocked"
