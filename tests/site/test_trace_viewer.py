"""The interactive timeline viewer (docs/assets/timeline/timeline.js) in headless Chromium.

Served from a small page laid out like the built site (``/new-gil-failures/`` with the
assets at ``/assets/timeline/``), so the relative ``data-src`` of the chapter is what is
tested. No mkdocs build needed: it takes a few seconds.
"""

from __future__ import annotations

import functools
import json
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser

ASSETS = ROOT / "docs" / "assets" / "timeline"

PAGE = """<!doctype html><html><head>
<link rel="stylesheet" href="../assets/timeline/timeline.css">
{pre}
</head><body style="width: 900px">
<figure class="gil-figure">
<div class="gil-timeline" id="tl" data-src="../assets/timeline/data/sim-battle.json"></div>
<img class="gil-static" src="../assets/timeline/data/sim-battle.png" alt="static">
</figure>
<div class="gil-timeline" id="missing" data-src="../assets/timeline/data/nope.json"></div>
<div class="gil-timeline" id="noted" data-src="../assets/timeline/data/noted.json"></div>
<script src="../assets/timeline/timeline.js"></script>
</body></html>"""

#: Material's instant navigation exposes document$; the viewer must subscribe to it.
MATERIAL = """<script>window.__calls = 0; window.document$ = {subscribe: function (fn) {
  window.__subscribed = fn; document.addEventListener("DOMContentLoaded", function () {
  window.__calls++; fn(); }); }};</script>"""


class _Quiet(SimpleHTTPRequestHandler):
    timeout = 5

    def log_message(self, *args):
        pass


@pytest.fixture
def served(tmp_path):
    shutil.copytree(ASSETS, tmp_path / "assets" / "timeline")
    data = tmp_path / "assets" / "timeline" / "data"
    noted = json.loads((data / "sim-battle.json").read_text())
    noted["stamp"]["note"] = "busy machine: a note from publish"
    (data / "noted.json").write_text(json.dumps(noted))
    for name, pre in (("new-gil-failures", ""), ("material", MATERIAL)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text(PAGE.format(pre=pre))
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_Quiet, directory=str(tmp_path)))
    server.daemon_threads = False
    server.block_on_close = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture(autouse=True)
def no_leftovers(browser, no_leftovers):
    """The leftover check of tests/conftest.py, taken with the session's browser running."""
    yield


@pytest.fixture
def page(new_context):
    """A tab in a fresh context of pytest-playwright's browser (Debian's Chromium)."""
    tab = new_context(viewport={"width": 1000, "height": 700}).new_page()
    tab.set_default_timeout(15_000)
    return tab


def test_viewer_draws_zooms_and_explains(served, page):
    errors, hosts = [], set()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda req: hosts.add(req.url.split("/")[2]))
    page.goto(served + "new-gil-failures/")
    page.wait_for_selector('#tl[data-gil-state="ready"]')
    assert page.eval_on_selector(".gil-figure", "f => f.classList.contains('gil-js')")
    assert not page.is_visible(".gil-static")          # the picture is for no-JS and print
    painted = page.evaluate("""() => {
        const c = document.querySelector('#tl canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }""")
    assert painted > 10_000
    readout = page.locator("#tl .gil-readout")
    start = readout.inner_text()
    page.click("#tl button:text('5 ms')")
    assert readout.inner_text().startswith("window 5.000 ms")
    page.click("#tl button:text('+')")
    assert readout.inner_text().startswith("window 2.500 ms")
    box = page.locator("#tl canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 14 + 15)   # first lane
    tip = page.locator("#tl .gil-tip")
    assert tip.is_visible() and tip.inner_text().startswith("cpu-1")
    before = readout.inner_text()
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 4, box["y"] + 29, steps=5)  # drag: pan later
    page.mouse.up()
    assert readout.inner_text().startswith("window 2.500 ms") and readout.inner_text() != before
    page.mouse.wheel(0, 400)                                            # zoom out at pointer
    assert not readout.inner_text().startswith("window 2.500 ms")
    page.dblclick("#tl canvas")
    assert readout.inner_text() == start
    page.wait_for_selector('#missing[data-gil-state="error"]')
    assert "could not be loaded" in page.inner_text("#missing")
    page.wait_for_selector('#noted[data-gil-state="ready"]')
    assert page.inner_text("#noted .gil-note") == "busy machine: a note from publish"
    assert page.locator("#tl .gil-note").count() == 0                 # no note, no line
    assert errors == []
    assert hosts == {served.split("/")[2]}                              # nothing from elsewhere


def test_viewer_subscribes_to_material_instant_navigation(served, page):
    page.goto(served + "material/")
    page.wait_for_selector('#tl[data-gil-state="ready"]')
    assert page.evaluate("typeof window.__subscribed === 'function' && window.__calls === 1")
