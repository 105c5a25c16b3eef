"""The scaling payload's verdict rule, on figures given to it (no measuring: make check
runs this)."""

from __future__ import annotations

import sys


import pytest


@pytest.fixture(scope="module")
def scaling():
    from gilexamples.lab.runner import PAYLOADS

    sys.path.insert(0, str(PAYLOADS))
    try:
        import scaling
    finally:
        sys.path.remove(str(PAYLOADS))
    return scaling


def test_threads_that_match_the_processes_are_parallel(scaling):
    """The verdict is judged against the calibration of the same run: threads that got
    most of what two processes got are parallel even when neither reached 1.5x."""
    clean = dict(clean_trials=3, trials=3, wait_two=0.0, one_cpu_per_wall=1.0,
                 two_cpu_per_wall=1.9)
    assert scaling.verdict(1.39, 1.55, **clean)[0] == "parallel"
    assert scaling.verdict(1.6, 1.9, **clean)[0] == "parallel"
    assert scaling.verdict(1.3, 1.9, **clean)[0] == "partial"
    assert scaling.verdict(1.05, 1.9, **clean)[0] == "serial"
    assert scaling.verdict(1.39, 1.4, **clean)[0] == "inconclusive"
    # Faster yet never two CPUs busy at once (CPUs of different speeds): not parallel,
    # whatever the processes did; this guard comes before both parallel rules.
    assert scaling.verdict(1.4, 1.55, **dict(clean, two_cpu_per_wall=1.0))[0] == "inconclusive"
    # Two workers that got less than one CPU between them were starved: no verdict,
    # however slow they were (a shared GIL still gives them one CPU).
    starved = scaling.verdict(0.87, 1.52, **dict(clean, two_cpu_per_wall=0.7))
    assert starved[0] == "inconclusive" and "0.70 CPU" in starved[1]


def test_a_trial_is_disturbed_by_run_queue_wait_or_steal_time(scaling):
    """clean() takes (wall, cpu, wait, steal) per worker count; steal time beyond
    STEAL_MAX per wall second plus one clock tick disturbs a trial, as run-queue wait does."""
    tick = scaling.steal_tick() or 0.01
    quiet = {1: (1.0, 1.0, 0.0, 0.0), 2: (1.0, 1.0, 0.0, tick)}
    assert scaling.clean(quiet)
    assert scaling.clean({1: quiet[1], 2: (1.0, 1.0, None, None)})   # unknown counts as clean
    assert not scaling.clean({1: quiet[1], 2: (1.0, 1.0, 0.0, scaling.STEAL_MAX + 2 * tick)})
    assert not scaling.clean({1: (1.0, 1.0, scaling.ONE_WAIT_MAX * 2, 0.0), 2: quiet[2]})
    assert not scaling.clean({1: quiet[1], 2: (1.0, 1.0, scaling.TWO_WAIT_MAX * 2, 0.0)})
    # A short run's few milliseconds of start-up wait (the scheduler moving a new worker
    # to the free core) is not a disturbance; the same share of a long run is.
    short = (0.02, 0.04, scaling.WAIT_GRACE_S * 0.8, 0.0)
    assert scaling.clean({1: quiet[1], 2: short})
    assert not scaling.clean({1: quiet[1], 2: (1.0, 1.0, 1.0 * short[2] / 0.02, 0.0)})
    verdict, why = scaling.verdict(1.0, 1.9, clean_trials=1, trials=3, wait_two=0.01,
                                   one_cpu_per_wall=1.0, steal_two=0.3, who="sub-interpreters")
    assert verdict == "inconclusive" and "0.30 CPU s" in why and "sub-interpreters" in why
