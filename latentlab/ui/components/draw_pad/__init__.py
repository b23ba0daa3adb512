"""The drawing pad: the user draws an input (white ink on black, as the image data sets are), and
Python gets it as a grey bitmap while the user draws (every ~150 ms and at the end of each stroke).

Why not a plain canvas and a button: an input that lands on the latent plane as it is drawn is the
lesson (stroke by stroke, the marker walks toward the 1s), and a rerun per update is cheap when the
page holds the pad in a fragment. The bitmap is normalised by :mod:`aecore.data.inputs` the way the
model's data set was made, so the pad is one size for every model.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import numpy as np

from latentlab.ui.components.static_js import static_component

_component = static_component("draw_pad", Path(__file__).resolve().parent, "draw.js", "draw.css", "lldraw")


def _noop() -> None:
    """A new bitmap only needs a rerun (of the enclosing fragment); the value is read from the result."""


def draw_pad(
    key: str,
    *,
    size: int = 280,
    hint: str = "",
    label: str = "",
    on_change: Callable[[], None] | None = None,
) -> tuple[np.ndarray | None, tuple[str, int] | None]:
    """Mount the pad; return ``(ink, sig)``: the drawing as ``(112, 112)`` float32 grey levels in
    [0, 1] (ink bright) or ``None`` when it is blank, and ``(nonce, seq)``, which changes with every
    update the browser sends (``None`` before the first).

    The pad's canvas is a picture to a screen reader, named ``label`` (default: "Drawing pad: draw
    with the mouse, a pen or a finger, white ink on black") with its size and whether it holds a
    drawing."""
    res = _component(
        key=key,
        data={"size": int(size), "hint": hint, "label": label},
        default={"ink": None},
        on_ink_change=on_change or _noop,
        width="content",
        height="content",
    )
    return parse_ink(getattr(res, "ink", None))


def parse_ink(state) -> tuple[np.ndarray | None, tuple[str, int] | None]:
    """The pad's message from the browser → ``(ink, sig)``; a malformed one (bad base64, a size or
    sequence that is not a small integer, a bitmap of the wrong length) is nothing drawn, never a
    traceback: the message crosses from the browser, so it is input like any upload."""
    if not isinstance(state, dict) or not state:
        return None, None
    try:
        sig = (str(state.get("nonce"))[:64], int(state.get("seq", 0)))
    except (TypeError, ValueError, OverflowError):
        return None, None
    b64 = state.get("bitmap")
    try:
        n = int(state.get("size", 112))
        raw = np.frombuffer(base64.b64decode(b64, validate=True), dtype=np.uint8) if isinstance(b64, str) else None
    except (TypeError, ValueError, OverflowError):  # binascii.Error is a ValueError
        return None, sig
    if raw is None or not 0 < n <= 1024 or raw.size != n * n:
        return None, sig
    return raw.reshape(n, n).astype(np.float32) / 255.0, sig
