"""What builds the pages: used by mkdocs, the notebooks and the tests, not by readers' code.

* :mod:`~gilexamples.site.hooks`: the MkDocs hooks (``hooks:`` in mkdocs.yml);
* :mod:`~gilexamples.site.markers`: page markers (``<!-- lab-table: convoy -->``)
  replaced by stored results, drawn by :mod:`~gilexamples.site.tables`,
  :mod:`~gilexamples.site.plots` and :mod:`~gilexamples.site.stamps` (the
  sentences that say where and when), over :mod:`~gilexamples.site.runs`
  (stored runs grouped per interpreter);
* :mod:`~gilexamples.site.signals_table`: the signals notebook's table;
* :mod:`~gilexamples.site.timelines`: publishing the timelines (simulated and real);
* :mod:`~gilexamples.site.contract`: the docs contract (every example is run by a test);
* :mod:`~gilexamples.site.links` and :mod:`~gilexamples.site.linkcheck`: the
  external-link registry ``docs/links.yml``, checked offline and, on request, live.

This room sits on top, beside :mod:`gilexamples.cli`: it may import every
library room, and none of them imports it. It needs the ``docs`` dependency
group (matplotlib, PyYAML); the library rooms need nothing but the standard
library.
"""
