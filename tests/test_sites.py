"""Multi-site pooling (evalkit.effects.sites) against R metafor (tests/reference/sites.json)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import evalkit
from evalkit.effects import pool_sites, pool_sites_from_data
from evalkit.effects.sites import SitePooling
from evalkit.output import declaration

REF = json.loads((Path(__file__).parent / "reference" / "sites.json").read_text())
CASES = ["bcg", "bcg_90", "normand1999", "warpbreaks", "npk"]
SCALARS = ["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high", "tau2",
           "i2", "pi_low", "pi_high"]  # fmt: skip
R_NAMES = {"i2": "I2"}


def close(a, b, tol=1e-6):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    np.testing.assert_allclose(a, b, rtol=tol, atol=1e-10)


def fit(name, method):
    case = REF[name]
    if "data" in case:
        data = pd.DataFrame(case["data"])
        return pool_sites_from_data(data, "y", "t", "site", method=method, alpha=case["alpha"])
    return pool_sites(case["yi"], case["sei"], sites=case["sites"], method=method,
                      alpha=case["alpha"])  # fmt: skip


@pytest.mark.parametrize("method", ["FE", "DL", "REML"])
@pytest.mark.parametrize("name", CASES)
def test_matches_metafor(name, method):
    ref = REF[name]["models"][method]
    r = fit(name, method)
    assert isinstance(r, SitePooling) and r.method == method
    close(r.site_estimates, REF[name]["yi"])
    close(r.site_std_errors, REF[name]["sei"])
    close(r.estimate, ref["estimate"])
    close(r.std_error, ref["std_error"])
    close(r.statistic, ref["statistic"])
    close(r.p_value, ref["p_value"])
    close(r.conf_int, (ref["conf_low"], ref["conf_high"]))
    close(r.tau2, ref["tau2"])
    close(r.i2, ref["I2"])
    close(r.h2, ref["H2"])
    close(r.q, ref["Q"])
    close(r.q_p_value, ref["Q_p"])
    assert r.q_df == ref["Q_df"]
    close(r.weights, ref["weights"])
    close(r.blup, ref["blup"])
    close(r.blup_std_error, ref["blup_se"])
    close(r.blup_int[:, 0], ref["blup_low"])
    close(r.blup_int[:, 1], ref["blup_high"])
    if method != "FE":  # metafor 3.8 gives no prediction interval for the FE model
        close(r.pred_int, (ref["pi_low"], ref["pi_high"]))
        t = pool_sites(r.site_estimates, r.site_std_errors, method=method, alpha=r.alpha,
                       prediction="t")  # fmt: skip
        close(t.pred_int, (ref["pi_t_low"], ref["pi_t_high"]))
    else:
        assert r.pred_int == r.conf_int
    # Q-profile intervals of tau2, I2, H2 (metafor confint, untruncated), any method
    close(r.tau2_int, REF[name]["tau2_ci"])
    close(r.i2_int, REF[name]["i2_ci"])
    close(r.h2_int, REF[name]["h2_ci"])
    # every model is in models and in the pooled rows of to_frame
    for m in ("FE", "DL", "REML"):
        other = REF[name]["models"][m]
        for column in SCALARS:
            if m == "FE" and column.startswith("pi_"):
                continue
            close(r.models.loc[m, column], other[R_NAMES.get(column, column)])


def test_from_data_keeps_counts_and_declares_them():
    case = REF["warpbreaks"]
    r = fit("warpbreaks", "REML")
    assert r.n_treated == tuple(case["n_treated"]) and r.n_control == tuple(case["n_control"])
    frame = r.to_frame()
    assert frame["term"].tolist() == [*case["sites"], "Fixed effect", "Random effects (DL)",
                                      "Random effects (REML)"]  # fmt: skip
    info = declaration(frame)
    assert set(info["counts"]) == {"n_treated", "n_control", "min_arm"}
    pooled = frame[frame["row"] == "pooled"]
    assert (pooled["min_arm"] == min(case["n_treated"] + case["n_control"])).all()
    close(pooled["estimate"].iloc[2], r.estimate)
    assert len(r.site_results) == 3


def test_published_declares_no_counts():
    r = fit("bcg", "DL")
    frame = r.to_frame()
    assert declaration(frame)["counts"] == []
    assert "n_treated" not in frame.columns
    assert not r._view_control().suppressed
    text = r.summary()
    assert "random effects, DL" in text and "tau2" in text and "Q =" in text
    assert "<table" in r._repr_html_()


def test_small_site_suppresses_views_and_pooled_rows():
    npk = fit("npk", "REML")  # arms of 2 plots per block
    assert npk._view_control().suppressed
    assert f"{npk.estimate:.6g}" not in npk.summary()
    assert "Numbers suppressed (x)" in npk.summary()
    assert npk.estimate == pytest.approx(REF["npk"]["models"]["REML"]["estimate"], rel=1e-6)


@pytest.mark.parametrize("lang", ["en", "da"])
def test_plot_has_the_pooled_diamond(lang):
    import matplotlib.pyplot as plt

    r = fit("bcg", "REML")
    fig = r.plot(lang=lang)
    ax = fig.axes[0]
    assert [p for p in ax.patches if p.get_gid() == "pooled"]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    word = "Samlet" if lang == "da" else "Pooled"
    assert ticks[-1].startswith(word) and ticks[0] == REF["bcg"]["sites"][0]
    (line,) = [ln for ln in ax.lines if ln.get_gid() == "prediction"]
    np.testing.assert_allclose(line.get_xdata(), r.pred_int)
    assert ax.get_xlim()[0] < r.pred_int[0] and ax.get_xlim()[1] > r.pred_int[1]
    (note,) = [t for t in ax.texts if t.get_gid() == "note"]
    tau2 = "0,313 [0,120; 1,111]" if lang == "da" else "0.313 [0.120, 1.111]"
    assert f"τ² = {tau2}" in note.get_text()
    assert ("92 % [82; 98]" if lang == "da" else "92% [82, 98]") in note.get_text()
    plt.close(fig)
    fe = fit("bcg", "FE").plot(lang=lang)  # FE: no prediction line, no tau2 note
    assert not [ln for ln in fe.axes[0].lines if ln.get_gid() == "prediction"]
    assert not [t for t in fe.axes[0].texts if t.get_gid() == "note"]
    plt.close(fe)
    small = fit("npk", "REML").plot(lang=lang)  # every site suppressed: so is the diamond
    assert not [p for p in small.axes[0].patches if p.get_gid() == "pooled"]
    assert not [ln for ln in small.axes[0].lines if ln.get_gid() == "prediction"]
    assert not [t for t in small.axes[0].texts if t.get_gid() == "note"]
    plt.close(small)


def test_errors_and_exports():
    with pytest.raises(evalkit.EvalkitError):
        pool_sites([0.1], [0.1])
    with pytest.raises(evalkit.EvalkitError):
        pool_sites([0.1, 0.2], [0.1, 0.0])
    with pytest.raises(evalkit.EvalkitError):
        pool_sites([0.1, 0.2], [0.1, 0.1], method="ML")
    with pytest.raises(evalkit.EvalkitError):
        pool_sites([0.1, 0.2], [0.1, 0.1], sites=["a"])
    assert evalkit.pool_sites is pool_sites
    assert evalkit.pool_sites_from_data is pool_sites_from_data
