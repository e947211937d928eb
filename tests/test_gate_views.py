"""Disclosure control and CPR redaction of every result's views (issue 12).

A contract test over a list of result factories: for every public result type, built
on data with a small count (an arm or group of 3, 2 events, a block of 2, ...), no view
(``summary()``, ``str()``, ``repr()``, ``_repr_html_()``, ``_repr_pretty_``) shows the
small count in its count position or the exact numbers resting on it, while the
attributes stay exact; built on large counts, the views show the numbers as before; a
CPR number placed in a label, group or outcome name never appears in any view. A last
test fails when a public result class of evalkit is missing from the list (add a
factory to :data:`CASES`, or the class to :data:`EXCLUDED` with the reason).
"""

from __future__ import annotations

import html
import importlib
import inspect
import pkgutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

import evalkit
import evalkit.benchmark as bm
from evalkit.benchmark.compare import GapResult, SeriesComparison, TwoGroupComparison
from evalkit.benchmark.did import DidResult
from evalkit.benchmark.funnel import FunnelResult, Overdispersion
from evalkit.benchmark.standardise import ObservedExpected, Standardisation
from evalkit.benchmark.targets import (
    AverageTargetTest,
    CostPerOutcome,
    GoalProbability,
    TargetAttainment,
    TargetTest,
)
from evalkit.design import assign, diagnose_design, normal_design
from evalkit.design.assign import Assignment
from evalkit.design.diagnose import DesignDiagnosis
from evalkit.economics.business import BusinessCase
from evalkit.economics.fullyear import FullYearDifference
from evalkit.effects.binary import ProportionResult
from evalkit.inference import (
    index_outcome,
    randomization_ci,
    randomization_test,
    westfall_young,
)
from evalkit.inference.index import IndexResult
from evalkit.inference.multiple import MultipleTestResult
from evalkit.inference.randomization import RandomizationInterval, RandomizationResult
from evalkit.output import output_rules
from evalkit.report import balance_table
from evalkit.report.tables import BalanceTable
from evalkit.results import SummaryDisplay, ViewControl, fmt_value
from evalkit.survival import (
    cox,
    cumulative_incidence,
    discrete_time_hazard,
    fine_gray,
    gray_test,
    kaplan_meier,
    logrank_test,
)
from evalkit.survival.competing import CumulativeIncidence, FineGrayResult, GrayTestResult
from evalkit.survival.cox import CoxResult
from evalkit.survival.discrete import DiscreteHazardResult
from evalkit.survival.km import SurvivalCurve
from evalkit.survival.logrank import LogRankResult

CPR = "010190-1234"
CPR_DIGITS = "0101901234"

#: Public classes with ``summary`` that are not results about persons, and why.
EXCLUDED = {
    # Power calculations show planned sizes (numbers the analyst chose), not persons.
    "evalkit.design.power.PowerResult": "planned sizes, not persons",
    "evalkit.design.power.MinimumDetectableEffect": "planned sizes, not persons",
    "evalkit.design.power.SampleSize": "planned sizes, not persons",
    # The display mixins themselves.
    "evalkit.results.SummaryDisplay": "mixin",
    "evalkit.results.LinesDisplay": "mixin",
    "evalkit.results.TableDisplay": "mixin",
    "evalkit.benchmark._common.ResultMixin": "mixin",
    "evalkit.results.InferentialResult": "base class",
    "evalkit.results.HypothesisTest": "base class",
    "evalkit.results.IntervalEstimate": "base class",
    # EffectResult has its own contract tests (tests/test_gate_figures_results.py).
    "evalkit.results.EffectResult": "tested in test_gate_figures_results.py",
}


# ----------------------------------------------------------------------------- data
def spells(small: bool, label: str = "b", seed: int = 1) -> pd.DataFrame:
    """Durations and events: arm "a" of 60 persons, arm ``label`` of 3 (small) or 60."""
    rng = np.random.default_rng(seed)
    n_b = 3 if small else 60
    n = 60 + n_b
    weeks = rng.integers(1, 30, size=n).astype(float)
    exit_ = (rng.random(n) < 0.7).astype(int)
    cause = np.where(exit_ == 1, rng.integers(1, 3, size=n), 0)
    arm = np.array(["a"] * 60 + [label] * n_b, dtype=object)
    return pd.DataFrame(
        {
            "weeks": weeks,
            "exit": exit_,
            "cause": cause,
            "arm": arm,
            "t": (arm != "a").astype(int),
            "age": rng.normal(40, 10, size=n).round(),
        }
    )


def few_events(small: bool, outcome: str = "exit") -> pd.DataFrame:
    """80 persons with 2 events (small) or about 40."""
    rng = np.random.default_rng(7)
    n = 80
    event = np.zeros(n, dtype=int)
    if small:
        event[[5, 40]] = 1
    else:
        event[rng.random(n) < 0.5] = 1
    return pd.DataFrame(
        {
            "weeks": rng.integers(1, 20, size=n).astype(float),
            outcome: event,
            "t": np.tile([0, 1], n // 2),
            "age": rng.normal(40, 10, size=n).round(),
        }
    )


def trial(small: bool, outcome: str = "y") -> pd.DataFrame:
    """Treated arm of 3 (small) or 40 persons, control of 40."""
    rng = np.random.default_rng(3)
    n1 = 3 if small else 40
    t = np.r_[np.ones(n1, int), np.zeros(40, int)]
    return pd.DataFrame(
        {
            outcome: rng.normal(10, 2, size=t.size).round(3) + 1.5 * t,
            "z": rng.normal(5, 1, size=t.size).round(3),
            "w": rng.normal(0, 1, size=t.size).round(3),
            "t": t,
            "x": rng.normal(0, 1, size=t.size).round(2),
        }
    )


# ----------------------------------------------------------------------------- cases
@dataclass
class Case:
    """One result type: ``build(small, label)`` makes it (``label``: a name to place in
    a group, outcome or label); ``hidden(r)`` the texts no view of the small version may
    show (small counts in their position, exact numbers); ``shown(r)`` texts the large
    version shows; ``exact(r)`` checks the attributes of the small version."""

    cls: type
    build: Callable
    hidden: Callable = lambda r: []
    shown: Callable = lambda r: []
    exact: Callable = lambda r: True
    suppresses: bool = True
    extra: dict = field(default_factory=dict)


def _g(value, spec=".4g") -> str:
    return format(value, spec)


def _km(small, label="arm"):
    """``label``: the name of the group column."""
    return kaplan_meier(spells(small).rename(columns={"arm": label}), "weeks", "exit", group=label)


def _km_medians(r):
    return [_g(v) for v in r.median()["median"] if np.isfinite(v)]


def _cif(small, label="arm"):
    """``label``: the name of the group column."""
    return cumulative_incidence(
        spells(small).rename(columns={"arm": label}), "weeks", "cause", group=label
    )


def _cif_hidden(r):
    last = r.table.groupby(["group", "cause"])["cumulative_incidence"].last()
    return [fmt_value(v) for v in last if 0 < v < 1]


def _gray(small, label="arm"):
    """``label``: the name of the group column."""
    return gray_test(spells(small).rename(columns={"arm": label}), "weeks", "cause", label)


def _fine_gray(small, label="b"):
    d = spells(small, label)
    if small:
        d["cause"] = np.where(np.arange(len(d)) < 2, 1, np.where(d["cause"] == 1, 0, d["cause"]))
    return fine_gray(d, "weeks", "cause", ["age"])


def _cox(small, label="age"):
    d = few_events(small).rename(columns={"age": label})
    return cox(d, "weeks", "exit", [label])


def _logrank(small, label="arm"):
    """``label``: the name of the group column."""
    return logrank_test(spells(small).rename(columns={"arm": label}), "weeks", "exit", label)


def _discrete(small, label="age"):
    d = few_events(small).rename(columns={"age": label})
    return discrete_time_hazard(d, "weeks", "exit", [label], baseline="linear")


def _randomization(small, label="y"):
    return randomization_test(trial(small, label), label, "t", n_draws=500, seed=1)


def _randomization_ci(small, label="y"):
    return randomization_ci(trial(small, label), label, "t", n_draws=200, seed=1)


def _multiple(small, label="y"):
    return westfall_young(trial(small, label), [label, "z", "w"], "t", n_draws=200, seed=1)


def _index(small, label="y"):
    return index_outcome(trial(small, label), [label, "z", "w"], "t")


def _assign(small, label="b"):
    block = ["a"] * 40 + [label] * (2 if small else 40)
    return assign(pd.DataFrame({"block": block}), blocks="block", seed=5)


def _diagnose(small, label="normal"):
    design = normal_design(n_treated=20, n_control=20, effect=0.5)
    design.description = f"{label} design"
    estimator = lambda d: evalkit.difference_in_means(d, "y", "treated")  # noqa: E731
    return diagnose_design(design, estimator, 20, seed=1)


def _balance(small, label="x"):
    d = trial(small).rename(columns={"x": label})
    return balance_table(d, "t", [label, "z"])


def _two_group(small, label="project"):
    n = 3 if small else 120
    return bm.compare_proportions(2 if small else 50, n, 400, 1000, labels=(label, "reference"))


def _series(small, label="Herning"):
    local = pd.DataFrame(
        {"period": [1, 2, 3], "successes": [30, 2 if small else 31, 33], "n": [80, 80, 80]}
    )
    ref = pd.DataFrame({"period": [1, 2, 3], "successes": [400] * 3, "n": [1000] * 3})
    return bm.compare_series(local, ref, labels=(label, "National"))


def _gap(small, label="Herning"):
    return bm.average_gap(_series(small, label))


def _did(small, label="x"):
    local = pd.DataFrame(
        {"period": range(1, 7), "successes": [20, 3 if small else 21, 22, 30, 31, 33],
         "n": [50] * 6}
    )  # fmt: skip
    national = pd.DataFrame({"period": range(1, 7), "successes": [400] * 6, "n": [1000] * 6})
    return bm.did_national(local, national, start=4)


def _full_year(small, label="benefit"):
    """Full-year persons against control: a treated arm of 3 (small) or 40, control 40."""
    from evalkit.economics import full_year_effect
    from evalkit.panel import StatusPanel

    rng = np.random.default_rng(5)
    n1 = 3 if small else 40
    codes = (rng.random((n1 + 40, 52)) < 0.6).astype(np.int8)
    ids = np.array([f"p{i}" for i in range(n1 + 40)])
    panel = StatusPanel(ids, codes, ("employed", label), first_week=1, aligned=True)
    trial = pd.DataFrame({"id": ids, "t": np.r_[np.ones(n1, int), np.zeros(40, int)]})
    return full_year_effect(panel, label, trial, "t", (1, 52))


def _business(small, label="case"):
    """A business case priced from an effect on arms of 178 and 3 (small) or 172."""
    from evalkit.economics import business_case
    from evalkit.results import EffectResult

    effect = EffectResult(estimate=-0.1, std_error=0.02, conf_int=(-0.14, -0.06),
                          p_value=0.001, statistic=-5.0, df=None, n_treated=178,
                          n_control=3 if small else 172, method="Difference in means",
                          outcome="full_year_persons", treatment="t")  # fmt: skip
    return business_case(effect, saving=100_000, cost_per_year=1_000_000, horizon=1,
                         effect_is="difference_on_benefit", participants_per_year=350,
                         label=label)  # fmt: skip


def _funnel(small, label="unit"):
    successes = [40, 45, 50, 2 if small else 30, 55]
    n = [100, 100, 100, 3 if small else 100, 100]
    units = [f"{label} {i}" for i in range(5)]
    return bm.funnel_compare(successes, n, target=0.45, units=units)


def _overdispersion(small, label=None):
    successes = [40, 45, 50, 2 if small else 30, 55, 48]
    n = [100, 100, 100, 3 if small else 100, 100, 100]
    return bm.estimate_overdispersion(successes, n, 0.45)


def _observed_expected(small, label="O/E"):
    return bm.observed_expected(3 if small else 45, 12.5, label=label)


CASEMIX = pd.DataFrame(
    {
        "kommune": ["A"] * 4 + ["B"] * 4,
        "age": ["<30", "<30", "30+", "30+"] * 2,
        "benefit": ["kh", "dp"] * 4,
        "successes": [10, 12, 8, 30, 3, 5, 20, 60],
        "n": [30, 25, 40, 60, 10, 12, 90, 150],
    }
)
NATIONAL = pd.DataFrame(
    {
        "age": ["<30", "<30", "30+", "30+"],
        "benefit": ["kh", "dp", "kh", "dp"],
        "successes": [900, 1300, 1500, 4200],
        "n": [3000, 2500, 8000, 9000],
    }
)


def _standardise(small, label="A"):
    data = CASEMIX.assign(kommune=CASEMIX["kommune"].replace("A", label))
    if small:  # kommune B: 3 persons in all
        data.loc[4:, "successes"], data.loc[4:, "n"] = [0, 1, 0, 1], [1, 1, 0, 1]
        data = data[data["n"] > 0]
    return bm.indirect_standardise(data, NATIONAL, ["age", "benefit"], by="kommune")


def _proportion(small, label=None):
    return evalkit.wilson_interval(2 if small else 40, 3 if small else 100)


def _target(small, label="share"):
    return bm.target_test(2 if small else 40, 3 if small else 100, 0.4, label=label)


def _attainment(small, label=None):
    s = pd.DataFrame({"period": [1, 2, 3], "successes": [60, 2 if small else 62, 65],
                      "n": [140, 3 if small else 135, 130]})  # fmt: skip
    return bm.target_attainment(s, 0.40)


def _average_target(small, label=None):
    s = pd.DataFrame({"period": [1, 2, 3], "successes": [60, 2 if small else 62, 65],
                      "n": [140, 3 if small else 135, 130]})  # fmt: skip
    return bm.average_target_test(s, 0.40)


def _goal(small, label=None):
    return bm.goal_probability(2 if small else 16, 3 if small else 65, 60, 120)


def _cost(small, label="outcome"):
    return bm.cost_per_outcome(250_000, 3 if small else 96, 192, label=label)


CASES: dict[str, Case] = {
    "SurvivalCurve": Case(
        SurvivalCurve,
        _km,
        hidden=lambda r: ["n = 3", *[f"median = {m}" for m in _km_medians(r)]],
        shown=lambda r: ["n = 60", *_km_medians(r)],
        exact=lambda r: r.table.groupby("group")["n_risk"].max()["b"] == 3,
    ),
    "CumulativeIncidence": Case(
        CumulativeIncidence,
        _cif,
        hidden=_cif_hidden,
        shown=lambda r: [f"n = {r.n}"],
        extra={"text_shown": lambda r: _cif_hidden(r)[:2]},
        exact=lambda r: r.n == 63,
    ),
    "GrayTestResult": Case(
        GrayTestResult,
        _gray,
        hidden=lambda r: [fmt_value(r.statistic), f"b: {r.n_events[1]}"],
        shown=lambda r: [fmt_value(r.statistic), f"n = {r.n}"],
        exact=lambda r: r.n == 63 and r.n_events[1] < 5,
    ),
    "FineGrayResult": Case(
        FineGrayResult,
        _fine_gray,
        hidden=lambda r: [fmt_value(r.terms["estimate"].iloc[0]), "of the cause 2,"],
        shown=lambda r: [fmt_value(r.terms["estimate"].iloc[0]), f"n = {r.n}"],
        exact=lambda r: r.n_events == 2,
    ),
    "CoxResult": Case(
        CoxResult,
        _cox,
        hidden=lambda r: ["events = 2", fmt_value(r.coefficients[0]), f"{r.concordance:.4f}"],
        shown=lambda r: [f"events = {r.n_events}", f"{r.concordance:.4f}"],
        exact=lambda r: (r.n, r.n_events) == (80, 2),
    ),
    "LogRankResult": Case(
        LogRankResult,
        _logrank,
        hidden=lambda r: [_g(r.statistic), _g(r.p_value)],
        shown=lambda r: [_g(r.statistic), _g(r.p_value)],
        exact=lambda r: r.n.iloc[1] == 3,
    ),
    "DiscreteHazardResult": Case(
        DiscreteHazardResult,
        _discrete,
        hidden=lambda r: ["2 events", _g(r.terms["estimate"].iloc[-1])],
        shown=lambda r: [f"{r.n_events} events"],
        extra={"text_shown": lambda r: [_g(r.terms["estimate"].iloc[-1])]},
        exact=lambda r: r.n_events == 2,
    ),
    "RandomizationResult": Case(
        RandomizationResult,
        _randomization,
        hidden=lambda r: ["treated 3", f"{r.statistic:.6g}", f"{r.p_value:.4g}", "3 of 43"],
        shown=lambda r: ["treated 40", f"{r.statistic:.6g}"],
        exact=lambda r: r.n_treated == 3 and 0 <= r.p_value <= 1,
    ),
    "RandomizationInterval": Case(
        RandomizationInterval,
        _randomization_ci,
        hidden=lambda r: ["treated 3", f"{r.estimate:.6g}", f"{r.conf_int[0]:.6g}"],
        shown=lambda r: ["treated 40", f"{r.estimate:.6g}"],
        exact=lambda r: r.n_treated == 3,
    ),
    "MultipleTestResult": Case(
        MultipleTestResult,
        _multiple,
        hidden=lambda r: [_g(r.table["statistic"].iloc[0])],
        shown=lambda r: [_g(r.table["statistic"].iloc[0])],
        exact=lambda r: r.n_treated == 3,
    ),
    "IndexResult": Case(
        IndexResult,
        _index,
        hidden=lambda r: [fmt_value(r.effect.estimate), f"{r.weights.iloc[0]:.3g}"],
        shown=lambda r: [fmt_value(r.effect.estimate), f"{r.weights.iloc[0]:.3g}"],
        exact=lambda r: r.effect.n_treated == 3,
    ),
    "Assignment": Case(
        Assignment,
        _assign,
        hidden=lambda r: ["of 42 persons", " 1 "],
        shown=lambda r: ["of 80 persons"],
        exact=lambda r: r.audit.n_persons == 42,
    ),
    "DesignDiagnosis": Case(
        DesignDiagnosis,
        _diagnose,
        shown=lambda r: [f"{r.power:.4g}", "20 simulations"],
        suppresses=False,
    ),
    "BalanceTable": Case(
        BalanceTable,
        _balance,
        hidden=lambda r: ["(n = 3)", "n = 3"],
        shown=lambda r: ["(n = 40)"],
        exact=lambda r: r.n_treated == 3,
        extra={"own_note": True},
    ),
    "TwoGroupComparison": Case(
        TwoGroupComparison,
        _two_group,
        hidden=lambda r: [fmt_value(r.difference.estimate)],
        shown=lambda r: ["120"],
        exact=lambda r: True,
    ),
    "SeriesComparison": Case(SeriesComparison, _series),
    "GapResult": Case(
        GapResult,
        _gap,
        hidden=lambda r: [f"gap {100 * r.estimate:+.1f} points"],
        extra={"text_shown": lambda r: [f"gap {100 * r.estimate:+.1f} points"]},
    ),
    "DidResult": Case(DidResult, _did),
    "FullYearDifference": Case(
        FullYearDifference,
        _full_year,
        hidden=lambda r: ["3 persons", fmt_value(r.estimate)],
        shown=lambda r: ["40 persons", fmt_value(r.estimate)],
        exact=lambda r: r.n[0] == 3,
    ),
    "BusinessCase": Case(
        BusinessCase,
        _business,
        hidden=lambda r: [f"{r.estimate:,.0f}", "Control 3"],
        shown=lambda r: [f"{r.estimate:,.0f}", "Control 172"],
        exact=lambda r: r.n_control == 3 and r.estimate == 2_500_000,
        extra={"own_note": True},
    ),
    "FunnelResult": Case(FunnelResult, _funnel),
    "Overdispersion": Case(
        Overdispersion,
        _overdispersion,
        hidden=lambda r: [fmt_value(r.phi)],
        shown=lambda r: [],
    ),
    "ObservedExpected": Case(
        ObservedExpected,
        _observed_expected,
        hidden=lambda r: [fmt_value(r.estimate)],
        shown=lambda r: [fmt_value(r.estimate)],
        exact=lambda r: r.observed == 3,
    ),
    "Standardisation": Case(Standardisation, _standardise),
    "TargetTest": Case(
        TargetTest,
        _target,
        hidden=lambda r: [fmt_value(r.p_value)],
        shown=lambda r: [],
    ),
    "TargetAttainment": Case(TargetAttainment, _attainment),
    "ProportionResult": Case(
        ProportionResult,
        _proportion,
        hidden=lambda r: [fmt_value(r.estimate)],
        shown=lambda r: [fmt_value(r.estimate)],
    ),
    "AverageTargetTest": Case(
        AverageTargetTest,
        _average_target,
        hidden=lambda r: [f"average {100 * r.estimate:.1f}%"],
        extra={"text_shown": lambda r: [f"average {100 * r.estimate:.1f}%"]},
    ),
    "GoalProbability": Case(
        GoalProbability,
        _goal,
        hidden=lambda r: [fmt_value(r.probability)],
        shown=lambda r: [],
    ),
    "CostPerOutcome": Case(
        CostPerOutcome,
        _cost,
        hidden=lambda r: [fmt_value(r.estimate), f"{r.estimate:,.0f}"],
        shown=lambda r: [],
    ),
}


# Outcome-payment contracts and projections (evalkit.economics.contracts, .projection).
def _contract_panel(small, label):
    """A paying state ``label``: cohort "a" of 40 persons, cohort "b" of 3 (small) or 40."""
    from evalkit.panel import StatusPanel

    rng = np.random.default_rng(8)
    n = 40 + (3 if small else 40)
    codes = (rng.random((n, 30)) < 0.4).astype(np.int8)
    codes[:, 20:] = -1  # weeks 20-29 not yet observed (projected)
    ids = np.array([f"p{i}" for i in range(n)])
    panel = StatusPanel(ids, codes, ("benefit", label), aligned=True)
    cohort = pd.DataFrame({"id": ids, "house": ["a"] * 40 + ["b"] * (n - 40)})
    return panel, cohort


def _contract_payments(small, label="self_sufficient"):
    from evalkit.economics import Contract, contract_payments

    panel, cohort = _contract_panel(small, label)
    return contract_payments(panel, Contract({label: 1000}, (0, 19)), cohort, "house")


def _projection(small, label="self_sufficient"):
    from evalkit.economics import Contract, project_payments

    panel, _ = _contract_panel(small, label)
    if small:
        panel = panel.select(panel.ids[:3])
    return project_payments(panel, Contract({label: 1000}, (0, 29)), n_sims=50, seed=3)


def _investor(small, label="self_sufficient"):
    from evalkit.economics import investor_cash_flow

    return investor_cash_flow(_projection(small, label), capital=50_000, guarantee=10_000)


from evalkit.economics.contracts import ContractPayments  # noqa: E402
from evalkit.economics.projection import InvestorCashFlow, PaymentProjection  # noqa: E402

CASES.update(
    {
        "ContractPayments": Case(
            ContractPayments,
            _contract_payments,
            hidden=lambda r: [fmt_value(r.total)],
            exact=lambda r: r.by_cohort["persons"].tolist() == [40, 3],
        ),
        "PaymentProjection": Case(
            PaymentProjection,
            _projection,
            hidden=lambda r: [fmt_value(r.estimate)],
            shown=lambda r: [fmt_value(r.estimate)],
            exact=lambda r: r.n_persons == 3,
        ),
        "InvestorCashFlow": Case(
            InvestorCashFlow,
            _investor,
            hidden=lambda r: [fmt_value(r.expected_net)],
            exact=lambda r: r.n_persons == 3,
        ),
    }
)


def _sites(small, label="site"):
    from evalkit.effects import pool_sites_from_data

    rng = np.random.default_rng(11)
    sizes = [40, 40, 3 if small else 40]
    site = np.repeat([f"{label} {i}" for i in range(3)], [2 * n for n in sizes])
    t = np.concatenate([np.repeat([0, 1], n) for n in sizes])
    y = rng.normal(0, 1, t.size) + 0.4 * t
    return pool_sites_from_data(pd.DataFrame({"y": y, "t": t, "site": site}), "y", "t", "site")


from evalkit.effects.sites import SitePooling  # noqa: E402

CASES["SitePooling"] = Case(
    SitePooling,
    _sites,
    hidden=lambda r: [fmt_value(r.estimate), fmt_value(r.tau2)],
    shown=lambda r: [fmt_value(r.estimate)],
    exact=lambda r: r.n_treated == (40, 40, 3),
)


# Attrition and bounds (evalkit.effects.attrition).
def _attrition_data(small, label="x"):
    """Treated 40 (30 observed), control 40 with 3 observed (small) or 20."""
    rng = np.random.default_rng(11)
    m0 = 3 if small else 20
    seen = np.r_[np.ones(30, int), np.zeros(10, int), np.ones(m0, int), np.zeros(40 - m0, int)]
    t = np.r_[np.ones(40, int), np.zeros(40, int)]
    y = np.where(seen == 1, rng.normal(10, 2, size=80).round(3), np.nan)
    return pd.DataFrame({"t": t, "seen": seen, "y": y, label: rng.normal(0, 1, 80).round(2)})


def _attrition(small, label="x"):
    from evalkit.effects import attrition

    return attrition(_attrition_data(small, label), "t", "seen", covariates=[label],
                     boundaries={"cautious": [(0.0, 0.05), (0.7, 0.05)]})  # fmt: skip


def _lee(small, label="y"):
    from evalkit.effects import lee_bounds

    return lee_bounds(_attrition_data(small).rename(columns={"y": label}), label, "t", "seen")


from evalkit.effects.attrition import AttritionResult, BoundsResult  # noqa: E402

CASES.update(
    {
        "AttritionResult": Case(
            AttritionResult,
            _attrition,
            hidden=lambda r: [fmt_value(r.equivalence["std_difference"].iloc[0])],
            shown=lambda r: ["30"],
            exact=lambda r: r.observed_control == 3,
        ),
        "BoundsResult": Case(
            BoundsResult,
            _lee,
            hidden=lambda r: [fmt_value(r.lower), fmt_value(r.upper), "3 of 40"],
            shown=lambda r: [fmt_value(r.lower)],
            exact=lambda r: r.observed_control == 3,
        ),
    }
)


# Non-compliance (evalkit.effects.iv).
def _cace(small, label="y"):
    d = trial(small, label)
    i = np.arange(len(d))
    d["d"] = np.where(d["t"] == 1, i % 4 != 0, i % 10 == 5).astype(int)
    with warnings.catch_warnings():  # the small version has a weak first stage
        warnings.simplefilter("ignore", evalkit.errors.FragileDesignWarning)
        return evalkit.cace(d, label, "t", "d")


from evalkit.effects.iv import CACEResult  # noqa: E402

CASES["CACEResult"] = Case(
    CACEResult,
    _cace,
    hidden=lambda r: [fmt_value(r.estimate), fmt_value(r.first_stage.estimate)],
    shown=lambda r: [fmt_value(r.estimate), "F ="],
    exact=lambda r: r.n_treated == 3,
    extra={"own_note": True},  # an EffectResult: its views control themselves
)


# Complier profiles and inverse probability weighting (evalkit.effects.compliers, .ipw).
def _complier_profile(small, label="x"):
    """Offered 40 (30 took up), control 40 of whom 3 (small) or 10 took up."""
    rng = np.random.default_rng(13)
    takers = 3 if small else 10
    t = np.r_[np.ones(40, int), np.zeros(40, int)]
    d = np.r_[np.ones(30, int), np.zeros(10, int), np.ones(takers, int), np.zeros(40 - takers, int)]
    data = pd.DataFrame({"t": t, "d": d, label: rng.normal(40, 10, 80).round(1)})
    with warnings.catch_warnings():  # few always-takers: a weak first stage
        warnings.simplefilter("ignore", evalkit.errors.FragileDesignWarning)
        return evalkit.complier_profile(data, "t", "d", label)


def _ipw(small, label="y"):
    with warnings.catch_warnings():  # 3 of 40 controls observed: large weights
        warnings.simplefilter("ignore", evalkit.errors.FragileDesignWarning)
        return evalkit.ipw_attrition(_attrition_data(small).rename(columns={"y": label}), label,
                                     "t", "seen", "x")  # fmt: skip


from evalkit.effects.compliers import ComplierProfile  # noqa: E402
from evalkit.effects.ipw import IPWAttritionResult  # noqa: E402

CASES.update(
    {
        "ComplierProfile": Case(
            ComplierProfile,
            _complier_profile,
            hidden=lambda r: [fmt_value(v) for v in r.means.iloc[0][["compliers", "sample"]]],
            shown=lambda r: [fmt_value(r.means.iloc[0]["compliers"]), "30"],
            exact=lambda r: r.cells["n_control_takeup"] == 3,
        ),
        "IPWAttritionResult": Case(
            IPWAttritionResult,
            _ipw,
            hidden=lambda r: [fmt_value(r.estimate), fmt_value(r.unweighted.estimate), "3 of 40"],
            shown=lambda r: [fmt_value(r.estimate)],
            exact=lambda r: r.observed_control == 3,
        ),
    }
)


# Subgroups (evalkit.effects.subgroups).
def _subgroups(small, label="benefit"):
    rng = np.random.default_rng(7)
    sizes = [(40, 40), (3 if small else 40, 40)]  # (treated, control) per level
    level = np.repeat(["cash", f"{label} B"], [a + b for a, b in sizes])
    t = np.concatenate([np.r_[np.ones(a, int), np.zeros(b, int)] for a, b in sizes])
    d = pd.DataFrame({"y": rng.normal(10, 2, t.size).round(3) + t, "t": t, "g": level})
    with warnings.catch_warnings():  # the small version warns of its small level
        warnings.simplefilter("ignore", evalkit.errors.SmallSubgroupWarning)
        return evalkit.subgroup_effects(d, "y", "t", "g")


def _subgroups_hidden(r):
    small = r.table.loc[r.table["n_treated"] < 5].iloc[0]
    het = r.heterogeneity_table.iloc[0]
    return [fmt_value(small[c]) for c in ("estimate", "conf_low", "conf_high")] + [
        fmt_value(het["statistic"])
    ]


from evalkit.effects.subgroups import SubgroupEffects  # noqa: E402

CASES["SubgroupEffects"] = Case(
    SubgroupEffects,
    _subgroups,
    hidden=lambda r: _subgroups_hidden(r),
    shown=lambda r: [fmt_value(v) for v in r.table["estimate"]],
    exact=lambda r: sorted(r.table["n_treated"]) == [3, 40],
)


# Nelson-Aalen / mean cumulative function and multi-state occupation (issue 18).
def _hazard(small, label="arm"):
    """``label``: the name of the group column."""
    d = spells(small).rename(columns={"arm": label})
    return evalkit.nelson_aalen(d, "weeks", "exit", group=label)


def _hazard_hidden(r):
    last = r.table.groupby("group")["cumulative_hazard"].last()
    return ["persons = 3", *[fmt_value(v) for v in last]]


def _moves(small, label="arm"):
    """Weekly rows benefit -> job -> education: arm "a" of 60 persons, ``label`` of 3 or 60."""
    rng = np.random.default_rng(11)
    rows = []
    for arm, n in (("a", 60), (label, 3 if small else 60)):
        for i in range(n):
            pid = f"{arm}{i}"
            t1 = int(rng.integers(1, 10))
            t2 = t1 + int(rng.integers(1, 10))
            rows.append((pid, arm, -1, t1, "benefit", "job"))
            rows.append((pid, arm, t1, t2, "job", "education" if i % 2 else None))
    d = pd.DataFrame(rows, columns=["pid", label, "start", "stop", "from", "to"])
    return evalkit.state_occupation(d, id="pid", group=label)


def _moves_hidden(r):
    last = r.table[r.table["time"] == r.table["time"].max()]
    return ["persons = 3", *[fmt_value(v) for v in last["probability"] if 0 < v < 1]]


from evalkit.survival.hazard import CumulativeHazard  # noqa: E402
from evalkit.survival.multistate import StateOccupation  # noqa: E402

CASES.update(
    {
        "CumulativeHazard": Case(
            CumulativeHazard,
            _hazard,
            hidden=_hazard_hidden,
            shown=lambda r: ["persons = 60"],
            exact=lambda r: r.n_persons == (60, 3),
        ),
        "StateOccupation": Case(
            StateOccupation,
            _moves,
            hidden=_moves_hidden,
            shown=lambda r: ["persons = 60", "States: benefit, education, job"],
            exact=lambda r: r.n_persons == (60, 3),
        ),
    }
)


# ----------------------------------------------------------------------------- views
class _Printer:
    def __init__(self):
        self.parts = []

    def text(self, value):
        self.parts.append(value)


def views(result) -> dict[str, str]:
    out = {
        "summary": result.summary(),
        "str": str(result),
        "repr": repr(result),
        "html": html.unescape(result._repr_html_()),
    }
    if hasattr(result, "_repr_pretty_"):
        printer = _Printer()
        result._repr_pretty_(printer, False)
        out["pretty"] = "".join(printer.parts)
    return out


def _flat(items) -> list[str]:
    out = []
    for item in items:
        out.extend(_flat(item) if isinstance(item, list) else [str(item)])
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_small_counts_are_not_shown_and_attributes_stay_exact(name):
    case = CASES[name]
    result = case.build(True)
    assert isinstance(result, case.cls)
    assert case.exact(result), "the attributes must keep the exact numbers"
    control = result._view_control()
    if case.suppresses and not case.extra.get("own_note"):
        assert control.suppressed, "the small count must be declared to the views"
    for view, text in views(result).items():
        for secret in _flat(case.hidden(result)):
            assert secret not in text, (view, secret)
        assert isinstance(text, str) and text
        if case.suppresses and not case.extra.get("own_note") and view != "repr":
            assert "Numbers suppressed (x)" in text, view
            assert "<5" in text, view  # the note names the small count


@pytest.mark.parametrize("name", sorted(CASES))
def test_large_counts_are_shown_as_before(name):
    case = CASES[name]
    result = case.build(False)
    assert not result._view_control().suppressed
    for view, text in views(result).items():
        assert "suppressed (x)" not in text, view
        if view == "repr":
            continue
        for number in _flat(case.shown(result)):
            assert number in text, (view, number)
        if view != "html":
            for number in _flat(case.extra.get("text_shown", lambda r: [])(result)):
                assert number in text, (view, number)
    assert str(result) == result.summary()


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("small", [False, True])
def test_cpr_in_a_label_never_shows(name, small):
    case = CASES[name]
    try:
        result = case.build(small, f"x {CPR}")
    except TypeError:  # the factory takes no label: place none
        pytest.skip("no label to place a CPR number in")
    except evalkit.errors.EvalkitError as error:
        pytest.skip(f"labels are checked on input: {type(error).__name__}")
    for view, text in views(result).items():
        assert CPR not in text and CPR_DIGITS not in text, view


def test_threshold_of_the_rules_in_force():
    result = _randomization(small=False)  # arms of 40
    assert not result._view_control().suppressed
    with output_rules(threshold=50):
        text = result.summary()
        assert "treated <50" in text and f"{result.statistic:.6g}" not in text
        assert "fewer than 50 persons" in text
    with output_rules("acro"):
        curve = _gray(small=False)
        assert isinstance(curve._view_control(), ViewControl)


def test_views_never_raise():
    result = _cox(small=True)

    class Broken(type(result)):
        def _view_counts(self):
            raise RuntimeError(f"bad {CPR}")

    broken = Broken(**{f: getattr(result, f) for f in result.__dataclass_fields__})
    for view, text in views(broken).items():
        assert CPR not in text, view
        assert "x" in text
    assert fmt_value(result.coefficients[0]) not in broken.summary()


# ----------------------------------------------------------------------------- coverage
def _public_result_classes() -> set[str]:
    names = set()
    for info in pkgutil.walk_packages(evalkit.__path__, "evalkit."):
        if ".datasets" in info.name or ".projects" in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or name.startswith("_"):
                continue
            if callable(getattr(cls, "summary", None)):
                names.add(f"{cls.__module__}.{cls.__qualname__}")
    return names


def test_every_result_class_has_a_case():
    covered = {f"{c.cls.__module__}.{c.cls.__qualname__}" for c in CASES.values()}
    missing = _public_result_classes() - covered - set(EXCLUDED)
    assert not missing, (
        f"result classes without a view contract case: {sorted(missing)}; add a factory to "
        "CASES in tests/test_gate_views.py (or the class to EXCLUDED with the reason)"
    )
    for name in covered:
        module, _, cls = name.rpartition(".")
        assert issubclass(getattr(importlib.import_module(module), cls), SummaryDisplay), name


def _adjusted(small, label="age"):
    """Cox-adjusted curves by arm ``t``: 2 events (small) or about 40 among 80 rows."""
    d = few_events(small).rename(columns={"age": label})
    return cox(d, "weeks", "exit", [label], treatment="t").adjusted_survival()


from evalkit.survival.cox_curves import AdjustedSurvival  # noqa: E402

CASES["AdjustedSurvival"] = Case(
    AdjustedSurvival,
    _adjusted,
    hidden=lambda r: ["events = 2", fmt_value(r.rmst["rmst"].iloc[2])],
    shown=lambda r: [f"events = {r.n_events}"],
    exact=lambda r: (r.n, r.n_events) == (80, 2),
)
