"""The docs contract checker finds every way an example can escape the tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from gilexamples.cli import main as cli_main
from gilexamples.site import contract
from tests.conftest import ROOT


def make_tree(tmp_path: Path, page: str, snippets: dict[str, str] | None = None) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.md").write_text(textwrap.dedent(page))
    for rel, body in (snippets or {}).items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    return tmp_path


def kinds(root: Path) -> list[str]:
    return [p.kind for p in contract.check_tree(root)]


def test_the_real_docs_keep_the_contract():
    problems = contract.check_tree(ROOT)
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.parametrize("opener", [
    "```py",
    "```python3",
    '```python title="demo.py"',
    "```python hl_lines=\"1\"",
    "```python linenums=\"1\"",
    "``` python",
    "```{.python}",
    "~~~python",
    "~~~~python",
])
def test_python_fences_that_would_not_run_are_reported(tmp_path, opener):
    closer = opener[:3] if opener.startswith("~") else "```"
    root = make_tree(tmp_path, f"""
        # Page

        {opener}
        print("never runs")
        {closer}
        """)
    problems = contract.check_tree(root)
    assert [p.kind for p in problems] == ["silent-skip"]
    assert problems[0].line == 4
    assert "page.md" in problems[0].path


def test_indented_fence_inside_a_content_tab_is_checked(tmp_path):
    root = make_tree(tmp_path, """
        === "3.13+"

            ```py
            print("in a tab")
            ```
        """)
    assert kinds(root) == ["silent-skip"]


def test_exact_python_fence_passes(tmp_path):
    root = make_tree(tmp_path, """
        ```python
        print("runs")
        ```

        === "tab"

            ```python
            print("runs too")
            ```
        """)
    assert kinds(root) == []


def test_unmarked_shell_block_is_reported(tmp_path):
    root = make_tree(tmp_path, """
        ```bash
        make serve
        ```

        ```console
        $ make serve
        ```
        """)
    assert kinds(root) == ["unmarked-shell"]


def test_skip_without_reason_is_reported_and_with_reason_passes(tmp_path):
    root = make_tree(tmp_path, """
        <!--pytest.mark.skip-->
        ```python
        print("skipped, no reason")
        ```

        <!--pytest.mark.skip(reason="needs a free-threaded build")-->
        ```python
        print("skipped, with a reason")
        ```
        """)
    assert kinds(root) == ["skip-without-reason"]


def test_missing_and_orphan_snippets_are_reported(tmp_path):
    root = make_tree(tmp_path, """
        <!--pytest.mark.skip-->
        ```python
        --8<-- "snippets/demo/missing.py"
        ```
        """, snippets={"snippets/demo/orphan.py": "print('nobody includes me')\n"})
    problems = contract.check_tree(root)
    assert sorted(p.kind for p in problems) == ["missing-snippet", "orphan-snippet"]
    assert {p.path for p in problems} == {"docs/page.md", "snippets/demo/orphan.py"}


def test_include_with_title_passes_and_counts_as_included(tmp_path):
    root = make_tree(tmp_path, """
        ```python title="snippets/demo/ok.py"
        --8<-- "snippets/demo/ok.py"
        ```
        """, snippets={"snippets/demo/ok.py": "print('hi')\n"})
    assert kinds(root) == []


def test_include_in_a_plain_python_fence_needs_a_skip_mark(tmp_path):
    root = make_tree(tmp_path, """
        ```python
        --8<-- "snippets/demo/ok.py"
        ```
        """, snippets={"snippets/demo/ok.py": "print('hi')\n"})
    assert kinds(root) == ["include-not-skipped"]


def test_section_suffix_of_an_include_names_the_file(tmp_path):
    root = make_tree(tmp_path, """
        <!--pytest.mark.skip-->
        ```python
        --8<-- "snippets/demo/ok.py:3:5"
        ```
        """, snippets={"snippets/demo/ok.py": "a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n"})
    assert kinds(root) == []


def test_cli_exit_status(tmp_path, capsys):
    root = make_tree(tmp_path, """
        ```py
        x = 1
        ```
        """)
    assert cli_main(["site", "contract", str(root)]) == 1
    assert "silent-skip" in capsys.readouterr().out
    assert cli_main(["site", "contract", str(tmp_path / "nowhere")]) == 2
