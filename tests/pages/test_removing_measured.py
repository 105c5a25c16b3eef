""""Removing the GIL", measured section: what the prose says is what the stored results show.

The page's numbers come from ``docs/results/lab/{scaling,races,overhead,countdown,convoy}.json``
through ``ft-`` markers; its sentences make qualitative claims about them.
These tests read the same files and check each claim, so that regenerated
results that contradict the text fail here instead of on the page.
"""

from __future__ import annotations

import re

import pytest

from gilexamples.lab.results import load_results
from gilexamples.site import freethreading_tables as ft

from tests.conftest import ROOT

PAGE = ROOT / "docs" / "removing-the-gil.md"
RESULTS = ROOT / "docs" / "results" / "lab"
SECTION = "## Measured: the same CPython with and without its GIL"


@pytest.fixture(scope="module")
def text() -> str:
    return PAGE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def docs() -> dict[str, dict]:
    return {name: doc for name in ft.EXPERIMENTS
            if (doc := load_results(RESULTS, name)) is not None}


def _version(run) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", run["python"]["version"])[:3])


def _runs(docs, name):
    if name not in docs:
        pytest.fail(f"docs/results/lab/{name}.json is missing: "
                    f"python -m gilexamples lab --experiment {name} --out docs/results/lab")
    return [r for r in ft._all_cores(docs[name]) if "metrics" in r]


def _pair(docs, name):
    versions = ft.same_version_pairs({name: docs[name]}) if name in docs else []
    if not versions:
        pytest.skip(f"the stored {name} results have no version measured both ways")
    version = versions[-1]
    return {k: ft._find(docs[name], version, k) for k in ft.KINDS}


def test_the_section_is_last_and_uses_every_marker(text):
    assert SECTION in text
    assert text.rindex("\n## ") == text.index(SECTION) - 1, "the measured section ends the page"
    for marker in ("ft-builds", "ft-ci", "ft-table: same-version", "ft-table: scaling",
                   "ft-plot: scaling", "ft-table: races", "ft-table: overhead",
                   "ft-table: overhead-ratio", "ft-plot: overhead"):
        assert f"<!-- {marker} -->" in text, marker


def test_stored_results_are_full_size_and_stamped(docs):
    for name in ("scaling", "races", "overhead"):
        _runs(docs, name)
        stamp = docs[name]["stamp"]
        assert stamp["quick"] is False, f"{name}: published results must be full size"
        assert stamp["machine"]["cores"] and stamp["date"]


def test_the_page_renders_with_no_missing_results(text):
    rendered = ft.render_markers(text, ROOT / "docs")
    assert "ft-" not in re.sub(r"(?s)```.*?```", "", rendered).replace("left-", "")
    assert "No stored results" not in rendered


def test_a_free_threaded_build_was_measured_both_ways(docs):
    """Everything the section says about "the same version" needs such a pair."""
    assert ft.same_version_pairs({n: docs[n] for n in ("scaling", "races", "overhead")}), (
        "no version in the stored results was measured as a default and a free-threaded build")


# --- scaling ------------------------------------------------------------------------------

def test_scaling_threads_double_without_the_gil_and_not_with_it(docs):
    """A stored "inconclusive" (a busy machine) backs no claim: skip, saying to regenerate."""
    pair = _pair(docs, "scaling")
    for kind, verdict in (("nogil", "parallel"), ("gil", "serial"), ("forced", "serial")):
        m = pair[kind]["metrics"]
        if m["verdict"] == "inconclusive":
            pytest.skip(f"stored scaling result for {pair[kind]['python']['label']} is "
                        f"inconclusive ({m['why']}); regenerate on a quiet machine")
        assert m["verdict"] == verdict, (
            f"{pair[kind]['python']['label']}: {m['why']} (the page says {verdict})")


def test_gil_builds_never_scale_threads(docs):
    """"with it ... they take as long as one thread or longer": no conclusive GIL run above 1.15."""
    conclusive = [r for r in _runs(docs, "scaling")
                  if r["python"]["gil_enabled"] and r["metrics"]["verdict"] != "inconclusive"]
    if not conclusive:
        pytest.skip("every stored scaling run of a GIL build is inconclusive (busy machine)")
    for run in conclusive:
        assert run["metrics"]["speedup"] <= 1.15, run["python"]


def test_sub_interpreters_only_from_3_12_and_with_their_own_gil(docs):
    for run in _runs(docs, "scaling"):
        m = run["metrics"]
        if _version(run) < (3, 12):
            assert m["subinterpreters"] is None and "subinterpreter_speedup" not in m
        else:
            assert m["subinterpreter_gil"] == "own", run["python"]


# --- races --------------------------------------------------------------------------------

def test_list_append_loses_nothing_anywhere(docs):
    for run in _runs(docs, "races"):
        assert run["metrics"]["lost_updates"]["list_append"] == 0, run["python"]


def test_int_iadd_loses_before_3_10_and_without_the_gil_never_under_a_3_10_gil(docs):
    seen = set()
    for run in _runs(docs, "races"):
        lost = run["metrics"]["lost_updates"]
        if not run["python"]["gil_enabled"]:
            assert lost["int_iadd"] > 0, run["python"]
            seen.add("free-threaded")
        elif _version(run) >= (3, 10):
            assert lost["int_iadd"] == 0 and lost["dict_check_set"] == 0, run["python"]
            seen.add("3.10+")
        else:
            assert lost["int_iadd"] > 0, run["python"]
            seen.add("before 3.10")
    assert seen == {"free-threaded", "3.10+", "before 3.10"}, f"the stored runs cover only {seen}"


def test_a_python_iadd_loses_under_every_gil(docs):
    for run in _runs(docs, "races"):
        if run["python"]["gil_enabled"]:
            assert run["metrics"]["lost_updates"]["py_iadd"] > 0, run["python"]


def test_counter_update_loses_on_2_7_only_among_gil_builds(docs):
    for run in _runs(docs, "races"):
        if not run["python"]["gil_enabled"]:
            continue
        lost = run["metrics"]["lost_updates"]["counter"]
        if _version(run) < (3,):
            assert lost > 0, run["python"]
        else:
            assert lost == 0, run["python"]


# --- overhead -----------------------------------------------------------------------------

def test_the_free_threaded_build_is_slower_at_most_operations(docs):
    pair = _pair(docs, "overhead")
    base = pair["gil"]["metrics"]["ns_per_op"]
    free = pair["nogil"]["metrics"]["ns_per_op"]
    slower = [w for w in ft.OVERHEAD_WORKLOADS if free[w] > base[w]]
    assert len(slower) >= 4, f"slower only at {slower}"


def test_attribute_reads_show_the_missing_specialization_most(docs):
    pair = _pair(docs, "overhead")
    if pair["nogil"]["python"]["version"].startswith("3.13"):
        ratios = ft._overhead_ratio(docs["overhead"], pair["nogil"]["python"]["version"], "nogil")
        assert max(ratios, key=ratios.get) == "attribute", ratios


def test_python_gil_1_does_not_make_it_faster(docs):
    pair = _pair(docs, "overhead")
    version = pair["gil"]["python"]["version"]
    nogil = ft._geomean(list(ft._overhead_ratio(docs["overhead"], version, "nogil").values()))
    forced = ft._geomean(list(ft._overhead_ratio(docs["overhead"], version, "forced").values()))
    assert forced >= 0.9 * nogil, (nogil, forced)
    assert forced > 1.0


# --- countdown and convoy (measured by the whole lab) -------------------------------------

def test_countdown_same_version(docs):
    pair = _pair(docs, "countdown")
    assert pair["nogil"]["metrics"]["ratio"] < 0.7
    assert pair["gil"]["metrics"]["ratio"] >= 0.85
    assert pair["forced"]["metrics"]["ratio"] >= 0.85


def test_convoy_same_version(docs):
    pair = _pair(docs, "convoy")
    assert ft._slowdown(pair["nogil"]["metrics"]) .endswith("×")
    slow = {k: pair[k]["metrics"].get("slowdown") or pair[k]["metrics"]["threads"]["1"]["slowdown"]
            for k in ("nogil", "forced")}
    assert slow["nogil"] < 3 and slow["forced"] > 10, slow
