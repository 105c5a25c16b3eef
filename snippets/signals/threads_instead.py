"""Signals cannot talk to threads: queue.Queue and threading.Event can."""

from gilexamples.signals import threads_need_other_tools


def main() -> None:
    seen = threads_need_other_tools()
    print(f"signal.signal() in a worker: ValueError: {seen['signal_signal_error']}")
    print(f"request through a queue.Queue, reply: {seen['queue_reply']!r}")
    print(f"threading.Event set: the waiting worker woke "
          f"{seen['event_stop_s'] * 1e6:.0f} µs later")


if __name__ == "__main__":
    main()
