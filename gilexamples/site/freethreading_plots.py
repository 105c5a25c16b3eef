"""Plots of the free-threading experiments (``<!-- ft-plot: scaling -->``, ``overhead``).

Drawn from the same stored results and with the same names as the tables in
:mod:`gilexamples.site.freethreading_tables`, which renders the markers.
"""

from __future__ import annotations

from gilexamples.site.freethreading_tables import (KINDS, OVERHEAD_TITLES, OVERHEAD_WORKLOADS,
                                                   _overhead_ratio, same_version_pairs)
from gilexamples.site.plots import _figure
from gilexamples.site.plots import svg as _svg
from gilexamples.site.runs import by_interpreter as _by_interpreter

__all__ = ["CAPTIONS", "PLOTS"]


def _plot_scaling(doc: dict) -> str:
    figure, ax = _figure(height=3.4)
    names, series = [], {"threads": [], "sub-interpreters": [], "processes": []}
    keys = {"threads": "speedup", "sub-interpreters": "subinterpreter_speedup",
            "processes": "process_speedup"}
    unsure = []
    for name, setups in _by_interpreter(doc):
        run = setups.get("all cores")
        if not run or "metrics" not in run:
            continue
        names.append(name.replace("CPython ", ""))
        unsure.append(run["metrics"].get("verdict") == "inconclusive")
        for label, key in keys.items():
            value = run["metrics"].get(key)
            series[label].append(value if isinstance(value, (int, float)) else 0.0)
    colours = {"threads": "tab:red", "sub-interpreters": "tab:purple", "processes": "tab:grey"}
    width = 0.8 / len(series)
    for i, (label, values) in enumerate(series.items()):
        xs = [x + (i - 1) * width for x in range(len(names))]
        bars = ax.bar(xs, values, width=width, label=label, color=colours[label],
                      edgecolor="black", linewidth=0.4)
        for bar, faint in zip(bars, unsure):
            if faint:  # the machine did not give the run two free cores
                bar.set_alpha(0.35)
                bar.set_hatch("///")
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.axhline(2.0, color="grey", linestyle="--", linewidth=1)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=colours[label], edgecolor="black", linewidth=0.4, label=label)
               for label in series]
    handles.append(Line2D([], [], color="grey", linestyle="--", linewidth=1,
                          label="two workers, fully parallel"))
    if any(unsure):
        handles.append(Patch(facecolor="white", edgecolor="black", hatch="///", alpha=0.6,
                             label="pale, hatched: inconclusive run"))
    ax.legend(handles=handles, fontsize="x-small", loc="upper left")
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names)
    ax.tick_params(axis="x", labelsize="small", rotation=45)
    ax.set_ylabel("speedup of 2 workers over 1")
    ax.set_title("The same pure-Python work on one worker and on two")
    ax.grid(alpha=0.3, axis="y")
    return _svg(figure, "ft-scaling")


def _plot_overhead(doc: dict) -> str:
    versions = same_version_pairs({"overhead": doc})
    if not versions:
        return ""
    version = versions[-1]
    figure, ax = _figure(height=3.2)
    ratios = {k: _overhead_ratio(doc, version, k) for k in KINDS[1:]}
    labels = {"nogil": f"{version}t, GIL off", "forced": f"{version}t, PYTHON_GIL=1"}
    colours = {"nogil": "tab:blue", "forced": "tab:orange"}
    shown = [k for k in ratios if ratios[k]]
    width = 0.8 / max(len(shown), 1)
    for i, kind in enumerate(shown):
        xs = [x + (i - (len(shown) - 1) / 2) * width for x in range(len(OVERHEAD_WORKLOADS))]
        ax.bar(xs, [ratios[kind].get(w, 0.0) for w in OVERHEAD_WORKLOADS], width=width,
               label=labels[kind], color=colours[kind], edgecolor="black", linewidth=0.4)
    ax.axhline(1.0, color="black", linewidth=0.8, label=f"{version}, default build")
    ax.set_xticks(range(len(OVERHEAD_WORKLOADS)))
    ax.set_xticklabels([OVERHEAD_TITLES[w] for w in OVERHEAD_WORKLOADS], fontsize="small",
                       rotation=20)
    ax.set_ylabel("time per operation / default build")
    ax.set_title(f"One thread on the free-threaded {version}t, relative to {version}")
    ax.legend(fontsize="x-small")
    ax.grid(alpha=0.3, axis="y")
    return _svg(figure, "ft-overhead")


CAPTIONS = {
    "scaling": "Speedup of two workers over one on the same total work: threads (red), "
               "sub-interpreters with their own GIL, each driven by a thread (purple, 3.12 and "
               "later), processes (grey, the calibration: what the machine could give). 1.0: "
               "no gain; 2.0: both cores used. Pale, hatched bars: a run the machine disturbed "
               "(its verdict is inconclusive).",
    "overhead": "Time per operation on the free-threaded build, relative to the default build "
                "of the same version, one thread; above 1.0 is slower.",
}
PLOTS = {"scaling": _plot_scaling, "overhead": _plot_overhead}
