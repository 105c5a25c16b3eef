"""MutexCondLock: a binary semaphore from a pthread mutex, a condition variable and a flag.

The algorithm of CPython's ``pthread_lock`` (Python/thread_pthread.h, used
where there are no usable POSIX semaphores, ``sys.thread_info.lock ==
'mutex+cond'``): the mutex only guards the ``locked`` flag for a few
instructions; threads that find the flag set sleep on the condition variable.

* acquire: lock the mutex; while ``locked`` is set, wait on the condition
  (waking up for no reason is allowed, hence the loop); set ``locked``;
  unlock the mutex.
* release: lock the mutex; clear ``locked``; signal ONE waiter (not
  broadcast: only one of them can win); unlock the mutex.
* a single try (``acquire(False)``, ``timeout=0``) only tries the mutex and
  fails if it is busy, never waits (as CPython does since bpo-30765).

Because the flag, not the mutex, is the lock, any thread may release it.

Signals: ``pthread_cond_wait`` is not interrupted by a signal (POSIX forbids
it to fail with EINTR; glibc goes back to sleep after the handler). The C
handler CPython installs only notes the signal; the Python handler runs later
in the main thread's bytecode loop. So in the main thread this lock waits in
slices of :attr:`MutexCondLock.interrupt_check_s` with
``pthread_cond_timedwait``: between slices the interpreter runs pending
handlers, and one that raises (KeyboardInterrupt...) ends the acquire.
Unlike CPython's C code, this lock holds its mutex while such a handler runs
(and while a woken thread gets the GIL back): until the handler returns,
other threads block in every method of this lock.
"""

from __future__ import annotations

import ctypes
import errno
import threading
import time

from gilexamples.locks import _posix
from gilexamples.locks._base import PosixLock
from gilexamples.locks._contract import timeout_us
from gilexamples.locks._posix import UnsupportedPrimitive, check, libc, timespec_at

__all__ = ["MutexCondLock"]

_NEEDED = ("pthread_mutex_init", "pthread_mutex_lock", "pthread_mutex_trylock",
           "pthread_mutex_unlock", "pthread_mutex_destroy", "pthread_cond_init",
           "pthread_cond_wait", "pthread_cond_timedwait", "pthread_cond_signal",
           "pthread_cond_destroy")


class _Calls(threading.local):
    """Per-thread function objects whose return value is recorded in C.

    ``restype`` is the ``append`` of a list, a C method: ctypes stores the
    status there before control is back in the bytecode loop, where a Python
    signal handler may raise. Whatever happens next, the recorded status tells
    whether this thread now holds the mutex. The list is shared by every
    MutexCondLock and every nesting level in the thread (a handler may use a
    lock while the code it interrupted is inside another), so each method
    works on its own slot, ``mut_rc[n]`` with ``n = len(mut_rc)`` at its
    start, and removes only what it appended. (ctypes documents a callable
    ``restype`` as deprecated in favour of ``errcheck``; an ``errcheck``
    written in Python would let a handler run before it records anything.)
    """

    def __init__(self):
        lib = libc()
        self.mut_rc: list[int] = []
        self.trylock = lib.function("pthread_mutex_trylock", blocking=False,
                                    restype=self.mut_rc.append)
        self.lock = lib.function("pthread_mutex_lock", blocking=True,
                                 restype=self.mut_rc.append)


_calls: _Calls | None = None
_fns: dict = {}
_LAYOUT: type | None = None


def _setup():
    """Check the primitives exist, build the C struct layout, make the shared functions."""
    global _calls, _LAYOUT
    if _LAYOUT is not None:
        return
    lib = libc()
    missing = [name for name in _NEEDED if not lib.has(name)]
    if missing:
        raise UnsupportedPrimitive(errno.ENOSYS, "MutexCondLock needs " + ", ".join(missing)
                                   + ", missing from this platform's C library")
    size = _posix.sizes()

    class PthreadLock(ctypes.Structure):
        """CPython's pthread_lock: char locked; pthread_cond_t lock_released; pthread_mutex_t mut."""

        _fields_ = [
            ("locked", ctypes.c_ubyte),
            ("lock_released", ctypes.c_uint64 * (size["pthread_cond_t"] // 8)),
            ("mut", ctypes.c_uint64 * (size["pthread_mutex_t"] // 8)),
        ]

    _fns.update(
        unlock=lib.function("pthread_mutex_unlock", blocking=False),
        cond_wait=lib.function("pthread_cond_wait", blocking=True),
        cond_timedwait=lib.function("pthread_cond_timedwait", blocking=True),
        cond_signal=lib.function("pthread_cond_signal", blocking=False),
    )
    _calls = _Calls()
    _LAYOUT = PthreadLock


class MutexCondLock(PosixLock):
    """A lock with ``_thread.lock``'s interface on a pthread mutex + condition variable.

    The C memory is one ``posix_memalign`` block laid out like CPython's
    ``pthread_lock``; :meth:`close` (or garbage collection) destroys the
    primitives and frees it.
    """

    kind = "mutex+cond"
    #: Longest a main-thread wait goes without letting signal handlers run.
    interrupt_check_s = 0.05

    #: C calls made by one uncontended ``acquire()`` + ``release()``:
    #: pthread_mutex_trylock + pthread_mutex_unlock to take the flag,
    #: pthread_mutex_trylock + pthread_cond_signal + pthread_mutex_unlock to clear it.
    uncontended_c_calls = 5

    def __init__(self):
        super().__init__()
        _setup()
        self._new_memory()
        self.closed = False

    def _new_memory(self) -> None:
        """Allocate and initialise the mutex and condition variable, unlocked."""
        lib = libc()
        layout = _LAYOUT
        address = _posix.alloc(ctypes.sizeof(layout))
        mut = address + layout.mut.offset
        cond = address + layout.lock_released.offset
        mutex_ready = False
        try:
            check(lib.function("pthread_mutex_init", blocking=False)(mut, None),
                  "pthread_mutex_init")
            mutex_ready = True
            clock = self._init_cond(lib, cond)
        except BaseException:
            if mutex_ready:
                lib.function("pthread_mutex_destroy", blocking=False)(mut)
            _posix.free(address)
            raise
        self._address, self._s = address, layout.from_address(address)
        self._mut, self._cond, self.clock = mut, cond, clock

    def _reinit(self) -> None:
        # The old block is dropped, not destroyed or freed: another thread
        # of the parent may have held its mutex or waited on its condition.
        self._new_memory()

    def _held_flag(self) -> bool:
        return bool(self._s.locked)

    @staticmethod
    def _init_cond(lib, cond: int) -> int:
        """pthread_cond_init with CLOCK_MONOTONIC if the platform allows (as CPython does)."""
        clock = time.CLOCK_REALTIME
        if not lib.has("pthread_condattr_setclock"):
            check(lib.function("pthread_cond_init", blocking=False)(cond, None),
                  "pthread_cond_init")
            return clock
        attr = _posix.alloc(_posix.sizes()["pthread_condattr_t"])
        try:
            check(lib.function("pthread_condattr_init", blocking=False)(attr),
                  "pthread_condattr_init")
            try:
                if lib.function("pthread_condattr_setclock", blocking=False)(
                        attr, time.CLOCK_MONOTONIC) == 0:
                    clock = time.CLOCK_MONOTONIC
                check(lib.function("pthread_cond_init", blocking=False)(cond, attr),
                      "pthread_cond_init")
            finally:
                lib.function("pthread_condattr_destroy", blocking=False)(attr)
        finally:
            _posix.free(attr)
        return clock

    # The methods below call C between nearly every line. Three rules keep
    # them correct when a signal handler runs at any of those calls (the
    # interpreter may run handlers right after any call returns), even a
    # handler that raises or that uses another MutexCondLock:
    # * the mutex is locked only inside a try whose finally unlocks it if our
    #   slot of mut_rc, rc[n], says we hold it; rc[n:] is read with a slice,
    #   not len(), because a call would be a point where a handler can run;
    # * the flag is set in the same breath as ``acquired = True`` (no call in
    #   between, so no handler in between);
    # * a waiter that leaves because a handler raised passes on a wake-up it
    #   may have received (see _acquire).

    # --8<-- [start:acquire]
    def _acquire(self, ns: int) -> bool:
        s, mut, cond = self._s, self._mut, self._cond
        calls = _calls
        rc = calls.mut_rc
        n = len(rc)                                 # our slot: rc[n]
        acquired = False
        try:
            try:
                calls.trylock(mut)                  # PyDLL: never waits, keeps the GIL
                if rc[n] == errno.EBUSY:
                    if ns == 0:
                        return False                # a try never waits (CPython: bpo-30765)
                    del rc[n:]
                    calls.lock(mut)                 # CDLL: waits with the GIL released
                if rc[n] != 0:
                    raise OSError(rc[n], "pthread_mutex_lock failed")
                if not s.locked:                    # the fast path: the lock is free
                    s.locked = 1
                    acquired = True
                elif ns != 0:
                    clock = self.clock
                    in_main = threading.get_ident() == threading.main_thread().ident
                    deadline = clock_ns = 0
                    if ns > 0:
                        deadline = time.clock_gettime_ns(clock) + timeout_us(ns) * 1000
                    while True:
                        if ns < 0 and not in_main:
                            status = _fns["cond_wait"](cond, mut)
                        else:
                            clock_ns = time.clock_gettime_ns(clock)
                            until = deadline if ns > 0 else clock_ns + 10**18
                            if in_main:
                                until = min(until, clock_ns + int(self.interrupt_check_s * 1e9))
                            status = _fns["cond_timedwait"](cond, mut,
                                                            ctypes.byref(timespec_at(until)))
                        # mut is ours again here, whatever the status.
                        if status not in (0, errno.ETIMEDOUT):
                            raise OSError(status, "pthread_cond_(timed)wait failed")
                        if not s.locked:
                            s.locked = 1
                            acquired = True
                            break
                        if ns > 0 and status == errno.ETIMEDOUT and \
                                time.clock_gettime_ns(clock) >= deadline:
                            break
                        # Spurious wake-up, a slice ended, or another thread
                        # won the race for the flag: wait again. In the main
                        # thread, Python signal handlers run here.
            except BaseException:
                mine = rc[n:]
                if mine and mine[0] == 0 and not acquired and not s.locked:
                    # We hold the mutex and leave without the free lock: the
                    # release() that freed it may have signalled us, and that
                    # wake-up would be lost. Pass it on to the next waiter.
                    _fns["cond_signal"](cond)
                raise
            finally:
                mine = rc[n:]
                del rc[n:]
                if mine and mine[0] == 0:
                    _fns["unlock"](mut)
        except BaseException:
            if acquired:                            # a handler raised after we won:
                self._flag(clear=True)              # give the lock back, then propagate
            raise
        return acquired
    # --8<-- [end:acquire]

    # --8<-- [start:release]
    def _release(self) -> None:
        self._flag(clear=True, strict=True)

    def _flag(self, *, clear: bool, strict: bool = False) -> bool:
        """Under the mutex: read the flag; with ``clear``, clear it and wake one waiter.

        Returns whether the flag was set. ``strict``: clearing a flag that is
        not set is a RuntimeError (release() of an unlocked lock). release(),
        locked() and acquire()'s give-back all take the mutex here, by the
        rules above: a try first, a wait only if the mutex is busy.
        """
        s, mut = self._s, self._mut
        calls = _calls
        rc = calls.mut_rc
        n = len(rc)                                 # our slot: rc[n]
        try:
            calls.trylock(mut)                      # PyDLL: never waits, keeps the GIL
            if rc[n] == errno.EBUSY:
                del rc[n:]
                calls.lock(mut)                     # CDLL: waits with the GIL released
            if rc[n] != 0:
                raise OSError(rc[n], "pthread_mutex_lock failed")
            was_set = s.locked != 0
            if clear and was_set:
                s.locked = 0
                _fns["cond_signal"](self._cond)     # wake one waiter, not all of them
            elif clear and strict:
                raise RuntimeError("release unlocked lock")
            return was_set
        finally:
            mine = rc[n:]
            del rc[n:]
            if mine and mine[0] == 0:
                _fns["unlock"](mut)
    # --8<-- [end:release]

    def _locked(self) -> bool:
        return self._flag(clear=False)

    def _free(self) -> None:
        lib = libc()
        # "some pthread-like implementations tie the mutex to the cond and must
        # have the cond destroyed first" (CPython's PyThread_free_lock).
        lib.function("pthread_cond_destroy", blocking=False)(self._cond)
        lib.function("pthread_mutex_destroy", blocking=False)(self._mut)
        _posix.free(self._address)
        self._s = None
