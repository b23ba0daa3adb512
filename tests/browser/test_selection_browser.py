"""Real browser: lasso a cluster on the MNIST latent plane; the component selects exactly the points
inside the polygon (checked with an independent point-in-polygon in Python), and the explorer,
which receives them, summarises that selection; Invert and Clear work."""

import numpy as np
import pytest

from labtools.browser import assert_no_error, shot, wait_for_app, wait_for_map
from labtools.plane_probe import PlaneProbe
from latentlab.server.plane import read_plane
from latentlab.server.static import STATIC_DIR, STATIC_URL

MODEL = "mnist-ae-2d"


def inside(points: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Even-odd rule for points ``(N, 2)`` in polygon ``(V, 2)`` → bool ``(N,)``."""
    x, y = points[:, 0].astype(np.float64), points[:, 1].astype(np.float64)
    out = np.zeros(len(points), bool)
    for (xi, yi), (xj, yj) in zip(poly, np.roll(poly, 1, axis=0)):
        with np.errstate(divide="ignore", invalid="ignore"):
            cross = ((yi > y) != (yj > y)) & (x < (xj - xi) * (y - yi) / (yj - yi) + xi)
        out ^= cross
    return out


def test_lasso_selects_exactly_the_points_inside(page, app_server, data_root):
    from aecore.storage.library import find_model

    if find_model(MODEL) is None:
        pytest.skip(f"{MODEL} is not in checkpoints/")
    page.goto(app_server + f"/explorer?ex_model={MODEL}")
    wait_for_app(page, timeout=180_000)
    wait_for_map(page)
    probe = PlaneProbe(page)
    url = probe.info()["url"]
    m = read_plane(STATIC_DIR / url.removeprefix(STATIC_URL + "/"))
    pts, labels = m["points"], m["labels"]  # (N, 2), (N,)

    # A lasso around the 1s: an irregular 14-gon about their median, in screen pixels.
    c = np.median(pts[labels == 1], axis=0)
    cx, cy = probe.client_xy(float(c[0]), float(c[1]))
    ang = np.linspace(0, 2 * np.pi, 14, endpoint=False)
    rad = 22 + 7 * np.sin(3 * ang)
    page.locator("[data-testid='llplane-tools'] button[data-tool='lasso']").click()
    page.mouse.move(cx + rad[0], cy)
    page.mouse.down()
    for a, r in zip(np.r_[ang, 2 * np.pi], np.r_[rad, rad[0]]):
        page.mouse.move(cx + r * np.cos(a), cy + r * np.sin(a), steps=4)
    page.mouse.up()

    info = probe.info()
    got = info["selection"] or []
    poly = np.asarray(info["polygon"], np.float64)  # plane units
    want = np.flatnonzero(inside(pts, poly))
    assert 30 < len(want) < len(pts) / 4  # a cluster, not the whole plane
    assert got == want.tolist()  # exactly the points inside, no more, no fewer

    # Python received them: the explorer's summary counts the same points and names their classes.
    summary = page.locator(".st-key-exs_selection")
    summary.get_by_text(f"{len(want):,} selected").wait_for(timeout=60_000)
    wait_for_app(page)
    top = np.bincount(labels[want]).argmax()
    assert f"{top}: {np.mean(labels[want] == top):.0%}" in summary.inner_text()
    shown = [int(i) for i in summary.get_by_test_id("exs-grid").get_attribute("data-indices").split(",")]
    assert shown == want[: len(shown)].tolist()  # the first selected images
    shot(page, "explorer-lasso")

    page.locator("[data-testid='llplane-tools'] button[data-act='invert']").click()
    summary.get_by_text(f"{len(pts) - len(want):,} selected").wait_for(timeout=60_000)
    page.locator("[data-testid='llplane-tools'] button[data-act='clear']").click()
    probe.wait("!s.selection", timeout=10_000)
    wait_for_app(page)
    assert page.locator(".st-key-exs_selection").count() == 0
    assert_no_error(page)
