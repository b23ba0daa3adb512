"""Plotly figures of the Train page (loss curves), built without Streamlit so tests can inspect them.

Kept apart from ``figures.py`` so the Train page's pieces live together; uses the same palette.
"""

from __future__ import annotations

from collections.abc import Iterable

import plotly.graph_objects as go

from .figures import PALETTE


def loss_curve(history: Iterable[dict], height: int = 360, title: str = "") -> go.Figure:
    """Train and validation loss per epoch from a history (list of dicts with ``epoch``,
    ``train_loss`` and optionally ``val_loss``). An empty history gives empty, labelled axes."""
    hist = list(history)
    ep = [h["epoch"] for h in hist]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=ep,
            y=[h.get("train_loss") for h in hist],
            mode="lines+markers",
            name="train",
            line=dict(color=PALETTE[0], width=3),
            marker=dict(size=7),
        )
    )
    if any(h.get("val_loss") is not None for h in hist):
        fig.add_trace(
            go.Scatter(
                x=ep,
                y=[h.get("val_loss") for h in hist],
                mode="lines+markers",
                name="validation",
                line=dict(color=PALETTE[1], width=3, dash="dash"),
                marker=dict(size=7),
            )
        )
    fig.update_layout(
        title=title,
        height=height,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        plot_bgcolor="white",
        xaxis=dict(title="epoch", showgrid=True, gridcolor="#eee", rangemode="tozero", tickfont=dict(size=14)),
        yaxis=dict(title="loss", showgrid=True, gridcolor="#eee", tickfont=dict(size=14)),
        legend=dict(font=dict(size=15), orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"),
        font=dict(size=15),
    )
    return fig
