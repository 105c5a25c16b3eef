"""Markdown tables of stored lab results, one builder per experiment (and view).

:func:`render_table` picks the builder for an experiment (``countdown``,
``countdown switches``, ``convoy``, ``switch-interval``, ``response``, ``startup``; any
other experiment gets a generic table of its numeric metrics) and adds the
stamp line and, for results measured on a busy machine, a warning.
"""

from __future__ import annotations

from gilexamples import units
from gilexamples.site.runs import by_interpreter, cell, gil, mark, switching
from gilexamples.site.stamps import load_warning, stamp_line

__all__ = ["TABLES", "render_table", "markdown_table"]


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table: text columns left-aligned, numbers right-aligned."""
    text_columns = {"Interpreter", "GIL", "setup"}
    align = [" --- " if column in text_columns else " ---: " for column in header]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _thread_counts(doc: dict) -> list[str]:
    return sorted({k for run in doc["runs"] for k in run.get("metrics", {}).get("threads", {})},
                  key=int)


def _countdown(doc: dict) -> str:
    counts = _thread_counts(doc)
    header = ["Interpreter", "GIL", "2 threads / sequential, one core",
              "2 threads / sequential, all cores"]
    header += [f"{k} threads / sequential, all cores" for k in counts if k != "2"]
    rows = []
    for row_name, setups in by_interpreter(doc):
        run = setups.get("all cores") or next(iter(setups.values()))
        one, every = setups.get("one core"), setups.get("all cores")
        row = [row_name, gil(run),
               mark(one, cell(one, "ratio", fmt=units.ratio)),
               mark(every, cell(every, "ratio", fmt=units.ratio))]
        row += [mark(every, cell(every, "threads", k, "ratio", fmt=units.ratio))
                for k in counts if k != "2"]
        rows.append(row)
    return markdown_table(header, rows)


def _countdown_switches(doc: dict) -> str:
    header = ["Interpreter", "GIL", "context switches/s, one core",
              "context switches/s, all cores", "CPU s per wall s, all cores",
              "of which in the kernel"]
    rows = []
    for row_name, setups in by_interpreter(doc):
        run = setups.get("all cores") or next(iter(setups.values()))
        one, every = setups.get("one core"), setups.get("all cores")
        rows.append([row_name, gil(run),
                     mark(one, cell(one, "switches_per_s", fmt=units.rate)),
                     mark(every, cell(every, "switches_per_s", fmt=units.rate)),
                     mark(every, cell(every, "cpu_per_wall", fmt=units.ratio)),
                     cell(every, "threads", "2", "system_per_wall", fmt=units.ratio)])
    return markdown_table(header, rows)


def _convoy(doc: dict) -> str:
    counts = _thread_counts(doc)
    pinned = any(run.get("setup") == "one core" for run in doc["runs"])
    header = ["Interpreter", "GIL", "round trip alone"]
    if pinned:
        header += ["with 1 CPU-bound thread, one core"]
    for k in counts:
        noun = "thread" if k == "1" else "threads"
        header += [f"with {k} CPU-bound {noun}" + (", all cores" if pinned else "")]
    header += ["slowdown (1 thread, all cores)"]
    rows = []
    for row_name, setups in by_interpreter(doc):
        run = setups.get("all cores") or next(iter(setups.values()))
        row = [row_name, gil(run), cell(run, "rtt_alone_s")]
        if pinned:
            row += [cell(setups.get("one core"), "threads", "1", "rtt_s")]
        row += [cell(setups.get("all cores"), "threads", k, "rtt_s") for k in counts]
        row += [cell(setups.get("all cores"), "threads", "1", "slowdown", fmt=units.times)]
        rows.append(row)
    return markdown_table(header, rows)


def _convoy_harness(doc: dict) -> str:
    """The one-thread phase with the earlier short pause beside the experiment's own pause."""
    header = ["Interpreter", "switch interval", "short pause", "late requests",
              "median round trip", "long pause", "late requests", "median round trip"]
    rows = []
    for row_name, setups in by_interpreter(doc):
        run = setups.get("all cores")
        metrics = (run or {}).get("metrics", {})
        if not switching(run) or not metrics.get("short_pause"):
            continue
        short = metrics["short_pause"]
        rows.append([row_name, units.duration(metrics.get("switch_interval_s")),
                     units.duration(short["gap_s"]), units.percent(short.get("late_share")),
                     units.duration(short.get("rtt_s")),
                     units.duration(metrics.get("gap_s")), units.percent(metrics.get("late_share")),
                     cell(run, "threads", "1", "rtt_s")])
    if not rows:
        return "No stored convoy run repeated the short pause."
    return markdown_table(header, rows)


def _added_range(run: dict | None) -> str:
    """The delay a CPU-bound thread added to the round trip, as a multiple of the switch
    interval: "lowest to highest" over the settings; "no GIL" for a build running without
    one (the interval then governs nothing); "" where a run did not record it."""
    if not run or "metrics" not in run:
        return ""
    if run["python"].get("gil_enabled") is False:
        return "no GIL"
    ratios = [row["added_s"] / row["setting"] for row in run["metrics"].get("settings", [])
              if row.get("added_s") is not None and row["setting"]]
    if not ratios:
        return ""
    return f"{min(ratios):.2f} to {max(ratios):.2f}"


def _switch_interval(doc: dict) -> str:
    parts = []
    for knob, title, unit_fmt, slope_fmt in (
            ("switch_interval", "3.2 and later: `sys.setswitchinterval()`",
             lambda s: f"{s * 1e3:g} ms", lambda v: f"{v:.2f}"),
            ("check_interval", "Python 2: `sys.setcheckinterval()`",
             lambda s: f"{s:g} ticks", lambda v: f"{v * 1e9:.1f} ns/tick")):
        runs = [(row_name, setups.get("all cores"), setups.get("one core"))
                for row_name, setups in by_interpreter(doc)]
        runs = [(n, r, p) for n, r, p in runs if r and r.get("metrics", {}).get("knob") == knob]
        if not runs:
            continue
        settings = sorted({row["setting"] for _, r, _ in runs for row in r["metrics"]["settings"]})
        header = ["Interpreter", "alone"] + [unit_fmt(s) for s in settings] + ["slope"]
        if knob == "switch_interval":
            header += ["added ÷ interval", "same, one core"]
        rows = []
        for row_name, run, pinned in runs:
            found = {row["setting"]: row["rtt_s"] for row in run["metrics"]["settings"]}
            row = ([row_name, units.duration(run["metrics"]["rtt_alone_s"])]
                   + [units.duration(found.get(s)) for s in settings]
                   + [slope_fmt(run["metrics"]["slope"])])
            if knob == "switch_interval":
                row += [_added_range(run), _added_range(pinned)]
            rows.append(row)
        parts.append(f"**{title}**, median round trip with one CPU-bound thread:\n\n"
                     + markdown_table(header, rows))
    failed = [row_name for row_name, setups in by_interpreter(doc)
              if "metrics" not in (setups.get("all cores") or {})]
    if failed:
        parts.append("Not measured: " + ", ".join(failed) + ".")
    return "\n\n".join(parts)


def _response(doc: dict) -> str:
    header = ["Interpreter", "GIL", "alone, p50", "next to a CPU-bound thread, one core, p50",
              "next to a CPU-bound thread, all cores, p50"]
    rows = []
    for row_name, setups in by_interpreter(doc):
        run = setups.get("all cores") or next(iter(setups.values()))
        rows.append([row_name, gil(run), cell(run, "alone_p50_s"),
                     cell(setups.get("one core"), "p50_s"),
                     cell(setups.get("all cores"), "p50_s")])
    return markdown_table(header, rows)


def _startup(doc: dict) -> str:
    header = ["Interpreter", "GIL", "start alone", "start on a busy core", "slowdown",
              "context switches per start, alone", "on a busy core"]
    rows = []
    for row_name, setups in by_interpreter(doc):
        run = setups.get("all cores") or next(iter(setups.values()))
        m = run.get("metrics", {})
        busy = cell(run, "busy_s")
        slowdown = cell(run, "slowdown", fmt=units.times)
        switches = cell(run, "switches_busy", fmt=_count)
        if m.get("cut_off"):   # a start stopped at the cut-off: the figures are lower bounds
            busy, slowdown, switches = ("over " + text for text in (busy, slowdown, switches))
        if m.get("verdict") == "inconclusive":
            slowdown = "inconclusive"
        rows.append([row_name, gil(run), cell(run, "alone_s"), busy, slowdown,
                     cell(run, "switches_alone", fmt=_count), switches])
    return markdown_table(header, rows)


def _count(value) -> str:
    return units.NA if value is None else f"{value:,.0f}"


def _generic(doc: dict) -> str:
    keys: list[str] = []
    for run in doc["runs"]:
        for key, value in run.get("metrics", {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and key not in keys:
                keys.append(key)
    header = ["Interpreter", "setup"] + keys
    rows = []
    for row_name, setups in by_interpreter(doc):
        for label, run in setups.items():
            rows.append([row_name, label] + [
                cell(run, key, fmt=units.duration if units.is_seconds(key) else units.ratio)
                for key in keys])
    return markdown_table(header, rows)


#: "experiment" or "experiment view" -> table builder.
TABLES = {"countdown": _countdown, "convoy": _convoy, "switch-interval": _switch_interval,
          "response": _response, "countdown switches": _countdown_switches,
          "convoy harness": _convoy_harness, "startup": _startup}


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
