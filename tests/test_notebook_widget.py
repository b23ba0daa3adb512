"""The notebook widget's Python side (latentlab.ui.notebook.Plane): what it sends the plane, which
decoders run in the browser and which in the kernel, and its refusals. The widget in JupyterLab, with
a lasso: tests/browser/test_notebook_browser.py."""

from __future__ import annotations

import base64
import io
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

pytest.importorskip("anywidget")

from aecore.analysis import coding  # noqa: E402
from aecore.data.sets import load_dataset  # noqa: E402
from aecore.storage.checkpoint import load_checkpoint  # noqa: E402
from aecore.storage.library import SHIPPED_DIR  # noqa: E402
from latentlab.server.plane import MAGIC  # noqa: E402
from latentlab.ui.notebook import Plane  # noqa: E402


def _plane_n(data_url: str) -> int:
    import json

    raw = base64.b64decode(data_url.split(",", 1)[1])
    assert raw[: len(MAGIC)] == MAGIC
    n = int.from_bytes(raw[len(MAGIC) : len(MAGIC) + 4], "little")
    return json.loads(raw[len(MAGIC) + 4 : len(MAGIC) + 4 + n])["n"]


def test_an_aecore_model_decodes_in_the_browser_and_the_widget_needs_no_streamlit():
    model = load_checkpoint(SHIPPED_DIR / "digits-ae-2d.safetensors").model
    x, y = load_dataset("digits").split("test")
    w = Plane(coding.encode_array(model, x), labels=y, images=x, decoder=model)
    d = w.data
    assert _plane_n(d["url"]) == len(x) and d["manifest"]["latent_dim"] == 2 and d["preview"] and d["select"]
    assert d["image_shape"] == [1, 8, 8] and w.selection == [] and w.click is None
    # A notebook pays for no app: a fresh interpreter imports the widget without Streamlit.
    code = "import sys; from latentlab.ui.notebook import Plane; print('streamlit' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "False", r.stderr[-2000:]


def test_a_plain_function_decodes_in_the_kernel_and_its_image_comes_back():
    calls = []

    def decode(z):  # (1, k) → one 4 × 6 picture
        calls.append(np.asarray(z).copy())
        return np.full(24, 0.5)

    w = Plane(np.random.default_rng(0).normal(size=(40, 3)), decoder=decode, image_shape=(1, 4, 6))
    assert w.data["manifest"] is None and "kernel" in w.data["hint"]
    w.click = {"x": 0.25, "y": -0.5, "index": -1}
    lm = w._proj.linear_map()
    want = np.asarray(lm["mean"]) + np.asarray([0.25, -0.5]) @ np.asarray(lm["basis"])  # the plane's map back
    assert np.allclose(calls[0][0], want, atol=1e-6)
    img = Image.open(io.BytesIO(base64.b64decode(w.decoded.split(",", 1)[1])))
    assert img.size == (6, 4) and np.asarray(img).mean() == pytest.approx(128, abs=1)


def test_a_torch_layer_stack_is_exported_and_labels_may_be_names():
    dec = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.1), nn.Linear(16, 9), nn.Sigmoid())
    w = Plane(torch.randn(20, 2), labels=["cat", "dog"] * 10, decoder=dec, image_shape=(1, 3, 3))
    layers = w.data["manifest"]["layers"]
    assert [L["activation"] for L in layers] == ["leaky_relu", "sigmoid"]


def test_codes_and_labels_that_do_not_fit_are_refused():
    with pytest.raises(ValueError, match="codes must be"):
        Plane(np.zeros(5))
    with pytest.raises(ValueError, match="5 codes but 4 labels"):
        Plane(np.zeros((5, 2)), labels=[0, 1, 2, 3])
    with pytest.raises(ValueError, match="image_shape"):
        Plane(np.zeros((5, 2)), images=np.zeros((5, 10)))
