"""Least squares with heteroskedasticity- and cluster-robust variances (as estimatr's lm_robust).

Variance estimators, with bread ``M = (X'X)^-1``, residuals ``e`` and leverages
``h_i = x_i' M x_i``:

- ``HC0``: ``M X' diag(e_i^2) X M`` (White 1980);
- ``HC1``: HC0 times ``n / (n - k)``;
- ``HC2``: ``e_i^2 / (1 - h_i)`` in place of ``e_i^2`` (MacKinnon & White 1985); for a
  difference in means this is the Neyman variance;
- ``HC3``: ``e_i^2 / (1 - h_i)^2``;
- ``CR0``: ``M (sum_g X_g' e_g e_g' X_g) M`` over clusters g (Liang & Zeger 1986);
- ``CR1`` (alias ``"stata"``): CR0 times ``J (n - 1) / ((J - 1)(n - k))``;
- ``CR2``: ``e_g`` replaced by ``A_g e_g`` with ``A_g = (I - H_gg)^(-1/2)``, the
  bias-reduced linearisation of Bell & McCaffrey (2002).

Degrees of freedom: ``n - k`` for HC types, ``J - 1`` for CR0/CR1, and for CR2 the
Bell–McCaffrey / Satterthwaite value per coefficient (Imbens & Kolesar 2016, eq. 11;
Pustejovsky & Tipton 2018) under the working model ``Omega = I``:
``df_j = tr(G'G)^2 / tr((G'G)^2)`` with ``G[:, g] = (I - H)[:, g] A_g X_g M e_j``.
Leverages of exactly one (a unit fit perfectly) contribute zero, as in estimatr.

Scale: least squares is scale-equivariant (``y`` times ``s`` multiplies the coefficients
and standard errors by ``s``; a column of ``X`` times ``c`` divides its coefficient and
standard error by ``c``), so :func:`fit_ols` computes on ``y / s`` and ``X_j / c_j`` with
``s`` and ``c_j`` powers of two near ``max |y|`` and ``max |X_j|`` and scales the results
back. Dividing by a power of two is exact, so the numbers are those of the unscaled fit
for data of ordinary size, and outcomes of 1e155 or 1e-110 (or a covariate of 1e300) do
not overflow or underflow in the squares.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg

from .._validation import check_choice
from ..errors import DesignError

HC_TYPES = ("HC0", "HC1", "HC2", "HC3")
CR_TYPES = ("CR0", "CR1", "stata", "CR2")


@dataclass(frozen=True)
class OLSFit:
    """Coefficients, robust covariance and per-coefficient degrees of freedom.

    ``vcov_units`` is the covariance of ``coef / units`` (the fit on the scaled data, see
    the module docstring); ``vcov`` in the data's units may overflow where the standard
    errors do not, so :attr:`std_error` is computed from ``vcov_units``.
    """

    coef: np.ndarray
    vcov_units: np.ndarray
    df: np.ndarray
    n: int
    rank: int
    n_clusters: int | None
    units: np.ndarray

    @property
    def vcov(self) -> np.ndarray:
        return self.vcov_units * np.outer(self.units, self.units)

    @property
    def std_error(self) -> np.ndarray:
        return np.sqrt(np.diag(self.vcov_units)) * self.units


def power_of_two_scale(values: np.ndarray, axis: int | None = None) -> np.ndarray | float:
    """A power of two ``s`` with ``max |values| / s`` in [1, 2) (1 where all are 0), per
    ``axis`` when given: dividing by it is exact and keeps squares in range."""
    top = np.max(np.abs(values), axis=axis) if np.size(values) else np.float64(0.0)
    scale = np.where(top > 0, np.ldexp(1.0, np.frexp(top)[1] - 1), 1.0)
    return scale if axis is not None else float(scale)


def check_se_type(se_type: str | None, clustered: bool) -> str:
    """Default HC2 (CR2 with clusters); reject HC types with clusters and CR types without."""
    if se_type is None:
        return "CR2" if clustered else "HC2"
    if clustered:
        check_choice(se_type, "se_type with clusters", CR_TYPES)
    else:
        check_choice(se_type, "se_type without clusters", HC_TYPES)
    return "CR1" if se_type == "stata" else se_type


def _triangular_factor(xs: np.ndarray, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Upper-triangular ``R`` with ``X'X = R'R`` and the column scales used, checking rank.

    Columns are scaled to unit norm (so that earnings in DKK and 0/1 dummies do not spoil
    the conditioning) and ``R`` comes from the Cholesky factor of the scaled ``X'X``, one
    pass over the data. ``|R_jj|`` is then the norm of column j's part orthogonal to the
    columns before it, relative to its own norm; below 1e-7 (R's ``lm`` tolerance) the
    column adds nothing new. When Cholesky fails or a column is dependent, a QR
    decomposition names the dependent columns exactly.
    """
    gram = xs.T @ xs
    norms = np.sqrt(np.diag(gram))
    scale = np.where(norms > 0, norms, 1.0)
    try:
        r = linalg.cholesky(gram / np.outer(scale, scale), lower=False)
        if np.abs(np.diag(r)).min() > 1e-7:
            return r, scale
    except linalg.LinAlgError:
        pass
    r = np.linalg.qr(xs / scale, mode="r")
    dependent = np.abs(np.diag(r)) <= 1e-7
    if not dependent.any():
        return r, scale
    dropped = ", ".join(repr(names[i]) for i in np.flatnonzero(dependent))
    raise DesignError(
        f"the design matrix is rank deficient: {dropped} is a linear combination of the "
        "terms before it (collinear, or constant within the data used). Drop it."
    )


def fit_ols(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    se_type: str,
    clusters: np.ndarray | None = None,
    df_terms: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    x_resid: np.ndarray | None = None,
) -> OLSFit:
    """(Weighted) least squares of ``y`` on ``x`` with the variance estimator ``se_type``.

    ``clusters`` are integer codes (needed for CR types). ``df_terms`` selects
    the coefficients whose CR2 degrees of freedom are computed (all by default);
    the others get NaN. ``weights`` (positive) give weighted least squares; the
    variances are those of the transformed model ``sqrt(w) y`` on ``sqrt(w) X``,
    and weighted CR2 follows estimatr (working model ``W^-1``).
    ``x_resid`` (same shape as ``x``) gives the residuals ``y - x_resid b`` in place of
    ``y - x b``: two-stage least squares passes the first-stage fitted values as ``x`` and
    the original regressors as ``x_resid`` (as estimatr's ``iv_robust``).
    """
    n, k = x.shape
    if n <= k:
        raise DesignError(
            f"{n} observations cannot identify {k} coefficients; use fewer covariates."
        )
    # compute on y / s and X_j / c_j (powers of two: exact) and scale back (module docstring)
    y_scale, x_scale = power_of_two_scale(y), power_of_two_scale(x, axis=0)
    units = y_scale / x_scale
    x, y = x / x_scale, y / y_scale
    x_resid = x if x_resid is None else x_resid / x_scale
    if weights is None:
        w, xs, ys = np.ones(n), x, y
    else:
        w = weights / weights.mean()
        root_w = np.sqrt(w)
        xs, ys = x * root_w[:, None], y * root_w
    r, scale = _triangular_factor(xs, names)
    r_inv = linalg.solve_triangular(r, np.eye(k)) / scale[:, None]  # R^-1 of unscaled X
    bread = r_inv @ r_inv.T
    coef = bread @ (xs.T @ ys)
    coef += bread @ (xs.T @ (ys - xs @ coef))  # one step of iterative refinement
    resid = y - x_resid @ coef

    if se_type in HC_TYPES:
        omega = w * resid**2
        if se_type in ("HC2", "HC3"):
            q = xs @ r_inv  # orthonormal columns: the leverages are its squared row norms
            one_minus_h = 1.0 - np.einsum("ij,ij->i", q, q)
            power = 1.0 if se_type == "HC2" else 2.0
            with np.errstate(divide="ignore", invalid="ignore"):
                omega = np.where(one_minus_h > 1e-12, omega / one_minus_h**power, 0.0)
        meat = (xs * omega[:, None]).T @ xs
        vcov = bread @ meat @ bread
        if se_type == "HC1":
            vcov *= n / (n - k)
        return OLSFit(coef * units, vcov, np.full(k, float(n - k)), n, k, None, units)

    if clusters is None:
        raise DesignError(f"se_type {se_type!r} needs clusters.")
    n_clusters = int(clusters.max()) + 1
    if n_clusters < 2:
        raise DesignError("cluster-robust standard errors need at least two clusters.")
    if se_type in ("CR0", "CR1"):
        scores = _sum_by_cluster(x * (w * resid)[:, None], clusters, n_clusters)
        vcov = bread @ (scores.T @ scores) @ bread
        if se_type == "CR1":
            vcov *= n_clusters * (n - 1) / ((n_clusters - 1) * (n - k))
        df = np.full(k, float(n_clusters - 1))
        return OLSFit(coef * units, vcov, df, n, k, n_clusters, units)

    scores, df = _cr2(x, w, resid, bread, clusters, n_clusters, df_terms)
    vcov = bread @ (scores.T @ scores) @ bread
    return OLSFit(coef * units, vcov, df, n, k, n_clusters, units)


def _sum_by_cluster(values: np.ndarray, clusters: np.ndarray, n_clusters: int) -> np.ndarray:
    return np.column_stack(
        [np.bincount(clusters, weights=column, minlength=n_clusters) for column in values.T]
    )


def _cr2(x, w, resid, bread, clusters, n_clusters, df_terms):
    """CR2 cluster scores and Bell–McCaffrey degrees of freedom (weighted as estimatr).

    With ``M = (X'WX)^-1``, ``H_gg = X_g M X_g' W_g`` and ``C = M X'W^2X M``, the
    adjustment is ``A_g = B_g^(-1/2)`` with ``B_g = I - H_gg - H_gg' + X_g C X_g'``
    (the cluster's block of ``(I - H)(I - H)'``; ``(I - H_gg)^(-1/2)`` when unweighted),
    and the scores are ``X_g' W_g A_g e_g``. Degrees of freedom for coefficient j use
    ``u_g = A_g W_g X_g M e_j``, ``w_g = X_g' u_g``, ``v_g = X_g' W_g u_g``:
    ``G'G = diag(u_g'u_g) - W M V' - V M W' + W C W'``, ``df = tr(G'G)^2 / tr((G'G)^2)``.
    ``B_g`` differs from the identity only on the span of ``[X_g, W_g X_g]`` (of ``X_g``
    when unweighted): with ``P`` an orthonormal basis of it and ``P'B_gP = V L V'``,
    ``A_g = I + P V (L^(-1/2) - I) V' P'`` (eigenvalues below 1e-12 give 0, as a
    pseudo-inverse), so the work per cluster is ``O(n_g k^2)``, not ``O(n_g^3)``.
    Clusters of equal size are processed together as stacked matrices.
    """
    n, k = x.shape
    xw = x * w[:, None]
    spread = bread @ (xw.T @ xw) @ bread  # C
    weighted = not np.all(w == w[0])
    order = np.argsort(clusters, kind="stable")
    sizes = np.bincount(clusters, minlength=n_clusters)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    scores = np.empty((n_clusters, k))
    uu = np.empty((n_clusters, k))
    wx_u = np.empty((n_clusters, k, k))
    wwx_u = np.empty((n_clusters, k, k))
    for size in np.unique(sizes):
        members = np.flatnonzero(sizes == size)
        rows = order[starts[members][:, None] + np.arange(size)]  # (G_s, size)
        xg, xwg, eg = x[rows], xw[rows], resid[rows][:, :, None]
        xg_t, xwg_t = xg.transpose(0, 2, 1), xwg.transpose(0, 2, 1)
        # B_g is the identity plus a term in the span of [X_g, W_g X_g]: an orthonormal
        # basis P of that span gives B_g^(-1/2) = I + P G P' with G from the small matrix
        # P' B_g P, so no size x size eigendecomposition is needed.
        p, _ = np.linalg.qr(np.concatenate((xg, xwg), axis=2) if weighted else xg)
        p_t = p.transpose(0, 2, 1)
        a = p_t @ xg  # P'X_g
        b = p_t @ xwg if weighted else a  # P'W_g X_g
        a_t, b_t = a.transpose(0, 2, 1), b.transpose(0, 2, 1)
        small = np.eye(p.shape[2]) - a @ bread @ b_t - b @ bread @ a_t + a @ spread @ a_t
        vals, vecs = np.linalg.eigh(small)
        with np.errstate(divide="ignore", invalid="ignore"):
            inv_sqrt = np.where(vals > 1e-12, 1.0 / np.sqrt(np.clip(vals, 1e-300, None)), 0.0)
        g = (vecs * (inv_sqrt - 1.0)[:, None, :]) @ vecs.transpose(0, 2, 1)
        scores[members] = (xwg_t @ eg + b_t @ (g @ (p_t @ eg)))[:, :, 0]
        u = xwg @ bread + p @ (g @ (b @ bread))  # A_g W_g X_g M
        uu[members] = np.sum(u * u, axis=1)
        wx_u[members] = xg_t @ u
        wwx_u[members] = xwg_t @ u
    terms = np.arange(k) if df_terms is None else np.asarray(df_terms)
    df = np.full(k, np.nan)
    for j in terms:
        df[j] = _bell_mccaffrey_df(uu[:, j], wx_u[:, :, j], wwx_u[:, :, j], bread, spread)
    return scores, df


def _bell_mccaffrey_df(d, w, v, bread, spread) -> float:
    """``tr(G'G)^2 / tr((G'G)^2)`` for ``G'G = diag(d) + L`` without forming the J x J matrix.

    ``L = -W M V' - V M W' + W C W'`` has rank at most 2k: ``L = P Q'`` with
    ``P = [W, V]`` and ``Q = [W C - V M, -W M]``, so ``tr((G'G)^2) = sum d^2 +
    2 sum_g d_g (P_g . Q_g) + tr((Q'P)^2)``: O(J k^2) work.
    """
    p = np.hstack([w, v])
    q = np.hstack([w @ spread - v @ bread, -(w @ bread)])
    diag_l = np.einsum("gi,gi->g", p, q)
    qp = q.T @ p
    trace = d.sum() + diag_l.sum()
    trace_sq = np.sum(d**2) + 2.0 * np.sum(d * diag_l) + np.sum(qp * qp.T)
    return float(trace**2 / trace_sq)
