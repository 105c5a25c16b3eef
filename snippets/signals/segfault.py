"""A child process segfaults, with faulthandler on and then off."""

from gilexamples.signals import crash


def main() -> None:
    for on in (True, False):
        seen = crash(faulthandler_on=on)
        print(f"faulthandler {'on' if on else 'off'}: exit status {seen['status']} "
              f"({seen['signal']}), {len(seen['stderr'])} characters on stderr")
        if seen["stderr"]:
            print(seen["stderr"].rstrip())


if __name__ == "__main__":
    main()
