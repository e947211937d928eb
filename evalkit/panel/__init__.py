"""Weekly status panels: from register extracts to states, spells and per-person outcomes."""

from .ids import PrivacyError, check_no_cpr, is_cpr_like, pseudonymize_ids
from .ingest import iter_panel_chunks, read_status_panel
from .io import PanelFileError, iter_person_chunks, read_panel
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
from .recurrent import recurrent_entries
from .spells import spells
from .states import StateClassification, UnknownCodeError, synthetic_classification
from .stream import combine_full_year_persons, map_person_chunks, stream_parquet
from .weeks import iso_week_ordinal, ordinal_to_label, ordinal_to_monday, parse_weeks

__all__ = [
    "PanelFileError",
    "PrivacyError",
    "check_no_cpr",
    "is_cpr_like",
    "iter_person_chunks",
    "iter_panel_chunks",
    "read_status_panel",
    "pseudonymize_ids",
    "read_panel",
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
    "recurrent_entries",
    "spells",
    "stream_parquet",
    "map_person_chunks",
    "combine_full_year_persons",
    "synthetic_classification",
]
