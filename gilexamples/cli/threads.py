"""Commands for one interpreter's threads: ``info``, ``split``, ``slices``."""

from __future__ import annotations

import argparse

from gilexamples import threads
from gilexamples.cli.common import (Progress, UsageError, add_json_flag, float_in, int_in,
                                    print_json)

#: Default work sizes: each takes a few tenths of a second on a 2020s laptop core.
DEFAULT_UNITS = {"countdown": 10_000_000, "hash": 128, "io": 20}
#: Largest work sizes: each takes some seconds per run.
MAX_UNITS = {"countdown": 500_000_000, "hash": 8192, "io": 1000}
#: Most threads, runs per side (split), seconds and switch interval (slices).
MAX_THREADS = 64
MAX_REPEAT = 50
MAX_SECONDS = 60.0
MIN_INTERVAL, MAX_INTERVAL = 1e-6, 1.0


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
    split.add_argument("--units", type=int_in(1),
                       help="amount of work, at least 1 (default: {}; at most: {})".format(
                           ", ".join(f"{k} {v}" for k, v in DEFAULT_UNITS.items()),
                           ", ".join(f"{k} {v}" for k, v in MAX_UNITS.items())))
    split.add_argument("--threads", type=int_in(1, MAX_THREADS), default=2,
                       help=f"threads to split the work over, 1 to {MAX_THREADS} (default 2)")
    split.add_argument("--repeat", type=int_in(1, MAX_REPEAT), default=3,
                       help=f"runs per side, 1 to {MAX_REPEAT}; the fastest is kept (default 3)")
    add_json_flag(split)
    split.set_defaults(func=cmd_split)

    slices = subparsers.add_parser(
        "slices", help="how long CPU-bound threads run before they must switch")
    slices.add_argument("--seconds", type=float_in(0, MAX_SECONDS), default=0.5,
                        help=f"how long the threads spin, more than 0 and at most "
                             f"{MAX_SECONDS:g} (default 0.5)")
    slices.add_argument("--interval", type=float_in(MIN_INTERVAL, MAX_INTERVAL, low_open=False),
                        help="switch interval to use, in seconds, "
                             f"{MIN_INTERVAL:g} to {MAX_INTERVAL:g} (default: leave as is)")
    slices.add_argument("--threads", type=int_in(1, MAX_THREADS), default=2,
                        help=f"spinning threads, 2 to {MAX_THREADS} (default 2)")
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
    if units > MAX_UNITS[args.workload]:
        raise UsageError(f"--units for {args.workload} must be at most "
                         f"{MAX_UNITS[args.workload]}: {units}")
    # One interleaved pair of runs at a time, keeping the fastest of each side:
    # the same as split_timing(repeat=N), with progress between the pairs.
    progress = Progress(enabled=not args.json)
    best: dict = {}
    for done in range(args.repeat):
        progress(done, args.repeat, f"{args.workload}: run {done + 1} of {args.repeat} per side")
        pair = threads.split_timing(args.workload, units, threads=args.threads, repeat=1)
        for key in ("sequential_s", "threaded_s"):
            best[key] = min(best.get(key, pair[key]), pair[key])
    progress(args.repeat, args.repeat, "done")
    result = {"threads": args.threads, "units": units, **best,
              "ratio": best["threaded_s"] / best["sequential_s"]}
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
