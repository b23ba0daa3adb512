"""Plotly figures of the latent explorer (no Streamlit, so tests can inspect them).

The explorer's scatter itself is the latent-plane component (``latentlab/ui/components/latent_plane``, data from
:mod:`latentlab.server.plane`): a plotly figure of 60,000 points was re-sent on every click.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from latentlab.figures.base import play_controls


def density_path_figure(t: np.ndarray, density: np.ndarray, threshold: float, height: int = 220) -> go.Figure:
    """Code density along an interpolation path, with the low-density threshold as a dashed line
    and the extrapolating frames marked in vermillion.

    Built in one constructor call from plain dicts: plotly validates every ``add_*``/``update_*``
    call separately, and the step-by-step version cost ~45 ms of every explorer page run (with 30
    students on one laptop, that queued their clicks; bench/load_test.py)."""
    t = np.asarray(t, np.float64)
    density = np.asarray(density, np.float64)
    low = density < threshold
    data = [
        dict(
            type="scatter",
            x=t,
            y=density,
            mode="lines+markers",
            name="code density",
            line=dict(color="#0072B2", width=3),
            marker=dict(size=8),
        )
    ]
    if low.any():
        data.append(
            dict(
                type="scatter",
                x=t[low],
                y=density[low],
                mode="markers",
                name="extrapolating",
                marker=dict(size=12, color="#D55E00", symbol="x"),
            )
        )
    layout = dict(
        height=height,
        margin=dict(l=10, r=10, t=10, b=10),
        plot_bgcolor="white",
        xaxis=dict(title=dict(text="position along the path (A = 0, B = 1)"), gridcolor="#eee"),
        yaxis=dict(title=dict(text="density"), gridcolor="#eee", rangemode="tozero"),
        font=dict(size=15),
        legend=dict(orientation="h", y=1.15),
        # The threshold: a dashed line across the whole plot width, labelled above its left end.
        shapes=[
            dict(
                type="line",
                xref="x domain",
                x0=0,
                x1=1,
                yref="y",
                y0=threshold,
                y1=threshold,
                line=dict(color="#D55E00", dash="dash"),
            )
        ],
        annotations=[
            dict(
                xref="x domain",
                x=0,
                yref="y",
                y=threshold,
                text="few training codes below this",
                showarrow=False,
                xanchor="left",
                yanchor="bottom",
            )
        ],
    )
    return go.Figure(data=data, layout=layout)


def interpolation_animation(
    images: np.ndarray, image_shape, t: np.ndarray, low: np.ndarray, frame_ms: int = 160, height: int = 360
) -> go.Figure:
    """The A → B walk as a film: one frame per decoded image ``(steps, D)`` (grey images only), with
    Play / Pause and a slider. The frames go to the browser once and play there; a frame where g
    extrapolates says so in its title."""
    c, h, w = image_shape
    frames = np.asarray(images, np.float32).reshape(len(images), c, h, w)[:, 0, ::-1]  # (steps, H, W), y up

    def title(i: int) -> str:
        return f"t = {t[i]:.2f}" + ("  ·  extrapolating" if low[i] else "")

    heat = dict(colorscale=[[0, "#000"], [1, "#fff"]], zmin=0, zmax=1, showscale=False, hoverinfo="skip")
    fig = go.Figure(go.Heatmap(z=frames[0], **heat))
    fig.frames = [
        go.Frame(name=str(i), data=[go.Heatmap(z=f)], layout=dict(title_text=title(i))) for i, f in enumerate(frames)
    ]
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=40, b=70),
        title=dict(text=title(0), x=0.5, font=dict(size=16)),
        xaxis=dict(visible=False, constrain="domain"),
        yaxis=dict(visible=False, scaleanchor="x"),
        plot_bgcolor="white",
        **play_controls([str(i) for i in range(len(frames))], 0, -0.02, False, frame_ms, pause_label="❚❚", font=16),
    )
    return fig


def class_share_figure(counts, class_names: list[str], height: int = 220) -> go.Figure:
    """A selection's class histogram: one bar per class present, in the plane's class colours, with its
    share of the selection written on it."""
    from latentlab.figures.base import class_color

    counts = np.asarray(counts, np.int64)
    present = [c for c in range(len(counts)) if counts[c]]
    total = max(1, int(counts.sum()))
    return go.Figure(
        data=[
            dict(
                type="bar",
                x=[str(class_names[c]) for c in present],
                y=[int(counts[c]) for c in present],
                marker=dict(color=[class_color(c) for c in present]),
                text=[f"{counts[c] / total:.0%}" for c in present],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{x}: %{y} examples<extra></extra>",
            )
        ],
        layout=dict(
            height=height,
            margin=dict(l=40, r=10, t=24, b=30),
            xaxis=dict(type="category", title=None),
            yaxis=dict(title="examples", rangemode="tozero"),
            showlegend=False,
        ),
    )
