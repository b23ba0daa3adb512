"""Streamlit glue shared by the three demo pages (Denoising, Sampling, Anomalies).

The pages compare *pairs* of shipped models of one data set (``{data}-ae-2d`` beside
``{data}-dae-2d`` or ``{data}-vae-2d``; the Sampling page also has ``-16d`` pairs), so the
choice a lecturer makes is the data set (and the latent size), not a model file. All maths is in
``aecore``; this module only caches and explains.
"""

from __future__ import annotations

import streamlit as st

from aecore.data.sets import IMAGE_DATASETS, is_available
from aecore.storage.library import ModelEntry, find_model
from latentlab.ui.loaders import checkpoint_for, require_checkpoint
from latentlab.ui.plain import plain
from latentlab.ui.state import (
    LECTURE_KEY,
    dataset_label,
    lecture_entry,
    lecture_model_for,
    note_not_here,
    push_url,
    set_lecture_model,
    show_not_here,
    url_state,
)

IMAGE_SETS = IMAGE_DATASETS
SET_LABELS = {"digits": "digits (8×8, offline)", "mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}


def entry_or_none(name: str) -> ModelEntry | None:
    try:
        return find_model(name)
    except KeyError:
        return None


def pick_test_example(state, n: int, label: str, another: str, default: int = 0) -> int:
    """The sidebar's test-example number (``state.i``, clamped to ``0..n-1``, else ``default``) and a
    button that jumps to another one (seeded by the current number, so a lecture replays); returns it.
    ``state`` is a page state with settings ``i`` and ``another``."""
    import numpy as np

    sb = st.sidebar
    if not 0 <= state.i < n:
        state.i = default
    sb.number_input(f"{label} (0–{n - 1:,})", 0, n - 1, key=state.key("i"), step=1)
    sb.button(
        another,
        key=state.key("another"),
        on_click=lambda: setattr(state, "i", int(np.random.default_rng(int(state.i) + 1).integers(n))),
        width="stretch",
    )
    return int(state.i)


def set_label(name: str) -> str:
    """How a data set is named where one is chosen: the built-in ones' labels; an imported one's
    name with its kind and size (:func:`latentlab.ui.state.dataset_label`)."""
    return SET_LABELS.get(name) or dataset_label(name)


def pick_image_set(key: str, kinds: tuple[str, ...] = ("ae",), where=None, imported: tuple[str, ...] = ()) -> str:
    """A data-set selectbox (URL-backed). It follows the lecture model's data set when the page's
    models (``{data}-{kind}-2d`` for each of ``kinds``) exist for it; else MNIST when its files and
    models are here, else the always-shipped digits. Picking a data set here moves the lecture
    model to that data set (:func:`latentlab.ui.state.lecture_model_for`). ``imported``: the kinds of the
    user's imported sets offered too ("image", "table"), for a page that needs no shipped model of them."""
    from aecore.data.importing import list_user_datasets

    where = where or st.sidebar
    sets = list(IMAGE_SETS) + [d["name"] for d in list_user_datasets() if d["kind"] in imported]

    def ready(d: str) -> bool:
        return is_available(d) and (d not in IMAGE_SETS or all(entry_or_none(f"{d}-{k}-2d") for k in kinds))

    default = "mnist" if ready("mnist") else "digits"
    url_state(key, default)
    lecture = lecture_entry()
    if lecture is not None and lecture.dataset in sets and ready(lecture.dataset):
        st.session_state[key] = lecture.dataset
    if st.session_state[key] not in sets:
        asked = next((d for d in list_user_datasets() if d["name"] == st.session_state[key]), None)
        st.session_state[key] = default
        if asked is not None:
            # A link named one of the user's sets that this page cannot use (a table on a pictures
            # page): said, not silently swapped; the note stays until another set is picked.
            have = "it holds pictures" if asked["kind"] == "image" else "it is a table"
            need = " or ".join("pictures" if k == "image" else "tables" for k in imported) or "the built-in sets"
            note_not_here(
                key,
                f"**'{plain(asked['name'])}' cannot be used on this page:** {have} and this page uses {need}. "
                "Showing the data set picked on the left instead.",
                default,
            )
    name = where.selectbox("Data set", sets, key=key, format_func=set_label, on_change=_adopt_dataset, args=(key,))
    show_not_here(key, name)
    if lecture is None:
        set_lecture_model(lecture_model_for(name))
    push_url(key, LECTURE_KEY)
    return name


def _adopt_dataset(key: str) -> None:
    set_lecture_model(lecture_model_for(st.session_state[key]))


def latent_sizes(dataset: str, kinds: tuple[str, ...], sizes: tuple[int, ...] = (2, 16)) -> list[int]:
    """The latent sizes k for which every ``{dataset}-{kind}-{k}d`` model is in the library."""
    return [k for k in sizes if all(entry_or_none(f"{dataset}-{kind}-{k}d") for kind in kinds)]


def require_models(dataset: str, kinds: tuple[str, ...], latent_dim: int = 2) -> dict[str, ModelEntry]:
    """The shipped ``{dataset}-{kind}-{latent_dim}d`` models, or a clear message and a stop."""
    out, missing = {}, []
    for k in kinds:
        name = f"{dataset}-{k}-{latent_dim}d"
        e = entry_or_none(name)
        if e is None:
            missing.append(name)
        else:
            out[k] = e
    if missing:
        how = (
            "(or with `python scripts/build_checkpoints.py " + " ".join(missing) + "`)"
            if dataset in IMAGE_SETS
            else "under these names (the page compares them as it does the shipped pairs)"
        )
        st.warning(
            f"**The model(s) {', '.join(missing)} are not in the library yet.** "
            f"Pick the `digits` data set (always shipped), or train them on the **Train** page {how}."
        )
        st.stop()
    for e in out.values():
        require_checkpoint(e)  # a clear message for a damaged file
    return out


def require_fit(ds, demo: str) -> None:
    """Stop the page with what it needs and what to do when data set ``ds`` cannot serve ``demo``
    (:func:`aecore.analysis.requirements.unfit_reason`: too few classes or rows, a table where
    pictures are drawn); the data-set picker stays, so another set can be picked."""
    from aecore.analysis.requirements import unfit_reason

    reason = unfit_reason(ds, demo)
    if reason:
        st.warning(f"**{set_label(ds.name)} cannot be used here.** {reason}")
        st.stop()


def model_of(entry: ModelEntry):
    """The cached, shared model of a library entry (never mutate it)."""
    return checkpoint_for(entry).model


def key_of(entry: ModelEntry) -> tuple[str, float]:
    """Hashable identity of a checkpoint for ``st.cache_data``: its path and modification time."""
    return str(entry.path), entry.path.stat().st_mtime


#: The 1-D toy models the Denoising and Anomalies pages draw in data space.
TOY_MODELS = ("parabola-ae-k1", "circle-ae-k1", "spiral-ae-k1", "line-linear-k1")


def pick_toy(key: str, where) -> str | None:
    """A URL-backed picker over the shipped toy models in ``where``; None (with a note) if none exist."""
    toys = [n for n in TOY_MODELS if entry_or_none(n) is not None]
    if not toys:
        st.info("No toy models in the library yet.")
        return None
    url_state(key, toys[0])
    if st.session_state[key] not in toys:
        st.session_state[key] = toys[0]
    return where.selectbox("Toy model", toys, key=key)


def _slide_sizes(patch_h: int, k: int) -> dict:
    """The code grid's sizes on a slide: the codebook in 4 rows of k/4, the grid and the two images as
    tall as the rest of the screen allows (latentlab.ui.theme.slide_height: 545 px at 720p, under the
    title row), so the whole component is on the first screen and fills it on a bigger projector."""
    from latentlab.ui.theme import slide_height

    avail = slide_height(545)
    patch_px = 2 if avail < 700 else 4
    rows = 4
    palette = rows * (patch_h * patch_px + 29)  # a code: its patch, its 18-px number, border and gap
    grid = avail - palette - 44 - 50 - 20  # the Reset row, the captions (two lines), the gaps
    cell = max(28, (grid - 16) // 7)
    return {"cell": cell, "image_px": 7 * cell + 16, "patch_px": patch_px, "palette_cols": -(-k // rows)}


def show_code_grid(key: str, entry: ModelEntry, ds, i: int, presenter: bool):
    """A VQ-VAE's editable code grid for test example ``i`` (the Discrete codes page, the tour):
    returns ``(indices (h, w), codebook use)`` for the words around it."""
    from aecore.analysis import discrete
    from latentlab.ui.components.code_grid import code_grid
    from latentlab.ui.loaders import codebook_use_for, exported_decoder

    model = model_of(entry)
    use = codebook_use_for(entry)
    x = ds.split("test")[0][i].numpy()  # (D,)
    idx = discrete.code_indices(model, x[None])[0]  # (h, w)
    manifest = exported_decoder(entry)[0]
    if manifest is None:
        st.error("This model's decoder cannot run in the browser, so its grid cannot be edited here.")
        st.stop()
    code_grid(
        key,
        model_name=entry.name,
        example=i,
        x=x,
        xhat=discrete.decode_indices(model, idx[None])[0],
        indices=idx,
        codebook=model.codebook.numpy(),
        counts=use.counts,
        patches=use.patches,
        manifest=manifest,
        image_shape=ds.image_shape,
        presenter=presenter,
        **(_slide_sizes(use.patches.shape[1], use.size) if presenter else {"cell": 40, "image_px": 196, "patch_px": 4}),
    )
    return idx, use
