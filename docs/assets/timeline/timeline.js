/* GIL timeline viewer: vanilla JS + canvas, no library, no network beyond the data file.
 *
 * Usage in a page:  <div class="gil-timeline" data-src="../assets/timeline/data/NAME.json"></div>
 * The data file is a gil-timeline/1 trace (see gilexamples/trace/format.py).
 * Wheel or +/- zooms around the pointer, drag or arrow keys pan, double-click resets,
 * hovering shows the interval and the nearest GIL event.
 */
(function () {
  "use strict";

  var STATES = {
    run: "running Python",
    wait: "waiting for the GIL",
    io: "blocked in I/O",
    ready: "ready, no core"
  };
  var EVENTS = {
    request: "drop request",
    drop: "drops the GIL",
    take: "takes the GIL",
    fail: "failed wake-up (GIL taken again)"
  };
  var LANE = 30, GAP = 10, TOP = 14, AXIS = 26, LEFT = 64;

  function fmt(ns) {
    var a = Math.abs(ns);
    if (a < 0.5) return "0";
    if (a >= 1e9) return (ns / 1e9).toFixed(3) + " s";
    if (a >= 1e6) return (ns / 1e6).toFixed(a >= 1e7 ? 1 : 3) + " ms";
    if (a >= 1e3) return (ns / 1e3).toFixed(a >= 1e4 ? 1 : 2) + " µs";
    return Math.round(ns) + " ns";
  }

  function niceStep(span, target) {
    var raw = span / target, p = Math.pow(10, Math.floor(Math.log10(raw)));
    var m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
  }

  // First index whose interval ends at or after t (intervals sorted, non-overlapping).
  function firstEnding(list, t) {
    var lo = 0, hi = list.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid][1] < t) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  function firstEvent(list, t) {
    var lo = 0, hi = list.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid][0] < t) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function Viewer(root, trace) {
    this.root = root;
    this.trace = trace;
    this.lanes = trace.threads;
    this.byThread = {};
    for (var i = 0; i < trace.events.length; i++) {
      var e = trace.events[i];
      (this.byThread[e[1]] = this.byThread[e[1]] || []).push(e);
    }
    this.v0 = trace.start;
    this.v1 = Math.max(trace.end, trace.start + 1);
    this.build();
  }

  Viewer.prototype.build = function () {
    var self = this, root = this.root, trace = this.trace;
    root.textContent = "";
    root.appendChild(el("div", "gil-title", trace.title));
    var bar = el("div", "gil-toolbar");
    function button(label, title, fn) {
      var b = el("button", "gil-button", label);
      b.type = "button";
      b.title = title;
      b.addEventListener("click", fn);
      bar.appendChild(b);
    }
    button("−", "zoom out", function () { self.zoom(2, 0.5); });
    button("+", "zoom in", function () { self.zoom(0.5, 0.5); });
    button("5 ms", "show a 5 ms window", function () { self.window(5e6); });
    button("reset", "show everything", function () { self.reset(); });
    this.readout = el("span", "gil-readout");
    bar.appendChild(this.readout);
    root.appendChild(bar);
    var wrap = el("div", "gil-canvas-wrap");
    this.canvas = el("canvas", "gil-canvas");
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", "timeline: " + trace.title);
    wrap.appendChild(this.canvas);
    this.tip = el("div", "gil-tip");
    wrap.appendChild(this.tip);
    root.appendChild(wrap);
    var legend = el("div", "gil-legend");
    var used = {};
    this.lanes.forEach(function (t) { t.intervals.forEach(function (iv) { used[iv[2]] = 1; }); });
    Object.keys(STATES).forEach(function (s) {
      if (!used[s]) return;
      var item = el("span", "gil-key");
      item.appendChild(el("span", "gil-swatch gil-" + s));
      item.appendChild(document.createTextNode(STATES[s]));
      legend.appendChild(item);
    });
    ["request", "fail"].forEach(function (k) {
      if (!trace.events.some(function (e) { return e[2] === k; })) return;
      var item = el("span", "gil-key");
      item.appendChild(el("span", "gil-mark gil-mark-" + k, k === "request" ? "▼" : "×"));
      item.appendChild(document.createTextNode(EVENTS[k]));
      legend.appendChild(item);
    });
    root.appendChild(legend);
    var stamp = trace.stamp || {};
    var parts = [stamp.interpreter, stamp.machine, stamp.date].filter(Boolean);
    if (parts.length) root.appendChild(el("div", "gil-stamp", parts.join(" · ")));
    if (stamp.note) root.appendChild(el("div", "gil-stamp gil-note", stamp.note));
    this.colors = {};
    var style = getComputedStyle(root);
    Object.keys(STATES).concat(["request", "fail", "take", "drop", "axis", "text"]).forEach(function (k) {
      self.colors[k] = style.getPropertyValue("--gil-" + k).trim() || "#888";
    });
    this.listen();
    this.resize();
    if (window.ResizeObserver) {
      this.observer = new ResizeObserver(function () { self.resize(); });
      this.observer.observe(wrap);
    } else {
      window.addEventListener("resize", function () { self.resize(); });
    }
  };

  Viewer.prototype.resize = function () {
    var width = this.canvas.parentNode.clientWidth || 600;
    var height = TOP + this.lanes.length * (LANE + GAP) + AXIS;
    var dpr = window.devicePixelRatio || 1;
    this.width = width;
    this.height = height;
    this.canvas.style.width = width + "px";
    this.canvas.style.height = height + "px";
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    this.ctx = this.canvas.getContext("2d");
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.draw();
  };

  Viewer.prototype.x = function (t) {
    return LEFT + (t - this.v0) / (this.v1 - this.v0) * (this.width - LEFT - 8);
  };

  Viewer.prototype.t = function (x) {
    return this.v0 + (x - LEFT) / (this.width - LEFT - 8) * (this.v1 - this.v0);
  };

  Viewer.prototype.clamp = function () {
    var lo = this.trace.start, hi = Math.max(this.trace.end, lo + 1);
    var span = Math.min(Math.max(this.v1 - this.v0, 1000), hi - lo);
    if (this.v0 < lo) this.v0 = lo;
    this.v1 = this.v0 + span;
    if (this.v1 > hi) { this.v1 = hi; this.v0 = hi - span; }
  };

  Viewer.prototype.zoom = function (factor, frac) {
    var at = this.v0 + (this.v1 - this.v0) * frac;
    this.v0 = at - (at - this.v0) * factor;
    this.v1 = at + (this.v1 - at) * factor;
    this.clamp();
    this.draw();
  };

  Viewer.prototype.window = function (span) {
    var mid = (this.v0 + this.v1) / 2;
    this.v0 = mid - span / 2;
    this.v1 = mid + span / 2;
    this.clamp();
    this.draw();
  };

  Viewer.prototype.reset = function () {
    this.v0 = this.trace.start;
    this.v1 = Math.max(this.trace.end, this.trace.start + 1);
    this.draw();
  };

  Viewer.prototype.pan = function (dt) {
    this.v0 += dt;
    this.v1 += dt;
    this.clamp();
    this.draw();
  };

  Viewer.prototype.draw = function () {
    var ctx = this.ctx, self = this, c = this.colors;
    if (!ctx) return;
    ctx.clearRect(0, 0, this.width, this.height);
    ctx.font = "12px sans-serif";
    ctx.textBaseline = "middle";
    var v0 = this.v0, v1 = this.v1;
    this.lanes.forEach(function (thread, row) {
      var y = TOP + row * (LANE + GAP);
      ctx.fillStyle = c.text;
      ctx.fillText(thread.name, 4, y + LANE / 2);
      var list = thread.intervals;
      for (var i = firstEnding(list, v0); i < list.length && list[i][0] <= v1; i++) {
        var x0 = self.x(Math.max(list[i][0], v0)), x1 = self.x(Math.min(list[i][1], v1));
        ctx.fillStyle = c[list[i][2]] || "#888";
        ctx.fillRect(x0, y + 6, Math.max(x1 - x0, 0.75), LANE - 6);
      }
      var events = self.byThread[thread.id] || [];
      var from = firstEvent(events, v0), to = firstEvent(events, v1 + 1);
      var dense = to - from > 400;
      for (var j = from; j < to; j++) {
        var kind = events[j][2], ex = self.x(events[j][0]);
        if (kind === "request") {
          ctx.fillStyle = c.request;
          ctx.beginPath();
          ctx.moveTo(ex - 3.5, y); ctx.lineTo(ex + 3.5, y); ctx.lineTo(ex, y + 5);
          ctx.fill();
        } else if (kind === "fail" && !dense) {
          ctx.strokeStyle = c.fail;
          ctx.lineWidth = 1.2;
          ctx.beginPath();
          ctx.moveTo(ex - 2.5, y + 0.5); ctx.lineTo(ex + 2.5, y + 5.5);
          ctx.moveTo(ex + 2.5, y + 0.5); ctx.lineTo(ex - 2.5, y + 5.5);
          ctx.stroke();
        } else if (kind === "take" && !dense && to - from < 120) {
          ctx.fillStyle = c.take;
          ctx.fillRect(ex - 0.5, y + 1, 1, 5);
        }
      }
    });
    // time axis
    var axisY = TOP + this.lanes.length * (LANE + GAP) + 2;
    ctx.strokeStyle = c.axis;
    ctx.fillStyle = c.text;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(LEFT, axisY); ctx.lineTo(this.width - 8, axisY);
    ctx.stroke();
    var step = niceStep(v1 - v0, Math.max(2, Math.floor((this.width - LEFT) / 90)));
    ctx.textBaseline = "top";
    ctx.textAlign = "center";
    for (var t = Math.ceil(v0 / step) * step; t <= v1; t += step) {
      var tx = this.x(t);
      ctx.beginPath();
      ctx.moveTo(tx, axisY); ctx.lineTo(tx, axisY + 4);
      ctx.stroke();
      var label = fmt(t), half = ctx.measureText(label).width / 2;
      ctx.fillText(label, Math.min(Math.max(tx, LEFT + half), this.width - 8 - half), axisY + 6);
    }
    ctx.textAlign = "start";
    this.readout.textContent = "window " + fmt(v1 - v0) + " from " + fmt(v0);
  };

  Viewer.prototype.describe = function (px, py) {
    var row = Math.floor((py - TOP) / (LANE + GAP));
    if (row < 0 || row >= this.lanes.length || px < LEFT) return null;
    var thread = this.lanes[row], t = this.t(px), lines = [];
    var list = thread.intervals, i = firstEnding(list, t);
    if (i < list.length && list[i][0] <= t) {
      var iv = list[i];
      lines.push(thread.name + ": " + STATES[iv[2]]);
      lines.push(fmt(iv[0]) + " → " + fmt(iv[1]) + " (" + fmt(iv[1] - iv[0]) + ")");
    } else {
      lines.push(thread.name + " at " + fmt(t) + ": not recorded");
    }
    var events = this.byThread[thread.id] || [], slack = (this.v1 - this.v0) / this.width * 5;
    var j = firstEvent(events, t - slack), best = null;
    for (; j < events.length && events[j][0] <= t + slack; j++) {
      if (!best || Math.abs(events[j][0] - t) < Math.abs(best[0] - t)) best = events[j];
    }
    if (best) lines.push(EVENTS[best[2]] + " at " + fmt(best[0]));
    return lines;
  };

  Viewer.prototype.listen = function () {
    var self = this, canvas = this.canvas, drag = null;
    function pos(ev) {
      var r = canvas.getBoundingClientRect();
      return [ev.clientX - r.left, ev.clientY - r.top];
    }
    canvas.addEventListener("wheel", function (ev) {
      var p = pos(ev);
      if (p[0] < LEFT) return;
      ev.preventDefault();
      var frac = (p[0] - LEFT) / (self.width - LEFT - 8);
      self.zoom(ev.deltaY > 0 ? 1.25 : 0.8, Math.min(1, Math.max(0, frac)));
    }, { passive: false });
    // Pointer events: a mouse, a pen or a finger drag pans the same way.
    canvas.addEventListener("pointerdown", function (ev) {
      drag = { x: pos(ev)[0], v0: self.v0 };
      canvas.classList.add("gil-dragging");
      if (canvas.setPointerCapture) canvas.setPointerCapture(ev.pointerId);
    });
    function stop() {
      drag = null;
      canvas.classList.remove("gil-dragging");
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointermove", function (ev) {
      var p = pos(ev);
      if (drag) {
        var dt = (drag.x - p[0]) / (self.width - LEFT - 8) * (self.v1 - self.v0);
        self.pan(drag.v0 + dt - self.v0);
        self.tip.style.display = "none";
        return;
      }
      var lines = self.describe(p[0], p[1]);
      if (!lines) { self.tip.style.display = "none"; return; }
      self.tip.textContent = "";
      lines.forEach(function (l) { self.tip.appendChild(el("div", null, l)); });
      self.tip.style.display = "block";
      var left = Math.min(p[0] + 12, self.width - self.tip.offsetWidth - 4);
      self.tip.style.left = Math.max(0, left) + "px";
      self.tip.style.top = (p[1] + 14) + "px";
    });
    canvas.addEventListener("pointerleave", function () { self.tip.style.display = "none"; });
    canvas.addEventListener("dblclick", function () { self.reset(); });
    canvas.addEventListener("keydown", function (ev) {
      var span = self.v1 - self.v0, handled = true;
      if (ev.key === "+" || ev.key === "=") self.zoom(0.5, 0.5);
      else if (ev.key === "-") self.zoom(2, 0.5);
      else if (ev.key === "ArrowLeft") self.pan(-span / 5);
      else if (ev.key === "ArrowRight") self.pan(span / 5);
      else if (ev.key === "0") self.reset();
      else handled = false;
      if (handled) ev.preventDefault();
    });
  };

  function load(root) {
    if (root.getAttribute("data-gil-state")) return;
    root.setAttribute("data-gil-state", "loading");
    var src = root.getAttribute("data-src");
    fetch(new URL(src, document.baseURI).href)
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (trace) {
        root.viewer = new Viewer(root, trace);
        root.setAttribute("data-gil-state", "ready");
        var fig = root.closest(".gil-figure");
        if (fig) fig.classList.add("gil-js");
      })
      .catch(function (err) {
        root.setAttribute("data-gil-state", "error");
        root.textContent = "timeline " + src + " could not be loaded: " + err.message;
      });
  }

  // For a page that draws a trace it made itself (the playground): draw `trace` into
  // `root`, replacing what was there; `view` = [t0, t1] in ns picks the window shown.
  window.GILTimeline = {
    show: function (root, trace, view) {
      if (root.viewer && root.viewer.observer) root.viewer.observer.disconnect();
      root.viewer = new Viewer(root, trace);
      root.setAttribute("data-gil-state", "ready");
      if (view) {
        root.viewer.v0 = view[0];
        root.viewer.v1 = view[1];
        root.viewer.clamp();
        root.viewer.draw();
      }
      return root.viewer;
    }
  };

  function init() {
    var nodes = document.querySelectorAll(".gil-timeline[data-src]");
    for (var i = 0; i < nodes.length; i++) load(nodes[i]);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
