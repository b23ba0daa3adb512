"""The lecture's controls on the slide, at 1280 × 720 in presenter mode, as a lecturer uses them: a
playlist of three views stepped by the clicker ("Playlist 1/3" … "3/3" on the slide, then an end
cue), its ↑ ↓ ✕ buttons (visible icons, names a screen reader reads), a bookmark labelled with the
models its slide shows, the model named on every slide, the Share overlay (a QR code over half the
screen high, the URL in large type, Esc closes it), and a tour answer hidden until asked for.
About 45 s on a warm server (digits and toy models only)."""

from aecore.analysis import tour
from labtools.browser import assert_no_error, press_key, wait_for_app
from latentlab.ui.playlist import to_link_token

W, H = 1280, 720
#: Three light views: Denoising on the digits (its slide shows the 16-D AE and DAE, not the session's
#: model), the tour's toy parabola, the latent map of the digits AE.
VIEWS = [
    {"page": "denoise", "label": "Denoising", "params": {"dn_data": "digits", "model": "digits-vae-2d"}},
    {"page": "tour", "label": "Guided tour · step 2", "params": {"step": "2"}},
    {"page": "home", "label": "Latent map", "params": {"model": "digits-ae-2d"}},
]
#: What each view's slide names at its top.
SHOWN = ["Models: digits-ae-16d, digits-dae-16d", "Model: parabola-ae-k1", "Model: digits-ae-2d"]


def _band(page) -> str:
    return page.locator(".st-key-ll_band").inner_text()


def _px(page, selector: str) -> float:
    return page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")


def _open_sidebar_playlist(page) -> None:
    page.locator("[data-testid='stExpandSidebarButton']").first.click()
    section = page.locator(".st-key-ll_playlist summary").first
    section.click()
    page.get_by_role("button", name="Bookmark this view").wait_for(timeout=10_000)


def test_playlist_position_end_cue_buttons_share_and_answers(browser, app_server):
    ctx = browser.new_context(viewport={"width": W, "height": H})
    page = ctx.new_page()
    page.goto(f"{app_server}/tour?step=2&presenter=1&playlist={to_link_token(VIEWS)}")
    wait_for_app(page, timeout=240_000)
    assert_no_error(page)
    assert "Model: parabola-ae-k1" in _band(page)
    assert "Playlist" not in _band(page)  # loaded, not playing yet

    # The clicker steps the playlist; the slide says where it is, and names its models.
    for i, shown in enumerate(SHOWN, 1):
        press_key(page, "ArrowRight")
        page.locator(".st-key-ll_position", has_text=f"Playlist {i}/3").wait_for(timeout=120_000)
        wait_for_app(page, timeout=120_000)
        assert_no_error(page)
        assert shown in _band(page), (i, _band(page))
        assert _px(page, ".st-key-ll_position p") >= 18 and _px(page, ".st-key-ll_models p") >= 18
        box = page.locator(".st-key-ll_position").bounding_box()
        assert box["y"] + box["height"] <= 60, box  # in the strip above the slide, not on its visual
    url = page.url
    press_key(page, "ArrowRight")  # past the last view: a cue, and the view stays
    page.get_by_text("End of the playlist (3/3)").wait_for(timeout=30_000)
    wait_for_app(page)
    assert page.url == url and "Playlist 3/3" in _band(page)

    # The playlist's buttons: a visible icon each, a name each, none on top of another.
    _open_sidebar_playlist(page)
    for name in ("Move up", "Move down", "Remove"):
        buttons = page.get_by_role("button", name=name, exact=True)
        assert buttons.count() == 3, name
        icon = buttons.first.locator("[data-testid='stIconMaterial']")
        assert icon.is_visible() and icon.bounding_box()["width"] >= 14, name
    names = ("Move up", "Move down", "Remove")
    row = [page.get_by_role("button", name=n, exact=True).nth(1).bounding_box() for n in names]
    for a, b in zip(row, row[1:]):
        assert a["x"] + a["width"] <= b["x"], (a, b)  # side by side, not overlapping
    page.get_by_role("button", name="Move down", exact=True).first.click()  # Denoising below the tour
    wait_for_app(page)
    items = page.locator("[class*='st-key-_pl_go_'] button:visible").all_inner_texts()
    assert "Guided tour" in items[0] and "Denoising" in items[1], items

    # A bookmark of the Denoising view names the models its slide shows, and the section stays open.
    page.locator("[class*='st-key-_pl_go_'] button:visible", has_text="Denoising").click()
    page.wait_for_url("**/denoise?**", timeout=60_000)
    wait_for_app(page, timeout=120_000)
    page.get_by_role("button", name="Bookmark this view").click()
    wait_for_app(page)
    items = page.locator("[class*='st-key-_pl_go_'] button:visible").all_inner_texts()
    assert len(items) == 4 and "digits-ae-16d, digits-dae-16d" in items[3], items
    assert "digits-vae-2d" not in items[3], items  # the session's model: not on this slide

    # Share: the view's link over the whole slide, from a button on the slide itself.
    page.locator("[data-testid='stSidebarCollapseButton'] button").first.click()
    page.get_by_role("button", name="Share", exact=True).click()
    dialog = page.get_by_role("dialog")
    qr = dialog.locator(".st-key-ll_qr img")
    qr.wait_for(timeout=30_000)
    page.wait_for_function("() => { const i = document.querySelector('.st-key-ll_qr img'); return i && i.complete; }")
    assert qr.bounding_box()["height"] >= 0.5 * H, qr.bounding_box()
    link = dialog.get_by_test_id("ll-share-url")
    assert "/denoise?" in link.inner_text() and "dn_data=digits" in link.inner_text()
    assert _px(page, "[data-testid='ll-share-url']") >= 30  # large type (34 px)
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached", timeout=10_000)
    ctx.close()


def test_an_answer_waits_until_asked_for(page, app_server):
    page.set_viewport_size({"width": W, "height": H})
    page.goto(f"{app_server}/tour?step=3&presenter=1")
    wait_for_app(page, timeout=240_000)
    question, answer = tour.STEPS[2].checks[0]
    page.get_by_role("button", name="What is this?").click()
    page.get_by_text(question).wait_for(timeout=10_000)
    shown = page.get_by_text(answer[:60])
    assert not shown.is_visible()
    page.get_by_text("Show the answer").first.click()
    shown.wait_for(state="visible", timeout=10_000)
