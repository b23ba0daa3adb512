"""Bring your own model: an encoder and a decoder exported with torch.onnx.export, imported into the
model library (aecore.storage.library.import_onnx), run by onnxruntime, converted for the browser's
decoder where its layers allow; and hostile or unsuitable files refused with a sentence, nothing
written. The real-browser half (the plane draws, a click decodes within 1e-4 of torch) is
tests/browser/test_onnx_browser.py."""

from __future__ import annotations

import io
import warnings

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper
from torch import nn

from aecore.models.imported import NotConvertible, browser_decoder, parse
from aecore.storage import library
from aecore.storage.checkpoint import CheckpointError, from_bytes, load_checkpoint, to_bytes
from labtools.onnx_models import foreign_models, onnx_bytes
from latentlab.server import export


@pytest.fixture(scope="module")
def graphs():
    enc, dec = foreign_models()
    return enc, dec, onnx_bytes(enc, torch.zeros(1, 64)), onnx_bytes(dec, torch.zeros(1, 2))


def test_an_imported_model_runs_like_torch_on_the_server_and_in_the_browsers_layers(graphs, tmp_path):
    enc, dec, e, d = graphs
    entry = library.import_onnx("my-onnx", e, d, "digits", user=tmp_path)
    assert entry.family == "onnx" and entry.latent_dim == 2 and entry.dataset == "digits"
    assert [m.name for m in library.list_models(user=tmp_path) if not m.readonly] == ["my-onnx"]
    model = load_checkpoint(entry.path).model  # rebuilt from the file alone
    x = torch.rand(5, 64)  # (5, 64)
    z = torch.randn(7, 2) * 3  # (7, 2)
    with torch.no_grad():
        assert torch.allclose(model.encode(x), enc(x), atol=1e-5)
        assert torch.allclose(model.decode(z), dec(z), atol=1e-5)
        # The browser's layers: the decoder converted (BatchNorm folded into its transposed conv) and
        # written in the plane's format; the format's numpy reference decodes as torch does.
        man, blob = export.decoder_arrays(model)
        assert [L["type"] for L in man["layers"]] == ["linear", "convT", "convT"]
        assert [L["activation"] for L in man["layers"]] == ["leaky_relu", "relu", "sigmoid"]
        assert man["layers"][0]["alpha"] == pytest.approx(0.2)
        got = export.forward_numpy(man, np.frombuffer(blob, dtype="<f4"), z.numpy())
        assert np.abs(got - dec(z).numpy()).max() < 1e-5
    assert entry.test_mse == pytest.approx(library.describe(entry.path, False).test_mse)


def test_a_decoder_the_browser_cannot_run_decodes_on_the_server(tmp_path):
    torch.manual_seed(1)
    enc = nn.Sequential(nn.Linear(64, 3))
    dec = nn.Sequential(nn.Linear(3, 16), nn.LayerNorm(16), nn.Tanh(), nn.Linear(16, 64))
    e, d = onnx_bytes(enc, torch.zeros(1, 64)), onnx_bytes(dec, torch.zeros(1, 3))
    with pytest.raises(NotConvertible, match="LayerNormalization"):
        browser_decoder(d, 3)
    model = load_checkpoint(library.import_onnx("ln", e, d, "digits", user=tmp_path).path).model
    assert not export.is_exportable(model)
    with pytest.raises(export.NotExportable, match="LayerNormalization.*server"):
        export.decoder_arrays(model)
    z = torch.randn(4, 3)
    with torch.no_grad():
        assert torch.allclose(model.decode(z), dec(z), atol=1e-5)


def test_a_graph_with_a_fixed_batch_of_one_still_encodes_a_data_set(tmp_path):
    enc, dec = foreign_models(seed=2)
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(enc, (torch.zeros(1, 64),), f, dynamo=False)  # no dynamic axes: batch 1
    model = load_checkpoint(
        library.import_onnx("fixed", f.getvalue(), onnx_bytes(dec, torch.zeros(1, 2)), "digits", user=tmp_path).path
    ).model
    x = torch.rand(9, 64)
    with torch.no_grad():
        assert torch.allclose(model.encode(x), enc(x), atol=1e-5)


# ---- hostile and unsuitable files: each refused with its reason, nothing written ----------------


def _model(graph_bytes: bytes):
    return onnx.load_from_string(graph_bytes)


def _custom_op(d: bytes) -> bytes:
    m = _model(d)
    m.graph.node[-1].domain = "com.evil"
    m.opset_import.append(helper.make_opsetid("com.evil", 1))
    return m.SerializeToString()


def _unknown_op(d: bytes) -> bytes:
    m = _model(d)
    m.graph.node[-1].op_type = "StealSecrets"
    return m.SerializeToString()


def _external_data(d: bytes) -> bytes:
    m = _model(d)
    t = m.graph.initializer[0]
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    t.external_data.append(onnx.StringStringEntryProto(key="location", value="../../../../etc/passwd"))
    return m.SerializeToString()


def _giant(d: bytes) -> bytes:
    m = _model(d)
    huge = TensorProto(name="huge", data_type=TensorProto.FLOAT)
    huge.dims.extend([100_000, 100_000])  # 4e10 bytes declared, none present
    m.graph.initializer.append(huge)
    return m.SerializeToString()


def _two_inputs(d: bytes) -> bytes:
    m = _model(d)
    m.graph.input.append(helper.make_tensor_value_info("extra", TensorProto.FLOAT, [1, 2]))
    return m.SerializeToString()


def _local_function(d: bytes) -> bytes:
    m = _model(d)
    m.functions.append(helper.make_function("local", "f", ["a"], ["b"], [helper.make_node("Relu", ["a"], ["b"])], []))
    return m.SerializeToString()


def _int_input(d: bytes) -> bytes:
    m = _model(d)
    m.graph.input[0].type.tensor_type.elem_type = TensorProto.INT64
    return m.SerializeToString()


def _custom_op_in_a_subgraph(d: bytes) -> bytes:
    """The custom operator hidden in an If's branch."""
    m = _model(d)
    evil = helper.make_graph(
        [helper.make_node("Steal", [], ["o"], domain="com.evil")], "branch", [],
        [helper.make_tensor_value_info("o", TensorProto.FLOAT, [1])],
    )  # fmt: skip
    m.graph.node.append(helper.make_node("If", ["cond"], ["unused"], then_branch=evil, else_branch=evil))
    return m.SerializeToString()


def _nan_encoder(e: bytes) -> bytes:
    """A graph whose codes are NaN (the log of a negative number)."""
    m = _model(e)
    out = m.graph.output[0].name
    m.graph.node[-1].output[0] = "pre"
    m.graph.node.extend(
        [helper.make_node("Neg", ["pre"], ["neg"]), helper.make_node("Log", ["neg"], ["l"]),
         helper.make_node("Sub", ["l", "neg"], [out])]
    )  # fmt: skip
    return m.SerializeToString()


def _giant_intermediate(d: bytes) -> bytes:
    """Valid ONNX, standard operators, no big tensor stored: an Expand to 30,000 × 30,000 floats
    (3.6 GB) while it runs, then a ReduceMean; the graph's output is still the data set's size."""
    m = _model(d)
    out = m.graph.output[0].name
    m.graph.node[-1].output[0] = "pre"
    m.graph.initializer.append(helper.make_tensor("big_shape", TensorProto.INT64, [2], [30_000, 30_000]))
    m.graph.node.extend(
        [helper.make_node("ReduceMean", ["pre"], ["one"], keepdims=1),
         helper.make_node("Expand", ["one", "big_shape"], ["big"]),
         helper.make_node("ReduceMean", ["big"], ["m"], keepdims=1),
         helper.make_node("Add", ["pre", "m"], [out])]
    )  # fmt: skip
    return m.SerializeToString()


HOSTILE_DECODERS = {
    "garbage bytes": (lambda d: b"\x08\x07not an onnx model at all" * 50, "not an ONNX model"),
    "an empty file": (lambda d: b"", "empty"),
    "a truncated file": (lambda d: d[: len(d) // 2], "not an ONNX model"),
    "a PNG named .onnx": (lambda d: b"\x89PNG\r\n\x1a\n" + d[:200], "not an ONNX model"),
    "a custom operator": (_custom_op, "custom operator"),
    "an unknown operator": (_unknown_op, "not a valid ONNX model"),
    "external data naming /etc/passwd": (_external_data, "external data"),
    "a giant initialiser": (_giant, "too many"),
    "two inputs": (_two_inputs, "2 inputs"),
    "a local function": (_local_function, "functions"),
    "an int64 input": (_int_input, "not float32"),
    "a custom operator in a subgraph": (_custom_op_in_a_subgraph, "custom operator"),
    "a giant intermediate tensor": (_giant_intermediate, "more memory than"),
}


@pytest.mark.parametrize("case", list(HOSTILE_DECODERS))
def test_a_hostile_decoder_is_refused_with_its_reason_and_nothing_is_written(graphs, tmp_path, case):
    _, _, e, d = graphs
    make, reason = HOSTILE_DECODERS[case]
    with pytest.raises(library.LibraryError, match=reason):
        library.import_onnx("evil", e, make(d), "digits", user=tmp_path)
    assert not list(tmp_path.iterdir())


def test_unsuitable_models_are_refused_with_the_data_sets_shapes(graphs, tmp_path):
    enc, dec, e, d = graphs
    wide = onnx_bytes(nn.Sequential(nn.Linear(784, 2)), torch.zeros(1, 784))
    with pytest.raises(library.LibraryError, match=r"encoder failed.*rows of \[64\]"):
        library.import_onnx("m", wide, d, "digits", user=tmp_path)  # an MNIST encoder on digits
    big_out = onnx_bytes(nn.Sequential(nn.Linear(2, 100)), torch.zeros(1, 2))
    with pytest.raises(library.LibraryError, match="rows of 100 numbers.*digits has 64"):
        library.import_onnx("m", e, big_out, "digits", user=tmp_path)
    k3 = onnx_bytes(nn.Sequential(nn.Linear(3, 64)), torch.zeros(1, 3))
    with pytest.raises(library.LibraryError, match="decoder failed"):
        library.import_onnx("m", e, k3, "digits", user=tmp_path)  # the codes do not fit the decoder
    with pytest.raises(library.LibraryError, match="not all finite"):
        library.import_onnx("m", _nan_encoder(e), d, "digits", user=tmp_path)
    with pytest.raises(library.LibraryError, match="upload limit"):
        library.import_onnx("m", e, d, "digits", user=tmp_path, max_bytes=1000)
    with pytest.raises(library.LibraryError, match="shipped model"):
        library.import_onnx("mnist-ae-2d", e, d, "digits", user=tmp_path)
    with pytest.raises(library.LibraryError, match="cannot be loaded"):
        library.import_onnx("m", e, d, "no-such-set", user=tmp_path)
    assert not list(tmp_path.iterdir())
    library.import_onnx("m", e, d, "digits", user=tmp_path)
    with pytest.raises(library.ModelExists):
        library.import_onnx("m", e, d, "digits", user=tmp_path)  # never replaced without asking


def test_a_checkpoint_whose_graph_was_swapped_for_a_hostile_one_does_not_load(graphs, tmp_path):
    """The checks run again on every load: a file written by anyone else is hostile too."""
    _, _, e, d = graphs
    path = library.import_onnx("ok", e, d, "digits", user=tmp_path).path
    model = load_checkpoint(path).model
    evil = _custom_op(d)
    from aecore.models import ModelConfig
    from aecore.models.imported import OnnxAutoencoder

    cfg = ModelConfig.from_dict({**model.config.to_dict(), "onnx_bytes": [len(e), len(evil)]})
    forged = to_bytes(OnnxAutoencoder.from_graphs(cfg, e, evil), "digits")
    with pytest.raises(CheckpointError, match="custom operator"):
        from_bytes(forged)


def test_parse_accepts_what_torch_exports(graphs):
    _, _, e, d = graphs
    assert parse(e).graph.node and parse(d).graph.node


def test_the_command_imports_a_model_and_refuses_a_hostile_one(graphs, tmp_path, monkeypatch, capsys):
    """``latent-lab import-model`` (aecore.cli, the same function as the library page)."""
    from latentlab import cli

    _, _, e, d = graphs
    (tmp_path / "e.onnx").write_bytes(e)
    (tmp_path / "d.onnx").write_bytes(d)
    (tmp_path / "evil.onnx").write_bytes(_external_data(d))
    user = tmp_path / "models"
    monkeypatch.setenv("LATENTLAB_MODELS", str(user))
    args = ["import-model", "--encoder", str(tmp_path / "e.onnx"), "--dataset", "digits", "--name", "cli-onnx"]
    assert cli.main([*args, "--decoder", str(tmp_path / "evil.onnx")]) == 2
    assert "external data" in capsys.readouterr().err and not user.exists()
    assert cli.main([*args, "--decoder", str(tmp_path / "d.onnx")]) == 0
    assert "Imported cli-onnx: k = 2, digits" in capsys.readouterr().out
    assert cli.main([*args, "--decoder", str(tmp_path / "d.onnx")]) == 2  # exists: --force to replace
    assert "--force" in capsys.readouterr().err
    assert cli.main([*args, "--decoder", str(tmp_path / "missing.onnx")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert cli.main(args) == 2  # an encoder alone: a decoder, or --model for one file with both
    assert "--model" in capsys.readouterr().err


def test_one_file_with_both_halves_is_split_at_the_code(tmp_path):
    """A whole autoencoder exported as one graph with two outputs (reconstruction, code): split into
    an encoder and a decoder at the code; a graph whose decoder reads the input is refused."""
    enc, dec = foreign_models(seed=4)

    class AE(nn.Module):
        def __init__(self, skip: bool = False):
            super().__init__()
            self.enc, self.dec, self.skip = enc, dec, skip

        def forward(self, x):
            z = self.enc(x)
            return (self.dec(z) + 0.0 * x if self.skip else self.dec(z)), z

    whole = onnx_bytes(AE(), torch.zeros(1, 64))
    model = load_checkpoint(library.import_onnx("whole", whole, None, "digits", user=tmp_path).path).model
    x, z = torch.rand(6, 64), torch.randn(5, 2)
    with torch.no_grad():
        assert torch.allclose(model.encode(x), enc(x), atol=1e-5)
        assert torch.allclose(model.decode(z), dec(z), atol=1e-5)
    assert export.is_exportable(model)  # its decoder half converts for the browser too
    with pytest.raises(library.LibraryError, match="skip connection"):
        library.import_onnx("skip", onnx_bytes(AE(skip=True), torch.zeros(1, 64)), None, "digits", user=tmp_path)
    with pytest.raises(library.LibraryError, match="1 outputs"):
        library.import_onnx("one", onnx_bytes(enc, torch.zeros(1, 64)), None, "digits", user=tmp_path)
