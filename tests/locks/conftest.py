"""Fixtures for the lock room: the same primitives from the standard library and from each lock."""

from __future__ import annotations

import _thread
import queue
import threading
import time
import types

import pytest

from gilexamples.locks import LOCK_TYPES, UnsupportedPrimitive, synchronization

#: The standard library's primitives: the reference every test must pass first.
STDLIB = types.SimpleNamespace(
    Lock=threading.Lock, RLock=threading.RLock, Condition=threading.Condition,
    Semaphore=threading.Semaphore, BoundedSemaphore=threading.BoundedSemaphore,
    Event=threading.Event, Barrier=threading.Barrier, Queue=queue.Queue,
    BrokenBarrierError=threading.BrokenBarrierError, Full=queue.Full, Empty=queue.Empty,
    lock_type=None)


def _kits():
    yield pytest.param("stdlib", id="stdlib")
    yield pytest.param(_thread.allocate_lock, id="ours-on-_thread.lock")
    for cls in LOCK_TYPES.values():
        yield pytest.param(cls, id=f"ours-on-{cls.__name__}")


@pytest.fixture(params=list(_kits()))
def sync(request):
    """A namespace with Lock, RLock, Condition, ..., Queue and the exceptions."""
    if request.param == "stdlib":
        return STDLIB
    try:
        return synchronization(request.param)
    except UnsupportedPrimitive as error:
        pytest.skip(f"{request.param.__name__} is not available on this platform: {error}")


class Threads:
    """Start threads, and make sure every one of them has ended when the block ends.

    ``results`` holds what each target returned (or the exception it raised),
    in start order. A thread still alive after ``join_s`` fails the test.
    """

    def __init__(self, join_s: float = 10.0):
        self.join_s = join_s
        self.threads: list[threading.Thread] = []
        self.results: list = []

    def start(self, target, *args) -> int:
        slot = len(self.results)
        self.results.append(None)

        def run():
            try:
                self.results[slot] = ("returned", target(*args))
            except BaseException as error:  # noqa: BLE001 - reported to the test
                self.results[slot] = ("raised", error)

        thread = threading.Thread(target=run, name=f"conformance-{slot}", daemon=True)
        self.threads.append(thread)
        thread.start()
        return slot

    def join(self) -> list:
        deadline = time.monotonic() + self.join_s
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        stuck = [t.name for t in self.threads if t.is_alive()]
        assert not stuck, f"threads still running after {self.join_s} s: {stuck}"
        return self.results

    def __enter__(self) -> Threads:
        return self

    def __exit__(self, *exc_info) -> None:
        self.join()


def until(predicate, timeout: float = 10.0, what: str = "condition") -> None:
    """Poll ``predicate()`` until it is true; fail the test after ``timeout`` seconds.

    For states only observable from outside (a thread has reached a wait):
    the test then goes on from a known state instead of guessing a delay.
    """
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.001)


@pytest.fixture
def threads():
    with Threads() as group:
        yield group
