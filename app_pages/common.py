"""Streamlit glue shared by every page: cached loaders, the model picker, data-set errors, theme.

Pages do layout and widget wiring only; everything they display comes from ``aecore``.
Models are cached with ``st.cache_resource`` (shared across sessions, never mutated: pages only
call ``encode``/``decode`` under ``no_grad``); codes with ``st.cache_data``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from aecore import views
from aecore.checkpoint import Checkpoint, CheckpointError, load_checkpoint
from aecore.data import Dataset, DatasetUnavailable, is_available, load_dataset
from aecore.library import ModelEntry, list_models


def apply_theme(presenter: bool = False) -> None:
    """Readable from the back row; presenter mode makes type, images and widgets larger still."""
    base = 22 if presenter else 17
    st.markdown(
        f"""<style>
        html, body, [data-testid="stAppViewContainer"] {{ font-size: {base}px; }}
        [data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li {{ font-size: {base}px; }}
        [data-testid="stCaptionContainer"] {{ font-size: {base - 2}px; }}
        img {{ image-rendering: pixelated; }}  /* crisp upscaled digits, never blurred */
        {"h1 { font-size: 3rem !important; } [data-testid='stMetricValue'] { font-size: 3rem; }" if presenter else ""}
        </style>""",
        unsafe_allow_html=True,
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def get_checkpoint(path: str, mtime: float) -> Checkpoint:
    """Load a checkpoint once per (path, mtime): a replaced file is reloaded."""
    return load_checkpoint(path)


@st.cache_resource(show_spinner="Loading the data set…", max_entries=8)
def get_dataset(name: str) -> Dataset:
    """A data set, loaded once per server (tensors shared read-only by all sessions)."""
    return load_dataset(name)


@st.cache_data(show_spinner=False, max_entries=64)
def get_codes(path: str, mtime: float, dataset: str, split: str) -> np.ndarray:
    """Codes ``(N, k)`` of a data set split under a checkpoint's encoder."""
    ck = get_checkpoint(path, mtime)
    x, _ = get_dataset(dataset).split(split)
    return views.encode_array(ck.model, x)


@st.cache_resource(show_spinner=False, max_entries=16)
def get_density(path: str, mtime: float, dataset: str):
    """KDE of a checkpoint's *training* codes in its own k-D latent space (what g was trained on):
    built once per server, shared read-only by the explorer and the tour."""
    from aecore.explore import CodeDensity

    return CodeDensity(get_codes(path, mtime, dataset, "train"))


def density_for(entry: ModelEntry):
    return get_density(str(entry.path), entry.path.stat().st_mtime, entry.dataset)


def checkpoint_for(entry: ModelEntry) -> Checkpoint:
    return get_checkpoint(str(entry.path), entry.path.stat().st_mtime)


def codes_for(entry: ModelEntry, split: str = "test") -> np.ndarray:
    return get_codes(str(entry.path), entry.path.stat().st_mtime, entry.dataset, split)


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


def pick_model(key: str, label: str = "Model", kind: str | None = None, latent_dim: int | None = None,
               prefer: tuple[str, ...] = ("mnist-vae-2d", "mnist-ae-2d", "digits-vae-2d", "digits-ae-2d"),
               where=None, families: tuple[str, ...] | None = None) -> ModelEntry | None:
    """A selectbox over the library's models. ``kind`` = "image" or "points" filters by data.

    Models whose data set is missing stay listed (marked), so the choice explains itself.
    """
    where = where or st.sidebar
    models = list_models(latent_dim=latent_dim)
    if kind == "image":
        models = [m for m in models if m.dataset in ("digits", "mnist", "fashion-mnist")]
    elif kind == "points":
        models = [m for m in models if m.dataset not in ("digits", "mnist", "fashion-mnist")]
    if families:
        models = [m for m in models if m.family in families]
    if not models:
        where.warning("No models yet. Train one on the **Train** page.")
        return None
    names = [m.name for m in models]
    by_name = {m.name: m for m in models}
    if key not in st.session_state or st.session_state[key] not in by_name:
        st.session_state[key] = default_model_name(models, prefer)

    def fmt(n: str) -> str:
        m = by_name[n]
        return m.label + ("" if is_available(m.dataset) else "  (data missing)")

    name = where.selectbox(label, names, key=key, format_func=fmt)
    return by_name[name]


def show_image(flat: np.ndarray, image_shape, caption: str | None = None, size: int = 280, where=None) -> None:
    """A flat image, nearest-neighbour upscaled to about ``size`` px."""
    (where or st).image(views.to_display(flat, image_shape, size), caption=caption, width=size)


# ---------------------------------------------------------------- deep links and presenter mode
# Every page keeps its view state in widget keys mirrored to the URL query string, so a copied URL
# reopens the exact view (lecture prep: bookmark each demo). Keys are page-prefixed, e.g. "ex_model".

def url_state(key: str, default, cast=str):
    """Seed ``st.session_state[key]`` from ``?key=…`` in the URL (once), else ``default``.

    Call it *before* creating the widget with ``key=key`` (and no ``value=``/``index=``).
    A malformed URL value falls back to ``default`` rather than failing.
    """
    if key not in st.session_state:
        raw = st.query_params.get(key)
        val = default
        if raw is not None:
            try:
                val = cast(raw)
            except (TypeError, ValueError):
                val = default
        st.session_state[key] = val
    return st.session_state[key]


def push_url(*keys: str) -> None:
    """Mirror these session-state keys into the URL, so the address bar always restores this view."""
    for k in keys:
        v = st.session_state.get(k)
        if v is None:
            if k in st.query_params:
                del st.query_params[k]
            continue
        s = ",".join(f"{x:.4g}" if isinstance(x, float) else str(x) for x in v) if isinstance(v, (list, tuple)) \
            else (f"{v:.4g}" if isinstance(v, float) else str(v))
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
