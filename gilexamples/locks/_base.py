"""What both locks share: the _thread.lock surface around two methods.

A subclass provides ``_acquire(ns)`` (ns as returned by
:func:`~gilexamples.locks._contract.parse_acquire_args`), ``_release()``,
``_locked()`` and ``_free()``. This class adds argument checking, the context
manager, ``close()``, ``__del__`` and ``repr()``.
"""

from __future__ import annotations

from gilexamples.locks._contract import parse_acquire_args


class ClosedLockError(ValueError):
    """The lock's C memory was freed by close(); it cannot be used any more."""


class PosixLock:
    """Base class: a lock built on a C primitive in memory this object owns."""

    #: The name ``sys.thread_info.lock`` gives to CPython's lock of the same design.
    kind = ""
    #: True once close() has freed the C memory.
    closed = True

    # -- _thread.lock's interface -------------------------------------------
    def acquire(self, blocking=True, timeout=-1) -> bool:
        """Take the lock; wait at most ``timeout`` seconds (-1: no limit).

        ``blocking=False`` tries once. Returns True if the lock was taken.
        The same argument rules and errors as ``_thread.lock.acquire``.
        """
        ns = parse_acquire_args(blocking, timeout)
        if self.closed:
            raise ClosedLockError(f"{self._name()} is closed")
        return self._acquire(ns)

    def release(self) -> None:
        """Free the lock; any thread may do it. RuntimeError if it is not held."""
        if self.closed:
            raise ClosedLockError(f"{self._name()} is closed")
        self._release()

    def locked(self) -> bool:
        """True if some thread holds the lock (a snapshot: it may change at once)."""
        if self.closed:
            raise ClosedLockError(f"{self._name()} is closed")
        return self._locked()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()

    # -- the C memory --------------------------------------------------------
    def close(self) -> None:
        """Destroy the C primitives and free their memory (idempotent).

        Refuses (RuntimeError) while the lock is held: another thread may be
        waiting on it, and destroying a primitive someone waits on is
        undefined behaviour in C.
        """
        if self.closed:
            return
        if self._locked():
            raise RuntimeError(f"cannot close {self._name()} while it is held")
        self._free()
        self.closed = True

    def __del__(self):
        # Nobody else can be waiting on a lock nobody references: free it
        # even if it is held (CPython's lock_dealloc does the same).
        if not self.closed:
            try:
                self._free()
            except Exception:  # pragma: no cover - interpreter shutdown
                pass
            self.closed = True

    def __repr__(self) -> str:
        if self.closed:
            state = "closed"
        else:
            state = "locked" if self._locked() else "unlocked"
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
