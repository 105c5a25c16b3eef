"""Experiment "races": shared state updated by several threads without a lock.

Each case runs the same update in several threads at once for a while, each
thread counting (in a local variable) how many updates it made; at the end
the shared result is compared with that count. ``lost_updates`` is expected
minus actual: updates that another thread overwrote.

Cases (the names are a stable interface):

* ``int_iadd``: ``box.x += 1`` on an int attribute: read, add, write back.
* ``py_iadd``: the same statement on a value whose class defines ``__iadd__``
  in Python (returning a new value, as numbers do): the read and the write
  have a Python function call between them.
* ``list_append``: ``items.append(i)``, then ``len(items)``.
* ``dict_check_set``: counting in a dict with check-then-set,
  ``if k in d: d[k] = d[k] + 1`` / ``else: d[k] = 1``.
* ``counter``: ``collections.Counter.update(keys)`` with a short list.

A lost update needs a thread switch (or a second core) between a read and
the write that depends on it. With a GIL that depends on where the
interpreter may switch threads: 2.7 at any instruction (every ``sys.getcheckinterval()`` ticks), 3.x
before 3.10 at nearly any instruction, 3.10 and later only on function
entry, backward jumps and after calls. Free-threaded builds run the threads
at the same time, so any read-modify-write that is not one locked operation
can lose. To make switches frequent the payload sets the smallest switch
interval (``sys.setswitchinterval(1e-6)``; ``sys.setcheckinterval(1)`` on 2.7).

Each case runs in a child interpreter of its own (this file again, with the
parameter "case"), so that a crash costs one case and is reported: on some
free-threaded builds concurrent ``Counter.update`` calls can crash the
interpreter (a use after free, python/cpython#151633).

Lab payload: runs unchanged under Python 2.7 and 3.6+, stdlib only.
Usage: python races.py '{"quick": true}'; optional params: "threads" (default 4),
"seconds" (per case and repeat, default 0.1 quick, 0.4 full), "repeat" (default 2
quick, 3 full), "cases" (list of names, default all). Prints {"metrics": {...}}:
"lost_updates" {case: lost, summed over the repeats, or null if the case
crashed}, "cases" {case: {"expected", "actual", "lost_updates",
"repeats_with_loss", "cpu_per_wall"} or {"crashed": how}}, "crashed" {case:
how} when any did, and what the run had: "threads", "seconds", "repeat",
"switch_interval_s" or "check_interval", "gil_enabled" (sys._is_gil_enabled(),
where it exists).
"""
import collections
import json
import os
import subprocess
import sys
import threading

import _common
from _common import clock

try:
    import resource
except ImportError:  # not Unix
    resource = None

CASES = ["int_iadd", "py_iadd", "list_append", "dict_check_set", "counter"]

#: Updates between two looks at the clock (the look is a call: a switch point outside any update).
CHUNK = 200

KEYS = 16


class Box(object):
    pass


class Num(object):
    """A number type written in Python: ``+=`` builds a new value, as int does."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __iadd__(self, other):
        return Num(self.value + other)


def cpu_seconds():
    if resource is None:
        return None
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# Each worker waits for ``start``, then updates the shared state until the
# deadline (``deadline[0]``), CHUNK updates at a time, and appends how many
# updates it made to ``done``.

def iadd_worker(box, start, deadline, done):
    start.wait()
    until = deadline[0]
    made = 0
    while clock() < until:
        for _ in range(CHUNK):
            box.x += 1
        made += CHUNK
    done.append(made)


def list_append_worker(items, start, deadline, done):
    start.wait()
    until = deadline[0]
    made = 0
    while clock() < until:
        for i in range(CHUNK):
            items.append(i)
        made += CHUNK
    done.append(made)


def dict_check_set_worker(counts, start, deadline, done):
    start.wait()
    until = deadline[0]
    made = 0
    while clock() < until:
        for i in range(CHUNK):
            k = i % KEYS
            if k in counts:
                counts[k] = counts[k] + 1
            else:
                counts[k] = 1
        made += CHUNK
    done.append(made)


def counter_worker(counter, start, deadline, done):
    keys = list(range(KEYS))
    start.wait()
    until = deadline[0]
    made = 0
    while clock() < until:
        for _ in range(CHUNK // KEYS):
            counter.update(keys)
        made += (CHUNK // KEYS) * KEYS
    done.append(made)


def new_state(case):
    """(shared state, worker, a function giving the number of updates that landed)."""
    if case == "int_iadd":
        box = Box()
        box.x = 0
        return box, iadd_worker, lambda: box.x
    if case == "py_iadd":
        box = Box()
        box.x = Num(0)
        return box, iadd_worker, lambda: box.x.value
    if case == "list_append":
        items = []
        return items, list_append_worker, lambda: len(items)
    if case == "dict_check_set":
        counts = {}
        return counts, dict_check_set_worker, lambda: sum(counts.values())
    if case == "counter":
        counter = collections.Counter()
        return counter, counter_worker, lambda: sum(counter.values())
    raise ValueError("unknown case %r" % (case,))


def run_case(case, threads, seconds):
    """(expected, actual) for one run of one case."""
    shared, worker, landed = new_state(case)
    start = threading.Event()
    deadline = [None]
    done = []
    workers = [threading.Thread(target=worker, args=(shared, start, deadline, done))
               for _ in range(threads)]
    for thread in workers:
        thread.daemon = True
        thread.start()
    deadline[0] = clock() + seconds   # set before any worker can read it
    start.set()
    for thread in workers:
        thread.join()
    return sum(done), landed()


def measure_case(case, threads, seconds, repeat):
    """Run one case ``repeat`` times in this process; return its totals."""
    entry = {"expected": 0, "actual": 0, "lost_updates": 0, "repeats_with_loss": 0}
    cpu_before, wall_before = cpu_seconds(), clock()
    for _ in range(repeat):
        expected, actual = run_case(case, threads, seconds)
        entry["expected"] += expected
        entry["actual"] += actual
        entry["lost_updates"] += expected - actual
        entry["repeats_with_loss"] += int(expected != actual)
    if cpu_before is not None:
        entry["cpu_per_wall"] = (cpu_seconds() - cpu_before) / (clock() - wall_before)
    return entry


def set_switching():
    """Make the interpreter switch threads as often as it can; say what was set."""
    if hasattr(sys, "setswitchinterval"):
        sys.setswitchinterval(1e-6)
        return {"switch_interval_s": sys.getswitchinterval()}
    sys.setcheckinterval(1)  # Python 2: try to switch at every tick
    return {"check_interval": sys.getcheckinterval()}


def signal_name(number):
    try:
        import signal
        for name in dir(signal):
            if name.startswith("SIG") and not name.startswith("SIG_") \
                    and getattr(signal, name) == number:
                return name
    except ImportError:
        pass
    return "signal %d" % number


def in_child(case, threads, seconds, repeat):
    """Run one case in a child interpreter (this file again): a crash costs only that case."""
    params = {"case": case, "threads": threads, "seconds": seconds, "repeat": repeat}
    child = subprocess.Popen(_common.child_argv(os.path.abspath(__file__), json.dumps(params)),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True)
    out, err = child.communicate()
    if child.returncode < 0:
        return {"crashed": "killed by %s" % signal_name(-child.returncode)}
    if child.returncode != 0:
        lines = [line for line in err.strip().splitlines() if line.strip()]
        return {"crashed": "exited with status %d: %s" % (child.returncode,
                                                          lines[-1] if lines else "")}
    return json.loads(out)


def main():
    params = _common.params()
    threads = params.number("threads", int, 4)
    seconds = params.number("seconds", float, 0.1, 0.4)
    repeat = params.number("repeat", int, 2, 3)
    if "case" in params:   # the child's part: one case, printed as a bare JSON object
        set_switching()
        entry = measure_case(params["case"], threads, seconds, repeat)
        _common.emit(entry)
        return
    cases = list(params.get("cases", CASES))
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        _common.emit({"skipped": "unknown case(s) %s" % ", ".join(unknown)})
        return
    settings = set_switching()
    results = dict((case, in_child(case, threads, seconds, repeat)) for case in cases)
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    metrics = {
        "lost_updates": dict((case, results[case].get("lost_updates")) for case in cases),
        "cases": results,
        "threads": threads,
        "seconds": seconds,
        "repeat": repeat,
        "gil_enabled": bool(is_enabled()) if is_enabled is not None else True,
    }
    crashed = dict((case, r["crashed"]) for case, r in results.items() if "crashed" in r)
    if crashed:
        metrics["crashed"] = crashed
    metrics.update(settings)
    _common.emit({"metrics": metrics})


if __name__ == "__main__":
    main()
