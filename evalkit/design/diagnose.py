"""Simulation-based design diagnosis, in the spirit of DeclareDesign (Blair, Cooper,
Coppock & Humphreys 2019, *APSR* 113:838).

A design is simulated many times; every simulated trial is analysed with the estimator
that will be used on the real one, and the estimates are compared with the estimand
(the true effect of the simulation). :func:`diagnose_design` reports the *diagnosands*:

- **power**: share of simulations with ``p < alpha``;
- **bias**: mean of ``estimate - estimand``; **RMSE**: root mean squared error;
- **coverage**: share of confidence intervals that contain the estimand;
- mean estimate, SD of the estimates and mean standard error (a well-calibrated SE has
  mean SE close to the SD of the estimates),

each with its Monte Carlo standard error, so that "coverage 0.94" can be told apart
from 0.95 honestly. Designs that can draw many trials at once (``simulate_many``) are
simulated in one vectorised call; :func:`jobfirst_design` does so for a JobFirst-size
trial on :func:`evalkit.datasets.simulate_register`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._progress import Progress
from ..errors import ArgumentError, EvalkitError
from ..inference.randomization import check_draws, check_seed
from ..output.declare import declare_table
from ..results import EffectResult, TableDisplay

__all__ = [
    "DesignDiagnosis",
    "SimulatedDesign",
    "diagnose_design",
    "jobfirst_design",
    "normal_design",
]


class SimulatedDesign:
    """A design that simulates trials: one at a time or many in one vectorised call.

    ``simulate_many(n_sims, seed)`` returns one frame with a ``sim`` column (0 ..
    n_sims - 1) stacking the simulated trials; ``simulate(seed)`` returns one trial.
    ``estimand`` is the true effect the estimator targets (None when unknown), with its
    Monte Carlo standard error ``estimand_se`` when it is itself simulated.
    """

    def __init__(self, description: str, many: Callable, estimand=None, estimand_se=0.0):
        self.description = description
        self._many = many
        self._estimand = estimand
        self._estimand_se = estimand_se
        self._resolved = None

    def simulate_many(self, n_sims: int, seed: int | None) -> pd.DataFrame:
        """``n_sims`` trials stacked in one frame with a ``sim`` column. ``seed`` follows
        evalkit's seed rule (:func:`evalkit.inference.randomization.check_seed`: a whole
        number, ``None`` or a Generator); the seed used is in ``frame.attrs["seed"]``."""
        seed_value = check_seed(seed)
        frame = self._many(check_draws(n_sims), seed_value)
        frame.attrs["seed"] = seed_value
        return frame

    def simulate(self, seed: int | None) -> pd.DataFrame:
        """One simulated trial (the seed used in ``frame.attrs["seed"]``)."""
        return self.simulate_many(1, seed).drop(columns="sim")

    def _resolve(self):
        if self._resolved is None:
            if callable(self._estimand):
                self._resolved = self._estimand()
            else:
                self._resolved = (self._estimand, self._estimand_se)
        return self._resolved

    @property
    def estimand(self) -> float | None:
        """The true effect (computed on first use when it is simulated)."""
        return self._resolve()[0]

    @property
    def estimand_se(self) -> float:
        """Monte Carlo standard error of a simulated estimand (0 when known exactly)."""
        return self._resolve()[1]

    def __repr__(self) -> str:
        return f"SimulatedDesign({self.description!r})"


def _synthetic_persons(many: Callable) -> Callable:
    """``many`` whose frames (one row per simulated person) are declared person-level and
    synthetic for the output gate: they describe no one."""

    def declared(n_sims: int, seed: int) -> pd.DataFrame:
        return declare_table(many(n_sims, seed), person_level=True, source="synthetic")

    return declared


def normal_design(
    n_treated: int = 50, n_control: int = 50, effect: float = 0.0, sd: float = 1.0
) -> SimulatedDesign:
    """Complete randomization of ``n_treated + n_control`` units with normal outcomes.

    ``y = effect * treated + N(0, sd^2)``; the estimand is ``effect``. Columns ``y`` and
    ``treated`` (and ``sim`` in :meth:`SimulatedDesign.simulate_many`).

    Example
    -------
    >>> normal_design(3, 2, effect=1.0).simulate(1).shape
    (5, 2)
    """
    for value, name in ((n_treated, "n_treated"), (n_control, "n_control")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ArgumentError(f"{name} must be a whole number >= 1; got {value!r}.")
    n = n_treated + n_control

    def many(n_sims: int, seed: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        keys = rng.random((n_sims, n))
        treated = np.zeros((n_sims, n), dtype=np.int64)
        np.put_along_axis(treated, np.argsort(keys, axis=1)[:, :n_treated], 1, axis=1)
        y = effect * treated + sd * rng.standard_normal((n_sims, n))
        return pd.DataFrame(
            {"sim": np.repeat(np.arange(n_sims), n), "y": y.ravel(), "treated": treated.ravel()}
        )

    return SimulatedDesign(
        f"normal outcomes, complete randomization {n_treated}/{n_control}, effect {effect:g}, "
        f"sd {sd:g}",
        _synthetic_persons(many),
        estimand=float(effect),
    )


def jobfirst_design(
    hazard_ratio: float = 1.3,
    n_treated: int = 178,
    n_control: int = 172,
    window: tuple[int, int] = (1, 52),
    outcome: str = "weeks_self_sufficient",
    estimand_persons: int = 100_000,
    estimand_seed: int = 20_240_501,
) -> SimulatedDesign:
    """A JobFirst-size trial simulated on the SYNTHETIC register (``simulate_register``).

    Every simulated trial has ``n_treated`` and ``n_control`` activity-ready cash-benefit
    recipients whose weekly states follow the register model, the treated with the
    hazards into work multiplied by ``hazard_ratio``. The outcomes, from week 0 = the
    randomization week:

    - ``weeks_self_sufficient``: weeks self-sufficient in weeks ``window`` (1-52 by
      default), as :func:`evalkit.panel.weeks_in_states`;
    - ``any_self_sufficient``: 1 if at least one such week;

    with ``treated`` (0/1) and ``benefit`` (a possible block). Persons are independent
    given their arm, so ``simulate_many`` draws all treated persons of all trials in one
    :func:`simulate_register` call and all controls in another, and deals them out
    (exactly ``n_treated`` and ``n_control`` per trial, as the real design).

    The estimand is the average effect on ``outcome``: the difference between the arms'
    means over ``estimand_persons`` simulated persons per arm (drawn with the same seed
    for both arms, which couples their first weeks and shrinks the Monte Carlo error,
    reported as ``estimand_se``). It is computed on first use.

    Example
    -------
    >>> design = jobfirst_design(n_treated=4, n_control=3, estimand_persons=1000)
    >>> trial = design.simulate(seed=1)
    >>> trial.columns.tolist()
    ['id', 'treated', 'benefit', 'weeks_self_sufficient', 'any_self_sufficient']
    >>> int(trial["treated"].sum()), len(trial)
    (4, 7)
    """
    from ..datasets.synthetic import _simulate_register
    from ..panel.outcomes import weeks_in_states

    outcomes = ("weeks_self_sufficient", "any_self_sufficient")
    if outcome not in outcomes:
        raise ArgumentError(f"outcome must be one of {outcomes}; got {outcome!r}.")
    first, last = (int(w) for w in window)
    if not 0 <= first <= last:
        raise ArgumentError(
            f"window must be (first, last) weeks with 0 <= first <= last; got {window!r}."
        )

    def arm(n_persons: int, treated: bool, seed: int) -> pd.DataFrame:
        register = _simulate_register(
            n_treated=n_persons if treated else 0,
            n_control=0 if treated else n_persons,
            weeks_before=1,
            weeks_after=last,
            enrolment_weeks=1,
            start="2015-W10",
            hazard_ratio=hazard_ratio,
            seed=seed,
            layout="array",
        )
        weeks = weeks_in_states(register.panel(), "self_sufficient", (first, last))
        return pd.DataFrame(
            {
                "id": register.trial["id"].to_numpy(),
                "treated": np.full(n_persons, int(treated)),
                "benefit": register.trial["benefit"].to_numpy(),
                "weeks_self_sufficient": weeks["weeks_in_state"].to_numpy(),
                "any_self_sufficient": (weeks["weeks_in_state"].to_numpy() > 0).astype(int),
            }
        )

    def many(n_sims: int, seed: int) -> pd.DataFrame:
        seeds = np.random.SeedSequence(seed).generate_state(2, dtype=np.uint64)
        treated = arm(n_sims * n_treated, True, int(seeds[0]))
        control = arm(n_sims * n_control, False, int(seeds[1]))
        treated["sim"] = np.repeat(np.arange(n_sims), n_treated)
        control["sim"] = np.repeat(np.arange(n_sims), n_control)
        both = pd.concat([treated, control], ignore_index=True)
        order = np.argsort(both["sim"].to_numpy(), kind="stable")
        both = both.iloc[order].reset_index(drop=True)
        both["id"] = [
            f"SIM{s:05d}-{i:04d}"
            for s, i in zip(both["sim"], both.groupby("sim").cumcount(), strict=True)
        ]
        return both[["sim", "id", "treated", "benefit", *outcomes]]

    def estimand():
        t = arm(estimand_persons, True, estimand_seed)[outcome].to_numpy(float)
        c = arm(estimand_persons, False, estimand_seed)[outcome].to_numpy(float)
        diff = t - c
        return float(diff.mean()), float(diff.std(ddof=1) / math.sqrt(len(diff)))

    return SimulatedDesign(
        f"JobFirst-size trial ({n_treated}/{n_control}) on the synthetic register, hazard ratio "
        f"{hazard_ratio:g}, outcome {outcome} in weeks {first}-{last}",
        _synthetic_persons(many),
        estimand=estimand,
    )


# --------------------------------------------------------------------------- diagnosis
@dataclass(frozen=True, eq=False)
class DesignDiagnosis(TableDisplay):
    """The diagnosands of a simulated design.

    Attributes
    ----------
    diagnosands : one row per diagnosand (power, bias, rmse, coverage, mean_estimate,
        sd_estimate, mean_se) with its ``value`` and ``mc_std_error``.
    simulations : one row per simulated trial: estimate, std_error, p_value, conf_low,
        conf_high, estimand, and whether it rejected and covered.
    n_sims, n_failed : simulations run, and those where the estimator raised an evalkit
        error (left out of the diagnosands).
    seed : the master seed. ``alpha`` : the level of the tests and intervals.
    description : the design and estimator.

    The views show Monte Carlo summaries of simulated trials (no counts of persons) and
    pass CPR redaction (:class:`evalkit.results.SummaryDisplay`).
    """

    diagnosands: pd.DataFrame
    simulations: pd.DataFrame
    n_sims: int
    n_failed: int
    seed: int
    alpha: float
    description: str

    def _value(self, name: str) -> float:
        return float(self.diagnosands.loc[name, "value"])

    @property
    def power(self) -> float:
        return self._value("power")

    @property
    def bias(self) -> float:
        return self._value("bias")

    @property
    def rmse(self) -> float:
        return self._value("rmse")

    @property
    def coverage(self) -> float:
        return self._value("coverage")

    def to_frame(self) -> pd.DataFrame:
        """The diagnosands as a frame (diagnosand, value, mc_std_error), declared for the
        output gate with no counts of persons (Monte Carlo summaries of simulated trials)."""
        return declare_table(self.diagnosands.reset_index(), counts=[])

    def _view_counts(self) -> dict:
        """None: the numbers are Monte Carlo summaries of simulated trials."""
        return {}

    def _header(self) -> list[str]:
        return [
            f"Design diagnosis: {self.description}",
            f"{self.n_sims} simulations (seed {self.seed}, {self.n_failed} failed), "
            f"alpha {self.alpha:g}",
        ]

    def summary(self) -> str:
        table = self.diagnosands.to_string(float_format=lambda v: f"{v:.4g}")
        return "\n".join([*self._header(), table])


def diagnose_design(
    simulate,
    estimator: Callable[[pd.DataFrame], EffectResult],
    n_sims: int = 200,
    seed: int | None = None,
    estimand=None,
    alpha: float | None = None,
    progress: bool = False,
) -> DesignDiagnosis:
    """Simulate a design ``n_sims`` times and diagnose an estimator on it.

    Parameters
    ----------
    simulate : a function ``simulate(seed) -> DataFrame`` returning one simulated trial,
        or a design with ``simulate_many(n_sims, seed)`` (see :class:`SimulatedDesign`,
        :func:`normal_design`, :func:`jobfirst_design`), which simulates all trials in one
        vectorised call.
    estimator : a function of a trial frame returning an :class:`~evalkit.EffectResult`,
        e.g. ``lambda d: evalkit.difference_in_means(d, "y", "treated")``.
    n_sims : simulations.
    seed : master seed (``None`` draws one and records it); simulation ``i`` of a
        function gets the ``i``-th seed drawn from it.
    estimand : the true effect: a number, a function of the simulated trial, or None to
        use ``simulate.estimand`` (when there is none, bias, RMSE and coverage are NaN).
    alpha : level of the tests; default the estimator's ``alpha`` (intervals are the
        estimator's own ``1 - alpha`` intervals).
    progress : a progress line on standard error (simulations done, rate, time left).

    Monte Carlo standard errors: ``sqrt(p (1 - p) / S)`` for power and coverage,
    ``sd(e) / sqrt(S)`` for the bias and mean estimate, ``sd(e^2) / (2 RMSE sqrt(S))``
    (delta method) for the RMSE and ``sd / sqrt(2 (S - 1))`` for SDs, with ``S`` the
    successful simulations and ``e = estimate - estimand``.

    Example
    -------
    >>> import evalkit
    >>> design = normal_design(30, 30, effect=0.5)
    >>> diagnosis = diagnose_design(design, lambda d: evalkit.difference_in_means(d, "y",
    ...                             "treated"), n_sims=100, seed=1)
    >>> round(diagnosis.coverage, 2), round(diagnosis.power, 2)
    (0.97, 0.4)
    """
    n_sims = check_draws(n_sims)
    seed_value = check_seed(seed)
    if not callable(estimator):
        raise ArgumentError(
            "estimator must be a function of a trial frame returning an EffectResult."
        )
    if estimand is None:
        estimand = getattr(simulate, "estimand", None)
    if hasattr(simulate, "simulate_many"):
        stacked = simulate.simulate_many(n_sims, seed_value)
        trials = (
            (int(s), None, frame.drop(columns="sim"))
            for s, frame in stacked.groupby("sim", sort=True)
        )
        description = getattr(simulate, "description", "simulated design")
    elif callable(simulate):
        seeds = np.random.default_rng(seed_value).integers(0, 2**63 - 1, size=n_sims)
        trials = ((i, int(s), simulate(int(s))) for i, s in enumerate(seeds))
        description = getattr(simulate, "__name__", "simulated design")
    else:
        raise ArgumentError("simulate must be a function of a seed or have simulate_many().")
    rows, failed, levels = [], 0, set()
    with Progress("design diagnosis", n_sims, "simulations", bool(progress)) as bar:
        for i, sim_seed, frame in trials:
            if not isinstance(frame, pd.DataFrame):
                raise ArgumentError(
                    f"simulate must return a DataFrame; got {type(frame).__name__}."
                )
            truth = float(estimand(frame)) if callable(estimand) else estimand
            try:
                result = estimator(frame)
            except EvalkitError:
                failed += 1
                bar.update(1)
                continue
            if not isinstance(result, EffectResult):
                raise ArgumentError(
                    f"estimator must return an EffectResult; got {type(result).__name__}."
                )
            levels.add(result.alpha)
            rows.append(
                {
                    "sim": i,
                    "seed": sim_seed,
                    "estimate": result.estimate,
                    "std_error": np.nan if result.std_error is None else result.std_error,
                    "p_value": result.p_value,
                    "conf_low": result.conf_int[0],
                    "conf_high": result.conf_int[1],
                    "estimand": np.nan if truth is None else float(truth),
                }
            )
            bar.update(1)
    if not rows:
        raise ArgumentError("every simulation failed: the estimator raised on all of them.")
    sims = pd.DataFrame(rows)
    level = alpha if alpha is not None else (levels.pop() if len(levels) == 1 else 0.05)
    sims["rejects"] = sims["p_value"] < level
    truth = sims["estimand"].to_numpy(float)
    inside = (sims["conf_low"].to_numpy() <= truth) & (truth <= sims["conf_high"].to_numpy())
    sims["covers"] = np.where(np.isnan(truth), np.nan, inside.astype(float))
    return DesignDiagnosis(
        diagnosands=declare_table(_diagnosands(sims), counts=[]),
        simulations=declare_table(sims, counts=[]),  # one row per simulated trial
        n_sims=n_sims,
        n_failed=failed,
        seed=seed_value,
        alpha=level,
        description=description,
    )


def _diagnosands(sims: pd.DataFrame) -> pd.DataFrame:
    S = len(sims)
    est = sims["estimate"].to_numpy(float)
    err = est - sims["estimand"].to_numpy(float)
    rej = sims["rejects"].to_numpy(float)
    known = np.isfinite(err)

    def share(x):
        p = float(np.mean(x))
        return p, math.sqrt(p * (1 - p) / len(x))

    def sd_se(x):
        return float(np.std(x, ddof=1)) / math.sqrt(2 * (len(x) - 1)) if len(x) > 1 else np.nan

    power = share(rej)
    rows = {"power": power}
    if known.any():
        e = err[known]
        rmse = math.sqrt(float(np.mean(e**2)))
        rows["bias"] = (
            float(e.mean()),
            float(e.std(ddof=1)) / math.sqrt(len(e)) if len(e) > 1 else np.nan,
        )
        rows["rmse"] = (
            rmse,
            float(np.std(e**2, ddof=1)) / (2 * rmse * math.sqrt(len(e)))
            if rmse > 0 and len(e) > 1
            else np.nan,
        )
        rows["coverage"] = share(sims["covers"].to_numpy(float)[known])
    else:
        rows["bias"] = rows["rmse"] = rows["coverage"] = (np.nan, np.nan)
    sd = float(np.std(est, ddof=1)) if S > 1 else np.nan
    rows["mean_estimate"] = (float(est.mean()), sd / math.sqrt(S) if S > 1 else np.nan)
    rows["sd_estimate"] = (sd, sd_se(est))
    se = sims["std_error"].to_numpy(float)
    se = se[np.isfinite(se)]
    rows["mean_se"] = (
        float(se.mean()) if se.size else np.nan,
        float(se.std(ddof=1)) / math.sqrt(se.size) if se.size > 1 else np.nan,
    )
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["value", "mc_std_error"])
    frame.index.name = "diagnosand"
    return frame
