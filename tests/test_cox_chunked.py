"""Cox from chunks (issue 16): cox_chunked equals cox on all rows, and lazy concordance."""

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import ArgumentError, ColumnError, DesignError, TreatmentError
from evalkit.survival import cox, cox_chunked

COVARIATES = ["x1", "x2", "arm"]


def _spells(n=1500, seed=3):
    """Synthetic spells (not real data): weekly and continuous times, heavy ties."""
    rng = np.random.default_rng(seed)
    weeks = np.clip(np.ceil(rng.exponential(25, n)), 1, 52).astype(int)
    frame = pd.DataFrame(
        {
            "weeks": weeks,
            "time": rng.exponential(25, n),
            "exit": (rng.random(n) < 0.7).astype(int),
            "x1": rng.normal(size=n),
            "x2": rng.uniform(18, 60, n),
            "arm": rng.integers(0, 2, n),
            "region": rng.choice(["north", "south", "west"], n),
            "w": rng.uniform(0.5, 2.0, n),
        }
    )
    frame["start"] = np.where(rng.random(n) < 0.3, np.floor(weeks * rng.random(n)), 0.0)
    return frame


def _assert_equal_fit(chunked, whole):
    for got, want in [
        (chunked.coefficients, whole.coefficients),
        (chunked.naive_std_error, whole.naive_std_error),
        (chunked.loglik, whole.loglik),
        (chunked.loglik_null, whole.loglik_null),
        (chunked.score_test.statistic, whole.score_test.statistic),
        (chunked.wald_test.statistic, whole.wald_test.statistic),
    ]:
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=0)
    assert (chunked.n, chunked.n_events, chunked.iterations) == (
        whole.n,
        whole.n_events,
        whole.iterations,
    )


def _splits(frame):
    """Several ways to cut the rows: equal pieces, uneven, one row alone, shuffled."""
    n = len(frame)
    shuffled = frame.sample(frac=1.0, random_state=7)
    return {
        "one": [frame],
        "seven": [frame.iloc[i : i + n // 7 + 1] for i in range(0, n, n // 7 + 1)],
        "uneven": [frame.iloc[:1], frame.iloc[1:40], frame.iloc[40:900], frame.iloc[900:]],
        "shuffled": [shuffled.iloc[: n // 3], shuffled.iloc[n // 3 :]],
    }


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"ties": "breslow"},
        {"strata": "region"},
        {"weights": "w"},
        {"entry": "start"},
        {"strata": "region", "weights": "w", "entry": "start"},
        {"strata": "region", "ties": "breslow", "entry": "start"},
    ],
    ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "plain",
)
def test_chunks_equal_the_whole_fit_on_weeks(options):
    frame = _spells()
    whole = cox(frame, "weeks", "exit", COVARIATES, **options)
    for chunks in _splits(frame).values():
        _assert_equal_fit(cox_chunked(chunks, "weeks", "exit", COVARIATES, **options), whole)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_chunks_equal_the_whole_fit_on_continuous_times(ties):
    frame = _spells(seed=11)
    frame.loc[::10, "time"] = frame["time"].iloc[5]  # some ties in continuous time too
    whole = cox(frame, "time", "exit", COVARIATES, ties=ties, strata="region")
    fit = cox_chunked(
        _splits(frame)["seven"], "time", "exit", COVARIATES, ties=ties, strata="region"
    )
    _assert_equal_fit(fit, whole)


def test_a_tied_event_group_split_across_chunks():
    frame = _spells(n=600, seed=5).sort_values("weeks", kind="stable")
    week = frame["weeks"].value_counts().idxmax()
    rows = np.flatnonzero((frame["weeks"] == week).to_numpy() & (frame["exit"] == 1).to_numpy())
    cut = rows[len(rows) // 2]  # half of the tied events of that week in each chunk
    chunks = [frame.iloc[:cut], frame.iloc[cut:]]
    assert (chunks[0]["weeks"] == week).sum() > 1 and (chunks[1]["weeks"] == week).sum() > 1
    for ties in ("efron", "breslow"):
        whole = cox(frame, "weeks", "exit", COVARIATES, ties=ties)
        _assert_equal_fit(cox_chunked(chunks, "weeks", "exit", COVARIATES, ties=ties), whole)


def test_chunks_without_events_and_empty_chunks_count():
    frame = _spells(n=400)
    censored = frame[frame["exit"] == 0].copy()
    censored["weeks"] = censored["weeks"] + 100  # after the last event: in no risk set
    chunks = [frame.iloc[:200], frame.iloc[0:0], frame.iloc[200:], censored]
    whole = cox(pd.concat([frame, censored]), "weeks", "exit", COVARIATES)
    fit = cox_chunked(chunks, "weeks", "exit", COVARIATES)
    _assert_equal_fit(fit, whole)
    assert fit.n == len(frame) + len(censored)


def test_a_function_returning_chunks_and_treatment_first():
    frame = _spells(n=500)
    reads = []

    def chunks():
        reads.append(1)
        return (frame.iloc[i : i + 100] for i in range(0, len(frame), 100))

    fit = cox_chunked(chunks, "weeks", "exit", ["x1"], treatment="arm")
    whole = cox(frame, "weeks", "exit", ["x1"], treatment="arm")
    _assert_equal_fit(fit, whole)
    assert fit.terms == ["arm", "x1"]
    assert len(reads) == fit.iterations + 1  # the scan, then one pass per evaluation


def test_dask_partitions_equal_the_whole_fit():
    dd = pytest.importorskip("dask.dataframe")
    frame = _spells()
    ddf = dd.from_pandas(frame, npartitions=4)
    for options in ({}, {"strata": "region", "weights": "w", "entry": "start"}):
        whole = cox(frame, "weeks", "exit", COVARIATES, **options)
        fit = cox_chunked(ddf, "weeks", "exit", COVARIATES, scheduler="synchronous", **options)
        _assert_equal_fit(fit, whole)


def test_caller_frames_untouched():
    frame = _spells(n=300)
    chunks = [frame.iloc[:150].copy(), frame.iloc[150:].copy()]
    before = [c.copy() for c in chunks]
    cox_chunked(chunks, "weeks", "exit", COVARIATES, strata="region", entry="start")
    for chunk, kept in zip(chunks, before, strict=True):
        pd.testing.assert_frame_equal(chunk, kept)


def test_what_a_chunked_fit_cannot_give_and_bad_input():
    frame = _spells(n=300)
    fit = cox_chunked([frame], "weeks", "exit", COVARIATES)
    with pytest.raises(ArgumentError, match="no concordance"):
        _ = fit.concordance
    with pytest.raises(ArgumentError, match="proportional hazards"):
        fit.ph_test()
    assert "Concordance" not in fit.summary()
    with pytest.raises(ArgumentError, match="one-shot"):
        cox_chunked((c for c in [frame]), "weeks", "exit", COVARIATES)
    with pytest.raises(ArgumentError, match="chunk 1 is a ndarray"):
        cox_chunked([frame, frame.to_numpy()], "weeks", "exit", COVARIATES)
    with pytest.raises(ColumnError, match="'region' is not numeric"):
        cox_chunked([frame], "weeks", "exit", ["x1", "region"])
    with pytest.raises(ColumnError, match="chunk 1: .*'nope'"):
        cox_chunked([frame.assign(nope=frame["x1"]), frame], "weeks", "exit", ["nope"])
    with pytest.raises(DesignError, match="no events"):
        cox_chunked([frame.assign(exit=0)], "weeks", "exit", COVARIATES)
    with pytest.raises(DesignError, match="constant"):
        cox_chunked([frame.assign(x1=2.0)], "weeks", "exit", COVARIATES)
    with pytest.raises(DesignError, match="collinear"):
        cox_chunked([frame.assign(x2=2 * frame["x1"] + 1)], "weeks", "exit", COVARIATES)
    with pytest.raises(TreatmentError, match="one arm"):
        cox_chunked([frame.assign(arm=1)], "weeks", "exit", ["x1"], treatment="arm")
    with pytest.raises(ArgumentError, match="dask DataFrame only"):
        cox_chunked([frame], "weeks", "exit", COVARIATES, scheduler="threads")


def test_concordance_is_computed_on_first_access_only():
    frame = _spells(n=400)
    fit = cox(frame, "weeks", "exit", COVARIATES)
    assert fit._concordance_value == []  # not computed by the fit
    first = fit.concordance
    assert len(fit._concordance_value) == 1
    assert 0.0 < first < 1.0 and fit.concordance_se > 0
    assert fit.concordance == first and len(fit._concordance_value) == 1


@pytest.mark.parametrize(
    "options",
    [
        {"robust": True},
        {"cluster": "person"},
        {"cluster": "name", "ties": "breslow"},
        {"cluster": "person", "strata": "region", "weights": "w", "entry": "start"},
        {"robust": True, "strata": "region", "weights": "w", "entry": "start"},
    ],
    ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()),
)
@pytest.mark.parametrize("duration", ["weeks", "time"])
def test_robust_and_clustered_variance_equal_the_whole_fit(options, duration):
    """The sandwich from a second pass over the chunks equals cox(robust/cluster): persons
    are split across chunks (shuffled), chunks of one row, weekly and continuous times."""
    frame = _spells()
    rng = np.random.default_rng(4)
    frame["person"] = rng.integers(0, 300, len(frame))
    frame["name"] = "p" + frame["person"].astype(str)  # text cluster ids
    frame["tstart"] = frame["time"] * np.where(rng.random(len(frame)) < 0.3, 0.5, 0.0)
    if duration == "time" and "entry" in options:
        options = {**options, "entry": "tstart"}
    whole = cox(frame, duration, "exit", COVARIATES, **options)
    for chunks in _splits(frame).values():
        fit = cox_chunked(chunks, duration, "exit", COVARIATES, **options)
        _assert_equal_fit(fit, whole)
        for got, want in [
            (fit.robust_std_error, whole.robust_std_error),
            (fit.variance, whole.variance),
            (fit.robust_score_test.statistic, whole.robust_score_test.statistic),
            (fit.hr_conf_int, whole.hr_conf_int),
            (fit.p_values, whole.p_values),
        ]:
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=0)
        assert fit.robust and fit.n_clusters == whole.n_clusters
        assert (fit.cluster, fit.n_clusters is None) == (whole.cluster, "cluster" not in options)


def test_dask_partitions_clustered_by_person():
    dd = pytest.importorskip("dask.dataframe")
    frame = _spells().assign(person=lambda f: np.arange(len(f)) % 250)
    whole = cox(frame, "weeks", "exit", COVARIATES, cluster="person")
    ddf = dd.from_pandas(frame, npartitions=3)
    fit = cox_chunked(ddf, "weeks", "exit", COVARIATES, cluster="person", scheduler="synchronous")
    np.testing.assert_allclose(fit.robust_std_error, whole.robust_std_error, rtol=1e-10, atol=0)
    assert fit.n_clusters == 250
    with pytest.raises(ArgumentError, match="robust must be True or False"):
        cox_chunked([frame], "weeks", "exit", COVARIATES, robust="yes")
    with pytest.raises(ArgumentError, match="cluster must be a column name"):
        cox_chunked([frame], "weeks", "exit", COVARIATES, cluster=["person"])
    with pytest.raises(ColumnError, match="'nobody'"):
        cox_chunked([frame], "weeks", "exit", COVARIATES, cluster="nobody")
