// Unit tests of the plane's page-wide state and loaders (latentlab/ui/components/latent_plane/state.js and
// shared.js's fetchOnce), the legend's items (legend.js) and the test interface (testing.js), on
// Node with a stand-in fetch.
import assert from "node:assert/strict";
import { test } from "node:test";

import { planeFile } from "./helpers.mjs";
import { LP, loadPlane, VERMILLION } from "../../latentlab/ui/components/latent_plane/state.js";
import { legendItems } from "../../latentlab/ui/components/latent_plane/legend.js";
import "../../latentlab/ui/components/latent_plane/testing.js";

/** Serve `files` (URL -> ArrayBuffer, or a number: that HTTP status) and count the requests. */
function serve(files) {
  const asked = [];
  globalThis.fetch = async (url) => {
    asked.push(url);
    const body = files[url];
    if (typeof body === "number" || body === undefined) return { ok: false, status: body || 404 };
    return { ok: true, status: 200, arrayBuffer: async () => body.slice(0) };
  };
  return asked;
}

const FILE = planeFile({
  points: new Float32Array([0, 0, 1, 0, 0, 1, 1, 1]),
  labels: new Uint8Array([0, 1, 1, 0]),
  density: new Float32Array([0, 0, 0, 0, 1, 0, 0, 0, 0]),
  extra: { n: 4, class_names: ["a", "b"], density_n: 3, threshold: 0.5, bounds: [-1, 1, -1, 1] },
});

test("a plane file is fetched once per URL and comes back parsed, with its contour and drawing order", async () => {
  const asked = serve({ "/p1.bin": FILE });
  const [m1, m2] = await Promise.all([loadPlane("/p1.bin"), loadPlane("/p1.bin")]);
  assert.equal(m1, m2);
  assert.deepEqual(asked, ["/p1.bin"]);
  assert.deepEqual(Array.from(m1.pts), [0, 0, 1, 0, 0, 1, 1, 1]);
  assert.deepEqual(Array.from(m1.lab), [0, 1, 1, 0]);
  assert.ok(m1.contour.length > 0, "the dense middle has an edge");
  assert.deepEqual(Array.from(m1.order).sort(), [0, 1, 2, 3]);
});

test("a failed fetch is an error with the URL and status, and is forgotten: the next call retries", async () => {
  const files = { "/p2.bin": 503 };
  const asked = serve(files);
  await assert.rejects(loadPlane("/p2.bin"), /\/p2\.bin: HTTP 503/);
  files["/p2.bin"] = FILE;
  const m = await loadPlane("/p2.bin");
  assert.equal(m.n, 4);
  assert.deepEqual(asked, ["/p2.bin", "/p2.bin"]);
});

test("the registry is one per page: a second import finds the same object on globalThis", async () => {
  const again = await import("../../latentlab/ui/components/latent_plane/state.js?again");
  assert.equal(again.LP, LP);
  assert.equal(globalThis.__llplane, LP);
});

/** A stand-in plane for legendItems: what it reads, no DOM. */
function fakePlane(d, { hidden = [], pending = null } = {}) {
  const m = {
    n: 4, pts: Float32Array.from([0, 0, 1, 1, 2, 2, 3, 3]), lab: Uint8Array.from([0, 0, 2, 2]),
    class_names: ["zero", "one", "two"], palette: ["#111111", "#222222", "#333333"],
    dens: new Float32Array(4), contour: [[0, 0, 1, 1]],
  };
  return { m, d, hidden: new Set(hidden), pending, markersMode: d.mode === "markers" };
}

test("the legend lists each shown class that has points, in its colour, then what the page drew", () => {
  const items = legendItems(fakePlane({ shade: true, marks: { xy: [[0, 0], [5, 5]], low: [false, true] }, marker: [1, 1] }));
  assert.deepEqual(items.map((i) => i.kind), ["class", "class", "shade", "line", "cross", "ring", "target"]);
  assert.deepEqual(items.slice(0, 2).map((i) => [i.text, i.colour]), [["zero", "#111111"], ["two", "#333333"]]);
  assert.equal(items[3].colour, VERMILLION);
  assert.equal(items[5].colour, VERMILLION);
});

test("a hidden class leaves the legend; no shading asked, no shading or line items; all-low draws, no cross", () => {
  const items = legendItems(fakePlane({ shade: false, marks: { xy: [[0, 0]], low: [true] } }, { hidden: [0] }));
  assert.deepEqual(items.map((i) => i.kind + ":" + (i.kind === "class" ? i.text : "")), ["class:two", "ring:"]);
});

test("the test interface's counters are a copy, and set() changes and restores the glide and channel timing", () => {
  const T = LP.test;
  const s = T.stats();
  s.clicks = 12345;
  assert.notEqual(LP.stats.clicks, 12345);
  T.set({ glideMs: 60, followMs: 0 });
  assert.deepEqual([LP.glideMs, LP.followMs], [60, 0]);
  T.set({});
  assert.deepEqual([LP.glideMs, LP.followMs], [undefined, undefined]);
  assert.equal(T.info(), null); // no plane on this "page"
  assert.throws(() => T.pointXY(0), /no latent plane matches/);
});
