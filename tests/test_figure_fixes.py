"""The figure fixes of issue 17, each checked on the rendered figure: funnel names that
never overlap, a centre line named for what it is and a separate target, the highlighted
unit; the share-by-week legend, the ranges of suppressed weeks and isolated weeks;
Kaplan-Meier y labels that follow the event; plain ``fig.savefig`` keeping every label;
the CONSORT status at project end apart from the losses to follow-up."""

from __future__ import annotations

import io
import itertools

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from evalkit.benchmark import funnel_compare, load_reference
from evalkit.datasets import load_published
from evalkit.errors import ArgumentError
from evalkit.output import output_rules
from evalkit.panel import StatusPanel
from evalkit.projects.jobfirst_report import consort_counts
from evalkit.report import consort_diagram, save_figure, share_plot, survival_plot
from evalkit.report.plots import cumulative_incidence_plot, forest_plot, share_by_week
from evalkit.report.style import COLOURS
from evalkit.results import EffectResult
from evalkit.survival import kaplan_meier

NATIONAL = 5487 / 12821  # the published national share, June 2019


def gid(artists, name):
    return [a for a in artists if a.get_gid() == name]


def drawn(fig):
    """Draw ``fig`` as a plain ``savefig`` would (Agg, the figure's own size) and return
    the renderer."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


@pytest.fixture(scope="module")
def herning():
    municipalities = load_reference("flere_skal_med_municipalities")
    funnel = funnel_compare(
        municipalities["successes"], municipalities["n"], NATIONAL,
        units=municipalities["unit"], overdispersion="estimate",
    )  # fmt: skip
    return municipalities, funnel


# ---------------------------------------------------------------------- funnel plot
@pytest.mark.parametrize("label_units", ["outer", "outside", True])
def test_funnel_names_never_overlap(herning, label_units):
    municipalities, funnel = herning
    fig = funnel.plot(label_units=label_units, highlight=municipalities["unit"].iloc[0])
    renderer = drawn(fig)
    ax = fig.axes[0]
    names = gid(ax.texts, "unit_label") + gid(ax.texts, "highlight_label")
    # the texts' own boxes (an Annotation's box also takes in its leader line)
    boxes = [Text.get_window_extent(t, renderer) for t in names]
    assert len(boxes) >= (5 if label_units == "outer" else 10)
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    frame = ax.get_window_extent(renderer)
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1
               for b in boxes)  # fmt: skip
    if label_units == "outer":  # few names: every unit outside the 99.8 % limits is named
        outer = set(funnel.outside(0.998)["unit"])
        assert outer <= {t.get_text() for t in names}


def test_funnel_names_each_name_its_own_unit(herning):
    _, funnel = herning
    fig = funnel.plot(label_units="outside")
    drawn(fig)
    units = funnel.to_frame().set_index("unit")
    for text in gid(fig.axes[0].texts, "unit_label"):
        x, y = text.xy
        assert x == units.loc[text.get_text(), "denominator"]
        assert y == pytest.approx(units.loc[text.get_text(), "proportion"])


@pytest.mark.parametrize(
    ("lang", "centre", "goal"),
    [("en", "National average (42.8%)", "Target (40%)"),
     ("da", "Landsgennemsnit (42,8 %)", "Mål (40 %)")],
)  # fmt: skip
def test_funnel_centre_named_for_what_it_is_and_target_apart(herning, lang, centre, goal):
    _, funnel = herning
    fig = funnel.plot(lang=lang, centre="national", goal=0.40)
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert centre in legend and goal in legend
    assert not any(t.startswith(("Target (42", "Mål (42")) for t in legend)
    (line,) = gid(ax.lines, "target")
    assert line.get_ydata()[0] == pytest.approx(NATIONAL)
    (target,) = gid(ax.lines, "goal")
    assert target.get_ydata()[0] == 0.40


def test_funnel_centre_defaults_never_call_it_a_target():
    res = funnel_compare([41, 25, 24], [143, 187, 323], target=0.12, units=["A", "B", "C"])
    legend = [t.get_text() for t in res.plot().axes[0].get_legend().get_texts()]
    assert "Reference level (12%)" in legend and not any("Target" in t for t in legend)
    pooled = funnel_compare([41, 25, 24], [143, 187, 323], units=["A", "B", "C"])
    legend = [t.get_text() for t in pooled.plot().axes[0].get_legend().get_texts()]
    assert any(t.startswith("All units pooled (") for t in legend)
    assert not gid(res.plot().axes[0].lines, "goal")
    with pytest.raises(ArgumentError, match="centre must be one of"):
        res.plot(centre="average")
    with pytest.raises(ArgumentError, match="goal must be a proportion"):
        res.plot(goal=40)


def test_funnel_highlights_the_unit_of_the_report(herning):
    municipalities, funnel = herning
    own = municipalities.iloc[0]
    fig = funnel.plot(highlight=own["unit"], lang="da")
    ax = fig.axes[0]
    (ring,) = gid(ax.collections, "highlight")
    np.testing.assert_allclose(ring.get_offsets()[0], [own["n"], own["successes"] / own["n"]])
    assert mcolors.to_hex(ring.get_edgecolor()[0]) == "#000000"
    assert ring.get_sizes()[0] > 2 * gid(ax.collections, "units")[0].get_sizes()[0]
    (name,) = gid(ax.texts, "highlight_label")
    assert name.get_text() == own["unit"] and name.get_fontweight() == "bold"
    assert own["unit"] in [t.get_text() for t in ax.get_legend().get_texts()]
    # not highlighted: the same unit is one grey dot without a name (inside the limits)
    plain = funnel.plot().axes[0]
    assert not gid(plain.collections, "highlight")
    assert own["unit"] not in [t.get_text() for t in plain.texts]


def test_funnel_highlight_is_checked_and_respects_disclosure():
    res = funnel_compare([41, 25, 2], [143, 187, 40], target=0.12, units=["A", "B", "C"])
    with pytest.raises(ArgumentError, match="1 unit") as error:
        res.plot(highlight=["A", "Nowhere"])
    assert "Nowhere" not in str(error.value)  # names are not echoed
    fig = res.plot(highlight="C")  # 2 persons in the outcome: C is not drawn at all
    ax = fig.axes[0]
    assert not gid(ax.collections, "highlight")
    assert "C" not in [t.get_text() for t in ax.texts]
    assert gid(ax.texts, "disclosure_note")


# ---------------------------------------------------------------------- share by week
def small_panel(n=200, weeks=30, seed=5):
    """Treatment rises from 10 % to 50 %; control stays near 2 % (1-4 persons a week), and
    no one in the control arm is self-sufficient in the first three weeks."""
    rng = np.random.default_rng(seed)
    treated = np.repeat([1, 0], n // 2)
    p = np.where(treated[:, None] == 1, np.linspace(0.1, 0.5, weeks)[None, :], 0.025)
    codes = (rng.random((n, weeks)) < p).astype(int)
    codes[n // 2 :, :3] = 0
    panel = StatusPanel(np.arange(n), codes, ("benefit", "self_sufficient"), aligned=True)
    return panel, treated


def test_share_legend_has_arm_colours_only():
    panel, treated = small_panel()
    fig = share_plot(panel, "self_sufficient", treated)
    legend = fig.axes[0].get_legend()
    arms = {COLOURS["treatment"], COLOURS["control"]}
    colours = set()
    for handle in legend.legend_handles:
        for artist in handle.findobj():
            for getter in ("get_facecolor", "get_color"):
                value = getattr(artist, getter, None)
                if value is None:
                    continue
                colour = value()
                colour = colour[0] if np.ndim(colour) == 2 and len(colour) else colour
                if np.ndim(colour) == 1 and len(colour) == 4 and colour[3] == 0:
                    continue  # invisible parts of the handle boxes
                colours.add(mcolors.to_hex(colour, keep_alpha=False))
    colours -= {"#ffffff", "#000000"}
    assert colours and colours <= {mcolors.to_hex(c) for c in arms}
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts[:2] == ["Treatment", "Control"]
    assert "Fewer than 5 persons: possible values" in texts


def test_share_ranges_show_what_fewer_than_5_allows_and_no_more():
    panel, treated = small_panel()
    numbers = share_by_week(panel, "self_sufficient", treated)
    control = numbers[numbers["arm"] == 0].reset_index(drop=True)
    fig = share_plot(panel, "self_sufficient", treated)
    ax = fig.axes[0]
    lines = gid(ax.lines, "share")
    shown = np.asarray(lines[1].get_ydata(), float)  # control
    small = control["n_in_state"].between(1, 4).to_numpy()
    assert small.sum() >= 5
    np.testing.assert_array_equal(np.isnan(shown), small)
    (band,) = [c for c in gid(ax.collections, "small_range")
               if mcolors.to_hex(c.get_facecolor()[0], keep_alpha=False)
               == COLOURS["control"].lower()]  # fmt: skip
    # the hatched areas of the suppressed weeks span 1/n .. 4/n and carry nothing finer:
    # no drawn y is a week's n_in / n
    ys = np.unique(np.concatenate([p.vertices[:, 1] for p in band.get_paths()]))
    n = control.loc[small, "n_observed"].to_numpy()
    np.testing.assert_allclose(ys, np.unique(np.r_[1 / n, 4 / n]))
    xs = np.concatenate([p.vertices[:, 0] for p in band.get_paths()])
    assert set(np.round(xs - 0.5).astype(int)) | set(np.round(xs + 0.5).astype(int)) >= set(
        np.flatnonzero(small)
    )


def test_share_zeros_disclosive_rules_hide_zero_weeks():
    panel, treated = small_panel()
    numbers = share_by_week(panel, "self_sufficient", treated)
    zero = (numbers["arm"] == 0) & (numbers["n_in_state"] == 0)
    assert zero.any()
    fig = share_plot(panel, "self_sufficient", treated)
    control = np.asarray(gid(fig.axes[0].lines, "share")[1].get_ydata(), float)
    weeks = numbers.loc[zero, "week"].to_numpy()
    assert (control[weeks] == 0).all()  # zeros are safe under Statistics Denmark's rules
    with output_rules(zeros_disclosive=True):
        fig = share_plot(panel, "self_sufficient", treated)
    control = np.asarray(gid(fig.axes[0].lines, "share")[1].get_ydata(), float)
    assert np.isnan(control[weeks]).all()


def test_share_isolated_week_is_drawn_as_a_point():
    panel, treated = small_panel()
    fig = share_plot(panel, "self_sufficient", treated)
    ax = fig.axes[0]
    control = np.asarray(gid(ax.lines, "share")[1].get_ydata(), float)
    shown = np.isfinite(control)
    lone = shown & ~np.r_[False, shown[:-1]] & ~np.r_[shown[1:], False]
    assert lone.any()
    points = [p for p in gid(ax.lines, "share_point") if p.get_color() == COLOURS["control"]]
    (dots,) = points
    np.testing.assert_array_equal(dots.get_xdata(), np.flatnonzero(lone))
    np.testing.assert_allclose(dots.get_ydata(), control[lone])


# ---------------------------------------------------------------------- Kaplan-Meier
@pytest.fixture(scope="module")
def km():
    rng = np.random.default_rng(7)
    d = pd.DataFrame({"weeks": rng.integers(1, 60, 120), "exit": rng.integers(0, 2, 120),
                      "treated": np.repeat([1, 0], 60)})  # fmt: skip
    return kaplan_meier(d, "weeks", "exit", group="treated")


@pytest.mark.parametrize(
    ("event", "lang", "expected"),
    [(None, "en", "Share still in spell"),
     ("self_sufficient", "en", "Share not yet self-sufficient"),
     ("self_sufficient", "da", "Andel endnu ikke selvforsørgende"),
     ("job", "da", "Andel endnu ikke i arbejde")],
)  # fmt: skip
def test_survival_ylabel_follows_the_event(km, event, lang, expected):
    assert survival_plot(km, event=event, lang=lang).axes[0].get_ylabel() == expected


def test_survival_event_is_checked_and_ylabel_overrides(km):
    with pytest.raises(ArgumentError, match="event must be None"):
        survival_plot(km, event="work")
    fig = survival_plot(km, event="job", ylabel="Own label")
    assert fig.axes[0].get_ylabel() == "Own label"


# ---------------------------------------------------------------------- plain savefig
def effect(estimate, outcome):
    return EffectResult(
        estimate=estimate, std_error=0.1, conf_int=(estimate - 0.2, estimate + 0.2),
        p_value=0.04, statistic=2.0, df=None, n_treated=178, n_control=172, method="test",
        outcome=outcome, treatment="treated", scale="difference",
    )  # fmt: skip


def figure(name, km, herning):
    panel, treated = small_panel()
    cif = pd.DataFrame({"time": [1.0, 2.0, 1.0, 2.0], "cause": [1, 1, 2, 2],
                        "cumulative_incidence": [0.1, 0.2, 0.05, 0.1], "std_error": 0.02,
                        "ci_low": [0.05, 0.1, 0.01, 0.05], "ci_high": [0.2, 0.3, 0.1, 0.2],
                        "n_risk": [40, 36, 40, 36]})  # fmt: skip
    make = {
        "survival": lambda: survival_plot(km, risk_times=[0, 20, 40]),
        "survival_da": lambda: survival_plot(km, lang="da", event="self_sufficient"),
        "cumulative_incidence": lambda: cumulative_incidence_plot(cif, disclosure=None),
        "share": lambda: share_plot(panel, "self_sufficient", treated),
        "forest": lambda: forest_plot([effect(0.1, "weeks self-sufficient"), effect(-0.1, "y")]),
        "funnel": lambda: herning[1].plot(highlight=herning[0]["unit"].iloc[0], goal=0.4),
    }
    return make[name]()


@pytest.mark.parametrize("name", ["survival", "survival_da", "cumulative_incidence", "share",
                                  "forest", "funnel"])  # fmt: skip
def test_plain_savefig_keeps_every_label(km, herning, name):
    fig = figure(name, km, herning)
    renderer = drawn(fig)
    # what is drawn (matplotlib's own "tight" box: every visible tick label, name, legend
    # and note) lies inside the figure, which is all a plain savefig writes
    box = fig.get_tightbbox(renderer)  # inches
    width, height = fig.get_size_inches()
    assert box.x0 >= 0 and box.y0 >= 0, name
    assert box.x1 <= width and box.y1 <= height, name
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")  # the plain call of the issue: works, no cut names
    assert buffer.getvalue()[:4] == b"\x89PNG"


def test_risk_table_names_whole_in_a_plain_savefig(km):
    fig = survival_plot(km, risk_times=[0, 20, 40])
    renderer = drawn(fig)
    (risk,) = [a for a in fig.axes if a.get_label() == "risk_table"]
    for tick in risk.get_yticklabels():
        assert tick.get_window_extent(renderer).x0 >= 0  # "Treatment", not "reatment"


def test_caller_axes_are_left_where_they_are(km):
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    before = ax.get_position().bounds
    survival_plot(km, ax=ax, risk_table=False)
    assert ax.get_position().bounds == before


# ---------------------------------------------------------------------- CONSORT
def box_texts(fig, gid_name="box"):
    ax = fig.axes[0]
    boxes = gid(ax.patches, gid_name)
    texts = gid(ax.texts, "box_text")
    out = []
    for patch in boxes:
        x, y = patch.get_x(), patch.get_y() + patch.get_height()
        (text,) = [t for t in texts if np.allclose(t.get_position(), (x + 0.08, y - 0.08))]
        out.append(text.get_text())
    return out


@pytest.mark.parametrize(
    ("lang", "lost", "status"),
    [("en", "Lost to follow-up (n = 0)", "Status at project end (Feb 2018)"),
     ("da", "Tabt til opfølgning (n = 0)", "Status ved projektets afslutning (feb 2018)")],
)  # fmt: skip
def test_consort_status_at_project_end_is_not_a_loss(lang, lost, status):
    published = load_published("jobfirst_aalborg")
    fig = consort_diagram(consort_counts(published, lang), lang=lang, disclosure=None)
    boxes = box_texts(fig)
    assert boxes.count(lost) == 2  # both arms: the loss box holds only the loss count
    (status_box,) = box_texts(fig, "status_box")
    lines = status_box.splitlines()
    assert lines[0] == status
    value = published.set_index("figure")["value"]
    exits = ["exit_small_job", "exit_ordinary_job", "exit_education", "exit_flexjob",
             "exit_disability_pension", "exit_moved_away"]  # fmt: skip
    assert [int(line.rsplit(": ", 1)[1]) for line in lines[1:]] == [int(value[k]) for k in exits]
    stages = [t.get_text() for t in gid(fig.axes[0].texts, "stage_text")]
    assert stages[-1] == ("Project end" if lang == "en" else "Projektafslutning")
    # the status box hangs under the treatment arm's analysis box, with no arrow into it
    (patch,) = gid(fig.axes[0].patches, "status_box")
    analysis = min(gid(fig.axes[0].patches, "box"), key=lambda p: (p.get_y(), p.get_x()))
    assert patch.get_y() + patch.get_height() < analysis.get_y()
    assert len(gid(fig.axes[0].patches, "arrow")) == 6  # 2 from randomization, 2 per arm


def test_consort_status_checked_and_saved(tmp_path):
    with pytest.raises(ArgumentError, match="status_label must be a string"):
        consort_diagram({"randomized": 10, "arms": {"A": {"allocated": 10,
                         "status_at_end": ["job: 6"], "status_label": 3}}})  # fmt: skip
    fig = consort_diagram({"randomized": 20, "arms": {
        "Treatment": {"allocated": 10, "status_at_end": ["job: 6", "benefit: 4"]},
        "Control": {"allocated": 10}}})  # fmt: skip
    (text,) = box_texts(fig, "status_box")
    assert text.splitlines() == ["Status at project end", "• job: 6", "• benefit: 4"]
    assert save_figure(fig, tmp_path / "consort", formats=("png",))
