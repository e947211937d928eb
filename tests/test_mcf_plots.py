"""The mean cumulative function figure: it draws only published values (every jump on at
least 5 events), the difference of the arms from those values alone, en/da labels from
the catalogue, the threshold declared to the gate."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "reference"))
from multistate_data import frames  # noqa: E402

from evalkit.errors import ArgumentError  # noqa: E402
from evalkit.report import mean_cumulative_function_plot, save_figure  # noqa: E402
from evalkit.report.labels import label  # noqa: E402
from evalkit.report.mcf_plots import _curve_difference  # noqa: E402
from evalkit.survival import mean_cumulative_function, nelson_aalen  # noqa: E402


@pytest.fixture(scope="module")
def cgd():
    data = frames()["cgd"]
    return mean_cumulative_function(data, "tstop", "status", "id", start="tstart",
                                    treatment="treated")  # fmt: skip


def _lines(fig, gid):
    return [line for ax in fig.axes for line in ax.lines if line.get_gid() == gid]


def test_draws_only_published_steps(cgd):
    before = cgd.table.copy()
    fig = mean_cumulative_function_plot(cgd)
    pd.testing.assert_frame_equal(cgd.table, before)  # the fit is untouched
    safe = cgd.safe_table(5)
    events = safe["n_event"]  # every jump on >= 5 events (0: the flat tail to the end)
    assert (((events == 0) | (events >= 5)) & (safe["n_risk"] >= 5)).all()
    lines = _lines(fig, "mcf")
    assert [line.get_label() for line in lines] == ["Treatment", "Control"]
    for line, group in zip(lines, (1, 0), strict=True):
        part = safe[safe["group"] == group]
        np.testing.assert_allclose(line.get_xdata()[1:], part["time"])
        np.testing.assert_allclose(line.get_ydata()[1:], part["mean_events"])
        assert line.get_ydata()[0] == 0.0
    exact = mean_cumulative_function_plot(cgd, disclosure=None)
    assert len(_lines(exact, "mcf")[0].get_xdata()) == (cgd.table["group"] == 1).sum() + 1
    assert len(lines[0].get_xdata()) < len(_lines(exact, "mcf")[0].get_xdata())


def test_difference_is_computed_from_the_published_curves(cgd):
    safe = cgd.safe_table(5)
    fig = mean_cumulative_function_plot(cgd)
    (line,) = _lines(fig, "mcf_difference")
    times = line.get_xdata()[1:]
    shown = set(safe["time"])
    assert set(times) <= shown  # no time that only the exact curves have
    for t, d in zip(times, line.get_ydata()[1:], strict=True):
        values = []
        for g in (1, 0):
            part = safe[(safe["group"] == g) & (safe["time"] <= t)]
            values.append(part["mean_events"].iloc[-1] if len(part) else 0.0)
        assert d == pytest.approx(values[0] - values[1], rel=1e-12)
    # the exact figure's difference is the fit's own difference table at its times
    exact = _curve_difference(cgd.table, cgd.groups, "mean_events", cgd.alpha)
    want = cgd.difference.set_index("time")
    got = exact.set_index("time").loc[want.index]
    np.testing.assert_allclose(got["difference"], want["difference"], rtol=1e-12)
    np.testing.assert_allclose(got["ci_low"], want["ci_low"], rtol=1e-12, atol=1e-12)


def test_labels_in_both_languages_and_the_gate(cgd, tmp_path):
    fig = mean_cumulative_function_plot(cgd, lang="da")
    assert fig.axes[0].get_ylabel() == label("mcf_mean_events", "da")
    assert fig.axes[1].get_ylabel() == label("difference", "da")
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["Indsats", "Kontrol"]
    note = next(t for t in fig.texts if t.get_gid() == "disclosure_note").get_text()
    assert "hændelser" in note and "viste kurver" in note.replace("\n", " ")
    assert fig._evalkit_output["threshold"] == 5
    assert fig._evalkit_output["lang"] == "da"
    assert save_figure(fig, tmp_path / "mcf", formats=("png",))  # controlled: passes
    exact = mean_cumulative_function_plot(cgd, disclosure=None)
    assert exact._evalkit_output["threshold"] is None
    with pytest.raises(Exception, match="disclosure"):
        save_figure(exact, tmp_path / "exact", formats=("png",))
    assert save_figure(exact, tmp_path / "exact", formats=("svg",), source="public")
    assert "Public data" in (tmp_path / "exact.svg").read_text()  # the stamp on its face


def test_one_group_and_options():
    data = frames()["cgd"]
    fit = mean_cumulative_function(data, "tstop", "status", "id", start="tstart")
    fig = mean_cumulative_function_plot(fit, xlabel="Days", conf_int=False)
    assert len(fig.axes) == 1 and fig.axes[0].get_xlabel() == "Days"
    assert not any(c.get_gid() == "band" for c in fig.axes[0].collections)
    note = next(t for t in fig.texts if t.get_gid() == "disclosure_note").get_text()
    assert label("mcf_difference_note") not in note.replace("\n", " ")
    grouped = mean_cumulative_function(data, "tstop", "status", "id", start="tstart",
                                       treatment="treated")  # fmt: skip
    assert len(mean_cumulative_function_plot(grouped, difference=False).axes) == 1
    with pytest.raises(ArgumentError, match="mean cumulative function"):
        mean_cumulative_function_plot(nelson_aalen(data, "tstop", "status"))
    with pytest.raises(ArgumentError, match="conf_int"):
        mean_cumulative_function_plot(fit, conf_int="yes")
    with pytest.raises(ArgumentError, match="disclosure"):
        mean_cumulative_function_plot(fit, disclosure=1)
    few = mean_cumulative_function(data.head(12), "tstop", "status", "id", start="tstart")
    empty = mean_cumulative_function_plot(few, disclosure=50)
    assert label("mcf_none_shown") in [t.get_text() for t in empty.axes[0].texts]
