"""Random assignment with an audit record that reproduces it exactly.

:func:`assign` draws complete, blocked or cluster randomization (as R's randomizr:
``complete_ra``, ``block_ra``, ``cluster_ra``, ``block_and_cluster_ra``) and returns the
assignment with an :class:`AssignmentAudit`: the seed, the versions, the design, the
counts per block and arm, and a SHA-256 hash of the ids (with their blocks and
clusters). :func:`reproduce` redraws the same assignment from the audit and the data,
after checking that the data are the ones it was made for.

**The draw.** Assignment units (persons, or clusters) are put in a canonical order that
does not depend on the row order of the data: blocks by their label (as text), units
within a block by their id (as text). Block by block, the number to treat is ``k =
prob * s`` for a block of ``s`` units; when that is not a whole number it is rounded
down or up at random with probabilities that keep the expected share at ``prob``
(randomizr's rule), using one uniform draw. Then every unit of the block gets a uniform
key and the ``k`` units with the smallest keys are treated. Only ``Generator.random``
(uniform doubles from PCG64, 53 bits) is used, whose stream NumPy has kept unchanged
since the Generator API appeared (1.17); the audit records both versions anyway.

**More than two arms** (``arms=``, as randomizr's ``complete_ra`` / ``block_ra`` with
``num_arms``, ``prob_each``, ``m_each``). Block by block, arm ``j`` gets ``k_j = p_j s``
units; when these are not whole numbers each is rounded down or up so that they add up
to ``s`` and every arm keeps its expected share ``p_j`` (systematic rounding, one uniform
``u``: arm ``j`` gets ``floor(p_j s)`` plus the number of integers ``m`` with ``C_(j-1)
<= u + m < C_j``, ``C_j`` the running sum of the fractional parts). Then every unit gets a
uniform key; in the order of the keys the first ``k_1`` units get the first arm, the next
``k_2`` the second, and so on. Unlike randomizr's multinomial rounding, no arm ever gets
more than ``ceil(p_j s)`` units.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import numbers
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from .._validation import _show, _withheld, as_column_list, row_positions, select_columns
from ..errors import ArgumentError, DesignError, EvalkitWarning
from ..inference.randomization import check_seed
from ..results import TableDisplay

__all__ = ["Assignment", "AssignmentAudit", "ReproducibilityWarning", "assign", "reproduce"]

ALGORITHM = (
    "evalkit.design.assign v1: canonical order (blocks, then ids, as text); per block "
    "k = prob * size rounded at random (one uniform), then the k smallest of one uniform "
    "key per unit; numpy Generator(PCG64(seed)).random only"
)


ALGORITHM_ARMS = (
    "evalkit.design.assign arms v1: canonical order (blocks, then ids, as text); per block "
    "k_j = p_j * size rounded systematically (one uniform, when not whole), then one uniform "
    "key per unit, the units in key order filling the arms in their given order; numpy "
    "Generator(PCG64(seed)).random only"
)
#: The audit fields of a multi-arm assignment (absent from two-arm audit records).
_ARM_FIELDS = ("arms", "prob_each", "n_each")


class ReproducibilityWarning(EvalkitWarning):
    """An assignment is reproduced under other software versions than it was made with."""


@dataclass(frozen=True)
class AssignmentAudit:
    """Everything needed to reproduce (and to audit) a random assignment.

    Attributes
    ----------
    seed : the seed of the generator (drawn and recorded when none was given).
    evalkit_version, numpy_version : the software that made the assignment.
    design : ``"complete"``, ``"blocked"``, ``"clustered"`` or ``"blocked and clustered"``.
    prob : the share to treat (None when ``n_treated`` was given).
    n_treated : the number of units (clusters) to treat as requested: an int, a
        ``{block: number}`` dict (keys as text), or None.
    ids, blocks, clusters, name : the columns used (``ids=None``: the data's index) and
        the name of the treatment column.
    id_hash : SHA-256 of the canonical list of ``id<TAB>block<TAB>cluster`` lines.
    n_persons, n_units : rows and assignment units (clusters, or persons).
    counts : per block (``"all"`` without blocks): persons and units in each arm.
    algorithm : the draw algorithm and its version.
    created : when the assignment was made (UTC, ISO 8601).
    arms, prob_each, n_each : for more than two arms, the arm labels in order, the share
        of each (None when ``n_each`` was given) and the numbers of units per arm as
        requested (a list, a ``{block: list}`` dict, or None); ``counts`` then holds, per
        block, ``{"persons": {arm: n}, "units": {arm: n}}`` (arm labels as text). None for
        a two-arm assignment (whose record has no such keys).
    """

    seed: int
    evalkit_version: str
    numpy_version: str
    design: str
    prob: float | None
    n_treated: int | dict | None
    ids: str | None
    blocks: str | None
    clusters: str | None
    name: str
    id_hash: str
    n_persons: int
    n_units: int
    counts: dict = field(repr=False)
    algorithm: str = ALGORITHM
    created: str = ""
    arms: list | None = None
    prob_each: list | None = None
    n_each: list | dict | None = None

    def to_dict(self) -> dict:
        """A plain dict (JSON-ready); a two-arm record has no ``arms``, ``prob_each`` and
        ``n_each`` keys."""
        record = asdict(self)
        if self.arms is None:
            for key in _ARM_FIELDS:
                del record[key]
        return record

    def to_json(self, indent: int | None = 2) -> str:
        """The audit as JSON text, to store next to the trial's data."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, record: Mapping) -> AssignmentAudit:
        """Read an audit back from :meth:`to_dict` output."""
        try:
            return cls(**dict(record))
        except TypeError as error:
            raise ArgumentError(f"not an evalkit assignment audit record: {error}.") from None

    @classmethod
    def from_json(cls, text: str) -> AssignmentAudit:
        """Read an audit back from :meth:`to_json` output."""
        return cls.from_dict(json.loads(text))


@dataclass(frozen=True, eq=False)
class Assignment(TableDisplay):
    """A random assignment: the treatment column, its audit record and a balance check.

    Attributes
    ----------
    treatment : 0/1 per row (the arm label per row with ``arms=``), a Series aligned with
        the data's index, named ``audit.name``.
    audit : the :class:`AssignmentAudit` that reproduces it with :func:`reproduce`.
    balance : with ``covariates``, :func:`evalkit.report.balance_table` of the result
        (standardized differences per covariate); with more than two arms a dict of them,
        one per arm against the first arm; else None.

    The views (``summary()``, ``str()``, ``repr()``, the notebook views) are
    disclosure-controlled on the persons per block and arm that ``to_frame()`` declares
    (:class:`evalkit.results.SummaryDisplay`): with a block or arm of fewer than 5
    persons the small counts show as ``"<5"`` and the other numbers resting on them as
    ``"x"``. The attributes are exact.
    """

    treatment: pd.Series
    audit: AssignmentAudit
    balance: object | None = None

    def apply(self, data: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``data`` with the treatment column added (``data`` is not modified),
        declared person-level for the output gate (it is never exported from register
        data)."""
        from ..output.declare import declare_table

        return declare_table(data.assign(**{self.audit.name: self.treatment}), person_level=True)

    def to_frame(self) -> pd.DataFrame:
        """Counts per block and arm: persons and assignment units.

        Declared for the output gate: the persons per arm are counts; the units per arm
        (the persons themselves without clusters) rest on them."""
        from ..output.declare import declare_table

        if self.audit.arms is not None:
            rows = [
                {"block": block, "arm": arm, "persons": n, "units": counts["units"][arm]}
                for block, counts in self.audit.counts.items()
                for arm, n in counts["persons"].items()
            ]
            frame = pd.DataFrame(rows, columns=["block", "arm", "persons", "units"])
            return declare_table(frame, counts=["persons"], dependent={"units": ["persons"]})
        rows = [{"block": block, **counts} for block, counts in self.audit.counts.items()]
        frame = pd.DataFrame(rows, columns=["block", *_ARM_COUNTS])
        return declare_table(
            frame,
            counts=["treated_persons", "control_persons"],
            dependent={
                "treated_units": ["treated_persons"],
                "control_units": ["control_persons"],
            },
        )

    def _header(self) -> list[str]:
        a = self.audit
        if a.arms is not None:
            share = (
                "prob_each " + "/".join(f"{p:g}" for p in a.prob_each)
                if a.prob_each is not None
                else f"n_each {a.n_each}"
            )
            return [
                f"Random assignment ({a.design}, {len(a.arms)} arms "
                f"{'/'.join(map(str, a.arms))}, {share}); seed {a.seed}",
                f"{a.n_persons} persons ({a.n_units} assignment units); "
                f"ids hash {a.id_hash[:16]}...",
            ]
        treated = int(self.treatment.sum())
        share = f"prob {a.prob:g}" if a.prob is not None else f"n_treated {a.n_treated}"
        return [
            f"Random assignment ({a.design}, {share}); seed {a.seed}",
            f"{treated} of {a.n_persons} persons treated ({a.n_units} assignment units); "
            f"ids hash {a.id_hash[:16]}...",
        ]

    def summary(self) -> str:
        return "\n".join([*self._header(), self.to_frame().to_string(index=False)])

    def __repr__(self) -> str:
        # Not the dataclass repr: the treatment Series is indexed by the data's index,
        # which may hold person ids.
        a = self.audit
        if a.arms is not None:
            return (
                f"Assignment({a.design}, {len(a.arms)} arms, {a.n_persons} persons, "
                f"{a.n_units} units, seed {a.seed}, column {a.name!r})"
            )
        return (
            f"Assignment({a.design}, {int(self.treatment.sum())} of {a.n_persons} persons "
            f"treated, {a.n_units} units, seed {a.seed}, column {a.name!r})"
        )


_ARM_COUNTS = ["treated_persons", "control_persons", "treated_units", "control_units"]


# --------------------------------------------------------------------------- helpers
def _text(values) -> np.ndarray:
    return np.array([str(v) for v in values], dtype=object)


def _id_hash(ids: np.ndarray, blocks: np.ndarray, clusters: np.ndarray) -> str:
    order = np.lexsort((ids, clusters, blocks))
    lines = "\n".join(
        f"{i}\t{b}\t{c}" for i, b, c in zip(ids[order], blocks[order], clusters[order], strict=True)
    )
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def _check_prob(prob) -> float:
    if isinstance(prob, bool) or not isinstance(prob, numbers.Real):
        raise ArgumentError(f"prob must be a number in (0, 1); got {prob!r}.")
    prob = float(prob)
    if not 0.0 < prob < 1.0:
        raise ArgumentError(f"prob must lie strictly between 0 and 1; got {prob:g}.")
    return prob


def _whole(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentError(f"{name} must be a whole number; got {value!r}.")
    return int(value)


# --------------------------------------------------------------------------- assign
def assign(
    data: pd.DataFrame,
    prob: float = 0.5,
    blocks: str | None = None,
    clusters: str | None = None,
    n_treated: int | Mapping | None = None,
    seed: int | None = None,
    ids: str | None = None,
    covariates: str | Sequence[str] | None = None,
    name: str = "treated",
    arms: Sequence | None = None,
    prob_each: Sequence[float] | None = None,
    n_each: Sequence[int] | Mapping | None = None,
) -> Assignment:
    """Randomly assign units to treatment (1) or control (0), with an audit record.

    Designs:

    - **complete** (no ``blocks``, no ``clusters``): exactly ``n_treated`` persons, or
      ``prob * n`` rounded at random (see :mod:`evalkit.design.assign`);
    - **blocked** (``blocks``): the same within every block; ``n_treated`` is then a dict
      ``{block: number}`` for every block;
    - **clustered** (``clusters``): whole clusters; ``n_treated`` counts clusters;
    - **blocked and clustered**: clusters within blocks (every cluster in one block).

    Every block needs both arms: a block with a single unit, or one too small for
    ``prob`` to give it a treated and a control unit, is an error. ``ids`` names a
    column of unique person ids (default: the data's index); the draw depends on the ids,
    not on the row order, so :func:`reproduce` gives the same assignment for the same
    persons in any order. ``seed=None`` draws a seed and records it. ``covariates``
    adds a balance check of the result (standardized differences, via
    :func:`evalkit.report.balance_table`). ``data`` is not modified; add the column with
    ``result.apply(data)``.

    **More than two arms**: ``arms`` lists the arm labels (texts or whole numbers, e.g.
    ``["control", "A", "B"]``) and the column holds a label per row. ``prob_each`` gives
    each arm's share (default: equal shares), or ``n_each`` the number of units (clusters)
    per arm: a list in the order of ``arms``, or with ``blocks`` a dict ``{block: list}``
    for every block. Every arm must get at least one unit of every block. The draw is in
    the module docstring (randomizr's ``complete_ra`` / ``block_ra`` / ``cluster_ra`` with
    ``prob_each`` or ``m_each``); ``prob`` and ``n_treated`` are for two arms only.

    Example
    -------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"id": [f"p{i}" for i in range(8)],
    ...                        "centre": ["A"] * 4 + ["B"] * 4})
    >>> a = assign(people, blocks="centre", ids="id", seed=2024)
    >>> a.treatment.tolist()
    [0, 1, 1, 0, 0, 1, 1, 0]
    >>> reproduce(a.audit, people).treatment.equals(a.treatment)
    True
    >>> three = assign(people, blocks="centre", ids="id", seed=1, arms=["control", "A", "B"],
    ...                n_each={"A": [2, 1, 1], "B": [1, 2, 1]})
    >>> three.treatment.value_counts().sort_index().to_dict()
    {'A': 3, 'B': 2, 'control': 3}
    """
    from .. import __version__  # lazily: evalkit/__init__ may import this module

    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(f"data must be a pandas DataFrame; got {type(data).__name__}.")
    if not isinstance(name, str) or not name:
        raise ArgumentError(f"name must be a column name (a string); got {name!r}.")
    arm_list = _check_arms(arms, prob, n_treated, prob_each, n_each)
    if arm_list is not None:
        prob_value = None
        shares = _check_prob_each(prob_each, len(arm_list)) if n_each is None else None
    elif n_treated is None:
        prob_value = _check_prob(prob)
    else:
        prob_value = None
    for role, value in (("blocks", blocks), ("clusters", clusters), ("ids", ids)):
        if value is not None and not isinstance(value, str):
            raise ArgumentError(f"{role} must be a column name (a string) or None; got {value!r}.")
    roles = {
        "ids": [ids] if ids else [],
        "blocks": [blocks] if blocks else [],
        "clusters": [clusters] if clusters else [],
    }
    frame = select_columns(data, roles) if any(roles.values()) else data
    id_values = frame[ids].to_numpy() if ids else data.index.to_numpy()
    if not ids and pd.isna(data.index).any():
        raise ArgumentError("the data's index has missing values; pass ids= (a column of ids).")
    id_text = _text(id_values)
    repeated = pd.Series(id_text).duplicated().to_numpy()
    if repeated.any():
        where = f"column {ids!r}" if ids else "the index"
        persons = pd.Series(id_text[repeated]).nunique()
        raise DesignError(
            f"ids in {where} are not unique: {persons} ids appear on more than one row "
            f"({int(repeated.sum())} repeated rows, {row_positions(repeated)}); list each "
            "person once."
        )
    n = len(frame)
    if n == 0:
        raise DesignError("data has no rows: there is nobody to assign.")
    block_text = _text(frame[blocks]) if blocks else np.full(n, "all", dtype=object)
    cluster_text = _text(frame[clusters]) if clusters else id_text
    seed_value = check_seed(seed)

    # Assignment units: clusters, or persons.
    unit_labels, unit_of_row = np.unique(cluster_text, return_inverse=True)
    unit_block = np.empty(len(unit_labels), dtype=object)
    unit_block[unit_of_row] = block_text
    if clusters and blocks:
        spans = pd.Series(block_text).groupby(unit_of_row).nunique()
        if (spans > 1).any():
            raise DesignError(
                f"{int((spans > 1).sum())} clusters of {clusters!r} span several blocks of "
                f"{blocks!r}; clusters must be nested within blocks."
            )
    # Block labels appear in messages unless they may be person ids (blocks=the id column).
    hidden = _withheld(pd.unique(block_text), blocks, data=block_text) if blocks else None
    rng = np.random.Generator(np.random.PCG64(seed_value))
    if arm_list is not None:
        targets = _arm_targets(n_each, len(arm_list), blocks, clusters, unit_block, hidden)
        unit_arm, counts = _draw_arms(
            unit_block, unit_of_row, arm_list, shares, targets, rng, blocks, clusters, hidden
        )
        row_treated = unit_arm[unit_of_row]
    else:
        targets = _targets(n_treated, blocks, clusters, unit_block, hidden)
        unit_treated, counts = _draw_blocks(
            unit_block, unit_labels, unit_of_row, block_text, prob_value, targets, rng,
            blocks, clusters, hidden,
        )  # fmt: skip
        row_treated = unit_treated[unit_of_row]
    design = {
        (False, False): "complete",
        (True, False): "blocked",
        (False, True): "clustered",
        (True, True): "blocked and clustered",
    }[(bool(blocks), bool(clusters))]
    audit = AssignmentAudit(
        seed=seed_value,
        evalkit_version=__version__,
        numpy_version=np.__version__,
        design=design,
        prob=prob_value,
        n_treated=_requested(n_treated),
        ids=ids,
        blocks=blocks,
        clusters=clusters,
        name=name,
        id_hash=_id_hash(id_text, block_text, cluster_text if clusters else np.full(n, "")),
        n_persons=n,
        n_units=len(unit_labels),
        counts=counts,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **_arm_record(arm_list, shares if arm_list is not None else None, n_each),
    )
    if arm_list is None:
        treatment = pd.Series(row_treated.astype(np.int64), index=frame.index, name=name)
    else:
        labels = np.array(arm_list, dtype=object)[row_treated]
        numeric = all(isinstance(a, numbers.Integral) for a in arm_list)
        treatment = pd.Series(
            labels.astype(np.int64) if numeric else labels, index=frame.index, name=name
        )
    treatment.attrs = _person_level_attrs(treatment)
    if covariates is None:
        balance = None
    elif arm_list is None:
        balance = _balance(data, treatment, covariates, name)
    else:
        balance = {
            arm: _balance(
                data.loc[treatment.isin([arm_list[0], arm])],
                (treatment[treatment.isin([arm_list[0], arm])] == arm).astype(np.int64),
                covariates,
                name,
            )
            for arm in arm_list[1:]
        }
    return Assignment(treatment=treatment, audit=audit, balance=balance)


def _arm_record(arm_list, shares, n_each) -> dict:
    """The audit's multi-arm fields (none for two arms: the record keeps its old keys)."""
    if arm_list is None:
        return {}
    if n_each is None:
        requested = None
    elif isinstance(n_each, Mapping):
        requested = {str(k): [int(v) for v in counts] for k, counts in n_each.items()}
    else:
        requested = [int(v) for v in n_each]
    return {
        "arms": list(arm_list),
        "prob_each": None if shares is None else [float(p) for p in shares],
        "n_each": requested,
        "algorithm": ALGORITHM_ARMS,
    }


def _check_arms(arms, prob, n_treated, prob_each, n_each) -> list | None:
    """The arm labels as a list of plain values, or None for a two-arm assignment."""
    if arms is None:
        if prob_each is not None or n_each is not None:
            raise ArgumentError(
                "prob_each= and n_each= are for more than two arms: give the arm labels with "
                "arms=, e.g. arms=['control', 'A', 'B']."
            )
        return None
    if isinstance(arms, str | bytes) or not isinstance(arms, Sequence | np.ndarray):
        raise ArgumentError(
            f"arms must be a list of arm labels, e.g. ['control', 'A', 'B']; got {arms!r}."
        )
    labels = [a.item() if isinstance(a, np.generic) else a for a in arms]
    for label in labels:
        if isinstance(label, bool) or not isinstance(label, str | numbers.Integral):
            raise ArgumentError(
                f"arm labels must be texts or whole numbers; got {label!r} in arms."
            )
    if len(labels) < 2:
        raise ArgumentError(f"arms must list at least two arms; got {len(labels)}.")
    if len({str(a) for a in labels}) < len(labels):
        raise ArgumentError(f"arms must be distinct (also as text); got {labels!r}.")
    if n_treated is not None or prob != 0.5:
        raise ArgumentError(
            "prob= and n_treated= are for two arms; with arms= give prob_each= (a share per "
            "arm) or n_each= (a number per arm)."
        )
    if prob_each is not None and n_each is not None:
        raise ArgumentError("give prob_each= or n_each=, not both.")
    return labels


def _check_prob_each(prob_each, n_arms: int) -> np.ndarray:
    if prob_each is None:
        return np.full(n_arms, 1.0 / n_arms)
    if isinstance(prob_each, str) or not isinstance(prob_each, Sequence | np.ndarray):
        raise ArgumentError(f"prob_each must be a list of {n_arms} shares; got {prob_each!r}.")
    values = list(prob_each)
    if len(values) != n_arms or any(
        isinstance(p, bool) or not isinstance(p, numbers.Real) for p in values
    ):
        raise ArgumentError(
            f"prob_each must give a share (a number) for each of the {n_arms} arms; got {values!r}."
        )
    shares = np.array(values, dtype=float)
    if not np.all(np.isfinite(shares)) or (shares <= 0).any() or abs(shares.sum() - 1) > 1e-9:
        raise ArgumentError(
            f"prob_each must be shares above 0 that add up to 1; got {values!r} (sum "
            f"{shares.sum():g})."
        )
    return shares


def _arm_targets(n_each, n_arms, blocks, clusters, unit_block, hidden) -> dict | None:
    """The requested units per arm and block (text keys), or None for ``prob_each``."""
    if n_each is None:
        return None
    unit = "clusters" if clusters else "persons"

    def counts(value, where) -> list[int]:
        if isinstance(value, str) or not isinstance(value, Sequence | np.ndarray):
            raise ArgumentError(f"n_each{where} must be a list of {n_arms} numbers of {unit}.")
        values = [_whole(v, f"n_each{where}") for v in value]
        if len(values) != n_arms:
            raise ArgumentError(
                f"n_each{where} must give a number for each of the {n_arms} arms; got "
                f"{len(values)}."
            )
        return values

    if isinstance(n_each, Mapping):
        if not blocks:
            raise ArgumentError("n_each as a dict is for blocks=; give a list instead.")
        targets = {str(k): counts(v, f"[{k!r}]") for k, v in n_each.items()}
        present = sorted(set(unit_block))
        missing = [b for b in present if b not in targets]
        extra = [b for b in targets if b not in present]
        if missing or extra:
            raise ArgumentError(
                f"n_each must give numbers for every block of {blocks!r} and only those; "
                f"{_block_list('missing', missing, hidden)}, "
                f"{_block_list('unknown', extra, _withheld(extra, blocks))}."
            )
        return targets
    if blocks:
        raise ArgumentError(
            f"with blocks=, give n_each as a dict {{block: [number of {unit} per arm]}} or use "
            "prob_each=."
        )
    return {"all": counts(n_each, "")}


def _draw_arms(unit_block, unit_of_row, arm_list, shares, targets, rng, blocks, clusters, hidden):
    """The multi-arm draw of the module docstring, block by block in label order (units
    within a block in label order: ``unit_block`` follows the sorted unit labels).

    Returns every unit's arm (an index into ``arm_list``) and the counts per block and arm.
    """
    labels, code = np.unique(unit_block, return_inverse=True)
    unit = "cluster" if clusters else "unit"
    n_arms = len(arm_list)
    unit_arm = np.empty(len(code), dtype=np.int64)
    for b, label in enumerate(labels.tolist()):
        members = np.flatnonzero(code == b)  # in label order
        size = len(members)
        if not blocks:
            where = "the data"
        elif hidden:
            where = f"a block of {blocks!r} ({hidden})"
        else:
            where = f"block {label!r} of {blocks!r}"
        if targets is not None:
            k = np.array(targets[label], dtype=np.int64)
            if (k < 1).any() or k.sum() != size:
                raise ArgumentError(
                    f"n_each for {where} must give every arm at least one {unit} and add up "
                    f"to its {size} {unit}s; got {k.tolist()}."
                )
        else:
            expected = shares * size
            low = np.floor(expected + 1e-12)
            fraction = np.clip(expected - low, 0.0, None)
            if (low < 1).any():
                raise DesignError(
                    f"{where} has {size} {unit}s: with prob_each "
                    f"{'/'.join(f'{p:g}' for p in shares)} an arm could get no {unit}. "
                    "Merge small blocks or give n_each."
                )
            k = low.astype(np.int64)
            remainder = size - int(k.sum())
            if remainder > 0:
                u = rng.random()
                cumulative = np.concatenate([[0.0], np.cumsum(fraction)])
                cumulative[-1] = remainder  # the fractions add up to the remainder
                k += (np.ceil(cumulative[1:] - u) - np.ceil(cumulative[:-1] - u)).astype(np.int64)
        keys = rng.random(size)
        ranked = members[np.argsort(keys, kind="stable")]
        unit_arm[ranked] = np.repeat(np.arange(n_arms), k)
    row_arm = unit_arm[unit_of_row]
    row_code = code[unit_of_row]
    names = [str(a) for a in arm_list]
    persons = np.zeros((len(labels), n_arms), dtype=np.int64)
    np.add.at(persons, (row_code, row_arm), 1)
    units = np.zeros((len(labels), n_arms), dtype=np.int64)
    np.add.at(units, (code, unit_arm), 1)
    counts = {
        str(label): {
            "persons": dict(zip(names, persons[b].tolist(), strict=True)),
            "units": dict(zip(names, units[b].tolist(), strict=True)),
        }
        for b, label in enumerate(labels.tolist())
    }
    return unit_arm, counts


def _person_level_attrs(treatment: pd.Series) -> dict:
    """The treatment per person declared person-level for the output gate (so that
    ``treatment.to_frame()`` is refused as microdata)."""
    from ..output.declare import declare_table

    return dict(declare_table(treatment.to_frame(), person_level=True).attrs)


def _requested(n_treated):
    if n_treated is None:
        return None
    if isinstance(n_treated, Mapping):
        return {str(k): int(v) for k, v in n_treated.items()}
    return int(n_treated)


def _targets(n_treated, blocks, clusters, unit_block, hidden=None) -> dict | None:
    """The requested number treated per block (text keys), or None for ``prob``."""
    if n_treated is None:
        return None
    unit = "clusters" if clusters else "persons"
    present = sorted(set(unit_block))
    if isinstance(n_treated, Mapping):
        if not blocks:
            raise ArgumentError("n_treated as a dict is for blocks=; give a number instead.")
        targets = {str(k): _whole(v, f"n_treated[{k!r}]") for k, v in n_treated.items()}
        missing = [b for b in present if b not in targets]
        extra = [b for b in targets if b not in present]
        if missing or extra:
            raise ArgumentError(
                f"n_treated must give a number for every block of {blocks!r} and only those; "
                f"{_block_list('missing', missing, hidden)}, "
                f"{_block_list('unknown', extra, _withheld(extra, blocks))}."
            )
        return targets
    if blocks:
        raise ArgumentError(
            "with blocks=, give n_treated as a dict {block: number of treated "
            f"{unit}}} or use prob=."
        )
    return {"all": _whole(n_treated, "n_treated")}


def _block_list(what: str, labels: list, hidden: str | None) -> str:
    if not labels:
        return f"{what}: none"
    if hidden:
        return f"{what}: {len(labels)} blocks ({hidden})"
    return f"{what}: {_show(labels)}"


def _draw_blocks(
    unit_block, unit_labels, unit_of_row, block_text, prob, targets, rng, blocks, clusters, hidden
):
    """The draw of the module docstring for all blocks at once (O(n log n)).

    Blocks in the order of their labels; within a block the units in the order of their
    labels (``unit_labels`` is sorted). The stream of ``rng.random`` is consumed block by
    block exactly as one block at a time would: the rounding draw (when ``prob * size``
    is not whole), then one key per unit. Returns the units' assignment and the counts
    per block and arm.
    """
    labels, code = np.unique(unit_block, return_inverse=True)  # sorted block labels
    sizes = np.bincount(code, minlength=len(labels))
    if targets is not None:
        k = pd.Series(labels, dtype=object).map(targets).to_numpy()
        bad = (sizes < 2) | pd.isna(k)
        k = np.where(bad, 0, k).astype(np.int64)
        bad |= (k < 1) | (k > sizes - 1)
        rounding = np.zeros(len(labels), dtype=bool)
    else:
        expected = prob * sizes
        low = np.floor(expected)
        bad = (sizes < 2) | (low < 1) | (np.ceil(expected) > sizes - 1)
        fraction = expected - low
        rounding = fraction > 1e-12
        k = low.astype(np.int64)
    if bad.any():  # the message of the first block at fault, in block order
        first = int(np.flatnonzero(bad)[0])
        _block_count(labels[first], int(sizes[first]), prob, targets, rng, blocks, clusters, hidden)
    # one stream of uniforms: per block the rounding draw (if any), then the unit keys
    used = sizes + rounding
    ends = np.cumsum(used)
    uniforms = rng.random(int(ends[-1]) if len(ends) else 0)
    starts = ends - used
    if targets is None:
        k[rounding] += uniforms[starts[rounding]] < fraction[rounding]
    order = np.argsort(code, kind="stable")  # units by block, then label
    unit_start = np.repeat(starts + rounding, sizes)
    within = np.arange(len(order)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    keys = np.empty(len(order))
    keys[order] = uniforms[unit_start + within]
    # the k smallest keys of every block (ties by label, as a stable sort)
    ranked = np.lexsort((keys, code))
    unit_treated = np.zeros(len(order), dtype=bool)
    unit_treated[ranked[within < np.repeat(k, sizes)]] = True
    row_treated = unit_treated[unit_of_row]
    row_code = code[unit_of_row]
    n_blocks = len(labels)
    persons = np.bincount(row_code, minlength=n_blocks)
    treated_persons = np.bincount(row_code, weights=row_treated, minlength=n_blocks)
    treated_units = np.bincount(code, weights=unit_treated, minlength=n_blocks)
    counts = {
        str(label): {
            "treated_persons": int(tp),
            "control_persons": int(p - tp),
            "treated_units": int(tu),
            "control_units": int(u - tu),
        }
        for label, p, tp, u, tu in zip(
            labels.tolist(), persons.tolist(), treated_persons.tolist(), sizes.tolist(),
            treated_units.tolist(), strict=True,
        )
    }  # fmt: skip
    return unit_treated, counts


def _block_count(block, size, prob, targets, rng, blocks, clusters, hidden) -> int:
    unit = "cluster" if clusters else "unit"
    if not blocks:
        where = "the data"
    elif hidden:
        where = f"a block of {blocks!r} ({hidden})"
    else:
        where = f"block {block!r} of {blocks!r}"
    if size < 2:
        raise DesignError(
            f"{where} has a single {unit}; it cannot have a treated and a control {unit}. "
            "Merge it into a neighbouring block."
        )
    if targets is not None:
        k = targets[block]
        if not 1 <= k <= size - 1:
            raise ArgumentError(
                f"n_treated for {where} must be between 1 and {size - 1} ({size} {unit}s); got {k}."
            )
        return k
    expected = prob * size
    low = math.floor(expected)
    if low < 1 or math.ceil(expected) > size - 1:
        raise DesignError(
            f"{where} has {size} {unit}s: with prob {prob:g} it could get no treated or no "
            f"control {unit}. Merge small blocks or give n_treated."
        )
    fraction = expected - low
    if fraction > 1e-12:
        return low + int(rng.random() < fraction)
    return low


def _balance(data, treatment, covariates, name):
    names = as_column_list(covariates, "covariates")
    if name in names:
        raise ArgumentError(f"covariate {name!r} has the treatment column's name.")
    frame = data.loc[:, names].assign(**{name: treatment})
    try:
        from ..report.tables import balance_table
    except ImportError:  # pragma: no cover - the report package ships with evalkit
        return _smd_frame(frame, name, names)
    return balance_table(frame, name, names, test=None)


def _smd_frame(frame, name, names) -> pd.DataFrame:  # pragma: no cover - fallback
    t = frame[name].to_numpy() == 1
    rows = []
    for column in names:
        x = frame[column].to_numpy(dtype=float)
        v1, v0 = x[t].var(ddof=1), x[~t].var(ddof=1)
        pooled = math.sqrt((v1 + v0) / 2) if v1 + v0 > 0 else math.nan
        rows.append({"variable": column, "smd": (x[t].mean() - x[~t].mean()) / pooled})
    return pd.DataFrame(rows)


def reproduce(audit: AssignmentAudit | Mapping | str, data: pd.DataFrame) -> Assignment:
    """Redraw an assignment from its audit record and the same persons (in any row order).

    ``audit`` is an :class:`AssignmentAudit`, its ``to_dict()`` or its ``to_json()``.
    The ids (with their blocks and clusters) must hash to the audit's ``id_hash``;
    otherwise the data are not the ones the assignment was made for and a
    :class:`~evalkit.errors.DesignError` says so. Different evalkit or NumPy versions
    give a :class:`ReproducibilityWarning` (the draw uses only uniform doubles, which
    NumPy has not changed, but an auditor should know).

    Example
    -------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"age": [30, 41, 25, 52, 38, 47]}, index=list("abcdef"))
    >>> a = assign(people, seed=7)
    >>> again = reproduce(a.audit.to_json(), people.iloc[::-1])
    >>> again.treatment.sort_index().equals(a.treatment)
    True
    """
    from .. import __version__

    if isinstance(audit, str):
        audit = AssignmentAudit.from_json(audit)
    elif isinstance(audit, Mapping):
        audit = AssignmentAudit.from_dict(audit)
    elif not isinstance(audit, AssignmentAudit):
        raise ArgumentError(f"audit must be an AssignmentAudit, dict or JSON; got {type(audit)}.")
    algorithm = ALGORITHM if audit.arms is None else ALGORITHM_ARMS
    if not audit.algorithm == algorithm:
        raise ArgumentError(
            f"the audit was made with another algorithm ({audit.algorithm!r}); this evalkit "
            f"draws with {algorithm!r}."
        )
    arm_args = {}
    if audit.arms is not None:
        arm_args = {"arms": audit.arms, "prob_each": audit.prob_each, "n_each": audit.n_each}
    result = assign(
        data,
        prob=audit.prob if audit.prob is not None else 0.5,
        blocks=audit.blocks,
        clusters=audit.clusters,
        n_treated=audit.n_treated,
        seed=audit.seed,
        ids=audit.ids,
        name=audit.name,
        **arm_args,
    )
    if result.audit.id_hash != audit.id_hash:
        raise DesignError(
            f"the data's ids (with blocks and clusters) do not match the audit: hash "
            f"{result.audit.id_hash[:16]}... instead of {audit.id_hash[:16]}... ({len(data)} "
            f"rows now, {audit.n_persons} then). The assignment was made for other persons."
        )
    if result.audit.counts != audit.counts:  # pragma: no cover - would be a bug
        raise DesignError("the redrawn assignment's counts differ from the audit's.")
    if (audit.evalkit_version, audit.numpy_version) != (__version__, np.__version__):
        warnings.warn(
            f"the assignment was made with evalkit {audit.evalkit_version} and NumPy "
            f"{audit.numpy_version}; reproduced with evalkit {__version__} and NumPy "
            f"{np.__version__}. The draw uses only uniform doubles and should agree; the "
            "counts match the audit.",
            ReproducibilityWarning,
            stacklevel=2,
        )
    return result
