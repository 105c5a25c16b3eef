"""Every file in snippets/ runs as a script: exit 0, and output of the shape its page shows.

A page states a snippet's output shape with a marker right above a ``text`` fence::

    <!--snippet-output: snippets/threads/native_ids.py-->
    ```text
    main thread ... native id ...
    ```

The output is compared as doctest compares it: ``...`` matches anything
(ids, timings), runs of white space are equal. The built page shows a
recorded run instead of the shape (``gilexamples.site.recorded``); the
recording must fit the shape too.

Snippets whose first lines say ``# runs on: python2.7`` are also run under
Python 2.7 when one is found (``$(pyenv root)/versions/2.7.18`` or
``python2.7`` on PATH), with the same checks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gilexamples.site.recorded import load_recording, matches_shape, stated_outputs
from gilexamples.site.contract import check_page
from tests.conftest import ROOT

SNIPPETS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "snippets").rglob("*.py"))
STATED = stated_outputs(ROOT)


def _python27() -> str | None:
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    candidate = Path(root) / "versions" / "2.7.18" / "bin" / "python"
    if candidate.is_file():
        return str(candidate)
    return shutil.which("python2.7")


PY27 = _python27()


def runs_on_27(rel: str) -> bool:
    head = (ROOT / rel).read_text(encoding="utf-8").splitlines()[:5]
    return any(line.strip().startswith("# runs on:") and "python2.7" in line for line in head)


SNIPPETS_27 = [rel for rel in SNIPPETS if runs_on_27(rel)]


#: Runs of a measuring snippet that says "inconclusive" before its test gives up: a busy
#: moment (another program, the host) passes, a machine that cannot give it two cores stays.
TRIES = 3


def _inconclusive(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("inconclusive:")]


def run_snippet(rel: str, python: str = sys.executable) -> subprocess.CompletedProcess:
    """Run a snippet as a reader would; again (up to TRIES runs) while it says inconclusive."""
    for _ in range(TRIES):
        result = subprocess.run([python, rel], cwd=ROOT, capture_output=True, text=True,
                                timeout=180)
        if result.returncode != 0 or not _inconclusive(result):
            break
    return result


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


def _check(rel: str, result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, f"{rel} exited {result.returncode}:\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    inconclusive = _inconclusive(result)
    if inconclusive:
        # A measuring snippet that found the machine unable to give it what it needs
        # says so with the figure; that is an honest result, not a pass.
        pytest.skip(f"{rel}: {inconclusive[0]} (on {TRIES} tries)")
    for page, expected in STATED.get(rel, []):
        assert matches_shape(expected, result.stdout), (
            f"{rel}: output differs from what {page} shows\n"
            f"--- page shows:\n{expected}--- snippet printed:\n{result.stdout}")


@pytest.mark.parametrize("rel", SNIPPETS)
def test_snippet_runs(rel):
    _check(rel, run_snippet(rel))


@pytest.mark.skipif(PY27 is None, reason="no Python 2.7 found (pyenv 2.7.18 or python2.7 on PATH)")
@pytest.mark.parametrize("rel", SNIPPETS_27)
def test_snippet_runs_on_python27(rel):
    _check(rel, run_snippet(rel, PY27))


def test_enough_programs_need_only_the_standard_library():
    """At least 8 snippets import nothing of the package; at least 2 say they run on 2.7."""
    plain = [rel for rel in SNIPPETS
             if "gilexamples" not in (ROOT / rel).read_text(encoding="utf-8")]
    assert len(plain) >= 8, plain
    assert len(SNIPPETS_27) >= 2, SNIPPETS_27
    assert all(rel in plain for rel in SNIPPETS_27)


@pytest.mark.parametrize("rel", sorted(STATED))
def test_the_page_shows_a_recorded_run_of_the_stated_shape(rel):
    """The built page shows a recording (with its stamp), and it fits the page's shape."""
    document = load_recording(ROOT / "docs", rel)
    assert document is not None, (
        f"no recorded output for {rel}: python -m gilexamples site record-output {rel}")
    assert document["stamp"]["machine"] and document["stamp"]["date"]
    for page, expected in STATED[rel]:
        assert matches_shape(expected, document["stdout"]), (
            f"{rel}: the recording no longer has the shape {page} states\n"
            f"--- page shows:\n{expected}--- recorded:\n{document['stdout']}")


def test_output_comparison_bites():
    """The comparison used above rejects an output that does not match."""
    assert matches_shape("ratio ... (1.00 = no gain)\n", "ratio 0.97 (1.00 = no gain)\n")
    assert not matches_shape("ratio ... (1.00 = no gain)\n", "ratio 0.97\n")
