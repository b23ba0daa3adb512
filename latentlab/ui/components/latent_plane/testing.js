// The latent plane's test interface: what browser tests and benchmarks may read and do, and nothing
// else (labtools/plane_probe.py wraps it for Python; no test reaches into a plane's fields). It lives
// at window.__llplane.test. A plane is chosen by `which`:
//   undefined / "last"    the plane mounted or updated last (one plane on the page: that one)
//   {link, live, marks, url, ready, decoder}   the connected planes whose info matches every given
//                         field (true/false for live, marks, ready, decoder); list calls return all
//                         of them in page order (left to right, then top to bottom), one-plane calls
//                         the first.
//
// info(which) -> a snapshot (plain JSON), the only state tests assert on:
//   url        the plane file asked for (data.url); file: the one now drawn (a live plane lags)
//   ready      its points are drawn on screen (canvas data-ready = 1)
//   decoder    the browser decoder's kernel ("WebAssembly SIMD" or "JavaScript"), or null before one
//   mode       "click" or "markers"; n: points; bounds: [x0, x1, y0, y1] of the plane file
//   link, live    as Python passed them; marker: Python's decoded z on the plane (click mode)
//   marks      Python's overlaid draws {xy, low} or null
//   markers    markers mode: [[x, y], ...] now; dragging: the marker held, or -1
//   selection  selected point indices (sorted) or null; polygon: the last lasso (plane units) or null
//   inset      the plane point the corner inset decoded last, or null
//   tipImage   the hover tooltip's image width (px), 0 without one
//   box        the canvas on the page: [left, top, width, height] (CSS px)
//   baseScale  >1 while a zoom shows the old picture scaled, 1 once redrawn
//   labels     the class names written on the plane ("Labels" on), in drawing order
// labelsAt(which) -> [{name, x, y}]: each written name's centre in the canvas (CSS px).
// infos(which) -> info of every matching plane, in page order.
// clientXY(x, y, which), pointXY(i, which), markerXY(i, which) -> [x, y] page coordinates of a plane
//   point, of example i, of marker i. toPx(x, y, which) -> [x, y] in the canvas (CSS px).
// imageSum(i), stripSum() -> a checksum of decoded panel i's pixels, of the A → B strip's (markers).
// insetGrey(which) -> the inset's decoded image, one grey level (0-255) per pixel, row-major.
// insetDecoded(which) -> {z, x}: the code and the decoding (floats) the inset shows last, or null.
// decodeMarker(i) -> {z, x}: marker i's code and its decoding, exactly as drawn.
// decodeWith(manifest, zs, {simd}) -> {kernel, x}: codes decoded by the plane's own decoder code
//   (simd false: the plain-JavaScript path).
// stats() -> a copy of the counters (plane.js's LP.stats: draws, baseDraws, clicks, frames, follows…).
// timing() -> {lastClickAt, insetAt, insetShownAt} (performance.now() ms; 0 before any);
//   resetTiming() zeroes them. lastExport() -> what the last "PNG ×2" drew (size, legend, labels).
// set({glideMs, followMs}) -> the glide time constant and the channel's interval (undefined: defaults).
// resetView(which); zoom(f, which): scale the view's span by f around its centre, as a wheel does.
// pickTimes(n, which) -> n hover hit-tests at pseudo-random canvas spots, each one's ms.
// breakFollow(which): the channel's token replaced by one the server does not know (a restart).
// watchMarker(which): from now on, markerTimes() lists the moments Python's marker changed.

import { LP } from "./state.js";

const VERSION = 1;

function connected() {
  return LP.instances.filter((p) => !p.dead && p.root && p.root.isConnected);
}

function matches(p, f) {
  const d = p.d || {};
  if (f.link !== undefined && d.link !== f.link) return false;
  if (f.url !== undefined && d.url !== f.url) return false;
  if (f.live !== undefined && !!d.live !== f.live) return false;
  if (f.marks !== undefined && !!d.marks !== f.marks) return false;
  if (f.ready !== undefined && (p.canvas.dataset.ready === "1" && !!p.m) !== f.ready) return false;
  if (f.decoder !== undefined && !!p.dec !== f.decoder) return false;
  return true;
}

function pageOrder(a, b) {
  const ra = a.canvas.getBoundingClientRect(), rb = b.canvas.getBoundingClientRect();
  return Math.abs(ra.top - rb.top) > 40 ? ra.top - rb.top : ra.left - rb.left;
}

function planes(which) {
  if (which === undefined || which === null || which === "last") return LP.last ? [LP.last] : [];
  return connected().filter((p) => matches(p, which)).sort(pageOrder);
}

function plane(which) {
  const p = planes(which)[0];
  if (!p) throw new Error("no latent plane matches " + JSON.stringify(which));
  return p;
}

function info(p) {
  const d = p.d || {}, m = p.m, r = p.canvas.getBoundingClientRect();
  return {
    url: d.url || null, file: p.mUrl || null, ready: p.canvas.dataset.ready === "1" && !!m,
    decoder: p.dec ? p.dec.kernel : null, mode: d.mode || null, n: m ? m.n : 0, bounds: m ? Array.from(m.bounds) : null,
    link: d.link || null, live: !!d.live, marker: d.marker || null, marks: d.marks || null,
    markers: (p.markers || []).map((q) => q.slice()), dragging: p.dragging,
    selection: p.selIdx ? Array.from(p.selIdx) : null, polygon: p.polygon || null,
    inset: p.insetPoint || null, tipImage: p.tipImg && p.tipImg.style.display !== "none" ? p.tipImg.width : 0,
    box: [r.left, r.top, r.width, r.height], baseScale: p.baseView && p.view ? p.baseShift()[2] : 1,
    labels: (p.drawnLabels || []).map((l) => l.name),
  };
}

function pixelSum(c) {
  const a = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let s = 0;
  for (let j = 0; j < a.length; j += 4) s += a[j] * (j + 1);
  return s;
}

function clientXY(p, x, y) {
  const r = p.canvas.getBoundingClientRect(), [px, py] = p.toPx(x, y);
  return [r.left + px, r.top + py];
}

const timing = LP.timing;
/** @type {number[]} */
const markerTimes = [];

LP.test = {
  version: VERSION,
  info: (which) => { const p = planes(which)[0]; return p ? info(p) : null; },
  infos: (which) => planes(which).map(info),
  clientXY: (x, y, which) => clientXY(plane(which), x, y),
  pointXY: (i, which) => { const p = plane(which); return clientXY(p, p.m.pts[2 * i], p.m.pts[2 * i + 1]); },
  markerXY: (i, which) => { const p = plane(which); return clientXY(p, p.markers[i][0], p.markers[i][1]); },
  toPx: (x, y, which) => plane(which).toPx(x, y),
  labelsAt: (which) => (plane(which).drawnLabels || []).map(({ name, x, y }) => ({ name, x, y })),
  imageSum: (i, which) => pixelSum(plane(which).decCanvases[i]),
  stripSum: (which) => pixelSum(plane(which).strip),
  insetDecoded: (which) => plane(which).insetDecoded || null,
  insetGrey: (which) => {
    const c = plane(which).insetImg, a = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    return Array.from({ length: a.length / 4 }, (_, i) => a[4 * i]);
  },
  decodeMarker: (i, which) => plane(which).decodeMarker(i),
  decodeWith: (manifest, zs, opts) => LP.decodeWith(manifest, zs, opts),
  stats: () => ({ ...LP.stats }),
  timing: () => ({ ...timing }),
  resetTiming: () => { timing.lastClickAt = timing.insetAt = timing.insetShownAt = 0; },
  lastExport: () => LP.lastExport || null,
  set: (/** @type {{glideMs?: number, followMs?: number}} */ { glideMs, followMs } = {}) => { LP.glideMs = glideMs; LP.followMs = followMs; },
  resetView: (which) => plane(which).resetView(),
  zoom: (f, which) => {
    const p = plane(which), v = p.view, cx = (v[0] + v[1]) / 2, cy = (v[2] + v[3]) / 2;
    p.view = [cx - (cx - v[0]) * f, cx + (v[1] - cx) * f, cy - (cy - v[2]) * f, cy + (v[3] - cy) * f];
    p.requestBase();
  },
  pickTimes: (n, which) => {
    const p = plane(which), out = [];
    let s = 1;
    const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      p.pick(rnd() * p.W, rnd() * p.H);
      out.push(performance.now() - t);
    }
    return out;
  },
  breakFollow: (which) => { plane(which).d.follow_token = "no-such-pad"; },
  watchMarker: (which) => {
    const p = plane(which);
    if (p.watched) return;
    p.watched = true;
    let last = JSON.stringify((p.d || {}).marker);
    const update = p.update.bind(p);
    p.update = (d, s) => {
      const m = JSON.stringify(d.marker);
      if (m !== last) { last = m; markerTimes.push(performance.now()); }
      return update(d, s);
    };
  },
  markerTimes: () => markerTimes.slice(),
};
