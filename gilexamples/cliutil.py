"""What every ``python -m gilexamples`` command shares.

A room (``threads``, ``locks``, ``lab``...) that has commands exposes
``register(subparsers)`` in its ``commands`` module; each sub-parser it adds
sets ``func``, a handler taking the parsed arguments and returning an exit
status. Handlers raise :class:`UsageError` for a user mistake: the CLI prints
it as one line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


class UsageError(Exception):
    """A mistake in what the user asked for: one line on stderr, exit status 2."""


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are a single line, exit status 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def positive_float(text: str) -> float:
    """argparse type: a number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0: {text!r}")
    return value


def positive_int(text: str) -> int:
    """argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def print_json(document: Any) -> None:
    """Print one JSON document on stdout, and nothing else there."""
    json.dump(document, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help="print one JSON document on stdout and nothing else")
