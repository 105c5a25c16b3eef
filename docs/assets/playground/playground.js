/* The GIL playground (docs/playground.md): controls, presets and the URL query on this page;
 * the simulator itself runs in worker.js (Pyodide), started only when the reader presses a
 * run button. Vanilla JS; the timeline is drawn by timeline.js (window.GILTimeline).
 *
 * Stable hooks: #playground, [data-run] (the run button), and after a run [data-metrics]
 * holding the run's JSON exactly as `python -m gilexamples simulate ... --json` prints it.
 */
(function () {
  "use strict";

  if (window.GILPlayground) {          // instant navigation brought the page back
    window.GILPlayground.refresh();
    return;
  }

  var FIELDS = ["scenario", "policy", "cores", "cpu_threads", "io_threads", "interval",
                "io_latency", "seconds", "seed"];
  var QUERY_KEYS = ["scenario", "policy", "cores", "threads", "io_threads", "interval",
                    "io_latency", "seconds", "seed", "view"];
  var LABELS = {
    scenario: "scenario", policy: "policy", cores: "cores", cpu_threads: "CPU-bound threads",
    io_threads: "I/O-bound threads", interval: "switch interval", io_latency: "I/O latency",
    seconds: "seconds", seed: "seed"
  };
  var DECIMAL = /^\+?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
  var WHOLE = /^\+?\d+$/;

  // What each metric means (gilexamples/sim/scenarios.py computes them).
  var METRICS = {
    sequential_s: "one thread doing all the work",
    threaded_s: "the same work split over the threads",
    ratio: "threaded / sequential time",
    context_switches: "OS context switches",
    rtt_alone_s: "median round trip, I/O alone",
    rtt_loaded_s: "median round trip next to the CPU-bound threads",
    rtt_loaded_p90_s: "90th percentile of those",
    slowdown: "loaded / alone round trip",
    trips_alone: "round trips, I/O alone",
    trips: "round trips next to the CPU-bound threads",
    starved: "no reply or wake-up at all next to them",
    sleep_s: "each sleep",
    cpu_threads: "CPU-bound threads",
    alone_p50_s: "median lateness, sleeper alone",
    alone_p99_s: "99th percentile, sleeper alone",
    p50_s: "median lateness after a sleep",
    p99_s: "99th percentile lateness",
    max_s: "worst lateness",
    samples: "wake-ups measured",
    switches: "GIL hand-overs between threads",
    failed_wakeups: "wake-ups that found the GIL taken again",
    drop_requests: "requests to drop the GIL",
    longest_wait_s: "longest wait for the GIL"
  };
  var HEADLINE = { countdown: "ratio", convoy: "slowdown", response: "p50_s" };

  var worker = null, workerRuns = 0, current = null, previous = null, runCount = 0, clock = null;

  // -- formatting -------------------------------------------------------------------------
  function seconds(s) {
    var a = Math.abs(s);
    if (a === 0) return "0";
    if (a >= 1) return s.toPrecision(3) + " s";
    if (a >= 1e-3) return (s * 1e3).toPrecision(3) + " ms";
    if (a >= 1e-6) return (s * 1e6).toPrecision(3) + " µs";
    return (s * 1e9).toPrecision(3) + " ns";
  }

  function metricText(key, value) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "boolean") return value ? "yes" : "no";
    if (/_s$/.test(key)) return seconds(value);
    if (key === "ratio" || key === "slowdown") return value.toPrecision(3) + "×";
    return String(value);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // -- the form and its rules -------------------------------------------------------------
  function Playground(root) {
    this.root = root;
    this.cfg = JSON.parse(root.getAttribute("data-config"));
    this.form = root.querySelector("[data-form]");
    this.view = null;      // [t0, t1] in ms, from a preset or the URL, for the next drawing
    var self = this;
    this.input = {};
    FIELDS.forEach(function (name) { self.input[name] = self.form.elements[name]; });
    this.form.addEventListener("submit", function (ev) { ev.preventDefault(); self.run(); });
    this.form.addEventListener("input", function () { self.view = null; self.changed(); });
    this.form.addEventListener("change", function () { self.view = null; self.changed(); });
    // countdown has no I/O-bound threads: switching keeps the number of threads (--threads)
    this.wasIo = this.io();
    this.input.scenario.addEventListener("change", function () {
      var io = self.io(), cpu = self.input.cpu_threads, n = parseInt(cpu.value, 10);
      var k = parseInt(self.input.io_threads.value, 10) || 1;
      if (io !== self.wasIo && WHOLE.test(cpu.value)) {
        cpu.value = String(io ? Math.max(1, n - k) : n + k);
      }
      self.wasIo = io;
      self.changed();
    });
    root.querySelector("[data-stop]").addEventListener("click", function () { self.stop(); });
    Array.prototype.forEach.call(root.querySelectorAll("[data-preset]"), function (button) {
      button.addEventListener("click", function () {
        var problems = self.fill(button.getAttribute("data-query"));
        self.wasIo = self.io();
        self.changed(problems);
        if (!problems.length && self.cfg.available) self.run();
      });
    });
    var problems = location.search.length > 1 ? this.fill(location.search.slice(1)) : [];
    this.wasIo = this.io();
    if (this.cfg.available && !worker) {
      this.status("the first run downloads Python (Pyodide " + this.cfg.pyodideVersion + ", " +
                  (this.cfg.downloadBytes / 1048576).toFixed(1) + " MB) from this site");
    }
    this.changed(problems, true);
  }

  Playground.prototype.io = function () {
    return this.input.scenario.value !== "countdown";
  };

  // Put the values of a query string into the controls (defaults for what it does not
  // give); return what was wrong with it.
  Playground.prototype.fill = function (query) {
    var params = new URLSearchParams(query), problems = [], seen = {}, self = this;
    var cfg = this.cfg, d = cfg.defaults;
    params.forEach(function (value, key) {
      if (QUERY_KEYS.indexOf(key) < 0) {
        problems.push("unknown setting " + JSON.stringify(key) + " (known: " +
                      QUERY_KEYS.join(", ") + ")");
      }
      seen[key] = value;
    });
    function choose(name, known, fallback) {
      self.input[name].value = fallback;
      if (!(name in seen)) return;
      if (known.indexOf(seen[name]) < 0) {
        problems.push(name + ": unknown " + JSON.stringify(seen[name]) + " (known: " +
                      known.join(", ") + ")");
      } else {
        self.input[name].value = seen[name];
      }
    }
    choose("scenario", cfg.scenarios, "convoy");
    choose("policy", cfg.policies, d.policy);
    var fallback = { cores: d.cores, seconds: d.seconds, seed: d.seed, interval: "",
                     io_latency: "" };
    Object.keys(fallback).forEach(function (name) {
      self.input[name].value = name in seen ? seen[name] : String(fallback[name]);
    });
    var threads = "threads" in seen ? seen.threads : String(d.threads);
    var ioThreads = "io_threads" in seen ? seen.io_threads : String(d.io_threads);
    this.input.cpu_threads.value = threads;
    this.input.io_threads.value = ioThreads;
    if (!this.io()) {
      if ("io_threads" in seen) problems.push("io_threads: countdown has no I/O-bound threads");
      if ("io_latency" in seen) problems.push("io_latency: countdown does no I/O");
      this.input.io_threads.value = String(d.io_threads);
      this.input.io_latency.value = "";
    } else if (WHOLE.test(threads) && WHOLE.test(ioThreads)) {
      // the link counts every thread (as --threads does); the controls show each kind
      var cpu = parseInt(threads, 10) - parseInt(ioThreads, 10);
      if (cpu < 1) {
        problems.push("threads (" + threads + ") must be more than io_threads (" + ioThreads +
                      "): at least one thread is CPU-bound");
      }
      this.input.cpu_threads.value = String(Math.max(1, cpu));
    }
    this.view = null;
    if ("view" in seen) {
      var m = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(seen.view);
      if (m && parseFloat(m[1]) < parseFloat(m[2])) {
        this.view = [parseFloat(m[1]), parseFloat(m[2])];
      } else {
        problems.push("view: expected FROM-TO in ms (like 20-60), got " + JSON.stringify(seen.view));
      }
    }
    return problems;
  };

  // The controls' values checked against the simulator's rules and the browser's limits.
  // Returns {errors: {field: message}, params: {...as text, for the worker}, args: [CLI]}.
  Playground.prototype.check = function () {
    var v = {}, errors = {}, cfg = this.cfg, lim = cfg.limits, io = this.io(), self = this;
    FIELDS.forEach(function (name) { v[name] = self.input[name].value.trim(); });
    if (v.policy === "nogil") v.interval = "";      // no GIL, no interval: not passed on
    function whole(name, min, max) {
      if (!WHOLE.test(v[name])) { errors[name] = "a whole number, please"; return null; }
      var n = parseInt(v[name], 10);
      if (n < min) { errors[name] = "at least " + min; return null; }
      if (max && n > max) { errors[name] = "at most " + max + " here"; return null; }
      return n;
    }
    function decimal(name, optional) {
      if (optional && v[name] === "") return null;
      if (!DECIMAL.test(v[name])) { errors[name] = "a number in seconds, please"; return null; }
      var x = parseFloat(v[name]);
      if (!(x > 0)) { errors[name] = "must be more than 0"; return null; }
      return x;
    }
    whole("cores", 1, lim.cores);
    var cpu = whole("cpu_threads", 1, lim.threads);
    var ioThreads = io ? whole("io_threads", 1, lim.threads) : 0;
    if (cpu !== null && ioThreads !== null && cpu + ioThreads > lim.threads) {
      errors.cpu_threads = "at most " + lim.threads + " threads in all here";
    }
    var secs = decimal("seconds");
    if (secs !== null && secs > cfg.maxSeconds) {
      errors.seconds = "at most " + cfg.maxSeconds + " (the simulator's limit)";
    } else if (secs !== null && secs > lim.seconds) {
      errors.seconds = "at most " + lim.seconds + " in the browser; the command below runs longer ones";
    }
    var interval = decimal("interval", true);
    if (interval !== null && interval < cfg.minInterval) errors.interval = "at least " + cfg.minInterval + " s";
    else if (interval !== null && interval > cfg.maxInterval) errors.interval = "at most " + cfg.maxInterval + " s";
    var latency = io ? decimal("io_latency", true) : null;
    if (latency !== null && latency > cfg.maxIoLatency) errors.io_latency = "at most " + cfg.maxIoLatency + " s";
    else if (latency !== null && latency < cfg.minIoLatency) errors.io_latency = "at least " + cfg.minIoLatency + " s";
    else if (latency !== null && secs !== null && v.scenario === "response" &&
             secs / latency > lim.intervals * 1.0001) {
      errors.io_latency = "about " + Math.round(secs / latency).toLocaleString("en") + " wake-ups " +
        "in this run; the browser simulates at most " + lim.intervals.toLocaleString("en") +
        ": fewer seconds or longer sleeps, or the command below";
    }
    if (!WHOLE.test(v.seed)) errors.seed = "a whole number from 0, please";
    else if (parseFloat(v.seed) > cfg.maxSeed) errors.seed = "at most " + cfg.maxSeed;
    var policy = v.policy;
    if (secs !== null && !errors.interval && policy !== "nogil") {
      var each = interval !== null ? interval :
        cfg.defaults.interval_s[policy === "ticks" ? "ticks" : "switching"];
      var count = secs / each;
      if (count > lim.intervals * 1.0001) {
        var msg = "about " + Math.round(count).toLocaleString("en") + " " +
          (policy === "ticks" ? "checks" : "switch intervals") + " in this run; the browser " +
          "simulates at most " + lim.intervals.toLocaleString("en") + ": fewer seconds or a " +
          "longer interval, or the command below";
        errors[interval !== null ? "interval" : "seconds"] = msg;
      }
    }
    var threads = io && cpu !== null && ioThreads !== null ? String(cpu + ioThreads) : v.cpu_threads;
    var params = { scenario: v.scenario, policy: policy, cores: v.cores, threads: threads,
                   seconds: v.seconds, seed: v.seed };
    if (v.interval !== "") params.interval = v.interval;
    if (io && v.io_threads !== String(cfg.defaults.io_threads)) params.io_threads = v.io_threads;
    if (io && v.io_latency !== "") params.io_latency = v.io_latency;
    var args = ["python", "-m", "gilexamples", "simulate", v.scenario, "--policy", policy,
                "--cores", v.cores];
    if (threads !== String(cfg.defaults.threads)) args.push("--threads", threads);
    if (params.io_threads) args.push("--io-threads", params.io_threads);
    if (params.interval) args.push("--interval", params.interval);
    if (params.io_latency) args.push("--io-latency", params.io_latency);
    args.push("--seconds", v.seconds);
    if (v.seed !== String(cfg.defaults.seed)) args.push("--seed", v.seed);
    args.push("--json");
    return { errors: errors, params: params, args: args };
  };

  Playground.prototype.query = function (params) {
    var q = new URLSearchParams();
    QUERY_KEYS.forEach(function (key) { if (key in params) q.set(key, params[key]); });
    if (this.view) q.set("view", this.view[0] + "-" + this.view[1]);
    if (params.threads === String(this.cfg.defaults.threads)) q.delete("threads");
    if (params.seed === String(this.cfg.defaults.seed)) q.delete("seed");
    return q.toString();
  };

  // After any change: hints, errors, the command, the URL.
  Playground.prototype.changed = function (problems, initial) {
    var io = this.io(), cfg = this.cfg, d = cfg.defaults, self = this;
    var policy = this.input.policy.value, scenario = this.input.scenario.value;
    this.input.io_threads.disabled = !io;
    this.input.io_latency.disabled = !io;
    this.input.interval.disabled = policy === "nogil";
    var hints = {
      scenario: { countdown: "CPU-bound threads share a fixed amount of work",
                  convoy: "echo server threads answer a client next to CPU-bound threads",
                  response: "threads sleep and wake up next to CPU-bound threads" }[scenario],
      policy: { ticks: "Python 2's tick GIL", newgil: "the switching GIL of 3.2+",
                "newgil-noforce": "the same without FORCE_SWITCHING",
                priority: "a fix proposed in 2010, never shipped",
                nogil: "free-threaded: no GIL" }[policy] || "",
      cpu_threads: scenario === "countdown" ? "they split the work" : "they never block",
      io_threads: io ? (scenario === "convoy" ? "echo servers, one client each" : "sleepers")
                     : "countdown has none",
      interval: policy === "nogil" ? "no GIL, no interval" : "default " +
        seconds(d.interval_s[policy === "ticks" ? "ticks" : "switching"]) +
        (policy === "ticks" ? " (100 ticks between checks)" : ""),
      io_latency: io ? (scenario === "convoy" ? "one-way network delay, default " +
                         seconds(d.io_latency_s.convoy)
                       : "each sleep, default " + seconds(d.io_latency_s.response))
                     : "countdown does no I/O",
      seconds: scenario === "countdown" ? "CPU seconds of work" : "simulated time"
    };
    var checked = this.check();
    FIELDS.forEach(function (name) {
      var hint = self.root.querySelector('[data-hint="' + name + '"]');
      var field = self.input[name].closest(".pg-field");
      var error = checked.errors[name];
      if (hint && (hint.getAttribute("data-default") === null)) {
        hint.setAttribute("data-default", hint.textContent);
      }
      if (hint) hint.textContent = error || hints[name] || hint.getAttribute("data-default");
      field.classList.toggle("pg-invalid", !!error);
      self.input[name].setAttribute("aria-invalid", error ? "true" : "false");
    });
    var messages = (problems || []).slice();
    Object.keys(checked.errors).forEach(function (name) {
      messages.push(LABELS[name] + ": " + checked.errors[name]);
    });
    this.problems = problems || [];
    this.message(messages.length ? (initial && problems && problems.length ?
      "This link has values the playground cannot use:" : "Please check:") : null, messages);
    this.root.querySelector("[data-command]").textContent = checked.args.join(" ");
    if (!problems || !problems.length) {
      var query = this.query(checked.params);
      history.replaceState(history.state, "", "?" + query + location.hash);
    }
    return checked;
  };

  Playground.prototype.message = function (title, lines) {
    var box = this.root.querySelector("[data-message]");
    box.textContent = "";
    if (!title) { box.hidden = true; return; }
    box.appendChild(el("p", "pg-message-title", title));
    if (lines && lines.length) {
      var list = el("ul");
      lines.forEach(function (line) { list.appendChild(el("li", null, line)); });
      box.appendChild(list);
    }
    box.hidden = false;
  };

  Playground.prototype.status = function (text) {
    this.root.querySelector("[data-status]").textContent = text;
  };

  // -- running ----------------------------------------------------------------------------
  Playground.prototype.run = function () {
    var checked = this.changed(this.problems);
    if (Object.keys(checked.errors).length || (this.problems && this.problems.length)) {
      this.root.setAttribute("data-state", "invalid");
      return;
    }
    if (!this.cfg.available) {
      this.message("The simulator is not part of this copy of the site; the command above " +
                   "runs the same simulation on your machine.");
      return;
    }
    var self = this, cfg = this.cfg, id = ++runCount;
    if (!worker) {
      worker = new Worker(new URL(cfg.worker, document.baseURI).href, { type: "module" });
      workerRuns = 0;
      worker.onerror = function (ev) {
        ev.preventDefault();
        self.fail({ message: "the simulator could not start: " + (ev.message || "worker error") });
      };
    }
    worker.onmessage = function (ev) { self.receive(ev.data); };
    current = { id: id, inputs: this.inputs(), params: checked.params, args: checked.args,
                view: this.view, started: performance.now(), phase: "starting" };
    this.root.setAttribute("data-state", "running");
    this.root.querySelector("[data-run]").disabled = true;
    this.root.querySelector("[data-stop]").hidden = false;
    this.message(null);
    clearInterval(clock);
    clock = setInterval(function () { self.tick(); }, 200);
    this.tick();
    worker.postMessage({
      type: "run", id: id, params: checked.params,
      urls: { pyodide: new URL(cfg.pyodide, document.baseURI).href,
              package: new URL(cfg.package, document.baseURI).href }
    });
  };

  Playground.prototype.inputs = function () {
    var self = this, out = {};
    FIELDS.forEach(function (name) { out[name] = self.input[name].disabled ? "" : self.input[name].value.trim(); });
    return out;
  };

  Playground.prototype.tick = function () {
    if (!current) return;
    var s = (performance.now() - current.started) / 1000;
    var what = { starting: "starting", "loading Python": "loading Python (first run only)",
                 "loading the simulator": "loading the simulator",
                 simulating: "simulating" }[current.phase] || current.phase;
    this.status(what + "… " + s.toFixed(1) + " s");
  };

  Playground.prototype.finish = function () {
    clearInterval(clock);
    current = null;
    this.root.querySelector("[data-run]").disabled = !this.cfg.available;
    this.root.querySelector("[data-stop]").hidden = true;
  };

  Playground.prototype.stop = function () {
    if (worker) worker.terminate();
    worker = null;
    this.finish();
    this.root.setAttribute("data-state", "stopped");
    this.status("stopped (the next run loads Python again)");
  };

  Playground.prototype.fail = function (data) {
    this.finish();
    this.root.setAttribute("data-state", "error");
    this.status("");
    this.message(data.input ? "The simulator refused these values:" : "Something went wrong:",
                 [data.message]);
  };

  Playground.prototype.receive = function (data) {
    if (!current || data.id !== current.id) return;
    if (data.type === "progress") { current.phase = data.text; this.tick(); return; }
    if (data.type === "error") { this.fail(data); return; }
    var run = current, total = performance.now() - run.started;
    var fresh = workerRuns++ === 0;
    this.finish();
    this.show(run, data, total, fresh);
  };

  Playground.prototype.show = function (run, data, total, fresh) {
    var doc = JSON.parse(data.document), root = this.root;
    var trace = JSON.parse(data.trace);
    trace.stamp = { interpreter: "gilexamples.sim on Python " + data.python +
                    " (Pyodide) in this browser, seed " + doc.seed,
                    machine: "simulated: " + doc.cores + " core(s), policy " + doc.policy };
    root.querySelector("[data-result]").hidden = false;
    var view = run.view ? [run.view[0] * 1e6, run.view[1] * 1e6] : null;
    var box = root.querySelector("[data-timeline]");
    box.classList.add("gil-timeline");      // the viewer's styles (it has no data-src to load)
    window.GILTimeline.show(box, trace, view);
    var note = root.querySelector("[data-window]");
    note.hidden = !data.shown;
    if (data.shown) {
      note.textContent = "The timeline shows the first " + seconds(data.shown[1] / 1e9) +
        " of " + seconds(data.shown[2] / 1e9) + " (the whole run would be too big to draw); " +
        "the metrics cover the whole run.";
    }
    this.metrics(doc);
    this.verdict(doc, run.inputs);
    this.compare(run, doc, data.document);
    // The stable hook: the run as `simulate --json` prints it, byte for byte.
    var details = root.querySelector("[data-json]");
    var pre = details.querySelector("[data-metrics]");
    if (!pre) {
      pre = el("pre", "pg-json-text");
      pre.setAttribute("data-metrics", "");
      details.appendChild(pre);
    }
    pre.textContent = data.document;
    pre.setAttribute("data-run-count", String(run.id));
    details.hidden = false;
    root.setAttribute("data-run-count", String(run.id));
    root.setAttribute("data-state", "done");
    var timing = "simulated in " + (data.runMs / 1000).toFixed(2) + " s";
    if (fresh) timing = "Python " + data.python + " loaded in " + (data.loadMs / 1000).toFixed(1) +
      " s, " + timing;
    this.status(timing + " (" + (total / 1000).toFixed(2) + " s in all)");
    previous = { inputs: run.inputs, doc: doc, text: data.document };
  };

  Playground.prototype.metrics = function (doc) {
    var body = this.root.querySelector("[data-metric-rows]"), head = HEADLINE[doc.scenario];
    body.textContent = "";
    var keys = Object.keys(doc.metrics);
    keys.sort(function (a, b) { return (b === head) - (a === head); });
    keys.forEach(function (key) {
      var row = el("tr", key === head ? "pg-headline" : "");
      var name = el("td");
      name.appendChild(el("code", null, key));
      if (METRICS[key]) name.appendChild(el("span", "pg-metric-help", METRICS[key]));
      row.appendChild(name);
      row.appendChild(el("td", "pg-value", metricText(key, doc.metrics[key])));
      body.appendChild(row);
    });
  };

  Playground.prototype.verdict = function (doc, inputs) {
    var m = doc.metrics, text;
    if (doc.scenario === "countdown") {
      var r = m.ratio;
      text = r > 1.1 ? "The threads took " + r.toFixed(2) + "× as long as one thread doing all " +
          "the work: slower than sequential."
        : r < 0.9 ? "The threads finished in " + r.toFixed(2) + "× the sequential time: they " +
          "ran in parallel."
        : "About as long as one thread (" + r.toFixed(2) + "×): one thread ran at a time.";
    } else if (m.starved) {
      text = doc.scenario === "convoy" ? "No reply got through next to the CPU-bound threads: " +
        "the I/O thread starved." : "The sleeper never ran again next to the CPU-bound threads: " +
        "it starved.";
    } else if (doc.scenario === "convoy") {
      var s = m.slowdown;
      text = s > 5 ? "Each round trip takes " + s.toFixed(1) + "× as long next to the CPU-bound " +
          "threads (" + seconds(m.rtt_loaded_s) + " instead of " + seconds(m.rtt_alone_s) +
          "): the convoy effect."
        : s < 2 ? "Round trips are barely slower (" + s.toFixed(2) + "×) next to the CPU-bound " +
          "threads: no convoy."
        : "Round trips are " + s.toFixed(1) + "× slower next to the CPU-bound threads.";
    } else {
      text = "A thread that sleeps " + seconds(m.sleep_s) + " runs Python again " +
        seconds(m.p50_s) + " late (median; " + seconds(m.alone_p50_s) + " when alone).";
    }
    this.root.querySelector("[data-verdict]").textContent = text;
  };

  Playground.prototype.compare = function (run, doc, text) {
    var box = this.root.querySelector("[data-changed]");
    box.textContent = "";
    if (!previous) return;
    box.appendChild(el("p", "pg-changed-title", "What changed since the previous run"));
    if (previous.text === text) {
      box.appendChild(el("p", null, "Same inputs, same numbers, byte for byte: the simulator " +
                                    "is deterministic."));
      return;
    }
    var list = el("ul");
    FIELDS.forEach(function (name) {
      var a = previous.inputs[name], b = run.inputs[name];
      if (a !== b) {
        list.appendChild(el("li", "pg-input-change", LABELS[name] + ": " + (a || "default") +
                                                     " → " + (b || "default")));
      }
    });
    var head = HEADLINE[doc.scenario], keys = Object.keys(doc.metrics);
    keys.sort(function (a, b) { return (b === head) - (a === head); });
    keys.forEach(function (key) {
      if (!(key in previous.doc.metrics)) return;
      var a = previous.doc.metrics[key], b = doc.metrics[key];
      if (a === b) return;
      var line = key + ": " + metricText(key, a) + " → " + metricText(key, b);
      if (typeof a === "number" && typeof b === "number" && a > 0 && b > 0 && key !== "cpu_threads") {
        var f = b / a;
        line += " (" + (f >= 1 ? "×" + f.toPrecision(3) : "÷" + (1 / f).toPrecision(3)) + ")";
      }
      list.appendChild(el("li", key === head ? "pg-headline" : "", line));
    });
    if (!list.children.length) list.appendChild(el("li", null, "nothing"));
    box.appendChild(list);
  };

  // -- lifecycle (material's instant navigation keeps this script alive) ------------------
  function refresh() {
    var root = document.querySelector("#playground[data-config]");
    if (!root) {                         // another page: let the worker go
      if (worker) worker.terminate();
      worker = null;
      current = null;
      clearInterval(clock);
      return;
    }
    if (root.playground) return;
    previous = null;
    root.playground = new Playground(root);
  }

  window.GILPlayground = { refresh: refresh };
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(refresh);
  }
  refresh();
})();
