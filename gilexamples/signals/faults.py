"""What a crash or a hang leaves behind, with and without :mod:`faulthandler`.

A segmentation fault is a *synchronous* signal: the kernel delivers it to
the thread that touched the bad address, and that thread cannot go on. A
Python handler would only run later, at the next eval-breaker check, which
never comes. :mod:`faulthandler` (3.3+) installs a C handler for SIGSEGV,
SIGFPE, SIGABRT, SIGBUS and SIGILL that puts the previous handler back,
writes "Fatal Python error" and the traceback of every thread, then raises
the signal again so that the process dies of it. It runs on an alternate
stack (``sigaltstack``), set up for the thread that enabled faulthandler, so
a stack overflow *in that thread* is reported too.

Crashes and hangs run in child processes (:data:`sys.executable`), with core
dumps switched off, and are reaped before the functions return. The watchdog
and the user-signal dump run in this process and are cancelled and
unregistered before returning.
"""

from __future__ import annotations

import faulthandler
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

from gilexamples.signals.handlers import clock, require_main_thread

__all__ = ["crash", "hang", "watchdog", "live_dump", "long_c_call", "thread_sections",
           "CHILD_TIMEOUT_S"]

#: Seconds a crash or hang child may take before it is killed.
CHILD_TIMEOUT_S = 20.0

_CRASH = r"""
import ctypes, faulthandler, resource, sys, threading, time
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file
if sys.argv[1] == "on":
    faulthandler.enable()
else:
    faulthandler.disable()
ready = threading.Event()
def waiting_worker():
    ready.set()
    time.sleep(60)
threading.Thread(target=waiting_worker, name="waiting-worker", daemon=True).start()
ready.wait(5)
def crash_here(how):
    if how == "string_at":
        ctypes.string_at(0)        # read address 0: SIGSEGV
    else:
        faulthandler._sigsegv()    # faulthandler's own test helper
crash_here(sys.argv[2])
"""

_HANG = r"""
import faulthandler, sys, threading
faulthandler.dump_traceback_later(float(sys.argv[1]), exit=True)
def stuck_forever():
    lock = threading.Lock()
    lock.acquire()
    lock.acquire()                 # never returns: a deadlock on one lock
stuck_forever()
"""

_SECTION = re.compile(r"^(Current thread|Thread) 0x[0-9a-f]+ .*\(most recent call first\):$", re.M)


def thread_sections(report: str) -> int:
    """How many threads a faulthandler report shows."""
    return len(_SECTION.findall(report))


def _run_child(code: str, *args: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a child interpreter; kill it if it outlives CHILD_TIMEOUT_S.

    ``-I`` (isolated mode) makes the child ignore every ``PYTHON*``
    environment variable, ``PYTHONFAULTHANDLER`` and ``PYTHONDEVMODE``
    included, so faulthandler is on only where the child's code turns it on.
    """
    with subprocess.Popen([sys.executable, "-I", "-c", code, *args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, text=True) as child:
        try:
            out, err = child.communicate(timeout=CHILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            child.kill()
            out, err = child.communicate()
        return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def _signal_name(status: int) -> str | None:
    return signal.Signals(-status).name if status < 0 else None


def crash(faulthandler_on: bool = True, how: str = "string_at") -> dict:
    """A child with a waiting worker thread segfaults in ``crash_here()``.

    ``how``: ``"string_at"`` (``ctypes.string_at(0)`` reads address 0) or
    ``"sigsegv"`` (``faulthandler._sigsegv()``). Returns ``status`` (the
    child's exit status: ``-11``, killed by SIGSEGV), ``signal``, ``stderr``
    and, read from stderr, ``fatal_error`` (the "Fatal Python error:
    Segmentation fault" header), ``threads`` (thread tracebacks shown),
    ``shows_crash_site`` and ``shows_worker`` (the two threads' functions).
    """
    if how not in ("string_at", "sigsegv"):
        raise ValueError(f"how must be 'string_at' or 'sigsegv', not {how!r}")
    result = _run_child(_CRASH, "on" if faulthandler_on else "off", how)
    err = result.stderr
    return {
        "status": result.returncode,
        "signal": _signal_name(result.returncode),
        "stderr": err,
        "fatal_error": "Fatal Python error: Segmentation fault" in err,
        "threads": thread_sections(err),
        "shows_crash_site": "crash_here" in err,
        "shows_worker": "waiting_worker" in err,
    }


def hang(timeout_s: float = 0.2) -> dict:
    """A child deadlocks; ``dump_traceback_later(timeout_s, exit=True)`` ends it.

    Returns ``status`` (1: faulthandler called ``_exit(1)``), ``seconds``
    (how long the child lived), ``stderr``, ``header`` (its first line,
    ``Timeout (0:00:00.200000)!``) and ``shows_stuck_function``.
    """
    if not timeout_s > 0:
        raise ValueError(f"timeout_s must be > 0, not {timeout_s!r}")
    start = clock()
    result = _run_child(_HANG, repr(float(timeout_s)))
    err = result.stderr
    return {
        "status": result.returncode,
        "seconds": clock() - start,
        "stderr": err,
        "header": err.splitlines()[0] if err else "",
        "shows_stuck_function": "stuck_forever" in err,
    }


def watchdog(timeout_s: float = 0.05, slow_s: float = 0.2,
             fast_timeout_s: float = 2.0) -> dict:
    """Arm ``dump_traceback_later`` in this process around fast and slow work.

    Fast work (``time.sleep(0)``) finishes well before ``fast_timeout_s``
    (long, so that a busy machine descheduling this process cannot make the
    fast case late) and cancels the watchdog: nothing is written. Slow work
    (``slow_s``) outlives ``timeout_s``: the watchdog thread writes every
    thread's traceback (this process goes on; no ``exit``). Returns
    ``fast_report`` and ``slow_report`` (what was written to the file each
    time).

    There is one watchdog per process: arming it here replaces any armed
    before (pytest's ``faulthandler_timeout``, for instance), and it is
    cancelled on the way out.
    """
    if not 0 < timeout_s < slow_s:
        raise ValueError("need 0 < timeout_s < slow_s")
    if not fast_timeout_s > 0:
        raise ValueError(f"fast_timeout_s must be > 0, not {fast_timeout_s!r}")
    reports = {}
    for name, seconds, timeout in (("fast_report", 0.0, fast_timeout_s),
                                   ("slow_report", slow_s, timeout_s)):
        with tempfile.TemporaryFile("w+") as file:
            faulthandler.dump_traceback_later(timeout, file=file)
            try:
                time.sleep(seconds)  # the work being watched
            finally:
                faulthandler.cancel_dump_traceback_later()
            file.seek(0)
            reports[name] = file.read()
    return reports


def long_c_call(n: int) -> int:
    """One C call that holds the GIL: no other Python thread runs meanwhile."""
    return sum(range(n))


def live_dump(call_s: float = 0.3, signum: int = signal.SIGUSR1) -> dict:
    """``faulthandler.register(signum)``: a dump on demand, even mid C call.

    A worker waits on an event; the main thread runs one long C call
    (:func:`long_c_call`). Another process (``sh -c 'read go; sleep ...; kill -USR1 PID'``:
    with the GIL no thread of ours could, they all need the GIL the call holds) sends
    ``signum``. faulthandler's C handler writes the tracebacks at once, while
    the main thread is still inside the call; a Python handler would have to
    wait for the call to return. Returns ``report``, ``threads``,
    ``call_s``, ``dumped_after_s`` (when the report file was last written,
    from the file's modification time) and ``shows_call`` (the current
    thread's traceback ends in ``long_c_call``). The handler is unregistered
    before returning.
    """
    require_main_thread("live_dump()")
    from gilexamples.signals.delivery import busy, sum_size

    n = sum_size(call_s)
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait, args=(10.0,), name="waiting-worker")
    sender = None
    with tempfile.TemporaryFile("w+") as file:
        faulthandler.register(signum, file=file, all_threads=True, chain=False)
        try:
            worker.start()
            # The sender starts first and waits for a line on its stdin, so
            # that its start-up time does not eat into the call.
            sender = subprocess.Popen(
                ["sh", "-c", f"read go; sleep {call_s / 10:.3f}; "
                             f"kill -{signal.Signals(signum).name[3:]} {os.getpid()}"],
                stdin=subprocess.PIPE)
            started = time.time()
            sender.stdin.write(b"go\n")
            sender.stdin.close()
            long_c_call(n)
            ended = time.time()
            sender.wait(CHILD_TIMEOUT_S)
        finally:
            if sender is not None:
                if sender.poll() is None:
                    sender.kill()
                    sender.wait()
                if sender.stdin and not sender.stdin.closed:
                    sender.stdin.close()
            stop.set()
            if worker.ident is not None:
                worker.join()
            faulthandler.unregister(signum)  # only now: the signal has been sent
        busy(0.01)
        written = os.fstat(file.fileno()).st_mtime
        file.seek(0)
        report = file.read()
    current = report.split("Current thread", 1)[-1] if "Current thread" in report else ""
    return {"report": report, "threads": thread_sections(report),
            "call_s": ended - started,
            "dumped_after_s": written - started if report else None,
            "shows_call": "in long_c_call" in current}
