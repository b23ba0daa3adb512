"""Latent Lab: see what an autoencoder learns.  Run with ``streamlit run app.py``."""
import streamlit as st

st.set_page_config(page_title="Latent Lab", page_icon="🧭", layout="wide")

from pages.common import apply_theme  # noqa: E402  (after set_page_config)

apply_theme()

# One list, one place: every page of the app, in lecture order.
PAGES = {
    "Explore": [
        st.Page("pages/home.py", title="Latent map", icon="🗺️", url_path="home", default=True),
        st.Page("pages/explorer.py", title="Latent explorer", icon="🔍", url_path="explorer"),
        st.Page("pages/drag.py", title="Drag to decode", url_path="drag"),
        st.Page("pages/manifold.py", title="Manifold", icon="🌀", url_path="manifold"),
    ],
    "Demos": [
        st.Page("pages/denoise.py", title="Denoising", icon="🧽", url_path="denoise"),
        st.Page("pages/sampling.py", title="Sampling: VAE vs AE", icon="🎲", url_path="sampling"),
        st.Page("pages/anomaly.py", title="Anomalies", icon="🚨", url_path="anomaly"),
    ],
    "Models": [
        st.Page("pages/train.py", title="Train", icon="🏋️", url_path="train"),
        st.Page("pages/library.py", title="Model library", icon="📚", url_path="library"),
    ],
    "Lecture": [
        st.Page("pages/tour.py", title="Guided tour", icon="🎓", url_path="tour"),
    ],
}

st.navigation(PAGES).run()
