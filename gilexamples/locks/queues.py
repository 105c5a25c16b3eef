"""A FIFO queue with ``queue.Queue``'s contract, on the lock type of a kit.

Made by :func:`gilexamples.locks.synchronization`, which binds the class to
one lock type; not meant to be instantiated from here.

Contract (as documented for ``queue.Queue``):

* ``Queue(maxsize=0)``: ``maxsize <= 0`` means unbounded.
* ``put(item, block=True, timeout=None)``: waits while the queue is full;
  with ``block=False``, or when ``timeout`` seconds pass, raises
  ``queue.Full``. ``get(block=True, timeout=None)`` likewise waits while it
  is empty and raises ``queue.Empty``. A negative ``timeout`` is a
  ValueError (for ``put`` only when the queue is bounded, as in the standard
  library). ``put_nowait(item)`` and ``get_nowait()`` are ``block=False``.
* ``task_done()`` marks one item fetched earlier as processed (ValueError if
  called more often than items were put); ``join()`` waits until every item
  ever put has been marked so.
* ``qsize()``, ``empty()``, ``full()``: snapshots, true only for a moment.
"""

from __future__ import annotations

import types
from collections import deque

__all__ = ["SyncQueue"]


class SyncQueue:
    """A FIFO queue for threads, built from one lock and three conditions on it."""

    # Algorithm: one lock guards the items and the count of unfinished
    # tasks. Three Conditions share that lock, one per thing a thread may
    # wait for: "not empty" (get), "not full" (put), "all tasks done"
    # (join). Each change wakes only the waiters it can help: put wakes one
    # getter, get wakes one putter, the last task_done wakes every joiner.

    _kit: types.SimpleNamespace

    def __init__(self, maxsize: int = 0):
        kit = self._kit
        self.maxsize = maxsize
        self._items: deque = deque()
        self.mutex = kit.Lock()
        self.not_empty = kit.Condition(self.mutex)
        self.not_full = kit.Condition(self.mutex)
        self.all_tasks_done = kit.Condition(self.mutex)
        self.unfinished_tasks = 0

    def task_done(self) -> None:
        with self.all_tasks_done:
            left = self.unfinished_tasks - 1
            if left < 0:
                raise ValueError("task_done() called too many times")
            self.unfinished_tasks = left
            if left == 0:
                self.all_tasks_done.notify_all()

    def join(self) -> None:
        with self.all_tasks_done:
            self.all_tasks_done.wait_for(lambda: self.unfinished_tasks == 0)

    def qsize(self) -> int:
        with self.mutex:
            return len(self._items)

    def empty(self) -> bool:
        with self.mutex:
            return not self._items

    def full(self) -> bool:
        with self.mutex:
            return 0 < self.maxsize <= len(self._items)

    def _room(self) -> bool:
        return len(self._items) < self.maxsize

    def put(self, item, block: bool = True, timeout=None) -> None:
        with self.not_full:
            if self.maxsize > 0:
                if not block:
                    if not self._room():
                        raise self._kit.Full
                elif timeout is None:
                    self.not_full.wait_for(self._room)
                elif timeout < 0:
                    raise ValueError("'timeout' must be a non-negative number")
                elif not self.not_full.wait_for(self._room, timeout):
                    raise self._kit.Full
            self._items.append(item)
            self.unfinished_tasks += 1
            self.not_empty.notify()

    def get(self, block: bool = True, timeout=None):
        with self.not_empty:
            if not block:
                if not self._items:
                    raise self._kit.Empty
            elif timeout is None:
                self.not_empty.wait_for(lambda: self._items)
            elif timeout < 0:
                raise ValueError("'timeout' must be a non-negative number")
            elif not self.not_empty.wait_for(lambda: self._items, timeout):
                raise self._kit.Empty
            item = self._items.popleft()
            self.not_full.notify()
            return item

    def put_nowait(self, item) -> None:
        self.put(item, block=False)

    def get_nowait(self):
        return self.get(block=False)

    def __repr__(self) -> str:
        return f"<{type(self).__qualname__} {len(self._items)} items, maxsize={self.maxsize}>"
