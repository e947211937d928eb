"""Restricted mean survival time: per arm and the difference between arms."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import check_alpha, treatment_indicator
from ..errors import ArgumentError, DesignError
from ..results import EffectResult, t_or_z_inference
from ._input import survival_data
from .km import _rmst, km_table, weighted_table


def rmst_difference(
    data: pd.DataFrame,
    duration: str,
    event: str,
    treatment: str,
    tau: float,
    alpha: float = 0.05,
    missing: str = "error",
    weights: str | None = None,
) -> EffectResult:
    """Difference in restricted mean survival time up to ``tau``: RMST(T=1) - RMST(T=0).

    ``RMST_a = integral_0^tau S_a(t) dt`` under each arm's Kaplan–Meier curve; its variance
    is ``sum_j A_j^2 d_j / (n_j (n_j - d_j))`` over event times ``t_j <= tau`` with ``A_j`` the
    area under the curve from ``t_j`` to ``tau`` (as R's ``survfit`` ``rmean``; Royston &
    Parmar 2013, BMC Med Res Methodol 13:152). The arms are independent, so
    ``SE = sqrt(SE_1^2 + SE_0^2)``; normal interval and two-sided p-value.

    With the duration measured as weeks *on benefit* before the exit to self-sufficiency,
    RMST is the expected number of benefit weeks in the first ``tau`` weeks: a natural
    intention-to-treat estimand. ``tau`` must not exceed the shorter arm's follow-up
    (its largest observed time), since the curve is unknown beyond it.

    With ``weights`` (a column of positive case weights, e.g. inverse probabilities of
    staying observed) each arm's curve is the case-weighted Kaplan–Meier curve and
    ``n_j``, ``d_j`` in the variance are weighted sums, as R's ``survival:::survmean``
    (``print(survfit(..., weights = w), rmean = tau)``) computes ``se(rmean)`` whatever
    the curve's own variance; the counts ``n_treated``/``n_control`` stay persons.

    Example
    -------
    >>> import pandas as pd
    >>> from evalkit.survival import rmst_difference
    >>> d = pd.DataFrame({"weeks": [2, 3, 3, 5, 8, 1, 2, 4, 4, 6],
    ...                   "exit": [1, 1, 0, 1, 0, 1, 1, 1, 1, 0],
    ...                   "arm": [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]})
    >>> round(rmst_difference(d, "weeks", "exit", "arm", tau=6).estimate, 4)
    0.9
    """
    alpha = check_alpha(alpha)
    try:
        tau = float(tau)
    except (TypeError, ValueError):
        raise ArgumentError(f"tau must be a positive number; got {tau!r}.") from None
    if not np.isfinite(tau) or tau <= 0:
        raise ArgumentError(f"tau must be a positive number; got {tau!r}.")
    surv = survival_data(data, duration, event, weights=weights, extra=[treatment], missing=missing)
    treated = treatment_indicator(surv.frame[treatment], treatment)
    values = {}
    for arm, mask in ((1, treated), (0, ~treated)):
        longest = surv.time[mask].max()
        if tau > longest:
            raise DesignError(
                f"tau = {tau:g} exceeds the follow-up of arm {arm} (largest time {longest:g}); "
                "choose tau at most the shorter arm's follow-up."
            )
        if surv.weights is None:
            part = km_table(surv.time[mask], surv.event[mask])
        else:
            part = weighted_table(surv.time[mask], surv.event[mask], surv.weights[mask])
        values[arm] = _rmst(part, tau)
    estimate = values[1][0] - values[0][0]
    se = float(np.hypot(values[1][1], values[0][1]))
    if se == 0:
        raise DesignError("the RMST difference has no variance: no events before tau.")
    statistic, p_value, low, high = t_or_z_inference(estimate, se, None, alpha)
    return EffectResult(
        estimate=float(estimate),
        std_error=se,
        conf_int=(float(low), float(high)),
        p_value=float(p_value),
        statistic=float(statistic),
        df=None,
        n_treated=int(treated.sum()),
        n_control=int((~treated).sum()),
        method=(
            ("Case-weighted d" if weights else "D")
            + f"ifference in restricted mean survival time up to tau = {tau:g} "
            f"(RMST treated {values[1][0]:.4g}, control {values[0][0]:.4g})"
        ),
        outcome=duration,
        treatment=treatment,
        alpha=alpha,
    )
