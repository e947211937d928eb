"""Tables of amounts (kroner) with the dominance rules an output checker applies.

A total or mean of amounts can reveal one person even when the cell has many: when one
or two contributors dominate it, each of them (or the other) learns the rest from the
published total. Two rules, with ACRO's default parameters (:mod:`evalkit.output.rules`):

- **N-K**: the ``nk_n`` largest contributions make up ``nk_k`` (90 %) or more of the
  cell's total;
- **p-ratio**: the contributions other than the two largest add up to less than
  ``p_ratio`` (10 %) of the largest, so the second-largest contributor could estimate the
  largest to within that margin.

Both use absolute values (a refund is a contribution too). A cell failing either rule,
or resting on fewer than ``threshold`` persons, is suppressed by the gate.

Example
-------
>>> import pandas as pd
>>> d = pd.DataFrame({"unit": ["a"] * 6 + ["b"] * 6,
...                   "kroner": [100, 110, 90, 105, 95, 100, 5000, 10, 10, 10, 10, 10]})
>>> t = amount_table(d, "kroner", by="unit")
>>> t
  unit  persons   total        mean
0    a        6   600.0  100.000000
1    b        6  5050.0  841.666667
>>> from evalkit.output import gate_table
>>> gate_table(t, "amounts.csv")[0]
  unit persons  total   mean
0    a       6  600.0  100.0
1    b       6      x      x
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._validation import numeric_column
from ..errors import ArgumentError, ColumnError
from .declare import declare_table
from .rules import OutputRules, resolve_rules


def dominated(contributions, rules: OutputRules | str | None = None) -> bool:
    """Whether one cell's contributions fail the N-K or the p-ratio rule.

    >>> dominated([5000, 10, 10, 10, 10, 10]), dominated([100, 110, 90, 105, 95])
    (True, False)
    """
    rules = resolve_rules(rules)
    values = np.sort(np.abs(np.asarray(contributions, dtype=float)))[::-1]
    if values.size == 0 or not np.isfinite(values).all():
        raise ArgumentError("contributions must be finite numbers (at least one).")
    return bool(_flags(values[None, :], np.array([values.sum()]), rules)[0])


def _flags(top: np.ndarray, totals: np.ndarray, rules: OutputRules) -> np.ndarray:
    """Dominance per cell from its largest contributions (rows, sorted descending, padded
    with 0) and its total of absolute values."""
    nk = top[:, : rules.nk_n].sum(axis=1)
    largest = top[:, 0]
    second = top[:, 1] if top.shape[1] > 1 else np.zeros_like(largest)
    rest = totals - largest - second
    with np.errstate(invalid="ignore", divide="ignore"):
        fails_nk = (totals > 0) & (nk >= rules.nk_k * totals)
        fails_p = (largest > 0) & (rest < rules.p_ratio * largest)
    return fails_nk | fails_p


def amount_table(
    data: pd.DataFrame,
    amount: str,
    by: str | Sequence[str] | None = None,
    *,
    rules: OutputRules | str | None = None,
) -> pd.DataFrame:
    """Persons, total and mean of ``amount`` per cell of ``by``, declared to the gate.

    One row per person in ``data`` (not modified). The result declares ``persons`` as a
    count, ``total`` and ``mean`` as computed from it, and marks the cells that fail a
    dominance rule (:func:`dominated`), so that :func:`evalkit.output.gate_table`
    suppresses small and dominated cells alike. Missing amounts are an error.
    """
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(f"amount_table takes a pandas DataFrame; got {type(data).__name__}.")
    rules = resolve_rules(rules)
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    for name in [amount, *keys]:
        if name not in data.columns:
            raise ColumnError(f"column {name!r} is not in the data ({data.shape[1]} columns).")
    values = numeric_column(data[amount], amount, role="amount")
    if np.isnan(values).any():
        raise ArgumentError(
            f"amount column {amount!r} has {int(np.isnan(values).sum())} missing values; "
            "drop or fill them first."
        )
    frame = pd.DataFrame({k: data[k].to_numpy() for k in keys})
    frame["_value"] = values
    frame["_abs"] = np.abs(values)
    if keys:
        grouped = frame.groupby(keys, sort=True, dropna=False)
        out = grouped["_value"].agg(persons="size", total="sum").reset_index()
        absolute = grouped["_abs"]
        totals = absolute.sum().to_numpy()
        ranked = frame.sort_values(keys + ["_abs"], ascending=[True] * len(keys) + [False])
        rank = ranked.groupby(keys, sort=True, dropna=False).cumcount().to_numpy()
        group_index = ranked.groupby(keys, sort=True, dropna=False).ngroup().to_numpy()
    else:
        out = pd.DataFrame({"persons": [len(frame)], "total": [values.sum()]})
        totals = np.array([frame["_abs"].sum()])
        order = np.argsort(-frame["_abs"].to_numpy(), kind="stable")
        ranked = frame.iloc[order]
        rank = np.arange(len(frame))
        group_index = np.zeros(len(frame), dtype=int)
    width = max(rules.nk_n, 2)
    top = np.zeros((len(out), width))
    keep = rank < width
    top[group_index[keep], rank[keep]] = ranked["_abs"].to_numpy()[keep]
    flags = _flags(top, totals, rules)
    out["mean"] = out["total"] / out["persons"]
    out["persons"] = out["persons"].astype(np.int64)
    return declare_table(
        out,
        counts=["persons"],
        dependent={"total": ["persons"], "mean": ["persons"]},
        amounts={"total": flags, "mean": flags},
    )
