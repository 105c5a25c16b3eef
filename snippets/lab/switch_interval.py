"""Turn the switching GIL's knob and watch the I/O thread's round trip follow it.

``sys.setswitchinterval`` sets how long a thread that wants the GIL waits
before it asks the holder to drop it. The convoy round trip (one CPU-bound
thread in the server process) should grow with it, about one for one: what
the CPU-bound thread adds to the round trip alone is about one interval.
"""

import sys

from gilexamples.lab import run_experiment


def main() -> None:
    settings = [0.001, 0.002, 0.005, 0.01]
    result = run_experiment("switch-interval", sys.executable, quick=True,
                            params={"settings": settings})
    m = result["metrics"]
    if m["verdict"] == "inconclusive":
        print(f"inconclusive: {m['why']}")
        return
    print(f"round trip alone: {m['rtt_alone_s'] * 1e3:.2f} ms")
    for row in m["settings"]:
        print(f"switch interval {row['setting'] * 1e3:3.0f} ms -> "
              f"round trip {row['rtt_s'] * 1e3:6.2f} ms, "
              f"{row['added_s'] / row['setting']:.2f} intervals added")
    print(f"slope: {m['slope']:.2f} (seconds of round trip per second of interval)")
    grows = 0.6 < m["slope"] < 1.8  # one wait per round trip
    print(f"grows with the interval: {grows}")
    # Without a GIL (a free-threaded build) the knob has nothing to act on.
    print(f"as the GIL predicts: {grows == result['python']['gil_enabled']}")


if __name__ == "__main__":
    main()
