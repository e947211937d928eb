"""Report figures: labels (en/da), artists, risk tables, disclosure, numbers and errors.

Every test renders headless (Agg, set in conftest) and reads the drawn artists back.
"""

from __future__ import annotations

import importlib.util

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from scipy import stats

from evalkit.effects import wilson_interval
from evalkit.errors import ArgumentError, ColumnError, TreatmentError
from evalkit.panel import StatusPanel
from evalkit.report.consort import ConsortArm, ConsortCounts, consort_diagram
from evalkit.report.disclosure import DisclosureError
from evalkit.report.labels import (
    NumberFormatter,
    format_count,
    format_interval,
    format_number,
    format_percent,
    label,
)
from evalkit.report.plots import (
    cumulative_incidence_plot,
    forest_plot,
    funnel_plot,
    series_plot,
    share_by_week,
    share_plot,
    survival_plot,
)
from evalkit.report.style import OKABE_ITO, PALETTE, evalkit_style, save_figure
from evalkit.results import EffectResult
from evalkit.survival import kaplan_meier

HAS_DISCLOSURE = importlib.util.find_spec("evalkit.report.disclosure") is not None
needs_disclosure = pytest.mark.skipif(
    not HAS_DISCLOSURE, reason="evalkit.report.disclosure not there yet"
)


# ---------------------------------------------------------------------- helpers
def gid(artists, name):
    return [a for a in artists if a.get_gid() == name]


def axes_labelled(fig, name):
    (ax,) = [a for a in fig.axes if a.get_label() == name]
    return ax


def tick_texts(fig, axis):
    fig.draw_without_rendering()
    return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def all_texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


@pytest.fixture
def spells():
    """Treated: durations 1..20, all exits; control: 20 persons, every other one censored."""
    return pd.DataFrame(
        {
            "weeks": np.r_[np.arange(1, 21), np.arange(2, 42, 2)].astype(float),
            "exit": np.r_[np.ones(20), np.tile([1, 0], 10)].astype(int),
            "treated": np.repeat([1, 0], 20),
        }
    )


@pytest.fixture
def km(spells):
    return kaplan_meier(spells, "weeks", "exit", group="treated")


@pytest.fixture
def hand_panel():
    """6 persons x weeks -1..3; states 0 = benefit, 1 = job; -1 = not observed."""
    codes = np.array(
        [
            [0, 0, 1, 1, 1],
            [0, 1, 1, 0, -1],
            [0, 0, 0, 1, 1],
            [0, 0, 1, -1, -1],
            [0, 0, 0, 0, 1],
            [0, 1, 0, 1, 0],
        ]
    )
    panel = StatusPanel(np.arange(6), codes, ("benefit", "job"), first_week=-1, aligned=True)
    return panel, np.array([1, 1, 1, 0, 0, 0])


def big_panel(n=200, weeks=30, seed=3):
    rng = np.random.default_rng(seed)
    treated = np.repeat([1, 0], n // 2)
    p = np.linspace(0.05, 0.45, weeks)[None, :] * np.where(treated[:, None] == 1, 1.3, 1.0)
    codes = (rng.random((n, weeks)) < p).astype(int)
    codes[rng.random((n, weeks)) < 0.02] = -1
    panel = StatusPanel(np.arange(n), codes, ("benefit", "self_sufficient"), aligned=True)
    return panel, treated


def effect(estimate, low, high, outcome="y", scale="difference", p=0.04):
    return EffectResult(
        estimate=estimate, std_error=0.1, conf_int=(low, high), p_value=p, statistic=2.0,
        df=None, n_treated=178, n_control=172, method="test", outcome=outcome,
        treatment="treated", scale=scale,
    )  # fmt: skip


# ---------------------------------------------------------------------- style and labels
def test_style_is_scoped_and_palette_is_okabe_ito(km):
    before = dict(mpl.rcParams)
    survival_plot(km, disclosure=None)
    with evalkit_style():
        assert mpl.rcParams["lines.linewidth"] == 1.8
    assert dict(mpl.rcParams) == before
    assert set(PALETTE) == set(OKABE_ITO.values())


def test_number_formats():
    assert format_number(12345.5, 1, "da") == "12.345,5"
    assert format_number(12345.5, 1, "en") == "12,345.5"
    assert format_number(2016, 0, "da") == "2016"  # years (four digits) stay whole
    assert format_number(-0.25, 2, "da") == "\N{MINUS SIGN}0,25"
    assert format_percent(0.4, 0, "da") == "40 %"
    assert format_percent(0.4, 0, "en") == "40%"
    assert format_count(12345, "da") == "12.345"
    assert format_interval(0.1, 0.25, 2, "da") == "[0,10; 0,25]"
    assert NumberFormatter("da").format_ticks([0, 0.2, 0.4]) == ["0,0", "0,2", "0,4"]
    assert NumberFormatter("da", percent=True).format_ticks([0.05, 0.1]) == ["5 %", "10 %"]
    assert label("number_at_risk", "da") == "Antal i risiko"


# ---------------------------------------------------------------------- survival
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ("Weeks", "Share still in spell", ["Treatment", "Control"], "Number at risk")),
        ("da", ("Uger", "Andel stadig i forløb", ["Indsats", "Kontrol"], "Antal i risiko")),
    ],
)
def test_survival_plot_labels(km, lang, expected):
    fig = survival_plot(km, lang=lang, disclosure=None)
    ax = axes_labelled(fig, "survival")
    xlabel, ylabel, legend, risk_title = expected
    assert ax.get_xlabel() == xlabel
    assert ax.get_ylabel() == ylabel
    assert legend_texts(ax) == legend
    risk = axes_labelled(fig, "risk_table")
    assert risk.get_title(loc="left") == risk_title
    assert [t.get_text() for t in risk.get_yticklabels()] == legend


def test_survival_plot_artists(km):
    fig = survival_plot(km, disclosure=None)
    ax = axes_labelled(fig, "survival")
    curves = gid(ax.lines, "curve")
    assert len(curves) == 2
    bands = [c for c in gid(ax.collections, "band") if isinstance(c, PolyCollection)]
    assert len(bands) == 2
    marks = gid(ax.lines, "censor")
    assert len(marks) == 2
    assert [len(m.get_xdata()) for m in marks] == [0, 10]  # treated: no censoring
    # treatment vermillion, control blue; the curve starts at 1 at time 0
    assert [c.get_color() for c in curves] == [OKABE_ITO["vermillion"], OKABE_ITO["blue"]]
    assert curves[0].get_xdata()[0] == 0 and curves[0].get_ydata()[0] == 1.0
    fig = survival_plot(km, disclosure=None, conf_int=False, censor_marks=False,
                        risk_table=False)  # fmt: skip
    assert len(fig.axes) == 1
    assert not gid(fig.axes[0].collections, "band") and not gid(fig.axes[0].lines, "censor")


def test_survival_risk_table_numbers_undisclosed(km):
    fig = survival_plot(km, risk_times=[0, 10, 17], disclosure=None)
    risk = axes_labelled(fig, "risk_table")
    texts = gid(risk.texts, "at_risk")
    by_row = {}
    for t in texts:
        x, y = t.get_position()
        by_row.setdefault(y, []).append((x, t.get_text()))
    expected = km.at_risk([0, 10, 17])
    treated = expected[expected["group"] == 1]["n_risk"].astype(str).tolist()
    control = expected[expected["group"] == 0]["n_risk"].astype(str).tolist()
    assert [v for _, v in sorted(by_row[0])] == treated == ["20", "11", "4"]
    assert [v for _, v in sorted(by_row[1])] == control
    # numbers sit at the tick times, in the group's colour
    assert [x for x, _ in sorted(by_row[0])] == [0, 10, 17]
    assert list(axes_labelled(fig, "survival").get_xticks()) == [0, 10, 17]
    assert {t.get_color() for t in texts if t.get_position()[1] == 0} == {OKABE_ITO["vermillion"]}
    assert not gid(risk.texts, "disclosure_note")


@needs_disclosure
@pytest.mark.parametrize(
    ("lang", "note"),
    [("en", "Curves end where fewer than 5 remain at risk"),
     ("da", "Kurverne slutter, hvor færre end 5 er i risiko")],
)  # fmt: skip
def test_survival_default_disclosure_masks_small_counts(km, lang, note):
    fig = survival_plot(km, risk_times=[0, 10, 17], lang=lang)
    risk = axes_labelled(fig, "risk_table")
    treated = sorted(
        (t.get_position()[0], t.get_text())
        for t in gid(risk.texts, "at_risk")
        if t.get_position()[1] == 0
    )
    # 20, 11, 4 at risk: rounded down to multiples of 5, fewer than 5 masked
    assert [v for _, v in treated] == ["20", "10", "<5"]
    (shown,) = gid(risk.texts, "disclosure_note")
    assert shown.get_text().replace("\n", " ").startswith(note)
    # the curves went through safe_curve: each drawn drop rests on >= 5 events
    curve = gid(axes_labelled(fig, "survival").lines, "curve")[0]
    y = np.asarray(curve.get_ydata())
    drops = -np.diff(y)[np.diff(y) < 0]
    assert np.all(drops >= 5 / 20 - 1e-12)


def test_danish_decimal_comma_in_ticks(km):
    fig = survival_plot(km, lang="da", disclosure=None, risk_table=False)
    labels = tick_texts(fig, fig.axes[0].yaxis)
    assert "0,2" in labels and "1,0" in labels
    assert not any("." in t for t in labels)
    fig = survival_plot(km, lang="en", disclosure=None, risk_table=False)
    assert "0.2" in tick_texts(fig, fig.axes[0].yaxis)


def test_survival_plot_into_given_axes_and_table_input(km):
    fig = Figure()
    ax = fig.add_subplot()
    out = survival_plot(km.table, ax=ax, disclosure=None, labels={1: "JobFirst", 0: "Usual"})
    assert out is fig
    assert legend_texts(ax) == ["JobFirst", "Usual"]
    risk = axes_labelled(fig, "risk_table")
    assert len(gid(risk.texts, "at_risk")) == 2 * len(ax.get_xticks())


# ---------------------------------------------------------------------- cumulative incidence
def cif_table():
    rows = []
    for g, scale in ((0, 1.0), (1, 1.5)):
        for cause in (1, 2):
            times = np.array([1.0, 3.0, 5.0, 8.0])
            ci = scale * cause * np.array([0.02, 0.05, 0.08, 0.10])
            rows.append(pd.DataFrame({
                "group": g, "time": times, "cause": cause, "cumulative_incidence": ci,
                "std_error": 0.01, "ci_low": ci * 0.7, "ci_high": ci * 1.3,
                "n_risk": [40, 30, 20, 8], "n_event": [6, 6, 6, 6],
            }))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


@pytest.mark.parametrize("lang", ["en", "da"])
def test_cumulative_incidence_plot(lang):
    fig = cumulative_incidence_plot(
        cif_table(), lang=lang, disclosure=None, cause_labels={1: "Job"}, risk_times=[0, 2, 6]
    )
    ax = axes_labelled(fig, "cumulative_incidence")
    assert len(gid(ax.lines, "curve")) == 4
    assert len(gid(ax.collections, "band")) == 4
    arm = ("Treatment", "Control") if lang == "en" else ("Indsats", "Kontrol")
    cause2 = "Cause 2" if lang == "en" else "Årsag 2"
    assert legend_texts(ax) == [f"{arm[0]}: Job", f"{arm[0]}: {cause2}",
                                f"{arm[1]}: Job", f"{arm[1]}: {cause2}"]  # fmt: skip
    assert ax.get_ylabel() == ("Cumulative incidence" if lang == "en" else "Kumuleret incidens")
    risk = axes_labelled(fig, "risk_table")
    numbers = sorted((t.get_position()[1], t.get_position()[0], t.get_text())
                     for t in gid(risk.texts, "at_risk"))  # fmt: skip
    # at the first exit time at or after each tick: 0 -> 40, 2 -> 30, 6 -> 8
    assert [n for *_, n in numbers] == ["40", "30", "8"] * 2
    tick_labels = tick_texts(fig, ax.yaxis)
    assert any("," in t for t in tick_labels) == (lang == "da")


@needs_disclosure
def test_cumulative_incidence_plot_disclosure_and_fitted_object():
    competing = pytest.importorskip("evalkit.survival.competing")
    rng = np.random.default_rng(5)
    data = pd.DataFrame(
        {
            "weeks": rng.integers(1, 30, 120).astype(float),
            "exit": rng.integers(0, 3, 120),
            "arm": np.repeat([1, 0], 60),
        }
    )
    fit = competing.cumulative_incidence(data, "weeks", "exit", group="arm")
    fig = cumulative_incidence_plot(fit, risk_times=[0, 10, 20, 29])
    ax = axes_labelled(fig, "cumulative_incidence")
    assert len(gid(ax.lines, "curve")) == 4
    risk = axes_labelled(fig, "risk_table")
    (note,) = gid(risk.texts, "disclosure_note")
    assert "each step rests on at least 5 events" in note.get_text().replace("\n", " ")
    assert {t.get_text() for t in gid(risk.texts, "at_risk")} >= {"60"}


# ---------------------------------------------------------------------- weekly shares
def test_share_by_week_matches_direct_computation(hand_panel):
    panel, treated = hand_panel
    out = share_by_week(panel, "job", treated)
    assert list(out.columns) == ["week", "arm", "n_observed", "n_in_state", "share", "ci_low",
                                 "ci_high", "simultaneous_low", "simultaneous_high",
                                 "n_not_in_state"]  # fmt: skip
    assert out["week"].tolist() == [0, 1, 2, 3] * 2
    assert out["arm"].tolist() == [1] * 4 + [0] * 4
    codes = panel.codes
    for row in out.itertuples():
        column = row.week + 1
        persons = [i for i in range(6) if treated[i] == row.arm and codes[i, column] >= 0]
        in_state = sum(codes[i, column] == 1 for i in persons)
        assert row.n_observed == len(persons)
        assert row.n_in_state == in_state
        assert row.share == pytest.approx(in_state / len(persons))
        low, high = wilson_interval(in_state, len(persons), 0.05).conf_int
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high))
        assert row.simultaneous_low <= row.ci_low + 1e-12
        assert row.simultaneous_high >= row.ci_high - 1e-12
    treated_week_3 = out[(out.arm == 1) & (out.week == 3)].iloc[0]
    assert (treated_week_3.n_observed, treated_week_3.n_in_state) == (2, 2)  # one unobserved


def test_share_by_week_simultaneous_critical_values():
    panel, treated = big_panel()
    z = stats.norm.isf(0.025)
    sup = share_by_week(panel, "self_sufficient", treated)
    bonf = share_by_week(panel, "self_sufficient", treated, simultaneous="bonferroni")
    c_sup = sup.attrs["critical_value"]
    c_bonf = bonf.attrs["critical_value"]
    weeks = panel.n_weeks
    assert c_bonf[1] == pytest.approx(stats.norm.isf(0.025 / weeks))
    for arm in (0, 1):  # independent weeks: sup-t close to (and below) Bonferroni
        assert z < c_sup[arm] <= c_bonf[arm] + 0.05
        assert c_sup[arm] == pytest.approx(stats.norm.isf((1 - 0.95 ** (1 / weeks)) / 2), abs=0.1)
    again = share_by_week(panel, "self_sufficient", treated)
    assert again.attrs["critical_value"] == c_sup  # seeded
    wald = share_by_week(panel, "self_sufficient", treated, interval="wald")
    row = wald.iloc[10]
    half = z * np.sqrt(row.share * (1 - row.share) / row.n_observed)
    assert (row.ci_low, row.ci_high) == pytest.approx((row.share - half, row.share + half))


def test_share_by_week_perfectly_correlated_weeks_give_pointwise_critical_value():
    rng = np.random.default_rng(1)
    column = (rng.random(80) < 0.4).astype(int)
    codes = np.repeat(column[:, None], 6, axis=1)
    panel = StatusPanel(np.arange(80), codes, ("benefit", "job"), aligned=True)
    out = share_by_week(panel, "job", np.tile([1, 0], 40))
    for c in out.attrs["critical_value"].values():
        assert c == pytest.approx(stats.norm.isf(0.025), abs=0.03)


def test_share_by_week_errors(hand_panel):
    panel, treated = hand_panel
    with pytest.raises(TreatmentError, match="one 0/1 value per panel row"):
        share_by_week(panel, "job", treated[:4])
    with pytest.raises(TreatmentError, match="0/1 or boolean"):
        share_by_week(panel, "job", [0, 1, 2, 0, 1, 0])
    with pytest.raises(TreatmentError, match="only arm"):
        share_by_week(panel, "job", np.ones(6))
    unaligned = StatusPanel(panel.ids, panel.codes, panel.states)
    with pytest.raises(ArgumentError, match="aligned panel"):
        share_by_week(unaligned, "job", treated)
    with pytest.raises(ArgumentError, match="unknown states"):
        share_by_week(panel, "jobb", treated)
    with pytest.raises(ArgumentError, match="outside this panel"):
        share_by_week(panel, "job", treated, weeks=[0, 9])


@pytest.mark.parametrize(
    ("lang", "xlabel", "ylabel", "arms"),
    [
        ("en", "Weeks since randomization", "Share self-sufficient", ["Treatment", "Control"]),
        ("da", "Uger efter lodtrækning", "Andel selvforsørgende", ["Indsats", "Kontrol"]),
    ],
)
def test_share_plot_labels_and_artists(lang, xlabel, ylabel, arms):
    panel, treated = big_panel()
    fig = share_plot(panel, "self_sufficient", treated, lang=lang, disclosure=None)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == (xlabel, ylabel)
    assert legend_texts(ax)[:2] == arms
    assert "sup-t" in legend_texts(ax)[3]
    assert len(gid(ax.lines, "share")) == 2
    assert len(gid(ax.collections, "pointwise_band")) == 2
    assert len(gid(ax.lines, "simultaneous_band")) == 2  # one closed outline per arm
    ticks = tick_texts(fig, ax.yaxis)
    assert all(t.endswith(" %" if lang == "da" else "%") for t in ticks)
    if lang == "da":
        assert not any(t.endswith("%") and not t.endswith(" %") for t in ticks)
    numbers = share_by_week(panel, "self_sufficient", treated)
    line = gid(ax.lines, "share")[0]
    np.testing.assert_allclose(line.get_ydata(), numbers[numbers.arm == 1]["share"])
    fig = share_plot(panel, "self_sufficient", treated, band="simultaneous", disclosure=None)
    assert len(gid(fig.axes[0].collections, "simultaneous_band")) == 2


@needs_disclosure
def test_share_plot_suppresses_small_cells():
    panel, treated = big_panel(n=60, weeks=8)
    numbers = share_by_week(panel, "self_sufficient", treated)
    fig = share_plot(panel, "self_sufficient", treated)
    line = gid(fig.axes[0].lines, "share")[0]
    arm = numbers[numbers.arm == 1]
    n_in = arm["n_in_state"].to_numpy()
    n_out = arm["n_observed"].to_numpy() - n_in
    small = ((n_in > 0) & (n_in < 5)) | ((n_out > 0) & (n_out < 5))
    assert small.any()
    np.testing.assert_array_equal(np.isnan(np.asarray(line.get_ydata(), float)), small)
    assert "Cells < 5 suppressed" in all_texts(fig)


# ---------------------------------------------------------------------- forest plot
def test_forest_plot_one_ci_line_per_result_and_table():
    results = [effect(0.05, 0.01, 0.09, "employed"), effect(-0.02, -0.06, 0.02, "education"),
               effect(0.15, 0.05, 0.25, "weeks")]  # fmt: skip
    fig = forest_plot(results, lang="da")
    ax = axes_labelled(fig, "forest")
    lines = gid(ax.lines, "ci")
    assert len(lines) == 3
    assert sorted(tuple(line.get_xdata()) for line in lines) == sorted(
        [(0.01, 0.09), (-0.06, 0.02), (0.05, 0.25)]
    )
    assert [t.get_text() for t in ax.get_yticklabels()] == ["employed", "education", "weeks"]
    assert gid(ax.lines, "reference")[0].get_xdata()[0] == 0.0
    table = [t.get_text() for t in axes_labelled(fig, "forest_table").texts]
    assert "0,05 [0,01; 0,09]" in table
    assert "Estimat [95 %-KI]" in table
    assert ax.get_xlabel() == "Forskel (indsats − kontrol)"
    assert any("," in t for t in tick_texts(fig, ax.xaxis))


def test_forest_plot_ratio_scale_and_labels():
    results = {"Job": effect(1.3, 1.1, 1.6, scale="ratio"),
               "Education": effect(0.8, 0.6, 1.05, scale="ratio")}  # fmt: skip
    fig = forest_plot(results, table=False)
    ax = axes_labelled(fig, "forest")
    assert ax.get_xscale() == "log"
    assert gid(ax.lines, "reference")[0].get_xdata()[0] == 1.0
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Job", "Education"]
    assert ax.get_xlabel() == "Ratio (treatment / control)"
    assert len(fig.axes) == 1


def test_forest_plot_errors():
    with pytest.raises(ArgumentError, match="at least one EffectResult"):
        forest_plot([])
    with pytest.raises(ArgumentError, match="ratios and differences"):
        forest_plot([effect(1.2, 1.0, 1.4, scale="ratio"), effect(0.1, 0.0, 0.2)])
    with pytest.raises(ArgumentError, match="EffectResult objects"):
        forest_plot([0.1, 0.2])
    with pytest.raises(ArgumentError, match="labels has 1 entries for 2 results"):
        forest_plot([effect(0.1, 0, 0.2), effect(0.2, 0.1, 0.3)], labels=["a"])


# ---------------------------------------------------------------------- CONSORT
def jobfirst(**extra):
    return ConsortCounts(
        randomized=350,
        arms={
            "Treatment": ConsortArm(allocated=178, received=144,
                                    received_label="Started a company-based course",
                                    completed=108, completed_label="Completed 13 weeks",
                                    follow_up_details=["Exits: 9 moved, 2 died"]),
            "Control": ConsortArm(allocated=172),
        },
        **extra,
    )  # fmt: skip


def test_consort_diagram_counts_boxes_and_arrows():
    fig = consort_diagram(jobfirst())
    ax = fig.axes[0]
    text = "\n".join(t.get_text() for t in ax.texts)
    for number in ("350", "178", "172", "144", "108", "34"):
        assert number in text
    assert "Started a company-based course (n = 144)" in text
    assert "Exits: 9 moved, 2 died" in text
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch) and p.get_gid() == "box"]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(boxes) == 1 + 3 * 2
    assert len(arrows) == 3 * 2
    fig = consort_diagram(jobfirst(assessed=420, excluded_details=["Declined (n = 70)"]),
                          lang="da")  # fmt: skip
    ax = fig.axes[0]
    assert len(gid(ax.patches, "box")) == 9
    assert len(gid(ax.patches, "arrow")) == 8
    text = "\n".join(t.get_text() for t in ax.texts)
    for phrase in (
        "Vurderet for egnethed (n = 420)",
        "Ekskluderet (n = 70)",
        "Randomiseret (n = 350)",
        "Tildelt indsats (n = 178)",
        "Tildelt kontrol (n = 172)",
        "Analyseret (n = 178)",
        "Rekruttering",
    ):
        assert phrase in text  # fmt: skip


def test_consort_from_dict_and_errors():
    fig = consort_diagram({"randomized": 10, "arms": {"A": {"allocated": 6},
                                                       "B": {"allocated": 4}}},
                          disclosure=None)  # fmt: skip
    assert "Allocated to A (n = 6)" in "\n".join(t.get_text() for t in fig.axes[0].texts)
    with pytest.raises(ArgumentError, match=r"add up to 348 \(Treatment 178 \+ Control 170\)"):
        ConsortCounts(randomized=350, arms={"Treatment": {"allocated": 178},
                                            "Control": {"allocated": 170}})  # fmt: skip
    with pytest.raises(ArgumentError, match=r"completed \(150\) exceeds received \(144\)"):
        ConsortCounts(
            randomized=178, arms={"T": ConsortArm(allocated=178, received=144, completed=150)}
        )
    with pytest.raises(ArgumentError, match=r"received \(180\) exceeds allocated \(178\)"):
        ConsortCounts(randomized=178, arms={"T": {"allocated": 178, "received": 180}})
    with pytest.raises(ArgumentError, match="smaller than randomized"):
        jobfirst(assessed=300)
    with pytest.raises(ArgumentError, match="unknown fields"):
        ConsortCounts(randomized=5, arms={"T": {"allocated": 5, "recieved": 3}})
    with pytest.raises(ArgumentError, match="whole number"):
        ConsortCounts(randomized=-1, arms={"T": {"allocated": 5}})


# ---------------------------------------------------------------------- benchmarks
def test_series_plot_target_marks_and_danish_labels():
    periods = pd.period_range("2023-01", "2023-12", freq="M")
    share = np.array([0.35, 0.38, 0.41, 0.39, 0.40, 0.42, 0.37, 0.36, 0.43, 0.44, 0.38, 0.41])
    local = pd.DataFrame({"period": periods, "share": share, "ci_low": share - 0.03,
                          "ci_high": share + 0.03})  # fmt: skip
    national = pd.DataFrame({"period": periods, "share": 0.38})
    fig = series_plot(local, national, target=0.40, lang="da")
    ax = fig.axes[0]
    assert legend_texts(ax) == ["Lokalt", "Landsgennemsnit", "Mål (40 %)", "Mål nået"]
    met = gid(ax.lines, "target_met")[0]
    assert len(met.get_xdata()) == int((share >= 0.40).sum())
    assert len(gid(ax.collections, "local_band")) == 1
    ticks = tick_texts(fig, ax.xaxis)
    assert any(t.startswith(("jan", "maj", "okt")) for t in ticks)
    assert all(t.endswith(" %") for t in tick_texts(fig, ax.yaxis))
    fig = series_plot(local, None, lang="en", local_label="Aalborg")
    assert legend_texts(fig.axes[0]) == ["Aalborg"]
    with pytest.raises(ColumnError, match="lacks the columns"):
        series_plot(local.drop(columns="share"), national)
    with pytest.raises(ArgumentError, match="proportion in"):
        series_plot(local, national, target=40)


def test_funnel_plot_flags_units():
    n = np.arange(20, 2001, 10)
    se = np.sqrt(0.24 / n)
    limits = pd.concat([
        pd.DataFrame({"denominator": n, "level": lvl, "lower": 0.4 - z * se,
                      "upper": 0.4 + z * se})
        for lvl, z in ((0.95, 1.96), (0.998, 3.09))
    ])  # fmt: skip
    units = pd.DataFrame({"unit": ["in", "warn", "alarm", "low"],
                          "denominator": [400, 400, 400, 1000],
                          "proportion": [0.41, 0.455, 0.50, 0.30]})  # fmt: skip
    fig = funnel_plot(units, 0.40, limits, lang="da")
    ax = fig.axes[0]
    scatters = {c.get_label(): len(c.get_offsets()) for c in gid(ax.collections, "units")}
    assert scatters == {"Inden for grænserne": 1, "Uden for 95 % grænser": 1,
                        "Uden for 99,8 % grænser": 2}  # fmt: skip
    assert sorted(t.get_text() for t in gid(ax.texts, "unit_label")) == ["alarm", "low"]
    assert "95 % kontrolgrænser" in legend_texts(ax)
    fig = funnel_plot(units, 0.40, limits, label_units="outside")
    assert len(gid(fig.axes[0].texts, "unit_label")) == 3
    wide = pd.DataFrame({"denominator": n, "lower_95": 0.4 - 1.96 * se,
                         "upper_95": 0.4 + 1.96 * se})  # fmt: skip
    fig = funnel_plot(units, 0.40, wide, label_units=False)
    assert not gid(fig.axes[0].texts, "unit_label")
    with pytest.raises(ColumnError, match="lower_95"):
        funnel_plot(units, 0.40, pd.DataFrame({"denominator": n, "low": se}))


# ---------------------------------------------------------------------- saving and errors
def test_save_figure_writes_every_format(tmp_path, km):
    fig = survival_plot(km, disclosure=None)
    with pytest.raises(DisclosureError, match="disclosure control off"):
        save_figure(fig, tmp_path / "sub" / "km")  # raw curves of register data
    assert not (tmp_path / "sub").exists() or not list((tmp_path / "sub").iterdir())
    paths = save_figure(fig, tmp_path / "sub" / "km", source="synthetic")
    assert [p.name for p in paths] == ["km.png", "km.svg", "km.pdf"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert paths[2].read_bytes()[:5] == b"%PDF-"
    svg = paths[1].read_text()
    assert "<svg" in svg and "Number at risk" in svg  # text kept as text
    again = save_figure(fig, tmp_path / "again" / "km", formats=("svg",), source="synthetic")
    assert again[0].read_text() == svg  # reproducible
    with pytest.raises(ArgumentError, match="formats must be"):
        save_figure(fig, tmp_path / "x", formats=("gif",))
    with pytest.raises(ArgumentError, match="matplotlib Figure"):
        save_figure("not a figure", tmp_path / "x")


def test_unknown_lang_is_an_argument_error(km, hand_panel):
    panel, treated = hand_panel
    frame = pd.DataFrame({"period": [1, 2], "share": [0.3, 0.4]})
    calls = [
        lambda: survival_plot(km, lang="fr"),
        lambda: cumulative_incidence_plot(cif_table(), lang="fr"),
        lambda: share_plot(panel, "job", treated, lang="fr"),
        lambda: forest_plot([effect(0.1, 0.0, 0.2)], lang="fr"),
        lambda: consort_diagram(jobfirst(), lang="fr"),
        lambda: series_plot(frame, frame, lang="fr"),
        lambda: funnel_plot(
            pd.DataFrame({"denominator": [10], "proportion": [0.4]}),
            0.4,
            pd.DataFrame({"denominator": [10], "lower_95": [0.1], "upper_95": [0.7]}),
            lang="fr",
        ),  # fmt: skip
        lambda: label("treatment", "de"),
    ]
    for call in calls:
        with pytest.raises(ArgumentError, match="lang must be 'en' .English. or 'da' .Danish."):
            call()


def test_bad_plot_arguments(km):
    with pytest.raises(ArgumentError, match="disclosure must be"):
        survival_plot(km, disclosure=0.5)
    with pytest.raises(ArgumentError, match="ax must be a matplotlib Axes"):
        survival_plot(km, ax="left", disclosure=None)
    with pytest.raises(ArgumentError, match="labels has 1 entries for 2 groups"):
        survival_plot(km, labels=["only one"], disclosure=None)
    with pytest.raises(ArgumentError, match="band must be one of"):
        panel, treated = big_panel(n=20, weeks=3)
        share_plot(panel, "self_sufficient", treated, band="wide", disclosure=None)
