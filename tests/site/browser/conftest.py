"""Fixtures for the browser tests: the built site served on 127.0.0.1, and pages in Chromium.

The browser is pytest-playwright's ``browser`` fixture (one Chromium for the session;
tests/site/conftest.py points it at Debian's Chromium); ``new_page`` opens a page in a
fresh context from its ``new_context`` fixture. The server lives as long as the tests in
this folder. Both are started *before* the per-test leftover check takes its snapshot, so
the check in tests/conftest.py runs unchanged: see ``no_leftovers`` below.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.site.browser import site

#: The visits made, kept for the terminal summary (printed after the fixtures are gone).
_VISITS: list = []


class _QuietHandler(SimpleHTTPRequestHandler):
    # HTTP/1.0 (the default): one request per connection, so each request thread ends as
    # soon as its response is sent. An idle connection (a browser preconnect that never
    # sends a request) gives up after `timeout` seconds.
    timeout = 5

    def log_message(self, format, *args):  # keep pytest's output clean
        pass


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = False   # server_close() joins every request thread
    block_on_close = True


@pytest.fixture(scope="package")
def site_url(built_site):
    """http://127.0.0.1:PORT/ serving the site that tests/conftest.py built."""
    if built_site.returncode != 0:
        pytest.fail("the site did not build (see test_site_build.py):\n" + built_site.log[-3000:])
    handler = functools.partial(_QuietHandler, directory=str(built_site.dir))
    server = _SiteServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="browser-tests-site-server")
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert not thread.is_alive(), "the site server thread did not stop"


@pytest.fixture(autouse=True)
def no_leftovers(browser, site_url, no_leftovers):
    """The same per-test check as tests/conftest.py, with the shared browser and server
    already running when it takes its "before" snapshot.

    The server thread, Playwright's driver process (Chromium is its child, not ours) and its
    asyncio-waitpid thread live for all the browser tests by design (pytest-playwright
    closes the browser at the end of the session). Requesting them here, ahead
    of the parent fixture of the same name, guarantees they exist before that fixture records
    which threads and children were there, so the parent's check is not weakened at all: any
    thread or child a browser test starts and leaves behind (a request thread stuck on a
    keep-alive connection, a second browser) still fails that test. The shared fixtures
    check their own teardown: server thread joined, driver and every Chromium process gone.
    Inside the browser, a test must close every context it opened.
    """
    yield
    open_contexts = browser.contexts
    for context in open_contexts:
        context.close()
    assert not open_contexts, f"test left {len(open_contexts)} browser context(s) open"


@pytest.fixture(scope="package")
def screenshots():
    """The screenshot folder, emptied once per run so it shows this run's pages only."""
    return site.screenshot_dir_fresh()


@pytest.fixture(scope="package")
def visits(browser, site_url, screenshots):
    """Each nav page loaded once at desktop width (see site.Visits)."""
    made = site.Visits(browser, site_url)
    _VISITS.append(made)
    return made


@pytest.fixture
def new_page(new_context, site_url):
    """A page in a fresh browser context (pytest-playwright's ``new_context``, closed after
    the test) that records console errors and foreign requests."""

    def make(viewport=site.DESKTOP, **options):
        context = new_context(viewport=viewport, **options)
        context.set_default_timeout(site.STEP_TIMEOUT_MS)
        recorder = site.PageRecorder(context, site_url)
        page = context.new_page()
        page.recorder = recorder
        return page

    return make


def pytest_terminal_summary(terminalreporter):
    weights = [record for made in _VISITS for record in made.made()]
    if not (weights or site.NOTES or site.SHOTS_TAKEN):
        return
    write = terminalreporter.write_line
    terminalreporter.section("browser: site in Chromium")
    if weights:
        from tests.site.browser.test_pages import budget_for
        write(f"{'page':<44} {'requests':>8} {'KiB':>8} {'budget KiB':>10}  biggest parts")
        for record in weights:
            parts = sorted(record.bytes_by_kind.items(), key=lambda kv: -kv[1])[:3]
            parts_text = ", ".join(f"{kind} {n / 1024:.0f}" for kind, n in parts)
            over = "  OVER BUDGET" if record.bytes_total > budget_for(record.doc) else ""
            write(f"{record.doc:<44} {record.requests:>8} {record.bytes_total / 1024:>8.0f} "
                  f"{budget_for(record.doc) / 1024:>10.0f}  {parts_text}{over}")
    for note in site.NOTES:
        write(note)
    if site.SHOTS_TAKEN:
        write(f"{len(site.SHOTS_TAKEN)} screenshots (desktop 1280x800, phone 390x844, full page): "
              f"{site.SCREENSHOTS}")
