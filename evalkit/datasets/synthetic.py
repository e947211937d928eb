"""SYNTHETIC DREAM-like weekly registers for a two-arm trial (no real persons).

:func:`simulate_register` draws weekly benefit codes of activity-ready
(*aktivitetsparate*) cash-benefit recipients who are randomized to a programme or to
control. Everything here is made up: the persons, their ids (``SYN000001``...), the
codes (evalkit's own code list, see :func:`evalkit.panel.synthetic_classification`)
and the transition model. Use it to try evalkit, to test pipelines and to benchmark;
never as evidence about a real programme.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ArgumentError
from ..panel.panel import UNOBSERVED, StatusPanel
from ..panel.states import StateClassification, synthetic_classification
from ..panel.weeks import ordinal_to_label, parse_weeks

LAYOUTS = ("wide", "long", "array")

# ---------------------------------------------------------------- the model
# Generator states (internal). Two phases of self-sufficiency give job spells a
# falling exit hazard (many short jobs, some that last); both are blank weeks.
S_NEW, S_EST, K, P, E, R, F, D, Y, X, GONE = range(11)
N_STATES = 11
STATE_NAMES = (
    "self-sufficient, new job",
    "self-sufficient, established",
    "cash benefit",
    "partly self-sufficient",
    "education",
    "resource course",
    "flexjob",
    "disability pension",
    "sickness",
    "absorbing (death / emigration)",
    "gone (after an absorbing week)",
)

#: Baseline weekly transition intensities (hazards) of the control arm and of everybody
#: after randomization, from state (key) to state. See :func:`simulate_register`.
BASELINE_HAZARDS: dict[int, dict[int, float]] = {
    K: {S_NEW: 0.0022, P: 0.0035, E: 0.0012, R: 0.0006, F: 0.0002, D: 0.0002, Y: 0.0035,
        X: 0.00012},
    P: {S_NEW: 0.0400, K: 0.1800, Y: 0.0020, X: 0.00012},
    S_NEW: {K: 0.1200, P: 0.0200, S_EST: 0.0600, E: 0.0020, Y: 0.0030, X: 0.0001},
    S_EST: {K: 0.0250, P: 0.0050, E: 0.0010, Y: 0.0020, X: 0.0001},
    E: {K: 0.0200, S_NEW: 0.0060, X: 0.00005},
    R: {K: 0.0080, F: 0.0040, D: 0.0040, X: 0.0002},
    F: {K: 0.0020, D: 0.0010, X: 0.0001},
    D: {X: 0.0006},
    Y: {K: 0.0700, S_NEW: 0.0080, R: 0.0040, D: 0.0020, X: 0.0004},
}  # fmt: skip

#: Before randomization persons only move between cash benefit and partly
#: self-sufficient weeks (both are benefit weeks): at least a year on benefit.
PRE_RANDOMIZATION_HAZARDS: dict[int, dict[int, float]] = {K: {P: 0.0035}, P: {K: 0.1800}}

#: Moves into work, scaled by the job-readiness class (everybody, after randomization).
WORK_MOVES = ((K, S_NEW), (K, P), (P, S_NEW), (Y, S_NEW), (E, S_NEW))
#: Moves from benefit states into work, also scaled by ``hazard_ratio`` (treated arm).
TREATED_MOVES = ((K, S_NEW), (K, P), (P, S_NEW), (Y, S_NEW))
#: Job-readiness classes (equally likely): multipliers of the hazards into work, mean 1.
READINESS = (0.3, 0.7, 1.1, 1.9)
SHARE_INTEGRATIONSYDELSE = 0.15
SHARE_EDUCATION_652 = 0.5
#: Share of absorbing exits that are emigration (998) rather than death (997).
SHARE_EMIGRATION = {"kontanthjælp": 0.3, "integrationsydelse": 0.7}

# Code of each state under each person variant: bit 1 = integrationsydelse (131, not
# 130), bit 2 = education code 652 (not 651), bit 4 = exits by emigration (998, not 997).
_CODES = np.zeros((N_STATES, 8), dtype=np.int16)
_variants = np.arange(8)
_CODES[K] = np.where(_variants & 1, 131, 130)
_CODES[P] = 135
_CODES[E] = np.where(_variants & 2, 652, 651)
_CODES[R] = 771
_CODES[F] = 741
_CODES[D] = 783
_CODES[Y] = 890
_CODES[X] = np.where(_variants & 4, 998, 997)
_CODE_LOOKUP = _CODES.ravel()  # index: state * 8 + variant

_BLOCK_WEEKS = 64  # weeks buffered before a blocked transpose into a person-major array
_TILE_PERSONS = 4096


@dataclass(frozen=True, eq=False)
class SyntheticRegister:
    """A SYNTHETIC weekly register and trial list drawn by :func:`simulate_register`.

    Attributes
    ----------
    register : the register extract. Layout ``"wide"``: column ``id`` and one column per
        week named DREAM-style ``y_YYWW`` (nullable ``Int16`` codes, ``<NA>`` = blank
        week). Layout ``"long"``: columns ``id``, ``week`` (ISO label ``"2015-W10"``) and
        ``code``, one row per coded week (blank weeks are left out, as in DREAM long
        extracts). Layout ``"array"``: the raw ``(persons, weeks)`` int16 code array,
        0 = blank week, rows in the order of ``trial``.
    trial : the trial list: ``id``, ``treated`` (0/1), ``randomization_week`` (ISO
        label) and ``benefit`` (``"kontanthjælp"`` or ``"integrationsydelse"``).
    classification : :func:`evalkit.panel.synthetic_classification`.
    blank : state of a blank week, ``"self_sufficient"``.
    hazard_ratio : the assumed effect (multiplier of the treated arm's hazards into work).
    seed : the seed that reproduces this register (drawn when none was given).
    layout, start, weeks_before, weeks_after, enrolment_weeks : as passed to
        :func:`simulate_register`; ``start`` is the ISO label of the first week.
    """

    register: pd.DataFrame | np.ndarray
    trial: pd.DataFrame
    classification: StateClassification
    blank: str
    hazard_ratio: float
    seed: int
    layout: str
    start: str
    weeks_before: int
    weeks_after: int
    enrolment_weeks: int

    @property
    def n_weeks(self) -> int:
        """Number of weeks in the extract."""
        return self.weeks_before + self.enrolment_weeks + self.weeks_after

    @property
    def week_labels(self) -> list[str]:
        """ISO labels of the extract's weeks."""
        first = int(parse_weeks([self.start])[0][0])
        return ordinal_to_label(np.arange(first, first + self.n_weeks))

    @property
    def week_columns(self) -> list[str]:
        """DREAM column names ``y_YYWW`` of the extract's weeks."""
        return [_dream_name(label) for label in self.week_labels]

    def panel(self, before: int | None = None, after: int | None = None) -> StatusPanel:
        """The aligned :class:`~evalkit.panel.StatusPanel`: week 0 = randomization week.

        The register is read with :meth:`StatusPanel.from_wide` (layout ``"wide"``) or
        :meth:`StatusPanel.from_long` (``"long"``, with the extract's last week as
        ``last_week``), blank weeks being self-sufficient, and aligned on the trial's
        ``randomization_week``. By default the panel runs from week ``-weeks_before`` to
        week ``weeks_after``: every person is observed in all of them (until an absorbing
        week), since randomization falls at or after week ``weeks_before`` of the extract
        and at least ``weeks_after`` weeks before its end.
        """
        before = self.weeks_before if before is None else before
        after = self.weeks_after if after is None else after
        c = self.classification
        if self.layout == "wide":
            panel = StatusPanel.from_wide(self.register, "id", "y_", c, blank=self.blank)
        elif self.layout == "long":
            panel = StatusPanel.from_long(
                self.register, "id", "week", "code", c, blank=self.blank,
                last_week=self.week_labels[-1],
            )  # fmt: skip
        else:
            panel = _panel_from_array(self)
        return panel.align(self.trial, "id", "randomization_week", before=before, after=after)


def simulate_register(
    n_treated: int = 178,
    n_control: int = 172,
    weeks_before: int = 52,
    weeks_after: int = 104,
    enrolment_weeks: int = 40,
    start: str = "2015-W10",
    hazard_ratio: float = 1.3,
    seed: int | None = None,
    layout: str = "wide",
) -> SyntheticRegister:
    """Simulate a SYNTHETIC DREAM-like weekly register of a two-arm trial.

    The persons are activity-ready cash-benefit recipients. The extract has
    ``weeks_before + enrolment_weeks + weeks_after`` weeks from ``start``. Persons are
    randomized (``n_treated`` to the programme, ``n_control`` to control, assigned at
    random to the ids) at staggered weeks drawn uniformly from the enrolment period,
    weeks ``weeks_before .. weeks_before + enrolment_weeks - 1`` of the extract, so every
    person has at least ``weeks_before`` weeks before and ``weeks_after`` weeks after the
    randomization week. Nothing here describes real persons; the ids say so (``SYN...``).

    **Before randomization** everybody is on benefit: the extract starts on cash benefit
    (kontanthjælp, code 130; integrationsydelse, 131, for 15 %), and the only moves are
    short partly self-sufficient spells (135, benefit with some hours; weekly hazard
    0.0035 in, 0.18 back). The randomization week is a cash-benefit week. With the
    default ``weeks_before=52`` everybody thus has at least a year on benefit before
    randomization (a shorter ``weeks_before`` leaves part of that year before the
    extract).

    **After randomization** weeks follow a Markov chain with these weekly transition
    intensities (hazards; blank = self-sufficient, no benefit code; the self-sufficient
    state has a new-job and an established phase so that most jobs are short and some
    last; X = absorbing, 997 death / 998 emigration; in a week with total intensity
    ``L`` a person leaves with probability ``1 - exp(-L)``, to each state in
    proportion to its intensity):

    ====================  =====================================================
    from (code)           to: weekly intensity
    ====================  =====================================================
    cash benefit 130/131  new job 0.0022*, partly s.-s. 0.0035*, education
                          0.0012, resource course 0.0006, flexjob 0.0002,
                          disability pension 0.0002, sickness 0.0035, X 0.00012
    partly s.-s. 135      new job 0.04*, cash benefit 0.18, sickness 0.002,
                          X 0.00012
    new job (blank)       cash benefit 0.12, partly s.-s. 0.02, established job
                          0.06, education 0.002, sickness 0.003, X 0.0001
    established (blank)   cash benefit 0.025, partly s.-s. 0.005, education
                          0.001, sickness 0.002, X 0.0001
    education 651/652     cash benefit 0.02, new job 0.006 (r), X 0.00005
    resource course 771   cash benefit 0.008, flexjob 0.004, disability pension
                          0.004, X 0.0002
    flexjob 741           cash benefit 0.002, disability pension 0.001, X 0.0001
    disability p. 783     X 0.0006 (nearly absorbing)
    sickness 890          cash benefit 0.07, new job 0.008*, resource course
                          0.004, disability pension 0.002, X 0.0004
    X 997/998             one week, then no further codes (blank cells, which the
                          panel treats as not observed: follow-up ends there)
    ====================  =====================================================

    Intensities marked ``*`` or ``(r)`` are moves into work; they are multiplied by the
    person's job-readiness class, 0.3, 0.7, 1.1 or 1.9 (equally likely, mean 1), which
    makes some persons find jobs again and again and others hardly ever. The calibrated
    baseline gives about 14 % of controls at least one self-sufficient week in the 52
    weeks after randomization, about 15 % at least one partly self-sufficient week, and
    job spells that mostly end back on cash benefit within a few weeks.

    **The assumed effect**: in the treated arm, from the randomization week on, the
    intensities marked ``*`` (from cash benefit, partly self-sufficient and sickness
    into self-sufficient or partly self-sufficient work) are multiplied by
    ``hazard_ratio``; the control arm keeps the baseline. ``hazard_ratio=1`` is a
    programme without effect.

    Generation is vectorised over persons (one numpy step per week): a million persons
    over 560 weeks take seconds. Codes are int16, 2 bytes per person-week; ``layout=
    "array"`` returns them as they are, ``"wide"`` wraps them in nullable ``Int16``
    columns (3 bytes per person-week), while ``"long"`` holds a text id and week label
    per coded week: use it for thousands of persons, not millions.

    Parameters
    ----------
    n_treated, n_control : arm sizes (at least one person in each arm: a trial has two).
    weeks_before : weeks in the extract before the enrolment period.
    weeks_after : weeks of follow-up after the last possible randomization week.
    enrolment_weeks : length of the enrolment period (at least 1).
    start : the first week of the extract (ISO label ``"2015-W10"``, a DREAM column
        name or a date); weeks must lie in 1991-2090 for DREAM column names.
    hazard_ratio : the assumed effect, a positive number (see above).
    seed : an integer for a reproducible register; ``None`` draws one, stored in the
        result's ``seed``.
    layout : ``"wide"`` (default), ``"long"`` or ``"array"`` (see
        :class:`SyntheticRegister`).

    Example
    -------
    >>> reg = simulate_register(n_treated=3, n_control=2, weeks_before=2, weeks_after=3,
    ...                         enrolment_weeks=2, seed=1)
    >>> list(reg.register.columns[:4])
    ['id', 'y_1510', 'y_1511', 'y_1512']
    >>> reg.trial.columns.tolist()
    ['id', 'treated', 'randomization_week', 'benefit']
    >>> reg.trial["id"].tolist()
    ['SYN000001', 'SYN000002', 'SYN000003', 'SYN000004', 'SYN000005']
    >>> int(reg.trial["treated"].sum())
    3
    >>> reg.panel().weeks.tolist()
    [-2, -1, 0, 1, 2, 3]
    """
    for name, value in (("n_treated", n_treated), ("n_control", n_control)):
        if _count(value, name) < 1:
            raise ArgumentError(
                f"{name} must be at least 1: the register is of a two-arm trial; got {value!r}."
            )
    return _simulate_register(
        n_treated, n_control, weeks_before, weeks_after, enrolment_weeks, start,
        hazard_ratio, seed, layout,
    )  # fmt: skip


def _simulate_register(
    n_treated: int,
    n_control: int,
    weeks_before: int,
    weeks_after: int,
    enrolment_weeks: int,
    start: str,
    hazard_ratio: float,
    seed: int | None,
    layout: str,
) -> SyntheticRegister:
    """:func:`simulate_register` allowing one empty arm (the design diagnosis draws one
    arm at a time)."""
    n_treated = _count(n_treated, "n_treated")
    n_control = _count(n_control, "n_control")
    if n_treated + n_control == 0:
        raise ArgumentError("n_treated + n_control must be at least 1 person; got 0.")
    weeks_before = _count(weeks_before, "weeks_before")
    weeks_after = _count(weeks_after, "weeks_after")
    enrolment_weeks = _count(enrolment_weeks, "enrolment_weeks")
    if enrolment_weeks < 1:
        raise ArgumentError(
            "enrolment_weeks must be at least 1 (randomization weeks are drawn from the "
            "enrolment period); got 0."
        )
    hazard_ratio = _positive(hazard_ratio, "hazard_ratio")
    if layout not in LAYOUTS:
        raise ArgumentError(
            f"layout must be one of {', '.join(map(repr, LAYOUTS))}; got {layout!r}."
        )
    seed = _seed(seed)
    n_weeks = weeks_before + enrolment_weeks + weeks_after
    labels = _calendar(start, n_weeks)

    rng = np.random.default_rng(seed)
    n = n_treated + n_control
    people = _draw_persons(rng, n, n_treated, weeks_before, enrolment_weeks)
    if layout == "wide":
        codes = np.empty((n_weeks, n), dtype=np.int16)  # week-major: columns of the frame
        _simulate(rng, people, hazard_ratio, n_weeks, codes, person_major=False)
    else:
        codes = np.empty((n, n_weeks), dtype=np.int16)
        _simulate(rng, people, hazard_ratio, n_weeks, codes, person_major=True)

    ids = _synthetic_ids(n)
    benefit = np.where(people["integration"], "integrationsydelse", "kontanthjælp")
    trial = pd.DataFrame(
        {
            "id": ids,
            "treated": people["treated"].astype(np.int64),
            "randomization_week": np.asarray(labels, dtype=object)[people["randomized"]],
            "benefit": benefit.astype(object),
        }
    )
    if layout == "wide":
        register = _wide_frame(ids, codes, labels)
    elif layout == "long":
        register = _long_frame(ids, codes, labels)
    else:
        register = codes
    return SyntheticRegister(
        register=register,
        trial=trial,
        classification=synthetic_classification(),
        blank="self_sufficient",
        hazard_ratio=hazard_ratio,
        seed=seed,
        layout=layout,
        start=labels[0],
        weeks_before=weeks_before,
        weeks_after=weeks_after,
        enrolment_weeks=enrolment_weeks,
    )


# ---------------------------------------------------------------- generation
def _draw_persons(rng, n: int, n_treated: int, weeks_before: int, enrolment_weeks: int) -> dict:
    treated = np.zeros(n, dtype=bool)
    treated[rng.permutation(n)[:n_treated]] = True
    integration = rng.random(n) < SHARE_INTEGRATIONSYDELSE
    education_652 = rng.random(n) < SHARE_EDUCATION_652
    emigration_share = np.where(
        integration,
        SHARE_EMIGRATION["integrationsydelse"],
        SHARE_EMIGRATION["kontanthjælp"],
    )
    emigrates = rng.random(n) < emigration_share
    readiness = rng.integers(0, len(READINESS), n)
    randomized = weeks_before + rng.integers(0, enrolment_weeks, n)
    variant = (integration * 1 + education_652 * 2 + emigrates * 4).astype(np.int16)
    return {
        "treated": treated,
        "integration": integration,
        "variant": variant,
        "group": (1 + 2 * readiness + treated).astype(np.int16),
        "randomized": randomized,
    }


def _transition_tables(hazard_ratio: float) -> tuple[np.ndarray, np.ndarray]:
    """Stay probabilities ``(groups * states,)`` and cumulative move distributions.

    Group 0 is before randomization; group ``1 + 2 * readiness + treated`` after.
    """
    groups = 1 + 2 * len(READINESS)
    stay = np.ones((groups, N_STATES))
    cum = np.ones((groups, N_STATES, N_STATES))
    for g in range(groups):
        if g == 0:
            table = PRE_RANDOMIZATION_HAZARDS
        else:
            readiness, treated = divmod(g - 1, 2)
            table = {s: dict(row) for s, row in BASELINE_HAZARDS.items()}
            for s, t in WORK_MOVES:
                table[s][t] *= READINESS[readiness]
            if treated:
                for s, t in TREATED_MOVES:
                    table[s][t] *= hazard_ratio
        for s in range(N_STATES):
            rates = np.zeros(N_STATES)
            for t, rate in table.get(s, {}).items():
                rates[t] = rate
            if s == X:  # one absorbing week, then gone
                rates[:] = 0.0
                rates[GONE] = np.inf
            total = rates.sum()
            if total == 0:  # no moves: stay (the draw is never made, but be safe)
                cum[g, s, :s] = 0.0
                continue
            if np.isinf(total):
                stay[g, s] = 0.0
                probs = np.isinf(rates).astype(float)
            else:
                stay[g, s] = math.exp(-total)
                probs = rates / total
            row = np.cumsum(probs)
            row[np.flatnonzero(probs > 0)[-1] :] = 1.0
            cum[g, s] = row
    return stay.ravel(), cum.reshape(groups * N_STATES, N_STATES)


def _simulate(rng, people: dict, hazard_ratio: float, n_weeks: int, out, person_major: bool):
    """Fill ``out`` with codes: ``(weeks, persons)`` or ``(persons, weeks)``."""
    n = len(people["variant"])
    stay, cum = _transition_tables(hazard_ratio)
    stay = stay.astype(np.float32)
    variant = people["variant"]
    post_base = people["group"].astype(np.intp) * N_STATES
    # Persons randomized in each week, for the switch from the pre-randomization regime.
    order = np.argsort(people["randomized"], kind="stable")
    bounds = np.searchsorted(people["randomized"][order], np.arange(n_weeks + 1))
    base = np.zeros(n, dtype=np.intp)  # group * N_STATES; group 0 before randomization
    key = base + K  # group * N_STATES + state (intp: the fastest index for take)
    k_code = _CODE_LOOKUP[K * 8 + variant]

    block = n_weeks if not person_major else min(_BLOCK_WEEKS, max(n_weeks, 1))
    buffer = out if not person_major else np.empty((block, n), dtype=np.int16)
    row = np.empty(n, dtype=np.int16)
    # Work buffers, reused every week (fresh arrays would cost page faults each week).
    uniform = np.empty(n, dtype=np.float32)
    stay_now = np.empty(n, dtype=np.float32)
    moving = np.empty(n, dtype=bool)
    for t in range(n_weeks):
        if t == 0:
            row[:] = k_code
        else:
            rng.random(dtype=np.float32, out=uniform)
            stay.take(key, out=stay_now)
            moved = np.flatnonzero(np.greater_equal(uniform, stay_now, out=moving))
            if moved.size:
                draw = rng.random(moved.size)
                new_state = (cum[key[moved]] <= draw[:, None]).sum(axis=1)
                key[moved] = base[moved] + new_state
                row[moved] = _CODE_LOOKUP[new_state * 8 + variant[moved]]
        now = order[bounds[t] : bounds[t + 1]]
        if now.size:  # randomized this week: a cash-benefit week, then the trial regime
            base[now] = post_base[now]
            key[now] = base[now] + K
            row[now] = k_code[now]
        buffer[t % block] = row
        if person_major and (t % block == block - 1 or t == n_weeks - 1):
            t0 = t - t % block
            for p0 in range(0, n, _TILE_PERSONS):  # tiled transpose: cache-friendly
                p1 = p0 + _TILE_PERSONS
                out[p0:p1, t0 : t + 1] = buffer[: t + 1 - t0, p0:p1].T


# ---------------------------------------------------------------- output
def _synthetic_ids(n: int) -> np.ndarray:
    width = max(6, len(str(n)))
    digits = np.char.zfill(np.arange(1, n + 1).astype(str), width)
    return np.char.add("SYN", digits).astype(object)


def _dream_name(label: str) -> str:
    return f"y_{label[2:4]}{label[6:8]}"


def _wide_frame(ids: np.ndarray, codes: np.ndarray, labels: list[str]) -> pd.DataFrame:
    columns: dict[str, object] = {"id": ids}
    for t, label in enumerate(labels):
        values = codes[t]
        columns[_dream_name(label)] = pd.arrays.IntegerArray(values, values == 0)
    return pd.DataFrame(columns, copy=False)


def _long_frame(ids: np.ndarray, codes: np.ndarray, labels: list[str]) -> pd.DataFrame:
    persons, weeks = np.nonzero(codes)  # person-major: sorted by id, then week
    week_labels = pd.Categorical.from_codes(weeks, categories=labels)
    return pd.DataFrame(
        {
            "id": ids[persons],
            "week": np.asarray(week_labels, dtype=object),
            "code": codes[persons, weeks],
        }
    )


def _panel_from_array(register: SyntheticRegister) -> StatusPanel:
    c = register.classification
    lookup = np.full(1000, UNOBSERVED, dtype=np.int8)
    for position, name in enumerate(c.names):
        spec = c.states[name]
        lookup[np.asarray(list(spec), dtype=np.int64)] = position
    lookup[0] = c.state_index(register.blank)  # every person has a code in week 0
    first = int(parse_weeks([register.start])[0][0])
    panel = StatusPanel(
        register.trial["id"].to_numpy(),
        lookup[register.register],
        c.names,
        first,
        True,
        False,
        c.absorbing,
    )
    return panel.cut_at_absorbing()


# ---------------------------------------------------------------- arguments
def _count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentError(f"{name} must be a whole number >= 0; got {value!r}.")
    if value < 0:
        raise ArgumentError(f"{name} must be >= 0; got {value}.")
    return int(value)


def _positive(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentError(f"{name} must be a positive number; got {value!r}.")
    value = float(value)
    if not (value > 0 and math.isfinite(value)):
        raise ArgumentError(
            f"{name} must be a positive, finite number (1 = no effect); got {value!r}."
        )
    return value


def _seed(seed) -> int:
    """evalkit's seed rule (:func:`evalkit.inference.randomization.check_seed`): a whole
    number as it is, ``None`` a fresh seed from the OS, a Generator one integer drawn
    from it; the caller records the returned seed on its result."""
    from ..inference.randomization import check_seed

    return check_seed(seed)


def _calendar(start, n_weeks: int) -> list[str]:
    try:
        ordinals, calendar = parse_weeks([start], "start")
    except ArgumentError as error:
        raise ArgumentError(f"start: {error}") from None
    if not calendar:
        raise ArgumentError(
            f"start must be a calendar week (an ISO label such as '2015-W10', a DREAM column "
            f"name or a date); got {start!r}."
        )
    first = int(ordinals[0])
    labels = ordinal_to_label(np.arange(first, first + n_weeks))
    years = (int(labels[0][:4]), int(labels[-1][:4]))
    if years[0] < 1991 or years[1] > 2090:
        raise ArgumentError(
            f"the extract runs from {labels[0]} to {labels[-1]}; DREAM column names "
            "(y_YYWW) cover 1991-2090. Choose another start or fewer weeks."
        )
    return labels[:n_weeks]
