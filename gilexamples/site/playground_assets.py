"""What the playground page loads on demand: the package code and Pyodide.

* :func:`package_modules` follows the import graph from :data:`WORKER_IMPORTS` (the
  modules worker.js imports) and :func:`package_zip` packs them: the simulator in the
  browser is the command line's code, whatever it comes to import.
* Pyodide is a pinned build dependency: ``docs/assets/playground/package.json`` and
  ``package-lock.json`` (exact version, integrity hashes), installed by
  ``make playground-deps`` with ``npm ci`` into ``.cache/playground``;
  :func:`find_pyodide` checks the installed copy against the lock file, and the page is
  served :data:`PYODIDE_FILES` and :func:`trimmed_lock`.
"""

from __future__ import annotations

import ast
import io
import json
import os
import zipfile
from pathlib import Path

import gilexamples

__all__ = ["WORKER_IMPORTS", "PYODIDE_FILES", "NPM_FOLDER", "DEFAULT_INSTALL", "ENV_PYODIDE",
           "package_modules", "package_zip", "pinned_pyodide", "find_pyodide", "trimmed_lock"]

#: The modules the worker imports (docs/assets/playground/worker.js): the roots of the zip.
WORKER_IMPORTS = ("gilexamples.sim", "gilexamples.trace.format")

#: What the page needs from the npm package (the lock file is written trimmed: see below).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")

NPM_FOLDER = Path("docs") / "assets" / "playground"  # package.json, package-lock.json
DEFAULT_INSTALL = Path(".cache") / "playground"     # where `make playground-deps` installs
ENV_PYODIDE = "GILEXAMPLES_PYODIDE_DIR"             # or point the build at another copy


def _package_dir() -> Path:
    return Path(gilexamples.__file__).resolve().parent


def _module_file(name: str, top: Path) -> Path | None:
    """gilexamples.sim.kernel -> .../gilexamples/sim/kernel.py (or the package's __init__)."""
    parts = name.split(".")
    if parts[0] != top.name:
        return None
    base = top.joinpath(*parts[1:])
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path, name: str, top: Path) -> set[str]:
    """Every gilexamples module ``path`` imports, anywhere in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            found.add(origin)
            found.update(f"{origin}.{alias.name}" for alias in node.names)  # submodules
    return {m for m in found if m.split(".")[0] == top.name and _module_file(m, top)}


def package_modules(roots=WORKER_IMPORTS) -> list[Path]:
    """The files of every gilexamples module reachable from ``roots`` by imports,
    with the ``__init__.py`` of every package on the way, sorted."""
    top = _package_dir()
    todo = list(roots)
    for root in roots:
        if _module_file(root, top) is None:
            raise ValueError(f"{root} is not a module of {top}")
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))   # parent packages
        todo.extend(_imports(_module_file(name, top), name, top))
    return sorted(_module_file(name, top) for name in seen)


def package_zip(roots=WORKER_IMPORTS) -> bytes:
    """A zip of :func:`package_modules`, the same bytes for the same sources."""
    top = _package_dir()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in package_modules(roots):
            info = zipfile.ZipInfo(f"{top.name}/{path.relative_to(top).as_posix()}",
                                   date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


# -- Pyodide ---------------------------------------------------------------------------------
def pinned_pyodide(config_dir: Path) -> str | None:
    """The Pyodide version package-lock.json pins (None: this docs tree has no playground)."""
    lock_file = Path(config_dir) / NPM_FOLDER / "package-lock.json"
    if not lock_file.is_file():
        return None
    lock = json.loads(lock_file.read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/pyodide"]["version"]


def find_pyodide(config_dir: Path) -> tuple[Path | None, str]:
    """(folder of the installed npm package, version) or (None, why it is missing)."""
    config_dir = Path(config_dir)
    pinned = pinned_pyodide(config_dir)
    if pinned is None:
        return None, f"{NPM_FOLDER / 'package-lock.json'} is missing"
    chosen = os.environ.get(ENV_PYODIDE)
    folder = (Path(chosen) if chosen
              else config_dir / DEFAULT_INSTALL / "node_modules" / "pyodide")
    manifest = folder / "package.json"
    if not manifest.is_file():
        return None, (f"Pyodide is not installed in {folder} (make playground-deps installs it "
                      "with npm)")
    version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    if version != pinned:
        return None, (f"{folder} holds Pyodide {version}, the lock file pins {pinned} "
                      "(run make playground-deps)")
    missing = [name for name in PYODIDE_FILES + ("pyodide-lock.json",)
               if not (folder / name).is_file()]
    if missing:
        return None, f"{folder} lacks {', '.join(missing)}"
    return folder, version


def trimmed_lock(folder: Path) -> bytes:
    """Pyodide's lock file without its package list: the page needs the standard library
    only, and with no package listed Pyodide has nothing it could fetch from anywhere."""
    lock = json.loads((folder / "pyodide-lock.json").read_text(encoding="utf-8"))
    return (json.dumps({"info": lock["info"], "packages": {}}, sort_keys=True) + "\n").encode()
