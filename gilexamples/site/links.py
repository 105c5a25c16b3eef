"""The link registry: every external URL the site uses, with its checked status.

``docs/links.yml`` lists each external URL (``http://`` or ``https://``, not
loopback) that any page links to, with what is known about it::

    - url: https://peps.python.org/pep-0703/
      title: "PEP 703: Making the Global Interpreter Lock Optional in CPython"
      status: live            # live | moved | dead | unchecked
      moved_to: ...           # only with status moved (required) or dead (optional successor)
      checked: "2026-11-25"   # the date the status was established
      how: stored copy found with the search tool; not fetched live

Which pages use an entry is not stored: :func:`used_by` derives it from the
pages every time, so it cannot go stale.

Offline (the tests, ``python -m gilexamples site links lint``) this
module finds:

* ``unknown-url``: a page (``docs/**/*.md`` or a notebook's Markdown cell)
  links to an external URL the registry does not list;
* ``unused-entry``: a registry entry no page uses;
* ``duplicate-entry`` and ``bad-entry``: the registry itself is malformed;
* ``branch-line-link``: a GitHub source link to a moving branch
  (``blob/master/...#L132``, ``blob/main/...#L10``): the line it names drifts
  as the branch moves; link a tag or a commit instead. For
  ``github.com/python/cpython`` line links only a release tag (``v3.12.0``)
  or a 40-hex commit is accepted: maintenance branches (``blob/3.12/...#L10``)
  move too. The one exception is
  an old link quoted on purpose (the References page lists the original
  notes' links): the registry marks it ``moved`` and says where it went.

``python -m gilexamples site links sync`` adds a page's new URLs to the
registry as ``unchecked`` (to be described and checked by hand or by
``check``) and drops entries no page uses.

Online, ``python -m gilexamples site links check [--update]`` asks each
URL (HEAD, then GET when HEAD is refused), bounded by a per-request timeout
and a total deadline, and with ``--update`` writes what it learnt back to the
registry. With no network it says so in one line, exits 3, and leaves the
file untouched. A redirect that only changes the scheme (``http`` to
``https``) counts as live. An entry already marked ``moved`` or ``dead``
with a curated ``moved_to`` keeps its status, ``moved_to`` and date when its
old address still redirects; the live result is appended to its ``how``.
The live check lives in :mod:`gilexamples.site.linkcheck`.

A "link" here is a URL a reader can see or click on a page: Markdown inline
links and images, reference definitions, ``<autolinks>``, HTML ``href``/
``src`` attributes, and bare URLs in prose. URLs inside fenced code blocks
and inline code are not links (they are code, shown as typed).
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from gilexamples.site.contract import Problem

__all__ = [
    "STATUSES",
    "Entry",
    "Problem",
    "RegistryError",
    "extract_urls",
    "page_urls",
    "site_urls",
    "load_registry",
    "parse_registry",
    "dump_registry",
    "check",
    "sync",
    "used_by",
    "REGISTRY",
]

#: The statuses an entry may have.
STATUSES = ("live", "moved", "dead", "unchecked")

REGISTRY = Path("docs") / "links.yml"

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_URL = re.compile(r"""https?://[^\s<>"'`\]\[{}|\\^]+""", re.I)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BRANCH_LINE = re.compile(
    r"^https?://github\.com/[^/]+/[^/]+/blob/(master|main)/[^#]*#L\d+", re.I)
#: A CPython line link must name a release tag (v3.12.0, v3.2) or a 40-hex commit:
#: maintenance branches (blob/3.12/...#L10) move too.
_CPYTHON_LINE = re.compile(r"^https?://github\.com/python/cpython/blob/(?P<ref>[^/]+)/[^#]*#L\d+", re.I)
_FIXED_REF = re.compile(r"^(v\d[\w.]*|[0-9a-f]{40})$")
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"}


class RegistryError(ValueError):
    """The registry file cannot be read as a list of entries."""


@dataclass
class Entry:
    """One registry entry."""

    url: str
    title: str
    status: str
    checked: str
    how: str
    moved_to: str | None = None
    line: int = 0  # where the entry starts in the file (0 when not from a file)

    def as_dict(self) -> dict:
        data = {"url": self.url, "title": self.title, "status": self.status}
        if self.moved_to:
            data["moved_to"] = self.moved_to
        data.update(checked=self.checked, how=self.how)
        return data


# --------------------------------------------------------------- finding URLs

def _strip_trailing(url: str) -> str:
    """Drop punctuation that ends a sentence, not a URL: 'x.html).' -> 'x.html'."""
    while url and url[-1] in ".,;:!?*_'\"":
        url = url[:-1]
    # A closing parenthesis belongs to the URL only if it opens one too
    # (https://en.wikipedia.org/wiki/Lock_(computer_science)).
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1]
    return url


def is_external(url: str) -> bool:
    """An http(s) URL to a host other than this machine."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme.lower() not in ("http", "https"):
        return False
    host = (parsed.hostname or "").lower()
    return bool(host) and host not in _LOOPBACK_HOSTS


def extract_urls(text: str) -> Iterator[tuple[str, int]]:
    """Yield ``(url, line)`` for every external URL a reader sees in Markdown ``text``.

    Fenced code blocks and inline code spans are skipped.
    """
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        opener = _FENCE.match(line)
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence) \
                    and not line.strip()[len(opener.group(1)):].strip():
                fence = None
            continue
        if opener:
            fence = opener.group(1)
            continue
        prose = _INLINE_CODE.sub(" ", line)
        for match in _URL.finditer(prose):
            url = _strip_trailing(match.group(0))
            if is_external(url):
                yield url, number


def notebook_markdown(path: Path) -> str:
    """The Markdown cells of a notebook, joined (each cell separated by a blank line)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    parts = []
    for cell in data.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            parts.append("".join(source) if isinstance(source, list) else source)
    return "\n\n".join(parts)


def page_urls(path: Path) -> list[tuple[str, int]]:
    """The external URLs in one page (``.md``) or notebook (``.ipynb``)."""
    if path.suffix == ".ipynb":
        text = notebook_markdown(path)
    else:
        text = path.read_text(encoding="utf-8")
    return list(extract_urls(text))


def _pages(root: Path) -> list[Path]:
    docs = root / "docs"
    return sorted(list(docs.rglob("*.md")) + list(docs.rglob("*.ipynb")))


def site_urls(root: Path | str = ".") -> dict[str, list[tuple[str, int]]]:
    """``{url: [(page, line), ...]}`` over every page and notebook under ``root/docs``."""
    root = Path(root)
    found: dict[str, list[tuple[str, int]]] = {}
    for page in _pages(root):
        if ".ipynb_checkpoints" in page.parts:
            continue
        rel = page.relative_to(root).as_posix()
        for url, line in page_urls(page):
            found.setdefault(url, []).append((rel, line))
    return found


def used_by(root: Path | str = ".") -> dict[str, list[str]]:
    """``{url: [page, ...]}``: the pages that use each URL (derived, never stored)."""
    return {url: sorted({page for page, _ in uses})
            for url, uses in site_urls(root).items()}


# ------------------------------------------------------------ the registry file

_FIELDS = ("url", "title", "status", "moved_to", "checked", "how")
_REQUIRED = ("url", "title", "status", "checked", "how")


def parse_registry(text: str, path: str = "docs/links.yml") -> tuple[list[Entry], list[Problem]]:
    """Parse registry text into entries, and the problems found in it.

    Raises :class:`RegistryError` when the text is not YAML or not a list of mappings.
    """
    try:
        import yaml
    except ImportError as error:  # pragma: no cover - PyYAML comes with mkdocs
        raise RegistryError("reading the link registry needs PyYAML (pip install pyyaml)") from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RegistryError(f"{path}: not valid YAML: {error}".splitlines()[0]) from None
    if data is None:
        data = []
    if not isinstance(data, list):
        raise RegistryError(f"{path}: expected a list of entries, found {type(data).__name__}")

    starts = [i + 1 for i, line in enumerate(text.splitlines()) if line.startswith("- ")]
    entries: list[Entry] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data):
        line = starts[index] if index < len(starts) else 0
        if not isinstance(item, dict):
            problems.append(Problem("bad-entry", path, line, "an entry must be a mapping"))
            continue
        item = {k: (v.isoformat() if isinstance(v, _dt.date) else v) for k, v in item.items()}
        bad = []
        if "used_by" in item:
            bad.append("'used_by' is derived from the pages, not stored (see `links list`)")
        unknown = sorted(set(item) - set(_FIELDS) - {"used_by"})
        if unknown:
            bad.append(f"unknown field(s) {', '.join(unknown)}")
        for name in _REQUIRED:
            if not isinstance(item.get(name), str) or not item[name].strip():
                bad.append(f"'{name}' is missing or empty")
        url = item.get("url") if isinstance(item.get("url"), str) else ""
        if url and not is_external(url):
            bad.append(f"'url' is not an external http(s) URL: {url}")
        status = item.get("status")
        if isinstance(status, str) and status not in STATUSES:
            bad.append(f"'status' must be one of {', '.join(STATUSES)}, not {status!r}")
        moved_to = item.get("moved_to")
        if status == "moved" and not moved_to:
            bad.append("status 'moved' needs 'moved_to'")
        if moved_to is not None and (not isinstance(moved_to, str) or not is_external(moved_to)):
            bad.append(f"'moved_to' is not an external http(s) URL: {moved_to!r}")
        if status in ("live", "unchecked") and moved_to:
            bad.append(f"status {status!r} with a 'moved_to' (use 'moved', or drop it)")
        checked = item.get("checked")
        if isinstance(checked, str) and not _DATE.match(checked):
            bad.append(f"'checked' must be a date YYYY-MM-DD, not {checked!r}")
        if bad:
            problems.append(Problem("bad-entry", path, line, f"{url or '(no url)'}: " + "; ".join(bad)))
            continue
        if url in seen:
            problems.append(Problem("duplicate-entry", path, line,
                                    f"{url} is already listed at line {seen[url]}"))
            continue
        seen[url] = line
        entries.append(Entry(url=url, title=item["title"].strip(), status=status,
                             checked=checked, how=item["how"].strip(),
                             moved_to=moved_to or None, line=line))
    return entries, problems


def load_registry(root: Path | str = ".") -> tuple[list[Entry], list[Problem]]:
    """Read ``root/docs/links.yml``."""
    path = Path(root) / REGISTRY
    if not path.is_file():
        raise RegistryError(f"{REGISTRY.as_posix()} does not exist under {root}")
    return parse_registry(path.read_text(encoding="utf-8"), REGISTRY.as_posix())


_HEADER = """\
# The link registry: every external URL used on any page of the site.
# Read by gilexamples/site/links.py (tests/site/test_links.py checks it against
# the pages; `python -m gilexamples site links check --update` refreshes it
# where there is a network). Which pages use a URL is derived from the pages,
# never stored: `python -m gilexamples site links list` prints it.
#
# status: live | moved (moved_to says where) | dead (moved_to: a successor or
#         archived copy, if one is known) | unchecked
# checked: the date the status was established; how: by what means. "live"
# established from a stored copy means a copy exists, not that the host
# answered on that date: `how` says which.
"""


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def dump_registry(entries: Iterable[Entry]) -> str:
    """The registry text for ``entries``, sorted by URL, in the file's fixed layout."""
    lines = [_HEADER]
    for entry in sorted(entries, key=lambda e: e.url):
        data = entry.as_dict()
        first = True
        for key, value in data.items():
            prefix = "- " if first else "  "
            lines.append(f"{prefix}{key}: {_quote(value)}")
            first = False
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------- the check

def check(root: Path | str = ".") -> list[Problem]:
    """Every problem with the pages' links and the registry, offline."""
    root = Path(root)
    entries, problems = load_registry(root)
    known = {entry.url: entry for entry in entries}
    uses = site_urls(root)
    for url, places in sorted(uses.items()):
        entry = known.get(url)
        quoted_old_link = entry is not None and entry.status in ("moved", "dead") and entry.moved_to
        for page, line in places:
            cpython = _CPYTHON_LINE.match(url)
            moving = _BRANCH_LINE.match(url) or (cpython and not _FIXED_REF.match(cpython.group("ref")))
            if moving and not quoted_old_link:
                problems.append(Problem(
                    "branch-line-link", page, line,
                    f"{url} names a line on a moving branch; link a tag or commit "
                    "(https://github.com/OWNER/REPO/blob/vX.Y.Z/PATH#LN)"))
        if url not in known:
            page, line = places[0]
            problems.append(Problem(
                "unknown-url", page, line,
                f"{url} is not in {REGISTRY.as_posix()}: add an entry (url, title, status, "
                "checked, how)"))
    for entry in entries:
        if entry.url not in uses:
            problems.append(Problem(
                "unused-entry", REGISTRY.as_posix(), entry.line,
                f"{entry.url} is used by no page: remove the entry or link it"))
    return problems


def sync(root: Path | str = ".", today: str | None = None) -> tuple[list[Entry], list[str], list[str]]:
    """The registry made to match the pages: unknown URLs added as ``unchecked``, unused ones dropped.

    Returns ``(entries, added, removed)``. Entries already present keep
    everything they say; nothing is marked live or moved without evidence.
    """
    root = Path(root)
    entries, problems = load_registry(root)
    if any(p.kind in ("bad-entry", "duplicate-entry") for p in problems):
        raise RegistryError("fix the registry's malformed entries first (run `lint`)")
    today = today or _dt.date.today().isoformat()
    uses = site_urls(root)
    kept = [entry for entry in entries if entry.url in uses]
    removed = sorted(entry.url for entry in entries if entry.url not in uses)
    known = {entry.url for entry in entries}
    added = sorted(url for url in uses if url not in known)
    for url in added:
        kept.append(Entry(url=url, title=_default_title(url), status="unchecked",
                          checked=today, how="added by `links sync`; not checked yet"))
    return kept, added, removed


_CPYTHON_BLOB = re.compile(
    r"^https://github\.com/python/cpython/blob/(?P<ref>[^/]+)/(?P<path>[^#]+)(?:#L(?P<a>\d+)(?:-L(?P<b>\d+))?)?$")


def _default_title(url: str) -> str:
    """A plain title for a new entry: 'CPython Python/lock.c at v3.13.0, lines 1-9', or host + path."""
    match = _CPYTHON_BLOB.match(url)
    if match:
        a, b = match.group("a"), match.group("b")
        lines = f", lines {a}-{b}" if b else (f", line {a}" if a else "")
        return f"CPython {match.group('path')} at {match.group('ref')}{lines}"
    parsed = urllib.parse.urlsplit(url)
    return f"{parsed.netloc}{parsed.path}"
