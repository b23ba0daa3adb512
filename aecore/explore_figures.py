"""Plotly figures of the latent explorer (no Streamlit, so tests can inspect them).

The explorer's scatter itself is the latent-map component (``components/latent_map``, data from
:mod:`aecore.latent_map`): a plotly figure of 60,000 points was re-sent on every click.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go



def density_path_figure(t: np.ndarray, density: np.ndarray, threshold: float, height: int = 220) -> go.Figure:
    """Code density along an interpolation path, with the low-density threshold as a dashed line
    and the extrapolating frames marked in vermillion."""
    t = np.asarray(t)
    density = np.asarray(density)
    low = density < threshold
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=t, y=density, mode="lines+markers", name="code density",
                             line=dict(color="#0072B2", width=3), marker=dict(size=8)))
    if low.any():
        fig.add_trace(go.Scatter(x=t[low], y=density[low], mode="markers", name="extrapolating",
                                 marker=dict(size=12, color="#D55E00", symbol="x")))
    fig.add_hline(y=threshold, line=dict(color="#D55E00", dash="dash"),
                  annotation_text="few training codes below this", annotation_position="top left")
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10), plot_bgcolor="white",
                      xaxis=dict(title="position along the path (A = 0, B = 1)", gridcolor="#eee"),
                      yaxis=dict(title="density", gridcolor="#eee", rangemode="tozero"),
                      font=dict(size=15), legend=dict(orientation="h", y=1.15))
    return fig
