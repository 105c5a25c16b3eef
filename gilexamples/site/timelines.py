"""Publish the site's timelines: data files for the viewer, and static pictures.

    python -m gilexamples site publish-timelines docs/assets/timeline/data [--quick] [--only NAME,...]

For each figure of the chapter "The new GIL's failures" it runs the simulator
(deterministic: seed 0) and, where an interpreter with that GIL is present,
the ``timeline`` payload in a real child interpreter pinned to the same
number of CPUs. It trims both to a window (for a real run, the one in which
the threads ran Python the most: the machine may be shared), stamps them
(machine, interpreter, date; for a real run also the load average while it
ran) and writes ``sim-NAME.json``/``.png`` and ``real-NAME.json``/``.png``
plus ``index.json`` (what was made, what was skipped and why).

A real window of the switching GIL is checked against what the interval
predicts: two busy threads should hand the GIL over about once per switch
interval. When the window has far fewer switches (under
``SWITCH_SHORTFALL`` of window/interval), the threads were waiting for a
core, not for the GIL: the stamp then carries a ``note`` saying so, which
the viewer and the static picture print under the panel.

It belongs to the site, above the library rooms: it uses the simulator, the
lab's runner and the trace format.
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass
from pathlib import Path

from gilexamples import __version__, sim, stamp
from gilexamples.lab.interpreters import find_interpreters
from gilexamples.lab.runner import run_experiment
from gilexamples.sim.kernel import MS
from gilexamples.trace.format import dumps, summary, validate, window
from gilexamples.trace.measured import from_payload
from gilexamples.trace.picture import render

__all__ = ["FIGURES", "Figure", "UnknownFigure", "busiest_start", "switch_note", "publish",
           "MAX_BYTES", "SWITCH_SHORTFALL", "GENERATOR"]

#: The command that regenerates the timelines (written into index.json).
GENERATOR = "python -m gilexamples site publish-timelines"

#: Largest data file written: the window is halved until the trace fits.
MAX_BYTES = 200_000

#: A switching-GIL window with fewer than this share of window/interval switches is flagged.
SWITCH_SHORTFALL = 0.5


class UnknownFigure(ValueError):
    """``--only`` named a figure that does not exist."""


@dataclass(frozen=True)
class Figure:
    name: str
    caption: str
    scenario: str
    policy: str
    cores: int
    seconds: float                 # simulated: countdown work or time span
    window_ms: tuple[int, int]     # which part of the run is shown
    era: str | None = None         # real run: "tick", "switching", "none" (free-threaded)
    workload: str = "cpu2"


FIGURES = (
    Figure("battle", "two CPU-bound threads, tick GIL, 2 cores", "countdown", "ticks", 2, 0.05,
           (20, 25), "tick"),
    Figure("tick-1core", "two CPU-bound threads, tick GIL, 1 core", "countdown", "ticks", 1,
           0.1, (20, 60), "tick"),
    Figure("newgil-cpu2", "two CPU-bound threads, switching GIL, 2 cores", "countdown",
           "newgil", 2, 0.1, (20, 60), "switching"),
    Figure("convoy", "a CPU-bound thread and an I/O thread, switching GIL, 2 cores", "convoy",
           "newgil", 2, 0.1, (20, 60), "switching", "cpu+io"),
    Figure("priority", "the same under priority requests (never shipped)", "convoy",
           "priority", 2, 0.1, (20, 60)),
    Figure("noforce", "two CPU-bound threads, switching GIL without FORCE_SWITCHING", "countdown",
           "newgil-noforce", 2, 0.1, (0, 80)),
    Figure("nogil", "two CPU-bound threads, no GIL, 2 cores", "countdown", "nogil", 2, 0.1,
           (20, 60), "none"),
)


def machine_text() -> str:
    """This machine as one phrase, for a timeline's stamp."""
    m = stamp.machine()
    return f"{stamp.describe(m)}, {m['arch']}"


def _fit(trace: dict, start_ns: int, end_ns: int) -> dict:
    """The window, halved until its JSON is at most MAX_BYTES."""
    end_ns = min(end_ns, trace["end"])
    start_ns = min(start_ns, max(0, end_ns - 1))
    while True:
        part = window(trace, start_ns, end_ns)
        if len(dumps(part)) <= MAX_BYTES or end_ns - start_ns <= 100_000:
            return part
        end_ns = start_ns + (end_ns - start_ns) // 2


def busiest_start(trace: dict, span: int, skip: int, step: int = 1_000_000) -> int:
    """Start of a ``span``-ns window (after ``skip`` ns) in which the threads really ran.

    A real run shares the machine with whatever else runs there. Windows in which the
    threads ran Python at least 80% as much as in the best window are candidates; of
    those, the one nearest the middle of the run is chosen (not the busiest: with a GIL
    that would favour windows without a single switch).
    """
    runs = [(t0, t1) for thread in trace["threads"] for t0, t1, state in thread["intervals"]
            if state == "run"]
    totals = []
    start = skip
    while start + span <= trace["end"] or start == skip:
        end = start + span
        totals.append((start, sum(min(t1, end) - max(t0, start)
                                  for t0, t1 in runs if t0 < end and t1 > start)))
        start += step
    best = max(total for _, total in totals)
    middle = (trace["end"] - span) // 2
    return min((abs(start - middle), start) for start, total in totals
               if total >= 0.8 * best)[1]


def _load_text(load: list[float] | None) -> str:
    if not load:
        return "load average unknown"
    return f"load average {load[0]:.2f} on {os.cpu_count()} CPUs"


def switch_note(trace: dict, interval_s: float | None, load: list[float] | None) -> dict:
    """Switches in a real switching-GIL window against what the interval predicts.

    Returns ``{"switches", "expected", "note"}``; ``note`` is None when the window
    looks like the mechanism at work, else one sentence for the panel's stamp.
    """
    if not interval_s or interval_s <= 0:
        raise ValueError(f"switch interval must be > 0 s, got {interval_s!r}")
    span_s = (trace["end"] - trace["start"]) / 1e9
    expected = span_s / interval_s
    switches = summary(trace)["switches"]
    note = None
    if switches < SWITCH_SHORTFALL * expected:
        note = (f"busy machine: {switches} GIL switch(es) in this {span_s * 1e3:.0f} ms window "
                f"where a {interval_s * 1e3:g} ms interval predicts about {expected:.0f} "
                f"({_load_text(load)}): the threads also waited for a core")
    return {"switches": switches, "expected": round(expected, 1), "note": note}


def _write(trace: dict, out: Path, stem: str) -> list[str]:
    validate(trace)
    (out / f"{stem}.json").write_text(dumps(trace) + "\n", encoding="utf-8")
    render(trace, out / f"{stem}.png")
    return [f"{stem}.json", f"{stem}.png"]


def _find_real(era: str):
    """The interpreter to run for an era, or (None, reason)."""
    found = [i for i in find_interpreters() if i.era == era]
    if era == "switching":  # prefer the last release with the switching GIL as default
        found.sort(key=lambda i: (i.version_tuple >= (3, 13), -i.version_tuple[1]))
    if not found:
        names = {"tick": "Python 2 interpreter", "switching": "Python 3.2+ interpreter with a GIL",
                 "none": "free-threaded interpreter (3.13t+)"}
        return None, f"no {names[era]} found on this machine"
    return found[0], None


def publish(out: str | Path, *, quick: bool = False, only: list[str] | None = None,
            real: bool = True, progress=None) -> dict:
    """Write the figures' data files and pictures to ``out``; return the index.

    ``progress(done, total, what)``, when given, is called before each figure and
    once at the end. Raises :class:`UnknownFigure` for a name in ``only`` that is no figure, and
    :class:`OSError` when ``out`` cannot be written, both before any work.
    """
    figures = [f for f in FIGURES if not only or f.name in only]
    unknown = sorted(set(only or ()) - {f.name for f in FIGURES})
    if unknown:
        raise UnknownFigure(f"unknown figure(s): {', '.join(unknown)} "
                            f"(figures: {', '.join(f.name for f in FIGURES)})")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    machine, date = machine_text(), stamp.today()
    index = {"generator": GENERATOR, "date": date,
             "machine": machine, "quick": quick, "figures": []}
    for done, fig in enumerate(figures):
        if progress:
            progress(done, len(figures), fig.name)
        scale = 0.25 if quick else 1.0
        start_ns, end_ns = (int(v * MS * scale) for v in fig.window_ms)
        run = sim.simulate(fig.scenario, policy=fig.policy, cores=fig.cores, threads=2,
                           seconds=fig.seconds * scale, seed=0)
        trace = _fit(run["trace"], start_ns, end_ns)
        trace["title"] = f"simulated: {fig.caption}"
        trace["stamp"] = {"interpreter": f"gilexamples.sim {__version__} (seed 0) on Python "
                                         f"{platform.python_version()}",
                          "machine": "simulated: " + f"{fig.cores} core(s), policy {fig.policy}",
                          "date": date}
        entry = {"name": fig.name, "caption": fig.caption, "files": _write(trace, out, f"sim-{fig.name}"),
                 "sim_metrics": run["metrics"], "real": None}
        if fig.era and real:
            interp, reason = _find_real(fig.era)
            if interp is None:
                entry["real"] = {"skipped": reason}
            else:
                cpus = list(range(fig.cores))
                seconds = 0.12 if quick else 0.3
                load = stamp.loadavg()
                result = run_experiment("timeline", interp, quick=quick, cpus=cpus,
                                        params={"workload": fig.workload, "seconds": seconds})
                if "metrics" not in result:
                    entry["real"] = {"skipped": result.get("skipped") or result.get("error")}
                else:
                    full = from_payload(result["metrics"], title="", gil=fig.era != "none")
                    span = end_ns - start_ns
                    first = busiest_start(full, span, skip=20_000_000)
                    part = _fit(full, first, first + span)
                    part["title"] = f"real {interp.label}: {fig.caption}"
                    part["stamp"] = {"interpreter": interp.label,
                                     "machine": f"{machine}; pinned to CPU "
                                                f"{','.join(map(str, cpus))}; "
                                                f"{_load_text(load)} at the start",
                                     "date": date}
                    checked = None
                    if fig.era == "switching":
                        checked = switch_note(part, result["metrics"].get("switch_interval_s"),
                                              load)
                        if checked["note"]:
                            part["stamp"]["note"] = checked["note"]
                    entry["real"] = {"python": interp.label,
                                     "files": _write(part, out, f"real-{fig.name}"),
                                     "overlap_s": result["metrics"]["overlap_s"],
                                     "loadavg": load, "switch_check": checked}
        index["figures"].append(entry)
    (out / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True) + "\n",
                                    encoding="utf-8")
    if progress:
        progress(len(figures), len(figures), "done")
    return index
