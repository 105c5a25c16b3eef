"""Ask an interpreter to turn its GIL off (or on) and report what it does.

Runs a child interpreter four ways: ``-X gil=0``, ``-X gil=1``,
``PYTHON_GIL=0`` and ``PYTHON_GIL=1``, and prints, for each, whether the
child started and whether its GIL was on. With no arguments it asks the
interpreter running it; name others on the command line to compare them:

    python snippets/removing/gil_switches.py /usr/bin/python3.13 /usr/bin/python3.13t
"""

import os
import subprocess
import sys

#: What the child prints: its version, whether its build is free-threaded,
#: and sys._is_gil_enabled() (absent before 3.13).
#: Written with sys.stdout.write so that a Python 2 child prints the same
#: three words (its print statement would print a tuple).
PROBE = (
    "import sys, sysconfig; "
    "f = getattr(sys, '_is_gil_enabled', None); "
    "sys.stdout.write('%s %s %s\\n' % (sys.version.split()[0], "
    "bool(sysconfig.get_config_var('Py_GIL_DISABLED')), 'n/a' if f is None else f()))"
)

WAYS = [
    ("-X gil=0", ["-X", "gil=0"], {}),
    ("-X gil=1", ["-X", "gil=1"], {}),
    ("PYTHON_GIL=0", [], {"PYTHON_GIL": "0"}),
    ("PYTHON_GIL=1", [], {"PYTHON_GIL": "1"}),
]


def run(python, options, extra_env):
    env = dict(os.environ, **extra_env)
    env.pop("PYTHONWARNINGS", None)
    return subprocess.run([python, *options, "-c", PROBE], capture_output=True,
                          text=True, timeout=60, env=env)


def describe(python):
    plain = run(python, [], {})
    if plain.returncode != 0:
        return [f"{python}: does not start ({plain.stderr.strip().splitlines()[-1:]})"]
    version, free_threaded, gil = plain.stdout.split()
    build = "free-threaded" if free_threaded == "True" else "default"
    state = "on (always, before 3.13)" if gil == "n/a" else \
        ("off" if gil == "False" else "on")
    lines = [f"Python {version}, {build} build, GIL {state}"]
    for label, options, extra_env in WAYS:
        child = run(python, options, extra_env)
        if child.returncode != 0:
            # The first line of a fatal start-up error names the reason.
            message = child.stderr.strip().splitlines()[0] if child.stderr.strip() else "?"
            outcome = f"refused (exit {child.returncode}): {message}"
        else:
            child_gil = child.stdout.split()[2]
            if child_gil == "n/a":
                outcome = "started; no sys._is_gil_enabled() (before 3.13 the option means nothing)"
            else:
                outcome = f"started, GIL {'off' if child_gil == 'False' else 'on'}"
        lines.append(f"  {label:<13} {outcome}")
    return lines


def main(argv):
    pythons = argv or [sys.executable]
    for python in pythons:
        print("\n".join(describe(python)))


if __name__ == "__main__":
    main(sys.argv[1:])
