"""The house's size rule: a module that grows past a screenful of screens is doing
more than one job (the import rules are import-linter's, in ``make lint``)."""

from __future__ import annotations

from pathlib import Path

import gilexamples

#: The longest a module of the package may be, in lines.
MAX_LINES = 400


def test_no_module_is_longer_than_the_limit():
    package = Path(gilexamples.__file__).parent
    modules = sorted(package.rglob("*.py"))
    assert len(modules) > 20, f"found only {len(modules)} modules under {package}"
    too_long = {}
    for path in modules:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            too_long[str(path.relative_to(package))] = lines
    assert not too_long, f"modules over {MAX_LINES} lines (split them by job): {too_long}"
