"""Every file in snippets/ runs as a script: exit 0, and the output its page shows.

A page states a snippet's output with a marker right above a ``text`` fence::

    <!--snippet-output: snippets/threads/native_ids.py-->
    ```text
    main thread ... native id ...
    ```

The output is compared as doctest compares it: ``...`` matches anything
(ids, timings), runs of white space are equal.
"""

from __future__ import annotations

import doctest
import re
import subprocess
import sys

import pytest

from gilexamples.site.contract import check_page
from tests.conftest import ROOT

SNIPPETS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "snippets").rglob("*.py"))
OUTPUT = re.compile(
    r"<!--\s*snippet-output:\s*(?P<path>\S+?)\s*-->\s*\n(?P<indent>[ \t]*)```text\n(?P<body>.*?)\n(?P=indent)```",
    re.S,
)
CHECKER = doctest.OutputChecker()
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def stated_outputs() -> dict[str, list[tuple[str, str]]]:
    """{snippet: [(page, expected output), ...]} from every page's markers."""
    found: dict[str, list[tuple[str, str]]] = {}
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for match in OUTPUT.finditer(page.read_text(encoding="utf-8")):
            indent = match.group("indent")
            body = "\n".join(line[len(indent):] if line.startswith(indent) else line
                             for line in match.group("body").splitlines())
            found.setdefault(match.group("path"), []).append(
                (page.relative_to(ROOT).as_posix(), body + "\n"))
    return found


STATED = stated_outputs()


def run_snippet(rel: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, rel], cwd=ROOT, capture_output=True,
                          text=True, timeout=180)


def test_the_snippets_run_here_are_the_ones_the_pages_include():
    """The parametrized run below covers exactly what the pages show: no more, no less."""
    included = set()
    for page in sorted((ROOT / "docs").rglob("*.md")):
        included |= check_page(page, page.read_text(encoding="utf-8"), ROOT)[1]
    included = {path for path in included if path.startswith("snippets/")}
    assert included, "no page includes a snippet"
    assert set(SNIPPETS) == included


def test_every_stated_output_names_a_real_snippet():
    unknown = sorted(set(STATED) - set(SNIPPETS))
    assert not unknown, f"pages state output for snippets that do not exist: {unknown}"


@pytest.mark.parametrize("rel", SNIPPETS)
def test_snippet_runs(rel):
    result = run_snippet(rel)
    assert result.returncode == 0, f"{rel} exited {result.returncode}:\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    for page, expected in STATED.get(rel, []):
        assert CHECKER.check_output(expected, result.stdout, FLAGS), (
            f"{rel}: output differs from what {page} shows\n"
            f"--- page shows:\n{expected}--- snippet printed:\n{result.stdout}")


def test_output_comparison_bites():
    """The comparison used above rejects an output that does not match."""
    assert CHECKER.check_output("ratio ... (1.00 = no gain)\n", "ratio 0.97 (1.00 = no gain)\n", FLAGS)
    assert not CHECKER.check_output("ratio ... (1.00 = no gain)\n", "ratio 0.97\n", FLAGS)
