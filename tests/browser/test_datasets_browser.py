"""Real browser: bring a ZIP of pictures in class folders on the Data sets page, train a model on it
from the Train page, and open it on the Latent map and the Latent explorer."""

import io
import zipfile

import numpy as np
from PIL import Image

from labtools.browser import assert_no_error, shot, wait_for_app, wait_for_map

NAME = "strokes"
MODEL = "browser-strokes-ae"


def _zip(path, n_per_class: int = 20) -> None:
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
    page.goto(app_server + "/datasets")
    wait_for_app(page)
    page.locator(".st-key-dsu_file input[type='file']").set_input_files(str(path))
    page.get_by_role("button", name="Import").wait_for(timeout=30_000)
    wait_for_app(page)
    box = page.get_by_label("Name", exact=True)
    box.fill(NAME)
    box.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Import").click()
    page.get_by_text(f"Imported '{NAME}'").wait_for(timeout=120_000)
    assert page.get_by_text("28×28 grey pictures, 160 training and 40 test rows, 10 classes").count() == 1
    assert_no_error(page)
    shot(page, "datasets-imported")

    page.goto(app_server + f"/train?tr_dataset={NAME}")
    wait_for_app(page)
    for label, value in (("Epochs", "3"), ("Save as (model name)", MODEL)):
        b = page.get_by_label(label, exact=True)
        b.fill(value)
        b.press("Enter")
        wait_for_app(page)
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Done: saved as").wait_for(timeout=300_000)
    assert_no_error(page)

    for url in (f"/?home_model={MODEL}", f"/explorer?ex_model={MODEL}"):
        page.goto(app_server + url)
        wait_for_app(page, timeout=120_000)
        assert wait_for_map(page) == 40  # the test split's pictures
        assert_no_error(page)
    shot(page, "datasets-explorer")
