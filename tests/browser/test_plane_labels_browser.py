"""Real browser: class labels on the latent plane on request, a legend in its exported PNG, and an
accessible name on every canvas a page shows.

The first two tests mount the plane component alone (labtools.plane_harness, no Streamlit: ~3 s
each); the last opens the Latent explorer with the drawing pad (one live app, ~15 s with its start).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from labtools.browser import assert_no_error, wait_for_app, wait_for_map
from labtools.plane_harness import serve, write_harness
from labtools.plane_probe import PlaneProbe
from latentlab.figures.palette import PALETTE
from latentlab.server.plane import read_plane

BUTTON = "[data-testid='llplane-labels']"
CANVAS = "[data-testid='llplane-canvas']"


def _open_harness(browser, tmp_path, n: int = 3_000):
    path = write_harness(tmp_path, "p", n)
    srv, base = serve(tmp_path)
    page = browser.new_page(viewport={"width": 1200, "height": 950}, accept_downloads=True)
    page.goto(f"{base}/p.html?renderer=canvas")
    page.wait_for_function("() => !!window.__drawn", timeout=60_000)
    return srv, page, read_plane(path)


def _drawn(page) -> dict[str, list[float]]:
    """The labels the plane drew last frame: name -> [x, y] in CSS px of the canvas."""
    page.wait_for_timeout(50)  # one animation frame after the change
    return {lb["name"]: [lb["x"], lb["y"]] for lb in PlaneProbe(page).labels_at()}


def _expected(page, m) -> dict[str, list[float]]:
    """Where each class's median point is in the plane's current view, CSS px."""
    med = {m["class_names"][c]: np.median(m["points"][m["labels"] == c], axis=0).tolist() for c in range(10)}
    probe = PlaneProbe(page)
    return {k: probe.to_px(x, y) for k, (x, y) in med.items()}


def _near(drawn, expected, slack_y: float = 0) -> None:
    """Each label at its class's median: x within a pixel, y within ``slack_y`` (a label that would
    cover another moves up or down by its height, at most twice)."""
    assert set(drawn) == set(expected), (sorted(drawn), sorted(expected))
    for k, (x, y) in drawn.items():
        ex, ey = expected[k]
        assert abs(x - ex) < 1 and abs(y - ey) <= slack_y + 1, (k, (x, y), (ex, ey))


def test_labels_button_draws_each_class_name_at_its_centre_and_follows_the_view(browser, tmp_path):
    srv, page, m = _open_harness(browser, tmp_path)
    try:
        button, canvas = page.locator(BUTTON), page.locator(CANVAS)
        assert button.get_attribute("aria-pressed") == "false" and _drawn(page) == {}
        assert "class" in button.get_attribute("title")
        box = canvas.bounding_box()
        ink = """() => { const c = document.querySelector("[data-testid='llplane-canvas']");
            const a = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let s = 0;
            for (let i = 0; i < a.length; i += 4) s += a[i] + a[i + 1] + a[i + 2]; return s; }"""
        before = page.evaluate(ink)

        # By keyboard, as the other toolbar buttons: focus it and press Enter.
        button.focus()
        page.keyboard.press("Enter")
        assert button.get_attribute("aria-pressed") == "true"
        drawn = _drawn(page)
        slack = 2 * (16 + 6)  # two label heights (16 px font + 6)
        _near(drawn, _expected(page, m), slack)
        assert canvas.get_attribute("data-labels").split("|") == [str(c) for c in range(10)]
        assert page.evaluate(ink) != before  # the names are pixels on the canvas, not just a list

        # A pan moves every label with its points; a wheel zoom re-places them at the new scale.
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(cx, cy)
        page.mouse.down()
        page.mouse.move(cx + 60, cy + 30, steps=4)
        page.mouse.move(cx + 120, cy + 40, steps=4)
        page.mouse.up()
        panned = _drawn(page)
        for k, (x, y) in panned.items():
            assert abs(x - drawn[k][0] - 120) < 1.5 and abs(y - drawn[k][1] - 40) < 1.5, (k, drawn[k], (x, y))
        page.mouse.wheel(0, -400)
        page.wait_for_timeout(300)
        _near(_drawn(page), {k: v for k, v in _expected(page, m).items() if k in _drawn(page)}, slack)

        # A hidden class loses its label; the button off draws none.
        page.locator(".llplane-chip", has_text="3").click()
        assert "3" not in _drawn(page)
        button.click()
        assert button.get_attribute("aria-pressed") == "false" and _drawn(page) == {}
        assert canvas.get_attribute("data-labels") == ""
        page.close()
    finally:
        srv.shutdown()


def test_exported_png_has_a_legend_and_the_labels(browser, tmp_path):
    srv, page, m = _open_harness(browser, tmp_path)
    try:

        def export() -> tuple[Image.Image, dict]:
            with page.expect_download() as dl:
                page.locator("[data-testid='llplane-png']").click()
            img = Image.open(io.BytesIO(open(dl.value.path(), "rb").read())).convert("RGB")
            return img, PlaneProbe(page).last_export()

        plain, info = export()
        W, H = info["cssWidth"], info["cssHeight"]  # the plane's canvas size (CSS px) as it was exported
        # The plane at twice its size, and a legend under it.
        assert plain.size == (2 * W, info["height"]) and info["height"] > 2 * H + 60
        assert info["planeHeight"] == 2 * H
        texts = [it["text"] for it in info["legend"]]
        assert texts[:10] == [str(c) for c in range(10)]
        assert "shading: density of training codes" in texts and "outside this line g extrapolates" in texts
        # Each class's swatch is its colour, read from the PNG file itself.
        for c, it in enumerate(info["legend"][:10]):
            want = np.array([int(PALETTE[c][k : k + 2], 16) for k in (1, 3, 5)])
            got = np.array(plain.getpixel(tuple(it["px"])))
            assert np.abs(got - want).max() <= 3, (c, got, want)
            assert it["px"][1] > 2 * H  # under the plane
        assert info["labels"] == []

        # With labels on, they are in the PNG: the plane part differs where the names are written.
        page.locator(BUTTON).click()
        labelled, info2 = export()
        assert info2["labels"] == [str(c) for c in range(10)]
        a = np.asarray(plain, dtype=int)[: 2 * H]
        b = np.asarray(labelled, dtype=int)[: 2 * H]
        for name, (lx, ly) in _drawn(page).items():
            x, y = int(2 * lx), int(2 * ly)
            patch = np.abs(a[y - 12 : y + 12, x - 12 : x + 12] - b[y - 12 : y + 12, x - 12 : x + 12]).sum(-1)
            assert (patch > 60).sum() > 20, name  # the name's strokes and halo
        page.close()
    finally:
        srv.shutdown()


#: Every <canvas> on the page, through shadow roots, with its accessible name: its own aria-label
#: (or aria-labelledby text), else an ancestor's with role=img (a canvas inside a picture).
CANVAS_NAMES = """() => {
    const out = [];
    const walk = (root) => {
        for (const el of root.querySelectorAll('*')) {
            if (el.shadowRoot) walk(el.shadowRoot);
            if (el.tagName !== 'CANVAS') continue;
            let name = (el.getAttribute('aria-label') || '').trim();
            const by = el.getAttribute('aria-labelledby');
            const text = (id) => (el.getRootNode().getElementById(id) || {}).textContent || '';
            if (!name && by) name = by.split(/\\s+/).map(text).join(' ').trim();
            for (let a = el.parentElement; !name && a; a = a.parentElement) {
                if (a.getAttribute('role') === 'img') name = (a.getAttribute('aria-label') || '').trim();
            }
            out.push({ testid: el.dataset.testid || el.className || '', role: el.getAttribute('role'), name });
        }
    };
    walk(document);
    return out;
}"""


def test_every_canvas_on_the_explorer_and_its_drawing_pad_is_named(page, app_server):
    page.goto(app_server + "/explorer?ex_model=digits-ae-2d&ex_own=1")
    wait_for_app(page)
    wait_for_map(page)
    pad = page.locator("[data-testid='lldraw-canvas']")
    pad.wait_for(timeout=60_000)
    assert_no_error(page)
    found = page.evaluate(CANVAS_NAMES)
    assert len(found) >= 6, found  # the plane, its tooltip, inset and panels, the pad
    unnamed = [f for f in found if not f["name"]]
    assert not unnamed, unnamed
    assert pad.get_attribute("role") == "img"
    name = pad.get_attribute("aria-label")
    assert name.startswith("Drawing pad") and "pixels" in name and name.endswith("empty")
    # A stroke: the name says the pad now holds a drawing.
    b = pad.bounding_box()
    page.mouse.move(b["x"] + b["width"] * 0.5, b["y"] + b["height"] * 0.2)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] * 0.5, b["y"] + b["height"] * 0.8, steps=5)
    page.mouse.up()
    assert pad.get_attribute("aria-label").endswith("holds a drawing")
