"""Attrition in a randomized trial: rates, WWC boundaries, baseline equivalence, bounds.

When an outcome is missing for some randomized persons (no survey answer, a move out of
the register), the persons analysed are no longer a random split. This module measures
attrition and bounds the effect without assuming that it is random:

- :func:`attrition`: attrition by arm, overall and differential (the absolute difference
  of the arm rates), judged against the What Works Clearinghouse attrition boundaries
  (cautious and optimistic; or boundaries the user passes), and the baseline
  equivalence of the analysed sample per covariate;
- :func:`lee_bounds`: Lee's (2009) trimming bounds on the effect for the persons whose
  outcome would be observed in either arm, with analytic standard errors and the
  Imbens–Manski (2004) interval, optionally tightened by a discrete covariate;
- :func:`manski_bounds`: worst-case bounds (Manski 1990) for an outcome bounded in
  ``[lo, hi]``.

The WWC attrition boundary
--------------------------
The What Works Clearinghouse (WWC Standards Handbook 4.1, 2020, Table II.1; kept in the
Procedures and Standards Handbook 5.0, 2022) tabulates, for each overall attrition rate
(0 to 65 %), the largest differential attrition that still counts as *low* attrition,
under a *cautious* and an *optimistic* assumption about how attrition relates to the
outcome. ``boundaries="wwc"`` (the default) applies both
(:data:`evalkit.effects.wwc.WWC_ATTRITION_BOUNDARIES`, with its provenance); the WWC
review protocol, not the analyst after the fact, says which one governs: cautious when
the programme may itself affect who is lost. Other boundaries can be passed as a
mapping from a name to rows of ``(overall, maximum differential)`` as proportions.
Between two tabulated overall rates the smaller of their two maximum differentials
applies (exact at the tabulated rates, never more lenient than the table);
above the largest tabulated overall rate attrition is high.

Baseline equivalence (WWC Handbook v5.0)
----------------------------------------
Per covariate, among the persons analysed: Hedges' g (difference in means over the
pooled within-arm SD, times the small-sample correction ``1 - 3/(4N - 9)``) for a
numeric covariate, the Cox index (difference in log odds over 1.65, times the same
correction) for a 0/1 covariate. ``|d| <= 0.05``: satisfied; ``0.05 < |d| <= 0.25``:
satisfied only with statistical adjustment for the covariate; ``|d| > 0.25``: not
satisfied.

Example
-------
>>> import pandas as pd
>>> df = pd.DataFrame({"t": [1] * 10 + [0] * 10,
...                    "seen": [1] * 9 + [0] + [1] * 7 + [0] * 3})
>>> a = attrition(df, "t", "seen")
>>> round(a.overall, 2), round(a.differential, 2), a.verdicts["cautious"]
(0.2, 0.2, 'high attrition under the cautious boundary')
>>> attrition(df, "t", "seen", boundaries={"mine": [(0.0, 0.25), (0.3, 0.25)]}).verdicts
{'mine': 'low attrition under the mine boundary'}
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .._validation import (
    as_column_list,
    binary_column,
    check_alpha,
    numeric_column,
    select_rows,
    treatment_indicator,
)
from ..errors import ArgumentError, DesignError, EvalkitWarning
from ..output.declare import declare_table
from ..results import InferentialResult, TableDisplay, fmt_value
from .wwc import WWC_ATTRITION_BOUNDARIES

#: WWC baseline-equivalence thresholds (absolute standardized difference, in SD).
EQUIVALENCE_SATISFIED = 0.05
EQUIVALENCE_ADJUST = 0.25
#: The Cox index divides the difference in log odds by this (WWC Handbook).
COX_SCALE = 1.65


# ------------------------------------------------------------------------ attrition
@dataclass(frozen=True, eq=False, repr=False)
class AttritionResult(TableDisplay):
    """Attrition by arm with the verdict under each boundary and baseline equivalence.

    Attributes
    ----------
    n_treated, n_control : persons randomized to each arm.
    observed_treated, observed_control : persons with the outcome observed.
    attrition_treated, attrition_control : the share of each arm not observed.
    overall : the share of all randomized persons not observed.
    differential : ``|attrition_treated - attrition_control|``.
    verdicts : boundary name -> ``"low attrition under the <name> boundary"`` or
        ``"high attrition under the <name> boundary"``.
    max_differential : boundary name -> the largest differential allowed at ``overall``.
    equivalence : one row per covariate among the persons analysed (means by arm, the
        standardized difference, its kind and the WWC verdict); empty without covariates.
    """

    treatment: str
    observed: str
    n_treated: int
    n_control: int
    observed_treated: int
    observed_control: int
    verdicts: dict = field(default_factory=dict)
    max_differential: dict = field(default_factory=dict)
    equivalence: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def attrition_treated(self) -> float:
        return 1.0 - self.observed_treated / self.n_treated

    @property
    def attrition_control(self) -> float:
        return 1.0 - self.observed_control / self.n_control

    @property
    def overall(self) -> float:
        n = self.n_treated + self.n_control
        return 1.0 - (self.observed_treated + self.observed_control) / n

    @property
    def differential(self) -> float:
        return abs(self.attrition_treated - self.attrition_control)

    def to_frame(self) -> pd.DataFrame:
        """One row per arm and one for both: persons randomized, observed and the
        attrition rate; randomized and observed are declared as counts of persons (the
        persons lost, randomized - observed, too) and the rate as resting on them; the
        row ``overall`` is declared as the total."""
        frame = pd.DataFrame(
            {
                "arm": ["treatment", "control", "overall"],
                "randomized": [self.n_treated, self.n_control, self.n_treated + self.n_control],
                "observed": [
                    self.observed_treated,
                    self.observed_control,
                    self.observed_treated + self.observed_control,
                ],
                "attrition": [self.attrition_treated, self.attrition_control, self.overall],
            }
        )
        return declare_table(
            frame,
            counts=["randomized", "observed"],
            dependent=["attrition"],
            complements={"observed": "randomized"},
            totals={"row": 2},
        )

    def verdict_text(self, lang: str = "en") -> list[str]:
        """The verdict under each boundary as a sentence in ``lang`` (label catalogue:
        ``"Low attrition under the cautious boundary."`` / ``"Lavt frafald efter den
        forsigtige grænse."``); a boundary of the user's own is named as given.

        >>> import pandas as pd
        >>> df = pd.DataFrame({"t": [1] * 10 + [0] * 10,
        ...                    "seen": [1] * 9 + [0] + [1] * 7 + [0] * 3})
        >>> attrition(df, "t", "seen").verdict_text("da")
        ['Højt frafald efter den forsigtige grænse.', 'Højt frafald efter den optimistiske grænse.']
        >>> attrition(df, "t", "seen").verdicts["optimistic"]
        'high attrition under the optimistic boundary'
        """
        from ..report.labels import LABELS, check_lang, label

        check_lang(lang)
        out = []
        for name, limit in self.max_differential.items():
            low = not math.isnan(limit) and self.differential <= limit + 1e-12
            key = f"attrition_boundary_{name}"
            boundary = (
                label(key, lang)
                if key in LABELS
                else label("attrition_boundary_named", lang, name=name)
            )
            out.append(label("attrition_low" if low else "attrition_high", lang,
                             boundary=boundary))  # fmt: skip
        return out

    def _header(self) -> list[str]:
        return [
            f"Attrition: treatment {self.treatment}, observed {self.observed}",
            f"overall {100 * self.overall:.1f}%, differential {100 * self.differential:.1f} "
            "percentage points",
        ]

    def _after_lines(self) -> list[str]:
        lines = []
        for name, verdict in self.verdicts.items():
            limit = self.max_differential[name]
            allowed = "none" if math.isnan(limit) else f"{100 * limit:.1f} points"
            lines.append(f"{verdict} (maximum differential at this overall rate: {allowed})")
        if not self.verdicts:
            lines.append("No attrition boundary applied (boundaries=None).")
        if len(self.equivalence):
            lines.append("Baseline equivalence of the analysed sample (WWC):")
            for row in self.equivalence.itertuples(index=False):
                lines.append(
                    f"  {row.covariate}: {row.kind} {fmt_value(row.std_difference)} SD, "
                    f"{row.verdict}"
                )
        return lines

    def summary(self) -> str:
        """Header, the table of arms, the verdicts and baseline equivalence."""
        table = self.to_frame()
        table["attrition"] = table["attrition"].map(lambda v: f"{100 * v:.1f}%")
        return "\n".join([*self._header(), table.to_string(index=False), *self._after_lines()])


def _boundary_rows(name, rows) -> np.ndarray:
    try:
        table = np.asarray(
            rows.loc[:, ["overall", "differential"]] if isinstance(rows, pd.DataFrame) else rows,
            dtype=float,
        )
    except (TypeError, ValueError, KeyError):
        table = np.empty((0,))
    if table.ndim != 2 or table.shape[1] != 2 or len(table) == 0:
        raise ArgumentError(
            f"boundary {name!r} must be rows of (overall attrition, maximum differential "
            "attrition), or a DataFrame with columns 'overall' and 'differential'."
        )
    if not np.all(np.isfinite(table)) or np.any(table < 0) or np.any(table > 1):
        raise ArgumentError(
            f"boundary {name!r}: rates must be proportions in [0, 1] (5.7% is 0.057)."
        )
    table = table[np.argsort(table[:, 0], kind="stable")]
    if np.any(np.diff(table[:, 0]) == 0):
        raise ArgumentError(f"boundary {name!r} lists an overall rate twice.")
    return table


def boundary_limit(rows, overall: float) -> float:
    """The largest differential attrition a boundary allows at ``overall`` attrition: at
    a tabulated rate its value, between two the smaller of theirs, outside the table NaN
    (high attrition).

    >>> boundary_limit([(0.0, 0.057), (0.1, 0.063), (0.2, 0.05)], 0.15)
    0.05
    """
    table = _boundary_rows("boundary", rows)
    x, limit = table[:, 0], table[:, 1]
    tol = 1e-12
    if overall < x[0] - tol or overall > x[-1] + tol:
        return float("nan")
    exact = np.flatnonzero(np.abs(x - overall) <= tol)
    if exact.size:
        return float(limit[exact[0]])
    above = int(np.searchsorted(x, overall))
    return float(min(limit[above - 1], limit[above]))


def _verdict(differential: float, limit: float, name: str) -> str:
    low = not math.isnan(limit) and differential <= limit + 1e-12
    return f"{'low' if low else 'high'} attrition under the {name} boundary"


def standardized_difference(x_treated: np.ndarray, x_control: np.ndarray) -> tuple[float, str]:
    """The WWC standardized difference of a baseline covariate and its kind: the Cox
    index for a 0/1 covariate, Hedges' g otherwise (both with the small-sample
    correction ``1 - 3/(4N - 9)``); NaN when not defined (a proportion of 0 or 1, no
    variation).

    >>> d, kind = standardized_difference(np.array([1., 2, 3, 4]), np.array([0., 1, 2, 3]))
    >>> kind, round(d, 4)  # (2.5 - 1.5) / sqrt(5/3) * (1 - 3/23) = 0.7746 * 0.8696
    ('Hedges g', 0.6736)
    """
    n1, n0 = len(x_treated), len(x_control)
    n = n1 + n0
    omega = 1.0 - 3.0 / (4.0 * n - 9.0) if n > 2 else float("nan")
    values = np.concatenate([x_treated, x_control])
    if np.all(np.isin(values, (0.0, 1.0))):
        p1, p0 = x_treated.mean(), x_control.mean()
        if p1 in (0.0, 1.0) or p0 in (0.0, 1.0):
            return float("nan"), "Cox index"
        log_odds = math.log(p1 / (1 - p1)) - math.log(p0 / (1 - p0))
        return float(omega * log_odds / COX_SCALE), "Cox index"
    if n1 < 2 or n0 < 2:
        return float("nan"), "Hedges g"
    pooled = ((n1 - 1) * x_treated.var(ddof=1) + (n0 - 1) * x_control.var(ddof=1)) / (n - 2)
    if not pooled > 0:
        return float("nan"), "Hedges g"
    d = omega * (x_treated.mean() - x_control.mean()) / math.sqrt(pooled)
    return float(d), "Hedges g"


def equivalence_verdict(d: float) -> str:
    """The WWC verdict on a standardized difference ``d`` (in SD)."""
    if math.isnan(d):
        return "not computable"
    if abs(d) <= EQUIVALENCE_SATISFIED:
        return "satisfied"
    if abs(d) <= EQUIVALENCE_ADJUST:
        return "requires statistical adjustment"
    return "not satisfied"


def _observed_flags(data: pd.DataFrame, treatment: str, observed: str, extra: list[str]):
    if not isinstance(treatment, str) or not isinstance(observed, str):
        raise ArgumentError("treatment and observed must be column names (strings).")
    frame, rows = select_rows(data, {"treatment": [treatment], "observed": [observed],
                                     "covariates": extra})  # fmt: skip
    treated = treatment_indicator(frame[treatment], treatment, rows)
    seen = binary_column(frame[observed], observed, rows, role="observed flag")
    return frame, rows, treated, seen


def attrition(
    data: pd.DataFrame,
    treatment: str,
    observed: str,
    covariates: str | Sequence[str] | None = None,
    boundaries: Mapping[str, object] | str | None = "wwc",
) -> AttritionResult:
    """Overall and differential attrition, the verdict under WWC boundaries, and the
    baseline equivalence of the analysed sample.

    Parameters
    ----------
    data : one row per randomized person (the persons lost too).
    treatment : 0/1 or boolean arm column.
    observed : 0/1 or boolean: whether the person's outcome is observed (analysed).
    covariates : baseline covariates (numeric; 0/1 ones get the Cox index) whose
        equivalence among the observed persons is assessed; they must have no missing
        values among the observed persons.
    boundaries : ``"wwc"`` (default: the WWC cautious and optimistic boundaries, see the
        module docstring), None (no verdict), or name -> rows of ``(overall attrition,
        maximum differential attrition)`` as proportions (or a DataFrame with columns
        ``overall`` and ``differential``).

    Returns
    -------
    :class:`AttritionResult`.
    """
    names = as_column_list(covariates, "covariates")
    frame, rows, treated, seen = _observed_flags(data, treatment, observed, [])
    n1, n0 = int(treated.sum()), int((~treated).sum())
    m1, m0 = int((seen & treated).sum()), int((seen & ~treated).sum())
    overall = 1.0 - (m1 + m0) / (n1 + n0)
    differential = abs((1 - m1 / n1) - (1 - m0 / n0))
    if isinstance(boundaries, str):
        if boundaries != "wwc":
            raise ArgumentError(
                f"boundaries must be 'wwc', None or a mapping of boundary tables; got "
                f"{boundaries!r}."
            )
        boundaries = WWC_ATTRITION_BOUNDARIES
    verdicts, limits = {}, {}
    for name, table in (boundaries or {}).items():
        _boundary_rows(name, table)
        limits[str(name)] = boundary_limit(table, overall)
        verdicts[str(name)] = _verdict(differential, limits[str(name)], str(name))
    equivalence = pd.DataFrame(
        columns=["covariate", "mean_treated", "mean_control", "std_difference", "kind", "verdict"]
    )
    if names:
        analysed = data.iloc[rows if rows is not None else slice(None)].iloc[np.flatnonzero(seen)]
        t = treated[seen]
        if t.all() or not t.any():
            raise DesignError("an arm has no observed persons: equivalence cannot be assessed.")
        records = []
        for name in names:
            sub, sub_rows = select_rows(analysed, {"covariates": [name]})
            x = numeric_column(sub[name], name, role="covariate", rows=sub_rows)
            d, kind = standardized_difference(x[t], x[~t])
            records.append(
                {
                    "covariate": name,
                    "mean_treated": float(x[t].mean()),
                    "mean_control": float(x[~t].mean()),
                    "std_difference": d,
                    "kind": kind,
                    "verdict": equivalence_verdict(d),
                }  # fmt: skip
            )
        equivalence = pd.DataFrame.from_records(records)
    return AttritionResult(
        treatment=treatment,
        observed=observed,
        n_treated=n1,
        n_control=n0,
        observed_treated=m1,
        observed_control=m0,
        verdicts=verdicts,
        max_differential=limits,
        equivalence=equivalence,
    )


# ------------------------------------------------------------------------ bounds
def observed_header(result) -> list[str]:
    """The method and the persons observed per arm: the header of results on the
    observed persons of a trial (bounds, inverse-probability weighting)."""
    return [
        result.method,
        f"Outcome: {result.outcome}    Treatment: {result.treatment} (treated "
        f"{result.observed_treated} of {result.n_treated} observed, control "
        f"{result.observed_control} of {result.n_control} observed)",
    ]


@dataclass(frozen=True, eq=False, repr=False)
class BoundsResult(InferentialResult):
    """Partial identification of an effect: a lower and an upper bound.

    Attributes
    ----------
    lower, upper : the estimated bounds on the effect (arm 1 minus arm 0).
    se_lower, se_upper : their standard errors.
    conf_int : the Imbens–Manski (2004) interval at level ``1 - alpha`` (covers the
        effect, not the identified set, with that probability).
    estimate, std_error, p_value : None (a set is identified, not a point).
    n_treated, n_control, observed_treated, observed_control : persons randomized and
        observed by arm.
    trimmed_arm, trimming : for Lee bounds, the arm trimmed and the share trimmed.
    cells : for tightened Lee bounds, one row per covariate cell.
    """

    lower: float
    upper: float
    se_lower: float
    se_upper: float
    conf_int: tuple
    n_treated: int
    n_control: int
    observed_treated: int
    observed_control: int
    method: str
    outcome: str
    treatment: str
    alpha: float = 0.05
    trimmed_arm: str | None = None
    trimming: float | None = None
    cells: pd.DataFrame | None = field(default=None, repr=False)

    estimate = None
    std_error = None
    p_value = None

    def _header(self) -> list[str]:
        return observed_header(self)

    def _rows(self) -> list[dict]:
        z = stats.norm.isf(self.alpha / 2)
        extra = {"outcome": self.outcome, "method": self.method,
                 "n_treated": self.n_treated, "n_control": self.n_control,
                 "observed_treated": self.observed_treated,
                 "observed_control": self.observed_control}  # fmt: skip
        rows = []
        for term, value, se in (("lower", self.lower, self.se_lower),
                                ("upper", self.upper, self.se_upper)):  # fmt: skip
            rows.append({"term": term, "estimate": value, "std_error": se, "statistic": np.nan,
                         "p_value": np.nan, "conf_low": value - z * se,
                         "conf_high": value + z * se, **extra})  # fmt: skip
        rows.append({"term": "effect (Imbens-Manski)", "estimate": np.nan, "std_error": np.nan,
                     "statistic": np.nan, "p_value": np.nan, "conf_low": self.conf_int[0],
                     "conf_high": self.conf_int[1], **extra})  # fmt: skip
        return rows

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Counts of persons: randomized and observed by arm (the persons lost too);
        every number rests on them."""
        counts = ["n_treated", "n_control", "observed_treated", "observed_control"]
        return declare_table(
            frame,
            counts=counts,
            dependent=["estimate", "std_error", "conf_low", "conf_high"],
            complements={"observed_treated": "n_treated", "observed_control": "n_control"},
        )

    def _details(self) -> list[str]:
        level = f"{100 * (1 - self.alpha):g}%"
        lines = [
            f"bounds [{fmt_value(self.lower)}, {fmt_value(self.upper)}] "
            f"(SE {fmt_value(self.se_lower)}, {fmt_value(self.se_upper)})",
            f"{level} CI for the effect (Imbens-Manski) [{fmt_value(self.conf_int[0])}, "
            f"{fmt_value(self.conf_int[1])}]",
        ]
        if self.trimmed_arm is not None:
            lines.append(f"trimmed: {self.trimmed_arm} arm, share {fmt_value(self.trimming)}")
        return lines


def imbens_manski_interval(
    lower: float, upper: float, se_lower: float, se_upper: float, alpha: float = 0.05
) -> tuple[float, float]:
    """The Imbens–Manski (2004, eq. 6) interval for a partially identified parameter:
    ``[lower - C se_lower, upper + C se_upper]`` with ``C`` solving
    ``Phi(C + (upper - lower) / max(se)) - Phi(-C) = 1 - alpha``; ``C`` runs from the
    one-sided ``z_(1-alpha)`` (wide sets) to the two-sided ``z_(1-alpha/2)`` (a point).

    >>> low, high = imbens_manski_interval(0.0, 0.0, 1.0, 1.0)
    >>> round(high, 4)
    1.96
    """
    alpha = check_alpha(alpha)
    width = max(upper - lower, 0.0)
    scale = max(se_lower, se_upper)
    if not scale > 0:
        return float(lower), float(upper)
    gap = width / scale

    def coverage(c):
        return stats.norm.cdf(c + gap) - stats.norm.cdf(-c) - (1 - alpha)

    lo_c, hi_c = stats.norm.isf(alpha) - 1e-9, stats.norm.isf(alpha / 2) + 1e-9
    c = optimize.brentq(coverage, lo_c, hi_c, xtol=1e-13) if coverage(lo_c) < 0 else lo_c
    return float(lower - c * se_lower), float(upper + c * se_upper)


def trimmed_mean(values: np.ndarray, share: float, keep: str) -> tuple[float, float, float]:
    """The mean of the lowest (``keep="low"``) or highest (``keep="high"``) ``1 - share``
    of the empirical distribution of ``values`` (the boundary value enters with the
    fractional weight that makes the kept mass exactly ``1 - share``), its variance and
    the cut-off quantile.

    >>> trimmed_mean(np.array([1.0, 2.0, 3.0, 4.0]), 0.25, "low")[0]  # (1 + 2 + 3) / 3
    2.0
    """
    y = np.sort(np.asarray(values, dtype=float))
    if keep == "high":
        y = y[::-1]
    m = len(y)
    kept = (1.0 - share) * m  # the mass kept, in observations
    cum = np.arange(1, m + 1, dtype=float)
    weights = np.clip(kept - (cum - 1.0), 0.0, 1.0)
    weights[weights < 1e-12] = 0.0
    total = weights.sum()
    mean = float(np.dot(weights, y) / total)
    variance = float(np.dot(weights, (y - mean) ** 2) / total)
    last = int(np.flatnonzero(weights > 0)[-1])
    return mean, variance, float(y[last])


def _trimmed_se(y, share, keep, mean, variance, cut, var_share):
    """Lee (2009, Proposition 3): the variance of a trimmed mean of ``m`` observed values
    with the trimming share estimated: ``[var + p (cut - mean)^2] / ((1 - p) m)`` plus
    ``((cut - mean) / (1 - p))^2 Var(p)``."""
    m = len(y)
    own = (variance + share * (cut - mean) ** 2) / ((1.0 - share) * m)
    return own + ((cut - mean) / (1.0 - share)) ** 2 * var_share


def _lee_once(y1, y0, n1, n0):
    """Lee bounds from observed outcomes ``y1``, ``y0`` of arms randomized with ``n1``,
    ``n0`` persons: (lower, upper, var_lower, var_upper, trimmed arm, share)."""
    m1, m0 = len(y1), len(y0)
    q1, q0 = m1 / n1, m0 / n0
    if q1 >= q0:
        share = (m1 * n0 - m0 * n1) / (m1 * n0)  # (q1 - q0) / q1 without rounding
        var_share = (1 - share) ** 2 * ((1 - q0) / (q0 * n0) + (1 - q1) / (q1 * n1))
        low_mean, low_var, low_cut = trimmed_mean(y1, share, "low")
        high_mean, high_var, high_cut = trimmed_mean(y1, share, "high")
        other = y0.mean()
        other_var = y0.var(ddof=0) / m0
        lower, upper = low_mean - other, high_mean - other
        v_lower = _trimmed_se(y1, share, "low", low_mean, low_var, low_cut, var_share) + other_var
        v_upper = (
            _trimmed_se(y1, share, "high", high_mean, high_var, high_cut, var_share) + other_var
        )
        return lower, upper, v_lower, v_upper, "treatment", share
    share = (m0 * n1 - m1 * n0) / (m0 * n1)
    var_share = (1 - share) ** 2 * ((1 - q0) / (q0 * n0) + (1 - q1) / (q1 * n1))
    low_mean, low_var, low_cut = trimmed_mean(y0, share, "low")
    high_mean, high_var, high_cut = trimmed_mean(y0, share, "high")
    mine, mine_var = y1.mean(), y1.var(ddof=0) / m1
    lower, upper = mine - high_mean, mine - low_mean
    v_lower = _trimmed_se(y0, share, "high", high_mean, high_var, high_cut, var_share) + mine_var
    v_upper = _trimmed_se(y0, share, "low", low_mean, low_var, low_cut, var_share) + mine_var
    return lower, upper, v_lower, v_upper, "control", share


def _tightened(y, treated, seen, cell, n_boot, seed):
    """Lee bounds tightened by a discrete covariate, with bootstrap standard errors."""

    def bounds(y, treated, seen, cell, record=False):
        s1, s0 = seen & treated, seen & ~treated
        q1, q0 = s1.sum() / treated.sum(), s0.sum() / (~treated).sum()
        high_arm = treated if q1 >= q0 else ~treated
        low_arm = ~high_arm
        low_seen = seen & low_arm
        rows, lower, upper = [], 0.0, 0.0
        base = y[low_seen].mean()
        for value in np.unique(cell):
            inside = cell == value
            n_hi, n_lo = (inside & high_arm).sum(), (inside & low_arm).sum()
            y_hi = y[inside & high_arm & seen]
            m_lo = (inside & low_seen).sum()
            if n_hi == 0 or n_lo == 0 or len(y_hi) == 0:
                raise DesignError(
                    "a cell of the tightening covariate has no persons (or none observed) in "
                    "an arm; merge small cells."
                )
            qh, ql = len(y_hi) / n_hi, m_lo / n_lo
            share = max((qh - ql) / qh, 0.0)
            weight = m_lo / low_seen.sum()
            lo, hi = trimmed_mean(y_hi, share, "low")[0], trimmed_mean(y_hi, share, "high")[0]
            lower, upper = lower + weight * lo, upper + weight * hi
            if record:
                rows.append({"cell": value, "weight": weight, "trimming": share,
                             "raw_share": (qh - ql) / qh, "low_mean": lo,
                             "high_mean": hi})  # fmt: skip
        if q1 >= q0:
            out = (lower - base, upper - base)
        else:
            out = (base - upper, base - lower)
        return (*out, rows) if record else out

    lower, upper, rows = bounds(y, treated, seen, cell, record=True)
    cells = pd.DataFrame.from_records(rows)
    if (cells["raw_share"] < 0).any():
        warnings.warn(
            "in some cells of the tightening covariate the observation rates order the arms "
            "the other way round than overall (monotonicity fails there or by chance); their "
            "trimming share is set to 0.",
            EvalkitWarning,
            stacklevel=3,
        )
    rng = np.random.default_rng(seed)
    arms = [np.flatnonzero(treated), np.flatnonzero(~treated)]
    draws = []
    for _ in range(n_boot):
        index = np.concatenate([rng.choice(a, size=a.size, replace=True) for a in arms])
        try:
            draws.append(bounds(y[index], treated[index], seen[index], cell[index]))
        except (DesignError, ZeroDivisionError, FloatingPointError):
            continue
    draws = np.asarray(draws)
    if len(draws) < max(2, n_boot // 2):
        raise DesignError("the bootstrap of the tightened bounds failed in most draws.")
    cells = cells.drop(columns="raw_share")
    return lower, upper, draws[:, 0].std(ddof=1), draws[:, 1].std(ddof=1), cells


def _bounds_data(data, outcome, treatment, observed, extra=()):
    if not isinstance(outcome, str):
        raise ArgumentError(f"outcome must be a column name (a string); got {outcome!r}.")
    frame, rows, treated, seen = _observed_flags(data, treatment, observed, list(extra))
    if outcome not in frame.columns:
        raise ArgumentError(f"outcome column {outcome!r} is not in the data.")
    if outcome in (treatment, observed, *extra):
        raise ArgumentError(f"column {outcome!r} is used in two roles.")
    m1, m0 = int((seen & treated).sum()), int((seen & ~treated).sum())
    if m1 < 2 or m0 < 2:
        raise DesignError("each arm needs at least two persons with the outcome observed.")
    observed_rows = frame.loc[seen, [outcome]]
    sub_rows = None if rows is None else rows[seen]
    gaps = int(observed_rows[outcome].isna().sum())
    if gaps:
        raise ArgumentError(
            f"outcome {outcome!r} is missing for {gaps} persons marked as observed in "
            f"{observed!r}; mark them as not observed."
        )
    present = (~seen) & frame[outcome].notna().to_numpy()
    if present.any():
        raise ArgumentError(
            f"outcome {outcome!r} has values for {int(present.sum())} persons marked as not "
            f"observed in {observed!r}; set them missing or mark them as observed."
        )
    y_seen = numeric_column(observed_rows[outcome], outcome, rows=sub_rows)
    y = np.full(len(frame), np.nan)
    y[seen] = y_seen
    return frame, treated, seen, y


def lee_bounds(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    observed: str,
    tighten: str | None = None,
    alpha: float = 0.05,
    n_boot: int = 500,
    seed: int | None = 0,
) -> BoundsResult:
    """Lee's (2009) trimming bounds on the effect for the always-observed persons.

    Under random assignment and monotonicity (treatment moves observation one way only),
    the arm with the higher observation rate ``q_high`` holds, among its observed, a
    share ``p = (q_high - q_low) / q_high`` of persons observed only because of their
    arm. Trimming that share from the top of its observed outcomes gives the lower bound
    of the effect for the persons observed in either arm, from the bottom the upper
    bound (when the control arm is trimmed, the other way round). The kept share enters
    with fractional weight at the cut (exact for ``(1 - p) m`` not a whole number).

    Standard errors: Lee (2009, Proposition 3), ``SE^2 = [s2_trim + p (y_cut -
    mu_trim)^2] / ((1 - p) m) + ((y_cut - mu_trim) / (1 - p))^2 Var(p_hat) + s2_other /
    m_other`` with ``Var(p_hat) = (1 - p)^2 [(1 - q0)/(q0 n0) + (1 - q1)/(q1 n1)]``;
    ``conf_int`` is the Imbens–Manski (2004) interval for the effect.

    With ``tighten`` (a discrete covariate) the bounds are computed within each cell
    (trimming share ``p_x``, set to 0 with a warning where negative) and the trimmed
    means averaged with the weights of the cells among the observed persons of the arm
    with the lower observation rate (Lee 2009, Section 3.4); the standard errors are then
    the standard deviations of ``n_boot`` bootstrap draws (resampling persons within
    arms, ``seed``).

    Lee's Job Corps bounds (Lee 2009, Table IV) cannot be reproduced without the Job
    Corps data; the tests check a hand-computed example, a brute-force trimming and the
    bounds' properties.

    Checked against the R package attrition 1.0.0 (``estimator_trim``;
    tests/reference/bounds.R): where ``(1 - p) m`` is a whole number of persons, bounds,
    standard errors and the Imbens–Manski interval agree to 2e-14 (the interval to 4e-9,
    R's root-finding tolerance), tightened bounds and cells (attrition's within-cell
    bounds averaged with the weights above) to 1e-13. attrition differs by convention.
    It keeps whole persons: the one straddling the cut in full for the upper bound
    (``m - floor(p m)`` persons) but not for the lower bound (``ceil((1 - p) m) - 1``),
    so even at a whole ``p m`` its lower bound keeps one person fewer (reference case
    ``treated_more``: lower bound 0.7498 there, 0.8166 here) and its bounds of ``-y``
    are not minus its bounds of ``y``; its comparisons of cumulative shares with ``p``
    also turn on floating-point rounding (10 treated all observed, 8 of 10 controls: it
    keeps 9 and 7 persons, not 8). Here exactly the share ``p`` is trimmed: the mean of
    the trimmed distribution ``(1/(1 - p)) int_0^(1-p) F^-1(u) du`` (Lee's Proposition
    1 bound; with mass points, as in Horowitz and Manski 1995, the point at the cut is
    split), taken at the empirical distribution, so ties at the cut need no rule. With
    ``(1 - p) m = 163.7`` (case ``fractional``) attrition gives [0.1090, 3.2607] (its
    upper-bound rule on both sides: [0.1585, 3.2607]) against [0.1440, 3.2760] here,
    standard errors 0.07 % apart. attrition trims only the treated arm (NA when the
    control arm is observed more; compared with the arms swapped), has no tightening
    covariate, and at equal observation rates warns that the standard errors are
    unreliable (the bounds meet; Proposition 3 assumes ``p > 0``): the numbers are the
    same here, without a warning.

    Parameters
    ----------
    data : one row per randomized person; ``outcome`` may be missing where not observed.
    outcome : numeric outcome column (read where ``observed`` is 1).
    treatment : 0/1 or boolean arm column.
    observed : 0/1 or boolean: whether the outcome is observed.
    tighten : optional discrete covariate (no missing values).
    alpha : 1 - confidence level.
    n_boot, seed : bootstrap of the tightened bounds.

    Example
    -------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [1] * 5 + [0] * 5, "seen": [1, 1, 1, 1, 1, 1, 1, 1, 1, 0],
    ...                    "y": [1.0, 2, 3, 4, 5, 1, 2, 3, 4, None]})
    >>> b = lee_bounds(df, "y", "t", "seen")
    >>> b.trimming, b.lower, b.upper  # trim 1 of 5 treated: (1+2+3+4)/4 - 2.5, (2+3+4+5)/4 - 2.5
    (0.2, 0.0, 1.0)
    """
    alpha = check_alpha(alpha)
    extra = [tighten] if tighten is not None else []
    frame, treated, seen, y = _bounds_data(data, outcome, treatment, observed, extra)
    n1, n0 = int(treated.sum()), int((~treated).sum())
    m1, m0 = int((seen & treated).sum()), int((seen & ~treated).sum())
    cells = None
    if tighten is None:
        y1, y0 = y[seen & treated], y[seen & ~treated]
        lower, upper, v_lower, v_upper, arm, share = _lee_once(y1, y0, n1, n0)
        se_lower, se_upper = math.sqrt(v_lower), math.sqrt(v_upper)
        method = "Lee (2009) trimming bounds, analytic SE (Proposition 3)"
    else:
        if not isinstance(n_boot, int) or n_boot < 20:
            raise ArgumentError(f"n_boot must be a whole number of at least 20; got {n_boot!r}.")
        codes, levels = pd.factorize(frame[tighten], sort=True)
        arm = "treatment" if m1 / n1 >= m0 / n0 else "control"
        share = abs(m1 * n0 - m0 * n1) / max(m1 * n0, m0 * n1)
        lower, upper, se_lower, se_upper, cells = _tightened(y, treated, seen, codes, n_boot, seed)
        cells["cell"] = levels.take(cells["cell"].to_numpy())
        method = f"Lee (2009) trimming bounds tightened by {tighten}, bootstrap SE ({n_boot})"
    conf = imbens_manski_interval(lower, upper, se_lower, se_upper, alpha)
    return BoundsResult(
        lower=float(lower),
        upper=float(upper),
        se_lower=float(se_lower),
        se_upper=float(se_upper),
        conf_int=conf,
        n_treated=n1,
        n_control=n0,
        observed_treated=m1,
        observed_control=m0,
        method=method,
        outcome=outcome,
        treatment=treatment,
        alpha=alpha,
        trimmed_arm=arm,
        trimming=float(share),
        cells=cells,
    )


def manski_bounds(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    observed: str,
    lo: float,
    hi: float,
    alpha: float = 0.05,
) -> BoundsResult:
    """Worst-case bounds (Manski 1990) on the average effect for an outcome in ``[lo, hi]``.

    Every missing outcome is set to ``lo`` or ``hi``: the lower bound is the difference
    in means with the treated arm's missing outcomes at ``lo`` and the control arm's at
    ``hi``, the upper bound the other way round; width ``(hi - lo)(a1 + a0)`` with
    ``a`` the attrition rates. Each bound is a difference in means of imputed outcomes,
    so its standard error is Neyman's ``sqrt(s1^2/n1 + s0^2/n0)``; ``conf_int`` is the
    Imbens–Manski (2004) interval.

    Checked against the R package attrition 1.0.0 (``estimator_ev``;
    tests/reference/bounds.R): the bounds agree to 4e-15. Its variance of a bound is, per
    arm, ``[q s_obs^2 + q (ybar_obs - b)^2 + (1 - q)(fill - b)^2] / n`` (``q`` the
    observed share, ``b`` the arm's imputed mean, ``s_obs`` the SD of the observed
    outcomes with ``m - 1``), i.e. ``(SS + s_obs^2) / n^2`` where Neyman's is
    ``SS / ((n - 1) n)`` (``SS`` the sum of squares of the imputed outcomes about their
    mean). Neyman's is unbiased for the variance of the arm's mean of imputed outcomes
    under independent sampling; attrition's is not, by ``O(1/n)``: case ``manski_scale``
    (arms of 180 and 220, outcome in [0, 100]) has standard errors 3.2932 and 3.1011
    here, 3.2908 and 3.0997 there, and the interval [-17.092, 30.749] here,
    [-17.088, 30.746] there.

    Example
    -------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [1, 1, 1, 1, 0, 0, 0, 0], "seen": [1, 1, 1, 0, 1, 1, 1, 1],
    ...                    "y": [1, 0, 1, None, 0, 1, 0, 0]})
    >>> b = manski_bounds(df, "y", "t", "seen", 0, 1)
    >>> b.lower, b.upper  # 2/4 - 1/4 and 3/4 - 1/4
    (0.25, 0.5)
    """
    alpha = check_alpha(alpha)
    try:
        lo, hi = float(lo), float(hi)
    except (TypeError, ValueError):
        raise ArgumentError("lo and hi must be numbers.") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ArgumentError(f"lo and hi must be finite with lo < hi; got {lo!r}, {hi!r}.")
    frame, treated, seen, y = _bounds_data(data, outcome, treatment, observed)
    outside = seen & ((y < lo) | (y > hi))
    if outside.any():
        raise ArgumentError(
            f"{int(outside.sum())} observed outcomes lie outside [lo, hi] = [{lo:g}, {hi:g}]."
        )
    n1, n0 = int(treated.sum()), int((~treated).sum())

    def bound(fill_treated, fill_control):
        y1 = np.where(seen[treated], y[treated], fill_treated)
        y0 = np.where(seen[~treated], y[~treated], fill_control)
        se = math.sqrt(y1.var(ddof=1) / n1 + y0.var(ddof=1) / n0)
        return float(y1.mean() - y0.mean()), se

    lower, se_lower = bound(lo, hi)
    upper, se_upper = bound(hi, lo)
    return BoundsResult(
        lower=lower,
        upper=upper,
        se_lower=se_lower,
        se_upper=se_upper,
        conf_int=imbens_manski_interval(lower, upper, se_lower, se_upper, alpha),
        n_treated=n1,
        n_control=n0,
        observed_treated=int((seen & treated).sum()),
        observed_control=int((seen & ~treated).sum()),
        method=f"Manski (1990) worst-case bounds, outcome in [{lo:g}, {hi:g}]",
        outcome=outcome,
        treatment=treatment,
        alpha=alpha,
    )
