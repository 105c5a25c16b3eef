"""The free-threading tables and plots: built from stored results, never a number for a missing build."""

from __future__ import annotations

import sys

import pytest

from gilexamples.lab.interpreters import probe
from gilexamples.lab.results import make_stamp, write_results
from gilexamples.lab.suite import run_lab
from gilexamples.site import freethreading_tables as ft

from tests.conftest import ROOT


def _stamp():
    return {"machine": {"cpu_model": "Test CPU", "cores": 2, "virtual": None,
                        "system": "Linux", "kernel": "6.0"},
            "date": "2026-01-01T00:00:00+00:00", "finished": "2026-01-01T00:01:00+00:00",
            "loadavg_start": [0.1, 0.1, 0.1], "loadavg_end": [1.0, 0.5, 0.2],
            "command": "python -m gilexamples lab", "quick": False}


def _python(version, kind):
    free = kind != "gil"
    return {"executable": f"/py/{version}{'t' if free else ''}", "version": version,
            "implementation": "CPython", "free_threaded": free,
            "gil_enabled": kind != "nogil", "env": {"PYTHON_GIL": "1"} if kind == "forced" else {}}


def _doc(experiment, runs):
    return {"experiment": experiment, "stamp": _stamp(),
            "runs": [{"python": _python(v, k), "setup": "all cores", **body} for v, k, body in runs]}


def _write(docs, doc):
    write_results(docs / "results" / "lab", doc["experiment"], doc["runs"], doc["stamp"])


def _races(int_lost, counter=None):
    cases = {c: {"expected": 1000, "actual": 1000, "lost_updates": 0} for c in ft.RACE_CASES}
    cases["int_iadd"] = {"expected": 1000, "actual": 1000 - int_lost, "lost_updates": int_lost}
    if counter:
        cases["counter"] = {"crashed": counter}
    return {"metrics": {"cases": cases, "lost_updates": {
        c: v.get("lost_updates") for c, v in cases.items()}}}


def _overhead(scale):
    return {"metrics": {"ns_per_op": {w: 10.0 * scale for w in ft.OVERHEAD_WORKLOADS},
                        "loop_ns": 5.0}}


@pytest.fixture
def pair_docs(tmp_path):
    _write(tmp_path, _doc("races", [("3.13.9", "gil", _races(0)),
                                    ("3.13.9", "nogil", _races(400, "killed by SIGSEGV")),
                                    ("3.13.9", "forced", _races(0))]))
    _write(tmp_path, _doc("overhead", [("3.13.9", "gil", _overhead(1.0)),
                                       ("3.13.9", "nogil", _overhead(1.5)),
                                       ("3.13.9", "forced", _overhead(1.6))]))
    return tmp_path


def test_same_version_table_has_three_columns_and_says_what_was_not_measured(pair_docs):
    out = ft.render_markers("<!-- ft-table: same-version -->", pair_docs)
    header = next(line for line in out.splitlines() if line.startswith("| Measure"))
    assert "3.13.9, default build (GIL)" in header and "3.13.9t, GIL off" in header
    assert "3.13.9t, `PYTHON_GIL=1`" in header
    int_row = next(line for line in out.splitlines() if "`box.x += 1`" in line)
    assert int_row.split("|")[2:5] == [" none ", " 40% ", " none "]
    counter_row = next(line for line in out.splitlines() if "`Counter.update`" in line)
    assert "crashed (SIGSEGV)" in counter_row
    countdown_row = next(line for line in out.splitlines() if "`countdown`" in line)
    assert countdown_row.count("not measured") == 3, "no results, no number"
    geo = next(line for line in out.splitlines() if "geometric mean" in line)
    assert "| 1.00× | 1.50× | 1.60× |" in geo
    assert "Where each row was measured" in out and "Test CPU" in out


def test_no_pair_means_a_note_and_no_numbers(tmp_path):
    _write(tmp_path, _doc("races", [("3.12.1", "gil", _races(0))]))
    out = ft.render_markers("<!-- ft-table: same-version -->\n<!-- ft-builds -->", tmp_path)
    assert "No version measured both ways" in out and "No free-threaded build measured" in out
    assert "|" not in out


def test_overhead_ratio_and_plot(pair_docs):
    out = ft.render_markers("<!-- ft-table: overhead-ratio -->\n\n<!-- ft-plot: overhead -->",
                            pair_docs)
    assert "| **geometric mean** | **1.50×** | **1.60×** |" in out
    figure = out[out.index("<figure"):]
    assert figure.count("<svg") == 1 and "<figcaption>" in figure and "Test CPU" in figure


def test_builds_note_names_the_free_threaded_builds(pair_docs):
    out = ft.render_markers("<!-- ft-builds -->", pair_docs)
    assert "CPython 3.13.9t" in out and "CPython 3.13.9t (PYTHON_GIL=1)" in out
    assert "Measured both ways (the same version with and without its GIL): 3.13.9." in out


def test_missing_results_and_unknown_markers(tmp_path):
    out = ft.render_markers("<!-- ft-table: scaling -->", tmp_path)
    assert "No stored results for scaling" in out
    with pytest.raises(ValueError, match="unknown ft-table marker 'nope'"):
        ft.render_markers("<!-- ft-table: nope -->", tmp_path)
    with pytest.raises(ValueError, match="unknown ft-plot marker 'races'"):
        ft.render_markers("<!-- ft-plot: races -->", tmp_path)


def test_ci_note_reads_the_workflow_matrix(tmp_path):
    workflow = tmp_path / ".github" / "workflows"
    workflow.mkdir(parents=True)
    (workflow / "tests.yml").write_text(
        "jobs:\n  test:\n    strategy:\n      matrix:\n"
        "        python-version: ['3.12', '3.14', '3.14t']\n")
    note = ft.ci_note(tmp_path)
    assert note.startswith("The GitHub workflow runs the test suite on 3.12, 3.14, 3.14t.")
    assert "(3.14t)" in note
    assert "No workflow matrix" in ft.ci_note(tmp_path / "nowhere")
    assert ft.ci_matrix(ROOT), "the project's own workflow has a matrix"


@pytest.fixture(scope="module")
def measured_docs(tmp_path_factory):
    """The three experiments measured now (quick) on the running interpreter."""
    docs = tmp_path_factory.mktemp("docs")
    here = probe(sys.executable)
    results = run_lab([here], ["scaling", "races", "overhead"], quick=True)
    for name, runs in results.items():
        write_results(docs / "results" / "lab", name, runs, make_stamp(["lab"], quick=True))
    return docs


@pytest.mark.slow
@pytest.mark.parametrize("marker", ["ft-table: scaling", "ft-table: races", "ft-table: overhead"])
def test_tables_from_real_runs(measured_docs, marker):
    out = ft.render_markers(f"<!-- {marker} -->", measured_docs)
    lines = out.splitlines()
    assert lines[0].startswith("| Interpreter | GIL |")
    row = lines[2]
    assert probe(sys.executable).label in row
    assert "error" not in row and "n/a" not in row.split("|", 3)[3].split("|")[0]
    assert "Measured on" in out


@pytest.mark.slow
def test_scaling_plot_from_real_runs(measured_docs):
    out = ft.render_markers("<!-- ft-plot: scaling -->", measured_docs)
    assert out.startswith('<figure class="lab-plot">') and out.count("<svg") == 1
    assert "sub-interpreters" in out and "processes" in out
