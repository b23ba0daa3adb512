"""Lecture mode in a real browser: deep links restore the exact view; presenter mode hides controls."""

import base64
import io
import re

import numpy as np
from PIL import Image

from aecore.analysis import coding
from aecore.data.sets import load_dataset
from aecore.storage.checkpoint import load_checkpoint
from aecore.storage.library import find_model
from labtools.browser import assert_no_error, shot, wait_for_app


def _img_pixels(page, selector: str) -> np.ndarray:
    """The pixels of an <img> exactly as the server sent them (PNG bytes fetched by the page)."""
    page.wait_for_selector(selector, timeout=120_000)
    b64 = page.evaluate(
        """async (sel) => {
            const r = await fetch(document.querySelector(sel).src);
            const buf = new Uint8Array(await r.arrayBuffer());
            let s = ""; for (const c of buf) s += String.fromCharCode(c);
            return btoa(s);
        }""",
        selector,
    )
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(b64))).convert("L"))


def test_deep_link_decodes_the_same_z(page, app_server):
    z = [3.5, -2.25]
    page.goto(app_server + "/explorer?ex_model=digits-ae-2d&ex_z=3.5,-2.25")
    wait_for_app(page, timeout=180_000)
    assert_no_error(page)
    shown = _img_pixels(page, ".st-key-ex_decoded img")
    ck = load_checkpoint(find_model("digits-ae-2d").path)
    ds = load_dataset("digits")
    # The server sends the image at its own resolution; the browser scales it up.
    expected = coding.to_display(coding.decode_array(ck.model, z)[0], ds.image_shape, 1)
    assert shown.shape == expected.shape
    assert np.abs(shown.astype(int) - expected.astype(int)).max() <= 1
    # ...and it is not just any image: a different z decodes differently.
    other = coding.to_display(coding.decode_array(ck.model, [-3.0, 4.0])[0], ds.image_shape, 1)
    assert np.abs(shown.astype(int) - other.astype(int)).max() > 20
    assert "ex_z=3.5%2C-2.25" in page.url or "ex_z=3.5,-2.25" in page.url


def _nav_link(page, title: str):
    # A nav link's text content is "<icon name><title>", e.g. "model_trainingTrain": match the end.
    return page.locator("[data-testid='stSidebarNavLink']", has_text=re.compile(re.escape(title) + r"\s*$"))


def test_presenter_mode_hides_advanced_controls(page, app_server):
    page.goto(app_server + "/explorer?ex_model=digits-ae-2d&ex_z=0,0")
    wait_for_app(page, timeout=180_000)
    assert page.get_by_text("Set z by hand", exact=True).count() == 1
    assert _nav_link(page, "Train").count() == 1
    page.goto(app_server + "/explorer?ex_model=digits-ae-2d&ex_z=0,0&presenter=1")
    wait_for_app(page, timeout=180_000)
    assert_no_error(page)
    assert page.get_by_text("Set z by hand", exact=True).count() == 0
    assert _nav_link(page, "Model library").count() == 0  # file management hidden
    assert _nav_link(page, "Train").count() == 1  # a live training stays available (compact controls)
    # ?presenter=1 reruns the app once (to rebuild the navigation): wait for that rerun's image.
    page.wait_for_selector(".st-key-ex_decoded img", timeout=120_000)
    assert page.locator(".st-key-ex_decoded img").count() == 1  # the audience still sees the decode
    assert "presenter=" in page.url
    shot(page, "presenter-explorer")
