"""Figure labels in English and Danish, and number formatting for either language.

Every figure function takes ``lang="en"`` or ``lang="da"``. The strings come from
:data:`LABELS` (a key -> ``{"en": ..., "da": ...}`` dict), so a report switches
language with one argument. Numbers follow the language's conventions:

======================  ==============  ================
                        ``"en"``        ``"da"``
======================  ==============  ================
decimal mark            ``0.25``        ``0,25``
thousands separator     ``1,234``       ``1.234``
percent                 ``40%``         ``40 %``
interval separator      ``[0.1, 0.3]``  ``[0,1; 0,3]``
======================  ==============  ================

Example
-------
>>> label("weeks_since_randomization", "da")
'Uger efter lodtrækning'
>>> format_number(1234.5, 1, "da"), format_percent(0.4, 0, "da")
('1.234,5', '40 %')
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.ticker import Formatter

from ..errors import ArgumentError

LANGS = ("en", "da")

#: Label key -> text per language. Strings with ``{...}`` fields are formatted by the caller.
LABELS: dict[str, dict[str, str]] = {
    # arms and groups
    "treatment": {"en": "Treatment", "da": "Indsats"},
    "control": {"en": "Control", "da": "Kontrol"},
    "all": {"en": "All", "da": "Alle"},
    "group": {"en": "Group", "da": "Gruppe"},
    "cause": {"en": "Cause {cause}", "da": "Årsag {cause}"},
    # axes
    "weeks": {"en": "Weeks", "da": "Uger"},
    "weeks_since_randomization": {
        "en": "Weeks since randomization",
        "da": "Uger efter lodtrækning",
    },
    "share": {"en": "Share", "da": "Andel"},
    "share_self_sufficient": {"en": "Share self-sufficient", "da": "Andel selvforsørgende"},
    "share_in_states": {"en": "Share in {states}", "da": "Andel i {states}"},
    "survival": {"en": "Share still in spell", "da": "Andel stadig i forløb"},
    "cumulative_incidence": {"en": "Cumulative incidence", "da": "Kumuleret incidens"},
    "state_probability": {
        "en": "Probability of being in the state",
        "da": "Sandsynlighed for at være i tilstanden",
    },
    "state_none_shown": {
        "en": "Too few persons to show",
        "da": "For få personer til at vise",
    },
    "state_disclosure_note": {
        "en": "Steps pooled to at least {t} persons per kind of move and state; "
        "cut where fewer than {t} are at risk.",
        "da": "Trin samlet til mindst {t} personer pr. slags skift og tilstand; "
        "afskåret hvor færre end {t} er i risiko.",
    },
    "mean_events": {
        "en": "Expected number of spells per person",
        "da": "Forventet antal forløb pr. person",
    },
    "number_at_risk": {"en": "Number at risk", "da": "Antal i risiko"},
    "period": {"en": "Period", "da": "Periode"},
    "denominator": {"en": "Number of persons", "da": "Antal personer"},
    "proportion": {"en": "Proportion", "da": "Andel"},
    "difference": {
        "en": "Difference (treatment − control)",
        "da": "Forskel (indsats − kontrol)",
    },
    "ratio": {"en": "Ratio (treatment / control)", "da": "Forhold (indsats / kontrol)"},
    # benchmarks
    "local": {"en": "Local", "da": "Lokalt"},
    "national_average": {"en": "National average", "da": "Landsgennemsnit"},
    "target": {"en": "Target", "da": "Mål"},
    "target_value": {"en": "Target ({value})", "da": "Mål ({value})"},
    "target_met": {"en": "Target met", "da": "Mål nået"},
    "units": {"en": "Units", "da": "Enheder"},
    "control_limits": {"en": "{level} control limits", "da": "{level} kontrolgrænser"},
    "outside_limits": {"en": "Outside {level} limits", "da": "Uden for {level} grænser"},
    "inside_limits": {"en": "Within limits", "da": "Inden for grænserne"},
    # figures that say what they show (issue 17): the funnel's centre line named for what
    # it is, the range of a suppressed weekly share, Kaplan-Meier curves named by their
    # event, the CONSORT box of statuses at project end (not losses)
    "centre_national": {"en": "National average ({value})", "da": "Landsgennemsnit ({value})"},
    "centre_pooled": {"en": "All units pooled ({value})", "da": "Alle enheder samlet ({value})"},
    "centre_reference": {"en": "Reference level ({value})", "da": "Referenceniveau ({value})"},
    "share_range_small": {
        "en": "Fewer than {threshold} persons: possible values",
        "da": "Færre end {threshold} personer: mulige værdier",
    },
    "survival_no_self_sufficient": {
        "en": "Share not yet self-sufficient",
        "da": "Andel endnu ikke selvforsørgende",
    },
    "survival_no_job": {"en": "Share not yet in work", "da": "Andel endnu ikke i arbejde"},
    "survival_no_education": {
        "en": "Share not yet in education",
        "da": "Andel endnu ikke i uddannelse",
    },
    "status_at_end": {"en": "Status at project end", "da": "Status ved projektets afslutning"},
    "status_at_end_when": {
        "en": "Status at project end ({when})",
        "da": "Status ved projektets afslutning ({when})",
    },
    "project_end": {"en": "Project end", "da": "Projektafslutning"},
    # intervals
    "confidence_interval": {"en": "{level} CI", "da": "{level}-KI"},
    "pointwise_band": {"en": "{level} CI (pointwise)", "da": "{level}-KI (punktvist)"},
    "simultaneous_band": {
        "en": "{level} simultaneous band ({method})",
        "da": "{level} simultant bånd ({method})",
    },
    "estimate_ci": {"en": "Estimate [{level} CI]", "da": "Estimat [{level}-KI]"},
    "estimate": {"en": "Estimate", "da": "Estimat"},
    "p_value": {"en": "p", "da": "p"},
    "outcome": {"en": "Outcome", "da": "Udfald"},
    # disclosure control
    "disclosure_note": {
        "en": "Cells < {threshold} suppressed",
        "da": "Celler < {threshold} undertrykt",
    },
    # disclosure control of survival and cumulative-incidence curves (one note per figure)
    "curve_truncated": {
        "en": "Curves end where fewer than {t} remain at risk or fewer than {t} events "
        "follow; each step rests on at least {t} events; numbers at risk are rounded down "
        "to multiples of {t} or shown as <{t}, and the curves are computed from them.",
        "da": "Kurverne slutter, hvor færre end {t} er i risiko, eller hvor færre end {t} "
        "hændelser følger; hvert trin bygger på mindst {t} hændelser; antal i risiko er "
        "rundet ned til multipla af {t} eller vist som <{t}, og kurverne er beregnet ud "
        "fra dem.",
    },
    "curve_pooled": {
        "en": "Each step rests on at least {t} events; numbers at risk are rounded down to "
        "multiples of {t} or shown as <{t}, and the curves are computed from them.",
        "da": "Hvert trin bygger på mindst {t} hændelser; antal i risiko er rundet ned til "
        "multipla af {t} eller vist som <{t}, og kurverne er beregnet ud fra dem.",
    },
    # business cases (evalkit.economics.business)
    "business_case": {"en": "Business case", "da": "Business case"},
    "bc_effect": {
        "en": "Reduction in full-year persons on benefit a year",
        "da": "Færre helårspersoner på ydelse om året",
    },
    "bc_saving": {"en": "Saving per full-year person", "da": "Besparelse pr. helårsperson"},
    "bc_cost_once": {"en": "One-off cost", "da": "Engangsomkostning"},
    "bc_cost_per_year": {"en": "Cost per year", "da": "Omkostning pr. år"},
    "bc_rate": {"en": "Discount rate", "da": "Diskonteringsrente"},
    "bc_horizon": {"en": "Horizon (years)", "da": "Tidshorisont (år)"},
    "bc_npv": {"en": "Net present value", "da": "Nutidsværdi"},
    "bc_npv_axis": {"en": "Net present value (DKK)", "da": "Nutidsværdi (kr.)"},
    "bc_pv_costs": {"en": "Present value of costs", "da": "Nutidsværdi af omkostninger"},
    "bc_pv_savings": {"en": "Present value of savings", "da": "Nutidsværdi af besparelser"},
    "bc_break_even_effect": {
        "en": "Break-even reduction (full-year persons a year)",
        "da": "Nulpunkt (færre helårspersoner om året)",
    },
    "bc_years_to_break_even": {"en": "Years to break even", "da": "År til nulpunkt"},
    "bc_cost_per_full_year_person": {
        "en": "Cost per additional full-year person self-sufficient",
        "da": "Omkostning pr. ekstra selvforsørgende helårsperson",
    },
    "bc_note": {
        "en": "The interval carries only the effect's uncertainty; costs, saving and rate "
        "are taken as known (vary them in a sensitivity table).",
        "da": "Intervallet rummer kun effektens usikkerhed; omkostninger, besparelse og "
        "rente er taget for givet (varier dem i en følsomhedstabel).",
    },
    "bc_input_effect": {
        "en": "Effect (full-year persons a year)",
        "da": "Effekt (helårspersoner om året)",
    },
    "bc_input_saving": {"en": "Saving per full-year person", "da": "Besparelse pr. helårsperson"},
    "bc_input_cost_once": {"en": "One-off cost", "da": "Engangsomkostning"},
    "bc_input_cost_per_year": {"en": "Cost per year", "da": "Omkostning pr. år"},
    "bc_input_rate": {"en": "Discount rate", "da": "Diskonteringsrente"},
    "bc_input_horizon": {"en": "Horizon (years)", "da": "Tidshorisont (år)"},
    "bc_input_low": {"en": "Input at its low value", "da": "Lav værdi"},
    "bc_input_high": {"en": "Input at its high value", "da": "Høj værdi"},
    "bc_base_case": {"en": "Base case", "da": "Basisscenarie"},
    "bc_break_even": {"en": "Break-even (NPV 0)", "da": "Nulpunkt (nutidsværdi 0)"},
    # outcome payments (pay-for-success contracts, evalkit.economics; Impact60)
    "pay_month": {"en": "Month", "da": "Måned"},
    "pay_cumulative_million": {
        "en": "Cumulative outcome payments (DKK million)",
        "da": "Akkumulerede resultatbetalinger (mio. kr.)",
    },
    "pay_paid": {"en": "Paid on the histories", "da": "Udbetalt på forløbene"},
    "pay_projection": {
        "en": "Projection from {date} (mean)",
        "da": "Fremskrivning fra {date} (middel)",
    },
    "pay_projection_band": {
        "en": "{level} projection interval (pointwise)",
        "da": "{level} fremskrivningsinterval (punktvist)",
    },
    "pay_as_of": {"en": "Projection date", "da": "Fremskrivningsdato"},
    "pay_capital": {"en": "Investor capital (assumed)", "da": "Investors kapital (antaget)"},
    "pay_assumed_rates": {
        "en": "Assumed rates: DKK {full} per self-sufficient week, DKK {partly} per partly "
        "self-sufficient week (not published).",
        "da": "Antagne takster: {full} kr. pr. selvforsørgende uge, {partly} kr. pr. delvist "
        "selvforsørgende uge (ikke offentliggjort).",
    },
    # CONSORT
    "enrollment": {"en": "Enrollment", "da": "Rekruttering"},
    "allocation": {"en": "Allocation", "da": "Tildeling"},
    "follow_up": {"en": "Follow-up", "da": "Opfølgning"},
    "analysis": {"en": "Analysis", "da": "Analyse"},
    "assessed": {"en": "Assessed for eligibility", "da": "Vurderet for egnethed"},
    "excluded": {"en": "Excluded", "da": "Ekskluderet"},
    "randomized": {"en": "Randomized", "da": "Randomiseret"},
    "allocated_to": {"en": "Allocated to {arm}", "da": "Tildelt {arm}"},
    "received": {"en": "Received allocated intervention", "da": "Modtog den tildelte indsats"},
    "not_received": {
        "en": "Did not receive allocated intervention",
        "da": "Modtog ikke den tildelte indsats",
    },
    "completed": {"en": "Completed the intervention", "da": "Gennemførte indsatsen"},
    "lost_to_follow_up": {"en": "Lost to follow-up", "da": "Tabt til opfølgning"},
    "discontinued": {"en": "Discontinued intervention", "da": "Afbrød indsatsen"},
    "analysed": {"en": "Analysed", "da": "Analyseret"},
    "excluded_from_analysis": {"en": "Excluded from analysis", "da": "Udeladt af analysen"},
    # disclosure control of effects (result views, forest plots) and CONSORT diagrams
    "effect_suppressed": {
        "en": "Effect suppressed (x): an arm has fewer than {threshold} persons "
        "(disclosure control).",
        "da": "Effekt undertrykt (x): en gruppe har færre end {threshold} personer "
        "(diskretionshensyn).",
    },
    "row_suppressed": {"en": "x (suppressed)", "da": "x (undertrykt)"},
    # pooled rows of a multi-site (meta-analysis) forest plot (evalkit.effects.pool_sites)
    "pooled_fixed": {"en": "Pooled (fixed effect)", "da": "Samlet (fast effekt)"},
    "pooled_random": {
        "en": "Pooled (random effects, {method})",
        "da": "Samlet (tilfældige effekter, {method})",
    },
    # subgroup forest plot (evalkit.effects.subgroup_effects)
    "subgroup_row": {"en": "{variable}: {level}", "da": "{variable}: {level}"},
    "subgroup_heterogeneity": {
        "en": "Test of equal effects across levels (Wald F): {tests}",
        "da": "Test af ens effekt på tværs af niveauer (Wald F): {tests}",
    },
    # disclosure control of the text and notebook views of any result
    "result_suppressed": {
        "en": "Numbers suppressed (x): the result rests on a count of fewer than "
        "{threshold} persons or events ({counts}) (disclosure control).",
        "da": "Tal undertrykt (x): resultatet bygger på et antal under {threshold} personer "
        "eller hændelser ({counts}) (diskretionshensyn).",
    },
    "heterogeneity_note": {
        "en": "Heterogeneity: τ² = {tau2} {tau2_int}, I² = {i2} {i2_int}. Thin line: "
        "{level} prediction interval for a new site.",
        "da": "Heterogenitet: τ² = {tau2} {tau2_int}, I² = {i2} {i2_int}. Tynd linje: "
        "{level} prædiktionsinterval for et nyt sted.",
    },
    "forest_note": {
        "en": "x: an arm has fewer than {threshold} persons; the effect is not shown.",
        "da": "x: en gruppe har færre end {threshold} personer; effekten vises ikke.",
    },
    "funnel_note": {
        "en": "{k} unit(s) not shown: fewer than {threshold} persons in the unit, in the "
        "outcome or out of it.",
        "da": "{k} enhed(er) vises ikke: færre end {threshold} personer i enheden, med "
        "udfaldet eller uden.",
    },
    # the stamp on the face of a figure saved from data that are not register data
    # (save_figure's / export's source=)
    "stamp_synthetic": {"en": "Synthetic data", "da": "Syntetiske data"},
    "stamp_published": {"en": "Published figures", "da": "Offentliggjorte tal"},
    "stamp_public": {"en": "Public data", "da": "Offentlige data"},
    # report tables (evalkit.report.ReportTable): column headers of evalkit's tidy frames
    "col_term": {"en": "Term", "da": "Led"},
    "col_estimate": {"en": "Estimate", "da": "Estimat"},
    "col_std_error": {"en": "SE", "da": "Std.fejl"},
    "col_statistic": {"en": "Test statistic", "da": "Teststørrelse"},
    "col_p_value": {"en": "p-value", "da": "p-værdi"},
    "col_interval": {"en": "{level} CI", "da": "{level}-KI"},
    "col_interval_plain": {"en": "Confidence interval", "da": "Konfidensinterval"},
    "col_interval_low": {"en": "{name}, lower", "da": "{name}, nedre"},
    "col_interval_high": {"en": "{name}, upper", "da": "{name}, øvre"},
    "col_method": {"en": "Method", "da": "Metode"},
    "col_n_treated": {"en": "n treated", "da": "n indsats"},
    "col_n_control": {"en": "n control", "da": "n kontrol"},
    "yes": {"en": "Yes", "da": "Ja"},
    "no": {"en": "No", "da": "Nej"},
    # the report folder and documents of `evalkit reproduce`
    "report_title": {"en": "Evaluation report", "da": "Evalueringsrapport"},
    "report_contents": {"en": "Contents", "da": "Indhold"},
    "report_figure": {"en": "Figure {number}", "da": "Figur {number}"},
    "report_table": {"en": "Table {number}", "da": "Tabel {number}"},
    "report_files": {"en": "Files", "da": "Filer"},
    "project_jobfirst_aalborg": {"en": "JobFirst, Aalborg", "da": "JobFirst, Aalborg"},
    "project_flere_skal_med_herning": {
        "en": "More people in work (Flere skal med), Herning",
        "da": "Flere skal med, Herning",
    },
    "project_fredericia_2021": {
        "en": "Fredericia 2021: Powerjobsøgerne and the employment goals",
        "da": "Fredericia 2021: Powerjobsøgerne og beskæftigelsesmålene",
    },
    "project_impact60_aalborg": {
        "en": "Impact60, Aalborg: outcome payments",
        "da": "Impact60, Aalborg: resultatbetalinger",
    },
    "project_adult_business_case": {
        "en": "Business case for long-term cash-benefit recipients",
        "da": "Business case for langvarige kontanthjælpsmodtagere",
    },
    "consort_note": {
        "en": "Counts of fewer than {threshold} persons are shown as <{threshold}; x: "
        "suppressed so that a suppressed count cannot be recovered by subtraction.",
        "da": "Antal under {threshold} personer vises som <{threshold}; x: undertrykt, så et "
        "undertrykt antal ikke kan genberegnes ved subtraktion.",
    },
}

MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "da": ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
}

_DECIMAL = {"en": ".", "da": ","}
_THOUSANDS = {"en": ",", "da": "."}
_MINUS = "\N{MINUS SIGN}"


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is ``"en"`` or ``"da"``; otherwise raise :class:`ArgumentError`.

    >>> check_lang("da")
    'da'
    """
    if lang not in LANGS:
        raise ArgumentError(
            f"lang must be 'en' (English) or 'da' (Danish); got {lang!r}. "
            "Pass lang='en' or lang='da'."
        )
    return lang


def label(key: str, lang: str = "en", **fields) -> str:
    """The text of label ``key`` in ``lang``, with ``{fields}`` filled in.

    >>> label("allocated_to", "da", arm="Kontrol")
    'Tildelt Kontrol'
    """
    check_lang(lang)
    try:
        text = LABELS[key][lang]
    except KeyError:
        raise ArgumentError(
            f"unknown label key {key!r}; known keys: {', '.join(LABELS)}."
        ) from None
    return text.format(**fields) if fields else text


def arm_name(value, lang: str = "en") -> str:
    """Display name of an arm or group value: 1/True -> Treatment, 0/False -> Control.

    Strings naming the arms in either language (``"treatment"``, ``"Kontrol"``...) are
    translated to ``lang``; any other value is shown as it is.

    >>> arm_name(1, "da"), arm_name("Control", "da"), arm_name("Aalborg", "da")
    ('Indsats', 'Kontrol', 'Aalborg')
    """
    check_lang(lang)
    if isinstance(value, bool | np.bool_) or (
        isinstance(value, int | np.integer) and value in (0, 1)
    ):
        return label("treatment" if int(value) == 1 else "control", lang)
    if isinstance(value, str):
        lowered = value.strip().lower()
        for key in ("treatment", "control"):
            if lowered in (key, LABELS[key]["en"].lower(), LABELS[key]["da"].lower()):
                return label(key, lang)
    return str(value)


def _group_digits(integer: str, sep: str) -> str:
    head = len(integer) % 3 or 3
    parts = [integer[:head]] + [integer[i : i + 3] for i in range(head, len(integer), 3)]
    return sep.join(parts)


def format_number(
    value,
    decimals: int = 2,
    lang: str = "en",
    thousands: bool = True,
    minus: str = _MINUS,
    group_from: int = 4,
) -> str:
    """``value`` with ``decimals`` decimals in the language's style (NaN -> ``""``).

    Negative numbers get a typographic minus sign, as matplotlib's own tick labels
    (``minus="-"`` for plain text). Integer parts of ``group_from`` digits or more get
    the thousands separator (tables use 5, so that years such as 2016 stay whole).

    >>> format_number(-0.125, 2, "da"), format_number(12345, 0, "en")
    ('−0,12', '12,345')
    """
    check_lang(lang)
    if value is None or (isinstance(value, float | np.floating) and not math.isfinite(value)):
        return ""
    text = f"{abs(float(value)):.{max(int(decimals), 0)}f}"
    integer, _, fraction = text.partition(".")
    if thousands and len(integer) >= group_from:
        integer = _group_digits(integer, _THOUSANDS[lang])
    out = integer + (_DECIMAL[lang] + fraction if fraction else "")
    negative = float(value) < 0 and float(text) != 0
    return (minus if negative else "") + out


def format_count(value, lang: str = "en") -> str:
    """An integer count with the thousands separator of ``lang``.

    >>> format_count(12345, "da"), format_count(178, "da")
    ('12.345', '178')
    """
    return format_number(value, 0, lang)


def format_percent(value, decimals: int = 0, lang: str = "en") -> str:
    """A proportion as a percentage: ``"40%"`` in English, ``"40 %"`` in Danish.

    >>> format_percent(0.405, 1, "da"), format_percent(0.4, 0, "en")
    ('40,5 %', '40%')
    """
    number = format_number(100.0 * float(value), decimals, lang)
    if not number:
        return ""
    return number + (" %" if lang == "da" else "%")


def format_level(alpha: float, lang: str = "en") -> str:
    """The confidence level ``1 - alpha`` as a percentage (``"95%"``, ``"95 %"``).

    >>> format_level(0.002, "da")
    '99,8 %'
    """
    level = 100.0 * (1.0 - float(alpha))
    return format_percent(level / 100.0, _decimals_needed([level]), lang)


def format_interval(low, high, decimals: int = 2, lang: str = "en") -> str:
    """``[low, high]`` in English, ``[low; high]`` in Danish (the comma is the decimal mark).

    >>> format_interval(0.1, 0.25, 2, "da")
    '[0,10; 0,25]'
    """
    sep = "; " if lang == "da" else ", "
    return f"[{format_number(low, decimals, lang)}{sep}{format_number(high, decimals, lang)}]"


def format_p(p: float, lang: str = "en") -> str:
    """A p-value with two significant digits, ``"<0.001"`` below 0.001.

    >>> format_p(0.04321, "da"), format_p(1e-6, "en")
    ('0,043', '<0.001')
    """
    if p is None or not math.isfinite(p):
        return ""
    if p < 0.001:
        return "<" + format_number(0.001, 3, lang)
    decimals = max(2, 1 - math.floor(math.log10(p))) if p > 0 else 3
    return format_number(p, min(decimals, 3), lang)


def _decimals_needed(values: Sequence[float], most: int = 6) -> int:
    """Fewest decimals (0..most) that show every value exactly (to 1e-9 of its size)."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not finite:
        return 0
    scale = max(max(abs(v) for v in finite), 1e-12)
    for d in range(most + 1):
        if all(abs(round(v, d) - v) <= 1e-9 * scale for v in finite):
            return d
    return most


class NumberFormatter(Formatter):
    """Tick formatter in the language's number style (decimal comma in Danish).

    Parameters
    ----------
    lang : ``"en"`` or ``"da"``.
    decimals : fixed number of decimals, or None to use the fewest that show every tick
        exactly (0, 0,25, 0,5...).
    percent : show values (proportions) as percentages, ``"40 %"`` in Danish.

    Example
    -------
    >>> f = NumberFormatter("da")
    >>> f.format_ticks([0.0, 0.25, 0.5])
    ['0,00', '0,25', '0,50']
    >>> NumberFormatter("da", percent=True).format_ticks([0.2, 0.4])
    ['20 %', '40 %']
    """

    def __init__(self, lang: str = "en", decimals: int | None = None, percent: bool = False):
        self.lang = check_lang(lang)
        self.decimals = decimals
        self.percent = percent
        self._auto = 0

    def _format(self, value: float, decimals: int) -> str:
        if self.percent:
            return format_percent(value, decimals, self.lang)
        return format_number(value, decimals, self.lang)

    def _decimals(self, values) -> int:
        if self.decimals is not None:
            return self.decimals
        scaled = [100.0 * v for v in values] if self.percent else list(values)
        return _decimals_needed(scaled)

    def format_ticks(self, values) -> list[str]:
        values = [float(v) for v in values]
        self._auto = self._decimals(values)
        return [self._format(v, self._auto) for v in values]

    def set_locs(self, locs) -> None:
        super().set_locs(locs)
        self._auto = self._decimals(locs)

    def __call__(self, x, pos=None) -> str:
        if self.decimals is not None:
            decimals = self.decimals
        elif pos is None:  # a single value (cursor read-out): as many decimals as it needs
            decimals = min(self._decimals([x]), 3)
        else:
            decimals = self._auto
        return self._format(x, decimals)

    def format_data_short(self, value) -> str:
        return self._format(value, 3 if not self.percent else 1)


class MonthFormatter(Formatter):
    """Date ticks (matplotlib date numbers) as ``"Jan 2024"`` / ``"jan 2024"``.

    >>> import matplotlib.dates as mdates, datetime as dt
    >>> MonthFormatter("da")(mdates.date2num(dt.date(2024, 5, 1)))
    'maj 2024'
    """

    def __init__(self, lang: str = "en"):
        self.lang = check_lang(lang)

    def __call__(self, x, pos=None) -> str:
        from matplotlib.dates import num2date

        date = num2date(x)
        return f"{MONTHS[self.lang][date.month - 1]} {date.year}"
