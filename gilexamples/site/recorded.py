"""Recorded output of the programs in snippets/: what a page shows under a program.

A page states the *shape* of a snippet's output under a marker::

    <!--snippet-output: snippets/threads/cpu_vs_io.py-->
    ```text
    workload     1 thread  2 threads  ratio
    countdown ...s ...s ...
    ```

The shape is doctest's: ``...`` stands for what varies (ids, timings). The
test suite runs the snippet and checks its live output against the shape.
The reader, though, should see a real run, not dots: at build time
:func:`render_markers` (an MkDocs hook) replaces the shape with the output
recorded in ``docs/results/snippets/<chapter>/<name>.json`` and adds a line
naming the machine, interpreter and date of the recording. The test suite
also checks that every recording still has the page's shape, so a page never
shows output its own claims do not fit.

Record (or refresh) with::

    python -m gilexamples site record-output                # every snippet a page shows
    python -m gilexamples site record-output snippets/x/y.py --python python2.7
"""

from __future__ import annotations

import datetime
import doctest
import json
import os
import re
import subprocess
import sys
from pathlib import Path

__all__ = ["OUTPUT", "RESULTS_SUBDIR", "stated_outputs", "recording_path", "load_recording",
           "record", "matches_shape", "render_markers", "stamp_text", "record_all"]

#: Where recordings live, relative to the docs folder.
RESULTS_SUBDIR = "results/snippets"

OUTPUT = re.compile(
    r"<!--\s*snippet-output:\s*(?P<path>\S+?)\s*-->[ \t]*\n(?P<indent>[ \t]*)```text\n"
    r"(?P<body>.*?)\n(?P=indent)```",
    re.S,
)

_CHECKER = doctest.OutputChecker()
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def matches_shape(shape: str, output: str) -> bool:
    """Does ``output`` fit the page's ``shape`` (``...`` matches anything)?"""
    return _CHECKER.check_output(shape.rstrip("\n") + "\n", output.rstrip("\n") + "\n", _FLAGS)


def _dedent(body: str, indent: str) -> str:
    return "\n".join(line[len(indent):] if line.startswith(indent) else line
                     for line in body.splitlines())


def stated_outputs(root: str | os.PathLike) -> dict[str, list[tuple[str, str]]]:
    """{snippet: [(page, shape), ...]} from every page's markers under ``root/docs``."""
    found: dict[str, list[tuple[str, str]]] = {}
    root = Path(root)
    for page in sorted((root / "docs").rglob("*.md")):
        for match in OUTPUT.finditer(page.read_text(encoding="utf-8")):
            body = _dedent(match.group("body"), match.group("indent"))
            found.setdefault(match.group("path"), []).append(
                (page.relative_to(root).as_posix(), body + "\n"))
    return found


def recording_path(docs_dir: str | os.PathLike, snippet: str) -> Path:
    """``snippets/threads/x.py`` -> ``docs/results/snippets/threads/x.json``."""
    rel = Path(snippet)
    if rel.parts and rel.parts[0] == "snippets":
        rel = Path(*rel.parts[1:])
    return Path(docs_dir) / RESULTS_SUBDIR / rel.with_suffix(".json")


def load_recording(docs_dir: str | os.PathLike, snippet: str) -> dict | None:
    path = recording_path(docs_dir, snippet)
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _python_label(python: str) -> dict:
    code = ("import platform, sys, sysconfig; "
            "print(platform.python_implementation() + ' ' + platform.python_version()"
            " + ('t' if sysconfig.get_config_var('Py_GIL_DISABLED') else ''))")
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60)
    return {"executable": python, "version": done.stdout.strip() or "unknown"}


def record(root: str | os.PathLike, snippet: str, python: str | None = None,
           timeout: float = 180.0) -> Path:
    """Run ``snippet`` as a script from ``root`` and store its output with a stamp.

    Raises :class:`RuntimeError` if the program fails (nothing is stored then).
    """
    from gilexamples.stamp import loadavg, machine

    root = Path(root)
    python = python or sys.executable
    started = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    load = loadavg()
    done = subprocess.run([python, snippet], cwd=root, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{snippet} exited {done.returncode}: {done.stderr.strip()[-300:]}")
    document = {
        "snippet": snippet,
        "stdout": done.stdout,
        "stamp": {"python": _python_label(python), "machine": machine(),
                  "date": started.isoformat(), "loadavg_start": load},
    }
    path = recording_path(root / "docs", snippet)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path


def stamp_text(document: dict) -> str:
    """'Recorded with CPython 3.11.7 on <CPU> (2 vCPUs, Linux 6.1), 2026-12-03.'"""
    from gilexamples.stamp import describe

    stamp = document.get("stamp", {})
    date = (stamp.get("date") or "an unknown date")[:10]
    python = stamp.get("python", {}).get("version", "an unknown Python")
    return f"Output recorded with {python} on {describe(stamp.get('machine', {}))}, {date}."


def render_markers(markdown: str, docs_dir: str | os.PathLike) -> str:
    """Replace each stated shape with the recorded output and its stamp line."""
    if "snippet-output" not in markdown:
        return markdown

    def replace(match: re.Match) -> str:
        indent, snippet = match.group("indent"), match.group("path")
        document = load_recording(docs_dir, snippet)
        shape = _dedent(match.group("body"), indent)
        if document is None or not matches_shape(shape, document.get("stdout", "")):
            why = "no recorded run" if document is None else "the recorded run no longer fits"
            # The match starts at "<!--", after the marker line's own indentation, so the
            # opening fence takes none of its own.
            return ("```text\n" + "\n".join(indent + line for line in shape.splitlines())
                    + f"\n{indent}```\n\n{indent}*Shape of the output ({why}; "
                    f"`...` varies from run to run).*")
        lines = document["stdout"].rstrip("\n").splitlines()
        body = "\n".join(indent + line if line else line for line in lines)
        return (f"```text\n{body}\n{indent}```\n\n"
                f'{indent}<p class="recorded-stamp" markdown>{stamp_text(document)}</p>')

    return OUTPUT.sub(replace, markdown)


def record_all(root: str | os.PathLike, snippets: list[str], python: str | None = None):
    """Record ``snippets`` (default: every one a page states output for).

    Yields one line per snippet: ``recorded: PATH``, ``RECORDED, BUT NOT THE
    PAGE SHAPE: PATH`` or ``FAILED SNIPPET: why``; the caller counts failures
    by the first word. Raises FileNotFoundError for a snippet that does not exist.
    """
    root = Path(root)
    chosen = snippets or sorted(stated_outputs(root))
    for snippet in chosen:
        if not (root / snippet).is_file():
            raise FileNotFoundError(f"no such snippet: {snippet}")
    for snippet in chosen:
        try:
            path = record(root, snippet, python)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            yield f"FAILED {snippet}: {error}"
            continue
        shapes = stated_outputs(root).get(snippet, [])
        fits = all(matches_shape(shape, json.loads(path.read_text())["stdout"])
                   for _, shape in shapes)
        yield f"{'recorded' if fits else 'RECORDED, BUT NOT THE PAGE SHAPE'}: {path}"
