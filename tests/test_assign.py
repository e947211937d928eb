"""Random assignment: designs, exact reproduction from the audit record, bad input."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.design import AssignmentAudit, ReproducibilityWarning, assign, reproduce
from evalkit.errors import ArgumentError, DesignError, MissingValueError


@pytest.fixture(scope="module")
def people():
    rng = np.random.default_rng(1)
    n = 350
    return pd.DataFrame(
        {
            "cpr_free_id": [f"P{i:04d}" for i in range(n)],
            "jobcentre": rng.choice(["Aalborg Nord", "Aalborg Syd", "Nørresundby"], n),
            "team": rng.integers(0, 40, n),
            "age": rng.integers(18, 60, n),
            "benefit": rng.choice(["kontanthjælp", "integrationsydelse"], n, p=[0.85, 0.15]),
        }
    )


def test_complete_randomization_treats_exactly_the_requested_number(people):
    a = assign(people, n_treated=178, seed=1, ids="cpr_free_id")
    assert a.treatment.sum() == 178 and len(a.treatment) == 350
    assert a.treatment.index.equals(people.index) and a.treatment.name == "treated"
    assert a.audit.design == "complete" and a.audit.n_treated == 178 and a.audit.prob is None
    b = assign(people, prob=0.5, seed=1, ids="cpr_free_id")
    assert b.treatment.sum() == 175


def test_odd_sizes_are_rounded_at_random_keeping_the_expected_share():
    data = pd.DataFrame(index=range(5))
    totals = [assign(data, prob=0.5, seed=s).treatment.sum() for s in range(400)]
    assert set(totals) == {2, 3}
    assert abs(np.mean(totals) - 2.5) < 4 * 0.5 / math.sqrt(400)


def test_every_assignment_is_equally_likely():
    data = pd.DataFrame(index=list("abcd"))
    draws = [tuple(assign(data, n_treated=2, seed=s).treatment) for s in range(1200)]
    counts = pd.Series(draws).value_counts()
    assert len(counts) == 6
    assert stats.chisquare(counts.to_numpy()).pvalue > 0.001


def test_blocked_randomization_balances_every_block(people):
    a = assign(people, blocks="jobcentre", seed=7, ids="cpr_free_id")
    sizes = people.groupby("jobcentre").size()
    treated = a.treatment.groupby(people["jobcentre"]).sum()
    for block, size in sizes.items():
        assert treated[block] in (size // 2, (size + 1) // 2)
        counts = a.audit.counts[block]
        assert counts["treated_persons"] == treated[block]
        assert counts["treated_persons"] + counts["control_persons"] == size
    fixed = assign(people, blocks="jobcentre", n_treated={k: 50 for k in sizes.index}, seed=7)
    assert (fixed.treatment.groupby(people["jobcentre"]).sum() == 50).all()
    assert fixed.audit.n_treated == {k: 50 for k in sizes.index}


def test_cluster_randomization_assigns_whole_clusters(people):
    a = assign(people, clusters="team", n_treated=20, seed=3, ids="cpr_free_id")
    per_team = a.treatment.groupby(people["team"]).agg(["min", "max"])
    assert (per_team["min"] == per_team["max"]).all()
    assert per_team["min"].sum() == 20 and a.audit.n_units == 40
    nested = people.assign(team=people["jobcentre"] + "-" + (people["team"] % 6).astype(str))
    b = assign(nested, blocks="jobcentre", clusters="team", seed=3, ids="cpr_free_id")
    assert b.audit.design == "blocked and clustered"
    per_team = b.treatment.groupby(nested["team"]).agg(["min", "max"])
    assert (per_team["min"] == per_team["max"]).all()
    for block in nested["jobcentre"].unique():
        assert b.audit.counts[block]["treated_units"] == 3


def test_reproduce_gives_the_same_assignment_in_any_row_order(people):
    a = assign(people, blocks="jobcentre", seed=99, ids="cpr_free_id")
    shuffled = people.sample(frac=1.0, random_state=5)
    again = reproduce(a.audit, shuffled)
    pd.testing.assert_series_equal(again.treatment.sort_index(), a.treatment)
    from_json = reproduce(a.audit.to_json(), people)
    pd.testing.assert_series_equal(from_json.treatment, a.treatment)
    from_dict = reproduce(json.loads(a.audit.to_json()), people)
    pd.testing.assert_series_equal(from_dict.treatment, a.treatment)
    assert AssignmentAudit.from_json(a.audit.to_json()) == a.audit


def test_seed_none_is_drawn_recorded_and_reproduces(people):
    a = assign(people, seed=None, ids="cpr_free_id")
    assert isinstance(a.audit.seed, int)
    pd.testing.assert_series_equal(reproduce(a.audit, people).treatment, a.treatment)


def test_audit_records_versions_design_and_a_hash_of_the_ids(people):
    import evalkit

    a = assign(people, blocks="jobcentre", seed=5, ids="cpr_free_id")
    audit = a.audit
    assert audit.evalkit_version == evalkit.__version__
    assert audit.numpy_version == np.__version__
    assert len(audit.id_hash) == 64 and audit.created.endswith("+00:00")
    assert audit.blocks == "jobcentre" and audit.ids == "cpr_free_id" and audit.seed == 5
    renamed = people.assign(cpr_free_id=people["cpr_free_id"].str.lower())
    assert assign(renamed, blocks="jobcentre", seed=5, ids="cpr_free_id").audit.id_hash != (
        audit.id_hash
    )


def test_reproduce_refuses_other_persons(people):
    a = assign(people, seed=5, ids="cpr_free_id")
    with pytest.raises(DesignError, match="do not match the audit"):
        reproduce(a.audit, people.iloc[1:])
    moved = people.assign(jobcentre=people["jobcentre"].iloc[::-1].to_numpy())
    b = assign(people, blocks="jobcentre", seed=5, ids="cpr_free_id")
    with pytest.raises(DesignError, match="do not match the audit"):
        reproduce(b.audit, moved)


def test_reproduce_warns_about_other_versions(people):
    a = assign(people, seed=5, ids="cpr_free_id")
    old = AssignmentAudit.from_dict({**a.audit.to_dict(), "numpy_version": "1.26.4"})
    with pytest.warns(ReproducibilityWarning, match="NumPy 1.26.4"):
        again = reproduce(old, people)
    pd.testing.assert_series_equal(again.treatment, a.treatment)


def test_balance_check_and_output(people):
    a = assign(people, blocks="jobcentre", seed=2, ids="cpr_free_id", covariates=["age", "benefit"])
    frame = a.balance.frame
    assert set(frame["variable"]) == {"age", "benefit"}
    assert frame["smd"].abs().max() < 0.3
    assert "Random assignment (blocked, prob 0.5); seed 2" in a.summary()
    assert set(a.to_frame().columns) == {
        "block",
        "treated_persons",
        "control_persons",
        "treated_units",
        "control_units",
    }
    assert "<table" in a._repr_html_()


def test_inputs_are_not_modified(people):
    before = people.copy()
    a = assign(people, blocks="jobcentre", seed=2, ids="cpr_free_id", covariates="age")
    with_column = a.apply(people)
    pd.testing.assert_frame_equal(people, before)
    assert "treated" in with_column and "treated" not in people


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"prob": 1.0}, ArgumentError, "prob must lie strictly between 0 and 1"),
        ({"prob": 0}, ArgumentError, "prob must lie strictly between 0 and 1"),
        ({"n_treated": 350}, ArgumentError, "between 1 and 349"),
        ({"n_treated": 2.5}, ArgumentError, "whole number"),
        ({"blocks": "jobcentre", "n_treated": 100}, ArgumentError, "as a dict"),
        ({"blocks": "jobcentre", "n_treated": {"Aalborg Nord": 3}}, ArgumentError, "every block"),
        ({"seed": "abc"}, ArgumentError, "seed must be"),
        ({"ids": "age"}, DesignError, "not unique"),
        ({"blocks": "jobcentre", "clusters": "team"}, DesignError, "span several blocks"),
    ],
)
def test_bad_input_is_named(people, kwargs, error, match):
    with pytest.raises(error, match=match):
        assign(people, **{"ids": "cpr_free_id", "seed": 1, **kwargs})


def test_a_block_with_a_single_unit_is_an_error():
    data = pd.DataFrame({"b": ["x", "x", "y", "z", "z"]})
    with pytest.raises(DesignError, match="block 'y' of 'b' has a single unit"):
        assign(data, blocks="b", seed=1)
    data = pd.DataFrame({"b": ["x", "x", "y", "y", "y"]})
    with pytest.raises(DesignError, match="could get no treated or no control"):
        assign(data, blocks="b", prob=0.2, seed=1)


def test_missing_block_labels_are_an_error():
    data = pd.DataFrame({"b": ["x", None, "y", "y"]})
    with pytest.raises(MissingValueError, match="missing values"):
        assign(data, blocks="b", seed=1)
