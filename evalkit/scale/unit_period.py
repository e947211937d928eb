"""Counts by unit and calendar period: the national series the benchmark module compares.

For every unit (a municipality, a job centre) and period (ISO week, month or year; a
week belongs to the month or year of its Thursday) :func:`unit_period_counts` counts the
persons observed, the persons in a set of states at least one week, the person-weeks
observed and those in the set. All of them add up over chunks of persons
(:func:`merge_unit_period`), since a person is in one chunk only; shares and full-year
persons are computed after the merge. ``persons_in_state`` of ``persons`` is a series for
:func:`evalkit.benchmark.compare_series` and :func:`evalkit.benchmark.funnel_compare`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .._validation import check_choice
from ..errors import ArgumentError, DesignError
from ..output.declare import declare_table
from ..panel._runs import in_set, row_blocks
from ..panel.outcomes import _thursdays_in_month
from ..panel.panel import StatusPanel
from ..panel.weeks import ordinal_to_label, ordinal_to_monday

__all__ = ["PERIODS", "merge_unit_period", "unit_period_counts"]

PERIODS = ("week", "month", "year")
_SUMS = ("persons", "persons_in_state", "person_weeks", "weeks_in_state")


def unit_period_counts(
    panel: StatusPanel,
    states: str | Iterable[str],
    units=None,
    unit: str | None = "unit",
    by: str = "month",
) -> pd.DataFrame:
    """Persons and person-weeks in a set of states, by unit and calendar period.

    Parameters
    ----------
    panel : a calendar panel (not aligned).
    states : a state name or a list of names: the set.
    units : one unit per person of the panel (array or Series, no missing values), or
        None for one national row per period.
    unit : the name of the unit column in the result.
    by : ``"week"``, ``"month"`` or ``"year"``.

    Returns
    -------
    pandas.DataFrame
        One row per unit and period with someone observed (units sorted, periods in time
        order; a unit-period with no one observed has no row): ``persons`` observed at least
        one week of the period; ``persons_in_state`` in the set at least one week;
        ``person_weeks`` observed; ``weeks_in_state`` in the set; ``period_weeks`` (1, 4/5
        or 52/53); ``share`` = weeks_in_state / person_weeks; ``full_year_persons`` =
        weeks_in_state / period_weeks. Declared for the output gate (persons and
        full-year persons are counts).

    Example
    -------
    >>> from evalkit.panel import iso_week_ordinal
    >>> codes = np.array([[0, 0, 1, 1, 1], [1, 1, -1, -1, 0]], dtype=np.int8)
    >>> panel = StatusPanel(np.array([1, 2]), codes, ("self_sufficient", "cash_benefit"),
    ...                     first_week=iso_week_ordinal(2016, 1), calendar=True)
    >>> unit_period_counts(panel, "cash_benefit", units=["a", "b"], by="month")[
    ...     ["unit", "period", "persons", "persons_in_state", "weeks_in_state", "share"]]
      unit   period  persons  persons_in_state  weeks_in_state  share
    0    a  2016-01        1                 1               2    0.5
    1    a  2016-02        1                 1               1    1.0
    2    b  2016-01        1                 1               2    1.0
    3    b  2016-02        1                 0               0    0.0
    """
    if not isinstance(panel, StatusPanel):
        raise ArgumentError(f"panel must be a StatusPanel; got {type(panel).__name__}.")
    if not panel.calendar or panel.aligned:
        raise ArgumentError(
            "unit_period_counts needs a calendar panel that is not aligned (periods are "
            "calendar weeks, months or years)."
        )
    check_choice(by, "by", PERIODS)
    if panel.n_weeks == 0:
        raise ArgumentError("this panel has no weeks.")
    names = [states] if isinstance(states, str) else list(states)
    set_codes = panel.state_codes(names)
    if units is None:
        codes, labels = np.zeros(panel.n_persons, dtype=np.int64), np.array(["all"], dtype=object)
    else:
        values = pd.Series(np.asarray(units))
        if len(values) != panel.n_persons:
            raise ArgumentError(
                f"units has {len(values)} values; give one per person of the panel "
                f"({panel.n_persons})."
            )
        if values.isna().any():
            raise DesignError(
                f"units has {int(values.isna().sum())} missing values; give every person a "
                "unit (or a unit 'unknown')."
            )
        codes, labels = pd.factorize(values, sort=True)
        labels = np.asarray(labels)
    keys, period_labels, divisor = _periods(panel, by)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    covered = np.diff(np.r_[starts, panel.n_weeks])
    n_units, n_periods = len(labels), len(starts)
    sums = _period_sums(panel, set_codes, codes, n_units, starts)
    sums = {name: values.ravel() for name, values in sums.items()}
    frame = pd.DataFrame(
        {
            unit or "unit": np.repeat(labels, n_periods),
            "period": np.tile(np.asarray(period_labels, dtype=object), n_units),
            **sums,
            "period_weeks": np.tile(divisor, n_units),
            "weeks_covered": np.tile(covered, n_units),
        }
    )
    frame.attrs.update({"states": names, "by": by, "unit": unit or "unit"})
    return _finish(frame)


def _period_sums(panel, set_codes, units, n_units: int, starts) -> dict[str, np.ndarray]:
    """The four sums per (unit, period), each an int64 ``(units, periods)`` array.

    Persons are taken in unit order, a block at a time. Each person's weeks observed and
    in the set become bit rows (``packbits``, 64 weeks a word); a period (at most 53
    weeks) lies in one word or straddles two, so a person's weeks of a period are one
    masked popcount (two for the few straddling periods). The person-period counts of a
    block's units are added up with one ``reduceat`` over its rows. The person-weeks are
    read twice (the comparison, the packing); everything else works on words."""
    n_weeks, n_periods = panel.n_weeks, len(starts)
    ends = np.r_[starts[1:], n_weeks]
    n_bytes = -(-n_weeks // 8)
    first, last = starts // 64, (ends - 1) // 64
    split = np.flatnonzero(last > first)
    low = _bits(starts % 64, np.where(last > first, 64, (ends - 1) % 64 + 1))
    high = _bits(np.zeros(len(split), dtype=np.int64), (ends[split] - 1) % 64 + 1)
    order = np.argsort(units, kind="stable")
    sorted_units = units[order]
    in_order = bool((order == np.arange(len(order))).all())
    sums = {name: np.zeros((n_units, n_periods), dtype=np.int64) for name in _SUMS}
    n_states = len(panel.states)
    blocks = row_blocks(panel.n_persons, n_weeks)
    size = blocks[0].stop - blocks[0].start if blocks else 0
    packed = np.zeros((size, -(-n_weeks // 64) * 8), dtype=np.uint8)
    gathered = np.empty((size, n_periods), dtype=np.uint64)
    counts = np.empty((size, n_periods), dtype=np.uint8)
    for rows in blocks:
        k = rows.stop - rows.start
        if not k:
            continue
        block = panel.codes[rows] if in_order else panel.codes[order[rows]]
        block_units = sorted_units[rows]
        firsts = np.flatnonzero(np.r_[True, block_units[1:] != block_units[:-1]])
        present = block_units[firsts]
        bits = packed[:k].view("<u8")
        for name_weeks, name_persons, mask in (
            ("person_weeks", "persons", block >= 0),
            ("weeks_in_state", "persons_in_state", in_set(block, set_codes, n_states)),
        ):
            packed[:k, :n_bytes] = np.packbits(mask, axis=1, bitorder="little")
            np.take(bits, first, axis=1, out=gathered[:k])
            np.bitwise_and(gathered[:k], low, out=gathered[:k])
            np.bitwise_count(gathered[:k], out=counts[:k])
            if split.size:
                counts[:k, split] += np.bitwise_count(bits[:, last[split]] & high)
            sums[name_weeks][present] += np.add.reduceat(counts[:k], firsts, axis=0, dtype=np.int64)
            sums[name_persons][present] += np.add.reduceat(
                (counts[:k] > 0).view(np.uint8), firsts, axis=0, dtype=np.int64
            )
    return sums


def _bits(start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Python ints with bits ``start .. stop-1`` set (per element; stop <= 64)."""
    return np.array(
        [((1 << int(b)) - 1) ^ ((1 << int(a)) - 1) for a, b in zip(start, stop, strict=True)],
        dtype=np.uint64,
    )


def _periods(panel: StatusPanel, by: str):
    """Per column a period key; the periods' labels and weeks (in time order)."""
    if by == "week":
        labels = ordinal_to_label(panel.weeks)
        return np.arange(panel.n_weeks), labels, np.ones(panel.n_weeks, dtype=np.int64)
    thursdays = ordinal_to_monday(panel.weeks) + pd.Timedelta(days=3)
    years = thursdays.year.to_numpy()
    keys = years if by == "year" else years * 12 + thursdays.month.to_numpy() - 1
    uniques = keys[np.r_[True, keys[1:] != keys[:-1]]]
    if by == "year":
        labels = [str(y) for y in uniques]
        divisor = np.array([dt.date(int(y), 12, 28).isocalendar()[1] for y in uniques])
    else:
        labels = [f"{k // 12}-{k % 12 + 1:02d}" for k in uniques]
        divisor = np.array([_thursdays_in_month(k // 12, k % 12 + 1) for k in uniques])
    return keys, labels, divisor


def merge_unit_period(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Add up :func:`unit_period_counts` tables of chunks of persons (same weeks)."""
    frames = list(parts)
    if not frames:
        raise ArgumentError("there are no unit-period tables to merge.")
    unit = frames[0].attrs.get("unit", "unit")
    attrs = dict(frames[0].attrs)
    stacked = pd.concat([f.drop(columns=["share", "full_year_persons"]) for f in frames])
    merged = stacked.groupby([unit, "period"], sort=True, observed=True).agg(
        **{name: (name, "sum") for name in _SUMS},
        period_weeks=("period_weeks", "first"),
        weeks_covered=("weeks_covered", "first"),
    )
    merged = merged.reset_index()
    merged.attrs = attrs
    return _finish(merged)


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    attrs = dict(frame.attrs)
    frame = frame[frame["person_weeks"].to_numpy() > 0].reset_index(drop=True)
    frame.attrs = attrs
    frame["share"] = frame["weeks_in_state"] / frame["person_weeks"]
    frame["full_year_persons"] = frame["weeks_in_state"] / frame["period_weeks"]
    return declare_table(
        frame,
        counts=["persons", "persons_in_state", "full_year_persons"],
        dependent={
            "person_weeks": ["persons"],
            "weeks_in_state": ["persons_in_state", "full_year_persons"],
            "share": ["persons_in_state", "persons"],
        },
        complements={"persons_in_state": "persons"},
    )
