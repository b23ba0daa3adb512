// The latent plane as a notebook widget (anywidget): the same component the app mounts, driven by a
// widget model instead of Streamlit. latentlab/ui/components/bundle.py joins this module after
// plane.js, in the widget's bundle only, where its default export replaces plane.js's.
//
// Model traits (latentlab/ui/notebook.py): `data` (the component's data: a plane file as a data: URL,
// the decoder's manifest, options) in; `selection` (point indices) and `polygon` (the lasso, plane
// units) out when a Box or Lasso selection ends; `click` ({x, y, index}) out on a click; `decoded` (a
// data: URL of an image decoded in the kernel, for a decoder the browser cannot run) in, shown under
// the plane.

import { mountPlane } from "./plane.js";

/** @param {{model: any, el: HTMLElement}} ctx */
function render({ model, el }) {
  const host = document.createElement("div");
  const kernelImage = document.createElement("img");
  kernelImage.className = "llplane-kernel-decoded";
  kernelImage.alt = "decoded in the kernel";
  kernelImage.style.cssText = "display:none;width:140px;image-rendering:pixelated;margin-top:6px;border:1px solid #ccc";
  el.append(host, kernelImage);
  const send = (/** @type {string} */ key, /** @type {any} */ value) => {
    if (key === "selection") {
      model.set("selection", (value && value.indices) || []);
      model.set("polygon", (value && value.polygon) || []);
    } else if (key === "click") {
      model.set("click", { x: value.x, y: value.y, index: value.index });
    } else {
      return;
    }
    model.save_changes();
  };
  let cleanup = null;
  const mount = () => {
    cleanup = mountPlane({ data: [model.get("data")], parentElement: host, setStateValue: send });
  };
  const showDecoded = () => {
    const url = model.get("decoded");
    kernelImage.style.display = url ? "block" : "none";
    if (url) kernelImage.src = url;
  };
  mount();
  showDecoded();
  model.on("change:data", mount);
  model.on("change:decoded", showDecoded);
  return () => {
    model.off("change:data", mount);
    model.off("change:decoded", showDecoded);
    host.remove(); // the plane leaves the page: its instance tears itself down
    if (typeof cleanup === "function") cleanup();
  };
}

export default { render };
