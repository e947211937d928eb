"""Outcome-payment contracts, projections and the investor's cash flow (issue 14).

Every rule on tiny panels built from long frames, each expected number derived in a
comment; bad inputs; the closed form of a two-state chain; seeded reproducibility; one
run on the synthetic Impact60 histories.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.datasets.impact60 import simulate_impact60
from evalkit.economics import (
    CohortTrigger,
    Contract,
    MarkovChain,
    RateCard,
    contract_payments,
    fit_markov_chain,
    investor_cash_flow,
    project_payments,
)
from evalkit.errors import ArgumentError, EvalkitError
from evalkit.output import declaration
from evalkit.panel import StatusPanel

CARD = {"self_sufficient": 1000, "partly_self_sufficient": 500}
STATES = {"self_sufficient": [1], "partly_self_sufficient": [2], "cash_benefit": [3]}
S, P, C = 1, 2, 3  # raw codes: self-sufficient, partly, cash benefit


def tiny(rows: dict[str, list[int]], reference: dict[str, int] | None = None) -> StatusPanel:
    """A panel from a long frame: person -> raw codes of weeks 10, 11, ... (0 = no row),
    aligned at week 10 (or ``reference``) so that week 0 = the first listed week."""
    long = pd.DataFrame(
        [
            {"id": pid, "week": 10 + w, "code": code}
            for pid, codes in rows.items()
            for w, code in enumerate(codes)
            if code
        ]
    )
    panel = StatusPanel.from_long(long, "id", "week", "code", STATES)
    trial = pd.DataFrame({"id": list(rows), "ref": [(reference or {}).get(p, 10) for p in rows]})
    n = max(len(v) for v in rows.values())
    return panel.align(trial, "id", "ref", before=0, after=n - 1)


# --------------------------------------------------------------------------- rate card
def test_rate_card_and_groups():
    card = RateCard({("self_sufficient",): 1000, "partly_self_sufficient": 500})
    assert card.rates == {"self_sufficient": 1000.0, "partly_self_sufficient": 500.0}
    assert card.paying_states == ("self_sufficient", "partly_self_sufficient")


@pytest.mark.parametrize(
    "rates, field",
    [
        ({"self_sufficient": 1000, ("self_sufficient", "cash_benefit"): 5}, "overlapping"),
        ({"self_sufficient": -1}, "rate_card['self_sufficient']"),
        ({"self_sufficient": float("nan")}, "rate_card"),
        ({"self_sufficient": 0}, "every amount is 0"),
        ({}, "rate_card"),
    ],
)
def test_bad_rate_cards(rates, field):
    with pytest.raises(ArgumentError, match=field.replace("[", r"\[").replace("]", r"\]")):
        RateCard(rates)


def test_bad_contracts_name_the_field():
    with pytest.raises(ArgumentError, match="person_cap"):
        Contract(CARD, period=(0, 3), person_cap=999)  # below one payment of 1000
    with pytest.raises(ArgumentError, match="contract_cap"):
        Contract(CARD, period=(0, 3), contract_cap=500)
    with pytest.raises(ArgumentError, match="min_run"):
        Contract(CARD, period=(0, 3), min_run=0)
    with pytest.raises(ArgumentError, match="period"):
        Contract(CARD, period=(3, 0))
    with pytest.raises(ArgumentError, match="trigger.share"):
        CohortTrigger(share=1.5)
    panel = tiny({"a": [S, S, C, C]})
    with pytest.raises(ArgumentError, match="period"):
        contract_payments(panel, Contract(CARD, period=(0, 10)))  # outside the panel (0..3)
    with pytest.raises(ArgumentError, match="rate_card names states"):
        contract_payments(panel, Contract({"employed": 1000}, period=(0, 3)))
    with pytest.raises(ArgumentError, match="trigger.states"):
        contract_payments(
            panel, Contract(CARD, (0, 3), trigger=CohortTrigger(share=0.5, states="job"))
        )
    with pytest.raises(EvalkitError, match="StatusPanel"):
        contract_payments(pd.DataFrame({"id": [1]}), Contract(CARD, (0, 3)))


# --------------------------------------------------------------------------- rules
def test_rate_card_amounts_and_tables():
    panel = tiny({"a": [S, S, P, C], "b": [C, C, C, P], "c": [C, C, C, C]})
    result = contract_payments(panel, Contract(CARD, period=(0, 3)))
    # a: 1000 + 1000 + 500 = 2500; b: 500 (week 3); c: 0
    assert result.total == 3000.0
    assert result.by_person["paid"].tolist() == [2500.0, 500.0, 0.0]
    assert result.by_person["weeks_counted"].tolist() == [3, 1, 0]
    # period (1, 2): a gets 1000 + 500 = 1500, b nothing
    assert contract_payments(panel, Contract(CARD, period=(1, 2))).total == 1500.0
    # by month (months since referral, floor(12 w / 52)): weeks 0..3 are all month 0
    months = result.months()
    assert months["amount"].tolist() == [3000.0] and months["persons_paid"].tolist() == [2]
    assert declaration(result.persons())["person_level"] is True
    info = declaration(result.to_frame())
    assert set(info["counts"]) == {"persons", "persons_reaching", "persons_paid"}
    assert "persons_paid" in declaration(months)["counts"]


def test_min_run():
    panel = tiny({"a": [S, C, S, S, P, C, S, S]})
    # runs of paying weeks: [0], [2, 3, 4], [6, 7]; with k = 3 only weeks 2-4 count:
    # 1000 + 1000 + 500 = 2500; with k = 2 also weeks 6, 7: 2500 + 2000 = 4500
    assert contract_payments(panel, Contract(CARD, (0, 7), min_run=3)).total == 2500.0
    assert contract_payments(panel, Contract(CARD, (0, 7), min_run=2)).total == 4500.0
    # runs are counted inside the period: period 3..7 cuts the run to weeks 3-4 (2 weeks)
    assert contract_payments(panel, Contract(CARD, (3, 7), min_run=3)).total == 0.0


def test_unobserved_week_ends_a_run_and_pays_nothing():
    panel = tiny({"a": [S, S, 0, S, S], "b": [C, C, C, C, C]})  # week 2 of a: no row
    assert contract_payments(panel, Contract(CARD, (0, 4))).total == 4000.0
    assert contract_payments(panel, Contract(CARD, (0, 4), min_run=3)).total == 0.0


def test_person_cap_then_contract_cap_in_time_order():
    panel = tiny({"a": [S, S, S, S], "b": [C, S, S, S]})
    # uncapped: a 4000, b 3000
    # person cap 2500: a 1000, 1000, 500 (week 2 pays the remainder), 0 -> 2500;
    # b 1000, 1000, 500 in weeks 1-3 -> 2500; total 5000
    capped = contract_payments(panel, Contract(CARD, (0, 3), person_cap=2500))
    assert capped.by_person["paid"].tolist() == [2500.0, 2500.0]
    # then the contract cap 3200 by week: week 0 pays 1000 (a), week 1 pays 2000 (a, b):
    # 3000 so far; week 2 pays 500 + 1000 = 1500 but only 200 remain: pro rata 200/1500,
    # a gets 500 * 2/15 = 66.67, b 1000 * 2/15 = 133.33; nothing later
    both = contract_payments(panel, Contract(CARD, (0, 3), person_cap=2500, contract_cap=3200))
    assert both.total == pytest.approx(3200.0)
    assert both.by_person["paid"].to_numpy() == pytest.approx([2066.6667, 1133.3333], abs=1e-3)


def test_contract_cap_follows_calendar_time():
    # b is referred two weeks before a (calendar weeks 10 and 12): b's payments come first
    panel = tiny({"a": [S, S, S], "b": [S, S, S]}, reference={"a": 12, "b": 10})
    # b: calendar weeks 10-12 (weeks 0-2); a: calendar 12-14 (a is observed only to 12,
    # the last week of the data: weeks 1, 2 of a are not observed)
    result = contract_payments(panel, Contract(CARD, (0, 2), contract_cap=2500))
    # calendar 10: b 1000; 11: b 1000; 12: a 1000 + b 1000 but 500 remain -> 250 each
    assert result.by_person["paid"].tolist() == [250.0, 2250.0]


def test_cohort_trigger_per_cohort():
    panel = tiny({"a": [S, C], "b": [C, C], "c": [P, P], "d": [C, S], "e": [C, C], "f": [C, C]})
    cohorts = pd.DataFrame({"id": list("abcdef"), "house": ["x"] * 3 + ["y"] * 3})
    contract = Contract(CARD, (0, 1), trigger=CohortTrigger(share=0.5))
    result = contract_payments(panel, contract, cohort=cohorts, by="house")
    # cohort x: a and c reach (2 of 3 >= 50 %): paid 1000 + 1000 = 2000;
    # cohort y: only d (1 of 3 < 50 %): paid nothing
    frame = result.to_frame().set_index("cohort")
    assert frame.loc["x", "persons_reaching"] == 2 and frame.loc["x", "amount"] == 2000.0
    assert not frame.loc["y", "triggered"] and frame.loc["y", "amount"] == 0.0
    assert result.total == 2000.0
    # trigger on the self-sufficient state only: x has a (1 of 3) -> nothing either
    only_full = Contract(
        CARD, (0, 1), trigger=CohortTrigger(share=0.5, states=("self_sufficient",))
    )
    assert contract_payments(panel, only_full, cohort=cohorts, by="house").total == 0.0
    # persons=1 passes both cohorts: 2000 + 1000
    one = Contract(CARD, (0, 1), trigger=CohortTrigger(persons=1))
    assert contract_payments(panel, one, cohort=cohorts, by="house").total == 3000.0


def test_inputs_are_not_modified():
    panel = tiny({"a": [S, S, C], "b": [C, P, P]})
    before = panel.codes.copy()
    cohorts = pd.DataFrame({"id": ["a", "b"], "g": [1, 2]})
    copy = cohorts.copy()
    contract_payments(panel, Contract(CARD, (0, 2)), cohort=cohorts, by="g")
    project_payments(panel, Contract(CARD, (0, 5)), n_sims=5, seed=1)
    assert np.array_equal(panel.codes, before)
    pd.testing.assert_frame_equal(cohorts, copy)


# --------------------------------------------------------------------------- projection
def test_fit_markov_chain_counts():
    panel = tiny({"a": [C, C, S, S], "b": [C, S, C, 0]})
    chain = fit_markov_chain(panel)
    # from cash benefit: a C->C, C->S; b C->S; S->C: 1 (b), S->S: 1 (a) (b week 3 unseen)
    i = {s: panel.states.index(s) for s in panel.states}
    row = chain.probabilities[0, i["cash_benefit"]]
    assert row[i["self_sufficient"]] == pytest.approx(2 / 3)
    assert chain.probabilities[0, i["self_sufficient"], i["cash_benefit"]] == 0.5
    # the partly state is never left: it stays
    assert chain.probabilities[0, i["partly_self_sufficient"], i["partly_self_sufficient"]] == 1
    banded = fit_markov_chain(panel, bands=(0, 2))
    # band 1 (transitions from weeks 2+): S->S (a), C->? none from b's week 2 (week 3 unseen)
    assert banded.probabilities[1, i["self_sufficient"], i["self_sufficient"]] == 1.0
    # cash benefit has no transition in band 1: the pooled row
    assert banded.probabilities[1, i["cash_benefit"]] == pytest.approx(row)
    assert declaration(chain.to_frame())["counts"] == ["transitions"]


@pytest.mark.parametrize("h, weeks", [(0.1, 10), (0.03, 26)])
def test_closed_form_two_state_chain(h, weeks):
    n = 50
    ids = np.array([f"p{i}" for i in range(n)])
    codes = np.full((n, weeks + 1), -1)
    codes[:, 0] = 0  # on benefit at week 0, then not yet observed
    panel = StatusPanel(ids, codes, ("benefit", "work"), aligned=True)
    chain = MarkovChain.from_probabilities(panel.states, [[1 - h, h], [0.0, 1.0]])
    contract = Contract({"work": 100}, period=(0, weeks))
    result = project_payments(panel, contract, chain=chain, goal=20, n_sims=4000, seed=7)
    exit_prob = 1 - (1 - h) ** weeks  # P(ever exit within T weeks)
    paid_weeks = weeks - (1 - h) * (1 - (1 - h) ** weeks) / h  # sum_t 1 - (1-h)^t
    mean_reached = n * exit_prob
    sd_reached = np.sqrt(n * exit_prob * (1 - exit_prob) / 4000)
    assert result.reached.mean() == pytest.approx(mean_reached, abs=4 * sd_reached)
    expected = 100 * n * paid_weeks
    assert result.estimate == pytest.approx(expected, rel=0.02)
    goal = stats.binom.sf(19, n, exit_prob)  # P(Bin(n, p) >= 20)
    assert result.goal_probability == pytest.approx(goal, abs=0.03)


def test_seeded_reproducibility_and_seed_recorded():
    panel = tiny({"a": [C, S, S, C, 0, 0], "b": [C, C, P, P, 0, 0], "c": [S, C, 0, 0, 0, 0]})
    contract = Contract(CARD, (0, 12))
    with pytest.raises(ArgumentError, match="period"):
        contract_payments(panel, contract)  # beyond the panel: only a projection reaches it
    one = project_payments(panel, contract, n_sims=300, seed=11)
    two = project_payments(panel, contract, n_sims=300, seed=11)
    other = project_payments(panel, contract, n_sims=300, seed=12)
    assert one.seed == 11
    assert np.array_equal(one.totals, two.totals) and np.array_equal(one.monthly, two.monthly)
    assert not np.array_equal(one.totals, other.totals)
    drawn = project_payments(panel, contract, n_sims=50, seed=None)
    again = project_payments(panel, contract, n_sims=50, seed=drawn.seed)
    assert np.array_equal(drawn.totals, again.totals)
    frame = one.to_frame()
    assert frame["term"].tolist()[0] == "total_payments" and declaration(frame) is not None
    assert one.conf_int[0] <= one.estimate <= one.conf_int[1]


def test_projection_bad_inputs():
    panel = tiny({"a": [C, S], "b": [C, C]})
    contract = Contract(CARD, (0, 5))
    with pytest.raises(ArgumentError, match="n_sims"):
        project_payments(panel, contract, n_sims=0)
    with pytest.raises(ArgumentError, match="goal"):
        project_payments(panel, contract, goal=3)  # 2 persons
    with pytest.raises(ArgumentError, match="seed"):
        project_payments(panel, contract, seed=-1)
    with pytest.raises(ArgumentError, match="bands"):
        project_payments(panel, contract, bands=(5, 2))
    with pytest.raises(ArgumentError, match="goal_states"):
        project_payments(panel, contract, goal_states="job")


# --------------------------------------------------------------------------- investor
def test_investor_irr_loss_and_guarantee():
    panel = tiny({"a": [S] * 52})  # 52 weeks of 1000 = 52,000 paid over 12 months
    paid = contract_payments(panel, Contract(CARD, (0, 51)))
    months = paid.months()["amount"].to_numpy()
    # capital 40,000 at month 0: net 12,000; the IRR zeroes the NPV of the monthly flows
    cf = investor_cash_flow(paid, capital=40_000)
    flows = months.copy()
    flows[0] -= 40_000
    r = (1 + cf.estimate) ** (1 / 12) - 1
    assert abs(np.sum(flows / (1 + r) ** np.arange(len(flows)))) < 1e-6
    assert cf.expected_net == pytest.approx(12_000) and cf.loss_probability == 0.0
    # capital 60,000: a loss of 8,000; a guarantee of 5,000 leaves a loss, 10,000 none
    lossy = investor_cash_flow(paid, capital=60_000, guarantee=5_000)
    assert lossy.loss_probability == 1.0 and lossy.expected_net == pytest.approx(-3_000)
    covered = investor_cash_flow(paid, capital=60_000, guarantee=10_000)
    assert covered.loss_probability == 0.0 and covered.loss_probability_without_guarantee == 1.0
    assert covered.expected_guarantee_paid == pytest.approx(8_000)
    assert covered.estimate == pytest.approx(0.0, abs=1e-9)  # money back, nothing more
    with pytest.raises(ArgumentError, match="capital"):
        investor_cash_flow(paid, capital=-1)
    with pytest.raises(ArgumentError, match="guarantee"):
        investor_cash_flow(paid, capital=1, guarantee=-5)
    with pytest.raises(ArgumentError, match="capital: months"):
        investor_cash_flow(paid, capital={99: 1000})


# --------------------------------------------------------------------------- Impact60
def test_impact60_synthetic_run():
    project = simulate_impact60()
    panel = project.panel(after=230)
    contract = Contract(CARD, period=("2018-W36", "2022-W52"), calendar=True)
    paid = contract_payments(panel, contract, cohort=project.persons, by="house")
    assert paid.by_cohort["persons"].sum() == 120
    # 55 of 120 reached self-sufficiency (the published final count is kept by the data)
    assert paid.by_person["reached"].sum() == 55
    projection = project_payments(
        panel, contract, as_of="2019-W38", bands=(0, 26, 52), goal=60, n_sims=300, seed=2018
    )
    assert projection.conf_int[0] < projection.estimate < projection.conf_int[1]
    assert 0.0 <= projection.goal_probability <= 1.0
    assert projection.distribution()["probability"].sum() == pytest.approx(1.0)
    cash = investor_cash_flow(projection, capital=3_000_000, guarantee=1_000_000)
    assert cash.loss_probability <= cash.loss_probability_without_guarantee
    assert cash.summary() and cash._repr_html_().startswith("<")


def test_the_chain_is_fitted_on_weeks_from_referral_on():
    # Weeks -2 and -1 are all benefit (0 -> 0 twice per person); from week 0 on, one of
    # the two persons moves 0 -> 1. Only the two transitions from week 0 on count: out of
    # state 0 there are 2 (one to 0, one to 1), so p_01 = 1/2, not 1/6.
    from evalkit.economics.projection import fit_markov_chain
    from evalkit.panel import StatusPanel

    codes = np.array([[0, 0, 0, 1], [0, 0, 0, 0]], dtype=np.int8)
    panel = StatusPanel(
        np.array(["a", "b"]), codes, ("benefit", "work"), first_week=-2, aligned=True
    )
    assert fit_markov_chain(panel).probabilities[0][0].tolist() == [0.5, 0.5]
