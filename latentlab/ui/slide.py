"""What a slide says about itself, in the band along its top: the models the page shows, the lecture
playlist's position ("3/5"), and a button that shows this view's link as a QR code over the whole
slide.

The band sits in the strip between the sidebar's ">" and the app menu, which Streamlit keeps empty
above every page: it costs the slide no height. It is drawn before the page runs, when the page's
models are not known yet; every model a page draws is loaded through
:func:`latentlab.ui.loaders.checkpoint_for`, which calls :func:`note_model`, and each new model rewrites the
band's model line. So no page names its model by hand, and none can name one it does not show (the
lecture model, say, on a page that shows another pair). Torch-free: the lecture's first page imports it.
"""

from __future__ import annotations

import html
import threading
from typing import Any

import streamlit as st

from latentlab.ui.state import MODELS_KEY
from latentlab.ui.theme import CAPTION_COLOUR

#: The band's model line in this script run (a placeholder), per script thread.
_run = threading.local()

_CSS = f"""<style>
/* The band: out of the page's flow (no gap, no height), in the empty strip above the slide, left of
   Streamlit's toolbar (its "Running…" status and menu stay in sight). */
[data-testid="stLayoutWrapper"]:has(> .st-key-ll_band) {{
    position: absolute; top: 0.35rem; left: 3.4rem; width: fit-content; max-width: calc(100% - 19.4rem);
    z-index: 999991; }}
/* Opaque: the header it sits in stays put while the page scrolls under it, and a plane's legend
   scrolled beneath would read through the band's words. One row: Streamlit's horizontal block wraps,
   and with one short model name it once put the name on a second row, over the tour's back button. */
.st-key-ll_band {{ gap: 0.9rem; background: #ffffff; border-radius: 0.5rem; flex-wrap: nowrap; }}
.st-key-ll_band [data-testid="stMarkdownContainer"] p {{
    margin: 0; font-size: 18px; line-height: 1.3; color: {CAPTION_COLOUR}; white-space: nowrap;
    overflow: hidden; text-overflow: ellipsis; }}
.st-key-ll_band .st-key-ll_models {{ flex: 0 1 auto; min-width: 0; }}
.st-key-ll_band .st-key-ll_position p {{ color: #31333F; font-weight: 600; }}
.st-key-ll_band button {{ min-height: 2rem; padding: 0.1rem 0.7rem; }}
.st-key-ll_band button p {{ font-size: 18px; }}
</style>"""


def models_line(models: list[tuple[str, str]]) -> str:
    """The band's words for these models: "Model: mnist-vae-2d", "Models: mnist-ae-16d, mnist-dae-16d";
    empty for a page that shows none (Train, Data sets)."""
    if not models:
        return ""
    names = ", ".join(n for n, _ in models)
    return f"Model{'s' if len(models) > 1 else ''}: {names}"


def note_model(entry: Any) -> None:
    """Record that this run's page draws ``entry`` (a library :class:`ModelEntry`), and say so in the
    band. Called from :func:`latentlab.ui.loaders.checkpoint_for`, so from any thread and any run: outside a
    page's script run it does nothing; in a fragment's own rerun it only records (a fragment may not
    write outside itself)."""
    note_model_named(entry.name, entry.label)


def note_model_named(name: str, label: str) -> None:
    """:func:`note_model` for a model that is not in the library: a toy model or the overfitting
    preset, trained and kept by ``aecore.lecture.prepare`` (``label``: the band's tooltip)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:  # the warm-up thread, a job: not a page
        return
    shown = st.session_state.setdefault(MODELS_KEY, [])
    item = (str(name), str(label))
    if item in shown:
        return
    shown.append(item)
    slot = getattr(_run, "slot", None)
    if slot is not None and not ctx.fragment_ids_this_run:
        _draw_models(slot, shown)


def _draw_models(slot, models: list[tuple[str, str]]) -> None:
    text = models_line(models)
    if text:
        tip = html.escape(" | ".join(label for _, label in models), quote=True)
        slot.markdown(f"<span title='{tip}'>{html.escape(text)}</span>", unsafe_allow_html=True)
    else:
        slot.empty()


def playlist_position() -> tuple[int, int] | None:
    """``(i, n)``, 1-based, while a lecture playlist plays and its view ``i`` is the page on screen."""
    from latentlab.ui import playlist

    vs = playlist.views()
    pos = st.session_state.get(playlist.POS_KEY)
    if not vs or pos is None or not 0 <= pos < len(vs):
        return None
    page, _ = st.session_state.get("_page_now", ("home", ""))
    return (pos + 1, len(vs)) if vs[pos]["page"] == page else None


def band() -> None:
    """Draw the band (call once per run, before the page runs): the model line (filled in as the page
    loads its models), the playlist's position, and the Share button that opens the QR overlay."""
    from latentlab.ui import playlist

    st.session_state[MODELS_KEY] = []  # this run's page names its own (the previous run's are gone)
    st.html(_CSS)  # style only: Streamlit puts it where it takes no room
    with st.container(key="ll_band", horizontal=True, vertical_alignment="center", gap=None):
        if st.button(
            "Share",
            key="ll_share",
            icon=":material/qr_code_2:",
            help="Show this view's link as a QR code, full screen, for students to open it on their "
            "laptops (Esc closes it)",
        ):
            playlist.share_dialog(playlist.view_url())
        where = playlist_position()
        if where:
            i, n = where
            st.container(key="ll_position", width="content").markdown(
                f"<span title='View {i} of {n} of the lecture playlist'>Playlist {i}/{n}</span>",
                unsafe_allow_html=True,
            )
        _run.slot = st.container(key="ll_models").empty()
