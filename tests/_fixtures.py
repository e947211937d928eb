"""Shared by the tests that read an R reference file (tests/reference/*.json) and compare
evalkit's estimates with R's, term by term."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

#: The columns of a result's ``to_frame()`` compared with R, term by term.
COLUMNS = ("estimate", "std_error", "p_value", "conf_low", "conf_high", "df")


def reference(name: str) -> dict:
    """The JSON reference ``tests/reference/<name>`` written by its R script."""
    return json.loads((Path(__file__).parent / "reference" / name).read_text())


def assert_terms_match_r(result, case: dict, columns=COLUMNS, rel: float = 1e-6) -> None:
    """Every term of R's ``case["terms"]`` equals the result's row of that term in every
    column to ``rel`` (``abs=1e-12`` for zeros), and the result has no other terms."""
    ours = result.to_frame().set_index("term")
    for expected in case["terms"]:
        row = ours.loc[expected["term"]]
        for column in columns:
            assert row[column] == pytest.approx(expected[column], rel=rel, abs=1e-12), (
                f"{case['name']} {expected['term']} {column}: evalkit {row[column]!r}, "
                f"R {expected[column]!r}"
            )
    assert set(ours.index) == {row["term"] for row in case["terms"]}


class ConstantHash:
    """An HMAC stand-in that gives every id the same digest: pseudonymize_ids's collision
    path, tested with ``monkeypatch.setattr(ids.hmac, "new", lambda *a, **k: ConstantHash())``."""

    def copy(self) -> ConstantHash:
        return self

    def update(self, data: bytes) -> None:
        pass

    def hexdigest(self) -> str:
        return "0" * 64
