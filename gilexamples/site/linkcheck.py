"""The opt-in live link check: ask every registered URL whether it still answers.

``python -m gilexamples site links check [--update]`` asks each URL of the
registry (:mod:`gilexamples.site.links`), HEAD then GET when HEAD is refused,
bounded by a per-request timeout and a total deadline; with ``--update`` what
it learnt is written back to ``docs/links.yml``. A redirect that only changes
the scheme (``http`` to ``https``) counts as live. An entry already marked
``moved`` or ``dead`` with a curated ``moved_to`` keeps its status,
``moved_to`` and date when its old address still redirects; the live result
is appended to its ``how``.
"""

from __future__ import annotations

import datetime as _dt
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from gilexamples.site.links import Entry

__all__ = ["Outcome", "probe_network", "check_url", "check_live"]


@dataclass
class Outcome:
    """What asking one URL found."""

    url: str
    status: str | None          # live / moved / dead, or None when undecided
    code: int | None = None
    final_url: str | None = None
    detail: str = ""
    method: str = "HEAD"


def probe_network(host: str = "github.com", port: int = 443, timeout: float = 3.0) -> str | None:
    """None when ``host:port`` answers a TCP connect; else why not (one line)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as error:
        return f"cannot reach {host}:{port} ({error.__class__.__name__}: {error})"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Record redirects instead of hiding them: we follow them by hand."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401
        return None


def _ask(url: str, method: str, timeout: float) -> tuple[int, str | None]:
    """(HTTP status, Location header or None) for one request, no redirect followed."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, method=method, headers={
        "User-Agent": "gilexamples-link-check/1 (+https://github.com/gilexamples/gil-guide)",
        "Range": "bytes=0-1023",
    })
    try:
        with opener.open(request, timeout=timeout) as response:
            if method == "GET":
                response.read(1024)
            return response.status, None
    except urllib.error.HTTPError as error:
        location = error.headers.get("Location") if error.headers else None
        return error.code, location


def check_url(url: str, timeout: float = 5.0, max_redirects: int = 5) -> Outcome:
    """Ask one URL: HEAD, then GET if HEAD is refused; follow redirects up to a bound."""
    current = url
    method = "HEAD"
    for _ in range(max_redirects + 1):
        try:
            code, location = _ask(current, method, timeout)
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            return Outcome(url, None, detail=f"{method} failed: {reason}", method=method)
        if code in (405, 403, 501) and method == "HEAD":
            method = "GET"
            continue
        if code in (301, 302, 303, 307, 308) and location:
            target = urllib.parse.urljoin(current, location)
            if _scheme_only(current, target) and _same_resource(current, url):
                # http -> https of the same address: the link still works as written.
                return Outcome(url, "live", code, None,
                               f"{method} {code} to the same address over {urllib.parse.urlsplit(target).scheme}",
                               method)
            current = target
            continue
        if 200 <= code < 300 or code == 206:
            if _same_resource(current, url):
                return Outcome(url, "live", code, None, f"{method} {code}", method)
            return Outcome(url, "moved", code, current, f"{method} {code} after redirect", method)
        if code in (404, 410):
            return Outcome(url, "dead", code, None, f"{method} {code}", method)
        return Outcome(url, None, code, None, f"{method} {code}: status left as it was", method)
    return Outcome(url, None, None, current, "too many redirects", method)


def _scheme_only(a: str, b: str) -> bool:
    """True when two URLs differ only in their scheme (http vs https) or a trailing slash."""
    pa, pb = urllib.parse.urlsplit(a), urllib.parse.urlsplit(b)
    return pa.scheme.lower() != pb.scheme.lower() and \
        (pa.netloc.lower(), pa.path.rstrip("/"), pa.query) == (pb.netloc.lower(), pb.path.rstrip("/"), pb.query)


def _same_resource(a: str, b: str) -> bool:
    """True when two URLs differ only by a trailing slash or the fragment."""
    pa, pb = urllib.parse.urlsplit(a), urllib.parse.urlsplit(b)
    return (pa.scheme, pa.netloc.lower(), pa.path.rstrip("/"), pa.query) == \
        (pb.scheme, pb.netloc.lower(), pb.path.rstrip("/"), pb.query)


def check_live(entries: list[Entry], timeout: float = 5.0, deadline_s: float = 300.0,
               today: str | None = None, out=sys.stdout) -> tuple[list[Entry], int]:
    """Ask every entry's URL (sequentially, bounded); return updated entries and how many changed."""
    today = today or _dt.date.today().isoformat()
    stop_at = time.monotonic() + deadline_s
    changed = 0
    updated: list[Entry] = []
    for entry in entries:
        if time.monotonic() > stop_at:
            print(f"  deadline reached: {entry.url} and later entries left as they were", file=out)
            updated.append(entry)
            continue
        outcome = check_url(entry.url, timeout=timeout)
        print(f"  {outcome.status or 'undecided':9} {entry.url}  ({outcome.detail})", file=out)
        if outcome.status is None:
            updated.append(entry)
            continue
        if outcome.status == "moved" and entry.status in ("moved", "dead") and entry.moved_to:
            # A curated old link (say, blob/master/...#L132 pointing at a tag
            # permalink) still redirects somewhere: keep what a person
            # established, and record what the live check saw next to it.
            updated.append(Entry(url=entry.url, title=entry.title, status=entry.status,
                                 checked=entry.checked, moved_to=entry.moved_to, line=entry.line,
                                 how=f"{entry.how}; live {outcome.method} on {today}: "
                                     f"{outcome.detail} to {outcome.final_url} (curated moved_to kept)"))
            continue
        new = Entry(url=entry.url, title=entry.title, status=outcome.status, checked=today,
                    how=f"live {outcome.method} from `links check` ({outcome.detail})",
                    moved_to=outcome.final_url if outcome.status == "moved" else
                    (entry.moved_to if outcome.status == "dead" else None),
                    line=entry.line)
        if (new.status, new.moved_to) != (entry.status, entry.moved_to):
            changed += 1
        updated.append(new)
    return updated, changed
