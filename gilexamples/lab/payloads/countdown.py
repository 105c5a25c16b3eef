"""Experiment "countdown": Beazley's count(n), sequential vs split over threads.

The same total amount of pure-Python work (counting a number down to zero)
is done three ways: by one thread, two calls in a row (sequential); by two
threads at once; and by N threads at once (the ``threads`` list). With a GIL
only one thread runs Python code at a time, so the best threads can do is
match the sequential time (ratio 1.0). Python 2's tick GIL on several cores
does worse than that: the threads fight over the lock.

Lab payload: runs unchanged under Python 2.7 and 3.6+, stdlib only.
Usage: python countdown.py '{"quick": true}'; optional params: "total"
(numbers counted in all, default 4e6 quick, 2.4e7 full), "threads" (list of
thread counts, default [2, 4]), "repeat" (trials, default 2 quick, 5 full;
each value reported is the median over the trials), "capacity_s" (seconds
of each capacity check, default 0.1). Besides the times, it
reports how the threads spent them (from getrusage, all threads of the
process): context switches per second, and CPU seconds per wall second.
Prints {"metrics": {...}} on stdout.

What the machine gave: before and after the trials, two busy child
processes (one when pinned to one CPU) measure how many CPUs' worth of time
this process could get ("parallel_capacity", the lower of the two). The
tick GIL's fight needs two free cores at the same moment; when the capacity
is below 80% of what was asked for, "verdict" is "inconclusive" and "why"
gives the figure, instead of a slowdown that only measures the other work
on the machine. An interpreter running without a GIL also times two
processes counting at once against one ("process_speedup", before and after,
the lower kept): its threads' speedup needs two cores at full speed, which
a virtual machine's host does not always give, and below
``PROCESS_SPEEDUP_MIN`` the verdict is "inconclusive" too.
"""
import os
import sys
import threading

try:
    import resource
except ImportError:  # not Unix: no context-switch counts
    resource = None

import _common
from _common import clock, median

#: Without a GIL: two processes counting at once must do at least this many times the
#: work of one per second for the threads' speedup to be judged.
PROCESS_SPEEDUP_MIN = 1.5

#: Seconds each capacity check runs (before and after the trials), unless the
#: "capacity_s" parameter says otherwise.
CAPACITY_S = 0.1


def usage():
    """(context switches, user CPU s, system CPU s) of this process so far, all threads."""
    if resource is None:
        return None
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_nvcsw + ru.ru_nivcsw, ru.ru_utime, ru.ru_stime


def allowed_cpus():
    """How many CPUs this process may run on (its affinity; all CPUs where unknown)."""
    getter = getattr(os, "sched_getaffinity", None)
    if getter is not None:
        return len(getter(0))
    try:  # Python 2 on Linux: the kernel's own list, e.g. "0-1" or "0,2"
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Cpus_allowed_list:"):
                    count = 0
                    for part in line.split(":", 1)[1].strip().split(","):
                        low, _, high = part.partition("-")
                        count += int(high or low) - int(low) + 1
                    return count
    except (IOError, OSError, ValueError):
        pass
    import multiprocessing
    return multiprocessing.cpu_count()


def count(n):
    while n > 0:
        n -= 1


def sequential(total):
    start = clock()
    count(total // 2)
    count(total - total // 2)
    return clock() - start


def threaded(total, k):
    """Wall time, and (context switches, user s, system s) used, for k threads."""
    share = total // k
    workers = [threading.Thread(target=count, args=(share,)) for _ in range(k)]
    before = usage()
    start = clock()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = clock() - start
    after = usage()
    spent = None if before is None else [b - a for a, b in zip(before, after)]
    return wall, spent


def main():
    params = _common.params()
    total = params.number("total", int, 4000000, 24000000)
    counts = [int(k) for k in params.get("threads", [2, 4])]
    if 2 not in counts:
        counts.insert(0, 2)
    repeat = params.number("repeat", int, 2, 5)
    capacity_s = params.number("capacity_s", float, CAPACITY_S, CAPACITY_S)
    wanted = min(2, allowed_cpus())
    capacity = [_common.parallel_capacity(wanted, capacity_s)]
    # Without a GIL the claim is a speedup, which needs two cores at full speed: CPU
    # time cannot tell (see counting_speedup), work done per second can.
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    calibrate = wanted == 2 and is_enabled is not None and not is_enabled()
    speedups = [_common.counting_speedup(total // 2)] if calibrate else []
    seq_times = []
    runs = dict((k, []) for k in counts)
    for _ in range(repeat):
        # Each trial times the sequential run and then the threaded ones back to back,
        # and the ratio is taken within the trial: a machine whose load changes
        # between trials then moves both sides of a ratio alike.
        seq = sequential(total)
        seq_times.append(seq)
        for k in counts:
            wall, spent = threaded(total, k)
            runs[k].append((wall, wall / seq, spent))
    capacity.append(_common.parallel_capacity(wanted, capacity_s))
    if calibrate:
        speedups.append(_common.counting_speedup(total // 2))
    per_threads = {}
    for k in counts:
        entry = {"seconds": median([r[0] for r in runs[k]]),
                 "ratio": median([r[1] for r in runs[k]])}
        spent = [r[2] for r in runs[k] if r[2] is not None]
        if spent:
            wall = sum(r[0] for r in runs[k])
            entry["switches_per_s"] = sum(s[0] for s in spent) / wall
            entry["cpu_per_wall"] = sum(s[1] + s[2] for s in spent) / wall
            entry["system_per_wall"] = sum(s[2] for s in spent) / wall
        per_threads[str(k)] = entry
    two = per_threads["2"]
    metrics = {
        "total": total,
        "repeat": repeat,
        "sequential_s": median(seq_times),
        "threaded_s": two["seconds"],
        "ratio": two["ratio"],
        "switches_per_s": two.get("switches_per_s"),
        "cpu_per_wall": two.get("cpu_per_wall"),
        "threads": per_threads,
        "cpus_wanted": wanted,
        "verdict": "measured",
    }
    if None not in capacity:
        metrics["parallel_capacity"] = min(capacity)
        if min(capacity) < 0.8 * wanted:
            metrics["verdict"] = "inconclusive"
            metrics["why"] = ("the machine gave %.2f CPUs' worth of time to %d busy processes "
                              "(other work took the rest)" % (min(capacity), wanted))
    if speedups and None not in speedups:
        metrics["process_speedup"] = min(speedups)
        if metrics["verdict"] == "measured" and min(speedups) < PROCESS_SPEEDUP_MIN:
            metrics["verdict"] = "inconclusive"
            metrics["why"] = ("two processes counting at once did only %.2fx the work of one "
                              "per second (below %.1fx): the machine's two cores were not both "
                              "free and at full speed, so threads without a GIL could not show "
                              "their speedup" % (min(speedups), PROCESS_SPEEDUP_MIN))
    # Load that came and went between the two capacity checks shows here.
    _common.starved(metrics, two.get("cpu_per_wall"), "the two threads")
    for k in counts:
        entry = per_threads[str(k)]
        busy = entry.get("cpu_per_wall")
        if (metrics["verdict"] == "measured" and busy is not None and busy < 1.15
                and entry["ratio"] < 0.9):
            # Faster than one thread without ever using two CPUs at once is not
            # parallelism: the sequential half ran on a slower CPU (a virtual machine's
            # vCPUs can differ for a while), so the trial compared CPUs, not the GIL.
            metrics["verdict"] = "inconclusive"
            metrics["why"] = ("%d threads finished in %.2f of the sequential time while "
                              "using %.2f CPUs: the halves ran on CPUs of different speed"
                              % (k, entry["ratio"], busy))
    _common.emit({"metrics": metrics})


if __name__ == "__main__":
    main()
