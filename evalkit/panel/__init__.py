"""Weekly status panels: from register extracts to states, spells and per-person outcomes."""

from .panel import PanelWarning, StatusPanel
from .states import StateClassification, UnknownCodeError, synthetic_classification
from .weeks import iso_week_ordinal, ordinal_to_label, ordinal_to_monday, parse_weeks

__all__ = [
    "PanelWarning",
    "StateClassification",
    "StatusPanel",
    "UnknownCodeError",
    "iso_week_ordinal",
    "ordinal_to_label",
    "ordinal_to_monday",
    "parse_weeks",
    "synthetic_classification",
]
