"""Chunked processing of a parquet register gives exactly the in-memory results."""

import pandas as pd
import pytest

from evalkit.datasets import simulate_register
from evalkit.errors import ArgumentError
from evalkit.panel import (
    StatusPanel,
    combine_full_year_persons,
    first_durable_entry,
    full_year_persons,
    map_person_chunks,
    spells,
    stream_parquet,
    weeks_in_states,
)

pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def register():
    return simulate_register(n_treated=150, n_control=150, seed=11)


def build_aligned(reg):
    def build(chunk: pd.DataFrame) -> StatusPanel:
        trial = reg.trial[reg.trial["id"].isin(chunk["id"])]
        panel = StatusPanel.from_wide(chunk, "id", "y_", reg.classification, blank=reg.blank)
        return panel.align(trial, "id", "randomization_week", before=4, after=104)

    return build


COMPUTATIONS = {
    "weeks_in_states": lambda p: weeks_in_states(p, "self_sufficient", (1, 52)),
    "durable_entry": lambda p: first_durable_entry(p, ["self_sufficient"], 13),
    "spells": lambda p: spells(p, ["self_sufficient", "partly_self_sufficient"], max_gap=2),
}


@pytest.mark.parametrize("name", COMPUTATIONS)
def test_parquet_chunks_equal_memory(register, tmp_path, name):
    path = tmp_path / "register.parquet"
    register.register.to_parquet(path, row_group_size=40)
    build, compute = build_aligned(register), COMPUTATIONS[name]
    whole = compute(build(register.register))
    streamed = stream_parquet(path, "id", build, compute, chunk_persons=70)
    key = ["id", "start"] if name == "spells" else ["id"]
    pd.testing.assert_frame_equal(
        streamed.sort_values(key).reset_index(drop=True),
        whole.sort_values(key).reset_index(drop=True),
        check_categorical=False,
    )
    assert streamed.attrs["n_persons"] == whole.attrs["n_persons"] == 300
    assert streamed.attrs["person_weeks"] == whole.attrs["person_weeks"]


def test_full_year_persons_merge_across_chunks(register):
    def calendar(chunk):
        return StatusPanel.from_wide(
            chunk, "id", "y_", register.classification, blank=register.blank
        )

    states = ["cash_benefit", "self_sufficient"]
    whole = full_year_persons(calendar(register.register), states, by="year")
    parts = [
        full_year_persons(calendar(c), states, by="year")
        for c in (register.register.iloc[i::3] for i in range(3))
    ]
    merged = combine_full_year_persons(parts)
    pd.testing.assert_frame_equal(
        merged[["period", "state", "weeks", "full_year_persons"]].astype({"state": str}),
        whole[["period", "state", "weeks", "full_year_persons"]]
        .astype({"state": str})
        .sort_values(["period", "state"])
        .reset_index(drop=True),
        check_dtype=False,
    )


def test_no_chunks_is_an_error(register):
    with pytest.raises(ArgumentError, match="no chunks"):
        map_person_chunks([], build_aligned(register), COMPUTATIONS["spells"])
