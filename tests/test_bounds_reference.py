"""evalkit.lee_bounds and evalkit.manski_bounds against the R package attrition 1.0.0.

The reference values come from tests/reference/bounds.R (make_bounds_reference.sh):
attrition's estimator_trim (Lee 2009 trimming bounds, analytic standard errors,
Imbens-Manski interval) and estimator_ev (Manski bounds), on synthetic data generated
there with a fixed seed and stored in bounds.json.

Where the two keep the same mass of the trimmed arm (``(1 - p) m`` a whole number) they
agree to 1e-6 (in fact ~1e-14). The differences, each reproduced here from the data:

- attrition keeps whole persons: its upper bound keeps the person straddling the cut in
  full (``m - floor(p m)`` persons), its lower bound drops that person
  (``ceil((1 - p) m) - 1`` persons, one fewer than its upper bound even when ``p m`` is a
  whole number). evalkit keeps exactly ``(1 - p) m``, the person at the cut with a
  fractional weight (the mean of the trimmed distribution, Lee 2009 Proposition 1).
- attrition trims the treated arm only (NA when the control arm is observed more often);
  evalkit trims whichever arm is observed more often. bounds.R runs attrition with the
  arms swapped for those cases, and on ``-y`` for the lower bound under the upper bound's
  rule.
- estimator_ev's standard error of a Manski bound uses ``(SS + s_obs^2) / n^2`` per arm
  (``SS`` the sum of squares of the imputed outcomes, ``s_obs`` the SD of the observed
  ones), evalkit Neyman's ``SS / ((n - 1) n)``.
- attrition has no tightening covariate for trimming bounds: bounds.R averages its
  within-cell bounds with Lee's weights; the standard errors (evalkit's bootstrap) are
  not compared.
"""

from __future__ import annotations

import json
import math
import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.effects.attrition import imbens_manski_interval, lee_bounds, manski_bounds

REFERENCE = json.loads((Path(__file__).parent / "reference" / "bounds.json").read_text())
DATA = {name: pd.DataFrame(columns) for name, columns in REFERENCE["datasets"].items()}
CASES = REFERENCE["cases"]
LEE = [c for c in CASES if c["kind"] == "lee"]
TIGHTENED = [c for c in CASES if c["kind"] == "lee_tightened"]
MANSKI = [c for c in CASES if c["kind"] == "manski"]
RTOL = 1e-6


def _close(ours, theirs, what):
    assert ours == pytest.approx(theirs, rel=RTOL, abs=0), f"{what}: evalkit {ours!r}, R {theirs!r}"


def _arms(case):
    """Observed outcomes of the trimmed arm (high) and the other arm (low), arm sizes."""
    d = DATA[case["dataset"]]
    treated, seen = d["t"].to_numpy() == 1, d["seen"].to_numpy() == 1
    y = d["y"].to_numpy(dtype=float)
    high = treated if case["r"]["trimmed_arm"] == "treatment" else ~treated
    return y[seen & high], y[seen & ~high], int(high.sum()), int((~high).sum())


def _kept_mass(case) -> Fraction:
    """``(1 - p) m_high = m_low n_high / n_low`` exactly."""
    y_high, y_low, n_high, n_low = _arms(case)
    return Fraction(len(y_low) * n_high, n_low)


def _whole(values, k, keep):
    """attrition's trimmed mean: the ``k`` lowest (keep="low") or highest observed
    outcomes, their variance (ddof=0) and the outermost kept value (the cut)."""
    y = np.sort(values)
    kept = y[:k] if keep == "low" else y[len(y) - k :]
    cut = kept[-1] if keep == "low" else kept[0]
    return kept.mean(), kept.var(), cut


def _attrition_se(case, k, keep):
    """estimator_trim's analytic SE (Lee 2009, Proposition 3) with ``k`` persons kept."""
    y_high, y_low, n_high, n_low = _arms(case)
    p = float(1 - _kept_mass(case) / len(y_high))
    q_high, q_low = len(y_high) / n_high, len(y_low) / n_low
    mean, var, cut = _whole(y_high, k, keep)
    share_term = (1 - q_high) / (q_high * n_high) + (1 - q_low) / (q_low * n_low)
    v = var / k + (cut - mean) ** 2 * p / k + (cut - mean) ** 2 * share_term
    return mean, math.sqrt(v + y_low.var() / len(y_low))


def _lee(case):
    return lee_bounds(DATA[case["dataset"]], **case["args"])


# --------------------------------------------------------------------- Lee: agreement
@pytest.mark.parametrize("case", LEE, ids=[c["name"] for c in LEE])
def test_trimming_share_and_arm(case):
    ours = _lee(case)
    r = case["r"]["arms_as_trimmed"]
    assert ours.trimmed_arm == case["r"]["trimmed_arm"]
    _close(ours.trimming, r["Q"], "trimming share")
    assert r["treat_group_N"] == len(_arms(case)[0])  # persons observed in the trimmed arm


WHOLE = [c for c in LEE if _kept_mass(c).denominator == 1]
FRACTIONAL = [c for c in LEE if _kept_mass(c).denominator != 1]


def test_cases_cover_both_arms_ties_and_fractions():
    names = {c["name"] for c in WHOLE}
    assert {"treated_more", "control_more", "ties_at_cut", "equal_rates"} <= names
    assert {c["name"] for c in FRACTIONAL} >= {"fractional", "ties_fractional"}
    assert {c["r"]["trimmed_arm"] for c in WHOLE} == {"treatment", "control"}


@pytest.mark.parametrize("case", WHOLE, ids=[c["name"] for c in WHOLE])
def test_lee_matches_attrition_when_the_kept_mass_is_whole(case):
    """(1 - p) m whole: attrition's upper-bound rule keeps exactly that many persons and
    bounds, SEs and the Imbens-Manski interval agree to 1e-6."""
    ours, r = _lee(case), case["r"]
    k = _kept_mass(case)
    assert r["arms_as_trimmed"]["n_keep_U"] == k and r["minus_y"]["n_keep_U"] == k
    pair = r["upper_rule"]
    for name in ("lower", "upper", "se_lower", "se_upper"):
        _close(getattr(ours, name), pair[name], name)
    _close(ours.conf_int[0], pair["conf_int"][0], "conf_int low")
    _close(ours.conf_int[1], pair["conf_int"][1], "conf_int high")
    # the bound attrition computes directly with its upper-bound rule
    direct = r["arms_as_trimmed"]
    if case["r"]["trimmed_arm"] == "treatment":
        _close(ours.upper, direct["upper_bound"], "upper (as shipped)")
        _close(ours.se_upper, direct["upper_se"], "se_upper (as shipped)")
    else:
        _close(ours.lower, -direct["upper_bound"], "lower (arms swapped)")
        _close(ours.se_lower, direct["upper_se"], "se_lower (arms swapped)")


def test_equal_rates_agree_with_attrition_as_shipped():
    """p = 0: nothing is trimmed, attrition's lower-bound rule keeps everyone too and its
    output as shipped is evalkit's (attrition warns that the SEs are unreliable)."""
    (case,) = [c for c in LEE if c["name"] == "equal_rates"]
    ours, shipped = _lee(case), case["r"]["shipped"]
    assert ours.trimming == 0 and shipped["Q"] == 0
    for ours_value, name in (
        (ours.lower, "lower_bound"),
        (ours.upper, "upper_bound"),
        (ours.se_lower, "lower_se"),
        (ours.se_upper, "upper_se"),
        (ours.conf_int[0], "ci_lower"),
        (ours.conf_int[1], "ci_upper"),
    ):
        _close(ours_value, shipped[name], name)


# ------------------------------------------------------------ Lee: the differences
@pytest.mark.parametrize("case", LEE, ids=[c["name"] for c in LEE])
def test_attrition_keeps_whole_persons(case):
    """attrition's counts follow from its rules (cumulative share > Q for the upper bound,
    < 1 - Q for the lower), and its bounds and SEs are the whole-person trimmed means and
    Lee's formula with those counts."""
    r = case["r"]
    a, minus = r["arms_as_trimmed"], r["minus_y"]
    y_high, y_low, _, _ = _arms(case)
    m, k = len(y_high), _kept_mass(case)
    share = 1 - k / m
    keep_upper = m - math.floor(share * m)  # positions j with j / m > p
    keep_lower = math.ceil(k) - 1 if share > 0 else m  # positions j with j / m < 1 - p
    assert a["n_keep_U"] == keep_upper and minus["n_keep_U"] == keep_upper
    assert a["n_keep_L"] == keep_lower
    sign = 1 if r["trimmed_arm"] == "treatment" else -1
    other = y_low.mean()
    high_mean, high_se = _attrition_se(case, keep_upper, "high")
    low_mean, low_se = _attrition_se(case, keep_upper, "low")
    _close(a["upper_bound"], high_mean - other, "upper bound (trimmed arm minus other)")
    _close(a["upper_se"], high_se, "upper SE")
    _close(minus["upper_bound"], other - low_mean, "upper bound of -y")
    _close(minus["upper_se"], low_se, "upper SE of -y")
    shipped_low, shipped_se = _attrition_se(case, keep_lower, "low")
    _close(a["lower_bound"], shipped_low - other, "lower bound (its own rule)")
    _close(a["lower_se"], shipped_se, "lower SE (its own rule)")
    if sign == -1:  # estimator_trim as shipped: NA when the control arm is observed more
        assert r["shipped"]["lower_bound"] is None and r["shipped"]["upper_bound"] is None


@pytest.mark.parametrize("case", FRACTIONAL, ids=[c["name"] for c in FRACTIONAL])
def test_fractional_cut_orders_the_conventions(case):
    """(1 - p) m fractional: attrition's upper-bound rule keeps the straddling person in
    full, so its bounds lie inside evalkit's; its lower-bound rule drops that person, so
    its lower bound lies below evalkit's."""
    ours, r = _lee(case), case["r"]
    pair, shipped = r["upper_rule"], r["shipped"]
    assert ours.lower < pair["lower"] <= pair["upper"] < ours.upper
    assert shipped["lower_bound"] < ours.lower
    _close(shipped["upper_bound"], pair["upper"], "upper bound as shipped")
    # the differences are a fraction of a standard error
    assert abs(ours.lower - pair["lower"]) < 0.05 * ours.se_lower
    assert abs(ours.upper - pair["upper"]) < 0.05 * ours.se_upper
    assert abs(ours.se_lower / pair["se_lower"] - 1) < 0.01


def test_attrition_counts_depend_on_floating_point():
    """10 treated all observed, 8 of 10 controls: p = 0.2, (1 - p) m = 8 persons. In
    floating point attrition's Q is 1 - 0.8 = 0.19999999999999996 and the cumulative
    share of the second person 0.2 > Q, so it keeps 9 persons for the upper bound (and 7
    for the lower); evalkit keeps 8 on both sides."""
    (case,) = [c for c in CASES if c["kind"] == "lee_float"]
    ours, a = _lee(case), case["r"]["arms_as_trimmed"]
    assert _kept_mass(case) == 8 and (a["n_keep_U"], a["n_keep_L"]) == (9, 7)
    assert (ours.lower, ours.upper) == (0.0, 2.0)  # (1+...+8)/8 - 4.5, (3+...+10)/8 - 4.5
    assert (a["lower_bound"], a["upper_bound"]) == (-0.5, 1.5)  # 1..7 and 2..10
    assert (case["r"]["upper_rule"]["lower"], case["r"]["upper_rule"]["upper"]) == (0.5, 1.5)


@pytest.mark.parametrize("case", LEE, ids=[c["name"] for c in LEE])
def test_bounds_of_minus_y(case):
    """Trimming bounds of -y should be minus those of y, swapped: evalkit's are; attrition's
    are not unless nothing is trimmed (its two rules keep different numbers of persons)."""
    d = DATA[case["dataset"]]
    ours, flipped = _lee(case), lee_bounds(d.assign(y=-d["y"]), **case["args"])
    assert flipped.lower == pytest.approx(-ours.upper, rel=1e-12)
    assert flipped.upper == pytest.approx(-ours.lower, rel=1e-12)
    assert flipped.se_lower == pytest.approx(ours.se_upper, rel=1e-12)
    a, minus = case["r"]["arms_as_trimmed"], case["r"]["minus_y"]
    if a["Q"] > 0:
        assert minus["lower_bound"] != pytest.approx(-a["upper_bound"], rel=1e-3)


@pytest.mark.parametrize("case", LEE, ids=[c["name"] for c in LEE])
def test_imbens_manski_interval_of_attritions_bounds(case):
    """evalkit's Imbens-Manski interval from attrition's bounds and SEs is attrition's."""
    alpha = case["args"]["alpha"]
    pair = case["r"]["upper_rule"]
    low, high = imbens_manski_interval(
        pair["lower"], pair["upper"], pair["se_lower"], pair["se_upper"], alpha
    )
    _close(low, pair["conf_int"][0], "IM low")
    _close(high, pair["conf_int"][1], "IM high")
    shipped = case["r"]["shipped"]
    if shipped["lower_bound"] is not None:
        low, high = imbens_manski_interval(
            shipped["lower_bound"],
            shipped["upper_bound"],
            shipped["lower_se"],
            shipped["upper_se"],
            alpha,
        )
        _close(low, shipped["ci_lower"], "IM low (as shipped)")
        _close(high, shipped["ci_upper"], "IM high (as shipped)")


# --------------------------------------------------------------------- tightening
@pytest.mark.parametrize("case", TIGHTENED, ids=[c["name"] for c in TIGHTENED])
def test_tightened_bounds_match_attrition_within_cells(case):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no cell reverses the order of the arms
        ours = lee_bounds(DATA[case["dataset"]], **case["args"], n_boot=50, seed=1)
    r = case["r"]
    _close(ours.lower, r["lower"], "tightened lower")
    _close(ours.upper, r["upper"], "tightened upper")
    cells = ours.cells.set_index("cell")
    for cell in r["cells"]:
        assert cell["trimmed_arm"] == ours.trimmed_arm
        row = cells.loc[cell["cell"]]
        for name in ("weight", "trimming", "low_mean", "high_mean"):
            _close(row[name], cell[name], f"cell {cell['cell']} {name}")


# --------------------------------------------------------------------- Manski
def _manski_variances(case):
    """Per bound: evalkit's Neyman variance and estimator_ev's, from the imputed data."""
    d, a = DATA[case["dataset"]], case["args"]
    treated = d["t"].to_numpy() == 1
    seen, y = d["seen"].to_numpy() == 1, d["y"].to_numpy(dtype=float)
    out = {}
    for bound, fill in (("lower", (a["lo"], a["hi"])), ("upper", (a["hi"], a["lo"]))):
        neyman = theirs = 0.0
        for arm, value in ((treated, fill[0]), (~treated, fill[1])):
            v = np.where(seen[arm], y[arm], value)
            n, ss = len(v), ((v - v.mean()) ** 2).sum()
            neyman += ss / ((n - 1) * n)
            theirs += (ss + y[arm & seen].var(ddof=1)) / n**2
        out[bound] = neyman, theirs
    return out


@pytest.mark.parametrize("case", MANSKI, ids=[c["name"] for c in MANSKI])
def test_manski_bounds_match_estimator_ev(case):
    ours, r = manski_bounds(DATA[case["dataset"]], **case["args"]), case["r"]
    _close(ours.lower, r["low_est"], "lower")
    _close(ours.upper, r["upp_est"], "upper")
    variances = _manski_variances(case)
    for bound, se, theirs in (
        ("lower", ours.se_lower, r["low_var"]),
        ("upper", ours.se_upper, r["upp_var"]),
    ):
        neyman, estimator_ev = variances[bound]
        assert se**2 == pytest.approx(neyman, rel=1e-12)
        _close(estimator_ev, theirs, f"{bound} variance reproduced as estimator_ev's")
        assert abs(se**2 / theirs - 1) < 0.005  # the conventions differ by O(1/n)
    # the Imbens-Manski interval: evalkit's on R's variances is R's
    low, high = imbens_manski_interval(
        r["low_est"],
        r["upp_est"],
        math.sqrt(r["low_var"]),
        math.sqrt(r["upp_var"]),
        case["args"]["alpha"],
    )
    _close(low, r["ci_lower"], "IM low")
    _close(high, r["ci_upper"], "IM high")
