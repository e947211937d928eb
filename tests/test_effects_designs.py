"""Design-specific behaviour of the effect estimators: independent cross-checks,
published examples, and the errors and warnings of fragile or impossible designs."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import evalkit
from evalkit.errors import ArgumentError, DesignError, FragileDesignWarning, OutcomeError


def synthetic(n=60, seed=3, clusters=30):
    """Synthetic (not real) cluster-randomized trial: half the clusters treated."""
    rng = np.random.default_rng(seed)
    cluster = np.arange(n) % clusters
    t = (cluster % 2 == 0).astype(int)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {"t": t, "cluster": cluster, "x": x, "y": 2 + t + x + rng.normal(size=n) + cluster / 10}
    )


class TestDifferenceInMeans:
    def test_complete_is_welch_t_test(self):
        data = synthetic()
        result = evalkit.difference_in_means(data, "y", "t")
        welch = stats.ttest_ind(data.y[data.t == 1], data.y[data.t == 0], equal_var=False)
        assert result.statistic == pytest.approx(welch.statistic, rel=1e-12)
        assert result.df == pytest.approx(welch.df, rel=1e-12)
        assert result.p_value == pytest.approx(welch.pvalue, rel=1e-10)
        assert result.design == "complete"

    def test_matched_pairs_is_paired_t_test(self):
        rng = np.random.default_rng(5)
        pairs = np.repeat(np.arange(12), 2)
        t = np.tile([1, 0], 12)
        y = rng.normal(size=24) + pairs / 3 + 0.4 * t
        data = pd.DataFrame({"y": y, "t": t, "pair": pairs})
        result = evalkit.difference_in_means(data, "y", "t", blocks="pair")
        paired = stats.ttest_rel(y[t == 1], y[t == 0])
        assert result.statistic == pytest.approx(paired.statistic, rel=1e-12)
        assert result.df == 11
        assert result.design == "matched pairs"

    def test_block_without_both_arms(self):
        data = pd.DataFrame(
            {"y": [1.0, 2, 3, 4, 5, 6], "t": [1, 0, 1, 0, 1, 1], "b": [1, 1, 1, 1, 2, 2]}
        )
        with pytest.raises(DesignError, match=r"1 of 2 blocks in 'b' lack"):
            evalkit.difference_in_means(data, "y", "t", blocks="b")

    def test_block_with_one_unit_in_an_arm_warns_and_uses_pair_variance(self):
        y = np.array([1.0, 2.5, 3, 4.2, 5, 6.1, 7, 8.4, 2, 3.3, 4])
        t = np.array([1, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0])
        b = np.array([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3])
        data = pd.DataFrame({"y": y, "t": t, "b": b})
        with pytest.warns(FragileDesignWarning, match="1 of 3 blocks in 'b' have a single unit"):
            result = evalkit.difference_in_means(data, "y", "t", blocks="b")
        diffs = np.array(
            [y[(b == k) & (t == 1)].mean() - y[(b == k) & (t == 0)].mean() for k in (1, 2, 3)]
        )
        weights = np.array([4, 4, 3]) / 11
        assert result.estimate == pytest.approx(np.sum(weights * diffs))
        expected_se = np.sqrt(np.sum((diffs - result.estimate) ** 2) / (3 * 2))
        assert result.std_error == pytest.approx(expected_se)
        assert result.df == 2

    def test_clusters_split_across_arms(self):
        data = synthetic().assign(cluster=lambda d: d.index % 7)
        with pytest.raises(DesignError, match="clusters in 'cluster' contain both"):
            evalkit.difference_in_means(data, "y", "t", clusters="cluster")

    def test_few_clusters_warn(self):
        data = synthetic(n=40, clusters=10)
        with pytest.warns(FragileDesignWarning, match="only 10 clusters"):
            result = evalkit.difference_in_means(data, "y", "t", clusters="cluster")
        assert result.n_clusters == 10 and result.design == "clustered"

    def test_clustered_with_singleton_clusters_is_neyman(self):
        # CR2 with one unit per cluster is HC2, i.e. the Neyman variance.
        data = synthetic().assign(unit=lambda d: d.index)
        clustered = evalkit.difference_in_means(data, "y", "t", clusters="unit")
        neyman = evalkit.difference_in_means(data, "y", "t")
        assert clustered.std_error == pytest.approx(neyman.std_error, rel=1e-10)

    def test_no_variance_in_one_arm_warns(self):
        data = pd.DataFrame({"y": [1.0, 1, 1, 2, 3, 5], "t": [1, 1, 1, 0, 0, 0]})
        with pytest.warns(FragileDesignWarning, match="does not vary in the treated arm"):
            evalkit.difference_in_means(data, "y", "t")

    def test_no_variance_at_all_is_an_error(self):
        data = pd.DataFrame({"y": [1.0, 1, 1, 2, 2, 2], "t": [1, 1, 1, 0, 0, 0]})
        with pytest.raises(DesignError, match="standard error .* is zero"):
            evalkit.difference_in_means(data, "y", "t")

    def test_one_unit_in_an_arm(self):
        data = pd.DataFrame({"y": [1.0, 2, 3, 4], "t": [1, 0, 0, 0]})
        with pytest.raises(DesignError, match="at least two units in each arm"):
            evalkit.difference_in_means(data, "y", "t")

    def test_blocks_argument_must_be_a_name(self):
        with pytest.raises(ArgumentError, match="blocks"):
            evalkit.difference_in_means(synthetic(), "y", "t", blocks=["a", "b"])


class TestRegression:
    def test_lin_needs_covariates(self):
        with pytest.raises(ArgumentError, match="at least one covariate"):
            evalkit.lin_estimator(synthetic(), "y", "t", [])

    def test_collinear_covariates_are_named(self):
        data = synthetic().assign(x2=lambda d: 2 * d.x)
        with pytest.raises(DesignError, match="'x2'.*linear combination"):
            evalkit.ancova(data, "y", "t", ["x", "x2"])

    def test_constant_covariate(self):
        data = synthetic().assign(c=1.0)
        with pytest.raises(DesignError, match="'c_c'"):
            evalkit.lin_estimator(data, "y", "t", ["x", "c"])

    def test_se_type_must_fit_the_design(self):
        data = synthetic()
        with pytest.raises(ArgumentError, match="with clusters"):
            evalkit.lin_estimator(data, "y", "t", "x", clusters="cluster", se_type="HC2")
        with pytest.raises(ArgumentError, match="without clusters"):
            evalkit.ancova(data, "y", "t", "x", se_type="CR2")
        with pytest.raises(ArgumentError, match="HC9"):
            evalkit.ancova(data, "y", "t", "x", se_type="HC9")

    def test_too_few_observations(self):
        data = synthetic().head(6).assign(t=[1, 1, 1, 0, 0, 0])
        data = data.assign(**{f"z{i}": np.arange(6.0) ** (i + 2) for i in range(4)})
        with pytest.raises(DesignError, match="6 observations cannot identify"):
            evalkit.ancova(data, "y", "t", ["x", "z0", "z1", "z2", "z3"])

    def test_single_fixed_effect_group(self):
        data = synthetic().assign(site=1)
        with pytest.raises(DesignError, match="single group"):
            evalkit.ancova(data, "y", "t", "x", fixed_effects="site")

    def test_hc_variants_order(self):
        # HC0 <= HC2 <= HC3 for the same fit (leverages in [0, 1)).
        data = synthetic()
        se = {
            s: evalkit.ancova(data, "y", "t", "x", se_type=s).std_error
            for s in ("HC0", "HC1", "HC2", "HC3")
        }
        assert se["HC0"] < se["HC2"] < se["HC3"] and se["HC0"] < se["HC1"]

    def test_lin_without_imbalance_equals_difference_in_means(self):
        # A covariate balanced exactly within arms leaves the estimate unchanged.
        data = pd.DataFrame(
            {
                "y": [3.0, 5, 4, 6, 2, 3, 5, 1],
                "t": [1, 1, 1, 1, 0, 0, 0, 0],
                "x": [1, 2, 3, 4, 1, 2, 3, 4],
            }
        )
        lin = evalkit.lin_estimator(data, "y", "t", "x")
        assert lin.estimate == pytest.approx(evalkit.difference_in_means(data, "y", "t").estimate)

    def test_categorical_covariate_is_dummy_coded(self):
        data = synthetic().assign(site=lambda d: np.array(["north", "south", "west"])[d.index % 3])
        result = evalkit.ancova(data, "y", "t", ["x", "site"])
        assert {"site[south]", "site[west]"} <= set(result.terms["term"])


class TestBinary:
    def counts_frame(self, a, n1, c, n0):
        return pd.DataFrame(
            {"t": [1] * n1 + [0] * n0, "job": [1] * a + [0] * (n1 - a) + [1] * c + [0] * (n0 - c)}
        )

    @pytest.mark.parametrize(
        ("a", "n1", "c", "n0", "low", "high"),
        [(56, 70, 48, 80, 0.0524, 0.3339), (9, 10, 3, 10, 0.1705, 0.8090)],
    )
    def test_newcombe_published_examples(self, a, n1, c, n0, low, high):
        # Newcombe (1998), Stat. Med. 17:873-890, Table II, method 10.
        result = evalkit.risk_difference(self.counts_frame(a, n1, c, n0), "job", "t")
        assert result.conf_int == pytest.approx((low, high), abs=5e-5)

    def test_wilson_published_example(self):
        # Newcombe (1998), Stat. Med. 17:857-872, Table I: 81/263, method 3.
        assert evalkit.wilson_interval(81, 263).conf_int == pytest.approx(
            (0.2553, 0.3662), abs=5e-5
        )

    def test_outcome_must_be_binary(self):
        data = self.counts_frame(3, 10, 2, 10).assign(job=lambda d: d.job * 2)
        with pytest.raises(OutcomeError, match="'job' must be 0/1"):
            evalkit.risk_difference(data, "job", "t")

    def test_risk_ratio_needs_events(self):
        with pytest.raises(DesignError, match="event in each arm"):
            evalkit.risk_ratio(self.counts_frame(3, 10, 0, 10), "job", "t")

    def test_woolf_needs_four_cells_conditional_does_not(self):
        data = self.counts_frame(10, 10, 4, 10)
        with pytest.raises(DesignError, match="method='conditional'"):
            evalkit.odds_ratio(data, "job", "t")
        exact = evalkit.odds_ratio(data, "job", "t", method="conditional")
        assert exact.estimate == np.inf and exact.std_error is None

    def test_constant_outcome(self):
        data = self.counts_frame(10, 10, 10, 10)
        for estimator in (evalkit.risk_difference, evalkit.fisher_exact):
            with pytest.raises(DesignError, match="one value in both arms"):
                estimator(data, "job", "t")

    def test_wald_zero_standard_error(self):
        with pytest.raises(DesignError, match="method='newcombe'"):
            evalkit.risk_difference(self.counts_frame(10, 10, 0, 10), "job", "t", method="wald")

    def test_unknown_method(self):
        with pytest.raises(ArgumentError, match="'newcombe', 'wald'"):
            evalkit.risk_difference(self.counts_frame(3, 10, 2, 10), "job", "t", method="exact")

    def test_boolean_outcome(self):
        data = self.counts_frame(6, 10, 2, 10)
        as_bool = evalkit.risk_difference(data.assign(job=data.job == 1), "job", "t")
        assert as_bool.estimate == pytest.approx(0.4)


def test_no_warning_on_an_ordinary_trial():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        evalkit.difference_in_means(synthetic(), "y", "t")


class TestWeights:
    @pytest.mark.parametrize(
        "estimator",
        [
            lambda d, **k: evalkit.difference_in_means(d, "y", "t", **k),
            lambda d, **k: evalkit.lin_estimator(d, "y", "t", "x", **k),
            lambda d, **k: evalkit.ancova(d, "y", "t", "x", **k),
        ],
        ids=["difference_in_means", "lin_estimator", "ancova"],
    )
    def test_weights_validated(self, estimator):
        data = synthetic().assign(w=1.0)
        data.loc[3, "w"] = 0.0
        with pytest.raises(ArgumentError, match="weights column 'w' must be positive; 1 rows"):
            estimator(data, weights="w")
        with pytest.raises(OutcomeError, match="weights column 'w' must be numeric"):
            estimator(data.assign(w="heavy"), weights="w")
        with pytest.raises(ArgumentError, match="weights must be a column name"):
            estimator(data, weights=[1.0] * len(data))

    def test_equal_weights_change_nothing_but_df(self):
        data = synthetic().assign(w=2.5)
        weighted = evalkit.difference_in_means(data, "y", "t", weights="w")
        plain = evalkit.difference_in_means(data, "y", "t")
        assert weighted.estimate == pytest.approx(plain.estimate)
        assert weighted.std_error == pytest.approx(plain.std_error)
        assert weighted.df == len(data) - 2  # estimatr: weighted HC2 uses N - 2, not Welch

    def test_integer_weights_equal_replicated_rows(self):
        data = synthetic(n=40, clusters=40).assign(w=lambda d: 1 + d.index % 3)
        weighted = evalkit.ancova(data, "y", "t", "x", weights="w", se_type="HC0")
        replicated = data.loc[data.index.repeat(data.w)]
        assert weighted.estimate == pytest.approx(
            evalkit.ancova(replicated, "y", "t", "x", se_type="HC0").estimate
        )

    def test_weights_and_matched_pairs(self):
        data = pd.DataFrame(
            {
                "y": [1.0, 2, 3, 5, 4, 4.5],
                "t": [1, 0, 1, 0, 1, 0],
                "pair": [1, 1, 2, 2, 3, 3],
                "w": [1.0, 2, 1, 2, 1, 2],
            }
        )
        with pytest.raises(DesignError, match="weights cannot be combined with a matched-pair"):
            evalkit.difference_in_means(data, "y", "t", blocks="pair", weights="w")


def test_clusters_must_nest_in_blocks():
    data = synthetic().assign(block=lambda d: d.index // 30)
    with pytest.raises(DesignError, match="clusters must be nested within blocks"):
        evalkit.difference_in_means(data, "y", "t", blocks="block", clusters="cluster")
