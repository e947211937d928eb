"""Weekly status panels: from register extracts to states, spells and per-person outcomes."""

from .outcomes import (
    add_hours,
    first_durable_entry,
    full_year_persons,
    hours_in_window,
    in_state_at,
    time_to_first,
    weeks_in_states,
)
from .panel import PanelWarning, StatusPanel
from .spells import spells
from .states import StateClassification, UnknownCodeError, synthetic_classification
from .weeks import iso_week_ordinal, ordinal_to_label, ordinal_to_monday, parse_weeks

__all__ = [
    "add_hours",
    "first_durable_entry",
    "full_year_persons",
    "hours_in_window",
    "in_state_at",
    "time_to_first",
    "weeks_in_states",
    "PanelWarning",
    "StateClassification",
    "StatusPanel",
    "UnknownCodeError",
    "iso_week_ordinal",
    "ordinal_to_label",
    "ordinal_to_monday",
    "parse_weeks",
    "spells",
    "synthetic_classification",
]
