"""Experiment "handoff": when threading.Lock is released, who gets it, and how fast?

Two (or more) threads take the same ``threading.Lock`` in a loop. Every
acquisition is recorded: when the thread asked (``t_req``, just before
``acquire()``), when it got the lock (``t_got``) and when it let go
(``t_rel``, just before ``release()``). A release is *contended* if another
thread had asked and not yet got the lock at that moment. Then one of two
things happens next: a waiting thread gets the lock (a *hand-off*, whose
latency is its ``t_got`` minus the release time), or the releasing thread
takes it straight back (a *re-acquisition*, sometimes called barging).

Two phases, because they ask different questions:

* "greedy": each thread holds the lock for ``hold_us`` of pure-Python work
  (a busy loop, so under a GIL it keeps the GIL too), releases it and asks
  again at once. This is where a lock's fairness shows: does a waiter ever
  get in? ``reacquire_share`` is the share of contended releases after which
  the releasing thread took the lock straight back; ``max_wait_s`` is the
  longest any thread waited in ``acquire()`` (a thread that never got in
  before the end waited for the whole phase, ``greedy_s``).
* "polite": each thread holds the lock while sleeping ``hold_us`` (which
  releases any GIL) and sleeps ``gap_us`` after releasing it, so that the
  other thread is already waiting at every release and the releasing thread
  is out of the way. ``handoff_us`` (median, p90) is the latency from a
  release to the waiter's return from ``acquire()``: the lock's wake-up path,
  plus taking back the GIL where there is one.

A control measures what any wake-up costs here: ``wakeup_us`` is the latency
from writing a byte to a pipe to the return of ``os.read()`` in a thread
blocked on it, the same kernel wake-up and GIL path without the lock.
``handoff_vs_wakeup`` is the ratio of the two medians.

Robustness: who gets a lock next is decided by timing, so other work on the
machine changes the answer (a holder that loses its CPU between release and
re-acquire lets a waiter in). ``other_cpus`` is how many CPUs' worth of time
everything else on the machine used while the experiment ran (all CPUs' busy
time from /proc/stat, minus this process's own CPU time, per wall second;
Linux only, else null). Above ``MAX_OTHER_CPUS``, or when the median pipe
wake-up is above ``MAX_WAKEUP_US`` (no CPU was free for a woken thread),
``verdict`` is "inconclusive" and ``why`` gives the figure (both, joined
by "; ", when both tests fail); otherwise ``verdict`` is "measured" and
there is no ``why``, as in every payload. Also reported:
``preemptions_per_s`` (involuntary context switches of this process in the
greedy phase) and ``greedy_cpu_per_wall`` (its CPU seconds per wall second).

Lab payload: runs unchanged under Python 2.7 and 3.6+, stdlib only.
Usage: python handoff.py '{"quick": true}'; optional params: "threads"
(default 2), "greedy_s" (seconds, default 0.25 quick, 2.0 full), "hold_us"
(greedy hold, default 50), "polite_handoffs" (default 100 quick, 1000 full),
"polite_hold_us" (default 1000), "gap_us" (default 200), "wakeups"
(default 100 quick, 1000 full). Prints {"metrics": {...}} on stdout.
"""
import bisect
import gc
import os
import sys
import threading
import time

import _common
from _common import clock, percentile  # percentile: the payloads' one rule

try:
    import resource
except ImportError:  # not Unix: no context-switch counts
    resource = None

#: CPUs' worth of other work on the machine above which the result is inconclusive.
MAX_OTHER_CPUS = 0.25
#: Median pipe wake-up (microseconds) above which the machine has no CPU free for a waiter.
MAX_WAKEUP_US = 500.0
#: Seconds any thread of a phase may take to finish after the phase ends.
JOIN_S = 30.0


def summary_us(seconds):
    """{"median", "p90", "max", "n"} in microseconds, or None for no values."""
    if not seconds:
        return None
    return {"median": percentile(seconds, 0.5) * 1e6, "p90": percentile(seconds, 0.9) * 1e6,
            "max": max(seconds) * 1e6, "n": len(seconds)}


def usage():
    """(involuntary context switches, CPU seconds) of this process so far, all threads."""
    if resource is None:
        return None
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_nivcsw, ru.ru_utime + ru.ru_stime


def machine_cpu_s():
    """Seconds all CPUs of the machine spent busy so far (/proc/stat), or None off Linux."""
    try:
        with open("/proc/stat") as handle:
            fields = [int(x) for x in handle.readline().split()[1:9]]
        ticks = os.sysconf("SC_CLK_TCK")
    except (IOError, OSError, ValueError, AttributeError):
        return None
    idle = fields[3] + fields[4]                    # idle and iowait
    return (sum(fields) - idle) / float(ticks)      # user nice system irq softirq steal


def greedy_worker(lock, hold, go, stop, out):
    append = out.append
    go.wait()
    while not stop:
        t_req = clock()
        lock.acquire()
        t_got = clock()
        end = t_got + hold
        while clock() < end:
            pass
        t_rel = clock()
        lock.release()
        append((t_req, t_got, t_rel))


def polite_worker(lock, hold, gap, go, stop, out):
    append, sleep = out.append, time.sleep
    go.wait()
    while not stop:
        t_req = clock()
        lock.acquire()
        t_got = clock()
        sleep(hold)
        t_rel = clock()
        lock.release()
        append((t_req, t_got, t_rel))
        sleep(gap)


def run_phase(target, args, nthreads, seconds=None, enough=None):
    """Run nthreads workers on one fresh threading.Lock; stop after ``seconds``
    or once ``enough()`` is true (checked every 10 ms). Returns (records, phase_s, usage)."""
    lock, go, stop = threading.Lock(), threading.Event(), []
    records = [[] for _ in range(nthreads)]
    workers = [threading.Thread(target=target, args=(lock,) + args + (go, stop, records[k]))
               for k in range(nthreads)]
    for worker in workers:
        worker.daemon = True
        worker.start()
    # The records are tuples of floats (no cycles): no collection is needed while the
    # threads run, and a collection triggered by their appends would be timed as the lock's.
    gc.disable()
    before = usage()
    start = clock()
    go.set()
    if seconds is not None:
        time.sleep(seconds)
    else:
        while not enough(records) and clock() - start < JOIN_S:
            time.sleep(0.01)
    stop.append(True)
    phase_s = clock() - start
    deadline = clock() + JOIN_S
    for worker in workers:
        worker.join(max(0.0, deadline - clock()))
    after = usage()
    gc.enable()
    if any(worker.is_alive() for worker in workers):
        raise RuntimeError("a worker did not finish within %g s of the phase's end" % JOIN_S)
    spent = None if before is None else (after[0] - before[0], after[1] - before[1])
    return records, phase_s, spent


def analyse(records):
    """Classify every release by what came next; see the module docstring."""
    holds = sorted((r[1], k, r[0], r[2]) for k, recs in enumerate(records) for r in recs)
    gots = [[r[1] for r in recs] for recs in records]
    reqs = [[r[0] for r in recs] for recs in records]
    counts = {"acquisitions": len(holds), "contended": 0, "handed_off": 0, "reacquired": 0,
              "barged": 0}
    latencies = []
    for i in range(len(holds) - 1):
        _, k, _, t_rel = holds[i]
        waiting = set()
        for j in range(len(records)):
            if j != k:
                n = bisect.bisect_right(gots[j], t_rel)     # j's first acquisition after t_rel
                if n < len(gots[j]) and reqs[j][n] < t_rel:
                    waiting.add(j)
        if not waiting:
            continue
        counts["contended"] += 1
        t_next, k_next = holds[i + 1][0], holds[i + 1][1]
        if k_next == k:
            counts["reacquired"] += 1
        elif k_next in waiting:
            counts["handed_off"] += 1
            latencies.append(t_next - t_rel)
        else:
            counts["barged"] += 1                           # a thread that came after the release
    waits = [got - req for got, _, req, _ in holds]
    return counts, latencies, waits


def pipe_wakeups(n, gap):
    """Latencies (s) from os.write() in this thread to os.read() returning in another."""
    to_echo, from_main = os.pipe()
    to_main, from_echo = os.pipe()
    woke = []

    def echo():
        for _ in range(n):
            os.read(to_echo, 1)
            woke.append(clock())
            os.write(from_echo, b"x")

    thread = threading.Thread(target=echo)
    thread.daemon = True
    thread.start()
    sent = []
    try:
        for _ in range(n):
            time.sleep(gap)                                 # let the echo thread block in read()
            sent.append(clock())
            os.write(from_main, b"x")
            os.read(to_main, 1)
    finally:
        thread.join(JOIN_S)
        for fd in (to_echo, from_main, to_main, from_echo):
            os.close(fd)
    return [b - a for a, b in zip(sent, woke)]


def main():
    params = _common.params()
    nthreads = max(2, params.number("threads", int, 2))
    greedy_s = params.number("greedy_s", float, 0.25, 2.0)
    hold = params.number("hold_us", float, 50) / 1e6
    polite_n = params.number("polite_handoffs", int, 100, 1000)
    polite_hold = params.number("polite_hold_us", float, 1000) / 1e6
    gap = params.number("gap_us", float, 200) / 1e6
    wakeups = params.number("wakeups", int, 100, 1000)

    machine_before, own_before, started = machine_cpu_s(), usage(), clock()
    wake = pipe_wakeups(wakeups, gap)

    records, greedy_phase_s, spent = run_phase(greedy_worker, (hold,), nthreads, seconds=greedy_s)
    counts, greedy_lat, waits = analyse(records)

    def enough(recs):
        return sum(len(r) for r in recs) >= polite_n + 1
    polite_records, polite_phase_s, _ = run_phase(polite_worker, (polite_hold, gap), nthreads,
                                                  enough=enough)
    polite_counts, polite_lat, _ = analyse(polite_records)
    machine_after, own_after, wall = machine_cpu_s(), usage(), clock() - started
    other_cpus = None
    if None not in (machine_before, machine_after, own_before, own_after):
        own = own_after[1] - own_before[1]
        other_cpus = max(0.0, (machine_after - machine_before - own) / wall)

    preemptions = cpu_per_wall = None           # CPU s per wall s of the greedy phase
    if spent is not None:
        preemptions = spent[0] / greedy_phase_s
        cpu_per_wall = spent[1] / greedy_phase_s
    wake_us = summary_us(wake)
    handoff = summary_us(polite_lat)
    reasons = []
    if other_cpus is not None and other_cpus > MAX_OTHER_CPUS:
        reasons.append("other work on the machine used %.2f CPUs meanwhile (more than %g)"
                       % (other_cpus, MAX_OTHER_CPUS))
    if wake_us is not None and wake_us["median"] > MAX_WAKEUP_US:
        reasons.append("a pipe wake-up took %.0f us (median; more than %g): no CPU was free "
                       "for a woken thread" % (wake_us["median"], MAX_WAKEUP_US))
    contended = counts["contended"]
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    metrics = {
        "threads": nthreads,
        "lock_type": "%s.%s" % (type(threading.Lock()).__module__,
                                type(threading.Lock()).__name__),
        "thread_lock_impl": getattr(getattr(sys, "thread_info", None), "lock", None),
        # The lock object's layout tells PyThread_type_lock from PyMutex at run time:
        # the PyMutex version (gh-117721) also moved its weak references to the
        # managed slot, where __weakrefoffset__ is negative.
        "lock_basicsize": type(threading.Lock()).__basicsize__,
        "lock_weakrefoffset": type(threading.Lock()).__weakrefoffset__,
        "gil_enabled": gil,
        "handoff_us": handoff,
        "wakeup_us": wake_us,
        "handoff_vs_wakeup": (handoff["median"] / wake_us["median"]
                              if handoff and wake_us and wake_us["median"] > 0 else None),
        "reacquire_share": counts["reacquired"] / float(contended) if contended else None,
        "max_wait_s": max(waits) if waits else None,
        "greedy_s": greedy_phase_s,
        "greedy": dict(counts, hold_us=hold * 1e6, handoff_us=summary_us(greedy_lat),
                       wait_us=summary_us(waits),
                       waits_over_1ms=sum(1 for w in waits if w > 1e-3),
                       per_thread=[len(r) for r in records]),
        "polite": dict(polite_counts, phase_s=polite_phase_s, hold_us=polite_hold * 1e6,
                       gap_us=gap * 1e6),
        "other_cpus": other_cpus,
        "preemptions_per_s": preemptions,
        "greedy_cpu_per_wall": cpu_per_wall,
        "verdict": "inconclusive" if reasons else "measured",
    }
    if reasons:
        metrics["why"] = "; ".join(reasons)
    _common.emit({"metrics": metrics})


if __name__ == "__main__":
    main()
