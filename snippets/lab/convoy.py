"""The convoy effect, measured on the interpreter running this script.

A thread serves a loopback echo; a client in another process times round
trips, first with the echo thread alone, then with one CPU-bound thread in
the same process. Under the switching GIL (3.2 to 3.12, and 3.13+ default
builds) each round trip waits for the CPU-bound thread to be made to let go
of the GIL: about one switch interval.
"""

import sys

from gilexamples.lab import run_experiment


def main() -> None:
    result = run_experiment("convoy", sys.executable, quick=True)
    m = result["metrics"]
    if m["verdict"] == "inconclusive":
        # The machine was too busy to time the GIL's hand-offs; say so, not a verdict.
        print(f"inconclusive: {m['why']}")
        return
    interval = sys.getswitchinterval()
    print(f"round trip alone:                  {m['rtt_alone_s'] * 1e6:8.0f} us")
    print(f"with one CPU-bound thread:         {m['rtt_loaded_s'] * 1e6:8.0f} us")
    print(f"slowdown:                          {m['slowdown']:8.0f} x")
    print(f"switch interval:                   {interval * 1e6:8.0f} us")
    print(f"requests that found the echo busy: {m['late_share']:8.0%}")
    waited = m["rtt_loaded_s"] > 0.5 * interval
    gil = result["python"]["gil_enabled"]
    print(f"GIL enabled:                       {gil}")
    print(f"waited about one switch interval:  {waited}")
    # With a GIL the wait is the rule; a free-threaded build has nothing to wait for.
    print(f"as the GIL predicts:               {waited == gil}")


if __name__ == "__main__":
    main()
