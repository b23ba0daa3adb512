// The latent plane under a mouse or a pen: press, move and release (pan, a click, a marker's drag,
// a lasso), the wheel's zoom, hover tooltips with the example's image, clicks sent to Python, and
// the hover shared with linked planes.

import { LP, loadImages } from "./state.js";
import { fillImage } from "./render.js";
import { panView, zoomView, wheelFactor, nearest } from "./view.js";

/** @typedef {import("./plane.js").Plane} Plane */

/** @param {Plane} plane */
export function bindPointer(plane) {
  const cv = plane.canvas;
  const pos = (e) => { const r = cv.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
  /** @type {(p: number[]) => [number, number]} the pointer held inside the canvas */
  const inside = ([px, py]) => [Math.min(plane.W, Math.max(0, px)), Math.min(plane.H, Math.max(0, py))];
  cv.addEventListener("pointerdown", (e) => {
    if (!plane.m || !plane.view || e.button !== 0) return;
    const p = pos(e);
    if (plane.markersMode) {
      if (!plane.ready || !plane.markers.length) return;
      // Grab the nearest marker; a click far from all markers moves the nearest one there.
      const shown = plane.markers.slice(0, plane.d.n_markers || 1).map(([x, y]) => plane.toPx(x, y));
      const best = nearest(shown, p);
      plane.dragging = plane.gliding = best;
      plane.target = plane.fromPx(...inside(p));
      plane.newPointer = true;
      plane.hideTip();
      e.preventDefault();
    } else if (plane.tool !== "pan") {
      if (plane.baseTimer || plane.needBase) { clearTimeout(plane.baseTimer); plane.baseTimer = null; plane.drawBase(); }
      plane.lasso = { tool: plane.tool, pts: [p] }; // a selection being drawn, in canvas pixels
      plane.hideTip();
    } else {
      plane.down = { p, view: plane.view.slice(), panned: false };
    }
    cv.setPointerCapture(e.pointerId);
  });
  cv.addEventListener("pointermove", (e) => {
    if (!plane.m || !plane.view) return;
    const [px, py] = pos(e);
    if (plane.dragging >= 0) {
      // The rAF loop moves the marker and decodes, at most once per frame however fast the mouse.
      plane.target = plane.fromPx(...inside([px, py]));
      plane.gliding = plane.dragging;
      plane.newPointer = true;
      return;
    }
    if (plane.lasso) {
      const L = plane.lasso.pts, last = L[L.length - 1];
      if (plane.lasso.tool === "box") L[1] = [px, py];
      else if (Math.hypot(px - last[0], py - last[1]) >= 2) L.push([px, py]);
      plane.dirty = true;
      return;
    }
    if (plane.down) {
      const [qx, qy] = plane.down.p;
      if (!plane.down.panned && Math.hypot(px - qx, py - qy) < 5) return; // still a click
      plane.down.panned = true;
      plane.view = panView(plane.down.view, plane.W, plane.H, px - qx, py - qy);
      plane.hideTip();
      plane.dirty = true;
      return;
    }
    if (plane.markersMode) return; // the drag page's plane is for dragging: no tooltips over it
    const i = plane.pick(px, py);
    if (i !== plane.hover) { plane.hover = i; plane.dirty = true; plane.tellLinked(i); }
    plane.showTip(i, px, py);
    if (i < 0 && plane.d.preview && !plane.markersMode) plane.decodeInset(plane.fromPx(px, py), "g(z) under the cursor");
  });
  const end = (e) => {
    try { cv.releasePointerCapture(e.pointerId); } catch (_) { /* already released */ }
    if (plane.dragging >= 0) { plane.release(); return; }
    if (plane.lasso) { plane.finishLasso(e.type === "pointerup" ? pos(e) : null); return; }
    if (!plane.down) return;
    const dn = plane.down;
    plane.down = null;
    if (dn.panned) { plane.needBase = true; plane.dirty = true; return; } // redraw the base at the new view
    if (e.type !== "pointerup") return;
    const [px, py] = pos(e);
    plane.click(px, py);
  };
  cv.addEventListener("pointerup", end);
  cv.addEventListener("pointercancel", end);
  cv.addEventListener("pointerleave", () => {
    if (plane.down || plane.dragging >= 0) return;
    plane.hover = -1; plane.hideTip(); plane.dirty = true; plane.tellLinked(-1);
  });
  cv.addEventListener("dblclick", (e) => { e.preventDefault(); plane.resetView(); });
  cv.addEventListener("wheel", (e) => {
    if (!plane.m || !plane.view) return;
    e.preventDefault(); // zoom the plane, not the page
    const [px, py] = pos(e), [x, y] = plane.fromPx(px, py);
    plane.view = zoomView(plane.view, x, y, wheelFactor(e.deltaY));
    plane.requestBase();
  }, { passive: false });
}

/** @param {Plane} plane */
export function hideTip(plane) {
  plane.hover = -1;
  plane.tip.style.display = "none";
}

/** @param {Plane} plane */
export function showTip(plane, i, px, py) {
  const m = plane.m;
  if (i < 0) { plane.tip.style.display = "none"; return; }
  plane.tipText.textContent = `${m.class_names[m.lab[i]] ?? m.lab[i]} · #${i}`;
  const shape = m.image_shape;
  if (shape && m.images_url) {
    plane.tipImg.style.display = "";
    loadImages(m.images_url).then((imgs) => { if (plane.hover === i) drawTipImage(plane, imgs, i, shape); })
      .catch(() => { plane.tipImg.style.display = "none"; });
  } else {
    plane.tipImg.style.display = "none";
  }
  plane.tip.style.display = "block";
  const tw = plane.tip.offsetWidth || 120, th = plane.tip.offsetHeight || 120;
  plane.tip.style.left = Math.min(px + 16, plane.W - tw - 4) + "px";
  plane.tip.style.top = (py - th - 12 > 0 ? py - th - 12 : py + 16) + "px";
}

/** @param {Plane} plane */
export function drawTipImage(plane, imgs, i, shape) {
  const [C, H, W] = shape, D = C * H * W, cv = plane.tipImg, S = (plane.d && plane.d.presenter) ? 112 : 84;
  const small = plane.tipSmall || (plane.tipSmall = document.createElement("canvas"));
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
/** @param {Plane} plane */
export function click(plane, px, py) {
  const t0 = performance.now();
  const [x, y] = plane.fromPx(px, py);
  const index = plane.pick(px, py);
  plane.seq += 1;
  LP.stats.clicks += 1;
  LP.timing.lastClickAt = t0;
  const xy = index >= 0 ? [plane.m.pts[2 * index], plane.m.pts[2 * index + 1]] : [x, y];
  plane.pending = { xy, seq: plane.seq };
  plane.dirty = true;
  // Exact where the plane is the latent space itself (k ≤ 2); a PCA view decodes its inverse map.
  const exact = plane.m.linear_map && plane.m.linear_map.mean.length <= 2;
  const caption = !exact ? "g(z) here (PCA inverse), decoded in your browser"
    : index >= 0 ? `x̂ of #${index}, decoded in your browser` : "g(z) here, decoded in your browser";
  if (plane.decodeInset(xy, caption)) {
    LP.stats.instant += 1;
    LP.stats.instantMs += performance.now() - t0;
    plane.inset.dataset.seq = String(plane.seq);
  }
  if (plane.setStateValue && !plane.d.local) { // data.local: the page has no panel to answer a click
    plane.setStateValue("click", { x: +x.toFixed(6), y: +y.toFixed(6), index, seq: plane.seq, nonce: plane.nonce,
      url: plane.d.url });
  }
}

// `data.link`: planes of the same split under different models share a link name; hovering an
// example here rings the same example on the others (their point i is this plane's point i).
/** @param {Plane} plane */
export function tellLinked(plane, i) {
  const link = plane.d && plane.d.link;
  if (!link || !plane.m) return;
  for (const other of LP.instances) {
    if (other === plane || other.dead || !other.d || other.d.link !== link || !other.m || other.m.n !== plane.m.n) continue;
    if (other.linkedHover !== i) { other.linkedHover = i; other.dirty = true; }
  }
}
