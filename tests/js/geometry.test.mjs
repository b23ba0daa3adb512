// Unit tests of the latent plane's pure functions (latentlab/ui/components/latent_plane/geometry.js), run by
// Node's own test runner: `node --test tests/js/` (tests/test_js_units.py runs it in the suite).
import assert from "node:assert/strict";
import { test } from "node:test";

import { boxCorners, contour, insidePolygon, parsePlane } from "../../latentlab/ui/components/latent_plane/geometry.js";
import { planeFile } from "./helpers.mjs";

// ---- insidePolygon (the lasso) and boxCorners (the box) ----

const SQUARE = [[0, 0], [4, 0], [4, 4], [0, 4]];

test("a point in the middle of a square is inside, points beyond each side are not", () => {
  assert.equal(insidePolygon(2, 2, SQUARE), true);
  for (const [x, y] of [[-1, 2], [5, 2], [2, -1], [2, 5], [-1, -1], [5, 5]]) assert.equal(insidePolygon(x, y, SQUARE), false);
});

test("the polygon's winding does not matter", () => {
  const reversed = [...SQUARE].reverse();
  for (const [x, y] of [[2, 2], [0.1, 3.9], [5, 2]]) assert.equal(insidePolygon(x, y, reversed), insidePolygon(x, y, SQUARE));
});

test("a concave polygon's notch is outside", () => {
  // A "U": the notch between its arms (x in 1..3, y above 1) is not part of it.
  const U = [[0, 0], [4, 0], [4, 4], [3, 4], [3, 1], [1, 1], [1, 4], [0, 4]];
  assert.equal(insidePolygon(2, 3, U), false);
  assert.equal(insidePolygon(0.5, 3, U), true);
  assert.equal(insidePolygon(3.5, 3, U), true);
  assert.equal(insidePolygon(2, 0.5, U), true);
});

test("a self-crossing lasso follows the even-odd rule (as the Python check does)", () => {
  // A pentagram drawn in one stroke: its central pentagon is crossed twice, so it is outside.
  const star = [0, 2, 4, 1, 3].map((k) => {
    const a = Math.PI / 2 + (2 * Math.PI * k) / 5;
    return [Math.cos(a), Math.sin(a)];
  });
  assert.equal(insidePolygon(0, 0, star), false);
  assert.equal(insidePolygon(0, 0.7, star), true); // in the top point of the star
});

test("a degenerate lasso (fewer than three points) holds nothing", () => {
  assert.equal(insidePolygon(0, 0, []), false);
  assert.equal(insidePolygon(0, 0, [[1, 1]]), false);
  assert.equal(insidePolygon(0.5, 0.5, [[0, 0], [1, 1]]), false);
});

test("a box's corners go round the rectangle from its first corner, whatever the drag direction", () => {
  assert.deepEqual(boxCorners([0, 0], [2, 3]), [[0, 0], [2, 0], [2, 3], [0, 3]]);
  const dragged_up_left = boxCorners([2, 3], [0, 0]);
  assert.deepEqual(dragged_up_left, [[2, 3], [0, 3], [0, 0], [2, 0]]);
  assert.equal(insidePolygon(1, 1.5, dragged_up_left), true);
  assert.equal(insidePolygon(3, 1.5, dragged_up_left), false);
});

// ---- contour (the "codes are dense here" line) ----

/** A density grid (n × n, row 0 = bottom) of a round bump at the centre of bounds [-1, 1]². */
function bump(n) {
  const g = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = -1 + (2 * j) / (n - 1), y = -1 + (2 * i) / (n - 1);
      g[i * n + j] = Math.exp(-(x * x + y * y) / 0.2);
    }
  }
  return g;
}

test("no level, no grid or a level the density never crosses: no line", () => {
  const g = bump(21);
  assert.deepEqual(contour(g, 21, null, [-1, 1, -1, 1]), []);
  assert.deepEqual(contour(g, 21, undefined, [-1, 1, -1, 1]), []);
  assert.deepEqual(contour(g, 1, 0.5, [-1, 1, -1, 1]), []);
  assert.deepEqual(contour(g, 21, 2, [-1, 1, -1, 1]), []);
  assert.deepEqual(contour(g, 21, -1, [-1, 1, -1, 1]), []);
});

test("the contour of a round bump is a closed ring at the level's radius", () => {
  const n = 41, lvl = 0.5;
  const segs = contour(bump(n), n, lvl, [-1, 1, -1, 1]);
  assert.ok(segs.length > 20);
  const r = Math.sqrt(-0.2 * Math.log(lvl)); // exp(-r²/0.2) = lvl
  for (const [xa, ya, xb, yb] of segs) {
    for (const [x, y] of [[xa, ya], [xb, yb]]) assert.ok(Math.abs(Math.hypot(x, y) - r) < 0.02, `${x}, ${y}`);
  }
  // Closed: every end point is shared by exactly two segments.
  const count = new Map();
  for (const [xa, ya, xb, yb] of segs) {
    for (const p of [`${xa.toFixed(9)},${ya.toFixed(9)}`, `${xb.toFixed(9)},${yb.toFixed(9)}`]) count.set(p, (count.get(p) || 0) + 1);
  }
  assert.ok([...count.values()].every((c) => c === 2));
});

test("the contour is drawn in plane units: moving the bounds moves it", () => {
  const n = 21, g = bump(n);
  const a = contour(g, n, 0.5, [-1, 1, -1, 1]);
  const b = contour(g, n, 0.5, [9, 11, -1, 1]); // shifted by 10 along x
  assert.equal(a.length, b.length);
  a.forEach((s, k) => {
    assert.ok(Math.abs(b[k][0] - (s[0] + 10)) < 1e-9 && Math.abs(b[k][1] - s[1]) < 1e-9);
  });
});

test("a saddle cell (diagonal corners above the level) gives two segments", () => {
  // 2 × 2 grid: bottom-left and top-right above 0.5, the other two below.
  const segs = contour(new Float32Array([1, 0, 0, 1]), 2, 0.5, [0, 1, 0, 1]);
  assert.equal(segs.length, 2);
});

// ---- parsePlane (the payload: latentlab/server/plane.py's encode_plane) ----

test("a plane file's arrays come back as typed views of the same values", () => {
  const points = new Float32Array([0.5, -1, 2, 3.25, -7, 8]);
  const labels = new Uint8Array([0, 2, 1]);
  const density = new Float32Array([0, 0.5, 0.25, 1]);
  const m = parsePlane(planeFile({ points, labels, density, extra: { n: 3, class_names: ["a", "b", "c"], density_n: 2 } }));
  assert.deepEqual(Array.from(m.pts), Array.from(points));
  assert.deepEqual(Array.from(m.lab), [0, 2, 1]);
  assert.deepEqual(Array.from(m.dens), [0, 0.5, 0.25, 1]);
  assert.ok(m.pts instanceof Float32Array && m.lab instanceof Uint8Array);
  assert.equal(m.n, 3);
  assert.deepEqual(m.class_names, ["a", "b", "c"]);
});

test("more than 256 classes: labels are uint16; no density: null", () => {
  const m = parsePlane(planeFile({ points: new Float32Array([1, 2]), labels: new Uint16Array([300]) }));
  assert.ok(m.lab instanceof Uint16Array);
  assert.equal(m.lab[0], 300);
  assert.equal(m.dens, null);
});

test("a file that is not a plane is refused by name", () => {
  const buf = new ArrayBuffer(16);
  new Uint8Array(buf).set(new TextEncoder().encode("GIF89a.."), 0);
  assert.throws(() => parsePlane(buf), /not a latent-plane file/);
});
