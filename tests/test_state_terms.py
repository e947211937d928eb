"""Grouped state names (StatusPanel.group_states) are shown in the reader's language."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from evalkit.panel import StatusPanel  # noqa: E402
from evalkit.report import state_occupation_plot  # noqa: E402
from evalkit.survival import panel_transitions, state_occupation  # noqa: E402


def grouped_fit():
    """Synthetic weekly panel: 12 persons between job, benefit and sickness, grouped."""
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 4, (12, 6))
    panel = StatusPanel(np.arange(12), codes, ("job", "educ", "benefit", "sick"), aligned=True)
    grouped = panel.group_states({"work": ["job"], "benefit": ["benefit"]})
    assert grouped.states == ("work", "benefit", "other")
    return state_occupation(panel_transitions(grouped))


@pytest.mark.parametrize(
    "lang, expected",
    [("en", ["work", "Benefit", "other"]), ("da", ["arbejde", "Ydelse", "andet"])],
)
def test_grouped_state_names_in_the_legend(lang, expected):
    fig = state_occupation_plot(grouped_fit(), lang=lang, disclosure=None)
    shown = [t.get_text() for t in fig.axes[-1].get_legend().get_texts()]
    assert sorted(shown) == sorted(expected)


def test_other_tables_keep_their_values():
    from evalkit.report.labels import term

    assert term("work", "da") == "arbejde" and term("other", "da") == "andet"
    assert term("work or study", "da") == "work or study"  # not in the catalogue
    assert term("Benefit", "da") == "Benefit"  # keys are exact
