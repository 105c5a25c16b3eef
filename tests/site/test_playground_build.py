"""What the build gives the playground page: the package zip (from the import graph), the
pinned Pyodide, the presets and the chapter links, and a site that builds without Pyodide."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from gilexamples.site import playground, playground_assets
from gilexamples.site.timelines import FIGURES
from tests.conftest import ROOT, run_cli
from tests.site.trees import build_playground_tree


def _names(paths) -> set[str]:
    top = Path(playground_assets.gilexamples.__file__).resolve().parent
    return {p.relative_to(top).as_posix() for p in paths}


def test_the_zip_holds_what_the_import_graph_reaches_and_nothing_else():
    names = _names(playground_assets.package_modules())
    assert {"__init__.py", "sim/__init__.py", "sim/kernel.py", "sim/policies.py",
            "sim/scenarios.py", "trace/__init__.py", "trace/format.py"} <= names
    # the command line, the lab and matplotlib's renderer are not reached from the simulator
    assert "units.py" in names                      # the percentile rule sim shares
    assert not any(n.startswith(("cli/", "site/", "lab/")) for n in names), names
    assert "trace/picture.py" not in names          # matplotlib's renderer


def test_the_graph_follows_imports_including_relative_ones(tmp_path, monkeypatch):
    pkg = tmp_path / "gilexamples"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from .a import thing\n")
    (pkg / "sub" / "a.py").write_text("def thing():\n    from gilexamples import helper\n")
    (pkg / "helper.py").write_text("import json\n")
    (pkg / "unused.py").write_text("")
    monkeypatch.setattr(playground_assets, "_package_dir", lambda: pkg)
    found = {p.relative_to(pkg).as_posix() for p in playground_assets.package_modules(("gilexamples.sub",))}
    assert found == {"__init__.py", "sub/__init__.py", "sub/a.py", "helper.py"}
    with pytest.raises(ValueError, match="not a module"):
        playground_assets.package_modules(("gilexamples.nothing",))


def test_the_zip_is_reproducible_and_runs_the_simulator_like_the_cli(tmp_path):
    data = playground_assets.package_zip()
    assert data == playground_assets.package_zip()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
    zipped = tmp_path / "gilexamples.zip"
    zipped.write_bytes(data)
    # a fresh interpreter that sees the zip and the standard library only (-I: no site
    # packages, no current folder), as the worker does under Pyodide
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from gilexamples import sim; "
            "assert sim.__file__.startswith(sys.argv[1]), sim.__file__; "
            "sys.stdout.write(sim.to_json(sim.simulate('convoy', policy='priority', cores=2, "
            "threads=3, seconds=0.1, seed=2)))")
    result = subprocess.run([sys.executable, "-I", "-c", code, str(zipped)], capture_output=True,
                            text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    cli = run_cli("simulate", "convoy", "--policy", "priority", "--cores", "2", "--threads", "3",
                  "--seconds", "0.1", "--seed", "2", "--json")
    assert result.stdout == cli.stdout


def test_the_worker_imports_only_the_zip_roots():
    """worker.js's Python imports exactly what WORKER_IMPORTS roots the zip at."""
    glue = (ROOT / "docs/assets/playground/worker.js").read_text(encoding="utf-8")
    imports = set()
    for line in glue.splitlines():
        if line.startswith("from gilexamples"):
            module, names = line[5:].split(" import ")
            imports.add(module if module != "gilexamples" else f"gilexamples.{names.strip()}")
    assert imports == set(playground_assets.WORKER_IMPORTS)


def _fake_pyodide(folder: Path, version: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "package.json").write_text(json.dumps({"version": version}))
    for name in playground_assets.PYODIDE_FILES:
        (folder / name).write_bytes(b"x")
    (folder / "pyodide-lock.json").write_text(json.dumps(
        {"info": {"python": "3.14.2"}, "packages": {"numpy": {"file_name": "numpy.whl"}}}))
    return folder


def test_pyodide_is_pinned_by_the_lock_file(tmp_path, monkeypatch):
    lock = json.loads((ROOT / "docs/assets/playground/package-lock.json").read_text())
    entry = lock["packages"]["node_modules/pyodide"]
    assert entry["version"] == playground_assets.pinned_pyodide(ROOT)
    assert entry["integrity"].startswith("sha512-")
    manifest = json.loads((ROOT / "docs/assets/playground/package.json").read_text())
    assert manifest["dependencies"]["pyodide"] == entry["version"]      # exact, no range
    pinned = entry["version"]
    good = _fake_pyodide(tmp_path / "good", pinned)
    monkeypatch.setenv(playground_assets.ENV_PYODIDE, str(good))
    assert playground_assets.find_pyodide(ROOT) == (good, pinned)
    monkeypatch.setenv(playground_assets.ENV_PYODIDE, str(_fake_pyodide(tmp_path / "old", "0.26.0")))
    folder, reason = playground_assets.find_pyodide(ROOT)
    assert folder is None and "0.26.0" in reason and pinned in reason
    monkeypatch.setenv(playground_assets.ENV_PYODIDE, str(tmp_path / "none"))
    folder, reason = playground_assets.find_pyodide(ROOT)
    assert folder is None and "make playground-deps" in reason


def test_the_served_lock_file_lists_no_package(tmp_path):
    lock = json.loads(playground_assets.trimmed_lock(_fake_pyodide(tmp_path / "p", "1")))
    assert lock == {"info": {"python": "3.14.2"}, "packages": {}}


def test_every_simulated_timeline_of_the_chapters_has_a_preset():
    data = ROOT / "docs/assets/timeline/data"
    on_disk = {p.stem[len("sim-"):] for p in data.glob("sim-*.json")}
    figures = {p.name[len("figure-"):]: p for p in playground.presets()["figures"]}
    assert on_disk and on_disk <= set(figures)
    for fig in FIGURES:
        preset = figures[fig.name]
        assert playground.preset_query(preset.params, preset.view_ms) == (
            f"scenario={fig.scenario}&policy={fig.policy}&cores={fig.cores}&seconds={fig.seconds}"
            f"&view={fig.window_ms[0]}-{fig.window_ms[1]}")


def test_the_guide_goes_from_the_convoy_to_its_two_fixes():
    guide = playground.presets()["guide"]
    assert [p.params["policy"] for p in guide] == ["newgil", "priority", "nogil"]
    assert all(p.params["scenario"] == "convoy" for p in guide)


def test_chapter_timelines_get_a_playground_link_and_real_ones_do_not():
    page = SimpleNamespace(url="new-gil-failures/", file=SimpleNamespace(src_uri="new-gil-failures.md"))
    html = ('<div class="gil-timeline" data-src="../assets/timeline/data/sim-convoy.json"></div>'
            '<div class="gil-timeline" data-src="../assets/timeline/data/real-convoy.json"></div>')
    out = playground._chapter_links(html, page, files=None)
    assert out.count('class="gil-play"') == 1
    assert ('href="../playground/?scenario=convoy&amp;policy=newgil&amp;cores=2&amp;seconds=0.1'
            '&amp;view=20-60"') in out


@pytest.fixture(scope="module")
def site_without_pyodide(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("no-pyodide")
    result = build_playground_tree(tmp, {playground_assets.ENV_PYODIDE: str(tmp / "not-installed")})
    assert result.returncode == 0, result.stderr[-3000:]
    return tmp / "site"


@pytest.mark.build
def test_without_pyodide_the_site_builds_and_the_page_says_how_to_get_it(site_without_pyodide):
    html = (site_without_pyodide / "playground/index.html").read_text(encoding="utf-8")
    assert 'id="playground"' in html and "data-unavailable" in html
    assert "make serve" in html and "npm" in html
    assert "data-run disabled" in html
    served = site_without_pyodide / "assets/playground"
    assert not list(served.glob("pyodide-*")), "no Pyodide was installed, none may be served"
    assert (served / "playground.js").is_file()
    assert not (served / "package.json").exists() and not (served / "package-lock.json").exists()


def test_the_page_states_the_browser_limits_the_playground_applies():
    text = (ROOT / "docs/playground.md").read_text(encoding="utf-8")
    limits = playground.LIMITS
    assert f"at most {limits['seconds']:g} simulated seconds and {limits['intervals']:,}" in text


@pytest.mark.build
def test_a_heading_that_takes_the_playground_id_fails_the_build(tmp_path):
    result = build_playground_tree(tmp_path, {}, title="Playground")   # its id is "playground"
    assert result.returncode != 0
    assert 'already has an element with id="playground"' in result.stderr
