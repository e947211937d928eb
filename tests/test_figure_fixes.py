"""The figure fixes of issue 17, each checked on the rendered figure: funnel names that
never overlap, a centre line named for what it is and a separate target, the highlighted
unit; the share-by-week legend, bands that cannot blend, no band fragments, the ranges
of suppressed weeks and isolated weeks;
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


def hexes(artist):
    """The visible colours of an artist (face, line and hatch), as hex without alpha."""
    out = set()
    for getter in ("get_facecolor", "get_color", "get_hatchcolor"):
        value = getattr(artist, getter, None)
        if value is None:
            continue
        colour = value()
        if isinstance(colour, str) and colour == "none" or np.size(colour) == 0:
            continue  # no fill
        colour = colour[0] if np.ndim(colour) == 2 else colour
        if np.ndim(colour) == 1 and len(colour) == 4 and colour[3] == 0:
            continue  # invisible parts of the handle boxes
        out.add(mcolors.to_hex(colour, keep_alpha=False))
    return out - {"#ffffff", "#000000"}


def tint(colour):
    """The arm's colour at 20 % over white (how a band of it looks)."""
    return mcolors.to_hex(0.2 * np.asarray(mcolors.to_rgb(colour)) + 0.8)


def legend_entries(legend) -> dict:
    """``{text: [the artists drawn as its handle]}`` of a legend, as rendered."""
    out = {}
    for column in legend._legend_handle_box.get_children():
        for entry in column.get_children():
            area, text = entry.get_children()
            out[text.get_text()] = area.get_children()
    return out


def close_panel(n=400, weeks=30, seed=3):
    """Both arms near 30 %: their pointwise bands overlap."""
    rng = np.random.default_rng(seed)
    codes = (rng.random((n, weeks)) < 0.3).astype(int)
    panel = StatusPanel(np.arange(n), codes, ("benefit", "self_sufficient"), aligned=True)
    return panel, np.repeat([1, 0], n // 2)


@pytest.mark.parametrize("make", [small_panel, close_panel])
def test_share_legend_shows_the_arms_and_the_overlap_as_drawn(make):
    panel, treated = make()
    fig = share_plot(panel, "self_sufficient", treated)
    ax = fig.axes[0]
    entries = legend_entries(ax.get_legend())
    arms = {COLOURS["treatment"].lower(), COLOURS["control"].lower()}
    colours = set().union(*(hexes(a) for artists in entries.values() for a in artists))
    assert colours == arms | {tint(c) for c in arms}
    texts = list(entries)
    assert texts[:2] == ["Treatment", "Control"]
    # the pointwise entry: the two tints and, where drawn, the striped overlap, as drawn
    looks = [(hexes(a), a.get_hatch()) for a in entries["95% CI (pointwise)"]]
    treat, control = tint(COLOURS["treatment"]), tint(COLOURS["control"])
    bands = gid(ax.collections, "pointwise_band")
    assert [(hexes(b), b.get_hatch()) for b in bands] == looks[:2]
    assert looks[:2] == [({treat}, None), ({control}, None)]
    overlaps = gid(ax.collections, "band_overlap")
    if make is small_panel:  # control near 2 %, treatment 10-50 %: no overlap, no swatch
        assert "Fewer than 5 persons: possible values" in texts
        assert not overlaps and len(looks) == 2
        return
    (overlap,) = overlaps
    assert looks[2] == ({treat, control}, "//") == (hexes(overlap), overlap.get_hatch())
    assert overlap.get_zorder() > max(b.get_zorder() for b in bands)
    # the striped part is exactly where both bands are: [max of lows, min of highs]
    numbers = share_by_week(panel, "self_sufficient", treated)
    low = numbers.groupby("week")["ci_low"].max().to_numpy()
    high = numbers.groupby("week")["ci_high"].min().to_numpy()
    ys = np.concatenate([p.vertices[:, 1] for p in overlap.get_paths()])
    assert ys.min() >= low.min() - 1e-12 and ys.max() <= high.max() + 1e-12


def test_share_bands_are_opaque_so_overlaps_cannot_blend():
    panel, treated = small_panel()
    for band in ("both", "pointwise", "simultaneous"):
        ax = share_plot(panel, "self_sufficient", treated, band=band).axes[0]
        shaded = [c for c in ax.collections if c.get_gid() != "small_range"]
        assert shaded
        for collection in shaded:
            assert collection.get_alpha() in (None, 1.0)
            assert (collection.get_facecolor()[:, 3] == 1.0).all()
        # the suppressed weeks: hatch only, no fill that could blend
        for collection in gid(ax.collections, "small_range"):
            assert len(collection.get_facecolor()) == 0 or collection.get_facecolor()[0][3] == 0
    # both arms near 2 %: each has weeks of 1-4 persons, hatched in crossing directions
    rng = np.random.default_rng(11)
    codes = (rng.random((200, 30)) < 0.025).astype(int)
    rare = StatusPanel(np.arange(200), codes, ("benefit", "self_sufficient"), aligned=True)
    ax = share_plot(rare, "self_sufficient", np.repeat([1, 0], 100)).axes[0]
    hatches = {frozenset(hexes(c)): c.get_hatch() for c in gid(ax.collections, "small_range")}
    assert hatches == {frozenset({COLOURS["treatment"].lower()}): "////",
                       frozenset({COLOURS["control"].lower()}): "\\\\\\\\"}  # fmt: skip


def pieces(x, y):
    """The runs of finite points of a line."""
    finite = np.isfinite(np.asarray(y, float)) & np.isfinite(np.asarray(x, float))
    edges = np.flatnonzero(np.diff(np.r_[0, finite.astype(int), 0]))
    return [(np.asarray(x, float)[a:b], np.asarray(y, float)[a:b])
            for a, b in zip(edges[::2], edges[1::2], strict=True)]  # fmt: skip


def patchy_panel(n=200, weeks=40, seed=0):
    """Control near 6 %: runs of 1 to 7 shown weeks between suppressed ones."""
    rng = np.random.default_rng(seed)
    treated = np.repeat([1, 0], n // 2)
    p = np.where(treated[:, None] == 1, 0.3, 0.06)
    codes = (rng.random((n, weeks)) < p).astype(int)
    panel = StatusPanel(np.arange(n), codes, ("benefit", "self_sufficient"), aligned=True)
    return panel, treated


@pytest.mark.parametrize("min_band_weeks", [4, 6])
def test_share_bands_have_no_fragments_and_the_sup_t_band_is_one_outline(min_band_weeks):
    panel, treated = patchy_panel()
    ax = share_plot(panel, "self_sufficient", treated, min_band_weeks=min_band_weeks).axes[0]
    numbers = share_by_week(panel, "self_sufficient", treated)
    shortest = min_band_weeks - 1  # a run of k weeks spans k - 1 weeks
    for band in gid(ax.collections, "pointwise_band"):
        paths = band.get_paths()
        assert paths
        for path in paths:
            assert np.ptp(path.vertices[:, 0]) >= shortest
    outlines = gid(ax.lines, "simultaneous_band")
    assert len(outlines) == 2  # one line artist per arm
    for outline in outlines:
        runs = pieces(outline.get_xdata(), outline.get_ydata())
        assert runs
        for xs, ys in runs:
            assert np.ptp(xs) >= shortest
            assert (xs[0], ys[0]) == (xs[-1], ys[-1])  # closed
    # the fixture has short runs of shown weeks, so the rule is what leaves them out
    thin = share_plot(panel, "self_sufficient", treated, min_band_weeks=1).axes[0]
    (control,) = [o for o in gid(thin.lines, "simultaneous_band")
                  if o.get_color() == COLOURS["control"]]  # fmt: skip
    assert min(np.ptp(xs) for xs, _ in pieces(control.get_xdata(), control.get_ydata())) < 2
    # the outline runs through the band's numbers of the weeks it covers
    arm = numbers[numbers["arm"] == 0]
    (control,) = [o for o in outlines if o.get_color() == COLOURS["control"]]
    for xs, ys in pieces(control.get_xdata(), control.get_ydata()):
        weeks = xs[:-1].astype(int)
        half = len(weeks) // 2
        np.testing.assert_allclose(ys[:half], arm["simultaneous_low"].to_numpy()[weeks[:half]])
        np.testing.assert_allclose(ys[half:-1], arm["simultaneous_high"].to_numpy()[weeks[half:]])


@pytest.mark.parametrize("bad", [0, 2.5, True, "4"])
def test_share_min_band_weeks_is_checked(bad):
    panel, treated = small_panel()
    with pytest.raises(ArgumentError, match="min_band_weeks"):
        share_plot(panel, "self_sufficient", treated, min_band_weeks=bad)


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
               if hexes(c) == {COLOURS["control"].lower()}]  # fmt: skip
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
