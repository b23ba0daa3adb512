"""Plotly figures of the Disentanglement page (:mod:`aecore.analysis.factors`), built without Streamlit so
tests can inspect them."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from latentlab.figures.base import HUES
from latentlab.figures.demos import _layout

#: One colour per objective, in :data:`aecore.analysis.factors.OBJECTIVES`' order.
OBJECTIVE_COLOURS = (HUES[8], HUES[0], HUES[5], HUES[2])


def mi_heatmap_figure(mi: np.ndarray, factor_names, height: int = 420, font: int = 18) -> go.Figure:
    """Each latent dimension's mutual information with each factor, as a share of the factor's entropy
    ``(k, F)``: one row per dimension (z1 on top), one column per factor, the value written in the cell."""
    mi = np.asarray(mi, float)
    k = mi.shape[0]
    rows = [f"z{j + 1}" for j in range(k)]
    fig = go.Figure(
        go.Heatmap(
            z=mi,
            x=[str(n).replace(" ", "<br>") for n in factor_names],  # "x<br>position": the labels never collide
            y=rows,
            zmin=0,
            zmax=1,
            colorscale="Blues",
            showscale=False,
            text=[[f"{v:.2f}" for v in r] for r in mi],
            texttemplate="%{text}",
            textfont=dict(size=font),
            hovertemplate="%{y}: %{z:.2f} of the factor's information<extra></extra>",
        )
    )
    _layout(fig, "Share of each factor's information", height)
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=font), showgrid=False)
    fig.update_xaxes(tickfont=dict(size=font), showgrid=False, side="bottom", tickangle=0)
    fig.update_layout(margin=dict(l=10, r=10, t=50, b=10))
    return fig


def traversal_figure(grid: np.ndarray, labels: list[str], height: int = 420, font: int = 18) -> go.Figure:
    """A traversal's image grid (uint8, one row per dimension, as tiled by
    :func:`aecore.analysis.coding.image_grid`) with each row's label at its left."""
    img = np.asarray(grid)
    if img.ndim == 2:  # grey: plotly's Image wants RGB
        img = np.repeat(img[..., None], 3, axis=2)
    h = img.shape[0]
    n = len(labels)
    centres = [(r + 0.5) * h / n for r in range(n)]
    fig = go.Figure(go.Image(z=img, hoverinfo="skip"))
    _layout(fig, "Each dimension swept from −3σ to +3σ, the others held", height)
    fig.update_yaxes(tickvals=centres, ticktext=labels, tickfont=dict(size=font), showgrid=False, ticks="")
    fig.update_xaxes(visible=False, showgrid=False)
    fig.update_layout(margin=dict(l=10, r=10, t=50, b=10))
    return fig


def study_figure(study, metric: str = "mig", label: str = "MIG", height: int = 360) -> go.Figure:
    """One dot per objective × seed (the seed written beside it) and each objective's mean as a bar: how
    far the seed moves the score, against how far the objective does."""
    from aecore.analysis.factors import OBJECTIVES

    fig = go.Figure()
    for (o, name), colour in zip(OBJECTIVES.items(), OBJECTIVE_COLOURS, strict=True):
        rows = [r for r in study.rows if r.objective == o]
        if not rows:
            continue
        vals = [getattr(r, metric) for r in rows]
        fig.add_trace(
            go.Bar(
                x=[name],
                y=[float(np.mean(vals))],
                marker_color=colour,
                opacity=0.35,
                showlegend=False,
                hovertemplate=f"{name}: mean {label} %{{y:.3f}}<extra></extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[name] * len(rows),
                y=vals,
                mode="markers+text",
                marker=dict(color=colour, size=13, line=dict(color="white", width=1)),
                text=[f"seed {r.seed}" for r in rows],
                textposition="middle right",
                textfont=dict(size=18),  # a slide's smallest readable size (the presenter check's)
                cliponaxis=False,  # the last column's labels reach past the plot's edge
                showlegend=False,
                hovertemplate=[
                    f"{name}, seed {r.seed}: {label} {v:.3f}<extra></extra>" for r, v in zip(rows, vals, strict=True)
                ],
            )
        )
    _layout(fig, f"{label} by objective and seed (bars: means)", height, yaxis_title=label)
    fig.update_xaxes(type="category")
    fig.update_layout(margin=dict(r=70))
    return fig
