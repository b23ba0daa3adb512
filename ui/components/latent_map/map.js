// Latent map: the explore pages' 2-D latent scatter, drawn on a canvas.
//
// Why not plotly: a 60,000-point plotly figure is ~1.3 MB of JSON that Streamlit re-sends on every
// rerun, so a click took over a second to come back. Here the points, labels and density shading
// are fetched once from a static file (its name carries a content key), hover is answered in the
// browser (with the example's image, from a second static file), and a click sends Python only
// {x, y, index}: the rerun that decodes it carries a few hundred bytes.
//
// Interaction: click anywhere (empty space included) to decode; hover a dot for its image; drag to
// pan, wheel to zoom, double-click or "reset view" to go back; click a legend entry to hide a class.
// Streamlit may call the default export again on every rerun (new `data`): all state lives on the
// root element, so a rerun keeps the view, the hover and the last click.

const LM = (window.__llmap = window.__llmap || {
  instances: [],
  last: null,
  files: new Map(), // URL -> Promise<parsed>; URLs carry content keys, so never stale
  stats: { baseDraws: 0, baseMs: 0, clicks: 0 },
});

function loadMap(url) {
  return fetchOnce(LM.files, url, async (r) => {
    const m = decodePlane(await r.json()); // pts, lab, dens (shared.js)
    if (m.dens) m.contour = contour(m.dens, m.density_n, m.threshold, m.bounds);
    // A fixed shuffle of the drawing order, so no class is always painted on top of the others.
    const order = new Uint32Array(m.n);
    for (let i = 0; i < m.n; i++) order[i] = i;
    let s = 12345;
    for (let i = m.n - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) >>> 0;
      const j = s % (i + 1);
      const t = order[i]; order[i] = order[j]; order[j] = t;
    }
    m.order = order;
    return m;
  });
}

function loadImages(url) {
  return fetchOnce(LM.files, url, async (r) => new Uint8Array(await r.arrayBuffer()));
}

// Marching squares: the iso-line of the density grid at `lvl`, as segments [xa, ya, xb, yb] in plane
// units. Outside it the decoder extrapolates.
function contour(g, n, lvl, bounds) {
  if (lvl === null || lvl === undefined || !(n > 1)) return [];
  const [x0, x1, y0, y1] = bounds, dx = (x1 - x0) / (n - 1), dy = (y1 - y0) / (n - 1);
  const segs = [];
  const CASES = { 1: ["LB"], 2: ["BR"], 3: ["LR"], 4: ["RT"], 5: ["LT", "BR"], 6: ["BT"], 7: ["LT"], 8: ["TL"],
    9: ["TB"], 10: ["TR", "LB"], 11: ["TR"], 12: ["RL"], 13: ["RB"], 14: ["BL"] };
  for (let i = 0; i < n - 1; i++) {
    for (let j = 0; j < n - 1; j++) {
      const a = g[i * n + j], b = g[i * n + j + 1], c = g[(i + 1) * n + j + 1], d = g[(i + 1) * n + j]; // bl br tr tl
      const code = (a > lvl) | ((b > lvl) << 1) | ((c > lvl) << 2) | ((d > lvl) << 3);
      if (code === 0 || code === 15) continue;
      const t = (p, q) => (lvl - p) / (q - p);
      const at = {
        B: () => [x0 + (j + t(a, b)) * dx, y0 + i * dy],
        R: () => [x0 + (j + 1) * dx, y0 + (i + t(b, c)) * dy],
        T: () => [x0 + (j + t(d, c)) * dx, y0 + (i + 1) * dy],
        L: () => [x0 + j * dx, y0 + (i + t(a, d)) * dy],
      };
      for (const e of CASES[code]) segs.push([...at[e[0]](), ...at[e[1]]()]);
    }
  }
  return segs;
}

const VERMILLION = "#D55E00";

class LatentMap {
  constructor(root) {
    this.root = root;
    this.nonce = Math.random().toString(36).slice(2); // tells this page load's clicks from an old one's
    this.seq = 0;
    this.dirty = true;
    this.needBase = true;
    this.hidden = new Set();
    this.hover = -1;
    root.innerHTML = `
      <div class="llmap-box">
        <canvas class="llmap-canvas" data-testid="llmap-canvas"></canvas>
        <div class="llmap-tip" data-testid="llmap-tip"><canvas class="llmap-tipimg"></canvas><div class="llmap-tiptext"></div></div>
        <div class="llmap-msg" data-testid="llmap-msg">Loading the latent map…</div>
      </div>
      <div class="llmap-foot"><div class="llmap-legend"></div>
        <button type="button" class="llmap-reset" title="Back to the whole map (or double-click the plane)">reset view</button>
        <div class="llmap-hint"></div></div>`;
    this.box = root.querySelector(".llmap-box");
    this.canvas = root.querySelector(".llmap-canvas");
    this.tip = root.querySelector(".llmap-tip");
    this.tipImg = root.querySelector(".llmap-tipimg");
    this.tipText = root.querySelector(".llmap-tiptext");
    this.msg = root.querySelector(".llmap-msg");
    this.legend = root.querySelector(".llmap-legend");
    this.hint = root.querySelector(".llmap-hint");
    root.querySelector(".llmap-reset").addEventListener("click", () => this.resetView());
    this.bindPointer();
    this.ro = new ResizeObserver(() => { if (this.m) { this.layout(); } });
    this.ro.observe(root);
    const loop = () => {
      if (this.dead) return;
      if (this.dirty) this.frame();
      this.raf = requestAnimationFrame(loop);
    };
    this.raf = requestAnimationFrame(loop);
  }

  destroy() {
    this.dead = true;
    cancelAnimationFrame(this.raf);
    this.ro.disconnect();
  }

  update(data, setStateValue) {
    this.setStateValue = setStateValue;
    this.d = data;
    this.hint.textContent = data.hint || "";
    if (data.url !== this.url) {
      this.url = data.url;
      this.m = null;
      this.view = null;
      this.hidden.clear();
      this.pending = null;
      this.canvas.dataset.ready = "0";
      this.msg.style.display = "";
      this.msg.textContent = "Loading the latent map…";
      const url = data.url;
      loadMap(url).then((m) => {
        if (this.url !== url) return;
        this.m = m;
        this.msg.style.display = "none";
        this.buildLegend();
        this.layout();
      }).catch((e) => { this.msg.textContent = "Could not load the latent map: " + e.message; });
    }
    // The server's view of the clicked point replaces our provisional marker.
    if (this.pending && data.marker && data.marker_seq === this.pending.seq) this.pending = null;
    const shadeKey = `${!!data.shade}|${data.point_size}|${!!data.presenter}|${data.height}`;
    if (shadeKey !== this.shadeKey) { this.shadeKey = shadeKey; if (this.m) this.layout(); }
    this.dirty = true;
  }

  buildLegend() {
    const m = this.m;
    const counts = new Map();
    for (let i = 0; i < m.n; i++) counts.set(m.lab[i], (counts.get(m.lab[i]) || 0) + 1);
    this.legend.innerHTML = "";
    m.class_names.forEach((name, c) => {
      if (!counts.has(c)) return;
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "llmap-chip";
      chip.title = "Click to hide or show this class";
      chip.innerHTML = `<i style="background:${m.palette[c % m.palette.length]}"></i>${name}`;
      chip.addEventListener("click", () => {
        if (this.hidden.has(c)) this.hidden.delete(c); else this.hidden.add(c);
        chip.classList.toggle("off", this.hidden.has(c));
        this.needBase = true; this.dirty = true;
      });
      this.legend.appendChild(chip);
    });
  }

  layout() {
    const d = this.d || {}, dpr = window.devicePixelRatio || 1;
    const W = Math.max(280, Math.floor(this.root.getBoundingClientRect().width || 600));
    const H = Math.max(280, Math.min(d.height || 600, Math.round(W * 1.1)));
    if (W === this.W && H === this.H && dpr === this.dpr && this.view) { this.needBase = true; this.dirty = true; return; }
    this.W = W; this.H = H; this.dpr = dpr;
    this.canvas.style.width = W + "px";
    this.canvas.style.height = H + "px";
    this.canvas.width = Math.round(W * dpr);
    this.canvas.height = Math.round(H * dpr);
    if (!this.view) this.view = this.fitView(this.m.bounds);
    else this.view = this.fitView([this.view[0], this.view[1], this.view[2], this.view[3]]);
    this.needBase = true;
    this.dirty = true;
  }

  // The window that shows `b` = [x0, x1, y0, y1] whole, with one plane unit equally long on both
  // axes (distances in the picture are honest).
  fitView(b) {
    const [x0, x1, y0, y1] = b, cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    const s = Math.min(this.W / (x1 - x0), this.H / (y1 - y0)); // px per unit
    return [cx - this.W / (2 * s), cx + this.W / (2 * s), cy - this.H / (2 * s), cy + this.H / (2 * s)];
  }

  resetView() {
    if (!this.m) return;
    this.view = this.fitView(this.m.bounds);
    this.needBase = true; this.dirty = true;
  }

  toPx(x, y, v = this.view) {
    return [(x - v[0]) / (v[1] - v[0]) * this.W, (v[3] - y) / (v[3] - v[2]) * this.H];
  }
  fromPx(px, py) {
    const v = this.view;
    return [v[0] + px / this.W * (v[1] - v[0]), v[3] - py / this.H * (v[3] - v[2])];
  }

  radius() {
    const d = this.d || {};
    if (d.point_size) return d.point_size / 2;
    const n = this.m ? this.m.n : 0;
    return (n > 20000 ? 1.8 : n > 5000 ? 2.3 : 3.4) * (d.presenter ? 1.4 : 1);
  }

  sprite(color, r) {
    // One pre-drawn dot per class: 60,000 drawImage calls are several times cheaper than 60,000 arcs.
    const dpr = this.dpr, size = Math.ceil(2 * r * dpr) + 2;
    const c = document.createElement("canvas");
    c.width = c.height = size;
    const g = c.getContext("2d");
    g.fillStyle = color;
    g.beginPath(); g.arc(size / 2, size / 2, r * dpr, 0, 2 * Math.PI); g.fill();
    return c;
  }

  // Everything that does not follow the mouse, drawn once per view into an offscreen canvas.
  drawBase() {
    const t0 = performance.now();
    const m = this.m, d = this.d || {}, W = this.W, H = this.H, dpr = this.dpr;
    const base = (this.base = this.base || document.createElement("canvas"));
    base.width = Math.round(W * dpr); base.height = Math.round(H * dpr);
    this.baseView = this.view.slice();
    const g = base.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.fillStyle = "#ffffff"; g.fillRect(0, 0, W, H);
    const fs = d.presenter ? 17 : 13;
    if (d.shade && m.dens) {
      const n = m.density_n;
      if (!m.densCanvas) {
        const dc = document.createElement("canvas");
        dc.width = dc.height = n;
        const img = dc.getContext("2d").createImageData(n, n);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const v = Math.max(0, m.dens[i * n + j]);
            const o = ((n - 1 - i) * n + j) * 4; // grid row 0 is the bottom
            img.data[o] = 40; img.data[o + 1] = 60; img.data[o + 2] = 90;
            // A low gamma: the faint outskirts matter most here (that is where decodings turn odd).
            img.data[o + 3] = Math.round(255 * 0.45 * Math.pow(v, 0.35));
          }
        }
        dc.getContext("2d").putImageData(img, 0, 0);
        m.densCanvas = dc;
      }
      const [bx0, bx1, by0, by1] = m.bounds, hx = (bx1 - bx0) / (n - 1) / 2, hy = (by1 - by0) / (n - 1) / 2;
      const [ax, ay] = this.toPx(bx0 - hx, by1 + hy), [bx, by] = this.toPx(bx1 + hx, by0 - hy);
      g.imageSmoothingEnabled = true; // the density is smooth by construction: blur is honest here
      g.drawImage(m.densCanvas, ax, ay, bx - ax, by - ay);
    }
    const v = this.view;
    g.strokeStyle = "rgba(0,0,0,0.09)"; g.fillStyle = "#555"; g.font = `${fs}px sans-serif`; g.lineWidth = 1;
    for (const t of niceTicks(v[0], v[1], 7)) {
      const [px] = this.toPx(t, 0);
      g.beginPath(); g.moveTo(px, 0); g.lineTo(px, H); g.stroke();
      if (px > 4 && px < W - 90) g.fillText(String(t), px + 3, H - 5);
    }
    for (const t of niceTicks(v[2], v[3], 7)) {
      const [, py] = this.toPx(0, t);
      g.beginPath(); g.moveTo(0, py); g.lineTo(W, py); g.stroke();
      if (py > fs + 22 && py < H - fs - 6) g.fillText(String(t), 4, py - 3);
    }
    const r = this.radius();
    const alpha = m.n > 20000 ? 0.6 : 0.8;
    const sprites = m.palette.map((c) => this.sprite(c, r));
    const n = m.n, pts = m.pts, lab = m.lab, order = m.order;
    const ppx = (this.ppx = new Float32Array(n)), ppy = (this.ppy = new Float32Array(n));
    const sx = W / (v[1] - v[0]), sy = H / (v[3] - v[2]);
    const sz = sprites[0].width / dpr, off = sz / 2;
    g.globalAlpha = alpha;
    const hidden = this.hidden;
    for (let k = 0; k < n; k++) {
      const i = order[k];
      const px = (pts[2 * i] - v[0]) * sx, py = (v[3] - pts[2 * i + 1]) * sy;
      ppx[i] = px; ppy[i] = py;
      if (hidden.size && hidden.has(lab[i])) { ppx[i] = NaN; continue; }
      if (px < -off || py < -off || px > W + off || py > H + off) continue;
      g.drawImage(sprites[lab[i] % sprites.length], px - off, py - off, sz, sz);
    }
    g.globalAlpha = 1;
    if (d.shade && m.contour && m.contour.length) {
      // Solid: the iso-line is thousands of tiny segments, on which a dash pattern would restart.
      g.strokeStyle = VERMILLION; g.lineWidth = d.presenter ? 3 : 2;
      g.beginPath();
      for (const [xa, ya, xb, yb] of m.contour) {
        const [pa, qa] = this.toPx(xa, ya), [pb, qb] = this.toPx(xb, yb);
        g.moveTo(pa, qa); g.lineTo(pb, qb);
      }
      g.stroke();
    }
    g.font = `bold ${fs + 2}px sans-serif`;
    const at = m.axis_titles || ["z₁", "z₂"];
    // Each axis title on a white backing: a long one ("PC 1 (19% of variance)") lies over the tick
    // labels of its axis, and the two texts garbled each other.
    const titled = (text, x, y) => {
      const w = g.measureText(text).width;
      g.fillStyle = "rgba(255,255,255,0.92)";
      g.fillRect(x - 3, y - fs - 2, w + 6, fs + 8);
      g.fillStyle = "#222"; g.fillText(text, x, y);
    };
    const xTitle = at[0] + " →";
    titled(xTitle, W - 8 - g.measureText(xTitle).width, H - 6);
    titled("↑ " + at[1], 8, fs + 8);
    this.buildHitGrid();
    this.needBase = false;
    this.canvas.dataset.ready = "1";
    this.canvas.dataset.points = String(n);
    LM.stats.baseDraws += 1;
    LM.stats.baseMs += performance.now() - t0;
  }

  // A bucket grid over the canvas (cells of C px) for O(1) hover and click hit tests on 60k points.
  buildHitGrid() {
    const C = 8, n = this.m.n, cols = Math.ceil(this.W / C) + 1, rows = Math.ceil(this.H / C) + 1;
    const cellOf = new Int32Array(n), count = new Int32Array(cols * rows + 1);
    for (let i = 0; i < n; i++) {
      const px = this.ppx[i], py = this.ppy[i];
      if (!(px >= 0 && py >= 0 && px < this.W && py < this.H)) { cellOf[i] = -1; continue; }
      const c = Math.floor(py / C) * cols + Math.floor(px / C);
      cellOf[i] = c; count[c + 1] += 1;
    }
    for (let c = 0; c < cols * rows; c++) count[c + 1] += count[c];
    const items = new Int32Array(count[cols * rows]), fill = count.slice(0, cols * rows);
    for (let i = 0; i < n; i++) if (cellOf[i] >= 0) items[fill[cellOf[i]]++] = i;
    this.hit = { C, cols, rows, start: count, items };
  }

  // The example under (px, py), within a few pixels, or -1.
  pick(px, py) {
    const h = this.hit;
    if (!h) return -1;
    const R = Math.max(5, this.radius() + 3), cx = Math.floor(px / h.C), cy = Math.floor(py / h.C);
    let best = -1, bd = R * R;
    for (let y = cy - 1; y <= cy + 1; y++) {
      if (y < 0 || y >= h.rows) continue;
      for (let x = cx - 1; x <= cx + 1; x++) {
        if (x < 0 || x >= h.cols) continue;
        const c = y * h.cols + x;
        for (let k = h.start[c]; k < h.start[c + 1]; k++) {
          const i = h.items[k], dd = (this.ppx[i] - px) ** 2 + (this.ppy[i] - py) ** 2;
          if (dd <= bd) { bd = dd; best = i; }
        }
      }
    }
    return best;
  }

  frame() {
    if (!this.m || !this.view) return;
    this.dirty = false;
    if (this.needBase) this.drawBase();
    const d = this.d || {}, dpr = this.dpr, g = this.canvas.getContext("2d");
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, this.canvas.width, this.canvas.height);
    // While panning, the base (drawn for baseView) is shifted instead of redrawn.
    const [ox, oy] = this.toPx(this.baseView[0], this.baseView[3]);
    g.drawImage(this.base, Math.round(ox * dpr), Math.round(oy * dpr));
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const big = d.presenter ? 1.4 : 1;
    if (d.rect) {
      const [x0, x1, y0, y1] = d.rect, [ax, ay] = this.toPx(x0, y1), [bx, by] = this.toPx(x1, y0);
      g.strokeStyle = "#333"; g.lineWidth = 2; g.setLineDash([8, 5]);
      g.strokeRect(ax, ay, bx - ax, by - ay); g.setLineDash([]);
    }
    (d.ab || []).forEach((p, i) => {
      if (!p) return;
      const [px, py] = this.toPx(p[0], p[1]);
      g.beginPath(); g.arc(px, py, 12 * big, 0, 2 * Math.PI);
      g.fillStyle = i === 0 ? "#000" : "#fff"; g.fill();
      g.lineWidth = 3; g.strokeStyle = i === 0 ? "#fff" : "#000"; g.stroke();
      g.fillStyle = i === 0 ? "#fff" : "#000"; g.font = `bold ${Math.round(14 * big)}px sans-serif`;
      g.textAlign = "center"; g.textBaseline = "middle"; g.fillText(i === 0 ? "A" : "B", px, py + 1);
      g.textAlign = "start"; g.textBaseline = "alphabetic";
    });
    const mk = this.pending ? this.pending.xy : d.marker;
    if (mk) {
      // The decoded z: a ring with a cross, white under black, visible on any background.
      const [px, py] = this.toPx(mk[0], mk[1]), R = 11 * big;
      for (const [w, c] of [[6, "#fff"], [3, "#000"]]) {
        g.lineWidth = w; g.strokeStyle = c;
        g.beginPath(); g.arc(px, py, R, 0, 2 * Math.PI); g.stroke();
        g.beginPath(); g.moveTo(px - 2 * R, py); g.lineTo(px - R / 2, py); g.moveTo(px + R / 2, py); g.lineTo(px + 2 * R, py);
        g.moveTo(px, py - 2 * R); g.lineTo(px, py - R / 2); g.moveTo(px, py + R / 2); g.lineTo(px, py + 2 * R); g.stroke();
      }
    }
    if (this.hover >= 0 && this.ppx) {
      const i = this.hover;
      g.lineWidth = 2.5; g.strokeStyle = "#000";
      g.beginPath(); g.arc(this.ppx[i], this.ppy[i], this.radius() + 4, 0, 2 * Math.PI); g.stroke();
    }
  }

  showTip(i, px, py) {
    const m = this.m;
    if (i < 0) { this.tip.style.display = "none"; return; }
    this.tipText.textContent = `${m.class_names[m.lab[i]] ?? m.lab[i]} · #${i}`;
    const shape = m.image_shape;
    if (shape && m.images_url) {
      this.tipImg.style.display = "";
      loadImages(m.images_url).then((imgs) => { if (this.hover === i) this.drawTipImage(imgs, i, shape); })
        .catch(() => { this.tipImg.style.display = "none"; });
    } else {
      this.tipImg.style.display = "none";
    }
    this.tip.style.display = "block";
    const tw = this.tip.offsetWidth || 120, th = this.tip.offsetHeight || 120;
    this.tip.style.left = Math.min(px + 16, this.W - tw - 4) + "px";
    this.tip.style.top = (py - th - 12 > 0 ? py - th - 12 : py + 16) + "px";
  }

  drawTipImage(imgs, i, [C, H, W]) {
    const D = C * H * W, cv = this.tipImg, S = (this.d && this.d.presenter) ? 112 : 84;
    const small = this.tipSmall || (this.tipSmall = document.createElement("canvas"));
    small.width = W; small.height = H;
    const sg = small.getContext("2d"), img = sg.createImageData(W, H), HW = H * W;
    for (let p = 0; p < HW; p++) {
      for (let c = 0; c < 3; c++) img.data[4 * p + c] = imgs[i * D + (C === 1 ? 0 : c) * HW + p];
      img.data[4 * p + 3] = 255;
    }
    sg.putImageData(img, 0, 0);
    cv.style.width = cv.style.height = S + "px";
    cv.width = cv.height = S;
    const g = cv.getContext("2d");
    g.imageSmoothingEnabled = false; // nearest-neighbour: an 8×8 digit stays crisp
    g.drawImage(small, 0, 0, S, S * H / W);
  }

  bindPointer() {
    const cv = this.canvas;
    const pos = (e) => { const r = cv.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
    cv.addEventListener("pointerdown", (e) => {
      if (!this.m || e.button !== 0) return;
      this.down = { p: pos(e), view: this.view.slice(), panned: false };
      cv.setPointerCapture(e.pointerId);
    });
    cv.addEventListener("pointermove", (e) => {
      if (!this.m || !this.view) return;
      const [px, py] = pos(e);
      if (this.down) {
        const [qx, qy] = this.down.p;
        if (!this.down.panned && Math.hypot(px - qx, py - qy) < 5) return; // still a click
        this.down.panned = true;
        const v = this.down.view, ux = (v[1] - v[0]) / this.W, uy = (v[3] - v[2]) / this.H;
        this.view = [v[0] - (px - qx) * ux, v[1] - (px - qx) * ux, v[2] + (py - qy) * uy, v[3] + (py - qy) * uy];
        this.tip.style.display = "none"; this.hover = -1;
        this.dirty = true;
        return;
      }
      const i = this.pick(px, py);
      if (i !== this.hover) { this.hover = i; this.dirty = true; }
      this.showTip(i, px, py);
    });
    const end = (e) => {
      if (!this.down) return;
      const dn = this.down;
      this.down = null;
      try { cv.releasePointerCapture(e.pointerId); } catch (_) { /* already released */ }
      if (dn.panned) { this.needBase = true; this.dirty = true; return; } // redraw the base at the new view
      if (e.type !== "pointerup") return;
      const [px, py] = pos(e);
      this.click(px, py);
    };
    cv.addEventListener("pointerup", end);
    cv.addEventListener("pointercancel", end);
    cv.addEventListener("pointerleave", () => {
      if (this.down) return;
      this.hover = -1; this.tip.style.display = "none"; this.dirty = true;
    });
    cv.addEventListener("dblclick", (e) => { e.preventDefault(); this.resetView(); });
    cv.addEventListener("wheel", (e) => {
      if (!this.m || !this.view) return;
      e.preventDefault(); // zoom the map, not the page
      const [px, py] = pos(e), [x, y] = this.fromPx(px, py), f = Math.exp(Math.max(-0.5, Math.min(0.5, e.deltaY * 0.0015)));
      const v = this.view;
      this.view = [x - (x - v[0]) * f, x + (v[1] - x) * f, y - (y - v[2]) * f, y + (v[3] - y) * f];
      this.needBase = true; this.dirty = true;
    }, { passive: false });
  }

  click(px, py) {
    const [x, y] = this.fromPx(px, py);
    const index = this.pick(px, py);
    this.seq += 1;
    LM.stats.clicks += 1;
    LM.lastClickAt = performance.now();
    // Draw the marker now; Python's answer (the decoded image) follows.
    const xy = index >= 0 ? [this.m.pts[2 * index], this.m.pts[2 * index + 1]] : [x, y];
    this.pending = { xy, seq: this.seq };
    this.dirty = true;
    if (this.setStateValue) {
      this.setStateValue("click", { x: +x.toFixed(6), y: +y.toFixed(6), index, seq: this.seq, nonce: this.nonce,
        url: this.url });
    }
  }

  // For tests and benches: page coordinates of the plane point (x, y), and of example i.
  clientXY(x, y) {
    const r = this.canvas.getBoundingClientRect(), [px, py] = this.toPx(x, y);
    return [r.left + px, r.top + py];
  }
  pointClientXY(i) { return this.clientXY(this.m.pts[2 * i], this.m.pts[2 * i + 1]); }
  viewBox() { return this.view.slice(); }
}

export default (component) => mountInstance(component, "llmap", LM, (root) => new LatentMap(root));
