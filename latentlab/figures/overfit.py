"""The figure of the overfitting preset (:mod:`aecore.analysis.overfit`): the few training
points with M early and at the end, beside the training and held-out errors per epoch.

Its own concept, the one figure with a loss curve beside M; M and the data are drawn with the
manifold view's conventions from :mod:`latentlab.figures.manifold`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from aecore.analysis.overfit import OverfitRun
from latentlab.figures.base import LOG_AXIS
from latentlab.figures.manifold import (
    BLUE,
    GREEN,
    GREY,
    SKY,
    VERMILLION,
    data_traces,
    finish,
    style_data_axes,
)

# ---------------------------------------------------------------- overfitting


def overfit_figure(run: OverfitRun, height: int = 520) -> go.Figure:
    """Left: the few training points, held-out points, M early vs M at the end. Right: errors."""
    fig = make_subplots(
        1,
        2,
        column_widths=[0.55, 0.45],
        horizontal_spacing=0.1,
        subplot_titles=("M at the end passes through every training point", "Error per epoch: training vs held-out"),
    )
    v = run.view
    ho = run.x_heldout.numpy()
    fig.add_trace(
        go.Scatter(
            x=ho[:, 0].tolist(),
            y=ho[:, 1].tolist(),
            mode="markers",
            name="held-out points",
            marker=dict(size=6, color=SKY, opacity=0.5),
            meta={"role": "heldout"},
        ),
        1,
        1,
    )
    early = min(run.snapshots)
    em = run.snapshots[early]
    fig.add_trace(
        go.Scatter(
            x=em[:, 0].tolist(),
            y=em[:, 1].tolist(),
            mode="lines",
            name=f"M at epoch {early}",
            line=dict(color=GREEN, width=3, dash="dash"),
            meta={"role": "M-early"},
        ),
        1,
        1,
    )
    for tr in data_traces(v, segments=len(v.x), m_name=f"M at epoch {max(run.snapshots)} (final)"):
        if tr.meta["role"] == "x":
            tr.marker.size, tr.marker.opacity, tr.name = 13, 1.0, f"the {len(v.x)} training points"
        fig.add_trace(tr, 1, 1)
    curves = (
        (run.train_mse, "training error", BLUE, "train"),
        (run.heldout_mse, "held-out error", VERMILLION, "heldout"),
    )
    for y, name, colour, role in curves:
        fig.add_trace(
            go.Scatter(
                x=run.epochs.tolist(),
                y=y.tolist(),
                mode="lines",
                name=name,
                line=dict(color=colour, width=3),
                meta={"role": f"{role}-curve"},
            ),
            1,
            2,
        )
    fig.add_vline(
        x=run.best_epoch,
        line=dict(color=GREY, dash="dot"),
        row=1,
        col=2,
        annotation_text=f"best held-out: epoch {run.best_epoch}",
        annotation_position="bottom right",
    )
    style_data_axes(fig, np.vstack([ho, v.x]), 2, 1, 1, pad=0.15)
    fig.update_xaxes(title_text="epoch", row=1, col=2)
    fig.update_yaxes(title_text="mean squared error (log)", **LOG_AXIS, row=1, col=2, showgrid=True, gridcolor="#eee")
    return finish(fig, height)
