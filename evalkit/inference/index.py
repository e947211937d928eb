"""Summary index outcomes: one test for a family of related outcomes.

Instead of adjusting many p-values, related outcomes (weeks in work, hours, earnings,
leaving benefits) can be combined into one index whose effect is estimated once:

- ``method="kling"``: the equally weighted average of z-scores (Kling, Liebman & Katz
  2007, *Econometrica* 75:83, sec. II.B);
- ``method="anderson"``: the inverse-covariance weighted average of z-scores (Anderson
  2008, *JASA* 103:1481, sec. 3.1), which gives less weight to outcomes that mostly
  repeat each other's information.

z-scores use the control group's mean and standard deviation, so the effect on the
index is in control-group standard deviations.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validation import (
    as_column_list,
    check_alpha,
    check_choice,
    numeric_column,
    select_columns,
    treatment_indicator,
)
from ..effects import difference_in_means
from ..errors import ArgumentError, DesignError
from ..output.declare import declare_table
from ..results import EffectResult, InferentialResult

__all__ = ["IndexResult", "index_outcome"]


@dataclass(frozen=True, eq=False)
class IndexResult(InferentialResult):
    """A summary index of several outcomes and the treatment effect on it.

    Attributes
    ----------
    index : the index of every row used (a Series aligned with the data's index).
    weights : the weight of every outcome's z-score (they sum to 1).
    control_mean, control_sd : the control group's mean and SD of every outcome.
    effect : :func:`evalkit.difference_in_means` of the index (with the blocks and
        clusters given), an :class:`~evalkit.EffectResult`.
    method : ``"anderson"`` or ``"kling"``.
    reversed : outcomes whose sign was flipped (higher is worse).
    estimate, std_error, conf_int, p_value : those of ``effect``.

    The views are disclosure-controlled on the arm sizes
    (:class:`evalkit.results.SummaryDisplay`): with an arm of fewer than 5 persons the
    weights and the effect are shown as ``"x"``. The attributes are exact.
    """

    index: pd.Series
    weights: pd.Series
    control_mean: pd.Series
    control_sd: pd.Series
    effect: EffectResult
    method: str
    reversed: tuple[str, ...]

    @property
    def estimate(self) -> float:
        """The effect on the index (``effect.estimate``)."""
        return self.effect.estimate

    @property
    def std_error(self) -> float:
        """Its standard error."""
        return self.effect.std_error

    @property
    def conf_int(self) -> tuple[float, float]:
        """Its interval."""
        return self.effect.conf_int

    @property
    def p_value(self) -> float:
        """Its p-value."""
        return self.effect.p_value

    def _rows(self) -> list[dict]:
        """The effect's tidy row (with the arm sizes)."""
        return self.effect.to_frame().to_dict("records")

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The arm sizes are counts; the estimate, its standard error, statistic,
        p-value and interval rest on them."""
        counts = ["n_treated", "n_control"]
        dependent = ["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
        return declare_table(frame, counts=counts, dependent=dependent)

    def summary(self) -> str:
        name = {
            "anderson": "Anderson (2008) inverse-covariance weighted",
            "kling": "Kling, Liebman & Katz (2007) equally weighted",
        }[self.method]
        weights = ", ".join(f"{k} {v:.3g}" for k, v in self.weights.items())
        flipped = f"; reversed: {', '.join(self.reversed)}" if self.reversed else ""
        return (
            f"Summary index: {name} z-scores (control mean and SD)\n"
            f"Weights: {weights}{flipped}\n{self.effect.summary()}"
        )

    def _view_counts(self) -> dict:
        """The arm sizes, for the disclosure control of the views."""
        return {"treated": self.effect.n_treated, "control": self.effect.n_control}

    def _html(self) -> str:
        control = self._view_control()
        head = str(self).split("\n")[:2]
        lines = "<br>".join(html.escape(line) for line in [*head, *control.note()])
        return f"<div><p>{lines}</p>{self.effect._repr_html_()}</div>"


def index_outcome(
    data: pd.DataFrame,
    outcomes: Sequence[str],
    treatment: str,
    method: str = "anderson",
    reverse: str | Sequence[str] | None = None,
    blocks: str | None = None,
    clusters: str | None = None,
    alpha: float = 0.05,
    missing: str = "error",
) -> IndexResult:
    """A summary index of several outcomes, with the effect on it and its standard error.

    Every outcome ``k`` is standardized by the control group:
    ``z_ik = s_k (y_ik - mean_C(y_k)) / sd_C(y_k)``, with ``s_k = -1`` for the outcomes in
    ``reverse`` (where higher is worse) and ``+1`` otherwise. Then

    - ``"kling"``: ``index_i = (1/K) sum_k z_ik`` (Kling, Liebman & Katz 2007);
    - ``"anderson"``: ``index_i = (1' S^-1 1)^-1 (1' S^-1 z_i)`` with ``S`` the covariance
      matrix of the z-scores over the whole sample (Anderson 2008, eq. (4)): outcome
      ``k`` has weight ``w_k = (S^-1 1)_k / (1' S^-1 1)``. Highly correlated outcomes
      share weight; a weight can be negative when outcomes are nearly collinear.

    The effect is :func:`evalkit.difference_in_means` of the index (with ``blocks`` and
    ``clusters`` as given): an effect of 0.1 is a tenth of a control-group standard
    deviation on the average outcome of the family. Rows with a missing outcome are an
    error unless ``missing="drop"`` (listwise).

    Example
    -------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"t": [1, 1, 1, 0, 0, 0], "a": [3, 4, 5, 1, 2, 3],
    ...                   "b": [2, 2, 3, 1, 2, 1]})
    >>> r = index_outcome(d, ["a", "b"], "t", method="kling")
    >>> r.weights.tolist(), round(r.effect.estimate, 4)
    ([0.5, 0.5], 1.866)
    """
    check_choice(method, "method", ("anderson", "kling"))
    alpha = check_alpha(alpha)
    names = as_column_list(outcomes, "outcomes")
    if len(names) < 2:
        raise ArgumentError("an index needs at least two outcomes.")
    flipped = as_column_list(reverse, "reverse")
    unknown = [name for name in flipped if name not in names]
    if unknown:
        raise ArgumentError(f"reverse names columns that are not outcomes: {unknown}.")
    if not isinstance(treatment, str):
        raise ArgumentError(f"treatment must be a column name (a string); got {treatment!r}.")
    roles = {
        "outcomes": names,
        "treatment": [treatment],
        "blocks": [blocks] if blocks else [],
        "clusters": [clusters] if clusters else [],
    }
    frame = select_columns(data, roles, missing=missing)
    treated = treatment_indicator(frame[treatment], treatment)
    Y = np.column_stack([numeric_column(frame[name], name) for name in names])
    control = Y[~treated]
    if len(control) < 2:
        raise DesignError("the control group needs at least two units for its SD.")
    mean, sd = control.mean(axis=0), control.std(axis=0, ddof=1)
    flat = [name for name, s in zip(names, sd, strict=True) if not s > 0]
    if flat:
        raise DesignError(
            f"outcomes {flat} do not vary in the control group, so they have no z-score; "
            "leave them out of the index."
        )
    sign = np.array([-1.0 if name in flipped else 1.0 for name in names])
    Z = sign * (Y - mean) / sd
    if method == "kling":
        weights = np.full(len(names), 1.0 / len(names))
    else:
        cov = np.cov(Z, rowvar=False)
        ones = np.ones(len(names))
        try:
            inv_one = np.linalg.solve(cov, ones)
        except np.linalg.LinAlgError:
            inv_one = None
        if inv_one is None or not np.isfinite(inv_one).all() or np.linalg.cond(cov) > 1e12:
            raise DesignError(
                f"the outcomes {names} are (nearly) collinear, so their covariance matrix "
                "cannot be inverted; drop an outcome that repeats the others, or use "
                "method='kling'."
            )
        weights = inv_one / inv_one.sum()
    index = Z @ weights
    column = "summary_index"
    frame_index = pd.DataFrame({column: index, treatment: treated.astype(int)}, index=frame.index)
    if blocks:
        frame_index[blocks] = frame[blocks].to_numpy()
    if clusters:
        frame_index[clusters] = frame[clusters].to_numpy()
    effect = difference_in_means(
        frame_index, column, treatment, blocks=blocks, clusters=clusters, alpha=alpha
    )
    return IndexResult(
        index=pd.Series(index, index=frame.index, name=column),
        weights=pd.Series(weights, index=names, name="weight"),
        control_mean=pd.Series(mean, index=names, name="control_mean"),
        control_sd=pd.Series(sd, index=names, name="control_sd"),
        effect=effect,
        method=method,
        reversed=tuple(flipped),
    )
