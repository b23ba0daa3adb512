"""The model picker in the sidebar: the library's models a page can show, the lecture model first.

Apart from :mod:`latentlab.ui.state` (which it uses) so that the session's state does not import the slide
band (the picker tells the band which model the slide shows): arrows point one way, state ← slide
← picker.
"""

from __future__ import annotations

import streamlit as st

from aecore.data.sets import dataset_kind, is_available
from aecore.storage.library import ModelEntry, list_models
from latentlab.ui.slide import note_model
from latentlab.ui.state import (
    LECTURE_KEY,
    default_model_name,
    lecture_entry,
    lecture_model,
    note_not_here,
    push_url,
    set_lecture_model,
    show_not_here,
)


def _adopt_model(key: str) -> None:
    set_lecture_model(st.session_state[key])  # the lecturer picked it: every page follows


#: The model picker's help: what a shipped model's name says (the picker lists names alone).
MODEL_PICKER_HELP = (
    "A shipped model's name says its data set, family and latent size k: mnist-vae-2d is a VAE with a "
    "2-D code trained on MNIST (dae: denoising AE, conv: convolutional). Each slide names its models at "
    "its top; the Model library lists every model's family, k and data set."
)


def pick_model(
    key: str,
    label: str = "Model",
    kind: str | None = None,
    latent_dim: int | None = None,
    prefer: tuple[str, ...] = ("mnist-vae-2d", "mnist-ae-2d", "digits-vae-2d", "digits-ae-2d"),
    where=None,
    families: tuple[str, ...] | None = None,
) -> ModelEntry | None:
    """A selectbox over the library's models. ``kind`` filters by data: "image", "table" or
    "points" (:func:`aecore.data.sets.dataset_kind`), or several joined by "+".

    It shows the lecture model when it is in the list; a pick here becomes the lecture model.
    Models whose data set is missing stay listed (marked), so the choice explains itself.
    """
    where = where or st.sidebar
    models = list_models(latent_dim=latent_dim)
    if kind is not None:  # "image", "points", "table", or several joined by "+"
        kinds = set(kind.split("+"))
        models = [m for m in models if (dataset_kind(m.dataset) or "points") in kinds]
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
        asked = next((m for m in list_models() if m.name == st.session_state.get(key)), None)
        st.session_state[key] = default_model_name(models, prefer)
        if asked is not None:
            # A link named a model this page cannot show (a table model on a pictures page): said,
            # not silently swapped for another; the note stays until another model is picked.
            note_not_here(key, _not_here(asked, kind, latent_dim, families), st.session_state[key])

    def fmt(n: str) -> str:  # the name alone: "name · family, k, data" was cut off in the sidebar
        m = by_name[n]
        return m.name + ("" if is_available(m.dataset) else "  (data missing)")

    name = where.selectbox(
        label, names, key=key, format_func=fmt, on_change=_adopt_model, args=(key,), help=MODEL_PICKER_HELP
    )
    note_model(by_name[name])  # the slide names the model it shows
    show_not_here(key, name)
    if lecture is None or lecture_entry() is None:
        set_lecture_model(name)  # the first page seen (or a deep link) sets the lecture model
    push_url(LECTURE_KEY)
    return by_name[name]


#: What a page's ``kind`` filter lets through, in words.
KIND_WORDS = {"image": "pictures", "table": "tables", "points": "toy points"}


def _not_here(m: ModelEntry, kind: str | None, latent_dim: int | None, families: tuple[str, ...] | None) -> str:
    """Why the picker of a page (its ``kind``, ``latent_dim`` and ``families`` filters) does not
    offer the model ``m``, in a sentence that names what the page shows instead."""
    from latentlab.ui.plain import plain

    if kind is not None and (dataset_kind(m.dataset) or "points") not in kind.split("+"):
        have = KIND_WORDS.get(dataset_kind(m.dataset) or "points", "other data")
        need = " or ".join(KIND_WORDS[k] for k in kind.split("+"))
        why = f"it was trained on {have} ('{plain(m.dataset)}') and this page shows models of {need}"
    elif latent_dim is not None and m.latent_dim != latent_dim:
        why = f"its latent size is k = {m.latent_dim} and this page needs k = {latent_dim}"
    else:
        why = f"this page shows {', '.join(families or ())} models"
    return f"**'{plain(m.name)}' cannot be shown on this page:** {why}. Showing the model picked on the left instead."
