"""Kaplan-Meier, log-rank, RMST and discrete-time hazards: conventions, edge cases, bad input."""

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import ArgumentError, DesignError, OutcomeError
from evalkit.survival import (
    discrete_time_hazard,
    kaplan_meier,
    logrank_test,
    rmst_difference,
)


def spells(n=200, seed=2):
    """Synthetic weekly spells (not real data): arm 1 leaves benefit faster."""
    rng = np.random.default_rng(seed)
    arm = np.repeat([1, 0], n // 2)
    weeks = np.ceil(rng.exponential(np.where(arm == 1, 20, 30))).astype(int)
    follow = rng.integers(10, 60, n)
    return pd.DataFrame(
        {
            "weeks": np.minimum(weeks, follow),
            "exit": (weeks <= follow).astype(int),
            "arm": np.where(arm == 1, "JobFirst", "usual"),
            "treated": arm,
            "age": rng.integers(30, 60, n),
        }
    )


class TestKaplanMeier:
    def test_matches_the_product_over_persons(self):
        data = spells()
        table = kaplan_meier(data, "weeks", "exit").table
        s = 1.0
        for t in table["time"]:
            at_risk = (data.weeks >= t).sum()
            s *= 1 - ((data.weeks == t) & (data.exit == 1)).sum() / at_risk
        assert table["survival"].iloc[-1] == pytest.approx(s)

    def test_group_column_keeps_its_values(self):
        curve = kaplan_meier(spells(), "weeks", "exit", group="arm")
        assert set(curve.table["group"]) == {"JobFirst", "usual"}
        assert list(curve.median()["group"]) == ["JobFirst", "usual"]

    def test_interval_is_one_one_where_survival_is_one(self):
        data = pd.DataFrame({"t": [1, 2, 3, 4], "e": [0, 1, 1, 0]})
        table = kaplan_meier(data, "t", "e").table
        assert table.loc[0, ["survival", "ci_low", "ci_high"]].tolist() == [1.0, 1.0, 1.0]

    def test_survival_at_is_a_step_function(self):
        data = pd.DataFrame({"t": [2, 4, 6], "e": [1, 1, 1]})
        at = kaplan_meier(data, "t", "e").survival_at([0, 2, 3, 4, 10])
        assert at["survival"].round(6).tolist() == [1.0, 0.666667, 0.666667, 0.333333, 0.0]

    def test_input_not_mutated(self):
        data = spells()
        before = data.copy()
        kaplan_meier(data, "weeks", "exit", group="arm").median()
        pd.testing.assert_frame_equal(data, before)

    def test_bad_inputs(self):
        data = spells()
        with pytest.raises(OutcomeError, match="'weeks' must be >= 0"):
            kaplan_meier(data.assign(weeks=-data.weeks), "weeks", "exit")
        with pytest.raises(OutcomeError, match="'exit' must be 0 \\(censored\\) / 1"):
            kaplan_meier(data.assign(exit=2), "weeks", "exit")
        with pytest.raises(DesignError, match="no events in 'exit'"):
            kaplan_meier(data.assign(exit=0), "weeks", "exit")
        with pytest.raises(ArgumentError, match="conf_type"):
            kaplan_meier(data, "weeks", "exit", conf_type="arcsine")
        with pytest.raises(OutcomeError, match="entry column 'start'"):
            kaplan_meier(data.assign(start=data.weeks), "weeks", "exit", entry="start")

    def test_median_not_reached_is_nan_not_an_error(self):
        data = pd.DataFrame({"t": [1, 2, 3, 4, 5], "e": [1, 0, 0, 0, 0]})
        assert np.isnan(kaplan_meier(data, "t", "e").median()["median"].item())


class TestLogRank:
    def test_single_group(self):
        with pytest.raises(DesignError, match="single group"):
            logrank_test(spells().assign(arm="x"), "weeks", "exit", "arm")

    def test_negative_rho(self):
        with pytest.raises(ArgumentError, match="rho must be a number >= 0"):
            logrank_test(spells(), "weeks", "exit", "arm", rho=-1)

    def test_observed_sum_to_events(self):
        data = spells()
        result = logrank_test(data, "weeks", "exit", "arm")
        assert result.observed.sum() == data.exit.sum()
        assert result.expected.sum() == pytest.approx(data.exit.sum())
        assert "Log-rank test by arm" in result.summary()

    def test_frame_rows_are_groups_with_their_score(self):
        """The test has no effect measure; each group's row is its O - E, the standard
        error sqrt(V_gg) and the one-df test of the group against the others."""
        result = logrank_test(spells(), "weeks", "exit", treatment="treated")
        assert result.estimate is None and result.std_error is None
        assert result.conf_int is None and np.isnan(result.conf_low)
        frame = result.to_frame()
        assert frame.columns.tolist()[:7] == [
            "term",
            "estimate",
            "std_error",
            "statistic",
            "p_value",
            "conf_low",
            "conf_high",
        ]
        assert frame.columns.tolist()[7:] == [
            "group",
            "n",
            "observed",
            "expected",
            "(O-E)^2/E",
            "(O-E)^2/V",
        ]
        assert frame["term"].tolist() == ["treated=0", "treated=1"]
        np.testing.assert_allclose(frame["estimate"], result.observed - result.expected)
        np.testing.assert_allclose(frame["statistic"] ** 2, frame["(O-E)^2/V"])
        # two groups: every row's test is the log-rank test itself
        np.testing.assert_allclose(frame["statistic"] ** 2, result.statistic)
        np.testing.assert_allclose(frame["p_value"], result.p_value)
        assert frame["conf_low"].isna().all()
        three = logrank_test(spells().assign(g=np.arange(200) % 3), "weeks", "exit", "g")
        assert len(three.to_frame()) == 3 and three.df == 2


class TestRMST:
    def test_tau_beyond_follow_up(self):
        with pytest.raises(DesignError, match="exceeds the follow-up"):
            rmst_difference(spells(), "weeks", "exit", "treated", tau=1000)

    def test_tau_positive(self):
        with pytest.raises(ArgumentError, match="tau must be a positive number"):
            rmst_difference(spells(), "weeks", "exit", "treated", tau=0)

    def test_treatment_must_be_binary(self):
        from evalkit.errors import TreatmentError

        with pytest.raises(TreatmentError, match="'arm'"):
            rmst_difference(spells(), "weeks", "exit", "arm", tau=10)

    def test_sign_is_treated_minus_control(self):
        result = rmst_difference(spells(n=2000), "weeks", "exit", "treated", tau=30)
        assert result.estimate < 0  # treated leave benefit faster: fewer weeks on benefit


class TestDiscreteTime:
    def test_whole_weeks_required(self):
        with pytest.raises(OutcomeError, match="whole weeks"):
            discrete_time_hazard(spells().assign(weeks=lambda d: d.weeks + 0.5), "weeks", "exit")

    def test_zero_weeks_rejected(self):
        with pytest.raises(OutcomeError, match="must be > 0"):
            discrete_time_hazard(spells().assign(weeks=0), "weeks", "exit")

    def test_weeks_without_events_are_named(self):
        data = pd.DataFrame({"w": [1, 1, 2, 3, 3, 3], "e": [1, 0, 0, 1, 0, 1]})
        with pytest.raises(DesignError, match="weeks 2"):
            discrete_time_hazard(data, "w", "e")

    def test_cloglog_recovers_a_hazard_ratio(self):
        rng = np.random.default_rng(7)
        n = 4000
        treated = rng.integers(0, 2, n)
        hazard = 1 - np.exp(-0.05 * np.exp(np.log(1.5) * treated))
        weeks = rng.geometric(hazard)
        data = pd.DataFrame(
            {"w": np.minimum(weeks, 40), "e": (weeks <= 40).astype(int), "treated": treated}
        )
        fit = discrete_time_hazard(data, "w", "e", "treated", baseline="linear")
        row = fit.to_frame().set_index("term").loc["treated"]
        assert row["ratio_low"] < 1.5 < row["ratio_high"]

    def test_treatment_goes_in_as_the_first_covariate(self):
        data = spells()
        fit = discrete_time_hazard(data, "weeks", "exit", "age", treatment="treated",
                                   baseline="linear")  # fmt: skip
        same = discrete_time_hazard(data, "weeks", "exit", ["treated", "age"], baseline="linear")
        frame = fit.to_frame()
        assert frame["term"].tolist() == ["(Intercept)", "week", "treated", "age"]
        pd.testing.assert_frame_equal(frame, same.to_frame())
        # the surface is the arm's (the first covariate), not the baseline's
        assert fit.estimate == frame["estimate"].iloc[2]
        assert fit.conf_int == (frame["conf_low"].iloc[2], frame["conf_high"].iloc[2])
        assert fit.std_error == frame["std_error"].iloc[2]
        assert fit.p_value == frame["p_value"].iloc[2]
        with pytest.raises(ArgumentError, match="give it once"):
            discrete_time_hazard(data, "weeks", "exit", "treated", treatment="treated")
        from evalkit.errors import TreatmentError

        with pytest.raises(TreatmentError):
            discrete_time_hazard(data, "weeks", "exit", treatment="arm")
        bare = discrete_time_hazard(data, "weeks", "exit", baseline="linear")
        assert bare.estimate is None and bare.conf_int is None and bare.p_value is None


class TestContinuousTimes:
    """The sort-based path for continuous times equals the bincount path for whole numbers:
    replacing times by their (dense) ranks keeps order and ties, so every count agrees."""

    def data(self):
        rng = np.random.default_rng(9)
        n = 3000
        t = np.round(rng.exponential(10, n), 1)  # many ties, not whole numbers
        frame = pd.DataFrame({"t": t, "e": rng.integers(0, 2, n), "g": rng.integers(0, 3, n)})
        frame["rank"] = pd.factorize(np.sort(np.unique(t)))[0][np.searchsorted(np.unique(t), t)]
        return frame

    def test_kaplan_meier(self):
        d = self.data()
        float_table = kaplan_meier(d, "t", "e", group="g").table
        rank_table = kaplan_meier(d, "rank", "e", group="g").table
        for column in ["n_risk", "n_event", "n_censored", "survival", "std_error", "ci_low"]:
            np.testing.assert_allclose(float_table[column], rank_table[column], equal_nan=True)
        assert np.array_equal(np.sort(np.unique(d.t)), np.unique(float_table["time"]))

    def test_logrank(self):
        d = self.data()
        for rho in (0, 1):
            a = logrank_test(d, "t", "e", "g", rho=rho)
            b = logrank_test(d, "rank", "e", "g", rho=rho)
            assert a.statistic == pytest.approx(b.statistic, rel=1e-12)
            np.testing.assert_allclose(a.expected, b.expected, rtol=1e-12)

    def test_zero_and_negative_zero_times(self):
        d = pd.DataFrame({"t": [0.0, -0.0, 1.5, 2.5], "e": [1, 0, 1, 1]})
        table = kaplan_meier(d, "t", "e").table
        assert table["time"].tolist() == [0.0, 1.5, 2.5] and table["n_risk"].tolist() == [4, 2, 1]
