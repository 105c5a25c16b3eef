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

The docs render these files (:mod:`gilexamples.lab.render`); pages never
type a measured number by hand.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from gilexamples import __version__

__all__ = ["machine", "virtualization", "loadavg", "make_stamp", "write_results",
           "load_results"]

#: Words in /sys/class/dmi/id/product_name or sys_vendor that mean a virtual machine.
_VM_WORDS = ("kvm", "qemu", "virtualbox", "vmware", "virtual machine", "hvm domu", "xen",
             "bochs", "parallels", "google compute engine", "bhyve", "firecracker")


def virtualization() -> str | None:
    """The hypervisor this machine runs under, or None on bare metal or when unknown.

    Asks ``systemd-detect-virt --vm`` when it exists (its "none" is trusted), else the
    DMI product name and vendor, else the ``hypervisor`` CPU flag (then ``"vm"``).
    """
    tool = shutil.which("systemd-detect-virt")
    if tool:
        try:
            done = subprocess.run([tool, "--vm"], capture_output=True, text=True, timeout=5)
        except (OSError, subprocess.SubprocessError):
            done = None
        answer = done.stdout.strip() if done is not None else ""
        if answer == "none":
            return None
        if done is not None and done.returncode == 0 and answer:
            return answer
    for name in ("product_name", "sys_vendor"):
        try:
            with open(f"/sys/class/dmi/id/{name}", encoding="utf-8") as handle:
                text = handle.read().strip()
        except OSError:
            continue
        if any(word in text.lower() for word in _VM_WORDS):
            return text
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("flags") and "hypervisor" in line.split(":", 1)[-1].split():
                    return "vm"
    except OSError:
        pass
    return None


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
    return {"cpu_model": model, "cores": os.cpu_count(), "virtual": virtualization(),
            "system": platform.system(), "kernel": platform.release(),
            "arch": platform.machine()}


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


def now_utc() -> str:
    """The current UTC time, to the second, ISO 8601."""
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


def write_results(out_dir: str | os.PathLike, experiment: str, runs: list[dict],
                  stamp: dict) -> Path:
    """Write ``out_dir/<experiment>.json`` and return its path.

    ``finished`` and ``loadavg_end`` are filled in now unless ``stamp`` has them.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stamp = dict(stamp)
    stamp.setdefault("loadavg_end", loadavg())
    stamp.setdefault("finished", now_utc())
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
