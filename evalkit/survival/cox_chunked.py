"""The Cox model fitted from chunks of rows: a list of frames, a reader, or Dask partitions.

A weekly register does not need to be in memory for a Cox fit. Every quantity a
Newton-Raphson step needs is a sum over rows, per distinct event time (and stratum):
with ``r_i = w_i exp(x_i'b)``, the rows leaving the risk sets at event time ``t``
contribute ``r_i (1, x_i, x_i x_i')`` to ``t``'s column, the events at ``t`` the same to
the tied-event sums of Efron's approximation, rows entering late (``entry``) the same to
the column of the last event time before their entry. Reverse cumulative sums of those
(T x q) tables over the event times of each stratum are the risk-set sums ``S0, S1, S2``
of :mod:`evalkit.survival.cox`, and the log partial likelihood, score and information
follow exactly as there (the same code). The tables of the chunks add up: each chunk
returns its table scaled by ``exp(-max eta)`` of its own rows, and the tables are put on
the largest chunk's scale before adding. A chunk with fewer rows than there are event
times (continuous times) returns only the event times its rows fall in (found by sorting
its own bucket indices), so it costs ``O(rows log rows)`` and not ``O(event times)``; the
chunks' pieces are added into the full tables once per pass. So the fit is
:func:`~evalkit.survival.cox.cox` on all rows: the same Newton-Raphson path,
coefficients, standard errors and log-likelihoods up to rounding (1e-12 relative in the
tests).

The chunks are read once to find the event times, the strata, the covariate means and
cross-products (for the centring and the constant / collinear checks), then once per
Newton-Raphson evaluation (typically 5-8), so they must be readable more than once: a
list of frames, a function returning a new iterator of frames (e.g. reading parquet row
groups), or a ``dask.dataframe.DataFrame`` whose partitions are computed in parallel by
Dask's scheduler (``scheduler=``; a ``dask.distributed`` client when one is active). Chunks
may split persons or tied times anywhere: every sum is per row.

The robust (sandwich) variance, by row (``robust=True``) or by cluster (``cluster=``,
e.g. persons), is :func:`~evalkit.survival.cox.cox`'s ``D'D`` with ``D = V w_i L_i``
(Lin & Wei 1989): the score residuals ``L_i`` of a row need the hazard terms of every
event time it is at risk at, which are sums over all chunks, so they are formed in one
more pass (two with the evaluation at the estimate), in which each chunk gets the
cumulated per-time terms at the estimate and at zero (for the robust score test) and
returns ``L'L`` and ``sum L`` (by row) or ``L`` summed by cluster; the driver adds the
clusters' sums across chunks (a person may be in several) before ``D'D``. Equal to
``cox(robust=True)`` / ``cox(cluster=)`` to 1e-10 relative in the tests.

What needs every row at once is not available: the concordance (pairs of rows across
chunks) and the proportional-hazards test (``ph_test``).
Covariates must be numeric or boolean (dummy-code text columns first, with the same
levels in every chunk).

Example
-------
>>> import pandas as pd
>>> from evalkit.survival import cox, cox_chunked
>>> spells = pd.DataFrame({"weeks": [2, 4, 4, 6, 9, 9, 12, 15, 20, 26],
...                        "exit": [1, 1, 1, 0, 1, 1, 0, 1, 1, 0],
...                        "treated": [1, 1, 0, 1, 0, 1, 0, 0, 0, 1]})
>>> chunks = [spells.iloc[:3], spells.iloc[3:7], spells.iloc[7:]]
>>> fit = cox_chunked(chunks, "weeks", "exit", ["treated"])
>>> round(float(fit.hazard_ratio[0]), 6) == round(float(
...     cox(spells, "weeks", "exit", ["treated"]).hazard_ratio[0]), 6)
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
from scipy import stats

from .._validation import as_column_list, check_alpha, check_choice
from ..errors import ArgumentError, ColumnError, DesignError, EvalkitError, TreatmentError
from ._input import survival_data
from .cox import (
    TIES,
    CoxResult,
    _check_gram,
    _chisq,
    _inverse,
    _linear_predictor,
    _newton,
    _quad,
    _RiskSets,
)

__all__ = ["cox_chunked"]


def _is_dask_frame(obj) -> bool:
    return type(obj).__module__.split(".")[0] == "dask" and hasattr(obj, "to_delayed")


class _Chunks:
    """Maps a function over the chunks, however they are given; ``fn(frame, index)``."""

    def __init__(self, chunks, scheduler):
        self.scheduler = scheduler
        self.parts = None
        self.factory: Callable[[], Iterable] | None = None
        if _is_dask_frame(chunks):
            self.parts = chunks.to_delayed()
        elif isinstance(chunks, pd.DataFrame):
            self.factory = lambda: iter([chunks])
        elif callable(chunks):
            self.factory = chunks
        else:
            try:
                first = iter(chunks)
            except TypeError:
                raise ArgumentError(
                    "chunks must be a list of pandas DataFrames, a function returning an "
                    "iterator of them, or a dask DataFrame; got "
                    f"{type(chunks).__name__}."
                ) from None
            if first is chunks:
                raise ArgumentError(
                    "chunks is a one-shot iterator (e.g. a generator): the fit reads the "
                    "chunks once per Newton-Raphson step (about 5-10 times). Pass a list, a "
                    "function returning a new iterator on every call, or a dask DataFrame."
                )
            self.factory = lambda: iter(chunks)
        if scheduler is not None and self.parts is None:
            raise ArgumentError("scheduler= applies to a dask DataFrame only.")

    def map(self, fn) -> list:
        if self.parts is not None:
            import dask  # present: the chunks are a dask DataFrame

            tasks = [dask.delayed(fn)(part, i) for i, part in enumerate(self.parts)]
            kwargs = {} if self.scheduler is None else {"scheduler": self.scheduler}
            out = list(dask.compute(*tasks, **kwargs))
        else:
            source = self.factory()
            try:
                iterator = iter(source)
            except TypeError:
                raise ArgumentError(
                    "chunks() must return an iterable of pandas DataFrames; got "
                    f"{type(source).__name__}."
                ) from None
            out = [fn(frame, i) for i, frame in enumerate(iterator)]
        return [o for o in out if o is not None]


def _in_chunk(index: int, fn):
    """Run ``fn()``; an evalkit error names the chunk it came from."""
    try:
        return fn()
    except EvalkitError as err:
        raise type(err)(f"chunk {index}: {err}") from None


class _Spec:
    """What every chunk needs to know: the columns and, after the first pass, the event
    times per stratum, the strata levels and the covariate means."""

    def __init__(
        self, duration, event, names, treatment, strata, entry, weights, missing, cluster=None
    ):
        self.cluster = cluster
        self.duration = duration
        self.event = event
        self.names = names
        self.treatment = treatment
        self.strata = strata
        self.entry = entry
        self.weights = weights
        self.missing = missing
        self.levels: pd.Index | None = None
        self.event_times: list[np.ndarray] = []
        self.first = np.zeros(1, dtype=np.int64)
        self.mean: np.ndarray | None = None
        self.n_times = 0
        self.table: np.ndarray | None = None  # (strata, span) bucket lookup on whole times
        self.table_low = 0

    def set_event_times(self, event_times: list[np.ndarray]) -> None:
        """The sorted event times of each stratum; with whole-number times in a moderate
        range (weeks) also a lookup table of each time's bucket, so that a chunk's rows find
        theirs by one gather instead of a binary search."""
        self.event_times = event_times
        sizes = np.array([len(t) for t in event_times])
        self.first = np.r_[0, np.cumsum(sizes)]
        self.n_times = int(sizes.sum())
        every = np.concatenate(event_times)
        low, high = float(every.min()), float(every.max())
        span = int(high - low) + 2
        if np.all(every == np.round(every)) and len(event_times) * span <= 1 << 22:
            table = np.full((len(event_times), span), -1, dtype=np.int64)
            grid = np.arange(span - 1) + low
            for k, times in enumerate(event_times):
                if len(times):
                    pos = np.searchsorted(times, grid, side="right")
                    table[k, :-1] = np.where(pos > 0, self.first[k] + pos - 1, -1)
                    table[k, -1] = table[k, -2]  # beyond the last event time
            self.table, self.table_low = table, int(low)

    def read(self, frame, index: int):
        """Validated arrays of one chunk: time, status, entry, weights, x (p, m), strata."""
        if not isinstance(frame, pd.DataFrame):
            raise ArgumentError(f"chunk {index} is a {type(frame).__name__}, not a DataFrame.")
        if len(frame) == 0:
            return None
        extra = self.names + [c for c in (self.strata, self.cluster) if c]

        def validate():
            sd = survival_data(
                frame,
                self.duration,
                self.event,
                entry=self.entry,
                weights=self.weights,
                extra=extra,
                missing=self.missing,
                require_events=False,
            )
            return sd, _numeric_design(sd.frame, self.names, self.treatment)

        sd, x = _in_chunk(index, validate)
        s = sd.frame[self.strata].to_numpy() if self.strata else None
        cl = sd.frame[self.cluster].to_numpy() if self.cluster else None
        return sd.raw_time, sd.event == 1, sd.entry, sd.weights, x, s, cl

    def bucket(self, values: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
        """Index of the last event time (of the row's stratum) at or before each value;
        -1 when there is none."""
        if self.table is not None and values.dtype.kind == "i":
            span = self.table.shape[1]
            pos = values - self.table_low
            below = pos < 0
            np.clip(pos, 0, span - 1, out=pos)
            out = self.table[0 if codes is None else codes, pos]
            out[below] = -1
            return out
        if codes is None:
            return _search(self.event_times[0], values) - 1
        out = np.full(len(values), -1, dtype=np.int64)
        for k in np.unique(codes):
            times = self.event_times[k]
            if not len(times):
                continue
            rows = np.flatnonzero(codes == k)
            pos = _search(times, values[rows])
            out[rows] = np.where(pos > 0, self.first[k] + pos - 1, -1)
        return out


def _search(times: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``searchsorted(times, values, side="right")`` with the values searched in sorted
    order (numpy then narrows each search by the previous one: about 3x faster for many
    values among many times)."""
    order = np.argsort(values, kind="stable")
    out = np.empty(len(values), dtype=np.int64)
    out[order] = np.searchsorted(times, values[order], side="right")
    return out


def _numeric_design(frame: pd.DataFrame, names: list[str], treatment: str | None) -> np.ndarray:
    """The (p, m) design of one chunk: numeric and boolean covariates as they are."""
    x = np.empty((len(names), len(frame)))
    for j, name in enumerate(names):
        series = frame[name]
        kind = series.dtype
        if not (pd.api.types.is_bool_dtype(kind) or pd.api.types.is_numeric_dtype(kind)):
            raise ColumnError(
                f"covariate {name!r} is not numeric or boolean: a chunked fit cannot dummy-code "
                "it (a chunk may lack some levels). Add 0/1 columns for its levels (with the "
                "same reference level in every chunk) and pass those."
            )
        values = series.to_numpy(dtype=float)
        if not np.isfinite(values).all():
            raise DesignError(
                f"covariate {name!r} has {int((~np.isfinite(values)).sum())} infinite values "
                f"among {len(values)} rows; a Cox model needs finite covariates."
            )
        if name == treatment and not np.isin(values, (0.0, 1.0)).all():
            raise TreatmentError(
                f"treatment column {name!r} must be 0/1 or boolean; "
                f"{int((~np.isin(values, (0.0, 1.0))).sum())} of {len(values)} rows are not."
            )
        x[j] = values
    return x


def _moments(x: np.ndarray, codes: np.ndarray, n_groups: int):
    """Per group: count, mean (p) and centred cross-products (p, p) of the columns of x."""
    p = x.shape[0]
    count = np.bincount(codes, minlength=n_groups).astype(float)
    ref = x.mean(axis=1)
    xc = x - ref[:, None]
    sums = np.vstack([np.bincount(codes, weights=row, minlength=n_groups) for row in xc])
    cross = np.empty((n_groups, p, p))
    for j in range(p):
        for k in range(j, p):
            cross[:, j, k] = cross[:, k, j] = np.bincount(
                codes, weights=xc[j] * xc[k], minlength=n_groups
            )
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_c = np.where(count > 0, sums / count, 0.0)  # (p, G)
    m2 = cross - count[:, None, None] * np.einsum("jg,kg->gjk", mean_c, mean_c)
    return count, (ref[:, None] + mean_c).T, m2


def _merge(a, b):
    """Chan et al.'s pairwise update of (count, mean, M2) per group."""
    na, ma, qa = a
    nb, mb, qb = b
    n = na + nb
    with np.errstate(invalid="ignore", divide="ignore"):
        delta = mb - ma
        frac = np.where(n > 0, nb / n, 0.0)
        mean = ma + delta * frac[:, None]
        weight = np.where(n > 0, na * nb / n, 0.0)
    m2 = qa + qb + weight[:, None, None] * np.einsum("gj,gk->gjk", delta, delta)
    return n, mean, m2


def _scan(spec: _Spec, frame, index):
    """First pass: counts, event times, strata values, covariate moments and ranges."""
    read = spec.read(frame, index)
    if read is None:
        return None
    time, ev, _, _, x, s, _ = read
    if s is None:
        values = np.zeros(1)
        codes = np.zeros(len(time), dtype=np.int64)
    else:
        codes, values = pd.factorize(s, sort=True)
        values = np.asarray(values)
    count, mean, m2 = _moments(x, codes, len(values))
    pairs = pd.DataFrame({"s": values[codes[ev]], "t": time[ev]}).drop_duplicates()
    return {
        "n": len(time),
        "events": int(ev.sum()),
        "values": values,
        "moments": (count, mean, m2),
        "low": x.min(axis=1),
        "high": x.max(axis=1),
        "event_pairs": pairs,
    }


def _at_risk(spec: _Spec, read):
    """Centre the chunk's covariates (in place); each row's event-time indices: ``b`` the
    last at or before its stop, ``e`` the last at or before its entry (None without
    entry), and whether it is in any risk set."""
    time, _, entry, _, x, s, _ = read
    codes = None if s is None else spec.levels.get_indexer(s)
    x -= spec.mean[:, None]
    b = spec.bucket(time, codes)
    if entry is None:
        return b, None, b >= 0
    e = spec.bucket(entry, codes)
    return b, e, b > e


def _sums(spec: _Spec, beta: np.ndarray, efron: bool, frame, index):
    """One chunk's tables at ``beta``: exits, events and entries per event time, of
    ``w exp(x'beta - shift) (1, x, x x')`` with this chunk's own shift."""
    read = spec.read(frame, index)
    if read is None:
        return None
    time, ev, entry, w, x, _, _ = read
    b, e, active = _at_risk(spec, read)
    if not active.any():
        return None
    if not active.all():
        b, ev, x = b[active], ev[active], x[:, active]
        w = w[active] if w is not None else None
        e = e[active] if e is not None else None
    p = x.shape[0]
    eta = _linear_predictor(beta, x)
    shift = float(eta.max())
    r = np.exp(eta - shift)
    if w is not None:
        r *= w
    n_times = spec.n_times
    pairs = [(j, k) for j in range(p) for k in range(j, p)]
    q = 1 + p + len(pairs)
    rows = np.empty((q, len(r)))
    rows[0] = r
    np.multiply(x, r, out=rows[1 : p + 1])
    for idx, (j, k) in enumerate(pairs):
        np.multiply(rows[1 + j], x[k], out=rows[1 + p + idx])
    exits = _table(b, rows, n_times)
    events = _table(b[ev], rows[:, ev], n_times) if efron else None
    entries = None
    if e is not None and (e >= 0).any():
        late = e >= 0
        entries = _table(e[late], rows[:, late], n_times)
    # beta-free constants: events, their weights and weighted covariate sums per event time
    wev = w[ev] if w is not None else None
    fixed = [np.ones(int(ev.sum()))]
    if wev is not None:
        fixed += [wev, *(x[:, ev] * wev)]
    else:
        fixed += list(x[:, ev])
    return shift, exits, events, entries, _table(b[ev], np.vstack(fixed), n_times)


def _table(keys: np.ndarray, rows: np.ndarray, n_times: int):
    """Sums of the columns of ``rows`` (q, m) per event-time index ``keys`` (m,), as
    ``(indices (u,), sums (q, u))``: every event time when the chunk has at least as many
    rows (weekly times), else only the indices present, found by sorting the chunk's own
    keys, so that a chunk costs ``O(m log m)`` however many event times there are."""
    if len(keys) >= n_times:
        present, inverse, u = np.arange(n_times), keys, n_times
    else:
        present, inverse = np.unique(keys, return_inverse=True)
        u = len(present)
    return present, np.vstack([np.bincount(inverse, weights=row, minlength=u) for row in rows])


def _add_scaled(parts, shift, item, n_times):
    """The (q, T) table summed over the chunks' tables (each ``(indices, sums)`` with
    distinct indices), each put on scale ``shift`` (None: as they are); ``None`` when no
    chunk has one."""
    out = None
    for part in parts:
        if part[item] is None:
            continue
        present, sums = part[item]
        if out is None:
            out = np.zeros((len(sums), n_times))
        out[:, present] += sums if shift is None else sums * np.exp(part[0] - shift)
    return out


def _dense(keys, values, n_times):
    return np.vstack([np.bincount(keys, weights=row, minlength=n_times) for row in values])


def _residual_sums(spec: _Spec, states, frame, index):
    """Second pass for the robust variance: the chunk's score residuals ``w_i L_i`` at each
    of ``states`` (``(beta, shift, cumulated h0 (T+1,), cumulated h1 (p, T+1), xbar, c0,
    c1)``, from the sums over all chunks), as in :meth:`cox._RiskSets.score_residuals`,
    returned summed: by cluster (``(cluster values, [(p, clusters) per state])``), or as
    ``[(L'L (p, p), sum L (p,)) per state]`` by row."""
    read = spec.read(frame, index)
    if read is None:
        return None
    _, ev, _, w, x, s, cl = read
    b, e, active = _at_risk(spec, read)
    rows = np.flatnonzero(active)
    b, ev, x = b[rows], ev[rows].astype(float), x[:, rows]
    if e is not None:
        e = e[rows]
    codes = None if s is None else spec.levels.get_indexer(s)[rows]
    first = spec.first[np.zeros(len(rows), np.int64) if codes is None else codes]
    lo = first if e is None else np.where(e >= 0, e + 1, first)
    out = []
    for beta, shift, C0, C1, xbar, c0, c1 in states:
        r = np.exp(_linear_predictor(beta, x) - shift)
        coef = ev - r * (C0[b + 1] - C0[lo])
        vec = r * (C1[:, b + 1] - C1[:, lo])
        vec -= xbar[:, b] * ev
        if c0 is not None:
            rev = r * ev
            coef += rev * c0[b]
            vec -= c1[:, b] * rev
        vec += x * coef
        if w is not None:
            vec *= w[rows]
        out.append(vec)
    if cl is None:
        return [(L @ L.T, L.sum(axis=1)) for L in out]
    keys, values = pd.factorize(cl, sort=False)  # rows in no risk set count as clusters
    keys_rows = keys[rows]
    sums = [
        np.vstack([np.bincount(keys_rows, weights=row, minlength=len(values)) for row in L])
        for L in out
    ]
    return np.asarray(values), sums


def _robust(source, spec, rs, states, names, naive, clustered: bool):
    """The robust variance ``D'D`` (``D = V L``, summed by cluster), the robust score
    test and the number of clusters, from one pass over the chunks; ``states`` are
    ``(state, shift)`` at the estimate and at zero."""
    terms = []
    for st, shift in states:
        h0, h1, xbar, c0, c1 = rs.residual_terms(st)
        C0 = np.r_[0.0, np.cumsum(h0)]
        C1 = np.hstack([np.zeros((len(h1), 1)), np.cumsum(h1, axis=1)])
        terms.append((st.beta, shift, C0, C1, xbar, c0, c1))
    parts = source.map(lambda frame, i: _residual_sums(spec, terms, frame, i))
    if not clustered:
        crossed = [sum(part[k][0] for part in parts) for k in range(2)]
        u0 = sum(part[1][1] for part in parts)
        n_clusters = None
    else:
        keys, _ = pd.factorize(np.concatenate([part[0] for part in parts]), sort=False)
        n_clusters = int(keys.max()) + 1
        crossed = []
        for k in range(2):
            values = np.concatenate([part[1][k] for part in parts], axis=1)
            summed = _dense(keys, values, n_clusters)
            crossed.append(summed @ summed.T)
            if k == 1:
                u0 = summed.sum(axis=1)
    robust_var = naive @ crossed[0] @ naive
    robust_score = _chisq(_quad(u0, crossed[1]), len(names))
    return robust_var, robust_score, n_clusters


class _ChunkedRiskSets(_RiskSets):
    """The risk-set machinery of :mod:`evalkit.survival.cox` with the per-event-time
    tables summed over chunks (grouped mode: second moments from the tables)."""

    def __init__(self, chunks: _Chunks, spec: _Spec, p: int, efron: bool, first_start):
        self.chunks_source = chunks
        self.spec = spec
        self.p = p
        self.efron = efron
        self.grouped = True
        self.w = None
        self.pairs = [(j, k) for j in range(p) for k in range(j, p)]
        self.q = 1 + p + len(self.pairs)
        self.n_times = spec.n_times
        self.bucket_stratum = np.repeat(
            np.arange(len(spec.event_times)), [len(t) for t in spec.event_times]
        )
        self.stratum_first = first_start
        self.next_start = first_start[self.bucket_stratum + 1]
        self.single_stratum = bool(np.all(self.bucket_stratum == self.bucket_stratum[0]))
        self.passes = 0
        self._constants_set = False
        self.last_shift = 0.0  # the shift of the last state returned

    def evaluate(self, beta: np.ndarray, info: bool = True):
        spec, efron = self.spec, self.efron
        parts = self.chunks_source.map(lambda frame, i: _sums(spec, beta, efron, frame, i))
        self.passes += 1
        shift = max(part[0] for part in parts)
        exits = _add_scaled(parts, shift, 1, self.n_times)
        events = _add_scaled(parts, shift, 2, self.n_times) if efron else None
        entries = _add_scaled(parts, shift, 3, self.n_times)
        if not self._constants_set:
            self._set_constants(parts)
        risk = self._rcum(exits)
        if entries is not None:
            risk -= self._rcum(entries)
        if events is None and efron:
            events = np.zeros_like(exits)
        self.last_shift = shift
        return self._state(beta, shift, None, risk, events, info)

    def _set_constants(self, parts):
        sums = _add_scaled(parts, None, 4, self.n_times)
        d = sums[0]
        wd = sums[1] if self.spec.weights is not None else d
        self.swx = sums[2 if self.spec.weights is not None else 1 :]
        self.d = d
        self.wd = wd
        self.swx_total = self.swx.sum(axis=1)
        self.wd_total = float(wd.sum())
        self.wtave = wd / d
        self.multi = np.zeros(0, dtype=np.int64)
        if self.efron:
            multi = np.flatnonzero(d > 1)
            dm = d[multi].astype(np.int64)
            self.multi = multi
            self.m_offsets = np.cumsum(dm) - dm
            rep = np.repeat(np.arange(len(multi)), dm)
            self.m_rep = multi[rep]
            self.m_frac = (np.arange(len(rep)) - self.m_offsets[rep]) / dm[rep]
        self._constants_set = True


def cox_chunked(
    chunks,
    duration: str,
    event: str,
    covariates: str | list[str] | None = None,
    ties: str = "efron",
    strata: str | None = None,
    entry: str | None = None,
    weights: str | None = None,
    alpha: float = 0.05,
    missing: str = "error",
    treatment: str | None = None,
    scheduler: str | None = None,
    robust: bool = False,
    cluster: str | None = None,
) -> CoxResult:
    """Fit a Cox model from chunks of rows, equal to :func:`~evalkit.survival.cox.cox` on
    all of them (see the module docstring for how the sums add up).

    Parameters
    ----------
    chunks : a list (or other re-iterable) of pandas DataFrames, a function returning a new
        iterator of DataFrames on each call (read once per Newton-Raphson step), or a
        ``dask.dataframe.DataFrame`` (its partitions are the chunks). Chunks may split
        persons or tied times anywhere; empty chunks are skipped. Not modified.
    duration : time of the event or censoring (the stop time with ``entry``).
    event : 0/1 (or boolean) event indicator.
    covariates : column or list of columns, numeric or boolean (dummy-code text columns
        first, with the same levels in every chunk).
    ties : ``"efron"`` (default, as R) or ``"breslow"``.
    strata : column whose levels get separate baseline hazards.
    entry : start of the interval (left truncation or counting-process data).
    weights : positive case weights, as R's ``weights=``.
    alpha : 1 - level of the hazard-ratio intervals.
    missing : ``"error"`` (default) or ``"drop"`` rows with missing values in used columns.
    treatment : optional 0/1 (or boolean) column of the trial arm, entered first.
    robust : robust (sandwich, dfbeta) variance by row, as R's ``robust = TRUE`` and
        :func:`~evalkit.survival.cox.cox`.
    cluster : column of cluster (e.g. person) ids: the robust variance summed by cluster;
        a cluster's rows may be in different chunks.
    scheduler : with a dask DataFrame, the Dask scheduler for the passes (``"threads"``,
        ``"processes"``, ``"synchronous"``; default Dask's own, or an active
        ``dask.distributed`` client).

    Returns
    -------
    CoxResult : as :func:`~evalkit.survival.cox.cox` (the robust variance with
    ``robust=`` or ``cluster=``, else the model-based one); no concordance or
    ``ph_test`` (they need all rows at once).

    Examples
    --------
    >>> import pandas as pd
    >>> spells = pd.DataFrame({"weeks": [2, 4, 4, 6, 9, 9, 12, 15, 20, 26],
    ...                        "exit": [1, 1, 1, 0, 1, 1, 0, 1, 1, 0],
    ...                        "treated": [1, 1, 0, 1, 0, 1, 0, 0, 0, 1]})
    >>> fit = cox_chunked([spells.iloc[:5], spells.iloc[5:]], "weeks", "exit",
    ...                   treatment="treated")  # R: exp(coef) = 1.095503
    >>> round(float(fit.hazard_ratio[0]), 6)
    1.095503
    """
    check_choice(ties, "ties", TIES)
    alpha = check_alpha(alpha)
    names = as_column_list(covariates, "covariates")
    if treatment is not None:
        if not isinstance(treatment, str):
            raise ArgumentError(f"treatment must be a column name or None; got {treatment!r}.")
        if treatment in names:
            raise ArgumentError(
                f"{treatment!r} is given as treatment and as a covariate; give it once."
            )
        names = [treatment, *names]
    if not names:
        raise ArgumentError(
            "covariates must name at least one column, or give treatment= (the 0/1 arm); got none."
        )
    for role, value in (("strata", strata), ("cluster", cluster)):
        if value is not None and not isinstance(value, str):
            raise ArgumentError(f"{role} must be a column name or None; got {value!r}.")
    if not isinstance(robust, bool | np.bool_):
        raise ArgumentError(f"robust must be True or False; got {robust!r}.")
    source = _Chunks(chunks, scheduler)
    spec = _Spec(duration, event, names, treatment, strata, entry, weights, missing, cluster)
    scans = source.map(lambda frame, i: _scan(spec, frame, i))
    if not scans:
        raise DesignError("the chunks hold no rows.")
    n = sum(sc["n"] for sc in scans)
    n_events = sum(sc["events"] for sc in scans)
    if n_events == 0:
        raise DesignError(
            f"no events in {event!r} among the {n} rows: every time is censored, so there is "
            "nothing to estimate."
        )
    p = len(names)
    if strata is None:
        levels = None
        n_strata = 1
    else:
        levels = pd.Index(np.concatenate([sc["values"] for sc in scans])).unique().sort_values()
        n_strata = len(levels)
    # covariate moments per stratum, merged over chunks (for centring and the checks)
    moments = (np.zeros(n_strata), np.zeros((n_strata, p)), np.zeros((n_strata, p, p)))
    for sc in scans:
        count, mean, m2 = sc["moments"]
        at = np.zeros(1, dtype=np.int64) if levels is None else levels.get_indexer(sc["values"])
        part = (np.zeros(n_strata), np.zeros((n_strata, p)), np.zeros((n_strata, p, p)))
        part[0][at], part[1][at], part[2][at] = count, mean, m2
        moments = _merge(moments, part)
    count, means, within = moments
    total = (count[:1].copy(), means[:1].copy(), within[:1].copy())
    for g in range(1, n_strata):
        total = _merge(total, (count[g : g + 1], means[g : g + 1], within[g : g + 1]))
    gram_total = total[2][0]
    spread = np.max([sc["high"] for sc in scans], axis=0) - np.min(
        [sc["low"] for sc in scans], axis=0
    )
    if treatment is not None:
        mean_arm = total[1][0][0]
        if not 0.0 < mean_arm < 1.0:
            raise TreatmentError(
                f"treatment column {treatment!r} has one arm only among the {n} rows; both "
                "arms (0 and 1) are needed."
            )
    _check_gram(within.sum(axis=0), np.diag(gram_total).copy(), spread, n, names, strata)
    spec.mean = total[1][0].copy()
    pairs = pd.concat([sc["event_pairs"] for sc in scans], ignore_index=True)
    if levels is None:
        spec.set_event_times([np.unique(pairs["t"].to_numpy())])
    else:
        codes = levels.get_indexer(pairs["s"].to_numpy())
        spec.set_event_times(
            [np.unique(pairs["t"].to_numpy()[codes == k]) for k in range(n_strata)]
        )
    spec.levels = levels
    first_start = spec.first  # first event-time index of each stratum (and the end)
    rs = _ChunkedRiskSets(source, spec, p, ties == "efron", first_start)
    state0 = rs.evaluate(np.zeros(p))
    sd = np.sqrt(np.diag(gram_total) / n)
    shift0 = rs.last_shift
    state, iterations = _newton(rs, state0, names, sd)
    beta = state.beta
    use_robust = robust or cluster is not None
    if use_robust:
        # the residuals need the risk-set sums at the final coefficients themselves
        state = rs.evaluate(beta)
    naive = _inverse(state.info, names)
    se = np.sqrt(np.diag(naive))
    robust_var = robust_score = n_clusters = None
    if use_robust:
        states = [(state, rs.last_shift), (state0, shift0)]
        robust_var, robust_score, n_clusters = _robust(
            source, spec, rs, states, names, naive, cluster is not None
        )
    var = robust_var if robust_var is not None else naive
    rse = np.sqrt(np.diag(robust_var)) if robust_var is not None else None
    use_se = rse if rse is not None else se
    z = beta / use_se
    crit = stats.norm.isf(alpha / 2)
    return CoxResult(
        coefficients=beta,
        naive_std_error=se,
        robust_std_error=rse,
        hazard_ratio=np.exp(beta),
        hr_conf_int=np.exp(np.column_stack([beta - crit * use_se, beta + crit * use_se])),
        statistics=z,
        p_values=2.0 * stats.norm.sf(np.abs(z)),
        loglik=state.loglik,
        loglik_null=state0.loglik,
        lr_test=_chisq(2.0 * (state.loglik - state0.loglik), p),
        wald_test=_chisq(_quad(beta, var), p),
        score_test=_chisq(_quad(state0.score, state0.info), p),
        robust_score_test=robust_score,
        n=n,
        n_events=n_events,
        iterations=iterations,
        ties=ties,
        terms=list(names),
        variance=var,
        naive_variance=naive,
        duration=duration,
        event=event,
        entry=entry,
        strata=strata,
        cluster=cluster,
        n_clusters=n_clusters,
        n_strata=n_strata,
        alpha=alpha,
    )
