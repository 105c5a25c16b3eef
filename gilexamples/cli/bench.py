"""``python -m gilexamples bench locks``: the package's locks against ``_thread.lock``.

``bench`` takes what to measure as a positional choice; ``locks`` is the one
benchmark today. Another benchmark adds a choice here and a branch in
:func:`cmd_bench`.
"""

from __future__ import annotations

import argparse
import sys

from gilexamples.cli.common import add_json_flag, int_in, print_json

#: What ``bench`` can measure: name -> one-line help.
BENCH_TARGETS = {
    "locks": "each lock's uncontended acquire+release (ns) and two-thread hand-off "
             "round trip (us), as ratios to _thread.lock",
}


#: Largest sizes accepted: each keeps one measurement to seconds.
MAX_REPEAT = 100
MAX_OPS = 10_000_000
MAX_ROUNDS = 1_000_000


def register(subparsers: argparse._SubParsersAction) -> None:
    bench = subparsers.add_parser(
        "bench", help="benchmarks: measure side by side, print medians and ratios",
        description="Run a benchmark. Targets: " + "; ".join(
            f"{name}: {text}" for name, text in sorted(BENCH_TARGETS.items())))
    bench.add_argument("target", choices=sorted(BENCH_TARGETS), metavar="TARGET",
                       help="what to measure: " + ", ".join(sorted(BENCH_TARGETS)))
    bench.add_argument("--quick", action="store_true",
                       help="small sizes, for a smoke test (numbers are noisier)")
    bench.add_argument("--repeat", type=int_in(1, MAX_REPEAT),
                       help=f"measurements per lock, 1 to {MAX_REPEAT}; medians are reported")
    bench.add_argument("--ops", type=int_in(1, MAX_OPS),
                       help="locks: acquire+release pairs per uncontended measurement, "
                            f"1 to {MAX_OPS}")
    bench.add_argument("--rounds", type=int_in(1, MAX_ROUNDS),
                       help=f"locks: round trips per ping-pong measurement, 1 to {MAX_ROUNDS}")
    add_json_flag(bench)
    bench.set_defaults(func=cmd_bench)


def cmd_bench(args: argparse.Namespace) -> int:
    return bench_locks(args)  # argparse has checked that the target is "locks"


def bench_locks(args: argparse.Namespace) -> int:
    from gilexamples.locks import bench

    sizes = dict(bench.QUICK if args.quick else bench.DEFAULTS)
    for key in ("ops", "rounds", "repeat"):
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)

    def progress(text: str) -> None:
        if not args.json:
            print(f"  {text}", file=sys.stderr, flush=True)

    result = bench.run(progress=progress, **sizes)
    if args.json:
        print_json(result)
        return 0
    s = result["stamp"]
    print(f"locks on {s['machine']['system']} {s['machine']['arch']}, "
          f"Python {s['python']['version']} (sys.thread_info.lock = "
          f"{s['python']['thread_info']['lock']!r}), {s['date']}")
    print(f"medians of {sizes['repeat']}: {sizes['ops']} acquire+release pairs, "
          f"{sizes['rounds']} ping-pong round trips")
    print(f"  {'lock':<17} {'uncontended':>12} {'ratio':>7} {'ping-pong':>11} {'ratio':>7}")
    for row in result["locks"]:
        if "unsupported" in row:
            print(f"  {row['name']:<17} unsupported here: {row['unsupported']}")
            continue
        pp = row["pingpong_us"]
        pp_text = f"{pp['median']:8.1f} us" if pp else "        n/a"
        pr_text = f"{row['pingpong_ratio']:6.2f}x" if pp else "      -"
        print(f"  {row['name']:<17} {row['uncontended_ns']['median']:9.0f} ns "
              f"{row['uncontended_ratio']:6.2f}x {pp_text} {pr_text}")
    return 0

