"""The scaling payload: threads, processes and sub-interpreters on the same work; never a wrong verdict.

A verdict about threads needs two free cores; the payload measures whether
it had them (processes as a calibration, and each worker's run-queue wait)
and says "inconclusive" with the figure when it had not. A test that meets
"inconclusive" skips with that figure as its reason.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from gilexamples.lab.runner import available_cpus, run_experiment

from tests.lab import _builds

pytestmark = pytest.mark.slow

VERDICTS = {"parallel", "serial", "partial", "inconclusive"}


def _interpreters():
    chosen = {"current": _builds.current()}
    older = _builds.by_version((2, 7))
    if older is not None:
        chosen["2.7"] = older
    twelve = _builds.by_version((3, 12)) or _builds.by_version((3, 13))
    if twelve is not None:
        chosen["3.12+"] = twelve
    # A free-threaded build's rows (GIL off, PYTHON_GIL=1) are measured and judged in
    # test_freethreading_claims, through the CLI, beside the same version's default build.
    return chosen


@pytest.fixture(scope="module")
def measured():
    return {name: (interp, run_experiment("scaling", interp, quick=True))
            for name, interp in _interpreters().items()}


def _metrics(measured, name):
    if name not in measured:
        pytest.skip(f"no CPython {name} found (pyenv's versions folder, PATH)")
    interp, result = measured[name]
    assert "metrics" in result, f"scaling under {interp.label}: {result}"
    return interp, result["metrics"]


def _conclusive(m):
    if m["verdict"] == "inconclusive":
        pytest.skip(f"inconclusive: {m['why']}")


@pytest.mark.parametrize("name", ["current", "2.7", "3.12+"])
def test_contract(measured, name):
    _, m = _metrics(measured, name)
    assert set(m["by_threads"]) >= {"1", "2"} and set(m["by_processes"]) >= {"1", "2"}
    assert m["speedup"] > 0 and m["process_speedup"] > 0
    assert m["verdict"] in VERDICTS and m["why"]
    assert 0 <= m["clean_trials"] <= m["trials"] == m["repeat"]
    assert m["clean_trials_by_kind"]["threads"] == m["clean_trials"]
    assert set(m["steal_per_wall"]) == set(m["waiting_per_wall"]) >= {"threads", "processes"}
    if m["subinterpreters"]:
        assert m["subinterpreter_verdict"] in VERDICTS and m["subinterpreter_why"]


def test_threads_under_a_gil_do_not_scale(measured):
    """Every interpreter measured here (the current one, 2.7, 3.12+; all with a GIL):
    each run that had two free cores says "serial". One skip, and only
    when no run had them (a busy machine gives every run the same reason)."""
    with_gil = [(interp, result["metrics"]) for interp, result in measured.values()
                if "metrics" in result and result["metrics"]["gil_enabled"]]
    assert with_gil, "no interpreter with a GIL was measured"
    conclusive = [(interp, m) for interp, m in with_gil if m["verdict"] != "inconclusive"]
    if not conclusive:
        pytest.skip("inconclusive on every interpreter with a GIL: "
                    + "; ".join(f"{interp.label}: {m['why']}" for interp, m in with_gil))
    wrong = {interp.label: (m["verdict"], round(m["speedup"], 2), m["why"])
             for interp, m in conclusive if m["verdict"] != "serial" or m["speedup"] > 1.15}
    assert not wrong, wrong


def test_sub_interpreters_have_their_own_gil_from_3_12(measured):
    interp, m = _metrics(measured, "3.12+")
    assert m["subinterpreters"] in ("_xxsubinterpreters", "_interpreters",
                                    "concurrent.interpreters")
    assert m["subinterpreter_gil"] == "own"
    # Judged on the sub-interpreters' own trials: a disturbance can hit their runs
    # and spare the threads' and processes' a moment before.
    if m["subinterpreter_verdict"] == "inconclusive":
        pytest.skip(f"inconclusive: {m['subinterpreter_why']}")
    # Own GIL: clearly more than one interpreter's worth (a shared GIL gives about 1.0);
    # how close to two depends on how free the second core was during the run.
    assert m["subinterpreter_verdict"] in ("parallel", "partial"), m["subinterpreter_why"]
    assert m["subinterpreter_speedup"] >= 1.15, (
        f"{interp.label}: two sub-interpreters ran {m['subinterpreter_speedup']:.2f}x as fast "
        f"as one while two processes ran {m['process_speedup']:.2f}x")


def test_no_sub_interpreters_before_3_12(measured):
    interp, m = _metrics(measured, "2.7")
    assert m["subinterpreters"] is None and "before 3.12" in m["subinterpreters_note"]
    assert "by_subinterpreters" not in m


def test_one_cpu_is_inconclusive():
    """Pinned to one CPU nothing can run in parallel: the payload must not call that serial."""
    cpus = available_cpus()
    result = run_experiment("scaling", _builds.current(), quick=True, cpus=[cpus[0]],
                            params={"subinterpreters": False})
    m = result["metrics"]
    assert m["verdict"] == "inconclusive", m
    assert m["process_speedup"] < 1.5


@pytest.mark.parametrize("name", ["current", "t"])
def test_a_core_taken_by_another_process_gives_no_wrong_verdict(name):
    """With another process spinning, the verdict is the right one or "inconclusive"."""
    interp = _builds.current() if name == "current" else _builds.free_threaded()
    if interp is None:
        pytest.skip(_builds.NO_FREE_THREADED)
    expected = "parallel" if interp.free_threaded and interp.gil_enabled is False else "serial"
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        result = run_experiment("scaling", interp, quick=True, params={"subinterpreters": False},
                                timeout=120)
    finally:
        spinner.kill()
        spinner.wait()
    m = result["metrics"]
    assert m["verdict"] in (expected, "inconclusive"), m["why"]

