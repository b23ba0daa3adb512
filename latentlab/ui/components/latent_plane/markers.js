// Markers mode (drag to decode): the decoded panels and the A → B strip, laid out and drawn every
// animation frame by the browser decoder; the glide of a dragged marker; the positions to Python
// (the channel while dragging, component state on release); the frames-per-second line.

import { LP, GLIDE_MS, forward } from "./state.js";
import { drawMarker } from "./render.js";
import { glideStep } from "./view.js";
import { reducedMotion } from "./keyboard.js";

/** @typedef {import("./plane.js").Plane} Plane */

// Markers mode: which decoded panels show (B and the strip with two markers), and their captions.
/** @param {Plane} plane */
export function showPanels(plane) {
  const d = plane.d;
  if (d.mode !== "markers") return;
  plane.figs[0].style.display = d.manifest ? "" : "none";
  const two = (d.n_markers || 1) > 1 && d.image_shape !== null && !!d.manifest;
  plane.figs[1].style.display = two ? "" : "none";
  plane.stripBox.style.display = two ? "" : "none";
  plane.figs[0].querySelector("figcaption").textContent = d.image_shape ? "A"
    : (d.n_markers || 1) > 1 ? "x̂ = g(z) for A (black), B (white) and the line between" : "x̂ = g(z) for A";
  plane.mode.textContent = plane.m ? d.mode_text || "" : "Loading the latent plane and the decoder…";
}

// The decoded-image panels and the strip (markers mode). Decoded images live in canvases of
// their own resolution (28 x 28 for MNIST), scaled up by the compositor (CSS, pixelated): a frame
// writes 784 pixels per image instead of drawing a scaled copy into 240 x 240 (~0.8 ms less
// Chromium CPU per frame). Point-cloud models draw a plot in the first panel, at screen resolution.
/** @param {Plane} plane */
export function layoutPanels(plane, P) {
  const d = plane.d, dpr = window.devicePixelRatio || 1, n = d.strip_n || 9;
  const [, H, W] = d.image_shape || [0, 0, 0];
  for (const c of plane.decCanvases) {
    c.style.width = P + "px";
    c.style.height = (W ? Math.round(P * H / W) : P) + "px";
    c.width = W || Math.round(P * dpr);
    c.height = H || Math.round(P * dpr);
  }
  const cell = Math.max(28, Math.min(d.strip_cell || 60, Math.floor((2 * P + 16) / n)));
  const cellH = W ? Math.round(cell * H / W) : cell;
  for (const el of [plane.strip, plane.stripGrid]) {
    el.style.width = cell * n + "px";
    el.style.height = cellH + "px";
  }
  // The white gaps between the strip's cells: a static overlay, never repainted during a drag.
  plane.stripGrid.style.backgroundSize = cell + "px 100%";
  plane.strip.width = Math.max(1, W) * n;
  plane.strip.height = Math.max(1, H);
  // A resized canvas is cleared to opaque black: start from white until the first frame draws.
  for (const c of [...plane.decCanvases, plane.strip]) {
    const g = c.getContext("2d");
    g.fillStyle = "#fff";
    g.fillRect(0, 0, c.width, c.height);
  }
}

// Markers mode, every frame: each marker's decoding, and the A → B strip.
/** @param {Plane} plane */
export function decodeAll(plane) {
  LP.stats.frames += 1;
  if (plane.newPointer) LP.stats.pointerFrames += 1;
  plane.newPointer = false;
  const d = plane.d;
  if (d.image_shape) {
    if ((d.n_markers || 1) > 1) {
      // The strip's two ends are A and B themselves: draw those into the big panels too, so a
      // frame costs strip_n decodes, not strip_n + 2.
      const g = plane.strip.getContext("2d");
      const n = Math.max(2, d.strip_n || 9), [a, b] = plane.markers;
      for (let s = 0; s < n; s++) {
        const t = s / (n - 1);
        const img = plane.toImageData(forward(plane.dec, plane.toLatent([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])])));
        g.putImageData(img, s * img.width, 0);
        if (s === 0) plane.decCanvases[0].getContext("2d").putImageData(img, 0, 0);
        if (s === n - 1) plane.decCanvases[1].getContext("2d").putImageData(img, 0, 0);
      }
    } else {
      const x = forward(plane.dec, plane.toLatent(plane.markers[0]));
      plane.decCanvases[0].getContext("2d").putImageData(plane.toImageData(x), 0, 0);
    }
  } else {
    drawPoints(plane);
  }
}

// Point-cloud models: the decoded x-hat drawn in (a 2-D picture of) data space, over the data.
/** @param {Plane} plane */
export function drawPoints(plane) {
  const d = plane.m.data_space, cv = plane.decCanvases[0], dpr = plane.dpr;
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
  const nm = plane.d.n_markers || 1;
  if (nm > 1) {
    const [a, b] = plane.markers, n = 40;
    g.strokeStyle = "#0072B2"; g.lineWidth = 3; g.beginPath();
    for (let s = 0; s < n; s++) {
      const t = s / (n - 1);
      const [px, py] = tp(proj(forward(plane.dec, plane.toLatent([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]))));
      if (s === 0) g.moveTo(px, py); else g.lineTo(px, py);
    }
    g.stroke();
  }
  for (let i = 0; i < nm; i++) {
    const [px, py] = tp(proj(forward(plane.dec, plane.toLatent(plane.markers[i]))));
    drawMarker(g, px, py, i, 9, 11);
  }
  g.fillStyle = "#222"; g.font = "13px sans-serif";
  g.fillText("decoded x̂ = g(z) in data space", 6, 16);
}

// One animation frame of the glide (see GLIDE_MS); `now` is the frame's timestamp.
/** @param {Plane} plane */
export function glide(plane, now) {
  const dt = Math.min(50, Math.max(0, now - (plane.lastNow || now)));
  plane.lastNow = now;
  const i = plane.gliding;
  if (i < 0 || !plane.target || !plane.markers || !plane.view) return;
  const tau = LP.glideMs === undefined ? (reducedMotion() ? 0 : GLIDE_MS) : LP.glideMs;
  const t = plane.target;
  let p = glideStep(plane.markers[i], t, dt, tau);
  const [ax, ay] = plane.toPx(p[0], p[1]), [bx, by] = plane.toPx(t[0], t[1]);
  if (Math.hypot(bx - ax, by - ay) < 0.25) { p = t; plane.gliding = -1; } // within a quarter pixel: arrived
  plane.markers[i] = p;
  plane.dirty = true;
}

/** @param {Plane} plane */
export function release(plane) {
  if (plane.gliding >= 0) { // land exactly where the pointer was let go
    plane.markers[plane.gliding] = plane.target;
    plane.gliding = -1;
    plane.dirty = true;
  }
  plane.dragging = -1;
  send(plane);
  // Belt and braces: a busy server can drop a rerun; confirm the final position once more unless
  // Python echoed it (data.ack), so Python always ends where the mouse did.
  clearTimeout(plane.confirm);
  plane.confirm = setTimeout(() => { if (plane.dragging < 0 && plane.acked < plane.seq) send(plane, true); }, 1500);
}

/** @param {Plane} plane */
export function rounded(plane) {
  return plane.markers.map((m) => [+m[0].toFixed(5), +m[1].toFixed(5)]);
}

// On release: the positions as component state (a rerun of the page's fragment).
/** @param {Plane} plane */
export function send(plane, force = false) {
  const ms = rounded(plane);
  const key = JSON.stringify(ms);
  if ((key === plane.sentKey && !force) || !plane.setStateValue) return;
  plane.sentKey = key;
  plane.seq += 1;
  plane.setStateValue("pos", { markers: ms, seq: plane.seq, sig: plane.d.sig });
}

// During a drag: the positions to the channel; its answer is the readouts' HTML for them.
/** @param {Plane} plane */
export function postFollow(plane) {
  const ms = rounded(plane);
  const key = JSON.stringify(ms);
  if (key === plane.followKey) return;
  const d = plane.d;
  const seq = (plane.followSeq += 1);
  const t0 = performance.now();
  plane.followKey = key;
  plane.followAt = plane.inFlight = t0;
  LP.stats.posts += 1;
  fetch(d.follow_url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: d.follow_token, markers: ms, seq }),
    credentials: "same-origin",
    cache: "no-store",
  })
    .then((r) => r.json().then((j) => {
      if (r.status === 404) plane.followGone = d.follow_token; // server restarted: wait for a rerun's new token
      return r.ok ? j : Promise.reject(new Error(j.error || "HTTP " + r.status));
    }))
    .then((res) => {
      LP.stats.follows += 1;
      LP.stats.followMs += performance.now() - t0;
      // Only the newest answer, and only mid-drag: after the release Python's rerun has the last word.
      if (plane.dragging >= 0 && res.seq === plane.followSeq) plane.showFollow(res.html);
    })
    .catch((e) => {
      LP.stats.followErrors += 1;
      LP.lastFollowError = String(e && e.message);
    })
    .finally(() => { if (seq === plane.followSeq) plane.inFlight = 0; });
}

/** @param {Plane} plane */
export function showFollow(plane, html) {
  if (typeof html !== "string" || html === plane.followShown) return;
  plane.followShown = html;
  plane.follow.innerHTML = html; // Python's own HTML (escaped there), from this app's server only
}

/** @param {Plane} plane */
export function showStatus(plane) {
  if (!plane.markersMode) return;
  // Frames per second while the marker moves: over the span of the frames drawn since the last
  // line, so a pointer held still mid-drag does not read as a slow plane.
  const w = plane.win;
  if (w.n >= 3 && w.last > w.first) plane.shownFps = (1000 * (w.n - 1)) / (w.last - w.first);
  plane.win = { n: 0, first: 0, last: 0 };
  if (!plane.dec) { plane.status.textContent = ""; return; }
  const per = LP.stats.decodes ? LP.stats.decodeMs / LP.stats.decodes : 0;
  plane.status.textContent = `Decoded in your browser (${plane.dec.kernel}): ${per.toFixed(2)} ms per image` +
    (plane.dragging >= 0 && plane.shownFps ? ` · ${plane.shownFps.toFixed(0)} frames/s` : "");
}
