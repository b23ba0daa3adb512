// The code grid's pure parts (no DOM): the decoder's input built from a grid of code indices, and a
// colour per code. Imported by grid.js and alone by the unit tests (tests/js/codes.test.mjs).

// The decoder's input for a grid of code indices: code vector `indices[i·w + j]` (a row of the
// (K, dim) `codebook`, row-major) at cell (i, j), channel-first like torch's (dim, h, w) tensor,
// flattened: out[d·h·w + i·w + j] = codebook[indices[i·w + j]·dim + d]. aecore's VQVAE.grid_vectors.
export function gridInput(codebook, dim, indices, h, w, out = new Float32Array(dim * h * w)) {
  const hw = h * w;
  for (let p = 0; p < hw; p++) {
    const base = indices[p] * dim;
    for (let d = 0; d < dim; d++) out[d * hw + p] = codebook[base + d];
  }
  return out;
}

// A colour per code: hues a golden angle apart (neighbouring indices never look alike), two
// lightnesses alternating so that hues that come round again still differ. Black text on all of them
// keeps a contrast of at least 4.5 (axe's AA: dark grey #333 fell to 4.1 on the bluest).
export function codeColour(i) {
  const hue = (i * 137.508) % 360;
  return `hsl(${hue.toFixed(1)}, 70%, ${i % 2 ? 72 : 82}%)`;
}

// Grey levels in [0, 1] (any length) -> RGBA bytes for an ImageData of the same number of pixels.
export function greyToRgba(values, out = new Uint8ClampedArray(values.length * 4)) {
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(Math.min(1, Math.max(0, values[i])) * 255);
    out[4 * i] = v; out[4 * i + 1] = v; out[4 * i + 2] = v; out[4 * i + 3] = 255;
  }
  return out;
}
