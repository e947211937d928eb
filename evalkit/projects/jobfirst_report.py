"""JobFirst, Aalborg: the figures and tables ``evalkit reproduce`` writes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..datasets.published import shown_published
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
from ..report.labels import MONTHS, check_lang, format_p_text, label
from ..reproduce import Artifact, Progress, table_artifact
from .jobfirst import COVARIATES, EFFECT_LABELS, PROJECT, WORK, evaluate_jobfirst
from .jobfirst_questions import answer_trial_questions

SOURCE = "Aalborg Kommune, Beskæftigelsesudvalget, 'Orientering om JobFirst' (case 2018-010106)"


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
        "exit_small_job",
        "exit_ordinary_job",
        "exit_education",
        "exit_flexjob",
        "exit_disability_pension",
        "exit_moved_away",
    ]
    return ConsortCounts(
        randomized=int(v["randomized"]),
        arms={
            "Treatment": {
                "allocated": int(v["randomized_treatment"]),
                "received": int(v["started_company_course"]),
                "received_label": label("jf_received", lang),
                "not_received_label": label("jf_not_received", lang),
                "completed": int(v["completed_13_weeks"]),
                "completed_label": label("jf_completed", lang),
                "status_label": status_label,
                "status_at_end": tuple(f"{label('jf_' + key, lang)}: {v[key]}" for key in exits),
            },
            "Control": {
                "allocated": int(v["randomized_control"]),
                "allocation_details": (label("jf_usual_support", lang),),
            },
        },
    )


def write(out: Path, lang: str, progress: Progress, log=None) -> list[Artifact]:
    """Write JobFirst's figures and tables into ``out``; return them with captions."""
    ev = evaluate_jobfirst()
    artifacts: list[Artifact] = []

    published_caption = label("c_published", lang, source=SOURCE)

    def figure(fig, name, title, caption, source):
        title = label(title, lang)
        # every figure declares its true source and is stamped with it; the ones on
        # synthetic data are drawn with disclosure control all the same (the log says so)
        files = save_figure(fig, out / name, formats=("png", "pdf"), source=source, log=log)
        artifacts.append(Artifact(PROJECT, "figure", name, title, caption, tuple(files)))
        progress.step(title)

    def table(frame_or_balance, name, title, caption, **kwargs):
        title = label(title, lang)
        # a report table: numbers formatted by kind and language, kept numbers in CSV
        artifacts.append(
            table_artifact(PROJECT, frame_or_balance, out, name, title, caption, lang, log,
                           **kwargs)
        )  # fmt: skip
        progress.step(title)

    published = shown_published(ev.published, lang)
    table(published, "published_figures", "t_published", published_caption, source="published")
    figure(
        # published counts (source="published" below): drawn exactly
        consort_diagram(consort_counts(ev.published, lang), lang=lang, disclosure=None),
        "consort",
        "t_consort",
        published_caption,
        source="published",
    )
    table(
        ev.grant,
        "grant_reconciliation",
        "t_grant",
        published_caption + " " + label("c_grant_rows", lang),
        source="published",
    )
    table(
        balance_table(ev.outcomes, "treated", COVARIATES, lang=lang),
        "balance",
        "t_balance",
        label("c_jobfirst_synthetic", lang),
    )
    results = list(ev.effects.values())
    labels = [label(EFFECT_LABELS[k], lang) for k in ev.effects]
    table(
        effect_table(results, labels=labels, lang=lang),
        "effects",
        "t_effects",
        label("c_jobfirst_synthetic", lang),
    )
    figure(
        forest_plot(results[:3], labels=labels[:3], lang=lang),
        "forest_weeks",
        "t_forest_weeks",
        label("c_jobfirst_synthetic", lang),
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
            ylabel=label("share_work", lang),
        ),
        "share_by_week",
        "t_share_by_week",
        label("c_jobfirst_synthetic", lang),
        source="synthetic",
    )
    figure(
        survival_plot(
            ev.time_to_work, lang=lang, risk_times=[0, 26, 52, 78, 104], event="self_sufficient"
        ),
        "time_to_work",
        "t_time_to_work",
        label("c_jobfirst_synthetic", lang)
        + " "
        + label("log_rank_p", lang, p=format_p_text(ev.logrank.p_value, lang)),
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
            labels=[label(key, lang) for key in ("jf_itt", "jf_first_stage", "jf_cace")],
            lang=lang,
        ),
        "cace",
        "t_cace",
        label("c_jobfirst_synthetic", lang) + " " + label("c_cace", lang),
    )
    table(
        q.attrition.to_frame(),
        "attrition",
        "t_attrition",
        label("c_jobfirst_synthetic", lang)
        + " "
        + label("c_attrition", lang)
        + "".join(" " + v for v in q.attrition.verdict_text(lang)),
    )
    table(
        q.lee.to_frame(),
        "lee_bounds",
        "t_lee",
        label("c_jobfirst_synthetic", lang),
    )
    table(
        q.subgroups.to_frame(),
        "subgroups",
        "t_subgroups",
        label("c_jobfirst_synthetic", lang) + " " + label("c_subgroups", lang),
    )
    figure(
        q.subgroups.plot(lang=lang),
        "subgroups_forest",
        "t_subgroups_forest",
        label("c_jobfirst_synthetic", lang),
        source="synthetic",
    )
    figure(
        q.sites.plot(lang=lang),
        "sites_forest",
        "t_sites",
        label("c_jobfirst_synthetic", lang) + " " + label("c_sites", lang),
        source="synthetic",
    )
