"""Every artifact of every project in one language, without a word of the other.

One ``evalkit reproduce`` run per language (module-scoped) records the texts of every
figure as the output gate sees it (every text artist, tick label, legend entry and
annotation, after a draw), every title and caption of the index, and every cell of
every table of every project: the HTML headers and cells as shown, and the CSV header
row and cells as written (numbers stay numbers there, so only words are read). The
words to look for come from the label catalogue itself
(:data:`evalkit.report.labels.LABELS` and :data:`~evalkit.report.labels.TERMS`): the
words of its English texts that none of its Danish texts uses, and the reverse;
placeholders, numbers and words shared by both languages (names, "Business case")
are left out.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

import evalkit.output.gate as gate
from evalkit.report.labels import LABELS, TERMS
from evalkit.reproduce import RUNNERS, reproduce

WORD = re.compile(r"[A-Za-zÆØÅæøåÉé]+")

#: Words of both languages that the catalogue happens to use in one of them only.
BOTH = {"under", "time", "refusion", "feb"}
#: Titles of documents quoted in the sources ('Orientering om JobFirst', 'kind' columns).
QUOTED = re.compile(r"(?<![A-Za-z])'[^']*'")
#: A word with a capital inside a sentence: a proper noun (Den Sociale Kapitalfond,
#: JobFirst).
PROPER = re.compile(r"(?<![.:\n•]\s)(?<=[\s(])[A-ZÆØÅ][a-zæøåé]+(?:[A-ZÆØÅ][a-zæøåé]+)*")
#: The sources cited at the end of a caption: names of documents and publishers.
SOURCE = re.compile(r"(Source|Kilde): .*", re.S)


def _words(text: str, names: bool = True) -> set[str]:
    text = re.sub(r"\{[^}]*\}", " ", text)
    if not names:
        text = PROPER.sub(" ", QUOTED.sub(" ", SOURCE.sub(" ", text)))
    return {w.lower() for w in WORD.findall(text) if len(w) >= 3} - BOTH


def _vocabulary() -> dict[str, set[str]]:
    words = {"en": set(), "da": set()}
    for entry in [*LABELS.values(), *TERMS.values()]:
        for lang in words:
            words[lang] |= _words(entry[lang])
    shared = words["en"] & words["da"]
    return {lang: found - shared for lang, found in words.items()}


VOCABULARY = _vocabulary()


def _cells(page: str, tag: str) -> list[str]:
    """The text of every ``<tag>`` cell of an HTML page."""
    return [
        html.unescape(re.sub(r"<[^>]+>", "", cell))
        for cell in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", page, re.S)
    ]


def _figure_texts(fig) -> list[str]:
    fig.draw_without_rendering()
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


@pytest.fixture(scope="module", params=["en", "da"])
def rendered(request, tmp_path_factory):
    """``(lang, {artifact: [texts]}, artifacts)`` of one reproduce run in ``lang``."""
    lang = request.param
    texts: dict[str, list[str]] = {}
    real = gate.gate_figure

    def capture(fig, where, **kwargs):
        texts[f"figure {where}"] = _figure_texts(fig)
        return real(fig, where, **kwargs)

    def no_file(fig, target, **kwargs):  # the texts are read above; PNG and PDF bytes
        Path(target).write_bytes(b"")  # are not what this test is about (and take minutes)

    patch = pytest.MonkeyPatch()
    patch.setattr(gate, "gate_figure", capture)
    patch.setattr(Figure, "savefig", no_file)
    try:
        out = tmp_path_factory.mktemp(f"reproduce_{lang}")
        artifacts = reproduce(out, lang=lang, progress=False)
    finally:
        patch.undo()
    for a in artifacts:
        texts[f"title of {a.project}/{a.name}"] = [a.title]
        texts[f"caption of {a.project}/{a.name}"] = [a.caption]
        if a.kind == "table":  # every cell, as shown (HTML) and as written (CSV)
            page = next(f for f in a.files if f.suffix == ".html").read_text(encoding="utf-8")
            texts[f"headers of {a.project}/{a.name}"] = _cells(page, "th")
            texts[f"table {a.project}/{a.name}"] = _cells(page, "td")
            csv_file = next(f for f in a.files if f.suffix == ".csv")
            with csv_file.open(encoding="utf-8", newline="") as handle:
                rows = list(csv.reader(handle))
            texts[f"CSV header of {a.project}/{a.name}"] = [c.replace("_", " ") for c in rows[0]]
            texts[f"CSV of {a.project}/{a.name}"] = [c for row in rows[1:] for c in row]
    return lang, texts, artifacts


def test_the_catalogue_has_words_of_each_language_only():
    assert {"treatment", "synthetic", "allocated", "municipality"} <= VOCABULARY["en"]
    assert {"indsats", "syntetiske", "tildelt", "lodtrækning"} <= VOCABULARY["da"]
    assert not VOCABULARY["en"] & VOCABULARY["da"]


def test_no_word_of_the_other_language(rendered):
    lang, texts, _ = rendered
    other = VOCABULARY["da" if lang == "en" else "en"]
    found = {
        where: sorted({w for text in shown for w in _words(text, names=False)} & other)
        for where, shown in texts.items()
    }
    found = {where: words for where, words in found.items() if words}
    assert not found, f"words of the other language in the {lang} artifacts: {found}"


def test_every_project_and_figure_was_read(rendered):
    lang, texts, artifacts = rendered
    assert {a.project for a in artifacts} == set(RUNNERS)
    figures = [a for a in artifacts if a.kind == "figure"]
    assert len(figures) >= 10
    assert all(f"figure {a.name}.png" in texts for a in figures)
    tables = [a for a in artifacts if a.kind == "table"]
    assert len(tables) >= 20
    for a in tables:  # every header row and every cell was read
        assert len(texts[f"headers of {a.project}/{a.name}"]) >= 2, a.name
        assert texts[f"CSV header of {a.project}/{a.name}"][0], a.name
        assert texts[f"table {a.project}/{a.name}"], a.name
        assert texts[f"CSV of {a.project}/{a.name}"], a.name


def test_every_figure_carries_its_data_status(rendered):
    lang, texts, artifacts = rendered
    stamps = {LABELS[key][lang] for key in ("stamp_synthetic", "stamp_published", "stamp_public")}
    for a in artifacts:
        if a.kind == "figure":
            assert stamps & set(texts[f"figure {a.name}.png"]), a.name


def test_numbers_stay_numbers_in_csv(rendered):
    # translating the cells leaves the numbers of every report table numbers in its CSV
    _, _, artifacts = rendered
    checked = 0
    for a in artifacts:
        if a.kind != "table" or a.name == "balance":  # the balance CSV: tests/test_tables.py
            continue
        written = pd.read_csv(next(f for f in a.files if f.suffix == ".csv"))
        headers = a.table.file_headers()
        data = a.table.data
        for name in data.columns:
            column = data[name]
            if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
                shown = headers.get(name, name)
                assert pd.api.types.is_numeric_dtype(written[shown]), (a.name, name)
                checked += 1
    assert checked > 50
