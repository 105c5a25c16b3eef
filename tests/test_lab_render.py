"""Stored lab results render into the chapters; the published ones exist and are whole."""

from __future__ import annotations

import json
import re
import sys

import pytest

from gilexamples.lab.render import MARKER, render_markers, render_table
from gilexamples.lab.results import load_results, make_stamp, write_results
from gilexamples.lab.runner import run_experiment
from gilexamples.lab.suite import run_lab
from gilexamples.lab.interpreters import probe
from tests.conftest import ROOT

PAGES = [ROOT / "docs" / "what-can-go-wrong.md", ROOT / "docs" / "new-gil.md"]
PUBLISHED = ROOT / "docs" / "results" / "lab"


@pytest.fixture(scope="module")
def docs_dir(tmp_path_factory):
    """A docs folder holding results measured now (quick), for the running interpreter."""
    docs = tmp_path_factory.mktemp("docs")
    here = probe(sys.executable)
    results = run_lab([here], ["countdown", "convoy"], quick=True)
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
    assert "lab --quick" in stamp and "cores" in stamp and "load average" in stamp


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
    assert all(re.fullmatch(r"\d+\.\d\d", c) for c in cells[3:]), cells


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


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_published_results_cover_every_marker_of_the_chapters(page):
    if not page.exists():
        pytest.fail(f"{page.name} is missing")
    text = page.read_text(encoding="utf-8")
    names = {m.group("arg").split()[0] for m in MARKER.finditer(text)
             if m.group("kind") in ("table", "stamp", "value", "plot")}
    assert names, f"{page.name} shows no lab results"
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
