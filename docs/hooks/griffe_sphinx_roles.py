"""Griffe extension for the API reference: evalkit's docstrings rendered as numpy style.

evalkit's docstrings are numpy-style and read well in ``help()``, where a role such as
``:func:`~evalkit.panel.spells``` is plain text. mkdocstrings renders Markdown, which has
no roles, so before a docstring is parsed every ``:role:`target``` becomes ```target```
(``~`` keeps the last part of the dotted name, as Sphinx shows it) and nothing of the
Sphinx syntax reaches the page; and entries written ``name : description`` (the types
are in the signatures) get their description where numpy style expects it. Configured
in mkdocs.yml (``extensions:`` of the python
handler).
"""

from __future__ import annotations

import re

import griffe

_ROLE = re.compile(
    r":(?:py:)?(?:func|meth|class|mod|attr|data|exc|obj|const|ref|math|term):`([^`]+)`"
)


def _plain(match: re.Match) -> str:
    target = match.group(1).strip()
    if target.startswith("~"):
        target = target[1:].rsplit(".", 1)[-1]
    elif target.startswith("!"):
        target = target[1:]
    if "<" in target and target.endswith(">"):  # :ref:`text <label>`
        target = target[: target.index("<")].strip()
    return f"`{target}`"


_SECTIONS = ("Parameters", "Other Parameters", "Attributes", "Returns", "Yields", "Raises")
_ENTRY = re.compile(r"^(\S[^:]*?) : (.+)$")
_TYPE = re.compile(r"[\w.\[\]]+(\s*(\||,|or)\s*[\w.\[\]]+)*(, optional)?")


def entries_as_numpy(text: str) -> str:
    """``name : description`` entries become ``name`` + an indented description.

    evalkit's docstrings write an entry's description after the colon, where numpy style
    puts its type (the types are in the signatures); the numpy parser would show the
    description as the type. Entries whose text after the colon looks like a type
    (``int``, ``str | None``, ``pandas.DataFrame``) are left as they are.
    """
    lines = text.split("\n")
    out, inside = [], False
    for i, line in enumerate(lines):
        underline = i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}
        if underline and line.strip():
            inside = line.strip() in _SECTIONS
            out.append(line)
            continue
        match = _ENTRY.match(line) if inside else None
        if match and not _TYPE.fullmatch(match.group(2).strip()):
            out.extend([match.group(1), "    " + match.group(2)])
        else:
            out.append(line)
    return "\n".join(out)


def strip_roles(text: str) -> str:
    """``:func:`~a.b.c``` -> ```c```, ``:mod:`a.b``` -> ```a.b```."""
    return _ROLE.sub(_plain, text)


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles in every docstring to Markdown inline code."""

    def on_instance(self, *, node, obj, agent, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = entries_as_numpy(strip_roles(obj.docstring.value))
