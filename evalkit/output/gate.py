"""The gate: the one place where a table, a figure or a text is made safe to leave.

Every exporter and renderer of evalkit calls it: :func:`gate_table` before a table is
written or rendered, :func:`gate_figure` before a figure is saved, :func:`gate_text` for
any other text (file names, captions). It

1. scans every text for CPR numbers with one detector (:mod:`evalkit.output.cpr`) and
   refuses, naming the column, label or file but never the value;
2. applies disclosure control to the numbers their makers declared
   (:mod:`evalkit.output.declare`): primary suppression of counts of 1 to
   ``threshold - 1`` persons (and zeros under rules that call them disclosive),
   secondary suppression against declared totals, suppression of a part whose
   complement (whole minus part) is a small count, suppression of values computed from
   a suppressed count (shares, means, estimates, texts quoting it), of amounts failing a
   dominance rule, pooling and truncation of survival curves, refusal of person-level
   tables;
3. refuses what it cannot make safe: a table from register data whose counts are not
   declared (the gate never guesses from column names), microdata, a figure drawn with
   disclosure control off or under a lower threshold than the rules';
4. returns a :class:`GateRecord` of what it did, for the output log
   (:mod:`evalkit.output.log`).

Data declared ``"synthetic"``, ``"public"`` or ``"published"`` are CPR-checked but not
suppressed (the record says so): published figures are already public and synthetic
data describe no one. A figure from such data that its plot drew with disclosure control
keeps it (harmless, and the record says at which threshold); saved with
:func:`evalkit.report.save_figure` it carries a stamp naming its source on its face.

Example
-------
>>> import pandas as pd
>>> from evalkit.output import declare_table
>>> t = declare_table(pd.DataFrame({"arm": ["treated", "control"], "persons": [178, 3],
...                                 "share": [0.40, 0.33]}),
...                   counts=["persons"], dependent=["share"])
>>> safe, record = gate_table(t, "arms.csv")
>>> safe
       arm persons share
0  treated     178   0.4
1  control      <5     x
>>> for cell in record.suppressed:
...     print(cell.get("column"), cell.get("row"), cell.get("reason"))
persons 1 primary
share 1 dependent
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ArgumentError
from .declare import check_source, declaration
from .rules import OutputRules, resolve_rules

CONTROLLED = "controlled"


def _disclosure():
    from ..report import disclosure

    return disclosure


def _cpr():
    from . import cpr

    return cpr


@dataclass
class GateRecord:
    """What the gate did to one artifact (an entry of the output log).

    Attributes
    ----------
    artifact : the file name or view the record is for.
    kind : ``"table"``, ``"figure"`` or ``"text"``.
    source : where the numbers come from (``"register"``, ``"synthetic"``, ...).
    rules : the rules applied.
    status : ``"pass"`` (controlled, nothing suppressed), ``"pass: suppressed"``,
        ``"pass: not controlled (<source> data)"``, or ``"review"`` (the gate checked
        the text but the numbers were not declared to it, e.g. a figure drawn outside
        evalkit: the output checker must look at it).
    checks : the checks made, in words.
    suppressed : one dict per suppressed cell: column, row (0-based position), reason
        (``primary``, ``secondary``, ``dependent``, ``complement``, ``dominance``).
    """

    artifact: str
    kind: str
    source: str
    rules: OutputRules
    status: str = "pass"
    checks: list[str] = field(default_factory=list)
    suppressed: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The record as plain JSON-ready data."""
        return {
            "artifact": self.artifact,
            "kind": self.kind,
            "source": self.source,
            "status": self.status,
            "rules": self.rules.as_dict(),
            "checks": list(self.checks),
            "suppressed_cells": len(self.suppressed),
            "suppressed": [dict(s) for s in self.suppressed],
        }


# --------------------------------------------------------------------------- texts
def gate_text(texts: str | Iterable[str], where: str, what: str = "text") -> None:
    """Refuse (PrivacyError) when any of ``texts`` holds a CPR-shaped number.

    The message names ``where`` and ``what``, never the text.

    >>> gate_text(["Weeks", "Treatment"], "figure.png", "label")
    """
    if isinstance(texts, str):
        texts = [texts]
    _cpr().check_text([str(t) for t in texts], where=where, what=what)


def _file_name(where: str) -> None:
    gate_text([where], where="a file name", what="file name")


# --------------------------------------------------------------------------- tables
def gate_table(
    frame: pd.DataFrame,
    where: str = "table",
    *,
    rules: OutputRules | str | None = None,
    source: str | None = None,
    count_columns: str | Sequence[str] | None = None,
    dependent_columns: Sequence[str] | None = None,
    totals: dict | None = None,
) -> tuple[pd.DataFrame, GateRecord]:
    """``frame`` made safe to write or render, with the record of what was done.

    Parameters
    ----------
    frame : the table (never modified).
    where : the file name or view, for messages and the log.
    rules : the output rules (default: :func:`~evalkit.output.current_rules`).
    source : where the numbers come from; default the frame's declaration, else
        ``"register"``.
    count_columns, dependent_columns, totals : declare the counts here when the frame
        carries no declaration (``count_columns=[]``: the table holds no counts of
        persons). They replace the frame's declared ones when given.

    Raises
    ------
    PrivacyError : a cell, the index, a column name or ``where`` holds a CPR number.
    DisclosureError : register data whose counts are undeclared, a person-level table,
        or a count that could not be suppressed.
    """
    if not isinstance(frame, pd.DataFrame):
        raise ArgumentError(f"gate_table takes a pandas DataFrame; got {type(frame).__name__}.")
    rules = resolve_rules(rules)
    info = declaration(frame) or {}
    source = check_source(source if source is not None else info.get("source", "register"))
    _file_name(where)
    _cpr().check_no_cpr(frame, where=where)
    record = GateRecord(where, "table", source, rules, checks=["CPR scan of cells, index, names"])
    if source != "register":
        record.status = f"pass: not controlled ({source} data)"
        record.checks.append(f"no disclosure control: the data are declared {source}")
        return frame, record
    disclosure = _disclosure()
    if info.get("person_level"):
        raise disclosure.DisclosureError(
            f"{where}: the table has one row per person ({len(frame)} rows); such a table is "
            "microdata and may not leave a register environment. Export aggregates "
            "instead, or declare the data synthetic or public (source='synthetic') if they are."
        )
    if info.get("kind") == "curve":
        return _gate_curve(frame, where, rules, record, disclosure)
    if info.get("controlled_at") is not None and count_columns is None:
        if info["controlled_at"] < rules.threshold:
            raise disclosure.DisclosureError(
                f"{where}: the table was made with a disclosure threshold of "
                f"{info['controlled_at']}, below the rules' {rules.threshold} ({rules.name}). "
                f"Make it with disclosure={rules.threshold}."
            )
        record.checks.append(
            f"disclosure control applied by the table's maker at threshold {info['controlled_at']}"
        )
        return frame, record
    if count_columns is None and not info:
        raise disclosure.DisclosureError(
            f"{where}: the table does not declare which of its {frame.shape[1]} columns hold "
            "counts of persons, and evalkit does not guess from column names. Pass "
            "count_columns=[...] (count_columns=[] when it holds none), or declare the "
            "table with evalkit.output.declare_table(frame, counts=[...], dependent=[...])."
        )
    counts = list(info.get("counts", [])) if count_columns is None else _as_list(count_columns)
    if dependent_columns is not None:
        dependent = _as_list(dependent_columns)
    elif count_columns is None:
        counts, dependent = _present(frame, counts, info.get("dependent") or {}, where)
        dependent = dependent or None
    else:
        dependent = [c for c in info.get("dependent", {}) if c in frame.columns] or None
    if totals is None and count_columns is None:
        totals = info.get("totals")
    if totals and totals.get("column") is not None and totals["column"] not in counts:
        totals = {k: v for k, v in totals.items() if k != "column"} or None
    complements = {
        p: w for p, w in (info.get("complements") or {}).items() if p in counts and w in counts
    }
    start, complement_cells = _complements(frame, complements, rules, disclosure)
    out = frame
    if counts:
        out = disclosure.suppress_small(
            start,
            counts,
            rules.threshold,
            dependent,
            totals=totals,
            suppress_zeros=rules.zeros_disclosive,
        )
        record.checks.append(
            f"counts {counts}: below {rules.threshold} suppressed"
            + (", zeros too" if rules.zeros_disclosive else "")
            + (f"; totals {totals}" if totals else "")
        )
    else:
        record.checks.append("no counts of persons declared")
    if complement_cells:
        record.checks.append(
            f"complements {complements}: a part whose whole minus it is below "
            f"{rules.threshold} suppressed"
        )
    out = _across_rows(out, info.get("across_rows") or {}, record)
    out = _dominance(out, frame, info.get("amounts") or {}, counts, record)
    disclosure.check_export(out, rules.threshold, counts, where=where)
    if rules.zeros_disclosive and counts:
        _no_zeros(out, counts, where, disclosure)
    _record_cells(frame, out, record, complement_cells)
    return out, record


def _complements(frame, complements: dict, rules, disclosure):
    """``frame`` with each part marked suppressed where its whole minus it is a small
    count (the persons without the property), and the cells so marked."""
    if not complements:
        return frame, set()
    out = frame.copy()
    cells = set()
    for part, whole in complements.items():
        a = pd.to_numeric(frame[part].astype(object), errors="coerce").to_numpy(float)
        b = pd.to_numeric(frame[whole].astype(object), errors="coerce").to_numpy(float)
        rest = b - a
        small = (rest > 0) & (rest < rules.threshold)
        if rules.zeros_disclosive:
            small |= rest == 0
        small &= ~((a > 0) & (a < rules.threshold))  # already a primary cell
        if small.any():
            column = out[part].astype(object)
            column[small] = disclosure.SECONDARY_MARKER
            out[part] = column
            cells |= {(part, int(i)) for i in np.flatnonzero(small)}
    return out, cells


def _present(frame: pd.DataFrame, counts: list, dependent: dict, where: str):
    """The declared counts and dependents still in ``frame`` (a column subset of a
    declared table keeps its declaration); refuses a number whose counts were dropped."""
    kept = [c for c in counts if c in frame.columns]
    orphans = [
        c for c, sources in dependent.items()
        if c in frame.columns and any(s not in frame.columns for s in sources)
    ]  # fmt: skip
    if orphans:
        raise _disclosure().DisclosureError(
            f"{where}: columns {orphans} rest on counts of persons that were dropped from the "
            "table, so the gate cannot check them. Keep the count columns (they are "
            "suppressed where small) or drop these columns too."
        )
    return kept, {c: list(v) for c, v in dependent.items() if c in frame.columns}


def _as_list(columns) -> list:
    if isinstance(columns, str):
        return [columns]
    return list(columns)


def _dominance(out, frame, amounts: dict, counts, record) -> pd.DataFrame:
    if not amounts:
        return out
    disclosure = _disclosure()
    out = out.copy()
    for column, flags in amounts.items():
        if column not in out.columns:
            continue
        flags = np.asarray(flags, dtype=bool)
        values = out[column].astype(object)
        values[flags] = disclosure.SECONDARY_MARKER
        out[column] = values
        record.checks.append(f"amounts {column!r}: dominance rules applied")
    out.attrs.setdefault("disclosure", {"threshold": record.rules.threshold})
    out.attrs["disclosure"]["dominance"] = True
    return out


def _across_rows(out: pd.DataFrame, across: dict, record) -> pd.DataFrame:
    """Suppress a whole column computed from every row's counts when one is suppressed."""
    info = out.attrs.get("disclosure", {})
    markers = {info.get("marker"), info.get("secondary_marker")} - {None}
    changed = False
    for column, sources in across.items():
        if column not in out.columns:
            continue
        hidden = any(
            isinstance(v, str) and v in markers
            for s in sources
            if s in out.columns
            for v in out[s].to_numpy(dtype=object)
        )
        if hidden:
            if not changed:
                out = out.copy()
                changed = True
            out[column] = pd.Series(
                [info.get("secondary_marker", "x")] * len(out), index=out.index, dtype=object
            )
            record.checks.append(
                f"column {column!r} rests on the counts of every row: suppressed whole"
            )
    return out


def _no_zeros(out, counts, where, disclosure) -> None:
    for name in counts:
        numeric = pd.to_numeric(out[name].astype(object), errors="coerce")
        if (numeric == 0).any():
            raise disclosure.DisclosureError(
                f"{where}: count column {name!r} still holds zeros, which these rules treat "
                "as disclosive."
            )


def _record_cells(
    before: pd.DataFrame, after: pd.DataFrame, record: GateRecord, complement_cells=()
) -> None:
    """List the cells the gate replaced by markers, with the reason."""
    info = after.attrs.get("disclosure", {})
    markers = {info.get("marker"), info.get("secondary_marker")} - {None}
    counts = set(info.get("count_columns", []))
    dominance = {c for c in (declaration(before) or {}).get("amounts", {})}
    if before.shape != after.shape:
        return
    for j, name in enumerate(after.columns):
        new = after.iloc[:, j].to_numpy(dtype=object)
        old = before.iloc[:, j].to_numpy(dtype=object)
        for i in np.flatnonzero([isinstance(v, str) and v in markers for v in new]):
            if isinstance(old[i], str) and old[i] == new[i]:
                continue
            if (name, int(i)) in complement_cells:
                reason = "complement"
            elif name in dominance:
                reason = "dominance"
            elif name in counts:
                reason = "primary" if new[i] == info.get("marker") else "secondary"
            else:
                reason = "dependent"
            record.suppressed.append({"column": str(name), "row": int(i), "reason": reason})
    if record.suppressed:
        record.status = "pass: suppressed"


def _gate_curve(frame, where, rules, record, disclosure):
    out = disclosure.safe_curve(frame, threshold=rules.threshold)
    info = out.attrs.get("disclosure", {})
    record.checks.append(
        f"survival/incidence curve: steps pooled to >= {rules.threshold} events, truncated "
        f"where fewer than {rules.threshold} are at risk ({info.get('rows_in')} rows in, "
        f"{info.get('rows_out')} out)"
    )
    if info.get("rows_in") != info.get("rows_out"):
        record.status = "pass: suppressed"
        record.suppressed.append(
            {
                "column": "(rows)",
                "row": -1,
                "reason": f"curve pooled/truncated: {info.get('rows_in', 0)} rows -> "
                f"{info.get('rows_out', 0)}",
            }
        )
    return out, record


# --------------------------------------------------------------------------- figures
FIGURE_KEY = "_evalkit_output"


def declare_figure(
    fig,
    threshold: int | None,
    source: str = "register",
    counts: bool = True,
    lang: str | None = None,
):
    """Record on a figure how its counts were controlled (called by evalkit's plots).

    ``threshold`` None: drawn without disclosure control. ``counts`` False: the figure
    shows no counts of persons or numbers computed from them (e.g. a plot of published
    national series). ``lang`` (``"en"``, ``"da"``): the language the figure is labelled
    in, for the source stamp drawn when it is saved (:func:`figure_lang`). Returns the
    figure.
    """
    info = {"threshold": threshold, "source": check_source(source), "counts": bool(counts)}
    if lang is not None:
        info["lang"] = _check_lang(lang)
    setattr(fig, FIGURE_KEY, info)
    return fig


def _check_lang(lang) -> str:
    if lang not in ("en", "da"):
        raise ArgumentError(f"lang must be 'en' (English) or 'da' (Danish); got {lang!r}.")
    return lang


def record_lang(fig, lang: str):
    """Record on a figure the language it is labelled in (keeps its declared counts).
    Returns the figure."""
    info = getattr(fig, FIGURE_KEY, None)
    if isinstance(info, dict):
        info["lang"] = _check_lang(lang)
    else:
        setattr(fig, FIGURE_KEY, {"lang": _check_lang(lang)})
    return fig


def figure_lang(fig) -> str:
    """The language a figure is labelled in, as evalkit's plots record it; ``"en"`` for
    a figure that does not say (drawn outside evalkit)."""
    return (getattr(fig, FIGURE_KEY, None) or {}).get("lang", "en")


def figure_texts(fig) -> list[str]:
    """Every text a figure renders: titles, labels, tick labels, legends, annotations,
    table cells (after a draw, so that tick labels are set), and the artists' ids, which
    SVG files keep."""
    from matplotlib.text import Text

    try:
        fig.draw_without_rendering()
    except Exception:  # noqa: BLE001 - a figure that cannot draw fails at savefig anyway
        pass
    texts = [t.get_text() for t in fig.findobj(Text)]
    texts += [str(a.get_gid()) for a in fig.findobj() if a.get_gid() is not None]
    texts += [ax.get_title() for ax in fig.axes]
    return [t for t in texts if t]


def gate_path(path) -> None:
    """Refuse a path (file and folder names) holding a CPR number; the message does not
    show it."""
    gate_text([str(path)], where="a file or folder name", what="path")


def gate_figure(
    fig, where: str, *, rules: OutputRules | str | None = None, source: str | None = None
) -> GateRecord:
    """Check a figure before it is saved; returns the record (see the module docstring).

    Evalkit's plots declare how they controlled their counts (:func:`declare_figure`); a
    figure drawn outside evalkit is only CPR-checked and its record says ``"review"``.
    """
    rules = resolve_rules(rules)
    info = getattr(fig, FIGURE_KEY, None)
    if info is not None and "threshold" not in info:
        info = None  # only its language was recorded: its counts were not declared
    declared = (info or {}).get("source", "register")
    source = check_source(source if source is not None else declared)
    _file_name(where)
    gate_text(figure_texts(fig), where=where, what="figure text")
    record = GateRecord(where, "figure", source, rules, checks=["CPR scan of every text"])
    if source != "register":
        return _not_register(record, info, source, rules)
    if info is None:
        record.status = "review"
        record.checks.append(
            "not drawn by evalkit: its counts were not declared to the gate; check by eye"
        )
        return record
    if not info["counts"]:
        record.checks.append("shows no counts of persons (declared by the plot)")
        return record
    threshold = info["threshold"]
    disclosure = _disclosure()
    if threshold is None:
        raise disclosure.DisclosureError(
            f"{where}: the figure was drawn with disclosure control off (disclosure=None) "
            "from register data. Draw it with disclosure control on, or pass source='synthetic'"
            " (or 'public', 'published') when the data are not register data."
        )
    if threshold < rules.threshold:
        raise disclosure.DisclosureError(
            f"{where}: the figure was drawn with a disclosure threshold of {threshold}, below "
            f"the rules' {rules.threshold} ({rules.name}). Draw it with "
            f"disclosure={rules.threshold}."
        )
    record.checks.append(f"counts controlled by the plot at threshold {threshold}")
    return record


def _not_register(record: GateRecord, info, source: str, rules: OutputRules) -> GateRecord:
    """The record of a figure from synthetic, public or published data: no control is
    required, and a figure drawn with control keeps it (the record says so)."""
    record.checks.append(f"disclosure control not required: the data are declared {source}")
    threshold = (info or {}).get("threshold") if (info or {}).get("counts") else None
    if threshold is None:
        record.status = f"pass: not controlled ({source} data)"
    elif threshold < rules.threshold:
        record.status = f"pass: not controlled ({source} data)"
        record.checks.append(
            f"counts controlled by the plot at threshold {threshold}, below the rules' "
            f"{rules.threshold}"
        )
    else:
        record.checks.append(f"counts controlled by the plot at threshold {threshold} all the same")
    return record
