"""Timelines of who holds the GIL: one format for simulated and real runs.

* :mod:`gilexamples.trace.format`: the trace format, validation, windows, summaries,
  and the :class:`TraceRecorder` a simulation (or a converter) reports to;
* :mod:`gilexamples.trace.measured`: turn what the lab's ``timeline`` payload
  recorded in a real interpreter (threads spinning on a clock) into the format;
* :mod:`gilexamples.trace.picture`: a static picture of a trace (matplotlib).

This room imports nothing else of the package but the small shared helpers:
the simulator and the lab feed it, the site publishes what it makes
(:mod:`gilexamples.site.timelines`).
"""

from gilexamples.trace.format import (EVENTS, FORMAT, STATES, TraceRecorder, dumps, run_overlap_ns,
                                      summary, validate, window)

__all__ = ["EVENTS", "FORMAT", "STATES", "TraceRecorder", "dumps", "run_overlap_ns", "summary",
           "validate", "window"]
