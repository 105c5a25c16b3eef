"""The simulator's I/O knobs (``io_threads``, ``io_latency``) and the one JSON writer the
command line and the playground share (``sim.to_json``)."""

from __future__ import annotations

import json

import pytest

from gilexamples import sim
from gilexamples.trace import validate


def test_to_json_is_what_simulate_json_prints(cli):
    args = ["convoy", "--policy", "newgil", "--cores", "2", "--threads", "3", "--io-threads", "2",
            "--io-latency", "2e-05", "--interval", "0.002", "--seconds", "0.1", "--seed", "4"]
    result = cli("simulate", *args, "--json")
    assert result.returncode == 0, result.stderr
    run = sim.simulate("convoy", policy="newgil", cores=2, threads=3, io_threads=2,
                       io_latency=2e-05, interval=0.002, seconds=0.1, seed=4)
    assert sim.to_json(run) == result.stdout
    doc = json.loads(result.stdout)
    assert set(doc) == {"scenario", "policy", "cores", "threads", "seconds", "seed", "metrics"}


def test_defaults_are_unchanged_by_the_new_knobs():
    """io_threads=1 and the default latency are what the scenarios always did."""
    for scenario in ("convoy", "response"):
        plain = sim.simulate(scenario, seconds=0.05)
        explicit = sim.simulate(scenario, seconds=0.05, io_threads=1)
        assert sim.to_json(plain) == sim.to_json(explicit)
        assert plain["trace"] == explicit["trace"]
    latency = sim.simulate("convoy", seconds=0.05, io_latency=12e-6)
    assert latency["metrics"] == sim.simulate("convoy", seconds=0.05)["metrics"]


def test_more_io_threads_are_more_lanes_and_more_round_trips():
    one = sim.simulate("convoy", policy="nogil", cores=4, threads=2, seconds=0.1)
    three = sim.simulate("convoy", policy="nogil", cores=4, threads=4, io_threads=3, seconds=0.1)
    names = [t["name"] for t in validate(three["trace"])["threads"]]
    assert names == ["cpu-1", "io-1", "io-2", "io-3"]
    assert three["trace"]["meta"]["io_threads"] == 3
    # no GIL and a core each: three servers make about three times the trips of one
    assert 2.5 * one["metrics"]["trips"] < three["metrics"]["trips"] < 3.5 * one["metrics"]["trips"]


def test_sleepers_count_and_the_sleep_follows_io_latency():
    run = sim.simulate("response", policy="newgil", threads=3, io_threads=2, io_latency=0.002,
                       seconds=0.1)
    m = run["metrics"]
    assert m["cpu_threads"] == 1 and m["sleep_s"] == 0.002
    assert [t["name"] for t in run["trace"]["threads"]] == ["cpu-1", "sleeper-1", "sleeper-2"]
    assert m["p50_s"] > 0.004         # still late by about one switch interval


def test_the_convoy_round_trip_grows_with_the_network_delay():
    near = sim.simulate("convoy", policy="nogil", seconds=0.1)["metrics"]["rtt_alone_s"]
    far = sim.simulate("convoy", policy="nogil", seconds=0.1, io_latency=0.001)["metrics"]
    assert far["rtt_alone_s"] > 0.002 > near     # two one-way delays of 1 ms each


@pytest.mark.parametrize("kwargs,message", [
    ({"scenario": "countdown", "io_threads": 1}, "countdown has no I/O-bound threads"),
    ({"scenario": "countdown", "io_latency": 0.001}, "countdown does no I/O"),
    ({"scenario": "convoy", "io_threads": 0}, "io_threads"),
    ({"scenario": "convoy", "io_latency": 0.0}, "io_latency"),
    ({"scenario": "response", "io_latency": 5.0}, "io_latency"),
    ({"scenario": "response", "io_latency": 1e-9}, "io_latency"),
    ({"scenario": "convoy", "io_threads": 65}, "io_threads"),
])
def test_bad_io_values_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sim.simulate(kwargs.pop("scenario"), seconds=0.01, **kwargs)


