r"""Local against reference: two groups, and two series period by period.

Most municipal projects have no control group. They are compared with the jobcentre as
a whole (Powerjobsøgerne: 96 of 192 into job or education against the jobcentre's 1,659
of 3,128) or with the national average month by month (Flere skal med: Herning's
indsatsgruppe against all municipalities). Such comparisons describe; they do not
estimate effects: the project's participants were selected (or selected themselves) and
may differ from the reference in ways that drive the outcome.

Two groups
----------
:func:`compare_proportions` gives, for ``a`` of ``n1`` (project) against ``c`` of ``n0``
(reference), the two shares with Wilson intervals (Wilson 1927) and

- the risk difference :math:`\hat p_1 - \hat p_0` with the Newcombe hybrid score interval
  (Newcombe 1998, *Stat Med* 17:873–890, method 10) and the score test, and with the Wald
  interval;
- Pearson's chi-square test with and without Yates' continuity correction and the
  corrected Wald interval, as R's ``prop.test(c(a, c), c(n1, n0), correct = TRUE/FALSE)``;
- the risk ratio (log-scale Wald interval; Katz et al. 1978), the odds ratio (Woolf 1955)
  and Fisher's exact test with the conditional MLE odds ratio.

The estimates come from :mod:`evalkit.effects.binary`: the counts are laid out as one
row per person (``outcome`` 0/1, ``group`` 1 = project, 0 = reference) and passed to
:func:`~evalkit.effects.binary.risk_difference`, :func:`~evalkit.effects.binary.risk_ratio`,
:func:`~evalkit.effects.binary.odds_ratio` and :func:`~evalkit.effects.binary.fisher_exact`
(:func:`proportion_difference` and :func:`proportion_ratio` are the count-level entry
points). Only the continuity-corrected ``prop.test`` numbers, which evalkit.effects does
not offer, are computed here.

Series
------
:func:`compare_series` aligns a local series (``successes`` of ``n`` per month or week)
with a reference series and gives per period the two shares with Wilson intervals, the
difference with its Newcombe interval and the ratio with its log-scale interval. When the
reference is only a published share (no counts), or ``reference_uncertainty="fixed"``,
the reference is treated as known: the difference interval is the local Wilson interval
minus the reference share, and the ratio interval the Wilson interval over it. With
``exclude_local=True`` the local counts are subtracted from the reference (a national
figure that includes the municipality is turned into the rest of the country).

:func:`average_gap` averages the per-period differences over a window,
:math:`\bar d = T^{-1}\sum_t d_t`, with a standard error that either treats the periods
as independent, :math:`\sqrt{\sum_t se_t^2}/T`, or as the same persons counted every
period (perfect correlation, :math:`\sum_t se_t / T`, the conservative default).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..effects.binary import (
    _wilson,
    fisher_exact,
    odds_ratio,
    risk_difference,
    risk_ratio,
)
from ..errors import ArgumentError, DesignError
from ..output.declare import declare_resting_on, declare_table
from ..results import EffectResult, InferentialResult
from ._common import (
    DEPENDENCE,
    ResultMixin,
    check_alpha,
    check_choice,
    check_share,
    check_successes,
    count_dict,
    fmt,
    fmt_p,
    pct,
    period_frame,
    select_window,
)
from .targets import (
    AverageTargetTest,
    TargetAttainment,
    _average_test,
    declare_series,
    mean_standard_error,
    target_attainment,
)

__all__ = [
    "SELECTION_CAVEAT",
    "GapResult",
    "SeriesComparison",
    "TwoGroupComparison",
    "average_gap",
    "compare_proportions",
    "compare_series",
    "prop_test_two_sample",
    "proportion_difference",
    "proportion_ratio",
]

SELECTION_CAVEAT = (
    "Not a causal effect. The two groups were not formed by randomization: the project's "
    "participants were selected (or chose to take part) and may differ from the reference "
    "group in motivation, job-readiness, benefit type and duration. The difference "
    "describes the groups; it does not estimate what the project did."
)


def _person_frame(a: int, n1: int, c: int, n0: int) -> pd.DataFrame:
    """One row per person: ``outcome`` (0/1) and ``group`` (1 project, 0 reference)."""
    outcome = np.concatenate(
        [
            np.repeat(np.array([1, 0], dtype=np.int8), [a, n1 - a]),
            np.repeat(np.array([1, 0], dtype=np.int8), [c, n0 - c]),
        ]
    )
    group = np.repeat(np.array([1, 0], dtype=np.int8), [n1, n0])
    return pd.DataFrame({"outcome": outcome, "group": group})


def _relabel(result: EffectResult, term: str) -> EffectResult:
    return EffectResult(**{**result.__dict__, "treatment": term, "outcome": "success"})


def _estimable(fit, term: str) -> EffectResult | None:
    """The relabelled result of ``fit()``, or None when the design cannot support it (a
    ratio with no events in a group)."""
    try:
        return _relabel(fit(), term)
    except DesignError:
        return None


def _checked_counts(a, n1, c, n0):
    a, n1 = check_successes(a, n1, "successes", "n")
    c, n0 = check_successes(c, n0, "reference_successes", "reference_n")
    return a, n1, c, n0


def proportion_difference(
    successes: int,
    n: int,
    reference_successes: int,
    reference_n: int,
    method: str = "newcombe",
    alpha: float = 0.05,
    term: str = "project",
) -> EffectResult:
    """Risk difference ``a/n1 - c/n0`` from counts, by :func:`evalkit.risk_difference`.

    ``method="newcombe"`` (hybrid score interval, score-test p-value) or ``"wald"``. The
    counts are laid out as one row per person and passed to
    :func:`evalkit.effects.binary.risk_difference`, so the numbers are exactly evalkit's.

    Example
    -------
    >>> res = proportion_difference(96, 192, 1659, 3128)
    >>> round(res.estimate, 4), [round(v, 4) for v in res.conf_int]
    (-0.0304, [-0.1025, 0.0418])
    """
    a, n1, c, n0 = _checked_counts(successes, n, reference_successes, reference_n)
    result = risk_difference(_person_frame(a, n1, c, n0), "outcome", "group", method, alpha)
    return _relabel(result, term)


def proportion_ratio(
    successes: int,
    n: int,
    reference_successes: int,
    reference_n: int,
    alpha: float = 0.05,
    term: str = "project",
) -> EffectResult:
    """Risk ratio ``(a/n1) / (c/n0)`` from counts, by :func:`evalkit.risk_ratio`.

    Log-scale Wald interval, :math:`SE(\\log RR) = \\sqrt{1/a - 1/n_1 + 1/c - 1/n_0}`.

    Example
    -------
    >>> round(proportion_ratio(96, 192, 1659, 3128).estimate, 4)
    0.9427
    """
    a, n1, c, n0 = _checked_counts(successes, n, reference_successes, reference_n)
    return _relabel(risk_ratio(_person_frame(a, n1, c, n0), "outcome", "group", alpha), term)


def prop_test_two_sample(
    successes: int,
    n: int,
    reference_successes: int,
    reference_n: int,
    correct: bool = True,
    alpha: float = 0.05,
) -> tuple[float, float, tuple[float, float]]:
    """Pearson's chi-square test of two proportions and the Wald interval of the difference,
    as R's ``prop.test(c(a, c), c(n1, n0), correct = correct)``: (X-squared, p, CI).

    With the correction, :math:`c = \\min(1/2, |d| / (1/n_1 + 1/n_0))` is subtracted from
    every :math:`|O - E|` of the 2x2 table and :math:`c (1/n_1 + 1/n_0)` added to the half
    width of the interval :math:`d \\pm z\\sqrt{\\sum \\hat p_i (1 - \\hat p_i)/n_i}`.
    Without it, the statistic is the square of the score statistic of
    :func:`proportion_difference` and the interval its Wald interval.

    >>> x2, p, ci = prop_test_two_sample(96, 192, 1659, 3128)
    >>> round(x2, 4), round(p, 4), [round(v, 4) for v in ci]
    (0.5533, 0.457, [-0.106, 0.0452])
    """
    a, n1, c, n0 = _checked_counts(successes, n, reference_successes, reference_n)
    alpha = check_alpha(alpha)
    x = np.array([a, c], dtype=float)
    nn = np.array([n1, n0], dtype=float)
    est = x / nn
    delta = est[0] - est[1]
    inv = float(np.sum(1 / nn))
    yates = min(0.5, abs(delta) / inv) if correct else 0.0
    z = stats.norm.isf(alpha / 2)
    width = z * math.sqrt(float(np.sum(est * (1 - est) / nn))) + yates * inv
    pooled = x.sum() / nn.sum()
    if pooled in (0.0, 1.0):
        raise DesignError("every person in both groups has the same outcome: nothing to test.")
    observed = np.column_stack([x, nn - x])
    expected = np.column_stack([nn * pooled, nn * (1 - pooled)])
    statistic = float(np.sum((np.abs(observed - expected) - yates) ** 2 / expected))
    ci = (max(delta - width, -1.0), min(delta + width, 1.0))
    return statistic, float(stats.chi2.sf(statistic, 1)), (float(ci[0]), float(ci[1]))


# ------------------------------------------------------------------------------ two groups
_TWO_GROUP_DEPENDENT = ["estimate", "std_error", "conf_low", "conf_high", "statistic", "p_value"]


@dataclass(frozen=True, eq=False)
class TwoGroupComparison(ResultMixin, InferentialResult):
    """A project's share against a reference group's: descriptive, not causal.

    Attributes
    ----------
    estimate, std_error, conf_int, p_value : those of ``difference`` (the risk
        difference, the result's headline).
    difference : :class:`~evalkit.results.EffectResult`, risk difference (Newcombe
        interval, score test).
    difference_wald, ratio, odds_ratio, fisher : Wald risk difference, risk ratio,
        Woolf odds ratio, Fisher's exact test (conditional MLE odds ratio).
    chi2, chi2_p / chi2_yates, chi2_yates_p, yates_conf_int : ``prop.test`` without and
        with continuity correction.
    caveat : the selection caveat, printed by ``summary()``.
    """

    labels: tuple[str, str]
    successes: int
    n: int
    reference_successes: int
    reference_n: int
    alpha: float
    shares: tuple[float, float]
    wilson: tuple[tuple[float, float], tuple[float, float]]
    difference: EffectResult = field(repr=False)
    difference_wald: EffectResult | None = field(repr=False)
    ratio: EffectResult | None = field(repr=False)
    odds_ratio: EffectResult | None = field(repr=False)
    fisher: EffectResult = field(repr=False)
    chi2: float
    chi2_p: float
    chi2_yates: float
    chi2_yates_p: float
    yates_conf_int: tuple[float, float]
    exclude_overlap: bool = False
    caveat: str = SELECTION_CAVEAT

    @property
    def estimate(self) -> float:
        """The risk difference (``difference.estimate``)."""
        return self.difference.estimate

    @property
    def std_error(self) -> float | None:
        """Its standard error (``difference.std_error``)."""
        return self.difference.std_error

    @property
    def conf_int(self) -> tuple[float, float]:
        """Its Newcombe interval (``difference.conf_int``)."""
        return self.difference.conf_int

    @property
    def p_value(self) -> float:
        """Its score test's p-value (``difference.p_value``)."""
        return self.difference.p_value

    def _rows(self) -> list[dict]:
        """Tidy rows: the two shares, then every contrast (the core columns, method,
        successes, n, reference_successes, reference_n).

        The counts each row rests on are columns (a share row has its own group's; a
        contrast row both groups'), declared for the output gate with the estimates,
        intervals, statistics and p-values computed from them; the method texts quote no
        counts. With ``exclude_overlap`` the reference counts are the reference minus the
        project's, which they would give away by subtraction: every row then carries the
        project's counts and the reference counts are declared as resting on them."""
        rows = []
        group_counts = (
            {"successes": self.successes, "n": self.n},
            {"reference_successes": self.reference_successes, "reference_n": self.reference_n},
        )
        both = {**group_counts[0], **group_counts[1]}
        if self.exclude_overlap:
            group_counts = (both, both)
        for label, share, (low, high), counts in zip(
            self.labels, self.shares, self.wilson, group_counts, strict=True
        ):
            rows.append(
                {
                    "term": f"share[{label}]",
                    "estimate": share,
                    "conf_low": low,
                    "conf_high": high,
                    "statistic": np.nan,
                    "p_value": np.nan,
                    "method": "Share, Wilson interval",
                    **counts,
                }
            )
        for term, res in (
            ("risk_difference", self.difference),
            ("risk_difference_wald", self.difference_wald),
            ("risk_ratio", self.ratio),
            ("odds_ratio", self.odds_ratio),
            ("fisher_exact", self.fisher),
        ):
            if res is None:
                continue
            rows.append(
                {
                    "term": term,
                    "estimate": res.estimate,
                    "std_error": np.nan if res.std_error is None else res.std_error,
                    "conf_low": res.conf_int[0],
                    "conf_high": res.conf_int[1],
                    "statistic": np.nan if res.statistic is None else res.statistic,
                    "p_value": res.p_value,
                    "method": res.method,
                    **both,
                }
            )
        rows.append(
            {
                "term": "risk_difference_yates",
                "estimate": self.difference.estimate,
                "conf_low": self.yates_conf_int[0],
                "conf_high": self.yates_conf_int[1],
                "statistic": self.chi2_yates,
                "p_value": self.chi2_yates_p,
                "method": "Risk difference, Wald interval and chi-square test with Yates' "
                "continuity correction (prop.test)",
                **both,
            }
        )
        return rows

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Counts: each group's successes and persons (and their complements); the rest
        rests on them. A share row leaves the other group's counts missing."""
        both = [c for c in ("successes", "n", "reference_successes", "reference_n")]
        for name in both:
            frame[name] = frame[name].astype("Int64")
        if not self.exclude_overlap:
            return declare_table(
                frame,
                counts=both,
                dependent=_TWO_GROUP_DEPENDENT,
                complements={"successes": "n", "reference_successes": "reference_n"},
            )
        local = ["successes", "n"]
        dependent = [*_TWO_GROUP_DEPENDENT, "reference_successes", "reference_n"]
        return declare_table(
            frame,
            counts=local,
            dependent={c: local for c in dependent},
            complements={"successes": "n"},
        )

    def _header(self) -> list[str]:
        first, second = self.labels
        overlap = f" ({second} without the {first} participants)" if self.exclude_overlap else ""
        return [
            f"{first} against {second}{overlap}: two proportions",
            f"{first}: {self.successes} of {self.n} = {pct(self.shares[0])}    "
            f"{second}: {self.reference_successes} of {self.reference_n} = "
            f"{pct(self.shares[1])}",
        ]

    def _notes(self) -> list[str]:
        return [self.caveat]

    def summary(self) -> str:
        level = f"{100 * (1 - self.alpha):g}%"
        d, r = self.difference, self.ratio
        lines = self._header() + [
            f"  risk difference {fmt(d.estimate, 4)}, {level} CI (Newcombe) "
            f"[{fmt(d.conf_int[0], 4)}, {fmt(d.conf_int[1], 4)}]",
            (
                f"  risk ratio {fmt(r.estimate, 4)}, {level} CI [{fmt(r.conf_int[0], 4)}, "
                f"{fmt(r.conf_int[1], 4)}]"
                if r is not None
                else "  risk ratio: not estimable (a group has no persons with the outcome)"
            ),
            f"  chi-square {fmt(self.chi2, 4)}, p = {fmt_p(self.chi2_p)}; with Yates' correction "
            f"{fmt(self.chi2_yates, 4)}, p = {fmt_p(self.chi2_yates_p)}; Fisher's exact "
            f"p = {fmt_p(self.fisher.p_value)}",
            "Caveat: " + self.caveat,
        ]
        return "\n".join(lines)


def compare_proportions(
    successes: int,
    n: int,
    reference_successes: int,
    reference_n: int,
    labels: tuple[str, str] = ("project", "reference"),
    alpha: float = 0.05,
    exclude_overlap: bool = False,
) -> TwoGroupComparison:
    """Compare a project's share with a reference group's (e.g. the jobcentre as a whole).

    Parameters
    ----------
    successes, n : the project's persons with the outcome, and its persons.
    reference_successes, reference_n : the same for the reference group.
    labels : names of the two groups, for the summary and table.
    exclude_overlap : the reference group includes the project's participants (the
        jobcentre's 3,128 citizens may include Powerjobsøgerne's 192); subtract them so
        the comparison is project against everyone else.

    The summary prints the selection caveat: the comparison is descriptive. See the
    module docstring for the methods; every estimate comes from
    :mod:`evalkit.effects.binary`.

    Example
    -------
    >>> res = compare_proportions(96, 192, 1659, 3128, labels=("Powerjobsøgerne", "Jobcenter"))
    >>> round(res.difference.estimate, 4), round(res.fisher.p_value, 3)
    (-0.0304, 0.414)
    >>> "Not a causal effect" in res.summary()
    True
    """
    a, n1, c, n0 = _checked_counts(successes, n, reference_successes, reference_n)
    alpha = check_alpha(alpha)
    if (
        not isinstance(labels, tuple | list)
        or len(labels) != 2
        or not all(isinstance(x, str) for x in labels)
    ):
        raise ArgumentError(f"labels must be two names; got {labels!r}.")
    if exclude_overlap:
        if c < a or n0 - c < n1 - a:
            raise ArgumentError(
                "exclude_overlap=True subtracts the project's persons from the reference, but "
                f"the reference ({c} of {n0}) cannot contain the project ({a} of {n1})."
            )
        c, n0 = c - a, n0 - n1
        if n0 == 0:
            raise ArgumentError("nothing is left of the reference after excluding the project.")
    data = _person_frame(a, n1, c, n0)
    term = labels[0]
    chi2, chi2_p, _ = prop_test_two_sample(a, n1, c, n0, correct=False, alpha=alpha)
    chi2_y, chi2_y_p, ci_y = prop_test_two_sample(a, n1, c, n0, correct=True, alpha=alpha)
    return TwoGroupComparison(
        labels=(labels[0], labels[1]),
        successes=a,
        n=n1,
        reference_successes=c,
        reference_n=n0,
        alpha=alpha,
        shares=(a / n1, c / n0),
        wilson=(_wilson(a, n1, alpha), _wilson(c, n0, alpha)),
        difference=_relabel(risk_difference(data, "outcome", "group", "newcombe", alpha), term),
        difference_wald=_estimable(
            lambda: risk_difference(data, "outcome", "group", "wald", alpha), term
        ),
        ratio=_estimable(lambda: risk_ratio(data, "outcome", "group", alpha), term),
        odds_ratio=_estimable(lambda: odds_ratio(data, "outcome", "group", "woolf", alpha), term),
        fisher=_relabel(fisher_exact(data, "outcome", "group", alpha), term),
        chi2=chi2,
        chi2_p=chi2_p,
        chi2_yates=chi2_y,
        chi2_yates_p=chi2_y_p,
        yates_conf_int=ci_y,
        exclude_overlap=bool(exclude_overlap),
    )


# ---------------------------------------------------------------------------------- series
_LOCAL_COUNTS = ["successes", "n"]
_REFERENCE_COUNTS = ["ref_successes", "ref_n"]
_REFERENCE_VALUES = ["ref_share", "ref_ci_low", "ref_ci_high"]
_CONTRASTS = [
    "difference",
    "diff_low",
    "diff_high",
    "diff_se",
    "p_value",
    "ratio",
    "ratio_low",
    "ratio_high",
]
_SERIES_COLUMNS = [
    "period",
    *_LOCAL_COUNTS,
    "share",
    "ci_low",
    "ci_high",
    *_REFERENCE_COUNTS,
    *_REFERENCE_VALUES,
    *_CONTRASTS,
]


@dataclass(frozen=True, eq=False)
class GapResult(ResultMixin, InferentialResult):
    """The average gap between a local and a reference series over a window."""

    estimate: float
    std_error: float
    conf_int: tuple[float, float]
    statistic: float
    p_value: float
    local_mean: float
    reference_mean: float
    dependence: str
    alpha: float
    n_periods: int
    first: object
    last: object
    _counts: dict = field(default_factory=dict, repr=False)

    def _term(self) -> str:
        return "average_gap"

    def _row_extra(self) -> dict:
        return {
            "local_mean": self.local_mean,
            "reference_mean": self.reference_mean,
            "n_periods": self.n_periods,
            "dependence": self.dependence,
        }

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Rests on the smallest count of its periods (``n_periods`` counts periods)."""
        return declare_resting_on(frame, self._counts)

    def _header(self) -> list[str]:
        return [
            f"Average gap (local - reference) over {self.n_periods} periods "
            f"({self.first} to {self.last})",
            "Periods treated as "
            + (
                "the same persons (perfectly correlated; conservative)"
                if self.dependence == "same_persons"
                else "independent samples"
            ),
        ]

    def summary(self) -> str:
        level = f"{100 * (1 - self.alpha):g}%"
        return "\n".join(
            self._header()
            + [
                f"  local {pct(self.local_mean)}, reference {pct(self.reference_mean)}: gap "
                f"{100 * self.estimate:+.1f} points, {level} CI [{100 * self.conf_int[0]:+.1f}, "
                f"{100 * self.conf_int[1]:+.1f}], p = {fmt_p(self.p_value)}",
                "Descriptive: the gap is not the effect of the local programme.",
            ]
        )


@dataclass(frozen=True, eq=False)
class SeriesComparison(ResultMixin):
    """A local series against a reference series, period by period.

    ``table`` has one row per period: period, successes, n, share, ci_low, ci_high (Wilson),
    ref_successes, ref_n, ref_share, ref_ci_low, ref_ci_high, difference, diff_low,
    diff_high (Newcombe, or Wilson minus a fixed reference), diff_se (Wald), p_value,
    ratio, ratio_low, ratio_high.
    """

    table: pd.DataFrame = field(repr=False)
    alpha: float
    reference_uncertainty: str
    exclude_local: bool
    labels: tuple[str, str]
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The per-period table (a copy), declared for the output gate (see
        :func:`compare_series`)."""
        return _declare_comparison(self.table.copy(), self.exclude_local)

    def local(self) -> pd.DataFrame:
        """The local series (period, successes, n, share, ci_low, ci_high), declared."""
        cols = ["period", "successes", "n", "share", "ci_low", "ci_high"]
        return declare_series(self.table[cols].copy())

    def reference(self) -> pd.DataFrame:
        """The reference series (period, successes, n, share, ci_low, ci_high), declared.

        With ``exclude_local`` the reference counts are the published reference minus the
        local counts: exported alone, they give the local counts away by subtraction from
        the published figure, which this frame cannot know. Export :meth:`to_frame`
        instead, which suppresses them together with the local counts."""
        cols = ["period", "ref_successes", "ref_n", "ref_share", "ref_ci_low", "ref_ci_high"]
        out = self.table[cols].copy()
        out.columns = ["period", "successes", "n", "share", "ci_low", "ci_high"]
        return declare_series(out)

    def average_gap(self, start=None, end=None, dependence: str = "same_persons") -> GapResult:
        """:func:`average_gap` over the periods from ``start`` to ``end``."""
        return average_gap(self, start, end, dependence)

    def attainment(self, target: float) -> TargetAttainment:
        """:func:`~evalkit.benchmark.targets.target_attainment` of the local series."""
        return target_attainment(self.local(), target, alpha=self.alpha)

    def average_target_test(
        self,
        target: float,
        start=None,
        end=None,
        dependence: str = "same_persons",
        alternative: str = "greater",
    ) -> AverageTargetTest:
        """:func:`~evalkit.benchmark.targets.average_target_test` of the local series."""
        return _average_test(
            self.local(), check_share(target), start, end, dependence, alternative, self.alpha
        )

    def plot(
        self, target: float | None = None, ax=None, lang: str = "en", band: bool = True, **kwargs
    ):
        """The two series with the target line, by :func:`evalkit.report.plots.series_plot`."""
        from ..report.plots import series_plot

        local = self.table[["period", "share"]].copy()
        if band and self.table["ci_low"].notna().all():
            local["ci_low"], local["ci_high"] = self.table["ci_low"], self.table["ci_high"]
        national = self.table[["period", "ref_share"]].rename(columns={"ref_share": "share"})
        kwargs.setdefault("local_label", self.labels[0])
        kwargs.setdefault("national_label", self.labels[1])
        return series_plot(local, national, target=target, ax=ax, lang=lang, **kwargs)

    def _header(self) -> list[str]:
        kind = (
            "the reference treated as known (no sampling error)"
            if self.reference_uncertainty == "fixed"
            else "both series with sampling error (Newcombe intervals)"
        )
        first, last = self.table["period"].iloc[0], self.table["period"].iloc[-1]
        return [
            f"{self.labels[0]} against {self.labels[1]}, {len(self.table)} periods "
            f"({first} to {last}); {kind}"
            + ("; local persons removed from the reference" if self.exclude_local else "")
        ]

    def _notes(self) -> list[str]:
        return list(self.notes) + [
            "Descriptive comparison: differences from the reference are not effects."
        ]

    def summary(self) -> str:
        t = self.table
        shown = pd.DataFrame(
            {
                "period": t["period"].astype(str),
                "local": t["share"].map(pct),
                "reference": t["ref_share"].map(pct),
                "difference": t["difference"].map(lambda v: f"{100 * v:+.1f}"),
                "CI": [
                    f"[{100 * a:+.1f}, {100 * b:+.1f}]" if np.isfinite(a) else ""
                    for a, b in zip(t["diff_low"], t["diff_high"], strict=True)
                ],
                "ratio": t["ratio"].map(lambda v: fmt(v, 3)),
            }
        )
        return "\n".join(
            self._header() + [shown.to_string(index=False)] + [f"Note: {n}" for n in self._notes()]
        )


def compare_series(
    local: pd.DataFrame,
    reference: pd.DataFrame,
    period: str = "period",
    successes: str = "successes",
    n: str = "n",
    reference_share: str = "share",
    alpha: float = 0.05,
    reference_uncertainty: str = "sample",
    exclude_local: bool = False,
    labels: tuple[str, str] = ("Local", "National average"),
) -> SeriesComparison:
    """Compare a local share series with a reference (national) series period by period.

    Parameters
    ----------
    local : one row per period with ``period``, ``successes`` and ``n`` (counts).
    reference : one row per period with ``successes`` and ``n``, or only a published
        ``reference_share`` (then treated as known). It must cover every local period.
    reference_uncertainty : ``"sample"`` (default; the reference is a sample with its own
        binomial error: Newcombe interval for the difference, log-scale interval for the
        ratio) or ``"fixed"`` (the reference share is taken as known: Wilson interval of
        the local share minus, or over, the reference share; p-value of the one-sample
        score test). A national series of 12,821 persons has little sampling error; the
        two choices then agree.
    exclude_local : subtract the local counts from the reference counts (when the
        national figure includes the municipality).
    labels : legend names of the two series.

    Returns a :class:`SeriesComparison`; use ``.average_gap()``, ``.attainment(target)``,
    ``.average_target_test(target)`` and ``.plot(target=...)``.

    Example
    -------
    >>> loc = pd.DataFrame({"period": ["2019-05", "2019-06"], "successes": [58, 60],
    ...                     "n": [130, 128]})
    >>> nat = pd.DataFrame({"period": ["2019-05", "2019-06"], "successes": [5400, 5487],
    ...                     "n": [12800, 12821]})
    >>> cmp = compare_series(loc, nat)
    >>> print(", ".join(f"{v:.4f}" for v in cmp.table["difference"]))
    0.0243, 0.0408
    """
    alpha = check_alpha(alpha)
    check_choice(reference_uncertainty, "reference_uncertainty", ("sample", "fixed"))
    if (
        not isinstance(labels, tuple | list)
        or len(labels) != 2
        or not all(isinstance(x, str) for x in labels)
    ):
        raise ArgumentError(f"labels must be two names; got {labels!r}.")
    loc = period_frame(local, "local", period, successes, n)
    ref = period_frame(reference, "reference", period, successes, n, reference_share)
    ref_counts = ref["n"].notna().all()
    notes: list[str] = []
    if not ref_counts and reference_uncertainty == "sample":
        reference_uncertainty = "fixed"
        notes.append("The reference has shares only (no counts): it is treated as known.")
    if exclude_local and not ref_counts:
        raise ArgumentError("exclude_local=True needs reference counts (successes and n).")
    missing = sorted(set(loc["period"]) - set(ref["period"]), key=str)
    if missing:
        raise ArgumentError(
            f"the reference lacks {len(missing)} local periods (e.g. {missing[:3]}); give the "
            "reference for every local period or cut the local series."
        )
    ref = ref.set_index("period").loc[loc["period"]].reset_index()
    rows = []
    for (_, lrow), (_, rrow) in zip(loc.iterrows(), ref.iterrows(), strict=True):
        rows.append(_period_row(lrow, rrow, alpha, reference_uncertainty, exclude_local, notes))
    table = _declare_comparison(pd.DataFrame(rows, columns=_SERIES_COLUMNS), exclude_local)
    return SeriesComparison(
        table=table,
        alpha=alpha,
        reference_uncertainty=reference_uncertainty,
        exclude_local=bool(exclude_local),
        labels=(labels[0], labels[1]),
        notes=tuple(dict.fromkeys(notes)),
    )


def _declare_comparison(
    table: pd.DataFrame, exclude_local: bool, contrasts: list[str] | None = None
) -> pd.DataFrame:
    """The period table declared for the output gate.

    The local and reference successes and persons are counts; the local share and its
    interval rest on the local counts, the reference share and its interval on the
    reference counts, the contrasts on all four. With ``exclude_local`` the reference
    counts are a published reference minus the local counts, from which the local counts
    follow by subtraction: the reference counts and everything computed from them then
    also rest on the local counts (and are suppressed with them). ``contrasts``: the
    columns computed from both series (default those of :func:`compare_series`)."""
    contrasts = [c for c in (_CONTRASTS if contrasts is None else contrasts) if c in table]
    local_values = [c for c in ["share", "ci_low", "ci_high"] if c in table]
    reference_values = [c for c in _REFERENCE_VALUES if c in table]
    if not exclude_local:
        everything = _LOCAL_COUNTS + _REFERENCE_COUNTS
        dependent = {
            **{c: _LOCAL_COUNTS for c in local_values},
            **{c: _REFERENCE_COUNTS for c in reference_values},
            **{c: everything for c in contrasts},
        }
        return declare_table(
            table,
            counts=everything,
            dependent=dependent,
            complements={"successes": "n", "ref_successes": "ref_n"},
        )
    # the reference counts cannot be both counts and dependent: they are declared as
    # resting on the local counts (a reference of fewer persons than the threshold after
    # removing the local ones would not be a reference)
    resting = local_values + _REFERENCE_COUNTS + reference_values + contrasts
    return declare_table(
        table,
        counts=_LOCAL_COUNTS,
        dependent={c: _LOCAL_COUNTS for c in resting},
        complements={"successes": "n"},
    )


def _period_row(lrow, rrow, alpha, uncertainty, exclude_local, notes) -> dict:
    a, n1 = int(lrow["successes"]), int(lrow["n"])
    p1 = a / n1
    low, high = _wilson(a, n1, alpha)
    row = {
        "period": lrow["period"],
        "successes": a,
        "n": n1,
        "share": p1,
        "ci_low": low,
        "ci_high": high,
    }
    nan = math.nan
    if rrow["n"] == rrow["n"]:  # counts present
        c, n0 = int(rrow["successes"]), int(rrow["n"])
        if exclude_local:
            if c < a or n0 - c < n1 - a:
                raise ArgumentError(
                    f"period {lrow['period']}: the reference ({c} of {n0}) cannot contain the "
                    f"local counts ({a} of {n1}); check exclude_local."
                )
            c, n0 = c - a, n0 - n1
            if n0 == 0:
                raise ArgumentError(f"period {lrow['period']}: no reference left.")
        p0 = c / n0
        r_low, r_high = _wilson(c, n0, alpha)
    else:
        c = n0 = nan
        p0 = float(rrow["share"])
        r_low = r_high = nan
    row.update(
        {
            "ref_successes": c,
            "ref_n": n0,
            "ref_share": p0,
            "ref_ci_low": r_low,
            "ref_ci_high": r_high,
        }
    )
    if uncertainty == "sample":
        try:
            diff = proportion_difference(a, n1, c, n0, alpha=alpha)
            d, (d_low, d_high), se, p_val = (
                diff.estimate,
                diff.conf_int,
                diff.std_error,
                diff.p_value,
            )
        except DesignError:
            d, d_low, d_high, p_val = p1 - p0, nan, nan, nan
            se = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
            notes.append(f"No test in period {lrow['period']}: the outcome is constant.")
        try:
            ratio = proportion_ratio(a, n1, c, n0, alpha=alpha)
            rr, (rr_low, rr_high) = ratio.estimate, ratio.conf_int
        except DesignError:
            rr = p1 / p0 if p0 > 0 else nan
            rr_low = rr_high = nan
            notes.append(f"No ratio interval in period {lrow['period']}: a share is 0 or 1.")
    else:
        d = p1 - p0
        d_low, d_high = low - p0, high - p0
        se = math.sqrt(p1 * (1 - p1) / n1)
        if 0.0 < p0 < 1.0:
            p_val = float(2 * stats.norm.sf(abs(d) / math.sqrt(p0 * (1 - p0) / n1)))
        else:
            p_val = nan
        if p0 > 0:
            rr, rr_low, rr_high = p1 / p0, low / p0, high / p0
        else:
            rr = rr_low = rr_high = nan
    row.update(
        {
            "difference": d,
            "diff_low": d_low,
            "diff_high": d_high,
            "diff_se": se,
            "p_value": p_val,
            "ratio": rr,
            "ratio_low": rr_low,
            "ratio_high": rr_high,
        }
    )
    return row


def average_gap(
    comparison: SeriesComparison,
    start=None,
    end=None,
    dependence: str = "same_persons",
) -> GapResult:
    """Average of the per-period differences (local minus reference) over a window.

    :math:`\\bar d = T^{-1} \\sum_t d_t` over the periods from ``start`` to ``end``
    (inclusive), with standard error :math:`\\sum_t se_t / T` (``"same_persons"``: the
    periods perfectly correlated, conservative for a panel) or
    :math:`\\sqrt{\\sum_t se_t^2} / T` (``"independent"``); :math:`se_t` is the Wald
    standard error of period ``t``'s difference. Wald interval and z test of no gap.

    Example
    -------
    >>> loc = pd.DataFrame({"period": [1, 2], "successes": [58, 60], "n": [130, 128]})
    >>> nat = pd.DataFrame({"period": [1, 2], "successes": [5400, 5487], "n": [12800, 12821]})
    >>> round(average_gap(compare_series(loc, nat)).estimate, 4)
    0.0325
    """
    if not isinstance(comparison, SeriesComparison):
        raise ArgumentError(
            f"average_gap needs the result of compare_series; got {type(comparison).__name__}."
        )
    check_choice(dependence, "dependence", DEPENDENCE)
    window = select_window(comparison.table, start, end, "the comparison")
    d = window["difference"].to_numpy(float)
    se = mean_standard_error(window["diff_se"].to_numpy(float), dependence)
    mean = float(d.mean())
    crit = stats.norm.isf(comparison.alpha / 2)
    if se > 0:
        z = mean / se
        p_value = float(2 * stats.norm.sf(abs(z)))
    else:
        z = p_value = math.nan
    return GapResult(
        estimate=mean,
        std_error=se,
        conf_int=(mean - crit * se, mean + crit * se),
        statistic=float(z),
        p_value=p_value,
        local_mean=float(window["share"].mean()),
        reference_mean=float(window["ref_share"].mean()),
        dependence=dependence,
        alpha=comparison.alpha,
        n_periods=len(window),
        first=window["period"].iloc[0],
        last=window["period"].iloc[-1],
        _counts={
            **count_dict(
                [f"period {p}" for p in window["period"]], window["successes"], window["n"]
            ),
            **count_dict(
                [f"reference, period {p}" for p in window["period"]],
                window["ref_successes"],
                window["ref_n"],
            ),
        },
    )
