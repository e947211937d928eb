"""Competing risks against R (survival::survfit, cmprsk::cuminc, cmprsk::crr) and by construction.

The R values come from tests/reference/competing.R (run by make_competing_reference.sh)
on the public mgus2 and pbc data (tests/reference/survival_data.py) and a small synthetic
corner-case set stored in the JSON. No R is needed to run these tests.
"""

from __future__ import annotations

import doctest
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from survival_data import survival_frames

from evalkit.errors import (
    ArgumentError,
    ColumnError,
    DesignError,
    EvalkitError,
    FragileDesignWarning,
    MissingValueError,
    OutcomeError,
)
from evalkit.survival import competing
from evalkit.survival.competing import (
    CumulativeIncidence,
    FineGrayResult,
    GrayTestResult,
    cumulative_incidence,
    fine_gray,
    gray_test,
)

REFERENCE = json.loads((Path(__file__).parent / "reference" / "competing.json").read_text())
CASES = REFERENCE["cases"]
FUNCTIONS = {
    "cumulative_incidence": cumulative_incidence,
    "gray_test": gray_test,
    "fine_gray": fine_gray,
}
REL = 1e-6


@pytest.fixture(scope="module")
def frames():
    out = survival_frames()
    for name, rows in REFERENCE["inline_data"].items():
        out[name] = pd.DataFrame(rows)
    return out


def _values(values):
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def assert_close(got, want, what):
    got = np.asarray(got, dtype=float)
    want = _values(want) if isinstance(want, list) else np.asarray(want, dtype=float)
    assert got.shape == want.shape, f"{what}: shape {got.shape} vs R {want.shape}"
    assert np.array_equal(np.isnan(got), np.isnan(want)), f"{what}: NaN pattern differs from R"
    ok = ~np.isnan(want)
    np.testing.assert_allclose(got[ok], want[ok], rtol=REL, atol=1e-12, err_msg=what)


def test_reference_covers_every_function():
    assert {case["function"] for case in CASES} == set(FUNCTIONS)
    names = {case["name"] for case in CASES}
    for required in (
        "aj_mgus2",
        "aj_mgus2_by_male",
        "aj_mgus2_months",
        "aj_pbc_by_treated",
        "gray_mgus2_by_male_cause1",
        "gray_mgus2_by_male_cause2",
        "gray_pbc_by_treated_cause1",
        "gray_pbc_by_treated_cause2",
        "fg_mgus2_cause1",
        "fg_mgus2_cause2",
        "fg_pbc_cause2",
    ):
        assert required in names


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c["function"] == "cumulative_incidence"],
    ids=lambda c: c["name"],
)
def test_cumulative_incidence_matches_survfit(case, frames):
    assert case["conf_type"] == "log"
    fit = cumulative_incidence(frames[case["data"]], **case["args"])
    table = fit.table
    grouped = "group" in case["args"]
    assert ("group" in table.columns) == grouped
    n_rows = 0
    for curve in case["curves"]:
        part = table[table["cause"] == curve["cause"]]
        if grouped:
            part = part[part["group"] == curve["group"]]
        n_rows += len(part)
        where = f"{case['name']} group={curve['group']} cause={curve['cause']}"
        assert_close(part["time"], curve["time"], f"{where} time")
        for column in ("cumulative_incidence", "std_error", "ci_low", "ci_high"):
            assert_close(part[column], curve[column], f"{where} {column}")
        assert part["n_risk"].tolist() == curve["n_risk"]
        assert part["n_event"].tolist() == curve["n_event"]
    assert n_rows == len(table)
    for expected in case["survival"]:
        part = fit.survival
        if grouped:
            part = part[part["group"] == expected["group"]]
        assert_close(part["survival"], expected["survival"], f"{case['name']} survival")
        assert_close(part["std_error"], expected["std_error"], f"{case['name']} survival se")


@pytest.mark.parametrize(
    "case", [c for c in CASES if c["function"] == "gray_test"], ids=lambda c: c["name"]
)
def test_gray_test_matches_cuminc(case, frames):
    result = gray_test(frames[case["data"]], **case["args"])
    assert result.statistic == pytest.approx(case["statistic"], rel=REL)
    assert result.p_value == pytest.approx(case["p_value"], rel=REL, abs=1e-12)
    assert result.df == case["df"]


@pytest.mark.parametrize(
    "case", [c for c in CASES if c["function"] == "fine_gray"], ids=lambda c: c["name"]
)
def test_fine_gray_matches_crr(case, frames):
    result = fine_gray(frames[case["data"]], **case["args"])
    assert result.converged
    ours = result.to_frame().set_index("term")
    assert list(ours.index) == [row["term"] for row in case["terms"]]
    for row in case["terms"]:
        for column, want in row.items():
            if column == "term":
                continue
            got = ours.loc[row["term"], column]
            assert got == pytest.approx(want, rel=REL, abs=1e-12), (
                f"{case['name']} {row['term']} {column}: evalkit {got!r}, R {want!r}"
            )
    assert result.loglik == pytest.approx(case["loglik"], rel=REL)
    assert result.loglik_null == pytest.approx(case["loglik_null"], rel=REL)
    assert result.n == case["n"]
    np.testing.assert_allclose(result.information, case["information"], rtol=REL)
    np.testing.assert_allclose(result.variance, case["variance"], rtol=REL, atol=1e-14)
    assert_close(result.baseline["time"], case["baseline_jumps"]["time"], "baseline time")
    assert_close(result.baseline["jump"], case["baseline_jumps"]["jump"], "baseline jump")


# ---- properties that hold by construction -----------------------------------------------


def _synthetic(n=300, seed=0, weeks=30, causes=(1, 2, 3)):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "weeks": rng.integers(0, weeks, n),
            "exit": rng.choice((0, *causes), n),
            "arm": rng.integers(0, 2, n),
            "age": rng.normal(40, 10, n).round(1),
        }
    )


@pytest.mark.parametrize("group", [None, "male"])
def test_incidences_and_survival_sum_to_one(frames, group):
    fit = cumulative_incidence(frames["mgus2"], "etime", "cause", group=group)
    keys = ["time"] if group is None else ["group", "time"]
    total = fit.table.groupby(keys)["cumulative_incidence"].sum()
    surv = fit.survival.set_index(keys)["survival"]
    np.testing.assert_allclose((total + surv.reindex(total.index)).to_numpy(), 1.0, atol=1e-12)


def test_sum_to_one_continuous_and_grouped():
    data = _synthetic(500, seed=3)
    data["weeks"] = data["weeks"] + np.random.default_rng(1).random(len(data)).round(2)
    fit = cumulative_incidence(data, "weeks", "exit", group="arm")
    total = fit.table.groupby(["group", "time"])["cumulative_incidence"].sum()
    surv = fit.survival.set_index(["group", "time"])["survival"]
    np.testing.assert_allclose((total + surv.reindex(total.index)).to_numpy(), 1.0, atol=1e-12)


def _ij_brute_force(time, event, n_causes):
    """R's survfitci influence recursion, person by person (O(n M K^2)): the definition."""
    grid = np.unique(time)
    n = len(time)
    u = np.zeros((n, n_causes + 1))
    p = np.zeros(n_causes + 1)
    p[0] = 1.0
    at_risk = np.ones(n, dtype=bool)
    out_p, out_se, out_t = [], [], []
    for t in grid:
        here = time == t
        exits = here & (event > 0)
        if exits.any():
            n_risk = at_risk.sum()
            h = np.eye(n_causes + 1)
            for k in range(1, n_causes + 1):
                h[0, k] = (exits & (event == k)).sum() / n_risk
            h[0, 0] = 1 - h[0, 1:].sum()
            u = u @ h
            dstate = np.where(exits, event, 0)
            for i in np.flatnonzero(at_risk):
                u[i] -= h[0] * p[0] / n_risk
                u[i, dstate[i]] += p[0] / n_risk
            p = p @ h
            out_t.append(t)
            out_p.append(p.copy())
            out_se.append(np.sqrt((u**2).sum(axis=0)))
        at_risk &= ~here
    return np.array(out_t), np.array(out_p), np.array(out_se)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_closed_form_variance_equals_influence_recursion(seed):
    rng = np.random.default_rng(seed)
    n = 120
    time = rng.integers(0, 15, n).astype(float)
    event = rng.choice([0, 1, 2], n, p=[0.3, 0.4, 0.3])
    if seed == 2:  # everyone still at risk at the last time leaves: S drops to 0
        event[time == time.max()] = 1
    t, p, se = _ij_brute_force(time, event, 2)
    fit = cumulative_incidence(pd.DataFrame({"t": time, "e": event}), "t", "e")
    for k in (1, 2):
        part = fit.table[fit.table["cause"] == k]
        np.testing.assert_allclose(part["time"], t)
        np.testing.assert_allclose(part["cumulative_incidence"], p[:, k], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(part["std_error"], se[:, k], rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(fit.survival["survival"], p[:, 0], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fit.survival["std_error"], se[:, 0], rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("block", [1, 3, 64])
def test_variance_does_not_depend_on_the_block_size(monkeypatch, block):
    # the exit times are taken in blocks (cumulative sums carried over): same bits
    rng = np.random.default_rng(11)
    time = np.concatenate([rng.exponential(10.0, 400), rng.integers(0, 30, 400)])
    event = rng.choice([0, 1, 2, 3], time.size, p=[0.3, 0.3, 0.2, 0.2])
    event[time == time.max()] = 2  # everyone still at risk leaves: S drops to 0
    _, counts = competing._time_counts(time, event, 4)
    whole = competing._aalen_johansen(counts)
    monkeypatch.setattr(competing, "_AJ_BLOCK", block)
    blocked = competing._aalen_johansen(counts)
    assert whole["cif"].shape == (3, whole["n_risk"].size) and whole["n_risk"].size > 3 * block
    for key, value in whole.items():
        np.testing.assert_array_equal(blocked[key], value, strict=True)
    assert np.any(whole["var_cif"] > 0) and whole["survival"][-1] == 0.0


def test_count_paths_agree():
    rng = np.random.default_rng(4)
    n = 2000
    weeks = rng.integers(0, 60, n).astype(float)
    codes = rng.integers(0, 4, n)
    integer = competing._time_counts(weeks, codes, 4)
    packed = competing._sorted_counts(weeks, codes, 4)
    fallback = competing._argsort_counts(weeks, codes, 4)
    for grid, counts in (packed, fallback):
        np.testing.assert_array_equal(grid, integer[0])
        np.testing.assert_array_equal(counts, integer[1])
    # continuous times over many binades, with zeros and -0.0: packed key or fallback
    for scale in (1.0, 1e-300):
        t = np.concatenate([rng.exponential(5, n) * scale, [0.0, -0.0, 0.0]])
        c = rng.integers(0, 3, t.size)
        a = competing._sorted_counts(t, c, 3)
        b = competing._argsort_counts(t + 0.0, c, 3)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    wide = np.array([0.0, 1e-300, 1e300, 5.0, 5.0])
    a = competing._sorted_counts(wide, np.array([1, 0, 1, 1, 0]), 2)
    np.testing.assert_array_equal(a[0], [0.0, 1e-300, 5.0, 1e300])
    np.testing.assert_array_equal(a[1], [[0, 1], [1, 0], [1, 1], [0, 1]])


def test_integer_and_continuous_paths_give_the_same_curves():
    data = _synthetic(400, seed=5)
    fit = cumulative_incidence(data, "weeks", "exit", group="arm")
    shifted = data.assign(weeks=data["weeks"] * 1.5)  # not integers: the sorting path
    other = cumulative_incidence(shifted, "weeks", "exit", group="arm")
    np.testing.assert_allclose(other.table["time"], fit.table["time"] * 1.5)
    for column in ("cumulative_incidence", "std_error", "n_risk", "n_event"):
        np.testing.assert_allclose(other.table[column], fit.table[column], rtol=1e-12)


@pytest.mark.parametrize(("one", "two"), [(3, 7), (100, 2000)])
def test_causes_need_not_be_consecutive(frames, one, two):
    data = frames["mgus2"].assign(cause=frames["mgus2"]["cause"].replace({1: one, 2: two}))
    fit = cumulative_incidence(data, "etime", "cause", group="male")
    base = cumulative_incidence(frames["mgus2"], "etime", "cause", group="male")
    assert fit.causes == (one, two)
    np.testing.assert_allclose(fit.table["std_error"], base.table["std_error"])
    assert fit.table["cause"].unique().tolist() == [one, two]


def test_at_reads_the_step_function(frames):
    fit = cumulative_incidence(frames["pbc"], "time", "status", group="treated")
    curve = fit.table[(fit.table["group"] == 1) & (fit.table["cause"] == 2)]
    times = curve["time"].to_numpy()
    probe = np.array([0.0, times[0] - 0.5, times[0], times[3] + 0.1, times[-1], 1e9])
    got = fit.at(probe, cause=2, group=1)
    assert list(got.columns) == [
        "group",
        "time",
        "cause",
        "cumulative_incidence",
        "std_error",
        "ci_low",
        "ci_high",
    ]
    value = got["cumulative_incidence"].to_numpy()
    assert value[0] == 0.0 and value[1] == 0.0 and np.isnan(got["ci_low"].iloc[0])
    assert value[2] == curve["cumulative_incidence"].iloc[0]
    assert value[3] == curve["cumulative_incidence"].iloc[3]
    assert value[4] == curve["cumulative_incidence"].iloc[-1]
    assert np.isnan(value[5])  # beyond the follow-up of the group
    assert len(fit.at([100, 200])) == 2 * 2 * 2  # groups x causes x times
    with pytest.raises(ArgumentError, match="cause 9"):
        fit.at(10, cause=9)
    with pytest.raises(ArgumentError, match="group 5"):
        fit.at(10, group=5)


def test_gray_test_does_not_depend_on_group_order(frames):
    data = frames["pbc"].assign(arm=np.where(frames["pbc"]["treated"] == 1, "a", "b"))
    flipped = data.assign(arm=np.where(data["arm"] == "a", "z", "b"))
    one = gray_test(data, "time", "status", "arm", cause=2)
    two = gray_test(flipped, "time", "status", "arm", cause=2)
    assert one.statistic == pytest.approx(two.statistic, rel=1e-10)


def test_fine_gray_solves_its_score_equation(frames):
    result = fine_gray(frames["mgus2"], "etime", "cause", ["age", "male"], cause=2)
    data = competing._FineGrayData(
        frames["mgus2"]["etime"].to_numpy(float),
        np.where(frames["mgus2"]["cause"] == 2, 1, np.where(frames["mgus2"]["cause"] > 0, 2, 0)),
        frames["mgus2"][["age", "male"]].to_numpy(float),
    )
    _, grad, _ = data.objective(result.coefficients.to_numpy())
    assert np.max(np.abs(grad)) < 1e-6


def test_fine_gray_dummy_codes_text_covariates():
    data = _synthetic(400, seed=8)
    data["site"] = np.where(data["age"] > 45, "north", "south")
    result = fine_gray(data, "weeks", "exit", ["age", "site"], cause=1)
    assert result.to_frame()["term"].tolist() == ["age", "site[south]"]


# ---- results ------------------------------------------------------------------------------


def test_result_objects(frames):
    fit = cumulative_incidence(frames["mgus2"], "etime", "cause", group="male")
    assert isinstance(fit, CumulativeIncidence)
    assert list(fit.table.columns) == [
        "group",
        "time",
        "cause",
        "cumulative_incidence",
        "std_error",
        "ci_low",
        "ci_high",
        "n_risk",
        "n_event",
    ]
    assert fit.causes == (1, 2) and fit.groups == (0, 1)
    assert "Aalen-Johansen" in fit.summary() and "<div>" in fit._repr_html_()
    assert fit.to_frame().equals(fit.table)
    with pytest.raises(AttributeError):
        fit.alpha = 0.1

    test = gray_test(frames["mgus2"], "etime", "cause", "male", cause=2)
    assert isinstance(test, GrayTestResult)
    assert list(test.to_frame().columns) == [
        "term",
        "estimate",
        "std_error",
        "statistic",
        "p_value",
        "conf_low",
        "conf_high",
        "df",
        "rho",
        "method",
        "smallest_count",
    ]
    assert test.estimate is None and test.std_error is None and test.conf_int is None
    row = test.to_frame().iloc[0]
    assert row["statistic"] == test.statistic and row["p_value"] == test.p_value
    assert row["smallest_count"] == min(test.n, *test.n_events)
    assert "Chi-square" in test.summary() and "<div>" in test._repr_html_()
    assert sum(test.n_events) == int((frames["mgus2"]["cause"] == 2).sum())

    fg = fine_gray(frames["pbc"], "time", "status", ["treated", "age", "bili"], cause=2)
    assert isinstance(fg, FineGrayResult)
    assert fg.to_frame().columns.tolist() == [
        "term",
        "estimate",
        "std_error",
        "statistic",
        "p_value",
        "conf_low",
        "conf_high",
        "subdistribution_hazard_ratio",
        "shr_conf_low",
        "shr_conf_high",
        "cause",
        "method",
        "n",
        "n_events",
        "n_competing",
        "n_censored",
    ]
    first = fg.to_frame().iloc[0]
    assert first["term"] == "treated" and fg.estimate == first["estimate"]
    assert fg.conf_int == (first["conf_low"], first["conf_high"])
    assert fg.std_error == first["std_error"] and fg.p_value == first["p_value"]
    assert "exp(coef)" in fg.summary() and "<table" in fg._repr_html_()
    assert fg.likelihood_ratio > 0
    assert fg.n_events + fg.n_competing + fg.n_censored == fg.n


def test_inputs_are_not_mutated(frames):
    data = frames["pbc"].copy()
    data["site"] = pd.Categorical(np.where(data["age"] > 50, "x", "y"))
    before = data.copy()
    cumulative_incidence(data, "time", "status", group="site")
    gray_test(data, "time", "status", "site", cause=2)
    fine_gray(data, "time", "status", ["age", "site"], cause=2)
    pd.testing.assert_frame_equal(data, before)


def test_missing_values(frames):
    data = frames["pbc"].copy()
    data.loc[3, "time"] = np.nan
    with pytest.raises(MissingValueError, match="missing='drop'"):
        cumulative_incidence(data, "time", "status")
    with pytest.warns(Warning, match="dropped 1"):
        fit = cumulative_incidence(data, "time", "status", missing="drop")
    assert fit.n == len(data) - 1


# ---- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ([0, 1, -1, 2], "integers 0 \\(censored\\), 1..K"),
        ([0, 1, 1.5, 2], "integers 0 \\(censored\\), 1..K"),
        ([0, 1, "job", 2], "integers 0 \\(censored\\), 1..K"),
    ],
)
def test_bad_event_codes(codes, message):
    data = pd.DataFrame({"t": [1.0, 2, 3, 4], "e": codes, "g": [0, 0, 1, 1]})
    for call in (
        lambda: cumulative_incidence(data, "t", "e"),
        lambda: gray_test(data, "t", "e", "g"),
        lambda: fine_gray(data, "t", "e", "g"),
    ):
        with pytest.raises(OutcomeError, match=message):
            call()


def test_negative_durations():
    data = pd.DataFrame({"t": [1.0, -2, 3], "e": [1, 2, 0], "g": [0, 1, 1]})
    with pytest.raises(OutcomeError, match="must be >= 0; 1 rows"):
        cumulative_incidence(data, "t", "e")
    with pytest.raises(OutcomeError, match=">= 0"):
        gray_test(data, "t", "e", "g")


def test_no_exits_at_all():
    data = pd.DataFrame({"t": [1.0, 2, 3], "e": [0, 0, 0], "g": [0, 1, 1]})
    with pytest.raises(DesignError, match="no events"):
        cumulative_incidence(data, "t", "e")


def test_no_exits_of_the_requested_cause():
    data = _synthetic(200, causes=(1, 2))
    with pytest.raises(DesignError, match="no exits of cause 3 .* causes present are 1, 2"):
        gray_test(data, "weeks", "exit", "arm", cause=3)
    with pytest.raises(DesignError, match="no exits of cause 3"):
        fine_gray(data, "weeks", "exit", "age", cause=3)
    for bad in (0, -1, 1.5, "1", True):
        with pytest.raises(ArgumentError, match="positive integer code"):
            gray_test(data, "weeks", "exit", "arm", cause=bad)


def test_groups_without_anyone_at_risk():
    data = _synthetic(200)
    data["arm"] = pd.Categorical(
        data["arm"].map({0: "control", 1: "treated"}), categories=["control", "treated", "waitlist"]
    )
    with pytest.raises(DesignError, match="no one is at risk in them: 'waitlist'"):
        cumulative_incidence(data, "weeks", "exit", group="arm")
    with pytest.raises(DesignError, match="'waitlist'"):
        gray_test(data, "weeks", "exit", "arm")
    # a group whose members all leave before the first exit of cause 1
    late = pd.DataFrame(
        {
            "t": [5, 6, 7, 8, 9, 5, 6, 7, 1, 1, 2],
            "e": [1, 2, 1, 0, 1, 1, 2, 1, 0, 2, 0],
            "g": ["a"] * 5 + ["b"] * 3 + ["c"] * 3,
        }
    )
    with pytest.raises(DesignError, match="'c' of 'g' is at risk at any time"):
        gray_test(late, "t", "e", "g", cause=1)


def test_gray_test_strata(frames):
    data = frames["pbc"].copy()
    # One stratum: the unstratified test.
    one = gray_test(data.assign(s=1), "time", "status", "treated", cause=2, strata="s")
    plain = gray_test(data, "time", "status", "treated", cause=2)
    assert one.statistic == pytest.approx(plain.statistic, rel=1e-12)
    # The scores and variances of the strata add up.
    split = gray_test(data, "time", "status", "treated", cause=2, strata="older")
    parts = [
        gray_test(data[data["older"] == k], "time", "status", "treated", cause=2) for k in (0, 1)
    ]
    np.testing.assert_allclose(split.score, sum(p.score for p in parts), rtol=1e-12)
    np.testing.assert_allclose(split.variance, sum(p.variance for p in parts), rtol=1e-12)
    assert "Stratified by older (2 strata)" in split.summary()
    # A stratum without exits of the cause adds nothing.
    quiet = data[data["status"] != 2].assign(older=2)
    quiet["time"] += 1000
    both = gray_test(pd.concat([data, quiet]), "time", "status", "treated", cause=2, strata="older")
    assert both.statistic == pytest.approx(split.statistic, rel=1e-12)
    check_column_argument(gray_test, "strata", data)


def check_column_argument(function, argument, data):
    """A column argument (strata, cengroup): not a name, not a column, missing values."""

    def call(value, frame=data, **kwargs):
        return function(frame, "time", "status", "treated", cause=2, **{argument: value}, **kwargs)

    with pytest.raises(ArgumentError, match=f"{argument} must be a column name"):
        call(["older"])
    with pytest.raises(EvalkitError, match="nope"):
        call("nope")
    holes = data.copy()
    holes.loc[4, "older"] = np.nan
    with pytest.raises(MissingValueError, match="older"):
        call("older", holes)
    with pytest.warns(Warning, match="dropped 1"):
        call("older", holes, missing="drop")


def test_fine_gray_censoring_groups(frames):
    data = frames["pbc"].copy()
    plain = fine_gray(data, "time", "status", ["treated", "bili"], cause=2)
    one = fine_gray(data.assign(c=7), "time", "status", ["treated", "bili"], cause=2, cengroup="c")
    np.testing.assert_allclose(one.coefficients, plain.coefficients, rtol=1e-12)
    np.testing.assert_allclose(one.variance, plain.variance, rtol=1e-10)
    two = fine_gray(data, "time", "status", ["treated", "bili"], cause=2, cengroup="older")
    assert "Censoring weights by older (2 groups)" in two.summary()
    assert two.n_cengroups == 2 and one.n_cengroups == 1
    # a censoring group may also be a covariate
    both = fine_gray(data, "time", "status", ["treated", "older"], cause=2, cengroup="older")
    assert list(both.coefficients.index) == ["treated", "older"]
    check_column_argument(fine_gray, "cengroup", data)


def test_gray_test_needs_two_groups():
    data = _synthetic(100).assign(arm=1)
    with pytest.raises(DesignError, match="single value"):
        gray_test(data, "weeks", "exit", "arm")


def test_bad_arguments():
    data = _synthetic(100)
    with pytest.raises(ArgumentError, match="alpha"):
        cumulative_incidence(data, "weeks", "exit", alpha=1.5)
    with pytest.raises(ColumnError, match="'nope'"):
        cumulative_incidence(data, "weeks", "nope")
    with pytest.raises(ArgumentError, match="rho"):
        gray_test(data, "weeks", "exit", "arm", rho="a lot")
    with pytest.raises(ArgumentError, match="at least one covariate"):
        fine_gray(data, "weeks", "exit", [])
    with pytest.raises(DesignError, match="singular"):
        fine_gray(data.assign(one=1.0), "weeks", "exit", ["age", "one"])
    with pytest.raises(EvalkitError):
        cumulative_incidence(data.iloc[:0], "weeks", "exit")


def test_fine_gray_warns_when_it_does_not_converge():
    data = _synthetic(300, seed=2)
    data["sep"] = (data["exit"] == 1).astype(float) * 50  # separates exits of cause 1
    with pytest.warns(FragileDesignWarning, match="did not converge in 10 Newton-Raphson"):
        result = fine_gray(data, "weeks", "exit", ["sep"], cause=1)
    assert not result.converged


def test_doctests():
    failures, tried = doctest.testmod(competing, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried > 0 and failures == 0


def test_large_integer_data_is_quick():
    rng = np.random.default_rng(0)
    n = 200_000
    data = pd.DataFrame({"w": rng.integers(1, 521, n), "e": rng.integers(0, 4, n)})
    fit = cumulative_incidence(data, "w", "e")
    assert len(fit.table) == 3 * 520
    assert math.isfinite(fit.table["std_error"].iloc[-1])


def test_group_without_exits_has_zero_incidence():
    data = pd.DataFrame(
        {"t": [1, 2, 2, 3, 4, 5, 6], "e": [1, 2, 0, 1, 0, 0, 0], "g": list("aaaaabb")}
    )
    fit = cumulative_incidence(data, "t", "e", group="g")
    assert set(fit.table["group"]) == {"a"}
    got = fit.at([3, 5.5, 7], group="b")
    assert got["cumulative_incidence"].iloc[:2].tolist() == [0.0, 0.0]
    assert np.isnan(got["cumulative_incidence"].iloc[2])  # after b's last follow-up (6)
    assert "b" in fit.summary()
