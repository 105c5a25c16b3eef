"""How long does a CPU-bound thread keep the GIL when another one wants it?

Two threads spin side by side; every time one notices that the other ran
since its own last turn, a switch is counted. The median time between
switches is the slice a thread gets. With the 3.2+ GIL it follows
sys.setswitchinterval; without a GIL the threads do not take turns at all.
"""

from gilexamples.threads import gil_info, measure_slices


def main() -> None:
    print(f"GIL enabled: {gil_info()['gil_enabled']}")
    print(f"{'interval':>9} {'median slice':>13} {'switches/s':>11}")
    for interval in (0.001, 0.005, 0.02):
        result = measure_slices(seconds=0.4, interval=interval)
        median = result["median_slice_s"]
        shown = "none" if median is None else f"{median * 1e3:.2f}ms"
        print(f"{interval * 1e3:>7.1f}ms {shown:>13} {result['slices_per_s']:>11.0f}")


if __name__ == "__main__":
    main()
