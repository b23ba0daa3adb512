"""Real browser, the engineer's journey (issue 32): import a CSV whose name has a '_' and a ZIP of
pictures, follow "Train a model on 'X'" (X is selected there), train on each, try to train again
under a name that exists (asked, Train waits, the file is not touched), then open every page of
app.py for each model. Sets a page cannot use get a message there: a one-folder ZIP on the
Anomalies page, a 3-row CSV on the Data sets page.

Speed: tiny sets (150 rows, 120 pictures of 16 × 16), 4 epochs, one browser page for the whole
journey; ~2 min on the shared 2-core machine, most of it the 26 page loads."""

from __future__ import annotations

import hashlib
import io
import re
import time
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

from labtools.browser import fill_field, shot, upload_data_set, wait_for_app
from labtools.journey import every_page

TABLE, PICTURES = "plant_sensors", "shapes"


def _sensors_csv(path: Path, n: int = 150) -> None:
    """A machine's log: 3 readings per row and its state, one of 3 (a table of 3 columns, so the
    Manifold page can draw it too)."""
    rng = np.random.default_rng(0)
    centres = {"idle": (20, 1.0, 0.0), "run": (60, 3.0, 5.0), "hot": (90, 3.5, 4.0)}
    rows = ["temp,pressure,flow,state"]
    for i in range(n):
        state = list(centres)[i % 3]
        t, p, f = np.asarray(centres[state]) + rng.normal(0, [3, 0.2, 0.4])
        rows.append(f"{t:.2f},{p:.3f},{f:.3f},{state}")
    path.write_text("\n".join(rows) + "\n")


def _shapes_zip(path: Path, classes=("disc", "bar"), n_per_class: int = 60) -> None:
    """16 × 16 grey pictures, one folder per class: a disc or a bar, jittered."""
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:16, 0:16] - 7.5
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for c in classes:
            for i in range(n_per_class):
                dx, dy = rng.normal(0, 1.2, 2)
                mask = np.hypot(xx - dx, yy - dy) < 5 if c == "disc" else (np.abs(xx - dx) < 2) & (np.abs(yy) < 7)
                buf = io.BytesIO()
                Image.fromarray((mask * 230).astype(np.uint8)).save(buf, format="PNG")
                zf.writestr(f"{c}/{i}.png", buf.getvalue())


def _digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def _selectbox(page, label: str) -> str:
    """The text a person reads in the selectbox called ``label`` (its search field holds it)."""
    return page.get_by_role("combobox", name=label, exact=True).first.input_value()


def _train_button(page):
    return page.get_by_role("button", name="Train", exact=True)


def _train_here(page, epochs: int = 4) -> str:
    """Press Train with the name the page shows; return that name once it is saved."""
    fill_field(page, "Epochs", str(epochs))
    name = page.get_by_label("Save as (model name)", exact=True).input_value()
    _train_button(page).click()
    page.get_by_text(f"Done: saved as '{name}'").wait_for(timeout=300_000)
    return name


def _import_and_follow(page, base: str, path: Path, label: str | None = None) -> str:
    """Bring ``path`` under the name the page proposes, follow "Train a model on 'X'" and check
    that the Train page is on X and proposes a name made for X; return X."""
    name = path.stem
    upload_data_set(page, base, path, label=label, in_session=True)
    page.get_by_text(f"Imported '{name}'").wait_for(timeout=60_000)
    wait_for_app(page)
    # Only this import's answer: the previous one's link (to the previous set) is gone.
    assert page.get_by_role("button", name=re.compile("Train a model on")).count() == 1
    page.get_by_role("button", name=f"Train a model on '{name}'").click()
    page.wait_for_url(re.compile(rf"/train\?.*tr_dataset={name}"), timeout=30_000)
    wait_for_app(page)
    assert _selectbox(page, "Data set").startswith(f"{name}  (yours")
    assert page.get_by_label("Save as (model name)", exact=True).input_value() == f"my-{name}-ae-2d"
    return name


def test_engineer_journey(page, app_server, app_env, tmp_path):
    t0 = time.perf_counter()
    models_dir = Path(app_env["LATENTLAB_MODELS"])
    page.goto(app_server + "/datasets")
    wait_for_app(page)

    # 1-2. A CSV named with '_' and a ZIP, each followed to the Train page and trained there. The ZIP
    # comes second in the same session: its link must not open the Train page on the CSV's set.
    csv_path, zip_path = tmp_path / f"{TABLE}.csv", tmp_path / f"{PICTURES}.zip"
    _sensors_csv(csv_path)
    _shapes_zip(zip_path)
    assert _import_and_follow(page, app_server, csv_path, label="state") == TABLE
    shot(page, "journey-train-arrived")
    table_model = _train_here(page)
    assert _import_and_follow(page, app_server, zip_path) == PICTURES
    picture_model = _train_here(page)
    print(f"imported and trained both: {time.perf_counter() - t0:.1f} s")

    # 3. Again under a name that exists: asked, Train waits, the file is untouched; another name trains.
    saved = models_dir / f"{table_model}.safetensors"
    before = _digest(saved)
    page.goto(f"{app_server}/train?tr_dataset={TABLE}")
    wait_for_app(page)
    assert page.get_by_label("Save as (model name)", exact=True).input_value() == f"{table_model}-2"  # a free name
    fill_field(page, "Save as (model name)", table_model)
    question = page.get_by_text(f"A model named '{table_model}' exists (ae, k=2, trained on {TABLE}")
    assert question.count() == 1
    assert page.get_by_text("Tick the box to replace that model, or choose another name").count() == 1
    assert _train_button(page).is_disabled()
    shot(page, "journey-train-asks")
    _train_button(page).click(force=True)  # a click on the disabled button does nothing
    wait_for_app(page)
    assert _digest(saved) == before
    fill_field(page, "Save as (model name)", f"{table_model}-again")
    assert question.count() == 0 and not _train_button(page).is_disabled()
    second = _train_here(page)
    assert second == f"{table_model}-again" and (models_dir / f"{second}.safetensors").exists()
    assert _digest(saved) == before
    print(f"asked before replacing: {time.perf_counter() - t0:.1f} s")

    # 4. Every page for each model: its view of the model, or a message saying what it needs.
    opened: set[str] = set()
    table_seen = every_page(page, app_server, table_model, TABLE, opened)
    picture_seen = every_page(page, app_server, picture_model, PICTURES, opened)
    print("\n".join(f"{TABLE} {k}: {v[:140]}" for k, v in table_seen.items()))
    print("\n".join(f"{PICTURES} {k}: {v[:140]}" for k, v in picture_seen.items()))
    # A table model on a pictures-only page is said, not swapped silently for a shipped model.
    for path in ("compare", "network"):
        assert table_seen[path].startswith(f"said: '{table_model}' cannot be shown on this page"), table_seen[path]
    for path in ("denoise", "sampling"):
        assert table_seen[path].startswith(f"said: '{TABLE}' cannot be used on this page"), table_seen[path]
    assert picture_seen["manifold"].startswith(f"said: '{PICTURES}' cannot be drawn here"), picture_seen["manifold"]
    for path in ("home", "explorer", "drag", "manifold", "anomaly", "train", "library"):
        assert table_seen[path] == "shown", (path, table_seen[path])
    for path in ("home", "explorer", "drag", "compare", "network", "anomaly", "train", "library"):
        assert picture_seen[path] == "shown", (path, picture_seen[path])
    print(f"every page: {time.perf_counter() - t0:.1f} s")

    # 5. Sets a page cannot use: a one-folder ZIP imports, and the Anomalies page says it needs two
    # classes; a 3-row CSV is refused at the door.
    one = tmp_path / "discs_only.zip"
    _shapes_zip(one, classes=("disc",), n_per_class=30)
    upload_data_set(page, app_server, one)
    assert page.get_by_text("Imported 'discs_only'").count() == 1
    page.goto(f"{app_server}/anomaly?an_data=discs_only&an_ood=class")
    wait_for_app(page, timeout=120_000)
    assert page.locator("[data-testid='stException']").count() == 0
    need = page.locator("[data-testid='stAlert']").filter(has_text="needs at least 2 classes")
    assert need.count() == 1 and "discs_only" in need.inner_text() and "1 class" in need.inner_text()
    shot(page, "journey-one-class-anomaly")
    tiny = tmp_path / "three_rows.csv"
    tiny.write_text("a,b,c\n1,2,3\n4,5,6\n7,8,9\n")
    upload_data_set(page, app_server, tiny)
    refusal = page.locator("[data-testid='stAlert']").filter(has_text="Not imported.")
    assert refusal.count() == 1 and "at least 20" in refusal.inner_text()
    assert page.get_by_text("Imported 'three_rows'").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0
    shot(page, "journey-three-rows")
    print(f"whole journey: {time.perf_counter() - t0:.1f} s")
