"""The command line: --help, --json, and one-line errors with exit status 2."""

from __future__ import annotations

import json
import sys

import pytest

from gilexamples import cli


def test_help_lists_the_commands(cli):
    result = cli("--help")
    assert result.returncode == 0
    for command in ("info", "split", "slices"):
        assert command in result.stdout


def test_version(cli):
    result = cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("gilexamples ")


def test_info_json_is_one_document(cli):
    result = cli("info", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert {"version", "gil_enabled", "switch_interval_s", "lock"} <= set(info)


def test_info_text(cli):
    result = cli("info")
    assert result.returncode == 0
    assert "switch_interval_s" in result.stdout


def test_split_json(cli):
    result = cli("split", "io", "--units", "4", "--repeat", "1", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["workload"] == "io" and doc["units"] == 4
    assert doc["ratio"] > 0 and "python" in doc


def test_split_text(cli):
    result = cli("split", "hash", "--units", "2", "--repeat", "1")
    assert result.returncode == 0
    assert "ratio" in result.stdout


def test_slices_json(cli):
    result = cli("slices", "--seconds", "0.1", "--interval", "0.002", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["interval_s"] == 0.002
    # Two CPU-bound threads spinning for 0.1 s hand over the GIL (or, free-threaded,
    # interleave) many times: a count of zero would mean the threads never both ran.
    assert doc["switches"] >= 5, doc


@pytest.mark.parametrize("args, fragment", [
    ([], "required: COMMAND"),
    (["nosuchcommand"], "invalid choice"),
    (["split", "spin"], "invalid choice: 'spin'"),
    (["split", "io", "--units", "0"], "must be at least 1"),
    (["split", "io", "--units", "many"], "not a whole number"),
    (["slices", "--seconds", "-1"], "must be greater than 0"),
    (["slices", "--threads", "1"], "at least 2"),
])
def test_usage_errors_are_one_line_and_exit_2(cli, args, fragment):
    result = cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0]
    assert "Traceback" not in result.stderr


def test_main_returns_status_in_process(capsys):
    assert cli.main(["info", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["implementation"]


def test_a_closed_pipe_ends_the_command_quietly():
    import subprocess

    from tests.conftest import ROOT

    child = subprocess.Popen(
        [sys.executable, "-m", "gilexamples", "split", "io", "--units", "5", "--repeat", "1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()  # the reader goes away before the command prints
    _, err = child.communicate(timeout=60)
    assert child.returncode == 1
    assert b"Traceback" not in err and b"BrokenPipe" not in err, err


def test_lab_in_process_records_the_arguments_it_was_given(tmp_path, capsys):
    """The stamp's command is the argv handed to main(), not the host process's (pytest's)."""
    argv = ["lab", "--quick", "--python", sys.executable, "--experiment", "timeline",
            "--out", str(tmp_path), "--json"]
    assert cli.main(argv) == 0
    stored = json.loads((tmp_path / "timeline.json").read_text(encoding="utf-8"))
    assert stored["stamp"]["command"] == "python -m gilexamples " + " ".join(argv)
    assert json.loads(capsys.readouterr().out)["stamp"]["command"] == stored["stamp"]["command"]
