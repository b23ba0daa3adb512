"""The lecture playlist: bookmark five views on four pages, export the file, import it in a fresh
browser and step through it with the arrow key: each view comes back exactly (page, state in the
URL, and for the explorer the very same decoded image)."""

import re
from urllib.parse import parse_qs, urlparse

from test_lecture_browser import _img_pixels

from labtools.browser import assert_no_error, press_key, wait_for_app

DECODED = ".st-key-ex_decoded img"


def _nav(page, title: str) -> None:
    page.locator("[data-testid='stSidebarNavLink']", has_text=re.compile(re.escape(title) + r"\s*$")).first.click()
    wait_for_app(page, timeout=240_000)


def _state(page) -> tuple[str, dict]:
    """The page on screen and its query (the view's state), without presentation-only keys."""
    u = urlparse(page.url)
    q = {k: v[0] for k, v in parse_qs(u.query).items() if k not in ("presenter",)}
    return u.path.strip("/") or "home", q


def _bookmark(page) -> tuple[str, dict]:
    page.get_by_role("button", name="Bookmark this view").click()
    wait_for_app(page)
    return _state(page)


def test_bookmark_export_import_and_step(browser, app_server, tmp_path):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    page = ctx.new_page()
    page.goto(app_server + "/explorer?ex_model=digits-ae-2d&ex_z=3.5,-2.25")
    wait_for_app(page, timeout=240_000)
    page.get_by_text("Lecture playlist").first.click()  # open the sidebar section
    marks, images = [], {}
    marks.append(_bookmark(page))  # 1: explorer, z from the deep link
    images[0] = _img_pixels(page, DECODED)
    canvas = page.locator("[data-testid='llplane-canvas']").first
    box = canvas.bounding_box()
    canvas.click(position={"x": box["width"] * 0.8, "y": box["height"] * 0.2})  # 2: explorer, a clicked z
    page.wait_for_function(
        "() => location.search.includes('ex_z=') && !location.search.includes('ex_z=3.5')", timeout=60_000
    )
    wait_for_app(page)
    marks.append(_bookmark(page))
    images[1] = _img_pixels(page, DECODED)
    _nav(page, "Manifold")
    page.get_by_role("radiogroup", name="Show").get_by_text("k is a prior").click()  # 3: a Manifold tab
    wait_for_app(page, timeout=240_000)
    marks.append(_bookmark(page))
    _nav(page, "Guided tour")
    for _ in range(2):
        page.get_by_role("button", name="Next →").click()
        wait_for_app(page, timeout=240_000)
    marks.append(_bookmark(page))  # 4: tour step 3
    _nav(page, "Drag to decode")
    marks.append(_bookmark(page))  # 5: the drag pad's markers
    assert [m[0] for m in marks] == ["explorer", "explorer", "manifold", "tour", "drag"]
    assert marks[3][1]["step"] == "3" and marks[2][1]["mf_view"] == "k is a prior" and "dg_a" in marks[4][1]
    with page.expect_download() as dl:
        page.get_by_role("button", name="Export playlist").click()
    exported = tmp_path / "lecture.json"
    dl.value.save_as(exported)
    ctx.close()

    # A fresh browser: nothing in common with the first but the file.
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = ctx.new_page()
    page.goto(app_server + "/")
    wait_for_app(page, timeout=240_000)
    page.get_by_text("Lecture playlist").first.click()
    page.locator("[data-testid='stSidebar'] input[type='file']").set_input_files(str(exported))
    page.get_by_text("Imported 5 views").wait_for(timeout=60_000)
    for i, (path, query) in enumerate(marks):
        press_key(page, "ArrowRight")
        page.wait_for_function(
            "(p) => (location.pathname.replace(/^\\/|\\/$/g, '') || 'home') === p", arg=path, timeout=60_000
        )
        wait_for_app(page, timeout=240_000)
        assert_no_error(page)
        got_path, got = _state(page)
        assert got_path == path, (i, got_path, path)
        for k, v in query.items():  # every bookmarked key is back with its value
            assert got.get(k) == v, (i, k, got.get(k), v)
        if i in images:
            assert (_img_pixels(page, DECODED) == images[i]).all(), f"view {i + 1}: another decoded image"
    ctx.close()
