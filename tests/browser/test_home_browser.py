"""Real browser: the home page shows the scatter, and clicking a point shows a decoded image."""
from helpers import assert_no_error, shot, wait_for_app


def click_data_point(page, trace: int = 0, point: int = 0, plot: int = 0) -> None:
    """Click a scatter point through its pixel position, computed from plotly's own axes."""
    xy = page.evaluate(
        """([plot, trace, point]) => {
            const gd = document.querySelectorAll('.js-plotly-plot')[plot];
            const fl = gd._fullLayout, d = gd._fullData[trace];
            const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
            return [box.left + fl.xaxis.l2p(d.x[point]), box.top + fl.yaxis.l2p(d.y[point])];
        }""", [plot, trace, point])
    page.mouse.click(xy[0], xy[1])


def test_click_shows_decoded_image(page, app_server):
    page.goto(app_server + "/home")
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot .nsewdrag", timeout=60_000)
    assert_no_error(page)
    assert page.get_by_text("Click a dot").count() >= 1
    click_data_point(page, trace=3, point=5)
    page.wait_for_selector("text=x̂ = g(z) (decoded)", timeout=30_000)
    wait_for_app(page)
    imgs = page.locator("[data-testid='stImage'] img")
    assert imgs.count() >= 2
    # The decoded image is shown large (≥ 200 px) and crisp: upscaled server-side by an integer factor.
    assert imgs.nth(1).bounding_box()["width"] >= 200
    assert_no_error(page)
    shot(page, "home-clicked")
