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

import functools
import types

from gilexamples.locks.condition import ConditionBase, RLockBase
from gilexamples.locks.gates import (BarrierBase, BoundedSemaphoreBase, BrokenBarrierError,
                                     EventBase, SemaphoreBase)

__all__ = ["synchronization", "BrokenBarrierError"]


@functools.cache
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
    for public, base in (("RLock", RLockBase), ("Condition", ConditionBase),
                         ("Semaphore", SemaphoreBase), ("BoundedSemaphore", BoundedSemaphoreBase),
                         ("Event", EventBase), ("Barrier", BarrierBase), ("Queue", SyncQueue)):
        cls = type(public, (base,), {"_kit": kit, "__module__": base.__module__,
                                     "__qualname__": f"{public}[{name}]",
                                     "__doc__": f"{base.__doc__}\n\nBuilt on {name}."})
        setattr(kit, public, cls)
    return kit
