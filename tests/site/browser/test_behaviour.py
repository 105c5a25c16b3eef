"""The site's interactive parts, clicked in a real browser: copy buttons, code annotations,
content tabs (and their linking), search, the colour-scheme toggle, the GIL timeline."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.site.browser import site

pytestmark = pytest.mark.browser

COPY_BUTTON = "button.md-code__button[data-md-type=copy], button.md-clipboard"


def _go(page, site_url, doc):
    """Load ``doc`` in ``page``, as a reader following a link would."""
    response = page.goto(site_url + site.page_url_path(doc), wait_until="load")
    assert response.status == 200, f"{doc}: HTTP {response.status}"
    return page


def _open(new_page, site_url, doc, **options):
    """``doc`` in a page of a fresh browser context (nothing remembered from other pages)."""
    return _go(new_page(**options), site_url, doc)


def _pages_with(visits, attribute) -> list[site.Visit]:
    return [record for record in visits.all() if getattr(record, attribute)]


# In the page: the text a reader expects from the copy button of code block N: the code as
# shown, without the annotation markers material puts into it.
_CODE_TEXT_JS = r"""
n => {
  const pre = document.querySelectorAll("article pre")[n];
  const code = (pre.querySelector(":scope > code") || pre).cloneNode(true);
  code.querySelectorAll(".md-annotation").forEach(el => el.remove());
  return code.textContent;
}
"""


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def _copy_and_read(page, button) -> str:
    page.evaluate("navigator.clipboard.writeText('(clipboard not written)')")
    button.scroll_into_view_if_needed()
    button.hover()
    button.click()
    page.wait_for_function(
        "navigator.clipboard.readText().then(t => t !== '(clipboard not written)')", polling=50)
    return page.evaluate("navigator.clipboard.readText()")


def test_copy_buttons_copy_the_code(visits, new_page, site_url):
    """On every page with code, every block has a copy button, and the first and last
    blocks' buttons put exactly the code shown on the clipboard. Markdown pages use
    material's button; notebook pages mkdocs-jupyter's <clipboard-copy> on each input cell."""
    pages = _pages_with(visits, "code_blocks")
    assert any(not r.doc.endswith(".ipynb") for r in pages), "no Markdown page has code"
    # One page for all (a reader going from page to page): nothing here depends on what
    # an earlier page remembered.
    page = new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"],
                                   origin=site_url.rstrip("/"))
    for record in pages:
        _go(page, site_url, record.doc)
        # Code may sit in a collapsed note: open them all, as a reader would.
        page.evaluate("document.querySelectorAll('article details').forEach(d => d.open = true)")
        if record.doc.endswith(".ipynb"):
            cells = page.locator("article .jp-CodeCell .jp-InputArea")
            buttons = page.locator("article .jp-CodeCell clipboard-copy")
            if cells.count() == 0:
                continue  # every input cell is folded away (tagged hide-input): nothing to copy
            assert buttons.count() == cells.count(), (
                f"{record.doc}: {cells.count()} code cells, {buttons.count()} copy buttons")
            for n in sorted({0, buttons.count() - 1}):
                copied = _copy_and_read(page, buttons.nth(n))
                expected = page.evaluate(
                    "b => document.getElementById(b.getAttribute('for')).textContent",
                    buttons.nth(n).element_handle())
                assert _normalise(copied) == _normalise(expected), (
                    f"{record.doc}: cell {n}'s copy button copied {copied[:200]!r}, "
                    f"the cell shows {expected[:200]!r}")
        else:
            page.wait_for_selector(f"article pre :is({COPY_BUTTON})", state="attached")
            blocks = page.locator("article pre")
            # One question to the page for all blocks (one locator call per block is slow).
            without = page.evaluate(
                "sel => [...document.querySelectorAll('article pre')]"
                ".flatMap((pre, n) => pre.querySelector(sel) ? [] : [n])", COPY_BUTTON)
            assert without == [], f"{record.doc}: code blocks {without} have no copy button"
            for n in sorted({0, blocks.count() - 1}):
                blocks.nth(n).hover()
                copied = _copy_and_read(page, blocks.nth(n).locator(COPY_BUTTON))
                expected = page.evaluate(_CODE_TEXT_JS, n)
                assert _normalise(copied) == _normalise(expected), (
                    f"{record.doc}: block {n}'s copy button copied {copied[:200]!r}, "
                    f"the block shows {expected[:200]!r}")
        assert not page.recorder.console_errors, (record.doc, page.recorder.console_errors)


def test_code_annotations_open(visits, new_page, site_url):
    """On every page with code annotations: clicking the first marker shows its tooltip."""
    pages = _pages_with(visits, "annotations")
    assert pages, "no page has a code annotation (the docs conventions ask for annotated code)"
    page = new_page()   # one page for all, as in the copy-button test
    for record in pages:
        _go(page, site_url, record.doc)
        annotation = page.locator("article .md-annotation").first
        # material 9.8 builds the tooltip when the marker gets focus: before the click
        # there is no active one
        tooltip = annotation.locator(".md-tooltip.md-tooltip--active")
        assert tooltip.count() == 0, f"{record.doc}: a tooltip shows before any click"
        annotation.scroll_into_view_if_needed()
        # the marker pulses (a CSS animation), so it is never "stable" for Playwright's
        # actionability wait: click it where it is, with a real mouse event all the same
        annotation.locator(".md-annotation__index").click(force=True)
        tooltip.wait_for(state="visible")
        page.wait_for_function("el => getComputedStyle(el).opacity === '1'",
                               arg=tooltip.element_handle(), polling=50)
        text = tooltip.inner_text().strip()
        box = tooltip.bounding_box()
        assert text, f"{record.doc}: the annotation tooltip is empty"
        assert box and box["width"] > 20 and box["height"] > 10, f"{record.doc}: tooltip box {box}"
        assert not page.recorder.console_errors, (record.doc, page.recorder.console_errors)


# In the page: for the tab set number n, which label is selected and which panels show.
_TABS_STATE_JS = r"""
n => {
  const set = document.querySelectorAll("article .tabbed-set")[n];
  const inputs = [...set.querySelectorAll(":scope > input")];
  const blocks = [...set.querySelectorAll(":scope > .tabbed-content > .tabbed-block")];
  return {checked: inputs.findIndex(i => i.checked),
          visible: blocks.map(b => b.getBoundingClientRect().height > 0
                                   && getComputedStyle(b).display !== "none")};
}
"""


def test_content_tabs_switch(visits, new_page, site_url):
    """On every page with content tabs: clicking the second label shows its panel and
    hides the first."""
    pages = _pages_with(visits, "tab_sets")
    assert pages, "no page has content tabs (the docs conventions ask for era tabs)"
    for record in pages:
        page = _open(new_page, site_url, record.doc)
        # A tab set may sit in a collapsed note: open them all, as a reader would.
        page.evaluate("document.querySelectorAll('article details').forEach(d => d.open = true)")
        n = next(i for i, labels in enumerate(record.tab_sets) if len(labels) >= 2)
        before = page.evaluate(_TABS_STATE_JS, n)
        assert before["checked"] == 0 and before["visible"][:2] == [True, False], (
            f"{record.doc}: tab set {n} does not start on its first tab: {before}")
        label = page.locator("article .tabbed-set").nth(n).locator(
            ":scope > .tabbed-labels > label").nth(1)
        label.scroll_into_view_if_needed()
        label.click()
        after = page.evaluate(_TABS_STATE_JS, n)
        assert after["checked"] == 1 and after["visible"][:2] == [False, True], (
            f"{record.doc}: clicking {record.tab_sets[n][1]!r} gave {after}")


def test_linked_tabs_switch_together(visits, new_page, site_url):
    """content.tabs.link: choosing a tab label switches every tab set with the same label,
    on the same page and on the next page the reader opens."""
    sets = [(record.doc, n, labels) for record in visits.all()
            for n, labels in enumerate(record.tab_sets)]
    # a label that is not the default (first) in some set B, and appears in another set A
    pairs = [((doc_a, n_a, la), (doc_b, n_b, lb), label)
             for doc_b, n_b, lb in sets for label in lb[1:]
             for doc_a, n_a, la in sets if (doc_a, n_a) != (doc_b, n_b) and label in la]
    if not pairs:
        # Nothing to link yet: this becomes the real check as soon as two tab sets share
        # a label that is not the default in one of them.
        assert sets, "no page has content tabs"
        site.NOTES.append("linked tabs: no two tab sets share a non-default label yet; "
                     "checked only that tabs exist")
        return
    (doc_a, n_a, labels_a), (doc_b, n_b, _), label = pairs[0]
    page = _open(new_page, site_url, doc_a)
    set_a = page.locator("article .tabbed-set").nth(n_a)
    if labels_a.index(label) == 0:  # make the click a change
        set_a.locator(":scope > .tabbed-labels > label").nth(1).click()
    set_a.locator(":scope > .tabbed-labels > label").nth(labels_a.index(label)).click()
    if doc_b != doc_a:
        page.goto(site_url + site.page_url_path(doc_b), wait_until="load")
    tab_set_b = page.locator("article .tabbed-set").nth(n_b)
    labels_b = [t.strip() for t in
                tab_set_b.locator(":scope > .tabbed-labels > label").all_inner_texts()]
    page.wait_for_function(
        "([n, i]) => document.querySelectorAll('article .tabbed-set')[n]"
        ".querySelectorAll(':scope > input')[i].checked",
        arg=[n_b, labels_b.index(label)], polling=50, timeout=5000)
    state = page.evaluate(_TABS_STATE_JS, n_b)
    assert state["visible"][labels_b.index(label)], (
        f"choosing {label!r} on {doc_a} did not switch tab set {n_b} on {doc_b}: {state}")


#: What a reader types -> the chapters that should come up (any one of them).
SEARCHES = {
    "switch interval": ["threads.md", "new-gil.md"],
    "convoy": ["new-gil-failures.md", "what-can-go-wrong.md", "new-gil.md"],
    "faulthandler": ["signals.md"],
    "semaphore": ["locks.md"],
}


@pytest.mark.parametrize("query", list(SEARCHES))
def test_search_finds_the_chapter(new_page, site_url, query):
    """Type into material's search box: the chapter about it is among the results. A chapter
    not in the nav yet: at least some result, and the summary says what was expected."""
    page = _open(new_page, site_url, site.NAV_DOCS[0])
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(query, delay=10)
    # material writes "No matching documents" or "N matching documents" once it has searched
    page.wait_for_function(
        "/matching document/i.test(document.querySelector('.md-search-result__meta').innerText)",
        polling=50)
    hrefs = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(a => a.href)")
    paths = {urlsplit(href).path for href in hrefs}
    expected = [doc for doc in SEARCHES[query] if doc in site.NAV_DOCS]
    if expected:
        wanted = {"/" + site.page_url_path(doc) for doc in expected}
        assert paths & wanted, (
            f"search {query!r}: none of {sorted(wanted)} among the results {sorted(paths)}")
    else:
        assert paths, (f"search {query!r}: no result at all (expected chapter "
                       f"{' or '.join(SEARCHES[query])}, not in the nav yet)")
        site.NOTES.append(f"search {query!r}: expected chapter {' or '.join(SEARCHES[query])} "
                          f"is not in the nav yet; checked only that it finds something: "
                          f"{sorted(paths)}")
    assert not page.recorder.console_errors, page.recorder.console_errors


def test_colour_scheme_toggle(new_page, site_url):
    """The header's toggle switches light <-> dark: data-md-color-scheme and the colours."""
    page = _open(new_page, site_url, site.NAV_DOCS[0], color_scheme="light")

    def state():
        return page.evaluate("""() => [document.body.getAttribute("data-md-color-scheme"),
                                      getComputedStyle(document.body).backgroundColor]""")

    scheme, background = state()
    assert scheme == "default"
    page.locator("form[data-md-component=palette] label:not([hidden])").click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'",
                           polling=50)
    assert state()[1] != background, "the scheme changed but the background did not"
    page.locator("form[data-md-component=palette] label:not([hidden])").click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'default'",
                           polling=50)
    assert state()[1] == background


# In the page: what timeline n shows. timeline.js (docs/assets/timeline/) draws on a canvas,
# marks the element data-gil-state="ready" (or "error"), and writes the visible window into
# its .gil-readout: "window 12.5 ms from 3.000 ms".
_TIMELINE_JS = r"""
n => {
  const el = document.querySelectorAll(".gil-timeline")[n];
  const canvas = el.querySelector("canvas");
  let painted = 0;
  if (canvas && canvas.width && canvas.height) {
    const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < px.length; i += 4 * 7) if (px[i]) painted++;
  }
  const readout = el.querySelector(".gil-readout");
  return {state: el.getAttribute("data-gil-state"), painted,
          readout: readout ? readout.textContent : "", text: el.innerText.slice(0, 200)};
}
"""

_UNITS_NS = {"s": 1e9, "ms": 1e6, "µs": 1e3, "ns": 1.0}


def _window_ns(readout: str) -> float:
    """'window 12.5 ms from 3.000 ms' -> 12.5e6."""
    match = re.match(r"window (-?[\d.]+) (s|ms|µs|ns) from", readout)
    assert match, f"unexpected timeline readout {readout!r}"
    return float(match.group(1)) * _UNITS_NS[match.group(2)]


def test_timelines_draw_and_zoom(visits, new_page, site_url):
    """Every .gil-timeline loads its trace, paints its canvas, and zooms: the + button halves
    the visible window, the mouse wheel narrows it, reset shows everything again.

    Until a page has a timeline, this checks that no page in the nav has one."""
    pages = _pages_with(visits, "timelines")
    if not pages:
        assert all(record.timelines == 0 for record in visits.all())
        site.NOTES.append(
            "timelines: no page in the nav has a .gil-timeline yet; checked only that")
        return
    for record in pages:
        page = _open(new_page, site_url, record.doc)
        for n in range(record.timelines):
            timeline = page.locator(".gil-timeline").nth(n)
            timeline.scroll_into_view_if_needed()
            page.wait_for_function(
                "n => ['ready', 'error'].includes("
                "document.querySelectorAll('.gil-timeline')[n].getAttribute('data-gil-state'))",
                arg=n, polling=50)
            full = page.evaluate(_TIMELINE_JS, n)
            where = f"{record.doc}: timeline {n}"
            assert full["state"] == "ready", f"{where} did not load: {full['text']!r}"
            assert full["painted"] > 100, f"{where}: the canvas is blank"
            span = _window_ns(full["readout"])

            timeline.locator("button[title='zoom in']").click()
            zoomed = page.evaluate(_TIMELINE_JS, n)
            assert _window_ns(zoomed["readout"]) == pytest.approx(span / 2, rel=0.02), (
                f"{where}: + changed the window from {full['readout']!r} to {zoomed['readout']!r}")
            assert zoomed["painted"] > 0

            canvas = timeline.locator("canvas").bounding_box()
            page.mouse.move(canvas["x"] + canvas["width"] * 0.6, canvas["y"] + canvas["height"] / 2)
            page.mouse.wheel(0, -120)
            page.wait_for_function(
                "([n, before]) => document.querySelectorAll('.gil-timeline')[n]"
                ".querySelector('.gil-readout').textContent !== before",
                arg=[n, zoomed["readout"]], polling=50, timeout=5000)
            wheeled = page.evaluate(_TIMELINE_JS, n)
            assert _window_ns(wheeled["readout"]) < _window_ns(zoomed["readout"]), (
                f"{where}: the wheel went from {zoomed['readout']!r} to {wheeled['readout']!r}")

            timeline.locator("button[title='show everything']").click()
            assert page.evaluate(_TIMELINE_JS, n)["readout"] == full["readout"]
        assert not page.recorder.console_errors, page.recorder.console_errors
