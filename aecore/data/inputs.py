"""One input from the user, a drawing or an uploaded picture, made into a data set's format.

A model only knows inputs prepared the way its data set was made, so an input is normalised the same
way before it is encoded (a drawn digit then lands where the data set's digits do):

* **MNIST** (LeCun et al.): the digit's bounding box scaled, aspect kept, into a 20×20 box with
  anti-aliasing (grey levels), then placed in 28×28 so that its centre of mass is at the centre.
* **digits** (scikit-learn's 8×8, from UCI optdigits): the bounding box scaled, aspect kept, to fill
  a 32×32 box, centred, then each 4×4 block averaged (the set counts the set pixels of each block,
  0..16; it is stored here as 0..1).
* **any other image set** (Fashion-MNIST, one's own): the bounding box of what is not background
  scaled, aspect kept, to fill the image, centred.

A picture that already has the data set's size is taken as it is (only made grey and ink-bright):
an image of the data set itself comes back unchanged. Ink is bright on dark, as in the data sets: a
picture whose border is mostly light (a pen on paper, a photo) is inverted.

Pictures are decoded by Pillow, after their size is read from the header and checked: a picture of
more than :data:`MAX_PIXELS` pixels is refused before its pixels are decoded. (Pillow's own check
comes first for a header that claims more than ~179 million pixels: it raises in ``Image.open``;
:func:`aecore.errors.translating` turns that into an :class:`InputError` too.) A drawing is an array:
one with values that are not finite numbers is refused rather than normalised into NaNs.
"""

from __future__ import annotations

import io

import numpy as np

from aecore.errors import UserError, translating

#: The largest uploaded picture, in bytes and in pixels (checked from the header, before decoding).
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 4096 * 4096

#: How each data set was made (see the module's docstring); other image sets are "fit".
STYLES = {"mnist": "mnist", "digits": "digits"}


class InputError(UserError):
    """An input that cannot be used; the message says why, for the page to show as it is."""


def style_for(dataset: str) -> str:
    """``"mnist"``, ``"digits"`` or ``"fit"``: how inputs for this data set are normalised."""
    return STYLES.get(dataset, "fit")


def read_image(data: bytes) -> np.ndarray:
    """An uploaded PNG or JPEG → ``(H, W)`` float32 in [0, 1], ink bright on dark.

    Transparent pixels count as white paper. Raises :class:`InputError` for an empty, oversized,
    unreadable or enormous picture."""
    from PIL import Image

    if not data:
        raise InputError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise InputError(f"The file has {len(data) / 2**20:.1f} MB; at most {MAX_BYTES // 2**20} MB are read.")
    with translating(InputError, "This file"):
        im = Image.open(io.BytesIO(data))  # may raise DecompressionBombError from the header alone
        if im.format not in ("PNG", "JPEG"):
            raise InputError(f"This is a {im.format} file; a PNG or JPEG picture is needed.")
        w, h = im.size
        if w * h > MAX_PIXELS:  # from the header: nothing decoded yet
            raise InputError(f"The picture has {w} × {h} pixels; at most {MAX_PIXELS:,} are read.")
        im.load()
        if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
            paper = Image.new("RGBA", im.size, (255, 255, 255, 255))
            im = Image.alpha_composite(paper, im.convert("RGBA"))
        grey = np.asarray(im.convert("L"), dtype=np.float32) / 255.0  # (H, W)
    return ink_bright(grey)


def ink_bright(grey: np.ndarray) -> np.ndarray:
    """``(H, W)`` grey levels → the same with ink bright on dark: inverted when the border is mostly
    light (the background of a picture is what its border shows)."""
    g = np.asarray(grey, dtype=np.float32)
    border = np.concatenate([g[0], g[-1], g[:, 0], g[:, -1]])
    return 1.0 - g if float(border.mean()) > 0.5 else g


def _resize(a: np.ndarray, h: int, w: int) -> np.ndarray:
    """``(H, W)`` → ``(h, w)``, bilinear with anti-aliasing (a shrunk stroke turns grey, as in MNIST)."""
    import torch
    import torch.nn.functional as F

    t = torch.as_tensor(np.ascontiguousarray(a, dtype=np.float32))[None, None]
    return F.interpolate(t, size=(h, w), mode="bilinear", antialias=True, align_corners=False)[0, 0].numpy()


def _crop(a: np.ndarray) -> np.ndarray:
    """The bounding box of the ink (pixels above 5% of the brightest)."""
    on = a > 0.05 * float(a.max())
    rows, cols = np.flatnonzero(on.any(1)), np.flatnonzero(on.any(0))
    return a[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _fit(a: np.ndarray, box: int) -> np.ndarray:
    """Scale ``a`` ``(h, w)``, aspect kept, so that its longer side is ``box`` pixels."""
    h, w = a.shape
    s = box / max(h, w)
    return _resize(a, max(1, round(h * s)), max(1, round(w * s)))


def _place(patch: np.ndarray, size: tuple[int, int], at: tuple[float, float]) -> np.ndarray:
    """``patch`` in a black ``size`` field with its top-left corner at ``at`` (rounded, kept inside)."""
    out = np.zeros(size, np.float32)
    h, w = patch.shape
    r = int(np.clip(round(at[0]), 0, size[0] - h))
    c = int(np.clip(round(at[1]), 0, size[1] - w))
    out[r : r + h, c : c + w] = patch
    return out


def normalise(ink: np.ndarray, image_shape: tuple[int, ...], style: str) -> np.ndarray:
    """An ink-bright picture ``(H, W)`` → one example of the data set, flat ``(D,)`` float32 in [0, 1].

    ``image_shape`` is the data set's ``(C, H, W)`` (grey inputs are repeated over the channels of an
    RGB set); ``style`` is :func:`style_for`'s. A blank picture raises :class:`InputError`."""
    a = np.asarray(ink, dtype=np.float32)
    if a.ndim != 2 or a.size == 0:
        raise InputError(f"A picture of shape {a.shape} is not a grey picture (H, W).")
    if not np.isfinite(a).all():  # NaN passes np.clip and every comparison: it would crop to nothing
        raise InputError("The picture holds values that are not finite numbers.")
    a = np.clip(a, 0.0, 1.0)
    c, h, w = image_shape
    if float(a.max()) < 0.05:
        raise InputError("The picture is blank: draw something first.")
    if a.shape == (h, w):
        out = a  # already the data set's size: taken as it is
    elif style == "mnist":
        patch = _fit(_crop(a), round(20 * h / 28))
        ys, xs = np.indices(patch.shape)
        m = patch.sum()
        com = (float((ys * patch).sum() / m), float((xs * patch).sum() / m))
        # The centre of mass goes to (14, 14) in pixel indices: where MNIST's test digits have it
        # (mean 13.99, 14.00 over 2,000 of them).
        out = _place(patch, (h, w), (h / 2 - com[0], w / 2 - com[1]))
    elif style == "digits":
        big = 4 * h
        patch = _fit(_crop(a), big)
        field = _place(patch, (big, 4 * w), ((big - patch.shape[0]) / 2, (4 * w - patch.shape[1]) / 2))
        out = field.reshape(h, 4, w, 4).mean(axis=(1, 3))  # (h, w): each 4 × 4 block's mean
    else:
        patch = _fit(_crop(a), min(h, w))
        out = _place(patch, (h, w), ((h - patch.shape[0]) / 2, (w - patch.shape[1]) / 2))
    out = np.clip(out, 0.0, 1.0).astype(np.float32)
    return np.repeat(out[None], c, axis=0).reshape(-1)  # (C·H·W,)


def prepare(data: bytes | np.ndarray, dataset: str, image_shape: tuple[int, ...]) -> np.ndarray:
    """An uploaded file's bytes, or a drawing ``(H, W)`` (ink bright, in [0, 1]) → one flat example
    ``(D,)`` of ``dataset`` (:func:`normalise` in that data set's style)."""
    ink = read_image(data) if isinstance(data, bytes | bytearray) else np.asarray(data, np.float32)
    return normalise(ink, tuple(image_shape), style_for(dataset))
