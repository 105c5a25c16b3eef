"""What the browser tests know about the site: the nav, URLs, and one recorded visit per page.

A *visit* loads one page in a fresh browser context (so nothing is cached from another page),
records everything the passive checks need (status, console errors, failed and foreign
requests, bytes transferred, title and first heading, which widgets the page has) and takes
the desktop screenshot. Several tests read the same visit, so each page is loaded once per
run at desktop width; the interactive tests open their own contexts.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from mkdocs.config import load_config

from tests.conftest import ROOT

#: Where the screenshots go (in .gitignore); the terminal summary prints this path.
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

#: Lines for the terminal summary: what a test could check only partly, and why.
NOTES: list[str] = []

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

#: Debian's Chromium, headless. Playwright's own browser download does not work here.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Offline for real: no host but 127.0.0.1 resolves, even where the network is reachable
    # (CI). Requests the routing below cannot see (preconnects, prefetches) fail too.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]

#: Playwright's wait for any single step, in ms: a page here loads in well under a second,
#: so a step that takes this long is broken, not slow.
STEP_TIMEOUT_MS = 15_000


def _nav_entries(nav, section: str = "") -> list[tuple[str, str | None]]:
    """(docs file, nav title or None) for every page in the nav, depth first."""
    entries = []
    for item in nav:
        title, value = (next(iter(item.items())) if isinstance(item, dict) else (None, item))
        if isinstance(value, list):
            entries.extend(_nav_entries(value, title or section))
        elif not re.match(r"[a-z]+://", value):  # external links are not pages of ours
            entries.append((value, title))
    return entries


_CONFIG = load_config(str(ROOT / "mkdocs.yml"))
SITE_NAME: str = _CONFIG.site_name
#: (docs file, nav title) for every page in mkdocs.yml's nav, read at collection time.
NAV: list[tuple[str, str | None]] = _nav_entries(_CONFIG.nav)
NAV_DOCS: list[str] = [doc for doc, _ in NAV]


def page_url_path(doc: str) -> str:
    """docs file -> URL path under the site root: 'threads.md' -> 'threads/'."""
    stem = re.sub(r"\.(md|ipynb)$", "", doc)
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def shot_name(doc: str, width_name: str) -> str:
    stem = re.sub(r"\.(md|ipynb)$", "", doc).replace("/", "__")
    return f"{stem}.{width_name}.png"


def is_local(url: str, base: str) -> bool:
    """True for requests the offline site may make: our server, or data:/blob: URLs."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname == "127.0.0.1" and url.startswith(base)


@dataclass
class Visit:
    """What one cold load of one page showed."""

    doc: str
    url: str
    status: int | None = None
    title: str = ""
    h1: str = ""
    first_heading_tag: str = ""
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    requests: int = 0
    bytes_total: int = 0
    bytes_by_kind: dict[str, int] = field(default_factory=dict)
    raw_markdown: list[str] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)
    png_plots: list[dict] = field(default_factory=list)
    code_blocks: int = 0
    copy_buttons: int = 0
    annotations: int = 0
    tab_sets: list[list[str]] = field(default_factory=list)
    timelines: int = 0
    seconds: float = 0.0


#: Text in a rendered page (outside code) that means Markdown was not converted.
RAW_MARKDOWN = [
    (re.compile(r"^\s*(```|~~~)", re.M), "a code fence"),
    (re.compile(r"^\s*(!!!|\?\?\?\+?) \w", re.M), "an admonition marker"),
    (re.compile(r"^\s*=== \"", re.M), "a content-tab marker"),
    (re.compile(r"--8<--"), "a snippet include line"),
    (re.compile(r"\]\((?:https?://|\.{0,2}/|[\w-]+\.md)[^)\s]*\)"), "a Markdown link"),
    (re.compile(r"^#{1,6} \w", re.M), "a Markdown heading"),
    (re.compile(r"\(\d+\)!"), "a code-annotation marker"),
    (re.compile(r"(?<![\w*])\*\*\w[^*\n]{0,60}\w\*\*(?![\w*])"), "bold asterisks"),
]

# Runs in the page after load: facts about the rendered article.
_INSPECT_JS = r"""
() => {
  const article = document.querySelector("article.md-content__inner") || document.body;
  const headings = article.querySelectorAll("h1, h2, h3, h4, h5, h6");
  const h1 = article.querySelector("h1");
  const clean = el => el ? el.innerText.replace(/[¶#]\s*$/, "").trim() : "";
  // prose only: drop code, and the notebook's own input/output areas
  const prose = article.cloneNode(true);
  prose.querySelectorAll("pre, code, .highlight, .jp-InputArea, .jp-OutputArea, script, style")
       .forEach(el => el.remove());
  const imgs = [...document.images];
  return {
    title: document.title,
    h1: clean(h1),
    firstHeadingTag: headings.length ? headings[0].tagName.toLowerCase() : "",
    prose: prose.innerText,
    brokenImages: imgs.filter(i => !i.complete || i.naturalWidth === 0)
                      .map(i => (i.currentSrc || i.src).slice(0, 120)),
    pngPlots: imgs.filter(i => i.src.startsWith("data:image/png"))
                  .map(i => ({w: i.naturalWidth, h: i.naturalHeight, complete: i.complete})),
    codeBlocks: article.querySelectorAll("pre").length,
    copyButtons: article.querySelectorAll(
      "button.md-code__button[data-md-type=copy], button.md-clipboard, clipboard-copy").length,
    annotations: article.querySelectorAll(".md-annotation").length,
    tabSets: [...article.querySelectorAll(".tabbed-set")].map(set =>
      [...set.querySelectorAll(":scope > .tabbed-labels > label")].map(l => l.innerText.trim())),
    timelines: document.querySelectorAll(".gil-timeline").length,
  };
}
"""


class PageRecorder:
    """Attach to a browser context: note every request, failure, foreign host and console error."""

    def __init__(self, context, base: str):
        self.base = base
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        self.foreign: list[str] = []
        self.finished = []
        # Anything not served by our 127.0.0.1 server is recorded and aborted: the site must
        # work offline, so such a request is a failure even where the network is reachable.
        context.route(lambda url: not is_local(url, base), self._abort_foreign)
        context.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        context.on("requestfinished", lambda r: self.finished.append(r))
        context.on("response", self._response)
        context.on("console", self._console)
        context.on("weberror", lambda e: self.console_errors.append(f"uncaught: {e.error}"))

    def _abort_foreign(self, route):
        self.foreign.append(route.request.url)
        route.abort()

    def _response(self, response):
        if response.status >= 400:
            self.failed.append(f"{response.url} (HTTP {response.status})")

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(f"{message.text} at {message.location.get('url', '?')}")

    def transferred(self) -> tuple[int, dict[str, int]]:
        """Bytes the browser received (headers + bodies), in total and by resource type."""
        by_kind: dict[str, int] = {}
        for request in self.finished:
            if not request.url.startswith(self.base):
                continue
            sizes = request.sizes()
            n = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            by_kind[request.resource_type] = by_kind.get(request.resource_type, 0) + n
        return sum(by_kind.values()), by_kind


def visit(browser, base: str, doc: str) -> Visit:
    """Load one page cold at desktop width, record it, and save the desktop screenshot."""
    started = time.monotonic()
    record = Visit(doc=doc, url=base + page_url_path(doc))
    context = browser.new_context(viewport=DESKTOP)
    try:
        context.set_default_timeout(STEP_TIMEOUT_MS)
        recorder = PageRecorder(context, base)
        page = context.new_page()
        response = page.goto(record.url, wait_until="load")
        record.status = response.status if response else None
        # material's search worker fetches its index after load: let the network settle so
        # its bytes and any late failure are counted
        page.wait_for_load_state("networkidle")
        facts = page.evaluate(_INSPECT_JS)
        save_screenshot(page, SCREENSHOTS / shot_name(doc, "desktop"))
        record.title, record.h1 = facts["title"], facts["h1"]
        record.first_heading_tag = facts["firstHeadingTag"]
        record.broken_images = facts["brokenImages"]
        record.png_plots = facts["pngPlots"]
        record.code_blocks, record.copy_buttons = facts["codeBlocks"], facts["copyButtons"]
        record.annotations, record.tab_sets = facts["annotations"], facts["tabSets"]
        record.timelines = facts["timelines"]
        for pattern, what in RAW_MARKDOWN:
            for match in pattern.finditer(facts["prose"]):
                line = facts["prose"][max(0, match.start() - 30): match.end() + 30]
                record.raw_markdown.append(f"{what}: ...{line.strip()}...")
        record.requests = len(recorder.finished)
        record.bytes_total, record.bytes_by_kind = recorder.transferred()
        record.console_errors = recorder.console_errors
        record.failed_requests = recorder.failed
        record.foreign_requests = recorder.foreign
    finally:
        context.close()
    record.seconds = time.monotonic() - started
    return record


class Visits:
    """One desktop visit per nav page, made on first use and kept for all the browser tests."""

    def __init__(self, browser, base: str):
        self.browser, self.base = browser, base
        self._by_doc: dict[str, Visit] = {}

    def __getitem__(self, doc: str) -> Visit:
        if doc not in self._by_doc:
            self._by_doc[doc] = visit(self.browser, self.base, doc)
        return self._by_doc[doc]

    def all(self) -> list[Visit]:
        return [self[doc] for doc in NAV_DOCS]

    def made(self) -> list[Visit]:
        return list(self._by_doc.values())


#: Screenshots written in this run.
SHOTS_TAKEN: list[Path] = []


def save_screenshot(page, path: Path) -> None:
    """Full-page screenshot. We write the file ourselves: given a path, Playwright writes it
    from a thread pool whose threads would outlive the test that first used it."""
    path.write_bytes(page.screenshot(full_page=True))
    SHOTS_TAKEN.append(path)


def screenshot_dir_fresh() -> Path:
    """Empty the screenshot folder so it shows this run's pages only."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    return SCREENSHOTS


def find_chromium() -> str | None:
    """The Chromium to drive: $CHROMIUM if set (e.g. Google Chrome on a CI runner whose
    `chromium` is a snap, which cannot see Playwright's profile in the host's /tmp),
    else Debian's."""
    chosen = os.environ.get("CHROMIUM")
    if chosen:
        if not os.access(chosen, os.X_OK):
            pytest.fail(f"CHROMIUM={chosen} is not an executable")
        return chosen
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def require_chromium() -> str:
    """The Chromium executable, with Playwright importable; else skip with the reason.

    In CI (CI=true) the browser tests must run: a missing browser or Playwright
    is a failure there, not a skip.
    """
    executable = find_chromium()
    reason = None
    if executable is None:
        reason = ("chromium is not installed (make test installs Debian's chromium where it "
                  "can: root with apt-get); the browser tests need /usr/bin/chromium or "
                  "$CHROMIUM")
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError as error:
            reason = f"Playwright's Python package is missing ({error}); make test installs it"
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but " + reason)
        pytest.skip(reason)
    return executable
