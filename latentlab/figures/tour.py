"""The guided tour's own picture: the reliability plane (the probe z on the density of training codes,
beside g(z)). Its implementation diagram is the Two pictures page's (:mod:`latentlab.figures.network`)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from aecore.analysis.coding import decode_array
from aecore.analysis.projection import view_bounds
from aecore.analysis.words import LOW_DENSITY_HEX
from aecore.models import AutoencoderBase
from latentlab.figures.base import class_color


def _img(flat: np.ndarray, image_shape) -> np.ndarray:
    c, h, w = image_shape
    return np.clip(np.asarray(flat, dtype=np.float32).reshape(c, h, w)[0], 0, 1)[::-1]  # heatmaps draw bottom-up


def _codes_and_probe(fig, codes2d, labels, class_names, z, low: bool, max_points: int) -> None:
    """The training codes (at most ``max_points``, a fixed sample), one trace per class, and the probe
    z as a cross on a white halo (orange-red where the density is low), into the left panel."""
    keep = np.random.default_rng(0).permutation(len(codes2d))[:max_points]
    for c, name in enumerate(class_names):
        idx = keep[labels[keep] == c]
        fig.add_trace(
            go.Scattergl(
                x=codes2d[idx, 0],
                y=codes2d[idx, 1],
                mode="markers",
                name=str(name),
                marker=dict(size=3, color=class_color(c), opacity=0.5),
                hoverinfo="skip",
            ),
            1,
            1,
        )
    # The probe: a white halo under the cross keeps it visible on top of the densest dots. WebGL, like
    # the dots: plotly draws every WebGL trace above every SVG one, so an SVG cross hid under them.
    for size, colour in ((34, "#fff"), (26, LOW_DENSITY_HEX if low else "#000")):
        fig.add_trace(
            go.Scattergl(
                x=[z[0]],
                y=[z[1]],
                mode="markers",
                name="z",
                showlegend=False,
                hoverinfo="skip",
                meta={"role": "probe"},
                marker=dict(symbol="x", size=size, color=colour),
            ),
            1,
            1,
        )


def reliability_figure(
    model: AutoencoderBase,
    codes2d: np.ndarray,
    labels: np.ndarray,
    class_names: list[str],
    density,
    z: np.ndarray,
    image_shape,
    max_points: int = 5000,
) -> go.Figure:
    """Latent plane shaded by code density with the probe z marked, beside the image g(z) and its density."""
    (x0, x1), (y0, y1) = view_bounds(codes2d)
    # Quantile bounds ignore one outlying point: widen them so the probe z is always on the plot.
    mx, my = 0.05 * (x1 - x0), 0.05 * (y1 - y0)
    x0, x1 = min(x0, float(z[0]) - mx), max(x1, float(z[0]) + mx)
    y0, y1 = min(y0, float(z[1]) - my), max(y1, float(z[1]) + my)
    xs, ys, d = density.grid((x0, x1), (y0, y1), 90)
    dz = float(density(z)[0])
    low = bool(density.is_low(dz))
    fig = make_subplots(
        1,
        2,
        column_widths=[0.6, 0.4],
        horizontal_spacing=0.06,
        subplot_titles=(
            "latent plane: dots = training codes, ✕ = z",
            ("g(z): EXTRAPOLATING, few training codes here" if low else "g(z): inside the data, reliable"),
        ),
    )
    fig.add_trace(
        go.Heatmap(
            x=xs,
            y=ys,
            z=np.sqrt(d / (d.max() or 1)),
            showscale=False,
            hoverinfo="skip",
            colorscale=[[0, "rgba(255,255,255,0)"], [1, "rgba(60,60,60,0.6)"]],
        ),
        1,
        1,
    )
    _codes_and_probe(fig, codes2d, labels, class_names, z, low, max_points)
    img = _img(decode_array(model, z)[0], image_shape)
    fig.add_trace(
        go.Heatmap(z=img, colorscale=[[0, "#000"], [1, "#fff"]], showscale=False, zmin=0, zmax=1, hoverinfo="skip"),
        1,
        2,
    )
    fig.update_xaxes(range=[x0, x1], title_text="z₁", row=1, col=1)
    fig.update_yaxes(range=[y0, y1], title_text="z₂", row=1, col=1)
    fig.update_xaxes(visible=False, row=1, col=2)
    fig.update_yaxes(visible=False, scaleanchor="x2", row=1, col=2)
    fig.update_layout(
        height=520,
        margin=dict(l=10, r=10, t=60, b=10),
        plot_bgcolor="white",
        legend=dict(orientation="h", y=-0.16),
        font=dict(size=15),
    )
    if low:
        fig.layout.annotations[1].font = dict(size=17, color=LOW_DENSITY_HEX)
    return fig
