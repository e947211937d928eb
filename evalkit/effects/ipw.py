"""Inverse probability of observation weighting: an attrition sensitivity analysis.

When outcomes are missing for some randomized persons, the complete-case comparison
estimates the effect among the persons observed, who are no longer a random split.
If observation depends only on the arm and baseline covariates (missing at random given
them), weighting each observed person by the inverse of their estimated probability of
being observed restores the randomized sample's covariate distribution in each arm
(Horvitz & Thompson 1952; Robins, Rotnitzky & Zhao 1995; Huber 2012). Set beside the
complete-case estimate and the bounds of :mod:`evalkit.effects.attrition`, which assume
nothing about why outcomes are missing, it shows how much the conclusion rests on the
persons lost.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import as_column_list, check_alpha, check_choice, numeric_column
from ..errors import ArgumentError, DesignError, FragileDesignWarning
from ..output.declare import declare_table
from ..results import EffectResult, InferentialResult, fmt_value, t_or_z_inference
from .attrition import _bounds_data, observed_header
from .means import difference_in_means
from .regression import lin_estimator

ESTIMATORS = ("difference_in_means", "lin_estimator")
MODELS = ("by_arm", "additive")
#: A fitted probability of observation below this is taken as zero (perfect separation).
MIN_PROBABILITY = 1e-8


@dataclass(frozen=True, eq=False, repr=False)
class IPWAttritionResult(InferentialResult):
    """The effect with inverse probability of observation weights, beside the
    complete-case effect.

    Attributes
    ----------
    estimate, std_error, conf_int, p_value, statistic, df : the weighted effect; the
        standard error treats the weights as fixed (``weighted``'s), or is the bootstrap
        standard error with ``n_boot`` (normal interval and p-value, ``df`` None).
    weighted, unweighted : the :class:`~evalkit.EffectResult` of the estimator on the
        observed persons with and without the weights (complete case).
    coefficients : the logistic model of observation (one column per model: ``treatment``
        and ``control`` fitted by arm, or ``both``), one row per term.
    probabilities : the fitted probability of observation of every person (in the order
        of the rows used; an attribute only, never shown).
    max_weight : the largest weight ``1 / p``; ess_treated, ess_control : Kish's effective
        sample sizes ``(sum w)^2 / sum w^2`` of the observed persons by arm.
    n_treated, n_control, observed_treated, observed_control : persons randomized and
        observed by arm.
    """

    estimate: float
    std_error: float
    conf_int: tuple
    p_value: float
    statistic: float
    df: float | None
    weighted: EffectResult
    unweighted: EffectResult
    coefficients: pd.DataFrame
    probabilities: np.ndarray = field(repr=False)
    max_weight: float
    ess_treated: float
    ess_control: float
    n_treated: int
    n_control: int
    observed_treated: int
    observed_control: int
    method: str
    outcome: str
    treatment: str
    model: str = "by_arm"
    estimator: str = "difference_in_means"
    alpha: float = 0.05
    n_boot: int | None = None
    seed: int | None = None

    def _header(self) -> list[str]:
        return observed_header(self)

    def _details(self) -> list[str]:
        cc = self.unweighted
        level = f"{100 * (1 - self.alpha):g}%"
        return [
            f"complete case: estimate {fmt_value(cc.estimate)}, SE {fmt_value(cc.std_error)}, "
            f"{level} CI [{fmt_value(cc.conf_int[0])}, {fmt_value(cc.conf_int[1])}]",
            f"inverse probability weights: largest {fmt_value(self.max_weight)}; effective "
            f"sample size "
            f"treated {fmt_value(self.ess_treated)}, control {fmt_value(self.ess_control)}",
        ]

    def _rows(self) -> list[dict]:
        extra = {"outcome": self.outcome, "method": self.method,
                 "n_treated": self.n_treated, "n_control": self.n_control,
                 "observed_treated": self.observed_treated,
                 "observed_control": self.observed_control}  # fmt: skip
        rows = [
            {"term": "weighted (IPW)", "estimate": self.estimate, "std_error": self.std_error,
             "statistic": self.statistic, "p_value": self.p_value,
             "conf_low": self.conf_int[0], "conf_high": self.conf_int[1],
             "df": np.nan if self.df is None else self.df, "max_weight": self.max_weight,
             "ess_treated": self.ess_treated, "ess_control": self.ess_control, **extra},
        ]  # fmt: skip
        cc = self.unweighted
        rows.append(
            {"term": "complete case", "estimate": cc.estimate, "std_error": cc.std_error,
             "statistic": cc.statistic, "p_value": cc.p_value, "conf_low": cc.conf_int[0],
             "conf_high": cc.conf_int[1], "df": cc.df, "max_weight": 1.0,
             "ess_treated": float(self.observed_treated),
             "ess_control": float(self.observed_control), **extra}
        )  # fmt: skip
        return rows

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Counts of persons: randomized and observed by arm (the persons lost too);
        every number (the effects, the weights and effective sample sizes) rests on
        them."""
        counts = ["n_treated", "n_control", "observed_treated", "observed_control"]
        numbers = ["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high",
                   "df", "max_weight", "ess_treated", "ess_control"]  # fmt: skip
        return declare_table(
            frame,
            counts=counts,
            dependent=numbers,
            complements={"observed_treated": "n_treated", "observed_control": "n_control"},
        )


def _fit_observation(seen: np.ndarray, x: np.ndarray, names: list[str], where: str):
    """Logistic regression of ``seen`` on ``[1, x]`` by statsmodels' GLM (binomial, IRLS
    to a deviance change of 1e-13): (fitted probabilities, coefficients)."""
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning

    design = np.column_stack([np.ones(len(seen)), x])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise DesignError(
            f"the covariates of the observation model are collinear (or constant) {where}; "
            "drop one."
        )
    if seen.all():
        return np.ones(len(seen)), None
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        try:
            fit = GLM(seen.astype(float), design, family=families.Binomial()).fit(
                tol=1e-13, maxiter=200
            )
        except (PerfectSeparationWarning, PerfectSeparationError):
            fit = None
    p = None if fit is None else np.asarray(fit.fittedvalues, dtype=float)
    if p is None or not np.all(np.isfinite(p)) or np.min(p) < MIN_PROBABILITY:
        raise DesignError(
            f"the observation model separates observed from unobserved persons {where} "
            "(perfect separation: fitted probabilities of observation of 0): inverse "
            "probability weights are not defined. Use fewer or coarser covariates, or the "
            "bounds (lee_bounds, manski_bounds)."
        )
    if not fit.converged:
        raise DesignError(f"the logistic model of observation did not converge {where}.")
    return p, pd.Series(np.asarray(fit.params, dtype=float), index=["(Intercept)", *names])


def _probabilities(seen, treated, x, names, model, treatment):
    """Fitted probabilities of observation of every person and the coefficients."""
    if model == "by_arm":
        p = np.empty(len(seen))
        coefficients = {}
        for arm, rows in (("treatment", treated), ("control", ~treated)):
            p[rows], coefs = _fit_observation(seen[rows], x[rows], names, f"in the {arm} arm")
            if coefs is not None:
                coefficients[arm] = coefs
        return p, pd.DataFrame(coefficients)
    x_full = np.column_stack([treated.astype(float), x])
    p, coefs = _fit_observation(seen, x_full, [treatment, *names], "")
    return p, pd.DataFrame({} if coefs is None else {"both": coefs})


def _effect(frame, outcome, treatment, covariates, estimator, weights, alpha):
    if estimator == "difference_in_means":
        return difference_in_means(frame, outcome, treatment, weights=weights, alpha=alpha)
    return lin_estimator(frame, outcome, treatment, covariates, weights=weights, alpha=alpha)


def _kish(w: np.ndarray) -> float:
    return float(w.sum() ** 2 / np.sum(w**2))


def ipw_attrition(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    observed: str,
    covariates: str | Sequence[str],
    estimator: str = "difference_in_means",
    model: str = "by_arm",
    n_boot: int | None = None,
    seed: int | None = 0,
    alpha: float = 0.05,
    max_weight: float = 20.0,
) -> IPWAttritionResult:
    """The effect with inverse probability of observation weights (an attrition
    sensitivity analysis), beside the complete-case effect.

    1. The probability of observation ``p(T, X) = P(observed = 1 | T, X)`` is fitted by
       logistic regression (statsmodels ``GLM``, binomial family, as R's
       ``glm(family = binomial)``) on all randomized persons: with ``model="by_arm"``
       (default) separately in each arm, ``logit p = a_T + X b_T`` (the same fit as one
       model with every covariate interacted with treatment); with ``model="additive"``
       ``logit p = a + g T + X b``. An arm with every outcome observed gets ``p = 1``.
    2. Each observed person gets the weight ``w = 1 / p_hat``; the weighted observed
       persons of each arm stand for all persons randomized to it when observation is
       missing at random given ``T`` and ``X``.
    3. The effect is the ``estimator`` on the observed persons with the weights:
       :func:`~evalkit.difference_in_means` (weighted arm means, weighted HC2 SE, ``df =
       N - 2``, as ``estimatr::difference_in_means(weights = w)``) or
       :func:`~evalkit.lin_estimator` with the same covariates (``estimatr::lm_lin(weights
       = w)``). The complete-case effect is the same estimator without the weights.

    The standard error treats the weights as fixed (known), which ignores the
    estimation of the observation model. With ``n_boot`` the standard error is instead
    the standard deviation of ``n_boot`` bootstrap draws that resample persons within
    arms and re-estimate the model and the weights (``seed``); the interval and p-value
    are then normal. Draws whose model separates are redrawn.

    Large weights make the estimate rest on a few persons: a weight above
    ``max_weight`` (default 20, a probability of observation below 5 %) gives a
    :class:`~evalkit.errors.FragileDesignWarning`; the result reports the largest weight
    and Kish's effective sample size ``(sum w)^2 / sum w^2`` per arm. Weights are not
    trimmed.

    Parameters
    ----------
    data : one row per randomized person; ``outcome`` missing where not observed.
    outcome : numeric outcome column (read where ``observed`` is 1; it must be missing
        where ``observed`` is 0).
    treatment : 0/1 or boolean arm column.
    observed : 0/1 or boolean: whether the outcome is observed.
    covariates : numeric baseline covariates of the observation model (no missing values).
    estimator : ``"difference_in_means"`` or ``"lin_estimator"``.
    model : ``"by_arm"`` or ``"additive"``.
    n_boot, seed : bootstrap standard errors (None: weights treated as fixed).
    alpha : 1 - confidence level.
    max_weight : the weight above which evalkit warns.

    References
    ----------
    Horvitz, D. G. & Thompson, D. J. (1952). A generalization of sampling without
    replacement from a finite universe. *JASA* 47:663-685. Robins, J. M., Rotnitzky, A.
    & Zhao, L. P. (1995). Analysis of semiparametric regression models for repeated
    outcomes in the presence of missing data. *JASA* 90:106-121. Huber, M. (2012).
    Identification of average treatment effects in social experiments under alternative
    forms of attrition. *Journal of Educational and Behavioral Statistics* 37:443-474.

    Example
    -------
    >>> import pandas as pd, evalkit
    >>> df = pd.DataFrame({"t": [1] * 6 + [0] * 6, "x": [0, 0, 0, 1, 1, 1] * 2,
    ...                    "seen": [1, 1, 0, 1, 0, 0] + [1, 1, 0, 1, 1, 0],
    ...                    "y": [2, 4, None, 9, None, None] + [1, 3, None, 4, 6, None]})
    >>> r = evalkit.ipw_attrition(df, "y", "t", "seen", "x")
    >>> round(r.estimate, 4)  # (3 + 9) / 2 - (2 + 5) / 2: each x half of its arm
    2.5
    >>> round(r.unweighted.estimate, 4)  # complete case: 15 / 3 - 14 / 4
    1.5
    """
    alpha = check_alpha(alpha)
    names = as_column_list(covariates, "covariates")
    if not names:
        raise ArgumentError("covariates must name at least one column for the observation model.")
    check_choice(estimator, "estimator", ESTIMATORS)
    check_choice(model, "model", MODELS)
    if n_boot is not None and (
        not isinstance(n_boot, int) or isinstance(n_boot, bool) or n_boot < 50
    ):
        raise ArgumentError(
            f"n_boot must be None or a whole number of at least 50; got {n_boot!r}."
        )
    try:
        max_weight = float(max_weight)
    except (TypeError, ValueError):
        raise ArgumentError(f"max_weight must be a number above 1; got {max_weight!r}.") from None
    if not max_weight > 1:
        raise ArgumentError(f"max_weight must be a number above 1; got {max_weight!r}.")
    frame, treated, seen, y = _bounds_data(data, outcome, treatment, observed, names)
    x = np.column_stack([numeric_column(frame[c], c, role="covariate") for c in names])

    p, coefficients = _probabilities(seen, treated, x, names, model, treatment)
    w = 1.0 / p[seen]
    weight_name = "_ipw_weight"
    while weight_name in (outcome, treatment, *names):
        weight_name = "_" + weight_name
    analysed = pd.DataFrame({outcome: y[seen], treatment: treated[seen].astype(int)})
    for j, name in enumerate(names):
        analysed[name] = x[seen, j]
    analysed[weight_name] = w
    args = (outcome, treatment, names, estimator)
    weighted = _effect(analysed, *args, weight_name, alpha)
    unweighted = _effect(analysed, *args, None, alpha)
    t_seen = treated[seen]
    largest = float(w.max())
    if largest > max_weight:
        warnings.warn(
            f"extreme weights: the largest inverse probability weight is {largest:.3g} (a "
            f"probability of observation of {1 / largest:.3g}); the weighted effect rests on "
            "few persons. Compare it with the bounds.",
            FragileDesignWarning,
            stacklevel=2,
        )

    estimate, se, df = weighted.estimate, weighted.std_error, weighted.df
    statistic, p_value, conf = weighted.statistic, weighted.p_value, weighted.conf_int
    se_text = "weights treated as fixed"
    if n_boot is not None:
        se = _bootstrap_se(frame, treated, seen, y, x, names, model, treatment, args, n_boot, seed)
        df = None
        statistic, p_value, low, high = (float(v) for v in t_or_z_inference(estimate, se, None,
                                                                          alpha))  # fmt: skip
        conf = (low, high)
        se_text = f"bootstrap SE re-estimating the weights ({n_boot} draws, seed {seed})"
    label = "difference in means" if estimator == "difference_in_means" else "Lin estimator"
    model_text = "fitted by arm" if model == "by_arm" else "additive in treatment"
    return IPWAttritionResult(
        estimate=float(estimate),
        std_error=float(se),
        conf_int=(float(conf[0]), float(conf[1])),
        p_value=float(p_value),
        statistic=float(statistic),
        df=None if df is None else float(df),
        weighted=weighted,
        unweighted=unweighted,
        coefficients=coefficients,
        probabilities=p,
        max_weight=largest,
        ess_treated=_kish(w[t_seen]),
        ess_control=_kish(w[~t_seen]),
        n_treated=int(treated.sum()),
        n_control=int((~treated).sum()),
        observed_treated=int((seen & treated).sum()),
        observed_control=int((seen & ~treated).sum()),
        method=(
            f"Inverse probability of observation weighting ({label}; logistic model of "
            f"{observed!r} {model_text}), {se_text}"
        ),
        outcome=outcome,
        treatment=treatment,
        model=model,
        estimator=estimator,
        alpha=alpha,
        n_boot=n_boot,
        seed=seed if n_boot is not None else None,
    )


def _bootstrap_se(frame, treated, seen, y, x, names, model, treatment, args, n_boot, seed):
    """The standard deviation of ``n_boot`` weighted effects, resampling persons within
    arms and re-estimating the observation model (draws whose model separates, or with
    fewer than two persons observed in an arm, are redrawn)."""
    outcome, treatment_name, covariate_names, estimator = args
    rng = np.random.default_rng(seed)
    arms = [np.flatnonzero(treated), np.flatnonzero(~treated)]
    draws = []
    attempts = 0
    while len(draws) < n_boot:
        attempts += 1
        if attempts > 2 * n_boot:
            raise DesignError(
                "the bootstrap failed in most draws (the observation model separates or an "
                "arm has fewer than two persons observed); use n_boot=None."
            )
        index = np.concatenate([rng.choice(a, size=a.size, replace=True) for a in arms])
        t_b, s_b, x_b = treated[index], seen[index], x[index]
        if (s_b & t_b).sum() < 2 or (s_b & ~t_b).sum() < 2:
            continue
        try:
            p_b, _ = _probabilities(s_b, t_b, x_b, names, model, treatment)
        except DesignError:
            continue
        w_b, y_b, arm = 1.0 / p_b[s_b], y[index][s_b], t_b[s_b]
        if estimator == "difference_in_means":
            draws.append(
                float(np.average(y_b[arm], weights=w_b[arm]) - np.average(y_b[~arm],
                                                                          weights=w_b[~arm]))
            )  # fmt: skip
            continue
        sub = pd.DataFrame({outcome: y_b, treatment_name: arm.astype(int)})
        for j, name in enumerate(covariate_names):
            sub[name] = x_b[s_b, j]
        weight_name = "_ipw_weight"
        while weight_name in sub.columns:
            weight_name = "_" + weight_name
        sub[weight_name] = w_b
        try:
            draws.append(lin_estimator(sub, outcome, treatment_name, covariate_names,
                                       weights=weight_name).estimate)  # fmt: skip
        except DesignError:
            continue
    se = float(np.std(draws, ddof=1))
    if not (se > 0 and math.isfinite(se)):
        raise DesignError("the bootstrap standard error is not positive.")
    return se
