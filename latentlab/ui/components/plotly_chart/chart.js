// Plotly chart: a plotly figure drawn by plotly.js directly, once.
//
// Why not st.plotly_chart: Streamlit 1.67 plots every figure twice when it appears. The config it
// hands plotly holds a Fullscreen mode-bar button whose click closure changes identity after the
// first render; plotly's react() compares configs deeply, sees a new function and runs a full
// newPlot. On a machine without a GPU (software WebGL) a 3-D scene costs ~1 s per plot.
// Here plotly.js is the copy inside the plotly Python package (so it matches the figures the
// Python side builds), served once from static/ and cached by the browser; a rerun that re-sends
// the same figure (same `sig`) draws nothing, a changed one goes through Plotly.react.
//
// Clicks (when Python asks for them) come back as {selection: {points: [...]}, like
// st.plotly_chart's selection state, so a page reads them the same way.

import { mountInstance, softwareGL } from "../shared.js";

const LP = (window.__llplot = window.__llplot || { instances: [], last: null, plots: 0 });

const PARKED = new Map(); // chart key -> a drawn Chart whose element just left the page
const PARK_MS = 10000;
// An off-screen chart draws after this long anyway, when the page is idle. A test may set
// window.__llplot = { deferIdleMs } before the page loads, to hold such charts until scrolled to.
const DEFER_IDLE_MS = 2500;

let plotlyLoading = null;
// A failed load (a busy or restarting server) is tried again twice, 0.5 s and 1 s later, before a
// chart says it could not draw: a lecture's charts should not stay blank for one dropped request.
function loadPlotly(url, tries = 3) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!plotlyLoading) {
    plotlyLoading = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = url;
      s.async = true;
      s.onload = () => resolve(window.Plotly);
      s.onerror = () => { s.remove(); plotlyLoading = null; reject(new Error("could not load plotly.js from " + url)); };
      document.head.appendChild(s);
    });
  }
  return plotlyLoading.catch((e) => {
    if (tries <= 1) throw e;
    return new Promise((r) => setTimeout(r, 500 * (4 - tries))).then(() => loadPlotly(url, tries - 1));
  });
}

// softwareGL(): shared.js. Where WebGL runs in software, 3-D scenes render at the screen's pixel ratio,
// not plotly's default of 2 (4x the pixels to shade: 0.4 s of the 2.2 s a three-scene figure took).

// Typed arrays (plotly.js decodes the figure's numpy arrays into them) would reach Python as {"0": …}
// objects: send plain arrays, so a page reads customdata as a list.
const plain = (v) => (v && typeof v === "object" && !Array.isArray(v) && ArrayBuffer.isView(v) ? Array.from(/** @type {any} */ (v)) : v);

class Chart {
  constructor(root) {
    this.root = root;
    this.sig = null;
    this.dead = false;
    this.nonce = 0;
    this.key = null; // the chart's key (data.key): a re-created element with the same key adopts this chart
    root.innerHTML = "";
    /** @type {any} plotly's graph div (plotly.js adds .on, .data, .layout to it) */
    this.gd = document.createElement("div");
    this.gd.className = "llplot-gd";
    this.full = document.createElement("button");
    this.full.className = "llplot-full";
    this.full.type = "button";
    this.full.title = "Fullscreen (Esc to leave)";
    this.full.setAttribute("aria-label", "Fullscreen");
    this.full.textContent = "⛶";
    this.full.addEventListener("click", () => {
      if (document.fullscreenElement) document.exitFullscreen();
      else if (this.root.requestFullscreen) this.root.requestFullscreen();
    });
    // In fullscreen the figure fills the screen; back out, it returns to its own height.
    this.onFull = () => {
      if (!window.Plotly || !this.plotted) return;
      const on = document.fullscreenElement === this.root;
      window.Plotly.relayout(this.gd, { height: on ? window.innerHeight - 24 : this.height });
    };
    document.addEventListener("fullscreenchange", this.onFull);
    root.append(this.full, this.gd);
  }

  update(data, setStateValue) {
    this.setStateValue = setStateValue;
    this.select = !!data.select;
    if (data.sig === this.sig) return; // the same figure, re-sent by a rerun: nothing to draw
    const sig = (this.sig = data.sig);
    this.root.dataset.pending = "1"; // until this figure is drawn (tests and benchmarks wait on it)
    LP.drawn = (LP.drawn || []).concat([sig.slice(0, 8)]); // for tests: every figure drawn, in order
    const fig = JSON.parse(data.fig);
    const layout = Object.assign({}, fig.layout || {}, { autosize: true });
    delete layout.width; // the element's width: plotly sizes itself to its div
    this.height = layout.height || 450;
    const config = Object.assign({ displaylogo: false, responsive: true }, data.config || {});
    if (Object.keys(layout).some((k) => k.startsWith("scene")) && softwareGL()) {
      config.plotGlPixelRatio = Math.max(1, window.devicePixelRatio || 1);
    }
    const draw = () => loadPlotly(data.plotly_url)
      .then((Plotly) => {
        if (this.dead || this.sig !== sig) return null;
        const t0 = performance.now();
        // For slides: the camera button saves a PNG at twice the size on screen, a second one an SVG.
        // One button object per chart: react() compares configs deeply, and a new function each
        // time would make every redraw a full one.
        this.svgButton = this.svgButton || { name: "svg", title: "Download as SVG (for slides)", icon: Plotly.Icons.disk,
          click: (gd) => Plotly.downloadImage(gd, { format: "svg", filename: "latent-lab-figure" }) };
        config.toImageButtonOptions = { format: "png", scale: 2, filename: "latent-lab-figure" };
        if (config.displayModeBar !== false) config.modeBarButtonsToAdd = [this.svgButton];
        // react() is newPlot on an empty div, and a diff on a drawn one (frames included).
        return Plotly.react(this.gd, { data: fig.data || [], layout, frames: fig.frames || [], config }).then(() => {
          this.plotted = true;
          if (this.sig === sig) delete this.root.dataset.pending;
          LP.plots += 1;
          this.lastMs = performance.now() - t0;
          this.bind();
          nameCanvases(this.gd);
        });
      })
      .catch((e) => {
        const m = document.createElement("div");
        m.className = "llplot-msg";
        m.textContent = "Could not draw this chart: " + e.message;
        this.root.appendChild(m);
      });
    if (this.plotted) draw(); // on screen already: redraw now
    else this.whenNear(draw);
  }

  // A chart's first plot waits until it is near the screen: below the first screen it costs the
  // view nothing (a 3-D or WebGL plot is 0.4-1 s in software WebGL). It is drawn when scrolled
  // towards, or once the page has been quiet for a while; its space is kept meanwhile.
  whenNear(draw) {
    this.cancelNear();
    this.nearDraw = draw; // kept while it waits: a re-created element (adopt) waits on with it
    let done = false;
    const go = () => {
      if (done || this.dead) return;
      done = true;
      this.cancelNear();
      this.nearDraw = null;
      delete this.root.dataset.deferred;
      this.gd.style.minHeight = "";
      this.root.dataset.pending = "1";
      draw();
    };
    if (!window.IntersectionObserver) return go();
    this.io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) return go();
      // Off screen: not part of what the view shows first.
      this.root.dataset.deferred = "1";
      delete this.root.dataset.pending;
      this.gd.style.minHeight = this.height + "px";
      if (!this.idleTimer) {
        // The idle callback's timeout: a page that is never idle (software WebGL busy in every
        // frame, a second window loading) still draws it, a second later at most.
        this.idleTimer = setTimeout(() => (window.requestIdleCallback || ((f) => f(undefined)))(go, { timeout: 1000 }), LP.deferIdleMs ?? DEFER_IDLE_MS);
      }
    }, { rootMargin: "200px 0px" });
    this.io.observe(this.root);
  }

  cancelNear() {
    if (this.io) this.io.disconnect();
    this.io = null;
    clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  // Streamlit re-creates an element's DOM when what sits above it changes between runs: the drawn
  // figure (WebGL canvases and all) moves into the new element instead of being plotted again.
  adopt(root) {
    root.innerHTML = "";
    root.append(this.full, this.gd);
    for (const k of ["pending", "deferred"]) if (this.root.dataset[k]) root.dataset[k] = this.root.dataset[k];
    this.root = root;
    LP.adopted = (LP.adopted || 0) + 1; // for tests: charts moved into a re-created element
    // Still waiting to be drawn (below the first screen): watch the new element instead. Without
    // this the new element neither drew when scrolled to nor said it was deferred, and a view that
    // re-created it (the Anomalies page's second scenario) waited ~2 s for its idle timer.
    if (this.nearDraw) this.whenNear(this.nearDraw);
    return this;
  }

  bind() {
    if (this.bound) return;
    this.bound = true;
    this.gd.on("plotly_afterplot", () => nameCanvases(this.gd)); // a redraw may bring new WebGL canvases
    this.gd.on("plotly_click", (ev) => {
      if (!this.select || !this.setStateValue || !ev || !ev.points) return;
      const points = ev.points.map((p) => ({
        curve_number: p.curveNumber,
        point_number: p.pointNumber,
        point_index: p.pointIndex,
        x: plain(p.x),
        y: plain(p.y),
        z: plain(p.z),
        customdata: plain(p.customdata),
      }));
      this.nonce += 1;
      this.setStateValue("selection", { points, nonce: this.nonce });
    });
  }

  // The element left the page: keep the drawn figure a moment, in case the same chart (its key)
  // comes back in a re-created element (see adopt), then free it.
  destroy() {
    // A parked chart waiting to be drawn stops waiting (it would draw off the page, ~1 s of the
    // browser's time in the next view); adopt() starts the wait again if it comes back.
    const waiting = this.nearDraw;
    this.cancelNear();
    this.nearDraw = waiting;
    PARKED.set(this.key, this);
    setTimeout(() => {
      if (PARKED.get(this.key) !== this) return;
      PARKED.delete(this.key);
      this.free();
    }, PARK_MS);
  }

  free() {
    this.dead = true;
    this.cancelNear();
    document.removeEventListener("fullscreenchange", this.onFull);
    if (window.Plotly && this.plotted) window.Plotly.purge(this.gd);
  }
}

// Plotly's WebGL traces (scattergl, 3-D scenes) draw into <canvas> elements that a screen reader
// knows nothing about: each gets role=img and a name from what the figure shows (its title, else
// its axes' titles, else its traces' names), e.g. "3-D chart: Deep AE, k = 2: the learned manifold".
function nameCanvases(gd) {
  const canvases = gd.querySelectorAll("canvas");
  if (!canvases.length) return;
  const L = gd.layout || {};
  const words = (t) => String((t && typeof t === "object" ? t.text : t) || "")
    .replace(/<br\s*\/?>/gi, " ").replace(/<[^>]*>/g, "").replace(/\s+/g, " ").trim();
  let what = words(L.title);
  if (!what) {
    const [x, y] = [words(L.xaxis && L.xaxis.title), words(L.yaxis && L.yaxis.title)];
    what = x && y ? `${y} against ${x}` : (gd.data || []).map((t) => words(t.name)).filter(Boolean).slice(0, 4).join(", ");
  }
  const name = (Object.keys(L).some((k) => k.startsWith("scene")) ? "3-D chart" : "chart") + (what ? ": " + what : "");
  canvases.forEach((c) => {
    if (c.getAttribute("aria-label") === name) return;
    c.setAttribute("role", "img");
    c.setAttribute("aria-label", name);
  });
}

// The first 3-D scene in a document costs ~0.5 s more than the next ones (plotly's WebGL code and,
// in software WebGL, its shaders compile on first use): a three-scene figure took 2.0 s cold, 1.2 s
// warm. Draw one tiny off-screen scene with the trace types the app uses, once, while the browser is
// idle, so a lecture's first 3-D view does not pay for it.
let warmed = false;
function warmUp3d() {
  if (warmed || !window.Plotly) return;
  warmed = true;
  const div = document.createElement("div");
  div.style.cssText = "position:fixed;left:-2000px;top:0;width:200px;height:200px;pointer-events:none";
  document.body.appendChild(div);
  const pts = { x: [0, 1, 0], y: [0, 0, 1], z: [0, 1, 1] };
  const data = [
    Object.assign({ type: "scatter3d", mode: "markers+lines" }, pts),
    Object.assign({ type: "mesh3d", i: [0], j: [1], k: [2], intensity: [0, 0.5, 1], opacity: 0.99 }, pts),
  ];
  const config = softwareGL() ? { plotGlPixelRatio: 1 } : {};
  window.Plotly.newPlot(div, data, { width: 200, height: 200, showlegend: false }, config)
    .catch(() => {})
    .then(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))))
    .then(() => { window.Plotly.purge(div); div.remove(); LP.warmed = true; });
}

export default function (component) {
  const data = Array.isArray(component.data) ? component.data[0] : component.data;
  if (data && data.preload) {
    const mark = component.parentElement.querySelector(".llplot");
    if (mark) mark.dataset.preload = "1"; // not a chart: nothing to wait for
    // Mounted on every page (app.py): fetch and parse plotly.js while the browser is idle, so the
    // first chart of a lecture does not pay for it (~0.5 s on 2 cores for 4.6 MB of JS).
    const idle = window.requestIdleCallback || ((f) => setTimeout(f, 500));
    const go = () => loadPlotly(data.plotly_url).then(() => idle(warmUp3d, { timeout: 5000 })).catch(() => {});
    if (!window.Plotly) idle(go, { timeout: 3000 });
    return () => {};
  }
  return mountInstance(component, "llplot", LP, (root, d) => {
    // The same chart (keys are unique on a page) in a re-created element: parked already, or its old
    // element not cleaned up yet (Streamlit mounts the new one first).
    const old = PARKED.get(d.key) || LP.instances.find((i) => i.key === d.key && !i.dead && i.root !== root);
    if (old) {
      PARKED.delete(d.key);
      return old.adopt(root);
    }
    const c = new Chart(root);
    c.key = d.key;
    return c;
  });
}
