"""Figures of PCA as a model (:mod:`aecore.analysis.pca`): a linear AE's M over the PCA subspace
of the same dimension, a linear AE beside a nonlinear one, and the change of basis between their codes.

A concept of its own beside the manifold view it draws over: the view's conventions (colours,
traces, axes) come from :mod:`latentlab.figures.manifold`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from aecore.analysis.manifold import ManifoldView
from aecore.analysis.pca import LinearVsPCA, pca_segment
from latentlab.figures.manifold import (
    GREEN,
    M_COLOR,
    bounds,
    data_traces,
    dim_word,
    finish,
    grid_mesh,
    scatter,
    style_data_axes,
    xy,
)

# ---------------------------------------------------------------- linear AE vs PCA


def linear_pca_figure(view: ManifoldView, lp: LinearVsPCA, height: int = 560) -> go.Figure:
    """The linear AE's M (vermillion) drawn over the PCA subspace of the same dimension (green)."""
    dim, k = view.dim, view.k
    fig = go.Figure()
    # The PCA subspace is flat: its corners (or ends) draw it exactly, and a 3-D scene pays per vertex.
    pts, shape = pca_segment(lp.pca, view.x, n=2)
    if k == 2 and dim == 3:
        fig.add_trace(
            grid_mesh(
                pts.reshape(*shape, 3),  # (2, 2, 3): the plane's corners
                color=GREEN,
                opacity=0.35,
                name="PCA plane",
                showlegend=True,
                meta={"role": "pca"},
                hoverinfo="skip",
            )
        )
    else:
        fig.add_trace(
            scatter(
                dim,
                mode="lines",
                **xy(pts),
                name=f"PCA subspace ({dim_word(k)})",
                line=dict(color=GREEN, width=14),
                opacity=0.45,
                meta={"role": "pca"},
                hoverinfo="skip",
            )
        )
    for tr in data_traces(view, segments=120, m_name="linear AE's M (faded where extrapolated)"):
        fig.add_trace(tr)
    if k == 2 and dim == 3:  # AE's M as a wire mesh, so the green plane shows through it
        g = view.m_grid()
        n = g.shape[0]
        rows = [g[i] for i in range(0, n, 6)] + [g[:, j] for j in range(0, n, 6)]
        xs, ys, zs = [], [], []
        for r in rows:
            xs += r[:, 0].tolist() + [None]
            ys += r[:, 1].tolist() + [None]
            zs += r[:, 2].tolist() + [None]
        fig.add_trace(
            go.Scatter3d(
                x=xs,
                y=ys,
                z=zs,
                mode="lines",
                line=dict(color=M_COLOR, width=3),
                name="linear AE's M (grid lines of constant z)",
                meta={"role": "M-mesh"},
                hoverinfo="skip",
            )
        )
    fig.update_layout(title=f"Angle between the subspaces: {lp.max_angle:.2f}°")
    if dim == 2:
        b = bounds(view.x)
        fig.update_xaxes(range=b[0], title_text="x₁", showgrid=True, gridcolor="#eee", zeroline=False)
        fig.update_yaxes(
            range=b[1], title_text="x₂", scaleanchor="x", scaleratio=1, showgrid=True, gridcolor="#eee", zeroline=False
        )
    else:
        style_data_axes(fig, view.x, 3, None, None)
    return finish(fig, height, title=f"Angle between the subspaces: {lp.max_angle:.2f}°")


def contrast_figure(linear: ManifoldView, nonlinear: ManifoldView, height: int = 500) -> go.Figure:
    """Parabola: a linear AE (a straight line, big errors) beside a nonlinear one (bends with it)."""
    titles = (
        f"Linear AE: M is a straight line · MSE {linear.test_mse:.4f}",
        f"Nonlinear AE: M bends · MSE {nonlinear.test_mse:.4f}",
    )
    fig = make_subplots(1, 2, subplot_titles=titles, horizontal_spacing=0.06)
    for c, v in enumerate((linear, nonlinear), start=1):
        for tr in data_traces(v, segments=150, showlegend=c == 1):
            fig.add_trace(tr, row=1, col=c)
        style_data_axes(fig, np.vstack([linear.x, nonlinear.x]), 2, 1, c)
    return finish(fig, height)


def matrix_latex(b: np.ndarray, c: np.ndarray) -> str:
    """``s = B^T z + c`` in LaTeX, with B and c written out (the change of basis AE codes → PCA)."""
    k = b.shape[0]

    def mat(rows):
        return r"\begin{pmatrix}" + r"\\".join(" & ".join(f"{v:+.3f}" for v in r) for r in rows) + r"\end{pmatrix}"

    zs = r"\begin{pmatrix}" + r"\\".join(f"z_{i + 1}" for i in range(k)) + r"\end{pmatrix}"
    ss = r"\begin{pmatrix}" + r"\\".join(f"s_{i + 1}" for i in range(k)) + r"\end{pmatrix}"
    return ss + r" \approx " + mat(b.T) + zs + " + " + mat(c[:, None])
