"""Page markers: HTML comments in a chapter that become stored lab results at build time.

A page asks for a table with an HTML comment on a line of its own::

    <!-- lab-table: convoy -->

and :func:`render_markers` (called by the MkDocs hook ``on_page_markdown``)
replaces it with a Markdown table built from ``docs/results/lab/convoy.json``
and a line that says where, when and how the numbers were measured
(``<!-- lab-table: countdown switches -->`` picks another view of the same
results). Other markers: ``<!-- lab-stamp: NAME -->`` (the stamp line alone),
``<!-- lab-free-threaded -->`` (which free-threaded builds the stored results
include, or how to add one) and ``<!-- lab-plot: NAME -->`` (a chart, inline
SVG, for ``convoy`` and ``switch-interval``). A page never types a measured number.

Values can also be pulled one at a time, for prose:
``<!-- lab-value: convoy CPython 3.12.1 slowdown -->`` is replaced by that
interpreter's value (``CPython 3.12.1`` may be a version prefix such as ``2.7``
or ``3.13``, matched on whole components, so ``3.1`` is not ``3.12``; the last
interpreter that matches wins).
"""

from __future__ import annotations

import re
from pathlib import Path

from gilexamples import units
from gilexamples.lab.results import load_results
from gilexamples.site.plots import render_plot
from gilexamples.site.runs import by_interpreter
from gilexamples.site.stamps import (RESULTS_SUBDIR, free_threaded_note, load_warning, missing,
                                     stamp_line)
from gilexamples.site.tables import render_table

__all__ = ["MARKER", "render_markers", "value_text"]

MARKER = re.compile(
    r"<!--\s*lab-(?P<kind>table|stamp|free-threaded|value|plot)\s*:?\s*(?P<arg>[^>]*?)\s*-->")


def value_text(arg: str, results: Path) -> str:
    """What a ``lab-value`` marker with argument ``arg`` becomes."""
    parts = arg.split()
    if len(parts) < 3:
        return f"`bad lab-value marker: {arg}`"
    experiment, metric = parts[0], parts[-1]
    wanted = " ".join(parts[1:-1])
    doc = load_results(results, experiment)
    if doc is None:
        return "(not measured)"
    value = None
    version_wanted = wanted.split(" ")[-1]
    for row_name, setups in by_interpreter(doc):
        run = setups.get("all cores")
        python = (run or {}).get("python", {})
        version = python.get("version") or ""
        # A version or prefix names the default build; a free-threaded row (and its
        # PYTHON_GIL=1 twin) answers only to its whole name, "CPython 3.13.1t".
        by_version = not python.get("free_threaded") and (
            version == version_wanted or version.startswith(version_wanted + "."))
        if row_name == wanted or by_version:
            if run and metric in run.get("metrics", {}):
                value = run["metrics"][metric]
    if value is None:
        return "(not measured)"
    if units.is_seconds(metric):
        return units.duration(value)
    if metric.endswith("_per_s"):
        return units.rate(value)
    return units.times(value) if metric == "slowdown" else units.ratio(value)


def render_markers(markdown: str, docs_dir: str | Path) -> str:
    """Replace every lab marker in ``markdown`` with what the stored results say."""
    if "lab-" not in markdown:
        return markdown
    results = Path(docs_dir) / RESULTS_SUBDIR

    def replace(match: re.Match) -> str:
        kind, arg = match.group("kind"), match.group("arg").strip()
        if kind == "value":
            return value_text(arg, results)
        if kind == "free-threaded":
            docs = [load_results(results, p.stem) for p in sorted(results.glob("*.json"))]
            runs = [r for d in docs if d for r in d.get("runs", [])]
            return free_threaded_note({"runs": runs})
        experiment, _, view = arg.partition(" ")
        doc = load_results(results, experiment)
        if doc is None:
            return missing(experiment)
        if kind == "plot":
            return render_plot(doc, view.strip())
        if kind == "table":
            return render_table(doc, view.strip())
        warning = load_warning(doc)
        return stamp_line(doc) + ("\n\n" + warning if warning else "")

    def replace_indented(match: re.Match) -> str:
        # A marker on its own line inside an indented block (a "??? note") gets its
        # replacement indented alike, so a table stays inside the block.
        line_start = markdown.rfind("\n", 0, match.start()) + 1
        indent = markdown[line_start:match.start()]
        text = replace(match)
        if not indent or indent.strip():
            return text
        return text.replace("\n", "\n" + indent).replace("\n" + indent + "\n", "\n\n")

    return MARKER.sub(replace_indented, markdown)
