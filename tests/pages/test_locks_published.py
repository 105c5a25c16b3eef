"""The Locks chapter's published results support what the chapter says.

The hand-off section renders docs/results/lab/handoff.json and says, next
to the table: barging is the rule in every generation; PyMutex (3.13.1+)
shortens the longest wait, which with a GIL stays above 1 ms. The floor section renders
docs/results/locks-bench.json and says most of each ctypes lock's cost is
the Python code around its C calls. Nothing is measured here: the files are
read. Results from a busy machine fail the first tests, loudly; the claims
are checked on the rows the experiment itself called conclusive.
Regenerate on a quiet machine:
python -m gilexamples lab --experiment handoff --out docs/results/lab
"""

from __future__ import annotations

import json
import statistics

import pytest

from gilexamples.lab.results import load_results
from gilexamples.site.locks_tables import lock_generation
from gilexamples.site.stamps import load_warning
from tests.conftest import ROOT

PUBLISHED = ROOT / "docs" / "results" / "lab"


def doc() -> dict:
    found = load_results(PUBLISHED, "handoff")
    assert found is not None, "docs/results/lab/handoff.json is missing"
    return found


def rows(conclusive: bool = False) -> list[dict]:
    chosen = [r for r in doc()["runs"] if "metrics" in r]
    if conclusive:
        chosen = [r for r in chosen if r["metrics"]["verdict"] == "measured"]
    return chosen


def kind(run: dict) -> str:
    """'sem_t', 'pymutex' (GIL on) or 'pymutex-nogil'."""
    generation = lock_generation(run)
    if generation.startswith("PyMutex"):
        return "pymutex" if run["python"].get("gil_enabled") is not False else "pymutex-nogil"
    return generation


def test_published_results_are_full_size_stamped_and_cover_three_generations():
    d = doc()
    stamp = d["stamp"]
    assert stamp["quick"] is False and stamp["date"] and stamp["machine"]["cores"] >= 1
    # Stored by the whole lab, or by the lab asked for this experiment alone.
    assert stamp["command"].startswith("python -m gilexamples lab")
    assert "--experiment" not in stamp["command"] or "handoff" in stamp["command"]
    failed = [r["python"]["executable"] for r in d["runs"] if "metrics" not in r]
    assert not failed, f"runs without metrics: {failed}"
    versions = [r["python"]["version"] for r in rows()]
    assert any(v.startswith("2.") for v in versions), "no Python 2 measured"
    assert any(kind(r) == "sem_t" and r["python"]["version"].startswith("3.") for r in rows())
    assert any(r["python"]["version"].startswith("3.13") for r in rows()), "no 3.13 measured"


def test_the_version_rule_for_pymutex_matches_the_lock_objects_measured():
    """3.13.1+ is PyMutex by the version (gh-117721); the object layout each run
    reported says the same: the PyMutex lock keeps its weak references in the
    managed slot (negative __weakrefoffset__), PyThread_type_lock's in a field."""
    for run in rows():
        managed = run["metrics"]["lock_weakrefoffset"] < 0
        assert managed == lock_generation(run).startswith("PyMutex"), run["python"]


def test_published_results_were_measured_on_a_quiet_machine():
    """The stamp shows a quiet machine, and each generation the chapter explains has a
    conclusive row (a row the payload itself found disturbed is shown marked, not hidden)."""
    assert load_warning(doc()) == ""
    conclusive = rows(conclusive=True)
    assert any(r["python"]["version"].startswith("2.") for r in conclusive), "no conclusive 2.7"
    assert any(kind(r) == "sem_t" and r["python"]["version"].startswith("3.") for r in conclusive)
    assert any(lock_generation(r).startswith("PyMutex") for r in conclusive), "no PyMutex row"
    assert len(conclusive) >= len(rows()) // 2, "most rows were disturbed: regenerate"


def _by_kind(name: str) -> list[dict]:
    return [r for r in rows(conclusive=True) if kind(r) == name]


def test_barging_is_the_rule_in_every_generation():
    measured = rows(conclusive=True)
    if not measured:
        pytest.skip("no conclusive row in the published results")
    for run in measured:
        assert run["metrics"]["reacquire_share"] > 0.5, run["python"]


def test_pymutex_shortens_the_longest_wait_and_with_a_gil_it_stays_above_1ms():
    sem, mutex = _by_kind("sem_t"), _by_kind("pymutex")
    if not sem or not mutex:
        pytest.skip("needs conclusive sem_t and PyMutex rows (3.13.1+ with its GIL)")
    typical_sem = statistics.median(r["metrics"]["max_wait_s"] for r in sem)
    for run in mutex:
        wait = run["metrics"]["max_wait_s"]
        assert 1e-3 < wait < 0.75 * typical_sem, (run["python"], wait, typical_sem)


def test_floor_claim_most_of_the_cost_is_python_around_the_calls():
    bench = json.loads((ROOT / "docs" / "results" / "locks-bench.json").read_text())
    ctypes_locks = [row for row in bench["locks"] if row.get("c_calls")]
    assert ctypes_locks
    for row in ctypes_locks:
        assert row["remainder_ns"] > row["floor_ns"], row


# --- startup: what PyMutex's spin costs on a busy core ------------------------------------

def test_startup_published_shows_the_free_threaded_313_slowdown():
    """The note under "spinning" says: a build with a GIL starts a little slower on a busy
    core, the free-threaded 3.13 build far slower, with thousands of context switches."""
    found = load_results(PUBLISHED, "startup")
    assert found is not None, "docs/results/lab/startup.json is missing"
    assert not load_warning(found), load_warning(found)
    runs = [r for r in found["runs"] if "metrics" in r and r["metrics"]["verdict"] == "measured"]
    free = [r for r in runs if r["python"].get("free_threaded")
            and r["python"]["version"].startswith("3.13.")]
    with_gil = [r for r in runs if not r["python"].get("free_threaded")]
    assert free and with_gil, "no measured free-threaded 3.13 row, or no row with a GIL"
    worst_gil = max(r["metrics"]["slowdown"] for r in with_gil)
    assert worst_gil < 5, [(r["python"]["label"], r["metrics"]["slowdown"]) for r in with_gil]
    for run in free:
        m = run["metrics"]
        assert m["slowdown"] > 4 * worst_gil and m["switches_busy"] > 1000, (
            run["python"]["label"], m)
