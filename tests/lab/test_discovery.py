"""The lab finds interpreters, describes them, and skips broken ones with a reason."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from gilexamples.lab import interpreters as interp_mod
from gilexamples.lab.interpreters import find_interpreters, probe


def make_script(path: Path, body: str) -> Path:
    path.write_text(body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture
def broken(tmp_path) -> Path:
    """A file that looks like an interpreter and fails at once."""
    return make_script(tmp_path / "python3.19", "#!/bin/sh\necho 'no such runtime' >&2\nexit 1\n")


def test_probe_describes_the_running_interpreter():
    found = probe(sys.executable)
    assert found.ok, found.problem
    assert found.version == ".".join(map(str, sys.version_info[:3]))
    assert found.implementation == "CPython"
    assert found.switch_interval_s == sys.getswitchinterval()
    assert found.lock == sys.thread_info.lock
    assert found.check_interval is None  # a 3.x has no tick counter
    assert found.real_path == os.path.realpath(sys.executable)
    assert found.summary()["gil_enabled"] is (getattr(sys, "_is_gil_enabled", lambda: True)())


def test_a_broken_interpreter_is_reported_with_its_reason(broken):
    found = probe(broken)
    assert not found.ok
    assert "exited with status 1" in found.problem and "no such runtime" in found.problem


def test_a_program_that_is_not_python_is_reported(tmp_path):
    liar = make_script(tmp_path / "python", "#!/bin/sh\necho hello\n")
    found = probe(liar)
    assert not found.ok and "not a Python interpreter" in found.problem


def test_missing_and_non_executable_candidates_are_reported(tmp_path):
    assert probe(tmp_path / "nope").problem == "not found"
    plain = tmp_path / "python"
    plain.write_text("")
    assert probe(plain).problem == "not an executable file"


def test_named_interpreters_keep_the_broken_one_last(broken):
    found = find_interpreters([sys.executable, str(broken)], include_broken=True)
    assert [i.ok for i in found] == [True, False]
    assert find_interpreters([sys.executable, str(broken)]) == found[:1]


def test_a_named_interpreter_that_does_not_exist_is_a_usage_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        find_interpreters([str(tmp_path / "python9")])
    with pytest.raises(FileNotFoundError, match="not a command on PATH"):
        find_interpreters(["python-that-nobody-has-9.9"])


def test_discovery_searches_path_and_skips_broken_candidates(tmp_path, broken, monkeypatch):
    """A broken python3.X on PATH is skipped with its reason; the same binary twice is one."""
    bin_dir = tmp_path
    os.symlink(sys.executable, bin_dir / "python3")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.setattr(interp_mod, "pyenv_root", lambda: None)
    found = find_interpreters(include_broken=True)
    good = [i for i in found if i.ok]
    bad = [i for i in found if not i.ok]
    assert len(good) == 1  # sys.executable and the python3 link to it are one interpreter
    assert [Path(i.executable).name for i in bad] == ["python3.19"]
    assert "exited with status 1" in bad[0].problem


def test_pyenv_versions_are_found(tmp_path, monkeypatch):
    version_bin = tmp_path / "versions" / "9.9.9" / "bin"
    version_bin.mkdir(parents=True)
    os.symlink(sys.executable, version_bin / "python")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    assert interp_mod.pyenv_root() == tmp_path
    assert (str(version_bin / "python"), "pyenv") in interp_mod.candidates()


def test_pyenv_shims_are_not_searched(tmp_path, monkeypatch):
    shims = tmp_path / ".pyenv" / "shims"
    shims.mkdir(parents=True)
    make_script(shims / "python3.12", "#!/bin/sh\nexit 127\n")
    monkeypatch.setenv("PATH", str(shims))
    monkeypatch.setattr(interp_mod, "pyenv_root", lambda: None)
    assert [c for c in interp_mod.candidates() if c[1] == "PATH"] == []


def test_cli_interpreters_json(cli):
    result = cli("interpreters", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["interpreters"], "the running interpreter at least is found"
    first = document["interpreters"][0]
    for key in ("executable", "version", "implementation", "gil_enabled", "free_threaded",
                "lock", "check_interval", "switch_interval_s", "era"):
        assert key in first
    # One row per binary, and a second one for a free-threaded binary run with PYTHON_GIL=1.
    reals = [(i["real_path"], tuple(sorted(i["env"].items()))) for i in document["interpreters"]]
    assert len(reals) == len(set(reals)), "duplicates were not removed"


def test_cli_interpreters_refuses_a_named_broken_one(cli, broken):
    result = cli("interpreters", "--python", sys.executable, "--python", str(broken))
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert f"--python {broken}: cannot be used" in line and "exited with status 1" in line


def test_cli_missing_python_is_one_line_and_exit_2(cli, tmp_path):
    for command in (["interpreters"], ["run", "countdown", "--quick"], ["lab", "--quick"]):
        result = cli(*command, "--python", str(tmp_path / "python9"))
        assert result.returncode == 2, (command, result.stderr)
        assert result.stderr.count("\n") == 1 and "no such file" in result.stderr
        assert result.stdout == ""
