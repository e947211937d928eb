"""One pipeline at any size: in memory, streamed over chunks of persons, or on Dask.

A :class:`Register` wraps a register extract — a :class:`~evalkit.panel.StatusPanel`, a
wide pandas frame, a parquet file or a ``dask.dataframe`` with one row per person — and
runs the same computations on it with one of three engines:

- ``"memory"``: the whole panel in memory, one pass;
- ``"stream"``: chunks of whole persons one after the other (memory: one chunk);
- ``"dask"``: the chunks as Dask tasks, on the local process scheduler (every core) or
  on a ``dask.distributed`` cluster when a ``Client`` is active (or passed as
  ``scheduler=``).

:meth:`Register.collect` runs several computations (:class:`Spells`,
:class:`Survival`, :class:`UnitPeriod`, :class:`Outcome`) in one pass: each chunk is
read and built once for all of them.

Every computation is a function of one chunk of persons whose result merges with the
others': per-person results (spells, outcomes) are concatenated in the persons' order;
survival needs only spells counted per group, week and exit code
(:class:`~evalkit.scale.SurvivalCounts`, which adds up); counts by unit and period add
up. Chunks are always whole persons, never weeks, so the results do not depend on the
engine or the chunk size (tested: counts exactly, estimates to 1e-10).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .._progress import Progress
from .._validation import check_choice
from ..errors import ArgumentError, ColumnError, DesignError, EvalkitError
from ..panel.ingest import iter_panel_chunks, read_status_panel
from ..panel.panel import StatusPanel
from ..panel.spells import spells as _spells
from ..panel.states import StateClassification
from ..panel.stream import map_person_chunks
from .survival_counts import SurvivalCounts, survival_counts
from .unit_period import PERIODS, merge_unit_period, unit_period_counts

__all__ = ["ENGINES", "Outcome", "Register", "Spells", "Survival", "UnitPeriod"]

ENGINES = ("memory", "stream", "dask")


# ---------------------------------------------------------------------- building chunks
@dataclass(frozen=True)
class _Builder:
    """How a frame of whole persons becomes a panel and its persons' columns (picklable)."""

    id: str
    week_columns: tuple
    states: StateClassification | None
    blank: str | None
    person_columns: tuple

    def build(self, frame: pd.DataFrame) -> tuple[StatusPanel, pd.DataFrame]:
        panel = StatusPanel.from_wide(
            frame, self.id, list(self.week_columns), self.states, blank=self.blank
        )
        persons = frame[[self.id, *self.person_columns]].reset_index(drop=True)
        if self.id != "id":
            persons = persons.rename(columns={self.id: "id"})
        return panel, persons

    def read_file(self, path: str, row_groups: range | None = None) -> StatusPanel:
        """The panel of a file, or of its ``row_groups`` of a parquet file
        (:func:`evalkit.panel.read_status_panel`)."""
        return read_status_panel(
            path,
            self.id,
            list(self.week_columns),
            self.states,
            blank=self.blank,
            row_groups=row_groups,
        )

    def file_chunks(self, path: str, chunk_persons: int) -> Iterator[StatusPanel]:
        """The panel of a file in chunks (:func:`evalkit.panel.iter_panel_chunks`)."""
        return iter_panel_chunks(
            path,
            self.id,
            list(self.week_columns),
            self.states,
            blank=self.blank,
            chunk_persons=chunk_persons,
        )

    def file_persons(self, path: str) -> pd.DataFrame:
        """The id and person columns of a file (one row per person, file order)."""
        columns = [self.id, *self.person_columns]
        if _is_csv(path):
            frame = pd.read_csv(path, usecols=columns)[columns]
            return frame.rename(columns={self.id: "id"}) if self.id != "id" else frame
        return _persons_frame(_parquet(path).read(columns=columns), self.id)


def _persons_frame(table, id: str) -> pd.DataFrame:
    persons = table.to_pandas()
    return persons.rename(columns={id: "id"}) if id != "id" else persons


@dataclass(frozen=True)
class _RowGroups:
    """Row groups ``first..last-1`` of a wide parquet file (one row per person)."""

    path: str
    first: int
    last: int

    def read(self, columns: list[str]):
        """The row groups' ``columns`` as a pyarrow table."""
        return _parquet(self.path).read_row_groups(range(self.first, self.last), columns=columns)


def _slice_panel(panel: StatusPanel, rows: slice) -> StatusPanel:
    return replace(
        panel,
        ids=panel.ids[rows],
        codes=panel.codes[rows],
        reference_week=None if panel.reference_week is None else panel.reference_week[rows],
        hours=None if panel.hours is None else panel.hours[rows],
    )


def _run_frame(frame: pd.DataFrame, builder: _Builder, job) -> tuple[int, object]:
    panel, persons = builder.build(frame)
    return panel.n_persons, job.run(panel, persons, {})


def _run_row_groups(part: _RowGroups, builder: _Builder, job) -> tuple[int, object]:
    """One partition of a parquet file: its panel by the fast ingest of its row groups,
    its persons' columns by pyarrow."""
    panel = builder.read_file(part.path, range(part.first, part.last))
    persons = _persons_frame(part.read([builder.id, *builder.person_columns]), builder.id)
    return panel.n_persons, job.run(panel, persons, {})


def _run_panel(panel: StatusPanel, persons: pd.DataFrame | None, job) -> tuple[int, object]:
    return panel.n_persons, job.run(panel, persons, {})


# ---------------------------------------------------------------------- jobs
# A job is run on each chunk (``run(panel, persons, shared)``) and merges the chunks'
# results (``merge(parts)``). ``shared`` is a dict that lives for one chunk: jobs of one
# pass that need the same spells compute them once.
def _keep(persons: pd.DataFrame | None, columns: Sequence[str]) -> pd.DataFrame | None:
    if not columns:
        return None
    return persons[["id", *columns]]


def _chunk_spells(panel, persons, states, options, keep, shared) -> pd.DataFrame:
    """The chunk's spells, computed once per chunk for every job that asks the same."""
    key = ("spells", states, tuple(sorted(options.items())), keep)
    try:
        hash(key)
    except TypeError:  # an unhashable window: no sharing
        key = None
    if key is not None and key in shared:
        return shared[key]
    frame = _spells(panel, list(states), keep=_keep(persons, keep), **options)
    if key is not None:
        shared[key] = frame
    return frame


@dataclass(frozen=True)
class _SpellsJob:
    states: tuple
    options: dict
    keep: tuple

    def run(self, panel, persons, shared):
        return _chunk_spells(panel, persons, self.states, self.options, self.keep, shared)

    @staticmethod
    def merge(parts):
        return _concat(parts)


@dataclass(frozen=True)
class _OutcomeJob:
    function: Callable
    args: tuple
    kwargs: dict
    keep: tuple

    def run(self, panel, persons, shared):
        keep = _keep(persons, self.keep)
        extra = {} if keep is None else {"keep": keep}
        return self.function(panel, *self.args, **extra, **self.kwargs)

    @staticmethod
    def merge(parts):
        return _concat(parts)


@dataclass(frozen=True)
class _SurvivalJob:
    states: tuple
    options: dict
    by: str | None
    causes: bool

    def run(self, panel, persons, shared):
        frame = _chunk_spells(panel, persons, self.states, self.options, _tuple(self.by), shared)
        event = "event"
        if self.causes:
            code = frame["state_after"].cat.codes.to_numpy().astype(np.int64) + 1
            frame = pd.DataFrame(
                {
                    "duration": frame["duration"].to_numpy(),
                    "exit": np.where(frame["event"].to_numpy() > 0, code, 0),
                    **({self.by: frame[self.by].to_numpy()} if self.by else {}),
                }
            )
            event = "exit"
        return survival_counts(frame, "duration", event, group=self.by)

    @staticmethod
    def merge(parts):
        return SurvivalCounts.merge(parts)


@dataclass(frozen=True)
class _UnitPeriodJob:
    states: tuple
    unit: str | None
    by: str

    def run(self, panel, persons, shared):
        units = None if self.unit is None else persons[self.unit]
        return unit_period_counts(panel, list(self.states), units, self.unit, self.by)

    @staticmethod
    def merge(parts):
        return merge_unit_period(parts)


@dataclass(frozen=True)
class _ManyJobs:
    """Several jobs in one pass: each chunk is read and built once for all of them."""

    jobs: tuple

    def run(self, panel, persons, shared=None):
        shared = {}
        return tuple(job.run(panel, persons, shared) for job in self.jobs)

    def merge(self, parts):
        return tuple(job.merge([part[i] for part in parts]) for i, job in enumerate(self.jobs))


# ---------------------------------------------------------------------- requests
@dataclass(frozen=True)
class Spells:
    """A request for :meth:`Register.spells` in :meth:`Register.collect`.

    Parameters
    ----------
    states : a state name or a list of names.
    max_gap, min_length, window : as in :func:`evalkit.panel.spells`.
    keep : person columns of the register placed after ``id``.

    Returns
    -------
    The spells frame, one row per spell.
    """

    states: str | Sequence[str]
    max_gap: int = 0
    min_length: int = 1
    window: tuple | None = None
    keep: Sequence[str] | None = None

    def _job(self, register: Register) -> _SpellsJob:
        options = {"max_gap": self.max_gap, "min_length": self.min_length, "window": self.window}
        return _SpellsJob(_states(self.states), options, register._kept(self.keep))


@dataclass(frozen=True)
class Survival:
    """A request for :meth:`Register.survival` in :meth:`Register.collect`.

    Parameters
    ----------
    states : a state name or a list of names: the spells.
    by : a person column of the register (the arm), or None.
    causes : the exit code is the destination (1 + its position in the panel's states).
    max_gap, min_length, window : as in :func:`evalkit.panel.spells`.

    Returns
    -------
    A :class:`~evalkit.scale.SurvivalCounts` (``.kaplan_meier()``,
        ``.logrank_test()``, ``.cumulative_incidence()``, ``.hazard_table()``).
    """

    states: str | Sequence[str]
    by: str | None = None
    causes: bool = False
    max_gap: int = 0
    min_length: int = 1
    window: tuple | None = None

    def _job(self, register: Register) -> _SurvivalJob:
        if self.by is not None:
            if not isinstance(self.by, str):
                raise ArgumentError(f"by must be one person column (a name); got {self.by!r}.")
            register._kept([self.by])
        if not isinstance(self.causes, bool | np.bool_):
            raise ArgumentError(f"causes must be True or False; got {self.causes!r}.")
        options = {"max_gap": self.max_gap, "min_length": self.min_length, "window": self.window}
        return _SurvivalJob(_states(self.states), options, self.by, bool(self.causes))


@dataclass(frozen=True)
class UnitPeriod:
    """A request for :meth:`Register.unit_period` in :meth:`Register.collect`.

    Parameters
    ----------
    states : a state name or a list of names: the set counted.
    unit : a person column of the register (the municipality), or None (national).
    by : ``"week"``, ``"month"`` or ``"year"``.

    Returns
    -------
    The counts table of :func:`evalkit.scale.unit_period_counts`.
    """

    states: str | Sequence[str]
    unit: str | None = None
    by: str = "month"

    def _job(self, register: Register) -> _UnitPeriodJob:
        check_choice(self.by, "by", PERIODS)
        if self.unit is not None:
            if not isinstance(self.unit, str):
                raise ArgumentError(f"unit must be one person column (a name); got {self.unit!r}.")
            register._kept([self.unit])
        return _UnitPeriodJob(_states(self.states), self.unit, self.by)


class Outcome:
    """A request for :meth:`Register.outcome` in :meth:`Register.collect`:
    ``Outcome(function, *args, keep=None, **kwargs)``.

    Parameters
    ----------
    function : a per-person function of a panel, ``function(panel, *args, keep=...,
        **kwargs)`` (importable for Dask).
    *args, **kwargs : its arguments.
    keep : person columns of the register passed as ``keep``.

    Returns
    -------
    The function's frame for every person, in the persons' order.
    """

    def __init__(self, function: Callable[..., pd.DataFrame], *args, keep=None, **kwargs):
        if not callable(function):
            raise ArgumentError(f"function must be callable; got {type(function).__name__}.")
        self.function, self.args, self.kwargs, self.keep = function, args, kwargs, keep

    def __repr__(self) -> str:
        return f"Outcome({getattr(self.function, '__name__', 'function')}, ...)"

    def _job(self, register: Register) -> _OutcomeJob:
        return _OutcomeJob(self.function, self.args, self.kwargs, register._kept(self.keep))


REQUESTS = (Spells, Survival, UnitPeriod, Outcome)


def _states(states) -> tuple:
    if isinstance(states, str):
        return (states,)
    try:
        names = tuple(states)
    except TypeError:
        names = ()
    if not names or not all(isinstance(s, str) for s in names):
        raise ArgumentError(
            f"states must be a state name or a list of names; got {type(states).__name__}."
        )
    return names


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Per-person (or per-spell) frames of chunks, stacked in the chunks' order."""
    return map_person_chunks(parts, _same, _same)


def _same(frame):
    return frame


def _tuple(value) -> tuple:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


# ---------------------------------------------------------------------- the register
@dataclass(eq=False)
class Register:
    """A register extract and the engine that runs computations on it.

    Parameters
    ----------
    data : a :class:`~evalkit.panel.StatusPanel`; a wide pandas DataFrame (one row per
        person, one column per week); the path of a wide parquet or CSV file; or a
        ``dask.dataframe.DataFrame`` with one row per person (each partition a set of
        whole persons). Files are read by the fast ingest
        (:func:`evalkit.panel.read_status_panel` in memory,
        :func:`evalkit.panel.iter_panel_chunks` streamed; on Dask each task reads its
        parquet row groups with ``read_status_panel(..., row_groups=...)``); a dask
        frame's partitions go through :meth:`StatusPanel.from_wide`, which classifies
        integer and nullable-integer columns without a float copy (read parquet with
        ``dtype_backend="numpy_nullable"``).
    id : the id column (frames, files).
    weeks : the week columns, a list or a prefix (``"y_"``) (frames, files).
    states : the classification of the codes (a dict or a
        :class:`~evalkit.panel.StateClassification`) (frames, files).
    blank : the state of a blank cell after the person's first code (DREAM:
        ``"self_sufficient"``).
    person_columns : columns of the data with one value per person (the arm, the
        municipality) to group and keep by.
    persons : with a StatusPanel, a frame of those columns: column ``id`` and one row
        per person of the panel.
    engine : ``"memory"``, ``"stream"`` or ``"dask"``; default: ``"memory"`` for a panel or
        a pandas frame, ``"stream"`` for a path, ``"dask"`` for a dask frame.
    chunk_persons : persons per chunk (stream and dask; on Dask a parquet file's chunks
        follow its row groups, joined up to about this many rows).
    progress : a progress line on standard error (persons done, rate, time left):
        True, False, or None (only on a terminal).
    scheduler : Dask's scheduler: None (default) uses an active ``dask.distributed``
        ``Client`` if there is one, else local processes; or ``"processes"``,
        ``"threads"``, ``"synchronous"`` or a ``Client``.
    num_workers : processes of the local scheduler (default: every core).

    Example
    -------
    >>> from evalkit.panel import StatusPanel
    >>> panel = StatusPanel(np.array([1, 2, 3]), np.array([[1, 1, 0], [0, 1, 1], [-1, -1, -1]]),
    ...                     ("self_sufficient", "cash_benefit"))
    >>> persons = pd.DataFrame({"id": [1, 2, 3], "arm": [0, 1, 1]})
    >>> reg = Register(panel, persons=persons, person_columns=["arm"], engine="stream",
    ...                chunk_persons=2)
    >>> reg.spells("cash_benefit", keep=["arm"])[["id", "arm", "start", "end", "event"]]
       id  arm  start  end  event
    0   1    0      0    1      1
    1   2    1      1    2      0
    >>> reg.survival("cash_benefit", by="arm").kaplan_meier().table["survival"].tolist()
    [0.0, 1.0]
    """

    data: object
    id: str = "id"
    weeks: Sequence[str] | str | None = None
    states: StateClassification | dict | None = None
    blank: str | None = None
    person_columns: Sequence[str] = ()
    persons: pd.DataFrame | None = None
    engine: str | None = None
    chunk_persons: int = 100_000
    progress: bool | None = None
    scheduler: object = None
    num_workers: int | None = None
    _kind: str = field(init=False, repr=False)
    _builder: _Builder | None = field(init=False, repr=False, default=None)
    _cache: dict = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._kind = _kind_of(self.data)
        if self.engine is None:
            self.engine = {"panel": "memory", "frame": "memory", "path": "stream"}.get(
                self._kind, "dask"
            )
        check_choice(self.engine, "engine", ENGINES)
        if (
            isinstance(self.chunk_persons, bool)
            or not isinstance(self.chunk_persons, int | np.integer)
            or self.chunk_persons < 1
        ):
            raise ArgumentError(
                f"chunk_persons must be a whole number >= 1; got {self.chunk_persons!r}."
            )
        self.person_columns = _tuple(self.person_columns)
        if self._kind == "panel":
            self._check_persons()
        else:
            if self.persons is not None:
                raise ArgumentError(
                    "persons= goes with a StatusPanel; with a frame or a file name the "
                    "person columns in the data with person_columns=[...]."
                )
            self._builder = self._make_builder()
            if self._kind == "path" and self.engine == "dask" and _is_csv(self.data):
                raise ArgumentError(
                    "engine='dask' cuts a file by its parquet row groups; pass a CSV file as "
                    "dask.dataframe.read_csv(...) (one row per person) or write it to parquet."
                )

    # ------------------------------------------------------------------ set-up checks
    def _check_persons(self) -> None:
        panel = self.data
        if self.persons is None:
            if self.person_columns:
                raise ArgumentError(
                    "person_columns with a StatusPanel need persons= (a frame with column "
                    "'id' and those columns, one row per person)."
                )
            return
        if not isinstance(self.persons, pd.DataFrame):
            raise ArgumentError(
                f"persons must be a pandas DataFrame; got {type(self.persons).__name__}."
            )
        missing = [c for c in ("id", *self.person_columns) if c not in self.persons.columns]
        if missing:
            raise ColumnError(f"persons lacks the columns {missing}.")
        table = self.persons[["id", *self.person_columns]]
        if table["id"].duplicated().any():
            raise DesignError(
                f"persons has {int(table['id'].duplicated().sum())} repeated ids in column "
                "'id'; keep one row per person."
            )
        index = pd.Index(table["id"]).get_indexer(panel.ids)
        if (index < 0).any():
            raise DesignError(
                f"{int((index < 0).sum())} persons of the panel are not in persons (column "
                "'id'); give every person of the panel a row."
            )
        self.persons = table.iloc[index].reset_index(drop=True)

    def _make_builder(self) -> _Builder:
        if self.states is None:
            raise ArgumentError(
                "a frame or a file needs states= (the classification of the codes, e.g. "
                "evalkit.panel.synthetic_classification())."
            )
        states = (
            self.states
            if isinstance(self.states, StateClassification)
            else StateClassification(self.states)
        )
        names = self._column_names()
        if self.id not in names:
            raise ColumnError(f"id column {self.id!r} is not in the data.")
        if self.weeks is None:
            raise ArgumentError("a frame or a file needs weeks= (the week columns or a prefix).")
        if isinstance(self.weeks, str):
            weeks = tuple(c for c in names if str(c).startswith(self.weeks))
            if not weeks:
                raise ArgumentError(f"no columns start with {self.weeks!r}.")
        else:
            weeks = tuple(self.weeks)
            missing = [c for c in weeks if c not in names]
            if missing:
                raise ColumnError(f"{len(missing)} week columns are not in the data.")
        missing = [c for c in self.person_columns if c not in names]
        if missing:
            raise ColumnError(f"person columns {missing} are not in the data.")
        return _Builder(self.id, weeks, states, self.blank, self.person_columns)

    def _column_names(self) -> list:
        if self._kind == "path" and _is_csv(self.data):
            return [str(c) for c in pd.read_csv(self.data, nrows=0).columns]
        if self._kind == "path":
            return list(_parquet(self.data).schema_arrow.names)
        return list(self.data.columns)

    # ------------------------------------------------------------------ running
    def _n_persons(self) -> int | None:
        if self._kind == "panel":
            return self.data.n_persons
        if self._kind == "frame":
            return len(self.data)
        if self._kind == "path" and not _is_csv(self.data):
            return _parquet(self.data).metadata.num_rows
        return None

    def _local_chunks(self) -> Iterator[tuple[StatusPanel, pd.DataFrame | None]]:
        """Chunks of whole persons in order (memory: one chunk; stream: many)."""
        if self.engine == "memory":
            yield self._whole()
            return
        step = int(self.chunk_persons)
        if self._kind == "panel":
            for start in range(0, self.data.n_persons, step):
                rows = slice(start, start + step)
                persons = None if self.persons is None else self.persons.iloc[rows]
                yield _slice_panel(self.data, rows), persons
        elif self._kind == "frame":
            for start in range(0, len(self.data), step):
                yield self._builder.build(self.data.iloc[start : start + step])
        elif self._kind == "path":  # the fast ingest, chunk by chunk
            persons = self._builder.file_persons(self.data)
            start = 0
            for panel in self._builder.file_chunks(self.data, step):
                stop = start + panel.n_persons
                yield panel, persons.iloc[start:stop].reset_index(drop=True)
                start = stop
        else:
            for partition in self.data.to_delayed():
                yield self._builder.build(partition.compute(scheduler="synchronous"))

    def _whole(self) -> tuple[StatusPanel, pd.DataFrame | None]:
        if self._kind == "panel":
            return self.data, self.persons
        if self._kind == "frame":
            return self._builder.build(self.data)
        if "whole" in self._cache:
            return self._cache["whole"]
        if self._kind == "path":  # the fast ingest: the file straight into one int8 panel
            whole = self._builder.read_file(self.data), self._builder.file_persons(self.data)
            self._cache["whole"] = whole
            return whole
        # a dask frame in memory: built chunk by chunk, then joined (once)
        total = self._n_persons()
        first = codes = None
        ids, persons, filled = [], [], 0
        for chunk, people in replace(self, engine="stream", progress=False)._local_chunks():
            if codes is None:  # one array for the panel, filled chunk by chunk
                first = chunk
                codes = np.empty((total or 0, chunk.n_weeks), dtype=np.int8)
            if total is None:
                codes = np.concatenate([codes, chunk.codes])
            else:
                codes[filled : filled + chunk.n_persons] = chunk.codes
            filled += chunk.n_persons
            ids.append(chunk.ids)
            persons.append(people)
        panel = replace(first, ids=np.concatenate(ids), codes=codes[:filled])
        persons = pd.concat(persons, ignore_index=True)
        self._cache["whole"] = (panel, persons)
        return panel, persons

    def _run(self, job, label: str):
        with Progress(label, self._n_persons(), "persons", self.progress) as bar:
            if self.engine == "dask":
                parts = self._run_dask(job, bar)
            else:
                parts = []
                for panel, persons in self._local_chunks():
                    n, result = _run_panel(panel, persons, job)
                    parts.append(result)
                    bar.update(n)
        return job.merge(parts)

    def _tasks(self, job) -> list:
        import dask

        delayed = dask.delayed
        step = int(self.chunk_persons)
        if self._kind == "panel":
            tasks = []
            for start in range(0, self.data.n_persons, step):
                rows = slice(start, start + step)
                persons = None if self.persons is None else self.persons.iloc[rows]
                tasks.append(delayed(_run_panel)(_slice_panel(self.data, rows), persons, job))
            return tasks
        if self._kind == "frame":
            return [
                delayed(_run_frame)(self.data.iloc[s : s + step], self._builder, job)
                for s in range(0, len(self.data), step)
            ]
        if self._kind == "path":
            return [
                delayed(_run_row_groups)(part, self._builder, job)
                for part in _row_group_parts(self.data, step)
            ]
        return [
            delayed(_run_frame)(partition, self._builder, job)
            for partition in self.data.to_delayed()
        ]

    def _run_dask(self, job, bar: Progress) -> list:
        dask = _dask()
        tasks = self._tasks(job)
        scheduler = self.scheduler
        if scheduler is None:
            scheduler = "processes" if _client() is None else None
        options = {} if scheduler is None else {"scheduler": scheduler}
        if self.num_workers is not None and scheduler in ("processes", "threads"):
            options["num_workers"] = int(self.num_workers)
        keys = set()
        from dask.callbacks import Callback

        class _Counter(Callback):
            def _posttask(self, key, result, dsk, state, worker_id):
                if isinstance(result, tuple) and len(result) == 2 and key in keys:
                    bar.update(result[0])

        keys.update(t.key for t in tasks)
        with _Counter(), dask.config.set(_process_context(dask, scheduler)):
            results = dask.compute(*tasks, **options)
        if bar.done == 0:  # a cluster: no per-task callback in this process
            bar.update(sum(n for n, _ in results))
        return [result for _, result in results]

    # ------------------------------------------------------------------ the pipeline
    def panel(self) -> StatusPanel:
        """The whole panel in memory (built chunk by chunk from a file or a dask frame;
        with ``engine="memory"`` it is built once and kept for the next computations)."""
        return self._whole()[0]

    def spells(
        self,
        states: str | Iterable[str],
        max_gap: int = 0,
        min_length: int = 1,
        window: tuple | None = None,
        keep: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """:func:`evalkit.panel.spells` of every person, with ``keep`` person columns
        placed after ``id``; one row per spell, persons in the data's order."""
        request = Spells(states, max_gap, min_length, window, keep)
        return self._run(request._job(self), "spells")

    def outcome(
        self,
        function: Callable[..., pd.DataFrame],
        *args,
        keep: Sequence[str] | None = None,
        **kwargs,
    ) -> pd.DataFrame:
        """A per-person function of the panel (:func:`~evalkit.panel.weeks_in_states`,
        :func:`~evalkit.panel.time_to_first`, :func:`~evalkit.panel.in_state_at`,
        :func:`~evalkit.panel.first_durable_entry`...) on every person:
        ``function(panel, *args, keep=..., **kwargs)``, concatenated in the persons' order.
        On Dask the function must be importable (a module-level function)."""
        job = Outcome(function, *args, keep=keep, **kwargs)._job(self)
        return self._run(job, getattr(function, "__name__", "outcome"))

    def survival(
        self,
        states: str | Iterable[str],
        by: str | None = None,
        causes: bool = False,
        max_gap: int = 0,
        min_length: int = 1,
        window: tuple | None = None,
    ) -> SurvivalCounts:
        """The spells in ``states`` counted per group (``by``, a person column), duration
        and exit: call ``.kaplan_meier()``, ``.logrank_test()``, ``.hazard_table()`` on
        the result, or, with ``causes=True`` (the exit code is 1 + the position of the
        destination state in the panel's states), ``.cumulative_incidence()``."""
        job = Survival(states, by, causes, max_gap, min_length, window)._job(self)
        return self._run(job, "survival counts")

    def kaplan_meier(self, states, by: str | None = None, **options):
        """Kaplan–Meier curves of the spells in ``states`` by ``by`` (see :meth:`survival`)."""
        return self.survival(states, by=by, **options).kaplan_meier()

    def logrank_test(self, states, by: str, rho: float = 0.0, **options):
        """The log-rank (G-rho) test of the spells in ``states`` across ``by``."""
        return self.survival(states, by=by, **options).logrank_test(rho=rho)

    def cumulative_incidence(self, states, by: str | None = None, **options):
        """Cumulative incidence of each exit destination of the spells in ``states``."""
        return self.survival(states, by=by, causes=True, **options).cumulative_incidence()

    def unit_period(
        self, states: str | Iterable[str], unit: str | None = None, by: str = "month"
    ) -> pd.DataFrame:
        """Counts by unit (a person column, e.g. the municipality) and calendar period
        (:func:`evalkit.scale.unit_period_counts`), added up over the chunks."""
        return self._run(UnitPeriod(states, unit, by)._job(self), "unit-period counts")

    def collect(self, requests):
        """Several computations in one pass over the data.

        Each chunk of persons is read and turned into a panel once, and every request is
        computed on it (requests that need the same spells share them); the results are
        merged as the single calls merge them, so each equals the result of its own call
        (:meth:`spells`, :meth:`survival`, :meth:`unit_period`, :meth:`outcome`).

        Parameters
        ----------
        requests : a dict ``{name: request}`` or a list of requests, each a
            :class:`Spells`, :class:`Survival`, :class:`UnitPeriod` or :class:`Outcome`.

        Returns
        -------
        dict or list
            The results under the same names (a dict) or in the same order (a list):
            spells and outcomes as frames, survival as
            :class:`~evalkit.scale.SurvivalCounts`, unit-period counts as a frame.

        Example
        -------
        >>> from evalkit.panel import StatusPanel
        >>> panel = StatusPanel(np.array([1, 2]), np.array([[1, 1, 0], [0, 1, 1]]),
        ...                     ("self_sufficient", "cash_benefit"))
        >>> persons = pd.DataFrame({"id": [1, 2], "arm": [0, 1]})
        >>> reg = Register(panel, persons=persons, person_columns=["arm"], engine="stream",
        ...                chunk_persons=1)
        >>> out = reg.collect({"spells": Spells("cash_benefit"),
        ...                    "km": Survival("cash_benefit", by="arm")})
        >>> len(out["spells"]), out["km"].n
        (2, 2)
        """
        if isinstance(requests, Mapping):
            names = list(requests)
            if not all(isinstance(name, str) for name in names):
                raise ArgumentError("the names of the requests must be strings.")
            items = list(requests.values())
        elif isinstance(requests, list | tuple):
            names, items = None, list(requests)
        else:
            raise ArgumentError(
                "requests must be a dict {name: request} or a list of requests; got "
                f"{type(requests).__name__}."
            )
        if not items:
            raise ArgumentError("collect needs at least one request.")
        for item in items:
            if not isinstance(item, REQUESTS):
                raise ArgumentError(
                    "each request must be a Spells, Survival, UnitPeriod or Outcome (from "
                    f"evalkit.scale); got {type(item).__name__}."
                )
        job = _ManyJobs(tuple(item._job(self) for item in items))
        results = self._run(job, "collect")
        return list(results) if names is None else dict(zip(names, results, strict=True))

    def _kept(self, keep) -> tuple:
        columns = _tuple(keep)
        unknown = [c for c in columns if c not in self.person_columns]
        if unknown:
            raise ColumnError(
                f"{unknown} are not person columns of this register; name them in "
                f"person_columns= (now {list(self.person_columns)})."
            )
        return columns


# ---------------------------------------------------------------------- helpers
def _kind_of(data) -> str:
    if isinstance(data, StatusPanel):
        return "panel"
    if isinstance(data, pd.DataFrame):
        return "frame"
    if isinstance(data, str | os.PathLike):
        path = Path(data)
        if not path.exists():
            raise ArgumentError(f"the file {path.name!r} does not exist (in {path.parent}).")
        if path.suffix.lower() not in (".parquet", ".pq", ".csv"):
            raise ArgumentError(
                f"the file {path.name!r} is not a .parquet or .csv file; read other formats "
                "with evalkit.panel.read_status_panel and pass the panel, or with "
                "evalkit.panel.read_panel and pass the frame."
            )
        return "path"
    module = type(data).__module__ or ""
    if module.startswith("dask") and hasattr(data, "to_delayed"):
        return "dask"
    raise ArgumentError(
        f"data must be a StatusPanel, a pandas DataFrame, the path of a parquet file or a "
        f"dask DataFrame; got {type(data).__name__}."
    )


def _is_csv(path) -> bool:
    return Path(path).suffix.lower() == ".csv"


def _parquet(path):
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise EvalkitError(
            "reading parquet files needs the optional package 'pyarrow'; install it with: "
            'pip install "evalkit[parquet]"'
        ) from None
    return pq.ParquetFile(path)


def _row_group_parts(path, step: int) -> list[_RowGroups]:
    """Consecutive row groups joined up to about ``step`` rows (a group is never split)."""
    meta = _parquet(path).metadata
    parts, first, rows = [], 0, 0
    for g in range(meta.num_row_groups):
        rows += meta.row_group(g).num_rows
        if rows >= step or g == meta.num_row_groups - 1:
            parts.append(_RowGroups(str(path), first, g + 1))
            first, rows = g + 1, 0
    return parts


def _dask():
    try:
        import dask
    except ImportError:
        raise EvalkitError(
            "engine='dask' needs the optional package 'dask'; install it with: "
            'pip install "evalkit[dask]"'
        ) from None
    return dask


def _process_context(dask, scheduler) -> dict:
    """Dask settings for the local process scheduler: its workers are forked from this
    process (``multiprocessing.context="fork"``) rather than spawned, when that is safe.

    A spawned worker starts a new interpreter and imports evalkit, pandas, pyarrow and
    scipy again before its first task: about 3 CPU seconds a worker, measured on the
    2-core benchmark machine, i.e. most of what the 1M-person Dask run spent over the
    streamed pass. A forked worker has them already. Forking is done only on Linux (not
    macOS, where system libraries do not survive a fork), when this process runs one
    Python thread (a fork copies no other thread, which could hold a lock) and when
    Dask's ``multiprocessing.context`` is left at its default (``"spawn"``); otherwise
    Dask's setting is used as it is.
    """
    if scheduler != "processes" or sys.platform != "linux" or threading.active_count() != 1:
        return {}
    if dask.config.get("multiprocessing.context", "spawn") != "spawn":
        return {}
    return {"multiprocessing.context": "fork"}


def _client():
    """The active dask.distributed Client, or None."""
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        return default_client()
    except ValueError:
        return None
