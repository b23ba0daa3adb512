"""Real browser: bring a ZIP of 1,000 pictures in 10 class folders on the Data sets page, train a
model on it from the Train page, and open it on the Latent map, the Latent explorer and the
Anomalies page; colour pictures end to end; a CSV table on the Anomalies page."""

import io
import zipfile

import numpy as np
from PIL import Image

from labtools.browser import assert_no_error, shot, train_on_page, upload_data_set, wait_for_app, wait_for_map
from labtools.plane_probe import PlaneProbe

NAME = "strokes"
MODEL = "browser-strokes-ae"


def _zip(path, n_per_class: int = 100) -> None:
    """10 classes of 28 × 28 pictures: a stroke at one of 10 angles, jittered."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:28, 0:28] - 13.5
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for c in range(10):
            for i in range(n_per_class):
                a = np.pi * (c + rng.normal(0, 0.1)) / 10
                d = np.abs(xx * np.sin(a) - yy * np.cos(a))
                img = (np.clip(2.0 - d, 0, 1) * (np.hypot(xx, yy) < 11) * 255).astype(np.uint8)
                buf = io.BytesIO()
                Image.fromarray(img).save(buf, format="PNG")
                zf.writestr(f"strokes/angle-{c}/{i}.png", buf.getvalue())


def test_bring_a_zip_train_on_it_and_open_it(page, app_server, tmp_path):
    path = tmp_path / "strokes.zip"
    _zip(path)
    upload_data_set(page, app_server, path, NAME)
    assert page.get_by_text(f"Imported '{NAME}'").count() == 1
    assert page.get_by_text("28×28 grey pictures, 800 training and 200 test rows, 10 classes").count() == 1
    assert_no_error(page)
    shot(page, "datasets-imported")
    train_on_page(page, app_server, NAME, MODEL)
    assert_no_error(page)

    for url in (f"/?home_model={MODEL}", f"/explorer?ex_model={MODEL}"):
        page.goto(app_server + url)
        wait_for_app(page, timeout=120_000)
        assert wait_for_map(page) == 200  # the test split's pictures
        assert_no_error(page)
    shot(page, "datasets-explorer")
    # Anomalies: a detector trained here without one class of the imported set flags that class.
    page.goto(app_server + f"/anomaly?an_data={NAME}&an_ood=class&an_class=3")
    wait_for_app(page, timeout=240_000)
    page.get_by_text("The worst-reconstructed images").wait_for(timeout=240_000)
    assert page.get_by_text("without class 'angle-3'").count() == 1
    assert page.locator("[data-testid='stMetric']").filter(has_text="AUC").count() == 1
    assert_no_error(page)
    shot(page, "datasets-anomaly")


def _rgb_zip(path, n_per_class: int = 20) -> None:
    """Three classes of 16 × 16 colour pictures: a red, a green or a blue disc on grey."""
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:16, 0:16] - 7.5
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for c, colour in enumerate(("red", "green", "blue")):
            for i in range(n_per_class):
                img = np.full((16, 16, 3), 60, np.uint8)
                disc = np.hypot(xx - rng.normal(0, 1), yy - rng.normal(0, 1)) < 5
                img[disc, c] = 230
                buf = io.BytesIO()
                Image.fromarray(img, "RGB").save(buf, format="PNG")
                zf.writestr(f"{colour}/{i}.png", buf.getvalue())


def test_colour_pictures_stay_colour_end_to_end(page, app_server, tmp_path):
    """RGB: imported, trained, drawn on the map and decoded, by the server and by the browser."""
    path = tmp_path / "discs.zip"
    _rgb_zip(path)
    upload_data_set(page, app_server, path, "discs", rgb=True)
    assert page.get_by_text("Imported 'discs'").count() == 1 and page.get_by_text("RGB pictures").count() == 1
    train_on_page(page, app_server, "discs", "browser-discs-ae", epochs=20)

    page.goto(app_server + "/explorer?ex_model=browser-discs-ae")
    wait_for_app(page, timeout=120_000)
    wait_for_map(page)
    probe = PlaneProbe(page)
    probe.wait("s && s.decoder", timeout=30_000)
    # A click on a dot: the browser's inset and the server's panel both decode it, in colour.
    page.mouse.click(*probe.point_xy(0))
    inset = page.locator("[data-testid='llplane-inset']")
    inset.wait_for(state="visible", timeout=10_000)
    # The inset's picture, read from its canvas on the page (the test interface's inset_grey has one
    # channel only).
    spread = """(c) => { const a = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let d = 0;
        for (let i = 0; i < a.length; i += 4) d = Math.max(d, Math.abs(a[i] - a[i + 1]), Math.abs(a[i + 1] - a[i + 2]));
        return d; }"""
    assert inset.locator("canvas").evaluate(spread) > 20  # channels differ: colour (a grey picture has 0 everywhere)
    page.get_by_text("Decoded g(z)").wait_for(timeout=60_000)
    wait_for_app(page)
    src = page.locator(".st-key-ex_decoded img").get_attribute("src")
    png = page.evaluate("(u) => fetch(u).then(r => r.arrayBuffer()).then(b => Array.from(new Uint8Array(b)))", src)
    img = np.asarray(Image.open(io.BytesIO(bytes(png))).convert("RGB")).astype(int)
    assert np.abs(np.diff(img, axis=2)).max() > 20
    assert_no_error(page)
    shot(page, "datasets-rgb-explorer")


def test_a_csv_table_on_the_anomalies_page(page, app_server, tmp_path):
    """A table brought as a CSV: its held-out class is flagged on the Anomalies page, whose worst
    rows name the column each one's error is largest in."""
    rng = np.random.default_rng(2)
    centres = rng.normal(0, 3, (3, 6))
    rows = ["a,b,c,d,e,f,kind"] + [
        ",".join(f"{v:.4f}" for v in centres[i % 3] + rng.normal(0, 0.3, 6)) + f",k{i % 3}" for i in range(300)
    ]
    path = tmp_path / "blobs.csv"
    path.write_text("\n".join(rows) + "\n")
    upload_data_set(page, app_server, path, "blobs", label="kind")
    assert page.get_by_text("Imported 'blobs': a table of 6 columns").count() == 1

    page.goto(app_server + "/anomaly?an_src=pictures&an_data=blobs&an_ood=class&an_class=2")
    wait_for_app(page, timeout=240_000)
    page.get_by_text("The worst-reconstructed rows").wait_for(timeout=240_000)
    assert page.get_by_text("without class 'k2'").count() == 1
    assert "largest error in" in page.locator("[data-testid='stTable']").last.inner_text()
    assert_no_error(page)
    shot(page, "datasets-table-anomaly")


def test_a_two_column_table_on_the_manifold_page(page, app_server, tmp_path):
    """A table of 2 columns is data in R²: the Manifold page draws M for it, as for the toys."""
    rng = np.random.default_rng(3)
    a = rng.uniform(0, 2 * np.pi, 400)
    rows = ["x,y"] + [f"{np.cos(t) + rng.normal(0, 0.05):.4f},{np.sin(t) + rng.normal(0, 0.05):.4f}" for t in a]
    path = tmp_path / "ring.csv"
    path.write_text("\n".join(rows) + "\n")
    upload_data_set(page, app_server, path)  # named after the file: "ring"
    assert page.get_by_text("Imported 'ring': a table of 2 columns").count() == 1

    page.goto(app_server + "/manifold?mf_data=ring&mf_k=1")
    wait_for_app(page, timeout=240_000)
    page.wait_for_selector(".js-plotly-plot", timeout=240_000)
    assert page.get_by_text("Mean distance of x̂ to M").count() == 1
    dims = page.locator("[data-testid='stMetric']").filter(has_text="M's dimension").inner_text()
    assert "1 / unknown" in dims  # k = 1; a user's data do not come with their true dimension
    assert_no_error(page)
    shot(page, "datasets-manifold")


def test_a_broken_upload_gets_its_message_and_changes_nothing(page, app_server, tmp_path):
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    upload_data_set(page, app_server, path)
    assert page.get_by_text("Not imported.").count() == 1
    assert page.get_by_text("not a complete ZIP file").count() == 1
    assert page.get_by_text("Imported '").count() == 0  # nothing written (the folder itself: tests/test_importing.py)
    assert page.locator("[data-testid='stException']").count() == 0  # a message, not a traceback
