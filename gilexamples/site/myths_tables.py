"""Tables for the "GIL myths" page, rendered at build time from stored lab results.

A page asks for a table with a marker on a line of its own::

    <!-- myths-table: sleep0 -->

Views of ``docs/results/lab/myths.json`` (the ``myths`` payload):

* ``sleep0``: does ``time.sleep(0)`` hand the GIL to a busy thread?
* ``c-calls``: which C calls let a watcher thread run (sleep, hashlib on a
  large buffer, ``sum()``, ``sorted()``);

and of results other experiments store, which the page only refers to:

* ``scaling``, ``races``: every numeric metric of ``scaling.json`` /
  ``races.json``, per interpreter. When the file is missing the marker
  becomes a note that the experiment has not been measured yet.

Every table ends with the stamp line of its results (machine, dates, load,
command), as the lab's own tables do.
"""

from __future__ import annotations

import re
from pathlib import Path

from gilexamples.lab.results import load_results
from gilexamples.site.runs import by_interpreter as _by_interpreter
from gilexamples.site.runs import gil as _gil
from gilexamples.site.stamps import RESULTS_SUBDIR, load_warning, stamp_line

__all__ = ["MARKER", "render_markers", "render_view", "verdict_pace", "verdict_handover",
           "VIEWS"]

MARKER = re.compile(r"<!--\s*myths-table\s*:\s*(?P<view>[\w-]+)\s*-->")

#: A watcher pace at or above this means the call let go of the GIL; at or below
#: KEPT, that it kept it. In between the page says "unclear" (a busy machine).
RELEASED, KEPT = 0.3, 0.1


def verdict_pace(value) -> str:
    if not isinstance(value, (int, float)):
        return "n/a"
    if value >= RELEASED:
        return "lets go"
    if value <= KEPT:
        return "keeps it"
    return "unclear"


def verdict_handover(value) -> str:
    if not isinstance(value, (int, float)):
        return "n/a"
    if value >= 0.9:
        return "nearly always"
    if value <= 0.1:
        return "rarely"
    return "sometimes"


def _percent(value) -> str:
    return f"{value * 100:.0f}%" if isinstance(value, (int, float)) else "n/a"


def _table(header: list[str], rows: list[list[str]]) -> str:
    align = ["---" if i < 2 else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _runs(doc: dict) -> list[tuple[str, dict]]:
    found = []
    for name, setups in _by_interpreter(doc):
        run = setups.get("all cores") or next(iter(setups.values()))
        found.append((name, run))
    return found


def _metrics(run: dict) -> dict | None:
    return run.get("metrics") if isinstance(run.get("metrics"), dict) else None


def _sleep0(doc: dict) -> str:
    rows = []
    for name, run in _runs(doc):
        m = _metrics(run)
        if m is None:
            rows.append([name, _gil(run), "not measured", "", ""])
            continue
        value = m.get("sleep0_handover")
        rows.append([name, _gil(run), f"{_percent(value)} ({verdict_handover(value)})",
                     _percent(m.get("sleep_1ms_handover")), ""])
    header = ["Interpreter", "GIL", "busy thread ran during `time.sleep(0)`",
              "during `time.sleep(0.001)`", ""]
    return _table(header[:-1], [row[:-1] for row in rows])


def _c_calls(doc: dict) -> str:
    columns = [("sleep_pace", "`time.sleep`"), ("hash_large_pace", "hashlib, large buffer"),
               ("sum_pace", "`sum(range(n))`"), ("sorted_pace", "`sorted(list)`")]
    rows = []
    for name, run in _runs(doc):
        m = _metrics(run)
        if m is None:
            rows.append([name, _gil(run)] + ["not measured"] * len(columns) + [""])
            continue
        cells = [f"{_percent(m.get(key))} ({verdict_pace(m.get(key))})" for key, _ in columns]
        rows.append([name, _gil(run)] + cells + [f"`{m.get('hash_backend', '?')}`"])
    header = ["Interpreter", "GIL"] + [title for _, title in columns] + ["hashlib module"]
    return _table(header, rows)


def _numbers(doc: dict) -> str:
    """Every numeric top-level metric, per interpreter (for results of other experiments)."""
    keys: list[str] = []
    for _, run in _runs(doc):
        for key, value in (_metrics(run) or {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and key not in keys:
                keys.append(key)
    keys = keys[:6]
    rows = []
    for name, run in _runs(doc):
        m = _metrics(run) or {}
        rows.append([name, _gil(run)] + [
            (f"{m[k]:.3g}" if isinstance(m.get(k), (int, float)) else "n/a") for k in keys])
    return _table(["Interpreter", "GIL"] + [f"`{k}`" for k in keys], rows)


VIEWS = {"sleep0": ("myths", _sleep0), "c-calls": ("myths", _c_calls),
         "scaling": ("scaling", _numbers), "races": ("races", _numbers)}


def _not_measured(experiment: str) -> str:
    return (f'!!! note "Not yet measured"\n\n'
            f"    The `{experiment}` experiment has no stored results yet. Produce them with\n"
            f"    `python -m gilexamples lab --experiment {experiment} --out docs/{RESULTS_SUBDIR}`.\n")


def render_view(view: str, results_dir: str | Path) -> str:
    """The Markdown for one marker: table and stamp line, or a "not yet measured" note."""
    if view not in VIEWS:
        raise ValueError(f"no myths table {view!r} (tables: {', '.join(sorted(VIEWS))})")
    experiment, build = VIEWS[view]
    doc = load_results(results_dir, experiment)
    if doc is None:
        return _not_measured(experiment)
    warning = load_warning(doc)
    return build(doc) + "\n\n" + stamp_line(doc) + ("\n\n" + warning if warning else "")


def render_markers(markdown: str, docs_dir: str | Path) -> str:
    results = Path(docs_dir) / RESULTS_SUBDIR
    return MARKER.sub(lambda match: render_view(match.group("view"), results), markdown)
