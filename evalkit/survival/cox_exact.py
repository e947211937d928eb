r"""The exact partial likelihood for tied event times (``cox(..., ties="exact")``).

With ``d`` events tied at ``t`` (set ``D_t``) and risk set ``R_t``, the exact
(discrete, conditional-logistic) partial likelihood of Cox (1972) and Kalbfleisch &
Prentice (1973) counts every way ``d`` of the rows at risk could have been the ones to
fail::

    l(b) = sum_t [ sum_{i in D_t} eta_i - log e_d(R_t) ],
    e_d(R) = sum_{Q subset R, |Q| = d} prod_{i in Q} exp(eta_i),

``eta_i = x_i'b + offset_i``. This is R's ``coxph(..., ties = "exact")`` (Therneau's
``coxexact``/``agexact``). ``e_d`` is the elementary symmetric polynomial of degree
``d`` of the risk scores, computed by Gail, Lubin & Rubinstein's (1981) recursion
``e_k <- e_k + r_m e_{k-1}`` over the members ``m`` of the risk set, with its first and
second derivatives (``g_k <- g_k + r_m (x_m e_{k-1} + g_{k-1})`` and likewise for the
Hessian); score ``sum_D x_i - g_d / e_d`` and information
``H_d / e_d - g_d g_d' / e_d^2``. The recursion runs once per position in the risk sets,
vectorised over all tied event times; a time with a single event is the ordinary
(Breslow) term, computed with cumulative sums.

Limits: the recursion costs about ``(rows at risk) x d x p^2`` operations per tied time
and keeps one ``(tied times) x (largest risk set)`` index table. evalkit refuses a
fit whose largest tie has more than :data:`MAX_TIE` events or whose tied risk sets hold
more than :data:`MAX_CELLS` rows in all (weekly registers with thousands of exits per
week: use Efron's approximation, which is what R's documentation recommends there too).
Case weights and robust variances are not offered (R has no exact-ties residuals).

References
----------
Gail, M. H., Lubin, J. H. & Rubinstein, L. V. (1981). Likelihood calculations for matched
case-control studies and survival studies with tied death times. Biometrika 68, 703-707.
Kalbfleisch, J. D. & Prentice, R. L. (1973). Marginal likelihoods based on Cox's regression
and life model. Biometrika 60, 267-278.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg, stats

from ..errors import ArgumentError, DesignError

MAX_TIE = 100
MAX_CELLS = 20_000_000
_STEP_TOL = 1e-9


class _Exact:
    """Risk sets of an exact-ties fit: single-event times by cumulative sums, tied times
    by an index table of their members."""

    def __init__(self, time, status, entry, strata, x, offset):
        n, self.p = x.shape
        self.x = x
        self.offset = offset
        s = strata if strata is not None else np.zeros(n, dtype=np.int64)
        ev = status.astype(bool)
        keys = np.unique(np.column_stack([s[ev], time[ev]]), axis=0)
        d = np.array([np.sum(ev & (s == k[0]) & (time == k[1])) for k in keys])
        self.d_single = d == 1
        dmax = int(d.max())
        if dmax > MAX_TIE:
            raise ArgumentError(
                f'ties="exact": the largest group of tied events has {dmax} events, more than '
                f"{MAX_TIE}; the exact likelihood sums over every subset of the risk set of that "
                'size. Use ties="efron" (the usual approximation for heavy ties).'
            )
        start = entry if entry is not None else np.full(n, -np.inf)
        members, events, sizes = [], [], []
        singles_rows, singles_events = [], []
        for (stratum, t), k in zip(keys, d, strict=True):
            at_risk = np.flatnonzero((s == stratum) & (start < t) & (time >= t))
            dead = np.flatnonzero(ev & (s == stratum) & (time == t))
            if k == 1:
                singles_rows.append(at_risk)
                singles_events.append(dead[0])
            else:
                members.append(at_risk)
                events.append(dead)
                sizes.append(len(at_risk))
        cells = sum(sizes) + sum(len(r) for r in singles_rows)
        if cells > MAX_CELLS:
            raise ArgumentError(
                f'ties="exact": the risk sets of the event times hold {cells} rows in all, more '
                f'than {MAX_CELLS}; too large for the exact likelihood. Use ties="efron".'
            )
        # single-event times: (row, time) pairs as flat arrays
        self.s_rows = np.concatenate(singles_rows) if singles_rows else np.zeros(0, np.int64)
        self.s_time = np.repeat(np.arange(len(singles_rows)), [len(r) for r in singles_rows])
        self.s_event = np.asarray(singles_events, dtype=np.int64)
        self.n_single = len(singles_rows)
        # tied times: padded table of members (-1: none)
        self.n_tied = len(members)
        width = max(sizes) if sizes else 0
        table = np.full((self.n_tied, width), -1, dtype=np.int64)
        for i, rows in enumerate(members):
            table[i, : len(rows)] = rows
        self.table = table
        self.tie_d = np.array([len(e) for e in events], dtype=np.int64)
        self.tie_events = np.concatenate(events) if events else np.zeros(0, np.int64)
        self.tie_time = np.repeat(np.arange(self.n_tied), self.tie_d)
        self.dmax = int(self.tie_d.max()) if self.n_tied else 1
        self.event_rows = np.flatnonzero(ev)

    def evaluate(self, beta: np.ndarray):
        """Log partial likelihood, score and information at ``beta``."""
        x = self.x
        p = self.p
        eta = x @ beta
        if self.offset is not None:
            eta = eta + self.offset
        shift = float(eta.max())
        r = np.exp(eta - shift)
        loglik = float(eta[self.event_rows].sum())
        score = x[self.event_rows].sum(axis=0)
        info = np.zeros((p, p))
        if self.n_single:
            rows, t = self.s_rows, self.s_time
            rr = r[rows]
            xr = x[rows]
            S0 = np.bincount(t, weights=rr, minlength=self.n_single)
            S1 = np.vstack([np.bincount(t, weights=rr * xr[:, j]) for j in range(p)]).T
            xbar = S1 / S0[:, None]
            loglik -= float(np.sum(np.log(S0) + shift))
            score -= xbar.sum(axis=0)
            dev = xr - xbar[t]
            info += (dev * (rr / S0[t])[:, None]).T @ dev
        if self.n_tied:
            loglik_t, score_t, info_t = self._tied(r, shift)
            loglik += loglik_t
            score -= score_t
            info += info_t
        return loglik, score, info

    def _tied(self, r, shift):
        p = self.p
        nt = self.n_tied
        dm = self.dmax
        d = self.tie_d
        table = self.table
        # scale each time's risk scores so that their mean is d / (size): e_k stays moderate
        valid = table >= 0
        rt = np.where(valid, r[np.maximum(table, 0)], 0.0)
        scale = rt.sum(axis=1) / d
        E = np.zeros((nt, dm + 1))
        E[:, 0] = 1.0
        G = np.zeros((nt, dm + 1, p))
        H = np.zeros((nt, dm + 1, p, p))
        for m in range(table.shape[1]):
            rm = (rt[:, m] / scale)[:, None]
            xm = np.where(valid[:, m, None], self.x[np.maximum(table[:, m], 0)], 0.0)
            e_prev = E[:, :-1]
            g_prev = G[:, :-1]
            h_prev = H[:, :-1]
            outer = xm[:, :, None] * xm[:, None, :]
            h_new = h_prev + (
                outer[:, None] * e_prev[:, :, None, None]
                + xm[:, None, :, None] * g_prev[:, :, None, :]
                + g_prev[:, :, :, None] * xm[:, None, None, :]
            )
            g_new = g_prev + xm[:, None, :] * e_prev[:, :, None]
            H[:, 1:] += rm[:, :, None, None] * h_new
            G[:, 1:] += rm[:, :, None] * g_new
            E[:, 1:] += rm * e_prev
        idx = np.arange(nt)
        e = E[idx, d]
        g = G[idx, d] / e[:, None]
        h = H[idx, d] / e[:, None, None]
        loglik = -float(np.sum(np.log(e) + d * (np.log(scale) + shift)))
        info = (h - g[:, :, None] * g[:, None, :]).sum(axis=0)
        return loglik, g.sum(axis=0), info


def exact_fit(kept, x, terms, strata_codes, n_strata, alpha, rs) -> dict:
    """Fit by Newton-Raphson on the exact partial likelihood; the fields of a
    :class:`~evalkit.survival.cox.CoxResult` (``x``: the centred ``(p, n)`` design)."""
    from .cox import _chisq, _linear_predictor, _quad

    ex = _Exact(kept.time, kept.status, kept.entry, strata_codes, x.T.copy(), kept.offset)
    p = len(terms)
    beta = np.zeros(p)
    ll0, u0, i0 = ex.evaluate(beta)
    loglik, score, info = ll0, u0, i0
    iterations = 0
    while True:
        try:
            step = linalg.solve(info, score, assume_a="pos")
        except linalg.LinAlgError:
            raise DesignError(
                "the information of the exact partial likelihood is singular; a covariate "
                "does not vary within the risk sets."
            ) from None
        if np.max(np.abs(step) / (1.0 + np.abs(beta))) <= _STEP_TOL:
            beta = beta + step
            loglik, score, info = ex.evaluate(beta)
            iterations += 1
            break
        iterations += 1
        if iterations > 50:
            raise DesignError(
                'the Cox model (ties="exact") did not converge in 50 Newton-Raphson '
                "iterations; check the covariates for separation."
            )
        halvings = 0
        while True:
            new = ex.evaluate(beta + step)
            if new[0] >= loglik - 1e-12 * (1.0 + abs(loglik)):
                break
            halvings += 1
            if halvings > 30:
                raise DesignError("the exact partial likelihood could not be increased.")
            step = step / 2.0
        beta = beta + step
        loglik, score, info = new
    var = linalg.inv(info)
    var = (var + var.T) / 2.0
    se = np.sqrt(np.diag(var))
    z = beta / se
    crit = stats.norm.isf(alpha / 2)
    return {
        "coefficients": beta,
        "naive_std_error": se,
        "robust_std_error": None,
        "hazard_ratio": np.exp(beta),
        "hr_conf_int": np.exp(np.column_stack([beta - crit * se, beta + crit * se])),
        "statistics": z,
        "p_values": 2.0 * stats.norm.sf(np.abs(z)),
        "loglik": loglik,
        "loglik_null": ll0,
        "lr_test": _chisq(2.0 * (loglik - ll0), p),
        "wald_test": _chisq(_quad(beta, var), p),
        "score_test": _chisq(_quad(u0, i0), p),
        "robust_score_test": None,
        "n": kept.n,
        "n_events": int(kept.status.sum()),
        "iterations": iterations,
        "ties": "exact",
        "terms": terms,
        "variance": var,
        "naive_variance": var,
        "_concordance_input": (_linear_predictor(beta, rs.x), rs, None),
    }
