"""Latent Lab's app: everything beside the library (:mod:`aecore`).

``figures`` builds plotly figures (no Streamlit); ``server`` is what the browser and the server
processes need without Streamlit (plane files, decoder exports, static files, the job queue, the
lecture hall); ``ui`` is everything that imports Streamlit (pages, shared UI helpers, components).
Arrows point down: ui → server, figures → aecore.
"""
