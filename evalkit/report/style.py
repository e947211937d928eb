"""evalkit's figure style: the Okabe–Ito palette, report-size fonts, and saving figures.

The style is a dict of matplotlib rcParams (:data:`RC_PARAMS`) applied with
:func:`evalkit_style`, a context manager around :func:`matplotlib.rc_context`: global
rcParams are never changed for good. Every figure function of
:mod:`evalkit.report.plots` draws inside it, so a figure looks the same whatever the
user's own settings, and the user's settings are untouched afterwards.

Colours are the Okabe & Ito (2008) palette, distinguishable with the common forms of
colour-vision deficiency and in greyscale print by line style; the treatment arm is
vermillion, the control arm blue. Sizes are for a figure 16 cm wide (an A4 page's text
width) read on paper: 9–10 pt text, 1.8 pt lines.

Example
-------
>>> from matplotlib.figure import Figure
>>> with evalkit_style():
...     fig = Figure(figsize=FIGSIZE)
...     ax = fig.add_subplot()
...     _ = ax.plot([0, 1], [0, 1])
>>> paths = save_figure(fig, "/tmp/evalkit-style-example", formats=("png",))
>>> [p.suffix for p in paths]
['.png']
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import matplotlib as mpl
from cycler import cycler
from matplotlib.figure import Figure

from ..errors import ArgumentError

#: The Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008, *Color Universal Design*).
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Colours in the order groups, causes and units get them (yellow last: weak on white).
PALETTE: tuple[str, ...] = tuple(
    OKABE_ITO[name]
    for name in (
        "vermillion",
        "blue",
        "bluish_green",
        "orange",
        "reddish_purple",
        "sky_blue",
        "black",
        "yellow",
    )
)

#: Roles with a fixed colour in every figure.
COLOURS: dict[str, str] = {
    "treatment": OKABE_ITO["vermillion"],
    "control": OKABE_ITO["blue"],
    "national": "#555555",
    "target": OKABE_ITO["bluish_green"],
    "flag_inner": OKABE_ITO["orange"],
    "flag_outer": OKABE_ITO["vermillion"],
    "neutral": "#333333",
    "note": "#555555",
    "box_edge": "#333333",
    "stage": "#DCEBF5",
}

#: Line styles that separate causes (or groups) in greyscale print.
LINESTYLES: tuple = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)))

#: Default figure size in inches: 16 cm wide, 3:2.
FIGSIZE: tuple[float, float] = (6.3, 4.2)

FONT_SIZE = 10
SMALL_FONT_SIZE = 8.5
LINE_WIDTH = 1.8
BAND_ALPHA = 0.2

#: The rcParams of the evalkit style (pass to :func:`matplotlib.rc_context`).
RC_PARAMS: dict = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica", "Liberation Sans"],
    "font.size": FONT_SIZE,
    "axes.titlesize": FONT_SIZE + 1,
    "axes.labelsize": FONT_SIZE,
    "axes.linewidth": 0.8,
    "axes.edgecolor": "#333333",
    "axes.labelcolor": "#111111",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "axes.prop_cycle": cycler(color=list(PALETTE)),
    "axes.unicode_minus": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "xtick.labelsize": FONT_SIZE - 1,
    "ytick.labelsize": FONT_SIZE - 1,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "legend.fontsize": FONT_SIZE - 1,
    "legend.frameon": False,
    "lines.linewidth": LINE_WIDTH,
    "lines.markersize": 5,
    "patch.linewidth": 0.8,
    "figure.figsize": FIGSIZE,
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.05,
    "savefig.facecolor": "white",
    "svg.fonttype": "none",  # text stays text in SVG: searchable, accessible, small
    "svg.hashsalt": "evalkit",  # reproducible SVG ids
    "pdf.fonttype": 42,  # TrueType in PDF: text can be edited and searched
}

FORMATS = ("png", "svg", "pdf", "jpg", "jpeg", "tif", "tiff", "eps", "ps")


@contextlib.contextmanager
def evalkit_style(**overrides) -> Iterator[dict]:
    """Apply the evalkit style (and ``overrides``, rcParams names) inside a ``with`` block.

    The previous rcParams come back when the block ends, also after an error.

    >>> import matplotlib as mpl
    >>> before = mpl.rcParams["font.size"]
    >>> with evalkit_style(**{"font.size": 14}):
    ...     mpl.rcParams["font.size"]
    14.0
    >>> mpl.rcParams["font.size"] == before
    True
    """
    params = {**RC_PARAMS, **overrides}
    with mpl.rc_context(params):
        yield params


def palette(n: int) -> list[str]:
    """``n`` colours of :data:`PALETTE` (repeating after eight).

    >>> palette(2)
    ['#D55E00', '#0072B2']
    """
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def new_figure(figsize: tuple[float, float] | None = None, **kwargs) -> Figure:
    """A figure not registered with pyplot (no global state, garbage-collected normally).

    Call it inside :func:`evalkit_style`. A Figure displays in Jupyter when it is the
    value of a cell (the inline backend renders it).
    """
    return Figure(figsize=figsize or FIGSIZE, **kwargs)


#: The ``gid`` of the source stamp (the SVG keeps it as the text's id).
STAMP_GID = "source_stamp"
STAMP_COLOUR = "#666666"
_STAMP_LABELS = {
    "synthetic": "stamp_synthetic",
    "published": "stamp_published",
    "public": "stamp_public",
}


def source_stamp(source: str, lang: str = "en") -> str | None:
    """The stamp :func:`save_figure` draws on a figure from ``source`` data, in ``lang``;
    None for register data (the real thing needs no stamp).

    >>> source_stamp("synthetic"), source_stamp("published", "da"), source_stamp("register")
    ('Synthetic data', 'Offentliggjorte tal', None)
    """
    from ..output.declare import check_source
    from .labels import label

    key = _STAMP_LABELS.get(check_source(source))
    return None if key is None else label(key, lang)


@contextlib.contextmanager
def _stamped(fig: Figure, text: str | None) -> Iterator:
    """``fig`` with ``text`` in small grey type just above the top-right corner of what
    it draws (so it covers nothing; the tight bounding box of the saved file takes it in),
    removed again when the block ends, also after an error: the caller's figure is left
    as it was, and repeated saves do not pile stamps up."""
    if text is None:
        yield None
        return
    with evalkit_style():
        box = fig.get_tightbbox()  # inches, from the figure's lower left corner
        width, height = fig.get_size_inches()
        # in figure coordinates: a tight bounding box at save time moves those with it
        stamp = fig.text(
            box.x1 / width, (box.y1 + 0.04) / height, text, ha="right", va="bottom",
            fontsize=SMALL_FONT_SIZE, color=STAMP_COLOUR, gid=STAMP_GID,
        )  # fmt: skip
    try:
        yield stamp
    finally:
        stamp.remove()


def save_figure(
    fig: Figure,
    path,
    formats: Sequence[str] = ("png", "svg", "pdf"),
    dpi: float | None = None,
    *,
    source: str | None = None,
    lang: str | None = None,
    log=None,
) -> list[Path]:
    """Save ``fig`` as ``path.png``, ``path.svg``, ``path.pdf`` (one file per format),
    through the output gate.

    ``path`` is given without a suffix; missing folders are created. Files are written
    with the evalkit style's save settings (300 dpi raster images, text kept as text in
    SVG and PDF, tight bounding box) and without a creation date, so the same figure
    gives the same SVG and PDF bytes. Returns the paths written.

    First the gate (:func:`evalkit.output.gate.gate_figure`) checks every text of the
    figure (titles, labels, tick labels, legends, annotations) and the file names for
    CPR numbers, and refuses a figure evalkit drew from register data with disclosure
    control off or below the output rules' threshold; ``source="synthetic"``,
    ``"public"`` or ``"published"`` declares data that need no control (a figure drawn
    with control keeps it). Such a figure says so on its face: a stamp, "Synthetic data",
    "Published figures" or "Public data" (:func:`source_stamp`), in small grey type above
    its top-right corner, in ``lang`` (default: the language evalkit's plot drew it in,
    else English). The stamp is drawn for the save only (the figure is left as it was)
    and passes the gate's CPR scan with the rest. Each file is written to a temporary
    name and renamed into place; ``log`` (an :class:`evalkit.output.OutputLog`) records
    them.

    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> _ = fig.add_subplot().plot([1, 2])
    >>> [p.name for p in save_figure(fig, "/tmp/evalkit-doc/fig1", formats=("png", "pdf"))]
    ['fig1.png', 'fig1.pdf']
    """
    if not isinstance(fig, Figure):
        raise ArgumentError(
            f"save_figure needs a matplotlib Figure (what the plot functions return); "
            f"got {type(fig).__name__}."
        )
    if isinstance(formats, str):
        formats = (formats,)
    formats = [str(f).lower().lstrip(".") for f in formats]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ArgumentError(
            f"formats must be a non-empty list of {', '.join(FORMATS)}; got {list(formats)!r}."
        )
    base = Path(path)
    if base.suffix.lower().lstrip(".") in FORMATS:
        base = base.with_suffix("")
    from ..output.files import atomic_path, check_folder
    from ..output.gate import FIGURE_KEY, figure_lang, gate_figure, gate_path
    from .labels import check_lang

    gate_path(base)
    info = getattr(fig, FIGURE_KEY, None) or {}
    stamp = source_stamp(
        source if source is not None else info.get("source", "register"),
        check_lang(lang) if lang is not None else figure_lang(fig),
    )
    written = []
    with _stamped(fig, stamp), evalkit_style():
        record = gate_figure(fig, f"{base.name}.{formats[0]}", source=source)
        if stamp is not None:
            record.checks.append(f"source stamp on the figure: {stamp!r}")
        check_folder(base.parent)
        for fmt in formats:
            target = base.with_name(f"{base.name}.{fmt}")
            metadata = None
            if fmt == "svg":
                metadata = {"Date": None}
            elif fmt == "pdf":
                metadata = {"CreationDate": None, "ModDate": None}
            elif fmt == "png":
                metadata = {"Software": None}
            with atomic_path(target) as temporary:
                fig.savefig(
                    temporary,
                    format=fmt,
                    dpi=dpi if dpi is not None else RC_PARAMS["savefig.dpi"],
                    bbox_inches="tight",
                    metadata=metadata,
                )
            written.append(target)
    if log is not None:
        log.add(record, written)
    return written


def enable_notebook_display() -> bool:
    """Show evalkit's figures as images when a notebook cell returns them.

    evalkit draws on plain :class:`matplotlib.figure.Figure` objects (never pyplot state),
    which IPython prints as text unless a PNG formatter is registered for them, as
    ``%matplotlib inline`` does. Called when :mod:`evalkit.report` is imported; does
    nothing outside IPython. Returns whether a formatter was registered.
    """
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import print_figure
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    from matplotlib.figure import Figure

    formatter = shell.display_formatter.formatters["image/png"]
    formatter.for_type(Figure, lambda fig: print_figure(fig, "png", bbox_inches="tight"))
    return True
