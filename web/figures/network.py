"""The implementation picture as a figure: the network drawn to scale, one column per layer.

Each column is a heatmap of its units, one cell per unit, coloured by this input's activation, and
as tall as the layer is wide (784 pixels, 512, 256, 2, …): the familiar hourglass, but with the
numbers torch computed for this one x (:func:`aecore.analysis.network.activations`). Grey bands
join neighbouring columns, as the usual diagram's layers do.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from aecore.analysis.network import Layer

#: Colours: hidden units from dark (0) to bright; the code, and data that are not pictures, diverging
#: around 0; pictures as grey levels, as the images beside them (white ink on black).
_SCALES = {"input": "RdBu", "output": "RdBu", "hidden": "viridis", "code": "RdBu"}


def _scale(ly: Layer) -> str:
    return "gray" if ly.role in ("input", "output") and len(ly.shape) == 3 else _SCALES[ly.role]


def network_figure(layers: list[Layer], height: int = 520, presenter: bool = False) -> go.Figure:
    """One column per layer (:class:`Layer`), heights to scale, centred on one line; hover a unit for
    its value. The heatmaps' ``z`` are the activations themselves (a test compares them)."""
    fs = 17 if presenter else 13
    top = max(len(ly.values) for ly in layers)
    data, shapes, notes = [], [], []
    gap = 1.6  # column spacing, in column widths
    for i, ly in enumerate(layers):
        n = len(ly.values)
        v = ly.values.astype(np.float64)
        lo, hi = (float(v.min()), float(v.max())) if n else (0.0, 1.0)
        if _scale(ly) == "RdBu":  # diverging around 0, symmetric
            m = max(abs(lo), abs(hi), 1e-9)
            lo, hi = -m, m
        elif hi <= lo:
            hi = lo + 1e-9
        x = i * gap
        data.append(
            dict(
                type="heatmap",
                z=v.reshape(n, 1),
                x0=x,
                dx=1,
                y0=-n / 2 + 0.5,
                dy=1,
                zmin=lo,
                zmax=hi,
                colorscale=_scale(ly),
                showscale=False,
                name=ly.name,
                hovertemplate=f"{ly.name}<br>unit %{{y:.0f}}<br>activation %{{z:.4g}}<extra></extra>",
            )
        )
        shape_txt = "×".join(str(s) for s in ly.shape)
        # "encoder 1" on two lines: at 720p neighbouring labels ran into each other.
        label = f"<b>{ly.name.replace(' ', '<br>')}</b><br>{n:,}" + (f"<br>({shape_txt})" if len(ly.shape) > 1 else "")
        notes.append(dict(x=x, y=top / 2, yshift=8, text=label, showarrow=False, yanchor="bottom", font=dict(size=fs)))
        if ly.role == "code" and n <= 4:  # too thin to read at scale: its values in words
            notes.append(
                dict(
                    x=x,
                    y=-top / 2,
                    yshift=-6,
                    yanchor="top",
                    showarrow=False,
                    font=dict(size=fs),
                    text="z = (" + ", ".join(f"{a:.2f}" for a in v) + ")",
                )
            )
        if i:  # the band from the previous column to this one
            m0, x0 = len(layers[i - 1].values) / 2, (i - 1) * gap + 0.5
            shapes.append(
                dict(
                    type="path",
                    path=f"M {x0},{-m0} L {x - 0.5},{-n / 2} L {x - 0.5},{n / 2} L {x0},{m0} Z",
                    fillcolor="rgba(0,0,0,0.07)",
                    line=dict(width=0),
                    layer="below",
                )
            )
    axis = dict(visible=False, fixedrange=True)
    return go.Figure(
        data=data,
        layout=dict(
            height=height,
            margin=dict(l=10, r=10, t=95 if presenter else 80, b=40),  # four lines of labels (conv)
            xaxis=dict(axis, range=[-1.2, (len(layers) - 1) * gap + 1.2]),
            yaxis=dict(axis, range=[-top / 2 * 1.04, top / 2 * 1.04]),
            shapes=shapes,
            annotations=notes,
            plot_bgcolor="white",
        ),
    )
