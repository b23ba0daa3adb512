// The latent plane's pure functions: the payload parser, the density contour (marching squares)
// and selection geometry. No DOM, no state: joined in front of keyboard.js and plane.js when the
// module is served (latentlab/ui/components/latent_plane/__init__.py), and imported alone by the unit tests
// (tests/js/geometry.test.mjs, run with `node --test` by tests/test_js_units.py).

// ---- the payload ---------------------------------------------------------------------------------

// A plane file (latentlab/server/plane.py: encode_plane): "LLPLANE1", the header's length (uint32), the header
// (JSON), then the arrays, viewed in place: pts (2N,) x0, y0, x1, y1, ...; lab (N,) class indices;
// dens (n*n,) row 0 = bottom, max = 1, or null.
const TYPED = { f4: Float32Array, u1: Uint8Array, u2: Uint16Array };
export function parsePlane(buf) {
  const magic = new TextDecoder().decode(new Uint8Array(buf, 0, 8));
  if (magic !== "LLPLANE1") throw new Error("not a latent-plane file");
  const n = new DataView(buf).getUint32(8, true);
  const m = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 12, n)));
  const view = (k) => {
    const a = m.arrays[k];
    return a ? new TYPED[a[1]](buf, a[0], a[2].reduce((x, y) => x * y, 1)) : null;
  };
  m.pts = view("points");
  m.lab = view("labels");
  m.dens = view("density");
  return m;
}

// Marching squares: the iso-line of the density grid at `lvl`, as segments [xa, ya, xb, yb] in plane
// units. Outside it the decoder extrapolates.
export function contour(g, n, lvl, bounds) {
  if (lvl === null || lvl === undefined || !(n > 1)) return [];
  const [x0, x1, y0, y1] = bounds, dx = (x1 - x0) / (n - 1), dy = (y1 - y0) / (n - 1);
  const segs = [];
  const CASES = { 1: ["LB"], 2: ["BR"], 3: ["LR"], 4: ["RT"], 5: ["LT", "BR"], 6: ["BT"], 7: ["LT"], 8: ["TL"],
    9: ["TB"], 10: ["TR", "LB"], 11: ["TR"], 12: ["RL"], 13: ["RB"], 14: ["BL"] };
  for (let i = 0; i < n - 1; i++) {
    for (let j = 0; j < n - 1; j++) {
      const a = g[i * n + j], b = g[i * n + j + 1], c = g[(i + 1) * n + j + 1], d = g[(i + 1) * n + j]; // bl br tr tl
      const code = +(a > lvl) | (+(b > lvl) << 1) | (+(c > lvl) << 2) | (+(d > lvl) << 3);
      if (code === 0 || code === 15) continue;
      const t = (p, q) => (lvl - p) / (q - p);
      const at = {
        B: () => [x0 + (j + t(a, b)) * dx, y0 + i * dy],
        R: () => [x0 + (j + 1) * dx, y0 + (i + t(b, c)) * dy],
        T: () => [x0 + (j + t(d, c)) * dx, y0 + (i + 1) * dy],
        L: () => [x0 + j * dx, y0 + (i + t(a, d)) * dy],
      };
      for (const e of CASES[code]) segs.push([...at[e[0]](), ...at[e[1]]()]);
    }
  }
  return segs;
}

// ---- selection -----------------------------------------------------------------------------------

// The four corners of the rectangle with opposite corners a and b.
export function boxCorners(a, b) {
  return [a, [b[0], a[1]], b, [a[0], b[1]]];
}

// Even-odd rule: is (x, y) inside the polygon [[x, y], ...]? (Python's check in the tests is the same.)
export function insidePolygon(x, y, poly) {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i], [xj, yj] = poly[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
