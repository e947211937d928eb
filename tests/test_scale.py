"""Issue 16: one pipeline at any size. Streamed and Dask results equal the in-memory ones
(counts exactly, estimates to 1e-10), on a synthetic national register, on a panel whose
spells touch chunk boundaries in the row order, and with persons who have no observed
week; survival from merged counts equals the person-level estimators; the synthetic
register does not depend on the chunk size; progress only when asked or on a terminal."""

import io
import json

import numpy as np
import pandas as pd
import pytest

from evalkit._progress import Progress, progress_enabled
from evalkit.datasets.national import write_synthetic_register
from evalkit.errors import ArgumentError, ColumnError, DesignError, OutcomeError
from evalkit.output.declare import declaration
from evalkit.panel import (
    StatusPanel,
    full_year_persons,
    iso_week_ordinal,
    spells,
    time_to_first,
    weeks_in_states,
)
from evalkit.scale import (
    Outcome,
    Register,
    Spells,
    Survival,
    SurvivalCounts,
    UnitPeriod,
    survival_counts,
    unit_period_counts,
)
from evalkit.survival import cumulative_incidence, kaplan_meier, logrank_test
from evalkit.survival.discrete import person_period

dd = pytest.importorskip("dask.dataframe")
pq = pytest.importorskip("pyarrow.parquet")

TOL = dict(check_exact=False, rtol=0, atol=1e-10)


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    path = tmp_path_factory.mktemp("national") / "register.parquet"
    return write_synthetic_register(path, n_persons=400, n_weeks=70, seed=7, chunk_persons=61)


def _register(extract, engine, **extra):
    return Register(
        extract.path,
        id="id",
        weeks="y_",
        states=extract.classification,
        blank=extract.blank,
        person_columns=["arm", "municipality"],
        engine=engine,
        **extra,
    )


ENGINES = [
    ("stream", {"chunk_persons": 100}),
    ("dask", {"scheduler": "synchronous", "chunk_persons": 130}),
]


def _pipeline(reg):
    window = ("2010-W10", "2010-W40")
    return {
        "spells": reg.spells("cash_benefit", keep=["arm"]),
        "gap_spells": reg.spells(["cash_benefit", "partly_self_sufficient"], max_gap=2),
        "weeks": reg.outcome(weeks_in_states, "self_sufficient", window, keep=["arm"]),
        "first": reg.outcome(time_to_first, "self_sufficient", start=iso_week_ordinal(2010, 5)),
        "km": reg.kaplan_meier("cash_benefit", by="arm").table,
        "ci": reg.cumulative_incidence("cash_benefit", by="arm").table,
        "hazard": reg.survival("cash_benefit", by="arm").hazard_table(),
        "units": reg.unit_period("cash_benefit", unit="municipality", by="month"),
        "national": reg.unit_period(["cash_benefit", "sickness"], by="year"),
    }


@pytest.fixture(scope="module")
def in_memory(extract):
    return _pipeline(_register(extract, "memory"))


@pytest.mark.parametrize(("engine", "extra"), ENGINES)
def test_engines_equal_memory(extract, in_memory, engine, extra):
    other = _pipeline(_register(extract, engine, **extra))
    for name, frame in in_memory.items():
        if name in ("km", "ci", "hazard"):
            pd.testing.assert_frame_equal(other[name], frame, **TOL)
        else:
            pd.testing.assert_frame_equal(other[name], frame, check_exact=True)
        assert declaration(other[name]) == declaration(frame)


def test_dask_local_processes_equal_memory(extract, in_memory):
    reg = _register(extract, "dask", chunk_persons=150, num_workers=2, scheduler="processes")
    pd.testing.assert_frame_equal(
        reg.kaplan_meier("cash_benefit", by="arm").table, in_memory["km"], **TOL
    )
    pd.testing.assert_frame_equal(
        reg.unit_period("cash_benefit", unit="municipality", by="month"), in_memory["units"]
    )


def test_dask_dataframe_and_pandas_inputs(extract, in_memory):
    frame = pd.read_parquet(extract.path)
    ddf = dd.from_pandas(frame, npartitions=3)
    kwargs = dict(
        id="id", weeks="y_", states=extract.classification, blank=extract.blank,
        person_columns=["arm", "municipality"],
    )  # fmt: skip
    by_dask = Register(ddf, scheduler="synchronous", **kwargs)
    assert by_dask.engine == "dask"
    pd.testing.assert_frame_equal(by_dask.spells("cash_benefit", keep=["arm"]), in_memory["spells"])
    by_frame = Register(frame, **kwargs)
    assert by_frame.engine == "memory"
    pd.testing.assert_frame_equal(
        by_frame.unit_period("cash_benefit", unit="municipality"), in_memory["units"]
    )
    streamed = Register(frame, engine="stream", chunk_persons=33, **kwargs)
    pd.testing.assert_frame_equal(
        streamed.spells("cash_benefit", keep=["arm"]), in_memory["spells"]
    )
    # nullable integer partitions: classified on integers, the same values
    nullable = dd.read_parquet(extract.path, dtype_backend="numpy_nullable")
    by_nullable = Register(nullable, scheduler="synchronous", chunk_persons=50, **kwargs)
    out = by_nullable.collect([Spells("cash_benefit", keep=["arm"]), UnitPeriod(
        "cash_benefit", unit="municipality")])  # fmt: skip
    pd.testing.assert_frame_equal(out[0], in_memory["spells"], check_dtype=False)
    pd.testing.assert_frame_equal(out[1], in_memory["units"], check_dtype=False)


def test_survival_from_counts_equals_person_level(in_memory):
    s = in_memory["spells"]
    km = kaplan_meier(s, "duration", "event", group="arm")
    pd.testing.assert_frame_equal(in_memory["km"], km.table, **TOL)
    data = s.assign(exit=np.where(s["event"] > 0, s["state_after"].cat.codes + 1, 0))
    ci = cumulative_incidence(data, "duration", "exit", group="arm")
    pd.testing.assert_frame_equal(in_memory["ci"], ci.table, **TOL)
    # hazard data: the person-period rows of discrete_time_hazard, summed by arm and week
    origin, week, y = person_period(s["duration"].to_numpy(), s["event"].to_numpy())
    rows = pd.DataFrame({"group": s["arm"].to_numpy()[origin], "week": week, "y": y})
    expected = rows.groupby(["group", "week"]).agg(at_risk=("y", "size"), events=("y", "sum"))
    got = in_memory["hazard"].set_index(["group", "week"])
    assert (got["at_risk"] == expected["at_risk"]).all()
    assert (got["events"] == expected["events"].astype(int)).all()


def test_unit_period_adds_up_to_full_year_persons(extract, in_memory):
    panel = _register(extract, "memory").panel()
    units = in_memory["units"]
    months = units.groupby("period")["weeks_in_state"].sum()
    fyp = full_year_persons(panel, "cash_benefit", by="month").set_index("period")
    assert (months == fyp["weeks"].loc[months.index]).all()
    assert units["persons"].max() <= panel.n_persons
    assert (units["persons_in_state"] <= units["persons"]).all()


# ---------------------------------------------------------------- one pass
def _requests():
    window = ("2010-W10", "2010-W40")
    return {
        "spells": Spells("cash_benefit", keep=["arm"]),
        "gap_spells": Spells(["cash_benefit", "partly_self_sufficient"], max_gap=2),
        "weeks": Outcome(weeks_in_states, "self_sufficient", window, keep=["arm"]),
        "first": Outcome(time_to_first, "self_sufficient", start=iso_week_ordinal(2010, 5)),
        "km": Survival("cash_benefit", by="arm"),
        "ci": Survival("cash_benefit", by="arm", causes=True),
        "units": UnitPeriod("cash_benefit", unit="municipality", by="month"),
        "national": UnitPeriod(["cash_benefit", "sickness"], by="year"),
    }


def _finish(name, value):
    if name == "km":
        return value.kaplan_meier().table
    if name == "ci":
        return value.cumulative_incidence().table
    return value


@pytest.mark.parametrize(
    ("engine", "extra"),
    [("memory", {}), ("stream", {"chunk_persons": 100}), *ENGINES[1:]],
)
def test_collect_in_one_pass_equals_separate_calls(extract, in_memory, engine, extra):
    reg = _register(extract, engine, **extra)
    out = reg.collect(_requests())
    assert list(out) == list(_requests())
    for name, value in out.items():
        got, expected = _finish(name, value), in_memory[name]
        if name in ("km", "ci"):
            pd.testing.assert_frame_equal(got, expected, **TOL)
        else:
            pd.testing.assert_frame_equal(got, expected, check_exact=True)
        assert declaration(got) == declaration(expected)
    # the counts themselves equal the separate call's exactly
    counts = reg.survival("cash_benefit", by="arm")
    assert np.array_equal(out["km"].counts, counts.counts) and out["km"].groups == counts.groups


def test_collect_list_form_and_shared_spells(extract, in_memory):
    reg = _register(extract, "dask", scheduler="synchronous", chunk_persons=90)
    spells_out, km, hazard = reg.collect(
        [
            Spells("cash_benefit", keep=["arm"]),
            Survival("cash_benefit", by="arm"),
            Survival("cash_benefit", by="arm", window=["2010-W01", "2011-W10"]),
        ]
    )
    pd.testing.assert_frame_equal(spells_out, in_memory["spells"])
    pd.testing.assert_frame_equal(km.kaplan_meier().table, in_memory["km"], **TOL)
    windowed = _register(extract, "memory").survival(
        "cash_benefit", by="arm", window=["2010-W01", "2011-W10"]
    )
    assert np.array_equal(hazard.counts, windowed.counts)


def test_collect_on_a_panel_with_chunk_boundaries():
    panel, persons = _boundary_panel()
    reg = Register(panel, persons=persons, person_columns=["arm", "unit"], engine="stream",
                   chunk_persons=2)  # fmt: skip
    out = reg.collect({"s": Spells("cash_benefit", keep=["arm"]), "u": UnitPeriod(
        "cash_benefit", unit="unit", by="week")})  # fmt: skip
    pd.testing.assert_frame_equal(out["s"], reg.spells("cash_benefit", keep=["arm"]))
    pd.testing.assert_frame_equal(out["u"], reg.unit_period("cash_benefit", "unit", "week"))


def test_collect_errors(extract):
    reg = _register(extract, "stream")
    with pytest.raises(ArgumentError, match="at least one"):
        reg.collect({})
    with pytest.raises(ArgumentError, match="dict"):
        reg.collect(Spells("cash_benefit"))
    with pytest.raises(ArgumentError, match="Spells, Survival"):
        reg.collect(["cash_benefit"])
    with pytest.raises(ArgumentError, match="names"):
        reg.collect({1: Spells("cash_benefit")})
    with pytest.raises(ColumnError, match="not person columns"):
        reg.collect([Survival("cash_benefit", by="age")])
    with pytest.raises(ColumnError, match="not person columns"):
        reg.collect([UnitPeriod("cash_benefit", unit="region")])
    with pytest.raises(ArgumentError, match="by"):
        reg.collect([UnitPeriod("cash_benefit", by="quarter")])
    with pytest.raises(ArgumentError, match="states"):
        reg.collect([Spells(3)])
    with pytest.raises(ArgumentError, match="callable"):
        Outcome("weeks_in_states")


# ---------------------------------------------------------------- files
def test_csv_file_streamed_and_in_memory_equal_parquet(extract, in_memory, tmp_path):
    path = tmp_path / "register.csv"
    pd.read_parquet(extract.path).to_csv(path, index=False)
    for engine in ("memory", "stream"):
        reg = Register(
            path, id="id", weeks="y_", states=extract.classification, blank=extract.blank,
            person_columns=["arm", "municipality"], engine=engine, chunk_persons=70,
        )  # fmt: skip
        out = reg.collect({"spells": Spells("cash_benefit", keep=["arm"]),
                           "units": UnitPeriod("cash_benefit", unit="municipality")})  # fmt: skip
        pd.testing.assert_frame_equal(out["spells"], in_memory["spells"], check_dtype=False)
        pd.testing.assert_frame_equal(out["units"], in_memory["units"], check_dtype=False)
    with pytest.raises(ArgumentError, match="row groups"):
        Register(path, id="id", weeks="y_", states=extract.classification, engine="dask")


def test_file_engines_build_the_fast_ingest_panel(extract):
    from evalkit.panel import read_status_panel

    fast = read_status_panel(extract.path, "id", "y_", extract.classification, blank=extract.blank)
    reg = _register(extract, "memory")
    panel = reg.panel()
    assert np.array_equal(panel.codes, fast.codes) and np.array_equal(panel.ids, fast.ids)
    chunks = list(_register(extract, "stream", chunk_persons=150)._local_chunks())
    assert [len(p.ids) for p, _ in chunks] == [150, 150, 100]
    assert np.array_equal(np.concatenate([p.codes for p, _ in chunks]), fast.codes)
    for chunk, persons in chunks:
        assert np.array_equal(persons["id"].to_numpy(), chunk.ids)


# ---------------------------------------------------------------- boundaries
def _boundary_panel():
    # chunks of 2 persons: person 1 ends in a spell in the last week and person 2 starts
    # in one in the first week (adjacent in the row order), so do persons 3 and 4; person
    # 5 is never observed; person 6 is observed in one week only.
    codes = np.array(
        [
            [0, 0, 0, 1, 1, 1],
            [1, 1, 0, 0, 1, 1],
            [0, 1, 1, 1, 1, 1],
            [1, 1, 1, -1, -1, -1],
            [-1, -1, -1, -1, -1, -1],
            [-1, -1, 1, -1, -1, -1],
            [0, 2, -1, -1, -1, -1],
        ],
        dtype=np.int8,
    )
    panel = StatusPanel(
        np.array([11, 12, 13, 14, 15, 16, 17]),
        codes,
        ("self_sufficient", "cash_benefit", "absorbing"),
        first_week=iso_week_ordinal(2016, 1),
        calendar=True,
        absorbing=("absorbing",),
    )
    persons = pd.DataFrame(
        {"id": [17, 16, 15, 14, 13, 12, 11], "arm": [1, 0, 1, 0, 1, 0, 1], "unit": list("bbaabaa")}
    )
    return panel, persons


@pytest.mark.parametrize("chunk", [1, 2, 3, 7])
@pytest.mark.parametrize("engine", ["stream", "dask"])
def test_chunk_boundaries_and_unobserved_persons(engine, chunk):
    panel, persons = _boundary_panel()
    options = {"scheduler": "synchronous"} if engine == "dask" else {}
    kwargs = dict(persons=persons, person_columns=["arm", "unit"])
    whole = Register(panel, **kwargs)
    part = Register(panel, engine=engine, chunk_persons=chunk, **kwargs, **options)
    expected = spells(panel, "cash_benefit", keep=persons[["id", "arm"]])
    pd.testing.assert_frame_equal(part.spells("cash_benefit", keep=["arm"]), expected)
    pd.testing.assert_frame_equal(whole.spells("cash_benefit", keep=["arm"]), expected)
    assert len(expected) == 6  # no spell merged across persons
    outcome = part.outcome(weeks_in_states, "cash_benefit", (0, 10**7))
    pd.testing.assert_frame_equal(outcome, weeks_in_states(panel, "cash_benefit", (0, 10**7)))
    assert outcome.attrs["n_persons"] == 7
    km = part.kaplan_meier("cash_benefit", by="arm").table
    pd.testing.assert_frame_equal(
        km, kaplan_meier(expected, "duration", "event", group="arm").table, **TOL
    )
    test = part.logrank_test("cash_benefit", by="arm")
    reference = logrank_test(expected, "duration", "event", group="arm")
    assert test.statistic == pytest.approx(reference.statistic, abs=1e-10)
    assert test.p_value == pytest.approx(reference.p_value, abs=1e-10)
    pd.testing.assert_series_equal(test.n, reference.n, check_dtype=False)
    units = part.unit_period("cash_benefit", unit="unit", by="week")
    pd.testing.assert_frame_equal(units, whole.unit_period("cash_benefit", unit="unit", by="week"))
    assert 15 not in units["persons"].to_numpy()  # not observed: in no count


def test_survival_counts_merge_in_any_order():
    rng = np.random.default_rng(3)
    data = pd.DataFrame(
        {
            "t": rng.integers(0, 30, 400),
            "c": rng.integers(0, 3, 400),
            "g": rng.choice(["a", "b", "c"], 400),
        }
    )
    parts = [survival_counts(data.iloc[i::4], "t", "c", group="g") for i in range(4)]
    one = SurvivalCounts.merge(parts)
    other = SurvivalCounts.merge(parts[::-1])
    assert np.array_equal(one.counts, other.counts) and one.groups == ("a", "b", "c")
    whole = survival_counts(data, "t", "c", group="g")
    assert np.array_equal(one.counts, whole.counts)
    test = one.logrank_test(rho=1)
    reference = logrank_test(data.assign(e=data["c"] > 0), "t", "e", group="g", rho=1)
    assert test.statistic == pytest.approx(reference.statistic, abs=1e-10)
    assert test.df == reference.df == 2
    ci = one.cumulative_incidence()
    pd.testing.assert_frame_equal(
        ci.table, cumulative_incidence(data, "t", "c", group="g").table, **TOL
    )


def test_survival_counts_errors():
    data = pd.DataFrame({"t": [1, 2, 2.5], "e": [1, 0, 1]})
    with pytest.raises(OutcomeError, match="whole numbers"):
        survival_counts(data, "t", "e")
    with pytest.raises(ColumnError):
        survival_counts(data, "t", "event")
    censored = survival_counts(pd.DataFrame({"t": [1, 2], "e": [0, 0]}), "t", "e")
    with pytest.raises(DesignError, match="no events"):
        censored.kaplan_meier()
    with pytest.raises(DesignError, match="two or more groups"):
        censored.logrank_test()


def test_register_errors(extract):
    with pytest.raises(ArgumentError, match="engine"):
        _register(extract, "spark")
    with pytest.raises(ArgumentError, match="states="):
        Register(extract.path, weeks="y_")
    with pytest.raises(ColumnError, match="person columns"):
        Register(extract.path, weeks="y_", states=extract.classification, person_columns=["x"])
    reg = _register(extract, "stream")
    with pytest.raises(ColumnError, match="not person columns"):
        reg.spells("cash_benefit", keep=["age"])
    panel, persons = _boundary_panel()
    with pytest.raises(DesignError, match="repeated ids"):
        Register(panel, persons=pd.concat([persons, persons]), person_columns=["arm"])
    with pytest.raises(DesignError, match="not in persons"):
        Register(panel, persons=persons.iloc[1:], person_columns=["arm"])
    with pytest.raises(ArgumentError, match="parquet"):
        Register(__file__)
    with pytest.raises(ArgumentError, match="chunk_persons"):
        Register(panel, chunk_persons=0)
    with pytest.raises(ArgumentError, match="calendar"):
        unit_period_counts(StatusPanel(np.array([1]), np.zeros((1, 2)), ("a",)), "a")


# ---------------------------------------------------------------- synthetic register
def test_synthetic_register_same_values_whatever_the_chunks(tmp_path, extract):
    other = write_synthetic_register(
        tmp_path / "again.parquet", n_persons=400, n_weeks=70, seed=7, chunk_persons=400
    )
    a, b = pd.read_parquet(extract.path), pd.read_parquet(other.path)
    pd.testing.assert_frame_equal(a, b)
    assert pq.ParquetFile(extract.path).metadata.num_row_groups == 7
    meta = json.loads(pq.read_schema(other.path).metadata[b"evalkit"])
    assert meta["synthetic"] is True and "SYNTHETIC" in meta["note"]
    different = write_synthetic_register(tmp_path / "seed8.parquet", 400, 70, seed=8)
    assert not pd.read_parquet(different.path).equals(a)
    weeks = a[list(extract.week_columns)]
    assert 0.35 < weeks.isna().to_numpy().mean() < 0.75  # about half blank
    assert set(a["arm"].unique()) == {0, 1} and a["municipality"].between(1, 98).all()
    panel = _register(extract, "memory").panel()
    assert (panel.codes.max(axis=1) < 0).any()  # some persons never observed
    values = weeks.to_numpy(dtype=float)
    assert set(np.unique(values[~np.isnan(values)]).astype(int).tolist()) <= {
        130,
        131,
        135,
        651,
        652,
        890,
        771,
        741,
        783,
        997,
        998,
    }


def test_synthetic_register_arguments(tmp_path):
    with pytest.raises(ArgumentError):
        write_synthetic_register(tmp_path / "x.parquet", 0)
    with pytest.raises(ArgumentError, match="seed"):
        write_synthetic_register(tmp_path / "x.parquet", 10, seed=-1)
    with pytest.raises(ArgumentError, match="folder"):
        write_synthetic_register(tmp_path / "missing" / "x.parquet", 10)
    assert not (tmp_path / "x.parquet").exists()


# ---------------------------------------------------------------- progress
def test_progress_only_when_asked_or_on_a_terminal():
    out = io.StringIO()
    with Progress("spells", total=10, progress=True, stream=out) as bar:
        bar.update(4)
        bar.update(6)
    text = out.getvalue()
    assert "spells: 10 of 10 persons (100%)" in text and "persons/s" in text
    assert text.endswith("\n")
    quiet = io.StringIO()
    with Progress("spells", total=10, progress=None, stream=quiet) as bar:
        bar.update(10)
    assert quiet.getvalue() == ""  # a StringIO is not a terminal
    assert progress_enabled(False) is False
    with pytest.raises(ArgumentError, match="progress"):
        progress_enabled("yes")
    bar = Progress("x", total=100, progress=False)
    bar.update(25)
    assert "25 of 100 persons (25%)" in bar.line() and "left" in bar.line()


def test_register_progress_goes_to_stderr(extract, capsys):
    _register(extract, "stream", progress=True).spells("cash_benefit")
    err = capsys.readouterr().err
    assert "spells: 400 of 400 persons (100%)" in err
    _register(extract, "stream").spells("cash_benefit")
    assert capsys.readouterr().err == ""


def test_local_processes_are_forked_when_safe():
    """The local process scheduler forks its workers (no re-import of evalkit in each)
    on Linux with one Python thread; other schedulers and a context set by the user are
    left to Dask."""
    import sys
    import threading

    import dask

    from evalkit.scale.engine import _process_context

    fork = {"multiprocessing.context": "fork"}
    expected = fork if sys.platform == "linux" else {}
    assert _process_context(dask, "processes") == expected
    assert _process_context(dask, "threads") == {}
    assert _process_context(dask, None) == {}
    with dask.config.set({"multiprocessing.context": "forkserver"}):
        assert _process_context(dask, "processes") == {}
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert _process_context(dask, "processes") == {}
    finally:
        release.set()
        thread.join()
