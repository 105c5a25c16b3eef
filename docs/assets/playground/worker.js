/* The playground's simulator: Pyodide in a Web Worker, running gilexamples.sim from a zip
 * of the package's own modules (built from the repository with the site).
 *
 * Started by playground.js as a module worker when the reader presses a run button.
 * In:  {type: "run", id, urls: {pyodide, package}, params: {scenario, policy, cores,
 *       threads, seconds, seed, interval?, io_threads?, io_latency?}} (values as text,
 *       converted by Python exactly as the command line converts its arguments)
 * Out: {type: "progress", id, text}
 *      {type: "result", id, document, trace, shown, python, loadMs, runMs}
 *      {type: "error", id, message, input}  (input: a value the simulator refused)
 * Everything is fetched from the URLs given, on the page's own origin.
 */

// The Python side: convert, simulate, and print the run as `simulate --json` does.
const GLUE = `
import json, sys
sys.path.insert(0, "/home/pyodide/gilexamples.zip")
from gilexamples import sim
from gilexamples.trace.format import dumps, window

MAX_TRACE_CHARS = 4_000_000


def playground_run(request):
    p = json.loads(request)
    try:
        kwargs = {"policy": p["policy"], "cores": int(p["cores"]), "threads": int(p["threads"]),
                  "seconds": float(p["seconds"]), "seed": int(p["seed"])}
        for key, convert in (("interval", float), ("io_threads", int), ("io_latency", float)):
            if p.get(key) not in (None, ""):
                kwargs[key] = convert(p[key])
        run = sim.simulate(p["scenario"], **kwargs)
    except ValueError as error:
        return ["error", str(error)]
    trace = run["trace"]
    text, shown, end = dumps(trace), None, trace["end"]
    while len(text) > MAX_TRACE_CHARS and end > 1_000_000:
        end //= 2
        text, shown = dumps(window(trace, 0, end)), [0, end, trace["end"]]
    return ["ok", sim.to_json(run), text, json.dumps(shown)]
`;

let booting = null;

function boot(urls, id) {
  if (booting) return booting;
  booting = (async () => {
    const started = performance.now();
    postMessage({ type: "progress", id, text: "loading Python" });
    const { loadPyodide } = await import(urls.pyodide + "pyodide.mjs");
    const py = await loadPyodide({
      indexURL: urls.pyodide,
      lockFileURL: urls.pyodide + "pyodide-lock.json",
      packages: [],
      stdout: () => {},
      stderr: () => {},
    });
    postMessage({ type: "progress", id, text: "loading the simulator" });
    const response = await fetch(urls.package);
    if (!response.ok) throw new Error("the simulator's code: HTTP " + response.status);
    py.FS.writeFile("/home/pyodide/gilexamples.zip", new Uint8Array(await response.arrayBuffer()));
    py.runPython(GLUE);
    return {
      run: py.globals.get("playground_run"),
      python: py.runPython("import sys; sys.version.split()[0]"),
      loadMs: performance.now() - started,
    };
  })();
  booting.catch(() => { booting = null; });   // a later press tries again
  return booting;
}

function lastLine(error) {
  const lines = String(error && error.message || error).trim().split("\n");
  return lines[lines.length - 1];
}

self.onmessage = async (event) => {
  const { type, id, urls, params } = event.data;
  if (type !== "run") return;
  let python;
  try {
    python = await boot(urls, id);
  } catch (error) {
    postMessage({ type: "error", id, input: false,
                  message: "Python could not be loaded in this browser: " + lastLine(error) });
    return;
  }
  postMessage({ type: "progress", id, text: "simulating" });
  const started = performance.now();
  let out;
  try {
    const proxy = python.run(JSON.stringify(params));
    out = proxy.toJs();
    proxy.destroy();
  } catch (error) {
    postMessage({ type: "error", id, input: false,
                  message: "the simulator failed: " + lastLine(error) });
    return;
  }
  const runMs = performance.now() - started;
  if (out[0] === "error") {
    postMessage({ type: "error", id, input: true, message: out[1] });
    return;
  }
  postMessage({ type: "result", id, document: out[1], trace: out[2], shown: JSON.parse(out[3]),
                python: python.python, loadMs: python.loadMs, runMs });
};
