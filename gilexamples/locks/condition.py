"""RLock and Condition: the two primitives built directly on a plain lock.

Part of :func:`gilexamples.locks.synchronization`, which binds each class
to one lock type through its ``_kit`` namespace (``_kit.Lock`` makes a lock
of that type); not meant to be instantiated from here. Every other primitive
(:mod:`gilexamples.locks.gates`, :mod:`gilexamples.locks.queues`) is built
on a Condition over a plain lock.

Both register with :mod:`gilexamples.locks._fork`: in a child process after
``os.fork()`` an RLock owned by another thread of the parent is free, and a
Condition has no waiters (they were all other threads).
"""

from __future__ import annotations

import _thread
import time
import types
from collections import deque

from gilexamples.locks import _fork
from gilexamples.locks._contract import parse_acquire_args

__all__ = ["RLockBase", "ConditionBase"]

_get_ident = _thread.get_ident


class RLockBase:
    """A reentrant lock: its owner may take it again; only the owner may release it.

    ``acquire(blocking=True, timeout=-1)`` checks its arguments as
    ``_thread.RLock`` does (the same errors, for the owner too), then returns
    True at once (and counts one level deeper) when the calling thread already
    owns it; ``release()``
    by a thread that does not own it raises RuntimeError. The lock is free
    again when the owner has released it as many times as it acquired it.
    """

    # Algorithm: one plain lock, ``_block``, held for as long as some thread
    # owns the RLock, plus two fields only the owner writes: ``_owner`` (a
    # thread ident) and ``_count``. A thread reading ``_owner == me`` can
    # trust it: no other thread can write its own ident there while this
    # one owns the lock, and no thread ever writes this one's ident but it.

    _kit: types.SimpleNamespace

    def __init__(self):
        self._block = self._kit.Lock()
        self._owner: int | None = None
        self._count = 0
        _fork.track(self)

    def acquire(self, blocking=True, timeout=-1) -> bool:
        # The arguments first, as _thread.RLock checks them: the owner's call
        # never reaches the plain lock, which would check them otherwise.
        parse_acquire_args(blocking, timeout)
        me = _get_ident()
        if self._owner == me:
            self._count += 1
            return True
        if not self._block.acquire(blocking, timeout):
            return False
        self._owner, self._count = me, 1
        return True

    __enter__ = acquire

    def release(self) -> None:
        if self._owner != _get_ident():
            raise RuntimeError("cannot release un-acquired lock")
        self._count -= 1
        if self._count == 0:
            self._owner = None
            self._block.release()

    def __exit__(self, *exc_info) -> None:
        self.release()

    def locked(self) -> bool:
        return self._block.locked()

    # What Condition.wait needs: leave every level at once, and come back.
    def _is_owned(self) -> bool:
        return self._owner == _get_ident()

    def _release_save(self) -> tuple[int, int | None]:
        if self._owner != _get_ident():
            raise RuntimeError("cannot release un-acquired lock")
        state = (self._count, self._owner)
        self._owner, self._count = None, 0
        self._block.release()
        return state

    def _acquire_restore(self, state: tuple[int, int | None]) -> None:
        self._block.acquire()
        self._count, self._owner = state

    def _at_fork_reinit(self) -> None:
        """Unlocked, with no owner (``threading.RLock._at_fork_reinit``'s meaning)."""
        _reinit(self._block)
        self._owner, self._count = None, 0

    def _after_fork(self, ident: int) -> None:
        if self._owner != ident:                # the owner was another thread: gone
            self._owner, self._count = None, 0
            if self._block.locked():            # a lock type the registry did not free
                _reinit(self._block)

    def __repr__(self) -> str:
        return (f"<{type(self).__qualname__} owner={self._owner!r} count={self._count} "
                f"over {type(self._block).__name__}>")


def _reinit(lock) -> None:
    """Give a lock fresh memory, unlocked, if its type can (``_at_fork_reinit``)."""
    reinit = getattr(lock, "_at_fork_reinit", None)
    if reinit is not None:
        reinit()


class ConditionBase:
    """A condition variable: ``wait()`` until another thread calls ``notify()``.

    ``Condition(lock=None)`` uses ``lock`` (by default a new RLock of the
    same kit). ``wait(timeout=None)`` and ``notify(n=1)``/``notify_all()``
    need the lock held, else RuntimeError. ``wait`` releases the lock while
    it waits and holds it again when it returns: True if notified, False if
    ``timeout`` seconds passed first. ``wait_for(predicate, timeout=None)``
    waits until ``predicate()`` is true and returns its last value.
    There are no spurious wake-ups: ``wait`` returns True only for a notify.
    """

    # Algorithm: every waiter makes itself a private lock, takes it, puts it
    # at the end of ``_waiters``, releases the condition's lock, and blocks
    # taking its private lock a second time. ``notify(n)`` takes the first n
    # private locks off the list and releases them (a release by a thread
    # that did not acquire: this is why the lock type must allow it). A
    # waiter whose timeout expires takes itself off the list, holding the
    # condition's lock; if it is no longer there, a notify chose it in the
    # meantime and the wait counts as notified, so no notification is lost;
    # a waiter leaving with an exception passes a notification it got on.

    _kit: types.SimpleNamespace

    def __init__(self, lock=None):
        self._lock = lock if lock is not None else self._kit.RLock()
        self.acquire = self._lock.acquire
        self.release = self._lock.release
        self._waiters: deque = deque()
        _fork.track(self)

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *exc_info):
        return self._lock.__exit__(*exc_info)

    def _is_owned(self) -> bool:
        owned = getattr(self._lock, "_is_owned", None)
        if owned is not None:
            return owned()
        if self._lock.acquire(False):           # a plain lock: held by someone if busy
            self._lock.release()
            return False
        return True

    def _release_save(self):
        save = getattr(self._lock, "_release_save", None)
        if save is not None:
            return save()
        self._lock.release()
        return None

    def _acquire_restore(self, state) -> None:
        restore = getattr(self._lock, "_acquire_restore", None)
        if restore is not None:
            restore(state)
        else:
            self._lock.acquire()

    def wait(self, timeout=None) -> bool:
        if not self._is_owned():
            raise RuntimeError("cannot wait on un-acquired lock")
        waiter = self._kit.Lock()
        waiter.acquire()
        self._waiters.append(waiter)
        state = self._release_save()
        notified = normal = False
        try:
            if timeout is None:
                notified = waiter.acquire()
            elif timeout > 0:
                notified = waiter.acquire(True, timeout)
            else:
                notified = waiter.acquire(False)
            normal = True
        finally:
            self._acquire_restore(state)
            if not notified:
                try:
                    self._waiters.remove(waiter)
                except ValueError:              # a notify chose us after all
                    notified = True
            if notified and not normal:         # leaving with an exception:
                self.notify()                   # pass the wake-up on
        return notified

    def wait_for(self, predicate, timeout=None):
        # threading.Condition.wait_for's steps: ``timeout`` is looked at only
        # once a wait is needed, and the first wait gets it as it was given,
        # so a wrong one fails (or not) exactly as it does there.
        result = predicate()
        deadline = None
        left = timeout
        while not result:
            if left is not None:
                if deadline is None:
                    deadline = time.monotonic() + left
                else:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
            self.wait(left)
            result = predicate()
        return result

    def notify(self, n: int = 1) -> None:
        if not self._is_owned():
            raise RuntimeError("cannot notify on un-acquired lock")
        waiters = self._waiters
        while n > 0 and waiters:
            waiters.popleft().release()
            n -= 1

    def notify_all(self) -> None:
        self.notify(len(self._waiters))

    def _at_fork_reinit(self) -> None:
        """Lock unlocked, no waiters (``threading.Condition._at_fork_reinit``'s meaning)."""
        _reinit(self._lock)
        self._waiters.clear()

    def _after_fork(self, ident: int) -> None:
        self._waiters.clear()                   # every waiter was another thread

    def __repr__(self) -> str:
        return f"<{type(self).__qualname__}({self._lock!r}), {len(self._waiters)} waiting>"
