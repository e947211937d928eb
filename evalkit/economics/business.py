r"""The business case of a programme: intervention costs against benefit costs saved.

A municipality's business case promises a reduction in *full-year persons* on a cash
benefit (a full-year person is 52 weeks of benefit, one person a whole year or two half a
year each) and prices it with the saving per full-year person that the state's
reimbursement staircase leaves with the municipality (:mod:`evalkit.economics`'s
staircase computes that number; here it is an input, never a hidden constant). The adult
business case of an unnamed municipality (2014–2018) promised 50 full-year persons a
year. This module computes

- :func:`business_case`: the net present value of the programme with the interval
  carried through from the effect's, the break-even effect and the years to break even,
  and the cost per additional full-year person self-sufficient;
- :func:`sensitivity_table` and :func:`tornado_plot`: one-way sensitivity of the net
  present value to each input over a (low, high) range;
- :func:`required_outcomes`: how many persons a programme must bring into work (for how
  many weeks) to deliver a target in full-year persons;
- :func:`cost_per_outcome` (from :mod:`evalkit.benchmark`): cost per outcome where there
  is no control group, with its selection caveat.

Formulas
--------
With the reduction :math:`R` in full-year persons on benefit per year (treatment against
control), the saving :math:`S` per full-year person per year, the one-off cost
:math:`C_0` (paid at the start, year 0), the yearly cost :math:`C` and the yearly saving
:math:`S R` (both at the end of years :math:`t = 1, \dots, T`), and the discount rate
:math:`r > -1`:

.. math::

    A_T(r) = \sum_{t=1}^{T} (1 + r)^{-t} = \frac{1 - (1 + r)^{-T}}{r}
    \quad (A_T(0) = T),

    \mathrm{NPV}(R) = -C_0 + A_T(r)\,(S R - C) = A_T(r)\,S\,R - (C_0 + A_T(r)\,C).

The NPV is an increasing linear function of :math:`R` (as :math:`A_T(r) S > 0`), so the
interval :math:`(R_L, R_U)` of the effect maps exactly onto
:math:`(\mathrm{NPV}(R_L), \mathrm{NPV}(R_U))` at the same level, and its standard
error is :math:`A_T(r)\,S\,\mathrm{SE}(R)` (the uncertainty of the effect only: the
costs, the saving and the rate are taken as known; vary them with
:func:`sensitivity_table`). The **break-even effect** is the reduction at which the NPV
is 0,

.. math::  R^{*} = \frac{C_0 + A_T(r)\,C}{A_T(r)\,S},

and the **years to break even** the :math:`T^{*}` with :math:`A_{T^{*}}(r) = C_0 / N`,
:math:`N = S R - C > 0` the yearly net saving:
:math:`T^{*} = -\ln(1 - r C_0 / N) / \ln(1 + r)` (:math:`C_0 / N` when :math:`r = 0`;
infinite when :math:`N \le 0` or :math:`r C_0 / N \ge 1`). The discounted net saving is
positive from the end of year :math:`\lceil T^{*} \rceil`. The **cost per additional
full-year person self-sufficient** discounts person-years as money (Drummond et al.
2015, *Methods for the economic evaluation of health care programmes*, ch. 4):

.. math::  \frac{C_0 + A_T(r)\,C}{A_T(r)\,R},

so that :math:`\mathrm{NPV} \ge 0` exactly when it is at most :math:`S`
(:math:`R^{*} = \text{cost per full-year person} \times R / S`). Its interval is
:math:`(\cdot / R_U, \cdot / R_L)` when :math:`R_L > 0` (unbounded above otherwise).
Present-value conventions follow HM Treasury's *Green Book* (2022), annex A6, and the
Danish Finance Ministry's *Vejledning i samfundsøkonomiske konsekvensvurderinger* (2017).

Counts of persons
-----------------
A full-year-person effect estimated from register data rests on the persons in each
arm, and so does every kroner figure computed from it: given an
:class:`~evalkit.results.EffectResult`, the result and its frames carry ``n_treated``
and ``n_control``, declared to the output gate as counts with every number resting on
them (an arm of 1–4 persons suppresses them all). Given plain numbers (a promise such
as 50 full-year persons, a published effect) the frames show no counts of persons
(``counts=[]``); a promise is no register output.
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..benchmark.targets import CostPerOutcome, cost_per_outcome
from ..errors import ArgumentError, ColumnError
from ..output.declare import declare_table
from ..output.rules import current_rules
from ..results import SUPPRESSED, InferentialResult, _redact

__all__ = [
    "BusinessCase",
    "CostPerOutcome",
    "INPUTS",
    "annuity_factor",
    "business_case",
    "cost_per_outcome",
    "required_outcomes",
    "sensitivity_table",
    "tornado_plot",
]

#: The inputs of a business case that :func:`sensitivity_table` can vary.
INPUTS = ("effect", "saving", "cost_once", "cost_per_year", "rate", "horizon")
EFFECT_IS = ("reduction", "difference_on_benefit")
#: Columns of BusinessCase.to_frame() and flows() that do not rest on the effect.
_FREE = ("saving", "cost_once", "cost_per_year", "rate", "horizon", "pv_costs",
         "break_even_effect", "year", "cost", "discount_factor")  # fmt: skip
SENSITIVITY_COLUMNS = [
    "input",
    "low",
    "high",
    "base",
    "npv_low",
    "npv_high",
    "npv_base",
    "swing",
]


# ----------------------------------------------------------------------------- checks
def _number(value, name: str) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ArgumentError(f"{name} must be a number; got {value!r}.")
    number = float(value)
    if not math.isfinite(number):
        raise ArgumentError(f"{name} must be a finite number; got {value!r}.")
    return number


def _nonnegative(value, name: str) -> float:
    number = _number(value, name)
    if number < 0:
        raise ArgumentError(f"{name} must be >= 0 (a cost in kroner); got {value!r}.")
    return number


def _positive(value, name: str) -> float:
    number = _number(value, name)
    if number <= 0:
        raise ArgumentError(f"{name} must be > 0; got {value!r}.")
    return number


def _rate(value) -> float:
    number = _number(value, "rate")
    if number <= -1:
        raise ArgumentError(
            f"rate must be greater than -1 (a discount rate such as 0.035 for 3.5 %); "
            f"got {value!r}."
        )
    return number


def _horizon(value) -> int:
    number = _number(value, "horizon")
    if number != int(number) or number < 1:
        raise ArgumentError(f"horizon must be a whole number of years >= 1; got {value!r}.")
    return int(number)


_CHECKS = {
    "effect": lambda v: _number(v, "effect"),
    "saving": lambda v: _positive(v, "saving"),
    "cost_once": lambda v: _nonnegative(v, "cost_once"),
    "cost_per_year": lambda v: _nonnegative(v, "cost_per_year"),
    "rate": _rate,
    "horizon": _horizon,
}


def annuity_factor(rate: float, horizon: int) -> float:
    r"""Present value of 1 krone at the end of each of ``horizon`` years:
    :math:`A_T(r) = \sum_{t=1}^{T} (1 + r)^{-t} = (1 - (1 + r)^{-T}) / r` (:math:`T` at
    :math:`r = 0`).

    >>> annuity_factor(0.0, 5), round(annuity_factor(0.1, 2), 6)
    (5.0, 1.735537)
    """
    r, t = _rate(rate), _horizon(horizon)
    if r == 0:
        return float(t)
    return float((1.0 - (1.0 + r) ** -t) / r)


def _npv(effect, saving, cost_once, cost_per_year, rate, horizon) -> float:
    a = annuity_factor(rate, horizon)
    return a * saving * effect - (cost_once + a * cost_per_year)


def _years_to_break_even(net: float, cost_once: float, rate: float) -> float:
    """:math:`T^*` with :math:`A_{T^*}(r) = C_0 / N` (inf when never)."""
    if cost_once == 0:
        return 0.0 if net >= 0 else math.inf
    if net <= 0:
        return math.inf
    k = cost_once / net
    if rate == 0:
        return k
    inside = 1.0 - rate * k
    if inside <= 0:
        return math.inf
    return float(-math.log(inside) / math.log1p(rate))


def _effect_parts(effect, conf_int, effect_is: str, participants_per_year):
    """(reduction, its interval or None, its SE or None, alpha, n_treated, n_control)."""
    if effect_is not in EFFECT_IS:
        raise ArgumentError(f"effect_is must be one of {EFFECT_IS}; got {effect_is!r}.")
    n_treated = n_control = None
    alpha = 0.05
    std_error = None
    if isinstance(effect, numbers.Real) and not isinstance(effect, bool | np.bool_):
        estimate = _number(effect, "effect")
    elif hasattr(effect, "estimate") and hasattr(effect, "conf_int"):
        if conf_int is not None:
            raise ArgumentError(
                "conf_int is taken from the effect result; pass conf_int only with a number."
            )
        if getattr(effect, "scale", "difference") == "ratio":
            raise ArgumentError(
                "the effect is a ratio; a business case needs a difference in full-year persons."
            )
        estimate = _number(effect.estimate, "effect.estimate")
        conf_int = effect.conf_int
        se = getattr(effect, "std_error", None)
        std_error = None if se is None else _nonnegative(se, "effect.std_error")
        alpha = float(getattr(effect, "alpha", 0.05))
        n_treated = getattr(effect, "n_treated", None)
        n_control = getattr(effect, "n_control", None)
    else:
        raise ArgumentError(
            "effect must be a number of full-year persons or an effect result with estimate "
            f"and conf_int (e.g. difference_in_means(...)); got {type(effect).__name__}."
        )
    interval = None
    if conf_int is not None:
        try:
            low, high = conf_int
        except (TypeError, ValueError):
            raise ArgumentError(f"conf_int must be a (low, high) pair; got {conf_int!r}.") from None
        low, high = _number(low, "conf_int[0]"), _number(high, "conf_int[1]")
        if low > high:
            raise ArgumentError(f"conf_int must have low <= high; got ({low}, {high}).")
        if not low <= estimate <= high:
            raise ArgumentError(f"the effect {estimate} lies outside its interval ({low}, {high}).")
        interval = (low, high)
    if effect_is == "difference_on_benefit":  # reduction = -(treatment - control)
        estimate = -estimate
        interval = None if interval is None else (-interval[1], -interval[0])
    scale = 1.0
    if participants_per_year is not None:
        scale = _positive(participants_per_year, "participants_per_year")
    estimate *= scale
    interval = None if interval is None else (interval[0] * scale, interval[1] * scale)
    std_error = None if std_error is None else std_error * scale
    return estimate, interval, std_error, alpha, n_treated, n_control


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False, repr=False)
class BusinessCase(InferentialResult):
    """The business case of a programme (see the module docstring for the formulas).

    Attributes
    ----------
    estimate : the net present value (kroner): discounted savings minus discounted costs.
    conf_int : the NPV at the ends of the effect's interval (exact: the NPV is linear
        in the effect); None when the effect has no interval.
    std_error : :math:`A_T(r) S \\mathrm{SE}(R)`, or None when the effect has none.
    p_value : None (nothing is tested: read the interval and the break-even effect).
    effect, effect_conf_int : the reduction in full-year persons on benefit per year.
    saving : kroner saved per full-year person per year (the staircase's net saving).
    cost_once, cost_per_year, rate, horizon : the costs, the discount rate and the years.
    annuity : :math:`A_T(r)`.
    break_even_effect : :math:`R^*`, the reduction at which the NPV is 0.
    years_to_break_even : :math:`T^*` (inf when the programme never breaks even).
    cost_per_full_year_person : discounted cost per discounted additional full-year
        person self-sufficient; ``cost_per_full_year_person_conf_int`` its interval.
    n_treated, n_control : the arms the effect rests on (None for plain numbers).
    """

    estimate: float
    conf_int: tuple[float, float] | None
    std_error: float | None
    effect: float
    effect_conf_int: tuple[float, float] | None
    saving: float
    cost_once: float
    cost_per_year: float
    rate: float
    horizon: int
    annuity: float
    break_even_effect: float
    years_to_break_even: float
    cost_per_full_year_person: float
    cost_per_full_year_person_conf_int: tuple[float, float] | None
    alpha: float = 0.05
    n_treated: int | None = None
    n_control: int | None = None
    label: str = ""
    lang: str = "en"

    @property
    def p_value(self) -> None:
        """None: nothing is tested."""
        return None

    # -- derived numbers ---------------------------------------------------------------
    @property
    def pv_costs(self) -> float:
        """Present value of the costs: :math:`C_0 + A_T(r) C`."""
        return self.cost_once + self.annuity * self.cost_per_year

    @property
    def pv_savings(self) -> float:
        """Present value of the savings: :math:`A_T(r) S R`."""
        return self.annuity * self.saving * self.effect

    @property
    def rests_on_persons(self) -> bool:
        """Whether the effect came with the arm sizes it was estimated on."""
        return self.n_treated is not None or self.n_control is not None

    def inputs(self) -> dict:
        """The base inputs by name (:data:`INPUTS`)."""
        return {
            "effect": self.effect,
            "saving": self.saving,
            "cost_once": self.cost_once,
            "cost_per_year": self.cost_per_year,
            "rate": self.rate,
            "horizon": self.horizon,
        }

    def npv(self, **changes) -> float:
        """The NPV with some inputs changed (by name, :data:`INPUTS`), the others at base.

        >>> case = business_case(50, saving=100_000, cost_per_year=2_000_000, horizon=2)
        >>> case.npv(effect=40)  # 2 * (100,000 * 40 - 2,000,000)
        4000000.0
        """
        unknown = sorted(set(changes) - set(INPUTS))
        if unknown:
            raise ArgumentError(f"unknown inputs {unknown}; the inputs are {list(INPUTS)}.")
        values = {**self.inputs(), **{k: _CHECKS[k](v) for k, v in changes.items()}}
        return float(_npv(**values))

    def flows(self) -> pd.DataFrame:
        """Year by year (0 to ``horizon``): cost, saving, net, discount factor
        :math:`(1 + r)^{-t}`, present value and cumulative present value (the last is
        the NPV); with an interval, the saving and cumulative present value at its ends.
        Declared to the output gate as :meth:`to_frame` is."""
        years = np.arange(self.horizon + 1)
        cost = np.where(years == 0, self.cost_once, self.cost_per_year).astype(float)
        saving = np.where(years == 0, 0.0, self.saving * self.effect)
        factor = (1.0 + self.rate) ** -years.astype(float)
        frame = pd.DataFrame(
            {
                "year": years,
                "cost": cost,
                "saving": saving,
                "net": saving - cost,
                "discount_factor": factor,
                "present_value": (saving - cost) * factor,
            }
        )
        frame["cumulative_present_value"] = frame["present_value"].cumsum()
        if self.effect_conf_int is not None:
            for end, r in zip(("low", "high"), self.effect_conf_int, strict=True):
                s = np.where(years == 0, 0.0, self.saving * r)
                frame[f"cumulative_present_value_{end}"] = ((s - cost) * factor).cumsum()
        return self._with_counts(frame, free=_FREE)

    # -- the tidy frame ----------------------------------------------------------------
    def _term(self) -> str:
        return "net_present_value"

    def _row_extra(self) -> dict:
        ci = self.cost_per_full_year_person_conf_int or (np.nan, np.nan)
        effect_ci = self.effect_conf_int or (np.nan, np.nan)
        return {
            "effect": self.effect,
            "effect_conf_low": effect_ci[0],
            "effect_conf_high": effect_ci[1],
            "saving": self.saving,
            "cost_once": self.cost_once,
            "cost_per_year": self.cost_per_year,
            "rate": self.rate,
            "horizon": self.horizon,
            "pv_costs": self.pv_costs,
            "pv_savings": self.pv_savings,
            "break_even_effect": self.break_even_effect,
            "years_to_break_even": self.years_to_break_even,
            "cost_per_full_year_person": self.cost_per_full_year_person,
            "cost_per_full_year_person_conf_low": ci[0],
            "cost_per_full_year_person_conf_high": ci[1],
        }

    def _with_counts(self, frame: pd.DataFrame, free=()) -> pd.DataFrame:
        """``frame`` declared to the output gate: with arm sizes, they are counts and
        every number column but those in ``free`` (the inputs, what rests on the costs
        only) rests on them; without arm sizes, no counts of persons (``counts=[]``)."""
        frame = frame.copy()
        if not self.rests_on_persons:
            return declare_table(frame, counts=[])
        frame["n_treated"] = self.n_treated
        frame["n_control"] = self.n_control
        counts = ["n_treated", "n_control"]
        dependent = [
            c
            for c in frame.columns
            if c not in counts and c not in free and frame[c].dtype.kind in "biuf"
        ]
        return declare_table(frame, counts=counts, dependent=dependent)

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Arm sizes (when the effect came with them) are counts of persons and every
        number computed from the effect rests on them (a full-year-person effect from
        register data rests on the persons of each arm); the inputs, the present value
        of the costs and the break-even effect do not. Plain numbers: ``counts=[]``."""
        return self._with_counts(frame, free=_FREE)

    # -- views -------------------------------------------------------------------------
    #: The views apply their own control (numbers resting on a small arm shown as "x").
    _view_control_own = True

    def suppressed(self) -> bool:
        """Whether the effect rests on an arm of 1 to ``threshold - 1`` persons (0 too
        when the output rules call zeros disclosive): every number computed from it is
        then shown as ``"x"`` in the views (the attributes stay exact)."""
        from ..results import small_count

        return self.rests_on_persons and (
            small_count(self.n_treated) or small_count(self.n_control)
        )

    def _view_counts(self) -> dict:
        if not self.rests_on_persons:
            return {}
        return {"treated": self.n_treated, "control": self.n_control}

    def _fmt(self, value, decimals: int = 0, hide: bool = True) -> str:
        from ..report.labels import format_number

        if hide and self.suppressed():
            return SUPPRESSED
        if value is None or not math.isfinite(value):
            return "\N{INFINITY}" if value == math.inf else ""
        return format_number(value, decimals, self.lang, minus="-")

    def _fmt_interval(self, interval, decimals: int = 0) -> str:
        from ..report.labels import format_level, label

        if interval is None:
            return ""
        level = label("confidence_interval", self.lang, level=format_level(self.alpha, self.lang))
        sep = "; " if self.lang == "da" else ", "
        low, high = (self._fmt(v, decimals) for v in interval)
        return f", {level} [{low}{sep}{high}]"

    def _arms(self) -> str:
        from ..report.labels import label

        if not self.rests_on_persons:
            return ""
        threshold = current_rules().threshold

        def arm(n):
            from ..results import small_count

            return f"<{threshold}" if small_count(n) else str(n)

        return (
            f" ({label('treatment', self.lang)} {arm(self.n_treated)}, "
            f"{label('control', self.lang)} {arm(self.n_control)})"
        )

    def _header(self) -> list[str]:
        from ..report.labels import _decimals_needed, label

        lang = self.lang
        title = label("business_case", lang) + (f": {self.label}" if self.label else "")
        lines = [title + self._arms()]
        lines.append(
            f"{label('bc_effect', lang)}: {self._fmt(self.effect, 2)}"
            f"{self._fmt_interval(self.effect_conf_int, 2)}"
        )
        lines.append(
            f"{label('bc_saving', lang)}: {self._fmt(self.saving, hide=False)}; "
            f"{label('bc_cost_once', lang)}: {self._fmt(self.cost_once, hide=False)}; "
            f"{label('bc_cost_per_year', lang)}: {self._fmt(self.cost_per_year, hide=False)}"
        )
        rate = self._fmt(100 * self.rate, _decimals_needed([100 * self.rate], 3), hide=False)
        lines.append(
            f"{label('bc_rate', lang)}: {rate}{' %' if lang == 'da' else '%'}; "
            f"{label('bc_horizon', lang)}: {self.horizon}"
        )
        return lines

    def _lines(self) -> list[str]:
        from ..report.labels import label

        lang = self.lang
        years = self.years_to_break_even
        return [
            f"{label('bc_npv', lang)}: {self._fmt(self.estimate)}"
            f"{self._fmt_interval(self.conf_int)}",
            f"{label('bc_pv_costs', lang)}: {self._fmt(self.pv_costs, hide=False)}; "
            f"{label('bc_pv_savings', lang)}: {self._fmt(self.pv_savings)}",
            f"{label('bc_break_even_effect', lang)}: "
            f"{self._fmt(self.break_even_effect, 2, hide=False)}",
            f"{label('bc_years_to_break_even', lang)}: {self._fmt(years, 2)}",
            f"{label('bc_cost_per_full_year_person', lang)}: "
            f"{self._fmt(self.cost_per_full_year_person)}"
            f"{self._fmt_interval(self.cost_per_full_year_person_conf_int)}",
        ]

    def summary(self) -> str:
        """The inputs, the NPV with its interval, the break-even effect and years, and the
        cost per full-year person, labelled in the result's ``lang``; numbers resting on
        an arm of fewer than 5 persons shown as ``"x"`` (the output rules in force)."""
        return _redact("\n".join(self._header() + self._lines() + self._after_lines()))

    def _after_lines(self) -> list[str]:
        from ..report.labels import label

        notes = [label("bc_note", self.lang)]
        if self.suppressed():
            notes.append(label("effect_suppressed", self.lang, threshold=current_rules().threshold))
        return notes

    def _html_after(self) -> str:
        lines = self._lines() + self._after_lines()
        return "<p>" + "<br>".join(html.escape(x) for x in lines) + "</p>"

    def _display_frame(self) -> pd.DataFrame:
        """``to_frame()`` as the notebook shows it: when an arm is small, its size as
        ``"<5"`` and every number resting on it as ``"x"``."""
        frame = self.to_frame()
        frame.attrs = {}
        if not self.suppressed():
            return frame
        threshold = current_rules().threshold
        dependent = [c for c in frame.columns if c not in _FREE and c != "term"]
        dependent = [c for c in dependent if c not in ("n_treated", "n_control")]
        frame = frame.astype(dict.fromkeys([*dependent, "n_treated", "n_control"], object))
        frame.loc[:, dependent] = SUPPRESSED
        from ..results import small_count

        for column in ("n_treated", "n_control"):
            frame[column] = [f"<{threshold}" if small_count(v) else v for v in frame[column]]
        return frame


def _cost_per_fyp(pv_costs: float, annuity: float, reduction: float) -> float:
    if reduction <= 0:
        return math.inf
    return pv_costs / (annuity * reduction)


def business_case(
    effect,
    saving: float,
    cost_once: float = 0.0,
    cost_per_year: float = 0.0,
    horizon: int = 5,
    rate: float = 0.0,
    *,
    conf_int: tuple[float, float] | None = None,
    effect_is: str = "reduction",
    participants_per_year: float | None = None,
    label: str = "",
    lang: str = "en",
) -> BusinessCase:
    r"""Net present value of a programme: costs against benefit costs saved.

    Parameters
    ----------
    effect : the reduction in full-year persons on benefit per year, treatment against
        control: a number (a promise such as 50, with ``conf_int`` when it has one) or an
        effect result with ``estimate`` and ``conf_int`` (and ``std_error``, ``alpha``,
        ``n_treated``, ``n_control`` when it has them), e.g.
        :func:`evalkit.difference_in_means` on full-year persons per person.
    saving : kroner saved per full-year person per year (> 0): the municipality's net
        benefit cost after the state's reimbursement staircase.
    cost_once : one-off cost at the start (year 0, undiscounted), >= 0.
    cost_per_year : cost at the end of each year 1..``horizon``, >= 0.
    horizon : years (whole, >= 1) the costs are paid and the effect lasts.
    rate : discount rate per year (> -1; 0 for no discounting).
    conf_int : the effect's (low, high) interval when ``effect`` is a number.
    effect_is : ``"reduction"`` (positive: fewer full-year persons on benefit; also an
        effect on full-year persons self-sufficient) or ``"difference_on_benefit"``
        (treatment minus control in full-year persons on benefit, negative when the
        programme works: the reduction is its negative, the interval flipped).
    participants_per_year : when the effect is per participant (a difference in means
        of full-year persons per person), the participants a year it is multiplied by
        (an analyst's planning number, not declared as a count).
    label : the name of the case (shown in the views).
    lang : ``"en"`` or ``"da"``: the language of the views.

    Returns
    -------
    BusinessCase
        ``estimate`` the NPV, ``conf_int`` the NPV at the ends of the effect's
        interval, the break-even effect, years to break even and cost per additional
        full-year person (formulas in the module docstring).

    Example
    -------
    50 full-year persons a year (interval 20 to 80) saved at DKK 100,000 each, DKK 1m
    at the start and DKK 2m a year, over 2 years at 10 %: :math:`A = 1/1.1 + 1/1.21 =
    1.735537`, NPV :math:`= 1.735537 (5{,}000{,}000 - 2{,}000{,}000) - 1{,}000{,}000`.

    >>> case = business_case(50, saving=100_000, cost_once=1_000_000,
    ...                      cost_per_year=2_000_000, horizon=2, rate=0.10,
    ...                      conf_int=(20, 80))
    >>> round(case.estimate), [round(v) for v in case.conf_int]
    (4206612, [-1000000, 9413223])
    >>> # R* = (1,000,000 + 1.735537 * 2,000,000) / (1.735537 * 100,000); with the yearly
    >>> # net saving N = 3,000,000: T* = -ln(1 - 0.1 / 3) / ln(1.1)
    >>> round(case.break_even_effect, 4), round(case.years_to_break_even, 4)
    (25.7619, 0.3557)
    """
    from ..report.labels import check_lang

    check_lang(lang)
    s = _positive(saving, "saving")
    c0 = _nonnegative(cost_once, "cost_once")
    c = _nonnegative(cost_per_year, "cost_per_year")
    t = _horizon(horizon)
    r = _rate(rate)
    reduction, interval, std_error, alpha, n_treated, n_control = _effect_parts(
        effect, conf_int, effect_is, participants_per_year
    )
    a = annuity_factor(r, t)
    npv = _npv(reduction, s, c0, c, r, t)
    pv_costs = c0 + a * c
    npv_interval = None
    cost_interval = None
    if interval is not None:
        npv_interval = (_npv(interval[0], s, c0, c, r, t), _npv(interval[1], s, c0, c, r, t))
        cost_interval = (_cost_per_fyp(pv_costs, a, interval[1]),
                         _cost_per_fyp(pv_costs, a, interval[0]))  # fmt: skip
    return BusinessCase(
        estimate=float(npv),
        conf_int=npv_interval,
        std_error=None if std_error is None else float(a * s * std_error),
        effect=float(reduction),
        effect_conf_int=interval,
        saving=s,
        cost_once=c0,
        cost_per_year=c,
        rate=r,
        horizon=t,
        annuity=a,
        break_even_effect=float(pv_costs / (a * s)),
        years_to_break_even=_years_to_break_even(s * reduction - c, c0, r),
        cost_per_full_year_person=_cost_per_fyp(pv_costs, a, reduction),
        cost_per_full_year_person_conf_int=cost_interval,
        alpha=alpha,
        n_treated=None if n_treated is None else int(n_treated),
        n_control=None if n_control is None else int(n_control),
        label=str(label),
        lang=lang,
    )


# ------------------------------------------------------------------------- sensitivity
def sensitivity_table(case: BusinessCase, ranges: Mapping) -> pd.DataFrame:
    """One-way sensitivity: each input over (low, high) with the others at base.

    Parameters
    ----------
    case : a :class:`BusinessCase`.
    ranges : ``{input: (low, high)}`` for inputs of :data:`INPUTS` (``"effect"``,
        ``"saving"``, ``"cost_once"``, ``"cost_per_year"``, ``"rate"``, ``"horizon"``);
        ``"effect": "ci"`` takes the effect's interval. Each value is checked as the
        input is (costs >= 0, rate > -1, whole years); ``low <= high``.

    Returns
    -------
    pandas.DataFrame
        One row per input, sorted by ``swing`` (largest first): ``input``, ``low``,
        ``high``, ``base``, ``npv_low``, ``npv_high``, ``npv_base`` and
        ``swing = |npv_high - npv_low|``; with the case's arm sizes (declared as counts,
        every number resting on them) when its effect came with them, else declared
        with ``counts=[]``.

    Example
    -------
    >>> case = business_case(50, saving=100_000, cost_per_year=2_000_000, horizon=2)
    >>> table = sensitivity_table(case, {"effect": (40, 60), "cost_per_year": (1e6, 3e6)})
    >>> table[["input", "npv_low", "npv_high", "swing"]]  # NPV = 2 (100,000 R - C)
               input     npv_low    npv_high      swing
    0  cost_per_year   8000000.0   4000000.0  4000000.0
    1         effect   4000000.0   8000000.0  4000000.0
    """
    if not isinstance(case, BusinessCase):
        raise ArgumentError(
            f"sensitivity_table takes a BusinessCase (from business_case); got "
            f"{type(case).__name__}."
        )
    if not isinstance(ranges, Mapping) or not ranges:
        raise ArgumentError(
            "ranges must be a non-empty dict {input: (low, high)}, e.g. "
            "{'effect': 'ci', 'rate': (0.0, 0.05)}."
        )
    rows = []
    base_npv = case.estimate
    for name, bounds in ranges.items():
        if name not in INPUTS:
            raise ArgumentError(f"unknown input {name!r}; the inputs are {list(INPUTS)}.")
        if isinstance(bounds, str):
            if name != "effect" or bounds != "ci":
                raise ArgumentError(
                    f"ranges[{name!r}] must be a (low, high) pair ('ci' only for the effect)."
                )
            if case.effect_conf_int is None:
                raise ArgumentError("ranges['effect'] = 'ci', but the effect has no interval.")
            bounds = case.effect_conf_int
        try:
            low, high = bounds
        except (TypeError, ValueError):
            raise ArgumentError(
                f"ranges[{name!r}] must be a (low, high) pair; got {bounds!r}."
            ) from None
        low, high = _CHECKS[name](low), _CHECKS[name](high)
        if low > high:
            raise ArgumentError(f"ranges[{name!r}] has low {low} > high {high}.")
        npv_low, npv_high = case.npv(**{name: low}), case.npv(**{name: high})
        rows.append(
            {
                "input": name,
                "low": float(low),
                "high": float(high),
                "base": float(case.inputs()[name]),
                "npv_low": npv_low,
                "npv_high": npv_high,
                "npv_base": base_npv,
                "swing": abs(npv_high - npv_low),
            }
        )
    frame = pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)
    frame = frame.sort_values(["swing", "input"], ascending=[False, True], kind="stable")
    return case._with_counts(frame.reset_index(drop=True))


_INPUT_LABELS = {name: f"bc_input_{name}" for name in INPUTS}


def tornado_plot(
    table: pd.DataFrame,
    lang: str = "en",
    ax=None,
    figsize: tuple[float, float] | None = None,
    disclosure: int | None = 5,
):
    """Tornado plot of a one-way sensitivity table (:func:`sensitivity_table`).

    One row per input, largest swing on top: a bar from the base-case NPV to the NPV at
    the input's low value and one to the NPV at its high value (two colours), a line at
    the base case and a dashed line at NPV 0 (break-even); each bar's end is labelled
    with the input's value there. Labels come from :mod:`evalkit.report.labels` in
    ``lang`` (``"en"``, ``"da"``), numbers in the language's style.

    Disclosure control: a table with arm sizes (an effect estimated on register data)
    rests on them through every NPV: when an arm has 1 to ``disclosure - 1`` persons
    there is nothing to draw and the plot refuses (:class:`~evalkit.report.disclosure.
    DisclosureError`); otherwise the figure is declared as controlled at ``disclosure``.
    A table without arm sizes (plain numbers) shows no counts of persons and is declared
    so (:func:`evalkit.output.gate.declare_figure` with ``counts=False``).

    Artists have gids ``"bar_low"``, ``"bar_high"``, ``"base"``, ``"break_even"`` and
    ``"value"`` (the input values at the bar ends).

    Example
    -------
    >>> case = business_case(50, saving=100_000, cost_per_year=2_000_000, horizon=2)
    >>> table = sensitivity_table(case, {"effect": (40, 60), "rate": (0.0, 0.05)})
    >>> fig = tornado_plot(table, lang="da")
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]  # bottom to top
    ['Diskonteringsrente', 'Effekt (helårspersoner om året)']
    """
    from matplotlib.ticker import MaxNLocator

    from ..output.gate import declare_figure
    from ..report.labels import NumberFormatter, check_lang, format_number, label
    from ..report.labels import _decimals_needed as decimals_needed
    from ..report.plots import _canvas, _check_disclosure, _small
    from ..report.style import COLOURS, FIGSIZE, FONT_SIZE, evalkit_style

    check_lang(lang)
    threshold = _check_disclosure(disclosure)
    if not isinstance(table, pd.DataFrame):
        raise ArgumentError(
            f"tornado_plot takes the frame of sensitivity_table; got {type(table).__name__}."
        )
    missing = [c for c in SENSITIVITY_COLUMNS if c not in table.columns]
    if missing:
        raise ColumnError(
            f"the table lacks the columns {missing}; pass the frame of sensitivity_table."
        )
    if len(table) == 0:
        raise ArgumentError("the sensitivity table has no rows.")
    unknown = sorted(set(table["input"]) - set(INPUTS))
    if unknown:
        raise ArgumentError(f"unknown inputs {unknown}; the inputs are {list(INPUTS)}.")
    persons = "n_treated" in table.columns or "n_control" in table.columns
    if persons and threshold is not None:
        arms = [table[c].iloc[0] for c in ("n_treated", "n_control") if c in table.columns]
        if any(_small(n, threshold) for n in arms):
            from ..report.disclosure import DisclosureError

            raise DisclosureError(
                f"the effect rests on an arm of fewer than {threshold} persons: every NPV "
                "of the table rests on it, so there is nothing to draw."
            )
    rows = table.sort_values("swing", ascending=True, kind="stable").reset_index(drop=True)
    n = len(rows)
    with evalkit_style():
        if figsize is None:
            figsize = (FIGSIZE[0], 1.3 + 0.5 * n)
        fig, ax = _canvas(ax, figsize)
        ax.set_label("tornado")
        ax.grid(False)
        ax.grid(True, axis="x", color="#DDDDDD", linewidth=0.6)
        base = float(rows["npv_base"].iloc[0])
        ys = np.arange(n, dtype=float)
        colour = {"low": COLOURS["control"], "high": COLOURS["treatment"]}
        for end in ("low", "high"):
            widths = rows[f"npv_{end}"].to_numpy(dtype=float) - base
            bars = ax.barh(ys, widths, left=base, height=0.6, color=colour[end],
                           label=label(f"bc_input_{end}", lang))  # fmt: skip
            for bar in bars:
                bar.set_gid(f"bar_{end}")
        span = float(np.nanmax(np.abs(rows[["npv_low", "npv_high"]].to_numpy(dtype=float) - base)))
        pad = 0.02 * (span if span > 0 else max(abs(base), 1.0))
        for y, row in zip(ys, rows.itertuples(index=False), strict=True):
            digits = min(decimals_needed([row.low, row.high, row.base]), 3)
            for end in ("low", "high"):
                value = getattr(row, f"npv_{end}")
                if row.input == "rate":
                    text = format_number(100 * getattr(row, end), max(digits - 2, 0), lang)
                    text += " %" if lang == "da" else "%"
                else:
                    text = format_number(getattr(row, end), digits, lang)
                right = value >= base if value != base else end == "high"
                ax.text(value + (pad if right else -pad), y, text, va="center",
                        ha="left" if right else "right", fontsize=FONT_SIZE - 2,
                        color=COLOURS["note"], gid="value")  # fmt: skip
        ax.axvline(base, color=COLOURS["neutral"], linewidth=1.2, gid="base",
                   label=label("bc_base_case", lang))  # fmt: skip
        ax.axvline(0.0, color="#777777", linestyle="--", linewidth=1.0, gid="break_even",
                   label=label("bc_break_even", lang))  # fmt: skip
        ax.set_yticks(ys)
        ax.set_yticklabels([label(_INPUT_LABELS[name], lang) for name in rows["input"]])
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.set_ylim(-0.7, n - 0.3)
        values = np.concatenate([rows[["npv_low", "npv_high"]].to_numpy(float).ravel(), [0.0]])
        low, high = float(np.nanmin(values)), float(np.nanmax(values))
        margin = 0.18 * (high - low if high > low else max(abs(high), 1.0))
        ax.set_xlim(low - margin, high + margin)
        # few ticks: whole kroner in millions take room (labels must not overlap)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        ax.xaxis.set_major_formatter(NumberFormatter(lang))
        ax.set_xlabel(label("bc_npv_axis", lang))
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, frameon=False,
                  fontsize=FONT_SIZE - 2)  # fmt: skip
    # lang: the source stamp drawn when the figure is saved speaks the figure's language
    if persons:
        declare_figure(fig, threshold, source="register", counts=True, lang=lang)
    else:
        declare_figure(fig, None, source="register", counts=False, lang=lang)
    return fig


# ---------------------------------------------------------------------- what to deliver
def required_outcomes(
    target_full_year_persons: float,
    weeks_per_outcome,
    *,
    weeks_per_year: float = 52.0,
    delivered: Mapping | float | None = None,
) -> pd.DataFrame:
    r"""How many persons a programme must bring off benefit, for how many weeks, to
    deliver a target in full-year persons a year.

    A person off benefit for :math:`w` weeks of a year counts :math:`w / W` of a
    full-year person (:math:`W` = ``weeks_per_year``, 52), so a target of :math:`F`
    full-year persons a year needs

    .. math::  n = \lceil F W / w \rceil

    persons a year through a route whose outcomes last :math:`w` weeks within the year.
    With ``delivered`` (persons a year through each route), the full-year persons they
    make, :math:`\sum_k d_k w_k / W`, and their share of the target.

    Parameters
    ----------
    target_full_year_persons : :math:`F` (> 0), e.g. the business case's 50 a year.
    weeks_per_outcome : weeks off benefit per person within the year (0 < w <=
        ``weeks_per_year``): a number, or ``{route: weeks}`` for several routes (ordinary
        work, education...), each computed alone.
    weeks_per_year : :math:`W` (52).
    delivered : persons a year through each route (a number with one route, else a
        dict with a subset of the routes), e.g. published counts such as 17 into
        ordinary work.

    Returns
    -------
    pandas.DataFrame
        One row per route: ``route``, ``weeks``, ``full_year_per_person`` (:math:`w/W`),
        ``persons_required`` (whole) and ``persons_required_exact``; with ``delivered``,
        ``delivered``, ``delivered_full_year_persons``, ``share_of_target`` and a last
        row ``"total"``. ``delivered`` is declared as a count of persons (with what rests
        on it): published counts leave with ``source="published"``; required persons
        are targets, not counts.

    Example
    -------
    The business case's afklaringsværksteder: 17 persons into ordinary work. Were each
    off benefit for 26 weeks of the year, 50 full-year persons would need
    :math:`50 \cdot 52 / 26 = 100` persons; 17 make :math:`17 \cdot 26 / 52 = 8.5`.

    >>> table = required_outcomes(50, {"ordinary work": 26, "education": 40},
    ...                           delivered={"ordinary work": 17, "education": 3})
    >>> table[["route", "persons_required", "delivered_full_year_persons"]]
               route  persons_required  delivered_full_year_persons
    0  ordinary work             100.0                    8.500000
    1      education              65.0                    2.307692
    2          total               NaN                   10.807692
    """
    target = _positive(target_full_year_persons, "target_full_year_persons")
    year = _positive(weeks_per_year, "weeks_per_year")
    if isinstance(weeks_per_outcome, Mapping):
        routes = {str(k): v for k, v in weeks_per_outcome.items()}
        if not routes:
            raise ArgumentError("weeks_per_outcome is an empty dict; name at least one route.")
    else:
        routes = {"outcome": weeks_per_outcome}
    weeks = {}
    for route, value in routes.items():
        w = _positive(value, f"weeks_per_outcome[{route!r}]")
        if w > year:
            raise ArgumentError(
                f"weeks_per_outcome[{route!r}] = {w} exceeds the {year:g} weeks of a year."
            )
        weeks[route] = w
    exact = {route: target * year / w for route, w in weeks.items()}
    frame = pd.DataFrame(
        {
            "route": list(weeks),
            "weeks": list(weeks.values()),
            "full_year_per_person": [w / year for w in weeks.values()],
            # round before ceil: 50 * 52 / 26 is 100, not 100.00000000000001
            "persons_required": [float(math.ceil(round(x, 9))) for x in exact.values()],
            "persons_required_exact": list(exact.values()),
        }
    )
    if delivered is None:
        return declare_table(frame, counts=[])
    if not isinstance(delivered, Mapping):
        if len(weeks) != 1:
            raise ArgumentError("with several routes, delivered must be a dict {route: persons}.")
        delivered = {next(iter(weeks)): delivered}
    stray = sorted(set(map(str, delivered)) - set(weeks))
    if stray:
        raise ArgumentError(f"delivered names routes {stray} not in weeks_per_outcome.")
    counts = {}
    for route, value in delivered.items():
        d = _nonnegative(value, f"delivered[{route!r}]")
        if d != int(d):
            raise ArgumentError(f"delivered[{route!r}] must be a whole number of persons.")
        counts[str(route)] = d
    frame["delivered"] = [counts.get(r, np.nan) for r in weeks]
    frame["delivered_full_year_persons"] = frame["delivered"] * frame["full_year_per_person"]
    total = frame["delivered_full_year_persons"].sum(min_count=1)
    frame = pd.concat(
        [
            frame,
            pd.DataFrame(
                {
                    "route": ["total"],
                    "delivered": [frame["delivered"].sum(min_count=1)],
                    "delivered_full_year_persons": [total],
                }  # fmt: skip
            ),
        ],
        ignore_index=True,
    )
    frame["share_of_target"] = frame["delivered_full_year_persons"] / target
    return declare_table(
        frame,
        counts=["delivered"],
        dependent=["delivered_full_year_persons", "share_of_target"],
        totals={"row": len(frame) - 1},
    )
