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
>>> format_number(12345.5, 1, "da"), format_percent(0.4, 0, "da"), format_p_text(0.0004, "da")
('12.345,5', '40 %', 'p < 0,001')
"""

from __future__ import annotations

import math
import re
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
    "weeks_since_referral": {"en": "Weeks since referral", "da": "Uger siden henvisning"},
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
        "en": "Weeks pooled: each share shown rests on 0 or at least {t} persons in the "
        "state (and {t} or more outside it), and no state changes by 1-{t1} persons "
        "between shown weeks.",
        "da": "Uger samlet: hver viste andel bygger på 0 eller mindst {t} personer i "
        "tilstanden (og {t} eller flere uden for den), og ingen tilstand ændres med 1-{t1} "
        "personer mellem viste uger.",
    },
    "state_merged_note": {
        "en": "States with 1-{t1} persons in a quarter or more of the weeks are shown in "
        "'{other}': {states}.",
        "da": "Tilstande med 1-{t1} personer i mindst en fjerdedel af ugerne vises under "
        "'{other}': {states}.",
    },
    "state_other": {"en": "other", "da": "andet"},
    # mean cumulative function (evalkit.report.mcf_plots)
    "mcf_mean_events": {"en": "Spells started per person", "da": "Påbegyndte forløb pr. person"},
    "mcf_difference": {"en": "Difference ({a} − {b})", "da": "Forskel ({a} − {b})"},
    "mcf_none_shown": {
        "en": "Too few events to show",
        "da": "For få hændelser til at vise",
    },
    "mcf_disclosure_note": {
        "en": "Steps pooled to at least {t} events each, with at least {t} persons at risk; "
        "curves end where fewer than {t} are at risk.",
        "da": "Trin samlet til mindst {t} hændelser hver, med mindst {t} personer i risiko; "
        "kurverne slutter, hvor færre end {t} er i risiko.",
    },
    "mcf_difference_note": {
        "en": "The difference is computed from the curves shown.",
        "da": "Forskellen er beregnet ud fra de viste kurver.",
    },
    # Cox residual plots (evalkit.report.cox_plots)
    "martingale_residual": {"en": "Martingale residual", "da": "Martingalresidual"},
    "martingale_residual_null": {
        "en": "Martingale residual (null model)",
        "da": "Martingalresidual (nulmodel)",
    },
    "lowess_smooth": {"en": "Lowess smooth", "da": "Lowess-udglatning"},
    "residual_observations": {"en": "Observations", "da": "Observationer"},
    "residual_bin_mean": {
        "en": "Mean of a group of at least {t} persons",
        "da": "Gennemsnit af en gruppe på mindst {t} personer",
    },
    "dfbeta_bin_mean": {
        "en": "Mean dfbeta of a group of at least {t} persons",
        "da": "Gennemsnitlig dfbeta i en gruppe på mindst {t} personer",
    },
    "dfbeta_bin_rms": {"en": "Root mean square", "da": "Kvadratisk gennemsnit"},
    "dfbeta_of": {"en": "dfbeta: {term}", "da": "dfbeta: {term}"},
    "dfbetas_of": {"en": "dfbetas: {term}", "da": "dfbetas: {term}"},
    "observation_number": {"en": "Observation number", "da": "Observationsnummer"},
    "residual_bin_note": {
        "en": "Residuals grouped: each point is computed from at least {t} persons; no "
        "person's own residual is shown.",
        "da": "Residualer grupperet: hvert punkt er beregnet af mindst {t} personer; ingen "
        "persons egen residual vises.",
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
        "en": "Assumed rates: {full} per self-sufficient week, {partly} per partly "
        "self-sufficient week (not published).",
        "da": "Antagne takster: {full} pr. selvforsørgende uge, {partly} pr. delvist "
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
    # headers of the projects' tables (report_table's default header: col_<slug of the name>)
    "col_figure": {"en": "Key figure", "da": "Nøgletal"},
    "col_description": {"en": "Description", "da": "Beskrivelse"},
    "col_value": {"en": "Value", "da": "Værdi"},
    "col_unit": {"en": "Unit", "da": "Enhed"},
    "col_denominator": {"en": "Denominator", "da": "Nævner"},
    "col_date": {"en": "Date", "da": "Dato"},
    "col_source": {"en": "Source", "da": "Kilde"},
    "col_item": {"en": "Item", "da": "Post"},
    "col_count": {"en": "Number", "da": "Antal"},
    "col_n": {"en": "n", "da": "n"},
    "col_df": {"en": "df", "da": "Frihedsgrader"},
    "col_persons": {"en": "Persons", "da": "Personer"},
    "col_rate_dkk": {"en": "Rate (DKK)", "da": "Takst (kr.)"},
    "col_amount_dkk": {"en": "Amount (DKK)", "da": "Beløb (kr.)"},
    "col_basis": {"en": "Basis", "da": "Grundlag"},
    "col_arm": {"en": "Arm", "da": "Gruppe"},
    "col_randomized": {"en": "Randomized", "da": "Randomiseret"},
    "col_observed": {"en": "Observed", "da": "Observeret"},
    "col_attrition": {"en": "Attrition", "da": "Frafald"},
    "col_outcome": {"en": "Outcome", "da": "Udfald"},
    "col_observed_treated": {"en": "Observed, treatment", "da": "Observeret, indsats"},
    "col_observed_control": {"en": "Observed, control", "da": "Observeret, kontrol"},
    "col_variable": {"en": "Variable", "da": "Variabel"},
    "col_level": {"en": "Level", "da": "Niveau"},
    "col_type": {"en": "Type", "da": "Type"},
    "col_treated_count": {"en": "n, treatment", "da": "n, indsats"},
    "col_treated_mean": {"en": "Mean, treatment", "da": "Gennemsnit, indsats"},
    "col_treated_sd": {"en": "SD, treatment", "da": "Std.afv., indsats"},
    "col_control_count": {"en": "n, control", "da": "n, kontrol"},
    "col_control_mean": {"en": "Mean, control", "da": "Gennemsnit, kontrol"},
    "col_control_sd": {"en": "SD, control", "da": "Std.afv., kontrol"},
    "col_smd": {"en": "Standardized difference", "da": "Standardiseret forskel"},
    "col_p_adjusted": {"en": "Adjusted p-value", "da": "Justeret p-værdi"},
    "col_min_arm": {"en": "Smallest arm", "da": "Mindste gruppe"},
    "col_heterogeneity_statistic": {
        "en": "Heterogeneity, test statistic",
        "da": "Heterogenitet, teststørrelse",
    },
    "col_heterogeneity_df1": {"en": "Heterogeneity, df1", "da": "Heterogenitet, df1"},
    "col_heterogeneity_df2": {"en": "Heterogeneity, df2", "da": "Heterogenitet, df2"},
    "col_heterogeneity_p_value": {"en": "Heterogeneity, p-value", "da": "Heterogenitet, p-værdi"},
    "col_period": {"en": "Period", "da": "Periode"},
    "col_successes": {"en": "Successes", "da": "Succeser"},
    "col_share": {"en": "Share", "da": "Andel"},
    "col_met": {"en": "Target met", "da": "Mål nået"},
    "col_met_significantly": {"en": "Target met significantly", "da": "Mål nået signifikant"},
    "col_reference_successes": {"en": "Successes, reference", "da": "Succeser, reference"},
    "col_reference_n": {"en": "n, reference", "da": "n, reference"},
    "col_target": {"en": "Target", "da": "Mål"},
    "col_wilson_low": {"en": "Wilson, lower", "da": "Wilson, nedre"},
    "col_wilson_high": {"en": "Wilson, upper", "da": "Wilson, øvre"},
    "col_score_p_value": {"en": "p-value, score test", "da": "p-værdi, scoretest"},
    "col_alternative": {"en": "Alternative hypothesis", "da": "Alternativ hypotese"},
    "col_true_success_rate": {"en": "True success rate", "da": "Sand succesrate"},
    "col_p_at_least_30_of_50": {"en": "P(at least 30 of 50)", "da": "P(mindst 30 af 50)"},
    "col_cost": {"en": "Cost", "da": "Udgift"},
    "col_outcomes": {"en": "Outcomes achieved", "da": "Opnåede resultater"},
    "col_participants": {"en": "Participants", "da": "Deltagere"},
    "col_cost_per_participant": {"en": "Cost per participant", "da": "Udgift pr. deltager"},
    "col_month": {"en": "Month", "da": "Måned"},
    "col_persons_paid": {"en": "Persons paid for", "da": "Personer med betaling"},
    "col_weeks_paid": {"en": "Weeks paid", "da": "Betalte uger"},
    "col_amount": {"en": "Amount", "da": "Beløb"},
    "col_model_projection_from_2019_w38": {
        "en": "Model (projection from 2019-W38)",
        "da": "Model (fremskrivning fra uge 38, 2019)",
    },
    "col_persons_reaching": {"en": "Persons reaching the goal", "da": "Personer, der når målet"},
    "col_low": {"en": "Low", "da": "Lav"},
    "col_high": {"en": "High", "da": "Høj"},
    "col_p_at_least_60": {"en": "P(at least 60)", "da": "P(mindst 60)"},
    "col_expected_payments_dkk_million": {
        "en": "Expected payments (DKK million)",
        "da": "Forventede betalinger (mio. kr.)",
    },
    "col_payments_low": {"en": "Payments, low", "da": "Betalinger, lav"},
    "col_payments_high": {"en": "Payments, high", "da": "Betalinger, høj"},
    "col_scenario": {"en": "Scenario", "da": "Scenarie"},
    "col_irr_a_year_without_guarantee_median": {
        "en": "IRR a year, without guarantee (median)",
        "da": "IRR pr. år, uden garanti (median)",
    },
    "col_irr_a_year_with_guarantee_median": {
        "en": "IRR a year, with guarantee (median)",
        "da": "IRR pr. år, med garanti (median)",
    },
    "col_p_loss_without_guarantee": {
        "en": "P(loss) without guarantee",
        "da": "P(tab) uden garanti",
    },
    "col_p_loss_with_guarantee": {"en": "P(loss) with guarantee", "da": "P(tab) med garanti"},
    "col_expected_net_return_with_guarantee_dkk_million": {
        "en": "Expected net return with guarantee (DKK million)",
        "da": "Forventet nettoafkast med garanti (mio. kr.)",
    },
    "col_expected_guarantee_paid_dkk_million": {
        "en": "Expected guarantee paid (DKK million)",
        "da": "Forventet udbetalt garanti (mio. kr.)",
    },
    "col_step": {"en": "Step", "da": "Trin"},
    "col_first_week": {"en": "First week", "da": "Første uge"},
    "col_last_week": {"en": "Last week", "da": "Sidste uge"},
    "col_state_share": {"en": "State share", "da": "Statens andel"},
    "col_municipal_share": {"en": "Municipal share", "da": "Kommunens andel"},
    "col_benefit_week": {"en": "Benefit week", "da": "Ydelsesuge"},
    "col_weekly_benefit": {"en": "Weekly benefit", "da": "Ugentlig ydelse"},
    "col_state": {"en": "State", "da": "Staten"},
    "col_municipal": {"en": "Municipality", "da": "Kommunen"},
    "col_route": {"en": "Route", "da": "Forløb"},
    "col_weeks": {"en": "Weeks", "da": "Uger"},
    "col_full_year_per_person": {
        "en": "Full-year persons per person",
        "da": "Helårspersoner pr. person",
    },
    "col_persons_required": {"en": "Persons required", "da": "Nødvendige personer"},
    "col_persons_required_exact": {
        "en": "Persons required (exact)",
        "da": "Nødvendige personer (præcist)",
    },
    "col_delivered": {"en": "Delivered", "da": "Leveret"},
    "col_delivered_full_year_persons": {
        "en": "Delivered full-year persons",
        "da": "Leverede helårspersoner",
    },
    "col_share_of_target": {"en": "Share of target", "da": "Andel af målet"},
    "col_assumption": {"en": "Assumption", "da": "Antagelse"},
    "col_effect": {"en": "Effect", "da": "Effekt"},
    "col_effect_conf_low": {"en": "Effect, lower", "da": "Effekt, nedre"},
    "col_effect_conf_high": {"en": "Effect, upper", "da": "Effekt, øvre"},
    "col_saving": {"en": "Saving", "da": "Besparelse"},
    "col_cost_once": {"en": "One-off cost", "da": "Engangsudgift"},
    "col_cost_per_year": {"en": "Cost per year", "da": "Udgift pr. år"},
    "col_rate": {"en": "Discount rate", "da": "Diskonteringsrente"},
    "col_horizon": {"en": "Horizon (years)", "da": "Horisont (år)"},
    "col_pv_costs": {"en": "Present value of costs", "da": "Nutidsværdi af udgifter"},
    "col_pv_savings": {"en": "Present value of savings", "da": "Nutidsværdi af besparelser"},
    "col_break_even_effect": {"en": "Effect needed to break even", "da": "Effekt ved balance"},
    "col_years_to_break_even": {"en": "Years to break even", "da": "År til balance"},
    "col_cost_per_full_year_person": {
        "en": "Cost per full-year person",
        "da": "Udgift pr. helårsperson",
    },
    "col_cost_per_full_year_person_conf_low": {
        "en": "Cost per full-year person, lower",
        "da": "Udgift pr. helårsperson, nedre",
    },
    "col_cost_per_full_year_person_conf_high": {
        "en": "Cost per full-year person, upper",
        "da": "Udgift pr. helårsperson, øvre",
    },
    "col_input": {"en": "Assumption varied", "da": "Varieret antagelse"},
    "col_base": {"en": "Base", "da": "Basis"},
    "col_npv_low": {"en": "NPV, low", "da": "NNV, lav"},
    "col_npv_high": {"en": "NPV, high", "da": "NNV, høj"},
    "col_npv_base": {"en": "NPV, base", "da": "NNV, basis"},
    "col_swing": {"en": "Swing", "da": "Udsving"},
    "yes": {"en": "Yes", "da": "Ja"},
    "no": {"en": "No", "da": "Nej"},
    # the report folder and documents of `evalkit reproduce`
    "report_title": {"en": "Evaluation report", "da": "Evalueringsrapport"},
    "report_contents": {"en": "Contents", "da": "Indhold"},
    "report_figure": {"en": "Figure {number}", "da": "Figur {number}"},
    "report_table": {"en": "Table {number}", "da": "Tabel {number}"},
    "report_files": {"en": "Files", "da": "Filer"},
    # the progress line of long jobs (evalkit._progress.Progress)
    "progress_of": {
        "en": "{done} of {total} {unit} ({share})",
        "da": "{done} af {total} {unit} ({share})",
    },
    "progress_left": {"en": "{time} left", "da": "{time} tilbage"},
    # the contents sheet of a project's Excel workbook (evalkit reproduce --format xlsx)
    "xlsx_sheet": {"en": "Sheet", "da": "Ark"},
    "xlsx_table": {"en": "Table", "da": "Tabel"},
    "xlsx_title": {"en": "Title", "da": "Titel"},
    "xlsx_caption": {"en": "Caption", "da": "Tekst"},
    "xlsx_data": {"en": "Data", "da": "Data"},
    "xlsx_disclosure": {"en": "Disclosure control", "da": "Diskretionering"},
    "xlsx_note": {
        "en": "Every sheet passed evalkit's output gate when this workbook was written; "
        "the output log (output_log.json) lists the workbook with the rules applied and "
        "the cells suppressed.",
        "da": "Alle ark er gået gennem evalkits outputkontrol, da projektmappen blev skrevet; "
        "outputloggen (output_log.json) viser projektmappen med de anvendte regler og de "
        "undertrykte celler.",
    },
    "xlsx_not_controlled": {
        "en": "Not required (not register data)",
        "da": "Ikke nødvendig (ikke registerdata)",
    },
    "xlsx_controlled": {
        "en": "Controlled (counts under {threshold}): nothing suppressed",
        "da": "Kontrolleret (antal under {threshold}): intet undertrykt",
    },
    "xlsx_suppressed": {
        "en": "Controlled (counts under {threshold}): {cells} cells suppressed",
        "da": "Kontrolleret (antal under {threshold}): {cells} celler undertrykt",
    },
    "data_register": {"en": "Treated as register data", "da": "Behandlet som registerdata"},
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
    # --- the projects of `evalkit reproduce` (figure texts, titles and captions) ---
    "series_synthetic": {"en": "{name} (synthetic)", "da": "{name} (syntetisk)"},
    "share_work": {
        "en": "Share self-sufficient (fully or partly)",
        "da": "Andel selvforsørgende (helt eller delvist)",
    },
    "log_rank": {"en": "Log-rank", "da": "Log-rank"},
    "log_rank_p": {"en": "Log-rank test: {p}.", "da": "Log-rank-test: {p}."},
    # JobFirst, Aalborg: CONSORT boxes
    "jf_received": {
        "en": "started a company-based course",
        "da": "startede et virksomhedsrettet forløb",
    },
    "jf_not_received": {"en": "did not start a course", "da": "startede ikke et forløb"},
    "jf_completed": {"en": "completed 13 weeks", "da": "gennemførte 13 uger"},
    "jf_usual_support": {
        "en": "usual support from the jobcentre",
        "da": "sædvanlig indsats fra jobcentret",
    },
    "jf_status_at_end": {
        "en": "status at project end (early February 2018):",
        "da": "status ved projektets afslutning (start februar 2018):",
    },
    "jf_exit_small_job": {
        "en": "small job with supplementary benefit",
        "da": "småjob med supplerende ydelse",
    },
    "jf_exit_ordinary_job": {
        "en": "ordinary job / self-sufficient",
        "da": "ordinært job / selvforsørgende",
    },
    "jf_exit_education": {"en": "education (SU)", "da": "uddannelse (SU)"},
    "jf_exit_flexjob": {"en": "flexjob", "da": "fleksjob"},
    "jf_exit_disability_pension": {"en": "disability pension", "da": "førtidspension"},
    "jf_exit_moved_away": {
        "en": "moved to another municipality",
        "da": "flyttet til en anden kommune",
    },
    # JobFirst, Aalborg: effects (forest plot rows, effect tables)
    "jf_weeks_1_52": {
        "en": "Weeks self-sufficient (fully or partly), weeks 1-52",
        "da": "Uger selvforsørgende (helt eller delvist), uge 1-52",
    },
    "jf_weeks_1_52_lin": {
        "en": "Same, Lin-adjusted (age, sex, years on support, benefit)",
        "da": "Samme, Lin-justeret (alder, køn, år på forsørgelse, ydelse)",
    },
    "jf_weeks_1_104": {
        "en": "Weeks self-sufficient (fully or partly), weeks 1-104",
        "da": "Uger selvforsørgende (helt eller delvist), uge 1-104",
    },
    "jf_in_work_52": {
        "en": "Self-sufficient (fully or partly) in week 52",
        "da": "Selvforsørgende (helt eller delvist) i uge 52",
    },
    "jf_durable_104": {
        "en": "13 consecutive weeks self-sufficient within 104 weeks",
        "da": "13 sammenhængende uger selvforsørgende inden for 104 uger",
    },
    "jf_itt": {
        "en": "ITT: weeks self-sufficient, weeks 1-104 (offer of JobFirst)",
        "da": "ITT: uger selvforsørgende, uge 1-104 (tilbud om JobFirst)",
    },
    "jf_first_stage": {
        "en": "First stage: share who started a company-based course",
        "da": "Første trin: andel der startede et virksomhedsrettet forløb",
    },
    "jf_cace": {
        "en": "CACE: weeks self-sufficient for those who started a course",
        "da": "CACE: uger selvforsørgende for dem, der startede et forløb",
    },
    # Flere skal med, Fredericia: figure texts
    "national_average_synthetic": {
        "en": "National average (synthetic)",
        "da": "Landsgennemsnit (syntetisk)",
    },
    "powerjob_minus_jobcentre": {
        "en": "Powerjobsøgerne − jobcentre",
        "da": "Powerjobsøgerne − jobcentret",
    },
    "jobcentre": {"en": "Jobcentre", "da": "Jobcentret"},
    # titles of the figures and tables (the index, the Word report, progress bars)
    "t_published": {"en": "Published figures", "da": "Offentliggjorte tal"},
    "t_consort": {"en": "CONSORT flow of the trial", "da": "Forsøgets CONSORT-flow"},
    "t_grant": {
        "en": "Activity grant: implied by take-up and received",
        "da": "Aktivitetstilskud: beregnet ud fra deltagelsen og modtaget",
    },
    "t_balance": {"en": "Balance at randomization", "da": "Balance ved lodtrækningen"},
    "t_effects": {"en": "Effects", "da": "Effekter"},
    "t_forest_weeks": {
        "en": "Effects on weeks self-sufficient",
        "da": "Effekter på uger som selvforsørgende",
    },
    "t_share_by_week": {
        "en": "Share self-sufficient (fully or partly) by week since randomization",
        "da": "Andel selvforsørgende (helt eller delvist) pr. uge efter lodtrækningen",
    },
    "t_time_to_work": {
        "en": "Time to the first self-sufficient week",
        "da": "Tid til første uge som selvforsørgende",
    },
    "t_cace": {
        "en": "Intention to treat and the complier average causal effect",
        "da": "Effekt af tilbuddet (ITT) og effekten for dem, der tog imod (CACE)",
    },
    "t_attrition": {
        "en": "Attrition: persons who moved away",
        "da": "Frafald: personer, der flyttede",
    },
    "t_lee": {
        "en": "Lee bounds on the effect for persons observed in either arm",
        "da": "Lee-grænser for effekten for personer, der observeres i begge grupper",
    },
    "t_subgroups": {
        "en": "Effects by benefit type, with the test of equal effects",
        "da": "Effekter efter ydelsestype, med test af ens effekter",
    },
    "t_subgroups_forest": {"en": "Effects by benefit type", "da": "Effekter efter ydelsestype"},
    "t_sites": {
        "en": "Aalborg among 15 synthetic other sites, pooled",
        "da": "Aalborg blandt 15 syntetiske andre steder, samlet",
    },
    "t_share_vs_national": {
        "en": "Share of the indsatsgruppe in company-based activity against the national "
        "average and the 40 % target",
        "da": "Indsatsgruppens andel i virksomhedsrettet aktivitet sammenlignet med "
        "landsgennemsnittet og målet på 40 %",
    },
    "t_target_attainment": {
        "en": "When the 40 % target was reached and held",
        "da": "Hvornår målet på 40 % blev nået og holdt",
    },
    "t_funnel": {
        "en": "Funnel plot across municipalities (95 % and 99.8 % limits, over-dispersion "
        "adjusted) around the published national 43 % (June 2019)",
        "da": "Tragtplot over kommunerne (95 %- og 99,8 %-grænser, justeret for "
        "overspredning) omkring den offentliggjorte landsandel på 43 % (juni 2019)",
    },
    "t_powerjob_vs_jobcentre": {
        "en": "Powerjobsøgerne against the jobcentre: into job or education",
        "da": "Powerjobsøgerne sammenlignet med jobcentret: i job eller uddannelse",
    },
    "t_powerjob_difference": {
        "en": "Difference in the share into job or education",
        "da": "Forskel i andelen i job eller uddannelse",
    },
    "t_targets": {
        "en": "Powerjobsøgerne against its targets (exact binomial tests)",
        "da": "Powerjobsøgerne sammenlignet med målene (eksakte binomialtest)",
    },
    "t_goal_probability_vgef": {
        "en": "'Vi gør en forskel, gør du?': probability of reaching 30 of 50 by success rate",
        "da": "'Vi gør en forskel, gør du?': sandsynligheden for at nå 30 af 50 efter succesrate",
    },
    "t_cost_per_outcome": {
        "en": "Cost per person into job or education",
        "da": "Omkostning pr. person i job eller uddannelse",
    },
    "t_payments_by_month": {
        "en": "Outcome payments by month (assumed rates, synthetic histories)",
        "da": "Resultatbetalinger pr. måned (antagne takster, syntetiske forløb)",
    },
    "t_cumulative_payments": {
        "en": "Cumulative outcome payments and the projection from the midway point",
        "da": "Akkumulerede resultatbetalinger og fremskrivningen fra midtvejspunktet",
    },
    "t_recurrent_entries": {
        "en": "Entries into self-sufficiency per person by week since referral",
        "da": "Overgange til selvforsørgelse pr. person efter uger siden henvisning",
    },
    "t_goal_probability_impact60": {
        "en": "Probability of reaching the goal of {goal} of 120, projected from {date}",
        "da": "Sandsynligheden for at nå målet på {goal} af 120, fremskrevet fra {date}",
    },
    "t_investor": {
        "en": "The investor's return and risk of a loss, with and without the deficit guarantee",
        "da": "Investors afkast og risiko for tab, med og uden underskudsgaranti",
    },
    "t_staircase": {
        "en": "The 2016 refusion staircase: the state's share of a benefit week by "
        "accumulated weeks with benefits",
        "da": "Refusionstrappen fra 2016: statens andel af en ydelsesuge efter antal "
        "akkumulerede uger med ydelse",
    },
    "t_net_cost_by_week": {
        "en": "Who pays for one benefit week at 4, 26, 52 and 60 accumulated weeks",
        "da": "Hvem betaler for en ydelsesuge ved 4, 26, 52 og 60 akkumulerede uger",
    },
    "t_required_outcomes": {
        "en": "Persons a year who must leave benefit, by weeks off benefit, for 50 "
        "full-year persons a year",
        "da": "Personer om året, der skal forlade ydelse, efter uger uden ydelse, for 50 "
        "helårspersoner om året",
    },
    "t_delivered": {
        "en": "What the clarification workshops and Projekt Superb delivered against the target",
        "da": "Hvad afklaringsværkstederne og Projekt Superb leverede i forhold til målet",
    },
    "t_assumptions": {
        "en": "Assumptions of the business case (none of the amounts is published)",
        "da": "Business casens antagelser (ingen af beløbene er offentliggjort)",
    },
    "t_business_case": {
        "en": "Business case: net present value, break-even effect and cost per full-year person",
        "da": "Business case: nutidsværdi, nulpunktseffekt og omkostning pr. helårsperson",
    },
    "t_sensitivity": {
        "en": "One-way sensitivity of the net present value",
        "da": "Envejsfølsomhed af nutidsværdien",
    },
    "t_tornado": {
        "en": "Tornado plot: the net present value as each assumption varies",
        "da": "Tornadoplot: nutidsværdien, når hver antagelse varieres",
    },
    # captions of the projects' reports (evalkit reproduce), by project
    # benchmark
    "c_bench_published": {
        "en": "Published figures. Source: {source}.",
        "da": "Offentliggjorte tal. Kilde: {source}.",
    },
    "c_bench_synthetic": {
        "en": "Synthetic series generated around the published figures (see the data's 'kind' "
        "column); not the municipality's data.",
        "da": "Syntetiske serier genereret omkring de offentliggjorte tal (se kolonnen 'kind'); "
        "ikke kommunens data.",
    },
    "c_bench_selection": {
        "en": "Published counts. A comparison with the jobcentre as a whole is not causal: the "
        "course's members were selected.",
        "da": "Offentliggjorte tal. Sammenligningen med hele jobcentret er ikke kausal: "
        "deltagerne er udvalgt.",
    },
    # adult_business_case
    "c_case_law": {"en": "Published: the law. {source}.", "da": "Offentliggjort: loven. {source}."},
    "c_case_assumed": {
        "en": "Synthetic in the output gate's sense (not register data): computed from assumed "
        "amounts (programme costs DKK 1m at the start and DKK 3m a year, the effect) and public "
        "rates (cash benefit DKK 2,531 a week, the 2016 rate of a person aged 30 or over "
        "without children, taken for every case; the Finance Ministry's discount rate of 4 %); "
        "see the assumptions table: none of them is in the municipality's documents.",
        "da": "Syntetiske i outputkontrollens forstand (ikke registerdata): beregnet ud fra "
        "antagne beløb (programomkostninger 1 mio. kr. ved start og 3 mio. kr. om året, "
        "effekten) og offentlige satser (kontanthjælp 2.531 kr. om ugen, 2016-satsen for en "
        "person på 30 år eller derover uden børn, brugt for alle sager; Finansministeriets "
        "diskonteringsrente på 4 %); se tabellen med antagelser: ingen af dem står i "
        "kommunens dokumenter.",
    },
    "c_case_required": {
        "en": "The published target of 50 full-year persons a year in persons: the weeks off "
        "benefit per person are scenarios, not data.",
        "da": "Det offentliggjorte mål på 50 helårspersoner om året i personer: ugerne uden "
        "ydelse pr. person er scenarier, ikke data.",
    },
    "c_case_delivered": {
        "en": "Published counts (afklaringsværksteder: 17 into ordinary work, 8 of them beyond "
        "3 months, 3 into education; Projekt Superb: 4 into ordinary work) with assumed weeks "
        "off benefit per person. Gross outcomes: without a control group some would have left "
        "benefit anyway. Company internships (12) are on benefit and count nothing.",
        "da": "Offentliggjorte tal (afklaringsværksteder: 17 i ordinært job, heraf 8 i mere end "
        "3 måneder, 3 i uddannelse; Projekt Superb: 4 i ordinært job) med antagne uger uden "
        "ydelse pr. person. Bruttoresultater: uden kontrolgruppe ville nogle være kommet af "
        "ydelse alligevel. Virksomhedspraktik (12) er på ydelse og tæller ikke.",
    },
    # impact60_aalborg
    "c_impact60_published": {
        "en": "Published figures. Source: {source}.",
        "da": "Offentliggjorte tal. Kilde: {source}.",
    },
    "c_impact60_synthetic": {
        "en": "Synthetic weekly histories calibrated to the published figures (not the "
        "municipality's data); the payment rates are ASSUMED (DKK 1,500 per self-sufficient "
        "week, DKK 750 per partly self-sufficient week; not published).",
        "da": "Syntetiske ugeforløb kalibreret til de offentliggjorte tal (ikke kommunens "
        "data); taksterne er ANTAGET (1.500 kr. pr. selvforsørgende uge, 750 kr. pr. delvist "
        "selvforsørgende uge; ikke offentliggjort).",
    },
    "c_impact60_projection": {
        "en": "Projection: a Markov chain fitted to the weeks up to 2019-W38 only, 1,000 seeded "
        "simulations to the end of 2022; the interval is a predictive percentile interval given "
        "the fitted chain (no estimation uncertainty). Published: 46 % (about 55 of 120) "
        "reached self-sufficiency; goal 60.",
        "da": "Fremskrivning: en Markov-kæde estimeret på ugerne til og med 2019-U38, 1.000 "
        "seedede simulationer til udgangen af 2022; intervallet er et prædiktivt "
        "percentilinterval givet den estimerede kæde (uden estimationsusikkerhed). "
        "Offentliggjort: 46 % (ca. 55 af 120) blev selvforsørgende; mål 60.",
    },
    "c_impact60_mcf": {
        "en": "Mean cumulative function: the expected number of entries into full or partial "
        "self-sufficiency per person (Nelson-Aalen for recurrent events, robust 95 % interval "
        "over persons).",
        "da": "Middelkumulativ funktion: det forventede antal overgange til hel eller delvis "
        "selvforsørgelse pr. person (Nelson-Aalen for gentagne hændelser, robust 95 %-interval "
        "over personer).",
    },
    "c_impact60_investor": {
        "en": "Investor capital DKK 6 million paid out over the 16 referral months and a "
        "deficit guarantee of DKK 2 million are ASSUMED (Den Sociale Kapitalfond's guarantee is "
        "published, its size is not).",
        "da": "Investors kapital på 6 mio. kr. udbetalt over de 16 henvisningsmåneder og en "
        "underskudsgaranti på 2 mio. kr. er ANTAGET (Den Sociale Kapitalfonds garanti er "
        "offentliggjort, dens størrelse er ikke).",
    },
    # jobfirst_aalborg
    "c_jobfirst_synthetic": {
        "en": "Synthetic data calibrated to the published figures; the control arm is assumed, "
        "so the estimate recovers an assumed effect, not JobFirst's.",
        "da": "Syntetiske data kalibreret til de offentliggjorte tal; kontrolgruppen er "
        "antaget, så estimatet genfinder en antaget effekt, ikke JobFirsts.",
    },
    # captions
    "c_published": {
        "en": "Published figures. Source: {source}.",
        "da": "Offentliggjorte tal. Kilde: {source}.",
    },
    "c_grant_rows": {
        "en": "The last rows compute differences and one stated assumption.",
        "da": "De sidste rækker beregner forskelle og en angivet antagelse.",
    },
    "c_cace": {
        "en": "Take-up as published: 144 of the 178 offered started a company-based course; "
        "no control could (one-sided non-compliance).",
        "da": "Deltagelse som offentliggjort: 144 af de 178, der fik tilbuddet, startede et "
        "virksomhedsrettet forløb; ingen i kontrolgruppen kunne (ensidig manglende "
        "deltagelse).",
    },
    "c_attrition": {
        "en": "Moved to another municipality: 5 treated (published), 5 controls (assumed).",
        "da": "Flyttet til en anden kommune: 5 i indsatsgruppen (offentliggjort), 5 i "
        "kontrolgruppen (antaget).",
    },
    "c_subgroups": {
        "en": "Benefit types as published: 156 cash benefit, 22 resource course.",
        "da": "Ydelsestyper som offentliggjort: 156 kontanthjælp, 22 ressourceforløb.",
    },
    "c_sites": {
        "en": "The 15 other sites are made up (no site-level estimates of the national "
        "trial are published in the sources used).",
        "da": "De 15 andre steder er opdigtede (de anvendte kilder offentliggør ingen "
        "estimater for de enkelte steder i det nationale forsøg).",
    },
    # attrition verdicts (evalkit.effects.attrition, What Works Clearinghouse boundaries)
    "attrition_low": {
        "en": "Low attrition under {boundary}.",
        "da": "Lavt frafald efter {boundary}.",
    },
    "attrition_high": {
        "en": "High attrition under {boundary}.",
        "da": "Højt frafald efter {boundary}.",
    },
    "attrition_boundary_cautious": {
        "en": "the cautious boundary",
        "da": "den forsigtige grænse",
    },
    "attrition_boundary_optimistic": {
        "en": "the optimistic boundary",
        "da": "den optimistiske grænse",
    },
    "attrition_boundary_named": {"en": "the boundary {name}", "da": "grænsen {name}"},
    "src_fredericia_2021": {
        "en": "Fredericia Kommune, 24 March 2021",
        "da": "Fredericia Kommune, 24. marts 2021",
    },
    "iso_week": {"en": "week {week} of {year}", "da": "uge {week} {year}"},
    "src_refusion_2016": {
        "en": "Act no. 994 of 30 August 2015 on the municipalities' financing of certain "
        "public benefits (the refusion reform, in force 4 January 2016), section 5(2) (the "
        "steps) and section 6 (the count starts over after 52 self-sufficient weeks within "
        "the last 3 years); STAR, 'Nøgletal for refusionsreformen'",
        "da": "Lov nr. 994 af 30. august 2015 om kommunernes finansiering af visse "
        "offentlige ydelser (refusionsreformen, i kraft 4. januar 2016), § 5, stk. 2 "
        "(trinene) og § 6 (optællingen starter forfra efter 52 selvforsørgende uger inden "
        "for de seneste 3 år); STAR, 'Nøgletal for refusionsreformen'",
    },
    "fredericia_cost_label": {"en": "{amount} for the period", "da": "{amount} for perioden"},
    "c_vgef_rates": {
        "en": "The success rates are hypothetical.",
        "da": "Succesraterne er hypotetiske.",
    },
}

#: The data's own values and names (benefit types, states, covariates, units) as a reader
#: sees them: English value in the data -> display text per language. Translated at
#: display time by :func:`term` (every text cell of a report table passes through it);
#: in keys, ``{n}`` matches a whole number, ``{num}`` (``{num1}``...) a number written in
#: English and ``{week}`` an ISO week (both shown in the reader's format), and any other
#: ``{field}`` any text (itself shown through :func:`term`).
TERMS: dict[str, dict[str, str]] = {
    # states of the weekly status panels (evalkit.panel.synthetic_classification)
    "self_sufficient": {"en": "self-sufficient", "da": "selvforsørgende"},
    "partly_self_sufficient": {"en": "partly self-sufficient", "da": "delvist selvforsørgende"},
    "cash_benefit": {"en": "cash benefit", "da": "kontanthjælp"},
    "education": {"en": "education", "da": "uddannelse"},
    "resource_course": {"en": "resource course", "da": "ressourceforløb"},
    "flexjob": {"en": "flexjob", "da": "fleksjob"},
    "disability_pension": {"en": "disability pension", "da": "førtidspension"},
    "sickness": {"en": "sickness benefit", "da": "sygedagpenge"},
    "rehabilitation": {"en": "vocational rehabilitation", "da": "revalidering"},
    "absorbing": {"en": "left follow-up", "da": "udgået af opfølgningen"},
    # grouped states (StatusPanel.group_states, state occupation figures); "benefit"
    # and "education" are listed elsewhere in this catalogue
    "work": {"en": "work", "da": "arbejde"},
    "other": {"en": "other", "da": "andet"},
    # benefit types as the synthetic trials spell them
    "cash benefit": {"en": "cash benefit", "da": "kontanthjælp"},
    "resource course": {"en": "resource course", "da": "ressourceforløb"},
    # covariates of the trials
    "benefit": {"en": "Benefit", "da": "Ydelse"},
    "age": {"en": "Age", "da": "Alder"},
    "female": {"en": "Female", "da": "Kvinde"},
    "years_on_support": {"en": "Years on public support", "da": "År på offentlig forsørgelse"},
    # units of the synthetic benchmarks and sites
    "Municipality {n}": {"en": "Municipality {n}", "da": "Kommune {n}"},
    "Synthetic site {n}": {"en": "Synthetic site {n}", "da": "Syntetisk sted {n}"},
    "Herning (synthetic)": {"en": "Herning (synthetic)", "da": "Herning (syntetisk)"},
    # long jobs and what they count, as the progress line names them
    "spells": {"en": "spells", "da": "forløb"},
    "survival counts": {"en": "survival counts", "da": "overlevelsestællinger"},
    "unit-period counts": {"en": "unit-period counts", "da": "tællinger pr. enhed og periode"},
    "collect": {"en": "collect", "da": "indsamling"},
    "synthetic register": {"en": "synthetic register", "da": "syntetisk register"},
    "randomization test": {"en": "randomization test", "da": "randomiseringstest"},
    "assignments": {"en": "assignments", "da": "tildelinger"},
    "design diagnosis": {"en": "design diagnosis", "da": "designdiagnose"},
    "simulations": {"en": "simulations", "da": "simuleringer"},
    "figures and tables": {"en": "figures and tables", "da": "figurer og tabeller"},
    # sources and methods as the data and the estimators name them
    "star.dk, 'Nøgletal for refusionsreformen' (public)": {
        "en": "star.dk, 'Nøgletal for refusionsreformen' (public)",
        "da": "star.dk, 'Nøgletal for refusionsreformen' (offentlig)",
    },
    "Difference in means, Neyman (HC2) SE, Welch-Satterthwaite df": {
        "en": "Difference in means, Neyman (HC2) SE, Welch-Satterthwaite df",
        "da": "Forskel i gennemsnit, Neyman (HC2) std.fejl, Welch-Satterthwaite frihedsgrader",
    },
    "Lin (2013) regression adjustment, {se} SE": {
        "en": "Lin (2013) regression adjustment, {se} SE",
        "da": "Lin (2013) regressionsjustering, {se} std.fejl",
    },
    "ANCOVA (additive covariate adjustment), {se} SE": {
        "en": "ANCOVA (additive covariate adjustment), {se} SE",
        "da": "ANCOVA (additiv justering for kovariater), {se} std.fejl",
    },
    "weighted, {rest}": {"en": "weighted, {rest}", "da": "vægtet, {rest}"},
    "Risk difference, Wald interval": {
        "en": "Risk difference, Wald interval",
        "da": "Forskel i andele, Wald-interval",
    },
    "Risk ratio, log-scale Wald interval": {
        "en": "Risk ratio, log-scale Wald interval",
        "da": "Relativ risiko, Wald-interval på log-skala",
    },
    "Odds ratio, Woolf (log-scale Wald) interval": {
        "en": "Odds ratio, Woolf (log-scale Wald) interval",
        "da": "Oddsratio, Woolfs interval (Wald på log-skala)",
    },
    "Odds ratio, conditional MLE, exact interval, Fisher's exact test": {
        "en": "Odds ratio, conditional MLE, exact interval, Fisher's exact test",
        "da": "Oddsratio, betinget ML-estimat, eksakt interval, Fishers eksakte test",
    },
    "Fisher's exact test, conditional MLE odds ratio": {
        "en": "Fisher's exact test, conditional MLE odds ratio",
        "da": "Fishers eksakte test, betinget ML-estimat af oddsratio",
    },
    "Manski (1990) worst-case bounds, outcome in [{num1}, {num2}]": {
        "en": "Manski (1990) worst-case bounds, outcome in [{num1}, {num2}]",
        "da": "Manski (1990) grænser i værste fald, udfald i [{num1}; {num2}]",
    },
    "Risk difference, Newcombe hybrid score interval, score test": {
        "en": "Risk difference, Newcombe hybrid score interval, score test",
        "da": "Forskel i andele, Newcombes hybride scoreinterval, scoretest",
    },
    "Share, Wilson interval": {"en": "Share, Wilson interval", "da": "Andel, Wilson-interval"},
    "Intention-to-treat effect (reduced form) by least squares, {se} SE": {
        "en": "Intention-to-treat effect (reduced form) by least squares, {se} SE",
        "da": "Effekt af tildelingen (reduceret form) ved mindste kvadraters metode, {se} std.fejl",
    },
    "First stage (take-up of {takeup}) by least squares, {se} SE": {
        "en": "First stage (take-up of {takeup}) by least squares, {se} SE",
        "da": "Første trin (deltagelse, {takeup}) ved mindste kvadraters metode, {se} std.fejl",
    },
    "Complier average causal effect by 2SLS ({takeup} instrumented by {treatment}), "
    "{compliance}, {se} SE": {
        "en": "Complier average causal effect by 2SLS ({takeup} instrumented by "
        "{treatment}), {compliance}, {se} SE",
        "da": "Gennemsnitlig effekt for dem, der tager imod tilbuddet (CACE), ved 2SLS "
        "({takeup} instrumenteret med {treatment}), {compliance}, {se} std.fejl",
    },
    "one-sided non-compliance (no control took up {takeup}: the CACE is the effect on "
    "the treated)": {
        "en": "one-sided non-compliance (no control took up {takeup}: the CACE is the effect "
        "on the treated)",
        "da": "ensidig manglende deltagelse (ingen i kontrolgruppen havde {takeup}: CACE er "
        "effekten for de behandlede)",
    },
    "two-sided non-compliance": {
        "en": "two-sided non-compliance",
        "da": "tosidet manglende deltagelse",
    },
    "Lee (2009) trimming bounds, analytic SE (Proposition 3)": {
        "en": "Lee (2009) trimming bounds, analytic SE (Proposition 3)",
        "da": "Lee (2009) trimmede grænser, analytisk std.fejl (proposition 3)",
    },
    # terms of the results' tidy frames shown in tables
    "lower": {"en": "lower", "da": "nedre"},
    "upper": {"en": "upper", "da": "øvre"},
    "effect (Imbens-Manski)": {"en": "effect (Imbens-Manski)", "da": "effekt (Imbens-Manski)"},
    "share[{group}]": {"en": "share[{group}]", "da": "andel[{group}]"},
    "risk_difference": {"en": "risk difference", "da": "forskel i andele"},
    "net_present_value": {"en": "net present value", "da": "nutidsværdi"},
    "less": {"en": "less", "da": "mindre"},
    "greater": {"en": "greater", "da": "større"},
    "two-sided": {"en": "two-sided", "da": "tosidet"},
    # types of the balance table's rows, groups of the attrition table
    "numeric": {"en": "numeric", "da": "numerisk"},
    "binary": {"en": "binary", "da": "binær"},
    "categorical": {"en": "categorical", "da": "kategorisk"},
    "treatment": {"en": "treatment", "da": "indsats"},
    "control": {"en": "control", "da": "kontrol"},
    "overall": {"en": "overall", "da": "i alt"},
    "total": {"en": "total", "da": "i alt"},
    # outcomes of the JobFirst trial named in tables
    "weeks_in_work_1_104_recorded": {
        "en": "weeks in work, weeks 1-104 (recorded)",
        "da": "uger i arbejde, uge 1-104 (registreret)",
    },
    # units of the published figures (evalkit.datasets.load_published) and assumptions
    "persons": {"en": "persons", "da": "personer"},
    "share": {"en": "share", "da": "andel"},
    "full_year_persons": {"en": "full-year persons", "da": "helårspersoner"},
    "weeks": {"en": "weeks", "da": "uger"},
    "years": {"en": "years", "da": "år"},
    "months": {"en": "months", "da": "måneder"},
    "companies": {"en": "companies", "da": "virksomheder"},
    "municipalities": {"en": "municipalities", "da": "kommuner"},
    "cases": {"en": "cases", "da": "sager"},
    "groups": {"en": "groups", "da": "grupper"},
    "inputs": {"en": "inputs", "da": "input"},
    "themes": {"en": "themes", "da": "temaer"},
    "DKK": {"en": "DKK", "da": "kr."},
    "year": {"en": "year", "da": "år"},
    "days": {"en": "days", "da": "dage"},
    "hours": {"en": "hours", "da": "timer"},
    "steps": {"en": "steps", "da": "trin"},
    "jobs": {"en": "jobs", "da": "job"},
    "courses": {"en": "courses", "da": "forløb"},
    "meetings": {"en": "meetings", "da": "møder"},
    "results": {"en": "results", "da": "resultater"},
    "recommendations": {"en": "recommendations", "da": "anbefalinger"},
    "full_time_equivalents": {"en": "full-time equivalents", "da": "fuldtidsstillinger"},
    # the sources of the published figures, as a reader of either language names them
    "Notat til Beskæftigelses- og Integrationsudvalget (BIU), 'Orientering vedr. Business "
    "Case for afklaring af langvarige kontanthjælpsmodtagere i Jobcenterets "
    "Voksenafdeling' (2015)": {
        "en": "Memo to the Employment and Integration Committee (BIU), 'Orientering vedr. "
        "Business Case for afklaring af langvarige kontanthjælpsmodtagere i Jobcenterets "
        "Voksenafdeling' (2015)",
        "da": "Notat til Beskæftigelses- og Integrationsudvalget (BIU), 'Orientering vedr. "
        "Business Case for afklaring af langvarige kontanthjælpsmodtagere i Jobcenterets "
        "Voksenafdeling' (2015)",
    },
    # the JobFirst grant reconciliation (evalkit.economics.reconcile_grants)
    "Course starts": {"en": "Course starts", "da": "Forløbsstarter"},
    "Course completions": {"en": "Course completions", "da": "Gennemførte forløb"},
    "count x rate": {"en": "count x rate", "da": "antal x takst"},
    "count x rate ({n} weeks at one employer)": {
        "en": "count x rate ({n} weeks at one employer)",
        "da": "antal x takst ({n} uger hos samme arbejdsgiver)",
    },
    "Computed grant": {"en": "Computed grant", "da": "Beregnet tilskud"},
    "Computed - received": {"en": "Computed - received", "da": "Beregnet - modtaget"},
    "Computed - received - expected": {
        "en": "Computed - received - expected",
        "da": "Beregnet - modtaget - forventet",
    },
    "Frame (maximum)": {"en": "Frame (maximum)", "da": "Ramme (maksimum)"},
    "published": {"en": "published", "da": "offentliggjort"},
    "computed": {"en": "computed", "da": "beregnet"},
    "Received by early Feb. 2018": {
        "en": "Received by early Feb. 2018",
        "da": "Modtaget til og med primo februar 2018",
    },
    "Expected further payment (just under)": {
        "en": "Expected further payment (just under)",
        "da": "Forventet yderligere udbetaling (knap)",
    },
    "If ordinary-job starts also earned a start grant": {
        "en": "If ordinary-job starts also earned a start grant",
        "da": "Hvis starter i ordinære job også udløste et starttilskud",
    },
    "assumption: the {n} ordinary jobs counted as course starts": {
        "en": "assumption: the {n} ordinary jobs counted as course starts",
        "da": "antagelse: de {n} ordinære job talt som forløbsstarter",
    },
    # Fredericia's targets and costs (evalkit.projects.benchmark_reports)
    "job interview (target {n} %)": {
        "en": "job interview (target {n} %)",
        "da": "jobsamtale (mål {n} %)",
    },
    "job or education (target {n} %)": {
        "en": "job or education (target {n} %)",
        "da": "job eller uddannelse (mål {n} %)",
    },
    # Impact60's models and scenarios (evalkit.projects.impact60_report)
    "one band": {"en": "one band", "da": "ét bånd"},
    "two bands (weeks 0-25, 26+)": {
        "en": "two bands (weeks 0-25, 26+)",
        "da": "to bånd (uge 0-25, 26+)",
    },
    "three bands (weeks 0-25, 26-51, 52+)": {
        "en": "three bands (weeks 0-25, 26-51, 52+)",
        "da": "tre bånd (uge 0-25, 26-51, 52+)",
    },
    "{num1} x {num2} + {num3} x {num4}": {
        "en": "{num1} x {num2} + {num3} x {num4}",
        "da": "{num1} x {num2} + {num3} x {num4}",
    },
    "projection from {week}, {model}": {
        "en": "projection from {week}, {model}",
        "da": "fremskrivning fra {week}, {model}",
    },
    "synthetic histories (what happened)": {
        "en": "synthetic histories (what happened)",
        "da": "syntetiske forløb (det, der skete)",
    },
    "synthetic histories (one scenario)": {
        "en": "synthetic histories (one scenario)",
        "da": "syntetiske forløb (ét scenarie)",
    },
    # the adult business case (evalkit.projects.business_case_report)
    "weekly_benefit": {"en": "weekly benefit", "da": "ugentlig ydelse"},
    "cost_once": {"en": "one-off cost", "da": "engangsudgift"},
    "cost_per_year": {"en": "cost per year", "da": "udgift pr. år"},
    "effect": {"en": "effect", "da": "effekt"},
    "effect_conf_low": {"en": "effect, lower", "da": "effekt, nedre"},
    "effect_conf_high": {"en": "effect, upper", "da": "effekt, øvre"},
    "horizon": {"en": "horizon", "da": "horisont"},
    "rate": {"en": "discount rate", "da": "diskonteringsrente"},
    "saving": {"en": "saving", "da": "besparelse"},
    "DKK a week": {"en": "DKK a week", "da": "kr. pr. uge"},
    "DKK a year": {"en": "DKK a year", "da": "kr. pr. år"},
    "DKK at the start ({n})": {"en": "DKK at the start ({n})", "da": "kr. ved start ({n})"},
    "full-year persons a year": {
        "en": "full-year persons a year",
        "da": "helårspersoner pr. år",
    },
    "a year": {"en": "a year", "da": "pr. år"},
    "source: the 2016 cash benefit of a person aged 30 or over without children, "
    "DKK 10,968 a month (bm.dk, Satser for 2016; lov om aktiv socialpolitik § 25, "
    "stk. 2, nr. 2) x 12 / 52; assumed for every case: the caseload's mix of rates "
    "(DKK 14,575 with children) is not published": {
        "en": "source: the 2016 cash benefit of a person aged 30 or over without children, "
        "DKK 10,968 a month (bm.dk, Satser for 2016; Act on an Active Social Policy "
        "('lov om aktiv socialpolitik'), § 25(2)(2)) x 12 / 52; assumed for every case: the "
        "caseload's mix of rates (DKK 14,575 with children) is not published",
        "da": "kilde: kontanthjælpen i 2016 for en person på 30 år eller derover uden børn, "
        "10.968 kr. om måneden (bm.dk, Satser for 2016; lov om aktiv socialpolitik § 25, "
        "stk. 2, nr. 2) x 12 / 52; antaget for alle sager: fordelingen af satser i "
        "sagsstammen (14.575 kr. med børn) er ikke offentliggjort",
    },
    "assumed: reviewing and categorising the 2,000 cases (about DKK 500 a case)": {
        "en": "assumed: reviewing and categorising the 2,000 cases (about DKK 500 a case)",
        "da": "antaget: gennemgang og kategorisering af de 2.000 sager (ca. 500 kr. pr. sag)",
    },
    "assumed: clarification workshops, Projekt Superb and company contacts "
    "(about six full-time staff at DKK 500,000)": {
        "en": "assumed: clarification workshops, Projekt Superb and company contacts "
        "(about six full-time staff at DKK 500,000)",
        "da": "antaget: afklaringsværksteder, Projekt Superb og virksomhedskontakter "
        "(ca. seks fuldtidsansatte à 500.000 kr.)",
    },
    "assumed: a hypothetical evaluated effect below the promised 50, with an assumed "
    "95 % interval of 10 to 50; no effect has been estimated": {
        "en": "assumed: a hypothetical evaluated effect below the promised 50, with an "
        "assumed 95 % interval of 10 to 50; no effect has been estimated",
        "da": "antaget: en hypotetisk evalueret effekt under de lovede 50, med et antaget "
        "95 %-interval fra 10 til 50; ingen effekt er estimeret",
    },
    "assumed (see effect)": {"en": "assumed (see effect)", "da": "antaget (se effekt)"},
    "published: the target runs 2015–2018": {
        "en": "published: the target runs 2015–2018",
        "da": "offentliggjort: målet gælder 2015–2018",
    },
    "source: the Finance Ministry's recommended real discount rate for years 0-35, "
    "4 % from May 2013 until lowered to 3.5 % in January 2021 (fm.dk)": {
        "en": "source: the Finance Ministry's recommended real discount rate for years 0-35, "
        "4 % from May 2013 until lowered to 3.5 % in January 2021 (fm.dk)",
        "da": "kilde: Finansministeriets anbefalede reale diskonteringsrente for år 0-35, "
        "4 % fra maj 2013, til den blev sænket til 3,5 % i januar 2021 (fm.dk)",
    },
    "{n} weeks": {"en": "{n} weeks", "da": "{n} uger"},
    "13 weeks (3 months)": {"en": "13 weeks (3 months)", "da": "13 uger (3 måneder)"},
    "26 weeks (half a year)": {"en": "26 weeks (half a year)", "da": "26 uger (et halvt år)"},
    "workshops: ordinary work, more than 3 months": {
        "en": "workshops: ordinary work, more than 3 months",
        "da": "værksteder: ordinært arbejde, mere end 3 måneder",
    },
    "workshops: ordinary work, up to 3 months": {
        "en": "workshops: ordinary work, up to 3 months",
        "da": "værksteder: ordinært arbejde, op til 3 måneder",
    },
    "workshops: ordinary education": {
        "en": "workshops: ordinary education",
        "da": "værksteder: ordinær uddannelse",
    },
    "Superb: ordinary work": {"en": "Superb: ordinary work", "da": "Superb: ordinært arbejde"},
}

MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "da": ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
}


#: Fields of TERMS keys by name: what they match in the data's text.
_FIELDS = {
    "n": r"\d+",  # a whole number, kept as it is
    "num": r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?",  # a number written in English
    "week": r"\d{4}-W\d{1,2}",  # an ISO week
}


def _term_pattern(key: str) -> re.Pattern:
    """A TERMS key with ``{fields}`` as a pattern: ``{n}`` matches a whole number,
    ``{num...}`` a number written in English, ``{week...}`` an ISO week and any other
    field any text (the data's own names)."""
    parts = re.split(r"\{(\w+)\}", key)
    return re.compile(
        "".join(
            re.escape(part)
            if i % 2 == 0
            else f"(?P<{part}>{_FIELDS.get(part.rstrip('0123456789'), '.+?')})"
            for i, part in enumerate(parts)
        )
    )


def _field(name: str, value: str, lang: str) -> str:
    """A field of a TERMS pattern as shown in ``lang``: numbers and ISO weeks in the
    language's format, other text through :func:`term`."""
    kind = name.rstrip("0123456789")
    if kind == "num":
        number = value.replace(",", "")
        decimals = len(number.split(".")[1]) if "." in number else 0
        return format_number(float(number), decimals, lang, minus="-", group_from=4)
    if kind == "week":
        return iso_week(value, lang)
    return value if kind == "n" else term(value, lang)


_TERM_PATTERNS = [(_term_pattern(k), v) for k, v in TERMS.items() if re.search(r"\{\w+\}", k)]
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


def term(value, lang: str = "en") -> str:
    """The display text of one of the data's own values (:data:`TERMS`) in ``lang``.

    A state, benefit type, covariate or unit name as stored in the data (English) is
    shown in the reader's language; a value the catalogue does not know is shown as it
    is (names of places, persons' own categories).

    >>> term("cash benefit", "da"), term("self_sufficient", "en"), term("Municipality 32", "da")
    ('kontanthjælp', 'self-sufficient', 'Kommune 32')
    >>> term("Aalborg", "da")
    'Aalborg'
    """
    check_lang(lang)
    text = str(value)
    entry = TERMS.get(text)
    if entry is not None:
        return entry[lang]
    for key, entry in _TERM_PATTERNS:
        match = key.fullmatch(text)
        if match:
            fields = {k: _field(k, v, lang) for k, v in match.groupdict().items()}
            return entry[lang].format(**fields)
    return text


def terms(values, lang: str = "en", sep: str | None = None) -> str:
    """Several values of the data (:func:`term` each) joined as a list in ``lang``:
    ``"a, b and c"`` / ``"a, b og c"`` (or joined by ``sep``).

    >>> terms(["self_sufficient", "partly_self_sufficient"], "da")
    'selvforsørgende og delvist selvforsørgende'
    """
    shown = [term(v, lang) for v in values]
    if sep is not None or len(shown) < 2:
        return (sep or "").join(shown)
    return ", ".join(shown[:-1]) + (" og " if lang == "da" else " and ") + shown[-1]


def iso_week(week: str, lang: str = "en") -> str:
    """An ISO week ``"2019-W38"`` as a reader says it: ``"week 38 of 2019"`` /
    ``"uge 38 2019"``.

    >>> iso_week("2019-W38", "da")
    'uge 38 2019'
    """
    match = re.fullmatch(r"(\d{4})-W(\d{1,2})", str(week))
    if match is None:
        raise ArgumentError(f"week must be an ISO week such as '2019-W38'; got {week!r}.")
    return label("iso_week", lang, year=match.group(1), week=int(match.group(2)))


def arm_name(value, lang: str = "en", inline: bool = False) -> str:
    """Display name of an arm or group value: 1/True -> Treatment, 0/False -> Control.

    Strings naming the arms in either language (``"treatment"``, ``"Kontrol"``...) are
    translated to ``lang``; any other value is shown as it is. ``inline=True`` gives the
    name as it stands inside a sentence: lower case in Danish ("Tildelt indsats").

    >>> arm_name(1, "da"), arm_name("Control", "da"), arm_name("Aalborg", "da")
    ('Indsats', 'Kontrol', 'Aalborg')
    >>> label("allocated_to", "da", arm=arm_name(1, "da", inline=True))
    'Tildelt indsats'
    """
    check_lang(lang)
    key = None
    if isinstance(value, bool | np.bool_) or (
        isinstance(value, int | np.integer) and value in (0, 1)
    ):
        key = "treatment" if int(value) == 1 else "control"
    elif isinstance(value, str):
        lowered = value.strip().lower()
        for name in ("treatment", "control"):
            if lowered in (name, LABELS[name]["en"].lower(), LABELS[name]["da"].lower()):
                key = name
    if key is None:
        return str(value)
    text = label(key, lang)
    return text.lower() if inline and lang == "da" else text


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
    group_from: int = 5,
) -> str:
    """``value`` with ``decimals`` decimals in the language's style (NaN, None -> ``""``).

    The one number formatter of evalkit: figures, tables, captions and notes all go
    through it (and :func:`format_p`, :func:`format_interval`, :func:`format_kroner`,
    :func:`format_percent`, which call it). Negative numbers get a typographic minus sign,
    as matplotlib's own tick labels (tables pass ``minus="-"`` for plain text). Integer
    parts of ``group_from`` digits or more get the thousands separator (default 5, so
    that years such as 2016 stay whole). Text is returned as it is.

    >>> format_number(-0.125, 2, "da"), format_number(12345, 0, "en"), format_number(2016, 0)
    ('−0,12', '12,345', '2016')
    """
    check_lang(lang)
    if value is None or isinstance(value, str):
        return "" if value is None else value
    if not math.isfinite(float(value)):
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


def format_percent(value, decimals: int = 0, lang: str = "en", minus: str = _MINUS) -> str:
    """A proportion as a percentage: ``"40%"`` in English, ``"40 %"`` in Danish.

    >>> format_percent(0.405, 1, "da"), format_percent(0.4, 0, "en")
    ('40,5 %', '40%')
    """
    if value is None or not math.isfinite(float(value)):
        return ""
    number = format_number(100.0 * float(value), decimals, lang, minus=minus)
    return number + (" %" if lang == "da" else "%")


def format_level(alpha: float, lang: str = "en") -> str:
    """The confidence level ``1 - alpha`` as a percentage (``"95%"``, ``"95 %"``).

    >>> format_level(0.002, "da")
    '99,8 %'
    """
    level = 100.0 * (1.0 - float(alpha))
    return format_percent(level / 100.0, _decimals_needed([level]), lang)


def format_interval(
    low, high, decimals: int = 2, lang: str = "en", minus: str = _MINUS, unit: str | None = None
) -> str:
    """``[low, high]`` in English, ``[low; high]`` in Danish (the comma is the decimal mark).

    ``unit="%"`` shows proportions as percentages, ``unit="kr"`` amounts in kroner
    (:func:`format_percent`, :func:`format_kroner`).

    >>> format_interval(0.54, 2.731, 2, "da"), format_interval(0.54, 2.731, 2, "en")
    ('[0,54; 2,73]', '[0.54, 2.73]')
    >>> format_interval(0.05, 0.125, 1, "da", unit="%")
    '[5,0 %; 12,5 %]'
    """
    sep = "; " if check_lang(lang) == "da" else ", "
    if unit == "%":
        ends = (format_percent(v, decimals, lang, minus=minus) for v in (low, high))
    elif unit == "kr":
        ends = (format_kroner(v, lang, decimals, minus=minus) for v in (low, high))
    elif unit is None:
        ends = (format_number(v, decimals, lang, minus=minus) for v in (low, high))
    else:
        raise ArgumentError('unit must be None, "%" or "kr".')
    return "[" + sep.join(ends) + "]"


def format_p(p, lang: str = "en", decimals: int = 3) -> str:
    """A p-value with three decimals, ``"<0.001"`` below 0.001 (``""`` when missing).

    >>> format_p(0.04321, "da"), format_p(1e-6, "en"), format_p(0.5, "da")
    ('0,043', '<0.001', '0,500')
    """
    check_lang(lang)
    if p is None or isinstance(p, str) or not math.isfinite(float(p)):
        return "" if not isinstance(p, str) else p
    smallest = 10.0**-decimals
    if float(p) < smallest:
        return "<" + format_number(smallest, decimals, lang)
    return format_number(float(p), decimals, lang)


def format_p_text(p, lang: str = "en", name: str = "p", decimals: int = 3) -> str:
    """A p-value in running text: ``"p = 0.003"``, ``"p < 0.001"`` (``"p < 0,001"``).

    ``name`` is what precedes it (``"Log-rank p"`` would come from the catalogue).

    >>> format_p_text(0.0031, "da"), format_p_text(1e-5, "en")
    ('p = 0,003', 'p < 0.001')
    """
    text = format_p(p, lang, decimals)
    if not text:
        return ""
    if text.startswith("<"):
        return f"{name} < {text[1:]}"
    return f"{name} = {text}"


def format_kroner(
    value, lang: str = "en", decimals: int = 0, million: bool = False, minus: str = _MINUS
) -> str:
    """An amount in Danish kroner: ``"DKK 1,802,000"`` / ``"1.802.000 kr."``.

    ``million=True`` shows it in millions (``"DKK 3.4 million"`` / ``"3,4 mio. kr."``;
    give ``decimals``).

    >>> format_kroner(1802000, "da"), format_kroner(1802000, "en")
    ('1.802.000 kr.', 'DKK 1,802,000')
    >>> format_kroner(3.37e6, "da", 2, million=True)
    '3,37 mio. kr.'
    """
    check_lang(lang)
    if value is None or not math.isfinite(float(value)):
        return ""
    amount = float(value) / 1e6 if million else float(value)
    number = format_number(amount, decimals, lang, group_from=4, minus=minus)
    if lang == "da":
        return f"{number} mio. kr." if million else f"{number} kr."
    return f"DKK {number} million" if million else f"DKK {number}"


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
        # ticks group thousands from four digits, so that 5000 and 10000 on one axis
        # read alike ("5.000", "10.000")
        return format_number(value, decimals, self.lang, group_from=4)

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
