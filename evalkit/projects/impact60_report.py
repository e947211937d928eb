"""Impact60, Aalborg (pay for success): payments, a projection from the midway point, the
investor's position; and what ``evalkit reproduce --project impact60_aalborg`` writes.

Published (Aalborg Kommune, Beskæftigelsesudvalget, "Orientering om status for Impact60",
case 2018-066012; co-pi.dk, June 2021): the municipality pays only for outcomes, for every
week a referred person is fully or partly self-sufficient; 120 referrals from 1 September
2018 to 31 December 2019; the project runs to 31 December 2022; the goal is that at least
50 % (60 persons) reach self-sufficiency; at the midway evaluation (September 2019) 16 of
65 active citizens were self-sufficient and 18 more about to start; 46 % reached
self-sufficiency in the end; Den Sociale Kapitalfond gave a deficit guarantee.

**Assumed** (not published): the rates per week (:data:`ASSUMED_RATES`), the investor's
capital and when it is paid out (:data:`ASSUMED_CAPITAL`, over the 16 referral months) and
the size of the guarantee (:data:`ASSUMED_GUARANTEE`). The weekly histories are
**synthetic** (:func:`evalkit.datasets.simulate_impact60`), calibrated to the published
figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..datasets import load_published, simulate_impact60
from ..datasets.impact60 import SyntheticProject
from ..datasets.published import shown_published
from ..economics import (
    Contract,
    ContractPayments,
    InvestorCashFlow,
    PaymentProjection,
    RateCard,
    contract_payments,
    investor_cash_flow,
    project_payments,
)
from ..panel import recurrent_entries
from ..panel.panel import StatusPanel
from ..report import mean_cumulative_function_plot, save_figure
from ..report.labels import iso_week, label
from ..reproduce import Artifact, Progress, table_artifact
from ..survival import mean_cumulative_function

PROJECT = "impact60_aalborg"
SOURCE = (
    "Aalborg Kommune, Beskæftigelsesudvalget, 'Orientering om status for Impact60' "
    "(case 2018-066012); co-pi.dk (2021-06)"
)
#: The contract period in ISO weeks: referrals from 1 September 2018, end 31 December 2022.
PERIOD = ("2018-W36", "2022-W52")
#: The midway evaluation (September 2019): the projection uses only weeks up to here.
MIDWAY = "2019-W38"
#: Published goal: at least 60 of the 120 referred reach (full or partial) self-sufficiency.
GOAL = 60
#: ASSUMED rates (DKK per week); the contract's rates are not published.
ASSUMED_RATES = {"self_sufficient": 1500, "partly_self_sufficient": 750}
#: ASSUMED investor capital (DKK), paid out evenly over the 16 referral months.
ASSUMED_CAPITAL = 6_000_000
CAPITAL_MONTHS = 16
#: ASSUMED deficit guarantee (DKK): the most Den Sociale Kapitalfond covers of a loss.
ASSUMED_GUARANTEE = 2_000_000
#: Models of the projection: lower edges of the bands of weeks since referral of the
#: Markov chain. The first is the main one: at midway the histories reach at most 54 weeks
#: since referral, so a band from week 52 rests on a handful of transitions.
MODELS = {
    "two bands (weeks 0-25, 26+)": (0, 26),
    "one band": None,
    "three bands (weeks 0-25, 26-51, 52+)": (0, 26, 52),
}
MAIN_MODEL = "two bands (weeks 0-25, 26+)"


def assumptions() -> pd.DataFrame:
    """Every number the analysis needs that is not published, marked as assumed."""
    rows = [
        ("rate_self_sufficient", "Payment per self-sufficient week",
         ASSUMED_RATES["self_sufficient"], "DKK"),
        ("rate_partly_self_sufficient", "Payment per partly self-sufficient week",
         ASSUMED_RATES["partly_self_sufficient"], "DKK"),
        ("investor_capital", f"Investor capital, paid out evenly over the first "
         f"{CAPITAL_MONTHS} months (the referral period)", ASSUMED_CAPITAL, "DKK"),
        ("deficit_guarantee", "Deficit guarantee (most of a loss covered)",
         ASSUMED_GUARANTEE, "DKK"),
        ("investor_share", "Share of the outcome payments going to the investor", 1.0, "share"),
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["assumption", "description", "value", "unit"])
    frame["status"] = "ASSUMED (not published)"
    return frame


def impact60_contract() -> Contract:
    """The outcome contract with the ASSUMED rates over the published period."""
    return Contract(RateCard(ASSUMED_RATES), period=PERIOD, calendar=True)


def capital_schedule() -> dict[int, float]:
    """The ASSUMED capital by month since September 2018."""
    return {m: ASSUMED_CAPITAL / CAPITAL_MONTHS for m in range(CAPITAL_MONTHS)}


@dataclass(frozen=True, eq=False)
class Impact60:
    """Impact60 evaluated on the SYNTHETIC histories (see the module docstring)."""

    project: SyntheticProject
    panel: StatusPanel
    contract: Contract
    payments: ContractPayments
    projections: dict[str, PaymentProjection]
    investor: dict[str, InvestorCashFlow]
    published: pd.DataFrame

    @property
    def projection(self) -> PaymentProjection:
        """The main model's projection from the midway point."""
        return self.projections[MAIN_MODEL]

    def goal_table(self) -> pd.DataFrame:
        """Per model: persons expected to reach self-sufficiency (95 % interval), the
        probability of reaching the goal of 60 and the expected payments (DKK million, 95 %
        interval); then what the synthetic histories did."""
        rows = []
        for name, p in self.projections.items():
            low, high = np.quantile(p.reached, [0.025, 0.975])
            rows.append(
                {
                    "model (projection from 2019-W38)": name,
                    "persons reaching": float(np.mean(p.reached)),
                    "low": float(low),
                    "high": float(high),
                    f"P(at least {GOAL})": p.goal_probability,
                    "expected payments (DKK million)": p.estimate / 1e6,
                    "payments low": p.conf_int[0] / 1e6,
                    "payments high": p.conf_int[1] / 1e6,
                }
            )
        reached = int(self.payments.by_person["reached"].sum())
        rows.append(
            {
                "model (projection from 2019-W38)": "synthetic histories (what happened)",
                "persons reaching": float(reached),
                f"P(at least {GOAL})": float(reached >= GOAL),
                "expected payments (DKK million)": self.payments.total / 1e6,
            }
        )
        return pd.DataFrame(rows)

    def investor_table(self) -> pd.DataFrame:
        """The investor's position with and without the ASSUMED deficit guarantee (annual
        IRR, probability of a loss, amounts in DKK million)."""
        rows = []
        for name, cf in self.investor.items():
            rows.append(
                {
                    "scenario": name,
                    "IRR a year, without guarantee (median)": float(
                        np.nanmedian(cf.irr_without_guarantee)
                    ),
                    "IRR a year, with guarantee (median)": cf.estimate,
                    "P(loss) without guarantee": cf.loss_probability_without_guarantee,
                    "P(loss) with guarantee": cf.loss_probability,
                    "expected net return with guarantee (DKK million)": cf.expected_net / 1e6,
                    "expected guarantee paid (DKK million)": cf.expected_guarantee_paid / 1e6,
                }
            )
        return pd.DataFrame(rows)


def evaluate_impact60(seed: int = 2018, n_sims: int = 1000) -> Impact60:
    """Payments on the SYNTHETIC histories, projections from the midway point by model,
    and the investor's cash flow (ASSUMED rates, capital and guarantee)."""
    project = simulate_impact60(seed)
    panel = project.panel(before=0, after=230)  # weeks from referral to the end of 2022
    contract = impact60_contract()
    payments = contract_payments(panel, contract)
    projections = {  # month axes from September 2018 to December 2022 (the contract's)
        name: project_payments(
            panel, contract, as_of=MIDWAY, bands=bands, goal=GOAL, n_sims=n_sims, seed=seed
        )
        for name, bands in MODELS.items()
    }
    capital = capital_schedule()
    investor = {
        f"projection from 2019-W38, {name}": investor_cash_flow(
            p, capital, guarantee=ASSUMED_GUARANTEE
        )
        for name, p in projections.items()
    }
    investor["synthetic histories (one scenario)"] = investor_cash_flow(
        payments, capital, guarantee=ASSUMED_GUARANTEE
    )
    return Impact60(
        project, panel, contract, payments, projections, investor, load_published(PROJECT)
    )


def cumulative_plot(ev: Impact60, lang: str = "en"):
    """Cumulative payments by month on the synthetic histories, with the main model's
    projection from the midway point (mean and pointwise 95 % interval) and the assumed
    capital. Declared to the output gate as synthetic, without counts of persons."""
    from matplotlib.dates import YearLocator

    from ..output.gate import declare_figure
    from ..report.labels import (
        MonthFormatter,
        NumberFormatter,
        format_kroner,
        format_level,
        iso_week,
        label,
    )
    from ..report.style import COLOURS, FONT_SIZE, evalkit_style, new_figure

    months = ev.payments.by_month
    ends = pd.PeriodIndex(months["month"], freq="M").end_time.normalize()
    paid = months["amount"].cumsum().to_numpy() / 1e6
    projection = ev.projection
    paths = projection.monthly.cumsum(axis=1) / 1e6
    low, high = np.quantile(paths, [0.025, 0.975], axis=0)
    year, week = (int(part) for part in MIDWAY.split("-W"))
    mid = pd.Timestamp.fromisocalendar(year, week, 4)  # the Thursday of the midway week
    after = ends >= mid - pd.offsets.MonthEnd(1)  # from the last month fully observed
    with evalkit_style():
        fig = new_figure()
        ax = fig.add_subplot()
        ax.fill_between(
            ends[after],
            low[after],
            high[after],
            color=COLOURS["control"],
            alpha=0.2,
            linewidth=0,
            gid="band",
            label=label("pay_projection_band", lang, level=format_level(0.05, lang)),
        )
        ax.plot(
            ends[after],
            paths.mean(axis=0)[after],
            color=COLOURS["control"],
            linestyle="--",
            gid="projection",
            label=label("pay_projection", lang, date=iso_week(MIDWAY, lang)),
        )
        ax.plot(ends, paid, color=COLOURS["treatment"], gid="paid", label=label("pay_paid", lang))
        ax.axvline(
            mid,
            color=COLOURS["neutral"],
            linewidth=0.8,
            linestyle=":",
            gid="as_of",
            label=label("pay_as_of", lang),
        )
        ax.axhline(ASSUMED_CAPITAL / 1e6, color=COLOURS["national"], linewidth=0.8,
                   gid="capital", label=label("pay_capital", lang))  # fmt: skip
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(NumberFormatter(lang))
        ax.xaxis.set_major_locator(YearLocator())
        ax.xaxis.set_major_formatter(MonthFormatter(lang))
        ax.set_xlabel(label("pay_month", lang))
        ax.set_ylabel(label("pay_cumulative_million", lang))
        ax.legend(loc="upper left", frameon=False, fontsize=FONT_SIZE - 2)
        note = label(
            "pay_assumed_rates",
            lang,
            full=format_kroner(ASSUMED_RATES["self_sufficient"], lang),
            partly=format_kroner(ASSUMED_RATES["partly_self_sufficient"], lang),
        )
        fig.text(0.01, 0.005, note, fontsize=FONT_SIZE - 2.5, color=COLOURS["note"],
                 va="bottom", gid="note")  # fmt: skip
        fig.subplots_adjust(bottom=0.18)
    return declare_figure(fig, None, source="synthetic", counts=False, lang=lang)


def write(out: Path, lang: str, progress: Progress, log=None) -> list[Artifact]:
    """Write Impact60's figures and tables into ``out``; return them with captions."""
    ev = evaluate_impact60()
    artifacts: list[Artifact] = []

    def caption(*keys: str) -> str:
        return " ".join(label(f"c_impact60_{k}", lang, source=SOURCE) for k in keys)

    def table(frame, name, title, text, source):
        # a report table: numbers formatted by kind and language, kept numbers in CSV
        artifacts.append(
            table_artifact(PROJECT, frame, out, name, title, text, lang, log, source=source)
        )
        progress.step(title)

    published = shown_published(ev.published, lang)
    table(published, "published_figures", label("t_published", lang), caption("published"),
          "published")  # fmt: skip
    table(
        ev.payments.months(),
        "payments_by_month",
        label("t_payments_by_month", lang),
        caption("synthetic"),
        "synthetic",
    )
    fig = cumulative_plot(ev, lang)
    files = save_figure(fig, out / "cumulative_payments", formats=("png", "pdf"),
                        source="synthetic", log=log)  # fmt: skip
    title = label("t_cumulative_payments", lang)
    artifacts.append(
        Artifact(PROJECT, "figure", "cumulative_payments", title,
                 caption("synthetic", "projection", "investor"), tuple(files))
    )  # fmt: skip
    progress.step(title)
    # spells started per person: entries into (partial) self-sufficiency, disclosure-safe
    rows = recurrent_entries(ev.panel, ["self_sufficient", "partly_self_sufficient"])
    mcf = mean_cumulative_function(rows, "stop", "event", "id", start="start")
    fig = mean_cumulative_function_plot(mcf, lang, xlabel=label("weeks_since_referral", lang))
    files = save_figure(fig, out / "recurrent_entries", formats=("png", "pdf"),
                        source="synthetic", log=log)  # fmt: skip
    title = label("t_recurrent_entries", lang)
    artifacts.append(
        Artifact(PROJECT, "figure", "recurrent_entries", title, caption("synthetic", "mcf"),
                 tuple(files))
    )  # fmt: skip
    progress.step(title)
    table(
        ev.goal_table(),
        "goal_probability",
        label("t_goal_probability_impact60", lang, goal=GOAL, date=iso_week(MIDWAY, lang)),
        caption("synthetic", "projection"),
        "synthetic",
    )
    table(
        ev.investor_table(),
        "investor",
        label("t_investor", lang),
        caption("synthetic", "projection", "investor"),
        "synthetic",
    )
    return artifacts
