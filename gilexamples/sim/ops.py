"""The simulated machine's parts: time units, OS parameters, threads, and what they yield.

A simulated thread is a Python generator. Between two ``yield`` statements it
acts instantly (it reads and writes shared state: that is how the GIL
policies are written); it spends time only by yielding an operation:

* :class:`Run` ``(ns, check, flag)``: use ``ns`` of CPU time on a core. If
  ``flag`` is set while it runs (or was set before), the run stops early at
  the next multiple of ``check`` ns of progress: that is the interpreter
  looking at its "eval breaker" (in CPython: before most bytecodes in 3.2; at
  function entry, backward jumps and calls in 3.12). The generator receives the
  ns actually done.
* :class:`Block` ``(queue, timeout)``: leave the core and sleep on a wait
  queue (a futex, a condition variable) until :meth:`WaitQueue.notify` or the
  timeout; the generator receives True if notified, False on time-out.
* :class:`Sleep` ``(ns)``: leave the core for ``ns``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gilexamples.sim.kernel import Kernel

__all__ = ["US", "MS", "S", "OSParams", "Run", "Block", "Sleep", "Flag", "WaitQueue", "SimThread"]

US = 1_000
MS = 1_000_000
S = 1_000_000_000


@dataclass(frozen=True)
class OSParams:
    """The operating system's side: how fast a wake-up is, how the scheduler shares cores."""

    #: A thread woken onto an idle core starts after latency + uniform[0, spread) ns...
    wake_latency_ns: int = 1 * US
    wake_spread_ns: int = 8 * US
    #: ...plus up to ``deep_idle_extra_ns`` when that core has been idle longer than
    #: ``deep_idle_after_ns`` (it went into a deep idle state, slower to leave).
    deep_idle_after_ns: int = 300 * US
    deep_idle_extra_ns: int = 30 * US
    #: Target latency, minimum slice, wake-up granularity: Linux CFS's base values
    #: (kernel/sched/fair.c, for 1 CPU, unscaled: the kernel multiplies them by
    #: 1 + log2(CPUs), so 2 CPUs get 12 ms / 1.5 ms / 2 ms). Kernels >= 6.6 schedule
    #: with EEVDF instead of CFS. The tick is 1 ms with CONFIG_HZ=1000 (4 ms at 250 Hz).
    sched_latency_ns: int = 6 * MS
    min_granularity_ns: int = 750 * US
    wakeup_granularity_ns: int = 1 * MS
    tick_ns: int = 1 * MS

    def validate(self) -> None:
        for name, value in vars(self).items():
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"OSParams.{name} must be an int >= 0, got {value!r}")
        if self.tick_ns <= 0:
            raise ValueError("OSParams.tick_ns must be > 0")


class Run:
    """Use ``ns`` of CPU time; stop early at a ``check`` boundary once ``flag`` is set."""

    __slots__ = ("ns", "check", "flag", "done")

    def __init__(self, ns: int, check: int = 0, flag: Flag | None = None):
        if ns < 0:
            raise ValueError(f"Run needs ns >= 0, got {ns}")
        self.ns = int(ns)
        self.check = int(check)
        self.flag = flag if check > 0 else None
        self.done = 0


class Block:
    """Sleep on ``queue`` until notified (-> True) or ``timeout`` ns pass (-> False)."""

    __slots__ = ("queue", "timeout")

    def __init__(self, queue: WaitQueue, timeout: int | None = None):
        self.queue = queue
        self.timeout = timeout


class Sleep:
    """Leave the CPU for ``ns``."""

    __slots__ = ("ns",)

    def __init__(self, ns: int):
        self.ns = int(ns)


class Flag:
    """A shared boolean a running :class:`Run` can watch (the eval breaker)."""

    def __init__(self, kernel: Kernel, name: str):
        self.kernel = kernel
        self.name = name
        self.value = False

    def set(self) -> None:
        if not self.value:
            self.value = True
            self.kernel._flag_raised(self)

    def clear(self) -> None:
        self.value = False


class WaitQueue:
    """Threads asleep on one futex or condition variable, woken first in, first out."""

    def __init__(self, kernel: Kernel, name: str):
        self.kernel = kernel
        self.name = name
        self.waiters: deque[SimThread] = deque()

    def notify(self, n: int = 1) -> int:
        """Wake up to ``n`` sleepers (they receive True); return how many were woken."""
        woken = 0
        while self.waiters and woken < n:
            thread = self.waiters.popleft()
            self.kernel._wake(thread, True)
            woken += 1
        return woken

    def __len__(self) -> int:
        return len(self.waiters)


class SimThread:
    """One simulated OS thread running a generator program."""

    def __init__(self, kernel: Kernel, tid: int, name: str, traced: bool):
        self.kernel = kernel
        self.tid = tid
        self.name = name
        self.traced = traced
        self.gen = None
        self.state = "new"        # new, waking, ready, running, blocked, done
        self.result = None        # what the generator receives next
        self.op: Run | None = None
        self.core: int | None = None
        self.vruntime = 0
        self.on_core_since = 0
        self.seg_start = 0
        self.run_end = 0
        self.epoch = 0            # invalidates stale events for this thread
        self.need_resched = False
        self.queue: WaitQueue | None = None
        self.activity: str | None = None  # set by the program: run, wait, io
        self.finished_at: int | None = None
        self.enqueued = 0

    def __repr__(self) -> str:
        return f"<SimThread {self.tid} {self.name} {self.state}>"
