"""Small docs trees built with this site's own mkdocs.yml and hooks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def build_playground_tree(tmp_path: Path, env: dict[str, str],
                          title: str = "The playground") -> subprocess.CompletedProcess:
    """A home page and a bare playground page (with the real playground assets), built
    --strict into tmp_path/site with ``env`` added to the environment."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("gilexamples/site/hooks.py",
                            str(ROOT / "gilexamples/site/hooks.py"))
    (tmp_path / "mkdocs.yml").write_text(config.split("\nnav:")[0] + "\n", encoding="utf-8")
    (tmp_path / "snippets").mkdir()
    (tmp_path / "gilexamples").symlink_to(ROOT / "gilexamples")   # mkdocs.yml watches it
    (tmp_path / "docs/assets").mkdir(parents=True)
    shutil.copytree(ROOT / "docs/assets/playground", tmp_path / "docs/assets/playground")
    shutil.copytree(ROOT / "docs/assets/timeline", tmp_path / "docs/assets/timeline",
                    ignore=shutil.ignore_patterns("data"))
    (tmp_path / "docs/index.md").write_text("# Home\n\n[Playground](playground.md)\n")
    shutil.copy(ROOT / "docs/assets/extra.css", tmp_path / "docs/assets/extra.css")
    (tmp_path / "docs/playground.md").write_text(f"# {title}\n\n<!-- playground -->\n")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env})
