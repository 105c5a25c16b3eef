"""The GIL simulator: determinism, each policy's qualitative behaviour, the kernel's rules."""

from __future__ import annotations

import json

import pytest

from gilexamples import sim
from gilexamples.sim.kernel import MS, US, Block, Kernel, Run, Sleep
from gilexamples.trace import dumps, run_overlap_ns, validate


def _bytes(run: dict) -> bytes:
    return (json.dumps(run["metrics"], sort_keys=True) + dumps(run["trace"])).encode()


# -- determinism ------------------------------------------------------------------------
@pytest.mark.parametrize("scenario,policy", [("countdown", "ticks"), ("convoy", "newgil"),
                                             ("response", "priority")])
def test_same_seed_gives_identical_bytes(scenario, policy):
    first = sim.simulate(scenario, policy=policy, cores=2, seconds=0.02, seed=7)
    second = sim.simulate(scenario, policy=policy, cores=2, seconds=0.02, seed=7)
    assert _bytes(first) == _bytes(second)


def test_another_seed_gives_another_run():
    """The seed is really used: the tick GIL's race depends on random wake-up latencies."""
    a = sim.simulate("countdown", policy="ticks", cores=2, seconds=0.01, seed=1)
    b = sim.simulate("countdown", policy="ticks", cores=2, seconds=0.01, seed=2)
    assert _bytes(a) != _bytes(b)


# -- countdown: the tick GIL's battle, the switching GIL, no GIL ---------------------------
def _ratio(policy, cores, seconds=0.02):
    return sim.simulate("countdown", policy=policy, cores=cores, seconds=seconds)["metrics"]


def test_tick_gil_battle_on_two_cores():
    m = _ratio("ticks", 2)
    assert m["ratio"] > 1.15, m                 # slower than sequential
    assert m["failed_wakeups"] > 5 * m["switches"] / 2, m  # mostly lost races


def test_tick_gil_on_one_core_is_about_sequential():
    m = _ratio("ticks", 1)
    assert 0.95 < m["ratio"] < 1.05, m
    assert m["failed_wakeups"] < 20, m


@pytest.mark.parametrize("cores", [1, 2])
def test_switching_gil_gains_nothing_and_loses_nothing(cores):
    m = _ratio("newgil", cores, seconds=0.05)
    assert 0.98 < m["ratio"] < 1.05, m
    assert m["switches"] >= 5, m                # about one per 5 ms interval


def test_no_gil_halves_the_time_on_two_cores():
    assert 0.45 < _ratio("nogil", 2)["ratio"] < 0.55
    assert 0.95 < _ratio("nogil", 1)["ratio"] < 1.05


def test_more_threads_than_cores():
    m = sim.simulate("countdown", policy="nogil", cores=2, threads=4, seconds=0.02)["metrics"]
    assert 0.45 < m["ratio"] < 0.6, m


# -- starvation without FORCE_SWITCHING ---------------------------------------------------
def test_without_force_switching_the_waiter_starves():
    fair = _ratio("newgil", 2, seconds=0.05)
    unfair = _ratio("newgil-noforce", 2, seconds=0.05)
    assert fair["longest_wait_s"] < 0.006, fair
    assert unfair["longest_wait_s"] > 3 * fair["longest_wait_s"], unfair
    assert unfair["switches"] < fair["switches"], (fair, unfair)


# -- convoy and response --------------------------------------------------------------------
def _convoy(policy, **kw):
    return sim.simulate("convoy", policy=policy, cores=2, seconds=0.1, **kw)["metrics"]


def test_convoy_under_the_switching_gil_is_about_interval_over_round_trip():
    m = _convoy("newgil")
    expected = 0.005 / m["rtt_alone_s"]
    assert 0.5 * expected < m["slowdown"] < 2 * expected, m
    assert m["slowdown"] > 40, m


@pytest.mark.parametrize("policy,limit", [("priority", 2), ("ticks", 4), ("nogil", 1.3)])
def test_convoy_is_small_without_the_interval_wait(policy, limit):
    m = _convoy(policy)
    assert m["slowdown"] < limit, m


def test_convoy_scales_with_the_interval():
    short = _convoy("newgil", interval=0.001)
    long = _convoy("newgil", interval=0.005)
    assert short["rtt_loaded_s"] < 0.5 * long["rtt_loaded_s"], (short, long)


def test_convoy_without_force_switching_starves_the_io_thread():
    m = _convoy("newgil-noforce")
    assert m["starved"] and m["trips"] == 0 and m["slowdown"] is None, m


def test_response_time_is_one_interval_under_the_switching_gil():
    def p50(policy):
        return sim.simulate("response", policy=policy, cores=2, seconds=0.1)["metrics"]
    newgil, priority, nogil = p50("newgil"), p50("priority"), p50("nogil")
    assert 0.004 < newgil["p50_s"] < 0.0065, newgil
    assert priority["p50_s"] < 0.0005, priority
    assert nogil["p99_s"] < 0.0005, nogil
    assert newgil["p99_s"] >= newgil["p50_s"]


# -- traces -------------------------------------------------------------------------------
@pytest.mark.parametrize("policy", list(sim.POLICIES))
def test_trace_is_valid_and_a_gil_never_runs_two_threads(policy):
    run = sim.simulate("countdown", policy=policy, cores=2, seconds=0.01)
    trace = validate(run["trace"])
    assert [t["name"] for t in trace["threads"]] == ["cpu-1", "cpu-2"]
    overlap = run_overlap_ns(trace)
    if policy == "nogil":
        assert overlap > 0.8 * trace["end"]     # both run nearly all the time
    else:
        assert overlap == 0
        assert any(e[2] == "take" for e in trace["events"])


def test_no_trace_when_not_asked():
    """Without a trace the metrics are the same, the ones the trace adds included."""
    bare = sim.simulate("countdown", policy="newgil", seconds=0.01, trace=False)
    traced = sim.simulate("countdown", policy="newgil", seconds=0.01)
    assert bare["trace"] is None and traced["trace"] is not None
    assert bare["metrics"] == traced["metrics"]
    assert bare["metrics"]["switches"] > 0


@pytest.mark.parametrize("kwargs,message", [
    ({"scenario": "nope"}, "unknown scenario"),
    ({"policy": "nope"}, "unknown policy"),
    ({"cores": 0}, "cores"),
    ({"threads": 0}, "threads"),
    ({"seconds": 0}, "seconds"),
    ({"seconds": 1000}, "seconds"),
    ({"interval": -1.0}, "interval"),
    ({"seed": 1.5}, "seed"),
    ({"seed": -1}, "seed"),
    ({"threads": 100_000}, "threads"),
    ({"cores": 65}, "cores"),
    ({"interval": 1e-9}, "interval"),
    ({"policy": "ticks", "seconds": 30.0}, "hand-off periods"),
])
def test_bad_arguments_raise_value_error(kwargs, message):
    args = {"scenario": "countdown", "seconds": 0.01, **kwargs}
    with pytest.raises(ValueError, match=message):
        sim.simulate(args.pop("scenario"), **args)


# -- the kernel's rules, one at a time -------------------------------------------------------
def test_run_stops_at_the_next_check_after_the_flag_is_set():
    k = Kernel(cores=2, seed=0)
    flag = k.flag("breaker")
    done = []

    def worker(th):
        done.append((yield Run(1 * MS, check=10 * US, flag=flag)))

    def setter(th):
        yield Sleep(25 * US)      # wakes after a latency, then sets the flag
        flag.set()

    k.spawn("worker", worker)
    k.spawn("setter", setter)
    k.run()
    assert len(done) == 1 and done[0] % (10 * US) == 0
    assert 30 * US <= done[0] < 1 * MS


def test_block_times_out_or_is_notified():
    k = Kernel(cores=1, seed=0)
    q = k.waitqueue("q")
    results = []

    def waiter(th):
        results.append((yield Block(q, timeout=100 * US)))
        results.append((yield Block(q, timeout=10 * MS)))

    def notifier(th):
        yield Sleep(1 * MS)
        assert q.notify() == 1
        assert q.notify() == 0    # nobody left to wake

    k.spawn("waiter", waiter)
    k.spawn("notifier", notifier)
    k.run()
    assert results == [False, True]


def test_one_core_runs_one_thread_at_a_time_and_shares_it():
    k = Kernel(cores=1, seed=0)
    finished = {}

    def spin(th):
        yield Run(20 * MS)
        finished[th.name] = k.now

    for name in "ab":
        k.spawn(name, spin)
    end = k.run()
    assert end >= 40 * MS
    assert abs(finished["a"] - finished["b"]) < 10 * MS   # the OS shared the core
    assert k.context_switches > 4


def test_a_deadlock_ends_the_run_instead_of_hanging():
    k = Kernel(cores=2, seed=0)
    q = k.waitqueue("never-notified")

    def stuck(th):
        yield Block(q)

    k.spawn("stuck", stuck)
    assert k.run() < 10 * MS
    assert k.threads[0].state == "blocked"


def _after_requested_drops(policy: str, threads: int = 2):
    """For each drop answering a request: (who dropped, who took the GIL next)."""
    run = sim.simulate("countdown", policy=policy, cores=2, threads=threads, seconds=0.05)
    events = run["trace"]["events"]
    pairs, requested = [], False
    for i, (_, tid, kind) in enumerate(events):
        if kind == "request":
            requested = True
        elif kind == "drop" and requested:
            requested = False
            taker = next((t for _, t, k in events[i + 1:] if k == "take"), None)
            if taker is not None:
                pairs.append((tid, taker))
    return pairs


@pytest.mark.parametrize("threads", [2, 3])
def test_force_switching_a_dropper_never_retakes_before_another_thread(threads):
    """drop_gil with FORCE_SWITCHING: after a requested drop, the next take is someone else's."""
    pairs = _after_requested_drops("newgil", threads)
    assert len(pairs) >= 5
    assert all(dropper != taker for dropper, taker in pairs), pairs


def test_without_force_switching_the_dropper_retakes_at_once():
    pairs = _after_requested_drops("newgil-noforce")
    assert len(pairs) >= 3                          # one request per interval, all in vain
    assert all(dropper == taker for dropper, taker in pairs), pairs

