// Helpers shared by the latent plane's unit tests (not a test file: node --test runs *.test.mjs).

/** A plane file as encode_plane writes it: magic, header length, JSON header, arrays at 8-byte offsets. */
export function planeFile({ points, labels, density, extra = {} }) {
  const a8 = (k) => Math.ceil(k / 8) * 8;
  const arrays = { points: [points, "f4", [points.length / 2, 2]], labels: [labels, labels.BYTES_PER_ELEMENT === 1 ? "u1" : "u2", [labels.length]] };
  if (density) arrays.density = [density, "f4", [Math.sqrt(density.length), Math.sqrt(density.length)]];
  let start = 0, layout, text;
  for (;;) {
    layout = {};
    let off = start;
    for (const [k, [a, dt, shape]] of Object.entries(arrays)) { layout[k] = [off, dt, shape]; off = a8(off + a.byteLength); }
    text = new TextEncoder().encode(JSON.stringify({ ...extra, arrays: layout }));
    const need = a8(12 + text.length);
    if (need <= start) break;
    start = need;
  }
  let end = start;
  for (const [k, [a]] of Object.entries(arrays)) end = a8(layout[k][0] + a.byteLength);
  const buf = new ArrayBuffer(end), bytes = new Uint8Array(buf);
  bytes.set(new TextEncoder().encode("LLPLANE1"), 0);
  new DataView(buf).setUint32(8, start - 12, true);
  bytes.fill(32, 12, start);
  bytes.set(text, 12);
  for (const [k, [a]] of Object.entries(arrays)) bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), layout[k][0]);
  return buf;
}
