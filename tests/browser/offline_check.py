"""Load every page of the app with no network, and report any error element.

Run inside a network namespace without a route (``unshare -n``, loopback only), or with the
network variables cut; ``tests/browser/test_offline.py`` does both. Exit code 0 = all pages fine.
Usage: python tests/browser/offline_check.py [--pages home,explorer,...]
"""

from __future__ import annotations

import argparse
import json
import re
import sys

from labtools.browser import CHROMIUM, CHROMIUM_ARGS, free_port, start_streamlit, wait_for_app
from latentlab.server.static import APP_SCRIPT


def app_pages() -> list[str]:
    """Every ``url_path`` registered in app.py, so a new page is checked automatically."""
    return re.findall(r'url_path="([^"]+)"', (APP_SCRIPT).read_text())


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", default="")
    a = ap.parse_args()
    pages = [p for p in a.pages.split(",") if p] or app_pages()
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = start_streamlit(port)
    report: dict[str, str] = {}
    external: list[str] = []
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            ctx = b.new_context(viewport={"width": 1400, "height": 900})
            page = ctx.new_page()
            # Any request leaving loopback would be an external script, font or download.
            page.on(
                "request",
                lambda r: (
                    external.append(r.url)
                    if not r.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:"))
                    else None
                ),
            )
            for name in pages:
                page.goto(f"http://127.0.0.1:{port}/{name}")
                try:
                    wait_for_app(page, timeout=120_000)
                except Exception as exc:  # noqa: BLE001 - reported, not raised
                    report[name] = f"timeout: {exc}"
                    continue
                errs = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
                report[name] = "ok" if errs.count() == 0 else "error: " + errs.first.inner_text()[:300]
            b.close()
    finally:
        proc.terminate()
        log = proc.communicate(timeout=10)[0].decode(errors="replace")
    downloads = [ln for ln in log.splitlines() if "Downloading" in ln or "download" in ln.lower()]
    print(json.dumps({"pages": report, "external_requests": external, "download_log": downloads}, indent=2))
    ok = all(v == "ok" for v in report.values()) and not external and not downloads
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
