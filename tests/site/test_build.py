"""`mkdocs build --strict` passes with no warning and builds what the nav promises."""

from __future__ import annotations

import re

from mkdocs.config import load_config

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.build


def nav_files(nav) -> list[str]:
    """Every docs file named in the nav, depth first."""
    files = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            files.extend(nav_files(value))
        else:
            files.append(value)
    return files


def page_path(doc: str) -> str:
    """docs file -> built page: 'threads.md' -> 'threads/index.html'."""
    stem = re.sub(r"\.(md|ipynb)$", "", doc)
    return "index.html" if stem == "index" else f"{stem}/index.html"


NAV = nav_files(load_config(str(ROOT / "mkdocs.yml")).nav)


#: ipykernel (7.x) warns on every start that its loopback TCP sockets are not
#: encrypted. It is the notebook kernel talking to the build on this machine,
#: not a problem with the docs; it is the only log line let through.
KERNEL_TCP_NOTICE = "[IPKernelApp] WARNING | Kernel is running over TCP without encryption"


def test_build_is_strict_and_clean(built_site):
    assert built_site.returncode == 0, built_site.log[-4000:]
    warnings = [line for line in built_site.log.splitlines()
                if ("WARNING" in line or "ERROR" in line)
                and not line.startswith(KERNEL_TCP_NOTICE)]
    assert warnings == [], "\n".join(warnings)


def test_every_nav_page_is_built(built_site):
    assert len(NAV) >= 3
    missing = [doc for doc in NAV if not (built_site.dir / page_path(doc)).is_file()]
    assert missing == []


def test_every_page_in_docs_is_in_the_nav():
    pages = {p.relative_to(ROOT / "docs").as_posix()
             for pattern in ("*.md", "*.ipynb") for p in (ROOT / "docs").rglob(pattern)
             if ".ipynb_checkpoints" not in p.parts}
    assert pages - set(NAV) == set()


def test_notebooks_were_executed_and_plotted(built_site):
    notebooks = [doc for doc in NAV if doc.endswith(".ipynb")]
    assert notebooks, "the nav has no notebook page"
    for doc in notebooks:
        html = (built_site.dir / page_path(doc)).read_text(encoding="utf-8")
        plots = re.findall(r'<img[^>]*src="data:image/png;base64,', html)
        assert plots, f"{doc}: no plot in the built page"
        assert "Traceback" not in html, f"{doc}: a cell raised"


def test_snippets_are_inlined_not_left_as_include_lines(built_site):
    for doc in NAV:
        html = (built_site.dir / page_path(doc)).read_text(encoding="utf-8")
        assert "--8&lt;--" not in html and "--8<--" not in html, doc


def test_no_asset_from_another_host(built_site):
    """The site makes no request to another host: no fonts, scripts or styles from a CDN."""
    offenders = []
    for html_file in built_site.dir.rglob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", html):
            url = re.search(r'(?:src|href)="(https?:)?//([^/"]+)', tag)
            if url and not tag.startswith("<link rel=\"canonical\"") and "rel=\"canonical\"" not in tag:
                offenders.append(f"{html_file.relative_to(built_site.dir)}: {tag[:120]}")
    assert offenders == []


def build_tree(tmp_path, pages: dict[str, str], **env: str):
    """Build a small docs tree with this site's own mkdocs.yml; return the result."""
    import subprocess
    import sys

    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("gilexamples/site/hooks.py",
                            str(ROOT / "gilexamples/site/hooks.py"))
    config = config.split("\nnav:")[0] + "\n"  # every page of the tree, no nav
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    for folder in ("docs", "snippets", "gilexamples"):
        (tmp_path / folder).mkdir(exist_ok=True)
    for name, text in pages.items():
        (tmp_path / "docs" / name).write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1", **env},
    )


def test_strict_build_accepts_a_clean_tree(tmp_path):
    result = build_tree(tmp_path, {"index.md": "# Home\n\n[Other](other.md#part)\n",
                                   "other.md": "# Other\n\n## Part\n"})
    assert result.returncode == 0, result.stderr[-2000:]


def test_strict_build_rejects_a_broken_link(tmp_path):
    result = build_tree(tmp_path, {"index.md": "# Home\n\n[Gone](missing.md)\n"})
    assert result.returncode != 0
    assert "missing.md" in result.stderr


def test_strict_build_rejects_a_broken_anchor(tmp_path):
    result = build_tree(tmp_path, {"index.md": "# Home\n\n[Other](other.md#nowhere)\n",
                                   "other.md": "# Other\n"})
    assert result.returncode != 0
    assert "nowhere" in result.stderr


def test_strict_build_rejects_a_missing_snippet(tmp_path):
    result = build_tree(tmp_path, {
        "index.md": '# Home\n\n```python title="x"\n--8<-- "snippets/none/missing.py"\n```\n'})
    assert result.returncode != 0
    assert "missing.py" in result.stderr


def write_notebook(tmp_path, code: str) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    (tmp_path / "docs" / "notebooks").mkdir(parents=True)
    notebook = new_notebook(cells=[new_markdown_cell("# Bad"), new_code_cell(code)],
                            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                     "language": "python"}})
    nbformat.write(notebook, tmp_path / "docs" / "notebooks" / "bad.ipynb")


def test_strict_build_rejects_a_notebook_that_raises(tmp_path):
    write_notebook(tmp_path, "raise RuntimeError('cell 2 fails')")
    result = build_tree(tmp_path, {"index.md": "# Home\n"})
    assert result.returncode != 0
    assert "cell 2 fails" in result.stderr + result.stdout


def test_a_hanging_notebook_cell_fails_the_build_at_the_timeout(tmp_path):
    import time

    write_notebook(tmp_path, "import time\ntime.sleep(120)")
    start = time.monotonic()
    result = build_tree(tmp_path, {"index.md": "# Home\n"}, GILEXAMPLES_CELL_TIMEOUT="3")
    assert result.returncode != 0
    assert "timed out" in (result.stderr + result.stdout).lower()
    assert time.monotonic() - start < 60
