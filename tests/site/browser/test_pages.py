"""Every page in the nav, in a real browser: it renders, offline, at desktop and phone width."""

from __future__ import annotations

import re

import pytest

from tests.site.browser import site

pytestmark = pytest.mark.browser

KIB = 1024

#: Page-weight budget: bytes transferred on a cold load (empty cache, our 127.0.0.1 server).
#: Measured 2026-11-25 with 13 pages in the nav: a Markdown chapter is 540-670 KiB, of which
#: material's JS + CSS bundle is ~280 KiB and the search index (material fetches it on every
#: page; it holds the text of the whole site, so it grows with each chapter) ~230 KiB; the
#: chapter's own HTML is 20-160 KiB. The heaviest Markdown page, new-gil-failures, is ~970 KiB
#: because it also loads its timeline traces and their PNG fallbacks. Notebook pages are
#: 1.2 MiB: mkdocs-jupyter inlines ~600 KiB of Jupyter CSS into each, and the plots come
#: inline as base64 PNGs. The budgets leave room for the index to double and for a few more
#: figures, and fail a page that starts pulling in a big asset or an oversized plot.
BUDGET_PAGE = 1536 * KIB
BUDGET_NOTEBOOK_PAGE = 2048 * KIB


def budget_for(doc: str) -> int:
    return BUDGET_NOTEBOOK_PAGE if doc.endswith(".ipynb") else BUDGET_PAGE


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9.]+", text.lower()) if len(w) > 2}


def test_nav_has_pages():
    assert len(site.NAV_DOCS) >= 3, site.NAV_DOCS


@pytest.mark.parametrize("doc", site.NAV_DOCS)
def test_page_renders_offline(visits, doc):
    """HTTP 200, no console error, no failed request, nothing from another host, title and
    first heading present and consistent, no raw Markdown, no broken image."""
    record = visits[doc]
    assert record.status == 200, f"{record.url}: HTTP {record.status}"
    assert not record.console_errors, "console errors:\n" + "\n".join(record.console_errors)
    assert not record.failed_requests, "failed requests:\n" + "\n".join(record.failed_requests)
    assert not record.foreign_requests, (
        "requests to a host other than 127.0.0.1:\n" + "\n".join(record.foreign_requests))
    assert record.first_heading_tag == "h1", (
        f"the page's first heading is <{record.first_heading_tag}>, not <h1>")
    assert record.h1, "the page has no h1 text"
    if site.page_url_path(doc) == "":
        assert record.title == site.SITE_NAME
    else:
        suffix = f" - {site.SITE_NAME}"
        assert record.title.endswith(suffix) and record.title[: -len(suffix)].strip(), (
            f"<title> {record.title!r} is not 'PAGE - {site.SITE_NAME}'")
        name = record.title[: -len(suffix)]
        # The nav may shorten a title ("Locks" for "Locks: from spinlocks to futexes"):
        # consistent means one contains the other, or they share most of their words.
        a, b = name.lower(), record.h1.lower()
        shared = _words(a) & _words(b)
        assert a in b or b in a or len(shared) >= 0.5 * min(len(_words(a)), len(_words(b))), (
            f"<title> {name!r} and <h1> {record.h1!r} do not match")
    assert not record.raw_markdown, (
        "Markdown left unconverted in the page:\n" + "\n".join(record.raw_markdown))
    assert not record.broken_images, "images that did not load:\n" + "\n".join(record.broken_images)


@pytest.mark.parametrize("doc", site.NAV_DOCS)
def test_page_weight_within_budget(visits, doc):
    record = visits[doc]
    budget = budget_for(doc)
    assert record.bytes_total > 10 * KIB, "implausibly small: the byte count is broken"
    assert record.bytes_total <= budget, (
        f"{doc}: {record.bytes_total / KIB:.0f} KiB transferred, budget {budget / KIB:.0f} KiB; "
        f"by type: { {k: round(v / KIB) for k, v in record.bytes_by_kind.items()} }")


# Runs in the page: elements sticking out past the right edge of the viewport, outermost
# first, skipping anything inside a box that scrolls or clips horizontally (a code block
# scrolling inside itself is fine).
_OVERFLOW_JS = r"""
() => {
  const width = document.documentElement.clientWidth;
  const clips = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1 || clips(el)) continue;
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    if (out.some(o => o.el.contains(el))) continue;
    const tag = `<${el.tagName.toLowerCase()} class="${el.className}">`;
    out.push({el, text: `${tag} right=${Math.round(r.right)}px: ` +
                        (el.innerText || "").slice(0, 60).replace(/\s+/g, " ")});
  }
  return {scrollWidth: document.documentElement.scrollWidth, clientWidth: width,
          offenders: out.slice(0, 15).map(o => o.text)};
}
"""


@pytest.mark.parametrize("doc", site.NAV_DOCS)
def test_phone_width_no_horizontal_overflow(new_page, site_url, screenshots, doc):
    """At 390x844 the page fits the screen's width; full-page screenshot saved."""
    page = new_page(viewport=site.PHONE, is_mobile=True, has_touch=True)
    response = page.goto(site_url + site.page_url_path(doc), wait_until="load")
    assert response.status == 200
    site.save_screenshot(page, screenshots / site.shot_name(doc, "phone"))
    result = page.evaluate(_OVERFLOW_JS)
    assert result["scrollWidth"] <= result["clientWidth"] + 1, (
        f"{doc} is {result['scrollWidth']}px wide at phone width ({result['clientWidth']}px); "
        "sticking out:\n  " + "\n  ".join(result["offenders"]))
    assert not page.recorder.console_errors, "\n".join(page.recorder.console_errors)


def test_notebook_pages_show_their_plots(visits):
    """Every notebook page in the nav shows at least one decoded PNG plot."""
    notebooks = [doc for doc in site.NAV_DOCS if doc.endswith(".ipynb")]
    assert notebooks, "the nav has no notebook page"
    for doc in notebooks:
        plots = visits[doc].png_plots
        assert plots, f"{doc}: no data:image/png image on the page"
        bad = [p for p in plots if not (p["complete"] and p["w"] > 0 and p["h"] > 0)]
        assert bad == [], f"{doc}: plots that did not decode: {bad}"
