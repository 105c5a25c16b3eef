"""The sentences that say where, when and how a page's numbers were measured.

* :func:`stamp_line`: machine, dates, load at start and end, command, runs
  that failed (in italics, under every table and plot);
* :func:`load_warning`: a warning admonition when the machine was busy;
* :func:`free_threaded_note`: which free-threaded builds were measured, or
  how to add one;
* :func:`missing`: what a page shows when there are no stored results.
"""

from __future__ import annotations

from gilexamples import stamp
from gilexamples.site.runs import DAGGER, DISTURBED_CPU_PER_WALL, marked_runs, name

__all__ = ["RESULTS_SUBDIR", "stamp_line", "load_warning", "free_threaded_note", "missing"]

#: Where stored results live, relative to the docs folder.
RESULTS_SUBDIR = "results/lab"


def _load(value) -> str:
    return f"{value[0]:.2f}" if isinstance(value, (list, tuple)) and value else "unknown"


def stamp_line(doc: dict) -> str:
    """One sentence: machine, dates, load at start and end, command, failed runs."""
    info = doc.get("stamp", {})
    when = info.get("date", "at an unknown date")
    if info.get("finished"):
        when = f"{when} to {info['finished']}"
    load = ""
    if info.get("loadavg_start") or info.get("loadavg_end"):
        load = (f", 1-minute load average {_load(info.get('loadavg_start'))} before the lab"
                f" started and {_load(info.get('loadavg_end'))} when this experiment ended")
    quick = " (quick sizes)" if info.get("quick") else ""
    text = (f"Measured on {stamp.describe(info.get('machine', {}))}, {when}"
            f"{load}, with `{info.get('command', '?')}`{quick}.")
    if marked_runs(doc):
        text += (f" {DAGGER}: a 3.x process that got less than {DISTURBED_CPU_PER_WALL} CPU s"
                 " per wall s, so other work took CPU from it.")
    problems = [f"{name(r)} ({r.get('setup', '')}): {r.get('error') or r.get('skipped')}"
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
    info = doc.get("stamp", {})
    cores = info.get("machine", {}).get("cores") or 1
    start, end = info.get("loadavg_start"), info.get("loadavg_end")
    reasons = []
    high_start = bool(start) and start[0] > 0.5 * cores
    high_end = bool(end) and end[0] > cores + 1
    if high_start or high_end:
        reasons.append(f"the 1-minute load average was {_load(start)} before the lab started "
                       f"and {_load(end)} when this experiment ended")
    marked = len(marked_runs(doc))
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
    measured = sorted({name(r) for r in (doc or {}).get("runs", [])
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


def missing(experiment: str) -> str:
    """What a page shows in place of an experiment that has no stored results."""
    return (f'!!! warning "No stored results for {experiment}"\n\n'
            f"    Produce them with `python -m gilexamples lab --out docs/{RESULTS_SUBDIR}`.\n")
