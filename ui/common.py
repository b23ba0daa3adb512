"""Streamlit glue shared by every page: cached loaders, the model picker, data-set errors, theme.

Pages do layout and widget wiring only; everything they display comes from ``aecore``.
Models are cached with ``st.cache_resource`` (shared across sessions, never mutated: pages only
call ``encode``/``decode`` under ``no_grad``); codes with ``st.cache_data``.

Importing this module must not import torch (3 s on a 2-core laptop): the lecture's first page
draws a cached latent map without it, and torch-backed helpers import their modules when called.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from aecore.data.sets import IMAGE_DATASETS, DatasetUnavailable, is_available
from aecore.storage.library import ModelEntry, list_models
from ui.components.static_js import static_prefix
from web import plane as LM

if TYPE_CHECKING:
    from aecore.analysis.density import KernelDensity, NearestCodeDensity
    from aecore.analysis.projection import Projection
    from aecore.data.sets import Dataset
    from aecore.storage.checkpoint import Checkpoint


#: Plotly tick, legend and annotation text in presenter mode: readable from the back row.
PRESENTER_FONT = 18
#: The tallest main visual (px) in presenter mode: a 720-px projector minus the one-line title.
PRESENTER_VISUAL_HEIGHT = 540
#: The latent map's canvas in presenter mode: its legend row and hint line come under it.
PRESENTER_MAP_HEIGHT = 470


def apply_theme(presenter: bool = False) -> None:
    """Readable from the back row; presenter mode makes type, images and widgets larger still and
    turns each page into a slide: a one-line title at the top, the visual right under it."""
    base = 22 if presenter else 17
    slide = (
        """
        /* A slide: no empty header band, the page's visual starts right under a one-line title. */
        [data-testid="stHeader"] { height: 2.4rem; background: transparent; }
        [data-testid="stMainBlockContainer"] { padding: 2.4rem 1.5rem 1rem 1.5rem; max-width: 100%; }
        h1 { font-size: 2rem !important; line-height: 1.25 !important; padding: 0 0 0.2rem 0 !important; }
        h2, h3 { line-height: 1.25 !important; }
        [data-testid='stMetricValue'] { font-size: 2.6rem; }
        /* Nothing truncated: long labels wrap instead of ending in an ellipsis. */
        [data-testid="stSidebarNavLink"] span, button p, [data-testid="stWidgetLabel"] p,
        [data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] div {
            white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
    """
        if presenter
        else ""
    )
    st.markdown(
        f"""<style>
        html, body, [data-testid="stAppViewContainer"] {{ font-size: {base}px; }}
        [data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li {{ font-size: {base}px; }}
        [data-testid="stCaptionContainer"] {{ font-size: {base - 2}px; }}
        img {{ image-rendering: pixelated; }}  /* crisp upscaled digits, never blurred */
        .st-key-ll_keys_box {{ display: none; }}  /* the clicker's key listener draws nothing */
        {slide}
        </style>""",
        unsafe_allow_html=True,
    )


def page_header(title: str, what: str) -> None:
    """The page title and its "what am I looking at?" text.

    A student alone reads the text under the title. In presenter mode the lecturer says it: the
    title is one line and the text waits behind a button beside it, so the visual starts at the top.
    """
    if is_presenter():
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.title(title)
        with right.popover("What is this?", width="stretch"):
            st.markdown(what)
    else:
        st.title(title)
        st.caption(what)


def main_visual(where=None):
    """The container of a page's main visual (map, pad, figure or image grid). The presenter-mode
    browser test checks that its box lies inside the first screen."""
    return (where or st).container(key="ll_main")


def slide_figure(fig, max_height: int | None = PRESENTER_VISUAL_HEIGHT):
    """A copy of a plotly figure for presenter mode: tick, legend and annotation text at least
    :data:`PRESENTER_FONT` px, and no taller than ``max_height``. Outside presenter mode: ``fig``."""
    if not is_presenter():
        return fig
    import plotly.graph_objects as go

    fig = go.Figure(fig)  # cached figures are shared between sessions: never change them in place
    f = PRESENTER_FONT
    size = fig.layout.font.size or 12
    # itemsizing "constant": a legend's dot no longer shrinks to a 3-px scatter marker.
    fig.update_layout(
        font_size=max(size, f),
        legend_font_size=max(fig.layout.legend.font.size or 0, f),
        legend_itemsizing="constant",
        hoverlabel_font_size=f,
    )
    fig.update_xaxes(tickfont_size=f, title_font_size=f + 2)
    fig.update_yaxes(tickfont_size=f, title_font_size=f + 2)
    for ann in fig.layout.annotations:
        ann.font.size = max(ann.font.size or 0, f)
    if fig.layout.coloraxis and fig.layout.coloraxis.colorbar:
        fig.update_layout(coloraxis_colorbar_tickfont_size=f)
    fig.update_scenes(
        xaxis_tickfont_size=f,
        yaxis_tickfont_size=f,
        zaxis_tickfont_size=f,  # fewer, bigger ticks
        xaxis_nticks=5,
        yaxis_nticks=5,
        zaxis_nticks=5,
    )
    if max_height and (fig.layout.height or 450) > max_height:
        fig.update_layout(height=max_height)
    lone_scene = sum(k.startswith("scene") for k in fig.layout) == 1 and all("scene" in t for t in fig.data)
    if lone_scene and fig.layout.legend.orientation == "h":
        # A lone 3-D scene keeps its cube within the height left to it: a legend beside it, not under it.
        fig.update_layout(legend=dict(orientation="v", x=1.0, xanchor="left", y=1.0, yanchor="top"))
    from web.figures.base import fit_margins

    return fit_margins(fig)  # bigger type needs more room for titles and the legend


def chart(
    fig, key: str, where=None, config: dict | None = None, max_height: int | None = PRESENTER_VISUAL_HEIGHT, **kwargs
):
    """``st.plotly_chart`` for every figure in the app: presenter-mode fonts and height
    (:func:`slide_figure`), full width. Streamlit's element toolbar gives each one a fullscreen button."""
    return (where or st).plotly_chart(
        slide_figure(fig, max_height), key=key, config=config or {"displaylogo": False}, width="stretch", **kwargs
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def get_checkpoint(path: str, mtime: float) -> Checkpoint:
    """Load a checkpoint once per (path, mtime): a replaced file is reloaded."""
    from aecore.storage.checkpoint import load_checkpoint

    return load_checkpoint(path)


@st.cache_resource(show_spinner="Loading the data set…", max_entries=8)
def get_dataset(name: str) -> Dataset:
    """A data set, loaded once per server (tensors shared read-only by all sessions)."""
    from aecore.data.sets import load_dataset

    return load_dataset(name)


@st.cache_data(show_spinner=False, max_entries=64)
def get_codes(path: str, mtime: float, dataset: str, split: str) -> np.ndarray:
    """Codes ``(N, k)`` of a data set split under a checkpoint's encoder (on disk once prepared)."""
    from aecore.lecture import prepare

    return prepare.codes(
        path, dataset, split, model=get_checkpoint(path, mtime).model, x=lambda: get_dataset(dataset).split(split)[0]
    )


@st.cache_resource(show_spinner=False, max_entries=16)
def get_projection(path: str, mtime: float, dataset: str, split: str, method: str) -> Projection:
    """The 2-D view of a split's codes (identity for k ≤ 2, else PCA or UMAP, cached on disk).
    A resource, not cache_data: it may hold a fitted UMAP whose pickling on every cache hit (what
    cache_data does) would cost more than a click may."""
    from aecore.analysis.projection import cached_projection

    codes = get_codes(path, mtime, dataset, split)
    return cached_projection(codes, method, path, split)


@st.cache_resource(show_spinner=False, max_entries=16)
def get_plane_density(path: str, mtime: float, dataset: str, split: str, method: str) -> KernelDensity:
    """KDE in the plotted plane, for the shading. For identity/PCA views the training codes are
    projected; a UMAP view uses the shown split's embedding (projecting 60k codes again is slow)."""
    from aecore.analysis.density import KernelDensity

    proj = get_projection(path, mtime, dataset, split, method)
    if proj.method == "umap":
        return KernelDensity(proj.embedding)
    return KernelDensity(proj.transform(get_codes(path, mtime, dataset, "train")))


@st.cache_resource(show_spinner=False, max_entries=16)
def get_density(path: str, mtime: float, dataset: str) -> KernelDensity | NearestCodeDensity:
    """Where a checkpoint's *training* codes are dense in its own k-D latent space (what g was
    trained on), for the "extrapolating" warning: a KDE for k ≤ 2, nearest codes beyond
    (:func:`aecore.analysis.density.latent_density`; their leave-one-out distances on disk once prepared).
    Built once per server, shared read-only by the explorer and the tour."""
    from aecore.lecture import prepare

    return prepare.latent_density(get_codes(path, mtime, dataset, "train"))


# ---------------------------------------------------------------- the latent map


@st.cache_data(show_spinner=False, max_entries=256)
def checkpoint_hash(path: str, mtime: float) -> str:
    from aecore.storage.files import file_hash

    return file_hash(path)


def map_view(entry: ModelEntry, method: str = "pca") -> str:
    """The name of the 2-D view a map of this model shows: ``plane`` for k ≤ 2, else the projection."""
    return method if entry.latent_dim > 2 else "plane"


def map_url(entry: ModelEntry, split: str, method: str = "pca") -> str:
    """The URL of this model's latent map (points, labels, density shading) for ``split``.

    An existing map file is found from its key alone (no torch, no data set): that is what makes
    the first page fast. Otherwise it is built once (encode, project, KDE) and written."""
    path, mtime = str(entry.path), entry.path.stat().st_mtime
    key = LM.plane_key(checkpoint_hash(path, mtime), entry.dataset, split, map_view(entry, method))
    return LM.existing_plane_url(key, url_prefix=static_prefix()) or _build_map(
        path, mtime, entry.dataset, split, method, key
    )


@st.cache_resource(show_spinner="Encoding the data set and drawing its latent map…", max_entries=64)
def _build_map(path: str, mtime: float, dataset: str, split: str, method: str, key: str) -> str:
    from aecore.analysis.projection import view_bounds

    ds = get_dataset(dataset)
    x, y = ds.split(split)
    proj = get_projection(path, mtime, dataset, split, method)
    dens = get_plane_density(path, mtime, dataset, split, method)
    images = LM.write_images(LM.images_u8(x.numpy()), url_prefix=static_prefix()) if ds.is_image else None
    payload = LM.plane_payload(
        proj.embedding,
        y.numpy(),
        ds.class_names,
        view_bounds(proj.embedding),
        density=dens,
        threshold=dens.threshold,
        axis_titles=proj.axis_titles,
        images_url=images,
        image_shape=ds.image_shape,
    )
    return LM.write_plane(key, payload, url_prefix=static_prefix())


_warm = threading.Lock()
_warm_started = False


def warm_up_in_background() -> None:
    """Import torch and the model code in a background thread, once per server process.

    The first page draws its map without torch; this makes sure the first *click* does not pay
    the ~3 s import either. Started after the page's elements are sent, so it never delays them."""
    global _warm_started
    with _warm:
        if _warm_started:
            return
        _warm_started = True

    def work() -> None:
        time.sleep(0.3)  # let the first page's files go out first
        import aecore.analysis.explore  # noqa: F401  (torch, the models, the views)
        import aecore.storage.checkpoint  # noqa: F401

    threading.Thread(target=work, name="latentlab-warm-up", daemon=True).start()


def density_for(entry: ModelEntry):
    return get_density(str(entry.path), entry.path.stat().st_mtime, entry.dataset)


def checkpoint_for(entry: ModelEntry) -> Checkpoint:
    return get_checkpoint(str(entry.path), entry.path.stat().st_mtime)


@st.cache_resource(show_spinner=False, max_entries=64)
def _shared_codes(path: str, mtime: float, dataset: str, split: str) -> np.ndarray:
    codes = get_codes(path, mtime, dataset, split)  # a private copy, made once
    # One array for every session and rerun, read-only so that none can change another's. Being
    # the same object, it keeps the KD-tree that coding.nearest_indices builds for it (once per
    # server, not once per session), and a page run no longer unpickles a copy.
    codes.flags.writeable = False
    return codes


def codes_for(entry: ModelEntry, split: str = "test") -> np.ndarray:
    """Codes ``(N, k)`` of a data set split under the model's encoder: shared, read-only."""
    return _shared_codes(str(entry.path), entry.path.stat().st_mtime, entry.dataset, split)


@st.cache_resource(show_spinner=False, max_entries=16)
def _reference_codes(path: str, mtime: float, dataset: str) -> np.ndarray:
    from aecore.lecture import prepare

    codes = prepare.reference_codes(
        path, dataset, model=get_checkpoint(path, mtime).model, x=lambda: get_dataset(dataset).x_test
    )
    codes.flags.writeable = False
    return codes


def reference_codes_for(entry: ModelEntry) -> np.ndarray:
    """Where the model's latent space is populated, test split ``(N, k)``: f(x) for an AE, one seeded
    z ~ q(z|x) per image for a VAE (:func:`aecore.analysis.sampling.reference_codes` says why). Shared, read-only."""
    return _reference_codes(str(entry.path), entry.path.stat().st_mtime, entry.dataset)


@st.cache_resource(show_spinner="Measuring where the codes are dense…", max_entries=16)
def _draw_density(path: str, mtime: float, dataset: str):
    from aecore.lecture import prepare

    return prepare.draw_density(_reference_codes(path, mtime, dataset))


def draw_density_for(entry: ModelEntry):
    """The :class:`aecore.analysis.density.NearestCodeDensity` that judges latent draws against
    :func:`reference_codes_for` (its leave-one-out distances on disk once prepared)."""
    return _draw_density(str(entry.path), entry.path.stat().st_mtime, entry.dataset)


def require_dataset(name: str) -> Dataset:
    """The data set, or a clear on-page message (never a traceback) and a stop."""
    try:
        return get_dataset(name)
    except DatasetUnavailable as exc:
        st.error(f"**The {name} data set is not available on this machine.**")
        st.code(str(exc), language=None)
        st.info("The shipped `digits` models and the toy data sets always work offline: pick one of those.")
        st.stop()
    except KeyError as exc:
        st.error(str(exc))
        st.stop()


def require_checkpoint(entry: ModelEntry) -> Checkpoint:
    from aecore.storage.checkpoint import CheckpointError

    try:
        return checkpoint_for(entry)
    except CheckpointError as exc:
        st.error(f"**Could not load model {entry.name}:** {exc}")
        st.stop()


def default_model_name(models: list[ModelEntry], prefer: tuple[str, ...]) -> str | None:
    """The first preferred model whose data set is present, else the first usable model."""
    names = {m.name: m for m in models}
    for n in prefer:
        if n in names and is_available(names[n].dataset):
            return n
    for m in models:
        if is_available(m.dataset):
            return m.name
    return models[0].name if models else None


# ---------------------------------------------------------------- the lecture model
# One model for the whole session: the model picked on any page is the model of every page whose
# picker lists it (the lecturer picks it once, not once per page). It lives in st.session_state
# ["model"] and in the URL as ?model=. A page whose picker does not list it (the drag page needs a
# 2-D code, the explorer images) shows its own choice until the lecturer picks another there.
LECTURE_KEY = "model"


def lecture_model() -> str | None:
    """The session's lecture model name (seeded once from ``?model=``), or None before any page chose."""
    if LECTURE_KEY not in st.session_state:
        st.session_state[LECTURE_KEY] = st.query_params.get(LECTURE_KEY)
    return st.session_state[LECTURE_KEY]


def set_lecture_model(name: str | None) -> None:
    st.session_state[LECTURE_KEY] = name


def lecture_entry() -> ModelEntry | None:
    """The library entry of the lecture model (None if unset or no longer in the library)."""
    name = lecture_model()
    return next((m for m in list_models() if m.name == name), None) if name else None


def lecture_model_for(dataset: str) -> str | None:
    """The model that should become the lecture model when a page switches to ``dataset``: the one
    with the current lecture model's family and latent size, else the usual default of that data set."""
    models = [m for m in list_models() if m.dataset == dataset]
    cur = lecture_entry()
    if cur is not None:
        if cur.dataset == dataset:
            return cur.name
        same = [m for m in models if (m.family, m.latent_dim) == (cur.family, cur.latent_dim)]
        if same:
            return same[0].name
    prefer = tuple(f"{dataset}-{kind}-2d" for kind in ("vae", "ae", "dae"))
    return default_model_name(models, prefer) if models else None


def _adopt_model(key: str) -> None:
    set_lecture_model(st.session_state[key])  # the lecturer picked it: every page follows


def pick_model(
    key: str,
    label: str = "Model",
    kind: str | None = None,
    latent_dim: int | None = None,
    prefer: tuple[str, ...] = ("mnist-vae-2d", "mnist-ae-2d", "digits-vae-2d", "digits-ae-2d"),
    where=None,
    families: tuple[str, ...] | None = None,
) -> ModelEntry | None:
    """A selectbox over the library's models. ``kind`` = "image" or "points" filters by data.

    It shows the lecture model when it is in the list; a pick here becomes the lecture model.
    Models whose data set is missing stay listed (marked), so the choice explains itself.
    """
    where = where or st.sidebar
    models = list_models(latent_dim=latent_dim)
    if kind == "image":
        models = [m for m in models if m.dataset in IMAGE_DATASETS]
    elif kind == "points":
        models = [m for m in models if m.dataset not in IMAGE_DATASETS]
    if families:
        models = [m for m in models if m.family in families]
    if not models:
        where.warning("No models yet. Train one on the **Train** page.")
        return None
    names = [m.name for m in models]
    by_name = {m.name: m for m in models}
    lecture = lecture_model()
    if lecture in by_name:
        st.session_state[key] = lecture
    elif key not in st.session_state or st.session_state[key] not in by_name:
        st.session_state[key] = default_model_name(models, prefer)

    def fmt(n: str) -> str:
        m = by_name[n]
        return m.label + ("" if is_available(m.dataset) else "  (data missing)")

    name = where.selectbox(label, names, key=key, format_func=fmt, on_change=_adopt_model, args=(key,))
    if lecture is None or lecture_entry() is None:
        set_lecture_model(name)  # the first page seen (or a deep link) sets the lecture model
    push_url(LECTURE_KEY)
    return by_name[name]


def vector_text(v, digits: int = 3) -> str:
    """A point as a reader writes it, "(0.203, -1.42)": never float32 noise like 0.2029999941587448."""
    return (
        "("
        + ", ".join(
            f"{float(a):.{digits}g}" if abs(float(a)) >= 1e-3 or a == 0 else f"{float(a):.1e}" for a in np.ravel(v)
        )
        + ")"
    )


def show_png(img, where=None, **kwargs) -> None:
    """``st.image`` for a uint8 picture ``(H, W[, 3])`` (or its PNG bytes), or a list of them, sent as
    lossless PNG.

    Every picture in the app goes through here. Given an array, Streamlit sends a JPEG at quality
    100: lossy on 28-px digits and ~30x the bytes of a PNG (587 kB against 19-25 kB for a 15 x 15
    manifold grid); asked for PNG, it encodes at zlib level 6, ~3x slower than :func:`coding.png_bytes`."""
    from aecore.analysis import coding

    def png(i):
        return i if isinstance(i, bytes) else coding.png_bytes(i)  # bytes: already a PNG (a cached picture)

    data = [png(i) for i in img] if isinstance(img, (list, tuple)) else png(img)
    # output_format too: for bytes of a picture without alpha, "auto" re-encodes them as JPEG.
    (where or st).image(data, output_format="PNG", **kwargs)


def show_image(flat: np.ndarray, image_shape, caption: str | None = None, size: int | str = 280, where=None) -> None:
    """A flat image shown ``size`` px wide (or ``"stretch"``: the column's width). It is sent at its own
    resolution (28 × 28 for MNIST):
    the browser scales it up, crisp (``image-rendering: pixelated`` in :func:`apply_theme`). A
    server-side upscale cost every click a PNG encode and decode of a 256 × 256 image."""
    from aecore.analysis import coding

    show_png(coding.to_display(flat, image_shape, 1), where=where, caption=caption, width=size)


# ---------------------------------------------------------------- lecture preparation


def prepare_lecture_button(where=None) -> None:
    """A sidebar button that runs ``python -m aecore prepare`` in this server, with a progress bar:
    every slow view (toy manifolds, overfitting, time-lapses, anomaly detectors, UMAP) is then on disk."""
    where = where or st.sidebar
    if not where.button(
        "Prepare this lecture",
        key="_prepare_lecture",
        width="stretch",
        help="Computes, once, everything a page could otherwise make the class wait for "
        "(a few minutes; the same as `python -m aecore prepare`).",
    ):
        return
    from aecore.lecture.prepare import prepare_all

    bar = st.progress(0.0, text="Preparing the lecture…")
    steps = prepare_all(lambda f, what: bar.progress(min(f, 1.0), text=f"Preparing the lecture: {what}"))
    bar.empty()
    st.success(
        f"Lecture prepared: {len(steps)} items ready ({sum(s.cached for s in steps)} were already), "
        f"{sum(s.seconds for s in steps):.0f} s."
    )


# ---------------------------------------------------------------- deep links and presenter mode
# Every page keeps its view state in widget keys mirrored to the URL query string, so a copied URL
# reopens the exact view (lecture prep: bookmark each demo). Keys are page-prefixed, e.g. "ex_model".


def url_state(key: str, default, cast=str):
    """Seed ``st.session_state[key]`` (once) from ``?key=…`` in the URL, else from the value the page
    had when the lecturer last left it (:func:`keep_page_state`), else ``default``.

    Call it *before* creating the widget with ``key=key`` (and no ``value=``/``index=``).
    A malformed URL value falls back to ``default`` rather than failing.
    """
    st.session_state.setdefault(_KEYS, set()).add(key)
    if key not in st.session_state:
        raw = st.query_params.get(key)
        kept = st.session_state.get(_KEPT, {})
        val = kept.get(key, default)
        if raw is not None:
            try:
                val = cast(raw)
            except (TypeError, ValueError):
                val = default
        st.session_state[key] = val
    return st.session_state[key]


# Streamlit drops a widget's value when a run does not draw the widget, so leaving a page reset
# all its settings. The app script calls keep_page_state() at the top of every run, before the page
# runs: the previous run's values of every url_state key are still there and are copied aside, and
# url_state restores them when the page is drawn again.
_KEYS, _KEPT = "_url_state_keys", "_kept_page_state"


def keep_page_state() -> None:
    """Copy the current value of every :func:`url_state` key aside, so that it survives page switches."""
    kept = st.session_state.setdefault(_KEPT, {})
    for key in st.session_state.get(_KEYS, ()):
        if key in st.session_state:
            kept[key] = st.session_state[key]


def forget(*keys: str) -> None:
    """Drop these view-state keys everywhere (session, kept copy, URL): e.g. a z of another model."""
    kept = st.session_state.get(_KEPT, {})
    for key in keys:
        st.session_state.pop(key, None)
        kept.pop(key, None)
        if key in st.query_params:
            del st.query_params[key]


def push_url(*keys: str) -> None:
    """Mirror these session-state keys into the URL, so the address bar always restores this view."""
    for k in keys:
        v = st.session_state.get(k)
        if v is None:
            if k in st.query_params:
                del st.query_params[k]
            continue
        # Floats as repr: the shortest text that reads back as the same number, so that a bookmarked
        # or copied view decodes exactly the same z (4 digits changed the decoded image).
        s = (
            ",".join(repr(float(x)) if isinstance(x, float) else str(x) for x in v)
            if isinstance(v, (list, tuple))
            else (repr(float(v)) if isinstance(v, float) else str(v))
        )
        if st.query_params.get(k) != s:
            st.query_params[k] = s


def floats(s: str) -> list[float]:
    """Cast for ``url_state``: "0.5,-1.2" → [0.5, -1.2]."""
    return [float(v) for v in str(s).split(",") if v.strip()]


def is_presenter() -> bool:
    """Presenter mode (big type, only what the audience needs): the sidebar toggle or ``?presenter=1``."""
    if "presenter" in st.session_state:
        return bool(st.session_state["presenter"])
    return str(st.query_params.get("presenter", "")).lower() in ("1", "true", "yes")


def show_advanced() -> bool:
    """False in presenter mode: pages put training and advanced controls under ``if show_advanced():``
    and use sensible defaults otherwise."""
    return not is_presenter()
