"""Covariate-adjusted effects: Lin (2013) regression adjustment and additive ANCOVA.

Both are least squares fits with robust variances from :mod:`evalkit.effects.ols`
(HC2 by default, CR2 with clusters), matching estimatr's ``lm_lin`` and ``lm_robust``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from .._validation import arm_label, as_column_list, check_alpha, prepare_trial
from ..errors import ArgumentError, DesignError
from ..results import EffectResult, t_or_z_inference
from .means import FEW_CLUSTERS, _check_finite, _warn_few_clusters, conditions_of, contrast_text
from .ols import check_se_type, fit_ols, power_of_two_scale


def lin_estimator(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    covariates: str | Sequence[str],
    clusters: str | None = None,
    se_type: str | None = None,
    alpha: float = 0.05,
    weights: str | None = None,
    missing: str = "error",
    condition1=None,
    condition2=None,
) -> EffectResult:
    """Lin (2013) regression adjustment: covariates centred and interacted with treatment.

    Fits ``Y = a + tau T + (X - mean(X)) b + T (X - mean(X)) g`` by least squares; ``tau``
    is the average treatment effect, consistent and never less precise asymptotically
    than the difference in means (Lin 2013, Ann. Appl. Stat. 7:295-318). Covariates are
    centred at their sample means (weighted means with ``weights``); text or categorical
    covariates are dummy-coded against their first level. Terms are named as estimatr's
    ``lm_lin`` names them: ``x_c`` and ``treatment:x_c``.

    ``se_type``: ``"HC0"``, ``"HC1"``, ``"HC2"`` (default), ``"HC3"``; with ``clusters``:
    ``"CR0"``, ``"CR1"``/``"stata"``, ``"CR2"`` (default). See :mod:`evalkit.effects.ols`.
    ``weights`` (a column of positive weights) gives weighted least squares with the
    variances of estimatr's weighted ``lm_robust``.

    With ``condition1`` and ``condition2`` (two labels of a treatment column with more
    arms) the model is fitted on the rows of those two arms only, ``T`` marking
    ``condition2``, and covariates are centred on those rows: estimatr's
    ``lm_lin(y ~ I(z == condition2), covariates, data = subset(z %in% c(condition1,
    condition2)))``. The treatment term is then named ``treatment[condition2]`` and the
    method says ``condition2 vs condition1``.

    Example
    -------
    >>> import pandas as pd, evalkit
    >>> df = pd.DataFrame({"y": [3, 5, 4, 6, 2, 3, 5, 1], "t": [1, 1, 1, 1, 0, 0, 0, 0],
    ...                    "x": [1, 3, 2, 4, 2, 3, 4, 1]})
    >>> round(evalkit.lin_estimator(df, "y", "t", "x").estimate, 4)
    1.75
    >>> three = pd.concat([df, df.assign(t=2, y=df["y"] + 1)], ignore_index=True)
    >>> r = evalkit.lin_estimator(three, "y", "t", "x", condition1=0, condition2=2)
    >>> r.terms["term"].tolist()[:2], round(r.estimate, 4)
    (['(Intercept)', 't[2]'], 1.875)
    """
    covariate_list = _require_covariates(covariates)
    trial = prepare_trial(
        data,
        outcome,
        treatment,
        covariates=covariate_list,
        clusters=clusters,
        weights=weights,
        missing=missing,
        condition1=condition1,
        condition2=condition2,
    )
    term = _treatment_term(treatment, condition1, condition2)
    t = trial.treated.astype(float)
    # centred on X / c (c a power of two: exact), so that a sum of large values cannot overflow
    scale = power_of_two_scale(trial.covariates, axis=0)
    scaled = trial.covariates / scale
    centred = (scaled - np.average(scaled, axis=0, weights=trial.weights)) * scale
    x = np.column_stack([np.ones_like(t), t, centred, centred * t[:, None]])
    centred_names = [f"{name}_c" for name in trial.covariate_names]
    names = ["(Intercept)", term, *centred_names, *[f"{term}:{c}" for c in centred_names]]
    return _fit_effect(
        x,
        names,
        trial,
        outcome,
        treatment,
        clusters,
        se_type,
        alpha,
        method=f"Lin (2013) regression adjustment{contrast_text(condition1, condition2)}",
        report=len(names),
        term=term,
        conditions=conditions_of(condition1, condition2),
    )


def ancova(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    covariates: str | Sequence[str] | None = None,
    fixed_effects: str | None = None,
    clusters: str | None = None,
    se_type: str | None = None,
    alpha: float = 0.05,
    weights: str | None = None,
    missing: str = "error",
    condition1=None,
    condition2=None,
) -> EffectResult:
    """Additive covariate adjustment: least squares of the outcome on treatment and covariates.

    Fits ``Y = a + tau T + X b (+ block fixed effects)``; ``tau`` is reported as the effect.
    ``fixed_effects`` names a column of groups (e.g. randomization blocks) whose intercepts
    are absorbed, as estimatr's ``lm_robust(..., fixed_effects = ~ block)``: they are not
    reported, but they count in the leverages (HC2, HC3, CR2) and in ``df = n - k``.
    Text or categorical covariates are dummy-coded against their first level.

    ``se_type``: ``"HC0"``, ``"HC1"``, ``"HC2"`` (default), ``"HC3"``; with ``clusters``:
    ``"CR0"``, ``"CR1"``/``"stata"``, ``"CR2"`` (default). See :mod:`evalkit.effects.ols`.
    ``weights`` (a column of positive weights) gives weighted least squares with the
    variances of estimatr's weighted ``lm_robust``.

    With ``condition1`` and ``condition2`` (two labels of a treatment column with more
    arms) the model is fitted on the rows of those two arms only, ``T`` marking
    ``condition2`` (estimatr's ``lm_robust`` on that subset); the treatment term is named
    ``treatment[condition2]`` and the method says ``condition2 vs condition1``.

    Example
    -------
    >>> import pandas as pd, evalkit
    >>> df = pd.DataFrame({"y": [3, 5, 4, 6, 2, 3, 5, 1], "t": [1, 1, 1, 1, 0, 0, 0, 0],
    ...                    "x": [1, 3, 2, 4, 2, 3, 4, 1]})
    >>> round(evalkit.ancova(df, "y", "t", "x").estimate, 4)
    1.75
    >>> arms = pd.concat([df, df.assign(t=2, y=df["y"] + 1)], ignore_index=True)
    >>> round(evalkit.ancova(arms, "y", "t", "x", condition1=0, condition2=2).estimate, 4)
    1.875
    """
    # One column may be both the fixed effect and the cluster (estimatr's
    # lm_robust(fixed_effects = ~ v, clusters = v)): it is read once, as the clusters.
    same = fixed_effects is not None and isinstance(clusters, str) and fixed_effects == clusters
    trial = prepare_trial(
        data,
        outcome,
        treatment,
        covariates=as_column_list(covariates, "covariates"),
        clusters=clusters,
        fixed_effects=None if same else fixed_effects,
        weights=weights,
        missing=missing,
        condition1=condition1,
        condition2=condition2,
    )
    term = _treatment_term(treatment, condition1, condition2)
    if same:
        trial = replace(trial, fixed_effects=trial.clusters)

    t = trial.treated.astype(float)
    columns = [t, trial.covariates]
    names = [term, *trial.covariate_names]
    report = len(names) + (fixed_effects is None)
    if fixed_effects is None:
        columns.insert(0, np.ones_like(t))
        names.insert(0, "(Intercept)")
        dummies: np.ndarray = np.empty((len(t), 0))
    else:
        codes = trial.fixed_effects
        n_groups = int(codes.max()) + 1
        if n_groups < 2:
            raise DesignError(
                f"fixed_effects column {fixed_effects!r} has a single group; leave it out."
            )
        dummies = np.eye(n_groups)[codes]
        names += [f"{fixed_effects}[{g}]" for g in range(n_groups)]
    x = np.column_stack([*columns, dummies])
    return _fit_effect(
        x,
        names,
        trial,
        outcome,
        treatment,
        clusters,
        se_type,
        alpha,
        method=f"ANCOVA (additive covariate adjustment){contrast_text(condition1, condition2)}",
        report=report,
        term=term,
        conditions=conditions_of(condition1, condition2),
    )


def _treatment_term(treatment: str, condition1, condition2) -> str:
    """The treatment's term: the column, or ``column[condition2]`` for a contrast."""
    if condition1 is None:
        return treatment
    return f"{treatment}[{arm_label(condition2)}]"


def _require_covariates(covariates) -> list[str]:
    covariate_list = as_column_list(covariates, "covariates")
    if not covariate_list:
        raise ArgumentError(
            "lin_estimator needs at least one covariate; without covariates use "
            "difference_in_means."
        )
    return covariate_list


def _fit_effect(
    x, names, trial, outcome, treatment, clusters, se_type, alpha, method, report,
    term=None, conditions=None,
):  # fmt: skip
    term = treatment if term is None else term
    alpha = check_alpha(alpha)
    se_type = check_se_type(se_type, clustered=clusters is not None)
    reported = np.arange(report)
    fit = fit_ols(x, trial.y, names, se_type, trial.clusters, reported, trial.weights)
    se = fit.std_error[reported]
    _check_finite((fit.coef[reported], se), outcome)
    if not se[names.index(term)] > 0:
        raise DesignError(
            f"the standard error of the effect on {outcome!r} is zero: the model fits the "
            "outcome exactly. There is nothing to estimate uncertainty from."
        )
    if fit.n_clusters is not None and fit.n_clusters < FEW_CLUSTERS:
        _warn_few_clusters(fit.n_clusters)
    coef, df = fit.coef[reported], fit.df[reported]
    statistic, p_value, low, high = t_or_z_inference(coef, se, df, alpha)
    terms = pd.DataFrame(
        {
            "term": names[:report],
            "estimate": coef,
            "std_error": se,
            "statistic": statistic,
            "p_value": p_value,
            "conf_low": low,
            "conf_high": high,
            "df": df,
        }
    )
    row = terms.loc[terms["term"] == term].iloc[0]
    return EffectResult(
        estimate=float(row["estimate"]),
        std_error=float(row["std_error"]),
        conf_int=(float(row["conf_low"]), float(row["conf_high"])),
        p_value=float(row["p_value"]),
        statistic=float(row["statistic"]),
        df=float(row["df"]),
        n_treated=trial.n_treated,
        n_control=trial.n_control,
        method=f"{method}, {'weighted, ' if trial.weights is not None else ''}{se_type} SE",
        outcome=outcome,
        treatment=treatment,
        alpha=alpha,
        design="clustered" if clusters is not None else "complete",
        n_clusters=fit.n_clusters,
        terms=terms,
        conditions=conditions,
    )
