"""``python -m gilexamples``: the command line.

Every command prints a readable report, or with ``--json`` one JSON document
on stdout and nothing else there. Exit status 0 on success, 2 on a usage
error with a one-line message on stderr.

The commands themselves live with the code they drive: each room's
``commands`` module registers its own (see :mod:`gilexamples.cliutil`).
"""

from __future__ import annotations

import os
import sys

from gilexamples import __version__
from gilexamples import threads_commands
from gilexamples.lab import commands as lab_commands
from gilexamples.sim import commands as sim_commands
from gilexamples.signals import commands as signals_commands
from gilexamples.locks import commands as locks_commands
from gilexamples.cliutil import OneLineParser, UsageError

#: The modules whose ``register(subparsers)`` adds commands, in help order.
ROOMS = (threads_commands, lab_commands, sim_commands, signals_commands, locks_commands)


def build_parser() -> OneLineParser:
    parser = OneLineParser(
        prog="python -m gilexamples",
        description="Runnable examples and measurements for the CPython GIL guide.",
    )
    parser.add_argument("--version", action="version", version=f"gilexamples {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for room in ROOMS:
        room.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
