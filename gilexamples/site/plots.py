"""Charts of stored lab results: matplotlib figures written as inline SVG for the pages.

:func:`render_plot` draws ``convoy`` (round trip next to a CPU-bound thread,
per interpreter, all cores and one core) or ``switch-interval`` (round trip
against the switch interval), wrapped in a ``<figure>`` whose caption ends
with the stamp line. The SVG keeps text as text and its ids stable, so the
same results give the same page.
"""

from __future__ import annotations

import io
import re

from gilexamples.site.runs import DEFAULT_SWITCH_INTERVAL_S, by_interpreter, gil, switching
from gilexamples.site.stamps import stamp_line

__all__ = ["PLOTS", "CAPTIONS", "render_plot", "svg"]


def svg(figure, salt: str) -> str:
    """A matplotlib figure as inline SVG: text kept as text, ids stable, no blank lines."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)
    text = text.replace("<svg ", '<svg role="img" style="max-width: 100%; height: auto" ', 1)
    return "\n".join(line for line in text.splitlines() if line.strip())


def _figure(width: float = 7.0, height: float = 3.6):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height))
    return figure, figure.add_subplot()


def _plot_switch_interval(doc: dict) -> str:
    figure, ax = _figure()
    top = 0.0
    for row_name, setups in by_interpreter(doc):
        run = setups.get("all cores")
        if not run or run.get("metrics", {}).get("knob") != "switch_interval":
            continue
        rows = run["metrics"]["settings"]
        xs = [r["setting"] * 1e3 for r in rows]
        ys = [r["rtt_s"] * 1e3 for r in rows]
        top = max([top] + xs)
        ax.plot(xs, ys, marker="o", markersize=3, linewidth=1, label=row_name)
    ax.plot([0, top], [0, top], linestyle="--", color="grey", linewidth=1,
            label="one interval per round trip")
    ax.set_xlabel("sys.setswitchinterval (ms)")
    ax.set_ylabel("median round trip (ms)")
    ax.set_title("Convoy round trip with one CPU-bound thread")
    ax.legend(fontsize="x-small", ncol=2)
    ax.grid(alpha=0.3)
    return svg(figure, "switch-interval")


def _switch_interval_s(run: dict) -> float:
    value = run["python"].get("switch_interval_s")
    return value if isinstance(value, (int, float)) and value > 0 else DEFAULT_SWITCH_INTERVAL_S


def _plot_convoy(doc: dict) -> str:
    figure, ax = _figure(height=3.4)
    names = []
    bars: dict[str, list] = {"all cores": [], "one core": []}
    colours = []
    intervals = set()
    for row_name, setups in by_interpreter(doc):
        run = setups.get("all cores")
        if not run or "metrics" not in run:
            continue
        names.append(row_name.replace("CPython ", ""))
        for label in bars:
            other = setups.get(label) or {}
            value = other.get("metrics", {}).get("threads", {}).get("1", {}).get("rtt_s")
            bars[label].append(value * 1e3 if isinstance(value, (int, float)) else 0.0)
        colours.append({"tick": "tab:green", "none (free-threaded)": "tab:blue"}.get(
            gil(run), "tab:red"))
        if switching(run):
            intervals.add(_switch_interval_s(run))
    shown = [label for label in bars if any(bars[label])]
    width = 0.8 / max(len(shown), 1)
    for i, label in enumerate(shown):
        xs = [x + (i - (len(shown) - 1) / 2) * width for x in range(len(names))]
        ax.bar(xs, bars[label], width=width, color=colours,
               alpha=1.0 if label == "all cores" else 0.45,
               edgecolor="black", linewidth=0.4)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(facecolor="grey", alpha=1.0 if label == "all cores" else 0.45,
                     edgecolor="black", linewidth=0.4, label=label) for label in shown]
    for interval in sorted(intervals):
        ax.axhline(interval * 1e3, color="grey", linestyle="--", linewidth=1)
        handles.append(Line2D([], [], color="grey", linestyle="--", linewidth=1,
                              label=f"switch interval ({interval * 1e3:g} ms)"))
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names)
    ax.set_yscale("log")
    ax.set_ylabel("median round trip (ms)")
    ax.set_title("Echo round trip next to one CPU-bound thread (log scale)")
    ax.set_ylim(bottom=0.01)
    ax.tick_params(axis="x", labelsize="small", rotation=45)
    ax.legend(handles=handles, fontsize="x-small", loc="center left")
    ax.grid(alpha=0.3, axis="y")
    return svg(figure, "convoy")


PLOTS = {"switch-interval": _plot_switch_interval, "convoy": _plot_convoy}
CAPTIONS = {
    "convoy": "Median round trip with one CPU-bound thread in the server process. "
              "Green: the tick GIL (Python 2); red: the switching GIL (3.2 and later, "
              "3.13+ default builds included); blue: a free-threaded build with its GIL off; "
              "pale bars: pinned to one core. The dashed line is the switch interval.",
    "switch-interval": "One line per 3.x interpreter; the dashed line is one switch "
                       "interval per round trip.",
}


def _plot_convoy_harness(doc: dict) -> str:
    from gilexamples.site.echo_plots import harness_run, plot_echo_trips

    run = harness_run(doc)
    if run is None:
        return "<p><em>No stored convoy run kept the first trips of both pauses.</em></p>"
    return svg(plot_echo_trips(run), "convoy-harness")


PLOTS["convoy harness"] = _plot_convoy_harness
CAPTIONS["convoy harness"] = (
    "The first round trips of one run, on the newest interpreter whose short-pause phase had "
    "the most late requests. Black: what the client timed. With the short pause the client's "
    "request often goes out while the echo thread is still waiting for the GIL after "
    "<code>sendall()</code>, and the client times the rest of that wait.")


def render_plot(doc: dict, view: str = "") -> str:
    """An inline SVG chart of one stored experiment, wrapped in a figure.

    ``view`` picks another chart of the same results (``convoy harness``).
    """
    experiment = f"{doc.get('experiment', '')} {view}".strip()
    if experiment not in PLOTS:
        raise ValueError(f"no plot for {experiment!r} (plots: {', '.join(sorted(PLOTS))})")
    caption = CAPTIONS.get(experiment, "")
    caption = f"\n<figcaption>{caption} Data: {stamp_line(doc).strip('*')}</figcaption>"
    caption = re.sub(r"`([^`]*)`", r"<code>\1</code>", caption)
    return f'<figure class="lab-plot">\n{PLOTS[experiment](doc)}{caption}\n</figure>'
