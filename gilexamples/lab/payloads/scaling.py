"""Experiment "scaling": the same pure-Python work split over threads, processes, interpreters.

A fixed amount of CPU-bound work (counting a number down to zero, ``total``
steps in all) is split evenly over 1, 2 (and 4) workers, three ways:

* threads of this process: with a GIL at most one runs Python code at a
  time, so 2 threads take as long as 1 (or longer); a free-threaded build
  with its GIL off runs them on two cores at once;
* child processes (the baseline that works everywhere): each has its own
  interpreter and GIL. Started and waiting before the clock starts, so
  start-up is not timed;
* sub-interpreters, each driven by its own thread, where the interpreter has
  them with a GIL of their own: ``concurrent.interpreters`` (3.14+),
  ``_interpreters`` (3.13, config ``"isolated"``: ``gil="own"``) or
  ``_xxsubinterpreters`` (3.12, ``create(isolated=True)``). Created before
  the clock starts.

Each trial times every setup back to back, and the speedups are taken within
a trial; the reported values are medians over the trials.
Sub-interpreters get a verdict of their own by the same rule.

What the machine gave. A thread that waits for the GIL sleeps; a thread that
is ready to run but finds no free core waits in the kernel's run queue. On
Linux every worker reads its own run-queue wait (``/proc/thread-self/schedstat``,
the second field) before and after its share, so each run says how many
seconds its workers spent ready but not running (``waiting_per_wall``: per
second of the run's wall time). A trial whose 1-worker run waited more than
``ONE_WAIT_MAX`` or whose 2-worker run waited more than ``TWO_WAIT_MAX`` was
disturbed by other work and does not count towards the verdict (beyond
``WAIT_GRACE_S``: a new worker's first wait for a core). On a
virtual machine the host can also take a vCPU away while the guest thinks
a worker runs (steal time, which no run queue shows): a run during which
the host took more than ``STEAL_MAX`` CPU seconds per wall second (beyond
one clock tick, the unit it is counted in) is disturbed too. Each kind of
worker is judged on its own trials, since a disturbance can hit the
sub-interpreters' runs and spare the threads' a moment before. Two
processes running no faster than ``CALIBRATION_MIN`` times one also mean the
machine could not run two workers at once. In either case the verdict is
``"inconclusive"``, with the figure, rather than a wrong one. Otherwise two
threads are "parallel" at ``PARALLEL_MIN`` times one thread's speed, or at
``OF_PROCESSES`` of what two processes reached in the same run; "serial" at
most ``SERIAL_MAX``; "partial" in between.

Lab payload: runs unchanged under Python 2.7 and 3.6+, stdlib only.
Usage: python scaling.py '{"quick": true}'; optional params: "total"
(default 3e6 quick, 1.2e7 full), "workers" (default [1, 2] quick, [1, 2, 4]
full), "repeat" (default 3 quick, 5 full), "subinterpreters" (default true).
Prints {"metrics": {...}}: "by_threads", "by_processes", "by_subinterpreters"
({count: median wall s}); "speedup", "process_speedup",
"subinterpreter_speedup" (1 worker's wall time over 2 workers', median of
the per-trial ratios over the clean trials, all trials if none is clean);
"speedups" {kind: {count: ...}}; "cpu_per_wall" (CPU seconds per wall second
of this process during the 2-thread runs; "threads_cpu_per_wall" per thread
count), "process_cpu_per_wall"; "waiting_per_wall" {kind: {count: run-queue
seconds per wall second}} and "steal_per_wall" (the host's steal time, the
same shape; null where the platform cannot say); "clean_trials" (the threads'),
"clean_trials_by_kind" and "trials"; "subinterpreters" (the API used, or
null), "subinterpreters_note", "subinterpreter_gil"; "gil_enabled"; "verdict"
("parallel", "serial", "partial" or "inconclusive") and "why" (the reason,
with its figure); "subinterpreter_verdict" and "subinterpreter_why".
"""
import subprocess
import sys
import threading

import _common
from _common import clock, cpu_seconds, median, steal_seconds, steal_tick
from _subinterpreters import SubInterpreters

#: Two processes must run at least this much faster than one for the machine to count as
#: able to run two workers at once right now.
CALIBRATION_MIN = 1.5
#: A clean trial: the 1-worker run waited at most this many run-queue seconds per wall
#: second, the 2-worker run (both workers together) at most TWO_WAIT_MAX.
ONE_WAIT_MAX = 0.1
TWO_WAIT_MAX = 0.15
#: ... beyond this many seconds, whatever the run's length: a new thread or process
#: starts on its creator's core and waits a few milliseconds for the scheduler to
#: move it to the free one, on a quiet machine too.
WAIT_GRACE_S = 0.005
#: A clean run lost at most this many CPU seconds per wall second to the host (steal
#: time), beyond one clock tick: a tick counted during a run can hold time taken
#: just before it.
STEAL_MAX = 0.1
#: A thread speedup at least this large is "parallel"; at most SERIAL_MAX is "serial".
PARALLEL_MIN = 1.5
SERIAL_MAX = 1.15
#: Threads that reach this share of what two processes reached in the same run are
#: "parallel" too: the calibration says what two workers could get just then (on a
#: virtual machine whose host is busy, two processes may reach only 1.5x-1.7x).
OF_PROCESSES = 0.85

COUNT_SRC = "def count(n):\n    while n > 0:\n        n -= 1\n"
SCHED_SRC = r'''
def sched():
    """(CPU s, run-queue wait s) of the calling OS thread, or None where unknown."""
    try:
        with open("/proc/thread-self/schedstat") as handle:
            fields = handle.read().split()
        return int(fields[0]) / 1e9, int(fields[1]) / 1e9
    except (IOError, OSError, ValueError, IndexError):
        return None
'''
_SHARED = {}
exec(COUNT_SRC + SCHED_SRC, _SHARED)   # the same source the children and sub-interpreters run
count, sched = _SHARED["count"], _SHARED["sched"]

#: A child process: says it is ready, waits for "go", counts, prints CPU s and run-queue wait s.
CHILD = COUNT_SRC + SCHED_SRC + r"""
import os, sys
n = int(sys.argv[1])
sys.stdout.write("ready\n")
sys.stdout.flush()
sys.stdin.readline()
before = sched()
count(n)
after = sched()
t = os.times()
wait = None if before is None or after is None else after[1] - before[1]
sys.stdout.write("%r %r\n" % (t[0] + t[1], wait))
sys.stdout.flush()
"""


def shares(total, k):
    base = total // k
    return [base + (1 if i < total - base * k else 0) for i in range(k)]


def timed(work, n, waits):
    """Run work(n) and append this thread's run-queue wait (or None) to ``waits``."""
    before = sched()
    work(n)
    after = sched()
    waits.append(None if before is None or after is None else after[1] - before[1])


def total_wait(waits):
    return None if not waits or None in waits else sum(waits)


def run_all(workers):
    """Start the threads together and join them: (wall s, CPU s this process used meanwhile)."""
    cpu0, start = cpu_seconds(), clock()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return clock() - start, cpu_seconds() - cpu0


def run_threads(total, k):
    """(wall s, CPU s of this process, run-queue wait s) for k threads sharing ``total``."""
    waits = []
    workers = [threading.Thread(target=timed, args=(count, n, waits)) for n in shares(total, k)]
    wall, cpu = run_all(workers)
    return wall, cpu, total_wait(waits)


def run_processes(total, k):
    """(wall s, CPU s of the children, their run-queue wait s) for k processes sharing ``total``."""
    children = []
    try:
        for n in shares(total, k):
            children.append(subprocess.Popen(
                _common.child_argv("-c", CHILD, str(n)), stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, universal_newlines=True))
        for child in children:
            if child.stdout.readline().strip() != "ready":
                raise RuntimeError("a child process did not start")
        start = clock()
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        cpu, waits = 0.0, []
        for child in children:
            spent, wait = child.stdout.readline().split()
            cpu += float(spent)
            waits.append(None if wait == "None" else float(wait))
        wall = clock() - start
    finally:
        for child in children:
            if child.poll() is None:
                try:
                    child.stdin.close()
                except (IOError, OSError):
                    pass
            child.wait()
    return wall, cpu, total_wait(waits)


def run_subinterpreters(api, total, k):
    """(wall s, CPU s of this process, run-queue wait s) for k sub-interpreters sharing ``total``."""
    handles = [api.create() for _ in range(k)]
    errors, waits = [], []

    def drive(handle, n):
        try:
            timed(lambda m: api.run(handle, COUNT_SRC + "count(%d)\n" % m), n, waits)
        except Exception as error:  # reported below, not swallowed
            errors.append(repr(error))

    try:
        workers = [threading.Thread(target=drive, args=(h, n))
                   for h, n in zip(handles, shares(total, k))]
        wall, cpu = run_all(workers)
    finally:
        for handle in handles:
            api.destroy(handle)
    if errors:
        raise RuntimeError(errors[0])
    return wall, cpu, total_wait(waits)


def with_steal(run, total, k):
    """run(total, k) and the host's steal time meanwhile: (wall, cpu, wait, steal or None)."""
    before = steal_seconds()
    wall, cpu, wait = run(total, k)
    after = steal_seconds()
    return wall, cpu, wait, (None if before is None or after is None else after - before)


def clean(trial):
    """Whether a trial's 1- and 2-worker runs had the cores they wanted: little run-queue
    wait, little steal time (a figure the platform cannot give does not count against it)."""
    tick = steal_tick() or 0.0
    for k, wait_max in ((1, ONE_WAIT_MAX), (2, TWO_WAIT_MAX)):
        wall, _, wait, steal = trial[k]
        if wait is not None and wait > wait_max * wall + WAIT_GRACE_S:
            return False
        if steal is not None and steal > STEAL_MAX * wall + tick:
            return False
    return True


def verdict(speedup, process_speedup, clean_trials, trials, wait_two, one_cpu_per_wall,
            two_cpu_per_wall=None, steal_two=None, who="threads"):
    """(verdict, why) for two workers of kind ``who`` against the same run's processes.

    ``wait_two`` and ``steal_two``: run-queue wait and steal time per wall second of
    the 2-worker runs over all trials (None where unknown), quoted when too few
    trials were clean."""
    if clean_trials * 2 < trials:
        return "inconclusive", (
            "only %d of %d trials ran undisturbed: in the 2-worker runs the %s waited %.2f s "
            "per second for a free core and the virtual machine's host took %.2f CPU s per "
            "second (steal time), so they could not show whether they run in parallel"
            % (clean_trials, trials, who, wait_two or 0.0, steal_two or 0.0))
    if wait_two is None and one_cpu_per_wall < 0.85:
        return "inconclusive", (
            "one of the %s got only %.2f CPU seconds per wall second: other work took the "
            "CPU from it, so its time is no reference" % (who, one_cpu_per_wall))
    if two_cpu_per_wall is not None and two_cpu_per_wall < _common.MIN_FREE_CPU:
        # Two workers that always have Python to run get at least one CPU between them,
        # GIL or not, unless other work (or the host) takes it.
        return "inconclusive", (
            "two %s got only %.2f CPU seconds per wall second between them: other work "
            "took the CPU from them, so their time is no reference" % (who, two_cpu_per_wall))
    if process_speedup < CALIBRATION_MIN:
        return "inconclusive", (
            "two processes ran only %.2fx as fast as one (below %.1fx): the machine did not "
            "give this run two free cores, so the %s could not show whether they run in "
            "parallel" % (process_speedup, CALIBRATION_MIN, who))
    if speedup > SERIAL_MAX and two_cpu_per_wall is not None and two_cpu_per_wall < SERIAL_MAX:
        # Faster, yet never more than one CPU busy at once: not parallelism. On a
        # virtual machine one vCPU can be slower than another for a while.
        return "inconclusive", (
            "two %s ran %.2fx as fast as one but used only %.2f CPU seconds per wall "
            "second between them: they never ran at once, so the difference came from the "
            "machine (one CPU slower than another), not from parallel work"
            % (who, speedup, two_cpu_per_wall))
    if speedup >= PARALLEL_MIN:
        return "parallel", "two %s ran %.2fx as fast as one" % (who, speedup)
    if speedup >= OF_PROCESSES * process_speedup:
        return "parallel", ("two %s ran %.2fx as fast as one, as two processes did "
                            "(%.2fx) just then" % (who, speedup, process_speedup))
    if speedup <= SERIAL_MAX:
        return "serial", ("two %s ran %.2fx as fast as one while two processes ran "
                          "%.2fx as fast" % (who, speedup, process_speedup))
    return "partial", "two %s ran %.2fx as fast as one" % (who, speedup)


def main():
    params = _common.params()
    quick = params.quick
    total = params.number("total", int, 3000000, 12000000)
    counts = sorted(set([1, 2] + [int(k) for k in params.get(
        "workers", [1, 2] if quick else [1, 2, 4])]))
    repeat = params.number("repeat", int, 3, 5)
    api = SubInterpreters() if params.get("subinterpreters", True) else None
    note = "not asked for" if api is None else api.note
    if api is not None and api.name is None:
        api = None
    sub_gil = None
    if api is not None:
        try:
            probe = api.create()
            sub_gil = api.gil(probe)
            api.destroy(probe)
        except Exception as error:
            note, api = "cannot create a sub-interpreter: %r" % (error,), None

    kinds = [("threads", run_threads), ("processes", run_processes)]
    if api is not None:
        kinds.append(("subinterpreters", lambda t, k: run_subinterpreters(api, t, k)))
    # runs[kind] = [{k: (wall, cpu, wait, steal)} per trial]
    runs = dict((kind, []) for kind, _ in kinds)
    for _ in range(repeat):
        for kind, run in kinds:
            runs[kind].append(dict((k, with_steal(run, total, k)) for k in counts))
    clean_flags = dict((kind, [clean(trial) for trial in runs[kind]]) for kind in runs)
    clean_trials = dict((kind, sum(flags)) for kind, flags in clean_flags.items())

    def chosen(kind):
        """The trials a speedup is taken from: the clean ones, or all if none is clean."""
        trials = runs[kind]
        kept = [t for t, ok in zip(trials, clean_flags[kind]) if ok]
        return kept or trials

    def by(kind):
        return dict((str(k), median([t[k][0] for t in runs[kind]])) for k in counts)

    def speedup(kind, k=2):
        return median([t[1][0] / t[k][0] for t in chosen(kind)])

    def per_wall(kind, k, field, trials=None):   # by default over the speedups' trials
        trials = chosen(kind) if trials is None else trials
        values = [t[k][field] for t in trials]
        if None in values:
            return None
        return sum(values) / sum(t[k][0] for t in trials)

    def judged(kind, who, speedup_value):
        return verdict(
            speedup_value, metrics["process_speedup"], clean_trials[kind], repeat,
            per_wall(kind, 2, 2, runs[kind]), per_wall(kind, 1, 1), per_wall(kind, 2, 1),
            per_wall(kind, 2, 3, runs[kind]), who)

    metrics = {
        "total": total,
        "repeat": repeat,
        "trials": repeat,
        "clean_trials": clean_trials["threads"],
        "clean_trials_by_kind": clean_trials,
        "by_threads": by("threads"),
        "speedup": speedup("threads"),
        "by_processes": by("processes"),
        "process_speedup": speedup("processes"),
        "cpu_per_wall": per_wall("threads", 2, 1),
        "threads_cpu_per_wall": dict((str(k), per_wall("threads", k, 1)) for k in counts),
        "process_cpu_per_wall": per_wall("processes", 2, 1),
        "waiting_per_wall": dict((kind, dict((str(k), per_wall(kind, k, 2)) for k in counts))
                                 for kind, _ in kinds),
        "steal_per_wall": dict((kind, dict((str(k), per_wall(kind, k, 3)) for k in counts))
                               for kind, _ in kinds),
        "speedups": dict((kind, dict((str(k), speedup(kind, k)) for k in counts if k != 1))
                         for kind, _ in kinds),
        "subinterpreters": api.name if api is not None else None,
        "subinterpreters_note": note,
    }
    if api is not None:
        metrics["by_subinterpreters"] = by("subinterpreters")
        metrics["subinterpreter_speedup"] = speedup("subinterpreters")
        metrics["subinterpreter_cpu_per_wall"] = per_wall("subinterpreters", 2, 1)
        metrics["subinterpreter_gil"] = sub_gil
        metrics["subinterpreter_verdict"], metrics["subinterpreter_why"] = judged(
            "subinterpreters", "sub-interpreters", metrics["subinterpreter_speedup"])
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    metrics["gil_enabled"] = bool(is_enabled()) if is_enabled is not None else True
    metrics["verdict"], metrics["why"] = judged("threads", "threads", metrics["speedup"])
    _common.emit({"metrics": metrics})


if __name__ == "__main__":
    main()
