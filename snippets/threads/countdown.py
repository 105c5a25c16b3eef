# runs on: python2.7, python3 (standard library only)
"""David Beazley's countdown: the same CPU-bound work, once in one thread, then split over two.

With a GIL, two threads take as long as one (3.2+), or longer (2.x on several
cores). A free-threaded build with two free cores takes about half as long.
"""
from __future__ import print_function

import threading
import time

clock = getattr(time, "perf_counter", time.time)


def countdown(n):
    while n > 0:
        n -= 1


def size_for(seconds):
    """A count that takes about `seconds` in one thread on this machine."""
    n = 200000
    while True:
        start = clock()
        countdown(n)
        took = clock() - start
        if took > 0.05:
            return int(n * seconds / took)
        n *= 4


N = size_for(0.6)
start = clock()
countdown(N)
countdown(N)
sequential = clock() - start

start = clock()
workers = [threading.Thread(target=countdown, args=(N,)) for _ in range(2)]
for t in workers:
    t.start()
for t in workers:
    t.join()
threaded = clock() - start

print("count down from %d, twice" % N)
print("one thread:  %.2f s" % sequential)
print("two threads: %.2f s" % threaded)
print("two threads / one thread: %.2f" % (threaded / sequential))
