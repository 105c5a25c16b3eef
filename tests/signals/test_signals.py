"""gilexamples.signals: who runs a handler, when, and what a crash leaves behind.

Every demo runs for real: real signals, real timers, real child processes
that really segfault. The assertions are qualitative with wide margins (two
noisy cores shared with other test runs); each test also checks that the
demo left the process as it found it: Python-level signal handlers, the
kernel's view of handled, ignored and blocked signals (``/proc/self/status``:
a C handler such as ``faulthandler.register`` leaves is seen there), the
real-time timer (pytest-timeout's own timer included), the wakeup fd and
faulthandler's enabled flag.
"""

from __future__ import annotations

import faulthandler
import json
import signal
import subprocess
import sys

import pytest

from gilexamples import signals
from gilexamples.lab.interpreters import find_interpreters
from gilexamples.lab.runner import payload_path, run_experiment
from gilexamples.signals import delivery, faults
from gilexamples.signals.handlers import RecordingHandler, alarm, handler, snapshot
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform != "linux",
                                reason="the demos use Linux signals, /proc and ITIMER_REAL")

def _python_2_7() -> str | None:
    """A Python 2.7 the lab finds on this machine, or None."""
    found = [i for i in find_interpreters() if i.version_tuple[:2] == (2, 7)]
    return found[0].executable if found else None


def _pytest_timeout_gave_up(before, after) -> bool:
    """pytest-timeout's own clean-up after a failed test: SIGALRM reset, its timer off.

    pytest-timeout arms ITIMER_REAL with its own SIGALRM handler around each
    test and, when a test fails, removes both before fixtures are torn down.
    That is not a demo's doing: a demo that forgot to clean up would leave its
    own handler installed, not SIG_DFL.
    """
    old = before.handlers.get(signal.SIGALRM)
    return ("pytest_timeout" in getattr(old, "__qualname__", "")
            and after.handlers.get(signal.SIGALRM) == signal.SIG_DFL
            and not after.itimer_armed)


@pytest.fixture(autouse=True)
def signal_state_restored():
    """Fail a test whose demo left a handler, a mask, a timer, a wakeup fd or faulthandler changed."""
    before = snapshot()
    yield
    after = snapshot()
    changed = sorted(signum for signum in before.handlers
                     if before.handlers[signum] is not after.handlers.get(signum)
                     and before.handlers[signum] != after.handlers.get(signum))
    ignore = set()
    if _pytest_timeout_gave_up(before, after):
        changed.remove(signal.SIGALRM)
        ignore.add(int(signal.SIGALRM))
    else:
        assert after.itimer_armed == before.itimer_armed, "ITIMER_REAL left armed/disarmed"
    assert not changed, f"handlers left changed for signals {changed}"
    if before.kernel is not None and after.kernel is not None:
        for name in ("SigCgt", "SigIgn", "SigBlk"):
            moved = sorted((before.kernel[name] ^ after.kernel[name]) - ignore)
            assert not moved, f"{name} (/proc/self/status) left changed for signals {moved}"
    assert after.wakeup_fd == before.wakeup_fd, "signal.set_wakeup_fd left changed"
    assert after.faulthandler_enabled == before.faulthandler_enabled


# --- the state guard itself ---------------------------------------------------

def test_alarm_restores_an_armed_timer_and_handler():
    """A timer armed before (as pytest-timeout arms one) is armed again afterwards."""
    outer = RecordingHandler()
    with handler(signal.SIGALRM, outer):
        old = signal.setitimer(signal.ITIMER_REAL, 100.0)
        try:
            inner = RecordingHandler()
            with alarm(0.01, inner):
                delivery.busy(0.05)
            assert inner.ran and not outer.ran
            assert signal.getsignal(signal.SIGALRM) is outer
            left, _ = signal.getitimer(signal.ITIMER_REAL)
            assert 90.0 < left <= 100.0
        finally:
            signal.setitimer(signal.ITIMER_REAL, *old)


def test_bad_arguments_raise_value_error():
    with pytest.raises(ValueError, match="seconds must be > 0"):
        with alarm(0, RecordingHandler()):
            pass
    with pytest.raises(ValueError, match="timer_s < call_s"):
        signals.c_call_delay(timer_s=0.5, call_s=0.1)
    with pytest.raises(ValueError, match="busy_s"):
        signals.who_runs_the_handler(busy_s=0)
    with pytest.raises(ValueError, match="how must be"):
        signals.crash(how="nonsense")


def test_snapshot_notices_a_changed_handler():
    """The guard above would catch a demo that forgot to restore."""
    before = snapshot()
    old = signal.signal(signal.SIGUSR2, lambda s, f: None)
    try:
        assert snapshot().handlers[signal.SIGUSR2] is not before.handlers[signal.SIGUSR2]
    finally:
        signal.signal(signal.SIGUSR2, old)


def test_snapshot_sees_c_level_handlers_and_masks():
    """What signal.getsignal cannot see: faulthandler's C handler, a blocked signal."""
    if snapshot().kernel is None:
        pytest.skip("no /proc/self/status signal sets on this system")
    usr2 = int(signal.SIGUSR2)
    before = snapshot()
    assert usr2 not in before.kernel["SigCgt"] and usr2 not in before.kernel["SigBlk"]
    faulthandler.register(signal.SIGUSR2)
    try:
        during = snapshot()
        assert usr2 in during.kernel["SigCgt"]
        assert during.handlers[usr2] == before.handlers[usr2]  # invisible to Python
    finally:
        faulthandler.unregister(signal.SIGUSR2)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
    try:
        assert usr2 in snapshot().kernel["SigBlk"]
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR2})
    assert snapshot().kernel == before.kernel


# --- 1. the handler's thread ----------------------------------------------------

def test_handler_always_runs_in_the_main_thread():
    result = signals.who_runs_the_handler(busy_s=0.25)
    assert {case["thread"] for case in result.values()} == {"MainThread"}
    # sent to the process: handled while the worker is still busy
    assert result["main"]["after_s"] < 0.5 * result["main"]["worker_s"]
    assert result["worker"]["after_s"] < 0.5 * result["worker"]["worker_s"]
    # aimed at the worker: the main thread only runs it once join() returns
    pk = result["pthread_kill"]
    assert pk["after_s"] >= 0.8 * pk["worker_s"], pk


# --- 2. the delay during a long C call -----------------------------------------

def test_handler_waits_for_a_long_c_call():
    result = signals.c_call_delay(timer_s=0.05, call_s=0.3)
    c_call, loop = result["c_call"], result["python_loop"]
    assert c_call["at_end"], c_call
    assert c_call["late_s"] > 0.5 * (c_call["work_s"] - 0.05), c_call
    assert not loop["at_end"], loop
    assert loop["late_s"] < 0.5 * loop["work_s"], loop


# --- 3. blocking waits -----------------------------------------------------------

@pytest.mark.parametrize("raise_it", [False, True])
def test_sleep_is_interrupted_then_resumes_or_raises(raise_it):
    result = signals.sleep_with_handler(timer_s=0.05, sleep_s=0.3, raise_it=raise_it)
    assert result["handler_at_s"] < 0.15, result
    assert result["raised"] is raise_it
    if raise_it:
        assert result["slept_s"] < 0.15, result
    else:  # PEP 475: the sleep goes on to its full length
        assert result["slept_s"] >= 0.29, result


@pytest.mark.parametrize("raise_it", [False, True])
def test_lock_wait_is_interrupted(raise_it):
    result = signals.lock_wait_with_handler(timer_s=0.05, hold_s=0.3, raise_it=raise_it)
    assert result["handler_at_s"] < 0.15, result
    assert result["raised"] is raise_it
    if raise_it:
        assert result["waited_s"] < 0.15, result
    else:
        assert result["waited_s"] >= 0.25, result


def test_wakeup_fd_wakes_a_selector():
    result = signals.wakeup_fd_wakes_selector(timer_s=0.05, timeout_s=2.0)
    assert result["handler_ran"]
    assert result["byte"] == signal.SIGALRM
    assert result["woke_after_s"] is not None and result["woke_after_s"] < 1.0


# --- 4. signals are not for threads -----------------------------------------------

def test_threads_use_queues_and_events_not_signals():
    result = signals.threads_need_other_tools()
    assert "main thread" in result["signal_signal_error"]
    assert result["queue_reply"] == "RELOAD CONFIG"
    assert 0 <= result["event_stop_s"] < 1.0


def test_a_subinterpreter_cannot_install_handlers():
    """Even run by the main thread, a sub-interpreter is refused (3.12: 'of the main interpreter')."""
    try:
        result = signals.subinterpreter_refuses_handlers()
    except RuntimeError as error:
        pytest.skip(str(error))
    assert result["message"] == ("ValueError: signal only works in main thread "
                                 "of the main interpreter"), result
    assert result["main_handler_unchanged"]


# --- 5. faulthandler -------------------------------------------------------------------

def test_segfault_with_faulthandler_dumps_every_thread():
    result = signals.crash(faulthandler_on=True)
    assert result["status"] == -signal.SIGSEGV and result["signal"] == "SIGSEGV"
    assert result["fatal_error"], result["stderr"]
    assert result["threads"] == 2 and result["shows_crash_site"] and result["shows_worker"]
    assert signals.crash(faulthandler_on=True, how="sigsegv")["fatal_error"]


def test_segfault_without_faulthandler_leaves_nothing():
    result = signals.crash(faulthandler_on=False)
    assert result["status"] == -signal.SIGSEGV
    assert result["stderr"] == "" and result["threads"] == 0


def test_dump_traceback_later_ends_a_hung_child():
    result = signals.hang(timeout_s=0.2)
    assert result["status"] == 1
    assert result["header"] == "Timeout (0:00:00.200000)!"
    assert result["shows_stuck_function"]
    assert result["seconds"] < faults.CHILD_TIMEOUT_S / 2


def test_watchdog_cancelled_in_time_writes_nothing():
    result = signals.watchdog(timeout_s=0.05, slow_s=0.2)  # fast case: a 2 s watchdog
    assert result["fast_report"] == ""
    assert result["slow_report"].startswith("Timeout (0:00:00.050000)!")
    assert "in watchdog" in result["slow_report"]


def test_registered_signal_dumps_during_a_c_call():
    result = signals.live_dump(call_s=1.0)  # room for a slow sender on a busy machine
    assert result["threads"] == 2
    assert result["shows_call"], result["report"]
    assert result["dumped_after_s"] < 0.8 * result["call_s"], result


def test_thread_sections_counts_threads():
    report = ("Thread 0x00007f0000000001 (most recent call first):\n  File \"x\", line 1 in f\n\n"
              "Current thread 0x00007f0000000002 (most recent call first):\n  File \"y\"\n")
    assert faults.thread_sections(report) == 2
    assert faults.thread_sections("Segmentation fault") == 0


# --- 6. the payload, under this interpreter and under 2.7 ----------------------------------

def _payload(python) -> dict:
    result = subprocess.run([str(python), str(payload_path("signals")), json.dumps({"quick": True})],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


@pytest.fixture(scope="module")
def payload_here() -> dict:
    """The payload's metrics under the running Python, run once for the tests below."""
    return _payload(sys.executable)["metrics"]


def test_payload_keeps_the_contract(payload_here):
    metrics = payload_here
    assert metrics["sleep_raising_handler_raised"]
    assert metrics["watchdog_exit_status"] == 1 and metrics["watchdog_dumped"]
    assert metrics["crash_exit_status"] == -signal.SIGSEGV
    assert metrics["crash_without_faulthandler_stderr_bytes"] == 0
    assert metrics["faulthandler_dumped"] is True


def test_payload_agrees_with_the_package_demos(payload_here):
    """The payload (which cannot import the package) finds what the package's demos find,
    in this interpreter: the same answer to every question both ask."""
    metrics = payload_here
    who = delivery.who_runs_the_handler(busy_s=0.1)
    assert metrics["handler_thread"] == who["main"]["thread"] == "MainThread"
    assert metrics["pthread_kill_handler_thread"] == who["pthread_kill"]["thread"]
    during = delivery.c_call_delay()
    assert metrics["c_call_handler_waited"] is bool(during["c_call"]["at_end"]) is True
    assert metrics["python_loop_handler_waited"] is bool(during["python_loop"]["at_end"]) is False
    sleep_s = metrics["sleep_s"]
    slept = delivery.sleep_with_handler(timer_s=metrics["timer_s"], sleep_s=sleep_s)
    assert metrics["sleep_interrupted"] is (slept["handler_at_s"] < 0.95 * sleep_s) is True
    assert metrics["sleep_resumed"] is (slept["slept_s"] >= 0.95 * sleep_s) is True
    hold_s = metrics["lock_hold_s"]
    waited = delivery.lock_wait_with_handler(timer_s=metrics["timer_s"], hold_s=hold_s)
    assert metrics["lock_wait_interruptible"] is (waited["handler_at_s"] < 0.5 * hold_s) is True
    woke = delivery.wakeup_fd_wakes_selector()
    assert metrics["wakeup_fd_byte"] == woke["byte"] == signal.SIGALRM
    refused = delivery.subinterpreter_refuses_handlers()
    refused_here = refused["message"].startswith("ValueError")
    assert metrics["subinterpreter_signal_refused"] is refused_here is True


@pytest.mark.slow
def test_payload_under_python_2_7():
    """2.7: handlers via pending calls, uninterruptible lock waits, sleep cut short."""
    python = _python_2_7()
    if python is None:
        pytest.skip("the lab finds no Python 2.7 on this machine")
    result = run_experiment("signals", python, quick=True, timeout=120)
    assert result["python"]["version"].startswith("2.7.")
    metrics = result["metrics"]
    assert metrics["handler_thread"] == "MainThread"
    assert metrics["pthread_kill_handler_thread"] is None  # no signal.pthread_kill
    assert metrics["c_call_handler_waited"] is True
    assert metrics["sleep_interrupted"] is True and metrics["sleep_resumed"] is False
    assert metrics["lock_wait_interruptible"] is False
    assert metrics["lock_wait_handler_delay_s"] > 0.5 * (metrics["lock_hold_s"] - metrics["timer_s"])
    assert metrics["wakeup_fd_byte"] == 0  # 2.7 writes a NUL byte, 3.x the signal number
    assert metrics["faulthandler_dumped"] is None and "3.3" in metrics["faulthandler_reason"]
    assert metrics["crash_exit_status"] == -signal.SIGSEGV
    assert metrics["signal_in_worker_error"] == "signal only works in main thread"
    assert metrics["subinterpreter_signal_refused"] is None  # no sub-interpreter module


# --- 7. the command line --------------------------------------------------------------------

def test_cli_runs_the_signals_experiment(cli):
    result = cli("run", "signals", "--python", sys.executable, "--quick", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["experiment"] == "signals"
    assert document["runs"][0]["metrics"]["handler_thread"] == "MainThread"


def test_cli_signals_demo(cli):
    result = cli("signals", "wakeup", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["demo"] == "wakeup"
    assert document["result"]["byte"] == signal.SIGALRM


def test_cli_signals_unknown_demo_is_a_usage_error(cli):
    result = cli("signals", "nonsense")
    assert result.returncode == 2
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert "invalid choice" in result.stderr


# --- 8. the stored results the chapter's notebook shows --------------------------------------

def test_stored_results_agree_with_the_chapter():
    stored = ROOT / "docs" / "results" / "lab" / "signals.json"
    if not stored.is_file():
        pytest.skip("no stored results: python -m gilexamples lab --experiment signals "
                    "--out docs/results/lab")
    document = json.loads(stored.read_text(encoding="utf-8"))
    assert document["experiment"] == "signals" and document["stamp"]["date"]
    runs = [run for run in document["runs"] if "metrics" in run]
    assert runs
    for run in runs:
        metrics, version = run["metrics"], run["python"]["version"]
        assert metrics["handler_thread"] == "MainThread", version
        assert metrics["c_call_handler_waited"] is True, version
        assert metrics["python_loop_handler_waited"] is False, version
        assert metrics["crash_exit_status"] == -signal.SIGSEGV, version
        at_least = tuple(int(part) for part in version.split(".")[:2]).__ge__
        assert metrics["sleep_resumed"] is at_least((3, 5)), version  # PEP 475
        assert metrics["lock_wait_interruptible"] is at_least((3, 2)), version  # bpo-8844
        assert (metrics["faulthandler_dumped"] is True) is at_least((3, 3)), version
