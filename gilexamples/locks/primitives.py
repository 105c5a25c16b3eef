"""Every synchronisation primitive of ``threading``, built on one lock type.

``threading.py`` builds ``RLock`` (in its Python fallback), ``Condition``,
``Semaphore``, ``BoundedSemaphore``, ``Event`` and ``Barrier`` out of one
thing only: the C lock ``_thread.allocate_lock()``; ``queue.py`` builds
``Queue`` the same way. :func:`synchronization` does it again over any lock
type with ``_thread.lock``'s interface (``acquire(blocking=True,
timeout=-1)``, ``release()`` from any thread, ``locked()``), such as
:class:`~gilexamples.locks.MutexCondLock` or
:class:`~gilexamples.locks.SemaphoreLock`::

    from gilexamples.locks import SemaphoreLock, synchronization

    sync = synchronization(SemaphoreLock)
    done = sync.Event()
    items = sync.Queue(maxsize=2)

The primitives keep the contracts documented for ``threading`` and
``queue`` (docs.python.org), exceptions included: they raise
``threading.BrokenBarrierError``, ``queue.Full`` and ``queue.Empty``
themselves, so code written for the standard library catches them unchanged.

The one idea under all of them: a thread waits by blocking on a lock, and
another thread wakes it by releasing that lock. That needs a lock any thread
may release, which ``_thread.lock`` is and a plain mutex is not.

After ``os.fork()``, every primitive made here forgets the owners and waiters
that were other threads of the parent (see :mod:`gilexamples.locks._fork`).
"""

from __future__ import annotations

import _thread
import functools
import threading
import time
import types
from collections import deque

from gilexamples.locks import _fork

__all__ = ["synchronization", "BrokenBarrierError"]

BrokenBarrierError = threading.BrokenBarrierError
_get_ident = _thread.get_ident


class _RLock:
    """A reentrant lock: its owner may take it again; only the owner may release it.

    ``acquire(blocking=True, timeout=-1)`` returns True at once (and counts
    one level deeper) when the calling thread already owns it; ``release()``
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


class _Condition:
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
    # meantime and the wait counts as notified, so no notification is lost.

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
        notified = False
        try:
            if timeout is None:
                notified = waiter.acquire()
            elif timeout > 0:
                notified = waiter.acquire(True, timeout)
            else:
                notified = waiter.acquire(False)
        finally:
            self._acquire_restore(state)
            if not notified:
                try:
                    self._waiters.remove(waiter)
                except ValueError:              # a notify chose us after all
                    notified = True
        return notified

    def wait_for(self, predicate, timeout=None):
        result = predicate()
        deadline = None if timeout is None else time.monotonic() + timeout
        while not result:
            if deadline is None:
                self.wait()
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


class _Semaphore:
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


class _BoundedSemaphore(_Semaphore):
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


class _Event:
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


class _Barrier:
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


@functools.lru_cache(maxsize=None)
def synchronization(lock_type) -> types.SimpleNamespace:
    """``Lock``, ``RLock``, ``Condition``, ``Semaphore``, ``BoundedSemaphore``,
    ``Event``, ``Barrier`` and ``Queue`` built on ``lock_type`` and nothing else.

    ``lock_type()`` must make a lock with ``_thread.lock``'s interface,
    releasable by any thread: ``MutexCondLock``, ``SemaphoreLock``,
    ``_thread.allocate_lock``... The namespace also carries the exceptions
    (``BrokenBarrierError``, ``Full``, ``Empty``: the standard library's own)
    and ``lock_type``. One namespace per lock type (cached). Raises TypeError
    if ``lock_type`` is not callable, and whatever making one lock raises
    (``UnsupportedPrimitive`` where the platform lacks the C primitive).
    """
    import queue

    from gilexamples.locks.queues import SyncQueue

    if not callable(lock_type):
        raise TypeError(f"lock_type must be a callable that makes a lock, not {lock_type!r}")
    probe = lock_type()                         # fail now, not in the first wait()
    if not probe.acquire(False):
        raise ValueError(f"a new {lock_type!r} lock is not free")
    probe.release()
    close = getattr(probe, "close", None)
    if close is not None:
        close()
    name = getattr(lock_type, "__name__", "lock")
    kit = types.SimpleNamespace(Lock=lock_type, lock_type=lock_type,
                                BrokenBarrierError=BrokenBarrierError,
                                Full=queue.Full, Empty=queue.Empty)
    for public, base in (("RLock", _RLock), ("Condition", _Condition), ("Semaphore", _Semaphore),
                         ("BoundedSemaphore", _BoundedSemaphore), ("Event", _Event),
                         ("Barrier", _Barrier), ("Queue", SyncQueue)):
        cls = type(public, (base,), {"_kit": kit, "__module__": base.__module__,
                                     "__qualname__": f"{public}[{name}]",
                                     "__doc__": f"{base.__doc__}\n\nBuilt on {name}."})
        setattr(kit, public, cls)
    return kit
