"""The same CPU-bound work split over two workers three ways: threads, interpreters, processes.

Each worker counts down from N in pure Python. The script times one worker
doing all the work, then two workers sharing it as

* two threads in this interpreter (parallel only where the GIL is off);
* two threads, each running its own subinterpreter (parallel from 3.12,
  where a subinterpreter can have its own GIL, PEP 684; 3.10 and 3.11
  subinterpreters share the main GIL);
* two processes.

It prints each time as a ratio to the single worker: 1.00 means no gain,
0.50 a perfect split over two cores. The numbers vary from run to run and
machine to machine; the shape is the point.
"""

import concurrent.futures
import os
import sys
import threading
import time

N = 12_000_000

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
            import _xxsubinterpreters as low     # 3.10 to 3.12
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


def two_threads(target):
    def run():
        workers = [threading.Thread(target=target, args=(N // 2,)) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    return run


def two_processes():
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(countdown, [1, 1]))            # start the workers first
        start = time.perf_counter()
        list(pool.map(countdown, [N // 2, N // 2]))
        return time.perf_counter() - start


def main():
    free = bool(__import__("sysconfig").get_config_var("Py_GIL_DISABLED"))
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    print(f"Python {sys.version.split()[0]}, {'free-threaded' if free else 'default'} build, "
          f"GIL {'on' if gil else 'off'}, {os.cpu_count()} CPUs")
    one = min(timed(lambda: countdown(N)) for _ in range(2))
    print(f"one worker:                    {one:.3f} s")
    rows = [("two threads", min(timed(two_threads(countdown)) for _ in range(2)))]
    try:
        with Subinterpreters() as subs:
            rows.append(("two subinterpreters", min(subs.timed_split(N // 2) for _ in range(2))))
    except ImportError:
        print("two subinterpreters:           not available in this Python")
    rows.append(("two processes", min(two_processes() for _ in range(2))))
    for label, seconds in rows:
        print(f"{label + ':':<30} {seconds:.3f} s, ratio {seconds / one:.2f}")


if __name__ == "__main__":
    main()
