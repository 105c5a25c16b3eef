"""Blocking waits in the main thread are interrupted: the handler runs on time."""

import signal

from gilexamples.signals import (lock_wait_with_handler, sleep_with_handler,
                                 wakeup_fd_wakes_selector)

TIMER_S, WAIT_S = 0.05, 0.3


def verdict(seen: dict, ended: float) -> str:
    on_time = seen["handler_at_s"] < WAIT_S / 2
    text = "handler ran during the wait" if on_time else "handler waited for the wait"
    if seen["raised"]:
        return text + ("; its exception ended the wait" if ended < WAIT_S / 2 else "")
    return text + ("; the wait went on to the end" if ended >= 0.95 * WAIT_S
                   else "; the wait was cut short")


def main() -> None:
    for raise_it in (False, True):
        seen = sleep_with_handler(timer_s=TIMER_S, sleep_s=WAIT_S, raise_it=raise_it)
        print(f"time.sleep(0.3), handler {'raises' if raise_it else 'returns'}: "
              f"{verdict(seen, seen['slept_s'])} (handler at "
              f"{seen['handler_at_s'] * 1e3:.0f} ms, sleep ended at {seen['slept_s'] * 1e3:.0f} ms)")
    for raise_it in (False, True):
        seen = lock_wait_with_handler(timer_s=TIMER_S, hold_s=WAIT_S, raise_it=raise_it)
        print(f"lock.acquire(), handler {'raises' if raise_it else 'returns'}: "
              f"{verdict(seen, seen['waited_s'])} (handler at "
              f"{seen['handler_at_s'] * 1e3:.0f} ms, wait ended at {seen['waited_s'] * 1e3:.0f} ms)")
    seen = wakeup_fd_wakes_selector(timer_s=TIMER_S, timeout_s=2.0)
    woke = "at once" if seen["woke_after_s"] < 0.5 else "late"
    print(f"selector.select(timeout=2.0) with set_wakeup_fd: woke {woke} "
          f"({seen['woke_after_s'] * 1e3:.2f} ms after the signal), read byte "
          f"{seen['byte']} = {signal.Signals(seen['byte']).name}")


if __name__ == "__main__":
    main()
