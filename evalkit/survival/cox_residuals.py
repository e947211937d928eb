r"""Residuals of a Cox model, as R's ``residuals.coxph`` (survival >= 3.0).

With the notation of :mod:`evalkit.survival.cox` (risk score ``r_i = exp(x_i'b + o_i)``,
case weights ``w_i``, at an event time ``t`` with ``d`` tied events, weighted count
``w_t``, ``D_k = S0 - (k/d) S0e`` and ``m_k = (S1 - (k/d) S1e)/D_k`` for ``k = 0..d-1``
under Efron's ties; ``d = 1`` gives Breslow's), per event time::

    A_t = (w_t/d) sum_k 1/D_k,          B_t = (w_t/d) sum_k m_k/D_k,
    A'_t = (w_t/d) sum_k (1-k/d)/D_k,   B'_t = (w_t/d) sum_k (1-k/d) m_k/D_k,
    xbar_t = (1/d) sum_k m_k.

A row at risk at ``t`` (``start < t <= stop``) accumulates ``A_t, B_t``; a row with its
event at ``t`` accumulates ``A'_t, B'_t`` there instead (Efron's tied events are in
the ``k``-th risk set with weight ``1 - k/d``). With ``cA_i, cB_i`` these sums:

- martingale: ``M_i = delta_i - r_i cA_i`` (Therneau, Grambsch & Fleming 1990);
- deviance: ``sign(M_i) sqrt(-2 [M_i + delta_i log(delta_i - M_i)])``;
- score: ``L_i = delta_i (x_i - xbar_{t_i}) - r_i (x_i cA_i - cB_i)`` (R's ``coxscore2``
  and ``agscore2``);
- schoenfeld: per event, ``x_i - xbar_{t_i}`` (rows with events, in the order of R:
  by stratum, time, then row);
- scaledsch: ``n_events * V s_i + b`` with ``V`` the model-based variance (Grambsch &
  Therneau 1994), R's ``"scaledsch"``;
- dfbeta: ``w_i L_i' V`` (the approximate change in ``b`` when row ``i`` is left out);
  dfbetas: each column divided by the model-based standard error.

Residuals are returned unweighted except dfbeta and dfbetas, as R's defaults
(``weighted = type %in% c("dfbeta", "dfbetas")``). An exact-ties fit has martingale and
deviance residuals only (R: score-type residuals are not available for the exact method);
its martingale residuals use Breslow's hazard, as R.

References
----------
Grambsch, P. M. & Therneau, T. M. (1994). Biometrika 81, 515-526.
Therneau, T. M., Grambsch, P. M. & Fleming, T. R. (1990). Martingale-based residuals for
survival models. Biometrika 77, 147-160.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import check_choice
from ..errors import ArgumentError
from ..output.declare import declare_table

KINDS = ("martingale", "deviance", "score", "schoenfeld", "scaledsch", "dfbeta", "dfbetas")

__all__ = ["KINDS", "cox_residuals"]


def _pieces(fit):
    """Per row: ``cA`` (n,), ``cB`` (n, p), risk score ``r`` (n,); per row with an event
    the Efron mean ``xbar`` at its time; and the fit data."""
    from .cox_curves import _data

    fd = _data(fit)
    beta = fit.coefficients
    x = fd.x
    n, p = x.shape
    eta = x @ beta
    if fd.offset is not None:
        eta = eta + fd.offset
    shift = float(eta.max())
    rs = np.exp(eta - shift)
    w = fd.weights if fd.weights is not None else np.ones(n)
    wr = w * rs
    efron = fit.ties == "efron"
    strata = fd.strata if fd.strata is not None else np.zeros(n, dtype=np.int64)
    cA = np.zeros(n)
    cB = np.zeros((n, p))
    xbar_ev = np.zeros((n, p))
    for s in range(int(strata.max()) + 1):
        rows = np.flatnonzero(strata == s)
        stop = fd.time[rows]
        ev = fd.status[rows]
        times = np.unique(stop[ev])
        k = len(times)
        if k == 0:
            continue
        hi = np.searchsorted(times, stop, side="right")
        lo = (
            np.zeros(len(rows), dtype=np.int64)
            if fd.entry is None
            else np.searchsorted(times, fd.entry[rows], side="right")
        )
        vals = np.column_stack([wr[rows], wr[rows, None] * x[rows]])
        acc = np.zeros((k + 1, p + 1))
        np.add.at(acc, lo, vals)
        np.add.at(acc, hi, -vals)
        sums = np.cumsum(acc, axis=0)[:k]
        S0, S1 = sums[:, 0], sums[:, 1:]
        pos = np.searchsorted(times, stop[ev])
        d = np.bincount(pos, minlength=k)
        wt = np.bincount(pos, weights=w[rows][ev], minlength=k)
        if efron:
            er = rows[ev]
            S0e = np.bincount(pos, weights=wr[er], minlength=k)
            S1e = np.column_stack(
                [np.bincount(pos, weights=wr[er] * x[er, j], minlength=k) for j in range(p)]
            )
        else:
            S0e = np.zeros(k)
            S1e = np.zeros((k, p))
        rep = np.repeat(np.arange(k), d)
        starts = np.cumsum(d) - d
        frac = (np.arange(len(rep)) - starts[rep]) / d[rep]
        if not efron:
            frac = np.zeros_like(frac)
        D = S0[rep] - frac * S0e[rep]
        m = (S1[rep] - frac[:, None] * S1e[rep]) / D[:, None]
        mw = (wt / d)[rep]
        A = np.add.reduceat(mw / D, starts)
        B = np.add.reduceat(m * (mw / D)[:, None], starts, axis=0)
        A1 = np.add.reduceat(mw * (1 - frac) / D, starts)
        B1 = np.add.reduceat(m * (mw * (1 - frac) / D)[:, None], starts, axis=0)
        xb = np.add.reduceat(m, starts, axis=0) / d[:, None]
        cumA = np.r_[0.0, np.cumsum(A)]
        cumB = np.vstack([np.zeros((1, p)), np.cumsum(B, axis=0)])
        rA = cumA[hi] - cumA[lo]
        rB = cumB[hi] - cumB[lo]
        # a row with its event at times[pos]: A'/B' there instead of A/B
        evr = np.flatnonzero(ev)
        rA[evr] += A1[pos] - A[pos]
        rB[evr] += B1[pos] - B[pos]
        cA[rows] = rA
        cB[rows] = rB
        xbar_ev[rows[evr]] = xb[pos]
    scale = np.exp(-shift)  # the sums were of exp(eta - shift): rescale to exp(eta)
    r = np.exp(eta)
    return cA * scale, cB * scale, r, xbar_ev, fd


def cox_residuals(fit, kind: str = "martingale") -> pd.DataFrame:
    """Residuals of a Cox fit, as R's ``residuals(fit, type = kind)``.

    Parameters
    ----------
    fit : a :class:`~evalkit.survival.cox.CoxResult` from :func:`~evalkit.survival.cox.cox`.
    kind : ``"martingale"`` (default), ``"deviance"``, ``"score"``, ``"schoenfeld"``,
        ``"scaledsch"``, ``"dfbeta"`` or ``"dfbetas"`` (formulas: module docstring).

    Returns
    -------
    DataFrame indexed by the rows of the data the fit used (their labels): one column
    ``residual`` for martingale and deviance, one column per term for score, dfbeta and
    dfbetas; for schoenfeld and scaledsch one row per event (index: the row label) with
    ``time`` (and ``stratum``) and one column per term, in R's order. Declared person
    level to the output gate (one row per person: inspect, do not publish).

    Examples
    --------
    >>> import pandas as pd
    >>> from evalkit.survival import cox
    >>> d = pd.DataFrame({"weeks": [2, 4, 4, 6, 9, 9, 12, 15, 20, 26],
    ...                   "exit": [1, 1, 1, 0, 1, 1, 0, 1, 1, 0],
    ...                   "treated": [1, 1, 0, 1, 0, 1, 0, 0, 0, 1]})
    >>> res = cox(d, "weeks", "exit", treatment="treated").residuals("martingale")
    >>> bool(abs(res["residual"].sum()) < 1e-12)
    True
    """
    check_choice(kind, "kind", KINDS)
    if fit.ties == "exact" and kind not in ("martingale", "deviance"):
        raise ArgumentError(
            f'{kind} residuals are not available for a fit with ties="exact" (as R); refit '
            'with ties="efron" or "breslow".'
        )
    if fit.ties == "exact":
        from dataclasses import replace

        cA, cB, r, xbar, fd = _pieces(replace(fit, ties="breslow"))
    else:
        cA, cB, r, xbar, fd = _pieces(fit)
    delta = fd.status.astype(float)
    terms = list(fit.terms)
    if kind in ("martingale", "deviance"):
        mart = delta - r * cA
        if kind == "deviance":
            with np.errstate(divide="ignore", invalid="ignore"):
                inner = mart + np.where(delta > 0, delta * np.log(delta - mart), 0.0)
            value = np.sign(mart) * np.sqrt(-2.0 * inner)
        else:
            value = mart
        out = pd.DataFrame({"residual": value}, index=fd.index)
        return declare_table(out, person_level=True)
    vv = fit.naive_variance
    if kind in ("schoenfeld", "scaledsch"):
        ev = np.flatnonzero(fd.status)
        strata = fd.strata if fd.strata is not None else np.zeros(fd.n, dtype=np.int64)
        order = ev[np.lexsort((ev, fd.time[ev], strata[ev]))]
        resid = fd.x[order] - xbar[order]
        if kind == "scaledsch":
            resid = len(ev) * resid @ vv + fit.coefficients
        out = pd.DataFrame(resid, columns=terms, index=fd.index[order])
        out.insert(0, "time", fd.time[order])
        if fd.strata is not None:
            out.insert(0, "stratum", np.asarray(fd.strata_levels, dtype=object)[strata[order]])
        return declare_table(out, person_level=True)
    score = delta[:, None] * (fd.x - xbar) - r[:, None] * (fd.x * cA[:, None] - cB)
    if kind == "score":
        value = score
    else:
        value = score @ vv
        if kind == "dfbetas":
            value = value / np.sqrt(np.diag(vv))
        if fd.weights is not None:
            value = value * fd.weights[:, None]
    return declare_table(pd.DataFrame(value, columns=terms, index=fd.index), person_level=True)
