"""`make serve` works: `mkdocs serve` serves the site at the root of its address.

The server is the session's (tests/site/conftest.py), started beside the site build so
that the two builds share the wait; this test waits for it to answer, reads two pages,
and stops it as Ctrl-C would.
"""

from __future__ import annotations

import time
import urllib.request

import pytest

pytestmark = pytest.mark.build


def test_mkdocs_serve_serves_the_home_page_at_the_root(mkdocs_serve):
    deadline = time.monotonic() + 300
    page = None
    try:
        while time.monotonic() < deadline and mkdocs_serve.process.poll() is None:
            try:
                with urllib.request.urlopen(mkdocs_serve.url, timeout=5) as reply:
                    page = reply.status, reply.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.5)
        assert page is not None, "mkdocs serve never answered:\n" + mkdocs_serve.log()[-3000:]
        status, html = page
        assert status == 200
        assert "<title>The runnable GIL guide</title>" in html
        with urllib.request.urlopen(mkdocs_serve.url + "threads/", timeout=5) as reply:
            assert "Threads and the GIL" in reply.read().decode("utf-8")
    finally:
        mkdocs_serve.stop()
    # Ctrl-C ends it cleanly (exit status 0 or 1), not the SIGKILL that follows 20 s later
    assert mkdocs_serve.process.returncode in (0, 1), mkdocs_serve.process.returncode
