// Shared by the component modules: latentlab/ui/components/static_js.py puts this in front of each module's
// own code when it writes the module to static/ (each module stays one self-contained file). The
// modules import what they use from here (`import { fetchOnce } from "../shared.js";`), so each
// file reads alone (node --test, eslint, tsc); join_modules drops those lines when it joins them.

// One fetch per URL per page, parsed once; a failure is forgotten so a later call can retry.
// `cache`: a Map URL -> Promise (the URLs are content-hashed, so an entry is never stale).
export function fetchOnce(cache, url, parse) {
  if (!cache.has(url)) {
    const p = fetch(url).then((r) => {
      if (!r.ok) throw new Error(`could not fetch ${url}: HTTP ${r.status}`);
      return parse(r);
    });
    cache.set(url, p);
    p.catch(() => cache.delete(url));
  }
  return cache.get(url);
}

// The components-v2 default export of a component with one long-lived instance per element.
// Streamlit calls it again on every rerun (new `data`): the instance lives on the root element, so
// a rerun (even mid-drag) keeps its state. `registry` (the window.__ll* test hooks) tracks the
// instances and the `last` one. Streamlit may run the cleanup while a newer call for the same
// element is on its way: tear down only once the element has really left the page. `create(root,
// data)` may return a live instance that it moved into `root` (it then sets `inst.root = root`).
export function mountInstance(component, rootClass, registry, create) {
  const { parentElement, setStateValue } = component;
  // Python sends [data], not data (latentlab/ui/components/static_js.py says why).
  const data = Array.isArray(component.data) ? component.data[0] : component.data;
  let root = parentElement.querySelector("." + rootClass);
  if (!root) {
    root = document.createElement("div");
    root.className = rootClass;
    parentElement.appendChild(root);
  }
  let inst = root.__llInstance;
  if (!inst || inst.dead) {
    inst = root.__llInstance = create(root, data);
    if (!registry.instances.includes(inst)) registry.instances.push(inst);
  }
  registry.last = inst;
  inst.update(data, setStateValue);
  return () => {
    setTimeout(() => {
      if (root.isConnected || (inst.root && inst.root !== root)) return; // still here, or moved on
      inst.destroy();
      registry.instances = registry.instances.filter((x) => x !== inst);
    }, 0);
  };
}

// Axis ticks at 1, 2 or 5 times a power of ten, about n of them over [lo, hi].
export function niceTicks(lo, hi, n) {
  const step0 = (hi - lo) / Math.max(1, n);
  const mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) || step0;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(+v.toFixed(10));
  return out;
}

// True when WebGL runs in software (SwiftShader, llvmpipe: a machine without a usable GPU), or not at
// all. Asked once per page. The components then avoid the GPU paths that are slower than plain
// JavaScript there (plotly's pixel ratio, the plane's WebGL points).
let software = null;
export function softwareGL() {
  if (software === null) {
    const gl = document.createElement("canvas").getContext("webgl");
    if (!gl) software = true;
    else {
      const ext = gl.getExtension("WEBGL_debug_renderer_info");
      const name = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
      software = /swiftshader|llvmpipe|softpipe|software/i.test(name);
      const lose = gl.getExtension("WEBGL_lose_context");
      if (lose) lose.loseContext();
    }
  }
  return software;
}
