"""faulthandler.register(SIGUSR1): every thread's traceback on demand, even mid C call."""

from gilexamples.signals import live_dump


def main() -> None:
    seen = live_dump(call_s=0.3)
    during = seen["dumped_after_s"] < 0.8 * seen["call_s"]
    print(f"the dump was written while the C call was still running: {during} "
          f"({seen['dumped_after_s'] * 1e3:.0f} ms into a {seen['call_s'] * 1e3:.0f} ms call)")
    print(seen["report"].rstrip())


if __name__ == "__main__":
    main()
