"""Tables for the Locks chapter, rendered at build time from stored results.

Two page markers, each on a line of its own, replaced by
:func:`render_markers` (called from the MkDocs hook ``on_page_markdown``):

* ``<!-- handoff-table -->``: the "handoff" lab experiment
  (``docs/results/lab/handoff.json``), one row per interpreter, with the
  stamp line and busy-machine warning of every lab table;
* ``<!-- locks-floor-table -->``: the locks benchmark
  (``docs/results/locks-bench.json``) split into C calls times the
  foreign-call floor plus the remainder, with its stamp.

``<!-- handoff-value: VERSION METRIC -->`` puts one figure in prose
(``VERSION`` a version prefix such as ``3.12`` or ``3.13.15t``, matched on
whole components; the last matching row wins; ``METRIC`` one of
:data:`VALUES`).

Which lock ``threading.Lock`` is in each interpreter is decided here from
the version (:func:`lock_generation`), because the interpreters do not say:
``sys.thread_info.lock`` describes ``PyThread_type_lock`` (a ``sem_t`` on
Linux), which ``threading.Lock`` stopped using in 3.13.1 (gh-117721, the
backport merged the day after 3.13.0 was released).
"""

from __future__ import annotations

from gilexamples import units

import json
import re
from pathlib import Path

from gilexamples import stamp
from gilexamples.lab.results import load_results
from gilexamples.site.runs import gil
from gilexamples.site.stamps import load_warning, stamp_line

__all__ = ["render_markers", "handoff_table", "floor_table", "lock_generation", "VALUES",
           "MARKER", "INCONCLUSIVE"]

MARKER = re.compile(r"<!--\s*(?P<kind>handoff-table|locks-floor-table|handoff-value)"
                    r"\s*:?\s*(?P<arg>[^>]*?)\s*-->")

#: The mark of a row the payload called inconclusive (a busy machine).
INCONCLUSIVE = "‡"


def _version(run: dict) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", run["python"].get("version") or "")[:3])


def _name(run: dict) -> str:
    py = run["python"]
    return f"{py.get('version')}{'t' if py.get('free_threaded') else ''}"


def lock_generation(run: dict) -> str:
    """What ``threading.Lock`` is made of in the interpreter of this run (CPython on POSIX)."""
    version = _version(run)
    if version >= (3, 13, 1):
        return "PyMutex (parking lot)"
    impl = (run.get("metrics") or {}).get("thread_lock_impl") or "semaphore"
    return {"semaphore": "sem_t", "mutex+cond": "mutex + condition variable"}.get(impl, impl)


def _us(summary: dict | None, key: str = "median") -> str:
    """A summary's value, stored in microseconds, written as every duration is."""
    if not summary:
        return "none"
    return units.duration(summary[key] * 1e-6)


_seconds = units.duration


def _share(value) -> str:
    return units.percent(value, decimals=1)


def _rows(doc: dict) -> list[dict]:
    runs = [r for r in doc.get("runs", []) if r.get("setup", "all cores") == "all cores"]
    return sorted(runs, key=lambda r: (_version(r), bool(r["python"].get("free_threaded"))))


def handoff_table(doc: dict) -> str:
    """The hand-off table, its stamp line and (if any) the busy-machine warning."""
    header = ["Interpreter", "GIL", "threading.Lock is", "hand-off, median (p90)",
              "pipe wake-up, median", "taken straight back", "longest wait (greedy phase)",
              "waiters in", "other work, CPUs"]
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(" --- " if i < 3 else " ---: " for i in range(len(header))) + "|"]
    marked = False
    for run in _rows(doc):
        m = run.get("metrics")
        if m is None:
            cells = [_name(run), gil(run), lock_generation(run)] + \
                    ["skipped" if "skipped" in run else "error"] * (len(header) - 3)
        else:
            mark = f" {INCONCLUSIVE}" if _inconclusive(m) else ""
            marked = marked or bool(mark)
            g = m["greedy"]
            cells = [_name(run) + mark, gil(run), lock_generation(run),
                     f"{_us(m['handoff_us'])} ({_us(m['handoff_us'], 'p90')})",
                     _us(m["wakeup_us"]), _share(m["reacquire_share"]),
                     f"{_seconds(m['max_wait_s'])} of {_seconds(m['greedy_s'])}",
                     f"{g['handed_off']:,} of {g['contended']:,}",
                     f"{m['other_cpus']:.2f}" if m.get("other_cpus") is not None else "n/a"]
        lines.append("| " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n\n" + stamp_line(doc)
    if marked:
        text += "\n\n" + _inconclusive_note(_rows(doc))
    warning = load_warning(doc)
    return text + ("\n\n" + warning if warning else "")


def _span(values: list[float], fmt: str) -> str:
    low, high = fmt.format(min(values)), fmt.format(max(values))
    return low if low == high else f"{low} to {high}"


def _inconclusive(m: dict) -> bool:
    """Whether the payload called the run inconclusive: its ``verdict``, as every payload says it.

    A run without a verdict of "measured" or "inconclusive" (stored before the
    payload said it this way) is refused, not guessed at: regenerate it.
    """
    verdict = m.get("verdict")
    if verdict not in ("measured", "inconclusive"):
        raise ValueError(f"a handoff run with verdict {verdict!r}, not 'measured' or "
                         "'inconclusive': stored by an older payload? Regenerate it with "
                         "python -m gilexamples lab --experiment handoff")
    return verdict == "inconclusive"


def _inconclusive_note(runs: list[dict]) -> str:
    """One sentence for every row marked inconclusive: which test failed, and the range of figures."""
    marked = [r["metrics"] for r in runs if r.get("metrics") and _inconclusive(r["metrics"])]
    why = []
    busy = [m["other_cpus"] for m in marked if "other work" in m["why"]]
    if busy:
        why.append(f"other work on the machine used {_span(busy, '{:.2f}')} CPUs while they ran")
    slow = [m["wakeup_us"]["median"] for m in marked if "wake-up" in m["why"]]
    if slow:
        why.append(f"a woken thread waited {_span(slow, '{:,.0f}')} µs for a CPU")
    return (f"{INCONCLUSIVE}: inconclusive by the experiment's own test ({len(marked)} of "
            f"{len(runs)} rows): " + ", and ".join(why) + ", so other work, not the lock, "
            "decided who got it.")


#: Figures ``<!-- handoff-value: VERSION METRIC -->`` can show, and how.
VALUES = {
    "handoff_us": lambda m: _us(m["handoff_us"]),
    "wakeup_us": lambda m: _us(m["wakeup_us"]),
    "reacquire_share": lambda m: _share(m["reacquire_share"]),
    "max_wait_s": lambda m: _seconds(m["max_wait_s"]),
    "greedy_s": lambda m: _seconds(m["greedy_s"]),
    "handed_off": lambda m: f"{m['greedy']['handed_off']:,}",
    "contended": lambda m: f"{m['greedy']['contended']:,}",
}


def _matches(run: dict, wanted: str) -> bool:
    free = wanted.endswith("t")
    parts = wanted.rstrip("t").split(".")
    have = (run["python"].get("version") or "").split(".")
    return have[:len(parts)] == parts and bool(run["python"].get("free_threaded")) == free


def handoff_value(doc: dict | None, arg: str) -> str:
    parts = arg.split()
    if len(parts) != 2 or parts[1] not in VALUES:
        raise ValueError(f"bad handoff-value marker {arg!r}: use VERSION METRIC, "
                         f"METRIC one of {', '.join(VALUES)}")
    value = "(not measured)"
    for run in _rows(doc or {}):
        if _matches(run, parts[0]) and run.get("metrics"):
            value = VALUES[parts[1]](run["metrics"])
    return value


def floor_table(doc: dict) -> str:
    """Each lock's uncontended acquire+release as C calls x the ctypes floor + the rest."""
    floor = doc["floor"]["ctypes_call_ns"]["median"]
    lines = ["| lock | acquire + release | C calls | × floor | = in ctypes calls | remainder |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for row in doc["locks"]:
        if "unsupported" in row or row.get("c_calls") is None:
            continue
        lines.append(f"| `{row['name']}` | {row['uncontended_ns']['median']:,.0f} ns | "
                     f"{row['c_calls']} | {floor:,.0f} ns | {row['floor_ns']:,.0f} ns | "
                     f"{row['remainder_ns']:,.0f} ns |")
    s = doc["stamp"]
    m, py = s["machine"], s["python"]
    load = m.get("loadavg")
    line = (f"*Measured with `python -m gilexamples bench locks` on {stamp.describe(m)}, "
            f"CPython {py['version']}, {s['date']}; floor: `{doc['floor']['function']}` "
            f"through `ctypes.PyDLL`; medians of {doc['params']['repeat']} repeats of "
            f"{doc['params']['ops']:,} pairs; 1-minute load average "
            f"{load[0] if load else 'unknown'} before and "
            f"{doc['loadavg_after'][0] if doc.get('loadavg_after') else 'unknown'} after.*")
    text = "\n".join(lines) + "\n\n" + line
    cpus = m.get("cores") or 1
    if load and load[0] > 0.5 * cpus:
        text += ('\n\n!!! warning "Measured on a busy machine"\n\n'
                 f"    Other work kept the {cpus} CPUs busy (load average {load[0]:.2f}): "
                 "the nanoseconds may be inflated and noisy. Regenerate on a quiet machine "
                 "with `python -m gilexamples bench locks --json > docs/results/locks-bench.json`.\n")
    return text


def render_markers(markdown: str, docs_dir: str | Path) -> str:
    """Replace every marker of this module in ``markdown`` with what the stored results say."""
    if "handoff-" not in markdown and "locks-floor-table" not in markdown:
        return markdown
    docs = Path(docs_dir)

    def replace(match: re.Match) -> str:
        kind, arg = match.group("kind"), match.group("arg").strip()
        if kind == "locks-floor-table":
            path = docs / "results" / "locks-bench.json"
            if not path.is_file():
                return _missing("python -m gilexamples bench locks --json > "
                                "docs/results/locks-bench.json")
            return floor_table(json.loads(path.read_text(encoding="utf-8")))
        doc = load_results(docs / "results" / "lab", "handoff")
        if kind == "handoff-value":
            return handoff_value(doc, arg)
        if doc is None:
            return _missing("python -m gilexamples lab --experiment handoff "
                            "--out docs/results/lab")
        return handoff_table(doc)

    return MARKER.sub(replace, markdown)


def _missing(command: str) -> str:
    return f'!!! warning "No stored results"\n\n    Produce them with `{command}`.\n'
