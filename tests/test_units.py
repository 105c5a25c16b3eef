"""The small shared helpers: one way to write numbers, one percentile rule, one machine stamp."""

from __future__ import annotations

import ast
import os

import pytest

from gilexamples import stamp, units
from tests.conftest import ROOT


@pytest.mark.parametrize("seconds, text", [
    (0.00004, "40 µs"), (0.001, "1.00 ms"), (0.0123, "12.30 ms"), (1.5, "1.50 s"),
    (None, "n/a"), ("x", "n/a"), (True, "n/a"),
])
def test_duration(seconds, text):
    assert units.duration(seconds) == text


def test_ratio_rate_times():
    assert (units.ratio(1.234), units.rate(12345.6), units.times(2.5), units.times(12.4)) == (
        "1.23", "12,346", "2.50×", "12×")
    assert units.ratio(None) == units.rate(None) == units.times(None) == "n/a"


@pytest.mark.parametrize("values, fraction, expected", [
    ([1, 2, 3, 4], 0.5, 3),        # round() (half to even) would pick 2
    ([1, 2, 3, 4, 5, 6], 0.5, 4),  # int(2.5 + 0.5) = 3 -> 4; round(2.5) = 2 -> 3
    ([5, 1, 3], 0.5, 3),
    ([5, 1, 3], 0.0, 1),
    ([5, 1, 3], 1.0, 5),
    (list(range(100)), 0.99, 98),
    ([7], 0.9, 7),
    ([], 0.5, None),
])
def test_percentile_follows_the_payloads_rule(values, fraction, expected):
    assert units.percentile(values, fraction) == expected


def test_percentile_refuses_a_fraction_outside_0_1():
    with pytest.raises(ValueError, match="between 0 and 1"):
        units.percentile([1, 2], 50)


def _payload_percentile():
    """The percentile function written in a payload (payloads cannot import the package)."""
    for path in sorted((ROOT / "gilexamples" / "lab" / "payloads").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == "percentile":
                namespace: dict = {}
                exec(compile(ast.Module([node], []), str(path), "exec"), namespace)
                return namespace["percentile"]
    return None


def test_the_payloads_and_the_package_compute_the_same_percentile():
    """The simulator's percentiles (units.percentile) are the lab payloads' statistic."""
    theirs = _payload_percentile()
    if theirs is None:
        pytest.skip("no payload defines percentile() (shared through payloads/_common.py?)")
    samples = [[3, 1, 2, 9], [1, 2, 3, 4, 5, 6], list(range(37)), [0.5, 0.25]]
    for values in samples:
        for fraction in (0.0, 0.1, 0.5, 0.9, 0.99, 1.0):
            assert units.percentile(values, fraction) == theirs(values, fraction)


def test_machine_stamp_has_one_shape():
    m = stamp.machine()
    assert set(m) == {"cpu_model", "cores", "virtual", "system", "kernel", "arch"}
    assert m["cores"] == os.cpu_count()
    text = stamp.describe(m)
    assert m["cpu_model"] in text and f"{m['cores']} " in text and m["kernel"] in text


def test_describe_a_virtual_machine_and_missing_keys():
    assert stamp.describe({"cpu_model": "X", "cores": 2, "virtual": "kvm", "system": "Linux",
                           "kernel": "6.1"}) == "X (2 vCPUs of a kvm virtual machine, Linux 6.1)"
    assert stamp.describe({}) == "an unknown CPU (? cores, unknown system)"
