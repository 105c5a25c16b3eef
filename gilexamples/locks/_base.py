"""What both locks share: the _thread.lock surface around two methods.

A subclass calls ``PosixLock.__init__`` first and provides ``_acquire(ns)``
(ns as returned by :func:`~gilexamples.locks._contract.parse_acquire_args`),
``_release()``, ``_locked()``, ``_free()``, and for ``fork()``
``_reinit()`` and ``_held_flag()``. This class adds argument
checking, the context manager, ``close()``, ``__del__`` and ``repr()``, and
two things every public method does around the C calls:

* it counts itself as a user of the C memory while it runs, so that
  :meth:`PosixLock.close` can refuse to free memory another thread is still
  inside;
* it saves ``ctypes.get_errno()`` and puts it back when it returns. ctypes
  keeps one errno per thread; a signal handler that uses any of these locks
  between a C call of the interrupted code and its ``get_errno()`` would
  otherwise leave its own errno there.
"""

from __future__ import annotations

import _thread
import ctypes

from gilexamples.locks import _fork
from gilexamples.locks._contract import parse_acquire_args

_get_ident = _thread.get_ident


class ClosedLockError(ValueError):
    """The lock's C memory was freed by close(); it cannot be used any more."""


class PosixLock:
    """Base class: a lock built on a C primitive in memory this object owns."""

    #: The name ``sys.thread_info.lock`` gives to CPython's lock of the same design.
    kind = ""
    #: True once close() has freed the C memory (or while close() is deciding).
    closed = True

    def __init__(self):
        # One entry per method call in progress, in any thread. list.append
        # and list.pop are single C calls: atomic with a GIL, and with the
        # per-object locks of a free-threaded build.
        self._users: list[None] = []
        # close() pops this to claim the right to free the memory: of two
        # threads closing at once, only one gets it.
        self._owner: list[bool] = [True]
        # The thread that took the lock last, None once released: only the
        # child of a fork() reads it (see _after_fork). Not an owner: any
        # thread may still release the lock.
        self._holder: int | None = None
        _fork.track_lock(self)

    # -- _thread.lock's interface -------------------------------------------
    def acquire(self, blocking=True, timeout=-1) -> bool:
        """Take the lock; wait at most ``timeout`` seconds (-1: no limit).

        ``blocking=False`` tries once and never waits. Returns True if the
        lock was taken. The same argument rules and errors as
        ``_thread.lock.acquire``.
        """
        ns = parse_acquire_args(blocking, timeout)
        me = _get_ident()
        users = self._users
        # Register first, then look at ``closed``; close() does the opposite
        # (see there). A handler that raises right after append() returns
        # leaves one entry behind: close() then refuses, which is safe.
        users.append(None)
        got = False
        try:
            try:
                if self.closed:
                    raise ClosedLockError(f"{self._name()} is closed")
                saved_errno = ctypes.get_errno()
                try:
                    got = self._acquire(ns)         # no call between the return and the store
                    if got:
                        self._holder = me
                finally:
                    ctypes.set_errno(saved_errno)
            finally:
                users.pop()
        except BaseException:
            # set_errno() and pop() are calls: a handler may raise after
            # either returns, with the lock already ours. Give it back, and
            # with it the record of who holds it (as release() does).
            if got:
                self._holder = None
                self._release()
            raise
        return got

    def release(self) -> None:
        """Free the lock; any thread may do it. RuntimeError if it is not held."""
        self._holder = None
        self._as_user(self._release)

    def locked(self) -> bool:
        """True if some thread holds the lock (a snapshot: it may change at once)."""
        return self._as_user(self._locked)

    def _as_user(self, method):
        """``method()`` counted as a user of the C memory, with ctypes' errno kept.

        What release() and locked() do around their C calls (see the module
        docstring). acquire() does the same inline, because it must also know
        whether it got the lock when a handler raises after the C call.
        """
        users = self._users
        users.append(None)
        try:
            if self.closed:
                raise ClosedLockError(f"{self._name()} is closed")
            saved_errno = ctypes.get_errno()
            try:
                return method()
            finally:
                ctypes.set_errno(saved_errno)
        finally:
            users.pop()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()

    # -- fork ------------------------------------------------------------------
    def _at_fork_reinit(self) -> None:
        """Start afresh, unlocked, on new C memory: for a child process after ``fork()``.

        The same name and meaning as ``_thread.lock._at_fork_reinit``
        (CPython 3.9+): the old C primitives may be in the middle of an
        operation by a thread the child does not have, so they are neither
        destroyed nor freed (the memory is leaked on purpose, as
        ``_PyThread_at_fork_reinit`` in Python/thread.c does) and never
        reused. Only for a lock no other thread can be using: in the parent
        it would break the lock for every thread waiting on it.
        """
        if self.closed:
            raise ClosedLockError(f"{self._name()} is closed")
        self._users = []                    # entries of threads the child does not have
        self._holder = None
        self._reinit()

    def _after_fork(self, ident: int) -> None:
        """Called in a forked child by :mod:`gilexamples.locks._fork` (``ident``: the forking thread).

        New C memory in every case; held afterwards only if ``ident`` took
        it. Reads the lock's state without a C call: its mutex may be held by
        a thread that no longer exists.
        """
        if self.closed:
            return
        mine = self._holder == ident and self._held_flag()
        self._at_fork_reinit()
        if mine:
            if not self._acquire(0):        # pragma: no cover - a fresh lock is free
                raise RuntimeError(f"{self._name()}: a fresh lock could not be taken")
            self._holder = ident

    # -- the C memory --------------------------------------------------------
    def close(self) -> None:
        """Destroy the C primitives and free their memory (idempotent).

        Refuses (RuntimeError) while the lock is held or while another thread
        is inside one of its methods: a thread woken by ``release()`` is still
        in the C library for a moment after the lock looks free, and
        destroying a primitive that someone waits on, or freeing its memory,
        is undefined behaviour in C. Meant for a lock no other thread will
        touch again; a thread that calls a method while ``close()`` is
        deciding may get :class:`ClosedLockError` even if ``close()`` then
        refuses. Of two threads closing at once, one frees the memory and the
        other returns at once.
        """
        if self.closed:
            return
        # Say "closed" before looking for users; a method registers before it
        # looks at "closed". So either close() sees the user, or the user sees
        # "closed" and backs off: never both miss each other.
        self.closed = True
        if self._users:
            self.closed = False
            raise RuntimeError(f"cannot close {self._name()} while it is held or in use")
        try:
            self._owner.pop()                   # claim the memory before touching it:
        except IndexError:                      # of two close() calls, one gets it,
            return                              # and the other one leaves it alone
        saved_errno = ctypes.get_errno()
        try:
            if self._locked():
                self._owner.append(True)
                self.closed = False
                raise RuntimeError(f"cannot close {self._name()} while it is held or in use")
            self._free()
        finally:
            ctypes.set_errno(saved_errno)

    def __del__(self):
        # Nobody else can be waiting on a lock nobody references: free it
        # even if it is held (CPython's lock_dealloc does the same). Garbage
        # collection may run this between any two lines of other code, so
        # leave ctypes' errno as it was.
        owner = getattr(self, "_owner", None)
        if owner and not self.closed:
            self.closed = True
            saved_errno = ctypes.get_errno()
            try:
                owner.pop()
                self._free()
            except Exception:  # pragma: no cover - interpreter shutdown
                pass
            finally:
                ctypes.set_errno(saved_errno)

    def __repr__(self) -> str:
        if self.closed:
            state = "closed"
        else:
            state = "locked" if self.locked() else "unlocked"
        return f"<{state} {self._name()} object at {id(self):#x}>"

    def _name(self) -> str:
        return f"gilexamples.locks.{type(self).__qualname__}"

    # -- for subclasses ------------------------------------------------------
    def _acquire(self, ns: int) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def _release(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _locked(self) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def _free(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _reinit(self) -> None:  # pragma: no cover - abstract
        """New C primitives in new memory, unlocked; the old memory is left alone."""
        raise NotImplementedError

    def _held_flag(self) -> bool:  # pragma: no cover - abstract
        """Whether the lock is held, read from memory without any C call."""
        raise NotImplementedError
