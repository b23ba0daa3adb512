"""Real browser: a table (the built-in sensor log) trains from the Train page and opens on the Latent
explorer, where a click shows the decoded row as bars and a dot's row beside its reconstruction."""

from labtools.browser import assert_no_error, shot, train_on_page, wait_for_app, wait_for_map
from labtools.plane_probe import PlaneProbe

MODEL = "browser-sensor-ae"


def test_a_table_model_on_the_explorer(page, app_server):
    train_on_page(page, app_server, "sensor-log", MODEL)

    page.goto(app_server + f"/explorer?ex_model={MODEL}")
    wait_for_app(page, timeout=120_000)
    assert wait_for_map(page) == 2400  # the log's test minutes
    assert page.get_by_text("Draw or upload your own input").count() == 0  # pictures only
    # A dot: its row and x̂ as bars, one per sensor.
    xy = PlaneProbe(page).point_xy(0)
    page.mouse.click(*xy)
    page.get_by_text("Selected example #0").wait_for(timeout=60_000)
    wait_for_app(page)
    # Plotly draws each chart after the script ends: wait for the row's chart, not only its caption
    # (CI once read the plots while the second was still being drawn).
    names_js = "() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => (gd.data || []).map(t => t.name))"
    wanted = ["x: the reading", "x̂ = g(f(x))"]
    page.wait_for_function(
        f"(w) => ({names_js})().some(n => JSON.stringify(n) === JSON.stringify(w))", arg=wanted, timeout=30_000
    )
    names = page.evaluate(names_js)
    assert ["g(z)"] in names and wanted in names, names
    assert page.get_by_text("Manifold grid").count() == 0
    assert_no_error(page)
    shot(page, "explorer-table")
