"""The output gate on result views and figures: EffectResult's views, forest plots,
CONSORT diagrams, weekly shares, series and funnel plots (issue 12)."""

from __future__ import annotations

import itertools
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from evalkit.output import declaration, gate_table, output_rules
from evalkit.output.cpr import PrivacyError
from evalkit.output.gate import figure_texts
from evalkit.report import consort_diagram, forest_plot, save_figure
from evalkit.report.disclosure import DisclosureError
from evalkit.report.plots import funnel_plot, series_plot, share_by_week
from evalkit.results import (
    EffectResult,
    LinesDisplay,
    TableDisplay,
    fmt_p_value,
    fmt_value,
    small_count,
)

CPR = "010190-1234"


def effect(n_treated=178, n_control=3, estimate=0.123456, outcome="employed", **extra):
    return EffectResult(
        estimate=estimate, std_error=0.0471828, conf_int=(0.0311842, 0.215728),
        p_value=0.00876543, statistic=2.61662, df=None, n_treated=n_treated,
        n_control=n_control, method="Difference in means, Welch SE", outcome=outcome,
        treatment="treated", **extra,
    )  # fmt: skip


def number_texts(r: EffectResult) -> list[str]:
    """The exact numbers of a result as the views would print them."""
    return [
        fmt_value(r.estimate),
        fmt_value(r.std_error),
        fmt_value(r.statistic),
        fmt_p_value(r.p_value),
        fmt_value(r.conf_int[0]),
        fmt_value(r.conf_int[1]),
    ]


def views(r) -> dict[str, str]:
    return {"summary": r.summary(), "str": str(r), "html": r._repr_html_(), "repr": repr(r)}


# ---------------------------------------------------------------------- EffectResult views
def test_small_arm_suppressed_in_every_view_attributes_exact():
    r = effect(n_control=3)
    for name, text in views(r).items():
        for number in number_texts(r):
            assert number not in text, (name, number)
        assert "control 3" not in text and ">3<" not in text and "n_control=3" not in text
        assert "<5" in text or "&lt;5" in text, name
    assert "Effect suppressed (x): an arm has fewer than 5 persons" in r.summary()
    assert "fewer than 5 persons" in r._repr_html_()
    assert "178" in r.summary()  # the large arm is shown
    assert (r.n_control, r.estimate, r.conf_int) == (3, 0.123456, (0.0311842, 0.215728))
    assert r.suppressed() and not effect(n_control=50).suppressed()


def test_shown_when_arms_are_large_enough():
    r = effect(n_control=172)
    text = r.summary()
    assert fmt_value(r.estimate) in text and "control 172" in text
    assert "suppressed" not in text
    assert fmt_value(r.estimate) in r._repr_html_()


def test_rules_threshold_10_suppresses_an_arm_of_7():
    r = effect(n_control=7)
    assert fmt_value(r.estimate) in r.summary()
    with output_rules(threshold=10):
        for name, text in views(r).items():
            assert fmt_value(r.estimate) not in text, name
            assert "control 7" not in text and ">7<" not in text
        assert "control <10" in r.summary()
        assert "fewer than 10 persons" in r.summary()
    with output_rules("acro"):  # zeros disclosive
        assert effect(n_control=0).suppressed()
    assert not effect(n_control=0).suppressed()  # Statistics Denmark shows zeros


def test_to_frame_declares_counts_and_export_suppresses():
    r = effect(n_control=3)
    frame = r.to_frame()
    assert list(frame.columns) == [
        "term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high",
        "df", "outcome", "method", "n_treated", "n_control",
    ]  # fmt: skip
    assert frame["estimate"].item() == r.estimate and frame["n_control"].item() == 3
    info = declaration(frame)
    assert info["counts"] == ["n_treated", "n_control"]
    assert set(info["dependent"]) == {
        "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high", "df",
    }  # fmt: skip
    safe, record = gate_table(frame, "effects.csv")
    assert safe["n_control"].item() == "<5" and safe["estimate"].item() == "x"
    assert safe["n_treated"].item() == 178
    assert record.status == "pass: suppressed"


def test_regression_terms_all_suppressed():
    terms = pd.DataFrame({"term": ["Intercept", "treated", "age"], "estimate": [1.5, 0.25, 0.01],
                          "std_error": [0.1, 0.05, 0.002], "statistic": [15.0, 5.0, 5.0],
                          "p_value": [1e-9, 1e-5, 1e-5], "conf_low": [1.3, 0.15, 0.006],
                          "conf_high": [1.7, 0.35, 0.014], "df": [5.0, 5.0, 5.0]})  # fmt: skip
    r = effect(n_treated=4, n_control=4, estimate=0.25, terms=terms)
    text = r.summary()
    assert "1.5" not in text and "0.25" not in text and "0.35" not in text
    assert text.count("x") >= 3 * 7
    assert "Intercept" in text and "age" in text


def test_cpr_is_redacted_in_views_and_views_never_raise():
    r = effect(n_control=100, outcome=f"weeks of {CPR}")
    for name, text in views(r).items():
        assert CPR not in text and "0101901234" not in text, name
        assert "[CPR removed]" in text, name
    terms = pd.DataFrame({"term": [CPR, "treated"], "estimate": [1.0, 0.2],
                          "std_error": [0.1, 0.1], "statistic": [10.0, 2.0],
                          "p_value": [0.01, 0.05], "conf_low": [0.8, 0.0],
                          "conf_high": [1.2, 0.4], "df": [90.0, 90.0]})  # fmt: skip
    r = effect(n_control=100, terms=terms)
    assert CPR not in r._repr_html_() and CPR not in r.summary()

    class Broken(LinesDisplay):
        def _lines(self):
            raise RuntimeError(f"bad value {CPR}")

    html = Broken()._repr_html_()
    assert "could not be shown" in html and CPR not in html

    class Lines(LinesDisplay):
        def _lines(self):
            return [f"person {CPR}", "fine"]

    shown = Lines()
    assert CPR not in shown._repr_html_() and CPR not in str(shown)

    class Table(TableDisplay):
        def _header(self):
            return [f"header {CPR}"]

        def to_frame(self):
            return pd.DataFrame({"id": [CPR], "value": [1.0]})

        def summary(self):
            return "table"

    html = Table()._repr_html_()
    assert CPR not in html and html.count("[CPR removed]") == 2


def test_small_count_rule():
    assert [small_count(v) for v in (0, 1, 4, 5, 178)] == [False, True, True, False, False]
    assert small_count(float("nan")) and small_count(None)
    assert small_count(7, 10) and small_count(0, zeros=True)


# ---------------------------------------------------------------------- forest plot
def test_forest_plot_suppresses_rows_on_small_arms():
    small = effect(n_control=3, estimate=0.987654, outcome="small")
    small = EffectResult(**{**small.__dict__, "conf_int": (0.876543, 1.234567),
                            "p_value": 0.0123456})  # fmt: skip
    big = effect(n_control=172, estimate=0.05, outcome="big")
    fig = forest_plot([big, small], digits=3)
    texts = figure_texts(fig)
    joined = "\n".join(texts)
    for number in ("0.988", "0.877", "1.235", "0.012", "0.99", "1.23"):
        assert number not in joined
    assert "x (suppressed)" in texts
    assert any("fewer than 5 persons" in t for t in texts)
    assert "0.050 [0.031, 0.216]" in texts  # the big row is drawn
    ax = next(a for a in fig.axes if a.get_label() == "forest")
    lines = [line for line in ax.lines if line.get_gid() == "ci"]
    assert len(lines) == 1
    assert ax.get_xlim()[1] < 0.5  # the hidden interval does not set the axis
    assert not re.search(r"(?<![\d.])3(?![\d.])", joined)


def test_forest_plot_threshold_and_all_rows_hidden():
    r = effect(n_control=7)
    fig = forest_plot([r])
    assert "x (suppressed)" not in figure_texts(fig)
    fig = forest_plot([r], disclosure=10)
    assert "x (suppressed)" in figure_texts(fig)
    ratio = EffectResult(**{**effect(n_control=2).__dict__, "scale": "ratio",
                            "estimate": 1.4, "conf_int": (1.1, 1.8)})  # fmt: skip
    fig = forest_plot([ratio], lang="da")
    assert "x (undertrykt)" in figure_texts(fig)


def test_save_forest_plot_without_control(tmp_path):
    fig = forest_plot([effect(n_control=3)], disclosure=None)
    with pytest.raises(DisclosureError, match="disclosure control off"):
        save_figure(fig, tmp_path / "forest", formats=("png",))
    for source in ("published", "synthetic"):
        paths = save_figure(fig, tmp_path / source, formats=("png",), source=source)
        assert paths[0].exists()
    fig = forest_plot([effect(n_control=3)])
    assert save_figure(fig, tmp_path / "controlled", formats=("png",))[0].exists()
    with output_rules(threshold=10), pytest.raises(DisclosureError, match="threshold of 5"):
        save_figure(fig, tmp_path / "low", formats=("png",))


# ---------------------------------------------------------------------- CONSORT
def shown_numbers(fig) -> list[int]:
    text = "\n".join(t for t in figure_texts(fig) if "fewer than" not in t)
    return [int(n.replace(",", "")) for n in re.findall(r"n = ([\d,]+)\)", text)]


def assert_no_small_difference(numbers: list[int], threshold: int = 5) -> None:
    """No shown count, difference of two or a - b - c of three is 1..threshold-1."""
    for a in numbers:
        assert not 0 < a < threshold, numbers
    for a, b in itertools.permutations(numbers, 2):
        assert not 0 < a - b < threshold, (a, b)
    for a, b, c in itertools.permutations(numbers, 3):
        assert not 0 < a - b - c < threshold, (a, b, c)


def test_consort_lost_to_follow_up_cannot_be_recovered():
    counts = {"randomized": 350, "arms": {"Treatment": {"allocated": 178, "lost_to_follow_up": 2},
                                          "Control": {"allocated": 172}}}  # fmt: skip
    fig = consort_diagram(counts)
    texts = figure_texts(fig)
    joined = "\n".join(texts)
    assert "Lost to follow-up (n = <5)" in joined
    assert "Analysed (n = x)" in joined and "Analysed (n = 176)" not in joined
    assert "Allocated to Treatment (n = 178)" in joined
    assert any("cannot be recovered" in " ".join(t.split()) for t in texts)
    assert_no_small_difference(shown_numbers(fig))
    fig = consort_diagram(counts, disclosure=None)
    assert "Lost to follow-up (n = 2)" in "\n".join(figure_texts(fig))


def test_consort_small_arm_and_hidden_remainders():
    fig = consort_diagram({"randomized": 180, "arms": {"Treatment": {"allocated": 177},
                                                       "Control": {"allocated": 3}}})  # fmt: skip
    joined = "\n".join(figure_texts(fig))
    assert "(n = 3)" not in joined and "(n = 177)" not in joined
    assert_no_small_difference(shown_numbers(fig))
    # analysed given: allocated - analysed - lost (2 persons, in no box) is protected
    fig = consort_diagram({"randomized": 350, "arms": {
        "Treatment": {"allocated": 178, "analysed": 176, "received": 150, "completed": 147},
        "Control": {"allocated": 172}}})  # fmt: skip
    joined = "\n".join(figure_texts(fig))
    assert "Analysed (n = 176)" not in joined
    assert "(n = 147)" not in joined  # received - completed = 3
    assert_no_small_difference(shown_numbers(fig))
    # the published JobFirst counts are unchanged by disclosure control
    fig = consort_diagram({"randomized": 350, "assessed": 420, "arms": {
        "Treatment": {"allocated": 178, "received": 144, "completed": 108},
        "Control": {"allocated": 172}}})  # fmt: skip
    assert sorted(shown_numbers(fig)) == sorted([420, 70, 350, 178, 144, 34, 108, 0, 178,
                                                 172, 0, 172])  # fmt: skip
    assert not any("recovered" in t for t in figure_texts(fig))


def test_consort_threshold_and_zeros_from_rules():
    counts = {"randomized": 350, "arms": {"Treatment": {"allocated": 178, "lost_to_follow_up": 7},
                                          "Control": {"allocated": 172}}}  # fmt: skip
    assert "Lost to follow-up (n = 7)" in "\n".join(figure_texts(consort_diagram(counts)))
    joined = "\n".join(figure_texts(consort_diagram(counts, disclosure=10)))
    assert "Lost to follow-up (n = <10)" in joined
    with output_rules("acro"):
        joined = "\n".join(figure_texts(consort_diagram(counts, disclosure=10)))
    assert "(n = 0)" not in joined


def test_consort_published_counts_drawn_exactly(tmp_path):
    fig = consort_diagram({"randomized": 10, "arms": {"A": {"allocated": 6},
                                                       "B": {"allocated": 4}}},
                          disclosure=None)  # fmt: skip
    assert "Allocated to B (n = 4)" in "\n".join(figure_texts(fig))
    with pytest.raises(DisclosureError):
        save_figure(fig, tmp_path / "consort", formats=("png",))
    assert save_figure(fig, tmp_path / "consort", formats=("png",), source="published")


# ---------------------------------------------------------------------- CPR in figures
def cpr_figures():
    yield "forest row label", forest_plot([effect(n_control=50)], labels=[f"id {CPR}"])
    yield "axis title", forest_plot([effect(n_control=50)], xlabel=f"weeks {CPR}")
    yield (
        "consort label",
        consort_diagram(
            {
                "randomized": 350,
                "arms": {
                    "Treatment": {
                        "allocated": 178,
                        "received": 150,
                        "received_label": f"seen by {CPR}",
                    },
                    "Control": {"allocated": 172},
                },
            }  # fmt: skip
        ),
    )
    yield (
        "consort arm",
        consort_diagram(
            {"randomized": 350, "arms": {CPR: {"allocated": 178}, "Control": {"allocated": 172}}}
        ),
    )
    local = pd.DataFrame({"period": ["2024-01", "2024-02"], "share": [0.4, 0.42]})
    yield "legend entry", series_plot(local, None, local_label=f"unit {CPR}")


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_cpr_in_a_figure_text_is_refused(tmp_path, fmt):
    for what, fig in cpr_figures():
        with pytest.raises(PrivacyError) as raised:
            save_figure(fig, tmp_path / "figure", formats=(fmt,), source="published")
        assert CPR not in str(raised.value) and "0101901234" not in str(raised.value), what
        assert not list(tmp_path.iterdir()), what


# ---------------------------------------------------------------------- shares, series, funnel
def test_share_by_week_declares_counts_and_the_complement():
    from evalkit.panel import StatusPanel

    codes = np.ones((24, 2), dtype=int)
    codes[:2, 1] = 0  # week 1: 22 of 24 in the state in... both arms
    panel = StatusPanel(np.arange(24), codes, ("benefit", "job"), aligned=True)
    treated = np.tile([1, 0], 12)
    out = share_by_week(panel, "job", treated)
    info = declaration(out)
    assert info["counts"] == ["n_observed", "n_in_state", "n_not_in_state"]
    assert info["totals"] == {"column": "n_observed"}
    safe, _ = gate_table(out, "shares.csv")
    week1 = safe[safe["week"] == 1]
    assert (week1["n_not_in_state"] == "<5").all()
    assert (week1["share"] == "x").all()
    assert not (week1["n_in_state"] == 11).any()  # 12 - 11 would give the 1 back


def test_series_plot_needs_denominators_to_be_controlled(tmp_path):
    local = pd.DataFrame({"period": ["2024-01", "2024-02", "2024-03"],
                          "share": [0.40, 0.98, 0.45], "denominator": [200, 100, 3]})  # fmt: skip
    fig = series_plot(local, None)
    line = next(x for x in fig.axes[0].lines if x.get_gid() == "local")
    shown = np.asarray(line.get_ydata(), dtype=float)
    assert np.isfinite(shown).tolist() == [True, False, False]
    assert save_figure(fig, tmp_path / "series", formats=("png",))
    fig = series_plot(local.drop(columns="denominator"), None)
    with pytest.raises(DisclosureError):
        save_figure(fig, tmp_path / "series2", formats=("png",))
    assert save_figure(fig, tmp_path / "series2", formats=("png",), source="published")


def test_funnel_plot_leaves_out_small_units(tmp_path):
    n = pd.Series(range(2, 1001))
    limits = pd.DataFrame({"denominator": n, "lower_95": 0.4 - 1.96 * (0.24 / n) ** 0.5,
                           "upper_95": 0.4 + 1.96 * (0.24 / n) ** 0.5})  # fmt: skip
    units = pd.DataFrame({"unit": ["A", "tiny", "almost all", "C"],
                          "denominator": [100, 3, 200, 900],
                          "proportion": [0.52, 0.67, 0.99, 0.30]})  # fmt: skip
    fig = funnel_plot(units, 0.40, limits, label_units=True)
    ax = fig.axes[0]
    points = np.concatenate([c.get_offsets() for c in ax.collections if c.get_gid() == "units"])
    assert sorted(points[:, 0].tolist()) == [100.0, 900.0]
    texts = figure_texts(fig)
    assert "tiny" not in texts and "almost all" not in texts
    assert any(t.startswith("2 unit(s) not shown") for t in texts)
    assert save_figure(fig, tmp_path / "funnel", formats=("png",))
    fig = funnel_plot(units, 0.40, limits, disclosure=None)
    with pytest.raises(DisclosureError):
        save_figure(fig, tmp_path / "funnel2", formats=("png",))
