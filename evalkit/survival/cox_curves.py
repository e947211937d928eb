r"""Cox model curves: the baseline cumulative hazard, predicted survival for covariate
profiles, and covariate-adjusted (standardised) survival curves by arm.

Baseline hazard and predicted curves (as R's ``survfit.coxph``)
---------------------------------------------------------------
At the distinct event times ``t`` of a stratum, with ``r_i = w_i exp(x_i'b + o_i)``,
risk-set sums ``S0 = sum_R r_i``, ``S1 = sum_R r_i x_i`` (risk set
``{start < t <= stop}``), ``w_t`` the weighted and ``d`` the number of events at ``t`` and
``S0e, S1e`` the sums over those events, the hazard increments are (Therneau & Grambsch
2000, sec. 10.2; R's ``agsurv``):

- Breslow fit (``ctype = 1``): ``dL(t) = w_t / S0``, ``v(t) = w_t / S0^2``,
  ``dX(t) = dL(t) S1 / S0``;
- Efron fit (``ctype = 2``, the Efron/Fleming-Harrington hazard): with
  ``D_k = S0 - (k/d) S0e``, ``k = 0..d-1``: ``dL = (w_t/d) sum_k 1/D_k``,
  ``v = (w_t/d) sum_k 1/D_k^2``, ``dX = (w_t/d) sum_k (S1 - (k/d) S1e)/D_k^2``.

An exact-ties fit uses the Breslow increments, as R. The cumulative hazard of a profile
``z`` (in its stratum) is ``H(t|z) = exp(z'b + o) L(t)``, ``L = sum dL``, survival
``exp(-H)``, and its variance (Tsiatis 1981; R's ``coxsurv.fit``)::

    var H(t|z) = exp(2(z'b + o)) [ sum_{s<=t} v(s) + q(t)' V q(t) ],
    q(t) = L(t) z - sum_{s<=t} dX(s)

with ``V`` the variance of the coefficients the fit reports (robust when robust, as R's
``object$var``). The interval is R's default ``"log"`` one:
``S exp(-/+ z_{1-alpha/2} se(H))``, the upper limit capped at 1.

Adjusted curves (direct standardisation, g-computation)
-------------------------------------------------------
With the arm set to ``a`` for every row of the sample (``z_i(a)``), the adjusted curve is
the average predicted curve, ``S_a(t) = (1/n) sum_i exp(-H(t | z_i(a)))`` (Makuch 1982;
Chang et al. 1982; the average of ``survfit(fit, newdata = ...)`` over the sample, as
``adjustedCurves``' ``"direct"`` method). Its variance is the delta method on the same
pieces as above, plus the sampling variability of the covariates (the g-formula
influence function, as ``riskRegression::ate``)::

    var S_a(t) = sum_s c_s(t)^2 sum_{u<=t} v_s(u) + g(t)' V g(t)
                 + (1/n^2) sum_i (S_i(t) - S_a(t))^2,
    c_s(t) = (1/n) sum_{i in s} S_i(t) r_i,  g(t) = (1/n) sum_i S_i(t) r_i q_i(t).

The difference of two arms and the restricted mean survival time (RMST, the area under
the adjusted curve up to ``tau``) and its difference use the same linearisation: the
terms of the two arms are subtracted before squaring, and for the RMST each term is
integrated over time first (``sum_u v_s(u) (int_u^tau c_s)^2`` for the baseline part).
Intervals are normal: on the log scale for a curve (``S exp(-/+ z se/S)``), plain for
differences and RMST.

Every term is a sum over persons: ``sum_i S_i``, ``sum_i S_i r_i`` and
``sum_i S_i r_i z_i`` per stratum and time, and the squared deviations
``sum_i (S_i - S_a)^2`` (of each arm, of the arms' difference and of the per-person
RMST), accumulated over blocks of persons with Chan, Golub & LeVeque's (1983) pairwise
update of mean and sum of squares. So memory is ``O(block x times + strata x times x p)``
(no persons x times array) and time is linear in the persons.

References
----------
Chan, T. F., Golub, G. H. & LeVeque, R. J. (1983). Algorithms for computing the sample
variance: analysis and recommendations. Am Stat 37, 242-247.
Chang, I.-M., Gelber, R. & Kaufman, D. (1982). Adjusted survival curves... (the direct
method). Makuch, R. W. (1982). Adjusted survival curve estimation using covariates.
J Chronic Dis 35, 437-443.
Therneau, T. M. & Grambsch, P. M. (2000). Modeling Survival Data. Springer, ch. 10.
Tsiatis, A. A. (1981). A large sample study of Cox's regression model. Ann Stat 9, 93-108.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._validation import check_alpha
from ..errors import ArgumentError
from ..output.declare import declare_table
from ..results import TableDisplay
from ..results import fmt_value as _fmt

__all__ = ["AdjustedSurvival", "adjusted_survival", "baseline_hazard", "predict_survival"]


@dataclass(frozen=True)
class _Baseline:
    """Per stratum: event times, hazard increments ``dL`` (at ``exp(x'b + o) = 1``),
    their variance increments ``v``, the increments ``dX`` (T, p), rows at risk and events;
    and their cumulative sums with a leading zero (``cum``, ``cumv`` (T + 1,), ``cumx``
    (T + 1, p)), so that a step function at any times is one gather."""

    time: list
    hazard: list
    varhaz: list
    dxbar: list
    n_risk: list
    n_event: list
    cum: list
    cumv: list
    cumx: list


def _baseline(fit) -> _Baseline:
    """The baseline of ``fit``, computed from its rows on first use and kept with them
    (everything here depends on the fit only, not on profiles or times)."""
    fd = _data(fit)
    key = ("baseline", fit.ties, np.asarray(fit.coefficients, dtype=float).tobytes())
    if key not in fd.cache:
        fd.cache.clear()
        fd.cache[key] = _compute_baseline(fd, fit.coefficients, fit.ties)
    return fd.cache[key]


def _compute_baseline(fd, beta, ties) -> _Baseline:
    ctype = 2 if ties == "efron" else 1
    eta = fd.x @ beta
    if fd.offset is not None:
        eta = eta + fd.offset
    shift = float(eta.max())
    w = fd.weights if fd.weights is not None else np.ones(fd.n)
    r = w * np.exp(eta - shift)
    strata = fd.strata if fd.strata is not None else np.zeros(fd.n, dtype=np.int64)
    n_strata = int(strata.max()) + 1
    out = _Baseline(*([] for _ in range(9)))
    for s in range(n_strata):
        rows = np.flatnonzero(strata == s) if n_strata > 1 else slice(None)
        stop = fd.time[rows]
        ev = fd.status[rows]
        times = np.unique(stop[ev])
        k = len(times)
        hi = _right_index(times, stop)  # at risk at times[:hi]
        lo = None if fd.entry is None else _right_index(times, fd.entry[rows])

        def risk_sum(columns, lo=lo, hi=hi, k=k):
            """Sums of each of ``columns`` (per row) over the rows at risk at each event
            time: all rows entered by time ``lo``, less those gone after ``hi``."""
            acc = np.empty((k + 1, len(columns)))
            for j, col in enumerate(columns):
                acc[:, j] = -np.bincount(hi, weights=col, minlength=k + 1)
                if lo is None:
                    acc[0, j] += col.sum()
                else:
                    acc[:, j] += np.bincount(lo, weights=col, minlength=k + 1)
            return np.cumsum(acc, axis=0)[:k]

        rr = r[rows]
        xr = fd.x[rows]
        sums = risk_sum([rr, w[rows], *(rr * xr[:, j] for j in range(xr.shape[1]))])
        S0, n_risk, S1 = sums[:, 0], sums[:, 1], sums[:, 2:]
        pos = hi[ev] - 1  # an event's stop time is an event time
        d = np.bincount(pos, minlength=k).astype(float)
        wt = np.bincount(pos, weights=w[rows][ev], minlength=k)
        if ctype == 1:
            haz = wt / S0
            varhaz = wt / S0**2
            dx = S1 * (haz / S0)[:, None]
        else:
            S0e = np.bincount(pos, weights=rr[ev], minlength=k)
            S1e = np.vstack(
                [
                    np.bincount(pos, weights=rr[ev] * xr[ev, j], minlength=k)
                    for j in range(xr.shape[1])
                ]
            ).T.reshape(k, -1)
            di = d.astype(np.int64)
            rep = np.repeat(np.arange(k), di)
            frac = (np.arange(len(rep)) - np.repeat(np.cumsum(di) - di, di)) / d[rep]
            D = S0[rep] - frac * S0e[rep]
            starts = np.cumsum(di) - di
            inv = 1.0 / D
            haz = wt / d * np.add.reduceat(inv, starts)
            varhaz = wt / d * np.add.reduceat(inv * inv, starts)
            num = (S1[rep] - frac[:, None] * S1e[rep]) * (inv * inv)[:, None]
            dx = (wt / d)[:, None] * np.add.reduceat(num, starts, axis=0)
        # back to exp(x'b + o) = 1: r was exp(eta - shift)
        scale = np.exp(-shift)
        haz, varhaz, dx = haz * scale, varhaz * scale**2, dx * scale
        out.time.append(times)
        out.hazard.append(haz)
        out.varhaz.append(varhaz)
        out.dxbar.append(dx)
        out.n_risk.append(n_risk)
        out.n_event.append(wt)
        out.cum.append(np.r_[0.0, np.cumsum(haz)])
        out.cumv.append(np.r_[0.0, np.cumsum(varhaz)])
        out.cumx.append(np.vstack([np.zeros((1, dx.shape[1])), np.cumsum(dx, axis=0)]))
    return out


def _right_index(times: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``searchsorted(times, values, side="right")``: by a lookup table when the values are
    whole numbers in a moderate range (weeks, days), else by binary search."""
    if len(values) > 4 * len(times) and values.dtype.kind in "fiu":
        low, high = values.min(), values.max()
        if high - low <= 2 * len(values) and low == np.floor(low):
            shifted = values - low
            codes = shifted.astype(np.int64)
            if np.array_equal(codes, shifted):
                table = np.searchsorted(times, np.arange(codes.max() + 1) + low, side="right")
                return table[codes]
    return np.searchsorted(times, values, side="right")


def _data(fit):
    fd = getattr(fit, "_data", None)
    if fd is None:
        raise ArgumentError(
            "this Cox fit keeps no rows (it was fitted from chunks, cox_chunked); predictions, "
            "adjusted curves and residuals need a fit by cox()."
        )
    return fd


def _times(times, event_times: list) -> np.ndarray:
    if times is None:
        return np.unique(np.concatenate(event_times))
    points = np.atleast_1d(np.asarray(times, dtype=float))
    if points.ndim != 1 or points.size == 0 or not np.isfinite(points).all() or (points < 0).any():
        raise ArgumentError("times must be one or more finite, non-negative numbers.")
    return points


def _at(base: _Baseline, s: int, points: np.ndarray):
    """Cumulative sums of the stratum's increments at ``points`` (step functions)."""
    idx = np.searchsorted(base.time[s], points, side="right")
    # rows at risk at the first event time at or after each point (R's summary.survfit)
    n_risk = np.r_[base.n_risk[s], 0.0][np.searchsorted(base.time[s], points, side="left")]
    return base.cum[s][idx], base.cumv[s][idx], base.cumx[s][idx], idx, n_risk


def baseline_hazard(fit, times=None) -> pd.DataFrame:
    """The baseline cumulative hazard of a Cox fit (all covariates and offset 0), as R's
    ``basehaz(fit, centered = FALSE)``, with the Breslow or Efron increments of the fit.

    Parameters
    ----------
    fit : a :class:`~evalkit.survival.cox.CoxResult` from :func:`~evalkit.survival.cox.cox`.
    times : times to evaluate the step function at; default the event times.

    Returns
    -------
    DataFrame with ``stratum`` (with strata), ``time``, ``cumulative_hazard``; declared to
    the output gate as a curve.

    Examples
    --------
    >>> import pandas as pd
    >>> from evalkit.survival import cox
    >>> d = pd.DataFrame({"weeks": [2, 4, 4, 6, 9, 9, 12, 15, 20, 26],
    ...                   "exit": [1, 1, 1, 0, 1, 1, 0, 1, 1, 0],
    ...                   "treated": [1, 1, 0, 1, 0, 1, 0, 0, 0, 1]})
    >>> fit = cox(d, "weeks", "exit", treatment="treated")
    >>> baseline_hazard(fit)["time"].tolist()
    [2.0, 4.0, 9.0, 15.0, 20.0]
    """
    base = _baseline(fit)
    fd = _data(fit)
    pieces = []
    for s in range(len(base.time)):
        points = _times(times, [base.time[s]])
        cum = _at(base, s, points)[0]
        piece = pd.DataFrame({"time": points, "cumulative_hazard": cum})
        if fd.strata is not None:
            piece.insert(0, "stratum", fd.strata_levels[s])
        pieces.append(piece)
    return declare_table(pd.concat(pieces, ignore_index=True), kind="curve")


def predict_survival(fit, profiles: pd.DataFrame, times=None, alpha: float | None = None):
    """Predicted survival curves of a Cox fit for covariate profiles, with intervals, as R's
    ``survfit(fit, newdata = profiles)`` (``conf.type = "log"``).

    Parameters
    ----------
    fit : a :class:`~evalkit.survival.cox.CoxResult` from :func:`~evalkit.survival.cox.cox`.
    profiles : a frame with one row per profile and a column for every covariate (text
        covariates by their levels), the strata column when the fit is stratified, and the
        offset column when it has one (else offset 0). Not modified.
    times : times to evaluate the curves at; default every event time of the fit.
    alpha : 1 - level of the intervals (default: the fit's).

    Returns
    -------
    DataFrame, one row per profile and time: ``profile`` (the row label of ``profiles``),
    ``time``, ``n_risk`` (rows at risk in the profile's stratum), ``cumulative_hazard``,
    ``std_error`` (of the cumulative hazard, R's ``std.err``), ``survival``,
    ``conf_low``, ``conf_high``; declared as a curve. Formulas: module docstring.

    The baseline increments and their cumulative sums are computed from the fit's rows on
    the first call (of this, ``baseline_hazard`` or ``adjusted_survival``) and kept with
    the fit; profiles are then evaluated together, so later calls cost
    ``O(profiles x times x p^2)`` whatever the number of rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from evalkit.survival import cox
    >>> d = pd.DataFrame({"weeks": [2, 4, 4, 6, 9, 9, 12, 15, 20, 26],
    ...                   "exit": [1, 1, 1, 0, 1, 1, 0, 1, 1, 0],
    ...                   "treated": [1, 1, 0, 1, 0, 1, 0, 0, 0, 1]})
    >>> fit = cox(d, "weeks", "exit", treatment="treated")
    >>> curve = fit.predict_survival(pd.DataFrame({"treated": [0, 1]}), times=[10])
    >>> curve["profile"].tolist(), curve["time"].tolist()
    ([0, 1], [10.0, 10.0])
    """
    alpha = fit.alpha if alpha is None else check_alpha(alpha)
    fd = _data(fit)
    z = fd.design(profiles)
    if len(profiles) == 0:
        raise ArgumentError("profiles has no rows; give one row per covariate profile.")
    base = _baseline(fit)
    codes = fd.strata_of(profiles, fit.strata, "profiles")
    offset = np.zeros(len(profiles))
    if getattr(fit, "offset", None):
        if fit.offset not in profiles.columns:
            raise ArgumentError(
                f"profiles has no column {fit.offset!r}: the fit has this offset, and each "
                "profile needs its value."
            )
        offset = np.asarray(profiles[fit.offset], dtype=float)
    points = _times(times, base.time)
    m, k = len(profiles), len(points)
    risk = np.exp(z @ fit.coefficients + offset)
    V = fit.variance
    H = np.empty((m, k))
    var = np.empty((m, k))
    n_risk = np.empty((m, k))
    block = max(1, _BLOCK_CELLS // (k * max(z.shape[1], 1)))
    for s in np.unique(codes):
        members = np.flatnonzero(codes == s)
        cum, cumv, cumx, _, n_risk[members] = _at(base, int(s), points)
        for lo in range(0, len(members), block):
            rows = members[lo : lo + block]
            q = cum[None, :, None] * z[rows][:, None, :] - cumx[None]  # (profiles, times, p)
            quad = ((q @ V) * q).sum(axis=-1)
            var[rows] = (cumv + quad) * (risk[rows] ** 2)[:, None]
            H[rows] = risk[rows][:, None] * cum
    se = np.sqrt(var)
    surv = np.exp(-H)
    crit = stats.norm.isf(alpha / 2)
    out = pd.DataFrame(
        {
            "profile": np.repeat(profiles.index.to_numpy(), k),
            "time": np.tile(points, m),
            "n_risk": n_risk.ravel(),
            "cumulative_hazard": H.ravel(),
            "std_error": se.ravel(),
            "survival": surv.ravel(),
            "conf_low": (surv * np.exp(-crit * se)).ravel(),
            "conf_high": np.minimum(surv * np.exp(crit * se), 1.0).ravel(),
        }
    )
    values = ["cumulative_hazard", "std_error", "survival", "conf_low", "conf_high"]
    return declare_table(out, counts=["n_risk"], dependent=values, kind="curve")


# --------------------------------------------------------------------------- adjusted
@dataclass(frozen=True, eq=False)
class AdjustedSurvival(TableDisplay):
    """Covariate-adjusted (standardised) survival curves by arm from a Cox model, their
    difference and the adjusted RMST difference (:func:`adjusted_survival`).

    Curves over time: a table result (declared ``kind="curve"`` with the rows at risk).

    Attributes
    ----------
    table : one row per arm and time: ``arm``, ``time``, ``n_risk`` (rows of the fit at
        risk), ``survival``, ``std_error``, ``conf_low``, ``conf_high``.
    difference : per time: ``time``, ``difference`` (second arm minus first),
        ``std_error``, ``conf_low``, ``conf_high``, ``n_risk``.
    rmst : per arm and the difference: ``arm`` (``"difference"`` last), ``rmst``,
        ``std_error``, ``conf_low``, ``conf_high``, ``tau``, ``n`` (rows).
    arms : the two values the treatment column was set to; ``treatment`` its name.
    n, n_events : rows and events of the fit.
    """

    table: pd.DataFrame
    difference: pd.DataFrame
    rmst: pd.DataFrame
    arms: tuple
    treatment: str
    tau: float
    n: int
    n_events: int
    alpha: float

    def to_frame(self) -> pd.DataFrame:
        """The curves (a copy), declared to the output gate as a curve."""
        values = ["survival", "std_error", "conf_low", "conf_high"]
        return declare_table(self.table.copy(), counts=["n_risk"], dependent=values, kind="curve")

    def _view_counts(self) -> dict:
        return {"persons": self.n, "events": self.n_events}

    def _display_frame(self) -> pd.DataFrame:
        frame = self.rmst.copy()
        return declare_table(
            frame, counts=["n"], dependent=["rmst", "std_error", "conf_low", "conf_high"]
        )

    def summary(self) -> str:
        """The adjusted RMST per arm and their difference."""
        lines = [
            "Covariate-adjusted survival (Cox model, direct standardisation over the sample)",
            f"Arm: {self.treatment} set to {self.arms[0]!r} and {self.arms[1]!r}; "
            f"n = {self.n}, events = {self.n_events}",
        ]
        level = f"{100 * (1 - self.alpha):g}%"
        for row in self.rmst.itertuples():
            lines.append(
                f"  RMST to {_fmt(self.tau)}, {row.arm}: {_fmt(row.rmst)} "
                f"(SE {_fmt(row.std_error)}; {level} CI {_fmt(row.conf_low)} "
                f"to {_fmt(row.conf_high)})"
            )
        return "\n".join(lines)


def adjusted_survival(
    fit,
    treatment: str | None = None,
    arms=(0, 1),
    times=None,
    tau: float | None = None,
    alpha: float | None = None,
) -> AdjustedSurvival:
    """Covariate-adjusted survival curves by arm (direct standardisation / g-computation
    over the fit's own rows), their difference and the adjusted RMST difference.

    Parameters
    ----------
    fit : a :class:`~evalkit.survival.cox.CoxResult` from :func:`~evalkit.survival.cox.cox`.
    treatment : the covariate set to each arm (default the fit's first covariate, the arm
        of ``cox(..., treatment=)``); numeric or text.
    arms : the two values to set it to (default ``(0, 1)``); the difference is the second
        minus the first.
    times : times of the curves (default every event time).
    tau : horizon of the RMST (default the last event time).
    alpha : 1 - level of the intervals (default the fit's).

    Returns
    -------
    AdjustedSurvival. The curves are the average of ``survfit(fit, newdata)`` over the rows
    with the arm set; variances as in the module docstring (delta method, with the
    sampling variability of the covariates).

    Examples
    --------
    >>> import pandas as pd
    >>> from evalkit.survival import cox
    >>> d = pd.DataFrame({"weeks": [2, 4, 4, 6, 9, 9, 12, 15, 20, 26, 5, 7],
    ...                   "exit": [1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1],
    ...                   "treated": [1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0],
    ...                   "age": [30, 41, 25, 50, 33, 47, 38, 29, 55, 36, 44, 27]})
    >>> adj = adjusted_survival(cox(d, "weeks", "exit", ["age"], treatment="treated"))
    >>> adj.rmst["arm"].tolist()
    [0, 1, 'difference']
    """
    alpha = fit.alpha if alpha is None else check_alpha(alpha)
    fd = _data(fit)
    names = [name for name, _ in fd.coding]
    treatment = names[0] if treatment is None else treatment
    if treatment not in names:
        raise ArgumentError(f"treatment {treatment!r} is not a covariate of the fit.")
    if not isinstance(arms, tuple | list) or len(arms) != 2:
        raise ArgumentError("arms must be two values of the treatment column.")
    base = _baseline(fit)
    points = _times(times, base.time)
    last = float(max(t.max() for t in base.time))
    tau = last if tau is None else float(tau)
    if not np.isfinite(tau) or tau <= 0:
        raise ArgumentError("tau must be a positive number.")
    # one step grid for the curves and the RMST integral
    grid = np.unique(np.concatenate([[0.0], *[t[t <= tau] for t in base.time], [tau]]))
    frame = _profile_frame(fd)
    designs = []
    for arm in arms:
        frame[treatment] = arm
        designs.append(fd.design(frame, role="the rows with the arm set"))
    sums = _standardise(fd, fit.coefficients, base, designs, points, grid)
    n = fd.n
    V = fit.variance
    crit = stats.norm.isf(alpha / 2)
    n_risk_at = _n_risk(base, points)
    at = sums.at_points
    pieces = []
    for a, arm in enumerate(arms):
        surv = sums.mean[a][at]
        c, g = sums.c[a][:, at], sums.g[a][at]
        var = (c**2 * sums.cumv[:, at]).sum(axis=0) + np.einsum("tj,jk,tk->t", g, V, g)
        var += sums.m2[a][at] / n**2
        se = np.sqrt(var)
        pieces.append(
            pd.DataFrame(
                {
                    "arm": arm,
                    "time": points,
                    "n_risk": n_risk_at,
                    "survival": surv,
                    "std_error": se,
                    "conf_low": surv * np.exp(-crit * se / surv),
                    "conf_high": np.minimum(surv * np.exp(crit * se / surv), 1.0),
                }
            )
        )
    dif = sums.mean[1][at] - sums.mean[0][at]
    dc = (sums.c[1] - sums.c[0])[:, at]
    dg = (sums.g[1] - sums.g[0])[at]
    var = (dc**2 * sums.cumv[:, at]).sum(axis=0)
    var += np.einsum("tj,jk,tk->t", dg, V, dg)
    var += sums.m2[2][at] / n**2
    se = np.sqrt(var)
    difference = pd.DataFrame(
        {
            "time": points,
            "difference": dif,
            "std_error": se,
            "conf_low": dif - crit * se,
            "conf_high": dif + crit * se,
            "n_risk": n_risk_at,
        }
    )
    rmst = _rmst_rows(sums, grid, base, V, n, crit, arms, tau)
    return AdjustedSurvival(
        table=pd.concat(pieces, ignore_index=True),
        difference=difference,
        rmst=rmst,
        arms=tuple(arms),
        treatment=treatment,
        tau=tau,
        n=fit.n,
        n_events=fit.n_events,
        alpha=alpha,
    )


_BLOCK_CELLS = 1 << 18  # person x time cells of survival held at a time (2 MB per array)


class _Moments:
    """Running count, mean and sum of squared deviations over blocks of persons (Chan,
    Golub & LeVeque 1983's pairwise update), for columns (times) or scalars."""

    def __init__(self, shape):
        self.n = 0
        self.mean = np.zeros(shape)
        self.m2 = np.zeros(shape)

    def add(self, values: np.ndarray) -> None:
        """Add a block ``values`` (persons along the first axis; overwritten)."""
        nb = len(values)
        mean_b = values.mean(axis=0)
        values -= mean_b
        m2_b = np.einsum("i...,i...->...", values, values)
        total = self.n + nb
        delta = mean_b - self.mean
        self.mean = self.mean + delta * (nb / total)
        self.m2 = self.m2 + m2_b + delta * delta * (self.n * nb / total)
        self.n = total


@dataclass(frozen=True)
class _Standardised:
    """Sums over the persons for the adjusted curves, per arm (0, 1; moments also for the
    difference, 2), at the union of the curve times and the RMST grid (``at_points`` and
    ``at_grid`` index it): the mean curve ``mean`` and ``m2`` (sum of squared deviations
    of ``S_i``), the baseline coefficients ``c`` (strata, times) and beta gradient ``g``
    (times, p) of the module docstring, ``cumv`` the cumulated variance increments
    (strata, times), and the per-person RMST's mean and ``m2`` (``rmst``, ``rmst_m2``)."""

    mean: list
    m2: list
    c: list
    g: list
    cumv: np.ndarray
    rmst: list
    rmst_m2: list
    at_points: np.ndarray
    at_grid: np.ndarray


def _standardise(fd, beta, base, designs, points, grid):
    """Sum, over blocks of persons of one stratum at a time, ``S_i(t)``, ``S_i(t) r_i``,
    ``S_i(t) r_i z_i`` and the running moments of ``S_i(t)``, of their difference between
    the arms and of the per-person RMST: memory ``O(block x times + strata x times x p)``,
    time linear in the persons (``S_i(t) = exp(-r_i L_s(t))``, ``r_i = exp(z_i'b + o_i)``).
    """
    union = np.unique(np.concatenate([points, grid]))
    at_points = np.searchsorted(union, points)
    at_grid = np.searchsorted(union, grid)
    # the curve is constant on [grid_j, grid_j+1) (grid ends at tau): a person's RMST is
    # S_i @ width_at, the widths at the union's grid columns
    width_at = np.zeros(len(union))
    width_at[at_grid[:-1]] = np.diff(grid)
    n_strata = len(base.time)
    k, p = len(union), designs[0].shape[1]
    offset = fd.offset if fd.offset is not None else 0.0
    risks = [np.exp(z @ beta + offset) for z in designs]
    strata = fd.strata if fd.strata is not None else np.zeros(fd.n, dtype=np.int64)
    order = np.argsort(strata, kind="stable")
    bounds = np.searchsorted(strata[order], np.arange(n_strata + 1))
    curve = [_Moments(k) for _ in range(3)]
    area = [_Moments(()) for _ in range(3)]
    A = np.zeros((2, n_strata, k))
    B = np.zeros((2, n_strata, k, p))
    cumv = np.zeros((n_strata, k))
    cums = []
    block = max(1, _BLOCK_CELLS // k)
    for s in range(n_strata):
        cum, cumv[s], cumx, _, _ = _at(base, s, union)
        cums.append((cum, cumx))
        minus_cum = -cum
        members = order[bounds[s] : bounds[s + 1]]
        for lo in range(0, len(members), block):
            rows = members[lo : lo + block]
            surv = []
            for a in range(2):
                r = risks[a][rows]
                S = np.multiply.outer(r, minus_cum)  # (block, times)
                np.exp(S, out=S)
                A[a, s] += r @ S
                B[a, s] += S.T @ (designs[a][rows] * r[:, None])
                surv.append((S, S @ width_at))
            (S0, area0), (S1, area1) = surv
            for moments, values in zip(area, (area0, area1, area1 - area0), strict=True):
                moments.add(values)
            diff = S1 - S0
            for moments, values in zip(curve, (S0, S1, diff), strict=True):
                moments.add(values)  # overwrites values
    n = fd.n
    c = [A[a] / n for a in range(2)]
    g = [
        sum(B[a, s] * cums[s][0][:, None] - A[a, s][:, None] * cums[s][1] for s in range(n_strata))
        / n
        for a in range(2)
    ]
    return _Standardised(
        mean=[m.mean for m in curve],
        m2=[m.m2 for m in curve],
        c=c,
        g=g,
        cumv=cumv,
        rmst=[float(m.mean) for m in area],
        rmst_m2=[float(m.m2) for m in area],
        at_points=at_points,
        at_grid=at_grid,
    )


def _n_risk(base: _Baseline, points: np.ndarray) -> np.ndarray:
    total = np.zeros(len(points))
    for s in range(len(base.time)):
        total += _at(base, s, points)[4]
    return total


def _profile_frame(fd) -> pd.DataFrame:
    """The fit's rows as covariate values (text covariates by level) for re-coding."""
    cols = {}
    col = 0
    for name, levels in fd.coding:
        if levels is None:
            cols[name] = fd.x[:, col]
            col += 1
        else:
            block = fd.x[:, col : col + len(levels)]
            labels = np.asarray([fd.references[name], *levels], dtype=object)
            which = np.where(block.any(axis=1), block.argmax(axis=1) + 1, 0)
            cols[name] = labels[which]
            col += len(levels)
    return pd.DataFrame(cols)


def _rmst_rows(sums: _Standardised, grid, base, V, n, crit, arms, tau) -> pd.DataFrame:
    """RMST to ``tau`` per arm and the difference: the step curves on ``grid`` (value
    on ``[grid_j, grid_j+1)``) integrated, and the linearisation integrated likewise."""
    widths = np.diff(grid)  # grid ends at tau

    def tail(values):  # int_{grid_j}^{tau} for each j: (..., len(grid))
        piece = values[..., :-1] * widths
        out = np.cumsum(piece[..., ::-1], axis=-1)[..., ::-1]
        return np.concatenate([out, np.zeros(out.shape[:-1] + (1,))], axis=-1)

    at = sums.at_grid
    tcs = [tail(sums.c[a][:, at]) for a in range(2)]
    gis = [sums.g[a][at][:-1].T @ widths for a in range(2)]
    rows = []
    for a, arm in enumerate(arms):
        est = sums.rmst[a]
        rows.append((arm, est, _rmst_se(sums.rmst_m2[a], [tcs[a]], gis[a], base, grid, V, n)))
    est = sums.rmst[2]
    se = _rmst_se(sums.rmst_m2[2], [tcs[1], -tcs[0]], gis[1] - gis[0], base, grid, V, n)
    rows.append(("difference", est, se))
    out = pd.DataFrame(rows, columns=["arm", "rmst", "std_error"])
    out["conf_low"] = out["rmst"] - crit * out["std_error"]
    out["conf_high"] = out["rmst"] + crit * out["std_error"]
    out["tau"] = tau
    out["n"] = n
    return out


def _rmst_se(m2, tcs, gi, base, grid, V, n) -> float:
    var = m2 / n**2 + float(gi @ V @ gi)
    for s in range(len(base.time)):
        times = base.time[s]
        keep = times <= grid[-1]
        j = np.searchsorted(grid, times[keep])  # grid index of each event time
        coef = sum(tc[s][j] for tc in tcs)
        var += float((base.varhaz[s][keep] * coef**2).sum())
    return float(np.sqrt(var))
