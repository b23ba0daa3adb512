"""Real browser, the Two pictures page: clicking an example on the latent plane redraws the network
with that example's activations (the figure's input column is that image, its code column the code
the plane shows it at), on an MLP and on a conv model."""

from __future__ import annotations

import numpy as np
import pytest

from labtools.browser import assert_no_error, shot, wait_for_app, wait_for_map


def column(gd, i: int) -> np.ndarray:
    """What the figure drawn in the browser holds as column ``i``'s values (its heatmap's z)."""
    from web.figures.base import trace_values

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
    xy = page.evaluate(f"() => window.__llplane.last.pointClientXY({j})")
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
