"""The Locks chapter's tables: hand-off rows, the floor split, values in prose."""

from __future__ import annotations

import json
import shutil

import pytest

from gilexamples.site.locks_tables import (INCONCLUSIVE, MARKER, floor_table, handoff_table,
                                           handoff_value, lock_generation, render_markers)
from tests.conftest import ROOT


def _run(version, free=False, gil=True, why=None, max_wait=0.05, impl="semaphore"):
    """A stored run; ``why``: the payload called it inconclusive, for that reason."""
    summary = {"median": 15.0, "p90": 20.0, "max": 40.0, "n": 100}
    metrics = {"handoff_us": summary, "wakeup_us": dict(summary, median=5.0),
               "reacquire_share": 0.99, "max_wait_s": max_wait, "greedy_s": 2.0,
               "greedy": {"handed_off": 10, "contended": 1000},
               "other_cpus": 0.6 if why else 0.01,
               "thread_lock_impl": impl, "verdict": "inconclusive" if why else "measured"}
    if why:
        metrics["why"] = why
    return {"python": {"version": version, "free_threaded": free, "gil_enabled": gil,
                       "executable": f"/py/{version}{'t' if free else ''}"},
            "setup": "all cores", "metrics": metrics}


DOC = {"experiment": "handoff",
       "stamp": {"machine": {"cpu_model": "Test CPU", "cores": 2}, "date": "2026-12-03",
                 "loadavg_start": [0.1, 0.1, 0.1], "loadavg_end": [1.0, 1.0, 1.0],
                 "command": "python -m gilexamples lab --experiment handoff", "quick": False},
       "runs": [_run("3.13.15", free=True, gil=False, max_wait=0.004),
                _run("3.12.1", max_wait=0.06), _run("2.7.18", impl=None),
                _run("3.13.15", max_wait=0.012),
                _run("3.13.0", why="other work on the machine used 0.60 CPUs"),
                {"python": {"version": "3.9.18", "executable": "/py/3.9"}, "setup": "all cores",
                 "error": "timed out"}]}


@pytest.mark.parametrize("version, free, impl, expected", [
    ("2.7.18", False, None, "sem_t"), ("3.12.1", False, "semaphore", "sem_t"),
    ("3.13.0", False, "semaphore", "sem_t"), ("3.13.1", False, "semaphore", "PyMutex (parking lot)"),
    ("3.13.15", True, "semaphore", "PyMutex (parking lot)"),
    ("3.12.1", False, "mutex+cond", "mutex + condition variable"),
])
def test_lock_generation_follows_the_version(version, free, impl, expected):
    assert lock_generation(_run(version, free=free, impl=impl)) == expected


def test_handoff_table_rows_marks_and_stamp():
    text = handoff_table(DOC)
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [row.split(" | ")[0] for row in rows] == [
        "| 2.7.18", "| 3.9.18", "| 3.12.1", f"| 3.13.0 {INCONCLUSIVE}", "| 3.13.15", "| 3.13.15t"]
    assert "none (free-threaded)" in rows[-1] and "PyMutex" in rows[-1]
    assert "error" in rows[1]
    assert "60.00 ms of 2.00 s" in rows[2] and "99.0%" in rows[2]
    assert f"{INCONCLUSIVE}: inconclusive by the experiment's own test (1 of 6 rows)" in text
    assert "used 0.60 CPUs while" in text
    assert "Test CPU" in text and "Not measured" in text


def test_a_table_without_inconclusive_rows_has_no_note():
    quiet = dict(DOC, runs=[_run("3.12.1"), _run("3.13.15")])
    assert INCONCLUSIVE not in handoff_table(quiet)


@pytest.mark.parametrize("old_shape", [None, "other work on the machine used 0.60 CPUs"])
def test_a_run_in_the_old_shape_is_refused(old_shape):
    """Before the handoff payload said "verdict" (and "why") as every payload does, it said
    "inconclusive": a reason or null. Such a row is refused, not read as measured."""
    old = _run("3.12.1")
    del old["metrics"]["verdict"]
    old["metrics"]["inconclusive"] = old_shape
    with pytest.raises(ValueError, match="verdict None"):
        handoff_table(dict(DOC, runs=[_run("3.13.15"), old]))


@pytest.mark.parametrize("arg, expected", [
    ("3.13.15 max_wait_s", "12.00 ms"), ("3.13.15t max_wait_s", "4.00 ms"),
    ("3.13 max_wait_s", "12.00 ms"), ("3.12 reacquire_share", "99.0%"),
    ("3.1 handoff_us", "(not measured)"), ("3.11 max_wait_s", "(not measured)"),
    ("2.7 handed_off", "10"),
])
def test_handoff_value_picks_the_newest_matching_row(arg, expected):
    assert handoff_value(DOC, arg) == expected


@pytest.mark.parametrize("arg", ["3.12", "3.12 nosuch", "3.12 max_wait_s extra"])
def test_a_bad_value_marker_is_an_error(arg):
    with pytest.raises(ValueError):
        handoff_value(DOC, arg)


def test_floor_table_from_the_stored_benchmark():
    bench = json.loads((ROOT / "docs" / "results" / "locks-bench.json").read_text())
    text = floor_table(bench)
    for row in bench["locks"]:
        if row.get("c_calls") is not None:
            assert f"`{row['name']}`" in text
    assert "`threading.RLock`" not in text                # it has no C call count
    assert "strlen" in text and "bench locks" in text


def test_floor_table_warns_about_a_busy_machine():
    bench = json.loads((ROOT / "docs" / "results" / "locks-bench.json").read_text())
    bench["stamp"]["machine"]["loadavg"] = [5.0, 5.0, 5.0]
    assert "Measured on a busy machine" in floor_table(bench)
    bench["stamp"]["machine"]["loadavg"] = [0.1, 0.1, 0.1]
    assert "Measured on a busy machine" not in floor_table(bench)


def test_the_chapter_renders_every_marker(tmp_path):
    page = (ROOT / "docs" / "locks.md").read_text(encoding="utf-8")
    assert MARKER.search(page), "the chapter has no marker of this module"
    rendered = render_markers(page, ROOT / "docs")
    assert not MARKER.search(rendered)
    assert "No stored results" not in rendered and "(not measured)" not in rendered
    # without stored results: a visible warning, never a crash or a made-up number
    (tmp_path / "results" / "lab").mkdir(parents=True)
    empty = render_markers(page, tmp_path)
    assert "No stored results" in empty and not MARKER.search(empty)


def test_a_missing_benchmark_file_is_reported(tmp_path):
    shutil.copytree(ROOT / "docs" / "results" / "lab", tmp_path / "results" / "lab")
    text = render_markers("<!-- locks-floor-table -->", tmp_path)
    assert "No stored results" in text and "bench locks --json" in text
