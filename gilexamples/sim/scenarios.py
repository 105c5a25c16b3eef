"""Scenarios: the lab's experiments, replayed on the simulated machine.

Each scenario returns the same metrics as the lab's payload of the same name
(``countdown``: ``ratio`` = threaded / sequential; ``convoy``: ``slowdown`` =
round trip with CPU-bound threads / alone; ``response``: wake-up latency of a
thread that sleeps while others compute), plus a trace of one run. Percentiles
follow the payloads' rule (:func:`gilexamples.units.percentile`), so a
simulated p50 and a measured one are the same statistic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gilexamples.sim.kernel import MS, S, US, Block, Kernel, OSParams, Run, Sleep
from gilexamples.sim.policies import GILParams, make_policy
from gilexamples.trace.format import TraceRecorder, summary
from gilexamples.units import percentile

__all__ = ["Setup", "SCENARIOS", "run_scenario"]


@dataclass(frozen=True)
class Setup:
    """Everything a scenario run depends on."""

    policy: str = "newgil"
    cores: int = 2
    threads: int = 2
    seconds: float = 0.2
    seed: int = 0
    gil: GILParams = field(default_factory=GILParams)
    os: OSParams = field(default_factory=OSParams)
    #: convoy: echo-server threads (each with its own client); response: sleeping threads.
    io_threads: int = 1
    #: How long each blocking call takes (ns): convoy's one-way network delay,
    #: response's sleep. None: the scenario's default (NET_NS, SLEEP_NS).
    io_latency_ns: int | None = None

    def cpu_threads(self) -> int:
        """convoy and response: the CPU-bound threads next to the I/O-bound ones (at least one)."""
        return max(1, self.threads - self.io_threads)


class Channel:
    """A socket's receive side: messages arrive after a network latency."""

    def __init__(self, kernel: Kernel, name: str):
        self.k = kernel
        self.count = 0
        self.queue = kernel.waitqueue(name)

    def deliver(self, after_ns: int) -> None:
        self.k.at(self.k.now + after_ns, self._arrive)

    def _arrive(self) -> None:
        self.count += 1
        self.queue.notify()

    def recv(self):
        """A blocking read (a generator): sleep until a message is there."""
        while self.count == 0:
            yield Block(self.queue)
        self.count -= 1


def _machine(setup: Setup, record: bool):
    recorder = TraceRecorder() if record else None
    kernel = Kernel(setup.cores, setup.seed, setup.os, recorder)
    policy = make_policy(setup.policy, kernel, setup.gil)
    return kernel, policy, recorder


def _io_machine(setup: Setup, record: bool, default_latency_ns: int):
    """:func:`_machine`, plus the I/O latency (the setup's, or the scenario's default)
    and the end of the run in simulated nanoseconds."""
    kernel, policy, recorder = _machine(setup, record)
    latency = default_latency_ns if setup.io_latency_ns is None else setup.io_latency_ns
    return kernel, policy, recorder, latency, int(setup.seconds * S)


def _cpu_worker(policy, work_ns: int):
    def program(th):
        yield from policy.start(th)
        yield from policy.python(th, work_ns)
        yield from policy.exit(th)
    return program


def _seconds(ns: int | None) -> float | None:
    return None if ns is None else ns / S


# -- countdown --------------------------------------------------------------
def countdown(setup: Setup, record: bool = True):
    """Beazley's count(n): the same CPU work by one thread, then split over N threads."""
    work = int(setup.seconds * S)
    kernel, policy, _ = _machine(setup, record=False)
    kernel.spawn("main", _cpu_worker(policy, work))
    sequential = kernel.run()
    kernel, policy, recorder = _machine(setup, record)
    share = work // setup.threads
    for i in range(setup.threads):
        kernel.spawn(f"cpu-{i + 1}", _cpu_worker(policy, share))
    threaded = kernel.run()
    metrics = {"sequential_s": _seconds(sequential), "threaded_s": _seconds(threaded),
               "ratio": threaded / sequential, "context_switches": kernel.context_switches}
    return metrics, recorder, threaded, f"{setup.threads} CPU-bound threads"


# -- convoy -----------------------------------------------------------------
#: Loopback: one-way delivery, send and processing costs; the client's pause between trips.
NET_NS = 12 * US
SEND_NS = 4 * US
HANDLE_NS = 10 * US
CLIENT_GAP_NS = 1 * MS


def _convoy_run(setup: Setup, cpu_threads: int, record: bool):
    kernel, policy, recorder, net_ns, until = _io_machine(setup, record, NET_NS)
    trips: list[int] = []

    def pair(suffix: str):
        """One echo server thread and its client (in another process: no GIL)."""
        to_server = Channel(kernel, "server-socket" + suffix)
        to_client = Channel(kernel, "client-socket" + suffix)

        def server(th):
            yield from policy.start(th)
            while True:
                yield from policy.io(th, to_server.recv())         # data = sock.recv(...)
                yield from policy.python(th, HANDLE_NS)            # handle the request

                def send():
                    yield Run(SEND_NS)                             # sock.send(): does not block
                    to_client.deliver(net_ns)
                yield from policy.io(th, send())

        def client(th):
            while True:
                start = kernel.now
                yield Run(SEND_NS)
                to_server.deliver(net_ns)
                yield from to_client.recv()
                trips.append(kernel.now - start)
                yield Sleep(CLIENT_GAP_NS)

        return server, client

    start_io = 2 * MS if cpu_threads else 0
    for i in range(cpu_threads):
        kernel.spawn(f"cpu-{i + 1}", _cpu_worker(policy, 10 * until))
    for i in range(setup.io_threads):
        suffix = "" if setup.io_threads == 1 else f"-{i + 1}"
        server, client = pair(suffix)
        start = start_io + i * 100 * US // setup.io_threads     # the clients do not start in step
        kernel.spawn("io" + suffix, server, start=start)
        kernel.spawn("client" + suffix, client, start=start + 100 * US, traced=False)
    end = kernel.run(until=until)
    return trips, recorder, end


def convoy(setup: Setup, record: bool = True):
    """Echo server threads answering clients, alone and next to CPU-bound threads."""
    alone, _, _ = _convoy_run(setup, 0, record=False)
    loaded, recorder, end = _convoy_run(setup, setup.cpu_threads(), record)
    if not alone:
        raise ValueError(f"--seconds {setup.seconds:g} is too short for one round trip")
    rtt_alone = percentile(alone, 0.5)
    rtt_loaded = percentile(loaded, 0.5)
    # No round trip at all next to the CPU-bound threads: the I/O thread starved
    # (rtt_loaded_s and slowdown are then None).
    metrics = {"rtt_alone_s": _seconds(rtt_alone), "rtt_loaded_s": _seconds(rtt_loaded),
               "rtt_loaded_p90_s": _seconds(percentile(loaded, 0.9)),
               "slowdown": None if rtt_loaded is None else rtt_loaded / rtt_alone,
               "trips_alone": len(alone), "trips": len(loaded), "starved": not loaded}
    what = "an I/O thread" if setup.io_threads == 1 else f"{setup.io_threads} I/O threads"
    return metrics, recorder, end, f"{what} next to CPU-bound threads"


# -- response ---------------------------------------------------------------
SLEEP_NS = 1 * MS


def _response_run(setup: Setup, cpu_threads: int, record: bool):
    kernel, policy, recorder, sleep_ns, until = _io_machine(setup, record, SLEEP_NS)
    late: list[int] = []

    def sleeper(th):
        yield from policy.start(th)
        while True:
            due = kernel.now + sleep_ns

            def nap():
                yield Sleep(sleep_ns)                              # time.sleep(0.001)
            yield from policy.io(th, nap())
            late.append(kernel.now - due)                          # Python runs again
            yield from policy.python(th, 5 * US)

    for i in range(cpu_threads):
        kernel.spawn(f"cpu-{i + 1}", _cpu_worker(policy, 10 * until))
    for i in range(setup.io_threads):
        name = "sleeper" if setup.io_threads == 1 else f"sleeper-{i + 1}"
        start = (1 * MS if cpu_threads else 0) + i * 100 * US // setup.io_threads
        kernel.spawn(name, sleeper, start=start)
    end = kernel.run(until=until)
    return late, recorder, end


def response(setup: Setup, record: bool = True):
    """How late a thread that sleeps 1 ms gets back to running Python (the lab's metrics)."""
    cpu_threads = setup.cpu_threads()
    alone, _, _ = _response_run(setup, 0, record=False)
    loaded, recorder, end = _response_run(setup, cpu_threads, record)
    if not alone:
        raise ValueError(f"--seconds {setup.seconds:g} is too short for one wake-up")
    sleep_ns = SLEEP_NS if setup.io_latency_ns is None else setup.io_latency_ns
    # No wake-up at all next to the CPU-bound threads: the sleeper starved (p50_s... None).
    metrics = {"sleep_s": sleep_ns / S, "cpu_threads": cpu_threads,
               "alone_p50_s": _seconds(percentile(alone, 0.5)),
               "alone_p99_s": _seconds(percentile(alone, 0.99)),
               "p50_s": _seconds(percentile(loaded, 0.5)),
               "p99_s": _seconds(percentile(loaded, 0.99)),
               "max_s": _seconds(max(loaded)) if loaded else None,
               "samples": len(loaded), "starved": not loaded}
    what = "a sleeping thread" if setup.io_threads == 1 else f"{setup.io_threads} sleeping threads"
    return metrics, recorder, end, f"{what} next to CPU-bound threads"


SCENARIOS = {"countdown": countdown, "convoy": convoy, "response": response}


def run_scenario(name: str, setup: Setup, record: bool = True) -> tuple[dict, dict | None]:
    """Run scenario ``name``; return (metrics, trace or None)."""
    try:
        scenario = SCENARIOS[name]
    except KeyError:
        raise ValueError(f"unknown scenario {name!r} (known: {', '.join(SCENARIOS)})") from None
    metrics, recorder, end, what = scenario(setup, record)
    trace = None
    if recorder is not None:
        title = f"{what}: {setup.policy}, {setup.cores} core{'s' if setup.cores > 1 else ''}"
        trace = recorder.trace(title, "sim", end, meta={
            "scenario": name, "policy": setup.policy, "cores": setup.cores,
            "threads": setup.threads, "seconds": setup.seconds, "seed": setup.seed,
            **({} if setup.io_threads == 1 else {"io_threads": setup.io_threads}),
            **({} if setup.io_latency_ns is None else {"io_latency_ns": setup.io_latency_ns})})
        tsum = summary(trace)
        metrics["switches"] = tsum["switches"]
        metrics["failed_wakeups"] = tsum["failed_wakeups"]
        metrics["drop_requests"] = tsum["requests"]
        metrics["longest_wait_s"] = _seconds(tsum["longest_wait_ns"])
        trace["meta"]["metrics"] = metrics
    return metrics, trace
