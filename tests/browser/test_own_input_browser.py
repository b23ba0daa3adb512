"""Real browser: the user's own input on the Latent explorer. A "1" drawn on the pad lands among
the 1s as it is drawn, with its reconstruction; a picture of a test "7" lands on that image's own
code."""

import json
import re

import numpy as np
from PIL import Image

from labtools.browser import assert_no_error, shot, wait_for_app, wait_for_map
from labtools.plane_probe import PlaneProbe

MODEL = "mnist-ae-2d"
#: The page's plane (drawn, as its file is loaded): Python's decoded z on it is info's "marker".
PLANE = {"ready": True}


def _marker(page):
    return PlaneProbe(page).info(PLANE)["marker"]


def _nearest_classes(page) -> list[str]:
    """The classes of the nearest training examples the own-input panel lists."""
    text = page.locator(".st-key-ex_own_panel").inner_text()
    line = [ln for ln in text.splitlines() if re.match(r"^\S+ \(\d", ln)][-1]
    return re.findall(r"(\S+) \(\d", line)


def test_draw_a_one_then_upload_a_seven(page, app_server, data_root, tmp_path):
    from aecore.analysis import coding
    from aecore.data.sets import load_dataset
    from aecore.storage.checkpoint import load_checkpoint
    from aecore.storage.library import find_model

    page.goto(app_server + f"/explorer?ex_model={MODEL}&ex_own=1")
    wait_for_app(page, timeout=180_000)
    wait_for_map(page)
    pad = page.locator("[data-testid='lldraw-canvas']")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    x = box["x"] + box["width"] * 0.5
    page.mouse.move(x, box["y"] + box["height"] * 0.15)
    page.mouse.down()
    for t in np.linspace(0.15, 0.85, 30):  # a vertical stroke: a "1"
        page.mouse.move(x, box["y"] + box["height"] * t)
        page.wait_for_timeout(15)
    page.mouse.up()
    page.locator(".st-key-ex_own_panel").wait_for(timeout=60_000)
    wait_for_app(page)
    classes = _nearest_classes(page)
    assert classes.count("1") > len(classes) / 2, classes  # it landed among the 1s
    assert page.locator(".st-key-ex_own_panel img").count() >= 3  # x, x̂ and the neighbours
    drawn = _marker(page)
    assert drawn is not None
    assert_no_error(page)
    shot(page, "explorer-own-drawing")

    # A picture of a test "7", as a PNG: it lands on that image's own code.
    ds = load_dataset("mnist", root=data_root)
    i = int(np.flatnonzero(ds.y_test.numpy() == 7)[0])
    img = np.round(ds.x_test[i].numpy().reshape(28, 28) * 255).astype(np.uint8)
    path = tmp_path / "seven.png"
    Image.fromarray(img, "L").save(path)
    page.locator(".st-key-ex_upload input[type='file']").set_input_files(str(path))
    PlaneProbe(page).wait(
        f"s && JSON.stringify(s.marker) !== JSON.stringify({json.dumps(drawn)})", PLANE, timeout=60_000
    )
    wait_for_app(page)
    got = np.asarray(_marker(page))
    want = coding.encode_array(load_checkpoint(find_model(MODEL).path).model, ds.x_test[i : i + 1])[0]
    assert np.abs(got - want).max() <= 0.05, (got, want)
    assert "7" in _nearest_classes(page)
    assert_no_error(page)
    shot(page, "explorer-own-upload")


def test_the_latent_map_takes_a_drawing_too_and_a_click_takes_the_panel_back(page, app_server):
    page.goto(app_server + "/?home_model=digits-ae-2d&home_own=1")
    wait_for_app(page, timeout=180_000)
    wait_for_map(page)
    pad = page.locator("[data-testid='lldraw-canvas']")
    box = pad.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.5, steps=12)  # a "-"
    page.mouse.up()
    page.locator(".st-key-home_own_panel").wait_for(timeout=60_000)
    assert _marker(page) is not None
    # A click on the map: its panel replaces the drawing's.
    canvas = page.locator("[data-testid='llplane-canvas']")
    cb = canvas.bounding_box()
    page.mouse.click(cb["x"] + 8, cb["y"] + 8)  # empty space, top left
    page.get_by_text("Empty space").wait_for(timeout=60_000)
    wait_for_app(page)
    assert page.locator(".st-key-home_own_panel").count() == 0
    assert_no_error(page)
