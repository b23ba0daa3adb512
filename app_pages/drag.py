"""Drag to decode: move a point through latent space and watch the decoded image morph.

The latent pad decodes in the browser every animation frame (MLP decoders exported as float32
files to ``static/decoders/``); the rest of this page follows the marker position that the pad
reports to Python on release and about every 100 ms during a drag.
"""
from __future__ import annotations

import html

import numpy as np
import streamlit as st

from aecore import drag, export, views
from components.latent_pad import latent_pad
from app_pages.common import (codes_for, floats, get_checkpoint, get_codes, get_dataset, pick_model, push_url,
                          require_checkpoint, require_dataset, show_advanced, static_prefix, url_state)

STRIP_N = 9


@st.cache_data(show_spinner="Preparing the latent plane…", max_entries=16)
def pad_payload(path: str, mtime: float, dataset: str):
    """Model-dependent pad data (scatter, density, view), the view itself, the test codes' plane
    positions and their density in the plane (:class:`aecore.explore.CodeDensity`, for the readouts)."""
    codes = get_codes(path, mtime, dataset, "test")  # (N, k)
    ds = get_dataset(dataset)
    _, y = ds.split("test")
    view = drag.make_view(codes)
    data, pts, density = drag.pad_data(codes, y.numpy(), ds.class_names, view)
    if not ds.is_image:
        x, _ = ds.split("test")
        mean, basis = drag.data_projection(x.numpy())
        p = (x.numpy() - mean) @ basis.T  # (N, 2)
        data["data_space"] = {"points": np.round(p, 4).ravel().tolist(), "bounds": list(drag.view_bounds(p, 0.2)),
                              "mean": mean.tolist(), "basis": basis.tolist()}
    return data, view, pts, density


@st.cache_resource(show_spinner="Exporting the decoder for the browser…", max_entries=32)
def exported(path: str, mtime: float, name: str) -> tuple[dict | None, str]:
    """The exported decoder manifest (weights written to static/decoders/), or ``None`` and why not."""
    ck = get_checkpoint(path, mtime)
    try:
        return export.export_decoder(ck.model, name, url_prefix=static_prefix()), ""
    except export.NotExportable as exc:
        return None, str(exc)


@st.cache_resource(show_spinner=False, max_entries=32)
def plane_url(path: str, mtime: float, dataset: str, name: str) -> str:
    """The pad's scatter/density/view as a static JSON file (fetched once by the browser)."""
    data = pad_payload(path, mtime, dataset)[0]
    return export.export_json(data, name, "plane", url_prefix=static_prefix())


st.title("Drag to decode")
st.caption("Drag marker A (and B) across the latent plane: the decoder g(z) runs in your browser, so the "
           "image follows the mouse every frame. Shading = where the test codes are dense.")

url_state("dg_model", None)
entry = pick_model("dg_model", prefer=("digits-ae-2d", "mnist-ae-2d", "digits-vae-2d"))
if entry is None:
    st.stop()
ck = require_checkpoint(entry)
ds = require_dataset(entry.dataset)
mtime = entry.path.stat().st_mtime

url_state("dg_markers", "Two markers")
n_label = st.sidebar.radio("Markers", ["One marker", "Two markers"], key="dg_markers", horizontal=True)
n_markers = 1 if n_label == "One marker" else 2
n_neighbours = 5
if show_advanced():
    url_state("dg_nn", 6, int)
    n_neighbours = st.sidebar.slider("Nearest test examples shown", 1, 12, key="dg_nn")

data, view, plane_pts, density = pad_payload(str(entry.path), mtime, entry.dataset)
manifest, why_not = exported(str(entry.path), mtime, entry.name)
if manifest is not None and not (export.STATIC_DIR / manifest["weights_file"]).exists():
    exported.clear()  # someone cleaned static/: write the files again rather than serve a 404
    manifest, why_not = exported(str(entry.path), mtime, entry.name)
_, y_test = ds.split("test")

# Markers: from the URL on first load (deep link), reset to class medians when the model changes.
init = drag.default_markers(plane_pts, y_test.numpy())
url_state("dg_a", init[0], floats)
url_state("dg_b", init[1], floats)
if st.session_state.get("dg_for") != entry.name:
    if "dg_for" in st.session_state or len(st.session_state["dg_a"]) != 2 or len(st.session_state["dg_b"]) != 2:
        st.session_state["dg_a"], st.session_state["dg_b"] = init
    st.session_state["dg_for"] = entry.name
start = [list(map(float, st.session_state["dg_a"])), list(map(float, st.session_state["dg_b"]))]

if view.kind == "pca":
    ex = view.explained or (0.0, 0.0)
    st.info(f"This model has a {view.k}-D latent space. The plane shows its first two principal axes "
            f"(PC 1: {ex[0]:.0%}, PC 2: {ex[1]:.0%} of the code variance); a marker at p decodes "
            "z = mean + p · components, the PCA inverse map, computed in the browser too.")
elif view.kind == "line":
    st.info("This model has a 1-D latent space: only the horizontal position z₁ matters; the vertical "
            "spread only keeps the dots apart.")

if manifest is not None:
    mode_text = (f"Decoded in your browser: {len(manifest['layers'])}-layer MLP, "
                 f"{manifest['n_floats'] * 4 / 1e6:.2f} MB of float32 weights.")
else:
    mode_text = ("Server decoding (conv decoder): this decoder cannot run in the browser, so the image "
                 "below updates from the server when you release the marker.")

# Small on purpose: Streamlit re-sends this on every rerun (~10×/s while dragging); the scatter and
# the weights are static files the browser fetches once.
pad_data = {"plane_url": plane_url(str(entry.path), mtime, entry.dataset, entry.name),
            "sig": f"{entry.name}:{mtime}", "markers": start, "n_markers": n_markers, "manifest": manifest, "image_shape": list(ds.image_shape) if ds.is_image else None,
            "mode_text": mode_text, "strip_n": STRIP_N, "size": 520, "panel": 240, "strip_cell": 60}


@st.fragment
def live_view() -> None:
    """The pad and everything that follows its markers; reruns alone (not the page) ~10×/s while dragging."""
    key = f"dg_pad_{entry.name}"
    # Echo the last position number Python has seen: the pad sends a new one only once this one is
    # acknowledged, so a slow server gets one rerun in flight instead of a growing queue.
    prev = st.session_state.get(key) or {}
    ack = int(((prev.get("pos") if isinstance(prev, dict) else None) or {}).get("seq", 0))
    pos = latent_pad({**pad_data, "ack": ack}, key=key, default_markers=start)
    markers = pos.get("markers") or start
    if pos.get("sig") not in (None, pad_data["sig"]):  # state left over from an older version of this model
        markers = start
    st.session_state["dg_a"], st.session_state["dg_b"] = markers[0], markers[1]
    if not pos.get("dragging"):
        # The address bar follows on release only: a URL change costs the browser a history entry
        # and a navigation-state update, which at ~10 per second halves the pad's frame rate.
        push_url("dg_model", "dg_markers", "dg_a", "dg_b")

    names = ["A", "B"][:n_markers]
    p = np.asarray(markers[:n_markers], np.float64)  # (m, 2) plane positions
    z = view.to_latent(p)  # (m, k)
    q = p.copy()
    if view.kind == "line":
        q[:, 1] = 0.0  # k = 1: the vertical spread is cosmetic; read the density on the strip's centre
    codes = codes_for(entry, "test")
    x_test, _ = ds.split("test")
    # Everything that follows the markers goes out as ONE html element (images inline): this reruns
    # ~10×/s during a drag, and each extra Streamlit element costs the browser main-thread time the
    # pad needs for its frames (bench/drag_fps.py).
    blocks = []
    for i, nm in enumerate(names):
        pct = float(density.percentile(density(q[i])[0]))
        idx = views.nearest_indices(codes, z[i], n_neighbours)
        labels = ", ".join(html.escape(ds.class_names[int(y_test[j])]) for j in idx)
        zs = ", ".join(f"{v:.3f}" for v in z[i])
        nn = (f"<img src='{views.png_data_uri(views.image_grid(x_test[idx].numpy(), ds.image_shape, 1, len(idx), cell=64))}' "
              f"alt='nearest test images' style='image-rendering:pixelated;max-width:100%'>"
              f"<div style='color:#555;font-size:0.9em;margin-top:2px'>nearest test images to {nm}: {labels}</div>" if ds.is_image
              else f"<div style='color:#555;font-size:0.9em;margin-top:2px'>nearest test points to {nm}: {labels}</div>")
        blocks.append(f"<div style='flex:1;min-width:260px' data-testid='dg-follow-{nm}'><h4>Marker {nm} at z = ({zs})</h4>"
                      f"<p>Density here: denser than <b>{pct:.0f}%</b> of the test codes"
                      + ("  (off the data: expect a blurry or odd decoding)" if pct < 5 else "") + f"</p>{nn}</div>")
    line = ""
    if n_markers == 2:
        dens = density.percentile(density(drag.interpolate(q[0], q[1], 21)))  # (21,) percentiles along the line
        line = (f"<p><b>On the straight line A → B</b> the emptiest spot is denser than only <b>{min(dens):.0f}%</b> "
                "of the test codes" + (": the path leaves the data there." if min(dens) < 5 else ".") + "</p>"
                f"<img src='{views.png_data_uri(drag.profile_bar(dens))}' alt='density along A to B'>"
                "<div style='color:#555;font-size:0.9em;margin-top:2px'>density along A → B (white = no data there)</div>")
    # Inline styles, not a <style> element: a new style sheet ~10×/s would restyle the whole document.
    st.html(f"<div style='display:flex;gap:2rem;flex-wrap:wrap'>{''.join(blocks)}</div>{line}")
    if manifest is None:  # conv decoders: decoded on the server, so only on release
        cols = st.columns(n_markers, gap="large")
        for i, (col, nm) in enumerate(zip(cols, names)):
            xhat = views.decode_array(ck.model, z[i])[0]
            if ds.is_image:
                col.image(views.to_display(xhat, ds.image_shape, 240), width=240,
                          caption=f"{nm}: decoded on the server (on release)")
            else:
                col.write({f"x̂ = g(z) at {nm} (server)": np.round(xhat, 3).tolist()})
        if n_markers == 2 and ds.is_image:
            xs = views.decode_array(ck.model, view.to_latent(drag.interpolate(p[0], p[1], STRIP_N)))
            st.image(views.image_grid(xs, ds.image_shape, 1, STRIP_N, cell=64),
                     caption="A → B decoded on the server (on release)")


live_view()
