"""The lecture playlist: bookmarked views, stepped through with a presentation clicker.

A view is what a deep link already holds: the page and its URL query (model, z, markers, tab, step,
seed: every page mirrors its state there, see :func:`ui.state.push_url`). The playlist is a
list of views in the session; it is exported and imported as a JSON file or as a link
(``?playlist=…``, the same JSON, compressed and URL-safe). Restoring a view drops the page's current
state (widgets, clicks, component state) and reopens the page from the view's query, exactly as a
fresh browser would open the deep link.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

import streamlit as st

from aecore.errors import UserError, translating
from ui.state import LECTURE_KEY, set_lecture_model

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


def _label(page: str, title: str, params: dict[str, str]) -> str:
    bits = [title]
    if params.get(LECTURE_KEY):
        bits.append(params[LECTURE_KEY])
    for k, name in (("mf_view", "tab"), ("step", "step"), ("ex_z", "z")):
        if params.get(k):
            bits.append(f"{name} {params[k]}")
    return " · ".join(bits)


def bookmark() -> None:
    """Add the view on screen (its page and URL query) to the playlist."""
    page, title = st.session_state.get("_page_now", ("home", "Latent map"))
    params = {k: v for k, v in st.query_params.to_dict().items() if k not in ("presenter", "playlist")}
    vs = views()
    if len(vs) < MAX_VIEWS:
        vs.append({"page": page, "label": _label(page, title, params), "params": params})


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
        from ui.state import forget

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
    st.session_state["_playlist_switch"] = (files.get(v["page"], "ui/pages/home.py"), params)


def step(delta: int) -> bool:
    """Move ``delta`` views along the playlist (a clicker press). False when there is no playlist."""
    vs = views()
    if not vs:
        return False
    pos = st.session_state.get(_POS)
    go_to(0 if pos is None and delta > 0 else (pos or 0) + delta)
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
        st.session_state["_playlist_msg"] = (
            "success",
            f"Imported {len(views())} views: press → or PageDown to start." + _dropped_note(dropped),
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


def sidebar() -> None:
    """The playlist's controls: bookmark, list (open, reorder, remove), export, import, link."""
    vs = views()
    pos = st.session_state.get(_POS)
    open_ = bool(vs) and not st.session_state.get("presenter")
    with st.sidebar.expander(f"Lecture playlist ({len(vs)})", expanded=open_):
        st.button(
            "Bookmark this view",
            key="_pl_add",
            on_click=bookmark,
            width="stretch",
            icon=":material/bookmark_add:",
            help="Adds this page as it is now (model, z, markers, tab, step, seed). Step through the "
            "playlist with a presentation clicker, PageDown/PageUp, → / ← or Space.",
        )
        for i, v in enumerate(vs):
            a, b, c, d = st.columns([6, 1, 1, 1], vertical_alignment="center")
            a.button(
                ("▶ " if i == pos else "") + f"{i + 1}. {v['label']}",
                key=f"_pl_go_{i}",
                on_click=go_to,
                args=(i,),
                type="tertiary",
            )
            b.button("↑", key=f"_pl_up_{i}", on_click=_move, args=(i, -1), disabled=i == 0, help="Move up")
            c.button("↓", key=f"_pl_dn_{i}", on_click=_move, args=(i, 1), disabled=i == len(vs) - 1, help="Move down")
            d.button("✕", key=f"_pl_rm_{i}", on_click=_remove, args=(i,), help="Remove")
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


def share_view(where=None) -> None:
    """This view's link and its QR code, for students to open the same view on their laptops."""
    from urllib.parse import urlencode

    page, _ = st.session_state.get("_page_now", ("home", ""))
    query = urlencode(
        {k: v for k, v in st.query_params.to_dict().items() if k not in ("presenter", "playlist")}, safe=","
    )
    url = public_url(("" if page == "home" else page) + (f"?{query}" if query else ""))
    with (where or st.sidebar).popover("Share this view (QR)", width="stretch"):
        # Drawn only on request: a QR code costs ~10 ms, and a new z (every click) is a new link.
        if st.toggle("Show the QR code", key="_qr_on"):
            st.image(qr_png(url), width=280, output_format="PNG")
        st.code(url, language=None, wrap_lines=True)
        st.caption(
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
