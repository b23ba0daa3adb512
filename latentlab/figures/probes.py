"""Plotly figures of the Codes-as-features page (:mod:`aecore.analysis.probes`), built without Streamlit
so tests can inspect them."""

from __future__ import annotations

import plotly.graph_objects as go

from latentlab.figures.base import HUES, LOG_AXIS
from latentlab.figures.demos import _layout

#: One colour and dash per representation, the codes first and solid: the line the slide is about.
STYLE = {"codes": (HUES[0], "solid"), "random encoder": (HUES[8], "dot")}
PCA_STYLE, RAW_STYLE = (HUES[5], "dash"), (HUES[2], "dashdot")


def style_of(name: str) -> tuple[str, str]:
    """The colour and dash of a representation's line (PCA-k and the raw inputs by their prefix)."""
    if name in STYLE:
        return STYLE[name]
    return PCA_STYLE if name.startswith("PCA") else RAW_STYLE


def budget_figure(report, classifier: str = "knn", height: int = 420) -> go.Figure:
    """Accuracy against labels per class (log axis), one line per representation with the spread over
    the draws as error bars: ``classifier`` is ``"knn"`` or ``"linear"``."""
    fig = go.Figure()
    for c in report.curves:
        mean, std = (c.knn_mean, c.knn_std) if classifier == "knn" else (c.linear_mean, c.linear_std)
        colour, dash = style_of(c.name)
        label = "codes of this model" if c.name == "codes" else c.name
        fig.add_trace(
            go.Scatter(
                x=c.budgets,
                y=mean,
                error_y=dict(type="data", array=std, visible=True, thickness=1.5, width=4),
                name=label,
                mode="lines+markers",
                line=dict(color=colour, dash=dash, width=4 if c.name == "codes" else 2.5),
                marker=dict(size=9 if c.name == "codes" else 7),
                hovertemplate=f"{label}<br>%{{x}} labels per class: accuracy %{{y:.3f}}<extra></extra>",
            )
        )
    what = "5-NN" if classifier == "knn" else "linear probe"
    _layout(
        fig,
        f"Accuracy ({what}) against labels, ± over {report.n_draws} draws",
        height,
        xaxis_title="labels per class",
        yaxis_title="test accuracy",
    )
    fig.update_xaxes(**LOG_AXIS)
    # Below the axis: inside the plot it covered the lowest line (the random encoder's).
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="center", x=0.5))
    return fig
