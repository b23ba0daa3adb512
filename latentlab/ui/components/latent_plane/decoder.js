// The latent plane's decoder, in the browser: the MLP and transposed-conv decoders that latentlab/server/export.py
// exports, run from their weights (makeDecoder, decode), big layers on a WebAssembly SIMD kernel
// assembled here. No DOM, no page state: joined after geometry.js, in front of keyboard.js and
// plane.js, when the module is served, and imported alone by the unit tests (tests/js/decoder.test.mjs).

// ---- the browser decoder (MLP and transposed-conv decoders exported by latentlab/server/export.py) -----------

const ACTS = {
  none: null,
  relu: (s) => (s > 0 ? s : 0),
  elu: (s) => (s > 0 ? s : Math.expm1(s)),
  tanh: (s) => Math.tanh(s),
  silu: (s) => s / (1 + Math.exp(-s)),
  gelu: (s) => 0.5 * s * (1 + erf(s / Math.SQRT2)),
  sigmoid: (s) => 1 / (1 + Math.exp(-s)),
  leaky_relu: null, // needs the layer's slope (alpha): made per layer in makeDecoder
};



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
export function simdKernel() {
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
export const SIMD_MIN_MACS = 16384;

export function makeDecoder(manifest, weights, useSimd = true) {
  const need = manifest.n_floats;
  if (weights.length !== need) throw new Error(`weights file has ${weights.length} floats, manifest says ${need}`);
  const mod = useSimd ? simdKernel() : null;
  const layers = manifest.layers.map((L) => {
    if (!(L.activation in ACTS)) throw new Error(`unknown activation ${L.activation}`);
    const type = L.type || "linear";
    if (type !== "linear" && type !== "convT") throw new Error(`unknown layer type ${type}`);
    const nb = type === "convT" ? L.out_shape[0] : L.out; // one bias per output (channel)
    const alpha = Number(L.alpha);
    if (L.activation === "leaky_relu" && !Number.isFinite(alpha)) throw new Error("leaky_relu without a finite alpha");
    const act = L.activation === "leaky_relu" ? (s) => (s > 0 ? s : alpha * s) : ACTS[L.activation];
    return { ...L, type, b: weights.subarray(L.b_offset, L.b_offset + nb), act,
      simd: !!mod && (type === "convT" || L.in * L.out >= SIMD_MIN_MACS), buf: new Float32Array(L.out) };
  });
  // Kernel memory, every block 16-byte aligned, rows padded to a multiple of 4 floats (one f32x4
  // lane group): [x (largest linear input) | acc (largest linear output) | each SIMD layer's own
  // blocks]. A linear layer: its transposed weights (in, outPad). A transposed conv: its weights per
  // tap (k·k, in_c, cPad), its input and its output, both channel-last (H·W, C): one output
  // position's channels are one contiguous row, which the kernel adds a tap's contribution into.
  const a16 = (n) => Math.ceil(n / 16) * 16, pad4 = (n) => Math.ceil(n / 4) * 4;
  let wasm = null;
  const big = layers.filter((L) => L.simd);
  if (big.length) {
    const lin = big.filter((L) => L.type === "linear");
    const xOff = 0, accOff = a16(4 * Math.max(0, ...lin.map((L) => L.in)));
    let off = a16(accOff + 4 * Math.max(0, ...lin.map((L) => pad4(L.out))));
    for (const L of big) {
      if (L.type === "linear") {
        L.outPad = pad4(L.out); L.wtOff = off; off = a16(off + 4 * L.in * L.outPad);
        continue;
      }
      const [ci, hi, wi] = L.in_shape, [co, ho, wo] = L.out_shape;
      L.cPad = pad4(co);
      L.wtOff = off; off = a16(off + 4 * L.k * L.k * ci * L.cPad);
      L.inOff = off; off = a16(off + 4 * hi * wi * ci);
      L.outOff = off; off = a16(off + 4 * ho * wo * L.cPad);
    }
    const mem = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(off / 65536)) });
    const inst = new WebAssembly.Instance(mod, { env: { mem } });
    wasm = { layer: inst.exports.layer, f32: new Float32Array(mem.buffer), xOff, accOff };
    for (const L of big) L.biasPad = Object.assign(new Float32Array(L.type === "linear" ? L.outPad : L.cPad), L.b);
  }
  for (const L of layers) {
    if (L.type === "convT") { prepareConvT(L, weights, wasm); continue; }
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

// A transposed conv, prepared once: its weights per tap (k·k, in_c, out_c) (SIMD: rows padded to
// cPad, in kernel memory), and its plan: every (input position, tap, output position) that lands
// inside the output (torch's ConvTranspose2d: output row = input row · stride - pad + tap row).
function prepareConvT(L, weights, wasm) {
  const [ci, hi, wi] = L.in_shape, [co, ho, wo] = L.out_shape, K = L.k, taps = K * K;
  const stride = L.simd ? L.cPad : co;
  L.Wt = L.simd ? wasm.f32.subarray(L.wtOff / 4, L.wtOff / 4 + taps * ci * stride) : new Float32Array(taps * ci * co);
  for (let t = 0; t < taps; t++) {
    for (let c = 0; c < ci; c++) {
      const src = L.w_offset + (t * ci + c) * co, dst = (t * ci + c) * stride;
      for (let o = 0; o < co; o++) L.Wt[dst + o] = weights[src + o];
    }
  }
  const plan = [];
  for (let iy = 0; iy < hi; iy++) {
    for (let ix = 0; ix < wi; ix++) {
      for (let ky = 0; ky < K; ky++) {
        const oy = iy * L.stride - L.pad + ky;
        if (oy < 0 || oy >= ho) continue;
        for (let kx = 0; kx < K; kx++) {
          const ox = ix * L.stride - L.pad + kx;
          if (ox >= 0 && ox < wo) plan.push(iy * wi + ix, ky * K + kx, oy * wo + ox);
        }
      }
    }
  }
  L.plan = Int32Array.from(plan);
  if (!L.simd) L.acc = new Float64Array(ho * wo * co);
}

// One transposed conv: h (C·H·W, channel-first like torch) -> L.buf (C·H·W), before its activation.
function convT(dec, L, h) {
  const [ci, hi, wi] = L.in_shape, [co, ho, wo] = L.out_shape, HW = hi * wi, HWo = ho * wo, plan = L.plan, o = L.buf;
  if (L.simd) { // float32 sums in f32x4 lanes over the output channels
    const K = dec.wasm, f = K.f32, inB = L.inOff / 4, outB = L.outOff / 4, cp = L.cPad;
    for (let c = 0; c < ci; c++) for (let p = 0; p < HW; p++) f[inB + p * ci + c] = h[c * HW + p]; // to channel-last
    for (let p = 0; p < HWo; p++) f.set(L.biasPad, outB + p * cp);
    const rowB = 4 * ci, tapB = 4 * ci * cp, posB = 4 * cp;
    for (let j = 0; j < plan.length; j += 3) {
      K.layer(L.inOff + plan[j] * rowB, ci, L.wtOff + plan[j + 1] * tapB, cp, L.outOff + plan[j + 2] * posB);
    }
    for (let c = 0; c < co; c++) for (let p = 0; p < HWo; p++) o[c * HWo + p] = f[outB + p * cp + c];
  } else {
    const acc = L.acc, Wt = L.Wt;
    for (let p = 0; p < HWo; p++) for (let c = 0; c < co; c++) acc[p * co + c] = L.b[c];
    for (let j = 0; j < plan.length; j += 3) {
      const ip = plan[j], ab = plan[j + 2] * co, tb = plan[j + 1] * ci;
      for (let c = 0; c < ci; c++) {
        const v = h[c * HW + ip];
        if (v === 0) continue;
        const wb = (tb + c) * co;
        for (let r = 0; r < co; r++) acc[ab + r] += v * Wt[wb + r];
      }
    }
    for (let c = 0; c < co; c++) for (let p = 0; p < HWo; p++) o[c * HWo + p] = acc[p * co + c];
  }
}

// One forward pass: z (length k) -> Float32Array(D) (the last layer's buffer; copy to keep it).
// Big layers and transposed convs sum in float32 SIMD lanes (the kernel above), small ones in
// float64; hidden values are stored as float32. Either way the result is torch's float32 result to
// well within 1e-4.
export function decode(dec, z) {
  let h = z;
  for (const L of dec.layers) {
    const out = L.out, o = L.buf, act = L.act;
    if (L.type === "convT") {
      convT(dec, L, h);
      if (L.activation === "relu") for (let r = 0; r < out; r++) { if (o[r] < 0) o[r] = 0; }
      else if (act) for (let r = 0; r < out; r++) o[r] = act(o[r]);
      h = o;
      continue;
    }
    const Wt = L.Wt, acc = L.acc;
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
  return h;
}

// erf for GELU: no Math.erf in JavaScript.
export function erf(x) {
  // Abramowitz & Stegun 7.1.26 is only 1e-7 accurate; a series/continued fraction is overkill
  // here. This W. J. Cody style rational fit keeps |error| < 1.2e-7, far inside the 1e-4 budget.
  const s = x < 0 ? -1 : 1;
  x = Math.abs(x);
  const t = 1 / (1 + 0.5 * x);
  const y = 1 - t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return s * y;
}
