"""Facts the "Removing the GIL" page states about interpreters other than the one running the tests.

The page's inline blocks and snippets run under the suite's own Python; these
tests take the other CPythons the lab finds on the machine (its discovery:
PATH and pyenv's versions folder) and check the page's claims against them,
skipping with a reason when there are none.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess

import pytest

from gilexamples.lab.interpreters import Interpreter, find_interpreters
from tests.conftest import ROOT

PAGE = ROOT / "docs" / "removing-the-gil.md"


@functools.cache
def _found() -> tuple[Interpreter, ...]:
    """The CPythons the lab finds on this machine (PATH and pyenv), as it finds them."""
    return tuple(i for i in find_interpreters() if i.implementation == "CPython")


def interpreters(low: tuple[int, int] = (0, 0), high: tuple[int, int] = (99, 0), *,
                 free_threaded: bool | None = None) -> list[str]:
    """Executables of the CPythons found with low <= (major, minor) < high."""
    return [i.executable for i in _found()
            if low <= i.version_tuple[:2] < high
            and (free_threaded is None or bool(i.free_threaded) is free_threaded)]


def stated_refusal() -> list[str]:
    """The stderr lines the page says a default 3.13+ build prints for -X gil=0."""
    text = PAGE.read_text(encoding="utf-8")
    match = re.search(r"answers\s+`-X gil=0`\s+and\s+`PYTHON_GIL=0`\s+with\s+exit\s+status\s+1\s+and\s+this\s+on\s+stderr:\s*"
                      r"```text\n(.*?)\n```", text, re.S)
    assert match, "the page no longer quotes the refusal message where this test looks for it"
    return match.group(1).splitlines()


def test_page_quotes_what_a_default_313_build_prints():
    candidates = interpreters((3, 13), free_threaded=False)
    if not candidates:
        pytest.skip("no default (GIL) build of CPython 3.13 or later on this machine")
    expected = stated_refusal()
    for python in candidates:
        for extra_args, env in ((["-X", "gil=0"], {}), ([], {"PYTHON_GIL": "0"})):
            result = subprocess.run([python, *extra_args, "-c", "pass"], capture_output=True,
                                    text=True, timeout=30, env=dict(os.environ, **env))
            assert result.returncode == 1, (python, extra_args, env)
            assert result.stderr.strip().splitlines() == expected, (python, result.stderr)


def test_older_pythons_ignore_the_option():
    """The page says 3.2 to 3.12 accept any -X name; check every one found."""
    older = interpreters((3, 2), (3, 13))
    if not older:
        pytest.skip("no CPython 3.6 to 3.12 on this machine besides the suite's own")
    for python in older:
        result = subprocess.run([python, "-X", "gil=0", "-c", "import sys; print(sys._xoptions)"],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, (python, result.stderr)
        assert "'gil': '0'" in result.stdout, (python, result.stdout)


def test_python_2_refuses_x_options():
    """The page says 2.7 refuses -X at start-up."""
    twos = interpreters((2, 0), (3, 0))
    if not twos:
        pytest.skip("no CPython 2.7 on this machine")
    text = PAGE.read_text(encoding="utf-8")
    assert "2.7 refuses `-X` at start-up" in text
    for python in twos:
        result = subprocess.run([python, "-X", "gil=0", "-c", "pass"],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 2, (python, result.returncode)
        assert "-X is reserved for implementation-specific arguments" in result.stderr


def test_gil_switches_reads_a_python_2_child():
    """gil_switches.py must parse a 2.x child's answer (its print statement prints a tuple)."""
    twos = interpreters((2, 0), (3, 0))
    if not twos:
        pytest.skip("no CPython 2.7 on this machine")
    import sys
    result = subprocess.run([sys.executable, str(ROOT / "snippets" / "removing" / "gil_switches.py"),
                             twos[0]], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Python 2.7"), lines
    assert "GIL on (always, before 3.13)" in lines[0], lines
    assert all("started, GIL" not in line for line in lines[1:]), lines
    assert "refused (exit 2)" in lines[1], lines
