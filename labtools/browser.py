"""Driving the app in a browser, for tests and benchmarks: start a server, wait for a rerun, check for
errors, take screenshots, and the list of every view a lecture opens."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from web.serve import free_port  # noqa: F401  (tests and benches take it from here)

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def start_streamlit(
    port: int, env: dict | None = None, app: str = "app.py", log: Path | None = None, poll: float = 0.3
) -> subprocess.Popen:
    """Start ``streamlit run`` on loopback and wait until its health endpoint answers, asking every
    ``poll`` seconds (a start-up benchmark asks often): :func:`web.serve.start_replica`, the one
    way this project starts an app process.

    The server's output goes to ``log`` if given (a test reads it afterwards; ``os.devnull`` drops
    it), else to a pipe."""
    from web.serve import start_replica

    return start_replica(port, env, log=log, poll=poll, app=app)


#: Every page, Manifold tab and tour step a lecture can open: ``(name, url path)``. The presenter
#: test and bench/lecture_walk.py walk this one list.
LECTURE_VIEWS = [
    ("latent-map", ""),
    ("explorer", "explorer"),
    ("drag", "drag"),
    ("compare", "compare"),
    ("network", "network"),
    *[
        (f"manifold-{i}", f"manifold?mf_view={v}")
        for i, v in enumerate(
            ["The+picture", "k+is+a+prior", "Linear+AE+vs+PCA", "Overfitting", "Off-manifold+probe", "Time-lapse"], 1
        )
    ],
    ("denoise", "denoise"),
    ("sampling", "sampling"),
    ("anomaly", "anomaly"),
    ("anomaly-heldout", "anomaly?an_ood=class&an_class=3"),
    *[(f"tour-{i}", f"tour?step={i}") for i in range(1, 10)],
    # A model whose plane is a projection (its own note above the map). Last: its ?model= becomes the
    # lecture model, which a walk through this list must not carry into the views above.
    ("explorer-16d", "explorer?model=mnist-ae-16d"),
]

#: The element that holds a page's main visual (a Streamlit container, or a component's own row).
MAIN_VISUAL = ".st-key-ll_main, [data-ll-main='1']"

#: Lines that must never appear in the server's log during the browser suite: each was once a
#: recurring warning (87 use_container_width deprecations per walk; a read-only numpy array
#: handed to torch on every explorer click).
LOG_DEFECTS = ("deprecat", "use_container_width", "not writable", "Traceback")


def log_defects(text: str) -> list[str]:
    """The server-log lines that name a known defect (see :data:`LOG_DEFECTS`)."""
    return [ln for ln in text.splitlines() if any(d.lower() in ln.lower() for d in LOG_DEFECTS)]


def wait_for_app(page, timeout: float = 90_000, settle_ms: int = 800) -> None:
    """Wait until Streamlit has finished running the script: no running icon for ``settle_ms``.

    The running icon appears only after a short delay, so "absent once" is not enough.
    """
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    page.wait_for_function(
        """(settle) => {
            const busy = document.querySelector("[data-testid='stStatusWidgetRunningIcon']")
                || document.querySelector("[data-testid='stSkeleton']");
            const now = performance.now();
            if (busy || window.__llIdleSince === undefined) {
                window.__llIdleSince = busy ? undefined : now;
                return false;
            }
            return now - window.__llIdleSince >= settle;
        }""",
        arg=settle_ms,
        timeout=timeout,
        polling=100,
    )
    page.evaluate("() => { window.__llIdleSince = undefined; }")


def press_key(page, key: str, timeout: float = 60_000) -> None:
    """Press a clicker key the way a lecturer does: to the page, once the app listens for it.

    The key listener (ui/components/keys) is installed by a component after the script ends, and
    reinstalled on every render; a key pressed before it exists is lost (once in three bench walks,
    on the first press after the app opened)."""
    page.wait_for_function("() => !!window.__llKeys", timeout=timeout, polling=20)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # keys go to the page
    page.keyboard.press(key)


def wait_for_map(page, timeout: float = 120_000) -> int:
    """Wait until the latent-map component has drawn its points; return how many it holds."""
    page.wait_for_selector("[data-testid='llplane-canvas'][data-ready='1']", timeout=timeout)
    return int(page.locator("[data-testid='llplane-canvas']").first.get_attribute("data-points"))


def assert_no_error(page) -> None:
    errs = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
    assert errs.count() == 0, "error on page: " + " | ".join(
        errs.nth(i).inner_text()[:300] for i in range(errs.count())
    )


def shot(page, name: str) -> Path:
    """Save a screenshot under out/screens/ (ignored by git) for a human to look at."""
    d = ROOT / "out" / "screens"
    d.mkdir(parents=True, exist_ok=True)
    p = d / f"{name}.png"
    page.screenshot(path=str(p), full_page=True)
    return p


def fill_field(page, label: str, value: str) -> None:
    """Type ``value`` into the text or number field called ``label`` and let the app rerun."""
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")
    wait_for_app(page)


def open_page(page, title: str) -> None:
    """Open the page called ``title`` from the sidebar, as a person does: the session (its state,
    the lecture model) goes on, where ``page.goto`` would start a new one."""
    nav = page.locator("[data-testid='stSidebarNavLink']", has_text=re.compile(re.escape(title) + r"\s*$"))
    nav.first.click()
    wait_for_app(page)


def upload_data_set(
    page,
    base: str,
    path,
    name: str | None = None,
    label: str | None = None,
    rgb: bool = False,
    in_session: bool = False,
) -> None:
    """On the Data sets page: choose ``path``, set the name (else the page's default), the CSV label
    column and the ZIP's colour, and press Import. Waits for the import's answer, not for success.
    ``in_session``: reach the page from the sidebar (:func:`open_page`), keeping the session."""
    if in_session:
        open_page(page, "Data sets")
    else:
        page.goto(base + "/datasets")
        wait_for_app(page)
    page.locator(".st-key-dsu_file input[type='file']").set_input_files(str(path))
    page.get_by_role("button", name="Import").wait_for(timeout=30_000)
    wait_for_app(page)
    if name:
        fill_field(page, "Name", name)
    if label:
        page.locator("[data-testid='stSelectbox']").filter(has_text="Label column").click()
        page.keyboard.type(label)
        page.keyboard.press("Enter")
        wait_for_app(page)
    if rgb:
        page.get_by_text("RGB", exact=True).click()
        wait_for_app(page)
    page.get_by_role("button", name="Import").click()
    page.locator("[data-testid='stAlertContentSuccess'], [data-testid='stAlertContentError']").first.wait_for(
        timeout=240_000
    )


def train_on_page(page, base: str, dataset: str, model: str, epochs: int = 3) -> None:
    """Train ``model`` on ``dataset`` from the Train page and wait until it is saved."""
    page.goto(f"{base}/train?tr_dataset={dataset}")
    wait_for_app(page)
    fill_field(page, "Epochs", str(epochs))
    fill_field(page, "Save as (model name)", model)
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Done: saved as").wait_for(timeout=300_000)


#: Installs window.__tImg: when the explorer's click panel last loaded an image (its decoded g(z)).
EXPLORER_PANEL_WATCH = """() => {
    window.__tImg = 0;
    if (!window.__watching) {
        window.__watching = true;
        // 'load' does not bubble: listen in the capture phase for images of the click panel.
        document.addEventListener('load', (e) => {
            if (e.target.tagName === 'IMG' && e.target.closest('.st-key-ex_decoded')) window.__tImg = performance.now();
        }, true);
    }
}"""

#: The last latent plane's canvas box on the page and its point count: [left, top, width, height, n].
PLANE_BOX = """() => {
    const m = window.__llplane.last;
    const r = m.canvas.getBoundingClientRect();
    return [r.left, r.top, r.width, r.height, m.m.n];
}"""
