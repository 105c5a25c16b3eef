"""The playground page: :mod:`gilexamples.sim` in the reader's browser.

The page (``docs/playground.md``) runs the package's own simulator in a Web Worker
with Pyodide, the CPython interpreter compiled to WebAssembly. Everything it loads
comes from the site's own origin, and only when the reader presses a run button:

Pyodide (a pinned npm build dependency) and a zip of the package modules the simulator
imports come from :mod:`gilexamples.site.playground_assets`; this module builds the page:
its controls and presets (one per simulated timeline of the chapters, and a first-session
guide), the link from each of those timelines to its run here, and the files it serves.

Without Pyodide (no npm, or npm failed) the site still builds; the page then says how to
get the playground and keeps its controls, which still give the equivalent command.

The hooks call :func:`on_config`, :func:`on_page_content` and :func:`on_post_build`.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from gilexamples import sim
from gilexamples.sim.scenarios import NET_NS, SLEEP_NS
from gilexamples.site.playground_assets import (PYODIDE_FILES, find_pyodide, package_zip,
                                                pinned_pyodide, trimmed_lock)
from gilexamples.site.timelines import FIGURES

__all__ = ["MARKER", "PAGE", "LIMITS", "DEFAULTS", "Preset", "GUIDE", "presets", "preset_query",
           "widget", "on_config", "on_page_content", "on_post_build"]

log = logging.getLogger("mkdocs.plugins.gilexamples.playground")

#: The page, the comment in it that becomes the playground, and where its assets go.
PAGE = "playground.md"
MARKER = "<!-- playground -->"
ASSETS = "assets/playground"

#: What the playground runs in the browser, at most (the command line has no such limits).
#: A run's cost grows with the simulated time and with the number of switch intervals
#: (for the tick GIL, checks every 2.5 µs) in it.
LIMITS = {"seconds": 5.0, "intervals": 50_000, "cores": 16, "threads": 16}

_GIL = sim.GILParams()
#: The command line's defaults (python -m gilexamples simulate --help), and what the
#: simulator uses when no interval or I/O latency is given.
DEFAULTS = {"policy": "newgil", "cores": 2, "threads": 2, "io_threads": 1, "seconds": 0.2,
            "seed": 0,
            "interval_s": {"ticks": _GIL.check_interval * _GIL.tick_ns / sim.S,
                           "switching": _GIL.interval_ns / sim.S},
            "io_latency_s": {"convoy": NET_NS / sim.S, "response": SLEEP_NS / sim.S}}


@dataclass(frozen=True)
class Preset:
    """One button of the playground: a named run, and the part of its timeline to show."""

    name: str
    label: str
    caption: str
    params: dict
    view_ms: tuple[int, int] | None = None


#: The first session: the convoy effect, then two ways to make it go away.
GUIDE = (
    Preset("convoy", "1. The convoy", "an echo server thread next to a CPU-bound thread, "
           "switching GIL: each reply waits for the switch interval",
           {"scenario": "convoy", "policy": "newgil", "cores": 2, "seconds": 1}, (20, 60)),
    Preset("convoy-priority", "2. Priority requests", "the same with priority requests: "
           "a thread back from I/O takes the GIL at once",
           {"scenario": "convoy", "policy": "priority", "cores": 2, "seconds": 1}, (20, 60)),
    Preset("convoy-nogil", "3. No GIL", "the same on a free-threaded build: nothing to wait for",
           {"scenario": "convoy", "policy": "nogil", "cores": 2, "seconds": 1}, (20, 60)),
)

#: Query keys, in the order a link lists them (the command line's flags).
QUERY_KEYS = ("scenario", "policy", "cores", "threads", "io_threads", "interval", "io_latency",
              "seconds", "seed", "view")


def _number(value) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def preset_query(params: dict, view_ms: tuple[int, int] | None = None) -> str:
    """The URL query for a run: ``scenario=convoy&policy=newgil&cores=2&seconds=1``."""
    items = [(key, _number(params[key])) for key in QUERY_KEYS if key in params]
    if view_ms:
        items.append(("view", f"{view_ms[0]}-{view_ms[1]}"))
    return urlencode(items)


def _figure_preset(fig) -> Preset:
    params = {"scenario": fig.scenario, "policy": fig.policy, "cores": fig.cores,
              "seconds": fig.seconds}
    return Preset(f"figure-{fig.name}", fig.caption, f"{fig.name}: {fig.caption}", params,
                  fig.window_ms)


def presets() -> dict[str, list[Preset]]:
    """The guide, and one preset per simulated timeline on the chapter pages (the figures
    ``python -m gilexamples site publish-timelines`` draws: same run, same window)."""
    return {"guide": list(GUIDE), "figures": [_figure_preset(f) for f in FIGURES]}


# -- the build -------------------------------------------------------------------------------
@dataclass
class _Build:
    pyodide: Path | None
    version: str
    reason: str | None
    zip_bytes: bytes
    page_built: bool = False

    @property
    def zip_name(self) -> str:
        return f"gilexamples-{hashlib.sha256(self.zip_bytes).hexdigest()[:12]}.zip"

    def download_bytes(self) -> int | None:
        """What the first run fetches: Pyodide's files and the package zip."""
        if self.pyodide is None:
            return None
        return (sum((self.pyodide / name).stat().st_size for name in PYODIDE_FILES)
                + len(trimmed_lock(self.pyodide)) + len(self.zip_bytes))

    @property
    def pyodide_folder(self) -> str:
        return f"{ASSETS}/pyodide-{self.version}/"


_BUILD: _Build | None = None


def on_config(config) -> None:
    global _BUILD
    config_dir = Path(config["config_file_path"]).resolve().parent
    folder, detail = find_pyodide(config_dir)
    if folder is None:
        log.info("playground: %s; the page shows how to get it", detail)
    _BUILD = _Build(folder, detail if folder else (pinned_pyodide(config_dir) or "?"),
                    None if folder else detail, package_zip())


def _relative(target: str, page) -> str:
    from mkdocs.utils import get_relative_url

    return get_relative_url(target, page.url)


def _option(value: str, label: str, selected: bool) -> str:
    chosen = " selected" if selected else ""
    return f'<option value="{html.escape(value)}"{chosen}>{html.escape(label)}</option>'


def _preset_buttons(items: list[Preset]) -> str:
    return "".join(
        f'<button type="button" class="pg-preset" data-preset="{html.escape(p.name)}" '
        f'data-query="{html.escape(preset_query(p.params, p.view_ms))}" '
        f'title="{html.escape(p.caption)}">{html.escape(p.label)}</button>'
        for p in items)


def _number_input(name: str, label: str, value: str, hint: str, **attrs) -> str:
    extra = "".join(f' {k}="{html.escape(str(v))}"' for k, v in attrs.items())
    return (f'<label class="pg-field" data-field="{name}"><span>{html.escape(label)}</span>'
            f'<input name="{name}" inputmode="decimal" autocomplete="off" spellcheck="false" '
            f'value="{html.escape(value)}"{extra}>'
            f'<small data-hint="{name}">{html.escape(hint)}</small></label>')


#: Where the chapters' simulated timelines are, for the page built without Pyodide.
TIMELINES_PAGE = "new-gil-failures.md"


def widget(page, build: _Build, files=None) -> str:
    """The playground's HTML: controls, presets, and the places results go."""
    available = build.pyodide is not None
    config = {
        "available": available,
        "pyodide": _relative(build.pyodide_folder, page) if available else None,
        "package": _relative(f"{ASSETS}/{build.zip_name}", page) if available else None,
        "worker": _relative(f"{ASSETS}/worker.js", page),
        "pyodideVersion": build.version, "downloadBytes": build.download_bytes(),
        "scenarios": list(sim.SCENARIOS), "policies": list(sim.POLICIES),
        "maxSeconds": sim.MAX_SECONDS, "minInterval": sim.MIN_INTERVAL,
        "maxInterval": sim.MAX_INTERVAL, "minIoLatency": sim.MIN_IO_LATENCY,
        "maxIoLatency": sim.MAX_IO_LATENCY, "maxSeed": sim.MAX_SEED,
        "limits": LIMITS, "defaults": DEFAULTS,
    }
    groups = presets()
    scenario_options = "".join(_option(s, s, s == "convoy") for s in sim.SCENARIOS)
    policy_options = "".join(_option(p, p, p == DEFAULTS["policy"]) for p in sim.POLICIES)
    chapter = files.get_file_from_path(TIMELINES_PAGE) if files is not None else None
    timelines = (f' The chapter <a href="{html.escape(_relative(chapter.url, page))}">'
                 f"{html.escape(chapter.page.title if chapter.page else chapter.url)}</a> "
                 "shows its timelines." if chapter is not None else "")
    unavailable = "" if available else (
        '<div class="admonition note pg-unavailable" data-unavailable>'
        '<p class="admonition-title">The simulator is not part of this copy of the site</p>'
        "<p>It needs Pyodide, which the build fetches with npm. Install Node.js (with npm) "
        "and run <code>make serve</code> in a clone of the repository to get the full "
        "playground. Meanwhile every control below still gives the command that runs the "
        f"same simulation on your machine.{timelines}</p></div>")
    parts = [
        f'<div id="playground" class="pg" data-config="{html.escape(json.dumps(config))}">',
        unavailable,
        '<div class="pg-presets"><span class="pg-presets-title">Start here:</span>',
        _preset_buttons(groups["guide"]), "</div>",
        '<form class="pg-form" data-form novalidate>',
        '<label class="pg-field"><span>Scenario</span>'
        f'<select name="scenario">{scenario_options}</select>'
        '<small data-hint="scenario"></small></label>',
        '<label class="pg-field"><span>GIL policy</span>'
        f'<select name="policy">{policy_options}</select>'
        '<small data-hint="policy"></small></label>',
        _number_input("cores", "Cores", "2", "simulated CPU cores"),
        _number_input("cpu_threads", "CPU-bound threads", "1", ""),
        _number_input("io_threads", "I/O-bound threads", "1", ""),
        _number_input("interval", "Switch interval (s)", "", "", placeholder="default"),
        _number_input("io_latency", "I/O latency (s)", "", "", placeholder="default"),
        _number_input("seconds", "Seconds", str(DEFAULTS["seconds"]), ""),
        _number_input("seed", "Seed", "0", "every random choice comes from it"),
        '<div class="pg-actions">',
        f'<button type="submit" class="md-button md-button--primary" data-run'
        f'{"" if available else " disabled"}>Run</button>',
        '<button type="button" class="md-button" data-stop hidden>Stop</button>',
        '<span class="pg-status" data-status role="status" aria-live="polite"></span>',
        "</div></form>",
        '<div class="pg-message" data-message role="alert" hidden></div>',
        '<p class="pg-command">The same run on your machine: <code data-command></code></p>',
        '<div data-result hidden><p class="pg-verdict" data-verdict></p>',
        '<div class="pg-result"><div class="pg-timeline-box">'
        '<div class="pg-timeline" data-timeline></div>'   # becomes a .gil-timeline once drawn
        '<p class="pg-window" data-window hidden></p>'
        '<div class="pg-changed" data-changed></div></div>',
        '<aside class="pg-side"><table class="pg-metric-table"><thead><tr><th>metric</th>'
        '<th>value</th></tr></thead><tbody data-metric-rows></tbody></table></aside>',
        "</div></div>",
        '<details class="pg-json" data-json hidden><summary>The run as '
        "<code>simulate --json</code> prints it</summary></details>",
        '<details class="pg-more"><summary>Presets: every simulated timeline of the '
        "chapters</summary>",
        '<div class="pg-presets">', _preset_buttons(groups["figures"]), "</div></details>",
        "</div>",
        f'<link rel="stylesheet" href="{html.escape(_relative(ASSETS + "/playground.css", page))}">',
        f'<script src="{html.escape(_relative(ASSETS + "/playground.js", page))}"></script>',
    ]
    return "".join(parts)


_TIMELINE = re.compile(r'<div class="gil-timeline" data-src="(?:[^"]*/)?sim-(?P<name>[\w-]+)\.json">'
                       r"</div>")


def _chapter_links(output: str, page, files) -> str:
    """After every simulated timeline, a link that opens its run in the playground."""
    if files is not None and files.get_file_from_path(PAGE) is None:
        return output
    figures = {f.name: _figure_preset(f) for f in FIGURES}
    target = _relative("playground/", page)

    def link(match: re.Match) -> str:
        preset = figures.get(match.group("name"))
        if preset is None:
            log.warning("playground: no preset for the timeline sim-%s.json on %s "
                        "(gilexamples.site.timelines.FIGURES has none of that name)",
                        match.group("name"), page.file.src_uri)
            return match.group(0)
        href = f"{target}?{preset_query(preset.params, preset.view_ms)}"
        return (f'{match.group(0)}<a class="gil-play" href="{html.escape(href)}" '
                f'title="run this simulation in your browser and change it">'
                "Open in the playground</a>")

    return _TIMELINE.sub(link, output)


def on_page_content(output: str, page, config, files=None) -> str:
    if _BUILD is None:          # on_config did not run (a test calling the hooks directly)
        on_config(config)
    if page.file.src_uri == PAGE:
        if MARKER not in output:
            log.warning("playground: %s has no %s marker", PAGE, MARKER)
            return output
        if 'id="playground"' in output:
            log.warning("playground: %s already has an element with id=\"playground\" (a "
                        "heading?); the playground needs that id", PAGE)
        _BUILD.page_built = True
        return output.replace(MARKER, widget(page, _BUILD, files), 1)
    if "gil-timeline" in output:
        return _chapter_links(output, page, files)
    return output


def _copy(source: Path, target: Path) -> None:
    if target.is_file() and target.stat().st_size == source.stat().st_size \
            and target.stat().st_mtime >= source.stat().st_mtime:
        return
    shutil.copy2(source, target)


def on_post_build(config) -> None:
    """Write the package zip; copy Pyodide's files (when installed) next to it."""
    if _BUILD is None or not _BUILD.page_built:
        return
    out = Path(config["site_dir"]) / ASSETS
    out.mkdir(parents=True, exist_ok=True)
    (out / _BUILD.zip_name).write_bytes(_BUILD.zip_bytes)
    if _BUILD.pyodide is None:
        return
    target = Path(config["site_dir"]) / _BUILD.pyodide_folder
    target.mkdir(parents=True, exist_ok=True)
    for name in PYODIDE_FILES:
        _copy(_BUILD.pyodide / name, target / name)
    (target / "pyodide-lock.json").write_bytes(trimmed_lock(_BUILD.pyodide))
