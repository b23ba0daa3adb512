"""Plotly figures of the representation picture (data space R²/R³ beside latent space).

Built without Streamlit so tests can inspect them. Conventions, shared by every builder:

* data x: blue dots; reconstructions x̂: black dots; x → x̂: grey segments;
* M = g(z): vermillion, faded by *reliability* (density of training codes at z): solid where
  codes are dense, fading smoothly towards :data:`aecore.analysis.manifold.ALPHA_FLOOR` where M is only
  extrapolated. Curves/point clouds carry it as per-point ``rgba`` colours, surfaces as a
  mesh's ``intensity`` with :data:`M_SURFACE_COLORSCALE`;
* every trace has ``meta = {"role": ...}`` ("x", "xhat", "segments", "M", "latent-grid", …) so
  tests and the browser test find them without relying on trace order;
* ``customdata`` of clickable points: the latent-grid index for M / latent-grid points, and
  :data:`POINT_OFFSET` + sample index for data points, so one click identifies either.

This module draws the manifold view (:mod:`aecore.analysis.manifold`): the picture, k is a prior
and the off-manifold probe, and holds the conventions' colours and helpers (:func:`data_traces`,
:func:`style_data_axes`, :func:`finish`, …) that the figures of the concepts built on a view share:
:mod:`latentlab.figures.pca`, :mod:`latentlab.figures.overfit`, :mod:`latentlab.figures.timelapse`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from aecore.analysis.manifold import ALPHA_FLOOR, ManifoldView, RoundTrips, fade_alpha
from latentlab.figures.base import HUES, fit_margins

BLUE, ORANGE, GREEN, PINK, SKY, VERMILLION = HUES[0], HUES[1], HUES[2], HUES[3], HUES[4], HUES[5]
BLACK, GREY = "#000000", "#999999"
M_COLOR = VERMILLION
M_PALE = (242, 210, 190)  # what M fades towards (with its opacity), on a white background
M_SOLID = (213, 94, 0)
FONT = dict(size=16)
POINT_OFFSET = 100_000

LEGEND_X = "x: a data point (near M, not on it)"
LEGEND_XHAT = "x̂ = g(f(x)): always on M"
LEGEND_SEG = "x → x̂: the reconstruction error"
LEGEND_M = "M = g(z): solid where codes are dense, faded where extrapolated"


def _m_stop(r: float) -> str:
    a = float(fade_alpha(np.array([r]))[0])
    mix = np.sqrt(r)
    rgb = (1 - mix) * np.array(M_PALE) + mix * np.array(M_SOLID)
    return f"rgba({int(rgb[0])},{int(rgb[1])},{int(rgb[2])},{a:.3f})"


#: Reliability (0..1) → colour *and* opacity of M: pale and nearly transparent where M is only
#: extrapolated, solid vermillion where training codes are dense. One numeric array per trace
#: (``marker.color`` = reliability) plus this scale: fast to build, and works in 2-D and 3-D alike.
M_COLORSCALE = [[r, _m_stop(r)] for r in (0.0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.85, 1.0)]


def m_colors(rel: np.ndarray, floor: float = ALPHA_FLOOR) -> list[str]:
    """Per-point rgba strings for M (the same mapping as :data:`M_COLORSCALE`)."""
    return [_m_stop(float(r)) for r in np.clip(np.asarray(rel, dtype=float), 0, 1)]


def rgba_alpha(colors: list[str]) -> np.ndarray:
    """The alpha channel of ``rgba(...)`` strings (tests use it to check the fading)."""
    return np.array([float(c.rsplit(",", 1)[1].rstrip(")")) for c in colors])


def _m_marker(rel: np.ndarray, size: float, symbol: str = "circle") -> dict:
    return dict(
        size=size,
        color=np.asarray(rel, dtype=np.float64),
        colorscale=M_COLORSCALE,
        cmin=0.0,
        cmax=1.0,
        showscale=False,
        line=dict(width=0),
        symbol=symbol,
    )


def bounds(points: np.ndarray, pad: float = 0.3) -> list[list[float]]:
    """Axis ranges ``[[lo, hi], …]`` per coordinate around ``points``, widened by ``pad`` × range per side."""
    lo, hi = points.min(0), points.max(0)
    span = np.maximum(hi - lo, 1e-3)
    return [[float(a - pad * s), float(b + pad * s)] for a, b, s in zip(lo, hi, span)]


def segment_coords(a: np.ndarray, b: np.ndarray) -> list[np.ndarray]:
    """Coordinates for one line trace drawing a[i] → b[i], separated by gaps (NaN)."""
    n, d = a.shape
    out = np.full((3 * n, d), np.nan)
    out[0::3], out[1::3] = a, b
    return [out[:, j] for j in range(d)]


def xy(p: np.ndarray) -> dict:
    """A trace's ``x``, ``y`` (and ``z`` for 3-D points) from points ``(n, 2 or 3)``."""
    p = np.asarray(p, dtype=np.float64)
    d = {"x": p[:, 0], "y": p[:, 1]}
    if p.shape[1] == 3:
        d["z"] = p[:, 2]
    return d


def scatter(dim: int, **kw):
    """A ``Scatter3d`` for 3-D data, else a ``Scatter``."""
    return go.Scatter3d(**kw) if dim == 3 else go.Scatter(**kw)


def _hover_xyz(dim: int) -> str:
    return "(%{x:.2f}, %{y:.2f}" + (", %{z:.2f})" if dim == 3 else ")")


def _marker_size(dim: int, small: float) -> float:
    return small * (0.55 if dim == 3 else 1.0)


# ---------------------------------------------------------------- data-space traces


def data_traces(
    view: ManifoldView,
    segments: int = 150,
    show_x: bool = True,
    show_xhat: bool = True,
    m_name: str = LEGEND_M,
    showlegend: bool = True,
    m_size: float | None = None,
) -> list:
    """Traces of the data panel: x, x → x̂ segments, M (faded by reliability), x̂."""
    dim, traces = view.dim, []
    n_seg = min(segments, len(view.x))
    if show_x:
        traces.append(
            scatter(
                dim,
                mode="markers",
                name=LEGEND_X,
                **xy(view.x),
                meta={"role": "x"},
                customdata=POINT_OFFSET + np.arange(len(view.x)),
                showlegend=showlegend,
                marker=dict(size=_marker_size(dim, 7), color=BLUE, opacity=0.55),
                hovertemplate="x = " + _hover_xyz(dim) + "<extra>data point</extra>",
            )
        )
    if n_seg and show_x and show_xhat:
        segs = segment_coords(view.x[:n_seg], view.xhat[:n_seg])
        kw = dict(x=segs[0], y=segs[1], **({"z": segs[2]} if dim == 3 else {}))
        traces.append(
            scatter(
                dim,
                mode="lines",
                name=LEGEND_SEG,
                **kw,
                meta={"role": "segments"},
                line=dict(color=GREY, width=1.5 if dim == 2 else 2.5),
                hoverinfo="skip",
                showlegend=showlegend,
                connectgaps=False,
            )
        )
    traces.extend(m_traces(view, m_name, showlegend, m_size))
    if show_xhat:
        traces.append(
            scatter(
                dim,
                mode="markers",
                name=LEGEND_XHAT,
                **xy(view.xhat),
                meta={"role": "xhat"},
                customdata=POINT_OFFSET + np.arange(len(view.xhat)),
                showlegend=showlegend,
                marker=dict(size=_marker_size(dim, 5), color=BLACK),
                hovertemplate="x̂ = " + _hover_xyz(dim) + "<extra>reconstruction</extra>",
            )
        )
    return traces


def m_traces(view: ManifoldView, name: str = LEGEND_M, showlegend: bool = True, size: float | None = None) -> list:
    """M itself: a curve (k = 1), a surface (k = 2 in R³) or a cloud of decoded points."""
    dim, k = view.dim, view.k
    # The legend shows M in its solid colour: drawn from M's own markers, the swatch took the colour
    # of its first point, often a faded one, and was all but invisible (white on white).
    legend = (
        [
            scatter(
                dim,
                mode="lines",
                name=name,
                showlegend=True,
                hoverinfo="skip",
                meta={"role": "M-legend"},
                line=dict(color="rgb({},{},{})".format(*M_SOLID), width=6),
                **xy(np.full((1, dim), np.nan)),
            )
        ]
        if showlegend
        else []
    )
    hover = (
        "M at z = " + _hover_z(k, 2) + "<br>g(z) = " + _hover_xyz(dim) + "<br>reliability %{customdata[1]:.2f}"
        "<extra>learned manifold</extra>"
    )
    idx, shape = drawn_grid_index(view.grid_shape)  # (n_drawn,)
    cd = _grid_customdata(view, idx)
    if k == 2 and dim == 3:
        return legend + _surface(view.m[idx].reshape(*shape, 3), view.reliability[idx].reshape(shape), name)
    # Thinned grid lines leave gaps: markers grow with the spacing, so a surface or volume still reads as one.
    thin = view.grid_shape[0] / shape[0]
    size = size or ((7 if dim == 2 else 4) if k == 1 else (5 * thin if dim == 2 else 3 * thin))
    symbol = "square" if (k >= 2 and dim == 2) else "circle"
    return legend + [
        scatter(
            dim,
            mode="markers",
            name=name,
            **xy(view.m[idx]),
            meta={"role": "M"},
            customdata=cd,
            showlegend=False,
            hovertemplate=hover,
            marker=_m_marker(view.reliability[idx], size, symbol),
        )
    ]


#: M's surface (k = 2 in R³): pale and see-through where extrapolated, vermillion where codes are
#: dense, never fully opaque so the data behind it stay visible. Colour and alpha in one scale.
M_SURFACE_COLORSCALE = [
    [r, "rgba({},{},{},{})".format(*(int(round((1 - r) * p + r * q)) for p, q in zip(M_PALE, M_SOLID)), a)]
    for r, a in ((0.0, ALPHA_FLOOR), (0.25, 0.3), (0.6, 0.55), (1.0, 0.7))
]


def grid_triangles(n1: int, n2: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(i, j, k)``: two triangles per cell of an (n1, n2) vertex grid flattened row-major; each (2(n1-1)(n2-1),)."""
    a = (np.arange(n1 - 1)[:, None] * n2 + np.arange(n2 - 1)[None, :]).ravel()  # each cell's first corner
    return np.r_[a, a + 1], np.r_[a + n2, a + n2], np.r_[a + 1, a + n2 + 1]


def grid_mesh(g: np.ndarray, **kw) -> go.Mesh3d:
    """A triangulated (n1, n2, 3) vertex grid. A ``Mesh3d``, not a ``Surface``: in a software-WebGL
    browser (a laptop without a GPU driver, the test browser) a surface trace cost ~0.35 s more to
    draw than the same triangles as a mesh, and the k-comparison draws three 3-D scenes."""
    i, j, k = grid_triangles(*g.shape[:2])
    v = np.asarray(g, np.float64).reshape(-1, 3)  # (n1·n2, 3)
    return go.Mesh3d(x=v[:, 0], y=v[:, 1], z=v[:, 2], i=i, j=j, k=k, showscale=False, **kw)


def _surface(g: np.ndarray, rel: np.ndarray, name: str) -> list:
    """M as a surface (k = 2 in R³), coloured and faded by reliability. ``g``: (n1, n2, 3); ``rel``: (n1, n2)."""
    return [
        grid_mesh(
            g,
            intensity=np.asarray(rel, np.float64).ravel(),
            cmin=0,
            cmax=1,
            colorscale=M_SURFACE_COLORSCALE,
            # plotly.js honours a colorscale's alpha only on a transparent mesh: opacity 1 draws the
            # pale, extrapolated edges opaque.
            opacity=0.99,
            name=name,
            showlegend=False,
            meta={"role": "M"},
            hovertemplate=(
                "g(z) = " + _hover_xyz(3) + "<br>reliability %{intensity:.2f}<extra>learned manifold M</extra>"
            ),
            lighting=dict(ambient=0.75, diffuse=0.5, specular=0.05),
            flatshading=False,
        )
    ]


#: Most grid lines per latent axis drawn of M. A browser pays per drawn point: an SVG marker each
#: in 2-D, vertices and transparent pixels in a WebGL scene, which a laptop without a working GPU
#: driver (or a headless test browser) renders in software. The swiss roll's three 3-D scenes took
#: 2.7 s to draw with M's surface at full resolution (61²), 1.6 s at 31². A k = 3 volume keeps its
#: 15³ grid: thinner, it no longer read as a volume (and its points are cheap beside a surface).
#: M's numbers (distances, reliability) are still computed on the full grid; only the drawing is
#: thinner, its markers bigger to fill the gaps.
DRAWN_GRID_LINES = {1: 401, 2: 31, 3: 15}


def drawn_grid_index(grid_shape: tuple[int, ...]) -> tuple[np.ndarray, tuple[int, ...]]:
    """``(idx, shape)``: indices (into the flattened latent grid) of the grid points a figure draws,
    every s-th line per axis with the last line always kept (M keeps its extent), and the drawn
    grid's shape. ``idx``: (n_drawn,)."""
    k = len(grid_shape)
    axes = []
    for n in grid_shape:
        step = max(1, int(np.ceil((n - 1) / max(DRAWN_GRID_LINES.get(k, n) - 1, 1))))
        axes.append(np.unique(np.r_[np.arange(0, n, step), n - 1]))
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.ravel_multi_index(tuple(m.ravel() for m in mesh), grid_shape), tuple(len(a) for a in axes)


def _grid_customdata(view: ManifoldView, idx: np.ndarray) -> np.ndarray:
    """``[grid index, reliability, z₁, …, z_k]`` per latent point ``(n, 2 + k)``: numeric, so cheap."""
    return np.column_stack([idx, view.reliability[idx], view.grid_z[idx]]).astype(np.float64)


def _hover_z(k: int, first: int) -> str:
    return "(" + ", ".join(f"%{{customdata[{first + i}]:.2f}}" for i in range(k)) + ")"


def _line_traces(view: ManifoldView, gz: np.ndarray, rel: np.ndarray, cd: np.ndarray, hover: str) -> list:
    """k = 1: the density of codes along the latent line, the line's grid (coloured like M), and the
    codes as ticks under it."""
    traces = []
    traces.append(
        go.Scatter(
            x=view.grid_z[:, 0],
            y=view.reliability,
            mode="lines",
            name="density of codes (relative)",
            line=dict(color=M_COLOR, width=2),
            fill="tozeroy",
            fillcolor="rgba(213,94,0,0.12)",
            meta={"role": "density"},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    traces.append(
        go.Scatter(
            x=gz[:, 0],
            y=np.zeros(len(gz)),
            mode="markers",
            name="latent line z",
            meta={"role": "latent-grid"},
            customdata=cd,
            hovertemplate=hover,
            showlegend=False,
            marker=_m_marker(rel, 9, "square"),
        )
    )
    traces.append(
        go.Scatter(
            x=view.z[:, 0],
            y=np.full(len(view.z), -0.12),
            mode="markers",
            name="codes z = f(x)",
            meta={"role": "codes"},
            showlegend=False,
            customdata=POINT_OFFSET + np.arange(len(view.z)),
            marker=dict(size=9, symbol="line-ns-open", color=BLUE, opacity=0.6, line=dict(width=1.5, color=BLUE)),
            hovertemplate="z = %{x:.2f}<extra>code of a data point</extra>",
        )
    )
    return traces


def latent_traces(view: ManifoldView, showlegend: bool = True, max_grid: int = 1000) -> list:
    """Latent panel: the grid coloured like M (same customdata), the training codes, and for
    k = 1 the reliability profile."""
    k, traces = view.k, []
    idx = np.arange(len(view.grid_z))
    if k == 2:  # subsample the grid for a light SVG; customdata keeps the full-grid index
        n = view.grid_shape[0]
        stride = max(1, int(np.ceil(np.sqrt(len(idx) / max_grid))))
        keep = np.arange(0, n, stride)
        idx = (keep[:, None] * n + keep[None, :]).ravel()
    gz = view.grid_z[idx]
    rel = view.reliability[idx]
    cd = _grid_customdata(view, idx)
    hover = "z = " + _hover_z(k, 2) + "<br>reliability %{customdata[1]:.2f}<extra>latent grid</extra>"
    if k == 1:
        traces += _line_traces(view, gz, rel, cd, hover)
    elif k == 2:
        traces.append(
            go.Scatter(
                x=gz[:, 0],
                y=gz[:, 1],
                mode="markers",
                name="latent grid z",
                meta={"role": "latent-grid"},
                customdata=cd,
                hovertemplate=hover,
                showlegend=False,
                marker=_m_marker(rel, 9, "square"),
            )
        )
    if k >= 2:
        traces.append(
            go.Scatter(
                x=view.z[:, 0],
                y=view.z[:, 1],
                mode="markers",
                name="codes z = f(x)",
                meta={"role": "codes"},
                showlegend=False,
                customdata=POINT_OFFSET + np.arange(len(view.z)),
                marker=dict(size=5, color=BLUE, opacity=0.7),
                hovertemplate="z = (%{x:.2f}, %{y:.2f})<extra>code of a data point</extra>",
            )
        )
    return traces


def _mark(dim: int, name: str, **kw):
    """One highlight trace (no legend, no hover) in a data panel of ``dim`` dimensions."""
    return scatter(dim, name=name, showlegend=False, meta={"role": "highlight"}, hoverinfo="skip", **kw)


def _selected_z(x: float, y: float, ring: dict) -> go.Scatter:
    """The ring at the selected code in the latent panel."""
    return go.Scatter(
        x=[x],
        y=[y],
        mode="markers",
        name="selected z",
        showlegend=False,
        marker=dict(ring, size=20),
        meta={"role": "highlight"},
        hoverinfo="skip",
    )


def _highlight_traces(view: ManifoldView, highlight) -> tuple[list, list]:
    """Rings at the selected latent point / data point, in both panels."""
    if highlight is None:
        return [], []
    kind, i = highlight
    dim = view.dim
    ring = dict(size=_marker_size(dim, 20), symbol="circle-open", color=BLACK, line=dict(width=3, color=BLACK))
    data, lat = [], []
    if kind == "grid" and 0 <= i < len(view.m):
        data.append(_mark(dim, "selected g(z)", mode="markers", **xy(view.m[i : i + 1]), marker=ring))
        z = view.grid_z[i]
        lat.append(_selected_z(float(z[0]), float(z[1]) if view.k >= 2 else 0.0, ring))
    elif kind == "point" and 0 <= i < len(view.x):
        seg = segment_coords(view.x[i : i + 1], view.xhat[i : i + 1])
        kw = dict(x=seg[0], y=seg[1], **({"z": seg[2]} if dim == 3 else {}))
        data.append(_mark(dim, "selected x → x̂", mode="lines", **kw, line=dict(color=BLACK, width=4)))
        blue = dict(ring, color=BLUE, line=dict(width=3, color=BLUE))
        data.append(_mark(dim, "selected x", mode="markers", **xy(view.x[i : i + 1]), marker=blue))
        data.append(_mark(dim, "selected x̂", mode="markers", **xy(view.xhat[i : i + 1]), marker=ring))
        z = view.z[i]
        lat.append(_selected_z(float(z[0]), float(z[1]) if view.k >= 2 else -0.12, ring))
    return data, lat


def style_data_axes(
    fig: go.Figure, view_pts: np.ndarray, dim: int, row: int = 1, col: int = 1, scene: str = "scene", pad: float = 0.3
) -> None:
    """Ranges, titles and an equal aspect for a data panel (2-D axes or a 3-D ``scene``)."""
    b = bounds(view_pts, pad)
    if dim == 2:
        if getattr(fig, "_grid_ref", None) is None:  # a plain figure, not make_subplots
            row = col = None
            anchor = "x"
        else:
            anchor = fig.get_subplot(row, col).xaxis.plotly_name.replace("axis", "")
        fig.update_xaxes(range=b[0], title_text="x₁", row=row, col=col, showgrid=True, gridcolor="#eee", zeroline=False)
        fig.update_yaxes(
            range=b[1],
            title_text="x₂",
            row=row,
            col=col,
            showgrid=True,
            gridcolor="#eee",
            zeroline=False,
            scaleanchor=anchor,
            scaleratio=1,
        )
    else:
        ax = dict(showbackground=False, gridcolor="#ddd", zeroline=False)
        fig.update_layout(
            {
                scene: dict(
                    xaxis=dict(ax, range=b[0], title="x₁"),
                    yaxis=dict(ax, range=b[1], title="x₂"),
                    zaxis=dict(ax, range=b[2], title="x₃"),
                    aspectmode="cube",
                    camera=dict(eye=dict(x=1.5, y=-1.5, z=1.0)),
                )
            }
        )


def finish(fig: go.Figure, height: int, title: str | None = None, legend_y: float = -0.08) -> go.Figure:
    """The layout every figure of the representation picture shares: white, panning, legend below."""
    fig.update_layout(
        height=height,
        font=FONT,
        plot_bgcolor="white",
        paper_bgcolor="white",
        clickmode="event+select",
        margin=dict(l=10, r=10, t=60 if title else 40, b=10),
        title=title,
        dragmode="pan",
        hovermode="closest",
        legend=dict(
            orientation="h", yanchor="top", y=legend_y, xanchor="left", x=0, itemsizing="constant", font=dict(size=15)
        ),
    )
    for a in fig.layout.annotations:  # subplot titles: bigger, for the back row
        a.font = dict(size=18)
    return fit_margins(fig)


def highlight_from(point) -> tuple[str, int] | None:
    """A clicked point of :func:`picture_figure` (plotly's selection point, with its ``customdata``)
    as that figure's ``highlight``: ``("grid", i)`` for a vertex of M or its z, ``("point", i)`` for
    a data point x; ``None`` for anything else."""
    if point is None:
        return None
    cd = point.get("customdata")
    if isinstance(cd, (list, tuple)) and cd and isinstance(cd[0], (int, float)):
        return ("grid", int(cd[0]))
    if isinstance(cd, (int, float)) and cd >= POINT_OFFSET:
        return ("point", int(cd) - POINT_OFFSET)
    return None


def picture_figure(view: ManifoldView, highlight=None, segments: int = 150, height: int = 640) -> go.Figure:
    """The representation picture: data space (x, M, x̂, segments) beside latent space (z, density).

    ``highlight`` = ("grid", i) rings latent point i and g(z_i) on M; ("point", i) rings data
    point i, its x̂ and its code. The page feeds it from a click in either panel.
    """
    dim, k = view.dim, view.k
    titles = (
        "Data space: x, its reconstruction x̂, and M",
        "Latent space: z" + (" (first two of three axes)" if k == 3 else ""),
    )
    spec = [[{"type": "scene" if dim == 3 else "xy"}, {"type": "xy"}]]
    fig = make_subplots(1, 2, column_widths=[0.62, 0.38], specs=spec, subplot_titles=titles, horizontal_spacing=0.08)
    for tr in data_traces(view, segments):
        fig.add_trace(tr, row=1, col=1)
    for tr in latent_traces(view):
        fig.add_trace(tr, row=1, col=2)
    hd, hl = _highlight_traces(view, highlight)
    for tr in hd:
        fig.add_trace(tr, row=1, col=1)
    for tr in hl:
        fig.add_trace(tr, row=1, col=2)
    style_data_axes(fig, view.x, dim)
    if k == 1:
        fig.update_xaxes(title_text="z (the code: one number)", row=1, col=2, showgrid=True, gridcolor="#eee")
        fig.update_yaxes(
            title_text="density of codes (relative)",
            range=[-0.25, 1.15],
            row=1,
            col=2,
            showgrid=True,
            gridcolor="#eee",
            zeroline=False,
        )
    else:
        fig.update_xaxes(title_text="z₁", row=1, col=2, showgrid=True, gridcolor="#eee", zeroline=False)
        fig.update_yaxes(title_text="z₂", row=1, col=2, showgrid=True, gridcolor="#eee", zeroline=False)
    return finish(fig, height)


# ---------------------------------------------------------------- k is a prior


def k_compare_figure(views: list[ManifoldView], height: int = 520) -> go.Figure:
    """The same data with k = 1, 2, 3 side by side: M always has dimension k."""
    dim = views[0].dim
    titles = [f"k = {v.k}: M is {dim_word(v.k)}<br>test MSE {v.test_mse:.4f}" for v in views]  # 2 lines: no overlap
    spec = [[{"type": "scene" if dim == 3 else "xy"} for _ in views]]
    fig = make_subplots(1, len(views), specs=spec, subplot_titles=titles, horizontal_spacing=0.04)
    for c, v in enumerate(views, start=1):
        for tr in data_traces(v, segments=80, showlegend=c == 1):
            fig.add_trace(tr, row=1, col=c)
        scene = "scene" if c == 1 else f"scene{c}"
        style_data_axes(fig, v.x, dim, 1, c, scene=scene, pad=0.3 if dim == 2 else 0.05)
        if dim == 3:
            # The point here is M's shape, not coordinates: without axes each scene is the data
            # alone, drawn larger, with no three crowded sets of ticks; and the figure draws in
            # 0.9 s instead of 1.2 s in software WebGL (axes are ~0.1 s a scene).
            fig.update_layout({scene: {a: dict(visible=False) for a in ("xaxis", "yaxis", "zaxis")}})
    return finish(fig, height)


def dim_word(k: int) -> str:
    """What M is in words for a k-dimensional code: "a curve", "a surface", "a volume"."""
    return {1: "a curve", 2: "a surface", 3: "a volume"}.get(k, f"{k}-dimensional")


# ---------------------------------------------------------------- off-manifold probe


def probe_figure(view: ManifoldView, pr: RoundTrips | None, click_grid: int = 41, height: int = 600) -> go.Figure:
    """x₀ (placed by the user) and its iterates g(f(x₀)), g(f(g(f(x₀)))), … on M.

    For 2-D data an invisible grid of clickable points covers the plot, so a click anywhere
    places x₀ (customdata ``["place", x, y]``)."""
    dim = view.dim
    fig = go.Figure()
    b = bounds(view.x)
    if dim == 2 and click_grid:
        gx, gy = np.meshgrid(np.linspace(*b[0], click_grid), np.linspace(*b[1], click_grid))
        fig.add_trace(
            go.Scatter(
                x=gx.ravel().tolist(),
                y=gy.ravel().tolist(),
                mode="markers",
                marker=dict(size=14, color="rgba(0,0,0,0.0)"),
                showlegend=False,
                name="click to place x₀",
                customdata=[["place", float(a), float(c)] for a, c in zip(gx.ravel(), gy.ravel())],
                hovertemplate="click: put x₀ at (%{x:.2f}, %{y:.2f})<extra></extra>",
                meta={"role": "click-grid"},
            )
        )
    for tr in data_traces(view, segments=0, show_xhat=False):
        fig.add_trace(tr)
    if pr is not None:
        p = pr.points
        fig.add_trace(
            scatter(
                dim,
                mode="lines+markers+text",
                **xy(p),
                name="x₀ → g(f(x₀)) → … (iterates)",
                line=dict(color=BLACK, width=3),
                meta={"role": "probe"},
                marker=dict(size=_marker_size(dim, 10), color=[PINK] + [BLACK] * (len(p) - 1)),
                text=["x₀"] + ["" for _ in p[1:]],
                textposition="top right",
                textfont=dict(size=18),
                hovertemplate="step %{pointNumber}: " + _hover_xyz(dim) + "<extra></extra>",
            )
        )
        fig.add_trace(
            scatter(
                dim,
                mode="markers",
                **xy(p[:1]),
                name="x₀: your point (off M)",
                marker=dict(size=_marker_size(dim, 18), color=PINK, symbol="diamond", line=dict(width=2, color=BLACK)),
                meta={"role": "probe-start"},
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            scatter(
                dim,
                mode="markers",
                **xy(p[-1:]),
                name="where the iteration settles (on M)",
                marker=dict(size=_marker_size(dim, 16), color=BLACK, symbol="x"),
                meta={"role": "probe-end"},
                hoverinfo="skip",
            )
        )
    style_data_axes(fig, view.x, dim)
    if dim == 2:
        fig.update_xaxes(range=b[0])
        fig.update_yaxes(range=b[1])
    return finish(fig, height)


def probe_distance_figure(pr: RoundTrips, height: int = 300) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=[f"x{'₀₁₂₃₄₅₆₇₈₉'[i]}" if i < 10 else f"x{i}" for i in range(len(pr.dist_to_m))],
            y=pr.dist_to_m.tolist(),
            marker_color=[PINK] + [BLACK] * (len(pr.dist_to_m) - 1),
            meta={"role": "probe-dist"},
        )
    )
    fig.update_yaxes(title_text="distance to M", showgrid=True, gridcolor="#eee", exponentformat="e")
    fig.update_xaxes(title_text="iterate (x₁ = g(f(x₀)), x₂ = g(f(x₁)), …)")
    return finish(fig, height)
