"""The link registry (docs/links.yml) knows every external URL the pages use, and no other.

No network: the live check (`python -m gilexamples site links check`) is
opt-in and not run here, except to show that without a network it refuses in
one line and leaves the registry alone.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import threading
import sys
import textwrap
from pathlib import Path

import pytest

from gilexamples.cli import main as cli_main
from gilexamples.site import linkcheck, links
from tests.conftest import ROOT

GOOD_ENTRY = """\
- url: "https://peps.python.org/pep-0703/"
  title: "PEP 703"
  status: "live"
  checked: "2026-11-25"
  how: "stored copy found with the search tool"
"""


def make_site(tmp_path: Path, pages: dict[str, str], registry: str) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    for rel, text in pages.items():
        path = docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    (docs / "links.yml").write_text(registry, encoding="utf-8")
    return tmp_path


def kinds(problems) -> list[str]:
    return sorted(p.kind for p in problems)


# ------------------------------------------------------------- the real site

def test_every_page_link_is_registered_and_every_entry_used():
    problems = links.check(ROOT)
    assert problems == [], "\n".join(map(str, problems))


def test_the_registry_is_in_its_canonical_layout():
    """The file is what dump_registry writes, so `check --update` rewrites it with no noise."""
    entries, problems = links.load_registry(ROOT)
    assert problems == []
    text = (ROOT / "docs" / "links.yml").read_text(encoding="utf-8")
    assert links.dump_registry(entries) == text


def test_the_registry_covers_the_original_notes_sources():
    """The notes this site grew from cite these; each stays listed, whatever its status."""
    entries, _ = links.load_registry(ROOT)
    urls = {entry.url for entry in entries}
    for url in [
        "http://www.dabeaz.com/python/UnderstandingGIL.pdf",
        "http://www.dabeaz.com/python/GIL.pdf",
        "http://www.dabeaz.com/GIL/gilvis/index.html",
        "https://in.pycon.org/2011/static/files/talks/41/Python-threads_v1.0.pdf",
        "https://www.youtube.com/watch?v=P3AyI_u66Bw",
        "https://wiki.python.org/moin/GlobalInterpreterLock",
        "https://github.com/python/cpython/blob/master/Python/thread_pthread.h#L132",
        "http://thisismiller.github.io/blog/CPython-Signal-Handling/",
        "http://pgbovine.net/cpython-internals.htm",
        "https://docs.python.org/devguide/index.html",
    ]:
        assert url in urls, f"{url} is missing from docs/links.yml"


def test_old_moving_links_are_listed_but_marked():
    """A branch line link may appear only as a quoted old link, registered as moved."""
    entries, _ = links.load_registry(ROOT)
    for entry in entries:
        if links._BRANCH_LINE.match(entry.url):
            assert entry.status == "moved" and entry.moved_to, entry.url
            assert "/blob/master/" not in entry.moved_to and "/blob/main/" not in entry.moved_to


# ------------------------------------------------------- the checker bites

def test_an_unregistered_link_is_reported(tmp_path):
    root = make_site(tmp_path, {"a.md": """
        # A
        See [PEP 703](https://peps.python.org/pep-0703/) and
        [an unknown page](https://example.org/unknown).
        """}, GOOD_ENTRY)
    problems = links.check(root)
    assert kinds(problems) == ["unknown-url"]
    assert "https://example.org/unknown" in problems[0].message
    assert (problems[0].path, problems[0].line) == ("docs/a.md", 4)


def test_an_unused_entry_is_reported(tmp_path):
    root = make_site(tmp_path, {"a.md": "# A\n\nNo links here.\n"}, GOOD_ENTRY)
    problems = links.check(root)
    assert kinds(problems) == ["unused-entry"]
    assert problems[0].path == "docs/links.yml" and problems[0].line == 1


def test_notebook_markdown_cells_are_read(tmp_path):
    notebook = {"cells": [
        {"cell_type": "markdown", "source": ["Read [this](https://example.org/nb)\n"]},
        {"cell_type": "code", "source": ["print('https://example.org/in-code')\n"]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    root = make_site(tmp_path, {"a.md": "[PEP](https://peps.python.org/pep-0703/)\n"}, GOOD_ENTRY)
    (root / "docs" / "nb.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    problems = links.check(root)
    assert kinds(problems) == ["unknown-url"]
    assert "https://example.org/nb" in problems[0].message
    assert problems[0].path == "docs/nb.ipynb"


def test_code_and_loopback_are_not_links(tmp_path):
    root = make_site(tmp_path, {"a.md": """
        [PEP](https://peps.python.org/pep-0703/)

        ```python
        URL = "https://example.org/in-a-fence"
        ```

        Inline `https://example.org/in-code` and http://127.0.0.1:8000/ are not links.
        """}, GOOD_ENTRY)
    assert links.check(root) == []


def test_a_branch_line_link_is_reported(tmp_path):
    url = "https://github.com/python/cpython/blob/main/Python/ceval_gil.c#L10"
    registry = GOOD_ENTRY + textwrap.dedent(f"""\
        - url: "{url}"
          title: "ceval_gil.c"
          status: "live"
          checked: "2026-11-25"
          how: "test"
        """)
    root = make_site(tmp_path, {"a.md": f"[PEP](https://peps.python.org/pep-0703/) [gil]({url})\n"},
                     registry)
    assert kinds(links.check(root)) == ["branch-line-link"]


@pytest.mark.parametrize("entry, complaint", [
    ('- url: "https://a.org/"\n  title: "A"\n  status: "gone"\n  checked: "2026-11-25"\n  how: "x"\n',
     "'status' must be one of"),
    ('- url: "https://a.org/"\n  title: "A"\n  status: "moved"\n  checked: "2026-11-25"\n  how: "x"\n',
     "needs 'moved_to'"),
    ('- url: "https://a.org/"\n  title: "A"\n  status: "live"\n  checked: "25/11/2026"\n  how: "x"\n',
     "'checked' must be a date"),
    ('- url: "https://a.org/"\n  status: "live"\n  checked: "2026-11-25"\n  how: "x"\n',
     "'title' is missing"),
    ('- url: "ftp://a.org/"\n  title: "A"\n  status: "live"\n  checked: "2026-11-25"\n  how: "x"\n',
     "not an external http(s) URL"),
    ('- url: "https://a.org/"\n  title: "A"\n  status: "live"\n  checked: "2026-11-25"\n  how: "x"\n'
     '  used_by: ["a.md"]\n', "'used_by' is derived"),
])
def test_a_malformed_entry_is_reported(tmp_path, entry, complaint):
    root = make_site(tmp_path, {"a.md": "[PEP](https://peps.python.org/pep-0703/)\n"},
                     GOOD_ENTRY + entry)
    problems = [p for p in links.check(root) if p.kind == "bad-entry"]
    assert len(problems) == 1 and complaint in problems[0].message, problems
    assert problems[0].line == 6


def test_a_duplicate_entry_is_reported(tmp_path):
    root = make_site(tmp_path, {"a.md": "[PEP](https://peps.python.org/pep-0703/)\n"},
                     GOOD_ENTRY + GOOD_ENTRY)
    assert kinds(links.check(root)) == ["duplicate-entry"]


def test_a_registry_that_is_not_a_list_is_an_error(tmp_path):
    root = make_site(tmp_path, {"a.md": "x\n"}, "url: https://a.org/\n")
    with pytest.raises(links.RegistryError, match="expected a list of entries"):
        links.check(root)


def test_urls_are_cut_where_prose_ends_them():
    text = ("See https://a.org/x. Or (https://b.org/y), "
            "[w](https://en.wikipedia.org/wiki/Lock_(computer_science)) "
            '<https://c.org/z> <a href="https://d.org/p">d</a>')
    assert [url for url, _ in links.extract_urls(text)] == [
        "https://a.org/x", "https://b.org/y",
        "https://en.wikipedia.org/wiki/Lock_(computer_science)",
        "https://c.org/z", "https://d.org/p"]


def test_dump_and_parse_round_trip():
    entry = links.Entry(url="https://a.org/", title='A "quoted" title', status="moved",
                        checked="2026-11-25", how="x", moved_to="https://b.org/")
    entries, problems = links.parse_registry(links.dump_registry([entry]))
    assert problems == []
    assert [e.as_dict() for e in entries] == [entry.as_dict()]


# ----------------------------------------------------- the live check, offline

class _Handler(http.server.BaseHTTPRequestHandler):
    """A tiny site on 127.0.0.1: /ok, /old -> /new (301), /gone (404), /nohead (405 on HEAD)."""

    def _answer(self, body: bool) -> None:
        if self.path in ("/ok", "/new"):
            self.send_response(200)
        elif self.path == "/old":
            self.send_response(301)
            self.send_header("Location", "/new")
        elif self.path == "/toscheme":
            self.send_response(301)
            self.send_header("Location", f"https://{self.headers['Host']}/toscheme")
        elif self.path == "/nohead":
            self.send_response(405 if self.command == "HEAD" else 200)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "2" if body else "0")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_HEAD(self):  # noqa: N802
        self._answer(body=False)

    def do_GET(self):  # noqa: N802
        self._answer(body=True)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_site():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="links-test-server")
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_check_url_classifies_real_http_answers(local_site):
    ok = linkcheck.check_url(local_site + "/ok", timeout=5)
    assert (ok.status, ok.method) == ("live", "HEAD")
    moved = linkcheck.check_url(local_site + "/old", timeout=5)
    assert moved.status == "moved" and moved.final_url == local_site + "/new"
    gone = linkcheck.check_url(local_site + "/gone", timeout=5)
    assert (gone.status, gone.code) == ("dead", 404)
    nohead = linkcheck.check_url(local_site + "/nohead", timeout=5)
    assert (nohead.status, nohead.method) == ("live", "GET")


def test_check_live_updates_status_and_date(local_site):
    entries = [links.Entry(url=local_site + "/old", title="t", status="live",
                           checked="2020-01-01", how="x")]
    with open(os.devnull, "w") as quiet:
        updated, changed = linkcheck.check_live(entries, timeout=5, today="2026-11-25", out=quiet)
    assert changed == 1
    assert (updated[0].status, updated[0].moved_to, updated[0].checked) == (
        "moved", local_site + "/new", "2026-11-25")


def test_the_live_check_without_network_says_so_and_leaves_the_file(tmp_path):
    if linkcheck.probe_network(timeout=2.0) is None:
        pytest.skip("this machine has a network: the no-network refusal cannot be shown here")
    root = make_site(tmp_path, {"a.md": "[PEP](https://peps.python.org/pep-0703/)\n"}, GOOD_ENTRY)
    before = (root / "docs" / "links.yml").read_bytes()
    result = subprocess.run(
        [sys.executable, "-m", "gilexamples", "site", "links", "--root", str(root), "check", "--update"],
        capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 3
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "no network" in result.stderr and "left unchanged" in result.stderr
    assert (root / "docs" / "links.yml").read_bytes() == before


def test_sync_adds_unknown_urls_as_unchecked_and_drops_unused(tmp_path):
    unused = GOOD_ENTRY.replace("pep-0703", "pep-0684")
    root = make_site(tmp_path, {"a.md": "[PEP](https://peps.python.org/pep-0703/) [new](https://example.org/new)\n"},
                     GOOD_ENTRY + unused)
    assert kinds(links.check(root)) == ["unknown-url", "unused-entry"]
    assert cli_main(["site", "links", "--root", str(root), "sync"]) == 0
    assert links.check(root) == []
    entries, _ = links.load_registry(root)
    by_url = {entry.url: entry for entry in entries}
    assert set(by_url) == {"https://peps.python.org/pep-0703/", "https://example.org/new"}
    assert by_url["https://example.org/new"].status == "unchecked"
    assert by_url["https://peps.python.org/pep-0703/"].how == "stored copy found with the search tool"
    assert by_url["https://example.org/new"].title == "example.org/new"


def test_sync_titles_cpython_permalinks(tmp_path):
    url = "https://github.com/python/cpython/blob/v3.12.0/Python/ceval_gil.c#L12-L49"
    root = make_site(tmp_path, {"a.md": f"[c]({url})\n"}, "")
    entries, added, removed = links.sync(root, today="2026-11-25")
    assert (added, removed) == ([url], [])
    assert entries[0].title == "CPython Python/ceval_gil.c at v3.12.0, lines 12-49"
    assert (entries[0].status, entries[0].checked) == ("unchecked", "2026-11-25")


def test_lint_command_exit_status(tmp_path):
    root = make_site(tmp_path, {"a.md": "[x](https://example.org/x)\n"}, GOOD_ENTRY)
    assert cli_main(["site", "links", "--root", str(root), "lint"]) == 1
    assert cli_main(["site", "links", "--root", str(tmp_path / "nowhere"), "lint"]) == 2


def test_references_table_states_the_registry_status():
    """Each row of the References table says the status the registry records for its link."""
    import re as _re
    text = (ROOT / "docs" / "references.md").read_text(encoding="utf-8")
    entries, problems = links.load_registry(ROOT)
    status = {entry.url: entry.status for entry in entries}
    rows = [line for line in text.splitlines()
            if line.startswith("| [") and line.count(" | ") >= 3]
    assert len(rows) >= 10, "the References table was not found"
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        url = _re.search(r"\]\((https?://[^)\s]+)\)", cells[0]).group(1)
        word = _re.match(r"\*?(\w+)", cells[-1]).group(1)
        assert word in links.STATUSES, (url, cells[-1])
        assert status[url] == word, f"References says {word!r} for {url}, the registry {status[url]!r}"


def test_a_scheme_only_redirect_counts_as_live(local_site):
    outcome = linkcheck.check_url(local_site + "/toscheme", timeout=5)
    assert (outcome.status, outcome.final_url, outcome.code) == ("live", None, 301)


def test_check_live_keeps_a_curated_moved_to(local_site):
    curated = links.Entry(url=local_site + "/old", title="t", status="moved",
                          moved_to="https://example.org/tag-permalink", checked="2020-01-01",
                          how="quoted old link; the line now lives at the tag")
    with open(os.devnull, "w") as quiet:
        updated, changed = linkcheck.check_live([curated], timeout=5, today="2026-11-25", out=quiet)
    assert changed == 0
    entry = updated[0]
    assert (entry.status, entry.moved_to, entry.checked) == (
        "moved", "https://example.org/tag-permalink", "2020-01-01")
    assert entry.how.startswith("quoted old link; the line now lives at the tag; live HEAD on 2026-11-25")
    assert local_site + "/new" in entry.how


def test_a_cpython_maintenance_branch_line_link_is_reported(tmp_path):
    (tmp_path / "docs").mkdir()
    url = "https://github.com/python/cpython/blob/3.12/Python/ceval_gil.c#L10"
    (tmp_path / "docs" / "page.md").write_text(f"See [here]({url}).\n")
    entry = links.Entry(url=url, title="t", status="unchecked", checked="2026-11-25", how="x")
    (tmp_path / "docs" / "links.yml").write_text(links.dump_registry([entry]))
    kinds = [p.kind for p in links.check(tmp_path)]
    assert kinds == ["branch-line-link"]
    tagged = url.replace("/3.12/", "/v3.12.0/")
    (tmp_path / "docs" / "page.md").write_text(f"See [here]({tagged}).\n")
    entry = links.Entry(url=tagged, title="t", status="unchecked", checked="2026-11-25", how="x")
    (tmp_path / "docs" / "links.yml").write_text(links.dump_registry([entry]))
    assert links.check(tmp_path) == []
