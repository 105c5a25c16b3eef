"""CPython's lock, rebuilt from the same POSIX primitives, in Python.

CPython has one C lock type, ``PyThread_type_lock`` (Python/thread_pthread.h),
behind ``_thread.lock``/``threading.Lock`` (up to 3.13.0) and behind the GIL
itself in 2.x. It has two implementations, and this package has both, calling
the real libc functions through ctypes:

* :class:`MutexCondLock`: a ``locked`` flag guarded by a pthread mutex, with
  a condition variable to sleep on (``sys.thread_info.lock == 'mutex+cond'``);
* :class:`SemaphoreLock`: a POSIX unnamed semaphore, ``sem_t``
  (``sys.thread_info.lock == 'semaphore'``, Linux).

Both keep ``_thread.lock``'s contract: ``acquire(blocking=True, timeout=-1)``,
``release()`` from any thread, ``locked()``, ``with``, the same errors; a
Python signal handler that raises interrupts a blocked acquire.

:func:`synchronization` builds every primitive of ``threading`` (RLock,
Condition, Semaphore, BoundedSemaphore, Event, Barrier) and a ``queue.Queue``
on one lock type, as ``threading.py`` builds them on ``_thread.lock``. After
``os.fork()`` the child's locks and primitives are re-initialised, so that
none is held by a thread the child does not have (``_at_fork_reinit``).

Where a primitive is missing (macOS has no unnamed semaphores), constructing
that lock raises :class:`UnsupportedPrimitive`; importing this package never
fails for that reason. :func:`available_locks` lists what this platform can
build.

The package imports nothing else from gilexamples.
"""

from __future__ import annotations

import sys

from gilexamples.locks._base import ClosedLockError, PosixLock
from gilexamples.locks._posix import (KNOWN_SIZES, PlatformNotSupported, UnsupportedPrimitive,
                                      platform_key)
from gilexamples.locks.mutexcond import MutexCondLock
from gilexamples.locks.primitives import BrokenBarrierError, synchronization
from gilexamples.locks.semaphore import SemaphoreLock, timed_wait_function

__all__ = [
    "BrokenBarrierError",
    "ClosedLockError",
    "KNOWN_SIZES",
    "LOCK_TYPES",
    "MutexCondLock",
    "PlatformNotSupported",
    "PosixLock",
    "SemaphoreLock",
    "UnsupportedPrimitive",
    "available_locks",
    "cpython_lock_kind",
    "platform_key",
    "primitive_sizes",
    "synchronization",
    "timed_wait_function",
]

#: Every lock class in the package, by the name sys.thread_info.lock uses.
LOCK_TYPES: dict[str, type[PosixLock]] = {
    MutexCondLock.kind: MutexCondLock,
    SemaphoreLock.kind: SemaphoreLock,
}


def available_locks() -> dict[str, type[PosixLock] | str]:
    """{kind: class} for each lock this platform can build, {kind: reason} for the others."""
    found: dict[str, type[PosixLock] | str] = {}
    for kind, cls in LOCK_TYPES.items():
        try:
            cls().close()
        except UnsupportedPrimitive as error:
            found[kind] = str(error)
        else:
            found[kind] = cls
    return found


def cpython_lock_kind() -> str | None:
    """Which of the two this interpreter's own C lock is: sys.thread_info.lock.

    'semaphore' or 'mutex+cond' up to 3.14; None where CPython does not say
    (Windows up to 3.14; PyPy and others may report None). From 3.15
    ``PyThread_type_lock`` is itself built on PyMutex (gh-134745) and the
    value is 'pymutex', on Windows too (gh-152798).
    """
    return sys.thread_info.lock


def primitive_sizes() -> dict[str, int]:
    """sizeof() of pthread_mutex_t, pthread_cond_t, sem_t... as this package allocates them."""
    from gilexamples.locks._posix import sizes
    return sizes()

