"""Latent Lab: see what an autoencoder learns.  Run with ``latent-lab app`` (``./run.sh app`` in a
clone), which runs ``streamlit run`` on this file from any folder.

It lives in its own folder, inside the package, because Streamlit reads three things beside its main
script: ``.streamlit/config.toml`` (the app's settings), ``static/`` (the files the browser fetches:
decoder weights, plane files, the components' code; written on first use) and the page icon in
``assets/``. Pages are ``latentlab/ui/pages/*.py`` (not a ``pages/`` folder beside this file, which
Streamlit would list on its own).

This file is read twice. ``streamlit run`` finds the ``st.App`` below and serves it; the server
imports this file as a module (``__name__ == "app"``) to get it. Each browser session then runs
this same file as its page script (``__name__ == "__main__"``): the navigation below.
"""

import streamlit as st

if __name__ != "__main__":
    # The server: Streamlit's routes plus the latent pad's position channel, which carries marker
    # positions to Python during a drag without a rerun (latentlab/ui/components/pad_channel.py says why).
    from latentlab.ui.components import pad_channel

    app = st.App("app.py", routes=pad_channel.routes(st.get_option("server.baseUrlPath")))
else:
    # A local icon file: a material-icon favicon would be fetched from a font CDN (not offline).
    from pathlib import Path

    HERE = Path(__file__).resolve().parent
    st.set_page_config(page_title="Latent Lab", page_icon=str(HERE / "assets" / "icon.png"), layout="wide")
    from latentlab.ui.state import CLICKER_STEP, keep_page_state, page_file, prepare_lecture_button, push_url, run_page
    from latentlab.ui.state import PAGE_DIR as PAGES_FOLDER
    from latentlab.ui.theme import apply_theme, is_presenter

    keep_page_state()  # every page's settings survive a visit to another page

    # One list, one place: every page of the app, in lecture order.
    # The default page's address is /, whatever its url_path says (which must still be unique: "home"
    # is taken by the hidden page below that sends /home here).
    # The page scripts live in latentlab/ui/pages/, not in a pages/ folder beside app.py (see above).
    PAGE_DIR = PAGES_FOLDER.as_posix()
    HOME = st.Page(
        f"{PAGE_DIR}/home.py", title="Latent map", icon=":material/scatter_plot:", url_path="latent-map", default=True
    )

    def home_by_name() -> None:
        """/home, typed or bookmarked: the default page lives at /, so Streamlit would say "Page not
        found" there; this hidden page opens it instead, with the link's query."""
        st.switch_page(HOME, query_params=st.query_params.to_dict())

    PAGES = {
        "Explore": [
            HOME,
            st.Page(home_by_name, title="Latent map", url_path="home", visibility="hidden"),
            st.Page(
                f"{PAGE_DIR}/explorer.py",
                title="Latent explorer",
                icon=":material/travel_explore:",
                url_path="explorer",
            ),
            st.Page(f"{PAGE_DIR}/drag.py", title="Drag to decode", icon=":material/drag_pan:", url_path="drag"),
            st.Page(f"{PAGE_DIR}/compare.py", title="Compare models", icon=":material/compare:", url_path="compare"),
            st.Page(f"{PAGE_DIR}/network.py", title="Two pictures of one x", icon=":material/hub:", url_path="network"),
            st.Page(f"{PAGE_DIR}/manifold.py", title="Manifold", icon=":material/blur_on:", url_path="manifold"),
        ],
        "Demos": [
            st.Page(f"{PAGE_DIR}/denoise.py", title="Denoising", icon=":material/auto_fix_high:", url_path="denoise"),
            st.Page(
                f"{PAGE_DIR}/sampling.py", title="Sampling: VAE vs AE", icon=":material/casino:", url_path="sampling"
            ),
            st.Page(f"{PAGE_DIR}/beta.py", title="The β knob", icon=":material/tune:", url_path="beta"),
            st.Page(f"{PAGE_DIR}/codes.py", title="Discrete codes", icon=":material/grid_view:", url_path="codes"),
            st.Page(f"{PAGE_DIR}/anomaly.py", title="Anomalies", icon=":material/report:", url_path="anomaly"),
            st.Page(
                f"{PAGE_DIR}/features.py", title="Codes as features", icon=":material/leaderboard:", url_path="features"
            ),
            st.Page(f"{PAGE_DIR}/factors.py", title="Disentanglement", icon=":material/tune:", url_path="factors"),
            st.Page(f"{PAGE_DIR}/sae.py", title="Sparse autoencoders", icon=":material/category:", url_path="sae"),
        ],
        "Models": [
            st.Page(f"{PAGE_DIR}/train.py", title="Train", icon=":material/model_training:", url_path="train"),
            st.Page(f"{PAGE_DIR}/library.py", title="Model library", icon=":material/inventory_2:", url_path="library"),
            st.Page(f"{PAGE_DIR}/datasets.py", title="Data sets", icon=":material/dataset:", url_path="datasets"),
        ],
        "Lecture": [
            st.Page(f"{PAGE_DIR}/tour.py", title="Guided tour", icon=":material/school:", url_path="tour"),
        ],
    }
    if st.session_state.get("presenter"):
        # The audience needs the demos and a live training (the Train page hides its advanced
        # controls there), not the model workshop's file management.
        PAGES = {k: [p for p in v if p.title not in ("Model library", "Data sets")] for k, v in PAGES.items()}

    # expanded: every page visible, no "view more" fold. NB: st.query_params must not be touched
    # before st.navigation. (The page scripts live in latentlab/ui/pages/, not in pages/ beside app.py:
    # Streamlit would treat a pages/ folder as a legacy multipage app and run a deep-linked page without app.py.)
    page = st.navigation(PAGES, expanded=True)
    from latentlab.ui import playlist, slide
    from latentlab.ui.components.keys import clicker_step
    from latentlab.ui.components.plotly_chart import preload as plotly_preload

    # The playlist needs each page's script by URL path (to switch to a bookmarked view) and the page on
    # screen. Each script is named after its URL path; the default page's url_path reads "".
    def path_of(p) -> str:
        return p.url_path or "home"

    files = {path_of(p): page_file(path_of(p)) for section in PAGES.values() for p in section}
    playlist.register_pages(files, path_of(page), page.title)

    # Presenter mode: a sidebar toggle, or ?presenter=1 in the URL (read once per session).
    if "presenter" not in st.session_state:
        st.session_state["presenter"] = is_presenter()
        if st.session_state["presenter"]:
            st.rerun()  # rebuild the navigation without the Model library
    st.sidebar.toggle(
        "Presenter mode",
        key="presenter",
        help="Big type, big images, only what the audience needs; training and advanced controls hidden.",
    )
    if not st.session_state["presenter"]:
        prepare_lecture_button()
    if st.session_state["presenter"]:
        push_url("presenter")
    elif "presenter" in st.query_params:
        del st.query_params["presenter"]
    if st.session_state["presenter"]:
        # A slide: the audience sees the visual, not the controls (the lecturer opens them with ">").
        st.set_page_config(initial_sidebar_state="collapsed")
    apply_theme(presenter=st.session_state["presenter"])

    # One listener for a presentation clicker on every page: it steps the lecture playlist when there
    # is one, else it is the page's to use (the guided tour steps with it). Hidden: it draws nothing.
    playlist.load_from_link()
    with st.sidebar.container(key="ll_keys_box"):  # the sidebar: no gap in the slide, even collapsed
        key_step = clicker_step("ll_keys")
        plotly_preload()  # plotly.js loads while the browser is idle: the first chart does not wait for it
    if key_step and not playlist.step(key_step):
        st.session_state[CLICKER_STEP] = key_step
    playlist.switch_if_asked()  # a clicker press or a click in the playlist: open that view
    playlist.sidebar()
    slide.band()  # on the slide: the models it shows, the playlist's "3/5", Share (a QR code)

    try:
        # A link's query values that the page cannot use reset to defaults with a notice, never a
        # traceback (latentlab/ui/state.py: hostile links).
        run_page(page)
    finally:  # once per server: the imports every other page needs, while the lecturer talks
        from latentlab.ui.loaders import warm_up_in_background

        warm_up_in_background()
