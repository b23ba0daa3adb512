"""Real browser: the Sparse autoencoders page. A click in the gallery opens a feature's card whose top
images are those ``aecore`` ranks highest; moving the steering slider with the keyboard shows the
probabilities ``aecore`` computes for the clamped activation (one page load for both)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from aecore.analysis import sae as A
from aecore.analysis.judge import judge_for
from aecore.data.sets import is_available, load_dataset
from aecore.storage.saes import load_sae, sae_path
from labtools.browser import assert_no_error, shot, wait_for_app

pytestmark = pytest.mark.skipif(
    not is_available("mnist") or not sae_path("mnist").is_file(), reason="MNIST or its SAE is not on this machine"
)

IMAGE = 7  # the test image steered


def _alt_indices(page) -> list[int]:
    alts = page.locator(".st-key-sa_top_images img").evaluate_all("els => els.map((e) => e.alt)")
    return [int(re.search(r"#(\d+)", a).group(1)) for a in alts]


def _readout(page) -> dict[str, tuple[float, float]]:
    """The probabilities the page prints under the chart: ``{class: (own, clamped)}`` in %."""
    text = page.locator(".st-key-sa_readout").inner_text()
    return {c: (float(a), float(b)) for c, a, b in re.findall(r"P\((\w+)\) ([\d.]+)% → ([\d.]+)%", text)}


def test_a_feature_card_and_steering_show_aecores_numbers(page, app_server):
    sae, _ = load_sae(sae_path("mnist"))
    judge = judge_for("mnist")
    x_test = load_dataset("mnist").split("test")[0].numpy()
    acts = judge.features(x_test)  # (N, 128) the layer
    z, _ = A.encode_acts(sae, acts)
    freq = (z > 0).mean(0)
    order = np.argsort(-freq, kind="stable")
    f = int(order[2])  # the third most frequent feature: in the gallery's first row
    top, _ = A.top_activating(z)

    page.goto(f"{app_server}/sae?sa_data=mnist&sa_i={IMAGE}")
    wait_for_app(page, timeout=240_000)
    assert_no_error(page)
    # A person's click: the feature's button in the gallery (features by frequency).
    page.get_by_role("button", name=re.compile(rf"^#{f}\b")).first.click()
    wait_for_app(page, timeout=60_000)
    assert_no_error(page)
    page.wait_for_function(
        "f => document.body.innerText.includes('Feature #' + f + ' fires on')", arg=f, timeout=30_000
    )
    assert _alt_indices(page) == [int(j) for j in top[f] if j >= 0]  # aecore's ranking, strongest first
    shot(page, "sae-card")

    # Steering with the keyboard, on the page's own demo (a feature and an image it turns into the
    # feature's class): focus the slider's thumb and press End (its maximum).
    from aecore.lecture import prepare

    demo = prepare.sae_dashboard("mnist").demo  # on disk: the page computed it
    f, image = demo["feature"], demo["image"]
    page.get_by_label(re.compile("^Feature #")).fill(str(f))
    page.get_by_label(re.compile("^Feature #")).press("Enter")
    wait_for_app(page, timeout=60_000)
    page.get_by_label(re.compile("^Test image to steer")).fill(str(image))
    page.get_by_label(re.compile("^Test image to steer")).press("Enter")
    wait_for_app(page, timeout=60_000)
    page.wait_for_function(
        "s => document.querySelector('.st-key-sa_readout')?.innerText.startsWith(s)", arg=f"#{f} = ", timeout=30_000
    )
    thumb = page.locator(".st-key-ll_main input[type='range']").first  # the slider's thumb (react-aria)
    text_before = page.locator(".st-key-sa_readout").inner_text()
    before = _readout(page)
    thumb.focus()
    thumb.press("End")
    page.wait_for_function(
        "t => { const e = document.querySelector('.st-key-sa_readout'); return e && e.innerText !== t; }",
        arg=text_before,
        timeout=60_000,
    )
    wait_for_app(page, timeout=60_000)
    value = float(thumb.input_value())
    s = A.steer(sae, judge.model.head, acts[image], f, value)
    shown = _readout(page)
    names = load_dataset("mnist").class_names
    assert shown, "no probabilities under the steering chart"
    for c, (own, clamped) in shown.items():
        j = names.index(c)
        assert own == pytest.approx(100 * s.original_probs[j], abs=0.051)
        assert clamped == pytest.approx(100 * s.probs[j], abs=0.051)
    assert value > demo["value"] and shown != before  # the slider moved, and the numbers with it
    assert np.argmax(s.probs) == demo["target"]  # past the demo's value: the call is the feature's class
    shot(page, "sae-steered")
