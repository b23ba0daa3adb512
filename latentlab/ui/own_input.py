"""The user's own input on a page with a latent plane (the Latent map, the Latent explorer): a
drawing pad and a picture upload, the input encoded by the page's model, and the panel that says
where it landed. The computing is :mod:`aecore.data.inputs` (normalising) and
:func:`aecore.analysis.explore.own_input` (encoding, error rank, density, neighbours).

Session keys, per page ``prefix``: ``_{prefix}_own_src`` holds the input's kind and raw data
(``("drawing", (H, W) array)`` or ``("upload", bytes)``), normalised anew for whichever model is
picked; the page's ``mode_key`` is set to ``"own"`` by a new input (a click on the plane sets it to
something else: the panel then shows the click again)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from aecore.data import inputs
from aecore.data.sets import Dataset
from aecore.errors import UserError, translating
from aecore.storage.library import ModelEntry
from latentlab.ui.components.draw_pad import draw_pad
from latentlab.ui.loaders import test_errors_for
from latentlab.ui.theme import is_presenter, show_image, show_png


def own_input_controls(prefix: str, mode_key: str) -> None:
    """The drawing pad and the picture upload. A new drawing (every ~150 ms while the pen moves) or
    a new file becomes the input shown."""
    pres = is_presenter()  # a slide: no heading or hint, so that x and x̂ stay on the first screen
    if not pres:
        st.markdown("### Your own input")
    ink, sig = draw_pad(
        f"{prefix}_pad",
        size=200 if pres else 224,
        hint="" if pres else "Draw with the mouse, a pen or a finger: white ink on black, as in the data set.",
    )
    # Folded: on a slide the readouts under it must stay on the first screen.
    with st.expander("…or upload a picture (PNG or JPEG)"):
        up = st.file_uploader(
            "A picture (PNG or JPEG)",
            type=["png", "jpg", "jpeg"],
            key=f"{prefix}_upload",
            label_visibility="collapsed",
        )
        st.caption(
            f"At most {inputs.MAX_BYTES // 2**20} MB and {inputs.MAX_PIXELS:,} pixels. Dark ink on light paper "
            "is inverted; the picture is scaled and centred the way the data set's images were made (an image "
            "already at the data set's size is taken as it is)."
        )
    if sig is not None and sig != st.session_state.get(f"_{prefix}_pad_sig"):
        st.session_state[f"_{prefix}_pad_sig"] = sig
        st.session_state[f"_{prefix}_own_src"] = None if ink is None else ("drawing", ink)
        st.session_state[mode_key] = "own"
    if up is not None and up.file_id != st.session_state.get(f"_{prefix}_up_id"):
        st.session_state[f"_{prefix}_up_id"] = up.file_id
        st.session_state[f"_{prefix}_own_src"] = ("upload", up.getvalue())
        st.session_state[mode_key] = "own"


def own_input_for(
    prefix: str, mode_key: str, entry: ModelEntry, model, ds: Dataset, density, train_codes, n_nb: int = 5
):
    """The current own input encoded by ``model`` (an :class:`aecore.analysis.explore.OwnInput`), or
    ``None`` when the page shows something else, nothing is drawn, or the input was refused (the
    message is then on the page)."""
    from aecore.analysis.explore import own_input

    src = st.session_state.get(f"_{prefix}_own_src")
    if st.session_state.get(mode_key) != "own" or src is None:
        return None
    kind, data = src
    what = "picture" if kind == "upload" else "drawing"
    try:
        # Any error of a reader below (Pillow's DecompressionBombError included) becomes an InputError
        # with a sentence: the message goes on the page, and the page goes on to draw its plane.
        with translating(inputs.InputError, f"This {what}"):
            x = inputs.prepare(data, entry.dataset, ds.image_shape)  # (D,)
    except UserError as exc:
        st.error(f"**This {what} cannot be used.** {exc}")
        return None
    return own_input(model, x, density, train_codes, test_errors_for(entry), n_nb)


def own_input_ellipses(own, proj) -> list[list[float]] | None:
    """A VAE's q(z|x) at 1σ and 2σ in the plane of ``proj`` (the plane's ``ellipses``), else ``None``."""
    if own.logvar is None:
        return None
    ell = [proj.ellipse(own.probe.z, own.logvar, n) for n in (1, 2)]
    return None if ell[0] is None else ell


def own_input_panel(prefix: str, own, ds: Dataset, x_train, y_train) -> None:
    """Where the user's input landed: x beside x̂ = g(f(x)), how unusual its error is, the density
    at z and the nearest training examples (in a container keyed ``{prefix}_own_panel``)."""
    from aecore.analysis import coding

    with st.container(key=f"{prefix}_own_panel"):
        pr = own.probe
        c1, c2, c3 = st.columns([2, 2, 2])
        kind = (st.session_state.get(f"_{prefix}_own_src") or ("drawing",))[0]
        show_image(own.x, ds.image_shape, "x: your picture" if kind == "upload" else "x: your drawing", 112, where=c1)
        show_image(own.xhat, ds.image_shape, "x̂ = g(f(x))", 112, where=c2)
        c3.metric("MSE(x, x̂)", f"{own.error:.4f}", help="Reconstruction error, ranked against every test image's own.")
        p = own.error_percentile
        c3.caption(f"worse than {p:.0f}% of test images" if p >= 50 else f"better than {100 - p:.0f}% of test images")
        if p >= 95:
            st.warning(
                f"**This does not look like the training data.** Its reconstruction is worse than {p:.0f}% of "
                "the test images': the model has no good code for it. That is the anomaly detector's idea (the "
                "Anomalies page)."
            )
        sparse = " (few training codes near: g extrapolates)" if pr.low_density else ""
        st.markdown(
            f"**z = f(x)** = ({', '.join(f'{v:.2f}' for v in pr.z)}) · code density there: denser than "
            f"{pr.percentile:.0f}% of training codes{sparse}"
        )
        if own.logvar is not None:
            sd = np.exp(0.5 * own.logvar)  # (k,)
            st.caption(
                f"A VAE encodes x to a distribution, q(z|x), with σ from {sd.min():.2g} to {sd.max():.2g} per "
                "dimension: on the plane its 1σ and 2σ ellipses, around the marker (zoom in when they are small: "
                "the VAE is sure where x goes)."
            )
        st.markdown("**Nearest training examples** (distance in latent space)")
        nb = x_train.numpy()[pr.neighbours]  # (n, D)
        show_png(
            coding.image_grid(nb, ds.image_shape, 1, len(nb), cell=1, pad=1),
            width=min(64 * len(nb), 400),
            alt=f"the {len(nb)} nearest training examples to your input, in a row",
        )
        st.caption(
            " · ".join(f"{ds.class_names[int(y_train[int(i)])]} ({d:.2f})" for i, d in zip(pr.neighbours, pr.distances))
        )
