"""Drag to decode: move a point through latent space and watch the decoded image morph.

The latent plane decodes in the browser every animation frame (MLP and conv decoders exported as float32
files to ``static/decoders/``). The readouts under it follow the markers: during a drag the pad
sends their positions to Python about every 100 ms through its own channel
(:mod:`latentlab.ui.components.pad_channel`, no Streamlit rerun) and shows the HTML Python returns; the release
reruns the fragment, which moves the URL and any server-decoded images too.
"""

from __future__ import annotations

import html

import numpy as np
import streamlit as st

from aecore.analysis import coding
from aecore.analysis import markers as drag
from aecore.analysis.projection import fit_projection
from aecore.storage.files import file_hash
from latentlab.server import plane
from latentlab.ui.components import pad_channel
from latentlab.ui.components.latent_plane import latent_pad
from latentlab.ui.components.static_js import static_prefix
from latentlab.ui.loaders import codes_for, exported_decoder, get_codes, get_dataset, pick_loaded
from latentlab.ui.state import floats, push_url, url_state
from latentlab.ui.theme import (
    engineering_text,
    is_presenter,
    page_header,
    show_advanced,
    show_image,
    show_png,
    slide_height,
    slide_scale,
    vector_text,
)

STRIP_N = 9


@st.cache_data(show_spinner="Preparing the latent plane…", max_entries=16)
def pad_payload(path: str, mtime: float, dataset: str):
    """The pad's plane payload (:func:`latentlab.server.plane.pad_plane`), its projection, the test codes' plane
    positions and their density in the plane (:class:`aecore.analysis.density.KernelDensity`, for the readouts)."""
    codes = get_codes(path, mtime, dataset, "test")  # (N, k)
    ds = get_dataset(dataset)
    x, y = ds.split("test")
    view = fit_projection(codes, "pca")
    data, pts, density = plane.pad_plane(
        codes, y.numpy(), ds.class_names, view, x_data=None if ds.is_image else x.numpy()
    )
    return data, view, pts, density


@st.cache_resource(show_spinner=False, max_entries=32)
def plane_url(path: str, mtime: float, dataset: str) -> str:
    """The pad's plane as a static file (fetched once by the browser), in the latent map's format."""
    data = pad_payload(path, mtime, dataset)[0]
    key = plane.plane_key(file_hash(path), dataset, "test", "pad")
    return plane.write_plane(key, data, url_prefix=static_prefix())


page_header(
    "Drag to decode",
    "Drag marker A (and B) across the latent plane: the decoder g(z) runs in your browser, "
    "so the image follows the mouse every frame. Shading = where the test codes are dense.",
)

url_state("dg_model", None)
# 28 × 28 digits by default: 8 × 8 ones are unreadable from the back of a lecture hall.
entry, ck, ds = pick_loaded("dg_model", prefer=("mnist-ae-2d", "fashion-mnist-ae-2d", "digits-ae-2d"))
mtime = entry.path.stat().st_mtime

url_state("dg_markers", "Two markers")
n_label = st.sidebar.radio("Markers", ["One marker", "Two markers"], key="dg_markers", horizontal=True)
n_markers = 1 if n_label == "One marker" else 2
n_neighbours = 5
if show_advanced():
    url_state("dg_nn", 6, int)
    n_neighbours = st.sidebar.slider("Nearest test examples shown", 1, 12, key="dg_nn")

data, view, plane_pts, density = pad_payload(str(entry.path), mtime, entry.dataset)
manifest, why_not = exported_decoder(entry)
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

if view.method == "pca":
    ex = view.explained
    st.info(
        f"This model has a {view.k}-D latent space. The plane shows its first two principal axes "
        f"(PC 1: {ex[0]:.0%}, PC 2: {ex[1]:.0%} of the code variance); a marker at p decodes "
        "z = mean + p · components, the PCA inverse map, computed in the browser too."
    )
elif view.method == "pad":
    st.info(
        "This model has a 1-D latent space: only the horizontal position z₁ matters; the vertical "
        "spread only keeps the dots apart."
    )

if manifest is not None:
    n_conv = sum(L.get("type") == "convT" for L in manifest["layers"])
    kind = f"a linear layer and {n_conv} transposed convolutions" if n_conv else f"{len(manifest['layers'])}-layer MLP"
    # For the engineer: the weights' size is no part of a slide.
    mode_text = engineering_text(
        f"Decoded in your browser: {kind}, {manifest['n_floats'] * 4 / 1e6:.2f} MB of float32 weights."
    )
else:
    mode_text = (
        f"Server decoding: this decoder cannot run in the browser ({why_not}), so the image "
        "below updates from the server when you release the marker."
    )

# Small on purpose: Streamlit re-sends this on every rerun of the fragment; the scatter and the
# weights are static files the browser fetches once.
pad_args = {
    "url": plane_url(str(entry.path), mtime, entry.dataset),
    "hint": "Drag a marker (or click to move the nearest one); scroll to zoom, double-click to reset.",
    "sig": f"{entry.name}:{mtime}",
    "markers": start,
    "n_markers": n_markers,
    "manifest": manifest,
    "image_shape": list(ds.image_shape) if ds.is_image else None,
    "mode_text": mode_text,
    "strip_n": STRIP_N,
    # On a slide the pad grows with the window (520 px at 720p); the decoded panels with it.
    "size": slide_height(520) if is_presenter() else 520,
    "panel": round(240 * slide_scale()) if is_presenter() else 240,
    "strip_cell": round(60 * slide_scale()) if is_presenter() else 60,
    "presenter": is_presenter(),  # bigger ticks, dots and markers for the back row
}


def follower(names: list[str], n_neighbours: int):
    """Marker positions → the HTML of the readouts under the pad (density, nearest test examples,
    the A → B profile). Registered with :mod:`latentlab.ui.components.pad_channel`, it also runs outside any
    script run, in the server's thread pool, ~10 times a second during a drag: so it closes over
    plain arrays, never over Streamlit calls."""
    codes = codes_for(entry, "test")  # (N, k)
    x_test, y_test = (t.numpy() for t in ds.split("test"))
    class_names, is_image, image_shape = ds.class_names, ds.is_image, ds.image_shape
    note = "<div style='color:#555;font-size:0.9em;margin-top:2px'>{}</div>"

    def render(markers: list[list[float]]) -> str:
        f = drag.follow(markers[: len(names)], view, codes, density, n_neighbours)
        blocks = []
        for nm, m in zip(names, f.markers):
            labels = ", ".join(html.escape(class_names[int(y_test[j])]) for j in m.neighbours)
            zs = ", ".join(f"{v:.3f}" for v in m.z)
            if is_image:
                grid = coding.image_grid(x_test[m.neighbours], image_shape, 1, len(m.neighbours), cell=64)
                nn = (
                    f"<img src='{coding.png_data_uri(grid)}' alt='nearest test images' "
                    "style='image-rendering:pixelated;max-width:100%'>"
                    + note.format(f"nearest test images to {nm}: {labels}")
                )
            else:
                nn = note.format(f"nearest test points to {nm}: {labels}")
            blocks.append(
                f"<div style='flex:1;min-width:260px' data-testid='dg-follow-{nm}'><h4>Marker {nm} at z = ({zs})</h4>"
                f"<p>Density here: denser than <b>{m.percentile:.0f}%</b> of the test codes"
                + ("  (off the data: expect a blurry or odd decoding)" if m.percentile < 5 else "")
                + f"</p>{nn}</div>"
            )
        line = ""
        if f.line is not None:
            low = float(f.line.min())
            line = (
                f"<p><b>On the straight line A → B</b> the emptiest spot is denser than only <b>{low:.0f}%</b> "
                "of the test codes" + (": the path leaves the data there." if low < 5 else ".") + "</p>"
                f"<img src='{coding.png_data_uri(drag.profile_bar(f.line))}' alt='density along A to B'>"
                + note.format("density along A → B (white = no data there)")
            )
        # Inline styles, not a <style> element: a new style sheet ~10×/s would restyle the whole document.
        return f"<div style='display:flex;gap:2rem;flex-wrap:wrap'>{''.join(blocks)}</div>{line}"

    return render


@st.fragment
def live_view() -> None:
    """The pad and everything that follows its markers. During a drag the readouts update through
    the pad's position channel (no rerun); the release reruns this fragment (not the page)."""
    key = f"dg_pad_{entry.name}"
    # The pad's state as of this run (Streamlit stores it before the script runs): the readouts go
    # out with the pad, so they must be computed before the pad is placed.
    prev = st.session_state.get(key) or {}
    pos = (prev.get("pos") if isinstance(prev, dict) else None) or {}
    markers = pad_channel.parse_markers(pos.get("markers"))
    if markers is None or len(markers) != 2 or pos.get("sig") not in (None, pad_args["sig"]):
        markers = start  # nothing dragged yet, or state left over from an older version of this model
    names = ["A", "B"][:n_markers]
    render = follower(names, n_neighbours)
    if "dg_follow_token" not in st.session_state:
        st.session_state["dg_follow_token"] = pad_channel.new_token()
    token = st.session_state["dg_follow_token"]
    pad_channel.register(token, render)  # this run's model and settings answer the drag's requests
    # ack echoes the last release Python has seen: the pad re-sends a release no rerun acknowledged
    # (a busy server can drop one), so Python always ends where the mouse did.
    if True:  # the pad marks its own plane row as the page's main visual (data-ll-main)
        latent_pad(
            {
                **pad_args,
                "ack": int(pos.get("seq", 0) or 0),
                "follow_token": token,
                "follow_html": render(markers),
                "follow_url": pad_channel.url_path(st.get_option("server.baseUrlPath")),
            },
            key=key,
            default_markers=start,
        )
    st.session_state["dg_a"], st.session_state["dg_b"] = markers[0], markers[1]
    push_url("dg_markers", "dg_a", "dg_b")

    if manifest is None:  # a decoder the browser cannot run: decoded on the server, so only on release
        p = np.asarray(markers[:n_markers], np.float64)  # (m, 2) plane positions
        z = view.inverse(p)  # (m, k)
        cols = st.columns(n_markers, gap="large")
        for i, (col, nm) in enumerate(zip(cols, names)):
            xhat = coding.decode_array(ck.model, z[i])[0]
            if ds.is_image:
                show_image(xhat, ds.image_shape, f"{nm}: decoded on the server (on release)", 240, where=col)
            else:
                col.markdown(f"**x̂ = g(z) at {nm}** (server) = {vector_text(xhat)}")
        if n_markers == 2 and ds.is_image:
            xs = coding.decode_array(ck.model, view.inverse(coding.interpolate(p[0], p[1], STRIP_N)))
            show_png(
                coding.image_grid(xs, ds.image_shape, 1, STRIP_N, cell=64),
                caption="A → B decoded on the server (on release)",
            )


live_view()
