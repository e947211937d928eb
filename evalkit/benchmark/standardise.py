r"""Case-mix adjustment: observed against expected, and standardised proportions.

A municipality whose unemployed are older, longer on benefit or on cash benefit rather
than unemployment insurance will have a lower job rate than the national average even
if its jobcentre does exactly what the average jobcentre does. Standardisation compares
like with like across case-mix cells (age band × benefit type × duration):

- **Indirect standardisation** (:func:`indirect_standardise`): apply the national
  (reference) rate of each cell to the local persons in that cell and add up the
  *expected* count :math:`E = \sum_c n_c \lambda_c`; compare the *observed* count
  :math:`O = \sum_c r_c` with it. The ratio :math:`O/E` (the standardised ratio, SMR in
  epidemiology) is above 1 when the municipality does better than the national rates
  predict for its case mix. The indirectly standardised proportion is
  :math:`(O/E)\,\bar\lambda` with :math:`\bar\lambda` the crude national proportion
  (Breslow & Day 1987, *Statistical Methods in Cancer Research II*, IARC, ch. 2).
  It needs only the local totals per cell and is stable for small units.
- **Direct standardisation** (:func:`direct_standardise`): apply the local rate of each
  cell to a standard population :math:`w_c` (e.g. the national case mix):
  :math:`\hat p_{DS} = \sum_c w_c \hat p_c / \sum_c w_c`, with variance
  :math:`\sum_c w_c^2 \hat p_c (1 - \hat p_c) / n_c / (\sum_c w_c)^2` and a normal
  interval. It needs every cell filled locally and is unstable for small units, but
  directly standardised proportions of different units are comparable with each other
  (indirectly standardised ones strictly only with the reference).

The O/E ratio's interval and test are exact Poisson (:func:`observed_expected`): the
observed count :math:`O \sim \mathrm{Poisson}(\rho E)` with :math:`E` taken as known,
Garwood's (1936, *Biometrika* 28:437–442) interval
:math:`[\chi^2_{2O,\alpha/2}/2,\ \chi^2_{2(O+1),1-\alpha/2}/2] / E` (gamma quantiles), and
the p-value of R's ``poisson.test(O, E)``. (For proportions well below 1 the Poisson is
a good approximation to the sum of binomials; for shares near one half it is
conservative.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .._validation import as_column_list
from ..errors import ArgumentError, ColumnError, DesignError
from ..output.declare import declare_table
from ..results import InferentialResult
from ._common import (
    ResultMixin,
    check_alpha,
    check_alternative,
    check_count,
    check_positive,
    count_array,
    fmt,
    fmt_p,
    pct,
)

__all__ = [
    "ObservedExpected",
    "Standardisation",
    "direct_standardise",
    "expected_counts",
    "indirect_standardise",
    "observed_expected",
    "poisson_p_value",
]

_REL_ERR = 1 + 1e-7


def poisson_p_value(observed: int, expected: float, alternative: str = "two-sided") -> float:
    """P-value of the exact Poisson test of ``rate ratio = 1``, as R's ``poisson.test``.

    Two-sided: the total probability of every count no more likely than the observed one
    under :math:`\\mathrm{Poisson}(E)` (relative tolerance :math:`10^{-7}`), capped at 1.

    >>> round(poisson_p_value(10, 5.2), 6)
    0.045191
    """
    x = check_count(observed, "observed")
    m = check_positive(expected, "expected")
    check_alternative(alternative)
    dist = stats.poisson(m)
    if alternative == "less":
        return float(dist.cdf(x))
    if alternative == "greater":
        return float(dist.sf(x - 1))
    d = dist.pmf(x)
    if x == m:
        return 1.0
    if x < m:
        big = math.ceil(2 * m - x)
        while dist.pmf(big) > d:
            big *= 2
        i = np.arange(math.ceil(m), big + 1)
        y = int(np.sum(dist.pmf(i) <= d * _REL_ERR))
        value = dist.cdf(x) + dist.sf(big - y)
    else:
        i = np.arange(0, math.floor(m) + 1)
        y = int(np.sum(dist.pmf(i) <= d * _REL_ERR))
        value = dist.cdf(y - 1) + dist.sf(x - 1)
    return float(min(1.0, value))


def _garwood(x: int, alpha: float, alternative: str) -> tuple[float, float]:
    def lower(a):
        return 0.0 if x == 0 else float(stats.gamma.ppf(a, x))

    def upper(a):
        return float(stats.gamma.ppf(1 - a, x + 1))

    if alternative == "less":
        return 0.0, upper(alpha)
    if alternative == "greater":
        return lower(alpha), math.inf
    return lower(alpha / 2), upper(alpha / 2)


@dataclass(frozen=True, eq=False)
class ObservedExpected(ResultMixin, InferentialResult):
    """Observed against expected count: the O/E ratio with exact Poisson inference.

    ``estimate = observed / expected`` (the O/E ratio); ``conf_int`` Garwood's exact
    interval; ``p_value`` the exact Poisson test of ratio 1 (as R's
    ``poisson.test(observed, expected)``); ``std_error`` None (exact inference);
    ``excess = observed - expected``.
    """

    observed: int
    expected: float
    estimate: float
    conf_int: tuple[float, float]
    p_value: float
    alternative: str
    alpha: float
    label: str = "O/E"

    @property
    def excess(self) -> float:
        return self.observed - self.expected

    @property
    def std_error(self) -> None:
        """None: the interval and test are exact."""
        return None

    def _row_extra(self) -> dict:
        return {
            "observed": self.observed,
            "expected": self.expected,
            "excess": self.excess,
            "alternative": self.alternative,
        }

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``observed`` is a count of persons; the ratio, its interval, the p-value and
        the excess rest on it (``expected`` is a model quantity, not a count)."""
        return declare_table(
            frame,
            counts=["observed"],
            dependent=["estimate", "conf_low", "conf_high", "p_value", "excess"],
        )

    def _header(self) -> list[str]:
        return [
            "Observed against expected: exact Poisson (Garwood) interval and test",
            f"{self.label}: observed {self.observed}, expected {fmt(self.expected, 5)}",
        ]

    def summary(self) -> str:
        level = f"{100 * (1 - self.alpha):g}%"
        return "\n".join(
            self._header()
            + [
                f"  O/E = {fmt(self.estimate, 4)}, {level} CI [{fmt(self.conf_int[0], 4)}, "
                f"{fmt(self.conf_int[1], 4)}], p = {fmt_p(self.p_value)} ({self.alternative})",
                f"  excess {self.excess:+.1f} persons",
            ]
        )


def observed_expected(
    observed: int,
    expected: float,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    label: str = "O/E",
) -> ObservedExpected:
    """O/E ratio with Garwood's exact Poisson interval and the exact Poisson test.

    :math:`O/E` with interval :math:`[G^{-1}(\\alpha/2; O),\\ G^{-1}(1-\\alpha/2; O+1)]/E`
    (:math:`G^{-1}(\\cdot; k)` the quantile of the gamma distribution with shape
    :math:`k`; lower limit 0 when :math:`O = 0`), Garwood (1936); the p-value is that of
    ``poisson.test(observed, T = expected)`` in R. ``expected`` is taken as known (from a
    large reference).

    Example
    -------
    >>> res = observed_expected(10, 5.2)
    >>> round(res.estimate, 4), [round(v, 4) for v in res.conf_int]
    (1.9231, [0.9222, 3.5366])
    """
    x = check_count(observed, "observed")
    e = check_positive(expected, "expected")
    alpha = check_alpha(alpha)
    check_alternative(alternative)
    low, high = _garwood(x, alpha, alternative)
    return ObservedExpected(
        observed=x,
        expected=e,
        estimate=x / e,
        conf_int=(low / e, high / e),
        p_value=poisson_p_value(x, e, alternative),
        alternative=alternative,
        alpha=alpha,
        label=str(label),
    )


# ------------------------------------------------------------------------- standardisation
def _frame(data, what: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(f"{what} must be a pandas DataFrame; got {type(data).__name__}.")
    if len(data) == 0:
        raise DesignError(f"{what} has no rows.")
    return data


def _need(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ColumnError(f"{what} lacks the columns {missing}; it has {list(frame.columns)}.")


def _counts(frame, column, what, positive=False):
    return count_array(frame[column].to_numpy(), f"{what}[{column!r}]", positive=positive)


def expected_counts(
    data: pd.DataFrame,
    reference: pd.DataFrame,
    cells,
    n: str = "n",
    reference_successes: str = "successes",
    reference_n: str = "n",
    reference_rate: str | None = None,
) -> pd.DataFrame:
    """Expected counts from reference rates: ``expected = n * rate`` cell by cell.

    ``data`` has the case-mix ``cells`` columns and the persons ``n`` in each (other
    columns are kept); ``reference`` one row per cell with ``reference_successes`` of
    ``reference_n`` (or a ``reference_rate`` column). Returns ``data`` with ``rate``
    and ``expected`` added. Every local cell must have a reference rate.

    Example
    -------
    >>> loc = pd.DataFrame({"age": ["<30", "30+"], "n": [20, 80]})
    >>> ref = pd.DataFrame({"age": ["<30", "30+"], "successes": [600, 1200],
    ...                     "n": [1000, 4000]})
    >>> expected_counts(loc, ref, "age")["expected"].tolist()
    [12.0, 24.0]
    """
    data = _frame(data, "data")
    reference = _frame(reference, "reference")
    keys = as_column_list(cells, "cells")
    if not keys:
        raise ArgumentError("cells must name at least one case-mix column.")
    _need(data, [*keys, n], "data")
    if reference_rate is not None:
        _need(reference, [*keys, reference_rate], "reference")
        rate = pd.to_numeric(reference[reference_rate], errors="coerce").to_numpy(float)
        if not (np.isfinite(rate) & (rate >= 0) & (rate <= 1)).all():
            raise ArgumentError(f"reference[{reference_rate!r}] must hold rates in [0, 1].")
    else:
        _need(reference, [*keys, reference_successes, reference_n], "reference")
        rs = _counts(reference, reference_successes, "reference")
        rn = _counts(reference, reference_n, "reference", positive=True)
        if (rs > rn).any():
            raise ArgumentError("reference successes exceed reference n in some cells.")
        rate = rs / rn
    ref = reference[keys].copy()
    ref["rate"] = rate
    if ref.duplicated(keys).any():
        dup = ref.loc[ref.duplicated(keys), keys].head(3).to_dict("records")
        raise ArgumentError(f"reference has repeated cells (e.g. {dup}); give one row per cell.")
    persons = _counts(data, n, "data")
    out = data.drop(columns=[c for c in ("rate", "expected") if c in data.columns])
    out = out.merge(ref, on=keys, how="left", validate="many_to_one")
    if out["rate"].isna().any():
        absent = out.loc[out["rate"].isna(), keys].drop_duplicates().head(3).to_dict("records")
        raise ArgumentError(
            f"{int(out['rate'].isna().sum())} local rows have no reference rate for their "
            f"cell (e.g. {absent}); give the reference every cell or merge sparse cells."
        )
    out["expected"] = persons * out["rate"].to_numpy()
    return out


@dataclass(frozen=True, eq=False)
class Standardisation(ResultMixin):
    """Standardised results per unit (``kind`` is ``"indirect"`` or ``"direct"``).

    Indirect: ``table`` has unit, observed, expected, n, crude, oe_ratio, conf_low,
    conf_high (Garwood), p_value (exact Poisson), standardised, std_low, std_high
    (``(O/E)`` times the crude reference proportion).
    Direct: unit, observed, n, crude, standardised, std_error, std_low, std_high.
    ``cells`` is the per-cell working table.
    """

    kind: str
    table: pd.DataFrame = field(repr=False)
    cells: pd.DataFrame = field(repr=False)
    reference_proportion: float
    alpha: float
    cell_columns: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """The per-unit table (a copy), declared for the output gate: observed and n are
        counts of persons, everything computed from them rests on them."""
        return _declare_units(self.table.copy())

    def _header(self) -> list[str]:
        cells = " x ".join(self.cell_columns)
        if self.kind == "indirect":
            return [
                f"Indirect standardisation by {cells} (Breslow & Day 1987): observed against "
                "expected from the reference rates",
                f"Reference (crude) proportion {pct(self.reference_proportion)}; exact Poisson "
                "intervals for O/E",
            ]
        return [
            f"Direct standardisation by {cells}: local cell rates applied to the standard "
            "population",
            f"Standard population's own proportion {pct(self.reference_proportion)}",
        ]

    def summary(self) -> str:
        t = self.table
        if self.kind == "indirect":
            shown = pd.DataFrame(
                {
                    "unit": t["unit"].astype(str),
                    "O": t["observed"],
                    "E": t["expected"].map(lambda v: f"{v:.1f}"),
                    "O/E": t["oe_ratio"].map(lambda v: fmt(v, 3)),
                    "CI": [
                        f"[{fmt(a, 3)}, {fmt(b, 3)}]"
                        for a, b in zip(t["conf_low"], t["conf_high"], strict=True)
                    ],
                    "p": t["p_value"].map(fmt_p),
                    "crude": t["crude"].map(pct),
                    "standardised": t["standardised"].map(pct),
                }
            )
        else:
            shown = pd.DataFrame(
                {
                    "unit": t["unit"].astype(str),
                    "crude": t["crude"].map(pct),
                    "standardised": t["standardised"].map(pct),
                    "CI": [
                        f"[{pct(a)}, {pct(b)}]"
                        for a, b in zip(t["std_low"], t["std_high"], strict=True)
                    ],
                }
            )
        return "\n".join(self._header() + [shown.to_string(index=False)])


_UNIT_VALUES = [
    "expected",
    "crude",
    "oe_ratio",
    "conf_low",
    "conf_high",
    "p_value",
    "standardised",
    "std_error",
    "std_low",
    "std_high",
]


def _declare_units(table: pd.DataFrame) -> pd.DataFrame:
    """A per-unit standardisation table declared: observed and n are counts, the
    expected count (n times reference rates: it gives n away), the crude and standardised
    proportions and their intervals rest on them."""
    dependent = [c for c in _UNIT_VALUES if c in table.columns]
    return declare_table(
        table, counts=["observed", "n"], dependent=dependent, complements={"observed": "n"}
    )


def _declare_direct_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """The per-cell table of direct standardisation declared: the cell's successes and
    persons are counts, its rate rests on them (the standard's weight does not).

    (The indirect ``cells`` table is the caller's data with columns evalkit does not know,
    so it is left undeclared: the gate refuses it until its maker declares it.)"""
    return declare_table(
        cells,
        counts=["successes", "n"],
        dependent={"rate": ["successes", "n"]},
        complements={"successes": "n"},
    )


def _units(data: pd.DataFrame, by: str | None) -> pd.Series:
    if by is None:
        return pd.Series(["all"] * len(data), index=data.index)
    if by not in data.columns:
        raise ColumnError(f"data has no column {by!r} (by); it has {list(data.columns)}.")
    if data[by].isna().any():
        raise ArgumentError(f"data[{by!r}] has missing unit names.")
    return data[by]


def indirect_standardise(
    data: pd.DataFrame,
    reference: pd.DataFrame,
    cells,
    successes: str = "successes",
    n: str = "n",
    by: str | None = None,
    reference_successes: str = "successes",
    reference_n: str = "n",
    reference_rate: str | None = None,
    alpha: float = 0.05,
) -> Standardisation:
    """Indirect standardisation: observed against expected from reference rates by cell.

    Parameters
    ----------
    data : local counts per case-mix cell (and per unit when ``by`` names a unit column):
        ``cells`` columns, ``successes`` and ``n``.
    reference : national counts per cell (``reference_successes`` of ``reference_n``) or
        rates (``reference_rate``).
    cells : the case-mix column(s), e.g. ``["age_band", "benefit", "duration"]``.
    by : a unit column (municipality); None treats ``data`` as one unit.

    For each unit, :math:`O = \\sum_c r_c`, :math:`E = \\sum_c n_c \\lambda_c`, the ratio
    :math:`O/E` with Garwood's exact interval and the exact Poisson test
    (:func:`observed_expected`), and the indirectly standardised proportion
    :math:`(O/E)\\,\\bar\\lambda`, :math:`\\bar\\lambda` the crude reference proportion
    (Breslow & Day 1987). See the module docstring.

    Example
    -------
    >>> loc = pd.DataFrame({"age": ["<30", "30+"], "successes": [15, 30], "n": [20, 80]})
    >>> ref = pd.DataFrame({"age": ["<30", "30+"], "successes": [600, 1200],
    ...                     "n": [1000, 4000]})
    >>> res = indirect_standardise(loc, ref, "age")
    >>> row = res.table.iloc[0]
    >>> int(row["observed"]), float(row["expected"]), float(row["oe_ratio"])
    (45, 36.0, 1.25)
    """
    alpha = check_alpha(alpha)
    _need(_frame(data, "data"), [successes, n], "data")
    cells_list = as_column_list(cells, "cells")
    work = expected_counts(
        data, reference, cells_list, n, reference_successes, reference_n, reference_rate
    )
    r = _counts(work, successes, "data")
    persons = _counts(work, n, "data")
    if (r > persons).any():
        raise ArgumentError(f"data[{successes!r}] exceeds data[{n!r}] in some cells.")
    if reference_rate is None:
        rs = _counts(reference, reference_successes, "reference")
        rn = _counts(reference, reference_n, "reference", positive=True)
        crude_ref = rs.sum() / rn.sum()
    else:
        if reference_n in reference.columns:
            weights = _counts(reference, reference_n, "reference")
            rates = pd.to_numeric(reference[reference_rate]).to_numpy(float)
            crude_ref = float(np.sum(weights * rates) / weights.sum())
        else:
            raise ColumnError(
                f"with reference_rate, reference also needs the persons per cell "
                f"({reference_n!r}) for the crude reference proportion."
            )
    units = _units(work, by)
    rows = []
    for unit, part in work.assign(_r=r, _n=persons).groupby(units.to_numpy(), sort=True):
        observed = int(part["_r"].sum())
        expected = float(part["expected"].sum())
        total = int(part["_n"].sum())
        if expected <= 0:
            raise DesignError(
                f"unit {unit!r}: the expected count is 0 (every reference rate in its cells is "
                "0); O/E is undefined."
            )
        oe = observed_expected(observed, expected, alpha)
        rows.append(
            {
                "unit": unit,
                "observed": observed,
                "expected": expected,
                "n": total,
                "crude": observed / total if total else math.nan,
                "oe_ratio": oe.estimate,
                "conf_low": oe.conf_int[0],
                "conf_high": oe.conf_int[1],
                "p_value": oe.p_value,
                "standardised": oe.estimate * crude_ref,
                "std_low": oe.conf_int[0] * crude_ref,
                "std_high": oe.conf_int[1] * crude_ref,
            }
        )
    return Standardisation(
        kind="indirect",
        table=_declare_units(pd.DataFrame(rows)),
        cells=work,
        reference_proportion=float(crude_ref),
        alpha=alpha,
        cell_columns=tuple(cells_list),
    )


def direct_standardise(
    data: pd.DataFrame,
    standard: pd.DataFrame,
    cells,
    successes: str = "successes",
    n: str = "n",
    by: str | None = None,
    weights: str = "n",
    standard_successes: str | None = "successes",
    alpha: float = 0.05,
) -> Standardisation:
    """Direct standardisation: local cell proportions weighted by a standard population.

    :math:`\\hat p_{DS} = \\sum_c w_c \\hat p_c / W`, :math:`W = \\sum_c w_c`, with
    :math:`\\mathrm{Var} = \\sum_c w_c^2 \\hat p_c(1-\\hat p_c)/n_c / W^2` and the normal
    interval (clipped to [0, 1]). ``standard`` gives the weights ``w_c`` (column
    ``weights``, e.g. the national persons per cell); every standard cell with a positive
    weight must be present, with persons, in every unit (otherwise use
    :func:`indirect_standardise`). Breslow & Day (1987), ch. 2.

    Example
    -------
    >>> loc = pd.DataFrame({"age": ["<30", "30+"], "successes": [15, 30], "n": [20, 80]})
    >>> std = pd.DataFrame({"age": ["<30", "30+"], "successes": [600, 1200],
    ...                     "n": [1000, 4000]})
    >>> round(float(direct_standardise(loc, std, "age").table.loc[0, "standardised"]), 4)
    0.45
    """
    alpha = check_alpha(alpha)
    data = _frame(data, "data")
    standard = _frame(standard, "standard")
    keys = as_column_list(cells, "cells")
    if not keys:
        raise ArgumentError("cells must name at least one case-mix column.")
    _need(data, [*keys, successes, n], "data")
    _need(standard, [*keys, weights], "standard")
    w = pd.to_numeric(standard[weights], errors="coerce").to_numpy(float)
    if not (np.isfinite(w) & (w >= 0)).all() or w.sum() <= 0:
        raise ArgumentError(f"standard[{weights!r}] must hold weights >= 0 with a positive sum.")
    std = standard[keys].assign(_w=w)
    if std.duplicated(keys).any():
        raise ArgumentError("standard has repeated cells; give one row per cell.")
    std = std[std["_w"] > 0]
    if standard_successes is not None and standard_successes in standard.columns:
        ss = _counts(standard, standard_successes, "standard")
        ref_prop = float(ss.sum() / w.sum()) if weights == "n" else math.nan
    else:
        ref_prop = math.nan
    r = _counts(data, successes, "data")
    persons = _counts(data, n, "data")
    if (r > persons).any():
        raise ArgumentError(f"data[{successes!r}] exceeds data[{n!r}] in some cells.")
    units = _units(data, by)
    work = data[keys].assign(_r=r, _n=persons, _unit=units.to_numpy())
    work = work.groupby(["_unit", *keys], sort=True, as_index=False)[["_r", "_n"]].sum()
    z = stats.norm.isf(alpha / 2)
    rows, cells_out = [], []
    for unit, part in work.groupby("_unit", sort=True):
        merged = std.merge(part, on=keys, how="left")
        empty = merged["_n"].isna() | (merged["_n"] == 0)
        if empty.any():
            absent = merged.loc[empty, keys].head(3).to_dict("records")
            raise DesignError(
                f"unit {unit!r} has no persons in {int(empty.sum())} standard cells (e.g. "
                f"{absent}); direct standardisation needs every cell: use "
                "indirect_standardise or merge cells."
            )
        p = merged["_r"].to_numpy(float) / merged["_n"].to_numpy(float)
        ww = merged["_w"].to_numpy(float)
        est = float(np.sum(ww * p) / ww.sum())
        se = float(np.sqrt(np.sum(ww**2 * p * (1 - p) / merged["_n"].to_numpy(float))) / ww.sum())
        observed, total = int(part["_r"].sum()), int(part["_n"].sum())
        rows.append(
            {
                "unit": unit,
                "observed": observed,
                "n": total,
                "crude": observed / total,
                "standardised": est,
                "std_error": se,
                "std_low": max(est - z * se, 0.0),
                "std_high": min(est + z * se, 1.0),
            }
        )
        cells_out.append(
            merged.assign(unit=unit, rate=p).rename(
                columns={"_r": "successes", "_n": "n", "_w": "weight"}
            )
        )
    return Standardisation(
        kind="direct",
        table=_declare_units(pd.DataFrame(rows)),
        cells=_declare_direct_cells(pd.concat(cells_out, ignore_index=True)),
        reference_proportion=ref_prop,
        alpha=alpha,
        cell_columns=tuple(keys),
    )
