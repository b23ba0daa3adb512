"""Real browser: the home page shows the scatter, and clicking a point shows a decoded image."""
from helpers import assert_no_error, shot, wait_for_app


def click_data_point(page, trace: int = 0, point: int | None = None, plot: int = 0) -> None:
    """Click a scatter point through its pixel position, computed from plotly's own axes.

    ``point=None`` picks the trace's point nearest its median: always inside the plot area,
    never under the legend or off-screen.
    """
    xy = page.evaluate(
        """([plot, trace, point]) => {
            const gd = document.querySelectorAll('.js-plotly-plot')[plot];
            const fl = gd._fullLayout, d = gd._fullData[trace];
            const xs = Array.from(d.x), ys = Array.from(d.y);
            if (point === null) {
                const med = a => [...a].sort((u, v) => u - v)[a.length >> 1];
                const mx = med(xs), my = med(ys);
                let best = 0, bd = Infinity;
                xs.forEach((x, i) => { const dd = (x - mx) ** 2 + (ys[i] - my) ** 2; if (dd < bd) { bd = dd; best = i; } });
                point = best;
            }
            const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
            return [box.left + fl.xaxis.l2p(xs[point]), box.top + fl.yaxis.l2p(ys[point])];
        }""", [plot, trace, point])
    page.mouse.click(xy[0], xy[1])


def test_click_shows_decoded_image(page, app_server):
    page.goto(app_server + "/")  # the default page lives at / (Streamlit ignores its url_path)
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot .nsewdrag", timeout=60_000)
    assert_no_error(page)
    assert page.get_by_text("Click a dot").count() >= 1
    # The very first click after load can be swallowed while plotly's WebGL picking warms up;
    # click again, as a person would, at most three times.
    for _ in range(3):
        click_data_point(page, trace=3)
        try:
            page.wait_for_selector("text=x̂ = g(z) (decoded)", timeout=15_000)
            break
        except Exception:  # noqa: BLE001 - retried, then the assertion below reports it
            continue
    assert page.get_by_text("x̂ = g(z) (decoded)").count() >= 1
    wait_for_app(page)
    imgs = page.locator("[data-testid='stImage'] img")
    assert imgs.count() >= 2
    # The decoded image is shown large (≥ 200 px) and crisp: upscaled server-side by an integer factor.
    assert imgs.nth(1).bounding_box()["width"] >= 200
    assert_no_error(page)
    shot(page, "home-clicked")
