"""Facts the "Removing the GIL" page states about interpreters other than the one running the tests.

The page's inline blocks and snippets run under the suite's own Python; these
tests look for other CPythons on the machine (pyenv's versions folder and
PATH) and check the page's claims against them, skipping with a reason when
there are none.
"""

from __future__ import annotations

import functools
import glob
import os
import re
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

PAGE = ROOT / "docs" / "removing-the-gil.md"


def _pyenv_root() -> str | None:
    root = os.environ.get("PYENV_ROOT")
    if not root and shutil.which("pyenv"):
        try:
            root = subprocess.run(["pyenv", "root"], capture_output=True, text=True,
                                  timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            root = None
    root = root or os.path.expanduser("~/.pyenv")
    return root if os.path.isdir(root) else None


@functools.lru_cache(maxsize=None)
def interpreters() -> tuple[str, ...]:
    """CPython executables found on this machine: pyenv versions, then python3.X on PATH."""
    found: list[str] = []
    root = _pyenv_root()
    if root:
        found += sorted(glob.glob(os.path.join(root, "versions", "3.*", "bin", "python3")))
        found += sorted(glob.glob(os.path.join(root, "versions", "2.7*", "bin", "python2")))
    for minor in range(10, 16):
        for name in (f"python3.{minor}", f"python3.{minor}t"):
            path = shutil.which(name)
            if path:
                found.append(path)
    seen, unique = set(), []
    for path in found:
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            unique.append(path)
    return tuple(unique)


@functools.lru_cache(maxsize=None)
def describe(python: str) -> tuple[tuple[int, int], bool] | None:
    """((major, minor), free_threaded) for a CPython executable, or None if it does not run."""
    try:
        result = subprocess.run(
            [python, "-c", "import sys, sysconfig; sys.stdout.write('%s %s %s\\n' % ("
                           "sys.version_info[0], sys.version_info[1], "
                           "bool(sysconfig.get_config_var('Py_GIL_DISABLED'))))"],
            capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    major, minor, free = result.stdout.split()
    return (int(major), int(minor)), free == "True"


def stated_refusal() -> list[str]:
    """The stderr lines the page says a default 3.13+ build prints for -X gil=0."""
    text = PAGE.read_text(encoding="utf-8")
    match = re.search(r"answers\s+`-X gil=0`\s+and\s+`PYTHON_GIL=0`\s+with\s+exit\s+status\s+1\s+and\s+this\s+on\s+stderr:\s*"
                      r"```text\n(.*?)\n```", text, re.S)
    assert match, "the page no longer quotes the refusal message where this test looks for it"
    return match.group(1).splitlines()


def test_page_quotes_what_a_default_313_build_prints():
    candidates = [p for p in interpreters()
                  if (d := describe(p)) and d[0] >= (3, 13) and not d[1]]
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
    older = [p for p in interpreters() if (d := describe(p)) and (3, 2) <= d[0] < (3, 13)]
    if not older:
        pytest.skip("no CPython 3.6 to 3.12 on this machine besides the suite's own")
    for python in older:
        result = subprocess.run([python, "-X", "gil=0", "-c", "import sys; print(sys._xoptions)"],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, (python, result.stderr)
        assert "'gil': '0'" in result.stdout, (python, result.stdout)


def test_python_2_refuses_x_options():
    """The page says 2.7 refuses -X at start-up."""
    twos = [p for p in interpreters() if (d := describe(p)) and d[0][0] == 2]
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
    twos = [p for p in interpreters() if (d := describe(p)) and d[0][0] == 2]
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
