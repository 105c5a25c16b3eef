"""``python -m gilexamples site ...``: the tools that build and check the site.

* ``site contract [ROOT]``: every Python example on the site is run by a test
  (:mod:`gilexamples.site.contract`); one line per problem, exit 1 if any;
* ``site links {lint,list,sync,check}``: the external-link registry
  ``docs/links.yml`` (:mod:`gilexamples.site.links`); ``check`` asks every URL
  over the network (:mod:`gilexamples.site.linkcheck`), exit 3 without one;
* ``site publish-timelines OUT``: regenerate the timelines of "The new GIL's
  failures" (:mod:`gilexamples.site.timelines`);
* ``site record-output [SNIPPET...]``: run the snippets whose output a page
  shows and store it with a stamp (:mod:`gilexamples.site.recorded`);
* ``site reading [DOCS]``: main-line words and "In short" per page
  (:mod:`gilexamples.site.reading`).

They need the ``docs`` dependency group (matplotlib, PyYAML), not the package
alone; a reader who only imports :mod:`gilexamples` never runs them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gilexamples.cli.common import Progress, UsageError, float_in, writable_dir

#: Longest per-request timeout and whole-run deadline of the live link check, seconds.
MAX_LINK_TIMEOUT_S = 120.0
MAX_LINK_DEADLINE_S = 3600.0


def _arg(*flags, **options) -> tuple[tuple, dict]:
    """One argument of a tool, as ``add_argument`` takes it."""
    return flags, options


_ROOT = _arg("--root", default=".", help="the project folder (default: .)")


def _tool(tools: argparse._SubParsersAction, name: str, func, summary: str,
          *arguments: tuple[tuple, dict]) -> argparse.ArgumentParser:
    """Add the tool ``name``, run by ``func``, with its arguments; return its parser."""
    parser = tools.add_parser(name, help=summary)
    for flags, options in arguments:
        parser.add_argument(*flags, **options)
    parser.set_defaults(func=func)
    return parser


def register(subparsers: argparse._SubParsersAction) -> None:
    site = subparsers.add_parser(
        "site", help="build tools: the docs contract, the link registry, timeline publishing",
        description="Tools that build and check the site (they need the docs dependency group).")
    tools = site.add_subparsers(dest="tool", metavar="TOOL")
    tools.required = True

    _tool(tools, "contract", cmd_contract,
          "check that every Python example on the site is run by a test",
          _arg("root", nargs="?", default=".", metavar="ROOT",
               help="the project folder, with docs/ and snippets/ (default: .)"))

    links = _tool(tools, "links", cmd_links,
                  "the site's external-link registry (docs/links.yml)", _ROOT)
    actions = links.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    actions.add_parser("lint", help="offline: every page link is registered, every entry used")
    actions.add_parser("list", help="print each registered URL, its status and the pages using it")
    actions.add_parser("sync",
                       help="add the pages' unregistered URLs as 'unchecked', drop unused entries")
    live = actions.add_parser("check", help="online: ask every URL (HEAD, then GET) and report")
    live.add_argument("--update", action="store_true",
                      help="write the statuses found back to docs/links.yml")
    live.add_argument("--timeout", type=float_in(0, MAX_LINK_TIMEOUT_S), default=5.0,
                      help=f"seconds per request, more than 0, at most {MAX_LINK_TIMEOUT_S:g} "
                           "(default 5)")
    live.add_argument("--deadline", type=float_in(0, MAX_LINK_DEADLINE_S), default=300.0,
                      help="seconds for the whole run, more than 0, at most "
                           f"{MAX_LINK_DEADLINE_S:g} (default 300)")

    _tool(tools, "publish-timelines", cmd_publish_timelines,
          "regenerate the timelines (simulated and real) of \"The new GIL's failures\"",
          _arg("out", metavar="OUT", help="folder for the data files and pictures "
                                          "(docs/assets/timeline/data for the site)"),
          _arg("--quick", action="store_true", help="small runs and windows (tests)"),
          _arg("--only", metavar="NAMES", help="comma-separated figure names (default: all)"),
          _arg("--no-real", action="store_true", help="simulated timelines only"))

    _tool(tools, "record-output", cmd_record_output,
          "run the snippets a page shows output for and store it, stamped",
          _arg("snippets", nargs="*", metavar="SNIPPET",
               help="snippets/CHAPTER/NAME.py (default: every one a page shows)"),
          _arg("--python", metavar="PATH",
               help="the interpreter to run them with (default: this one)"),
          _ROOT)

    _tool(tools, "reading", cmd_reading,
          "main-line words and the 'In short' box, page by page",
          _arg("docs", nargs="?", default="docs", metavar="DOCS",
               help="the docs folder (default: docs)"))


def _project(root: str) -> Path:
    path = Path(root)
    if not (path / "docs").is_dir():
        raise UsageError(f"{root} has no docs/ folder (give the project folder)")
    return path


def cmd_contract(args: argparse.Namespace) -> int:
    from gilexamples.site.contract import check_tree

    problems = check_tree(_project(args.root))
    for problem in problems:
        print(problem)
    return 1 if problems else 0


def cmd_links(args: argparse.Namespace) -> int:
    from gilexamples.site import links

    root = _project(args.root)
    try:
        if args.action == "lint":
            problems = links.check(root)
            for problem in problems:
                print(problem)
            return 1 if problems else 0
        if args.action == "sync":
            entries, added, removed = links.sync(root)
            (root / links.REGISTRY).write_text(links.dump_registry(entries), encoding="utf-8")
            for url in added:
                print(f"added (unchecked): {url}")
            for url in removed:
                print(f"removed (no page uses it): {url}")
            print(f"{links.REGISTRY.as_posix()}: {len(added)} added, {len(removed)} removed")
            return 0
        entries, _ = links.load_registry(root)
    except links.RegistryError as error:
        raise UsageError(str(error)) from None
    if args.action == "list":
        users = links.used_by(root)
        for entry in entries:
            pages = ", ".join(users.get(entry.url, [])) or "(no page)"
            moved = f" -> {entry.moved_to}" if entry.moved_to else ""
            print(f"{entry.status:9} {entry.url}{moved}\n          used by: {pages}")
        return 0
    return _check_live(root, entries, args)


def _check_live(root: Path, entries: list, args: argparse.Namespace) -> int:
    from gilexamples.site import linkcheck, links

    why = linkcheck.probe_network(timeout=min(args.timeout, 3.0))
    if why is not None:
        print(f"links: no network: {why}; {links.REGISTRY.as_posix()} left unchanged",
              file=sys.stderr)
        return 3
    print(f"checking {len(entries)} URLs (timeout {args.timeout:g} s each, "
          f"deadline {args.deadline:g} s)")
    updated, changed = linkcheck.check_live(entries, timeout=args.timeout,
                                            deadline_s=args.deadline)
    print(f"{changed} entr{'y' if changed == 1 else 'ies'} changed status")
    if args.update:
        (root / links.REGISTRY).write_text(links.dump_registry(updated), encoding="utf-8")
        print(f"wrote {links.REGISTRY.as_posix()}")
    return 0


def cmd_publish_timelines(args: argparse.Namespace) -> int:
    from gilexamples.site import timelines

    only = [n.strip() for n in args.only.split(",") if n.strip()] if args.only else None
    unknown = sorted(set(only or ()) - {f.name for f in timelines.FIGURES})
    if unknown:
        raise UsageError(f"--only: unknown figure(s): {', '.join(unknown)} "
                         f"(figures: {', '.join(f.name for f in timelines.FIGURES)})")
    writable_dir(args.out, "OUT")
    index = timelines.publish(args.out, quick=args.quick, only=only, real=not args.no_real,
                              progress=Progress())
    for entry in index["figures"]:
        real = entry["real"]
        shown = "-" if real is None else real.get("python") or f"skipped: {real['skipped']}"
        print(f"{entry['name']:<12} sim ok   real: {shown}")
    return 0


def cmd_record_output(args: argparse.Namespace) -> int:
    import shutil

    from gilexamples.site.recorded import record_all

    root = _project(args.root)
    if args.python and not (Path(args.python).is_file() or shutil.which(args.python)):
        raise UsageError(f"--python {args.python}: no such interpreter")
    try:
        lines = list(record_all(root, args.snippets, args.python))
    except FileNotFoundError as error:
        raise UsageError(str(error)) from None
    for line in lines:
        print(line)
    return 1 if any(not line.startswith("recorded:") for line in lines) else 0


def cmd_reading(args: argparse.Namespace) -> int:
    from gilexamples.site.reading import report

    docs = Path(args.docs)
    if not docs.is_dir():
        raise UsageError(f"{args.docs} is not a folder")
    for line in report(docs):
        print(line)
    return 0
