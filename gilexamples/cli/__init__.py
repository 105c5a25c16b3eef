"""``python -m gilexamples``: the command line, the only argparse in the package.

Every command prints a readable report, or with ``--json`` one JSON document
on stdout and nothing else there. Exit status 0 on success, 2 on a usage
error with a one-line message on stderr, never a traceback for a user
mistake.

One module per group of commands, each with ``register(subparsers)``:
:mod:`~gilexamples.cli.threads` (``info``, ``split``, ``slices``),
:mod:`~gilexamples.cli.lab` (``interpreters``, ``run``, ``lab``),
:mod:`~gilexamples.cli.simulate`, :mod:`~gilexamples.cli.signals`,
:mod:`~gilexamples.cli.bench` and :mod:`~gilexamples.cli.site` (the tools
that build and check the site). Nothing in the package imports this one
but ``gilexamples/__main__.py``.
"""

from __future__ import annotations

import os
import sys

from gilexamples import __version__
from gilexamples.cli import bench, lab, signals, simulate, site, threads
from gilexamples.cli.common import OneLineParser, UsageError

__all__ = ["main", "build_parser"]

#: The modules whose ``register(subparsers)`` adds commands, in help order.
GROUPS = (threads, lab, simulate, signals, bench, site)


def build_parser() -> OneLineParser:
    parser = OneLineParser(
        prog="python -m gilexamples",
        description="Runnable examples and measurements for the CPython GIL guide.",
    )
    parser.add_argument("--version", action="version", version=f"gilexamples {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for group in GROUPS:
        group.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    args_given = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args = parser.parse_args(args_given)
    args.argv = args_given   # what was asked, as typed (recorded in stamps)
    try:
        return args.func(args)
    except UsageError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Whoever read our output went away (`... | head`). Stop quietly, as
        # a shell tool does, and keep the interpreter from complaining again
        # when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
