"""The output rules: one place for the disclosure threshold and the other rules of the gate.

Environments differ. Statistics Denmark's research service publishes no cell resting on
fewer than 5 persons and treats zeros as safe; a UK trusted research environment running
ACRO (the SACRO project, PyPI ``acro``) uses its ``default.yaml``: a threshold of 10,
zeros disclosive, and the dominance rules for amounts (N-K with N = 2, K = 90%; p-ratio
with p = 10%). :data:`PRESETS` holds both; :func:`set_output_rules` chooses one (or
changes single rules) for the session, :func:`output_rules` for a ``with`` block, and
every exporter and renderer reads :func:`current_rules` unless given ``rules=``.

Sources: Statistics Denmark, "Rules on transfer of analysis results"
(https://explorer.dst.dk/en/TilSalg/Forskningsservice/hjemtagelse-af-analyseresultater);
ACRO 1.0.2, ``acro/default.yaml`` (safe_threshold 10, safe_nk_n 2, safe_nk_k 0.90,
safe_pratio_p 0.10, zeros_are_disclosive True, survival_safe_threshold 10).

Example
-------
>>> current_rules().threshold
5
>>> with output_rules("acro"):
...     current_rules().threshold, current_rules().zeros_disclosive
(10, True)
>>> with output_rules(threshold=10):
...     current_rules().name
'Statistics Denmark (changed: threshold=10)'
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import ArgumentError


@dataclass(frozen=True)
class OutputRules:
    """The rules the output gate applies.

    Attributes
    ----------
    threshold : smallest number of persons a published count, or a number computed from
        persons (a share, a mean, a survival step), may rest on.
    zeros_disclosive : suppress counts of 0 too (ACRO's default; Statistics Denmark
        shows zeros).
    nk_n, nk_k : N-K dominance rule for amounts: a cell is suppressed when its ``nk_n``
        largest contributions make up ``nk_k`` or more of its total.
    p_ratio : p-ratio rule for amounts: a cell is suppressed when the sum of its
        contributions other than the two largest is less than ``p_ratio`` times the
        largest (the second largest contributor could estimate the largest to within
        p%).
    name, source : what the rules are, for the output log.
    """

    threshold: int = 5
    zeros_disclosive: bool = False
    nk_n: int = 2
    nk_k: float = 0.90
    p_ratio: float = 0.10
    name: str = "Statistics Denmark"
    source: str = (
        "https://explorer.dst.dk/en/TilSalg/Forskningsservice/hjemtagelse-af-analyseresultater"
    )

    def __post_init__(self) -> None:
        _whole(self.threshold, "threshold", 1)
        _whole(self.nk_n, "nk_n", 1)
        if not isinstance(self.zeros_disclosive, bool):
            raise ArgumentError(
                f"zeros_disclosive must be True or False; got {self.zeros_disclosive!r}."
            )
        for name in ("nk_k", "p_ratio"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not (0 < value < 1):
                raise ArgumentError(
                    f"{name} must be a share strictly between 0 and 1; got {value!r}."
                )

    def as_dict(self) -> dict:
        """The rules as a plain dict (for the output log)."""
        return dataclasses.asdict(self)


def _whole(value, name: str, low: int) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value != int(value)
        or value < low
    ):
        raise ArgumentError(f"{name} must be a whole number of at least {low}; got {value!r}.")


#: Named rule sets: ``"dst"`` (Statistics Denmark, the default) and ``"acro"`` (ACRO's
#: defaults, as used in UK trusted research environments).
PRESETS: dict[str, OutputRules] = {
    "dst": OutputRules(),
    "acro": OutputRules(
        threshold=10,
        zeros_disclosive=True,
        name="ACRO default (UK trusted research environments)",
        source="ACRO 1.0.2 default.yaml (SACRO project, PyPI acro)",
    ),
}

_current: list[OutputRules] = [PRESETS["dst"]]


def current_rules() -> OutputRules:
    """The rules in force (Statistics Denmark's unless changed)."""
    return _current[-1]


def resolve_rules(rules: OutputRules | str | None = None, **changes) -> OutputRules:
    """``rules`` (a preset name, an :class:`OutputRules` or None for the current ones)
    with single ``changes`` applied."""
    if rules is None:
        base = current_rules()
    elif isinstance(rules, OutputRules):
        base = rules
    elif isinstance(rules, str) and rules in PRESETS:
        base = PRESETS[rules]
    else:
        raise ArgumentError(
            f"rules must be an OutputRules or one of {', '.join(map(repr, PRESETS))}; "
            f"got {rules!r}."
        )
    if not changes:
        return base
    unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(OutputRules)})
    if unknown:
        raise ArgumentError(
            f"unknown output rules {unknown}; the rules are "
            f"{', '.join(f.name for f in dataclasses.fields(OutputRules))}."
        )
    said = ", ".join(f"{k}={v!r}" for k, v in changes.items() if k not in ("name", "source"))
    name = changes.pop("name", f"{base.name} (changed: {said})" if said else base.name)
    return dataclasses.replace(base, name=name, **changes)


def set_output_rules(rules: OutputRules | str | None = None, **changes) -> OutputRules:
    """Set the rules for the rest of the session; returns the rules set.

    >>> previous = current_rules()
    >>> set_output_rules(threshold=10).threshold
    10
    >>> set_output_rules(previous).threshold
    5
    """
    new = resolve_rules(rules, **changes)
    _current[-1] = new  # inside output_rules(): until the block ends
    return new


@contextlib.contextmanager
def output_rules(rules: OutputRules | str | None = None, **changes) -> Iterator[OutputRules]:
    """Apply other rules inside a ``with`` block (see the module example)."""
    _current.append(resolve_rules(rules, **changes))
    try:
        yield _current[-1]
    finally:
        _current.pop()
