"""`make serve` works: `mkdocs serve` serves the site at the root of its address."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.build


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_mkdocs_serve_serves_the_home_page_at_the_root():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--no-livereload",
         "--dev-addr", f"127.0.0.1:{port}"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"), start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        page = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as reply:
                    page = reply.status, reply.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.5)
        assert page is not None, "mkdocs serve never answered"
        status, html = page
        assert status == 200
        assert "<title>The runnable GIL guide</title>" in html
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/threads/", timeout=5) as reply:
            assert "Threads and the GIL" in reply.read().decode("utf-8")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGINT)  # mkdocs and its notebook kernels
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        server.stderr.close()
