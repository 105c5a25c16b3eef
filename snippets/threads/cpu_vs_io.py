"""The same work done by one thread, then split over two: who gains?

Three kinds of work, each measured in this interpreter:

* countdown: a pure-Python loop, which needs the GIL the whole time;
* hash: SHA-256 over 1 MiB chunks, done in C with the GIL released;
* io: reads that wait on an idle socket, the GIL released while waiting.

ratio = two threads / one thread. 1.00 means no gain at all, 0.50 means the
two threads really ran at the same time.
"""

import os

from gilexamples.threads import gil_info, split_timing

WORK = {"countdown": 10_000_000, "hash": 128, "io": 20}


def main() -> None:
    info = gil_info()
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"Python {info['version']}, GIL enabled: {info['gil_enabled']}, "
          f"{cpus} CPUs")
    print(f"{'workload':<10} {'1 thread':>10} {'2 threads':>10} {'ratio':>6}")
    for name, units in WORK.items():
        result = split_timing(name, units, threads=2, repeat=3)
        print(f"{name:<10} {result['sequential_s']:>9.3f}s "
              f"{result['threaded_s']:>9.3f}s {result['ratio']:>6.2f}")


if __name__ == "__main__":
    main()
