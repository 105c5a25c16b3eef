"""How the convoy scales with the switch interval (simulated, switching GIL).

An I/O thread that waits for the GIL after every blocking call waits about
one switch interval each time, so its round trip grows with the interval
while the round trip alone stays put.
"""

from gilexamples import sim


def main() -> None:
    print(f"{'interval':>9} {'round trip':>11} {'slowdown':>9} {'trip/interval':>14}")
    for interval_ms in (0.5, 1, 2, 5, 10):
        run = sim.simulate("convoy", policy="newgil", cores=2, seconds=0.2,
                           interval=interval_ms / 1000, seed=0)
        m = run["metrics"]
        print(f"{interval_ms:>7g}ms {m['rtt_loaded_s'] * 1e3:>9.2f}ms {m['slowdown']:>8.1f}x"
              f" {m['rtt_loaded_s'] / (interval_ms / 1000):>13.2f}")


if __name__ == "__main__":
    main()
