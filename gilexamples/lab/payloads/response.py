"""Experiment "response": how late a sleeping thread gets to run again.

A thread sleeps for a short time (1 ms by default), over and over, and
records how much later than asked it was running Python code again: first
alone, then while CPU-bound threads spin in the same process. Waking up is
the operating system's job and takes microseconds; after that the thread
needs the GIL, and the lateness is how long a CPU-bound holder keeps it.
Run it on one core and on all of them (the runner pins the process) to see
the tick GIL and the switching GIL fail in different places.

Lab payload: runs unchanged under Python 2.7 and 3.6+, stdlib only.
Usage: python response.py '{"quick": true}'; optional params: "sleep_s"
(default 0.001), "samples" (default 40 quick, 300 full), "budget_s" (seconds
per phase before stopping early, default 1 quick, 5 full), "cpu_threads"
(default 1). Prints {"metrics": {...}} on stdout; "cpu_per_wall" is the CPU
seconds per wall second the process used in the loaded phase (about one: the
CPU-bound thread), and "verdict" is "inconclusive" (with "why") when that is
below 0.8, the sign that the scheduler, not only the GIL, made the waits.
"""
import threading
import time

import _common
from _common import clock, percentile


def spin(stop):
    while not stop:
        total = 0
        for i in range(1000):
            total += i


def sleeper(sleep_s, samples, budget, out):
    begin = clock()
    while len(out) < samples and (len(out) < 10 or clock() - begin < budget):
        start = clock()
        time.sleep(sleep_s)
        out.append(clock() - start - sleep_s)


def phase(cpu_threads, sleep_s, samples, budget):
    stop = []
    late = []
    spinners = [threading.Thread(target=spin, args=(stop,)) for _ in range(cpu_threads)]
    for thread in spinners:
        thread.daemon = True
        thread.start()
    worker = threading.Thread(target=sleeper, args=(sleep_s, samples, budget, late))
    worker.daemon = True
    try:
        worker.start()
        worker.join()
    finally:
        stop.append(True)
        for thread in spinners:
            thread.join()
    return late


def main():
    params = _common.params()
    sleep_s = params.number("sleep_s", float, 0.001)
    samples = params.number("samples", int, 40, 300)
    budget = params.number("budget_s", float, 1.0, 5.0)
    cpu_threads = params.number("cpu_threads", int, 1)
    alone = phase(0, sleep_s, samples, budget)
    before = _common.cpu_seconds(), clock()
    loaded = phase(cpu_threads, sleep_s, samples, budget)
    after = _common.cpu_seconds(), clock()
    metrics = {
        "sleep_s": sleep_s,
        "cpu_threads": cpu_threads,
        "alone_p50_s": percentile(alone, 0.5),
        "alone_p99_s": percentile(alone, 0.99),
        "p50_s": percentile(loaded, 0.5),
        "p99_s": percentile(loaded, 0.99),
        "max_s": max(loaded),
        "samples": len(loaded),
        "verdict": "measured",
    }
    if after[1] > before[1]:
        # The CPU-bound thread holds the GIL nearly all the time: about one CPU second
        # per wall second. Much less, and the waits were the scheduler's, not the GIL's.
        got = (after[0] - before[0]) / (after[1] - before[1])
        metrics["cpu_per_wall"] = got
        if cpu_threads:
            _common.starved(metrics, got, "the CPU-bound thread")
    _common.emit({"metrics": metrics})


if __name__ == "__main__":
    main()
