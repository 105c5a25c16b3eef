"""The real tracer: the timeline payload in child interpreters, pinned to CPUs."""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

import pytest

from gilexamples.lab.interpreters import pyenv_root
from gilexamples.lab.runner import available_cpus, run_experiment
from gilexamples.trace import run_overlap_ns, summary, validate
from gilexamples.trace.measured import from_payload

CPUS = [0, 1] if {0, 1} <= set(available_cpus()) else None


def _python27() -> str:
    root = pyenv_root()
    path = Path(root, "versions", "2.7.18", "bin", "python") if root else None
    if path is None or not os.access(path, os.X_OK):
        pytest.skip("no Python 2.7.18 in pyenv's versions folder")
    return str(path)


def _record(python, workload="cpu2", seconds=0.12, cpus=CPUS):
    result = run_experiment("timeline", python, quick=True, cpus=cpus,
                            params={"workload": workload, "seconds": seconds})
    assert "metrics" in result, result
    gil = result["python"]["gil_enabled"] is not False
    return result, validate(from_payload(result["metrics"], title="t", gil=gil)), gil


def test_current_python_running_stretches_never_overlap_with_a_gil():
    result, trace, gil = _record(sys.executable)
    facts = summary(trace)
    for name in ("cpu-1", "cpu-2"):
        assert facts["threads"][name]["run_ns"] > 0.05 * trace["end"], facts
    if not gil:
        pytest.skip("free-threaded interpreter: running stretches are expected to overlap")
    assert run_overlap_ns(trace) == 0
    assert result["metrics"]["overlap_s"] == 0.0


def test_python27_tick_gil_never_runs_two_threads_at_once():
    result, trace, gil = _record(_python27())
    assert gil and result["metrics"]["clock"] == "time"
    stretches = sum(len(t["intervals"]) for t in trace["threads"])
    # time.time() has 1 us resolution: two threads' readings may touch, never truly overlap
    assert run_overlap_ns(trace) <= 1000 * stretches
    assert summary(trace)["switches"] >= 1


def test_io_thread_waits_for_the_switching_gil_after_each_reply():
    result, trace, gil = _record(sys.executable, workload="cpu+io", seconds=0.15)
    if not gil:
        pytest.skip("free-threaded interpreter: there is no GIL to wait for")
    io = next(t for t in trace["threads"] if t["name"] == "io")
    waits = [b - a for a, b, state in io["intervals"] if state == "wait"]
    assert io["intervals"] and waits, io
    assert any(state == "io" for _, _, state in io["intervals"])
    # The reply is there but Python resumes only when the CPU-bound thread is forced off.
    assert statistics.median(waits) > 500_000, waits


def test_unknown_workload_is_skipped_not_an_error():
    result = run_experiment("timeline", sys.executable, quick=True,
                            params={"workload": "nope"})
    assert "unknown workload" in result["skipped"]
