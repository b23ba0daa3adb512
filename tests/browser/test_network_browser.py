"""Real browser, the Two pictures page: clicking an example on the latent plane redraws the network
with that example's activations (the figure's input column is that image, its code column the code
the plane shows it at), on an MLP and on a conv model."""

from __future__ import annotations

import numpy as np
import pytest

from labtools.browser import assert_no_error, shot, wait_for_app, wait_for_map
from labtools.plane_probe import PlaneProbe


def column(gd, i: int) -> np.ndarray:
    """What the figure drawn in the browser holds as column ``i``'s values (its heatmap's z)."""
    from latentlab.figures.base import trace_values

    return trace_values(gd.evaluate("(gd, i) => gd.data[i].z", i)).reshape(-1)


@pytest.mark.parametrize("model", ["mnist-ae-2d", "mnist-conv-ae-2d"])
def test_a_click_redraws_both_pictures(page, app_server, data_root, model):
    from aecore.analysis.network import activations
    from aecore.data.sets import load_dataset
    from aecore.storage.checkpoint import load_checkpoint
    from aecore.storage.library import find_model

    if find_model(model) is None:
        pytest.skip(f"{model} is not in checkpoints/")
    net = load_checkpoint(find_model(model).path).model
    x_test = load_dataset("mnist", root=data_root).x_test
    page.goto(app_server + f"/network?tp_model={model}")
    wait_for_app(page, timeout=180_000)
    wait_for_map(page)
    j = 1234
    xy = PlaneProbe(page).point_xy(j)
    page.mouse.click(*xy)
    page.wait_for_function(f"() => location.search.includes('tp_i={j}')", timeout=60_000)
    wait_for_app(page)
    gd = page.locator(".js-plotly-plot").first
    gd.wait_for(timeout=60_000)
    want = activations(net, x_test[j].numpy())
    assert np.allclose(column(gd, 0), want[0].values, atol=1e-6)  # the clicked image is the input column
    k = next(i for i, ly in enumerate(want) if ly.role == "code")
    assert np.allclose(column(gd, k), want[k].values, atol=1e-5)  # its code
    if model == "mnist-ae-2d":
        shot(page, "network-mlp")
    assert_no_error(page)


def test_a_drawing_is_the_x_of_both_pictures(page, app_server, data_root):
    """With the own-input switch, a stroke on the pad becomes x: the network's input column and the
    plane's marker follow it (a click on a dot brings the test example back)."""
    from aecore.storage.library import find_model

    if find_model("mnist-ae-2d") is None:
        pytest.skip("mnist-ae-2d is not in checkpoints/")
    page.goto(app_server + "/network?tp_model=mnist-ae-2d&tp_own=1&tp_i=0")
    wait_for_app(page, timeout=180_000)
    wait_for_map(page)
    gd = page.locator(".js-plotly-plot").first
    before = column(gd, 0)
    pad = page.locator("[data-testid='lldraw-canvas']")
    box = pad.bounding_box()
    x = box["x"] + box["width"] * 0.5
    page.mouse.move(x, box["y"] + box["height"] * 0.15)
    page.mouse.down()
    for t in np.linspace(0.15, 0.85, 12):
        page.mouse.move(x, box["y"] + box["height"] * t)  # a "1"
    page.mouse.up()
    page.get_by_text("Your own input", exact=True).last.wait_for(timeout=60_000)
    wait_for_app(page)
    drawn = column(page.locator(".js-plotly-plot").first, 0)
    assert not np.allclose(drawn, before) and drawn.max() > 0.5  # the drawing, not test image 0
    assert_no_error(page)
