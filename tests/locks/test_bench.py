"""``python -m gilexamples bench locks``: the shape of its output, and the stored result.

A benchmark, not a timed test: the numbers are only checked to be there,
positive, and (for the one claim the Locks page makes from them) ordered.
"""

from __future__ import annotations

import json
import signal
import sys
import time

import pytest

from gilexamples.locks import LOCK_TYPES, bench
from gilexamples.locks.stress import signal_storm
from tests.conftest import ROOT

STORED = ROOT / "docs" / "results" / "locks-bench.json"
NAMES = {"_thread.lock", "threading.RLock", *(cls.__name__ for cls in LOCK_TYPES.values())}


def _check_document(doc: dict) -> None:
    assert doc["benchmark"] == "locks"
    assert doc["reference"] == "_thread.lock"
    s = doc["stamp"]
    for key in ("date", "machine", "python"):
        assert s[key]
    assert s["machine"]["cores"] >= 1
    # 'pymutex' from 3.15 (gh-134745, gh-152798)
    assert s["python"]["thread_info"]["lock"] in ("semaphore", "mutex+cond", "pymutex", None)
    assert {row["name"] for row in doc["locks"]} == NAMES
    for row in doc["locks"]:
        if "unsupported" in row:
            continue
        assert row["uncontended_ns"]["median"] > 0
        assert all(x > 0 for x in row["uncontended_ns"]["runs"])
        assert len(row["uncontended_ns"]["runs"]) == doc["params"]["repeat"]
        assert row["uncontended_ratio"] > 0
        if row["name"] == "threading.RLock":
            assert row["pingpong_us"] is None          # only the owner may release an RLock
        else:
            assert row["pingpong_us"]["median"] > 0
            assert row["pingpong_ratio"] > 0
    reference = next(r for r in doc["locks"] if r["name"] == "_thread.lock")
    assert reference["uncontended_ratio"] == 1.0 and reference["pingpong_ratio"] == 1.0


def test_bench_locks_json_quick(cli):
    result = cli("bench", "locks", "--json", "--quick", timeout=120)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)                 # one JSON document, nothing else
    _check_document(doc)
    assert doc["params"] == bench.QUICK
    _check_claims(doc)


def _check_claims(doc: dict) -> None:
    """What the Locks page and its notebook say about these numbers."""
    rows = {row["name"]: row for row in doc["locks"] if "unsupported" not in row}
    ours = [name for name in ("MutexCondLock", "SemaphoreLock") if name in rows]
    assert ours
    # Uncontended figures are compared on each lock's fastest run: a loaded
    # machine only ever makes a run slower, so the fastest is the least disturbed.
    fastest = {name: min(row["uncontended_ns"]["runs"]) for name, row in rows.items()}
    for name in ours:
        row = rows[name]
        uncontended = fastest[name] / fastest["_thread.lock"]
        # a lock in Python over ctypes costs more than CPython's C lock ...
        assert uncontended > 1.0 and row["uncontended_ratio"] > 1.0, row
        # ... and the gap is narrower when threads really hand the lock over
        assert row["pingpong_ratio"] < uncontended, row
    if len(ours) == 2:
        # five C calls per acquire+release against two
        assert fastest["MutexCondLock"] > fastest["SemaphoreLock"]


def test_bench_locks_text(cli):
    result = cli("bench", "locks", "--quick", "--repeat", "1", "--ops", "200", "--rounds", "20")
    assert result.returncode == 0, result.stderr
    assert "_thread.lock" in result.stdout and "SemaphoreLock" in result.stdout
    assert "ratio" in result.stdout


@pytest.mark.parametrize("argv", [("bench",), ("bench", "nosuch"), ("bench", "locks", "--ops", "0"),
                                  ("bench", "locks", "--repeat", "x")])
def test_bench_usage_errors_are_one_line(cli, argv):
    result = cli(*argv)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_stored_result_is_stamped_and_complete():
    doc = json.loads(STORED.read_text())
    _check_document(doc)
    assert doc["params"]["repeat"] >= 3 and doc["params"]["ops"] >= 10_000
    _check_claims(doc)


def test_pingpong_reports_a_lost_wakeup():
    """A 'lock' whose acquire never succeeds after the first makes the ping-pong fail loudly."""

    class Stuck:
        def __init__(self):
            self.n = 0

        def acquire(self, blocking=True, timeout=-1):
            self.n += 1
            if self.n == 1:
                return True
            time.sleep(min(timeout, 0.05))
            return False

        def release(self):
            pass

    old = bench.HANDOFF_TIMEOUT_S
    bench.HANDOFF_TIMEOUT_S = 0.05
    try:
        with pytest.raises(bench.LostWakeup):
            bench.pingpong_us(Stuck, rounds=3)
    finally:
        bench.HANDOFF_TIMEOUT_S = old


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs signal.pthread_kill")
@pytest.mark.skipif(sys.version_info < (3, 11), reason=(
    "on 3.10 every CALL opcode checks for pending signals after the callee returns, "
    "Python callee or not (v3.10.0 Python/ceval.c L4217-L4228), so a handler can raise "
    "after PosixLock.acquire has taken the lock: these locks have _thread.lock's gap there "
    "(the Locks chapter, point 3)"))
@pytest.mark.parametrize("cls", list(LOCK_TYPES.values()), ids=lambda c: c.__name__)
def test_signal_storm_never_leaks_the_lock(cls):
    """Hundreds of handlers raising at random points of acquire: the lock is never lost.

    A lock is lost if an acquire raises after taking it: the other thread
    would then time out. (snippets/locks/signal_storm.py shows the same
    storm against _thread.lock.)
    """
    report = signal_storm(cls, seconds=0.7)
    assert report["interrupts"] > 10, report         # the storm did reach acquire
    assert report["acquired"] > 10, report
    assert report["problems"] == [], report
    assert report["left_held"] is False, report
