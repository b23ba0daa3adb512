"""The app's JavaScript: the latent plane's modules unit-tested by Node's own test runner
(tests/js/*.test.mjs), eslint and tsc (JSDoc types) clean over latentlab/ui/components, each file short, the
modules joined as served parse as one module, and one plane file written by Python (latentlab/server/plane.py)
read by that JavaScript: the payload's two ends agree."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from latentlab.server import plane as LM
from latentlab.ui.components.bundle import PLANE_WIDGET_JS, join_modules, plane_widget_module
from latentlab.ui.components.latent_plane import JS_FILES

ROOT = Path(__file__).resolve().parent.parent
LATENT_PLANE = ROOT / "latentlab" / "ui" / "components" / "latent_plane"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js not found (./run.sh test installs Debian's nodejs)")


def test_node_unit_tests_pass():
    run = subprocess.run([NODE, "--test", "tests/js/"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    passed = int(re.search(r"^# pass (\d+)$", run.stdout, re.M).group(1))
    assert passed >= 40 and re.search(r"^# fail 0$", run.stdout, re.M)


NPX = ROOT / "node_modules" / ".bin"
needs_npm = pytest.mark.skipif(
    not (NPX / "eslint").exists() and not os.environ.get("CI"),
    reason="eslint and tsc not installed (./run.sh test runs npm ci from package-lock.json)",
)


@needs_npm
def test_eslint_is_clean():
    cmd = [str(NPX / "eslint"), "latentlab/ui/components", "tests/js"]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


@needs_npm
def test_tsc_type_checks_the_components():
    cmd = [str(NPX / "tsc"), "-p", "jsconfig.json"]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_no_javascript_file_is_over_600_lines():
    files = sorted((ROOT / "latentlab" / "ui" / "components").rglob("*.js"))
    assert len(files) >= 15
    long = {str(f.relative_to(ROOT)): n for f in files if (n := len(f.read_text(encoding="utf-8").splitlines())) > 600}
    assert not long, long


def test_the_served_plane_module_parses_and_its_test_interface_is_there(tmp_path):
    js = join_modules(LATENT_PLANE, JS_FILES)
    assert not re.search(r"^import\s", js, re.M)  # every sibling import was dropped
    (tmp_path / "plane.mjs").write_text(js)
    run = subprocess.run([NODE, "--check", str(tmp_path / "plane.mjs")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr  # e.g. two modules declaring the same name
    # Every module of the folder is served (a new file left out of JS_FILES would never run); the
    # notebook widget's entry point only in its own bundle.
    assert set(JS_FILES) | {PLANE_WIDGET_JS} == {f.name for f in LATENT_PLANE.glob("*.js")}
    assert "LP.test = {" in js and "export default mountPlane;" in js


def test_the_notebook_widgets_module_parses_with_one_default_export(tmp_path):
    """The same modules and widget.js (latentlab/ui/notebook.py's front end): plane.js's default
    export gives way to the widget's."""
    js = plane_widget_module()
    (tmp_path / "widget.mjs").write_text(js)
    run = subprocess.run([NODE, "--check", str(tmp_path / "widget.mjs")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert js.count("export default") == 1 and "export default { render };" in js


def test_joining_refuses_a_missing_or_renamed_import(tmp_path):
    (tmp_path / "a.js").write_text("export function f() { return 1; }\n")
    (tmp_path / "b.js").write_text('import { f } from "./a.js";\nexport const g = f();\n')
    assert "const g = f();" in join_modules(tmp_path, ["a.js", "b.js"])
    with pytest.raises(ValueError, match="not joined"):
        join_modules(tmp_path, ["b.js"])
    (tmp_path / "c.js").write_text('import { f as h } from "./a.js";\nexport const g = h();\n')
    with pytest.raises(ValueError, match="renamed"):
        join_modules(tmp_path, ["a.js", "c.js"])
    (tmp_path / "d.js").write_text('import x from "https://example.org/x.js";\n')
    with pytest.raises(ValueError, match="only imports of sibling"):
        join_modules(tmp_path, ["d.js"])


def test_a_plane_file_written_by_python_reads_the_same_in_javascript(tmp_path):
    rng = np.random.default_rng(0)
    pts = rng.normal(size=(300, 2)).astype(np.float32)  # (N, 2)
    labels = rng.integers(0, 3, 300)

    def density(z):  # (M, 2) -> (M,): a bump at the origin
        return np.exp(-(z**2).sum(1))

    p = LM.plane_payload(pts, labels, ["a", "b", "c"], ((-3, 3), (-3, 3)), density=density, threshold=0.2, grid_n=9)
    (tmp_path / "p.bin").write_bytes(LM.encode_plane(p))
    module = (ROOT / "latentlab/ui/components/latent_plane/geometry.js").as_uri()
    script = (
        f"import {{ parsePlane, contour }} from {json.dumps(module)};"
        "import { readFileSync } from 'node:fs';"
        f"const b = readFileSync({json.dumps(str(tmp_path / 'p.bin'))});"
        "const m = parsePlane(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));"
        "const c = contour(m.dens, m.density_n, m.threshold, m.bounds);"
        "console.log(JSON.stringify({n: m.n, names: m.class_names, bounds: m.bounds, pts: Array.from(m.pts),"
        " lab: Array.from(m.lab), dens: Array.from(m.dens), segs: c.length}));"
    )
    run = subprocess.run([NODE, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    js = json.loads(run.stdout)
    m = LM.decode_plane(p)
    assert js["n"] == 300 and js["names"] == ["a", "b", "c"] and js["bounds"] == [-3.0, 3.0, -3.0, 3.0]
    assert np.array_equal(np.asarray(js["pts"], np.float32), pts.ravel())
    assert js["lab"] == labels.tolist()
    assert np.allclose(js["dens"], np.asarray(m["density"], np.float32).ravel())
    assert js["segs"] > 0  # the dense region's edge is drawn


def test_plane_options_are_one_object_whose_fields_become_the_components_data():
    from dataclasses import fields

    from latentlab.ui.components.latent_plane import PlaneOptions

    d = PlaneOptions(height=480.0, shade=1, manifest={"name": "digits-ae-2d"}, image_shape=(1, 8, 8)).data("/m.bin")
    # Every option reaches plane.js under its own name, plus what the component adds.
    assert {f.name for f in fields(PlaneOptions)} | {"mode", "url", "palette"} == set(d)
    assert d["mode"] == "click" and d["url"] == "/m.bin" and d["height"] == 480 and isinstance(d["height"], int)
    assert d["shade"] is True and d["select"] is False and d["image_shape"] == [1, 8, 8]
    assert d["label"] == "digits-ae-2d"  # the model in the canvas's accessible name, from the manifest
    assert PlaneOptions(label="mine", manifest={"name": "x"}).data("u")["label"] == "mine"
    json.dumps(d)  # plain JSON
