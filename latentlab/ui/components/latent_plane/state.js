// The latent plane's page-wide state: the registry of planes (window.__llplane: instances, the last
// one, the fetched files and decoders, the counters), the constants the modules share, and the
// loaders of a plane file, its images and its decoder. One per page, whatever the number of planes.

import { fetchOnce } from "../shared.js";
import { makeDecoder, decode } from "./decoder.js";
import { parsePlane, contour } from "./geometry.js";
import { drawOrder } from "./view.js";

/**
 * @typedef {object} Stats  Counters read by the benches and the browser tests (testing.js: stats()).
 * @property {number} baseDraws  redraws of the static layer; baseMs: their time
 * @property {number} baseMs
 * @property {number} clicks
 * @property {number} instant  clicks decoded in the browser; instantMs: click-to-drawn time
 * @property {number} instantMs
 * @property {number} frames  animation frames that decoded and drew (markers mode)
 * @property {number} decodes
 * @property {number} decodeMs
 * @property {number} frameMs
 * @property {number} posts  position reports sent on the channel; follows: answered; followErrors
 * @property {number} follows
 * @property {number} followErrors
 * @property {number} followMs
 * @property {number} rafs  all animation frames
 * @property {number} pointerFrames  decoded frames that had a new pointer position (the rest glided)
 * @property {number} scaledFrames  frames that showed the static layer scaled (a zoom before its redraw)
 * @property {number} [draws]  frames drawn (any mode)
 */

/** @type {{instances: any[], last: any, files: Map<string, Promise<any>>, decoders: Map<string, Promise<any>>,
 *   stats: Stats, timing: {lastClickAt: number, insetAt: number, insetShownAt: number},
 *   glideMs?: number, followMs?: number, lastExport?: any, lastFollowError?: string,
 *   loadDecoder?: Function, decodeWith?: Function, test?: any}} */
export const LP = (globalThis.__llplane = globalThis.__llplane || {
  instances: [],
  last: null,
  files: new Map(), // URL -> Promise<parsed>; URLs carry content keys, so never stale
  decoders: new Map(), // weights URL -> Promise<decoder>
  stats: { baseDraws: 0, baseMs: 0, clicks: 0, instant: 0, instantMs: 0, frames: 0, decodes: 0, decodeMs: 0,
    frameMs: 0, posts: 0, follows: 0, followErrors: 0, followMs: 0, rafs: 0, pointerFrames: 0, scaledFrames: 0 },
  // When the last click came, when its inset was decoded, and when that was on screen (ms).
  timing: { lastClickAt: 0, insetAt: 0, insetShownAt: 0 },
});

// Position reports to Python while dragging (the channel): one every FOLLOW_MS, at most one in
// flight. LP.followMs overrides the interval (bench/drag_fps.py --sync-ms); 0 sends none.
export const FOLLOW_MS = 100;

// The dragged marker glides to the pointer rather than jumping: every animation frame moves it
// 1 - exp(-dt / GLIDE_MS) of the way (three quarters at 60 Hz; at a steady speed it trails the
// pointer by GLIDE_MS). So the image morphs on every frame while the pointer moves, also when
// pointer events come slower than frames: on a 2-core VM with CPU stolen by the hypervisor they
// arrived at 35-50/s while frames ran at 59/s. On release the marker snaps to the pointer, and
// Python gets that exact position. LP.glideMs overrides it; 0 jumps straight to the pointer
// (as does prefers-reduced-motion: keyboard.js).
export const GLIDE_MS = 12;

export const VERMILLION = "#D55E00";

// Planes with more points than this draw them as accumulated pixels, not one dot each (drawBase).
export const RASTER_MIN_POINTS = 150000;

// One forward pass (decoder.js's decode), counted in LP.stats (tests and benchmarks read them).
export function forward(dec, z) {
  const t0 = performance.now();
  const h = decode(dec, z);
  LP.stats.decodes += 1;
  LP.stats.decodeMs += performance.now() - t0;
  return h;
}

// URL -> Promise<decoder> (LP.decoders)
export const loadDecoder = (manifest) => fetchOnce(LP.decoders, manifest.weights_url,
  async (r) => makeDecoder(manifest, new Float32Array(await r.arrayBuffer())));

// Decode codes with the exact code path the plane uses (`simd: false`: the plain-JS path, as on a
// browser without WebAssembly SIMD). testing.js's decodeWith.
LP.loadDecoder = loadDecoder;
LP.decodeWith = async (manifest, zs, { simd = true } = {}) => {
  let dec = await loadDecoder(manifest);
  if (!simd) dec = makeDecoder(manifest, new Float32Array(await (await fetch(manifest.weights_url)).arrayBuffer()), false);
  return { kernel: dec.kernel, x: zs.map((z) => Array.from(forward(dec, Float64Array.from(z)))) };
};

// A plane file (geometry.js's parsePlane), with its "extrapolating" contour and its drawing order.
export function loadPlane(url) {
  return fetchOnce(LP.files, url, async (r) => {
    const m = parsePlane(await r.arrayBuffer());
    if (m.dens) m.contour = contour(m.dens, m.density_n, m.threshold, m.bounds);
    m.order = drawOrder(m.n);
    return m;
  });
}

// The examples' images (uint8, C*H*W each), for the hover tooltip.
export function loadImages(url) {
  return fetchOnce(LP.files, url, async (r) => new Uint8Array(await r.arrayBuffer()));
}
