# runs on: python2.7, python3 (standard library only)
"""Lost updates: the GIL keeps the interpreter consistent, not your counter.

Four threads each add 1 to a shared counter 200,000 times. The first way
reads, calls a function, then writes: the GIL can change hands between the
read and the write, and another thread's additions are overwritten. The
second way is `counter += 1`, which loses updates on some versions and not on
others. The third holds a lock and never loses one.
"""
from __future__ import print_function

import sys
import threading

N, THREADS = 200000, 4
if hasattr(sys, "setswitchinterval"):
    sys.setswitchinterval(0.0001)  # hand the GIL over often, to make races likely
else:
    sys.setcheckinterval(10)
state = {"counter": 0}
lock = threading.Lock()


def read_call_write():
    for _ in range(N):
        value = state["counter"]
        value = int(value) + 1
        state["counter"] = value


def plus_equals():
    for _ in range(N):
        state["counter"] += 1


def with_lock():
    for _ in range(N):
        with lock:
            state["counter"] += 1


for name, work in [("read, call, write", read_call_write), ("counter += 1", plus_equals),
                   ("with a lock", with_lock)]:
    state["counter"] = 0
    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lost = N * THREADS - state["counter"]
    print("%-18s %7d of %d updates lost" % (name + ":", lost, N * THREADS))
