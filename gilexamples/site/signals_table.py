"""The signals notebook's table: the lab's ``signals`` experiment under several interpreters.

The payload ``gilexamples/lab/payloads/signals.py`` runs the same checks as
:mod:`gilexamples.signals.delivery` and :mod:`gilexamples.signals.faults` in
whatever interpreter runs it (2.7 and 3.6+): this module runs it through the
lab's runner and lines the answers up.
"""

from __future__ import annotations

from gilexamples.lab.runner import run_experiment

__all__ = ["run", "table", "KEYS", "HEADERS"]

#: The metrics the chapter's table shows, in its order.
KEYS = (
    "handler_thread",
    "pthread_kill_handler_thread",
    "c_call_handler_waited",
    "python_loop_handler_waited",
    "sleep_interrupted",
    "sleep_resumed",
    "lock_wait_interruptible",
    "wakeup_fd_byte",
    "subinterpreter_signal_refused",
    "faulthandler_dumped",
    "watchdog_exit_status",
)

#: Column titles for :data:`KEYS`.
HEADERS = (
    "handler ran in",
    "signal aimed at a worker ran in",
    "C call: handler waited for it",
    "Python loop: handler waited",
    "sleep interrupted",
    "sleep resumed",
    "lock wait interrupted",
    "wakeup fd byte",
    "signal.signal refused in a sub-interpreter",
    "faulthandler dump",
    "watchdog exit status",
)


def _cell(value) -> str:
    if value is None:
        return "n/a"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def table(runs: list[dict]) -> str:
    """A Markdown table of :data:`KEYS`, one row per run.

    ``runs``: lab results (``{"python": {"version": ...}, "metrics": {...}}``),
    as stored by ``python -m gilexamples lab`` or returned by
    :func:`gilexamples.lab.runner.run_experiment`.
    """
    lines = ["| Python | " + " | ".join(HEADERS) + " |",
             "|---|" + "---|" * len(HEADERS)]
    for run in runs:
        metrics = run.get("metrics", {})
        cells = [_cell(metrics.get(key)) for key in KEYS]
        lines.append(f"| {run['python'].get('version', '?')} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run(pythons, quick: bool = True, timeout: float | None = None) -> list[dict]:
    """Run the experiment under each interpreter in ``pythons`` (paths).

    Returns one dict per interpreter: ``version``, ``executable`` and
    ``metrics`` (or ``error``/``skipped`` with the reason).
    """
    rows = []
    for python in pythons:
        result = run_experiment("signals", python, quick=quick, timeout=timeout)
        row = {"version": result["python"].get("version"),
               "executable": result["python"].get("executable")}
        for key in ("metrics", "error", "skipped"):
            if key in result:
                row[key] = result[key]
        rows.append(row)
    return rows
