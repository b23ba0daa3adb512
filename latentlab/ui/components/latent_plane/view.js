// The latent plane's coordinates, hit tests and small decisions, as pure functions (no DOM, no
// state): plane.js and its modules call them, and tests/js/view.test.mjs checks them on Node.
//
// A view is [x0, x1, y0, y1], the window of plane units shown on a canvas of W x H CSS pixels; y
// points up in the plane and down on the canvas.

/** @typedef {number[]} View  [x0, x1, y0, y1] in plane units */

/**
 * Plane point (x, y) -> canvas pixels [px, py] in view `v` on a W x H canvas.
 * @param {View} v @param {number} W @param {number} H @param {number} x @param {number} y
 * @returns {number[]}
 */
export function toPx(v, W, H, x, y) {
  return [(x - v[0]) / (v[1] - v[0]) * W, (v[3] - y) / (v[3] - v[2]) * H];
}

/**
 * Canvas pixels -> plane point: the inverse of toPx.
 * @param {View} v @param {number} W @param {number} H @param {number} px @param {number} py
 * @returns {number[]}
 */
export function fromPx(v, W, H, px, py) {
  return [v[0] + px / W * (v[1] - v[0]), v[3] - py / H * (v[3] - v[2])];
}

/**
 * The view that shows `b` = [x0, x1, y0, y1] whole on a W x H canvas, centred, with one plane unit
 * equally long on both axes (distances in the picture are honest).
 * @param {View} b @param {number} W @param {number} H @returns {View}
 */
export function fitView(b, W, H) {
  const [x0, x1, y0, y1] = b, cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const s = Math.min(W / (x1 - x0), H / (y1 - y0)); // px per unit
  return [cx - W / (2 * s), cx + W / (2 * s), cy - H / (2 * s), cy + H / (2 * s)];
}

/**
 * The window a plane opens on: its bounds, widened to hold the page's marks `xy` with a margin of
 * 4 % of the longer side (a draw far outside the codes is the point of the sampling pages: it must
 * not open off screen).
 * @param {View} bounds @param {number[][]} [xy] @returns {View}
 */
export function homeBounds(bounds, xy = []) {
  let [x0, x1, y0, y1] = bounds;
  if (!xy || !xy.length) return [x0, x1, y0, y1];
  const pad = 0.04 * Math.max(x1 - x0, y1 - y0);
  for (const [x, y] of xy) {
    x0 = Math.min(x0, x - pad); x1 = Math.max(x1, x + pad); y0 = Math.min(y0, y - pad); y1 = Math.max(y1, y + pad);
  }
  return [x0, x1, y0, y1];
}

/**
 * Zoom: view `v` scaled by `f` (< 1 zooms in) around the plane point (x, y), which stays where it is
 * on the canvas.
 * @param {View} v @param {number} x @param {number} y @param {number} f @returns {View}
 */
export function zoomView(v, x, y, f) {
  return [x - (x - v[0]) * f, x + (v[1] - x) * f, y - (y - v[2]) * f, y + (v[3] - y) * f];
}

/**
 * The wheel's zoom factor for a wheel event's deltaY: exp(deltaY * 0.0015), each event's step held
 * to e^±0.5 (a mouse wheel notch is ~100; a trackpad sends many small ones).
 * @param {number} deltaY @returns {number}
 */
export function wheelFactor(deltaY) {
  return Math.exp(Math.max(-0.5, Math.min(0.5, deltaY * 0.0015)));
}

/**
 * Pan: view `v` (W x H canvas) moved so that the content follows a pointer moved by (dx, dy) px.
 * @param {View} v @param {number} W @param {number} H @param {number} dx @param {number} dy @returns {View}
 */
export function panView(v, W, H, dx, dy) {
  const ux = (v[1] - v[0]) / W, uy = (v[3] - v[2]) / H;
  return [v[0] - dx * ux, v[1] - dx * ux, v[2] + dy * uy, v[3] + dy * uy];
}

/**
 * Where a picture drawn for view `b` lies in view `v` (both W x H): [ox, oy] its top-left corner
 * (CSS px) and [kx, ky] its scale. While a pan or zoom waits for its redraw, the old picture is
 * shown shifted and scaled by these.
 * @param {View} b @param {View} v @param {number} W @param {number} H @returns {number[]}
 */
export function baseShift(b, v, W, H) {
  const [ox, oy] = toPx(v, W, H, b[0], b[3]);
  return [ox, oy, (b[1] - b[0]) / (v[1] - v[0]), (b[3] - b[2]) / (v[3] - v[2])];
}

/**
 * A fixed pseudo-random permutation of 0..n-1 (the points' drawing order, so no class is always
 * painted on top of the others); the same for the same n on every browser.
 * @param {number} n @returns {Uint32Array}
 */
export function drawOrder(n) {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let s = 12345;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) >>> 0;
    const j = s % (i + 1);
    const t = order[i]; order[i] = order[j]; order[j] = t;
  }
  return order;
}

/**
 * @typedef {object} HitGrid  Points bucketed by the canvas cell (C x C px) they lie in.
 * @property {number} C  cell size (px)
 * @property {number} cols
 * @property {number} rows
 * @property {Int32Array} start  cell c's points are items[start[c]] .. items[start[c + 1] - 1]
 * @property {Int32Array} items
 */

/**
 * A bucket grid over a W x H canvas for O(1) hover and click hit tests on many points; points at
 * canvas pixels (ppx[i], ppy[i]) outside the canvas (or NaN: a hidden class) are left out.
 * @param {ArrayLike<number>} ppx @param {ArrayLike<number>} ppy @param {number} W @param {number} H
 * @param {number} [C] @returns {HitGrid}
 */
export function buildHitGrid(ppx, ppy, W, H, C = 8) {
  const n = ppx.length, cols = Math.ceil(W / C) + 1, rows = Math.ceil(H / C) + 1;
  const cellOf = new Int32Array(n), count = new Int32Array(cols * rows + 1);
  for (let i = 0; i < n; i++) {
    const px = ppx[i], py = ppy[i];
    if (!(px >= 0 && py >= 0 && px < W && py < H)) { cellOf[i] = -1; continue; }
    const c = Math.floor(py / C) * cols + Math.floor(px / C);
    cellOf[i] = c; count[c + 1] += 1;
  }
  for (let c = 0; c < cols * rows; c++) count[c + 1] += count[c];
  const items = new Int32Array(count[cols * rows]), fill = count.slice(0, cols * rows);
  for (let i = 0; i < n; i++) if (cellOf[i] >= 0) items[fill[cellOf[i]]++] = i;
  return { C, cols, rows, start: count, items };
}

/**
 * The point nearest to (px, py) within R pixels (ties: the higher index), or -1. R must not exceed
 * the grid's cell size: only the 3 x 3 cells around the spot are searched.
 * @param {HitGrid} h @param {ArrayLike<number>} ppx @param {ArrayLike<number>} ppy
 * @param {number} px @param {number} py @param {number} R @returns {number}
 */
export function pickNearest(h, ppx, ppy, px, py, R) {
  const cx = Math.floor(px / h.C), cy = Math.floor(py / h.C);
  let best = -1, bd = R * R;
  for (let y = cy - 1; y <= cy + 1; y++) {
    if (y < 0 || y >= h.rows) continue;
    for (let x = cx - 1; x <= cx + 1; x++) {
      if (x < 0 || x >= h.cols) continue;
      const c = y * h.cols + x;
      for (let k = h.start[c]; k < h.start[c + 1]; k++) {
        const i = h.items[k], dd = (ppx[i] - px) ** 2 + (ppy[i] - py) ** 2;
        if (dd <= bd) { bd = dd; best = i; }
      }
    }
  }
  return best;
}

/**
 * Indices (ascending) of the gridded points inside polygon `poly` (canvas px, even-odd rule, see
 * geometry.js's insidePolygon): only the cells under the polygon's bounding box are tested.
 * @param {HitGrid} h @param {ArrayLike<number>} ppx @param {ArrayLike<number>} ppy
 * @param {number[][]} poly @param {(x: number, y: number, poly: number[][]) => boolean} inside
 * @returns {number[]}
 */
export function pointsInPolygon(h, ppx, ppy, poly, inside) {
  const out = [];
  const xs = poly.map((p) => p[0]), ys = poly.map((p) => p[1]);
  const c0 = Math.max(0, Math.floor(Math.min(...xs) / h.C)), c1 = Math.min(h.cols - 1, Math.floor(Math.max(...xs) / h.C));
  const r0 = Math.max(0, Math.floor(Math.min(...ys) / h.C)), r1 = Math.min(h.rows - 1, Math.floor(Math.max(...ys) / h.C));
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cell = r * h.cols + c;
      for (let k = h.start[cell]; k < h.start[cell + 1]; k++) {
        const i = h.items[k];
        if (inside(ppx[i], ppy[i], poly)) out.push(i);
      }
    }
  }
  return out.sort((a, b) => a - b);
}

/**
 * Each class's centre: the median of its points' x and of their y (robust to a few strays, unlike
 * the mean), as [{c, x, y, n}] for the classes that have points. Above 200,000 points every s-th
 * point is used (the median moves by far less than a label's width).
 * @param {{n: number, lab: ArrayLike<number>, pts: ArrayLike<number>, class_names: string[]}} m
 * @returns {{c: number, x: number, y: number, n: number}[]}
 */
export function classCentres(m) {
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
  const out = [];
  for (let c = 0; c < K; c++) if (count[c]) out.push({ c, x: median(xs[c]), y: median(ys[c]), n: count[c] });
  return out;
}

/**
 * One animation frame of a glide: the marker `m` moved toward the target `t` by 1 - exp(-dt / tau)
 * of the way (tau <= 0: all the way). Returns [x, y].
 * @param {number[]} m @param {number[]} t @param {number} dt @param {number} tau @returns {number[]}
 */
export function glideStep(m, t, dt, tau) {
  const f = tau > 0 ? 1 - Math.exp(-dt / tau) : 1;
  return [m[0] + f * (t[0] - m[0]), m[1] + f * (t[1] - m[1])];
}

/**
 * The index of the point in `pts` ([[x, y], ...], canvas px) nearest to `p` (ties: the first).
 * @param {number[][]} pts @param {number[]} p @returns {number}
 */
export function nearest(pts, p) {
  let best = 0, bd = Infinity;
  pts.forEach(([x, y], i) => {
    const dd = (x - p[0]) ** 2 + (y - p[1]) ** 2;
    if (dd < bd) { bd = dd; best = i; }
  });
  return best;
}

/**
 * A plane point -> its latent code z = mean + p @ basis (the identity for k = 2, the PCA inverse
 * for k > 2), as float64.
 * @param {{mean: number[], basis: number[][]}} map @param {number[]} p @returns {Float64Array}
 */
export function planeToLatent(map, p) {
  const { mean, basis } = map;
  const z = new Float64Array(mean.length);
  for (let j = 0; j < mean.length; j++) z[j] = mean[j] + p[0] * basis[0][j] + p[1] * basis[1][j];
  return z;
}

/**
 * Markers mode: the plane's side S and the decoded panels' side P that fit `avail` px (0: unknown)
 * beside each other, from the asked sizes; `two`: two markers (two panels side by side). The plane
 * shrinks to no less than 300 px, a panel to no less than 150 px.
 * @param {number} avail @param {number} S @param {number} P @param {boolean} two @returns {number[]}
 */
export function fitMarkersLayout(avail, S, P, two) {
  const side = (p) => (two ? 2 * p + 20 : Math.max(p + 4, 260)) + 24 + 12; // + gap + slack
  if (avail && S + side(P) > avail) {
    P = Math.max(150, Math.min(P, Math.floor((avail - 24) * 0.22)));
    S = Math.max(300, Math.min(S, avail - side(P)));
  }
  return [S, P];
}
