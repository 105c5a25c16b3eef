"""Experiment "signals": who runs a Python signal handler, when, and what a crash leaves.

CPython's C-level signal handler only records that a signal arrived; the
Python handler runs later, in the main thread, when the interpreter next
checks. This payload measures that under whatever interpreter runs it:

* ``handler_thread``: the thread that ran the handler of a signal sent to the
  process by a busy worker thread (always ``MainThread``);
* ``pthread_kill_handler_thread``: the same for a signal aimed at the worker
  thread itself with ``signal.pthread_kill`` (3.3+; ``None`` before);
* ``c_call_delay_s``: how late a timer signal's handler ran after the timer
  fired, while the main thread was inside one long C call (``sum(range(n))``),
  and ``c_call_handler_waited``: it ran only as the call returned;
  ``python_loop_delay_s`` and ``python_loop_handler_waited``: the same during
  a pure-Python loop of the same length (the handler runs on time);
* ``sleep_interrupted`` / ``sleep_resumed``: a handler ran before the end of
  a ``time.sleep`` (at under 95% of its length), and the sleep then went on
  to its full length (PEP 475, 3.5+) or was cut short (2.7);
* ``lock_wait_handler_delay_s``: how late the handler ran while the main
  thread waited on a lock held by a worker (interruptible since 3.2);
* ``wakeup_fd_woke_after_s``: a ``select`` on the ``set_wakeup_fd`` pipe woke
  up this long after the timer fired;
* ``signal_in_worker_error``: what ``signal.signal`` says when called from a
  worker thread; ``subinterpreter_signal_error`` and
  ``subinterpreter_signal_refused``: what it says in a sub-interpreter run in
  the main thread (3.8+, through the private ``_xxsubinterpreters`` or
  ``_interpreters`` module; ``None`` where there is neither);
* ``faulthandler_dumped``: a child that segfaults with faulthandler enabled
  left "Fatal Python error" and a traceback of every thread on stderr
  (``None`` on 2.7, which has no faulthandler; the reason is in
  ``faulthandler_reason``); ``crash_without_faulthandler_stderr_bytes``: what
  the same crash leaves with faulthandler off;
* ``watchdog_exit_status``: a hung child with
  ``faulthandler.dump_traceback_later(..., exit=True)`` ended by itself.

Lab payload: runs unchanged under Python 2.7 and 3.6+, stdlib only.
Usage: python signals.py '{"quick": true}'; optional params: "timer_s"
(when the timer fires, default 0.05), "c_call_s" (length of the long C call,
default 0.25 quick, 0.6 full). Prints {"metrics": {...}} on stdout.
"""
import errno
import fcntl
import os
import select
import signal
import sys
import threading
import time

import _common
from _crashes import crash_reports
from _installers import signal_in_worker, subinterpreter_signal
from _common import clock
PY2 = sys.version_info[0] == 2
if PY2:
    numbers = xrange  # noqa: F821 (Python 2 only)
else:
    numbers = range


class Interrupted(Exception):
    """Raised by a handler that wants to stop what the main thread was doing."""


class Recorder(object):
    """A signal handler that notes when it ran, in which thread, and may raise."""

    def __init__(self, raise_it=False):
        self.times = []
        self.threads = []
        self.raise_it = raise_it

    def __call__(self, signum, frame):
        self.times.append(clock())
        self.threads.append(threading.current_thread().name)
        if self.raise_it:
            raise Interrupted()


class Handler(object):
    """Install ``handler`` for ``signum``; put the old one back on exit."""

    def __init__(self, signum, handler):
        self.signum = signum
        self.handler = handler
        self.old = None

    def __enter__(self):
        self.old = signal.signal(self.signum, self.handler)
        return self.handler

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(self.signum, self.old)
        return False


def arm_timer(seconds):
    signal.setitimer(signal.ITIMER_REAL, seconds)
    return clock() + seconds


def spin_until(predicate, seconds):
    """Run Python bytecode (so the interpreter checks for signals) until predicate()."""
    deadline = clock() + seconds
    while not predicate() and clock() < deadline:
        pass
    return predicate()


# 1. Which thread runs the handler ------------------------------------------

def handler_thread():
    """A busy worker sends SIGUSR1 to the process; the main thread spins."""
    recorder = Recorder()
    stop = threading.Event()

    def worker():
        os.kill(os.getpid(), signal.SIGUSR1)
        while not stop.is_set():  # stay busy running Python code
            pass

    with Handler(signal.SIGUSR1, recorder):
        thread = threading.Thread(target=worker, name="worker")
        thread.start()
        try:
            spin_until(lambda: recorder.threads, 5.0)
        finally:
            stop.set()
            thread.join()
    return recorder.threads[0] if recorder.threads else None


def pthread_kill_handler_thread():
    """Aim SIGUSR1 at a busy worker thread with signal.pthread_kill (3.3+)."""
    if not hasattr(signal, "pthread_kill"):
        return None
    recorder = Recorder()
    stop = threading.Event()
    started = threading.Event()

    def worker():
        started.set()
        while not stop.is_set():
            pass

    with Handler(signal.SIGUSR1, recorder):
        thread = threading.Thread(target=worker, name="worker")
        thread.start()
        try:
            started.wait(5.0)
            signal.pthread_kill(thread.ident, signal.SIGUSR1)
            spin_until(lambda: recorder.threads, 5.0)
        finally:
            stop.set()
            thread.join()
    return recorder.threads[0] if recorder.threads else None


# 2. The delay during a long C call -----------------------------------------

def sum_size(seconds):
    """How many numbers sum() adds up in about ``seconds`` here.

    The size grows until one call takes 10 ms; at that size the fastest of
    three timings is used: on a busy machine a slow timing would make the call
    far shorter than asked for.
    """
    n = 200000
    while timed(lambda: sum(numbers(n))) < 0.01:
        n *= 2
    took = min(timed(lambda: sum(numbers(n))) for _ in range(3))
    return max(1, int(n * seconds / took))


def timed(work):
    start = clock()
    work()
    return clock() - start


def python_loop(seconds):
    """Pure Python until ``seconds`` have passed: a check on every turn."""
    end = clock() + seconds
    turns = 0
    while clock() < end:
        turns += 1
    return turns


def delay_during(work, timer_s):
    """Arm a timer, do ``work()``.

    Returns (how late the handler ran after the timer fired, how long the
    work took, whether the handler waited for the work: it ran in the last
    tenth of it, that is as the call returned). The handler runs at the first
    check after the call returns, before the next line of the caller.
    """
    recorder = Recorder()
    with Handler(signal.SIGALRM, recorder):
        start = clock()
        fires = arm_timer(timer_s)
        work()
        ended = clock()
        spin_until(lambda: recorder.times, 2.0)
    if not recorder.times:
        return None, ended - start, None
    length = ended - start
    waited = ended - recorder.times[0] <= max(0.01, 0.1 * length)
    return recorder.times[0] - fires, length, waited


# 3. Blocking waits ---------------------------------------------------------

def sleep_case(timer_s, sleep_s, raise_it):
    recorder = Recorder(raise_it=raise_it)
    raised = False
    with Handler(signal.SIGALRM, recorder):
        start = clock()
        arm_timer(timer_s)
        try:
            time.sleep(sleep_s)
        except Interrupted:
            raised = True
        elapsed = clock() - start
    handler_at = recorder.times[0] - start if recorder.times else None
    return handler_at, elapsed, raised


def lock_wait(timer_s, hold_s):
    """The main thread waits for a lock a worker holds for ``hold_s``."""
    recorder = Recorder()
    lock = threading.Lock()
    held = threading.Event()

    def holder():
        with lock:
            held.set()
            time.sleep(hold_s)

    with Handler(signal.SIGALRM, recorder):
        thread = threading.Thread(target=holder, name="holder")
        thread.start()
        try:
            held.wait(5.0)
            start = clock()
            fires = arm_timer(timer_s)
            lock.acquire()
            acquired_after = clock() - start
            lock.release()
        finally:
            thread.join()
    if not recorder.times:
        return None, acquired_after
    return recorder.times[0] - fires, acquired_after


def wakeup_fd(timer_s):
    """select() on the read end of a pipe given to signal.set_wakeup_fd."""
    recorder = Recorder()
    read_end, write_end = os.pipe()
    try:
        for fd in (read_end, write_end):
            flags = fcntl.fcntl(fd, fcntl.F_GETFL)
            fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_NONBLOCK)
        old_fd = signal.set_wakeup_fd(write_end)
        try:
            with Handler(signal.SIGALRM, recorder):
                fires = arm_timer(timer_s)
                while True:
                    try:
                        ready = select.select([read_end], [], [], 2.0)[0]
                        break
                    except (select.error, OSError, IOError) as error:
                        # 2.7 raises on EINTR; 3.5+ retries by itself (PEP 475)
                        code = getattr(error, "errno", None)
                        if code is None and error.args:
                            code = error.args[0]
                        if code != errno.EINTR:
                            raise
                woke = clock() - fires
                data = os.read(read_end, 16) if ready else b""
        finally:
            signal.set_wakeup_fd(old_fd)
    finally:
        os.close(read_end)
        os.close(write_end)
    byte = bytearray(data)[0] if data else None
    return (woke if ready else None), byte


# 4. faulthandler: see _crashes.py (crash_reports) -----------------------


def main():
    params = _common.params()
    timer_s = params.number("timer_s", float, 0.05)
    c_call_s = params.number("c_call_s", float, 0.25, 0.6)
    if not hasattr(signal, "setitimer") or not hasattr(signal, "SIGUSR1"):
        _common.emit({"skipped": "needs POSIX signals (setitimer, SIGUSR1)"})
        return 0
    if threading.current_thread().name != "MainThread":  # pragma: no cover
        _common.emit({"skipped": "must run in the main thread"})
        return 0

    metrics = {"python_version": "%d.%d.%d" % sys.version_info[:3]}
    metrics["handler_thread"] = handler_thread()
    metrics["pthread_kill_handler_thread"] = pthread_kill_handler_thread()

    n_sum = sum_size(c_call_s)
    for _ in range(3):  # a call shorter than the timer would show nothing: retry longer
        delay, length, after = delay_during(lambda: sum(numbers(n_sum)), timer_s)
        if length >= 2 * timer_s:
            break
        n_sum *= 4
    metrics["timer_s"] = timer_s
    metrics["c_call_s"] = length
    metrics["c_call_delay_s"] = delay
    metrics["c_call_handler_waited"] = after
    delay, length, after = delay_during(lambda: python_loop(c_call_s), timer_s)
    metrics["python_loop_s"] = length
    metrics["python_loop_delay_s"] = delay
    metrics["python_loop_handler_waited"] = after

    sleep_s = 6 * timer_s
    handler_at, elapsed, _ = sleep_case(timer_s, sleep_s, raise_it=False)
    metrics["sleep_s"] = sleep_s
    metrics["sleep_handler_at_s"] = handler_at
    metrics["sleep_elapsed_s"] = elapsed
    # "Interrupted" = the handler ran before the full sleep was over. Not
    # "handler_at < timer + margin": on 2.7 the signal *ends* the sleep, so a
    # timer delivered late on a loaded machine still cut it short (handler_at
    # == elapsed < sleep_s), and that is an interruption too.
    metrics["sleep_interrupted"] = handler_at is not None and handler_at < sleep_s * 0.95
    metrics["sleep_resumed"] = elapsed >= sleep_s * 0.95
    _, elapsed, raised = sleep_case(timer_s, sleep_s, raise_it=True)
    metrics["sleep_raising_handler_elapsed_s"] = elapsed
    metrics["sleep_raising_handler_raised"] = raised

    hold_s = 6 * timer_s
    delay, acquired_after = lock_wait(timer_s, hold_s)
    metrics["lock_hold_s"] = hold_s
    metrics["lock_wait_handler_delay_s"] = delay
    metrics["lock_acquired_after_s"] = acquired_after
    metrics["lock_wait_interruptible"] = delay is not None and delay < hold_s * 0.5

    woke, byte = wakeup_fd(timer_s)
    metrics["wakeup_fd_woke_after_s"] = woke
    metrics["wakeup_fd_byte"] = byte
    metrics["signal_in_worker_error"] = signal_in_worker()
    message = subinterpreter_signal()
    metrics["subinterpreter_signal_error"] = message
    metrics["subinterpreter_signal_refused"] = (
        None if message is None else message.startswith("ValueError"))
    metrics.update(crash_reports())
    _common.emit({"metrics": metrics})
    return 0


if __name__ == "__main__":
    sys.exit(main())
