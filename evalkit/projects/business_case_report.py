"""The adult business case (an unnamed municipality, 2014–2018): what ``evalkit reproduce``
writes.

The same analyses as the notebook ``business_case_adults``: the published figures, the
2016 refusion staircase (the law), what the target of 50 full-year persons a year means
in persons and weeks, what the clarification workshops and Projekt Superb delivered
against it, and a business case with its sensitivity table and tornado plot.

The documents give no amounts. Every kroner figure rests on the amounts of
:data:`ASSUMPTIONS`, each with its basis: two are public values checked against their
sources (the 2016 cash-benefit rate, used for every case, and the Finance Ministry's
discount rate), the programme's costs and effect are **assumed**. The tables computed
from them are written with ``source="synthetic"`` (not register data, not published) and
captions saying "assumed amounts"; the published figures and the staircase (the law) are
``source="published"``.

Sources of the public values (checked December 2026):

- Cash benefit (kontanthjælp) of a person aged 30 or over without children ("fyldt 30
  år, andre", lov om aktiv socialpolitik § 25, stk. 2, nr. 2): DKK 10,968 a month from
  4 January 2016 (Beskæftigelsesministeriet, "Satser for 2016: Kontanthjælp", bm.dk;
  LBK nr. 468 af 20. maj 2016); DKK 10,689 in 2014 (bm.dk, "Satser for 2014") and
  DKK 11,944 in 2023 (bm.dk, "Satser for 2023"). With children the 2016 rate is
  DKK 14,575; the caseload's mix of rates is not published, so one rate for every case
  remains an assumption.
- Social discount rate: the Finance Ministry's recommended real rate for years 0-35 is
  4 % from 31 May 2013 (fm.dk, "Ny og lavere samfundsøkonomisk diskonteringsrente"; still
  4 % in its note of 3 September 2018 to Folketingets Finansudvalg, FIU alm. del spm. 418)
  until it was lowered to 3.5 % (Finansministeriet, "Dokumentationsnotat – den
  samfundsøkonomiske diskonteringsrente", 7 January 2021). The business case (approved
  August 2014, target years 2015-2018) takes the 4 % in force then.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..datasets import load_published
from ..datasets.published import SHOWN, shown_published
from ..economics import (
    REFUSION_2016,
    business_case,
    required_outcomes,
    sensitivity_table,
    tornado_plot,
)
from ..output.declare import declare_table
from ..report.labels import label, term
from ..reproduce import Artifact, Progress
from .benchmark_reports import _Writer

PROJECT = "adult_business_case"

#: The 2016 monthly cash benefit of a person aged 30 or over without children (DKK; see
#: the module docstring for the source).
CASH_BENEFIT_2016_MONTHLY = 10_968

#: Every assumption of the business case: (value, unit, basis). None of these amounts is
#: in the municipality's documents; the benefit rate and the discount rate are public
#: values (sources in the module docstring), the rest are assumed.
ASSUMPTIONS = {
    "weekly_benefit": (
        CASH_BENEFIT_2016_MONTHLY * 12 / 52,
        "DKK a week",
        "source: the 2016 cash benefit of a person aged 30 or over without children, "
        "DKK 10,968 a month (bm.dk, Satser for 2016; lov om aktiv socialpolitik § 25, "
        "stk. 2, nr. 2) x 12 / 52; assumed for every case: the caseload's mix of rates "
        "(DKK 14,575 with children) is not published",
    ),
    "cost_once": (
        1_000_000.0,
        "DKK at the start (2015)",
        "assumed: reviewing and categorising the 2,000 cases (about DKK 500 a case)",
    ),
    "cost_per_year": (
        3_000_000.0,
        "DKK a year",
        "assumed: clarification workshops, Projekt Superb and company contacts "
        "(about six full-time staff at DKK 500,000)",
    ),
    "effect": (
        30.0,
        "full-year persons a year",
        "assumed: a hypothetical evaluated effect below the promised 50, with an assumed "
        "95 % interval of 10 to 50; no effect has been estimated",
    ),
    "effect_conf_low": (10.0, "full-year persons a year", "assumed (see effect)"),
    "effect_conf_high": (50.0, "full-year persons a year", "assumed (see effect)"),
    "horizon": (4, "years", "published: the target runs 2015–2018"),
    "rate": (
        0.04,
        "a year",
        "source: the Finance Ministry's recommended real discount rate for years 0-35, "
        "4 % from May 2013 until lowered to 3.5 % in January 2021 (fm.dk)",
    ),
}

#: Assumed weeks off benefit within the year per person, by route (the documents give
#: none; 'more than 3 months' is published, the rest are assumptions).
ROUTE_WEEKS = {
    "workshops: ordinary work, more than 3 months": 26,
    "workshops: ordinary work, up to 3 months": 8,
    "workshops: ordinary education": 40,
    "Superb: ordinary work": 26,
}
#: Weeks of benefit at which the net municipal cost of a week is shown.
COST_WEEKS = (4, 26, 52, 60)
#: Ranges of the one-way sensitivity analysis (assumed, around the assumptions).
SENSITIVITY = {
    "effect": "ci",
    "saving": (0.75, 1.25),  # times the base saving
    "cost_once": (500_000.0, 2_000_000.0),
    "cost_per_year": (2_000_000.0, 4_000_000.0),
    "rate": (0.0, 0.06),
    "horizon": (3, 5),
}


def assumptions_table() -> pd.DataFrame:
    """The assumptions (:data:`ASSUMPTIONS`) as a table: name, value, unit, basis."""
    frame = pd.DataFrame(
        [
            {"assumption": name, "value": float(value), "unit": unit, "basis": basis}
            for name, (value, unit, basis) in ASSUMPTIONS.items()
        ]
    )
    return declare_table(frame, counts=[])


def staircase_table(staircase=REFUSION_2016) -> pd.DataFrame:
    """The staircase's steps: first and last week (None: open-ended), the state's and the
    municipality's share of a benefit week."""
    frame = pd.DataFrame(
        {
            "step": np.arange(1, len(staircase.steps) + 1),
            "first_week": [first for first, _ in staircase.steps],
            "last_week": pd.array([last for _, last in staircase.steps], dtype="Int64"),
            "state_share": [float(s) for s in staircase.shares],
            "municipal_share": [round(1.0 - float(s), 12) for s in staircase.shares],
        }
    )
    return declare_table(frame, counts=[])


def week_cost_table(weekly_benefit: float, weeks=COST_WEEKS, staircase=REFUSION_2016):
    """The state's and the municipality's part of one benefit week at the given
    accumulated weeks with benefits."""
    weeks = np.asarray(weeks)
    share = staircase.share(weeks)
    frame = pd.DataFrame(
        {
            "benefit_week": weeks,
            "state_share": share,
            "weekly_benefit": float(weekly_benefit),
            "state": np.round(weekly_benefit * share, 2),
            "municipal": np.round(weekly_benefit * (1.0 - share), 2),
        }
    )
    return declare_table(frame, counts=[])


def saving_per_full_year_person(weekly_benefit: float, staircase=REFUSION_2016) -> float:
    """The municipality's net cost of a full-year person (52 weeks) in a long case: weeks
    53 to 104 of accumulated benefit (the last step of REFUSION_2016, 80 % municipal)."""
    share = staircase.share(np.arange(53, 105))
    return round(float(weekly_benefit * (1.0 - share).sum()), 2)


def the_case(lang: str = "en"):
    """The business case on the assumptions, with its sensitivity table."""
    value = {k: v[0] for k, v in ASSUMPTIONS.items()}
    saving = saving_per_full_year_person(value["weekly_benefit"])
    case = business_case(
        value["effect"],
        saving=saving,
        cost_once=value["cost_once"],
        cost_per_year=value["cost_per_year"],
        horizon=int(value["horizon"]),
        rate=value["rate"],
        conf_int=(value["effect_conf_low"], value["effect_conf_high"]),
        label="faster clarification of long cash-benefit cases (assumed amounts)",
        lang=lang,
    )
    ranges = dict(SENSITIVITY)
    ranges["saving"] = tuple(round(f * saving, 2) for f in SENSITIVITY["saving"])
    return case, sensitivity_table(case, ranges)


def write(out: Path, lang: str, progress: Progress, log=None) -> list[Artifact]:
    """The adult business case: published figures, staircase, required outcomes and the
    business case on assumed amounts."""
    writer = _Writer(PROJECT, out, lang, progress, log)
    published = load_published(PROJECT)
    writer.table(
        shown_published(published, lang, (*SHOWN, "source")),
        "published_figures",
        "t_published",
        writer.caption(
            "published", source="; ".join(term(src, lang) for src in published["source"].unique())
        ),
    )
    value = published.set_index("figure")["value"]
    caption = label("c_case_assumed", lang)
    writer.table(
        staircase_table(),
        "refusion_staircase",
        "t_staircase",
        label("c_case_law", lang, source=label("src_refusion_2016", lang)),
    )
    weekly = ASSUMPTIONS["weekly_benefit"][0]
    writer.table(
        week_cost_table(weekly),
        "net_cost_by_week",
        "t_net_cost_by_week",
        caption,
        source="synthetic",
    )
    target = float(value["target_reduction_per_year"])
    writer.table(
        required_outcomes(
            target, {"13 weeks (3 months)": 13, "26 weeks (half a year)": 26, "52 weeks": 52}
        ),
        "required_outcomes",
        "t_required_outcomes",
        label("c_case_required", lang),
        source="synthetic",
    )
    delivered = {
        "workshops: ordinary work, more than 3 months": value["workshops_work_over_3_months"],
        "workshops: ordinary work, up to 3 months": value["workshops_ordinary_work"]
        - value["workshops_work_over_3_months"],
        "workshops: ordinary education": value["workshops_education"],
        "Superb: ordinary work": value["superb_ordinary_work"],
    }
    writer.table(
        required_outcomes(target, ROUTE_WEEKS, delivered=delivered),
        "delivered_against_target",
        "t_delivered",
        label("c_case_delivered", lang),
        source="synthetic",
    )
    writer.table(
        assumptions_table(),
        "assumptions",
        "t_assumptions",
        caption,
        source="synthetic",
    )
    case, sensitivity = the_case(lang)
    writer.table(
        case.to_frame(),
        "business_case",
        "t_business_case",
        caption,
        source="synthetic",
    )
    writer.table(
        sensitivity,
        "sensitivity",
        "t_sensitivity",
        caption,
        source="synthetic",
    )
    writer.figure(
        tornado_plot(sensitivity, lang=lang),
        "tornado",
        "t_tornado",
        caption,
        source="synthetic",
    )
    return writer.artifacts
