"""The loss-curve figure (the Train page's live curve, the Manifold page's time-lapse), built without
Streamlit so tests can inspect it. One figure for every loss curve in the app."""

from __future__ import annotations

from collections.abc import Iterable

import plotly.graph_objects as go

from latentlab.figures.base import HUES, LOG_AXIS


def loss_curve(
    history: Iterable[dict],
    height: int = 360,
    title: str = "",
    epoch: float | None = None,
    log: bool = False,
    y_title: str = "loss",
) -> go.Figure:
    """Train and validation loss per epoch from a history (list of dicts with ``epoch``,
    ``train_loss`` and optionally ``val_loss``). An empty history gives empty, labelled axes.

    ``epoch`` draws a dotted line there (the epoch a time-lapse shows); ``log`` a log loss axis
    labelled at whole decades only. Markers on each epoch while there are few enough to read."""
    hist = list(history)
    ep = [h["epoch"] for h in hist]
    mode = "lines+markers" if len(ep) <= 40 else "lines"
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=ep,
            y=[h.get("train_loss") for h in hist],
            mode=mode,
            name="train",
            line=dict(color=HUES[0], width=3),
            marker=dict(size=7),
        )
    )
    if any(h.get("val_loss") is not None for h in hist):
        fig.add_trace(
            go.Scatter(
                x=ep,
                y=[h.get("val_loss") for h in hist],
                mode=mode,
                name="validation",
                line=dict(color=HUES[1], width=3, dash="dash"),
                marker=dict(size=7),
            )
        )
    if epoch is not None:
        fig.add_vline(x=max(epoch, 0.5), line=dict(color="#000000", dash="dot"))
    fig.update_layout(
        title=title,
        height=height,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        plot_bgcolor="white",
        xaxis=dict(title="epoch", showgrid=True, gridcolor="#eee", rangemode="tozero", tickfont=dict(size=14)),
        yaxis=dict(title=y_title, showgrid=True, gridcolor="#eee", tickfont=dict(size=14)),
        legend=dict(font=dict(size=15), orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"),
        font=dict(size=15),
    )
    if log:
        fig.update_yaxes(**LOG_AXIS)
    return fig
