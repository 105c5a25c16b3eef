"""MkDocs hooks (listed under ``hooks:`` in mkdocs.yml).

``on_config`` makes a plain ``mkdocs build`` self-contained:

* notebooks are executed with a per-cell timeout, so a notebook that hangs
  fails the build instead of stalling it (mkdocs-jupyter's executor reads
  ``NotebookClient.timeout`` from a Jupyter config directory);
* matplotlib draws with the non-interactive Agg backend.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: Seconds one notebook cell may run before the build fails.
CELL_TIMEOUT_S = 300

_CONFIG = (
    f"c.NotebookClient.timeout = {CELL_TIMEOUT_S}\n"
    f"c.ExecutePreprocessor.timeout = {CELL_TIMEOUT_S}\n"
)


def on_config(config, **kwargs):
    config_dir = Path(tempfile.gettempdir()) / f"gilexamples-jupyter-{os.getuid()}"
    config_dir.mkdir(exist_ok=True)
    for name in ("jupyter_config.py", "jupyter_nbconvert_config.py"):
        (config_dir / name).write_text(_CONFIG)
    os.environ["JUPYTER_CONFIG_DIR"] = str(config_dir)
    os.environ.setdefault("MPLBACKEND", "Agg")
    return config
