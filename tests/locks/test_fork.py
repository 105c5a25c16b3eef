"""After os.fork(): no lock in the child is held by a thread the child does not have.

Each test forks a real child while some other thread of this process holds a
lock (or waits on one, or holds the C mutex inside one). The child runs a
few steps, writes a JSON report to a pipe and leaves with ``os._exit``; its
exit status says whether it finished. Every step in the child is bounded by
a timeout, and the parent kills the child if it has not reported within
``CHILD_S``: a lock still held in the child shows up as a failure, not a hang.
"""

from __future__ import annotations

import _thread
import ctypes
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import warnings

import pytest

from gilexamples.locks import LOCK_TYPES, MutexCondLock, UnsupportedPrimitive, synchronization
from gilexamples.locks._posix import libc
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")

CHILD_S = 10.0          # the child must report within this
STEP_S = 2.0            # each wait in the child


def in_child(steps) -> dict:
    """Fork; run ``steps()`` in the child; return its dict, or fail the test.

    The child reports ``{"ok": ...}`` or ``{"error": ...}`` as one JSON
    document on a pipe and exits with status 0 or 1 at once (``os._exit``:
    no atexit handlers, no pytest teardown in the child).
    """
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # 3.12+ warns that forking a multi-threaded process may deadlock the
        # child: that risk is exactly what these tests examine.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:                                            # the child
        status = 1
        try:
            os.close(read_end)
            report = {"ok": steps()}
            status = 0
        except BaseException as error:                      # noqa: BLE001 - reported
            report = {"error": f"{type(error).__name__}: {error}"}
        try:
            os.write(write_end, json.dumps(report).encode())
        finally:
            os._exit(status)
    os.close(write_end)
    data, deadline = b"", time.monotonic() + CHILD_S
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([read_end], [], [], deadline - time.monotonic())
            if not ready:
                break
            chunk = os.read(read_end, 65536)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(read_end)
    status = _reap(pid, deadline)
    if status is None:
        pytest.fail(f"the child did not finish within {CHILD_S} s (killed): a lock was still held")
    report = json.loads(data.decode()) if data else {"error": "no report"}
    assert os.waitstatus_to_exitcode(status) == (0 if "ok" in report else 1), report
    if "error" in report:
        pytest.fail(f"in the child: {report['error']}")
    return report["ok"]


def _reap(pid: int, deadline: float):
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        time.sleep(0.005)


def _make(cls):
    try:
        return cls()
    except UnsupportedPrimitive as error:
        pytest.skip(f"{cls.__name__} is not available here: {error}")


class Holder:
    """A thread that runs ``take()``, reports it, and runs ``give_back()`` when told."""

    def __init__(self, take, give_back=None):
        self.taken, self.go = threading.Event(), threading.Event()
        self.take, self.give_back = take, give_back
        self.thread = threading.Thread(target=self._run, name="fork-holder", daemon=True)

    def _run(self):
        self.take()
        self.taken.set()
        self.go.wait(CHILD_S * 2)
        if self.give_back is not None:
            self.give_back()

    def __enter__(self):
        self.thread.start()
        assert self.taken.wait(CHILD_S)
        return self

    def __exit__(self, *exc_info):
        self.go.set()
        self.thread.join(CHILD_S)
        assert not self.thread.is_alive()


LOCKS = [pytest.param(cls, id=cls.__name__) for cls in LOCK_TYPES.values()]


@pytest.mark.parametrize("cls", LOCKS)
def test_a_lock_held_by_another_thread_is_free_in_the_child(cls):
    lock = _make(cls)
    with Holder(lock.acquire, lock.release):
        assert lock.locked()

        def steps():
            free = not lock.locked()
            got = lock.acquire(timeout=STEP_S)
            lock.release()
            return {"free": free, "acquired": got}

        assert in_child(steps) == {"free": True, "acquired": True}
        assert lock.locked()                               # the parent is untouched
    assert not lock.locked()
    lock.close()


@pytest.mark.parametrize("cls", LOCKS)
def test_a_lock_held_by_the_forking_thread_stays_held_in_the_child(cls):
    lock = _make(cls)
    with lock:
        def steps():
            held = lock.locked()
            other = []
            t = threading.Thread(target=lambda: other.append(lock.acquire(False)))
            t.start()
            t.join(STEP_S)
            lock.release()                                 # the `with` of this thread, in the child
            got = lock.acquire(timeout=STEP_S)
            lock.release()
            return {"held": held, "other_thread_got_it": other[0], "after_release": got}

        assert in_child(steps) == {"held": True, "other_thread_got_it": False,
                                   "after_release": True}
    lock.close()


#: Two threads fork at once; each child reports whether the lock is held there. The
#: global import lock, held by a third thread, keeps both forks waiting after their
#: "before" hooks have run, so the second thread's hooks run between the first's
#: and its fork.
TWO_FORKS = r"""
import _imp, json, os, sys, threading, time, warnings
warnings.simplefilter("ignore", DeprecationWarning)   # 3.12+: fork() with threads
hooks_done = []
# Registered before the package's own hook: "before" hooks run in reverse order of
# registration, so this one runs last, once the package has noted its thread.
os.register_at_fork(before=lambda: hooks_done.append(threading.get_ident()))
from gilexamples import locks
lock = getattr(locks, sys.argv[1])()
read_end, write_end = os.pipe()

def forker(name, hold):
    if hold:
        lock.acquire()
    pid = os.fork()
    if pid == 0:
        os.write(write_end, (json.dumps([name, lock.locked()]) + "\n").encode())
        os._exit(0)
    os.waitpid(pid, 0)
    if hold:
        lock.release()

def until(done):
    deadline = time.monotonic() + 20
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.001)

held, let_go = threading.Event(), threading.Event()
def import_lock_holder():
    _imp.acquire_lock()
    held.set()
    let_go.wait(30)
    _imp.release_lock()

blocker = threading.Thread(target=import_lock_holder)
blocker.start()
held.wait(20)
first = threading.Thread(target=forker, args=("holder", True))
first.start()
until(lambda: first.ident in hooks_done)   # its hooks ran; now it waits for the import lock
second = threading.Thread(target=forker, args=("other", False))
second.start()
until(lambda: second.ident in hooks_done)
let_go.set()
for thread in (first, second, blocker):
    thread.join(30)
os.close(write_end)
with os.fdopen(read_end) as reports:
    print(json.dumps(dict(json.loads(line) for line in reports)))
"""


@pytest.mark.parametrize("cls", LOCKS)
def test_two_threads_forking_at_once_each_child_knows_its_own_forker(cls):
    """The forking thread is noted per thread, not in one global the other fork overwrites.

    The thread that holds the lock forks; meanwhile another thread forks too.
    The holder's child must still have the lock held (its holder is the thread
    it has), the other's child must have it free.
    """
    _make(cls).close()
    done = subprocess.run([sys.executable, "-c", TWO_FORKS, cls.__name__], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"holder": True, "other": False}


@pytest.mark.parametrize("cls", LOCKS)
def test_a_thread_waiting_inside_the_lock_leaves_no_trace(cls):
    """A parent thread blocked in acquire() (inside sem_wait or pthread_cond_wait) at fork."""
    lock = _make(cls)
    lock.acquire()
    waiting = threading.Thread(target=lambda: lock.acquire(timeout=CHILD_S * 2) and lock.release(),
                               daemon=True)
    waiting.start()
    time.sleep(0.05)          # let it block in C (a waiter still on its way makes the test weaker, not wrong)

    def steps():
        # A waiter the parent had may still be counted inside the lock's C state (the
        # condition variable's or the semaphore's). A new waiter in the child must get
        # the release anyway: park one, release from here, and it must wake promptly.
        woke = []
        parked = threading.Event()

        def child_waiter():
            parked.set()
            woke.append(lock.acquire(timeout=STEP_S))
            if woke[-1]:
                lock.release()

        thread = threading.Thread(target=child_waiter)
        thread.start()
        parked.wait(STEP_S)
        time.sleep(0.05)                                   # let it block in C
        started = time.monotonic()
        lock.release()                                     # taken by this thread: held in the child
        thread.join(STEP_S * 2)
        return {"woke": woke == [True], "within_s": time.monotonic() - started < STEP_S / 2}

    assert in_child(steps) == {"woke": True, "within_s": True}
    lock.release()
    waiting.join(CHILD_S)
    assert not waiting.is_alive()
    lock.close()


def test_mutexcond_internal_mutex_held_by_a_dead_thread():
    """The worst case: another thread holds the pthread mutex inside a MutexCondLock.

    Without re-initialisation the child's first acquire() would block forever
    in pthread_mutex_lock on a mutex whose owner does not exist there.
    """
    lock = _make(MutexCondLock)
    lib = libc()
    mutex_lock = lib.function("pthread_mutex_lock", blocking=True)
    mutex_unlock = lib.function("pthread_mutex_unlock", blocking=False)
    with Holder(lambda: mutex_lock(ctypes.c_void_p(lock._mut)),
                lambda: mutex_unlock(ctypes.c_void_p(lock._mut))):
        def steps():
            got = lock.acquire(timeout=STEP_S)
            lock.release()
            return got

        assert in_child(steps) is True
    assert lock.acquire(timeout=STEP_S)
    lock.release()
    lock.close()


def test_cpythons_own_lock_stays_held_for_comparison():
    """The standard library does not do this for user locks: a _thread.lock held
    by another thread at fork is still held in the child (only threading's own
    internal locks are re-initialised). What the package's locks change."""
    lock = _thread.allocate_lock()
    with Holder(lock.acquire, lock.release):
        assert in_child(lambda: {"locked": lock.locked(), "got": lock.acquire(timeout=0.05)}) \
            == {"locked": True, "got": False}


@pytest.mark.parametrize("cls", LOCKS)
def test_primitives_survive_a_fork(cls):
    _make(cls).close()
    sync = synchronization(cls)
    rlock, cond, queue = sync.RLock(), sync.Condition(), sync.Queue(maxsize=1)
    barrier, event = sync.Barrier(2), sync.Event()

    def take():
        rlock.acquire()
        rlock.acquire()                                    # owned twice by the holder

    parked = []

    def getter():
        parked.append(queue.get(timeout=CHILD_S * 2))

    def at_barrier():
        try:
            barrier.wait(CHILD_S * 2)
        except sync.BrokenBarrierError:
            parked.append("broken")

    def in_condition():
        with cond:
            cond.wait(CHILD_S * 2)

    others = [threading.Thread(target=f, daemon=True) for f in (getter, at_barrier, in_condition)]
    with Holder(take, lambda: (rlock.release(), rlock.release())):
        for t in others:
            t.start()
        deadline = time.monotonic() + CHILD_S
        while not (len(queue.not_empty._waiters) == 1 and barrier.n_waiting == 1
                   and len(cond._waiters) == 1):
            assert time.monotonic() < deadline, "the parent's threads did not start waiting"
            time.sleep(0.001)

        def steps():
            report = {"rlock": rlock.acquire(timeout=STEP_S)}
            rlock.release()
            report["condition_waiters"] = len(cond._waiters)
            with cond:
                report["wait"] = cond.wait(0.01)           # times out: no ghost notified
            queue.put("x", timeout=STEP_S)
            report["queue"] = queue.get(timeout=STEP_S)
            report["barrier_waiting"] = barrier.n_waiting
            t = threading.Thread(target=lambda: barrier.wait(STEP_S))
            t.start()
            report["barrier_index"] = barrier.wait(STEP_S) in (0, 1)  # a trip of two new threads
            t.join(STEP_S)
            setter = threading.Thread(target=event.set)
            setter.start()
            report["event"] = event.wait(STEP_S)
            setter.join(STEP_S)
            return report

        assert in_child(steps) == {"rlock": True, "condition_waiters": 0, "wait": False,
                                   "queue": "x", "barrier_waiting": 0, "barrier_index": True,
                                   "event": True}
        with cond:
            cond.notify_all()
        queue.put("parent")
        barrier.abort()
    for t in others:
        t.join(CHILD_S)
        assert not t.is_alive()
    assert sorted(parked) == ["broken", "parent"]
