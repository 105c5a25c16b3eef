"""Render stored lab results into Markdown at build time.

A page asks for a table with an HTML comment on a line of its own::

    <!-- lab-table: convoy -->

and :func:`render_markers` (called by the MkDocs hook ``on_page_markdown``)
replaces it with a Markdown table built from ``docs/results/lab/convoy.json``
and a line that says where, when and how the numbers were measured
(``<!-- lab-table: countdown switches -->`` picks another view of the same
results). Other markers: ``<!-- lab-stamp: NAME -->`` (the stamp line alone) and
``<!-- lab-free-threaded -->`` (which free-threaded builds the stored results
include, or how to add one) and ``<!-- lab-plot: NAME -->`` (a chart, inline
SVG drawn by matplotlib, for ``convoy`` and ``switch-interval``). A page never types a measured number.

Values can also be pulled one at a time, for prose:
``<!-- lab-value: convoy CPython 3.12.1 slowdown -->`` is replaced by that
interpreter's value (``CPython 3.12.1`` may be ``2.7``/``3.13`` prefixes; the
last interpreter whose version starts with it wins).
"""

from __future__ import annotations

import re
from pathlib import Path

from gilexamples.lab.results import load_results

__all__ = ["render_markers", "render_table", "stamp_line", "free_threaded_note",
           "RESULTS_SUBDIR", "MARKER"]

#: Where stored results live, relative to the docs folder.
RESULTS_SUBDIR = "results/lab"

MARKER = re.compile(
    r"<!--\s*lab-(?P<kind>table|stamp|free-threaded|value|plot)\s*:?\s*(?P<arg>[^>]*?)\s*-->")


def _duration(seconds) -> str:
    if not isinstance(seconds, (int, float)):
        return "n/a"
    if abs(seconds) < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if abs(seconds) < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def _ratio(value) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) else "n/a"


def _times(value) -> str:
    if not isinstance(value, (int, float)):
        return "n/a"
    return f"{value:.0f}×" if value >= 10 else f"{value:.2f}×"


def _interp_name(run: dict) -> str:
    py = run["python"]
    name = f"{py.get('implementation') or '?'} {py.get('version') or py.get('executable')}"
    return name + ("t" if py.get("free_threaded") else "")


def _gil(run: dict) -> str:
    py = run["python"]
    version = py.get("version") or ""
    if py.get("gil_enabled") is False:
        return "none (free-threaded)"
    if version.startswith(("1.", "2.", "3.0", "3.1.")):
        return "tick"
    return "switching" + (" (re-enabled)" if py.get("free_threaded") else "")


def _version_key(run: dict) -> tuple:
    numbers = re.findall(r"\d+", run["python"].get("version") or "")
    return tuple(int(n) for n in numbers[:3]), bool(run["python"].get("free_threaded"))


def _by_interpreter(doc: dict) -> list[tuple[str, dict[str, dict]]]:
    """[(interpreter name, {setup: run}), ...] in version order."""
    rows: dict[str, dict[str, dict]] = {}
    keys: dict[str, tuple] = {}
    for run in doc.get("runs", []):
        name = _interp_name(run)
        rows.setdefault(name, {})[run.get("setup") or "all cores"] = run
        keys[name] = _version_key(run)
    return sorted(rows.items(), key=lambda item: keys[item[0]])


def _metric(run: dict | None, *path, fmt=_duration) -> str:
    if run is None:
        return "not run"
    if "metrics" not in run:
        return "skipped" if "skipped" in run else "error"
    value = run["metrics"]
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return "n/a"
        value = value[key]
    return fmt(value)


def _table(header: list[str], rows: list[list[str]]) -> str:
    text_columns = {"Interpreter", "GIL", "setup"}
    align = [" --- " if name in text_columns else " ---: " for name in header]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _countdown(doc: dict) -> str:
    counts = sorted({k for run in doc["runs"] for k in run.get("metrics", {}).get("threads", {})},
                    key=int)
    header = ["Interpreter", "GIL", "sequential", "2 threads / sequential, one core",
              "2 threads / sequential, all cores"]
    header += [f"{k} threads / sequential, all cores" for k in counts if k != "2"]
    rows = []
    for name, setups in _by_interpreter(doc):
        run = setups.get("all cores") or next(iter(setups.values()))
        row = [name, _gil(run), _metric(run, "sequential_s"),
               _metric(setups.get("one core"), "ratio", fmt=_ratio),
               _metric(setups.get("all cores"), "ratio", fmt=_ratio)]
        row += [_metric(setups.get("all cores"), "threads", k, "ratio", fmt=_ratio)
                for k in counts if k != "2"]
        rows.append(row)
    return _table(header, rows)


def _countdown_switches(doc: dict) -> str:
    header = ["Interpreter", "GIL", "context switches/s, one core",
              "context switches/s, all cores", "CPU s per wall s, all cores"]
    rows = []

    def rate(value):
        return f"{value:,.0f}" if isinstance(value, (int, float)) else "n/a"

    for name, setups in _by_interpreter(doc):
        run = setups.get("all cores") or next(iter(setups.values()))
        rows.append([name, _gil(run),
                     _metric(setups.get("one core"), "switches_per_s", fmt=rate),
                     _metric(setups.get("all cores"), "switches_per_s", fmt=rate),
                     _metric(setups.get("all cores"), "cpu_per_wall", fmt=_ratio)])
    return _table(header, rows)


def _convoy(doc: dict) -> str:
    counts = sorted({k for run in doc["runs"] for k in run.get("metrics", {}).get("threads", {})},
                    key=int)
    header = ["Interpreter", "GIL", "round trip alone"]
    for k in counts:
        noun = "thread" if k == "1" else "threads"
        header += [f"with {k} CPU-bound {noun}", "slowdown"]
    rows = []
    for name, setups in _by_interpreter(doc):
        run = setups.get("all cores") or next(iter(setups.values()))
        row = [name, _gil(run), _metric(run, "rtt_alone_s")]
        for k in counts:
            row += [_metric(run, "threads", k, "rtt_s"),
                    _metric(run, "threads", k, "slowdown", fmt=_times)]
        rows.append(row)
    return _table(header, rows)


def _switch_interval(doc: dict) -> str:
    parts = []
    for knob, title, unit_fmt, slope_fmt in (
            ("switch_interval", "3.2 and later: `sys.setswitchinterval()`",
             lambda s: f"{s * 1e3:g} ms", lambda v: f"{v:.2f}"),
            ("check_interval", "Python 2: `sys.setcheckinterval()`",
             lambda s: f"{s:g} ticks", lambda v: f"{v * 1e9:.1f} ns/tick")):
        runs = [(name, setups.get("all cores")) for name, setups in _by_interpreter(doc)]
        runs = [(n, r) for n, r in runs if r and r.get("metrics", {}).get("knob") == knob]
        if not runs:
            continue
        settings = sorted({row["setting"] for _, r in runs for row in r["metrics"]["settings"]})
        header = ["Interpreter", "alone"] + [unit_fmt(s) for s in settings] + ["slope"]
        rows = []
        for name, run in runs:
            found = {row["setting"]: row["rtt_s"] for row in run["metrics"]["settings"]}
            rows.append([name, _duration(run["metrics"]["rtt_alone_s"])]
                        + [_duration(found.get(s)) for s in settings]
                        + [slope_fmt(run["metrics"]["slope"])])
        parts.append(f"**{title}**, median round trip with one CPU-bound thread:\n\n"
                     + _table(header, rows))
    failed = [name for name, setups in _by_interpreter(doc)
              if "metrics" not in (setups.get("all cores") or {})]
    if failed:
        parts.append("Not measured: " + ", ".join(failed) + ".")
    return "\n\n".join(parts)


def _response(doc: dict) -> str:
    header = ["Interpreter", "GIL", "alone, p50", "one core, p50", "one core, p99",
              "all cores, p50", "all cores, p99"]
    rows = []
    for name, setups in _by_interpreter(doc):
        run = setups.get("all cores") or next(iter(setups.values()))
        one = setups.get("one core")
        rows.append([name, _gil(run), _metric(run, "alone_p50_s"),
                     _metric(one, "p50_s"), _metric(one, "p99_s"),
                     _metric(run, "p50_s"), _metric(run, "p99_s")])
    return _table(header, rows)


def _is_seconds(key: str) -> bool:
    return key.endswith("_s") and not key.endswith("_per_s")


def _generic(doc: dict) -> str:
    keys: list[str] = []
    for run in doc["runs"]:
        for key, value in run.get("metrics", {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and key not in keys:
                keys.append(key)
    header = ["Interpreter", "setup"] + keys
    rows = []
    for name, setups in _by_interpreter(doc):
        for label, run in setups.items():
            rows.append([name, label] + [
                _metric(run, key, fmt=_duration if _is_seconds(key) else _ratio) for key in keys])
    return _table(header, rows)


TABLES = {"countdown": _countdown, "convoy": _convoy, "switch-interval": _switch_interval,
          "response": _response, "countdown switches": _countdown_switches}


def _svg(figure, salt: str) -> str:
    """A matplotlib figure as inline SVG: text kept as text, ids stable, no blank lines."""
    import io

    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = svg.replace("<svg ", '<svg role="img" style="max-width: 100%; height: auto" ', 1)
    return "\n".join(line for line in svg.splitlines() if line.strip())


def _figure(width: float = 7.0, height: float = 3.6):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height))
    return figure, figure.add_subplot()


def _plot_switch_interval(doc: dict) -> str:
    figure, ax = _figure()
    top = 0.0
    for name, setups in _by_interpreter(doc):
        run = setups.get("all cores")
        if not run or run.get("metrics", {}).get("knob") != "switch_interval":
            continue
        rows = run["metrics"]["settings"]
        xs = [r["setting"] * 1e3 for r in rows]
        ys = [r["rtt_s"] * 1e3 for r in rows]
        top = max([top] + xs)
        ax.plot(xs, ys, marker="o", markersize=3, linewidth=1, label=name)
    ax.plot([0, top], [0, top], linestyle="--", color="grey", linewidth=1,
            label="one interval per round trip")
    ax.set_xlabel("sys.setswitchinterval (ms)")
    ax.set_ylabel("median round trip (ms)")
    ax.set_title("Convoy round trip with one CPU-bound thread")
    ax.legend(fontsize="x-small", ncol=2)
    ax.grid(alpha=0.3)
    return _svg(figure, "switch-interval")


def _plot_convoy(doc: dict) -> str:
    figure, ax = _figure(height=3.2)
    names, values, colours = [], [], []
    for name, setups in _by_interpreter(doc):
        run = setups.get("all cores")
        if not run or "metrics" not in run:
            continue
        names.append(name.replace("CPython ", ""))
        values.append(run["metrics"]["slowdown"])
        colours.append({"tick": "tab:green", "none (free-threaded)": "tab:blue"}.get(
            _gil(run), "tab:red"))
    ax.bar(names, values, color=colours)
    ax.set_yscale("log")
    ax.axhline(1, color="grey", linewidth=1)
    ax.set_ylabel("round trip, loaded / alone")
    ax.set_title("Echo round trip next to one CPU-bound thread (log scale)")
    ax.tick_params(axis="x", labelsize="small", rotation=45)
    ax.grid(alpha=0.3, axis="y")
    return _svg(figure, "convoy")


PLOTS = {"switch-interval": _plot_switch_interval, "convoy": _plot_convoy}
CAPTIONS = {
    "convoy": "Green: the tick GIL (Python 2); red: the switching GIL (3.2 and later); "
              "blue: a free-threaded build with its GIL off.",
    "switch-interval": "One line per 3.x interpreter; the dashed line is one switch "
                       "interval per round trip.",
}


def render_plot(doc: dict) -> str:
    """An inline SVG chart of one stored experiment, wrapped in a figure."""
    name = doc.get("experiment", "")
    if name not in PLOTS:
        raise ValueError(f"no plot for {name!r} (plots: {', '.join(sorted(PLOTS))})")
    caption = CAPTIONS.get(name, "")
    caption = f"\n<figcaption>{caption} Data: {stamp_line(doc).strip('*')}</figcaption>"
    caption = re.sub(r"`([^`]*)`", r"<code>\1</code>", caption)
    return f'<figure class="lab-plot">\n{PLOTS[name](doc)}{caption}\n</figure>'


def stamp_line(doc: dict) -> str:
    """One sentence: machine, date, load, command, interpreters that failed."""
    stamp = doc.get("stamp", {})
    m = stamp.get("machine", {})
    load = stamp.get("loadavg_start")
    load_text = f", load average {load[0]:.2f} at the start" if load else ""
    quick = " (quick sizes)" if stamp.get("quick") else ""
    text = (f"Measured on {m.get('cpu_model', 'an unknown CPU')} ({m.get('cores', '?')} cores, "
            f"{m.get('system', '')} {m.get('kernel', '')}), {stamp.get('date', 'at an unknown date')}"
            f"{load_text}, with `{stamp.get('command', '?')}`{quick}.")
    problems = [f"{_interp_name(r)} ({r.get('setup', '')}): {r.get('error') or r.get('skipped')}"
                for r in doc.get("runs", []) if "metrics" not in r]
    if problems:
        text += " Not measured: " + "; ".join(problems) + "."
    return f"*{text}*"


def free_threaded_note(doc: dict | None) -> str:
    """Which free-threaded builds the results include, or how to add one."""
    measured = sorted({_interp_name(r) for r in (doc or {}).get("runs", [])
                       if r["python"].get("free_threaded")})
    if measured:
        return ("Free-threaded builds measured: " + ", ".join(measured)
                + " (their GIL column says whether the GIL was off).")
    return ('!!! note "No free-threaded build measured"\n\n'
            "    The machine that produced these results has no free-threaded interpreter, so\n"
            "    the tables have no column for one: no number is shown for a build that was not\n"
            "    measured. On a machine that has one, the lab picks up `python3.13t` or\n"
            "    `python3.14t` from `PATH` by itself, or name it:\n\n"
            "    ```console\n"
            "    $ python -m gilexamples lab --python /path/to/python3.13t --out docs/results/lab\n"
            "    ```\n")


def render_table(doc: dict, view: str = "") -> str:
    """The Markdown table (or tables) for one stored experiment, with its stamp line.

    ``view`` picks another table of the same results (``countdown switches``).
    """
    key = f"{doc.get('experiment', '')} {view}".strip()
    if key not in TABLES and view:
        raise ValueError(f"no table view {view!r} for {doc.get('experiment')!r}")
    table = TABLES.get(key, _generic)(doc)
    return table + "\n\n" + stamp_line(doc)


def _missing(name: str) -> str:
    return (f'!!! warning "No stored results for {name}"\n\n'
            f"    Produce them with `python -m gilexamples lab --out docs/{RESULTS_SUBDIR}`.\n")


def _value(arg: str, results: Path) -> str:
    parts = arg.split()
    if len(parts) < 3:
        return f"`bad lab-value marker: {arg}`"
    experiment, metric = parts[0], parts[-1]
    wanted = " ".join(parts[1:-1])
    doc = load_results(results, experiment)
    if doc is None:
        return "(not measured)"
    value = None
    for name, setups in _by_interpreter(doc):
        version = name.split(" ", 1)[-1]
        if name == wanted or version.startswith(wanted.split(" ")[-1]):
            run = setups.get("all cores")
            if run and metric in run.get("metrics", {}):
                value = run["metrics"][metric]
    if value is None:
        return "(not measured)"
    if _is_seconds(metric):
        return _duration(value)
    return _times(value) if metric == "slowdown" else _ratio(value)


def render_markers(markdown: str, docs_dir: str | Path) -> str:
    """Replace every lab marker in ``markdown`` with what the stored results say."""
    if "lab-" not in markdown:
        return markdown
    results = Path(docs_dir) / RESULTS_SUBDIR

    def replace(match: re.Match) -> str:
        kind, arg = match.group("kind"), match.group("arg").strip()
        if kind == "value":
            return _value(arg, results)
        if kind == "free-threaded":
            docs = [load_results(results, p.stem) for p in sorted(results.glob("*.json"))]
            runs = [r for d in docs if d for r in d.get("runs", [])]
            return free_threaded_note({"runs": runs})
        name, _, view = arg.partition(" ")
        doc = load_results(results, name)
        if doc is None:
            return _missing(name)
        if kind == "plot":
            return render_plot(doc)
        return render_table(doc, view.strip()) if kind == "table" else stamp_line(doc)

    return MARKER.sub(replace, markdown)
