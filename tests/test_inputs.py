"""The user's own input (aecore.data.inputs): a drawing or a picture becomes one example of the
data set, made the way the data set was made; bad files are refused with their own message."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from aecore.analysis import explore as E
from aecore.analysis.density import KernelDensity
from aecore.data import inputs


def _png(a: np.ndarray, mode: str = "L") -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.asarray(a, np.uint8), mode).save(buf, format="PNG")
    return buf.getvalue()


def _bar(n: int = 112) -> np.ndarray:
    """A drawn "1": a vertical stroke, off centre, in an n × n drawing (ink bright)."""
    a = np.zeros((n, n), np.float32)
    a[20:90, 30:38] = 1.0
    return a


def test_a_drawing_is_made_like_mnist():
    x = inputs.prepare(_bar(), "mnist", (1, 28, 28)).reshape(28, 28)
    rows, cols = np.flatnonzero(x.max(1) > 0.05), np.flatnonzero(x.max(0) > 0.05)
    assert rows[-1] - rows[0] + 1 == 20  # the longer side fills the 20 × 20 box
    assert cols[-1] - cols[0] + 1 < 6  # aspect kept: still a thin stroke
    ys, xs = np.indices(x.shape)
    com = ((ys * x).sum() / x.sum(), (xs * x).sum() / x.sum())
    assert abs(com[0] - 14) <= 0.5 and abs(com[1] - 14) <= 0.5  # centred by its centre of mass
    assert x.min() >= 0 and x.max() <= 1


def test_a_drawing_is_made_like_digits():
    x = inputs.prepare(_bar(), "digits", (1, 8, 8)).reshape(8, 8)
    assert x.max() >= 0.4 and x[:, 0].max() < 0.05  # a 4 px stroke of 32, centred: the edges stay dark
    assert x[0].max() > 0.1 and x[-1].max() > 0.1  # 32 × 32 box, filled top to bottom


def test_a_picture_of_the_data_set_comes_back_unchanged():
    """A 28 × 28 picture is an example already: only made grey and ink-bright."""
    rng = np.random.default_rng(0)
    x = (rng.random((28, 28)) * (rng.random((28, 28)) > 0.8) * 255).astype(np.uint8)
    got = inputs.prepare(_png(x), "mnist", (1, 28, 28))
    assert np.array_equal(got, (x / 255.0).astype(np.float32).reshape(-1))


def test_dark_ink_on_light_paper_is_inverted_and_transparency_is_paper():
    pen = np.full((60, 60), 255, np.uint8)
    pen[10:50, 28:32] = 0  # a black stroke on white paper
    a = inputs.read_image(_png(pen))
    assert a[30, 30] == 1.0 and a[0, 0] == 0.0
    rgba = np.zeros((60, 60, 4), np.uint8)  # transparent, with an opaque black stroke
    rgba[10:50, 28:32, 3] = 255
    b = inputs.read_image(_png(rgba, "RGBA"))
    assert b[30, 30] == 1.0 and b[0, 0] == 0.0


def test_rgb_sets_get_the_grey_input_on_every_channel():
    x = inputs.prepare(_bar(), "cifar-like", (3, 16, 16))
    assert x.shape == (3 * 16 * 16,)
    c = x.reshape(3, 16, 16)
    assert np.array_equal(c[0], c[1]) and np.array_equal(c[1], c[2])


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"just some text, renamed to .png", "not a picture this app can read"),
        (_png(np.zeros((4, 4), np.uint8))[:40], "not a picture this app can read"),  # truncated
        (b"x" * (inputs.MAX_BYTES + 1), "at most"),
    ],
)
def test_bad_files_are_refused_with_their_own_message(data, message):
    with pytest.raises(inputs.InputError, match=message):
        inputs.read_image(data)


def test_an_enormous_picture_is_refused_before_it_is_decoded():
    buf = io.BytesIO()
    Image.new("1", (5000, 4000)).save(buf, format="PNG")  # 20 M pixels in a few kB
    with pytest.raises(inputs.InputError, match="5000 × 4000 pixels"):
        inputs.read_image(buf.getvalue())


def test_other_formats_and_blank_drawings_are_refused():
    buf = io.BytesIO()
    Image.new("L", (8, 8)).save(buf, format="GIF")
    with pytest.raises(inputs.InputError, match="GIF"):
        inputs.read_image(buf.getvalue())
    with pytest.raises(inputs.InputError, match="blank"):
        inputs.prepare(np.zeros((112, 112), np.float32), "mnist", (1, 28, 28))


def test_own_input_ranks_its_error_against_the_test_set():
    """A test image's own error sits inside the test set's; noise is worse than all of them."""
    from aecore.analysis.anomaly import recon_scores
    from aecore.data.sets import load_dataset
    from aecore.storage.checkpoint import load_checkpoint
    from aecore.storage.library import find_model

    ds = load_dataset("digits")
    model = load_checkpoint(find_model("digits-ae-2d").path).model  # a shipped model
    errs = recon_scores(model, ds.x_test)
    codes = E.coding.encode_array(model, ds.x_train)
    own = E.own_input(model, ds.x_test[3].numpy(), KernelDensity(codes), codes, errs)
    assert abs(own.error - errs[3]) < 1e-6 and 0 < own.error_percentile < 100
    assert own.logvar is None and own.probe.z.shape == (2,)
    noise = np.random.default_rng(0).random(64).astype(np.float32)
    assert E.own_input(model, noise, KernelDensity(codes), codes, errs).error_percentile == 100.0


def test_q_z_given_x_ellipses_map_through_the_view():
    """Projection.ellipse: σ per axis on the identity view; through PCA, the ellipse's axes are the
    projected covariance's (checked against samples drawn from q and projected)."""
    from aecore.analysis.projection import fit_projection

    ident = fit_projection(np.random.default_rng(0).normal(size=(50, 2)))
    cx, cy, rx, ry, _ = ident.ellipse([1.0, 2.0], np.log([0.5**2, 0.2**2]), n_sigma=2)
    assert (cx, cy) == (1.0, 2.0) and np.isclose(max(rx, ry), 1.0) and np.isclose(min(rx, ry), 0.4)
    codes = np.random.default_rng(1).normal(size=(500, 4)) * [3, 2, 1, 0.5]
    pca = fit_projection(codes, "pca")
    mu, logvar = np.zeros(4), np.log([0.3, 1.2, 0.7, 2.0])
    cx, cy, rx, ry, a = pca.ellipse(mu, logvar)
    pts = pca.transform(np.random.default_rng(2).normal(size=(200_000, 4)) * np.exp(0.5 * logvar)) - [cx, cy]
    along = pts @ [np.cos(a), np.sin(a)]  # the ellipse's first axis
    across = pts @ [-np.sin(a), np.cos(a)]
    assert np.isclose(along.std(), rx, rtol=0.02) and np.isclose(across.std(), ry, rtol=0.02)
    assert abs(np.corrcoef(along, across)[0, 1]) < 0.02
