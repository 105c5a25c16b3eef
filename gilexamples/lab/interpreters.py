"""Find the Python interpreters on this machine and ask each what it is.

Where the lab looks, in order:

1. the interpreters named with ``--python PATH`` (a path, or a name looked up
   on ``PATH``); when any is named, nothing else is searched;
2. otherwise the interpreter running this code, the well-known names on
   ``PATH`` (``python``, ``python2``, ``python2.7``, ``python3``,
   ``python3.X`` and the free-threaded ``python3.Xt``), and pyenv's versions
   folder when there is one (``$PYENV_ROOT``, else ``pyenv root``, else
   ``~/.pyenv``). pyenv's *shims* are skipped: they are shell scripts that
   run one of the versions found directly anyway. In each of pyenv's
   ``versions/X/bin`` folders the lab takes ``python`` when it is there, else
   the versioned names (``python3.Y``, ``python2.Y``), and always the
   free-threaded ``python3.Yt``: a build installed by hand with
   ``make install`` into that layout has no ``bin/python`` link.

A free-threaded build whose GIL is off is also run a second time with its GIL
forced back on (``PYTHON_GIL=1`` in its environment, see
:data:`GIL_FORCED_ON`): the same binary with and without the GIL, two rows of
every table. The second row's :class:`Interpreter` has ``env`` set and a
label that says so (``CPython 3.13.1t (PYTHON_GIL=1)``); its probe ran with
that environment, so its ``gil_enabled`` is what the interpreter reported.

Each candidate is *probed*: run as a child with a short script that prints
what it is (works under Python 2.7 and 3.x alike). A candidate that does not
exist, does not start, or does not answer is kept as an :class:`Interpreter`
with a ``problem`` and skipped by everything that runs experiments: a broken
interpreter is reported, never a crash.

Duplicates go: two candidates whose probe names the same real executable are
one interpreter, and of the discovered (not ``--python``) ones only the first
of each version and build is kept.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["Interpreter", "probe", "find_interpreters", "candidates", "pyenv_root",
           "gil_forced_on", "PROBE_TIMEOUT_S", "GIL_FORCED_ON", "python_label", "python_era",
           "version_tuple"]

#: Seconds a candidate may take to start and answer the probe.
PROBE_TIMEOUT_S = 20.0

#: Printed by the probe; runs unchanged under Python 2.7 and 3.x.
PROBE = r"""
import json, os, platform, sys
try:
    import sysconfig
    free = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
except Exception:
    free = False
is_enabled = getattr(sys, "_is_gil_enabled", None)
ti = getattr(sys, "thread_info", None)
info = {
    "version": platform.python_version(),
    "implementation": platform.python_implementation(),
    "executable": sys.executable,
    "real_path": os.path.realpath(sys.executable),
    "free_threaded": free,
    "gil_enabled": bool(is_enabled()) if is_enabled is not None else True,
    "lock": getattr(ti, "lock", None),
    "thread_impl": getattr(ti, "name", None),
    "check_interval": sys.getcheckinterval() if sys.version_info[0] == 2 else None,
    "switch_interval_s": sys.getswitchinterval() if hasattr(sys, "getswitchinterval") else None,
}
sys.stdout.write(json.dumps(info))
"""

#: The environment that turns a free-threaded build's GIL back on (PEP 703;
#: ``-X gil=1`` does the same). A default build ignores it.
GIL_FORCED_ON = {"PYTHON_GIL": "1"}

#: The well-known names looked up on PATH.
NAMES = (["python", "python2", "python2.7", "python3"]
         + [f"python3.{minor}" for minor in range(0, 21)]
         + [f"python3.{minor}t" for minor in range(13, 21)])


def version_tuple(version: str | None) -> tuple[int, ...]:
    """``"3.12.1"`` -> ``(3, 12, 1)``; ``"3.13.0rc1"`` -> ``(3, 13, 0)``; None -> ``()``."""
    numbers = re.findall(r"\d+", version or "")
    return tuple(int(n) for n in numbers[:3])


def python_label(python: dict) -> str:
    """An interpreter summary (:meth:`Interpreter.summary`, as stored with every run) in a
    word: ``CPython 3.12.1``, ``CPython 3.13.0t`` (``t``: a free-threaded build), and
    ``CPython 3.13.0t (PYTHON_GIL=1)`` when the lab set ``PYTHON_GIL`` for it (``env``).
    Works on records written before ``env`` existed."""
    name = f"{python.get('implementation') or '?'} {python.get('version') or python.get('executable')}"
    if python.get("free_threaded"):
        name += "t"
    env = python.get("env") or {}
    if env:
        name += " (" + ", ".join(f"{k}={v}" for k, v in sorted(env.items())) + ")"
    return name


def python_era(python: dict) -> str:
    """Which GIL an interpreter summary had: ``tick`` (before 3.2), ``switching``, ``none``."""
    if python.get("gil_enabled") is False:
        return "none"
    numbers = version_tuple(python.get("version"))
    if numbers and numbers < (3, 2):
        return "tick"
    return "switching"


@dataclass
class Interpreter:
    """One interpreter as its probe described it (or why it could not).

    ``executable`` is the path it was found under; ``real_path`` the
    interpreter binary that actually ran (``os.path.realpath`` of
    ``sys.executable``). ``check_interval`` is Python 2's ``sys.getcheckinterval()``
    (ticks); ``switch_interval_s`` is 3.2+'s ``sys.getswitchinterval()``.
    ``lock`` is ``sys.thread_info.lock`` (3.3+; ``None`` before). ``found_by``
    says where it came from: ``--python``, ``current``, ``PATH`` or ``pyenv``.
    ``problem`` is ``None`` for a working interpreter, else the reason it is skipped.
    ``env`` holds the variables set for this interpreter on top of the lab's
    environment (``{"PYTHON_GIL": "1"}`` for a free-threaded build run with its
    GIL forced on, see :func:`gil_forced_on`); empty for every other.
    """

    executable: str
    found_by: str = ""
    version: str | None = None
    implementation: str | None = None
    real_path: str | None = None
    free_threaded: bool | None = None
    gil_enabled: bool | None = None
    lock: str | None = None
    thread_impl: str | None = None
    check_interval: int | None = None
    switch_interval_s: float | None = None
    problem: str | None = None
    env: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def version_tuple(self) -> tuple[int, ...]:
        return version_tuple(self.version)

    @property
    def label(self) -> str:
        """A short name for tables: ``CPython 3.12.1``, ``CPython 3.13.0t``,
        ``CPython 3.13.0t (PYTHON_GIL=1)``."""
        return python_label(self.summary()) if self.ok else self.executable

    @property
    def era(self) -> str:
        """Which GIL this interpreter has: ``tick``, ``switching`` or ``none``."""
        return python_era(self.summary())

    def summary(self) -> dict:
        """What every run result says about its interpreter.

        ``gil_enabled`` is what the interpreter itself reported (with ``env``
        applied); ``env`` the variables the lab set for it; ``label`` its name
        in tables.
        """
        summary = {"executable": self.executable, "version": self.version,
                   "implementation": self.implementation, "gil_enabled": self.gil_enabled,
                   "free_threaded": self.free_threaded,
                   "switch_interval_s": self.switch_interval_s, "env": dict(self.env)}
        summary["label"] = python_label(summary) if self.ok else self.executable
        return summary

    def to_dict(self) -> dict:
        data = asdict(self)
        data["label"] = self.label
        data["era"] = self.era
        return data


def _clean_env() -> dict:
    """The environment for a child interpreter: none of *our* interpreter's paths.

    ``PYTHONPATH``/``PYTHONHOME`` set for this (3.10+) interpreter would break
    a 2.7 child; ``PYTHON_GIL`` and the like are left alone on purpose.
    """
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONEXECUTABLE",
                 "__PYVENV_LAUNCHER__", "VIRTUAL_ENV"):
        env.pop(name, None)
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no message)"


def probe(executable: str | os.PathLike, found_by: str = "--python",
          timeout: float = PROBE_TIMEOUT_S, env: dict | None = None) -> Interpreter:
    """Run ``executable`` with the probe script and describe what answered.

    ``env``: variables to set for it on top of the lab's environment (kept
    in the result's ``env``, and used again for every experiment it runs).
    Never raises for a bad interpreter: the returned :class:`Interpreter`
    has ``problem`` set to the reason (missing, not executable, exited with
    an error, printed something that is not the probe's answer, timed out).
    """
    path = os.fspath(executable)
    result = Interpreter(executable=path, found_by=found_by, env=dict(env or {}))
    if not os.path.exists(path):
        result.problem = "not found"
        return result
    if not os.access(path, os.X_OK) or os.path.isdir(path):
        result.problem = "not an executable file"
        return result
    try:
        done = subprocess.run([path, "-c", PROBE], capture_output=True, text=True,
                              timeout=timeout, env=dict(_clean_env(), **result.env),
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        result.problem = f"did not answer within {timeout:g} s"
        return result
    except OSError as error:
        result.problem = f"cannot start: {error.strerror or error}"
        return result
    if done.returncode != 0:
        result.problem = f"exited with status {done.returncode}: {_last_line(done.stderr)}"
        return result
    try:
        info = json.loads(done.stdout)
        if not isinstance(info, dict) or "version" not in info:
            raise ValueError
    except ValueError:
        result.problem = f"not a Python interpreter (printed {done.stdout.strip()[:60]!r})"
        return result
    for key in ("version", "implementation", "real_path", "free_threaded", "gil_enabled",
                "lock", "thread_impl", "check_interval", "switch_interval_s"):
        setattr(result, key, info.get(key))
    return result


def pyenv_root() -> Path | None:
    """pyenv's root folder: ``$PYENV_ROOT``, else ``pyenv root``, else ``~/.pyenv``."""
    env = os.environ.get("PYENV_ROOT")
    if env and Path(env, "versions").is_dir():
        return Path(env)
    tool = shutil.which("pyenv")
    if tool:
        try:
            out = subprocess.run([tool, "root"], capture_output=True, text=True, timeout=10,
                                 stdin=subprocess.DEVNULL)
            root = Path(out.stdout.strip())
            if out.returncode == 0 and (root / "versions").is_dir():
                return root
        except (OSError, subprocess.TimeoutExpired):
            pass
    home = Path.home() / ".pyenv"
    return home if (home / "versions").is_dir() else None


def _is_shim_dir(directory: str) -> bool:
    parts = Path(directory).parts
    return bool(parts) and parts[-1] == "shims" and any("pyenv" in p for p in parts)


def candidates() -> list[tuple[str, str]]:
    """Where discovery looks: ``[(path, found_by), ...]`` before probing."""
    found: list[tuple[str, str]] = [(sys.executable, "current")]
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or _is_shim_dir(directory):
            continue
        for name in NAMES:
            path = os.path.join(directory, name)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                found.append((path, "PATH"))
    root = pyenv_root()
    if root is not None:
        for version_dir in sorted((root / "versions").iterdir()):
            found += [(path, "pyenv") for path in _version_bin(version_dir / "bin")]
    return found


#: ``python2.7``, ``python3.13``, ``python3.13t``: the versioned names ``make install`` writes.
_VERSIONED = re.compile(r"python(\d)\.(\d+)(t?)")


def _version_bin(bin_dir: Path) -> list[str]:
    """The interpreters in one of pyenv's ``versions/X/bin`` folders (not a virtualenv's).

    ``python`` when it is there; else the versioned name with the highest
    minor version (``python3.13``, or ``python2.7``); and every free-threaded
    ``python3.Yt`` (a folder may hold both builds). Duplicates (links to one
    binary) are removed later, by the probe's answer.
    """
    if not bin_dir.is_dir() or (bin_dir / "activate").exists():
        return []
    plain, free = [], []
    for entry in bin_dir.iterdir():
        match = _VERSIONED.fullmatch(entry.name)
        if match and os.access(entry, os.X_OK) and entry.is_file():
            key = (int(match.group(1)), int(match.group(2)))
            (free if match.group(3) else plain).append((key, str(entry)))
    found = []
    python = bin_dir / "python"
    if python.is_file() and os.access(python, os.X_OK):
        found.append(str(python))
    elif plain:
        found.append(max(plain)[1])
    found += [path for _, path in sorted(free)]
    return found


def _resolve_named(name: str) -> str:
    """A ``--python`` value: a path, or a bare name looked up on PATH."""
    if os.sep in name or os.path.exists(name):
        if not os.path.exists(name):
            raise FileNotFoundError(f"--python {name}: no such file")
        return os.path.abspath(name)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"--python {name}: no such file, and not a command on PATH")
    return found


def _order(interp: Interpreter) -> tuple:
    return (not interp.ok, interp.version_tuple, bool(interp.free_threaded), bool(interp.env),
            interp.executable)


def gil_forced_on(interp: Interpreter) -> Interpreter | None:
    """The same free-threaded interpreter run with ``PYTHON_GIL=1``, or None.

    None for a default build, for one whose GIL is already on (the user's own
    ``PYTHON_GIL=1``, say), and when the probe with the variable set does not
    report the GIL on (then there is no second row to show).
    """
    if not interp.ok or not interp.free_threaded or interp.gil_enabled is not False:
        return None
    forced = probe(interp.executable, interp.found_by, env=dict(interp.env, **GIL_FORCED_ON))
    if not forced.ok or forced.gil_enabled is not True:
        return None
    return forced


def find_interpreters(pythons: list[str] | None = None, *,
                      include_broken: bool = False,
                      gil_variants: bool = True) -> list[Interpreter]:
    """The interpreters to run experiments on, oldest version first.

    ``pythons``: paths (or command names) to use instead of searching; a
    name that does not exist raises :class:`FileNotFoundError` (a usage
    mistake). With ``include_broken`` the candidates that failed their probe
    are listed too (last), each with its ``problem``. With ``gil_variants``
    (the default) every free-threaded build whose GIL is off comes twice: as
    found, and with its GIL forced on (:func:`gil_forced_on`), right after it.
    """
    if pythons:
        wanted = [(_resolve_named(name), "--python") for name in pythons]
    else:
        wanted = candidates()
    kept: list[Interpreter] = []
    broken: list[Interpreter] = []
    seen_paths: set[str] = set()
    seen_builds: set[tuple] = set()
    seen_candidates: set[str] = set()
    for path, found_by in wanted:
        key = os.path.realpath(path)
        if key in seen_candidates:
            continue
        seen_candidates.add(key)
        interp = probe(path, found_by)
        if not interp.ok:
            broken.append(interp)
            continue
        real = interp.real_path or key
        build = (interp.implementation, interp.version, interp.free_threaded)
        if real in seen_paths:
            continue
        if found_by != "--python" and build in seen_builds:
            continue
        seen_paths.add(real)
        seen_builds.add(build)
        kept.append(interp)
        forced = gil_forced_on(interp) if gil_variants else None
        if forced is not None:
            kept.append(forced)
    kept.sort(key=_order)
    return kept + broken if include_broken else kept
