"""evalkit.benchmark: R reference values, a published funnel example, hand checks,
validation, and the packaged published and reference data.

The R values come from tests/reference/benchmark.R (run by make_benchmark_reference.sh;
base R's prop.test, binom.test, poisson.test, fisher.test); the tests need no R.
"""

import dataclasses
import doctest
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy import stats

import evalkit
from evalkit import benchmark as bm
from evalkit.benchmark import compare, did, funnel, reference, standardise, targets
from evalkit.datasets import load_published, published_value
from evalkit.errors import ArgumentError, ColumnError, DesignError, EvalkitError

REFERENCE = json.loads((Path(__file__).parent / "reference" / "benchmark.json").read_text())
REL = 1e-6


def close(got, want, what=""):
    if want is None:
        assert got == math.inf or got is None, what
        return
    assert got == pytest.approx(want, rel=REL, abs=1e-12), f"{what}: evalkit {got!r}, R {want!r}"


def case_id(case):
    keys = ("successes", "n", "reference_successes", "reference_n", "observed", "expected",
            "target", "denominator", "level", "alternative", "correct", "alpha")  # fmt: skip
    return "-".join(f"{case[k]:.4g}" if isinstance(case[k], float) else str(case[k])
                    for k in keys if k in case)  # fmt: skip


# ------------------------------------------------------------------------------ against R
@pytest.mark.parametrize("case", REFERENCE["prop_test_two"], ids=case_id)
def test_prop_test_two_sample_matches_r(case):
    args = (case["successes"], case["n"], case["reference_successes"], case["reference_n"])
    statistic, p_value, ci = bm.prop_test_two_sample(*args, correct=case["correct"],
                                                     alpha=case["alpha"])  # fmt: skip
    close(statistic, case["statistic"], "statistic")
    close(p_value, case["p_value"], "p")
    close(ci[0], case["conf_low"], "low")
    close(ci[1], case["conf_high"], "high")
    res = bm.compare_proportions(*args, alpha=case["alpha"])
    if case["correct"]:
        close(res.chi2_yates, case["statistic"])
        close(res.chi2_yates_p, case["p_value"])
        close(res.yates_conf_int[1], case["conf_high"])
    else:
        # Uncorrected prop.test = evalkit's score test (Newcombe p-value) and Wald interval.
        close(res.chi2, case["statistic"])
        close(res.difference.p_value, case["p_value"], "score p of risk_difference")
        close(res.difference_wald.conf_int[0], case["conf_low"], "Wald low")
        close(res.difference_wald.conf_int[1], case["conf_high"], "Wald high")


@pytest.mark.parametrize("case", REFERENCE["prop_test_one"], ids=case_id)
def test_prop_test_one_sample_matches_r(case):
    res = bm.target_test(case["successes"], case["n"], case["target"], case["alternative"],
                         alpha=case["alpha"], correct=case["correct"])  # fmt: skip
    close(res.score_statistic, case["statistic"], "X-squared")
    close(res.score_p_value, case["p_value"], "p")
    close(res.wilson_conf_int[0], case["conf_low"], "Wilson low")
    close(res.wilson_conf_int[1], case["conf_high"], "Wilson high")


@pytest.mark.parametrize("case", REFERENCE["binom_test"], ids=case_id)
def test_binom_test_matches_r(case):
    res = bm.target_test(case["successes"], case["n"], case["target"], case["alternative"],
                         alpha=case["alpha"])  # fmt: skip
    close(res.p_value, case["p_value"], "exact p")
    close(res.conf_int[0], case["conf_low"], "Clopper-Pearson low")
    close(res.conf_int[1], case["conf_high"], "Clopper-Pearson high")


@pytest.mark.parametrize("case", REFERENCE["poisson_test"], ids=case_id)
def test_poisson_test_matches_r(case):
    res = bm.observed_expected(case["observed"], case["expected"], alpha=case["alpha"],
                               alternative=case["alternative"])  # fmt: skip
    close(res.estimate, case["estimate"], "O/E")
    close(res.p_value, case["p_value"], "p")
    close(res.conf_int[0], case["conf_low"], "low")
    close(res.conf_int[1], case["conf_high"], "high")


@pytest.mark.parametrize("case", REFERENCE["fisher_test"], ids=case_id)
def test_fisher_matches_r(case):
    res = bm.compare_proportions(case["successes"], case["n"], case["reference_successes"],
                                 case["reference_n"])  # fmt: skip
    close(res.fisher.p_value, case["p_value"], "Fisher p")


@pytest.mark.parametrize("case", REFERENCE["funnel_exact"], ids=case_id)
def test_exact_funnel_limits_match_r(case):
    lim = bm.funnel_limits([case["denominator"]], case["target"], levels=(case["level"],))
    close(lim["lower"].iloc[0], case["lower"], "lower")
    close(lim["upper"].iloc[0], case["upper"], "upper")


def test_reference_covers_every_section():
    for section in ("prop_test_two", "prop_test_one", "binom_test", "poisson_test",
                    "fisher_test", "funnel_exact"):  # fmt: skip
        assert len(REFERENCE[section]) >= 2, section


# ----------------------------------------------------------------- a published funnel example
# Spiegelhalter's funnel-plot example (Spiegelhalter 2002, Qual Saf Health Care 11:390-391;
# 2005, Stat Med 24:1185-1202): 30-day mortality after open heart surgery in children under
# one year, the 12 English specialist centres, 1991-1995, Hospital Episode Statistics
# (Aylin et al. 2001, Lancet 358:181-187: Bristol 41 deaths recorded; data as tabulated in
# Spiegelhalter's "The Art of Statistics", 2019, github.com/dspiegel29/ArtofStatistics,
# 02-5-child-heart-surgery-1991-x.csv). Around the overall 12 % (397 of 3,319), Bristol lies
# above the 99.8 % limit and is the only centre outside it.
BRISTOL = pd.DataFrame(
    {
        "centre": ["Bristol", "Leicester", "Leeds", "Oxford", "Guys", "Liverpool",
                   "Southampton", "Great Ormond St", "Newcastle", "Harefield", "Birmingham",
                   "Brompton"],
        "deaths": [41, 25, 24, 23, 25, 42, 24, 53, 26, 25, 58, 31],
        "operations": [143, 187, 323, 122, 164, 405, 239, 482, 195, 177, 581, 301],
    }
)  # fmt: skip


def test_published_funnel_example_bristol():
    res = bm.funnel_compare(BRISTOL["deaths"], BRISTOL["operations"], units=BRISTOL["centre"])
    assert res.target == pytest.approx(397 / 3319)
    assert round(100 * res.target) == 12
    alarm = res.outside(0.998)
    assert alarm["unit"].tolist() == ["Bristol"]
    assert alarm["direction"].tolist() == ["above"]
    # The same conclusion with the normal approximation and with the over-dispersion
    # adjustment (Bristol's excess is not an artefact of the limits chosen).
    for kwargs in ({"method": "normal"}, {"overdispersion": "estimate"}):
        other = bm.funnel_compare(BRISTOL["deaths"], BRISTOL["operations"],
                                  units=BRISTOL["centre"], **kwargs)  # fmt: skip
        assert other.outside(0.998)["unit"].tolist() == ["Bristol"]
    fig = res.plot()
    assert [t.get_text() for t in fig.axes[0].texts] == ["Bristol"]


# ---------------------------------------------------------------------- two groups (reuse)
def test_compare_proportions_reuses_effects_module():
    a, n1, c, n0 = 96, 192, 1659, 3128
    people = pd.DataFrame(
        {"y": [1] * a + [0] * (n1 - a) + [1] * c + [0] * (n0 - c), "t": [1] * n1 + [0] * n0}
    )
    res = bm.compare_proportions(a, n1, c, n0, labels=("Powerjobsøgerne", "Jobcenter"))
    for mine, theirs in (
        (res.difference, evalkit.risk_difference(people, "y", "t")),
        (res.difference_wald, evalkit.risk_difference(people, "y", "t", method="wald")),
        (res.ratio, evalkit.risk_ratio(people, "y", "t")),
        (res.odds_ratio, evalkit.odds_ratio(people, "y", "t")),
        (res.fisher, evalkit.fisher_exact(people, "y", "t")),
    ):
        assert mine.estimate == pytest.approx(theirs.estimate, rel=1e-12)
        assert mine.conf_int == pytest.approx(theirs.conf_int, rel=1e-12)
        assert mine.p_value == pytest.approx(theirs.p_value, rel=1e-12)
    assert res.wilson[0] == pytest.approx(evalkit.wilson_interval(a, n1).conf_int)
    assert res.shares == pytest.approx((0.5, 1659 / 3128))
    text = res.summary()
    assert "Not a causal effect" in text and "selected" in text
    assert "Not a causal effect" in res._repr_html_()
    frame = res.to_frame()
    assert {"share[Powerjobsøgerne]", "risk_difference", "risk_difference_yates",
            "fisher_exact"} <= set(frame["term"])  # fmt: skip
    # The jobcentre may include the 192: without them, 1,563 of 2,936.
    excl = bm.compare_proportions(a, n1, c, n0, exclude_overlap=True)
    assert (excl.reference_successes, excl.reference_n) == (1563, 2936)
    assert "without the project participants" in excl.summary()
    with pytest.raises(ArgumentError, match="cannot contain"):
        bm.compare_proportions(50, 60, 10, 100, exclude_overlap=True)


def test_proportion_difference_and_ratio_from_counts():
    d = bm.proportion_difference(3, 10, 7, 12)
    assert d.estimate == pytest.approx(0.3 - 7 / 12)
    assert d.scale == "difference" and d.treatment == "project"
    r = bm.proportion_ratio(3, 10, 7, 12, term="local")
    assert r.estimate == pytest.approx(0.3 / (7 / 12)) and r.treatment == "local"


# ------------------------------------------------------------------------------- targets
def test_target_test_hand_values_and_verdict():
    res = bm.target_test(96, 192, 0.70, alternative="less")
    assert res.estimate == 0.5
    assert res.p_value == pytest.approx(stats.binom.cdf(96, 192, 0.7))
    assert res.conf_int[0] == 0.0
    assert res.conf_int[1] == pytest.approx(stats.beta.ppf(0.95, 97, 96))
    assert "below the target 70.0%" in res.verdict()
    assert res.difference == pytest.approx(-0.2)
    inside = bm.target_test(30, 50, 0.60)
    assert inside.p_value == 1.0  # x equals n * target
    assert "includes the target" in inside.summary()
    row = inside.to_frame().iloc[0]
    assert row["conf_low"] == pytest.approx(stats.beta.ppf(0.025, 30, 21))
    assert row["wilson_low"] == pytest.approx(evalkit.wilson_interval(30, 50).conf_low)
    assert bm.clopper_pearson(0, 10) == (0.0, pytest.approx(1 - 0.025 ** (1 / 10)))


def test_target_attainment_on_the_herning_reference_series():
    herning = bm.load_reference("flere_skal_med_herning")
    res = bm.target_attainment(herning, 0.40)
    # The published facts the synthetic series is constrained to.
    assert res.first_reached == "2018-09"
    assert res.held_from == "2018-09"
    assert res.reached_and_held and res.held_to_end
    assert res.periods_met == 12 and res.n_periods == 20
    assert res.longest_run == ("2018-09", "2019-08", 12)
    assert "reached and held: yes" in res.summary()
    table = res.to_frame()
    assert table["ci_low"].notna().all() and table["met"].sum() == 12
    # Shares only (no counts): no intervals, same attainment.
    shares = herning[["period", "share"]]
    res2 = bm.target_attainment(shares, 0.40)
    assert res2.first_reached == "2018-09" and res2.table["ci_low"].isna().all()
    dip = pd.DataFrame({"period": [1, 2, 3, 4], "share": [0.41, 0.39, 0.42, 0.43]})
    res3 = bm.target_attainment(dip, 0.40)
    assert (res3.first_reached, res3.held_from, res3.reached_and_held) == (1, 3, False)
    never = bm.target_attainment(dip.assign(share=0.1), 0.40)
    assert never.first_reached is None and never.held_from is None and not never.held_to_end


def test_average_target_test_dependence():
    s = pd.DataFrame({"period": [1, 2, 3], "successes": [60, 62, 65], "n": [140, 135, 130]})
    p = s["successes"] / s["n"]
    se_t = np.sqrt(p * (1 - p) / s["n"])
    same = bm.average_target_test(s, 0.40)
    indep = bm.average_target_test(s, 0.40, dependence="independent")
    assert same.estimate == pytest.approx(p.mean())
    assert same.std_error == pytest.approx(se_t.mean())
    assert indep.std_error == pytest.approx(np.sqrt((se_t**2).sum()) / 3)
    assert indep.std_error < same.std_error and indep.p_value < same.p_value
    se0 = np.sqrt(0.4 * 0.6 / s["n"]).mean()
    assert same.statistic == pytest.approx((p.mean() - 0.4) / se0)
    assert same.p_value == pytest.approx(stats.norm.sf(same.statistic))
    assert same.conf_int[1] == 1.0
    window = bm.average_target_test(s, 0.40, start=2, alternative="two-sided")
    assert window.n_periods == 2 and window.first == 2
    assert "same persons" in same.summary()


def test_goal_probability_models():
    res = bm.goal_probability(16, 65, 60, 120)
    assert (res.needed, res.remaining) == (44, 55)
    dist = res.distribution()
    assert dist["probability"].sum() == pytest.approx(1.0)
    brute = stats.betabinom(55, 17, 50).sf(43)
    assert res.probability == pytest.approx(brute)
    assert res.required_rate == pytest.approx(44 / 55)
    assert "exchangeable" in res.summary()
    plug = bm.goal_probability(16, 65, 30, 120, model="binomial")
    assert plug.probability == pytest.approx(stats.binom(55, 16 / 65).sf(13))
    given = bm.goal_probability(8, 15, 30, 50, model="binomial", rate=0.6)
    assert given.probability == pytest.approx(stats.binom(35, 0.6).sf(21))
    assert bm.goal_probability(30, 40, 30, 50).probability == 1.0
    done = bm.goal_probability(29, 50, 30, 50)
    assert done.remaining == 0 and done.probability == 0.0
    # The plug-in ignores the rate's uncertainty: thinner tails than the beta-binomial.
    far_plug = bm.goal_probability(16, 65, 40, 120, model="binomial")
    far_bb = bm.goal_probability(16, 65, 40, 120)
    assert 0 < far_plug.probability < far_bb.probability < 0.5
    for bad in (
        lambda: bm.goal_probability(70, 65, 60, 120),
        lambda: bm.goal_probability(16, 130, 60, 120),
        lambda: bm.goal_probability(16, 65, 0, 120),
        lambda: bm.goal_probability(16, 65, 60, 120, model="poisson"),
        lambda: bm.goal_probability(16, 65, 60, 120, prior=(0, 1)),
        lambda: bm.goal_probability(16, 65, 60, 120, rate=0.3),
        lambda: bm.goal_probability(0, 0, 5, 10, model="binomial"),
    ):
        with pytest.raises(ArgumentError):
            bad()


def test_cost_per_outcome():
    res = bm.cost_per_outcome(250_000, 96, 192, label="job or education")
    assert res.estimate == pytest.approx(250_000 / 96)
    assert res.per_participant == pytest.approx(250_000 / 192)
    low, high = bm.clopper_pearson(96, 192)
    assert res.conf_int == pytest.approx((250_000 / (192 * high), 250_000 / (192 * low)))
    assert res.conf_int[0] < res.estimate < res.conf_int[1]
    assert "not an incremental" in res.summary()
    assert bm.cost_per_outcome(1000, 4).conf_int is None
    with pytest.raises(DesignError, match="unbounded"):
        bm.cost_per_outcome(1000, 0)
    with pytest.raises(ArgumentError):
        bm.cost_per_outcome(-5, 3)


# -------------------------------------------------------------------------------- series
def test_compare_series_against_the_national_reference():
    local = bm.load_reference("flere_skal_med_herning")
    national = bm.load_reference("flere_skal_med_national")
    cmp = bm.compare_series(local, national, labels=("Herning", "National"))
    t = cmp.to_frame()
    assert len(t) == 20 and list(t["period"]) == sorted(t["period"])
    june = t.set_index("period").loc["2019-06"]
    assert (june["ref_successes"], june["ref_n"]) == (5487, 12821)
    d = bm.proportion_difference(int(june["successes"]), int(june["n"]), 5487, 12821)
    assert june["difference"] == pytest.approx(d.estimate)
    assert (june["diff_low"], june["diff_high"]) == pytest.approx(d.conf_int)
    r = bm.proportion_ratio(int(june["successes"]), int(june["n"]), 5487, 12821)
    assert june["ratio_low"] == pytest.approx(r.conf_int[0])
    # Without the local persons, the national counts shrink by exactly the local counts.
    excl = bm.compare_series(local, national, exclude_local=True).table.set_index("period")
    assert excl.loc["2019-06", "ref_n"] == 12821 - june["n"]
    # A fixed reference: Wilson interval minus the national share.
    fixed = bm.compare_series(local, national, reference_uncertainty="fixed").table
    assert fixed["diff_low"].to_numpy() == pytest.approx(
        (fixed["ci_low"] - fixed["ref_share"]).to_numpy()
    )
    # Published shares only -> treated as known, with a note.
    shares = bm.compare_series(local, national[["period", "share"]])
    assert shares.reference_uncertainty == "fixed" and shares.notes
    gap = cmp.average_gap(start="2018-09", end="2019-08")
    window = t[(t["period"] >= "2018-09") & (t["period"] <= "2019-08")]
    assert gap.n_periods == 12
    assert gap.estimate == pytest.approx(window["difference"].mean())
    assert gap.std_error == pytest.approx(window["diff_se"].mean())
    indep = bm.average_gap(cmp, "2018-09", "2019-08", dependence="independent")
    assert indep.std_error == pytest.approx(np.sqrt((window["diff_se"] ** 2).sum()) / 12)
    assert "not the effect" in gap.summary()
    att = cmp.attainment(0.40)
    assert att.first_reached == "2018-09"
    avg = cmp.average_target_test(0.40, start="2018-09", end="2019-08")
    assert avg.n_periods == 12 and avg.estimate > 0.40
    assert "Herning against National" in cmp.summary()
    fig = cmp.plot(target=0.40)
    gids = {line.get_gid() for line in fig.axes[0].lines}
    assert {"local", "national", "target"} <= gids


def test_compare_series_edge_cases():
    local = pd.DataFrame({"period": ["a", "b"], "successes": [0, 5], "n": [10, 10]})
    ref = pd.DataFrame({"period": ["a", "b"], "successes": [0, 50], "n": [100, 100]})
    cmp = bm.compare_series(local, ref)
    first = cmp.table.iloc[0]
    assert math.isnan(first["p_value"]) and math.isnan(first["ratio_low"])
    assert cmp.notes
    with pytest.raises(ArgumentError, match="lacks 1 local periods"):
        bm.compare_series(local, ref.iloc[:1])
    with pytest.raises(ArgumentError, match="repeated periods"):
        bm.compare_series(pd.concat([local, local]), ref)
    with pytest.raises(ArgumentError, match="exceeds"):
        bm.compare_series(local.assign(successes=[11, 0]), ref)
    with pytest.raises(ColumnError):
        bm.compare_series(local.drop(columns="n"), ref)
    with pytest.raises(ArgumentError, match="needs reference counts"):
        bm.compare_series(local, ref.assign(share=[0.0, 0.5])[["period", "share"]],
                          exclude_local=True)  # fmt: skip
    with pytest.raises(ArgumentError, match="average_gap needs"):
        bm.average_gap(cmp.table)
    with pytest.raises(DesignError, match="no periods"):
        cmp.average_gap(start="z")


# ------------------------------------------------------------------------------- funnels
def test_funnel_limits_normal_and_exact():
    n = np.array([50, 200, 5000])
    normal = bm.funnel_limits(n, 0.43, levels=(0.95,), method="normal")
    half = stats.norm.isf(0.025) * np.sqrt(0.43 * 0.57 / n)
    assert normal["upper"].to_numpy() == pytest.approx(0.43 + half)
    exact = bm.funnel_limits(n, 0.43, levels=(0.95, 0.998))
    assert set(exact["level"]) == {0.95, 0.998}
    big = exact[(exact["denominator"] == 5000) & (exact["level"] == 0.95)]
    assert big["upper"].iloc[0] == pytest.approx(0.43 + half[-1], abs=2e-4)
    assert (exact["lower"] <= exact["upper"]).all() and (exact["lower"] >= 0).all()
    widened = bm.funnel_limits(n, 0.43, levels=(0.95,), overdispersion=2.0)
    assert widened["upper"].to_numpy() == pytest.approx(0.43 + np.sqrt(2) * half)
    assert widened["method"].iloc[0].startswith("normal, phi")
    # phi <= 1 leaves the limits alone.
    assert bm.funnel_limits(n, 0.43, overdispersion=0.7).equals(bm.funnel_limits(n, 0.43))
    tiny = bm.funnel_limits([1, 2, 3], 0.12, levels=(0.998,))
    assert (tiny["lower"] == 0).all()
    for bad in (dict(levels=(95,)), dict(levels=()), dict(method="wilson"),
                dict(overdispersion=-1), dict(overdispersion=True)):  # fmt: skip
        with pytest.raises(ArgumentError):
            bm.funnel_limits(n, 0.43, **bad)
    with pytest.raises(ArgumentError, match="positive"):
        bm.funnel_limits([0, 10], 0.43)
    with pytest.raises(ArgumentError, match="strictly between 0 and 1"):
        bm.funnel_limits([10], 43)


def test_overdispersion_winsorised():
    r = np.array([20, 50, 80, 45, 52, 48])
    n = np.full(6, 100)
    od = bm.estimate_overdispersion(r, n, 0.5)
    z = (r / n - 0.5) / np.sqrt(0.25 / n)
    low, high = np.quantile(z, [0.1, 0.9])
    assert od.phi == pytest.approx(np.mean(np.clip(z, low, high) ** 2))
    assert od.statistic == pytest.approx(6 * od.phi) and od.df == 6
    assert od.p_value == pytest.approx(stats.chi2.sf(6 * od.phi, 6))
    raw = bm.estimate_overdispersion(r, n, 0.5, winsorize=0)
    assert raw.phi == pytest.approx(np.mean(z**2)) and raw.phi > od.phi
    assert bm.estimate_overdispersion(r, n, 0.5, target_from_data=True).df == 5
    assert "over-dispersion" in od.summary().lower()
    calm = bm.estimate_overdispersion([49, 50, 51], [100] * 3, 0.5)
    assert calm.phi_used == 1.0 and not calm.overdispersed
    with pytest.raises(ArgumentError):
        bm.estimate_overdispersion(r, n, 0.5, winsorize=0.6)
    with pytest.raises(DesignError):
        bm.estimate_overdispersion([1], [10], 0.5, target_from_data=True)


def test_funnel_on_the_synthetic_municipalities():
    munis = bm.load_reference("flere_skal_med_municipalities")
    target = 5487 / 12821
    plain = bm.funnel_compare(munis["successes"], munis["n"], target, units=munis["unit"])
    adjusted = bm.funnel_compare(munis["successes"], munis["n"], target, units=munis["unit"],
                                 overdispersion="estimate")  # fmt: skip
    assert adjusted.overdispersion is not None and adjusted.phi == adjusted.overdispersion.phi
    assert adjusted.phi > 1 and len(adjusted.outside(0.95)) < len(plain.outside(0.95))
    # Flags use each unit's own limits.
    u = plain.units
    assert (u["outside_95"] == ((u["proportion"] < u["lower_95"]) |
                                (u["proportion"] > u["upper_95"]))).all()  # fmt: skip
    assert set(u["direction"]) <= {"above", "below", "within"}
    assert set(munis["n"]) <= set(plain.limits["denominator"])
    fig = bm.funnel_plot(munis["successes"], munis["n"], target, units=munis["unit"],
                         overdispersion="estimate", lang="da")  # fmt: skip
    assert isinstance(fig, Figure)
    assert isinstance(bm.funnel_plot(adjusted), Figure)
    again = bm.funnel_compare(munis["successes"], munis["n"], target,
                              overdispersion=adjusted.overdispersion)  # fmt: skip
    assert again.phi == adjusted.phi
    with pytest.raises(ArgumentError):
        bm.funnel_compare([1, 2], [10], 0.5)
    with pytest.raises(ArgumentError):
        bm.funnel_compare([1, 2], [10, 10], 0.5, overdispersion="yes")
    with pytest.raises(ArgumentError):
        bm.funnel_plot([1, 2])
    with pytest.raises(ArgumentError, match="no limits"):
        plain.outside(0.9)


# ----------------------------------------------------------------------- standardisation
CASEMIX = pd.DataFrame(
    {
        "kommune": ["A"] * 4 + ["B"] * 4,
        "age": ["<30", "<30", "30+", "30+"] * 2,
        "benefit": ["kh", "dp"] * 4,
        "successes": [10, 12, 8, 30, 3, 5, 20, 60],
        "n": [30, 25, 40, 60, 10, 12, 90, 150],
    }
)
NATIONAL = pd.DataFrame(
    {
        "age": ["<30", "<30", "30+", "30+"],
        "benefit": ["kh", "dp", "kh", "dp"],
        "successes": [900, 1300, 1500, 4200],
        "n": [3000, 2500, 8000, 9000],
    }
)


def test_observed_expected_garwood():
    res = bm.observed_expected(45, 36.0)
    assert res.estimate == pytest.approx(1.25)
    assert res.conf_int[0] == pytest.approx(stats.chi2.ppf(0.025, 90) / 2 / 36)
    assert res.conf_int[1] == pytest.approx(stats.chi2.ppf(0.975, 92) / 2 / 36)
    assert res.excess == pytest.approx(9)
    assert bm.observed_expected(0, 3.2).conf_int[0] == 0.0
    assert bm.observed_expected(20, 10, alternative="greater").conf_int[1] == math.inf
    assert "Garwood" in res.summary()
    for bad in ((-1, 2), (1.5, 2), (3, 0), (3, -1), (True, 2)):
        with pytest.raises(ArgumentError):
            bm.observed_expected(*bad)


def test_indirect_standardisation_by_hand():
    res = bm.indirect_standardise(CASEMIX, NATIONAL, ["age", "benefit"], by="kommune")
    rates = {("<30", "kh"): 0.3, ("<30", "dp"): 0.52, ("30+", "kh"): 0.1875,
             ("30+", "dp"): 4200 / 9000}  # fmt: skip
    for unit, part in CASEMIX.groupby("kommune"):
        expected = sum(rates[(a, b)] * m for a, b, m in zip(part["age"], part["benefit"],
                                                             part["n"], strict=True))  # fmt: skip
        row = res.table.set_index("unit").loc[unit]
        assert row["observed"] == part["successes"].sum()
        assert row["expected"] == pytest.approx(expected)
        oe = bm.observed_expected(int(part["successes"].sum()), expected)
        assert row["oe_ratio"] == pytest.approx(oe.estimate)
        assert (row["conf_low"], row["p_value"]) == pytest.approx((oe.conf_int[0], oe.p_value))
        assert row["standardised"] == pytest.approx(oe.estimate * 7900 / 22500)
    assert res.reference_proportion == pytest.approx(7900 / 22500)
    assert "Breslow & Day" in res.summary()
    # Rates given directly give the same expected counts.
    with_rates = NATIONAL.assign(rate=NATIONAL["successes"] / NATIONAL["n"])
    same = bm.indirect_standardise(CASEMIX, with_rates, ["age", "benefit"], by="kommune",
                                   reference_rate="rate")  # fmt: skip
    assert same.table["expected"].to_numpy() == pytest.approx(res.table["expected"].to_numpy())
    # A unit with exactly the national case mix and rates has O/E = 1.
    national_as_local = NATIONAL.assign(kommune="N")
    one = bm.indirect_standardise(national_as_local, NATIONAL, ["age", "benefit"], by="kommune")
    assert one.table["oe_ratio"].iloc[0] == pytest.approx(1.0)
    with pytest.raises(ArgumentError, match="no reference rate"):
        bm.indirect_standardise(CASEMIX, NATIONAL.iloc[:3], ["age", "benefit"])
    with pytest.raises(ArgumentError, match="repeated cells"):
        bm.indirect_standardise(CASEMIX, pd.concat([NATIONAL, NATIONAL]), ["age", "benefit"])
    with pytest.raises(ColumnError):
        bm.indirect_standardise(CASEMIX, NATIONAL, ["age", "duration"])


def test_direct_standardisation_by_hand():
    res = bm.direct_standardise(CASEMIX, NATIONAL, ["age", "benefit"], by="kommune")
    w = NATIONAL["n"].to_numpy(float)
    for unit, part in CASEMIX.groupby("kommune"):
        part = part.set_index(["age", "benefit"]).loc[list(zip(NATIONAL["age"],
                                                               NATIONAL["benefit"],
                                                               strict=True))]  # fmt: skip
        p = (part["successes"] / part["n"]).to_numpy()
        est = np.sum(w * p) / w.sum()
        se = np.sqrt(np.sum(w**2 * p * (1 - p) / part["n"].to_numpy())) / w.sum()
        row = res.table.set_index("unit").loc[unit]
        assert row["standardised"] == pytest.approx(est)
        assert row["std_error"] == pytest.approx(se)
    assert res.reference_proportion == pytest.approx(7900 / 22500)
    assert "Direct standardisation" in res.summary()
    holey = CASEMIX.drop(index=0)
    with pytest.raises(DesignError, match="indirect_standardise"):
        bm.direct_standardise(holey, NATIONAL, ["age", "benefit"], by="kommune")


def test_expected_counts_keeps_columns():
    out = bm.expected_counts(CASEMIX, NATIONAL, ["age", "benefit"])
    assert {"kommune", "rate", "expected"} <= set(out.columns)
    assert out["expected"].iloc[0] == pytest.approx(30 * 0.3)


# --------------------------------------------------------------------------------- DiD
def test_did_by_hand_and_caution():
    loc = pd.DataFrame({"period": range(1, 9), "successes": [30, 31, 29, 32, 42, 44, 45, 47],
                        "n": [100] * 8})  # fmt: skip
    nat = pd.DataFrame({"period": range(1, 9),
                        "successes": [3500, 3550, 3600, 3650, 3700, 3750, 3800, 3850],
                        "n": [10000] * 8})  # fmt: skip
    res = bm.did_national(loc, nat, start=5)
    gap = loc["successes"] / 100 - nat["successes"] / 10000
    pre, post = gap[:4], gap[4:]
    assert res.estimate == pytest.approx(post.mean() - pre.mean())
    v = pre.var() / 4 + post.var() / 4
    assert res.std_error == pytest.approx(np.sqrt(v))
    df = v**2 / ((pre.var() / 4) ** 2 / 3 + (post.var() / 4) ** 2 / 3)
    assert res.df == pytest.approx(df)
    assert res.p_value == pytest.approx(2 * stats.t.sf(res.estimate / res.std_error, df))
    assert res.pre_trend == pytest.approx(stats.linregress(range(4), pre).slope)
    assert res.event_time["event_time"].tolist() == list(range(-4, 4))
    assert res.event_time["effect"].to_numpy() == pytest.approx((gap - pre.mean()).to_numpy())
    text = res.summary()
    assert "parallel trends" in text and text == str(res)
    assert "parallel trends" in res._repr_html_()
    fig = res.plot(lang="da")
    assert fig.axes[0].get_label() == "event_time"
    assert fig.axes[0].get_xlabel() == "Perioder efter start"
    with pytest.raises(DesignError, match="two periods before"):
        bm.did_national(loc, nat, start=2)
    with pytest.raises(ArgumentError):
        bm.did_national(loc, nat, start="x")
    with pytest.raises(ArgumentError):
        bm.event_time_plot(res.to_frame())


def test_did_flags_a_pre_trend():
    k = np.arange(10)
    loc = pd.DataFrame({"period": k, "successes": 300 + 25 * k, "n": 1000})
    nat = pd.DataFrame({"period": k, "successes": 30000 + 50 * k, "n": 100000})
    res = bm.did_national(loc, nat, start=6)
    assert res.pre_trend_p < 0.05 and "parallel trends doubtful" in res.summary()


# ------------------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: bm.target_test(10, 5, 0.4), "cannot exceed"),
        (lambda: bm.target_test(-1, 5, 0.4), ">= 0"),
        (lambda: bm.target_test(2.5, 5, 0.4), "whole number"),
        (lambda: bm.target_test(True, 5, 0.4), "whole number"),
        (lambda: bm.target_test(2, 0, 0.4), "positive"),
        (lambda: bm.target_test(2, 5, 40), "give 40 % as 0.40"),
        (lambda: bm.target_test(2, 5, 0), "strictly between"),
        (lambda: bm.target_test(2, 5, "x"), "number in"),
        (lambda: bm.target_test(2, 5, 0.4, alternative="bigger"), "alternative"),
        (lambda: bm.target_test(2, 5, 0.4, alpha=1.5), "alpha"),
        (lambda: bm.target_test(2, 5, 0.4, correct="yes"), "correct"),
        (lambda: bm.compare_proportions(3, 10, 4, 2), "cannot exceed"),
        (lambda: bm.compare_proportions(3, 10, 4, 20, labels="ab"), "labels"),
        (lambda: bm.target_attainment([0.4], 0.4), "DataFrame"),
        (
            lambda: bm.target_attainment(pd.DataFrame({"period": [1], "share": [40]}), 0.4),
            "shares in",
        ),
        (lambda: bm.funnel_compare([1, 2], [10, 1], 0.5), "exceed"),
        (lambda: bm.funnel_compare("12", [10], 0.5), "list or array"),
        (
            lambda: bm.compare_series(
                pd.DataFrame({"period": [1], "successes": [1], "n": [2]}),
                pd.DataFrame({"period": [1], "successes": [1], "n": [2]}),
                reference_uncertainty="none",
            ),
            "reference_uncertainty",
        ),
    ],
)
def test_clear_errors(call, match):
    with pytest.raises(EvalkitError, match=match):
        call()


def test_results_are_frozen_and_render():
    results = [
        bm.target_test(30, 50, 0.6),
        bm.compare_proportions(96, 192, 1659, 3128),
        bm.observed_expected(45, 36.0),
        bm.goal_probability(16, 65, 60, 120),
        bm.cost_per_outcome(250_000, 96, 192),
        bm.estimate_overdispersion([20, 50, 80], [100] * 3, 0.5),
        bm.funnel_compare(BRISTOL["deaths"], BRISTOL["operations"]),
    ]
    for res in results:
        assert isinstance(res.to_frame(), pd.DataFrame) and len(res.to_frame()) >= 1
        assert res.summary() == str(res) and "<div>" in res._repr_html_()
        field = dataclasses.fields(res)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(res, field, None)


# ----------------------------------------------------------------------------- packaged data
def test_published_herning_figures():
    v = lambda f: published_value("flere_skal_med_herning", f)  # noqa: E731
    assert v("gross_target_group") == 255
    assert v("grant_star") == 2615014.75
    assert v("success_criterion_share") == 0.40
    frame = load_published("flere_skal_med_herning").set_index("figure")
    assert frame.loc["target_first_reached", "date"] == "2018-09"
    assert frame.loc["target_held_to_end", "date"] == "2018-09/2019-08"
    assert round(v("national_group1_company_based") / v("national_group1"), 2) == v(
        "national_group1_company_based_share"
    )
    shares = [v(f"national_visitation_group{k}") for k in (1, 2, 3)]
    assert sum(shares) == pytest.approx(1.0)
    assert round(shares[0] * v("national_target_group")) == pytest.approx(
        v("national_group1"), abs=5
    )
    context = frame[frame.index.str.startswith("national_")]
    assert context["source"].str.contains("STAR").all()
    assert frame.drop(context.index)["source"].str.contains("Herning Kommune").all()


def test_published_fredericia_figures():
    v = lambda f: published_value("fredericia_2021", f)  # noqa: E731
    assert round(v("powerjob_job_or_education") / v("powerjob_in_course"), 2) == v(
        "powerjob_job_or_education_share"
    )
    assert round(v("powerjob_job_interview") / v("powerjob_in_course"), 3) == v(
        "powerjob_job_interview_share"
    )
    assert round(v("jobcenter_job_or_education") / v("jobcenter_in_course"), 2) == v(
        "jobcenter_job_or_education_share"
    )
    assert (v("vgef_goal_self_sufficient"), v("vgef_goal_referred")) == (30, 50)
    assert (v("powerjob_target_interview_share"), v("powerjob_target_work_share")) == (0.8, 0.7)
    assert v("powerjob_cost_per_year") == 250_000
    frame = load_published("fredericia_2021")
    assert frame["source"].str.contains("Fredericia Kommune").all()
    assert frame["source"].str.contains("24 Mar 2021").all()


def test_reference_files_label_published_and_synthetic():
    national = bm.load_reference("flere_skal_med_national")
    assert set(national["kind"]) == {"published", "synthetic"}
    published = national[national["kind"] == "published"]
    assert published[["period", "successes", "n"]].values.tolist() == [["2019-06", 5487, 12821]]
    assert published["source"].str.contains("STAR").all()
    assert national.loc[national["kind"] == "synthetic", "source"].str.startswith("synthetic").all()
    herning = bm.load_reference("flere_skal_med_herning")
    assert set(herning["kind"]) == {"synthetic"}
    munis = bm.load_reference("flere_skal_med_municipalities")
    assert len(munis) == published_value("flere_skal_med_herning", "national_municipalities")
    assert (munis["successes"].sum(), munis["n"].sum()) == (5487, 12821)
    assert set(munis["kind"]) == {"synthetic"}
    june = herning.set_index("period").loc["2019-06"]
    first = munis.iloc[0]
    assert (first["successes"], first["n"]) == (june["successes"], june["n"])
    with pytest.raises(ArgumentError, match="unknown reference"):
        bm.load_reference("herning")


def test_reference_files_equal_the_seeded_generator(tmp_path):
    written = reference.write_reference_files(tmp_path)
    for path in written:
        packaged = Path(evalkit.__file__).parent / "datasets" / "data" / path.name
        assert path.read_text() == packaged.read_text(), (
            f"{path.name} differs from simulate_flere_skal_med(); regenerate with "
            "evalkit.benchmark.reference.write_reference_files()"
        )


# --------------------------------------------------------------------------------- doctests
@pytest.mark.parametrize("module", [compare, did, funnel, reference, standardise, targets])
def test_doctests(module):
    failures, tried = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried > 0 and failures == 0
