"""Flere skal med (Herning) and Fredericia 2021: what ``evalkit reproduce`` writes.

The same analyses as the notebooks ``flere_skal_med_herning`` and ``fredericia_2021``:
comparisons with a national average or a reference group, targets and funnel plots.
Published figures and synthetic series are kept apart in every caption.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..benchmark import (
    compare_proportions,
    compare_series,
    cost_per_outcome,
    funnel_compare,
    goal_probability,
    load_reference,
    target_test,
)
from ..datasets import load_published
from ..datasets.published import shown_published
from ..report import forest_plot, save_figure
from ..report.labels import format_kroner, label, term
from ..reproduce import Artifact, Progress, table_artifact


class _Writer:
    """Writes figures and tables of one project and records them as artifacts."""

    def __init__(self, project: str, out: Path, lang: str, progress: Progress, log) -> None:
        self.project, self.out, self.lang, self.progress = project, out, lang, progress
        self.log = log
        self.artifacts: list[Artifact] = []

    def caption(self, key: str, **fields) -> str:
        return label(f"c_bench_{key}", self.lang, **fields)

    def figure(self, fig, name: str, title: str, caption: str, source: str) -> None:
        title = label(title, self.lang)  # a key of the label catalogue
        # every figure names its true source: save_figure stamps it on the figure's face
        files = save_figure(
            fig, self.out / name, formats=("png", "pdf"), source=source, log=self.log
        )
        self.artifacts.append(Artifact(self.project, "figure", name, title, caption, tuple(files)))
        self.progress.step(title)

    def table(
        self, frame: pd.DataFrame, name: str, title: str, caption: str, source="published"
    ) -> None:
        title = label(title, self.lang)  # a key of the label catalogue
        # Published aggregates and synthetic series: no register microdata to protect here.
        # a report table: numbers formatted by kind and language, kept numbers in CSV
        self.artifacts.append(
            table_artifact(self.project, frame, self.out, name, title, caption, self.lang,
                           self.log, source=source)
        )  # fmt: skip
        self.progress.step(title)


def _published(writer: _Writer, project: str) -> pd.DataFrame:
    published = load_published(project)
    source = published["source"].iloc[0]
    writer.table(
        shown_published(published, writer.lang),
        "published_figures",
        "t_published",
        writer.caption("published", source=source),
    )
    return published.set_index("figure")["value"]


def write_herning(out: Path, lang: str, progress: Progress, log=None) -> list[Artifact]:
    """Flere skal med, Herning: the indsatsgruppe against the national average and 40 %."""
    writer = _Writer("flere_skal_med_herning", out, lang, progress, log)
    _published(writer, "flere_skal_med_herning")
    national = load_reference("flere_skal_med_national")
    herning = load_reference("flere_skal_med_herning")
    comparison = compare_series(
        herning,
        national,
        labels=(term("Herning (synthetic)", lang), label("national_average_synthetic", lang)),
        exclude_local=True,
    )
    writer.figure(
        comparison.plot(target=0.40, lang=lang),
        "share_vs_national",
        "t_share_vs_national",
        writer.caption("synthetic"),
        source="synthetic",
    )
    writer.table(
        comparison.attainment(0.40).to_frame(),
        "target_attainment",
        "t_target_attainment",
        writer.caption("synthetic"),
        source="synthetic",
    )
    municipalities = load_reference("flere_skal_med_municipalities")
    funnel = funnel_compare(
        municipalities["successes"],
        municipalities["n"],
        5487 / 12821,
        units=[term(unit, lang) for unit in municipalities["unit"]],
        overdispersion="estimate",
    )
    writer.figure(
        # the centre is the published national share; Herning's own 40 % target is drawn
        # apart, and Herning (the first unit of the data) is ringed and named
        funnel.plot(
            lang=lang,
            centre="national",
            goal=0.40,
            highlight=term(municipalities["unit"].iloc[0], lang),
        ),
        "funnel",
        "t_funnel",
        writer.caption("synthetic"),
        source="synthetic",
    )
    return writer.artifacts


def write_fredericia(out: Path, lang: str, progress: Progress, log=None) -> list[Artifact]:
    """Fredericia 2021: Powerjobsøgerne against the jobcentre, targets, goals and costs."""
    writer = _Writer("fredericia_2021", out, lang, progress, log)
    value = _published(writer, "fredericia_2021")
    members, into = int(value["powerjob_in_course"]), int(value["powerjob_job_or_education"])
    centre = int(value["jobcenter_in_course"])
    centre_into = int(value["jobcenter_job_or_education"])
    comparison = compare_proportions(
        into, members, centre_into, centre, labels=("Powerjobsøgerne", label("jobcentre", lang))
    )
    writer.table(
        comparison.to_frame(),
        "powerjob_vs_jobcentre",
        "t_powerjob_vs_jobcentre",
        writer.caption("selection"),
    )
    writer.figure(
        forest_plot({label("powerjob_minus_jobcentre", lang): comparison.difference}, lang=lang),
        "powerjob_difference",
        "t_powerjob_difference",
        writer.caption("selection"),
        source="published",
    )
    interview = int(value["powerjob_job_interview"])
    targets = pd.concat(
        [
            target_test(
                interview,
                members,
                value["powerjob_target_interview_share"],
                alternative="less",
                label="job interview (target 80 %)",
            ).to_frame(),
            target_test(
                into,
                members,
                value["powerjob_target_work_share"],
                alternative="less",
                label="job or education (target 70 %)",
            ).to_frame(),
        ],
        ignore_index=True,
    )
    writer.table(
        targets,
        "targets",
        "t_targets",
        writer.caption("published", source=label("src_fredericia_2021", lang)),
    )
    goal, referred = int(value["vgef_goal_self_sufficient"]), int(value["vgef_goal_referred"])
    rates = [0.45, 0.50, 0.55, 0.60, 0.65, 0.70]
    probabilities = pd.DataFrame(
        {
            "true success rate": rates,
            "P(at least 30 of 50)": [
                goal_probability(0, 0, goal, referred, model="binomial", rate=r).probability
                for r in rates
            ],
        }
    )
    writer.table(
        probabilities,
        "goal_probability",
        "t_goal_probability_vgef",
        writer.caption("published", source=label("src_fredericia_2021", lang))
        + " "
        + label("c_vgef_rates", lang),
    )
    cost = cost_per_outcome(
        value["powerjob_cost_per_year"],
        into,
        members,
        label=label(
            "fredericia_cost_label",
            lang,
            amount=format_kroner(value["powerjob_cost_per_year"], lang),
        ),
    ).to_frame()
    writer.table(
        cost,
        "cost_per_outcome",
        "t_cost_per_outcome",
        writer.caption("published", source=label("src_fredericia_2021", lang)),
    )
    return writer.artifacts
