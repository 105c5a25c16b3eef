"""Which thread runs a Python signal handler? Always the main thread."""

from gilexamples.signals import who_runs_the_handler

HOW = {
    "main": "the main thread signals the process",
    "worker": "a busy worker signals the process",
    "pthread_kill": "a busy worker signals itself",
}


def main() -> None:
    result = who_runs_the_handler(busy_s=0.2)
    for case, seen in result.items():
        if seen["after_s"] < 0.5 * seen["worker_s"]:
            when = "while the worker was still busy"
        else:
            when = "only once join() returned"
        print(f"{HOW[case]}: handler ran in {seen['thread']}, {when} "
              f"({seen['after_s'] * 1e3:.1f} ms after the send, worker busy "
              f"{seen['worker_s'] * 1e3:.0f} ms)")


if __name__ == "__main__":
    main()
