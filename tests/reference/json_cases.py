"""Shared by the tests that compare with an R reference file of cases by kind."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

REL = 1e-6


def load_cases(name: str) -> tuple[dict, dict[str, list[dict]]]:
    """The JSON reference ``tests/reference/<name>`` and its cases grouped by ``kind``."""
    reference = json.loads((Path(__file__).parent / name).read_text())
    cases = {
        kind: [c for c in reference["cases"] if c["kind"] == kind]
        for kind in {c["kind"] for c in reference["cases"]}
    }
    return reference, cases


def close(got, want, rel=REL):
    """``got`` equals R's ``want`` to ``rel`` (R's NA/None as NaN, NaN equal to NaN)."""
    got = np.asarray(got, dtype=float)
    want = np.asarray([np.nan if w is None else w for w in np.atleast_1d(want)], dtype=float)
    np.testing.assert_allclose(got, want, rtol=rel, atol=1e-12, equal_nan=True)
