"""AppTest (no browser): the app boots with navigation, and the Latent map page renders a scatter."""

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from latentlab.server.plane import read_plane
from latentlab.server.static import APP_SCRIPT, STATIC_DIR, STATIC_URL

ROOT = Path(__file__).resolve().parent.parent


def test_app_boots_on_latent_map(user_models):
    at = AppTest.from_file(str(APP_SCRIPT), default_timeout=120).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Latent map"


def _map_data(at) -> dict:
    """The data the page passed to its latent-map component."""
    maps = at.get("bidi_component")
    assert len(maps) == 1 and maps[0].proto.component_name == "latent_lab.latent_plane"
    return json.loads(maps[0].proto.json)[0]


def test_home_scatter_from_shipped_checkpoint(user_models):
    at = AppTest.from_file(str(ROOT / "latentlab" / "ui" / "pages" / "home.py"), default_timeout=120)
    at.session_state["home_model"] = "digits-ae-2d"
    at.run()
    assert not at.exception, at.exception
    assert not at.error
    data = _map_data(at)
    m = read_plane(STATIC_DIR / data["url"].removeprefix(STATIC_URL + "/"))
    assert m["n"] == 360 and m["points"].shape == (360, 2)  # every test image is a point
    assert sorted(set(m["labels"].tolist())) == list(range(10))  # coloured by its class
    assert m["image_shape"] == [1, 8, 8] and m["images_url"]  # hover shows the image
    # A 2-D model's plane is its latent space: the browser decodes a click at z = the point itself.
    assert m["linear_map"] == {"mean": [0.0, 0.0], "basis": [[1.0, 0.0], [0.0, 1.0]]}
    assert len(json.dumps(data)) < 1000  # what a rerun re-sends: a URL and a few options, not the points
    # The panel beside the map invites a click (the header's glossary markdown comes before it).
    assert any(md.value.startswith("### Click a dot") for md in at.markdown)


_NO_TORCH = """
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({page!r}, default_timeout=120)
at.session_state["home_model"] = "digits-ae-2d"
at.run()
assert not at.exception, at.exception
assert at.get("bidi_component"), "no latent map on the page"
print("TORCH_IMPORTED" if "torch" in sys.modules else "NO_TORCH")
"""


def test_home_with_a_built_map_never_imports_torch(user_models):
    """The lecture's cold start: once a model's map exists, the first page draws it without torch
    (a 3 s import on a 2-core laptop). Run in a fresh interpreter, where nothing imported torch yet."""
    import subprocess
    import sys

    at = AppTest.from_file(str(ROOT / "latentlab" / "ui" / "pages" / "home.py"), default_timeout=120)
    at.session_state["home_model"] = "digits-ae-2d"
    at.run()  # builds the map file if this checkout has none yet
    code = _NO_TORCH.format(page=str(ROOT / "latentlab" / "ui" / "pages" / "home.py"))
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "NO_TORCH" in r.stdout, r.stdout + r.stderr[-2000:]


def test_home_model_with_missing_data_explains(user_models, monkeypatch, tmp_path):
    monkeypatch.setenv("AECORE_DATA", str(tmp_path))  # no MNIST here
    at = AppTest.from_file(str(ROOT / "latentlab" / "ui" / "pages" / "home.py"), default_timeout=120)
    at.session_state["home_model"] = "mnist-ae-2d"
    at.run()
    if "mnist-ae-2d" not in at.sidebar.selectbox[0].options:
        return  # checkpoint not built on this machine; nothing to explain
    assert not at.exception
    assert any("not available" in e.value for e in at.error)


_NO_PANDAS = '''
import sys
from streamlit.testing.v1 import AppTest
SCRIPT = """
from latentlab.ui.components.latent_plane import PlaneOptions, latent_map
opts = PlaneOptions(marker=[0.5, 1.0], ab=[[0.0, 0.0], None], rect=[0, 1, 0, 1])
latent_map("/app/static/maps/none.json", key="m", options=opts)
"""
at = AppTest.from_string(SCRIPT, default_timeout=60).run()
assert not at.exception, at.exception
assert at.get("bidi_component"), "the map was not mounted"
print("PANDAS_IMPORTED" if "pandas" in sys.modules else "NO_PANDAS")
'''


def test_component_data_never_imports_pandas():
    """Streamlit scans a component's dict data for dataframes, which imports pandas and pyarrow
    (0.5 s holding the GIL: at a server's first explorer click or drag page). Our components send
    their data wrapped in a list, which it passes through. Fresh interpreter: nothing imported yet."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", _NO_PANDAS], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "NO_PANDAS" in r.stdout, r.stdout + r.stderr[-2000:]


def test_background_warm_up_never_imports_pandas():
    """The server's warm-up thread imports modules while pages run; plotly and Streamlit look pandas
    up in ``sys.modules``, so a half-imported pandas there broke a page (it did, with scikit-learn's
    data sets in the list). Fresh interpreter: the warm-up's modules alone."""
    import subprocess
    import sys

    code = (
        "import importlib, sys\n"
        "from latentlab.ui.loaders import WARM_UP_MODULES\n"
        "for m in WARM_UP_MODULES: importlib.import_module(m)\n"
        "print('PANDAS_IMPORTED' if 'pandas' in sys.modules else 'NO_PANDAS', 'torch' in sys.modules)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "NO_PANDAS True" in r.stdout, r.stdout + r.stderr[-2000:]
