"""Real browser, the Compare page on mnist-ae-2d beside mnist-vae-2d: a lasso around the densest
cluster of 1s fills the selection panel with 1s (grid and histogram), the VAE's plane lights up the
same examples, the plane exports a PNG at twice its size, the selection a CSV of one row per example,
and the page's URL, opened in a fresh browser, restores the selection."""

from __future__ import annotations

import csv
import io
import struct

import numpy as np
import pytest

from labtools.browser import assert_no_error, shot, wait_for_app
from labtools.plane_probe import PlaneProbe
from latentlab.server.plane import read_plane
from latentlab.server.static import STATIC_DIR, STATIC_URL

A, B = "mnist-ae-2d", "mnist-vae-2d"
#: The page's two linked planes, drawn: the test interface lists them left (A) to right (B).
PLANES = {"link": "cmp", "ready": True}


def _planes_ready(page, timeout=180_000) -> None:
    PlaneProbe(page).wait("all.length === 2", PLANES, timeout=timeout)


def _left_first(page) -> list[dict]:
    """The info of the left plane (A), then of the right one (B)."""
    return PlaneProbe(page).infos(PLANES)


def _selected(page) -> list[list[int]]:
    return [p["selection"] or [] for p in _left_first(page)]


def _densest_cluster(points: np.ndarray, labels: np.ndarray, cls: int, r: float) -> np.ndarray:
    """The centre of the densest cluster of class ``cls``: of its points whose ``r``-neighbourhood is
    at least 95 % that class, the one with the most neighbours."""
    from scipy.spatial import cKDTree

    tree = cKDTree(points)
    best, most = None, 0
    for i in np.flatnonzero(labels == cls)[::2]:
        nb = tree.query_ball_point(points[i], r)
        if len(nb) > most and np.mean(labels[nb] == cls) >= 0.95:
            best, most = points[i], len(nb)
    return best


def test_lasso_on_one_plane_selects_and_links_and_exports(browser, page, app_server, data_root):
    from aecore.storage.library import find_model

    if find_model(A) is None or find_model(B) is None:
        pytest.skip("the shipped MNIST models are not in checkpoints/")
    page.goto(app_server + f"/compare?cmp_a={A}&cmp_b={B}")
    wait_for_app(page, timeout=180_000)
    _planes_ready(page)
    probe = PlaneProbe(page)
    url_a = _left_first(page)[0]["url"]
    m = read_plane(STATIC_DIR / url_a.removeprefix(STATIC_URL + "/"))
    pts, labels = m["points"], m["labels"]  # (N, 2), (N,) in plane A's units

    # As a lecturer would: zoom into the densest cluster of 1s, then lasso around it.
    r = 0.01 * float(np.ptp(pts, axis=0).max())
    c = _densest_cluster(pts, labels, 1, r)
    xy = lambda x, y: probe.client_xy(float(x), float(y), PLANES)  # noqa: E731  (the left plane: A)
    page.mouse.move(*xy(*c))
    for _ in range(6):
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(150)
    # The zoom redrawn: no plane shows its old picture scaled any more.
    probe.wait("all.every((p) => Math.abs(p.baseScale - 1) < 1e-9)", PLANES, timeout=10_000)
    (cx, cy), (ex, _) = xy(*c), xy(c[0] + r, c[1])
    rad = max(12.0, ex - cx)
    page.locator("[data-testid='llplane-tools']").first.locator("button[data-tool='lasso']").click()
    ang = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    page.mouse.move(cx + rad, cy)
    page.mouse.down()
    for t in np.r_[ang, 2 * np.pi]:
        page.mouse.move(cx + rad * np.cos(t), cy + rad * np.sin(t), steps=3)
    page.mouse.up()

    panel = page.locator(".st-key-cmp_selection")
    panel.wait_for(timeout=60_000)
    wait_for_app(page)
    sel_a, sel_b = _selected(page)
    assert len(sel_a) >= 20 and sel_b == sel_a  # B lights up exactly the same examples
    assert page.get_by_test_id("llplane-selcount").nth(1).text_content().endswith("linked")  # B's count
    assert np.mean(labels[sel_a] == 1) >= 0.9
    grid = [int(i) for i in panel.get_by_test_id("cmp-grid").get_attribute("data-indices").split(",")]
    assert grid == sel_a[: len(grid)] and np.mean(labels[grid] == 1) >= 0.9  # the grid: ≥ 90 % 1s
    mix = panel.get_by_test_id("cmp-mix").inner_text()
    first, share = mix.removeprefix("Classes: ").split(" · ")[0].split(": ")
    assert first == "1" and int(share.rstrip("%")) >= 90  # and the histogram's line says so
    shot(page, "compare-lasso")
    panel.scroll_into_view_if_needed()
    shot(page, "compare-panel")

    # The plane as a PNG at twice its CSS size, its legend under it.
    with page.expect_download() as dl:
        page.get_by_test_id("llplane-png").first.click()
    png = open(dl.value.path(), "rb").read()
    w, h = struct.unpack(">II", png[16:24])  # the IHDR chunk
    export = probe.last_export()  # the left plane's, as drawn: its canvas size in CSS px
    css = [export["cssWidth"], export["cssHeight"]]
    assert w == 2 * css[0] and h > 2 * css[1]

    # The selection as CSV: one row per selected example.
    with page.expect_download() as dl:
        panel.get_by_role("button", name="Download the selection as CSV").click()
    rows = list(csv.reader(io.StringIO(open(dl.value.path()).read())))
    assert rows[0][:3] == ["index", "label", "class"] and [int(r[0]) for r in rows[1:]] == sel_a

    # The URL restores the selection in a fresh browser (no cookies, no session).
    wait_for_app(page)
    url = page.url
    assert "cmp_poly=" in url and "cmp_side=a" in url
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000})
    try:
        fresh = ctx.new_page()
        fresh.goto(url)
        wait_for_app(fresh, timeout=180_000)
        _planes_ready(fresh)
        fresh.locator(".st-key-cmp_selection").wait_for(timeout=60_000)
        PlaneProbe(fresh).wait("all.every((p) => p.selection && p.selection.length)", PLANES, timeout=30_000)
        assert _selected(fresh) == [sel_a, sel_a]
        assert f"{len(sel_a):,} selected on A" in fresh.locator(".st-key-cmp_selection").inner_text()
        # A double-click on a class in B's legend selects that class, on both planes.
        sevens = int((labels == 7).sum())
        fresh.locator(".llplane-legend").nth(1).get_by_role("button", name="7", exact=True).dblclick()
        fresh.get_by_text(f"{sevens:,} selected on B").wait_for(timeout=60_000)
        wait_for_app(fresh)
        assert _selected(fresh) == [np.flatnonzero(labels == 7).tolist()] * 2
        assert "Classes: 7: 100%" in fresh.get_by_test_id("cmp-mix").inner_text()
        # The attribute vector's report: test 3s moved toward the 8s are called 8 more often.
        attr = fresh.get_by_test_id("cmp-attr")
        assert float(attr.get_attribute("data-after")) > float(attr.get_attribute("data-before")) + 0.2
        assert_no_error(fresh)
    finally:
        ctx.close()
    assert_no_error(page)
