"""Timelines of who holds the GIL: one format for simulated and real runs.

* :mod:`gilexamples.trace.format`: the trace format, validation, windows, summaries;
* :mod:`gilexamples.trace.real`: run the ``timeline`` payload (a real interpreter's
  threads spinning on a clock) and convert what it recorded into the format;
* :mod:`gilexamples.trace.render`: a static picture of a trace (matplotlib);
* :mod:`gilexamples.trace.publish`: regenerate the site's timeline data and pictures.
"""

from gilexamples.trace.format import (EVENTS, FORMAT, STATES, Recorder, dumps, run_overlap_ns,
                                      summary, validate, window)

__all__ = ["EVENTS", "FORMAT", "STATES", "Recorder", "dumps", "run_overlap_ns", "summary",
           "validate", "window"]
