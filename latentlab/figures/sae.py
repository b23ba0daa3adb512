"""Plotly figures of the sparse-autoencoder page (:mod:`aecore.analysis.sae`), built without Streamlit
so tests can inspect them."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from latentlab.figures.base import HUES
from latentlab.figures.demos import _layout

UP, DOWN, BEFORE, AFTER = HUES[0], HUES[5], HUES[8], HUES[0]


def _class_axis(fig: go.Figure, names) -> None:
    """Class names under bars: slanted when they are words (Fashion's "Ankle boot"), so they never overlap."""
    long = max(len(str(n)) for n in names) > 3
    fig.update_xaxes(type="category", tickangle=-35 if long else 0, automargin=True)


def class_effect_figure(effects: np.ndarray, class_names, height: int = 300) -> go.Figure:
    """A feature's pull on each class's logit per unit of activation (its decoder column through the
    classifier's head): blue bars push a class up, vermillion ones down."""
    e = np.asarray(effects, float)
    fig = go.Figure(
        go.Bar(
            x=list(map(str, class_names)),
            y=e,
            marker_color=[UP if v >= 0 else DOWN for v in e],
            hovertemplate="%{x}: %{y:+.2f} logit per unit<extra></extra>",
        )
    )
    _layout(fig, "Classes it pushes up (blue) and down (vermillion)", height, yaxis_title="logit per unit")
    _class_axis(fig, class_names)
    return fig


def activation_histogram_figure(counts: np.ndarray, top: float, n_images: int, height: int = 260) -> go.Figure:
    """How strongly a feature fires on the test images it fires on at all (its nonzero activations)."""
    counts = np.asarray(counts)
    edges = np.linspace(0, max(float(top), 1e-6), len(counts) + 1)
    fig = go.Figure(
        go.Bar(
            x=(edges[:-1] + edges[1:]) / 2,
            y=counts,
            width=np.diff(edges),
            marker_color=UP,
            hovertemplate="activation %{x:.2f}: %{y} images<extra></extra>",
        )
    )
    _layout(
        fig,
        f"Its activations on the {int(counts.sum()):,} of {n_images:,} test images it fires on",
        height,
        xaxis_title="activation",
        yaxis_title="images",
    )
    return fig


def steer_figure(before: np.ndarray, after: np.ndarray, class_names, height: int = 300) -> go.Figure:
    """The classifier's class probabilities for one image, its own layer (grey) and with the feature
    clamped (blue)."""
    names = list(map(str, class_names))
    hover = "%{x}: %{y:.1%}<extra></extra>"
    fig = go.Figure(
        [
            go.Bar(name="own layer", x=names, y=before, marker_color=BEFORE, hovertemplate=hover),
            go.Bar(name="clamped", x=names, y=after, marker_color=AFTER, hovertemplate=hover),
        ]
    )
    _layout(fig, "The classifier's probabilities", height, barmode="group", yaxis_title="probability")
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    _class_axis(fig, class_names)
    fig.update_layout(legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    return fig


def probing_figure(rows: list[dict], height: int = 340) -> go.Figure:
    """The sparse-probing table as lines: balanced accuracy against k per basis, seeds' spread as bars."""
    colours = {"SAE features": HUES[0], "neurons": HUES[1], "random directions": HUES[8]}
    fig = go.Figure()
    for basis in dict.fromkeys(r["basis"] for r in rows):
        rs = sorted((r for r in rows if r["basis"] == basis), key=lambda r: r["k"])
        fig.add_trace(
            go.Scatter(
                x=[r["k"] for r in rs],
                y=[r["mean"] for r in rs],
                error_y=dict(type="data", array=[r["std"] for r in rs], visible=True),
                mode="lines+markers",
                name=basis,
                line=dict(color=colours.get(basis)),
                hovertemplate=basis + ", k = %{x}: %{y:.3f}<extra></extra>",
            )
        )
    _layout(
        fig,
        "Sparse probing: one class vs the rest from k directions",
        height,
        xaxis_title="k (directions per class)",
        yaxis_title="balanced accuracy",
    )
    fig.update_xaxes(type="log", tickvals=sorted({r["k"] for r in rows}))
    return fig
