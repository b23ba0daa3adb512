"""Real browser, a page to share: the Latent explorer saves its plane (the shipped MNIST 2-D AE, its
10,000 test images) as one HTML file; that file, opened from file:// with the network off, draws the
plane, and a click decodes in the page within 1e-4 of torch. Its size is reported in out/share.json."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
import torch

from aecore.data.sets import is_available
from aecore.storage.checkpoint import load_checkpoint
from aecore.storage.library import SHIPPED_DIR
from labtools.browser import ROOT, assert_no_error, shot, wait_for_app, wait_for_map
from labtools.plane_probe import PlaneProbe
from latentlab.server.plane import MAGIC

MODEL = "mnist-ae-2d"
#: The issue's target for a 10,000-point MNIST plane.
TARGET_MB = 5.0


def _embedded(html: str) -> dict:
    """The page's plane data (its #ll-data JSON)."""
    text = re.search(r'<script type="application/json" id="ll-data">(.*?)</script>', html, re.S).group(1)
    return json.loads(text)


def _plane_header(data_url: str) -> dict:
    raw = base64.b64decode(data_url.split(",", 1)[1])
    assert raw[: len(MAGIC)] == MAGIC
    n = int.from_bytes(raw[len(MAGIC) : len(MAGIC) + 4], "little")
    return json.loads(raw[len(MAGIC) + 4 : len(MAGIC) + 4 + n])


def test_the_explorer_saves_a_plane_that_opens_offline_and_decodes_a_click(browser, app_server, tmp_path):
    if not is_available("mnist"):
        pytest.skip("MNIST is not here")
    # 1. The explorer's button, as a lecturer presses it.
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    try:
        page = ctx.new_page()
        page.goto(f"{app_server}/explorer?ex_model={MODEL}&ex_split=test")
        wait_for_app(page, timeout=240_000)
        wait_for_map(page)
        with page.expect_download(timeout=120_000) as dl:
            page.get_by_role("button", name="Save this plane as one HTML page").click()
        path = tmp_path / "plane.html"
        dl.value.save_as(path)
    finally:
        ctx.close()
    html = path.read_text(encoding="utf-8")
    data = _embedded(html)
    head = _plane_header(data["url"])
    assert head["n"] == 10_000 and data["manifest"]["weights_url"].startswith("data:")
    mb = path.stat().st_size / 1e6
    (ROOT / "out").mkdir(exist_ok=True)
    (ROOT / "out" / "share.json").write_text(json.dumps({"model": MODEL, "points": head["n"], "mb": round(mb, 2)}))
    print(f"the shared page of {MODEL}'s 10,000 test codes: {mb:.2f} MB")
    assert mb <= TARGET_MB

    # 2. Opened by double-click: file://, no server, the network off (any request but the file fails).
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    asked = []

    def only_the_file(route):
        """The page file itself may load; any other request is recorded and fails."""
        if route.request.url == path.as_uri():
            return route.continue_()
        asked.append(route.request.url)
        return route.abort()

    ctx.route("**/*", only_the_file)
    try:
        page = ctx.new_page()
        page.goto(path.as_uri())
        assert wait_for_map(page) == 10_000
        plane = PlaneProbe(page)
        plane.wait("s && s.ready && s.decoder", timeout=60_000)
        info = plane.info()
        # A click on empty space near the plane's corner, where no example lies under the pointer.
        x0, x1, y0, y1 = info["bounds"]
        cx, cy = plane.client_xy(x0 + 0.93 * (x1 - x0), y0 + 0.07 * (y1 - y0))
        page.mouse.click(cx, cy)
        plane.wait("s && s.inset", timeout=10_000)
        point, got = plane.info()["inset"], plane.inset_decoded()
        assert_no_error(page)
        shot(page, "share-file", full_page=False)
    finally:
        ctx.close()
    assert not asked, f"the page asked for more than itself: {asked[:5]}"
    model = load_checkpoint(SHIPPED_DIR / f"{MODEL}.safetensors").model
    lm = head["linear_map"]
    z = np.asarray(lm["mean"]) + np.asarray(point) @ np.asarray(lm["basis"])  # the clicked point's code
    assert np.abs(np.asarray(got["z"]) - z).max() <= 1e-4
    with torch.no_grad():
        want = model.decode(torch.as_tensor(z, dtype=torch.float32)[None])[0].numpy()  # (784,)
    assert np.abs(np.asarray(got["x"]) - want).max() <= 1e-4
