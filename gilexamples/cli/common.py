"""What every ``python -m gilexamples`` command shares.

Each module of :mod:`gilexamples.cli` exposes ``register(subparsers)``; each
sub-parser it adds sets ``func``, a handler taking the parsed arguments and
returning an exit status. Handlers raise :class:`UsageError` for a user
mistake: the CLI prints it as one line on stderr and exits with status 2.

Numbers a user types are checked by argparse types with stated bounds
(:func:`int_in`, :func:`float_in`), so an out-of-range value is refused
before any work starts, and ``--help`` can say what is accepted.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

__all__ = ["UsageError", "OneLineParser", "int_in", "float_in", "positive_float",
           "positive_int", "print_json", "add_json_flag", "writable_dir", "writable_file",
           "Progress", "on_terminal"]


class UsageError(Exception):
    """A mistake in what the user asked for: one line on stderr, exit status 2."""


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are a single line, exit status 2."""

    def error(self, message: str):  # type: ignore[override]
        message = " ".join(message.split())   # argparse may wrap a long message
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _bounded(kind: type, low, high, low_open: bool) -> Callable[[str], int | float]:
    """An argparse type: a ``kind`` number from ``low`` (above it when ``low_open``)
    to ``high`` (no top when None); the error says which bound was crossed."""
    noun = "a whole number" if kind is int else "a number"

    def shown(bound) -> str:
        return str(bound) if isinstance(bound, int) else f"{bound:g}"

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {noun}: {text!r}") from None
        if value != value:  # NaN
            raise argparse.ArgumentTypeError(f"not {noun}: {text!r}")
        if low_open and not value > low:
            raise argparse.ArgumentTypeError(f"must be greater than {shown(low)}: {text!r}")
        if not low_open and value < low:
            raise argparse.ArgumentTypeError(f"must be at least {shown(low)}: {text!r}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be at most {shown(high)}: {text!r}")
        return value

    parse.__name__ = noun
    return parse


def int_in(low: int, high: int | None = None) -> Callable[[str], int]:
    """argparse type: a whole number from ``low`` to ``high`` (inclusive; no top if None)."""
    return _bounded(int, low, high, low_open=False)


def float_in(low: float, high: float | None = None, *,
             low_open: bool = True) -> Callable[[str], float]:
    """argparse type: a number above ``low`` (or at least, with ``low_open=False``)
    and at most ``high``."""
    return _bounded(float, low, high, low_open)


#: argparse type: a number > 0.
positive_float = float_in(0)
#: argparse type: a whole number >= 1.
positive_int = int_in(1)


def print_json(document: Any) -> None:
    """Print one JSON document on stdout, and nothing else there."""
    json.dump(document, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help="print one JSON document on stdout and nothing else")


def writable_dir(path: str, option: str) -> Path:
    """Create ``path`` if needed and check a file can be written there, before any work."""
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        check = folder / f".gilexamples-write-check-{os.getpid()}"
        check.write_text("", encoding="utf-8")
        check.unlink()
    except OSError as error:
        raise UsageError(f"{option} {path}: cannot write there "
                         f"({error.strerror or error})") from None
    return folder


def writable_file(path: str, option: str) -> Path:
    """Check that ``path`` can be written (its folder exists and is writable), before any work."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise UsageError(f"{option} {path}: cannot write there: it is a folder, not a file")
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: cannot write there: no such folder {folder}")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise UsageError(f"{option} {path}: cannot write there: permission denied")
    return target


def on_terminal() -> bool:
    """Whether stderr is a terminal a person watches (and not a CI log)."""
    return sys.stderr.isatty() and not os.environ.get("CI")


class Progress:
    """A one-line progress bar on stderr, only on a terminal and never under CI."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled and on_terminal()
        self.started = datetime.datetime.now()

    def __call__(self, done: int, total: int, what: str) -> None:
        if not self.enabled:
            return
        width = 24
        filled = width * done // max(total, 1)
        elapsed = (datetime.datetime.now() - self.started).total_seconds()
        line = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {elapsed:4.0f}s {what}"
        sys.stderr.write("\r\033[K" + line[:118])
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()
