"""project_payments' month axis on calendar panels stops at the contract's end."""

import numpy as np
import pytest

from evalkit.economics import Contract, MarkovChain, investor_cash_flow, project_payments
from evalkit.panel import StatusPanel
from evalkit.panel.weeks import iso_week_ordinal


def _panel(calendar: bool = True) -> StatusPanel:
    # two persons on benefit in their first 5 weeks since referral, referred in
    # 2020-W02 and 2020-W40: the later one's rows run 38 weeks past the other's
    reference = np.array([iso_week_ordinal(2020, 2), iso_week_ordinal(2020, 40)])
    codes = np.zeros((2, 5), dtype=np.int8)
    return StatusPanel(
        np.array(["a", "b"]),
        codes,
        ("benefit", "work"),
        calendar=calendar,
        aligned=True,
        reference_week=reference if calendar else None,
    )


def test_calendar_month_axis_stops_at_the_contract_end():
    panel = _panel()
    contract = Contract({"work": 100}, period=("2020-W02", "2020-W52"), calendar=True)
    chain = MarkovChain.from_probabilities(panel.states, [[0.8, 0.2], [0.0, 1.0]])
    p = project_payments(panel, contract, chain=chain, n_sims=50, seed=3)
    assert p.months[0] == "2020-01"
    assert p.months[-1] == "2020-12"  # the month of 2020-W52, not later
    assert p.monthly.shape == (50, 12)
    # nothing is lost by the cut: every payment falls in a month of the axis
    np.testing.assert_allclose(p.monthly.sum(axis=1), p.totals)
    assert list(p.by_month()["month"]) == p.months
    # the investor's last month (where the guarantee is paid) is the contract's last
    cash = investor_cash_flow(p, capital=1000, guarantee=500)
    assert len(cash.flows) == 12


@pytest.mark.parametrize("period", [(0, 10), (3, 60)])
def test_weeks_since_referral_month_axis_is_the_period(period):
    panel = _panel(calendar=False)
    contract = Contract({"work": 100}, period=period)
    chain = MarkovChain.from_probabilities(panel.states, [[0.8, 0.2], [0.0, 1.0]])
    p = project_payments(panel, contract, chain=chain, n_sims=20, seed=3)
    first, last = period
    assert p.months == list(range((12 * first) // 52, (12 * last) // 52 + 1))
    np.testing.assert_allclose(p.monthly.sum(axis=1), p.totals)
