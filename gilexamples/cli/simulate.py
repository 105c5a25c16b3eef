"""The ``simulate`` command: run a scenario on the simulated machine."""

from __future__ import annotations

import argparse
import json
import sys

from gilexamples import sim
from gilexamples.cli.common import (UsageError, add_json_flag, float_in, int_in, on_terminal,
                                    writable_file)
from gilexamples.trace.format import dumps

#: What each metric means, for the readable report.
LABELS = {
    "ratio": "threaded / sequential time",
    "slowdown": "round trip with CPU-bound threads / alone",
    "p50_s": "median lateness after a sleep",
    "p99_s": "99th percentile lateness after a sleep",
}

#: Runs with more hand-off periods than this say on a terminal that they are working.
NOTICE_PERIODS = 50_000


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "simulate", help="run a scenario on the deterministic GIL simulator",
        description="Replay an experiment (countdown, convoy, response) on a simulated "
                    "machine with a chosen GIL policy. Same arguments, same output. "
                    f"A run may hold at most {sim.MAX_PERIODS:,} GIL hand-off periods "
                    "(seconds / interval), which keeps it to a few seconds.")
    parser.add_argument("scenario", choices=sorted(sim.SCENARIOS))
    parser.add_argument("--policy", choices=list(sim.POLICIES), default="newgil",
                        help="GIL policy (default newgil)")
    parser.add_argument("--cores", type=int_in(1, sim.MAX_CORES), default=2,
                        help=f"simulated cores, 1 to {sim.MAX_CORES} (default 2)")
    parser.add_argument("--threads", type=int_in(1, sim.MAX_THREADS), default=2,
                        help="Python threads: countdown splits the work over them; convoy and "
                             "response run THREADS-IO_THREADS CPU-bound threads, at least one; "
                             f"1 to {sim.MAX_THREADS} (default 2)")
    parser.add_argument("--io-threads", type=int_in(1, sim.MAX_THREADS),
                        help="convoy: echo-server threads, response: sleeping threads (default 1)")
    parser.add_argument("--io-latency", metavar="SECONDS",
                        type=float_in(sim.MIN_IO_LATENCY, sim.MAX_IO_LATENCY, low_open=False),
                        help="how long each blocking call takes: convoy's one-way network delay "
                             "(default 1.2e-05), response's sleep (default 0.001); "
                             f"{sim.MIN_IO_LATENCY:g} to {sim.MAX_IO_LATENCY:g}")
    parser.add_argument("--seconds", type=float_in(0, sim.MAX_SECONDS), default=0.2,
                        help="countdown: CPU seconds of work; others: simulated time; more "
                             f"than 0 and at most {sim.MAX_SECONDS:g} (default 0.2)")
    parser.add_argument("--interval", type=float_in(sim.MIN_INTERVAL, sim.MAX_INTERVAL,
                                                    low_open=False),
                        help="switch interval in seconds (newgil, priority; default 0.005); "
                             "ticks: time between checks (default 100 ticks = 2.5e-06); "
                             f"{sim.MIN_INTERVAL:g} to {sim.MAX_INTERVAL:g}")
    parser.add_argument("--seed", type=int_in(0, sim.MAX_SEED), default=0,
                        help=f"random seed, 0 to {sim.MAX_SEED} (default 0)")
    parser.add_argument("--trace", metavar="FILE",
                        help="also write the run's timeline (gil-timeline/1 JSON) to FILE")
    add_json_flag(parser)
    parser.set_defaults(func=cmd_simulate)


def cmd_simulate(args: argparse.Namespace) -> int:
    if args.trace:
        writable_file(args.trace, "--trace")
    if on_terminal():
        gil = sim.GILParams()
        estimate = sim.periods(args.seconds, args.policy, gil) if args.interval is None else (
            0 if args.policy == "nogil" else args.seconds / args.interval)
        if estimate > NOTICE_PERIODS:
            print(f"simulating {estimate:,.0f} GIL hand-off periods...", file=sys.stderr,
                  flush=True)
    try:
        run = sim.simulate(args.scenario, policy=args.policy, cores=args.cores,
                           threads=args.threads, seconds=args.seconds, interval=args.interval,
                           seed=args.seed, trace=bool(args.trace), io_threads=args.io_threads,
                           io_latency=args.io_latency)
    except ValueError as error:
        raise UsageError(str(error)) from None
    trace = run.pop("trace")
    if args.trace:
        try:
            with open(args.trace, "w", encoding="utf-8") as handle:
                handle.write(dumps(trace))
        except OSError as error:
            raise UsageError(f"cannot write {args.trace}: {error.strerror}") from None
    if args.json:
        sys.stdout.write(sim.to_json(run))   # the same bytes as the site's playground
        return 0
    print(f"{args.scenario} on {args.cores} simulated core{'s' if args.cores > 1 else ''}, "
          f"policy {args.policy}, seed {args.seed}")
    for key, value in run["metrics"].items():
        shown = f"{value:.6g}" if isinstance(value, float) else json.dumps(value)
        label = f"  ({LABELS[key]})" if key in LABELS else ""
        print(f"  {key:<18} {shown}{label}")
    return 0
