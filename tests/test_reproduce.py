"""`evalkit reproduce` writes every figure and table and an index that shows them."""

import html

import pytest

from evalkit.cli import main
from evalkit.errors import ArgumentError
from evalkit.reproduce import RUNNERS, reproduce


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    return out, reproduce(out, progress=False)


def test_every_artifact_exists(report):
    out, artifacts = report
    assert {a.project for a in artifacts} == set(RUNNERS)
    for artifact in artifacts:
        assert artifact.files and all(f.is_file() and f.stat().st_size > 0 for f in artifact.files)
        suffixes = {f.suffix for f in artifact.files}
        assert suffixes == ({".png", ".pdf"} if artifact.kind == "figure" else {".csv", ".html"})


def test_index_shows_everything_with_captions(report):
    out, artifacts = report
    index = (out / "index.html").read_text()
    for artifact in artifacts:
        assert html.escape(artifact.title) in index
    assert index.count("<img") == sum(a.kind == "figure" for a in artifacts)
    assert "Synthetic data" in index and "Published figures" in index


def test_jobfirst_published_numbers_in_report(report):
    out, _ = report
    published = (out / "jobfirst_aalborg" / "published_figures.csv").read_text()
    for number in ("350", "178", "172", "144", "108", "1802000"):
        assert number in published
    grant = (out / "jobfirst_aalborg" / "grant_reconciliation.csv").read_text()
    assert "1944000" in grant


def test_adult_business_case_report(report):
    import json

    import pandas as pd

    from evalkit.economics import REFUSION_2016

    out, artifacts = report
    folder = out / "adult_business_case"
    names = {a.name for a in artifacts if a.project == "adult_business_case"}
    assert names == {
        "published_figures", "refusion_staircase", "net_cost_by_week", "required_outcomes",
        "delivered_against_target", "assumptions", "business_case", "sensitivity", "tornado",
    }  # fmt: skip
    published = pd.read_csv(folder / "published_figures.csv").set_index("Key figure")["Value"]
    for figure, number in {"target_reduction_per_year": 50, "cases_reviewed": 2000,
                           "workshops_ordinary_work": 17, "workshops_work_over_3_months": 8,
                           "workshops_education": 3, "superb_citizens": 51,
                           "superb_planned": 150, "superb_ordinary_work": 4,
                           "superb_internship": 12}.items():  # fmt: skip
        assert published[figure] == number
    # the staircase table is the law: REFUSION_2016's steps and shares
    stairs = pd.read_csv(folder / "refusion_staircase.csv")
    last = [None if pd.isna(v) else int(v) for v in stairs["Last week"]]
    assert tuple(zip(stairs["First week"], last, strict=True)) == REFUSION_2016.steps
    assert tuple(stairs["State share"]) == REFUSION_2016.shares
    assert (stairs["State share"] + stairs["Municipal share"]).eq(1.0).all()
    week = pd.read_csv(folder / "net_cost_by_week.csv").set_index("Benefit week")["Municipality"]
    # DKK 10,968 a month x 12 / 52 (the 2016 rate, 30 or over, no children) by the shares
    assert week.to_dict() == {4: 506.22, 26: 1518.65, 52: 1771.75, 60: 2024.86}
    required = pd.read_csv(folder / "required_outcomes.csv")
    assert required["Persons required"].tolist() == [200.0, 100.0, 50.0]
    case = pd.read_csv(folder / "business_case.csv").iloc[0]
    assert case["Saving"] == pytest.approx(105_292.8)  # 12 x DKK 10,968 x municipal 80 %
    assert case["Confidence interval, lower"] < 0 < case["Confidence interval, upper"]
    # sources: published figures and the law "published"; assumed amounts "synthetic"
    log = json.loads((out / "output_log.json").read_text())
    source = {f["path"]: e["source"] for e in log["artifacts"] for f in e["files"]}
    assert source["adult_business_case/refusion_staircase.csv"] == "published"
    assert source["adult_business_case/published_figures.csv"] == "published"
    for name in ("business_case.csv", "sensitivity.csv", "assumptions.csv", "tornado.png"):
        assert source[f"adult_business_case/{name}"] == "synthetic"
    captions = [a.caption for a in artifacts if a.project == "adult_business_case"]
    assert sum("assumed amounts" in c for c in captions) >= 5


def test_adult_business_case_in_danish(tmp_path):
    import json

    reproduce(tmp_path, ["adult_business_case"], lang="da", progress=False)
    log = json.loads((tmp_path / "output_log.json").read_text())
    tornado = next(e for e in log["artifacts"] if e["artifact"] == "tornado.png")
    assert "source stamp on the figure: 'Syntetiske data'" in tornado["checks"]
    assert "antagne beløb" in (tmp_path / "index.html").read_text()


def test_impact60_report(report):
    import json

    import pandas as pd

    from evalkit.datasets import simulate_impact60
    from evalkit.economics import contract_payments
    from evalkit.projects.impact60_report import GOAL, impact60_contract

    out, artifacts = report
    assert "impact60_aalborg" in RUNNERS
    folder = out / "impact60_aalborg"
    mine = [a for a in artifacts if a.project == "impact60_aalborg"]
    assert {a.name for a in mine} == {
        "published_figures", "payments_by_month", "cumulative_payments", "goal_probability",
        "investor", "recurrent_entries",
    }  # fmt: skip
    # the report's payments are contract_payments on simulate_impact60's panel (built here
    # with the default 52 weeks before referral: weeks before referral are never paid)
    paid = contract_payments(simulate_impact60().panel(after=230), impact60_contract())
    months = pd.read_csv(folder / "payments_by_month.csv")
    assert months["Month"].tolist() == paid.by_month["month"].tolist()
    assert months["Amount"].tolist() == pytest.approx(paid.by_month["amount"].tolist())
    assert months["Amount"].sum() == pytest.approx(paid.total)
    assert months["Month"].iloc[0] == "2018-09" and months["Month"].iloc[-1] == "2022-12"
    goal = pd.read_csv(folder / "goal_probability.csv")
    happened = goal.iloc[-1]
    assert happened["Persons reaching the goal"] == 55  # 46 % of 120, as published
    assert happened["Expected payments (DKK million)"] == pytest.approx(paid.total / 1e6)
    assert goal[f"P(at least {GOAL})"].between(0, 1).all()
    projected = goal.iloc[:-1]
    assert (projected["Payments, low"] <= projected["Expected payments (DKK million)"]).all()
    assert (projected["Expected payments (DKK million)"] <= projected["Payments, high"]).all()
    investor = pd.read_csv(folder / "investor.csv")
    assert (investor["P(loss) with guarantee"] <= investor["P(loss) without guarantee"]).all()
    published = pd.read_csv(folder / "published_figures.csv").set_index("Key figure")["Value"]
    assert published["goal_persons"] == 60 and published["midway_self_sufficient"] == 16
    assert published["final_share"] == 0.46
    log = json.loads((out / "output_log.json").read_text())
    source = {f["path"]: e["source"] for e in log["artifacts"] for f in e["files"]}
    assert source["impact60_aalborg/published_figures.csv"] == "published"
    for name in ("payments_by_month.csv", "cumulative_payments.png", "goal_probability.csv",
                 "recurrent_entries.png"):  # fmt: skip
        assert source[f"impact60_aalborg/{name}"] == "synthetic"
    for artifact in mine:
        if artifact.name == "published_figures":
            assert artifact.caption.startswith("Published figures")
        else:  # synthetic histories and assumed rates, said so in every caption
            assert "Synthetic" in artifact.caption and "ASSUMED" in artifact.caption


def test_impact60_figure_in_danish():
    from evalkit.output.gate import FIGURE_KEY, figure_texts
    from evalkit.projects.impact60_report import cumulative_plot, evaluate_impact60

    fig = cumulative_plot(evaluate_impact60(n_sims=50), lang="da")
    texts = " ".join(figure_texts(fig))
    assert "Akkumulerede resultatbetalinger (mio. kr.)" in texts
    assert "1.500 kr. pr. selvforsørgende uge" in texts and "Investors kapital (antaget)" in texts
    assert getattr(fig, FIGURE_KEY)["source"] == "synthetic"


def test_danish_and_cli(tmp_path, capsys):
    assert (
        main(
            [
                "reproduce",
                "--out",
                str(tmp_path),
                "--lang",
                "da",
                "--quiet",
                "--project",
                "jobfirst_aalborg",
            ]
        )
        == 0
    )
    assert "evalueringsrapport" in (tmp_path / "index.html").read_text()
    assert "Wrote" in capsys.readouterr().out


def test_bad_arguments(tmp_path):
    with pytest.raises(ArgumentError, match="unknown projects"):
        reproduce(tmp_path, ["odense"], progress=False)
    with pytest.raises(ArgumentError, match="lang"):
        reproduce(tmp_path, lang="de", progress=False)


def test_output_log_lists_every_file_with_its_hash(report):
    import hashlib
    import json

    out, artifacts = report
    log = json.loads((out / "output_log.json").read_text())
    listed = {f["path"]: f["sha256"] for e in log["artifacts"] for f in e["files"]}
    written = {f.relative_to(out).as_posix() for a in artifacts for f in a.files}
    assert set(listed) == written
    for path, digest in listed.items():
        assert hashlib.sha256((out / path).read_bytes()).hexdigest() == digest
    for entry in log["artifacts"]:
        assert entry["rules"]["threshold"] == 5 and entry["status"] != "review"
        assert entry["source"] in {"register", "synthetic", "published"}
    # the synthetic JobFirst evaluation is controlled; the published figures are not
    by_title = {e["artifact"]: e for e in log["artifacts"]}
    assert by_title["balance.csv"]["source"] == "register"
    assert by_title["published_figures.csv"]["source"] == "published"
    assert "output_log.json" in (out / "index.html").read_text()


def test_index_is_written_last_and_no_partial_files_remain(report):
    out, artifacts = report
    index = (out / "index.html").stat().st_mtime_ns
    assert all(f.stat().st_mtime_ns <= index for a in artifacts for f in a.files)
    assert not [p for p in out.rglob("*") if ".part" in p.name]


def test_unusable_out_folders_are_evalkit_errors(tmp_path, capsys):
    file = tmp_path / "taken"
    file.write_text("x")
    with pytest.raises(ArgumentError, match="is a file"):
        reproduce(file, ["fredericia_2021"], progress=False)
    assert main(["reproduce", "--out", str(file / "sub"), "--quiet"]) == 2
    assert "cannot create the output folder" in capsys.readouterr().err


def test_a_failing_run_leaves_no_index(tmp_path, monkeypatch):
    import evalkit.projects.benchmark_reports as reports

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(reports, "save_figure", broken)
    with pytest.raises(OSError):
        reproduce(tmp_path, ["flere_skal_med_herning"], progress=False)
    assert not (tmp_path / "index.html").exists()
    assert not (tmp_path / "output_log.json").exists()
