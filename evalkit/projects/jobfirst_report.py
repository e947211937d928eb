"""JobFirst, Aalborg: the figures and tables ``evalkit reproduce`` writes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..report import (
    ConsortCounts,
    balance_table,
    consort_diagram,
    effect_table,
    forest_plot,
    save_figure,
    share_plot,
    survival_plot,
)
from ..report.labels import MONTHS, check_lang, label
from ..reproduce import Artifact, Progress, table_artifact
from .jobfirst import COVARIATES, EFFECT_LABELS, PROJECT, WORK, evaluate_jobfirst
from .jobfirst_questions import answer_trial_questions

SOURCE = "Aalborg Kommune, Beskæftigelsesudvalget, 'Orientering om JobFirst' (case 2018-010106)"
SYNTHETIC = {
    "en": "Synthetic data calibrated to the published figures; the control arm is assumed, "
    "so the estimate recovers an assumed effect, not JobFirst's.",
    "da": "Syntetiske data kalibreret til de offentliggjorte tal; kontrolgruppen er antaget, "
    "så estimatet genfinder en antaget effekt, ikke JobFirsts.",
}
PUBLISHED = {
    "en": f"Published figures. Source: {SOURCE}.",
    "da": f"Offentliggjorte tal. Kilde: {SOURCE}.",
}


def consort_counts(published: pd.DataFrame, lang: str = "en") -> ConsortCounts:
    """JobFirst's CONSORT counts from the published figures (the control arm's follow-up
    in the register is the evaluation's design, not a published figure).

    The treated persons' exits as the project ended (early February 2018) are statuses,
    not losses to follow-up (the register follows everyone): they go in the box "Status
    at project end", headed in ``lang``.
    """
    v = published.set_index("figure")["value"].astype(int)
    when = pd.Period(published.set_index("figure")["date"]["exit_ordinary_job"], freq="M")
    status_label = label(
        "status_at_end_when", lang, when=f"{MONTHS[check_lang(lang)][when.month - 1]} {when.year}"
    )
    exits = [
        ("small job with supplementary benefit", "exit_small_job"),
        ("ordinary job / self-sufficient", "exit_ordinary_job"),
        ("education (SU)", "exit_education"),
        ("flexjob", "exit_flexjob"),
        ("disability pension", "exit_disability_pension"),
        ("moved to another municipality", "exit_moved_away"),
    ]
    return ConsortCounts(
        randomized=int(v["randomized"]),
        arms={
            "Treatment": {
                "allocated": int(v["randomized_treatment"]),
                "received": int(v["started_company_course"]),
                "received_label": "started a company-based course",
                "not_received_label": "did not start a course",
                "completed": int(v["completed_13_weeks"]),
                "completed_label": "completed 13 weeks",
                "status_label": status_label,
                "status_at_end": tuple(f"{text}: {v[key]}" for text, key in exits),
            },
            "Control": {
                "allocated": int(v["randomized_control"]),
                "allocation_details": ("usual support from the jobcentre",),
            },
        },
    )


def write(out: Path, lang: str, progress: Progress, log=None) -> list[Artifact]:
    """Write JobFirst's figures and tables into ``out``; return them with captions."""
    ev = evaluate_jobfirst()
    artifacts: list[Artifact] = []

    def figure(fig, name, title, caption, source):
        # every figure declares its true source and is stamped with it; the ones on
        # synthetic data are drawn with disclosure control all the same (the log says so)
        files = save_figure(fig, out / name, formats=("png", "pdf"), source=source, log=log)
        artifacts.append(Artifact(PROJECT, "figure", name, title, caption, tuple(files)))
        progress.step(title)

    def table(frame_or_balance, name, title, caption, **kwargs):
        # a report table: numbers formatted by kind and language, kept numbers in CSV
        artifacts.append(
            table_artifact(PROJECT, frame_or_balance, out, name, title, caption, lang, log,
                           **kwargs)
        )  # fmt: skip
        progress.step(title)

    published = ev.published[["figure", "description", "value", "unit", "denominator", "date"]]
    table(published, "published_figures", "Published figures", PUBLISHED[lang], source="published")
    figure(
        # published counts (source="published" below): drawn exactly
        consort_diagram(consort_counts(ev.published, lang), lang=lang, disclosure=None),
        "consort",
        "CONSORT flow of the trial",
        PUBLISHED[lang],
        source="published",
    )
    table(
        ev.grant,
        "grant_reconciliation",
        "Activity grant: implied by take-up and received",
        PUBLISHED[lang] + " The last rows compute differences and one stated assumption.",
        source="published",
    )
    table(
        balance_table(ev.outcomes, "treated", COVARIATES, lang=lang),
        "balance",
        "Balance at randomization",
        SYNTHETIC[lang],
    )
    results = list(ev.effects.values())
    labels = [EFFECT_LABELS[k] for k in ev.effects]
    table(effect_table(results, labels=labels, lang=lang), "effects", "Effects", SYNTHETIC[lang])
    figure(
        forest_plot(results[:3], labels=labels[:3], lang=lang),
        "forest_weeks",
        "Effects on weeks self-sufficient",
        SYNTHETIC[lang],
        source="synthetic",
    )
    panel = ev.panel
    figure(
        share_plot(
            panel,
            list(WORK),
            treatment="treated",
            data=ev.data.trial,
            lang=lang,
            weeks=np.arange(0, 105),
        ),
        "share_by_week",
        "Share self-sufficient (fully or partly) by week since randomization",
        SYNTHETIC[lang],
        source="synthetic",
    )
    figure(
        survival_plot(
            ev.time_to_work, lang=lang, risk_times=[0, 26, 52, 78, 104], event="self_sufficient"
        ),
        "time_to_work",
        "Time to the first self-sufficient week",
        SYNTHETIC[lang] + f" Log-rank p = {ev.logrank.p_value:.3f}.",
        source="synthetic",
    )
    _trial_questions(ev, lang, table, figure)
    return artifacts


def _trial_questions(ev, lang: str, table, figure) -> None:
    """Non-compliance, attrition, subgroups and sites (issue 15), on the synthetic trial."""
    q = answer_trial_questions(ev)
    c = q.cace
    table(
        effect_table(
            [c.itt, c.first_stage, c],
            labels=[
                "ITT: weeks self-sufficient, weeks 1-104 (offer of JobFirst)",
                "First stage: share who started a company-based course",
                "CACE: weeks self-sufficient for those who started a course",
            ],
            lang=lang,
        ),
        "cace",
        "Intention to treat and the complier average causal effect",
        SYNTHETIC[lang] + " Take-up as published: 144 of the 178 offered started a "
        "company-based course; no control could (one-sided non-compliance).",
    )
    table(
        q.attrition.to_frame(),
        "attrition",
        "Attrition: persons who moved away",
        SYNTHETIC[lang] + " Moved to another municipality: 5 treated (published), 5 controls "
        "(assumed). " + "; ".join(q.attrition.verdicts.values()),
    )
    table(
        q.lee.to_frame(),
        "lee_bounds",
        "Lee bounds on the effect for persons observed in either arm",
        SYNTHETIC[lang],
    )
    table(
        q.subgroups.to_frame(),
        "subgroups",
        "Effects by benefit type, with the test of equal effects",
        SYNTHETIC[lang] + " Benefit types as published: 156 cash benefit, 22 resource course.",
    )
    figure(
        q.subgroups.plot(lang=lang),
        "subgroups_forest",
        "Effects by benefit type",
        SYNTHETIC[lang],
        source="synthetic",
    )
    figure(
        q.sites.plot(lang=lang),
        "sites_forest",
        "Aalborg among 15 synthetic other sites, pooled",
        SYNTHETIC[lang] + " The 15 other sites are made up (no site-level estimates of the "
        "national trial are published in the sources used).",
        source="synthetic",
    )
