"""Survival outputs safe by construction (issue 12, "safe output").

What an adversary sees of a disclosure-controlled curve: the rows of ``safe_curve`` (time,
``n_risk`` rounded down to a multiple of the threshold, pooled ``n_event``, the curve
value), the coordinates of the drawn curves and the numbers at risk under the figure
(``safe_at_risk``). No shown count, and no difference of two shown numbers at risk, may be
1..threshold-1; and the curve values (and the drawn coordinates) must follow from the
shown counts alone, so that they give nothing else back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.errors import ArgumentError
from evalkit.report.disclosure import mask_counts, safe_at_risk, safe_curve
from evalkit.report.labels import label
from evalkit.report.plots import cumulative_incidence_plot, survival_plot
from evalkit.survival import kaplan_meier
from evalkit.survival.competing import cumulative_incidence
from evalkit.survival.km import with_intervals

THRESHOLD = 5


def axes_labelled(fig, name):
    return next(ax for ax in fig.axes if ax.get_label() == name)


def gid(artists, name):
    return [a for a in artists if a.get_gid() == name]


def risk_rows(fig) -> dict[float, list[str]]:
    """The number-at-risk texts of a figure, row by row, in time order."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for t in gid(axes_labelled(fig, "risk_table").texts, "at_risk"):
        x, y = t.get_position()
        rows.setdefault(y, []).append((x, t.get_text()))
    return {y: [text for _, text in sorted(row)] for y, row in sorted(rows.items())}


def note_text(fig) -> str:
    (note,) = [t for ax in fig.axes for t in gid(ax.texts, "disclosure_note")]
    return note.get_text().replace("\n", " ")


def shown_number(text: str) -> int | None:
    """A number at risk as the figure shows it (thousands separators of either language);
    None for a masked ``"<5"``."""
    if text.startswith("<"):
        return None
    return int(text.replace(",", "").replace(".", ""))


# ---------------------------------------------------------------------- safe_at_risk
def test_safe_at_risk_rounds_down_and_masks():
    assert safe_at_risk([178, 131, 130, 12, 5, 4, 1, 0]) == [
        "175", "130", "130", "10", "5", "<5", "<5", "0",
    ]  # fmt: skip
    assert safe_at_risk(pd.Series([23.0, np.nan, 9.0]), threshold=10) == ["20", "", "<10"]
    assert safe_at_risk(7) == ["5"]
    assert mask_counts([131, 130]) == ["131", "130"]  # masking alone does not round


# ---------------------------------------------------------------------- the adversary
@st.composite
def spell_data(draw):
    n = draw(st.integers(10, 60))
    groups = draw(st.integers(1, 2))
    weeks = draw(st.lists(st.integers(1, 20), min_size=n, max_size=n))
    exits = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    exits[0] = 1  # at least one event: kaplan_meier refuses data without any
    arm = draw(st.lists(st.integers(0, groups - 1), min_size=n, max_size=n))
    return pd.DataFrame({"weeks": weeks, "exit": exits, "arm": arm})


def assert_nothing_small(safe: pd.DataFrame, keys: list[str], at_risk: dict, threshold: int):
    # every shown n_event is 0 or at least the threshold
    events = safe["n_event"].to_numpy()
    assert ((events == 0) | (events >= threshold)).all()
    # every shown n_risk is at least the threshold and a multiple of it
    n_risk = safe["n_risk"].to_numpy()
    assert (n_risk >= threshold).all() and (n_risk % threshold == 0).all()
    # consecutive shown numbers at risk of one curve differ by 0 or >= threshold
    parts = safe.groupby(keys, sort=False) if keys else [((), safe)]
    for _, part in parts:
        steps = np.abs(np.diff(part.sort_values("time")["n_risk"].to_numpy()))
        assert ((steps == 0) | (steps >= threshold)).all(), steps
    # the figure: multiples of the threshold, "<5" or 0; the figure's numbers and the
    # table's together still differ by 0 or >= threshold
    table_numbers = set(n_risk.tolist())
    for row in at_risk.values():
        numbers = [shown_number(text) for text in row]
        assert all(v is None or v % threshold == 0 for v in numbers), row
        assert all(text == f"<{threshold}" or text.isdigit() for text in row), row
        shown = sorted({v for v in numbers if v} | table_numbers)
        gaps = np.diff(shown)
        assert ((gaps == 0) | (gaps >= threshold)).all(), (row, shown)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spell_data())
def test_no_small_count_is_shown_or_follows_by_differencing(data):
    grouped = data["arm"].nunique() > 1
    km = kaplan_meier(data, "weeks", "exit", group="arm" if grouped else None)
    safe = safe_curve(km.table, threshold=THRESHOLD)
    fig = survival_plot(km, risk_times=[0, 5, 10, 15, 20], disclosure=THRESHOLD)
    assert_nothing_small(safe, ["group"] if grouped else [], risk_rows(fig), THRESHOLD)
    # no censoring marks (single persons) with disclosure control on
    assert not gid(axes_labelled(fig, "survival").lines, "censor")
    # the drawn curves are the safe_curve tables (after the start at (0, 1)), treated first
    lines = gid(axes_labelled(fig, "survival").lines, "curve")
    parts = [safe[safe["group"] == g] for g in (1, 0)] if grouped else [safe]
    for line, part in zip(lines, parts, strict=True):
        np.testing.assert_array_equal(line.get_ydata()[1:], part["survival"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spell_data(), st.integers(1, 2))
def test_cumulative_incidence_shows_no_small_count(data, causes):
    data = data.assign(status=data["exit"] * ((data.index % causes) + 1))
    if data["status"].eq(0).all():
        data.loc[0, "status"] = 1
    fit = cumulative_incidence(data, "weeks", "status")
    safe = safe_curve(fit.table, threshold=THRESHOLD)
    fig = cumulative_incidence_plot(fit, risk_times=[0, 5, 10, 15, 20])
    assert_nothing_small(safe, ["cause"], risk_rows(fig), THRESHOLD)


def life_table_km(n_risk, n_event) -> np.ndarray:
    """What anyone can compute from the shown counts: Kaplan-Meier of the life table."""
    hazard = np.minimum(1.0, np.asarray(n_event, float) / np.asarray(n_risk, float))
    return np.cumprod(1.0 - hazard)


def drawn_curves(fig, name="survival") -> list[np.ndarray]:
    """The y coordinates of the drawn step lines (gid "curve"), without the start point:
    what an SVG or PDF of the figure holds."""
    lines = gid(axes_labelled(fig, name).lines, "curve")
    return [np.asarray(line.get_xydata())[1:, 1] for line in lines]


def test_published_survival_follows_from_the_published_counts():
    # the colleague's example: the exact values gave 23 and 14 at risk back (shown: 20
    # and 10), so 23 - 14 - 6 = 3 censored
    data = pd.DataFrame({"weeks": [1] * 6 + [2] * 3 + [3] * 5 + [9] * 9,
                         "exit": [1] * 6 + [0] * 3 + [1] * 5 + [0] * 9})  # fmt: skip
    km = kaplan_meier(data, "weeks", "exit")
    safe = safe_curve(km.table)
    assert safe["n_risk"].tolist()[:2] == [20, 10]
    survival = safe["survival"].to_numpy()
    # the published values are the Kaplan-Meier estimate of the shown columns, exactly
    np.testing.assert_allclose(
        survival, life_table_km(safe["n_risk"], safe["n_event"]), rtol=0, atol=1e-12
    )
    # the adversary's recovery now gives the shown (rounded) numbers back, not 23 and 14
    ratio = survival[:2] / np.r_[1.0, survival[:1]]
    recovered = np.round(safe["n_event"].to_numpy()[:2] / (1.0 - ratio))
    assert recovered.tolist() == [20, 10]
    # the figure draws the same numbers, and its band is Greenwood's on the shown counts
    fig = survival_plot(km)
    (drawn,) = drawn_curves(fig)
    np.testing.assert_array_equal(drawn, survival)
    assert gid(axes_labelled(fig, "survival").collections, "band")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spell_data())
def test_drawn_curves_hold_nothing_beyond_the_counts(data):
    grouped = data["arm"].nunique() > 1
    km = kaplan_meier(data, "weeks", "exit", group="arm" if grouped else None)
    safe = safe_curve(km.table, threshold=THRESHOLD)
    fig = survival_plot(km, risk_times=[0, 5, 10, 15, 20], disclosure=THRESHOLD)
    parts = [safe[safe["group"] == g] for g in (1, 0)] if grouped else [safe]
    for drawn, part in zip(drawn_curves(fig), parts, strict=True):
        expected = life_table_km(part["n_risk"], part["n_event"])
        np.testing.assert_allclose(part["survival"], expected, rtol=0, atol=1e-12)
        np.testing.assert_allclose(drawn, expected, rtol=0, atol=1e-12)
        # single-time steps: d / (1 - S_k / S_k-1) is the shown n_risk, not the exact one
        s = part["survival"].to_numpy()
        previous = np.r_[1.0, s[:-1]]
        steps = (part["n_event"].to_numpy() > 0) & (s > 0)
        if steps.any():
            recovered = part["n_event"].to_numpy()[steps] / (1.0 - s[steps] / previous[steps])
            shown = part["n_risk"].to_numpy()[steps]
            capped = part["n_event"].to_numpy()[steps] >= shown
            np.testing.assert_allclose(recovered[~capped], shown[~capped], rtol=1e-9)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spell_data(), st.integers(1, 2))
def test_drawn_incidence_holds_nothing_beyond_the_counts(data, causes):
    data = data.assign(status=data["exit"] * ((data.index % causes) + 1))
    if data["status"].eq(0).all():
        data.loc[0, "status"] = 1
    fit = cumulative_incidence(data, "weeks", "status")
    safe = safe_curve(fit.table, threshold=THRESHOLD)
    # recomputed by hand from the shown rows of all causes: F_c(b_k) = F_c(b_k-1) +
    # S(b_k-1) d/n with S = 1 - the published curves of all causes at b_k-1
    value = {}
    for i in safe.sort_values("time", kind="stable").index:
        cause, time = safe.at[i, "cause"], safe.at[i, "time"]
        mine = safe[(safe["cause"] == cause) & (safe["time"] < time)]
        base, alive = 0.0, 1.0
        if len(mine):
            p = mine["time"].idxmax()
            base, u = value[p], safe.at[p, "time"]
            at_u = [
                value[rows["time"].idxmax()] for _, rows in safe[safe["time"] <= u].groupby("cause")
            ]
            alive = max(0.0, 1.0 - sum(at_u))
        value[i] = base + alive * min(1.0, safe.at[i, "n_event"] / safe.at[i, "n_risk"])
    expected = pd.Series(value, dtype=float).sort_index().to_numpy()
    np.testing.assert_allclose(safe["cumulative_incidence"], expected, rtol=0, atol=1e-12)
    assert not {"std_error", "ci_low", "ci_high"} & set(safe.columns)
    # the figure draws the same values, without bands
    fig = cumulative_incidence_plot(fit, risk_times=[0, 5, 10, 15, 20])
    shown = [safe[safe["cause"] == c] for c in fit.causes]
    drawn = drawn_curves(fig, "cumulative_incidence")
    for line, part in zip(drawn, shown, strict=True):
        np.testing.assert_array_equal(line, part["cumulative_incidence"])
    assert not gid(axes_labelled(fig, "cumulative_incidence").collections, "band")


# ---------------------------------------------------------------------- JobFirst
@pytest.fixture(scope="module")
def time_to_work():
    from evalkit.projects.jobfirst import evaluate_jobfirst

    return evaluate_jobfirst().time_to_work


def consecutive_gaps(row: list[str]) -> list[int]:
    numbers = [shown_number(text) for text in row]
    pairs = zip(numbers[:-1], numbers[1:], strict=True)
    return [abs(a - b) for a, b in pairs if a is not None and b is not None]


def test_jobfirst_time_to_work_risk_table_does_not_leak(time_to_work):
    fig = survival_plot(time_to_work, risk_times=[0, 26, 52, 78, 104])
    rows = risk_rows(fig)
    assert len(rows) == 2
    for row in rows.values():
        assert len(row) == 5
        assert not any(0 < gap < THRESHOLD for gap in consecutive_gaps(row)), row
    # exact numbers (disclosure off) show the leak the review found: 131 -> 130
    exact = risk_rows(survival_plot(time_to_work, risk_times=[0, 26, 52, 78, 104],
                                     disclosure=None))  # fmt: skip
    assert any(0 < gap < THRESHOLD for row in exact.values() for gap in consecutive_gaps(row))
    # the figure and the exported table agree: the same rounding of the same numbers
    at = time_to_work.at_risk([0, 26, 52, 78, 104])
    treated = at[at["group"] == 1]["n_risk"]
    assert rows[0] == safe_at_risk(treated)


def test_published_jobfirst_curve_is_close_to_the_exact_one(time_to_work):
    table = time_to_work.table
    safe = safe_curve(table)
    merged = safe.merge(table, on=["group", "time"], suffixes=("", "_exact"))
    # at the retained times (safe_curve's docstring: at most 0.006 measured)
    assert (merged["survival"] - merged["survival_exact"]).abs().max() < 0.01
    # as step functions over the drawn range, where the exact curve drops week by week
    # and the published one at each block's end (docstring: 0.023 measured)
    for g, exact in table.groupby("group"):
        shown = safe[safe["group"] == g]
        times = exact["time"].to_numpy()
        inside = times <= shown["time"].max()
        k = np.searchsorted(shown["time"].to_numpy(), times[inside], side="right") - 1
        drawn = np.where(k >= 0, shown["survival"].to_numpy()[np.maximum(k, 0)], 1.0)
        assert np.abs(drawn - exact["survival"].to_numpy()[inside]).max() < 0.03


@pytest.mark.parametrize(("conf_type", "alpha"), [("log-log", 0.05), ("log", 0.1), ("plain", 0.2)])
def test_published_interval_has_the_curves_type_and_level(conf_type, alpha):
    rng = np.random.default_rng(7)
    data = pd.DataFrame({"weeks": rng.integers(1, 30, 200), "exit": rng.integers(0, 2, 200)})
    km = kaplan_meier(data, "weeks", "exit", conf_type=conf_type, alpha=alpha)
    safe = safe_curve(km.table)  # read off the table's own interval
    info = safe.attrs["disclosure"]
    assert (info["conf_type"], info["alpha"]) == (conf_type, alpha)
    given = safe_curve(km.table, conf_type=conf_type, alpha=alpha)
    pd.testing.assert_frame_equal(safe, given)
    # the figure passes the fitted curve's type and level: its band is the table's
    fig = survival_plot(km, risk_table=False)
    (band,) = gid(axes_labelled(fig, "survival").collections, "band")
    drawn = np.concatenate([path.vertices[:, 1] for path in band.get_paths()])
    for value in pd.concat([safe["ci_low"], safe["ci_high"]]).dropna():
        assert np.abs(drawn - value).min() < 1e-12
    # a table whose interval matches no survfit type gets survfit's default
    odd = km.table.assign(ci_low=km.table["survival"] * 0.5)
    assert safe_curve(odd).attrs["disclosure"]["conf_type"] == "log-log"
    assert safe_curve(odd).attrs["disclosure"]["alpha"] == 0.05
    with pytest.raises(ArgumentError, match="conf_type must be one of"):
        safe_curve(km.table, conf_type="logit")
    with pytest.raises(ArgumentError, match="alpha must be between 0 and 1"):
        safe_curve(km.table, alpha=1.5)


@pytest.mark.parametrize(
    ("lang", "start"),
    [("en", "Curves end where fewer than 5 remain at risk or fewer than 5 events follow"),
     ("da", "Kurverne slutter, hvor færre end 5 er i risiko, eller hvor færre end 5")],
)  # fmt: skip
def test_truncated_figure_says_why(time_to_work, lang, start):
    fig = survival_plot(time_to_work, lang=lang, risk_times=[0, 26, 52, 78, 104])
    text = note_text(fig)
    assert text == label("curve_truncated", lang, t=5)
    assert text.startswith(start)
    # one note only: the generic "Cells < 5 suppressed" is not drawn as well
    assert label("disclosure_note", lang, threshold=5) not in [
        t.get_text() for ax in fig.axes for t in ax.texts
    ]


def test_untruncated_curve_gets_the_pooling_note():
    # 40 persons, 10 exits in each of weeks 1-3, 10 still at risk and censored at week 4
    data = pd.DataFrame({"weeks": np.repeat([1, 2, 3, 4], 10), "exit": [1] * 30 + [0] * 10})
    for lang in ("en", "da"):
        fig = survival_plot(kaplan_meier(data, "weeks", "exit"), lang=lang)
        assert note_text(fig) == label("curve_pooled", lang, t=5)


def test_cumulative_incidence_note_in_both_languages():
    rng = np.random.default_rng(3)
    data = pd.DataFrame({"weeks": rng.integers(1, 30, 80), "exit": rng.integers(0, 3, 80)})
    fit = cumulative_incidence(data, "weeks", "exit")
    for lang in ("en", "da"):
        assert note_text(cumulative_incidence_plot(fit, lang=lang)) == label(
            "curve_truncated", lang, t=5
        )


# ---------------------------------------------------------------------- exact numbers
def test_without_disclosure_the_figure_shows_exact_numbers(time_to_work):
    fig = survival_plot(time_to_work, risk_times=[0, 26, 52, 78, 104], disclosure=None)
    at = time_to_work.at_risk([0, 26, 52, 78, 104])
    rows = risk_rows(fig)
    assert rows[0] == at[at["group"] == 1]["n_risk"].astype(str).tolist()
    assert rows[1] == at[at["group"] == 0]["n_risk"].astype(str).tolist()
    assert rows[1][-2:] == ["131", "130"]
    ax = axes_labelled(fig, "survival")
    table = time_to_work.table
    for line, g in zip(gid(ax.lines, "curve"), (1, 0), strict=True):
        np.testing.assert_array_equal(
            line.get_ydata()[1:], table[table["group"] == g]["survival"].to_numpy()
        )
    assert gid(ax.lines, "censor")
    assert not [t for a in fig.axes for t in gid(a.texts, "disclosure_note")]


def test_tables_are_declared_curves_with_unchanged_numbers():
    rng = np.random.default_rng(11)
    data = pd.DataFrame(
        {"weeks": rng.integers(1, 40, 200), "exit": rng.integers(0, 3, 200),
         "arm": rng.integers(0, 2, 200)}
    )  # fmt: skip
    km = kaplan_meier(data.assign(exit=data["exit"].clip(0, 1)), "weeks", "exit", group="arm")
    info = km.table.attrs["evalkit_output"]
    assert info["kind"] == "curve"
    assert info["counts"] == ["n_risk", "n_event", "n_censored"]
    assert set(info["dependent"]) == {"survival", "std_error", "ci_low", "ci_high"}
    # the numbers are those of the undeclared table
    plain = pd.concat(
        [with_intervals(part, km.conf_type, km.alpha).assign(group=g)
         for g, part in km.parts.items()], ignore_index=True,
    )[km.table.columns]  # fmt: skip
    pd.testing.assert_frame_equal(km.table, plain)
    # the declaration survives slicing by group and to_frame
    for frame in (km.table[km.table["group"] == 1], km.to_frame()):
        assert frame.attrs["evalkit_output"]["kind"] == "curve"

    ci = cumulative_incidence(data, "weeks", "exit", group="arm")
    info = ci.table.attrs["evalkit_output"]
    assert info["kind"] == "curve" and info["counts"] == ["n_risk", "n_event"]
    assert set(info["dependent"]) == {"cumulative_incidence", "std_error", "ci_low", "ci_high"}
    assert ci.to_frame().attrs["evalkit_output"]["kind"] == "curve"
    assert ci.table[ci.table["cause"] == 1].attrs["evalkit_output"]["kind"] == "curve"
