"""Shared fixtures, and the guard that no test leaves a thread or child process behind."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def live_children_by_parent() -> dict[int, list[int]]:
    """{parent pid: [live (not zombie) child pids]} for every process, from /proc."""
    parents: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except FileNotFoundError:  # not Linux: nothing to check this way
        return parents
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents.setdefault(int(fields[1]), []).append(int(entry))
    return parents


def _child_pids() -> set[int]:
    """Live (not zombie) children of this process."""
    return set(live_children_by_parent().get(os.getpid(), []))


@pytest.fixture(autouse=True)
def no_leftovers(request):
    """Fail a test that leaves a new thread running or a child process alive."""
    threads_before = set(threading.enumerate())
    children_before = _child_pids()
    yield
    deadline = time.monotonic() + 2.0
    while True:
        new_threads = [t for t in threading.enumerate()
                       if t not in threads_before and t.is_alive()]
        new_children = _child_pids() - children_before
        if not (new_threads or new_children) or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not new_threads, f"test left threads running: {[t.name for t in new_threads]}"
    assert not new_children, f"test left child processes alive: {sorted(new_children)}"


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``python -m gilexamples ARGS`` in a child and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "gilexamples", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture
def cli():
    return run_cli
