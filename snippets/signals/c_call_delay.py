"""A timer signal during one long C call: the handler waits for the call to return."""

from gilexamples.signals import c_call_delay

TIMER_S = 0.05


def main() -> None:
    result = c_call_delay(timer_s=TIMER_S, call_s=0.3)
    print(f"the timer fires {TIMER_S * 1e3:.0f} ms after the work starts")
    for name, label in (("c_call", "sum(range(n)), one C call"),
                        ("python_loop", "a Python while loop")):
        seen = result[name]
        verdict = "waited for the work to end" if seen["at_end"] else "ran on time"
        print(f"{label}: took {seen['work_s'] * 1e3:.0f} ms; the handler {verdict} "
              f"({seen['late_s'] * 1e3:.2f} ms late)")


if __name__ == "__main__":
    main()
