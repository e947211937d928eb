"""Residual plots of a Cox model: functional form and influence.

:func:`functional_form_plot` draws martingale residuals (of the null model, or of the
fitted model) against a covariate with a lowess smooth (statsmodels' ``lowess``), as in
Therneau & Grambsch (2000), ch. 5: the smooth of the null-model residuals against a
covariate shows the form in which it enters the log hazard (a straight line: linear; a
bend: a threshold or a log); the smooth of the fitted model's residuals against a
covariate in the model should be flat. :func:`influence_plot` draws, for each
coefficient, the dfbeta of each observation (the approximate change in the coefficient
when the observation is left out) against its position in the data the fit used.

Disclosure control
------------------
Residuals are person-level values: a point of a residual plot is one person's (its
position on the covariate axis is the person's value). From register data such a figure
is microdata, so with ``disclosure=5`` (the default) both figures draw **binned
summaries** only:

- the observations, in the order of the covariate (functional form) or of their
  position (influence), are cut into consecutive bins that each hold at least
  ``disclosure`` persons (rows, or distinct ``id`` values when ``id=`` is given for data
  with several rows per person);
- functional form: each bin is drawn as the mean covariate and the mean residual of its
  persons; the lowess smooth is fitted on all observations (every smoothed value rests
  on ``frac * n`` of them, at least ``disclosure`` persons or the figure is refused) and
  drawn only between the first and the last bin's mean covariate, so that the axis never
  shows the smallest or largest person's value;
- influence: each bin is drawn as the mean dfbeta of its persons (bars) and their root
  mean square (markers: large where an influential observation sits);
- a note under the figure says so, and the figure declares its threshold to the output
  gate (:func:`evalkit.output.gate.declare_figure`).

``disclosure=None`` draws every observation (the analyst's view on screen, inside the
register environment). Such a figure is declared as drawn without disclosure control:
the gate (:func:`evalkit.output.gate.gate_figure`, ``save_figure``) refuses it unless
the data are declared synthetic, public or published (``source="synthetic"``).

References
----------
Therneau, T. M. & Grambsch, P. M. (2000). *Modeling Survival Data: Extending the Cox
Model*, ch. 5 (functional form) and 7 (influence). Springer.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .._validation import check_choice
from ..errors import ArgumentError
from .labels import NumberFormatter, check_lang, label, term
from .plots import _check_disclosure, _declare, _styled
from .style import FIGSIZE, LINE_WIDTH, SMALL_FONT_SIZE, new_figure, palette

__all__ = ["functional_form_plot", "influence_plot"]

MODELS = ("null", "fitted")


def _fit_rows(fit):
    """The rows the fit kept (an ArgumentError for anything but a cox() fit)."""
    if not hasattr(fit, "residuals") or not hasattr(fit, "terms"):
        raise ArgumentError(
            f"fit must be a CoxResult (evalkit.survival.cox); got {type(fit).__name__}."
        )
    from ..survival.cox_curves import _data

    return _data(fit)


def _persons(id, n: int) -> np.ndarray | None:
    """Person of each row of the fit (None: every row is a person)."""
    if id is None:
        return None
    values = np.asarray(id.to_numpy() if isinstance(id, pd.Series) else id)
    if values.ndim != 1 or len(values) != n:
        raise ArgumentError(
            f"id must give the person of each of the fit's {n} rows (one value per row, in "
            f"the order of the data the fit used); got {values.shape[0] if values.ndim else 0}."
        )
    if pd.isna(values).any():
        raise ArgumentError("id has missing values; every row needs its person.")
    return pd.factorize(values)[0]


def _bins(persons: np.ndarray | None, n: int, threshold: int, n_bins: int) -> np.ndarray:
    """Edges (positions 0..n) of consecutive bins of rows in plot order that each hold at
    least ``threshold`` persons (``persons``: person code of each row in plot order)."""

    def count(a: int, b: int) -> int:
        return b - a if persons is None else len(np.unique(persons[a:b]))

    total = count(0, n)
    if total < threshold:
        raise ArgumentError(
            f"the fit has {total} persons, fewer than the disclosure threshold {threshold}: "
            "no bin can be shown. Pass disclosure=None to look at the residuals on screen "
            "(not to be exported from register data)."
        )
    size = max(1, -(-n // n_bins))
    edges = [0]
    for end in range(size, n, size):
        if count(edges[-1], end) >= threshold and count(end, n) >= threshold:
            edges.append(end)
    edges.append(n)
    return np.asarray(edges)


def _bin_means(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    sums = np.add.reduceat(values, edges[:-1], axis=0)
    sizes = np.diff(edges)
    return sums / (sizes if values.ndim == 1 else sizes[:, None])


def _note(fig: Figure, threshold: int, lang: str) -> None:
    note = fig.text(0.01, 0.005, label("residual_bin_note", lang, t=threshold),
                    fontsize=SMALL_FONT_SIZE, ha="left", va="bottom")  # fmt: skip
    note.set_gid("disclosure_note")


def _covariate_values(fd, fit, covariate, data) -> np.ndarray:
    """The covariate of each row of the fit: a numeric covariate of the fit, or a
    numeric column of ``data`` (the rows the fit used, under the same index labels)."""
    if not isinstance(covariate, str):
        raise ArgumentError(f"covariate must be a column name; got {covariate!r}.")
    if data is None:
        numeric = [name for name, levels in fd.coding if levels is None]
        if covariate not in numeric:
            raise ArgumentError(
                f"covariate {covariate!r} is not a numeric covariate of the fit "
                f"(numeric covariates: {', '.join(numeric) or 'none'}); pass data= with "
                "the column to look at a covariate outside the model."
            )
        return fd.x[:, fit.terms.index(covariate)].astype(float)
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(f"data must be a pandas DataFrame; got {type(data).__name__}.")
    if covariate not in data.columns:
        raise ArgumentError(f"data has no column {covariate!r}.")
    column = data[covariate]
    if not (pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column)):
        raise ArgumentError(
            f"column {covariate!r} is not numeric; a functional form is drawn for a numeric "
            "covariate (look at a categorical one with its levels as covariates of the fit)."
        )
    if not data.index.is_unique or not fd.index.isin(data.index).all():
        raise ArgumentError(
            "data must hold the rows the fit used under the same (unique) index labels, "
            "e.g. the frame passed to cox()."
        )
    values = column.loc[fd.index].to_numpy(dtype=float, na_value=np.nan)
    if not np.isfinite(values).all():
        raise ArgumentError(
            f"column {covariate!r} has missing or infinite values in rows the fit used."
        )
    return values


@_styled
def functional_form_plot(
    fit,
    covariate: str,
    data: pd.DataFrame | None = None,
    model: str = "null",
    lang: str = "en",
    disclosure: int | None = 5,
    id=None,
    bins: int = 20,
    frac: float = 2 / 3,
    xlabel: str | None = None,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Martingale residuals against a covariate with a lowess smooth (functional form).

    Parameters
    ----------
    fit : a :class:`~evalkit.survival.cox.CoxResult` from :func:`~evalkit.survival.cox`.
    covariate : a numeric covariate of the fit, or a numeric column of ``data``.
    data : the frame the fit was made from (needed for a covariate outside the model;
        its rows are matched to the fit's by index label).
    model : ``"null"`` (default: residuals with every coefficient 0, Therneau &
        Grambsch's plot for choosing the form) or ``"fitted"`` (residuals of the fit: a
        flat smooth when the covariate's form is right).
    lang : ``"en"`` or ``"da"``.
    disclosure : threshold of the disclosure control (default 5: binned means of at least
        5 persons, see the module docstring); None draws every observation (refused by
        the output gate for register data).
    id : person of each row of the fit (array, in the order of the fit's rows) when a
        person has several rows; bins then count distinct persons.
    bins : the number of bins aimed at (fewer when bins would hold too few persons).
    frac : the share of observations in each lowess window (statsmodels' ``frac``).
    xlabel, figsize : axis label (default the covariate) and figure size.

    Returns
    -------
    Figure (gids ``"residual_point"`` or ``"residual_bin"``, ``"lowess"``,
    ``"disclosure_note"``).

    Example
    -------
    >>> import numpy as np, pandas as pd
    >>> from evalkit.survival import cox
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"age": rng.uniform(20, 60, 200), "treated": rng.integers(0, 2, 200)})
    >>> d["weeks"] = np.ceil(rng.exponential(30 * np.exp(-(d["age"] - 40) / 20)))
    >>> d["exit"] = (d["weeks"] < 52).astype(int)
    >>> d["weeks"] = d["weeks"].clip(upper=52)
    >>> fig = functional_form_plot(cox(d, "weeks", "exit", covariates=["age", "treated"]), "age")
    >>> fig.axes[0].get_ylabel()
    'Martingale residual (null model)'
    """
    check_lang(lang)
    check_choice(model, "model", MODELS)
    threshold = _check_disclosure(disclosure)
    fd = _fit_rows(fit)
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 2:
        raise ArgumentError(f"bins must be a whole number of at least 2; got {bins!r}.")
    if not isinstance(frac, float | int) or not 0 < frac <= 1:
        raise ArgumentError(f"frac must be a share in (0, 1]; got {frac!r}.")
    x = _covariate_values(fd, fit, covariate, data)
    if len(np.unique(x)) < 3:
        raise ArgumentError(
            f"covariate {covariate!r} takes fewer than 3 values; its functional form cannot "
            "be smoothed (a binary or few-valued covariate has no form to choose)."
        )
    persons = _persons(id, fd.n)
    source = fit if model == "fitted" else replace(fit, coefficients=np.zeros(len(fit.terms)))
    resid = source.residuals("martingale")["residual"].to_numpy(float)
    order = np.argsort(x, kind="stable")
    xs, rs = x[order], resid[order]
    from statsmodels.nonparametric.smoothers_lowess import lowess

    smooth = lowess(rs, xs, frac=float(frac), return_sorted=True)
    fig = new_figure(figsize or (FIGSIZE[0], FIGSIZE[1] + (0.3 if threshold else 0.0)))
    ax = fig.subplots()
    point_colour, line_colour = palette(2)
    if threshold is None:
        ax.scatter(xs, rs, s=8, color=point_colour, alpha=0.5, linewidths=0,
                   label=label("residual_observations", lang), gid="residual_point")  # fmt: skip
        keep = np.ones(len(smooth), dtype=bool)
    else:
        codes = None if persons is None else persons[order]
        n_persons = fd.n if codes is None else len(np.unique(codes))
        if n_persons * frac < threshold:
            raise ArgumentError(
                f"each lowess value would rest on fewer than {threshold} persons "
                f"({n_persons} persons, frac={frac}); pass a larger frac or disclosure=None "
                "to look at the residuals on screen."
            )
        edges = _bins(codes, fd.n, threshold, int(bins))
        bx, by = _bin_means(xs, edges), _bin_means(rs, edges)
        ax.scatter(bx, by, s=22, color=point_colour, zorder=3,
                   label=label("residual_bin_mean", lang, t=threshold),
                   gid="residual_bin")  # fmt: skip
        keep = (smooth[:, 0] >= bx[0]) & (smooth[:, 0] <= bx[-1])
    (line,) = ax.plot(smooth[keep, 0], smooth[keep, 1], color=line_colour, lw=LINE_WIDTH,
                      label=label("lowess_smooth", lang))  # fmt: skip
    line.set_gid("lowess")
    ax.axhline(0.0, color="0.6", lw=0.8, zorder=0)
    key = "martingale_residual_null" if model == "null" else "martingale_residual"
    ax.set_ylabel(label(key, lang))
    ax.set_xlabel(term(covariate, lang) if xlabel is None else xlabel)
    ax.xaxis.set_major_formatter(NumberFormatter(lang))
    ax.yaxis.set_major_formatter(NumberFormatter(lang))
    ax.legend(loc="best", fontsize=SMALL_FONT_SIZE, frameon=False)
    if threshold is not None:
        fig.subplots_adjust(bottom=0.2)
        _note(fig, threshold, lang)
    return _declare(fig, threshold)


@_styled
def influence_plot(
    fit,
    lang: str = "en",
    disclosure: int | None = 5,
    id=None,
    bins: int = 50,
    terms=None,
    scaled: bool = False,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """dfbeta of each observation for each coefficient, against its position (influence).

    Parameters
    ----------
    fit : a :class:`~evalkit.survival.cox.CoxResult` from :func:`~evalkit.survival.cox`
        (efron or breslow ties: R has no dfbeta for exact ties either).
    lang : ``"en"`` or ``"da"``.
    disclosure : threshold of the disclosure control (default 5: per bin of consecutive
        observations holding at least 5 persons, the mean dfbeta and its root mean square;
        see the module docstring); None draws every observation (refused by the output
        gate for register data).
    id : person of each row of the fit (array, in the order of the fit's rows) when a
        person has several rows; bins then count distinct persons.
    bins : the number of bins aimed at.
    terms : the coefficients to show (default all), by term name.
    scaled : draw dfbetas (dfbeta divided by the coefficient's standard error).
    figsize : figure size.

    Returns
    -------
    Figure with one axes per coefficient (gids ``"dfbeta_point"`` or ``"dfbeta_mean"``
    and ``"dfbeta_rms"``, ``"disclosure_note"``).

    Example
    -------
    >>> import pandas as pd
    >>> from evalkit.survival import cox
    >>> d = pd.DataFrame({"weeks": [2, 4, 4, 6, 9, 9, 12, 15, 20, 26] * 3,
    ...                   "exit": [1, 1, 1, 0, 1, 1, 0, 1, 1, 0] * 3,
    ...                   "treated": [1, 1, 0, 1, 0, 1, 0, 0, 0, 1] * 3})
    >>> fig = influence_plot(cox(d, "weeks", "exit", treatment="treated"), lang="da")
    >>> fig.axes[0].get_xlabel()
    'Observationsnummer'
    """
    check_lang(lang)
    threshold = _check_disclosure(disclosure)
    fd = _fit_rows(fit)
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 1:
        raise ArgumentError(f"bins must be a whole number of at least 1; got {bins!r}.")
    names = list(fit.terms)
    if terms is not None:
        chosen = [terms] if isinstance(terms, str) else list(terms)
        unknown = [t for t in chosen if t not in names]
        if unknown or not chosen:
            raise ArgumentError(
                f"terms must name coefficients of the fit ({', '.join(names)}); got "
                f"{', '.join(map(str, unknown)) or 'none'}."
            )
        names = chosen
    values = fit.residuals("dfbetas" if scaled else "dfbeta")[names].to_numpy(float)
    persons = _persons(id, fd.n)
    k = len(names)
    fig = new_figure(figsize or (FIGSIZE[0], 1.0 + 1.9 * k + (0.3 if threshold else 0.0)))
    axes = fig.subplots(k, 1, sharex=True, squeeze=False)[:, 0]
    position = np.arange(1, fd.n + 1)
    mean_colour, rms_colour = palette(2)
    edges = None if threshold is None else _bins(persons, fd.n, threshold, int(bins))
    for j, (ax, name) in enumerate(zip(axes, names, strict=True)):
        if edges is None:
            ax.vlines(position, 0.0, values[:, j], color=mean_colour, lw=0.8, gid="dfbeta_point")
        else:
            centre = (edges[:-1] + edges[1:] + 1) / 2
            mean = _bin_means(values[:, j], edges)
            rms = np.sqrt(_bin_means(values[:, j] ** 2, edges))
            ax.bar(centre, mean, width=np.diff(edges) * 0.9, color=mean_colour,
                   label=label("dfbeta_bin_mean", lang, t=threshold),
                   gid="dfbeta_mean")  # fmt: skip
            ax.plot(centre, rms, "o", ms=3.5, color=rms_colour,
                    label=label("dfbeta_bin_rms", lang), gid="dfbeta_rms")  # fmt: skip
            if j == 0:
                ax.legend(loc="best", fontsize=SMALL_FONT_SIZE, frameon=False)
        ax.axhline(0.0, color="0.6", lw=0.8, zorder=0)
        ax.set_ylabel(label("dfbetas_of" if scaled else "dfbeta_of", lang, term=term(name, lang)))
        ax.yaxis.set_major_formatter(NumberFormatter(lang))
    axes[-1].set_xlabel(label("observation_number", lang))
    axes[-1].xaxis.set_major_formatter(NumberFormatter(lang))
    axes[-1].set_xlim(0.5, fd.n + 0.5)
    if threshold is not None:
        fig.subplots_adjust(bottom=0.1 + 0.1 / k)
        _note(fig, threshold, lang)
    return _declare(fig, threshold)
