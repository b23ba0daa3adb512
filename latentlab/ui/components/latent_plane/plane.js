// Latent plane: every latent plane in the app (the latent map, the explorer, drag-to-decode), one
// component, one payload format (latentlab/server/plane.py), one drawing and coordinate code.
//
// Why not plotly: a 60,000-point plotly figure is ~1.3 MB of JSON that Streamlit re-sends on every
// rerun, so a click took over a second to come back. Here the points, labels and density shading
// are fetched once from a static file (its name carries a content key), hover is answered in the
// browser (with the example's image, from a second static file), and Python gets only what the user
// did: a click {x, y, index} or the markers' positions.
//
// Two modes, chosen by Python (`data.mode`):
// - "click": click anywhere (empty space included) to decode; hover a dot for its image; drag to pan,
//   wheel to zoom, double-click or "reset view" to go back; click a legend entry to hide a class.
//   With an exported decoder (`data.manifest`), the click's g(z) is drawn at once in an inset, by the
//   browser, before Python's answer arrives (and, with `data.preview`, g(z) under the moving cursor).
//   With `data.select`, a Box or Lasso tool selects points: Python gets their indices (and the
//   polygon), with Invert and Clear; the rest of the plane dims.
// - "markers": one or two draggable markers A and B whose decodings (and the A → B strip) are drawn
//   every animation frame by the browser decoder. Why in the browser: a Streamlit round trip per
//   mouse move is ~100 ms or worse, far too slow for "watch the digit morph". During a drag the
//   positions go to Python about every 100 ms through the pad's own channel (a POST to
//   latentlab/ui/components/pad_channel.py, not a rerun: a rerun costs this page's main thread 30-45 ms, 2-3
//   lost frames each time on a small laptop), and the readouts Python returns replace the ones under
//   the plane. On release they go as component state (a rerun). Wheel zoom works here too.
//
// Streamlit may call the default export again on every rerun (new `data`): all state lives on the
// root element, so a rerun (even mid-drag) keeps the view, the hover, the markers and the last click.
//
// Keyboard (focus, arrows, Enter, zoom), accessible names and the live line: keyboard.js, joined in
// front of this file when it is served.

import { mountInstance } from "../shared.js";
import { LP, FOLLOW_MS, forward, loadDecoder, loadPlane } from "./state.js";
import { toPx, fromPx, fitView, homeBounds, baseShift, buildHitGrid, pickNearest, planeToLatent, fitMarkersLayout } from "./view.js";
import { bindKeyboard, describePlane, kbWhere } from "./keyboard.js";
import { fillImage, drawBase, drawFrame } from "./render.js";
import { bindLabelsButton, buildLegend, exportPng } from "./legend.js";
import { showPanels, layoutPanels, glide, release, showFollow, showStatus, postFollow } from "./markers.js";
import { bindPointer, hideTip, showTip, click, tellLinked } from "./pointer.js";
import { applySelected, setTool, finishLasso, setSelection, invertSelection } from "./selection.js";

// ---- the component --------------------------------------------------------------------------------

export class Plane {
  constructor(root) {
    this.root = root;
    this.nonce = Math.random().toString(36).slice(2); // tells this page load's clicks from an old one's
    this.seq = 0; // clicks (click mode) or releases (markers mode) sent to Python
    this.dirty = true;
    this.needBase = true;
    this.hidden = new Set();
    this.hover = -1;
    this.dragging = -1; // markers mode: the marker held, or -1
    this.gliding = -1; // the marker moving toward this.target (the pointer), or -1
    this.target = null;
    this.sentKey = "";
    this.dec = null;
    root.innerHTML = `
      <div class="llplane-row">
        <div class="llplane-box">
          <canvas class="llplane-canvas" data-testid="llplane-canvas"></canvas>
          <div class="llplane-tip" data-testid="llplane-tip"><canvas class="llplane-tipimg"></canvas><div class="llplane-tiptext"></div></div>
          <figure class="llplane-inset" data-testid="llplane-inset"><canvas class="llplane-insetimg"></canvas><figcaption></figcaption></figure>
          <div class="llplane-msg" data-testid="llplane-msg">Loading the latent plane…</div>
        </div>
        <div class="llplane-side">
          <div class="llplane-mode"></div>
          <div class="llplane-panels">
            <figure class="llplane-fig"><canvas class="llplane-dec" data-testid="llplane-dec-a"></canvas><figcaption>A</figcaption></figure>
            <figure class="llplane-fig"><canvas class="llplane-dec" data-testid="llplane-dec-b"></canvas><figcaption>B</figcaption></figure>
          </div>
          <div class="llplane-stripbox"><div class="llplane-striplabel">A → B, decoded live</div>
            <div class="llplane-stripwrap"><canvas class="llplane-strip" data-testid="llplane-strip"></canvas><div class="llplane-stripgrid"></div></div></div>
          <div class="llplane-status" data-testid="llplane-status"></div>
        </div>
      </div>
      <div class="llplane-foot"><div class="llplane-legend"></div>
        <div class="llplane-tools" data-testid="llplane-tools">
          <button type="button" data-tool="pan" title="Drag to pan; click to decode">Pan</button>
          <button type="button" data-tool="box" title="Drag a rectangle to select the points inside">Box</button>
          <button type="button" data-tool="lasso" title="Draw around points to select them">Lasso</button>
          <button type="button" data-act="invert" title="Select the other points instead">Invert</button>
          <button type="button" data-act="clear" title="Select nothing">Clear</button>
          <span class="llplane-selcount" data-testid="llplane-selcount"></span></div>
        <button type="button" class="llplane-labels" data-testid="llplane-labels" aria-pressed="false" title="Write each class's name on the plane, at the middle of its points (in the PNG too)">Labels</button>
        <button type="button" class="llplane-png" data-testid="llplane-png" title="Download the plane as a PNG at twice its size on screen, with a legend (for slides)">PNG ×2</button>
        <button type="button" class="llplane-reset" title="Back to the whole plane (or double-click it)">reset view</button>
        <div class="llplane-hint"></div></div>
      <div class="llplane-follow" data-testid="llplane-follow"></div>`;
    /** @type {(cls: string) => HTMLElement} the element of class llplane-<cls> */
    const q = (cls) => root.querySelector(".llplane-" + cls);
    /** @type {(cls: string) => HTMLCanvasElement} */
    const qc = (cls) => root.querySelector(".llplane-" + cls);
    this.row = q("row");
    this.canvas = qc("canvas");
    this.tip = q("tip");
    this.tipImg = qc("tipimg");
    this.tipText = q("tiptext");
    this.inset = q("inset");
    this.insetImg = qc("insetimg");
    this.insetCap = q("inset figcaption");
    this.msg = q("msg");
    this.side = q("side");
    this.mode = q("mode");
    this.strip = qc("strip");
    this.stripGrid = q("stripgrid");
    this.stripBox = q("stripbox");
    this.status = q("status");
    this.legend = q("legend");
    this.hint = q("hint");
    this.follow = q("follow");
    /** @type {HTMLCanvasElement[]} decoded A and B (markers mode) */
    this.decCanvases = [...root.querySelectorAll(".llplane-dec")].map((c) => /** @type {HTMLCanvasElement} */ (c));
    /** @type {HTMLElement[]} */
    this.figs = [...root.querySelectorAll(".llplane-fig")].map((f) => /** @type {HTMLElement} */ (f));
    this.tools = q("tools");
    this.selCount = q("selcount");
    this.initState();
    this.tool = "pan";
    this.tools.querySelectorAll("[data-tool]").forEach((b) => b.addEventListener("click", () => this.setTool(b.getAttribute("data-tool"))));
    this.tools.querySelector("[data-act=invert]").addEventListener("click", () => this.invertSelection());
    this.tools.querySelector("[data-act=clear]").addEventListener("click", () => this.setSelection(null, null));
    this.setTool("pan");
    this.followShown = null; // the readouts' HTML now on screen
    q("reset").addEventListener("click", () => this.resetView());
    this.pngButton = q("png");
    this.pngButton.addEventListener("click", () => this.exportPng());
    bindLabelsButton(this, q("labels"));
    // Opaque canvases: the compositor then skips the page underneath and copies instead of
    // blending. Without GPU compositing that cut the per-frame draw time of the ~0.4 megapixels
    // that change every frame (a drag) by about a fifth (trace: SoftwareRenderer::DoDrawQuad).
    for (const c of [this.canvas, ...this.decCanvases, this.strip]) c.getContext("2d", { alpha: false });
    bindPointer(this);
    bindKeyboard(this);
    // Only a new width re-lays the plane: the root also grows when the legend arrives, and a
    // redraw for that cost a million-point plane a second full draw at load.
    this.ro = new ResizeObserver(() => { if (this.m && this.d && this.d.mode !== "markers") this.layout(true); });
    this.ro.observe(root);
    const loop = (now) => {
      if (this.dead) return;
      LP.stats.rafs += 1;
      this.glide(now);
      if (this.dirty) this.frame();
      this.raf = requestAnimationFrame(loop);
    };
    this.raf = requestAnimationFrame(loop);
    // Markers mode, while dragging: the positions to Python about every 100 ms (only if they
    // moved), with at most one request in flight (a slow server gets fewer requests, not a queue),
    // and the readouts it returns shown. A request older than a second no longer blocks the next.
    this.acked = 0;
    this.followSeq = 0;
    this.followAt = 0;
    this.followKey = "";
    this.inFlight = 0;
    this.timer = setInterval(() => {
      const every = LP.followMs === undefined ? FOLLOW_MS : LP.followMs;
      const d = this.d;
      if (this.dragging < 0 || !every || !d || !d.follow_url || d.follow_token === this.followGone) return;
      const now = performance.now();
      if (now - this.followAt < every - 10 || (this.inFlight && now - this.inFlight < 1000)) return;
      this.postFollow();
    }, 25);
    this.statusTimer = setInterval(() => this.showStatus(), 500);
    this.win = { n: 0, first: 0, last: 0 }; // decoded frames since the last status line
    this.shownFps = 0;
  }

  // Everything a plane holds besides its elements, in one place (the modules read and write these).
  initState() {
    /** @type {any} the parsed plane file (geometry.js's parsePlane, + contour, order), once loaded */
    this.m = null;
    this.mUrl = null; // the URL of the file in this.m
    /** @type {any} the latest data from Python */
    this.d = null;
    this.sig = null; // what identifies the plane (file, model): a new one starts over
    this.view = null; // [x0, x1, y0, y1]: the window on screen (view.js)
    this.homeView = null; // String(view) of the opening window
    this.W = 0; this.H = 0; this.dpr = 1; // canvas size (CSS px) and pixel ratio
    this.layoutKey = null;
    this.marksKey = null;
    this.ready = false; // plane and decoder loaded
    // The static layer (render.js's drawBase): its canvas, the view it was drawn for, the points'
    // canvas pixels then, the hit grid over them, and what the last redraw cost.
    this.base = null; this.baseView = null; this.baseTimer = null; this.lastBaseMs = 0;
    /** @type {Float32Array} */ this.ppx = null;
    /** @type {Float32Array} */ this.ppy = null;
    /** @type {import("./view.js").HitGrid} */ this.hit = null;
    this.acc = null; // raster accumulation buffer (render.js)
    this.gl = null; // WebGL points layer, false where WebGL failed (render.js)
    this.img = null; // ImageData reused for decoded images
    this.tipSmall = null;
    // Pointer: a press that may become a pan, a lasso being drawn, the marker's glide.
    this.down = null; this.lasso = null; this.lastNow = 0; this.newPointer = false;
    this.linkedHover = -1; // the example hovered on a linked plane
    this.pending = null; // click mode: {xy, seq} of a click Python has not answered yet
    this.insetPoint = null; // the plane point the inset shows
    /** @type {{z: number[], x: number[]} | null} */
    this.insetDecoded = null; // its code and decoding
    this.markers = []; // markers mode: [[x, y], ...]
    /** @type {Function} components-v2's setStateValue */
    this.setStateValue = null;
    // Selection (selection.js).
    this.selIdx = null; this.selMask = null; this.selSeq = 0; this.polygon = null;
    this.selectedKey = undefined; this.selFromPython = false;
    // Labels and legend (legend.js); keyboard (keyboard.js).
    this.labelsOn = false; this.labelsButton = null; this.drawnLabels = [];
    this.kb = null;
    // The channel and the release (markers.js).
    this.confirm = null; this.followGone = null;
    this.dead = false;
  }

  destroy() {
    this.dead = true;
    cancelAnimationFrame(this.raf);
    clearInterval(this.timer);
    clearInterval(this.statusTimer);
    this.ro.disconnect();
  }

  get markersMode() { return !!this.d && this.d.mode === "markers"; }

  update(data, setStateValue) {
    this.setStateValue = setStateValue;
    const first = !this.d;
    this.d = data;
    const mk = data.mode === "markers";
    this.hint.textContent = data.hint || "";
    this.tools.style.display = data.select && !mk ? "" : "none";
    if (!data.select && this.tool !== "pan") this.setTool("pan");
    this.row.dataset.llMain = mk ? "1" : ""; // the drag page's main visual is this row
    this.root.classList.toggle("llplane-presenter", !!data.presenter); // slide type (plane.css)
    this.side.style.display = mk ? "" : "none";
    if (mk) {
      if (typeof data.ack === "number") this.acked = data.ack;
      // Python's readouts for the markers as of this run. Not mid-drag: the channel's are newer then.
      if (this.dragging < 0) this.showFollow(data.follow_html);
    }
    // A new plane (or, for markers, a new model: `sig`) starts over: view, markers, decoder.
    const sig = data.url + "|" + (data.sig || "") + "|" + ((data.manifest && data.manifest.weights_url) || "");
    if (sig !== this.sig) {
      // `data.live`: a plane that replaces itself (a training's codes, epoch after epoch). The old
      // picture stays on screen, without a "Loading" message, until the new one is drawn.
      const keep = !!(data.live && this.m);
      this.sig = sig;
      this.m = null;
      this.view = null;
      this.hidden.clear();
      this.pending = null;
      this.dec = null;
      this.ready = false;
      this.markers = (data.markers || []).map((p) => p.slice());
      this.gliding = -1;
      this.inset.style.display = "none";
      this.selMask = null;
      this.selIdx = null;
      this.canvas.dataset.ready = "0";
      if (!keep) {
        this.msg.style.display = "";
        this.msg.textContent = "Loading the latent plane…";
      }
      // The class colours come with the page data (latentlab/figures/palette.py's PALETTE), not from the file: a
      // plane file written before the palette changed keeps its old list.
      const plane = loadPlane(data.url).then((m) => {
        if (data.palette) m.palette = data.palette;
        if (this.sig === sig) { this.m = m; this.mUrl = data.url; }
      });
      const jobs = [plane];
      // Markers mode needs the decoder at once; a click plane only at the first click: there it
      // loads once the plane is drawn and the browser is idle, so the first view does not wait.
      const idle = (f) => (window.requestIdleCallback || ((g) => setTimeout(g, 200)))(f, { timeout: 1500 });
      const afterPlane = mk ? Promise.resolve() : plane.then(() => new Promise((r) => idle(r)));
      if (data.manifest) {
        jobs.push(afterPlane.then(() => loadDecoder(data.manifest)).then((dec) => { if (this.sig === sig) this.dec = dec; }));
      }
      // The plane shows as soon as it is here; a decoder arriving later adds the images.
      jobs[0].then(() => {
        if (this.sig !== sig) return;
        this.msg.style.display = "none";
        this.buildLegend();
        this.selectedKey = undefined;
        this.applySelected();
        this.showPanels();
        this.layoutKey = null;
        this.refit();
        describePlane(this);
      }).catch((e) => { this.msg.textContent = "Could not load the latent plane: " + e.message; });
      Promise.all(jobs).then(() => {
        if (this.sig !== sig) return;
        this.ready = true;
        this.dirty = true;
      }).catch((e) => { this.mode.textContent = "Could not load the decoder: " + e.message; });
    }
    // The server's view of the clicked point replaces our provisional marker.
    if (this.pending && data.marker && data.marker_seq === this.pending.seq) this.pending = null;
    this.showPanels();
    if (this.m && !first) this.refit();
    // New marks (new draws) on a plane still at its opening window: open on them too.
    const marksKey = JSON.stringify((data.marks && data.marks.xy) || null);
    if (marksKey !== this.marksKey && this.m && this.view && String(this.view) === this.homeView) this.resetView();
    this.marksKey = marksKey;
    this.applySelected();
    describePlane(this);
    this.dirty = true;
  }

  // Sizes follow what Python asks for: re-fit only when that changed (a rerun caused by our own
  // release must not cost a redraw of the frame already on screen).
  refit() {
    const d = this.d;
    const key = [d.mode, d.height, d.size, d.panel, d.n_markers, d.strip_n, d.shade, d.point_size, d.presenter,
      d.image_shape, !!d.manifest].join("|");
    if (key === this.layoutKey) return;
    this.layoutKey = key;
    this.layout();
  }

  layout(onlyIfResized = false) {
    const d = this.d || {}, dpr = window.devicePixelRatio || 1;
    let W, H;
    if (this.markersMode) {
      // Plane and decoded images side by side (no scrolling mid-drag): shrink both to fit if needed.
      const avail = this.root.getBoundingClientRect().width || 0, two = (d.n_markers || 1) > 1;
      const [S, P] = fitMarkersLayout(avail, d.size || 520, d.panel || 240, two);
      W = H = S;
      this.side.style.width = (two ? 2 * P + 20 : Math.max(P + 4, 260)) + "px"; // + borders
      layoutPanels(this, P);
    } else {
      W = Math.max(280, Math.floor(this.root.getBoundingClientRect().width || 600));
      H = Math.max(280, Math.min(d.height || 600, Math.round(W * 1.1)));
    }
    const same = W === this.W && H === this.H && dpr === this.dpr;
    if (same && onlyIfResized && this.view) return;
    this.W = W; this.H = H; this.dpr = dpr;
    if (!same) {
      this.canvas.style.width = W + "px";
      this.canvas.style.height = H + "px";
      this.canvas.width = Math.round(W * dpr);
      this.canvas.height = Math.round(H * dpr);
    }
    this.view = this.fitView(this.view ? this.view : this.homeBounds());
    if (!same) this.homeView = String(this.fitView(this.homeBounds()));
    const S = Math.round(Math.min(200, Math.max(96, Math.min(W, H) * 0.26)) * (d.presenter ? 1.2 : 1));
    this.insetImg.style.width = this.insetImg.style.height = S + "px";
    this.needBase = true;
    this.dirty = true;
  }

  // The window that shows `b` = [x0, x1, y0, y1] whole, with one plane unit equally long on both
  // axes (distances in the picture are honest).
  fitView(b) {
    return fitView(b, this.W, this.H);
  }

  // The window a plane opens on: its own bounds, widened to hold the page's marks (a draw far
  // outside the codes is the point of the sampling pages: it must not open off screen).
  homeBounds() {
    return homeBounds(this.m.bounds, (this.d && this.d.marks && this.d.marks.xy) || []);
  }

  resetView() {
    if (!this.m) return;
    this.view = this.fitView(this.homeBounds());
    this.homeView = String(this.view);
    this.needBase = true; this.dirty = true;
  }

  // Plane point <-> canvas pixels (CSS px) in the current view (view.js).
  toPx(x, y, v = this.view) { return toPx(v, this.W, this.H, x, y); }
  fromPx(px, py) { return fromPx(this.view, this.W, this.H, px, py); }

  // Plane point -> latent code z = mean + p @ basis (identity for k = 2, the PCA inverse for k > 2).
  toLatent(p) { return planeToLatent(this.m.linear_map, p); }

  radius() {
    const d = this.d || {};
    if (d.point_size) return d.point_size / 2;
    const n = this.m ? this.m.n : 0;
    return (n > 20000 ? 1.8 : n > 5000 ? 2.3 : 3.4) * (d.presenter ? 1.4 : 1);
  }

  // Where the base canvas (drawn for baseView) lies in the current view: [x, y] offset (CSS px) and
  // [kx, ky] scale.
  baseShift() { return baseShift(this.baseView, this.view, this.W, this.H); }

  // A pointer position (CSS px in the current view) in the base's pixels, where ppx/ppy and the hit
  // grid live (they differ while a zoom waits for its redraw).
  toBase(px, py) {
    const [ox, oy, kx, ky] = this.baseShift();
    return [(px - ox) / kx, (py - oy) / ky];
  }

  // The view changed (wheel): redraw the base now when that is cheap; when it is not (a big plane),
  // the frame scales the old one meanwhile and the redraw waits for the wheel to rest.
  requestBase() {
    this.dirty = true;
    clearTimeout(this.baseTimer);
    if ((this.lastBaseMs || 0) < 30) { this.needBase = true; return; }
    this.baseTimer = setTimeout(() => { this.baseTimer = null; this.needBase = true; this.dirty = true; }, 150);
  }

  // The hit grid (view.js) of the points as drawn in the base, for hover, clicks and the lasso.
  buildHitGrid() { this.hit = buildHitGrid(this.ppx, this.ppy, this.W, this.H); }

  // The example under (vx, vy) (CSS px in the current view), within a few pixels, or -1.
  pick(vx, vy) {
    if (!this.hit) return -1;
    const [px, py] = this.toBase(vx, vy);
    return pickNearest(this.hit, this.ppx, this.ppy, px, py, Math.max(5, this.radius() + 3));
  }

  // One decoded image -> its pixels, in one ImageData reused while the shape stays (putImageData
  // copies it out at once, so the inset and the panels can share it).
  toImageData(x, shape = this.d.image_shape) {
    const [, H, W] = shape;
    if (!this.img || this.img.width !== W || this.img.height !== H) this.img = new ImageData(W, H);
    return fillImage(this.img, x, shape);
  }

  // Click mode: g(z) at plane point p, decoded here and drawn in the inset at once. Returns false
  // where the browser cannot decode (no exported decoder, a UMAP plane, a point-cloud model).
  decodeInset(p, caption) {
    const m = this.m, shape = this.d.image_shape || (m && m.image_shape);
    if (!this.dec || !m || !m.linear_map || !shape) return false;
    const z = this.toLatent(p);
    const x = forward(this.dec, z);
    this.insetPoint = p.slice(); // the plane point now shown (for tests)
    this.insetDecoded = { z: Array.from(z), x: Array.from(x) }; // its code and decoding (testing.js)
    const [, H, W] = shape;
    const c = this.insetImg;
    if (c.width !== W || c.height !== H) { c.width = W; c.height = H; }
    c.getContext("2d").putImageData(this.toImageData(x, shape), 0, 0);
    this.insetCap.textContent = caption;
    c.setAttribute("aria-label", `decoded image of ${kbWhere(this, p)}`);
    // In the corner farthest from the point it decodes, so it never hides that point.
    const [px, py] = this.toPx(p[0], p[1]), right = px < this.W / 2, bottom = py < this.H / 2;
    Object.assign(this.inset.style, { display: "block", left: right ? "" : "8px", right: right ? "8px" : "",
      top: bottom ? "" : "8px", bottom: bottom ? "8px" : "" });
    LP.timing.insetAt = performance.now();
    // When it is on screen: the frame after this one has been drawn (bench/click_latency.py).
    requestAnimationFrame(() => setTimeout(() => { LP.timing.insetShownAt = performance.now(); }, 0));
    return true;
  }

  // ---- what the other modules do, as the plane's own methods (keyboard.js and the modules call these)

  frame() { drawFrame(this); }
  drawBase() { drawBase(this); }
  buildLegend() { buildLegend(this); }
  exportPng() { exportPng(this); }
  showPanels() { showPanels(this); }
  glide(now) { glide(this, now); }
  release() { release(this); }
  showFollow(html) { showFollow(this, html); }
  showStatus() { showStatus(this); }
  postFollow() { postFollow(this); }
  hideTip() { hideTip(this); }
  showTip(i, px, py) { showTip(this, i, px, py); }
  click(px, py) { click(this, px, py); }
  tellLinked(i) { tellLinked(this, i); }
  applySelected() { applySelected(this); }
  setTool(tool) { setTool(this, tool); }
  finishLasso(at) { finishLasso(this, at); }
  setSelection(idx, polygon, opts = {}) { setSelection(this, idx, polygon, opts); }
  invertSelection() { invertSelection(this); }

  // ---- for testing.js

  // Marker i's decoding (through the plane's linear map), exactly as drawn.
  decodeMarker(i) {
    return { z: Array.from(this.toLatent(this.markers[i])), x: Array.from(forward(this.dec, this.toLatent(this.markers[i]))) };
  }
}


// The component's entry point: Streamlit calls it (components v2), so do the page to share
// (latentlab/ui/share.py) and the notebook widget (widget.js), each with its own `component`.
export const mountPlane = (component) => mountInstance(component, "llplane", LP, (root) => new Plane(root));
export default mountPlane;
