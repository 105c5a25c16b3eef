"""Pages a reader finishes: every chapter opens with "In short", and its main line stays short."""

from __future__ import annotations

import pytest

from gilexamples.site.reading import (CHAPTERS_EXEMPT, main_line_words,
                                           opens_with_in_short)
from tests.conftest import ROOT

#: Words of prose a reader meets without opening a collapsed block.
MAX_MAIN_LINE_WORDS = 2200

CHAPTERS = sorted(p.name for p in (ROOT / "docs").glob("*.md") if p.name not in CHAPTERS_EXEMPT)


def test_there_are_chapters():
    assert {"index.md", "threads.md", "locks.md", "myths.md"} <= set(CHAPTERS)


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_opens_with_in_short(name):
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    assert opens_with_in_short(text), f"{name}: the first block after the title is not 'In short'"


@pytest.mark.parametrize("name", CHAPTERS)
def test_main_line_is_short_enough(name):
    words = main_line_words((ROOT / "docs" / name).read_text(encoding="utf-8"))
    assert words <= MAX_MAIN_LINE_WORDS, (
        f"{name}: {words} words on the main line; fold depth into '??? note' blocks")


def test_the_counter_leaves_out_code_folds_and_link_targets():
    page = (
        "# T\n\n!!! abstract \"In short\"\n    - one two\n\n"
        "```python\nnot counted at all\n```\n\n"
        "??? note \"Folded title\"\n    hidden words here\n    more hidden\n\n"
        "[three](https://example.org/very/long/address) four\n<!-- marker -->\n"
    )
    assert opens_with_in_short(page)
    assert main_line_words(page) == len("T In short one two Folded title three four".split())
    assert not opens_with_in_short("# T\n\nSome text first.\n\n!!! abstract \"In short\"\n")
