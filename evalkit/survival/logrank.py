"""The G-rho family of K-sample tests (log-rank, Peto–Peto), as R's ``survdiff``.

At each distinct event time ``t_j`` (within a stratum) with ``n_j`` at risk and ``d_j``
events, of which ``n_gj`` and ``d_gj`` in group g, and weight ``w_j = S(t_j-)^rho``
(the pooled Kaplan–Meier just before ``t_j``; Harrington & Fleming 1982):

- observed ``O_g = sum_j w_j d_gj``, expected ``E_g = sum_j w_j d_j n_gj / n_j``;
- covariance ``V_gh = sum_j w_j^2 d_j (n_j - d_j) / (n_j - 1) (n_gj / n_j)(delta_gh - n_hj / n_j)``;
- statistic ``(O - E)' V^-1 (O - E)`` over all groups but the first, chi-square with
  G - 1 degrees of freedom. Strata add their O, E and V.

``rho = 0`` is the log-rank test (Mantel 1966), ``rho = 1`` the Peto–Peto modification
of the Gehan–Wilcoxon test. Work is per distinct time, not per person.

Case weights and clustered spells
---------------------------------
R's ``survdiff`` takes neither weights nor clusters; R users test with the score test of
the Cox model of the group indicators at ``beta = 0``, and so does :func:`logrank_test`
with ``weights=`` and/or ``id=`` (``ties="efron"``, coxph's default). At a time with
``d`` tied events, weighted risk-set sums ``S0``, ``S1`` (per group) and event sums
``e0``, ``e1``, Efron's ``k``-th partial risk set (``k = 0..d-1``) has
``S0_k = S0 - (k/d) e0``, means ``xbar_k = (S1 - (k/d) e1) / S0_k`` and hazard increment
``e0 / (d S0_k)``. The score is ``U = O - E`` with ``O = sum e1`` and
``E = sum_k (e0/d) xbar_k`` (the weighted observed and Efron-expected events); a row's
score residual is ``dN (x - mean_k xbar_k) - sum_{t at risk} sum_k c_k dLambda_k
(x - xbar_k)`` with ``c_k = 1`` and, at the row's own event time, ``1 - k/d``
(Therneau & Grambsch 2000, sec. 3.3 and 7.2).

- weights, no ``id``: ``U' I^-1 U`` with the weighted Efron information
  ``I = sum_k (e0/d)(diag(xbar_k) - xbar_k xbar_k')``: ``coxph(Surv(t, s) ~ group,
  weights = w)``'s score test (``fit$score``);
- ``id``: the robust score test ``U' (D'D)^-1 U``, ``D`` the weighted score residuals
  summed per person: ``coxph(Surv(t, s) ~ group + cluster(id), weights = w)``'s ``fit$rscore``
  ("Robust" in ``summary``; Lin & Wei 1989).

Without ties both reduce to the log-rank test's O - E (Breslow and Efron agree then).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._arm import resolve_arm
from ..errors import ArgumentError, DesignError
from ..output.declare import declare_table
from ..results import HypothesisTest, counts_of
from ._input import survival_data, table_counts, time_counts


@dataclass(frozen=True, eq=False)
class LogRankResult(HypothesisTest):
    """A G-rho test: statistic, df, p-value, and observed / expected events per group.

    A test without an effect measure: ``estimate``, ``std_error`` and ``conf_int`` are
    None; ``statistic`` is the K-sample chi-square and ``p_value`` its upper tail
    (:func:`evalkit.survival.cox` estimates a hazard ratio). ``to_frame()`` has one row
    per group (see there).

    The views are disclosure-controlled from the counts of the per-group table (persons
    and events per group; :class:`evalkit.results.SummaryDisplay`); the attributes are
    exact."""

    statistic: float
    df: int
    p_value: float
    observed: pd.Series
    expected: pd.Series
    variance: np.ndarray
    n: pd.Series
    rho: float
    group: str
    stratified: bool
    events: pd.Series | None = None
    score_test: str | None = None

    @property
    def method(self) -> str:
        name = "Log-rank test" if self.rho == 0 else f"G-rho test (rho = {self.rho:g})"
        if self.score_test is not None:
            name = f"Log-rank test as the {self.score_test}"
        return name + (", stratified" if self.stratified else "")

    def _group_table(self) -> pd.DataFrame:
        """One row per group: n, observed, expected, (O-E)^2/E and (O-E)^2/V (R's
        ``survdiff`` table), declared (see :meth:`to_frame`)."""
        o, e = self.observed.to_numpy(), self.expected.to_numpy()
        events = {} if self.events is None else {"events": self.events.to_numpy()}
        frame = pd.DataFrame(
            {
                "group": self.observed.index,
                "n": self.n.to_numpy(),
                **events,
                "observed": o,
                "expected": e,
                "(O-E)^2/E": (o - e) ** 2 / e,
                "(O-E)^2/V": (o - e) ** 2 / np.diag(self.variance),
            }
        )
        return self._declare(frame)

    def _rows(self) -> list[dict]:
        o, e = self.observed.to_numpy(), self.expected.to_numpy()
        v = np.diag(self.variance)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (o - e) / np.sqrt(v)
        p = 2.0 * stats.norm.sf(np.abs(z))
        table = self._group_table()
        columns = {c: table[c].tolist() for c in table.columns}
        return [
            {
                "term": f"{self.group}={label}",
                "estimate": o[i] - e[i],
                "std_error": np.sqrt(v[i]),
                "statistic": z[i],
                "p_value": p[i],
                **{c: values[i] for c, values in columns.items()},
            }
            for i, label in enumerate(self.observed.index)
        ]

    def to_frame(self) -> pd.DataFrame:
        """One row per group: the core columns, then group, n, observed, expected,
        (O-E)^2/E and (O-E)^2/V (R's ``survdiff`` table).

        The test has no effect measure; each group's row gives its G-rho score and the
        one-df test of that group against all the others together:

        - ``term``: ``group=level``;
        - ``estimate``: observed minus expected events, ``O - E`` (weighted by
          ``S(t-)^rho`` when ``rho > 0``): the group's score, not an effect;
        - ``std_error``: ``sqrt(V_gg)``, the standard error of ``O - E`` under the null;
        - ``statistic``: ``(O - E) / sqrt(V_gg)`` (its square is the ``(O-E)^2/V`` column);
        - ``p_value``: two-sided normal p-value of that z: the test of this group against
          all the others pooled. With two groups both rows' ``p_value`` equal the test's
          ``p_value``; with more, the K-sample test is the result's ``statistic``,
          ``df`` and ``p_value`` (not a row of the frame);
        - ``conf_low``, ``conf_high``: NaN (no interval).

        Declared for the output gate: n (persons) and observed (events) are counts; the
        expected events (which add up to all events, so a group's would give its observed
        away with the others') and everything computed from them rest on them, across
        all groups."""
        return super().to_frame()

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        # with weights the observed events are weighted sums: the counts are n and events
        counts = ["n", "observed"] if self.events is None else ["n", "events"]
        numbers = [c for c in frame.columns if c not in ("term", "group", *counts)]
        return declare_table(
            frame,
            counts=counts,
            dependent=numbers,
            # every group's expected events rest on every group's risk sets (with two
            # groups (O-E)^2/V is the statistic itself): suppressed whole with any group
            across_rows={c: counts for c in numbers},
        )

    def _display_frame(self) -> pd.DataFrame:
        """The notebook shows the per-group table of ``summary()``."""
        return self._group_table()

    def _view_counts(self) -> dict:
        """Persons and events per group, for the disclosure control of the views."""
        return counts_of(self._group_table())

    def summary(self) -> str:
        table = self._group_table().to_string(index=False, float_format=lambda v: f"{v:.4g}")
        return (
            f"{self.method} by {self.group}\n{table}\n"
            f"Chisq = {self.statistic:.4g} on {self.df} degrees of freedom, p = {self.p_value:.4g}"
        )

    def _header(self) -> list[str]:
        return [
            f"{self.method} by {self.group}: chisq = {self.statistic:.4g}, df = {self.df}, "
            f"p = {self.p_value:.4g}"
        ]


def logrank_test(
    data: pd.DataFrame,
    duration: str,
    event: str,
    group: str | None = None,
    strata: str | None = None,
    rho: float = 0.0,
    missing: str = "error",
    treatment: str | None = None,
    weights: str | None = None,
    id: str | None = None,
) -> LogRankResult:
    """Test equality of survival across arms or groups (G-rho family; see the module docstring).

    Parameters
    ----------
    data : one row per spell (not modified).
    duration : column of durations (>= 0).
    event : column of 0/1 (or boolean) event indicators; 0 = censored.
    group : column of two or more groups (a K-sample test). Give ``group`` or
        ``treatment``, not both.
    strata : optional column; the test is stratified (O, E and V summed over strata).
    rho : the G-rho weight ``S(t-)^rho``: 0 (default) the log-rank test, 1 the
        Peto–Peto (Prentice) modification of the Wilcoxon test.
    missing : ``"error"`` (default) or ``"drop"`` rows with missing values.
    treatment : 0/1 (or boolean) column of the trial arm: the two-sample test of
        treatment against control.
    weights : optional column of positive case weights: the score test of the weighted
        Cox model at ``beta = 0`` (``coxph(..., weights = )``; survdiff has no weights).
    id : optional person column when a person has several spells: the robust score test
        clustered on it (``coxph(... + cluster(id))``'s ``rscore``). With ``weights`` or
        ``id``, ``rho`` must be 0 and ties are Efron's (module docstring).

    Returns
    -------
    LogRankResult
        The chi-square statistic, its degrees of freedom and p-value, and the observed
        and expected events per group. With ``weights`` or ``id``: ``observed`` and
        ``expected`` are weighted (Efron) sums, ``events`` the events counted,
        ``variance`` the robust ``D'D`` (with ``id``) or the information of the score.

    Example
    -------
    >>> import pandas as pd
    >>> from evalkit.survival import logrank_test
    >>> d = pd.DataFrame({"weeks": [2, 3, 3, 5, 8, 1, 2, 4, 4, 6],
    ...                   "exit": [1, 1, 0, 1, 0, 1, 1, 1, 1, 0],
    ...                   "arm": [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]})
    >>> round(logrank_test(d, "weeks", "exit", treatment="arm").p_value, 4)
    0.5972
    """
    group = resolve_arm(data, group, treatment, "logrank_test")
    if not isinstance(group, str):
        raise ArgumentError(
            f"logrank_test needs group= (a column of groups) or treatment= (the 0/1 arm); "
            f"got group={group!r}."
        )
    try:
        rho = float(rho)
    except (TypeError, ValueError):
        raise ArgumentError(f"rho must be a number >= 0; got {rho!r}.") from None
    if not np.isfinite(rho) or rho < 0:
        raise ArgumentError(f"rho must be a number >= 0; got {rho!r}.")
    if weights is not None or id is not None:
        if rho != 0:
            raise ArgumentError(
                "rho must be 0 with weights= or id= (the Cox score test is the log-rank test)."
            )
        return _score_test(data, duration, event, group, strata, weights, id, missing)
    surv = survival_data(
        data,
        duration,
        event,
        group=group,
        extra=[strata] if strata else None,
        missing=missing,
        tables=not strata,
    )
    n_groups = len(surv.group_labels)
    if n_groups < 2:
        raise DesignError(f"group column {group!r} has a single group; a test needs two or more.")
    if strata:
        stratum = pd.factorize(surv.frame[strata], sort=True)[0]
        parts = [stratum == s for s in range(int(stratum.max()) + 1)]
        pieces = [
            _stratum(surv.raw_time[m], surv.event[m], surv.group[m], n_groups, rho) for m in parts
        ]
        observed, expected, variance = (sum(p[i] for p in pieces) for i in range(3))
    elif surv.tables is not None:  # weeks by group: counted in two passes over the rows
        _, leaving, deaths = table_counts(surv)
        observed, expected, variance = _from_tables(leaving, deaths, rho)
    else:
        observed, expected, variance = _stratum(
            surv.raw_time, surv.event, surv.group, n_groups, rho
        )
    n = (
        surv.tables.sum(axis=(1, 2))
        if surv.tables is not None
        else np.bincount(surv.group, minlength=n_groups)
    )
    labels = pd.Index(surv.group_labels, name=group)
    return chi_square_result(observed, expected, variance, labels, n, rho, group, bool(strata))


def chi_square_result(
    observed, expected, variance, labels, n, rho, group, stratified: bool
) -> LogRankResult:
    """The log-rank chi-square over the groups anyone is expected to leave from (R's
    ``survdiff``: the first of them is the reference), as a :class:`LogRankResult`."""
    used = expected > 0
    df = int(used.sum()) - 1
    if df < 1:
        raise DesignError("fewer than two groups have anyone at risk at an event time.")
    diff = (observed - expected)[used][1:]
    v = variance[np.ix_(used, used)][1:, 1:]
    _check_variance(v, stratified)
    statistic = float(diff @ np.linalg.solve(v, diff))
    return LogRankResult(
        statistic=statistic,
        df=df,
        p_value=float(stats.chi2.sf(statistic, df)),
        observed=pd.Series(observed, index=labels),
        expected=pd.Series(expected, index=labels),
        variance=variance,
        n=pd.Series(n, index=labels),
        rho=rho,
        group=group,
        stratified=stratified,
    )


def _check_variance(v: np.ndarray, stratified: bool) -> None:
    """Raise :class:`DesignError` when the variance of O - E is zero or singular.

    At an exit time where everyone at risk (in the stratum) leaves together, or where only
    one person (or one group) is at risk, the exits carry no information on a difference
    between groups: the time adds nothing to V (and nothing to O - E). When every exit time
    is like that (all exit in the same week; strata of one person each) V is zero and the
    statistic is 0/0. R's ``survdiff`` stops there too (``solve``: "system is exactly
    singular"); a chi-square of 0 and p = 1 would claim evidence of no difference.
    """
    eigen = np.linalg.eigvalsh(v) if v.size else np.zeros(0)
    top = float(np.max(np.abs(np.diag(v)))) if v.size else 0.0
    if top > 0 and np.all(np.isfinite(eigen)) and eigen.min() > top * 1e-10:
        return
    where = "within every stratum, " if stratified else ""
    what = "is zero" if top <= 0 else "is singular (some groups carry no information)"
    raise DesignError(
        f"the variance of the observed minus expected exits {what}: {where}at every exit "
        "time either everyone at risk left together (e.g. all exits in the same week) or only "
        "one group had anyone at risk (e.g. strata of one person), so the exits say nothing "
        "about a difference between the groups and there is no test (R's survdiff stops "
        "with a singular-matrix error). "
        + (
            "Use fewer, larger strata (or none), or "
            if stratified
            else "Use a finer time scale (days instead of weeks), or "
        )
        + "merge groups with few persons."
    )


def _stratum(time, event, group, n_groups, rho):
    """O, E and V of one stratum from (time x group) count tables."""
    _, leaving, deaths = time_counts(time, event > 0, group, n_groups)
    return _from_tables(leaving, deaths, rho)


def _from_tables(leaving, deaths, rho):
    """O, E and V from the (group x time) tables of rows leaving and of events."""
    leaving, deaths = leaving.T, deaths.T
    at_risk = np.cumsum(leaving[::-1], axis=0)[::-1].astype(float)
    n = at_risk.sum(axis=1)
    d = deaths.sum(axis=1)
    if rho:
        km_after = np.cumprod(1.0 - d / n)
        weight = np.concatenate(([1.0], km_after[:-1])) ** rho
    else:
        weight = np.ones(len(n))
    share = at_risk / n[:, None]
    observed = weight @ deaths
    expected = (weight * d) @ share
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 1, weight**2 * d * (n - d) / (n - 1), 0.0)
    variance = np.diag(factor @ share) - (share * factor[:, None]).T @ share
    return observed, expected, variance


def _score_test(data, duration, event, group, strata, weights, id, missing) -> LogRankResult:
    """The Cox score test of the group indicators at beta = 0 with case weights and/or
    clustered spells (Efron ties; see the module docstring)."""
    from .km import person_codes

    extra = [c for c in (strata, id) if c]
    surv = survival_data(
        data, duration, event, group=group, weights=weights, extra=extra or None, missing=missing
    )
    n_groups = len(surv.group_labels)
    if n_groups < 2:
        raise DesignError(f"group column {group!r} has a single group; a test needs two or more.")
    w = np.ones(surv.n) if surv.weights is None else surv.weights
    person = person_codes(surv.frame, id)
    stratum = pd.factorize(surv.frame[strata], sort=True)[0] if strata else np.zeros(surv.n, int)
    residuals = np.zeros((surv.n, n_groups))
    information = np.zeros((n_groups, n_groups))
    observed, expected = np.zeros(n_groups), np.zeros(n_groups)
    for s in range(int(stratum.max()) + 1):
        rows = stratum == s
        r, info, o, e = _efron_scores(
            surv.time[rows], surv.event[rows] > 0, surv.group[rows], w[rows], n_groups
        )
        residuals[rows] = r
        information += info
        observed += o
        expected += e
    if person is not None:
        per_person = np.zeros((int(person.max()) + 1, n_groups))
        np.add.at(per_person, person, residuals * w[:, None])
        variance = per_person.T @ per_person
        test = "robust score test of a Cox model clustered on persons (coxph + cluster(id))"
        n = [np.unique(person[surv.group == g]).size for g in range(n_groups)]
    else:
        variance = information
        test = "score test of a case-weighted Cox model (coxph with weights)"
        n = np.bincount(surv.group, minlength=n_groups)
    diff = (observed - expected)[1:]
    v = variance[1:, 1:]
    _check_variance(v, bool(strata))
    statistic = float(diff @ np.linalg.solve(v, diff))
    df = n_groups - 1
    labels = pd.Index(surv.group_labels, name=group)
    events = np.bincount(surv.group, weights=surv.event > 0, minlength=n_groups)
    return LogRankResult(
        statistic=statistic,
        df=df,
        p_value=float(stats.chi2.sf(statistic, df)),
        observed=pd.Series(observed, index=labels),
        expected=pd.Series(expected, index=labels),
        variance=variance,
        n=pd.Series(np.asarray(n, dtype=np.int64), index=labels),
        rho=0.0,
        group=group,
        stratified=bool(strata),
        events=pd.Series(events.astype(np.int64), index=labels),
        score_test=test,
    )


def _efron_scores(time, died, group, w, n_groups):
    """Per row: the score residuals of the group indicators at beta = 0 (Efron ties, case
    weights); and the information, weighted observed and Efron-expected events of one
    stratum. Work per distinct time and per tied event, not per (row, time)."""
    times, inverse = np.unique(time, return_inverse=True)
    m = times.size
    cell = inverse * n_groups + group
    size = m * n_groups
    w_total = np.bincount(cell, weights=w, minlength=size).reshape(m, n_groups)
    e1 = np.bincount(cell, weights=w * died, minlength=size).reshape(m, n_groups)
    s1 = np.cumsum(w_total[::-1], axis=0)[::-1]
    s0, e0 = s1.sum(axis=1), e1.sum(axis=1)
    d = np.bincount(inverse, weights=died, minlength=m).astype(np.int64)
    which = np.repeat(np.arange(m), d)  # one entry per tied event: k = 0..d-1
    k = np.arange(which.size) - np.repeat(np.cumsum(d) - d, d)
    frac = k / d[which]
    s0k = s0[which] - frac * e0[which]
    xbar = (s1[which] - frac[:, None] * e1[which]) / s0k[:, None]
    share = e0[which] / d[which]  # Efron: the mean event weight per partial risk set
    dlam = share / s0k

    def per_time(values):
        out = np.zeros((m,) + values.shape[1:])
        np.add.at(out, which, values)
        return out

    big_l, big_m = per_time(dlam), per_time(dlam[:, None] * xbar)
    own_l = per_time((1.0 - frac) * dlam)
    own_m = per_time(((1.0 - frac) * dlam)[:, None] * xbar)
    mean_xbar = per_time(xbar / d[which][:, None])
    cum_l, cum_m = np.cumsum(big_l), np.cumsum(big_m, axis=0)
    x = np.zeros((time.size, n_groups))
    x[np.arange(time.size), group] = 1.0
    dead = died.astype(float)
    risk = x * (cum_l[inverse] - dead * (big_l[inverse] - own_l[inverse]))[:, None]
    risk -= cum_m[inverse] - dead[:, None] * (big_m[inverse] - own_m[inverse])
    residuals = dead[:, None] * (x - mean_xbar[inverse]) - risk
    information = np.diag(share @ xbar) - (xbar * share[:, None]).T @ xbar
    return residuals, information, e1.sum(axis=0), share @ xbar
