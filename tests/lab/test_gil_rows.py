"""A free-threaded build is run twice: with its GIL off, and with PYTHON_GIL=1 (two rows)."""

from __future__ import annotations

import json
import sys

import pytest

from gilexamples.lab.interpreters import find_interpreters, gil_forced_on, probe, python_label
from gilexamples.lab.runner import run_experiment

from tests.lab import _builds

#: Tiny overhead runs: the payload reports sys._is_gil_enabled() as it ran.
TINY = {"n": 200, "repeat": 1, "workloads": ["call"]}


def test_a_default_build_gets_no_second_row():
    me = _builds.current()
    if me.free_threaded:
        pytest.skip("the tests run on a free-threaded build: the other tests cover it")
    assert gil_forced_on(me) is None
    assert [i.label for i in find_interpreters([sys.executable])] == [me.label]


def test_labels_name_the_build_and_the_variable():
    base = {"implementation": "CPython", "version": "3.13.1", "executable": "/x/python"}
    assert python_label(base) == "CPython 3.13.1"
    assert python_label(dict(base, free_threaded=True)) == "CPython 3.13.1t"
    assert (python_label(dict(base, free_threaded=True, env={"PYTHON_GIL": "1"}))
            == "CPython 3.13.1t (PYTHON_GIL=1)")


@pytest.fixture(scope="module")
def t_build():
    t = _builds.free_threaded()
    if t is None:
        pytest.skip(_builds.NO_FREE_THREADED)
    return t


def test_a_free_threaded_build_comes_twice_gil_off_then_forced_on(t_build):
    rows = find_interpreters([t_build.executable])
    assert [(r.gil_enabled, r.env) for r in rows] == [(False, {}), (True, {"PYTHON_GIL": "1"})]
    assert rows[1].label == f"{rows[0].label} (PYTHON_GIL=1)"
    assert rows[0].real_path == rows[1].real_path, "the same binary both times"


def test_each_row_runs_with_its_own_gil_and_says_so(t_build):
    for row in find_interpreters([t_build.executable]):
        result = run_experiment("overhead", row, quick=True, params=TINY)
        assert "metrics" in result, result
        python = result["python"]
        # What the probe saw, what the payload saw while it ran, and what the record says agree.
        assert python["gil_enabled"] is row.gil_enabled
        assert result["metrics"]["gil_enabled"] is row.gil_enabled
        assert python["env"] == row.env and python["label"] == row.label
        assert {"executable", "version", "implementation", "gil_enabled"} <= set(python)


def test_the_users_own_python_gil_1_leaves_one_row(t_build, monkeypatch):
    monkeypatch.setenv("PYTHON_GIL", "1")
    rows = find_interpreters([t_build.executable])
    assert [(r.gil_enabled, r.env) for r in rows] == [(True, {})]


@pytest.mark.slow
def test_cli_run_shows_both_rows(cli, t_build):
    result = cli("run", "overhead", "--quick", "--json", "--python", t_build.executable)
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)["runs"]
    assert [(r["python"]["gil_enabled"], r["python"]["env"]) for r in runs] == [
        (False, {}), (True, {"PYTHON_GIL": "1"})]
    assert all("metrics" in r for r in runs)
    text = cli("run", "overhead", "--quick", "--python", t_build.executable)
    assert text.returncode == 0, text.stderr
    assert "t (PYTHON_GIL=1): " in text.stdout


def test_cli_interpreters_lists_the_forced_row(cli, t_build):
    result = cli("interpreters", "--python", t_build.executable)
    assert result.returncode == 0, result.stderr
    assert "GIL off" in result.stdout and "GIL on (forced by PYTHON_GIL=1)" in result.stdout
    assert probe(t_build.executable).gil_enabled is False
