"""Experiment "startup": how long ``python -c pass`` takes, alone and on a busy core.

The interpreter is started ``starts`` times on a core of its own (alone),
then ``busy_starts`` times on a core that another process keeps busy (a
child spinning in ``while True: pass``, pinned to the same CPU as this
payload and everything it starts). The operating system shares that core
between the two, so any start-up takes somewhat longer there. A free-threaded
CPython 3.13 takes far longer: its ``PyMutex`` spins before it sleeps, and
each turn of the spin is a ``sched_yield()`` that hands the core to the busy
process for a scheduler slice. During start-up the same thread re-enters a
critical section on an object it already holds (a buffered file's
``close()`` calling ``flush()``); 3.13 takes that lock the slow way, spin
included, every time, and 3.14 skips it (CPython gh-114203). Context
switches per start (``getrusage`` of the children) show the yields.

Measured: ``alone_s`` and ``busy_s`` (median wall seconds per start),
``slowdown`` (their ratio), ``switches_alone`` and ``switches_busy``
(context switches per start, voluntary and involuntary). A start on the busy
core that takes longer than ``cutoff_s`` is stopped there: ``busy_s`` is then
at least ``cutoff_s`` and ``cut_off`` is true (the figure is a lower bound).

What the machine gave: the payload pins itself to one CPU (Linux:
``sched_setaffinity``, through ctypes on Python 2). Where it cannot, the
busy child might run elsewhere, and ``verdict`` is "inconclusive" with
``why``; otherwise it is "measured".

Lab payload: runs unchanged under Python 2.7 and 3.6+, stdlib only.
Usage: python startup.py '{"quick": true}'; optional params: "starts"
(default 5 quick, 15 full), "busy_starts" (default 2 quick, 5 full),
"cutoff_s" (default 2.0 quick, 10.0 full). Prints {"metrics": {...}}.
"""
import os
import subprocess
import sys
import time

import _common
from _common import clock, median

SPIN = "while True:\n    pass\n"


def allowed():
    """The CPUs this process may run on (None where the platform cannot say)."""
    getter = getattr(os, "sched_getaffinity", None)
    if getter is not None:
        return sorted(getter(0))
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Cpus_allowed_list:"):   # e.g. "0-1" or "0,2-3"
                    found = []
                    for part in line.split(":", 1)[1].strip().split(","):
                        low, _, high = part.partition("-")
                        found.extend(range(int(low), int(high or low) + 1))
                    return found
    except (IOError, OSError, ValueError):
        pass
    return None


def pin(cpu):
    """Pin this process (and what it starts from now on) to ``cpu``; True if done."""
    setter = getattr(os, "sched_setaffinity", None)
    try:
        if setter is not None:
            setter(0, set([cpu]))
            return True
        import ctypes
        import ctypes.util
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        mask = ctypes.c_ulong(1 << cpu)
        return libc.sched_setaffinity(0, ctypes.sizeof(mask), ctypes.byref(mask)) == 0
    except (OSError, AttributeError, ValueError, TypeError):
        return False


def switches():
    """Context switches of this process's waited-for children so far (None off Unix)."""
    try:
        import resource
    except ImportError:
        return None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_nvcsw + usage.ru_nivcsw


def start_once(cutoff_s):
    """Wall seconds one ``python -c pass`` took, and whether it was stopped at ``cutoff_s``."""
    begin = clock()
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    while child.poll() is None:
        if clock() - begin > cutoff_s:
            child.kill()
            child.wait()
            return cutoff_s, True
        time.sleep(0.001)
    return clock() - begin, False


def phase(count, cutoff_s):
    """(median seconds, context switches per start, any cut off) over ``count`` starts."""
    before = switches()
    results = [start_once(cutoff_s) for _ in range(count)]
    after = switches()
    per_start = None if before is None else (after - before) / float(count)
    return median([r[0] for r in results]), per_start, any(r[1] for r in results)


def main():
    params = _common.params()
    starts = params.number("starts", int, 5, 15)
    busy_starts = params.number("busy_starts", int, 2, 5)
    cutoff_s = params.number("cutoff_s", float, 2.0, 10.0)
    cpus = allowed()
    pinned = bool(cpus) and (len(cpus) == 1 or pin(cpus[0]))

    start_once(cutoff_s)   # warm the file cache: the first start reads the files from disk
    alone_s, switches_alone, _ = phase(starts, cutoff_s)
    spinner = subprocess.Popen([sys.executable, "-c", SPIN])
    try:
        time.sleep(0.05)   # let it start and take the core
        busy_s, switches_busy, cut_off = phase(busy_starts, cutoff_s)
    finally:
        spinner.kill()
        spinner.wait()
    metrics = {
        "starts": starts,
        "busy_starts": busy_starts,
        "cutoff_s": cutoff_s,
        "alone_s": alone_s,
        "busy_s": busy_s,
        "cut_off": cut_off,
        "slowdown": busy_s / alone_s,
        "switches_alone": switches_alone,
        "switches_busy": switches_busy,
        "pinned": pinned,
        "verdict": "measured",
    }
    if not pinned:
        metrics["verdict"] = "inconclusive"
        metrics["why"] = ("could not pin the process to one CPU, so the busy process may "
                          "have run on another core than the starts")
    _common.emit({"metrics": metrics})


if __name__ == "__main__":
    main()
