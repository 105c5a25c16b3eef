"""The site built once per session, for the build tests and the browser tests; the browser.

The browser is pytest-playwright's ``browser`` fixture, launched from Debian's Chromium
(Playwright's own browser download does not work offline): ``site.require_chromium()``
finds it, or skips with the reason (and fails in CI, where the browser tests must run).
"""

from __future__ import annotations

import os
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


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> SiteBuild:
    """Build the site once per test session (notebooks executed, --strict)."""
    site_dir = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT, capture_output=True, text=True, timeout=900, env=env,
    )
    return SiteBuild(site_dir, result)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options, with Debian's Chromium and its headless flags."""
    from tests.site.browser import site

    return {**browser_type_launch_args, "executable_path": site.require_chromium(),
            "args": site.CHROMIUM_ARGS}
