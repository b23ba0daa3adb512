"""Real browser: the Manifold page draws M, the x → x̂ segments and fades M where codes are sparse.

Assertions read plotly's own parsed figure data from the DOM (``gd._fullData``), so they check
what the browser actually draws, not what Python meant to send.
"""

from urllib.parse import quote

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from labtools.browser import assert_no_error, shot, wait_for_app

# Training a toy model when its shipped checkpoint is missing takes seconds on a laptop, more on
# a loaded CI machine.
SLOW = 420_000

TRACES_JS = """() => {
    const out = [];
    document.querySelectorAll('.js-plotly-plot').forEach((gd, p) => {
        (gd._fullData || []).forEach((t, i) => {
            const flat = (a) => a ? Array.from(a).flat(2).map(Number) : null;
            out.push({plot: p, index: i, role: t.meta && t.meta.role, type: t.type,
                      n: t.x ? t.x.length : 0,
                      color: t.marker && t.marker.color && typeof t.marker.color !== 'string'
                             ? flat(t.marker.color) : null,
                      colorscale: t.marker && t.marker.colorscale ? t.marker.colorscale : null,
                      intensity: t.intensity ? flat(t.intensity) : null,
                      meshcolorscale: t.type === 'mesh3d' ? t.colorscale : null, opacity: t.opacity,
                      nanx: t.x ? Array.from(t.x).filter(v => v === null || Number.isNaN(Number(v))).length : 0});
        });
    });
    return out;
}"""


def _alpha(rgba: str) -> float:
    return float(rgba.rsplit(",", 1)[1].rstrip(")"))


def _open(page, app_server, query: str):
    page.goto(f"{app_server}/manifold?{query}")
    wait_for_app(page, timeout=SLOW)
    page.wait_for_selector(".js-plotly-plot", timeout=SLOW)
    wait_for_app(page, timeout=SLOW)
    assert_no_error(page)
    return page.evaluate(TRACES_JS)


def _role(traces, role):
    return [t for t in traces if t["role"] == role]


def test_parabola_k1_draws_m_segments_and_fades_the_ends(page, app_server):
    traces = _open(page, app_server, "mf_view=The+picture&mf_data=parabola&mf_k=1")
    (m,) = _role(traces, "M")
    assert m["type"] == "scatter" and m["n"] >= 400
    rel = m["color"]
    # M is faded where it is extrapolated (both ends of the latent line) and solid in the middle.
    assert rel[0] < 0.05 and rel[-1] < 0.05
    assert max(rel) > 0.99
    assert sum(1 for r in rel if 0.1 < r < 0.9) >= 5  # a gradual fade, not a cut
    scale = m["colorscale"]
    assert _alpha(scale[0][1]) < 0.1 and _alpha(scale[-1][1]) > 0.95  # low reliability → transparent
    (seg,) = _role(traces, "segments")
    assert seg["nanx"] >= 100  # one gap per x → x̂ segment: ≥ 100 segments
    assert _role(traces, "x") and _role(traces, "xhat")
    (grid,) = _role(traces, "latent-grid")  # the latent panel with the same fading
    assert grid["color"][0] < 0.05 and max(grid["color"]) > 0.99
    assert page.get_by_text("x is not on M; x̂ is.").count() >= 1
    shot(page, "manifold-parabola-k1")

    # Clicking a latent square rings the same z in the latent panel and g(z) on M.
    xy = page.evaluate("""() => {
        const gd = document.querySelectorAll('.js-plotly-plot')[0];
        const fl = gd._fullLayout;
        const t = gd._fullData.find(t => t.meta && t.meta.role === 'latent-grid');
        const i = Math.floor(t.x.length / 2);
        const xa = fl['xaxis' + t.xaxis.slice(1)], ya = fl['yaxis' + t.yaxis.slice(1)];
        const r = gd.querySelector('.main-svg').getBoundingClientRect();
        return [r.left + xa._offset + xa.l2p(t.x[i]), r.top + ya._offset + ya.l2p(t.y[i])];
    }""")
    page.mouse.click(xy[0], xy[1])
    page.wait_for_selector("text=Selected z", timeout=60_000)
    wait_for_app(page)
    traces = page.evaluate(TRACES_JS)
    assert len(_role(traces, "highlight")) == 2
    assert_no_error(page)


def test_swiss_roll_k2_draws_a_faded_surface(page, app_server):
    traces = _open(page, app_server, "mf_view=The+picture&mf_data=swiss-roll&mf_k=2")
    (m,) = _role(traces, "M")
    assert m["type"] == "mesh3d"
    sc = m["intensity"]  # each vertex's reliability
    assert len(sc) >= 900
    assert min(sc) < 0.02 and max(sc) > 0.99  # faded beyond the codes, solid where they are dense
    assert sc[0] < 0.05 and sc[-1] < 0.05  # grid corners: extrapolation
    scale = m["meshcolorscale"]
    assert _alpha(scale[0][1]) < 0.1 and _alpha(scale[-1][1]) >= 0.7 and m["opacity"] < 1
    (seg,) = _role(traces, "segments")
    assert seg["type"] == "scatter3d" and seg["nanx"] >= 100
    assert _role(traces, "latent-grid")
    page.wait_for_timeout(1500)  # let WebGL finish drawing M before the screenshot
    shot(page, "manifold-swiss-roll-k2")


@pytest.mark.parametrize(
    "view,shot_name", [("Linear AE vs PCA", "manifold-linear-vs-pca"), ("k is a prior", "manifold-k-prior")]
)
def test_other_views_render(page, app_server, view, shot_name):
    data = "&mf_data=swiss-roll" if view == "k is a prior" else ""
    traces = _open(page, app_server, f"mf_view={quote(view)}{data}")
    assert _role(traces, "M") or _role(traces, "M-mesh")
    if view == "Linear AE vs PCA":
        assert _role(traces, "pca")
        assert page.get_by_text("Largest principal angle").count() >= 1
    page.wait_for_timeout(1500)
    shot(page, shot_name)


def test_each_figure_is_plotted_once_and_a_rerun_does_not_replot_it(page, app_server):
    """Streamlit 1.67's plotly element plotted every figure twice (a 3-D scene costs ~1 s each time in
    software WebGL). The app's own chart element (latentlab/ui/components/plotly_chart) plots once, with the
    plotly.js of the plotly package, and a rerun that re-sends the same figure draws nothing."""
    _open(page, app_server, "mf_view=Linear+AE+vs+PCA&mf_lin=plane")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.llplot:not([data-preload])')]"
        ".every(r => !r.dataset.pending && r.querySelector('.main-svg')) && document.querySelector('.llplot-gd')",
        timeout=SLOW,
    )
    n_charts = page.locator(".llplot-gd.js-plotly-plot").count()
    plots = page.evaluate("() => window.__llplot.plots")
    assert n_charts >= 2 and plots == n_charts  # one plot per chart, not two
    assert page.evaluate("() => Plotly.version") and page.locator(".llplot-full").count() == n_charts  # fullscreen
    # Rerun the script (Streamlit's "R" shortcut): the same figures are sent again, nothing is redrawn.
    # Watch the script-run state (a fast rerun can go from running to finished between two polls).
    page.evaluate(
        """() => { window.__llRan = false; const app = document.querySelector('[data-testid=stApp]');
        new MutationObserver(() => { if (app.dataset.testScriptState === 'running') window.__llRan = true; })
            .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }"""
    )
    for _ in range(3):  # a key press can land before the page takes focus: press again
        page.mouse.click(5, 5)  # focus the page, not a widget
        page.keyboard.press("r")
        try:
            page.wait_for_function("() => window.__llRan", timeout=5_000)
            break
        except PlaywrightTimeout:
            continue
    else:
        pytest.fail("the R shortcut did not rerun the script")
    wait_for_app(page, timeout=SLOW)
    page.wait_for_timeout(1500)
    after = page.evaluate("() => [window.__llplot.plots, window.__llplot.drawn]")
    assert after[0] == plots, after


#: What the time-lapse film shows now: its title, legend entry for M, the slider's step and the frame
#: plotly last drew (``_currentFrame``, null before any), plus the slider's drawn tick labels.
FILM_JS = """() => {
    const gd = [...document.querySelectorAll('.js-plotly-plot')].find(g => (g._transitionData || {})._frames
                                                                          && g._transitionData._frames.length);
    const s = gd._fullLayout.sliders[0];
    return {title: gd.querySelector('.gtitle').textContent,
            legend: [...gd.querySelectorAll('.legendtext')].map(t => t.textContent).find(t => t.startsWith('M at')),
            active: s.active, label: s.steps[s.active].label, current: gd._fullLayout._currentFrame || null,
            frames: gd._transitionData._frames.map(f => f.name), steps: s.steps.map(st => st.label),
            ticks: [...gd.querySelectorAll('.slider-label')].filter(t => t.textContent)
                       .map(t => parseFloat(getComputedStyle(t).fontSize))};
}"""


def _agrees(film: dict) -> str:
    """The one epoch the title, the legend and the slider all name (asserts they agree)."""
    epoch = film["label"]
    assert film["title"] == f"Epoch {epoch}" and film["legend"] == f"M at epoch {epoch}", film
    return epoch


def test_timelapse_opens_on_epoch_0_and_its_labels_agree(page, app_server):
    """Issue 31: the film opened at its last frame (epoch 400), and while it played the slider said
    "epoch 50" over "M at epoch 40". It opens on epoch 0; after scrubbing and after playing to the
    end, the title, the legend and the slider's step name one epoch; the frames' epochs are
    log-spaced (every epoch at first)."""
    _open(page, app_server, "mf_view=Time-lapse")
    page.wait_for_selector(".js-plotly-plot .slider-container", timeout=SLOW)
    film = page.evaluate(FILM_JS)
    assert film["active"] == 0 and _agrees(film) == "0"
    assert film["steps"] == film["frames"] and film["frames"][:11] == [str(e) for e in range(11)]
    assert len(film["frames"]) > 20 and len(film["ticks"]) >= 5  # plotly labels every n-th step that fits
    shot(page, "manifold-timelapse-first")
    rail = page.locator(".slider-rail-rect").first.bounding_box()
    page.mouse.click(rail["x"] + rail["width"] * 0.3, rail["y"] + rail["height"] / 2)
    page.wait_for_function("() => document.querySelector('.gtitle').textContent !== 'Epoch 0'", timeout=30_000)
    page.wait_for_timeout(500)
    film = page.evaluate(FILM_JS)
    assert 0 < film["active"] < len(film["frames"]) - 1 and _agrees(film) == film["current"]
    page.get_by_text("▶ Play").first.click()
    last = film["frames"][-1]
    page.wait_for_function(f"() => document.querySelector('.gtitle').textContent === 'Epoch {last}'", timeout=120_000)
    page.wait_for_timeout(500)
    assert _agrees(page.evaluate(FILM_JS)) == last
    shot(page, "manifold-timelapse-played")
