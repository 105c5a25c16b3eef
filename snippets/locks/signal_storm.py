"""A storm of signal handlers that raise, against each lock: is a lock ever lost?

For SECONDS the main thread acquires and releases a lock that another thread
keeps taking too, while a third thread sends it SIGUSR1 every PERIOD_S and the
handler raises. If an acquire() raises after it took the lock, or its True is
thrown away on the way back, nobody releases the lock and the other thread
waits in vain.

The interpreter may run a handler right after any call returns. For
_thread.lock that moment exists after the C acquire has succeeded, so a lost
lock is possible (and usual in this storm). The gilexamples locks close that
common gap, a handler raising right after a successful C call, from Python
3.11 on; on 3.10 they have it too, and this script says so (see the Locks
chapter).
"""

import _thread
import sys

from gilexamples.locks import MutexCondLock, SemaphoreLock
from gilexamples.locks.stress import signal_storm

SECONDS = 1.0
PERIOD_S = 0.0002


def main():
    print(f"SIGUSR1 every {PERIOD_S * 1000:g} ms for {SECONDS:g} s per lock; the handler raises")
    if sys.version_info < (3, 11):
        print("Python 3.10: every call, to a Python function too, is followed by a check for "
              "pending signals, so the gilexamples locks can lose the lock here as well")
    for name, factory in [("_thread.lock", _thread.allocate_lock),
                          ("MutexCondLock", MutexCondLock),
                          ("SemaphoreLock", SemaphoreLock)]:
        report = signal_storm(factory, seconds=SECONDS, period_s=PERIOD_S)
        lost = "yes" if report["problems"] or report["left_held"] else "no"
        print(f"{name:<14} interrupted {report['interrupts']:>5} times; lock lost: {lost}")


if __name__ == "__main__":
    main()
