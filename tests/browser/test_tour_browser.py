"""Real browser: walk every step of the guided tour with Next; no error anywhere; step in the URL."""

from aecore.analysis import tour
from labtools.browser import assert_no_error, press_key, shot, wait_for_app

N = len(tour.STEPS)


def test_walk_the_tour(page, app_server):
    page.goto(app_server + "/tour?step=1")
    wait_for_app(page, timeout=180_000)
    for i in range(1, N + 1):
        assert page.get_by_text(f"Step {i} of {N}").count() == 1
        # Every step draws a figure: a plotly chart, the latent plane (the sampling step's draws), the
        # code grid (step 11) or pictures in the main visual (step 12's two grids of samples).
        # (Any one of them visible: the first match may be hidden, as plotly's preloaded chart is.)
        page.locator(
            ".js-plotly-plot, [data-testid='llplane-canvas'][data-ready='1'], [data-testid='llcodes-xhat'], "
            ".st-key-ll_main [data-testid='stImage'] img"
        ).filter(visible=True).first.wait_for(timeout=180_000)
        assert_no_error(page)
        assert f"step={i}" in page.url
        if i in (1, 3, 7, 9, 10, 11, 12, 13):
            shot(page, f"tour-step-{i}")
        if i < N:
            page.get_by_role("button", name="Next →").click()
            page.wait_for_function(f"() => document.body.innerText.includes('Step {i + 1} of {N}')", timeout=60_000)
            wait_for_app(page, timeout=240_000)
    assert page.get_by_role("button", name="Next →").is_disabled()


def test_deep_link_to_a_step(page, app_server):
    page.goto(app_server + "/tour?step=sampling")
    wait_for_app(page, timeout=180_000)
    assert page.get_by_text(f"Step 7 of {N}").count() == 1
    assert_no_error(page)


def test_clicker_keys_step_the_tour(page, app_server):
    """A presentation clicker sends PageDown/PageUp; a keyboard the arrows or Space. In presenter
    mode too, where the sidebar (which holds the key listener) starts collapsed."""
    page.goto(app_server + "/tour?step=1&presenter=1")
    wait_for_app(page, timeout=180_000)
    for key, expect in (("ArrowRight", 2), ("PageDown", 3), ("Space", 4), ("PageUp", 3), ("ArrowLeft", 2)):
        press_key(page, key)
        page.wait_for_function(
            "(s) => new URLSearchParams(location.search).get('step') === s", arg=str(expect), timeout=60_000
        )
        wait_for_app(page, timeout=240_000)
        assert f"step={expect}" in page.url


def test_a_student_checks_themselves(page, app_server):
    """Each step ends with self-check questions; the answer appears only after a click."""
    from aecore.analysis import tour

    q, ans = tour.STEPS[2].checks[0]
    page.goto(app_server + "/tour?step=3")
    wait_for_app(page, timeout=180_000)
    assert page.get_by_text("Check yourself").count() == 1
    question = page.get_by_text(q, exact=True)
    assert question.count() == 1
    assert not page.get_by_text(ans, exact=True).is_visible()
    question.click()
    page.get_by_text(ans, exact=True).wait_for(state="visible", timeout=10_000)
