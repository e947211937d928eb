"""evalkit.cace and evalkit.first_stage: 2SLS against estimatr::iv_robust, the Wald identity,
the weak-first-stage warning and one-sided non-compliance.

The reference values come from tests/reference/iv.R (make_iv_reference.sh), on synthetic
data generated there with a fixed seed and stored in iv.json.
"""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from _fixtures import assert_terms_match_r, reference

import evalkit
from evalkit.errors import DesignError, FragileDesignWarning

REFERENCE = reference("iv.json")
DATA = pd.DataFrame(REFERENCE["data"])
CASES = REFERENCE["cases"]


def _cace(data=DATA, **args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", evalkit.EvalkitWarning)
        return evalkit.cace(data, **args)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_iv_robust(case):
    assert_terms_match_r(_cace(**case["args"]), case)


def test_reference_covers_every_se_type_with_covariates_and_blocks():
    kinds = {(c["args"]["se_type"], "covariates" in c["args"], "blocks" in c["args"])
             for c in CASES}  # fmt: skip
    for se in ("HC0", "HC1", "HC2", "HC3", "CR0", "CR2", "stata"):
        assert (se, False, False) in kinds and (se, True, False) in kinds
        assert any(k[0] == se and k[2] for k in kinds)


@pytest.mark.parametrize("args", [{}, {"covariates": ["x1", "x2"]}, {"blocks": "block"},
                                  {"covariates": "x1", "weights": "wt"}])  # fmt: skip
def test_cace_is_itt_over_first_stage(args):
    result = _cace(outcome="y", treatment="treat", takeup="takeup", **args)
    assert result.estimate == pytest.approx(result.itt.estimate / result.first_stage.estimate)
    assert result.first_stage_f == pytest.approx(
        (result.first_stage.estimate / result.first_stage.std_error) ** 2
    )


def test_wald_estimator_without_covariates():
    d = DATA
    treated, control = d[d["treat"] == 1], d[d["treat"] == 0]
    itt = treated["y"].mean() - control["y"].mean()
    fs = treated["takeup"].mean() - control["takeup"].mean()
    result = _cace(outcome="y", treatment="treat", takeup="takeup")
    assert result.estimate == pytest.approx(itt / fs, rel=1e-12)
    assert result.takeup_treated == pytest.approx(treated["takeup"].mean())
    assert result.takeup_control == pytest.approx(control["takeup"].mean())
    assert not result.one_sided and "two-sided" in result.method
    assert evalkit.first_stage(d, "takeup", "treat").estimate == pytest.approx(fs)


def test_first_stage_design_based_and_regression():
    design = evalkit.first_stage(DATA, "takeup", "treat", blocks="block")
    dim = evalkit.difference_in_means(DATA, "takeup", "treat", blocks="block")
    assert design.estimate == pytest.approx(dim.estimate)
    assert design.std_error == pytest.approx(dim.std_error)
    assert design.method.startswith("First stage")
    hc1 = evalkit.first_stage(DATA, "takeup", "treat", se_type="HC1")
    cace = _cace(outcome="y", treatment="treat", takeup="takeup", se_type="HC1")
    assert hc1.std_error == pytest.approx(cace.first_stage.std_error)


def test_one_sided_noncompliance_is_named_and_checked():
    result = _cace(outcome="y1", treatment="treat", takeup="takeup1", one_sided=True)
    assert result.one_sided and "one-sided" in result.method
    assert result.takeup_control == 0
    with pytest.raises(DesignError, match="one_sided=True"):
        evalkit.cace(DATA, "y", "treat", "takeup", one_sided=True)


def test_weak_first_stage_warns():
    rng = np.random.default_rng(1)
    t = np.r_[np.ones(100, int), np.zeros(100, int)]
    d = (rng.uniform(size=200) < np.where(t == 1, 0.12, 0.08)).astype(int)
    data = pd.DataFrame({"y": rng.normal(size=200) + d, "t": t, "d": d})
    with pytest.warns(FragileDesignWarning, match="weak first stage"):
        result = evalkit.cace(data, "y", "t", "d")
    assert result.first_stage_f < 10


def test_surface_frame_and_views():
    result = _cace(outcome="y", treatment="treat", takeup="takeup", covariates="x1")
    frame = result.to_frame()
    assert frame["term"].tolist() == ["(Intercept)", "takeup", "x1"]
    assert frame["n_treated"].iloc[0] == result.n_treated == int(DATA["treat"].sum())
    assert evalkit.output.declaration(frame) is not None
    text = result.summary()
    assert "First stage" not in text or "F =" in text
    assert "F =" in text and "ITT" in text
    assert result._repr_html_().startswith("<")
    assert math.isfinite(result.first_stage_f)


def test_bad_takeup():
    with pytest.raises(DesignError, match="0/1"):
        evalkit.cace(DATA.assign(takeup=DATA["takeup"] * 2), "y", "treat", "takeup")
    with pytest.raises(evalkit.errors.ArgumentError):
        evalkit.cace(DATA, "y", "treat", "takeup", covariates="takeup")


def test_takeup_without_variation_is_named():
    for value in (0, 1):
        frame = DATA.assign(takeup=value)
        for call in (evalkit.cace, evalkit.first_stage):
            args = (
                (frame, "y", "treat", "takeup")
                if call is evalkit.cace
                else (frame, "takeup", "treat")
            )
            with pytest.raises(DesignError, match="'takeup' has no variation"):
                call(*args)
