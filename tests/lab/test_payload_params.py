"""Every payload reads its parameters one way: ``_common.params()``, and the same under 2.7 and 3.x."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from gilexamples.lab.interpreters import pyenv_root
from gilexamples.lab.runner import payload_path

PAYLOADS = payload_path("countdown").parent
SCRIPTS = sorted(p for p in PAYLOADS.glob("*.py") if not p.name.startswith("_"))


def _calls(tree: ast.AST):
    """Dotted names of every call in ``tree``: '_common.params', 'json.loads'..."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func, parts = node.func, []
            while isinstance(func, ast.Attribute):
                parts.append(func.attr)
                func = func.value
            if isinstance(func, ast.Name):
                yield ".".join([func.id, *reversed(parts)]), node


def _reads_argv(node: ast.Call) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "argv" for n in ast.walk(node))


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_every_payload_reads_its_parameters_with_common_params(path):
    calls = list(_calls(ast.parse(path.read_text())))
    assert any(name == "_common.params" for name, _ in calls), \
        f"{path.name} does not call _common.params()"
    own = [node.lineno for name, node in calls if name == "json.loads" and _reads_argv(node)]
    assert not own, f"{path.name} parses sys.argv itself (lines {own})"


PROBE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import _common
out = []
for given in ([], ['{}'], ['{"quick": true}'], ['{"quick": false, "n": "7", "s": 2}']):
    sys.argv = ["payload"] + given
    p = _common.params()
    out.append([p.quick, p.number("n", int, 1, 2), p.number("s", float, 0.5, 1.5),
                p.number("k", int, 3), sorted(p)])
print(json.dumps(out))
"""

EXPECTED = [
    [True, 1, 0.5, 3, ["quick"]],             # no argument: a quick run
    [False, 2, 1.5, 3, []],                   # full-size defaults
    [True, 1, 0.5, 3, ["quick"]],
    [False, 7, 2.0, 3, ["n", "quick", "s"]],  # given values, converted
]


def _pythons() -> list[str]:
    root = pyenv_root()
    py27 = root / "versions" / "2.7.18" / "bin" / "python" if root else None
    return [sys.executable] + ([str(py27)] if py27 and py27.exists() else [])


@pytest.mark.parametrize("python", _pythons(), ids=["this python", "2.7.18"][:len(_pythons())])
def test_params_defaults_and_conversions(python):
    done = subprocess.run([python, "-c", PROBE, str(PAYLOADS)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got == EXPECTED
    assert all(isinstance(row[2], float) for row in got)
