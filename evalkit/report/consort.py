"""CONSORT flow diagrams drawn from counts (boxes and arrows as matplotlib patches).

A trial report shows how many persons were assessed, randomized, allocated to each arm,
received the intervention, were lost to follow-up and analysed (Schulz, Altman & Moher
2010, *CONSORT 2010 Statement*, Figure 1). :class:`ConsortCounts` holds the counts with
free-text detail lines per box and checks them (the arms add up to the randomized, no
stage exceeds the one before); :func:`consort_diagram` draws the diagram in English or
Danish, with disclosure control of the counts (see :func:`consort_diagram`).

Example (the counts of Aalborg's JobFirst trial)
------------------------------------------------
>>> counts = ConsortCounts(
...     randomized=350,
...     arms={
...         "Treatment": ConsortArm(allocated=178, received=144,
...                                 received_label="Started a company-based course",
...                                 completed=108, completed_label="Completed 13 weeks"),
...         "Control": ConsortArm(allocated=172),
...     },
... )
>>> fig = consort_diagram(counts)
>>> sorted(t.get_text().splitlines()[0] for t in fig.axes[0].texts if t.get_gid() == "box_text")
['Allocated to Control (n = 172)', 'Allocated to Treatment (n = 178)', 'Analysed (n = 172)', \
'Analysed (n = 178)', 'Lost to follow-up (n = 0)', 'Lost to follow-up (n = 0)', \
'Randomized (n = 350)']
"""

from __future__ import annotations

import numbers
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from ..errors import ArgumentError
from ..results import small_count
from .labels import arm_name, check_lang, format_count, label
from .style import COLOURS, FONT_SIZE, evalkit_style, new_figure

__all__ = ["ConsortArm", "ConsortCounts", "consort_diagram"]

# Layout, in inches.
BOX_WIDTH = 3.2
CENTRE_BOX_WIDTH = 2.8
ARM_GAP = 0.35
ROW_GAP = 0.38
STAGE_WIDTH = 0.28
STAGE_GAP = 0.15
MARGIN = 0.08
PAD = 0.08
TEXT_SIZE = FONT_SIZE - 1
LINE_HEIGHT = TEXT_SIZE * 1.32 / 72.0
CHAR_WIDTH = TEXT_SIZE * 0.56 / 72.0  # DejaVu Sans, average
STAGE_SIZE = TEXT_SIZE - 0.5
STAGE_CHAR = STAGE_SIZE * 0.62 / 72.0  # bold
_KEEP = "\x00"  # stands for a space that must not break a line ("n = 178")


def _lines(value, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ArgumentError(f"{what} must be a string or a list of strings; got {value!r}.")


def _count(value, what: str, optional: bool = True) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        if isinstance(value, float) and value.is_integer() and value >= 0:
            return int(value)
        raise ArgumentError(f"{what} must be a whole number of persons (0 or more); got {value!r}.")
    return int(value)


@dataclass(frozen=True)
class ConsortArm:
    """Counts of one arm, from allocation to analysis.

    Attributes
    ----------
    allocated : persons randomized to the arm.
    received : of those, persons who received (started) the intervention; None to leave
        the line out (as for a control arm). ``received_label`` renames the line (e.g.
        "Started a company-based course"); ``not_received_label`` the line with
        ``allocated - received``.
    completed : persons who completed the intervention (``completed_label``, e.g.
        "Completed 13 weeks").
    lost_to_follow_up : persons without outcome data (0 with register follow-up).
    discontinued : persons who discontinued the intervention (None: line left out).
    analysed : persons in the analysis; default ``allocated - lost_to_follow_up -
        excluded_from_analysis`` (intention to treat).
    excluded_from_analysis : persons left out of the analysis (None: line left out).
    allocation_details, follow_up_details, analysis_details : free-text lines added to
        the arm's boxes (reasons for losses, ...).
    status_at_end : free-text lines of where the arm's persons were when the project
        ended (``"ordinary job: 17"``, ...). They are not losses (register follow-up
        goes on), so they get a box of their own in a row "Project end" under the
        analysis, headed ``status_label`` (default "Status at project end").
    """

    allocated: int
    received: int | None = None
    received_label: str | None = None
    not_received_label: str | None = None
    completed: int | None = None
    completed_label: str | None = None
    lost_to_follow_up: int = 0
    discontinued: int | None = None
    analysed: int | None = None
    excluded_from_analysis: int | None = None
    allocation_details: tuple[str, ...] = ()
    follow_up_details: tuple[str, ...] = ()
    analysis_details: tuple[str, ...] = ()
    status_at_end: tuple[str, ...] = ()
    status_label: str | None = None

    def __post_init__(self) -> None:
        for name in ("allocated", "lost_to_follow_up"):
            object.__setattr__(self, name, _count(getattr(self, name), name, optional=False))
        for name in ("received", "completed", "discontinued", "analysed",
                     "excluded_from_analysis"):  # fmt: skip
            object.__setattr__(self, name, _count(getattr(self, name), name))
        for name in ("allocation_details", "follow_up_details", "analysis_details",
                     "status_at_end"):  # fmt: skip
            object.__setattr__(self, name, _lines(getattr(self, name), name))
        if self.status_label is not None and not isinstance(self.status_label, str):
            raise ArgumentError(
                f"status_label must be a string (the heading of the status box); got "
                f"{type(self.status_label).__name__}."
            )
        if self.analysed is None:
            analysed = self.allocated - self.lost_to_follow_up - (self.excluded_from_analysis or 0)
            object.__setattr__(self, "analysed", analysed)


_ARM_FIELDS = tuple(f.name for f in fields(ConsortArm))


@dataclass(frozen=True)
class ConsortCounts:
    """The counts of a CONSORT flow diagram; checked when made.

    Attributes
    ----------
    randomized : persons randomized.
    arms : ``{arm name: ConsortArm or dict of its fields}``, in display order (left to
        right). Names "Treatment"/"Control" (or 1/0) are translated by ``lang``.
    assessed : persons assessed for eligibility (None: the box is left out).
    excluded : persons excluded before randomization (default ``assessed - randomized``).
    excluded_details : reasons for exclusion, one line each.
    randomized_details : free-text lines for the randomization box.

    Checks (an :class:`~evalkit.errors.ArgumentError` says which count is wrong): the
    arms' ``allocated`` add up to ``randomized``; ``assessed - excluded == randomized``;
    within each arm received <= allocated, completed <= received, discontinued <=
    received (or allocated), lost to follow-up <= allocated and analysed +
    excluded from analysis + lost to follow-up <= allocated.

    Example
    -------
    >>> ConsortCounts(randomized=350, arms={"Treatment": {"allocated": 178},
    ...                                     "Control": {"allocated": 170}})
    Traceback (most recent call last):
    ...
    evalkit.errors.ArgumentError: the arms' allocated counts add up to 348 (Treatment 178 + \
Control 170), but randomized is 350. Each randomized person belongs to exactly one arm: \
correct the counts.
    """

    randomized: int
    arms: Mapping = field(default_factory=dict)
    assessed: int | None = None
    excluded: int | None = None
    excluded_details: tuple[str, ...] = ()
    randomized_details: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        randomized = _count(self.randomized, "randomized", optional=False)
        object.__setattr__(self, "randomized", randomized)
        if not isinstance(self.arms, Mapping) or not self.arms:
            raise ArgumentError(
                "arms must be a non-empty dict {arm name: ConsortArm(...) or dict}, e.g. "
                "{'Treatment': {'allocated': 178}, 'Control': {'allocated': 172}}."
            )
        arms = {}
        for name, arm in self.arms.items():
            if isinstance(arm, Mapping):
                unknown = [k for k in arm if k not in _ARM_FIELDS]
                if unknown:
                    raise ArgumentError(
                        f"arm {name!r}: unknown fields {unknown}; use {', '.join(_ARM_FIELDS)}."
                    )
                if "allocated" not in arm:
                    raise ArgumentError(f"arm {name!r} needs 'allocated' (persons randomized).")
                arm = ConsortArm(**arm)
            elif not isinstance(arm, ConsortArm):
                raise ArgumentError(
                    f"arm {name!r} must be a ConsortArm or a dict; got {type(arm).__name__}."
                )
            arms[name] = arm
        object.__setattr__(self, "arms", arms)
        object.__setattr__(
            self, "excluded_details", _lines(self.excluded_details, "excluded_details")
        )
        object.__setattr__(
            self, "randomized_details", _lines(self.randomized_details, "randomized_details")
        )
        assessed = _count(self.assessed, "assessed")
        excluded = _count(self.excluded, "excluded")
        if assessed is not None and excluded is None:
            excluded = assessed - randomized
            if excluded < 0:
                raise ArgumentError(
                    f"assessed ({assessed}) is smaller than randomized ({randomized}); "
                    "persons are assessed before they are randomized."
                )
        elif assessed is None and excluded is not None:
            assessed = randomized + excluded
        elif assessed is not None and assessed - excluded != randomized:
            raise ArgumentError(
                f"assessed ({assessed}) minus excluded ({excluded}) is {assessed - excluded}, "
                f"but randomized is {randomized}. Correct the counts."
            )
        object.__setattr__(self, "assessed", assessed)
        object.__setattr__(self, "excluded", excluded)
        total = sum(a.allocated for a in arms.values())
        if total != randomized:
            parts = " + ".join(f"{n} {a.allocated}" for n, a in arms.items())
            raise ArgumentError(
                f"the arms' allocated counts add up to {total} ({parts}), but randomized is "
                f"{randomized}. Each randomized person belongs to exactly one arm: correct the "
                "counts."
            )
        for name, arm in arms.items():
            _check_arm(name, arm)


def _check_arm(name, arm: ConsortArm) -> None:
    def stage(what: str, value, limit, limit_name: str) -> None:
        if value is not None and limit is not None and value > limit:
            raise ArgumentError(
                f"arm {name!r}: {what} ({value}) exceeds {limit_name} ({limit}); each stage of "
                "the flow must be at most the stage before. Correct the counts."
            )

    stage("received", arm.received, arm.allocated, "allocated")
    base = arm.received if arm.received is not None else arm.allocated
    base_name = "received" if arm.received is not None else "allocated"
    stage("completed", arm.completed, base, base_name)
    stage("discontinued", arm.discontinued, base, base_name)
    stage("lost to follow-up", arm.lost_to_follow_up, arm.allocated, "allocated")
    used = arm.analysed + (arm.excluded_from_analysis or 0) + arm.lost_to_follow_up
    if arm.analysed < 0 or used > arm.allocated:
        raise ArgumentError(
            f"arm {name!r}: analysed ({arm.analysed}) + excluded from analysis "
            f"({arm.excluded_from_analysis or 0}) + lost to follow-up ({arm.lost_to_follow_up}) "
            f"= {used} exceeds allocated ({arm.allocated}). Correct the counts."
        )


def _as_counts(counts) -> ConsortCounts:
    if isinstance(counts, ConsortCounts):
        return counts
    if isinstance(counts, Mapping):
        known = {f.name for f in fields(ConsortCounts)}
        unknown = [k for k in counts if k not in known]
        if unknown:
            raise ArgumentError(
                f"unknown CONSORT fields {unknown}; use {', '.join(sorted(known))}."
            )
        if "randomized" not in counts:
            raise ArgumentError("the CONSORT counts need 'randomized'.")
        return ConsortCounts(**counts)
    raise ArgumentError(
        f"counts must be a ConsortCounts or a dict of its fields; got {type(counts).__name__}."
    )


# ---------------------------------------------------------------------- disclosure
SECONDARY = "x"


def _relations(counts: ConsortCounts) -> tuple[dict, list, set]:
    """The drawn counts (key -> value), the relations between them ``(total, parts)``
    (``total == sum(parts)``) and the keys of the parts no box shows (free)."""
    cells: dict = {"randomized": counts.randomized}
    relations: list = []
    free: set = set()
    if counts.assessed is not None:
        cells["assessed"], cells["excluded"] = counts.assessed, counts.excluded
        relations.append(("assessed", ["excluded", "randomized"]))
    relations.append(("randomized", [(i, "allocated") for i in range(len(counts.arms))]))

    def rest(i, name: str, value: int):
        """A part the diagram does not draw but a reader can compute by subtraction."""
        if value <= 0:  # nothing left over: not a cell (the box adds up)
            return []
        cells[(i, name)] = value
        free.add((i, name))
        return [(i, name)]

    for i, arm in enumerate(counts.arms.values()):
        cells[(i, "allocated")] = arm.allocated
        cells[(i, "lost")] = arm.lost_to_follow_up
        cells[(i, "analysed")] = arm.analysed
        base = (i, "allocated")
        if arm.received is not None:
            cells[(i, "received")] = arm.received
            cells[(i, "not_received")] = arm.allocated - arm.received
            relations.append(((i, "allocated"), [(i, "received"), (i, "not_received")]))
            base = (i, "received")
        if arm.completed is not None:
            cells[(i, "completed")] = arm.completed
            relations.append(
                (base, [(i, "completed"), *rest(i, "not_completed", cells[base] - arm.completed)])
            )
        if arm.discontinued is not None:
            cells[(i, "discontinued")] = arm.discontinued
            relations.append(
                (base, [(i, "discontinued"),
                        *rest(i, "continued", cells[base] - arm.discontinued)])
            )  # fmt: skip
        parts = [(i, "analysed"), (i, "lost")]
        if arm.excluded_from_analysis is not None:
            cells[(i, "excluded_from_analysis")] = arm.excluded_from_analysis
            parts.append((i, "excluded_from_analysis"))
        used = arm.analysed + arm.lost_to_follow_up + (arm.excluded_from_analysis or 0)
        relations.append(((i, "allocated"), parts + rest(i, "unaccounted", arm.allocated - used)))
    return cells, relations, free


def _suppress(counts: ConsortCounts, threshold: int | None) -> dict:
    """Key -> ``"primary"`` or ``"secondary"`` for every drawn count to suppress.

    Primary: counts of 1 to ``threshold - 1`` persons (0 too when the output rules call
    zeros disclosive). Secondary, repeated until nothing changes, for every relation
    ``total = part + part ...`` of the diagram (assessed = excluded + randomized,
    randomized = the arms' allocated, allocated = received + not received, received (or
    allocated) = completed + the rest, = discontinued + the rest, allocated = analysed +
    lost + excluded from analysis + the rest), where "the rest" is the part no box shows
    (a reader computes it by subtraction):

    - a shown total whose suppressed parts add up to 1..threshold-1 (0 with disclosive
      zeros), or with exactly one suppressed drawn part, gets its smallest shown positive
      part suppressed as well (the total itself when there is none);
    - a suppressed total whose parts are all shown (it would follow by addition) gets its
      smallest shown positive part suppressed.
    """
    if threshold is None:
        return {}
    cells, relations, free = _relations(counts)
    hidden = {k: "primary" for k, v in cells.items() if k not in free and small_count(v, threshold)}
    hidden.update({k: "free" for k in free})

    def pick(keys) -> object | None:
        shown = [k for k in keys if k not in hidden and cells[k] > 0]
        return min(shown, key=lambda k: cells[k]) if shown else None

    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            hidden_parts = [k for k in parts if k in hidden]
            if total in hidden:
                unsafe = not hidden_parts
            else:
                value = sum(cells[k] for k in hidden_parts)
                alone = len(hidden_parts) == 1 and hidden_parts[0] not in free
                unsafe = bool(hidden_parts) and (small_count(value, threshold) or alone)
            if not unsafe:
                continue
            choice = pick(parts)
            if choice is None and total not in hidden:
                choice = total
            if choice is None:
                continue
            hidden[choice] = "secondary"
            changed = True
    return {k: v for k, v in hidden.items() if v != "free"}


# ---------------------------------------------------------------------- drawing
def _n(value, lang: str) -> str:
    text = value if isinstance(value, str) else format_count(value, lang)
    return f"(n{_KEEP}={_KEEP}{text})"


def _shown(key, value: int, hidden: dict, threshold: int | None):
    """A count as drawn: the number, ``"<5"`` (primary) or ``"x"`` (secondary)."""
    reason = hidden.get(key)
    if reason == "primary":
        return f"<{threshold}"
    if reason == "secondary":
        return SECONDARY
    return value


def _wrap_block(head: str, bullets: Sequence[str], width_in: float) -> str:
    chars = max(12, int((width_in - 2 * PAD) / CHAR_WIDTH))
    lines = textwrap.wrap(head, chars) or [""]
    for bullet in bullets:
        lines += textwrap.wrap(bullet, chars, initial_indent="• ", subsequent_indent="   ")
    return "\n".join(lines).replace(_KEEP, " ")


def _height(text: str) -> float:
    return 2 * PAD + LINE_HEIGHT * (text.count("\n") + 1)


def _arm_texts(
    i: int, name: str, arm: ConsortArm, lang: str, hidden: dict, threshold: int | None
) -> tuple[str, str, str, str | None]:
    def n(field: str, value: int) -> str:
        return _n(_shown((i, field), value, hidden, threshold), lang)

    allocation = []
    if arm.received is not None:
        received = arm.received_label or label("received", lang)
        not_received = arm.not_received_label or label("not_received", lang)
        allocation.append(f"{received} {n('received', arm.received)}")
        allocation.append(f"{not_received} {n('not_received', arm.allocated - arm.received)}")
    if arm.completed is not None:
        allocation.append(
            f"{arm.completed_label or label('completed', lang)} {n('completed', arm.completed)}"
        )
    allocation += list(arm.allocation_details)
    arm_label = label("allocated_to", lang, arm=arm_name(name, lang, inline=True))
    head = f"{arm_label} {n('allocated', arm.allocated)}"
    follow = []
    if arm.discontinued is not None:
        follow.append(f"{label('discontinued', lang)} {n('discontinued', arm.discontinued)}")
    follow += list(arm.follow_up_details)
    analysis = []
    if arm.excluded_from_analysis is not None:
        analysis.append(
            f"{label('excluded_from_analysis', lang)} "
            f"{n('excluded_from_analysis', arm.excluded_from_analysis)}"
        )
    analysis += list(arm.analysis_details)
    return (
        _wrap_block(head, allocation, BOX_WIDTH),
        _wrap_block(f"{label('lost_to_follow_up', lang)} {n('lost', arm.lost_to_follow_up)}",
                    follow, BOX_WIDTH),
        _wrap_block(f"{label('analysed', lang)} {n('analysed', arm.analysed)}", analysis,
                    BOX_WIDTH),
        _wrap_block(arm.status_label or label("status_at_end", lang), arm.status_at_end,
                    BOX_WIDTH) if arm.status_at_end else None,
    )  # fmt: skip


def _box(
    ax: Axes,
    x: float,
    top: float,
    width: float,
    text: str,
    height: float | None = None,
    gid: str = "box",
) -> float:
    """A box with its top-left corner at (x, top); returns its height."""
    height = _height(text) if height is None else height
    patch = FancyBboxPatch(
        (x, top - height), width, height, boxstyle="square,pad=0", linewidth=0.9,
        edgecolor=COLOURS["box_edge"], facecolor="white", gid=gid, zorder=2,
    )  # fmt: skip
    ax.add_patch(patch)
    ax.text(x + PAD, top - PAD, text, ha="left", va="top", fontsize=TEXT_SIZE,
            linespacing=1.32 / 1.2, gid="box_text", zorder=3)  # fmt: skip
    return height


def _arrow(ax: Axes, points: Sequence[tuple[float, float]]) -> None:
    path = Path(list(points), [Path.MOVETO] + [Path.LINETO] * (len(points) - 1))
    ax.add_patch(
        FancyArrowPatch(
            path=path, arrowstyle="-|>", mutation_scale=10, linewidth=0.9,
            color=COLOURS["box_edge"], gid="arrow", zorder=1,
        )
    )  # fmt: skip


def _stage(ax: Axes, x: float, top: float, bottom: float, text: str) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (x, bottom), STAGE_WIDTH, top - bottom,
            boxstyle="round,pad=0,rounding_size=0.06", linewidth=0,
            facecolor=COLOURS["stage"], gid="stage", zorder=1,
        )
    )  # fmt: skip
    ax.text(x + STAGE_WIDTH / 2, (top + bottom) / 2, text, rotation=90, ha="center",
            va="center", fontsize=STAGE_SIZE, fontweight="bold", color="#234",
            gid="stage_text")  # fmt: skip


def consort_diagram(
    counts, lang: str = "en", ax: Axes | None = None, disclosure: int | None = 5
) -> Figure:
    """Draw a CONSORT flow diagram from counts.

    Parameters
    ----------
    counts : a :class:`ConsortCounts`, or a dict of its fields (arms as dicts of
        :class:`ConsortArm` fields); checked as :class:`ConsortCounts` describes.
    lang : ``"en"`` or ``"da"``.
    ax : axes to draw into (its limits and aspect are set to the diagram's natural size
        in inches, so give an axes about as large as the figure this function would make:
        text is sized in points); a new figure when None.
    disclosure : threshold of disclosure control (default 5; see below). None: the
        counts are drawn exactly, for published counts: :func:`~evalkit.report.save_figure`
        then refuses the figure unless ``source="published"`` (or ``"public"``,
        ``"synthetic"``) declares them so.

    Disclosure control
    ------------------
    Every count the diagram computes or is given as a field (assessed, excluded,
    randomized, allocated, received, not received, completed, discontinued, lost to
    follow-up, analysed, excluded from analysis) is checked: a count of 1 to
    ``disclosure - 1`` persons (0 too when the output rules call zeros disclosive) is
    drawn as ``"(n = <5)"``. The counts are tied by subtraction (allocated = analysed +
    lost + excluded from analysis; randomized = the arms' allocated; ...), so a
    suppressed count could be recovered from the others: counts are suppressed as well
    (secondary suppression, drawn ``"(n = x)"``; the smallest count that protects it, as
    in :func:`evalkit.report.disclosure.suppress_small`) until no suppressed count, and no
    count no box shows (such as allocated - analysed - lost when ``analysed`` is given),
    follows from the shown ones as 1 to ``disclosure - 1`` persons. A note under the
    diagram explains the markers. The figure is declared to the output gate
    (:func:`evalkit.output.gate.declare_figure`) with the threshold applied.

    **Free-text lines are the caller's.** ``*_details`` lines (``"flexjob: 2"``,
    ``"Declined (n = 70)"``) are drawn as given: the diagram cannot tell a count in
    arbitrary text from a date or a code, so it neither parses nor suppresses them. Write
    them with counts already controlled (e.g. with
    :func:`evalkit.report.disclosure.mask_counts`), and keep in mind that they take part
    in subtractions too. The gate still refuses any text holding a CPR number.

    The diagram has an optional "Assessed for eligibility" box with an "Excluded" box to
    its right, the "Randomized" box, and per arm (left to right in the order of
    ``arms``) the allocation box (with received / not received / completed sub-lines and
    free-text details), the follow-up box and the analysis box, joined by arrows; the
    stages are labelled at the left. Boxes are :class:`~matplotlib.patches.FancyBboxPatch`
    with gid ``"box"``, arrows :class:`~matplotlib.patches.FancyArrowPatch` with gid
    ``"arrow"``, stage labels gid ``"stage"``; box texts have gid ``"box_text"``.

    Example
    -------
    >>> fig = consort_diagram({"randomized": 350, "assessed": 420,
    ...                        "excluded_details": ["Declined to participate (n = 70)"],
    ...                        "arms": {"Treatment": {"allocated": 178},
    ...                                 "Control": {"allocated": 172}}}, lang="da")
    >>> len([p for p in fig.axes[0].patches if p.get_gid() == "box"])
    9

    A small arm: its counts are drawn as ``<5``, and the other arm's allocated and
    analysed as ``x`` (with them and the randomized, the small arm's would follow):

    >>> fig = consort_diagram({"randomized": 180, "arms": {"Treatment": {"allocated": 177},
    ...                                                    "Control": {"allocated": 3}}})
    >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_gid() == "box_text")
    ... # doctest: +NORMALIZE_WHITESPACE
    ['Allocated to Control (n = <5)', 'Allocated to Treatment (n = x)', 'Analysed (n = <5)',
     'Analysed (n = x)', 'Lost to follow-up (n = 0)', 'Lost to follow-up (n = 0)',
     'Randomized (n = 180)']
    """
    check_lang(lang)
    counts = _as_counts(counts)
    from .plots import _check_disclosure, _declare

    threshold = _check_disclosure(disclosure)
    with evalkit_style():
        fig = _draw(counts, lang, ax, threshold)
    return _declare(fig, threshold, lang=lang)


def _draw(counts: ConsortCounts, lang: str, ax: Axes | None, threshold: int | None) -> Figure:
    hidden = _suppress(counts, threshold)

    def n(key, value) -> str:
        return _n(_shown(key, value, hidden, threshold), lang)

    arms = list(counts.arms.items())
    n_arms = len(arms)
    left = MARGIN + STAGE_WIDTH + STAGE_GAP
    content = n_arms * BOX_WIDTH + (n_arms - 1) * ARM_GAP
    centre = left + content / 2
    arm_x = [left + i * (BOX_WIDTH + ARM_GAP) for i in range(n_arms)]
    arm_centres = [x + BOX_WIDTH / 2 for x in arm_x]

    assessed_text = excluded_text = None
    if counts.assessed is not None:
        assessed_text = _wrap_block(
            f"{label('assessed', lang)} {n('assessed', counts.assessed)}", (), CENTRE_BOX_WIDTH
        )
        excluded_width = max(left + content - (centre + 0.3), 2.0)
        excluded_text = _wrap_block(
            f"{label('excluded', lang)} {n('excluded', counts.excluded)}",
            counts.excluded_details, excluded_width,
        )  # fmt: skip
    randomized_text = _wrap_block(
        f"{label('randomized', lang)} {n('randomized', counts.randomized)}",
        counts.randomized_details, CENTRE_BOX_WIDTH,
    )  # fmt: skip
    arm_texts = [
        _arm_texts(i, name, arm, lang, hidden, threshold) for i, (name, arm) in enumerate(arms)
    ]
    note = None
    if hidden:
        chars = max(20, int((left + content - MARGIN) / CHAR_WIDTH))
        note = textwrap.fill(label("consort_note", lang, threshold=threshold), chars)
    stages = ("allocation", "follow_up", "analysis")
    if any(texts[3] is not None for texts in arm_texts):  # statuses at project end
        stages += ("project_end",)
    row_heights = [
        max(*(_height(texts[i]) for texts in arm_texts if texts[i] is not None),
            len(label(stages[i], lang)) * STAGE_CHAR + 2 * PAD, 0.0)
        for i in range(len(stages))
    ]  # fmt: skip

    # Heights, top-down.
    height = MARGIN
    if assessed_text is not None:
        excluded_block = max(_height(excluded_text), 0.3)
        height += _height(assessed_text) + 2 * ROW_GAP / 2 + excluded_block + ROW_GAP / 2
    height += _height(randomized_text) + ROW_GAP * 1.6
    height += sum(row_heights) + (len(row_heights) - 1) * ROW_GAP + MARGIN
    if note is not None:
        height += _height(note)
    width = left + max(content, CENTRE_BOX_WIDTH) + MARGIN
    if excluded_text is not None:
        width = max(width, centre + 0.3 + excluded_width + MARGIN)

    if ax is None:
        fig = new_figure((width, height))
        ax = fig.add_axes((0, 0, 1, 1))
    elif not isinstance(ax, Axes):
        raise ArgumentError(f"ax must be a matplotlib Axes; got {type(ax).__name__}.")
    else:
        fig = ax.figure
    ax.set_label("consort")
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.set_axis_off()

    top = height - MARGIN
    box_x = centre - CENTRE_BOX_WIDTH / 2
    enrol_top = top
    if assessed_text is not None:
        h = _box(ax, box_x, top, CENTRE_BOX_WIDTH, assessed_text)
        trunk_top = top - h
        ex_top = trunk_top - ROW_GAP / 2
        ex_h = _box(ax, centre + 0.3, ex_top, excluded_width, excluded_text)
        branch_y = ex_top - ex_h / 2
        top = ex_top - max(ex_h, 0.3) - ROW_GAP / 2
        _arrow(ax, [(centre, trunk_top), (centre, top)])
        _arrow(ax, [(centre, branch_y), (centre + 0.3, branch_y)])
    h = _box(ax, box_x, top, CENTRE_BOX_WIDTH, randomized_text)
    rand_bottom = top - h
    if assessed_text is not None:  # enrolment = assessment and exclusion
        _stage(ax, MARGIN, enrol_top, rand_bottom, label("enrollment", lang))
    split_y = rand_bottom - ROW_GAP * 0.8
    top = rand_bottom - ROW_GAP * 1.6
    for cx in arm_centres:
        _arrow(ax, [(centre, rand_bottom), (centre, split_y), (cx, split_y), (cx, top)])
    for row, row_height in enumerate(row_heights):
        for i, texts in enumerate(arm_texts):
            if texts[row] is None:  # no status at project end for this arm
                continue
            # the status row is no stage of the flow: its box has no arrow into it
            _box(ax, arm_x[i], top, BOX_WIDTH, texts[row], height=row_height,
                 gid="status_box" if row == 3 else "box")  # fmt: skip
            if row < 2:
                bottom = top - row_height
                _arrow(ax, [(arm_centres[i], bottom), (arm_centres[i], bottom - ROW_GAP)])
        _stage(ax, MARGIN, top, top - row_height, label(stages[row], lang))
        top -= row_height + ROW_GAP
    if note is not None:
        ax.text(MARGIN, top + ROW_GAP - PAD, note, ha="left", va="top", fontsize=TEXT_SIZE - 1,
                fontstyle="italic", color=COLOURS.get("note", "#555555"),
                gid="disclosure_note")  # fmt: skip
    return fig
