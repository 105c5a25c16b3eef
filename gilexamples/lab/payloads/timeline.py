"""Experiment "timeline": record when each thread is really running Python.

Each thread spins in a tight loop reading a clock. While a thread runs, two
consecutive readings are a fraction of a microsecond apart; a gap longer
than ``gap_s`` means the thread was not running in between (it was waiting
for the GIL, or for a core). The run intervals of all threads, on one clock,
are the timeline. With a GIL they never overlap (by more than the clock's
resolution: 1 us for time.time() on 2.7); without one they do.

Workloads:

* ``cpu2``: two CPU-bound threads (Beazley's "battle" on the tick GIL);
* ``cpu+io``: one CPU-bound thread and one I/O thread that sends a byte to an
  echo process (forked before any thread starts) and waits for the reply,
  then does ``io_work_s`` of Python work. The echo process (a server that
  takes ``echo_delay_s`` to answer, 1 ms by default) sends back the
  time it replied, so the I/O thread's blocked time splits into "in I/O"
  (until the reply was sent) and "waiting to run Python again" (after).

Lab payload: runs unchanged under Python 2.7 and 3.6+, stdlib only.
Usage: python timeline.py '{"quick": true, "workload": "cpu2"}'; optional
params: "seconds" (default 0.2 quick, 0.5 full), "gap_s" (default 5e-6),
"io_work_s" (default 5e-5), "echo_delay_s" (default 1e-3), "interval" (sys.setswitchinterval, 3.x only).
Prints {"metrics": {...}} with the recorded intervals in metrics["trace"],
as integer nanoseconds from the start, or {"skipped": "reason"}.
"""
import os
import socket
import sys
import threading
import time

import _common
from _common import CLOCK_NAME as CLOCK, clock


#: At most this many stretches are kept per thread (the trace stays a few MB at worst).
MAX_STRETCHES = 20000


def spin(until, gap, runs):
    """Run Python code until ``until``; append (start, end) of each stretch actually run."""
    now = clock()
    start = last = now
    while now < until:
        now = clock()
        if now - last > gap:
            if len(runs) < MAX_STRETCHES:
                runs.append((start, last))
            start = now
        last = now
    if len(runs) < MAX_STRETCHES:
        runs.append((start, last))


def echo_child(sock, delay):
    """The forked echo process: answer each byte ``delay`` s later with the time of the answer."""
    try:
        while True:
            data = sock.recv(64)
            if not data:
                break
            if delay > 0:
                time.sleep(delay)
            sock.sendall(repr(clock()).encode("ascii"))
    finally:
        os._exit(0)


def io_thread(until, gap, work, sock, runs, ios, waits, trips):
    while True:
        sent = clock()
        if sent >= until:
            break
        sock.sendall(b"x")
        reply = sock.recv(64)
        back = clock()
        answered = min(max(float(reply.decode("ascii")), sent), back)
        ios.append((sent, answered))
        waits.append((answered, back))
        trips.append(back - sent)
        spin(min(until, back + work), gap, runs)


def to_ns(pairs, origin):
    return [[int(round((a - origin) * 1e9)), int(round((b - origin) * 1e9))]
            for a, b in pairs if b > a]


def overlap_ns(threads):
    edges = []
    for thread in threads:
        for a, b in thread["run"]:
            edges.append((a, 1))
            edges.append((b, -1))
    edges.sort()
    total, depth, since = 0, 0, 0
    for when, step in edges:
        if depth >= 2:
            total += when - since
        depth += step
        since = when
    return total


def main():
    params = _common.params()
    workload = params.get("workload", "cpu2")
    seconds = params.number("seconds", float, 0.2, 0.5)
    gap = params.number("gap_s", float, 5e-6)
    work = params.number("io_work_s", float, 5e-5)
    delay = params.number("echo_delay_s", float, 1e-3)
    if workload not in ("cpu2", "cpu+io"):
        _common.emit({"skipped": "unknown workload %r" % (workload,)})
        return
    if "interval" in params:
        if not hasattr(sys, "setswitchinterval"):
            _common.emit({"skipped": "no switch interval before 3.2"})
            return
        sys.setswitchinterval(float(params["interval"]))
    if workload == "cpu+io" and not (hasattr(os, "fork") and hasattr(socket, "socketpair")):
        _common.emit({"skipped": "needs os.fork and socket.socketpair"})
        return

    names = ["cpu-1", "cpu-2"] if workload == "cpu2" else ["cpu-1", "io"]
    runs = dict((name, []) for name in names)
    ios, waits, trips = [], [], []
    child_pid, mine = None, None
    if workload == "cpu+io":
        mine, theirs = socket.socketpair()
        child_pid = os.fork()
        if child_pid == 0:
            mine.close()
            echo_child(theirs, delay)
        theirs.close()

    origin = clock()
    until = origin + 0.01 + seconds          # every thread stops by itself at this time
    workers = [threading.Thread(target=spin, args=(until, gap, runs["cpu-1"]))]
    if workload == "cpu2":
        workers.append(threading.Thread(target=spin, args=(until, gap, runs["cpu-2"])))
    else:
        workers.append(threading.Thread(target=io_thread, args=(
            until, gap, work, mine, runs["io"], ios, waits, trips)))
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        if child_pid is not None:
            mine.close()                     # the echo process sees EOF and exits
            os.waitpid(child_pid, 0)

    threads = []
    for name in names:
        thread = {"name": name, "kind": "io" if name == "io" else "cpu",
                  "run": to_ns(runs[name], origin)}
        if name == "io":
            thread["io"] = to_ns(ios, origin)
            thread["wait"] = to_ns(waits, origin)
        threads.append(thread)
    trace = {"clock": CLOCK, "gap_ns": int(round(gap * 1e9)),
             "end_ns": int(round((until - origin) * 1e9)), "threads": threads}
    ran = dict((t["name"], sum(b - a for a, b in t["run"])) for t in threads)
    metrics = {
        "workload": workload,
        "seconds": seconds,
        "clock": CLOCK,
        "switch_interval_s": sys.getswitchinterval() if hasattr(sys, "getswitchinterval") else None,
        "check_interval": sys.getcheckinterval() if hasattr(sys, "getcheckinterval") else None,
        "run_s": dict((k, v / 1e9) for k, v in ran.items()),
        "overlap_s": overlap_ns(threads) / 1e9,
        "trace": trace,
    }
    if trips:
        ordered = sorted(trips)
        metrics["trips"] = len(ordered)
        metrics["rtt_p50_s"] = ordered[len(ordered) // 2]
    _common.emit({"metrics": metrics})


if __name__ == "__main__":
    main()
