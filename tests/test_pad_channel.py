"""The latent pad's position channel (latentlab/ui/components/pad_channel.py) and the readouts it serves:
positions reach Python during a drag without a rerun, and bad requests get a clear 4xx."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from aecore.analysis import markers as drag
from aecore.analysis.projection import fit_projection
from latentlab.server import export, plane
from latentlab.ui.components import pad_channel

ROOT = Path(__file__).resolve().parent.parent


def _req(token: str, markers, seq: int = 1) -> bytes:
    return json.dumps({"token": token, "markers": markers, "seq": seq}).encode()


@pytest.fixture
def token():
    t = pad_channel.new_token()
    pad_channel.register(t, lambda ms: f"<h4>at {ms[0][0]:.2f}, {ms[0][1]:.2f} ({len(ms)})</h4>")
    return t


def test_channel_answers_with_the_followers_html_and_keeps_the_position(token):
    assert pad_channel.latest(token) is None
    status, reply = pad_channel.handle(_req(token, [[1.5, -2], [0, 3.25]], seq=7))
    assert status == 200 and reply == {"seq": 7, "html": "<h4>at 1.50, -2.00 (2)</h4>"}
    assert pad_channel.latest(token) == [[1.5, -2.0], [0.0, 3.25]]  # Python has the position
    status, reply = pad_channel.handle(_req(token, [[0.25, 0.5]], seq=8))
    assert (status, reply["html"]) == (200, "<h4>at 0.25, 0.50 (1)</h4>")


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"markers": [[0, 0]], "seq": 1}',
        _req("t", [[0, 0]], seq="1"),
        _req("t", [[0, 0]], seq=True),
        _req("t", []),
        _req("t", [[0, 0]] * 3),
        _req("t", [[0]]),
        _req("t", [["0", 1]]),
        _req("t", [[True, 1]]),
        _req("t", [[0, 1e400]]),
        b'{"token": "t", "markers": [[NaN, 0]], "seq": 1}',
        b"\xff\xfe",
    ],
)
def test_malformed_requests_are_400(body):
    status, reply = pad_channel.handle(body)
    assert status == 400 and reply["error"]


def test_unknown_token_oversized_body_and_failing_follower(token):
    status, reply = pad_channel.handle(_req("no-such-pad", [[0, 0]]))
    assert status == 404 and "released" in reply["error"]
    assert pad_channel.handle(b" " * (pad_channel.MAX_BODY + 1) + _req(token, [[0, 0]]))[0] == 413
    bad = pad_channel.new_token()
    pad_channel.register(bad, lambda ms: 1 / 0)
    status, reply = pad_channel.handle(_req(bad, [[0, 0]]))
    assert status == 500 and "ZeroDivisionError" in reply["error"]


def test_registry_is_bounded_and_drops_the_oldest(monkeypatch):
    monkeypatch.setattr(pad_channel, "MAX_FOLLOWERS", 3)
    toks = [pad_channel.new_token() for _ in range(4)]
    for t in toks:
        pad_channel.register(t, lambda ms: "x")
    assert pad_channel.handle(_req(toks[0], [[0, 0]]))[0] == 404
    assert all(pad_channel.handle(_req(t, [[0, 0]]))[0] == 200 for t in toks[1:])
    # Re-registering refreshes a token: it is now the newest, so the next eviction takes toks[2].
    pad_channel.register(toks[1], lambda ms: "y")
    pad_channel.register(pad_channel.new_token(), lambda ms: "z")
    assert pad_channel.handle(_req(toks[1], [[0, 0]]))[1]["html"] == "y"
    assert pad_channel.handle(_req(toks[2], [[0, 0]]))[0] == 404


def test_url_path_follows_the_base_url():
    assert pad_channel.url_path("") == "/api/latentlab/pad-follow"
    assert pad_channel.url_path("/lab/") == "/lab/api/latentlab/pad-follow"
    assert pad_channel.routes("lab")[0].path == "/lab/api/latentlab/pad-follow"


def test_follow_reads_density_and_neighbours_at_the_markers():
    rng = np.random.default_rng(0)
    codes = np.concatenate([rng.normal(0, 0.3, (300, 2)), rng.normal((4, 4), 0.3, (300, 2))]).astype(np.float32)
    view = fit_projection(codes)
    _, _, density = plane.pad_plane(codes, np.repeat([0, 1], 300), ["a", "b"], view)
    f = drag.follow([[0, 0], [4, 4]], view, codes, density, n_neighbours=4)
    assert [m.z.tolist() for m in f.markers] == [[0, 0], [4, 4]]
    assert all(m.percentile > 40 for m in f.markers)  # both on a cluster
    assert (f.markers[0].neighbours < 300).all() and (f.markers[1].neighbours >= 300).all()
    assert len(f.line) == 21 and f.line[10] < 5 < f.line[0]  # the gap between the clusters is empty
    one = drag.follow([[2, 2]], view, codes, density)
    assert one.line is None and one.markers[0].percentile < 5 and len(one.markers[0].neighbours) == 5


def _drag_page(model: str, monkeypatch, tmp_path):
    """The drag page run in AppTest for ``model``: ``(at, the data it gave the pad)``."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.chdir(ROOT)
    # Export into a temporary static folder: tests must not depend on the repo's generated files.
    monkeypatch.setattr(export, "STATIC_DIR", tmp_path / "static")
    at = AppTest.from_file(str(ROOT / "latentlab" / "ui" / "pages" / "drag.py"), default_timeout=120)
    at.query_params["dg_model"] = model
    at.run()
    assert not at.exception
    pad = next(c for c in at.get("bidi_component") if c.proto.component_name == "latent_lab.latent_plane")
    return at, json.loads(pad.proto.json)[0]  # our components send [data]


def test_drag_page_registers_a_follower_that_answers_for_new_positions(monkeypatch, user_models, tmp_path):
    """What the pad does mid-drag, without a browser: the page's follower, through the channel."""
    _, data = _drag_page("digits-ae-2d", monkeypatch, tmp_path)
    assert data["follow_url"] == "/api/latentlab/pad-follow"
    status, reply = pad_channel.handle(_req(data["follow_token"], [[1.5, -2], [-3, 0.5]], seq=3))
    assert status == 200 and reply["seq"] == 3
    assert "<h4>Marker A at z = (1.500, -2.000)</h4>" in reply["html"]
    assert "<h4>Marker B at z = (-3.000, 0.500)</h4>" in reply["html"]
    assert "On the straight line A → B" in reply["html"]
    assert len(re.findall(r"data:image/png;base64,", reply["html"])) == 3  # 2 neighbour strips + profile
    assert pad_channel.latest(data["follow_token"]) == [[1.5, -2.0], [-3.0, 0.5]]


def test_a_decoder_the_browser_cannot_run_decodes_on_the_server_and_readouts_still_follow(
    monkeypatch, user_models, tmp_path
):
    """Where the browser cannot run the decoder, the page says why, decodes on the server (on
    release), and the readouts still follow the drag through the channel."""

    from latentlab.ui import loaders

    def refuse(*a, **k):
        raise export.NotExportable("a layer the browser lacks: decoding on the server instead")

    monkeypatch.setattr(export, "export_decoder", refuse)
    loaders._exported.clear()  # exports are cached per server: this one must see the refusal…
    try:
        at, data = _drag_page("digits-ae-2d", monkeypatch, tmp_path)
    finally:
        loaders._exported.clear()  # …and no later test may inherit it
    assert data["manifest"] is None and data["mode_text"].startswith("Server decoding: this decoder cannot run")
    assert "a layer the browser lacks" in data["mode_text"]
    assert len(at.get("image")) == 3  # A and B decoded on the server, and the A → B strip
    status, reply = pad_channel.handle(_req(data["follow_token"], [[0.5, 0.25], [1, 1]]))
    assert status == 200 and "<h4>Marker A at z = (0.500, 0.250)</h4>" in reply["html"]


def test_a_conv_model_decodes_in_the_browser(monkeypatch, user_models, tmp_path):
    import torch

    from aecore.models import ModelConfig, build_model
    from aecore.storage.checkpoint import save_checkpoint

    torch.manual_seed(0)
    m = build_model(ModelConfig(family="conv-ae", input_dim=64, latent_dim=2, hidden=(4, 8), image_shape=(1, 8, 8)))
    save_checkpoint(user_models / "tiny-conv", m, "digits")
    at, data = _drag_page("tiny-conv", monkeypatch, tmp_path)
    assert [L["type"] for L in data["manifest"]["layers"]] == ["linear", "convT", "convT"]
    assert data["mode_text"].startswith("Decoded in your browser: a linear layer and 2 transposed convolutions")
    assert len(at.get("image")) == 0  # nothing decoded on the server
