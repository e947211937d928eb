"""Design-based difference in means (the estimator of estimatr's ``difference_in_means``)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._validation import arm_label, check_alpha, prepare_trial
from ..errors import DesignError, FragileDesignWarning
from ..results import EffectResult, t_or_z_inference
from .ols import fit_ols, power_of_two_scale

FEW_CLUSTERS = 20


def difference_in_means(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    blocks: str | None = None,
    clusters: str | None = None,
    alpha: float = 0.05,
    weights: str | None = None,
    missing: str = "error",
    condition1=None,
    condition2=None,
) -> EffectResult:
    """Average treatment effect as the difference in arm means, with the design's variance.

    Designs (chosen by ``blocks`` and ``clusters``):

    - **complete randomization**: ``mean(Y | T=1) - mean(Y | T=0)`` with the Neyman
      standard error ``sqrt(s1^2/n1 + s0^2/n0)`` (equal to HC2) and Welch–Satterthwaite
      degrees of freedom ``(v1 + v0)^2 / (v1^2/(n1-1) + v0^2/(n0-1))``, ``v = s^2/n``;
    - **blocked**: ``sum_b (N_b/N) d_b`` with ``SE^2 = sum_b (N_b/N)^2 SE_b^2`` and
      ``df = N - 2B`` (Gerber & Green 2012, eq. 3.10 and p. 74);
    - **matched pairs** (every block has two units): ``SE^2 = sum_j (d_j - d)^2 / (J(J-1))``
      and ``df = J - 1`` (Gerber & Green 2012, eq. 3.16);
    - **clustered**: the treatment coefficient of least squares on ``[1, T]`` with CR2
      standard error and Bell–McCaffrey degrees of freedom (see :mod:`evalkit.effects.ols`);
      blocked and clustered combines CR2 within blocks, ``df = J - 2B``; pairs of clusters use
      ``SE^2 = J/((J-1)N^2) sum_j (N_j d_j - N d/J)^2`` (Imai, King & Nall 2009, eq. 6).

    Where a block has a single unit (or cluster) in an arm but is not a pair, no within-block
    variance exists; evalkit then warns and uses the matched-pair estimator over blocks, as
    estimatr does for designs mixing pairs and larger blocks (estimatr itself stops on a
    block of three). Intervals and p-values are t-based. Contrasts are arm 1 minus arm 0.

    With ``weights``, arm means are weighted and the variance is the weighted HC2 (CR2 with
    clusters) of least squares on ``[1, T]`` with ``df = N - 2``; blocks are weighted by
    their total weight. This is estimatr's weighted estimator; it has no matched-pair form.

    The estimate and standard error scale with the outcome: they are computed on
    ``y / s`` (``s`` a power of two near ``max |y|``, an exact division) and multiplied by
    ``s``, so outcomes of any magnitude (1e155, 1e-110) neither overflow nor underflow.

    **More than two arms.** With ``condition1`` and ``condition2`` (two labels of the
    treatment column) the estimate is ``condition2`` minus ``condition1``, computed by the
    formulas above on the rows of those two arms only (the other arms' rows are dropped
    before blocks, clusters and weights are used), exactly as estimatr's
    ``difference_in_means(condition1 =, condition2 =)``. The result's term is
    ``treatment[condition2]`` and its method says ``condition2 vs condition1``;
    ``n_treated`` counts ``condition2`` and ``n_control`` ``condition1``. A treatment
    column with more than two values needs them (a :class:`~evalkit.errors.TreatmentError`
    otherwise).

    Parameters
    ----------
    data : one row per unit.
    outcome, treatment : column names; treatment is 0/1 or boolean (or any labels with
        ``condition1`` and ``condition2``).
    blocks, clusters : optional columns of block and cluster identifiers.
    alpha : 1 - confidence level.
    weights : optional column of positive unit weights.
    missing : ``"error"`` (default) or ``"drop"`` (drop rows with a missing value in a used
        column, with a warning giving the count).
    condition1, condition2 : two arm labels of ``treatment``: the contrast condition2 minus
        condition1 (both or neither; estimatr's arguments of the same names).

    Example
    -------
    >>> import pandas as pd, evalkit
    >>> df = pd.DataFrame({"y": [3, 5, 4, 6, 2, 3], "t": [1, 1, 1, 0, 0, 0]})
    >>> round(evalkit.difference_in_means(df, "y", "t").estimate, 4)
    0.3333
    >>> arms = pd.DataFrame({"y": [3, 5, 4, 6, 2, 3, 7, 9], "arm": list("AABBCCBB")})
    >>> r = evalkit.difference_in_means(arms, "y", "arm", condition1="A", condition2="B")
    >>> r.estimate, r.method
    (2.5, 'Difference in means (B vs A), Neyman (HC2) SE, Welch-Satterthwaite df')
    """
    alpha = check_alpha(alpha)
    trial = prepare_trial(
        data,
        outcome,
        treatment,
        blocks=blocks,
        clusters=clusters,
        weights=weights,
        missing=missing,
        condition1=condition1,
        condition2=condition2,
    )
    # compute on y / s, an exact division (s a power of two); estimate and SE scale back
    scale = power_of_two_scale(trial.y)
    y, t, w = trial.y / scale, trial.treated, trial.weights
    if trial.clusters is not None:
        _check_clusters_within_arm(t, trial.clusters, clusters)
    if trial.blocks is None:
        estimate, se, df, design, variance = _unblocked(y, t, trial.clusters, w)
    else:
        estimate, se, df, design, variance = _blocked(y, t, trial.blocks, trial.clusters, w, blocks)
    if w is not None:
        variance = f"weighted, {variance}"
    with np.errstate(over="ignore"):  # beyond the float range: _check_finite says so
        estimate, se = estimate * scale, se * scale
    _check_finite((estimate, se), outcome)

    _warn_no_variance(y, t, outcome)
    if not se > 0:
        raise DesignError(
            f"the standard error of the effect on {outcome!r} is zero: the outcome does not vary "
            "within the arms (or blocks). There is nothing to estimate uncertainty from."
        )
    n_clusters = None if trial.clusters is None else int(trial.clusters.max()) + 1
    if n_clusters is not None and n_clusters < FEW_CLUSTERS:
        _warn_few_clusters(n_clusters)
    statistic, p_value, low, high = t_or_z_inference(estimate, se, df, alpha)
    return EffectResult(
        estimate=float(estimate),
        std_error=float(se),
        conf_int=(float(low), float(high)),
        p_value=float(p_value),
        statistic=float(statistic),
        df=float(df),
        n_treated=trial.n_treated,
        n_control=trial.n_control,
        method=f"Difference in means{contrast_text(condition1, condition2)}, {variance}",
        outcome=outcome,
        treatment=treatment,
        alpha=alpha,
        design=design,
        n_blocks=None if trial.blocks is None else int(trial.blocks.max()) + 1,
        n_clusters=n_clusters,
        conditions=conditions_of(condition1, condition2),
    )


def contrast_text(condition1, condition2) -> str:
    """`` (B vs A)`` for a contrast of two arms, else the empty text."""
    if condition1 is None:
        return ""
    return f" ({arm_label(condition2)} vs {arm_label(condition1)})"


def conditions_of(condition1, condition2) -> tuple[str, str] | None:
    """The arm labels of a contrast as text (``EffectResult.conditions``), or None."""
    if condition1 is None:
        return None
    return arm_label(condition1), arm_label(condition2)


def _neyman(y: np.ndarray, t: np.ndarray) -> tuple[float, float, float]:
    y1, y0 = y[t], y[~t]
    n1, n0 = len(y1), len(y0)
    if n1 < 2 or n0 < 2:
        raise DesignError(
            "the Neyman variance needs at least two units in each arm "
            f"(treated {n1}, control {n0})."
        )
    v1, v0 = y1.var(ddof=1) / n1, y0.var(ddof=1) / n0
    se = np.sqrt(v1 + v0)
    denominator = v1**2 / (n1 - 1) + v0**2 / (n0 - 1)
    df = (v1 + v0) ** 2 / denominator if denominator > 0 else np.nan
    return y1.mean() - y0.mean(), se, df


def _regression(y, t, clusters, weights) -> tuple[float, float, float]:
    """Treatment coefficient of (weighted) least squares on [1, T]: HC2, or CR2 with clusters."""
    x = np.column_stack([np.ones_like(y), t.astype(float)])
    if clusters is not None:
        clusters = np.unique(clusters, return_inverse=True)[1]
    se_type = "HC2" if clusters is None else "CR2"
    fit = fit_ols(x, y, ["(Intercept)", "treatment"], se_type, clusters, [1], weights)
    return fit.coef[1], fit.std_error[1], fit.df[1]


def _unblocked(y, t, clusters, weights):
    if clusters is not None:
        return (*_regression(y, t, clusters, weights), "clustered", "CR2 SE, Bell-McCaffrey df")
    if weights is not None:
        return (*_regression(y, t, None, weights), "complete", "HC2 SE, df = N - 2")
    return (*_neyman(y, t), "complete", "Neyman (HC2) SE, Welch-Satterthwaite df")


def _blocked(y, t, blocks, clusters, weights, blocks_name):
    n_blocks = int(blocks.max()) + 1
    # Units (or clusters) per block and arm.
    if clusters is None:
        treated = np.bincount(blocks, weights=t, minlength=n_blocks).astype(int)
        per_arm = np.column_stack([np.bincount(blocks, minlength=n_blocks) - treated, treated])
    else:
        n_clusters = int(clusters.max()) + 1
        spanning = np.unique(blocks.astype(np.int64) * n_clusters + clusters).size - n_clusters
        if spanning:
            raise DesignError(
                f"clusters span several blocks of {blocks_name!r} ({spanning} extra "
                "block-cluster combinations); clusters must be nested within blocks."
            )
        first = np.unique(clusters, return_index=True)[1]
        per_arm = np.zeros((n_blocks, 2), dtype=int)
        np.add.at(per_arm, (blocks[first], t[first].astype(int)), 1)
    empty = np.flatnonzero(per_arm.min(axis=1) == 0)
    if empty.size:
        raise DesignError(
            f"{empty.size} of {n_blocks} blocks in {blocks_name!r} lack a treated or a control "
            "unit; every block needs both arms. Merge or drop those blocks."
        )
    unit = "clusters" if clusters is not None else "units"
    pair_matched = bool((per_arm.sum(axis=1) == 2).all())
    if not pair_matched and (per_arm.min(axis=1) == 1).any():
        single = int((per_arm.min(axis=1) == 1).sum())
        warnings.warn(
            f"{single} of {n_blocks} blocks in {blocks_name!r} have a single "
            f"{unit[:-1]} in an arm, so no within-block variance exists there; the "
            "matched-pair variance over blocks is used instead (conservative when blocks differ).",
            FragileDesignWarning,
            stacklevel=4,
        )
        pair_matched = True
    if pair_matched and weights is not None:
        raise DesignError(
            "weights cannot be combined with a matched-pair design (blocks with a single unit "
            "in an arm): no weighted matched-pair variance is defined. Drop the weights or "
            "merge blocks."
        )
    if pair_matched and n_blocks < 2:
        raise DesignError("the matched-pair variance needs at least two blocks.")

    w = np.ones(len(y)) if weights is None else weights / weights.mean()
    n_b = np.bincount(blocks, weights=w, minlength=n_blocks)
    n_total = n_b.sum()
    if weights is None and clusters is None:
        diffs, block_var = _block_neyman(y, t, blocks, n_blocks, need_variance=not pair_matched)
    else:
        diffs, block_var = _block_regressions(y, t, blocks, n_blocks, clusters, w)
    estimate = np.sum(diffs * n_b / n_total)

    if pair_matched:
        if clusters is None:
            se = np.sqrt(np.sum((diffs - estimate) ** 2) / (n_blocks * (n_blocks - 1)))
            design = "matched pairs"
            variance = "matched-pair SE (Gerber & Green eq. 3.16), df = pairs - 1"
        else:
            se = np.sqrt(
                n_blocks
                / ((n_blocks - 1) * n_total**2)
                * np.sum((n_b * diffs - n_total * estimate / n_blocks) ** 2)
            )
            design = "matched pairs of clusters"
            variance = "matched-pair SE (Imai, King & Nall eq. 6), df = pairs - 1"
        return estimate, se, n_blocks - 1, design, variance

    se = np.sqrt(np.sum(block_var * (n_b / n_total) ** 2))
    if clusters is None:
        df = len(y) - 2 * n_blocks
        design, variance = "blocked", "blocked SE, df = units - 2 x blocks"
    else:
        df = int(np.unique(clusters).size) - 2 * n_blocks
        design, variance = "blocked and clustered", "CR2 within blocks, df = clusters - 2 x blocks"
    if df < 1:
        raise DesignError(f"too few {unit} for the blocked variance: df = {df}.")
    return estimate, se, df, design, variance


def _block_regressions(y, t, blocks, n_blocks, clusters, w):
    """Per block, the treatment coefficient of (weighted) least squares on ``[1, T]`` and
    its HC2 variance (CR2 with clusters), as :func:`fit_ols` gives them within the block,
    in closed form for all blocks at once (O(n); a loop over blocks was O(blocks x n)).

    On ``[1, T]`` the coefficient is the difference of the weighted arm means and the
    variance the sum of the arms' ``sum_c s_c^2 / W_arm^2`` over the arm's clusters (its
    persons for HC2), with ``W_arm`` the arm's weight in the block. HC2: ``s_i^2 = w_i^2
    e_i^2 / (1 - w_i / W_arm)``. CR2 (estimatr's weighted CR2, as ``fit_ols``):
    ``s_c = w_c' A_c e_c`` with ``A_c = B_c^(-1/2)`` and ``B_c = I - (1 w_c' + w_c 1') /
    W_arm + (sum_arm w^2 / W_arm^2) 1 1'``, which differs from the identity only on the
    span of ``1`` and ``w_c``; unweighted, ``s_c = sum(e_c) / sqrt(1 - n_c / N_arm)``.
    """
    cell = blocks.astype(np.int64) * 2 + t.astype(np.int64)  # block and arm
    n_cells = 2 * n_blocks
    weight = np.bincount(cell, weights=w, minlength=n_cells)
    mean = np.bincount(cell, weights=w * y, minlength=n_cells) / weight
    diffs = mean[1::2] - mean[0::2]
    e = y - mean[cell]
    if clusters is None:
        one_minus_h = 1.0 - w / weight[cell]
        with np.errstate(divide="ignore", invalid="ignore"):
            omega = np.where(one_minus_h > 1e-12, w * e**2 / one_minus_h, 0.0)
        spread = np.bincount(cell, weights=w * omega, minlength=n_cells)
    else:
        n_clusters = int(clusters.max()) + 1
        first = np.unique(clusters, return_index=True)[1]
        c_cell = cell[first]

        def per_cluster(values):
            return np.bincount(clusters, weights=values, minlength=n_clusters)

        size = np.bincount(clusters, minlength=n_clusters).astype(float)
        sw, sw2 = per_cluster(w), per_cluster(w**2)
        se, swe = per_cluster(e), per_cluster(w * e)
        w_arm = weight[c_cell]
        s2_arm = np.bincount(cell, weights=w**2, minlength=n_cells)[c_cell]
        # orthonormal basis of span(1, w_c): 1/sqrt(n_c), and w_c less its mean (if any)
        perp2 = np.maximum(sw2 - sw**2 / size, 0.0)
        varied = perp2 > 1e-12 * sw2
        perp = np.where(varied, np.sqrt(perp2), 1.0)
        root = np.sqrt(size)
        a = np.column_stack([root, np.zeros(n_clusters)])  # P'1
        b = np.column_stack([sw / root, np.where(varied, perp, 0.0)])  # P'w
        pe = np.column_stack([se / root, np.where(varied, (swe - sw / size * se) / perp, 0.0)])
        small = (
            np.eye(2)
            - (a[:, :, None] * b[:, None, :] + b[:, :, None] * a[:, None, :]) / w_arm[:, None, None]
            + (s2_arm / w_arm**2)[:, None, None] * a[:, :, None] * a[:, None, :]
        )
        vals, vecs = np.linalg.eigh(small)
        with np.errstate(divide="ignore", invalid="ignore"):
            inv_sqrt = np.where(vals > 1e-12, 1.0 / np.sqrt(np.clip(vals, 1e-300, None)), 0.0)
        g = (vecs * (inv_sqrt - 1.0)[:, None, :]) @ vecs.transpose(0, 2, 1)
        score = swe + np.einsum("ci,cij,cj->c", b, g, pe)
        spread = np.bincount(c_cell, weights=score**2, minlength=n_cells)
    variance = spread / weight**2
    return diffs, variance[1::2] + variance[0::2]


def _block_neyman(y, t, blocks, n_blocks, need_variance):
    """Within-block differences in means and Neyman variances, vectorised over blocks."""
    n_b = np.bincount(blocks, minlength=n_blocks)
    n1 = np.bincount(blocks, weights=t, minlength=n_blocks)
    n0 = n_b - n1
    mean1 = np.bincount(blocks, weights=y * t, minlength=n_blocks) / n1
    mean0 = np.bincount(blocks, weights=y * ~t, minlength=n_blocks) / n0
    if not need_variance:
        return mean1 - mean0, None
    ss1 = np.bincount(blocks, weights=(y - mean1[blocks]) ** 2 * t, minlength=n_blocks)
    ss0 = np.bincount(blocks, weights=(y - mean0[blocks]) ** 2 * ~t, minlength=n_blocks)
    return mean1 - mean0, ss1 / (n1 - 1) / n1 + ss0 / (n0 - 1) / n0


def _check_clusters_within_arm(t: np.ndarray, clusters: np.ndarray, name: str) -> None:
    n_clusters = int(clusters.max()) + 1
    treated_share = np.bincount(clusters, weights=t, minlength=n_clusters) / np.bincount(
        clusters, minlength=n_clusters
    )
    split = np.flatnonzero((treated_share > 0) & (treated_share < 1))
    if split.size:
        raise DesignError(
            f"{split.size} clusters in {name!r} contain both treated and control units; "
            "in a cluster-randomized design every unit of a cluster has the cluster's arm. "
            "Check the cluster column, or analyse with lin_estimator/ancova and clusters= "
            "if treatment was assigned to units."
        )


def _check_finite(numbers, outcome: str) -> None:
    """Raise when an estimate or standard error is beyond the floating-point range (the
    outcome's values are near 1e308): an infinite effect is not a result."""
    if not np.all(np.isfinite(np.asarray(numbers, dtype=float))):
        raise DesignError(
            f"the effect on {outcome!r} or its standard error exceeds the floating-point range "
            "(about 1.8e308): the outcome's values are too large (or a covariate's too small). "
            "Rescale the outcome (e.g. divide it by 1e6) and scale the effect back."
        )


def _warn_no_variance(y: np.ndarray, t: np.ndarray, outcome: str) -> None:
    flat = [arm for arm, mask in (("treated", t), ("control", ~t)) if np.ptp(y[mask]) == 0]
    if len(flat) == 1:
        warnings.warn(
            f"outcome {outcome!r} does not vary in the {flat[0]} arm; its variance "
            "contributes zero to the standard error, which may then be too small.",
            FragileDesignWarning,
            stacklevel=3,
        )


def _warn_few_clusters(n_clusters: int) -> None:
    warnings.warn(
        f"only {n_clusters} clusters: cluster-robust standard errors are unreliable with fewer "
        f"than {FEW_CLUSTERS}; CR2 with Bell-McCaffrey df is the best available correction, "
        "and randomization inference is safer.",
        FragileDesignWarning,
        stacklevel=3,
    )
