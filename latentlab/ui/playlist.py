"""The lecture playlist: bookmarked views, stepped through with a presentation clicker.

A view is what a deep link already holds: the page and its URL query (model, z, markers, tab, step,
seed: every page mirrors its state there, see :func:`latentlab.ui.state.push_url`). The playlist is a
list of views in the session; it is exported and imported as a JSON file or as a link
(``?playlist=…``, the same JSON, compressed and URL-safe). Restoring a view drops the page's current
state (widgets, clicks, component state) and reopens the page from the view's query, exactly as a
fresh browser would open the deep link.
"""

from __future__ import annotations

import base64
import html
import json
import zlib
from typing import Any

import streamlit as st

from aecore.errors import UserError, translating
from latentlab.ui.state import LECTURE_KEY, page_file, set_lecture_model

FORMAT = "latent-lab-playlist"
#: Session keys owned by each page (its widget and state keys start with these), by URL path.
PAGE_PREFIX = {
    "home": "home_",
    "explorer": "ex_",
    "drag": "dg_",
    "manifold": "mf_",
    "denoise": "dn_",
    "sampling": "sp_",
    "anomaly": "an_",
    "tour": "tour_",
    "train": "tr_",
    "library": "lib_",
}
_LIST, _POS, _PAGES = "_playlist", "_playlist_pos", "_page_files"
#: Session key of the playing view's index (None before the first clicker press), read by latentlab.ui.slide.
POS_KEY = _POS
MAX_VIEWS = 200
#: Bounds on what a playlist file or link may hold: a view's query has a few dozen keys, a value at
#: most a lasso polygon (tens of kB). A link or file beyond them is refused, not read into memory.
MAX_PARAMS, MAX_KEY, MAX_VALUE = 64, 64, 120_000
MAX_JSON = 4 << 20  # the JSON of 200 full views with room to spare (a link decompresses to at most this)


class PlaylistError(UserError):
    """A playlist file or link that cannot be read; the message says why."""


# ---------------------------------------------------------------- the data: plain, testable


def to_json(views: list[dict[str, Any]]) -> str:
    return json.dumps({"format": FORMAT, "version": 1, "views": views}, indent=1, ensure_ascii=False)


def from_json(text: str | bytes) -> list[dict[str, Any]]:
    """The views of an exported playlist. Raises :class:`PlaylistError` (a ``ValueError``) with a
    readable reason for anything that is not one: not JSON, another format, a malformed view, a view
    larger than any real one."""
    if len(text) > MAX_JSON:
        raise PlaylistError("this file is too large to be a playlist")
    try:
        with translating(PlaylistError, "this file is not a playlist (not JSON)"):
            d = json.loads(text)  # also RecursionError (deep nesting), ValueError (a 5,000-digit number)
    except PlaylistError as exc:
        raise PlaylistError(str(exc)) from None
    if not isinstance(d, dict) or d.get("format") != FORMAT or not isinstance(d.get("views"), list):
        raise PlaylistError("this file is not a Latent Lab playlist")
    views = []
    for v in d["views"][:MAX_VIEWS]:
        if not (isinstance(v, dict) and isinstance(v.get("page"), str) and isinstance(v.get("params"), dict)):
            raise PlaylistError("a view in this playlist is malformed")
        params = v["params"]
        if len(params) > MAX_PARAMS or len(v["page"]) > MAX_KEY:
            raise PlaylistError("a view in this playlist is malformed (too large)")
        clean = {}
        for k, x in params.items():
            if not isinstance(x, (str, int, float, bool)) or len(k) > MAX_KEY or len(str(x)) > MAX_VALUE:
                raise PlaylistError(f"a view in this playlist is malformed (its setting {k[:MAX_KEY]!r})")
            clean[k] = str(x)
        views.append({"page": v["page"], "label": str(v.get("label", v["page"]))[:120], "params": clean})
    return views


def to_link_token(views: list[dict[str, Any]]) -> str:
    """The playlist as one URL-safe token (compressed JSON) for ``?playlist=``."""
    return base64.urlsafe_b64encode(zlib.compress(to_json(views).encode(), 9)).decode().rstrip("=")


def from_link_token(token: str) -> list[dict[str, Any]]:
    """The views of a ``?playlist=`` token; :class:`PlaylistError` if it is damaged or not a playlist.
    At most :data:`MAX_JSON` bytes are decompressed: a small token cannot expand into gigabytes."""
    if not isinstance(token, str) or len(token) > MAX_JSON:
        raise PlaylistError("the playlist link is damaged")
    try:
        with translating(PlaylistError, "the playlist link is damaged"):
            packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            z = zlib.decompressobj()
            raw = z.decompress(packed, MAX_JSON)
            if z.unconsumed_tail or not z.eof:
                raise PlaylistError("the playlist link is damaged")
    except PlaylistError:
        raise PlaylistError("the playlist link is damaged") from None
    return from_json(raw)


def known_views(vs: list[dict[str, Any]], pages) -> tuple[list[dict[str, Any]], int]:
    """The views whose page is one of ``pages`` (URL paths), and how many others were left out."""
    kept = [v for v in vs if v["page"] in pages]
    return kept, len(vs) - len(kept)


# ---------------------------------------------------------------- the session


def register_pages(files: dict[str, str], current: str, title: str) -> None:
    """Called by the app script each run: which file serves each URL path, and the page on screen."""
    st.session_state[_PAGES] = files
    st.session_state["_page_now"] = (current, title)


def views() -> list[dict[str, Any]]:
    return st.session_state.setdefault(_LIST, [])


def _label(title: str, params: dict[str, str], models: list[str]) -> str:
    """A view's line in the playlist: the page, the models its slide showed (not the session's lecture
    model, which a page of another pair does not show), and the view's tab, step or z."""
    bits = [title]
    if models:
        bits.append(", ".join(models))
    for k, name in (("mf_view", "tab"), ("step", "step"), ("ex_z", "z")):
        if params.get(k):
            bits.append(f"{name} {params[k]}")
    return " · ".join(bits)


def bookmark() -> None:
    """Add the view on screen (its page and URL query) to the playlist, labelled with the models its
    slide showed (:func:`latentlab.ui.state.models_shown`: a callback runs before the page, so these are the
    models of the view on screen)."""
    from latentlab.ui.state import models_shown

    page, title = st.session_state.get("_page_now", ("home", "Latent map"))
    params = {k: v for k, v in st.query_params.to_dict().items() if k not in ("presenter", "playlist")}
    vs = views()
    if len(vs) < MAX_VIEWS:
        models = [name for name, _ in models_shown()]
        vs.append({"page": page, "label": _label(title, params, models), "params": params})


def go_to(i: int) -> None:
    """Open view ``i``: forget the target page's state, then switch to it with the view's query."""
    vs = views()
    if not vs:
        return
    i = max(0, min(i, len(vs) - 1))
    st.session_state[_POS] = i
    v = vs[i]
    prefix = PAGE_PREFIX.get(v["page"])
    if prefix:
        from latentlab.ui.state import forget

        stale = [
            k
            for k in list(st.session_state.keys())
            if isinstance(k, str) and (k.startswith(prefix) or k.startswith("_" + prefix))
        ]
        forget(*stale)
    if LECTURE_KEY in v["params"]:
        set_lecture_model(v["params"][LECTURE_KEY])
    params = {k: x for k, x in v["params"].items() if k != "playlist"}  # a view does not load a playlist
    if st.session_state.get("presenter"):
        params["presenter"] = "1"
    files = st.session_state.get(_PAGES, {})
    st.session_state["_playlist_switch"] = (files.get(v["page"], page_file("home")), params)


def step(delta: int) -> bool:
    """Move ``delta`` views along the playlist (a clicker press). False when there is no playlist.

    A press past either end stays on the view and says so ("End of the playlist (5/5)"): reopening
    it would throw away what the lecturer did on it since."""
    vs = views()
    if not vs:
        return False
    pos = st.session_state.get(_POS)
    target = 0 if pos is None and delta > 0 else (pos or 0) + delta
    if pos is not None and not 0 <= target < len(vs):
        at_end = target >= len(vs)
        st.toast(
            f"{'End' if at_end else 'Start'} of the playlist ({pos + 1}/{len(vs)})",
            icon=":material/last_page:" if at_end else ":material/first_page:",
        )
        return True
    go_to(target)
    return True


def switch_if_asked() -> None:
    """Perform a pending view change (set by :func:`go_to` in a callback, where switching is not allowed)."""
    target = st.session_state.pop("_playlist_switch", None)
    if target:
        page, params = target
        st.switch_page(page, query_params=params)


def load(new: list[dict[str, Any]]) -> None:
    st.session_state[_LIST] = list(new)
    st.session_state[_POS] = None


# ---------------------------------------------------------------- the sidebar


def _import_file() -> None:
    f = st.session_state.get("_playlist_file")
    # The uploader lives in the sidebar of every page; a page switch can report the same file again.
    if f is None or st.session_state.get("_playlist_file_id") == f.file_id:
        return
    st.session_state["_playlist_file_id"] = f.file_id
    try:
        new, dropped = known_views(from_json(f.getvalue()), st.session_state.get(_PAGES, {}))
        load(new)
        # A toast: seen on the slide too, with the sidebar folded away.
        st.toast(
            f"Imported {len(views())} views: press → or PageDown to start." + _dropped_note(dropped),
            icon=":material/playlist_add_check:",
            duration="long",
        )
    except PlaylistError as exc:
        st.session_state["_playlist_msg"] = ("error", str(exc))


def _move(i: int, d: int) -> None:
    vs = views()
    j = i + d
    if 0 <= j < len(vs):
        vs[i], vs[j] = vs[j], vs[i]


def _remove(i: int) -> None:
    vs = views()
    if 0 <= i < len(vs):
        vs.pop(i)
        st.session_state[_POS] = None


#: The list's row buttons: key prefix, icon, accessible name (the icon alone is seen; the name is
#: read out and is the hover text), and the move.
_ROW_BUTTONS = (
    ("_pl_up_", ":material/arrow_upward:", "Move up", -1),
    ("_pl_dn_", ":material/arrow_downward:", "Move down", 1),
    ("_pl_rm_", ":material/close:", "Remove", 0),
)

_SIDEBAR_CSS = """<style>
/* Below the page's own controls (its model or data set first, under the page list). */
[data-testid="stSidebarUserContent"] [data-testid="stLayoutWrapper"]:has(> .st-key-ll_playlist_box) { order: 1; }
/* A row button shows its icon; its name is for screen readers (visually hidden, not display:none). */
[class*="st-key-_pl_up_"] button [data-testid="stMarkdownContainer"],
[class*="st-key-_pl_dn_"] button [data-testid="stMarkdownContainer"],
[class*="st-key-_pl_rm_"] button [data-testid="stMarkdownContainer"] {
    position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
    white-space: nowrap; }
[class*="st-key-_pl_up_"] button, [class*="st-key-_pl_dn_"] button, [class*="st-key-_pl_rm_"] button {
    min-width: 40px; min-height: 36px; padding: 2px 8px; }
[class*="st-key-_pl_go_"] button { justify-content: flex-start; text-align: left; }
</style>"""


def sidebar() -> None:
    """The playlist's controls: bookmark, list (open, reorder, remove), export, import, link.

    The section keeps one label and one key, so it stays open across a bookmark, an import and a
    page switch (a label with the count made each change a new, folded section)."""
    vs = views()
    pos = st.session_state.get(_POS)
    st.html(_SIDEBAR_CSS)  # style only: Streamlit puts it where it takes no room
    box = st.sidebar.container(key="ll_playlist_box")
    with box.expander("Lecture playlist", key="ll_playlist", icon=":material/playlist_play:"):
        st.button(
            "Bookmark this view",
            key="_pl_add",
            on_click=bookmark,
            width="stretch",
            icon=":material/bookmark_add:",
            help="Adds this page as it is now (model, z, markers, tab, step, seed). Step through the "
            "playlist with a presentation clicker, PageDown/PageUp, → / ← or Space.",
        )
        if vs:
            playing = f", playing view {pos + 1}" if pos is not None and 0 <= pos < len(vs) else ""
            st.caption(f"{len(vs)} view{'s' if len(vs) != 1 else ''}{playing}. Click one to open it.")
        for i, v in enumerate(vs):
            # The view's name on its own line (it wraps), its three small buttons under it.
            with st.container(key=f"_pl_row_{i}", gap="xxsmall"):
                st.button(
                    ("▶ " if i == pos else "") + f"{i + 1}. {v['label']}",
                    key=f"_pl_go_{i}",
                    on_click=go_to,
                    args=(i,),
                    type="tertiary",
                    help="Open this view",
                )
                with st.container(horizontal=True, wrap=False, gap="small", horizontal_alignment="right"):
                    for prefix, icon, name, d in _ROW_BUTTONS:
                        st.button(
                            name,
                            key=f"{prefix}{i}",
                            icon=icon,
                            help=name,
                            on_click=_remove if d == 0 else _move,
                            args=(i,) if d == 0 else (i, d),
                            disabled=(d == -1 and i == 0) or (d == 1 and i == len(vs) - 1),
                        )
        if vs:
            st.download_button(
                "Export playlist",
                to_json(vs),
                file_name="lecture-playlist.json",
                mime="application/json",
                key="_pl_export",
                width="stretch",
                on_click="ignore",
            )
            st.caption("As a link (opens the playlist in any browser):")
            st.code(public_url(f"?playlist={to_link_token(vs)}"), language=None, wrap_lines=True)
        st.file_uploader(
            "Import a playlist", type=["json"], key="_playlist_file", on_change=_import_file, max_upload_size=1
        )
        msg = st.session_state.pop("_playlist_msg", None)
        if msg:
            (st.success if msg[0] == "success" else st.error)(msg[1])


def public_url(path_and_query: str) -> str:
    """The address students type or scan: ``$LATENTLAB_PUBLIC_URL`` (e.g. ``http://192.168.1.20:8501``,
    the lecturer's machine as the room sees it) if set, else the address this browser uses."""
    import os

    base = os.environ.get("LATENTLAB_PUBLIC_URL", "").strip().rstrip("/")
    if not base:
        from urllib.parse import urlsplit

        u = urlsplit(str(st.context.url or ""))
        base = f"{u.scheme}://{u.netloc}" if u.netloc else ""
    return f"{base}/{path_and_query.lstrip('/')}"


@st.cache_data(show_spinner=False, max_entries=256)
def qr_png(text: str) -> bytes:
    """A QR code of ``text`` as PNG bytes, big enough to scan from the back of a room."""
    import io

    import segno

    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=8, border=2)
    return buf.getvalue()


def view_url() -> str:
    """The address of the view on screen (its page and query, without presentation-only keys), as
    :func:`public_url` gives it."""
    from urllib.parse import urlencode

    page, _ = st.session_state.get("_page_now", ("home", ""))
    query = urlencode(
        {k: v for k, v in st.query_params.to_dict().items() if k not in ("presenter", "playlist")}, safe=","
    )
    return public_url(("" if page == "home" else page) + (f"?{query}" if query else ""))


#: The link's type size by its length: a page's usual query (~170 characters) fills the space beside
#: the code at 34 px; a longer one is smaller (a lasso's polygon can be thousands of characters).
URL_SIZES = ((200, "large"), (450, "medium"))

_SHARE_CSS = """<style>
/* Most of the slide's height for the code: scannable from the back of the room. */
.st-key-ll_qr img { height: 62vh !important; width: auto !important; max-width: 100%; object-fit: contain; }
.st-key-ll_qr [data-testid="stImageContainer"], .st-key-ll_qr [data-testid="stImage"] { width: auto; }
.ll-url { font-family: "Source Code Pro", monospace; font-size: 34px; line-height: 1.3;
    overflow-wrap: anywhere; color: #31333F; }
.ll-url.medium { font-size: 24px; }
.ll-url.small { font-size: 18px; }
</style>"""


@st.dialog("Open this view on your laptop", width="large")
def share_dialog(url: str) -> None:
    """This view's link over the whole slide: a QR code most of the screen high and the address in
    large type, for students to open the same view (Esc or ✕ closes it)."""
    st.html(_SHARE_CSS)
    code, words = st.columns([5, 4], vertical_alignment="center")
    with code.container(key="ll_qr"):
        st.image(qr_png(url), output_format="PNG", alt=f"QR code of the link {url}")
    size = next((name for n, name in URL_SIZES if len(url) <= n), "small")
    words.markdown(
        f"<div class='ll-url {size}' data-testid='ll-share-url'>{html.escape(url)}</div>", unsafe_allow_html=True
    )
    import os

    if not os.environ.get("LATENTLAB_PUBLIC_URL", "").strip():
        words.caption(
            "Set LATENTLAB_PUBLIC_URL to this machine's address on the room's network "
            "(e.g. http://192.168.1.20:8501) so that the code works on students' phones."
        )


def _dropped_note(n: int) -> str:
    if not n:
        return ""
    return f" {n} view(s) named a page this app does not have and were left out."


def load_from_link() -> None:
    """``?playlist=…`` in the URL (once per session) becomes the session's playlist. A damaged link,
    or views of pages this app does not have, give a short notice and the page as it is."""
    token = st.query_params.get("playlist")
    if token and st.session_state.get("_playlist_token") != token:
        st.session_state["_playlist_token"] = token
        try:
            new, dropped = known_views(from_link_token(token), st.session_state.get(_PAGES, {}))
        except PlaylistError as exc:
            # A toast: the playlist's own section is folded while it is empty, so a message there is unseen.
            st.toast(f"This link's playlist could not be opened: {exc}.", icon=":material/link_off:", duration="long")
        else:
            load(new)
            st.toast(
                f"Playlist of {len(new)} views loaded: press → to start." + _dropped_note(dropped),
                icon=":material/playlist_play:",
                duration="long",
            )
    if "playlist" in st.query_params:
        del st.query_params["playlist"]
