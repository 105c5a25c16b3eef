"""Experiment "overhead": what one thread pays per operation, on micro workloads.

One thread, no contention: the cost a build's machinery puts on every
program, whether it uses threads or not. A free-threaded build pays for
atomic and biased reference counts, per-object locks and (in 3.13) a
specializing interpreter that is switched off; comparing it with the
default build of the same version shows that price.

Workloads (the names are a stable interface), each a statement repeated
``UNROLL`` times in the body of a ``for i in range(n)`` loop:

* ``call``: calling a Python function of one argument;
* ``attribute``: reading an instance attribute;
* ``dict``: one lookup and one store in a dict of 64 int keys;
* ``list``: ``append`` then ``pop`` on a list;
* ``alloc``: building a two-element list (and freeing the previous one);
* ``objects``: creating a small object with ``__slots__`` and reading its field.

``loop_ns`` is the cost of one iteration of the same loop with an empty
body (the calibration); it is subtracted, so ``ns_per_op`` is the statement
alone. Each workload is timed ``repeat`` times and the fastest run is kept
(other work on the machine only ever makes a run slower). ``cpu_per_wall``
is this process's CPU time over wall time during the measurements: below
about 0.9 the process did not have a core to itself and the numbers are
suspect.

Lab payload: runs unchanged under Python 2.7 and 3.6+, stdlib only.
Usage: python overhead.py '{"quick": true}'; optional params: "n" (loop
iterations per timing, default 10000 quick, 100000 full), "repeat" (default 5
quick, 9 full), "workloads" (names, default all). Prints {"metrics": {...}}
with "ns_per_op" {workload: ns}, "loop_ns", "cpu_per_wall", "n", "repeat",
"unroll", "gil_enabled", and "verdict": "measured", or "inconclusive" (with
"why") when the timing loop got less than 0.9 CPU seconds per wall second.
"""
import sys

import _common
from _common import clock

try:
    xrange
except NameError:  # Python 3
    xrange = range

UNROLL = 10

SETUP = """
class Obj(object):
    pass

class Slot(object):
    __slots__ = ("v",)
    def __init__(self, v):
        self.v = v

def f(x):
    return x

o = Obj()
o.a = 1
d = dict((k, k) for k in range(64))
lst = []
"""

#: name -> the statement (``i`` is the loop variable).
WORKLOADS = [
    ("call", "f(i)"),
    ("attribute", "x = o.a"),
    ("dict", "d[k] = d[k]"),
    ("list", "lst.append(i); lst.pop()"),
    ("alloc", "x = [i, i]"),
    ("objects", "x = Slot(i).v"),
]


def build(statement):
    """A function ``run(n)`` that runs ``statement`` UNROLL times per iteration, n iterations."""
    body = "".join("        %s\n" % statement for _ in range(UNROLL)) if statement else "        pass\n"
    source = (SETUP + "\ndef run(n):\n    k = 7\n    for i in xrange(n):\n" + body)
    namespace = {"xrange": xrange}
    exec(compile(source, "<overhead>", "exec"), namespace)
    return namespace["run"]


def fastest(run, n, repeat):
    best = None
    for _ in range(repeat):
        start = clock()
        run(n)
        took = clock() - start
        if best is None or took < best:
            best = took
    return best


def main():
    params = _common.params()
    n = params.number("n", int, 10000, 100000)
    repeat = params.number("repeat", int, 5, 9)
    wanted = params.get("workloads")
    chosen = [(name, stmt) for name, stmt in WORKLOADS if wanted is None or name in wanted]
    if wanted is not None and len(chosen) != len(set(wanted)):
        known = ", ".join(name for name, _ in WORKLOADS)
        _common.emit({"skipped": "unknown workload (known: %s)" % known})
        return
    empty = build("")
    runs = [(name, build(stmt)) for name, stmt in chosen]
    for _, run in runs:   # warm up: specialization, caches, the allocator
        run(min(n, 2000))
    cpu0, wall0 = _common.cpu_seconds(), clock()
    loop = fastest(empty, n * UNROLL, repeat)
    timings = {}
    for name, run in runs:
        timings[name] = fastest(run, n, repeat)
    # The empty loop ran UNROLL times the iterations, so it gives one iteration's cost.
    loop_s = loop / (n * UNROLL)
    ns_per_op = dict((name, max(0.0, (took / n - loop_s) / UNROLL) * 1e9)
                     for name, took in timings.items())
    cpu1, wall1 = _common.cpu_seconds(), clock()
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    metrics = {
        "ns_per_op": ns_per_op,
        "loop_ns": loop_s * 1e9,
        "cpu_per_wall": (cpu1 - cpu0) / (wall1 - wall0),
        "n": n,
        "repeat": repeat,
        "unroll": UNROLL,
        "gil_enabled": bool(is_enabled()) if is_enabled is not None else True,
        "verdict": "measured",
    }
    if metrics["cpu_per_wall"] < 0.9:
        metrics["verdict"] = "inconclusive"
        metrics["why"] = ("the timing loop got %.2f CPU seconds per wall second (other work "
                          "on the machine)" % metrics["cpu_per_wall"])
    _common.emit({"metrics": metrics})


if __name__ == "__main__":
    main()
