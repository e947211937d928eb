"""Non-compliance: the first stage and the complier average causal effect (CACE).

When some persons offered the programme do not take it up (or some controls obtain it),
the intention-to-treat effect (ITT) of the offer is diluted. With the random offer as an
instrument for take-up, two-stage least squares estimates the complier average causal
effect: the effect of take-up on those who take it up because they were offered it
(Angrist, Imbens & Rubin 1996). Without covariates it is the Wald (Bloom 1984) ratio
``ITT / first stage``, the first stage being the difference in take-up between arms; with
covariates or block fixed effects, just-identified 2SLS is again the ratio of the
treatment coefficients of the reduced form (outcome on treatment and covariates) and of
the first stage (take-up on treatment and covariates).

Standard errors are those of estimatr's ``iv_robust`` (HC0-HC3, CR0, CR1/stata, CR2; see
:mod:`evalkit.effects.ols`): the second stage is fitted on the first-stage fitted values,
its residuals are computed with the observed take-up.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .._validation import as_column_list, check_alpha, prepare_trial
from ..errors import ArgumentError, DesignError, FragileDesignWarning
from ..results import EffectResult, fmt_value
from .means import difference_in_means
from .ols import check_se_type, fit_ols
from .regression import _fit_effect, ancova

#: A first-stage F statistic below this warns of a weak instrument (Staiger & Stock 1997).
WEAK_FIRST_STAGE_F = 10.0


@dataclass(frozen=True, eq=False, repr=False)
class CACEResult(EffectResult):
    """The complier average causal effect (an :class:`EffectResult` on the take-up term).

    Besides the effect (``estimate`` ... ``terms``, the 2SLS coefficients) it carries:

    first_stage : the effect of the offer on take-up (regression of take-up on treatment
        and the same covariates and blocks, same ``se_type``);
    itt : the intention-to-treat effect (reduced form: outcome on treatment and the same
        covariates and blocks, same ``se_type``);
    first_stage_f : the first-stage F statistic of the instrument, ``(b / se)^2`` with
        the robust standard error of ``first_stage``; below 10 evalkit warns;
    takeup_treated, takeup_control : mean take-up in each arm (weighted with weights);
    one_sided : whether no control took up the programme.
    """

    first_stage: EffectResult | None = None
    itt: EffectResult | None = None
    first_stage_f: float | None = None
    takeup_treated: float | None = None
    takeup_control: float | None = None
    one_sided: bool = False

    def _header(self) -> list[str]:
        lines = super()._header()
        if self.suppressed() or self.first_stage is None or self.itt is None:
            return lines
        return [
            *lines,
            f"Take-up: treated {fmt_value(self.takeup_treated)}, control "
            f"{fmt_value(self.takeup_control)}; first stage {fmt_value(self.first_stage.estimate)}"
            f" (F = {fmt_value(self.first_stage_f)}); ITT {fmt_value(self.itt.estimate)}",
        ]


def first_stage(
    data: pd.DataFrame,
    takeup: str,
    treatment: str,
    blocks: str | None = None,
    clusters: str | None = None,
    weights: str | None = None,
    se_type: str | None = None,
    alpha: float = 0.05,
    missing: str = "error",
) -> EffectResult:
    """Take-up by arm and its difference, the first stage of the CACE.

    With ``se_type=None`` (default) this is :func:`difference_in_means` of take-up, with the
    design's variance (Neyman, blocked, matched-pair or clustered). With an ``se_type``
    (``"HC0"`` ... ``"HC3"``, or ``"CR0"``, ``"CR1"``/``"stata"``, ``"CR2"`` with clusters)
    it is the treatment coefficient of least squares of take-up on treatment (blocks as
    fixed effects), as :func:`ancova`, which is the first stage :func:`cace` uses.

    Example
    -------
    >>> import pandas as pd, evalkit
    >>> df = pd.DataFrame({"d": [1, 1, 0, 1, 0, 1, 0, 0], "t": [1, 1, 1, 1, 0, 0, 0, 0]})
    >>> evalkit.first_stage(df, "d", "t").estimate
    0.5
    """
    _check_takeup_column(data, takeup)
    if se_type is None:
        result = difference_in_means(
            data, takeup, treatment, blocks=blocks, clusters=clusters, alpha=alpha,
            weights=weights, missing=missing,
        )  # fmt: skip
    else:
        result = ancova(
            data, takeup, treatment, fixed_effects=blocks, clusters=clusters, se_type=se_type,
            alpha=alpha, weights=weights, missing=missing,
        )  # fmt: skip
    return replace(result, method=f"First stage (take-up of {takeup!r}): {result.method}")


def cace(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    takeup: str,
    covariates: str | Sequence[str] | None = None,
    blocks: str | None = None,
    clusters: str | None = None,
    weights: str | None = None,
    se_type: str | None = None,
    alpha: float = 0.05,
    one_sided: bool | None = None,
    missing: str = "error",
) -> CACEResult:
    """Complier average causal effect by two-stage least squares (take-up instrumented by
    the random offer), as ``estimatr::iv_robust(outcome ~ takeup + covs | treatment + covs)``.

    ``takeup`` is a 0/1 (or boolean) column: whether the person took up the programme.
    ``blocks`` enter as fixed effects (estimatr's ``fixed_effects = ~ block``: absorbed, not
    reported, counted in the leverages and in ``df``). ``se_type``: ``"HC0"``, ``"HC1"``,
    ``"HC2"`` (default), ``"HC3"``; with ``clusters`` ``"CR0"``, ``"CR1"``/``"stata"``,
    ``"CR2"`` (default). Degrees of freedom are estimatr's (``n - k``, ``J - 1`` or
    Bell-McCaffrey for CR2).

    Without covariates and blocks the estimate equals ``ITT / first stage`` (the Wald or
    Bloom estimator); in general it is the ratio of the treatment coefficients of the
    reduced form and the first stage. The result carries both (``itt``,
    ``first_stage``) and the first-stage F statistic ``(b / se)^2`` of the instrument with
    the same ``se_type``; an F below 10 (Staiger & Stock 1997) gives a
    :class:`~evalkit.errors.FragileDesignWarning`: with a weak first stage 2SLS is biased
    towards the ordinary least squares comparison and its intervals are unreliable.

    One-sided non-compliance (no control took up) is detected and named in ``method``
    (the CACE is then the effect on the treated). ``one_sided=True`` declares that design:
    take-up among controls is then an error. ``one_sided=False`` declares two-sided
    non-compliance (no check).

    Example
    -------
    >>> import pandas as pd, evalkit
    >>> df = pd.DataFrame({"y": [6, 5, 2, 7, 5, 8, 1, 3, 2, 2, 4, 3],
    ...                    "t": [1] * 6 + [0] * 6, "d": [1, 1, 0, 1, 1, 1] + [0] * 6})
    >>> r = evalkit.cace(df, "y", "t", "d", one_sided=True)
    >>> round(r.estimate, 4), round(r.itt.estimate / r.first_stage.estimate, 4)
    (3.6, 3.6)
    """
    alpha = check_alpha(alpha)
    if not isinstance(takeup, str):
        raise ArgumentError(f"takeup must be a column name (a string); got {takeup!r}.")
    if one_sided not in (None, True, False):
        raise ArgumentError(f"one_sided must be True, False or None; got {one_sided!r}.")
    _check_takeup_column(data, takeup)
    covariate_list = as_column_list(covariates, "covariates")
    if takeup in covariate_list or takeup in (outcome, treatment):
        raise ArgumentError(
            f"takeup column {takeup!r} is also the outcome, treatment or a covariate."
        )
    same = blocks is not None and blocks == clusters
    trial = prepare_trial(
        data, outcome, treatment, covariates=[takeup, *covariate_list], clusters=clusters,
        fixed_effects=None if same else blocks, weights=weights, missing=missing,
    )  # fmt: skip
    if same:
        trial = replace(trial, fixed_effects=trial.clusters)
    d = trial.covariates[:, 0]
    if not np.all((d == 0) | (d == 1)):
        raise DesignError(f"takeup column {takeup!r} must be 0/1 (or boolean).")
    covs, cov_names = trial.covariates[:, 1:], trial.covariate_names[1:]
    t = trial.treated.astype(float)
    se_type = check_se_type(se_type, clustered=clusters is not None)

    w = np.ones_like(d) if trial.weights is None else trial.weights
    takeup_treated = float(np.average(d[trial.treated], weights=w[trial.treated]))
    takeup_control = float(np.average(d[~trial.treated], weights=w[~trial.treated]))
    control_takeup = bool(np.any(d[~trial.treated] == 1))
    if one_sided and control_takeup:
        n_taking = int(np.sum(d[~trial.treated] == 1))
        raise DesignError(
            f"one_sided=True declares that no control took up the programme, but "
            f"{n_taking} control(s) have {takeup!r} = 1 (control take-up "
            f"{takeup_control:.3g}). Check the take-up column, or leave one_sided out."
        )

    if blocks is None:
        exog = [np.ones_like(t), covs]
        exog_names = ["(Intercept)", *cov_names]
        report_extra = 1
    else:
        codes = trial.fixed_effects
        n_groups = int(codes.max()) + 1
        if n_groups < 2:
            raise DesignError(f"blocks column {blocks!r} has a single block; leave it out.")
        exog = [covs, np.eye(n_groups)[codes]]
        exog_names = [*cov_names, *[f"{blocks}[{g}]" for g in range(n_groups)]]
        report_extra = 0
    exog_x = np.column_stack(exog)
    n_report = 1 + len(cov_names) + report_extra
    # names in estimatr's order: (Intercept), takeup, covariates; fixed effects last
    lead = exog_names[:report_extra]
    rest = exog_names[report_extra:]
    z = np.column_stack([exog_x[:, :report_extra], t, exog_x[:, report_extra:]])
    x = np.column_stack([exog_x[:, :report_extra], d, exog_x[:, report_extra:]])
    z_names = [*lead, treatment, *rest]
    x_names = [*lead, takeup, *rest]

    common = (clusters, se_type, alpha)
    fs = _fit_effect(z, z_names, replace(trial, y=d), takeup, treatment, *common,
                     method=f"First stage (take-up of {takeup!r}) by least squares",
                     report=n_report)  # fmt: skip
    itt = _fit_effect(z, z_names, trial, outcome, treatment, *common,
                      method="Intention-to-treat effect (reduced form) by least squares",
                      report=n_report)  # fmt: skip
    first_f = float((fs.estimate / fs.std_error) ** 2)
    if first_f < WEAK_FIRST_STAGE_F:
        warnings.warn(
            f"weak first stage: the offer moves take-up of {takeup!r} by "
            f"{fs.estimate:.3g} (F = {first_f:.3g} < {WEAK_FIRST_STAGE_F:g}); the CACE is "
            "biased towards the naive comparison and its interval is unreliable.",
            FragileDesignWarning,
            stacklevel=2,
        )

    # first stage fitted values of take-up (the other columns are their own projections)
    root_w = np.sqrt(w / w.mean())
    coef_fs = np.linalg.lstsq(z * root_w[:, None], d * root_w, rcond=None)[0]
    x_hat = x.copy()
    x_hat[:, report_extra] = z @ coef_fs
    reported = np.arange(n_report)
    fit = fit_ols(x_hat, trial.y, x_names, se_type, trial.clusters, reported, trial.weights,
                  x_resid=x)  # fmt: skip
    terms = _terms(fit, reported, x_names, alpha)
    row = terms.loc[terms["term"] == takeup].iloc[0]
    if not row["std_error"] > 0 or not np.isfinite(row["std_error"]):
        raise DesignError(f"the standard error of the CACE on {outcome!r} is not positive.")
    compliance = (
        f"one-sided non-compliance (no control took up {takeup!r}: the CACE is the effect on "
        "the treated)"
        if not control_takeup
        else "two-sided non-compliance"
    )
    weighted = "weighted, " if trial.weights is not None else ""
    return CACEResult(
        estimate=float(row["estimate"]),
        std_error=float(row["std_error"]),
        conf_int=(float(row["conf_low"]), float(row["conf_high"])),
        p_value=float(row["p_value"]),
        statistic=float(row["statistic"]),
        df=float(row["df"]),
        n_treated=trial.n_treated,
        n_control=trial.n_control,
        method=(
            f"Complier average causal effect by 2SLS ({takeup!r} instrumented by "
            f"{treatment!r}), {compliance}, {weighted}{se_type} SE"
        ),
        outcome=outcome,
        treatment=treatment,
        alpha=alpha,
        design="clustered" if clusters is not None else "complete",
        n_blocks=None if blocks is None else int(trial.fixed_effects.max()) + 1,
        n_clusters=fit.n_clusters,
        terms=terms,
        first_stage=fs,
        itt=itt,
        first_stage_f=first_f,
        takeup_treated=takeup_treated,
        takeup_control=takeup_control,
        one_sided=not control_takeup,
    )


def _terms(fit, reported, names, alpha) -> pd.DataFrame:
    from ..results import t_or_z_inference

    coef, se, df = fit.coef[reported], fit.std_error[reported], fit.df[reported]
    statistic, p_value, low, high = t_or_z_inference(coef, se, df, alpha)
    return pd.DataFrame(
        {
            "term": [names[i] for i in reported],
            "estimate": coef,
            "std_error": se,
            "statistic": statistic,
            "p_value": p_value,
            "conf_low": low,
            "conf_high": high,
            "df": df,
        }
    )


def _check_takeup_column(data: pd.DataFrame, takeup) -> None:
    if isinstance(takeup, str) and takeup in getattr(data, "columns", ()):
        series = data[takeup]
        if not (
            pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype)
        ):
            raise DesignError(f"takeup column {takeup!r} must be 0/1 (or boolean).")
        values = series.dropna()
        if len(values) and values.nunique() == 1:
            raise DesignError(
                f"takeup column {takeup!r} has no variation: all {len(values)} persons have "
                f"the value {values.iloc[0]!r}, so take-up cannot differ between arms and "
                "there is no first stage. Check the column (0 = not taken up, 1 = taken up)."
            )
