"""Record a real timeline in this interpreter and check who ran when.

Runs the lab's ``timeline`` payload (two CPU-bound threads spinning on a
clock) in a child interpreter, the one running this script, then converts
what it recorded into a trace: with a GIL the threads' running stretches
never overlap by more than the clock's resolution; on a free-threaded build
they do.
"""

import sys

from gilexamples.lab.runner import run_experiment
from gilexamples.trace import run_overlap_ns, summary
from gilexamples.trace.measured import from_payload

#: How far apart two readings of the payload's clock can be at least, in ns:
#: Python 2.7 reads time.time() (1 us steps), 3.x time.perf_counter().
CLOCK_STEP_NS = {"time": 1_000, "perf_counter": 1}


def main() -> None:
    result = run_experiment("timeline", sys.executable, quick=True,
                            params={"workload": "cpu2", "seconds": 0.2})
    if "metrics" not in result:
        print("skipped:", result.get("skipped") or result.get("error"))
        return
    gil = result["python"]["gil_enabled"] is not False
    trace = from_payload(result["metrics"], title="this interpreter", gil=gil)
    facts = summary(trace)
    ran = {name: t["run_ns"] / 1e6 for name, t in facts["threads"].items()}
    print("GIL enabled:", gil)
    for name, ms in ran.items():
        print(f"{name} ran Python for {ms:.0f} ms")
    overlap = run_overlap_ns(trace)
    print(f"both at once: {overlap / 1e6:.3f} ms")
    # Two stretches of different threads can share a clock step without truly
    # overlapping: allow one step per stretch, far below any real overlap.
    stretches = sum(len(t["intervals"]) for t in trace["threads"])
    tolerance = CLOCK_STEP_NS.get(result["metrics"]["clock"], 1_000) * stretches
    # With a GIL, never; without one (and two CPUs), most of the time.
    expected = overlap <= tolerance if gil else overlap > tolerance
    print("as expected for this build:", "yes" if expected else "NO")


if __name__ == "__main__":
    main()
