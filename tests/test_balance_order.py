"""balance_table does not depend on the order of the data's rows (hypothesis)."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.report.tables import balance_table


@st.composite
def trial_and_order(draw):
    n = draw(st.integers(8, 40))
    t = np.array([1, 0, 1, 0] + draw(st.lists(st.integers(0, 1), min_size=n - 4, max_size=n - 4)))
    data = pd.DataFrame(
        {
            "t": t,
            "age": [18, 30] + draw(st.lists(st.integers(18, 30), min_size=n - 2, max_size=n - 2)),
            "hours": draw(
                st.lists(st.floats(0, 40, allow_nan=False, width=32), min_size=n, max_size=n)
            ),
            "edu": draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n)),
            "woman": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        }
    )
    return data, draw(st.permutations(range(n)))


@settings(max_examples=60, deadline=None)
@given(trial_and_order())
def test_shuffling_the_rows_leaves_the_table_unchanged(case):
    data, order = case
    shuffled = data.iloc[list(order)]
    covariates = ["age", "hours", "edu", "woman"]
    for test in ("randomization", "F"):
        a = balance_table(data, "t", covariates, test=test, n_draws=99, seed=11)
        b = balance_table(shuffled, "t", covariates, test=test, n_draws=99, seed=11)
        if test == "randomization":  # the same draws on the same canonical rows
            assert a.omnibus.p_value == b.omnibus.p_value
            assert a.omnibus.statistic == b.omnibus.statistic
        else:
            np.testing.assert_allclose(a.omnibus.statistic, b.omnibus.statistic, rtol=1e-9)
            np.testing.assert_allclose(a.omnibus.p_value, b.omnibus.p_value, rtol=1e-9)
        # means and SDs: the same numbers up to the order of summation
        pd.testing.assert_frame_equal(a.frame, b.frame, check_exact=False, rtol=1e-12)


def test_the_p_value_of_one_shuffle_was_different_before():
    # a fixed case: the old code permuted the rows in the data's order, so this shuffle
    # changed p (0.577 vs 0.542 with these draws); now both are the same
    rng = np.random.default_rng(5)
    n = 60
    data = pd.DataFrame(
        {"t": np.repeat([0, 1], n // 2), "age": rng.integers(18, 60, n), "x": rng.normal(size=n)}
    )
    shuffled = data.sample(frac=1.0, random_state=3)
    p = [
        balance_table(
            d, "t", ["age", "x"], test="randomization", n_draws=200, seed=2
        ).omnibus.p_value
        for d in (data, shuffled)
    ]
    assert p[0] == p[1]
