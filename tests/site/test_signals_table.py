"""The signals notebook's table: the lab's signals experiment lined up per interpreter."""

from __future__ import annotations

import sys

from gilexamples.site import signals_table


def test_rows_come_from_the_lab_runner():
    rows = signals_table.run([sys.executable], quick=True, timeout=120)
    assert len(rows) == 1 and rows[0]["version"] == ".".join(map(str, sys.version_info[:3]))
    assert set(signals_table.KEYS) <= set(rows[0]["metrics"])


def test_table_marks_missing_features():
    text = signals_table.table([{"python": {"version": "2.7.18"},
                                 "metrics": {"handler_thread": "MainThread",
                                             "pthread_kill_handler_thread": None,
                                             "sleep_resumed": False}}])
    header, rule, row = text.splitlines()
    assert header.count("|") == rule.count("|") == row.count("|") == len(signals_table.KEYS) + 2
    assert row.startswith("| 2.7.18 | MainThread | n/a |") and "| no |" in row
