"""AppTest (no browser): the app boots with navigation, and the Latent map page renders a scatter."""
import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from aecore.figures import trace_values

ROOT = Path(__file__).resolve().parent.parent


def test_app_boots_on_latent_map(user_models):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Latent map"


def test_home_scatter_from_shipped_checkpoint(user_models):
    at = AppTest.from_file(str(ROOT / "app_pages" / "home.py"), default_timeout=120)
    at.session_state["home_model"] = "digits-ae-2d"
    at.run()
    assert not at.exception, at.exception
    assert not at.error
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    fig = json.loads(charts[0].proto.spec)
    traces = [t for t in fig["data"] if t["type"] == "scattergl"]
    assert len(traces) == 10  # one trace per digit class
    assert sum(len(trace_values(t["x"])) for t in traces) == 360  # every test image is a point
    assert at.markdown[0].value.startswith("### Click a dot")


def test_home_model_with_missing_data_explains(user_models, monkeypatch, tmp_path):
    monkeypatch.setenv("AECORE_DATA", str(tmp_path))  # no MNIST here
    at = AppTest.from_file(str(ROOT / "app_pages" / "home.py"), default_timeout=120)
    at.session_state["home_model"] = "mnist-ae-2d"
    at.run()
    if "mnist-ae-2d" not in at.sidebar.selectbox[0].options:
        return  # checkpoint not built on this machine; nothing to explain
    assert not at.exception
    assert any("not available" in e.value for e in at.error)
