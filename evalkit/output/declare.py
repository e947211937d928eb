"""Declarations: the maker of a table says which of its numbers are counts of persons.

The output gate never guesses from column names. A table builder (evalkit's, or the
analyst's through :func:`declare_table`) records in ``frame.attrs["evalkit_output"]``:

- ``counts``: the columns holding counts of persons (whole or fractional, such as
  full-year persons);
- ``dependent``: columns computed from the counts on their row (shares, means, rates,
  estimates, texts quoting a count), each with the count columns it rests on;
- ``totals``: the row label and/or column holding totals (for secondary suppression);
- ``complements``: a count and the count of its whole on the same row (``{"successes":
  "n"}``): the persons of the whole without the property (n − successes) are a count too,
  and when it is small the part is suppressed with what rests on it;
- ``across_rows``: columns computed from the counts of *every* row (a difference from a
  mean over periods): the whole column is suppressed when any of those counts is;
- ``amounts``: columns of amounts (kroner) with, per row, whether the cell fails a
  dominance rule (see :func:`evalkit.output.amounts.amount_table`);
- ``person_level``: one row per person (microdata: never exported from register data);
- ``kind``: ``"table"``, or ``"curve"`` for survival and cumulative-incidence tables
  (exported through :func:`evalkit.report.disclosure.safe_curve`);
- ``source``: ``"register"`` (default: controlled), ``"synthetic"``, ``"public"`` or
  ``"published"`` (figures already published: not controlled again).

Example
-------
>>> import pandas as pd
>>> t = declare_table(pd.DataFrame({"arm": ["a", "b"], "persons": [40, 3],
...                                 "share": [0.4, 0.3]}),
...                   counts=["persons"], dependent=["share"])
>>> declaration(t)["counts"], declaration(t)["dependent"]
(['persons'], {'share': ['persons']})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ArgumentError, ColumnError

KEY = "evalkit_output"
SOURCES = ("register", "synthetic", "public", "published")
KINDS = ("table", "curve")


def check_source(source) -> str:
    """``source`` if it is one of :data:`SOURCES`, else an ArgumentError."""
    if source not in SOURCES:
        raise ArgumentError(
            f"source must be one of {', '.join(map(repr, SOURCES))} (where the numbers come "
            f"from); got {source!r}."
        )
    return source


def _names(frame: pd.DataFrame, columns, role: str) -> list:
    if columns is None:
        return []
    if isinstance(columns, str) or not isinstance(columns, Sequence | pd.Index):
        columns = [columns]
    names = list(columns)
    for name in names:
        if name not in frame.columns:
            raise ColumnError(
                f"{role} column {name!r} is not in the table ({len(frame.columns)} columns)."
            )
    if len(set(names)) != len(names):
        raise ColumnError(f"{role} names a column twice.")
    return names


def declare_table(
    frame: pd.DataFrame,
    *,
    counts: str | Sequence[str] | None = None,
    dependent: Sequence[str] | Mapping[str, str | Sequence[str]] | None = None,
    totals: Mapping | None = None,
    complements: Mapping[str, str] | None = None,
    across_rows: Mapping[str, str | Sequence[str]] | None = None,
    amounts: Mapping[str, Sequence[bool]] | None = None,
    person_level: bool = False,
    kind: str = "table",
    source: str | None = None,
    controlled_at: int | None = None,
) -> pd.DataFrame:
    """A shallow copy of ``frame`` carrying the declaration of what its numbers are.

    ``dependent`` as a list makes each column depend on every count column; as a dict
    ``{column: count column(s)}`` on those named. ``amounts`` maps an amount column to
    one boolean per row, True where the cell fails a dominance rule. ``source`` None keeps
    an earlier declaration's (default ``"register"``). ``controlled_at``: the maker has
    already applied disclosure control at this threshold (a formatted table whose cells
    are text); the gate checks the threshold against the rules. See the module docstring.
    """
    if not isinstance(frame, pd.DataFrame):
        raise ArgumentError(f"declare_table takes a pandas DataFrame; got {type(frame).__name__}.")
    if kind not in KINDS:
        raise ArgumentError(f"kind must be one of {KINDS}; got {kind!r}.")
    if not isinstance(person_level, bool):
        raise ArgumentError(f"person_level must be True or False; got {person_level!r}.")
    count_names = _names(frame, counts, "count")
    if isinstance(dependent, Mapping):
        dep = {}
        for column, sources in dependent.items():
            _names(frame, [column], "dependent")
            dep[column] = _names(frame, sources, f"count column of dependent {column!r}")
            stray = [s for s in dep[column] if s not in count_names]
            if stray:
                raise ArgumentError(
                    f"dependent column {column!r} rests on {stray!r}, which are not declared "
                    "as counts."
                )
    else:
        dep = {c: list(count_names) for c in _names(frame, dependent, "dependent")}
    clash = [c for c in dep if c in count_names]
    if clash:
        raise ColumnError(f"columns {clash!r} are declared both as counts and as dependent.")
    complement_pairs = {}
    for part, whole in (complements or {}).items():
        if part not in count_names or whole not in count_names:
            raise ArgumentError(
                f"complements pairs declared counts (part: whole); {part!r}: {whole!r} is not."
            )
        complement_pairs[part] = whole
    across = {}
    for column, sources in (across_rows or {}).items():
        _names(frame, [column], "across_rows")
        across[column] = _names(frame, sources, f"count column of {column!r}")
        if column in count_names or any(s not in count_names for s in across[column]):
            raise ArgumentError(
                f"across_rows[{column!r}] must be a column that is not a count, resting on "
                "declared counts."
            )
    amount_flags = {}
    for column, flags in (amounts or {}).items():
        _names(frame, [column], "amount")
        flags = np.asarray(flags, dtype=bool)
        if flags.shape != (len(frame),):
            raise ArgumentError(
                f"amounts[{column!r}] must hold one True/False per row ({len(frame)})."
            )
        amount_flags[column] = flags.tolist()
    if totals is not None:
        if not isinstance(totals, Mapping) or not set(totals) <= {"row", "column"}:
            raise ArgumentError(
                "totals must be a dict with a 'row' key (index label of the totals row) "
                "and/or a 'column' key (a count column holding row totals)."
            )
        totals = dict(totals)
    previous = declaration(frame) or {}
    out = frame.copy(deep=False)
    out.attrs = dict(frame.attrs)
    out.attrs[KEY] = {
        "counts": count_names,
        "dependent": dep,
        "totals": totals,
        "complements": complement_pairs,
        "across_rows": across,
        "amounts": amount_flags,
        "person_level": person_level,
        "kind": kind,
        "source": check_source(source)
        if source is not None
        else previous.get("source", "register"),
        "controlled_at": None if controlled_at is None else int(controlled_at),
    }
    return out


def declare_resting_on(frame: pd.DataFrame, counts: Mapping[str, float]) -> pd.DataFrame:
    """``frame`` (one summary of many cells: a mean gap over periods, a test over units)
    declared as resting on ``counts`` (every count of persons it was computed from, by
    name): a column ``smallest_count`` holds the smallest of them, declared as a count,
    and every other number rests on it, so the gate suppresses the whole summary when
    one of its cells is small (with the cells shown elsewhere, the summary would give
    that cell back).

    >>> import pandas as pd
    >>> t = declare_resting_on(pd.DataFrame({"gap": [0.1]}), {"n (2019)": 40, "n (2020)": 3})
    >>> t["smallest_count"].tolist(), declaration(t)["dependent"]
    ([3], {'gap': ['smallest_count']})
    """
    values = [float(v) for v in counts.values() if v is not None and not pd.isna(v)]
    out = frame.copy()
    smallest = min(values) if values else np.nan
    out["smallest_count"] = int(smallest) if float(smallest).is_integer() else smallest
    numeric = [
        c for c in out.columns
        if c != "smallest_count" and pd.api.types.is_numeric_dtype(out[c].dtype)
        and not pd.api.types.is_bool_dtype(out[c].dtype)
    ]  # fmt: skip
    return declare_table(out, counts=["smallest_count"], dependent=numeric)


def declaration(frame: pd.DataFrame) -> dict | None:
    """The declaration recorded on ``frame`` by :func:`declare_table`, or None."""
    info = getattr(frame, "attrs", {}).get(KEY)
    return dict(info) if info else None


def declare_source(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """``frame`` (a shallow copy) declared as coming from ``source`` (see :data:`SOURCES`),
    keeping the rest of its declaration."""
    info = declaration(frame)
    if info is None:
        info = {"counts": [], "dependent": {}, "totals": None, "amounts": {},
                "person_level": False, "kind": "table"}  # fmt: skip
    out = frame.copy(deep=False)
    out.attrs = dict(frame.attrs)
    out.attrs[KEY] = {**info, "source": check_source(source)}
    return out


def person_level(frame: pd.DataFrame, source: str | None = None) -> pd.DataFrame:
    """``frame`` declared as one row per person (spells, outcomes, assignments)."""
    return declare_table(frame, person_level=True, source=source)
