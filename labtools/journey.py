"""A model opened on every page of the app, as an engineer does with their own: each page through its
own URL keys, checked for what a person sees (shared by the engineer's journey and the ONNX import's
browser test)."""

from __future__ import annotations

import re
import time

from labtools.browser import MAIN_VISUAL, shot, wait_for_app
from latentlab.server.static import APP_SCRIPT

#: Every page of the app's PAGES, by URL path (the default page is served at "/", not "/home").
PAGES = re.findall(r'url_path="(\w+)"', APP_SCRIPT.read_text())


def views(model: str, dataset: str) -> dict[str, tuple[str, str | None, bool]]:
    """Each page opened on ``model`` or its data set through the page's own URL keys: ``{path: (url,
    the name the page must show or say it cannot, whether it has a main visual)}``."""
    return {
        "home": (f"/?home_model={model}", model, True),
        "explorer": (f"/explorer?ex_model={model}", model, True),
        "drag": (f"/drag?dg_model={model}", model, True),
        "compare": (f"/compare?cmp_a={model}", model, True),
        "network": (f"/network?tp_model={model}", model, True),
        "manifold": (f"/manifold?mf_data={dataset}", dataset, True),
        "denoise": (f"/denoise?dn_data={dataset}", dataset, True),
        "sampling": (f"/sampling?sp_data={dataset}", dataset, True),
        "anomaly": (f"/anomaly?an_data={dataset}&an_ood=class", dataset, True),
        "beta": ("/beta", None, True),  # the shipped MNIST β sweep, whatever the model
        "codes": ("/codes", None, True),  # the shipped VQ-VAEs
        "features": (f"/features?cf_model={model}", model, True),  # measured live, behind a progress bar
        "factors": ("/factors", None, True),  # the shipped sprites study, whatever the model
        "sae": ("/sae", None, True),  # the shipped SAEs, on the image sets' judges
        "train": (f"/train?tr_dataset={dataset}", dataset, False),
        "library": (f"/library?model={model}", model, False),
        "datasets": ("/datasets", None, False),  # its list is a canvas: the import's own test reads it
        "tour": (f"/tour?model={model}", None, True),  # its story runs on shipped models (or {set}-ae/vae-2d)
    }


def check_view(page, url: str, name: str | None, has_main: bool) -> str:
    """What a person sees at ``url`` (loading in ``page``): never a traceback; the page is on
    ``name`` (a picker holds it) and draws its main visual, or a message names ``name`` and says
    what the page needs. Returns "shown", "said: <message>" or "page"."""
    wait_for_app(page, timeout=240_000)
    exc = page.locator("[data-testid='stException']")
    assert exc.count() == 0, f"{url}: " + " | ".join(exc.all_inner_texts())[:600]
    main = page.locator(MAIN_VISUAL).count() > 0
    assert main or not has_main or name, f"{url}: no main visual"
    if name is None:
        return "page"
    picked = page.get_by_role("combobox").evaluate_all("els => els.map((e) => e.value)")
    if any(v == name or v.startswith(name + " ") for v in picked) and (main or not has_main):
        return "shown"
    said = [a for a in page.locator("[data-testid='stAlert']").all_inner_texts() if name in a]
    assert said, f"{url}: shows neither '{name}' (pickers: {picked}) nor a message about it"
    return "said: " + said[0]


def every_page(page, base: str, model: str, dataset: str, opened: set[str]) -> dict[str, str]:
    """Open every page of app.py for ``model`` (:func:`views`); ``{path: what it showed}``. A URL in
    ``opened`` (a page that ignores the model: /beta, /codes, /sae, /datasets) was checked with the
    model before and is not loaded again: the same URL is the same page; ``opened`` gains the rest."""
    addresses = views(model, dataset)
    assert sorted(addresses) == sorted(PAGES), "a page was added to app.py: give it its address in views"
    seen, took = {}, {}
    for path, (url, name, has_main) in addresses.items():
        if url in opened:
            seen[path] = "page (opened with the model before)"
            continue
        opened.add(url)
        t = time.perf_counter()
        page.goto(base + url)
        seen[path] = check_view(page, base + url, name, has_main)
        took[path] = f"{time.perf_counter() - t:.1f}"
        if path in ("home", "explorer") or seen[path].startswith("said"):  # for a person to look at
            shot(page, f"journey-{dataset}-{path}")
    print(f"{model}, seconds per page:", took)
    return seen
