# runs on: python2.7, python3 (standard library only)
"""A Python Lock has no owner: any thread may release it. An RLock has one.

This is why CPython could not build its lock on a bare pthread mutex (which
only its owner may unlock): the lock is a flag, a mutex and a condition
variable, or a semaphore, and since 3.13 a PyMutex.
"""
from __future__ import print_function

import threading

lock, rlock = threading.Lock(), threading.RLock()
lock.acquire()
rlock.acquire()
outcome = {}


def other_thread():
    lock.release()
    outcome["Lock"] = "released by another thread"
    try:
        rlock.release()
        outcome["RLock"] = "released by another thread"
    except RuntimeError as error:
        outcome["RLock"] = "refused: %s" % error


t = threading.Thread(target=other_thread)
t.start()
t.join()
print("Lock:  %s; locked now: %s" % (outcome["Lock"], lock.locked()))
print("RLock: %s" % outcome["RLock"])
rlock.release()
