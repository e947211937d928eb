"""More than two arms (issue 15): contrasts of two arms (condition1 / condition2) in the
effect estimators against estimatr, multi-arm assignment and multi-arm randomization tests.

The reference values come from tests/reference/multiarm.R (make_multiarm_reference.sh), on
a three-arm synthetic trial generated there with a fixed seed and stored in multiarm.json.
"""

import itertools
import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from _fixtures import assert_terms_match_r, reference
from scipy import stats

import evalkit
from evalkit.design import assign, reproduce
from evalkit.errors import ArgumentError, DesignError, TreatmentError
from evalkit.inference import randomization_test

REFERENCE = reference("multiarm.json")
DATA = pd.DataFrame(REFERENCE["data"])
CASES = REFERENCE["cases"]
FUNCTIONS = {
    "difference_in_means": evalkit.difference_in_means,
    "lin_estimator": evalkit.lin_estimator,
    "ancova": evalkit.ancova,
}


def _fit(fun, data=DATA, **args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", evalkit.EvalkitWarning)
        return FUNCTIONS[fun](data, **args)


# ----------------------------------------------------------------- estimators against R
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_contrast_matches_estimatr(case):
    assert_terms_match_r(_fit(case["fun"], **case["args"]), case)


def test_reference_covers_the_designs():
    dims = {c["name"].rsplit("_", 3)[0] for c in CASES if c["fun"] == "difference_in_means"}
    for design in ("dim_complete", "dim_blocked", "dim_clustered", "dim_block_clustered"):
        assert design in dims
    assert {c["fun"] for c in CASES} == set(FUNCTIONS)
    designs = {c["r_call"].rsplit("[", 1)[-1] for c in CASES if c["fun"] == "difference_in_means"}
    assert {"Standard]", "Blocked]", "Clustered]", "Block-clustered]"} <= designs


def _recoded(data, treatment, condition1, condition2):
    """The rows of the two arms with a 0/1 column (what the contrast must equal)."""
    rows = data[data[treatment].isin([condition1, condition2])]
    return rows.assign(**{treatment: (rows[treatment] == condition2).astype(int)})


@pytest.mark.parametrize(
    ("fun", "args"),
    [
        ("difference_in_means", {"outcome": "y"}),
        ("difference_in_means", {"outcome": "y", "blocks": "block"}),
        ("difference_in_means", {"outcome": "y", "weights": "wt", "blocks": "block"}),
        ("lin_estimator", {"outcome": "y", "covariates": ["x1", "x2"]}),
        ("ancova", {"outcome": "y", "covariates": "x1", "fixed_effects": "block"}),
    ],
)
def test_contrast_is_the_two_arm_estimate_on_those_rows(fun, args):
    for c1, c2 in [("control", "A"), ("A", "B"), ("B", "control")]:
        ours = _fit(fun, treatment="arm", condition1=c1, condition2=c2, **args)
        plain = _fit(fun, data=_recoded(DATA, "arm", c1, c2), treatment="arm", **args)
        assert (ours.estimate, ours.std_error, ours.df, ours.p_value, ours.conf_int) == (
            plain.estimate, plain.std_error, plain.df, plain.p_value, plain.conf_int,
        )  # fmt: skip
        assert (ours.n_treated, ours.n_control) == (
            int((DATA["arm"] == c2).sum()), int((DATA["arm"] == c1).sum()),
        )  # fmt: skip
        assert ours.conditions == (c1, c2)
        assert f"{c2} vs {c1}" in ours.method and f"{c2} vs {c1}" in ours.summary()
        assert f"arm[{c2}]" in ours.to_frame()["term"].tolist()


def test_reversed_conditions_negate_the_estimate():
    ab = _fit("difference_in_means", outcome="y", treatment="arm", condition1="A", condition2="B")
    ba = _fit("difference_in_means", outcome="y", treatment="arm", condition1="B", condition2="A")
    assert ba.estimate == -ab.estimate and ba.std_error == ab.std_error and ba.df == ab.df
    assert ba.p_value == pytest.approx(ab.p_value, rel=1e-12)


def test_two_arm_columns_are_unchanged_by_explicit_conditions():
    two = _recoded(DATA, "arm", "control", "B")
    plain = evalkit.difference_in_means(two, "y", "arm", blocks="block")
    explicit = evalkit.difference_in_means(two, "y", "arm", blocks="block", condition1=0,
                                           condition2=1)  # fmt: skip
    assert plain.conditions is None and plain.to_frame()["term"].tolist() == ["arm"]
    assert "vs" not in plain.method
    assert (explicit.estimate, explicit.std_error) == (plain.estimate, plain.std_error)
    flipped = evalkit.difference_in_means(two, "y", "arm", condition1=1, condition2=0)
    assert flipped.estimate == -evalkit.difference_in_means(two, "y", "arm").estimate


def test_risk_difference_contrast():
    data = DATA.assign(job=(DATA["y"] > DATA["y"].median()).astype(int))
    ours = evalkit.risk_difference(data, "job", "arm", condition1="control", condition2="B")
    plain = evalkit.risk_difference(_recoded(data, "arm", "control", "B"), "job", "arm")
    assert (ours.estimate, ours.conf_int, ours.p_value) == (
        plain.estimate, plain.conf_int, plain.p_value,
    )  # fmt: skip
    assert "B vs control" in ours.method and ours.to_frame()["term"].iloc[0] == "arm[B]"


def test_more_than_two_arms_need_conditions():
    for fun, extra in [("difference_in_means", {}), ("lin_estimator", {"covariates": "x1"}),
                       ("ancova", {})]:  # fmt: skip
        with pytest.raises(TreatmentError, match="3 arms .*condition1= and condition2="):
            _fit(fun, outcome="y", treatment="arm", **extra)
    with pytest.raises(TreatmentError, match="3 arms"):
        evalkit.risk_difference(DATA.assign(job=1 * (DATA["y"] > 12)), "job", "arm")


def test_condition_errors():
    with pytest.raises(ArgumentError, match="condition1 is given without the other"):
        evalkit.difference_in_means(DATA, "y", "arm", condition1="A")
    with pytest.raises(ArgumentError, match="same arm"):
        evalkit.difference_in_means(DATA, "y", "arm", condition1="A", condition2="A")
    with pytest.raises(TreatmentError, match="condition2 'C' is not an arm .* 3 arms"):
        evalkit.difference_in_means(DATA, "y", "arm", condition1="A", condition2="C")
    with pytest.raises(TreatmentError, match="condition1 '0' is not an arm"):  # type matters
        evalkit.difference_in_means(DATA, "y", "arm_code", condition1="0", condition2=2)
    with pytest.raises(ArgumentError, match="must be an arm label"):
        evalkit.difference_in_means(DATA, "y", "arm", condition1=["A"], condition2="B")


def test_identifier_labels_are_not_echoed():
    data = DATA.assign(pid=[f"010190-{1000 + i}" for i in range(len(DATA))])
    with pytest.raises(TreatmentError) as error:
        evalkit.difference_in_means(data, "y", "pid")
    assert "010190" not in str(error.value) and "240 arms" in str(error.value)
    with pytest.raises(TreatmentError) as error:
        evalkit.difference_in_means(data, "y", "pid", condition1="010190-0001",
                                    condition2="010190-1001")  # fmt: skip
    assert "010190" not in str(error.value)


def test_data_not_modified_and_missing_values_policy():
    data = DATA.copy()
    data.loc[3, "y"] = np.nan
    before = data.copy()
    with pytest.raises(evalkit.errors.MissingValueError):
        evalkit.difference_in_means(data, "y", "arm", condition1="A", condition2="B")
    with pytest.warns(evalkit.errors.MissingValueWarning):
        r = evalkit.difference_in_means(data, "y", "arm", condition1="A", condition2="B",
                                        missing="drop")  # fmt: skip
    pd.testing.assert_frame_equal(data, before)
    kept = data.dropna(subset=["y"])
    assert r.n == int(kept["arm"].isin(["A", "B"]).sum())


# ----------------------------------------------------------------- multi-arm assignment
ARMS = ["control", "A", "B"]


def _people(sizes):
    blocks = np.repeat([f"c{i}" for i in range(len(sizes))], sizes)
    return pd.DataFrame({"id": [f"p{i:04d}" for i in range(len(blocks))], "centre": blocks,
                         "age": np.arange(len(blocks)) % 37 + 20})  # fmt: skip


def test_assign_complete_n_each_exact_counts_and_reproduce():
    people = _people([95])
    a = assign(people, ids="id", seed=11, arms=ARMS, n_each=[35, 30, 30])
    assert a.treatment.value_counts().to_dict() == {"control": 35, "A": 30, "B": 30}
    assert a.audit.counts["all"]["persons"] == {"control": 35, "A": 30, "B": 30}
    assert a.audit.arms == ARMS and a.audit.n_each == [35, 30, 30] and a.audit.prob is None
    again = reproduce(json.loads(a.audit.to_json()), people.sample(frac=1, random_state=2))
    assert again.treatment.sort_index().equals(a.treatment)
    other = assign(people, ids="id", seed=12, arms=ARMS, n_each=[35, 30, 30])
    assert not other.treatment.equals(a.treatment)


def test_assign_blocked_prob_each_counts_per_block():
    sizes = [10, 11, 13, 7, 40]
    people = _people(sizes)
    prob_each = [0.5, 0.25, 0.25]
    a = assign(people, blocks="centre", ids="id", seed=3, arms=ARMS, prob_each=prob_each)
    table = pd.crosstab(people["centre"], a.treatment)
    for block, size in zip(table.index, sizes, strict=True):
        for arm, p in zip(ARMS, prob_each, strict=True):
            assert math.floor(p * size) <= table.loc[block, arm] <= math.ceil(p * size)
        assert table.loc[block].sum() == size
    frame = a.to_frame()
    assert frame.columns.tolist() == ["block", "arm", "persons", "units"]
    assert frame.groupby("block")["persons"].sum().tolist() == sizes
    assert reproduce(a.audit, people).treatment.equals(a.treatment)


def test_assign_blocked_n_each_and_clusters():
    people = _people([12, 12]).assign(team=lambda d: d["id"].str[-4:].astype(int) // 2)
    n_each = {"c0": [2, 2, 2], "c1": [3, 2, 1]}
    a = assign(people, blocks="centre", clusters="team", ids="id", seed=5, arms=[0, 1, 2],
               n_each=n_each)  # fmt: skip
    assert a.treatment.dtype == np.int64
    assert (a.treatment.groupby(people["team"]).nunique() == 1).all()
    for block, wanted in n_each.items():
        units = a.audit.counts[block]["units"]
        assert [units[str(k)] for k in range(3)] == wanted
    assert reproduce(a.audit.to_json(), people).treatment.equals(a.treatment)


def test_assign_rounding_keeps_expected_shares():
    people = _people([7])
    draws = np.array([
        [int((t == arm).sum()) for arm in ARMS]
        for t in (assign(people, ids="id", seed=s, arms=ARMS, prob_each=[0.5, 0.25, 0.25]).treatment
                  for s in range(400))
    ])  # fmt: skip
    assert set(map(tuple, draws)) <= {(3, 2, 2), (4, 2, 1), (4, 1, 2)}
    assert draws.mean(axis=0) == pytest.approx([3.5, 1.75, 1.75], abs=0.12)


def test_assign_two_arm_audit_is_unchanged():
    people = _people([20])
    a = assign(people, ids="id", seed=4)
    assert "arms" not in a.audit.to_dict() and a.treatment.tolist().count(1) == 10


def test_assign_multi_arm_errors():
    people = _people([8, 2])
    with pytest.raises(ArgumentError, match="prob_each= and n_each= are for more than two"):
        assign(people, prob_each=[0.5, 0.5])
    with pytest.raises(ArgumentError, match="add up to 1"):
        assign(people, arms=ARMS, prob_each=[0.5, 0.3, 0.3])
    with pytest.raises(ArgumentError, match="for two arms"):
        assign(people, arms=ARMS, n_treated=3)
    with pytest.raises(ArgumentError, match="add up to its 10"):
        assign(people, arms=ARMS, n_each=[3, 3, 3])
    with pytest.raises(DesignError, match="could get no unit"):
        assign(people, blocks="centre", arms=ARMS)
    with pytest.raises(ArgumentError, match="distinct"):
        assign(people, arms=["a", "a"])


def test_assign_multi_arm_views_are_controlled():
    a = assign(_people([9]), ids="id", seed=1, arms=ARMS)
    assert "<5" in a.summary() and "<5" in repr(a)


# ----------------------------------------------------------------- randomization tests
SMALL = pd.DataFrame({"y": [3.1, 5.0, 4.2, 6.3, 2.2, 3.9, 1.4, 2.8, 7.0],
                      "arm": ["A", "A", "B", "B", "C", "C", "A", "B", "C"],
                      "block": [1, 1, 1, 1, 1, 2, 2, 2, 2]})  # fmt: skip


def _distinct_permutations(labels):
    return sorted(set(itertools.permutations(labels)))


def _f_like(y, arms):
    """(N - 1) SSB / SST, the quadratic statistic of complete randomization."""
    y, arms = np.asarray(y), np.asarray(arms)
    grand = y.mean()
    ssb = sum((arms == a).sum() * (y[arms == a].mean() - grand) ** 2 for a in set(arms))
    return (len(y) - 1) * ssb / ((y - grand) ** 2).sum()


def test_omnibus_exact_matches_brute_force_enumeration():
    result = randomization_test(SMALL, "y", "arm", statistic="omnibus")
    assignments = _distinct_permutations(SMALL["arm"])
    assert result.exact and result.n_draws == len(assignments) == 1680
    observed = _f_like(SMALL["y"], SMALL["arm"])
    values = np.array([_f_like(SMALL["y"], a) for a in assignments])
    assert result.statistic == pytest.approx(observed, rel=1e-12)
    expected = np.mean(values >= observed - 1e-9)
    assert result.p_value == pytest.approx(expected, rel=1e-12)
    assert result.arm_counts == {"A": 3, "B": 3, "C": 3}


def test_omnibus_blocked_exact_matches_brute_force_enumeration():
    result = randomization_test(SMALL, "y", "arm", blocks="block", statistic="omnibus")
    first, second = SMALL[SMALL["block"] == 1], SMALL[SMALL["block"] == 2]
    pairs = list(itertools.product(_distinct_permutations(first["arm"]),
                                   _distinct_permutations(second["arm"])))  # fmt: skip
    assert result.exact and result.n_draws == len(pairs) == 30 * 12
    y = SMALL["y"].to_numpy()

    def quadratic(arms):  # Strasser-Weber mean and covariance within blocks, by hand
        arms = np.asarray(arms)
        t, mu, sigma = np.zeros(3), np.zeros(3), np.zeros((3, 3))
        for rows in (np.arange(5), np.arange(5, 9)):
            h = np.eye(3)[["ABC".index(a) for a in arms[rows]]]
            yb, n = y[rows], len(rows)
            t += h.T @ yb
            mu += h.sum(0) * yb.mean()
            v = ((yb - yb.mean()) ** 2).mean()
            sigma += n / (n - 1) * v * h.T @ h - v / (n - 1) * np.outer(h.sum(0), h.sum(0))
        return (t - mu) @ np.linalg.pinv(sigma) @ (t - mu)

    observed = quadratic(SMALL["arm"])
    values = np.array([quadratic(list(a) + list(b)) for a, b in pairs])
    assert result.statistic == pytest.approx(observed, rel=1e-10)
    assert result.p_value == pytest.approx(np.mean(values >= observed - 1e-9), rel=1e-12)


def test_contrast_test_matches_brute_force_within_the_two_arms():
    result = randomization_test(SMALL, "y", "arm", condition1="A", condition2="C")
    y, arms = SMALL["y"].to_numpy(), SMALL["arm"].to_numpy()

    def dim(labels):
        labels = np.asarray(labels)
        return y[labels == "C"].mean() - y[labels == "A"].mean()

    # every multi-arm assignment that leaves arm B's units where they are: the two arms
    # re-drawn among their own units, as the design would
    kept = [a for a in _distinct_permutations(arms) if all(
        (np.asarray(a) == "B") == (arms == "B"))]  # fmt: skip
    assert result.exact and result.n_draws == len(kept) == 20
    values = np.array([dim(a) for a in kept])
    observed = dim(arms)
    assert result.statistic == pytest.approx(observed, rel=1e-12)
    assert result.p_value == pytest.approx(np.mean(np.abs(values) >= abs(observed) - 1e-9))
    assert result.conditions == ("A", "C") and "C vs A" in result.summary().replace("<5", "")
    assert result.to_frame()["term"].iloc[0] == "arm[C]"


@pytest.mark.parametrize(
    "case", REFERENCE["omnibus"], ids=[c["name"] for c in REFERENCE["omnibus"]]
)
def test_omnibus_matches_coin(case):
    result = randomization_test(DATA, n_draws=20_000, seed=2024, **case["args"])
    assert result.statistic == pytest.approx(case["statistic"], rel=1e-6)
    assert stats.chi2.sf(result.statistic, case["df"]) == pytest.approx(
        case["p_value_asymptotic"], rel=1e-6
    )
    p, q = result.p_value, case["p_value_approximate"]
    tolerance = 4.5 * math.sqrt(max(q * (1 - q), 1e-4) * (1 / 20_000 + 1 / case["nresample"]))
    assert abs(p - q) <= tolerance


def test_randomization_multi_arm_errors_and_hint():
    with pytest.raises(TreatmentError, match="3 arms .*statistic='omnibus'"):
        randomization_test(SMALL, "y", "arm")
    with pytest.raises(ArgumentError, match="takes no clusters="):
        randomization_test(SMALL, "y", "arm", clusters="block", statistic="omnibus")
    with pytest.raises(ArgumentError, match="two-sided"):
        randomization_test(SMALL, "y", "arm", statistic="omnibus", alternative="greater")


def test_omnibus_views_hide_small_arms_and_row_order_does_not_matter():
    result = randomization_test(SMALL, "y", "arm", statistic="omnibus")
    assert "<5" in result.summary() and f"{result.p_value:.4g}" not in result.summary()
    frame = result.to_frame()
    assert {"n[A]", "n[B]", "n[C]"} <= set(frame.columns)
    big = DATA.sample(frac=1, random_state=5)
    r1 = randomization_test(DATA, "yw", "arm", statistic="omnibus", n_draws=500, seed=9)
    r2 = randomization_test(big, "yw", "arm", statistic="omnibus", n_draws=500, seed=9)
    assert r1.p_value == r2.p_value and np.array_equal(r1.null_draws, r2.null_draws)
