"""The What Works Clearinghouse attrition boundaries (cautious and optimistic).

For each overall attrition rate from 0 to 65 percent, the largest differential attrition
(percentage points) with which a randomized trial still has *low* attrition, under the
*cautious* assumption (the intervention may affect who is lost; used when it plausibly
does) and the *optimistic* one (it is unlikely to).

Source: What Works Clearinghouse, *Standards Handbook, Version 4.1* (U.S. Department of
Education, 2020), Table II.1 ("Highest differential attrition rate for a sample to
maintain low attrition, by overall attrition rate, under 'optimistic' and 'cautious'
assumptions"); the Procedures and Standards Handbook 5.0 (2022) keeps the boundaries.
The numbers below are transcribed as the CRAN package baselinr 0.6.0 (Liang 2026,
``attrition_boundary()``) carries them; they were not compared cell by cell with the
handbook's PDF in this project. Under the cautious boundary an overall attrition of 58
percent or more is high attrition whatever the differential; the optimistic boundary
ends at 65 percent. Values are stored here as proportions (5.7 percentage points is
0.057).

Example
-------
>>> WWC_ATTRITION_BOUNDARIES["cautious"].iloc[10].tolist()  # 10 % overall: 6.3 points
[0.1, 0.063]
>>> len(WWC_ATTRITION_BOUNDARIES["cautious"]), len(WWC_ATTRITION_BOUNDARIES["optimistic"])
(58, 66)
"""

from __future__ import annotations

import pandas as pd

# Percentage points, for overall attrition 0, 1, 2, ... percent (Handbook 4.1, Table II.1).
_CAUTIOUS = (
    5.7, 5.8, 5.9, 5.9, 6.0, 6.1, 6.2, 6.3, 6.3, 6.3, 6.3, 6.2, 6.2, 6.1, 6.0,
    5.9, 5.9, 5.8, 5.7, 5.5, 5.4, 5.3, 5.2, 5.1, 4.9, 4.8, 4.7, 4.5, 4.4, 4.3,
    4.1, 4.0, 3.8, 3.6, 3.5, 3.3, 3.2, 3.1, 2.9, 2.8, 2.6, 2.5, 2.3, 2.1, 2.0,
    1.8, 1.6, 1.5, 1.3, 1.2, 1.0, 0.9, 0.7, 0.6, 0.4, 0.3, 0.2, 0.0,
)  # fmt: skip
_OPTIMISTIC = (
    10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.7, 10.8, 10.9, 10.9, 10.9, 10.9,
    10.9, 10.8, 10.8, 10.7, 10.6, 10.5, 10.3, 10.2, 10.0, 9.9, 9.7, 9.5, 9.4,
    9.2, 9.0, 8.8, 8.6, 8.4, 8.2, 8.0, 7.8, 7.6, 7.4, 7.2, 7.0, 6.7, 6.5, 6.3,
    6.0, 5.8, 5.6, 5.3, 5.1, 4.9, 4.6, 4.4, 4.2, 3.9, 3.7, 3.5, 3.2, 3.0, 2.8,
    2.6, 2.3, 2.1, 1.9, 1.6, 1.4, 1.1, 0.9, 0.7, 0.5, 0.3,
)  # fmt: skip


def _table(points: tuple[float, ...]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "overall": [round(i / 100.0, 2) for i in range(len(points))],
            "differential": [round(p / 100.0, 4) for p in points],
        }
    )


#: name -> DataFrame of (overall, differential) as proportions; what ``attrition(...,
#: boundaries="wwc")`` applies.
WWC_ATTRITION_BOUNDARIES: dict[str, pd.DataFrame] = {
    "cautious": _table(_CAUTIOUS),
    "optimistic": _table(_OPTIMISTIC),
}
