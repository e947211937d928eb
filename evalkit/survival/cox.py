"""Cox proportional hazards model for spells in weekly registers and randomized trials.

:func:`cox` fits the Cox (1972) model by maximising the partial likelihood with
Newton-Raphson, handles tied times by Efron's (1977) or Breslow's approximation,
stratified baselines, counting-process data (start, stop] with recurrent events
(Andersen & Gill 1982), case weights, and robust (sandwich) variances by row or
by cluster (Lin & Wei 1989). It reproduces R's ``survival::coxph`` (Therneau)
to 1e-6 or better; ``CoxResult.ph_test`` reproduces ``survival::cox.zph``.

The model
---------
The hazard of row ``i`` at time ``t`` is ``h0_s(t) exp(x_i'b)``, with a baseline
``h0_s`` per stratum ``s``. Let the distinct event times (per stratum) be ``t``,
``D_t`` the rows with an event at ``t`` (``d_t`` of them, total weight ``w_t``), and
the risk set ``R_t = {i : start_i < t <= stop_i}`` (``start_i = 0`` without entry
times). With ``r_i = w_i exp(x_i'b)``, ``S0 = sum_R r_i``, ``S1 = sum_R r_i x_i``,
``S2 = sum_R r_i x_i x_i'``, and the same sums over the tied events ``D_t``
written ``S0e, S1e, S2e``, Efron's log partial likelihood is::

    l(b) = sum_t [ sum_{i in D_t} w_i x_i'b
                   - (w_t / d_t) sum_{k=0}^{d_t-1} log(S0 - (k/d_t) S0e) ]

(Efron 1977; Therneau & Grambsch 2000, sec. 3.3). Breslow's approximation keeps
only ``k = 0``: ``- w_t log S0``. The score and information follow by
differentiating; with ``D_k = S0 - (k/d) S0e`` and ``m_k = (S1 - (k/d) S1e) / D_k``::

    U(b) = sum_t [ sum_{D_t} w_i x_i - (w_t/d_t) sum_k m_k ]
    I(b) = sum_t (w_t/d_t) sum_k [ (S2 - (k/d) S2e) / D_k - m_k m_k' ]

Computation: rows are sorted once by (stratum, event time, status); each row gets
the index of the last event time at or before its stop time (and, with entry times,
at or before its entry), so that the risk sets are reverse cumulative sums over the
event times within strata, minus the sums of the rows that have not entered yet
(risk set at ``t`` = ``{start < t <= stop}``). With few distinct event times (weekly
data, heavy ties) the products ``r (1, x, x x')`` are summed per (time, status)
block of the sorted rows by one ``np.add.reduceat`` (in cache-sized chunks) and then
cumulated over the event times; with many (continuous times) the reverse cumulative
sums run over the rows directly and the ``S2`` part of the information is one
weighted cross-product of the rows, ``sum_i r_i x_i x_i' sum_{t at risk} (w_t/d_t)
sum_k 1/D_k``. The Efron terms of all event times are evaluated at once: the sums over
``k`` reduce to five scalars per event time (``sum 1/D_k``, ``sum (k/d)/D_k``,
``sum 1/D_k^2``, ``sum (k/d)/D_k^2``, ``sum (k/d)^2/D_k^2``) computed on arrays expanded
by ``np.repeat`` to one entry per tied event. No Python loop runs over rows or event
times: a weekly register with a million rows, five covariates and 520 distinct weeks
fits in about half a second (see ``benchmarks/bench_cox.py``).

Newton-Raphson starts at ``b = 0``, halves a step that lowers the log-likelihood,
and stops when the Newton step is below ``1e-9`` relative to the coefficients; that
last step is applied (the next one would be of order ``1e-18``), so the coefficients
are the maximum to about ``1e-14``. A coefficient that keeps moving by similar steps
while the log-likelihood gains less and less (a monotone likelihood: a covariate
that separates the events, e.g. every row with the covariate at its largest value
fails before any other row) is reported as a :class:`~evalkit.errors.DesignError`
naming the covariate; constant (within strata) and collinear covariates raise one
before fitting.

Variances
---------
The model-based variance is ``I(b)^-1``. The robust variance (``robust=True`` or
``cluster=``) is the sandwich ``D'D`` (Lin & Wei 1989; Therneau & Grambsch 2000,
sec. 7.2), where the rows of ``D = w_i L_i I^-1`` are the dfbeta residuals, ``L_i``
the score residuals::

    L_i = int (x_i - xbar(t)) dM_i(t),  dM_i(t) = dN_i(t) - Y_i(t) exp(x_i'b) dLambda0(t)

For Efron ties the residuals of the tied events weight the ``k``-th pseudo
event by ``1 - k/d`` exactly as R's ``residuals(fit, "score")`` (``coxscore2``,
``agscore3``). With ``cluster=`` the rows of ``D`` are summed within clusters
before forming ``D'D`` (Andersen-Gill recurrent events with person-level
clusters). Hazard-ratio intervals use the robust standard error when there is one,
as R's ``summary.coxph``; so does the Wald test. The score test is the log-rank
type test ``U(0)' I(0)^-1 U(0)``; with a robust variance the robust score test of R
is reported too.

Concordance
-----------
Harrell's C as ``coxph`` reports it (``concordancefit(..., reverse = TRUE,
timefix = FALSE)``): over pairs where one row has an event at ``t`` and the other
is in the risk set at ``t`` and not an event at ``t`` (same stratum), the share
where the event has the larger linear predictor, ties in the predictor counting
one half. Its standard error is R's infinitesimal-jackknife one (summed by
cluster when ``cluster=`` is given). The pair counts come from a vectorised
wavelet (bit-by-bit) partition of the rows in linear-predictor order against
their event-time index: ``O(n log T)`` numpy passes, no loop over rows.
It is computed on first access of ``CoxResult.concordance`` (or ``concordance_se``,
or the summary) and then kept: at a million rows it costs about as much as the fit, so a
fit whose C is never looked at does not pay for it.

Proportional hazards test
-------------------------
``CoxResult.ph_test(transform)`` is the score test of Grambsch & Therneau (1994)
as ``survival::cox.zph`` (survival >= 3.0) computes it: add ``x * g(t)`` for each
covariate, ``g`` the centred time transform (``"km"``: ``1 - KM(t-)`` of all rows;
``"rank"``, ``"identity"``, ``"log"``), and test the added coefficients at zero
with the full ``2p x 2p`` information at the fitted ``b``; one test per covariate
(a text covariate's dummy columns together) and a global test.

Where the Python peers differ
-----------------------------
The issue that filed this work reported that lifelines' Efron robust standard
errors are about 3.5 % off R and statsmodels' about 0.6 %, and that statsmodels
treats delayed entry as ``[entry, stop]``, about 3 % off on recurrent events. Checked
on the same data (``tests/test_cox.py``, lifelines 0.30.3, statsmodels 0.15.0):

- lifelines ``CoxPHFitter`` (Efron): coefficients agree with R to about 1e-5
  relative (its convergence tolerance). Its robust standard errors differ from R's
  by 0.1-0.6 % on veteran (``robust=True``), 0.04-0.1 % on lung clustered by
  institution, 0.01-0.4 % on weekly colon (``robust=True``, heavy ties) and
  0.01-0.6 % on weekly lung clustered by institution: different from R, as
  reported, but we did not see 3.5 % on these data with this version. Its
  ``CoxTimeVaryingFitter`` handles (start, stop] correctly (coefficients to 1e-9,
  model-based errors to 2e-6 on cgd and bladder2) but has no robust variance, so
  no Andersen-Gill person-clustered errors.
- statsmodels ``PHReg`` (Efron): coefficients and model-based standard errors agree
  with R to about 1e-13; its robust (``groups=``) standard errors differ by
  0.5-0.8 % (veteran), 0.3-0.4 % (lung by institution), 0.02-0.8 % (weekly colon)
  and 1.2-2.5 % (weekly lung by institution). With ``entry=`` it keeps a row in
  the risk set at its own entry time, ``[entry, stop]``: on the counting-process
  data sets, where one interval starts when the previous one ends, coefficients
  are off by 1.7 % (cgd) and 5.1 % (bladder2) and robust errors by 4.7 % and 8 %;
  adding 1e-7 to the entry times reproduces R's coefficients to 1e-9, which
  confirms the cause.

Example
-------
>>> import numpy as np, pandas as pd
>>> from evalkit.survival.cox import cox
>>> data = pd.DataFrame({
...     "weeks": [3, 5, 5, 8, 9, 12, 12, 15, 20, 26, 30, 40],
...     "exit":  [1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 0],
...     "treated": [0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 1, 1],
...     "age": [25, 41, 33, 52, 29, 47, 38, 31, 56, 27, 44, 36]})
>>> fit = cox(data, "weeks", "exit", ["treated", "age"])
>>> fit.terms
['treated', 'age']
>>> bool(fit.hazard_ratio[0] < 1)
True
>>> fit.ph_test().columns.tolist()
['term', 'chisq', 'df', 'p']

References
----------
Andersen, P. K. & Gill, R. D. (1982). Cox's regression model for counting processes.
Annals of Statistics 10, 1100-1120.
Cox, D. R. (1972). Regression models and life-tables. JRSS B 34, 187-220.
Efron, B. (1977). The efficiency of Cox's likelihood function for censored data.
JASA 72, 557-565.
Grambsch, P. M. & Therneau, T. M. (1994). Proportional hazards tests and diagnostics
based on weighted residuals. Biometrika 81, 515-526.
Harrell, F. E., Califf, R. M., Pryor, D. B., Lee, K. L. & Rosati, R. A. (1982).
Evaluating the yield of medical tests. JAMA 247, 2543-2546.
Lin, D. Y. & Wei, L. J. (1989). The robust inference for the Cox proportional hazards
model. JASA 84, 1074-1078.
Therneau, T. M. & Grambsch, P. M. (2000). Modeling Survival Data: Extending the Cox
Model. Springer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import linalg, stats

from .._arm import arm_first
from .._validation import (
    as_column_list,
    check_alpha,
    check_choice,
    covariate_matrix,
    numeric_column,
)
from ..errors import ArgumentError, DesignError
from ..output.declare import declare_table
from ..results import InferentialResult
from ..results import fmt_p_value as _fmt_p
from ..results import fmt_value as _fmt
from ._cox_data import CoxFitData, fit_data
from ._input import survival_data

TIES = ("efron", "breslow", "exact")
ZPH_TRANSFORMS = ("km", "rank", "identity", "log")
_MAX_ITER = 50
_STEP_TOL = 1e-9

__all__ = ["ChiSquareTest", "CoxResult", "cox"]


class ChiSquareTest(NamedTuple):
    """A chi-square test: statistic, degrees of freedom and upper-tail p-value."""

    statistic: float
    df: int
    p_value: float


def _chisq(statistic: float, df: int) -> ChiSquareTest:
    statistic = float(statistic)
    return ChiSquareTest(statistic, int(df), float(stats.chi2.sf(statistic, df)))


# ---------------------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CoxResult(InferentialResult):
    """A fitted Cox proportional hazards model.

    The surface of every inferential result (:class:`evalkit.results.InferentialResult`)
    is that of the FIRST term (the arm when ``cox(..., treatment=)`` is given: it goes
    in first), on the log scale, as broom's ``tidy(coxph)``:

    - ``estimate``: its coefficient, the log hazard ratio (``exp(estimate)`` is the
      hazard ratio, ``hazard_ratio[0]``);
    - ``std_error``: the standard error behind the test and the interval (the robust one
      when there is a robust variance, else the model-based one);
    - ``conf_int``: the ``1 - alpha`` Wald interval of the log hazard ratio
      (``hr_conf_int[0]`` is the same interval on the hazard-ratio scale);
    - ``statistic``, ``p_value``: its Wald z and two-sided p-value.

    Attributes
    ----------
    coefficients : log hazard ratios, one per term (numpy array).
    naive_std_error : model-based standard errors per term, ``sqrt(diag(I^-1))`` (R's
        ``se(coef)``).
    robust_std_error : sandwich standard errors per term (by row, or by cluster), or None.
    hazard_ratio : ``exp(coefficients)``.
    hr_conf_int : ``(len(terms), 2)`` array, the ``1 - alpha`` interval of each hazard
        ratio (normal on the log scale, with the robust standard error when there is one).
    statistics, p_values : Wald z and its two-sided p-value per term (robust when robust).
    loglik, loglik_null : log partial likelihood at the estimate and at zero.
    lr_test, wald_test, score_test : :class:`ChiSquareTest` of all coefficients zero;
        the Wald test uses the robust variance when there is one (as R).
    robust_score_test : R's robust score test (with a robust variance), else None.
    concordance, concordance_se : Harrell's C as R's ``coxph`` and its standard error,
        computed on first access (they need a pass over every pair of rows in the risk
        sets, which costs about as much as the fit itself) and kept; a fit from chunks
        (:func:`cox_chunked`) has none and raises on access.
    n, n_events, iterations : rows used, events, Newton-Raphson iterations.
    ties, terms : the tie method and the term names (``column[level]`` for dummies).
    variance : the variance used for inference (robust when there is one).
    """

    coefficients: np.ndarray
    naive_std_error: np.ndarray
    robust_std_error: np.ndarray | None
    hazard_ratio: np.ndarray
    hr_conf_int: np.ndarray
    statistics: np.ndarray
    p_values: np.ndarray
    loglik: float
    loglik_null: float
    lr_test: ChiSquareTest
    wald_test: ChiSquareTest
    score_test: ChiSquareTest
    robust_score_test: ChiSquareTest | None
    n: int
    n_events: int
    iterations: int
    ties: str
    terms: list[str]
    variance: np.ndarray = field(repr=False)
    naive_variance: np.ndarray = field(repr=False)
    duration: str = ""
    event: str = ""
    entry: str | None = None
    strata: str | None = None
    cluster: str | None = None
    n_clusters: int | None = None
    n_strata: int = 1
    alpha: float = 0.05
    _zph: _ZphData | None = field(default=None, repr=False, compare=False)
    _concordance_input: tuple | None = field(default=None, repr=False, compare=False)
    _concordance_value: list = field(default_factory=list, repr=False, compare=False)
    offset: str | None = None
    _data: CoxFitData | None = field(default=None, repr=False, compare=False)

    def baseline_hazard(self, times=None) -> pd.DataFrame:
        """The baseline cumulative hazard (covariates and offset 0), as R's
        ``basehaz(fit, centered = FALSE)``; see :func:`evalkit.survival.baseline_hazard`."""
        from .cox_curves import baseline_hazard

        return baseline_hazard(self, times)

    def predict_survival(self, profiles: pd.DataFrame, times=None, alpha=None) -> pd.DataFrame:
        """Predicted survival curves for covariate ``profiles`` with log-type intervals, as
        R's ``survfit(fit, newdata = profiles)``; see
        :func:`evalkit.survival.predict_survival`."""
        from .cox_curves import predict_survival

        return predict_survival(self, profiles, times, alpha)

    def adjusted_survival(self, treatment=None, arms=(0, 1), times=None, tau=None, alpha=None):
        """Covariate-adjusted survival curves by arm (direct standardisation) and the
        adjusted RMST difference; see :func:`evalkit.survival.adjusted_survival`."""
        from .cox_curves import adjusted_survival

        return adjusted_survival(self, treatment, arms, times, tau, alpha)

    def residuals(self, kind: str = "martingale") -> pd.DataFrame:
        """Residuals as R's ``residuals.coxph(fit, type = kind)``: ``"martingale"``,
        ``"deviance"``, ``"score"``, ``"schoenfeld"``, ``"scaledsch"``, ``"dfbeta"``,
        ``"dfbetas"``; see :func:`evalkit.survival.cox_residuals`."""
        from .cox_residuals import cox_residuals

        return cox_residuals(self, kind)

    def _concordance_pair(self) -> tuple[float, float]:
        if not self._concordance_value:
            if self._concordance_input is None:
                raise ArgumentError(
                    "this Cox fit has no concordance: it was fitted from chunks "
                    "(cox_chunked), and Harrell's C compares pairs of rows across all of "
                    "them. Fit cox() on the rows in memory (or a sample of them) for C."
                )
            self._concordance_value.append(_concordance(*self._concordance_input))
        return self._concordance_value[0]

    @property
    def concordance(self) -> float:
        """Harrell's C as R's ``coxph`` reports it (computed on first access)."""
        return self._concordance_pair()[0]

    @property
    def concordance_se(self) -> float:
        """The infinitesimal-jackknife standard error of Harrell's C (R's ``coxph``)."""
        return self._concordance_pair()[1]

    @property
    def robust(self) -> bool:
        """True when inference uses a robust (sandwich) variance."""
        return self.robust_std_error is not None

    @property
    def std_errors(self) -> np.ndarray:
        """The standard error of each term behind its test and interval (robust when
        there is a robust variance, else model-based)."""
        return self.robust_std_error if self.robust else self.naive_std_error

    @property
    def estimate(self) -> float:
        """The first term's log hazard ratio (the arm's with ``treatment=``)."""
        return float(self.coefficients[0])

    @property
    def std_error(self) -> float:
        """The first term's standard error (robust when there is a robust variance)."""
        return float(self.std_errors[0])

    @property
    def conf_int(self) -> tuple[float, float]:
        """The first term's ``1 - alpha`` interval of the log hazard ratio."""
        low, high = self._log_conf_int()[0]
        return float(low), float(high)

    def _log_conf_int(self) -> np.ndarray:
        """``(len(terms), 2)``: the Wald intervals of the log hazard ratios (the log of
        ``hr_conf_int``)."""
        crit = stats.norm.isf(self.alpha / 2)
        se = self.std_errors
        return np.column_stack([self.coefficients - crit * se, self.coefficients + crit * se])

    @property
    def statistic(self) -> float:
        """The first term's Wald z."""
        return float(self.statistics[0])

    @property
    def p_value(self) -> float:
        """The first term's two-sided Wald p-value."""
        return float(self.p_values[0])

    def _rows(self) -> list[dict]:
        """One row per term: the core columns on the log scale (estimate = coefficient,
        std_error the one used, z, p-value, Wald interval of the log hazard ratio), then
        naive_std_error (model-based; only with a robust variance), hazard_ratio,
        hr_conf_low, hr_conf_high (hazard-ratio scale), n and n_events."""
        se = self.std_errors
        log_ci = self._log_conf_int()
        rows = []
        for i, term in enumerate(self.terms):
            row = {
                "term": term,
                "estimate": self.coefficients[i],
                "std_error": se[i],
                "statistic": self.statistics[i],
                "p_value": self.p_values[i],
                "conf_low": log_ci[i, 0],
                "conf_high": log_ci[i, 1],
            }
            if self.robust:
                row["naive_std_error"] = self.naive_std_error[i]
            row["hazard_ratio"] = self.hazard_ratio[i]
            row["hr_conf_low"] = self.hr_conf_int[i, 0]
            row["hr_conf_high"] = self.hr_conf_int[i, 1]
            row["n"] = self.n
            row["n_events"] = self.n_events
            rows.append(row)
        return rows

    def to_frame(self) -> pd.DataFrame:
        """A tidy frame, one row per term (as broom's ``tidy(coxph)``: log scale).

        Columns: term, estimate (log hazard ratio), std_error (robust when there is a
        robust variance, else model-based), statistic (z), p_value, conf_low, conf_high
        (interval of the log hazard ratio), naive_std_error (the model-based standard
        error, R's ``se(coef)``; only with a robust variance), hazard_ratio, hr_conf_low,
        hr_conf_high (hazard-ratio scale), and the model's n (rows used) and n_events on
        every row.

        Declared for the output gate: n and n_events are counts of persons (rows) and
        events; every coefficient rests on them, so a model on fewer events than the
        threshold is suppressed whole.
        """
        return super().to_frame()

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        counts = ["n", "n_events"]
        dependent = [c for c in frame.columns if c not in ("term", *counts)]
        return declare_table(frame, counts=counts, dependent=dependent)

    def _header(self) -> list[str]:
        model = f"Cox proportional hazards model ({self.ties} ties)"
        outcome = (
            f"Outcome: ({self.entry}, {self.duration}], event {self.event}"
            if self.entry
            else f"Outcome: {self.duration}, event {self.event}"
        )
        counts = f"n = {self.n}, events = {self.n_events}"
        if self.strata:
            counts += f", strata: {self.strata} ({self.n_strata})"
        if self.cluster:
            counts += f", clusters: {self.cluster} ({self.n_clusters})"
        elif self.robust:
            counts += ", robust variance by row"
        return [model, outcome, counts]

    def _footer(self) -> list[str]:
        def line(name: str, test: ChiSquareTest) -> str:
            return f"{name:<22}{test.statistic:10.4g} on {test.df} df, p = {_fmt_p(test.p_value)}"

        lines = []
        if self._concordance_input is not None:
            lines.append(f"Concordance = {self.concordance:.4f} (se = {self.concordance_se:.4f})")
        lines += [
            line("Likelihood ratio test", self.lr_test),
            line("Wald test" + (" (robust)" if self.robust else ""), self.wald_test),
            line("Score (log-rank) test", self.score_test),
        ]
        if self.robust_score_test is not None:
            lines.append(line("Robust score test", self.robust_score_test))
        lines.append(
            f"Log-likelihood: {self.loglik:.6g} (null {self.loglik_null:.6g}), "
            f"{self.iterations} Newton-Raphson iterations"
        )
        return lines

    def summary(self) -> str:
        """A readable text block like R's ``summary(coxph)``."""
        level = f"{100 * (1 - self.alpha):g}%"

        def shown(values, fmt=_fmt) -> list[str]:
            return [fmt(float(v)) for v in values]

        table = pd.DataFrame(index=list(self.terms))
        table["coef"] = shown(self.coefficients)
        table["exp(coef)"] = shown(self.hazard_ratio)
        table["se(coef)"] = shown(self.naive_std_error)
        if self.robust:
            table["robust se"] = shown(self.robust_std_error)
        table["z"] = shown(self.statistics)
        table["p"] = shown(self.p_values, _fmt_p)
        table[f"HR {level} low"] = shown(self.hr_conf_int[:, 0])
        table[f"HR {level} high"] = shown(self.hr_conf_int[:, 1])
        return "\n".join(self._header() + [table.to_string()] + self._footer())

    def _view_counts(self) -> dict:
        """Persons (rows used) and events, for the disclosure control of the views."""
        return {"persons": self.n, "events": self.n_events}

    def _after_lines(self) -> list[str]:
        return self._footer()

    def ph_test(self, transform: str = "km") -> pd.DataFrame:
        """Test of proportional hazards, as R's ``survival::cox.zph`` (survival >= 3.0).

        For each covariate ``x_j`` the model is extended by ``x_j g(t)``, ``g`` a time
        transform centred at its mean over the events; the score test of the added
        coefficients at zero (Grambsch & Therneau 1994) uses the score
        ``u_j = sum_t g(t) [sum_{D_t} w_i x_ij - (w_t/d_t) sum_k m_kj]`` at the fitted
        ``b`` and the full ``2p x 2p`` information of ``(x, x g(t))``, with the
        coefficients of ``x`` held at the estimate (their score is set to zero).
        One test per covariate (the dummy columns of a text covariate together, as R's
        ``terms = TRUE``) and a GLOBAL test of all of them.

        ``transform``: ``"km"`` (default, ``1 - KM(t-)`` of all rows, unweighted,
        ignoring strata, as R), ``"rank"`` (average ranks of all times),
        ``"identity"`` or ``"log"``.

        Returns a frame with columns ``term`` (and a last row ``"GLOBAL"``), ``chisq``,
        ``df``, ``p``.
        """
        check_choice(transform, "transform", ZPH_TRANSFORMS)
        if self._zph is None:
            raise ArgumentError("this result carries no data for the proportional hazards test.")
        return self._zph.table(transform)


# ---------------------------------------------------------------------------------------
# Risk-set machinery
# ---------------------------------------------------------------------------------------


def _time_codes(values: np.ndarray) -> tuple[np.ndarray, int, np.ndarray | None]:
    """Order-preserving integer codes of times (equal times, equal codes), their span, and
    the sorting order of ``values`` when one was needed (non-integer or spread-out times).
    """
    lo = values.min()
    hi = values.max()
    if hi - lo <= max(4 * len(values), 1 << 16):
        codes = values - lo
        as_int = codes.astype(np.int64)
        if np.array_equal(as_int, codes):
            return as_int, int(hi - lo) + 1, None
    order = np.argsort(values)
    ordered = values[order]
    new = np.empty(len(values), dtype=bool)
    new[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    codes = np.empty(len(values), dtype=np.int64)
    codes[order] = np.cumsum(new) - 1
    return codes, int(codes.max()) + 1, order


class _State(NamedTuple):
    """Per-event-time quantities at one coefficient vector (risk scores shifted by the
    largest linear predictor; event times along the last axis)."""

    beta: np.ndarray
    loglik: float
    score: np.ndarray
    info: np.ndarray | None
    r: np.ndarray  # exp(eta - shift) of the sorted active rows (no weights)
    S1: np.ndarray  # (p, T)
    S1e: np.ndarray | None  # (p, T), tied-event sums (Efron), zero where one event
    a0: np.ndarray
    a1: np.ndarray
    b0: np.ndarray | None
    b1: np.ndarray | None
    b2: np.ndarray | None
    S2: np.ndarray | None = None  # packed (q2, T) risk-set sums of r x x' (grouped mode)
    S2e: np.ndarray | None = None


_CHUNK = 1 << 16  # rows aggregated at a time (keeps the products in cache)
_GROUPED_SHARE = 0.125  # grouped sums when (time, status) blocks are at most this share of rows


class _RiskSets:
    """Rows sorted by (stratum, event time), aggregated per distinct event time.

    ``b`` is each row's event-time index: the last event time (of its stratum) at or
    before its stop time, so that the row is in the risk sets of the event times up to
    ``b``; ``e`` (with entry times) the last event time at or before entry, so that the
    row is in the risk sets of event times after ``e``. Rows in no risk set are dropped.

    Two ways to form the risk-set sums, both exact: with few distinct event times
    (weekly data, heavy ties) the sorted rows are summed per (time, censored/event) block
    by ``np.add.reduceat`` and cumulated over the event times, second moments included;
    with many (continuous times) the sums are reverse cumulative sums over the rows read
    at the first row of each event time, and the second-moment part of the information
    is one weighted cross-product of the rows.
    """

    def __init__(
        self,
        time: np.ndarray,
        status: np.ndarray,
        entry: np.ndarray | None,
        weights: np.ndarray | None,
        strata: np.ndarray | None,
        x: np.ndarray,  # (p, n), centred
        efron: bool,
    ):
        n = len(time)
        p = x.shape[0]
        self.p = p
        self.efron = efron
        s = strata if strata is not None else np.zeros(n, dtype=np.int64)
        n_strata = int(s.max()) + 1
        if entry is None:
            codes, span, time_order = _time_codes(time)
            stop_code, entry_code = codes, None
        else:
            codes, span, _ = _time_codes(np.concatenate([time, entry]))
            stop_code, entry_code = codes[:n], codes[n:]
            time_order = None
        ev = status == 1
        stop_key = s * span + stop_code if strata is not None else stop_code
        if n_strata * span <= 8 * n + (1 << 20):
            mark = np.zeros(n_strata * span, dtype=bool)
            mark[stop_key[ev]] = True
            below = np.cumsum(mark, dtype=np.int64) - 1
            event_keys = np.flatnonzero(mark)

            def bucket(key):
                return below[key]
        else:
            event_keys = np.unique(stop_key[ev])

            def bucket(key):
                return np.searchsorted(event_keys, key, side="right") - 1

        n_times = len(event_keys)
        bucket_stratum = event_keys // span
        b = bucket(stop_key)
        if strata is not None:
            b[(b >= 0) & (bucket_stratum[np.maximum(b, 0)] != s)] = -1
        if entry_code is not None:
            e = bucket(s * span + entry_code if strata is not None else entry_code)
            if strata is not None:
                e[(e >= 0) & (bucket_stratum[np.maximum(e, 0)] != s)] = -1
            active = b > e
        else:
            e = None
            active = b >= 0
        if time_order is not None and strata is None:
            # rows already sorted by time: (event time, status) is then nearly sorted and
            # a stable sort of it is fast
            rows = time_order[active[time_order]]
        else:
            rows = np.flatnonzero(active) if not active.all() else np.arange(n)
        sort_key = 2 * b[rows] + status[rows]
        if 2 * n_times + 2 < np.iinfo(np.int16).max:
            sort_key = sort_key.astype(np.int16)
        order = rows[np.argsort(sort_key, kind="stable")]
        self.rows = order  # positions (in the validated frame) of the sorted active rows
        m = len(order)
        self.m = m
        self.n_times = n_times
        self.bucket_stratum = bucket_stratum
        bs = b[order]
        self.b = bs
        self.ev = ev[order]
        self.s = s[order] if strata is not None else None
        self.e = e[order] if e is not None else None
        self.x = np.empty((p, m))
        for j in range(p):
            np.take(x[j], order, out=self.x[j])
        self.w = weights[order] if weights is not None else None
        first = np.searchsorted(bucket_stratum, np.arange(n_strata + 1))
        self.stratum_first = first  # first event-time index of each stratum (and the end)
        self.next_start = first[bucket_stratum + 1]
        self.single_stratum = bool(np.all(bucket_stratum == bucket_stratum[0]))
        # the event times a row is at risk at: after lo, up to its own b
        self.rows_per_time = np.bincount(bs, minlength=n_times)
        if self.e is not None:
            start = first[self.s] if self.s is not None else 0
            self.lo = np.where(self.e >= 0, self.e + 1, start)
        elif self.s is not None:
            self.lo = first[self.s]
        else:
            self.lo = None
        # blocks of the sorted rows: (time, censored) and (time, event)
        ks = 2 * bs + self.ev
        block_starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
        block_key = ks[block_starts]
        block_event = (block_key & 1).astype(bool)
        self.grouped = len(block_starts) <= m * _GROUPED_SHARE
        if self.grouped:
            if efron:
                self.starts = block_starts
                self.seg_event = np.flatnonzero(block_event)  # one per event time, in order
                self.seg_cens = np.flatnonzero(~block_event)
                self.cens_bucket = block_key[self.seg_cens] >> 1
            else:
                self.starts = np.flatnonzero(np.r_[True, bs[1:] != bs[:-1]])
            seg_starts = self.starts
            cuts = np.unique(np.searchsorted(seg_starts, np.arange(0, m, _CHUNK)))
            ends = np.r_[seg_starts, m]
            self.chunks = [
                (int(lo), int(hi), int(ends[lo]), int(ends[hi]))
                for lo, hi in zip(cuts, np.r_[cuts[1:], len(seg_starts)], strict=True)
            ]
            width = max(hi - lo for _, _, lo, hi in self.chunks)
        else:
            # first row of each event time (every event time has rows), and of the next
            # stratum's first event time
            self.pos = np.flatnonzero(np.r_[True, bs[1:] != bs[:-1]])
            self.pos_end = np.r_[self.pos, m][self.next_start]
            width = 0
        # entry: rows that enter after some event time leave the earlier risk sets
        self.entry_order = None
        if self.e is not None and (self.e >= 0).any():
            ent_rows = np.flatnonzero(self.e >= 0)
            eo = ent_rows[np.argsort(self.e[ent_rows], kind="stable")]
            ek = self.e[eo]
            self.entry_order = eo
            if self.grouped:
                ent_starts = np.flatnonzero(np.r_[True, ek[1:] != ek[:-1]])
                self.entry_starts = ent_starts
                self.entry_bucket = ek[ent_starts]
            else:
                self.entry_pos = np.searchsorted(ek, np.arange(n_times))
                self.entry_pos_end = np.searchsorted(ek, self.next_start)
        # per event time constants
        evb = bs[self.ev]
        self.d = np.bincount(evb, minlength=n_times).astype(float)
        wev = self.w[self.ev] if self.w is not None else None
        self.wd = np.bincount(evb, weights=wev, minlength=n_times) if wev is not None else self.d
        xw = self.x * self.w if self.w is not None else self.x
        # events of a time are one block of the sorted rows
        ev_blocks = block_starts[block_event]
        ev_rows = np.flatnonzero(self.ev)
        ev_first = np.searchsorted(ev_rows, block_starts[block_event])
        self.swx = np.add.reduceat(np.take(xw, ev_rows, axis=1), ev_first, axis=1)  # (p, T)
        self.ev_blocks = ev_blocks
        self.swx_total = self.swx.sum(axis=1)
        self.wd_total = float(self.wd.sum())
        self.wtave = self.wd / self.d
        self.multi = np.zeros(0, dtype=np.int64)
        if efron:
            multi = np.flatnonzero(self.d > 1)
            dm = self.d[multi].astype(np.int64)
            self.multi = multi
            self.m_offsets = np.cumsum(dm) - dm
            rep = np.repeat(np.arange(len(multi)), dm)
            self.m_rep = multi[rep]
            self.m_frac = (np.arange(len(rep)) - self.m_offsets[rep]) / dm[rep]
            if not self.grouped:
                # rows of the tied events, for their sums
                self.multi_rows = (
                    np.repeat(ev_blocks[multi], dm)
                    + np.arange(len(rep))
                    - np.repeat(self.m_offsets, dm)
                )
                self.multi_starts = self.m_offsets
        self.pairs = [(j, k) for j in range(p) for k in range(j, p)]
        self.q = 1 + p + len(self.pairs)
        self._buf = np.empty((self.q, width)) if self.grouped else None

    # -- sums ---------------------------------------------------------------------------

    def _rcum(self, a: np.ndarray) -> np.ndarray:
        """Reverse cumulative sum over event times (last axis) within strata."""
        c = np.cumsum(a[:, ::-1], axis=1)[:, ::-1]
        if self.single_stratum:
            return c
        ext = np.concatenate([c, np.zeros((a.shape[0], 1))], axis=1)
        return c - ext[:, self.next_start]

    def _at_rows(self, a: np.ndarray) -> np.ndarray:
        """Per sorted row, the value of its event time (``a[..., b_i]``; rows are sorted by
        event time and every event time has rows, so this is a repeat)."""
        return np.repeat(a, self.rows_per_time, axis=-1)

    def _cum_rows(self, h: np.ndarray) -> np.ndarray:
        """Per row, the sum of ``h`` (over event times, last axis) over its risk times."""
        c = np.cumsum(h, axis=-1)
        out = self._at_rows(c)
        if self.lo is not None:
            c = np.concatenate([np.zeros(h.shape[:-1] + (1,)), c], axis=-1)
            out -= np.take(c, self.lo, axis=-1)
        return out

    def _products(self, r: np.ndarray, x: np.ndarray, q: int, buf: np.ndarray) -> np.ndarray:
        """``(r, r x, r x_j x_k)`` of some rows into the first ``q`` rows of ``buf``."""
        p = self.p
        buf = buf[:q, : len(r)]
        buf[0] = r
        np.multiply(x, r, out=buf[1 : p + 1])
        for idx, (j, k) in enumerate(self.pairs[: q - 1 - p]):
            np.multiply(buf[1 + j], x[k], out=buf[1 + p + idx])
        return buf

    def _rows_rcum(self, vals: np.ndarray, pos: np.ndarray, pos_end: np.ndarray) -> np.ndarray:
        """Sums of ``vals`` over rows ``pos[t] <= i < pos_end[t]`` (rows sorted by time)."""
        k = vals.shape[1]
        rc = np.empty((vals.shape[0], k + 1))
        rc[:, k] = 0.0
        np.cumsum(vals[:, ::-1], axis=1, out=rc[:, k - 1 :: -1])
        out = np.take(rc, pos, axis=1)
        if self.single_stratum:
            return out  # pos_end is the end of the rows
        return out - np.take(rc, pos_end, axis=1)

    def _sums(self, r: np.ndarray, info: bool):
        """Risk-set sums and tied-event sums (q, T) of ``r * (1, x[, x x'])``: second
        moments only in grouped mode with ``info``."""
        p = self.p
        if not self.grouped:
            vals = self._products(r, self.x, 1 + p, np.empty((1 + p, self.m)))
            risk = self._rows_rcum(vals, self.pos, self.pos_end)
            if self.entry_order is not None:
                ve = np.take(vals, self.entry_order, axis=1)
                risk -= self._rows_rcum(ve, self.entry_pos, self.entry_pos_end)
            sev = None
            if self.efron:
                sev = np.zeros_like(risk)
                if len(self.multi):
                    sev[:, self.multi] = np.add.reduceat(
                        vals[:, self.multi_rows], self.multi_starts, axis=1
                    )
            return risk, sev
        q = self.q if info else 1 + p
        seg = np.empty((q, len(self.starts)))
        for s_lo, s_hi, lo, hi in self.chunks:
            buf = self._products(r[lo:hi], self.x[:, lo:hi], q, self._buf)
            seg[:, s_lo:s_hi] = np.add.reduceat(buf, self.starts[s_lo:s_hi] - lo, axis=1)
        if self.efron:
            sev = seg[:, self.seg_event]
            sall = sev.copy()
            sall[:, self.cens_bucket] += seg[:, self.seg_cens]
        else:
            sev = None
            sall = seg
        risk = self._rcum(sall)
        if self.entry_order is not None:
            ent = np.zeros_like(sall)
            eo = self.entry_order
            vals = self._products(r[eo], self.x[:, eo], q, np.empty((q, len(eo))))
            ent[:, self.entry_bucket] = np.add.reduceat(vals, self.entry_starts, axis=1)
            risk -= self._rcum(ent)
        return risk, sev

    def evaluate(self, beta: np.ndarray, info: bool = True) -> _State:
        """Log partial likelihood, score and information at ``beta``."""
        eta = _linear_predictor(beta, self.x)
        if getattr(self, "offset", None) is not None:
            eta = eta + self.offset
        shift = float(eta.max())
        r = np.exp(eta - shift)
        rw = r * self.w if self.w is not None else r
        risk, sev = self._sums(rw, info)
        return self._state(beta, shift, r, risk, sev, info)

    def _state(self, beta, shift, r, risk, sev, info) -> _State:
        """Log partial likelihood, score and information from the risk-set sums ``risk``
        and tied-event sums ``sev`` ((q, T), of ``w exp(x'beta - shift) (1, x, x x')``)."""
        p = self.p
        S0 = risk[0]
        S1 = risk[1 : p + 1]
        multi = self.multi
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.efron:
                a0 = 1.0 / S0
                a1 = np.zeros_like(S0)
                logs = np.log(S0)
                b0 = a0 * a0
                b1 = np.zeros_like(S0)
                b2 = np.zeros_like(S0)
                S1e = np.zeros_like(S1)
                if len(multi):
                    S0e = sev[0]
                    rep, frac, off = self.m_rep, self.m_frac, self.m_offsets
                    D = S0[rep] - frac * S0e[rep]
                    inv = 1.0 / D
                    inv2 = inv * inv
                    a0[multi] = np.add.reduceat(inv, off)
                    a1[multi] = np.add.reduceat(frac * inv, off)
                    logs[multi] = np.add.reduceat(np.log(D), off)
                    b0[multi] = np.add.reduceat(inv2, off)
                    b1[multi] = np.add.reduceat(frac * inv2, off)
                    b2[multi] = np.add.reduceat(frac * frac * inv2, off)
                    S1e[:, multi] = sev[1 : p + 1, multi]
            else:
                S1e = None
                a0 = self.d / S0
                a1 = np.zeros_like(S0)
                logs = self.d * np.log(S0)
                b0 = a0 / S0
                b1 = b2 = np.zeros_like(S0)
        wt = self.wtave
        loglik = float(beta @ self.swx_total - shift * self.wd_total - logs @ wt)
        loglik += getattr(self, "offset_total", 0.0)
        score = self.swx_total - S1 @ (wt * a0)
        if S1e is not None and len(multi):
            score += S1e[:, multi] @ (wt * a1)[multi]
        state = _State(beta, loglik, score, None, r, S1, S1e, a0, a1, b0, b1, b2)
        if info and self.grouped:
            state = state._replace(S2=risk[p + 1 :], S2e=sev[p + 1 :] if sev is not None else None)
        if info:
            state = state._replace(info=self._info(state, wt))
        return state

    def _mean_sum(self, S1, S1e, a0, a1):
        """(p, T): sum over the Efron pseudo events of the risk-set means, ``sum_k m_k``."""
        out = S1 * a0
        if S1e is not None and len(self.multi):
            mu = self.multi
            out[:, mu] -= S1e[:, mu] * a1[mu]
        return out

    def _info(self, st: _State, v: np.ndarray) -> np.ndarray:
        """Information with per-event-time weights ``v`` (``w_t/d_t``, times ``g(t)^k``):
        ``sum_t v_t [a0 S2 - a1 S2e - (b0 S1 S1' - b1 (S1 S1e' + S1e S1') + b2 S1e S1e')]``.
        """
        p = self.p
        S1, S1e, a0, a1 = st.S1, st.S1e, st.a0, st.a1
        mu = self.multi
        imat = np.empty((p, p))
        if st.S2 is not None:
            packed = st.S2 @ (v * a0)
            if st.S2e is not None and len(mu):
                packed -= st.S2e[:, mu] @ (v * a1)[mu]
            for idx, (j, k) in enumerate(self.pairs):
                imat[j, k] = imat[k, j] = packed[idx]
        else:
            # sum_t v_t a0_t S2_t = sum_i r_i x_i x_i' (sum of v a0 over i's risk times)
            u = self._cum_rows(v * a0)
            if len(mu):
                va1 = v * a1
                u[self.ev] -= va1[self.b[self.ev]]
            u *= st.r if self.w is None else st.r * self.w
            imat[:] = (self.x * u) @ self.x.T
        imat -= (S1 * (v * st.b0)) @ S1.T
        if S1e is not None and len(mu):
            cross = (S1[:, mu] * (v * st.b1)[mu]) @ S1e[:, mu].T
            imat += cross + cross.T
            imat -= (S1e[:, mu] * (v * st.b2)[mu]) @ S1e[:, mu].T
        return imat

    def zph_terms(self, st: _State, g: np.ndarray):
        """Score of ``x g(t)`` and the blocks of the information of ``(x, x g(t))``."""
        wt = self.wtave
        mean_sum = self._mean_sum(st.S1, st.S1e, st.a0, st.a1)
        u2 = self.swx @ g - mean_sum @ (wt * g)
        return u2, self._info(st, wt), self._info(st, wt * g), self._info(st, wt * g * g)

    def residual_terms(self, st: _State):
        """Per event time, the terms of the score residuals (``score_residuals``): hazard
        increments ``h0`` (T,) and ``h1`` (p, T), the event means ``xbar`` (p, T), and with
        tied Efron events ``c0`` (T,), ``c1`` (p, T) (else None)."""
        wt = self.wtave
        S1, a0, a1, b0, b1 = st.S1, st.a0, st.a1, st.b0, st.b1
        h0 = wt * a0
        h1 = S1 * (wt * b0)
        xbar = S1 * (a0 / self.d)
        c0 = c1 = None
        if st.S1e is not None and len(self.multi) > 0:
            h1 -= st.S1e * (wt * b1)
            xbar -= st.S1e * (a1 / self.d)
            c0 = wt * a1
            c1 = S1 * (wt * b1) - st.S1e * (wt * st.b2)
        return h0, h1, xbar, c0, c1

    def score_residuals(self, st: _State) -> np.ndarray:
        """Score residuals ``L_i`` (p, m) of the sorted active rows (unweighted)::

            L_i = d_i (x_i - xbar_e(t_i)) - r_i sum_{t at risk} (x_i - m(t)) dLambda(t)

        with Efron's pseudo events: a tied event gets ``(x_i - m_k) / d`` from each and is
        charged only ``1 - k/d`` of the ``k``-th hazard jump (as R's ``coxscore2``).
        """
        h0, h1, xbar, c0, c1 = self.residual_terms(st)
        efron = c0 is not None
        r = st.r
        ev = self.ev
        # L_i = x_i (d_i (1 + r_i c0) - r_i dh0_i) + r_i dh1_i - d_i (xbar + r_i c1)
        coef = ev - r * self._cum_rows(h0)
        vec = r * self._cum_rows(h1)
        vec -= self._at_rows(xbar) * ev
        if efron:
            rev = r * ev
            coef += rev * self._at_rows(c0)
            vec -= self._at_rows(c1) * rev
        vec += self.x * coef
        return vec


# ---------------------------------------------------------------------------------------
# Concordance
# ---------------------------------------------------------------------------------------


def _wavelet_counts(key, qw, pw, levels, starts):
    """Pair counts of items in position order, within segments (e.g. strata).

    Returns ``A`` (per item: sum of ``pw`` over later items of its segment with a larger
    key) and ``B`` (per item: sum of ``qw`` over earlier items of its segment with a
    smaller key); the low ``levels`` bits of ``key`` are compared. Wavelet-matrix style:
    a pair is counted at the highest bit where the keys differ, then every item moves
    stably to the 0- or the 1-part of its segment, which become the segments of the next
    bit. ``pw`` None means all ones. Integer (int32) weights keep the cumulative sums exact
    and fast; float weights use float64. ``starts``: first item of each initial segment.
    """
    n = len(key)
    dtype = qw.dtype
    idx = np.arange(n, dtype=np.int32)
    acc_a = np.zeros(n, dtype=dtype)
    acc_b = np.zeros(n, dtype=dtype)
    lengths = np.diff(starts, append=n)
    cs = np.empty(n, dtype=dtype)
    cy = np.empty(n, dtype=dtype)
    y = np.empty(n, dtype=dtype)
    x = np.empty(n, dtype=dtype) if pw is not None else None
    for level in range(levels - 1, -1, -1):
        bit = ((key >> level) & 1).astype(bool)
        low = ~bit
        if pw is None:
            np.cumsum(bit, dtype=dtype, out=cs)
            ones_cum = cs
        else:
            np.multiply(pw, bit, out=x)
            np.cumsum(x, out=cs)
            ones_cum = np.cumsum(bit, dtype=np.int64)
        np.multiply(qw, low, out=y)
        np.cumsum(y, out=cy)
        last = starts + lengths - 1
        after = np.repeat(cs[last], lengths)  # later items of the segment with bit 1
        after -= cs
        after *= low
        acc_a += after
        before = cy - np.repeat(cy[starts] - y[starts], lengths)  # earlier, with bit 0
        before *= bit
        acc_b += before
        ones = (ones_cum[last] - ones_cum[starts] + bit[starts]).astype(np.int64)
        zeros = lengths - ones
        keep0 = zeros > 0
        keep1 = ones > 0
        starts = np.concatenate(
            [(np.cumsum(zeros) - zeros)[keep0], (zeros.sum() + np.cumsum(ones) - ones)[keep1]]
        )
        lengths = np.concatenate([zeros[keep0], ones[keep1]])
        perm = np.concatenate([np.flatnonzero(low), np.flatnonzero(bit)])
        key = key[perm]
        qw = qw[perm]
        if pw is not None:
            pw = pw[perm]
        acc_a = acc_a[perm]
        acc_b = acc_b[perm]
        idx = idx[perm]
    out_a = np.empty(n, dtype=dtype)
    out_b = np.empty(n, dtype=dtype)
    out_a[idx] = acc_a
    out_b[idx] = acc_b
    return out_a, out_b


def _concordance(
    lp: np.ndarray,
    rs: _RiskSets,
    cluster: np.ndarray | None,
) -> tuple[float, float]:
    """Harrell's C and its standard error as R's ``coxph`` (``concordancefit``).

    A row ``j`` with an event at ``t`` and a row ``k`` in the risk set at ``t`` without an
    event at ``t`` (same stratum) form a comparable pair; it is concordant when
    ``lp_j > lp_k`` and tied when equal. C = (concordant + tied / 2) / pairs. The standard
    error is R's infinitesimal jackknife: ``sqrt(sum_i dfbeta_i^2) / 2`` with ``dfbeta_i``
    the weighted influence of row ``i`` on Somers' d (summed within clusters).

    Each row is an item keyed by its event-time index within its stratum (an event: the
    index of its time, a query; a censored row: one more, as it is compared at its own
    time); a row with an entry time adds an item of negative weight keyed one past the
    last event time before entry. In linear-predictor order a pair (query ``j``, item
    ``k``) counts when ``k`` comes later and has a larger key (``_wavelet_counts``); items
    with tied predictors are ordered by key, so their pairs are run-length sums.
    """
    m = rs.m
    ev = rs.ev
    first = rs.stratum_first
    levels = max(int(np.diff(first).max() + 1).bit_length(), 1)
    strata = rs.s
    base = first[strata] if strata is not None else 0
    key_main = rs.b - base + (~ev)  # event-time index within the stratum (+1 if censored)
    has_entry = rs.e is not None and bool((rs.e >= 0).any())
    order = np.argsort(lp)
    if strata is not None:
        skey = strata.astype(np.int16) if strata.max() < np.iinfo(np.int16).max else strata
        order = order[np.argsort(skey[order], kind="stable")]
    if has_entry:
        ent = rs.e[order] >= 0
        counts = 1 + ent.astype(np.int64)
        item_row = np.repeat(order, counts)
        is_entry = np.zeros(len(item_row), dtype=bool)
        is_entry[(np.cumsum(counts) - 1)[ent]] = True
        key = key_main[item_row]
        er = item_row[is_entry]
        key[is_entry] = rs.e[er] + 1 - (first[strata[er]] if strata is not None else 0)
    else:
        item_row = order
        is_entry = None
        key = key_main[order]
    key = key.astype(np.int16 if levels < 15 else np.int32)
    n_items = len(item_row)
    lps = lp[item_row]
    same = lps[1:] == lps[:-1]
    if strata is not None:
        s_items = strata[item_row]
        same &= s_items[1:] == s_items[:-1]
        seg_starts = np.flatnonzero(np.r_[True, s_items[1:] != s_items[:-1]])
    else:
        s_items = None
        seg_starts = np.zeros(1, dtype=np.int64)
    tied = None
    if same.any():
        # items with equal predictors: order them by key (only the tied ones move)
        group = np.cumsum(np.r_[True, ~same])
        size = np.bincount(group)
        tied = np.flatnonzero(size[group] > 1)
        sub = tied[np.lexsort((key[tied], group[tied]))]
        item_row[tied] = item_row[sub]
        key[tied] = key[sub]
        if is_entry is not None:
            is_entry[tied] = is_entry[sub]
        group = group[tied]
    qmask = ev[item_row]
    if is_entry is not None:
        qmask &= ~is_entry
    if rs.w is None:
        qw = qmask.astype(np.int32)
        pw = None if is_entry is None else np.where(is_entry, -1, 1).astype(np.int32)
        wi = None
    else:
        wi = rs.w[item_row]
        qw = np.where(qmask, wi, 0.0)
        pw = wi if is_entry is None else np.where(is_entry, -wi, wi)
    a, b = _wavelet_counts(key, qw, pw, levels, seg_starts)
    # weight of the points with a larger key / of the queries with a smaller key, by stratum
    span = 1 << levels
    flat = key.astype(np.int64)
    if s_items is not None:
        flat += s_items.astype(np.int64) * span
    n_keys = len(first) * span
    pwf = None if pw is None else pw.astype(float)
    hist_p = np.bincount(flat, weights=pwf, minlength=n_keys).reshape(-1, span)
    hist_q = np.bincount(flat, weights=qw, minlength=n_keys).reshape(-1, span)
    above = np.cumsum(hist_p[:, ::-1], axis=1)[:, ::-1] - hist_p
    below = np.cumsum(hist_q, axis=1) - hist_q
    tot_q = above.ravel()[flat]
    tot_p = below.ravel()[flat]
    qm = qmask.astype(float)
    tie_q = tie_p = None
    if tied is not None:
        # within a tie group (sorted by key): points with a larger key, queries with a smaller
        k = key[tied]
        pwt = np.ones(len(tied)) if pwf is None else pwf[tied]
        qwt = qw[tied].astype(float)
        run_start = np.r_[True, (group[1:] != group[:-1]) | (k[1:] != k[:-1])]
        grp_start = np.r_[True, group[1:] != group[:-1]]
        run_id = np.cumsum(run_start) - 1
        grp_id = np.cumsum(grp_start) - 1
        cp = np.cumsum(pwt)
        cq0 = np.r_[0.0, np.cumsum(qwt)]
        run_last = np.r_[np.flatnonzero(run_start)[1:], len(k)] - 1
        grp_last = np.r_[np.flatnonzero(grp_start)[1:], len(k)] - 1
        tie_q = np.zeros(n_items)
        tie_p = np.zeros(n_items)
        tie_q[tied] = (cp[grp_last][grp_id] - cp[run_last][run_id]) * qm[tied]
        run_first = np.flatnonzero(run_start)
        grp_first = np.flatnonzero(grp_start)
        tie_p[tied] = cq0[run_first][run_id] - cq0[grp_first][grp_id]
    # per item, for its query: tree weight with a larger / smaller / equal predictor;
    # for its point: event weight with a smaller / larger / equal predictor
    a = a.astype(float)
    greater = a if tie_q is None else a - tie_q
    greater *= qm
    less = (tot_q - a) * qm
    wq = qw if qw.dtype == np.float64 else qw.astype(float)
    c0 = float(wq @ greater)
    c1 = float(wq @ less)
    c2 = float(wq @ tie_q) if tie_q is not None else 0.0
    npair = c0 + c1 + c2
    if npair <= 0:
        return float("nan"), float("nan")
    somer = (c0 - c1) / npair
    b = b.astype(float)
    less_p = b if tie_p is None else b - tie_p
    greater_p = tot_p - b
    if is_entry is not None:
        sign = np.where(is_entry, -1.0, 1.0)
        less_p *= sign
        greater_p *= sign
        if tie_p is not None:
            tie_p *= sign
    imat0 = greater + less_p  # concordant (R's orientation before reverse = TRUE)
    imat1 = less + greater_p  # discordant
    both = imat0 + imat1
    if tie_q is not None:
        both += tie_q + tie_p
    infl = (imat0 - imat1) * (1.0 / npair) - both * (somer / npair)
    if wi is not None:
        infl *= wi
    if is_entry is None:
        per_row = np.empty(m)
        per_row[item_row] = infl
    else:
        per_row = np.bincount(item_row, weights=infl, minlength=m)
    if cluster is not None:
        per_row = np.bincount(cluster, weights=per_row)
    var = float(per_row @ per_row)
    return (1.0 - somer) / 2.0, math.sqrt(var) / 2.0


# ---------------------------------------------------------------------------------------
# Proportional hazards test
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _ZphData:
    rs: _RiskSets
    state: _State
    time: np.ndarray  # all rows
    status: np.ndarray
    entry: np.ndarray | None
    term_columns: list[list[int]]
    term_names: list[str]

    def table(self, transform: str) -> pd.DataFrame:
        rs = self.rs
        p = rs.p
        times = self.time
        event = self.status == 1
        if transform == "identity":
            tt = times.astype(float)
        elif transform == "log":
            tt = np.log(times)
        elif transform == "rank":
            tt = stats.rankdata(times)
        else:
            tt = _km_transform(times, event, self.entry)
        g_row = tt - tt[event].mean()
        # the transform of each event time (all events at a time share it)
        ev_rows = rs.rows[rs.ev]
        g = np.zeros(rs.n_times)
        g[rs.b[rs.ev]] = g_row[ev_rows]
        u2, i11, i12, i22 = rs.zph_terms(rs.evaluate(self.state.beta), g)
        imat = np.block([[i11, i12], [i12.T, i22]])
        u = np.concatenate([np.zeros(p), u2])
        rows = []
        for name, cols in zip(self.term_names, self.term_columns, strict=True):
            kk = list(range(p)) + [c + p for c in cols]
            sub = imat[np.ix_(kk, kk)]
            uu = u[kk]
            chisq = float(uu @ linalg.solve(sub, uu, assume_a="sym"))
            rows.append((name, chisq, len(cols)))
        chisq = float(u @ linalg.solve(imat, u, assume_a="sym"))
        rows.append(("GLOBAL", chisq, p))
        frame = pd.DataFrame(rows, columns=["term", "chisq", "df"])
        frame["p"] = stats.chi2.sf(frame["chisq"], frame["df"])
        return frame


def _km_transform(times, event, entry):
    """``1 - KM(t-)`` of all rows (unweighted, one curve), as ``cox.zph(transform="km")``."""
    etimes, d = np.unique(times[event], return_counts=True)
    stop_sorted = np.sort(times)
    at_risk = len(times) - np.searchsorted(stop_sorted, etimes, side="left")
    if entry is not None:
        entry_sorted = np.sort(entry)
        at_risk -= len(entry) - np.searchsorted(entry_sorted, etimes, side="left")
    surv = np.cumprod(1.0 - d / at_risk)
    idx = np.searchsorted(etimes, times, side="left")  # event times strictly below t
    return 1.0 - np.r_[1.0, surv][idx]


# ---------------------------------------------------------------------------------------
# The public function
# ---------------------------------------------------------------------------------------


def cox(
    data: pd.DataFrame,
    duration: str,
    event: str,
    covariates: str | list[str] | None = None,
    ties: str = "efron",
    strata: str | None = None,
    cluster: str | None = None,
    robust: bool = False,
    entry: str | None = None,
    weights: str | None = None,
    alpha: float = 0.05,
    missing: str = "error",
    treatment: str | None = None,
    offset: str | None = None,
) -> CoxResult:
    """Fit a Cox proportional hazards model by maximum partial likelihood.

    Parameters
    ----------
    data : the data frame (not modified).
    duration : time of the event or censoring; with ``entry``, the stop time of a
        counting-process interval ``(entry, duration]``.
    event : 0/1 (or boolean) event indicator.
    covariates : column or list of columns; text and categorical columns are
        dummy-coded against their first sorted level (``column[level]``).
    ties : ``"efron"`` (default, as R), ``"breslow"`` or ``"exact"`` (the exact partial
        likelihood of tied events, as R's ``ties = "exact"``: see
        :mod:`evalkit.survival.cox_exact` for the method and its limits; no weights and
        no robust variance).
    strata : column whose levels get separate baseline hazards.
    cluster : column of cluster (e.g. person) ids; gives the robust variance summed by
        cluster (Andersen-Gill recurrent events with person clusters).
    robust : robust (sandwich, dfbeta) variance by row without ``cluster``, as R's
        ``robust = TRUE``.
    entry : start of the interval: left truncation or counting-process data; the risk
        set at ``t`` is ``{entry < t <= duration}``.
    weights : positive case weights, as R's ``weights=`` (with Efron ties a row of weight
        2 is one event of weight 2, not two tied events, as in R). R's ``coxph`` switches
        to the robust variance by itself when weights are not integers; evalkit uses it
        when asked (``robust=True`` or ``cluster=``).
    alpha : 1 - level of the hazard-ratio intervals.
    missing : ``"error"`` (default) or ``"drop"`` rows with missing values in used columns.
    treatment : optional 0/1 (or boolean) column of the trial arm, entered as the first
        covariate (``cox(data, "weeks", "exit", treatment="treated")``; other covariates
        after it). Its checks are those of the arm: 0/1, both arms present.
    offset : optional numeric column added to the linear predictor with coefficient 1
        (R's ``+ offset(column)``): ``h(t) = h0(t) exp(x'b + offset)``.

    Returns
    -------
    CoxResult : coefficients (log hazard ratios), model-based and robust standard errors,
    hazard ratios with intervals, likelihood-ratio, Wald and score tests, concordance,
    and ``ph_test()`` for proportional hazards; ``estimate``, ``std_error``, ``conf_int``
    and ``p_value`` are the first term's (the arm's with ``treatment=``), on the log
    scale. The partial likelihood, its derivatives,
    the sandwich variance and the tests are given in the module docstring (Efron 1977;
    Therneau & Grambsch 2000; Lin & Wei 1989; Grambsch & Therneau 1994).

    Examples
    --------
    >>> import pandas as pd
    >>> spells = pd.DataFrame({"weeks": [2, 4, 4, 6, 9, 9, 12, 15, 20, 26],
    ...                        "exit": [1, 1, 1, 0, 1, 1, 0, 1, 1, 0],
    ...                        "treated": [1, 1, 0, 1, 0, 1, 0, 0, 0, 1]})
    >>> fit = cox(spells, "weeks", "exit", treatment="treated")  # R: exp(coef) = 1.095503
    >>> fit.to_frame()[["term", "hazard_ratio"]].round(3)
          term  hazard_ratio
    0  treated         1.096
    """
    check_choice(ties, "ties", TIES)
    alpha = check_alpha(alpha)
    names = arm_first(data, treatment, as_column_list(covariates, "covariates"), "cox")
    if not names:
        raise ArgumentError(
            "covariates must name at least one column, or give treatment= (the 0/1 arm); got none."
        )
    for role, value in (("strata", strata), ("cluster", cluster)):
        if value is not None and not isinstance(value, str):
            raise ArgumentError(f"{role} must be a column name or None; got {value!r}.")
    if not isinstance(robust, bool | np.bool_):
        raise ArgumentError(f"robust must be True or False; got {robust!r}.")
    if offset is not None and (not isinstance(offset, str) or offset in names):
        raise ArgumentError(
            f"offset must be the name of a numeric column that is not a covariate; got {offset!r}."
        )
    if ties == "exact" and (weights is not None or robust or cluster is not None):
        raise ArgumentError(
            'ties="exact" is fitted without case weights and without a robust variance (as '
            "R, whose exact-ties residuals are not available); use efron for those."
        )
    extra = names + [c for c in (strata, cluster, offset) if c is not None]
    sd = survival_data(
        data,
        duration,
        event,
        entry=entry,
        weights=weights,
        extra=extra,
        missing=missing,
    )
    frame = sd.frame
    x, terms = _design_rows(frame, names)
    term_columns = _term_columns(frame, names)
    strata_codes = None
    strata_levels = None
    n_strata = 1
    if strata is not None:
        strata_codes, strata_levels = pd.factorize(frame[strata], sort=True)
        strata_codes = strata_codes.astype(np.int64)
        n_strata = len(strata_levels)
    offset_values = None
    if offset is not None:
        offset_values = numeric_column(frame[offset], offset, role="offset")
        if not np.isfinite(offset_values).all():
            raise ArgumentError(f"offset column {offset!r} has values that are not finite.")
    kept = fit_data(sd, frame, names, x, strata_codes, strata_levels, offset_values)
    cluster_codes = None
    n_clusters = None
    if cluster is not None:
        cluster_codes, levels = pd.factorize(frame[cluster], sort=True)
        n_clusters = len(levels)
    x -= x.mean(axis=1, keepdims=True)
    _check_design(x, terms, strata_codes, strata)
    status = sd.event
    rs = _RiskSets(sd.time, status, sd.entry, sd.weights, strata_codes, x, ties == "efron")
    if offset_values is not None:
        rs.offset = offset_values[rs.rows]
        wd = rs.w[rs.ev] if rs.w is not None else 1.0
        rs.offset_total = float(np.sum(wd * rs.offset[rs.ev]))
    if ties == "exact":
        from .cox_exact import exact_fit

        exact = exact_fit(kept, x, terms, strata_codes, n_strata, alpha, rs)
        return CoxResult(
            **exact,
            duration=duration,
            event=event,
            entry=entry,
            strata=strata,
            n_strata=n_strata,
            alpha=alpha,
            offset=offset,
            _data=kept,
        )
    state0 = rs.evaluate(np.zeros(len(terms)))
    state, iterations = _newton(rs, state0, terms, np.sqrt((x * x).mean(axis=1)))
    beta = state.beta
    use_robust = robust or cluster is not None
    if use_robust:
        # the residuals need the risk-set sums at the final coefficients themselves
        state = rs.evaluate(beta)
    naive = _inverse(state.info, terms)
    score0 = _quad(state0.score, state0.info)
    robust_var = None
    robust_score = None
    if use_robust:
        w = rs.w if rs.w is not None else 1.0
        resid = rs.score_residuals(state) * w
        dfbeta = naive @ resid
        resid0 = rs.score_residuals(state0) * w
        cl = cluster_codes[rs.rows] if cluster_codes is not None else None
        if cl is not None:
            dfbeta = _collapse(dfbeta, cl, n_clusters)
            resid0 = _collapse(resid0, cl, n_clusters)
        robust_var = dfbeta @ dfbeta.T
        u0 = resid0.sum(axis=1)
        robust_score = _chisq(_quad(u0, resid0 @ resid0.T), len(terms))
    var = robust_var if robust_var is not None else naive
    se = np.sqrt(np.diag(naive))
    rse = np.sqrt(np.diag(robust_var)) if robust_var is not None else None
    use_se = rse if rse is not None else se
    z = beta / use_se
    crit = stats.norm.isf(alpha / 2)
    conf = np.exp(np.column_stack([beta - crit * use_se, beta + crit * use_se]))
    k = len(terms)
    lr = _chisq(2.0 * (state.loglik - state0.loglik), k)
    wald = _chisq(_quad(beta, var), k)
    lp = _linear_predictor(beta, rs.x)
    cl_rows = cluster_codes[rs.rows] if cluster_codes is not None else None
    zph = _ZphData(rs, state, sd.time, status, sd.entry, term_columns, names)
    return CoxResult(
        coefficients=beta,
        naive_std_error=se,
        robust_std_error=rse,
        hazard_ratio=np.exp(beta),
        hr_conf_int=conf,
        statistics=z,
        p_values=2.0 * stats.norm.sf(np.abs(z)),
        loglik=state.loglik,
        loglik_null=state0.loglik,
        lr_test=lr,
        wald_test=wald,
        score_test=_chisq(score0, k),
        robust_score_test=robust_score,
        n=sd.n,
        n_events=int((status == 1).sum()),
        iterations=iterations,
        ties=ties,
        terms=terms,
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
        _zph=zph,
        _concordance_input=(lp, rs, cl_rows),
        offset=offset,
        _data=kept,
    )


def _term_columns(frame: pd.DataFrame, names: list[str]) -> list[list[int]]:
    """Design columns of each covariate (a text covariate has one per non-reference level)."""
    out = []
    col = 0
    for name in names:
        series = frame[name]
        if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
            width = 1
        else:
            width = len(pd.unique(series)) - 1
        out.append(list(range(col, col + width)))
        col += width
    return out


def _design_rows(frame: pd.DataFrame, names: list[str]) -> tuple[np.ndarray, list[str]]:
    """The design as a (p, n) array (one row per column), coded like ``covariate_matrix``:
    numeric and boolean columns as they are, text columns dummy-coded ``column[level]``."""
    rows: list[np.ndarray] = []
    terms: list[str] = []
    for name in names:
        series = frame[name]
        if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
            rows.append(numeric_column(series, name, role="covariate"))
            terms.append(name)
        else:
            block, labels = covariate_matrix(frame, [name])
            rows.extend(block.T)
            terms.extend(labels)
    x = np.empty((len(rows), len(frame)))
    for j, row in enumerate(rows):
        x[j] = row
    return x, terms


def _check_design(x, terms, strata_codes, strata):
    """Constant and collinear covariates (within strata) raise DesignError naming them.

    ``x`` is the centred (p, n) design.
    """
    p, n = x.shape
    gram = x @ x.T
    total = np.diag(gram).copy()
    if strata_codes is not None:
        counts = np.bincount(strata_codes).astype(float)
        sums = np.vstack([np.bincount(strata_codes, weights=row) for row in x])
        gram -= (sums / counts) @ sums.T
    _check_gram(gram, total, np.ptp(x, axis=1), n, terms, strata)


def _check_gram(gram, total, spread, n, terms, strata):
    """The checks of :func:`_check_design` on the (within-stratum) centred cross-products
    ``gram``, their totals ignoring strata, and the range of each covariate."""
    p = len(terms)
    where = f" within every stratum of {strata!r}" if strata is not None else ""
    within = np.diag(gram)
    constant = (spread == 0) | (within <= 1e-12 * np.maximum(total, 1e-300))
    if constant.any():
        bad = [terms[j] for j in np.flatnonzero(constant)]
        plural = len(bad) > 1
        detail = ""
        if strata is None and not plural and spread[constant][0] == 0:
            detail = f" (the same value in all {n} rows)"
        raise DesignError(
            f"covariate{'s' if plural else ''} {', '.join(map(repr, bad))} "
            f"{'are' if plural else 'is'} constant{where}{detail}; a Cox model has no "
            "information on a constant covariate. Drop it from covariates."
        )
    scale = np.sqrt(within)
    corr = gram / np.outer(scale, scale)
    kept: list[int] = []
    for j in range(p):
        coef = np.zeros(0)
        if kept:
            coef = linalg.solve(corr[np.ix_(kept, kept)], corr[kept, j], assume_a="pos")
            resid = corr[j, j] - corr[kept, j] @ coef
        else:
            resid = corr[j, j]
        if resid < 1e-10:
            partners = [terms[kept[i]] for i in np.flatnonzero(np.abs(coef) > 1e-8)]
            raise DesignError(
                f"covariate {terms[j]!r} is collinear with {', '.join(map(repr, partners))}"
                f"{where}: it is (almost exactly) a linear combination of "
                f"{'them' if len(partners) > 1 else 'it'}, so the coefficients are not "
                "identified. Drop one of them."
            )
        kept.append(j)


def _newton(rs: _RiskSets, state: _State, terms: list[str], sd: np.ndarray):
    """Newton-Raphson with step halving; detects a monotone likelihood. ``sd``: root mean
    square of each centred covariate (the scale of the monotone-likelihood check)."""
    iterations = 0
    history: list[np.ndarray] = []
    gains: list[float] = []
    while True:
        step = _solve_step(state, terms)
        beta = state.beta
        rel = np.abs(step) / (1.0 + np.abs(beta))
        if rel.max() <= _STEP_TOL:
            # apply the last step (<= 1e-9 relative: the next one would be ~1e-18); the
            # information and risk-set sums stay those of the last iterate, off by O(step)
            loglik = state.loglik + 0.5 * float(state.score @ step)
            return state._replace(beta=beta + step, loglik=loglik), iterations + 1
        history.append(step)
        _check_monotone(history, gains, state, terms, sd, iterations)
        iterations += 1
        if iterations > _MAX_ITER:
            raise DesignError(
                f"the Cox model did not converge in {_MAX_ITER} Newton-Raphson iterations "
                f"(last step {np.array2string(step, precision=3)}); check the covariates for "
                "extreme values or separation."
            )
        new = rs.evaluate(beta + step)
        halvings = 0
        while not (new.loglik >= state.loglik - 1e-12 * (1.0 + abs(state.loglik))):
            halvings += 1
            if halvings > 30:
                raise DesignError(
                    "the partial likelihood could not be increased from the current estimate "
                    "(30 step halvings); the design is numerically degenerate."
                )
            step = step / 2.0
            new = rs.evaluate(beta + step)
        gains.append(new.loglik - state.loglik)
        state = new


def _check_monotone(history, gains, state, terms, sd, iterations):
    """Raise when a coefficient keeps moving by similar steps while the likelihood flattens.

    Newton steps shrink quadratically near a finite maximum. A coefficient whose step has
    not halved over the last four iterations (and is still over 0.05 standard deviations
    of its covariate) while the log-likelihood gains less and less (under 0.1 in the last
    step) is diverging: the maximum is at infinity (monotone likelihood).
    """
    if len(history) < 6:
        return
    last = np.array(history[-4:])
    size = np.abs(last) * sd
    growing = np.all(size[1:] > 0.5 * size[:-1], axis=0) & (size[-1] > 0.05)
    flattening = gains[-1] < 0.1 and gains[-1] <= gains[-2]
    if growing.any() and flattening:
        bad = [terms[j] for j in np.flatnonzero(growing)]
        beta = state.beta
        shown = ", ".join(f"{terms[j]} = {beta[j]:.3g}" for j in np.flatnonzero(growing))
        raise DesignError(
            f"monotone likelihood: the coefficient of {', '.join(map(repr, bad))} grows without "
            f"bound ({shown} after {iterations} iterations, still moving by about "
            f"{np.abs(last[-1][growing]).round(2).tolist()} per step while the log-likelihood "
            f"({state.loglik:.6g}) gains only {gains[-1]:.2g}). The covariate separates the "
            "events (e.g. every row at its extreme value fails before the others), so its "
            "hazard ratio estimate is infinite (0 or inf). Drop or merge it, or coarsen its "
            "levels."
        )


def _solve_step(state: _State, terms: list[str]) -> np.ndarray:
    try:
        factor = linalg.cho_factor(state.info)
    except linalg.LinAlgError:
        diag = np.diag(state.info)
        bad = [terms[j] for j in np.flatnonzero(diag <= 1e-12 * max(diag.max(), 1.0))]
        raise DesignError(
            "the information matrix of the partial likelihood is singular at "
            f"{np.array2string(state.beta, precision=3)}"
            + (f"; no information on {', '.join(map(repr, bad))}" if bad else "")
            + ". A covariate does not vary within the risk sets (e.g. only among rows censored "
            "before the first event), or the likelihood is monotone."
        ) from None
    return linalg.cho_solve(factor, state.score)


def _inverse(info: np.ndarray, terms: list[str]) -> np.ndarray:
    factor = linalg.cho_factor(info)
    return linalg.cho_solve(factor, np.eye(len(terms)))


def _linear_predictor(beta: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``x'beta`` column by column: rows with equal covariates get equal values (a BLAS
    product may round rows differently, which would split ties in the concordance)."""
    eta = x[0] * beta[0]
    for j in range(1, len(beta)):
        eta += x[j] * beta[j]
    return eta


def _quad(u: np.ndarray, mat: np.ndarray) -> float:
    return float(u @ linalg.solve(mat, u, assume_a="sym"))


def _collapse(mat: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    return np.vstack([np.bincount(codes, weights=row, minlength=n_groups) for row in mat])
