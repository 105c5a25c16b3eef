"""The convoy harness picture: what the echo thread did during the first round trips.

The ``convoy`` payload keeps, for its one-thread phase, the moments of the
first trips (request sent, ``recv()`` returned with the GIL, ``sendall()``
returned with the GIL, echo thread back in ``recv()``), once with the pause
the experiment uses and once with the earlier, shorter pause. Drawn one above
the other, they show why the short pause timed the wrong wait: the client's
request went out while the echo thread was still waiting after ``sendall()``.
"""

from __future__ import annotations

from gilexamples.site.runs import by_interpreter, switching

__all__ = ["harness_run", "plot_echo_trips"]

#: Trips drawn per row.
TRIPS_SHOWN = 4


def harness_run(doc: dict) -> dict | None:
    """The run to draw: the newest switching-GIL interpreter whose short-pause phase had the
    most late requests (all cores), or None when no run kept both traces."""
    best = None
    for _, setups in by_interpreter(doc):
        run = setups.get("all cores")
        metrics = (run or {}).get("metrics", {})
        short = metrics.get("short_pause") or {}
        if not switching(run) or not metrics.get("trace") or not short.get("trace"):
            continue
        if best is None or (short.get("late_share") or 0) >= \
                (best["metrics"]["short_pause"].get("late_share") or 0):
            best = run
    return best


def _row(ax, title: str, trace: list, late_share: float) -> None:
    trips = trace[:TRIPS_SHOWN]
    end = max(t[2] for t in trips) * 1e3
    back_in_recv = None
    for sent, got, done, back in trips:
        s, g, d = sent * 1e3, got * 1e3, done * 1e3
        # The echo thread waits after recv() only once it is in recv() and the request is
        # there; a late request went out while it was still waiting after sendall().
        start = s if back_in_recv is None else max(s, back_in_recv * 1e3)
        ax.broken_barh([(start, g - start)], (1.1, 0.8), color="tab:red")
        ax.broken_barh([(g, max(d - g, end / 400))], (1.1, 0.8), color="tab:orange")
        ax.plot([s, g], [0.5, 0.5], color="black", linewidth=2)
        ax.plot([s], [0.5], marker="|", color="black", markersize=10)
        back_in_recv = back
    ax.set_yticks([0.5, 1.5])
    ax.set_yticklabels(["client's clock", "echo thread"])
    ax.set_ylim(0, 2.2)
    ax.set_xlim(-0.5, end * 1.03)
    ax.set_title(f"{title}: {late_share:.0%} of requests sent before the echo thread "
                 "was back in recv()", fontsize="small", loc="left")
    ax.grid(alpha=0.3, axis="x")


def plot_echo_trips(run: dict):
    """A matplotlib Figure with the short-pause row above the long-pause row."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    metrics = run["metrics"]
    short = metrics["short_pause"]
    figure = Figure(figsize=(7.0, 3.8), layout="constrained")
    top, bottom = figure.subplots(2, 1)
    _row(top, f"pause {short['gap_s'] * 1e3:g} ms (shorter than the second wait)", short["trace"],
         short.get("late_share") or 0.0)
    _row(bottom, f"pause {metrics['gap_s'] * 1e3:g} ms", metrics["trace"],
         metrics.get("late_share") or 0.0)
    bottom.set_xlabel("ms from the first timed request")
    top.legend(handles=[Patch(color="tab:red", label="waiting for the GIL after recv()"),
                        Patch(color="tab:orange", label="waiting for the GIL after sendall()")],
               fontsize="x-small", loc="upper right")
    return figure
