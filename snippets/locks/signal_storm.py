"""A storm of signal handlers that raise, against each lock: is a lock ever lost?

For one second the main thread acquires and releases a lock that another
thread keeps taking too, while a third thread sends SIGUSR1 every 0.2 ms and
the handler raises. If an acquire() raises after it took the lock, nobody
releases it and the other thread waits in vain.

The interpreter may run a handler right after any call returns. For
_thread.lock that moment exists after the C acquire has succeeded, so a lost
lock is possible (and usual in this storm). The gilexamples locks are written
so that it cannot happen (see the Locks chapter).
"""

import _thread

from gilexamples.locks import MutexCondLock, SemaphoreLock
from gilexamples.locks.stress import signal_storm


def main():
    for name, factory in [("_thread.lock", _thread.allocate_lock),
                          ("MutexCondLock", MutexCondLock),
                          ("SemaphoreLock", SemaphoreLock)]:
        report = signal_storm(factory, seconds=1.0)
        lost = "yes" if report["problems"] or report["left_held"] else "no"
        print(f"{name:<14} interrupted {report['interrupts']:>5} times; lock lost: {lost}")


if __name__ == "__main__":
    main()
