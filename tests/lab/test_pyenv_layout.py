"""The lab finds interpreters laid out as pyenv lays out its versions, with or without bin/python.

The fake trees are real: their files are symbolic links to real interpreters
on this machine, so the probe really runs them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from gilexamples.lab import interpreters as interp_mod
from gilexamples.lab.interpreters import find_interpreters

from tests.lab import _builds


def _other_interpreter():
    """A working interpreter that is not the one running the tests (another binary), or None."""
    mine = os.path.realpath(sys.executable)
    for interp in _builds.found():
        if os.path.realpath(interp.real_path or interp.executable) != mine \
                and not interp.free_threaded:
            return interp
    return None


@pytest.fixture
def fake_root(tmp_path, monkeypatch):
    """An empty pyenv root that the lab will search, and nothing on PATH."""
    _builds.found()  # the real interpreters, looked up before the search is pointed here
    (tmp_path / "versions").mkdir()
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    return tmp_path


def _bin(root: Path, version: str) -> Path:
    folder = root / "versions" / version / "bin"
    folder.mkdir(parents=True)
    return folder


def test_a_version_without_bin_python_is_found_by_its_versioned_name(fake_root):
    other = _other_interpreter()
    if other is None:
        pytest.skip("needs a second CPython besides the one running the tests "
                    "(pyenv's versions folder or PATH has none)")
    major, minor = other.version_tuple[:2]
    folder = _bin(fake_root, "9.9.9")
    link = folder / f"python{major}.{minor}"
    os.symlink(other.real_path, link)
    # What make install also leaves there, and what must not be taken for an interpreter.
    (folder / f"python{major}.{minor}-config").write_text("#!/bin/sh\n")
    (folder / f"python{major}.{minor}-config").chmod(0o755)
    (folder / f"python{major}.{minor}-gdb.py").write_text("")
    assert (str(link), "pyenv") in interp_mod.candidates()
    assert not any(path.endswith(("-config", ".py")) for path, _ in interp_mod.candidates())
    found = [i for i in find_interpreters() if i.executable == str(link)]
    assert len(found) == 1, "the versioned interpreter was not found"
    assert found[0].version == other.version and found[0].found_by == "pyenv"


def test_the_newest_versioned_name_is_taken_when_several_are_there(fake_root):
    folder = _bin(fake_root, "3.99.0")
    for name in ("python3.9", "python3.12", "python3.10"):
        os.symlink(sys.executable, folder / name)
    picked = [path for path, how in interp_mod.candidates() if how == "pyenv"]
    assert picked == [str(folder / "python3.12")]


def test_bin_python_wins_and_free_threaded_names_come_too(fake_root):
    folder = _bin(fake_root, "3.13.9t")
    os.symlink(sys.executable, folder / "python3.13t")
    os.symlink("python3.13t", folder / "python")
    os.symlink(sys.executable, folder / "python3.13")
    picked = [path for path, how in interp_mod.candidates() if how == "pyenv"]
    assert picked == [str(folder / "python"), str(folder / "python3.13t")]


def test_a_free_threaded_build_installed_without_bin_python_is_found(fake_root):
    """The layout ``make install`` of a --disable-gil build leaves: python3.Yt, no python."""
    t = _builds.free_threaded()
    if t is None:
        pytest.skip(_builds.NO_FREE_THREADED)
    major, minor = t.version_tuple[:2]
    folder = _bin(fake_root, f"{t.version}t-by-hand")
    link = folder / f"python{major}.{minor}t"
    os.symlink(t.real_path, link)
    found = [i for i in find_interpreters() if i.executable == str(link)]
    assert [i.gil_enabled for i in found] == [False, True]  # as found, and with PYTHON_GIL=1
    assert found[0].free_threaded and found[0].env == {}
    assert found[1].env == {"PYTHON_GIL": "1"}


def test_a_virtualenv_in_the_versions_folder_is_not_searched(fake_root):
    folder = _bin(fake_root, "my-venv")
    os.symlink(sys.executable, folder / "python")
    (folder / "activate").write_text("")
    assert [c for c in interp_mod.candidates() if c[1] == "pyenv"] == []
