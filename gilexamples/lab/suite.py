"""The whole lab: every experiment, on every interpreter, in every CPU setup.

Most experiments run once per interpreter, unpinned ("all cores"). The
four whose point is the difference between one core and several
(``countdown``, ``response``, ``convoy`` and ``switch-interval``) also run
pinned to a single CPU ("one core"), when the machine has more than one. The
pinned convoy runs with one CPU-bound thread, 200 round trips and no
short-pause repeat (``PINNED_PARAMS``). The quick lab (``quick=True``) runs
the same plan with the small sizes of ``QUICK_LAB_PARAMS``, on all cores
only: a dozen interpreters in about a minute.
"""

from __future__ import annotations

from typing import Callable, Iterable

from gilexamples.lab.interpreters import Interpreter
from gilexamples.stamp import loadavg, now_utc
from gilexamples.lab.runner import available_cpus, experiments, run_experiment

__all__ = ["PINNED_TOO", "PINNED_PARAMS", "QUICK_LAB_PARAMS", "PINNED_IN_QUICK", "setups", "plan", "run_lab"]

#: Experiments that also run pinned to one CPU.
PINNED_TOO = ("countdown", "response", "convoy", "switch-interval")

#: The experiments the quick lab also runs pinned: none (the one-core comparisons are
#: the full lab's; ``run --cpus`` runs any experiment pinned).
PINNED_IN_QUICK: tuple[str, ...] = ()

#: The quick lab's sizes: smaller than a payload's own quick defaults (which the tests
#: use to check claims), so that the whole lab covers a dozen interpreters in about a
#: minute. Each still shows its experiment's shape; verdicts of runs this short are more
#: often "inconclusive", never reversed.
QUICK_LAB_PARAMS: dict[str, dict] = {
    "convoy": {"trips": 6, "budget_s": 0.15},
    "countdown": {"total": 2000000, "repeat": 1, "capacity_s": 0.05},
    "handoff": {"greedy_s": 0.1, "polite_handoffs": 40, "wakeups": 40},
    "myths": {"seconds": 0.02, "rounds": 10},
    "overhead": {"n": 5000, "repeat": 3},
    "races": {"seconds": 0.03, "repeat": 1},
    "response": {"samples": 20, "budget_s": 0.5},
    "scaling": {"repeat": 1, "total": 1000000},
    "signals": {"timer_s": 0.01, "c_call_s": 0.05},
    "startup": {"starts": 2, "busy_starts": 1, "cutoff_s": 0.3},
    "switch-interval": {"trips": 5, "budget_s": 0.1},
}

#: Payload parameters for the pinned ("one core") run of an experiment.
PINNED_PARAMS: dict[str, dict] = {"convoy": {"threads": [1], "trips": 200,
                                              "short_pause_s": None}}


def setups(experiment: str, quick: bool = False) -> list[tuple[str, list[int] | None]]:
    """``[(label, cpus), ...]`` for one experiment on this machine. The quick lab runs
    pinned only the experiments of ``PINNED_IN_QUICK``."""
    cpus = available_cpus()
    found = [("all cores", None)]
    pinned = PINNED_IN_QUICK if quick else PINNED_TOO
    if experiment in pinned and len(cpus) > 1:
        found.append(("one core", [cpus[0]]))
    return found


def plan(interpreters: Iterable[Interpreter], names: Iterable[str] | None = None,
         quick: bool = False) -> list[tuple[str, Interpreter, str, list[int] | None]]:
    """Every (experiment, interpreter, setup label, cpus) the lab will run, in order."""
    chosen = list(names) if names is not None else experiments()
    interps = [i for i in interpreters if i.ok]
    return [(name, interp, label, cpus)
            for name in chosen
            for interp in interps
            for label, cpus in setups(name, quick)]


def run_lab(interpreters: Iterable[Interpreter], names: Iterable[str] | None = None, *,
            quick: bool = False, timeout: float | None = None,
            progress: Callable[[int, int, str], None] | None = None,
            timing: dict[str, dict] | None = None) -> dict[str, list[dict]]:
    """Run the plan; return ``{experiment: [run result, ...]}``.

    ``progress(done, total, what)`` is called before each run and once at the end.
    ``timing``, when given, receives ``{experiment: {"date", "finished",
    "loadavg_end"}}``: when each experiment's runs started and ended, and the load
    average at the end (for the stamp of that experiment's results file; the load
    at the start is the whole lab's, taken before any of its runs).
    """
    steps = plan(interpreters, names, quick)
    results: dict[str, list[dict]] = {}
    for done, (name, interp, label, cpus) in enumerate(steps):
        if timing is not None and name not in timing:
            timing[name] = {"date": now_utc()}
        if progress:
            progress(done, len(steps), f"{name} on {interp.label} ({label})")
        params = dict(PINNED_PARAMS.get(name, {})) if label == "one core" else {}
        if quick:
            params.pop("trips", None)  # quick sizes stay quick
            params.update(QUICK_LAB_PARAMS.get(name, {}))
        run = run_experiment(name, interp, quick=quick, cpus=cpus, timeout=timeout,
                             params=params or None)
        run["setup"] = label
        results.setdefault(name, []).append(run)
        if timing is not None:
            timing[name].update(finished=now_utc(), loadavg_end=loadavg())
    if progress:
        progress(len(steps), len(steps), "done")
    return results
