"""The publish script, the committed timeline data, and the page that embeds it."""

from __future__ import annotations

import json
import posixpath
import re

from gilexamples.trace import validate
from gilexamples.trace.publish import FIGURES, MAX_BYTES, main, publish
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
    assert main([str(tmp_path), "--only", "nope", "--no-real"]) == 2
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
