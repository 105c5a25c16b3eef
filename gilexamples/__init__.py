"""gilexamples: the code behind the runnable CPython GIL guide.

Library rooms, each with its own job (a reader's code imports these):

* :mod:`gilexamples.threads`: what one interpreter's threads and GIL look like
  from the inside (native thread ids, switch interval, CPU-bound vs I/O-bound
  work split over threads, how long a thread keeps the GIL);
* :mod:`gilexamples.locks`: locks built on real libc primitives through
  ctypes (a mutex with a condition variable, a semaphore), their stress tests
  and benchmark against ``_thread.lock``;
* :mod:`gilexamples.sim`: a deterministic discrete-event simulator of the GIL
  on a small machine (kernel and OS scheduler, GIL policies from 2.x to
  free-threaded, the lab's scenarios replayed);
* :mod:`gilexamples.trace`: one timeline format for simulated and real runs,
  and its static picture;
* :mod:`gilexamples.signals`: who runs a signal handler and when, and what
  faulthandler shows of a crash or a hang (crash-prone demos in a child);
* :mod:`gilexamples.lab`: find the interpreters on a machine, run one portable
  payload script per experiment in each (``lab/payloads/``: Python 2.7 and
  3.6+, stdlib only), store the results with a machine stamp.

Small shared helpers below them: :mod:`gilexamples.stamp` (the machine
stamp) and :mod:`gilexamples.units` (durations, ratios, percentiles).

On top: :mod:`gilexamples.cli`, the command line (``python -m gilexamples``),
and :mod:`gilexamples.site`, what builds the pages (MkDocs hooks, tables,
plots, timelines, the docs contract, the link registry). Every import points
down; ``lint-imports`` checks it (contracts in pyproject.toml).
"""

__version__ = "0.1.0"
