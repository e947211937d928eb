"""Balance table, effect table, rendering and export (all data synthetic)."""

import contextlib
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

import evalkit
from evalkit.errors import (
    ArgumentError,
    ColumnError,
    DesignError,
    MissingValueError,
    MissingValueWarning,
    OutcomeError,
    TreatmentError,
)
from evalkit.output import declaration
from evalkit.report import ReportTable
from evalkit.report.disclosure import DisclosureError
from evalkit.report.tables import (
    BalanceTable,
    balance_table,
    effect_table,
    export_table,
    format_number,
    format_p,
    render_table,
    to_html,
    to_latex,
    to_markdown,
)

ROOT = Path(__file__).resolve().parent.parent


def trial(seed: int = 7, n_treated: int = 178, n_control: int = 172, shift: float = 0.0):
    """A synthetic trial with the JobFirst arm sizes (not real data)."""
    rng = np.random.default_rng(seed)
    n = n_treated + n_control
    t = np.repeat([1, 0], [n_treated, n_control])
    return pd.DataFrame(
        {
            "t": t,
            "age": rng.normal(38, 11, n).round() + shift * t,
            "female": rng.binomial(1, 0.45, n),
            "insured": rng.random(n) < 0.7,
            "weeks": rng.gamma(2.0, 20.0, n).round(),
            "edu": rng.choice(["basic", "vocational", "higher"], n, p=[0.5, 0.4, 0.1]),
        }
    )


COVARIATES = ["age", "female", "insured", "weeks", "edu"]


def smd_numeric(x1, x0):
    return (x1.mean() - x0.mean()) / np.sqrt((x1.var(ddof=1) + x0.var(ddof=1)) / 2)


def smd_share(p1, p0):
    return (p1 - p0) / np.sqrt((p1 * (1 - p1) + p0 * (1 - p0)) / 2)


# ------------------------------------------------------------------ numbers


def test_frame_means_shares_and_smd_match_a_direct_computation():
    data = trial()
    table = balance_table(data, "t", COVARIATES)
    f = table.frame.set_index(["variable", "level"])
    treated, control = data[data.t == 1], data[data.t == 0]
    assert table.n_treated == 178 and table.n_control == 172
    for name in ("age", "weeks"):
        row = f.loc[(name, "")]
        assert row["type"] == "numeric"
        assert row["treated_mean"] == pytest.approx(treated[name].mean(), rel=1e-12)
        assert row["control_sd"] == pytest.approx(control[name].std(), rel=1e-12)
        assert row["treated_count"] == 178 and row["control_count"] == 172
        assert row["smd"] == pytest.approx(smd_numeric(treated[name], control[name]), rel=1e-12)
    female = f.loc[("female", "1")]
    assert female["type"] == "binary" and female["treated_count"] == treated.female.sum()
    p1, p0 = treated.female.mean(), control.female.mean()
    assert female["smd"] == pytest.approx(smd_share(p1, p0), rel=1e-12)
    insured = f.loc[("insured", "True")]
    assert insured["control_count"] == control.insured.sum()
    for level in ("basic", "higher", "vocational"):
        row = f.loc[("edu", level)]
        q1, q0 = (treated.edu == level).mean(), (control.edu == level).mean()
        assert row["treated_mean"] == pytest.approx(q1)
        assert row["smd"] == pytest.approx(smd_share(q1, q0), rel=1e-12)
    assert f.loc["edu"]["treated_count"].sum() == 178
    # levels in sorted order; a categorical dtype keeps its own order
    assert table.frame["level"].tolist()[-3:] == ["basic", "higher", "vocational"]
    data["edu"] = pd.Categorical(data["edu"], ["vocational", "basic", "higher"])
    ordered = balance_table(data, "t", ["edu"])
    assert ordered.frame["level"].tolist() == ["vocational", "basic", "higher"]


def test_constant_rows_have_no_standardized_difference():
    data = trial()
    data["const"] = 3.0
    table = balance_table(data, "t", ["age", "const"])
    assert np.isnan(table.frame.set_index("variable").loc["const", "smd"])
    assert table.omnibus.df == (1, 348)  # the constant adds nothing to the test


def test_f_test_matches_statsmodels():
    data = trial()
    table = balance_table(data, "t", COVARIATES)
    design = pd.get_dummies(data[COVARIATES], columns=["edu"], drop_first=True).astype(float)
    fit = sm.OLS(data["t"].astype(float), sm.add_constant(design)).fit()
    assert table.omnibus.method == "F"
    assert table.omnibus.statistic == pytest.approx(fit.fvalue, rel=1e-10)
    assert table.omnibus.p_value == pytest.approx(fit.f_pvalue, rel=1e-10)
    assert table.omnibus.df == (int(fit.df_model), int(fit.df_resid))


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="needs R (Rscript)")
def test_f_test_matches_r(tmp_path):
    data = trial(seed=3)
    data[["t", "age", "female", "weeks", "edu"]].to_csv(tmp_path / "d.csv", index=False)
    script = (
        f"d <- read.csv('{tmp_path / 'd.csv'}'); "
        "s <- summary(lm(t ~ age + female + weeks + factor(edu), data = d))$fstatistic; "
        "cat(sprintf('%.15g', c(s, pf(s[1], s[2], s[3], lower.tail = FALSE))))"
    )
    result = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        pytest.skip(f"Rscript failed: {result.stderr[:200]}")
    f_value, df1, df2, p = map(float, result.stdout.split())
    omnibus = balance_table(data, "t", ["age", "female", "weeks", "edu"]).omnibus
    assert omnibus.statistic == pytest.approx(f_value, rel=1e-9)
    assert omnibus.df == (df1, df2)
    assert omnibus.p_value == pytest.approx(p, rel=1e-8)


def mahalanobis(data, covariates):
    x = pd.get_dummies(data[covariates], drop_first=True).astype(float).to_numpy()
    t = data["t"].to_numpy() == 1
    d = x[t].mean(axis=0) - x[~t].mean(axis=0)
    s = np.cov(x, rowvar=False) * (1 / t.sum() + 1 / (~t).sum())
    return float(d @ np.linalg.solve(s, d)), x.shape[1]


def test_randomization_test_statistic_seed_and_monte_carlo_behaviour():
    data = trial()
    covariates = ["age", "female", "weeks", "edu"]
    table = balance_table(data, "t", covariates, test="randomization", seed=1, n_draws=2000)
    test = table.omnibus
    statistic, k = mahalanobis(data, covariates)
    assert test.method == "randomization" and test.df == (k,) and test.n_draws == 2000
    assert test.statistic == pytest.approx(statistic, rel=1e-9)
    # reproducible with a seed; a new seed gives another Monte Carlo draw
    again = balance_table(data, "t", covariates, test="randomization", seed=1).omnibus
    assert again.p_value == test.p_value
    other = balance_table(data, "t", covariates, test="randomization", seed=2).omnibus
    assert other.statistic == test.statistic
    # balanced data: p is not small and near the large-sample chi-square p
    chi2_p = stats.chi2.sf(statistic, k)
    monte_carlo_se = np.sqrt(chi2_p * (1 - chi2_p) / 2000)
    assert test.p_value > 0.1
    assert abs(test.p_value - chi2_p) < 4 * monte_carlo_se + 0.02
    # an imbalanced covariate: p is as small as the draws allow
    shifted = trial(shift=6.0)  # about half an SD
    small = balance_table(shifted, "t", covariates, test="randomization", seed=1).omnibus
    assert small.p_value < 0.01
    assert balance_table(shifted, "t", covariates).omnibus.p_value < 0.01
    far = balance_table(trial(shift=15.0), "t", covariates, test="randomization", seed=1)
    assert far.omnibus.p_value == pytest.approx(1 / 2001)  # no draw as extreme
    # the p-value is never zero and never above 1
    few = balance_table(data, "t", covariates, test="randomization", n_draws=9, seed=0)
    assert few.omnibus.p_value in {(1 + b) / 10 for b in range(10)}


def test_no_test():
    table = balance_table(trial(), "t", ["age"], test=None)
    assert table.omnibus is None
    assert "Joint test" not in table.to_markdown()


# ------------------------------------------------------------------ rendering


def test_markdown_rendering_english_and_danish():
    data = trial()
    table = balance_table(data, "t", ["age", "female", "edu"])
    text = table.to_markdown()
    lines = text.splitlines()
    assert lines[0] == (
        "| Variable | Statistic | Treatment (n = 178) | Control (n = 172) | "
        "Standardized difference |"
    )
    assert lines[1] == "| :--- | :--- | ---: | ---: | ---: |"
    age = next(line for line in lines if line.startswith("| age"))
    treated = data[data.t == 1].age
    assert f"{treated.mean():.1f} ({treated.std():.1f})" in age and "Mean (SD)" in age
    assert any(line.startswith("| edu: basic | n (%) |") for line in lines)
    assert lines[-1] == "Cells based on fewer than 5 persons are suppressed."
    assert "F(4, 345) = " in text
    danish = table.to_markdown(lang="da")
    assert danish.splitlines()[0] == (
        "| Variabel | Mål | Indsats (n = 178) | Kontrol (n = 172) | Standardiseret forskel |"
    )
    assert "Gns. (SD)" in danish and "Antal (%)" in danish
    assert f"{treated.mean():.1f}".replace(".", ",") in danish
    assert danish.splitlines()[-1] == "Celler baseret på færre end 5 personer er undertrykt."
    assert "Samlet balancetest: F(4, 345)" in danish
    assert balance_table(data, "t", ["age"], lang="da").to_markdown().startswith("| Variabel")


def test_html_latex_summary_and_notebook_view():
    table = balance_table(trial(), "t", ["age", "edu"])
    html = table.to_html()
    assert html.startswith('<div class="evalkit-table">') and "<th" in html
    assert table._repr_html_() == html
    assert '<p class="evalkit-note">Cells based on fewer than 5' in html
    latex = table.to_latex()
    assert latex.startswith("\\begin{tabular}{llrrr}\n\\toprule")
    assert "n (\\%)" in latex and "\\bottomrule" in latex
    summary = table.summary()
    assert "Treatment (n = 178)" in summary and "Joint test of balance" in summary
    assert str(table) == summary


def test_small_cells_are_suppressed_with_their_protectors():
    data = trial()
    data.loc[[0, 1, 2], "edu"] = "unknown"  # 3 treated persons
    data["rare"] = 1
    data.loc[[3, 4], "rare"] = 0  # 2 treated persons without the property
    table = balance_table(data, "t", ["age", "edu", "rare"])
    frame = table.formatted()
    treated_col, smd_col = "Treatment (n = 178)", "Standardized difference"
    rows = frame.set_index("Variable")
    assert rows.loc["edu: unknown", treated_col] == "<5"
    assert rows.loc["edu: unknown", smd_col] == "x"
    # the next-smallest level of the treated arm is suppressed with it
    edu = table.frame[(table.frame.variable == "edu") & (table.frame.level != "unknown")]
    smallest = edu.sort_values("treated_count")["level"].iloc[0]
    assert rows.loc[f"edu: {smallest}", treated_col] == "x"
    assert (
        rows.loc[[f"edu: {lv}" for lv in edu.level if lv != smallest], treated_col]
        .str.contains(r"\(")
        .all()
    )
    # 176 of 178 with a 1 would give away the 2 with a 0
    assert rows.loc["rare", treated_col] == "x" and rows.loc["rare", smd_col] == "x"
    assert rows.loc["rare", "Control (n = 172)"] == "172 (100.0)"
    text = table.to_markdown()
    assert text.splitlines()[-1].startswith("Cells based on fewer than 5 persons")
    assert "x: suppressed" in text.splitlines()[-1]
    # the machine-readable version
    disclosed = table.disclosed_frame()
    row = disclosed.set_index(["variable", "level"]).loc[("edu", "unknown")]
    assert row["treated_count"] == "<5" and row["treated_mean"] == "x" and row["smd"] == "x"
    assert (
        row["control_count"]
        == table.frame.set_index(["variable", "level"]).loc[("edu", "unknown"), "control_count"]
    )
    assert disclosed.attrs["disclosure"]["primary"] == 1
    assert disclosed.attrs["disclosure"]["secondary"] == 2
    # and without disclosure control, the raw numbers
    raw = table.formatted(disclosure=None).set_index("Variable")
    assert raw.loc["edu: unknown", treated_col] == "3 (1.7)"
    assert "Cells based" not in table.to_markdown(disclosure=None, source="synthetic")
    with pytest.raises(DisclosureError, match="disclosure=None shows the raw counts"):
        table.to_markdown(disclosure=None)  # raw counts of register data are not rendered
    # a stricter threshold
    strict = table.formatted(disclosure=200)
    assert list(strict.columns)[2] == "Treatment (n = <200)"


def test_small_arms_are_masked_in_the_headers():
    data = trial(n_treated=4, n_control=30)
    table = balance_table(data, "t", ["age"])
    frame = table.formatted()
    assert list(frame.columns)[2] == "Treatment (n = <5)"
    assert frame.iloc[0, 2] == "<5" and frame.iloc[0, 4] == "x"


# ------------------------------------------------------------------ errors and inputs


def test_balance_table_errors_say_what_and_where():
    data = trial()
    with pytest.raises(ColumnError, match="covariates column 'income' is not in the data"):
        balance_table(data, "t", ["age", "income"])
    with pytest.raises(ColumnError, match="treatment column 'arm' is not in the data"):
        balance_table(data, "arm", ["age"])
    bad = data.assign(t=np.where(data.t == 1, "JobFirst", "control"))
    with pytest.raises(TreatmentError, match="treatment column 't' must be 0/1 or boolean"):
        balance_table(bad, "t", ["age"])
    with pytest.raises(TreatmentError, match="has no control"):
        balance_table(data.assign(t=1), "t", ["age"])
    with pytest.raises(ArgumentError, match="covariates is empty"):
        balance_table(data, "t", [])
    with pytest.raises(ArgumentError, match="lang must be 'en'.*got 'de'"):
        balance_table(data, "t", ["age"], lang="de")
    with pytest.raises(ArgumentError, match="test must be one of 'F', 'randomization'"):
        balance_table(data, "t", ["age"], test="t-test")
    with pytest.raises(ArgumentError, match="n_draws must be"):
        balance_table(data, "t", ["age"], test="randomization", n_draws=0)
    with pytest.raises(ArgumentError, match="digits must be a whole number"):
        balance_table(data, "t", ["age"], digits=-1)
    with pytest.raises(ColumnError, match="used in two roles"):
        balance_table(data, "t", ["t"])
    with pytest.raises(OutcomeError, match="covariate column 'age' holds infinite values"):
        balance_table(data.assign(age=np.inf), "t", ["age"])
    with pytest.raises(DesignError, match="every covariate is constant"):
        balance_table(data.assign(c=1.0), "t", ["c"])
    with pytest.raises(DesignError, match="more persons"):
        tiny = pd.DataFrame({"t": [1, 0, 1], "a": [1.0, 2.0, 4.0], "b": [0.0, 5.0, 1.0]})
        balance_table(tiny, "t", ["a", "b"])
    with pytest.raises(ArgumentError, match="data must be a pandas DataFrame"):
        balance_table({"t": [1, 0]}, "t", ["age"])


def test_missing_values():
    data = trial()
    data.loc[5, "age"] = np.nan
    with pytest.raises(MissingValueError, match="'age': 1"):
        balance_table(data, "t", ["age", "edu"])
    with pytest.warns(MissingValueWarning, match="dropped 1 of 350 rows"):
        table = balance_table(data, "t", ["age", "edu"], missing="drop")
    assert table.n_treated == 177


def test_inputs_are_never_mutated(tmp_path):
    pytest.importorskip("evalkit.panel.ids")
    data = trial()
    data["edu"] = pd.Categorical(data["edu"])
    before = data.copy()
    table = balance_table(data, "t", COVARIATES, test="randomization", seed=1)
    table.to_markdown()
    table.export(tmp_path / "t.csv")
    pd.testing.assert_frame_equal(data, before)
    frame_before = table.frame.copy()
    table.disclosed_frame()
    table.formatted(disclosure=3)
    pd.testing.assert_frame_equal(table.frame, frame_before)
    effects = effect_table([evalkit.difference_in_means(data, "weeks", "t")])
    effects_before = effects.data
    export_table(effects, tmp_path / "e.md")
    effects.export(tmp_path / "e.xlsx")
    render_table(effects, "latex")
    pd.testing.assert_frame_equal(effects.data, effects_before)


# ------------------------------------------------------------------ export


def test_export_by_suffix(tmp_path):
    pytest.importorskip("evalkit.panel.ids")
    data = trial()
    data.loc[[0, 1, 2], "edu"] = "unknown"
    table = balance_table(data, "t", ["age", "edu"])
    for suffix in (".csv", ".html", ".tex", ".md"):
        path = table.export(tmp_path / f"table1{suffix}")
        assert path.exists()
    csv = pd.read_csv(tmp_path / "table1.csv", dtype=str, keep_default_na=False)
    assert list(csv.columns[:4]) == ["Variable", "Level", "Type", "n, treatment"]
    unknown = csv[csv.Level == "unknown"].iloc[0]
    assert unknown["n, treatment"] == "<5" and unknown["Standardized difference"] == "x"
    table.export(tmp_path / "da.csv", lang="da")  # headed in the table's language
    da = pd.read_csv(tmp_path / "da.csv", dtype=str, keep_default_na=False)
    assert list(da.columns[:4]) == ["Variabel", "Niveau", "Type", "n, indsats"]
    assert (tmp_path / "table1.md").read_text() == table.to_markdown()
    assert (tmp_path / "table1.tex").read_text() == table.to_latex()
    assert "Cells based on fewer than 5" in (tmp_path / "table1.html").read_text()
    danish = table.export(tmp_path / "tabel1.md", lang="da").read_text()
    assert "Celler baseret på færre end 5 personer er undertrykt." in danish
    with pytest.raises(DisclosureError, match="disclosure=None shows the raw counts"):
        table.export(tmp_path / "raw.csv", disclosure=None)
    raw = table.export(tmp_path / "raw.csv", disclosure=None, source="synthetic")
    assert "3" in pd.read_csv(raw)["n, treatment"].astype(str).tolist()
    with pytest.raises(ArgumentError, match="cannot tell the format of 'table1.txt'"):
        table.export(tmp_path / "table1.txt")
    with pytest.raises(ArgumentError, match="does not exist"):
        table.export(tmp_path / "missing" / "table1.md")


def test_export_stops_on_cpr_numbers(tmp_path):
    ids = pytest.importorskip("evalkit.panel.ids")
    data = trial(n_treated=20, n_control=20)
    data["caseworker"] = np.where(data.index % 2 == 0, "010190-1234", "020290-2345")
    table = balance_table(data, "t", ["age", "caseworker"])
    with pytest.raises(ids.PrivacyError, match="CPR"):
        table.export(tmp_path / "table1.md")
    with pytest.raises(ids.PrivacyError, match="CPR"):
        table.export(tmp_path / "table1.csv")
    assert not (tmp_path / "table1.md").exists()
    frame = pd.DataFrame({"id": ["010190-1234"], "n": [10]})
    with pytest.raises(ids.PrivacyError, match="leak.csv"):
        export_table(frame, tmp_path / "leak.csv")


# ------------------------------------------------------------------ effect tables


def results():
    data = trial()
    rng = np.random.default_rng(1)
    data["employed"] = rng.binomial(1, 0.35 + 0.1 * data["t"])
    data["weeks_employed"] = rng.poisson(14 + 3 * data["t"])
    return [
        evalkit.difference_in_means(data, "weeks_employed", "t"),
        evalkit.risk_difference(data, "employed", "t"),
        evalkit.risk_ratio(data, "employed", "t"),
        evalkit.fisher_exact(data, "employed", "t"),
    ]


def test_effect_table_columns_and_values():
    rs = results()
    table = effect_table(rs)
    assert isinstance(table, ReportTable)
    assert table.headers == [
        "Outcome", "Estimate", "95% CI", "SE", "p-value", "n treated", "n control", "Method",
    ]  # fmt: skip
    shown = table.formatted()
    first = shown.iloc[0]
    assert first["Outcome"] == "weeks_employed"
    assert first["Estimate"] == f"{rs[0].estimate:.2f}"
    low, high = (f"{v:.2f}" for v in rs[0].conf_int)
    assert first["95% CI"] == f"[{low}, {high}]"
    assert first["SE"] == f"{rs[0].std_error:.2f}"
    assert first["n treated"] == "178" and first["n control"] == "172"
    assert first["Method"] == rs[0].method
    assert shown["SE"].iloc[3] == ""  # Fisher's exact test has no SE
    # the numbers stay numbers: the interval as two columns, full precision
    data = table.data
    assert data["95% CI, lower"].tolist() == [r.conf_int[0] for r in rs]
    assert data["Estimate"].iloc[0] == rs[0].estimate
    assert data["n treated"].dtype.kind == "i"
    assert declaration(data)["counts"] == ["n treated", "n control"]
    assert set(declaration(data)["dependent"]) == {
        "Estimate", "95% CI, lower", "95% CI, upper", "SE", "p-value",
    }  # fmt: skip
    assert "For ratios the SE is that of the log ratio." in table.notes
    p = rs[1].p_value
    assert shown["p-value"].iloc[1] == ("<0.001" if p < 0.001 else f"{p:.3f}")


def test_effect_table_options():
    rs = results()[:2]
    labelled = effect_table(
        rs, labels=["Weeks employed", "Employed"], digits=3, ci=False, stars=True
    )
    shown = labelled.formatted()
    assert shown["Outcome"].tolist() == ["Weeks employed", "Employed"]
    assert "95% CI" not in shown and "95% CI, lower" not in labelled.data
    assert shown["Estimate"].iloc[0].startswith(f"{rs[0].estimate:.3f}")
    assert shown["Estimate"].iloc[0].endswith("*")
    assert labelled.notes[0] == "* p < 0.05, ** p < 0.01, *** p < 0.001."
    by_name = effect_table(rs, labels={"employed": "Job"})
    assert by_name.formatted()["Outcome"].tolist() == ["weeks_employed", "Job"]
    danish = effect_table(rs, lang="da")
    assert danish.headers == [
        "Udfald", "Estimat", "95 %-KI", "Std.fejl", "p-værdi", "n indsats", "n kontrol",
        "Metode",
    ]  # fmt: skip
    cells = danish.formatted()
    assert "," in cells["Estimat"].iloc[0] and "; " in cells["95 %-KI"].iloc[0]
    assert list(danish.data.columns[2:4]) == ["95 %-KI, nedre", "95 %-KI, øvre"]
    single = effect_table(rs[0])
    assert len(single) == 1
    data = trial()
    mixed = effect_table([rs[0], evalkit.difference_in_means(data, "age", "t", alpha=0.1)])
    assert "CI" in mixed.headers and mixed.formatted()["CI"].iloc[1].startswith("90%: [")


def test_effect_table_errors():
    rs = results()
    with pytest.raises(ArgumentError, match="results is empty"):
        effect_table([])
    with pytest.raises(ArgumentError, match="item 1 is a DataFrame"):
        effect_table([rs[0], rs[0].to_frame()])
    with pytest.raises(ArgumentError, match="one label per result \\(4\\)"):
        effect_table(rs, labels=["a"])
    with pytest.raises(ArgumentError, match="results must be an EffectResult"):
        effect_table("weeks")
    with pytest.raises(ArgumentError, match="lang must be"):
        effect_table(rs, lang="sv")
    with pytest.raises(ArgumentError, match="digits must be"):
        effect_table(rs, digits=1.5)


def test_render_table_for_any_frame():
    frame = pd.DataFrame(
        {"region": ["North", "South|East"], "n": [12345, 7], "share": [0.25, np.nan]}
    )
    md = render_table(frame, "markdown", lang="da", digits=2, count_columns=["n"])
    assert md.splitlines()[:4] == [
        "| region | n | share |",
        "| :--- | ---: | ---: |",
        "| North | 12.345 | 0,25 |",
        "| South\\|East | 7 |  |",
    ]
    with pytest.raises(DisclosureError, match="does not declare"):
        render_table(frame, "markdown")  # counts are declared, never guessed
    html = render_table(frame.set_index("region"), "html", count_columns=["n"])
    assert '<th style="text-align: left;">region</th>' in html and "South|East" in html
    latex = render_table(
        pd.DataFrame({"a_b": ["50%", "<5"], "c": [1.5, 2.0]}), "latex", source="synthetic"
    )
    assert "a\\_b" in latex and "50\\%" in latex and "\\textless{}5" in latex
    assert render_table(frame, "markdown", notes=["Synthetic data."], source="synthetic").endswith(
        "\n\nSynthetic data."
    )
    with pytest.raises(ArgumentError, match="fmt must be one of 'html', 'latex', 'markdown'"):
        render_table(frame, "docx")
    with pytest.raises(ArgumentError, match="lang must be"):
        render_table(frame, "html", lang="fr")
    with pytest.raises(ArgumentError, match="render_table takes a pandas DataFrame"):
        render_table([1, 2], "html")


def test_module_level_renderers_are_render_table():
    table = effect_table(results()[:2], lang="da")
    assert to_markdown(table) == render_table(table, "markdown")
    assert to_html(table, digits=1) == render_table(table, "html", digits=1)
    assert to_latex(table) == render_table(table, "latex")
    assert "p-værdi" in to_markdown(table)


def test_format_helpers():
    assert format_number(1234567.891, 2) == "1,234,567.89"
    assert format_number(1234.5, 1, "da") == "1234,5"
    assert format_number(-12345.0, 0, "da") == "-12.345"
    assert format_number(float("nan")) == "" and format_number(None) == ""
    assert format_p(0.0004) == "<0.001" and format_p(0.5, "da") == "0,500"


def test_export_table_guards(tmp_path):
    pytest.importorskip("evalkit.panel.ids")
    rs = results()[:2]
    table = effect_table(rs)
    data = table.data
    data.loc[1, "n treated"] = 3  # pretend a tiny subgroup
    table = ReportTable(data, table.columns, lang="en")
    path = export_table(table, tmp_path / "effects.md")
    text = path.read_text()
    row = next(line for line in text.splitlines() if line.startswith("| employed"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:5] == ["x", "x", "x", "x"] and cells[5] == "<5" and cells[6] == "172"
    assert "Cells based on fewer than 5 persons are suppressed." in text
    csv = pd.read_csv(export_table(table, tmp_path / "effects.csv"), dtype=str)
    assert csv["n treated"].tolist() == ["178", "<5"]
    assert (
        csv["95% CI, lower"].iloc[1] == "x"
        and float(csv["95% CI, lower"].iloc[0]) == rs[0].conf_int[0]
    )
    # explicit count columns, other thresholds, no control
    counts = pd.DataFrame({"region": ["a", "b"], "persons": [40, 7]})
    out = export_table(counts, tmp_path / "c.csv", threshold=10, count_columns="persons")
    assert pd.read_csv(out)["persons"].tolist() == ["40", "<10"]
    out = export_table(counts, tmp_path / "c.md", source="synthetic", count_columns="persons")
    assert "| b | 7 |" in out.read_text() and "suppressed" not in out.read_text()
    with pytest.raises(ColumnError, match="count column 'n' is not in the table"):
        export_table(counts, tmp_path / "c.csv", count_columns="n")
    # the numbers of a balance table carry their count and dependent columns
    data = trial()
    data.loc[[0, 1, 2], "edu"] = "unknown"
    raw = balance_table(data, "t", ["age", "edu"]).frame
    written = export_table(raw, tmp_path / "raw.csv")
    out = pd.read_csv(written, dtype=str, keep_default_na=False)
    row = out[out.level == "unknown"].iloc[0]
    assert row["treated_count"] == "<5" and row["treated_mean"] == "x" and row["smd"] == "x"
    with pytest.raises(ArgumentError, match="cannot tell the format"):
        export_table(counts, tmp_path / "c.txt")
    with pytest.raises(ArgumentError, match="export_table takes a pandas DataFrame"):
        export_table([1], tmp_path / "c.csv")


def test_check_export_is_the_last_guard(tmp_path, monkeypatch):
    pytest.importorskip("evalkit.panel.ids")
    import evalkit.report.disclosure as disclosure

    monkeypatch.setattr(disclosure, "suppress_small", lambda frame, *args, **kwargs: frame)
    with pytest.raises(DisclosureError, match="c.csv: count column 'n' holds 1 count"):
        export_table(pd.DataFrame({"n": [10, 2]}), tmp_path / "c.csv", count_columns=["n"])
    assert not (tmp_path / "c.csv").exists()


def test_balance_table_is_a_balance_table():
    assert isinstance(balance_table(trial(), "t", ["age"]), BalanceTable)


# ------------------------------------------------------------------ documentation


def test_docs_example_reproduces_its_rendered_output():
    text = (ROOT / "docs" / "tables.md").read_text()
    # the example: the last Python block before its printed output
    before = text.split("<!-- example-output:start -->")[0]
    code = re.findall(r"```python\n(.+?)```", before, re.S)[-1]
    expected = re.search(
        r"<!-- example-output:start -->\n(.+?)<!-- example-output:end -->", text, re.S
    ).group(1)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(code, {})
    assert buffer.getvalue() == expected
    assert "synthetic" in text.lower() and "fewer than 5 persons" in text
    json.dumps(expected)  # plain text


def test_balance_tables_follow_stricter_output_rules():
    from evalkit.output import output_rules

    data = trial()
    data.loc[list(range(7)), "edu"] = "unknown"  # 7 treated persons in one level
    table = balance_table(data, "t", ["edu"], test=None)
    assert "7 (" in table.summary()
    with output_rules(threshold=10):
        assert "7 (" not in table.summary() and "<10" in table.summary()
        assert table.disclosed_frame()["treated_count"].tolist().count("<10") >= 1
