"""Latent diffusion, drawn: a flow prior's draws leaving N(0, I) noise and flowing onto a 2-D AE's
codes, with the pictures the first few of them decode to at each moment (:func:`flow_film_figure`).

The frames go to the browser once and play there (Play / Pause and a slider), as the Manifold page's
time-lapse does; a frame carries only what moves, in float32.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from aecore.analysis.sampling import FlowFilm
from latentlab.figures.base import play_controls

#: The codes under the film, the moving draws and the followed ones.
CODE_GREY, DRAW_COLOUR, FOLLOWED = "#B8B8B8", "#D55E00", "#000000"  # grey, vermillion, black


def _strip(images: np.ndarray, image_shape: tuple[int, ...], gap: int = 2) -> np.ndarray:
    """The pictures ``(m, D)`` of one frame side by side, ``gap`` blank pixels apart: ``(H, m·(W+gap))``."""
    _, h, w = image_shape
    cells = [np.pad(im.reshape(h, w), ((0, 0), (0, gap)), constant_values=np.nan) for im in images]
    return np.concatenate(cells, 1)[::-1]  # plotly's heatmap puts row 0 at the bottom


def _frame_title(t: float) -> str:
    what = (
        " (noise: ε ~ N(0, I), at the codes' mean and spread)" if t == 0 else " (the prior's draws)" if t >= 1 else ""
    )
    return f"t = {t:.2f}{what}"


def flow_film_figure(
    film: FlowFilm, codes: np.ndarray, image_shape: tuple[int, ...], height: int = 640, frame_ms: int = 160
) -> go.Figure:
    """The film: on top the plane, the AE's codes (grey), the draws (vermillion) and the followed
    ones (black, numbered); under it what the followed draws decode to, frame by frame."""
    sub = codes[:: max(1, len(codes) // 4000)]  # (≤ 4000·2, 2) the codes under the film
    fig = _first_frame(film, sub, image_shape)
    m = film.images.shape[1]
    names = [f"{t:.2f}" for t in film.t]
    fig.frames = [
        go.Frame(
            name=name,
            data=[
                dict(type="scatter", x=_f32(p[:, 0]), y=_f32(p[:, 1])),
                dict(type="scatter", x=_f32(p[:m, 0]), y=_f32(p[:m, 1])),
                dict(type="heatmap", z=_f32(_strip(ims, image_shape))),
            ],
            traces=[1, 2, 3],
            layout=dict(title=dict(text=_frame_title(float(t)))),
        )
        for name, t, p, ims in zip(names, film.t, film.points, film.images)
    ]
    fig.update_layout(
        **play_controls(names, 0, 1.0, True, frame_ms, labels=names, prefix=None),
        height=height,
        title=dict(
            text=_frame_title(0.0), font=dict(size=22), x=0, xanchor="left", y=1, yanchor="top", pad=dict(t=8, l=10)
        ),
        margin=dict(t=110, l=50, r=20, b=60),
        legend=dict(orientation="h", y=-0.09, yanchor="top", font=dict(size=14)),
        plot_bgcolor="white",
    )
    for step, name in zip(fig.layout.sliders[0].steps, names):
        step.value = name
    return fig


def _f32(a) -> np.ndarray:
    return np.asarray(a, np.float32)  # plotly sends typed arrays: float32 halves the frames


def _first_frame(film: FlowFilm, sub: np.ndarray, image_shape: tuple[int, ...]) -> go.Figure:
    """The figure at t = 0: codes, draws, followed draws (traces 0-2, row 1) and their pictures (3, row 2),
    with axes that hold every frame."""
    m, p0 = film.images.shape[1], film.points[0]
    labels = [str(i + 1) for i in range(m)]
    fig = make_subplots(rows=2, cols=1, row_heights=[0.74, 0.26], vertical_spacing=0.13)
    traces = [
        # SVG, not WebGL: plotly draws its WebGL layer above every SVG trace, so the codes covered the
        # followed draws' discs. ≤ 4,000 static points; the frames redraw only the draws.
        go.Scatter(
            x=_f32(sub[:, 0]),
            y=_f32(sub[:, 1]),
            mode="markers",
            name="the AE's codes",
            marker=dict(size=3, color=CODE_GREY),
            hoverinfo="skip",
        ),
        go.Scatter(
            x=_f32(p0[:, 0]),
            y=_f32(p0[:, 1]),
            mode="markers",
            name="draws, carried by the flow",
            marker=dict(size=5, color=DRAW_COLOUR, opacity=0.8),
            hoverinfo="skip",
        ),
        go.Scatter(
            x=_f32(p0[:m, 0]),
            y=_f32(p0[:m, 1]),
            mode="markers+text",
            text=labels,
            textposition="middle center",
            name="followed draws (pictures below)",
            # A white disc with a thick ring and its number inside: it stands out against the grey codes
            # and the vermillion draws on a projector (a thin empty ring was lost among them).
            textfont=dict(size=18, color=FOLLOWED, family="Arial Black, sans-serif"),  # a slide's smallest type
            marker=dict(size=30, color="white", line=dict(width=3, color=FOLLOWED)),
        ),
    ]
    for tr in traces:
        fig.add_trace(tr, row=1, col=1)
    fig.add_trace(
        go.Heatmap(
            z=_f32(_strip(film.images[0], image_shape)),
            colorscale="gray",  # white strokes on black, as every picture in the app
            zmin=0,
            zmax=1,
            showscale=False,
            hoverinfo="skip",
            name="g(z) of the followed draws",
        ),
        row=2,
        col=1,
    )
    lo = np.minimum(film.points.reshape(-1, 2).min(0), sub.min(0))
    hi = np.maximum(film.points.reshape(-1, 2).max(0), sub.max(0))
    pad = 0.05 * (hi - lo)
    fig.update_xaxes(range=[lo[0] - pad[0], hi[0] + pad[0]], title_text="z₁", row=1, col=1)
    fig.update_yaxes(range=[lo[1] - pad[1], hi[1] + pad[1]], title_text="z₂", row=1, col=1)
    w = image_shape[2] + 2
    fig.update_xaxes(
        tickvals=[i * w + image_shape[2] / 2 for i in range(m)], ticktext=labels, showgrid=False, row=2, col=1
    )
    fig.update_yaxes(visible=False, scaleanchor="x2", row=2, col=1)
    return fig
