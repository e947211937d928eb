"""CONSORT flow diagrams drawn from counts (boxes and arrows as matplotlib patches).

A trial report shows how many persons were assessed, randomized, allocated to each arm,
received the intervention, were lost to follow-up and analysed (Schulz, Altman & Moher
2010, *CONSORT 2010 Statement*, Figure 1). :class:`ConsortCounts` holds the counts with
free-text detail lines per box and checks them (the arms add up to the randomized, no
stage exceeds the one before); :func:`consort_diagram` draws the diagram in English or
Danish.

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
        the arm's boxes (reasons, exits, ...).
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

    def __post_init__(self) -> None:
        for name in ("allocated", "lost_to_follow_up"):
            object.__setattr__(self, name, _count(getattr(self, name), name, optional=False))
        for name in ("received", "completed", "discontinued", "analysed",
                     "excluded_from_analysis"):  # fmt: skip
            object.__setattr__(self, name, _count(getattr(self, name), name))
        for name in ("allocation_details", "follow_up_details", "analysis_details"):
            object.__setattr__(self, name, _lines(getattr(self, name), name))
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


# ---------------------------------------------------------------------- drawing
def _n(value: int, lang: str) -> str:
    return f"(n{_KEEP}={_KEEP}{format_count(value, lang)})"


def _wrap_block(head: str, bullets: Sequence[str], width_in: float) -> str:
    chars = max(12, int((width_in - 2 * PAD) / CHAR_WIDTH))
    lines = textwrap.wrap(head, chars) or [""]
    for bullet in bullets:
        lines += textwrap.wrap(bullet, chars, initial_indent="• ", subsequent_indent="   ")
    return "\n".join(lines).replace(_KEEP, " ")


def _height(text: str) -> float:
    return 2 * PAD + LINE_HEIGHT * (text.count("\n") + 1)


def _arm_texts(name: str, arm: ConsortArm, lang: str) -> tuple[str, str, str]:
    allocation = []
    if arm.received is not None:
        received = arm.received_label or label("received", lang)
        not_received = arm.not_received_label or label("not_received", lang)
        allocation.append(f"{received} {_n(arm.received, lang)}")
        allocation.append(f"{not_received} {_n(arm.allocated - arm.received, lang)}")
    if arm.completed is not None:
        allocation.append(
            f"{arm.completed_label or label('completed', lang)} {_n(arm.completed, lang)}"
        )
    allocation += list(arm.allocation_details)
    head = f"{label('allocated_to', lang, arm=arm_name(name, lang))} {_n(arm.allocated, lang)}"
    follow = []
    if arm.discontinued is not None:
        follow.append(f"{label('discontinued', lang)} {_n(arm.discontinued, lang)}")
    follow += list(arm.follow_up_details)
    analysis = []
    if arm.excluded_from_analysis is not None:
        analysis.append(
            f"{label('excluded_from_analysis', lang)} {_n(arm.excluded_from_analysis, lang)}"
        )
    analysis += list(arm.analysis_details)
    return (
        _wrap_block(head, allocation, BOX_WIDTH),
        _wrap_block(f"{label('lost_to_follow_up', lang)} {_n(arm.lost_to_follow_up, lang)}",
                    follow, BOX_WIDTH),
        _wrap_block(f"{label('analysed', lang)} {_n(arm.analysed, lang)}", analysis, BOX_WIDTH),
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


def consort_diagram(counts, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Draw a CONSORT flow diagram from counts.

    Parameters
    ----------
    counts : a :class:`ConsortCounts`, or a dict of its fields (arms as dicts of
        :class:`ConsortArm` fields); checked as :class:`ConsortCounts` describes.
    lang : ``"en"`` or ``"da"``.
    ax : axes to draw into (its limits and aspect are set to the diagram's natural size
        in inches, so give an axes about as large as the figure this function would make:
        text is sized in points); a new figure when None.

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
    """
    check_lang(lang)
    counts = _as_counts(counts)
    with evalkit_style():
        return _draw(counts, lang, ax)


def _draw(counts: ConsortCounts, lang: str, ax: Axes | None) -> Figure:
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
            f"{label('assessed', lang)} {_n(counts.assessed, lang)}", (), CENTRE_BOX_WIDTH
        )
        excluded_width = max(left + content - (centre + 0.3), 2.0)
        excluded_text = _wrap_block(
            f"{label('excluded', lang)} {_n(counts.excluded, lang)}",
            counts.excluded_details, excluded_width,
        )  # fmt: skip
    randomized_text = _wrap_block(
        f"{label('randomized', lang)} {_n(counts.randomized, lang)}",
        counts.randomized_details, CENTRE_BOX_WIDTH,
    )  # fmt: skip
    arm_texts = [_arm_texts(name, arm, lang) for name, arm in arms]
    stages = ("allocation", "follow_up", "analysis")
    row_heights = [
        max(*(_height(texts[i]) for texts in arm_texts),
            len(label(stages[i], lang)) * STAGE_CHAR + 2 * PAD)
        for i in range(3)
    ]  # fmt: skip

    # Heights, top-down.
    height = MARGIN
    if assessed_text is not None:
        excluded_block = max(_height(excluded_text), 0.3)
        height += _height(assessed_text) + 2 * ROW_GAP / 2 + excluded_block + ROW_GAP / 2
    height += _height(randomized_text) + ROW_GAP * 1.6
    height += sum(row_heights) + 2 * ROW_GAP + MARGIN
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
            _box(ax, arm_x[i], top, BOX_WIDTH, texts[row], height=row_height)
            if row < 2:
                bottom = top - row_height
                _arrow(ax, [(arm_centres[i], bottom), (arm_centres[i], bottom - ROW_GAP)])
        _stage(ax, MARGIN, top, top - row_height, label(stages[row], lang))
        top -= row_height + ROW_GAP
    return fig
