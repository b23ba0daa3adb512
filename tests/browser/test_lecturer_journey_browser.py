"""Real browser, the lecturer's journey (issue 31): a lecture in presenter mode driven by a clicker
alone (PageDown forward, PageUp back: what a presentation clicker sends), on a 1280 × 720 projector
and on a 1920 × 1080 one. The guided tour step by step (its number and title on the slide, the main
visual in the first screen and filling it, as the presenter check asks, the model named in the band,
never an exception), then a playlist of three views bookmarked from the sidebar on three pages and
walked by the clicker ("Playlist i/n" on the slide, an end cue after the last), then the Share
overlay opened from the slide and closed with Esc.

Screenshots of each step: out/journeys/lecturer-<size>-*.png (the window, as the room sees it).
One browser page per size, on the session's server; ~45-60 s per size on the shared 2-core machine
once the server is warm (the tour's models are shipped checkpoints)."""

from __future__ import annotations

import re
import time
from urllib.parse import urlparse

import pytest

from aecore.analysis import tour
from labtools.browser import (
    MAIN_VISUAL,
    assert_no_error,
    assert_slide_fits,
    open_page,
    press_key,
    shot,
    slide_findings,
    wait_for_app,
)

N = len(tour.STEPS)
SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}
#: The playlist: the tour's last step (where the tour leaves the lecturer), then two pages reached
#: from the sidebar: (the page's title in the sidebar, its URL path).
PLAYLIST = [("Guided tour", "tour"), ("Manifold", "manifold"), ("Latent map", "home")]


def _band(page) -> str:
    return page.locator(".st-key-ll_band").inner_text()


def _title(page) -> str:
    """The tour step's title row on the slide ("3 · Reliable where codes are dense of 9")."""
    return page.locator("[data-testid='stMain'] h2").first.inner_text()


def _clicker(page, key: str, until: str, timeout: float = 120_000) -> None:
    """Press a clicker key and wait until the JS condition ``until`` holds, then for the rerun."""
    press_key(page, key)
    page.wait_for_function(until, timeout=timeout, polling=100)
    wait_for_app(page, timeout=240_000)


def _step_is(i: int) -> str:
    return f"() => new URLSearchParams(location.search).get('step') === '{i}'"


def _sidebar(page, open_: bool) -> None:
    """Open or fold the sidebar (on a slide it starts folded: the lecturer opens it with '>')."""
    if open_:
        page.locator("[data-testid='stExpandSidebarButton']").first.click()
        page.locator("[data-testid='stSidebarNavLink']").first.wait_for(timeout=10_000)
    else:
        page.locator("[data-testid='stSidebarCollapseButton'] button").first.click()
        page.locator("[data-testid='stExpandSidebarButton']").first.wait_for(timeout=10_000)


def _bookmark(page) -> None:
    """Bookmark the view on screen from the sidebar's playlist section (opened if it is folded)."""
    button = page.get_by_role("button", name="Bookmark this view")
    if not button.is_visible():
        page.locator(".st-key-ll_playlist summary").first.click()
        button.wait_for(timeout=10_000)
    button.click()
    wait_for_app(page)


@pytest.mark.parametrize("size", list(SIZES))
def test_lecturer_journey(browser, app_server, size):
    W, H = SIZES[size]
    ctx = browser.new_context(viewport={"width": W, "height": H})
    page = ctx.new_page()
    t0 = time.perf_counter()
    took = {}
    try:
        # 1. The tour, every step by the clicker.
        page.goto(f"{app_server}/tour?step=1&presenter=1")
        wait_for_app(page, timeout=240_000)
        unnamed = []  # slides that name no model (checked at the end, after the whole walk)
        for i in range(1, N + 1):
            t = time.perf_counter()
            if i > 1:
                _clicker(page, "PageDown", _step_is(i))
            page.locator(MAIN_VISUAL).first.wait_for(timeout=120_000)
            wait_for_app(page, timeout=240_000)
            assert_no_error(page)
            title = _title(page)
            assert title.startswith(f"{i} · ") and title.rstrip().endswith(f"of {N}"), (i, title)
            assert tour.STEPS[i - 1].title in title, (i, title)
            if not re.search(r"\bModels?: \S", _band(page)):
                unnamed.append(f"tour-{tour.STEPS[i - 1].key}")
            found = slide_findings(page, W, H)
            shot(page, f"lecturer-{size}-tour-{i}", folder="journeys", full_page=False)
            assert_slide_fits(f"tour step {i} ({size})", found, W, H)
            took[f"tour-{i}"] = round(time.perf_counter() - t, 1)
        # Past the last step the clicker changes nothing (the tour's → is disabled there), and back works.
        press_key(page, "PageDown")
        wait_for_app(page)
        assert _title(page).startswith(f"{N} · ") and f"step={N}" in page.url
        _clicker(page, "PageUp", _step_is(N - 1))
        assert _title(page).startswith(f"{N - 1} · ")
        _clicker(page, "PageDown", _step_is(N))
        print(f"{size}: tour walked in {time.perf_counter() - t0:.1f} s")

        # 2. A playlist: three views bookmarked from the sidebar, reached the way a lecturer does.
        t = time.perf_counter()
        _sidebar(page, True)
        for j, (title, _path) in enumerate(PLAYLIST):
            if j:
                open_page(page, title)
                page.locator(MAIN_VISUAL).first.wait_for(timeout=120_000)
                wait_for_app(page, timeout=240_000)
            _bookmark(page)
        items = page.locator("[class*='st-key-_pl_go_'] button:visible").all_inner_texts()
        assert len(items) == len(PLAYLIST), items
        for item, (title, _path) in zip(items, PLAYLIST):
            assert title in item, (item, title)
        assert f"step {N}" in items[0], items[0]
        _sidebar(page, False)
        assert "Playlist" not in _band(page)  # bookmarked, not playing yet
        took["bookmarks"] = round(time.perf_counter() - t, 1)

        # The clicker walks it: the slide says where it is, names its model, and shows its visual.
        n = len(PLAYLIST)
        for i, (_, path) in enumerate(PLAYLIST, 1):
            t = time.perf_counter()
            press_key(page, "PageDown")
            page.locator(".st-key-ll_position", has_text=f"Playlist {i}/{n}").wait_for(timeout=120_000)
            wait_for_app(page, timeout=240_000)
            assert_no_error(page)
            assert (urlparse(page.url).path.strip("/") or "home") == path, (i, page.url)
            if not re.search(r"\bModels?: \S", _band(page)):
                unnamed.append(path)
            box = page.locator(MAIN_VISUAL).first.bounding_box()
            assert box and box["y"] + box["height"] <= H + 1 and box["height"] >= 0.6 * H, (i, box)
            shot(page, f"lecturer-{size}-playlist-{i}", folder="journeys", full_page=False)
            took[f"playlist-{i}"] = round(time.perf_counter() - t, 1)
        url = page.url
        press_key(page, "PageDown")  # past the last view: a cue, and the view stays
        page.get_by_text(f"End of the playlist ({n}/{n})").wait_for(timeout=30_000)
        wait_for_app(page)
        assert page.url == url and f"Playlist {n}/{n}" in _band(page)
        shot(page, f"lecturer-{size}-playlist-end", folder="journeys", full_page=False)

        # 3. Share: the view's link over the whole slide; Esc gives the slide back.
        page.get_by_role("button", name="Share", exact=True).click()
        dialog = page.get_by_role("dialog")
        qr = dialog.locator(".st-key-ll_qr img")
        qr.wait_for(timeout=30_000)
        page.wait_for_function("() => document.querySelector('.st-key-ll_qr img').complete")
        assert qr.bounding_box()["height"] >= 0.5 * H, qr.bounding_box()  # readable from the back row
        assert dialog.get_by_test_id("ll-share-url").inner_text().startswith("http")
        shot(page, f"lecturer-{size}-share", folder="journeys", full_page=False)
        page.keyboard.press("Escape")
        dialog.wait_for(state="detached", timeout=10_000)
        assert_no_error(page)
        assert not unnamed, (
            f"slides that name no model in their band (issue 31: the model named on every slide): {unnamed}"
        )
    finally:
        print(f"{size}: seconds per view {took}; whole journey {time.perf_counter() - t0:.1f} s")
        ctx.close()
