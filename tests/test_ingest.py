"""Register extracts straight to panels (evalkit.panel.ingest) and from_wide's integer
path: identical to read_panel followed by from_wide / from_long on every format."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import pytest

import evalkit.panel.ingest as ingest_module
import evalkit.panel.panel as panel_module
from evalkit.errors import ArgumentError, ColumnError, DesignError, MissingValueError
from evalkit.panel import (
    StateClassification,
    StatusPanel,
    UnknownCodeError,
    iter_panel_chunks,
    read_panel,
    read_status_panel,
)
from evalkit.panel.weeks import parse_weeks

KEY = "test key, not a secret: 0123456789"
STATES = StateClassification(
    {
        "self_sufficient": [],
        "cash_benefit": (130, 139),
        "education": [651, 652],
        "dead": [997],
    },
    absorbing=("dead",),
)
CODES = np.array([130, 131, 135, 651, 652, 997])
BLANK = "self_sufficient"


def wide_frame(n=60, weeks=12, seed=0) -> pd.DataFrame:
    """Persons x weeks of codes with gaps (NaN), a person with no code at all, deaths."""
    rng = np.random.default_rng(seed)
    values = rng.choice(CODES[:-1], size=(n, weeks)).astype(float)
    values[rng.random((n, weeks)) < 0.5] = np.nan
    values[rng.random(n) < 0.1, rng.integers(0, weeks)] = 997.0
    values[3] = np.nan  # all blank
    names = [f"y_16{w:02d}" for w in range(10, 10 + weeks)]
    frame = pd.DataFrame(values, columns=names)
    frame.insert(0, "id", [f"{100000 + 7 * i:06d}-{i:04d}" for i in range(n)])
    return frame


def old_from_wide(frame, id, columns, states, blank) -> StatusPanel:
    """from_wide as it was: a float64 frame classified at once, then the blank rule and
    the cut at absorbing states."""
    numbers, calendar = parse_weeks(columns, "week column")
    first, n_weeks = int(numbers[0]), int(numbers[-1] - numbers[0] + 1)
    codes = np.full((len(frame), n_weeks), -1, dtype=np.int8)
    block = frame[columns]
    numeric = all(pd.api.types.is_numeric_dtype(d) for d in block.dtypes)
    raw = block.to_numpy(dtype=np.float64, na_value=np.nan) if numeric else block.to_numpy()
    codes[:, numbers - first] = states.classify(raw)
    if blank is not None:
        fill = states.state_index(blank)
        codes[(codes < 0) & np.maximum.accumulate(codes >= 0, axis=1)] = fill
    panel = StatusPanel(frame[id].to_numpy(), codes, states.names, first, calendar, False)
    return StatusPanel(
        panel.ids, panel.codes, states.names, first, calendar, False, states.absorbing
    ).cut_at_absorbing()


def assert_same(got: StatusPanel, expected: StatusPanel) -> None:
    assert np.array_equal(got.codes, expected.codes)
    assert np.array_equal(got.ids, expected.ids)
    assert got.ids.dtype == expected.ids.dtype
    assert np.array_equal(got.weeks, expected.weeks)
    assert got.states == expected.states and got.absorbing == expected.absorbing
    assert got.calendar == expected.calendar


def stack(chunks) -> tuple[np.ndarray, np.ndarray]:
    chunks = list(chunks)
    assert len({(c.first_week, c.n_weeks) for c in chunks}) == 1
    return np.concatenate([c.ids for c in chunks]), np.concatenate([c.codes for c in chunks])


# ---------------------------------------------------------------- from_wide
class TestFromWideIntegerPath:
    @pytest.mark.parametrize("dtype", ["float64", "Int16", "Int64", "Float64", "int16[pyarrow]"])
    def test_column_types_give_the_old_result(self, dtype):
        frame = wide_frame()
        columns = [c for c in frame.columns if c != "id"]
        expected = old_from_wide(frame, "id", columns, STATES, BLANK)
        typed = frame.astype({c: dtype for c in columns})
        assert_same(StatusPanel.from_wide(typed, "id", "y_", STATES, blank=BLANK), expected)

    def test_plain_integers_object_text_and_a_mix(self):
        frame = wide_frame().fillna({"y_1610": 130.0, "y_1611": 651.0})
        frame["y_1610"] = frame["y_1610"].astype(np.int32)
        frame["y_1611"] = frame["y_1611"].astype(int).astype(str)  # text codes
        columns = [c for c in frame.columns if c != "id"]
        expected = old_from_wide(frame, "id", columns, STATES, BLANK)
        assert_same(StatusPanel.from_wide(frame, "id", "y_", STATES, blank=BLANK), expected)

    def test_block_boundaries(self, monkeypatch):
        frame = wide_frame(n=23).astype({f"y_16{w:02d}": "Int16" for w in range(10, 22)})
        expected = StatusPanel.from_wide(frame, "id", "y_", STATES, blank=BLANK)
        monkeypatch.setattr(panel_module, "_BLOCK_CELLS", 12 * 5)  # five persons a block
        assert_same(StatusPanel.from_wide(frame, "id", "y_", STATES, blank=BLANK), expected)

    def test_without_blank_and_with_other(self):
        frame = wide_frame().astype({f"y_16{w:02d}": "Int64" for w in range(10, 22)})
        frame.loc[5, "y_1612"] = 40000  # beyond 16 bits: the general path
        other = StateClassification({"cash_benefit": (130, 139)}, other="other")
        columns = [c for c in frame.columns if c != "id"]
        expected = old_from_wide(frame, "id", columns, other, None)
        assert_same(StatusPanel.from_wide(frame, "id", "y_", other), expected)

    def test_unknown_codes_name_the_column_and_count_not_the_ids(self):
        frame = wide_frame().astype({f"y_16{w:02d}": "Int16" for w in range(10, 22)})
        frame.loc[[4, 9], "y_1613"] = 555
        expected = r"week column 'y_1613': 1 raw codes \(2 cells\).*555: 2"
        with pytest.raises(UnknownCodeError, match=expected):
            StatusPanel.from_wide(frame, "id", "y_", STATES, blank=BLANK)
        # a code equal to a person's id is not shown
        numbers = pd.DataFrame({"id": [4711, 4712], "y_1610": pd.array([4711, 130], "Int32")})
        with pytest.raises(UnknownCodeError) as error:
            StatusPanel.from_wide(numbers, "id", "y_", STATES)
        assert "4711" not in str(error.value) and "1 cells" in str(error.value)

    def test_fractional_codes_are_refused(self):
        frame = wide_frame()
        frame.loc[2, "y_1615"] = 651.5
        with pytest.raises(UnknownCodeError, match="week column 'y_1615': 1 cell holds codes"):
            StatusPanel.from_wide(frame, "id", "y_", STATES)

    def test_caller_data_untouched(self):
        frame = wide_frame().astype({f"y_16{w:02d}": "Int16" for w in range(10, 22)})
        before = frame.copy()
        StatusPanel.from_wide(frame, "id", "y_", STATES, blank=BLANK)
        pd.testing.assert_frame_equal(frame, before)


# ---------------------------------------------------------------- wide files
def write_parquet_int16(frame: pd.DataFrame, path, row_group_size=None) -> None:
    """The frame with its week columns as nullable int16 Arrow columns (as DREAM)."""
    arrays = {"id": pa.array(frame["id"].to_numpy(), from_pandas=True)}
    for column in frame.columns[1:]:
        values = frame[column].to_numpy()
        arrays[column] = pa.array(
            np.nan_to_num(values).astype(np.int16), mask=np.isnan(values), type=pa.int16()
        )
    pq.write_table(pa.table(arrays), path, row_group_size=row_group_size)


def old_read(path, blank=BLANK, states=STATES, **kwargs) -> StatusPanel:
    frame = read_panel(path, **kwargs)
    columns = [c for c in frame.columns if str(c).startswith("y_")]
    return old_from_wide(frame, "id", columns, states, blank)


class TestWideFiles:
    @pytest.mark.parametrize("block", [1, 7, 1000])
    def test_parquet_int16_nullable(self, tmp_path, block):
        path = tmp_path / "wide.parquet"
        write_parquet_int16(wide_frame(), path, row_group_size=25)
        got = read_status_panel(path, "id", "y_", STATES, BLANK, block_persons=block)
        assert_same(got, old_read(path))
        assert_same(got, StatusPanel.from_wide(read_panel(path), "id", "y_", STATES, BLANK))

    @pytest.mark.parametrize(
        "convert",
        [
            lambda f: f,  # float64 with NaN
            lambda f: f.astype({c: "Int32" for c in f.columns[1:]}),
            lambda f: f.astype({c: "Int32" for c in f.columns[1:]}).astype(
                {c: "string" for c in f.columns[1:]}
            ),
        ],
        ids=["float", "int32", "text"],
    )
    def test_parquet_other_column_types(self, tmp_path, convert):
        path = tmp_path / "wide.parquet"
        frame = convert(wide_frame())
        frame["y_1612"] = frame["y_1612"].astype("category")  # dictionary-encoded
        frame.to_parquet(path, index=False)
        assert_same(read_status_panel(path, "id", "y_", STATES, BLANK), old_read(path))

    @pytest.mark.parametrize("group", [1, 3, 5])
    def test_week_groups_carry_blank_and_absorbing_states(self, tmp_path, monkeypatch, group):
        monkeypatch.setattr(ingest_module, "WEEK_GROUP", group)
        path = tmp_path / "wide.parquet"
        write_parquet_int16(wide_frame(), path, row_group_size=25)
        got = read_status_panel(path, "id", "y_", STATES, BLANK, block_persons=16)
        assert_same(got, old_read(path))
        columns = ["y_1610", "y_1611", "y_1619", "y_1621"]  # groups with no column at all
        got = read_status_panel(path, "id", columns, STATES, BLANK, block_persons=16)
        assert_same(got, old_from_wide(read_panel(path), "id", columns, STATES, BLANK))

    def test_list_of_columns_with_a_gap_and_integer_ids(self, tmp_path):
        frame = wide_frame()
        frame["id"] = np.arange(len(frame)) * 3
        path = tmp_path / "wide.parquet"
        write_parquet_int16(frame, path)
        columns = ["y_1610", "y_1611", "y_1614", "y_1615"]
        got = read_status_panel(path, "id", columns, STATES, BLANK)
        expected = old_from_wide(read_panel(path), "id", columns, STATES, BLANK)
        assert_same(got, expected)
        assert got.n_weeks == 6 and got.ids.dtype == np.int64

    def test_csv(self, tmp_path):
        path = tmp_path / "wide.csv.gz"
        wide_frame().to_csv(path, index=False)
        got = read_status_panel(path, "id", "y_", STATES, BLANK, block_persons=4)
        assert_same(got, old_read(path))

    def test_csv_options_and_all_blank_chunks(self, tmp_path):
        path = tmp_path / "wide.txt"
        frame = wide_frame()
        frame.iloc[:30, 1:] = np.nan  # the first chunks have no codes at all
        frame.to_csv(path, index=False, sep=";")
        got = read_status_panel(path, "id", "y_", STATES, BLANK, format="csv", sep=";")
        assert_same(got, old_read(path, format="csv", sep=";"))

    def test_stata(self, tmp_path):
        path = tmp_path / "wide.dta"
        wide_frame().to_stata(path, write_index=False, version=118)
        assert_same(read_status_panel(path, "id", "y_", STATES, BLANK), old_read(path))

    def test_sas_transport_file(self, tmp_path):
        path = tmp_path / "wide.xpt"
        pyreadstat.write_xport(wide_frame(), str(path), file_format_version=5)
        got = read_status_panel(path, "id", "y_", STATES, BLANK, block_persons=8)
        assert_same(got, old_read(path))

    @pytest.mark.parametrize("suffix", [".parquet", ".csv"])
    def test_pseudonymize(self, tmp_path, suffix):
        path = tmp_path / f"wide{suffix}"
        frame = wide_frame()
        if suffix == ".parquet":
            write_parquet_int16(frame, path)
        else:
            frame.to_csv(path, index=False)
        got = read_status_panel(path, "id", "y_", STATES, BLANK, pseudonymize="id", key=KEY)
        assert_same(got, old_read(path, pseudonymize="id", key=KEY))
        assert all(i.startswith("P") for i in got.ids)
        chunks = iter_panel_chunks(
            path, "id", "y_", STATES, BLANK, chunk_persons=17, pseudonymize="id", key=KEY
        )
        ids, codes = stack(chunks)
        assert np.array_equal(ids, got.ids) and np.array_equal(codes, got.codes)

    @pytest.mark.parametrize("suffix", [".parquet", ".csv", ".dta"])
    @pytest.mark.parametrize("chunk", [1, 7, 60, 100])
    def test_chunks_stack_to_the_whole_panel(self, tmp_path, suffix, chunk):
        path = tmp_path / f"wide{suffix}"
        frame = wide_frame()
        if suffix == ".parquet":
            write_parquet_int16(frame, path, row_group_size=9)
        elif suffix == ".csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_stata(path, write_index=False, version=118)
        whole = read_status_panel(path, "id", "y_", STATES, BLANK)
        chunks = list(
            iter_panel_chunks(path, "id", "y_", STATES, BLANK, chunk_persons=chunk, block_persons=4)
        )
        assert [len(c) for c in chunks[:-1]] == [chunk] * (len(chunks) - 1)
        assert all(c.first_week == whole.first_week for c in chunks)
        ids, codes = stack(chunks)
        assert np.array_equal(ids, whole.ids) and np.array_equal(codes, whole.codes)

    def test_unknown_codes(self, tmp_path):
        frame = wide_frame()
        frame.loc[[1, 2, 8], "y_1617"] = 555.0
        path = tmp_path / "wide.parquet"
        write_parquet_int16(frame, path)
        expected = r"week column 'y_1617': 1 raw codes \(3 cells\)"
        with pytest.raises(UnknownCodeError, match=expected) as error:
            read_status_panel(path, "id", "y_", STATES, BLANK)
        assert "100007" not in str(error.value)
        with pytest.raises(UnknownCodeError, match="y_1617"):
            list(iter_panel_chunks(path, "id", "y_", STATES, BLANK, chunk_persons=5))

    def test_repeated_and_missing_ids(self, tmp_path):
        frame = wide_frame(n=6)
        frame.loc[4, "id"] = frame.loc[1, "id"]
        path = tmp_path / "wide.parquet"
        write_parquet_int16(frame, path)
        with pytest.raises(DesignError, match="1 persons appear on more than one row"):
            read_status_panel(path, "id", "y_", STATES)
        with pytest.raises(DesignError, match="more than one row"):
            iter_panel_chunks(path, "id", "y_", STATES, chunk_persons=2)
        frame.loc[4, "id"] = None
        write_parquet_int16(frame, path)
        with pytest.raises(MissingValueError):
            read_status_panel(path, "id", "y_", STATES)

    def test_repeated_integer_ids_and_a_hash_collision(self, tmp_path, monkeypatch):
        frame = wide_frame(n=8)
        frame["id"] = np.arange(100, 108)
        path = tmp_path / "wide.parquet"
        write_parquet_int16(frame, path)
        expected = old_read(path)
        # every id hashed alike: the ids themselves are compared, and they differ
        monkeypatch.setattr(pd.util, "hash_array", lambda v, **k: np.zeros(len(v), np.uint64))
        assert_same(read_status_panel(path, "id", "y_", STATES, BLANK), expected)
        monkeypatch.undo()
        frame.loc[[2, 6], "id"] = frame.loc[5, "id"]
        write_parquet_int16(frame, path)
        with pytest.raises(DesignError, match="1 persons appear.*2 repeated rows, rows 5, 6"):
            read_status_panel(path, "id", "y_", STATES)

    def test_row_groups(self, tmp_path):
        path = tmp_path / "wide.parquet"
        write_parquet_int16(wide_frame(n=50), path, row_group_size=12)  # groups of 12
        whole = read_status_panel(path, "id", "y_", STATES, BLANK)
        part = read_status_panel(path, "id", "y_", STATES, BLANK, row_groups=range(1, 3))
        assert np.array_equal(part.ids, whole.ids[12:36])
        assert np.array_equal(part.codes, whole.codes[12:36])
        assert part.first_week == whole.first_week and part.n_weeks == whole.n_weeks
        none = read_status_panel(path, "id", "y_", STATES, BLANK, row_groups=[])
        assert none.codes.shape == (0, whole.n_weeks) and none.ids.dtype == whole.ids.dtype
        for wrong in ([5], [-1], [1.5], "1"):
            with pytest.raises(
                ArgumentError, match=r"row group numbers of wide.parquet \(0 to 4\)"
            ):
                read_status_panel(path, "id", "y_", STATES, row_groups=wrong)
        csv = tmp_path / "wide.csv"
        wide_frame(n=5).to_csv(csv, index=False)
        with pytest.raises(ArgumentError, match="for parquet files"):
            read_status_panel(csv, "id", "y_", STATES, row_groups=[0])

    def test_argument_errors(self, tmp_path):
        path = tmp_path / "wide.parquet"
        write_parquet_int16(wide_frame(n=4), path)
        with pytest.raises(ArgumentError, match="no columns of wide.parquet start with 'x_'"):
            read_status_panel(path, "id", "x_", STATES)
        with pytest.raises(ArgumentError, match="not in wide.parquet"):
            read_status_panel(path, "id", ["y_1610", "y_9999"], STATES)
        with pytest.raises(ColumnError, match="'pid'"):
            read_status_panel(path, "pid", "y_", STATES)
        with pytest.raises(ArgumentError, match="block_persons"):
            read_status_panel(path, "id", "y_", STATES, block_persons=0)
        with pytest.raises(ArgumentError, match="chunk_persons"):
            iter_panel_chunks(path, "id", "y_", STATES, chunk_persons=0)
        with pytest.raises(ArgumentError, match="needs key"):
            read_status_panel(path, "id", "y_", STATES, pseudonymize="id")
        with pytest.raises(ArgumentError, match="week= and status="):
            read_status_panel(path, "id", None, STATES)
        with pytest.raises(ArgumentError, match="pandas readers"):
            read_status_panel(path, "id", "y_", STATES, sep=";")
        with pytest.raises(ArgumentError, match="unknown state"):
            read_status_panel(path, "id", "y_", STATES, blank="nope")
        with pytest.raises(DesignError, match="must increase"):
            read_status_panel(path, "id", ["y_1611", "y_1610"], STATES)


# ---------------------------------------------------------------- long files
def long_frame(n=40, weeks=10, seed=1) -> pd.DataFrame:
    wide = wide_frame(n, weeks, seed)
    long = wide.melt("id", var_name="week", value_name="code")
    keep = long["code"].notna() | (np.random.default_rng(seed).random(len(long)) < 0.1)
    long = long[keep]  # some rows with a missing code
    long["week"] = long["week"].str.replace("y_16", "2016-W")
    return long.sort_values(["id", "week"], kind="stable").reset_index(drop=True)


def old_long(path, blank=BLANK, last_week=None, **kwargs) -> StatusPanel:
    frame = read_panel(path, **kwargs)
    return StatusPanel.from_long(frame, "id", "week", "code", STATES, blank, last_week=last_week)


LONG = {"week": "week", "status": "code"}


class TestLongFiles:
    @pytest.mark.parametrize("suffix", [".parquet", ".csv", ".dta"])
    def test_formats(self, tmp_path, suffix, monkeypatch):
        monkeypatch.setattr(ingest_module, "BLOCK_ROWS", 37)  # many blocks
        path = tmp_path / f"long{suffix}"
        frame = long_frame()
        if suffix == ".parquet":
            frame.astype({"code": "Int16"}).to_parquet(path, index=False, row_group_size=50)
        elif suffix == ".csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_stata(path, write_index=False, version=118)
        got = read_status_panel(path, "id", None, STATES, BLANK, **LONG)
        assert_same(got, old_long(path))
        got = read_status_panel(path, "id", None, STATES, None, last_week="2016-W25", **LONG)
        assert_same(got, old_long(path, blank=None, last_week="2016-W25"))

    @pytest.mark.parametrize("chunk", [1, 6, 40])
    def test_chunks_of_a_sorted_file(self, tmp_path, chunk, monkeypatch):
        monkeypatch.setattr(ingest_module, "BLOCK_ROWS", 23)
        path = tmp_path / "long.parquet"
        frame = long_frame()
        frame["week"] = frame["week"].str[-2:].astype(int)  # integer weeks
        frame.to_parquet(path, index=False)
        whole = read_status_panel(path, "id", None, STATES, BLANK, **LONG)
        assert_same(whole, old_long(path))
        chunks = list(
            iter_panel_chunks(path, "id", None, STATES, BLANK, chunk_persons=chunk, **LONG)
        )
        assert all(c.first_week == whole.first_week and c.n_weeks == whole.n_weeks for c in chunks)
        ids, codes = stack(chunks)
        assert np.array_equal(ids, whole.ids) and np.array_equal(codes, whole.codes)

    def test_unsorted_file_and_pseudonyms(self, tmp_path):
        path = tmp_path / "long.parquet"
        frame = long_frame().sample(frac=1.0, random_state=3)
        frame.to_parquet(path, index=False)
        got = read_status_panel(path, "id", None, STATES, BLANK, pseudonymize="id", key=KEY, **LONG)
        assert_same(got, old_long(path, pseudonymize="id", key=KEY))
        with pytest.raises(DesignError, match="not contiguous"):
            list(iter_panel_chunks(path, "id", None, STATES, BLANK, chunk_persons=5, **LONG))

    def test_blocks_with_more_ids_than_rows(self, tmp_path, monkeypatch):
        # an unsorted file read in blocks of 7 rows: a row group's dictionary of ids is
        # larger than a block (looked up by value then); a categorical id column; two
        # absorbing states; integer weeks
        states = StateClassification(
            {"self_sufficient": [], "cash_benefit": (130, 139), "dead": [997], "away": [651]},
            other="other",
            absorbing=("dead", "away"),
        )
        monkeypatch.setattr(ingest_module, "BLOCK_ROWS", 7)
        path = tmp_path / "long.parquet"
        frame = long_frame().sample(frac=1.0, random_state=5)
        frame["week"] = frame["week"].str[-2:].astype(int)
        frame["id"] = frame["id"].astype("category")
        frame.to_parquet(path, index=False, row_group_size=60)
        expected = StatusPanel.from_long(read_panel(path), "id", "week", "code", states, BLANK)
        got = read_status_panel(path, "id", None, states, BLANK, **LONG)
        assert_same(got, expected)
        assert (got.codes == states.state_index("away")).any()

    def test_duplicates_missing_and_unknown(self, tmp_path):
        path = tmp_path / "long.parquet"
        frame = long_frame()
        pd.concat([frame, frame.iloc[[3]]]).to_parquet(path, index=False)
        with pytest.raises(DesignError, match="1 duplicate"):
            read_status_panel(path, "id", None, STATES, BLANK, **LONG)
        broken = frame.copy()
        broken.loc[2, "week"] = None
        broken.to_parquet(path, index=False)
        with pytest.raises(MissingValueError, match="'week'"):
            read_status_panel(path, "id", None, STATES, BLANK, **LONG)
        broken = frame.copy()
        broken.loc[[2, 5], "code"] = 555
        broken.to_parquet(path, index=False)
        with pytest.raises(UnknownCodeError, match=r"column 'code' \(2 cells\)"):
            read_status_panel(path, "id", None, STATES, BLANK, **LONG)
