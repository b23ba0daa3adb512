"""Plotly figures for the three demo pages (Denoising, Sampling, Anomalies), built without
Streamlit so tests can inspect them. Palette and conventions as in :mod:`latentlab.figures.base`."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from latentlab.figures.base import HUES, LOG_AXIS, class_color

AE_COLOR, DAE_COLOR, VAE_COLOR = HUES[1], HUES[0], HUES[0]  # orange = vanilla AE, blue = DAE/VAE
NOISY_COLOR, IN_COLOR, OUT_COLOR = HUES[8], HUES[0], HUES[5]
FONT = dict(size=16)


def _layout(fig: go.Figure, title: str, height: int, **kw) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, font=dict(size=19)),
        height=height,
        font=FONT,
        plot_bgcolor="white",
        margin=dict(l=10, r=10, t=60 if title else 10, b=10),
        legend=dict(font=dict(size=15), itemsizing="constant"),
        **kw,
    )
    fig.update_xaxes(showgrid=True, gridcolor="#eee", zeroline=False)
    fig.update_yaxes(showgrid=True, gridcolor="#eee", zeroline=False)
    return fig


# ---------------------------------------------------------------- denoising


def psnr_curve_figure(curve, current_level: float | None = None, height: int = 420) -> go.Figure:
    """Mean output PSNR of the vanilla AE and the DAE (and of the noisy input) against noise level.

    ``curve`` is an :class:`aecore.analysis.denoise.PsnrCurve`. The noisy input's PSNR at level 0 is
    infinite (capped at 100 dB), so that point is left out rather than squashing the axis.
    """
    lv = curve.levels
    noisy = np.where(curve.noisy >= 99, np.nan, curve.noisy)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=lv,
            y=curve.dae,
            name="denoising AE",
            mode="lines+markers",
            line=dict(color=DAE_COLOR, width=4),
            marker=dict(size=9),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=lv,
            y=curve.ae,
            name="vanilla AE",
            mode="lines+markers",
            line=dict(color=AE_COLOR, width=4, dash="dash"),
            marker=dict(size=9, symbol="square"),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=lv,
            y=noisy,
            name="noisy input x̃",
            mode="lines+markers",
            line=dict(color=NOISY_COLOR, width=2, dash="dot"),
            marker=dict(size=7, symbol="diamond"),
        )
    )
    if current_level is not None:
        fig.add_vline(
            x=current_level,
            line=dict(color="#000", width=1, dash="dot"),
            annotation_text="slider",
            annotation_position="top",
        )
    _layout(
        fig,
        f"Output PSNR against {curve.kind} noise level (higher is better)",
        height,
        xaxis_title="noise level",
        yaxis_title="mean PSNR (dB)",
        hovermode="x unified",
    )
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0.0, font=dict(size=15)))
    return fig


def projection_figure(proj, title: str = "", height: int = 560) -> go.Figure:
    """Toy denoising as projection: noisy points x̃, an arrow-like segment to g(f(x̃)), the curve M.

    ``proj`` is an :class:`aecore.analysis.denoise.ToyDenoising` of 2-D points.
    """
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=proj.manifold[:, 0],
            y=proj.manifold[:, 1],
            mode="lines",
            name="M = g(z)",
            line=dict(color="#000", width=3),
        )
    )
    # One trace of segments separated by NaN: x̃ → g(f(x̃)).
    seg = np.full((len(proj.noisy) * 3, 2), np.nan)
    seg[0::3], seg[1::3] = proj.noisy, proj.projected
    fig.add_trace(
        go.Scatter(
            x=seg[:, 0],
            y=seg[:, 1],
            mode="lines",
            name="x̃ → g(f(x̃))",
            line=dict(color=NOISY_COLOR, width=1.5),
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=proj.noisy[:, 0],
            y=proj.noisy[:, 1],
            mode="markers",
            name="noisy x̃",
            marker=dict(size=8, color=OUT_COLOR, symbol="circle-open", line=dict(width=2)),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=proj.projected[:, 0],
            y=proj.projected[:, 1],
            mode="markers",
            name="g(f(x̃)) on M",
            marker=dict(size=7, color=DAE_COLOR),
        )
    )
    _layout(fig, title or "Denoising = projecting onto M", height, xaxis_title="x₁", yaxis_title="x₂")
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig


# ---------------------------------------------------------------- sampling


def _z_name(j: int) -> str:
    """``z₁`` for coordinate 0, ``z₁₂`` for 11."""
    return "z" + str(j + 1).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def posterior_figure(
    mu: np.ndarray,
    logvar: np.ndarray,
    labels: np.ndarray,
    class_names: list[str],
    n_sigma: float = 1.0,
    height: int = 520,
    title: str = "",
    dims: tuple[int, int] = (0, 1),
) -> go.Figure:
    """Every q(z|x) as its ``n_sigma`` ellipse (one trace per class), against the prior's 1σ and 2σ circles.

    ``dims`` picks the two latent coordinates drawn (each q(z|x) is diagonal, so its marginal on
    two coordinates is exactly the axis-aligned ellipse drawn)."""
    from aecore.analysis.sampling import ellipse_paths

    dims = list(dims)
    mu, logvar = np.asarray(mu)[:, dims], np.asarray(logvar)[:, dims]
    fig = go.Figure()
    labels = np.asarray(labels)
    for c, name in enumerate(class_names):
        idx = np.flatnonzero(labels == c)
        if not len(idx):
            continue
        ex, ey = ellipse_paths(mu[idx], logvar[idx], n_sigma)
        fig.add_trace(
            go.Scattergl(
                x=ex,
                y=ey,
                mode="lines",
                name=str(name),
                hoverinfo="skip",
                line=dict(color=class_color(c), width=1),
                opacity=0.5,
            )
        )
    t = np.linspace(0, 2 * np.pi, 200)
    for r, dash in ((1, "solid"), (2, "dash")):
        fig.add_trace(
            go.Scatter(
                x=r * np.cos(t),
                y=r * np.sin(t),
                mode="lines",
                name=f"prior N(0, I): {r}σ",
                line=dict(color="#000", width=3, dash=dash),
                hoverinfo="skip",
            )
        )
    _layout(
        fig,
        title or f"Aggregate posterior: q(z|x) ellipses ({n_sigma:g}σ)<br>against the prior N(0, I)",
        height,
        xaxis_title=_z_name(dims[0]),
        yaxis_title=_z_name(dims[1]),
    )
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig


def kl_bar_figure(kl: np.ndarray, collapsed: list[int] | None = None, height: int = 320) -> go.Figure:
    """Mean KL(q(z_j|x) ‖ N(0, 1)) per latent dimension; collapsed dimensions in red."""
    kl = np.asarray(kl)
    collapsed = set(collapsed or [])
    colors = [OUT_COLOR if j in collapsed else VAE_COLOR for j in range(len(kl))]
    many = len(kl) > 8  # e.g. k = 16: numbers on the bars would be unreadable, the hover has them
    fig = go.Figure(
        go.Bar(
            x=[str(j + 1) if many else f"z{j + 1}" for j in range(len(kl))],
            y=kl,
            marker_color=colors,
            text=None if many else [f"{v:.2f}" for v in kl],
            textposition="outside",
            textfont=dict(size=16),
            hovertemplate="z%{x}: %{y:.2f} nats<extra></extra>" if many else "%{x}: %{y:.2f} nats<extra></extra>",
        )
    )
    _layout(
        fig,
        "KL per latent dimension (nats)<br>≈ 0 means collapsed",
        height,
        xaxis_title="latent dimension j (z_j)" if many else "latent dimension",
        yaxis_title="mean KL (nats)",
    )
    if many:
        fig.update_xaxes(tickangle=0, tickfont=dict(size=13), dtick=1)
    fig.update_yaxes(range=[0, max(0.2, float(kl.max()) * 1.25)])
    return fig


# ---------------------------------------------------------------- anomalies


def score_histogram_figure(
    scores_in: np.ndarray,
    scores_out: np.ndarray,
    threshold: float | None = None,
    name_in: str = "in distribution",
    name_out: str = "out of distribution",
    height: int = 420,
    log_x: bool = True,
) -> go.Figure:
    """Overlaid histograms of the two score sets, with the threshold as a vertical line.

    Reconstruction errors are skewed, so the x axis is log-scaled by default (bins in log space).
    """
    s_all = np.r_[scores_in, scores_out]
    fig = go.Figure()
    if log_x:
        lo, hi = np.log10(max(s_all.min(), 1e-8)), np.log10(max(s_all.max(), 1e-7))
        edges = np.logspace(lo, hi + 1e-9, 50)
    else:
        edges = np.linspace(s_all.min(), s_all.max() + 1e-12, 50)
    centers = np.sqrt(edges[:-1] * edges[1:]) if log_x else (edges[:-1] + edges[1:]) / 2
    for s, name, color in ((scores_in, name_in, IN_COLOR), (scores_out, name_out, OUT_COLOR)):
        h, _ = np.histogram(s, edges)
        fig.add_trace(
            go.Bar(x=centers, y=h / max(1, len(s)), width=np.diff(edges), name=name, marker_color=color, opacity=0.6)
        )
    if threshold is not None:
        fig.add_vline(
            x=threshold,
            line=dict(color="#000", width=3),
            annotation_text="threshold",
            annotation_position="top right",
            annotation_font_size=15,
        )
    _layout(
        fig,
        "Reconstruction error: in vs out of distribution",
        height,
        barmode="overlay",
        xaxis_title="anomaly score = MSE of x̂ (log scale)" if log_x else "anomaly score = MSE of x̂",
        yaxis_title="fraction of set",
    )
    if log_x:
        fig.update_xaxes(**LOG_AXIS)
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0.0))
    return fig


def roc_figure(r, point: tuple[float, float] | None = None, height: int = 420) -> go.Figure:
    """ROC curve (``r`` an :class:`aecore.analysis.anomaly.Roc`) with its AUC in the title and the current
    threshold's (FPR, TPR) as a dot."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance", line=dict(color="#999", dash="dash")))
    fig.add_trace(go.Scatter(x=r.fpr, y=r.tpr, mode="lines", name="ROC", line=dict(color=IN_COLOR, width=4)))
    if point is not None:
        fig.add_trace(
            go.Scatter(
                x=[point[0]],
                y=[point[1]],
                mode="markers",
                name="threshold",
                marker=dict(size=16, color=OUT_COLOR, line=dict(width=2, color="#000")),
            )
        )
    _layout(
        fig,
        f"ROC curve · AUC = {r.auc:.3f}",
        height,
        xaxis_title="false-alarm rate (FPR)",
        yaxis_title="detection rate (TPR)",
    )
    fig.update_xaxes(range=[-0.01, 1.01])
    fig.update_yaxes(range=[-0.01, 1.01], scaleanchor="x", scaleratio=1)
    fig.update_layout(showlegend=False)
    return fig


def channel_bars_figure(
    x: np.ndarray | None,
    xhat: np.ndarray,
    names: list[str],
    highlight: int | None = None,
    title: str = "",
    height: int = 420,
) -> go.Figure:
    """One row of a table as bars, the input x beside its reconstruction x̂ per channel (scaled units);
    the channel ``highlight`` (the one that broke) has its name in red. ``x`` ``None``: x̂ alone
    (a decoded z that no input was encoded to)."""
    labels = [
        f"<span style='color:{OUT_COLOR}'><b>{n}</b></span>" if j == highlight else n for j, n in enumerate(names)
    ]
    fig = go.Figure()
    if x is not None:
        fig.add_trace(go.Bar(x=labels, y=x, name="x: the reading", marker_color=IN_COLOR))
    fig.add_trace(go.Bar(x=labels, y=xhat, name="x̂ = g(f(x))" if x is not None else "g(z)", marker_color=HUES[8]))
    _layout(fig, title, height, barmode="group", yaxis_title="scaled (training range 0–1)")
    fig.update_xaxes(tickangle=-45, tickfont=dict(size=13))
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, x=1.0, xanchor="right"))
    return fig


def distance_contour_figure(
    dm,
    x_data: np.ndarray,
    manifold: np.ndarray | None = None,
    outliers: np.ndarray | None = None,
    height: int = 560,
    title: str = "",
) -> go.Figure:
    """Distance to M as a filled contour map over 2-D data space, with the data and M on top."""
    fig = go.Figure()
    fig.add_trace(
        go.Contour(
            x=dm.xs,
            y=dm.ys,
            z=dm.dist,
            colorscale="Viridis",
            reversescale=True,
            contours=dict(showlabels=True, labelfont=dict(size=13, color="white")),
            colorbar=dict(title="‖x − x̂‖"),
            name="distance to M",
            hovertemplate="x = (%{x:.2f}, %{y:.2f})<br>‖x − x̂‖ = %{z:.3f}<extra></extra>",
        )
    )
    x = np.asarray(x_data)
    fig.add_trace(
        go.Scatter(
            x=x[:, 0],
            y=x[:, 1],
            mode="markers",
            name="training data",
            marker=dict(size=4, color="#fff", line=dict(width=0.5, color="#000")),
        )
    )
    if manifold is not None:
        fig.add_trace(
            go.Scatter(
                x=manifold[:, 0], y=manifold[:, 1], mode="lines", name="M = g(z)", line=dict(color=HUES[5], width=4)
            )
        )
    if outliers is not None and len(outliers):
        fig.add_trace(
            go.Scatter(
                x=outliers[:, 0],
                y=outliers[:, 1],
                mode="markers",
                name="test points",
                marker=dict(size=12, color=HUES[6], symbol="star", line=dict(width=1, color="#000")),
            )
        )
    _layout(fig, title or "Anomaly score over data space: distance to M", height, xaxis_title="x₁", yaxis_title="x₂")
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0.0))
    return fig


# ---------------------------------------------------------------- the β knob


def rate_distortion_figure(points, selected: float, height: int = 420) -> go.Figure:
    """Each β-VAE a point (rate, distortion) in nats (``points``: :class:`aecore.analysis.rate_distortion.
    RateDistortion`, by increasing β), joined along β; the ``selected`` β ringed. Lines of equal
    −ELBO (D + R) run at 45° downwards: the one through β = 1 is drawn when that model is there."""
    pts = sorted(points, key=lambda p: p.beta)
    r = [p.rate for p in pts]
    d = [p.distortion for p in pts]
    fig = go.Figure(
        go.Scatter(
            x=r,
            y=d,
            mode="lines+markers+text",
            line=dict(color=VAE_COLOR, width=2),
            marker=dict(size=11, color=VAE_COLOR),
            text=[f"β = {p.beta:g}" for p in pts],
            textposition="top right",
            textfont=dict(size=18),  # a slide's smallest type (the presenter check)
            name="β-VAEs",
            hovertemplate="β = %{text}<br>rate %{x:.1f} nats<br>distortion %{y:.1f} nats<extra></extra>",
            showlegend=False,
        )
    )
    one = next((p for p in pts if p.beta == 1), None)
    if one is not None:  # D + R = const: the β = 1 objective's level line through its own model
        lo, hi = min(r) - 2, max(r) + 2
        fig.add_trace(
            go.Scatter(
                x=[lo, hi],
                y=[one.neg_elbo - lo, one.neg_elbo - hi],
                mode="lines",
                line=dict(color="#888", dash="dash", width=1.5),
                name=f"D + R = {one.neg_elbo:.1f} (β = 1's −ELBO)",
                hoverinfo="skip",
            )
        )
    sel = next((p for p in pts if p.beta == selected), None)
    if sel is not None:
        fig.add_trace(
            go.Scatter(
                x=[sel.rate],
                y=[sel.distortion],
                mode="markers",
                marker=dict(size=24, color="rgba(0,0,0,0)", line=dict(color=OUT_COLOR, width=3)),
                name=f"selected: β = {sel.beta:g}",
                hoverinfo="skip",
            )
        )
    _layout(
        fig,
        "Rate against distortion, one trained VAE per β",
        height,
        xaxis_title="rate R = KL(q(z|x) ‖ N(0, I)), nats",
        yaxis_title="distortion D = −E log p(x|z), nats",
    )
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=0.99, x=0.99, xanchor="right"))
    pad_d = (max(d) - min(d)) * 0.12 + 1
    fig.update_yaxes(range=[min(d) - pad_d, max(d) + pad_d])
    fig.update_xaxes(range=[min(r) - (max(r) - min(r)) * 0.06 - 1, max(r) + (max(r) - min(r)) * 0.18 + 1])
    return fig


# ---------------------------------------------------------------- discrete codes


def codebook_usage_figure(counts: np.ndarray, perplexity: float, height: int = 320) -> go.Figure:
    """How often each code is picked (test-set cells), codes sorted from most to least used."""
    counts = np.asarray(counts)
    order = np.argsort(-counts, kind="stable")
    share = counts[order] / max(int(counts.sum()), 1)
    fig = go.Figure(
        go.Bar(
            x=list(range(1, len(counts) + 1)),
            y=share,
            marker_color=VAE_COLOR,
            customdata=order,
            hovertemplate="code %{customdata}: %{y:.2%} of the cells<extra></extra>",
        )
    )
    fig.add_hline(y=1 / len(counts), line=dict(color="#888", dash="dash"), annotation_text="uniform use")
    _layout(
        fig,
        f"Codebook usage on the test set · perplexity {perplexity:.0f} of {len(counts)}",
        height,
        xaxis_title="codes, most used first",
        yaxis_title="share of cells",
    )
    fig.update_yaxes(tickformat=".1%")
    return fig
