"""The disclosure-controlled state occupation curves (evalkit.survival.multistate_safe)
and their figure: useful at JobFirst's size, no share or difference of consecutive
shares resting on 1-4 persons (a property test), the threshold declared to the gate."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evalkit
from evalkit.errors import ArgumentError
from evalkit.output.declare import declaration
from evalkit.output.gate import gate_table
from evalkit.output.rules import output_rules
from evalkit.report import save_figure, state_occupation_plot
from evalkit.report.labels import label
from evalkit.survival import state_occupation
from evalkit.survival.multistate_safe import OTHER, safe_occupation


@pytest.fixture(scope="module")
def jobfirst():
    """The JobFirst notebook's fit (section 14): 178/172 persons, the register's ten
    states grouped into four, 104 weeks."""
    from evalkit.projects.jobfirst import WORK, evaluate_jobfirst

    ev = evaluate_jobfirst(seed=2016)
    four = ev.panel.group_states(
        {"cash_benefit": ["cash_benefit"], "work": list(WORK), "education": ["education"]}
    )
    return state_occupation(
        four, treatment="treated", trial=ev.data.trial, states=list(four.states)
    )


def test_jobfirst_size_shows_curves_for_most_weeks(jobfirst):
    safe = safe_occupation(jobfirst, 5)
    end = jobfirst.table["time"].max()
    for group in (0, 1):
        times = safe.table.loc[safe.table["group"] == group, "time"].unique()
        assert len(times) >= 8  # a curve, not a point or two
        assert times.min() <= 15 and times.max() == end  # from the first weeks to the end
        assert not safe.start[safe.start["group"] == group].empty  # drawn from week 0
    treated = safe.table[safe.table["group"] == 1]
    assert {"cash_benefit", "work", OTHER} <= set(treated["state"])  # work kept in one arm
    assert "education" in safe.merged[1] and "education" not in set(treated["state"])
    fig = state_occupation_plot(jobfirst)
    for ax in fig.axes:
        assert any(c.get_gid() == "state_area" for c in ax.collections)
        assert label("state_none_shown") not in [t.get_text() for t in ax.texts]
    note = next(t for t in fig.texts if t.get_gid() == "disclosure_note").get_text()
    assert "education" in note and "1-4 persons" in note.replace("\n", " ")


def test_merged_shares_are_sums_and_exact_values_are_kept(jobfirst):
    safe = safe_occupation(jobfirst, 5)
    sums = safe.table.groupby(["group", "time"])["probability"].sum()
    np.testing.assert_allclose(sums, 1.0)
    row = safe.table[(safe.table["group"] == 1) & (safe.table["state"] == "work")].iloc[0]
    exact = jobfirst.at([row["time"]], group=1).set_index("state")
    assert row["probability"] == pytest.approx(exact.loc["work", "probability"], rel=1e-12)
    assert row["ci_low"] == pytest.approx(exact.loc["work", "ci_low"], rel=1e-12)
    other = safe.table[(safe.table["group"] == 1) & (safe.table["state"] == OTHER)].iloc[0]
    want = exact.loc[["other", "education"], "probability"].sum()
    assert other["probability"] == pytest.approx(want, rel=1e-12)
    assert np.isnan(other["std_error"])  # a merged state has no interval


def test_gate_gets_the_threshold(jobfirst, tmp_path):
    safe = jobfirst.safe_table(5)
    assert declaration(safe)["controlled_at"] == 5
    assert declaration(safe)["counts"] == ["n_observed"]
    out, _ = gate_table(safe, "occupation.csv")
    assert not (out["probability"].astype(str) == "x").any()  # nothing left to suppress
    fig = state_occupation_plot(jobfirst, lang="da", grid=4)
    assert fig._evalkit_output["threshold"] == 5
    assert (
        "Uger samlet" in next(t for t in fig.texts if t.get_gid() == "disclosure_note").get_text()
    )
    assert save_figure(fig, tmp_path / "occupation", formats=("png",))  # register data: passes
    exact = state_occupation_plot(jobfirst, disclosure=None)
    assert exact._evalkit_output["threshold"] is None
    with pytest.raises(Exception, match="disclosure"):
        save_figure(exact, tmp_path / "exact", formats=("png",))


def test_grid_and_arguments(jobfirst):
    every4 = safe_occupation(jobfirst, 5, grid=4).table
    assert set(every4["time"]) <= set(range(0, 105, 4))
    given_weeks = safe_occupation(jobfirst, 5, grid=[26, 52, 78, 104]).table
    assert set(given_weeks["time"]) <= {26, 52, 78, 104}
    kept = safe_occupation(jobfirst, 5, merge=None)
    assert set(kept.table["state"]) <= set(jobfirst.states) and not any(kept.merged.values())
    for bad in ({"grid": -1}, {"grid": True}, {"merge": 2}, {"threshold": 1}, {"other": ""}):
        with pytest.raises(ArgumentError):
            safe_occupation(jobfirst, **{"threshold": 5, **bad})
    with pytest.raises(ArgumentError, match="StateOccupation"):
        safe_occupation(pd.DataFrame())


# ---------------------------------------------------------------- property test
@st.composite
def panels(draw):
    """Weekly panels of 3 states, 10-150 persons over 4-30 weeks; moves with a drawn
    probability per week; ``censor`` drawn: some persons leave observation early."""
    persons = draw(st.integers(10, 150))
    weeks = draw(st.integers(4, 30))
    seed = draw(st.integers(0, 2**32 - 1))
    move = draw(st.floats(0.02, 0.4))
    censor = draw(st.booleans())
    rng = np.random.default_rng(seed)
    codes = np.empty((persons, weeks), dtype=np.int64)
    codes[:, 0] = rng.choice(3, persons, p=[0.7, 0.2, 0.1])
    for w in range(1, weeks):
        moving = rng.uniform(size=persons) < move
        codes[:, w] = np.where(moving, (codes[:, w - 1] + rng.integers(1, 3, persons)) % 3,
                               codes[:, w - 1])  # fmt: skip
    codes[0, 1:] = (codes[0, 0] + 1) % 3  # at least one move
    if censor:
        last = rng.integers(2, weeks + 1, persons)
        codes[np.arange(weeks)[None, :] >= last[:, None]] = -1
    return codes, censor


def _counts(codes, week, names, merged):
    """Persons observed in each published state in ``week`` (merged states summed)."""
    column = codes[:, int(week)]
    states = ("a", "b", "c")
    out = dict.fromkeys(names, 0)
    for k, s in enumerate(states):
        out[OTHER if s in merged else s] += int((column == k).sum())
    return np.array([out[s] for s in names])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(panels(), st.sampled_from([None, 2, 3]), st.sampled_from([5, 3]), st.booleans())
def test_no_published_value_or_difference_rests_on_1_to_4(case, grid, t, zeros):
    codes, censor = case
    panel = evalkit.StatusPanel(np.arange(len(codes)), codes, ("a", "b", "c"))
    fit = state_occupation(panel)
    with output_rules(zeros_disclosive=zeros):  # ACRO's rules call zeros disclosive
        safe = safe_occupation(fit, t, grid=grid)
    if safe.table.empty:
        return
    names = list(dict.fromkeys(safe.table["state"]))
    merged = safe.merged[None]

    def small(counts, rest=False):  # a state's count (zeros too under such rules)
        return (((counts > 0) & (counts < t)) | ((counts == 0) & zeros & (not rest))).any()

    previous = None
    if not safe.start.empty:  # the start counts as published (uncensored: exact counts)
        n0 = len(codes)
        previous = safe.start.set_index("state").loc[names, "probability"].to_numpy() * n0
        if not censor:
            assert not small(np.rint(previous)) and not small(np.rint(n0 - previous), rest=True)
    steps = np.unique(fit.table["time"])
    for time, rows in safe.table.groupby("time", sort=True):
        p = rows.set_index("state").loc[names, "probability"].to_numpy()
        # the persons behind the value: those observed at the fit's step in force (a grid
        # week between steps shows the last step's value, whatever censoring came since)
        observed = _counts(codes, steps[steps <= time].max(), names, merged)
        assert not small(observed) and not small(observed.sum() - observed, rest=True)
        if censor:
            continue
        n = len(codes)
        count = p * n  # without censoring the share is the count over the persons
        np.testing.assert_allclose(count, observed, atol=1e-9)
        if previous is not None:  # consecutive published values
            assert not small(np.abs(np.rint(count - previous)), rest=True)  # 0: no change
        previous = count
