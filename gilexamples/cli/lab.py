"""The lab's commands: ``interpreters``, ``run`` and ``lab``."""

from __future__ import annotations

import argparse

from gilexamples import units
from gilexamples.cli.common import (Progress, UsageError, add_json_flag, float_in, print_json,
                                    writable_dir)
from gilexamples.lab.interpreters import Interpreter, find_interpreters, python_label
from gilexamples.lab.results import make_stamp, write_results
from gilexamples.lab.runner import (UnknownExperiment, experiments, parse_cpus, payload_path,
                                    run_experiment)
from gilexamples.lab.suite import run_lab

#: Longest --timeout accepted, in seconds.
MAX_TIMEOUT_S = 3600.0


def register(subparsers: argparse._SubParsersAction) -> None:
    interps = subparsers.add_parser(
        "interpreters", help="list the Python interpreters the lab finds, and their GIL")
    _add_python(interps)
    interps.add_argument("--all", action="store_true",
                         help="also list candidates that were skipped, with the reason")
    add_json_flag(interps)
    interps.set_defaults(func=cmd_interpreters)

    run = subparsers.add_parser(
        "run", help="run one lab experiment under each interpreter found")
    run.add_argument("experiment", metavar="EXPERIMENT",
                     help="one of: " + ", ".join(experiments()))
    _add_python(run)
    run.add_argument("--cpus", metavar="LIST",
                     help="pin the child interpreters to these CPUs, e.g. 0 or 0,1 or 0-3")
    run.add_argument("--quick", action="store_true", help="small sizes: seconds, not minutes")
    _add_timeout(run)
    add_json_flag(run)
    run.set_defaults(func=cmd_run)

    lab = subparsers.add_parser(
        "lab", help="run every experiment on every interpreter found, optionally store the results")
    _add_python(lab)
    lab.add_argument("--quick", action="store_true", help="small sizes: seconds, not minutes")
    lab.add_argument("--out", metavar="DIR",
                     help="write one stamped JSON file per experiment into DIR "
                          "(created if needed; checked before anything runs)")
    lab.add_argument("--experiment", action="append", metavar="NAME", dest="experiments",
                     help="only this experiment (repeatable; default: all)")
    _add_timeout(lab)
    add_json_flag(lab)
    lab.set_defaults(func=cmd_lab)


def _add_python(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--python", action="append", metavar="PATH", dest="pythons",
                        help="use this interpreter (repeatable); default: search PATH and pyenv; "
                             "one that cannot be run is a usage error")


def _add_timeout(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeout", type=float_in(0, MAX_TIMEOUT_S), metavar="SECONDS",
                        help="seconds before one run is killed, more than 0 and at most "
                             f"{MAX_TIMEOUT_S:g} (default 120 quick, 600 full)")


def _find(args, include_broken: bool = False) -> list[Interpreter]:
    """The interpreters to use. One the user named that cannot be probed is a usage error."""
    try:
        found = find_interpreters(args.pythons, include_broken=include_broken or bool(args.pythons))
    except FileNotFoundError as error:
        raise UsageError(str(error)) from None
    if args.pythons:
        for interp in found:
            if not interp.ok:
                raise UsageError(f"--python {interp.executable}: cannot be used as a Python "
                                 f"interpreter: {interp.problem}")
    return found


def _interval(interp: Interpreter) -> str:
    if interp.check_interval is not None:
        return f"check interval {interp.check_interval} ticks"
    if interp.switch_interval_s is not None:
        return f"switch interval {interp.switch_interval_s * 1e3:g} ms"
    return "-"


def _gil(interp: Interpreter) -> str:
    build = "free-threaded build" if interp.free_threaded else "default build"
    forced = " (forced by " + ", ".join(f"{k}={v}" for k, v in interp.env.items()) + ")" \
        if interp.env else ""
    return f"{build}, GIL {'on' if interp.gil_enabled else 'off'}{forced}"


def cmd_interpreters(args: argparse.Namespace) -> int:
    found = _find(args, include_broken=True)
    good = [i for i in found if i.ok]
    bad = [i for i in found if not i.ok]
    if args.json:
        print_json({"interpreters": [i.to_dict() for i in good],
                    "skipped": [{"executable": i.executable, "found_by": i.found_by,
                                 "reason": i.problem} for i in bad]})
        return 0
    if not good:
        print("no working Python interpreter found")
    width = max([len(i.label) for i in good] + [0])
    for interp in good:
        print(f"{interp.label:<{width}}  {_gil(interp)}, lock {interp.lock or 'n/a'}, "
              f"{_interval(interp)}  {interp.executable}")
    free = [i for i in good if i.free_threaded]
    if not free:
        print("no free-threaded build found (add one with --python /path/to/python3.13t)")
    if bad and args.all:
        for interp in bad:
            print(f"skipped {interp.executable}: {interp.problem}")
    elif bad:
        print(f"({len(bad)} candidate(s) skipped; --all lists them with the reason)")
    return 0


def _check_experiment(name: str) -> str:
    try:
        payload_path(name)
    except UnknownExperiment as error:
        raise UsageError(str(error)) from None
    return name.replace("_", "-")


def _number(value) -> str:
    if value is None:
        return "-"
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _scalars(metrics: dict) -> str:
    """The numbers of a run on one line; a dict of numbers (``lost_updates``, ``by_threads``)
    as ``name[key=value ...]``, a dict of strings (``crashed``) likewise, and a
    ``verdict`` with its reason."""
    parts = []
    for key, value in metrics.items():
        if key == "verdict" and isinstance(value, str):
            reason = metrics.get("why")
            parts.append(f"verdict={value}" + (f" ({reason})" if reason else ""))
            continue
        if isinstance(value, dict) and value and len(value) <= 8 and all(
                v is None or isinstance(v, (int, float, str)) and not isinstance(v, bool)
                for v in value.values()):
            inner = " ".join(f"{k}={v if isinstance(v, str) else _number(v)}"
                             for k, v in value.items())
            parts.append(f"{key}[{inner}]")
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if units.is_seconds(key):
            parts.append(f"{key}={units.duration(value)}")
        elif isinstance(value, float):
            parts.append(f"{key}={value:.3g}")
        else:
            parts.append(f"{key}={value}")
    return ", ".join(parts)


def _run_line(run: dict) -> str:
    name = python_label(run["python"])
    where = f" [{run['setup']}]" if run.get("setup") else ""
    if "metrics" in run:
        return f"  {name}{where}: {_scalars(run['metrics'])}"
    if "skipped" in run:
        return f"  {name}{where}: skipped: {run['skipped']}"
    return f"  {name}{where}: ERROR: {run['error']}"


def cmd_run(args: argparse.Namespace) -> int:
    name = _check_experiment(args.experiment)
    try:
        cpus = parse_cpus(args.cpus)
    except ValueError as error:
        raise UsageError(f"--cpus: {error}") from None
    found = _find(args)
    runs = []
    progress = Progress(enabled=args.json)  # the text report prints a line per run anyway
    for done, interp in enumerate(found):
        progress(done, len(found), f"{name} on {interp.label}")
        runs.append(run_experiment(name, interp, quick=args.quick, cpus=cpus,
                                   timeout=args.timeout))
        if not args.json:
            print(_run_line(runs[-1]), flush=True)
    progress(len(found), len(found), "done")
    if args.json:
        print_json({"experiment": name, "runs": runs})
    elif not found:
        print("no working Python interpreter found")
    failed = runs and all("error" in run for run in runs)
    return 1 if failed else 0


def cmd_lab(args: argparse.Namespace) -> int:
    names = [_check_experiment(n) for n in args.experiments] if args.experiments else experiments()
    if args.out:
        writable_dir(args.out, "--out")
    found = _find(args)
    if not found:
        raise UsageError("no working Python interpreter found (name one with --python PATH)")
    stamp = make_stamp(args.argv, quick=args.quick)
    progress = Progress(enabled=not args.json)
    timing: dict[str, dict] = {}
    results = run_lab(found, names, quick=args.quick, timeout=args.timeout, progress=progress,
                      timing=timing)
    written = []
    if args.out:
        for name, runs in results.items():
            # Each file carries its own experiment's dates and load, not the whole lab's.
            written.append(str(write_results(args.out, name, runs,
                                             dict(stamp, **timing.get(name, {})))))
    if args.json:
        print_json({"stamp": stamp, "results": results, "written": written})
        return 0
    for name, runs in results.items():
        print(name)
        for run in runs:
            print(_run_line(run))
    for path in written:
        print(f"wrote {path}")
    if not any(i.free_threaded for i in found):
        print("no free-threaded build was found: add one with --python /path/to/python3.13t")
    return 0
