"""After ``os.fork()``: give the child locks no dead thread holds.

``fork()`` copies the whole memory of a process but only the thread that
called it. A lock that another thread held at that moment is still held in
the child, by a thread that does not exist there: the child waits for it
forever. Worse, a thread that was *inside* a lock's C primitive (waiting in
``sem_wait``, or holding the mutex of a mutex + condition lock for a few
instructions) leaves that primitive in a state no thread of the child will
ever finish.

CPython handles this for its own locks: ``_thread.lock._at_fork_reinit()``
(``_PyThread_at_fork_reinit`` in Python/thread.c) gives a lock fresh C
memory, unlocked, and leaks the old memory on purpose; ``threading`` calls it
in the child for the locks it owns (``threading._after_fork``, registered
with ``os.register_at_fork``). User locks are left as they were.

This module does the same for every lock of this package and for the
primitives built on them (:mod:`gilexamples.locks.primitives`): each one
registers itself here, by weak reference, when it is made. Hooks registered
with ``os.register_at_fork`` note, in the forking thread's own slot, which
thread forks, and visit every registered object in the child, in two
passes:

1. every live lock: fresh C memory; it stays held only if the thread that
   forked is the one that took it (that thread still exists and will
   release it), and is free otherwise;
2. every registered primitive (RLock, Condition, Barrier...): forget the
   owners and waiters that were other threads.

Weak references: the registry never keeps a lock alive, and a lock that was
garbage-collected simply drops out of it.

This module imports nothing from gilexamples.
"""

from __future__ import annotations

import _thread
import os
import weakref

__all__ = ["track_lock", "track", "before_fork", "after_fork_in_parent",
           "after_fork_in_child", "registered"]

_locks: weakref.WeakSet = weakref.WeakSet()
_primitives: weakref.WeakSet = weakref.WeakSet()


def track_lock(lock) -> None:
    """Visit ``lock._after_fork(ident)`` in a forked child (first pass)."""
    _locks.add(lock)


def track(primitive) -> None:
    """Visit ``primitive._after_fork(ident)`` in a forked child (second pass, after the locks)."""
    _primitives.add(primitive)


def registered() -> tuple[int, int]:
    """(live locks, live primitives) registered now: for tests and curiosity."""
    return len(_locks), len(_primitives)


#: Each thread's own note of its ident, made just before it forks and taken back
#: right after (in the parent by that thread, in the child by its copy). Per
#: thread, because two threads may fork at once: with one shared note, the
#: second thread's "before" hook could overwrite the first's between that
#: hook and the first's fork (CPython runs the hooks, then waits for the
#: import lock, then forks). Taken back, because a note left behind could be
#: read by a later child whose "before" hooks never ran in that thread.
_note = _thread._local()


def before_fork() -> None:
    """In the parent, in the thread calling fork(): note who that is, in that thread's note."""
    _note.ident = _thread.get_ident()


def after_fork_in_parent() -> None:
    """In the parent, in the thread that forked: the note has served (or the fork failed)."""
    _note.ident = None


def _forking_ident() -> int:
    """In the child: the ident this thread noted before the fork, taken back (the current
    ident if there is no note: a fork whose "before" hooks did not run)."""
    ident = getattr(_note, "ident", None)
    _note.ident = None
    return _thread.get_ident() if ident is None else ident


def after_fork_in_child() -> None:
    """Run in the child right after fork(): locks first, then what is built on them.

    ``ident`` is the thread that forked, as the parent knew it: the holder
    of a lock is recorded under that number (``threading`` notes that a
    thread's ident may change across fork on some platforms, so it is not
    asked again in the child).
    """
    ident = _forking_ident()
    for lock in list(_locks):
        lock._after_fork(ident)
    for primitive in list(_primitives):
        primitive._after_fork(ident)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=before_fork, after_in_parent=after_fork_in_parent,
                        after_in_child=after_fork_in_child)
