"""An import-linter contract for what import-linter cannot see: the lab's payload scripts.

``gilexamples/lab/payloads/*.py`` are scripts, run as files by interpreters
that do not have the package (Python 2.7 among them), so they are no package
of their own and the import graph does not list them. This contract reads
each one with :mod:`ast` and fails on any import of a forbidden package
(``gilexamples``): a payload may share code with another payload only through
``payloads/_common.py``. It is registered in pyproject.toml
(``[tool.importlinter] contract_types``) and runs with the others in
``lint-imports``.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from importlinter import Contract, ContractCheck, fields, output

__all__ = ["ScriptsImportNothingContract"]


def _imported_names(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module, node.lineno


class ScriptsImportNothingContract(Contract):
    """Scripts in ``folder`` (inside the root package) import none of ``forbidden``."""

    type_name = "scripts"

    folder = fields.StringField()
    forbidden = fields.ListField(subfield=fields.StringField())

    def _scripts(self) -> list[Path]:
        root = str(self.session_options["root_packages"][0])
        spec = importlib.util.find_spec(root)
        base = Path(next(iter(spec.submodule_search_locations)))
        folder = base / str(self.folder)
        return sorted(folder.glob("*.py"))

    def check(self, graph, verbose: bool) -> ContractCheck:
        scripts = self._scripts()
        forbidden = [str(name) for name in self.forbidden]
        found = []
        for path in scripts:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for name, line in _imported_names(tree):
                if any(name == bad or name.startswith(bad + ".") for bad in forbidden):
                    found.append(f"{path.name}:{line} imports {name}")
        if not scripts:
            found.append(f"no script found in {self.folder}")
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["found"]:
            output.print_error(line, bold=False)
            output.new_line()
