"""gilexamples: the code behind the runnable CPython GIL guide.

Subpackages, each a "room" with its own job:

* ``gilexamples.threads``: what one interpreter's threads and GIL look like
  from the inside (native thread ids, switch interval, measured CPU-bound vs
  I/O-bound behaviour).
* ``gilexamples.sitebuild``: the docs contract checker and the MkDocs hooks
  that render stored results into pages.

The command line lives in :mod:`gilexamples.cli` (``python -m gilexamples``).
"""

__version__ = "0.1.0"
