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
