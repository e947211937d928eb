"""The synthetic Flere skal med persons aggregate to the Herning series, month by month."""

import pytest

from evalkit.benchmark import load_reference
from evalkit.datasets.flere_skal_med import simulate_flere_skal_med_persons


@pytest.mark.parametrize("seed", [1, 2017])
def test_group_one_aggregates_equal_the_series(seed):
    persons, statuses = simulate_flere_skal_med_persons(seed)
    assert len(persons) == 255
    assert persons["group"].value_counts().to_dict() == {
        "group 1": 140,
        "group 2": 87,
        "group 3": 28,
    }
    monthly = (
        statuses.query("group == 'group 1'")
        .groupby("month")
        .agg(n=("id", "size"), successes=("in_company_activity", "sum"))
    )
    series = load_reference("flere_skal_med_herning").set_index("period")
    assert monthly.loc[series.index, "n"].tolist() == series["n"].tolist()
    assert monthly.loc[series.index, "successes"].tolist() == series["successes"].tolist()
    share = monthly["successes"] / monthly["n"]
    assert (share.loc["2018-09":"2019-08"] >= 0.40).all()
    assert (share.loc[:"2018-08"] < 0.40).all()


def test_activity_persists_and_ids_say_synthetic():
    persons, statuses = simulate_flere_skal_med_persons()
    assert persons["id"].str.startswith("FSMSYN").all()
    g1 = statuses.query("group == 'group 1'").pivot(
        index="id", columns="month", values="in_company_activity"
    )
    stays = (g1.shift(-1, axis=1) & g1).sum().sum() / g1.sum().sum()
    assert stays > 0.6  # the same persons tend to stay in activity from month to month
