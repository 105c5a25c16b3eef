"""A deterministic discrete-event simulator of the GIL on a small machine.

Cores, an OS scheduler (run queue, wake-up latency, slices and preemption),
threads running scripted workloads (CPU bursts, blocking I/O, sleeps) and a
pluggable GIL policy: ``ticks`` (Python 2), ``newgil`` (3.2+),
``newgil-noforce``, ``priority`` (a fix proposed on bpo-7946, never shipped)
and ``nogil`` (free-threaded). Same inputs and seed, same trace and metrics,
byte for byte.

>>> from gilexamples import sim
>>> run = sim.simulate("countdown", policy="ticks", cores=2, seconds=0.02)
>>> run["metrics"]["ratio"] > 1
True
"""

from __future__ import annotations

import json
from dataclasses import replace

from gilexamples.sim.kernel import MS, S, US, OSParams
from gilexamples.sim.policies import POLICIES, GILParams
from gilexamples.sim.scenarios import SCENARIOS, Setup, run_scenario

__all__ = ["simulate", "to_json", "POLICIES", "SCENARIOS", "GILParams", "OSParams", "Setup",
           "US", "MS", "S", "MAX_SECONDS", "MAX_THREADS", "MAX_CORES", "MIN_INTERVAL",
           "MAX_INTERVAL", "MAX_SEED", "MAX_PERIODS", "MIN_IO_LATENCY", "MAX_IO_LATENCY", "periods"]

#: Bounds on what :func:`simulate` accepts: they keep every run to seconds, not hours.
#: Longest simulated time (seconds).
MAX_SECONDS = 30.0
#: Most Python threads, and most simulated cores.
MAX_THREADS = 64
MAX_CORES = 64
#: Shortest and longest switch interval (or time between checks, for ``ticks``), seconds.
MIN_INTERVAL = 1e-6
MAX_INTERVAL = 1.0
#: Largest seed (seeds are 0 to 2**32 - 1).
MAX_SEED = 2**32 - 1
#: Most GIL hand-off periods (simulated time / interval) in one run: each costs the
#: simulator some microseconds of real time, so this bounds a run to a few seconds.
MAX_PERIODS = 250_000
#: Shortest and longest blocking call (io_latency), seconds.
MIN_IO_LATENCY = 1e-6
MAX_IO_LATENCY = 1.0


def periods(seconds: float, policy: str, gil: GILParams) -> float:
    """How many GIL hand-off periods a run of ``seconds`` holds (the simulator's work)."""
    if policy == "nogil":
        return 0.0
    period_ns = gil.check_interval * gil.tick_ns if policy == "ticks" else gil.interval_ns
    return seconds * S / max(1, period_ns)


def simulate(scenario: str, *, policy: str = "newgil", cores: int = 2, threads: int = 2,
             seconds: float = 0.2, interval: float | None = None, seed: int = 0,
             trace: bool = True, gil: GILParams | None = None,
             os_params: OSParams | None = None, io_threads: int | None = None,
             io_latency: float | None = None) -> dict:
    """Run one scenario on the simulated machine.

    ``interval`` (seconds): the switch interval for ``newgil``, ``newgil-noforce``
    and ``priority``; for ``ticks``, the time between two checks (it sets the
    check interval in ticks of ``gil.tick_ns``). ``threads`` counts every Python
    thread: ``countdown`` splits its work over them; ``convoy`` and ``response`` run
    ``io_threads`` I/O-bound threads (echo servers, sleepers; default 1) and
    ``threads - io_threads`` CPU-bound ones (at least one). ``io_latency`` (seconds):
    how long each blocking call takes, the one-way network delay for ``convoy``
    (default 12 µs), the sleep for ``response`` (default 1 ms). Returns ``{"scenario", "policy",
    "cores", "threads", "seconds", "seed", "metrics", "trace"}`` (``trace`` is
    None when ``trace=False``). Raises ValueError for a bad argument.
    """
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r} (known: {', '.join(SCENARIOS)})")
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r} (known: {', '.join(POLICIES)})")
    if not isinstance(cores, int) or not 1 <= cores <= MAX_CORES:
        raise ValueError(f"cores must be a whole number from 1 to {MAX_CORES}, got {cores!r}")
    if not isinstance(threads, int) or not 1 <= threads <= MAX_THREADS:
        raise ValueError(f"threads must be a whole number from 1 to {MAX_THREADS}, "
                         f"got {threads!r}")
    if not 0 < seconds <= MAX_SECONDS:
        raise ValueError(f"seconds must be > 0 and <= {MAX_SECONDS:g}, got {seconds!r}")
    if not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED}, got {seed!r}")
    io = {}
    if scenario == "countdown":
        if io_threads:
            raise ValueError("countdown has no I/O-bound threads (io_threads applies to "
                             "convoy and response)")
        if io_latency is not None:
            raise ValueError("countdown does no I/O (io_latency applies to convoy and response)")
    else:
        if io_threads is not None:
            if not isinstance(io_threads, int) or not 1 <= io_threads <= MAX_THREADS:
                raise ValueError(f"io_threads must be a whole number from 1 to {MAX_THREADS}, "
                                 f"got {io_threads!r}")
            io["io_threads"] = io_threads
        if io_latency is not None:
            if not MIN_IO_LATENCY <= io_latency <= MAX_IO_LATENCY:
                raise ValueError(f"io_latency must be from {MIN_IO_LATENCY:g} to "
                                 f"{MAX_IO_LATENCY:g} s, got {io_latency!r}")
            io["io_latency_ns"] = int(round(io_latency * S))
            # each sleep of `response` is a wake-up to simulate: bounded like the periods
            if scenario == "response" and seconds / io_latency > MAX_PERIODS:
                raise ValueError(f"{seconds:g} s of sleeps of {io_latency:g} s are "
                                 f"{seconds / io_latency:,.0f} wake-ups, more than "
                                 f"{MAX_PERIODS:,}: shorten seconds or lengthen io_latency")
    gil = gil or GILParams()
    if interval is not None:
        if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
            raise ValueError(f"interval must be from {MIN_INTERVAL:g} to {MAX_INTERVAL:g} s, "
                             f"got {interval!r}")
        ns = int(round(interval * S))
        if policy == "ticks":
            gil = replace(gil, check_interval=max(1, ns // gil.tick_ns))
        else:
            gil = replace(gil, interval_ns=max(1, ns))
    work = periods(seconds, policy, gil)
    if work > MAX_PERIODS:
        raise ValueError(f"{seconds:g} s of simulated time holds {work:,.0f} GIL hand-off "
                         f"periods, more than {MAX_PERIODS:,}: shorten seconds or lengthen "
                         "the interval")
    setup = Setup(policy=policy, cores=cores, threads=threads, seconds=seconds, seed=seed,
                  gil=gil, os=os_params or OSParams(), **io)
    metrics, recorded = run_scenario(scenario, setup, record=True)
    if not trace:
        recorded = None
    return {"scenario": scenario, "policy": policy, "cores": cores, "threads": threads,
            "seconds": seconds, "seed": seed, "metrics": metrics, "trace": recorded}


def to_json(run: dict) -> str:
    """A run as ``python -m gilexamples simulate --json`` prints it: everything but the
    trace, as JSON with sorted keys and a 2-space indent, ending with a newline.

    The command line and the site's playground (the same code under Pyodide) both print
    runs with this function, so the same inputs give the same bytes.
    """
    document = {key: value for key, value in run.items() if key != "trace"}
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
