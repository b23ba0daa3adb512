// The code grid: an image as a VQ-VAE sees it (a grid of code indices) beside x and x̂. Click a cell,
// then a code in the codebook below (or use the keyboard): the cell takes that code and x̂ is decoded
// again here, in the browser, by decoder.js (the same decoder the latent plane runs). Nothing goes
// back to Python: the edit is the lesson, and it must follow the click within a frame.
//
// Keyboard: the grid is one tab stop (arrows move the selected cell; "[" and "]" step its code
// down and up); the codebook another (arrows move, Enter or Space gives its code to the selected cell);
// "Reset" restores the image's own codes.

import { fetchOnce, mountInstance } from "../shared.js";
import { decode, makeDecoder } from "../latent_plane/decoder.js";
import { codeColour, greyToRgba, gridInput } from "./codes.js";

const CG = (window.__llcodes = window.__llcodes || { instances: [], last: null, decoders: new Map(), times: [], decodes: 0 });

const loadDecoder = (manifest) => fetchOnce(CG.decoders, manifest.weights_url,
  async (r) => makeDecoder(manifest, new Float32Array(await r.arrayBuffer())));

class CodeGrid {
  constructor(root) {
    this.root = root;
    this.dead = false;
    this.sel = 0; // the selected cell (row-major)
    this.focusCode = 0; // the codebook's keyboard position
    this.dec = null;
    this.sig = null; // the data this instance shows (a new example or model rebuilds it)
  }

  update(data) {
    const sig = `${data.model}|${data.example}|${data.presenter}|${data.cell}|${data.image_px}|${data.patch_px}`;
    if (sig === this.sig) return;
    this.sig = sig;
    const same = this.d && this.d.model === data.model && this.d.example === data.example;
    this.d = data;
    this.own = Int32Array.from(data.indices); // the image's own codes
    // the grid as edited: kept when only the sizes changed (a new window, a projector plugged in)
    if (!same) this.codes = Int32Array.from(data.indices);
    this.sel = Math.min(this.sel, this.codes.length - 1);
    this.build();
    this.drawImage(this.xCanvas, data.x);
    this.drawImage(this.xhatCanvas, data.xhat); // Python's x̂ until the browser's decoder is ready (then the edited grid's)
    this.dec = null;
    loadDecoder(data.manifest).then((dec) => {
      if (this.dead || this.d !== data) return;
      this.dec = dec;
      this.input = new Float32Array(dec.k);
      this.redecode("ready");
    }).catch((e) => { this.say(`The decoder could not be loaded (${e.message}): x̂ shows Python's decoding.`); });
  }

  build() {
    const d = this.d, cell = d.cell, img = d.image_px;
    this.root.classList.toggle("llcodes-big", !!d.presenter);
    this.root.innerHTML = `
      <div class="llcodes-row" data-testid="llcodes-row">
        <figure><canvas class="llcodes-img llcodes-x" width="${d.image_shape[2]}" height="${d.image_shape[1]}"
          style="width:${img}px;height:${img}px" role="img" aria-label="x, the input image"></canvas>
          <figcaption>x: the input</figcaption></figure>
        <figure><div class="llcodes-grid" role="group" data-ll-keys="own" data-testid="llcodes-grid"
          aria-label="The image's ${d.h} by ${d.w} grid of codes. Arrow keys move the selected cell; [ and ] change its code."
          style="grid-template-columns:repeat(${d.w}, ${cell}px);grid-auto-rows:${cell}px"></div>
          <figcaption>its ${d.h}×${d.w} codes (one of ${d.k} each)</figcaption></figure>
        <figure><canvas class="llcodes-img llcodes-xhat" data-testid="llcodes-xhat" width="${d.image_shape[2]}"
          height="${d.image_shape[1]}" style="width:${img}px;height:${img}px" role="img"
          aria-label="x hat, the image decoded from the grid of codes"></canvas>
          <figcaption>x̂ = g(codes), decoded in your browser</figcaption></figure>
      </div>
      <div class="llcodes-tools">
        <button type="button" data-act="reset">Reset to the image's codes</button>
        <span class="llcodes-status" aria-live="polite" data-testid="llcodes-status"></span>
      </div>
      <div class="llcodes-hint">The codebook: each code drawn as the average input patch under the cells that
        picked it (on the test set), its index under it. Click one to put it in the selected cell.</div>
      <div class="llcodes-palette" role="group" data-ll-keys="own" data-testid="llcodes-palette" aria-label="The codebook, ${d.k} codes"
        style="grid-template-columns:${d.palette_cols ? `repeat(${d.palette_cols}, minmax(0, 1fr))`
          : `repeat(auto-fill, minmax(${Math.max(d.patch_w * d.patch_px, 30) + 6}px, 1fr))`}"></div>`;
    this.xCanvas = this.root.querySelector(".llcodes-x");
    this.xhatCanvas = this.root.querySelector(".llcodes-xhat");
    this.status = this.root.querySelector(".llcodes-status");
    const grid = this.root.querySelector(".llcodes-grid");
    this.cells = [];
    for (let p = 0; p < this.codes.length; p++) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "llcodes-cell";
      b.dataset.cell = String(p);
      b.addEventListener("click", () => this.select(p, true));
      // Focus follows the selection and the selection follows focus (Tab, or a screen reader's cursor).
      b.addEventListener("focus", () => { if (this.sel !== p) this.select(p, false); });
      b.addEventListener("keydown", (e) => this.gridKey(e));
      grid.appendChild(b);
      this.cells.push(b);
    }
    const pal = this.root.querySelector(".llcodes-palette");
    this.chips = [];
    const [ph, pw] = [d.patch_h, d.patch_w], zoom = d.patch_px;
    for (let c = 0; c < d.k; c++) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "llcodes-code" + (d.counts[c] ? "" : " unused");
      b.dataset.code = String(c);
      b.tabIndex = c === this.focusCode ? 0 : -1;
      b.setAttribute("aria-label", `code ${c}, used ${d.counts[c]} times`);
      b.title = `code ${c}: picked by ${d.counts[c].toLocaleString()} cells of the test set`;
      const cv = document.createElement("canvas");
      cv.width = pw; cv.height = ph;
      cv.style.width = `${pw * zoom}px`; cv.style.height = `${ph * zoom}px`;
      const ctx = cv.getContext("2d");
      const patch = d.patches.slice(c * ph * pw, (c + 1) * ph * pw).map((v) => v / 255);
      ctx.putImageData(new ImageData(greyToRgba(patch), pw, ph), 0, 0);
      const label = document.createElement("span");
      label.textContent = String(c);
      label.style.background = codeColour(c);
      label.style.padding = "0 3px";
      label.style.borderRadius = "3px";
      b.append(cv, label);
      b.addEventListener("click", () => this.assign(c));
      b.addEventListener("keydown", (e) => this.paletteKey(e, c));
      pal.appendChild(b);
      this.chips.push(b);
    }
    this.root.querySelector("[data-act='reset']").addEventListener("click", () => {
      this.codes.set(this.own);
      this.redecode("reset");
    });
    this.paintCells();
  }

  paintCells() {
    this.cells.forEach((b, p) => {
      const c = this.codes[p];
      b.textContent = String(c);
      b.style.background = codeColour(c);
      b.classList.toggle("sel", p === this.sel);
      b.classList.toggle("changed", c !== this.own[p]);
      b.tabIndex = p === this.sel ? 0 : -1;
      const [i, j] = [Math.floor(p / this.d.w), p % this.d.w];
      b.setAttribute("aria-label", `row ${i + 1}, column ${j + 1}: code ${c}${c !== this.own[p] ? ` (was ${this.own[p]})` : ""}`);
      b.setAttribute("aria-pressed", String(p === this.sel));
    });
    const cur = this.codes[this.sel];
    this.chips.forEach((b, c) => b.classList.toggle("cur", c === cur));
  }

  select(p, focus) {
    this.sel = p;
    this.paintCells();
    if (focus) this.cells[p].focus();
    const [i, j] = [Math.floor(p / this.d.w), p % this.d.w];
    this.say(`Selected row ${i + 1}, column ${j + 1} (code ${this.codes[p]}). Pick a code below, or press [ or ].`);
  }

  gridKey(e) {
    const { h, w, k } = this.d;
    let [i, j] = [Math.floor(this.sel / w), this.sel % w];
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (e.key in moves) {
      i = Math.min(h - 1, Math.max(0, i + moves[e.key][0]));
      j = Math.min(w - 1, Math.max(0, j + moves[e.key][1]));
      this.select(i * w + j, true);
    } else if (e.key === "[" || e.key === "]") {
      this.assign((this.codes[this.sel] + (e.key === "]" ? 1 : k - 1)) % k);
    } else {
      return;
    }
    e.preventDefault();
    e.stopPropagation(); // the page's clicker keys must not also step the lecture
  }

  paletteKey(e, c) {
    const k = this.d.k;
    // As many codes to a row as the width holds (auto-fill): a row's length is read off the layout.
    const cols = getComputedStyle(this.chips[0].parentElement).gridTemplateColumns.split(" ").length;
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -cols, ArrowDown: cols };
    if (!(e.key in moves)) return;
    const n = Math.min(k - 1, Math.max(0, c + moves[e.key]));
    this.chips[c].tabIndex = -1;
    this.chips[n].tabIndex = 0;
    this.chips[n].focus();
    this.focusCode = n;
    e.preventDefault();
    e.stopPropagation();
  }

  assign(c) {
    const was = this.codes[this.sel];
    this.codes[this.sel] = c;
    this.redecode(`code ${was} → ${c}`);
  }

  redecode(why) {
    this.paintCells();
    if (!this.dec) {
      this.say("Loading the decoder…");
      return;
    }
    const t0 = performance.now();
    const d = this.d;
    gridInput(d.codebook, d.dim, this.codes, d.h, d.w, this.input);
    const xhat = decode(this.dec, this.input);
    this.drawImage(this.xhatCanvas, xhat);
    const ms = performance.now() - t0;
    CG.times.push(ms);
    CG.decodes += 1;
    const changed = this.codes.reduce((n, c, p) => n + (c !== this.own[p] ? 1 : 0), 0);
    if (why !== "ready") {
      this.say(`${why === "reset" ? "Back to the image's own codes" : why}: ${changed} of ${this.codes.length} cells ` +
        `changed, decoded in ${ms.toFixed(1)} ms.`);
    }
  }

  drawImage(canvas, values) {
    const [, hh, ww] = this.d.image_shape;
    canvas.getContext("2d").putImageData(new ImageData(greyToRgba(values), ww, hh), 0, 0);
  }

  say(text) { if (this.status) this.status.textContent = text; }

  destroy() { this.dead = true; }
}

// The test interface (labtools and the browser tests read nothing else).
CG.test = {
  last: () => CG.last,
  codes: () => Array.from(CG.last.codes),
  ready: () => !!(CG.last && CG.last.dec),
  xhat: () => Array.from(CG.last.xhatCanvas.getContext("2d").getImageData(0, 0, CG.last.xhatCanvas.width,
    CG.last.xhatCanvas.height).data.filter((_, i) => i % 4 === 0)),
  times: () => CG.times.slice(),
  // A person's two clicks (the cell's button, then the code's), timed from the first click to x̂ drawn:
  // the handlers decode and draw synchronously, so this is the whole delay before the next frame.
  clickTimed: (cell, code) => {
    const g = CG.last, t0 = performance.now();
    g.cells[cell].click();
    g.chips[code].click();
    return performance.now() - t0;
  },
};

export default function (component) {
  return mountInstance(component, "llcodes", CG, (root) => new CodeGrid(root));
}
