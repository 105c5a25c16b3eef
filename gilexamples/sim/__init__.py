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
           "US", "MS", "S"]

#: Longest simulated time accepted (seconds): a guard against runs of hours.
MAX_SECONDS = 30.0

#: Longest blocking call accepted (seconds).
MAX_IO_LATENCY = 1.0


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
    if not isinstance(cores, int) or cores < 1:
        raise ValueError(f"cores must be a whole number >= 1, got {cores!r}")
    if not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a whole number >= 1, got {threads!r}")
    if not 0 < seconds <= MAX_SECONDS:
        raise ValueError(f"seconds must be > 0 and <= {MAX_SECONDS:g}, got {seconds!r}")
    if not isinstance(seed, int):
        raise ValueError(f"seed must be an int, got {seed!r}")
    io = {}
    if scenario == "countdown":
        if io_threads:
            raise ValueError("countdown has no I/O-bound threads (io_threads applies to "
                             "convoy and response)")
        if io_latency is not None:
            raise ValueError("countdown does no I/O (io_latency applies to convoy and response)")
    else:
        if io_threads is not None:
            if not isinstance(io_threads, int) or io_threads < 1:
                raise ValueError(f"io_threads must be a whole number >= 1, got {io_threads!r}")
            io["io_threads"] = io_threads
        if io_latency is not None:
            if not 0 < io_latency <= MAX_IO_LATENCY:
                raise ValueError(f"io_latency must be > 0 and <= {MAX_IO_LATENCY:g} s, "
                                 f"got {io_latency!r}")
            io["io_latency_ns"] = max(1, int(round(io_latency * S)))
    gil = gil or GILParams()
    if interval is not None:
        if not interval > 0:
            raise ValueError(f"interval must be > 0, got {interval!r}")
        ns = int(round(interval * S))
        if policy == "ticks":
            gil = replace(gil, check_interval=max(1, ns // gil.tick_ns))
        else:
            gil = replace(gil, interval_ns=max(1, ns))
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
