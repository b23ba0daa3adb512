"""Hostile links: every page of the app opened with query strings that carry NaN, inf, huge and
negative numbers, path-like model names, markup, 5,000-character values, a z of 1,000 numbers and
damaged playlist tokens, on the page's own keys (read from its source, so a new setting is fuzzed
without editing this file). Each load must show the page (its defaults where the link's values are
unusable), never an exception element or Streamlit's "Page not found" dialog; afterwards a normal
load in a fresh browser still answers and the latent map still draws.

Speed: a page gets one batch of four loads in four tabs of one browser context (the server works on
one session while the browser renders another), all waited for at once by the app's own run state.
Four strings give each key four of the twelve kinds of value; every kind against every cast is
tests/test_fuzz_urls.py's job (no browser, milliseconds)."""

from __future__ import annotations

import base64
import re
import time
import zlib
from urllib.parse import quote

import pytest

from labtools.browser import HOSTILE_MARK, ROOT, wait_for_app, wait_for_map
from latentlab.server.static import APP_SCRIPT
from latentlab.ui.playlist import to_link_token

#: Every page of app.py's PAGES, by URL path (the default page is served at "/", not "/home").
PAGES = re.findall(r'url_path="(\w+)"', (APP_SCRIPT).read_text())

#: Values no page can use as they are. Each query string gives each key one of them, shifted per
#: string, so that every key meets every kind of value across a page's strings.
HOSTILE = (
    "nan",
    "inf",
    "-inf",
    "1e308",
    "-5",
    "99999999999999999999999",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "x" * 5000,
    ",".join(["1.5"] * 1000),  # a z (or polygon) of 1,000 values
    "nan,1,inf,2,3",  # an odd-length polygon with non-finite vertices
    "-1e-320",
)


def _token(obj: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(obj)).decode().rstrip("=")


#: Damaged ?playlist= tokens: bad base64, base64 of junk, JSON of the wrong form, views of pages
#: that do not exist, views whose settings are markup and non-finite numbers.
PLAYLISTS = (
    "%%%not-base64!!",
    base64.urlsafe_b64encode(b"hello, not zlib").decode(),
    _token(b"[1, 2, 3]"),
    _token(b'{"format": "latent-lab-playlist", "views": "x"}'),
    _token(b"[" * 5000 + b"]" * 5000),
    to_link_token([{"page": "../../etc/passwd", "label": "x", "params": {"model": "../../etc/passwd"}}]),
    to_link_token(
        [{"page": "explorer", "label": "<b>x</b>", "params": {"ex_z": "nan,inf", "model": "<script>alert(1)</script>"}}]
    ),
    "A" * 5000,
)


def page_keys(path: str) -> list[str]:
    """The page's URL keys: its ``url_state`` keys, its selection's keys, and the app-wide ones."""
    src = (ROOT / "latentlab" / "ui" / "pages" / f"{path}.py").read_text()
    keys = re.findall(r'url_state\(\s*"(\w+)"', src)
    # A page's state class (latentlab.ui.state.PageState): its prefix and its URL settings.
    prefix = re.search(r'^\s+prefix = "(\w+)"', src, re.M)
    for name, args in re.findall(r"^\s+(\w+) = Setting\(([^)]*)\)", src, re.M) if prefix else ():
        if "url=False" not in args and "private=True" not in args:
            named = re.search(r'name="(\w+)"', args)
            keys.append(f"{prefix.group(1)}_{named.group(1) if named else name}")
    # Its selection tools' keys: the prefix given to PlaneSelection, or named in the state class.
    for prefix in re.findall(r'PlaneSelection\(\s*"(\w+)"|selection_prefix = "(\w+)"', src):
        prefix = "".join(prefix)
        keys += [f"{prefix}_side", f"{prefix}_poly", f"{prefix}_cls"]
    return list(dict.fromkeys(keys + ["model", "step"]))


def hostile_queries(path: str, n: int = 4) -> list[str]:
    """``n`` query strings for the page: string i gives key j the value ``HOSTILE[(3i + j) % …]`` (a
    stride of three, so that four strings give neighbouring keys different kinds of value) and a
    damaged playlist token (pages take turns, so every token is met)."""
    keys = page_keys(path)
    shift = PAGES.index(path) if path in PAGES else 0
    out = []
    for i in range(n):
        q = {k: HOSTILE[(3 * i + j) % len(HOSTILE)] for j, k in enumerate(keys)}
        q["playlist"] = PLAYLISTS[(i + shift) % len(PLAYLISTS)]
        out.append("&".join(f"{k}={quote(v, safe=',')}" for k, v in q.items()))
    return out


def test_every_page_has_keys_to_fuzz():
    assert len(PAGES) >= 11 and "explorer" in PAGES and "home" in PAGES
    assert {"ex_z", "ex_steps", "exs_poly", "model"} <= set(page_keys("explorer"))
    assert {"tp_model", "tp_i", "tp_own"} == set(page_keys("network")) - {"model", "step"}  # a PageState's
    assert all(len(set(hostile_queries(p))) == 4 for p in PAGES)
    # Across the pages every damaged playlist token is opened.
    assert {q.rsplit("playlist=", 1)[1] for p in PAGES for q in hostile_queries(p)} == {
        quote(t, safe=",") for t in PLAYLISTS
    }


def _url(base: str, path: str, query: str = "") -> str:
    """A hostile link carries HOSTILE_MARK: the guard's reset of it is expected (labtools.browser.log_defects)."""
    query = f"{query}&{HOSTILE_MARK}=1" if query else ""
    return f"{base}/{'' if path == 'home' else path}" + (f"?{query}" if query else "")


def _problems(pg) -> list[str]:
    """An exception element's first line, or the "Page not found" dialog."""
    exc = pg.locator("[data-testid='stException']")
    found = [exc.nth(i).inner_text().splitlines()[0][:200] for i in range(exc.count())]
    if pg.get_by_text("Page not found").count():
        found.append("Page not found")
    return found


#: How long a tab has been idle (ms): the app's own run state, ``notRunning``, with no skeleton; 0
#: while a run (or the connection) is under way. Asked of every tab in turn, so that one batch's
#: waits overlap instead of adding up (labtools' wait_for_app waits for one page at a time).
_IDLE_MS = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    const busy = !app || app.getAttribute("data-test-script-state") !== "notRunning"
        || document.querySelector("[data-testid='stSkeleton']");
    const now = performance.now();
    if (busy) { window.__hIdle = undefined; return 0; }
    if (window.__hIdle === undefined) window.__hIdle = now;
    return now - window.__hIdle;
}"""


def _wait_all(pgs, settle_ms: float = 400, timeout_s: float = 240) -> None:
    """Wait until every tab's app has been idle for ``settle_ms`` (a rerun started by the first run,
    such as the hostile-link guard's, resets its clock)."""
    deadline = time.monotonic() + timeout_s
    while True:
        idle = [pg.evaluate(_IDLE_MS) for pg in pgs]
        if min(idle) >= settle_ms:
            return
        assert time.monotonic() < deadline, f"the app did not finish its run within {timeout_s} s"
        pgs[0].wait_for_timeout(50)


@pytest.fixture(scope="module")
def tabs(browser):
    """Four tabs of one browser context: a batch of loads shares them."""
    ctx = browser.new_context(viewport={"width": 1300, "height": 900})
    pgs = [ctx.new_page() for _ in range(4)]
    yield pgs
    ctx.close()


@pytest.mark.parametrize("path", PAGES)
def test_hostile_query_strings_show_the_page(app_server, tabs, path):
    queries = hostile_queries(path)
    bad = []
    for start in range(0, len(queries), len(tabs)):
        batch = list(zip(tabs, queries[start : start + len(tabs)]))
        for pg, q in batch:  # start every load of the batch, then wait for all of them at once
            pg.goto(_url(app_server, path, q), wait_until="commit")
        _wait_all([pg for pg, _ in batch])
        bad += [f"{path}?{q[:160]}… → {p}" for pg, q in batch for p in _problems(pg)]
    assert not bad, f"{len(bad)} load(s) of {path} showed an error:\n" + "\n".join(bad[:5])


def test_a_reset_link_says_so_and_the_page_works(app_server, tabs):
    """A slider value outside its range (the explorer's frames) and a non-finite z: the page is drawn
    with its defaults and a short notice names what was reset."""
    pg = tabs[0]
    pg.goto(_url(app_server, "explorer", "ex_steps=999&ex_z=nan,1"))
    wait_for_app(pg, timeout=240_000)
    assert not _problems(pg)
    toast = pg.locator("[data-testid='stToast']", has_text="reset to their defaults")
    toast.first.wait_for(timeout=20_000)
    assert "ex_steps" in toast.first.inner_text() and "ex_z" in toast.first.inner_text()
    assert wait_for_map(pg) > 100  # the default view: the latent map with its points


def test_after_the_hostile_links_a_normal_load_works(app_server, browser):
    """A fresh browser (another student) opens the app plainly: the latent map draws its points, and
    the explorer (the page with the most link settings) shows no error."""
    ctx = browser.new_context(viewport={"width": 1300, "height": 900})
    pg = ctx.new_page()
    pg.goto(_url(app_server, "home"))
    wait_for_app(pg, timeout=240_000)
    assert wait_for_map(pg) > 100 and not _problems(pg)
    assert pg.locator("[data-testid='stSidebarNavLink']").count() == len(PAGES)
    pg.goto(_url(app_server, "explorer"))
    wait_for_app(pg, timeout=240_000)
    assert wait_for_map(pg) > 100 and not _problems(pg)
    ctx.close()
