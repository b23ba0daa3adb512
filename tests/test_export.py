"""Decoder export for in-browser decoding, and the latent-pad geometry (view, density, payload)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from aecore.analysis import markers as drag
from aecore.analysis.coding import interpolate
from aecore.analysis.projection import fit_projection, view_bounds
from aecore.models import ModelConfig, build_model
from aecore.storage.checkpoint import load_checkpoint, save_checkpoint
from aecore.storage.library import SHIPPED_DIR
from latentlab.server import export, plane

ROOT = Path(__file__).resolve().parent.parent


def _model(family="ae", k=2, act="relu", output="sigmoid", D=12, hidden=(16, 8), seed=0, **kw):
    torch.manual_seed(seed)
    cfg = ModelConfig(
        family=family,
        input_dim=D,
        latent_dim=k,
        hidden=hidden,
        activation=act,
        output=output,
        likelihood="bernoulli" if output == "sigmoid" else "gaussian",
        **kw,
    )
    m = build_model(cfg).eval()
    with torch.no_grad():  # push the output layer away from 0 so the squash matters
        for p in m.parameters():
            p.mul_(2.0)
    return m


def _torch_decode(m, z):
    with torch.no_grad():
        return m.decode(torch.as_tensor(z, dtype=torch.float32)).numpy()


@pytest.mark.parametrize(
    "family,act,output",
    [
        ("ae", "relu", "sigmoid"),
        ("vae", "relu", "sigmoid"),
        ("ae", "elu", "linear"),
        ("ae", "tanh", "linear"),
        ("ae", "silu", "sigmoid"),
        ("ae", "gelu", "linear"),
        ("linear-ae", "relu", "sigmoid"),
    ],
)
def test_exported_files_reproduce_torch_decode(tmp_path, family, act, output):
    m = _model(family, k=3, act=act, output=output)
    man = export.export_decoder(m, "tiny model", static_dir=tmp_path)
    bin_path = tmp_path / man["weights_file"]
    assert bin_path.exists() and (tmp_path / man["manifest_file"]).exists()
    # Content-hashed, URL-safe names under decoders/, served at /app/static/...
    assert man["weights_file"] == f"decoders/tiny_model-{man['hash']}.bin"
    assert man["weights_url"] == f"/app/static/decoders/tiny_model-{man['hash']}.bin"
    assert json.loads((tmp_path / man["manifest_file"]).read_text())["layers"] == man["layers"]
    w = export.load_weights(bin_path)
    assert w.dtype == np.float32 and w.size == man["n_floats"] == bin_path.stat().st_size // 4
    z = np.random.default_rng(1).normal(0, 2, (32, 3))
    ref = _torch_decode(m, z)
    got = export.forward_numpy(man, w, z)
    assert got.shape == ref.shape
    assert np.abs(got - ref).max() < 1e-5
    # The linear AE never squashes (its decode() skips the sigmoid on purpose).
    assert man["output"] == ("linear" if family == "linear-ae" else output)


def test_manifest_describes_layers_and_activations(tmp_path):
    m = _model("ae", k=2, act="elu", output="linear", D=3, hidden=(64, 64))
    man = export.export_decoder(m, "pts", static_dir=tmp_path)
    assert [(L["in"], L["out"], L["activation"]) for L in man["layers"]] == [
        (2, 64, "elu"),
        (64, 64, "elu"),
        (64, 3, "none"),
    ]
    assert man["latent_dim"] == 2 and man["output_dim"] == 3 and man["image_shape"] is None


def test_hash_tracks_content_and_export_is_idempotent(tmp_path):
    m = _model()
    a = export.export_decoder(m, "m", static_dir=tmp_path)
    p = tmp_path / a["weights_file"]
    t0 = p.stat().st_mtime_ns
    b = export.export_decoder(m, "m", static_dir=tmp_path)
    assert a == b and p.stat().st_mtime_ns == t0  # same content: same name, not rewritten
    with torch.no_grad():
        m.decoder[0].bias[0] += 0.5
    c = export.export_decoder(m, "m", static_dir=tmp_path)
    assert c["hash"] != a["hash"] and c["weights_file"] != a["weights_file"]


@pytest.mark.parametrize("shape,hidden,act", [((1, 8, 8), (4, 8), "relu"), ((3, 12, 16), (5, 6), "elu")])
def test_conv_decoder_exports_and_reproduces_torch(tmp_path, shape, hidden, act):
    """Linear, then transposed convs (stride 2, padding 1, 4 × 4 kernels): exported per tap; the
    reference forward pass on the files alone matches torch, grey or RGB, square or not."""
    torch.manual_seed(0)
    D = int(np.prod(shape))
    m = build_model(
        ModelConfig(family="conv-ae", input_dim=D, latent_dim=3, hidden=hidden, image_shape=shape, activation=act)
    ).eval()
    man = export.export_decoder(m, "conv", static_dir=tmp_path)
    kinds = [L["type"] for L in man["layers"]]
    assert kinds == ["linear", "convT", "convT"] and man["layers"][-1]["out_shape"] == list(shape)
    z = np.random.default_rng(0).normal(0, 2, (6, 3))
    got = export.forward_numpy(man, export.load_weights(tmp_path / man["weights_file"]), z)
    assert got.shape == (6, D) and np.abs(got - _torch_decode(m, z)).max() < 1e-5


def test_a_decoder_the_browser_cannot_run_is_refused(tmp_path):
    m = _model()
    m.decoder = torch.nn.Sequential(torch.nn.Linear(2, 12), torch.nn.BatchNorm1d(12))
    assert not export.is_exportable(m)
    with pytest.raises(export.NotExportable, match="server"):
        export.export_decoder(m, "odd", static_dir=tmp_path)
    assert not (tmp_path / "decoders").exists() or not list((tmp_path / "decoders").iterdir())
    assert export.is_exportable(_model())


@pytest.mark.parametrize("name", sorted(p.name[: -len(".safetensors")] for p in SHIPPED_DIR.glob("*.safetensors")))
def test_every_shipped_decoder_exports_exactly(tmp_path, name):
    """Every shipped model, conv included, runs in the browser: its exported files reproduce torch."""
    ck = load_checkpoint(SHIPPED_DIR / f"{name}.safetensors")
    man = export.export_decoder(ck.model, name, static_dir=tmp_path)
    z = np.random.default_rng(0).normal(0, 3, (16, ck.config.latent_dim))
    got = export.forward_numpy(man, export.load_weights(tmp_path / man["weights_file"]), z)
    assert np.abs(got - _torch_decode(ck.model, z)).max() < 1e-5


# ---------------------------------------------------------------- latent-pad geometry


def test_view_identity_for_k2_and_pca_inverse_for_k3():
    rng = np.random.default_rng(0)
    codes2 = rng.normal(size=(200, 2))
    v2 = fit_projection(codes2)
    assert v2.method == "identity" and np.allclose(v2.transform(codes2), codes2, atol=1e-6)
    assert v2.linear_map() == {"mean": [0.0, 0.0], "basis": [[1.0, 0.0], [0.0, 1.0]]}
    # k = 3 codes on a tilted plane: the PCA view's inverse map recovers them exactly.
    basis = np.linalg.qr(rng.normal(size=(3, 2)))[0].T  # (2, 3) orthonormal rows
    codes3 = rng.normal(size=(300, 2)) * [3.0, 1.0] @ basis + [1.0, -2.0, 0.5]
    v3 = fit_projection(codes3)
    assert v3.method == "pca" and v3.explained[0] > v3.explained[1]
    basis3 = np.asarray(v3.linear_map()["basis"])  # (2, 3): what the browser applies
    assert np.allclose(basis3 @ basis3.T, np.eye(2), atol=1e-8)
    assert np.allclose(v3.inverse(v3.transform(codes3)), codes3, atol=1e-5)  # float32 round trip
    # A 1-D latent: the horizontal position is z, the vertical one is ignored.
    v1 = fit_projection(rng.normal(size=(50, 1)))
    assert v1.method == "pad" and np.allclose(v1.inverse([[0.7, 5.0]]), [[0.7]])
    # Its cosmetic vertical spread must not depend on z (even for codes made from a seed-0 stream).
    z1 = np.random.default_rng(0).uniform(0, 1, (400, 1))
    spread = drag.plane_positions(fit_projection(z1), z1)
    assert abs(np.corrcoef(spread[:, 0], spread[:, 1])[0, 1]) < 0.2


def test_pad_density_shading_is_high_on_the_data_and_low_off_it():
    rng = np.random.default_rng(0)
    pts = np.r_[rng.normal([0, 0], 0.3, (500, 2)), rng.normal([3, 3], 0.3, (100, 2))]
    (x0, x1), (y0, y1) = view_bounds(pts, pad=0.12, q=0.005, square=True)
    assert np.isclose(x1 - x0, y1 - y0)  # square window: honest distances
    data, at, dens = plane.pad_plane(pts, np.zeros(600, int), ["a"], fit_projection(pts), grid_n=40)
    assert np.allclose(data["bounds"], [x0, x1, y0, y1], atol=1e-5)
    g = plane.decode_plane(data)["density"]  # (40, 40) row 0 = ymin, column 0 = xmin
    cell = lambda x, y: g[int((y - y0) / (y1 - y0) * 40), int((x - x0) / (x1 - x0) * 40)]
    assert g.max() == 1.0 and cell(0, 0) > cell(3, 3) > cell(0, 3)
    assert np.allclose(at, pts, atol=1e-6)
    # The readout the page shows: percentile of the codes' own densities.
    assert dens.percentile(dens(np.array([0.0, 0.0]))[0]) > 50
    assert dens.percentile(dens(np.array([0.0, 3.0]))[0]) < 5
    bar = drag.profile_bar([0, 50, 100], cell=10, height=4)
    assert bar.shape == (4, 30, 3) and bar.dtype == np.uint8
    assert bar[0, 5].tolist() == [255, 255, 255] and bar[0, 25].tolist() == [0, 114, 178]


def test_pad_plane_is_the_map_format_and_markers_start_on_classes():
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(9000, 2))
    labels = np.r_[np.zeros(5000, int), np.ones(4000, int)]
    codes[labels == 1] += 4
    data, _, _ = plane.pad_plane(codes, labels, ["a", "b"], fit_projection(codes), max_points=1000, grid_n=32)
    json.dumps(data)  # must be JSON for the component
    got = plane.decode_plane(data)  # the latent map's format: one reader for both components
    assert got["points"].shape == (1000, 2) and got["labels"].shape == (1000,)
    assert got["density"].shape == (32, 32) and got["density"].max() == 1.0
    assert data["linear_map"] == {"mean": [0.0, 0.0], "basis": [[1.0, 0.0], [0.0, 1.0]]}
    m = drag.default_markers(codes, labels)
    assert np.allclose(m[0], [0, 0], atol=0.1) and np.allclose(m[1], [4, 4], atol=0.1)
    path = interpolate([0, 0], [2, 4], 5)
    assert path.shape == (5, 2) and np.allclose(path[2], [1, 2])


# ---------------------------------------------------------------- the page, without a browser


def _followers(at) -> str:
    """What follows the markers: the readouts' HTML, shipped with the pad (which replaces it with
    the position channel's answers during a drag)."""
    pads = [c for c in at.get("bidi_component") if c.proto.component_name == "latent_lab.latent_plane"]
    assert len(pads) == 1
    return json.loads(pads[0].proto.json)[0]["follow_html"]


def test_page_runs_and_follows_the_url_markers(monkeypatch, user_models, tmp_path):
    from streamlit.testing.v1 import AppTest

    monkeypatch.chdir(ROOT)
    # Export into a temporary static folder: tests must not depend on the repo's generated files.
    monkeypatch.setattr(export, "STATIC_DIR", tmp_path / "static")
    at = AppTest.from_file(str(ROOT / "latentlab" / "ui" / "pages" / "drag.py"), default_timeout=120)
    at.query_params["dg_model"] = "digits-ae-2d"
    at.query_params["dg_a"] = "1.5,-2"
    at.run()
    assert not at.exception
    md = _followers(at)
    assert "<h4>Marker A at z = (1.500, -2.000)</h4>" in md, md
    assert "Marker B" in md
    assert list((tmp_path / "static" / "decoders").glob("digits-ae-2d-*.bin"))


def test_page_k3_model_uses_the_pca_view(monkeypatch, user_models, tmp_path):
    from streamlit.testing.v1 import AppTest

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(export, "STATIC_DIR", tmp_path / "static")
    torch.manual_seed(0)
    m = build_model(ModelConfig(family="ae", input_dim=64, latent_dim=3, hidden=(16,), image_shape=(1, 8, 8)))
    save_checkpoint(user_models / "tiny-k3", m, "digits")
    at = AppTest.from_file(str(ROOT / "latentlab" / "ui" / "pages" / "drag.py"), default_timeout=120)
    at.query_params["dg_model"] = "tiny-k3"
    at.run()
    assert not at.exception
    assert any("principal axes" in i.value for i in at.info)
    heading = re.search(r"<h4>Marker A at z = \(([^)]*)\)</h4>", _followers(at))
    assert heading and heading.group(1).count(",") == 2  # z has k = 3 coordinates
