"""How the app looks: presenter mode (a slide per page, back-row type), page headers, charts and
images. Torch-free: the lecture's first page imports it."""

from __future__ import annotations

import numpy as np
import streamlit as st

#: Plotly tick, legend and annotation text in presenter mode: readable from the back row.
PRESENTER_FONT = 18
#: The tallest main visual (px) in presenter mode on a 720-px projector: the screen minus the one-line
#: title. Presenter heights are written for 1280 × 720 and grow with the window (:func:`slide_height`).
PRESENTER_VISUAL_HEIGHT = 540
#: The latent map's canvas in presenter mode at 720p: its legend row and hint line come under it.
PRESENTER_MAP_HEIGHT = 470
#: The screen presenter heights are written for (CSS px).
SLIDE_SCREEN = (1280, 720)
#: Secondary text: captions, and the explanation under each page title (the page's teaching text).
#: Streamlit draws captions in the text colour at 60 % opacity, 3.9:1 on white, under WCAG AA's
#: 4.5:1; this warm grey (the text colour's hue) is 6.8:1 on the white page and 6.3:1 on the
#: sidebar (tests/test_colours.py checks it against latentlab/app/.streamlit/config.toml's [theme] colours).
CAPTION_COLOUR = "#5E5B57"


def viewport() -> tuple[int, int]:
    """The browser window's ``(width, height)`` in CSS px as last reported in presenter mode
    (:mod:`latentlab.ui.components.viewport`, mounted by :func:`apply_theme`); :data:`SLIDE_SCREEN` before that."""
    return tuple(st.session_state.get("_ll_viewport", SLIDE_SCREEN))


def slide_height(at_720: int) -> int:
    """A presenter height written for a 1280 × 720 slide, on this window: the title row and the lines
    under the visual keep their size, so every extra pixel of height goes to the visual (at 1080p a
    470-px map is 830 px, not 44 % of the screen). Never under 240 px (a small window scrolls)."""
    return max(240, int(at_720) + viewport()[1] - SLIDE_SCREEN[1])


def slide_scale() -> float:
    """How much larger than at 1280 × 720 a picture of fixed size is drawn on this window (at least 1:
    a smaller window keeps the 720p sizes and scrolls)."""
    w, h = viewport()
    return max(1.0, min(w / SLIDE_SCREEN[0], h / SLIDE_SCREEN[1]))


def engineering_caption(text: str, where=None) -> None:
    """A caption for the engineer (sizes, timings, bench figures): shown alone, never on a slide.
    The audience needs the picture, not "2.14 MB of float32 weights"."""
    if not is_presenter():
        (where or st).caption(text)


def engineering_text(text: str) -> str:
    """``text`` outside presenter mode, else ``""``: for such a line handed to a component."""
    return "" if is_presenter() else text


def apply_theme(presenter: bool = False) -> None:
    """Readable from the back row; presenter mode makes type, images and widgets larger still and
    turns each page into a slide: a one-line title at the top, the visual right under it, sized from
    the window (:func:`slide_height`)."""
    base = 22 if presenter else 17
    if presenter:
        from latentlab.ui.components.viewport import viewport as report_viewport

        with st.sidebar.container(key="ll_vp_box"):  # the sidebar: no gap in the slide
            report_viewport()
    from latentlab.ui.components.nav_roles import nav_roles

    with st.sidebar.container(key="ll_nav_box"):  # list roles for the sidebar's page list; draws nothing
        nav_roles()
    slide = (
        """
        /* A slide: no empty header band, the page's visual starts right under a one-line title. */
        [data-testid="stHeader"] { height: 2.4rem; background: transparent; }
        [data-testid="stMainBlockContainer"] { padding: 2.4rem 1.5rem 1rem 1.5rem; max-width: 100%; }
        h1 { font-size: 2rem !important; line-height: 1.25 !important; padding: 0 0 0.2rem 0 !important; }
        h2, h3 { line-height: 1.25 !important; }
        [data-testid='stMetricValue'] { font-size: 2.6rem; }
        /* Back-row type, 18 px at the least (at 720p): captions under images, buttons, slider ticks
           and values, tabs, metric labels, expander titles. max(1em, …) keeps larger text as it is. */
        [data-testid="stMain"] :is(p, span, div, label, button, li, small, code, figcaption, summary) {
            font-size: max(1em, 18px); }
        [data-testid="stImageCaption"], [data-testid="stCaptionContainer"], [data-testid="stSliderTickBarMin"],
        [data-testid="stSliderTickBarMax"], [data-testid="stSliderThumbValue"], [data-testid="stTickBar"] * {
            font-size: 18px !important; }
        .st-key-ll_vp_box { display: none; }
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
        /* Contrast (WCAG AA, 4.5:1): a solid grey instead of Streamlit's faded text colour. */
        [data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {{
            color: {CAPTION_COLOUR} !important; opacity: 1 !important; }}
        /* The explanation under a page title is the page's teaching text: body size, not caption size. */
        .st-key-ll_lede [data-testid="stCaptionContainer"], .st-key-ll_lede [data-testid="stCaptionContainer"] p {{
            font-size: {base}px; }}
        img {{ image-rendering: pixelated; }}  /* crisp upscaled digits, never blurred */
        .st-key-ll_keys_box {{ display: none; }}  /* the clicker's key listener draws nothing */
        .st-key-ll_nav_box {{ display: none; }}  /* nor does the sidebar list's role fixer */
        {slide}
        </style>""",
        unsafe_allow_html=True,
    )


def page_header(title: str, what: str) -> None:
    """The page title and its "what am I looking at?" text.

    A student alone reads the text under the title. In presenter mode the lecturer says it: the
    title is one line and the text waits behind a button beside it, so the visual starts at the top.
    """
    from latentlab.ui.glossary import glossary_html, start_page

    # The first use of each term (KL, q(z|x), PSNR, …) links to its definition in the glossary block
    # under the text; latentlab.ui.glossary.gloss links first uses in the page's later captions.
    what, first = start_page(what)
    if is_presenter():
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.title(title)
        with right.popover("What is this?", width="stretch"):
            st.markdown(what)
            st.markdown(glossary_html(first, open_=True), unsafe_allow_html=True)
    else:
        st.title(title)
        with st.container(key="ll_lede"):
            st.caption(what)
            st.markdown(glossary_html(first), unsafe_allow_html=True)


def main_visual(where=None):
    """The container of a page's main visual (map, pad, figure or image grid). The presenter-mode
    browser test checks that its box lies inside the first screen."""
    return (where or st).container(key="ll_main")


def slide_figure(fig, max_height: int | None = PRESENTER_VISUAL_HEIGHT, slide_px: int | None = None):
    """A copy of a plotly figure for presenter mode: tick, legend and annotation text at least
    :data:`PRESENTER_FONT` px, and no taller than ``max_height`` at 720p (``slide_px``: exactly that
    tall at 720p), plus the window's extra height (:func:`slide_height`). Outside presenter mode: ``fig``."""
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
    if fig.layout.title.text:
        fig.update_layout(title_font_size=max(fig.layout.title.font.size or 0, f))
    fig.update_xaxes(tickfont_size=f, title_font_size=f + 2)
    fig.update_yaxes(tickfont_size=f, title_font_size=f + 2)
    for ann in fig.layout.annotations:
        ann.font.size = max(ann.font.size or 0, f)
    # A trace's own colour bar, and a contour plot's level labels (13 px on the Anomalies page's map).
    for t in fig.data:
        if "colorbar" in t:
            t.colorbar.tickfont.size = max(t.colorbar.tickfont.size or 0, f)
        if t.type in ("contour", "histogram2dcontour") and t.contours.showlabels:
            t.contours.labelfont.size = max(t.contours.labelfont.size or 0, f)
    # An animation's slider (its epoch ticks and "epoch 40" label) and its Play/Pause buttons.
    for s in fig.layout.sliders:
        s.font.size = max(s.font.size or 0, f)
        s.currentvalue.font.size = max(s.currentvalue.font.size or 0, f)
    for m in fig.layout.updatemenus:
        m.font.size = max(m.font.size or 0, f)
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
    # Heights are written for a 720p slide; a taller window gives its extra height to the figure.
    height = min(fig.layout.height or 450, max_height) if max_height else (fig.layout.height or 450)
    height = slide_px or height
    fig.update_layout(height=slide_height(height))
    lone_scene = sum(k.startswith("scene") for k in fig.layout) == 1 and all("scene" in t for t in fig.data)
    if lone_scene and fig.layout.legend.orientation == "h":
        # A lone 3-D scene keeps its cube within the height left to it: a legend beside it, not under it.
        fig.update_layout(legend=dict(orientation="v", x=1.0, xanchor="left", y=1.0, yanchor="top"))
    from latentlab.figures.base import fit_margins

    return fit_margins(fig)  # bigger type needs more room for titles and the legend


def chart(
    fig,
    key: str,
    where=None,
    config: dict | None = None,
    max_height: int | None = PRESENTER_VISUAL_HEIGHT,
    slide_px: int | None = None,
    **kwargs,
):
    """Every figure in the app: presenter-mode fonts and height (:func:`slide_figure`), full width,
    ``slide_px``: the figure's height on a 720p slide when it is the slide's main visual (it then
    fills the first screen). Drawn once by plotly.js (:mod:`latentlab.ui.components.plotly_chart`, with a
    fullscreen button).
    ``on_select="rerun"`` (with ``selection_mode="points"``) makes a click on a point rerun the
    script with the point in ``st.session_state[key]["selection"]``."""
    from latentlab.ui.components.plotly_chart import plotly_chart

    select = kwargs.pop("on_select", None) == "rerun"
    kwargs.pop("selection_mode", None)
    if kwargs:
        raise TypeError(f"chart() got unexpected arguments {sorted(kwargs)}")
    fig = slide_figure(fig, max_height, slide_px)
    if where is None:
        return plotly_chart(fig, key, config=config, select=select)
    with where:
        return plotly_chart(fig, key, config=config, select=select)


def selected_point(chart_key: str):
    """The first clicked/selected point of a :func:`chart` drawn with ``on_select="rerun"``, from its
    widget state (read before drawing, so the same run can draw the highlight)."""
    state = st.session_state.get(chart_key)
    try:
        pts = state["selection"]["points"]
    except (KeyError, TypeError):
        return None
    return pts[0] if pts else None


def vector_text(v, digits: int = 3) -> str:
    """A point as a reader writes it, "(0.203, -1.42)": never float32 noise like 0.2029999941587448."""
    return (
        "("
        + ", ".join(
            f"{float(a):.{digits}g}" if abs(float(a)) >= 1e-3 or a == 0 else f"{float(a):.1e}" for a in np.ravel(v)
        )
        + ")"
    )


def image_alt(caption=None, n: int = 1):
    """The alt text of ``n`` pictures a caller did not describe: each one's caption (a caption says what
    the picture is: "x (input)", "x̂ = g(z) (decoded)"), else "picture" (never none: a screen reader
    would read out the file name). A list for several pictures, as ``st.image`` wants."""
    caps = list(caption) if isinstance(caption, (list, tuple)) else [caption] * n
    texts = [str(c).replace("*", "").strip() if c and str(c).strip() else "picture" for c in caps]
    if n > 1 and not isinstance(caption, (list, tuple)):
        texts = [f"{t}, {i + 1} of {n}" for i, t in enumerate(texts)]
    return texts if n > 1 else texts[0]


def show_png(img, where=None, alt: str | list[str] | None = None, **kwargs) -> None:
    """``st.image`` for a uint8 picture ``(H, W[, 3])`` (or its PNG bytes), or a list of them, sent as
    lossless PNG. ``alt``: what it shows, for a screen reader ("decoded image of z = (0.2, -1.4)");
    by default its caption (:func:`image_alt`).

    Every picture in the app goes through here. Given an array, Streamlit sends a JPEG at quality
    100: lossy on 28-px digits and ~30x the bytes of a PNG (587 kB against 19-25 kB for a 15 x 15
    manifold grid); asked for PNG, it encodes at zlib level 6, ~3x slower than :func:`coding.png_bytes`."""
    from aecore.analysis import coding

    def png(i):
        return i if isinstance(i, bytes) else coding.png_bytes(i)  # bytes: already a PNG (a cached picture)

    data = [png(i) for i in img] if isinstance(img, (list, tuple)) else png(img)
    alt = alt or image_alt(kwargs.get("caption"), len(data) if isinstance(data, list) else 1)
    # st.image takes one alt per picture of a list (a lone string there is an error).
    kwargs["alt"] = [alt] * len(data) if isinstance(data, list) and isinstance(alt, str) else alt
    if is_presenter() and isinstance(kwargs.get("width"), int):
        kwargs["width"] = round(kwargs["width"] * slide_scale())  # as large on a 1080p slide as on 720p
    # output_format too: for bytes of a picture without alpha, "auto" re-encodes them as JPEG.
    (where or st).image(data, output_format="PNG", **kwargs)


def show_image(
    flat: np.ndarray, image_shape, caption: str | None = None, size: int | str = 280, where=None, alt: str | None = None
) -> None:
    """A flat image shown ``size`` px wide (or ``"stretch"``: the column's width), described by ``alt``
    (default: its caption, :func:`image_alt`). It is sent at its own resolution (28 × 28 for MNIST):
    the browser scales it up, crisp (``image-rendering: pixelated`` in :func:`apply_theme`). A
    server-side upscale cost every click a PNG encode and decode of a 256 × 256 image."""
    from aecore.analysis import coding

    show_png(coding.to_display(flat, image_shape, 1), where=where, caption=caption, width=size, alt=alt)


# ---------------------------------------------------------------- lecture preparation


def is_presenter() -> bool:
    """Presenter mode (big type, only what the audience needs): the sidebar toggle or ``?presenter=1``."""
    if "presenter" in st.session_state:
        return bool(st.session_state["presenter"])
    return str(st.query_params.get("presenter", "")).lower() in ("1", "true", "yes")


def show_advanced() -> bool:
    """False in presenter mode: pages put training and advanced controls under ``if show_advanced():``
    and use sensible defaults otherwise."""
    return not is_presenter()
