// The latent plane's drawing: the static layer (shading, grid, points by sprites, WebGL or raster,
// the "extrapolating" line, axis titles), drawn once per view into an offscreen canvas, and each
// frame's overlays over it (the decoded z, A and B, marks, ellipses, the lasso, hover rings, labels).
// Functions of the plane (plane.js's Plane); the coordinates and hit grid they use are view.js's.

import { niceTicks, softwareGL } from "../shared.js";
import { LP, VERMILLION, RASTER_MIN_POINTS } from "./state.js";
import { boxCorners } from "./geometry.js";
import { drawKeyCursor } from "./keyboard.js";
import { drawClassLabels } from "./legend.js";
import { decodeAll } from "./markers.js";

/** @typedef {import("./plane.js").Plane} Plane */

// The density grid as a small image (row 0 = the bottom), drawn scaled under the points.
export function densityCanvas(m) {
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
export function fillImage(img, x, [C, H, W], scale = 255) {
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
export function drawMarker(g, px, py, i, r, font) {
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
export function drawMarks(g, marks, toPx, big) {
  const r = 5.5 * big;
  (marks.xy || []).forEach(([x, y], i) => {
    const [px, py] = toPx(x, y), low = marks.low && marks.low[i];
    for (const [w, c] of /** @type {[number, string][]} */ ([[5 * big, "#fff"], [2.2 * big, low ? VERMILLION : "#000"]])) {
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
export function makeGlPoints(m) {
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

/** @param {Plane} plane */
export function sprite(plane, color, r) {
  // One pre-drawn dot per class: 60,000 drawImage calls are several times cheaper than 60,000 arcs.
  const dpr = plane.dpr, size = Math.ceil(2 * r * dpr) + 2;
  const c = document.createElement("canvas");
  c.width = c.height = size;
  const g = c.getContext("2d");
  g.fillStyle = color;
  g.beginPath(); g.arc(size / 2, size / 2, r * dpr, 0, 2 * Math.PI); g.fill();
  return c;
}

// Everything that does not follow the mouse, drawn once per view into an offscreen canvas:
// density shading, grid, points, the "extrapolating" contour, axis titles.
/** @param {Plane} plane */
export function drawBase(plane) {
  const t0 = performance.now();
  const m = plane.m, d = plane.d || {}, W = plane.W, H = plane.H, dpr = plane.dpr;
  const base = (plane.base = plane.base || document.createElement("canvas"));
  base.width = Math.round(W * dpr); base.height = Math.round(H * dpr);
  plane.baseView = plane.view.slice();
  // A CPU canvas, always: copying a WebGL canvas into it would otherwise move it to the GPU, and
  // in software WebGL every pan frame's copy of it then went through SwiftShader (pan at a
  // million points: 31 frames/s before, 60 after).
  const g = base.getContext("2d", { willReadFrequently: true });
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.fillStyle = "#ffffff"; g.fillRect(0, 0, W, H);
  const fs = d.presenter ? 17 : 13;
  // Markers mode always shades: where codes are dense is what a dragged marker is about.
  if ((d.shade || plane.markersMode) && m.dens) {
    const n = m.density_n, [bx0, bx1, by0, by1] = m.bounds;
    const hx = (bx1 - bx0) / (n - 1) / 2, hy = (by1 - by0) / (n - 1) / 2;
    const [ax, ay] = plane.toPx(bx0 - hx, by1 + hy), [bx, by] = plane.toPx(bx1 + hx, by0 - hy);
    g.imageSmoothingEnabled = true; // the density is smooth by construction: blur is honest here
    g.drawImage(densityCanvas(m), ax, ay, bx - ax, by - ay);
  }
  const v = plane.view;
  g.strokeStyle = "rgba(0,0,0,0.09)"; g.fillStyle = "#555"; g.font = `${fs}px sans-serif`; g.lineWidth = 1;
  for (const t of niceTicks(v[0], v[1], 7)) {
    const [px] = plane.toPx(t, 0);
    g.beginPath(); g.moveTo(px, 0); g.lineTo(px, H); g.stroke();
    if (px > 4 && px < W - 90) g.fillText(String(t), px + 3, H - 5);
  }
  for (const t of niceTicks(v[2], v[3], 7)) {
    const [, py] = plane.toPx(0, t);
    g.beginPath(); g.moveTo(0, py); g.lineTo(W, py); g.stroke();
    if (py > fs + 22 && py < H - fs - 6) g.fillText(String(t), 4, py - 3);
  }
  const n = m.n, pts = m.pts, lab = m.lab;
  const ppx = (plane.ppx = new Float32Array(n)), ppy = (plane.ppy = new Float32Array(n));
  const sx = W / (v[1] - v[0]), sy = H / (v[3] - v[2]);
  const hidden = plane.hidden;
  for (let i = 0; i < n; i++) {
    ppx[i] = hidden.size && hidden.has(lab[i]) ? NaN : (pts[2 * i] - v[0]) * sx;
    ppy[i] = (v[3] - pts[2 * i + 1]) * sy;
  }
  if (n <= RASTER_MIN_POINTS) spritePoints(plane, g);
  else if (!(useGl(plane) && glPoints(plane, g))) rasterPoints(plane, g); // WebGL, else the canvas
  plane.canvas.dataset.renderer = n <= RASTER_MIN_POINTS ? "sprites" : plane.gl ? "webgl" : "raster";
  g.globalAlpha = 1;
  if (d.shade && m.contour && m.contour.length) {
    // Solid: the iso-line is thousands of tiny segments, on which a dash pattern would restart.
    g.strokeStyle = VERMILLION; g.lineWidth = d.presenter ? 3 : 2;
    g.beginPath();
    for (const [xa, ya, xb, yb] of m.contour) {
      const [pa, qa] = plane.toPx(xa, ya), [pb, qb] = plane.toPx(xb, yb);
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
  plane.buildHitGrid();
  plane.needBase = false;
  plane.canvas.dataset.ready = "1";
  plane.canvas.dataset.points = String(n);
  plane.lastBaseMs = performance.now() - t0;
  LP.stats.baseDraws += 1;
  LP.stats.baseMs += plane.lastBaseMs;
}

// Up to RASTER_MIN_POINTS: a pre-drawn dot per point, in a shuffled order (no class always on top).
/** @param {Plane} plane */
export function spritePoints(plane, g) {
  const m = plane.m, W = plane.W, H = plane.H, dpr = plane.dpr, ppx = plane.ppx, ppy = plane.ppy;
  const r = plane.radius(), alpha = m.n > 20000 ? 0.6 : 0.8;
  const sprites = m.palette.map((c) => sprite(plane, c, r));
  const sz = sprites[0].width / dpr, off = sz / 2, sel = plane.selMask, order = m.order, lab = m.lab;
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
/** @param {Plane} plane */
export function useGl(plane) {
  const r = (plane.d && plane.d.renderer) || "auto";
  return r === "webgl" || (r === "auto" && !softwareGL());
}

/** @param {Plane} plane */
export function glPoints(plane, g) {
  const m = plane.m, d = plane.d, dpr = plane.dpr, PW = Math.round(plane.W * dpr), PH = Math.round(plane.H * dpr);
  let G = plane.gl;
  if (G === false) return false;
  if (!G || G.m !== m) {
    G = plane.gl = makeGlPoints(m);
    if (!G) { plane.gl = false; return false; }
  }
  const gl = G.gl, c = G.canvas;
  if (c.width !== PW || c.height !== PH) { c.width = PW; c.height = PH; }
  // Per point (in drawing order): 0 = not drawn (a hidden class), else its opacity.
  const key = [...plane.hidden].join(",") + "|" + (plane.selIdx ? plane.selSeq : "");
  if (key !== G.weightKey) {
    G.weightKey = key;
    const w = G.weights, sel = plane.selMask, order = m.order, lab = m.lab, hidden = plane.hidden;
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
  const v = plane.view;
  gl.uniform4f(G.uView, v[0], v[1], v[2], v[3]);
  gl.uniform1f(G.uSize, Math.max(2, 2.4 * dpr * (d.presenter ? 1.3 : 1)));
  gl.drawArrays(gl.POINTS, 0, m.n);
  if (gl.getError() !== gl.NO_ERROR) { plane.gl = false; return false; }
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
/** @param {Plane} plane */
export function rasterPoints(plane, g) {
  const m = plane.m, dpr = plane.dpr, PW = Math.round(plane.W * dpr), PH = Math.round(plane.H * dpr);
  const ppx = plane.ppx, ppy = plane.ppy, lab = m.lab, sel = plane.selMask;
  const rgb = m.palette.map((c) => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16)));
  // Per pixel: weight, and weighted r, g, b; kept between redraws (4 floats a pixel: ~25 MB at 1600 × 1000).
  const N = PW * PH;
  const acc = (plane.acc = plane.acc && plane.acc.length === 4 * N ? plane.acc.fill(0) : new Float32Array(4 * N));
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

/** @param {Plane} plane */
export function drawFrame(plane) {
  if (!plane.m || !plane.view) return;
  const t0 = performance.now();
  plane.dirty = false;
  LP.stats.draws = (LP.stats.draws || 0) + 1;
  if (plane.needBase) plane.drawBase();
  const d = plane.d || {}, dpr = plane.dpr, g = plane.canvas.getContext("2d");
  g.setTransform(1, 0, 0, 1, 0, 0);
  // While panning or zooming, the base (drawn for baseView) is shifted and scaled instead of redrawn.
  const [ox, oy, kx, ky] = plane.baseShift();
  if (ox || oy || kx !== 1 || ky !== 1) { g.fillStyle = "#fff"; g.fillRect(0, 0, plane.canvas.width, plane.canvas.height); }
  if (kx === 1 && ky === 1) g.drawImage(plane.base, Math.round(ox * dpr), Math.round(oy * dpr));
  else {
    // A zoom waiting for its redraw (requestBase): the picture drawn before, scaled, at once.
    g.drawImage(plane.base, ox * dpr, oy * dpr, plane.base.width * kx, plane.base.height * ky);
    LP.stats.scaledFrames += 1;
  }
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  const big = d.presenter ? 1.4 : 1;
  if (d.rect) {
    const [x0, x1, y0, y1] = d.rect, [ax, ay] = plane.toPx(x0, y1), [bx, by] = plane.toPx(x1, y0);
    g.strokeStyle = "#333"; g.lineWidth = 2; g.setLineDash([8, 5]);
    g.strokeRect(ax, ay, bx - ax, by - ay); g.setLineDash([]);
  }
  if (d.marks) drawMarks(g, d.marks, (x, y) => plane.toPx(x, y), big);
  // Over the dots and the draws' crosses (60 crosses hid a label whole), under the markers and cursors.
  drawClassLabels(plane, g);
  (d.ab || []).forEach((p, i) => {
    if (!p) return;
    const [px, py] = plane.toPx(p[0], p[1]);
    drawMarker(g, px, py, i, 12 * big, Math.round(14 * big));
  });
  const mk = plane.pending ? plane.pending.xy : d.marker;
  if (mk && !plane.markersMode) {
    // The decoded z: a ring with a cross, white under black, visible on any background.
    const [px, py] = plane.toPx(mk[0], mk[1]), R = 11 * big;
    for (const [w, c] of /** @type {[number, string][]} */ ([[6, "#fff"], [3, "#000"]])) {
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
    const [px, py] = plane.toPx(cx, cy), s = plane.W / (plane.view[1] - plane.view[0]);
    const R = Math.max(0.5, rx * s), r = Math.max(0.5, ry * s), t = Math.min(1, Math.max(0.35, r / 12));
    g.beginPath(); g.ellipse(px, py, R, r, -a, 0, 2 * Math.PI);
    g.setLineDash(i && R > 12 ? [7, 5] : []);
    for (const [w, c] of /** @type {[number, string][]} */ ([[5 * big * t, "rgba(255,255,255,0.9)"], [2.2 * big * t, "#000"]])) { g.lineWidth = w; g.strokeStyle = c; g.stroke(); }
    g.setLineDash([]);
  });
  if (plane.lasso) {
    const L = plane.lasso.tool === "box" && plane.lasso.pts.length > 1 ? boxCorners(...plane.lasso.pts) : plane.lasso.pts;
    g.beginPath();
    L.forEach(([x, y], k) => (k ? g.lineTo(x, y) : g.moveTo(x, y)));
    g.closePath();
    g.fillStyle = "rgba(0,0,0,0.06)"; g.fill();
    g.setLineDash([6, 4]); g.lineWidth = 2; g.strokeStyle = "#000"; g.stroke(); g.setLineDash([]);
  }
  if (plane.linkedHover >= 0 && plane.linkedHover < plane.m.n) {
    // The example hovered on a linked plane: where the same x sits here, ringed so it cannot be missed.
    const i = plane.linkedHover, [hx, hy] = plane.toPx(plane.m.pts[2 * i], plane.m.pts[2 * i + 1]);
    for (const [w, c] of /** @type {[number, string][]} */ ([[7, "#fff"], [3.5, VERMILLION]])) {
      g.lineWidth = w; g.strokeStyle = c;
      g.beginPath(); g.arc(hx, hy, plane.radius() + 9 * big, 0, 2 * Math.PI); g.stroke();
    }
  }
  if (plane.hover >= 0) {
    const i = plane.hover, [hx, hy] = plane.toPx(plane.m.pts[2 * i], plane.m.pts[2 * i + 1]);
    g.lineWidth = 2.5; g.strokeStyle = "#000";
    g.beginPath(); g.arc(hx, hy, plane.radius() + 4, 0, 2 * Math.PI); g.stroke();
  }
  drawKeyCursor(plane, g);
  if (plane.markersMode && plane.markers.length) {
    const ms = plane.markers.slice(0, plane.d.n_markers || 1).map((p) => plane.toPx(p[0], p[1]));
    if (ms.length > 1) {
      g.strokeStyle = "#000"; g.setLineDash([6, 5]); g.lineWidth = 2;
      g.beginPath(); g.moveTo(ms[0][0], ms[0][1]); g.lineTo(ms[1][0], ms[1][1]); g.stroke();
      g.setLineDash([]);
    }
    ms.forEach(([px, py], i) => drawMarker(g, px, py, i, 13 * big, Math.round(15 * big)));
    if (plane.dec) decodeAll(plane);
    const w = plane.win;
    if (!w.n) w.first = t0;
    w.last = t0;
    w.n += 1;
    LP.stats.frameMs += performance.now() - t0; // all of this frame's JS: decoding and drawing
  }
}
