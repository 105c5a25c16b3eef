"""The whole lab: every experiment, on every interpreter, in every CPU setup.

Most experiments run once per interpreter, unpinned ("all cores"). The two
whose point is the difference between one core and several (``countdown``
and ``response``) also run pinned to a single CPU ("one core"), when the
machine has more than one.
"""

from __future__ import annotations

from typing import Callable, Iterable

from gilexamples.lab.interpreters import Interpreter
from gilexamples.lab.runner import available_cpus, experiments, run_experiment

__all__ = ["PINNED_TOO", "setups", "plan", "run_lab"]

#: Experiments that also run pinned to one CPU.
PINNED_TOO = ("countdown", "response")


def setups(experiment: str) -> list[tuple[str, list[int] | None]]:
    """``[(label, cpus), ...]`` for one experiment on this machine."""
    cpus = available_cpus()
    found = [("all cores", None)]
    if experiment in PINNED_TOO and len(cpus) > 1:
        found.append(("one core", [cpus[0]]))
    return found


def plan(interpreters: Iterable[Interpreter],
         names: Iterable[str] | None = None) -> list[tuple[str, Interpreter, str, list[int] | None]]:
    """Every (experiment, interpreter, setup label, cpus) the lab will run, in order."""
    chosen = list(names) if names is not None else experiments()
    interps = [i for i in interpreters if i.ok]
    return [(name, interp, label, cpus)
            for name in chosen
            for interp in interps
            for label, cpus in setups(name)]


def run_lab(interpreters: Iterable[Interpreter], names: Iterable[str] | None = None, *,
            quick: bool = False, timeout: float | None = None,
            progress: Callable[[int, int, str], None] | None = None) -> dict[str, list[dict]]:
    """Run the plan; return ``{experiment: [run result, ...]}``.

    ``progress(done, total, what)`` is called before each run and once at the end.
    """
    steps = plan(interpreters, names)
    results: dict[str, list[dict]] = {}
    for done, (name, interp, label, cpus) in enumerate(steps):
        if progress:
            progress(done, len(steps), f"{name} on {interp.label} ({label})")
        run = run_experiment(name, interp, quick=quick, cpus=cpus, timeout=timeout)
        run["setup"] = label
        results.setdefault(name, []).append(run)
    if progress:
        progress(len(steps), len(steps), "done")
    return results
