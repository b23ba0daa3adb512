"""Real browser, the plane component alone: a plane too big to draw dot by dot (300,000 points) is
drawn by WebGL or, without it, as pixels accumulated in JavaScript (both run here: this Chromium has
software WebGL); its hover pick finds the nearest point, and a zoom scales the drawn plane at once,
then redraws it when the wheel rests."""

import re

import numpy as np
import pytest

from labtools.plane_harness import serve, write_harness
from labtools.plane_probe import PlaneProbe
from latentlab.server.plane import read_plane


@pytest.mark.parametrize("renderer,drawn_by", [("webgl", "webgl"), ("canvas", "raster")])
def test_a_big_plane_draws_picks_and_zooms(browser, tmp_path, renderer, drawn_by):
    path = write_harness(tmp_path, "p", 300_000)
    m = read_plane(path)
    srv, base = serve(tmp_path)
    try:
        # The suite's one browser: a second Playwright session cannot start inside it.
        page = browser.new_page(viewport={"width": 1200, "height": 950})
        page.goto(f"{base}/p.html?renderer={renderer}")
        page.wait_for_function("() => !!window.__drawn", timeout=60_000)
        assert page.evaluate("() => window.__drawn") < 5_000  # page load to the points drawn, ms
        canvas = page.locator("[data-testid='llplane-canvas']")
        assert canvas.get_attribute("data-points") == "300000"
        assert canvas.get_attribute("data-renderer") == drawn_by
        # The pixels are the points: dark where the classes are, white far outside them.
        grey = page.evaluate("""() => { const c = document.querySelector("[data-testid='llplane-canvas']");
            const a = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let ink = 0;
            for (let i = 0; i < a.length; i += 4) if (a[i] + a[i + 1] + a[i + 2] < 600) ink++; return ink; }""")
        assert grey > 20_000
        # Hover pick at point 123's own pixel finds a point at most a few pixels away: the pointer
        # there, the tooltip names the point picked ("class · #j"; none picked: no tooltip).
        i, probe = 123, PlaneProbe(page)
        pts = m["points"].astype(np.float64)  # the file's float32 points, as the page has them
        page.mouse.move(*probe.point_xy(i))
        tip = page.locator("[data-testid='llplane-tip']")
        tip.wait_for(state="visible", timeout=10_000)
        j = int(re.search(r"#(\d+)", tip.inner_text()).group(1))
        x, y = probe.to_px(*pts[i])
        u, v = probe.to_px(*pts[j])
        got = [j, float(np.hypot(u - x, v - y))]
        assert got[0] >= 0 and got[1] <= 8
        assert np.isfinite(m["points"][got[0]]).all()
        # A wheel zoom: the frame at once scales the plane drawn before; the redraw waits for rest.
        box = canvas.bounding_box()
        draws0, scaled0 = probe.stats()["baseDraws"], probe.stats()["scaledFrames"]
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, -300)
        # Shown scaled first: frames drew the old picture scaled (counted, so a loaded machine that
        # reaches the redraw before this test looks still sees them).
        probe.wait(f"st.scaledFrames > {scaled0}", timeout=5_000)
        # Then redrawn at the new view, once the wheel rested.
        probe.wait("Math.abs(s.baseScale - 1) < 1e-9", timeout=5_000)
        assert probe.stats()["baseDraws"] > draws0
        page.close()
    finally:
        srv.shutdown()


def test_a_live_plane_is_replaced_in_place(browser, tmp_path):
    """The train page's plane gets a new file every epoch (``live``): the old picture stays up, with
    no "Loading" message, until the new one is drawn. Without ``live`` a new file starts over."""
    write_harness(tmp_path, "a", 2_000, seed=0)
    write_harness(tmp_path, "b", 2_000, seed=1)
    srv, base = serve(tmp_path)
    mount = """async ([url, live]) => { const mod = await import("./plane.mjs");
        mod.default({ parentElement: document.getElementById("root"),
                      data: [{ mode: "click", url, height: 500, hint: "", live }], setStateValue: () => {} });
        const msg = document.querySelector("[data-testid='llplane-msg']");
        return getComputedStyle(msg).display !== "none"; }"""
    try:
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.goto(f"{base}/a.html")
        page.wait_for_function("() => !!window.__drawn", timeout=60_000)
        assert page.evaluate(mount, ["./b.bin", True]) is False  # no message: the old plane stays up
        PlaneProbe(page).wait("s && s.file === './b.bin' && s.bounds", timeout=30_000)  # b's file, loaded
        assert page.locator("[data-testid='llplane-canvas']").get_attribute("data-ready") == "1"
        assert page.evaluate(mount, ["./a.bin", False]) is True  # a plane that is not live starts over
        page.close()
    finally:
        srv.shutdown()
