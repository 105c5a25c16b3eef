"""A static picture of a trace (matplotlib): for readers without JavaScript, and for print."""

from __future__ import annotations

from pathlib import Path

__all__ = ["COLORS", "render"]

#: One colour per state; the interactive viewer (docs/assets/timeline/timeline.css) uses the same.
COLORS = {"run": "#2e7d32", "wait": "#ef5350", "io": "#42a5f5", "ready": "#ffb74d"}
LABELS = {"run": "running Python", "wait": "waiting for the GIL", "io": "blocked in I/O",
          "ready": "ready, no core"}
#: Events drawn as marks above a lane (a take is already visible as the start of a run).
MARKERS = {"request": ("v", "#6a1b9a"), "fail": ("x", "#7f0000")}
MARK_LABELS = {"request": "drop request", "fail": "failed wake-up"}


def _unit(span_ns: int) -> tuple[float, str]:
    if span_ns >= 5_000_000:
        return 1e6, "ms"
    if span_ns >= 5_000:
        return 1e3, "µs"
    return 1.0, "ns"


def render(trace: dict, path: str | Path, *, width: float = 7.0) -> Path:
    """Draw ``trace`` to ``path`` (.png or .svg); return the path."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    path = Path(path)
    threads = trace["threads"]
    span = max(1, trace["end"] - trace["start"])
    scale, unit = _unit(span)
    height = 1.5 + 0.42 * len(threads)
    fig, ax = plt.subplots(figsize=(width, height), dpi=110)
    used = set()
    for row, thread in enumerate(threads):
        y = len(threads) - 1 - row
        by_state: dict[str, list] = {}
        for t0, t1, state in thread["intervals"]:
            by_state.setdefault(state, []).append(((t0 - trace["start"]) / scale, (t1 - t0) / scale))
        for state, bars in by_state.items():
            used.add(state)
            ax.broken_barh(bars, (y - 0.3, 0.6), facecolors=COLORS[state], linewidth=0)
        marks: dict[str, list] = {}
        for when, tid, kind in trace["events"]:
            if tid == thread["id"] and kind in MARKERS:
                marks.setdefault(kind, []).append((when - trace["start"]) / scale)
        for kind, xs in marks.items():
            marker, color = MARKERS[kind]
            used.add(kind)
            ax.plot(xs, [y + 0.42] * len(xs), linestyle="none", marker=marker, color=color,
                    markersize=3, markeredgewidth=0.6)
    ax.set_yticks(range(len(threads)))
    ax.set_yticklabels([t["name"] for t in reversed(threads)])
    ax.set_ylim(-0.6, len(threads) - 0.35)
    ax.set_xlim(0, span / scale)
    ax.set_xlabel(f"time ({unit})")
    fig.suptitle(trace["title"], fontsize=9)
    handles = [Patch(color=COLORS[s], label=LABELS[s]) for s in COLORS if s in used]
    handles += [Line2D([], [], linestyle="none", marker=MARKERS[k][0], color=MARKERS[k][1],
                       markersize=4, label=MARK_LABELS[k]) for k in MARKERS if k in used]
    if handles:
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0),
                  ncol=len(handles), fontsize=7, frameon=False, handlelength=1.2)
    else:
        ax.text(0.5, 0.5, "nothing recorded in this window", transform=ax.transAxes,
                ha="center", va="center", fontsize=8, color="#666")
    stamp = trace.get("stamp") or {}
    if stamp:
        note = " · ".join(str(stamp[k]) for k in ("interpreter", "machine", "date") if stamp.get(k))
        if stamp.get("note"):  # publish's warning about this window (e.g. a busy machine)
            note += "\n" + str(stamp["note"])
        fig.text(0.99, 0.01, note, ha="right", va="bottom", fontsize=5.5, color="#666")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout(rect=(0, 0.07 if stamp.get("note") else 0.03, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Software": None} if path.suffix == ".png" else None)
    plt.close(fig)
    return path
