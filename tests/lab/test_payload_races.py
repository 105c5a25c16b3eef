"""The races payload: lost updates where a thread can switch (or run) inside a read-modify-write.

Interpreters: the one running the tests, and when present 2.7, a 3.x before
3.10, and a free-threaded build (GIL off, and with PYTHON_GIL=1). What is
asserted is what the interpreter's design guarantees (no loss where no switch
can happen inside the update) or what the payload is built to show every
time (loss where one can: thousands of lost updates in a quick run).
"""

from __future__ import annotations

import pytest

from gilexamples.lab.runner import run_experiment

from tests.lab import _builds

pytestmark = pytest.mark.slow

CASES = ["int_iadd", "py_iadd", "list_append", "dict_check_set", "counter"]


def _interpreters():
    chosen = {"current": _builds.current()}
    for name, version in (("2.7", (2, 7)), ("3.9", (3, 9))):
        found = _builds.by_version(version)
        if found is not None:
            chosen[name] = found
    chosen.update(_builds.free_threaded_rows())
    return chosen


@pytest.fixture(scope="module")
def measured():
    return {name: (interp, run_experiment("races", interp, quick=True))
            for name, interp in _interpreters().items()}


def _metrics(measured, name):
    if name not in measured:
        reason = {"t": _builds.NO_FREE_THREADED, "t, PYTHON_GIL=1": _builds.NO_FREE_THREADED}
        pytest.skip(reason.get(name, f"no CPython {name} found (pyenv's versions folder, PATH)"))
    interp, result = measured[name]
    assert "metrics" in result, f"races under {interp.label}: {result}"
    return interp, result["metrics"]


def test_contract_every_case_counted_under_the_running_python(measured):
    _, m = _metrics(measured, "current")
    assert sorted(m["lost_updates"]) == sorted(CASES)
    for case in CASES:
        entry = m["cases"][case]
        assert entry["expected"] > 10000, f"{case}: too few updates to show anything"
        assert entry["lost_updates"] == entry["expected"] - entry["actual"] >= 0


@pytest.mark.parametrize("name", ["current", "2.7", "3.9", "t", "t, PYTHON_GIL=1"])
def test_list_append_never_loses(measured, name):
    _, m = _metrics(measured, name)
    assert m["lost_updates"]["list_append"] == 0


@pytest.mark.parametrize("name", ["current", "2.7", "3.9", "t, PYTHON_GIL=1"])
def test_a_python_level_iadd_loses_under_every_gil(measured, name):
    """A call into __iadd__ is a point where the GIL may change hands, read and write apart."""
    interp, m = _metrics(measured, name)
    if not m["gil_enabled"]:
        pytest.skip(f"{interp.label} runs without its GIL")
    assert m["lost_updates"]["py_iadd"] > 0


@pytest.mark.parametrize("name", ["2.7", "3.9"])
def test_int_iadd_loses_before_3_10(measured, name):
    _, m = _metrics(measured, name)
    assert m["lost_updates"]["int_iadd"] > 0
    assert m["lost_updates"]["dict_check_set"] > 0


def test_counter_update_loses_on_2_7_where_it_is_python_code(measured):
    _, m = _metrics(measured, "2.7")
    assert m["lost_updates"]["counter"] > 0


@pytest.mark.parametrize("name", ["current", "t, PYTHON_GIL=1"])
def test_int_iadd_and_c_counter_never_lose_under_a_3_10_gil(measured, name):
    """3.10+ checks the eval breaker only at calls, backward jumps and function entry."""
    interp, m = _metrics(measured, name)
    if interp.version_tuple < (3, 10) or not m["gil_enabled"]:
        pytest.skip(f"{interp.label} is not a 3.10+ build with its GIL on")
    assert m["lost_updates"]["int_iadd"] == 0
    assert m["lost_updates"]["dict_check_set"] == 0
    assert m["lost_updates"]["counter"] == 0


def lost_without_the_gil(m: dict, case: str) -> int:
    """Lost updates of a case on a free-threaded build; skip, with the figure, when there were
    none and the threads never got two cores (then only the rare preemption in the middle
    of an update can lose one)."""
    entry = m["cases"][case]
    if entry["lost_updates"] == 0 and (entry.get("cpu_per_wall") or 0) < 1.5:
        pytest.skip(f"inconclusive: {case}'s threads got {entry.get('cpu_per_wall', 0):.2f} CPU s "
                    "per wall s, never two cores at once, and lost nothing")
    return entry["lost_updates"]


def test_the_free_threaded_build_loses_int_iadd(measured):
    interp, m = _metrics(measured, "t")
    assert m["gil_enabled"] is False
    assert lost_without_the_gil(m, "int_iadd") > 0
    assert lost_without_the_gil(m, "dict_check_set") > 0
    # Counter.update either loses updates or (gh-151633) crashes its child: both are reported.
    counter = m["cases"]["counter"]
    assert "crashed" in counter or counter["lost_updates"] >= 0
    if "crashed" in counter:
        assert m["lost_updates"]["counter"] is None and "counter" in m["crashed"]


def test_the_cases_parameter_runs_only_those(measured):
    interp, m = _metrics(measured, "current")
    assert "crashed" not in m, f"{interp.label}: {m.get('crashed')}"
    result = run_experiment("races", interp, quick=True,
                            params={"cases": ["list_append"], "seconds": 0.02, "repeat": 1})
    assert result["metrics"]["lost_updates"] == {"list_append": 0}
    assert result["metrics"]["repeat"] == 1


def test_an_unknown_case_is_skipped_with_its_name():
    result = run_experiment("races", _builds.current(), quick=True, params={"cases": ["nope"]})
    assert result == {**result, "skipped": "unknown case(s) nope"}
