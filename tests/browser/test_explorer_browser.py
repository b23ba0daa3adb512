"""Real browser: the latent explorer decodes clicks on empty space (with the low-density warning),
stays quiet inside a dense cluster, and draws an interpolation strip with the chosen frame count."""

import numpy as np

from labtools.browser import assert_no_error, shot, wait_for_app, wait_for_map
from labtools.plane_probe import PlaneProbe

MODEL = "digits-ae-2d"  # shipped, always offline, small: the page loads in seconds


def _plot_xy(page, data_x: float, data_y: float) -> tuple[float, float]:
    """Screen pixel of a plane point on the explorer's latent map."""
    return tuple(PlaneProbe(page).client_xy(data_x, data_y))


def _axis_ranges(page):
    """The map's initial window ((x0, x1), (y0, y1)): the codes plus a margin of empty space."""
    b = PlaneProbe(page).info()["bounds"]
    return (b[0], b[1]), (b[2], b[3])


def _warnings(page) -> int:
    return page.locator("[data-testid='stAlertContentWarning']").filter(has_text="extrapolating").count()


def _open(page, app_server):
    page.goto(app_server + f"/explorer?ex_model={MODEL}")
    wait_for_app(page)
    wait_for_map(page)
    assert_no_error(page)


def _decoded_image_width(page) -> float:
    """Width in px of the decoded image g(z) in the click panel (0 if absent)."""
    page.wait_for_selector("text=Decoded g(z)", timeout=30_000)
    wait_for_app(page)
    img = page.locator(".st-key-ex_decoded img")
    return img.bounding_box()["width"] if img.count() == 1 and img.is_visible() else 0.0


def test_click_empty_space_warns_and_dense_cluster_does_not(page, app_server):
    from aecore.analysis import coding
    from aecore.analysis.density import KernelDensity
    from aecore.data.sets import load_dataset
    from aecore.storage.checkpoint import load_checkpoint
    from aecore.storage.library import find_model

    _open(page, app_server)
    assert page.get_by_text("Click anywhere on the plane").count() >= 1

    # Empty space: the top-right corner of the window, 4 % in from the edges: the window is padded
    # by 15 % of the data's span, so no code lies there.
    (x0, x1), (y0, y1) = _axis_ranges(page)
    px, py = _plot_xy(page, x1 - 0.04 * (x1 - x0), y1 - 0.04 * (y1 - y0))
    page.mouse.click(px, py)
    assert _decoded_image_width(page) >= 200  # shown large
    page.wait_for_selector("[data-testid='stAlertContentWarning']", timeout=30_000)
    assert _warnings(page) == 1
    assert_no_error(page)
    shot(page, "explorer-empty-click")

    # Dense cluster: the densest training code of this very model, computed independently.
    ck = load_checkpoint(find_model(MODEL).path)
    train = coding.encode_array(ck.model, load_dataset("digits").x_train)
    dens = KernelDensity(train)
    zc = train[int(np.argmax(dens(train)))]
    px, py = _plot_xy(page, float(zc[0]), float(zc[1]))
    page.mouse.click(px, py)
    page.wait_for_selector("text=Among the training codes", timeout=30_000)
    wait_for_app(page)
    assert _warnings(page) == 0
    assert _decoded_image_width(page) >= 200  # shown large
    assert_no_error(page)
    shot(page, "explorer-dense-click")


_WATCH_PANEL = """() => {
    window.__tImg = 0;
    // 'load' does not bubble: listen in the capture phase for the server panel's decoded image.
    document.addEventListener('load', (e) => {
        if (e.target.tagName === 'IMG' && e.target.closest('.st-key-ex_decoded')) window.__tImg = performance.now();
    }, true);
}"""


def test_a_click_is_decoded_in_the_browser_before_the_server_answers(page, app_server):
    """The plane decodes a click itself (the model's MLP decoder, exported): g(z) is on screen in a
    corner of the plane before the server's panel has its image, is the model's own decoding of
    that z, and does not hide the clicked spot."""
    from aecore.analysis import coding
    from aecore.storage.checkpoint import load_checkpoint
    from aecore.storage.library import find_model

    _open(page, app_server)
    probe = PlaneProbe(page)
    probe.wait("s && s.decoder", timeout=30_000)  # the decoder has loaded
    page.evaluate(_WATCH_PANEL)
    (x0, x1), (y0, y1) = _axis_ranges(page)
    px, py = _plot_xy(page, x0 + 0.1 * (x1 - x0), y0 + 0.12 * (y1 - y0))  # empty space, lower left
    probe.reset_timing()
    page.mouse.click(px, py)
    page.wait_for_function("() => window.__tImg > 0", timeout=30_000)
    t_inset, t_img = probe.timing()["insetAt"], page.evaluate("() => window.__tImg")
    assert 0 < t_inset < t_img  # the browser's image came first
    inset = page.locator("[data-testid='llplane-inset']")
    assert inset.is_visible()
    box = inset.bounding_box()
    assert not (box["x"] <= px <= box["x"] + box["width"] and box["y"] <= py <= box["y"] + box["height"])
    xy, grey = probe.info()["inset"], probe.inset_grey()
    ck = load_checkpoint(find_model(MODEL).path)
    want = coding.decode_array(ck.model, np.asarray(xy, np.float32))[0]  # (64,): a 2-D model, z = the point
    assert np.abs(np.asarray(grey) - np.round(np.clip(want, 0, 1) * 255)).max() <= 1
    assert_no_error(page)
    shot(page, "explorer-browser-decoded")


def test_interpolation_strip_has_chosen_frame_count(page, app_server):
    _open(page, app_server)
    strip = page.locator(".st-key-ex_strip img")
    strip.first.wait_for(timeout=30_000)
    # One picture of the frames (8 x 8 digits, 1-px gutters), in one row: count them in the picture itself.
    frames = "(el) => (el.naturalWidth + 1) / 9"
    page.wait_for_function(
        f"() => {{ const el = document.querySelector('.st-key-ex_strip img');"
        f" return el && el.complete && ({frames})(el) === 10; }}",
        timeout=30_000,
    )  # the default
    slider = page.locator("[data-testid='stSlider']").filter(has_text="Frames").get_by_role("slider")
    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_selector("[data-frames='13']", timeout=30_000)
    wait_for_app(page)
    assert strip.count() == 1 and strip.first.evaluate(frames) == 13
    # Shown in one row, big enough to read: at least 40 px a frame on this 1500-px-wide page.
    box = strip.first.bounding_box()
    assert box["width"] / 13 >= 40 and box["height"] < 2 * box["width"] / 13
    assert_no_error(page)
    shot(page, "explorer-interpolation")


def test_traversals_mark_the_collapsed_dimensions(page, app_server, data_root):
    """A 16-D VAE's traversal rows go by KL, and the collapsed ones say so."""
    page.goto(app_server + "/explorer?ex_model=mnist-vae-16d")
    wait_for_app(page, timeout=180_000)
    page.get_by_text("Latent traversals: one dimension at a time").wait_for(timeout=120_000)
    wait_for_app(page)
    assert page.get_by_text("collapsed", exact=True).count() >= 1
    assert page.get_by_text("Steps: -3.0σ").count() == 1
    assert_no_error(page)
    page.get_by_text("Latent traversals: one dimension at a time").scroll_into_view_if_needed()
    shot(page, "explorer-traversals")
