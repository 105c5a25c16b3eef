"""The publish script, the committed timeline data, and the page that embeds it."""

from __future__ import annotations

import json
import posixpath
import re

import pytest

from gilexamples.trace import validate
from gilexamples.cli import main as cli_main
from gilexamples.site.timelines import FIGURES, MAX_BYTES, publish, switch_note
from gilexamples.trace.measured import from_payload
from tests.conftest import ROOT

DATA = ROOT / "docs" / "assets" / "timeline" / "data"
PAGE = ROOT / "docs" / "new-gil-failures.md"


def test_publish_tiny(tmp_path):
    index = publish(tmp_path, quick=True, only=["battle", "priority"])
    names = {entry["name"]: entry for entry in index["figures"]}
    assert set(names) == {"battle", "priority"}
    assert names["priority"]["real"] is None          # no interpreter has priority requests
    for path in tmp_path.glob("*.json"):
        assert path.stat().st_size <= MAX_BYTES, path
    for stem in ["sim-battle", "sim-priority"]:
        trace = validate(json.loads((tmp_path / f"{stem}.json").read_text()))
        assert trace["stamp"]["date"] and trace["stamp"]["interpreter"].startswith("gilexamples.sim")
        assert (tmp_path / f"{stem}.png").stat().st_size > 5000
    real = names["battle"]["real"]
    if "files" in real:                               # a Python 2.7 was found
        trace = validate(json.loads((tmp_path / "real-battle.json").read_text()))
        assert trace["source"] == "real" and "2.7" in trace["stamp"]["interpreter"]
    else:
        assert "no Python 2" in real["skipped"]
    assert json.loads((tmp_path / "index.json").read_text())["figures"][0]["name"] == "battle"


def test_publish_rejects_unknown_figure(tmp_path, capsys):
    assert cli_main(["site", "publish-timelines", str(tmp_path), "--only", "nope", "--no-real"]) == 2
    assert "unknown figure" in capsys.readouterr().err


def test_committed_data_is_valid_stamped_and_small():
    files = sorted(DATA.glob("*-*.json"))
    assert len(files) >= 2 * len(FIGURES) - 3     # priority and noforce: sim only
    for path in files:
        assert path.stat().st_size <= MAX_BYTES, path
        trace = validate(json.loads(path.read_text()))
        assert set(trace["stamp"]) >= {"interpreter", "machine", "date"}, path
        assert path.with_suffix(".png").is_file(), path


def test_page_embeds_existing_data_with_working_relative_paths():
    """The page is served at /new-gil-failures/: data-src is relative to that URL."""
    text = PAGE.read_text()
    sources = re.findall(r'class="gil-timeline" data-src="([^"]+)"', text)
    assert len(sources) >= 8
    for src in sources:
        site_path = posixpath.normpath(posixpath.join("new-gil-failures", src))
        assert (ROOT / "docs" / site_path).is_file(), src
    for name in ("battle", "tick-1core", "convoy", "priority", "nogil"):
        assert f"data/sim-{name}.json" in text


def _alternating(span_ms: int, every_ms: float) -> dict:
    """A real-looking two-thread trace in which the GIL changes hands every ``every_ms``."""
    runs = {"cpu-1": [], "cpu-2": []}
    t, turn, step = 0, 0, int(every_ms * 1e6)
    while t < span_ms * 1_000_000:
        end = min(t + step, span_ms * 1_000_000)
        runs[("cpu-1", "cpu-2")[turn]].append([t, end])
        t, turn = end, 1 - turn
    metrics = {"trace": {"end_ns": span_ms * 1_000_000, "threads": [
        {"name": name, "kind": "cpu", "run": run} for name, run in runs.items()]}}
    return from_payload(metrics, title="t")


def test_switch_note_flags_a_window_with_far_fewer_switches_than_the_interval_predicts():
    healthy = switch_note(_alternating(40, 5), 0.005, [0.5, 0.4, 0.3])
    assert healthy["note"] is None and healthy["expected"] == 8.0
    assert healthy["switches"] == 7                     # 8 stretches, 7 hand-overs
    starved = switch_note(_alternating(40, 20), 0.005, [3.74, 3.0, 2.0])
    assert starved["switches"] == 1
    assert "busy machine" in starved["note"] and "3.74" in starved["note"]
    assert "about 8" in starved["note"]
    assert "load average unknown" in switch_note(_alternating(40, 20), 0.005, None)["note"]
    with pytest.raises(ValueError, match="switch interval"):
        switch_note(_alternating(40, 5), None, None)


def test_committed_real_panels_carry_the_load_and_flag_starved_switching_windows():
    index = json.loads((DATA / "index.json").read_text())
    for entry in index["figures"]:
        real = entry["real"]
        if not real or "files" not in real:
            continue
        trace = json.loads((DATA / real["files"][0]).read_text())
        assert "load average" in trace["stamp"]["machine"], real["files"][0]
        check = real["switch_check"]
        if check is not None:                           # a switching-GIL panel
            assert (check["switches"] < 0.5 * check["expected"]) == bool(check["note"])
            assert trace["stamp"].get("note") == check["note"]
