"""One lecture model: picked once on any page, it is the model (or data set) of every page where it
fits, and each page's own settings survive a visit to another page."""

import re

from labtools.browser import assert_no_error, wait_for_app

MODEL = "fashion-mnist-ae-2d"  # has the AE, DAE and VAE twins every demo page needs


def _nav(page, title: str) -> None:
    # Navigate inside the session (a page.goto would start a new one). A nav link's text is
    # "<icon name><title>": match the end.
    page.locator("[data-testid='stSidebarNavLink']", has_text=re.compile(re.escape(title) + r"\s*$")).first.click()
    wait_for_app(page, timeout=180_000)
    assert_no_error(page)


def _selected(page, label: str) -> str:
    """The shown value of the selectbox called ``label`` (sidebar or main area): a combobox input."""
    return page.get_by_role("combobox", name=label, exact=True).first.input_value()


def _pick(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label, exact=True).first.click()
    page.keyboard.type(option)
    page.locator("[role='option']", has_text=option).first.click()
    wait_for_app(page, timeout=180_000)


def test_model_follows_the_lecturer_across_pages(page, app_server):
    page.goto(app_server + "/")
    wait_for_app(page, timeout=180_000)
    _pick(page, "Model", MODEL)
    assert MODEL in _selected(page, "Model")
    assert f"model={MODEL}" in page.url

    # Every page where the model fits shows it (its data set on the demo and Train pages).
    for title, label, expect in [
        ("Latent explorer", "Model", MODEL),
        ("Drag to decode", "Model", MODEL),
        ("Denoising", "Data set", "Fashion-MNIST"),
        ("Sampling: VAE vs AE", "Data set", "Fashion-MNIST"),
        ("Anomalies", "Data set", "Fashion-MNIST"),
        ("Train", "Data set", "fashion-mnist"),
        ("Model library", "Model", MODEL),
    ]:
        _nav(page, title)
        assert expect in _selected(page, label), (title, _selected(page, label))

    # A data set picked on a demo page moves the lecture model to that data set.
    _nav(page, "Denoising")
    _pick(page, "Data set", "digits")
    _nav(page, "Latent map")
    assert "digits-" in _selected(page, "Model"), _selected(page, "Model")


def test_page_settings_survive_a_page_switch(page, app_server):
    page.goto(app_server + "/explorer?ex_model=digits-ae-2d")
    wait_for_app(page, timeout=180_000)
    page.locator("[data-testid='stSidebar'] label").filter(has_text=re.compile(r"^train$")).first.click()
    wait_for_app(page)
    assert "ex_split=train" in page.url
    _nav(page, "Manifold")
    _nav(page, "Latent explorer")
    radio = page.locator("[data-testid='stSidebar'] [data-testid='stRadio']").filter(has_text="Points from").first
    checked = radio.locator("input:checked").first.evaluate("e => e.closest('label').innerText")
    assert checked.strip() == "train"
