"""Real browser: train on digits for a few epochs, watch the progress reach 100 %, then find the new
model in the other pages' model pickers and in the library table."""
import re

from helpers import assert_no_error, shot, wait_for_app

NAME = "browser-digits-ae"


def _fill(page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")
    wait_for_app(page)


def _picker_options(page, label: str) -> list[str]:
    """Open the sidebar selectbox called ``label`` and return its option texts."""
    sb = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text=label).first
    sb.click()
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
    # The job runs on a server thread; the page polls it once a second until it is done.
    page.wait_for_selector("text=Done: saved as", timeout=180_000)
    wait_for_app(page)
    progress = page.locator("[data-testid='stProgress']").first.inner_text()
    assert "100%" in progress and "epoch 4 of 4" in progress, progress
    assert page.locator(".js-plotly-plot").count() >= 2  # the loss curve and the latent scatter
    assert_no_error(page)
    shot(page, "train-done")

    # The Latent map page's picker lists the new model at once.
    page.goto(app_server + "/home")
    wait_for_app(page)
    assert any(o.startswith(NAME) for o in _picker_options(page, "Model")), "new model not in home_model picker"

    # The explorer too (its picker comes from the same pages.common.pick_model).
    page.goto(app_server + "/explorer")
    wait_for_app(page)
    if page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").count():
        opts = _picker_options(page, "Model")
        assert any(o.startswith(NAME) for o in opts), f"new model not in the explorer's picker: {opts[:5]}"

    page.goto(app_server + "/library")
    wait_for_app(page)
    assert_no_error(page)
    assert page.get_by_text(re.compile(NAME)).count() >= 1
    shot(page, "library")
