"""``python -m gilexamples simulate``: JSON shape, exit codes, the trace file."""

from __future__ import annotations

import json

import pytest

from gilexamples.trace import validate


def test_json_shape(cli):
    result = cli("simulate", "countdown", "--policy", "ticks", "--cores", "2",
                 "--seconds", "0.01", "--seed", "3", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert {"scenario", "policy", "cores", "seconds", "seed", "metrics"} <= set(doc)
    assert (doc["scenario"], doc["policy"], doc["cores"], doc["seed"]) == ("countdown", "ticks", 2, 3)
    assert doc["metrics"]["ratio"] > 1.1
    assert result.stderr == ""


def test_same_arguments_same_output(cli):
    args = ("simulate", "convoy", "--seconds", "0.05", "--seed", "5", "--json")
    assert cli(*args).stdout == cli(*args).stdout


def test_readable_report_and_trace_file(cli, tmp_path):
    out = tmp_path / "trace.json"
    result = cli("simulate", "response", "--interval", "0.001", "--seconds", "0.05",
                 "--trace", str(out))
    assert result.returncode == 0, result.stderr
    assert "p50_s" in result.stdout and "policy newgil" in result.stdout
    trace = validate(json.loads(out.read_text()))
    assert trace["meta"]["scenario"] == "response"


@pytest.mark.parametrize("args,needle", [
    (["nope"], "invalid choice"),
    (["countdown", "--policy", "nope"], "invalid choice"),
    (["countdown", "--cores", "0"], "must be at least 1"),
    (["countdown", "--seconds", "-1"], "greater than 0"),
    (["countdown", "--seconds", "1000"], "at most"),
    (["countdown", "--interval", "x"], "not a number"),
    (["countdown", "--seed", "x"], "not a whole number"),
    (["countdown", "--seconds", "0.01", "--trace", "/nonexistent-dir/t.json"], "cannot write"),
])
def test_bad_values_exit_2_with_one_line(cli, args, needle):
    result = cli("simulate", *args)
    assert result.returncode == 2, result
    assert needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
