"""gilexamples.threads: the facts chapter 1 states, checked on this interpreter."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from gilexamples import threads

GIL = threads.gil_info()["gil_enabled"]
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def test_gil_info_describes_this_interpreter():
    info = threads.gil_info()
    assert info["version"] == "{}.{}.{}".format(*sys.version_info[:3])
    assert info["executable"] == sys.executable
    assert info["switch_interval_s"] == sys.getswitchinterval()
    assert info["lock"] == sys.thread_info.lock
    assert isinstance(info["gil_enabled"], bool)
    if not info["free_threaded_build"]:
        assert info["gil_enabled"] is True


def test_python_threads_are_kernel_threads():
    with threads.parked_threads(4) as workers:
        kernel = threads.os_thread_ids()
        ids = [t.native_id for t in workers]
        assert all(t.is_alive() for t in workers)
    assert len(set(ids)) == 4
    assert set(ids) <= kernel
    assert threading.get_native_id() in kernel
    assert not any(t.is_alive() for t in workers)
    assert not set(ids) & threads.os_thread_ids()


def test_parked_threads_stops_its_threads_when_the_block_raises():
    with pytest.raises(KeyError):
        with threads.parked_threads(2) as workers:
            raise KeyError("boom")
    assert not any(t.is_alive() for t in workers)


def test_parked_threads_rejects_zero():
    with pytest.raises(ValueError, match="at least 1"):
        with threads.parked_threads(0):
            pass


def test_os_thread_ids_says_why_without_procfs(monkeypatch):
    def no_proc(path):
        raise FileNotFoundError(path)
    monkeypatch.setattr(threads.os, "listdir", no_proc)
    with pytest.raises(OSError, match="procfs"):
        threads.os_thread_ids()


@pytest.mark.parametrize("workload", sorted(threads.WORKLOADS))
def test_split_timing_shape(workload):
    result = threads.split_timing(workload, units=3, threads=2, repeat=1)
    assert set(result) == {"threads", "units", "sequential_s", "threaded_s", "ratio"}
    assert result["sequential_s"] > 0 and result["threaded_s"] > 0
    assert result["ratio"] == pytest.approx(result["threaded_s"] / result["sequential_s"])


def test_split_timing_gives_each_thread_its_share():
    done = []
    lock = threading.Lock()

    def task(units):
        with lock:
            done.append(units)

    threads.split_timing(task, units=7, threads=3, repeat=1)
    assert done[0] == 7  # the one-thread run does everything
    assert sorted(done[1:]) == [2, 2, 3]  # the split covers every unit once


@pytest.mark.parametrize("kwargs, message", [
    ({"task": "spin"}, "unknown workload 'spin'"),
    ({"units": 0}, "at least 1"),
    ({"threads": 0}, "at least 1"),
])
def test_split_timing_rejects_bad_input(kwargs, message):
    args = {"task": "io", "units": 1, "threads": 2, "repeat": 1, **kwargs}
    with pytest.raises(ValueError, match=message):
        threads.split_timing(**args)


def test_io_waits_overlap_on_any_build():
    result = threads.split_timing("io", units=10, threads=2, repeat=1)
    assert result["ratio"] < 0.75


def test_socket_waits_really_waits():
    result = threads.split_timing(lambda n: threads.socket_waits(n, wait=0.02), 5, threads=1, repeat=1)
    assert result["sequential_s"] >= 5 * 0.02 * 0.9


def test_c_code_that_releases_the_gil_lets_other_threads_run():
    result = threads.longest_stall(lambda: threads.hash_chunks(48))
    assert result["call_s"] > 0
    assert result["stall_fraction"] < 0.5


def test_c_code_that_keeps_the_gil_stops_other_threads():
    result = threads.longest_stall(lambda: sum(range(15_000_000)))
    if GIL:
        assert result["stall_fraction"] > 0.8
        assert result["longest_stall_s"] <= result["call_s"]
    else:
        assert result["stall_fraction"] < 0.5


def test_longest_stall_reports_a_failing_call():
    with pytest.raises(RuntimeError, match="raised in the worker"):
        threads.longest_stall(lambda: 1 / 0)


def test_pure_python_does_not_speed_up_with_the_gil():
    result = threads.split_timing("countdown", units=4_000_000, threads=2, repeat=3)
    if GIL:
        assert result["ratio"] > 0.6
    elif CORES >= 2:
        assert result["ratio"] < 0.8


def test_slices_follow_the_switch_interval():
    fast = threads.measure_slices(seconds=0.3, interval=0.001)
    slow = threads.measure_slices(seconds=0.3, interval=0.02)
    assert fast["interval_s"] == 0.001 and slow["interval_s"] == 0.02
    if GIL:
        # An idle machine gives slices of about one interval. A loaded one
        # stretches the short ones towards the OS's own time slice (the
        # waiting thread must also be given a CPU), so the bounds are wide;
        # what must hold is that a longer interval gives longer slices.
        assert 0.0005 < fast["median_slice_s"] < 0.015
        assert 0.01 < slow["median_slice_s"] < 0.06
        assert slow["median_slice_s"] > 2 * fast["median_slice_s"]
    elif CORES >= 2:
        assert fast["median_slice_s"] < 0.0005


def test_measure_slices_restores_the_interval():
    before = sys.getswitchinterval()
    threads.measure_slices(seconds=0.05, interval=0.0007)
    assert sys.getswitchinterval() == before


def test_measure_slices_rejects_bad_input():
    with pytest.raises(ValueError):
        threads.measure_slices(seconds=0)
    with pytest.raises(ValueError):
        threads.measure_slices(seconds=0.1, threads=1)


def test_switch_interval_restores_even_on_error():
    before = sys.getswitchinterval()
    with pytest.raises(RuntimeError):
        with threads.switch_interval(0.02):
            assert sys.getswitchinterval() == 0.02
            raise RuntimeError
    assert sys.getswitchinterval() == before


def test_switch_interval_rejects_non_positive():
    with pytest.raises(ValueError):
        with threads.switch_interval(0):
            pass


def test_runs_alternate_between_threads_and_cover_the_time():
    result = threads.measure_slices(seconds=0.2, interval=0.002, keep_runs=True)
    runs = result["runs"]
    assert len(runs) == result["switches"] >= 5
    assert runs[0][0] == 0.0
    for (a, b, who), (c, d, other) in zip(runs, runs[1:]):
        assert a < b == c < d  # contiguous, in time order
        assert who != other  # neighbours are different threads
    assert {who for _, _, who in runs} == {0, 1}
