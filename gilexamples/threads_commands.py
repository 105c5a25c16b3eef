"""Commands for one interpreter's threads: ``info``, ``split``, ``slices``."""

from __future__ import annotations

import argparse

from gilexamples import threads
from gilexamples.cliutil import UsageError, add_json_flag, positive_float, positive_int, print_json

#: Default work sizes: each takes a few tenths of a second on a 2020s laptop core.
DEFAULT_UNITS = {"countdown": 10_000_000, "hash": 128, "io": 20}


def register(subparsers: argparse._SubParsersAction) -> None:
    info = subparsers.add_parser(
        "info", help="this interpreter's version, build, GIL state, switch interval, lock type")
    add_json_flag(info)
    info.set_defaults(func=cmd_info)

    split = subparsers.add_parser(
        "split", help="time a workload done by one thread vs split over several")
    split.add_argument("workload", choices=sorted(threads.WORKLOADS),
                       help="countdown: pure Python; hash: C code that releases the GIL; "
                            "io: blocking socket reads")
    split.add_argument("--units", type=positive_int,
                       help="amount of work (default: %s)" % ", ".join(
                           f"{k} {v}" for k, v in DEFAULT_UNITS.items()))
    split.add_argument("--threads", type=positive_int, default=2)
    split.add_argument("--repeat", type=positive_int, default=3,
                       help="runs per side; the fastest is kept (default 3)")
    add_json_flag(split)
    split.set_defaults(func=cmd_split)

    slices = subparsers.add_parser(
        "slices", help="how long CPU-bound threads run before they must switch")
    slices.add_argument("--seconds", type=positive_float, default=0.5)
    slices.add_argument("--interval", type=positive_float,
                        help="switch interval to use, in seconds (default: leave as is)")
    slices.add_argument("--threads", type=positive_int, default=2)
    add_json_flag(slices)
    slices.set_defaults(func=cmd_slices)


def cmd_info(args: argparse.Namespace) -> int:
    info = threads.gil_info()
    if args.json:
        print_json(info)
    else:
        width = max(map(len, info))
        for key, value in info.items():
            print(f"{key:<{width}}  {value}")
    return 0


def cmd_split(args: argparse.Namespace) -> int:
    units = args.units or DEFAULT_UNITS[args.workload]
    result = threads.split_timing(args.workload, units, threads=args.threads,
                                  repeat=args.repeat)
    result = {"workload": args.workload, "python": threads.gil_info(), **result}
    if args.json:
        print_json(result)
    else:
        print(f"{args.workload}: {units} units, fastest of {args.repeat}")
        print(f"  1 thread:   {result['sequential_s']:.4f} s")
        print(f"  {args.threads} threads:  {result['threaded_s']:.4f} s")
        print(f"  ratio {result['ratio']:.2f} (1.00 = no gain; "
              f"{1 / args.threads:.2f} = perfect split)")
    return 0


def cmd_slices(args: argparse.Namespace) -> int:
    if args.threads < 2:
        raise UsageError("--threads must be at least 2: one thread never switches")
    result = threads.measure_slices(args.seconds, interval=args.interval,
                                    threads=args.threads)
    result["gil_enabled"] = threads.gil_info()["gil_enabled"]
    if args.json:
        print_json(result)
    else:
        median = result["median_slice_s"]
        shown = "n/a" if median is None else f"{median * 1e3:.2f} ms"
        print(f"switch interval {result['interval_s'] * 1e3:.2f} ms: "
              f"{result['switches']} switches, median slice {shown}")
    return 0
