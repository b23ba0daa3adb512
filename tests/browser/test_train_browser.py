"""Real browser: train on digits for a few epochs, watch the progress reach 100 %, then find the new
model in the other pages' model pickers and in the library table."""

from labtools.browser import assert_no_error, shot, wait_for_app
from labtools.plane_probe import PlaneProbe

NAME = "browser-digits-ae"


def _fill(page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")
    wait_for_app(page)


def _picker_options(page, label: str, query: str = "") -> list[str]:
    """Open the sidebar selectbox called ``label``, type ``query`` into its search (the dropdown
    is a virtual list: with ~30 models, the last ones are not in the page until scrolled to or
    searched for) and return the option texts it shows."""
    sb = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text=label).first
    sb.click()
    if query:
        page.keyboard.type(query)
    page.wait_for_selector("[role='option']", timeout=15_000)
    opts = page.locator("[role='option']").all_inner_texts()
    page.keyboard.press("Escape")
    return opts


def test_train_digits_then_pick_it_everywhere(page, app_server):
    page.goto(app_server + "/train")
    wait_for_app(page)
    assert_no_error(page)
    _fill(page, "Epochs", "4")
    _fill(page, "Save as (model name)", NAME)
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_selector("[data-testid='stProgress']", timeout=60_000)
    shot(page, "train-started")
    # The job runs on a server thread; the page polls it once a second until it is done.
    try:
        page.wait_for_selector("text=Done: saved as", timeout=300_000)
    finally:
        shot(page, "train-last")
    wait_for_app(page)
    progress = page.locator("[data-testid='stProgress']").first.inner_text()
    assert "100%" in progress and "epoch 4 of 4" in progress, progress
    assert page.locator(".js-plotly-plot").count() == 1  # the loss curve
    # The latent plane: the codes of the last epoch (the plane component, a file per epoch).
    canvas = page.locator("[data-testid='llplane-canvas'][data-ready='1']")
    canvas.wait_for(timeout=30_000)
    assert int(canvas.get_attribute("data-points")) >= 100
    url = PlaneProbe(page).info({"live": True})["file"]
    assert url.endswith("-e00004-v3.bin"), url
    assert_no_error(page)
    shot(page, "train-done")

    # The Latent map page's picker lists the new model at once.
    page.goto(app_server + "/")  # the default page lives at / (Streamlit ignores its url_path)
    wait_for_app(page)
    assert any(o.startswith(NAME) for o in _picker_options(page, "Model", NAME)), "new model not in home_model picker"

    # The explorer too (its picker comes from the same latentlab.ui.model_picker.pick_model).
    page.goto(app_server + "/explorer")
    wait_for_app(page)
    if page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").count():
        opts = _picker_options(page, "Model", NAME)
        assert any(o.startswith(NAME) for o in opts), f"new model not in the explorer's picker: {opts[:5]}"

    page.goto(app_server + "/library")
    wait_for_app(page)
    assert_no_error(page)
    # The table scrolls (22 shipped models), so the new row may be out of the DOM: look in the
    # library's own "Manage a model" picker instead.
    sb = page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").filter(has_text="Model").first
    sb.click()
    page.wait_for_selector("[role='option']", timeout=15_000)
    opts = page.locator("[role='option']").all_inner_texts()
    page.keyboard.press("Escape")
    assert any(o.startswith(NAME) for o in opts), f"new model not in the library: {opts[:5]}"
    shot(page, "library")


def test_library_upload_rename_delete(page, app_server, tmp_path):
    """A hostile upload gets its own message and changes nothing; a good one is added, renamed and
    deleted (each with a confirmation step)."""
    import torch

    from aecore.models import ModelConfig, build_model
    from aecore.storage.checkpoint import to_bytes

    torch.manual_seed(0)
    good = to_bytes(
        build_model(ModelConfig(family="ae", input_dim=64, latent_dim=2, hidden=(16,), image_shape=(1, 8, 8))), "digits"
    )
    (tmp_path / "junk.safetensors").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    (tmp_path / "uploaded-ae.safetensors").write_bytes(good)

    page.goto(app_server + "/library")
    wait_for_app(page)
    assert_no_error(page)
    # The library's uploader (the sidebar has the playlist's too).
    upload = (
        page.locator("[data-testid='stFileUploader']").filter(has_text="Checkpoint files").locator("input[type='file']")
    )
    upload.set_input_files(str(tmp_path / "junk.safetensors"))
    wait_for_app(page)
    page.get_by_role("button", name="Add to library").click()
    page.wait_for_selector("text=was rejected", timeout=30_000)
    assert page.get_by_text("PNG image").count() >= 1
    assert page.get_by_text("uploaded-ae").count() == 0
    shot(page, "library-rejected")

    upload.set_input_files(str(tmp_path / "uploaded-ae.safetensors"))
    wait_for_app(page)
    page.get_by_role("button", name="Add to library").click()
    page.wait_for_selector("text=added as 'uploaded-ae'", timeout=30_000)
    wait_for_app(page)

    # Rename: pick it, type a new name, confirm.
    sel = page.locator("[data-testid='stSelectbox']").filter(has_text="Model").first
    sel.click()
    page.keyboard.type("uploaded-ae")  # a virtual list: search rather than hope it is rendered
    page.locator("[role='option']").filter(has_text="uploaded-ae").first.click()
    wait_for_app(page)
    _fill(page, "New name", "renamed-ae")
    page.get_by_role("button", name="Rename…").click()
    wait_for_app(page)
    page.get_by_role("button", name="Yes, rename").click()
    page.wait_for_selector("text=Renamed 'uploaded-ae' to 'renamed-ae'", timeout=30_000)
    wait_for_app(page)
    assert_no_error(page)

    page.get_by_role("button", name="Delete…").click()
    wait_for_app(page)
    page.get_by_role("button", name="Yes, delete").click()
    page.wait_for_selector("text=Deleted 'renamed-ae'", timeout=30_000)
    wait_for_app(page)
    assert page.get_by_role("gridcell", name="renamed-ae").count() == 0
