"""The site built once per session, for the build tests and the browser tests; ``mkdocs
serve`` started beside that build, for the serve test; the browser.

The browser is pytest-playwright's ``browser`` fixture, launched from Debian's Chromium
(Playwright's own browser download does not work offline): ``site.require_chromium()``
finds it, or skips with the reason (and fails in CI, where the browser tests must run).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


class SiteBuild:
    """The result of one ``mkdocs build --strict`` of the docs."""

    def __init__(self, site_dir: Path, result: subprocess.CompletedProcess):
        self.dir = site_dir
        self.returncode = result.returncode
        self.log = result.stdout + result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _sigint_as_at_a_terminal() -> None:
    """In the child before exec: SIGINT back to its default. A shell running a script in
    the background starts it with SIGINT ignored, the ignore is inherited across exec, and
    Python then installs no KeyboardInterrupt handler: Ctrl-C's signal would do nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class MkdocsServe:
    """``mkdocs serve`` as ``make serve`` runs it, in a process group of its own (mkdocs
    and its notebook kernels), its log in a file (a pipe nobody reads could fill up)."""

    def __init__(self, log_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = log_path
        self._log = open(log_path, "w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--no-livereload",
             "--dev-addr", f"127.0.0.1:{self.port}"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self._log, text=True,
            env=dict(os.environ, NO_MKDOCS_2_WARNING="1"), start_new_session=True,
            preexec_fn=_sigint_as_at_a_terminal)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """SIGINT to the group, as Ctrl-C would; SIGKILL if it does not end within 20 s
        (the serve test then fails: see its last assertion)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


@pytest.fixture(scope="session")
def _site(tmp_path_factory):
    """The site built once per session, and ``mkdocs serve`` started just before the build
    so that its own build (notebooks executed) runs beside this one, not after it."""
    server = MkdocsServe(tmp_path_factory.mktemp("serve") / "mkdocs-serve.log")
    try:
        site_dir = tmp_path_factory.mktemp("site")
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
            cwd=ROOT, capture_output=True, text=True, timeout=900, env=env,
        )
        yield SiteBuild(site_dir, result), server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def built_site(_site) -> SiteBuild:
    """The site built once per test session (notebooks executed, --strict)."""
    return _site[0]


@pytest.fixture(scope="session")
def mkdocs_serve(_site) -> MkdocsServe:
    """``mkdocs serve`` of the docs, started with the session's build (it may still be
    building: wait for it to answer)."""
    return _site[1]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options, with Debian's Chromium and its headless flags."""
    from tests.site.browser import site

    return {**browser_type_launch_args, "executable_path": site.require_chromium(),
            "args": site.CHROMIUM_ARGS}
