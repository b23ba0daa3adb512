"""Real-browser fixtures: one app process (``streamlit run`` of latentlab/app/app.py) per test
session, Debian's Chromium via Playwright (never ``playwright install``: there is no browser download
here)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from labtools.browser import CHROMIUM, CHROMIUM_ARGS, free_port, log_defects, start_streamlit


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def app_env(tmp_path_factory) -> dict[str, str]:
    """The live app's environment: its temporary user-model and user-data-set folders (a test that
    checks a file on disk, e.g. that a model was not replaced, finds them here)."""
    return {
        "LATENTLAB_MODELS": str(tmp_path_factory.mktemp("user-models")),
        "LATENTLAB_DATASETS": str(tmp_path_factory.mktemp("user-datasets")),
    }


@pytest.fixture(scope="session")
def app_server(tmp_path_factory, app_env):
    """Base URL of a live app; user models go to a temporary folder (:func:`app_env`)."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    proc = start_streamlit(port, app_env, log=log)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    # After the whole browser suite: the server said nothing a lecturer would have to wonder about.
    bad = log_defects(log.read_text(errors="replace"))
    assert not bad, f"{len(bad)} warning(s) in the server log during the browser tests, e.g.: " + " | ".join(bad[:5])


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000})
    pg = ctx.new_page()
    yield pg
    ctx.close()
