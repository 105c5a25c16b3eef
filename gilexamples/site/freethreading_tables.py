"""Tables of the free-threading experiments, from stored lab results (the plots are
:mod:`gilexamples.site.freethreading_plots`).

A page asks for one with an HTML comment on a line of its own, and
:func:`render_markers` (called by the MkDocs hook ``on_page_markdown``)
replaces it with what ``docs/results/lab/*.json`` say:

* ``<!-- ft-builds -->``: which free-threaded builds the stored results
  include, and which versions were measured both ways;
* ``<!-- ft-ci -->``: the Python versions the GitHub workflow's test matrix
  runs the suite on, free-threaded ones (``t``) named apart;
* ``<!-- ft-table: same-version -->``: one version with its GIL, without it,
  and with ``PYTHON_GIL=1``, side by side over every experiment;
* ``<!-- ft-table: scaling -->``, ``<!-- ft-plot: scaling -->``;
* ``<!-- ft-table: races -->``;
* ``<!-- ft-table: overhead -->``, ``<!-- ft-table: overhead-ratio -->``,
  ``<!-- ft-plot: overhead -->``.

Every table ends with the stamp of the results it shows (machine, dates,
load, command) and, when they were measured on a busy machine, a warning.
A build that was not measured gets no number: its cell says so, or it has no
column. Rows, names and stamps come from :mod:`gilexamples.site.runs` and
:mod:`gilexamples.site.stamps`, so an interpreter is named the same way on
every page.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from gilexamples.lab.results import load_results
from gilexamples.site.runs import by_interpreter as _by_interpreter
from gilexamples.site.runs import gil as _gil
from gilexamples.site.stamps import RESULTS_SUBDIR, load_warning, missing, stamp_line
from gilexamples.units import NA
from gilexamples.units import duration as _duration
from gilexamples.units import ratio as _ratio
from gilexamples.units import times as _units_times

__all__ = ["render_markers", "same_version_pairs", "MARKER", "OVERHEAD_WORKLOADS", "RACE_CASES"]

MARKER = re.compile(r"<!--\s*ft-(?P<kind>table|plot|builds|ci)\s*:?\s*(?P<arg>[^>]*?)\s*-->")

#: The workflow whose test matrix ``<!-- ft-ci -->`` reports, relative to the repository root.
WORKFLOW = Path(".github") / "workflows" / "tests.yml"

#: The experiments whose results these tables read.
EXPERIMENTS = ("countdown", "convoy", "scaling", "races", "overhead")

RACE_CASES = ["int_iadd", "py_iadd", "dict_check_set", "counter", "list_append"]
RACE_TITLES = {"int_iadd": "`box.x += 1`", "py_iadd": "`+=` through a Python `__iadd__`",
               "dict_check_set": "dict check-then-set", "counter": "`Counter.update`",
               "list_append": "`list.append`"}
OVERHEAD_WORKLOADS = ["call", "attribute", "dict", "list", "alloc", "objects"]
OVERHEAD_TITLES = {"call": "call a function", "attribute": "read an attribute",
                   "dict": "dict get + set", "list": "list append + pop",
                   "alloc": "build a 2-item list", "objects": "make a small object"}

#: The three builds of one version, as the same-version table names them.
KINDS = ("gil", "nogil", "forced")


#: Columns of words (left-aligned); every other column holds numbers (right-aligned).
TEXT_COLUMNS = {"Interpreter", "GIL", "Measure", "Operation", "verdict"}


def _table(header: list[str], rows: list[list[str]]) -> str:
    align = [" --- " if name in TEXT_COLUMNS else " ---: " for name in header]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _docs(results: Path) -> dict[str, dict]:
    found = {}
    for name in EXPERIMENTS:
        doc = load_results(results, name)
        if doc is not None:
            found[name] = doc
    return found


def _kind(python: dict) -> str | None:
    """"gil", "nogil" or "forced" for a run of a CPython that has a free-threaded twin."""
    if not python.get("free_threaded"):
        return "gil"
    if python.get("gil_enabled") is False:
        return "nogil"
    if python.get("gil_enabled") is True:
        return "forced"
    return None


def _all_cores(doc: dict):
    for run in doc.get("runs", []):
        if (run.get("setup") or "all cores") == "all cores":
            yield run


def same_version_pairs(docs: dict[str, dict]) -> list[str]:
    """Versions measured both as a default and as a free-threaded build (GIL off), oldest first."""
    seen: dict[str, set] = {}
    for doc in docs.values():
        for run in _all_cores(doc):
            py = run["python"]
            if py.get("implementation") == "CPython" and "metrics" in run:
                seen.setdefault(py.get("version") or "", set()).add(_kind(py))
    versions = [v for v, kinds in seen.items() if {"gil", "nogil"} <= kinds]
    return sorted(versions, key=lambda v: tuple(int(n) for n in re.findall(r"\d+", v)))


def _find(doc: dict | None, version: str, kind: str) -> dict | None:
    if doc is None:
        return None
    for run in _all_cores(doc):
        if run["python"].get("version") == version and _kind(run["python"]) == kind:
            return run
    return None


def _cell(run: dict | None, value) -> str:
    if run is None:
        return "not measured"
    if "metrics" not in run:
        return "skipped" if "skipped" in run else "error"
    return value(run["metrics"])


def _rows(doc: dict, cells) -> list[list[str]]:
    """One row per interpreter: its name, its GIL, then each of ``cells`` applied to the
    metrics of its all-cores run (or its only run)."""
    rows = []
    for name, setups in _by_interpreter(doc):
        run = setups.get("all cores") or next(iter(setups.values()))
        rows.append([name, _gil(run)] + [_cell(run, cell) for cell in cells])
    return rows


def _times(value) -> str:
    """A factor with two decimals (speed-ups and ratios near 1 need them)."""
    return f"{_ratio(value)}×" if _ratio(value) != NA else NA


def _lost(case: str):
    def show(m: dict) -> str:
        entry = (m.get("cases") or {}).get(case)
        if entry is None:
            return "n/a"
        if "crashed" in entry:
            return f"crashed ({entry['crashed'].replace('killed by ', '')})"
        expected, lost = entry.get("expected") or 0, entry.get("lost_updates") or 0
        if lost == 0:
            return "none"
        share = 100.0 * lost / expected if expected else 0.0
        return "under 0.1%" if share < 0.1 else f"{share:.1f}%" if share < 10 else f"{share:.0f}%"
    return show


def _slowdown(m: dict):
    value = m.get("slowdown")
    if value is None:
        value = (m.get("threads") or {}).get("1", {}).get("slowdown")
    return _units_times(value)


def _speedup(key: str, with_verdict: bool = False):
    def show(m: dict) -> str:
        value = m.get(key)
        if not isinstance(value, (int, float)):
            return "none" if key == "subinterpreter_speedup" else "n/a"
        text = _times(value)
        if with_verdict and m.get("verdict"):
            text += f" ({m['verdict']})"
        elif key == "subinterpreter_speedup" and m.get("subinterpreter_verdict") == "inconclusive":
            text += " (inconclusive)"   # disturbed runs: a figure, not a claim
        return text
    return show


def _geomean(values: list[float]) -> float | None:
    values = [v for v in values if isinstance(v, (int, float)) and v > 0]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def _overhead_ratio(doc: dict | None, version: str, kind: str) -> dict[str, float] | None:
    """{workload: ns of ``kind`` / ns of the default build} for one version, or None."""
    base, other = _find(doc, version, "gil"), _find(doc, version, kind)
    if not base or not other or "metrics" not in base or "metrics" not in other:
        return None
    a, b = base["metrics"]["ns_per_op"], other["metrics"]["ns_per_op"]
    return {w: b[w] / a[w] for w in OVERHEAD_WORKLOADS if a.get(w) and b.get(w) is not None}


def _stamps(docs: dict[str, dict], names) -> str:
    lines = []
    for name in names:
        if name in docs:
            warning = load_warning(docs[name])
            lines.append(f"- `{name}`: {stamp_line(docs[name])}"
                         + (" Measured on a busy machine (see that experiment's table)."
                            if warning else ""))
    return "\n".join(lines)


def _no_pair() -> str:
    return ('!!! note "No version measured both ways"\n\n'
            "    The stored results have no CPython version measured both as a default and\n"
            "    as a free-threaded build, so this comparison shows no numbers. The lab\n"
            "    makes one when it finds both builds of one version, for example\n"
            "    `python -m gilexamples lab --python python3.14 --python python3.14t`.\n")


def same_version_table(docs: dict[str, dict]) -> str:
    versions = same_version_pairs(docs)
    if not versions:
        return _no_pair()
    parts = []
    rows_spec = [
        ("Two threads / sequential time (`countdown`)", "countdown",
         lambda m: _ratio(m.get("ratio"))),
        ("Round trip slowdown next to a CPU-bound thread (`convoy`)", "convoy", _slowdown),
        ("Two threads: speedup over one (`scaling`)", "scaling", _speedup("speedup", True)),
        ("Two processes: speedup over one (`scaling`)", "scaling", _speedup("process_speedup")),
        ("Two sub-interpreters: speedup over one (`scaling`)", "scaling",
         _speedup("subinterpreter_speedup")),
    ] + [(f"Updates lost, {RACE_TITLES[c]} (`races`)", "races", _lost(c))
         for c in ("int_iadd", "py_iadd", "counter", "list_append")]
    for version in versions:
        header = ["Measure", f"{version}, default build (GIL)",
                  f"{version}t, GIL off", f"{version}t, `PYTHON_GIL=1`"]
        rows = []
        for title, experiment, show in rows_spec:
            doc = docs.get(experiment)
            rows.append([title] + [_cell(_find(doc, version, k), show) for k in KINDS])
        ratios = {k: _overhead_ratio(docs.get("overhead"), version, k) for k in KINDS[1:]}
        rows.append(["One thread, time per operation vs the default build, geometric mean "
                     "(`overhead`)", "1.00×" if _find(docs.get("overhead"), version, "gil")
                     else "not measured"]
                    + [_times(_geomean(list(r.values()))) if r else "not measured"
                       for r in ratios.values()])
        parts.append(_table(header, rows))
    used = [n for n in EXPERIMENTS if n in docs]
    return "\n\n".join(parts) + "\n\nWhere each row was measured:\n\n" + _stamps(docs, used)


def _cpu(m: dict) -> str:
    return _ratio(m.get("cpu_per_wall"))


def scaling_table(doc: dict) -> str:
    counts = sorted({k for run in doc["runs"] for k in run.get("metrics", {}).get("by_threads", {})},
                    key=int)
    header = (["Interpreter", "GIL"] + [f"{k} thread{'s' if k != '1' else ''}" for k in counts]
              + ["threads ×", "processes ×", "sub-interpreters ×", "CPU s / wall s, 2 threads",
                 "verdict"])
    cells = ([lambda m, k=k: _duration(m.get("by_threads", {}).get(k)) for k in counts]
             + [_speedup("speedup"), _speedup("process_speedup"),
                _speedup("subinterpreter_speedup"), _cpu, lambda m: m.get("verdict", "n/a")])
    return _table(header, _rows(doc, cells))


def races_table(doc: dict) -> str:
    header = ["Interpreter", "GIL"] + [RACE_TITLES[c] for c in RACE_CASES]
    return _table(header, _rows(doc, [_lost(c) for c in RACE_CASES]))


def overhead_table(doc: dict) -> str:
    header = (["Interpreter", "GIL"] + [OVERHEAD_TITLES[w] for w in OVERHEAD_WORKLOADS]
              + ["empty loop"])

    def ns(value) -> str:
        return f"{value:.1f} ns" if isinstance(value, (int, float)) else "n/a"

    cells = ([lambda m, w=w: ns(m.get("ns_per_op", {}).get(w)) for w in OVERHEAD_WORKLOADS]
             + [lambda m: ns(m.get("loop_ns"))])
    return _table(header, _rows(doc, cells))


def overhead_ratio_table(doc: dict) -> str:
    versions = same_version_pairs({"overhead": doc})
    if not versions:
        return _no_pair()
    parts = []
    for version in versions:
        ratios = {k: _overhead_ratio(doc, version, k) for k in KINDS[1:]}
        header = ["Operation", f"{version}t, GIL off / {version}",
                  f"{version}t, `PYTHON_GIL=1` / {version}"]
        rows = [[OVERHEAD_TITLES[w]] + [_times((r or {}).get(w)) if r else "not measured"
                                        for r in ratios.values()]
                for w in OVERHEAD_WORKLOADS]
        rows.append(["**geometric mean**"] + [
            f"**{_times(_geomean(list(r.values())))}**" if r else "not measured"
            for r in ratios.values()])
        parts.append(_table(header, rows))
    return "\n\n".join(parts)


#: The ``ft-plot`` names (drawn by :mod:`gilexamples.site.freethreading_plots`).
PLOT_NAMES = ("scaling", "overhead")
TABLES = {"scaling": scaling_table, "races": races_table, "overhead": overhead_table,
          "overhead-ratio": overhead_ratio_table}
SOURCE = {"scaling": "scaling", "races": "races", "overhead": "overhead",
          "overhead-ratio": "overhead"}


def builds_note(docs: dict[str, dict]) -> str:
    """Which free-threaded builds the stored results include, and where they were measured."""
    free = sorted({run_name for doc in docs.values() for run_name, setups in _by_interpreter(doc)
                   if any(r["python"].get("free_threaded") for r in setups.values())})
    if not free:
        return ('!!! note "No free-threaded build measured"\n\n'
                "    The stored results include no free-threaded interpreter, so no table here\n"
                "    shows one. The lab adds one when it finds it (see below for how to get one).\n")
    machines = sorted({f"{d['stamp']['machine'].get('cpu_model')} "
                       f"({d['stamp']['machine'].get('cores')} "
                       f"{'vCPUs' if d['stamp']['machine'].get('virtual') else 'cores'})"
                       for d in docs.values() if d.get("stamp", {}).get("machine")})
    pairs = same_version_pairs(docs)
    text = "Free-threaded builds in the stored results: " + ", ".join(free) + "."
    if pairs:
        text += (" Measured both ways (the same version with and without its GIL): "
                 + ", ".join(pairs) + ".")
    text += " Machine: " + "; ".join(machines) + "."
    return text


def ci_matrix(root: Path) -> list[str]:
    """The ``python-version`` entries of the test workflow's matrix, or [] without one."""
    path = root / WORKFLOW
    if not path.is_file():
        return []
    import yaml

    workflow = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    versions: list[str] = []
    for job in (workflow.get("jobs") or {}).values():
        matrix = ((job or {}).get("strategy") or {}).get("matrix") or {}
        versions += [str(v) for v in matrix.get("python-version") or []]
    return versions


def ci_note(root: Path) -> str:
    versions = ci_matrix(root)
    if not versions:
        return "No workflow matrix was found to say which builds the tests run on."
    free = [v for v in versions if v.endswith("t")]
    text = "The GitHub workflow runs the test suite on " + ", ".join(versions) + "."
    if free:
        text += (" On the free-threaded ones (" + ", ".join(free) + ") the tests that need a "
                 "free-threaded build run too (threads scale, `box.x += 1` loses updates) on "
                 "GitHub's machines; no figure from those runs is shown here.")
    return text


def render_markers(markdown: str, docs_dir: str | Path) -> str:
    """Replace every ``ft-`` marker in ``markdown`` with what the stored results say."""
    if "ft-" not in markdown:
        return markdown
    results = Path(docs_dir) / RESULTS_SUBDIR
    docs = _docs(results)

    def replace(match: re.Match) -> str:
        kind, arg = match.group("kind"), match.group("arg").strip()
        if kind == "builds":
            return builds_note(docs)
        if kind == "ci":
            return ci_note(Path(docs_dir).resolve().parent)
        if kind == "table" and arg == "same-version":
            return same_version_table(docs)
        source = SOURCE.get(arg)
        if source is None or (kind == "plot" and arg not in PLOT_NAMES) \
                or (kind == "table" and arg not in TABLES):
            raise ValueError(f"unknown ft-{kind} marker {arg!r}")
        doc = docs.get(source)
        if doc is None:
            return missing(source)
        if kind == "plot":
            from gilexamples.site.freethreading_plots import CAPTIONS, PLOTS

            svg = PLOTS[arg](doc)
            if not svg:
                return _no_pair()
            caption = f"{CAPTIONS[arg]} Data: {stamp_line(doc).strip('*')}"
            caption = re.sub(r"`([^`]*)`", r"<code>\1</code>", caption)
            return f'<figure class="lab-plot">\n{svg}\n<figcaption>{caption}</figcaption>\n</figure>'
        warning = load_warning(doc)
        return TABLES[arg](doc) + "\n\n" + stamp_line(doc) + ("\n\n" + warning if warning else "")

    return MARKER.sub(replace, markdown)
