"""Reading register extracts (evalkit.panel.io): formats, pseudonymizing on read, and
chunks of whole persons from parquet files."""

import sys

import numpy as np
import pandas as pd
import pytest

import evalkit.panel.io as io_module
from evalkit.datasets.synthetic import simulate_register
from evalkit.errors import ArgumentError, ColumnError, DesignError, EvalkitError
from evalkit.panel import StatusPanel
from evalkit.panel.ids import pseudonymize_ids
from evalkit.panel.io import PanelFileError, iter_person_chunks, read_panel

KEY = "test key, not a secret: 0123456789"


def extract() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["0101901234", "0202904321", "SYN000003"],
            "y_1510": [130, 130, 131],
            "y_1511": [130.0, np.nan, 651.0],
            "benefit": ["kontanthjælp", "kontanthjælp", "integrationsydelse"],
        }
    )


@pytest.mark.parametrize("name", ["x.csv", "x.csv.gz", "x.CSV"])
def test_csv_round_trip(tmp_path, name):
    data = extract()
    path = tmp_path / name
    data.to_csv(path, index=False)
    back = read_panel(path, dtype={"id": str})
    pd.testing.assert_frame_equal(back, data)
    assert read_panel(str(path), columns=["y_1511", "id"]).columns.tolist() == ["y_1511", "id"]


def test_pandas_options_are_passed_on(tmp_path):
    path = tmp_path / "semicolon.txt"
    extract().to_csv(path, index=False, sep=";")
    back = read_panel(path, format="csv", sep=";", dtype={"id": str})
    pd.testing.assert_frame_equal(back, extract())


@pytest.mark.parametrize("name", ["x.parquet", "x.pq"])
def test_parquet_round_trip(tmp_path, name):
    data = extract()
    path = tmp_path / name
    data.to_parquet(path, index=False)
    pd.testing.assert_frame_equal(read_panel(path), data)
    assert read_panel(path, columns=["benefit"]).columns.tolist() == ["benefit"]
    with pytest.raises(ColumnError, match="'nope'"):
        read_panel(path, columns=["nope"])


def test_stata_round_trip(tmp_path):
    data = extract()
    path = tmp_path / "x.dta"
    data.to_stata(path, write_index=False, version=118)
    back = read_panel(path)
    assert back["id"].tolist() == data["id"].tolist()
    assert back["benefit"].tolist() == data["benefit"].tolist()
    np.testing.assert_array_equal(back["y_1511"].to_numpy(float), data["y_1511"].to_numpy())
    assert back["y_1510"].tolist() == [130, 130, 131]
    assert read_panel(path, columns=["id", "y_1510"]).columns.tolist() == ["id", "y_1510"]
    with pytest.raises(ColumnError, match="'nope'"):
        read_panel(path, columns=["nope"])


def test_sas_transport_file_is_read_by_extension(tmp_path):
    # pandas reads but does not write SAS files: a broken .xpt file must fail clearly.
    path = tmp_path / "x.xpt"
    path.write_bytes(b"not a SAS file")
    with pytest.raises(EvalkitError, match="x.xpt as sas"):
        read_panel(path)


def test_unknown_extension_and_missing_file_are_evalkit_errors(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_text("id\n1\n")
    with pytest.raises(ArgumentError, match="extension"):
        read_panel(path)
    with pytest.raises(ArgumentError, match="format must be one of"):
        read_panel(path, format="excel")
    with pytest.raises(PanelFileError, match="no such file") as caught:
        read_panel(tmp_path / "missing.csv")
    assert isinstance(caught.value, FileNotFoundError) and isinstance(caught.value, EvalkitError)
    with pytest.raises(ColumnError, match="'nope'"):
        extract().to_csv(tmp_path / "y.csv", index=False)
        read_panel(tmp_path / "y.csv", columns=["id", "nope"])


def test_missing_pyarrow_is_an_evalkit_error_naming_the_extra(tmp_path, monkeypatch):
    path = tmp_path / "x.parquet"
    extract().to_parquet(path)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(EvalkitError, match=r'pip install "evalkit\[parquet\]"'):
        read_panel(path)
    with pytest.raises(EvalkitError, match=r"evalkit\[parquet\]"):
        iter_person_chunks(path, "id")


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".dta"])
def test_pseudonymize_on_read(tmp_path, suffix):
    data = extract()
    path = tmp_path / f"x{suffix}"
    if suffix == ".csv":
        data.to_csv(path, index=False)  # ids read back as text: leading zeros kept
    elif suffix == ".parquet":
        data.to_parquet(path)
    else:
        data.to_stata(path, write_index=False, version=118)
    back = read_panel(path, pseudonymize="id", key=KEY)
    expected = pseudonymize_ids(data, "id", key=KEY)["id"]
    assert back["id"].tolist() == expected.tolist()
    assert not back["id"].isin(data["id"]).any()
    only = read_panel(path, columns=["y_1510"], pseudonymize="id", key=KEY)
    assert only.columns.tolist() == ["id", "y_1510"]
    assert only["id"].tolist() == expected.tolist()


def test_pseudonymize_arguments(tmp_path):
    path = tmp_path / "x.csv"
    extract().to_csv(path, index=False)
    with pytest.raises(ArgumentError, match="needs key"):
        read_panel(path, pseudonymize="id")
    with pytest.raises(ArgumentError, match="only with pseudonymize"):
        read_panel(path, key=KEY)
    with pytest.raises(ColumnError, match="'person'"):
        read_panel(path, pseudonymize="person", key=KEY)


def test_read_errors_do_not_quote_cpr_numbers(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("id,y\n010190-1234,1\n")
    with pytest.raises(EvalkitError, match="masked") as caught:
        read_panel(path, dtype={"id": "int64"})  # pandas quotes the value it cannot read
    assert "010190" not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


# ---------------------------------------------------------------- chunks of persons
@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    """Read a few rows at a time, so that persons straddle batch boundaries."""
    monkeypatch.setattr(io_module, "_MIN_BATCH_ROWS", 1)


def chunks_of(path, **kwargs):
    return list(iter_person_chunks(path, "id", **kwargs))


def test_wide_file_chunks_hold_every_person_once(tmp_path):
    reg = simulate_register(n_treated=30, n_control=27, weeks_before=5, weeks_after=10, seed=4)
    wide = reg.register.sample(frac=1, random_state=1)  # unsorted ids are fine in a wide file
    path = tmp_path / "wide.parquet"
    wide.to_parquet(path, row_group_size=8, index=False)
    chunks = chunks_of(path, chunk_persons=10)
    assert [len(c) for c in chunks] == [10, 10, 10, 10, 10, 7]
    together = pd.concat(chunks, ignore_index=True)
    pd.testing.assert_frame_equal(together, wide.reset_index(drop=True))
    columns = chunks_of(path, chunk_persons=100, columns=["y_1510"])
    assert len(columns) == 1 and columns[0].columns.tolist() == ["id", "y_1510"]


def test_long_file_chunks_keep_whole_persons_and_build_the_same_panel(tmp_path):
    reg = simulate_register(
        n_treated=40, n_control=37, weeks_before=6, weeks_after=20, seed=12, layout="long"
    )
    long = reg.register
    path = tmp_path / "long.parquet"
    long.to_parquet(path, row_group_size=13, index=False)
    chunks = chunks_of(path, chunk_persons=9)
    persons = [c["id"].unique() for c in chunks]
    assert all(len(p) <= 9 for p in persons)
    assert [len(p) for p in persons] == [9] * 8 + [5]
    seen = np.concatenate(persons)
    assert len(seen) == len(set(seen)) == 77  # every person exactly once
    rows_per_person = long.groupby("id").size()
    for chunk in chunks:  # all rows of each person
        assert (chunk.groupby("id").size() == rows_per_person[chunk["id"].unique()]).all()
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), long)

    def panel(frame):
        trial = reg.trial[reg.trial["id"].isin(frame["id"])]
        built = StatusPanel.from_long(
            frame, "id", "week", "code", reg.classification, blank=reg.blank,
            last_week=reg.week_labels[-1],
        )  # fmt: skip
        return built.align(trial, "id", "randomization_week", before=6, after=20)

    whole = panel(pd.read_parquet(path))
    parts = [panel(chunk) for chunk in chunks]
    ids = np.concatenate([p.ids for p in parts])
    codes = np.concatenate([p.codes for p in parts])
    order = np.argsort(ids)
    np.testing.assert_array_equal(ids[order], np.sort(whole.ids))
    np.testing.assert_array_equal(codes[order], whole.codes[np.argsort(whole.ids)])
    np.testing.assert_array_equal(whole.codes, reg.panel().codes)


def test_default_batches_give_the_same_chunks(tmp_path, monkeypatch):
    long = pd.DataFrame({"id": np.repeat(np.arange(50), 3), "v": range(150)})
    path = tmp_path / "long.parquet"
    long.to_parquet(path, row_group_size=7, index=False)
    small = [c["id"].tolist() for c in chunks_of(path, chunk_persons=4)]
    monkeypatch.setattr(io_module, "_MIN_BATCH_ROWS", 65_536)
    assert [c["id"].tolist() for c in chunks_of(path, chunk_persons=4)] == small


def test_a_person_straddling_batches_is_carried_to_the_next_chunk(tmp_path):
    long = pd.DataFrame({"id": np.repeat(["a", "b", "c", "d"], [5, 1, 7, 2]), "v": range(15)})
    path = tmp_path / "long.parquet"
    long.to_parquet(path, row_group_size=3, index=False)
    for size in (1, 2, 3, 4, 5):
        chunks = chunks_of(path, chunk_persons=size)
        assert pd.concat(chunks, ignore_index=True).equals(long)
        for chunk in chunks:
            counts = chunk["id"].value_counts()
            assert (counts == long["id"].value_counts()[counts.index]).all()
            assert chunk["id"].nunique() <= size


def test_categorical_and_integer_ids(tmp_path):
    long = pd.DataFrame({"id": np.repeat([3, 1, 2], [2, 3, 1]), "v": range(6)})
    for ids in (long["id"], long["id"].astype(str).astype("category")):
        path = tmp_path / "ids.parquet"
        long.assign(id=ids).to_parquet(path, row_group_size=2, index=False)
        chunks = chunks_of(path, chunk_persons=2)
        assert [c["id"].astype(str).tolist() for c in chunks] == [
            ["3", "3", "1", "1", "1"],
            ["2"],
        ]


def test_long_file_with_a_person_in_two_places_is_a_design_error(tmp_path):
    long = pd.DataFrame({"id": ["0101901234", "b", "b", "0101901234"], "v": [1, 2, 3, 4]})
    path = tmp_path / "unsorted.parquet"
    long.to_parquet(path, row_group_size=2, index=False)
    with pytest.raises(DesignError, match="not contiguous") as caught:
        iter_person_chunks(path, "id", chunk_persons=10)
    assert "0101901234" not in str(caught.value) and "sort" in str(caught.value).lower()


def test_chunk_arguments(tmp_path):
    path = tmp_path / "x.parquet"
    pd.DataFrame({"id": ["a", None], "v": [1, 2]}).to_parquet(path)
    with pytest.raises(DesignError, match="missing id"):
        iter_person_chunks(path, "id")
    with pytest.raises(ArgumentError, match="chunk_persons"):
        iter_person_chunks(path, "id", chunk_persons=0)
    with pytest.raises(ColumnError, match="'person'"):
        iter_person_chunks(path, "person")
    with pytest.raises(PanelFileError):
        iter_person_chunks(tmp_path / "missing.parquet", "id")
    (tmp_path / "broken.parquet").write_text("id\n1\n")
    with pytest.raises(EvalkitError, match="broken.parquet as parquet"):
        iter_person_chunks(tmp_path / "broken.parquet", "id")
    with pytest.raises(EvalkitError, match="broken.parquet as parquet"):
        read_panel(tmp_path / "broken.parquet")
    with pytest.raises(EvalkitError, match="broken.parquet as parquet"):
        read_panel(tmp_path / "broken.parquet", columns=["id"])
