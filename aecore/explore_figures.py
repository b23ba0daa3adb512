"""Plotly figures of the latent explorer (no Streamlit, so tests can inspect them).

The scatter has three layers, bottom to top:
  1. optional density shading (a heat map plus a dashed contour at the low-density threshold);
  2. an invisible dense grid of markers: Streamlit's plotly selection only reports existing
     points, so this grid is what makes a click on *empty* space decodable;
  3. the encoded examples, one ``Scattergl`` trace per class.

No ``customdata``: the figure is re-sent to the browser on every click (the fragment reruns), so
every byte counts. ``layout.meta`` says which curve is the grid and which class each data curve
holds; ``explore.parse_click`` maps (curve, point index) back to a row.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .explore import click_grid
from .figures import class_color

GRID_NAME = "click grid"
# Keep every marker exactly as drawn when plotly styles a selection: no dimming of the other
# points after a click (which would flash the whole scatter grey in a lecture).
_KEEP = dict(marker=dict(opacity=None))


def explorer_scatter(codes2d: np.ndarray, labels: np.ndarray, class_names: list[str], x_range, y_range,
                     grid_res: int = 120, density_grid=None, threshold: float | None = None,
                     rect=None, ab=None, axis_titles=("z₁", "z₂"), marker_size: float = 4.0,
                     opacity: float = 0.7, height: int = 640, equal_axes: bool = True) -> go.Figure:
    """The explorer's clickable latent plane.

    ``density_grid`` = ``(xs, ys, d)`` from ``CodeDensity.grid`` shades the plane (darker = more
    training codes); ``threshold`` draws the "reliable region" boundary. ``rect`` =
    ``((x0, x1), (y0, y1))`` outlines the manifold grid's rectangle; ``ab`` = ``(p_a, p_b)`` marks
    the interpolation end points.
    """
    codes2d = np.asarray(codes2d)
    labels = np.asarray(labels)
    fig = go.Figure()
    if density_grid is not None:
        xs, ys, d = density_grid
        dmax = float(d.max()) or 1.0
        shade_z = np.sqrt(d / dmax).astype(np.float32)  # float32: half the bytes of the default float64
        # sqrt compresses the range so the sparse halo stays visible next to the dense cores.
        fig.add_trace(go.Heatmap(
            x=xs.astype(np.float32), y=ys.astype(np.float32), z=shade_z, colorscale=[[0, "rgba(255,255,255,0)"], [1, "rgba(60,60,60,0.55)"]],
            showscale=False, hoverinfo="skip", name="code density", zsmooth="best",
        ))
        if threshold is not None and threshold > 0:
            t = float(np.sqrt(threshold / dmax))
            fig.add_trace(go.Contour(
                x=xs.astype(np.float32), y=ys.astype(np.float32), z=shade_z, contours=dict(start=t, end=t, size=1, coloring="none"),
                line=dict(color="#D55E00", width=2, dash="dash"), showscale=False, hoverinfo="skip",
                name="reliable region boundary", showlegend=False,
            ))
    g = click_grid(x_range, y_range, grid_res)  # (res², 2)
    meta = {"grid_curve": len(fig.data), "class_curves": {}}
    fig.add_trace(go.Scattergl(
        x=g[:, 0], y=g[:, 1], mode="markers", name=GRID_NAME, showlegend=False,
        marker=dict(size=6, color="rgba(0,0,0,0)"),
        # hoverinfo "none" (not "skip"): the grid must still produce click events, silently.
        hoverinfo="none",
        selected=dict(marker=dict(color="rgba(0,0,0,0)")), unselected=dict(marker=dict(color="rgba(0,0,0,0)")),
    ))
    for c, name in enumerate(class_names):
        idx = np.flatnonzero(labels == c)
        if not len(idx):
            continue
        meta["class_curves"][str(len(fig.data))] = c
        fig.add_trace(go.Scattergl(
            x=codes2d[idx, 0].astype(np.float32), y=codes2d[idx, 1].astype(np.float32), mode="markers", name=str(name),
            marker=dict(size=marker_size, color=class_color(c), opacity=opacity),
            selected=dict(marker=dict(opacity=1.0, size=max(10.0, marker_size * 2.5))),
            unselected=dict(marker=dict(opacity=opacity)),
            hovertemplate=f"<b>{name}</b><br>(%{{x:.2f}}, %{{y:.2f}})<br>click: x and x̂<extra></extra>",
        ))
    if ab is not None:
        for p, lab, col in ((ab[0], "A", "#000000"), (ab[1], "B", "#000000")):
            if p is None:
                continue
            fig.add_trace(go.Scatter(
                x=[p[0]], y=[p[1]], mode="markers+text", text=[lab], textposition="top center",
                textfont=dict(size=18, color=col), marker=dict(symbol="diamond", size=13, color=col),
                showlegend=False, hoverinfo="skip", name=f"end {lab}",
            ))
        if ab[0] is not None and ab[1] is not None:
            fig.add_shape(type="line", x0=ab[0][0], y0=ab[0][1], x1=ab[1][0], y1=ab[1][1],
                          line=dict(color="#000000", width=2, dash="dot"))
    if rect is not None:
        (x0, x1), (y0, y1) = rect
        fig.add_shape(type="rect", x0=x0, x1=x1, y0=y0, y1=y1, line=dict(color="#0072B2", width=2, dash="dash"))
    fig.update_layout(
        meta=meta, height=height, margin=dict(l=10, r=10, t=30, b=10), dragmode="pan", clickmode="event+select",
        # A horizontal legend under the plot leaves the full width to the (equal-axis) plane.
        legend=dict(itemsizing="constant", font=dict(size=15), orientation="h", x=0, y=-0.1, yanchor="top"), plot_bgcolor="white", hovermode="closest",
        # constrain="domain": equal axes shrink the plot area instead of widening a range, so the
        # visible plane is exactly the rectangle the click grid covers (no dead zones at the edges).
        xaxis=dict(title=axis_titles[0], range=list(x_range), showgrid=True, gridcolor="#eee", zeroline=False,
                   constrain="domain"),
        yaxis=dict(title=axis_titles[1], range=list(y_range), showgrid=True, gridcolor="#eee", zeroline=False,
                   constrain="domain", **(dict(scaleanchor="x", scaleratio=1) if equal_axes else {})),
        font=dict(size=15),
    )
    return fig


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
