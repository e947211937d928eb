"""The output gate: everything evalkit writes or renders passes through here.

- :mod:`.rules`: the disclosure threshold and the other rules, in one place.
- :mod:`.declare`: tables say which of their numbers are counts of persons.
- :mod:`.amounts`: tables of amounts with the dominance rules.
- :mod:`.cpr`: the one detector of CPR numbers.
- :mod:`.gate`: tables, figures and texts made safe, or refused.
- :mod:`.log`: the output log for the person who checks outputs.
- :mod:`.files`: writes that cannot leave half a file.
- :mod:`.export`: one call to write anything through the gate and log it.
"""

from .amounts import amount_table, dominated
from .declare import (
    SOURCES,
    declaration,
    declare_resting_on,
    declare_source,
    declare_table,
    person_level,
)
from .export import export
from .files import atomic_path, check_folder, write_atomic
from .gate import GateRecord, declare_figure, gate_figure, gate_table, gate_text
from .log import OutputLog
from .rules import PRESETS, OutputRules, current_rules, output_rules, set_output_rules

__all__ = [
    "PRESETS",
    "SOURCES",
    "GateRecord",
    "OutputLog",
    "OutputRules",
    "amount_table",
    "atomic_path",
    "check_folder",
    "current_rules",
    "declaration",
    "declare_figure",
    "declare_resting_on",
    "declare_source",
    "declare_table",
    "dominated",
    "export",
    "gate_figure",
    "gate_table",
    "gate_text",
    "output_rules",
    "person_level",
    "set_output_rules",
    "write_atomic",
]
