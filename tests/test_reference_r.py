"""Every estimator against R (estimatr, stats) on public data sets.

The values come from tests/reference/estimators.R (run by make_reference.sh);
each case names the evalkit function, data set and arguments that must reproduce
R's rows to 1e-6 relative.
"""

import json
import math
import warnings
from pathlib import Path

import pytest
from reference_data import reference_frames

import evalkit

REFERENCE = json.loads((Path(__file__).parent / "reference" / "estimators.json").read_text())
CASES = REFERENCE["cases"]
COLUMNS = ["estimate", "std_error", "p_value", "conf_low", "conf_high", "df"]


@pytest.fixture(scope="module")
def frames():
    return reference_frames()


def test_reference_covers_every_estimator():
    covered = {case["function"] for case in CASES}
    assert covered == {
        "difference_in_means",
        "lin_estimator",
        "ancova",
        "risk_difference",
        "risk_ratio",
        "odds_ratio",
        "fisher_exact",
    }


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_r(case, frames):
    data = frames[case["data"]]
    with warnings.catch_warnings():
        # Few-cluster and similar warnings are tested elsewhere; here only numbers count.
        warnings.simplefilter("ignore", evalkit.EvalkitWarning)
        result = getattr(evalkit, case["function"])(data, **case["args"])
    ours = result.to_frame().set_index("term")
    for expected in case["terms"]:
        row = ours.loc[expected["term"]]
        for column in COLUMNS:
            want = expected[column]
            got = row[column]
            if want is None:
                assert got is None or (isinstance(got, float) and math.isnan(got)), column
                continue
            assert got == pytest.approx(want, rel=1e-6, abs=1e-12), (
                f"{case['name']} {expected['term']} {column}: evalkit {got!r}, R {want!r}"
            )
    assert set(ours.index) == {row["term"] for row in case["terms"]}
