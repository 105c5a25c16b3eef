"""Experiment "switch-interval": the convoy round trip as the GIL's knob turns.

The convoy experiment's echo round trip (a server thread here, the client in
its own process, one CPU-bound thread in this process), measured at several
settings of the knob that decides how long the CPU-bound thread keeps the GIL:

* 3.2 and later: ``sys.setswitchinterval(seconds)`` (default 0.005);
* Python 2: ``sys.setcheckinterval(ticks)`` (default 100), the number of
  "ticks" (roughly bytecodes) between two releases of the GIL.

Reports the median round trip at each setting, what the CPU-bound thread
added to the round trip measured alone ("added_s"; the round trip alone is
measured before and after the settings and the lower of the two kept, which
leans "added_s" a little high rather than low; it is the network's share
and two wake-ups across processes, not the GIL's), and the least-squares
line through them: under the switching GIL the slope is
about one and the added delay about one switch interval plus a small fixed
hand-off cost; under the tick GIL the slope is about zero.

Lab payload: runs unchanged under Python 2.7 and 3.6+, stdlib only.
Usage: python switch_interval.py '{"quick": true}'; optional params:
"settings" (list of intervals in seconds, or ticks on Python 2), "trips"
(default 20 quick, 200 full; fewer when "budget_s" runs out first),
"budget_s" (per setting, default 0.3 quick, 2.5 full), "gap_s" (the client's
pause between trips; default per setting: two switch intervals + 2 ms, so
that the echo thread's hidden second wait is over before the next request:
see _echo). Prints {"metrics": {...}} on stdout: per setting the median
round trip, the delay the CPU-bound thread added to it ("added_s"),
"late_share" (requests sent while the echo thread was still busy with the
previous one) and the echo thread's two waits; the least-squares line
through the settings; "verdict" "measured", or "inconclusive" (with "why")
when a setting had more than 20% late requests or a busy child process got
less than 0.8 of a CPU before or after ("free_cpu").
"""
import sys

import _common
from _common import FREE_CPU_S, median
from _echo import MAX_LATE_SHARE, echo_phase, pause_for


def fit(xs, ys):
    """Least-squares line y = slope * x + intercept."""
    n = float(len(xs))
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    slope = sxy / sxx if sxx else 0.0
    return slope, my - slope * mx


def main():
    params = _common.params()
    quick = params.quick
    trips = params.number("trips", int, 20, 200)
    budget = params.number("budget_s", float, 0.3, 2.5)
    if hasattr(sys, "setswitchinterval"):
        knob, unit = "switch_interval", "s"
        get, put = sys.getswitchinterval, sys.setswitchinterval
        default = [0.002, 0.005] if quick else [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02]
    else:
        knob, unit = "check_interval", "ticks"
        get, put = sys.getcheckinterval, sys.setcheckinterval
        default = [10, 1000] if quick else [10, 100, 1000, 10000, 100000]
    settings = params.get("settings", default)
    original = get()
    free_s = FREE_CPU_S[0 if quick else 1]

    def pause(setting, cpu_threads=1):
        if "gap_s" in params:
            return float(params["gap_s"])
        return pause_for(cpu_threads, setting if knob == "switch_interval" else None)

    free = [_common.free_cpu(free_s)]
    stretch = "gap_s" not in params   # a pause the user chose stays as chosen

    def alone_phase():   # no CPU-bound thread: no hidden second wait to outlast
        return median(echo_phase(0, trips, budget, pause(original, 0),
                                 stretch=stretch)["times"])

    # The round trip alone, before and after the settings: the lower of the two, as a
    # short disturbance (another program, the hypervisor) rarely hits both.
    alone_first = alone_phase()
    rows = []
    try:
        for setting in settings:
            put(setting)
            phase = echo_phase(1, trips, budget, pause(setting), stretch=stretch)
            rtt = median(phase["times"])
            rows.append({"setting": setting, "rtt_s": rtt,
                         "trips": len(phase["times"]), "gap_s": pause(setting),
                         "late_share": phase["late_share"],
                         "wait_after_recv_s": phase["wait_after_recv_s"],
                         "wait_after_send_s": phase["wait_after_send_s"]})
    finally:
        put(original)
    alone_last = alone_phase()
    alone = min(alone_first, alone_last)
    for row in rows:
        row["added_s"] = row["rtt_s"] - alone
    free.append(_common.free_cpu(free_s))
    slope, intercept = fit([r["setting"] for r in rows], [r["rtt_s"] for r in rows])
    late = [r for r in rows if r["late_share"] is None or r["late_share"] > MAX_LATE_SHARE]
    metrics = {
        "knob": knob,
        "unit": unit,
        "default": original,
        "rtt_alone_s": alone,
        "rtt_alone_first_s": alone_first,
        "rtt_alone_last_s": alone_last,
        "settings": rows,
        "slope": slope,
        "intercept_s": intercept,
        "verdict": "inconclusive" if late else "measured",
    }
    if late:
        metrics["why"] = "more than %d%% late requests at setting(s) %s" % (
            100 * MAX_LATE_SHARE, ", ".join(str(r["setting"]) for r in late))
    _common.machine_verdict(free, metrics)
    _common.emit({"metrics": metrics})


if __name__ == "__main__":
    main()
