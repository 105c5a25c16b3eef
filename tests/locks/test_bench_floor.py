"""The locks benchmark against its floor: one bare ctypes call.

``uncontended_c_calls`` (how many C calls one uncontended acquire+release
makes) is counted here by wrapping every foreign function a lock calls, so
the benchmark's arithmetic rests on a checked number, not a typed one.
"""

from __future__ import annotations

import json

import pytest

from gilexamples.locks import LOCK_TYPES, UnsupportedPrimitive, bench, mutexcond, semaphore
from tests.conftest import ROOT

STORED = ROOT / "docs" / "results" / "locks-bench.json"


class _Counter:
    def __init__(self):
        self.calls: list[str] = []

    def wrap(self, name, fn):
        def counted(*args):
            self.calls.append(name)
            return fn(*args)
        return counted


def _count_calls(cls, monkeypatch) -> list[str]:
    try:
        lock = cls()
    except UnsupportedPrimitive as error:
        pytest.skip(f"{cls.__name__} is not available here: {error}")
    module = {"MutexCondLock": mutexcond, "SemaphoreLock": semaphore}[cls.__name__]
    counter = _Counter()
    calls = module._calls                       # this thread's function objects
    for name, fn in list(vars(calls).items()):
        if callable(fn) and hasattr(fn, "argtypes"):
            monkeypatch.setattr(calls, name, counter.wrap(name, fn))
    for name, fn in list(module._fns.items()):
        monkeypatch.setitem(module._fns, name, counter.wrap(name, fn))
    lock.acquire()
    lock.release()
    made = list(counter.calls)
    lock.close()                                # close() looks at the lock too: not counted
    return made


@pytest.mark.parametrize("cls", list(LOCK_TYPES.values()), ids=lambda c: c.__name__)
def test_uncontended_c_calls_is_what_the_lock_does(cls, monkeypatch):
    calls = _count_calls(cls, monkeypatch)
    assert len(calls) == cls.uncontended_c_calls, calls


def test_floor_is_measured_and_rows_add_up():
    doc = bench.run(ops=300, rounds=10, repeat=2)
    _check_floor(doc)


def test_stored_result_has_the_floor():
    _check_floor(json.loads(STORED.read_text()))


def _check_floor(doc: dict) -> None:
    floor = doc["floor"]
    assert floor["function"] == bench.FLOOR_FUNCTION
    runs = floor["ctypes_call_ns"]["runs"]
    assert len(runs) == doc["params"]["repeat"] and all(x > 0 for x in runs)
    median = floor["ctypes_call_ns"]["median"]
    rows = {row["name"]: row for row in doc["locks"] if "unsupported" not in row}
    assert rows["_thread.lock"]["c_calls"] == 0
    for cls in LOCK_TYPES.values():
        row = rows.get(cls.__name__)
        if row is None:
            continue
        assert row["c_calls"] == cls.uncontended_c_calls
        assert row["floor_ns"] == pytest.approx(row["c_calls"] * median, rel=1e-3, abs=0.11)
        assert row["floor_ns"] + row["remainder_ns"] == pytest.approx(
            row["uncontended_ns"]["median"], abs=0.2)
        # a lock that makes C calls through ctypes costs at least those calls
        fastest = min(row["uncontended_ns"]["runs"])
        assert fastest > row["c_calls"] * min(runs) * 0.8, row
