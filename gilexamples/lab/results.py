"""The lab's results store: one JSON file per experiment, stamped.

``python -m gilexamples lab --out docs/results/lab`` runs every experiment on
every interpreter found and writes ``<experiment>.json``::

    {"experiment": "convoy",
     "stamp": {"machine": {"cpu_model", "cores", "virtual", "kernel", "system", "arch"},
               "date", "finished", "loadavg_start", "loadavg_end", "command", "quick", ...},
     "runs": [{"python": {...}, "cpus": null, "setup": "all cores",
               "metrics": {...}}, ...]}

``date`` is when that experiment's first run started, ``finished`` and
``loadavg_end`` when its last run ended (``lab`` stamps each file on its
own); ``loadavg_start`` is taken before the lab's first run, so that it
counts other work only. ``machine.virtual`` names the hypervisor when
the machine is a virtual one (its cores are then vCPUs), else null.

The site renders these files (:mod:`gilexamples.site.markers`); pages never
type a measured number by hand. The machine part of the stamp is
:func:`gilexamples.stamp.machine`, the same for every stored result.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path

from gilexamples import __version__, stamp

__all__ = ["make_stamp", "write_results", "load_results"]


def make_stamp(command: list[str], *, quick: bool = False,
               started: datetime.datetime | None = None) -> dict:
    """A stamp for lab results measured now: machine, date (UTC), load, command.

    ``command``: the arguments given to ``python -m gilexamples`` (recorded as typed).
    """
    started = started or datetime.datetime.now(datetime.timezone.utc)
    return {
        "machine": stamp.machine(),
        "date": started.replace(microsecond=0).isoformat(),
        "loadavg_start": stamp.loadavg(),
        "command": "python -m gilexamples " + " ".join(command),
        "quick": quick,
        "gilexamples": __version__,
        "orchestrator": platform.python_version(),
    }


def write_results(out_dir: str | os.PathLike, experiment: str, runs: list[dict],
                  stamp_: dict) -> Path:
    """Write ``out_dir/<experiment>.json`` and return its path.

    ``finished`` and ``loadavg_end`` are filled in now unless ``stamp_`` has them.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stamp_ = dict(stamp_)
    stamp_.setdefault("loadavg_end", stamp.loadavg())
    stamp_.setdefault("finished", stamp.now_utc())
    document = {"experiment": experiment, "stamp": stamp_, "runs": runs}
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
