"""The latent plane's JavaScript, unit-tested by Node's own test runner (tests/js/*.test.mjs on
ui/components/latent_plane/geometry.js and decoder.js), and one plane file written by Python
(web/plane.py) read by that JavaScript: the payload's two ends agree."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from web import plane as LM

ROOT = Path(__file__).resolve().parent.parent
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js not found (./run.sh test installs Debian's nodejs)")


def test_node_unit_tests_pass():
    run = subprocess.run([NODE, "--test", "tests/js/"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    passed = int(re.search(r"^# pass (\d+)$", run.stdout, re.M).group(1))
    assert passed >= 21 and re.search(r"^# fail 0$", run.stdout, re.M)


def test_a_plane_file_written_by_python_reads_the_same_in_javascript(tmp_path):
    rng = np.random.default_rng(0)
    pts = rng.normal(size=(300, 2)).astype(np.float32)  # (N, 2)
    labels = rng.integers(0, 3, 300)

    def density(z):  # (M, 2) -> (M,): a bump at the origin
        return np.exp(-(z**2).sum(1))

    p = LM.plane_payload(pts, labels, ["a", "b", "c"], ((-3, 3), (-3, 3)), density=density, threshold=0.2, grid_n=9)
    (tmp_path / "p.bin").write_bytes(LM.encode_plane(p))
    module = (ROOT / "ui/components/latent_plane/geometry.js").as_uri()
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
