"""GIL policies: the tick GIL of Python 2, the switching GIL of 3.2+, variants, none.

Each policy is written as generator code for the simulated threads of
:mod:`gilexamples.sim.kernel`, following the C it models step by step:

* ``ticks``: Python 2's ``Python/ceval.c``: the GIL is a plain lock (a POSIX
  semaphore on Linux); every ``check_interval`` ticks the holder releases it
  and at once asks for it back. Releasing a lock someone sleeps on costs a
  ``futex`` wake-up system call; the woken thread needs an OS wake-up latency
  before it can try, so on several cores the releaser usually wins.
* ``newgil``: ``Python/ceval_gil.h`` (3.2 to 3.11) / ``ceval_gil.c`` (3.12+):
  a waiter does a timed wait of one switch interval on a condition variable;
  if it times out and no switch happened meanwhile, it sets
  ``gil_drop_request``; the holder drops the GIL at its next eval-breaker
  check and, with ``FORCE_SWITCHING``, waits until another thread has taken it.
* ``newgil-noforce``: the same without ``FORCE_SWITCHING``: the dropper
  immediately asks for the GIL again (3.2's behaviour if the macro is off).
* ``priority``: ``newgil`` plus a priority request for a thread coming back
  from blocking I/O: it asks the holder to drop at once instead of after an
  interval, and gets the GIL before other waiters. This is the "priority
  requests" of Antoine Pitrou's 2009 new-GIL work, which What's New in 3.2
  (``Doc/whatsnew/3.2.rst`` at v3.2, lines 2286-2290) says "have not been kept
  for inclusion", in its simplest form; never shipped.
* ``nogil``: no GIL: threads run Python whenever the OS gives them a core
  (the free-threaded build, ignoring its own costs).
"""

from __future__ import annotations

from dataclasses import dataclass

from gilexamples.sim.kernel import MS, US, Block, Run, SimThread

__all__ = ["GILParams", "POLICIES", "make_policy", "Policy"]


@dataclass(frozen=True)
class GILParams:
    """The interpreter's side of the model."""

    #: 3.2+: the switch interval (sys.getswitchinterval(), 5 ms by default).
    interval_ns: int = 5 * MS
    #: 3.2+: how often a running thread looks at the eval breaker (between most bytecodes
    #: in 3.2; in 3.10+ only at function entry, loop back-edges and calls).
    eval_check_ns: int = 100
    #: 2.x: sys.getcheckinterval() ticks between releases, and the time one tick takes.
    check_interval: int = 100
    tick_ns: int = 25
    #: 2.x: CPU cost of sem_post when a thread sleeps on the semaphore (futex wake syscall).
    wake_cost_ns: int = 2500
    #: 2.x: CPU cost of a failed attempt before going back to sleep (futex wait syscall).
    retry_cost_ns: int = 1 * US
    #: 2.x: the instructions between the release and the re-acquire.
    gap_ns: int = 20

    def validate(self) -> None:
        for name, value in vars(self).items():
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"GILParams.{name} must be an int >= 0, got {value!r}")
        for name in ("interval_ns", "eval_check_ns", "check_interval", "tick_ns"):
            if getattr(self, name) <= 0:
                raise ValueError(f"GILParams.{name} must be > 0")


class Policy:
    """The interface every policy offers to workloads."""

    name = "?"
    has_gil = True

    def __init__(self, kernel, params: GILParams):
        params.validate()
        self.k = kernel
        self.p = params

    # Generators, used as ``yield from policy.take(thread)``.
    def take(self, th: SimThread, after_io: bool = False):
        raise NotImplementedError

    def drop(self, th: SimThread, for_io: bool = False):
        raise NotImplementedError

    def on_check(self, th: SimThread):
        """The holder stopped at a check because the breaker flag is set."""
        raise NotImplementedError

    def breaker(self, th: SimThread):
        """(check ns, flag) a running holder watches, or (0, None)."""
        raise NotImplementedError

    def start(self, th: SimThread):
        """A new thread begins: take the GIL."""
        yield from self.take(th)

    def exit(self, th: SimThread):
        """A thread ends: release the GIL."""
        yield from self.drop(th)
        self.k.set_activity(th, None)

    def python(self, th: SimThread, ns: int):
        """Execute ``ns`` of Python code (the thread holds the GIL)."""
        while ns > 0:
            check, flag = self.breaker(th)
            done = yield Run(ns, check, flag)
            ns -= done
            if ns > 0:
                yield from self.on_check(th)

    def io(self, th: SimThread, syscall):
        """Call a blocking system call (a generator) with the GIL released around it."""
        yield from self.drop(th, for_io=True)
        self.k.set_activity(th, "io")
        result = yield from syscall
        yield from self.take(th, after_io=True)
        return result


class Ticks(Policy):
    """Python 2.x: release and re-acquire a plain lock every ``check_interval`` ticks."""

    name = "ticks"

    def __init__(self, kernel, params):
        super().__init__(kernel, params)
        self.free = True
        self.sleepers = kernel.waitqueue("gil-semaphore")
        self.contended = kernel.flag("someone-waits")
        self.wanting = 0
        self.holder: SimThread | None = None

    def breaker(self, th):
        # Uncontended releases change nothing: the holder is only stopped at a check
        # when someone waits (the simulation stays fast, the timeline identical).
        return self.p.check_interval * self.p.tick_ns, self.contended

    def take(self, th, after_io=False, quiet=False):
        k = self.k
        if not self.free:
            k.set_activity(th, "wait")
            self.wanting += 1
            self.contended.set()
            while not self.free:
                yield Block(self.sleepers)            # sem_wait: sleep in the kernel
                if not self.free:                      # woke up too late: taken again
                    k.event(th, "fail")
                    yield Run(self.p.retry_cost_ns)
            self.wanting -= 1
            if not self.wanting:
                self.contended.clear()
        self.free = False
        if not quiet or self.holder is not th:
            k.event(th, "take")
        self.holder = th
        k.set_activity(th, "run")

    def drop(self, th, for_io=False):
        self.free = True
        self.k.event(th, "drop")
        self.k.set_activity(th, "io" if for_io else "wait")
        if self.sleepers.notify():                    # sem_post: futex wake syscall
            yield Run(self.p.wake_cost_ns)

    def on_check(self, th):
        # ceval.c: if (--_Py_Ticker < 0) { release_lock(); /* others may run */ acquire_lock(); }
        # A release nobody sleeps on is a few instructions: it is not drawn.
        self.free = True
        if self.sleepers.notify():                    # sem_post: futex wake syscall
            self.k.event(th, "drop")
            self.k.set_activity(th, "wait")
            yield Run(self.p.wake_cost_ns)
            yield Run(self.p.gap_ns)
            yield from self.take(th)
        else:
            # Nobody asleep on the lock: the release and the re-acquire are a few
            # instructions apart, too close for a thread still waking up to slip in.
            yield from self.take(th, quiet=True)


class NewGIL(Policy):
    """3.2+: timed waits, drop requests and forced switching."""

    name = "newgil"
    force_switching = True

    def __init__(self, kernel, params):
        super().__init__(kernel, params)
        self.locked = False
        self.last_holder: SimThread | None = None
        self.switch_number = 0
        self.drop_request = kernel.flag("gil_drop_request")
        self.cond = kernel.waitqueue("gil_cond")
        self.switch_cond = kernel.waitqueue("switch_cond")

    def breaker(self, th):
        return self.p.eval_check_ns, self.drop_request

    def _may_take(self, th, after_io):
        return not self.locked

    def take(self, th, after_io=False):
        k = self.k
        k.set_activity(th, "wait")
        while not self._may_take(th, after_io):
            saved = self.switch_number
            signalled = yield Block(self.cond, self.p.interval_ns)   # COND_TIMED_WAIT
            if (not signalled and self.locked and self.switch_number == saved
                    and not self.drop_request.value):
                self.drop_request.set()                              # SET_GIL_DROP_REQUEST
                k.event(th, "request")
        self._ready(th)

    def _ready(self, th):
        self.locked = True
        if self.last_holder is not th:
            self.last_holder = th
            self.switch_number += 1
        if self.force_switching:
            self.switch_cond.notify()                                # COND_SIGNAL(switch_cond)
        if self.drop_request.value:
            self.drop_request.clear()                                # RESET_GIL_DROP_REQUEST
        self.k.event(th, "take")
        self.k.set_activity(th, "run")

    def _signal_waiters(self):
        self.cond.notify()                                           # COND_SIGNAL(gil_cond)

    def drop(self, th, for_io=False):
        k = self.k
        self.locked = False
        k.event(th, "drop")
        k.set_activity(th, "io" if for_io else "wait")
        self._signal_waiters()
        if self.force_switching and self.drop_request.value and self.last_holder is th:
            self.drop_request.clear()
            yield Block(self.switch_cond)                            # wait until someone took it

    def on_check(self, th):
        # ceval: if (gil_drop_request) { drop_gil(tstate); /* others run */ take_gil(tstate); }
        yield from self.drop(th)
        yield from self.take(th)


class NewGILNoForce(NewGIL):
    """3.2's algorithm with FORCE_SWITCHING turned off."""

    name = "newgil-noforce"
    force_switching = False


class Priority(NewGIL):
    """newgil + priority requests: a thread back from I/O preempts a CPU-bound holder."""

    name = "priority"

    def __init__(self, kernel, params):
        super().__init__(kernel, params)
        self.priority_waiting = 0
        self.priority_cond = kernel.waitqueue("priority_cond")

    def _may_take(self, th, after_io):
        return not self.locked and (after_io or not self.priority_waiting)

    def take(self, th, after_io=False):
        if not after_io or not self.locked:
            yield from super().take(th, after_io)
            return
        k = self.k
        k.set_activity(th, "wait")
        self.priority_waiting += 1
        if not self.drop_request.value:
            self.drop_request.set()                                  # ask at once, no interval
            k.event(th, "request")
        while self.locked:
            yield Block(self.priority_cond)
        self.priority_waiting -= 1
        self._ready(th)

    def _signal_waiters(self):
        if self.priority_waiting:
            self.priority_cond.notify()
        else:
            self.cond.notify()


class NoGIL(Policy):
    """Free-threaded: no global lock at all."""

    name = "nogil"
    has_gil = False

    def breaker(self, th):
        return 0, None

    def take(self, th, after_io=False):
        self.k.set_activity(th, "run")
        return
        yield  # pragma: no cover  (makes this a generator)

    def drop(self, th, for_io=False):
        self.k.set_activity(th, "io" if for_io else None)
        return
        yield  # pragma: no cover

    def on_check(self, th):  # pragma: no cover  (never stopped: no flag)
        return
        yield


POLICIES = {cls.name: cls for cls in (Ticks, NewGIL, NewGILNoForce, Priority, NoGIL)}


def make_policy(name: str, kernel, params: GILParams) -> Policy:
    try:
        cls = POLICIES[name]
    except KeyError:
        raise ValueError(f"unknown policy {name!r} (known: {', '.join(POLICIES)})") from None
    return cls(kernel, params)
