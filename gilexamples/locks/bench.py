"""What the locks cost: uncontended acquire+release, and a two-thread hand-off.

Every lock is measured in the same run, interleaved repeat by repeat, so that
the machine's load at any moment falls on all of them alike. Each figure is
the median over the repeats; each ratio to ``_thread.lock`` (CPython's own C
lock) is the median of the per-repeat ratios, so that a repeat slowed down by
the machine's load counts as one repeat, not as a slow lock.

* ``uncontended_ns``: one ``acquire()`` plus one ``release()`` by a single
  thread, in nanoseconds, Python call overhead included (the same for every
  lock).
* ``pingpong_us``: a round trip between two threads, in microseconds. Two
  locks start held; thread 1 releases A and blocks on B, thread 2 blocks on A
  and releases B. Each round trip is two hand-offs to a blocked waiter, each
  through the GIL as well as through the lock. Note that every release here
  is made by a thread that did not acquire: a plain mutex could not do this.
"""

from __future__ import annotations

import _thread
import platform
import statistics
import sys
import threading
import time
from typing import Callable

from gilexamples.locks import LOCK_TYPES, UnsupportedPrimitive
from gilexamples.stamp import loadavg, machine, now_utc

__all__ = ["DEFAULTS", "QUICK", "run", "stamp", "uncontended_ns", "pingpong_us"]

#: Work sizes: (acquire+release pairs per measurement, round trips per measurement, repeats).
DEFAULTS = {"ops": 20_000, "rounds": 2_000, "repeat": 7}
QUICK = {"ops": 2_000, "rounds": 100, "repeat": 3}

#: Round trips may not take longer than this each (a lost wake-up shows up as an error).
HANDOFF_TIMEOUT_S = 10.0


class LostWakeup(RuntimeError):
    """A hand-off did not arrive within HANDOFF_TIMEOUT_S."""


def stamp() -> dict:
    """Where and when a measurement was made: the machine stamp
    (:func:`gilexamples.stamp.machine`) with the load average, and this interpreter."""
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    return {
        "date": now_utc(),
        "machine": dict(machine(), loadavg=loadavg()),
        "python": {
            "implementation": platform.python_implementation(),
            "version": platform.python_version(),
            "executable": sys.executable,
            "thread_info": {"name": sys.thread_info.name, "lock": sys.thread_info.lock,
                            "version": sys.thread_info.version},
            "gil_enabled": gil,
            "switch_interval_s": sys.getswitchinterval(),
        },
    }


def uncontended_ns(lock, ops: int) -> float:
    """Nanoseconds for one acquire() + release() by one thread, averaged over ``ops``."""
    acquire, release = lock.acquire, lock.release
    loop = range(ops)
    start = time.perf_counter_ns()
    for _ in loop:
        acquire()
        release()
    return (time.perf_counter_ns() - start) / ops


def pingpong_us(factory: Callable, rounds: int) -> float:
    """Microseconds per round trip between two threads handing two locks back and forth."""
    ping, pong = factory(), factory()
    ping.acquire()
    pong.acquire()
    failure: list[str] = []

    def partner():
        for _ in range(rounds):
            if not ping.acquire(timeout=HANDOFF_TIMEOUT_S):
                failure.append("partner waited in vain for ping")
                pong.release()
                return
            pong.release()

    thread = threading.Thread(target=partner, name="pingpong-partner")
    thread.start()
    try:
        start = time.perf_counter_ns()
        for _ in range(rounds):
            ping.release()
            if not pong.acquire(timeout=HANDOFF_TIMEOUT_S):
                failure.append("main thread waited in vain for pong")
                break
        elapsed = time.perf_counter_ns() - start
    finally:
        thread.join(HANDOFF_TIMEOUT_S * 2)
    if failure:
        raise LostWakeup(failure[0])
    for lock in (ping, pong):
        close = getattr(lock, "close", None)
        if close is not None and lock.locked():
            lock.release()
        if close is not None:
            close()
    return elapsed / rounds / 1000


def _candidates() -> list[dict]:
    """The locks to compare: CPython's, this package's, and threading.RLock for scale."""
    found = [{"name": "_thread.lock", "factory": _thread.allocate_lock,
              "what": "CPython's C lock (reference)", "pingpong": True}]
    for kind, cls in LOCK_TYPES.items():
        entry = {"name": cls.__name__, "factory": cls, "pingpong": True,
                 "what": f"gilexamples.locks, the '{kind}' algorithm over ctypes"}
        try:
            cls().close()
        except UnsupportedPrimitive as error:
            entry["unsupported"] = str(error)
        found.append(entry)
    found.append({"name": "threading.RLock", "factory": threading.RLock, "pingpong": False,
                  "what": "reentrant C lock; only its owner may release it, so no ping-pong"})
    return found


def run(*, ops: int = DEFAULTS["ops"], rounds: int = DEFAULTS["rounds"],
        repeat: int = DEFAULTS["repeat"], progress: Callable[[str], None] | None = None) -> dict:
    """Measure every lock side by side; return one JSON-ready document."""
    if min(ops, rounds, repeat) < 1:
        raise ValueError("ops, rounds and repeat must all be at least 1")
    candidates = _candidates()
    samples = {c["name"]: {"uncontended_ns": [], "pingpong_us": []} for c in candidates}
    began = stamp()
    for r in range(repeat):
        if progress:
            progress(f"repeat {r + 1}/{repeat}")
        for c in candidates:
            if "unsupported" in c:
                continue
            lock = c["factory"]()
            samples[c["name"]]["uncontended_ns"].append(uncontended_ns(lock, ops))
            if hasattr(lock, "close"):
                lock.close()
        for c in candidates:
            if "unsupported" in c or not c["pingpong"]:
                continue
            samples[c["name"]]["pingpong_us"].append(pingpong_us(c["factory"], rounds))
    reference = samples["_thread.lock"]

    def ratio(runs: list[float], reference_runs: list[float]) -> float:
        """Median of the per-repeat ratios (repeat i of a lock / repeat i of the reference)."""
        return round(statistics.median(x / ref for x, ref in zip(runs, reference_runs)), 2)

    rows = []
    for c in candidates:
        s = samples[c["name"]]
        row = {"name": c["name"], "what": c["what"]}
        if "unsupported" in c:
            row["unsupported"] = c["unsupported"]
            rows.append(row)
            continue
        un = statistics.median(s["uncontended_ns"])
        row["uncontended_ns"] = {"median": round(un, 1), "runs": [round(x, 1) for x in s["uncontended_ns"]]}
        row["uncontended_ratio"] = ratio(s["uncontended_ns"], reference["uncontended_ns"])
        if s["pingpong_us"]:
            pp = statistics.median(s["pingpong_us"])
            row["pingpong_us"] = {"median": round(pp, 2), "runs": [round(x, 2) for x in s["pingpong_us"]]}
            row["pingpong_ratio"] = ratio(s["pingpong_us"], reference["pingpong_us"])
        else:
            row["pingpong_us"] = None
            row["pingpong_ratio"] = None
        rows.append(row)
    threading_lock = ("threading.Lock is the class _thread.lock" if threading.Lock is type(_thread.allocate_lock())
                      else "threading.Lock makes the same C lock as _thread.allocate_lock")
    return {
        "benchmark": "locks",
        "stamp": began,
        "loadavg_after": loadavg(),
        "params": {"ops": ops, "rounds": rounds, "repeat": repeat},
        "reference": "_thread.lock",
        "notes": [threading_lock + ": not measured separately.",
                  "uncontended_ns includes two Python method calls per iteration, for every lock.",
                  "ns and us figures: medians over the repeats. Ratios: the median over the "
                  "repeats of each repeat's ratio to _thread.lock (every repeat measures "
                  "all the locks back to back)."],
        "locks": rows,
    }
