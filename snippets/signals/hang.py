"""faulthandler's watchdog: dump_traceback_later, in a hung child and in this process."""

from gilexamples.signals import hang, watchdog


def main() -> None:
    seen = hang(timeout_s=0.2)
    print(f"hung child: exit status {seen['status']} after {seen['seconds']:.2f} s")
    print(seen["stderr"].rstrip())
    reports = watchdog(timeout_s=0.05, slow_s=0.2)
    print(f"in-process, fast work, cancelled in time: {reports['fast_report']!r}")
    print("in-process, slow work:")
    print(reports["slow_report"].rstrip())


if __name__ == "__main__":
    main()
