"""Turn what the ``timeline`` payload recorded in a real interpreter into a trace.

The payload (``gilexamples/lab/payloads/timeline.py``) reports, per thread,
the stretches it was really executing Python (``run``), and for its I/O
thread the time blocked in I/O (``io``) and the time between the reply being
sent and Python running again (``wait``), all in integer ns on one clock.
This module adds what follows from those facts:

* a CPU-bound thread that is not running between two of its run stretches
  wanted to run: the gap is ``wait`` (for the GIL, or for a core: a real
  trace cannot tell them apart; with one core and a GIL it is mostly the GIL);
* with a GIL, a thread starting a run stretch has taken the GIL and one
  ending it has dropped it: ``take``/``drop`` events (inferred, not observed).
"""

from __future__ import annotations

from gilexamples.trace.format import FORMAT

__all__ = ["from_payload"]


def _clip_sorted(intervals: list[list]) -> list[list]:
    """Sort by start; trim an interval that starts before the previous one ends."""
    out: list[list] = []
    for t0, t1, state in sorted(intervals, key=lambda i: (i[0], i[1])):
        if out and t0 < out[-1][1]:
            t0 = out[-1][1]
        if t1 <= t0:
            continue
        if out and out[-1][1] == t0 and out[-1][2] == state:
            out[-1][1] = t1
        else:
            out.append([t0, t1, state])
    return out


def from_payload(metrics: dict, *, title: str, gil: bool = True, meta: dict | None = None) -> dict:
    """Convert the payload's ``metrics`` (with ``metrics["trace"]``) into a trace dict."""
    try:
        recorded = metrics["trace"]
        threads_in = recorded["threads"]
        end = int(recorded["end_ns"])
    except (KeyError, TypeError):
        raise ValueError("payload metrics have no timeline trace") from None
    threads = []
    events: list[list] = []
    for tid, thread in enumerate(threads_in):
        runs = [[int(a), int(b), "run"] for a, b in thread["run"] if b > a]
        intervals = list(runs)
        intervals += [[int(a), int(b), "io"] for a, b in thread.get("io", ())]
        intervals += [[int(a), int(b), "wait"] for a, b in thread.get("wait", ())]
        if thread.get("kind") == "cpu":
            runs.sort()
            intervals += [[a[1], b[0], "wait"] for a, b in zip(runs, runs[1:]) if b[0] > a[1]]
        intervals = _clip_sorted(intervals)
        threads.append({"id": tid, "name": thread["name"], "intervals": intervals})
        if gil:
            for t0, t1, state in intervals:
                if state == "run":
                    events.append([t0, tid, "take"])
                    events.append([t1, tid, "drop"])
    events.sort(key=lambda e: (e[0], 0 if e[2] == "drop" else 1, e[1]))
    info = {key: metrics[key] for key in ("workload", "clock", "seconds", "switch_interval_s",
                                          "check_interval", "overlap_s", "rtt_p50_s", "trips")
            if key in metrics}
    info["gap_ns"] = recorded.get("gap_ns")
    info["events"] = "take/drop inferred from the start and end of run stretches" if gil else "none"
    info.update(meta or {})
    return {"format": FORMAT, "source": "real", "title": title, "unit": "ns", "start": 0,
            "end": end, "threads": threads, "events": events, "meta": info, "stamp": {}}
