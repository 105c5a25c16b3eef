"""Stored lab runs, grouped and described the way every table, plot and stamp shows them.

A stored experiment (``docs/results/lab/NAME.json``, see
:mod:`gilexamples.lab.results`) is a list of runs, one per interpreter and CPU
setup. :func:`by_interpreter` gives one row per interpreter with its setups;
:func:`gil` says which GIL a run had; :func:`cell` pulls one metric as text.

A 3.x countdown run whose process got less than ``DISTURBED_CPU_PER_WALL``
CPU seconds per wall second was disturbed by other work: :func:`disturbed`
finds it, :func:`mark` puts a dagger next to its cells.
"""

from __future__ import annotations

from typing import Callable

from gilexamples import units
from gilexamples.lab.interpreters import python_era, python_label, version_tuple

__all__ = ["DISTURBED_CPU_PER_WALL", "DAGGER", "DEFAULT_SWITCH_INTERVAL_S", "by_interpreter",
           "gil", "switching", "disturbed", "marked_runs", "mark", "cell", "name"]

#: A GIL-bound 3.x process of CPU-bound threads burns about one CPU second per wall
#: second; below this, other work took CPU from it and its timings are suspect.
DISTURBED_CPU_PER_WALL = 0.95

#: The mark of a disturbed cell.
DAGGER = "†"

#: The switch interval assumed for results that do not record one (CPython's default).
DEFAULT_SWITCH_INTERVAL_S = 0.005

#: What the GIL column says for each era.
_GIL_WORDS = {"none": "none (free-threaded)", "tick": "tick", "switching": "switching"}


def name(run: dict) -> str:
    """The run's interpreter in a word: ``CPython 3.12.1``, ``CPython 3.13.0t``,
    ``CPython 3.13.0t (PYTHON_GIL=1)``."""
    return python_label(run["python"])


def gil(run: dict) -> str:
    """The GIL column: ``tick``, ``switching``, ``switching (re-enabled)``, ``none (free-threaded)``."""
    era = python_era(run["python"])
    text = _GIL_WORDS[era]
    if era == "switching" and run["python"].get("free_threaded"):
        text += " (re-enabled)"
    return text


def _version_key(run: dict) -> tuple:
    py = run["python"]
    return (version_tuple(py.get("version")), bool(py.get("free_threaded")),
            bool(py.get("env")), py.get("executable") or "")


def by_interpreter(doc: dict) -> list[tuple[str, dict[str, dict]]]:
    """[(interpreter name, {setup: run}), ...] in version order.

    Two interpreters of the same version (``/usr/bin/python3.12`` and pyenv's) stay
    two rows: their names then end with the executable's path.
    """
    runs = doc.get("runs", [])
    executables: dict[str, set] = {}
    for run in runs:
        executables.setdefault(name(run), set()).add(run["python"].get("executable"))
    rows: dict[str, dict[str, dict]] = {}
    keys: dict[str, tuple] = {}
    for run in runs:
        row = name(run)
        if len(executables[row]) > 1:
            row += f" ({run['python'].get('executable')})"
        rows.setdefault(row, {})[run.get("setup") or "all cores"] = run
        keys[row] = _version_key(run)
    return sorted(rows.items(), key=lambda item: keys[item[0]])


def switching(run: dict | None) -> bool:
    """A run under a 3.x GIL that is on (the switching GIL)."""
    return bool(run) and python_era(run["python"]) == "switching"


def disturbed(run: dict | None) -> bool:
    """A 3.x countdown run whose process got less than DISTURBED_CPU_PER_WALL CPU."""
    if not switching(run) or "metrics" not in run:
        return False
    value = run["metrics"].get("cpu_per_wall")
    return isinstance(value, (int, float)) and value < DISTURBED_CPU_PER_WALL


def marked_runs(doc: dict) -> list[dict]:
    """The runs of ``doc`` that tables mark with the dagger: countdown's disturbed ones only
    (other experiments report ``cpu_per_wall`` with another meaning, or none)."""
    if doc.get("experiment", "countdown") != "countdown":
        return []
    return [r for r in doc.get("runs", []) if disturbed(r)]


def mark(run: dict | None, text: str) -> str:
    """``text``, with the dagger when ``run`` was disturbed."""
    return f"{text} {DAGGER}" if disturbed(run) else text


def cell(run: dict | None, *path: str, fmt: Callable = units.duration) -> str:
    """One metric of a run as table text (``not run``, ``skipped``, ``error``, ``n/a``)."""
    if run is None:
        return "not run"
    if "metrics" not in run:
        return "skipped" if "skipped" in run else "error"
    value = run["metrics"]
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return units.NA
        value = value[key]
    return fmt(value)
