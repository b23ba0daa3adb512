"""Real browser, the student's journey (issue 31): a student alone at 1600 × 1000 (not presenter
mode) goes from the home page through the explorer, the glossary, Sampling, Denoising, Manifold
and Anomalies, always by the app's own sidebar links and buttons (one session, as a person has),
and checks that what the words say is what the figures show:

- explorer: a click on the plane decodes an image whose alt text names the same z as the panel's
  "z = (…)"; the A → B walk's "in N frames" equals its frame count attribute and the Frames
  slider, also after the slider is moved by keyboard; the traversal's alt text names the σ steps
  its caption lists;
- glossary: a term linked in the page's header opens its definition, which is the link's title;
- Sampling: the VAE's draws beside the AE's, and each title's "N % of draws emptier" is the share
  of low-density draws the plane below it marks;
- Denoising: the DAE's delta is the difference of the two PSNRs shown, and each row's PSNR is the
  metric's;
- Manifold: the picture drawn; Anomalies: the TPR shown is the ROC chart's operating point.

No exception box on any page. Screenshots: out/journeys/student-*.png. ~60 s on the shared 2-core
machine with a warm server (one browser page; MNIST's shipped models)."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlparse

from labtools.browser import MAIN_VISUAL, assert_no_error, open_page, shot, wait_for_app, wait_for_map
from labtools.plane_probe import PlaneProbe

W, H = 1600, 1000
NUM = r"[−-]?\d+(?:\.\d+)?(?:e[−-]?\d+)?"

#: Every plotly chart on the page: its container's Streamlit key class and its traces' name, mode,
#: x and y (the first 400 values), for comparing a figure's data with the words beside it.
PLOTS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => ({
  key: ([...(gd.closest('[class*="st-key-"]') || {classList: []}).classList].find(c => c.startsWith('st-key-')) || ''),
  traces: (gd.data || []).map(t => ({name: t.name || '', mode: t.mode || '', type: t.type || '',
    x: Array.from(t.x || []).slice(0, 400), y: Array.from(t.y || []).slice(0, 400)})),
}))"""


def _nums(text: str) -> list[float]:
    return [float(v.replace("−", "-")) for v in re.findall(NUM, text)]


def _step(page, name: str, took: dict, t: float) -> None:
    """End of a journey step: no exception box, a screenshot, the step's time."""
    assert_no_error(page)
    shot(page, f"student-{name}", folder="journeys")
    took[name] = round(time.perf_counter() - t, 1)


def _metric(page, label: str) -> tuple[str, str]:
    """The value and delta texts of the metric called ``label``."""
    m = page.locator("[data-testid='stMetric']").filter(
        has=page.locator("[data-testid='stMetricLabel']", has_text=re.compile("^" + re.escape(label) + "$"))
    )
    assert m.count() == 1, f"metric {label!r}: {m.count()} found"
    delta = m.locator("[data-testid='stMetricDelta']")
    return m.locator("[data-testid='stMetricValue']").inner_text(), delta.inner_text() if delta.count() else ""


def test_student_journey(browser, app_server):
    ctx = browser.new_context(viewport={"width": W, "height": H})
    page = ctx.new_page()
    t0 = time.perf_counter()
    took: dict[str, float] = {}
    try:
        # 1. Home: the latent map of the lecture model.
        t = time.perf_counter()
        page.goto(app_server + "/")
        wait_for_app(page, timeout=240_000)
        assert wait_for_map(page) > 100
        assert page.get_by_role("heading", name="Latent map", exact=False).count() >= 1
        _step(page, "1-home", took, t)

        # 2. Explorer, from the sidebar: click a spot, read the decoded image and its z.
        t = time.perf_counter()
        open_page(page, "Latent explorer")
        wait_for_map(page)
        canvas = page.locator("[data-testid='llplane-canvas']").first
        box = canvas.bounding_box()
        canvas.click(position={"x": box["width"] * 0.55, "y": box["height"] * 0.45})
        page.wait_for_function("() => location.search.includes('ex_z=')", timeout=60_000)
        img = page.locator(".st-key-ex_decoded img")
        img.wait_for(timeout=60_000)
        wait_for_app(page)
        alt = img.get_attribute("alt") or ""
        assert alt.startswith("decoded image of z = ("), alt
        z_line = page.locator("[data-testid='stMarkdownContainer']", has_text=re.compile(r"^z = \(")).first
        z_shown = _nums(z_line.inner_text())
        z_alt = _nums(alt)
        z_url = _nums(parse_qs(urlparse(page.url).query)["ex_z"][0].replace(",", " "))
        assert len(z_shown) == len(z_alt) == len(z_url) == 2, (z_shown, z_alt, z_url)
        for a, b, c in zip(z_shown, z_alt, z_url):  # the panel (2 decimals), the alt text (2 digits), the URL
            assert abs(a - c) <= 0.006 and abs(b - a) <= max(0.051, 0.051 * abs(a)), (z_shown, z_alt, z_url)
        assert page.get_by_text(re.compile(r"denser than \d+% of training codes")).count() == 1
        _step(page, "2-explorer-click", took, t)

        # 3. The walk from A to B: the count in words, its attribute and the slider agree, before
        # and after the slider is moved (by keyboard, one frame more).
        t = time.perf_counter()
        count = page.get_by_test_id("ex-strip-count")
        count.scroll_into_view_if_needed()
        slider = page.locator("input[type='range'][aria-label='Frames']")  # Streamlit 1.67: react-aria's input
        for moved in (0, 1):
            n0 = int(slider.input_value())
            if moved:
                slider.focus()
                page.keyboard.press("ArrowRight")
                page.wait_for_function(
                    "(n) => document.querySelector(\"[data-testid='ex-strip-count']\")?.dataset.frames === String(n)",
                    arg=n0 + 1,
                    timeout=60_000,
                )
                wait_for_app(page)
                n0 += 1
                assert int(slider.input_value()) == n0
            words = count.inner_text()
            assert f"A → B in {n0} frames" in words and int(count.get_attribute("data-frames")) == n0, words
            strip = page.locator(".st-key-ex_strip img")
            assert (strip.get_attribute("alt") or "").startswith(f"{n0} images decoded along the line"), n0
        # The traversal: its rows' alt text names the σ range its caption lists.
        steps = page.get_by_text(re.compile(r"^Steps: ")).first
        steps.scroll_into_view_if_needed()
        sig = _nums(steps.inner_text())
        rows = page.locator("img[alt^='images decoded with z1 stepped from']")
        assert rows.count() == 1, rows.count()
        alt = rows.get_attribute("alt")
        assert _nums(alt.split("stepped from")[1]) == [sig[0], sig[-1]], (alt, sig)
        _step(page, "3-explorer-walk", took, t)

        # 4. The glossary: a term linked in the header gives its definition at the link and in its entry.
        t = time.perf_counter()
        page.evaluate("() => window.scrollTo(0, 0)")
        page.locator("[data-testid='stMain']").evaluate("e => e.scrollTo(0, 0)")
        link = page.locator(".st-key-ll_lede a[href^='#g-']").first
        assert link.count() == 1, "no glossary link in the explorer's header"
        term, definition, anchor = link.inner_text(), link.get_attribute("title"), link.get_attribute("href")
        assert definition and len(definition) > 20, (term, definition)
        link.click()
        entry = page.locator(anchor)
        entry.wait_for(state="visible", timeout=10_000)
        around = entry.evaluate("e => (e.closest('div, dl, li') || e).innerText")
        assert definition in around, (term, definition, around[:300])
        _step(page, "4-glossary", took, t)

        # 5. Sampling, from the sidebar: the VAE's draws beside the AE's; each title's share of draws
        # in low density is the share its plane marks.
        t = time.perf_counter()
        open_page(page, "Sampling: VAE vs AE")
        # (a locator: the planes' canvases live in their components' shadow roots)
        page.locator("[data-testid='llplane-canvas'][data-ready='1']").nth(1).wait_for(timeout=120_000)
        wait_for_app(page)
        vae = page.get_by_role("heading", name=re.compile(r"^VAE: decoded")).bounding_box()
        ae = page.get_by_role("heading", name=re.compile(r"^Vanilla AE: decoded")).bounding_box()
        assert abs(vae["y"] - ae["y"]) < 5 and vae["x"] + vae["width"] <= ae["x"] + 1, (vae, ae)
        titles = page.get_by_text(re.compile(r"^(VAE|Vanilla AE): \d+% of draws emptier")).all_inner_texts()
        said = {m.group(1): int(m.group(2)) for m in (re.match(r"(VAE|Vanilla AE): (\d+)%", s) for s in titles)}
        marked = [
            [sum(map(bool, p["marks"]["low"])), len(p["marks"]["low"])]
            for p in PlaneProbe(page).infos({"marks": True})  # page order: left to right
        ]
        assert len(marked) == 2 and set(said) == {"VAE", "Vanilla AE"}, (marked, titles)
        for name, (low, n) in zip(("VAE", "Vanilla AE"), marked):  # left to right, as the titles
            assert said[name] == round(100 * low / n), (name, said[name], low, n)
        _step(page, "5-sampling", took, t)

        # 6. Denoising: the DAE's delta is the difference of the PSNRs shown; each row says the same.
        t = time.perf_counter()
        open_page(page, "Denoising")
        ae_v, _ = _metric(page, "Vanilla AE: mean PSNR")
        dae_v, delta = _metric(page, "Denoising AE: mean PSNR")
        ae_db, dae_db = _nums(ae_v)[0], _nums(dae_v)[0]
        if delta.startswith("level"):
            assert abs(dae_db - ae_db) <= 0.1, (ae_v, dae_v, delta)
        else:
            d = _nums(delta)[0]
            assert abs(d - (dae_db - ae_db)) <= 0.11, (ae_v, dae_v, delta)
        main_text = page.locator("[data-testid='stMain']").inner_text()
        for row, db in (("Vanilla AE: g(f(x̃))", ae_db), ("Denoising AE: g(f(x̃))", dae_db)):
            m = re.search(re.escape(row) + r"\s+mean PSNR (" + NUM + ") dB", main_text)
            assert m and float(m.group(1)) == db, (row, m and m.group(0), db)
        _step(page, "6-denoising", took, t)

        # 7. Manifold, from the sidebar: its picture.
        t = time.perf_counter()
        open_page(page, "Manifold")
        page.locator(MAIN_VISUAL).first.locator(".main-svg").first.wait_for(timeout=120_000)
        assert page.locator(MAIN_VISUAL).first.bounding_box()["height"] > 300
        _step(page, "7-manifold", took, t)

        # 8. Anomalies: the TPR in words is the ROC chart's marked operating point.
        t = time.perf_counter()
        open_page(page, "Anomalies")
        page.locator(".js-plotly-plot").nth(1).wait_for(timeout=120_000)
        wait_for_app(page)
        tpr = _nums(_metric(page, "Anomalies caught (TPR)")[0])[0]
        fpr = _nums(_metric(page, "False alarms (FPR)")[0])[0]
        auc = _nums(_metric(page, "AUC")[0])[0]
        assert 0.5 <= auc <= 1.0, auc
        points = [
            (tr["x"][0], tr["y"][0])
            for p in page.evaluate(PLOTS)
            for tr in p["traces"]
            if len(tr["x"]) == 1 and len(tr["y"]) == 1 and 0 <= tr["x"][0] <= 1 and 0 <= tr["y"][0] <= 1
        ]
        assert points, "no operating point on the ROC chart"
        assert any(round(100 * y) == tpr and round(100 * x) == fpr for x, y in points), (tpr, fpr, points)
        _step(page, "8-anomalies", took, t)
    finally:
        print(f"student: seconds per step {took}; whole journey {time.perf_counter() - t0:.1f} s")
        ctx.close()
