"""The time-lapse film of a toy model's training (:mod:`aecore.analysis.toy`): M at each snapshot's
epoch, played in the browser, and its frames' spacing in words.

Its own concept: frames, a Play button and a slider over snapshots taken while training, each
frame drawn with the manifold view's conventions from :mod:`latentlab.figures.manifold`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from aecore.analysis.manifold import ManifoldView
from latentlab.figures.base import play_controls
from latentlab.figures.manifold import (
    data_traces,
    drawn_grid_index,
    finish,
    segment_coords,
    style_data_axes,
)

# ---------------------------------------------------------------- time-lapse


def timelapse_figure(
    view: ManifoldView,
    m: np.ndarray,
    rel: np.ndarray,
    grid_shape: tuple[int, ...],
    xhat: np.ndarray | None,
    x_sample: np.ndarray | None,
    epoch: int,
    height: int = 600,
) -> go.Figure:
    """One frame: the data, and M (faded by its reliability at that moment) at ``epoch``."""
    dim = view.dim
    frame = ManifoldView(
        dataset=view.dataset,
        k=len(grid_shape),
        dim=dim,
        intrinsic_dim=view.intrinsic_dim,
        grid_z=np.zeros((len(m), len(grid_shape)), np.float32),
        grid_shape=grid_shape,
        m=m,
        density=rel,
        reliability=rel,
        x=x_sample if x_sample is not None else view.x,
        z=np.zeros((0, len(grid_shape))),
        xhat=xhat if xhat is not None else view.xhat,
        t=None,
        codes=view.codes,
        code_lo=view.code_lo,
        code_hi=view.code_hi,
        test_mse=float("nan"),
        x_dist_to_m=float("nan"),
        xhat_dist_to_m=float("nan"),
        resolution=float("nan"),
    )
    fig = go.Figure()
    for tr in data_traces(frame, segments=150, m_name=f"M at epoch {epoch}"):
        fig.add_trace(tr)
    style_data_axes(fig, view.x, dim)
    # Keep the camera/axes identical across frames: uirevision stops plotly resetting the view.
    fig.update_layout(uirevision="timelapse")
    return finish(fig, height, title=f"Epoch {epoch}")


def timelapse_schedule_text(epochs: list[int]) -> str:
    """The film's spacing in words, from the epochs its frames show: "41 frames, at epochs spaced
    logarithmically (0, 1, 2, 3, …, 354, 400): every epoch up to 10, then further apart" (or "one
    every epoch" / "one every 10 epochs" when they are evenly spaced)."""
    n, gaps = len(epochs), np.diff(epochs)
    if n < 2:
        return f"{n} frame, at epoch {epochs[0]}" if n else "no frames"
    if len(set(gaps.tolist())) == 1:
        every = "every epoch" if gaps[0] == 1 else f"every {gaps[0]} epochs"
        return f"{n} frames, one {every} ({epochs[0]} to {epochs[-1]})"
    shown = (
        ", ".join(map(str, epochs[:4])) + ", …, " + ", ".join(map(str, epochs[-2:]))
        if n > 6
        else ", ".join(map(str, epochs))
    )
    if gaps[-1] <= gaps[0]:
        return f"{n} frames, at epochs spaced unevenly ({shown})"
    run = int(np.argmax(gaps != gaps[0]))  # the evenly spaced frames at the start
    start = f": every {'epoch' if gaps[0] == 1 else f'{gaps[0]} epochs'} up to {epochs[run]}, then further apart"
    return f"{n} frames, at epochs spaced logarithmically ({shown}){start if run > 1 else ''}"


def timelapse_animation(
    view: ManifoldView,
    snapshots: list,
    grid_shape: tuple[int, ...],
    x_sample: np.ndarray,
    height: int = 600,
    frame_ms: int = 120,
) -> go.Figure:
    """The whole film in one figure: a frame per snapshot (``aecore.analysis.toy.Snapshot``), a Play /
    Pause button and an epoch slider. The frames go to the browser once and play there, smoothly:
    scrubbing no longer costs a server round trip per step. It opens on the first frame (epoch 0, the
    untrained net), so the class sees the story before its end.

    Every number naming a frame comes from one list, the snapshots' epochs: the frame's name, its
    title "Epoch e" and legend "M at epoch e" (both carried by the frame, so they change with what is
    drawn), and its slider step's label and value (plotly shows every n-th label, as many as fit).

    A frame carries only what moves (the segments x → x̂, M and its fade, x̂), in float32."""
    if view.dim == 3 and len(snapshots) > 21:  # a surface per frame is heavy: every other frame, and the last
        snapshots = snapshots[::2] if len(snapshots) % 2 else snapshots[::2] + [snapshots[-1]]
    epochs = [int(s.epoch) for s in snapshots]  # the one list every label below is read from
    first = snapshots[0]
    fig = go.Figure(
        timelapse_figure(view, first.m, first.reliability, grid_shape, first.xhat, x_sample, epochs[0], height)
    )
    roles = [(t.meta or {}).get("role") for t in fig.data]
    n = min(150, len(x_sample))
    r = lambda a: np.asarray(a, np.float32)  # noqa: E731  (plotly sends typed arrays: float32 halves the frames)

    drawn, _ = drawn_grid_index(grid_shape)  # the grid points the first frame drew (m_traces): (n_drawn,)

    def frame(snap, epoch: int) -> go.Frame:
        data, idx = [], []
        for i, role in enumerate(roles):
            if role == "segments":
                seg = segment_coords(x_sample[:n], snap.xhat[:n])
                data.append(dict(zip("xyz", map(r, seg))))
            elif role == "M-legend":
                data.append(dict(name=f"M at epoch {epoch}"))
            elif role == "M" and fig.data[i].type == "mesh3d":  # the triangles stay; the vertices move
                data.append(dict(zip("xyz", r(snap.m[drawn]).T), intensity=r(snap.reliability[drawn])))
            elif role == "M":
                data.append(dict(zip("xyz", r(snap.m[drawn]).T), marker=dict(color=r(snap.reliability[drawn]))))
            elif role == "xhat":
                data.append(dict(zip("xyz", r(snap.xhat).T)))
            else:
                continue
            idx.append(i)
        return go.Frame(
            name=str(epoch),
            data=[dict(type=fig.data[i].type, **d) for i, d in zip(idx, data)],
            traces=idx,
            layout=dict(title=dict(text=f"Epoch {epoch}")),
        )

    fig.frames = [frame(s, e) for s, e in zip(snapshots, epochs)]
    names = [str(e) for e in epochs]
    # Above the plot, beside the buttons: under it sit the axis title and the legend. The epoch on
    # show is the frame's own title, not the slider's read-out: while playing, plotly moves the slider
    # to the next frame before it has drawn it ("epoch 50" over "M at epoch 40").
    fig.update_layout(
        **play_controls(names, 0, 1.0, True, frame_ms, labels=names, prefix=None),
        title=dict(
            text=f"Epoch {epochs[0]}",
            font=dict(size=22),
            x=0,
            xanchor="left",
            y=1,
            yanchor="top",
            pad=dict(t=8, l=10),
        ),
        margin_t=max(fig.layout.margin.t or 0, 110),
    )
    for step, name in zip(fig.layout.sliders[0].steps, names):
        step.value = name
    return fig
