"""How soon does a signal handler interrupt a blocked acquire?

A worker holds the lock for HOLD_S. The main thread blocks in acquire();
SIGNAL_AFTER_S later a SIGUSR1 arrives and its Python handler raises. When does
the exception come out of acquire()? (The first line printed gives the
figures.)

* _thread.lock and SemaphoreLock: sem_wait fails with EINTR, the handler runs
  at once;
* MutexCondLock: pthread_cond_wait sleeps through signals, so in the main
  thread it waits in slices of MutexCondLock.interrupt_check_s and the
  handler runs at the end of one;
* MutexCondLock with slices of UNSLICED_S: the handler only runs once the
  holder lets go.
"""

import _thread
import signal
import threading
import time

from gilexamples.locks import MutexCondLock, SemaphoreLock

HOLD_S = 1.0
SIGNAL_AFTER_S = 0.125
UNSLICED_S = 30.0


class Interrupted(Exception):
    pass


def unsliced():
    lock = MutexCondLock()
    lock.interrupt_check_s = UNSLICED_S
    return lock


def delay(factory):
    """Seconds from the signal to the exception leaving acquire()."""
    lock = factory()
    held, let_go = threading.Event(), threading.Event()

    def holder():
        lock.acquire()
        held.set()
        let_go.wait(HOLD_S)
        lock.release()

    worker = threading.Thread(target=holder)
    worker.start()
    held.wait(10)
    sent = []

    def send():
        sent.append(time.monotonic())
        signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)

    timer = threading.Timer(SIGNAL_AFTER_S, send)
    timer.start()
    try:
        lock.acquire()
        raise AssertionError("acquire() returned instead of raising")
    except Interrupted:
        delay_s = time.monotonic() - sent[0]
    finally:
        timer.join()
        let_go.set()
        worker.join()
    if hasattr(lock, "close"):
        lock.close()
    return delay_s


def main():
    def handler(signum, frame):
        raise Interrupted

    print(f"holder keeps the lock {HOLD_S:g} s; SIGUSR1 after {SIGNAL_AFTER_S:g} s; "
          f"MutexCondLock slices: {MutexCondLock.interrupt_check_s:g} s")
    old = signal.signal(signal.SIGUSR1, handler)
    try:
        for name, factory in [("_thread.lock", _thread.allocate_lock),
                              ("SemaphoreLock", SemaphoreLock),
                              ("MutexCondLock", MutexCondLock),
                              (f"MutexCondLock, {UNSLICED_S:g} s slices", unsliced)]:
            d = delay(factory)
            when = ("while still waiting" if d < HOLD_S - SIGNAL_AFTER_S - 0.2
                    else "only after the holder let go")
            print(f"{name:<28} exception {d:.3f} s after the signal: {when}")
    finally:
        signal.signal(signal.SIGUSR1, old)


if __name__ == "__main__":
    main()
