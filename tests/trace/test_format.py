"""The trace format: recording, validation, windows, summaries, conversion, pictures."""

from __future__ import annotations

import json

import pytest

from gilexamples import sim
from gilexamples.trace import FORMAT, TraceRecorder, dumps, run_overlap_ns, summary, validate, window
from gilexamples.trace.measured import from_payload
from gilexamples.trace.picture import render


class _T:
    def __init__(self, tid, name):
        self.tid, self.name = tid, name


def _recorded():
    rec = TraceRecorder()
    rec.add_thread(_T(0, "a"))
    rec.add_thread(_T(1, "b"))
    rec.state(0, 0, "run")
    rec.state(0, 1, "wait")
    rec.event(0, 0, "take")
    rec.state(10, 0, "run")      # same state: nothing new
    rec.state(50, 0, "wait")
    rec.event(50, 0, "drop")
    rec.state(50, 1, "run")
    rec.event(50, 1, "take")
    rec.close(100)
    return rec.trace("t", "sim", 100)


def test_recorder_coalesces_and_closes():
    trace = validate(_recorded())
    assert trace["format"] == FORMAT
    assert trace["threads"][0]["intervals"] == [[0, 50, "run"], [50, 100, "wait"]]
    assert trace["threads"][1]["intervals"] == [[0, 50, "wait"], [50, 100, "run"]]
    assert json.loads(dumps(trace)) == trace


def test_summary_and_overlap():
    trace = _recorded()
    facts = summary(trace)
    assert facts["switches"] == 1
    assert facts["threads"]["a"]["run_share"] == 0.5
    assert facts["longest_wait_ns"] == 50
    assert run_overlap_ns(trace) == 0
    trace["threads"][1]["intervals"][1] = [40, 100, "run"]
    trace["threads"][1]["intervals"][0] = [0, 40, "wait"]
    assert run_overlap_ns(trace) == 10


def test_window_trims_and_rebases():
    part = window(_recorded(), 25, 75)
    assert part["end"] == 50
    assert part["threads"][0]["intervals"] == [[0, 25, "run"], [25, 50, "wait"]]
    assert part["events"] == [[25, 0, "drop"], [25, 1, "take"]]
    with pytest.raises(ValueError, match="empty window"):
        window(_recorded(), 10, 10)


@pytest.mark.parametrize("breakage,message", [
    (lambda t: t.update(format="x"), "not a"),
    (lambda t: t["threads"][0]["intervals"].append([90, 95, "run"]), "overlap"),
    (lambda t: t["threads"][0]["intervals"].append([200, 150, "run"]), "bad interval"),
    (lambda t: t["threads"][0]["intervals"].append([200, 300, "sleeping"]), "unknown state"),
    (lambda t: t["events"].append([1, 0, "take"]), "sorted"),
    (lambda t: t["events"].append([200, 9, "take"]), "bad event"),
    (lambda t: t.pop("stamp"), "stamp"),
])
def test_validate_rejects(breakage, message):
    trace = _recorded()
    breakage(trace)
    with pytest.raises(ValueError, match=message):
        validate(trace)


def test_from_payload_fills_cpu_gaps_and_infers_gil_events():
    metrics = {"workload": "cpu+io", "overlap_s": 0.0, "trace": {
        "clock": "perf_counter", "gap_ns": 5000, "end_ns": 1000,
        "threads": [
            {"name": "cpu-1", "kind": "cpu", "run": [[0, 300], [600, 1000]]},
            {"name": "io", "kind": "io", "run": [[420, 600]], "io": [[300, 400]],
             "wait": [[400, 430]]},
        ]}}
    trace = validate(from_payload(metrics, title="x"))
    assert trace["source"] == "real"
    cpu, io = trace["threads"]
    assert cpu["intervals"] == [[0, 300, "run"], [300, 600, "wait"], [600, 1000, "run"]]
    assert io["intervals"] == [[300, 400, "io"], [400, 430, "wait"], [430, 600, "run"]]
    takes = [(t, tid) for t, tid, kind in trace["events"] if kind == "take"]
    assert takes == [(0, 0), (430, 1), (600, 0)]
    assert run_overlap_ns(trace) == 0
    nogil = from_payload(metrics, title="x", gil=False)
    assert nogil["events"] == []
    with pytest.raises(ValueError, match="no timeline"):
        from_payload({"workload": "cpu2"}, title="x")


def test_render_png_and_svg(tmp_path):
    run = sim.simulate("convoy", policy="newgil", seconds=0.03)
    trace = window(run["trace"], 0, 20_000_000)
    trace["stamp"] = {"interpreter": "sim", "machine": "test", "date": "today"}
    png = render(trace, tmp_path / "t.png")
    svg = render(trace, tmp_path / "t.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    assert "<svg" in svg.read_text()[:500]


def test_render_an_empty_window(tmp_path):
    trace = window(_recorded(), 200, 300)
    assert all(not t["intervals"] for t in trace["threads"])
    assert render(trace, tmp_path / "empty.png").stat().st_size > 1000
