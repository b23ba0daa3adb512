"""Real browser, the notebook widget: JupyterLab (headless, loopback, no token) opens the example
notebook examples/latent_plane.ipynb and runs it; the widget draws the plane; a lasso around a
cluster of digits; the next cell prints the selected indices, and they are exactly the codes a
Python point-in-polygon test puts inside the lasso the plane drew. Then a click decodes in the
browser, as torch does."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time

import numpy as np
import pytest
import torch

from aecore.analysis import coding
from aecore.data.sets import load_dataset
from aecore.storage.checkpoint import load_checkpoint
from aecore.storage.library import SHIPPED_DIR
from labtools.browser import ROOT, free_port, server_process, shot
from labtools.plane_probe import PlaneProbe

NOTEBOOK = ROOT / "examples" / "latent_plane.ipynb"


def _inside(points: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Even-odd rule: which of ``points`` ``(N, 2)`` lie inside polygon ``poly`` ``(M, 2)``."""
    x, y = points[:, 0:1], points[:, 1:2]  # (N, 1)
    x0, y0 = poly[:, 0], poly[:, 1]  # (M,)
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    crosses = ((y0 > y) != (y1 > y)) & (x < (x1 - x0) * (y - y0) / np.where(y1 == y0, 1e-300, y1 - y0) + x0)
    return crosses.sum(axis=1) % 2 == 1


@pytest.fixture
def lab(tmp_path):
    """JupyterLab on loopback, serving a copy of the example notebook; its base URL."""
    pytest.importorskip("jupyterlab")
    pytest.importorskip("anywidget")
    shutil.copy(NOTEBOOK, tmp_path / NOTEBOOK.name)
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),  # the kernel imports this clone
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--IdentityProvider.token=", "--ServerApp.password=", "--allow-root",
           f"--ServerApp.root_dir={tmp_path}", "--LabApp.expose_app_in_browser=True",
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--ExtensionManager.name=readonly"]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with server_process(cmd, base + "/api/status", tmp_path / "lab.log", cwd=tmp_path, env=env, timeout=120):
        yield base


RUN_LAST_CELL = """async () => {
  const app = window.jupyterapp, nb = app.shell.currentWidget;
  nb.content.activeCellIndex = nb.content.widgets.length - 1;
  await app.commands.execute("notebook:run-cell");
}"""
LAST_OUTPUT = """() => {
  const cells = document.querySelectorAll(".jp-Notebook .jp-Cell");
  const out = cells[cells.length - 1].querySelector(".jp-OutputArea-output");
  return out ? out.innerText : null;
}"""


def _last_output(page, ok, timeout: float = 60.0) -> str:
    """The last cell's output text, once ``ok(text)`` holds."""
    deadline = time.time() + timeout
    while True:
        text = page.evaluate(LAST_OUTPUT)
        text = text.strip() if text else None
        if ok(text) or time.time() > deadline:
            assert ok(text), f"the last cell printed {text!r}"
            return text
        time.sleep(0.2)


def test_the_example_notebook_draws_the_widget_and_a_lasso_comes_back_as_indices(browser, lab):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = ctx.new_page()
        page.goto(f"{lab}/lab/tree/{NOTEBOOK.name}")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget", timeout=120_000)
        page.wait_for_function(
            "() => { const w = window.jupyterapp.shell.currentWidget;"
            " return w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel"
            " && w.sessionContext.session.kernel.status === 'idle'; }",
            timeout=120_000,
        )
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        # The widget draws the plane (the app's own component, in the notebook's output).
        page.wait_for_selector("[data-testid='llplane-canvas'][data-ready='1']", timeout=180_000)
        _last_output(page, lambda text: text == "[]")  # nothing selected yet
        plane = PlaneProbe(page)
        plane.wait("s && s.ready && s.decoder", timeout=60_000)

        # The digits' codes, as the notebook computes them: lasso around the 0s' middle half.
        model = load_checkpoint(SHIPPED_DIR / "digits-ae-2d.safetensors").model
        x, y = load_dataset("digits").split("test")
        codes = coding.encode_array(model, x)  # (N, 2): the plane's points (identity view)
        zeros = codes[y.numpy() == 0]
        (ax, ay), (bx, by) = np.percentile(zeros, 20, axis=0), np.percentile(zeros, 80, axis=0)
        corners = [(ax, ay), (bx, ay), (bx, by), (ax, by)]
        page.locator("[data-testid='llplane-tools'] button[data-tool='lasso']").first.click()
        page.mouse.move(*plane.client_xy(float(ax), float(ay)))
        page.mouse.down()
        for cx, cy in [*corners[1:], corners[0]]:
            page.mouse.move(*plane.client_xy(float(cx), float(cy)), steps=6)
        page.mouse.up()
        plane.wait("s && s.selection && s.selection.length", timeout=10_000)
        poly = np.asarray(plane.info()["polygon"], np.float64)  # the lasso as the plane drew it

        page.evaluate(RUN_LAST_CELL)
        printed = json.loads(_last_output(page, lambda text: text not in (None, "[]")))
        shot(page, "notebook-lasso", full_page=False)

        # A click on empty space (with the lasso on, a tiny lasso is a click) decodes in the browser.
        (x0, x1, y0, y1) = plane.info()["bounds"]
        page.mouse.click(*plane.client_xy(x0 + 0.95 * (x1 - x0), y0 + 0.05 * (y1 - y0)))
        plane.wait("s && s.inset", timeout=10_000)
        got = plane.inset_decoded()
    finally:
        ctx.close()
    want = np.flatnonzero(_inside(codes.astype(np.float64), poly)).tolist()
    assert len(want) >= 10 and printed == want
    assert np.mean(y.numpy()[printed] == 0) > 0.5  # the lasso went round the 0s
    with torch.no_grad():
        ref = model.decode(torch.as_tensor(got["z"], dtype=torch.float32)[None])[0].numpy()
    assert np.abs(np.asarray(got["x"]) - ref).max() <= 1e-4
