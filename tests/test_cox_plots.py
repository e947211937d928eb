"""Residual plots of a Cox model (evalkit.report.cox_plots): functional form, influence."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402
from statsmodels.nonparametric.smoothers_lowess import lowess  # noqa: E402

import evalkit.report as report  # noqa: E402
from evalkit.errors import ArgumentError  # noqa: E402
from evalkit.output.gate import figure_texts, gate_figure  # noqa: E402
from evalkit.report import DisclosureError, functional_form_plot, influence_plot  # noqa: E402
from evalkit.report.labels import label, term  # noqa: E402
from evalkit.survival import cox  # noqa: E402


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    """Synthetic spells (not real data): the log hazard is quadratic in age."""
    rng = np.random.default_rng(7)
    n = 300
    d = pd.DataFrame({"age": rng.uniform(20, 60, n), "treated": rng.integers(0, 2, n)})
    d["income"] = rng.normal(200, 40, n)
    lin = ((d["age"] - 40) / 10) ** 2 - 0.4 * d["treated"]
    weeks = np.ceil(rng.exponential(30 * np.exp(-lin)))
    d["exit"] = (weeks <= 52).astype(int)
    d["weeks"] = np.clip(weeks, 1, 52)
    d.index = pd.RangeIndex(100, 100 + n)  # labels that are not positions
    return d


@pytest.fixture(scope="module")
def fit(data):
    return cox(data, "weeks", "exit", covariates=["age", "treated"])


def _artists(fig, gid):
    return [a for a in fig.findobj() if a.get_gid() == gid]


@pytest.mark.parametrize("lang", ["en", "da"])
def test_functional_form_labels(fit, lang):
    fig = functional_form_plot(fit, "age", lang=lang)
    ax = fig.axes[0]
    assert ax.get_ylabel() == label("martingale_residual_null", lang)
    texts = figure_texts(fig)
    assert label("residual_bin_note", lang, t=5) in texts
    assert label("lowess_smooth", lang) in texts
    assert label("residual_bin_mean", lang, t=5) in texts
    other = "da" if lang == "en" else "en"
    assert label("martingale_residual_null", other) not in texts
    fitted = functional_form_plot(fit, "age", model="fitted", lang=lang)
    assert fitted.axes[0].get_ylabel() == label("martingale_residual", lang)


def test_functional_form_exact_draws_every_point_and_the_lowess(fit, data):
    fig = functional_form_plot(fit, "age", disclosure=None)
    (points,) = _artists(fig, "residual_point")
    (line,) = _artists(fig, "lowess")
    null = cox(data, "weeks", "exit", covariates=["age", "treated"])
    from dataclasses import replace

    resid = replace(null, coefficients=np.zeros(2)).residuals("martingale")["residual"]
    # null-model martingale residuals: event indicator minus the Nelson-Aalen hazard
    assert abs(resid.sum()) < 1e-9
    offsets = points.get_offsets()
    assert len(offsets) == len(data)
    order = np.argsort(data["age"].to_numpy(), kind="stable")
    np.testing.assert_allclose(offsets[:, 0], data["age"].to_numpy()[order])
    np.testing.assert_allclose(offsets[:, 1], resid.to_numpy()[order])
    expected = lowess(resid.to_numpy()[order], data["age"].to_numpy()[order], frac=2 / 3)
    np.testing.assert_allclose(line.get_ydata(), expected[:, 1])
    assert not _artists(fig, "disclosure_note")


def test_functional_form_null_smooth_shows_the_quadratic(fit):
    """The data's log hazard is U-shaped in age: the smooth of the null residuals is
    higher at both ends than in the middle (T&G ch. 5)."""
    fig = functional_form_plot(fit, "age", disclosure=None)
    (line,) = _artists(fig, "lowess")
    x, y = line.get_xdata(), line.get_ydata()
    middle = y[np.argmin(np.abs(x - 40))]
    assert y[0] > middle + 0.2 and y[-1] > middle + 0.2


def test_functional_form_bins_rest_on_enough_persons(fit, data):
    fig = functional_form_plot(fit, "age", disclosure=5, bins=100)
    (bins,) = _artists(fig, "residual_bin")
    means = bins.get_offsets()
    ages = np.sort(data["age"].to_numpy())
    # every bin mean is the mean of >= 5 consecutive persons: 300 persons, at most 60 bins
    assert 2 <= len(means) <= len(data) // 5
    assert means[0, 0] > ages[0] and means[-1, 0] < ages[-1]
    (line,) = _artists(fig, "lowess")
    # the smooth never reaches the smallest or largest person's value
    assert line.get_xdata().min() >= means[0, 0] and line.get_xdata().max() <= means[-1, 0]
    assert not _artists(fig, "residual_point")


def test_functional_form_bins_count_distinct_persons(fit, data):
    """With id=, two rows of one person count once: fewer, larger bins."""
    rank = np.argsort(np.argsort(data["age"].to_numpy(), kind="stable"), kind="stable")
    pairs = rank // 2  # neighbours in age are one person
    rows = functional_form_plot(fit, "age", bins=100)
    persons = functional_form_plot(fit, "age", bins=100, id=pairs)
    n_rows = len(_artists(rows, "residual_bin")[0].get_offsets())
    n_persons = len(_artists(persons, "residual_bin")[0].get_offsets())
    assert n_persons < n_rows


def test_functional_form_covariate_outside_the_model(data, fit):
    fig = functional_form_plot(fit, "income", data=data, disclosure=None)
    (points,) = _artists(fig, "residual_point")
    np.testing.assert_allclose(np.sort(points.get_offsets()[:, 0]), np.sort(data["income"]))
    assert fig.axes[0].get_xlabel() == "income"
    with pytest.raises(ArgumentError, match="not a numeric covariate of the fit"):
        functional_form_plot(fit, "income")
    with pytest.raises(ArgumentError, match="same \\(unique\\) index labels"):
        functional_form_plot(fit, "income", data=data.reset_index(drop=True))


def test_influence_exact_draws_the_dfbeta(fit, data):
    fig = influence_plot(fit, disclosure=None)
    assert len(fig.axes) == 2
    dfbeta = fit.residuals("dfbeta")
    for ax, name in zip(fig.axes, fit.terms, strict=True):
        (lines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
        tops = np.array([seg[1, 1] for seg in lines.get_segments()])
        np.testing.assert_allclose(tops, dfbeta[name].to_numpy())
        assert ax.get_ylabel() == label("dfbeta_of", "en", term=term(name))
    scaled = influence_plot(fit, disclosure=None, terms="age", scaled=True)
    assert len(scaled.axes) == 1
    assert scaled.axes[0].get_ylabel() == label("dfbetas_of", "en", term=term("age"))


@pytest.mark.parametrize("lang", ["en", "da"])
def test_influence_binned(fit, data, lang):
    fig = influence_plot(fit, lang=lang, bins=40)
    dfbeta = fit.residuals("dfbeta")["age"].to_numpy()
    bars = [b for b in _artists(fig, "dfbeta_mean") if b.axes is fig.axes[0]]
    assert len(bars) <= len(data) // 5
    heights = np.array([b.get_height() for b in bars])
    # the bins cut the rows in order: their means weighted by their sizes give the mean
    widths = np.array([b.get_width() for b in bars]) / 0.9
    assert widths.min() >= 5 - 1e-9
    np.testing.assert_allclose((heights * widths).sum() / widths.sum(), dfbeta.mean(), atol=1e-12)
    texts = figure_texts(fig)
    assert label("observation_number", lang) in texts
    assert label("dfbeta_bin_rms", lang) in texts
    assert label("residual_bin_note", lang, t=5) in texts
    assert not _artists(fig, "dfbeta_point")


def test_gate_refuses_person_level_figures_from_register_data(fit):
    figures = (
        functional_form_plot(fit, "age", disclosure=None),
        influence_plot(fit, disclosure=None),
    )
    for fig in figures:
        with pytest.raises(DisclosureError, match="disclosure control off"):
            gate_figure(fig, "residuals.png")
        record = gate_figure(fig, "residuals.png", source="synthetic")
        assert record.status == "pass: not controlled (synthetic data)"


def test_gate_passes_binned_figures_and_checks_their_threshold(fit):
    for fig in (functional_form_plot(fit, "age"), influence_plot(fit)):
        record = gate_figure(fig, "residuals.png")
        assert "counts controlled by the plot at threshold 5" in record.checks
    low = functional_form_plot(fit, "age", disclosure=3)
    with pytest.raises(DisclosureError, match="threshold of 3"):
        gate_figure(low, "residuals.png")


def test_errors(fit, data):
    with pytest.raises(ArgumentError, match="CoxResult"):
        functional_form_plot(data, "age")
    with pytest.raises(ArgumentError, match="CoxResult"):
        influence_plot("fit")
    with pytest.raises(ArgumentError, match="fewer than 3 values"):
        functional_form_plot(fit, "treated")
    with pytest.raises(ArgumentError, match="model"):
        functional_form_plot(fit, "age", model="full")
    with pytest.raises(ArgumentError, match="lang"):
        influence_plot(fit, lang="de")
    with pytest.raises(ArgumentError, match="disclosure"):
        influence_plot(fit, disclosure=1)
    with pytest.raises(ArgumentError, match="terms must name"):
        influence_plot(fit, terms=["sex"])
    with pytest.raises(ArgumentError, match="id must give"):
        influence_plot(fit, id=[1, 2, 3])
    with pytest.raises(ArgumentError, match="frac"):
        functional_form_plot(fit, "age", frac=0.0)
    small = cox(data.iloc[:8], "weeks", "exit", covariates=["age"])
    with pytest.raises(ArgumentError, match="lowess value would rest on fewer than 5"):
        functional_form_plot(small, "age", frac=0.5)
    tiny = cox(data.iloc[:4], "weeks", "exit", covariates=["age"])
    with pytest.raises(ArgumentError, match="fewer than the disclosure threshold"):
        influence_plot(tiny)
    exact = cox(data, "weeks", "exit", covariates=["age"], ties="exact")
    with pytest.raises(ArgumentError, match="exact"):
        influence_plot(exact)
    # the null-model plot works for an exact-ties fit (martingale residuals only)
    assert _artists(functional_form_plot(exact, "age"), "lowess")


def test_exported():
    assert {"functional_form_plot", "influence_plot"} <= set(report.__all__)
    assert report.functional_form_plot is functional_form_plot


def test_lowess_in_binned_mode_uses_every_observation(fit, data):
    exact = functional_form_plot(fit, "age", disclosure=None)
    binned = functional_form_plot(fit, "age")
    (full,) = _artists(exact, "lowess")
    (part,) = _artists(binned, "lowess")
    keep = np.isin(full.get_xdata(), part.get_xdata())
    np.testing.assert_allclose(full.get_ydata()[keep], part.get_ydata())
    assert isinstance(_artists(binned, "residual_bin")[0], PathCollection)
