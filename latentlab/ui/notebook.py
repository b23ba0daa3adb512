"""The latent plane in a Jupyter notebook: ``Plane(codes, labels=…, images=…, decoder=…)``.

An anywidget (https://anywidget.dev) whose front end is the app's own plane component (the same
joined modules, :func:`latentlab.ui.components.bundle.plane_widget_module`, with widget.js as its
entry point): hover shows an example's image, a click decodes, the Box and Lasso tools select, and
the selection comes back to Python as indices (``plane.selection``). A decoder the browser can run
(an aecore model, or a torch ``nn.Sequential`` of Linear / ConvTranspose2d / activation layers)
decodes in the browser on click and under the cursor; any other callable decodes in the kernel on
click (``plane.decoded``). Needs ``pip install anywidget`` (``latent-lab[notebook]``); imports
neither Streamlit nor the app's server.

    from latentlab.ui.notebook import Plane
    w = Plane(codes, labels=y, images=x, decoder=model)
    w                      # draws the plane
    w.selection            # the lasso's points, as indices into codes
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import anywidget
import numpy as np
import traitlets

from latentlab.figures.palette import PALETTE
from latentlab.server import plane as LM
from latentlab.server.static import data_url
from latentlab.ui.components.bundle import plane_css, plane_widget_module


def _numpy(a) -> np.ndarray:
    """A torch tensor or anything array-like, as numpy."""
    if hasattr(a, "detach"):
        a = a.detach().cpu().numpy()
    return np.asarray(a)


def _labels(labels, n: int, class_names) -> tuple[np.ndarray, list[str]]:
    """Class indices ``(n,)`` and their names, from indices or from any hashable labels."""
    if labels is None:
        return np.zeros(n, np.int64), list(class_names or ["all"])
    lab = _numpy(labels).reshape(-1)
    if len(lab) != n:
        raise ValueError(f"{n} codes but {len(lab)} labels")
    if np.issubdtype(lab.dtype, np.integer) and lab.min(initial=0) >= 0:
        names = list(class_names) if class_names is not None else [str(c) for c in range(int(lab.max(initial=0)) + 1)]
        return lab.astype(np.int64), names
    uniq, idx = np.unique(lab.astype(str), return_inverse=True)
    return idx.astype(np.int64), list(class_names or uniq.tolist())


def _images(images, n: int, image_shape) -> tuple[np.ndarray | None, tuple[int, int, int] | None]:
    """Images as flat ``uint8`` rows ``(n, C·H·W)`` and their ``(C, H, W)``, from ``(n, H, W)``,
    ``(n, C, H, W)`` or flat rows with ``image_shape``; values in [0, 1] (floats) or 0–255 (uint8)."""
    if images is None:
        return None, None
    a = _numpy(images)
    if len(a) != n:
        raise ValueError(f"{n} codes but {len(a)} images")
    if image_shape is None:
        if a.ndim == 3:
            image_shape = (1, *a.shape[1:])
        elif a.ndim == 4:
            image_shape = a.shape[1:]
        elif a.ndim == 2 and int(np.sqrt(a.shape[1])) ** 2 == a.shape[1]:
            side = int(np.sqrt(a.shape[1]))
            image_shape = (1, side, side)
        else:
            raise ValueError("pass image_shape=(C, H, W) for flat images that are not square and grey")
    shape = tuple(int(s) for s in image_shape)
    flat = a.reshape(n, -1)
    u8 = flat if flat.dtype == np.uint8 else LM.images_u8(flat)
    return u8, shape  # (n, D), (C, H, W)


class _Decoder:
    """A torch ``nn.Sequential`` decoder dressed as an aecore model for the browser export (its last
    activation, a Sigmoid, is exported as such: no separate output map)."""

    def __init__(self, module, k: int, image_shape):
        from aecore.models.base import AutoencoderBase, ModelConfig

        d = int(np.prod(image_shape)) if image_shape else 1

        class Wrapped(AutoencoderBase):
            pass

        self.model = Wrapped(ModelConfig(family="ae", input_dim=d, latent_dim=k, hidden=(), output="linear"))
        self.model.decoder = module


def _manifest(decoder, k: int, image_shape) -> tuple[dict | None, str]:
    """The decoder exported for the browser (weights inlined as a data: URL), or ``None`` and why not."""
    if decoder is None:
        return None, "no decoder given"
    from torch import nn

    from latentlab.server import export

    model = decoder
    if isinstance(decoder, nn.Module) and not hasattr(decoder, "config"):
        model = _Decoder(decoder, k, image_shape).model
    if not hasattr(model, "config"):
        return None, "a plain function decodes in the kernel"
    try:
        man, blob = export.decoder_arrays(model)
    except (export.NotExportable, ValueError, AttributeError) as e:
        return None, str(e)
    return {**man, "name": "decoder", "weights_url": data_url(blob)}, ""


class Plane(anywidget.AnyWidget):
    """The latent plane of ``codes`` ``(N, k)`` in a notebook (see the module docstring).

    ``labels`` ``(N,)`` colour the points (class indices, or any labels); ``images`` (``(N, H, W)``,
    ``(N, C, H, W)``, or flat with ``image_shape``) show on hover; ``decoder`` decodes a click: an
    aecore model, a torch decoder (``nn.Module`` mapping ``(B, k)`` to ``(B, D)``), or any function of
    a code ``(1, k)`` numpy array. ``k > 2`` codes are drawn in their PCA view (a click is mapped back
    to a code through it). After a Box or Lasso selection, ``selection`` holds the indices inside it
    and ``polygon`` its outline (plane units); after a click, ``click`` holds ``{x, y, index}``.
    """

    _esm = plane_widget_module()
    _css = plane_css()
    data = traitlets.Dict().tag(sync=True)
    selection = traitlets.List(traitlets.Int()).tag(sync=True)
    polygon = traitlets.List().tag(sync=True)
    click = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    decoded = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        codes,
        labels=None,
        images=None,
        decoder: Any = None,
        class_names: list[str] | None = None,
        image_shape: tuple[int, ...] | None = None,
        height: int = 520,
        shade: bool = True,
        **kwargs,
    ):
        from aecore.analysis.density import KernelDensity
        from aecore.analysis.projection import fit_projection, view_bounds

        z = _numpy(codes).astype(np.float32)
        if z.ndim != 2 or not len(z):
            raise ValueError(f"codes must be (N, k) with N > 0, got {z.shape}")
        n, k = z.shape
        lab, names = _labels(labels, n, class_names)
        u8, shape = _images(images, n, image_shape)
        if shape is None and image_shape is not None:  # no hover images, but decoded pictures have a shape
            shape = tuple(int(v) for v in image_shape)
        self._proj = fit_projection(z, "pca")
        pts = self._proj.embedding  # (N, 2)
        dens = KernelDensity(pts) if shade else None
        payload = LM.plane_payload(
            pts,
            lab,
            names,
            view_bounds(pts),
            density=dens,
            threshold=dens.threshold if dens is not None else None,
            axis_titles=self._proj.axis_titles,
            images_url=data_url(u8.tobytes()) if u8 is not None else None,
            image_shape=shape,
            linear_map=self._proj.linear_map(),
        )
        manifest, why = _manifest(decoder, k, shape)
        self._decoder: Callable | None = None if manifest else decoder
        data = {
            "mode": "click",
            "url": data_url(LM.encode_plane(payload)),
            "height": int(height),
            "shade": bool(shade),
            "select": True,
            "preview": manifest is not None and shape is not None,
            "manifest": manifest,
            "image_shape": list(shape) if shape else None,
            "palette": PALETTE,
            "label": "your codes",
            "hint": "Click to decode; Box and Lasso select. Drag to pan, scroll to zoom, double-click to reset."
            + ("" if manifest or decoder is None else f" Decoded in the kernel ({why}).")
            + (" Shading: density of the codes." if shade else ""),
        }
        super().__init__(data=data, **kwargs)
        self.observe(self._on_click, names="click")

    def _on_click(self, change) -> None:
        """A click, where the browser cannot decode: decode in the kernel and show the image."""
        c = change["new"]
        if not c or self._decoder is None:
            return
        lm = self._proj.linear_map()  # z = mean + p @ basis: the plane's own map back to a code
        z = np.asarray(lm["mean"]) + np.asarray([c["x"], c["y"]]) @ np.asarray(lm["basis"])  # (k,)
        x = self._decode(z[None].astype(np.float32))
        self.decoded = _png_data_url(x, self.data.get("image_shape"))

    def _decode(self, z: np.ndarray) -> np.ndarray:
        d = self._decoder
        if hasattr(d, "decode"):  # an aecore model, or anything with decode()
            import torch

            with torch.no_grad():
                return _numpy(d.decode(torch.as_tensor(z)))[0]
        if hasattr(d, "forward"):
            import torch

            with torch.no_grad():
                return _numpy(d(torch.as_tensor(z)))[0]
        return _numpy(d(z)).reshape(-1)


def _png_data_url(x: np.ndarray, shape) -> str:
    """One decoded image (values in [0, 1]) as a PNG data: URL; "" without a picture shape."""
    if not shape:
        return ""
    from PIL import Image

    c, h, w = shape
    a = (np.clip(np.asarray(x, np.float32).reshape(c, h, w), 0, 1) * 255 + 0.5).astype(np.uint8)
    img = Image.fromarray(a[0] if c == 1 else a.transpose(1, 2, 0))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return data_url(buf.getvalue(), "image/png")
