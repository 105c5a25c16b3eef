"""Signal handlers installed for a while, and the process left as it was.

Most demos in :mod:`gilexamples.signals` install a handler or arm a timer
through :func:`alarm` and :func:`handler`, which put back what was there
before, *including a timer someone else had armed* (pytest-timeout arms
``ITIMER_REAL`` around every test: a demo that simply disarmed the timer
would switch that safety net off). The few that touch something else (the
wakeup fd, a sub-interpreter, ``faulthandler.register``) restore it
themselves. :func:`snapshot` is what the tests compare before and after.
"""

from __future__ import annotations

import faulthandler
import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

__all__ = ["RecordingHandler", "Interrupted", "handler", "alarm", "snapshot", "require_main_thread",
           "clock"]

#: The clock every demo uses (seconds, monotonic, high resolution).
clock = time.perf_counter


class Interrupted(Exception):
    """Raised by a :class:`RecordingHandler` made with ``raise_it=True``."""


@dataclass
class RecordingHandler:
    """A signal handler that notes when it ran and in which thread.

    ``times`` are :data:`clock` readings, ``threads`` thread names, one per
    call. With ``raise_it`` it raises :class:`Interrupted` after noting, the
    way a handler stops what the main thread was doing.
    """

    raise_it: bool = False
    times: list[float] = field(default_factory=list)
    threads: list[str] = field(default_factory=list)

    def __call__(self, signum, frame) -> None:
        self.times.append(clock())
        self.threads.append(threading.current_thread().name)
        if self.raise_it:
            raise Interrupted(f"signal {signum} arrived")

    @property
    def ran(self) -> bool:
        return bool(self.times)


def require_main_thread(what: str) -> None:
    """Python handlers can only be installed from the main thread: say so plainly."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError(f"{what} must run in the main thread (signal.signal only works there)")


@contextmanager
def handler(signum: int, function):
    """Install ``function`` as the Python handler of ``signum``; restore the old one."""
    require_main_thread("installing a signal handler")
    old = signal.signal(signum, function)
    try:
        yield function
    finally:
        signal.signal(signum, old)


@contextmanager
def alarm(seconds: float, function):
    """Handle SIGALRM with ``function`` and arm ``ITIMER_REAL`` to fire in ``seconds``.

    Yields the :data:`clock` time at which the timer fires. On exit the timer
    is disarmed, the old handler put back, and a timer that was armed before
    is armed again with what was left of it.
    """
    if not seconds > 0:
        raise ValueError(f"seconds must be > 0, not {seconds!r}")
    require_main_thread("arming a timer signal")
    old_handler = signal.signal(signal.SIGALRM, function)
    started = clock()
    try:
        old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    except BaseException:
        signal.signal(signal.SIGALRM, old_handler)
        raise
    try:
        yield started + seconds
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_delay > 0:
            left = max(old_delay - (clock() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left, old_interval)


@dataclass(frozen=True)
class State:
    """What a demo must leave as it found it."""

    handlers: dict
    itimer_armed: bool
    itimer_interval: float
    wakeup_fd: int
    faulthandler_enabled: bool
    #: The kernel's view (``/proc/self/status``, Linux): signals with a
    #: C-level handler (``SigCgt``), ignored (``SigIgn``) and blocked in the
    #: main thread (``SigBlk``), as sets of signal numbers; ``None`` elsewhere.
    #: These catch what :attr:`handlers` cannot see: a C handler left behind
    #: by ``faulthandler.register`` or a mask left by ``pthread_sigmask``.
    kernel: dict | None = None


#: glibc's own real-time signals (SIGCANCEL, SIGSETXID, ...): glibc installs
#: their handlers itself, e.g. when the first thread starts. Not a demo's doing.
_GLIBC_INTERNAL = frozenset(range(32, 35))


def _kernel_signal_sets() -> dict | None:
    """SigCgt, SigIgn and SigBlk of this (main) thread, from ``/proc/self/status``."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            lines = status.read().splitlines()
    except OSError:
        return None
    sets = {}
    for line in lines:
        name, _, value = line.partition(":")
        if name in ("SigCgt", "SigIgn", "SigBlk"):
            mask = int(value.strip(), 16)
            sets[name] = frozenset(bit + 1 for bit in range(mask.bit_length())
                                   if mask >> bit & 1) - _GLIBC_INTERNAL
    return sets


def snapshot() -> State:
    """The process's signal state now (main thread only).

    Reading the wakeup fd means setting it: ``set_wakeup_fd(-1)`` returns the
    old fd, which is then put back at once. A signal arriving in between
    writes no byte, and ``warn_on_full_buffer`` goes back to its default
    (True). Harmless for the tests; do not call this around a real event loop.
    """
    require_main_thread("snapshot()")
    handlers = {}
    for signum in sorted(signal.valid_signals()):
        try:
            handlers[int(signum)] = signal.getsignal(signum)
        except (ValueError, OSError):
            continue
    delay, interval = signal.getitimer(signal.ITIMER_REAL)
    fd = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(fd)
    return State(handlers, delay > 0, interval, fd, faulthandler.is_enabled(),
                 _kernel_signal_sets())
