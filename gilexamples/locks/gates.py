"""Semaphore, BoundedSemaphore, Event and Barrier: each a Condition over a plain lock.

Part of :func:`gilexamples.locks.synchronization`, which binds each class
to one lock type through its ``_kit`` namespace (``_kit.Lock`` and
``_kit.Condition``); not meant to be instantiated from here.
"""

from __future__ import annotations

import threading
import types

from gilexamples.locks import _fork

__all__ = ["SemaphoreBase", "BoundedSemaphoreBase", "EventBase", "BarrierBase",
           "BrokenBarrierError"]

#: The standard library's exception, so that code written for threading catches it.
BrokenBarrierError = threading.BrokenBarrierError


class SemaphoreBase:
    """A counter: ``acquire()`` takes one (waiting while it is 0), ``release(n=1)`` adds n.

    ``Semaphore(value=1)``; a negative value is a ValueError.
    ``acquire(blocking=True, timeout=None)`` returns True when it took one,
    False if ``blocking`` is false or ``timeout`` expired first;
    ``blocking=False`` with a timeout is a ValueError; ``release(n)`` with
    n < 1 is a ValueError. ``with`` acquires and releases one.
    """

    # Algorithm: the count guarded by a Condition over a plain lock;
    # acquire waits for "count > 0", release adds n and wakes n waiters.

    _kit: types.SimpleNamespace

    def __init__(self, value: int = 1):
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        self._cond = self._kit.Condition(self._kit.Lock())
        self._value = value

    def acquire(self, blocking=True, timeout=None) -> bool:
        if not blocking and timeout is not None:
            raise ValueError("can't specify timeout for non-blocking acquire")
        with self._cond:
            if blocking:
                got = self._cond.wait_for(lambda: self._value > 0, timeout)
            else:
                got = self._value > 0
            if got:
                self._value -= 1
            return bool(got)

    __enter__ = acquire

    def release(self, n: int = 1) -> None:
        if n < 1:
            raise ValueError("n must be one or more")
        with self._cond:
            self._value += n
            self._cond.notify(n)

    def __exit__(self, *exc_info) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"<{type(self).__qualname__} value={self._value}>"


class BoundedSemaphoreBase(SemaphoreBase):
    """A Semaphore whose ``release`` raises ValueError if it would exceed the initial value."""

    def __init__(self, value: int = 1):
        super().__init__(value)
        self._initial = value

    def release(self, n: int = 1) -> None:
        if n < 1:
            raise ValueError("n must be one or more")
        with self._cond:
            if self._value + n > self._initial:
                raise ValueError("Semaphore released too many times")
            self._value += n
            self._cond.notify(n)


class EventBase:
    """A flag threads wait for: ``set()``, ``clear()``, ``is_set()``, ``wait(timeout=None)``.

    ``wait`` returns True as soon as the flag is set (at once if it already
    is), False if ``timeout`` expired first. A thread waiting when ``set()``
    is called returns True even if ``clear()`` follows at once.
    """

    # Algorithm: the flag guarded by a Condition over a plain lock; set()
    # wakes every waiter with notify_all; wait() waits once (a notify only
    # ever comes from set(), so being notified means the flag was set).

    _kit: types.SimpleNamespace

    def __init__(self):
        self._cond = self._kit.Condition(self._kit.Lock())
        self._flag = False

    def is_set(self) -> bool:
        return self._flag

    def set(self) -> None:
        with self._cond:
            self._flag = True
            self._cond.notify_all()

    def clear(self) -> None:
        with self._cond:
            self._flag = False

    def wait(self, timeout=None) -> bool:
        with self._cond:
            return self._flag or self._cond.wait(timeout)

    def _at_fork_reinit(self) -> None:
        self._cond._at_fork_reinit()

    def __repr__(self) -> str:
        return f"<{type(self).__qualname__}: {'set' if self._flag else 'unset'}>"


class _Round:
    """One trip of a Barrier: outcome None while filling, then PASSED or BROKEN."""

    __slots__ = ("outcome",)

    def __init__(self):
        self.outcome = None


_PASSED, _BROKEN = "passed", "broken"


class BarrierBase:
    """``parties`` threads wait for each other; then all go on together.

    ``Barrier(parties, action=None, timeout=None)``. ``wait(timeout=None)``
    returns a different index in ``range(parties)`` in each thread of a
    trip; the last to arrive runs ``action()`` first. The barrier breaks
    (every waiting and later ``wait`` raises BrokenBarrierError) when a
    ``wait`` times out, when ``action`` raises (that thread gets the
    action's exception), or on ``abort()``; ``reset()`` mends it (threads
    waiting at that moment get BrokenBarrierError). Properties ``parties``,
    ``n_waiting``, ``broken``.
    """

    # Algorithm: a Condition over a plain lock guards the count of threads
    # in the current round. Each thread remembers its round object; the
    # last one to arrive runs the action, marks the round PASSED, starts a
    # new round and wakes everyone. Breaking marks the round BROKEN instead.
    # Waiters wait for their own round's outcome, so a new round filling up
    # can never be mistaken for the old one.

    _kit: types.SimpleNamespace

    def __init__(self, parties: int, action=None, timeout=None):
        if parties < 1:
            raise ValueError("parties must be at least 1")
        self._cond = self._kit.Condition(self._kit.Lock())
        self._parties, self._action, self._timeout = parties, action, timeout
        self._round, self._count, self._broken = _Round(), 0, False
        _fork.track(self)

    def wait(self, timeout=None) -> int:
        if timeout is None:
            timeout = self._timeout
        with self._cond:
            if self._broken:
                raise BrokenBarrierError
            this, index = self._round, self._count
            self._count += 1
            if self._count == self._parties:
                try:
                    if self._action is not None:
                        self._action()
                except BaseException:
                    self._break()
                    raise
                this.outcome = _PASSED
                self._round, self._count = _Round(), 0
                self._cond.notify_all()
                return index
            try:
                done = self._cond.wait_for(lambda: this.outcome is not None, timeout)
            except BaseException:               # interrupted: the others must not wait for us
                self._break()
                raise
            if not done:                        # timed out: break it for everyone
                self._break()
            if this.outcome is not _PASSED:
                raise BrokenBarrierError
            return index

    def _break(self) -> None:
        self._broken = True
        self._end_round()

    def _end_round(self) -> None:
        self._round.outcome = _BROKEN
        self._round, self._count = _Round(), 0
        self._cond.notify_all()

    def reset(self) -> None:
        with self._cond:
            if self._count:
                self._end_round()
            self._broken = False

    def abort(self) -> None:
        with self._cond:
            self._break()

    @property
    def parties(self) -> int:
        return self._parties

    @property
    def n_waiting(self) -> int:
        return self._count

    @property
    def broken(self) -> bool:
        return self._broken

    def _after_fork(self, ident: int) -> None:
        if self._count:                         # its waiters were other threads
            self._round.outcome = _BROKEN
            self._round, self._count = _Round(), 0

    def __repr__(self) -> str:
        return (f"<{type(self).__qualname__} waiters={self._count}/{self._parties}"
                f"{' broken' if self._broken else ''}>")
