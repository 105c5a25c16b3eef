"""The lab: run the same small experiment under every interpreter on the machine.

The claims about the GIL are claims about *different interpreters*: Python
2.x's tick GIL, the switching GIL of 3.2 and later, the free-threaded builds
of 3.13 and later. The lab finds the interpreters a machine has
(:mod:`gilexamples.lab.interpreters`), runs one portable script per experiment
in each of them as a child process (:mod:`gilexamples.lab.runner`, the scripts
live in ``gilexamples/lab/payloads/``), stores the results with a stamp of
the machine that produced them (:mod:`gilexamples.lab.results`) and renders
them into the docs (:mod:`gilexamples.site`).

Quick start::

    from gilexamples.lab import find_interpreters, run_experiment

    for interp in find_interpreters():
        result = run_experiment("countdown", interp, quick=True)
        print(interp.label, result["metrics"]["ratio"])
"""

from gilexamples.lab.interpreters import Interpreter, find_interpreters, probe
from gilexamples.lab.runner import (
    ExperimentError,
    UnknownExperiment,
    experiments,
    parse_cpus,
    payload_path,
    run_experiment,
)

__all__ = [
    "Interpreter",
    "find_interpreters",
    "probe",
    "experiments",
    "payload_path",
    "parse_cpus",
    "run_experiment",
    "ExperimentError",
    "UnknownExperiment",
]
