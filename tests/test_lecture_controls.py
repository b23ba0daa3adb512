"""The lecture controls' words without a browser (tests/browser/test_lecture_controls_browser.py
drives them on the slide): the slide's model line, a bookmark's label, the clicker past the
playlist's end. About 3 s."""

from streamlit.testing.v1 import AppTest

from latentlab.ui import playlist
from latentlab.ui.slide import models_line


def test_the_model_line_names_what_the_slide_shows():
    assert models_line([]) == ""  # a page without a model (Train) says nothing
    assert models_line([("mnist-vae-2d", "…")]) == "Model: mnist-vae-2d"
    assert models_line([("mnist-ae-16d", "…"), ("mnist-dae-16d", "…")]) == "Models: mnist-ae-16d, mnist-dae-16d"


def test_a_bookmark_is_labelled_with_the_slides_models_not_the_lecture_model():
    label = playlist._label("Denoising", {"model": "mnist-vae-2d", "dn_k": "16"}, ["mnist-ae-16d", "mnist-dae-16d"])
    assert label == "Denoising · mnist-ae-16d, mnist-dae-16d"
    assert playlist._label("Guided tour", {"step": "3"}, []) == "Guided tour · step 3"


def _clicker_app():
    import streamlit as st

    from latentlab.ui import playlist

    if "_playlist" not in st.session_state:
        playlist.load([{"page": "home", "label": "a", "params": {}}, {"page": "tour", "label": "b", "params": {}}])
    for _ in range(st.session_state.get("presses", 0)):
        playlist.step(1)
    st.session_state["presses"] = 0
    # What the app script's switch_if_asked would open (a switch needs the app's pages).
    st.session_state["opened"] = st.session_state.pop("_playlist_switch", None)


def test_the_clicker_past_the_last_view_stays_and_says_so():
    at = AppTest.from_function(_clicker_app).run()
    at.session_state["presses"] = 2
    at.run()
    assert at.session_state["_playlist_pos"] == 1 and at.session_state["opened"] is not None and not at.toast
    at.session_state["presses"] = 1
    at.run()
    assert at.session_state["_playlist_pos"] == 1  # still the last view
    assert at.session_state["opened"] is None  # and it is not reopened (its state kept)
    assert [t.value for t in at.toast] == ["End of the playlist (2/2)"]
