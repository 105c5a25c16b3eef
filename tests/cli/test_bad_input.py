"""Every bad input to every command: one line on stderr, exit status 2, within seconds.

A table of mistakes a user can make, for every command and subcommand of
``python -m gilexamples``. Each runs in a child process with a time limit;
the answer must be exit status 2, exactly one non-empty line on stderr (the
error, saying what was wrong), nothing on stdout, no traceback, and no work
done first (an unwritable output folder is refused before the lab runs). The
cases run side by side (they are small), each timed on its own.
"""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import ROOT

#: Seconds one bad input may take to be refused (interpreter start-up included).
LIMIT_S = 3.0

MISSING = "/no/such/python9"

#: (arguments, a fragment the one stderr line must contain)
CASES = [
    # the command line itself
    ([], "required: COMMAND"),
    (["nosuchcommand"], "invalid choice"),
    (["--bogus"], "required: COMMAND"),
    # info
    (["info", "--bogus"], "unrecognized arguments"),
    (["info", "extra"], "unrecognized arguments"),
    # split
    (["split"], "required: workload"),
    (["split", "spin"], "invalid choice: 'spin'"),
    (["split", "io", "--units", "0"], "must be at least 1"),
    (["split", "io", "--units", "many"], "not a whole number"),
    (["split", "countdown", "--units", "10000000000"], "must be at most"),
    (["split", "io", "--threads", "100000"], "must be at most 64"),
    (["split", "io", "--threads", "0"], "must be at least 1"),
    (["split", "io", "--repeat", "0"], "must be at least 1"),
    (["split", "io", "--repeat", "1000000"], "must be at most"),
    # slices
    (["slices", "--seconds", "-1"], "must be greater than 0"),
    (["slices", "--seconds", "1e9"], "must be at most"),
    (["slices", "--seconds", "nan"], "not a number"),
    (["slices", "--interval", "0"], "must be at least"),
    (["slices", "--interval", "5"], "must be at most"),
    (["slices", "--threads", "1"], "at least 2"),
    (["slices", "--threads", "100000"], "must be at most 64"),
    # interpreters
    (["interpreters", "--python", MISSING], "no such file"),
    (["interpreters", "--python", "/etc/hostname"], "cannot be used"),
    (["interpreters", "--python", "/bin/false"], "exited with status 1"),
    (["interpreters", "--all", "--bogus"], "unrecognized arguments"),
    # run
    (["run"], "required: EXPERIMENT"),
    (["run", "nosuch"], "unknown experiment 'nosuch'"),
    (["run", "convoy", "--python", "/etc/hostname"], "cannot be used"),
    (["run", "countdown", "--python", "/bin/false"], "cannot be used"),
    (["run", "countdown", "--python", MISSING], "no such file"),
    (["run", "countdown", "--cpus", "abc"], "bad CPU list"),
    (["run", "countdown", "--cpus", "999"], "not available"),
    (["run", "countdown", "--timeout", "0"], "must be greater than 0"),
    (["run", "countdown", "--timeout", "1e9"], "must be at most"),
    # lab
    (["lab", "--quick", "--out", "/proc/no/such/dir"], "cannot write there"),
    (["lab", "--quick", "--experiment", "nosuch"], "unknown experiment 'nosuch'"),
    (["lab", "--quick", "--python", "/bin/false"], "cannot be used"),
    (["lab", "--quick", "--timeout", "-5"], "must be greater than 0"),
    # simulate
    (["simulate"], "required: scenario"),
    (["simulate", "nosuch"], "invalid choice"),
    (["simulate", "convoy", "--policy", "nope"], "invalid choice"),
    (["simulate", "convoy", "--threads", "100000", "--seconds", "1"], "must be at most 64"),
    (["simulate", "convoy", "--threads", "0"], "must be at least 1"),
    (["simulate", "convoy", "--cores", "1000"], "must be at most 64"),
    (["simulate", "convoy", "--seconds", "0"], "must be greater than 0"),
    (["simulate", "convoy", "--seconds", "31"], "must be at most 30"),
    (["simulate", "convoy", "--interval", "0"], "must be at least"),
    (["simulate", "convoy", "--interval", "2"], "must be at most 1"),
    (["simulate", "convoy", "--seed", "-1"], "must be at least 0"),
    (["simulate", "convoy", "--seed", "4294967296"], "must be at most 4294967295"),
    (["simulate", "convoy", "--seed", "x"], "not a whole number"),
    (["simulate", "countdown", "--policy", "ticks", "--seconds", "30"], "hand-off periods"),
    (["simulate", "convoy", "--io-threads", "0"], "must be at least 1"),
    (["simulate", "convoy", "--io-threads", "65"], "must be at most 64"),
    (["simulate", "countdown", "--io-threads", "2"], "countdown has no I/O-bound threads"),
    (["simulate", "convoy", "--io-latency", "x"], "not a number"),
    (["simulate", "convoy", "--io-latency", "2"], "must be at most 1"),
    (["simulate", "convoy", "--io-latency", "1e-9"], "must be at least"),
    (["simulate", "countdown", "--io-latency", "0.001"], "countdown does no I/O"),
    (["simulate", "response", "--io-latency", "1e-6", "--seconds", "1"], "wake-ups"),
    (["simulate", "convoy", "--trace", "/proc/no/such/trace.json"], "cannot write there"),
    (["simulate", "convoy", "--trace", "/tmp"], "it is a folder"),
    # signals
    (["signals"], "required: DEMO"),
    (["signals", "nosuch"], "invalid choice"),
    # bench
    (["bench"], "required: TARGET"),
    (["bench", "nosuch"], "invalid choice"),
    (["bench", "locks", "--repeat", "0"], "must be at least 1"),
    (["bench", "locks", "--ops", "1000000000000"], "must be at most"),
    (["bench", "locks", "--rounds", "x"], "not a whole number"),
    # site
    (["site"], "required: TOOL"),
    (["site", "nosuch"], "invalid choice"),
    (["site", "contract", "/no/such/dir"], "has no docs/ folder"),
    (["site", "contract", ".", "extra"], "unrecognized arguments"),
    (["site", "links"], "required: ACTION"),
    (["site", "links", "nosuch"], "invalid choice"),
    (["site", "links", "--root", "/no/such/dir", "lint"], "has no docs/ folder"),
    (["site", "links", "check", "--timeout", "0"], "must be greater than 0"),
    (["site", "links", "check", "--deadline", "-1"], "must be greater than 0"),
    (["site", "publish-timelines"], "required: OUT"),
    (["site", "publish-timelines", "/proc/no/such/dir", "--no-real"], "cannot write there"),
    (["site", "publish-timelines", "/tmp", "--only", "nope"], "unknown figure(s): nope"),
    (["site", "record-output", "snippets/no/such.py"], "no such snippet: snippets/no/such.py"),
    (["site", "record-output", "--python", "/no/such/python"], "no such interpreter"),
    (["site", "record-output", "--root", "/no/such/dir"], "has no docs/ folder"),
    (["site", "reading", "/no/such/dir"], "is not a folder"),
]

#: Every command and subcommand the table must cover (the help lists them).
COMMANDS = {"info", "split", "slices", "interpreters", "run", "lab", "simulate", "signals",
            "bench", "site", "site contract", "site links", "site publish-timelines",
            "site record-output", "site reading"}


def _run(args: list[str]) -> tuple[subprocess.CompletedProcess | None, float]:
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-m", "gilexamples", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=4 * LIMIT_S,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        done = None
    return done, time.monotonic() - started


@pytest.fixture(scope="module")
def answers() -> dict[tuple[str, ...], tuple[subprocess.CompletedProcess | None, float]]:
    """Every case run once, two at a time (the machine has two cores)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_run, [args for args, _ in CASES]))
    return {tuple(args): result for (args, _), result in zip(CASES, results)}


@pytest.mark.parametrize("args, fragment", CASES, ids=[" ".join(a) or "(none)" for a, _ in CASES])
def test_a_bad_input_gets_one_line_and_exit_2(answers, args, fragment):
    done, seconds = answers[tuple(args)]
    assert done is not None, f"still running after {4 * LIMIT_S:g} s: it did the work first"
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    assert len(lines) == 1, done.stderr
    assert fragment in lines[0], lines[0]
    assert done.stdout == "", done.stdout
    assert seconds < LIMIT_S, f"took {seconds:.1f} s"


def test_the_table_covers_every_command():
    from gilexamples.cli import build_parser

    parser = build_parser()
    found = set()
    for action in parser._subparsers._group_actions:
        for name, sub in action.choices.items():
            found.add(name)
            if sub._subparsers is not None:
                for inner in sub._subparsers._group_actions:
                    found |= {f"{name} {tool}" for tool in inner.choices}
    assert found == COMMANDS, "a command was added or removed: update COMMANDS and CASES"
    covered = {args[0] for args, _ in CASES if args} | {
        " ".join(args[:2]) for args, _ in CASES if len(args) > 1 and args[0] == "site"}
    assert COMMANDS <= covered, COMMANDS - covered
