"""Drag to decode: move a point through latent space and watch the decoded image morph.

The latent plane decodes in the browser every animation frame (MLP and conv decoders exported as float32
files to ``static/decoders/``). The readouts under it follow the markers: during a drag the pad
sends their positions to Python about every 100 ms through its own channel
(:mod:`latentlab.ui.components.pad_channel`, no Streamlit rerun) and shows the HTML Python returns; the release
reruns the fragment, which moves the URL and any server-decoded images too. The page is :func:`main`;
its view state is :class:`DragState`.
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
from latentlab.ui.state import PageState, Setting, floats
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


class DragState(PageState):
    """What the drag page remembers (``dg_…`` in the session and the URL)."""

    prefix = "dg"
    model = Setting(None)  # the model (the sidebar picker's key)
    markers = Setting("Two markers")  # "One marker" or "Two markers"
    nn = Setting(6, int)  # nearest test examples shown under a marker (advanced)
    a = Setting(None, floats)  # marker A's plane position [x, y]
    b = Setting(None, floats)  # marker B's
    model_of_markers = Setting(None, url=False, name="for")  # the model A and B were placed for
    follow_token = Setting(None, url=False)  # the pad's position channel (pad_channel)

    def pad_key(self, model: str) -> str:
        """The pad component's key: one per model (a new model starts a new pad)."""
        return f"{self.prefix}_pad_{model}"


class View:
    """What the pad's pieces share: the model, its data, the plane (payload, projection, codes' plane
    positions and density), the decoder the browser runs, and the pad's arguments."""

    def __init__(self, state: DragState):
        # 28 × 28 digits by default: 8 × 8 ones are unreadable from the back of a lecture hall.
        self.entry, self.ck, self.ds = pick_loaded(
            state.key("model"), prefer=("mnist-ae-2d", "fashion-mnist-ae-2d", "digits-ae-2d")
        )
        self.mtime = self.entry.path.stat().st_mtime
        n_label = st.sidebar.radio("Markers", ["One marker", "Two markers"], key=state.key("markers"), horizontal=True)
        self.n_markers = 1 if n_label == "One marker" else 2
        self.n_neighbours = 5
        if show_advanced():
            self.n_neighbours = st.sidebar.slider("Nearest test examples shown", 1, 12, key=state.key("nn"))
        _data, self.view, plane_pts, self.density = pad_payload(str(self.entry.path), self.mtime, self.entry.dataset)
        self.manifest, self.why_not = exported_decoder(self.entry)
        self.start = _start_markers(state, self.entry, plane_pts, self.ds)
        self.pad_args = _pad_args(self)


def main() -> None:
    page_header(
        "Drag to decode",
        "Drag marker A (and B) across the latent plane: the decoder g(z) runs in your browser, "
        "so the image follows the mouse every frame. Shading = where the test codes are dense.",
    )
    state = DragState()
    v = View(state)
    _about_the_plane(v.view)
    live_view(state, v)


def _start_markers(state: DragState, entry, plane_pts, ds) -> list[list[float]]:
    """Markers: from the URL on first load (deep link), reset to class medians when the model changes."""
    init = drag.default_markers(plane_pts, ds.split("test")[1].numpy())
    if state.a is None:
        state.a = init[0]
    if state.b is None:
        state.b = init[1]
    if state.model_of_markers != entry.name:
        if state.model_of_markers is not None or len(state.a) != 2 or len(state.b) != 2:
            state.a, state.b = init
        state.model_of_markers = entry.name
    return [list(map(float, state.a)), list(map(float, state.b))]


def _about_the_plane(view) -> None:
    """What the plane is, for a code that is not 2-D: a PCA view, or a 1-D code spread out."""
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


def _pad_args(v: View) -> dict:
    """The pad's arguments. Small on purpose: Streamlit re-sends this on every rerun of the fragment;
    the scatter and the weights are static files the browser fetches once."""
    manifest = v.manifest
    if manifest is not None:
        n_conv = sum(L.get("type") == "convT" for L in manifest["layers"])
        n_layers = len(manifest["layers"])
        kind = f"a linear layer and {n_conv} transposed convolutions" if n_conv else f"{n_layers}-layer MLP"
        # For the engineer: the weights' size is no part of a slide.
        mode_text = engineering_text(
            f"Decoded in your browser: {kind}, {_size(manifest['n_floats'] * 4)} of float32 weights."
        )
    else:
        mode_text = (
            f"Server decoding: this decoder cannot run in the browser ({v.why_not}), so the image "
            "below updates from the server when you release the marker."
        )
    ds = v.ds
    return {
        "url": plane_url(str(v.entry.path), v.mtime, v.entry.dataset),
        "hint": "Drag a marker (or click to move the nearest one); scroll to zoom, double-click to reset.",
        "sig": f"{v.entry.name}:{v.mtime}",
        "markers": v.start,
        "n_markers": v.n_markers,
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


def follower(v: View, names: list[str]):
    """Marker positions → the HTML of the readouts under the pad (density, nearest test examples,
    the A → B profile). Registered with :mod:`latentlab.ui.components.pad_channel`, it also runs outside any
    script run, in the server's thread pool, ~10 times a second during a drag: so it closes over
    plain arrays, never over Streamlit calls."""
    entry, ds, view, density, n_neighbours = v.entry, v.ds, v.view, v.density, v.n_neighbours
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
def live_view(state: DragState, v: View) -> None:
    """The pad and everything that follows its markers. During a drag the readouts update through
    the pad's position channel (no rerun); the release reruns this fragment (not the page)."""
    key = state.pad_key(v.entry.name)
    pad_args, start, n_markers = v.pad_args, v.start, v.n_markers
    # The pad's state as of this run (Streamlit stores it before the script runs): the readouts go
    # out with the pad, so they must be computed before the pad is placed.
    prev = st.session_state.get(key) or {}
    pos = (prev.get("pos") if isinstance(prev, dict) else None) or {}
    markers = pad_channel.parse_markers(pos.get("markers"))
    if markers is None or len(markers) != 2 or pos.get("sig") not in (None, pad_args["sig"]):
        markers = start  # nothing dragged yet, or state left over from an older version of this model
    names = ["A", "B"][:n_markers]
    render = follower(v, names)
    if state.follow_token is None:
        state.follow_token = pad_channel.new_token()
    token = state.follow_token
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
    state.a, state.b = markers[0], markers[1]
    state.push("markers", "a", "b")

    if v.manifest is None:  # a decoder the browser cannot run: decoded on the server, so only on release
        p = np.asarray(markers[:n_markers], np.float64)  # (m, 2) plane positions
        z = v.view.inverse(p)  # (m, k)
        cols = st.columns(n_markers, gap="large")
        for i, (col, nm) in enumerate(zip(cols, names)):
            xhat = coding.decode_array(v.ck.model, z[i])[0]
            if v.ds.is_image:
                show_image(xhat, v.ds.image_shape, f"{nm}: decoded on the server (on release)", 240, where=col)
            else:
                col.markdown(f"**x̂ = g(z) at {nm}** (server) = {vector_text(xhat)}")
        if n_markers == 2 and v.ds.is_image:
            xs = coding.decode_array(v.ck.model, v.view.inverse(coding.interpolate(p[0], p[1], STRIP_N)))
            show_png(
                coding.image_grid(xs, v.ds.image_shape, 1, STRIP_N, cell=64),
                caption="A → B decoded on the server (on release)",
            )


def _size(n_bytes: int) -> str:
    """Bytes as a person reads them: 2.14 MB, 3.1 kB (a toy decoder's 0.00 MB said nothing)."""
    return f"{n_bytes / 1e6:.2f} MB" if n_bytes >= 100_000 else f"{n_bytes / 1e3:.1f} kB"


main()
