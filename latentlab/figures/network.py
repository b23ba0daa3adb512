"""The implementation picture as a figure: the network drawn to scale, one column per layer.

Each column is a heatmap of its units, one cell per unit, coloured by this input's activation, and
as tall as the layer is wide (784 pixels, 512, 256, 2, …): the familiar hourglass, but with the
numbers torch computed for this one x (:func:`aecore.analysis.network.activations`). Grey bands
join neighbouring columns, as the usual diagram's layers do.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import plotly.graph_objects as go

from aecore.analysis.network import Layer

#: Label text: a figure's own size outside presenter mode; on a slide latentlab.ui.theme.PRESENTER_FONT (18 px),
#: which latentlab.ui.theme.slide_figure would raise it to anyway (and the label plan must know the real size).
FONT = 13
PRESENTER_FONT = 18
#: Column spacing, in column widths, and the room left of the first column and right of the last.
GAP = 1.6
#: A character's width in em, for estimating a label's width: Source Sans averages about 0.5 em
#: (bold a little more); this errs wide, so labels that "fit" never touch.
CHAR_EM = 0.6
#: Space between two labels on one row, px.
LABEL_PAD = 6
#: The narrowest the figure is assumed to be drawn, px, when the page does not say: half of a
#: 1280-px window with the sidebar open. Plotly cannot re-lay out annotations when the column
#: narrows (a sidebar toggle), so labels are planned for the narrowest width they may get.
NARROW = 420
#: The right margin that holds the colour bars (bar, ticks and the title beside them), px.
_BARS_PX = 86

#: Colours, one scale per kind of column so that each colour bar means one thing: hidden units on
#: viridis over the range of every hidden layer; pictures as grey levels, as the images beside them
#: (white ink on black), and data that are not pictures diverging around 0; the code diverging around 0.
_HIDDEN, _DATA, _CODE = "coloraxis", "coloraxis2", "coloraxis3"


def text_width(line: str, size: float) -> float:
    """An estimate of ``line``'s width in px at font ``size`` (tags removed, combining marks
    such as x̂'s hat take no room): ``CHAR_EM`` em a character."""
    plain = re.sub(r"<[^>]+>", "", line)
    return sum(not unicodedata.combining(c) for c in plain) * CHAR_EM * size


def _short(name: str) -> str:
    """ "encoder 2" → "enc 2": the abbreviated label when full names do not fit."""
    return name.replace("encoder", "enc").replace("decoder", "dec")


def _tiny(name: str) -> str:
    """``encoder 2`` → ``e2``: the last resort for many layers in a narrow column."""
    return re.sub(r"^(e|d)\w* (\d+)$", r"\1\2", name)


def _variants(ly: Layer):
    """A layer's label as lines, from the fullest to the most compact: full (name, units, conv
    shape), abbreviated (no shape), tiny (the name alone)."""
    n = len(ly.values)
    head = [f"<b>{w}</b>" for w in ly.name.split(" ")]  # "encoder 1" on two lines
    shape = [f"({'×'.join(str(s) for s in ly.shape)})"] if len(ly.shape) > 1 else []
    return {
        "full": head + [f"{n:,}"] + shape,
        "short": [f"<b>{_short(ly.name)}</b>", f"{n:,}"],
        "tiny": [f"<b>{_tiny(ly.name)}</b>"],
    }


def _fits(xs_px: list[float], widths: list[float], rows: list[int], left: float, right: float) -> bool:
    """Whether labels centred at ``xs_px`` (px) with ``widths`` keep ``LABEL_PAD`` apart from their
    neighbours on the same row, and inside [left, right]."""
    for r in set(rows):
        on = [(x, w) for x, w, rr in zip(xs_px, widths, rows) if rr == r]
        for (xa, wa), (xb, wb) in zip(on, on[1:]):
            if xb - xa < (wa + wb) / 2 + LABEL_PAD:
                return False
    return all(x - w / 2 >= left and x + w / 2 <= right for x, w in zip(xs_px, widths))


def label_plan(
    layers: list[Layer],
    width: float,
    fs: float,
    x_range: tuple[float, float],
    margin_lr=(10, 10),
    height: float = 520,
):
    """The labels' lines and rows for a figure ``width`` px wide: the first of full (name, units,
    conv shape), abbreviated, abbreviated staggered (every other label a row higher), tiny, tiny
    staggered whose labels do not run into each other ("encoderencoder" after a sidebar toggle
    narrowed the column). Full labels only while they take at most 30 % of ``height`` (on a
    320-px slide four lines of 18-px type would squeeze the network). The last resort is tiny
    staggered, whether it fits or not. Returns ``(mode, lines per layer, row per layer)``."""
    plot = max(width - margin_lr[0] - margin_lr[1], 1.0)
    pxu = plot / (x_range[1] - x_range[0])
    xs = [(i * GAP - x_range[0]) * pxu for i in range(len(layers))]
    variants = [_variants(ly) for ly in layers]
    for kind, stagger in (("full", False), ("short", False), ("short", True), ("tiny", False), ("tiny", True)):
        lines = [v[kind] for v in variants]
        if kind == "full" and max(map(len, lines)) * fs * 1.3 + 16 > 0.3 * height:
            continue
        widths = [max(text_width(t, fs) for t in ls) for ls in lines]
        rows = [i % 2 if stagger else 0 for i in range(len(layers))]
        # The edges: a label may reach into the figure's margin, not past the figure.
        if _fits(xs, widths, rows, -margin_lr[0], plot + margin_lr[1]):
            break
    mode = kind + (" staggered" if stagger else "")
    return mode, lines, rows


def column_width(window: int, share: float) -> int:
    """The narrowest px width of a page column that takes ``share`` of the main area in a window
    ``window`` px wide: with the sidebar open (336 px) and the main area's padding (2 × 48 px)."""
    return max(240, int((window - 336 - 96) * share))


def _colour_axes(layers: list[Layer], fs: int) -> dict:
    """The three colour axes (hidden units' activation, the code, x and x̂), each with its range over
    the layers of its role and its colour bar (hidden's hidden for a linear AE, which has none)."""

    def _range(role: str, diverging: bool) -> tuple[float, float]:
        v = np.concatenate([np.zeros(0)] + [ly.values.astype(np.float64).ravel() for ly in layers if ly.role in role])
        lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 1.0)
        if diverging:  # symmetric around 0, so that white means 0
            m = max(abs(lo), abs(hi), 1e-9)
            return -m, m
        return lo, max(hi, lo + 1e-9)

    image = len(layers[0].shape) == 3
    if image:  # grey levels: the images' own range (0 to 1), or wider when the data are
        lo, hi = _range(("input", "output"), False)
        data_range = (min(lo, 0.0), max(hi, 1.0))
    else:
        data_range = _range(("input", "output"), True)
    bar = dict(thickness=10, len=0.3, x=1.0, xpad=8, xanchor="left", tickfont=dict(size=fs))

    def _bar(title: str, y: float) -> dict:
        return dict(bar, y=y, yanchor="middle", title=dict(text=title, side="right", font=dict(size=fs)))

    axes = {
        _HIDDEN: dict(colorscale="viridis", colorbar=_bar("hidden: activation", 0.84)),
        _CODE: dict(colorscale="RdBu", colorbar=_bar("code z", 0.5)),
        _DATA: dict(
            colorscale="gray" if image else "RdBu",
            colorbar=_bar("x, x̂: grey level" if image else "x, x̂: value", 0.16),
        ),
    }
    axes[_HIDDEN].update(zip(("cmin", "cmax"), _range(("hidden",), False)))
    axes[_CODE].update(zip(("cmin", "cmax"), _range(("code",), True)))
    axes[_DATA].update(cmin=data_range[0], cmax=data_range[1])
    if not any(ly.role == "hidden" for ly in layers):  # a linear AE: no hidden units, no bar for them
        axes[_HIDDEN]["showscale"] = False
    return axes


def _columns(layers: list[Layer], lines: list, rows: list, top: int, fs: int) -> tuple[list, list, list]:
    """Each layer's heatmap column, its label (row 0 or 1 above the columns), the code's values in
    words when it is too thin to read, and the band joining it to the previous column:
    ``(traces, shapes, annotations)``."""
    line_h = fs * 1.3  # plotly's line height for multi-line annotations
    row0 = max(len(ls) for ls, r in zip(lines, rows) if r == 0)
    data, shapes, notes = [], [], []
    for i, ly in enumerate(layers):
        n = len(ly.values)
        v = ly.values.astype(np.float64)
        x = i * GAP
        data.append(
            dict(
                type="heatmap",
                z=v.reshape(n, 1),
                x0=x,
                dx=1,
                y0=-n / 2 + 0.5,
                dy=1,
                coloraxis={"hidden": _HIDDEN, "code": _CODE}.get(ly.role, _DATA),
                name=ly.name,
                hovertemplate=f"{ly.name}<br>unit %{{y:.0f}}<br>activation %{{z:.4g}}<extra></extra>",
            )
        )
        notes.append(
            dict(
                x=x,
                y=top / 2,
                xref="x",
                yref="y",
                yshift=8 + rows[i] * (row0 * line_h + 4),
                text="<br>".join(lines[i]),
                showarrow=False,
                yanchor="bottom",
                font=dict(size=fs),
                name="layer label",
                hovertext=ly.name,
            )
        )
        if ly.role == "code" and n <= 4:  # too thin to read at scale: its values in words
            notes.append(
                dict(
                    x=x,
                    y=-top / 2,
                    xref="x",
                    yref="y",
                    yshift=-6,
                    yanchor="top",
                    showarrow=False,
                    font=dict(size=fs),
                    text="z = (" + ", ".join(f"{a:.2f}" for a in v) + ")",
                )
            )
        if i:  # the band from the previous column to this one
            m0, x0 = len(layers[i - 1].values) / 2, (i - 1) * GAP + 0.5
            shapes.append(
                dict(
                    type="path",
                    path=f"M {x0},{-m0} L {x - 0.5},{-n / 2} L {x - 0.5},{n / 2} L {x0},{m0} Z",
                    fillcolor="rgba(0,0,0,0.07)",
                    line=dict(width=0),
                    layer="below",
                )
            )
    return data, shapes, notes


def network_figure(
    layers: list[Layer], height: int = 520, presenter: bool = False, width: int | None = None
) -> go.Figure:
    """One column per layer (:class:`Layer`), heights to scale, centred on one line; hover a unit for
    its value. The heatmaps' ``z`` are the activations themselves (a test compares them).

    Three colour bars say what the colours mean: hidden units' activation, the code's values, and
    x/x̂ (grey level for pictures). ``width``: the narrowest px width the figure may be drawn at
    (default :data:`NARROW`); the layer labels are abbreviated or staggered to fit it."""
    fs = PRESENTER_FONT if presenter else FONT
    width = width or NARROW
    top = max(len(ly.values) for ly in layers)
    x_range = (-1.2, (len(layers) - 1) * GAP + 1.2)
    margin_lr = (10, _BARS_PX + (20 if presenter else 0))
    mode, lines, rows = label_plan(layers, width, fs, x_range, margin_lr, height)
    line_h = fs * 1.3  # plotly's line height for multi-line annotations (as in _columns)
    row0 = max(len(ls) for ls, r in zip(lines, rows) if r == 0)
    row1 = max([len(ls) for ls, r in zip(lines, rows) if r == 1] or [0])

    axes = _colour_axes(layers, fs)
    data, shapes, notes = _columns(layers, lines, rows, top, fs)
    axis = dict(visible=False, fixedrange=True)
    # The label rows above the columns: row 0 starts 8 px above them, row 1 sits 4 px above row 0.
    label_px = 8 + row0 * line_h + (4 + row1 * line_h if row1 else 0) + 8
    return go.Figure(
        data=data,
        layout=dict(
            height=height,
            margin=dict(l=margin_lr[0], r=margin_lr[1], t=int(label_px), b=40),
            xaxis=dict(axis, range=list(x_range)),
            yaxis=dict(axis, range=[-top / 2 * 1.04, top / 2 * 1.04]),
            shapes=shapes,
            annotations=notes,
            plot_bgcolor="white",
            meta=dict(labels=mode, min_width=width),
            **axes,
        ),
    )
