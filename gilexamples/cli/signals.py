"""``python -m gilexamples signals DEMO``: run one demo of the signals chapter."""

from __future__ import annotations

import argparse

from gilexamples.cli.common import add_json_flag, print_json
from gilexamples.signals import delivery, faults

#: demo name -> (function, one-line help)
DEMOS = {
    "who": (delivery.who_runs_the_handler,
            "which thread runs the handler (sent by main, by a worker, aimed at a worker)"),
    "c-call": (delivery.c_call_delay, "how late a handler runs during a long C call"),
    "sleep": (delivery.sleep_with_handler, "a handler during time.sleep (PEP 475 resumes it)"),
    "lock": (delivery.lock_wait_with_handler, "a handler during a blocking lock wait"),
    "wakeup": (delivery.wakeup_fd_wakes_selector, "signal.set_wakeup_fd wakes a selector"),
    "threads": (delivery.threads_need_other_tools, "queue.Queue and threading.Event instead"),
    "subinterpreter": (delivery.subinterpreter_refuses_handlers,
                       "signal.signal in a sub-interpreter (private module, 3.8+)"),
    "crash": (faults.crash, "a child segfaults with faulthandler on"),
    "crash-off": (lambda: faults.crash(faulthandler_on=False),
                  "the same crash with faulthandler off"),
    "hang": (faults.hang, "dump_traceback_later(exit=True) ends a hung child"),
    "watchdog": (faults.watchdog, "dump_traceback_later in this process, cancelled or not"),
    "live-dump": (faults.live_dump, "faulthandler.register(SIGUSR1) dumps mid C call"),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "signals", help="run one demo of the signals chapter",
        description="Run one demo of the 'Signals and faulthandler' chapter. Demos: "
                    + "; ".join(f"{name}: {text}" for name, (_, text) in DEMOS.items()))
    parser.add_argument("demo", choices=sorted(DEMOS), metavar="DEMO",
                        help="one of: " + ", ".join(sorted(DEMOS)))
    add_json_flag(parser)
    parser.set_defaults(func=cmd_signals)


def _show(value, indent: str = "") -> None:
    for key, item in value.items():
        if isinstance(item, dict):
            print(f"{indent}{key}:")
            _show(item, indent + "  ")
        elif isinstance(item, str) and "\n" in item:
            print(f"{indent}{key}:")
            for line in item.rstrip("\n").splitlines() or [""]:
                print(f"{indent}  | {line}")
        elif isinstance(item, float):
            print(f"{indent}{key}: {item:.4f}")
        else:
            print(f"{indent}{key}: {item!r}")


def cmd_signals(args: argparse.Namespace) -> int:
    function, _ = DEMOS[args.demo]
    result = function()
    if args.json:
        print_json({"demo": args.demo, "result": result})
    else:
        _show(result)
    return 0
