"""The overhead payload: nanoseconds per operation, one thread, on every build."""

from __future__ import annotations

import math

import pytest

from gilexamples.lab.runner import run_experiment

from tests.lab import _builds

pytestmark = pytest.mark.slow

WORKLOADS = ["call", "attribute", "dict", "list", "alloc", "objects"]


def _check(result, label):
    assert "metrics" in result, f"overhead under {label}: {result}"
    m = result["metrics"]
    assert sorted(m["ns_per_op"]) == sorted(WORKLOADS)
    assert all(isinstance(v, float) and v >= 0 for v in m["ns_per_op"].values())
    assert sum(m["ns_per_op"].values()) > 10, "every statement came out free: calibration broke"
    assert 0 < m["loop_ns"] < 1000
    assert m["n"] > 0 and m["repeat"] > 0 and m["unroll"] == 10
    return m


def test_runs_under_the_current_python():
    me = _builds.current()
    m = _check(run_experiment("overhead", me, quick=True), me.label)
    assert m["gil_enabled"] is me.gil_enabled


def test_runs_under_python_2_7():
    old = _builds.by_version((2, 7))
    if old is None:
        pytest.skip("no CPython 2.7 found (pyenv's versions folder, PATH)")
    _check(run_experiment("overhead", old, quick=True), old.label)


def test_a_subset_of_workloads_and_an_unknown_one():
    me = _builds.current()
    result = run_experiment("overhead", me, quick=True, params={"workloads": ["call", "dict"]})
    assert sorted(result["metrics"]["ns_per_op"]) == ["call", "dict"]
    bad = run_experiment("overhead", me, quick=True, params={"workloads": ["nope"]})
    assert "unknown workload" in bad["skipped"]


def test_the_free_threaded_build_is_slower_than_its_default_twin():
    """3.13t runs without the specializing interpreter: one thread pays for it."""
    pair = _builds.same_version_pair()
    if pair is None:
        pytest.skip(_builds.NO_PAIR)
    default, free = pair
    d = _check(run_experiment("overhead", default, quick=True), default.label)
    t = _check(run_experiment("overhead", free, quick=True), free.label)
    for m, interp in ((d, default), (t, free)):
        if m["cpu_per_wall"] < 0.8:
            pytest.skip(f"{interp.label} got {m['cpu_per_wall']:.2f} CPU s per wall s: "
                        "other work took the CPU, timings not comparable")
    ratios = [t["ns_per_op"][w] / d["ns_per_op"][w] for w in WORKLOADS
              if d["ns_per_op"][w] > 0 and t["ns_per_op"][w] > 0]
    geomean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    assert geomean > 1.0, f"{free.label} / {default.label}: {geomean:.2f}"
