// The code grid's pure parts (latentlab/ui/components/code_grid/codes.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { codeColour, greyToRgba, gridInput } from "../../latentlab/ui/components/code_grid/codes.js";

test("gridInput lays code vectors out channel-first, like torch's (dim, h, w)", () => {
  // 3 codes of 2 dims; a 2×2 grid picking codes 2, 0, 1, 2.
  const codebook = Float32Array.from([0, 1, 10, 11, 20, 21]);
  const x = gridInput(codebook, 2, [2, 0, 1, 2], 2, 2);
  // channel 0 over the cells, then channel 1 over the cells
  assert.deepEqual(Array.from(x), [20, 0, 10, 20, 21, 1, 11, 21]);
});

test("codeColour gives neighbouring codes different colours", () => {
  const cs = Array.from({ length: 128 }, (_, i) => codeColour(i));
  for (let i = 1; i < cs.length; i++) assert.notEqual(cs[i], cs[i - 1]);
  assert.equal(new Set(cs).size, 128);
});

test("greyToRgba clamps and scales to bytes", () => {
  assert.deepEqual(Array.from(greyToRgba([0, 0.5, 2, -1])), [0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 0, 0, 0, 255]);
});
