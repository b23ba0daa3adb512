// Unit tests of the latent plane's coordinates, hit tests and small decisions
// (latentlab/ui/components/latent_plane/view.js), on Node's own test runner.
import assert from "node:assert/strict";
import { test } from "node:test";

import { insidePolygon } from "../../latentlab/ui/components/latent_plane/geometry.js";
import {
  baseShift, buildHitGrid, classCentres, drawOrder, fitMarkersLayout, fitView, fromPx, glideStep, homeBounds,
  nearest, panView, pickNearest, planeToLatent, pointsInPolygon, toPx, wheelFactor, zoomView,
} from "../../latentlab/ui/components/latent_plane/view.js";

const close = (a, b, tol = 1e-9) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= tol, `${a} vs ${b} at ${i}`));

// ---- pan and zoom transforms ----

test("toPx maps the view's corners to the canvas's corners, y pointing down", () => {
  const v = [-2, 6, -1, 3], W = 800, H = 400;
  close(toPx(v, W, H, -2, 3), [0, 0]); // top left
  close(toPx(v, W, H, 6, -1), [800, 400]); // bottom right
  close(toPx(v, W, H, 2, 1), [400, 200]); // centre
});

test("fromPx is toPx's inverse at any point, in or out of the view", () => {
  const v = [-3.5, 1.25, 0.5, 7], W = 640, H = 480;
  for (const [x, y] of [[0, 0], [-3.5, 7], [10, -4], [0.3, 2.2]]) close(fromPx(v, W, H, ...toPx(v, W, H, x, y)), [x, y], 1e-9);
});

test("fitView shows the bounds whole, centred, with one unit as long on both axes", () => {
  const b = [0, 10, 0, 2], W = 500, H = 500;
  const v = fitView(b, W, H);
  assert.ok(v[0] <= 0 && v[1] >= 10 && v[2] <= 0 && v[3] >= 2, String(v));
  close([(v[0] + v[1]) / 2, (v[2] + v[3]) / 2], [5, 1]);
  close([W / (v[1] - v[0])], [H / (v[3] - v[2])]); // px per unit, both axes
  // The limiting axis fills the canvas exactly.
  close([v[1] - v[0]], [10]);
});

test("homeBounds widens the plane's bounds to hold the marks, with a margin, and only then", () => {
  assert.deepEqual(homeBounds([0, 4, 0, 2], []), [0, 4, 0, 2]);
  assert.deepEqual(homeBounds([0, 4, 0, 2]), [0, 4, 0, 2]);
  const h = homeBounds([0, 4, 0, 2], [[10, 1], [1, -3]]);
  close(h, [0, 10 + 0.16, -3 - 0.16, 2]);
});

test("zooming keeps the point under the cursor where it is on the canvas, and scales the span", () => {
  const v = [-1, 3, -2, 2], W = 400, H = 400, at = [2.2, -0.7];
  for (const f of [0.5, 0.9, 1.7]) {
    const z = zoomView(v, at[0], at[1], f);
    close(toPx(z, W, H, ...at), toPx(v, W, H, ...at), 1e-9);
    close([z[1] - z[0], z[3] - z[2]], [4 * f, 4 * f], 1e-12);
  }
});

test("zooming in and out by the inverse factor comes back to the same view", () => {
  const v = [-1, 3, -2, 2];
  close(zoomView(zoomView(v, 0.3, 0.4, 0.6), 0.3, 0.4, 1 / 0.6), v, 1e-12);
});

test("a wheel step is exp(0.0015 deltaY), held to e^±0.5 per event", () => {
  close([wheelFactor(100)], [Math.exp(0.15)]);
  close([wheelFactor(-100)], [Math.exp(-0.15)]);
  close([wheelFactor(5000), wheelFactor(-5000)], [Math.exp(0.5), Math.exp(-0.5)]);
  assert.equal(wheelFactor(0), 1);
});

test("panning moves the content with the pointer: a point follows it pixel for pixel", () => {
  const v = [0, 8, 0, 4], W = 800, H = 400, p = [3, 1];
  const [px, py] = toPx(v, W, H, ...p);
  const moved = panView(v, W, H, 50, -20);
  close(toPx(moved, W, H, ...p), [px + 50, py - 20], 1e-9);
  close([moved[1] - moved[0], moved[3] - moved[2]], [8, 4], 1e-12); // the span is unchanged
});

test("baseShift: the same view gives no shift; a zoomed view shows the old picture scaled about the zoom point", () => {
  const v = [0, 10, 0, 10], W = 500, H = 500;
  close(baseShift(v, v, W, H), [0, 0, 1, 1]);
  const z = zoomView(v, 5, 5, 0.5); // zoomed in 2x around the centre
  const [ox, oy, kx, ky] = baseShift(v, z, W, H);
  close([kx, ky], [2, 2]);
  // The old picture's pixel at the centre lands on the centre.
  close([ox + 250 * kx, oy + 250 * ky], [250, 250], 1e-9);
});

// ---- the hit grid: hover, clicks, the lasso ----

const PX = Float32Array.from([10, 12, 100, 395, -5, NaN, 200]);
const PY = Float32Array.from([10, 11, 50, 295, 10, 20, 150]);

test("the hit grid holds every point on the canvas once and leaves out the rest (off canvas, NaN)", () => {
  const h = buildHitGrid(PX, PY, 400, 300);
  assert.deepEqual(Array.from(h.items).sort((a, b) => a - b), [0, 1, 2, 3, 6]);
  assert.equal(h.start[h.start.length - 1], 5);
  // Each point sits in the cell of its pixel.
  for (const i of [0, 1, 2, 3, 6]) {
    const c = Math.floor(PY[i] / h.C) * h.cols + Math.floor(PX[i] / h.C);
    assert.ok(Array.from(h.items.slice(h.start[c], h.start[c + 1])).includes(i), `point ${i} not in its cell`);
  }
});

test("pickNearest finds the nearest point within the radius, across cell borders, and -1 in empty space", () => {
  const h = buildHitGrid(PX, PY, 400, 300);
  assert.equal(pickNearest(h, PX, PY, 11.6, 10.9, 5), 1); // 1 is nearer than 0
  assert.equal(pickNearest(h, PX, PY, 9, 9, 5), 0);
  assert.equal(pickNearest(h, PX, PY, 100, 54.5, 5), 2); // 4.5 px away, in the next cell row
  assert.equal(pickNearest(h, PX, PY, 100, 56, 5), -1); // 6 px: too far
  assert.equal(pickNearest(h, PX, PY, 300, 100, 5), -1);
  assert.equal(pickNearest(h, PX, PY, -5, 10, 5), -1); // point 4, off the canvas, is never picked, even right under the cursor
});

test("pickNearest agrees with a brute-force search on random points", () => {
  let s = 7;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const n = 3000, W = 640, H = 480;
  const px = Float32Array.from({ length: n }, () => rnd() * W), py = Float32Array.from({ length: n }, () => rnd() * H);
  const h = buildHitGrid(px, py, W, H);
  for (let q = 0; q < 300; q++) {
    const x = rnd() * W, y = rnd() * H, R = 6;
    let best = -1, bd = R * R;
    for (let i = 0; i < n; i++) {
      const dd = (px[i] - x) ** 2 + (py[i] - y) ** 2;
      if (dd <= bd) { bd = dd; best = i; }
    }
    const got = pickNearest(h, px, py, x, y, R);
    // Same point, or an equally near one (ties).
    if (got !== best) assert.equal((px[got] - x) ** 2 + (py[got] - y) ** 2, bd);
  }
});

test("pointsInPolygon returns the points a lasso encloses, sorted, as testing every point would", () => {
  let s = 3;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const n = 2000, W = 400, H = 300;
  const px = Float32Array.from({ length: n }, () => rnd() * W), py = Float32Array.from({ length: n }, () => rnd() * H);
  const h = buildHitGrid(px, py, W, H);
  const lasso = [[50, 40], [300, 60], [220, 250], [120, 140], [40, 260]]; // concave
  const got = pointsInPolygon(h, px, py, lasso, insidePolygon);
  const want = [];
  for (let i = 0; i < n; i++) if (insidePolygon(px[i], py[i], lasso)) want.push(i);
  assert.deepEqual(got, want);
  assert.ok(want.length > 100);
});

// ---- drawing order, class centres, glide, markers, the linear map, layout ----

test("the drawing order is a fixed permutation: every index once, the same every time, not the identity", () => {
  const a = drawOrder(1000), b = drawOrder(1000);
  assert.deepEqual(a, b);
  assert.deepEqual(Array.from(a).sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  assert.ok(Array.from(a).some((v, i) => v !== i));
  assert.deepEqual(Array.from(drawOrder(1)), [0]);
});

test("a class's centre is the median of its points, robust to a stray; empty classes are left out", () => {
  const pts = [0, 0, 1, 1, 2, 2, 100, 100, 5, 5, 6, 7];
  const m = { n: 6, pts: Float32Array.from(pts), lab: Uint8Array.from([0, 0, 0, 0, 2, 2]), class_names: ["a", "b", "c"] };
  const c = classCentres(m);
  assert.deepEqual(c.map((e) => e.c), [0, 2]);
  assert.deepEqual([c[0].x, c[0].y, c[0].n], [1.5, 1.5, 4]); // the stray at 100 moves the median by half a step
  assert.deepEqual([c[1].x, c[1].y], [5.5, 6]);
});

test("a glide step moves 1 - exp(-dt/tau) of the way; tau 0 jumps; many steps arrive", () => {
  close(glideStep([0, 0], [10, -20], 12, 12), [10 * (1 - Math.exp(-1)), -20 * (1 - Math.exp(-1))]);
  close(glideStep([3, 4], [10, -20], 16, 0), [10, -20]);
  let p = [0, 0];
  for (let k = 0; k < 60; k++) p = glideStep(p, [1, 1], 16, 12);
  close(p, [1, 1], 1e-9);
});

test("nearest picks the closest marker (the first on a tie)", () => {
  assert.equal(nearest([[0, 0], [10, 0]], [6, 0]), 1);
  assert.equal(nearest([[0, 0], [10, 0]], [5, 0]), 0);
  assert.equal(nearest([[3, 3]], [100, 100]), 0);
});

test("a plane point maps to z = mean + p @ basis (the identity map for a 2-D latent space)", () => {
  close(Array.from(planeToLatent({ mean: [0, 0], basis: [[1, 0], [0, 1]] }, [0.5, -2])), [0.5, -2]);
  const map = { mean: [1, 2, 3], basis: [[1, 0, 1], [0, 2, 0]] };
  close(Array.from(planeToLatent(map, [2, -1])), [3, 0, 5]);
});

test("markers layout: the asked sizes when they fit, shrunk to the minimums when the column is narrow", () => {
  assert.deepEqual(fitMarkersLayout(2000, 520, 240, true), [520, 240]);
  assert.deepEqual(fitMarkersLayout(0, 520, 240, true), [520, 240]); // width unknown yet
  const [S, P] = fitMarkersLayout(900, 520, 240, true);
  assert.ok(S + 2 * P + 20 + 36 <= 900, `${S} + panels ${P} overflow 900`);
  assert.deepEqual(fitMarkersLayout(300, 520, 240, true), [300, 150]); // never below the minimums
});
