"""Every figure says on its face whether its data are synthetic, public or published.

``save_figure(..., source=...)`` (and ``evalkit.output.export``) stamp a figure from data
that are not register data in the figure's language, for the save only; register data
get no stamp.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import evalkit.projects.benchmark_reports as benchmark_reports
import evalkit.projects.impact60_report as impact60_report
import evalkit.projects.jobfirst_report as jobfirst_report
from evalkit.output import OutputLog, export
from evalkit.output import gate as gate_module
from evalkit.panel.ids import PrivacyError
from evalkit.report import consort_diagram, forest_plot, save_figure
from evalkit.report import style as style_module
from evalkit.report.disclosure import DisclosureError
from evalkit.report.labels import LABELS
from evalkit.report.style import STAMP_GID, source_stamp
from evalkit.reproduce import reproduce
from evalkit.results import EffectResult

STAMPS = {
    ("synthetic", "en"): "Synthetic data",
    ("synthetic", "da"): "Syntetiske data",
    ("published", "en"): "Published figures",
    ("published", "da"): "Offentliggjorte tal",
    ("public", "en"): "Public data",
    ("public", "da"): "Offentlige data",
}
ALL_STAMPS = set(STAMPS.values())
SVG = "{http://www.w3.org/2000/svg}"


def svg_stamps(path) -> list[str]:
    """The texts of the source stamps in a saved SVG (the stamp's gid is its id)."""
    root = ET.parse(path).getroot()
    return ["".join(g.itertext()).strip() for g in root.iter(f"{SVG}g") if g.get("id") == STAMP_GID]


def svg_texts(path) -> str:
    return " ".join(ET.parse(path).getroot().itertext())


def plain_figure() -> Figure:
    fig = Figure()
    fig.add_subplot().plot([0, 1, 2], [1, 3, 2])
    return fig


def effect(estimate=1.5, n=(178, 172)) -> EffectResult:
    return EffectResult(
        estimate=estimate,
        std_error=0.5,
        conf_int=(estimate - 1.0, estimate + 1.0),
        p_value=0.01,
        statistic=3.0,
        df=300.0,
        n_treated=n[0],
        n_control=n[1],
        method="test",
        outcome="y",
        treatment="treated",
    )


@pytest.mark.parametrize(("source", "lang"), sorted(STAMPS))
def test_the_stamp_is_drawn_in_the_language_asked(tmp_path, source, lang):
    (svg,) = save_figure(plain_figure(), tmp_path / "f", formats=("svg",), source=source, lang=lang)
    assert svg_stamps(svg) == [STAMPS[source, lang]]
    assert source_stamp(source, lang) == STAMPS[source, lang]


@pytest.mark.parametrize("lang", ["en", "da"])
def test_evalkit_figures_are_stamped_in_the_language_they_were_drawn_in(tmp_path, lang):
    forest = forest_plot([effect()], labels=["weeks"], lang=lang)
    counts = {"randomized": 350, "arms": {"Treatment": {"allocated": 178}, "Control": {
        "allocated": 172}}}  # fmt: skip
    consort = consort_diagram(counts, lang=lang)
    assert gate_module.figure_lang(forest) == gate_module.figure_lang(consort) == lang
    (svg,) = save_figure(forest, tmp_path / "forest", formats=("svg",), source="synthetic")
    assert svg_stamps(svg) == [STAMPS["synthetic", lang]]
    (svg,) = save_figure(consort, tmp_path / "consort", formats=("svg",), source="published")
    assert svg_stamps(svg) == [STAMPS["published", lang]]
    # a figure drawn outside evalkit is English unless the caller says otherwise
    (svg,) = save_figure(plain_figure(), tmp_path / "plain", formats=("svg",), source="public")
    assert svg_stamps(svg) == ["Public data"]
    # lang= overrides the figure's own
    other = "da" if lang == "en" else "en"
    (svg,) = save_figure(forest, tmp_path / "f2", formats=("svg",), source="public", lang=other)
    assert svg_stamps(svg) == [STAMPS["public", other]]


def test_the_language_is_recorded_when_passed_positionally(tmp_path):
    from evalkit.report import survival_plot
    from evalkit.survival import kaplan_meier

    rng = np.random.default_rng(3)
    data = pd.DataFrame({"time": rng.integers(1, 50, 200), "event": rng.integers(0, 2, 200)})
    fig = survival_plot(kaplan_meier(data, "time", "event"), None, "da")
    assert gate_module.figure_lang(fig) == "da"


def test_register_data_get_no_stamp(tmp_path):
    (svg,) = save_figure(forest_plot([effect()], labels=["w"]), tmp_path / "r", formats=("svg",))
    assert svg_stamps(svg) == []
    assert not any(stamp in svg_texts(svg) for stamp in ALL_STAMPS)
    (svg,) = save_figure(plain_figure(), tmp_path / "p", formats=("svg",), source="register")
    assert svg_stamps(svg) == []
    assert source_stamp("register", "da") is None


def test_repeated_saves_leave_the_figure_as_it_was(tmp_path):
    fig = forest_plot([effect()], labels=["weeks"], lang="da")
    fig.draw_without_rendering()  # tick labels are set at a draw
    texts_before = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    first = None
    for i in range(3):
        (svg,) = save_figure(fig, tmp_path / f"f{i}", formats=("svg",), source="synthetic")
        assert svg_stamps(svg) == ["Syntetiske data"]
        body = svg.read_text().replace(f"f{i}", "f")
        first = first or body
        assert body == first  # the same file every time: nothing piles up
    assert [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))] == texts_before
    assert not [t for t in fig.texts if t.get_gid() == STAMP_GID]
    (svg,) = save_figure(fig, tmp_path / "after", formats=("svg",))
    assert svg_stamps(svg) == []  # a later register save has none left over


def test_a_refused_figure_is_left_without_a_stamp(tmp_path):
    fig = forest_plot([effect()], labels=["w"], disclosure=None)
    with pytest.raises(DisclosureError):
        save_figure(fig, tmp_path / "f", formats=("svg",), lang="da")
    assert not [t for t in fig.texts if t.get_gid() == STAMP_GID]
    # declared synthetic, the same figure passes, uncontrolled and stamped
    log = OutputLog(tmp_path)
    (svg,) = save_figure(fig, tmp_path / "f", formats=("svg",), source="synthetic", log=log)
    assert svg_stamps(svg) == ["Synthetic data"]
    (entry,) = log.as_dict()["artifacts"]
    assert entry["status"] == "pass: not controlled (synthetic data)"
    assert not [t for t in fig.texts if t.get_gid() == STAMP_GID]


def test_the_stamp_does_not_cover_the_figure(tmp_path):
    fig = forest_plot([effect()], labels=["weeks"])
    box = fig.get_tightbbox()
    with style_module._stamped(fig, "Synthetic data") as stamp:
        extent = stamp.get_window_extent().transformed(fig.dpi_scale_trans.inverted())
    assert extent.y0 >= box.y1 and extent.x1 == pytest.approx(box.x1, abs=0.02)


def test_the_stamp_passes_the_cpr_gate(tmp_path, monkeypatch):
    scanned = []
    real = gate_module.figure_texts

    def spy(fig):
        texts = real(fig)
        scanned.extend(texts)
        return texts

    monkeypatch.setattr(gate_module, "figure_texts", spy)
    for lang in ("en", "da"):
        save_figure(
            plain_figure(), tmp_path / lang, formats=("png",), source="synthetic", lang=lang
        )
    assert {"Synthetic data", "Syntetiske data"} <= set(scanned)
    # the gate scans it: a stamp holding a CPR-shaped number would be refused
    monkeypatch.setitem(LABELS, "stamp_public", {"en": "Public 010190-1234", "da": "x"})
    with pytest.raises(PrivacyError) as caught:
        save_figure(plain_figure(), tmp_path / "cpr", formats=("png",), source="public")
    assert "010190" not in str(caught.value)
    assert not (tmp_path / "cpr.png").exists()


def test_export_stamps_a_figure_and_logs_it(tmp_path):
    fig = forest_plot([effect()], labels=["weeks"], lang="da")
    path = export(fig, tmp_path / "forest.svg", source="published")
    assert svg_stamps(path) == ["Offentliggjorte tal"]
    (entry,) = OutputLog.read(tmp_path / "output_log.json").get("artifacts")
    assert "source stamp on the figure: 'Offentliggjorte tal'" in entry["checks"]
    # drawn with disclosure control, the figure keeps it and the log says so
    assert entry["status"] == "pass"
    assert "counts controlled by the plot at threshold 5 all the same" in entry["checks"]
    path = export(fig, tmp_path / "forest_en.svg", source="public", lang="en")
    assert svg_stamps(path) == ["Public data"]


def test_a_synthetic_figure_drawn_below_the_threshold_is_not_called_controlled(tmp_path):
    record = gate_module.gate_figure(
        forest_plot([effect()], labels=["w"], disclosure=3), "f.png", source="synthetic"
    )
    assert record.status == "pass: not controlled (synthetic data)"
    assert any("below the rules' 5" in c for c in record.checks)


# ------------------------------------------------------------------ evalkit reproduce
#: Figures each project's runner writes (every figure, of these and of any other
#: project, must carry the stamp its caption names).
REPRODUCED_FIGURES = {
    "jobfirst_aalborg": 6,
    "flere_skal_med_herning": 2,
    "fredericia_2021": 1,
    "impact60_aalborg": 2,
    "adult_business_case": 1,
}
CAPTION_SOURCES = {
    "Synthetic": "synthetic",
    "Syntetiske": "synthetic",
    "Published": "published",
    "Offentliggjorte": "published",
}


@pytest.fixture(scope="module", params=["en", "da"])
def reproduced(request, tmp_path_factory):
    """``evalkit reproduce`` in ``lang``, every figure also written as SVG."""
    lang = request.param
    out = tmp_path_factory.mktemp(f"reproduce_{lang}")
    real = style_module.save_figure
    sources = {}

    def with_svg(fig, path, formats=("png",), *args, source=None, **kwargs):
        sources[path.name] = source
        return real(fig, path, (*formats, "svg"), *args, source=source, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jobfirst_report, "save_figure", with_svg)
        patch.setattr(benchmark_reports, "save_figure", with_svg)
        patch.setattr(impact60_report, "save_figure", with_svg)
        artifacts = reproduce(out, lang=lang, progress=False)
    return lang, out, artifacts, sources


def test_every_reproduced_figure_carries_the_stamp_of_its_caption(reproduced):
    lang, out, artifacts, sources = reproduced
    figures = [a for a in artifacts if a.kind == "figure"]
    per_project = Counter(a.project for a in figures)
    for project, n in REPRODUCED_FIGURES.items():
        assert per_project[project] == n, project
    for a in figures:
        first = a.caption.split()[0].rstrip(".")
        source = CAPTION_SOURCES[first]
        assert sources[a.name] == source, a.name
        (svg,) = [f for f in a.files if f.suffix == ".svg"]
        assert svg_stamps(svg) == [STAMPS[source, lang]], a.name


def test_reproduced_synthetic_figures_keep_their_disclosure_control(reproduced):
    lang, out, artifacts, sources = reproduced
    log = {e["artifact"]: e for e in OutputLog.read(out / "output_log.json").get("artifacts")}
    for name in ("forest_weeks", "share_by_week", "time_to_work", "recurrent_entries"):
        entry = log[f"{name}.png"]
        assert entry["source"] == "synthetic" and entry["status"] == "pass"
        assert "counts controlled by the plot at threshold 5 all the same" in entry["checks"]
    assert log["consort.png"]["source"] == "published"
