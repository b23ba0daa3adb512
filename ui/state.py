"""What a session remembers: settings mirrored in the URL (a deep link restores a view), every
page's widgets kept across page switches, the one lecture model, and the model picker."""

from __future__ import annotations

import streamlit as st

from aecore.data.sets import dataset_kind, is_available
from aecore.storage.library import ModelEntry, list_models


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


def dataset_label(name: str) -> str:
    """A data set's name where one is chosen: an imported set says it is yours, its kind and size
    ("strokes  (yours: 28×28 pictures, 1,000)"); a built-in one is its name."""
    from aecore.data.importing import list_user_datasets

    for d in list_user_datasets():
        if d["name"] == name:
            shape = d["image_shape"]
            kind = (
                f"{shape[1]}×{shape[2]}{' RGB' if shape[0] == 3 else ''} pictures"
                if shape
                else f"table of {d['input_dim']}"
            )
            return f"{name}  (yours: {kind}, {d['n_train'] + d['n_test']:,})"
    return name


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
        st.session_state[key] = default_model_name(models, prefer)

    def fmt(n: str) -> str:
        m = by_name[n]
        return m.label + ("" if is_available(m.dataset) else "  (data missing)")

    name = where.selectbox(label, names, key=key, format_func=fmt, on_change=_adopt_model, args=(key,))
    if lecture is None or lecture_entry() is None:
        set_lecture_model(name)  # the first page seen (or a deep link) sets the lecture model
    push_url(LECTURE_KEY)
    return by_name[name]


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
