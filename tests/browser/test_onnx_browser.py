"""Real browser, bring your own model: an encoder and a decoder that are no Latent Lab family (an MLP
with LayerNorm and LeakyReLU, a conv decoder with BatchNorm) exported to ONNX, imported on the Model
library page; the model then opens on every page that takes a model, its plane draws, and the drag
pad and a click on the explorer decode it in the browser (the converted decoder on the WebAssembly
kernel) within 1e-4 of torch's own decoder. Hostile files: tests/test_onnx_import.py."""

from __future__ import annotations

import numpy as np
import torch

from labtools.browser import assert_no_error, shot, wait_for_app, wait_for_map
from labtools.journey import every_page, views
from labtools.onnx_models import foreign_models, onnx_bytes
from labtools.plane_probe import PlaneProbe

NAME, DATA = "my-onnx-ae", "digits"
#: The pad is ready: its plane drawn, its decoder loaded, its markers placed (test interface's info).
READY = "s && s.ready && s.decoder && s.markers.length"
#: Pages that show the chosen model: the rest show shipped models or a data set, whatever the model.
MODEL_PAGES = ("home", "explorer", "drag", "compare", "network", "features", "library")


def test_an_onnx_model_imported_on_the_library_page_opens_everywhere_and_decodes_in_the_browser(
    page, app_server, tmp_path
):
    enc, dec = foreign_models(side=8, k=2, seed=3)
    for name, module, example in (("encoder", enc, torch.zeros(1, 64)), ("decoder", dec, torch.zeros(1, 2))):
        (tmp_path / f"{name}.onnx").write_bytes(onnx_bytes(module, example))

    # 1. The Model library page: both files, the data set, a name; Import.
    page.goto(app_server + "/library")
    wait_for_app(page)
    page.locator(".st-key-lib_onnx_encoder input[type='file']").set_input_files(str(tmp_path / "encoder.onnx"))
    page.locator(".st-key-lib_onnx_decoder input[type='file']").set_input_files(str(tmp_path / "decoder.onnx"))
    wait_for_app(page)
    page.locator(".st-key-lib_onnx_data").click()
    page.keyboard.type(DATA)
    page.keyboard.press("Enter")
    wait_for_app(page)
    page.locator(".st-key-lib_onnx_name input").fill(NAME)
    page.locator(".st-key-lib_onnx_name input").press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Import").click()
    wait_for_app(page, timeout=120_000)
    page.get_by_text(f"Imported '{NAME}'").wait_for(timeout=60_000)
    assert_no_error(page)
    shot(page, "onnx-imported")

    # 2. Every page that takes a model opens on it (the others are the engineer's journey's).
    others = {url for path, (url, _, _) in views(NAME, DATA).items() if path not in MODEL_PAGES}
    seen = every_page(page, app_server, NAME, DATA, others)
    assert {p: seen[p] for p in MODEL_PAGES} == dict.fromkeys(MODEL_PAGES, "shown"), seen

    # 3. The drag pad decodes in the browser, as torch's decoder does.
    page.goto(f"{app_server}/drag?dg_model={NAME}")
    wait_for_app(page)
    plane = PlaneProbe(page)
    plane.wait(READY, timeout=60_000)
    info = plane.info()
    assert info["decoder"], "the imported decoder did not load in the browser"
    x, y = plane.marker_xy(0)
    page.mouse.move(x, y)
    page.mouse.down()
    for s in range(1, 21):
        page.mouse.move(x + 3 * s, y - 2 * s)
    page.mouse.up()
    got = plane.decode_marker(0)
    z = np.asarray(got["z"], dtype=np.float32)[None]  # (1, 2)
    with torch.no_grad():
        want = dec(torch.from_numpy(z)).numpy()[0]  # (64,)
    assert np.abs(np.asarray(got["x"]) - want).max() <= 1e-4
    assert_no_error(page)
    shot(page, "onnx-drag")

    # 4. A click on the explorer's plane decodes in the browser, as torch does.
    page.goto(f"{app_server}/explorer?ex_model={NAME}")
    wait_for_app(page)
    wait_for_map(page)
    plane.wait("s && s.ready && s.decoder", timeout=60_000)
    x0, x1, y0, y1 = plane.info()["bounds"]
    page.mouse.click(*plane.client_xy(x0 + 0.95 * (x1 - x0), y0 + 0.05 * (y1 - y0)))  # empty space
    plane.wait("s && s.inset", timeout=10_000)
    got = plane.inset_decoded()
    with torch.no_grad():
        want = dec(torch.tensor([got["z"]], dtype=torch.float32)).numpy()[0]
    assert np.abs(np.asarray(got["x"]) - want).max() <= 1e-4
