"""MkDocs hooks (listed under ``hooks:`` in mkdocs.yml).

``on_page_markdown`` turns the page markers (``<!-- lab-table: convoy -->``...)
into tables, plots and stamps of the stored lab results.

``on_config`` makes a plain ``mkdocs build`` self-contained: notebooks are
executed with a per-cell timeout, so a notebook that hangs fails the build
instead of stalling it. mkdocs-jupyter's executor reads
``NotebookClient.timeout`` from a Jupyter config directory; the hook writes
one and points ``JUPYTER_CONFIG_DIR`` at it. The timeout is
:data:`CELL_TIMEOUT_S`, or ``GILEXAMPLES_CELL_TIMEOUT`` seconds when set.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: Seconds one notebook cell may run before the build fails.
CELL_TIMEOUT_S = 300


def _jupyter_config(timeout: int) -> str:
    return (f"c.NotebookClient.timeout = {timeout}\n"
            f"c.ExecutePreprocessor.timeout = {timeout}\n")


def on_config(config, **kwargs):
    timeout = int(os.environ.get("GILEXAMPLES_CELL_TIMEOUT", CELL_TIMEOUT_S))
    config_dir = Path(tempfile.gettempdir()) / f"gilexamples-jupyter-{os.getuid()}-{timeout}"
    config_dir.mkdir(exist_ok=True)
    for name in ("jupyter_config.py", "jupyter_nbconvert_config.py"):
        (config_dir / name).write_text(_jupyter_config(timeout))
    os.environ["JUPYTER_CONFIG_DIR"] = str(config_dir)
    _playground_config(config)
    return config


def on_page_markdown(markdown, page, config, files, **kwargs):
    """Replace ``<!-- lab-table: NAME -->`` and friends with stored lab results
    (:mod:`gilexamples.site.markers`).

    Also: a snippet's stated output shape with its recorded run
    (:mod:`gilexamples.site.recorded`), ``<!-- myths-... -->`` markers with the
    myths results (:mod:`gilexamples.site.myths_tables`), ``<!-- ft-... -->``
    markers with the free-threading experiments
    (:mod:`gilexamples.site.freethreading_tables`), and the Locks chapter's
    hand-off and floor tables (:mod:`gilexamples.site.locks_tables`).
    """
    if "handoff-" in markdown or "locks-floor-table" in markdown:
        from gilexamples.site.locks_tables import render_markers as render_locks

        markdown = render_locks(markdown, config["docs_dir"])
    if "snippet-output" in markdown:
        from gilexamples.site.recorded import render_markers as render_recorded

        markdown = render_recorded(markdown, config["docs_dir"])
    if "myths-" in markdown:
        from gilexamples.site.myths_tables import render_markers as render_myths

        markdown = render_myths(markdown, config["docs_dir"])
    if "<!-- ft-" in markdown:
        from gilexamples.site.freethreading_tables import render_markers as render_ft

        markdown = render_ft(markdown, config["docs_dir"])
    if "lab-" not in markdown:
        return markdown
    from gilexamples.site.markers import render_markers

    return render_markers(markdown, config["docs_dir"])


# --- the playground page (logic in gilexamples.site.playground) ---
_playground = None


def _playground_config(config):
    """Load the playground's build logic only for a docs tree that has the page."""
    global _playground
    _playground = None
    if (Path(config["docs_dir"]) / "playground.md").is_file():
        from gilexamples.site import playground

        _playground = playground
        playground.on_config(config)


def on_page_content(html, page, config, files, **kwargs):
    if _playground is None:
        return html
    return _playground.on_page_content(html, page, config, files)


def on_post_build(config, **kwargs):
    if _playground is not None:
        _playground.on_post_build(config)
