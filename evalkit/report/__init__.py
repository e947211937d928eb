"""Figures, tables and disclosure control for evaluation reports."""

from .consort import ConsortArm, ConsortCounts, consort_diagram
from .cox_plots import functional_form_plot, influence_plot
from .disclosure import (
    DEFAULT_THRESHOLD,
    DisclosureError,
    check_export,
    disclosure_note,
    mask_counts,
    safe_at_risk,
    safe_curve,
    suppress_small,
)
from .labels import LABELS, NumberFormatter, format_number, format_percent
from .mcf_plots import mean_cumulative_function_plot
from .plots import (
    cumulative_incidence_plot,
    forest_plot,
    funnel_plot,
    series_plot,
    share_by_week,
    share_plot,
    survival_plot,
)
from .report_table import Column, ReportTable, report_table
from .state_plots import state_occupation_plot
from .style import OKABE_ITO, PALETTE, enable_notebook_display, evalkit_style, save_figure
from .tables import (
    BalanceTable,
    BalanceTest,
    balance_table,
    effect_table,
    export_table,
    render_table,
    to_html,
    to_latex,
    to_markdown,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "LABELS",
    "OKABE_ITO",
    "PALETTE",
    "ReportTable",
    "BalanceTable",
    "BalanceTest",
    "Column",
    "ConsortArm",
    "ConsortCounts",
    "DisclosureError",
    "NumberFormatter",
    "balance_table",
    "check_export",
    "consort_diagram",
    "cumulative_incidence_plot",
    "disclosure_note",
    "enable_notebook_display",
    "effect_table",
    "evalkit_style",
    "export_table",
    "forest_plot",
    "functional_form_plot",
    "format_number",
    "format_percent",
    "funnel_plot",
    "influence_plot",
    "mask_counts",
    "render_table",
    "report_table",
    "safe_at_risk",
    "state_occupation_plot",
    "mean_cumulative_function_plot",
    "safe_curve",
    "save_figure",
    "series_plot",
    "share_by_week",
    "share_plot",
    "suppress_small",
    "survival_plot",
    "to_html",
    "to_latex",
    "to_markdown",
]

enable_notebook_display()
