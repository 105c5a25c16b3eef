"""Run one experiment's payload in a child interpreter and collect its JSON.

An *experiment* is a script in ``gilexamples/lab/payloads/``; its name is
the file name without ``.py``, with ``_`` written ``-``
(``switch_interval.py`` is the experiment ``switch-interval``).

The payload contract (every payload keeps it; the runner checks it):

* invoked as ``python PAYLOAD.py '<json params>'``; ``params`` always has
  ``"quick": bool`` (small sizes, for tests), and may have more (sizes to
  override), read with ``_common.params()`` (``params.quick``,
  ``params.number(name, kind, quick_default, full_default)``); pinning to
  CPUs is done from outside (``taskset``), so a payload sees only the CPUs
  it may use;
* stdlib only, runs unchanged under Python 2.7 and 3.6+, imports nothing of
  ours (it is run as a file, in an interpreter that has no ``gilexamples``);
* prints exactly one JSON object on stdout, ``{"metrics": {...}}`` or
  ``{"skipped": "reason"}``, and exits 0; a payload that checks whether it
  can be trusted says so in its metrics as ``"verdict"``: ``"inconclusive"``
  with ``"why"`` when it cannot, else ``"measured"`` (or a finding, such as
  scaling's ``"parallel"``). Anything else (a non-zero exit, no
  JSON, two documents, a timeout) is reported as an ``error``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

from gilexamples.lab.interpreters import Interpreter, _clean_env, _last_line, probe

__all__ = ["PAYLOADS", "experiments", "payload_path", "run_experiment", "parse_cpus",
           "available_cpus", "UnknownExperiment", "ExperimentError", "DEFAULT_TIMEOUT_S"]

PAYLOADS = Path(__file__).resolve().parent / "payloads"

#: Seconds a payload may run before it is killed: (quick, full).
DEFAULT_TIMEOUT_S = (120.0, 600.0)


class UnknownExperiment(ValueError):
    """No payload file for that experiment name."""


class ExperimentError(RuntimeError):
    """A payload broke its contract (raised only by :func:`check_output`)."""


def experiments() -> list[str]:
    """The experiment names, from the payload files present, sorted."""
    return sorted(p.stem.replace("_", "-") for p in PAYLOADS.glob("*.py")
                  if not p.name.startswith("_"))


def payload_path(name: str) -> Path:
    """The payload file of experiment ``name`` (``-`` or ``_`` both accepted)."""
    path = PAYLOADS / (name.replace("-", "_") + ".py")
    if name.startswith("_") or not path.is_file():
        raise UnknownExperiment(
            f"unknown experiment {name!r} (known: {', '.join(experiments())})")
    return path


def available_cpus() -> list[int]:
    """The CPUs this process may run on."""
    getter = getattr(os, "sched_getaffinity", None)
    if getter is not None:
        return sorted(getter(0))
    return list(range(os.cpu_count() or 1))


def parse_cpus(text: str | list[int] | tuple[int, ...] | None) -> list[int] | None:
    """``"0"``, ``"0,1"``, ``"0-3"`` -> sorted CPU numbers; ``None``/``"all"`` -> None.

    Raises :class:`ValueError` for a malformed list or a CPU this process
    cannot use.
    """
    if text is None:
        return None
    if isinstance(text, (list, tuple, set)):
        cpus = sorted({int(c) for c in text})
    else:
        text = text.strip()
        if text in ("", "all"):
            return None
        cpus_set: set[int] = set()
        for part in text.split(","):
            part = part.strip()
            match = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
            if not match:
                raise ValueError(f"bad CPU list {text!r}: use numbers and ranges like 0,2-3")
            low = int(match.group(1))
            high = int(match.group(2)) if match.group(2) else low
            if high < low:
                raise ValueError(f"bad CPU range {part!r} in {text!r}")
            cpus_set.update(range(low, high + 1))
        cpus = sorted(cpus_set)
    if not cpus:
        raise ValueError("empty CPU list")
    usable = set(available_cpus())
    missing = [c for c in cpus if c not in usable]
    if missing:
        raise ValueError(f"CPU {missing[0]} is not available here "
                         f"(this process may use {_ranges(sorted(usable))})")
    return cpus


def _ranges(cpus: list[int]) -> str:
    out, start = [], None
    for i, cpu in enumerate(cpus):
        if start is None:
            start = cpu
        if i + 1 == len(cpus) or cpus[i + 1] != cpu + 1:
            out.append(str(start) if start == cpu else f"{start}-{cpu}")
            start = None
    return ",".join(out)


def _interpreter(python) -> Interpreter:
    if isinstance(python, Interpreter):
        return python
    path = os.fspath(python)
    if not os.path.exists(path):
        found = shutil.which(path) if os.sep not in path else None
        if found is None:
            raise FileNotFoundError(f"no such interpreter: {path}")
        path = found
    return _probe_cached(path)


_PROBED: dict[tuple[str, float], Interpreter] = {}


def _probe_cached(path: str) -> Interpreter:
    try:
        key = (os.path.realpath(path), os.stat(path).st_mtime)
    except OSError:
        return probe(path)
    if key not in _PROBED:
        _PROBED[key] = probe(path)
    return _PROBED[key]


def check_output(stdout: str) -> dict:
    """Parse a payload's stdout: exactly one JSON object with metrics or skipped."""
    text = stdout.strip()
    if not text:
        raise ExperimentError("payload printed nothing on stdout")
    try:
        document = json.loads(text)
    except ValueError:
        raise ExperimentError(f"payload did not print one JSON document: {text[:80]!r}") from None
    if not isinstance(document, dict) or len(document) != 1:
        raise ExperimentError("payload must print an object with one key, metrics or skipped")
    if isinstance(document.get("metrics"), dict):
        return document
    if isinstance(document.get("skipped"), str):
        return document
    raise ExperimentError(f"payload printed {sorted(document)}: expected metrics or skipped")


def _affinity_setter(cpus: list[int]):
    def pin() -> None:
        os.sched_setaffinity(0, cpus)
    return pin


def run_experiment(name: str, python, *, quick: bool = False, cpus=None,
                   timeout: float | None = None, params: dict | None = None) -> dict:
    """Run experiment ``name`` under the interpreter ``python``; never hangs.

    ``python``: a path (or an :class:`~gilexamples.lab.interpreters.Interpreter`).
    ``cpus``: pin the child to these CPUs (a list, or a string like ``"0"``
    or ``"0-1"``), with ``taskset`` when present, else ``os.sched_setaffinity``.
    ``timeout``: seconds before the child (and anything it started) is killed;
    default 120 s quick, 600 s full. ``params``: extra payload parameters.

    The child runs with the interpreter's ``env`` set (``PYTHON_GIL=1`` for a
    free-threaded build whose GIL the lab forces on).

    Returns ``{"python": {executable, version, implementation, gil_enabled,
    free_threaded, env, label, ...}, "cpus": [...] or None, "seconds": wall time,
    "metrics": {...}}``, or with
    ``"skipped"``/``"error"`` (a reason) in place of ``"metrics"``. Raises
    :class:`UnknownExperiment` for an unknown name, :class:`FileNotFoundError`
    for an interpreter path that does not exist and :class:`ValueError` for
    bad ``cpus``; a broken interpreter or payload is an ``error`` result.
    """
    payload = payload_path(name)
    interp = _interpreter(python)
    pinned = parse_cpus(cpus)
    result: dict = {"python": interp.summary(), "cpus": pinned}
    if not interp.ok:
        result["error"] = f"interpreter skipped: {interp.problem}"
        return result
    merged = {"quick": bool(quick)}
    merged.update(params or {})
    command = [interp.executable, str(payload), json.dumps(merged)]
    preexec = None
    if pinned is not None:
        taskset = shutil.which("taskset")
        if taskset:
            command = [taskset, "-c", _ranges(pinned)] + command
        elif hasattr(os, "sched_setaffinity"):
            preexec = _affinity_setter(pinned)
        else:
            result["skipped"] = "cannot pin a process to CPUs on this platform"
            return result
    if timeout is None:
        timeout = DEFAULT_TIMEOUT_S[0 if quick else 1]
    started = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL, text=True,
                             env=dict(_clean_env(), **interp.env),
                             start_new_session=True, preexec_fn=preexec)
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(child)
        child.communicate()
        result["seconds"] = round(time.monotonic() - started, 3)
        result["error"] = f"timed out after {timeout:g} s (killed)"
        return result
    except BaseException:
        _kill_group(child)
        child.communicate()
        raise
    finally:
        _kill_group(child, only_leftovers=True)
    result["seconds"] = round(time.monotonic() - started, 3)
    if child.returncode != 0:
        result["error"] = f"payload exited with status {child.returncode}: {_last_line(stderr)}"
        return result
    try:
        result.update(check_output(stdout))
    except ExperimentError as error:
        result["error"] = str(error)
    return result


def _kill_group(child: subprocess.Popen, only_leftovers: bool = False) -> None:
    """Kill the child's process group (the payload and any client it started)."""
    if only_leftovers and child.returncode is None:
        return
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
