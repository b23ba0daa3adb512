// Drawing pad: the user draws an input (white ink on black, as the image data sets are) with a
// brush or an eraser; Python gets the drawing as a small grey bitmap and encodes it.
//
// While the user draws, the bitmap goes to Python every SEND_MS (and once more when the stroke
// ends): the page's panel, the marker on the latent plane and the reconstruction follow the pen.
// At most one update is in flight per SEND_MS; Python normalises the bitmap the way its data set
// was made (aecore/data/inputs.py), so the pad itself can stay one size for every model.

import { mountInstance } from "../shared.js";

const DP = (window.__lldraw = window.__lldraw || { instances: [], last: null, sends: 0 });

// The bitmap sent: OUT × OUT grey levels (4× MNIST's 28: enough for its 20 × 20 box after the crop).
const OUT = 112;
const SEND_MS = 150;

class DrawPad {
  constructor(root) {
    this.root = root;
    root.innerHTML = `
      <div class="lldraw-wrap">
        <canvas class="lldraw-canvas" data-testid="lldraw-canvas"></canvas>
        <div class="lldraw-tools">
          <button type="button" data-tool="brush" class="on" aria-pressed="true">Brush</button>
          <button type="button" data-tool="eraser" aria-pressed="false">Eraser</button>
          <button type="button" data-act="clear">Clear</button>
        </div>
        <div class="lldraw-hint"></div>
      </div>`;
    this.canvas = root.querySelector("canvas");
    this.hint = root.querySelector(".lldraw-hint");
    this.tool = "brush";
    this.seq = 0;
    this.nonce = Math.random().toString(36).slice(2);
    this.last = null; // the previous pointer position of the stroke being drawn
    this.lastSent = 0;
    this.timer = null;
    this.ink = false; // anything drawn since the last clear
    root.querySelectorAll("[data-tool]").forEach((b) => b.addEventListener("click", () => {
      this.tool = b.dataset.tool;
      root.querySelectorAll("[data-tool]").forEach((x) => {
        x.classList.toggle("on", x === b);
        x.setAttribute("aria-pressed", String(x === b));
      });
    }));
    // A picture to a screen reader (the pen is a pointer's job): named by what it is and holds.
    this.canvas.setAttribute("role", "img");
    this.describe();
    root.querySelector("[data-act='clear']").addEventListener("click", () => this.clear());
    const cv = this.canvas;
    const pos = (e) => { const r = cv.getBoundingClientRect(); return [(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height]; };
    cv.addEventListener("pointerdown", (e) => {
      cv.setPointerCapture(e.pointerId);
      this.last = pos(e);
      this.stroke(this.last, this.last);
    });
    cv.addEventListener("pointermove", (e) => {
      if (!this.last) return;
      const p = pos(e);
      this.stroke(this.last, p);
      this.last = p;
    });
    const end = () => { if (this.last) { this.last = null; this.send(true); } };
    cv.addEventListener("pointerup", end);
    cv.addEventListener("pointercancel", end);
    cv.style.touchAction = "none"; // a finger or a pen draws; it does not scroll the page
  }

  update(data, setStateValue) {
    this.setStateValue = setStateValue;
    this.d = data;
    const S = Math.round(data.size || 280), dpr = window.devicePixelRatio || 1;
    if (this.S !== S) {
      this.S = S;
      this.canvas.style.width = this.canvas.style.height = S + "px";
      this.canvas.width = this.canvas.height = Math.round(S * dpr);
      this.fill();
    }
    this.hint.textContent = data.hint || "";
    this.describe();
  }

  // The canvas's accessible name: what the pad is (data.label, from Python), its size, and whether
  // anything is drawn on it.
  describe() {
    const what = (this.d && this.d.label) || "Drawing pad: draw with the mouse, a pen or a finger, white ink on black";
    const size = this.S ? `, ${this.S} by ${this.S} pixels` : "";
    const name = `${what}${size}; ${this.ink ? "holds a drawing" : "empty"}`;
    if (this.canvas.getAttribute("aria-label") !== name) this.canvas.setAttribute("aria-label", name);
  }

  fill() {
    const g = this.canvas.getContext("2d");
    g.fillStyle = "#000";
    g.fillRect(0, 0, this.canvas.width, this.canvas.height);
  }

  // One segment of a stroke, from a to b (fractions of the pad). The brush is 1/11 of the pad wide:
  // after the crop to the digit's box, about MNIST's stroke width.
  stroke(a, b) {
    const g = this.canvas.getContext("2d"), W = this.canvas.width;
    g.lineCap = g.lineJoin = "round";
    g.strokeStyle = this.tool === "eraser" ? "#000" : "#fff";
    g.lineWidth = W * (this.tool === "eraser" ? 0.16 : (this.d && this.d.brush) || 1 / 11);
    g.beginPath();
    g.moveTo(a[0] * W, a[1] * W);
    g.lineTo(b[0] * W, b[1] * W);
    g.stroke();
    if (this.tool === "brush" && !this.ink) { this.ink = true; this.describe(); }
    this.send(false);
  }

  clear() {
    this.fill();
    this.ink = false;
    this.describe();
    this.send(true);
  }

  // The drawing as OUT × OUT grey levels, base64 (null when nothing is drawn).
  bitmap() {
    if (!this.ink) return null;
    const c = (this.small = this.small || document.createElement("canvas"));
    c.width = c.height = OUT;
    const g = c.getContext("2d", { willReadFrequently: true });
    g.imageSmoothingEnabled = true;
    g.imageSmoothingQuality = "high";
    g.drawImage(this.canvas, 0, 0, OUT, OUT);
    const px = g.getImageData(0, 0, OUT, OUT).data;
    let s = "", any = false;
    for (let i = 0; i < px.length; i += 4) { s += String.fromCharCode(px[i]); if (px[i] > 12) any = true; }
    return any ? btoa(s) : null;
  }

  // To Python: at once at the end of a stroke (or a clear), else at most every SEND_MS.
  send(now) {
    if (!this.setStateValue) return;
    const t = performance.now();
    if (!now && t - this.lastSent < SEND_MS) {
      if (!this.timer) this.timer = setTimeout(() => { this.timer = null; this.send(true); }, SEND_MS - (t - this.lastSent));
      return;
    }
    clearTimeout(this.timer);
    this.timer = null;
    this.lastSent = t;
    this.seq += 1;
    DP.sends += 1;
    this.setStateValue("ink", { bitmap: this.bitmap(), size: OUT, seq: this.seq, nonce: this.nonce });
  }

  destroy() { clearTimeout(this.timer); this.dead = true; }
}

export default (component) => mountInstance(component, "lldraw", DP, (root) => new DrawPad(root));
