"""Multi-site trials: pooling the sites' effects (issue 15).

A programme tried in several municipalities or job centres gives one effect per site.
:func:`pool_sites` pools published site estimates (estimate and standard error per
site); :func:`pool_sites_from_data` first estimates each site's effect from person-level
data (:func:`~evalkit.effects.difference_in_means` by default) and pools those. Both fit
the three models of a meta-analysis, as R's ``metafor::rma(yi, sei=...)`` does:

- **fixed effect** (``"FE"``): inverse-variance weights ``w_i = 1/v_i``,
  ``mu = sum w_i y_i / sum w_i``, ``SE = 1/sqrt(sum w_i)``;
- **random effects** with between-site variance ``tau2`` by DerSimonian–Laird (``"DL"``,
  ``max(0, (Q - (k-1)) / (sum w - sum w^2/sum w))``) or restricted maximum likelihood
  (``"REML"``, Fisher scoring to convergence, truncated at 0), weights ``1/(v_i + tau2)``.

Heterogeneity: Cochran's ``Q`` (chi-squared with ``k-1`` df), ``I2`` and ``H2`` (for the
random-effects models from ``tau2`` and the typical within-site variance
``(k-1)/(sum w - sum w^2/sum w)``, for the fixed-effect model ``100 (Q-(k-1))/Q``), as
metafor reports them. Intervals and tests are normal (metafor's default ``test="z"``).

The prediction interval of a new site's effect is ``mu ± c sqrt(SE^2 + tau2)``:
``prediction="normal"`` (default) takes ``c`` from the normal distribution, as
``predict()`` in metafor 3.8 does; ``prediction="t"`` takes the t with ``k-2`` df
(Higgins, Thompson & Spiegelhalter 2009). For the fixed-effect model it is the
confidence interval.

The confidence interval of ``tau2`` is the Q-profile interval (Viechtbauer 2007), as
metafor's ``confint()`` gives it: the generalized ``Q(tau2) = sum w_i (y_i - mu_w)^2``
with ``w_i = 1/(v_i + tau2)`` decreases in ``tau2``; the bounds solve
``Q(tau2) = chi2(1 - alpha/2, k-1)`` (lower) and ``chi2(alpha/2, k-1)`` (upper), each set
to 0 where ``Q(0)`` is already below its quantile. The intervals of ``I2`` and ``H2``
follow from it through the typical within-site variance. It does not depend on the
estimator of ``tau2`` (the same for FE, DL and REML).

The shrunken site effects are the empirical-Bayes predictions (BLUPs, metafor's
``blup()``): ``l_i y_i + (1-l_i) mu`` with ``l_i = tau2/(tau2 + v_i)``,
standard error ``sqrt(l_i v_i + (1-l_i)^2 SE^2)``.

Example
-------
>>> r = pool_sites([0.10, 0.30, 0.05, 0.22], [0.05, 0.08, 0.06, 0.10],
...                sites=["Aalborg", "Aarhus", "Odense", "Vejle"], method="DL")
>>> round(r.estimate, 4), round(r.tau2, 4), round(r.i2, 1)
(0.1518, 0.0069, 59.8)
>>> r.to_frame()["term"].tolist()[-3:]
['Fixed effect', 'Random effects (DL)', 'Random effects (REML)']
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .._validation import check_alpha
from ..errors import ArgumentError, ColumnError, ConvergenceWarning
from ..output.declare import declare_table
from ..results import EffectResult, InferentialResult, fmt_p_value, fmt_value
from .means import difference_in_means

METHODS = ("FE", "DL", "REML")
PREDICTIONS = ("normal", "t")
_MODEL_TERMS = {
    "FE": "Fixed effect",
    "DL": "Random effects (DL)",
    "REML": "Random effects (REML)",
}
#: The number columns of ``to_frame()`` besides the core ones (rest on the site arms).
_EXTRA_NUMBERS = (
    "weight",
    "blup",
    "blup_std_error",
    "blup_low",
    "blup_high",
    "tau2",
    "i2",
    "q",
    "q_p_value",
    "pi_low",
    "pi_high",
)


@dataclass(frozen=True, eq=False, repr=False)
class SitePooling(InferentialResult):
    """The sites' effects pooled (:func:`pool_sites`, :func:`pool_sites_from_data`).

    Attributes
    ----------
    estimate, std_error, conf_int, p_value, statistic : the pooled effect under
        ``method`` (normal test and interval).
    method : ``"FE"``, ``"DL"`` or ``"REML"``.
    tau2 : between-site variance of ``method`` (0 for ``"FE"``).
    i2, h2 : I² (percent) and H² of ``method``.
    tau2_int, i2_int, h2_int : Q-profile confidence intervals of tau², I² and H².
    q, q_df, q_p_value : Cochran's Q test of homogeneity.
    pred_int : prediction interval of a new site's effect (``prediction``).
    models : every model (rows FE, DL, REML): estimate, std_error, statistic, p_value,
        conf_low, conf_high, tau2, i2, h2, pi_low, pi_high.
    sites, site_estimates, site_std_errors : the sites' effects as pooled.
    weights : percent weight of each site under ``method``.
    blup, blup_std_error, blup_int : empirical-Bayes (shrunken) site effects under
        ``method``, their standard errors and ``(k, 2)`` intervals.
    n_treated, n_control : arm sizes per site (None for published estimates).
    site_results : each site's estimator result (None for published estimates).
    """

    estimate: float
    std_error: float
    conf_int: tuple[float, float]
    p_value: float
    statistic: float
    method: str
    tau2: float
    i2: float
    h2: float
    q: float
    q_df: int
    q_p_value: float
    pred_int: tuple[float, float]
    prediction: str
    tau2_int: tuple[float, float]
    i2_int: tuple[float, float]
    h2_int: tuple[float, float]
    models: pd.DataFrame = field(repr=False)
    sites: tuple[str, ...]
    site_estimates: np.ndarray = field(repr=False)
    site_std_errors: np.ndarray = field(repr=False)
    weights: np.ndarray = field(repr=False)
    blup: np.ndarray = field(repr=False)
    blup_std_error: np.ndarray = field(repr=False)
    blup_int: np.ndarray = field(repr=False)
    alpha: float = 0.05
    n_treated: tuple[int, ...] | None = None
    n_control: tuple[int, ...] | None = None
    outcome: str | None = None
    treatment: str | None = None
    site_results: tuple | None = field(default=None, repr=False)

    @property
    def k(self) -> int:
        """Number of sites."""
        return len(self.sites)

    @property
    def from_data(self) -> bool:
        """Whether the site effects were estimated from person-level data here."""
        return self.n_treated is not None

    # -- table ------------------------------------------------------------------------
    def _rows(self) -> list[dict]:
        z = stats.norm.isf(self.alpha / 2.0)
        y, se = self.site_estimates, self.site_std_errors
        rows = []
        for i, site in enumerate(self.sites):
            row = {
                "term": site,
                "estimate": y[i],
                "std_error": se[i],
                "statistic": y[i] / se[i],
                "p_value": 2.0 * stats.norm.sf(abs(y[i] / se[i])),
                "conf_low": y[i] - z * se[i],
                "conf_high": y[i] + z * se[i],
                "row": "site",
                "weight": self.weights[i],
                "blup": self.blup[i],
                "blup_std_error": self.blup_std_error[i],
                "blup_low": self.blup_int[i, 0],
                "blup_high": self.blup_int[i, 1],
            }
            if self.from_data:
                n1, n0 = self.n_treated[i], self.n_control[i]
                row.update(n_treated=n1, n_control=n0, min_arm=min(n1, n0))
            rows.append(row)
        for method, m in self.models.iterrows():
            row = {
                "term": _MODEL_TERMS[method],
                **{c: m[c] for c in ("estimate", "std_error", "statistic", "p_value")},
                "conf_low": m["conf_low"],
                "conf_high": m["conf_high"],
                "row": "pooled",
                "weight": 100.0,
                "tau2": m["tau2"],
                "i2": m["i2"],
                "q": self.q,
                "q_p_value": self.q_p_value,
                "pi_low": m["pi_low"],
                "pi_high": m["pi_high"],
            }
            if self.from_data:  # the pooled rows rest on every site's arms
                row.update(
                    n_treated=int(sum(self.n_treated)),
                    n_control=int(sum(self.n_control)),
                    min_arm=int(min(min(self.n_treated), min(self.n_control))),
                )
            rows.append(row)
        frame = pd.DataFrame(rows)
        for column in _EXTRA_NUMBERS:
            if column not in frame.columns:
                frame[column] = np.nan
        return frame.to_dict("records")

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Site effects from person-level data rest on the site arm sizes: ``n_treated``,
        ``n_control`` and ``min_arm`` (the smallest arm the row rests on: for the pooled
        rows, the smallest arm of any site) are declared as counts and every number as
        resting on them. Published estimates carry no counts (``counts=[]``)."""
        numbers = [c for c in (*_CORE_NUMBERS, *_EXTRA_NUMBERS) if c in frame.columns]
        if self.from_data:
            return declare_table(
                frame, counts=["n_treated", "n_control", "min_arm"], dependent=numbers
            )
        return declare_table(frame, counts=[])

    # -- text -------------------------------------------------------------------------
    def _header(self) -> list[str]:
        kind = "fixed effect" if self.method == "FE" else f"random effects, {self.method}"
        lines = [f"Pooled effect over {self.k} sites ({kind})"]
        if self.outcome is not None:
            total = f"treated {sum(self.n_treated)}, control {sum(self.n_control)}"
            lines.append(f"Outcome: {self.outcome}    Treatment: {self.treatment} ({total})")
        else:
            lines.append("Site estimates as given (estimate and SE per site; no counts)")
        return lines

    def _details(self) -> list[str]:
        level = f"{100 * (1 - self.alpha):g}%"
        lines = [
            f"tau2 = {fmt_value(self.tau2)} [{fmt_value(self.tau2_int[0])}, "
            f"{fmt_value(self.tau2_int[1])}], I2 = {fmt_value(self.i2)}% "
            f"[{fmt_value(self.i2_int[0])}, {fmt_value(self.i2_int[1])}], "
            f"H2 = {fmt_value(self.h2)} ({level} Q-profile intervals)",
            f"Q = {fmt_value(self.q)} on {self.q_df} df, p = {fmt_p_value(self.q_p_value)}",
            f"{level} prediction interval ({self.prediction}): "
            f"[{fmt_value(self.pred_int[0])}, {fmt_value(self.pred_int[1])}]",
        ]
        for method, m in self.models.iterrows():
            if method != self.method:
                lines.append(
                    f"{_MODEL_TERMS[method]}: {fmt_value(m['estimate'])} "
                    f"[{fmt_value(m['conf_low'])}, {fmt_value(m['conf_high'])}]"
                )
        return lines

    # -- figure -----------------------------------------------------------------------
    def plot(self, lang: str = "en", **kwargs):
        """Forest plot of the sites with the pooled effect of ``method`` as a diamond
        (:func:`evalkit.report.forest_plot`; keyword arguments go to it); for a random
        effects model the prediction interval is a thin line through the diamond and a
        note under the figure gives tau² and I² with their Q-profile intervals. Site effects
        from person-level data are disclosure-controlled at 5 by default; published
        estimates are drawn exactly (``disclosure=None``: declare ``source="published"``
        when saving)."""
        from ..report.labels import (
            format_interval,
            format_level,
            format_number,
            format_percent,
            label,
            term,
        )
        from ..report.plots import forest_plot

        z = stats.norm.isf(self.alpha / 2.0)
        rows = []
        for i, site in enumerate(self.sites):
            y, se = float(self.site_estimates[i]), float(self.site_std_errors[i])
            rows.append(
                EffectResult(
                    estimate=y, std_error=se, conf_int=(y - z * se, y + z * se),
                    p_value=float(2.0 * stats.norm.sf(abs(y / se))), statistic=y / se,
                    df=None, n_treated=self.n_treated[i] if self.from_data else 0,
                    n_control=self.n_control[i] if self.from_data else 0,
                    method="Site effect", outcome=site,
                    treatment=self.treatment or "treatment", alpha=self.alpha,
                )
            )  # fmt: skip
        if self.method == "FE":
            name = label("pooled_fixed", lang)
        else:
            name = label("pooled_random", lang, method=self.method)
        kwargs.setdefault("disclosure", 5 if self.from_data else None)
        pooled = [(name, self.estimate, *self.conf_int, *self.pred_int)]
        if self.method == "FE":  # its "prediction interval" is the confidence interval
            pooled = [pooled[0][:4]]
        else:
            digits = 3 if self.tau2 < 1 else 1
            kwargs.setdefault("note", label(
                "heterogeneity_note", lang, level=format_level(self.alpha, lang),
                tau2=format_number(self.tau2, digits, lang),
                tau2_int=format_interval(*self.tau2_int, digits, lang),
                i2=format_percent(self.i2 / 100.0, 0, lang),
                i2_int=format_interval(*self.i2_int, 0, lang),
            ))  # fmt: skip
        # site names from the data are shown in the reader's language where the label
        # catalogue knows them ("Synthetic site 3" -> "Syntetisk sted 3")
        names = [term(site, lang) for site in self.sites]
        return forest_plot(rows, labels=names, lang=lang, pooled=pooled, **kwargs)


_CORE_NUMBERS = ("estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high")


# --------------------------------------------------------------------------- fitting
def _dl(y: np.ndarray, v: np.ndarray) -> float:
    w = 1.0 / v
    mu = np.sum(w * y) / np.sum(w)
    q = np.sum(w * (y - mu) ** 2)
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    return max(0.0, (q - (len(y) - 1)) / c) if c > 0 else 0.0


def _reml(y: np.ndarray, v: np.ndarray, start: float) -> float:
    """REML ``tau2`` by Fisher scoring (metafor's algorithm), truncated at 0."""
    tau2 = max(start, 0.0)
    for _ in range(10_000):
        w = 1.0 / (v + tau2)
        sw = w.sum()
        mu = np.sum(w * y) / sw
        py = w * (y - mu)
        tr_p = sw - np.sum(w**2) / sw
        tr_pp = np.sum(w**2) - 2.0 * np.sum(w**3) / sw + (np.sum(w**2) / sw) ** 2
        new = max(0.0, tau2 + (py @ py - tr_p) / tr_pp)
        if abs(new - tau2) <= 1e-13 * max(1.0, tau2):
            return new
        tau2 = new
    warnings.warn(
        "REML estimate of tau2 did not converge in 10,000 Fisher scoring steps; use method='DL'.",
        ConvergenceWarning,
        stacklevel=3,
    )
    return tau2


def _generalized_q(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    w = 1.0 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    return float(np.sum(w * (y - mu) ** 2))


def q_profile_interval(y: np.ndarray, v: np.ndarray, alpha: float) -> tuple[float, float]:
    """Q-profile confidence interval of ``tau2`` (Viechtbauer 2007; metafor ``confint``).

    >>> lo, hi = q_profile_interval(np.array([0.1, 0.3, 0.05, 0.22]),
    ...                             np.array([0.05, 0.08, 0.06, 0.10]) ** 2, 0.05)
    >>> lo, round(hi, 4)
    (0.0, 0.174)
    """
    k = len(y)
    bounds = []
    for target in (stats.chi2.isf(alpha / 2.0, k - 1), stats.chi2.ppf(alpha / 2.0, k - 1)):
        if _generalized_q(y, v, 0.0) <= target:
            bounds.append(0.0)
            continue
        high = max(float(np.var(y, ddof=1)), float(v.max()), 1e-12)
        while _generalized_q(y, v, high) > target:  # Q(tau2) -> 0 as tau2 grows
            high *= 10.0
        root = optimize.brentq(
            lambda t, q=target: _generalized_q(y, v, t) - q, 0.0, high, xtol=1e-15, rtol=1e-13,
            maxiter=1000,
        )  # fmt: skip
        bounds.append(float(root))
    return bounds[0], bounds[1]


def _fit(y, v, tau2, vt, q, k, alpha, prediction) -> dict:
    w = 1.0 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    se = 1.0 / math.sqrt(np.sum(w))
    z = stats.norm.isf(alpha / 2.0)
    if tau2 == 0.0 and vt is None:  # the fixed-effect model
        i2 = max(0.0, 100.0 * (q - (k - 1)) / q) if q > 0 else 0.0
        h2 = q / (k - 1) if k > 1 else np.nan
        pi = (mu - z * se, mu + z * se)
    else:
        i2 = 100.0 * tau2 / (vt + tau2)
        h2 = (vt + tau2) / vt
        crit = z if prediction == "normal" else stats.t.isf(alpha / 2.0, k - 2)
        half = crit * math.sqrt(se**2 + tau2)
        pi = (mu - half, mu + half)
    lam = tau2 / (tau2 + v)
    blup = lam * y + (1.0 - lam) * mu
    blup_se = np.sqrt(lam * v + (1.0 - lam) ** 2 * se**2)
    return {
        "estimate": mu, "std_error": se, "statistic": mu / se,
        "p_value": 2.0 * stats.norm.sf(abs(mu / se)), "conf_low": mu - z * se,
        "conf_high": mu + z * se, "tau2": tau2, "i2": i2, "h2": h2, "pi_low": pi[0],
        "pi_high": pi[1], "_weights": 100.0 * w / w.sum(), "_blup": blup,
        "_blup_se": blup_se,
    }  # fmt: skip


def pool_sites(
    estimates: Sequence[float],
    std_errors: Sequence[float],
    sites: Sequence[str] | None = None,
    method: str = "REML",
    alpha: float = 0.05,
    prediction: str = "normal",
) -> SitePooling:
    """Pool the sites' published effects: fixed effect and random effects (DL, REML).

    Parameters
    ----------
    estimates, std_errors : one effect and its standard error per site (at least two
        sites; standard errors positive).
    sites : site names (default ``"site 1"``, ...).
    method : the model of the result's ``estimate``: ``"REML"`` (default), ``"DL"`` or
        ``"FE"``; every model is in ``models`` and ``to_frame()``.
    alpha : 1 minus the level of the intervals.
    prediction : ``"normal"`` (metafor's ``predict``) or ``"t"`` (``k-2`` df, Higgins,
        Thompson & Spiegelhalter 2009).

    Returns
    -------
    SitePooling
        Equal to ``metafor::rma(yi, sei=..., method=...)`` with ``predict()``,
        ``blup()`` and ``weights()`` (see the module docstring). The estimates are
        published figures, so ``to_frame()`` declares no counts.
    """
    return _pool(estimates, std_errors, sites, method, alpha, prediction)


def _pool(
    estimates, std_errors, sites, method, alpha, prediction, counts=None,
    names=(None, None), site_results=None,
) -> SitePooling:  # fmt: skip
    check_alpha(alpha)
    if method not in METHODS:
        raise ArgumentError(f"method must be one of {METHODS}; got {method!r}.")
    if prediction not in PREDICTIONS:
        raise ArgumentError(f"prediction must be one of {PREDICTIONS}; got {prediction!r}.")
    try:
        y = np.asarray(estimates, dtype=float).ravel()
        se = np.asarray(std_errors, dtype=float).ravel()
    except (TypeError, ValueError) as error:
        raise ArgumentError(f"estimates and std_errors must be numbers: {error}") from None
    if y.shape != se.shape:
        raise ArgumentError(
            f"estimates has {y.size} values and std_errors {se.size}; give one per site."
        )
    if y.size < 2:
        raise ArgumentError(f"pooling needs at least two sites; got {y.size}.")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(se)) and np.all(se > 0)):
        raise ArgumentError("estimates must be finite and std_errors finite and positive.")
    if sites is None:
        sites = [f"site {i + 1}" for i in range(y.size)]
    sites = tuple(str(s) for s in sites)
    if len(sites) != y.size:
        raise ArgumentError(f"sites has {len(sites)} names for {y.size} estimates.")
    k = y.size
    v = se**2
    w = 1.0 / v
    mu_fe = np.sum(w * y) / np.sum(w)
    q = float(np.sum(w * (y - mu_fe) ** 2))
    vt = (k - 1) / (np.sum(w) - np.sum(w**2) / np.sum(w))
    tau_dl = _dl(y, v)
    fits = {
        "FE": _fit(y, v, 0.0, None, q, k, alpha, prediction),
        "DL": _fit(y, v, tau_dl, vt, q, k, alpha, prediction),
        "REML": _fit(y, v, _reml(y, v, tau_dl), vt, q, k, alpha, prediction),
    }
    models = pd.DataFrame(
        {m: {c: f[c] for c in f if not c.startswith("_")} for m, f in fits.items()}
    ).T.astype(float)
    models.index.name = "method"
    chosen = fits[method]
    n_treated, n_control = counts if counts is not None else (None, None)
    z = stats.norm.isf(alpha / 2.0)
    tau2_int = q_profile_interval(y, v, alpha)
    blup, blup_se = chosen["_blup"], chosen["_blup_se"]
    return SitePooling(
        estimate=float(chosen["estimate"]),
        std_error=float(chosen["std_error"]),
        conf_int=(float(chosen["conf_low"]), float(chosen["conf_high"])),
        p_value=float(chosen["p_value"]),
        statistic=float(chosen["statistic"]),
        method=method,
        tau2=float(chosen["tau2"]),
        i2=float(chosen["i2"]),
        h2=float(chosen["h2"]),
        q=q,
        q_df=k - 1,
        q_p_value=float(stats.chi2.sf(q, k - 1)),
        pred_int=(float(chosen["pi_low"]), float(chosen["pi_high"])),
        prediction=prediction,
        tau2_int=tau2_int,
        i2_int=tuple(100.0 * t / (vt + t) for t in tau2_int),
        h2_int=tuple((vt + t) / vt for t in tau2_int),
        models=models,
        sites=sites,
        site_estimates=y,
        site_std_errors=se,
        weights=chosen["_weights"],
        blup=blup,
        blup_std_error=blup_se,
        blup_int=np.column_stack([blup - z * blup_se, blup + z * blup_se]),
        alpha=alpha,
        n_treated=n_treated,
        n_control=n_control,
        outcome=names[0],
        treatment=names[1],
        site_results=site_results,
    )


def pool_sites_from_data(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    site: str,
    estimator: Callable[..., EffectResult] = difference_in_means,
    method: str = "REML",
    alpha: float = 0.05,
    prediction: str = "normal",
) -> SitePooling:
    """Estimate each site's effect from person-level data, then pool them (:func:`pool_sites`).

    ``estimator(site_data, outcome, treatment)`` gives each site's effect and standard
    error (default :func:`~evalkit.effects.difference_in_means`: the Neyman standard
    error, equal to metafor's ``escalc(measure="MD")`` variance); sites are taken in
    the order they first appear. The result keeps each site's arm sizes, which
    ``to_frame()`` declares as counts (a site arm of 1 to 4 persons suppresses that
    site's row and the pooled rows in an export, and every number in the views).

    Example
    -------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> d = pd.DataFrame({"site": np.repeat(["A", "B", "C"], 40), "t": np.tile([0, 1], 60)})
    >>> d["y"] = rng.normal(0, 1, 120) + 0.5 * d["t"]
    >>> r = pool_sites_from_data(d, "y", "t", "site")
    >>> r.n_treated, r.k
    ((20, 20, 20), 3)
    """
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(f"data must be a pandas DataFrame; got {type(data).__name__}.")
    for column in (outcome, treatment, site):
        if column not in data.columns:
            raise ColumnError(f"column {column!r} is not in data.")
    if data[site].isna().any():
        raise ArgumentError(f"site column {site!r} has missing values.")
    results, names = [], []
    for value in pd.unique(data[site]):
        part = data.loc[data[site] == value].reset_index(drop=True)
        try:
            result = estimator(part, outcome, treatment)
        except Exception as error:
            raise type(error)(f"site {value!r}: {error}") from error
        results.append(result)
        names.append(str(value))
    return _pool(
        [r.estimate for r in results],
        [r.std_error for r in results],
        names,
        method,
        alpha,
        prediction,
        counts=(
            tuple(int(r.n_treated) for r in results),
            tuple(int(r.n_control) for r in results),
        ),  # fmt: skip
        names=(outcome, treatment),
        site_results=tuple(results),
    )
