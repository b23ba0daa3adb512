"""Real browser: the drag-to-decode pad decodes in JavaScript exactly like torch, updates the image
during a drag, reports the position back to Python, and loads nothing from outside the app."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest

from aecore.analysis import coding
from aecore.analysis.projection import fit_projection
from aecore.data.sets import load_dataset
from aecore.storage.checkpoint import load_checkpoint
from aecore.storage.library import SHIPPED_DIR
from labtools.browser import ROOT, assert_no_error, shot, wait_for_app
from labtools.plane_probe import PlaneProbe
from latentlab.server import export

#: The pad is ready: its plane drawn, its decoder loaded, its markers placed (test interface's info).
READY = "s && s.ready && s.decoder && s.markers.length"


def open_pad(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    PlaneProbe(page).wait(READY, timeout=60_000)
    assert_no_error(page)


def until(page, f, timeout: float = 30.0) -> None:
    """Poll until ``f()`` (a probe of the plane) is true, as ``page.wait_for_function`` would."""
    deadline = time.time() + timeout
    while not f():
        assert time.time() < deadline, "timed out"
        page.wait_for_timeout(50)


def shipped_checkpoints():
    """Every shipped model, ``[(name, checkpoint)]``: each one's decoder must run in the browser."""
    return [(p.name[: -len(".safetensors")], load_checkpoint(p)) for p in sorted(SHIPPED_DIR.glob("*.safetensors"))]


def marker_heading(page, name: str) -> tuple[float, ...]:
    """The z that Python shows for marker ``name`` (the page's own readout)."""
    txt = page.locator("h4", has_text=f"Marker {name} at z").first.inner_text()
    return tuple(float(v) for v in re.search(r"\(([^)]*)\)", txt).group(1).split(","))


def wait_for_python(page, name: str, i: int, timeout: float = 30.0) -> tuple[tuple[float, ...], list[float]]:
    """Poll until the page's readout for marker ``name`` equals the pad's marker ``i`` (the release
    rerun may queue behind a timer rerun on a busy machine); return both for the assertion."""
    deadline = time.time() + timeout
    while True:
        wait_for_app(page, settle_ms=300)
        js_z = PlaneProbe(page).decode_marker(i)["z"]
        py_z = marker_heading(page, name)
        if np.allclose(py_z, js_z, atol=2e-3) or time.time() > deadline:
            return py_z, js_z
        page.wait_for_timeout(300)


def drag_marker(page, i: int, dx: float, dy: float, steps: int = 30, probe=None):
    """Press on marker ``i``, move by (dx, dy) in ``steps`` frames; ``probe()`` runs mid-drag."""
    x, y = PlaneProbe(page).marker_xy(i)
    page.mouse.move(x, y)
    page.mouse.down()
    mid = None
    for s in range(1, steps + 1):
        page.mouse.move(x + dx * s / steps, y + dy * s / steps)
        page.wait_for_timeout(16)
        if s == steps // 2 and probe:
            mid = probe()
    page.mouse.up()
    return mid


def _one_per_architecture(cks):
    """The first shipped model of each decoder architecture (family, sizes, activation, output): the β
    sweep's ten VAEs share two, and running the same layers again would test nothing new."""
    seen, out = set(), []
    for name, ck in cks:
        c = ck.config
        arch = (c.family, c.input_dim, c.latent_dim, c.hidden, c.activation, c.output, c.image_shape)
        if arch not in seen:
            seen.add(arch)
            out.append((name, ck))
    return out


def test_js_decoder_matches_torch_for_every_shipped_decoder(page, app_server):
    """Every shipped decoder architecture, MLP, conv and the VQ-VAE's, decodes in the browser to torch's
    result within 1e-4."""
    cks = _one_per_architecture(shipped_checkpoints())
    names = [n for n, _ in cks]
    assert any("conv" in n for n in names) and any(n.startswith("digits-") for n in names), names
    open_pad(page, app_server + "/drag?dg_model=digits-ae-2d")
    rng = np.random.default_rng(0)
    worst, kernels = {}, {}
    for name, ck in cks:
        man = export.export_decoder(ck.model, name)  # into static/, which the live app serves
        z = rng.normal(0.0, 3.0, (12, ck.config.latent_dim))
        ref = coding.decode_array(ck.model, z)
        # Both routes: WebAssembly SIMD for the big layers (what Chromium runs) and plain JS (what a
        # browser without WebAssembly SIMD runs).
        for simd in (True, False):
            got = PlaneProbe(page).decode_with(man, z.tolist(), simd)
            js = np.asarray(got["x"])
            assert js.shape == ref.shape, name
            worst[name, got["kernel"]] = float(np.abs(js - ref).max())
            if simd:
                kernels[name] = got["kernel"]
    print("max |JS - torch| per decoder and kernel:", worst)
    assert max(worst.values()) <= 1e-4, worst
    # The MNIST-size decoders (a 512 -> 784 last layer; transposed convs) must really take the SIMD route here.
    mnist_size = ("fashion-mnist-vae-2d", "fashion-mnist-conv-ae-2d", "fashion-mnist-vq-vae")
    assert {kernels[n] for n in mnist_size} == {"WebAssembly SIMD"}, kernels


def test_a_conv_models_drag_changes_the_pixels_mid_drag(page, app_server, data_root):
    """A conv decoder (two transposed convs) decodes in the browser every frame too: the image
    changes while the marker is held, with no image from the server."""
    open_pad(page, app_server + "/drag?dg_model=mnist-conv-ae-2d&dg_markers=One+marker")
    plane = PlaneProbe(page)
    assert plane.info()["decoder"] == "WebAssembly SIMD"
    until(page, lambda: plane.image_sum(0) > 0)
    before = [plane.image_sum(0), plane.stats()["frames"]]

    def probe():
        page.wait_for_timeout(100)
        return [plane.image_sum(0), plane.stats()["frames"], plane.info()["dragging"]]

    during = drag_marker(page, 0, 140, -100, probe=probe)
    assert during[2] == 0, "the probe must run while the marker is held"
    assert during[0] != before[0], "the decoded image did not change during the drag"
    assert during[1] > before[1] + 5, "the plane did not decode on animation frames during the drag"
    assert page.locator("[data-testid='stImage']").count() == 0  # nothing decoded on the server
    shot(page, "drag-conv")


def test_drag_changes_pixels_and_position_reaches_python(page, app_server):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    open_pad(page, app_server + "/drag?dg_model=digits-ae-2d&dg_markers=Two+markers")
    # The decoder weights came from the static folder, not from the page data.
    assert any(re.search(r"/app/static/decoders/digits-ae-2d-[0-9a-f]{12}\.bin$", u) for u in requests), requests
    plane = PlaneProbe(page)
    until(page, lambda: plane.image_sum(0) > 0)
    st = plane.stats()
    before = [plane.image_sum(0), st["frames"], st["follows"]]
    heading0 = marker_heading(page, "A")

    def probe():
        # Mid-drag, marker still held: wait for one answer of the position channel (the first one
        # may be slow on a busy CI machine), then read the pixels and Python's readout.
        plane.wait(f"st.follows > {before[2]}", timeout=30_000)
        return [plane.image_sum(0), plane.stats()["frames"], plane.info()["dragging"], plane.decode_marker(0)["z"]] + [
            marker_heading(page, "A")
        ]

    during = drag_marker(page, 0, 150, -110, probe=probe)
    assert during[2] == 0, "the probe must run while marker A is held"
    assert during[0] != before[0], "the decoded image did not change during the drag"
    assert during[1] > before[1] + 5, "the pad did not decode on animation frames during the drag"
    # The position reached Python during the drag (no rerun: the pad's channel), and the readout
    # under the pad is Python's answer for a position on the way, not the start.
    assert during[4] != heading0, "the readouts did not follow the marker during the drag"
    assert np.hypot(*np.subtract(during[4], heading0)) > 0.05
    py_z, js_z = wait_for_python(page, "A", 0)
    assert np.allclose(py_z, js_z, atol=2e-3), (py_z, js_z)
    assert "dg_a=" in page.url  # and the URL now restores this position
    # Dragging B changes the live A → B strip while it is held.
    s0 = plane.strip_sum()
    s1 = drag_marker(page, 1, -80, 90, probe=plane.strip_sum)
    assert s1 != s0, "the A → B strip did not update during the drag of B"
    py_z, js_z = wait_for_python(page, "B", 1)
    assert np.allclose(py_z, js_z, atol=2e-3), (py_z, js_z)
    assert_no_error(page)
    shot(page, "drag-after")
    # Offline: everything the page loaded came from the app itself (or blob:/data: URLs it made).
    outside = [u for u in requests if not u.startswith((app_server, "blob:", "data:"))]
    assert not outside, outside


def test_marker_glides_to_the_pointer_on_every_frame_and_lands_exactly_on_release(page, app_server):
    """One pointer event mid-drag moves the marker over several animation frames, each one decoded
    (the image morphs every frame even when pointer events come slower than frames); it then stops
    at the pointer and decodes nothing more while the pointer rests; releasing lands exactly on the
    pointer, and that position reaches Python."""
    open_pad(page, app_server + "/drag?dg_model=digits-ae-2d")
    plane = PlaneProbe(page)
    x, y = plane.marker_xy(0)
    left, top, size = plane.info()["box"][:3]
    dx = 100.0 if x < left + size / 2 else -100.0  # toward the middle: stays on the plane
    page.mouse.move(x, y)
    page.mouse.down()
    page.wait_for_timeout(300)  # the grab itself settles first

    def one_event(to_x: float, frames: int = 40) -> tuple[dict, dict, list[float]]:
        """Send one pointer event; return the stats around it and marker A's x on the next frames."""
        s0 = plane.stats()
        trail = plane.marker_trail(0, frames, lambda: page.mouse.move(to_x, y), timeout=10_000)
        return s0, plane.stats(), [xy[0] for xy in trail]

    # The default glide: one event, several decoded frames (at 60 frames/s or at 20), then arrived.
    s0, s1, trail = one_event(x + dx)
    assert s1["pointerFrames"] - s0["pointerFrames"] == 1, (s0, s1)
    assert s1["frames"] - s0["frames"] >= 2, (s0, s1)
    assert abs(trail[-1] - (x + dx)) < 0.5, trail
    # A slower glide, so that even a slow machine's frames show the path: distinct positions on the
    # way, monotone, never past the pointer.
    plane.set(glide_ms=60)
    s0, s1, trail = one_event(x)
    plane.set()  # the defaults again
    way = [v - x for v in trail]  # from dx to 0
    assert len({round(v, 2) for v in way if 0.5 < abs(v) < abs(dx) - 1}) >= 3, way
    assert (np.diff(way) * np.sign(dx) <= 1e-6).all(), way
    assert abs(way[-1]) < 0.5 and s1["frames"] - s0["frames"] >= 3, (way, s0, s1)
    # At rest: nothing left to decode.
    page.wait_for_timeout(300)
    assert plane.stats()["frames"] == s1["frames"], "the pad kept decoding with the pointer at rest"
    # Move again and let go at once: the marker lands on the pointer, not somewhere on the way.
    page.mouse.move(x + dx, y + 60)
    page.mouse.up()
    mx, my = plane.marker_xy(0)
    assert abs(mx - (x + dx)) < 1 and abs(my - (y + 60)) < 1, (mx, my, x + dx, y + 60)
    py_z, js_z = wait_for_python(page, "A", 0)
    assert np.allclose(py_z, js_z, atol=2e-3), (py_z, js_z)
    assert_no_error(page)


@pytest.fixture(scope="module")
def k3_model(tmp_path_factory):
    """A tiny k = 3 digits AE, trained for a few seconds, in the live app's user model folder."""
    from aecore.training.fit import TrainConfig
    from aecore.training.recipes import Recipe, train_recipe

    folders = sorted(tmp_path_factory.getbasetemp().glob("user-models*"))
    if not folders:
        pytest.skip("the app_server user model folder was not found")
    r = Recipe(
        dataset="digits",
        model="ae",
        latent_dim=3,
        hidden=(32,),
        train=TrainConfig(epochs=15, batch_size=64, lr=3e-3, seed=0),
    )
    tm = train_recipe(r, out=folders[0] / "drag-test-k3")
    return tm.path


def test_k3_model_decodes_through_the_pca_inverse_in_js(page, app_server, k3_model):
    open_pad(page, app_server + "/drag?dg_model=drag-test-k3")
    assert page.get_by_text("principal axes").count() >= 1
    ck = load_checkpoint(k3_model)
    x, _ = load_dataset("digits").split("test")
    view = fit_projection(coding.encode_array(ck.model, x))
    drag_marker(page, 0, 60, 40)
    plane = PlaneProbe(page)
    p, dec = plane.info()["markers"][0], plane.decode_marker(0)
    z = view.inverse([p])  # (1, 3): Python's PCA inverse of the marker position
    assert np.allclose(dec["z"], z[0], atol=1e-4)
    assert np.abs(np.asarray(dec["x"]) - coding.decode_array(ck.model, z)[0]).max() <= 1e-4
    py_z, _ = wait_for_python(page, "A", 0)
    assert np.allclose(py_z, z[0], atol=2e-3)
    shot(page, "drag-k3")


def test_component_source_has_no_external_urls():
    from latentlab.ui.components.latent_plane import JS_FILES

    files = (*JS_FILES, "plane.css", "__init__.py")  # every module served, and the rest of the component
    src = "".join((ROOT / "latentlab" / "ui" / "components" / "latent_plane" / f).read_text() for f in files)
    src += (ROOT / "latentlab" / "ui" / "components" / "shared.js").read_text()  # served as part of the plane's module
    assert not re.search(r"https?://|//cdn|@import|fonts\.googleapis", src)


def test_unknown_pad_token_stops_the_requests_until_a_rerun(page, app_server):
    """After a server restart the pad's token is unknown (404): it stops asking for the rest of
    the drag instead of sending 10 failing requests a second, and the release still reaches Python."""
    open_pad(page, app_server + "/drag?dg_model=digits-ae-2d&dg_markers=Two+markers")
    plane = PlaneProbe(page)
    plane.break_follow()
    s0 = plane.stats()
    drag_marker(page, 0, 120, 60, steps=40)
    s1 = plane.stats()
    assert s1["posts"] - s0["posts"] == 1 and s1["followErrors"] - s0["followErrors"] == 1, (s0, s1)
    py_z, js_z = wait_for_python(page, "A", 0)
    assert np.allclose(py_z, js_z, atol=2e-3), (py_z, js_z)
    assert_no_error(page)
