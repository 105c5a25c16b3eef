"""The runner keeps the payload contract, pins, times out, and reports errors as results."""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from pathlib import Path

import pytest

from gilexamples.lab import runner
from gilexamples.lab.runner import (
    UnknownExperiment,
    check_output,
    ExperimentError,
    experiments,
    parse_cpus,
    payload_path,
    run_experiment,
)

MINE = ["convoy", "countdown", "response", "switch-interval"]


@pytest.fixture
def payloads(tmp_path, monkeypatch) -> Path:
    """A payload folder of our own, for payloads that break the contract on purpose."""
    monkeypatch.setattr(runner, "PAYLOADS", tmp_path)
    return tmp_path


def write(folder: Path, name: str, body: str) -> None:
    (folder / f"{name}.py").write_text(body)


def test_experiments_are_the_payload_files():
    names = experiments()
    assert set(MINE) <= set(names)
    assert payload_path("switch-interval").name == "switch_interval.py"
    assert payload_path("switch_interval") == payload_path("switch-interval")


def test_unknown_experiment_raises():
    with pytest.raises(UnknownExperiment, match="unknown experiment 'nope'.*countdown"):
        run_experiment("nope", sys.executable, quick=True)


def test_missing_interpreter_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        run_experiment("countdown", tmp_path / "python9", quick=True)


def test_result_shape_for_a_real_run():
    result = run_experiment("countdown", sys.executable, quick=True, params={"total": 200000})
    assert set(result["python"]) >= {"executable", "version", "implementation", "gil_enabled"}
    assert result["python"]["executable"] == sys.executable
    assert result["metrics"]["total"] == 200000
    assert result["metrics"]["ratio"] == pytest.approx(
        result["metrics"]["threads"]["2"]["ratio"])
    assert result["cpus"] is None and result["seconds"] > 0


def test_a_broken_interpreter_is_an_error_result(tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    result = run_experiment("countdown", fake, quick=True)
    assert "metrics" not in result
    assert result["error"].startswith("interpreter skipped: exited with status 1")


@pytest.mark.parametrize("body, message", [
    ("import sys\nsys.exit(3)\n", "exited with status 3"),
    ("print('hello')\n", "did not print one JSON document"),
    ("print('{}')\nprint('{}')\n", "did not print one JSON document"),
    ("print('[1, 2]')\n", "one key"),
    ("print('{\"metrics\": 1}')\n", "expected metrics or skipped"),
    ("", "printed nothing"),
])
def test_contract_breaches_are_error_results(payloads, body, message):
    write(payloads, "bad", body)
    result = run_experiment("bad", sys.executable, quick=True)
    assert message in result["error"]


def test_skipped_passes_through_and_params_arrive(payloads):
    write(payloads, "echo", "import json, sys\np = json.loads(sys.argv[1])\n"
                            "print(json.dumps({'skipped': 'quick=%s extra=%s' % (p['quick'], p['extra'])}))\n")
    result = run_experiment("echo", sys.executable, quick=True, params={"extra": 7})
    assert result["skipped"] == "quick=True extra=7"


def test_timeout_kills_the_payload_and_what_it_started(payloads, tmp_path):
    marker = tmp_path / "grandchild.pid"
    write(payloads, "hang", (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(marker)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n"))
    result = run_experiment("hang", sys.executable, quick=True, timeout=1.5)
    assert result["error"] == "timed out after 1.5 s (killed)"
    assert result["seconds"] < 10
    grandchild = int(marker.read_text())
    for _ in range(100):  # SIGKILL is delivered at once; reaping by init can lag a little
        try:
            with open(f"/proc/{grandchild}/stat") as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            break
        if state == "Z":
            break
        import time
        time.sleep(0.05)
    else:
        pytest.fail("the payload's own child survived the timeout")


AFFINITY = ("import json, os\n"
            "print(json.dumps({'metrics': {'cpus': sorted(os.sched_getaffinity(0))}}))\n")


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity on this OS")
@pytest.mark.parametrize("with_taskset", [True, False], ids=["taskset", "sched_setaffinity"])
def test_pinning(payloads, monkeypatch, with_taskset):
    write(payloads, "where", AFFINITY)
    cpu = runner.available_cpus()[-1]
    if not with_taskset:
        monkeypatch.setattr(runner.shutil, "which", lambda name: None)
    elif runner.shutil.which("taskset") is None:
        pytest.skip("taskset is not installed")
    result = run_experiment("where", sys.executable, cpus=str(cpu))
    assert result["metrics"]["cpus"] == [cpu]
    assert result["cpus"] == [cpu]
    unpinned = run_experiment("where", sys.executable)
    assert unpinned["metrics"]["cpus"] == runner.available_cpus()


def test_parse_cpus():
    first = runner.available_cpus()[0]
    assert parse_cpus(None) is None and parse_cpus("all") is None
    assert parse_cpus(str(first)) == [first]
    assert parse_cpus(f"{first}-{first}") == [first]
    for bad in ("x", "1-0", "0,,1", "99999", "-1"):
        with pytest.raises(ValueError):
            parse_cpus(bad)


def test_check_output_accepts_exactly_the_contract():
    assert check_output('{"metrics": {"a": 1}}\n') == {"metrics": {"a": 1}}
    assert check_output('{"skipped": "why"}') == {"skipped": "why"}
    with pytest.raises(ExperimentError):
        check_output('{"metrics": {}, "skipped": "both"}')


def test_cli_run_json_shape(cli):
    result = cli("run", "countdown", "--quick", "--json", "--python", sys.executable)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["experiment"] == "countdown"
    (run,) = document["runs"]
    assert set(run["python"]) >= {"executable", "version", "implementation", "gil_enabled"}
    assert {"sequential_s", "threaded_s", "ratio"} <= set(run["metrics"])


@pytest.mark.parametrize("args, message", [
    (["run", "nope"], "unknown experiment 'nope'"),
    (["run", "countdown", "--cpus", "zero"], "--cpus: bad CPU list"),
    (["run", "countdown", "--cpus", "4096"], "--cpus: CPU 4096 is not available"),
    (["lab", "--experiment", "nope"], "unknown experiment 'nope'"),
])
def test_cli_usage_errors_exit_2(cli, args, message):
    result = cli(*args)
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_cli_run_refuses_a_named_interpreter_that_cannot_run(cli, tmp_path):
    """Named with --python and broken: a usage error that says which and why, not a run."""
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    result = cli("run", "countdown", "--quick", "--json", "--python", str(fake))
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert f"--python {fake}" in line and "exited with status 1" in line


def test_cli_lab_writes_stamped_results(cli, tmp_path):
    out = tmp_path / "results"
    result = cli("lab", "--quick", "--python", sys.executable, "--experiment", "countdown",
                 "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", "no progress bar when stderr is not a terminal"
    document = json.loads((out / "countdown.json").read_text())
    stamp = document["stamp"]
    assert stamp["machine"]["cores"] == os.cpu_count()
    assert stamp["machine"]["kernel"] == os.uname().release
    assert stamp["quick"] is True and "lab --quick" in stamp["command"]
    assert len(stamp["loadavg_start"]) == 3 and stamp["date"].endswith("+00:00")
    # Each file is stamped with its own experiment's start and end, and the end load.
    assert stamp["date"] <= stamp["finished"] and len(stamp["loadavg_end"]) == 3
    assert "virtual" in stamp["machine"]
    # The quick lab runs every experiment on all cores only (the full lab adds one core).
    assert [run["setup"] for run in document["runs"]] == ["all cores"]
    assert all("metrics" in run for run in document["runs"])


def test_convoy_also_runs_pinned_with_one_cpu_bound_thread(monkeypatch):
    from gilexamples.lab import suite

    monkeypatch.setattr(suite, "available_cpus", lambda: [0, 1])
    assert suite.setups("convoy") == [("all cores", None), ("one core", [0])]
    assert suite.PINNED_PARAMS["convoy"]["threads"] == [1]
    assert suite.setups("switch-interval") == [("all cores", None), ("one core", [0])]
    # The quick lab runs on all cores only (a dozen interpreters in about a minute).
    assert suite.setups("convoy", quick=True) == [("all cores", None)]
    assert suite.setups("countdown", quick=True) == [("all cores", None)]
    monkeypatch.setattr(suite, "available_cpus", lambda: [0])
    assert suite.setups("convoy") == [("all cores", None)]


def test_quick_lab_sizes_name_real_experiments_and_parameters():
    """A typo in QUICK_LAB_PARAMS would be ignored by the payload: every key is an
    experiment, and every parameter is one its payload reads (by its quoted name)."""
    from gilexamples.lab import suite

    unknown = set(suite.QUICK_LAB_PARAMS) - set(runner.experiments())
    assert not unknown, unknown
    def reads(source: str, param: str) -> bool:
        quoted = re.escape(f'"{param}"')
        return re.search(rf"params(\.number|\.get)\(\s*{quoted}|{quoted} in params"
                         rf"|params\[{quoted}\]", source) is not None

    unread = {(name, param) for name, params in suite.QUICK_LAB_PARAMS.items()
              for param in params
              if not reads(runner.payload_path(name).read_text(encoding="utf-8"), param)}
    assert not unread, unread
