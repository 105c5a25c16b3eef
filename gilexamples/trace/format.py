"""One trace format for simulated and real runs: who ran Python, who waited, when.

A trace is a plain JSON-serialisable dict::

    {
      "format": "gil-timeline/1",
      "source": "sim" or "real",
      "title": "two CPU threads, tick GIL, 2 cores",
      "unit": "ns",
      "start": 0, "end": 20000000,          # the window shown, in ns
      "threads": [
        {"id": 0, "name": "cpu-1", "intervals": [[t0, t1, "run"], ...]},
        ...
      ],
      "events": [[t, thread_id, "take"], ...],   # GIL events, sorted by time
      "meta": {...},                             # scenario, policy, parameters, metrics
      "stamp": {...}                             # machine, interpreter, date (publish adds it)
    }

Interval states:

* ``run``: the thread is executing Python code (it holds the GIL, if there is one);
* ``wait``: it wants to run Python but is not (waiting for the GIL; in a real
  trace of a CPU-bound thread, waiting for the GIL *or* for a core);
* ``io``: blocked in a system call (a socket read, a sleep) without the GIL;
* ``ready``: simulated only: it holds or wants no lock but has no core (the
  OS scheduler has not picked it yet).

GIL event kinds: ``request`` (a waiter asks the holder to drop the GIL),
``drop``, ``take``, ``fail`` (a waiter woke up and found the GIL taken again).
Times are integer nanoseconds from the start of the run.
"""

from __future__ import annotations

import json

__all__ = ["FORMAT", "STATES", "EVENTS", "TraceRecorder", "validate", "window", "dumps",
           "summary", "run_overlap_ns"]

FORMAT = "gil-timeline/1"
STATES = ("run", "wait", "io", "ready")
EVENTS = ("request", "drop", "take", "fail")


class TraceRecorder:
    """Collects intervals and events as a simulation (or a converter) reports them."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}
        self.intervals: dict[int, list[list]] = {}
        self.events: list[list] = []
        self._open: dict[int, tuple[int, str | None]] = {}

    def add_thread(self, thread) -> None:
        self.names[thread.tid] = thread.name
        self.intervals[thread.tid] = []
        self._open[thread.tid] = (0, None)

    def state(self, now: int, tid: int, state: str | None) -> None:
        start, current = self._open[tid]
        if state == current:
            return
        if current is not None and now > start:
            runs = self.intervals[tid]
            if runs and runs[-1][1] == start and runs[-1][2] == current:
                runs[-1][1] = now
            else:
                runs.append([start, now, current])
        self._open[tid] = (now, state)

    def event(self, now: int, tid: int, kind: str) -> None:
        self.events.append([now, tid, kind])

    def close(self, now: int) -> None:
        for tid in list(self._open):
            self.state(now, tid, None)

    def trace(self, title: str, source: str, end: int, meta: dict | None = None) -> dict:
        return {
            "format": FORMAT,
            "source": source,
            "title": title,
            "unit": "ns",
            "start": 0,
            "end": int(end),
            "threads": [{"id": tid, "name": self.names[tid], "intervals": self.intervals[tid]}
                        for tid in sorted(self.names)],
            "events": self.events,
            "meta": meta or {},
            "stamp": {},
        }


def validate(trace: dict) -> dict:
    """Check a trace's shape; return it, or raise ValueError saying what is wrong."""
    if not isinstance(trace, dict) or trace.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} trace")
    for key in ("source", "title", "start", "end", "threads", "events", "meta", "stamp"):
        if key not in trace:
            raise ValueError(f"trace has no {key!r}")
    if trace["source"] not in ("sim", "real"):
        raise ValueError(f"trace source must be sim or real, not {trace['source']!r}")
    start, end = trace["start"], trace["end"]
    if not (isinstance(start, int) and isinstance(end, int) and start <= end):
        raise ValueError("trace start/end must be ints with start <= end")
    ids = set()
    for thread in trace["threads"]:
        ids.add(thread["id"])
        last = None
        for interval in thread["intervals"]:
            t0, t1, state = interval
            if state not in STATES:
                raise ValueError(f"thread {thread['name']}: unknown state {state!r}")
            if not (isinstance(t0, int) and isinstance(t1, int) and t0 < t1):
                raise ValueError(f"thread {thread['name']}: bad interval {interval!r}")
            if last is not None and t0 < last:
                raise ValueError(f"thread {thread['name']}: intervals overlap or are unsorted")
            last = t1
    previous = None
    for when, tid, kind in trace["events"]:
        if tid not in ids or kind not in EVENTS:
            raise ValueError(f"bad event {[when, tid, kind]!r}")
        if previous is not None and when < previous:
            raise ValueError("events are not sorted by time")
        previous = when
    return trace


def window(trace: dict, start: int, end: int) -> dict:
    """The part of a trace between ``start`` and ``end`` ns, times rebased to 0."""
    if end <= start:
        raise ValueError(f"empty window: {start}..{end}")
    out = dict(trace)
    out["threads"] = []
    for thread in trace["threads"]:
        kept = []
        for t0, t1, state in thread["intervals"]:
            a, b = max(t0, start), min(t1, end)
            if a < b:
                kept.append([a - start, b - start, state])
        out["threads"].append(dict(thread, intervals=kept))
    out["events"] = [[t - start, tid, kind] for t, tid, kind in trace["events"]
                     if start <= t <= end]
    out["start"] = 0
    out["end"] = end - start
    out["meta"] = dict(trace.get("meta", {}), window_ns=[start, end])
    return out


def dumps(trace: dict) -> str:
    """Deterministic compact JSON text of a trace (same trace -> same bytes)."""
    return json.dumps(trace, sort_keys=True, separators=(",", ":"))


def run_overlap_ns(trace: dict) -> int:
    """Total time during which two or more threads were in ``run`` at once."""
    edges = []
    for thread in trace["threads"]:
        for t0, t1, state in thread["intervals"]:
            if state == "run":
                edges.append((t0, 1))
                edges.append((t1, -1))
    edges.sort(key=lambda e: (e[0], e[1]))
    overlap, depth, since = 0, 0, 0
    for when, step in edges:
        if depth >= 2:
            overlap += when - since
        depth += step
        since = when
    return overlap


def summary(trace: dict) -> dict:
    """Per-thread time in each state, GIL switches and the longest wait."""
    span = max(1, trace["end"] - trace["start"])
    threads = {}
    longest_wait = 0
    for thread in trace["threads"]:
        totals = dict.fromkeys(STATES, 0)
        for t0, t1, state in thread["intervals"]:
            totals[state] += t1 - t0
            if state == "wait":
                longest_wait = max(longest_wait, t1 - t0)
        threads[thread["name"]] = {"run_share": totals["run"] / span,
                                   **{f"{k}_ns": v for k, v in totals.items()}}
    switches, last = 0, None
    for _, tid, kind in trace["events"]:
        if kind == "take":
            if last is not None and tid != last:
                switches += 1
            last = tid
    fails = sum(1 for e in trace["events"] if e[2] == "fail")
    requests = sum(1 for e in trace["events"] if e[2] == "request")
    return {"threads": threads, "switches": switches, "failed_wakeups": fails,
            "requests": requests, "longest_wait_ns": longest_wait,
            "overlap_ns": run_overlap_ns(trace)}
