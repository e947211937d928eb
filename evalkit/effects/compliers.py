"""Who are the compliers? Covariate profiles of compliers, never-takers and always-takers.

The complier average causal effect (:func:`evalkit.cace`) is the effect on the persons
who take the programme up because they are offered it. Who they are cannot be read off
the data person by person (a treated person who takes up may be a complier or an
always-taker), but their covariate means can be estimated: Abadie's (2003) kappa weights

    kappa = 1 - D (1 - Z) / (1 - p) - (1 - D) Z / p

(``Z`` the random offer, ``D`` take-up, ``p`` the share offered) have expectation, given
the covariates, equal to the probability of being a complier, so that under
monotonicity (no defiers)

    E[X | complier] = E[kappa X] / E[kappa],   E[kappa] = pi_c,

the complier share. Never-takers are the offered persons who do not take up
(``kappa_n = (1 - D) Z / p``), always-takers the controls who take up
(``kappa_a = D (1 - Z) / (1 - p)``). With the sample share offered ``p = n1 / N`` the kappa
mean of the compliers equals the subgroup formula of Marbach & Hangartner (2020)

    mean_c = (mean - pi_a mean_a - pi_n mean_n) / pi_c,
    pi_n = P(D=0 | Z=1),  pi_a = P(D=1 | Z=0),  pi_c = 1 - pi_a - pi_n,

with ``mean_n`` the mean among ``Z=1, D=0`` and ``mean_a`` among ``Z=0, D=1`` (Angrist &
Pischke 2009, section 4.4.4). With blocks, ``p`` is each block's share offered.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._validation import (
    as_column_list,
    binary_column,
    check_alpha,
    group_codes,
    numeric_column,
    select_rows,
    treatment_indicator,
)
from ..errors import ArgumentError, DesignError, FragileDesignWarning
from ..output.declare import declare_table
from ..results import TableDisplay, fmt_value

#: The groups of the profile, in the order of the table.
GROUPS = ("sample", "compliers", "never_takers", "always_takers")
#: The four Z x D cells (persons), declared as counts.
CELLS = ("n_treated_takeup", "n_treated_no_takeup", "n_control_takeup", "n_control_no_takeup")
#: The label of the table row holding the group shares.
SHARE_ROW = "(share of persons)"
#: A complier share with (share / SE)^2 below this warns (a weak first stage).
WEAK_SHARE_F = 10.0


@dataclass(frozen=True, eq=False, repr=False)
class ComplierProfile(TableDisplay):
    """Covariate means of the whole sample, compliers, never-takers and (with two-sided
    non-compliance) always-takers, with their standard errors and the group shares.

    Attributes
    ----------
    treatment, takeup : the columns of the offer and of take-up.
    covariates : the covariates described.
    means, std_errors : one row per covariate, one column per group (``sample``,
        ``compliers``, ``never_takers`` and, when some control took up,
        ``always_takers``).
    shares, share_std_errors : group -> the share of persons in it (``sample`` 1).
    cells : the persons in each offer x take-up cell (:data:`CELLS`).
    one_sided : no control took up (no always-takers).
    method : how the standard errors were computed (analytic or bootstrap).
    n_boot, seed : the bootstrap (None when analytic).
    alpha : 1 - confidence level of ``conf_int``.
    """

    treatment: str
    takeup: str
    covariates: tuple
    means: pd.DataFrame
    std_errors: pd.DataFrame
    shares: dict
    share_std_errors: dict
    cells: dict
    one_sided: bool
    method: str
    alpha: float = 0.05
    blocks: str | None = None
    n_boot: int | None = None
    seed: int | None = None

    @property
    def groups(self) -> list[str]:
        """The groups described (``always_takers`` only with two-sided non-compliance)."""
        return list(self.means.columns)

    @property
    def complier_share(self) -> float:
        """The share of compliers, ``pi_c = E[kappa]`` (the first stage)."""
        return float(self.shares["compliers"])

    def conf_int(self, group: str = "compliers") -> pd.DataFrame:
        """Normal ``1 - alpha`` intervals of ``group``'s covariate means (columns
        ``conf_low``, ``conf_high``, one row per covariate)."""
        if group not in self.means.columns:
            raise ArgumentError(f"group must be one of {self.groups}; got {group!r}.")
        z = stats.norm.isf(self.alpha / 2)
        m, s = self.means[group], self.std_errors[group]
        return pd.DataFrame({"conf_low": m - z * s, "conf_high": m + z * s})

    def to_frame(self) -> pd.DataFrame:
        """One row for the group shares (``covariate`` = ``"(share of persons)"``) and one
        per covariate: the mean and standard error of each group and the persons in the
        four offer x take-up cells. The cells are declared as counts of persons; the
        compliers' and the sample's numbers rest on all four cells (from the others and
        the sample mean a group's mean could be computed back), the never-takers' on the
        treated cells and the always-takers' on the control cells."""
        rows = [
            {
                "covariate": SHARE_ROW,
                **{
                    column: value
                    for g in self.groups
                    for column, value in (
                        (g, self.shares[g]),
                        (f"{g}_se", self.share_std_errors[g]),
                    )
                },
            }
        ]
        for name in self.means.index:
            row = {"covariate": name}
            for g in self.groups:
                row[g] = float(self.means.loc[name, g])
                row[f"{g}_se"] = float(self.std_errors.loc[name, g])
            rows.append(row)
        frame = pd.DataFrame.from_records(rows)
        for cell in CELLS:
            frame[cell] = int(self.cells[cell])
        treated = ["n_treated_takeup", "n_treated_no_takeup"]
        control = ["n_control_takeup", "n_control_no_takeup"]
        rests = {"sample": list(CELLS), "compliers": list(CELLS), "never_takers": treated,
                 "always_takers": control}  # fmt: skip
        dependent = {}
        for g in self.groups:
            dependent[g] = rests[g]
            dependent[f"{g}_se"] = rests[g]
        return declare_table(frame, counts=list(CELLS), dependent=dependent)

    def _view_counts(self) -> dict:
        return {cell: self.cells[cell] for cell in CELLS}

    def _header(self) -> list[str]:
        kind = "one-sided" if self.one_sided else "two-sided"
        lines = [
            f"Complier profile (Abadie kappa weights): offer {self.treatment}, take-up "
            f"{self.takeup}, {kind} non-compliance",
            f"persons: offered and took up {self.cells['n_treated_takeup']}, offered and did "
            f"not {self.cells['n_treated_no_takeup']}, control and took up "
            f"{self.cells['n_control_takeup']}, control and did not "
            f"{self.cells['n_control_no_takeup']}",
            f"complier share {fmt_value(self.shares['compliers'])} (SE "
            f"{fmt_value(self.share_std_errors['compliers'])}); {self.method}",
        ]
        return lines

    def _after_lines(self) -> list[str]:
        if self.one_sided:
            return ["No control took up: there are no always-takers."]
        return []

    def summary(self) -> str:
        """Header, then the means (standard errors in brackets) by group."""
        table = pd.DataFrame(index=[SHARE_ROW, *self.means.index])
        for g in self.groups:
            values = [self.shares[g], *self.means[g]]
            ses = [self.share_std_errors[g], *self.std_errors[g]]
            table[g] = [
                f"{fmt_value(v)} ({fmt_value(s)})" for v, s in zip(values, ses, strict=True)
            ]
        return "\n".join([*self._header(), table.to_string(), *self._after_lines()])


def _strata_variance(values: np.ndarray, strata: np.ndarray) -> float:
    """``sum_s n_s var_s(values)`` (sample variances, ddof 1) over the strata."""
    total = 0.0
    for s in np.unique(strata):
        v = values[strata == s]
        if len(v) > 1:
            total += len(v) * float(np.var(v, ddof=1))
    return total


def _kappas(z: np.ndarray, d: np.ndarray, p: np.ndarray, two_sided: bool) -> dict:
    kappas = {
        "sample": np.ones_like(z),
        "compliers": 1.0 - d * (1.0 - z) / (1.0 - p) - (1.0 - d) * z / p,
        "never_takers": (1.0 - d) * z / p,
    }
    if two_sided:
        kappas["always_takers"] = d * (1.0 - z) / (1.0 - p)
    return kappas


def _profile(z, d, p, x, strata, two_sided, with_se=True):
    """Means (covariates x groups), their SEs, shares and share SEs."""
    n = len(z)
    kappas = _kappas(z, d, p, two_sided)
    means, ses, shares, share_ses = {}, {}, {}, {}
    for g, k in kappas.items():
        total = k.sum()
        mean = (k @ x) / total
        means[g] = mean
        shares[g] = total / n
        if with_se:
            ses[g] = np.array(
                [math.sqrt(_strata_variance(k * (x[:, j] - mean[j]), strata)) / abs(total)
                 for j in range(x.shape[1])]
            )  # fmt: skip
            share_ses[g] = math.sqrt(_strata_variance(k, strata)) / n
    return means, ses, shares, share_ses


def complier_profile(
    data: pd.DataFrame,
    treatment: str,
    takeup: str,
    covariates: str | Sequence[str],
    blocks: str | None = None,
    n_boot: int | None = None,
    seed: int | None = 0,
    alpha: float = 0.05,
) -> ComplierProfile:
    """Covariate means of compliers, never-takers, always-takers and the whole sample
    (Abadie 2003 kappa weighting; Marbach & Hangartner 2020).

    With ``Z`` the offer (``treatment``), ``D`` take-up and ``p`` the share offered (each
    block's share with ``blocks``), the mean of a covariate ``X`` in a group is
    ``sum(kappa_g X) / sum(kappa_g)`` with

    - compliers: ``kappa_c = 1 - D (1 - Z) / (1 - p) - (1 - D) Z / p``;
    - never-takers: ``kappa_n = (1 - D) Z / p`` (the offered who did not take up);
    - always-takers: ``kappa_a = D (1 - Z) / (1 - p)`` (the controls who took up; only
      with two-sided non-compliance);
    - the sample: ``kappa = 1``;

    and the group's share is ``sum(kappa_g) / N`` (the complier share ``pi_c`` is the
    first stage, ``P(D=1|Z=1) - P(D=1|Z=0)``). Unblocked, the complier mean equals
    Marbach & Hangartner's ``(mean - pi_a mean_a - pi_n mean_n) / pi_c``; under one-sided
    non-compliance (no control takes up) ``pi_a = 0``. The estimates assume monotonicity
    (no defiers) and the exclusion restriction, as the CACE does (Angrist & Pischke
    2009, section 4.4.4). A complier mean may fall outside the range of ``X`` in small
    samples (the kappa weights of the controls who take up are negative).

    Standard errors treat the offer shares as fixed by the design: linearizing the ratio,
    ``SE^2 = sum_s n_s var_s(kappa_g (X - mean_g)) / (sum kappa_g)^2`` with ``s`` the
    strata of randomization (arms, or arms within blocks) and ``var_s`` the sample
    variance; for a share ``SE^2 = sum_s n_s var_s(kappa_g) / N^2``. With ``n_boot`` they
    are instead the standard deviations of ``n_boot`` bootstrap draws resampling persons
    within the strata (``seed``). A complier share whose ``(share / SE)^2`` is below 10
    warns (:class:`~evalkit.errors.FragileDesignWarning`): a weak first stage, noisy
    profiles.

    Parameters
    ----------
    data : one row per randomized person.
    treatment : 0/1 or boolean offer column (the instrument).
    takeup : 0/1 or boolean take-up column.
    covariates : numeric baseline covariates (no missing values).
    blocks : optional column of randomization blocks (each with both arms).
    n_boot : None (analytic standard errors) or the number of bootstrap draws (>= 50).
    seed : seed of the bootstrap.
    alpha : 1 - confidence level (``conf_int()``).

    Returns
    -------
    :class:`ComplierProfile`: ``means``, ``std_errors``, ``shares``, ``cells``, ``to_frame()``.

    References
    ----------
    Abadie, A. (2003). Semiparametric instrumental variable estimation of treatment
    response models. *Journal of Econometrics* 113:231-263. Angrist, J. D. & Pischke,
    J.-S. (2009). *Mostly Harmless Econometrics*, section 4.4.4. Marbach, M. &
    Hangartner, D. (2020). Profiling compliers and noncompliers for instrumental-variable
    analysis. *Political Analysis* 28:435-444.

    Example
    -------
    >>> import pandas as pd, evalkit
    >>> df = pd.DataFrame({"z": [1, 1, 1, 1, 0, 0, 0, 0] * 10,
    ...                    "d": [1, 1, 0, 1, 0, 0, 1, 0] * 10,
    ...                    "age": [30, 40, 50, 20, 35, 45, 25, 30] * 10})
    >>> prof = evalkit.complier_profile(df, "z", "d", "age")
    >>> prof.shares["compliers"], float(prof.means.loc["age", "never_takers"])  # 3/4 - 1/4, 50
    (0.5, 50.0)
    >>> float(prof.means.loc["age", "compliers"])  # (34.375 - 0.25*25 - 0.25*50) / 0.5
    31.25
    """
    alpha = check_alpha(alpha)
    for name, value in (("treatment", treatment), ("takeup", takeup)):
        if not isinstance(value, str):
            raise ArgumentError(f"{name} must be a column name (a string); got {value!r}.")
    names = as_column_list(covariates, "covariates")
    if not names:
        raise ArgumentError("covariates must name at least one column to describe.")
    if n_boot is not None and (
        not isinstance(n_boot, int) or isinstance(n_boot, bool) or n_boot < 50
    ):
        raise ArgumentError(
            f"n_boot must be None or a whole number of at least 50; got {n_boot!r}."
        )
    roles = {"treatment": [treatment], "takeup": [takeup], "covariates": names}
    if blocks is not None:
        roles["blocks"] = [blocks]
    frame, rows = select_rows(data, roles)
    treated = treatment_indicator(frame[treatment], treatment, rows)
    took = binary_column(frame[takeup], takeup, rows, role="take-up")
    x = np.column_stack([numeric_column(frame[c], c, role="covariate", rows=rows) for c in names])
    z, d = treated.astype(float), took.astype(float)

    if blocks is None:
        block = np.zeros(len(z), dtype=int)
    else:
        block = group_codes(frame[blocks])
    n_blocks = int(block.max()) + 1
    n_b = np.bincount(block, minlength=n_blocks)
    n1_b = np.bincount(block, weights=z, minlength=n_blocks)
    if np.any(n1_b == 0) or np.any(n1_b == n_b):
        bad = int(np.sum((n1_b == 0) | (n1_b == n_b)))
        raise DesignError(
            f"{bad} of {n_blocks} blocks of {blocks!r} have persons in one arm only; every "
            "block needs offered and control persons."
        )
    p = (n1_b / n_b)[block]
    strata = block * 2 + treated.astype(int)

    cells = {
        "n_treated_takeup": int(np.sum(treated & took)),
        "n_treated_no_takeup": int(np.sum(treated & ~took)),
        "n_control_takeup": int(np.sum(~treated & took)),
        "n_control_no_takeup": int(np.sum(~treated & ~took)),
    }
    two_sided = cells["n_control_takeup"] > 0
    if cells["n_treated_no_takeup"] == 0:
        raise DesignError(
            f"every offered person took up {takeup!r}: there are no never-takers to describe "
            "(full compliance in the offered arm); the sample is the complier population "
            "apart from always-takers."
        )
    means, ses, shares, share_ses = _profile(z, d, p, x, strata, two_sided)
    if not shares["compliers"] > 0:
        raise DesignError(
            f"the offer does not raise take-up of {takeup!r} (complier share "
            f"{shares['compliers']:.3g}): there are no compliers to describe."
        )
    method = "analytic SE (linearized ratio, offer shares fixed by design)"
    if n_boot is not None:
        ses, share_ses = _bootstrap(z, d, block, x, strata, two_sided, n_boot, seed)
        method = f"bootstrap SE ({n_boot} draws within strata, seed {seed})"
    if share_ses["compliers"] > 0 and (shares["compliers"] / share_ses["compliers"]) ** 2 < (
        WEAK_SHARE_F
    ):
        warnings.warn(
            f"weak first stage: the complier share is {shares['compliers']:.3g} (SE "
            f"{share_ses['compliers']:.3g}); the complier profile is imprecise.",
            FragileDesignWarning,
            stacklevel=2,
        )
    groups = list(means)
    mean_frame = pd.DataFrame(
        {g: means[g] for g in groups}, index=pd.Index(names, name="covariate")
    )
    se_frame = pd.DataFrame({g: ses[g] for g in groups}, index=pd.Index(names, name="covariate"))
    for frame_ in (mean_frame, se_frame):
        if not np.all(np.isfinite(frame_.to_numpy())):
            raise DesignError("a covariate mean or standard error is not finite.")
    return ComplierProfile(
        treatment=treatment,
        takeup=takeup,
        covariates=tuple(names),
        means=mean_frame,
        std_errors=se_frame,
        shares={g: float(v) for g, v in shares.items()},
        share_std_errors={g: float(v) for g, v in share_ses.items()},
        cells=cells,
        one_sided=not two_sided,
        method=method,
        alpha=alpha,
        blocks=blocks,
        n_boot=n_boot,
        seed=seed if n_boot is not None else None,
    )


def _bootstrap(z, d, block, x, strata, two_sided, n_boot, seed):
    """Standard deviations of bootstrap draws resampling persons within strata (arm sizes
    and block shares fixed); draws with no never-taker, or no always-taker where the data
    have some, are redrawn."""
    rng = np.random.default_rng(seed)
    members = [np.flatnonzero(strata == s) for s in np.unique(strata)]
    n_blocks = int(block.max()) + 1
    p = (np.bincount(block, weights=z, minlength=n_blocks) / np.bincount(block))[block]
    draws_means, draws_shares = [], []
    attempts = 0
    while len(draws_means) < n_boot:
        attempts += 1
        if attempts > 5 * n_boot:
            raise DesignError(
                "the bootstrap failed: too many draws had no never-takers or no always-takers "
                "(cells too small to bootstrap); use the analytic standard errors."
            )
        index = np.concatenate([rng.choice(m, size=m.size, replace=True) for m in members])
        zi, di = z[index], d[index]
        if not np.any((zi == 1) & (di == 0)) or (two_sided and not np.any((zi == 0) & (di == 1))):
            continue
        means, _, shares, _ = _profile(zi, di, p[index], x[index], strata[index], two_sided,
                                       with_se=False)  # fmt: skip
        draws_means.append(means)
        draws_shares.append(shares)
    groups = list(draws_means[0])
    ses = {g: np.std([m[g] for m in draws_means], axis=0, ddof=1) for g in groups}
    share_ses = {g: float(np.std([s[g] for s in draws_shares], ddof=1)) for g in groups}
    return ses, share_ses
