"""The same CPU-bound work split over two workers three ways, timed against one worker.

Each worker counts down in pure Python. The script first picks a count N
that takes one worker about TARGET_S seconds here, then times one worker
doing all of it and two workers sharing it as

* two threads in this interpreter (parallel only where the GIL is off);
* two threads, each running its own subinterpreter (parallel from 3.12,
  where a subinterpreter can have its own GIL, PEP 684; 3.8 to 3.11
  subinterpreters share the main GIL);
* two processes.

The four are timed in turn, ROUNDS times over (interleaved, so a burst of
load from elsewhere hits all of them alike), and each row keeps its
fastest round. Subinterpreters and worker processes are started *before*
timing: the figures leave out their start-up cost, which real use pays.

It prints each time as a ratio to the single worker: 1.00 means no gain,
0.50 a perfect split over two cores. The numbers vary from run to run and
machine to machine; the shape is the point.
"""

import concurrent.futures
import os
import sys
import threading
import time

#: Seconds one worker should take to do all the work (sets N).
TARGET_S = 0.5
#: How many interleaved rounds; each row reports its fastest.
ROUNDS = 3

#: The worker's code as a string, for a subinterpreter (a function, so that
#: ``n`` is a fast local variable as in :func:`countdown`).
COUNTDOWN = """
def countdown(n):
    while n > 0:
        n -= 1
countdown({n})
"""


def countdown(n):
    while n > 0:
        n -= 1


class Subinterpreters:
    """Interpreters made up front (creating one costs far more than a thread), destroyed at the end."""

    def __init__(self, count=2):
        if sys.version_info >= (3, 14):
            from concurrent import interpreters
            self.interps = [interpreters.create() for _ in range(count)]
            self.run = lambda interp, code: interp.exec(code)
            self.close = lambda interp: interp.close()
            return
        try:
            import _interpreters as low          # 3.13: isolated (own GIL) by default
            make = low.create
        except ImportError:
            import _xxsubinterpreters as low     # 3.8 to 3.12
            if sys.version_info >= (3, 12):
                make = lambda: low.create(isolated=True)   # own GIL (PEP 684)
            else:
                make = low.create                          # shares the main GIL
        self.interps = [make() for _ in range(count)]
        self.run = low.run_string
        self.close = low.destroy

    def timed_split(self, n):
        code = COUNTDOWN.format(n=n)
        workers = [threading.Thread(target=self.run, args=(interp, code))
                   for interp in self.interps]
        start = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return time.perf_counter() - start

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for interp in self.interps:
            self.close(interp)


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def calibrate(target_s=TARGET_S):
    """A count that takes one worker about ``target_s`` seconds on this machine."""
    n = 1_000_000
    while True:
        seconds = timed(lambda: countdown(n))
        if seconds >= 0.05:
            return max(n, int(n * target_s / seconds))
        n *= 4


def two_threads(n):
    workers = [threading.Thread(target=countdown, args=(n // 2,)) for _ in range(2)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - start


def two_processes(pool, n):
    start = time.perf_counter()
    list(pool.map(countdown, [n // 2, n // 2]))
    return time.perf_counter() - start


def main():
    free = bool(__import__("sysconfig").get_config_var("Py_GIL_DISABLED"))
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    print(f"Python {sys.version.split()[0]}, {'free-threaded' if free else 'default'} build, "
          f"GIL {'on' if gil else 'off'}, {os.cpu_count()} CPUs")
    n = calibrate()
    best = {}
    subs = None
    try:
        with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
            # Start the worker processes first, before timing and before any
            # subinterpreter exists (forking with subinterpreters alive can hang).
            list(pool.map(countdown, [1, 1]))
            try:
                subs = Subinterpreters()
            except ImportError:
                pass
            for _ in range(ROUNDS):
                runs = [("one worker", lambda: timed(lambda: countdown(n))),
                        ("two threads", lambda: two_threads(n))]
                if subs is not None:
                    runs.append(("two subinterpreters", lambda: subs.timed_split(n // 2)))
                runs.append(("two processes", lambda: two_processes(pool, n)))
                for label, run in runs:
                    seconds = run()
                    best[label] = min(seconds, best.get(label, seconds))
    finally:
        if subs is not None:
            subs.__exit__(None, None, None)
    one = best.pop("one worker")
    print(f"one worker:                    {one:.3f} s")
    if subs is None:
        print("two subinterpreters:           not available in this Python")
    for label, seconds in best.items():
        print(f"{label + ':':<30} {seconds:.3f} s, ratio {seconds / one:.2f}")
    print(f"(fastest of {ROUNDS} interleaved rounds; start-up of subinterpreters "
          "and processes not included)")


if __name__ == "__main__":
    main()
