"""Real browser: the home page draws the latent map, hovering a dot shows its image, and clicking a
dot or empty space shows the decoded image."""

from labtools.browser import assert_no_error, shot, wait_for_app, wait_for_map
from labtools.plane_probe import PlaneProbe


def test_hover_and_click_show_images(page, app_server):
    page.goto(app_server + "/?home_model=digits-ae-2d")  # the default page lives at / (Streamlit ignores its url_path)
    wait_for_app(page)
    n = wait_for_map(page)
    assert_no_error(page)
    assert page.get_by_text("Click a dot").count() >= 1
    # Select the offline model explicitly (the default prefers MNIST where it exists).
    assert n > 0

    # Hover over example 7: the tooltip shows its class, its index and its 8×8 image, upscaled.
    probe = PlaneProbe(page)
    x, y = probe.point_xy(7)
    page.mouse.move(x, y)
    tip = page.locator("[data-testid='llplane-tip']")
    tip.wait_for(state="visible", timeout=10_000)
    assert "#7" in tip.inner_text()
    # (The component lives in a shadow root: read its image's width through the test interface.)
    probe.wait("s.tipImage >= 80", timeout=10_000)

    page.mouse.click(x, y)
    page.wait_for_selector("text=x̂ = g(z) (decoded)", timeout=30_000)
    wait_for_app(page)
    assert page.get_by_text("#7 · class").count() == 1  # the very example that was clicked
    img = page.locator(".st-key-home_xhat img")
    assert img.bounding_box()["width"] >= 200  # shown large
    assert_no_error(page)
    shot(page, "home-clicked")

    # Empty space: a corner of the map, far from every code.
    box = page.locator("[data-testid='llplane-canvas']").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.97, box["y"] + box["height"] * 0.04)
    page.wait_for_selector("text=Empty space", timeout=30_000)
    wait_for_app(page)
    assert page.locator(".st-key-home_xhat img").bounding_box()["width"] >= 200
    assert_no_error(page)


def test_home_by_name_opens_the_latent_map_with_its_query(page, app_server):
    """/home (typed, or a bookmark of the page's name) opens the latent map at /, with the link's
    query, and no "Page not found" dialog: the default page's own address is /."""
    page.goto(app_server + "/home?home_model=digits-ae-2d")
    wait_for_app(page)
    wait_for_map(page)
    assert_no_error(page)
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator(".st-key-ll_band").inner_text().strip().endswith("Model: digits-ae-2d")
    assert "home_model=digits-ae-2d" in page.url and "/home" not in page.url
