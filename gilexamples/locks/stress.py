"""A signal storm against a lock: do handlers that raise ever lose the lock?

The main thread acquires and releases a lock that another thread also keeps
taking, while a third thread sends it SIGUSR1 every few hundred microseconds
and the handler raises. An ``acquire`` that raises must not have taken the
lock; if it did, nobody will ever release it and the other thread times out.

The handler stays armed until the result of ``acquire()`` is stored, so
the storm also catches a lock lost *after* a successful acquire returns: with
a C method such as ``_thread.lock.acquire``, the interpreter may run the
handler at that return (bpo-45274, gh-74174). That is the gap every caller of
a C ``acquire`` has, not a bug inside the lock.
"""

from __future__ import annotations

import signal
import threading
import time
from typing import Callable

__all__ = ["StormInterrupt", "signal_storm"]


class StormInterrupt(Exception):
    """Raised by the storm's SIGUSR1 handler."""


def signal_storm(factory: Callable, seconds: float = 1.0, *, period_s: float = 0.0002,
                 wait_s: float = 2.0) -> dict:
    """Run the storm for ``seconds`` against ``factory()``; must be called in the main thread.

    Returns {"acquired", "interrupts", "problems", "left_held"}: ``problems``
    lists timeouts (a lost lock), ``left_held`` whether the lock is still
    held after everyone stopped.
    """
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("signal handlers run in the main thread: call signal_storm there")
    lock = factory()
    armed = [False]
    problems: list[str] = []
    stop = threading.Event()
    main = threading.main_thread().ident

    def handler(signum, frame):
        if armed[0]:
            raise StormInterrupt(signum)

    def other():
        while not stop.is_set():
            if lock.acquire(timeout=wait_s):
                time.sleep(0)
                lock.release()
            else:
                problems.append(f"the other thread waited {wait_s} s in vain: the lock was lost")
                return

    def killer():
        while not stop.is_set():
            signal.pthread_kill(main, signal.SIGUSR1)
            time.sleep(period_s)

    old = signal.signal(signal.SIGUSR1, handler)
    threads = [threading.Thread(target=other, name="storm-other"),
               threading.Thread(target=killer, name="storm-killer")]
    acquired = interrupts = 0
    try:
        for thread in threads:
            thread.start()
        end = time.monotonic() + seconds
        while time.monotonic() < end and not problems:
            try:
                armed[0] = True
                got = lock.acquire(timeout=wait_s)
                armed[0] = False
            except StormInterrupt:
                armed[0] = False
                interrupts += 1
                continue
            if not got:
                problems.append(f"the main thread waited {wait_s} s in vain: the lock was lost")
                break
            acquired += 1
            lock.release()
    finally:
        armed[0] = False
        stop.set()
        for thread in threads:
            thread.join()
        signal.signal(signal.SIGUSR1, old)
    left_held = lock.locked()
    close = getattr(lock, "close", None)
    if close is not None:
        if left_held:
            lock.release()
        close()
    return {"acquired": acquired, "interrupts": interrupts, "problems": problems,
            "left_held": left_held}
