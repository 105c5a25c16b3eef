# runs on: python2.7, python3 (standard library only)
"""Which C calls let go of the GIL? Watch from a second thread.

A watcher thread counts as fast as it can. While the main thread makes one
long C call, the watcher's count shows whether it got to run: hashlib lets go
of the GIL for large buffers; sum() over a range keeps it for the whole call.
"""
from __future__ import print_function

import hashlib
import threading
import time

clock = getattr(time, "perf_counter", time.time)
try:
    numbers = xrange  # Python 2: no list of 20 million ints
except NameError:
    numbers = range

counts = [0]
stop = []


def watcher():
    while not stop:
        counts[0] += 1


def watched(call):
    """The watcher's counting rate during `call`, per second."""
    before, start = counts[0], clock()
    call()
    took = clock() - start
    return (counts[0] - before) / took, took


thread = threading.Thread(target=watcher)
thread.start()
time.sleep(0.05)
alone, _ = watched(lambda: time.sleep(0.2))  # sleeping lets go: the watcher counts freely
data = b"x" * (64 * 1024 * 1024)
hashing, t_hash = watched(lambda: hashlib.sha256().update(data))
summing, t_sum = watched(lambda: sum(numbers(20000000)))
stop.append(True)
thread.join()

print("hashlib backend here: %s" % type(hashlib.sha256()).__module__)
print("watcher's pace while the main thread...")
print("  sleeps:                   %5.0f%%" % 100)
print("  hashes 64 MiB (%.2f s):    %5.0f%%" % (t_hash, 100.0 * hashing / alone))
print("  sums 20 million (%.2f s):  %5.0f%%" % (t_sum, 100.0 * summing / alone))
