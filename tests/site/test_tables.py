"""Stored lab results render into the chapters; the published ones exist and are whole."""

from __future__ import annotations

import json
import re
import sys

import pytest

from gilexamples.site.markers import MARKER, render_markers
from gilexamples.site.stamps import load_warning, stamp_line
from gilexamples.site.tables import render_table
from gilexamples.lab.results import load_results, make_stamp, write_results
from gilexamples.lab.runner import available_cpus, run_experiment
from gilexamples.lab.suite import run_lab
from gilexamples.lab.interpreters import probe
from tests.conftest import ROOT
from pathlib import Path

PAGES = [ROOT / "docs" / "what-can-go-wrong.md", ROOT / "docs" / "new-gil.md"]
PUBLISHED = ROOT / "docs" / "results" / "lab"


@pytest.fixture(scope="module")
def docs_dir(tmp_path_factory):
    """A docs folder holding results measured now (quick), for the running interpreter."""
    docs = tmp_path_factory.mktemp("docs")
    here = probe(sys.executable)
    results = run_lab([here], ["countdown", "convoy"], quick=True)
    # The quick lab runs on all cores only; the tables show the full lab's one-core column
    # too, so the countdown also runs pinned here, as the full lab would.
    pinned = run_experiment("countdown", here, quick=True, cpus=available_cpus()[:1])
    pinned["setup"] = "one core"
    results["countdown"].append(pinned)
    stamp = make_stamp(["lab", "--quick"], quick=True)
    for name, runs in results.items():
        write_results(docs / "results" / "lab", name, runs, stamp)
    return docs


def test_table_marker_becomes_a_table_with_a_stamp(docs_dir):
    page = "Before.\n\n<!-- lab-table: convoy -->\n\nAfter.\n"
    out = render_markers(page, docs_dir)
    assert "lab-table" not in out and out.startswith("Before.") and out.endswith("After.\n")
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("| Interpreter"))
    assert "round trip alone" in header and "with 1 CPU-bound thread" in header
    version = ".".join(map(str, sys.version_info[:3]))
    row = next(line for line in lines if line.startswith(f"| CPython {version}"))
    assert re.search(r"\d+(\.\d+)? (µs|ms)", row), row
    stamp = next(line for line in lines if line.startswith("*Measured on"))
    assert "lab --quick" in stamp and "load average" in stamp
    assert ("vCPUs" in stamp) == bool(doc_stamp(docs_dir)["machine"]["virtual"])
    assert ("cores" in stamp) != ("vCPUs" in stamp)


def test_a_marker_inside_a_note_stays_inside_it(docs_dir):
    """An indented marker (in a "??? note" block) is replaced by text indented alike, so
    the table and its stamp render inside the block."""
    page = '??? note "Measured"\n\n    <!-- lab-table: convoy -->\n\nAfter.\n'
    out = render_markers(page, docs_dir)
    body = out.split("\n\nAfter.")[0].splitlines()[2:]
    assert body and all(line.startswith("    ") or not line for line in body), body
    assert any(line.startswith("    | Interpreter") for line in body)
    assert any(line.startswith("    *Measured on") for line in body)


def test_startup_table_marks_a_cut_off_start_as_a_lower_bound():
    run = {"python": {"implementation": "CPython", "version": "3.13.15", "free_threaded": True,
                      "gil_enabled": False, "label": "CPython 3.13.15t"},
           "metrics": {"alone_s": 0.02, "busy_s": 1.0, "slowdown": 50.0, "cut_off": True,
                       "switches_alone": 18.0, "switches_busy": 700.0, "verdict": "measured"}}
    table = render_table({"experiment": "startup", "runs": [run], "stamp": {}})
    row = next(line for line in table.splitlines() if line.startswith("| CPython 3.13.15t"))
    assert "over 1.00 s" in row and "over 50×" in row and "over 700" in row, row


def doc_stamp(docs: Path) -> dict:
    return load_results(docs / "results" / "lab", "convoy")["stamp"]


def test_value_marker_pulls_one_number(docs_dir):
    version = ".".join(map(str, sys.version_info[:2]))
    doc = load_results(docs_dir / "results" / "lab", "convoy")
    slowdown = doc["runs"][0]["metrics"]["slowdown"]
    out = render_markers(f"x <!-- lab-value: convoy {version} slowdown --> y", docs_dir)
    shown = f"{slowdown:.0f}×" if slowdown >= 10 else f"{slowdown:.2f}×"
    assert out == f"x {shown} y"


def test_countdown_table_has_both_setups(docs_dir):
    table = render_table(load_results(docs_dir / "results" / "lab", "countdown"))
    row = next(line for line in table.splitlines() if line.startswith("| CPython"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert "not run" not in cells and "error" not in cells
    assert len(cells) == 5, cells  # one core; 2 and 4 threads on all cores
    assert all(re.fullmatch(r"\d+\.\d\d( †)?", c) for c in cells[2:]), cells


def test_missing_results_say_how_to_make_them(tmp_path):
    out = render_markers("<!-- lab-table: convoy -->", tmp_path)
    assert "No stored results for convoy" in out and "gilexamples lab --out" in out


def test_free_threaded_note_when_none_was_measured(docs_dir):
    out = render_markers("<!-- lab-free-threaded -->", docs_dir)
    if any(run["python"].get("free_threaded")
           for path in (docs_dir / "results" / "lab").glob("*.json")
           for run in json.loads(path.read_text())["runs"]):
        pytest.skip("the running interpreter is free-threaded: the note lists it instead")
    assert "No free-threaded build measured" in out and "--python /path/to/python3.13t" in out


def test_free_threaded_column_when_one_was_measured(tmp_path):
    """A run from a free-threaded build shows up with its GIL off (synthetic input)."""
    doc = {"experiment": "convoy", "stamp": make_stamp(["lab"]), "runs": [
        {"python": {"executable": "/x/python3.13t", "version": "3.13.0",
                    "implementation": "CPython", "gil_enabled": False, "free_threaded": True},
         "setup": "all cores",
         "metrics": {"rtt_alone_s": 4e-5, "threads": {"1": {"rtt_s": 5e-5, "slowdown": 1.25}}}}]}
    write_results(tmp_path / "results" / "lab", "convoy", doc["runs"], doc["stamp"])
    out = render_markers("<!-- lab-table: convoy -->\n<!-- lab-free-threaded -->", tmp_path)
    assert "| CPython 3.13.0t | none (free-threaded) | 40 µs | 50 µs | 1.25× |" in out
    assert "Free-threaded builds measured: CPython 3.13.0t" in out


def test_errors_are_shown_not_hidden(tmp_path):
    bad = run_experiment("countdown", sys.executable, quick=True, timeout=0.01)
    bad["setup"] = "all cores"
    write_results(tmp_path / "results" / "lab", "countdown", [bad], make_stamp(["lab"]))
    out = render_markers("<!-- lab-table: countdown -->", tmp_path)
    assert "| error |" in out and "Not measured:" in out and "timed out" in out


@pytest.mark.parametrize("chapter", PAGES, ids=lambda p: p.name)
def test_published_results_cover_every_marker_of_the_chapters(chapter):
    if not chapter.exists():
        pytest.fail(f"{chapter.name} is missing")
    text = chapter.read_text(encoding="utf-8")
    names = {m.group("arg").split()[0] for m in MARKER.finditer(text)
             if m.group("kind") in ("table", "stamp", "value", "plot")}
    assert names, f"{chapter.name} shows no lab results"
    for name in names:
        doc = load_results(PUBLISHED, name)
        assert doc is not None, f"docs/results/lab/{name}.json is missing"
        assert doc["stamp"]["quick"] is False, f"{name}: published results must be full size"
        versions = {run["python"]["version"] for run in doc["runs"] if "metrics" in run}
        assert any(v.startswith("3.") for v in versions), f"{name}: no 3.x measured"
    rendered = render_markers(text, ROOT / "docs")
    assert "No stored results" not in rendered and "bad lab-value" not in rendered
    assert "(not measured)" not in rendered


def test_plot_marker_draws_inline_svg(docs_dir):
    out = render_markers("Before.\n\n<!-- lab-plot: convoy -->\n\nAfter.\n", docs_dir)
    figure = out[out.index("<figure"):out.index("</figure>")]
    assert figure.count("<svg") == 1 and "<figcaption>" in figure
    assert "\n\n" not in figure, "a blank line would end the raw HTML block"
    assert "<metadata>" not in figure and "Echo round trip" in figure
    assert "Measured on" in figure


def test_plot_of_an_experiment_without_one_is_an_error(docs_dir):
    with pytest.raises(ValueError, match="no plot for 'countdown'"):
        render_markers("<!-- lab-plot: countdown -->", docs_dir)


# --- synthetic stamps and runs: how the renderer reports what it is given ------------------

def _run(version, setup="all cores", exe=None, **metrics):
    return {"python": {"executable": exe or f"/py/{version}", "version": version,
                       "implementation": "CPython", "gil_enabled": True,
                       "free_threaded": False},
            "setup": setup, "metrics": metrics}


def _stamp(**extra):
    stamp = {"machine": {"cpu_model": "Test CPU", "cores": 2, "virtual": None,
                         "system": "Linux", "kernel": "6.0"},
             "date": "2026-01-01T00:00:00+00:00", "finished": "2026-01-01T00:01:00+00:00",
             "loadavg_start": [0.1, 0.1, 0.1], "loadavg_end": [1.2, 0.5, 0.2],
             "command": "python -m gilexamples lab", "quick": False}
    stamp.update(extra)
    return stamp


def _countdown_run(version, setup="all cores", cpu=1.0, ratio=1.0):
    entry = {"ratio": ratio, "seconds": 1.0, "switches_per_s": 500.0, "cpu_per_wall": cpu,
             "system_per_wall": 0.001}
    return _run(version, setup, ratio=ratio, cpu_per_wall=cpu, switches_per_s=500.0,
                sequential_s=1.0, threads={"2": entry})


def test_stamp_says_vcpus_dates_and_both_loads():
    doc = {"experiment": "countdown", "runs": [_countdown_run("3.12.1")],
           "stamp": _stamp(machine={"cpu_model": "Test CPU", "cores": 2, "virtual": "kvm",
                                    "system": "Linux", "kernel": "6.0"})}
    line = stamp_line(doc)
    assert "2 vCPUs of a kvm virtual machine" in line
    assert "2026-01-01T00:00:00+00:00 to 2026-01-01T00:01:00+00:00" in line
    assert "0.10 before the lab started and 1.20 when this experiment ended" in line
    assert load_warning(doc) == ""
    assert "!!! warning" not in render_table(doc)


def test_a_busy_machine_gets_a_visible_warning(tmp_path):
    doc = {"experiment": "convoy", "runs": [], "stamp": _stamp(loadavg_end=[5.01, 4, 2])}
    assert "Measured on a busy machine" in load_warning(doc) and "5.01" in load_warning(doc)
    doc["stamp"] = _stamp(loadavg_start=[1.94, 1, 1])
    assert "1.94 before the lab started" in load_warning(doc)
    out = render_markers("<!-- lab-stamp: convoy -->", _write(doc, tmp_path))
    assert '!!! warning "Measured on a busy machine"' in out


def _write(doc: dict, folder: Path) -> Path:
    write_results(folder / "results" / "lab", doc["experiment"], doc["runs"], doc["stamp"])
    return folder


def test_disturbed_switching_gil_runs_are_marked():
    doc = {"experiment": "countdown", "stamp": _stamp(), "runs": [
        _countdown_run("2.7.18", cpu=1.15, ratio=1.5),
        _countdown_run("3.12.1", cpu=0.60), _countdown_run("3.12.1", "one core", cpu=0.99)]}
    table = render_table(doc)
    assert "| CPython 3.12.1 | switching | 1.00 | 1.00 † |" in table
    assert "| CPython 2.7.18 | tick | not run | 1.50 |" in table  # 2.7 is never marked
    assert "†: a 3.x process that got less than 0.95" in table
    assert "1 run(s) marked †" in load_warning(doc)
    switches = render_table(doc, "switches")
    assert "0.60 †" in switches and "of which in the kernel" in switches


def test_value_prefix_matches_whole_version_components(tmp_path):
    doc = {"experiment": "countdown", "stamp": _stamp(), "runs": [
        _countdown_run("3.10.13", ratio=0.97), _countdown_run("3.12.1", ratio=1.02)]}
    docs = _write(doc, tmp_path)
    assert render_markers("<!-- lab-value: countdown 3.1 ratio -->", docs) == "(not measured)"
    assert render_markers("<!-- lab-value: countdown 3.10 ratio -->", docs) == "0.97"
    assert render_markers("<!-- lab-value: countdown 3.12.1 ratio -->", docs) == "1.02"
    assert render_markers("<!-- lab-value: countdown 3.12 switches_per_s -->", docs) == "500"


def test_value_by_version_names_the_default_build_not_its_free_threaded_twins(tmp_path):
    def free(ratio, env):
        run = _countdown_run("3.13.9", ratio=ratio)
        run["python"] = dict(run["python"], free_threaded=True, executable="/py/3.13.9t",
                             gil_enabled=not env == {}, env=env)
        return run

    doc = {"experiment": "countdown", "stamp": _stamp(), "runs": [
        _countdown_run("3.13.9", ratio=1.01), free(0.55, {}), free(1.04, {"PYTHON_GIL": "1"})]}
    docs = _write(doc, tmp_path)
    assert render_markers("<!-- lab-value: countdown 3.13 ratio -->", docs) == "1.01"
    assert render_markers("<!-- lab-value: countdown CPython 3.13.9t ratio -->", docs) == "0.55"
    assert render_markers("<!-- lab-value: countdown CPython 3.13.9t (PYTHON_GIL=1) ratio -->",
                          docs) == "1.04"


def test_two_interpreters_of_one_version_stay_two_rows():
    doc = {"experiment": "countdown", "stamp": _stamp(), "runs": [
        _countdown_run("3.12.1") | {"python": dict(_countdown_run("3.12.1")["python"],
                                                   executable="/usr/bin/python3.12")},
        _countdown_run("3.12.1", ratio=1.1)]}
    rows = [line for line in render_table(doc).splitlines() if line.startswith("| CPython")]
    assert len(rows) == 2, rows
    assert any("(/usr/bin/python3.12)" in row for row in rows)


def test_convoy_plot_shows_milliseconds_and_the_switch_interval(tmp_path):
    loaded = {"1": {"rtt_s": 0.0051, "slowdown": 200.0}}
    doc = {"experiment": "convoy", "stamp": _stamp(), "runs": [
        _run("3.12.1", rtt_alone_s=2e-5, slowdown=200.0, threads=loaded),
        _run("3.12.1", "one core", rtt_alone_s=2e-5, slowdown=200.0, threads=loaded)]}
    out = render_markers("<!-- lab-plot: convoy -->", _write(doc, tmp_path))
    assert "median round trip (ms)" in out and "switch interval (5 ms)" in out
    table = render_table(doc)
    assert "with 1 CPU-bound thread, one core" in table
    assert "| CPython 3.12.1 | switching | 20 µs | 5.10 ms | 5.10 ms | 200× |" in table


def test_switch_interval_table_shows_the_added_delay_in_intervals():
    """The added delay over the interval, lowest to highest, per setup; "no GIL" for a
    free-threaded build running without it."""
    def run(version, setup, added, gil=True):
        made = _run(version, setup, knob="switch_interval", rtt_alone_s=2e-4, slope=1.0,
                    settings=[{"setting": 0.001, "rtt_s": 2e-4 + a * 0.001, "added_s": a * 0.001}
                              for a in added])
        made["python"]["gil_enabled"] = gil
        return made
    doc = {"experiment": "switch-interval", "stamp": _stamp(), "runs": [
        run("3.12.1", "all cores", [1.1, 1.2]), run("3.12.1", "one core", [1.0, 1.05]),
        run("3.13.9", "all cores", [0.01, -0.02], gil=False)]}
    lines = render_table(doc).splitlines()
    assert "added ÷ interval" in lines[2] and "same, one core" in lines[2]
    row = next(line for line in lines if line.startswith("| CPython 3.12.1"))
    assert row.endswith("| 1.10 to 1.20 | 1.00 to 1.05 |"), row
    row = next(line for line in lines if line.startswith("| CPython 3.13.9"))
    assert row.endswith("| no GIL |  |"), row   # no pinned run of it here

