"""axe-core (vendored, labtools/vendor/axe-core) over every page of app.py and every tab on it, at
1600 × 1000: no *serious* or *critical* violation of the WCAG 2.0/2.1/2.2 A and AA rules (issue 31).

One browser page walks the whole app from the sidebar, as a person does (one session: axe is
injected once, and no page is loaded twice). Pages come from app.py's ``PAGES``, read from its
source (app.py builds them only inside a Streamlit run). Tabs: every ``st.tabs`` tab on a page, and
the Manifold page's views, a horizontal radio that is its tab row.

Run time: ~58 s with a fresh server (2 shared cores; ~15 s of it the server's start), ~35 s more when
the Compare page's lower panel is not yet cached on disk (``python -m aecore prepare`` computes it).
Before this test: every page failed axe's ``list`` and ``listitem`` rules in Streamlit's sidebar
navigation (latentlab/ui/components/nav_roles.py) and pictures had no alt text (``image-alt``,
latentlab.ui.theme.show_png).
"""

from __future__ import annotations

import ast
import time

from labtools.a11y import axe_violations
from labtools.browser import assert_no_error, open_page, wait_for_app
from latentlab.server.static import APP_SCRIPT

#: Rows of tabs that are not ``st.tabs``: page URL path → the keyed widget whose options are its tabs.
TAB_ROWS = {"manifold": ".st-key-mf_view"}

#: Elements axe skips, each for a stated reason. Empty: everything it found is fixed in the app.
EXCLUDE: tuple[str, ...] = ()


def app_pages() -> list[tuple[str, str]]:
    """``(title, url_path)`` of every ``st.Page`` in app.py that the sidebar lists, in its order (the
    default page's path read as "home", where it lives at "/"; a hidden page, such as the one that
    sends /home to "/", is not a page of its own)."""
    tree = ast.parse((APP_SCRIPT).read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", None) == "Page"]
    out = []
    for node in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):  # walk() is breadth-first
        kw = {k.arg: k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)}
        if kw.get("visibility") == "hidden":
            continue
        out.append((kw["title"], "home" if kw.get("default") else kw["url_path"]))
    return out


def _check(page, where: str, found: dict, t0: float) -> None:
    """Run axe on the page once it has drawn; ``t0``: when the click that opened it was made."""
    wait_for_app(page, timeout=240_000)
    # The run has ended when the last faded ("stale") element of the view before is gone: axe must
    # scan the view a person reads, not the fade between two views (CI once scanned Manifold's "k is
    # a prior" while the previous view's metrics were still fading out: contrast 1.94).
    page.wait_for_function("() => !document.querySelector(\"[data-stale='true']\")", timeout=60_000, polling=100)
    # The sidebar's page list is drawn with the page's first delta: checked on every page, also the first.
    page.locator("[data-testid='stSidebarNavLink']").first.wait_for(timeout=30_000)
    assert_no_error(page)
    t1 = time.perf_counter()
    bad = axe_violations(page, exclude=EXCLUDE)
    print(f"{where}: opened in {t1 - t0:.1f} s, axe {time.perf_counter() - t1:.1f} s")  # pytest -s: the time
    if bad:
        found[where] = bad


def test_every_page_and_tab_has_no_serious_axe_violation(app_server, browser):
    pages = app_pages()
    assert len(pages) >= 13 and ("Latent map", "home") in pages, pages  # the list was read, not guessed
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = ctx.new_page()
    found: dict[str, list] = {}
    seen = []
    try:
        t0 = time.perf_counter()
        page.goto(app_server + "/")
        for title, path in pages:
            if path != "home":
                t0 = time.perf_counter()
                open_page(page, title)
            _check(page, path, found, t0)
            seen.append(path)
            tabs = page.locator("[data-testid='stTabs'] [role='tab']")
            rows = page.locator(f"{TAB_ROWS[path]} [role='radiogroup'] label") if path in TAB_ROWS else None
            if rows is not None:
                assert rows.count() >= 2, f"{path}: its tab row {TAB_ROWS[path]} is gone"
            for tab_list in (tabs, rows) if rows is not None else (tabs,):
                for i in range(1, tab_list.count()):  # the first tab is open already
                    name = tab_list.nth(i).inner_text().strip()
                    t0 = time.perf_counter()
                    tab_list.nth(i).click()
                    _check(page, f"{path} / tab '{name}'", found, t0)
                    seen.append(f"{path}/{name}")
    finally:
        ctx.close()
    assert len(seen) >= len(pages) + 5  # every page, and Manifold's six views
    assert not found, "serious or critical axe violations:\n" + "\n".join(
        f"- {where}: {v}" for where, vs in found.items() for v in vs
    )
