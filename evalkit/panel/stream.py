"""Register-scale work: compute per-person results chunk by chunk of whole persons.

Per-person outcomes and spells of one person never depend on another person, so a large
extract can be processed in chunks of whole persons and the pieces concatenated; counts
such as full-year persons by period are sums and merge by adding. Results are the same
as in memory (tested), while memory holds one chunk at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd
from pandas.api.types import union_categoricals

from ..errors import ArgumentError
from ..output.declare import declare_table
from .io import iter_person_chunks
from .outcomes import declare_full_year_persons
from .panel import StatusPanel


def map_person_chunks(
    chunks: Iterable[pd.DataFrame],
    build: Callable[[pd.DataFrame], StatusPanel],
    compute: Callable[[StatusPanel], pd.DataFrame],
) -> pd.DataFrame:
    """Apply ``compute(build(chunk))`` to each chunk of whole persons and stack the results.

    ``build`` turns a chunk of register rows into a panel (e.g. ``from_wide`` then ``align``
    with explicit ``before`` / ``after``, so every chunk has the same weeks); ``compute`` is
    any per-person function (:func:`weeks_in_states`, :func:`spells`...). The result's
    ``attrs["n_persons"]`` and ``attrs["person_weeks"]`` add up over the chunks.

    Example
    -------
    >>> from evalkit.panel import weeks_in_states
    >>> from evalkit.datasets import simulate_register
    >>> reg = simulate_register(n_treated=30, n_control=30, seed=1)
    >>> whole = reg.register
    >>> chunks = [whole.iloc[:25], whole.iloc[25:]]
    >>> def build(chunk):
    ...     trial = reg.trial[reg.trial["id"].isin(chunk["id"])]
    ...     panel = StatusPanel.from_wide(chunk, "id", "y_", reg.classification, blank=reg.blank)
    ...     return panel.align(trial, "id", "randomization_week", before=0, after=52)
    >>> out = map_person_chunks(chunks, build, lambda p: weeks_in_states(p, "self_sufficient",
    ...                                                                   (1, 52)))
    >>> len(out), out.attrs["n_persons"]
    (60, 60)
    """
    pieces = []
    n_persons = person_weeks = 0
    for chunk in chunks:
        result = compute(build(chunk))
        if not isinstance(result, pd.DataFrame):
            raise ArgumentError("compute must return a DataFrame (one row per person or spell).")
        n_persons += result.attrs.get("n_persons", 0)
        person_weeks += result.attrs.get("person_weeks", 0)
        pieces.append(result)
    if not pieces:
        raise ArgumentError("there were no chunks to process.")
    attrs = dict(pieces[0].attrs)
    out = pd.concat(pieces, ignore_index=True)
    for column in pieces[0].columns:
        first = pieces[0][column]
        if isinstance(first.dtype, pd.CategoricalDtype):
            # Chunks see different categories (e.g. calendar weeks): take their union.
            combined = union_categoricals([p[column] for p in pieces], ignore_order=True)
            categories = sorted(combined.categories) if first.cat.ordered else combined.categories
            out[column] = pd.Categorical(combined, categories=categories, ordered=first.cat.ordered)
    out.attrs = {**attrs, "n_persons": n_persons, "person_weeks": person_weeks}
    # one row per person or spell: microdata for the output gate, whatever compute declared
    return declare_table(out, person_level=True)


def stream_parquet(
    path,
    id: str,
    build: Callable[[pd.DataFrame], StatusPanel],
    compute: Callable[[StatusPanel], pd.DataFrame],
    chunk_persons: int = 100_000,
    columns=None,
) -> pd.DataFrame:
    """:func:`map_person_chunks` over a parquet extract read in chunks of whole persons.

    See :func:`evalkit.panel.iter_person_chunks` for the file layouts accepted (wide, or
    long sorted by person).
    """
    return map_person_chunks(
        iter_person_chunks(path, id, chunk_persons=chunk_persons, columns=columns), build, compute
    )


def combine_full_year_persons(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Merge :func:`full_year_persons` tables computed on chunks of persons.

    Person-weeks add up; full-year persons are recomputed as weeks / weeks in the period.
    The result is declared for the output gate as :func:`full_year_persons` declares its
    own (full-year persons a count; the person-weeks rest on it).
    """
    stacked = pd.concat(list(frames), ignore_index=True)
    if stacked.empty:
        raise ArgumentError("no full-year-person tables to combine.")
    merged = stacked.groupby(["period", "state"], sort=True, observed=True).agg(
        weeks=("weeks", "sum"),
        period_weeks=("period_weeks", "first"),
        weeks_covered=("weeks_covered", "max"),
    )
    merged["full_year_persons"] = merged["weeks"] / merged["period_weeks"]
    return declare_full_year_persons(merged.reset_index())
