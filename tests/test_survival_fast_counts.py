"""Issue 16: grouped Kaplan-Meier and log-rank on whole-number weeks are counted in one
blocked pass (survival_data(tables=True)); the results equal the general path exactly."""

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import DesignError, MissingValueError, OutcomeError
from evalkit.survival import kaplan_meier, logrank_test
from evalkit.survival._input import _BLOCK, survival_data


def _weeks(n=3 * _BLOCK + 17, seed=2, groups=3):
    """Synthetic weekly spells (not real data), more rows than one block."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "weeks": np.clip(np.ceil(rng.exponential(60, n)), 1, 520).astype(np.int64),
            "exit": (rng.random(n) < 0.6).astype(np.int64),
            "arm": rng.integers(0, groups, n) * 2 + 1,  # codes 1, 3, 5: gaps in the codes
        }
    )


def _as_float(frame):
    """The same data as floats: the general path (no tables)."""
    return frame.astype({"weeks": float, "exit": float})


def test_tables_are_used_and_equal_the_general_counts():
    frame = _weeks()
    fast = survival_data(frame, "weeks", "exit", group="arm", tables=True)
    slow = survival_data(_as_float(frame), "weeks", "exit", group="arm", tables=True)
    assert fast.tables is not None and slow.tables is None
    np.testing.assert_array_equal(fast.group_labels, slow.group_labels)
    np.testing.assert_array_equal(fast.group, slow.group)  # formed on request
    assert fast.tables.sum() == len(frame)


@pytest.mark.parametrize("event_dtype", [np.int64, np.int8, bool])
def test_kaplan_meier_and_logrank_identical_to_the_general_path(event_dtype):
    frame = _weeks()
    frame["exit"] = frame["exit"].astype(event_dtype)
    km_fast = kaplan_meier(frame, "weeks", "exit", group="arm").table
    km_slow = kaplan_meier(_as_float(frame), "weeks", "exit", group="arm").table
    pd.testing.assert_frame_equal(km_fast, km_slow, check_dtype=False, rtol=0, atol=0)
    lr_fast = logrank_test(frame, "weeks", "exit", "arm", rho=1)
    lr_slow = logrank_test(_as_float(frame), "weeks", "exit", "arm", rho=1)
    assert lr_fast.statistic == lr_slow.statistic
    pd.testing.assert_series_equal(lr_fast.n, lr_slow.n, check_dtype=False)


def test_bad_values_take_the_general_path_and_its_messages():
    frame = _weeks(n=200)
    bad = frame.copy()
    bad.loc[5, "weeks"] = -1
    with pytest.raises(OutcomeError, match="must be >= 0"):
        kaplan_meier(bad, "weeks", "exit", group="arm")
    bad = frame.copy()
    bad.loc[7, "exit"] = 2
    with pytest.raises(OutcomeError, match="event column 'exit'"):
        logrank_test(bad, "weeks", "exit", "arm")
    with pytest.raises(DesignError, match="no events"):
        kaplan_meier(frame.assign(exit=0), "weeks", "exit", group="arm")
    gaps = frame.astype({"weeks": "Int64"})
    gaps.loc[3, "weeks"] = pd.NA
    with pytest.raises(MissingValueError):
        kaplan_meier(gaps, "weeks", "exit", group="arm")


def test_an_identifier_as_group_is_refused_on_the_table():
    frame = _weeks(n=50)
    frame["person"] = np.arange(50) + 1000
    with pytest.raises(DesignError, match="looks like a person identifier") as err:
        kaplan_meier(frame, "weeks", "exit", group="person")
    assert "1000" not in str(err.value)


@pytest.mark.parametrize("times", ["continuous", "wide"])
def test_grouped_continuous_curves_equal_each_group_alone(monkeypatch, times):
    # several groups on continuous times: one sort of a packed (group, time, event) key
    # (or, when the times span too many binades for the key, the shared grid of times)
    from evalkit.survival import km

    rng = np.random.default_rng(7)
    n = 3000
    t = rng.exponential(40.0, n)
    t[:200] = 0.0
    t[200:400] = -0.0
    t[400:900] = np.round(t[400:900], 1)  # ties, some with events and censorings
    if times == "wide":
        t[900:902] = (1e-300, 1e300)
    frame = pd.DataFrame(
        {"t": t, "e": rng.integers(0, 2, n).astype(bool), "g": rng.choice(["b", "a", "c"], n)}
    )
    packed = []
    monkeypatch.setattr(
        km,
        "_packed_group_counts",
        lambda *a, f=km._packed_group_counts: packed.append(f(*a)) or packed[-1],
    )
    fit = kaplan_meier(frame, "t", "e", group="g")
    assert (packed[0] is None) == (times == "wide")
    points = [0.0, 0.05, 3.0, 41.2, 1e4]
    for label in ("a", "b", "c"):
        alone = kaplan_meier(frame[frame["g"] == label], "t", "e")
        part = fit.table[fit.table["group"] == label].drop(columns="group")
        pd.testing.assert_frame_equal(part.reset_index(drop=True), alone.table, check_exact=True)
        np.testing.assert_array_equal(
            fit.at_risk(points).query("group == @label")["n_risk"], alone.at_risk(points)["n_risk"]
        )
