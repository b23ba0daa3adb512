"""Plotly figures the pages show, built without Streamlit so tests can inspect them.

Conventions: class colours from :data:`latentlab.figures.palette.PALETTE` (chosen to stay apart under simulated
colour-vision deficiencies; :func:`class_color`), colours with a meaning from Okabe–Ito's
:data:`latentlab.figures.palette.HUES` (captions name them: "blue", "vermillion"), WebGL traces for big scatters,
one trace per class (so the legend toggles classes), and ``customdata`` = the row index in the
data set, so a click maps back to an example.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from latentlab.figures.palette import HUES, PALETTE, class_color  # noqa: F401  (re-exported: figures' callers use them)

# The app's look, as plotly's own default template: plotly.js draws the figures directly
# (latentlab/ui/components/plotly_chart), so Streamlit's chart theme no longer applies. White plots, the
# page's font (Streamlit ships Source Sans), its text colour, the named hues as the colour cycle
# (a trace without a colour of its own is not a class; class traces set theirs with class_color).
pio.templates["latent_lab"] = go.layout.Template(
    layout=dict(
        font=dict(family='"Source Sans", "Source Sans Pro", sans-serif', color="#31333F"),
        colorway=list(HUES),
        title=dict(font=dict(size=17, weight="bold")),  # what the figures looked like under Streamlit's theme
        hoverlabel=dict(font=dict(family='"Source Sans", "Source Sans Pro", sans-serif')),
    )
)
pio.templates.default = "plotly_white+latent_lab"

#: A log axis labelled at whole decades only (0.001, 0.01, 0.1, 1): plotly's default also labels
#: the 2s and 5s between them ("2, 0.1, 5, 2, 0.01"), and its SI suffixes read "100µ", "10n".
LOG_AXIS = dict(type="log", dtick=1, tickformat="~g", exponentformat="e")


def trace_values(v) -> np.ndarray:
    """Decode a trace array from a figure's JSON: a plain list, or plotly ≥ 6's typed-array form
    ``{"dtype": "f4", "bdata": "<base64>"}``. Tests use it to read back what a page plotted."""
    if isinstance(v, dict) and "bdata" in v:
        import base64

        arr = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return arr.reshape(v["shape"]) if "shape" in v and isinstance(v["shape"], (list, tuple)) else arr
    return np.asarray(v)


def fit_margins(fig: go.Figure, width: int = 700) -> go.Figure:
    """Room for what plotly does not make room for by itself, in place: the top margin grows to hold
    multi-line subplot titles (they were clipped), and a horizontal legend under the plot moves
    below the x-axis tick labels and title (it was drawn over them). ``width`` is a guess of the
    figure's width in px, used to estimate how many rows the legend wraps into (a guess on the
    narrow side only puts the legend a little lower than needed)."""
    lay = fig.layout
    base = lay.font.size or 12
    m = lay.margin
    top = m.t if m.t is not None else 80
    titles = [a for a in lay.annotations if a.yref in (None, "paper") and a.y is not None and a.y >= 0.99]
    if titles:
        lines = max(str(a.text or "").count("<br>") + 1 for a in titles)
        size = max((a.font.size or base) for a in titles)
        need = int(lines * size * 1.35 + 10 + (size * 1.6 if lay.title.text else 0))
        top = max(top, need)
        fig.update_layout(margin_t=top)
    leg = lay.legend
    if leg.orientation == "h" and leg.y is not None and leg.y < 0:
        size = leg.font.size or base
        xaxes = _axes(fig, "xaxis")
        tick = max([ax.tickfont.size or base for ax in xaxes] or [base])
        title = max([(ax.title.font.size or base) for ax in xaxes if ax.title.text] or [0])
        gap = tick * 1.6 + title * 2.0 + 10  # px under the plot area: tick labels, then the axis title
        names = [str(t.name or "") for t in fig.data if t.showlegend is not False and t.name]
        row_px = sum(len(n) * size * 0.55 + 45 for n in names)
        rows = max(1, int(np.ceil(row_px / width)))
        plot_h = (lay.height or 450) - top - (m.b or 10) - gap - rows * size * 1.6
        fig.update_layout(legend_y=-gap / max(plot_h, 100.0), legend_yanchor="top")
    return fig


def _axes(fig: go.Figure, kind: str) -> list:
    return [fig.layout[k] for k in fig.layout if k.startswith(kind) and fig.layout[k] is not None]


def play_controls(
    names: list[str],
    active: int,
    y: float,
    above: bool,
    frame_ms: int,
    pause_label: str = "❚❚ Pause",
    labels: list[str] | None = None,
    prefix: str | None = None,
    font: int = 18,
) -> dict:
    """Layout for a figure whose ``frames`` are named ``names``: Play / Pause buttons and a slider
    (one step per frame, starting at ``active``), side by side at paper height ``y``, ``above`` or
    below it. The frames play in the browser; the server sends them once. ``prefix``: the slider
    shows "prefix <label>" of the current frame (``None``: no readout)."""
    anchor = "bottom" if above else "top"
    still = dict(frame=dict(duration=0, redraw=True), transition=dict(duration=0), mode="immediate")
    play = dict(frame=dict(duration=frame_ms, redraw=True), transition=dict(duration=0), mode="immediate")
    return dict(
        updatemenus=[
            dict(
                type="buttons",
                direction="left",
                x=0,
                y=y,
                xanchor="left",
                yanchor=anchor,
                pad=dict(r=10, t=0),
                showactive=False,
                font=dict(size=font),
                buttons=[
                    dict(label="▶ Play", method="animate", args=[None, {**play, "fromcurrent": False}]),
                    dict(
                        label=pause_label,
                        method="animate",
                        args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate")],
                    ),
                ],
            )
        ],
        sliders=[
            dict(
                active=active,
                x=0.34,
                len=0.66,
                y=y,
                yanchor=anchor,
                pad=dict(t=0, b=0),
                font=dict(size=14),
                currentvalue=dict(prefix=prefix, font=dict(size=font)) if prefix is not None else dict(visible=False),
                steps=[
                    dict(label=lab, method="animate", args=[[n], still])
                    for n, lab in zip(names, labels or [""] * len(names))
                ],
            )
        ],
    )
