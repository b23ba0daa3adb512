"""The guided tour's own pictures: the reliability plane (the probe z on the density of training codes,
beside g(z)), and a bottleneck code beside a sparse autoencoder's code (step 14). Its implementation
diagram is the Two pictures page's (:mod:`latentlab.figures.network`)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from aecore.analysis.coding import decode_array
from aecore.analysis.projection import view_bounds
from aecore.analysis.words import LOW_DENSITY_HEX
from aecore.models import AutoencoderBase
from latentlab.figures.base import HUES, class_color


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


def bottleneck_vs_sparse_figure(
    ae_code: np.ndarray, sae_code: np.ndarray, ae_name: str, sae_stats, ae_mse: float, input_dim: int, height: int = 520
) -> go.Figure:
    """Two codes of one image, side by side: its ``k``-D AE code ``(k,)`` (a bottleneck: every number
    used) and the SAE's features ``(F,)`` of the image's classifier layer (overcomplete: few non-zero),
    each titled with what it reconstructs and how well (``sae_stats``: :class:`aecore.analysis.sae.SAEStats`)."""
    ae_code, sae_code = np.asarray(ae_code, float), np.asarray(sae_code, float)
    on = np.flatnonzero(sae_code > 0)
    fig = make_subplots(
        1,
        2,
        column_widths=[0.25, 0.75],
        horizontal_spacing=0.1,
        subplot_titles=(
            f"{ae_name}: {len(ae_code)} numbers<br>for {input_dim} pixels (MSE {ae_mse:.3f})",
            f"Sparse AE: {len(on)} of {len(sae_code):,} numbers non-zero<br>for a 128-number layer "
            f"(FVE {sae_stats.fve:.0%} on the test set)",
        ),
    )
    fig.add_trace(
        go.Bar(
            x=[f"z{j + 1}" for j in range(len(ae_code))],
            y=ae_code,
            marker_color=HUES[1],
            hovertemplate="%{x} = %{y:.2f}<extra></extra>",
            showlegend=False,
        ),
        1,
        1,
    )
    # Every feature on the axis (zeros as a flat line), the firing ones as stems with dots.
    fig.add_trace(
        go.Scatter(
            x=np.arange(len(sae_code)),
            y=sae_code,
            mode="lines",
            line=dict(color=HUES[8], width=1),
            hoverinfo="skip",
            showlegend=False,
        ),
        1,
        2,
    )
    fig.add_trace(
        go.Scatter(
            x=on,
            y=sae_code[on],
            mode="markers",
            marker=dict(color=HUES[0], size=9),
            hovertemplate="feature #%{x}: %{y:.2f}<extra></extra>",
            showlegend=False,
        ),
        1,
        2,
    )
    fig.update_layout(height=height, plot_bgcolor="white", margin=dict(l=10, r=10, t=80, b=10), font=dict(size=16))
    fig.update_xaxes(title_text="latent dimension", row=1, col=1)
    fig.update_xaxes(title_text="feature # (of the SAE's dictionary)", range=[-10, len(sae_code) + 10], row=1, col=2)
    fig.update_yaxes(title_text="value", row=1, col=1)
    fig.update_yaxes(title_text="activation", row=1, col=2)
    return fig
