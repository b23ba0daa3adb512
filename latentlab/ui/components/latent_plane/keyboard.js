// Latent plane, by keyboard (joined in front of plane.js when the module is served; plane.js calls
// bindKeyboard, drawKeyCursor, describePlane and reducedMotion). Everything a mouse does on the plane,
// for a person who cannot use one or whose screen reader drives the page:
//
//   Tab                 focus the plane (a mouse click never focuses it, see below)
//   ← → ↑ ↓             click mode: move the cursor; markers mode: move the chosen marker
//   Shift + arrows      five times the step (a step is 2 % of the view's width)
//   A / B (or 1 / 2)    markers mode: choose the marker the arrows move
//   Enter (or Space)    click mode: decode at the cursor (exactly a click there); markers: send now
//   + / −               zoom in / out around the cursor (or the chosen marker)
//   0                   back to the whole plane
//
// Why a mouse click does not focus the canvas: a lecturer who clicks the plane and then presses the
// clicker (→ is one of its keys, latentlab/ui/components/keys) must step the tour, not move a cursor. So the
// plane owns the arrows only when a person tabbed to it, and the clicker's listener leaves keys on
// a focused [role=application] to it. An aria-live line says where the cursor or marker is after
// each move (once the keys rest), and each decoded image's accessible name follows its z.

const KEY_STEP = 0.02; // a step, as a fraction of the view's width
const KEY_FAST = 5; // Shift
const KEY_ZOOM = 0.8; // + shrinks the view's span by this factor; − grows it by its inverse
const ANNOUNCE_MS = 350; // the live line waits for the keys to rest: one sentence, not one per repeat
const KEY_SEND_MS = 250; // markers mode: Python gets the marker once the arrows rest (a rerun each)

// prefers-reduced-motion: the dragged marker jumps to the pointer instead of gliding (GLIDE_MS).
let motionQuery = null; // one MediaQueryList per page: it follows the setting as it changes
export function reducedMotion() {
  if (!motionQuery && window.matchMedia) motionQuery = window.matchMedia("(prefers-reduced-motion: reduce)");
  return !!(motionQuery && motionQuery.matches);
}

// "0.20" and "−1.40" (a true minus sign: screen readers say "minus", not "hyphen").
const kbNum = (v) => (Math.abs(v) < 0.005 ? 0 : v).toFixed(2).replace("-", "−");

// A plane point as words: "z = (0.20, −1.40)" where the plane is the latent space itself (k = 2),
// else by the axes' own names ("PC 1 0.20, PC 2 −1.40").
export function kbWhere(p, xy) {
  const m = p.m, lm = m && m.linear_map;
  if (!m || (lm && lm.mean.length <= 2) || !m.axis_titles) return `z = (${kbNum(xy[0])}, ${kbNum(xy[1])})`;
  const [a, b] = m.axis_titles;
  return `${a} ${kbNum(xy[0])}, ${b} ${kbNum(xy[1])}`;
}

// The canvas's accessible name: what it shows and how to use it, from the page data (the model's
// name: data.label, else the exported decoder's) and the loaded plane (codes, classes).
export function describePlane(p) {
  const d = p.d || {}, m = p.m, cv = p.canvas;
  const who = d.label || (d.manifest && d.manifest.name) || "";
  let text = who ? `Latent plane of ${who}` : "Latent plane";
  if (m) {
    const k = new Set(m.lab).size;
    text += `: ${m.n.toLocaleString("en")} codes, ${k} ${k === 1 ? "class" : "classes"}`;
  }
  text += p.markersMode
    ? `; arrow keys move marker ${"AB"[p.kb.marker]}${(d.n_markers || 1) > 1 ? ", A or B chooses it" : ""}`
    : d.local ? "; arrow keys move the cursor" : "; arrow keys move the cursor, Enter decodes";
  if (cv.getAttribute("aria-label") !== text) cv.setAttribute("aria-label", text);
  p.kb.keys.textContent = p.markersMode
    ? `Keys: arrows move ${"AB"[p.kb.marker]} (Shift: faster)${(d.n_markers || 1) > 1 ? " · A / B choose the marker" : ""} · + − zoom · 0 whole plane`
    : `Keys: arrows move the cursor (Shift: faster)${d.local ? "" : " · Enter decodes there"} · + − zoom · 0 whole plane`;
  // The decoded panels (markers mode) are pictures too: named by the z they show.
  if (p.markersMode && p.markers && p.markers.length) {
    p.decCanvases.forEach((c, i) => {
      if (p.markers[i]) c.setAttribute("aria-label", `decoded image of marker ${"AB"[i]} at ${kbWhere(p, p.markers[i])}`);
    });
  }
}

export function bindKeyboard(p) {
  const cv = p.canvas;
  p.kb = { xy: null, marker: 0, on: false, sayTimer: 0, sendTimer: 0 };
  cv.tabIndex = 0;
  // "application": a screen reader passes the arrow keys through to it instead of reading the page.
  cv.setAttribute("role", "application");
  cv.setAttribute("aria-roledescription", "latent plane");
  cv.setAttribute("aria-label", "Latent plane");
  for (const c of [p.tipImg, p.insetImg, ...p.decCanvases, p.strip]) c.setAttribute("role", "img");
  p.tipImg.setAttribute("aria-label", "the hovered example");
  p.insetImg.setAttribute("aria-label", "decoded image");
  p.strip.setAttribute("aria-label", "images decoded along the line from A to B");
  // Named before any marker exists (describePlane names them by their z once one does).
  p.decCanvases.forEach((c, i) => c.setAttribute("aria-label", `decoded image of marker ${"AB"[i]}`));
  const live = document.createElement("div");
  live.className = "llplane-live";
  live.setAttribute("aria-live", "polite");
  live.setAttribute("data-testid", "llplane-live");
  p.root.appendChild(live);
  p.kb.live = live;
  // The keys, in words, under the plane while it has keyboard focus (plane.css shows it then).
  const keys = document.createElement("div");
  keys.className = "llplane-keys";
  keys.setAttribute("aria-hidden", "true"); // the canvas's name says it already
  p.root.querySelector(".llplane-foot").appendChild(keys);
  p.kb.keys = keys;
  // No focus from a mouse (the header says why); a plane already focused stays focused.
  cv.addEventListener("mousedown", (e) => { if (document.activeElement !== cv && p.root.getRootNode().activeElement !== cv) e.preventDefault(); });
  cv.addEventListener("focus", () => { p.kb.on = true; p.dirty = true; });
  cv.addEventListener("blur", () => { p.kb.on = false; p.dirty = true; });
  cv.addEventListener("keydown", (e) => { if (onPlaneKey(p, e)) { e.preventDefault(); e.stopPropagation(); } });
}

// Say `text` on the live line once the keys have rested.
function kbSay(p, text) {
  clearTimeout(p.kb.sayTimer);
  p.kb.sayTimer = setTimeout(() => { p.kb.live.textContent = text; }, ANNOUNCE_MS);
}

// Keep plane point xy in view: pan by the overshoot (plus a step's margin).
function kbFollow(p, xy) {
  const v = p.view, mx = (v[1] - v[0]) * KEY_STEP, my = (v[3] - v[2]) * KEY_STEP;
  const dx = Math.min(0, xy[0] - (v[0] + mx)) + Math.max(0, xy[0] - (v[1] - mx));
  const dy = Math.min(0, xy[1] - (v[2] + my)) + Math.max(0, xy[1] - (v[3] - my));
  if (dx || dy) { p.view = [v[0] + dx, v[1] + dx, v[2] + dy, v[3] + dy]; p.requestBase(); }
}

// The key's action on plane p; true if the plane used it.
function onPlaneKey(p, e) {
  if (!p.m || !p.view || e.altKey || e.ctrlKey || e.metaKey) return false;
  const kb = p.kb, v = p.view, k = e.key;
  const dir = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[k];
  const nm = (p.d && p.d.n_markers) || 1;
  if (dir) {
    const s = (v[1] - v[0]) * KEY_STEP * (e.shiftKey ? KEY_FAST : 1);
    if (p.markersMode) {
      if (!p.ready || !p.markers.length) return true;
      const i = Math.min(kb.marker, p.markers.length - 1), m = p.markers[i];
      p.markers[i] = [m[0] + dir[0] * s, m[1] + dir[1] * s];
      p.gliding = -1;
      p.newPointer = true;
      kbFollow(p, p.markers[i]);
      clearTimeout(kb.sendTimer);
      kb.sendTimer = setTimeout(() => { if (p.dragging < 0) p.release(); }, KEY_SEND_MS);
      describePlane(p);
      kbSay(p, `${"AB"[i]} at ${kbWhere(p, p.markers[i])}`);
    } else {
      const c = kbCursor(p);
      kb.xy = [c[0] + dir[0] * s, c[1] + dir[1] * s];
      kbFollow(p, kb.xy);
      const [px, py] = p.toPx(...kb.xy), i = p.pick(px, py);
      if (i !== p.hover) { p.hover = i; p.tellLinked(i); }
      p.showTip(i, px, py);
      if (i < 0 && p.d.preview) p.decodeInset(kb.xy, "g(z) under the cursor");
      const m = p.m, what = i >= 0 ? `, on example #${i} (${m.class_names[m.lab[i]] ?? m.lab[i]})` : "";
      kbSay(p, `${kbWhere(p, kb.xy)}${what}`);
    }
    p.dirty = true;
    return true;
  }
  if (k === "Enter" || k === " ") {
    if (e.repeat) return true;
    if (p.markersMode) { clearTimeout(kb.sendTimer); p.release(); return true; }
    const xy = kbCursor(p), [px, py] = p.toPx(...xy);
    p.click(px, py); // the same path as a mouse click: the inset now, Python's panel next
    kbSay(p, `decoded ${kbWhere(p, p.pending ? p.pending.xy : xy)}`);
    return true;
  }
  if (k === "+" || k === "=" || k === "-" || k === "_" || k === "−") {
    const f = k === "+" || k === "=" ? KEY_ZOOM : 1 / KEY_ZOOM;
    const [x, y] = p.markersMode ? p.markers[Math.min(kb.marker, p.markers.length - 1)] : kbCursor(p);
    p.view = [x - (x - v[0]) * f, x + (v[1] - x) * f, y - (y - v[2]) * f, y + (v[3] - y) * f];
    p.requestBase();
    kbSay(p, f < 1 ? "zoomed in" : "zoomed out");
    return true;
  }
  if (k === "0") { p.resetView(); kbSay(p, "whole plane"); return true; }
  if (p.markersMode) {
    const pick = { a: 0, "1": 0, b: 1, "2": 1 }[k.toLowerCase()];
    if (pick === undefined || pick >= nm) return false;
    kb.marker = pick;
    p.dirty = true; // its ring
    describePlane(p);
    kbSay(p, `marker ${"AB"[pick]} at ${kbWhere(p, p.markers[pick])}`);
    return true;
  }
  return false;
}

// Click mode: the cursor, placed on first use where the decoded marker is (if in view), else mid-view.
function kbCursor(p) {
  const v = p.view;
  if (!p.kb.xy) {
    const mk = p.pending ? p.pending.xy : p.d && p.d.marker;
    const inView = mk && mk[0] > v[0] && mk[0] < v[1] && mk[1] > v[2] && mk[1] < v[3];
    p.kb.xy = inView ? mk.slice() : [(v[0] + v[1]) / 2, (v[2] + v[3]) / 2];
  }
  return p.kb.xy;
}

// While the plane has keyboard focus, what the arrows move: in click mode the cursor, a crosshair
// in a square (not the decoded marker's ring); in markers mode a ring around the chosen marker.
// White under blue, the focus ring's colour, so it reads on any class colour.
export function drawKeyCursor(p, g) {
  if (!p.kb || !p.kb.on) return;
  const big = p.d && p.d.presenter ? 1.4 : 1;
  if (p.markersMode) {
    const m = p.markers && p.markers[Math.min(p.kb.marker, p.markers.length - 1)];
    if (!m) return;
    const [px, py] = p.toPx(m[0], m[1]);
    for (const [w, c] of [[6, "#fff"], [3, "#1A5FB4"]]) {
      g.lineWidth = w; g.strokeStyle = c;
      g.beginPath(); g.arc(px, py, 13 * big + 7, 0, 2 * Math.PI); g.stroke();
    }
    return;
  }
  const [px, py] = p.toPx(...kbCursor(p)), r = big * 9;
  for (const [w, c] of [[5, "#fff"], [2.5, "#1A5FB4"]]) {
    g.lineWidth = w; g.strokeStyle = c;
    g.strokeRect(px - r, py - r, 2 * r, 2 * r);
    g.beginPath(); g.moveTo(px - 2 * r, py); g.lineTo(px + 2 * r, py); g.moveTo(px, py - 2 * r); g.lineTo(px, py + 2 * r);
    g.stroke();
  }
}
