"""The scaling payload's verdict rule, on figures given to it (no measuring: make check
runs this)."""

from __future__ import annotations

import sys


def test_threads_that_match_the_processes_are_parallel():
    """The verdict is judged against the calibration of the same run: threads that got
    most of what two processes got are parallel even when neither reached 1.5x."""
    from gilexamples.lab.runner import PAYLOADS

    sys.path.insert(0, str(PAYLOADS))
    try:
        import scaling
    finally:
        sys.path.remove(str(PAYLOADS))
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
