"""One way to write the numbers every room shows: durations, ratios, rates, percentiles.

* :func:`duration`: seconds as people read them, ``"40 µs"``, ``"1.00 ms"``,
  ``"1.50 s"`` (a space before the unit, always);
* :func:`ratio`, :func:`rate`, :func:`times`: ``"1.23"``, ``"12,345"``,
  ``"2.50×"``;
* :func:`percentile`: the rule the lab's payloads use (they cannot import
  this module, so they write it again, identically): the sorted values'
  entry at index ``int(fraction * (n - 1) + 0.5)``. The simulator uses it too,
  so that a simulated p50 and a measured one are the same statistic.

A value that is not a number (``None``, a missing metric) is written ``"n/a"``.
"""

from __future__ import annotations

from typing import Sequence, TypeVar

__all__ = ["NA", "duration", "ratio", "rate", "times", "percentile", "is_seconds"]

#: What a missing value is written as.
NA = "n/a"

T = TypeVar("T")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def duration(seconds) -> str:
    """``0.00004`` -> ``"40 µs"``, ``0.001`` -> ``"1.00 ms"``, ``1.5`` -> ``"1.50 s"``."""
    if not _number(seconds):
        return NA
    if abs(seconds) < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if abs(seconds) < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def ratio(value) -> str:
    """A ratio with two decimals: ``"1.23"``."""
    return f"{value:.2f}" if _number(value) else NA


def rate(value) -> str:
    """A count per second, whole, with thousands separators: ``"12,345"``."""
    return f"{value:,.0f}" if _number(value) else NA


def times(value) -> str:
    """A factor: ``"2.50×"`` below 10, ``"12×"`` from 10 on."""
    if not _number(value):
        return NA
    return f"{value:.0f}×" if value >= 10 else f"{value:.2f}×"


def percent(value, decimals: int = 0) -> str:
    """A share as a percentage: ``0.4066`` -> ``"41%"`` (``"40.7%"`` with one decimal)."""
    return f"{value * 100:.{decimals}f}%" if _number(value) else NA


def is_seconds(key: str) -> bool:
    """Whether a metric name holds seconds (``rtt_s``), not a rate (``switches_per_s``)."""
    return key.endswith("_s") and not key.endswith("_per_s")


def percentile(values: Sequence[T], fraction: float) -> T | None:
    """The sorted ``values``' entry at ``int(fraction * (n - 1) + 0.5)``; None when empty.

    ``fraction`` is between 0 and 1 (0.5: the median, the upper one of an even
    sample's middle two). Rounding half up, not Python's ``round()`` (half to
    even), so that Python 2.7 and 3.x payloads and this module agree.
    """
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction!r}")
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(fraction * (len(ordered) - 1) + 0.5)))
    return ordered[index]
