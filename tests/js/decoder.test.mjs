// Unit tests of the browser decoder (latentlab/ui/components/latent_plane/decoder.js) on Node's own test
// runner: small MLP and transposed-conv decoders with fixed weights, against sums written out here,
// and the WebAssembly SIMD kernel against the plain-JS path. (Every shipped decoder against torch:
// tests/browser/test_drag_browser.py.)
import assert from "node:assert/strict";
import { test } from "node:test";

import { SIMD_MIN_MACS, decode, erf, makeDecoder, simdKernel } from "../../latentlab/ui/components/latent_plane/decoder.js";

/** A manifest of linear layers [in, out, activation], weights (out, in) row-major then biases. */
function mlp(sizes, { output = "linear", seed = 1 } = {}) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1; // fixed, in [-1, 1)
  const layers = [], w = [];
  for (const [i, o, act] of sizes) {
    const w_offset = w.length;
    for (let k = 0; k < i * o; k++) w.push(rnd() / Math.sqrt(i));
    const b_offset = w.length;
    for (let k = 0; k < o; k++) w.push(rnd() * 0.1);
    layers.push({ in: i, out: o, activation: act, w_offset, b_offset });
  }
  const manifest = { layers, n_floats: w.length, latent_dim: sizes[0][0], output_dim: sizes.at(-1)[1], output };
  return { manifest, weights: Float32Array.from(w) };
}

/** The same network in float64, written out plainly: the reference. */
function reference({ manifest, weights }, z) {
  const acts = { none: (v) => v, relu: (v) => Math.max(0, v), tanh: Math.tanh, elu: (v) => (v > 0 ? v : Math.expm1(v)),
    silu: (v) => v / (1 + Math.exp(-v)), gelu: (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)),
    sigmoid: (v) => 1 / (1 + Math.exp(-v)) };
  let h = Array.from(z);
  for (const L of manifest.layers) {
    const o = [];
    const act = L.activation === "leaky_relu" ? (v) => (v > 0 ? v : L.alpha * v) : acts[L.activation];
    for (let r = 0; r < L.out; r++) {
      let s = weights[L.b_offset + r];
      for (let c = 0; c < L.in; c++) s += weights[L.w_offset + r * L.in + c] * h[c];
      o.push(act(s));
    }
    h = o;
  }
  return manifest.output === "sigmoid" ? h.map((v) => 1 / (1 + Math.exp(-v))) : h;
}

const close = (a, b, tol) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= tol);

test("a two-layer MLP decodes z to the sums written out by hand", () => {
  // W1 = [[1, 2], [-1, 0.5]], b1 = [0, 1]; relu; W2 = [[1, -1]], b2 = [0.25].
  const manifest = { latent_dim: 2, output_dim: 1, n_floats: 9, output: "linear", layers: [
    { in: 2, out: 2, activation: "relu", w_offset: 0, b_offset: 4 },
    { in: 2, out: 1, activation: "none", w_offset: 6, b_offset: 8 }] };
  const dec = makeDecoder(manifest, Float32Array.from([1, 2, -1, 0.5, 0, 1, 1, -1, 0.25]));
  // z = (1, 2): h = relu([5, 1 - 1 + 1]) = [5, 1]; x = 5 - 1 + 0.25.
  assert.deepEqual(Array.from(decode(dec, Float64Array.from([1, 2]))), [4.25]);
  // z = (-1, 0): h = relu([-1, 2]) = [0, 2]; x = -2 + 0.25.
  assert.deepEqual(Array.from(decode(dec, Float64Array.from([-1, 0]))), [-1.75]);
});

test("every activation and the sigmoid output match the float64 reference", () => {
  for (const act of ["relu", "tanh", "elu", "silu", "gelu", "none"]) {
    const net = mlp([[3, 16, act], [16, 5, "none"]], { output: "sigmoid" });
    const dec = makeDecoder(net.manifest, net.weights);
    for (const z of [[0, 0, 0], [0.5, -1.2, 2], [-3, 1, 0.1]]) {
      const got = Array.from(decode(dec, Float64Array.from(z)));
      assert.ok(close(got, reference(net, z), 1e-6), `${act} at ${z}: ${got}`);
      assert.ok(got.every((v) => v > 0 && v < 1)); // sigmoid output
    }
  }
});

test("an imported decoder's activations: LeakyReLU with its slope, a sigmoid between layers", () => {
  const net = mlp([[2, 8, "leaky_relu"], [8, 6, "sigmoid"], [6, 3, "none"]]);
  net.manifest.layers[0].alpha = 0.2;
  const dec = makeDecoder(net.manifest, net.weights);
  for (const z of [[0.3, -2], [-1.5, 0.7], [2, 2]]) {
    assert.ok(close(Array.from(decode(dec, Float64Array.from(z))), reference(net, z), 1e-6), `at ${z}`);
  }
  // By hand: one unit, w = 1, b = 0: leaky_relu(-2) = -0.4 with alpha 0.2.
  const one = { latent_dim: 1, output_dim: 1, n_floats: 2, output: "linear",
    layers: [{ in: 1, out: 1, activation: "leaky_relu", alpha: 0.2, w_offset: 0, b_offset: 1 }] };
  assert.ok(Math.abs(decode(makeDecoder(one, Float32Array.from([1, 0])), Float64Array.from([-2]))[0] + 0.4) < 1e-7);
  delete one.layers[0].alpha;
  assert.throws(() => makeDecoder(one, Float32Array.from([1, 0])), /alpha/);
});

test("the decoder refuses weights of the wrong length, an unknown activation or layer type", () => {
  const net = mlp([[2, 3, "relu"]]);
  assert.throws(() => makeDecoder(net.manifest, net.weights.subarray(1)), /weights file has/);
  const bad = structuredClone(net.manifest);
  bad.layers[0].activation = "swish2";
  assert.throws(() => makeDecoder(bad, net.weights), /unknown activation/);
  bad.layers[0].activation = "relu";
  bad.layers[0].type = "conv3d";
  assert.throws(() => makeDecoder(bad, net.weights), /unknown layer type/);
});

test("this Node has WebAssembly SIMD, so the kernel path below is really tested", () => {
  assert.ok(simdKernel(), "WebAssembly SIMD missing: the SIMD tests would only test the JS path");
});

test("a big layer runs on the SIMD kernel and agrees with the plain-JS path and the reference", () => {
  const net = mlp([[2, 160, "relu"], [160, 130, "relu"], [130, 30, "none"]]); // 160·130 ≥ SIMD_MIN_MACS
  assert.ok(160 * 130 >= SIMD_MIN_MACS);
  const fast = makeDecoder(net.manifest, net.weights, true), plain = makeDecoder(net.manifest, net.weights, false);
  assert.equal(fast.kernel, "WebAssembly SIMD");
  assert.equal(plain.kernel, "JavaScript");
  assert.deepEqual(fast.layers.map((L) => L.simd), [false, true, false]);
  for (const z of [[0.3, -0.7], [2, 1], [0, 0]]) {
    const a = Array.from(decode(fast, Float64Array.from(z))), b = Array.from(decode(plain, Float64Array.from(z)));
    assert.ok(close(a, b, 1e-4) && close(a, reference(net, z), 1e-4), `${z}`);
  }
});

test("an output width that is not a multiple of 4 is padded for the kernel, not cut", () => {
  const net = mlp([[2, 130, "relu"], [130, 127, "none"]]); // 127 outputs: padded to 128 lanes
  assert.ok(130 * 127 >= SIMD_MIN_MACS);
  const dec = makeDecoder(net.manifest, net.weights, true);
  const got = Array.from(decode(dec, Float64Array.from([0.4, -0.2])));
  assert.equal(got.length, 127);
  assert.ok(close(got, reference(net, [0.4, -0.2]), 1e-4));
});

/** A transposed conv (torch's ConvTranspose2d) written out: h (ci, hi, wi), w per tap (k·k, ci, co). */
function convTReference(h, w, b, [ci, hi, wi], [co, ho, wo], k, stride, pad) {
  const out = new Float64Array(co * ho * wo);
  for (let o = 0; o < co; o++) out.fill(b[o], o * ho * wo, (o + 1) * ho * wo);
  for (let c = 0; c < ci; c++) for (let iy = 0; iy < hi; iy++) for (let ix = 0; ix < wi; ix++) {
    for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) {
      const oy = iy * stride - pad + ky, ox = ix * stride - pad + kx;
      if (oy < 0 || oy >= ho || ox < 0 || ox >= wo) continue;
      for (let o = 0; o < co; o++) out[o * ho * wo + oy * wo + ox] += h[c * hi * wi + iy * wi + ix] * w[((ky * k + kx) * ci + c) * co + o];
    }
  }
  return Array.from(out);
}

test("a transposed conv (stride 2, pad 1) matches the convolution written out, on both paths", () => {
  const [ci, hi, wi, co, k, stride, pad] = [3, 4, 4, 5, 4, 2, 1];
  const [ho, wo] = [(hi - 1) * stride - 2 * pad + k, (wi - 1) * stride - 2 * pad + k]; // 8 × 8
  let s = 7;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  // z (2) -> linear (2 -> ci·hi·wi, relu) -> convT (-> co·ho·wo, no activation).
  const lin = mlp([[2, ci * hi * wi, "relu"]]);
  const wc = Array.from({ length: k * k * ci * co }, rnd), bc = Array.from({ length: co }, rnd);
  const weights = Float32Array.from([...lin.weights, ...wc, ...bc]);
  const n0 = lin.weights.length;
  const manifest = { latent_dim: 2, output_dim: co * ho * wo, n_floats: weights.length, output: "linear", layers: [
    lin.manifest.layers[0],
    { type: "convT", in: ci * hi * wi, out: co * ho * wo, in_shape: [ci, hi, wi], out_shape: [co, ho, wo], k, stride, pad,
      activation: "none", w_offset: n0, b_offset: n0 + wc.length }] };
  const z = [0.8, -0.3];
  const h = reference(lin, z);
  const want = convTReference(h, Float32Array.from(wc), Float32Array.from(bc), [ci, hi, wi], [co, ho, wo], k, stride, pad);
  for (const simd of [true, false]) {
    const dec = makeDecoder(manifest, weights, simd);
    assert.equal(dec.layers[1].simd, simd);
    const got = Array.from(decode(dec, Float64Array.from(z)));
    assert.ok(close(got, want, 1e-4), `simd=${simd}`);
  }
});

test("erf matches tabulated values to 1.2e-7 and is odd", () => {
  const table = [[0, 0], [0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149],
    [1.5, 0.9661051464753108], [2, 0.9953222650189527], [3, 0.9999779095030014], [5, 0.9999999999984626]];
  for (const [x, want] of table) {
    assert.ok(Math.abs(erf(x) - want) < 1.2e-7, `erf(${x}) = ${erf(x)}, want ${want}`);
    assert.ok(Math.abs(erf(-x) + want) < 1.2e-7);
  }
});
