"""Real browser, the plane component alone: a plane too big to draw dot by dot (300,000 points) is
drawn by WebGL or, without it, as pixels accumulated in JavaScript (both run here: this Chromium has
software WebGL); its hover pick finds the nearest point, and a zoom scales the drawn plane at once,
then redraws it when the wheel rests."""

import numpy as np
import pytest

from labtools.plane_harness import serve, write_harness
from web.plane import read_plane


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
        # Hover pick at point 123's own pixel finds a point at most a few pixels away.
        i = 123
        got = page.evaluate(
            """(i) => { const p = window.__llplane.last, [x, y] = p.toPx(p.m.pts[2 * i], p.m.pts[2 * i + 1]);
               const j = p.pick(x, y), [u, v] = p.toPx(p.m.pts[2 * j], p.m.pts[2 * j + 1]);
               return [j, Math.hypot(u - x, v - y)]; }""",
            i,
        )
        assert got[0] >= 0 and got[1] <= 8
        assert np.isfinite(m["points"][got[0]]).all()
        # A wheel zoom: the frame at once scales the plane drawn before; the redraw waits for rest.
        box = canvas.bounding_box()
        draws0 = page.evaluate("() => window.__llplane.stats.baseDraws")
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(50)
        assert page.evaluate("() => window.__llplane.last.baseShift()[2]") > 1.05  # shown scaled
        page.wait_for_function(  # then redrawn at the new view, once the wheel rested
            "() => Math.abs(window.__llplane.last.baseShift()[2] - 1) < 1e-9", timeout=5_000
        )
        assert page.evaluate("() => window.__llplane.stats.baseDraws") > draws0
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
        page.wait_for_function(
            "() => window.__llplane.last.mUrl === './b.bin' && window.__llplane.last.m", timeout=30_000
        )
        assert page.locator("[data-testid='llplane-canvas']").get_attribute("data-ready") == "1"
        assert page.evaluate(mount, ["./a.bin", False]) is True  # a plane that is not live starts over
        page.close()
    finally:
        srv.shutdown()
