"""The payloads run under Python 2.7 and 3.x, and measure what the chapters say.

Each experiment runs once per interpreter (quick sizes) in a module-scoped
fixture; the tests then check the contract and qualitative facts with
generous margins (the machine is small and shared: ratios, not absolutes).
Interpreters: the running one, and pyenv's 2.7.18 and 3.13.0 when present.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gilexamples.lab.interpreters import pyenv_root
from gilexamples.lab.runner import PAYLOADS, available_cpus, run_experiment

#: Each experiment measured for seconds under several interpreters: make test, not make check.
pytestmark = pytest.mark.slow

MINE = ["countdown", "convoy", "switch-interval", "response"]


def _pyenv(version: str) -> str | None:
    root = pyenv_root()
    path = root / "versions" / version / "bin" / "python" if root else None
    return str(path) if path and path.exists() else None


PY27 = _pyenv("2.7.18")
PY313 = _pyenv("3.13.0")
NO_27 = "CPython 2.7.18 is not installed here (looked in pyenv's versions folder)"


@pytest.fixture(scope="module")
def measured() -> dict:
    """{(experiment, python, setup): result} for the interpreters present."""
    pythons = [p for p in (sys.executable, PY27, PY313) if p]
    results = {}
    for python in pythons:
        for name in MINE:
            results[name, python, "all"] = run_experiment(name, python, quick=True)
        if len(available_cpus()) > 1:
            results["countdown", python, "one"] = run_experiment(
                "countdown", python, quick=True, cpus=[available_cpus()[0]])
    return results


def metrics(measured, name, python, setup="all") -> dict:
    result = measured[name, python, setup]
    assert "metrics" in result, f"{name} under {python}: {result}"
    return result["metrics"]


@pytest.mark.parametrize("name", MINE)
def test_payload_runs_under_the_current_python(measured, name):
    m = metrics(measured, name, sys.executable)
    assert m, "no metrics"


@pytest.mark.parametrize("name", MINE)
def test_payload_runs_under_python27(measured, name):
    if PY27 is None:
        pytest.skip(NO_27)
    result = measured[name, PY27, "all"]
    assert result["python"]["version"] == "2.7.18"
    assert "metrics" in result, result


def test_every_payload_compiles_under_python27_and_imports_nothing_of_ours():
    """Every payload, ours and other rooms', is valid 2.7 syntax and stands alone."""
    if PY27 is None:
        pytest.skip(NO_27)
    files = sorted(str(p) for p in PAYLOADS.glob("*.py"))
    code = ("import sys\nfor f in sys.argv[1:]:\n"
            "    compile(open(f).read(), f, 'exec')\n")
    done = subprocess.run([PY27, "-c", code, *files], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    for path in files:
        text = Path(path).read_text()
        assert "from gilexamples" not in text and "import gilexamples" not in text, path


# --- the facts the chapters state -------------------------------------------------------

def trusted(result_metrics: dict) -> dict:
    """The metrics, or a skip naming the figure when the payload found the run inconclusive."""
    if result_metrics.get("verdict") == "inconclusive":
        pytest.skip(f"the payload reported its run inconclusive: {result_metrics['why']}")
    return result_metrics


def test_convoy_switching_gil_makes_each_round_trip_wait(measured):
    """3.2+: a round trip with one CPU-bound thread costs about one switch interval.

    The client pauses long enough for the echo thread to be back in recv()
    before each request (``late_share`` near 0), so what it times is the
    wait after recv(): at least most of an interval, at most a few (a busy
    machine adds its own delays on top, never takes the wait away).
    """
    m = trusted(metrics(measured, "convoy", sys.executable))
    interval = sys.getswitchinterval()
    assert m["late_share"] <= 0.2, m
    assert m["slowdown"] > 3, m
    assert 0.6 * interval < m["rtt_loaded_s"] < 4 * interval, m
    # The echo thread's own view of its first wait agrees with the client's clock.
    assert m["wait_after_recv_s"] < m["rtt_loaded_s"] * 1.2 + 0.001, m


def test_convoy_tick_gil_does_not(measured):
    if PY27 is None:
        pytest.skip(NO_27)
    old = metrics(measured, "convoy", PY27)
    new = metrics(measured, "convoy", sys.executable)
    assert old["slowdown"] < new["slowdown"] / 3
    assert old["rtt_loaded_s"] < 0.2 * sys.getswitchinterval()


def test_switch_interval_sets_the_round_trip(measured):
    """The round trip follows the interval one for one (slope about 1, never the pause)."""
    m = trusted(metrics(measured, "switch-interval", sys.executable))
    assert m["knob"] == "switch_interval"
    assert 0.6 < m["slope"] < 1.8, m["settings"]
    for row in m["settings"]:
        assert row["late_share"] <= 0.2, row
        assert row["rtt_s"] > 0.6 * row["setting"], row
    fast, slow = m["settings"][0], m["settings"][-1]
    assert slow["setting"] > fast["setting"] and slow["rtt_s"] > fast["rtt_s"]


def test_tick_gil_round_trip_stays_far_below_an_interval_at_the_default(measured):
    """"A better GIL": at the default check interval (100 ticks) or below, 2.7's round trip
    stays far below a 3.x switch interval. Above it, it grows by an amount that varies
    widely from run to run (the page says so), so larger settings are not bounded here."""
    if PY27 is None:
        pytest.skip(NO_27)
    m = metrics(measured, "switch-interval", PY27)
    assert m["knob"] == "check_interval" and m["unit"] == "ticks"
    at_default_or_below = [row for row in m["settings"] if row["setting"] <= 100]
    assert at_default_or_below, m["settings"]
    assert max(row["rtt_s"] for row in at_default_or_below) < 0.2 * sys.getswitchinterval()


def test_response_waits_about_a_switch_interval(measured):
    m = metrics(measured, "response", sys.executable)
    assert m["p50_s"] > 0.2 * sys.getswitchinterval()
    assert m["p50_s"] > 5 * m["alone_p50_s"]


def test_response_under_the_tick_gil_is_quicker(measured):
    if PY27 is None:
        pytest.skip(NO_27)
    assert metrics(measured, "response", PY27)["p50_s"] < \
        metrics(measured, "response", sys.executable)["p50_s"] / 2


def test_countdown_threads_gain_nothing_with_a_gil(measured):
    """Under a GIL the threads never run Python at once: about one CPU, no speed-up.

    Both fail for an interpreter whose threads really run in parallel (a
    free-threaded build: about two CPUs per wall second, ratio near 0.5).
    """
    m = metrics(measured, "countdown", sys.executable)
    if not measured["countdown", sys.executable, "all"]["python"]["gil_enabled"]:
        pytest.skip("the running interpreter has no GIL")
    assert set(m["threads"]) == {"2", "4"}
    for k, entry in m["threads"].items():
        # Short quick runs on a shared machine: load can stretch the sequential half of
        # a trial, hence the margin; the CPU burnt is the steadier sign.
        assert entry["ratio"] > 0.65, (k, entry)
        assert entry["cpu_per_wall"] < 1.3, (k, entry)  # never two CPUs at once


def test_countdown_switching_gil_switches_about_once_per_interval(measured):
    """3.2+: no penalty for more cores: far fewer than 20 switches per switch interval."""
    m = metrics(measured, "countdown", sys.executable)
    assert m["switches_per_s"] < 20 / sys.getswitchinterval(), m["switches_per_s"]


def test_countdown_tick_gil_thrashes_on_several_cores(measured):
    """2.7 on several cores: the threads fight over the GIL, switching far more often.

    Context switches per second, and the share of CPU time spent in the kernel,
    are the clear signs of the fight (the slowdown itself is blurred by a busy
    machine, and is checked on the published results instead).
    """
    if PY27 is None:
        pytest.skip(NO_27)
    if len(available_cpus()) < 2:
        pytest.skip("one CPU: the tick GIL has no second core to fight on")
    def kernel(m):
        return m["threads"]["2"]["system_per_wall"]

    def problems(old, old_one, new):
        if old.get("verdict") == "inconclusive":
            return [f"inconclusive: {old['why']}"]
        if kernel(new) > 0.03:
            # 3.x's threads sleep on the GIL without a fight: a reference that spent this
            # much of its time in the kernel was disturbed (other work, the host), and 2.7's
            # share cannot be judged against it.
            return [f"inconclusive: the 3.x reference spent {kernel(new):.2f} of its time "
                    "in the kernel (other work on the machine)"]
        found = []
        if not old["switches_per_s"] > 3 * new["switches_per_s"]:
            found.append("2.7 does not switch 3x more often than 3.x")
        if not old["switches_per_s"] > 3 * old_one["switches_per_s"]:
            found.append("2.7 on all cores does not switch 3x more often than on one core")
        # The signature of the battle: every lost race is a trip through the kernel.
        if not kernel(old) > 10 * max(kernel(new), 0.003):
            found.append("2.7 does not spend 10x more of its time in the kernel than 3.x")
        return found

    attempt = (metrics(measured, "countdown", PY27), metrics(measured, "countdown", PY27, "one"),
               metrics(measured, "countdown", sys.executable))
    seen = []
    # The fight needs both cores at the same moment; other work on a small shared
    # machine can take one away for a whole run. Three more tries find a quieter moment.
    while True:
        found = problems(*attempt)
        seen.append((found, [(m["switches_per_s"], kernel(m)) for m in attempt]))
        if not found or len(seen) == 4:
            break
        cpu = [available_cpus()[0]]
        attempt = tuple(run_experiment("countdown", python, quick=True, cpus=cpus)["metrics"]
                        for python, cpus in ((PY27, None), (PY27, cpu), (sys.executable, None)))
    if found and all(f and f[0].startswith("inconclusive") for f, _ in seen):
        pytest.skip(f"2.7's fight needs two free cores; every try was {found[0]}")
    assert not found, seen


def test_convoy_reports_the_cpu_bound_threads_progress(measured):
    """The CPU-bound threads' pace (spins) is reported, and they did run."""
    m = metrics(measured, "convoy", sys.executable)
    for k, entry in m["threads"].items():
        assert entry["spins_per_s"] > 0 and entry["spins_solo_per_s"] > 0, (k, entry)
        assert entry["cpu_share"] == pytest.approx(
            entry["spins_per_s"] / entry["spins_solo_per_s"])


def test_payloads_share_one_percentile_and_it_agrees_on_27_and_3x():
    """No payload keeps its own percentile(): they import _common's, and 2.7 computes it alike."""
    import ast

    for path in PAYLOADS.glob("*.py"):
        if path.name == "_common.py":
            continue
        tree = ast.parse(path.read_text())
        own = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)
               and n.name in ("percentile", "median")]
        assert not own, f"{path.name} defines its own {own}"
    code = ("import sys\nsys.path.insert(0, sys.argv[1])\nfrom _common import percentile\n"
            "v = [6, 1, 5, 2, 4, 3]\n"
            "print([percentile(v, f) for f in (0, 0.25, 0.5, 0.9, 0.99, 1)])\n")
    pythons = [sys.executable] + ([PY27] if PY27 else [])
    for python in pythons:
        done = subprocess.run([python, "-c", code, str(PAYLOADS)], capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stdout == "[1, 2, 4, 6, 6, 6]\n", (python, done.stdout)
    if PY27 is None:
        pytest.skip(NO_27 + " (checked on this Python only)")


def test_echo_rig_counts_a_request_sent_before_the_echo_thread_was_listening():
    """The rig's self-check: a request already waiting when recv() is entered is "late"."""
    import socket
    import time

    sys.path.insert(0, str(PAYLOADS))
    try:
        import _common
        import _echo
    finally:
        sys.path.remove(str(PAYLOADS))

    def request(sock):
        sock.sendall(f"{_common.clock():.9f}".encode().ljust(_echo.MESSAGE))
        got = b""
        while len(got) < _echo.MESSAGE:
            chunk = sock.recv(_echo.MESSAGE - len(got))
            assert chunk, "the echo server closed the connection"
            got += chunk

    server = _echo.EchoServer()
    client = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        # The first request is in the socket before the echo thread exists: late.
        client.sendall(f"{_common.clock():.9f}".encode().ljust(_echo.MESSAGE))
        server.start()
        got = b""
        while len(got) < _echo.MESSAGE:
            got += client.recv(_echo.MESSAGE - len(got))
        # The second goes out long after the echo thread is back in recv() (nothing
        # else in this process wants the GIL for 0.2 s): on time.
        time.sleep(0.2)
        request(client)
    finally:
        client.close()
        server.close()
    (entered1, sent1, got1, _), (entered2, sent2, got2, _) = server.notes[:2]
    assert sent1 < entered1 <= got1, server.notes[0]
    assert entered2 < sent2 <= got2, server.notes[1]
