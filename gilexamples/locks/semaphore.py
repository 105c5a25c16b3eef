"""SemaphoreLock: a lock that is a POSIX unnamed semaphore (``sem_t``) with value 1.

CPython's choice wherever the platform has usable semaphores
(``sys.thread_info.lock == 'semaphore'``, Linux among them):

* acquire: ``sem_trywait`` for a single try, ``sem_clockwait`` (or
  ``sem_timedwait`` where there is no ``sem_clockwait``) with a deadline,
  ``sem_wait`` with no limit; EINTR (a signal arrived) means try again, with
  what is left of the timeout;
* release: ``sem_post``. A semaphore has no owner, so any thread may post.

Signals: ``sem_wait`` does fail with EINTR when a signal handler runs in the
waiting thread (Python installs its handlers without SA_RESTART). The call
then returns to the bytecode loop, which runs the Python handler; if it
raises, the exception leaves ``acquire`` and the semaphore was not taken.

macOS has ``sem_init`` only as a stub that fails with ENOSYS (and no
``sem_timedwait``): constructing a SemaphoreLock there raises
:class:`~gilexamples.locks.UnsupportedPrimitive`.
"""

from __future__ import annotations

import ctypes
import errno
import os
import threading
import time

from gilexamples.locks import _posix
from gilexamples.locks._base import PosixLock
from gilexamples.locks._contract import timeout_us
from gilexamples.locks._posix import UnsupportedPrimitive, libc, timespec_at

__all__ = ["SemaphoreLock", "timed_wait_function"]


def timed_wait_function() -> str | None:
    """The timed wait this platform offers: 'sem_clockwait', 'sem_timedwait' or None."""
    lib = libc()
    for name in ("sem_clockwait", "sem_timedwait"):
        if lib.has(name):
            return name
    return None


class _Calls(threading.local):
    """Per-thread sem_* function objects recording their status in a list (see mutexcond).

    One list per thread, shared by every SemaphoreLock and every nesting level
    (a signal handler may use a lock while the code it interrupted is inside
    another): each call works on its own slot, ``rc[n]`` with ``n = len(rc)``
    at its start, and removes only what it appended.
    """

    def __init__(self):
        lib = libc()
        self.rc: list[int] = []
        self.trywait = lib.function("sem_trywait", blocking=False, restype=self.rc.append)
        self.wait = lib.function("sem_wait", blocking=True, restype=self.rc.append)
        self.timedwait = lib.function(_TIMED, blocking=True, restype=self.rc.append)


_TIMED: str | None = None
_calls: _Calls | None = None
_fns: dict = {}


def _setup():
    global _TIMED, _calls
    if _calls is not None:
        return
    lib = libc()
    missing = [n for n in ("sem_init", "sem_wait", "sem_trywait", "sem_post",
                           "sem_getvalue", "sem_destroy") if not lib.has(n)]
    timed = timed_wait_function()
    if missing or timed is None:
        names = missing + ([] if timed else ["sem_timedwait or sem_clockwait"])
        raise UnsupportedPrimitive(
            errno.ENOSYS, "SemaphoreLock needs unnamed POSIX semaphores; this platform's "
            "C library lacks " + ", ".join(names))
    _posix.sizes()
    _TIMED = timed
    _fns.update(
        post=lib.function("sem_post", blocking=False),
        getvalue=lib.function("sem_getvalue", blocking=False),
    )
    _calls = _Calls()


class SemaphoreLock(PosixLock):
    """A lock with ``_thread.lock``'s interface on a POSIX unnamed semaphore."""

    kind = "semaphore"

    #: C calls made by one uncontended ``acquire()`` + ``release()``: sem_trywait, sem_post.
    uncontended_c_calls = 2

    def __init__(self):
        super().__init__()
        _setup()
        self._sem = self._new_semaphore()
        #: The clock of the timed wait's deadline.
        self.clock = time.CLOCK_MONOTONIC if _TIMED == "sem_clockwait" else time.CLOCK_REALTIME
        #: Which C function does the timed wait.
        self.timed_wait = _TIMED
        # A sanity flag beside the semaphore, as CPython's lockobject keeps
        # one: release() of an unlocked lock must raise, and sem_post alone
        # would happily count up to 2.
        self._held = False
        self.closed = False

    @staticmethod
    def _new_semaphore() -> int:
        """A new unnamed semaphore with value 1 (unlocked), in new memory."""
        sem = _posix.alloc(_posix.sizes()["sem_t"])
        if libc().function("sem_init", blocking=False)(sem, 0, 1) != 0:
            err = ctypes.get_errno()
            _posix.free(sem)
            if err in (errno.ENOSYS, getattr(errno, "ENOTSUP", -1)):
                raise UnsupportedPrimitive(
                    err, "unnamed POSIX semaphores are not supported on this platform "
                    f"(sem_init: {os.strerror(err)}); use MutexCondLock")
            raise OSError(err, f"sem_init: {os.strerror(err)}")
        return sem

    def _reinit(self) -> None:
        # The old sem_t is dropped, not destroyed or freed: a thread of the
        # parent may have been waiting on it.
        self._sem = self._new_semaphore()
        self._held = False

    def _held_flag(self) -> bool:
        return self._held

    # --8<-- [start:acquire]
    def _acquire(self, ns: int) -> bool:
        sem = self._sem
        calls = _calls
        rc = calls.rc
        # Our slot in this thread's status list: each C call below appends
        # its return value at rc[n]. A signal handler that uses a lock of this
        # class between our call and our reading appends after it, and
        # removes what it appended before it returns.
        n = len(rc)
        try:
            calls.trywait(sem)                      # PyDLL: never waits, keeps the GIL
            if rc[n] == 0:
                self._held = True
                return True
            err = ctypes.get_errno()
            if err != errno.EAGAIN:
                raise OSError(err, f"sem_trywait: {os.strerror(err)}")
            if ns == 0:
                return False
            deadline = 0
            if ns > 0:
                deadline = time.monotonic_ns() + timeout_us(ns) * 1000
            while True:
                del rc[n:]
                if ns < 0:
                    calls.wait(sem)                 # CDLL: the GIL is released while we wait
                elif _TIMED == "sem_clockwait":
                    calls.timedwait(sem, time.CLOCK_MONOTONIC,
                                    ctypes.byref(timespec_at(deadline)))
                else:
                    # sem_timedwait takes a CLOCK_REALTIME deadline: recompute
                    # it from what is left, after every EINTR (as CPython does).
                    left = deadline - time.monotonic_ns()
                    if left <= 0:
                        return False
                    calls.timedwait(sem, ctypes.byref(timespec_at(time.time_ns() + left)))
                if rc[n] == 0:
                    self._held = True
                    return True
                err = ctypes.get_errno()
                if err == errno.ETIMEDOUT:
                    return False
                if err != errno.EINTR:
                    raise OSError(err, f"{_TIMED if ns > 0 else 'sem_wait'}: {os.strerror(err)}")
                # EINTR: a signal handler ran in this thread. Loop: in the main
                # thread the interpreter runs the Python handler at this jump
                # back, and if it raises, the exception ends the acquire.
        except BaseException:
            mine = rc[n:]                           # a slice: no call, so no handler here
            if mine and mine[0] == 0:               # we got the semaphore, then a
                _fns["post"](sem)                   # handler raised: hand it back
            raise
        finally:
            del rc[n:]

    # --8<-- [end:acquire]

    # --8<-- [start:release]
    def _release(self) -> None:
        if not self._held:
            raise RuntimeError("release unlocked lock")
        self._held = False
        if _fns["post"](self._sem) != 0:
            self._held = True
            err = ctypes.get_errno()
            raise OSError(err, f"sem_post: {os.strerror(err)}")

    # --8<-- [end:release]

    def _locked(self) -> bool:
        value = ctypes.c_int()
        if _fns["getvalue"](self._sem, ctypes.byref(value)) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"sem_getvalue: {os.strerror(err)}")
        return value.value <= 0

    def _free(self) -> None:
        libc().function("sem_destroy", blocking=False)(self._sem)
        _posix.free(self._sem)
        self._sem = None
