"""``acquire(blocking=True, timeout=-1)``: the arguments exactly as _thread.lock reads them.

This follows ``lock_acquire_parse_args`` in Modules/_threadmodule.c and
``_PyTime_FromSecondsObject`` in Python/pytime.c, including their error
messages, which changed a little between versions (noted below).
``tests/test_locks.py`` compares every case with the running interpreter's
own ``_thread.lock``.
"""

from __future__ import annotations

import math
import operator
import sys

#: "no timeout": CPython stores -1 second as nanoseconds and compares with it.
UNSET_NS = -1_000_000_000
#: PY_TIMEOUT_MAX on POSIX (Include/pythread.h): LLONG_MAX / 1000 microseconds.
PY_TIMEOUT_MAX_US = (2**63 - 1) // 1000
_PYTIME_MIN, _PYTIME_MAX = -(2**63), 2**63 - 1
_C_INT_MIN, _C_INT_MAX = -(2**31), 2**31 - 1

_V = sys.version_info[:2]
#: 3.13 renamed the C type in the message and reworded the negative-timeout error.
_INT_OVERFLOW = ("timestamp too large to convert to C PyTime_t" if _V >= (3, 13)
                 else "timestamp too large to convert to C _PyTime_t")
#: 3.11 gave float overflow its own message.
_FLOAT_OVERFLOW = ("timestamp out of range for platform time_t" if _V >= (3, 11)
                   else _INT_OVERFLOW)
_NEGATIVE = ("timeout value must be a non-negative number" if _V >= (3, 13)
             else "timeout value must be positive")


def _blocking_flag(blocking) -> bool:
    if _V >= (3, 12):
        return bool(blocking)                   # "p" format: any object's truth value
    value = operator.index(blocking)            # "i" format: an int that fits a C int
    if value > _C_INT_MAX:
        raise OverflowError("signed integer is greater than maximum")
    if value < _C_INT_MIN:
        raise OverflowError("signed integer is less than minimum")
    return value != 0


def _seconds_to_ns(timeout) -> int:
    """_PyTime_FromSecondsObject(..., _PyTime_ROUND_TIMEOUT): round away from zero."""
    if isinstance(timeout, float):
        if math.isnan(timeout):
            raise ValueError("Invalid value NaN (not a number)")
        d = timeout * 1e9
        if not math.isfinite(d):
            raise OverflowError(_FLOAT_OVERFLOW)
        ns = math.ceil(d) if d >= 0 else math.floor(d)
        if not _PYTIME_MIN <= ns <= _PYTIME_MAX:
            raise OverflowError(_FLOAT_OVERFLOW)
        return ns
    seconds = operator.index(timeout)           # TypeError for str, Fraction, Decimal...
    ns = seconds * 1_000_000_000
    if not (_PYTIME_MIN <= seconds <= _PYTIME_MAX and _PYTIME_MIN <= ns <= _PYTIME_MAX):
        raise OverflowError(_INT_OVERFLOW)
    return ns


def parse_acquire_args(blocking, timeout) -> int:
    """How long ``acquire(blocking, timeout)`` may wait, in nanoseconds.

    Returns -1 to wait forever, 0 for a single try, or a positive timeout.
    Raises what ``_thread.lock.acquire`` raises for the same arguments.
    """
    if blocking is True and type(timeout) is int and timeout == -1:
        return -1                               # the common case: acquire()
    flag = _blocking_flag(blocking)
    ns = _seconds_to_ns(timeout)
    if not flag and ns != UNSET_NS:
        raise ValueError("can't specify a timeout for a non-blocking call")
    if ns < 0 and ns != UNSET_NS:
        raise ValueError(_NEGATIVE)
    if not flag:
        return 0
    if ns == UNSET_NS:
        return -1
    if -(-ns // 1000) > PY_TIMEOUT_MAX_US:
        raise OverflowError("timeout value is too large")
    return ns


def timeout_us(ns: int) -> int:
    """Nanoseconds to whole microseconds, rounded up (what CPython waits for)."""
    return -(-ns // 1000)
