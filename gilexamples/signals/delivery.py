"""Who runs a Python signal handler, and when.

CPython's C-level handler (``signal_handler`` -> ``trip_signal`` in
``Modules/signalmodule.c``) runs in whatever thread the kernel interrupted.
It only marks the signal as tripped and raises a signals-pending flag that
only the main thread of the main interpreter acts on. The Python handler
runs later, in that thread, the next time it checks the eval breaker while
running bytecode, or when a blocking call it is in fails with ``EINTR``.
Each function here shows one consequence and returns what it measured; most
install their handlers through :mod:`gilexamples.signals.handlers`, the others
restore what they touch themselves, so the process is left as found.
"""

from __future__ import annotations

import os
import queue
import selectors
import signal
import socket
import threading

from gilexamples.signals.handlers import Interrupted, RecordingHandler, alarm, clock, handler

__all__ = ["busy", "who_runs_the_handler", "sum_size", "c_call_delay", "sleep_with_handler",
           "lock_wait_with_handler", "wakeup_fd_wakes_selector", "threads_need_other_tools",
           "subinterpreter_refuses_handlers"]


def busy(seconds: float) -> int:
    """Run Python bytecode (no blocking call) for ``seconds``; return loop turns."""
    end = clock() + seconds
    turns = 0
    while clock() < end:
        turns += 1
    return turns


# 1. The handler's thread -----------------------------------------------------

def who_runs_the_handler(busy_s: float = 0.2) -> dict:
    """Send SIGUSR1 three ways while a worker thread is busy; see who handles it.

    * ``"main"``: the main thread signals the process (``os.kill``), then
      waits in ``join()`` for the busy worker;
    * ``"worker"``: the busy worker signals the process (``os.kill``);
    * ``"pthread_kill"``: the busy worker aims the signal at *itself* with
      ``signal.pthread_kill(threading.get_ident(), SIGUSR1)``, once the main
      thread is waiting in ``join()``.

    Returns ``{case: {"thread": name of the thread that ran the handler,
    "after_s": seconds from sending to the handler, "worker_s": how long the
    worker was busy after the send}}``. The thread is ``MainThread`` every
    time; aimed at the worker, the handler waits until ``join()`` returns.
    """
    if busy_s <= 0:
        raise ValueError(f"busy_s must be > 0, not {busy_s!r}")
    results = {}
    for case in ("main", "worker", "pthread_kill"):
        recorder = RecordingHandler()
        sent_at: list[float] = []
        joining = threading.Event()

        def work(case=case, sent_at=sent_at, joining=joining):
            if case == "worker":
                sent_at.append(clock())
                os.kill(os.getpid(), signal.SIGUSR1)
            elif case == "pthread_kill":
                joining.wait(5.0)
                busy(0.02)  # let the main thread get into join()
                sent_at.append(clock())
                signal.pthread_kill(threading.get_ident(), signal.SIGUSR1)
            busy(busy_s)

        with handler(signal.SIGUSR1, recorder):
            worker = threading.Thread(target=work, name="busy-worker")
            worker.start()
            try:
                if case == "main":
                    sent_at.append(clock())
                    os.kill(os.getpid(), signal.SIGUSR1)
                joining.set()
            finally:
                worker.join()
            joined = clock()
            busy(0.01)  # a little bytecode: a handler still pending runs here
        results[case] = {
            "thread": recorder.threads[0] if recorder.ran else None,
            "after_s": recorder.times[0] - sent_at[0] if recorder.ran else None,
            "worker_s": joined - sent_at[0],
        }
    return results


# 2. The delay during a long C call -------------------------------------------

def sum_size(seconds: float) -> int:
    """How many numbers ``sum(range(n))`` adds in about ``seconds`` on this machine."""
    n = 100_000
    while True:
        took = float("inf")
        for _ in range(3):  # the fastest of three: a busy machine makes timings long
            start = clock()
            sum(range(n))
            took = min(took, clock() - start)
        if took > 0.02:
            return max(1, int(n * seconds / took))
        n *= 4


def c_call_delay(timer_s: float = 0.05, call_s: float = 0.3) -> dict:
    """A timer fires during one long C call (``sum(range(n))``); how late is its handler?

    The same is done with a pure-Python loop of similar length for contrast.
    Returns ``{"c_call": {...}, "python_loop": {...}}``, each with ``work_s``
    (how long the work took), ``late_s`` (handler time minus timer time) and
    ``at_end`` (the handler ran as the work returned, in its last tenth).
    """
    if not 0 < timer_s < call_s:
        raise ValueError("need 0 < timer_s < call_s")
    n = sum_size(call_s)

    def python_loop():
        end = clock() + call_s
        while clock() < end:
            pass

    out = {}
    for name, work in (("c_call", lambda: sum(range(n))), ("python_loop", python_loop)):
        for _ in range(3):  # work shorter than the timer would show nothing: retry longer
            recorder = RecordingHandler()
            with alarm(timer_s, recorder) as fires:
                start = clock()
                work()
                ended = clock()
                busy(0.01)
            work_s = ended - start
            if work_s >= 2 * timer_s:
                break
            n *= 4
        late = recorder.times[0] - fires if recorder.ran else None
        at_end = recorder.ran and ended - recorder.times[0] <= max(0.01, 0.1 * work_s)
        out[name] = {"work_s": work_s, "late_s": late, "at_end": at_end}
    return out


# 3. Blocking waits are interrupted -------------------------------------------

def sleep_with_handler(timer_s: float = 0.05, sleep_s: float = 0.3,
                       raise_it: bool = False) -> dict:
    """``time.sleep(sleep_s)`` in the main thread while a timer fires at ``timer_s``.

    The handler runs during the sleep (``handler_at_s`` ~ ``timer_s``). If it
    returns, the sleep goes on to its full length (PEP 475, 3.5+); if it
    raises, the exception ends the sleep. Returns ``handler_at_s``,
    ``slept_s`` and ``raised``.
    """
    if not 0 < timer_s < sleep_s:
        raise ValueError("need 0 < timer_s < sleep_s")
    import time

    recorder = RecordingHandler(raise_it=raise_it)
    raised = False
    with alarm(timer_s, recorder):
        start = clock()
        try:
            time.sleep(sleep_s)
        except Interrupted:
            raised = True
        slept = clock() - start
    return {"handler_at_s": recorder.times[0] - start if recorder.ran else None,
            "slept_s": slept, "raised": raised}


def lock_wait_with_handler(timer_s: float = 0.05, hold_s: float = 0.3,
                           raise_it: bool = False) -> dict:
    """The main thread blocks on a lock a worker holds for ``hold_s``; a timer fires.

    Since 3.2 (bpo-8844) the wait is interrupted, the handler runs at once and
    the wait resumes (or ends, if the handler raises). Returns
    ``handler_at_s``, ``waited_s`` and ``raised``.
    """
    if not 0 < timer_s < hold_s:
        raise ValueError("need 0 < timer_s < hold_s")
    lock = threading.Lock()
    held = threading.Event()
    release = threading.Event()

    def holder():
        with lock:
            held.set()
            release.wait(hold_s)

    recorder = RecordingHandler(raise_it=raise_it)
    raised = False
    worker = threading.Thread(target=holder, name="lock-holder")
    worker.start()
    try:
        held.wait(5.0)
        with alarm(timer_s, recorder):
            start = clock()
            try:
                lock.acquire()
                lock.release()
            except Interrupted:
                raised = True
            waited = clock() - start
    finally:
        release.set()
        worker.join()
    return {"handler_at_s": recorder.times[0] - start if recorder.ran else None,
            "waited_s": waited, "raised": raised}


def wakeup_fd_wakes_selector(timer_s: float = 0.05, timeout_s: float = 2.0) -> dict:
    """``signal.set_wakeup_fd`` wakes a ``selectors`` loop when a signal arrives.

    The C handler writes the signal number, one byte, to the wakeup socket:
    the loop sees a readable socket instead of sleeping to its timeout.
    Returns ``woke_after_s`` (after the timer fired), ``byte`` (the byte read),
    ``signal`` (SIGALRM's number) and ``handler_ran``.

    The old wakeup fd is put back with ``set_wakeup_fd(old_fd)``, which also
    resets ``warn_on_full_buffer`` to its default (True): an event loop that
    had set it to False would have to set it again.
    """
    recorder = RecordingHandler()
    reader, writer = socket.socketpair()
    selector = selectors.DefaultSelector()
    try:
        reader.setblocking(False)
        writer.setblocking(False)
        selector.register(reader, selectors.EVENT_READ)
        old_fd = signal.set_wakeup_fd(writer.fileno())
        try:
            with alarm(timer_s, recorder) as fires:
                events = selector.select(timeout=timeout_s)
                woke = clock() - fires
                data = reader.recv(16) if events else b""
                busy(0.01)
        finally:
            signal.set_wakeup_fd(old_fd)
    finally:
        selector.close()
        reader.close()
        writer.close()
    return {"woke_after_s": woke if events else None,
            "byte": data[0] if data else None,
            "signal": int(signal.SIGALRM), "handler_ran": recorder.ran}


# 4. Signals are not for threads -------------------------------------------------

def threads_need_other_tools(timeout_s: float = 5.0) -> dict:
    """What a worker thread gets from ``signal``, and what to use instead.

    * ``signal_signal_error``: ``signal.signal`` called in a worker raises
      ``ValueError``, with this message;
    * ``queue_reply``: a request sent to a worker through a ``queue.Queue``
      and its answer on another queue;
    * ``event_stop_s``: how long a worker took to notice a ``threading.Event``
      set to ask it to stop.
    """
    errors: list[str] = []

    def try_signal():
        try:
            signal.signal(signal.SIGUSR1, signal.SIG_IGN)
            errors.append("")
        except ValueError as error:
            errors.append(str(error))

    thread = threading.Thread(target=try_signal, name="would-be-handler")
    thread.start()
    thread.join()

    requests: queue.Queue = queue.Queue()
    replies: queue.Queue = queue.Queue()

    def server():
        while True:
            item = requests.get(timeout=timeout_s)
            if item is None:
                return
            replies.put(item.upper())

    worker = threading.Thread(target=server, name="queue-worker")
    worker.start()
    try:
        requests.put("reload config")
        reply = replies.get(timeout=timeout_s)
    finally:
        requests.put(None)
        worker.join()

    stop = threading.Event()
    noticed: list[float] = []

    def loop():
        stop.wait(timeout_s)  # blocks; set() wakes it at once
        noticed.append(clock())

    worker = threading.Thread(target=loop, name="event-worker")
    worker.start()
    try:
        busy(0.02)
        asked = clock()
        stop.set()
    finally:
        worker.join()
    return {"signal_signal_error": errors[0], "queue_reply": reply,
            "event_stop_s": noticed[0] - asked}


_SUB_CODE = """
import os, signal
try:
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    message = "installed"
except ValueError as error:
    message = f"ValueError: {error}"
os.write({fd}, message.encode())
"""


def subinterpreter_refuses_handlers() -> dict:
    """``signal.signal`` in a sub-interpreter, run by the main thread.

    Uses the private module that ships with CPython for its own tests
    (``_xxsubinterpreters`` in 3.8 to 3.12, ``_interpreters`` from 3.13; the
    public ``concurrent.interpreters`` is 3.14+). Returns ``module`` (the one
    used), ``message`` (what the sub-interpreter saw) and
    ``main_handler_unchanged`` (SIGUSR1's handler here is still the one it
    was; it is put back in any case); raises
    :class:`RuntimeError` when this interpreter has neither module.
    """
    module = None
    for name in ("_interpreters", "_xxsubinterpreters"):
        try:
            module = __import__(name)
            break
        except ImportError:
            continue
    if module is None:
        raise RuntimeError("this interpreter has no _interpreters/_xxsubinterpreters module")
    old = signal.getsignal(signal.SIGUSR1)
    read_end, write_end = os.pipe()
    try:
        interp = module.create()
        try:
            module.run_string(interp, _SUB_CODE.replace("{fd}", str(write_end)))
        finally:
            module.destroy(interp)
        os.close(write_end)
        write_end = -1
        message = os.read(read_end, 500).decode()
        unchanged = signal.getsignal(signal.SIGUSR1) is old
    finally:
        signal.signal(signal.SIGUSR1, old)
        os.close(read_end)
        if write_end != -1:
            os.close(write_end)
    return {"module": module.__name__, "message": message, "main_handler_unchanged": unchanged}
