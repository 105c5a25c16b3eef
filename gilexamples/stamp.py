"""The machine stamp: what measured a number, and when.

Every stored result says where it was measured with the same dict,
:func:`machine`: ``{"cpu_model", "cores", "virtual", "system", "kernel",
"arch"}`` (``virtual`` names the hypervisor of a virtual machine, whose cores
are then vCPUs, else None). :func:`describe` writes it as one phrase for a
caption; :func:`loadavg` and :func:`now_utc` give the load and the time to
stamp next to it.
"""

from __future__ import annotations

import datetime
import os
import platform
import shutil
import subprocess

__all__ = ["machine", "describe", "virtualization", "cpu_model", "loadavg", "now_utc", "today"]

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


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), else what :mod:`platform` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def machine() -> dict:
    """What is measuring: CPU model, core count, virtualisation, system, kernel, architecture."""
    return {"cpu_model": cpu_model(), "cores": os.cpu_count(), "virtual": virtualization(),
            "system": platform.system(), "kernel": platform.release(),
            "arch": platform.machine()}


def describe(m: dict) -> str:
    """One phrase for a :func:`machine` dict: ``"Intel Xeon (2 vCPUs of a kvm virtual
    machine, Linux 6.1.0)"``. Missing keys are written as unknown."""
    virtual = m.get("virtual")
    if virtual:
        kind = "a virtual machine" if virtual == "vm" else f"a {virtual} virtual machine"
        cores = f"{m.get('cores', '?')} vCPUs of {kind}"
    else:
        cores = f"{m.get('cores', '?')} cores"
    system = f"{m.get('system', '')} {m.get('kernel', '')}".strip()
    return f"{m.get('cpu_model', 'an unknown CPU')} ({cores}, {system or 'unknown system'})"


def loadavg() -> list[float] | None:
    """The 1, 5 and 15 minute load averages, or None where unknown."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def now_utc() -> str:
    """The current UTC time, to the second, ISO 8601."""
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


def today() -> str:
    """Today's date in UTC, ``YYYY-MM-DD``."""
    return now_utc()[:10]
