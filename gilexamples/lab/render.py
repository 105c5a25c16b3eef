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
interpreter's value (``CPython 3.12.1`` may be a version prefix such as ``2.7``
or ``3.13``, matched on whole components, so ``3.1`` is not ``3.12``; the last
interpreter that matches wins).

Results measured while other work competed for the CPUs say so: the stamp
line gives the load average at the start and end of the experiment, a
countdown cell whose 3.x process got less than ``DISTURBED_CPU_PER_WALL``
CPU seconds per wall second is marked ``†``, and either comes with a visible
warning (:func:`load_warning`).
"""

from __future__ import annotations

import re
from pathlib import Path

from gilexamples.lab.interpreters import run_label
from gilexamples.lab.results import load_results

__all__ = ["render_markers", "render_table", "stamp_line", "load_warning",
           "free_threaded_note", "disturbed", "RESULTS_SUBDIR", "MARKER",
           "DISTURBED_CPU_PER_WALL"]

#: Where stored results live, relative to the docs folder.
RESULTS_SUBDIR = "results/lab"

#: A GIL-bound 3.x process of CPU-bound threads burns about one CPU second per wall
#: second; below this, other work took CPU from it and its timings are suspect.
DISTURBED_CPU_PER_WALL = 0.95

#: The mark of a disturbed cell.
DAGGER = "†"

#: The switch interval assumed for results that do not record one (CPython's default).
DEFAULT_SWITCH_INTERVAL_S = 0.005

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


def _rate(value) -> str:
    return f"{value:,.0f}" if isinstance(value, (int, float)) else "n/a"


def _times(value) -> str:
    if not isinstance(value, (int, float)):
        return "n/a"
    return f"{value:.0f}×" if value >= 10 else f"{value:.2f}×"


def _interp_name(run: dict) -> str:
    return run_label(run["python"])


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
    return (tuple(int(n) for n in numbers[:3]), bool(run["python"].get("free_threaded")),
            bool(run["python"].get("env")), run["python"].get("executable") or "")


def _by_interpreter(doc: dict) -> list[tuple[str, dict[str, dict]]]:
    """[(interpreter name, {setup: run}), ...] in version order.

    Two interpreters of the same version (``/usr/bin/python3.12`` and pyenv's) stay
    two rows: their names then end with the executable's path.
    """
    runs = doc.get("runs", [])
    executables: dict[str, set] = {}
    for run in runs:
        executables.setdefault(_interp_name(run), set()).add(run["python"].get("executable"))
    rows: dict[str, dict[str, dict]] = {}
    keys: dict[str, tuple] = {}
    for run in runs:
        name = _interp_name(run)
        if len(executables[name]) > 1:
            name += f" ({run['python'].get('executable')})"
        rows.setdefault(name, {})[run.get("setup") or "all cores"] = run
        keys[name] = _version_key(run)
    return sorted(rows.items(), key=lambda item: keys[item[0]])


def _switching(run: dict | None) -> bool:
    """A run under a 3.x GIL that is on (the switching GIL)."""
    return bool(run) and _gil(run).startswith("switching")


def disturbed(run: dict | None) -> bool:
    """A 3.x countdown run whose process got less than DISTURBED_CPU_PER_WALL CPU."""
    if not _switching(run) or "metrics" not in run:
        return False
    value = run["metrics"].get("cpu_per_wall")
    return isinstance(value, (int, float)) and value < DISTURBED_CPU_PER_WALL


def _marked_runs(doc: dict) -> list[dict]:
    """The runs of ``doc`` the tables mark with a dagger: countdown's disturbed ones only
    (other experiments report ``cpu_per_wall`` with another meaning, or none)."""
    if doc.get("experiment", "countdown") != "countdown":
        return []
    return [r for r in doc.get("runs", []) if disturbed(r)]


def _mark(run: dict | None, text: str) -> str:
    return f"{text} {DAGGER}" if disturbed(run) else text


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
    header = ["Interpreter", "GIL", "2 threads / sequential, one core",
              "2 threads / sequential, all cores"]
    header += [f"{k} threads / sequential, all cores" for k in counts if k != "2"]
    rows = []
    for name, setups in _by_interpreter(doc):
        run = setups.get("all cores") or next(iter(setups.values()))
        one, every = setups.get("one core"), setups.get("all cores")
        row = [name, _gil(run),
               _mark(one, _metric(one, "ratio", fmt=_ratio)),
               _mark(every, _metric(every, "ratio", fmt=_ratio))]
        row += [_mark(every, _metric(every, "threads", k, "ratio", fmt=_ratio))
                for k in counts if k != "2"]
        rows.append(row)
    return _table(header, rows)


def _countdown_switches(doc: dict) -> str:
    header = ["Interpreter", "GIL", "context switches/s, one core",
              "context switches/s, all cores", "CPU s per wall s, all cores",
              "of which in the kernel"]
    rows = []
    for name, setups in _by_interpreter(doc):
        run = setups.get("all cores") or next(iter(setups.values()))
        one, every = setups.get("one core"), setups.get("all cores")
        rows.append([name, _gil(run),
                     _mark(one, _metric(one, "switches_per_s", fmt=_rate)),
                     _mark(every, _metric(every, "switches_per_s", fmt=_rate)),
                     _mark(every, _metric(every, "cpu_per_wall", fmt=_ratio)),
                     _metric(every, "threads", "2", "system_per_wall", fmt=_ratio)])
    return _table(header, rows)


def _convoy(doc: dict) -> str:
    counts = sorted({k for run in doc["runs"] for k in run.get("metrics", {}).get("threads", {})},
                    key=int)
    pinned = any(run.get("setup") == "one core" for run in doc["runs"])
    header = ["Interpreter", "GIL", "round trip alone"]
    if pinned:
        header += ["with 1 CPU-bound thread, one core"]
    for k in counts:
        noun = "thread" if k == "1" else "threads"
        header += [f"with {k} CPU-bound {noun}" + (", all cores" if pinned else "")]
    header += ["slowdown (1 thread, all cores)"]
    rows = []
    for name, setups in _by_interpreter(doc):
        run = setups.get("all cores") or next(iter(setups.values()))
        row = [name, _gil(run), _metric(run, "rtt_alone_s")]
        if pinned:
            row += [_metric(setups.get("one core"), "threads", "1", "rtt_s")]
        row += [_metric(setups.get("all cores"), "threads", k, "rtt_s") for k in counts]
        row += [_metric(setups.get("all cores"), "threads", "1", "slowdown", fmt=_times)]
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
    header = ["Interpreter", "GIL", "alone, p50", "next to a CPU-bound thread, one core, p50",
              "next to a CPU-bound thread, all cores, p50"]
    rows = []
    for name, setups in _by_interpreter(doc):
        run = setups.get("all cores") or next(iter(setups.values()))
        rows.append([name, _gil(run), _metric(run, "alone_p50_s"),
                     _metric(setups.get("one core"), "p50_s"),
                     _metric(setups.get("all cores"), "p50_s")])
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


def _switch_interval_s(run: dict) -> float:
    value = run["python"].get("switch_interval_s")
    return value if isinstance(value, (int, float)) and value > 0 else DEFAULT_SWITCH_INTERVAL_S


def _plot_convoy(doc: dict) -> str:
    figure, ax = _figure(height=3.4)
    names, setups_seen = [], []
    bars: dict[str, list] = {"all cores": [], "one core": []}
    colours = []
    intervals = set()
    for name, setups in _by_interpreter(doc):
        run = setups.get("all cores")
        if not run or "metrics" not in run:
            continue
        names.append(name.replace("CPython ", ""))
        for label in bars:
            other = setups.get(label) or {}
            value = other.get("metrics", {}).get("threads", {}).get("1", {}).get("rtt_s")
            bars[label].append(value * 1e3 if isinstance(value, (int, float)) else 0.0)
        colours.append({"tick": "tab:green", "none (free-threaded)": "tab:blue"}.get(
            _gil(run), "tab:red"))
        if _switching(run):
            intervals.add(_switch_interval_s(run))
    shown = [label for label in bars if any(bars[label])]
    width = 0.8 / max(len(shown), 1)
    for i, label in enumerate(shown):
        xs = [x + (i - (len(shown) - 1) / 2) * width for x in range(len(names))]
        ax.bar(xs, bars[label], width=width, color=colours,
               alpha=1.0 if label == "all cores" else 0.45,
               edgecolor="black", linewidth=0.4)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(facecolor="grey", alpha=1.0 if label == "all cores" else 0.45,
                     edgecolor="black", linewidth=0.4, label=label) for label in shown]
    for interval in sorted(intervals):
        ax.axhline(interval * 1e3, color="grey", linestyle="--", linewidth=1)
        handles.append(Line2D([], [], color="grey", linestyle="--", linewidth=1,
                              label=f"switch interval ({interval * 1e3:g} ms)"))
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names)
    ax.set_yscale("log")
    ax.set_ylabel("median round trip (ms)")
    ax.set_title("Echo round trip next to one CPU-bound thread (log scale)")
    ax.set_ylim(bottom=0.01)
    ax.tick_params(axis="x", labelsize="small", rotation=45)
    ax.legend(handles=handles, fontsize="x-small", loc="center left")
    ax.grid(alpha=0.3, axis="y")
    return _svg(figure, "convoy")


PLOTS = {"switch-interval": _plot_switch_interval, "convoy": _plot_convoy}
CAPTIONS = {
    "convoy": "Median round trip with one CPU-bound thread in the server process. "
              "Green: the tick GIL (Python 2); red: the switching GIL (3.2 and later, "
              "3.13+ default builds included); blue: a free-threaded build with its GIL off; "
              "pale bars: pinned to one core. The dashed line is the switch interval.",
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


def _load(value) -> str:
    return f"{value[0]:.2f}" if isinstance(value, (list, tuple)) and value else "unknown"


def stamp_line(doc: dict) -> str:
    """One sentence: machine, dates, load at start and end, command, failed runs."""
    stamp = doc.get("stamp", {})
    m = stamp.get("machine", {})
    virtual = m.get("virtual")
    if virtual:
        kind = "a virtual machine" if virtual == "vm" else f"a {virtual} virtual machine"
        cores = f"{m.get('cores', '?')} vCPUs of {kind}"
    else:
        cores = f"{m.get('cores', '?')} cores"
    when = stamp.get("date", "at an unknown date")
    if stamp.get("finished"):
        when = f"{when} to {stamp['finished']}"
    load = ""
    if stamp.get("loadavg_start") or stamp.get("loadavg_end"):
        load = (f", 1-minute load average {_load(stamp.get('loadavg_start'))} before the lab"
                f" started and {_load(stamp.get('loadavg_end'))} when this experiment ended")
    quick = " (quick sizes)" if stamp.get("quick") else ""
    text = (f"Measured on {m.get('cpu_model', 'an unknown CPU')} ({cores}, "
            f"{m.get('system', '')} {m.get('kernel', '')}), {when}"
            f"{load}, with `{stamp.get('command', '?')}`{quick}.")
    if _marked_runs(doc):
        text += (f" {DAGGER}: a 3.x process that got less than {DISTURBED_CPU_PER_WALL} CPU s"
                 " per wall s, so other work took CPU from it.")
    problems = [f"{_interp_name(r)} ({r.get('setup', '')}): {r.get('error') or r.get('skipped')}"
                for r in doc.get("runs", []) if "metrics" not in r]
    if problems:
        text += " Not measured: " + "; ".join(problems) + "."
    return f"*{text}*"


def load_warning(doc: dict) -> str:
    """A warning admonition when the results were measured on a busy machine, else "".

    Busy: a 1-minute load average above half the cores before the lab started
    (other work only), or above the cores plus one when the experiment ended (the
    lab itself keeps one or two threads runnable), or any disturbed countdown run.
    """
    stamp = doc.get("stamp", {})
    cores = stamp.get("machine", {}).get("cores") or 1
    start, end = stamp.get("loadavg_start"), stamp.get("loadavg_end")
    reasons = []
    high_start = bool(start) and start[0] > 0.5 * cores
    high_end = bool(end) and end[0] > cores + 1
    if high_start or high_end:
        reasons.append(f"the 1-minute load average was {_load(start)} before the lab started "
                       f"and {_load(end)} when this experiment ended")
    marked = len(_marked_runs(doc))
    if marked:
        reasons.append(f"{marked} run(s) marked {DAGGER} came from a 3.x process that did not "
                       "get a whole CPU")
    if not reasons:
        return ""
    return (f'!!! warning "Measured on a busy machine"\n\n'
            f"    Other work competed for the {cores} CPUs while this experiment ran: "
            + ", and ".join(reasons) + ". Some numbers here may not show what the text "
            "describes. Regenerate on a quiet machine with "
            f"`python -m gilexamples lab --out docs/{RESULTS_SUBDIR}`.\n")


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
    warning = load_warning(doc)
    return table + "\n\n" + stamp_line(doc) + ("\n\n" + warning if warning else "")


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
    version_wanted = wanted.split(" ")[-1]
    for name, setups in _by_interpreter(doc):
        run = setups.get("all cores")
        version = (run or {}).get("python", {}).get("version") or ""
        if name == wanted or version == version_wanted or version.startswith(version_wanted + "."):
            if run and metric in run.get("metrics", {}):
                value = run["metrics"][metric]
    if value is None:
        return "(not measured)"
    if _is_seconds(metric):
        return _duration(value)
    if metric.endswith("_per_s"):
        return _rate(value)
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
        if kind == "table":
            return render_table(doc, view.strip())
        warning = load_warning(doc)
        return stamp_line(doc) + ("\n\n" + warning if warning else "")

    return MARKER.sub(replace, markdown)
