"""The business case (evalkit.economics.business): NPV, interval, break-even, sensitivity,
the tornado plot and what a programme must deliver.

Every expected number is derived by hand in a comment next to it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evalkit.benchmark import cost_per_outcome as benchmark_cost_per_outcome
from evalkit.economics import business as bz
from evalkit.economics.business import (
    BusinessCase,
    annuity_factor,
    business_case,
    cost_per_outcome,
    required_outcomes,
    sensitivity_table,
    tornado_plot,
)
from evalkit.errors import ArgumentError, ColumnError, EvalkitError
from evalkit.output import declaration
from evalkit.output.gate import gate_table
from evalkit.report.disclosure import DisclosureError
from evalkit.report.labels import label
from evalkit.report.style import save_figure
from evalkit.results import EffectResult


def _case(**changes):
    """50 full-year persons a year [20, 80], DKK 100,000 each, DKK 1m once, DKK 2m a
    year, 2 years at 10 %."""
    args = dict(effect=50, saving=100_000, cost_once=1_000_000, cost_per_year=2_000_000,
                horizon=2, rate=0.10, conf_int=(20, 80))  # fmt: skip
    args.update(changes)
    return business_case(**args)


def _effect(n_control=172, estimate=-0.1, conf_int=(-0.14, -0.06)):
    return EffectResult(estimate=estimate, std_error=0.02, conf_int=conf_int, p_value=0.001,
                        statistic=-5.0, df=None, n_treated=178, n_control=n_control,
                        method="Difference in means", outcome="full_year_persons",
                        treatment="jobfirst")  # fmt: skip


# ----------------------------------------------------------------------------- numbers
def test_annuity_factor():
    # A_2(0.10) = 1/1.1 + 1/1.21 = 0.909091 + 0.826446 = 1.735537
    assert annuity_factor(0.10, 2) == pytest.approx(1 / 1.1 + 1 / 1.21)
    assert annuity_factor(0.10, 2) == pytest.approx(1.735537, abs=1e-6)
    # A_T(0) = T; A_1(r) = 1 / (1 + r)
    assert annuity_factor(0, 7) == 7.0
    assert annuity_factor(0.25, 1) == pytest.approx(0.8)


def test_npv_with_discounting_by_hand():
    case = _case()
    a = 1 / 1.1 + 1 / 1.21  # 1.7355372
    # yearly net saving 100,000 * 50 - 2,000,000 = 3,000,000, discounted over 2 years,
    # minus the one-off 1,000,000 at year 0: 1.7355372 * 3e6 - 1e6 = 4,206,611.57
    assert case.estimate == pytest.approx(a * 3_000_000 - 1_000_000)
    assert case.estimate == pytest.approx(4_206_611.57, abs=0.01)
    # PV costs = 1e6 + 1.7355372 * 2e6 = 4,471,074.38; PV savings = 1.7355372 * 5e6
    assert case.pv_costs == pytest.approx(4_471_074.38, abs=0.01)
    assert case.pv_savings == pytest.approx(8_677_685.95, abs=0.01)
    assert case.estimate == pytest.approx(case.pv_savings - case.pv_costs)
    # the flows: year 0 -1e6; years 1, 2 +3e6 discounted; the last cumulative is the NPV
    flows = case.flows()
    assert flows["net"].tolist() == [-1_000_000, 3_000_000, 3_000_000]
    assert flows["present_value"].tolist() == pytest.approx([-1e6, 3e6 / 1.1, 3e6 / 1.21])
    assert flows["cumulative_present_value"].iloc[-1] == pytest.approx(case.estimate)
    # without discounting: 2 * 3e6 - 1e6 = 5e6
    assert _case(rate=0).estimate == pytest.approx(5_000_000)


def test_interval_maps_exactly_through_the_linear_npv():
    case = _case()
    a = 1 / 1.1 + 1 / 1.21
    # NPV(20) = a (2e6 - 2e6) - 1e6 = -1,000,000; NPV(80) = a (8e6 - 2e6) - 1e6 = 9,413,223.14
    assert case.conf_int == pytest.approx((-1_000_000, a * 6e6 - 1e6))
    assert case.conf_int[1] == pytest.approx(9_413_223.14, abs=0.01)
    # the NPV is linear: the midpoint of the effect's interval (50) maps to the midpoint
    assert np.mean(case.conf_int) == pytest.approx(case.estimate)
    assert case.p_value is None and case.std_error is None  # no SE given with numbers
    flows = case.flows()
    assert flows["cumulative_present_value_low"].iloc[-1] == pytest.approx(case.conf_low)
    assert flows["cumulative_present_value_high"].iloc[-1] == pytest.approx(case.conf_high)


def test_effect_result_is_carried_through_with_its_se_and_arms():
    # a per-participant difference on benefit of -0.1 full-year persons [-0.14, -0.06]
    # x 350 participants a year: a reduction of 35 [21, 49]
    case = business_case(_effect(), saving=100_000, cost_per_year=1_000_000, horizon=1,
                         effect_is="difference_on_benefit", participants_per_year=350)  # fmt: skip
    assert case.effect == pytest.approx(35)
    assert case.effect_conf_int == pytest.approx((21, 49))
    # horizon 1, rate 0: NPV = 100,000 R - 1,000,000 -> 2.5e6 [1.1e6, 3.9e6]
    assert case.estimate == pytest.approx(2_500_000)
    assert case.conf_int == pytest.approx((1_100_000, 3_900_000))
    # SE = A S SE(R) = 1 * 100,000 * (0.02 * 350) = 700,000
    assert case.std_error == pytest.approx(700_000)
    assert (case.n_treated, case.n_control) == (178, 172)
    frame = case.to_frame()
    info = declaration(frame)
    assert info["counts"] == ["n_treated", "n_control"]
    assert "estimate" in info["dependent"] and "saving" not in info["dependent"]
    assert frame.loc[0, "term"] == "net_present_value"


def test_break_even_effect_and_years():
    case = _case()
    a = 1 / 1.1 + 1 / 1.21
    # R* = (1e6 + a 2e6) / (a 100,000) = 4,471,074.38 / 173,553.72 = 25.7619
    assert case.break_even_effect == pytest.approx((1e6 + a * 2e6) / (a * 1e5))
    assert case.break_even_effect == pytest.approx(25.7619, abs=1e-4)
    assert case.npv(effect=case.break_even_effect) == pytest.approx(0, abs=1e-6)
    # T*: A_T = C0 / N = 1e6 / 3e6 = 1/3 -> (1.1)^-T = 1 - 0.1/3 -> T = 0.3557
    assert case.years_to_break_even == pytest.approx(-math.log(1 - 0.1 / 3) / math.log(1.1))
    assert case.years_to_break_even == pytest.approx(0.3557, abs=1e-4)
    # undiscounted: one-off 4e6, net 1e6 a year -> 4 years exactly
    slow = business_case(30, saving=100_000, cost_once=4e6, cost_per_year=2e6, horizon=10)
    assert slow.years_to_break_even == pytest.approx(4.0)
    assert slow.npv(horizon=4) == pytest.approx(0)
    # never: a net saving of 0 a year
    never = business_case(20, saving=100_000, cost_once=1e6, cost_per_year=2e6)
    assert never.years_to_break_even == math.inf
    # never at 10 %: A_T(0.1) < 1/0.1 = 10, and C0 / N = 20
    far = business_case(30, saving=100_000, cost_once=20e6, cost_per_year=2e6, rate=0.1)
    assert far.years_to_break_even == math.inf


def test_cost_per_full_year_person_and_its_identity_with_break_even():
    case = _case(rate=0)
    # (1e6 + 2 * 2e6) / (2 * 50) = 50,000 kroner per additional full-year person
    assert case.cost_per_full_year_person == pytest.approx(50_000)
    # interval (5e6 / (2 * 80), 5e6 / (2 * 20)) = (31,250, 125,000)
    assert case.cost_per_full_year_person_conf_int == pytest.approx((31_250, 125_000))
    # NPV = 0 exactly when the cost per full-year person equals the saving
    at = _case(rate=0, effect=case.break_even_effect, conf_int=None)
    assert at.cost_per_full_year_person == pytest.approx(at.saving)
    # an interval reaching 0 leaves the cost unbounded above
    assert _case(conf_int=(0, 80)).cost_per_full_year_person_conf_int[1] == math.inf


def test_inputs_are_not_mutated():
    effect = _effect()
    before = (effect.estimate, effect.conf_int, effect.n_treated)
    case = business_case(effect, saving=1e5, effect_is="difference_on_benefit")
    ranges = {"effect": (1.0, 2.0), "rate": [0.0, 0.05]}
    copy = {k: tuple(v) for k, v in ranges.items()}
    sensitivity_table(case, ranges)
    assert (effect.estimate, effect.conf_int, effect.n_treated) == before
    assert {k: tuple(v) for k, v in ranges.items()} == copy


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "changes, match",
    [
        ({"cost_once": -1}, "cost_once must be >= 0"),
        ({"cost_per_year": -5}, "cost_per_year must be >= 0"),
        ({"saving": 0}, "saving must be > 0"),
        ({"rate": -1}, "greater than -1"),
        ({"rate": -1.5}, "greater than -1"),
        ({"rate": math.nan}, "finite"),
        ({"horizon": 0}, "whole number of years"),
        ({"horizon": 2.5}, "whole number of years"),
        ({"effect": "50"}, "effect must be a number"),
        ({"conf_int": (80, 20)}, "low <= high"),
        ({"conf_int": (60, 80)}, "outside its interval"),
        ({"conf_int": 5}, "pair"),
        ({"effect_is": "gain"}, "effect_is"),
        ({"lang": "de"}, "lang"),
        ({"cost_once": True}, "number"),
    ],
)
def test_bad_inputs(changes, match):
    with pytest.raises(ArgumentError, match=match):
        _case(**changes)


def test_effect_result_and_conf_int_together_is_an_error():
    with pytest.raises(ArgumentError, match="conf_int is taken from the effect"):
        business_case(_effect(), saving=1e5, conf_int=(0, 1))


def test_sensitivity_bad_ranges():
    case = _case()
    with pytest.raises(ArgumentError, match="low 0.05 > high 0.01"):
        sensitivity_table(case, {"rate": (0.05, 0.01)})
    with pytest.raises(ArgumentError, match="greater than -1"):
        sensitivity_table(case, {"rate": (-1.0, 0.05)})
    with pytest.raises(ArgumentError, match="cost_once must be >= 0"):
        sensitivity_table(case, {"cost_once": (-1, 5)})
    with pytest.raises(ArgumentError, match="unknown input"):
        sensitivity_table(case, {"wage": (1, 2)})
    with pytest.raises(ArgumentError, match="pair"):
        sensitivity_table(case, {"saving": 5})
    with pytest.raises(ArgumentError, match="non-empty"):
        sensitivity_table(case, {})
    with pytest.raises(ArgumentError, match="BusinessCase"):
        sensitivity_table(case.to_frame(), {"rate": (0, 1)})
    with pytest.raises(ArgumentError, match="no interval"):
        sensitivity_table(_case(conf_int=None), {"effect": "ci"})


# ----------------------------------------------------------------------------- sensitivity
def test_sensitivity_table_by_hand():
    case = _case(rate=0)  # base NPV = 2 (5e6 - 2e6) - 1e6 = 5e6
    table = sensitivity_table(
        case,
        {"effect": "ci", "cost_once": (0, 3e6), "rate": (0.0, 0.10), "horizon": (1, 3)},
    )
    rows = table.set_index("input")
    # effect over its interval [20, 80]: 2 (2e6 - 2e6) - 1e6 = -1e6; 2 (8e6 - 2e6) - 1e6
    assert rows.loc["effect", ["npv_low", "npv_high"]].tolist() == [-1e6, 11e6]
    # one-off 0 or 3e6: 6e6 - 0 = 6e6, 6e6 - 3e6 = 3e6
    assert rows.loc["cost_once", ["npv_low", "npv_high"]].tolist() == [6e6, 3e6]
    # rate 10 %: 1.7355372 * 3e6 - 1e6 = 4,206,611.57
    assert rows.loc["rate", "npv_high"] == pytest.approx(4_206_611.57, abs=0.01)
    # horizon 1 or 3: 3e6 - 1e6 = 2e6; 9e6 - 1e6 = 8e6
    assert rows.loc["horizon", ["npv_low", "npv_high"]].tolist() == [2e6, 8e6]
    # sorted by swing: effect 12e6, horizon 6e6, cost_once 3e6, rate 0.79e6
    assert table["input"].tolist() == ["effect", "horizon", "cost_once", "rate"]
    assert (table["npv_base"] == 5e6).all()
    assert declaration(table)["counts"] == []  # plain numbers: no persons


def test_sensitivity_table_rests_on_the_arms():
    case = business_case(_effect(n_control=3), saving=1e5, cost_per_year=1e6,
                         effect_is="difference_on_benefit", participants_per_year=350)  # fmt: skip
    table = sensitivity_table(case, {"effect": "ci", "rate": (0, 0.05)})
    assert declaration(table)["counts"] == ["n_treated", "n_control"]
    gated = gate_table(table, "sensitivity")[0]
    assert (gated["npv_low"] == "x").all() and (gated["n_control"] == "<5").all()


# ----------------------------------------------------------------------------- views
def test_summary_and_views_en_da():
    case = _case(rate=0)
    text = case.summary()
    assert "Net present value: 5,000,000, 95% CI [-1,000,000, 11,000,000]" in text
    assert label("bc_note", "en") in text
    da = _case(rate=0, lang="da").summary()
    assert "Nutidsværdi: 5.000.000, 95 %-KI [-1.000.000; 11.000.000]" in da
    assert label("bc_cost_per_full_year_person", "da") in da
    assert str(case) == text
    assert case._repr_html_().startswith("<div>")
    assert declaration(case.to_frame())["counts"] == []


def test_views_suppress_numbers_resting_on_a_small_arm():
    case = business_case(_effect(n_control=3), saving=1e5, cost_per_year=1e6, horizon=1,
                         effect_is="difference_on_benefit", participants_per_year=350)  # fmt: skip
    assert case.estimate == pytest.approx(2_500_000)  # 100,000 * 35 - 1e6, exact
    for text in (case.summary(), case._repr_html_(), repr(case)):
        assert "2,500,000" not in text and "Control 3" not in text
    assert "Control <5" in case.summary()
    assert "Effect suppressed (x)" in case.summary()
    # the costs rest on no person: shown
    assert "1,000,000" in case.summary()
    gated = gate_table(case.to_frame(), "business case")[0]
    assert gated.loc[0, "estimate"] == "x" and gated.loc[0, "cost_per_year"] == 1e6


# ----------------------------------------------------------------------------- tornado
@pytest.mark.parametrize("lang", ["en", "da"])
def test_tornado_plot_bars_and_labels(lang):
    case = _case(rate=0)
    table = sensitivity_table(case, {"effect": "ci", "cost_once": (0, 3e6), "rate": (0, 0.1)})
    fig = tornado_plot(table, lang=lang)
    ax = fig.axes[0]
    assert ax.get_label() == "tornado"
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    # bottom to top: smallest swing first (rate 0.79e6, cost_once 3e6, effect 12e6)
    assert ticks == [label(f"bc_input_{k}", lang) for k in ("rate", "cost_once", "effect")]
    low = [p for p in ax.patches if p.get_gid() == "bar_low"]
    high = [p for p in ax.patches if p.get_gid() == "bar_high"]
    assert len(low) == len(high) == 3
    # every bar starts at the base NPV (5e6) and ends at the NPV at the input's value
    assert all(p.get_x() == pytest.approx(5e6) for p in low + high)
    effect_low = low[2]  # top row: the effect at 20 -> NPV -1e6, a bar of width -6e6
    assert effect_low.get_width() == pytest.approx(-6e6)
    assert high[2].get_width() == pytest.approx(6e6)
    lines = {line.get_gid(): line for line in ax.lines}
    assert lines["base"].get_xdata()[0] == pytest.approx(5e6)
    assert lines["break_even"].get_xdata()[0] == 0
    assert ax.get_xlabel() == label("bc_npv_axis", lang)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert label("bc_input_low", lang) in legend and label("bc_base_case", lang) in legend
    values = [t.get_text() for t in ax.texts if t.get_gid() == "value"]
    assert len(values) == 6
    assert ("10 %" if lang == "da" else "10%") in values


def test_tornado_plot_passes_the_gate(tmp_path):
    table = sensitivity_table(_case(), {"effect": "ci", "rate": (0, 0.1)})
    fig = tornado_plot(table, lang="da")
    paths = save_figure(fig, tmp_path / "tornado", formats=("png", "svg"))
    assert [p.name for p in paths] == ["tornado.png", "tornado.svg"]
    assert all(p.stat().st_size > 0 for p in paths)


def test_tornado_plot_of_an_estimated_effect():
    case = business_case(_effect(), saving=1e5, cost_per_year=1e6,
                         effect_is="difference_on_benefit", participants_per_year=350)  # fmt: skip
    table = sensitivity_table(case, {"effect": "ci", "saving": (5e4, 2e5)})
    fig = tornado_plot(table)
    from evalkit.output.gate import gate_figure

    record = gate_figure(fig, "tornado.png")
    assert "threshold 5" in " ".join(record.checks)
    small = business_case(_effect(n_control=3), saving=1e5,
                          effect_is="difference_on_benefit")  # fmt: skip
    with pytest.raises(DisclosureError, match="fewer than 5"):
        tornado_plot(sensitivity_table(small, {"effect": "ci"}))
    with pytest.raises(EvalkitError, match="register data"):
        save_figure(tornado_plot(table, disclosure=None), "/tmp/evalkit-never/t")


def test_tornado_plot_bad_input():
    with pytest.raises(ArgumentError, match="sensitivity_table"):
        tornado_plot([1, 2])
    with pytest.raises(ColumnError, match="lacks the columns"):
        tornado_plot(pd.DataFrame({"input": ["rate"]}))
    table = sensitivity_table(_case(), {"rate": (0, 0.1)})
    with pytest.raises(ArgumentError, match="lang"):
        tornado_plot(table, lang="sv")


# ----------------------------------------------------------------------------- the rest
def test_cost_per_outcome_is_the_benchmark_one():
    assert cost_per_outcome is benchmark_cost_per_outcome
    # Powerjobsøgerne: 250,000 / 96 = 2,604; per participant 250,000 / 192 = 1,302
    res = cost_per_outcome(250_000, 96, 192)
    assert round(res.estimate) == 2604 and round(res.per_participant) == 1302
    assert "without a comparison group" in res.summary()


def test_required_outcomes_by_hand():
    # 50 full-year persons: 50 * 52 / 26 = 100 persons for 26 weeks; 50 * 52 / 13 = 200
    table = required_outcomes(50, {"ordinary work": 26, "beyond three months": 13})
    assert table["persons_required"].tolist() == [100, 200]
    assert declaration(table)["counts"] == []
    # 40 weeks: 50 * 52 / 40 = 65 exactly; 30 weeks: 86.67 -> 87
    assert required_outcomes(50, 40)["persons_required"].iloc[0] == 65
    assert required_outcomes(50, 30)["persons_required"].iloc[0] == 87
    # afklaringsværksteder: 17 into work for 26 weeks, 3 into education for 52:
    # 8.5 + 3 = 11.5 full-year persons, 23 % of 50
    table = required_outcomes(50, {"work": 26, "education": 52},
                              delivered={"work": 17, "education": 3})  # fmt: skip
    total = table.set_index("route").loc["total"]
    assert total["delivered_full_year_persons"] == pytest.approx(11.5)
    assert total["share_of_target"] == pytest.approx(0.23)
    assert declaration(table)["counts"] == ["delivered"]
    # Projekt Superb: 4 in work (a small published count) is suppressed by the gate
    superb = required_outcomes(50, 26, delivered=4)
    assert gate_table(superb, "superb")[0].loc[0, "delivered"] == "<5"


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((0, 26), {}, "target_full_year_persons must be > 0"),
        ((50, 60), {}, "exceeds the 52 weeks"),
        ((50, 0), {}, "must be > 0"),
        ((50, {}), {}, "empty"),
        ((50, {"a": 1, "b": 2}), {"delivered": 3}, "dict"),
        ((50, 26), {"delivered": {"x": 3}}, "not in weeks_per_outcome"),
        ((50, 26), {"delivered": 2.5}, "whole number"),
        ((50, 26), {"delivered": -1}, ">= 0"),
    ],
)
def test_required_outcomes_bad_inputs(args, kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        required_outcomes(*args, **kwargs)


def test_exported_from_economics():
    import evalkit.economics as economics

    for name in ("business_case", "sensitivity_table", "tornado_plot", "required_outcomes",
                 "cost_per_outcome", "BusinessCase"):  # fmt: skip
        assert getattr(economics, name) is getattr(bz, name)
    assert isinstance(_case(), BusinessCase)
