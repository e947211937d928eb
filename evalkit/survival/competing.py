r"""Competing risks: Aalen–Johansen cumulative incidence, Gray's test, Fine–Gray regression.

A spell on benefit ends in one of several destinations (job, education, fleksjob,
disability pension...) or is censored. With ``event`` coded 0 (censored) and 1..K (the
destination), this module gives

- :func:`cumulative_incidence` — the Aalen–Johansen (1978) estimate of the cumulative
  incidence :math:`F_k(t) = P(T \le t, \text{cause} = k)` of every cause, with the
  infinitesimal-jackknife (IJ) standard error of R's ``survival`` package (3.x);
- :func:`gray_test` — Gray's (1988) K-sample test of equal cumulative incidence of one
  cause, as ``cmprsk::cuminc``;
- :func:`fine_gray` — Fine & Gray's (1999) proportional subdistribution-hazards
  regression with its sandwich variance, as ``cmprsk::crr``.

The censoring code is always 0 (``cmprsk``'s ``cencode = 0`` default); every positive code
is a cause, whatever codes are used (1/2 or 100/200). When no row is 0, no spell is
censored: the smallest code is never taken for censoring. Recode another censoring code to
0 first (e.g. ``data[event].replace({9: 0})``).

Aalen–Johansen estimator
------------------------
At the distinct times :math:`t_1 < \dots < t_M` let :math:`n_j` be the number at risk
(still in the initial state), :math:`d_{kj}` the exits to cause :math:`k` and
:math:`d_j = \sum_k d_{kj}`. Then (tied times are exact: all exits at :math:`t_j` share
the risk set :math:`n_j`; nothing is jittered)

.. math::

    S(t_m) = \prod_{j \le m} (1 - d_j / n_j), \qquad
    F_k(t_m) = \sum_{j \le m} S(t_{j-1})\, d_{kj} / n_j ,

so :math:`S + \sum_k F_k = 1` at every time.

IJ variance in O(M K)
~~~~~~~~~~~~~~~~~~~~~
R's ``survfit`` (Therneau, *Multi-state models and competing risks*, vignette of the
survival package) propagates each person's influence :math:`U_i` through the
Aalen–Johansen product, :math:`U_i \leftarrow U_i H_j + a_j (e_{s_i(j)} - H_{j,0\cdot})`
with :math:`a_j = S(t_{j-1})/n_j`, and reports :math:`\operatorname{se}^2 = \sum_i U_i^2`
— :math:`O(n M K^2)` work. For the single-transition (competing-risks) model the
recursion has a closed form. Write :math:`g_j = d_j / (n_j (n_j - d_j))`,
:math:`G_m = \sum_{j \le m} g_j` (a Greenwood-type sum) and

.. math::

    A_k(m) = \sum_{j \le m} \frac{d_{kj}}{n_j}\, S(t_{j-1})
             \Big(G_{j-1} - \frac{1}{n_j}\Big).

A person still at risk after :math:`t_m` has :math:`U_{ik}(t_m) = A_k(m)` and
:math:`U_{i0}(t_m) = S(t_m) G_m`. A person who left at :math:`t_e \le t_m` has
:math:`U_{ik}(t_m) = B_{ik} + W_i F_k(t_m)` and :math:`U_{i0} = S(t_m) W_i`, where

- censored at :math:`t_e`: :math:`W_i = G_e`, :math:`B_{ik} = A_k(e) - G_e F_k(t_e)`;
- exit of cause :math:`c` at :math:`t_e`: :math:`W_i = G_{e-1} - 1/n_e`,
  :math:`B_{ik} = A_k(e) + a_e [c = k] - W_i F_k(t_e)`.

Persons leaving at the same time with the same status share :math:`(W, B)`, so with
:math:`R_m = n_{m+1}` still at risk and the running sums
:math:`C_0 = \sum_{e \le m} \sum B^2`, :math:`C_1 = \sum_{e \le m} \sum B W`,
:math:`C_2 = \sum_{e \le m} \sum W^2` (over the persons leaving at :math:`t_e`),

.. math::

    \operatorname{Var}_{IJ} F_k(t_m) = R_m A_k(m)^2 + C_0 + 2 F_k(t_m) C_1
        + F_k(t_m)^2 C_2, \qquad
    \operatorname{Var}_{IJ} S(t_m) = S(t_m)^2 (R_m G_m^2 + C_2),

a handful of cumulative sums over the distinct times: :math:`O(M K)` after
:math:`O(n)` counting. The result equals ``survfit(Surv(time, factor(event)) ~ 1)``'s
``std.err`` to rounding (checked against R 4.2 / survival 3.5-3 in the tests).

Confidence intervals use R's default for multi-state ``survfit``, ``conf.type = "log"``:
:math:`F \exp(\pm z_{1-\alpha/2}\, \mathrm{se}/F)`, the upper limit capped at 1, and no
interval (NaN) where :math:`F = 0`.

Scope
-----
Right-censored spells without delayed entry; case weights and several spells per person
(``weights=``, ``id=``) in :func:`cumulative_incidence` (row by row, through
:func:`evalkit.survival.hazard._robust_variance`). :func:`fine_gray` has no
time-varying covariates (crr's ``cov2``/``tf``).

References
----------
Aalen, O. O. & Johansen, S. (1978). An empirical transition matrix for non-homogeneous
Markov chains based on censored observations. *Scand. J. Statist.* 5, 141-150.
Gray, R. J. (1988). A class of K-sample tests for comparing the cumulative incidence of
a competing risk. *Ann. Statist.* 16, 1141-1154.
Fine, J. P. & Gray, R. J. (1999). A proportional hazards model for the subdistribution of
a competing risk. *J. Amer. Statist. Assoc.* 94, 496-509.
Therneau, T., Crowson, C. & Atkinson, E. *Multi-state models and competing risks*,
vignette of the R package survival.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .._arm import arm_first, resolve_arm
from .._validation import (
    _show,
    as_column_list,
    check_alpha,
    check_unique_column,
    covariate_matrix,
)
from ..errors import ArgumentError, DesignError, FragileDesignWarning
from ..output.declare import declare_resting_on, declare_table
from ..results import HypothesisTest, InferentialResult, LinesDisplay, TableDisplay
from ..results import fmt_p_value as _fmt_p
from ..results import fmt_value as _fmt
from ._input import SurvivalData, _argsort_counts, sorted_code_counts, survival_data  # noqa: F401

__all__ = [
    "CumulativeIncidence",
    "FineGrayResult",
    "GrayTestResult",
    "cumulative_incidence",
    "fine_gray",
    "gray_test",
]

# Integer-valued times whose range is at most this many slots are counted with one
# bincount over the slots (weekly registers: 1..520); other times are sorted.
_MAX_INTEGER_SLOTS = 1 << 22
# Exit times the Aalen-Johansen variance takes at a time: its ~20 working arrays of this
# length (128 kB each) stay in the CPU cache.
_AJ_BLOCK = 1 << 14


# --------------------------------------------------------------------------------------
# Counting exits per distinct time
# --------------------------------------------------------------------------------------


def _integer_span(time: np.ndarray, raw: np.ndarray | None = None):
    """(integer times, minimum, number of slots) when the times are integers in a compact
    range, else None. ``raw`` is the column's own integer array, when it has one."""
    if time.size == 0:
        return None
    source = raw if raw is not None else time
    lo, hi = source.min(), source.max()
    span = float(hi) - float(lo)
    if span + 1 > min(_MAX_INTEGER_SLOTS, 4 * time.size + 1024):
        return None
    if raw is None:
        if not np.array_equal(time, np.floor(time)):
            return None
        raw = time
    if 0 <= lo <= span + 1:  # count from 0: saves a pass, costs at most 2x the slots
        return raw, 0, int(hi) + 1
    return raw, int(lo), int(span) + 1


def _time_counts(
    time: np.ndarray, code: np.ndarray, n_codes: int, raw: np.ndarray | None = None, compact=None
):
    """Distinct times and ``counts[time, code]`` (codes 0..n_codes-1), tied times exact.

    Integer times in a compact range (weeks, months) are counted with one ``bincount``
    over the slots (empty slots are dropped); other times with one sort of an int64 key
    packing the time's IEEE bits (order-preserving for times >= 0) above the code.
    """
    if compact is None:
        compact = _integer_span(time, raw)
    if compact is not None:
        values, lo, slots = compact
        if values.dtype.kind in "iu" and lo == 0:
            key = np.multiply(values, n_codes, dtype=np.int64)  # a new array: one pass
        else:
            key = values.astype(np.int64)
            if lo != 0:
                key -= lo
            key *= n_codes
        key += code
        counts = np.bincount(key, minlength=slots * n_codes).reshape(slots, n_codes)
        used = counts.any(axis=1)
        grid = lo + np.flatnonzero(used).astype(float)
        return grid, counts[used].astype(float)
    return sorted_code_counts(time, code, n_codes)


_sorted_counts = sorted_code_counts  # the name the tests know


def _exit_counts(
    time: np.ndarray,
    event: np.ndarray,
    group: np.ndarray | None,
    n_groups: int,
    n_codes: int,
    raw: np.ndarray | None = None,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per group: (distinct times, counts[time, code]), code 0 = censored, 1.. = causes."""
    compact = _integer_span(time, raw)
    if group is None or n_groups == 1:
        return [_time_counts(time, event, n_codes, compact=compact)]
    if compact is not None and n_groups * compact[2] * n_codes <= 4 * time.size + (1 << 20):
        # one bincount for all groups: the code is (group, status)
        code = group.astype(np.int64) * n_codes + event
        grid, counts = _time_counts(time, code, n_groups * n_codes, compact=compact)
        counts = counts.reshape(grid.size, n_groups, n_codes)
        out = []
        for g in range(n_groups):
            used = counts[:, g, :].any(axis=1)
            out.append((grid[used], counts[used, g, :]))
        return out
    out = []
    for g in range(n_groups):
        mask = group == g
        out.append(_time_counts(time[mask], event[mask], n_codes))
    return out


# --------------------------------------------------------------------------------------
# Aalen–Johansen with the closed-form IJ variance
# --------------------------------------------------------------------------------------


def _aalen_johansen(counts: np.ndarray) -> dict[str, np.ndarray]:
    """Estimates and IJ variances at the exit times; ``counts[:, 0]`` censored, ``[:, k]``
    exits of cause k, on increasing distinct times.

    Returns ``exit`` (mask of the rows of ``counts`` with an exit) and, at those times,
    n_risk, n_exit (all causes), survival, var_survival and, cause by cause (K x M arrays),
    cif, var_cif, n_event. See the module docstring for the formulas.

    The M exit times are taken in blocks of ``_AJ_BLOCK``: every intermediate is a
    block-sized buffer that stays in the CPU cache, and each cumulative sum or product
    starts from the previous block's last value. Sums and products are formed in the same
    order as over the whole array at once, so the result does not depend on the block size
    (bit for bit); only the outputs have the length M.
    """
    # Counts are whole numbers: their sums are exact in any order. Column by column, as
    # the rows of ``counts`` are short.
    k = counts.shape[1] - 1
    cens_all = counts[:, 0]
    exits_all = np.zeros(counts.shape[0])
    for j in range(1, k + 1):
        exits_all += counts[:, j]
    exit_rows = exits_all > 0
    first = np.flatnonzero(exit_rows)
    m = first.size
    dt = exits_all[first]
    # the number at risk, in place: a reversed cumulative sum of all leaving
    at_risk = exits_all
    at_risk += cens_all
    np.cumsum(at_risk[::-1], out=at_risk[::-1])
    # A person censored between two exit times has the influence of one censored at the
    # earlier exit time (nothing changes in between); before the first exit, none at all.
    cens = np.add.reduceat(cens_all, first) if m else np.zeros(0)
    n = at_risk[first]
    # K x M whole numbers: int64 (what the table shows, no copy there), exact as floats
    d = np.empty((k, m), dtype=np.int64)
    for j in range(k):
        np.take(counts[:, j + 1], first, out=d[j])

    surv = np.empty(m)
    var_surv = np.empty(m)
    cif = np.empty((k, m))
    var = np.empty((k, m))
    size = min(m, _AJ_BLOCK)
    (inv_n, survivors, g, a, big_g, w_exit, jump, remaining, cens_g, c2) = (
        np.empty(size) for _ in range(10)
    )
    big_a, b_cens, b_exit, tmp, s0, s1 = (np.empty(size) for _ in range(6))
    # carried from block to block: S, G and C2 at the last time, and per cause F, A and
    # the running sums of s0 and s1
    last_s, last_g, last_c2 = 1.0, 0.0, 0.0
    last = np.zeros((4, k))
    for lo in range(0, m, _AJ_BLOCK):
        hi = min(lo + _AJ_BLOCK, m)
        b = hi - lo
        nb, dtb, cb = n[lo:hi], dt[lo:hi], cens[lo:hi]
        inv, left, gg, aa, bg = inv_n[:b], survivors[:b], g[:b], a[:b], big_g[:b]
        we, jp, rem, cg, cc = w_exit[:b], jump[:b], remaining[:b], cens_g[:b], c2[:b]
        np.divide(1.0, nb, out=inv)
        np.subtract(nb, dtb, out=left)
        with np.errstate(divide="ignore", invalid="ignore"):
            # g_j = d_j / (n_j (n_j - d_j)); 0 once everyone left (S = 0 from then on)
            np.multiply(dtb, inv, out=gg)
            gg /= left
            gg[left <= 0] = 0.0
        sv = surv[lo:hi]
        np.multiply(left, inv, out=sv)
        sv[0] *= last_s
        # a_j = S(t_{j-1}) / n_j
        aa[0] = last_s
        np.cumprod(sv, out=sv)
        aa[1:] = sv[:-1]
        aa *= inv
        bg[:] = gg
        if lo:
            bg[0] += last_g
        np.cumsum(bg, out=bg)
        # W of a person exiting (any cause) at this time: G_{j-1} - 1/n_j
        np.subtract(bg, gg, out=we)
        we -= inv
        np.multiply(aa, we, out=jp)
        np.subtract(left, cb, out=rem)  # R_m: still at risk after t_m
        np.multiply(cb, bg, out=cg)
        np.square(we, out=cc)
        cc *= dtb
        np.multiply(cg, bg, out=gg)  # g is not needed again
        cc += gg  # cens G^2 + d W^2
        if lo:
            cc[0] += last_c2
        np.cumsum(cc, out=cc)
        ba, bc, be, t, z0, z1 = big_a[:b], b_cens[:b], b_exit[:b], tmp[:b], s0[:b], s1[:b]
        for j in range(k):
            dk = d[j, lo:hi]
            f = cif[j, lo:hi]
            v = var[j, lo:hi]
            np.multiply(dk, aa, out=t)
            if lo:
                t[0] += last[0, j]
            np.cumsum(t, out=f)
            np.multiply(dk, jp, out=t)
            if lo:
                t[0] += last[1, j]
            np.cumsum(t, out=ba)
            np.multiply(bg, f, out=bc)
            np.subtract(ba, bc, out=bc)
            np.multiply(we, f, out=be)
            np.subtract(ba, be, out=be)  # B of an exit of another cause
            # s0 = cens B_cens^2 + (d - d_k) B_exit^2 + d_k B_own^2, B_own = B_exit + a
            np.square(bc, out=z0)
            z0 *= cb
            np.subtract(dtb, dk, out=t)
            np.multiply(t, np.square(be, out=z1), out=t)
            z0 += t
            np.add(be, aa, out=t)
            np.square(t, out=t)
            t *= dk
            z0 += t
            # s1 = cens_g B_cens + W (d B_exit + d_k a)
            np.multiply(cg, bc, out=z1)
            np.multiply(dtb, be, out=bc)
            np.multiply(dk, aa, out=t)
            bc += t
            bc *= we
            z1 += bc
            # v = R A^2 + cumsum(s0) + 2 F cumsum(s1) + F^2 C2
            np.square(ba, out=v)
            v *= rem
            if lo:
                z0[0] += last[2, j]
                z1[0] += last[3, j]
            np.cumsum(z0, out=z0)
            v += z0
            np.cumsum(z1, out=z1)
            np.multiply(2.0, f, out=t)
            t *= z1
            v += t
            np.square(f, out=t)
            t *= cc
            v += t
            np.maximum(v, 0.0, out=v)
            last[:, j] = f[-1], ba[-1], z0[-1], z1[-1]
        # Var S = S^2 (R G^2 + C2)
        vs = var_surv[lo:hi]
        np.square(bg, out=vs)
        vs *= rem
        vs += cc
        np.square(sv, out=t)
        np.multiply(t, vs, out=vs)
        np.maximum(vs, 0.0, out=vs)
        last_s, last_g, last_c2 = sv[-1], bg[-1], cc[-1]
    return {
        "exit": exit_rows,
        "n_risk": n,
        "n_exit": dt,
        "survival": surv,
        "var_survival": var_surv,
        "cif": cif,
        "var_cif": var,
        "n_event": d,
    }


def curve_frames(fit, times, causes, alpha: float, n_exit) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One group's Aalen–Johansen ``fit`` at ``times`` as the cumulative-incidence table
    (cause-major: cause 1 at every time, then cause 2...) and the all-cause survival
    table, with log intervals at level ``1 - alpha``."""
    n_causes = causes.size
    cif = fit["cif"].ravel()
    # the variances become standard errors in place (``fit`` is this call's, used once)
    se = fit["var_cif"].reshape(-1)
    np.sqrt(se, out=se)
    low, high = _log_interval(cif, se, alpha)
    n_risk = fit["n_risk"].astype(np.int64)
    frame = pd.DataFrame(
        {
            "time": np.tile(times, n_causes),
            "cause": np.repeat(causes, times.size),
            "cumulative_incidence": cif,
            "std_error": se,
            "ci_low": low,
            "ci_high": high,
            "n_risk": np.tile(n_risk, n_causes),
            "n_event": fit["n_event"].ravel().astype(np.int64, copy=False),
        },
        copy=False,
    )
    surv = pd.DataFrame(
        {
            "time": times,
            "survival": fit["survival"],
            "std_error": np.sqrt(fit["var_survival"], out=fit["var_survival"]),
            "n_risk": n_risk,
            "n_exit": np.asarray(n_exit).astype(np.int64),
        },
        copy=False,
    )
    return frame, surv


def curve_tables(
    fits: Iterable[tuple[dict, np.ndarray, np.ndarray]],
    causes: np.ndarray,
    alpha: float,
    labels: Sequence | np.ndarray | None = None,
    weighted: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cumulative-incidence and survival tables of every group, declared for the gate.

    ``fits`` yields per group ``(fit, times, n_exit)`` (see :func:`curve_frames`);
    ``labels`` are the group values in the same order (None: not grouped), put in front
    as the ``group`` column. The incidence table is declared a curve (the gate exports
    it through ``safe_curve``), or, ``weighted``, as values that rest on every row's
    counts: ``safe_curve`` would recompute an unweighted, unclustered curve from the
    pooled counts, not this estimate.
    """
    tables, survs = [], []
    for g, (fit, times, n_exit) in enumerate(fits):
        frame, surv = curve_frames(fit, times, causes, alpha, n_exit)
        if labels is not None:
            kind = getattr(labels, "dtype", None)
            frame.insert(0, "group", np.full(len(frame), labels[g], dtype=kind))
            surv.insert(0, "group", np.full(len(surv), labels[g], dtype=kind))
        tables.append(frame)
        survs.append(surv)
    table = pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
    survival = pd.concat(survs, ignore_index=True) if len(survs) > 1 else survs[0]
    counts = ["n_risk", "n_event"]
    values = ["cumulative_incidence", "std_error", "ci_low", "ci_high"]
    if weighted:
        table = declare_table(
            table, counts=counts, dependent=values, across_rows={c: counts for c in values}
        )
    else:
        table = declare_table(table, kind="curve", counts=counts, dependent=values)
    return table, survival


def _log_interval(p: np.ndarray, se: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """R's ``conf.type = "log"`` interval: p * exp(-+ z se/p), upper capped at 1, NaN at p = 0."""
    z = stats.norm.isf(alpha / 2.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rel = np.divide(se, p)
        rel[se == 0] = 0.0
        low = np.multiply(-z, rel)
        np.exp(low, out=low)
        low *= p
        high = np.multiply(z, rel, out=rel)
        np.exp(high, out=high)
        high *= p
        np.minimum(high, 1.0, out=high)
    zero = ~(p > 0)
    low[zero] = np.nan
    high[zero] = np.nan
    return low, high


def _check_group_levels(data: pd.DataFrame, group: str | None) -> None:
    """A categorical group column with unused levels names a group with no one at risk."""
    if group is None or group not in data.columns:
        return
    check_unique_column(data, group, "group")
    series = data[group]
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna().unique())
        empty = [level for level in series.cat.categories if level not in present]
        if empty:
            raise DesignError(
                f"group column {group!r} has levels with no rows, so no one is at risk in "
                f"them: {_show(empty)}. Drop the unused levels "
                f"(data[{group!r}].cat.remove_unused_categories())."
            )


def _causes(event: np.ndarray) -> np.ndarray:
    """The cause codes present: the positive codes. Code 0 is censoring (cmprsk's ``cencode``
    default), present or not; when no row is censored every code present is a cause (the
    smallest code is never taken for censoring)."""
    if not event.size:
        return np.array([], int)
    present = np.flatnonzero(np.bincount(event))
    return present[present > 0]


def _recode_causes(event: np.ndarray, causes: np.ndarray) -> np.ndarray:
    """Map cause codes to 1..K (0 stays censored); a no-op when they already are 1..K."""
    if causes.size and causes[-1] == causes.size:
        return event
    lookup = np.zeros(int(causes[-1]) + 1, dtype=np.int64)
    lookup[causes] = np.arange(1, causes.size + 1)
    return lookup[event]


@dataclass(frozen=True, eq=False)
class CumulativeIncidence(TableDisplay):
    """Aalen–Johansen cumulative incidence of each cause (per group).

    Curves over time, not one inferential result: a table result, not an InferentialResult.

    Attributes
    ----------
    table : one row per group, cause and time with an exit of any cause (in that group):
        ``group`` (when grouped), ``time``, ``cause`` (the integer code),
        ``cumulative_incidence``, ``std_error`` (infinitesimal jackknife, as R's
        ``survfit``), ``ci_low``, ``ci_high`` (log transformation, R's default
        ``conf.type = "log"``; NaN where the incidence is 0), ``n_risk`` (at risk just
        before the time), ``n_event`` (exits of this cause at the time).
    survival : the probability of no exit yet (Kaplan–Meier of any exit) at the same times:
        ``group``, ``time``, ``survival``, ``std_error`` (IJ), ``n_risk``, ``n_exit``.
        ``survival`` plus the cumulative incidences of all causes is 1 at every time.
    causes : the cause codes present in the data.
    groups : the group column's values (sorted), or None.
    follow_up : the largest duration (any status) per group; :meth:`at` returns NaN beyond.
    """

    table: pd.DataFrame
    survival: pd.DataFrame = field(repr=False)
    causes: tuple[int, ...]
    groups: tuple | None
    follow_up: tuple[float, ...]
    n: int
    duration: str
    event: str
    group: str | None
    alpha: float = 0.05
    method: str = (
        "Aalen-Johansen cumulative incidence; infinitesimal-jackknife standard errors; "
        "log-transformed confidence intervals"
    )

    def _curves(self):
        keys = [None] if self.groups is None else list(self.groups)
        for i, key in enumerate(keys):
            part = self.table if key is None else self.table[self.table["group"] == key]
            for cause in self.causes:
                curve = part[part["cause"] == cause]
                yield i, key, cause, curve

    def at(
        self,
        times: float | Sequence[float] | np.ndarray,
        cause: int | None = None,
        group=None,
    ) -> pd.DataFrame:
        """Read the step functions at ``times``.

        Returns one row per (group,) cause and time: ``time``, ``cause``,
        ``cumulative_incidence``, ``std_error``, ``ci_low``, ``ci_high``. Before the first
        exit the incidence is 0 (standard error 0, no interval); after the group's last
        follow-up time the values are NaN (not estimable). ``cause`` and ``group`` select
        one curve.
        """
        points = np.atleast_1d(np.asarray(times, dtype=float))
        if points.ndim != 1 or not np.isfinite(points).all():
            raise ArgumentError(f"times must be finite numbers; got {times!r}.")
        if cause is not None and cause not in self.causes:
            raise ArgumentError(
                f"cause {cause!r} is not among the causes in the data: {_show(self.causes)}."
            )
        if group is not None and (self.groups is None or group not in self.groups):
            raise ArgumentError(
                f"group {group!r} is not among the groups: "
                f"{_show(self.groups) if self.groups is not None else 'none (ungrouped fit)'}."
            )
        pieces = []
        for i, key, c, curve in self._curves():
            if cause is not None and c != cause:
                continue
            if group is not None and key != group:
                continue
            idx = np.searchsorted(curve["time"].to_numpy(), points, side="right") - 1
            values = {}
            for column, before in (
                ("cumulative_incidence", 0.0),
                ("std_error", 0.0),
                ("ci_low", np.nan),
                ("ci_high", np.nan),
            ):
                source = curve[column].to_numpy()
                out = np.where(idx >= 0, source[np.maximum(idx, 0)] if source.size else 0.0, before)
                out = np.where(points > self.follow_up[i], np.nan, out)
                values[column] = out
            piece = pd.DataFrame({"time": points, "cause": c, **values})
            if key is not None:
                piece.insert(0, "group", key)
            pieces.append(piece)
        return pd.concat(pieces, ignore_index=True)

    def to_frame(self) -> pd.DataFrame:
        """The estimates as a tidy frame (a copy of :attr:`table`)."""
        return self.table.copy()

    def _overview(self) -> pd.DataFrame:
        rows = []
        for _, key, c, curve in self._curves():
            last = curve.iloc[-1] if len(curve) else None
            row = {
                "cause": c,
                "exits": int(curve["n_event"].sum()),
                "last time": float(curve["time"].iloc[-1]) if last is not None else np.nan,
                "cumulative incidence": last["cumulative_incidence"] if last is not None else 0.0,
                "std.error": last["std_error"] if last is not None else 0.0,
                "CI low": last["ci_low"] if last is not None else np.nan,
                "CI high": last["ci_high"] if last is not None else np.nan,
            }
            if key is not None:
                row = {"group": key, **row}
            rows.append(row)
        return pd.DataFrame(rows)

    def _header(self) -> list[str]:
        level = f"{100 * (1 - self.alpha):g}%"
        lines = [
            self.method,
            f"Duration: {self.duration}    Event: {self.event} (causes "
            f"{', '.join(map(str, self.causes))}; 0 = censored)    n = {self.n}",
        ]
        if self.group is not None:
            lines.append(f"Groups ({self.group}): {', '.join(map(str, self.groups))}")
        lines.append(f"At the last exit time, {level} CI")
        return lines

    def summary(self) -> str:
        """Text: the design and, per group and cause, the exits and the final incidence."""
        table = self._overview()
        formatted = table.copy()
        for column in ("last time", "cumulative incidence", "std.error", "CI low", "CI high"):
            formatted[column] = table[column].map(_fmt)
        return "\n".join(self._header() + [formatted.to_string(index=False)])

    #: The notebook shows the curve table through the gate (pooled, truncated).
    _view_max_rows = 40

    def _view_counts(self) -> dict:
        """Persons and the exits of each cause (per group), for the views' control."""
        counts = {"persons": self.n}
        for _, key, cause, curve in self._curves():
            where = f"cause {cause}" if key is None else f"{self.group} = {key}, cause {cause}"
            counts[f"exits ({where})"] = int(curve["n_event"].sum())
        return counts

    def _display_frame(self) -> pd.DataFrame:
        return self.table


def cumulative_incidence(
    data: pd.DataFrame,
    duration: str,
    event: str,
    group: str | None = None,
    alpha: float = 0.05,
    missing: str = "error",
    treatment: str | None = None,
    weights: str | None = None,
    id: str | None = None,
    robust: bool | None = None,
) -> CumulativeIncidence:
    r"""Aalen–Johansen cumulative incidence of each competing cause, with IJ standard errors.

    Parameters
    ----------
    data : one row per spell.
    duration : column of durations (>= 0), e.g. weeks on benefit.
    event : column of exit codes: 0 = censored, any other non-negative whole number = the
        destination of the exit (0 is always censoring, as cuminc's ``cencode = 0``).
    group : optional column; a curve per distinct value (any grouping). Not with
        ``treatment``.
    alpha : 1 - confidence level of the intervals.
    missing : ``"error"`` (default) or ``"drop"`` rows with missing values.
    treatment : optional 0/1 (or boolean) column of the trial arm: curves per arm,
        labelled Treatment (1) and Control (0) in figures. Not with ``group``.
    weights : optional column of positive case weights (e.g. inverse probabilities of
        staying observed), as ``survfit(..., weights = )``: weighted sums at risk and
        exiting in the estimate and in its IJ variance; ``n_risk`` and ``n_event`` stay
        counts of rows (spells), never weighted sums.
    id : optional person column when a person has several spells (rows, each from time
        0): the IJ variance sums each person's influence over their spells (R's
        ``survfit(..., weights = , influence = TRUE)`` per-row influence, times the weight,
        summed per person; R's ``id =`` refuses overlapping spells of one person in a
        multi-state fit). Values of the column are never shown in messages.
    robust : None or True: the IJ (robust) variance, the only one R's multi-state
        ``survfit`` has; False is refused, as in R.

    Returns
    -------
    CumulativeIncidence, whose ``table`` has a row per (group,) cause and exit time:
    :math:`F_k(t) = \sum_{t_j \le t} S(t_{j-1}) d_{kj}/n_j`, the infinitesimal-jackknife
    standard error of R's ``survfit(Surv(time, factor(event)) ~ group)`` (survival 3.x)
    and the log-transformed interval (R's default). Tied times are handled exactly;
    counting is :math:`O(n)` for integer times (weeks) and the variance :math:`O(M K)` on
    the M distinct times (see the module docstring for the derivation).

    Examples
    --------
    >>> import pandas as pd
    >>> spells = pd.DataFrame({"weeks": [1, 2, 2, 3, 4, 5], "exit": [1, 2, 0, 1, 0, 2]})
    >>> ci = cumulative_incidence(spells, "weeks", "exit")
    >>> ci.table[["time", "cause", "cumulative_incidence", "n_risk", "n_event"]]
       time  cause  cumulative_incidence  n_risk  n_event
    0   1.0      1              0.166667       6        1
    1   2.0      1              0.166667       5        0
    2   3.0      1              0.388889       3        1
    3   5.0      1              0.388889       1        0
    4   1.0      2              0.000000       6        0
    5   2.0      2              0.166667       5        1
    6   3.0      2              0.166667       3        0
    7   5.0      2              0.611111       1        1
    >>> ci.at([2.5, 10])["cumulative_incidence"].round(4).tolist()
    [0.1667, nan, 0.1667, nan]
    """
    alpha = check_alpha(alpha)
    group = resolve_arm(data, group, treatment, "cumulative_incidence")
    _check_group_levels(data, group)
    if robust not in (None, True):
        raise ArgumentError(
            f"robust must be None or True; got {robust!r}: the cumulative incidence has only "
            "the robust (infinitesimal-jackknife) variance, as R's multi-state survfit."
        )
    if id is not None and not isinstance(id, str):
        raise ArgumentError(f"id must be the person column; got {id!r}.")
    if weights is not None or id is not None:
        return _weighted_cif(data, duration, event, group, alpha, missing, weights, id)
    sd = survival_data(data, duration, event, group=group, missing=missing, causes=True)
    n_groups = 1 if sd.group is None else len(sd.group_labels)
    column = sd.frame[duration]
    raw = None
    if pd.api.types.is_integer_dtype(column.dtype) and not isinstance(
        column.dtype, pd.CategoricalDtype
    ):
        raw = column.to_numpy()  # integer durations: no float round trip
        if raw.dtype == object:
            raw = None
    top = int(sd.event.max())
    if top <= 64:  # count codes 0..top, then keep the causes that occur
        per_group = _exit_counts(sd.time, sd.event, sd.group, n_groups, top + 1, raw=raw)
        total = sum(counts.sum(axis=0) for _, counts in per_group)
        causes = np.flatnonzero(total[1:]) + 1
        if causes.size < top:
            keep = np.concatenate(([0], causes))
            per_group = [(grid, counts[:, keep]) for grid, counts in per_group]
    else:  # sparse codes: map them to 1..K first
        causes = _causes(sd.event)
        codes = _recode_causes(sd.event, causes)
        per_group = _exit_counts(sd.time, codes, sd.group, n_groups, causes.size + 1, raw=raw)
    follow = _follow_up(sd, n_groups)

    def fits():
        for grid, counts in per_group:
            fit = _aalen_johansen(counts)
            yield fit, grid[fit["exit"]], fit["n_exit"]

    table, survival = curve_tables(fits(), causes, alpha, sd.group_labels)
    return CumulativeIncidence(
        table=table,
        survival=survival,
        causes=tuple(int(c) for c in causes),
        groups=None if sd.group is None else tuple(_py(v) for v in sd.group_labels),
        follow_up=follow,
        n=sd.n,
        duration=duration,
        event=event,
        group=group,
        alpha=alpha,
    )


def _weighted_aalen_johansen(time, code, n_causes, weight, person) -> dict:
    """Aalen–Johansen with case weights and the IJ variance clustered on ``person``.

    ``code`` is 0 (censored) or 1..K. Person i's influence on F_k(t_m) is
    ``U_ik = J_ik - F_k(t_m) I_i`` with ``I_i`` the Kaplan–Meier influence (``dS = -S I``,
    coefficients ``1/(n-d)`` at an exit and ``d/(n (n-d))`` at risk) and ``J_ik`` of the
    same form (exit: ``F_k/(n-d)`` + ``[cause k] S(t-)/n``; at risk:
    ``F_k d/(n (n-d)) + S(t-) d_k/n^2``). The sums of squares and the cross sum come from
    :func:`evalkit.survival.hazard._robust_variance` on I, J and J - I:
    ``sum U^2 = (1-F) sum J^2 + (F^2-F) sum I^2 + F sum (J-I)^2``.
    """
    from .hazard import _robust_variance  # the influence machinery of the hazards

    times, inverse = np.unique(time, return_inverse=True)
    m = times.size
    exited = code > 0
    w_total = np.bincount(inverse, weights=weight, minlength=m)
    w_k = np.stack(
        [
            np.bincount(inverse, weights=weight * (code == k), minlength=m)
            for k in range(1, n_causes + 1)
        ]
    )
    d = w_k.sum(axis=0)
    n = np.cumsum(w_total[::-1])[::-1]
    left = n - d
    alive = left > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(np.where(n > 0, left / n, 1.0))
        s_prev = np.r_[1.0, surv[:-1]]
        jump = s_prev / n
        alpha_ = np.where(alive, 1.0 / left, 0.0)
        beta_ = np.where(alive & (d > 0), d / (n * left), 0.0)
    cif = np.cumsum(w_k * jump, axis=1)
    begin = np.full(time.size, -np.inf)
    ones = np.ones(m)
    status_i = exited.astype(float)
    v_i = _robust_variance(
        begin, time, status_i * alpha_[inverse], person, times, ones, beta_, weight
    )
    var = np.empty((n_causes, m))
    for k in range(n_causes):
        f = cif[k]
        own = (code == k + 1) * jump[inverse]
        b_j = beta_ * f + jump * w_k[k] / n
        st_j = status_i * alpha_[inverse] * f[inverse] + own
        v_j = _robust_variance(begin, time, st_j, person, times, ones, b_j, weight)
        st_d = st_j - status_i * alpha_[inverse]
        v_d = _robust_variance(begin, time, st_d, person, times, ones, b_j - beta_, weight)
        var[k] = np.maximum((1.0 - f) * v_j + (f * f - f) * v_i + f * v_d, 0.0)
    rows_total = np.bincount(inverse, minlength=m)
    rows_k = np.stack(
        [np.bincount(inverse, weights=code == k, minlength=m) for k in range(1, n_causes + 1)]
    )
    exit_rows = d > 0
    return {
        "times": times[exit_rows],
        "n_risk": np.cumsum(rows_total[::-1])[::-1][exit_rows],
        "n_event": rows_k[:, exit_rows],
        "survival": surv[exit_rows],
        "var_survival": (surv**2 * v_i)[exit_rows],
        "cif": cif[:, exit_rows],
        "var_cif": var[:, exit_rows],
    }


def _weighted_cif(data, duration, event, group, alpha, missing, weights, id):
    """cumulative_incidence with case weights and/or several spells per person."""
    from .km import person_codes  # the person column's checks, as kaplan_meier

    sd = survival_data(
        data,
        duration,
        event,
        group=group,
        weights=weights,
        extra=[id] if id else None,
        missing=missing,
        causes=True,
    )
    person = person_codes(sd.frame, id)
    if person is None:
        person = np.arange(sd.n)
    weight = np.ones(sd.n) if sd.weights is None else np.asarray(sd.weights, float)
    causes = _causes(sd.event)
    codes = _recode_causes(sd.event, causes)
    n_groups = 1 if sd.group is None else len(sd.group_labels)
    n_causes = causes.size

    def fits():
        for g in range(n_groups):
            rows = slice(None) if sd.group is None else sd.group == g
            fit = _weighted_aalen_johansen(
                sd.time[rows], codes[rows], n_causes, weight[rows], person[rows]
            )
            yield fit, fit["times"], fit["n_event"].sum(axis=0)

    table, survival = curve_tables(fits(), causes, alpha, sd.group_labels, weighted=True)
    what = " and ".join(
        x for x in ("case weights" if weights else "", f"clustered on {id}" if id else "") if x
    )
    return CumulativeIncidence(
        table=table,
        survival=survival,
        causes=tuple(int(c) for c in causes),
        groups=None if sd.group is None else tuple(_py(v) for v in sd.group_labels),
        follow_up=_follow_up(sd, n_groups),
        n=sd.n,
        duration=duration,
        event=event,
        group=group,
        alpha=alpha,
        method=(
            f"Aalen-Johansen cumulative incidence ({what}); robust (infinitesimal-jackknife) "
            "standard errors; log-transformed confidence intervals"
        ),
    )


def _follow_up(sd: SurvivalData, n_groups: int) -> tuple[float, ...]:
    if sd.group is None:
        return (float(sd.time.max()),)
    out = np.full(n_groups, -np.inf)
    np.maximum.at(out, sd.group, sd.time)
    return tuple(float(v) for v in out)


def _py(value):
    return value.item() if isinstance(value, np.generic) else value


# --------------------------------------------------------------------------------------
# Gray's K-sample test
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class GrayTestResult(LinesDisplay, HypothesisTest):
    """Gray's (1988) test that the cumulative incidence of ``cause`` is equal in all groups.

    ``statistic`` is :math:`s' V^{-1} s` for the scores of the first G-1 groups, referred
    to chi-square with ``df = G - 1``; ``p_value`` is its upper tail. ``score`` and
    ``variance`` are s and V. A test without an effect measure: ``estimate``,
    ``std_error`` and ``conf_int`` are None (:func:`fine_gray` estimates a
    subdistribution hazard ratio).
    """

    statistic: float
    p_value: float
    df: int
    cause: int
    rho: float
    groups: tuple
    n: int
    n_events: tuple[int, ...]
    duration: str
    event: str
    group: str
    score: np.ndarray = field(repr=False)
    variance: np.ndarray = field(repr=False)
    method: str = "Gray's K-sample test for the cumulative incidence of a competing risk"
    strata: str | None = None
    n_strata: int = 1

    def _term(self) -> str:
        return f"cause {self.cause}"

    def _row_extra(self) -> dict:
        return {"df": self.df, "rho": self.rho, "method": self.method}

    def to_frame(self) -> pd.DataFrame:
        """One row: the core columns (term ``cause k``; estimate, std_error, conf_low and
        conf_high NaN: a test; statistic the chi-square, p_value), df, rho, method and
        ``smallest_count``.

        Declared for the output gate as resting on the persons and every group's exits of
        the cause (:func:`evalkit.output.declare_resting_on`: ``smallest_count`` is the
        smallest of them), so the test is suppressed when a group has few exits."""
        return super().to_frame()

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        return declare_resting_on(frame, self._view_counts())

    def _view_counts(self) -> dict:
        """Persons and the exits of the cause per group, for the views' control."""
        exits = {
            f"exits of cause {self.cause} ({self.group} = {g})": k
            for g, k in zip(self.groups, self.n_events, strict=True)
        }
        return {"persons": self.n, **exits}

    def _lines(self) -> list[str]:
        counts = ", ".join(f"{g}: {k}" for g, k in zip(self.groups, self.n_events, strict=True))
        return [
            self.method + (f" (rho = {self.rho:g})" if self.rho else ""),
            f"Duration: {self.duration}    Event: {self.event}    Cause: {self.cause}    "
            f"n = {self.n}",
            f"Groups ({self.group}) and exits of cause {self.cause}: {counts}",
            *([f"Stratified by {self.strata} ({self.n_strata} strata)"] if self.strata else []),
            f"Chi-square = {_fmt(self.statistic)} on {self.df} df, p = {_fmt_p(self.p_value)}",
        ]


def gray_test(
    data: pd.DataFrame,
    duration: str,
    event: str,
    group: str | None = None,
    cause: int = 1,
    rho: float = 0,
    strata: str | None = None,
    missing: str = "error",
    treatment: str | None = None,
) -> GrayTestResult:
    r"""Gray's (1988) K-sample test of equal cumulative incidence of one cause.

    The score for group :math:`g` compares, at each exit time of ``cause``, the observed
    exits with those expected under a common subdistribution hazard,

    .. math::

        s_g = \sum_t (1 - \hat F^{\,0}(t-))^{\rho} \Big( d_{g}(t) - d(t)
              \frac{R_g(t)}{\sum_h R_h(t)} \Big), \quad
        R_g(t) = n_g(t) \frac{1 - \hat F_g(t-)}{\hat S_g(t-)},

    with :math:`\hat F_g` the group's Aalen–Johansen incidence, :math:`\hat S_g` its
    Kaplan–Meier survival of any exit and :math:`\hat F^{\,0}` the pooled estimate; the
    variance is Gray's (1988) formula, computed exactly as ``cmprsk::cuminc`` (Fortran
    ``crstm``), vectorised over the distinct times. Tied times share one risk set. With
    ``strata``, the scores and variances are computed within each stratum and added
    before the quadratic form, as ``cuminc(..., strata = )``.

    Parameters
    ----------
    group : the column defining the K >= 2 groups (its own values, sorted). Give
        ``group`` or ``treatment``, not both.
    cause : the cause code whose cumulative incidence is compared.
    rho : power of the weight :math:`(1 - \hat F^{\,0})^\rho` (0 = log-rank-like).
    strata : optional column of strata (e.g. the randomization blocks): groups are
        compared within each stratum.
    treatment : 0/1 (or boolean) column of the trial arm: treatment against control.

    Examples
    --------
    >>> import pandas as pd
    >>> spells = pd.DataFrame({
    ...     "weeks": [1, 2, 2, 3, 4, 5, 1, 3, 3, 6, 7, 8],
    ...     "exit": [1, 2, 0, 1, 0, 2, 2, 1, 1, 1, 0, 2],
    ...     "arm": [0] * 6 + [1] * 6})
    >>> test = gray_test(spells, "weeks", "exit", treatment="arm", cause=1)
    >>> round(test.statistic, 4), round(test.p_value, 4), test.df
    (0.1487, 0.6998, 1)
    """
    group = resolve_arm(data, group, treatment, "gray_test")
    if group is None or not isinstance(group, str):
        raise ArgumentError(
            f"gray_test needs group= (a column of groups) or treatment= (the 0/1 arm); "
            f"got group={group!r}."
        )
    rho = _check_number(rho, "rho")
    _check_group_levels(data, group)
    if strata is not None and not isinstance(strata, str):
        raise ArgumentError(f"strata must be a column name; got {strata!r}.")
    sd = survival_data(
        data,
        duration,
        event,
        group=group,
        extra=[strata] if strata else None,
        missing=missing,
        causes=True,
    )
    cause = _check_cause(cause, sd, event)
    labels = sd.group_labels
    n_groups = len(labels)
    if n_groups < 2:
        raise DesignError(
            f"gray_test compares groups, but group column {group!r} takes a single value "
            f"({_show(labels)}) among the {sd.n} rows used."
        )
    # codes: 0 censored, 1 the cause, 2 any other cause
    codes = np.where(sd.event == cause, 1, np.where(sd.event > 0, 2, 0))
    stratum = pd.factorize(sd.frame[strata], sort=True)[0] if strata else np.zeros(sd.n, dtype=int)
    score = np.zeros(n_groups - 1)
    var = np.zeros((n_groups - 1, n_groups - 1))
    at_risk_somewhere = np.zeros(n_groups, dtype=bool)
    for k in range(int(stratum.max()) + 1):
        rows = np.flatnonzero(stratum == k)
        _, counts = _sorted_counts_grouped(sd.time[rows], codes[rows], sd.group[rows], n_groups)
        if not counts[:, :, 1].any():  # no exit of the cause in this stratum: no information
            continue
        s_k, v_k = _gray_score_variance(counts, rho)
        score += s_k
        var += v_k
        at_risk = np.cumsum(counts.sum(axis=2)[::-1], axis=0)[::-1]
        exit_times = counts[:, :, 1].sum(axis=1) > 0
        at_risk_somewhere |= (at_risk[exit_times] > 0).any(axis=0)
    n_events = tuple(int(v) for v in np.bincount(sd.group[codes == 1], minlength=n_groups))
    nobody = [labels[g] for g in range(n_groups) if not at_risk_somewhere[g]]
    if nobody:
        raise DesignError(
            f"no one in group(s) {_show(map(_py, nobody))} of {group!r} is at risk at any time "
            f"of an exit of cause {cause}"
            + (" in the same stratum" if strata else "")
            + ", so their cumulative incidence cannot be compared. "
            "Drop those groups or compare another cause."
        )
    rank = np.linalg.matrix_rank(var)
    if rank < n_groups - 1:
        raise DesignError(
            f"the variance of Gray's score is singular (rank {rank} < {n_groups - 1}): some "
            f"groups of {group!r} carry no information on cause {cause} (cmprsk reports a "
            "statistic of -1). Merge or drop groups with no exits of the cause."
        )
    statistic = float(score @ np.linalg.solve(var, score))
    df = n_groups - 1
    return GrayTestResult(
        statistic=statistic,
        p_value=float(stats.chi2.sf(statistic, df)),
        df=df,
        cause=cause,
        rho=rho,
        groups=tuple(_py(v) for v in labels),
        n=sd.n,
        n_events=n_events,
        duration=duration,
        event=event,
        group=group,
        score=score,
        variance=var,
        strata=strata,
        n_strata=int(stratum.max()) + 1,
    )


def _check_number(value, name: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ArgumentError(f"{name} must be a number; got {value!r}.") from None
    if not math.isfinite(out):
        raise ArgumentError(f"{name} must be finite; got {value!r}.")
    return out


def _check_cause(cause, sd: SurvivalData, event: str) -> int:
    present = _causes(sd.event)
    if isinstance(cause, bool) or not isinstance(cause, int | np.integer) or cause < 1:
        raise ArgumentError(
            f"cause must be a positive integer code of {event!r} (0 is censoring); "
            f"got {cause!r}. Causes in the data: {_show(present)}."
        )
    if int(cause) not in set(present.tolist()):
        raise DesignError(
            f"no exits of cause {cause} in {event!r} among the {sd.n} rows used; the causes "
            f"present are {_show(present)}."
        )
    return int(cause)


def _sorted_counts_grouped(time, codes, group, n_groups):
    """Distinct times (all statuses) and counts[time, group, code] for codes 0, 1, 2."""
    grid, counts = _time_counts(time, group.astype(np.int64) * 3 + codes, n_groups * 3)
    return grid, counts.reshape(grid.size, n_groups, 3)


def _gray_score_variance(counts: np.ndarray, rho: float) -> tuple[np.ndarray, np.ndarray]:
    """Gray's score and variance (cmprsk's ``crst``), vectorised over the distinct times."""
    d1 = counts[:, :, 1]
    d2 = counts[:, :, 2]
    n_groups = counts.shape[1]
    ng1 = n_groups - 1
    rs = np.cumsum(counts.sum(axis=2)[::-1], axis=0)[::-1]  # at risk, per time and group
    active = rs > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_rs = np.where(active, 1.0 / np.where(active, rs, 1.0), 0.0)
    skm = np.cumprod(1.0 - (d1 + d2) * inv_rs, axis=0)  # per group, right-continuous
    skmm = np.vstack([np.ones((1, n_groups)), skm[:-1]])  # left-continuous
    f1 = np.cumsum(skmm * d1 * inv_rs, axis=0)
    f1m = np.vstack([np.zeros((1, n_groups)), f1[:-1]])
    # only times with an exit (any cause, any group) enter the sums
    keep = (d1 + d2).sum(axis=1) > 0
    d1, d2, rs, active = d1[keep], d2[keep], rs[keep], active[keep]
    skm, skmm, f1m = skm[keep], skmm[keep], f1m[keep]
    nd1 = d1.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(active, rs / np.where(active, skmm, 1.0), 0.0)
    tr = t1.sum(axis=1)
    tq = (t1 * (1.0 - f1m)).sum(axis=1)
    f = np.cumsum(nd1 / tr)  # pooled cumulative incidence, right-continuous
    fm = np.concatenate(([0.0], f[:-1]))
    fb = (1.0 - fm) ** rho
    # a[t, i, j] and its running sum c
    a = -fb[:, None, None] * t1[:, :, None] * t1[:, None, :] / tr[:, None, None]
    idx = np.arange(n_groups)
    a[:, idx, idx] += fb[:, None] * t1
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(nd1 > 0, nd1 / (tr * (1.0 - fm)), 0.0)
    c = np.cumsum(a * step[:, None, None], axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        score_t = fb[:, None] * (d1 - nd1[:, None] * rs * (1.0 - f1m) / (skmm * tq[:, None]))
    score = np.where(active, score_t, 0.0)[:, :ng1].sum(axis=0)

    # exits of the cause
    with np.errstate(divide="ignore", invalid="ignore"):
        t4 = np.where(skm > 0, 1.0 - (1.0 - f[:, None]) / np.where(skm > 0, skm, 1.0), 1.0)
        t5 = np.where(
            nd1[:, None] > 1, 1.0 - (nd1[:, None] - 1.0) / (tr[:, None] * skmm - 1.0), 1.0
        )
        t3 = np.where(
            active & (nd1[:, None] > 0), t5 * skmm * nd1[:, None] / (tr[:, None] * rs), 0.0
        )
    t3 = np.nan_to_num(t3)
    v3 = (t4**2 * t3).sum(axis=0)
    term = a[:, :ng1, :] - t4[:, None, :] * c[:, :ng1, :]
    v2 = np.einsum("tik,tk->ik", term, t4 * t3)
    v = np.einsum("tik,tjk,tk->ij", term, term, t3)
    # exits of other causes
    ok = (skm > 0) & (d2 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        u4 = np.where(ok, (1.0 - f[:, None]) / np.where(ok, skm, 1.0), 0.0)
        u5 = np.where(d2 > 1, 1.0 - (d2 - 1.0) / (rs - 1.0), 1.0)
        u3 = np.where(ok, u5 * skmm**2 * d2 / np.where(ok, rs, 1.0) ** 2, 0.0)
    v3 += (u4**2 * u3).sum(axis=0)
    term2 = u4[:, None, :] * c[:, :ng1, :]
    v2 -= np.einsum("tik,tk->ik", term2, u4 * u3)
    v += np.einsum("tik,tjk,tk->ij", term2, term2, u3)
    cf = c[-1, :ng1, :]
    v += (cf * v3) @ cf.T + cf @ v2.T + v2 @ cf.T
    return score, v


# --------------------------------------------------------------------------------------
# Fine–Gray regression
# --------------------------------------------------------------------------------------

FG_COLUMNS = [
    "term",
    "estimate",
    "std_error",
    "statistic",
    "p_value",
    "conf_low",
    "conf_high",
    "subdistribution_hazard_ratio",
    "shr_conf_low",
    "shr_conf_high",
]
#: The counts of persons the Fine–Gray frame declares (on every row).
_FG_COUNTS = ["n", "n_events", "n_competing", "n_censored"]


@dataclass(frozen=True, eq=False)
class FineGrayResult(InferentialResult):
    """Fine–Gray proportional subdistribution-hazards regression for one cause.

    The surface of every inferential result (:class:`evalkit.results.InferentialResult`)
    is that of the FIRST term (the arm when ``fine_gray(..., treatment=)`` is given: it
    goes in first), on the log scale, as ``cmprsk::crr``'s coefficients: ``estimate`` is
    its log subdistribution hazard ratio, ``std_error`` its sandwich standard error,
    ``conf_int`` the Wald interval of the log ratio, ``statistic`` / ``p_value`` its z and
    two-sided p-value; the ratio scale is in ``subdistribution_hazard_ratio`` and
    ``shr_conf_low`` / ``shr_conf_high`` of :attr:`terms`.

    Attributes
    ----------
    terms : tidy frame, one row per covariate: ``term``, ``estimate`` (log
        subdistribution hazard ratio), ``std_error`` (sandwich, as ``cmprsk::crr``),
        ``statistic`` (z), ``p_value``, ``conf_low``/``conf_high`` (Wald interval of the
        estimate, log scale), ``subdistribution_hazard_ratio`` (exp(estimate)),
        ``shr_conf_low``/``shr_conf_high`` (the interval on the ratio scale).
    loglik, loglik_null : log pseudo-partial likelihood at the estimate and at 0.
    variance : sandwich variance matrix; ``information`` the observed information.
    baseline : ``time`` and ``jump`` of the Breslow-type baseline cumulative
        subdistribution hazard at each distinct exit time of the cause (crr's ``bfitj``),
        and ``cumulative_hazard``.
    converged, iterations : Newton–Raphson status (crr's rule: 10 steps, gtol 1e-6).
    """

    terms: pd.DataFrame
    loglik: float
    loglik_null: float
    variance: np.ndarray = field(repr=False)
    information: np.ndarray = field(repr=False)
    baseline: pd.DataFrame = field(repr=False)
    cause: int = 1
    n: int = 0
    n_events: int = 0
    n_competing: int = 0
    n_censored: int = 0
    converged: bool = True
    iterations: int = 0
    duration: str = ""
    event: str = ""
    alpha: float = 0.05
    method: str = (
        "Fine-Gray subdistribution hazards (cmprsk::crr: Breslow ties, KM censoring weights, "
        "sandwich variance)"
    )
    cengroup: str | None = None
    n_cengroups: int = 1

    @property
    def coefficients(self) -> pd.Series:
        """The log subdistribution hazard ratios, indexed by term."""
        return self.terms.set_index("term")["estimate"]

    @property
    def likelihood_ratio(self) -> float:
        """2 (loglik - loglik_null), crr's ``logtest`` (chi-square with p df under H0)."""
        return 2.0 * (self.loglik - self.loglik_null)

    def _first(self, column: str) -> float:
        return float(self.terms[column].iloc[0])

    @property
    def estimate(self) -> float:
        """The first term's log subdistribution hazard ratio (the arm's with ``treatment=``)."""
        return self._first("estimate")

    @property
    def std_error(self) -> float:
        """The first term's sandwich standard error."""
        return self._first("std_error")

    @property
    def conf_int(self) -> tuple[float, float]:
        """The first term's ``1 - alpha`` Wald interval of the log ratio."""
        return self._first("conf_low"), self._first("conf_high")

    @property
    def statistic(self) -> float:
        """The first term's z."""
        return self._first("statistic")

    @property
    def p_value(self) -> float:
        """The first term's two-sided p-value."""
        return self._first("p_value")

    def _rows(self) -> list[dict]:
        extra = {"cause": self.cause, "method": self.method}
        extra.update({name: getattr(self, name) for name in _FG_COUNTS})
        return [{**row, **extra} for row in self.terms.loc[:, FG_COLUMNS].to_dict("records")]

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame, one row per term: the columns of :attr:`terms` (the core columns
        first, log scale; then ``subdistribution_hazard_ratio``, ``shr_conf_low``,
        ``shr_conf_high``), ``cause``, ``method``, and the model's ``n`` (persons),
        ``n_events`` (exits of the cause), ``n_competing`` and ``n_censored`` on every row.

        Declared for the output gate: the four counts are counts of persons; every
        coefficient rests on them, so a model on a small count is suppressed whole."""
        return super().to_frame()

    def _declare(self, frame: pd.DataFrame) -> pd.DataFrame:
        dependent = [c for c in FG_COLUMNS if c != "term"]
        return declare_table(frame, counts=_FG_COUNTS, dependent=dependent)

    def _view_counts(self) -> dict:
        """Persons, exits of the cause, competing exits and censored, for the views."""
        return {
            "persons": self.n,
            "exits of the cause": self.n_events,
            "competing exits": self.n_competing,
            "censored": self.n_censored,
        }

    def _header(self) -> list[str]:
        level = f"{100 * (1 - self.alpha):g}%"
        return [
            self.method,
            f"Duration: {self.duration}    Event: {self.event}    Cause: {self.cause}    "
            f"n = {self.n} (exits of the cause {self.n_events}, competing exits "
            f"{self.n_competing}, censored {self.n_censored})",
            *(
                [f"Censoring weights by {self.cengroup} ({self.n_cengroups} groups)"]
                if self.cengroup
                else []
            ),
            f"Log pseudo-likelihood {_fmt(self.loglik)} (null {_fmt(self.loglik_null)}); "
            f"converged: {self.converged} in {self.iterations} iterations",
            f"Subdistribution hazard ratios, {level} CI",
        ]

    def summary(self) -> str:
        """A readable table of the coefficients, hazard ratios, intervals and p-values."""
        t = self.terms
        table = pd.DataFrame(
            {
                "coef": t["estimate"].map(_fmt),
                "exp(coef)": t["subdistribution_hazard_ratio"].map(_fmt),
                "se(coef)": t["std_error"].map(_fmt),
                "z": t["statistic"].map(_fmt),
                "p.value": t["p_value"].map(_fmt_p),
                "SHR low": t["shr_conf_low"].map(_fmt),
                "SHR high": t["shr_conf_high"].map(_fmt),
            }
        )
        table.index = t["term"].to_list()
        return "\n".join(self._header() + [table.to_string()])


def fine_gray(
    data: pd.DataFrame,
    duration: str,
    event: str,
    covariates: str | Sequence[str] | None = None,
    cause: int = 1,
    alpha: float = 0.05,
    cengroup: str | None = None,
    missing: str = "error",
    treatment: str | None = None,
) -> FineGrayResult:
    r"""Fine & Gray (1999) proportional subdistribution-hazards regression, as ``cmprsk::crr``.

    The subdistribution hazard of ``cause`` is :math:`\lambda_1(t \mid x) =
    \lambda_{10}(t) e^{x'\beta}`. Persons who left by a competing cause stay in the risk
    set after their exit with weight :math:`\hat G(t-)/\hat G(T_i-)`, :math:`\hat G` the
    Kaplan–Meier estimate of the censoring distribution; the log pseudo-partial likelihood
    (Breslow's handling of ties, as crr) is

    .. math::

        \ell(\beta) = \sum_{t} \Big[ \sum_{i: T_i = t, \epsilon_i = 1} x_i'\beta
            - d_1(t) \log \sum_j w_j(t) e^{x_j'\beta} \Big],

    maximised by crr's Newton–Raphson (start 0, step halving, at most 10 steps, gtol
    1e-6). The variance is the sandwich :math:`I^{-1} (\sum_i (\eta_i + \psi_i)^{\otimes 2})
    I^{-1}` of Fine & Gray (1999, sec. 3), :math:`\psi_i` accounting for the estimated
    censoring weights; every sum is a cumulative sum over the distinct times
    (:math:`O(n p^2)`), where crr's Fortran is quadratic or cubic in n.

    Parameters
    ----------
    covariates : column name(s); text/categorical columns are dummy-coded against their
        first sorted level.
    cause : the cause code modelled; all other positive codes are competing exits.
    cengroup : optional column of censoring groups (crr's ``cengroup``): a separate
        Kaplan–Meier censoring curve :math:`\hat G_k` is estimated in each group (e.g.
        cohorts with different administrative end dates), a competing exit is weighted
        by its own group's :math:`\hat G_k(t-)/\hat G_k(T_i-)`, and the variance's
        censoring term is summed over the groups.
    treatment : optional 0/1 (or boolean) column of the trial arm, entered as the first
        covariate (its checks are those of the arm: 0/1, both arms present).

    Examples
    --------
    >>> import pandas as pd
    >>> spells = pd.DataFrame({
    ...     "weeks": [1, 2, 2, 3, 4, 5, 1, 3, 3, 6, 7, 8],
    ...     "exit": [1, 2, 0, 1, 0, 2, 2, 1, 1, 1, 0, 2],
    ...     "arm": [0] * 6 + [1] * 6})
    >>> fit = fine_gray(spells, "weeks", "exit", treatment="arm")
    >>> fit.to_frame()[["term", "estimate", "std_error", "p_value"]].round(4)
      term  estimate  std_error  p_value
    0  arm    0.0085     0.7873   0.9914
    """
    alpha = check_alpha(alpha)
    names = arm_first(data, treatment, as_column_list(covariates, "covariates"), "fine_gray")
    if not names:
        raise ArgumentError(
            "fine_gray needs at least one covariate column, or treatment= (the 0/1 arm)."
        )
    if cengroup is not None and not isinstance(cengroup, str):
        raise ArgumentError(f"cengroup must be a column name; got {cengroup!r}.")
    extra = names + ([cengroup] if cengroup and cengroup not in names else [])
    sd = survival_data(data, duration, event, extra=extra, missing=missing, causes=True)
    cause = _check_cause(cause, sd, event)
    x, terms = covariate_matrix(sd.frame, names)
    status = np.where(sd.event == cause, 1, np.where(sd.event > 0, 2, 0))
    groups = pd.factorize(sd.frame[cengroup], sort=True)[0] if cengroup else None
    fit = _crr(sd.time, status, x, groups)
    if not fit["converged"]:
        warnings.warn(
            f"fine_gray did not converge in {fit['iterations']} Newton-Raphson steps "
            "(cmprsk::crr's limit); the estimates may be unreliable. Check for covariates "
            "that (nearly) separate exits of the cause.",
            FragileDesignWarning,
            stacklevel=2,
        )
    beta = fit["beta"]
    se = np.sqrt(np.diag(fit["variance"]))
    z = stats.norm.isf(alpha / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = beta / se
    table = pd.DataFrame(
        {
            "term": terms,
            "estimate": beta,
            "std_error": se,
            "statistic": statistic,
            "p_value": 2.0 * stats.norm.sf(np.abs(statistic)),
            "conf_low": beta - z * se,
            "conf_high": beta + z * se,
            "subdistribution_hazard_ratio": np.exp(beta),
            "shr_conf_low": np.exp(beta - z * se),
            "shr_conf_high": np.exp(beta + z * se),
        }
    )
    baseline = pd.DataFrame(
        {
            "time": fit["event_times"],
            "jump": fit["jumps"],
            "cumulative_hazard": np.cumsum(fit["jumps"]),
        }
    )
    return FineGrayResult(
        terms=table,
        loglik=fit["loglik"],
        loglik_null=fit["loglik_null"],
        variance=fit["variance"],
        information=fit["information"],
        baseline=baseline,
        cause=cause,
        n=sd.n,
        n_events=int((status == 1).sum()),
        n_competing=int((status == 2).sum()),
        n_censored=int((status == 0).sum()),
        converged=fit["converged"],
        iterations=fit["iterations"],
        duration=duration,
        event=event,
        alpha=alpha,
        cengroup=cengroup,
        n_cengroups=1 if groups is None else int(groups.max()) + 1,
    )


class _FineGrayData:
    """The fixed parts of crr's pseudo-likelihood: sorted times, censoring weights, counts."""

    def __init__(
        self,
        time: np.ndarray,
        status: np.ndarray,
        x: np.ndarray,
        groups: np.ndarray | None = None,
    ):
        grid, inv = np.unique(time, return_inverse=True)
        self.m = grid.size
        self.grid = grid
        self.inv = inv
        self.status = status
        self.center = x.mean(axis=0)
        self.x = x - self.center  # the likelihood and its derivatives do not change
        self.d1 = np.bincount(inv, weights=(status == 1).astype(float), minlength=self.m)
        # Censoring groups (crr's cengroup; one group by default): per group k and distinct
        # time, the number at risk, the censorings and G_k(t-), rows k of (K, m) arrays.
        self.groups = np.zeros(len(time), dtype=np.int64) if groups is None else groups
        self.n_groups = int(self.groups.max()) + 1 if len(time) else 1
        key = self.groups * self.m + inv
        size = self.n_groups * self.m
        total = np.bincount(key, minlength=size).reshape(self.n_groups, self.m).astype(float)
        cens = np.bincount(key, weights=(status == 0).astype(float), minlength=size)
        self.cens = cens.reshape(self.n_groups, self.m)
        self.at_risk = np.cumsum(total[:, ::-1], axis=1)[:, ::-1]
        # Kaplan-Meier of censoring; G(t-) at each distinct time. crr reads the curve at
        # t * (1 - 100 eps), which is G(t-) except at t = 0, where it is G(0).
        with np.errstate(divide="ignore", invalid="ignore"):
            hazard = np.where(self.at_risk > 0, self.cens / self.at_risk, 0.0)
        g_surv = np.cumprod(1.0 - hazard, axis=1)
        g_minus = np.hstack([np.ones((self.n_groups, 1)), g_surv[:, :-1]])
        if grid[0] == 0:
            g_minus[:, 0] = g_surv[:, 0]
        # After a group's last time its curve is 0, as crr reads it (approx(..., rule = 2)
        # past the group's own survfit): its competing exits leave the later risk sets.
        last = self.m - 1 - np.argmax(total[:, ::-1] > 0, axis=1)
        g_minus[np.arange(self.m)[None, :] > last[:, None]] = 0.0
        self.g_minus = g_minus
        self.fail = self.d1 > 0  # distinct times with an exit of the cause
        self.competing = status == 2
        # 1 / G_k(T_i-) for competing exits (they stay in later risk sets with
        # G_k(t-)/G_k(T_i-), k their censoring group)
        self.comp_weight = np.where(self.competing, 1.0 / g_minus[self.groups, inv], 0.0)
        self.is_event = status == 1

    def _by_group(self, weights: np.ndarray) -> np.ndarray:
        """Sums of ``weights`` per censoring group and distinct time, shape (K, m)."""
        key = self.groups * self.m + self.inv
        sums = np.bincount(key, weights=weights, minlength=self.n_groups * self.m)
        return sums.reshape(self.n_groups, self.m)

    def risk_sums(self, beta: np.ndarray, order: int):
        """S0, S1, S2 at every distinct time (crr's weighted risk sets), and exp(x'beta)."""
        lp = self.x @ beta
        r = np.exp(lp)
        p = self.x.shape[1]
        cols = [np.ones(len(r))]
        if order >= 1:
            cols += [self.x[:, j] for j in range(p)]
        if order >= 2:
            cols += [self.x[:, j] * self.x[:, k] for j in range(p) for k in range(j, p)]
        at = np.empty((self.m, len(cols)))
        comp = np.empty((self.n_groups, self.m, len(cols)))
        rc = r * self.comp_weight
        for c, col in enumerate(cols):
            at[:, c] = np.bincount(self.inv, weights=r * col, minlength=self.m)
            comp[:, :, c] = self._by_group(rc * col)
        # persons with T >= t, plus competing exits before t weighted by G_k(t-)/G_k(T-)
        sums = np.cumsum(at[::-1], axis=0)[::-1]
        before = np.cumsum(comp, axis=1) - comp
        sums += np.einsum("km,kmc->mc", self.g_minus, before)
        s0 = sums[:, 0]
        s1 = sums[:, 1 : 1 + p] if order >= 1 else None
        s2 = None
        if order >= 2:
            s2 = np.empty((self.m, p, p))
            c = 1 + p
            for j in range(p):
                for k in range(j, p):
                    s2[:, j, k] = s2[:, k, j] = sums[:, c]
                    c += 1
        return lp, r, s0, s1, s2

    def objective(self, beta: np.ndarray, order: int = 2):
        """crr's minimised function: -loglik, its gradient and Hessian (order 0, 1, 2)."""
        lp, _, s0, s1, s2 = self.risk_sums(beta, order)
        f, d = self.fail, self.d1[self.fail]
        lik = -lp[self.is_event].sum() + (d * np.log(s0[f])).sum()
        if order == 0:
            return lik, None, None
        xbar = s1[f] / s0[f, None]
        grad = -self.x[self.is_event].sum(axis=0) + (d[:, None] * xbar).sum(axis=0)
        if order == 1:
            return lik, grad, None
        cov = s2[f] / s0[f, None, None] - xbar[:, :, None] * xbar[:, None, :]
        hess = np.einsum("t,tjk->jk", d, cov)
        return lik, grad, hess


def _crr(
    time: np.ndarray,
    status: np.ndarray,
    x: np.ndarray,
    groups: np.ndarray | None = None,
    max_iter: int = 10,
    gtol: float = 1e-6,
) -> dict:
    """cmprsk::crr's fit (Newton-Raphson with step halving) and sandwich variance."""
    fg = _FineGrayData(time, status, x, groups)
    p = x.shape[1]
    beta = np.zeros(p)
    converged = False
    iterations = 0
    for ll in range(max_iter + 1):
        lik, grad, hess = fg.objective(beta)
        if np.max(np.abs(grad) * np.maximum(np.abs(beta), 1.0)) < max(abs(lik), 1.0) * gtol:
            converged = True
            break
        if ll == max_iter:
            break
        try:
            step = -np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            raise DesignError(
                "the Fine-Gray information matrix is singular: a covariate is constant or "
                "collinear with others among the persons at risk. Drop or combine covariates."
            ) from None
        bn = beta + step
        fbn = fg.objective(bn, order=0)[0]
        halvings = 0
        while not np.isfinite(fbn) or fbn > lik + 1e-4 * float(step @ grad):
            halvings += 1
            step = step * 0.5
            bn = beta + step
            fbn = fg.objective(bn, order=0)[0]
            if halvings > 20:
                break
        if halvings > 20:
            break
        beta = bn
        iterations += 1
    lik, grad, info = fg.objective(beta)
    if not np.all(np.isfinite(info)) or np.linalg.matrix_rank(info) < p:
        raise DesignError(
            "the Fine-Gray information matrix is singular: a covariate is constant or "
            "collinear with others among the persons at risk. Drop or combine covariates."
        )
    meat = _crr_meat(fg, beta)
    bread = np.linalg.inv(info)
    variance = bread @ meat @ bread.T
    variance = (variance + variance.T) / 2.0
    loglik_null = -fg.objective(np.zeros(p), order=0)[0]
    _, _, s0, _, _ = fg.risk_sums(beta, 0)
    # crr reports jumps on the uncentred covariate scale: S0 there is S0 * exp(center'beta)
    jumps = fg.d1[fg.fail] / (s0[fg.fail] * math.exp(float(fg.center @ beta)))
    return {
        "beta": beta,
        "variance": variance,
        "information": info,
        "loglik": -lik,
        "loglik_null": loglik_null,
        "converged": converged,
        "iterations": iterations,
        "event_times": fg.grid[fg.fail],
        "jumps": jumps,
    }


def _crr_meat(fg: _FineGrayData, beta: np.ndarray) -> np.ndarray:
    r"""Sum over persons of (eta_i + psi_i)(eta_i + psi_i)', crr's ``crrvv`` in O(n p).

    With S0, xbar at the distinct exit times s of the cause (d_s exits) and cumulative sums
    A0(t) = sum_{s<=t} d_s/S0, A1(t) = sum_{s<=t} d_s xbar/S0, B0/B1 the same with G(s-):

    eta_i = [eps_i=1](x_i - xbar(T_i)) - e^{lp_i} (x_i A0(T_i) - A1(T_i))
            - [eps_i=2] e^{lp_i}/G(T_i-) (x_i (B0(inf) - B0(T_i)) - (B1(inf) - B1(T_i)));
    q(u) = P1(u) (B0(inf) - B0(u-)) - P0(u) (B1(inf) - B1(u-)), P0/P1 the sums of
           e^{lp}/G(T-) (times x) over competing exits before u;
    psi_i = [eps_i=0] q(T_i)/R(T_i) - sum_{censoring times u <= T_i} c_u q(u)/R(u)^2.

    With censoring groups (crr's ``cengroup``) G, B0/B1 in eta_i are person i's group's
    G_k; q_k(u) uses group k's competing exits (P0_k, P1_k) and group k's exits of the
    cause (d_{k,s} in B0/B1), and R, c_u are group k's numbers at risk and censorings.
    """
    lp, r, s0, s1, _ = fg.risk_sums(beta, 1)
    x = fg.x
    inv = fg.inv
    f = fg.fail
    d = np.where(f, fg.d1, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        xbar = np.where(f[:, None], s1 / np.where(f, s0, 1.0)[:, None], 0.0)
        h = np.where(f, d / np.where(f, s0, 1.0), 0.0)  # d_s / S0(s)
    a0 = np.cumsum(h)
    a1 = np.cumsum(h[:, None] * xbar, axis=0)
    # B0_k, B1_k: the same sums weighted by each censoring group's G_k(s-), (K, m[, p])
    hg = h[None, :] * fg.g_minus
    b0 = np.cumsum(hg, axis=1)
    b1 = np.cumsum(hg[:, :, None] * xbar[None, :, :], axis=1)
    b0_tot, b1_tot = b0[:, -1], b1[:, -1]

    eta = np.zeros_like(x)
    ev = fg.is_event
    eta[ev] = x[ev] - xbar[inv[ev]]
    eta -= r[:, None] * (x * a0[inv][:, None] - a1[inv])
    cp = fg.competing
    ti, kc = inv[cp], fg.groups[cp]
    eta[cp] -= (r[cp] * fg.comp_weight[cp])[:, None] * (
        x[cp] * (b0_tot[kc] - b0[kc, ti])[:, None] - (b1_tot[kc] - b1[kc, ti])
    )

    # psi: the censoring martingale part, within each censoring group k. As crr's crrvv
    # (cmprsk 2.2-11), q_k(u) pairs group k's competing exits before u with group k's own
    # exits of the cause from u on, and a censoring in group k is scaled by that group's
    # number at risk. With one group this is the formula above.
    rc = r * fg.comp_weight
    p0_t = fg._by_group(rc)
    p1_t = np.stack([fg._by_group(rc * x[:, j]) for j in range(x.shape[1])], axis=2)
    p0 = np.cumsum(p0_t, axis=1) - p0_t  # competing exits strictly before u
    p1 = np.cumsum(p1_t, axis=1) - p1_t
    with np.errstate(divide="ignore", invalid="ignore"):
        hq = np.where(f[None, :], fg._by_group(ev.astype(float)) / np.where(f, s0, 1.0), 0.0)
    hq *= fg.g_minus  # d_k(s) G_k(s-) / S0(s), d_k the group's exits of the cause
    bq0 = np.cumsum(hq[:, ::-1], axis=1)[:, ::-1]  # sums over s >= u
    bq1 = np.cumsum((hq[:, :, None] * xbar[None, :, :])[:, ::-1], axis=1)[:, ::-1]
    q = p1 * bq0[:, :, None] - p0[:, :, None] * bq1
    risk = fg.at_risk
    with np.errstate(divide="ignore", invalid="ignore"):
        q_over_r = np.where(fg.cens[:, :, None] > 0, q / risk[:, :, None], 0.0)
        drift = np.cumsum(fg.cens[:, :, None] * q_over_r / risk[:, :, None], axis=1)
    k = fg.groups
    psi = -drift[k, inv]
    cn = fg.status == 0
    psi[cn] += q_over_r[k[cn], inv[cn]]
    total = eta + psi
    return total.T @ total
