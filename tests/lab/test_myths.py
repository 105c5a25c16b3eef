"""The myths payload keeps the payload contract, and the stored results back the myths page."""

from __future__ import annotations

import re
import sys

import pytest

from gilexamples.lab import run_experiment
from gilexamples.lab.results import load_results
from gilexamples.site.myths_tables import render_markers, render_view, verdict_pace
from tests.conftest import ROOT

RESULTS = ROOT / "docs" / "results" / "lab"
PACES = ("sleep_pace", "hash_large_pace", "sum_pace", "sorted_pace")


def test_payload_runs_here_and_reports_every_metric():
    run = run_experiment("myths", sys.executable, quick=True, params={"seconds": 0.1, "rounds": 40})
    assert "metrics" in run, run
    m = run["metrics"]
    for key in PACES + ("sleep0_handover", "sleep_1ms_handover"):
        assert isinstance(m[key], (int, float)) and m[key] >= 0, key
    assert 0 <= m["sleep0_handover"] <= 1
    assert m["hash_backend"].startswith("_")
    if run["python"]["gil_enabled"]:
        # One long C call that keeps the GIL: the watcher cannot run during it, on any load.
        assert m["sum_pace"] < 0.5, m


def _stored():
    doc = load_results(RESULTS, "myths")
    if doc is None:
        pytest.skip("no stored myths results (python -m gilexamples lab --experiment myths)")
    return [r for r in doc["runs"] if "metrics" in r]


def _version(run) -> tuple:
    return tuple(int(x) for x in re.findall(r"\d+", run["python"]["version"])[:2])


def test_stored_results_back_the_pages_claims():
    runs = _stored()
    assert len(runs) >= 2
    for run in runs:
        m, gil = run["metrics"], run["python"]["gil_enabled"]
        assert m["sleep_1ms_handover"] >= 0.8, run["python"]
        if gil:
            # "sum() and sorted() keep the GIL on every build that has one"
            assert m["sum_pace"] <= 0.3 and m["sorted_pace"] <= 0.3, run["python"]
        else:
            # "on the free-threaded build ... nothing stops the watcher"
            assert min(m[k] for k in PACES) >= 0.3, run["python"]
        if gil and m["hash_backend"] == "_hashlib":
            assert m["hash_large_pace"] >= 0.3, run["python"]
    # "Up to 3.10 ... came back holding the GIL almost every time; from 3.11 it nearly always let
    # the busy thread run" (GIL-enabled runs only).
    old = [r["metrics"]["sleep0_handover"] for r in runs
           if r["python"]["gil_enabled"] and _version(r) < (3, 11)]
    new = [r["metrics"]["sleep0_handover"] for r in runs
           if r["python"]["gil_enabled"] and _version(r) >= (3, 11)]
    assert old and new
    assert max(old) <= 0.2 and min(new) >= 0.5, (old, new)


def test_tables_render_from_stored_results_and_missing_ones_say_so(tmp_path):
    _stored()
    table = render_view("c-calls", RESULTS)
    assert "| Interpreter |" in table and "Measured on" in table
    missing = render_view("races", tmp_path)
    assert "Not yet measured" in missing and "--experiment races" in missing
    page = render_markers("a\n<!-- myths-table: sleep0 -->\nb", ROOT / "docs")
    assert "myths-table" not in page and "time.sleep(0)" in page
    with pytest.raises(ValueError):
        render_view("no-such-view", RESULTS)


def test_verdicts_have_a_gap_between_them():
    assert verdict_pace(0.9) == "lets go" and verdict_pace(0.02) == "keeps it"
    assert verdict_pace(0.2) == "unclear" and verdict_pace(None) == "n/a"
