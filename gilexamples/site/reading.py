"""How long a chapter's main line is, and whether it opens with "In short".

The *main line* is what a reader meets without opening anything: prose,
lists, tables, admonitions and content tabs. It leaves out fenced code, the
bodies of collapsible blocks (``??? note "..."``: the reader opens them on
purpose), HTML comments (page markers) and the addresses of links (their text
counts). :func:`main_line_words` counts its words; :func:`opens_with_in_short`
says whether the first thing under the title is an "In short" admonition.

``python -m gilexamples site reading [DOCS_DIR]`` prints both for every
chapter.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["main_line", "main_line_words", "opens_with_in_short", "CHAPTERS_EXEMPT", "report"]

#: Pages that are not chapters: reference lists, read piecemeal.
CHAPTERS_EXEMPT = {"references.md", "cpython-resources.md"}

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})")
_COLLAPSIBLE = re.compile(r"^(?P<indent>[ \t]*)\?\?\?\+?\s")
_ADMONITION = re.compile(r"^([ \t]*)(?:!!!|\?\?\?\+?)[ \t]+[\w-]+", re.M)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_REFDEF = re.compile(r"^\s*\[[^\]]+\]:\s+\S+.*$", re.M)
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[A-Za-z0-9][\w'’.-]*")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def main_line(markdown: str) -> str:
    """The page's text without code, collapsed blocks, comments and link targets."""
    lines = markdown.splitlines()
    kept: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            marker = fence.group("fence")
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(marker[:3] * 1):
                i += 1
            i += 1
            continue
        fold = _COLLAPSIBLE.match(line)
        if fold:
            base = _indent(line)
            kept.append(line)  # the title of a collapsed block is on the main line
            i += 1
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > base):
                i += 1
            continue
        kept.append(line)
        i += 1
    text = "\n".join(kept)
    text = _ADMONITION.sub(r"\1", text)  # '!!! note "Title"' counts as its title
    text = _COMMENT.sub(" ", text)
    text = _REFDEF.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub(" ", text)
    return text


def main_line_words(markdown: str) -> int:
    """Words on the main line (see the module docstring)."""
    return len(_WORD.findall(main_line(markdown)))


def opens_with_in_short(markdown: str) -> bool:
    """True when the first block after the ``# Title`` is an "In short" admonition."""
    lines = [line for line in markdown.splitlines()]
    seen_title = False
    for line in lines:
        if not line.strip():
            continue
        if not seen_title:
            if line.startswith("# "):
                seen_title = True
                continue
            return False
        return bool(re.match(r'^(!!!|\?\?\?\+?)\s+\w[\w-]*\s+"In short"', line))
    return False


def report(docs: Path) -> list[str]:
    """One line per page: main-line words and whether it opens with "In short"."""
    lines = []
    for page in sorted(Path(docs).glob("*.md")):
        text = page.read_text(encoding="utf-8")
        mark = "" if page.name not in CHAPTERS_EXEMPT else " (not a chapter)"
        lines.append(f"{page.name:26} {main_line_words(text):5d} words  "
                     f"in short: {'yes' if opens_with_in_short(text) else 'no '}{mark}")
    return lines
