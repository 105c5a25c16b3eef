"""The convoy effect under every GIL policy of the simulator.

An echo server thread answers a client; next to it, one CPU-bound thread.
For each policy: the median round trip next to the CPU-bound thread,
divided by the round trip alone. Deterministic: same seed, same table.
"""

from gilexamples import sim


def main() -> None:
    print(f"{'policy':<16}{'alone':>10}{'loaded':>11}{'slowdown':>10}")
    for policy in sim.POLICIES:
        run = sim.simulate("convoy", policy=policy, cores=2, seconds=0.1, seed=0)
        m = run["metrics"]
        alone = f"{m['rtt_alone_s'] * 1e6:>8.0f}us"
        if m["starved"]:  # not a single round trip completed
            print(f"{policy:<16}{alone}{'never':>11}{'-':>10}  starved")
            continue
        verdict = "convoy" if m["slowdown"] > 10 else "fine"
        print(f"{policy:<16}{alone}{m['rtt_loaded_s'] * 1e6:>9.0f}us"
              f"{m['slowdown']:>9.1f}x  {verdict}")

if __name__ == "__main__":
    main()
