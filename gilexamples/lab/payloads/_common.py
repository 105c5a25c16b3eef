"""What the lab payloads share: the clock, parameters, percentiles, output, and the
figures that tell whether the machine gave an experiment what it needs.

Payloads import this file as ``import _common``: a script's own folder is
the first entry of ``sys.path``, so it is found under Python 2.7 and 3.x
alike with nothing of the package installed. Standard library only.
"""
import json
import os
import subprocess
import sys
import time

# One clock for the payload and its client processes. On Linux both
# perf_counter() (3.3+) and time() read clocks shared by every process, so a
# time stamped in one process can be compared with one taken in another.
if hasattr(time, "perf_counter"):
    clock, CLOCK_NAME = time.perf_counter, "perf_counter"
else:  # Python 2.7: gettimeofday(), 1 microsecond resolution
    clock, CLOCK_NAME = time.time, "time"

def child_argv(*args):
    """The command line that starts a child of this payload's interpreter: ``-S`` leaves
    out the site module (a child uses the standard library only; skipping site's scan
    of site-packages halves the start-up of a pyenv build), and whatever the
    environment asks for (``PYTHON_GIL``) still applies."""
    return [sys.executable, "-S"] + list(args)


#: A timing experiment needs its threads to get a core when they are runnable:
#: a busy child must get at least this share of a CPU (see ``free_cpu``).
MIN_FREE_CPU = 0.8


class Params(dict):
    """A payload's parameters: the JSON object, plus ``quick`` (the "quick" flag, False
    if absent) and ``number(name, kind, quick_default, full_default)``: the parameter
    as ``kind`` (int or float), or the default for the size asked for (without
    ``full_default``, the one default serves both sizes)."""

    @property
    def quick(self):
        return bool(self.get("quick", False))

    def number(self, name, kind, quick_default, full_default=None):
        if name in self:
            return kind(self[name])
        return kind(quick_default if full_default is None or self.quick else full_default)


def params():
    """The payload's :class:`Params`: the JSON object in argv[1] ({"quick": True} if none)."""
    return Params(json.loads(sys.argv[1]) if len(sys.argv) > 1 else {"quick": True})


def emit(document):
    """Print the payload's one JSON document on stdout."""
    sys.stdout.write(json.dumps(document) + "\n")
    sys.stdout.flush()


def percentile(values, fraction):
    """The sorted values' entry at int(fraction * (n - 1) + 0.5) (the lab's one rule).

    Nearest rank with halves rounded up, the same on 2.7 and 3.x (``round()``
    differs between them). Raises ValueError for no values.
    """
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    index = int(fraction * (len(ordered) - 1) + 0.5)
    return ordered[min(len(ordered) - 1, max(0, index))]


def median(values):
    return percentile(values, 0.5)


def switch_interval():
    """The switching GIL's interval in seconds, or None on Python 2 (the tick GIL)."""
    getter = getattr(sys, "getswitchinterval", None)
    return getter() if getter is not None else None


#: A child that burns CPU for argv[1] seconds.
BURN = "import time, sys\nend = time.time() + float(sys.argv[1])\nwhile time.time() < end: pass\n"

#: Children started by run_children() say "ready", wait for a line, and then work.
_READY = "import sys\nsys.stdout.write('ready\\n')\nsys.stdout.flush()\nsys.stdin.readline()\n"

#: A child that counts argv[1] down to zero, then says "done".
COUNTER = _READY + ("n = int(sys.argv[1])\nwhile n > 0:\n    n -= 1\n"
                    "sys.stdout.write('done\\n')\nsys.stdout.flush()\n")


def run_children(source, argument, processes):
    """Start ``processes`` children running ``source`` with one argument, tell them to go
    when all are ready (their start-up is not timed: a free-threaded 3.13 can take
    seconds to start beside a busy process), and read one line from each.
    Returns (wall seconds from "go" to the last line, [the lines])."""
    children = []
    try:
        for _ in range(processes):
            children.append(subprocess.Popen(
                child_argv("-c", source, str(argument)), stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, universal_newlines=True))
        for child in children:
            if child.stdout.readline().strip() != "ready":
                raise RuntimeError("a child process did not start")
        start = clock()
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        lines = [child.stdout.readline().strip() for child in children]
        return clock() - start, lines
    finally:
        for child in children:
            try:
                child.stdin.close()
            except (IOError, OSError):
                pass
            child.wait()


def parallel_capacity(processes, seconds):
    """CPUs' worth of time ``processes`` busy children got together, per wall second.

    Two children on a machine with two free cores get about 2.0; with another
    program spinning on one of them, about 1.0 to 1.5. It is the figure that
    tells whether an experiment about several cores had several cores. The
    children are timed from their start: the kernel places a new process on
    the idlest CPU, which is what a busy thread of the experiment would find.
    Needs the resource module (Unix); None elsewhere.
    """
    try:
        import resource
    except ImportError:
        return None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = clock()
    children = [subprocess.Popen(child_argv("-c", BURN, str(seconds)))
                for _ in range(processes)]
    for child in children:
        child.wait()
    wall = clock() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return used / wall if wall > 0 else None


def counting_speedup(n):
    """Work per wall second of two processes counting ``n`` each at once, over one alone.

    About 2.0 with two free cores at full speed. Less when other work holds a
    core, and also when a virtual machine's host runs both vCPUs on the two
    hardware threads of one physical core: then both are busy, every CPU-time
    figure says two CPUs, and each does the work at a fraction of its speed.
    Only work done per second shows that, so an experiment whose claim is a
    speedup from running on two cores calibrates with it.
    """
    one, _ = run_children(COUNTER, n, 1)
    two, _ = run_children(COUNTER, n, 2)
    return 2.0 * one / two if two > 0 else None


def cpu_seconds():
    """CPU seconds (user + system) this process has used, all threads."""
    try:
        import resource
    except ImportError:  # not Unix: os.times() has the same two figures
        times = os.times()
        return times[0] + times[1]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def steal_seconds():
    """CPU seconds the hypervisor has taken from this virtual machine's CPUs since boot
    (all CPUs together), or None where unknown (not Linux, not a virtual machine).

    On a virtual machine the host can run other guests on the physical core
    behind a vCPU while a thread of ours is "running" on it. The guest's run
    queue does not show that time; Linux counts it as steal time, the eighth
    figure of /proc/stat's "cpu" line, in clock ticks (USER_HZ, usually 1/100 s).
    """
    try:
        with open("/proc/stat") as handle:
            fields = handle.readline().split()
        ticks = os.sysconf("SC_CLK_TCK")
        return int(fields[8]) / float(ticks)
    except (IOError, OSError, ValueError, IndexError, AttributeError):
        return None


def steal_tick():
    """The unit steal_seconds() counts in (one clock tick), or None where unknown."""
    try:
        return 1.0 / os.sysconf("SC_CLK_TCK")
    except (ValueError, OSError, AttributeError):
        return None


def starved(metrics, cpu_per_wall, who):
    """Mark ``metrics`` inconclusive (keeping an earlier "why") when ``who`` got less than
    MIN_FREE_CPU CPU seconds per wall second: threads that always have Python to run
    and got less than one CPU between them were held back by other work, not the GIL."""
    if cpu_per_wall is None or cpu_per_wall >= MIN_FREE_CPU:
        return
    if metrics.get("verdict") != "inconclusive":
        metrics["verdict"] = "inconclusive"
        metrics["why"] = ("%s got %.2f CPU seconds per wall second (other work on the "
                          "machine)" % (who, cpu_per_wall))


#: Seconds of the busy child that free_cpu() times: (quick, full).
FREE_CPU_S = (0.05, 0.1)


def free_cpu(seconds=0.1):
    """The share of one CPU a busy child process gets right now (None where unknown).

    About 1.0 when a core is free (even with another program spinning on the
    other core of two); about 0.5 when the machine has twice as much work as
    cores. Below MIN_FREE_CPU the GIL's hand-offs are delayed by the operating
    system's scheduler, not only by the GIL, and timings of them say more
    about the machine than about the interpreter.
    """
    return parallel_capacity(1, seconds)


def machine_verdict(samples, metrics):
    """Add "free_cpu" (the lowest of ``samples``) to ``metrics``; mark them inconclusive
    (with "why") when it is below MIN_FREE_CPU. Returns True when the run can be trusted."""
    known = [s for s in samples if s is not None]
    if not known:
        return True
    metrics["free_cpu"] = min(known)
    if min(known) >= MIN_FREE_CPU:
        return True
    metrics["verdict"] = "inconclusive"
    metrics["why"] = ("a busy process got only %.2f of a CPU (other work on the machine): "
                      "its scheduler, not only the GIL, decided the waits" % min(known))
    return False
