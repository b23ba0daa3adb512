// Selections (click mode with data.select): the Box and Lasso tools, what they enclose (via the hit
// grid), Invert and Clear, the selection sent to Python, and one Python asks the plane to show.

import { boxCorners, insidePolygon } from "./geometry.js";
import { pointsInPolygon } from "./view.js";

/** @typedef {import("./plane.js").Plane} Plane */

// `data.selected` = {key, indices, label}: a selection Python asks plane plane to show (one made on a
// linked plane, or restored from the URL). Shown, not sent back: Python already has it. A new key
// replaces whatever is selected here; a user's own lasso replaces it in turn.
/** @param {Plane} plane */
export function applySelected(plane) {
  const s = plane.d && plane.d.selected;
  if (!plane.m) return;
  const key = s ? s.key : null;
  if (key === plane.selectedKey) return;
  plane.selectedKey = key;
  // Python echoing the selection just made here: only the label may change (no redraw, and the
  // lasso's polygon stays known).
  const same = s && plane.selIdx && s.indices.length === plane.selIdx.length && s.indices.every((v, k) => v === plane.selIdx[k]);
  if (same) plane.selCount.textContent = `${plane.selIdx.length.toLocaleString("en")} ${s.label || "selected"}`;
  else if (s) plane.setSelection(s.indices, null, { quiet: true, label: s.label });
  else if (plane.selFromPython) plane.setSelection(null, null, { quiet: true });
}

/** @param {Plane} plane */
export function setTool(plane, tool) {
  plane.tool = tool;
  plane.tools.querySelectorAll("[data-tool]").forEach((b) => b.classList.toggle("on", b.getAttribute("data-tool") === tool));
  plane.canvas.style.cursor = tool === "pan" ? "" : "cell";
}

// The lasso (or box) is let go: select what it encloses. A tiny one is a click.
/** @param {Plane} plane */
export function finishLasso(plane, at) {
  const L = plane.lasso;
  plane.lasso = null;
  plane.dirty = true;
  if (!at) return; // cancelled
  let poly = L.tool === "box" ? boxCorners(L.pts[0], at) : L.pts.concat([at]);
  const xs = poly.map((p) => p[0]), ys = poly.map((p) => p[1]);
  if (Math.max(...xs) - Math.min(...xs) < 4 && Math.max(...ys) - Math.min(...ys) < 4) { plane.click(...at); return; }
  plane.setSelection(selectIn(plane, poly), poly.map(([px, py]) => plane.fromPx(px, py)));
}

// Indices of the shown points inside polygon `poly` (canvas pixels): only the hit grid's cells
// under the polygon's bounding box are tested (even-odd rule), not every point.
/** @param {Plane} plane */
export function selectIn(plane, poly) {
  return plane.hit ? pointsInPolygon(plane.hit, plane.ppx, plane.ppy, poly, insidePolygon) : [];
}

// Select `idx` (point indices; null: nothing) and tell Python, with the polygon in plane units.
/** @param {Plane} plane */
export function setSelection(plane, idx, polygon, opts = {}) {
  const n = plane.m ? plane.m.n : 0;
  plane.selFromPython = !!opts.quiet;
  plane.polygon = polygon; // for tests: the last lasso, in plane units
  plane.selIdx = idx && idx.length ? Int32Array.from(idx) : null;
  plane.selMask = null;
  if (plane.selIdx) {
    plane.selMask = new Uint8Array(n);
    for (const i of plane.selIdx) plane.selMask[i] = 1;
  }
  plane.selCount.textContent = plane.selIdx ? `${plane.selIdx.length.toLocaleString("en")} ${opts.label || "selected"}` : "";
  plane.needBase = true; plane.dirty = true;
  plane.selSeq = (plane.selSeq || 0) + 1;
  if (plane.setStateValue && !opts.quiet) {
    const cls = opts.cls === undefined ? null : opts.cls;
    plane.setStateValue("selection", plane.selIdx ? { indices: Array.from(plane.selIdx), polygon: polygon || null,
      cls, seq: plane.selSeq, nonce: plane.nonce, url: plane.d.url } : { indices: [], polygon: null, cls: null,
      seq: plane.selSeq, nonce: plane.nonce, url: plane.d.url });
  }
}

// The shown points that are not selected (a hidden class stays out).
/** @param {Plane} plane */
export function invertSelection(plane) {
  if (!plane.m) return;
  const m = plane.m, out = [];
  for (let i = 0; i < m.n; i++) {
    if ((plane.selMask && plane.selMask[i]) || (plane.hidden.size && plane.hidden.has(m.lab[i]))) continue;
    out.push(i);
  }
  plane.setSelection(out, null);
}
