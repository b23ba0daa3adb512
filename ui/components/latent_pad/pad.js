// Latent pad: a latent-plane scatter with draggable markers that decodes in the browser.
//
// Why in the browser: a Streamlit round trip per mouse move is ~100 ms or worse, far too slow for
// "watch the digit morph". The MLP decoder's float32 weights are fetched once from the app's
// static folder (content-hashed file name) and run here in plain JavaScript, every animation frame.
// Python still gets the marker positions. During a drag they go every ~100 ms to the pad's own
// channel (a POST to components/pad_channel.py, not a Streamlit rerun: a rerun costs this page's
// main thread 30-45 ms, which is 2-3 lost frames each time on a small laptop), and the readouts
// Python returns replace the ones under the pad. On release they go as component state (a rerun).
//
// Streamlit may call the default export again on every rerun (new `data`); all state lives on the
// root element, so a rerun in the middle of a drag neither resets the markers nor the pointer.

const LL = (window.__llpad = window.__llpad || {
  // Instrumentation read by bench/drag_fps.py and the browser tests.
  // frames: animation frames that decoded and drew; rafs: all animation frames; pointerFrames:
  // decoded frames that had a new pointer position (the rest glided, see GLIDE_MS).
  stats: { frames: 0, decodes: 0, decodeMs: 0, frameMs: 0, posts: 0, follows: 0, followErrors: 0, followMs: 0,
    rafs: 0, pointerFrames: 0 },
  instances: [],
  last: null,
  decoders: new Map(), // weights URL -> Promise<decoder>
});

const ACTS = {
  none: null,
  relu: (s) => (s > 0 ? s : 0),
  elu: (s) => (s > 0 ? s : Math.expm1(s)),
  tanh: (s) => Math.tanh(s),
  silu: (s) => s / (1 + Math.exp(-s)),
  gelu: (s) => 0.5 * s * (1 + erf(s / Math.SQRT2)),
};

// Position reports to Python while dragging (the channel): one every FOLLOW_MS, at most one in
// flight. LL.followMs overrides the interval (bench/drag_fps.py --sync-ms); 0 sends none.
const FOLLOW_MS = 100;

// The dragged marker glides to the pointer rather than jumping: every animation frame moves it
// 1 - exp(-dt / GLIDE_MS) of the way (three quarters at 60 Hz; at a steady speed it trails the
// pointer by GLIDE_MS). So the image morphs on every frame while the pointer moves, also when
// pointer events come slower than frames: on a 2-core VM with CPU stolen by the hypervisor they
// arrived at 35-50/s while frames ran at 59/s. On release the marker snaps to the pointer, and
// Python gets that exact position. LL.glideMs overrides it; 0 jumps straight to the pointer.
const GLIDE_MS = 12;

function erf(x) {
  // Abramowitz & Stegun 7.1.26 is only 1e-7 accurate; a series/continued fraction is overkill
  // here. This W. J. Cody style rational fit keeps |error| < 1.2e-7, far inside the 1e-4 budget.
  const s = x < 0 ? -1 : 1;
  x = Math.abs(x);
  const t = 1 / (1 + 0.5 * x);
  const y = 1 - t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return s * y;
}

// ---- WebAssembly SIMD kernel for the big layers ------------------------------------------------
// Why: the MNIST decoders' last layer (512 -> 784) is ~400k multiply-adds per image, and the two-marker
// strip decodes 9 images per frame. Plain JS runs ~0.5 GMAC/s here (4.5 ms of a 16.7 ms frame on
// 2 cores); f32x4 SIMD does four lanes per instruction. The module is ~150 bytes, assembled below
// at load time (no build step, no binary file to keep in sync). Where WebAssembly SIMD is missing,
// `WebAssembly.validate` says so and every layer stays on the plain-JS path.
//
// (func $layer (param $x i32) (param $nin i32) (param $wt i32) (param $nout i32) (param $acc i32)
//   ;; acc[0:nout] += sum_c x[c] * wt[c, 0:nout]   (wt: in x nout, row-major; nout % 4 == 0;
//   ;; byte offsets, 16-aligned). Inputs that are exactly 0 (about half, after a ReLU) are skipped.
//   rb = nout << 2
//   for c in 0..nin: v = x[c]; if v != 0: vs = splat(v); w = wt + c * rb
//       for r in 0..rb step 16: acc[r] = acc[r] + vs * wt[w + r]      ;; f32x4
const uleb = (n) => { const o = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
const wvec = (items) => [...uleb(items.length), ...items.flat()];
const wsec = (id, body) => [id, ...uleb(body.length), ...body];
const wstr = (s) => [s.length, ...Array.from(s, (ch) => ch.charCodeAt(0))];
function kernelBytes() {
  const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b;
  const [X, NIN, WT, NOUT, ACC, C, R, W, RB, V, VS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const get = (i) => [0x20, i], set = (i) => [0x21, i], tee = (i) => [0x22, i];
  const i32 = (n) => [0x41, n]; // small non-negative constants (< 64) only: one-byte signed LEB128
  const ADD = [0x6a], MUL = [0x6c], SHL = [0x74], GEU = [0x4f], BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40],
    IF = [0x04, 0x40], END = [0x0b], BR = (d) => [0x0c, d], BR_IF = (d) => [0x0d, d];
  const F32_LOAD = [0x2a, 2, 0], F32_ZERO = [0x43, 0, 0, 0, 0], F32_NE = [0x5c];
  const V_LOAD = [0xfd, 0x00, 4, 0], V_STORE = [0xfd, 0x0b, 4, 0], SPLAT = [0xfd, 0x13],
    FADD = [0xfd, 0xe4, 0x01], FMUL = [0xfd, 0xe6, 0x01];
  const code = [
    get(NOUT), i32(2), SHL, set(RB),
    BLOCK, LOOP,
      get(C), get(NIN), GEU, BR_IF(1),
      get(X), get(C), i32(2), SHL, ADD, F32_LOAD, tee(V), F32_ZERO, F32_NE,
      IF,
        get(V), SPLAT, set(VS),
        get(WT), get(C), get(RB), MUL, ADD, set(W),
        i32(0), set(R),
        BLOCK, LOOP,
          get(R), get(RB), GEU, BR_IF(1),
          get(ACC), get(R), ADD,
          get(ACC), get(R), ADD, V_LOAD,
          get(VS), get(W), get(R), ADD, V_LOAD, FMUL,
          FADD, V_STORE,
          get(R), i32(16), ADD, set(R),
          BR(0),
        END, END,
      END,
      get(C), i32(1), ADD, set(C),
      BR(0),
    END, END,
    END,
  ].flat();
  const body = [...wvec([[4, I32], [1, F32], [1, V128]]), ...code];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...wsec(1, wvec([[0x60, ...wvec([I32, I32, I32, I32, I32]), 0]])), // type: (i32 x 5) -> ()
    ...wsec(2, wvec([[...wstr("env"), ...wstr("mem"), 0x02, 0x00, 0x01]])), // import memory, min 1 page
    ...wsec(3, wvec([[0]])), // one function of type 0
    ...wsec(7, wvec([[...wstr("layer"), 0x00, 0]])), // export it as "layer"
    ...wsec(10, wvec([[...uleb(body.length), ...body]])),
  ]);
}
let kernelModule; // undefined: not tried yet; null: no WebAssembly SIMD here
function simdKernel() {
  if (kernelModule === undefined) {
    kernelModule = null;
    try {
      const bytes = kernelBytes();
      if (typeof WebAssembly === "object" && WebAssembly.validate(bytes)) kernelModule = new WebAssembly.Module(bytes);
    } catch (_) { /* no WebAssembly (or no SIMD): the plain-JS path decodes everything */ }
  }
  return kernelModule;
}
// Layers this big go to the kernel; small ones (toy decoders) stay on the float64 JS path, which
// costs nothing there and keeps them bit-close to torch.
const SIMD_MIN_MACS = 16384;

function makeDecoder(manifest, weights, useSimd = true) {
  const need = manifest.n_floats;
  if (weights.length !== need) throw new Error(`weights file has ${weights.length} floats, manifest says ${need}`);
  const mod = useSimd ? simdKernel() : null;
  const layers = manifest.layers.map((L) => {
    if (!(L.activation in ACTS)) throw new Error(`unknown activation ${L.activation}`);
    return { ...L, b: weights.subarray(L.b_offset, L.b_offset + L.out), act: ACTS[L.activation],
      simd: !!mod && L.in * L.out >= SIMD_MIN_MACS, buf: new Float32Array(L.out) };
  });
  // Kernel memory: [x (largest input) | acc (largest output) | each big layer's transposed weights],
  // every block 16-byte aligned, rows padded to a multiple of 4 floats (one f32x4 lane group).
  const a16 = (n) => Math.ceil(n / 16) * 16;
  let wasm = null;
  const big = layers.filter((L) => L.simd);
  if (big.length) {
    const xOff = 0, accOff = a16(4 * Math.max(...big.map((L) => L.in)));
    let off = a16(accOff + 4 * Math.max(...big.map((L) => Math.ceil(L.out / 4) * 4)));
    for (const L of big) { L.outPad = Math.ceil(L.out / 4) * 4; L.wtOff = off; off = a16(off + 4 * L.in * L.outPad); }
    const mem = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(off / 65536)) });
    const inst = new WebAssembly.Instance(mod, { env: { mem } });
    wasm = { layer: inst.exports.layer, f32: new Float32Array(mem.buffer), xOff, accOff };
    for (const L of big) L.biasPad = Object.assign(new Float32Array(L.outPad), L.b);
  }
  for (const L of layers) {
    // Transpose W (out, in) -> Wt (in, out) once: the forward pass then adds one input's column at a
    // time (contiguous memory) and skips inputs that are exactly 0, which is about half of them after
    // a ReLU. That roughly halves the work of the big last layer.
    const stride = L.simd ? L.outPad : L.out;
    const Wt = L.simd ? wasm.f32.subarray(L.wtOff / 4, L.wtOff / 4 + L.in * stride) : new Float32Array(L.in * L.out);
    for (let r = 0; r < L.out; r++) {
      const base = L.w_offset + r * L.in;
      for (let c = 0; c < L.in; c++) Wt[c * stride + r] = weights[base + c];
    }
    L.Wt = Wt;
    L.acc = L.simd ? wasm.f32.subarray(wasm.accOff / 4, wasm.accOff / 4 + L.out) : new Float64Array(L.out);
  }
  return { manifest, layers, wasm, k: manifest.latent_dim, D: manifest.output_dim, sigmoid: manifest.output === "sigmoid",
    kernel: wasm ? "WebAssembly SIMD" : "JavaScript" };
}

// One MLP forward pass: z (length k) -> Float32Array(D) (the last layer's buffer; copy to keep it).
// Big layers sum in float32 SIMD lanes (the kernel above), small ones in float64; hidden values are
// stored as float32. Either way the result is torch's float32 result to well within 1e-4.
function forward(dec, z) {
  const t0 = performance.now();
  let h = z;
  for (const L of dec.layers) {
    const out = L.out, Wt = L.Wt, acc = L.acc, o = L.buf, act = L.act;
    if (L.simd) { // float32 sums in f32x4 lanes, like torch's own float32 GEMM
      const K = dec.wasm;
      K.f32.set(h, K.xOff / 4);
      K.f32.set(L.biasPad, K.accOff / 4);
      K.layer(K.xOff, L.in, L.wtOff, L.outPad, K.accOff);
    } else {
      acc.set(L.b);
      for (let c = 0; c < L.in; c++) {
        const v = h[c];
        if (v === 0) continue;
        const base = c * out;
        for (let r = 0; r < out; r++) acc[r] += v * Wt[base + r];
      }
    }
    if (L.activation === "relu") for (let r = 0; r < out; r++) { const s = acc[r]; o[r] = s > 0 ? s : 0; }
    else if (act) for (let r = 0; r < out; r++) o[r] = act(acc[r]);
    else o.set(acc);
    h = o;
  }
  if (dec.sigmoid) for (let i = 0; i < h.length; i++) h[i] = 1 / (1 + Math.exp(-h[i]));
  LL.stats.decodes += 1;
  LL.stats.decodeMs += performance.now() - t0;
  return h;
}

const jsonCache = new Map(); // URL -> Promise<object>
// The plane comes in the latent map's format (web/plane.py), decoded once (shared.js: decodePlane).
const fetchPlane = (url) => fetchOnce(jsonCache, url, async (r) => decodePlane(await r.json()));

// URL -> Promise<decoder> (LL.decoders)
const loadDecoder = (manifest) => fetchOnce(LL.decoders, manifest.weights_url,
  async (r) => makeDecoder(manifest, new Float32Array(await r.arrayBuffer())));

// Test hooks: decode codes with the exact code path the pad uses (`simd: false`: the plain-JS path,
// as on a browser without WebAssembly SIMD).
LL.loadDecoder = loadDecoder;
LL.decodeWith = async (manifest, zs, { simd = true } = {}) => {
  let dec = await loadDecoder(manifest);
  if (!simd) dec = makeDecoder(manifest, new Float32Array(await (await fetch(manifest.weights_url)).arrayBuffer()), false);
  return { kernel: dec.kernel, x: zs.map((z) => Array.from(forward(dec, Float64Array.from(z)))) };
};

class Pad {
  constructor(root) {
    this.root = root;
    this.dragging = -1;
    this.gliding = -1; // the marker moving toward this.target (the pointer), or -1
    this.target = null;
    this.dirty = true;
    this.sentKey = "";
    this.seq = 0;
    this.raf = 0;
    this.dec = null;
    this.sig = null;
    root.innerHTML = `
      <div class="llpad-row" data-ll-main="1">
        <div class="llpad-planebox">
          <canvas class="llpad-plane" data-testid="llpad-plane"></canvas>
          <div class="llpad-hint">Drag a marker (or click to move the nearest one).</div>
        </div>
        <div class="llpad-side">
          <div class="llpad-mode"></div>
          <div class="llpad-panels">
            <figure class="llpad-fig" data-m="0"><canvas class="llpad-dec" data-testid="llpad-dec-a"></canvas><figcaption>A</figcaption></figure>
            <figure class="llpad-fig" data-m="1"><canvas class="llpad-dec" data-testid="llpad-dec-b"></canvas><figcaption>B</figcaption></figure>
          </div>
          <div class="llpad-stripbox"><div class="llpad-striplabel">A → B, decoded live</div>
            <div class="llpad-stripwrap"><canvas class="llpad-strip" data-testid="llpad-strip"></canvas><div class="llpad-stripgrid"></div></div></div>
          <div class="llpad-status" data-testid="llpad-status"></div>
        </div>
      </div>
      <div class="llpad-follow" data-testid="llpad-follow"></div>`;
    this.plane = root.querySelector(".llpad-plane");
    this.decCanvases = [...root.querySelectorAll(".llpad-dec")];
    this.figs = [...root.querySelectorAll(".llpad-fig")];
    this.strip = root.querySelector(".llpad-strip");
    this.stripGrid = root.querySelector(".llpad-stripgrid");
    this.stripBox = root.querySelector(".llpad-stripbox");
    this.status = root.querySelector(".llpad-status");
    this.mode = root.querySelector(".llpad-mode");
    this.follow = root.querySelector(".llpad-follow");
    this.followShown = null; // the readouts' HTML now on screen
    // Opaque canvases: the compositor then skips the page underneath and copies instead of
    // blending. Without GPU compositing that cut the per-frame draw time of the ~0.4 megapixels
    // that change every frame by about a fifth (trace: SoftwareRenderer::DoDrawQuad, 5.0 -> ~4 ms).
    for (const c of [this.plane, ...this.decCanvases, this.strip]) c.getContext("2d", { alpha: false });
    this.bindPointer();
    const loop = (now) => {
      if (this.dead) return;
      LL.stats.rafs += 1;
      this.glide(now);
      if (this.dirty) this.frame();
      this.raf = requestAnimationFrame(loop);
    };
    this.raf = requestAnimationFrame(loop);
    // While dragging, send the positions to Python about every 100 ms (only if they moved), with
    // at most one request in flight (a slow server gets fewer requests, not a queue), and show the
    // readouts it returns. A request older than a second no longer blocks the next one.
    this.acked = 0;
    this.followSeq = 0;
    this.followAt = 0;
    this.followKey = "";
    this.inFlight = 0;
    this.timer = setInterval(() => {
      const every = LL.followMs === undefined ? FOLLOW_MS : LL.followMs;
      const d = this.small_;
      if (this.dragging < 0 || !every || !d || !d.follow_url || d.follow_token === this.followGone) return;
      const now = performance.now();
      if (now - this.followAt < every - 10 || (this.inFlight && now - this.inFlight < 1000)) return;
      this.postFollow();
    }, 25);
    this.statusTimer = setInterval(() => this.showStatus(), 500);
    this.win = { n: 0, first: 0, last: 0 }; // decoded frames since the last status line
    this.shownFps = 0;
  }

  destroy() {
    this.dead = true;
    cancelAnimationFrame(this.raf);
    clearInterval(this.timer);
    clearInterval(this.statusTimer);
  }

  update(data, setStateValue) {
    this.setStateValue = setStateValue;
    if (typeof data.ack === "number") this.acked = data.ack;
    // Python's readouts for the markers as of this run. Not mid-drag: the channel's are newer then.
    if (this.dragging < 0) this.showFollow(data.follow_html);
    const sig = data.sig;
    const fresh = sig !== this.sig;
    this.nMarkers = data.n_markers || 1;
    this.stripN = data.strip_n || 9;
    if (fresh) {
      this.sig = sig;
      this.markers = data.markers.map((m) => m.slice());
      this.gliding = -1;
      this.dec = null;
      this.drawKey = null;
      this.plane_ = null;
      this.ready = false;
      this.layoutKey = null;
      // The scatter, density and view come from a static JSON file, the weights from a .bin file:
      // both fetched once, so the data Streamlit re-sends on every rerun stays tiny.
      const jobs = [fetchPlane(data.plane_url).then((pl) => { if (this.sig === sig) this.plane_ = pl; })];
      if (data.manifest) jobs.push(loadDecoder(data.manifest).then((dec) => { if (this.sig === sig) this.dec = dec; }));
      Promise.all(jobs).then(() => {
        if (this.sig !== sig) return;
        this.ready = true;
        this.update(this.small_, this.setStateValue);
        this.dirty = true; // the decoder may have arrived after the scatter: draw the images now
      }).catch((e) => { this.mode.textContent = "Could not load the latent pad: " + e.message; });
    }
    this.small_ = data;
    if (!this.plane_) {
      this.mode.textContent = "Loading the latent plane and the decoder…";
      return;
    }
    this.data = Object.assign({}, this.plane_, data); // the page's image_shape wins over the plane's
    this.view = this.plane_.linear_map;
    const layoutKey = sig + "|" + this.nMarkers;
    if (layoutKey !== this.layoutKey) { // new model or marker count: re-fit sizes, redraw the scatter
      this.layoutKey = layoutKey;
      this.layout();
      this.drawBackground();
    }
    const two = this.nMarkers > 1 && (data.image_shape !== null && !!data.manifest);
    this.figs[1].style.display = two ? "" : "none";
    this.stripBox.style.display = two ? "" : "none";
    this.figs[0].style.display = data.manifest ? "" : "none";
    this.figs[0].querySelector("figcaption").textContent = data.image_shape ? "A"
      : this.nMarkers > 1 ? "x̂ = g(z) for A (black), B (white) and the line between" : "x̂ = g(z) for A";
    this.mode.textContent = data.mode_text || "";
    // Redraw only when what is drawn changed: the rerun caused by our own release must not cost a
    // second decode of the frame already on screen.
    const drawKey = layoutKey + "|" + (data.image_shape || "") + "|" + !!data.manifest;
    if (drawKey !== this.drawKey) { this.drawKey = drawKey; this.dirty = true; }
  }

  layout() {
    const d = this.data, dpr = window.devicePixelRatio || 1;
    // Keep plane and decoded image side by side (no scrolling mid-drag): shrink both to fit if needed.
    const avail = this.root.getBoundingClientRect().width || 0;
    let S = d.size || 520, P = d.panel || 240;
    const side = (p) => (this.nMarkers > 1 ? 2 * p + 20 : Math.max(p + 4, 260)) + 24 + 12; // + gap + slack
    if (avail && S + side(P) > avail) {
      P = Math.max(150, Math.min(P, Math.floor((avail - 24) * 0.22)));
      S = Math.max(300, Math.min(S, avail - side(P)));
    }
    this.S = S;
    this.root.querySelector(".llpad-side").style.width = (this.nMarkers > 1 ? 2 * P + 20 : Math.max(P + 4, 260)) + "px"; // + borders
    this.plane.style.width = this.plane.style.height = S + "px";
    this.plane.width = this.plane.height = Math.round(S * dpr);
    this.dpr = dpr;
    // Decoded images live in canvases of their own resolution (28 x 28 for MNIST), scaled up by the
    // compositor (CSS, pixelated): a frame writes 784 pixels per image instead of drawing a scaled
    // copy into 240 x 240 (measured: ~0.8 ms less Chromium CPU per frame). Point-cloud models draw
    // a plot in the first panel instead, at screen resolution.
    const [, H, W] = d.image_shape || [0, 0, 0];
    for (const c of this.decCanvases) {
      c.style.width = P + "px";
      c.style.height = (W ? Math.round(P * H / W) : P) + "px";
      c.width = W || Math.round(P * dpr);
      c.height = H || Math.round(P * dpr);
    }
    const cell = Math.max(28, Math.min(d.strip_cell || 60, Math.floor((2 * P + 16) / this.stripN)));
    const cellH = W ? Math.round(cell * H / W) : cell;
    for (const el of [this.strip, this.stripGrid]) {
      el.style.width = cell * this.stripN + "px";
      el.style.height = cellH + "px";
    }
    // The white gaps between the strip's cells: a static overlay, never repainted during a drag.
    this.stripGrid.style.backgroundSize = cell + "px 100%";
    this.strip.width = Math.max(1, W) * this.stripN;
    this.strip.height = Math.max(1, H);
    // A resized canvas is cleared to opaque black: start from white until the first frame draws.
    for (const c of [...this.decCanvases, this.strip]) {
      const g = c.getContext("2d");
      g.fillStyle = "#fff";
      g.fillRect(0, 0, c.width, c.height);
    }
  }

  // view <-> canvas pixels (CSS px)
  toPx(x, y) {
    const [x0, x1, y0, y1] = this.data.bounds;
    return [(x - x0) / (x1 - x0) * this.S, (1 - (y - y0) / (y1 - y0)) * this.S];
  }
  fromPx(px, py) {
    const [x0, x1, y0, y1] = this.data.bounds;
    const cl = (v) => Math.min(1, Math.max(0, v));
    return [x0 + cl(px / this.S) * (x1 - x0), y0 + cl(1 - py / this.S) * (y1 - y0)];
  }

  drawBackground() {
    // Density shading, grid and scatter never change during a drag: draw them once, blit per frame.
    const d = this.data, S = this.S, dpr = this.dpr;
    const bg = (this.bg = document.createElement("canvas"));
    bg.width = bg.height = Math.round(S * dpr);
    const g = bg.getContext("2d");
    g.scale(dpr, dpr);
    g.fillStyle = "#ffffff";
    g.fillRect(0, 0, S, S);
    const n = d.density_n, dens = d.dens; // (n*n,) max = 1
    if (n && dens) {
      const dc = document.createElement("canvas");
      dc.width = dc.height = n;
      const img = dc.getContext("2d").createImageData(n, n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const v = dens[i * n + j];
          const o = ((n - 1 - i) * n + j) * 4; // grid row 0 is the bottom (ymin)
          img.data[o] = 40; img.data[o + 1] = 60; img.data[o + 2] = 90;
          // A low gamma: big data sets have a sharp core, and the faint outskirts matter most here
          // (that is where decodings turn odd).
          img.data[o + 3] = Math.round(255 * 0.45 * Math.pow(v, 0.35));
        }
      }
      dc.getContext("2d").putImageData(img, 0, 0);
      g.imageSmoothingEnabled = true; // the density is smooth by construction: blur is honest here
      g.drawImage(dc, 0, 0, S, S);
    }
    const [x0, x1, y0, y1] = d.bounds;
    g.strokeStyle = "rgba(0,0,0,0.08)";
    g.fillStyle = "#555";
    g.font = "13px sans-serif";
    g.lineWidth = 1;
    for (const t of niceTicks(x0, x1, 6)) {
      const [px] = this.toPx(t, y0);
      g.beginPath(); g.moveTo(px, 0); g.lineTo(px, S); g.stroke();
      if (px < S - 80) g.fillText(String(t), px + 2, S - 4);
    }
    for (const t of niceTicks(y0, y1, 6)) {
      const [, py] = this.toPx(x0, t);
      g.beginPath(); g.moveTo(0, py); g.lineTo(S, py); g.stroke();
      if (py > 34) g.fillText(String(t), 3, py - 3); // keep clear of the axis title
    }
    const pts = d.pts, lab = d.lab, pal = d.palette;
    const r = pts.length / 2 > 3000 ? 1.6 : 2.6;
    g.globalAlpha = 0.75;
    for (let i = 0; i < lab.length; i++) {
      const [px, py] = this.toPx(pts[2 * i], pts[2 * i + 1]);
      g.fillStyle = pal[lab[i] % pal.length];
      g.beginPath(); g.arc(px, py, r, 0, 2 * Math.PI); g.fill();
    }
    g.globalAlpha = 1;
    g.fillStyle = "#222";
    g.font = "bold 15px sans-serif";
    const at = d.axis_titles || ["z₁", "z₂"];
    g.fillText(at[0] + " →", S - 70, S - 6);
    g.fillText("↑ " + at[1], 6, 18);
  }

  // One animation frame of the glide (see GLIDE_MS); `now` is the frame's timestamp.
  glide(now) {
    const dt = Math.min(50, Math.max(0, now - (this.lastNow || now)));
    this.lastNow = now;
    const i = this.gliding;
    if (i < 0 || !this.target || !this.markers) return;
    const tau = LL.glideMs === undefined ? GLIDE_MS : LL.glideMs;
    const f = tau > 0 ? 1 - Math.exp(-dt / tau) : 1;
    const m = this.markers[i], t = this.target;
    let p = [m[0] + f * (t[0] - m[0]), m[1] + f * (t[1] - m[1])];
    const [ax, ay] = this.toPx(p[0], p[1]), [bx, by] = this.toPx(t[0], t[1]);
    if (Math.hypot(bx - ax, by - ay) < 0.25) { p = t; this.gliding = -1; } // within a quarter pixel: arrived
    this.markers[i] = p;
    this.dirty = true;
  }

  // Marker position (view plane) -> latent code z = mean + p @ basis (identity for k = 2, PCA inverse for k > 2).
  toLatent(p) {
    const { mean, basis } = this.view;
    const z = new Float64Array(mean.length);
    for (let j = 0; j < mean.length; j++) z[j] = mean[j] + p[0] * basis[0][j] + p[1] * basis[1][j];
    return z;
  }

  frame() {
    if (!this.bg) return;
    const t0 = performance.now();
    this.dirty = false;
    const g = this.plane.getContext("2d");
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.drawImage(this.bg, 0, 0);
    g.scale(this.dpr, this.dpr);
    const ms = this.markers.slice(0, this.nMarkers).map((m) => this.toPx(m[0], m[1]));
    if (ms.length > 1) {
      g.strokeStyle = "#000"; g.setLineDash([6, 5]); g.lineWidth = 2;
      g.beginPath(); g.moveTo(ms[0][0], ms[0][1]); g.lineTo(ms[1][0], ms[1][1]); g.stroke();
      g.setLineDash([]);
    }
    ms.forEach(([px, py], i) => {
      g.beginPath(); g.arc(px, py, 13, 0, 2 * Math.PI);
      g.fillStyle = i === 0 ? "#000000" : "#ffffff"; g.fill();
      g.lineWidth = 3; g.strokeStyle = i === 0 ? "#ffffff" : "#000000"; g.stroke();
      g.fillStyle = i === 0 ? "#ffffff" : "#000000";
      g.font = "bold 15px sans-serif"; g.textAlign = "center"; g.textBaseline = "middle";
      g.fillText(i === 0 ? "A" : "B", px, py + 1);
      g.textAlign = "start"; g.textBaseline = "alphabetic";
    });
    if (this.dec) this.decodeAll();
    const w = this.win;
    if (!w.n) w.first = t0;
    w.last = t0;
    w.n += 1;
    LL.stats.frameMs += performance.now() - t0; // all of this frame's JS: decoding and drawing
  }

  decodeAll() {
    LL.stats.frames += 1;
    if (this.newPointer) LL.stats.pointerFrames += 1;
    this.newPointer = false;
    const d = this.data;
    if (d.image_shape) {
      if (this.nMarkers > 1) {
        // The strip's two ends are A and B themselves: draw those into the big panels too, so a
        // frame costs strip_n decodes, not strip_n + 2.
        const g = this.strip.getContext("2d");
        const n = Math.max(2, this.stripN), [a, b] = this.markers;
        for (let s = 0; s < n; s++) {
          const t = s / (n - 1);
          const img = this.toImageData(forward(this.dec, this.toLatent([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])])));
          g.putImageData(img, s * img.width, 0);
          if (s === 0) this.decCanvases[0].getContext("2d").putImageData(img, 0, 0);
          if (s === n - 1) this.decCanvases[1].getContext("2d").putImageData(img, 0, 0);
        }
      } else {
        const x = forward(this.dec, this.toLatent(this.markers[0]));
        this.decCanvases[0].getContext("2d").putImageData(this.toImageData(x), 0, 0);
      }
    } else {
      this.drawPoints();
    }
  }

  // One decoded image (C*H*W floats in [0, 1]) -> RGBA pixels at its own resolution, in one reused
  // buffer (putImageData copies it out at once).
  toImageData(x) {
    const [C, H, W] = this.data.image_shape;
    let img = this.img;
    if (!img || img.width !== W || img.height !== H) img = this.img = new ImageData(W, H);
    const px = img.data, HW = H * W;
    for (let i = 0; i < HW; i++) {
      for (let c = 0; c < 3; c++) {
        const v = x[(C === 1 ? 0 : c) * HW + i];
        px[4 * i + c] = Math.round(255 * (v < 0 ? 0 : v > 1 ? 1 : v));
      }
      px[4 * i + 3] = 255;
    }
    return img;
  }

  // Point-cloud models: the decoded x-hat drawn in (a 2-D picture of) data space, over the data.
  drawPoints() {
    const d = this.data.data_space, cv = this.decCanvases[0], dpr = this.dpr;
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
    if (this.nMarkers > 1) {
      const [a, b] = this.markers, n = 40;
      g.strokeStyle = "#0072B2"; g.lineWidth = 3; g.beginPath();
      for (let s = 0; s < n; s++) {
        const t = s / (n - 1);
        const [px, py] = tp(proj(forward(this.dec, this.toLatent([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]))));
        if (s === 0) g.moveTo(px, py); else g.lineTo(px, py);
      }
      g.stroke();
    }
    for (let i = 0; i < this.nMarkers; i++) {
      const [px, py] = tp(proj(forward(this.dec, this.toLatent(this.markers[i]))));
      g.beginPath(); g.arc(px, py, 9, 0, 2 * Math.PI);
      g.fillStyle = i === 0 ? "#000" : "#fff"; g.fill();
      g.lineWidth = 3; g.strokeStyle = i === 0 ? "#fff" : "#000"; g.stroke();
    }
    g.fillStyle = "#222"; g.font = "13px sans-serif";
    g.fillText("decoded x̂ = g(z) in data space", 6, 16);
  }

  bindPointer() {
    const pv = this.plane;
    const pos = (e) => {
      const r = pv.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    };
    pv.addEventListener("pointerdown", (e) => {
      if (!this.data || !this.ready) return;
      const [px, py] = pos(e);
      // Grab the nearest marker; a click far from all markers moves the nearest one there.
      let best = 0, bd = Infinity;
      for (let i = 0; i < this.nMarkers; i++) {
        const [mx, my] = this.toPx(this.markers[i][0], this.markers[i][1]);
        const dd = (mx - px) ** 2 + (my - py) ** 2;
        if (dd < bd) { bd = dd; best = i; }
      }
      this.dragging = this.gliding = best;
      this.target = this.fromPx(px, py);
      this.newPointer = true;
      pv.setPointerCapture(e.pointerId);
      e.preventDefault();
    });
    pv.addEventListener("pointermove", (e) => {
      if (this.dragging < 0) return;
      const [px, py] = pos(e);
      // The rAF loop moves the marker and decodes, at most once per frame however fast the mouse.
      this.target = this.fromPx(px, py);
      this.gliding = this.dragging;
      this.newPointer = true;
    });
    const end = (e) => {
      if (this.dragging < 0) return;
      if (this.gliding >= 0) { // land exactly where the pointer was let go
        this.markers[this.gliding] = this.target;
        this.gliding = -1;
        this.dirty = true;
      }
      this.dragging = -1;
      try { pv.releasePointerCapture(e.pointerId); } catch (_) { /* already released */ }
      this.send();
      // Belt and braces: a busy server can drop a rerun; confirm the final position once more unless
      // Python echoed it (data.ack), so Python always ends where the mouse did.
      clearTimeout(this.confirm);
      this.confirm = setTimeout(() => { if (this.dragging < 0 && this.acked < this.seq) this.send(true); }, 1500);
    };
    pv.addEventListener("pointerup", end);
    pv.addEventListener("pointercancel", end);
  }

  rounded() {
    return this.markers.map((m) => [+m[0].toFixed(5), +m[1].toFixed(5)]);
  }

  // On release: the positions as component state (a rerun of the page's fragment).
  send(force = false) {
    const ms = this.rounded();
    const key = JSON.stringify(ms);
    if ((key === this.sentKey && !force) || !this.setStateValue) return;
    this.sentKey = key;
    this.seq += 1;
    this.setStateValue("pos", { markers: ms, seq: this.seq, sig: this.sig });
  }

  // During a drag: the positions to the channel; its answer is the readouts' HTML for them.
  postFollow() {
    const ms = this.rounded();
    const key = JSON.stringify(ms);
    if (key === this.followKey) return;
    const d = this.small_;
    const seq = (this.followSeq += 1);
    const t0 = performance.now();
    this.followKey = key;
    this.followAt = this.inFlight = t0;
    LL.stats.posts += 1;
    fetch(d.follow_url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: d.follow_token, markers: ms, seq }),
      credentials: "same-origin",
      cache: "no-store",
    })
      .then((r) => r.json().then((j) => {
        if (r.status === 404) this.followGone = d.follow_token; // server restarted: wait for a rerun's new token
        return r.ok ? j : Promise.reject(new Error(j.error || "HTTP " + r.status));
      }))
      .then((res) => {
        LL.stats.follows += 1;
        LL.stats.followMs += performance.now() - t0;
        // Only the newest answer, and only mid-drag: after the release Python's rerun has the last word.
        if (this.dragging >= 0 && res.seq === this.followSeq) this.showFollow(res.html);
      })
      .catch((e) => {
        LL.stats.followErrors += 1;
        LL.lastFollowError = String(e && e.message);
      })
      .finally(() => { if (seq === this.followSeq) this.inFlight = 0; });
  }

  showFollow(html) {
    if (typeof html !== "string" || html === this.followShown) return;
    this.followShown = html;
    this.follow.innerHTML = html; // Python's own HTML (escaped there), from this app's server only
  }

  showStatus() {
    // Frames per second while the marker moves: over the span of the frames drawn since the last
    // line, so a pointer held still mid-drag does not read as a slow pad.
    const w = this.win;
    if (w.n >= 3 && w.last > w.first) this.shownFps = (1000 * (w.n - 1)) / (w.last - w.first);
    this.win = { n: 0, first: 0, last: 0 };
    if (!this.dec) { this.status.textContent = ""; return; }
    const per = LL.stats.decodes ? LL.stats.decodeMs / LL.stats.decodes : 0;
    this.status.textContent = `Decoded in your browser (${this.dec.kernel}): ${per.toFixed(2)} ms per image` +
      (this.dragging >= 0 && this.shownFps ? ` · ${this.shownFps.toFixed(0)} frames/s` : "");
  }

  // For tests: marker i's decoding (through the view's inverse map), exactly as drawn.
  decodeMarker(i) {
    return { z: Array.from(this.toLatent(this.markers[i])), x: Array.from(forward(this.dec, this.toLatent(this.markers[i]))) };
  }
  stripSum() {
    const a = this.strip.getContext("2d").getImageData(0, 0, this.strip.width, this.strip.height).data;
    let s = 0;
    for (let j = 0; j < a.length; j += 4) s += a[j] * (j + 1);
    return s;
  }

  // For tests: page coordinates of marker i.
  markerClientXY(i) {
    const r = this.plane.getBoundingClientRect();
    const [px, py] = this.toPx(this.markers[i][0], this.markers[i][1]);
    return [r.left + px, r.top + py];
  }
  imageSum(i) {
    const c = this.decCanvases[i];
    const a = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let s = 0;
    for (let j = 0; j < a.length; j += 4) s += a[j] * (j + 1);
    return s;
  }
}

export default (component) => mountInstance(component, "llpad", LL, (root) => new Pad(root));
