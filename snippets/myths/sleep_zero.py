# runs on: python2.7, python3 (standard library only)
"""Does time.sleep(0) hand the GIL to a waiting thread?

A busy thread wants the GIL. The main thread calls time.sleep(0) in a loop and
counts how often the busy thread got to run in between. sleep(0) releases the
GIL, but nothing makes the releasing thread wait: it usually takes the GIL
straight back. A real sleep (1 ms) lets the other thread in every time.
"""
from __future__ import print_function

import threading
import time

ticks = [0]
stop = []


def busy():
    while not stop:
        ticks[0] += 1


def handed_over(pause, rounds):
    """Fraction of `rounds` pauses after which the busy thread had run."""
    handed = 0
    for _ in range(rounds):
        before = ticks[0]
        time.sleep(pause)
        if ticks[0] != before:
            handed += 1
        for _ in range(2000):  # keep the GIL a little, as real work would
            pass
    return handed / float(rounds)


thread = threading.Thread(target=busy)
thread.start()
time.sleep(0.02)
try:
    zero = handed_over(0, 200)
    real = handed_over(0.001, 100)
finally:
    stop.append(True)
    thread.join()

print("the busy thread ran during time.sleep(0):     %5.1f%% of calls" % (100 * zero))
print("the busy thread ran during time.sleep(0.001): %5.1f%% of calls" % (100 * real))
