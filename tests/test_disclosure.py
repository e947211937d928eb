"""Disclosure control: suppression of small counts, secondary suppression, curves, guards.

All data here are synthetic.
"""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from evalkit.errors import ArgumentError, ColumnError, EvalkitError
from evalkit.output import declare_table
from evalkit.report.disclosure import (
    DEFAULT_THRESHOLD,
    DisclosureError,
    check_export,
    check_threshold,
    disclosure_note,
    infer_count_columns,
    mask_counts,
    safe_curve,
    suppress_small,
)
from evalkit.survival import kaplan_meier
from evalkit.survival.km import with_intervals

# ------------------------------------------------------------------ notes and thresholds


def test_default_threshold_and_notes():
    assert DEFAULT_THRESHOLD == 5
    assert disclosure_note() == "Cells based on fewer than 5 persons are suppressed."
    assert disclosure_note("da") == "Celler baseret på færre end 5 personer er undertrykt."
    assert disclosure_note("en", threshold=3).startswith("Cells based on fewer than 3 persons")
    assert "x:" in disclosure_note("en", secondary=True)
    assert "x:" in disclosure_note("da", secondary=True)


@pytest.mark.parametrize("bad", [0, -1, 2.5, "5", None, True, float("nan")])
def test_bad_threshold_is_an_argument_error(bad):
    with pytest.raises(ArgumentError, match="threshold must be a whole number"):
        check_threshold(bad)


def test_threshold_accepts_whole_floats():
    assert check_threshold(5.0) == 5 and check_threshold(np.int64(7)) == 7


def test_unknown_language():
    with pytest.raises(ArgumentError, match="lang must be 'en'.*got 'de'"):
        disclosure_note("de")


# ------------------------------------------------------------------ suppress_small


def arms() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "arm": ["treatment", "control", "other", "none"],
            "n": [178, 3, 0, 5],
            "employed": [71, 1, 0, 2],
            "share": [71 / 178, 1 / 3, np.nan, 2 / 5],
            "mean_weeks": [20.5, 31.0, np.nan, 12.0],
        }
    )


def test_small_counts_are_suppressed_zeros_shown_and_input_kept():
    table = arms()
    before = table.copy()
    out = suppress_small(table, ["n", "employed"], dependent_columns=["share", "mean_weeks"])
    pd.testing.assert_frame_equal(table, before)  # not mutated
    assert out is not table
    assert out["n"].tolist() == [178, "<5", 0, 5]
    assert out["employed"].tolist() == [71, "<5", 0, "<5"]
    # statistics computed from a suppressed count are suppressed with "x"
    assert out["share"].tolist()[1] == "x" and out["share"].tolist()[3] == "x"
    assert out["mean_weeks"].tolist()[1] == "x" and out["mean_weeks"].tolist()[3] == "x"
    assert out["share"].iloc[0] == pytest.approx(71 / 178)
    assert pd.isna(out["share"].iloc[2])  # missing stays missing
    assert out["arm"].tolist() == table["arm"].tolist()
    info = out.attrs["disclosure"]
    assert info["threshold"] == 5 and info["primary"] == 3 and info["secondary"] == 0
    assert info["dependent"] == 4 and info["suppressed_cells"] == 7
    assert info["zeros"] == "shown" and info["count_columns"] == ["n", "employed"]
    assert out["n"].dtype == object


def test_dependent_columns_as_a_mapping_follow_only_their_own_counts():
    out = suppress_small(
        arms(), ["n", "employed"], dependent_columns={"share": "employed", "mean_weeks": "n"}
    )
    assert out["share"].tolist()[3] == "x"  # employed = 2
    assert out["mean_weeks"].tolist()[3] == 12.0  # n = 5 is shown
    assert out["mean_weeks"].tolist()[1] == "x"


def test_marker_threshold_and_zeros_options():
    out = suppress_small(arms(), "n", threshold=10, marker="..")
    assert out["n"].tolist() == [178, "..", 0, ".."]
    assert out.attrs["disclosure"]["marker"] == ".."
    zeros = suppress_small(arms(), "n", suppress_zeros=True)
    assert zeros["n"].tolist() == [178, "<5", "<5", 5]
    assert zeros.attrs["disclosure"]["zeros"] == "suppressed"


def test_nothing_small_gives_an_equal_copy_with_attrs():
    table = pd.DataFrame({"n": [10, 20], "share": [0.1, 0.2]})
    out = suppress_small(table, ["n"], dependent_columns=["share"])
    assert out["n"].tolist() == [10, 20] and out["share"].tolist() == [0.1, 0.2]
    assert out.attrs["disclosure"]["suppressed_cells"] == 0


def test_already_suppressed_tables_can_be_checked_again():
    once = suppress_small(arms(), ["n", "employed"], dependent_columns=["share"])
    twice = suppress_small(once, ["n", "employed"], dependent_columns=["share"])
    assert twice["n"].tolist() == once["n"].tolist()
    assert twice["share"].tolist()[1] == "x"


def test_secondary_suppression_in_a_table_with_both_margins():
    t = pd.DataFrame(
        {"employed": [40, 3, 43], "unemployed": [60, 12, 72], "total": [100, 15, 115]},
        index=["Aalborg", "Aarhus", "Total"],
    )
    out = suppress_small(
        t, ["employed", "unemployed", "total"], totals={"row": "Total", "column": "total"}
    )
    assert out.loc["Aarhus", "employed"] == "<5"
    # the usual rectangle: the 3 cannot be recovered from any total
    assert out.loc["Aarhus", "unemployed"] == "x"
    assert out.loc["Aalborg", "employed"] == "x" and out.loc["Aalborg", "unemployed"] == "x"
    assert out.loc["Total"].tolist() == [43, 72, 115]
    assert out.attrs["disclosure"]["secondary"] == 3


def test_secondary_suppression_with_row_totals_only():
    t = pd.DataFrame({"a": [2, 30], "b": [40, 6], "c": [9, 50], "total": [51, 86]})
    out = suppress_small(t, ["a", "b", "c", "total"], totals={"column": "total"})
    assert out.iloc[0].tolist() == ["<5", 40, "x", 51]  # 9 is the next-smallest cell
    assert out.iloc[1].tolist() == [30, 6, 50, 86]


def test_two_small_cells_adding_up_to_a_small_number_get_a_third():
    t = pd.DataFrame({"a": [1], "b": [2], "c": [30], "d": [40], "total": [73]})
    out = suppress_small(t, ["a", "b", "c", "d", "total"], totals={"column": "total"})
    assert out.iloc[0].tolist() == ["<5", "<5", "x", 40, 73]


def test_a_small_total_is_itself_suppressed_and_protects_nothing_more():
    t = pd.DataFrame({"a": [1, 20], "b": [2, 30], "total": [3, 50]})
    out = suppress_small(t, ["a", "b", "total"], totals={"column": "total"})
    assert out.iloc[0].tolist() == ["<5", "<5", "<5"]
    assert out.attrs["disclosure"]["secondary"] == 0


def _interval_of(cell, values, hidden, n_rows, n_cols):
    """The range a hidden cell can take given every shown cell and the margins (an LP)."""
    unknown = [(r, c) for r in range(n_rows) for c in range(n_cols) if hidden[r, c]]
    index = {cell_: i for i, cell_ in enumerate(unknown)}
    equations, rhs = [], []
    for r in range(n_rows):  # rows with the total column (last)
        row = np.zeros(len(unknown))
        total = values[r, n_cols - 1]
        known = 0.0
        for c in range(n_cols - 1):
            if hidden[r, c]:
                row[index[(r, c)]] += 1
            else:
                known += values[r, c]
        if hidden[r, n_cols - 1]:
            row[index[(r, n_cols - 1)]] -= 1
            total = 0.0
        equations.append(row)
        rhs.append(total - known)
    for c in range(n_cols):  # columns with the total row (last)
        col = np.zeros(len(unknown))
        total = values[n_rows - 1, c]
        known = 0.0
        for r in range(n_rows - 1):
            if hidden[r, c]:
                col[index[(r, c)]] += 1
            else:
                known += values[r, c]
        if hidden[n_rows - 1, c]:
            col[index[(n_rows - 1, c)]] -= 1
            total = 0.0
        equations.append(col)
        rhs.append(total - known)
    target = np.zeros(len(unknown))
    target[index[cell]] = 1
    bounds = [(0, None)] * len(unknown)
    low = linprog(target, A_eq=equations, b_eq=rhs, bounds=bounds).fun
    high = -linprog(-target, A_eq=equations, b_eq=rhs, bounds=bounds).fun
    return low, high


@pytest.mark.parametrize("seed", range(12))
def test_no_small_cell_can_be_recovered_from_the_margins(seed):
    rng = np.random.default_rng(seed)
    inner = rng.integers(5, 60, size=(4, 3))
    small = rng.random(inner.shape) < 0.2
    inner[small] = rng.integers(1, 5, size=small.sum())
    inner[0, 0] = 2  # at least one small cell
    full = np.zeros((5, 4), dtype=int)
    full[:4, :3] = inner
    full[:4, 3] = inner.sum(axis=1)
    full[4] = full[:4].sum(axis=0)
    table = pd.DataFrame(full, columns=["a", "b", "c", "total"], index=[0, 1, 2, 3, "total"])
    out = suppress_small(table, list(table.columns), totals={"row": "total", "column": "total"})
    hidden = np.array([[isinstance(v, str) for v in row] for row in out.to_numpy()])
    for r, c in zip(*np.nonzero((full > 0) & (full < 5)), strict=True):
        low, high = _interval_of((r, c), full.astype(float), hidden, 5, 4)
        assert high - low >= 1 - 1e-9, (r, c, low, high)


def test_suppress_small_errors_say_what_and_where():
    table = arms()
    with pytest.raises(ColumnError, match="count column 'persons' is not in the table"):
        suppress_small(table, ["persons"])
    with pytest.raises(ArgumentError, match="count column 'arm' holds values that are not"):
        suppress_small(table, ["arm"])
    with pytest.raises(ArgumentError, match="count_columns is empty"):
        suppress_small(table, [])
    with pytest.raises(ArgumentError, match="negative"):
        suppress_small(pd.DataFrame({"n": [-1, 5]}), "n")
    with pytest.raises(ArgumentError, match="takes a pandas DataFrame"):
        suppress_small([[1, 2]], "n")
    with pytest.raises(ArgumentError, match="marker and secondary_marker must differ"):
        suppress_small(table, "n", marker="x")
    with pytest.raises(ArgumentError, match="totals must be a dict"):
        suppress_small(table, "n", totals={"rows": "Total"})
    with pytest.raises(ArgumentError, match="totals row 'Total' is not in the table's index"):
        suppress_small(table, "n", totals={"row": "Total"})
    with pytest.raises(ArgumentError, match="totals column 'share' must be one of"):
        suppress_small(table, "n", totals={"column": "share"})
    with pytest.raises(ColumnError, match="both counts and dependent"):
        suppress_small(table, "n", dependent_columns=["n"])
    with pytest.raises(ColumnError, match="dependent column 'ratio' is not in the table"):
        suppress_small(table, "n", dependent_columns=["ratio"])
    with pytest.raises(ArgumentError, match="boolean"):
        suppress_small(pd.DataFrame({"n": [True, False]}), "n")


# ------------------------------------------------------------------ mask_counts


def test_mask_counts():
    assert mask_counts([178, 40, 4, 1, 0]) == ["178", "40", "<5", "<5", "0"]
    assert mask_counts(pd.Series([12.0, 3.0, np.nan])) == ["12", "<5", ""]
    assert mask_counts(np.array([9, 10]), threshold=10) == ["<10", "10"]
    assert mask_counts(7) == ["7"]
    with pytest.raises(ArgumentError, match="whole numbers >= 0"):
        mask_counts([2.5])
    with pytest.raises(ArgumentError, match="whole numbers >= 0"):
        mask_counts([-1])
    with pytest.raises(ArgumentError, match="counts must be numbers"):
        mask_counts(["many"])


# ------------------------------------------------------------------ check_export


def test_check_export_passes_markers_zeros_and_large_counts():
    check_export(
        pd.DataFrame({"n": [178, "<5", "x", 0, None], "share": [0.1, 0.2, 0.3, 0, 1]}),
        count_columns=["n"],
    )
    check_export(suppress_small(arms(), ["n", "employed"]))


def test_check_export_raises_a_disclosure_error_naming_the_column():
    frame = pd.DataFrame({"outcome": ["a", "b"], "n treated": [178, 3], "count": [1, 2]})
    with pytest.raises(DisclosureError) as info:
        check_export(frame, count_columns=["n treated", "count"], where="effects.csv")
    message = str(info.value)
    assert "effects.csv" in message and "'n treated'" in message and "'count'" in message
    assert "suppress_small" in message and "178" not in message
    assert isinstance(info.value, EvalkitError) and isinstance(info.value, ValueError)
    with pytest.raises(DisclosureError, match="column 'persons' holds 1 count"):
        check_export(pd.DataFrame({"persons": [9, 8]}), threshold=9, count_columns="persons")
    with pytest.raises(ColumnError, match="count column 'n' is not in the table"):
        check_export(pd.DataFrame({"m": [1]}), count_columns=["n"])


def test_count_columns_are_declared_never_guessed_from_names():
    names = ["n", "n_risk", "persons_n", "antal", "Count", "treated_count", "share", "name"]
    frame = pd.DataFrame(columns=names)
    assert infer_count_columns(frame) == []
    check_export(pd.DataFrame({"n": [3], "persons": [2]}))  # nothing declared: nothing read
    frame.attrs["count_columns"] = ["share"]
    assert infer_count_columns(frame) == ["share"]
    declared = declare_table(pd.DataFrame({"persons": [2], "n": [9]}), counts=["persons"])
    assert infer_count_columns(declared) == ["persons"]
    with pytest.raises(DisclosureError, match="'persons' holds 1 count"):
        check_export(declared)


# ------------------------------------------------------------------ safe_curve


def spells(seed: int, n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "arm": rng.integers(0, 2, n),
            "weeks": rng.integers(1, 70, n),
            "exit": rng.binomial(1, 0.7, n),
            "cause": rng.integers(1, 3, n),
        }
    )


def published_survival(shown: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier and Greenwood's sigma of the shown life table (written out again)."""
    survival, total, sigma = [], 0.0, []
    s = 1.0
    for n, d in zip(shown["n_risk"], shown["n_event"], strict=True):
        s *= 1.0 - min(1.0, d / n)
        total += d / (n * (n - d)) if d and n > d else (np.inf if d else 0.0)
        survival.append(s)
        sigma.append(np.sqrt(total))
    return np.array(survival), np.array(sigma)


def published_incidence(shown: pd.DataFrame) -> np.ndarray:
    """The cumulative incidences of all causes of one group from its shown rows: F_c(b_k) =
    F_c(b_k-1) + S(b_k-1) min(1, d/n), S(u) = 1 - sum of the curves at u (written out)."""
    shown = shown.reset_index(drop=True)
    value = pd.Series(np.nan, index=shown.index)

    def curve_at(cause, u):
        rows = shown[(shown["cause"] == cause) & (shown["time"] <= u)]
        return 0.0 if rows.empty else value[rows["time"].idxmax()]

    for i in shown.sort_values("time", kind="stable").index:
        same = shown["cause"] == shown.at[i, "cause"]
        mine = shown[same & (shown["time"] < shown.at[i, "time"])]
        if mine.empty:
            base, alive = 0.0, 1.0
        else:
            p = mine["time"].idxmax()
            base = value[p]
            u = shown.at[p, "time"]
            alive = max(0.0, 1.0 - sum(curve_at(c, u) for c in shown["cause"].unique()))
        value[i] = base + alive * min(1.0, shown.at[i, "n_event"] / shown.at[i, "n_risk"])
    return value.to_numpy()


def assert_safe(original: pd.DataFrame, safe: pd.DataFrame, value: str, keys, threshold=5):
    assert (safe["n_risk"] >= threshold).all()
    assert (safe["n_risk"] % threshold == 0).all()  # rounded down to multiples
    with_events = safe["n_event"] > 0
    assert (safe.loc[with_events, "n_event"] >= threshold).all()
    groups = original.groupby(keys) if keys else [((), original)]
    for key, curve in groups:
        curve = curve.sort_values("time")
        mask = np.ones(len(safe), dtype=bool)
        for k, v in zip(keys, key if isinstance(key, tuple) else (key,), strict=True):
            mask &= (safe[k] == v).to_numpy()
        shown = safe[mask]
        if shown.empty:
            continue
        # retained times are times of the original curve
        merged = shown.merge(curve, on=[*keys, "time"], suffixes=("", "_orig"))
        assert len(merged) == len(shown)
        # each retained row stands for the events since the previous retained time, and
        # shows the number at risk at the first of them, rounded down
        previous = -np.inf
        for time, events, n_risk in zip(
            shown["time"], shown["n_event"], shown["n_risk"], strict=True
        ):
            between = curve[(curve["time"] > previous) & (curve["time"] <= time)]
            assert events == between["n_event"].sum()
            first = between[(between["n_event"] > 0) & (between["n_risk"] >= threshold)]
            at_start = first["n_risk"].iloc[0] if events else between["n_risk"].iloc[-1]
            assert n_risk == at_start // threshold * threshold
            previous = time
        # truncated: nothing after the last time with n_risk >= threshold
        assert shown["time"].max() <= curve.loc[curve["n_risk"] >= threshold, "time"].max()
        # only the last row may be a flat tail without events
        assert (shown["n_event"].iloc[:-1] > 0).all()
        if value == "survival":
            # the values are those of the shown life table, nothing else
            survival, sigma = published_survival(shown)
            np.testing.assert_allclose(shown["survival"], survival, rtol=0, atol=1e-12)
            if "std_error" in shown:
                with np.errstate(invalid="ignore"):  # 0 * inf where S = 0
                    expected = np.where(survival > 0, survival * sigma, np.nan)
                np.testing.assert_allclose(shown["std_error"], expected, rtol=1e-12)
    if value == "cumulative_incidence":
        outer = [k for k in keys if k != "cause"]
        parts = safe.groupby(outer) if outer else [((), safe)]
        for _, part in parts:
            np.testing.assert_allclose(
                part["cumulative_incidence"], published_incidence(part), rtol=0, atol=1e-12
            )


@pytest.mark.parametrize("seed", range(8))
def test_safe_kaplan_meier_curves(seed):
    table = kaplan_meier(spells(seed), "weeks", "exit", group="arm").table
    before = table.copy()
    safe = safe_curve(table)
    pd.testing.assert_frame_equal(table, before)
    assert list(safe.columns) == [
        "group", "time", "n_risk", "n_event", "survival", "std_error", "ci_low", "ci_high",
    ]  # fmt: skip
    assert set(safe["group"]) == {0, 1}
    assert_safe(table, safe, "survival", ["group"])
    # the interval is kaplan_meier's (log-log, 95%, read off the table) on the shown counts
    assert (safe.attrs["disclosure"]["conf_type"], safe.attrs["disclosure"]["alpha"]) == (
        "log-log",
        0.05,
    )
    for _, part in safe.groupby("group"):
        survival, sigma = published_survival(part)
        expected = with_intervals(
            {"time": part["time"], "n_risk": part["n_risk"], "n_event": part["n_event"],
             "n_censored": 0, "survival": survival, "sigma": sigma},
            "log-log", 0.05,
        )  # fmt: skip
        for column in ("ci_low", "ci_high"):
            np.testing.assert_allclose(part[column], expected[column], rtol=1e-12)
    # the published curve is close to the exact one at the retained times
    merged = safe.merge(table, on=["group", "time"], suffixes=("", "_exact"))
    assert (merged["survival"] - merged["survival_exact"]).abs().max() < 0.06
    info = safe.attrs["disclosure"]
    assert info["threshold"] == 5 and info["rows_out"] == len(safe)
    assert info["events_not_shown"] == table["n_event"].sum() - safe["n_event"].sum()


@pytest.mark.parametrize("threshold", [1, 3, 10])
def test_safe_curve_other_thresholds(threshold):
    table = kaplan_meier(spells(11), "weeks", "exit").table
    safe = safe_curve(table, threshold=threshold)
    assert_safe(table, safe, "survival", [], threshold)
    if threshold == 1:  # every event time kept
        assert len(safe) == (table["n_event"] > 0).sum() + (table["n_event"].iloc[-1] == 0)


def test_safe_cumulative_incidence_curves():
    competing = pytest.importorskip("evalkit.survival.competing")
    data = spells(5)
    data["status"] = data["exit"] * data["cause"]
    table = competing.cumulative_incidence(data, "weeks", "status", group="arm").table
    safe = safe_curve(table)
    assert "cumulative_incidence" in safe and "cause" in safe
    # no standard error or interval: they cannot be recomputed from published counts
    assert list(safe.columns) == [
        "group", "time", "cause", "cumulative_incidence", "n_risk", "n_event",
    ]  # fmt: skip
    assert safe.attrs["disclosure"]["dropped"] == ["std_error", "ci_low", "ci_high"]
    assert set(zip(safe["group"], safe["cause"], strict=True)) == {
        (g, c) for g in (0, 1) for c in (1, 2)
    }
    assert_safe(table, safe, "cumulative_incidence", ["group", "cause"])
    merged = safe.merge(table, on=["group", "cause", "time"], suffixes=("", "_exact"))
    error = merged["cumulative_incidence"] - merged["cumulative_incidence_exact"]
    assert error.abs().max() < 0.06
    # a cause's curve depends on the other causes' published curves (through S), so
    # by=["group"] still gives one curve per cause, computed from all causes together
    pd.testing.assert_frame_equal(safe_curve(table, by="group"), safe)


def test_safe_curve_by_hand():
    km = pd.DataFrame(
        {
            "time": [1, 2, 3, 4, 5, 6, 7],
            "n_risk": [30, 25, 20, 14, 9, 7, 4],
            "n_event": [5, 2, 0, 3, 0, 0, 2],
            "n_censored": [0, 3, 6, 2, 2, 3, 2],
            "survival": [0.8333, 0.7667, 0.7667, 0.6024, 0.6024, 0.6024, 0.3012],
        }
    )
    safe = safe_curve(km)
    # 5 events at t=1; 2 + 3 pooled at t=4; flat tail to t=6 (the last time with >= 5 at
    # risk); the 2 events at t=7 (4 at risk) are not shown.
    assert safe["time"].tolist() == [1, 4, 6]
    # at risk at each block's first event (t=1: 30, t=2: 25) and at the tail (7), rounded
    assert safe["n_risk"].tolist() == [30, 25, 5]
    assert safe["n_event"].tolist() == [5, 5, 0]
    # Kaplan-Meier of the shown life table: 1 - 5/30, then times 1 - 5/25
    assert safe["survival"].tolist() == pytest.approx([25 / 30, 20 / 30, 20 / 30], abs=1e-15)
    assert "n_censored" not in safe
    assert safe.attrs["disclosure"]["events_not_shown"] == 2


def test_pending_events_end_the_curve_at_the_last_closed_step():
    km = pd.DataFrame(
        {"time": [1, 2, 3], "n_risk": [20, 14, 12], "n_event": [6, 2, 0],
         "survival": [0.7, 0.6, 0.6]}
    )  # fmt: skip
    safe = safe_curve(km)
    assert safe["time"].tolist() == [1]  # the value at t = 3 would show the 2 events


def test_delayed_entry_steps_close_only_with_enough_at_risk():
    km = pd.DataFrame(
        {"time": [1, 2, 3, 4, 5], "n_risk": [3, 4, 12, 11, 8], "n_event": [2, 3, 1, 4, 1],
         "survival": [0.3, 0.1, 0.09, 0.06, 0.05]}
    )  # fmt: skip
    safe = safe_curve(km)
    # 2 + 3 events by t=2 but only 4 at risk there: the step closes at t=3 (12 at risk)
    assert safe["time"].tolist() == [3, 5]
    assert safe["n_event"].tolist() == [6, 5]
    # at risk: 12 at t=3 (the block's first event with >= 5 at risk), 11 at t=4
    assert safe["n_risk"].tolist() == [10, 10]
    assert safe["survival"].tolist() == pytest.approx([0.4, 0.2], abs=1e-15)


def test_too_small_groups_disappear():
    km = pd.DataFrame(
        {"group": ["a"] * 3 + ["b"] * 2, "time": [1, 2, 3, 1, 2],
         "n_risk": [40, 30, 20, 4, 2], "n_event": [10, 10, 0, 2, 2],
         "survival": [0.75, 0.5, 0.5, 0.5, 0.0]}
    )  # fmt: skip
    safe = safe_curve(km)
    assert set(safe["group"]) == {"a"}
    assert safe_curve(km[km["group"] == "b"]).empty


def test_safe_curve_errors():
    with pytest.raises(ColumnError, match="missing: n_event, survival or cumulative_incidence"):
        safe_curve(pd.DataFrame({"time": [1], "n_risk": [5]}))
    with pytest.raises(ColumnError, match="by column 'arm' is not in the table"):
        safe_curve(
            pd.DataFrame({"time": [1], "n_risk": [5], "n_event": [5], "survival": [0]}), by="arm"
        )
    with pytest.raises(ArgumentError, match="takes a pandas DataFrame"):
        safe_curve({"time": [1]})
    with pytest.raises(ColumnError, match="'n_risk' must be numeric"):
        safe_curve(pd.DataFrame({"time": [1], "n_risk": ["5"], "n_event": [5], "survival": [0]}))
