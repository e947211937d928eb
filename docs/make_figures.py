"""Draw the figures of docs/figures.md into docs/images/ (SYNTHETIC data only; each is
saved with its source, so it carries the "Synthetic data" or "Published figures" stamp).

Run from the repository root:

    python docs/make_figures.py

Every figure is drawn from data made up here or by evalkit's synthetic register
(:func:`evalkit.datasets.synthetic.simulate_register`, a simulated trial of 178 + 172
persons; no real persons). The CONSORT diagram uses the aggregate counts of Aalborg's
JobFirst trial quoted in the docs (350 randomized, 178 / 172, 144 started a company-based
course, 108 completed 13 weeks); its other lines are illustrative.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from evalkit.datasets.synthetic import simulate_register  # noqa: E402
from evalkit.effects import risk_difference  # noqa: E402
from evalkit.report.consort import ConsortArm, ConsortCounts, consort_diagram  # noqa: E402
from evalkit.report.plots import (  # noqa: E402
    cumulative_incidence_plot,
    forest_plot,
    funnel_plot,
    series_plot,
    share_plot,
    survival_plot,
)
from evalkit.report.style import save_figure  # noqa: E402
from evalkit.survival import kaplan_meier  # noqa: E402
from evalkit.survival.competing import cumulative_incidence  # noqa: E402

OUT = Path(__file__).resolve().parent / "images"
DPI = 110  # small PNGs for the docs; reports use save_figure's default 300 dpi
SEED = 2024


def first_exit(panel, exits: dict[str, int], weeks: int = 104) -> pd.DataFrame:
    """Per person: the first week (1..weeks) in one of the exit states, and which one."""
    codes = panel.codes[:, panel.column(1) : panel.column(weeks) + 1]
    cause = np.zeros(codes.shape, dtype=np.int64)
    for state, code in exits.items():
        cause[codes == panel.states.index(state)] = code
    hit = cause > 0
    first = np.where(hit.any(axis=1), hit.argmax(axis=1), -1)
    observed = (codes >= 0).sum(axis=1)  # weeks followed (absorbing states end follow-up)
    duration = np.where(first >= 0, first + 1, observed).astype(float)
    event = np.where(first >= 0, cause[np.arange(len(first)), np.maximum(first, 0)], 0)
    return pd.DataFrame({"weeks": duration, "exit": event})


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    register = simulate_register(seed=SEED)
    panel = register.panel(before=0, after=104)
    trial = register.trial.set_index("id").loc[panel.ids].reset_index()
    treated = trial["treated"].to_numpy()

    # 1. Weekly share self-sufficient, treatment vs control (en and da).
    for lang in ("en", "da"):
        fig = share_plot(panel, "self_sufficient", treatment="treated", data=trial, lang=lang)
        save_figure(fig, OUT / f"share_{lang}", formats=("png",), dpi=DPI, source="synthetic")

    # 2. Kaplan-Meier: weeks to the first self-sufficient week.
    spells = first_exit(panel, {"self_sufficient": 1})
    spells["treated"] = treated
    km = kaplan_meier(spells, "weeks", "exit", treatment="treated")
    fig = survival_plot(km, lang="en", ylabel="Share not yet self-sufficient")
    save_figure(fig, OUT / "survival_en", formats=("png",), dpi=DPI, source="synthetic")
    fig = survival_plot(km, lang="da", ylabel="Andel endnu ikke selvforsørgende")
    save_figure(fig, OUT / "survival_da", formats=("png",), dpi=DPI, source="synthetic")

    # 3. Competing exits from benefit: job, education, flexjob / disability pension.
    exits = first_exit(
        panel,
        {"self_sufficient": 1, "education": 2, "flexjob": 3, "disability_pension": 3},
    )
    exits["treated"] = treated
    cif = cumulative_incidence(exits, "weeks", "exit", treatment="treated")
    fig = cumulative_incidence_plot(
        cif, lang="en", cause_labels={1: "Self-sufficient", 2: "Education", 3: "Flexjob/pension"}
    )
    save_figure(fig, OUT / "cumulative_incidence_en", formats=("png",), dpi=DPI, source="synthetic")

    # 4. Forest plot: effect on being self-sufficient at weeks 13..104.
    self_sufficient = panel.in_states("self_sufficient")
    outcomes = pd.DataFrame({"treated": treated})
    results = {}
    for week in (13, 26, 52, 78, 104):
        name = f"week_{week}"
        outcomes[name] = self_sufficient[:, panel.column(week)].astype(int)
        results[f"Self-sufficient in week {week}"] = risk_difference(outcomes, name, "treated")
    fig = forest_plot(results, lang="en")
    save_figure(fig, OUT / "forest_en", formats=("png",), dpi=DPI, source="synthetic")
    danish = {k.replace("Self-sufficient in week", "Selvforsørgende i uge"): v
              for k, v in results.items()}  # fmt: skip
    fig = forest_plot(danish, lang="da")
    save_figure(fig, OUT / "forest_da", formats=("png",), dpi=DPI, source="synthetic")

    # 5. CONSORT diagram (JobFirst's aggregate counts; follow-up lines illustrative).
    counts = ConsortCounts(
        randomized=350,
        arms={
            "Treatment": ConsortArm(
                allocated=178,
                received=144,
                received_label="Started a company-based course",
                not_received_label="Did not start a course",
                completed=108,
                completed_label="Completed 13 weeks",
                follow_up_details=["Followed in the register for 104 weeks"],
            ),
            "Control": ConsortArm(
                allocated=172,
                allocation_details=["Usual activation by the jobcentre"],
                follow_up_details=["Followed in the register for 104 weeks"],
            ),
        },
    )
    fig = consort_diagram(counts, lang="en")
    save_figure(fig, OUT / "consort_en", formats=("png",), dpi=DPI, source="published")

    # 6. Benchmark series and funnel plot (made-up municipalities).
    rng = np.random.default_rng(SEED)
    months = pd.period_range("2022-01", "2024-12", freq="M")
    national = 0.37 + 0.02 * np.sin(np.arange(months.size) / 3) + np.linspace(0, 0.02, months.size)
    n_local = 420
    local_share = np.clip(national + np.linspace(-0.03, 0.04, months.size)
                          + rng.normal(0, 0.012, months.size), 0, 1)  # fmt: skip
    half = 1.96 * np.sqrt(local_share * (1 - local_share) / n_local)
    local = pd.DataFrame({"period": months, "share": local_share,
                          "ci_low": local_share - half, "ci_high": local_share + half})  # fmt: skip
    nat = pd.DataFrame({"period": months, "share": national})
    fig = series_plot(local, nat, target=0.40, lang="da", local_label="Kommune A (syntetisk)")
    save_figure(fig, OUT / "series_da", formats=("png",), dpi=DPI, source="synthetic")

    n_units = 94
    denominators = rng.integers(80, 3000, n_units)
    true = np.clip(0.40 + rng.normal(0, 0.012, n_units), 0.05, 0.95)
    units = pd.DataFrame({
        "unit": [f"Unit {i + 1}" for i in range(n_units)],
        "denominator": denominators,
        "proportion": rng.binomial(denominators, true) / denominators,
    })  # fmt: skip
    grid = np.arange(50, 3101, 10)
    rows = []
    for level in (0.95, 0.998):
        tail = (1 - level) / 2
        rows.append(pd.DataFrame({
            "denominator": grid, "level": level,
            "lower": stats.binom.ppf(tail, grid, 0.40) / grid,
            "upper": stats.binom.ppf(1 - tail, grid, 0.40) / grid,
        }))  # fmt: skip
    fig = funnel_plot(units, 0.40, pd.concat(rows, ignore_index=True), lang="en")
    save_figure(fig, OUT / "funnel_en", formats=("png",), dpi=DPI, source="synthetic")
    print(f"wrote {len(list(OUT.glob('*.png')))} PNG files to {OUT}")


if __name__ == "__main__":
    sys.exit(main())
