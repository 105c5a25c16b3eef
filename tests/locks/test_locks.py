"""gilexamples.locks: every lock keeps _thread.lock's contract, _thread.lock included.

Each behavioural test runs over ``_thread.allocate_lock`` (the reference: if a
test fails for it, the test is wrong) and over every lock in the package.
Timing assertions are one-sided or generous: other test suites share the CPUs.
"""

from __future__ import annotations

import _thread
import ctypes
import shutil
import signal
import subprocess
import sys
import threading
import time
from fractions import Fraction

import pytest

from gilexamples import locks
from gilexamples.locks import (ClosedLockError, LOCK_TYPES, MutexCondLock, SemaphoreLock,
                               UnsupportedPrimitive)


def _factories():
    yield pytest.param(_thread.allocate_lock, id="_thread.lock")
    for cls in LOCK_TYPES.values():
        yield pytest.param(cls, id=cls.__name__)


def _make(factory):
    try:
        return factory()
    except UnsupportedPrimitive as error:
        pytest.skip(f"{factory.__name__} is not available on this platform: {error}")


@pytest.fixture(params=list(_factories()))
def make_lock(request):
    made = []

    def make():
        lock = _make(request.param)
        made.append(lock)
        return lock

    yield make
    for lock in made:
        if hasattr(lock, "close"):
            if lock.locked():
                lock.release()
            lock.close()


@pytest.fixture
def tiny_switch_interval():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def _outcome(call):
    try:
        return ("returned", call())
    except Exception as error:  # noqa: BLE001 - the point is to compare them
        return (type(error).__name__, str(error))


# -- the interface, argument by argument ------------------------------------

ARGUMENT_CASES = [
    ((), {}), ((True,), {}), ((False,), {}), ((1,), {}), ((0,), {}),
    ((), {"blocking": False}), ((), {"timeout": 0}), ((), {"timeout": 0.0}),
    ((), {"timeout": -0.0}), ((), {"timeout": 0.01}), ((), {"timeout": 1}),
    ((), {"timeout": -1}), ((), {"timeout": -1.0}), ((True, -1), {}),
    ((False, -1), {}), ((False, -1.0), {}), ((False, 0), {}), ((False, 1), {}),
    ((False,), {"timeout": 0.5}), ((True, -2), {}), ((), {"timeout": -0.5}),
    ((), {"timeout": -1.0000000001}), ((False, -0.9999999999), {}),
    ((), {"timeout": float("nan")}), ((), {"timeout": float("inf")}),
    ((), {"timeout": float("-inf")}), ((), {"timeout": 1e300}), ((), {"timeout": 2**63}),
    ((), {"timeout": -(2**63)}), ((), {"timeout": 9223372037}),
    ((), {"timeout": _thread.TIMEOUT_MAX}), ((), {"timeout": True}),
    ((), {"timeout": "1"}), ((), {"timeout": None}), ((), {"timeout": Fraction(1, 2)}),
    ((None,), {}), ((0.5,), {}), (("",), {}), ((2**31,), {}), ((-(2**31) - 1,), {}),
]


@pytest.mark.parametrize("cls", list(LOCK_TYPES.values()), ids=lambda c: c.__name__)
def test_acquire_arguments_match_thread_lock(cls):
    """Same result or same exception (type and message) as _thread.lock, case by case."""
    ours = _make(cls)
    try:
        for args, kwargs in ARGUMENT_CASES:
            reference = _thread.allocate_lock()
            expected = _outcome(lambda: reference.acquire(*args, **kwargs))
            got = _outcome(lambda: ours.acquire(*args, **kwargs))
            assert got == expected, f"acquire(*{args!r}, **{kwargs!r})"
            if got == ("returned", True):
                ours.release()
    finally:
        ours.close()


def test_release_unlocked_raises_like_thread_lock(make_lock):
    lock = make_lock()
    with pytest.raises(RuntimeError) as caught:
        lock.release()
    with pytest.raises(RuntimeError) as reference:
        _thread.allocate_lock().release()
    assert str(caught.value) == str(reference.value) == "release unlocked lock"
    assert lock.acquire() is True
    lock.release()
    with pytest.raises(RuntimeError):
        lock.release()                          # twice is once too many


def test_locked_and_context_manager(make_lock):
    lock = make_lock()
    assert lock.locked() is False
    with lock as entered:
        assert entered is True
        assert lock.locked() is True
    assert lock.locked() is False
    with pytest.raises(KeyError):
        with lock:
            raise KeyError("inside")
    assert lock.locked() is False               # released on the way out of an exception


def test_non_blocking_acquire(make_lock):
    lock = make_lock()
    assert lock.acquire(blocking=False) is True
    assert lock.acquire(False) is False         # not reentrant
    assert lock.acquire(timeout=0) is False
    seen = []
    thread = threading.Thread(target=lambda: seen.append(lock.acquire(False)))
    thread.start()
    thread.join()
    assert seen == [False]
    lock.release()
    assert lock.acquire(False) is True
    lock.release()


def test_release_from_another_thread(make_lock):
    lock = make_lock()
    lock.acquire()
    errors = []

    def release():
        try:
            lock.release()
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    thread = threading.Thread(target=release)
    thread.start()
    thread.join()
    assert errors == []
    assert lock.locked() is False
    assert lock.acquire(False) is True
    lock.release()


# -- timing ----------------------------------------------------------------

@pytest.mark.parametrize("timeout", [0.05, 0.2])
def test_timeout_neither_early_nor_far_late(make_lock, timeout):
    lock = make_lock()
    lock.acquire()
    start = time.monotonic()
    assert lock.acquire(timeout=timeout) is False
    waited = time.monotonic() - start
    assert waited >= timeout - 0.001, f"gave up after {waited:.4f} s of {timeout} s"
    assert waited < timeout + 2.0, f"gave up after {waited:.4f} s of {timeout} s"
    # the same from a thread that is not the main thread (no slicing there)
    result = {}

    def other():
        t0 = time.monotonic()
        result["got"] = lock.acquire(timeout=timeout)
        result["waited"] = time.monotonic() - t0

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert result["got"] is False
    assert timeout - 0.001 <= result["waited"] < timeout + 2.0
    lock.release()


def test_timed_acquire_succeeds_when_released_in_time(make_lock):
    lock = make_lock()
    lock.acquire()
    timer = threading.Timer(0.1, lock.release)
    timer.start()
    try:
        start = time.monotonic()
        assert lock.acquire(timeout=10) is True
        assert time.monotonic() - start < 5
    finally:
        timer.join()
    lock.release()


# -- many threads ------------------------------------------------------------

def _hammer(lock, threads: int, rounds: int) -> tuple[int, int]:
    """Threads increment a counter under ``lock`` in a deliberately racy way.

    Returns (final count, how many times two threads were inside at once).
    ``time.sleep(0)`` inside the critical section lets the GIL go, so
    without mutual exclusion the others get in.
    """
    state = {"count": 0, "inside": 0, "overlaps": 0}
    start = threading.Barrier(threads)

    def work():
        start.wait()
        for _ in range(rounds):
            lock.acquire()
            try:
                state["inside"] += 1
                if state["inside"] > 1:
                    state["overlaps"] += 1
                count = state["count"]
                time.sleep(0)
                state["count"] = count + 1
                state["inside"] -= 1
            finally:
                lock.release()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return state["count"], state["overlaps"]


def test_mutual_exclusion_under_contention(make_lock, tiny_switch_interval):
    lock = make_lock()
    count, overlaps = _hammer(lock, threads=4, rounds=400)
    assert overlaps == 0
    assert count == 4 * 400
    assert lock.locked() is False


class _NotALock:
    """acquire/release that exclude nothing: the control for the test above."""

    def acquire(self, blocking=True, timeout=-1):
        return True

    def release(self):
        pass


def test_the_contention_test_catches_a_broken_lock(tiny_switch_interval):
    count, overlaps = _hammer(_NotALock(), threads=4, rounds=100)
    assert overlaps > 0 or count < 400


def test_handoff_to_blocked_waiter_loses_no_wakeup(make_lock):
    """Ping-pong: every release must wake the thread blocked in acquire."""
    ping, pong = make_lock(), make_lock()
    ping.acquire()
    pong.acquire()
    rounds = 300
    missed = []

    def partner():
        for i in range(rounds):
            if not ping.acquire(timeout=10):
                missed.append(("partner", i))
                return
            pong.release()

    thread = threading.Thread(target=partner)
    thread.start()
    for i in range(rounds):
        ping.release()
        if not pong.acquire(timeout=10):
            missed.append(("main", i))
            break
    thread.join(30)
    assert missed == []
    # the partner took ping last; main took pong last
    assert ping.locked() is True and pong.locked() is True
    ping.release()
    pong.release()


def test_many_waiters_each_get_the_lock(make_lock):
    """Five blocked threads, five releases: each release wakes one, none is lost."""
    lock = make_lock()
    lock.acquire()
    got = []
    waiting = threading.Semaphore(0)

    def waiter(n):
        waiting.release()
        if lock.acquire(timeout=10):
            got.append(n)
            lock.release()

    threads = [threading.Thread(target=waiter, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for _ in threads:
        waiting.acquire()
    time.sleep(0.05)                            # let them block in acquire
    lock.release()
    for thread in threads:
        thread.join(30)
    assert sorted(got) == list(range(5))
    assert lock.locked() is False


# -- signals ------------------------------------------------------------------

class Interrupted(Exception):
    pass


@pytest.fixture
def sigusr1_raises():
    """SIGUSR1 raises Interrupted in the main thread; restored afterwards."""
    calls = []

    def handler(signum, frame):
        calls.append(time.monotonic())
        raise Interrupted(signum)

    old = signal.signal(signal.SIGUSR1, handler)
    try:
        yield calls
    finally:
        signal.signal(signal.SIGUSR1, old)


def _held_by_other_thread(lock, hold_for: float):
    held, let_go = threading.Event(), threading.Event()

    def holder():
        lock.acquire()
        held.set()
        let_go.wait(hold_for)
        lock.release()

    thread = threading.Thread(target=holder, name="holder")
    thread.start()
    assert held.wait(10)
    return thread, let_go


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs signal.pthread_kill")
def test_signal_handler_that_raises_interrupts_blocked_acquire(make_lock, sigusr1_raises):
    lock = make_lock()
    holder, let_go = _held_by_other_thread(lock, hold_for=10)
    kill = threading.Timer(0.2, signal.pthread_kill,
                           (threading.main_thread().ident, signal.SIGUSR1))
    try:
        kill.start()
        start = time.monotonic()
        with pytest.raises(Interrupted):
            lock.acquire()
        assert time.monotonic() - start < 5, "the handler waited for the holder"
        assert len(sigusr1_raises) == 1
    finally:
        kill.cancel()
        kill.join()
        let_go.set()
        holder.join(10)
    # The interrupted acquire did not take the lock: once the holder let go, it is free.
    assert lock.locked() is False
    assert lock.acquire(False) is True
    lock.release()


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs signal.pthread_kill")
def test_signal_handler_that_returns_lets_acquire_go_on(make_lock):
    lock = make_lock()
    seen = []
    old = signal.signal(signal.SIGUSR1, lambda signum, frame: seen.append(signum))
    holder, let_go = _held_by_other_thread(lock, hold_for=10)
    kill = threading.Timer(0.1, signal.pthread_kill,
                           (threading.main_thread().ident, signal.SIGUSR1))
    release = threading.Timer(0.4, let_go.set)
    try:
        kill.start()
        release.start()
        assert lock.acquire(timeout=10) is True     # kept waiting through the signal
        assert seen == [signal.SIGUSR1]
        lock.release()
    finally:
        signal.signal(signal.SIGUSR1, old)
        kill.cancel()
        release.cancel()
        let_go.set()
        kill.join()
        release.join()
        holder.join(10)


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs signal.pthread_kill")
def test_mutexcond_without_slices_sleeps_through_signals(sigusr1_raises):
    """pthread_cond_wait is not interrupted: with a long slice the handler waits for the holder.

    This is why MutexCondLock waits in slices in the main thread (the chapter's claim).
    """
    lock = _make(MutexCondLock)
    lock.interrupt_check_s = 30.0
    holder, let_go = _held_by_other_thread(lock, hold_for=10)
    kill = threading.Timer(0.1, signal.pthread_kill,
                           (threading.main_thread().ident, signal.SIGUSR1))
    release = threading.Timer(0.8, let_go.set)
    try:
        kill.start()
        release.start()
        start = time.monotonic()
        with pytest.raises(Interrupted):
            lock.acquire(timeout=20)
        waited = time.monotonic() - start
        assert waited >= 0.7, f"interrupted after {waited:.3f} s: the wait did return early"
    finally:
        kill.cancel()
        release.cancel()
        let_go.set()
        kill.join()
        release.join()
        holder.join(10)
    # The lock was won and then handed back when the handler raised.
    assert lock.acquire(False) is True
    lock.release()
    lock.close()


OTHER_WAITER_TIMEOUT_S = 4.0


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs signal.pthread_kill")
def test_a_raising_handler_does_not_swallow_a_wakeup(make_lock, sigusr1_raises):
    """The main thread is woken by release() and a handler raises at once: the wake-up goes on.

    A holder has the lock; the main thread waits, then another thread waits
    too. A SIGUSR1 is made pending and the holder releases. Whichever waiter
    the release wakes, the other waiter must get the lock as soon as it is
    free, not at its own deadline.
    """
    lock = make_lock()
    if hasattr(lock, "interrupt_check_s"):
        lock.interrupt_check_s = 30.0           # the main thread waits in one piece
    holder, let_go = _held_by_other_thread(lock, hold_for=10)
    result = {}

    def other_waiter():
        time.sleep(0.3)                         # queue up behind the main thread
        start = time.monotonic()
        result["got"] = lock.acquire(timeout=OTHER_WAITER_TIMEOUT_S)
        result["waited"] = time.monotonic() - start
        if result["got"]:
            lock.release()

    def trigger():
        time.sleep(0.2)
        signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)
        time.sleep(0.4)
        let_go.set()                            # the release wakes one waiter

    threads = [threading.Thread(target=other_waiter), threading.Thread(target=trigger)]
    for thread in threads:
        thread.start()
    try:
        with pytest.raises(Interrupted):
            lock.acquire(timeout=10)
    finally:
        let_go.set()
        for thread in threads:
            thread.join(30)
        holder.join(10)
    assert result["got"] is True, result
    # Free about 0.3 s into its wait; a lost wake-up shows as the full timeout.
    assert result["waited"] < OTHER_WAITER_TIMEOUT_S - 1.0, result



@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs signal.pthread_kill")
def test_a_handler_that_uses_another_lock_does_not_break_mutual_exclusion(make_lock):
    """A held by another thread, tried in a loop; the SIGUSR1 handler takes and frees B.

    The handler runs between the C call of ``A.acquire(False)`` and the code
    that reads its result. Its own use of B must not change what A reads.
    """
    a, b = make_lock(), make_lock()
    holder, let_go = _held_by_other_thread(a, hold_for=10)
    calls = []

    def handler(signum, frame):
        calls.append(signum)
        b.acquire()
        b.release()

    stop = threading.Event()
    main = threading.main_thread().ident

    def killer():
        while not stop.is_set():
            signal.pthread_kill(main, signal.SIGUSR1)
            time.sleep(0.0001)

    old = signal.signal(signal.SIGUSR1, handler)
    sender = threading.Thread(target=killer)
    wrongly_acquired = tries = 0
    try:
        sender.start()
        start = time.monotonic()
        while True:
            elapsed = time.monotonic() - start
            if elapsed > 3.0 or (elapsed > 0.5 and len(calls) >= 50):
                break
            tries += 1
            if a.acquire(False):
                wrongly_acquired += 1
                a.release()
                break
    finally:
        stop.set()
        sender.join()
        signal.signal(signal.SIGUSR1, old)
        let_go.set()
        holder.join(10)
    assert len(calls) >= 10, f"the handler ran {len(calls)} times: the test proved nothing"
    assert wrongly_acquired == 0, "acquire(False) took a lock another thread held"
    assert a.locked() is False and b.locked() is False


class _PopRaisesOnce(list):
    """A lock's list of users whose first pop() raises once it has popped: what a
    signal handler that raises right after that call returns looks like."""

    armed = True

    def pop(self, *args):
        value = super().pop(*args)
        if self.armed:
            self.armed = False
            raise Interrupted("raised right after pop()")
        return value


@pytest.mark.parametrize("cls", list(LOCK_TYPES.values()), ids=lambda c: c.__name__)
def test_an_acquire_interrupted_after_it_won_gives_back_the_lock_and_its_holder(cls):
    """The lock is free again, and no thread is recorded as its holder (the record a
    forked child reads: a stale one there would keep the lock held for a thread that
    let it go)."""
    lock = _make(cls)
    lock._users = _PopRaisesOnce()
    with pytest.raises(Interrupted):
        lock.acquire()
    assert lock._users.armed is False           # it did win, then the "handler" raised
    assert lock.locked() is False
    assert lock._holder is None
    assert lock.acquire(False) is True
    assert lock._holder == threading.get_ident()
    lock.release()
    assert lock._holder is None
    lock.close()


@pytest.mark.parametrize("cls", list(LOCK_TYPES.values()), ids=lambda c: c.__name__)
def test_methods_leave_ctypes_errno_as_they_found_it(cls):
    """What a handler's use of a lock would otherwise overwrite in the code it interrupted."""
    lock = _make(cls)
    lock.acquire()
    ctypes.set_errno(12345)
    assert lock.acquire(False) is False         # fails inside with EAGAIN or EBUSY
    assert lock.acquire(timeout=0.01) is False  # fails inside with ETIMEDOUT
    assert lock.locked() is True
    assert ctypes.get_errno() == 12345
    lock.release()
    lock.close()


def test_mutexcond_try_never_waits_for_the_internal_mutex():
    """acquire(False) and acquire(timeout=0) only try the mutex, as CPython since bpo-30765."""
    lock = _make(MutexCondLock)
    libc = ctypes.CDLL(None)
    mutex_lock, mutex_unlock = libc.pthread_mutex_lock, libc.pthread_mutex_unlock
    mutex_lock.argtypes = mutex_unlock.argtypes = [ctypes.c_void_p]
    holding, let_go = threading.Event(), threading.Event()

    def hold_internal_mutex():                  # as a thread busy inside release() would
        mutex_lock(lock._mut)
        holding.set()
        let_go.wait(10)
        mutex_unlock(lock._mut)

    thread = threading.Thread(target=hold_internal_mutex)
    thread.start()
    try:
        assert holding.wait(10)
        start = time.monotonic()
        assert lock.acquire(False) is False
        assert lock.acquire(timeout=0) is False
        assert time.monotonic() - start < 0.5, "a non-blocking acquire waited"
    finally:
        let_go.set()
        thread.join(10)
    assert lock.acquire(False) is True          # the lock itself was free all along
    lock.release()
    lock.close()


# -- the C memory -----------------------------------------------------------------

@pytest.mark.parametrize("cls", list(LOCK_TYPES.values()), ids=lambda c: c.__name__)
def test_close_frees_and_refuses_use(cls):
    lock = _make(cls)
    lock.acquire()
    with pytest.raises(RuntimeError, match="while it is held"):
        lock.close()
    lock.release()
    lock.close()
    lock.close()                                # idempotent
    assert lock.closed is True
    assert "closed" in repr(lock)
    for call in (lock.acquire, lock.release, lock.locked):
        with pytest.raises(ClosedLockError, match="is closed"):
            call()


@pytest.mark.parametrize("cls", list(LOCK_TYPES.values()), ids=lambda c: c.__name__)
def test_close_refuses_while_another_thread_is_inside_a_method(cls):
    """Not held is not the same as unused: a thread may still be in the C library."""
    _make(cls).close()                          # skips if unsupported
    inside, go_on = threading.Event(), threading.Event()

    class Slow(cls):
        def _acquire(self, ns):
            inside.set()
            go_on.wait(10)                      # the lock is free, but we are in acquire()
            return super()._acquire(ns)

    lock = Slow()
    got = []
    thread = threading.Thread(target=lambda: got.append(lock.acquire()))
    thread.start()
    try:
        assert inside.wait(10)
        assert lock.locked() is False
        with pytest.raises(RuntimeError, match="in use"):
            lock.close()
    finally:
        go_on.set()
        thread.join(10)
    assert got == [True]
    assert lock.closed is False
    lock.release()
    lock.close()
    assert lock.closed is True


@pytest.mark.parametrize("cls", list(LOCK_TYPES.values()), ids=lambda c: c.__name__)
def test_close_right_after_a_handoff_never_frees_under_a_waiter(cls, tiny_switch_interval):
    """release() wakes a waiter; close() at once must refuse (held, or the waiter is inside)."""
    _make(cls).close()
    for _ in range(20):
        lock = cls()
        lock.acquire()
        got = []
        thread = threading.Thread(target=lambda: got.append(lock.acquire(timeout=10)))
        thread.start()
        deadline = time.monotonic() + 10
        while not lock._users and time.monotonic() < deadline:
            time.sleep(0.0005)                  # until the waiter is inside acquire()
        lock.release()
        with pytest.raises(RuntimeError, match="held or in use"):
            lock.close()
        thread.join(10)
        assert got == [True]
        lock.release()
        lock.close()


@pytest.mark.parametrize("cls", list(LOCK_TYPES.values()), ids=lambda c: c.__name__)
def test_concurrent_close_frees_once(cls, tiny_switch_interval):
    _make(cls).close()
    freed = []

    class Counted(cls):
        def _free(self):
            freed.append(1)
            super()._free()

    for _ in range(30):
        lock = Counted()
        start = threading.Barrier(4)

        def close():
            start.wait()
            lock.close()

        threads = [threading.Thread(target=close) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        lock.close()                            # whatever happened above, it ends closed
        assert lock.closed is True
    assert len(freed) == 30


@pytest.mark.parametrize("cls", list(LOCK_TYPES.values()), ids=lambda c: c.__name__)
def test_garbage_collection_frees_even_a_held_lock(cls):
    _make(cls).close()                          # skips if unsupported
    freed = []

    class Watched(cls):
        def _free(self):
            freed.append(self.kind)
            super()._free()

    lock = Watched()
    lock.acquire()
    del lock                                    # like CPython's lock_dealloc: held or not
    assert freed == [cls.kind]


@pytest.mark.parametrize("cls", list(LOCK_TYPES.values()), ids=lambda c: c.__name__)
def test_repr_like_thread_lock(cls):
    lock = _make(cls)
    assert repr(lock).startswith(f"<unlocked gilexamples.locks.{cls.__name__} object at 0x")
    lock.acquire()
    assert repr(lock).startswith("<locked ")
    lock.release()
    lock.close()


def test_primitive_sizes_match_the_c_compiler(tmp_path):
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        pytest.skip("no C compiler to check sizeof() against")
    source = tmp_path / "sizes.c"
    source.write_text(
        "#include <pthread.h>\n#include <semaphore.h>\n#include <stdio.h>\n"
        "int main(void) {\n" + "".join(
            f'    printf("{name} %zu\\n", sizeof({name}));\n' for name in
            ("pthread_mutex_t", "pthread_mutexattr_t", "pthread_cond_t",
             "pthread_condattr_t", "sem_t")) + "    return 0;\n}\n")
    binary = tmp_path / "sizes"
    subprocess.run([compiler, str(source), "-o", str(binary), "-pthread"], check=True,
                   capture_output=True, timeout=60)
    output = subprocess.run([str(binary)], check=True, capture_output=True, text=True,
                            timeout=10).stdout
    measured = {name: int(size) for name, size in (line.split() for line in output.splitlines())}
    assert locks.primitive_sizes() == measured


def test_memory_is_aligned_and_primitives_live_inside_it():
    from gilexamples.locks import _posix

    lock = _make(MutexCondLock)
    sizes = locks.primitive_sizes()
    assert lock._address % _posix.ALIGNMENT == 0
    assert lock._mut % 8 == 0 and lock._cond % 8 == 0
    end = lock._address + ctypes.sizeof(type(lock._s))
    assert lock._mut + sizes["pthread_mutex_t"] <= end
    assert lock._cond + sizes["pthread_cond_t"] <= lock._mut
    lock.close()


def test_missing_primitive_is_a_clear_error(monkeypatch):
    """As on macOS (no sem_timedwait, sem_init a stub): construction fails, with a reason."""
    from gilexamples.locks import _posix, semaphore

    lib = _posix.libc()
    real_has = lib.has
    monkeypatch.setattr(lib, "has", lambda name: False if name.startswith("sem_") else real_has(name))
    monkeypatch.setattr(semaphore, "_calls", None)
    with pytest.raises(UnsupportedPrimitive, match="unnamed POSIX semaphores") as caught:
        SemaphoreLock()
    assert "sem_init" in str(caught.value)
    MutexCondLock().close()                     # the other lock is unaffected
    assert "semaphore" in locks.available_locks()


def test_unknown_platform_is_refused_not_guessed(monkeypatch):
    from gilexamples.locks import _posix

    monkeypatch.setattr(_posix, "platform_key", lambda: ("Plan9", "mips"))
    with pytest.raises(locks.PlatformNotSupported, match="not known for Plan9 on mips"):
        _posix.sizes()


def test_package_reports_this_interpreters_lock_kind():
    assert locks.cpython_lock_kind() == sys.thread_info.lock
    assert set(LOCK_TYPES) == {"semaphore", "mutex+cond"}
    if sys.platform.startswith("linux"):
        assert set(locks.available_locks()) == set(LOCK_TYPES)
        assert all(isinstance(v, type) for v in locks.available_locks().values())


# -- the figures the Locks page states --------------------------------------------

def test_the_pages_figures_are_the_codes():
    """Numbers the Locks page writes in its prose are the constants they describe."""
    import re

    from gilexamples.locks import bench
    from tests.conftest import ROOT

    page = "\n".join((ROOT / "docs" / name).read_text(encoding="utf-8")
                     for name in ("locks.md", "locks-ctypes.md"))
    d = bench.DEFAULTS
    expected = {
        r"compares\s+(\d+)\s+argument\s+combinations": [str(len(ARGUMENT_CASES))],
        r"waits in slices of (\d+) ms": [f"{MutexCondLock.interrupt_check_s * 1000:g}"],
        r"uses ([\d,]+) pairs,\s+([\d,]+) round trips and (\d+) repeats":
            [f"{d['ops']:,}", f"{d['rounds']:,}", str(d["repeat"])],
        r"\((\d+) bytes with glibc\s+on x86-64, (\d+) with glibc on aarch64, (\d+) on macOS\)":
            [str(locks.KNOWN_SIZES[key]["pthread_mutex_t"])
             for key in (("Linux", "x86_64"), ("Linux", "aarch64"), ("Darwin", "arm64"))],
    }
    for pattern, values in expected.items():
        found = [list(m.groups()) for m in re.finditer(pattern, page)]
        assert found, f"the page no longer says {pattern!r}: update this test"
        assert all(groups == values for groups in found), (pattern, found, values)
