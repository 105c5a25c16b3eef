"""The signals payload's faulthandler half: crashes and hangs in child processes.

A separate file so that each payload file stays readable; imported by
``signals.py`` as ``from _crashes import crash_reports`` (the payload's folder
is first on ``sys.path``). Standard library only; Python 2.7 and 3.x.

:func:`crash_reports` runs a child that dereferences NULL with faulthandler
on and with it off, and one that deadlocks under ``dump_traceback_later``,
and reports what each printed (the crash demo never runs in the lab's own
process).
"""
import os
import subprocess
import time

from _common import child_argv


CRASH = r"""
import ctypes, resource, sys, threading, time
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
try:
    import faulthandler
    if sys.argv[1] == "on":
        faulthandler.enable()
    else:
        faulthandler.disable()
except ImportError:
    pass
ready = threading.Event()
def waiting_worker():
    ready.set()
    time.sleep(30)
thread = threading.Thread(target=waiting_worker, name="waiting-worker")
thread.daemon = True
thread.start()
ready.wait(5)
def crash_here():
    ctypes.string_at(0)
crash_here()
"""

HANG = r"""
import faulthandler, threading
faulthandler.dump_traceback_later(0.2, exit=True)
def stuck_forever():
    lock = threading.Lock()
    lock.acquire()
    lock.acquire()
stuck_forever()
"""


def child_env():
    env = dict(os.environ)
    for name in ("PYTHONFAULTHANDLER", "PYTHONDEVMODE", "PYTHONSTARTUP"):
        env.pop(name, None)
    return env


def start_child(code, *args):
    return subprocess.Popen(child_argv("-c", code, *args),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=child_env())


def finish_child(child):
    """(exit status, stderr text) of a child started by start_child; killed after 20 s."""
    deadline = time.time() + 20
    while child.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    if child.poll() is None:
        child.kill()
    out, err = child.communicate()
    return child.returncode, err.decode("utf-8", "replace")


def crash_reports():
    """The three children run at once: none of them measures time (the watchdog's
    0.2 s is a timeout, not a figure)."""
    try:
        import faulthandler  # noqa: F401
        has_faulthandler = True
    except ImportError:
        has_faulthandler = False
    crash_on, crash_off = start_child(CRASH, "on"), start_child(CRASH, "off")
    hang = start_child(HANG) if has_faulthandler else None
    status_on, err_on = finish_child(crash_on)
    status_off, err_off = finish_child(crash_off)
    metrics = {}
    metrics["crash_exit_status"] = status_off
    metrics["crash_without_faulthandler_stderr_bytes"] = len(err_off.encode("utf-8"))
    if hang is None:
        metrics["faulthandler_dumped"] = None
        metrics["faulthandler_reason"] = "no faulthandler module before Python 3.3"
        metrics["watchdog_exit_status"] = None
        return metrics
    metrics["faulthandler_dumped"] = (
        "Fatal Python error: Segmentation fault" in err_on
        and "most recent call first" in err_on
        and "crash_here" in err_on)
    metrics["faulthandler_threads_dumped"] = err_on.count("most recent call first")
    metrics["faulthandler_worker_shown"] = "waiting_worker" in err_on
    status, err = finish_child(hang)
    metrics["watchdog_exit_status"] = status
    metrics["watchdog_dumped"] = err.startswith("Timeout (") and "stuck_forever" in err
    return metrics
