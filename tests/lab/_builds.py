"""Which interpreters the lab tests can use: found once per session, with reasons when absent.

A free-threaded build is looked for the way the lab looks (PATH and pyenv's
versions folder); the tests that need one skip with :data:`NO_FREE_THREADED`
when there is none.
"""

from __future__ import annotations

import functools
import sys

from gilexamples.lab.interpreters import Interpreter, find_interpreters, gil_forced_on, probe

NO_FREE_THREADED = ("no free-threaded CPython found (looked on PATH and in pyenv's versions "
                    "folder); get one with `uv python install 3.14t` or `pyenv install 3.14t`, "
                    "or build one with ../shared/tools/build-cpython")
NO_PAIR = ("no CPython version found both as a default and as a free-threaded build (3.13.N "
           "and 3.13.Nt from the same source); ../shared/tools/build-cpython builds both")


@functools.cache
def found() -> tuple[Interpreter, ...]:
    """Every working interpreter the lab finds here, without the PYTHON_GIL=1 rows."""
    return tuple(find_interpreters(gil_variants=False))


def current() -> Interpreter:
    return probe(sys.executable, "current")


def free_threaded() -> Interpreter | None:
    """The newest free-threaded build found (GIL off), or None."""
    builds = [i for i in found() if i.free_threaded and i.gil_enabled is False]
    return builds[-1] if builds else None


_FORCED: dict[str, Interpreter | None] = {}


def forced(interp: Interpreter) -> Interpreter | None:
    """``interp`` run with PYTHON_GIL=1 (the lab's second row), or None."""
    if interp.executable not in _FORCED:
        _FORCED[interp.executable] = gil_forced_on(interp)
    return _FORCED[interp.executable]


def same_version_pair() -> tuple[Interpreter, Interpreter] | None:
    """(default build, free-threaded build) of one version, the newest such pair, or None."""
    pairs = []
    for t in found():
        if not (t.free_threaded and t.gil_enabled is False):
            continue
        for d in found():
            if not d.free_threaded and d.version == t.version and d.implementation == t.implementation:
                pairs.append((d, t))
    return max(pairs, key=lambda p: p[1].version_tuple) if pairs else None


def by_version(prefix: tuple[int, ...]) -> Interpreter | None:
    """A default build whose version starts with ``prefix`` (the newest), or None."""
    hits = [i for i in found() if not i.free_threaded and i.version_tuple[:len(prefix)] == prefix]
    return hits[-1] if hits else None


def free_threaded_rows() -> dict[str, Interpreter]:
    """{"t": the free-threaded build, "t, PYTHON_GIL=1": it with the GIL forced on}, as found."""
    rows = {}
    t = free_threaded()
    if t is not None:
        rows["t"] = t
        if forced(t) is not None:
            rows["t, PYTHON_GIL=1"] = forced(t)
    return rows
