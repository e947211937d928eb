"""The documentation site builds without a single warning (mkdocs --strict)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("mkdocs")
pytest.importorskip("mkdocs_jupyter")


def test_docs_build_strict(tmp_path):
    # Notebooks are executed by tests/test_notebooks.py; here only the build is checked.
    env = {**os.environ, "EVALKIT_DOCS_EXECUTE": "false"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "notebooks" / "jobfirst_aalborg" / "index.html").is_file()
    api = (tmp_path / "site" / "api" / "index.html").read_text()
    assert "difference_in_means" in api and "Neyman" in api
