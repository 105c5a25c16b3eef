"""The docs contract: every Python example on the site is run by a test.

pytest-codeblocks runs a fenced block only when its opening line is exactly
three (or more) backticks followed by ``python`` (or ``sh``/``bash``) and
nothing else. Anything else is silently skipped: ````` ```py `````,
````` ```python title="x" `````, ``~~~python``, ``{.python}``. A block whose
body is only a snippet include (``--8<-- "snippets/..."``) is fine whatever
its fence says: the included file is run by ``tests/test_snippets.py``.

This module finds the ways a page can slip out of that contract:

* ``silent-skip``: a Python fence pytest-codeblocks would not run;
* ``unmarked-shell``: a ``sh``/``bash`` fence with no pytest mark
  (pytest-codeblocks would *execute* it; shell commands for readers go in
  ``console`` or ``text`` fences);
* ``skip-without-reason``: a ``pytest.mark.skip`` on an inline block with
  no ``reason=`` (a skipped test says why);
* ``include-not-skipped``: a ```` ```python ```` block holding only an
  include, without ``<!--pytest.mark.skip-->`` above it (pytest-codeblocks
  would run the include line itself as Python);
* ``missing-snippet``: a page includes a file that does not exist;
* ``orphan-snippet``: a file under ``snippets/`` that no page includes.

Run it with ``python -m gilexamples site contract [ROOT]``: it prints one
line per problem and exits 1 when there is any, 0 when there is none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Problem", "check_page", "check_tree"]

PYTHON_WORDS = {"py", "python", "python3", "py3"}
SHELL_WORDS = {"sh", "bash"}

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`\n]*?)[ \t]*$")
INCLUDE = re.compile(r"""--8<--\s*(?P<q>["'])(?P<target>[^"']+)(?P=q)""")
MARK = re.compile(r"^\s*<!--\s*(pytest\.mark\.[^>]*?)\s*-->\s*$")


@dataclass(frozen=True)
class Problem:
    """One finding of a docs check (the contract here, the link registry too), at a file and line."""

    kind: str
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}: {self.message}"


def _info_word(info: str) -> str:
    """The language word of a fence's info string: '{.python title=x}' -> 'python'."""
    info = info.strip().lstrip("{").strip()
    word = info.split()[0] if info else ""
    return word.lstrip(".").rstrip("}").lower()


def _include_target(text: str) -> str:
    """'snippets/a.py:3:9' -> 'snippets/a.py' (pymdownx line and section suffixes)."""
    return text.split(":", 1)[0].strip()


def _blocks(lines: list[str]):
    """Yield (start_index, fence, info, body_lines, marks) for each fenced block."""
    marks: list[str] = []
    i = 0
    while i < len(lines):
        mark = MARK.match(lines[i])
        if mark:
            marks.append(mark.group(1))
            i += 1
            continue
        match = FENCE.match(lines[i])
        if not match:
            if lines[i].strip():
                marks = []
            i += 1
            continue
        fence, info = match.group("fence"), match.group("info")
        body: list[str] = []
        j = i + 1
        closer = re.compile(r"^[ \t]*" + re.escape(fence[0]) + f"{{{len(fence)},}}" + r"[ \t]*$")
        while j < len(lines) and not closer.match(lines[j]):
            body.append(lines[j])
            j += 1
        yield i, fence, info, body, marks
        marks = []
        i = j + 1


def check_page(path: Path, text: str, root: Path) -> tuple[list[Problem], set[str]]:
    """Check one Markdown page; return its problems and the snippets it includes."""
    problems: list[Problem] = []
    included: set[str] = set()
    rel = _rel(path, root)
    lines = text.splitlines()

    for match in INCLUDE.finditer(text):
        target = _include_target(match.group("target"))
        included.add(target)
        if not (root / target).is_file():
            line = text.count("\n", 0, match.start()) + 1
            problems.append(Problem("missing-snippet", rel, line,
                                    f"includes {target}, which does not exist"))

    for start, fence, info, body, marks in _blocks(lines):
        word = _info_word(info)
        line = start + 1
        opener = f"{fence}{info}"
        body_text = "\n".join(l for l in body if l.strip())
        only_include = bool(body_text) and all(
            INCLUDE.search(l) for l in body if l.strip())
        if word in PYTHON_WORDS:
            exact = fence.startswith("`") and info == "python"
            if not exact and not only_include:
                problems.append(Problem(
                    "silent-skip", rel, line,
                    f"fence '{opener}' is not run by pytest-codeblocks; "
                    "open the block with exactly ```python"))
            if exact and only_include and not any(m.startswith("pytest.mark.skip") for m in marks):
                problems.append(Problem(
                    "include-not-skipped", rel, line,
                    "a ```python block holding only a snippet include is run as Python "
                    "by pytest-codeblocks; put <!--pytest.mark.skip--> above it"))
            if exact and not only_include:
                for mark in marks:
                    if mark.startswith("pytest.mark.skip") and "reason=" not in mark:
                        problems.append(Problem(
                            "skip-without-reason", rel, line,
                            f"<!--{mark}--> skips an inline block without saying why; "
                            "add reason=..."))
        elif word in SHELL_WORDS and fence.startswith("`") and info == word:
            if not marks:
                problems.append(Problem(
                    "unmarked-shell", rel, line,
                    f"a '{opener}' block is executed by pytest-codeblocks; "
                    "show commands in a ```console block, or mark it"))
    return problems, included


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def check_tree(root: Path | str = ".") -> list[Problem]:
    """Check every page under ``root/docs`` and every snippet under ``root/snippets``."""
    root = Path(root)
    problems: list[Problem] = []
    included: set[str] = set()
    for page in sorted((root / "docs").rglob("*.md")):
        page_problems, page_included = check_page(page, page.read_text(encoding="utf-8"), root)
        problems.extend(page_problems)
        included |= page_included
    for snippet in sorted((root / "snippets").rglob("*.py")):
        rel = _rel(snippet, root)
        if rel not in included:
            problems.append(Problem("orphan-snippet", rel, 1,
                                    "no page includes this snippet"))
    return problems
