// Class labels on the plane and the exported PNG with its legend. Colour alone must not carry the
// class (colour-vision deficiencies; a grey projector): the "Labels" button writes each class's name
// at the middle of its points, and the PNG carries a legend. Also the legend chips under the plane
// (click: hide a class; double-click: select it).

import { LP, VERMILLION } from "./state.js";
import { classCentres } from "./view.js";
import { drawMarker } from "./render.js";

/** @typedef {import("./plane.js").Plane} Plane */

// Each class's centre on the plane (view.js's classCentres), computed once per plane file.
function planeCentres(m) {
  if (!m.centres) m.centres = classCentres(m);
  return m.centres;
}

// The toolbar's "Labels" toggle: aria-pressed says its state to a screen reader, "on" shows it.
export function bindLabelsButton(p, button) {
  p.labelsButton = button;
  p.labelsOn = false;
  button.addEventListener("click", () => {
    p.labelsOn = !p.labelsOn;
    button.setAttribute("aria-pressed", String(p.labelsOn));
    button.classList.toggle("on", p.labelsOn);
    p.dirty = true;
  });
}

// With labels on: each shown class's name at its centre, bold, in its colour on a white halo (it
// reads over dots of any class), at the current view (so it follows every pan and zoom; g is in
// CSS px). A label that would cover one already placed moves up or down by its height. Records what
// it drew as p.drawnLabels ([{name, c, x, y}] in CSS px; the canvas's data-labels: the names).
export function drawClassLabels(p, g) {
  const m = p.m, out = [];
  if (p.labelsOn && m) {
    const fs = p.d && p.d.presenter ? 22 : 16, h = fs + 6;
    g.save();
    g.font = `bold ${fs}px sans-serif`;
    g.textAlign = "center"; g.textBaseline = "middle"; g.lineJoin = "round";
    g.lineWidth = fs / 3; g.strokeStyle = "rgba(255,255,255,0.95)";
    for (const { c, x, y } of planeCentres(m)) {
      if (p.hidden.has(c)) continue;
      const name = String(m.class_names[c] ?? c), w = g.measureText(name).width + 8;
      const [px, py0] = p.toPx(x, y);
      if (px < -w || px > p.W + w || py0 < -h || py0 > p.H + h) continue; // out of view
      const free = (py) => out.every((o) => Math.abs(o.x - px) >= (o.w + w) / 2 || Math.abs(o.y - py) >= h);
      const py = [0, h, -h, 2 * h, -2 * h].map((dy) => py0 + dy).find(free) ?? py0;
      g.strokeText(name, px, py);
      g.fillStyle = m.palette[c % m.palette.length];
      g.fillText(name, px, py);
      out.push({ name, c, x: px, y: py, w });
    }
    g.restore();
  }
  p.drawnLabels = out;
  const names = out.map((o) => o.name).join("|");
  if (p.canvas.dataset.labels !== names) p.canvas.dataset.labels = names;
  return out;
}

// What the plane shows that needs a key, in the order the legend lists it: the model, every shown
// class (colour, name), and the marks a page drew (shading, the "extrapolating" line, the draws).
export function legendItems(p) {
  const m = p.m, d = p.d || {}, items = [];
  const counts = new Map();
  for (const { c } of planeCentres(m)) counts.set(c, true);
  m.class_names.forEach((name, c) => {
    if (counts.has(c) && !p.hidden.has(c)) items.push({ kind: "class", colour: m.palette[c % m.palette.length], text: String(name) });
  });
  if (d.shade && m.dens) items.push({ kind: "shade", text: "shading: density of training codes" });
  if (d.shade && m.contour && m.contour.length) items.push({ kind: "line", colour: VERMILLION, text: "outside this line g extrapolates" });
  const low = (d.marks && d.marks.low) || [], nm = (d.marks && d.marks.xy && d.marks.xy.length) || 0;
  if (nm && low.filter(Boolean).length < nm) items.push({ kind: "cross", text: "a draw among the data" });
  if (nm && low.some(Boolean)) items.push({ kind: "ring", colour: VERMILLION, text: "a draw in low density (almost no data there)" });
  if (d.rect) items.push({ kind: "box", text: "dashed box: the decoded grid's window" });
  if ((d.ab || []).some(Boolean)) items.push({ kind: "ab", text: "A, B: the ends of the interpolation" });
  if (!p.markersMode && (p.pending || d.marker)) items.push({ kind: "target", text: "the decoded z" });
  if ((d.ellipses || []).length) items.push({ kind: "ellipse", text: "q(z|x): 1σ solid, 2σ dashed" });
  return items;
}

// The exported plane (`plane`, drawn at pixel ratio `s`) with its legend under it, on white: a
// title line (the model, and "colour = class"), then one swatch and name per item, in rows that
// wrap at the plane's width. Returns {canvas, items}: items with their swatch centres in the
// canvas's pixels (the browser test reads the colours there).
export function legendCanvas(p, plane, s) {
  const items = legendItems(p), d = p.d || {}, fs = d.presenter ? 22 : 18, pad = 12, r = fs * 0.38;
  const who = d.label || (d.manifest && d.manifest.name) || "";
  const title = (who ? `Latent plane of ${who}` : "Latent plane") + " · colour = class";
  const meas = document.createElement("canvas").getContext("2d");
  meas.font = `${fs}px sans-serif`;
  // Lay out in CSS px first: each item is a swatch, a gap and its text; rows wrap at the width.
  const W = plane.width / s, rowH = fs + 12, boxes = [];
  let x = pad, y = pad + rowH + rowH / 2; // row 0 holds the title
  for (const it of items) {
    const w = 2 * r + 8 + meas.measureText(it.text).width;
    if (x > pad && x + w > W - pad) { x = pad; y += rowH; }
    boxes.push({ ...it, x, y, w, px: null });
    x += w + 22;
  }
  const legendH = (items.length ? y + rowH / 2 : pad + rowH) + pad;
  const out = document.createElement("canvas");
  out.width = plane.width; out.height = plane.height + Math.round(legendH * s);
  const g = out.getContext("2d");
  g.fillStyle = "#fff"; g.fillRect(0, 0, out.width, out.height);
  g.drawImage(plane, 0, 0);
  g.setTransform(s, 0, 0, s, 0, plane.height);
  g.textBaseline = "middle"; g.fillStyle = "#222"; g.font = `bold ${fs}px sans-serif`;
  g.fillText(title, pad, pad + rowH / 2);
  g.font = `${fs}px sans-serif`;
  for (const b of boxes) {
    const cx = b.x + r, cy = b.y;
    g.lineWidth = 2.5;
    if (b.kind === "class") { g.fillStyle = b.colour; g.beginPath(); g.arc(cx, cy, r, 0, 2 * Math.PI); g.fill(); }
    else if (b.kind === "shade") { g.fillStyle = "rgba(40,60,90,0.45)"; g.fillRect(cx - r, cy - r, 2 * r, 2 * r); }
    else if (b.kind === "line") { g.strokeStyle = b.colour; g.beginPath(); g.moveTo(cx - r - 2, cy); g.lineTo(cx + r + 2, cy); g.stroke(); }
    else if (b.kind === "cross") {
      g.strokeStyle = "#000"; g.beginPath();
      g.moveTo(cx - r, cy - r); g.lineTo(cx + r, cy + r); g.moveTo(cx - r, cy + r); g.lineTo(cx + r, cy - r); g.stroke();
    } else if (b.kind === "ring") { g.strokeStyle = b.colour; g.beginPath(); g.arc(cx, cy, r, 0, 2 * Math.PI); g.stroke(); }
    else if (b.kind === "box") {
      g.strokeStyle = "#333"; g.lineWidth = 2; g.setLineDash([4, 3]); g.strokeRect(cx - r, cy - r, 2 * r, 2 * r); g.setLineDash([]);
    } else if (b.kind === "ab") drawMarker(g, cx, cy, 0, r, Math.round(r * 1.2));
    else if (b.kind === "target") {
      g.strokeStyle = "#000"; g.beginPath(); g.arc(cx, cy, r * 0.7, 0, 2 * Math.PI); g.stroke();
      g.beginPath(); g.moveTo(cx - r - 2, cy); g.lineTo(cx + r + 2, cy); g.moveTo(cx, cy - r - 2); g.lineTo(cx, cy + r + 2); g.stroke();
    } else if (b.kind === "ellipse") {
      g.strokeStyle = "#000"; g.lineWidth = 2; g.beginPath(); g.ellipse(cx, cy, r, r * 0.6, 0, 0, 2 * Math.PI); g.stroke();
    }
    g.textBaseline = "middle"; g.textAlign = "start";
    g.fillStyle = "#222";
    g.fillText(b.text, b.x + 2 * r + 8, cy);
    b.px = [Math.round(cx * s), Math.round(plane.height + cy * s)];
  }
  return { canvas: out, items: boxes.map(({ kind, colour, text, px }) => ({ kind, colour, text, px })) };
}

/** @param {Plane} plane */
export function buildLegend(plane) {
  const m = plane.m;
  const counts = new Map();
  for (let i = 0; i < m.n; i++) counts.set(m.lab[i], (counts.get(m.lab[i]) || 0) + 1);
  plane.legend.innerHTML = "";
  m.class_names.forEach((name, c) => {
    if (!counts.has(c)) return;
    const chip = document.createElement("button");
    chip.type = "button";
    chip.className = "llplane-chip";
    chip.title = plane.d && plane.d.select ? "Click to hide or show plane class; double-click to select it"
      : "Click to hide or show plane class";
    chip.innerHTML = `<i style="background:${m.palette[c % m.palette.length]}"></i>`;
    chip.appendChild(document.createTextNode(name));
    chip.addEventListener("click", () => {
      if (plane.hidden.has(c)) plane.hidden.delete(c); else plane.hidden.add(c);
      chip.classList.toggle("off", plane.hidden.has(c));
      plane.needBase = true; plane.dirty = true;
    });
    // A double-click (its two clicks hid and showed the class again) selects the whole class.
    chip.addEventListener("dblclick", () => {
      if (!plane.d || !plane.d.select) return;
      const idx = [];
      for (let i = 0; i < m.n; i++) if (m.lab[i] === c) idx.push(i);
      plane.setSelection(idx, null, { cls: c });
    });
    plane.legend.appendChild(chip);
  });
}

// The plane as a PNG at twice its size on screen (a slide's resolution), downloaded: the same
// drawing code (class labels included when they are on), run once into an offscreen canvas at a
// pixel ratio of 2, with a legend drawn under it.
/** @param {Plane} plane */
export function exportPng(plane) {
  if (!plane.m || !plane.view) return;
  const saved = { canvas: plane.canvas, dpr: plane.dpr, base: plane.base, baseView: plane.baseView };
  const off = document.createElement("canvas");
  off.width = 2 * plane.W; off.height = 2 * plane.H;
  try {
    Object.assign(plane, { canvas: off, dpr: 2, base: null });
    plane.drawBase();
    plane.frame();
  } finally {
    Object.assign(plane, saved);
    plane.needBase = true; plane.dirty = true; // the hit grid and the base again at screen resolution
  }
  // The legend under the plane (legendCanvas): a slide made from the PNG reads without the app.
  const { canvas: out, items } = legendCanvas(plane, off, 2);
  LP.lastExport = { width: out.width, height: out.height, planeWidth: off.width, planeHeight: off.height,
    cssWidth: plane.W, cssHeight: plane.H, legend: items, labels: (plane.drawnLabels || []).map((l) => l.name) };
  out.toBlob((blob) => {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "latent-plane.png";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }, "image/png");
}
