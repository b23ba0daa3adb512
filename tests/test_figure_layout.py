"""Figure layout defects seen on a projector: clipped subplot titles, legends drawn over axis
titles, log axes labelled at every 2 and 5 between decades."""

import numpy as np
from plotly.subplots import make_subplots

from latentlab.figures.base import LOG_AXIS, fit_margins
from latentlab.figures.demos import score_histogram_figure
from latentlab.figures.training import loss_curve


def _two_line_titles(size: int):
    fig = make_subplots(1, 3, subplot_titles=("k = 1: M is a curve<br>test MSE 0.0016", "b", "c"))
    fig.add_scatter(x=[0, 1], y=[0, 1], name="x: a data point (near M, not on it)")
    fig.update_xaxes(title_text="x₁")
    fig.update_layout(height=540, margin=dict(t=40, b=10), legend=dict(orientation="h", y=-0.08, yanchor="top"))
    for a in fig.layout.annotations:
        a.font.size = size
    return fig


def test_fit_margins_makes_room_for_two_line_subplot_titles():
    fig = fit_margins(_two_line_titles(18))
    assert fig.layout.margin.t >= 2 * 18 * 1.2  # both lines of the title fit above the plot


def test_fit_margins_moves_a_bottom_legend_below_the_axis_title():
    small, big = _two_line_titles(12), _two_line_titles(12)
    big.update_xaxes(tickfont_size=18, title_font_size=20)
    fit_margins(small), fit_margins(big)
    # Under the plot area: tick labels, then the axis title, then the legend (it sat on the title).
    assert small.layout.legend.y < -0.08
    assert big.layout.legend.y < small.layout.legend.y  # bigger ticks push it further down


def test_log_axes_label_whole_decades_only():
    assert LOG_AXIS["dtick"] == 1
    hist = score_histogram_figure(np.linspace(0.01, 0.1, 50), np.linspace(0.05, 0.5, 50), 0.07, "in", "out")
    assert hist.layout.xaxis.type == "log" and hist.layout.xaxis.dtick == 1
    loss = loss_curve([{"epoch": e, "train_loss": 1 / e, "val_loss": 1.2 / e} for e in range(1, 20)], epoch=5, log=True)
    assert loss.layout.yaxis.type == "log" and loss.layout.yaxis.dtick == 1


def test_slide_figure_enlarges_text_and_puts_a_lone_scenes_legend_beside_it(monkeypatch):
    """Presenter mode: plot text at least 18 px, height capped, the cached figure untouched; a figure
    that is only one 3-D scene gets its legend beside the cube (under it, the cube shrank to a third
    of the slide), a scene beside a 2-D panel keeps it below."""
    import plotly.graph_objects as go

    from latentlab.ui import theme as common

    monkeypatch.setattr(common, "is_presenter", lambda: True)
    cube = go.Figure(go.Scatter3d(x=[0, 1], y=[0, 1], z=[0, 1], name="x"))
    cube.update_xaxes(title_text="x₁")  # what the figure code does for 2-D data: it adds an xaxis key
    cube.update_layout(height=800, legend=dict(orientation="h", y=-0.1))
    out = common.slide_figure(cube, max_height=500)
    assert out.layout.legend.orientation == "v" and out.layout.height == 500
    assert out.layout.legend.font.size >= 18 and out.layout.scene.xaxis.tickfont.size >= 18
    assert cube.layout.legend.orientation == "h" and cube.layout.height == 800  # the original is unchanged
    mixed = make_subplots(1, 2, specs=[[{"type": "scene"}, {}]])
    mixed.add_scatter3d(x=[0], y=[0], z=[0], row=1, col=1)
    mixed.add_scatter(x=[0], y=[0], row=1, col=2)
    mixed.update_layout(legend=dict(orientation="h", y=-0.1))
    out = common.slide_figure(mixed)
    assert out.layout.legend.orientation == "h" and out.layout.xaxis.tickfont.size >= 18
