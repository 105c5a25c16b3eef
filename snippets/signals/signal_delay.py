# runs on: python2.7, python3 (standard library only)
"""A Python signal handler waits for a long C call to return.

A timer fires 50 ms into two pieces of work of the same length: one C call
(sum over a range) and a Python loop. The handler runs between bytecodes, so
during the C call it waits until the call is over.
"""
from __future__ import print_function

import signal
import time

clock = getattr(time, "perf_counter", time.time)
try:
    numbers = xrange
except NameError:
    numbers = range

fired = []
signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(clock()))


def loop(n):
    while n > 0:
        n -= 1


def lateness(work):
    del fired[:]
    start = clock()
    signal.setitimer(signal.ITIMER_REAL, 0.05)
    work()
    end = clock()
    while not fired:  # a Python loop: the handler runs at its next check
        pass
    return end - start, fired[0] - (start + 0.05)


n = 1000000
start = clock()
sum(numbers(n))
per_item = (clock() - start) / n
took_c, late_c = lateness(lambda: sum(numbers(int(0.4 / per_item))))
start = clock()
loop(200000)
per_turn = (clock() - start) / 200000
took_py, late_py = lateness(lambda: loop(int(0.4 / per_turn)))
signal.signal(signal.SIGALRM, signal.SIG_DFL)

print("timer set to fire 50 ms into each piece of work")
print("one C call, sum(range(n)): %3.0f ms long, handler ran %3.0f ms late" % (took_c * 1e3, late_c * 1e3))
print("a Python while loop:       %3.0f ms long, handler ran %3.1f ms late" % (took_py * 1e3, late_py * 1e3))
