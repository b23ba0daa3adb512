// Latent plane: every latent plane in the app (the latent map, the explorer, drag-to-decode), one
// component, one payload format (web/plane.py), one drawing and coordinate code.
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
//   ui/components/pad_channel.py, not a rerun: a rerun costs this page's main thread 30-45 ms, 2-3
//   lost frames each time on a small laptop), and the readouts Python returns replace the ones under
//   the plane. On release they go as component state (a rerun). Wheel zoom works here too.
//
// Streamlit may call the default export again on every rerun (new `data`): all state lives on the
// root element, so a rerun (even mid-drag) keeps the view, the hover, the markers and the last click.
//
// Keyboard (focus, arrows, Enter, zoom), accessible names and the live line: keyboard.js, joined in
// front of this file when it is served.

const LP = (window.__llplane = window.__llplane || {
  instances: [],
  last: null,
  files: new Map(), // URL -> Promise<parsed>; URLs carry content keys, so never stale
  decoders: new Map(), // weights URL -> Promise<decoder>
  // Instrumentation read by the benches and the browser tests. baseDraws/baseMs: redraws of the
  // static layer; clicks; frames: animation frames that decoded and drew; rafs: all animation
  // frames; pointerFrames: decoded frames that had a new pointer position (the rest glided, see
  // GLIDE_MS); instant: clicks decoded in the browser, instantMs: their click-to-drawn time.
  stats: { baseDraws: 0, baseMs: 0, clicks: 0, instant: 0, instantMs: 0, frames: 0, decodes: 0, decodeMs: 0,
    frameMs: 0, posts: 0, follows: 0, followErrors: 0, followMs: 0, rafs: 0, pointerFrames: 0 },
});

// Position reports to Python while dragging (the channel): one every FOLLOW_MS, at most one in
// flight. LP.followMs overrides the interval (bench/drag_fps.py --sync-ms); 0 sends none.
const FOLLOW_MS = 100;

// The dragged marker glides to the pointer rather than jumping: every animation frame moves it
// 1 - exp(-dt / GLIDE_MS) of the way (three quarters at 60 Hz; at a steady speed it trails the
// pointer by GLIDE_MS). So the image morphs on every frame while the pointer moves, also when
// pointer events come slower than frames: on a 2-core VM with CPU stolen by the hypervisor they
// arrived at 35-50/s while frames ran at 59/s. On release the marker snaps to the pointer, and
// Python gets that exact position. LP.glideMs overrides it; 0 jumps straight to the pointer
// (as does prefers-reduced-motion: keyboard.js).
const GLIDE_MS = 12;

const VERMILLION = "#D55E00";

// Planes with more points than this draw them as accumulated pixels, not one dot each (drawBase).
const RASTER_MIN_POINTS = 150000;

// ---- the browser decoder (decoder.js), counted for the plane's stats ------------------------------

// One forward pass (decoder.js's decode), counted in LP.stats (tests and benchmarks read them).
function forward(dec, z) {
  const t0 = performance.now();
  const h = decode(dec, z);
  LP.stats.decodes += 1;
  LP.stats.decodeMs += performance.now() - t0;
  return h;
}

// URL -> Promise<decoder> (LP.decoders)
const loadDecoder = (manifest) => fetchOnce(LP.decoders, manifest.weights_url,
  async (r) => makeDecoder(manifest, new Float32Array(await r.arrayBuffer())));

// Test hooks: decode codes with the exact code path the plane uses (`simd: false`: the plain-JS
// path, as on a browser without WebAssembly SIMD).
LP.loadDecoder = loadDecoder;
LP.decodeWith = async (manifest, zs, { simd = true } = {}) => {
  let dec = await loadDecoder(manifest);
  if (!simd) dec = makeDecoder(manifest, new Float32Array(await (await fetch(manifest.weights_url)).arrayBuffer()), false);
  return { kernel: dec.kernel, x: zs.map((z) => Array.from(forward(dec, Float64Array.from(z)))) };
};

// ---- the payload (parsePlane and contour: geometry.js) ----------------------------------------------

function loadPlane(url) {
  return fetchOnce(LP.files, url, async (r) => {
    const m = parsePlane(await r.arrayBuffer());
    if (m.dens) m.contour = contour(m.dens, m.density_n, m.threshold, m.bounds);
    // A fixed shuffle of the drawing order, so no class is always painted on top of the others.
    const order = new Uint32Array(m.n);
    for (let i = 0; i < m.n; i++) order[i] = i;
    let s = 12345;
    for (let i = m.n - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) >>> 0;
      const j = s % (i + 1);
      const t = order[i]; order[i] = order[j]; order[j] = t;
    }
    m.order = order;
    return m;
  });
}

function loadImages(url) {
  return fetchOnce(LP.files, url, async (r) => new Uint8Array(await r.arrayBuffer()));
}


// The density grid as a small image (row 0 = the bottom), drawn scaled under the points.
function densityCanvas(m) {
  if (!m.densCanvas) {
    const n = m.density_n, dc = document.createElement("canvas");
    dc.width = dc.height = n;
    const img = dc.getContext("2d").createImageData(n, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const v = Math.max(0, m.dens[i * n + j]);
        const o = ((n - 1 - i) * n + j) * 4;
        img.data[o] = 40; img.data[o + 1] = 60; img.data[o + 2] = 90;
        // A low gamma: big data sets have a sharp core, and the faint outskirts matter most here
        // (that is where decodings turn odd).
        img.data[o + 3] = Math.round(255 * 0.45 * Math.pow(v, 0.35));
      }
    }
    dc.getContext("2d").putImageData(img, 0, 0);
    m.densCanvas = dc;
  }
  return m.densCanvas;
}

// One image (C*H*W values in [0, 1], or uint8 with `scale` 1) -> RGBA pixels at its own resolution,
// into `img` (an ImageData of W x H, reused: putImageData copies it out at once).
function fillImage(img, x, [C, H, W], scale = 255) {
  const px = img.data, HW = H * W;
  for (let i = 0; i < HW; i++) {
    for (let c = 0; c < 3; c++) {
      const v = x[(C === 1 ? 0 : c) * HW + i] * scale;
      px[4 * i + c] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
    px[4 * i + 3] = 255;
  }
  return img;
}


// A marker: a filled disc with its letter (A black, B white), visible on any background.
function drawMarker(g, px, py, i, r, font) {
  g.beginPath(); g.arc(px, py, r, 0, 2 * Math.PI);
  g.fillStyle = i === 0 ? "#000" : "#fff"; g.fill();
  g.lineWidth = 3; g.strokeStyle = i === 0 ? "#fff" : "#000"; g.stroke();
  g.fillStyle = i === 0 ? "#fff" : "#000"; g.font = `bold ${font}px sans-serif`;
  g.textAlign = "center"; g.textBaseline = "middle"; g.fillText(i === 0 ? "A" : "B", px, py + 1);
  g.textAlign = "start"; g.textBaseline = "alphabetic";
}

// `data.marks`, points a page lays over the plane (the sampling page's draws): {xy: [[x, y], ...],
// low: [bool, ...]}. A black cross where the point is among the data, a red open circle where it is
// not ("low"), each on a white halo so that it reads over any class colour from the back row.
function drawMarks(g, marks, toPx, big) {
  const r = 5.5 * big;
  (marks.xy || []).forEach(([x, y], i) => {
    const [px, py] = toPx(x, y), low = marks.low && marks.low[i];
    for (const [w, c] of [[5 * big, "#fff"], [2.2 * big, low ? VERMILLION : "#000"]]) {
      g.lineWidth = w; g.strokeStyle = c; g.beginPath();
      if (low) g.arc(px, py, r + 1.5, 0, 2 * Math.PI);
      else { g.moveTo(px - r, py - r); g.lineTo(px + r, py + r); g.moveTo(px - r, py + r); g.lineTo(px + r, py - r); }
      g.stroke();
    }
  });
}

// A WebGL points layer for plane `m`: the positions and classes uploaded once, in the drawing
// order (m.order), the palette as a uniform. null where this browser has no WebGL.
const GL_VS = `attribute vec2 p; attribute float c; attribute float w;
uniform vec4 view; uniform float size; varying float vc; varying float vw;
void main() {
  gl_Position = vec4((p.x - view.x) / (view.y - view.x) * 2.0 - 1.0, (p.y - view.z) / (view.w - view.z) * 2.0 - 1.0, 0.0, 1.0);
  gl_PointSize = w > 0.0 ? size : 0.0; vc = c; vw = w;
}`;
const GL_FS = `precision mediump float; uniform vec3 pal[10]; varying float vc; varying float vw;
void main() {
  vec2 q = gl_PointCoord - 0.5; if (vw <= 0.0 || dot(q, q) > 0.25) discard;
  int k = int(mod(vc + 0.5, 10.0)); vec3 col = pal[0];
  for (int j = 0; j < 10; j++) if (j == k) col = pal[j];
  gl_FragColor = vec4(col, vw);
}`;
function makeGlPoints(m) {
  const canvas = document.createElement("canvas");
  const gl = canvas.getContext("webgl", { preserveDrawingBuffer: true, antialias: false }); // premultiplied: "over" below
  if (!gl) return null;
  const shader = (type, src) => {
    const sh = gl.createShader(type);
    gl.shaderSource(sh, src);
    gl.compileShader(sh);
    return gl.getShaderParameter(sh, gl.COMPILE_STATUS) ? sh : null;
  };
  const vs = shader(gl.VERTEX_SHADER, GL_VS), fs = shader(gl.FRAGMENT_SHADER, GL_FS);
  if (!vs || !fs) return null;
  const prog = gl.createProgram();
  gl.attachShader(prog, vs); gl.attachShader(prog, fs); gl.linkProgram(prog);
  if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) return null;
  gl.useProgram(prog);
  const n = m.n, pos = new Float32Array(2 * n), cls = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const i = m.order[k];
    pos[2 * k] = m.pts[2 * i]; pos[2 * k + 1] = m.pts[2 * i + 1]; cls[k] = m.lab[i];
  }
  const attr = (name, data, size) => {
    const buf = gl.createBuffer(), loc = gl.getAttribLocation(prog, name);
    gl.bindBuffer(gl.ARRAY_BUFFER, buf);
    if (data) gl.bufferData(gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
    gl.enableVertexAttribArray(loc);
    gl.vertexAttribPointer(loc, size, gl.FLOAT, false, 0, 0);
    return buf;
  };
  attr("p", pos, 2);
  attr("c", cls, 1);
  const weights = new Float32Array(n);
  const wBuf = attr("w", weights, 1);
  const pal = new Float32Array(30);
  m.palette.slice(0, 10).forEach((hex, j) => [1, 3, 5].forEach((o, k) => { pal[3 * j + k] = parseInt(hex.slice(o, o + 2), 16) / 255; }));
  gl.uniform3fv(gl.getUniformLocation(prog, "pal"), pal);
  gl.enable(gl.BLEND);
  gl.blendFuncSeparate(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA, gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
  return { gl, canvas, m, weights, wBuf, weightKey: null,
    uView: gl.getUniformLocation(prog, "view"), uSize: gl.getUniformLocation(prog, "size") };
}

// ---- class labels on the plane, and the exported PNG's legend ----------------------------------
// Colour alone must not carry the class (colour-vision deficiencies; a grey projector): the
// "Labels" button writes each class's name at the middle of its points, and the PNG carries a
// legend. Kept apart from the drawing code above: plane.js's split into modules takes them as one.

// Each class's centre on the plane: the median of its points' x and of their y (robust to a few
// strays, unlike the mean), computed once per plane file and kept on it. Above 200,000 points every
// s-th point is used (the median moves by far less than a label's width).
function classCentres(m) {
  if (m.centres) return m.centres;
  const n = m.n, lab = m.lab, pts = m.pts, step = Math.max(1, Math.floor(n / 200000));
  let K = m.class_names.length;
  for (let i = 0; i < n; i += step) if (lab[i] >= K) K = lab[i] + 1;
  const count = new Int32Array(K);
  for (let i = 0; i < n; i += step) count[lab[i]] += 1;
  const xs = Array.from(count, (c) => new Float32Array(c)), ys = Array.from(count, (c) => new Float32Array(c));
  const fill = new Int32Array(K);
  for (let i = 0; i < n; i += step) {
    const c = lab[i], k = fill[c]++;
    xs[c][k] = pts[2 * i]; ys[c][k] = pts[2 * i + 1];
  }
  const median = (a) => { a.sort(); const h = a.length >> 1; return a.length % 2 ? a[h] : (a[h - 1] + a[h]) / 2; };
  m.centres = [];
  for (let c = 0; c < K; c++) if (count[c]) m.centres.push({ c, x: median(xs[c]), y: median(ys[c]), n: count[c] });
  return m.centres;
}

// The toolbar's "Labels" toggle: aria-pressed says its state to a screen reader, "on" shows it.
function bindLabelsButton(p, button) {
  p.labelsButton = button;
  p.labelsOn = false;
  button.addEventListener("click", () => {
    p.labelsOn = !p.labelsOn;
    button.setAttribute("aria-pressed", String(p.labelsOn));
    button.classList.toggle("on", p.labelsOn);
    p.dirty = true;
  });
}

// With labels on: each shown class's name at its centre, bold, in its colour on a white halo (it
// reads over dots of any class), at the current view (so it follows every pan and zoom; g is in
// CSS px). A label that would cover one already placed moves up or down by its height. Records what
// it drew as p.drawnLabels ([{name, c, x, y}] in CSS px; the canvas's data-labels: the names).
function drawClassLabels(p, g) {
  const m = p.m, out = [];
  if (p.labelsOn && m) {
    const fs = p.d && p.d.presenter ? 22 : 16, h = fs + 6;
    g.save();
    g.font = `bold ${fs}px sans-serif`;
    g.textAlign = "center"; g.textBaseline = "middle"; g.lineJoin = "round";
    g.lineWidth = fs / 3; g.strokeStyle = "rgba(255,255,255,0.95)";
    for (const { c, x, y } of classCentres(m)) {
      if (p.hidden.has(c)) continue;
      const name = String(m.class_names[c] ?? c), w = g.measureText(name).width + 8;
      const [px, py0] = p.toPx(x, y);
      if (px < -w || px > p.W + w || py0 < -h || py0 > p.H + h) continue; // out of view
      const free = (py) => out.every((o) => Math.abs(o.x - px) >= (o.w + w) / 2 || Math.abs(o.y - py) >= h);
      const py = [0, h, -h, 2 * h, -2 * h].map((dy) => py0 + dy).find(free) ?? py0;
      g.strokeText(name, px, py);
      g.fillStyle = m.palette[c % m.palette.length];
      g.fillText(name, px, py);
      out.push({ name, c, x: px, y: py, w });
    }
    g.restore();
  }
  p.drawnLabels = out;
  const names = out.map((o) => o.name).join("|");
  if (p.canvas.dataset.labels !== names) p.canvas.dataset.labels = names;
  return out;
}

// What the plane shows that needs a key, in the order the legend lists it: the model, every shown
// class (colour, name), and the marks a page drew (shading, the "extrapolating" line, the draws).
function legendItems(p) {
  const m = p.m, d = p.d || {}, items = [];
  const counts = new Map();
  for (const { c } of classCentres(m)) counts.set(c, true);
  m.class_names.forEach((name, c) => {
    if (counts.has(c) && !p.hidden.has(c)) items.push({ kind: "class", colour: m.palette[c % m.palette.length], text: String(name) });
  });
  if (d.shade && m.dens) items.push({ kind: "shade", text: "shading: density of training codes" });
  if (d.shade && m.contour && m.contour.length) items.push({ kind: "line", colour: VERMILLION, text: "outside this line g extrapolates" });
  const low = (d.marks && d.marks.low) || [], nm = (d.marks && d.marks.xy && d.marks.xy.length) || 0;
  if (nm && low.filter(Boolean).length < nm) items.push({ kind: "cross", text: "a draw among the data" });
  if (nm && low.some(Boolean)) items.push({ kind: "ring", colour: VERMILLION, text: "a draw in low density (almost no data there)" });
  if (d.rect) items.push({ kind: "box", text: "dashed box: the decoded grid's window" });
  if ((d.ab || []).some(Boolean)) items.push({ kind: "ab", text: "A, B: the ends of the interpolation" });
  if (!p.markersMode && (p.pending || d.marker)) items.push({ kind: "target", text: "the decoded z" });
  if ((d.ellipses || []).length) items.push({ kind: "ellipse", text: "q(z|x): 1σ solid, 2σ dashed" });
  return items;
}

// The exported plane (`plane`, drawn at pixel ratio `s`) with its legend under it, on white: a
// title line (the model, and "colour = class"), then one swatch and name per item, in rows that
// wrap at the plane's width. Returns {canvas, items}: items with their swatch centres in the
// canvas's pixels (the browser test reads the colours there).
function legendCanvas(p, plane, s) {
  const items = legendItems(p), d = p.d || {}, fs = d.presenter ? 22 : 18, pad = 12, r = fs * 0.38;
  const who = d.label || (d.manifest && d.manifest.name) || "";
  const title = (who ? `Latent plane of ${who}` : "Latent plane") + " · colour = class";
  const meas = document.createElement("canvas").getContext("2d");
  meas.font = `${fs}px sans-serif`;
  // Lay out in CSS px first: each item is a swatch, a gap and its text; rows wrap at the width.
  const W = plane.width / s, rowH = fs + 12, boxes = [];
  let x = pad, y = pad + rowH + rowH / 2; // row 0 holds the title
  for (const it of items) {
    const w = 2 * r + 8 + meas.measureText(it.text).width;
    if (x > pad && x + w > W - pad) { x = pad; y += rowH; }
    boxes.push({ ...it, x, y, w });
    x += w + 22;
  }
  const legendH = (items.length ? y + rowH / 2 : pad + rowH) + pad;
  const out = document.createElement("canvas");
  out.width = plane.width; out.height = plane.height + Math.round(legendH * s);
  const g = out.getContext("2d");
  g.fillStyle = "#fff"; g.fillRect(0, 0, out.width, out.height);
  g.drawImage(plane, 0, 0);
  g.setTransform(s, 0, 0, s, 0, plane.height);
  g.textBaseline = "middle"; g.fillStyle = "#222"; g.font = `bold ${fs}px sans-serif`;
  g.fillText(title, pad, pad + rowH / 2);
  g.font = `${fs}px sans-serif`;
  for (const b of boxes) {
    const cx = b.x + r, cy = b.y;
    g.lineWidth = 2.5;
    if (b.kind === "class") { g.fillStyle = b.colour; g.beginPath(); g.arc(cx, cy, r, 0, 2 * Math.PI); g.fill(); }
    else if (b.kind === "shade") { g.fillStyle = "rgba(40,60,90,0.45)"; g.fillRect(cx - r, cy - r, 2 * r, 2 * r); }
    else if (b.kind === "line") { g.strokeStyle = b.colour; g.beginPath(); g.moveTo(cx - r - 2, cy); g.lineTo(cx + r + 2, cy); g.stroke(); }
    else if (b.kind === "cross") {
      g.strokeStyle = "#000"; g.beginPath();
      g.moveTo(cx - r, cy - r); g.lineTo(cx + r, cy + r); g.moveTo(cx - r, cy + r); g.lineTo(cx + r, cy - r); g.stroke();
    } else if (b.kind === "ring") { g.strokeStyle = b.colour; g.beginPath(); g.arc(cx, cy, r, 0, 2 * Math.PI); g.stroke(); }
    else if (b.kind === "box") {
      g.strokeStyle = "#333"; g.lineWidth = 2; g.setLineDash([4, 3]); g.strokeRect(cx - r, cy - r, 2 * r, 2 * r); g.setLineDash([]);
    } else if (b.kind === "ab") drawMarker(g, cx, cy, 0, r, Math.round(r * 1.2));
    else if (b.kind === "target") {
      g.strokeStyle = "#000"; g.beginPath(); g.arc(cx, cy, r * 0.7, 0, 2 * Math.PI); g.stroke();
      g.beginPath(); g.moveTo(cx - r - 2, cy); g.lineTo(cx + r + 2, cy); g.moveTo(cx, cy - r - 2); g.lineTo(cx, cy + r + 2); g.stroke();
    } else if (b.kind === "ellipse") {
      g.strokeStyle = "#000"; g.lineWidth = 2; g.beginPath(); g.ellipse(cx, cy, r, r * 0.6, 0, 0, 2 * Math.PI); g.stroke();
    }
    g.textBaseline = "middle"; g.textAlign = "start";
    g.fillStyle = "#222";
    g.fillText(b.text, b.x + 2 * r + 8, cy);
    b.px = [Math.round(cx * s), Math.round(plane.height + cy * s)];
  }
  return { canvas: out, items: boxes.map(({ kind, colour, text, px }) => ({ kind, colour, text, px })) };
}

// ---- the component --------------------------------------------------------------------------------

class Plane {
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
    const q = (s) => root.querySelector(".llplane-" + s);
    // this.<name> = the element of class llplane-<class>
    const parts = { row: "row", canvas: "canvas", tip: "tip", tipImg: "tipimg", tipText: "tiptext", inset: "inset",
      insetImg: "insetimg", insetCap: "inset figcaption", msg: "msg", side: "side", mode: "mode", strip: "strip",
      stripGrid: "stripgrid", stripBox: "stripbox", status: "status", legend: "legend", hint: "hint", follow: "follow" };
    for (const [name, cls] of Object.entries(parts)) this[name] = q(cls);
    this.decCanvases = [...root.querySelectorAll(".llplane-dec")];
    this.figs = [...root.querySelectorAll(".llplane-fig")];
    this.tools = q("tools");
    this.selCount = q("selcount");
    this.tool = "pan";
    this.tools.querySelectorAll("[data-tool]").forEach((b) => b.addEventListener("click", () => this.setTool(b.dataset.tool)));
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
    this.bindPointer();
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
      // The class colours come with the page data (web/palette.py's PALETTE), not from the file: a
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

  // `data.selected` = {key, indices, label}: a selection Python asks this plane to show (one made on a
  // linked plane, or restored from the URL). Shown, not sent back: Python already has it. A new key
  // replaces whatever is selected here; a user's own lasso replaces it in turn.
  applySelected() {
    const s = this.d && this.d.selected;
    if (!this.m) return;
    const key = s ? s.key : null;
    if (key === this.selectedKey) return;
    this.selectedKey = key;
    // Python echoing the selection just made here: only the label may change (no redraw, and the
    // lasso's polygon stays known).
    const same = s && this.selIdx && s.indices.length === this.selIdx.length && s.indices.every((v, k) => v === this.selIdx[k]);
    if (same) this.selCount.textContent = `${this.selIdx.length.toLocaleString("en")} ${s.label || "selected"}`;
    else if (s) this.setSelection(s.indices, null, { quiet: true, label: s.label });
    else if (this.selFromPython) this.setSelection(null, null, { quiet: true });
  }

  // Markers mode: which decoded panels show (B and the strip with two markers), and their captions.
  showPanels() {
    const d = this.d;
    if (d.mode !== "markers") return;
    this.figs[0].style.display = d.manifest ? "" : "none";
    const two = (d.n_markers || 1) > 1 && d.image_shape !== null && !!d.manifest;
    this.figs[1].style.display = two ? "" : "none";
    this.stripBox.style.display = two ? "" : "none";
    this.figs[0].querySelector("figcaption").textContent = d.image_shape ? "A"
      : (d.n_markers || 1) > 1 ? "x̂ = g(z) for A (black), B (white) and the line between" : "x̂ = g(z) for A";
    this.mode.textContent = this.m ? d.mode_text || "" : "Loading the latent plane and the decoder…";
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

  // ---- geometry

  layout(onlyIfResized = false) {
    const d = this.d || {}, dpr = window.devicePixelRatio || 1;
    let W, H;
    if (this.markersMode) {
      // Plane and decoded images side by side (no scrolling mid-drag): shrink both to fit if needed.
      const avail = this.root.getBoundingClientRect().width || 0, two = (d.n_markers || 1) > 1;
      let S = d.size || 520, P = d.panel || 240;
      const side = (p) => (two ? 2 * p + 20 : Math.max(p + 4, 260)) + 24 + 12; // + gap + slack
      if (avail && S + side(P) > avail) {
        P = Math.max(150, Math.min(P, Math.floor((avail - 24) * 0.22)));
        S = Math.max(300, Math.min(S, avail - side(P)));
      }
      W = H = S;
      this.side.style.width = (two ? 2 * P + 20 : Math.max(P + 4, 260)) + "px"; // + borders
      this.layoutPanels(P);
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

  // The decoded-image panels and the strip (markers mode). Decoded images live in canvases of
  // their own resolution (28 x 28 for MNIST), scaled up by the compositor (CSS, pixelated): a frame
  // writes 784 pixels per image instead of drawing a scaled copy into 240 x 240 (~0.8 ms less
  // Chromium CPU per frame). Point-cloud models draw a plot in the first panel, at screen resolution.
  layoutPanels(P) {
    const d = this.d, dpr = window.devicePixelRatio || 1, n = d.strip_n || 9;
    const [, H, W] = d.image_shape || [0, 0, 0];
    for (const c of this.decCanvases) {
      c.style.width = P + "px";
      c.style.height = (W ? Math.round(P * H / W) : P) + "px";
      c.width = W || Math.round(P * dpr);
      c.height = H || Math.round(P * dpr);
    }
    const cell = Math.max(28, Math.min(d.strip_cell || 60, Math.floor((2 * P + 16) / n)));
    const cellH = W ? Math.round(cell * H / W) : cell;
    for (const el of [this.strip, this.stripGrid]) {
      el.style.width = cell * n + "px";
      el.style.height = cellH + "px";
    }
    // The white gaps between the strip's cells: a static overlay, never repainted during a drag.
    this.stripGrid.style.backgroundSize = cell + "px 100%";
    this.strip.width = Math.max(1, W) * n;
    this.strip.height = Math.max(1, H);
    // A resized canvas is cleared to opaque black: start from white until the first frame draws.
    for (const c of [...this.decCanvases, this.strip]) {
      const g = c.getContext("2d");
      g.fillStyle = "#fff";
      g.fillRect(0, 0, c.width, c.height);
    }
  }

  // The window that shows `b` = [x0, x1, y0, y1] whole, with one plane unit equally long on both
  // axes (distances in the picture are honest).
  fitView(b) {
    const [x0, x1, y0, y1] = b, cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    const s = Math.min(this.W / (x1 - x0), this.H / (y1 - y0)); // px per unit
    return [cx - this.W / (2 * s), cx + this.W / (2 * s), cy - this.H / (2 * s), cy + this.H / (2 * s)];
  }

  // The window a plane opens on: its own bounds, widened to hold the page's marks (a draw far
  // outside the codes is the point of the sampling pages: it must not open off screen).
  homeBounds() {
    let [x0, x1, y0, y1] = this.m.bounds;
    const xy = (this.d && this.d.marks && this.d.marks.xy) || [];
    if (!xy.length) return [x0, x1, y0, y1];
    const pad = 0.04 * Math.max(x1 - x0, y1 - y0);
    for (const [x, y] of xy) {
      x0 = Math.min(x0, x - pad); x1 = Math.max(x1, x + pad); y0 = Math.min(y0, y - pad); y1 = Math.max(y1, y + pad);
    }
    return [x0, x1, y0, y1];
  }

  resetView() {
    if (!this.m) return;
    this.view = this.fitView(this.homeBounds());
    this.homeView = String(this.view);
    this.needBase = true; this.dirty = true;
  }

  toPx(x, y, v = this.view) {
    return [(x - v[0]) / (v[1] - v[0]) * this.W, (v[3] - y) / (v[3] - v[2]) * this.H];
  }
  fromPx(px, py) {
    const v = this.view;
    return [v[0] + px / this.W * (v[1] - v[0]), v[3] - py / this.H * (v[3] - v[2])];
  }

  // Plane point -> latent code z = mean + p @ basis (identity for k = 2, the PCA inverse for k > 2).
  toLatent(p) {
    const { mean, basis } = this.m.linear_map;
    const z = new Float64Array(mean.length);
    for (let j = 0; j < mean.length; j++) z[j] = mean[j] + p[0] * basis[0][j] + p[1] * basis[1][j];
    return z;
  }

  radius() {
    const d = this.d || {};
    if (d.point_size) return d.point_size / 2;
    const n = this.m ? this.m.n : 0;
    return (n > 20000 ? 1.8 : n > 5000 ? 2.3 : 3.4) * (d.presenter ? 1.4 : 1);
  }

  sprite(color, r) {
    // One pre-drawn dot per class: 60,000 drawImage calls are several times cheaper than 60,000 arcs.
    const dpr = this.dpr, size = Math.ceil(2 * r * dpr) + 2;
    const c = document.createElement("canvas");
    c.width = c.height = size;
    const g = c.getContext("2d");
    g.fillStyle = color;
    g.beginPath(); g.arc(size / 2, size / 2, r * dpr, 0, 2 * Math.PI); g.fill();
    return c;
  }

  buildLegend() {
    const m = this.m;
    const counts = new Map();
    for (let i = 0; i < m.n; i++) counts.set(m.lab[i], (counts.get(m.lab[i]) || 0) + 1);
    this.legend.innerHTML = "";
    m.class_names.forEach((name, c) => {
      if (!counts.has(c)) return;
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "llplane-chip";
      chip.title = this.d && this.d.select ? "Click to hide or show this class; double-click to select it"
        : "Click to hide or show this class";
      chip.innerHTML = `<i style="background:${m.palette[c % m.palette.length]}"></i>`;
      chip.appendChild(document.createTextNode(name));
      chip.addEventListener("click", () => {
        if (this.hidden.has(c)) this.hidden.delete(c); else this.hidden.add(c);
        chip.classList.toggle("off", this.hidden.has(c));
        this.needBase = true; this.dirty = true;
      });
      // A double-click (its two clicks hid and showed the class again) selects the whole class.
      chip.addEventListener("dblclick", () => {
        if (!this.d || !this.d.select) return;
        const idx = [];
        for (let i = 0; i < m.n; i++) if (m.lab[i] === c) idx.push(i);
        this.setSelection(idx, null, { cls: c });
      });
      this.legend.appendChild(chip);
    });
  }

  // ---- drawing

  // Everything that does not follow the mouse, drawn once per view into an offscreen canvas:
  // density shading, grid, points, the "extrapolating" contour, axis titles.
  drawBase() {
    const t0 = performance.now();
    const m = this.m, d = this.d || {}, W = this.W, H = this.H, dpr = this.dpr;
    const base = (this.base = this.base || document.createElement("canvas"));
    base.width = Math.round(W * dpr); base.height = Math.round(H * dpr);
    this.baseView = this.view.slice();
    // A CPU canvas, always: copying a WebGL canvas into it would otherwise move it to the GPU, and
    // in software WebGL every pan frame's copy of it then went through SwiftShader (pan at a
    // million points: 31 frames/s before, 60 after).
    const g = base.getContext("2d", { willReadFrequently: true });
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.fillStyle = "#ffffff"; g.fillRect(0, 0, W, H);
    const fs = d.presenter ? 17 : 13;
    // Markers mode always shades: where codes are dense is what a dragged marker is about.
    if ((d.shade || this.markersMode) && m.dens) {
      const n = m.density_n, [bx0, bx1, by0, by1] = m.bounds;
      const hx = (bx1 - bx0) / (n - 1) / 2, hy = (by1 - by0) / (n - 1) / 2;
      const [ax, ay] = this.toPx(bx0 - hx, by1 + hy), [bx, by] = this.toPx(bx1 + hx, by0 - hy);
      g.imageSmoothingEnabled = true; // the density is smooth by construction: blur is honest here
      g.drawImage(densityCanvas(m), ax, ay, bx - ax, by - ay);
    }
    const v = this.view;
    g.strokeStyle = "rgba(0,0,0,0.09)"; g.fillStyle = "#555"; g.font = `${fs}px sans-serif`; g.lineWidth = 1;
    for (const t of niceTicks(v[0], v[1], 7)) {
      const [px] = this.toPx(t, 0);
      g.beginPath(); g.moveTo(px, 0); g.lineTo(px, H); g.stroke();
      if (px > 4 && px < W - 90) g.fillText(String(t), px + 3, H - 5);
    }
    for (const t of niceTicks(v[2], v[3], 7)) {
      const [, py] = this.toPx(0, t);
      g.beginPath(); g.moveTo(0, py); g.lineTo(W, py); g.stroke();
      if (py > fs + 22 && py < H - fs - 6) g.fillText(String(t), 4, py - 3);
    }
    const n = m.n, pts = m.pts, lab = m.lab;
    const ppx = (this.ppx = new Float32Array(n)), ppy = (this.ppy = new Float32Array(n));
    const sx = W / (v[1] - v[0]), sy = H / (v[3] - v[2]);
    const hidden = this.hidden;
    for (let i = 0; i < n; i++) {
      ppx[i] = hidden.size && hidden.has(lab[i]) ? NaN : (pts[2 * i] - v[0]) * sx;
      ppy[i] = (v[3] - pts[2 * i + 1]) * sy;
    }
    if (n <= RASTER_MIN_POINTS) this.spritePoints(g);
    else if (!(this.useGl() && this.glPoints(g))) this.rasterPoints(g); // WebGL, else the canvas
    this.canvas.dataset.renderer = n <= RASTER_MIN_POINTS ? "sprites" : this.gl ? "webgl" : "raster";
    g.globalAlpha = 1;
    if (d.shade && m.contour && m.contour.length) {
      // Solid: the iso-line is thousands of tiny segments, on which a dash pattern would restart.
      g.strokeStyle = VERMILLION; g.lineWidth = d.presenter ? 3 : 2;
      g.beginPath();
      for (const [xa, ya, xb, yb] of m.contour) {
        const [pa, qa] = this.toPx(xa, ya), [pb, qb] = this.toPx(xb, yb);
        g.moveTo(pa, qa); g.lineTo(pb, qb);
      }
      g.stroke();
    }
    g.font = `bold ${fs + 2}px sans-serif`;
    const at = m.axis_titles || ["z₁", "z₂"];
    // Each axis title on a white backing: a long one ("PC 1 (19% of variance)") lies over the tick
    // labels of its axis, and the two texts garbled each other.
    const titled = (text, x, y) => {
      const w = g.measureText(text).width;
      g.fillStyle = "rgba(255,255,255,0.92)";
      g.fillRect(x - 3, y - fs - 2, w + 6, fs + 8);
      g.fillStyle = "#222"; g.fillText(text, x, y);
    };
    const xTitle = at[0] + " →";
    titled(xTitle, W - 8 - g.measureText(xTitle).width, H - 6);
    titled("↑ " + at[1], 8, fs + 8);
    this.buildHitGrid();
    this.needBase = false;
    this.canvas.dataset.ready = "1";
    this.canvas.dataset.points = String(n);
    this.lastBaseMs = performance.now() - t0;
    LP.stats.baseDraws += 1;
    LP.stats.baseMs += this.lastBaseMs;
  }

  // Where the base canvas (drawn for baseView) lies in the current view: [x, y] offset (CSS px) and
  // [kx, ky] scale.
  baseShift() {
    const b = this.baseView, v = this.view, [ox, oy] = this.toPx(b[0], b[3]);
    return [ox, oy, (b[1] - b[0]) / (v[1] - v[0]), (b[3] - b[2]) / (v[3] - v[2])];
  }

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

  // Up to RASTER_MIN_POINTS: a pre-drawn dot per point, in a shuffled order (no class always on top).
  spritePoints(g) {
    const m = this.m, W = this.W, H = this.H, dpr = this.dpr, ppx = this.ppx, ppy = this.ppy;
    const r = this.radius(), alpha = m.n > 20000 ? 0.6 : 0.8;
    const sprites = m.palette.map((c) => this.sprite(c, r));
    const sz = sprites[0].width / dpr, off = sz / 2, sel = this.selMask, order = m.order, lab = m.lab;
    // With a selection, two passes: the other points faint, then the selected ones on top.
    for (const pass of sel ? [0, 1] : [1]) {
      g.globalAlpha = sel && !pass ? 0.12 : alpha;
      for (let k = 0; k < m.n; k++) {
        const i = order[k];
        if (sel && sel[i] !== pass) continue;
        const px = ppx[i], py = ppy[i];
        if (!(px >= -off && py >= -off && px <= W + off && py <= H + off)) continue; // NaN: a hidden class
        g.drawImage(sprites[lab[i] % sprites.length], px - off, py - off, sz, sz);
      }
    }
    g.globalAlpha = 1;
  }

  // Above RASTER_MIN_POINTS, where the browser has WebGL: the points drawn by the GPU (one
  // gl.POINTS call, the view as a uniform) into an offscreen WebGL canvas, then copied into the base
  // like any image. Each point is a small disc of low opacity (0.35; 0.05 for points outside a
  // selection), in the shuffled order: where they pile up the colour saturates, 1 - 0.65^count, as
  // the canvas path's 1 - exp(-0.5 count) does. Returns false where WebGL is missing or fails; the
  // canvas path then draws.
  // `data.renderer`: "auto" (WebGL on a GPU; in software WebGL, SwiftShader on a machine without a
  // usable GPU, the GPU path drew a million points in 1.3 s against 0.2 s for the canvas path),
  // "webgl" (wherever WebGL exists) or "canvas".
  useGl() {
    const r = (this.d && this.d.renderer) || "auto";
    return r === "webgl" || (r === "auto" && !softwareGL());
  }

  glPoints(g) {
    const m = this.m, d = this.d, dpr = this.dpr, PW = Math.round(this.W * dpr), PH = Math.round(this.H * dpr);
    let G = this.gl;
    if (G === false) return false;
    if (!G || G.m !== m) {
      G = this.gl = makeGlPoints(m);
      if (!G) { this.gl = false; return false; }
    }
    const gl = G.gl, c = G.canvas;
    if (c.width !== PW || c.height !== PH) { c.width = PW; c.height = PH; }
    // Per point (in drawing order): 0 = not drawn (a hidden class), else its opacity.
    const key = [...this.hidden].join(",") + "|" + (this.selIdx ? this.selSeq : "");
    if (key !== G.weightKey) {
      G.weightKey = key;
      const w = G.weights, sel = this.selMask, order = m.order, lab = m.lab, hidden = this.hidden;
      for (let k = 0; k < m.n; k++) {
        const i = order[k];
        w[k] = hidden.size && hidden.has(lab[i]) ? 0 : sel && !sel[i] ? 0.05 : 0.35;
      }
      gl.bindBuffer(gl.ARRAY_BUFFER, G.wBuf);
      gl.bufferData(gl.ARRAY_BUFFER, w, gl.STATIC_DRAW);
    }
    gl.viewport(0, 0, PW, PH);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    const v = this.view;
    gl.uniform4f(G.uView, v[0], v[1], v[2], v[3]);
    gl.uniform1f(G.uSize, Math.max(2, 2.4 * dpr * (d.presenter ? 1.3 : 1)));
    gl.drawArrays(gl.POINTS, 0, m.n);
    if (gl.getError() !== gl.NO_ERROR) { this.gl = false; return false; }
    g.save();
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.drawImage(c, 0, 0);
    g.restore();
    return true;
  }

  // Above RASTER_MIN_POINTS (a drawImage per point took seconds for a million): the points are
  // accumulated per device pixel (a 2 × 2 stamp each) in typed arrays: the pixel takes the mean
  // colour of its points, and an opacity that grows with their count, 1 - exp(-0.5 count). Dense
  // cores stay readable as density (no single-colour blob), a lone point still shows. Then the
  // pixels are blended over the shading and the grid already drawn. ~0.1 s for a million points.
  rasterPoints(g) {
    const m = this.m, dpr = this.dpr, PW = Math.round(this.W * dpr), PH = Math.round(this.H * dpr);
    const ppx = this.ppx, ppy = this.ppy, lab = m.lab, sel = this.selMask;
    const rgb = m.palette.map((c) => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16)));
    // Per pixel: weight, and weighted r, g, b; kept between redraws (4 floats a pixel: ~25 MB at 1600 × 1000).
    const N = PW * PH;
    const acc = (this.acc = this.acc && this.acc.length === 4 * N ? this.acc.fill(0) : new Float32Array(4 * N));
    for (let i = 0; i < m.n; i++) {
      const x = Math.floor(ppx[i] * dpr - 0.5), y = Math.floor(ppy[i] * dpr - 0.5);
      if (!(x >= -1 && y >= -1 && x < PW && y < PH)) continue; // outside, or NaN (a hidden class)
      const w = sel && !sel[i] ? 0.15 : 1, c = rgb[lab[i] % rgb.length];
      for (let dy = 0; dy < 2; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= PH) continue;
        for (let dx = 0; dx < 2; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= PW) continue;
          const o = 4 * (yy * PW + xx);
          acc[o] += w; acc[o + 1] += w * c[0]; acc[o + 2] += w * c[1]; acc[o + 3] += w * c[2];
        }
      }
    }
    const img = g.getImageData(0, 0, PW, PH), px = img.data;
    for (let p = 0; p < N; p++) {
      const wsum = acc[4 * p];
      if (!wsum) continue;
      const a = 1 - Math.exp(-0.5 * wsum), o = 4 * p;
      for (let k = 0; k < 3; k++) px[o + k] = (1 - a) * px[o + k] + (a * acc[4 * p + 1 + k]) / wsum;
    }
    g.putImageData(img, 0, 0);
  }

  // A bucket grid over the canvas (cells of C px) for O(1) hover and click hit tests on 60k points.
  buildHitGrid() {
    const C = 8, n = this.m.n, cols = Math.ceil(this.W / C) + 1, rows = Math.ceil(this.H / C) + 1;
    const cellOf = new Int32Array(n), count = new Int32Array(cols * rows + 1);
    for (let i = 0; i < n; i++) {
      const px = this.ppx[i], py = this.ppy[i];
      if (!(px >= 0 && py >= 0 && px < this.W && py < this.H)) { cellOf[i] = -1; continue; }
      const c = Math.floor(py / C) * cols + Math.floor(px / C);
      cellOf[i] = c; count[c + 1] += 1;
    }
    for (let c = 0; c < cols * rows; c++) count[c + 1] += count[c];
    const items = new Int32Array(count[cols * rows]), fill = count.slice(0, cols * rows);
    for (let i = 0; i < n; i++) if (cellOf[i] >= 0) items[fill[cellOf[i]]++] = i;
    this.hit = { C, cols, rows, start: count, items };
  }

  // The example under (px, py), within a few pixels, or -1.
  pick(vx, vy) {
    const h = this.hit;
    if (!h) return -1;
    const [px, py] = this.toBase(vx, vy);
    const R = Math.max(5, this.radius() + 3), cx = Math.floor(px / h.C), cy = Math.floor(py / h.C);
    let best = -1, bd = R * R;
    for (let y = cy - 1; y <= cy + 1; y++) {
      if (y < 0 || y >= h.rows) continue;
      for (let x = cx - 1; x <= cx + 1; x++) {
        if (x < 0 || x >= h.cols) continue;
        const c = y * h.cols + x;
        for (let k = h.start[c]; k < h.start[c + 1]; k++) {
          const i = h.items[k], dd = (this.ppx[i] - px) ** 2 + (this.ppy[i] - py) ** 2;
          if (dd <= bd) { bd = dd; best = i; }
        }
      }
    }
    return best;
  }

  frame() {
    if (!this.m || !this.view) return;
    const t0 = performance.now();
    this.dirty = false;
    LP.stats.draws = (LP.stats.draws || 0) + 1;
    if (this.needBase) this.drawBase();
    const d = this.d || {}, dpr = this.dpr, g = this.canvas.getContext("2d");
    g.setTransform(1, 0, 0, 1, 0, 0);
    // While panning or zooming, the base (drawn for baseView) is shifted and scaled instead of redrawn.
    const [ox, oy, kx, ky] = this.baseShift();
    if (ox || oy || kx !== 1 || ky !== 1) { g.fillStyle = "#fff"; g.fillRect(0, 0, this.canvas.width, this.canvas.height); }
    if (kx === 1 && ky === 1) g.drawImage(this.base, Math.round(ox * dpr), Math.round(oy * dpr));
    else g.drawImage(this.base, ox * dpr, oy * dpr, this.base.width * kx, this.base.height * ky);
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const big = d.presenter ? 1.4 : 1;
    if (d.rect) {
      const [x0, x1, y0, y1] = d.rect, [ax, ay] = this.toPx(x0, y1), [bx, by] = this.toPx(x1, y0);
      g.strokeStyle = "#333"; g.lineWidth = 2; g.setLineDash([8, 5]);
      g.strokeRect(ax, ay, bx - ax, by - ay); g.setLineDash([]);
    }
    if (d.marks) drawMarks(g, d.marks, (x, y) => this.toPx(x, y), big);
    // Over the dots and the draws' crosses (60 crosses hid a label whole), under the markers and cursors.
    drawClassLabels(this, g);
    (d.ab || []).forEach((p, i) => {
      if (!p) return;
      const [px, py] = this.toPx(p[0], p[1]);
      drawMarker(g, px, py, i, 12 * big, Math.round(14 * big));
    });
    const mk = this.pending ? this.pending.xy : d.marker;
    if (mk && !this.markersMode) {
      // The decoded z: a ring with a cross, white under black, visible on any background.
      const [px, py] = this.toPx(mk[0], mk[1]), R = 11 * big;
      for (const [w, c] of [[6, "#fff"], [3, "#000"]]) {
        g.lineWidth = w; g.strokeStyle = c;
        g.beginPath(); g.arc(px, py, R, 0, 2 * Math.PI); g.stroke();
        g.beginPath(); g.moveTo(px - 2 * R, py); g.lineTo(px - R / 2, py); g.moveTo(px + R / 2, py); g.lineTo(px + 2 * R, py);
        g.moveTo(px, py - 2 * R); g.lineTo(px, py - R / 2); g.moveTo(px, py + R / 2); g.lineTo(px, py + 2 * R); g.stroke();
      }
    }
    // `data.ellipses`: [cx, cy, rx, ry, angle] in plane units (a VAE's q(z|x) at 1σ, then 2σ
    // dashed), over the marker: a confident VAE's are smaller than its ring (lines thin out with
    // them). The plane's units are equally long on both axes; y points up, so angles turn the other way.
    (d.ellipses || []).forEach(([cx, cy, rx, ry, a], i) => {
      const [px, py] = this.toPx(cx, cy), s = this.W / (this.view[1] - this.view[0]);
      const R = Math.max(0.5, rx * s), r = Math.max(0.5, ry * s), t = Math.min(1, Math.max(0.35, r / 12));
      g.beginPath(); g.ellipse(px, py, R, r, -a, 0, 2 * Math.PI);
      g.setLineDash(i && R > 12 ? [7, 5] : []);
      for (const [w, c] of [[5 * big * t, "rgba(255,255,255,0.9)"], [2.2 * big * t, "#000"]]) { g.lineWidth = w; g.strokeStyle = c; g.stroke(); }
      g.setLineDash([]);
    });
    if (this.lasso) {
      const L = this.lasso.tool === "box" && this.lasso.pts.length > 1 ? boxCorners(...this.lasso.pts) : this.lasso.pts;
      g.beginPath();
      L.forEach(([x, y], k) => (k ? g.lineTo(x, y) : g.moveTo(x, y)));
      g.closePath();
      g.fillStyle = "rgba(0,0,0,0.06)"; g.fill();
      g.setLineDash([6, 4]); g.lineWidth = 2; g.strokeStyle = "#000"; g.stroke(); g.setLineDash([]);
    }
    if (this.linkedHover >= 0 && this.linkedHover < this.m.n) {
      // The example hovered on a linked plane: where the same x sits here, ringed so it cannot be missed.
      const i = this.linkedHover, [hx, hy] = this.toPx(this.m.pts[2 * i], this.m.pts[2 * i + 1]);
      for (const [w, c] of [[7, "#fff"], [3.5, VERMILLION]]) {
        g.lineWidth = w; g.strokeStyle = c;
        g.beginPath(); g.arc(hx, hy, this.radius() + 9 * big, 0, 2 * Math.PI); g.stroke();
      }
    }
    if (this.hover >= 0) {
      const i = this.hover, [hx, hy] = this.toPx(this.m.pts[2 * i], this.m.pts[2 * i + 1]);
      g.lineWidth = 2.5; g.strokeStyle = "#000";
      g.beginPath(); g.arc(hx, hy, this.radius() + 4, 0, 2 * Math.PI); g.stroke();
    }
    drawKeyCursor(this, g);
    if (this.markersMode && this.markers.length) {
      const ms = this.markers.slice(0, this.d.n_markers || 1).map((p) => this.toPx(p[0], p[1]));
      if (ms.length > 1) {
        g.strokeStyle = "#000"; g.setLineDash([6, 5]); g.lineWidth = 2;
        g.beginPath(); g.moveTo(ms[0][0], ms[0][1]); g.lineTo(ms[1][0], ms[1][1]); g.stroke();
        g.setLineDash([]);
      }
      ms.forEach(([px, py], i) => drawMarker(g, px, py, i, 13 * big, Math.round(15 * big)));
      if (this.dec) this.decodeAll();
      const w = this.win;
      if (!w.n) w.first = t0;
      w.last = t0;
      w.n += 1;
      LP.stats.frameMs += performance.now() - t0; // all of this frame's JS: decoding and drawing
    }
  }

  // ---- decoding

  // Markers mode, every frame: each marker's decoding, and the A → B strip.
  decodeAll() {
    LP.stats.frames += 1;
    if (this.newPointer) LP.stats.pointerFrames += 1;
    this.newPointer = false;
    const d = this.d;
    if (d.image_shape) {
      if ((d.n_markers || 1) > 1) {
        // The strip's two ends are A and B themselves: draw those into the big panels too, so a
        // frame costs strip_n decodes, not strip_n + 2.
        const g = this.strip.getContext("2d");
        const n = Math.max(2, d.strip_n || 9), [a, b] = this.markers;
        for (let s = 0; s < n; s++) {
          const t = s / (n - 1);
          const img = this.toImageData(forward(this.dec, this.toLatent([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])])));
          g.putImageData(img, s * img.width, 0);
          if (s === 0) this.decCanvases[0].getContext("2d").putImageData(img, 0, 0);
          if (s === n - 1) this.decCanvases[1].getContext("2d").putImageData(img, 0, 0);
        }
      } else {
        const x = forward(this.dec, this.toLatent(this.markers[0]));
        this.decCanvases[0].getContext("2d").putImageData(this.toImageData(x), 0, 0);
      }
    } else {
      this.drawPoints();
    }
  }

  // One decoded image -> its pixels, in one ImageData reused while the shape stays (putImageData
  // copies it out at once, so the inset and the panels can share it).
  toImageData(x, shape = this.d.image_shape) {
    const [, H, W] = shape;
    if (!this.img || this.img.width !== W || this.img.height !== H) this.img = new ImageData(W, H);
    return fillImage(this.img, x, shape);
  }

  // Point-cloud models: the decoded x-hat drawn in (a 2-D picture of) data space, over the data.
  drawPoints() {
    const d = this.m.data_space, cv = this.decCanvases[0], dpr = this.dpr;
    if (!d) return;
    const P = cv.width / dpr;
    const g = cv.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.fillStyle = "#fff"; g.fillRect(0, 0, P, P);
    const [x0, x1, y0, y1] = d.bounds;
    const tp = (p) => [(p[0] - x0) / (x1 - x0) * P, (1 - (p[1] - y0) / (y1 - y0)) * P];
    const proj = (x) => {
      const out = [0, 0];
      for (let r = 0; r < 2; r++) for (let j = 0; j < x.length; j++) out[r] += (x[j] - d.mean[j]) * d.basis[r][j];
      return out;
    };
    g.fillStyle = "#999"; g.globalAlpha = 0.6;
    for (let i = 0; i < d.points.length / 2; i++) {
      const [px, py] = tp([d.points[2 * i], d.points[2 * i + 1]]);
      g.beginPath(); g.arc(px, py, 2, 0, 2 * Math.PI); g.fill();
    }
    g.globalAlpha = 1;
    const nm = this.d.n_markers || 1;
    if (nm > 1) {
      const [a, b] = this.markers, n = 40;
      g.strokeStyle = "#0072B2"; g.lineWidth = 3; g.beginPath();
      for (let s = 0; s < n; s++) {
        const t = s / (n - 1);
        const [px, py] = tp(proj(forward(this.dec, this.toLatent([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]))));
        if (s === 0) g.moveTo(px, py); else g.lineTo(px, py);
      }
      g.stroke();
    }
    for (let i = 0; i < nm; i++) {
      const [px, py] = tp(proj(forward(this.dec, this.toLatent(this.markers[i]))));
      drawMarker(g, px, py, i, 9, 11);
    }
    g.fillStyle = "#222"; g.font = "13px sans-serif";
    g.fillText("decoded x̂ = g(z) in data space", 6, 16);
  }

  // Click mode: g(z) at plane point p, decoded here and drawn in the inset at once. Returns false
  // where the browser cannot decode (no exported decoder, a UMAP plane, a point-cloud model).
  decodeInset(p, caption) {
    const m = this.m, shape = this.d.image_shape || (m && m.image_shape);
    if (!this.dec || !m || !m.linear_map || !shape) return false;
    const x = forward(this.dec, this.toLatent(p));
    this.insetPoint = p.slice(); // the plane point now shown (for tests)
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
    LP.insetAt = performance.now();
    // When it is on screen: the frame after this one has been drawn (bench/click_latency.py).
    requestAnimationFrame(() => setTimeout(() => { LP.insetShownAt = performance.now(); }, 0));
    return true;
  }

  // ---- pointer

  bindPointer() {
    const cv = this.canvas;
    const pos = (e) => { const r = cv.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
    const inside = ([px, py]) => [Math.min(this.W, Math.max(0, px)), Math.min(this.H, Math.max(0, py))];
    cv.addEventListener("pointerdown", (e) => {
      if (!this.m || !this.view || e.button !== 0) return;
      const p = pos(e);
      if (this.markersMode) {
        if (!this.ready || !this.markers.length) return;
        // Grab the nearest marker; a click far from all markers moves the nearest one there.
        let best = 0, bd = Infinity;
        for (let i = 0; i < (this.d.n_markers || 1); i++) {
          const [mx, my] = this.toPx(this.markers[i][0], this.markers[i][1]);
          const dd = (mx - p[0]) ** 2 + (my - p[1]) ** 2;
          if (dd < bd) { bd = dd; best = i; }
        }
        this.dragging = this.gliding = best;
        this.target = this.fromPx(...inside(p));
        this.newPointer = true;
        this.hideTip();
        e.preventDefault();
      } else if (this.tool !== "pan") {
        if (this.baseTimer || this.needBase) { clearTimeout(this.baseTimer); this.baseTimer = null; this.drawBase(); }
        this.lasso = { tool: this.tool, pts: [p] }; // a selection being drawn, in canvas pixels
        this.hideTip();
      } else {
        this.down = { p, view: this.view.slice(), panned: false };
      }
      cv.setPointerCapture(e.pointerId);
    });
    cv.addEventListener("pointermove", (e) => {
      if (!this.m || !this.view) return;
      const [px, py] = pos(e);
      if (this.dragging >= 0) {
        // The rAF loop moves the marker and decodes, at most once per frame however fast the mouse.
        this.target = this.fromPx(...inside([px, py]));
        this.gliding = this.dragging;
        this.newPointer = true;
        return;
      }
      if (this.lasso) {
        const L = this.lasso.pts, last = L[L.length - 1];
        if (this.lasso.tool === "box") L[1] = [px, py];
        else if (Math.hypot(px - last[0], py - last[1]) >= 2) L.push([px, py]);
        this.dirty = true;
        return;
      }
      if (this.down) {
        const [qx, qy] = this.down.p;
        if (!this.down.panned && Math.hypot(px - qx, py - qy) < 5) return; // still a click
        this.down.panned = true;
        const v = this.down.view, ux = (v[1] - v[0]) / this.W, uy = (v[3] - v[2]) / this.H;
        this.view = [v[0] - (px - qx) * ux, v[1] - (px - qx) * ux, v[2] + (py - qy) * uy, v[3] + (py - qy) * uy];
        this.hideTip();
        this.dirty = true;
        return;
      }
      if (this.markersMode) return; // the drag page's plane is for dragging: no tooltips over it
      const i = this.pick(px, py);
      if (i !== this.hover) { this.hover = i; this.dirty = true; this.tellLinked(i); }
      this.showTip(i, px, py);
      if (i < 0 && this.d.preview && !this.markersMode) this.decodeInset(this.fromPx(px, py), "g(z) under the cursor");
    });
    const end = (e) => {
      try { cv.releasePointerCapture(e.pointerId); } catch (_) { /* already released */ }
      if (this.dragging >= 0) { this.release(); return; }
      if (this.lasso) { this.finishLasso(e.type === "pointerup" ? pos(e) : null); return; }
      if (!this.down) return;
      const dn = this.down;
      this.down = null;
      if (dn.panned) { this.needBase = true; this.dirty = true; return; } // redraw the base at the new view
      if (e.type !== "pointerup") return;
      const [px, py] = pos(e);
      this.click(px, py);
    };
    cv.addEventListener("pointerup", end);
    cv.addEventListener("pointercancel", end);
    cv.addEventListener("pointerleave", () => {
      if (this.down || this.dragging >= 0) return;
      this.hover = -1; this.hideTip(); this.dirty = true; this.tellLinked(-1);
    });
    cv.addEventListener("dblclick", (e) => { e.preventDefault(); this.resetView(); });
    cv.addEventListener("wheel", (e) => {
      if (!this.m || !this.view) return;
      e.preventDefault(); // zoom the plane, not the page
      const [px, py] = pos(e), [x, y] = this.fromPx(px, py), f = Math.exp(Math.max(-0.5, Math.min(0.5, e.deltaY * 0.0015)));
      const v = this.view;
      this.view = [x - (x - v[0]) * f, x + (v[1] - x) * f, y - (y - v[2]) * f, y + (v[3] - y) * f];
      this.requestBase();
    }, { passive: false });
  }

  hideTip() {
    this.hover = -1;
    this.tip.style.display = "none";
  }

  showTip(i, px, py) {
    const m = this.m;
    if (i < 0) { this.tip.style.display = "none"; return; }
    this.tipText.textContent = `${m.class_names[m.lab[i]] ?? m.lab[i]} · #${i}`;
    const shape = m.image_shape;
    if (shape && m.images_url) {
      this.tipImg.style.display = "";
      loadImages(m.images_url).then((imgs) => { if (this.hover === i) this.drawTipImage(imgs, i, shape); })
        .catch(() => { this.tipImg.style.display = "none"; });
    } else {
      this.tipImg.style.display = "none";
    }
    this.tip.style.display = "block";
    const tw = this.tip.offsetWidth || 120, th = this.tip.offsetHeight || 120;
    this.tip.style.left = Math.min(px + 16, this.W - tw - 4) + "px";
    this.tip.style.top = (py - th - 12 > 0 ? py - th - 12 : py + 16) + "px";
  }

  drawTipImage(imgs, i, shape) {
    const [C, H, W] = shape, D = C * H * W, cv = this.tipImg, S = (this.d && this.d.presenter) ? 112 : 84;
    const small = this.tipSmall || (this.tipSmall = document.createElement("canvas"));
    small.width = W; small.height = H;
    const sg = small.getContext("2d");
    sg.putImageData(fillImage(sg.createImageData(W, H), imgs.subarray(i * D, (i + 1) * D), shape, 1), 0, 0);
    cv.style.width = cv.style.height = S + "px";
    cv.width = cv.height = S;
    const g = cv.getContext("2d");
    g.imageSmoothingEnabled = false; // nearest-neighbour: an 8×8 digit stays crisp
    g.drawImage(small, 0, 0, S, S * H / W);
  }

  // Click mode: a click anywhere. The marker is drawn now, g(z) too where this browser can decode
  // it; Python's answer (the panel beside the plane) follows.
  click(px, py) {
    const t0 = performance.now();
    const [x, y] = this.fromPx(px, py);
    const index = this.pick(px, py);
    this.seq += 1;
    LP.stats.clicks += 1;
    LP.lastClickAt = t0;
    const xy = index >= 0 ? [this.m.pts[2 * index], this.m.pts[2 * index + 1]] : [x, y];
    this.pending = { xy, seq: this.seq };
    this.dirty = true;
    // Exact where the plane is the latent space itself (k ≤ 2); a PCA view decodes its inverse map.
    const exact = this.m.linear_map && this.m.linear_map.mean.length <= 2;
    const caption = !exact ? "g(z) here (PCA inverse), decoded in your browser"
      : index >= 0 ? `x̂ of #${index}, decoded in your browser` : "g(z) here, decoded in your browser";
    if (this.decodeInset(xy, caption)) {
      LP.stats.instant += 1;
      LP.stats.instantMs += performance.now() - t0;
      this.inset.dataset.seq = String(this.seq);
    }
    if (this.setStateValue && !this.d.local) { // data.local: the page has no panel to answer a click
      this.setStateValue("click", { x: +x.toFixed(6), y: +y.toFixed(6), index, seq: this.seq, nonce: this.nonce,
        url: this.d.url });
    }
  }

  // `data.link`: planes of the same split under different models share a link name; hovering an
  // example here rings the same example on the others (their point i is this plane's point i).
  tellLinked(i) {
    const link = this.d && this.d.link;
    if (!link || !this.m) return;
    for (const other of LP.instances) {
      if (other === this || other.dead || !other.d || other.d.link !== link || !other.m || other.m.n !== this.m.n) continue;
      if (other.linkedHover !== i) { other.linkedHover = i; other.dirty = true; }
    }
  }

  // The plane as a PNG at twice its size on screen (a slide's resolution), downloaded: the same
  // drawing code (class labels included when they are on), run once into an offscreen canvas at a
  // pixel ratio of 2, with a legend drawn under it.
  exportPng() {
    if (!this.m || !this.view) return;
    const saved = { canvas: this.canvas, dpr: this.dpr, base: this.base, baseView: this.baseView };
    const off = document.createElement("canvas");
    off.width = 2 * this.W; off.height = 2 * this.H;
    try {
      Object.assign(this, { canvas: off, dpr: 2, base: null });
      this.drawBase();
      this.frame();
    } finally {
      Object.assign(this, saved);
      this.needBase = true; this.dirty = true; // the hit grid and the base again at screen resolution
    }
    // The legend under the plane (legendCanvas): a slide made from the PNG reads without the app.
    const { canvas: out, items } = legendCanvas(this, off, 2);
    LP.lastExport = { width: out.width, height: out.height, planeWidth: off.width, planeHeight: off.height,
      cssWidth: this.W, cssHeight: this.H, legend: items, labels: (this.drawnLabels || []).map((l) => l.name) };
    out.toBlob((blob) => {
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "latent-plane.png";
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    }, "image/png");
  }

  // ---- selection (click mode with data.select)

  setTool(tool) {
    this.tool = tool;
    this.tools.querySelectorAll("[data-tool]").forEach((b) => b.classList.toggle("on", b.dataset.tool === tool));
    this.canvas.style.cursor = tool === "pan" ? "" : "cell";
  }

  // The lasso (or box) is let go: select what it encloses. A tiny one is a click.
  finishLasso(at) {
    const L = this.lasso;
    this.lasso = null;
    this.dirty = true;
    if (!at) return; // cancelled
    let poly = L.tool === "box" ? boxCorners(L.pts[0], at) : L.pts.concat([at]);
    const xs = poly.map((p) => p[0]), ys = poly.map((p) => p[1]);
    if (Math.max(...xs) - Math.min(...xs) < 4 && Math.max(...ys) - Math.min(...ys) < 4) { this.click(...at); return; }
    this.setSelection(this.selectIn(poly), poly.map(([px, py]) => this.fromPx(px, py)));
  }

  // Indices of the shown points inside polygon `poly` (canvas pixels): only the hit grid's cells
  // under the polygon's bounding box are tested (even-odd rule), not every point.
  selectIn(poly) {
    const h = this.hit, out = [];
    if (!h) return out;
    const xs = poly.map((p) => p[0]), ys = poly.map((p) => p[1]);
    const c0 = Math.max(0, Math.floor(Math.min(...xs) / h.C)), c1 = Math.min(h.cols - 1, Math.floor(Math.max(...xs) / h.C));
    const r0 = Math.max(0, Math.floor(Math.min(...ys) / h.C)), r1 = Math.min(h.rows - 1, Math.floor(Math.max(...ys) / h.C));
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const cell = r * h.cols + c;
        for (let k = h.start[cell]; k < h.start[cell + 1]; k++) {
          const i = h.items[k];
          if (insidePolygon(this.ppx[i], this.ppy[i], poly)) out.push(i);
        }
      }
    }
    return out.sort((a, b) => a - b);
  }

  // Select `idx` (point indices; null: nothing) and tell Python, with the polygon in plane units.
  setSelection(idx, polygon, opts = {}) {
    const n = this.m ? this.m.n : 0;
    this.selFromPython = !!opts.quiet;
    this.polygon = polygon; // for tests: the last lasso, in plane units
    this.selIdx = idx && idx.length ? Int32Array.from(idx) : null;
    this.selMask = null;
    if (this.selIdx) {
      this.selMask = new Uint8Array(n);
      for (const i of this.selIdx) this.selMask[i] = 1;
    }
    this.selCount.textContent = this.selIdx ? `${this.selIdx.length.toLocaleString("en")} ${opts.label || "selected"}` : "";
    this.needBase = true; this.dirty = true;
    this.selSeq = (this.selSeq || 0) + 1;
    if (this.setStateValue && !opts.quiet) {
      const cls = opts.cls === undefined ? null : opts.cls;
      this.setStateValue("selection", this.selIdx ? { indices: Array.from(this.selIdx), polygon: polygon || null,
        cls, seq: this.selSeq, nonce: this.nonce, url: this.d.url } : { indices: [], polygon: null, cls: null,
        seq: this.selSeq, nonce: this.nonce, url: this.d.url });
    }
  }

  // The shown points that are not selected (a hidden class stays out).
  invertSelection() {
    if (!this.m) return;
    const m = this.m, out = [];
    for (let i = 0; i < m.n; i++) {
      if ((this.selMask && this.selMask[i]) || (this.hidden.size && this.hidden.has(m.lab[i]))) continue;
      out.push(i);
    }
    this.setSelection(out, null);
  }

  // ---- markers mode: glide, release, the channel

  // One animation frame of the glide (see GLIDE_MS); `now` is the frame's timestamp.
  glide(now) {
    const dt = Math.min(50, Math.max(0, now - (this.lastNow || now)));
    this.lastNow = now;
    const i = this.gliding;
    if (i < 0 || !this.target || !this.markers || !this.view) return;
    const tau = LP.glideMs === undefined ? (reducedMotion() ? 0 : GLIDE_MS) : LP.glideMs;
    const f = tau > 0 ? 1 - Math.exp(-dt / tau) : 1;
    const m = this.markers[i], t = this.target;
    let p = [m[0] + f * (t[0] - m[0]), m[1] + f * (t[1] - m[1])];
    const [ax, ay] = this.toPx(p[0], p[1]), [bx, by] = this.toPx(t[0], t[1]);
    if (Math.hypot(bx - ax, by - ay) < 0.25) { p = t; this.gliding = -1; } // within a quarter pixel: arrived
    this.markers[i] = p;
    this.dirty = true;
  }

  release() {
    if (this.gliding >= 0) { // land exactly where the pointer was let go
      this.markers[this.gliding] = this.target;
      this.gliding = -1;
      this.dirty = true;
    }
    this.dragging = -1;
    this.send();
    // Belt and braces: a busy server can drop a rerun; confirm the final position once more unless
    // Python echoed it (data.ack), so Python always ends where the mouse did.
    clearTimeout(this.confirm);
    this.confirm = setTimeout(() => { if (this.dragging < 0 && this.acked < this.seq) this.send(true); }, 1500);
  }

  rounded() {
    return this.markers.map((m) => [+m[0].toFixed(5), +m[1].toFixed(5)]);
  }

  // On release: the positions as component state (a rerun of the page's fragment).
  send(force = false) {
    const ms = this.rounded();
    const key = JSON.stringify(ms);
    if ((key === this.sentKey && !force) || !this.setStateValue) return;
    this.sentKey = key;
    this.seq += 1;
    this.setStateValue("pos", { markers: ms, seq: this.seq, sig: this.d.sig });
  }

  // During a drag: the positions to the channel; its answer is the readouts' HTML for them.
  postFollow() {
    const ms = this.rounded();
    const key = JSON.stringify(ms);
    if (key === this.followKey) return;
    const d = this.d;
    const seq = (this.followSeq += 1);
    const t0 = performance.now();
    this.followKey = key;
    this.followAt = this.inFlight = t0;
    LP.stats.posts += 1;
    fetch(d.follow_url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: d.follow_token, markers: ms, seq }),
      credentials: "same-origin",
      cache: "no-store",
    })
      .then((r) => r.json().then((j) => {
        if (r.status === 404) this.followGone = d.follow_token; // server restarted: wait for a rerun's new token
        return r.ok ? j : Promise.reject(new Error(j.error || "HTTP " + r.status));
      }))
      .then((res) => {
        LP.stats.follows += 1;
        LP.stats.followMs += performance.now() - t0;
        // Only the newest answer, and only mid-drag: after the release Python's rerun has the last word.
        if (this.dragging >= 0 && res.seq === this.followSeq) this.showFollow(res.html);
      })
      .catch((e) => {
        LP.stats.followErrors += 1;
        LP.lastFollowError = String(e && e.message);
      })
      .finally(() => { if (seq === this.followSeq) this.inFlight = 0; });
  }

  showFollow(html) {
    if (typeof html !== "string" || html === this.followShown) return;
    this.followShown = html;
    this.follow.innerHTML = html; // Python's own HTML (escaped there), from this app's server only
  }

  showStatus() {
    if (!this.markersMode) return;
    // Frames per second while the marker moves: over the span of the frames drawn since the last
    // line, so a pointer held still mid-drag does not read as a slow plane.
    const w = this.win;
    if (w.n >= 3 && w.last > w.first) this.shownFps = (1000 * (w.n - 1)) / (w.last - w.first);
    this.win = { n: 0, first: 0, last: 0 };
    if (!this.dec) { this.status.textContent = ""; return; }
    const per = LP.stats.decodes ? LP.stats.decodeMs / LP.stats.decodes : 0;
    this.status.textContent = `Decoded in your browser (${this.dec.kernel}): ${per.toFixed(2)} ms per image` +
      (this.dragging >= 0 && this.shownFps ? ` · ${this.shownFps.toFixed(0)} frames/s` : "");
  }

  // ---- for tests and benches

  // Page coordinates of the plane point (x, y), of example i, of marker i.
  clientXY(x, y) {
    const r = this.canvas.getBoundingClientRect(), [px, py] = this.toPx(x, y);
    return [r.left + px, r.top + py];
  }
  pointClientXY(i) { return this.clientXY(this.m.pts[2 * i], this.m.pts[2 * i + 1]); }
  markerClientXY(i) { return this.clientXY(this.markers[i][0], this.markers[i][1]); }
  // Marker i's decoding (through the plane's linear map), exactly as drawn.
  decodeMarker(i) {
    return { z: Array.from(this.toLatent(this.markers[i])), x: Array.from(forward(this.dec, this.toLatent(this.markers[i]))) };
  }
  pixelSum(c) {
    const a = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let s = 0;
    for (let j = 0; j < a.length; j += 4) s += a[j] * (j + 1);
    return s;
  }
  imageSum(i) { return this.pixelSum(this.decCanvases[i]); }
  stripSum() { return this.pixelSum(this.strip); }
  // The inset's decoded image, one grey level (0-255) per pixel, row-major.
  insetGrey() {
    const c = this.insetImg, a = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    return Array.from({ length: a.length / 4 }, (_, i) => a[4 * i]);
  }
}

export default (component) => mountInstance(component, "llplane", LP, (root) => new Plane(root));
