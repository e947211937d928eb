"""The output gate: everything evalkit writes or renders passes through here.

- :mod:`.rules`: the disclosure threshold and the other rules, in one place.
- :mod:`.declare`: tables say which of their numbers are counts of persons.
"""

from .declare import DATA_KINDS, declaration, declare_data, declare_table, person_level
from .rules import PRESETS, OutputRules, current_rules, output_rules, set_output_rules

__all__ = [
    "DATA_KINDS",
    "PRESETS",
    "OutputRules",
    "current_rules",
    "declaration",
    "declare_data",
    "declare_table",
    "output_rules",
    "person_level",
    "set_output_rules",
]
