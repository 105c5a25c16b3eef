"""The startup payload: ``python -c pass`` alone and on a core another process keeps busy.

The claim (Locks chapter): a free-threaded 3.13 build starts far more slowly
on a busy core than a build with a GIL, because its PyMutex spins with
``sched_yield()`` on a critical section the starting thread already holds;
the yields show as context switches. 3.14 skips that lock (gh-114203), so the
claim is checked on free-threaded 3.13 builds only.
"""

from __future__ import annotations

import sys

import pytest

from gilexamples.lab.runner import run_experiment

from tests.lab import _builds

pytestmark = pytest.mark.slow

#: Small and quick: a free-threaded 3.13 start on a busy core takes seconds; the
#: cut-off bounds it (the figure is then a lower bound, which is enough here).
PARAMS = {"starts": 5, "busy_starts": 2, "cutoff_s": 1.0}


def _measure(interp) -> dict:
    result = run_experiment("startup", interp, quick=True, params=PARAMS)
    assert "metrics" in result, f"startup under {interp.label}: {result}"
    return result["metrics"]


def test_contract_under_the_current_python():
    m = _measure(_builds.current())
    assert {"alone_s", "busy_s", "slowdown", "switches_alone", "switches_busy", "cut_off",
            "pinned", "verdict"} <= set(m)
    assert 0 < m["alone_s"] < PARAMS["cutoff_s"] and 0 < m["busy_s"] <= PARAMS["cutoff_s"]
    assert m["slowdown"] == pytest.approx(m["busy_s"] / m["alone_s"])
    if sys.platform.startswith("linux"):
        assert m["pinned"] is True and m["verdict"] == "measured", m
    else:
        assert m["verdict"] == "inconclusive" and m["why"]


def test_free_threaded_313_yields_its_core_away_at_start():
    free = _builds.free_threaded()
    if free is None:
        pytest.skip(_builds.NO_FREE_THREADED)
    if free.version_tuple[:2] != (3, 13):
        pytest.skip(f"{free.label}: the slow re-entry is a 3.13 behaviour (3.14 skips it)")
    with_gil = _builds.same_version_pair()
    default = with_gil[0] if with_gil else _builds.current()
    t, d = _measure(free), _measure(default)
    if "inconclusive" in (t["verdict"], d["verdict"]):
        pytest.skip(f"inconclusive: {t.get('why') or d.get('why')}")
    # Generous margins: on a quiet machine the factor is tens to hundreds and the
    # context switches thousands against tens.
    assert t["slowdown"] > 4 * d["slowdown"], (t, d)
    assert t["switches_busy"] > 10 * max(d["switches_busy"], 10), (t, d)
