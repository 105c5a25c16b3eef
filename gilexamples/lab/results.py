"""The lab's results store: one JSON file per experiment, stamped.

``python -m gilexamples lab --out docs/results/lab`` runs every experiment on
every interpreter found and writes ``<experiment>.json``::

    {"experiment": "convoy",
     "stamp": {"machine": {"cpu_model", "cores", "kernel", "system", "arch"},
               "date", "loadavg_start", "loadavg_end", "command", "quick", ...},
     "runs": [{"python": {...}, "cpus": null, "setup": "all cores",
               "metrics": {...}}, ...]}

The docs render these files (:mod:`gilexamples.lab.render`); pages never
type a measured number by hand.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import sys
from pathlib import Path

from gilexamples import __version__

__all__ = ["machine", "loadavg", "make_stamp", "write_results", "load_results"]


def machine() -> dict:
    """What ran the experiments: CPU model, core count, kernel."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu_model": model, "cores": os.cpu_count(), "system": platform.system(),
            "kernel": platform.release(), "arch": platform.machine()}


def loadavg() -> list[float] | None:
    """The 1, 5 and 15 minute load averages, or None where unknown."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def make_stamp(command: list[str] | None = None, *, quick: bool = False,
               started: datetime.datetime | None = None) -> dict:
    """A stamp for results measured now: machine, date (UTC), load, command."""
    started = started or datetime.datetime.now(datetime.timezone.utc)
    argv = command if command is not None else sys.argv[1:]
    return {
        "machine": machine(),
        "date": started.replace(microsecond=0).isoformat(),
        "loadavg_start": loadavg(),
        "command": "python -m gilexamples " + " ".join(argv),
        "quick": quick,
        "gilexamples": __version__,
        "orchestrator": platform.python_version(),
    }


def write_results(out_dir: str | os.PathLike, experiment: str, runs: list[dict],
                  stamp: dict) -> Path:
    """Write ``out_dir/<experiment>.json`` and return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stamp = dict(stamp, loadavg_end=loadavg())
    document = {"experiment": experiment, "stamp": stamp, "runs": runs}
    path = out / f"{experiment}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def load_results(results_dir: str | os.PathLike, experiment: str) -> dict | None:
    """The stored document for ``experiment``, or None when there is none."""
    path = Path(results_dir) / f"{experiment}.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
