"""Threads and the GIL, seen from inside one interpreter.

Everything here runs in the interpreter that imports it. The cross-interpreter
comparisons (2.7's tick GIL against 3.x's switching GIL) belong to the lab,
which runs small portable scripts in child interpreters.

The functions fall into three groups:

* what the interpreter is: :func:`gil_info`;
* threads are operating-system threads: :func:`os_thread_ids`,
  :func:`parked_threads`;
* what the GIL does to work split over threads: the workloads
  :func:`countdown`, :func:`hash_chunks` and :func:`socket_waits`, timed by
  :func:`split_timing`; whether a C call lets other threads run while it
  works: :func:`longest_stall`; and how long a CPU-bound thread keeps the
  GIL before it is made to hand it over: :func:`measure_slices`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import socket
import statistics
import sys
import sysconfig
import threading
import time
from typing import Callable, Iterator

__all__ = [
    "gil_info",
    "os_thread_ids",
    "parked_threads",
    "countdown",
    "hash_chunks",
    "socket_waits",
    "WORKLOADS",
    "split_timing",
    "longest_stall",
    "measure_slices",
    "switch_interval",
]

#: Size of one chunk hashed by :func:`hash_chunks`. hashlib releases the GIL
#: while it hashes a buffer of HASHLIB_GIL_MINSIZE (2048) bytes or more
#: (Modules/hashlib.h), so one MiB is far on the releasing side.
CHUNK = b"\x5a" * (1 << 20)


def gil_info() -> dict:
    """Describe this interpreter's threading: version, build, GIL state.

    Returns a dict with ``implementation``, ``version``, ``executable``,
    ``free_threaded_build`` (compiled with ``Py_GIL_DISABLED``),
    ``gil_enabled`` (the GIL is on right now: always true on a default build;
    on a free-threaded build it can be switched on by ``PYTHON_GIL=1`` or by
    an extension module that does not declare free-threading support),
    ``switch_interval_s`` (``sys.getswitchinterval()``), ``lock``
    (``sys.thread_info.lock``: which C lock CPython builds its locks from) and
    ``thread_impl`` (``sys.thread_info.name``).
    """
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    gil_enabled = bool(is_enabled()) if is_enabled is not None else True
    return {
        "implementation": platform.python_implementation(),
        "version": platform.python_version(),
        "executable": sys.executable,
        "free_threaded_build": free_threaded,
        "gil_enabled": gil_enabled,
        "switch_interval_s": sys.getswitchinterval(),
        "lock": sys.thread_info.lock,
        "thread_impl": sys.thread_info.name,
    }


def os_thread_ids() -> set[int]:
    """The kernel's list of this process's threads, as thread ids.

    Reads ``/proc/self/task`` (Linux): one directory per kernel thread, named
    by its id. Raises :class:`OSError` where there is no such directory.
    """
    try:
        names = os.listdir("/proc/self/task")
    except FileNotFoundError:
        raise OSError(
            "/proc/self/task is not available: the kernel's own thread list "
            "is read from procfs, which this system does not have"
        ) from None
    return {int(name) for name in names}


@contextlib.contextmanager
def parked_threads(count: int, timeout: float = 10.0) -> Iterator[list[threading.Thread]]:
    """Start ``count`` threads that wait on an event, yield them, then stop them.

    Inside the ``with`` block every thread has started and has a
    ``native_id`` (the id the kernel gave it). On leaving the block the event
    is set and every thread is joined, whatever happened inside, and (on
    Linux) the kernel no longer lists any of them. The threads
    also give up by themselves after ``timeout`` seconds, so a caller that
    never leaves the block cannot leave them behind forever.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    release = threading.Event()
    started = threading.Barrier(count + 1)

    def park() -> None:
        started.wait(timeout)
        release.wait(timeout)

    threads = [
        threading.Thread(target=park, name=f"parked-{i}", daemon=True)
        for i in range(count)
    ]
    for thread in threads:
        thread.start()
    try:
        started.wait(timeout)
        yield threads
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout)
        _wait_until_exited({t.native_id for t in threads}, timeout)


def _wait_until_exited(native_ids: set, timeout: float) -> None:
    """Wait until the kernel no longer lists these threads (Linux only).

    ``Thread.join`` returns once the thread has finished running Python; the
    kernel thread then still has a few instructions of C to run before it
    exits and leaves ``/proc/self/task``.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if not native_ids & os_thread_ids():
                return
        except OSError:  # no procfs: nothing to wait for
            return
        time.sleep(0.001)


# --- workloads: each takes a number of work units and does that many ---------

def countdown(units: int) -> None:
    """Pure-Python CPU work: count ``units`` down to zero (Beazley's count)."""
    n = units
    while n > 0:
        n -= 1


def hash_chunks(units: int) -> None:
    """CPU work in C with the GIL released: SHA-256 over ``units`` MiB."""
    digest = hashlib.sha256()
    for _ in range(units):
        digest.update(CHUNK)


def socket_waits(units: int, wait: float = 0.01) -> None:
    """Blocking I/O: ``units`` reads that each wait ``wait`` s for a socket.

    Each read blocks in the kernel on an idle socket pair until its timeout
    expires; CPython releases the GIL around the blocking call, as it does
    around every system call that may wait.
    """
    a, b = socket.socketpair()
    try:
        a.settimeout(wait)
        for _ in range(units):
            try:
                a.recv(1)
            except TimeoutError:  # socket.timeout, an alias since 3.10
                pass
            else:  # pragma: no cover - nobody writes to b
                raise RuntimeError("unexpected data on an idle socket")
    finally:
        a.close()
        b.close()


#: The workloads by name, as the CLI and the docs call them.
WORKLOADS: dict[str, Callable[[int], None]] = {
    "countdown": countdown,
    "hash": hash_chunks,
    "io": socket_waits,
}


def _run_split(task: Callable[[int], None], units: int, threads: int) -> float:
    share, extra = divmod(units, threads)
    shares = [share + (1 if i < extra else 0) for i in range(threads)]
    workers = [threading.Thread(target=task, args=(s,), daemon=True) for s in shares]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - start


def split_timing(task: Callable[[int], None] | str, units: int, threads: int = 2,
                 repeat: int = 3) -> dict:
    """Time ``units`` of work done by one thread, then split over ``threads``.

    ``task`` is a callable taking a number of units, or a name from
    :data:`WORKLOADS`. Each side is timed ``repeat`` times, interleaved, and
    the fastest run of each is kept (the least disturbed by the rest of the
    machine). Returns ``sequential_s``, ``threaded_s`` and
    ``ratio = threaded_s / sequential_s``: about 1 when the GIL serialises the
    work, about ``1/threads`` when the threads really run in parallel (on
    enough cores).
    """
    if isinstance(task, str):
        try:
            task = WORKLOADS[task]
        except KeyError:
            raise ValueError(
                f"unknown workload {task!r}; choose from {', '.join(WORKLOADS)}"
            ) from None
    if units < 1 or threads < 1 or repeat < 1:
        raise ValueError("units, threads and repeat must all be at least 1")
    sequential, threaded = [], []
    for _ in range(repeat):
        # Both sides run in worker threads: on CPython the main thread can run
        # the same loop measurably slower than a worker, which would flatter
        # the threaded side.
        sequential.append(_run_split(task, units, 1))
        threaded.append(_run_split(task, units, threads))
    seq, thr = min(sequential), min(threaded)
    return {
        "threads": threads,
        "units": units,
        "sequential_s": seq,
        "threaded_s": thr,
        "ratio": thr / seq,
    }


def longest_stall(call: Callable[[], object], min_gap: float = 0.0005) -> dict:
    """Run ``call()`` in a worker thread; how long did *this* thread stop meanwhile?

    The calling thread spins, reading the clock, until the worker is done,
    and keeps every gap of more than ``min_gap`` seconds between two of its
    readings. If ``call`` holds the GIL from start to end (a long C call such
    as ``sum(range(n))``), the spinning thread cannot run at all: one gap
    covers the whole call. If ``call`` releases the GIL while it works, the
    spinning thread goes on; it stops only when the operating system gives
    its core to someone else, for a few milliseconds at most.

    Returns ``call_s`` (how long the call took), ``longest_stall_s`` (the
    longest gap that overlaps the call, clipped to it) and
    ``stall_fraction = longest_stall_s / call_s``: near 1 when the call
    kept the GIL, small when it let go. The result does not depend on the
    number of cores, which makes it a steadier test than a speed-up.
    """
    span: dict = {}

    def work() -> None:
        span["start"] = time.perf_counter()
        try:
            call()
        except BaseException as error:  # handed to the caller below
            span["error"] = error
        span["end"] = time.perf_counter()

    worker = threading.Thread(target=work, daemon=True)
    gaps = []
    clock = time.perf_counter
    last = clock()
    worker.start()
    while worker.is_alive():
        now = clock()
        if now - last > min_gap:
            gaps.append((last, now))
        last = now
    worker.join()
    if "error" in span:
        raise RuntimeError("the call raised in the worker thread") from span["error"]
    start, end = span["start"], span["end"]
    clipped = [min(b, end) - max(a, start) for a, b in gaps if b > start and a < end]
    longest = max(clipped, default=0.0)
    return {
        "call_s": end - start,
        "longest_stall_s": longest,
        "stall_fraction": longest / (end - start) if end > start else 0.0,
    }


@contextlib.contextmanager
def switch_interval(seconds: float) -> Iterator[float]:
    """Set ``sys.setswitchinterval(seconds)`` for a ``with`` block, then restore it."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield sys.getswitchinterval()
    finally:
        sys.setswitchinterval(old)


def measure_slices(seconds: float = 0.5, interval: float | None = None,
                   threads: int = 2, keep_runs: bool = False) -> dict:
    """How long does a CPU-bound thread run before another one gets a turn?

    ``threads`` threads spin for ``seconds``. Each one, at every loop
    iteration, notes whether it was the last thread to write the shared
    ``owner`` slot; when it was not, another thread ran since, so a *switch*
    happened. The times between switches are the slices each thread got.

    With a GIL and several CPU-bound threads, a slice lasts about one switch
    interval (3.2+): the waiting thread asks the holder to drop the GIL after
    waiting that long. Without a GIL the threads run at once and "switches"
    are just the two loops interleaving, far shorter than an interval.

    ``interval`` temporarily sets ``sys.setswitchinterval``. Returns
    ``interval_s``, ``switches``, ``median_slice_s`` and ``slices_per_s``;
    with ``keep_runs`` also ``runs``: ``[start_s, end_s, thread_index]`` for
    each uninterrupted run, times relative to the first switch (what a
    timeline of who ran when is drawn from).
    """
    if seconds <= 0 or threads < 2:
        raise ValueError("seconds must be > 0 and threads at least 2")
    owner = [None]
    switches: list[float] = []
    ready = threading.Barrier(threads)

    def spin(me: int, deadline_box: list) -> None:
        ready.wait()
        deadline = deadline_box[0]
        clock = time.perf_counter
        while clock() < deadline:
            if owner[0] != me:
                owner[0] = me
                switches.append((clock(), me))  # list.append is atomic

    with contextlib.ExitStack() as stack:
        if interval is not None:
            stack.enter_context(switch_interval(interval))
        deadline_box = [time.perf_counter() + seconds + 0.05]
        workers = [
            threading.Thread(target=spin, args=(i, deadline_box), daemon=True)
            for i in range(threads)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(seconds + 10)
        used = sys.getswitchinterval()
    # A thread can be stopped between reading the clock and appending, so an
    # entry may be stamped a little early; sorting by time and merging
    # neighbours from the same thread keeps the runs consistent.
    switches.sort()
    merged = [entry for i, entry in enumerate(switches)
              if i == 0 or entry[1] != switches[i - 1][1]]
    times = [t for t, _ in merged]
    slices = [b - a for a, b in zip(times, times[1:])]
    result = {
        "interval_s": used,
        "switches": len(slices),
        "median_slice_s": statistics.median(slices) if slices else None,
        "slices_per_s": len(slices) / (times[-1] - times[0]) if len(times) > 1 else 0.0,
    }
    if keep_runs:
        origin = times[0] if times else 0.0
        result["runs"] = [[a - origin, b - origin, who]
                          for (a, who), (b, _) in zip(merged, merged[1:])]
    return result
