"""Effects within pre-specified subgroups and the test of heterogeneity (issue 15).

:func:`subgroup_effects` estimates the effect of treatment within each level of one or
more pre-specified variables (benefit type, age band, jobcentre), each variable on its
own, with an existing evalkit estimator on the level's rows:

- ``"difference_in_means"`` (:func:`~evalkit.effects.difference_in_means`; blocks,
  clusters and weights), equal to estimatr's ``difference_in_means`` on the level;
- ``"lin_estimator"`` (:func:`~evalkit.effects.lin_estimator`; covariates centred within
  the level, clusters, weights), equal to estimatr's ``lm_lin`` on the level;
- ``"ancova"`` (:func:`~evalkit.effects.ancova`; covariates, blocks as fixed effects,
  clusters, weights), equal to estimatr's ``lm_robust(y ~ t + x)`` on the level;
- ``"risk_difference"`` (:func:`~evalkit.effects.risk_difference`; a 0/1 outcome).

**Heterogeneity.** For each variable with levels ``g = 1..K``, the joint Wald test that
the effect is the same in every level: least squares of the outcome on the fully
interacted model ``y ~ T * factor(g)`` (estimatr's ``lm_robust(y ~ t * g)``), with

- blocks: block-by-level fixed effects in place of the level intercepts;
- Lin: the covariates centred within each level and interacted with level and treatment
  (``y ~ g / (T * x_c)``: each level's Lin regression, stacked);
- ANCOVA: the covariates added with common slopes (``y ~ T * g + x``);
- weights: weighted least squares,

and the robust covariance ``V`` of the ``q = K - 1`` interaction coefficients ``b`` (HC2;
CR2 with clusters; :mod:`evalkit.effects.ols`). ``W = b' V^-1 b`` is referred to the
chi-squared distribution with ``q`` df and ``F = W / q`` to F with ``(q, N - p)`` df
(``p`` coefficients; ``(q, J - 1)`` with ``J`` clusters, the denominator df of
``lm_robust``'s own F test). The test does not depend on the level taken as the base.
For the risk difference it is the test in the linear probability model.

**Multiplicity.** The level p-values of every variable form one family, adjusted with
:func:`evalkit.inference.adjust_pvalues` (``adjust``: Holm by default, or Bonferroni,
Hochberg, Hommel, Šidák, Holm–Šidák, BH, BY). Westfall–Young is not offered:
:func:`evalkit.inference.westfall_young` re-randomizes the trial and recomputes one
statistic per *outcome* on every unit, and has no way to restrict each statistic to a
subgroup's rows, so its p-values would not be those of the subgroups.

**Disclosure.** ``to_frame()`` declares each level's arm sizes as counts with its
estimate resting on them, the heterogeneity test of a variable as resting on the
variable's smallest arm (``min_arm``) and the adjusted p-values on every row's counts
(one small arm suppresses the column, since an adjusted p-value can give another level's
p-value back); the views and :meth:`SubgroupEffects.plot` follow. Level counts of one
variable add up to the trial's arms: with those published elsewhere, a suppressed count
can be recovered by subtraction, which the output checker should keep in mind (merge
small levels before analysing).

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(5)
>>> d = pd.DataFrame({"t": np.tile([0, 1], 120),
...                   "benefit": np.repeat(["cash", "sickness", "integration"], 80)})
>>> d["y"] = rng.normal(10, 2, 240) + d["t"] * d["benefit"].map(
...     {"cash": 1.0, "sickness": 0.2, "integration": 2.0})
>>> r = subgroup_effects(d, "y", "t", "benefit")
>>> r.to_frame()[["level", "n_treated", "n_control"]].values.tolist()
[['cash', 40, 40], ['integration', 40, 40], ['sickness', 40, 40]]
>>> r.heterogeneity[["variable", "df1", "df2"]].values.tolist()
[['benefit', 2, 234]]
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .._validation import (
    _looks_like_identifier,
    _show_values,
    as_column_list,
    check_alpha,
    check_choice,
    covariate_matrix,
    numeric_column,
    select_rows,
    treatment_indicator,
    weights_column,
)
from ..errors import ArgumentError, DesignError, EvalkitError, SmallSubgroupWarning
from ..output.declare import declare_table
from ..output.rules import current_rules
from ..results import TableDisplay, fmt_p_value, fmt_value, small_count
from .binary import risk_difference
from .means import difference_in_means
from .ols import fit_ols
from .regression import ancova, lin_estimator

ESTIMATORS = ("difference_in_means", "lin_estimator", "ancova", "risk_difference")
_ESTIMATOR_NAMES = {
    "difference_in_means": "Difference in means",
    "lin_estimator": "Lin (2013) regression adjustment",
    "ancova": "ANCOVA",
    "risk_difference": "Risk difference",
}
#: The numbers of a level's row that rest on its arm sizes.
_LEVEL_NUMBERS = ("estimate", "std_error", "statistic", "df", "conf_low", "conf_high", "p_value")
#: The heterogeneity columns of ``to_frame()`` (rest on the variable's smallest arm).
_HET_NUMBERS = (
    "heterogeneity_statistic",
    "heterogeneity_df1",
    "heterogeneity_df2",
    "heterogeneity_p_value",
)


@dataclass(frozen=True, eq=False, repr=False)
class SubgroupEffects(TableDisplay):
    """Effects within the levels of pre-specified variables (:func:`subgroup_effects`).

    Attributes
    ----------
    table : one row per (variable, level), exact: ``variable``, ``level``, ``estimate``,
        ``std_error``, ``statistic``, ``df``, ``conf_low``, ``conf_high``, ``p_value``,
        ``p_adjusted``, ``n_treated``, ``n_control``.
    heterogeneity_table : one row per variable, exact: ``variable``, ``n_levels``,
        ``statistic`` (F), ``df1``, ``df2``, ``p_value`` (of F), ``chi2``,
        ``chi2_p_value``, ``n``, ``min_arm`` (smallest arm of any level).
    results : each level's :class:`~evalkit.results.EffectResult`, in the table's order.
    outcome, treatment, estimator, adjust, alpha, min_size : as called.

    ``to_frame()`` and :attr:`heterogeneity` are declared to the output gate (see the
    module docstring). The text views mask every number when an arm of any level is
    small (shown ``"<5"``); the notebook table is gated row by row.
    """

    table: pd.DataFrame = field(repr=False)
    heterogeneity_table: pd.DataFrame = field(repr=False)
    results: tuple = field(repr=False)
    outcome: str
    treatment: str
    estimator: str
    adjust: str
    alpha: float = 0.05
    min_size: int = 20

    @property
    def variables(self) -> tuple[str, ...]:
        """The subgroup variables, in the order given."""
        return tuple(self.heterogeneity_table["variable"])

    @property
    def p_adjusted(self) -> pd.Series:
        """Adjusted p-values indexed by (variable, level)."""
        return self.table.set_index(["variable", "level"])["p_adjusted"]

    @property
    def heterogeneity(self) -> pd.DataFrame:
        """Per variable the Wald test of equal effects across its levels: ``variable``,
        ``n_levels``, ``statistic`` (F), ``df1``, ``df2``, ``p_value``, ``chi2``,
        ``chi2_p_value``, ``n``, ``min_arm``; declared to the gate (``n`` and ``min_arm``
        are counts; every number rests on them)."""
        frame = self.heterogeneity_table.copy()
        numbers = ["statistic", "df1", "df2", "p_value", "chi2", "chi2_p_value"]
        return declare_table(frame, counts=["n", "min_arm"], dependent=numbers)

    def _min_arms(self) -> pd.Series:
        return self.heterogeneity_table.set_index("variable")["min_arm"]

    def to_frame(self) -> pd.DataFrame:
        """One row per (variable, level): variable, level, estimate, std_error,
        statistic, df, conf_low, conf_high, p_value, p_adjusted, n_treated, n_control,
        min_arm (the variable's smallest arm) and the variable's heterogeneity test
        (heterogeneity_statistic, _df1, _df2, _p_value). Declared to the output gate:
        ``n_treated``, ``n_control`` and ``min_arm`` are counts; the level's numbers rest
        on its arms, the heterogeneity columns on ``min_arm`` and ``p_adjusted`` on every
        row's arms."""
        frame = self.table.copy()
        het = self.heterogeneity_table.set_index("variable")
        frame["min_arm"] = frame["variable"].map(het["min_arm"]).astype(int)
        for column, source in zip(_HET_NUMBERS, ("statistic", "df1", "df2", "p_value"),
                                  strict=True):  # fmt: skip
            frame[column] = frame["variable"].map(het[source])
        dependent = {c: ["n_treated", "n_control"] for c in _LEVEL_NUMBERS}
        dependent.update({c: ["min_arm"] for c in _HET_NUMBERS})
        return declare_table(
            frame,
            counts=["n_treated", "n_control", "min_arm"],
            dependent=dependent,
            across_rows={"p_adjusted": ["n_treated", "n_control"]},
        )

    def _view_counts(self) -> dict:
        counts = {}
        for row in self.table.itertuples(index=False):
            counts[f"{row.variable}: {row.level} treated"] = int(row.n_treated)
            counts[f"{row.variable}: {row.level} control"] = int(row.n_control)
        return counts

    # -- text -------------------------------------------------------------------------
    def _header(self) -> list[str]:
        m = len(self.table)
        lines = [
            f"Subgroup effects on {self.outcome} of {self.treatment} "
            f"({_ESTIMATOR_NAMES[self.estimator]}, {100 * (1 - self.alpha):g}% CI)",
            f"p adjusted: {self.adjust} over the {m} level tests",
        ]
        for row in self.heterogeneity_table.itertuples(index=False):
            lines.append(
                f"{row.variable}: equal effects in {row.n_levels} levels, "
                f"F = {fmt_value(row.statistic)} on ({row.df1}, {row.df2}) df, "
                f"p = {fmt_p_value(row.p_value)}; chi2 = {fmt_value(row.chi2)}, "
                f"p = {fmt_p_value(row.chi2_p_value)}"
            )
        return lines

    def _after_lines(self) -> list[str]:
        small = int(
            (
                (self.table["n_treated"] < self.min_size)
                | (self.table["n_control"] < self.min_size)
            ).sum()
        )
        if not small:
            return []
        return [
            f"{small} subgroup(s) have an arm of fewer than {self.min_size} persons "
            "(min_size): their estimates are fragile."
        ]

    def summary(self) -> str:
        """Header, heterogeneity tests and one line per level (disclosure-controlled)."""
        t = self.table
        shown = pd.DataFrame(
            {
                "variable": t["variable"],
                "level": t["level"],
                "estimate": t["estimate"].map(fmt_value),
                "std.error": t["std_error"].map(fmt_value),
                "CI low": t["conf_low"].map(fmt_value),
                "CI high": t["conf_high"].map(fmt_value),
                "p.value": t["p_value"].map(fmt_p_value),
                "p.adjusted": t["p_adjusted"].map(fmt_p_value),
                "treated": t["n_treated"].astype(str),
                "control": t["n_control"].astype(str),
            }
        )
        return "\n".join([*self._header(), shown.to_string(index=False), *self._after_lines()])

    # -- figure -----------------------------------------------------------------------
    def plot(self, lang: str = "en", **kwargs):
        """Forest plot of every level's effect (:func:`evalkit.report.forest_plot`; keyword
        arguments go to it), rows labelled ``"variable: level"`` in the table's order, with
        the heterogeneity p-value of each variable in a note under the figure. A level
        resting on an arm of 1 to 4 persons is drawn as ``"x"`` (disclosure control at 5
        by default, ``disclosure=``), and so is the heterogeneity p-value of its variable.
        """
        from ..report.labels import check_lang, format_p_text, label, term
        from ..report.plots import forest_plot

        check_lang(lang)

        def shown(value) -> str:  # the data's (English) names, in Danish by the catalogue
            return str(value) if lang == "en" else term(value, lang)

        threshold = kwargs.get("disclosure", 5)
        labels = [
            label("subgroup_row", lang, variable=shown(v), level=shown(lv))
            for v, lv in zip(self.table["variable"], self.table["level"], strict=True)
        ]
        tests = []
        for row in self.heterogeneity_table.itertuples(index=False):
            hidden = threshold is not None and small_count(row.min_arm, threshold)
            p_text = "p = x" if hidden else format_p_text(row.p_value, lang)
            tests.append(f"{shown(row.variable)} {p_text}")
        kwargs.setdefault("note", label("subgroup_heterogeneity", lang, tests="; ".join(tests)))
        return forest_plot(list(self.results), labels=labels, lang=lang, **kwargs)


# --------------------------------------------------------------------------- fitting
def subgroup_effects(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    by: str | Sequence[str],
    estimator: str = "difference_in_means",
    covariates: str | Sequence[str] | None = None,
    blocks: str | None = None,
    clusters: str | None = None,
    weights: str | None = None,
    adjust: str = "holm",
    alpha: float = 0.05,
    min_size: int = 20,
    missing: str = "error",
) -> SubgroupEffects:
    """Effects within the levels of pre-specified subgroup variables, the test of
    heterogeneity per variable and multiplicity-adjusted p-values.

    Parameters
    ----------
    data : one row per person (not modified).
    outcome, treatment : column names; treatment is 0/1 or boolean.
    by : a column name or a list of names; each variable is analysed on its own, one
        row per level (levels sorted; a categorical column keeps its order). Each needs
        two or more levels with both arms in every level.
    estimator : ``"difference_in_means"`` (default), ``"lin_estimator"``, ``"ancova"``
        or ``"risk_difference"`` (see the module docstring).
    covariates : for ``"lin_estimator"`` (required) and ``"ancova"``.
    blocks : randomization blocks (difference in means; ANCOVA's fixed effects).
    clusters : cluster column (CR2 standard errors, Bell–McCaffrey df).
    weights : column of positive weights (not with the risk difference).
    adjust : the adjustment of :func:`evalkit.inference.adjust_pvalues` over all level
        tests of all variables (default ``"holm"``).
    alpha : 1 minus the confidence level.
    min_size : a :class:`~evalkit.errors.SmallSubgroupWarning` names the levels with an
        arm of fewer than ``min_size`` persons (default 20); counts under the
        disclosure threshold are written ``"fewer than 5"``.
    missing : ``"error"`` (default): a missing value in a used column (the ``by``
        variable included) is an error naming the column; ``"drop"``: for each variable,
        rows missing it (or the outcome, treatment, covariates...) are left out of that
        variable's analysis, with a :class:`~evalkit.errors.MissingValueWarning`.

    Returns
    -------
    SubgroupEffects
        The level effects (``to_frame()``), :attr:`~SubgroupEffects.heterogeneity`,
        ``plot()``. Each level's estimate equals the estimator run on the level's rows;
        the heterogeneity test equals the Wald test computed from estimatr's
        ``lm_robust`` fit of the interacted model (tests/reference/subgroups.R).

    Raises
    ------
    ColumnError, TreatmentError, MissingValueError, ArgumentError, DesignError
        A column is absent; the treatment is not 0/1; a ``by`` column has missing values
        (``missing="error"``), a single level, looks like an identifier, or has a level
        with persons in one arm only. Messages name the column and counts, never
        identifier values.

    Example
    -------
    >>> import numpy as np, pandas as pd
    >>> d = pd.DataFrame({"t": np.tile([0, 1], 50), "age": np.repeat(["<30", "30+"], 50)})
    >>> d["y"] = np.sin(np.arange(100)) + d["t"]
    >>> r = subgroup_effects(d, "y", "t", "age", min_size=10)
    >>> r.to_frame()["level"].tolist(), round(float(r.to_frame()["estimate"].iloc[0]), 3)
    (['30+', '<30'], 0.996)
    """
    alpha = check_alpha(alpha)
    check_choice(estimator, "estimator", ESTIMATORS)
    check_choice(adjust, "adjust", _adjust_methods())
    if isinstance(min_size, bool) or not isinstance(min_size, int | np.integer) or min_size < 1:
        raise ArgumentError(
            f"min_size must be a whole number of persons, 1 or more; got {min_size!r}."
        )
    variables = as_column_list(by, "by")
    if not variables:
        raise ArgumentError("by must name at least one subgroup variable.")
    if len(set(variables)) < len(variables):
        raise ArgumentError("by names a subgroup variable twice.")
    covariate_list = as_column_list(covariates, "covariates")
    _check_options(estimator, covariate_list, blocks, clusters, weights)

    rows, het_rows, results, small = [], [], [], []
    for variable in variables:
        found = _analyse(
            data, outcome, treatment, variable, estimator, covariate_list, blocks, clusters,
            weights, alpha, missing,
        )  # fmt: skip
        level_rows, het, level_results = found
        rows += level_rows
        het_rows.append(het)
        results += level_results
        small += [
            (variable, r) for r in level_rows if min(r["n_treated"], r["n_control"]) < min_size
        ]
    if small:
        _warn_small(small, min_size)

    from ..inference import adjust_pvalues

    table = pd.DataFrame(rows)
    table.insert(9, "p_adjusted", adjust_pvalues(table["p_value"].to_numpy(), adjust))
    return SubgroupEffects(
        table=table,
        heterogeneity_table=pd.DataFrame(het_rows),
        results=tuple(results),
        outcome=outcome,
        treatment=treatment,
        estimator=estimator,
        adjust=adjust,
        alpha=alpha,
        min_size=int(min_size),
    )


def _adjust_methods() -> tuple[str, ...]:
    from ..inference.multiple import METHODS

    return METHODS


def _check_options(estimator, covariates, blocks, clusters, weights) -> None:
    if estimator == "lin_estimator" and not covariates:
        raise ArgumentError("estimator='lin_estimator' needs covariates=.")
    if estimator in ("difference_in_means", "risk_difference") and covariates:
        raise ArgumentError(
            f"estimator={estimator!r} takes no covariates; use 'lin_estimator' or 'ancova'."
        )
    if estimator == "lin_estimator" and blocks is not None:
        raise ArgumentError(
            "estimator='lin_estimator' takes no blocks; use 'ancova' (blocks as fixed effects) "
            "or 'difference_in_means'."
        )
    if estimator == "risk_difference" and any(v is not None for v in (blocks, clusters, weights)):
        raise ArgumentError(
            "estimator='risk_difference' takes no blocks, clusters or weights; use "
            "'difference_in_means' on the 0/1 outcome for those designs."
        )


def _levels(series: pd.Series) -> list:
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna().unique())
        return [c for c in series.cat.categories if c in present]
    values = pd.unique(series.dropna())
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


def _analyse(data, outcome, treatment, variable, estimator, covariates, blocks, clusters,
             weights, alpha, missing):  # fmt: skip
    """The level rows, the heterogeneity row and the level results of one variable."""
    for role, value in (("outcome", outcome), ("treatment", treatment), ("by", variable)):
        if not isinstance(value, str):
            raise ArgumentError(f"{role} must be a column name (a string); got {value!r}.")
    roles = {
        "outcome": [outcome],
        "treatment": [treatment],
        "covariates": covariates,
        "blocks": [blocks] if blocks else [],
        "clusters": [clusters] if clusters else [],
        "weights": [weights] if weights else [],
        "subgroup (by)": [variable],
    }
    frame, _ = select_rows(data, roles, missing=missing)
    treated = treatment_indicator(frame[treatment], treatment)
    series = frame[variable]
    if _looks_like_identifier(series):
        raise DesignError(
            f"subgroup column {variable!r} has {series.nunique()} distinct values in "
            f"{len(series)} rows and looks like a person identifier (values not shown); a "
            "subgroup variable needs a few levels, each with many persons."
        )
    levels = _levels(series)
    if len(levels) < 2:
        raise DesignError(
            f"subgroup column {variable!r} has a single level in the {len(series)} rows used; "
            "there is nothing to compare. Drop it from by, or check the column."
        )
    codes = np.empty(len(series), dtype=int)
    values = series.to_numpy()
    for k, level in enumerate(levels):
        codes[values == level] = k
    n1 = np.bincount(codes, weights=treated, minlength=len(levels)).astype(int)
    n0 = np.bincount(codes, minlength=len(levels)) - n1
    one_arm = np.flatnonzero((n1 == 0) | (n0 == 0))
    if one_arm.size:
        shown = _show_values([levels[k] for k in one_arm], variable, data=series)
        raise DesignError(
            f"subgroup column {variable!r}: {one_arm.size} of its {len(levels)} levels have "
            f"persons in one arm only ({shown}), so the effect within them is not defined. "
            "Merge those levels with others, or leave their rows out."
        )

    level_rows, results = [], []
    for k, level in enumerate(levels):
        part = frame.loc[codes == k]
        try:
            result = _estimate(part, outcome, treatment, estimator, covariates, blocks, clusters,
                               weights, alpha)  # fmt: skip
        except EvalkitError as error:
            raise type(error)(
                f"subgroup column {variable!r}, level {k + 1} of {len(levels)}: {error}"
            ) from error
        results.append(result)
        level_rows.append(
            {
                "variable": variable,
                "level": str(level),
                "estimate": result.estimate,
                "std_error": result.std_error,
                "statistic": result.statistic,
                "df": np.nan if result.df is None else result.df,
                "conf_low": result.conf_int[0],
                "conf_high": result.conf_int[1],
                "p_value": result.p_value,
                "n_treated": int(result.n_treated),
                "n_control": int(result.n_control),
            }
        )
    het = _heterogeneity(frame, outcome, treated, codes, len(levels), estimator, covariates,
                         blocks, clusters, weights, variable)  # fmt: skip
    het.update(n=len(frame), min_arm=int(min(n1.min(), n0.min())))
    return level_rows, het, results


def _estimate(part, outcome, treatment, estimator, covariates, blocks, clusters, weights, alpha):
    if estimator == "difference_in_means":
        return difference_in_means(part, outcome, treatment, blocks=blocks, clusters=clusters,
                                   alpha=alpha, weights=weights)  # fmt: skip
    if estimator == "lin_estimator":
        return lin_estimator(part, outcome, treatment, covariates, clusters=clusters,
                             alpha=alpha, weights=weights)  # fmt: skip
    if estimator == "ancova":
        return ancova(part, outcome, treatment, covariates or None, fixed_effects=blocks,
                      clusters=clusters, alpha=alpha, weights=weights)  # fmt: skip
    return risk_difference(part, outcome, treatment, alpha=alpha)


def _heterogeneity(frame, outcome, treated, codes, k, estimator, covariates, blocks, clusters,
                   weights, variable) -> dict:  # fmt: skip
    """The Wald test that every treatment x level interaction is zero (module docstring)."""
    n = len(frame)
    t = treated.astype(float)
    y = numeric_column(frame[outcome], outcome)
    w = weights_column(frame[weights], weights) if weights else None
    if blocks:
        cells = pd.factorize(
            pd.Series(pd.factorize(frame[blocks], sort=True)[0] * k + codes), sort=True
        )[0]
    else:
        cells = codes
    columns = [np.eye(int(cells.max()) + 1)[cells], t[:, None]]
    level = np.eye(k)[codes]
    columns.append(t[:, None] * level[:, 1:])
    names = [f"cell[{c}]" for c in range(int(cells.max()) + 1)] + ["treatment"]
    names += [f"treatment:level[{j}]" for j in range(2, k + 1)]
    tested = np.arange(len(names) - (k - 1), len(names))
    if covariates:
        x, x_names = covariate_matrix(frame, covariates)
        if estimator == "lin_estimator":
            for j in range(k):
                inside = codes == j
                centred = x - np.average(
                    x[inside], axis=0, weights=None if w is None else w[inside]
                )
                centred = centred * inside[:, None]
                columns += [centred, centred * t[:, None]]
                names += [f"{c}_c:level[{j + 1}]" for c in x_names]
                names += [f"treatment:{c}_c:level[{j + 1}]" for c in x_names]
        else:
            columns.append(x)
            names += x_names
    design = np.column_stack(columns)
    codes_cl = None if not clusters else pd.factorize(frame[clusters], sort=True)[0]
    try:
        fit = fit_ols(design, y, names, "CR2" if clusters else "HC2", codes_cl, tested, w)
    except DesignError as error:
        raise DesignError(
            f"subgroup column {variable!r}: the interacted model of the heterogeneity test "
            f"cannot be fitted: {error}"
        ) from error
    b = fit.coef[tested] / fit.units[tested]
    v = fit.vcov_units[np.ix_(tested, tested)]
    try:
        chi2 = float(b @ np.linalg.solve(v, b))
    except np.linalg.LinAlgError:
        chi2 = math.nan
    if not math.isfinite(chi2):
        raise DesignError(
            f"subgroup column {variable!r}: the covariance of the treatment x level "
            "interactions is singular, so the heterogeneity test is not defined (a level "
            "without variance in an arm?)."
        )
    q = k - 1
    df2 = int(fit.n_clusters - 1) if clusters else int(n - design.shape[1])
    return {
        "variable": variable,
        "n_levels": k,
        "statistic": chi2 / q,
        "df1": q,
        "df2": df2,
        "p_value": float(stats.f.sf(chi2 / q, q, df2)),
        "chi2": chi2,
        "chi2_p_value": float(stats.chi2.sf(chi2, q)),
    }


def _warn_small(small: list, min_size: int) -> None:
    """One warning naming the fragile levels; counts under the threshold as "fewer than 5"."""
    threshold = current_rules().threshold

    def count(n: int) -> str:
        return f"fewer than {threshold}" if small_count(n) else str(n)

    parts = []
    for variable, row in small:
        arms = [
            f"{arm} {count(row[key])}"
            for arm, key in (("treated", "n_treated"), ("control", "n_control"))
            if row[key] < min_size
        ]
        level = _show_values([row["level"]], variable)
        parts.append(f"{variable!r} level {level} ({', '.join(arms)})")
    shown = "; ".join(parts[:8]) + (f"; and {len(parts) - 8} more" if len(parts) > 8 else "")
    warnings.warn(
        f"{len(parts)} subgroup(s) have an arm of fewer than {min_size} persons (min_size): "
        f"{shown}. Their estimates are fragile; counts under {threshold} are suppressed in "
        "every view and export.",
        SmallSubgroupWarning,
        stacklevel=3,
    )
