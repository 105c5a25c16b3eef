"""The simulated machine: a clock, cores, an OS scheduler and blocking primitives.

Everything is in integer nanoseconds and every choice is made either by a
rule or by one ``random.Random(seed)``, so the same inputs give the same run,
event for event.

The threads and the operations they yield are in :mod:`gilexamples.sim.ops`.

The OS model is a small CFS: each thread has a virtual runtime (CPU time
used); the run queue picks the smallest; a woken thread is credited for its
sleep and may preempt a running thread whose virtual runtime is ahead by
more than the wake-up granularity; a periodic scheduler tick preempts a thread
that used its slice while others wait. A thread woken onto an *idle* core
starts only after a wake-up latency (inter-processor interrupt, leaving an
idle state); on a busy core, a wake-up preemption takes effect when the
running thread next returns from a system call (its next yield).
"""

from __future__ import annotations

import heapq
import random

from gilexamples.sim.ops import (MS, S, US, Block, Flag, OSParams, Run, Sleep, SimThread,
                                 WaitQueue)

__all__ = ["US", "MS", "S", "OSParams", "Run", "Block", "Sleep", "Flag", "WaitQueue", "Kernel",
           "SimThread"]


class Kernel:
    """The event loop, the cores and the scheduler."""

    def __init__(self, cores: int, seed: int, os_params: OSParams | None = None,
                 recorder=None):
        if not isinstance(cores, int) or cores < 1:
            raise ValueError(f"cores must be an int >= 1, got {cores!r}")
        self.os = os_params or OSParams()
        self.os.validate()
        self.now = 0
        self.rng = random.Random(seed)
        self._events: list = []
        self._seq = 0
        self.cores: list[SimThread | None] = [None] * cores
        self.idle_since = [0] * cores
        self.runq: list[SimThread] = []
        self.threads: list[SimThread] = []
        self.current: SimThread | None = None
        self.min_vruntime = 0
        self.recorder = recorder
        self._watchers: dict[int, list[SimThread]] = {}
        self.context_switches = 0

    # -- building ----------------------------------------------------------
    def flag(self, name: str) -> Flag:
        return Flag(self, name)

    def waitqueue(self, name: str) -> WaitQueue:
        return WaitQueue(self, name)

    def spawn(self, name: str, program, *args, start: int = 0, traced: bool = True) -> SimThread:
        """Start ``program(thread, *args)`` (a generator function) at time ``start``."""
        thread = SimThread(self, len(self.threads), name, traced)
        thread.gen = program(thread, *args)
        self.threads.append(thread)
        if self.recorder is not None and traced:
            self.recorder.add_thread(thread)
        self.at(start, self._arrive, thread, thread.epoch)
        return thread

    def at(self, when: int, fn, *args) -> None:
        heapq.heappush(self._events, (int(when), self._seq, fn, args))
        self._seq += 1

    # -- running -----------------------------------------------------------
    def run(self, until: int | None = None) -> int:
        """Process events until every thread ended, or until time ``until``; return the time."""
        self.at(self.os.tick_ns, self._tick)
        events = self._events
        while events:
            when, _, fn, args = events[0]
            if until is not None and when > until:
                self.now = until
                break
            heapq.heappop(events)
            self.now = when
            fn(*args)
            if all(t.state == "done" for t in self.threads):
                break
        for thread in self.threads:
            self._account(thread)
        if self.recorder is not None:
            self.recorder.close(self.now)
        return self.now

    def set_activity(self, thread: SimThread, activity: str | None) -> None:
        """What the program is doing (run, wait, io, or None): drives the trace."""
        if thread.activity != activity:
            thread.activity = activity
            self._record(thread)

    def event(self, thread: SimThread, kind: str) -> None:
        if self.recorder is not None and thread.traced:
            self.recorder.event(self.now, thread.tid, kind)

    def wake_latency(self) -> int:
        """Delay before a thread woken onto an idle core runs: shallow or deep idle."""
        os_ = self.os
        idle_for = self.now - max(self.idle_since[i] for i, t in enumerate(self.cores)
                                  if t is None)
        latency = os_.wake_latency_ns
        if os_.wake_spread_ns:
            latency += self.rng.randrange(os_.wake_spread_ns)
        if idle_for > os_.deep_idle_after_ns and os_.deep_idle_extra_ns:
            latency += self.rng.randrange(os_.deep_idle_extra_ns)
        return latency

    # -- internals: trace ------------------------------------------------
    def _record(self, thread: SimThread) -> None:
        if self.recorder is None or not thread.traced:
            return
        activity = thread.activity
        if activity == "run" and thread.state != "running":
            activity = "ready"  # wants to run Python (and may hold the GIL) but has no core
        self.recorder.state(self.now, thread.tid, activity)

    # -- internals: scheduling ---------------------------------------------
    def _vr(self, thread: SimThread) -> int:
        if thread.state == "running":
            return thread.vruntime + (self.now - thread.on_core_since)
        return thread.vruntime

    def _account(self, thread: SimThread) -> None:
        if thread.state == "running":
            thread.vruntime += self.now - thread.on_core_since
            thread.on_core_since = self.now

    def _update_min_vruntime(self) -> None:
        candidates = [self._vr(t) for t in self.cores if t is not None]
        candidates += [t.vruntime for t in self.runq]
        if candidates:
            self.min_vruntime = max(self.min_vruntime, min(candidates))

    def _wake(self, thread: SimThread, result) -> None:
        """A blocked thread becomes runnable (notify, time-out or end of sleep)."""
        if thread.state != "blocked":
            return
        if thread.queue is not None:
            try:
                thread.queue.waiters.remove(thread)
            except ValueError:
                pass
            thread.queue = None
        thread.result = result
        thread.epoch += 1
        thread.state = "waking"
        if None in self.cores:
            self.at(self.now + self.wake_latency(), self._arrive, thread, thread.epoch)
        else:
            self._arrive(thread, thread.epoch)

    def _arrive(self, thread: SimThread, epoch: int) -> None:
        """A runnable thread reaches the scheduler: run it on an idle core or queue it."""
        if epoch != thread.epoch or thread.state not in ("new", "waking"):
            return
        self._update_min_vruntime()
        credit = self.os.sched_latency_ns // 2
        thread.vruntime = max(thread.vruntime, self.min_vruntime - credit)
        if None in self.cores:
            self._dispatch(self.cores.index(None), thread)
            return
        self._enqueue(thread)
        victim = max((t for t in self.cores if t is not None),
                     key=lambda t: (self._vr(t), t.tid))
        if self._vr(victim) - thread.vruntime > self.os.wakeup_granularity_ns:
            self._resched(victim)

    def _enqueue(self, thread: SimThread) -> None:
        thread.state = "ready"
        thread.enqueued = self._seq
        self._seq += 1
        self.runq.append(thread)
        self._record(thread)

    def _resched(self, thread: SimThread) -> None:
        """Preempt a running thread: now if it is inside a Run, else at its next yield."""
        thread.need_resched = True
        if thread is not self.current and thread.op is not None:
            self._preempt(thread)

    def _preempt(self, thread: SimThread) -> None:
        self._suspend_run(thread)
        self._requeue(thread)

    def _requeue(self, thread: SimThread) -> None:
        """Take a running thread off its core, queue it, and give the core to the next."""
        core = thread.core
        self._leave_core(thread)
        self._enqueue(thread)
        self._schedule(core)

    def _leave_core(self, thread: SimThread) -> None:
        self._account(thread)
        self.cores[thread.core] = None
        self.idle_since[thread.core] = self.now
        thread.core = None
        thread.need_resched = False

    def _schedule(self, core: int) -> None:
        if self.cores[core] is not None or not self.runq:
            return
        best = min(self.runq, key=lambda t: (t.vruntime, t.enqueued))
        self.runq.remove(best)
        self._dispatch(core, best)

    def _dispatch(self, core: int, thread: SimThread) -> None:
        self.cores[core] = thread
        thread.core = core
        thread.state = "running"
        thread.on_core_since = self.now
        thread.need_resched = False
        self.context_switches += 1
        self._record(thread)
        if thread.op is not None:
            self._start_run(thread)
        else:
            self._step(thread)

    def _tick(self) -> None:
        """The scheduler tick: preempt threads that used their slice while others wait."""
        if self.runq:
            running = sum(1 for t in self.cores if t is not None) + len(self.runq)
            slice_ns = max(self.os.min_granularity_ns, self.os.sched_latency_ns // running)
            for thread in list(self.cores):
                if thread is None or not self.runq:
                    continue
                waiting_vr = min(t.vruntime for t in self.runq)
                if (self.now - thread.on_core_since >= slice_ns
                        and self._vr(thread) > waiting_vr):
                    self._preempt(thread)
        # Keep ticking while something can still happen: a thread that can run, or a
        # pending event (a time-out, a delivery) that can wake one. Threads blocked with
        # nothing left to wake them are deadlocked: the run ends.
        if self._events or any(t.state not in ("done", "blocked") for t in self.threads):
            self.at(self.now + self.os.tick_ns, self._tick)

    # -- internals: running a program ---------------------------------------
    def _step(self, thread: SimThread) -> None:
        """Advance a thread that is on a core and has no operation in progress."""
        while True:
            if thread.need_resched and self.runq:
                self._requeue(thread)
                return
            thread.need_resched = False
            self.current = thread
            try:
                op = thread.gen.send(thread.result)
            except StopIteration:
                self.current = None
                self._finish(thread)
                return
            finally:
                self.current = None
            thread.result = None
            if isinstance(op, Run):
                if op.ns == 0:
                    thread.result = 0
                    continue
                thread.op = op
                if thread.need_resched and self.runq:
                    self._requeue(thread)
                else:
                    thread.need_resched = False
                    self._start_run(thread)
                return
            if isinstance(op, Block):
                self._block(thread, op.queue, op.timeout)
                return
            if isinstance(op, Sleep):
                self._block(thread, None, op.ns)
                return
            raise TypeError(f"thread {thread.name} yielded {op!r}, not Run/Block/Sleep")

    def _finish(self, thread: SimThread) -> None:
        core = thread.core
        self._leave_core(thread)
        thread.state = "done"
        thread.finished_at = self.now
        thread.activity = None
        self._record(thread)
        self._schedule(core)

    def _block(self, thread: SimThread, queue: WaitQueue | None, timeout: int | None) -> None:
        core = thread.core
        self._leave_core(thread)
        thread.state = "blocked"
        thread.epoch += 1
        self._record(thread)
        if queue is not None:
            thread.queue = queue
            queue.waiters.append(thread)
        if timeout is not None:
            self.at(self.now + max(0, int(timeout)), self._timeout, thread, thread.epoch,
                    queue is None)
        self._schedule(core)

    def _timeout(self, thread: SimThread, epoch: int, sleeping: bool) -> None:
        if epoch == thread.epoch and thread.state == "blocked":
            self._wake(thread, True if sleeping else False)

    def _boundary(self, op: Run, progress: int) -> int:
        """ns of work from ``progress`` to the next check boundary (at least 1 check away)."""
        return op.check - (progress % op.check)

    def _start_run(self, thread: SimThread) -> None:
        op = thread.op
        thread.seg_start = self.now
        length = op.ns - op.done
        if op.flag is not None and op.flag.value:
            length = min(length, self._boundary(op, op.done))
        elif op.flag is not None:
            self._watchers.setdefault(id(op.flag), []).append(thread)
        thread.epoch += 1
        thread.run_end = self.now + length
        self.at(thread.run_end, self._run_end, thread, thread.epoch)

    def _suspend_run(self, thread: SimThread) -> None:
        op = thread.op
        if op is None:
            return
        op.done += self.now - thread.seg_start
        thread.seg_start = self.now
        thread.epoch += 1
        self._unwatch(thread, op)

    def _unwatch(self, thread: SimThread, op: Run) -> None:
        if op.flag is not None:
            watchers = self._watchers.get(id(op.flag))
            if watchers and thread in watchers:
                watchers.remove(thread)

    def _run_end(self, thread: SimThread, epoch: int) -> None:
        if epoch != thread.epoch or thread.state != "running":
            return
        op = thread.op
        op.done += self.now - thread.seg_start
        self._unwatch(thread, op)
        thread.op = None
        thread.result = op.done
        self._step(thread)

    def _flag_raised(self, flag: Flag) -> None:
        """A watched flag was set: running Runs stop at their next check boundary."""
        for thread in list(self._watchers.get(id(flag), ())):
            op = thread.op
            if op is None or thread.state != "running" or op.flag is not flag:
                continue
            progress = op.done + (self.now - thread.seg_start)
            end = self.now + min(op.ns - progress, self._boundary(op, progress))
            if end < thread.run_end:
                thread.epoch += 1
                thread.run_end = end
                self.at(end, self._run_end, thread, thread.epoch)
        self._watchers[id(flag)] = []
